import { describe, expect, it } from 'vitest';
import {
  approximateWeightedCanaryStableReplicaCounts,
  calculateReplicaCountsForBasicCanary,
  calculateReplicaCountsForTrafficRoutedCanary,
  canaryFenceposts,
  getCurrentSetWeight,
} from '../../../../engine/cluster/controllers/rollout/canary.js';

/**
 * Tables transcribed from Argo Rollouts `utils/replicaset/canary_test.go` (commit 9f8d111): the row
 * names are upstream's `t.Run` names, the expected values upstream's, not our output.
 */

type Row = {
  name: string;
  replicas: number;
  weight: number;
  maxSurge: number | string;
  maxUnavailable: number | string;
  promoteFull?: boolean;
  stable: [spec: number, available: number];
  canary: [spec: number, available: number];
  older?: [spec: number, available: number];
  expStable: number;
  expCanary: number;
};

// TestCalculateReplicaCountsForCanary (the rows without trafficRouting; an unset maxSurge/maxUnavailable is intstr 0 there)
const basic: Row[] = [
  { name: 'Do not add extra RSs in scaleDownCount when .Spec.Replica < AvailableReplicas', replicas: 10, weight: 100, maxSurge: 3, maxUnavailable: 0, stable: [7, 8], canary: [6, 3], expStable: 7, expCanary: 6 },
  { name: 'Use max surge int to scale up canary', replicas: 10, weight: 20, maxSurge: 2, maxUnavailable: 0, stable: [10, 10], canary: [0, 0], expStable: 10, expCanary: 2 },
  { name: 'Use max surge percentage to scale up canary', replicas: 10, weight: 20, maxSurge: '20%', maxUnavailable: 0, stable: [10, 10], canary: [0, 0], expStable: 10, expCanary: 2 },
  { name: 'Scale down extra stable replicas', replicas: 10, weight: 20, maxSurge: '20%', maxUnavailable: 0, stable: [10, 10], canary: [2, 2], expStable: 8, expCanary: 2 },
  { name: 'Do not go past max surge', replicas: 10, weight: 30, maxSurge: 2, maxUnavailable: 0, stable: [10, 10], canary: [0, 0], expStable: 10, expCanary: 2 },
  { name: 'Use max unavailable int to scale down stableRS', replicas: 10, weight: 20, maxSurge: 0, maxUnavailable: 2, stable: [10, 10], canary: [0, 0], expStable: 8, expCanary: 0 },
  { name: 'Use max surge percentage to scale down stableRS', replicas: 10, weight: 20, maxSurge: 0, maxUnavailable: '20%', stable: [10, 10], canary: [0, 0], expStable: 8, expCanary: 0 },
  { name: 'Do not go past max unavailable', replicas: 10, weight: 30, maxSurge: 0, maxUnavailable: 2, stable: [10, 10], canary: [0, 0], expStable: 8, expCanary: 0 },
  { name: 'Use Max Surge and Max Unavailable', replicas: 10, weight: 50, maxSurge: 2, maxUnavailable: 1, stable: [10, 10], canary: [0, 0], expStable: 9, expCanary: 2 },
  { name: 'Scale canaryRS to zero on setWeight of 0%', replicas: 10, weight: 0, maxSurge: 1, maxUnavailable: 1, stable: [10, 10], canary: [1, 1], expStable: 10, expCanary: 0 },
  { name: 'Scale stable to zero on setWeight of 100%', replicas: 10, weight: 100, maxSurge: 1, maxUnavailable: 1, stable: [1, 1], canary: [10, 10], expStable: 0, expCanary: 10 },
  { name: 'Do not scale canaryRS down to zero on non-zero weight', replicas: 1, weight: 20, maxSurge: 1, maxUnavailable: 0, stable: [1, 1], canary: [0, 0], expStable: 1, expCanary: 1 },
  { name: 'Do not scale canaryRS down to zero on non-100 weight', replicas: 1, weight: 90, maxSurge: 1, maxUnavailable: 0, stable: [1, 1], canary: [0, 0], expStable: 1, expCanary: 1 },
  { name: 'Scale canaryRS to zero on <50 weight without surge', replicas: 1, weight: 49, maxSurge: 0, maxUnavailable: 1, stable: [1, 1], canary: [0, 0], expStable: 1, expCanary: 0 },
  { name: 'Scale stableRS down to zero on >=50 weight without surge', replicas: 1, weight: 51, maxSurge: 0, maxUnavailable: 1, stable: [1, 1], canary: [0, 0], expStable: 0, expCanary: 0 },
  { name: 'Scale canaryRS to one on >=50 weight without surge and stable replicas', replicas: 1, weight: 51, maxSurge: 0, maxUnavailable: 1, stable: [0, 0], canary: [0, 0], expStable: 0, expCanary: 1 },
  { name: 'Scale up Stable before canaryRS', replicas: 10, weight: 30, maxSurge: 1, maxUnavailable: 0, stable: [1, 1], canary: [0, 0], older: [3, 3], expStable: 7, expCanary: 1 },
  { name: 'Scale down canaryRS and stable', replicas: 10, weight: 30, maxSurge: 0, maxUnavailable: 3, stable: [8, 5], canary: [4, 4], expStable: 7, expCanary: 3 },
  { name: 'Scale down stable and canary available', replicas: 10, weight: 100, maxSurge: 1, maxUnavailable: 0, stable: [10, 2], canary: [10, 8], expStable: 2, expCanary: 9 },
  { name: 'Do not scale down canaryRS or stable when older RS count >= scaleDownCount', replicas: 10, weight: 30, maxSurge: 0, maxUnavailable: 1, stable: [8, 6], canary: [4, 2], older: [3, 3], expStable: 8, expCanary: 4 },
  { name: 'Do not round past maxSurge with uneven setWeight divisor', replicas: 10, weight: 5, maxSurge: 0, maxUnavailable: 1, stable: [10, 10], canary: [0, 0], expStable: 9, expCanary: 0 },
  { name: 'Do not round past maxSurge with uneven setWeight divisor (part 2)', replicas: 10, weight: 5, maxSurge: 0, maxUnavailable: 1, stable: [9, 9], canary: [0, 0], expStable: 9, expCanary: 1 },
  { name: 'Use maxUnavailable of 1 when percentage of maxUnavailable and maxSurge result in 0 replicas', replicas: 10, weight: 10, maxSurge: '0%', maxUnavailable: '0%', stable: [10, 10], canary: [0, 0], expStable: 9, expCanary: 0 },
  { name: 'Ignore setCanaryScale when trafficRouting is missing and use setWeight for replicas', replicas: 10, weight: 20, maxSurge: '20%', maxUnavailable: 0, stable: [10, 10], canary: [0, 0], expStable: 10, expCanary: 2 },
  { name: 'honor maxSurge during scale up when stableRS unavailable', replicas: 4, weight: 100, maxSurge: 1, maxUnavailable: 0, stable: [4, 1], canary: [0, 0], expStable: 4, expCanary: 1 },
  { name: 'scale down to maxunavailable without exceeding maxSurge', replicas: 3, weight: 99, maxSurge: 0, maxUnavailable: 2, stable: [3, 3], canary: [0, 0], expStable: 1, expCanary: 0 },
  { name: 'scale down to maxunavailable without exceeding maxSurge (part 2)', replicas: 3, weight: 99, maxSurge: 0, maxUnavailable: 2, stable: [1, 1], canary: [0, 0], expStable: 1, expCanary: 2 },
  { name: 'honor maxUnavailable during scale down stableRS unavailable', replicas: 4, weight: 100, maxSurge: 1, maxUnavailable: 0, stable: [4, 1], canary: [1, 1], expStable: 3, expCanary: 1 },
  { name: 'honor maxUnavailable when aborting or reducing weight part 1', replicas: 4, weight: 0, maxSurge: 1, maxUnavailable: 0, stable: [0, 0], canary: [4, 4], expStable: 1, expCanary: 4 },
  { name: 'honor maxUnavailable when aborting or reducing weight part 2', replicas: 4, weight: 0, maxSurge: 1, maxUnavailable: 0, stable: [1, 0], canary: [4, 4], expStable: 1, expCanary: 4 },
  { name: 'honor maxUnavailable when aborting or reducing weight part 3', replicas: 4, weight: 0, maxSurge: 1, maxUnavailable: 0, stable: [1, 1], canary: [4, 4], expStable: 1, expCanary: 3 },
  { name: 'promote full does not consider weight', promoteFull: true, replicas: 4, weight: 1, maxSurge: 4, maxUnavailable: 4, stable: [4, 4], canary: [0, 0], expStable: 0, expCanary: 4 },
  { name: 'promote full still honors maxSurge/maxUnavailable', promoteFull: true, replicas: 4, weight: 1, maxSurge: 3, maxUnavailable: 0, stable: [4, 4], canary: [0, 0], expStable: 4, expCanary: 3 },
];

describe('CalculateReplicaCountsForBasicCanary (argo canary_test.go TestCalculateReplicaCountsForCanary)', () => {
  it.each(basic)('$name', (r) => {
    const f = canaryFenceposts(r.maxSurge, r.maxUnavailable, r.replicas);
    const [canary, stable] = calculateReplicaCountsForBasicCanary({
      replicas: r.replicas,
      weight: r.promoteFull ? 100 : r.weight, // GetCanaryReplicasOrWeight: PromoteFull → maxWeight
      maxSurge: f.maxSurge,
      maxUnavailable: f.maxUnavailable,
      newRS: { spec: r.canary[0], available: r.canary[1] },
      stableRS: { spec: r.stable[0], available: r.stable[1] },
      oldRSs: r.older ? [{ spec: r.older[0], available: r.older[1] }] : [],
    });
    expect({ canary, stable }).toEqual({ canary: r.expCanary, stable: r.expStable });
  });

  it('TestCalculateReplicaCountsForNewDeployment: stable = new RS → the new RS goes to 100 %', () => {
    // stableRS and newRS are the same ReplicaSet: CheckStableRSExists is false (stableRS undefined here)
    const f = canaryFenceposts(0, 1, 10);
    expect(calculateReplicaCountsForBasicCanary({ replicas: 10, weight: 10, ...f, newRS: { spec: 10, available: 0 }, stableRS: undefined, oldRSs: [] })).toEqual([10, 0]);
  });
});

// TestApproximateWeightedNewStableReplicaCounts: {replicas, weight, maxWeight 100, maxSurge, expCanary, expStable}
const approx: Array<[number, number, number, number, number]> = [
  [0, 0, 0, 0, 0], [0, 50, 0, 0, 0], [0, 100, 0, 0, 0], [0, 0, 1, 0, 0], [0, 50, 1, 0, 0], [0, 100, 1, 0, 0],
  [1, 0, 0, 0, 1], [1, 1, 0, 0, 1], [1, 49, 0, 0, 1], [1, 50, 0, 1, 0], [1, 99, 0, 1, 0], [1, 100, 0, 1, 0],
  [1, 0, 1, 0, 1], [1, 1, 1, 1, 1], [1, 49, 1, 1, 1], [1, 50, 1, 1, 1], [1, 99, 1, 1, 1], [1, 100, 1, 1, 0],
  [2, 0, 0, 0, 2], [2, 1, 0, 1, 1], [2, 50, 0, 1, 1], [2, 99, 0, 1, 1], [2, 100, 0, 2, 0],
  [2, 0, 1, 0, 2], [2, 1, 1, 1, 2], [2, 50, 1, 1, 1], [2, 99, 1, 2, 1], [2, 100, 1, 2, 0],
  [3, 10, 0, 1, 2], [3, 25, 0, 1, 2], [3, 33, 0, 1, 2], [3, 34, 0, 1, 2], [3, 49, 0, 1, 2], [3, 50, 0, 2, 1],
  [3, 10, 1, 1, 3], [3, 25, 1, 1, 3], [3, 33, 1, 1, 2], [3, 34, 1, 1, 2], [3, 49, 1, 2, 2], [3, 50, 1, 2, 2],
  [10, 0, 1, 0, 10], [10, 1, 0, 1, 9], [10, 14, 0, 1, 9], [10, 15, 0, 2, 8], [10, 16, 0, 2, 8], [10, 99, 0, 9, 1], [10, 100, 1, 10, 0],
  [10, 0, 1, 0, 10], [10, 1, 1, 1, 10], [10, 18, 1, 2, 9], [10, 19, 1, 2, 9], [10, 20, 1, 2, 8], [10, 23, 1, 2, 8], [10, 24, 1, 3, 8],
  [10, 25, 1, 3, 8], [10, 99, 1, 10, 1], [10, 100, 1, 10, 0],
];

describe('approximateWeightedCanaryStableReplicaCounts (argo canary_test.go TestApproximateWeightedNewStableReplicaCounts)', () => {
  it.each(approx)('replicas:%i weight:%i surge:%i → canary %i stable %i', (replicas, weight, surge, expCanary, expStable) => {
    expect(approximateWeightedCanaryStableReplicaCounts(replicas, weight, 100, surge)).toEqual([expCanary, expStable]);
  });

  it('the sheet (§8.2, argo docs): R=10 at 41 % → 4 canary / 6 stable', () => {
    expect(approximateWeightedCanaryStableReplicaCounts(10, 41, 100, 0)).toEqual([4, 6]);
  });
});

describe('CalculateReplicaCountsForTrafficRoutedCanary (argo canary_test.go)', () => {
  it('Honor MinPodsPerReplicaSet when using trafficRouting and starting canary: R=10, w=5, min 2 → canary 2, stable 10', () => {
    expect(calculateReplicaCountsForTrafficRoutedCanary({ replicas: 10, weight: 5, dynamicStableScale: false, minPodsPerReplicaSet: 2, abort: false })).toEqual([2, 10]);
  });
  it('For canary replicas, use setCanaryScale.replicas when specified along with trafficRouting (and ignore setWeight): 9 / 1', () => {
    expect(calculateReplicaCountsForTrafficRoutedCanary({ replicas: 1, weight: 100, canaryReplicas: 9, dynamicStableScale: false, abort: false })).toEqual([9, 1]);
  });
  it('Use setCanaryScale.weight for canary replicas when specified with trafficRouting (and ignore setWeight): R=4 weight 200 → 8 / 4', () => {
    expect(calculateReplicaCountsForTrafficRoutedCanary({ replicas: 4, weight: 200, dynamicStableScale: false, abort: false })).toEqual([8, 4]);
  });
  it('dynamicStableScale: stable = ceil(R·(100−w)), never below the routed stable weight', () => {
    expect(calculateReplicaCountsForTrafficRoutedCanary({ replicas: 10, weight: 30, dynamicStableScale: true, abort: false })).toEqual([3, 7]);
    expect(calculateReplicaCountsForTrafficRoutedCanary({ replicas: 10, weight: 30, dynamicStableScale: true, abort: false, routed: { canary: 10, stable: 90 } })).toEqual([3, 9]);
  });
});

describe('GetCurrentSetWeight', () => {
  const steps = [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: { duration: 10 } }];
  it('walks back to the last setWeight; 100 past the end; 0 when aborted', () => {
    expect([0, 1, 2, 3, 4].map((i) => getCurrentSetWeight(steps, i, false))).toEqual([20, 20, 50, 50, 100]);
    expect(getCurrentSetWeight(steps, 2, true)).toBe(0);
    expect(getCurrentSetWeight([{ pause: {} }], 0, false)).toBe(0);
  });
});
