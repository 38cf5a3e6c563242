import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FailureLog } from '../../../engine/metrics/failures.js';
import { OUTCOME_INDEX } from '../../../engine/metrics/outcomes.js';

const { refused, reset, no_endpoints: noEndpoints, ok } = OUTCOME_INDEX;

describe('FailureLog', () => {
  it('groups a key’s failures into windows split by pauses longer than the gap', () => {
    const log = new FailureLog(5);
    for (const t of [30, 30.5, 31, 34.9]) log.record(refused, 2, 0, t);
    for (const t of [50, 51]) log.record(refused, 2, 0, t);
    log.record(reset, 2, 0, 30.2);
    log.record(noEndpoints, -1, 1, 40);
    log.record(ok, 2, 0, 41); // ok requests are not failures
    expect(log.windows()).toEqual([
      { outcome: 'refused', pod: 2, client: -1, from: 30, to: 34.9, count: 4 },
      { outcome: 'reset', pod: 2, client: -1, from: 30.2, to: 30.2, count: 1 },
      { outcome: 'no_endpoints', pod: -1, client: 1, from: 40, to: 40, count: 1 },
      { outcome: 'refused', pod: 2, client: -1, from: 50, to: 51, count: 2 },
    ]);
  });

  it('keeps at most maxWindows per key: the last absorbs the rest', () => {
    const log = new FailureLog(1, 3);
    for (let i = 0; i < 10; i++) log.record(refused, 0, 0, i * 10);
    const w = log.windows();
    expect(w.map((x) => [x.from, x.to, x.count])).toEqual([
      [0, 0, 1],
      [10, 10, 1],
      [20, 90, 8],
    ]);
    expect(log.footprint()).toBe(3);
  });

  it('property: every failure is counted in exactly one window, inside its span (counted here, not by the log)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ o: fc.integer({ min: 1, max: 6 }), pod: fc.integer({ min: -1, max: 5 }), client: fc.integer({ min: 0, max: 3 }), dt: fc.double({ min: 0, max: 20, noNaN: true }) }), { maxLength: 300 }),
        fc.integer({ min: 1, max: 8 }),
        (reqs, maxWindows) => {
          const log = new FailureLog(3, maxWindows);
          let t = 0;
          const expected = new Map<string, number>();
          const times = new Map<string, number[]>();
          for (const r of reqs) {
            t += r.dt;
            log.record(r.o, r.pod, r.client, t);
            const key = `${r.o}/${r.pod >= 0 ? `p${r.pod}` : `c${r.client}`}`;
            expected.set(key, (expected.get(key) ?? 0) + 1);
            times.set(key, [...(times.get(key) ?? []), t]);
          }
          const got = new Map<string, number>();
          for (const w of log.windows()) {
            const key = `${OUTCOME_INDEX[w.outcome]}/${w.pod >= 0 ? `p${w.pod}` : `c${w.client}`}`;
            got.set(key, (got.get(key) ?? 0) + w.count);
            expect(w.from).toBeLessThanOrEqual(w.to);
            expect(times.get(key)!.some((x) => x === w.from)).toBe(true);
          }
          expect(got).toEqual(expected);
          for (const [key] of expected) expect(log.windows().filter((w) => `${OUTCOME_INDEX[w.outcome]}/${w.pod >= 0 ? `p${w.pod}` : `c${w.client}`}` === key).length).toBeLessThanOrEqual(maxWindows);
        },
      ),
      { numRuns: 200 },
    );
  });
});
