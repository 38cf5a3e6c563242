import type { ReplicaSet } from '../../objects.js';
import { maxSurgeOf, maxUnavailableOf } from './fenceposts.js';
import {
  type DeploymentSync,
  cleanupDeployment,
  getAllReplicaSetsAndSyncRevision,
  scaleReplicaSet,
} from './sync.js';
import { isDeploymentComplete } from './progress.js';

/**
 * RollingUpdate (kubernetes-semantics.md §1.3). The arithmetic is in pure functions over plain
 * snapshots so tables can test it; `rolloutRolling` applies one phase of it per sync.
 */

/** What the rolling arithmetic needs to know about a ReplicaSet. */
export interface RSSnapshot {
  name: string;
  /** spec.replicas */
  spec: number;
  /** status.availableReplicas */
  available: number;
  /** metadata.creationTimestamp */
  createdAt: number;
}

/** Old ReplicaSets oldest first (creation time, then name: ReplicaSetsByCreationTimestamp). */
export function oldestFirst<T extends { name: string; createdAt: number }>(rss: readonly T[]): T[] {
  return [...rss].sort((a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const sumSpec = (rss: readonly RSSnapshot[]): number => rss.reduce((n, r) => n + r.spec, 0);
const sumAvailable = (rss: readonly RSSnapshot[]): number => rss.reduce((n, r) => n + r.available, 0);

/**
 * §1.3 step 1, NewRSNewReplicas for RollingUpdate: the new RS's next size.
 * `allSpec` is Σ spec.replicas over ALL ReplicaSets (new + old) — spec counts, not pods.
 */
export function newRSNewReplicas(replicas: number, maxSurge: number, newSpec: number, allSpec: number): number {
  if (newSpec === replicas) return newSpec;
  if (newSpec > replicas) return replicas; // scale down to D
  const maxTotal = replicas + maxSurge;
  if (allSpec >= maxTotal) return newSpec; // no room to surge
  return newSpec + Math.min(maxTotal - allSpec, replicas - newSpec);
}

/** §1.3 step 2: maxScaledDown = allPods − minAvailable − newUnavailable (spec counts; new RS's status). */
export function maxScaledDown(allSpec: number, minAvailable: number, newSpec: number, newAvailable: number): number {
  const newUnavailable = newSpec - newAvailable;
  return allSpec - minAvailable - newUnavailable;
}

/** Result of a scale-down phase: target sizes of the RSs it changes, and how many replicas it removed. */
export interface ScaleDownPlan {
  targets: Map<string, number>;
  scaledDown: number;
  /**
   * The scalings in the order upstream performs them, one API update and one ScalingReplicaSet event
   * each: first every RS cleanupUnhealthyReplicas shrinks, then every RS
   * scaleDownOldReplicaSetsForRollingUpdate shrinks — so one RS may be scaled twice in one sync
   * (10→9, then 9→8), as `kubectl describe deployment` shows.
   */
  steps: Array<{ name: string; from: number; to: number }>;
}

/**
 * §1.3 step 2a, cleanupUnhealthyReplicas: oldest RS first, remove up to (spec − available) unhealthy
 * replicas from each, at most `maxCleanup` in total. Returns the old RSs with their new specs.
 */
export function cleanupUnhealthyReplicas(
  oldRSs: readonly RSSnapshot[],
  maxCleanup: number,
): { oldRSs: RSSnapshot[]; scaledDown: number } {
  let total = 0;
  const out: RSSnapshot[] = [];
  for (const rs of oldestFirst(oldRSs)) {
    if (total >= maxCleanup || rs.spec === 0 || rs.spec <= rs.available) {
      out.push(rs);
      continue;
    }
    const n = Math.min(maxCleanup - total, rs.spec - rs.available);
    total += n;
    out.push({ ...rs, spec: rs.spec - n });
  }
  return { oldRSs: out, scaledDown: total };
}

/**
 * §1.3 step 2b, scaleDownOldReplicaSetsForRollingUpdate: with available = Σ status.availableReplicas of
 * ALL RSs, remove (available − minAvailable) replicas from old RSs, oldest first, each down to 0 at most.
 * Bounded by available − minAvailable, not by maxScaledDown (which only gates entry).
 */
export function scaleDownOldReplicaSetsForRollingUpdate(
  allRSs: readonly RSSnapshot[],
  oldRSs: readonly RSSnapshot[],
  minAvailable: number,
): { oldRSs: RSSnapshot[]; scaledDown: number } {
  const available = sumAvailable(allRSs);
  if (available <= minAvailable) return { oldRSs: [...oldRSs], scaledDown: 0 };
  const toRemove = available - minAvailable;
  let total = 0;
  const out: RSSnapshot[] = [];
  for (const rs of oldestFirst(oldRSs)) {
    if (total >= toRemove || rs.spec === 0) {
      out.push(rs);
      continue;
    }
    const n = Math.min(rs.spec, toRemove - total);
    total += n;
    out.push({ ...rs, spec: rs.spec - n });
  }
  return { oldRSs: out, scaledDown: total };
}

/**
 * §1.3 step 2 as a whole (reconcileOldReplicaSets): the new sizes of old RSs, or none when
 * maxScaledDown ≤ 0 or nothing can go. Only old RSs with spec > 0 take part.
 */
export function reconcileOldReplicaSets(
  newRS: RSSnapshot | undefined,
  oldRSs: readonly RSSnapshot[],
  replicas: number,
  maxUnavailable: number,
): ScaleDownPlan {
  const none: ScaleDownPlan = { targets: new Map(), scaledDown: 0, steps: [] };
  const active = oldRSs.filter((r) => r.spec > 0);
  if (active.length === 0) return none;
  const newSpec = newRS?.spec ?? 0;
  const allSpec = sumSpec(active) + newSpec;
  const minAvailable = replicas - maxUnavailable;
  const budget = maxScaledDown(allSpec, minAvailable, newSpec, newRS?.available ?? 0);
  if (budget <= 0) return none;

  const cleaned = cleanupUnhealthyReplicas(active, budget);
  const all = newRS === undefined ? cleaned.oldRSs : [...cleaned.oldRSs, newRS];
  const down = scaleDownOldReplicaSetsForRollingUpdate(all, cleaned.oldRSs, minAvailable);

  const targets = new Map<string, number>();
  const before = new Map(active.map((r) => [r.name, r.spec]));
  for (const rs of down.oldRSs) if (before.get(rs.name) !== rs.spec) targets.set(rs.name, rs.spec);
  const steps: ScaleDownPlan['steps'] = [];
  const afterCleanup = new Map(cleaned.oldRSs.map((r) => [r.name, r.spec]));
  for (const rs of oldestFirst(active)) {
    const to = afterCleanup.get(rs.name)!;
    if (to !== rs.spec) steps.push({ name: rs.name, from: rs.spec, to });
  }
  for (const rs of oldestFirst(cleaned.oldRSs)) {
    const to = down.oldRSs.find((r) => r.name === rs.name)!.spec;
    if (to !== rs.spec) steps.push({ name: rs.name, from: rs.spec, to });
  }
  return { targets, scaledDown: cleaned.scaledDown + down.scaledDown, steps };
}

/** One phase of a rolling sync, decided purely (§1.3). */
export type RollingPhase =
  | { kind: 'scaleUpNew'; to: number }
  | { kind: 'scaleDownNew'; to: number }
  | { kind: 'scaleDownOld'; targets: Map<string, number>; steps: ScaleDownPlan['steps'] }
  | { kind: 'none' };

/** §1.3 steps 1–2: which single phase this sync performs. */
export function planRollingPhase(
  newRS: RSSnapshot,
  oldRSs: readonly RSSnapshot[],
  replicas: number,
  maxSurge: number,
  maxUnavailable: number,
): RollingPhase {
  const allSpec = newRS.spec + sumSpec(oldRSs);
  const to = newRSNewReplicas(replicas, maxSurge, newRS.spec, allSpec);
  if (to !== newRS.spec) return { kind: to > newRS.spec ? 'scaleUpNew' : 'scaleDownNew', to };
  const plan = reconcileOldReplicaSets(newRS, oldRSs, replicas, maxUnavailable);
  if (plan.scaledDown > 0) return { kind: 'scaleDownOld', targets: plan.targets, steps: plan.steps };
  return { kind: 'none' };
}

export function snapshotOf(rs: ReplicaSet): RSSnapshot {
  return {
    name: rs.metadata.name,
    spec: rs.spec.replicas,
    available: rs.status.availableReplicas,
    createdAt: rs.metadata.creationTimestamp,
  };
}

/**
 * rolloutRolling (§1.3): at most one mutating move — create/adopt the new RS, or scale the new RS
 * up/down, or scale old RSs down — then return; the resulting RS events re-trigger the controller.
 * Returns true when it changed something. When nothing moved and the rollout is complete, old
 * ReplicaSets beyond revisionHistoryLimit are cleaned up (§1.7).
 */
export function rolloutRolling(s: DeploymentSync): boolean {
  const found = getAllReplicaSetsAndSyncRevision(s, true);
  if (found.moved || found.newRS === undefined) return found.moved;
  const d = s.d;
  const newRS = found.newRS;
  const phase = planRollingPhase(
    snapshotOf(newRS),
    s.oldRSs.map(snapshotOf),
    d.spec.replicas,
    maxSurgeOf(d),
    maxUnavailableOf(d),
  );
  switch (phase.kind) {
    case 'scaleUpNew':
    case 'scaleDownNew':
      return scaleReplicaSet(s.ctx, d, newRS, phase.to);
    case 'scaleDownOld': {
      // upstream's order: cleanup scalings, then the rolling scale-down (an RS may appear twice)
      let moved = false;
      for (const step of phase.steps) {
        const rs = s.oldRSs.find((r) => r.metadata.name === step.name);
        if (rs !== undefined) moved = scaleReplicaSet(s.ctx, d, rs, step.to) || moved;
      }
      return moved;
    }
    case 'none':
      if (isDeploymentComplete(d, s.rss, newRS)) return cleanupDeployment(s);
      return false;
  }
}
