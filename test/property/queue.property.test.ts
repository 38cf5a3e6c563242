import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../engine/kernel/simulation.js';

/**
 * For arbitrary schedules, including events scheduled and cancelled from inside handlers, the kernel
 * runs exactly the live events in (time, scheduling sequence) order.
 */
type Op = { delay: number; spawn: Array<{ delay: number }>; cancelOther: number | null };

const delayArb = fc.oneof(fc.constantFrom(0, 1, 2, 0.5), fc.double({ min: 0, max: 50, noNaN: true }));
const opArb: fc.Arbitrary<Op> = fc.record({
  delay: delayArb,
  spawn: fc.array(fc.record({ delay: delayArb }), { maxLength: 3 }),
  cancelOther: fc.option(fc.nat({ max: 200 }), { nil: null }),
});

describe('event order property', () => {
  it('pops in (time, sequence) order and skips exactly the cancelled events', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 150 }), (ops) => {
        const sim = new Simulation();
        let seq = 0;
        const meta = new Map<number, { t: number; seq: number }>(); // key: our event number
        const ids: number[] = [];
        const cancelled = new Set<number>();
        const ran: number[] = [];
        const add = (t: number, body: () => void) => {
          const k = seq++;
          meta.set(k, { t, seq: k });
          ids[k] = sim.schedule(t, () => {
            ran.push(k);
            body();
          });
          return k;
        };
        ops.forEach((op) => {
          add(op.delay, () => {
            for (const s of op.spawn) add(sim.now + s.delay, () => {});
            if (op.cancelOther !== null && op.cancelOther < seq) {
              const k = op.cancelOther;
              if (sim.cancel(ids[k]!)) cancelled.add(k);
            }
          });
        });
        sim.run();
        // every scheduled event ran exactly once unless cancelled
        const expectedSet = [...meta.keys()].filter((k) => !cancelled.has(k)).sort((a, b) => a - b);
        expect([...ran].sort((a, b) => a - b)).toEqual(expectedSet);
        // order: non-decreasing time, FIFO on ties
        for (let i = 1; i < ran.length; i++) {
          const a = meta.get(ran[i - 1]!)!, b = meta.get(ran[i]!)!;
          expect(a.t < b.t || (a.t === b.t && a.seq < b.seq)).toBe(true);
        }
        expect(sim.pending).toBe(0);
      }),
      { numRuns: 300, seed: 20261124 },
    );
  });
});
