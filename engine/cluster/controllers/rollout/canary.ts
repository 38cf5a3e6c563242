import type { IntOrString } from '../../objects.js';
import { resolveFenceposts } from '../deployment/fenceposts.js';
import type { CanaryStep } from './types.js';

/**
 * The canary arithmetic of Argo Rollouts (kubernetes-semantics.md §8.2; argo
 * `utils/replicaset/canary.go`), as pure functions over plain snapshots so the upstream tables can test
 * them. Upstream names are kept.
 */

/** What the canary arithmetic knows of a ReplicaSet. */
export interface CanaryRS {
  /** spec.replicas */
  spec: number;
  /** status.availableReplicas */
  available: number;
}

export const MAX_TRAFFIC_WEIGHT = 100;

/** §8.2 fenceposts: the Deployment rules (surge ceil, unavailable floor, both-zero → 1); unavailable clamped to R. */
export function canaryFenceposts(maxSurge: IntOrString, maxUnavailable: IntOrString, replicas: number): { maxSurge: number; maxUnavailable: number } {
  const f = resolveFenceposts(maxSurge, maxUnavailable, replicas);
  return { maxSurge: f.maxSurge, maxUnavailable: replicas === 0 ? 0 : Math.min(f.maxUnavailable, replicas) };
}

/** Go's math.Modf fraction of R·w/maxW equals .5 (floorCeilingTied). */
function floorCeilingTied(weight: number, maxWeight: number, total: number): boolean {
  const x = total * (weight / maxWeight);
  return x - Math.trunc(x) === 0.5;
}

function weightDelta(weight: number, maxWeight: number, canary: number, total: number): number {
  return Math.abs((canary * maxWeight) / total - weight);
}

/**
 * §8.2 approximateWeightedCanaryStableReplicaCounts: the canary count whose share is closest to the
 * weight, over totals R and (with surge) R+1; a tie goes to the larger canary; for 1–99 % with R > 1
 * (surge included) neither side is 0. Returns [canary, stable].
 */
export function approximateWeightedCanaryStableReplicaCounts(replicas: number, weight: number, maxWeight: number, maxSurge: number): [number, number] {
  if (replicas === 0) return [0, 0];
  const ceil = Math.ceil((replicas * weight) / maxWeight);
  const floor = Math.floor((replicas * weight) / maxWeight);
  const tied = floorCeilingTied(weight, maxWeight, replicas);
  const zeroAllowed = weight === maxWeight || weight === 0 || (replicas === 1 && maxSurge === 0);
  const options: Array<{ canary: number; total: number }> = [];
  if (ceil < replicas || zeroAllowed) options.push({ canary: ceil, total: replicas });
  if (!tied && (floor !== 0 || zeroAllowed)) options.push({ canary: floor, total: replicas });
  if (maxSurge > 0) {
    options.push({ canary: ceil, total: replicas + 1 });
    if (!floorCeilingTied(weight, maxWeight, replicas + 1) && (floor !== 0 || zeroAllowed)) options.push({ canary: floor, total: replicas + 1 });
  }
  if (options.length === 0) return [0, replicas];
  let best = options[0]!;
  let bestDelta = weightDelta(weight, maxWeight, best.canary, best.total);
  for (const o of options.slice(1)) {
    const d = weightDelta(weight, maxWeight, o.canary, o.total);
    if (d < bestDelta) {
      best = o;
      bestDelta = d;
    }
  }
  return [best.canary, best.total - best.canary];
}

/** GetReplicasForScaleDown: spec when spec < available or availability is ignored, else available. */
export function getReplicasForScaleDown(rs: CanaryRS | undefined, ignoreAvailability: boolean): number {
  if (rs === undefined) return 0;
  if (rs.spec < rs.available) return rs.spec;
  return ignoreAvailability ? rs.spec : rs.available;
}

function calculateScaleDownReplicaCount(drain: CanaryRS | undefined, desired: number, scaleDownCount: number, drainCount: number): number {
  if (drain !== undefined && drain.spec > desired) return Math.max(desired, drain.spec - scaleDownCount);
  return drainCount;
}

function adjustReplicaWithinLimits(
  drain: CanaryRS | undefined,
  adjust: CanaryRS | undefined,
  drainCount: number,
  adjustCount: number,
  maxAllowed: number,
  minAvailable: number,
): [number, number] {
  let over = Math.max(0, adjustCount + drainCount - maxAllowed);
  let totalAvailable = drain !== undefined ? Math.min(drain.available, drainCount) : 0;
  if (adjust !== undefined) {
    adjustCount -= over;
    totalAvailable += Math.min(adjust.available, adjustCount);
    const extra = Math.max(0, adjust.available - adjustCount);
    const more = Math.max(0, minAvailable - totalAvailable);
    adjustCount += Math.min(extra, more);
    over = Math.max(0, adjustCount + drainCount - maxAllowed);
    drainCount -= over;
  }
  return [drainCount, adjustCount];
}

/** The inputs of CalculateReplicaCountsForBasicCanary. */
export interface BasicCanaryInput {
  replicas: number;
  /** The desired canary weight (GetCanaryReplicasOrWeight). */
  weight: number;
  maxSurge: number;
  maxUnavailable: number;
  /** The canary (new) RS; undefined before it exists. */
  newRS: CanaryRS | undefined;
  /** The stable RS; undefined on the first deploy or when it is the new RS. */
  stableRS: CanaryRS | undefined;
  /** Every other ReplicaSet of the Rollout. */
  oldRSs: readonly CanaryRS[];
}

/**
 * §8.2 CalculateReplicaCountsForBasicCanary: the next [canary, stable] spec counts. The stable is
 * scaled up first, then the canary, within R + maxSurge; scale-down only once older RSs are at 0, down
 * to R − maxUnavailable available, ignoring the stable's availability while the canary grows and the
 * canary's while it shrinks (abort).
 */
export function calculateReplicaCountsForBasicCanary(x: BasicCanaryInput): [number, number] {
  const R = x.replicas;
  let [desiredNew, desiredStable] = approximateWeightedCanaryStableReplicaCounts(R, x.weight, MAX_TRAFFIC_WEIGHT, x.maxSurge);
  let stableCount = 0;
  let newCount = x.newRS?.spec ?? 0;
  const scaleStable = x.stableRS !== undefined;
  if (scaleStable) stableCount = x.stableRS!.spec;
  else {
    desiredNew = R;
    desiredStable = 0;
  }
  const maxAllowed = R + x.maxSurge;
  const sum = (rs: readonly (CanaryRS | undefined)[]) => rs.reduce((n, r) => n + (r?.spec ?? 0), 0);
  let scaleUp = maxAllowed - sum([...x.oldRSs, x.newRS, ...(scaleStable ? [x.stableRS] : [])]);
  if (scaleStable && x.stableRS!.spec < desiredStable && scaleUp > 0) {
    if (x.stableRS!.spec + scaleUp < desiredStable) {
      stableCount = x.stableRS!.spec + scaleUp;
      scaleUp = 0;
    } else {
      stableCount = desiredStable;
      scaleUp -= desiredStable - x.stableRS!.spec;
    }
  }
  if (x.newRS !== undefined && x.newRS.spec < desiredNew && scaleUp > 0) {
    newCount = x.newRS.spec + scaleUp < desiredNew ? x.newRS.spec + scaleUp : desiredNew;
  }
  if (sum(x.oldRSs) > 0) return [newCount, stableCount];

  const minAvailable = R - x.maxUnavailable;
  const isIncreasing = x.newRS === undefined || desiredNew >= x.newRS.spec;
  const toScaleDown = getReplicasForScaleDown(x.newRS, !isIncreasing) + getReplicasForScaleDown(x.stableRS, isIncreasing);
  if (toScaleDown <= minAvailable) return [newCount, stableCount];
  const scaleDownCount = toScaleDown - minAvailable;
  if (!isIncreasing) {
    newCount = calculateScaleDownReplicaCount(x.newRS, desiredNew, scaleDownCount, newCount);
    [newCount, stableCount] = adjustReplicaWithinLimits(x.newRS, x.stableRS, newCount, stableCount, maxAllowed, minAvailable);
  } else if (scaleStable) {
    stableCount = calculateScaleDownReplicaCount(x.stableRS, desiredStable, scaleDownCount, stableCount);
    [stableCount, newCount] = adjustReplicaWithinLimits(x.stableRS, x.newRS, stableCount, newCount, maxAllowed, minAvailable);
  }
  return [newCount, stableCount];
}

/** trafficWeightToReplicas: ceil(R·w/maxW). */
export function trafficWeightToReplicas(replicas: number, weight: number, maxWeight = MAX_TRAFFIC_WEIGHT): number {
  return Math.ceil((weight * replicas) / maxWeight);
}

/**
 * §8.2 CalculateReplicaCountsForTrafficRoutedCanary: canary = ceil(R·w) (or setCanaryScale's replicas),
 * at least minPodsPerReplicaSet when not 0; stable stays at R unless dynamicStableScale (then the
 * larger of the desired and the currently routed stable weight). Returns [canary, stable].
 */
export function calculateReplicaCountsForTrafficRoutedCanary(x: {
  replicas: number;
  weight: number;
  canaryReplicas?: number | undefined;
  dynamicStableScale: boolean;
  minPodsPerReplicaSet?: number | undefined;
  /** The weights the router currently applies, if any. */
  routed?: { canary: number; stable: number } | undefined;
  abort: boolean;
}): [number, number] {
  const R = x.replicas;
  const minPods = (n: number) => (n === 0 || x.minPodsPerReplicaSet === undefined ? n : Math.max(n, Math.min(x.minPodsPerReplicaSet, R)));
  let canary = x.canaryReplicas ?? minPods(trafficWeightToReplicas(R, x.weight));
  if (!x.dynamicStableScale) return [canary, R];
  let stable = trafficWeightToReplicas(R, MAX_TRAFFIC_WEIGHT - x.weight);
  if (x.routed !== undefined) {
    stable = Math.max(stable, trafficWeightToReplicas(R, x.routed.stable));
    if (x.abort) canary = Math.max(trafficWeightToReplicas(R, x.routed.canary), canary);
  }
  return [minPods(canary), minPods(stable)];
}

/**
 * GetCurrentSetWeight: 0 when aborted; the last setWeight at or before the current step; 100 past
 * the last step.
 */
export function getCurrentSetWeight(steps: readonly CanaryStep[], currentStepIndex: number, abort: boolean): number {
  if (abort) return 0;
  if (currentStepIndex >= steps.length) return MAX_TRAFFIC_WEIGHT;
  for (let i = currentStepIndex; i >= 0; i--) {
    const w = steps[i]!.setWeight;
    if (w !== undefined) return w;
  }
  return 0;
}

/**
 * GetDesiredCanaryWeight while aborting with dynamicStableScale: step the weight down through the
 * setWeight steps in reverse as the stable becomes available, so the stable is not surged to 100 % at once.
 */
export function abortDynamicWeight(
  steps: readonly CanaryStep[],
  replicas: number,
  stableAvailable: number,
  canaryAvailable: number,
  explicitAbortDelay: boolean,
): number {
  const expected = replicas - stableAvailable;
  const canaryReplicas = explicitAbortDelay ? expected : Math.max(expected, canaryAvailable);
  for (let i = steps.length - 1; i >= 0; i--) {
    const w = steps[i]!.setWeight;
    if (w !== undefined && trafficWeightToReplicas(replicas, w) < canaryReplicas) return w;
  }
  return 0;
}

/**
 * UseSetCanaryScale (traffic routing only): the setCanaryScale in force at the current step, unless a
 * later matchTrafficWeight cancelled it (or the rollout aborted with a scale-down delay).
 */
export function setCanaryScaleInForce(steps: readonly CanaryStep[], currentStepIndex: number): CanaryStep['setCanaryScale'] | undefined {
  if (currentStepIndex >= steps.length) return undefined;
  for (let i = currentStepIndex; i >= 0; i--) {
    const s = steps[i]!.setCanaryScale;
    if (s === undefined) continue;
    return s.matchTrafficWeight === true ? undefined : s;
  }
  return undefined;
}

/** ReplicaProgressThresholdMet without a threshold: all desired available (allDesiredAreAvailable). */
export function allDesiredAreAvailable(rs: CanaryRS | undefined, desired: number): boolean {
  return rs !== undefined && rs.spec === desired && rs.available === desired;
}

/** A human label of a step, as Argo's CanaryStepString writes it (`setWeight: 20`, `pause: 40s`, `pause`). */
export function canaryStepString(step: CanaryStep): string {
  if (step.setWeight !== undefined) return `setWeight: ${step.setWeight}`;
  if (step.pause !== undefined) return step.pause.duration !== undefined ? `pause: ${step.pause.duration}s` : 'pause';
  if (step.setCanaryScale !== undefined) {
    const s = step.setCanaryScale;
    return s.replicas !== undefined ? `setCanaryScale{replicas: ${s.replicas}}` : s.weight !== undefined ? `setCanaryScale{weight: ${s.weight}}` : 'setCanaryScale{matchTrafficWeight: true}';
  }
  if (step.analysis !== undefined) return 'analysis';
  return 'step';
}

