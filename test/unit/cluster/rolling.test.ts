import { describe, expect, it } from 'vitest';
import {
  type RSSnapshot,
  cleanupUnhealthyReplicas,
  maxScaledDown,
  newRSNewReplicas,
  oldestFirst,
  planRollingPhase,
  reconcileOldReplicaSets,
  scaleDownOldReplicaSetsForRollingUpdate,
} from '../../../engine/cluster/controllers/deployment/rolling.js';
import {
  canonicalJSON,
  isScalingEvent,
  proportionalTargets,
  replicaSetFraction,
  roundHalfAwayFromZero,
  templateHash,
  templatesEqual,
} from '../../../engine/cluster/controllers/deployment/sync.js';
import { calculateStatus, hasProgressed, hasTimedOut, statusComplete } from '../../../engine/cluster/controllers/deployment/progress.js';
import type { Deployment, DeploymentStatus, PodTemplateSpec, ReplicaSet } from '../../../engine/cluster/objects.js';
import { deploymentManifest } from '../../support/fake-kubelet.js';

const rs = (name: string, spec: number, available: number, createdAt: number): RSSnapshot => ({ name, spec, available, createdAt });

describe('§1.3 step 1 NewRSNewReplicas', () => {
  it.each([
    // D, surge, new spec, Σ spec (all RSs), → new spec
    [10, 3, 0, 10, 3], // Example A: 10 < 13 → min(3, 10)
    [10, 3, 3, 11, 5], // 11 < 13 → += 2
    [10, 3, 5, 13, 5], // 13 ≥ 13 → nothing
    [10, 3, 5, 8, 10], // 8 < 13 → += min(5, 5)
    [3, 1, 0, 3, 1], // Example B
    [4, 0, 0, 4, 0], // Example C: 4 ≥ 4 → nothing
    [4, 0, 0, 3, 1],
    [10, 3, 10, 12, 10], // already D
    [5, 2, 8, 8, 5], // above D → down to D
    [10, 25, 0, 10, 10], // room for everything: capped at D − new
    [0, 0, 0, 0, 0],
  ])('D=%i surge=%i new=%i Σspec=%i → %i', (D, surge, newSpec, all, expected) => {
    expect(newRSNewReplicas(D, surge, newSpec, all)).toBe(expected);
  });
});

describe('§1.3 step 2', () => {
  it.each([
    // Σspec, minAvailable, new spec, new available → maxScaledDown
    [13, 8, 3, 0, 2],
    [13, 8, 5, 0, 0],
    [13, 8, 5, 5, 5],
    [13, 8, 10, 5, 0],
    [4, 3, 1, 0, 0],
    [4, 3, 0, 0, 1],
    [13, 8, 5, 0, 0], // the crashloop comment: 13 − 8 − 5 = 0 → never scaled further
  ])('maxScaledDown(Σspec %i, minAvail %i, new %i/%i avail) = %i', (all, minAvail, newSpec, newAvail, expected) => {
    expect(maxScaledDown(all, minAvail, newSpec, newAvail)).toBe(expected);
  });

  it('sorts old RSs oldest first, ties by name', () => {
    expect(oldestFirst([rs('c', 1, 1, 5), rs('b', 1, 1, 1), rs('a', 1, 1, 5)]).map((r) => r.name)).toEqual(['b', 'a', 'c']);
  });

  it('cleanupUnhealthyReplicas removes unhealthy replicas oldest first, capped in total', () => {
    const olds = [rs('newer', 5, 2, 20), rs('oldest', 4, 1, 10), rs('healthy', 3, 3, 5)];
    expect(cleanupUnhealthyReplicas(olds, 10)).toEqual({
      oldRSs: [rs('healthy', 3, 3, 5), rs('oldest', 1, 1, 10), rs('newer', 2, 2, 20)],
      scaledDown: 6,
    });
    expect(cleanupUnhealthyReplicas(olds, 4)).toEqual({
      oldRSs: [rs('healthy', 3, 3, 5), rs('oldest', 1, 1, 10), rs('newer', 4, 2, 20)],
      scaledDown: 4,
    });
    expect(cleanupUnhealthyReplicas([rs('zero', 0, 0, 1)], 3).scaledDown).toBe(0);
  });

  it('scaleDownOldReplicaSetsForRollingUpdate removes available − minAvailable, oldest first, each to 0 at most', () => {
    const olds = [rs('o2', 4, 4, 2), rs('o1', 3, 3, 1)];
    const all = [...olds, rs('new', 5, 5, 3)]; // available 12
    const r = scaleDownOldReplicaSetsForRollingUpdate(all, olds, 8);
    expect(r.scaledDown).toBe(4);
    expect(r.oldRSs).toEqual([rs('o1', 0, 3, 1), rs('o2', 3, 4, 2)]);
    expect(scaleDownOldReplicaSetsForRollingUpdate(all, olds, 12).scaledDown).toBe(0);
    expect(scaleDownOldReplicaSetsForRollingUpdate(all, olds, 0).scaledDown).toBe(7);
  });

  it('reconcileOldReplicaSets: cleanup and scale-down of one RS are two scalings in one sync, as upstream records them (10→9, then 9→8)', () => {
    // D=10, maxUnavailable=2: minAvailable 8; old has 1 unhealthy pod; budget 10 − 8 − 0 = 2.
    // cleanupUnhealthyReplicas scales old 10→9 (one ScalingReplicaSet event), then
    // scaleDownOldReplicaSetsForRollingUpdate removes available − minAvailable = 9 − 8 = 1: 9→8 (a second event).
    const plan = reconcileOldReplicaSets(rs('new', 0, 0, 2), [rs('old', 10, 9, 1)], 10, 2);
    expect(plan.steps).toEqual([
      { name: 'old', from: 10, to: 9 },
      { name: 'old', from: 9, to: 8 },
    ]);
    expect(plan.targets).toEqual(new Map([['old', 8]]));
    expect(plan.scaledDown).toBe(2);
  });

  it('reconcileOldReplicaSets: the budget gates entry, cleanup takes unhealthy pods, step b is bounded by available − minAvailable', () => {
    // D=10, unavailable 2. New 5 (0 available), old 8 all available: 13 − 8 − 5 = 0 → nothing.
    expect(reconcileOldReplicaSets(rs('new', 5, 0, 2), [rs('old', 8, 8, 1)], 10, 2).scaledDown).toBe(0);
    // New 5 all available: budget 5; available 13 − 8 → old −5.
    expect(reconcileOldReplicaSets(rs('new', 5, 5, 2), [rs('old', 8, 8, 1)], 10, 2).targets).toEqual(new Map([['old', 3]]));
    // Old RS with 3 unhealthy replicas, new fully available: budget 13 − 8 − 0 = 5; cleanup takes 3 unhealthy,
    // then available (5 + 5 = 10) − 8 = 2 more → old 8 → 3.
    const r = reconcileOldReplicaSets(rs('new', 5, 5, 2), [rs('old', 8, 5, 1)], 10, 2);
    expect(r).toEqual({ targets: new Map([['old', 3]]), scaledDown: 5, steps: [{ name: 'old', from: 8, to: 5 }, { name: 'old', from: 5, to: 3 }] });
    // Unhealthy replicas go even when nothing available can: available 5+0=5 ≤ 8, budget 13 − 8 − 0 = 5 → cleanup 3.
    expect(reconcileOldReplicaSets(rs('new', 5, 5, 2), [rs('old', 8, 0, 1)], 10, 2)).toEqual({ targets: new Map([['old', 3]]), scaledDown: 5, steps: [{ name: 'old', from: 8, to: 3 }] });
    // Budget caps cleanup: new 5 with 3 available → budget 13 − 8 − 2 = 3; old has 6 unhealthy.
    expect(reconcileOldReplicaSets(rs('new', 5, 3, 2), [rs('old', 8, 2, 1)], 10, 2)).toEqual({ targets: new Map([['old', 5]]), scaledDown: 3, steps: [{ name: 'old', from: 8, to: 5 }] });
    // Old RSs at 0 take no part.
    expect(reconcileOldReplicaSets(rs('new', 10, 10, 2), [rs('old', 0, 0, 1)], 10, 2).scaledDown).toBe(0);
  });

  it('two old RSs (rollover): the oldest loses pods first', () => {
    const plan = reconcileOldReplicaSets(rs('v3', 2, 2, 30), [rs('v2', 2, 2, 20), rs('v1', 3, 3, 10)], 4, 1);
    // Σspec 7, minAvailable 3, newUnavailable 0 → budget 4; available 7 − 3 = 4 → v1 3 → 0, v2 2 → 1
    expect(plan.targets).toEqual(new Map([['v1', 0], ['v2', 1]]));
  });
});

describe('planRollingPhase: one phase per sync (§1.3)', () => {
  it('replays Example A', () => {
    const step = (n: RSSnapshot, o: RSSnapshot) => planRollingPhase(n, [o], 10, 3, 2);
    expect(step(rs('new', 3, 0, 2), rs('old', 10, 10, 1))).toEqual({ kind: 'scaleDownOld', targets: new Map([['old', 8]]), steps: [{ name: 'old', from: 10, to: 8 }] });
    expect(step(rs('new', 3, 0, 2), rs('old', 8, 8, 1))).toEqual({ kind: 'scaleUpNew', to: 5 });
    expect(step(rs('new', 5, 0, 2), rs('old', 8, 8, 1))).toEqual({ kind: 'none' });
    expect(step(rs('new', 5, 5, 2), rs('old', 8, 8, 1))).toEqual({ kind: 'scaleDownOld', targets: new Map([['old', 3]]), steps: [{ name: 'old', from: 8, to: 3 }] });
    expect(step(rs('new', 5, 5, 2), rs('old', 3, 3, 1))).toEqual({ kind: 'scaleUpNew', to: 10 });
    expect(step(rs('new', 10, 5, 2), rs('old', 3, 3, 1))).toEqual({ kind: 'none' });
    expect(step(rs('new', 10, 10, 2), rs('old', 3, 3, 1))).toEqual({ kind: 'scaleDownOld', targets: new Map([['old', 0]]), steps: [{ name: 'old', from: 3, to: 0 }] });
    expect(step(rs('new', 10, 10, 2), rs('old', 0, 0, 1))).toEqual({ kind: 'none' });
  });

  it('scales a new RS above D back down first', () => {
    expect(planRollingPhase(rs('new', 12, 12, 2), [rs('old', 0, 0, 1)], 10, 3, 2)).toEqual({ kind: 'scaleDownNew', to: 10 });
  });
});

describe('§1.10 proportional scaling', () => {
  const p = (name: string, spec: number, createdAt: number, max?: number) => ({ name, spec, createdAt, maxReplicasAnnotation: max });

  it('rounds half away from zero', () => {
    expect([2.5, -2.5, 0.5, -0.5, 1.49, -1.5].map(roundHalfAwayFromZero)).toEqual([3, -3, 1, -1, 1, -2]);
  });

  it('the docs example: D 10 → 15, surge 3: old 8 → 11, new 5 → 7', () => {
    const targets = proportionalTargets([p('old', 8, 1, 13), p('new', 5, 2, 13)], 15, 3, 13);
    expect(targets).toEqual(new Map([['old', 11], ['new', 7]]));
  });

  it('scale-down: 15 → 10 takes from both, rounding each share', () => {
    const targets = proportionalTargets([p('old', 11, 1, 18), p('new', 7, 2, 18)], 10, 3, 18);
    expect(targets).toEqual(new Map([['old', 8], ['new', 5]]));
  });

  it('ties: scale-up gives to the newer first, scale-down takes from the older first; leftovers go to the first', () => {
    // 2 + 2 → D 5 surge 0 from max 4: fractions round(2·5/4)=3 (+1) each, but only 1 to add → the newer gets it.
    expect(proportionalTargets([p('a', 2, 1, 4), p('b', 2, 2, 4)], 5, 0, 4)).toEqual(new Map([['b', 3], ['a', 2]]));
    // 2 + 2 → D 3 from 4: toAdd −1 → the older loses it.
    expect(proportionalTargets([p('a', 2, 1, 4), p('b', 2, 2, 4)], 3, 0, 4)).toEqual(new Map([['a', 1], ['b', 2]]));
    // every fraction rounds to 0 (round(2·7/6) = 2) → the leftover goes to the first in order (the newest)
    expect(proportionalTargets([p('a', 2, 1, 6), p('b', 2, 2, 6), p('c', 2, 3, 6)], 7, 0, 6)).toEqual(new Map([['c', 3], ['b', 2], ['a', 2]]));
    // a stale, too-large annotation gives negative fractions even when adding; the leftover fixes the total
    expect(proportionalTargets([p('a', 6, 1, 100), p('b', 1, 2, 100)], 9, 0, 100)).toEqual(new Map([['a', 9], ['b', 0]]));
  });

  it('falls back to status.replicas without the max-replicas annotation; D = 0 empties every RS', () => {
    expect(replicaSetFraction(p('a', 4, 1), 12, 0, 8)).toBe(2);
    expect(replicaSetFraction(p('a', 4, 1, 10), 0, 0, 8)).toBe(-4);
    expect(proportionalTargets([p('a', 4, 1, 5), p('b', 1, 2, 5)], 0, 0, 5)).toEqual(new Map([['a', 0], ['b', 0]]));
  });
});

describe('template hash and identity (§1.7, §1.8)', () => {
  const template = (image: string): PodTemplateSpec => ({
    metadata: { labels: { app: 'web' } },
    spec: { containers: [{ name: 'app', image }], restartPolicy: 'Always', terminationGracePeriodSeconds: 30 },
  });

  it('is deterministic, ignores key order and the hash label, and differs between templates', () => {
    const a = template('v1');
    const b: PodTemplateSpec = { spec: a.spec, metadata: { labels: { 'pod-template-hash': 'zzz', app: 'web' } } };
    expect(templateHash(a)).toBe(templateHash(b));
    expect(templatesEqual(a, b)).toBe(true);
    expect(templateHash(a)).not.toBe(templateHash(template('v2')));
    expect(templateHash(a)).not.toBe(templateHash(a, 1));
    expect(templateHash(a)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    expect(canonicalJSON({ b: 1, a: [1, { d: 2, c: undefined }] })).toBe('{"a":[1,{"d":2}],"b":1}');
  });
});

describe('§1.2 scaling event and §1.4/§1.6 status', () => {
  const d = deploymentManifest('web', { replicas: 10 }) as unknown as Deployment;
  d.metadata.generation = 2;
  const mkRS = (spec: number, desired: string | undefined, status: Partial<ReplicaSet['status']> = {}): ReplicaSet =>
    ({
      metadata: { name: 'x', annotations: desired === undefined ? {} : { 'deployment.kubernetes.io/desired-replicas': desired } },
      spec: { replicas: spec },
      status: { replicas: 0, readyReplicas: 0, availableReplicas: 0, ...status },
    }) as unknown as ReplicaSet;

  it('a scaling event is an active RS whose desired-replicas annotation differs from D', () => {
    expect(isScalingEvent(d, [mkRS(3, '10'), mkRS(0, '7')])).toBe(false);
    expect(isScalingEvent(d, [mkRS(3, '10'), mkRS(2, '7')])).toBe(true);
    expect(isScalingEvent(d, [mkRS(3, undefined)])).toBe(false);
  });

  it('sums RS statuses; unavailable = max(0, Σspec − available); Available iff available ≥ D − maxUnavailable', () => {
    const newRS = mkRS(5, '10', { replicas: 5, readyReplicas: 4, availableReplicas: 3 });
    const oldRS = mkRS(5, '10', { replicas: 6, readyReplicas: 5, availableReplicas: 5 });
    const s = calculateStatus(d, [oldRS, newRS], newRS, 50);
    expect(s).toMatchObject({ observedGeneration: 2, replicas: 11, updatedReplicas: 5, readyReplicas: 9, availableReplicas: 8, unavailableReplicas: 2 });
    expect(s.conditions).toEqual([
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastTransitionTime: 50, lastUpdateTime: 50 },
    ]);
    const low = calculateStatus(d, [mkRS(10, '10', { availableReplicas: 7 })], undefined, 60);
    expect(low.conditions[0]).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    expect(statusComplete(d, s)).toBe(false);
    expect(statusComplete(d, { ...s, replicas: 10, updatedReplicas: 10, availableReplicas: 10 })).toBe(true);
    expect(statusComplete(d, { ...s, replicas: 10, updatedReplicas: 10, availableReplicas: 10, observedGeneration: 1 })).toBe(false);
  });

  it('progress = updated ↑, old ↓, ready ↑ or available ↑; timeout strictly after lastUpdateTime + deadline', () => {
    const base: DeploymentStatus = { observedGeneration: 1, replicas: 10, updatedReplicas: 3, readyReplicas: 8, availableReplicas: 8, unavailableReplicas: 2, conditions: [] };
    expect(hasProgressed(base, { ...base })).toBe(false);
    expect(hasProgressed(base, { ...base, updatedReplicas: 4, replicas: 11 })).toBe(true);
    expect(hasProgressed(base, { ...base, replicas: 9 })).toBe(true);
    expect(hasProgressed(base, { ...base, readyReplicas: 9 })).toBe(true);
    expect(hasProgressed(base, { ...base, availableReplicas: 9 })).toBe(true);
    expect(hasProgressed(base, { ...base, availableReplicas: 7, readyReplicas: 7 })).toBe(false);
    const withCond = (reason: string): DeploymentStatus => ({ ...base, conditions: [{ type: 'Progressing', status: 'True', reason, lastUpdateTime: 100 }] });
    expect(hasTimedOut(d, withCond('ReplicaSetUpdated'), 700)).toBe(false);
    expect(hasTimedOut(d, withCond('ReplicaSetUpdated'), 700.5)).toBe(true);
    expect(hasTimedOut(d, withCond('NewReplicaSetAvailable'), 10_000)).toBe(false);
    expect(hasTimedOut(d, { ...base }, 10_000)).toBe(false);
  });
});
