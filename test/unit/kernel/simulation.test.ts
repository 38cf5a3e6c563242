import { describe, expect, it } from 'vitest';
import { Simulation, SimulationStuckError } from '../../../engine/kernel/simulation.js';

describe('Simulation', () => {
  it('runs events in time order and advances the clock', () => {
    const sim = new Simulation();
    const log: Array<[number, string]> = [];
    sim.schedule(3, () => log.push([sim.now, 'c']));
    sim.schedule(1, () => log.push([sim.now, 'a']));
    sim.after(2, () => log.push([sim.now, 'b']));
    expect(sim.pending).toBe(3);
    expect(sim.run()).toBe(3);
    expect(log).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    expect(sim.now).toBe(3);
    expect(sim.eventsProcessed).toBe(3);
  });

  it('runs same-time events in scheduling order (FIFO) under many ties', () => {
    const sim = new Simulation();
    const order: number[] = [];
    const record = (i: number) => order.push(i);
    // 5,000 events over 7 distinct times, scheduled in a scrambled time order
    const times = [5, 1, 3, 1, 5, 0, 2];
    for (let i = 0; i < 5000; i++) sim.schedule(times[i % times.length]!, record, i);
    sim.run();
    const expected = [...Array(5000).keys()].sort((a, b) => times[a % 7]! - times[b % 7]! || a - b);
    expect(order).toEqual(expected);
  });

  it('puts events scheduled by a handler at the current time after those already queued for it', () => {
    const sim = new Simulation();
    const log: string[] = [];
    sim.schedule(1, () => {
      log.push('first');
      sim.after(0, () => log.push('spawned'));
    });
    sim.schedule(1, () => log.push('second'));
    sim.run();
    expect(log).toEqual(['first', 'second', 'spawned']);
  });

  it('passes the numeric argument to the handler', () => {
    const sim = new Simulation();
    const got: number[] = [];
    const h = (x: number) => got.push(x);
    sim.after(1, h, 42.5);
    sim.after(2, h);
    sim.run();
    expect(got).toEqual([42.5, 0]);
  });

  it('cancels pending events lazily and reports whether it did', () => {
    const sim = new Simulation();
    const log: number[] = [];
    const ids = [1, 2, 3, 4].map((t) => sim.schedule(t, () => log.push(t)));
    expect(sim.cancel(ids[1]!)).toBe(true);
    expect(sim.cancel(ids[1]!)).toBe(false); // twice
    expect(sim.pending).toBe(3);
    sim.step();
    expect(sim.cancel(ids[0]!)).toBe(false); // already ran
    expect(sim.cancel(123456789)).toBe(false); // never existed
    sim.run();
    expect(log).toEqual([1, 3, 4]);
  });

  it('never lets a stale id cancel a later event that reuses the slot', () => {
    const sim = new Simulation();
    const a = sim.schedule(1, () => {});
    sim.run();
    let ran = false;
    const b = sim.schedule(2, () => (ran = true));
    expect(b).not.toBe(a);
    expect(sim.cancel(a)).toBe(false);
    sim.run();
    expect(ran).toBe(true);
  });

  it('cancelling the earliest events leaves peek at the next live one', () => {
    const sim = new Simulation();
    const a = sim.schedule(1, () => {});
    sim.schedule(5, () => {});
    sim.cancel(a);
    expect(sim.peek()).toBe(5);
  });

  it('run({until}) stops before later events and leaves the clock at until', () => {
    const sim = new Simulation();
    const log: number[] = [];
    for (const t of [1, 2, 2, 3, 10]) sim.schedule(t, () => log.push(t));
    expect(sim.run({ until: 2 })).toBe(3);
    expect(sim.now).toBe(2);
    expect(sim.run({ until: 5 })).toBe(1);
    expect(sim.now).toBe(5);
    expect(log).toEqual([1, 2, 2, 3]);
    expect(sim.pending).toBe(1);
    expect(() => sim.run({ until: 4 })).toThrow(RangeError);
  });

  it('stop() ends run after the current event; maxEvents bounds it', () => {
    const sim = new Simulation();
    let count = 0;
    const tick = () => {
      count++;
      if (count === 5) sim.stop();
      sim.after(1, tick);
    };
    sim.after(0, tick);
    sim.run();
    expect(count).toBe(5);
    expect(sim.now).toBe(4);
    expect(sim.run({ maxEvents: 3 })).toBe(3);
    expect(count).toBe(8);
  });

  it('step() runs one event and returns false when the queue is empty', () => {
    const sim = new Simulation();
    expect(sim.step()).toBe(false);
    sim.after(1.5, () => {});
    expect(sim.step()).toBe(true);
    expect(sim.now).toBe(1.5);
    expect(sim.step()).toBe(false);
  });

  it('refuses to schedule in the past or with a negative or NaN delay', () => {
    const sim = new Simulation();
    sim.after(5, () => {});
    sim.run();
    expect(() => sim.schedule(4, () => {})).toThrow(/clock is at 5/);
    expect(() => sim.after(-1, () => {})).toThrow(RangeError);
    expect(() => sim.after(Number.NaN, () => {})).toThrow(RangeError);
    expect(() => sim.schedule(Number.NaN, () => {})).toThrow(RangeError);
  });

  it('grows past its initial capacity and keeps order', () => {
    const sim = new Simulation();
    const n = 100_000;
    const out: number[] = [];
    // times in a scrambled order; ties between i and i + n/2
    for (let i = 0; i < n; i++) sim.schedule((i * 7919) % (n / 2), (x) => out.push(x), i);
    sim.run();
    expect(out.length).toBe(n);
    for (let j = 1; j < n; j++) {
      const tPrev = (out[j - 1]! * 7919) % (n / 2), t = (out[j]! * 7919) % (n / 2);
      expect(tPrev < t || (tPrev === t && out[j - 1]! < out[j]!)).toBe(true);
    }
  });

  it('can start before zero (warm start) and run up to zero', () => {
    const sim = new Simulation({ startTime: -600 });
    expect(sim.now).toBe(-600);
    const log: number[] = [];
    sim.after(100, () => log.push(sim.now));
    sim.schedule(5, () => log.push(sim.now));
    sim.run({ until: 0 });
    expect(sim.now).toBe(0);
    expect(log).toEqual([-500]);
    sim.run();
    expect(log).toEqual([-500, 5]);
    expect(() => new Simulation({ startTime: Number.NaN })).toThrow(RangeError);
  });

  it('gives up with SimulationStuckError when time stops advancing, instead of hanging', () => {
    const sim = new Simulation({ maxEventsPerInstant: 1000 });
    const loop = () => void sim.after(0, loop);
    sim.after(1, loop);
    expect(() => sim.run()).toThrow(SimulationStuckError);
    expect(() => new Simulation({ maxEventsPerInstant: 1000 }).run()).not.toThrow();
    // many events at one instant are fine below the limit, and the count restarts when time moves
    const ok = new Simulation({ maxEventsPerInstant: 1000 });
    for (let t = 0; t < 5; t++) for (let i = 0; i < 900; i++) ok.schedule(t, () => {});
    expect(ok.run()).toBe(4500);
  });
});
