import type { ClusterContext } from '../cluster/context.js';
import { KubectlError } from '../cluster/kubectl.js';
import { isPodActive, matchesSelector, type Pod } from '../cluster/objects.js';
import { deletePod, forceDeletePod } from '../cluster/pods.js';
import type { RandomStream } from '../kernel/random.js';
import type { TimelineAction } from '../scenario/schema.js';

/**
 * The `delete-pod` timeline action: which pods it deletes, and how.
 *
 * Which (the victims), by target:
 * - `deployment/<name>`, `rollout/<name>`: `count` (default 1) pods drawn uniformly at random, without
 *   replacement, from the workload's active pods (not terminating, not finished), from the action's
 *   own random stream (`victims/timeline[<i>]`), so the choice depends only on the run's seed and the
 *   action, never on other random sources. Fewer when it has fewer active pods.
 * - `pod/<name>`: that pod (kubectl: `pods "<name>" not found` when it is gone).
 * - a `selector` (kubectl's `-l`): every active pod in the namespace whose labels match, as
 *   `kubectl delete pod -l` does; none matching is kubectl's "No resources found".
 *
 * How: graceful by default (§4.6: deletionTimestamp and the grace period — `gracePeriod` or the pod's
 * terminationGracePeriodSeconds —, the kubelet runs preStop, then SIGTERM, SIGKILL at expiry; the
 * ReplicaSet replaces the pod at once). `gracePeriod: 0` is the API's gracePeriodSeconds 0: no preStop,
 * SIGKILL at once, and the object goes when the kubelet has stopped it. `force: true` is kubectl's
 * `--grace-period=0 --force`: the object is removed immediately (pods.ts forceDeletePod); a pod
 * already terminating (stuck, or within its grace period) is force-deleted too, as kubectl does.
 */

export type DeletePodAction = Extract<TimelineAction, { action: 'delete-pod' }>;

/** Deletes the action's victims; `onDelete` sees each before it goes. Returns the names deleted. */
export function deletePods(ctx: ClusterContext, a: DeletePodAction, victims: RandomStream, onDelete: (pod: Pod) => void): string[] {
  const namespace = a.target.namespace ?? 'default';
  const candidates = (pods: readonly Pod[]) => pods.filter((p) => isPodActive(p) || (a.force && p.metadata.deletionTimestamp !== undefined));
  let chosen: Pod[];
  switch (a.target.kind) {
    case 'pod': {
      const pod = ctx.store.get('Pod', a.target.name, namespace);
      if (pod === undefined || candidates([pod]).length === 0) throw new KubectlError(`pods "${a.target.name}" not found`);
      chosen = [pod];
      break;
    }
    case 'selector': {
      const selector = a.target.selector;
      chosen = candidates(ctx.store.list('Pod').filter((p) => p.metadata.namespace === namespace && matchesSelector(selector, p.metadata.labels)));
      if (chosen.length === 0) throw new KubectlError(`No resources found in ${namespace} namespace.`);
      break;
    }
    default: {
      const pool = candidates(workloadPods(ctx, a.target.kind, a.target.name, namespace));
      chosen = [];
      for (let i = 0; i < a.count && pool.length > 0; i++) chosen.push(pool.splice(Math.floor(victims.next() * pool.length), 1)[0]!);
    }
  }
  for (const pod of chosen) {
    onDelete(pod);
    if (a.force) forceDeletePod(ctx, pod);
    else deletePod(ctx, pod, a.gracePeriod);
  }
  return chosen.map((p) => p.metadata.name);
}

/** The pods of a Deployment's or Rollout's ReplicaSets. */
function workloadPods(ctx: ClusterContext, kind: 'deployment' | 'rollout', name: string, namespace: string): Pod[] {
  const owner = kind === 'deployment' ? ctx.store.get('Deployment', name, namespace) : ctx.store.get('Rollout', name, namespace);
  if (owner === undefined) throw new KubectlError(kind === 'deployment' ? `deployments.apps "${name}" not found` : `rollouts.argoproj.io "${name}" not found`);
  return ctx.store.ownedBy('ReplicaSet', owner.metadata.uid).flatMap((rs) => ctx.store.ownedBy('Pod', rs.metadata.uid));
}

/** The detail recorded for the action: the pods, and how they were deleted. */
export function deletePodDetail(a: DeletePodAction, names: readonly string[]): string {
  const how = a.force ? ' (force)' : a.gracePeriod !== undefined ? ` (grace ${a.gracePeriod}s)` : '';
  return names.join(' ') + how;
}
