import type { ClusterContext } from './context.js';
import type { OwnerReference, Pod, PodTemplateSpec } from './objects.js';

/**
 * Pod operations shared by controllers, the kubelet and kubectl-like actions.
 *
 * Deletion follows §4.6: a graceful delete sets `deletionTimestamp` and `deletionGracePeriodSeconds`
 * and leaves the object in place; the kubelet of the pod's node runs preStop, SIGTERM and SIGKILL and
 * then removes the object. A pod that was never scheduled (no nodeName) has no kubelet to wait for and
 * is removed at once.
 */

/** Lower-case consonants and digits, as Kubernetes uses for generated names (no vowels: no words). */
export const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A deterministic suffix of `length` characters for generated names, from a 53-bit number. */
export function nameSuffix(n: number, length = 5): string {
  let s = '';
  let x = Math.floor(Math.abs(n));
  for (let i = 0; i < length; i++) {
    s += NAME_ALPHABET[x % NAME_ALPHABET.length];
    x = Math.floor(x / NAME_ALPHABET.length);
  }
  return s;
}

/** A new, unscheduled pod from a template (status Pending, no conditions true yet). */
export function podFromTemplate(
  name: string,
  namespace: string,
  template: PodTemplateSpec,
  owner: OwnerReference,
): Omit<Pod, 'metadata'> & { metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string>; ownerReferences: OwnerReference[] } } {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: { ...template.metadata.labels },
      annotations: { ...(template.metadata.annotations ?? {}) },
      ownerReferences: [owner],
    },
    spec: structuredClone(template.spec),
    status: {
      phase: 'Pending',
      conditions: [],
      containerStatuses: template.spec.containers.map((c) => ({
        name: c.name,
        image: c.image,
        ready: false,
        started: false,
        restartCount: 0,
        state: { waiting: { reason: 'ContainerCreating' } },
      })),
    },
  };
}

/**
 * Force-deletes a pod, as `kubectl delete pod --grace-period=0 --force` (§4.6: "removes the API object
 * immediately without waiting for the kubelet"): the object is gone at once, so its ReplicaSet creates
 * the replacement and the EndpointSlice controller drops the endpoint; no preStop hook runs, and the
 * kubelet, seeing the object vanish, kills the containers (what was in flight is reset). Returns false
 * when the pod was already gone.
 */
export function forceDeletePod(ctx: ClusterContext, pod: Pod): boolean {
  if (ctx.store.get('Pod', pod.metadata.name, pod.metadata.namespace) !== pod) return false;
  pod.metadata.deletionTimestamp ??= ctx.sim.now;
  pod.metadata.deletionGracePeriodSeconds = 0;
  ctx.store.remove(pod);
  return true;
}

/**
 * Gracefully deletes a pod (§4.6 step 1). `gracePeriodSeconds` defaults to the pod's
 * terminationGracePeriodSeconds. Returns false when the pod is already terminating.
 */
export function deletePod(ctx: ClusterContext, pod: Pod, gracePeriodSeconds?: number): boolean {
  if (pod.metadata.deletionTimestamp !== undefined) return false;
  if (pod.spec.nodeName === undefined) {
    pod.metadata.deletionTimestamp = ctx.sim.now;
    pod.metadata.deletionGracePeriodSeconds = 0;
    ctx.store.remove(pod);
    return true;
  }
  pod.metadata.deletionTimestamp = ctx.sim.now;
  pod.metadata.deletionGracePeriodSeconds = gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds;
  ctx.store.update(pod);
  return true;
}
