import type { ClusterContext } from '../../context.js';
import type { Condition, Deployment, DeploymentStatus, ReplicaSet } from '../../objects.js';
import { getCondition } from '../../objects.js';
import { maxUnavailableOf } from './fenceposts.js';

/**
 * Deployment status and conditions (kubernetes-semantics.md §1.4 status, §1.6 Progressing/Available
 * and progressDeadlineSeconds, §1.9 paused conditions).
 */

export const PROGRESSING = 'Progressing';
export const AVAILABLE = 'Available';

/**
 * Sets a Deployment condition the way SetDeploymentCondition does: nothing changes when status and
 * reason are the same (times kept); otherwise lastUpdateTime = now and lastTransitionTime = now only
 * when the status flips. Returns true on change.
 */
export function setDeploymentCondition(conditions: Condition[], next: Omit<Condition, 'lastTransitionTime' | 'lastUpdateTime'>, now: number): boolean {
  const cur = getCondition(conditions, next.type);
  if (cur === undefined) {
    conditions.push({ ...next, lastTransitionTime: now, lastUpdateTime: now });
    return true;
  }
  if (cur.status === next.status && cur.reason === next.reason) return false;
  const lastTransitionTime = cur.status === next.status ? cur.lastTransitionTime : now;
  Object.assign(cur, next, { lastTransitionTime, lastUpdateTime: now });
  return true;
}

/** §1.4 calculateStatus: sums over the ReplicaSets, plus the Available condition. */
export function calculateStatus(d: Deployment, rss: readonly ReplicaSet[], newRS: ReplicaSet | undefined, now: number): DeploymentStatus {
  let replicas = 0, ready = 0, available = 0, spec = 0;
  for (const rs of rss) {
    replicas += rs.status.replicas;
    ready += rs.status.readyReplicas;
    available += rs.status.availableReplicas;
    spec += rs.spec.replicas;
  }
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas,
    updatedReplicas: newRS?.status.replicas ?? 0,
    readyReplicas: ready,
    availableReplicas: available,
    unavailableReplicas: Math.max(0, spec - available), // §1.4: max(0, Σspec − available)
    conditions: structuredClone(d.status.conditions),
  };
  // §1.4 Available iff availableReplicas ≥ D − maxUnavailable
  if (available >= d.spec.replicas - maxUnavailableOf(d)) {
    setDeploymentCondition(status.conditions, { type: AVAILABLE, status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }, now);
  } else {
    setDeploymentCondition(status.conditions, { type: AVAILABLE, status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, now);
  }
  return status;
}

/** §1.4 DeploymentComplete: updated == replicas == available == D and the generation observed. */
export function statusComplete(d: Deployment, status: DeploymentStatus): boolean {
  const D = d.spec.replicas;
  return (
    status.updatedReplicas === D &&
    status.replicas === D &&
    status.availableReplicas === D &&
    status.observedGeneration >= d.metadata.generation
  );
}

/** Completeness judged from the ReplicaSets as they are now (this sync observes the generation). */
export function isDeploymentComplete(d: Deployment, rss: readonly ReplicaSet[], newRS: ReplicaSet | undefined): boolean {
  return statusComplete(d, calculateStatus(d, rss, newRS, 0));
}

/** §1.6 DeploymentProgressing: updated ↑, old (replicas − updated) ↓, ready ↑ or available ↑. */
export function hasProgressed(prev: DeploymentStatus, next: DeploymentStatus): boolean {
  const oldBefore = prev.replicas - prev.updatedReplicas;
  const oldNow = next.replicas - next.updatedReplicas;
  return (
    next.updatedReplicas > prev.updatedReplicas ||
    oldNow < oldBefore ||
    next.readyReplicas > prev.readyReplicas ||
    next.availableReplicas > prev.availableReplicas
  );
}

/**
 * §1.6 DeploymentTimedOut: Progressing's lastUpdateTime + progressDeadlineSeconds < now. A complete
 * rollout (NewReplicaSetAvailable) never times out; ProgressDeadlineExceeded is sticky.
 */
export function hasTimedOut(d: Deployment, status: DeploymentStatus, now: number): boolean {
  const cond = getCondition(status.conditions, PROGRESSING);
  if (cond === undefined || cond.reason === 'NewReplicaSetAvailable') return false;
  if (cond.reason === 'ProgressDeadlineExceeded') return true;
  const from = cond.lastUpdateTime ?? cond.lastTransitionTime ?? now;
  return from + d.spec.progressDeadlineSeconds < now;
}

/** Result of syncRolloutStatus: the status to store, and when to look again (absolute time) if stuck. */
export interface RolloutStatus {
  status: DeploymentStatus;
  requeueAt: number | undefined;
  /** True when this sync turned Progressing to ProgressDeadlineExceeded. */
  timedOutNow: boolean;
}

/**
 * §1.6 syncRolloutStatus. Not evaluated while paused. Complete → Progressing True
 * NewReplicaSetAvailable; progress → True ReplicaSetUpdated with lastUpdateTime refreshed; past the
 * deadline → False ProgressDeadlineExceeded (no other action: no auto-rollback).
 *
 * Requeue: at lastUpdateTime + progressDeadlineSeconds + 1 s (§1.6 "(deadline − now) + 1 s"). Kubernetes
 * re-queues at once, rate-limited, when less than a second remains; here the check simply lands at
 * deadline + 1 s, which is the same instant the rate-limited retries would first succeed.
 */
export function syncRolloutStatus(d: Deployment, rss: readonly ReplicaSet[], newRS: ReplicaSet | undefined, now: number): RolloutStatus {
  const status = calculateStatus(d, rss, newRS, now);
  if (d.spec.paused) return { status, requeueAt: undefined, timedOutNow: false };
  const conds = status.conditions;
  const rsName = newRS?.metadata.name;
  let timedOutNow = false;
  if (statusComplete(d, status)) {
    setDeploymentCondition(conds, { type: PROGRESSING, status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }, now);
  } else if (hasProgressed(d.status, status)) {
    const cur = getCondition(conds, PROGRESSING);
    const message = rsName !== undefined ? `ReplicaSet "${rsName}" is progressing.` : 'Deployment is progressing.';
    const lastTransitionTime = cur?.status === 'True' ? cur.lastTransitionTime : now;
    const next: Condition = { type: PROGRESSING, status: 'True', reason: 'ReplicaSetUpdated', message, lastTransitionTime, lastUpdateTime: now };
    if (cur === undefined) conds.push(next);
    else Object.assign(cur, next); // progress always refreshes lastUpdateTime (resets the deadline clock)
  } else if (hasTimedOut(d, status, now)) {
    const message = rsName !== undefined ? `ReplicaSet "${rsName}" has timed out progressing.` : 'Deployment has timed out progressing.';
    timedOutNow = setDeploymentCondition(conds, { type: PROGRESSING, status: 'False', reason: 'ProgressDeadlineExceeded', message }, now);
  }
  return { status, requeueAt: stuckRequeueAt(d, status), timedOutNow };
}

/** §1.6 requeueStuckDeployment: when a rollout in progress should be checked against its deadline. */
export function stuckRequeueAt(d: Deployment, status: DeploymentStatus): number | undefined {
  const cond = getCondition(status.conditions, PROGRESSING);
  if (cond === undefined || statusComplete(d, status) || cond.reason === 'ProgressDeadlineExceeded') return undefined;
  const from = cond.lastUpdateTime ?? cond.lastTransitionTime;
  if (from === undefined) return undefined;
  return from + d.spec.progressDeadlineSeconds + 1;
}

/**
 * §1.6/§1.9 checkPausedConditions: pausing sets Progressing=Unknown DeploymentPaused, resuming Unknown
 * DeploymentResumed (both refresh lastUpdateTime, so paused time never counts toward the deadline).
 * A timed-out condition is left alone. Mutates d.status.conditions; returns the reason set, if any.
 */
export function checkPausedConditions(ctx: ClusterContext, d: Deployment): 'DeploymentPaused' | 'DeploymentResumed' | undefined {
  const cond = getCondition(d.status.conditions, PROGRESSING);
  if (cond?.reason === 'ProgressDeadlineExceeded') return undefined;
  const pausedCondExists = cond?.reason === 'DeploymentPaused';
  const now = ctx.sim.now;
  if (d.spec.paused && !pausedCondExists) {
    setDeploymentCondition(d.status.conditions, { type: PROGRESSING, status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }, now);
    return 'DeploymentPaused';
  }
  if (!d.spec.paused && pausedCondExists) {
    setDeploymentCondition(d.status.conditions, { type: PROGRESSING, status: 'Unknown', reason: 'DeploymentResumed', message: 'Deployment is resumed' }, now);
    return 'DeploymentResumed';
  }
  return undefined;
}
