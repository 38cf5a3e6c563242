import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../engine/kernel/simulation.js';
import { TimeoutQueue } from '../../../engine/traffic/timeouts.js';

/** A population of attempts with a given service time: each ends after `service` unless it times out. */
function population(timeout: number) {
  const sim = new Simulation();
  const ended = new Set<number>();
  const expired: Array<{ r: number; at: number }> = [];
  const q = new TimeoutQueue(sim, timeout, (r) => !ended.has(r), (r) => {
    ended.add(r);
    expired.push({ r, at: sim.now });
  });
  return { sim, ended, expired, q };
}

describe('TimeoutQueue', () => {
  it('expires exactly the attempts still waiting at their deadline, at the deadline', () => {
    const { sim, ended, expired, q } = population(1);
    // attempt r starts at r·0.1 s; even attempts end after 0.5 s, odd ones never answer
    for (let r = 0; r < 20; r++) {
      sim.schedule(r * 0.1, () => {
        q.start(r, r);
        if (r % 2 === 0) sim.after(0.5, () => ended.add(r));
      });
    }
    sim.run();
    expect(expired.map((e) => e.r)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    for (const e of expired) expect(e.at).toBeCloseTo(e.r * 0.1 + 1, 9);
  });

  it('holds only the attempts since the oldest one waiting, not a whole timeout window', () => {
    // 1,000 attempts a second for 100 s with a 60 s timeout, each answered within 10 ms: the window
    // holds 60,000 attempts; the queue must hold a handful.
    const { sim, ended, expired, q } = population(60);
    let most = 0;
    for (let r = 0; r < 100_000; r++) {
      sim.schedule(r / 1000, () => {
        q.start(r, r);
        most = Math.max(most, q.size);
        sim.after(0.005 + (r % 7) * 0.001, () => ended.add(r));
      });
    }
    sim.run();
    expect(expired).toEqual([]);
    expect(most).toBeLessThan(20);
  });

  it('keeps every attempt behind one that waits, and expires that one on time', () => {
    const { sim, ended, expired, q } = population(10);
    let most = 0;
    for (let r = 0; r < 1000; r++) {
      sim.schedule(r / 100, () => {
        q.start(r, r);
        most = Math.max(most, q.size);
        if (r !== 0) sim.after(0.001, () => ended.add(r));
      });
    }
    sim.run();
    expect(expired).toEqual([{ r: 0, at: 10 }]);
    // attempt 0 waits 10 s at the head: the ~1,000 attempts started meanwhile stay behind it
    expect(most).toBeGreaterThan(900);
  });
});
