import type { ClusterContext } from './context.js';
import type { IntOrString, LabelSelector, ObjectMeta, Pod } from './objects.js';
import { controllerOf, isPodReady, matchesSelector } from './objects.js';
import { deletePod } from './pods.js';
import { scaledValue } from './controllers/deployment/fenceposts.js';

/**
 * PodDisruptionBudget (policy/v1) and the Eviction API (kubernetes-semantics.md §6.2; k/k
 * `pkg/controller/disruption/disruption.go` getExpectedPodCount, `pkg/registry/core/pod/storage/eviction.go`).
 *
 * - Only evictions are limited (kubectl drain goes through them): direct deletes, node failures,
 *   crashes and Deployment/Rollout rolling updates are not — but their unready pods count against it.
 * - expectedCount: Σ scale of the pods' controllers (Deployment, Rollout; a bare ReplicaSet's own
 *   replicas) for a percentage or maxUnavailable; the number of matching pods for an integer
 *   minAvailable. Percentages round up for both fields. desiredHealthy = minAvailable, or
 *   expectedCount − maxUnavailable (≥ 0). currentHealthy = matching pods Ready and not being deleted.
 *   disruptionsAllowed = max(0, currentHealthy − desiredHealthy).
 * - An eviction with disruptionsAllowed = 0 is refused with 429 ("Cannot evict pod as it would violate
 *   the pod's disruption budget."); a pod that is not Ready can be evicted when
 *   unhealthyPodEvictionPolicy is AlwaysAllow, or (IfHealthyBudget, the default) when the budget is
 *   currently met (currentHealthy ≥ desiredHealthy). A pod matched by several budgets is refused (500).
 *
 * The status is computed when it is asked for (an eviction, a gauge refresh), from the pods of the
 * budget's namespace: nothing is recounted on every pod event.
 */

export interface PodDisruptionBudget {
  apiVersion: 'policy/v1';
  kind: 'PodDisruptionBudget';
  metadata: ObjectMeta;
  spec: {
    minAvailable?: IntOrString;
    maxUnavailable?: IntOrString;
    selector: LabelSelector;
    unhealthyPodEvictionPolicy: 'IfHealthyBudget' | 'AlwaysAllow';
  };
  status: PdbStatus;
}

export interface PdbStatus {
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  disruptionsAllowed: number;
}

export function emptyPdbStatus(): PdbStatus {
  return { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptionsAllowed: 0 };
}

/** Pure §6.2 arithmetic from counts. */
export function budgetOf(
  spec: Pick<PodDisruptionBudget['spec'], 'minAvailable' | 'maxUnavailable'>,
  matchingPods: number,
  controllerScale: number,
  currentHealthy: number,
): PdbStatus {
  let expected: number;
  let desired: number;
  if (spec.maxUnavailable !== undefined) {
    expected = controllerScale;
    desired = Math.max(0, expected - scaledValue(spec.maxUnavailable, expected, true));
  } else if (spec.minAvailable === undefined) {
    expected = matchingPods; // neither field: nothing is protected
    desired = 0;
  } else if (typeof spec.minAvailable === 'number') {
    expected = matchingPods;
    desired = spec.minAvailable;
  } else {
    expected = controllerScale;
    desired = scaledValue(spec.minAvailable, expected, true);
  }
  return { currentHealthy, desiredHealthy: desired, expectedPods: expected, disruptionsAllowed: Math.max(0, currentHealthy - desired) };
}

const active = (p: Pod): boolean => p.metadata.deletionTimestamp === undefined && p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed';

/** The budget's status now (disruption controller's trySync). */
export function pdbStatus(ctx: ClusterContext, pdb: PodDisruptionBudget): PdbStatus {
  const pods = ctx.store.list('Pod', pdb.metadata.namespace).filter((p) => matchesSelector(pdb.spec.selector, p.metadata.labels));
  let healthy = 0;
  let matching = 0;
  const controllers = new Map<string, number>();
  for (const p of pods) {
    if (!active(p)) continue;
    matching++;
    if (isPodReady(p)) healthy++;
    const scale = controllerScaleOf(ctx, p);
    if (scale !== undefined) controllers.set(scale.uid, scale.replicas);
  }
  const scale = [...controllers.values()].reduce((n, v) => n + v, 0);
  return budgetOf(pdb.spec, matching, scale, healthy);
}

/** The scale of the workload that finally controls a pod (RS → Deployment/Rollout), if any. */
function controllerScaleOf(ctx: ClusterContext, pod: Pod): { uid: string; replicas: number } | undefined {
  const rsRef = controllerOf(pod.metadata);
  if (rsRef?.kind !== 'ReplicaSet') return undefined;
  const rs = ctx.store.get('ReplicaSet', rsRef.name, pod.metadata.namespace);
  if (rs === undefined) return undefined;
  const owner = controllerOf(rs.metadata);
  if (owner?.kind === 'Deployment') {
    const d = ctx.store.get('Deployment', owner.name, pod.metadata.namespace);
    if (d !== undefined) return { uid: d.metadata.uid, replicas: d.spec.replicas };
  }
  if (owner?.kind === 'Rollout') {
    const r = ctx.store.get('Rollout', owner.name, pod.metadata.namespace);
    if (r !== undefined) return { uid: r.metadata.uid, replicas: r.spec.replicas };
  }
  return { uid: rs.metadata.uid, replicas: rs.spec.replicas };
}

export type EvictionResult = { allowed: true } | { allowed: false; code: 429 | 500; message: string; budget: string };

/**
 * POST pods/<name>/eviction: checks the pod's budget and, when allowed, deletes the pod gracefully.
 * Records `EvictionBlocked` (Warning) on a refusal and counts it on the budget.
 */
export function evictPod(ctx: ClusterContext, pod: Pod): EvictionResult {
  if (pod.metadata.deletionTimestamp !== undefined) return { allowed: true };
  const budgets = ctx.store.list('PodDisruptionBudget', pod.metadata.namespace).filter((b) => matchesSelector(b.spec.selector, pod.metadata.labels));
  if (budgets.length > 1) {
    return refuse(ctx, pod, budgets[0]!, 500, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  }
  const pdb = budgets[0];
  if (pdb !== undefined) {
    const s = pdbStatus(ctx, pdb);
    pdb.status = s;
    const ready = isPodReady(pod);
    const ok = ready ? s.disruptionsAllowed > 0 : pdb.spec.unhealthyPodEvictionPolicy === 'AlwaysAllow' || s.currentHealthy >= s.desiredHealthy;
    if (!ok) return refuse(ctx, pod, pdb, 429, "Cannot evict pod as it would violate the pod's disruption budget.");
  }
  deletePod(ctx, pod);
  if (pdb !== undefined) {
    pdb.status = pdbStatus(ctx, pdb);
    ctx.store.update(pdb);
  }
  return { allowed: true };
}

/** Refused evictions per budget (`namespace/name`), for the report. */
export const blockedEvictions = new WeakMap<ClusterContext, Map<string, number>>();

function refuse(ctx: ClusterContext, pod: Pod, pdb: PodDisruptionBudget, code: 429 | 500, message: string): EvictionResult {
  const key = `${pdb.metadata.namespace}/${pdb.metadata.name}`;
  let counts = blockedEvictions.get(ctx);
  if (counts === undefined) blockedEvictions.set(ctx, (counts = new Map()));
  counts.set(key, (counts.get(key) ?? 0) + 1);
  ctx.events.warning('Pod', pod.metadata.name, 'EvictionBlocked', `Cannot evict pod ${pod.metadata.namespace}/${pod.metadata.name}: ${message} (poddisruptionbudget/${pdb.metadata.name}, ${code})`);
  ctx.store.update(pdb);
  return { allowed: false, code, message, budget: key };
}
