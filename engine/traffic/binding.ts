import type { ClusterContext } from '../cluster/context.js';
import type { Kubelet } from '../cluster/kubelet.js';
import { objectKey } from '../cluster/store.js';
import { SERVICE_NAME_LABEL } from '../cluster/endpointslice.js';
import type { EndpointSlice, Pod } from '../cluster/objects.js';
import type { DataPlane } from './dataplane.js';
import type { EndpointTruth } from './proxy.js';

/**
 * Connects the control plane to the data plane:
 * - every Service gets a proxy (with its sessionAffinity); every pod a server (behaviour of its first
 *   container's image — the serving container, as the kubelet has it);
 * - each EndpointSlice's changes feed its Service's proxy, slice by slice (the proxy applies
 *   propagation and sync coalescing itself);
 * - the kubelet's runtime changes drive the servers: listening / stopped-listening, SIGTERM (a draining
 *   server finishes in-flight work and tells the kubelet when idle), exit/crash/kill (in-flight reset),
 *   node-down (nothing answers any more).
 * Returns a function that marks the current state as already propagated (the warm start at t = 0).
 */
export function bindDataPlane(ctx: ClusterContext, kubelet: Kubelet, plane: DataPlane): { programNow(): void } {
  const { store } = ctx;
  const podOf = (pod: Pod): number => {
    const image = pod.spec.containers[0]?.image ?? '';
    return plane.addPod(pod.metadata.uid, pod.metadata.name, image, ctx.behavior(image));
  };
  const serviceKeyOf = (slice: EndpointSlice) =>
    objectKey({ namespace: slice.metadata.namespace, name: slice.metadata.labels[SERVICE_NAME_LABEL] ?? '' });
  const truthOf = (slice: EndpointSlice): EndpointTruth[] => {
    const out: EndpointTruth[] = [];
    for (const e of slice.endpoints) {
      let p = plane.indexOf(e.targetRef.uid);
      if (p === undefined) {
        const pod = store.get('Pod', e.targetRef.name, slice.metadata.namespace);
        if (pod === undefined) continue;
        p = podOf(pod);
      }
      out.push({ pod: p, ready: e.conditions.ready, serving: e.conditions.serving, terminating: e.conditions.terminating });
    }
    return out;
  };

  const addService = (svc: { metadata: { namespace: string; name: string }; spec: { sessionAffinity: 'None' | 'ClientIP'; sessionAffinityConfig?: { clientIP?: { timeoutSeconds: number } } } }) =>
    plane.addService(objectKey(svc.metadata), {
      sessionAffinity: svc.spec.sessionAffinity,
      timeoutSeconds: svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800,
    });
  for (const svc of store.list('Service')) addService(svc);
  store.watch('Service', (type, svc) => {
    if (type === 'ADDED') addService(svc);
  });
  for (const pod of store.list('Pod')) podOf(pod);
  store.watch('Pod', (type, pod) => {
    if (type === 'ADDED') podOf(pod);
  });
  store.watch('EndpointSlice', (type, slice) => {
    plane.observeEndpoints(serviceKeyOf(slice), type === 'DELETED' ? [] : truthOf(slice), false, slice.metadata.name);
  });

  kubelet.attachDataPlane({
    inFlight: (uid) => {
      const p = plane.indexOf(uid);
      return p === undefined ? 0 : plane.servers.inFlight[p]!;
    },
  });
  kubelet.onRuntimeChange((change) => {
    const p = podOf(change.pod);
    switch (change.what) {
      case 'listening':
        plane.setUnreachable(p, false);
        plane.setListening(p, true);
        break;
      case 'sigterm': {
        const image = change.pod.spec.containers[0]?.image ?? '';
        if (ctx.behavior(image).shutdown === 'drain') {
          const uid = change.pod.metadata.uid;
          plane.drain(p, () => kubelet.reportIdle(uid));
        }
        break;
      }
      case 'stopped-listening':
        plane.setListening(p, false);
        break;
      case 'exited':
      case 'crashed':
      case 'killed':
        plane.kill(p);
        break;
      case 'node-down':
        plane.setUnreachable(p, true);
        break;
    }
  });

  return {
    programNow() {
      const byService = new Map<string, Map<string, EndpointTruth[]>>();
      for (const slice of store.list('EndpointSlice')) {
        const key = serviceKeyOf(slice);
        let m = byService.get(key);
        if (m === undefined) byService.set(key, (m = new Map()));
        m.set(slice.metadata.name, truthOf(slice));
      }
      for (const [key, slices] of byService) plane.initializeEndpoints(key, slices);
    },
  };
}
