import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rankVictims, selectVictims, type VictimInfo } from '../../engine/cluster/controllers/replicaset.js';

/**
 * `selectVictims` (bounded heap, age buckets computed once) returns exactly the first `count` pods of
 * the §3.1 ranking `rankVictims` (a full stable sort by `compareVictims`), in the same order, with or
 * without the controller's clock. Small value domains force ties at every step, down to input order.
 */
const info: fc.Arbitrary<VictimInfo> = fc.record({
  name: fc.constant(''),
  nodeName: fc.constantFrom(undefined, 'n1', 'n1', 'n1'),
  phase: fc.constantFrom('Pending', 'Running', 'Running', 'Running'),
  ready: fc.boolean(),
  readyTime: fc.constantFrom(undefined, 1, 2, 400),
  deletionCost: fc.constantFrom(0, 0, 0, 1),
  relatedOnNode: fc.integer({ min: 0, max: 1 }),
  restartCount: fc.constantFrom(0, 0, 0, 1),
  createdAt: fc.constantFrom(0, 2, 3, 300.5),
  uid: fc.constantFrom(undefined, 'a', 'b', 'pod-10', 'pod-9'),
});

describe('selectVictims = rankVictims(…).slice(0, count)', () => {
  it('on random candidates', () => {
    fc.assert(
      fc.property(fc.array(info, { maxLength: 60 }), fc.nat(70), fc.constantFrom(undefined, 400, 1000, 1e6), (raw, count, now) => {
        const pods = raw.map((p, i) => ({ ...p, name: String(i) })); // names: the input positions
        const names = (l: VictimInfo[]) => l.map((p) => p.name);
        expect(names(selectVictims(pods, count, now))).toEqual(names(rankVictims(pods, now).slice(0, count)));
      }),
      { numRuns: 2000, seed: 5 },
    );
  });
});
