import { hash53 } from '../kernel/random.js';
import type { ClusterContext } from './context.js';
import type { Endpoint, EndpointConditions, EndpointSlice, Pod, Service } from './objects.js';
import { isPodReady, matchesSelector } from './objects.js';
import { nameSuffix } from './pods.js';
import { objectKey } from './store.js';
import { WorkQueue } from './workqueue.js';

/**
 * The EndpointSlice controller (§5.1): for every Service with a selector, one EndpointSlice named
 * `<service>-<5 chars>` (label `kubernetes.io/service-name`) listing every pod of the namespace that
 * matches the selector, has an IP and is not terminal, with conditions:
 *
 *   ready       = Ready ∧ ¬terminating      (true regardless with publishNotReadyAddresses)
 *   serving     = Ready                     (true regardless with publishNotReadyAddresses)
 *   terminating = deletionTimestamp set
 *
 * Syncs run `controllerDelay` after a change, through a work queue keyed by service (changes coalesce);
 * a slice is written (store.update) only when its endpoints or ports changed. A pod leaves the slice
 * when its object is removed (or it turns terminal / stops matching). Simplification: one slice per
 * Service (the real controller splits at 100 endpoints; nothing here depends on the split).
 */

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';

/** The §5.1 conditions of one pod's endpoint in a Service's slice. */
export function endpointConditions(pod: Pod, service: Service): EndpointConditions {
  const ready = isPodReady(pod);
  const terminating = pod.metadata.deletionTimestamp !== undefined;
  const publish = service.spec.publishNotReadyAddresses === true;
  return {
    ready: publish || (ready && !terminating),
    serving: publish || ready,
    terminating,
  };
}

/** The slice name of a service: `<service>-<5 chars>` derived from its uid (deterministic). */
export function sliceNameFor(service: Service): string {
  return `${service.metadata.name}-${nameSuffix(hash53(`endpointslice/${service.metadata.uid}`))}`;
}

export class EndpointSliceController {
  private readonly queue: WorkQueue;
  /** Service key → its slice. */
  private readonly slices = new Map<string, EndpointSlice>();
  /** Service key → uids of the pods its slice lists (so a pod event is O(services), not O(endpoints)). */
  private readonly listed = new Map<string, Set<string>>();

  constructor(private readonly ctx: ClusterContext) {
    this.queue = new WorkQueue(ctx.sim, () => ctx.config.controllerDelay, (key) => this.sync(key));
    ctx.store.watch('Service', (_type, svc) => this.queue.add(objectKey(svc.metadata)));
    ctx.store.watch('Pod', (_type, pod) => this.podChanged(pod));
    ctx.store.watch('EndpointSlice', (type, slice) => {
      if (type !== 'DELETED') return;
      for (const [key, s] of this.slices) if (s === slice) {
        this.slices.delete(key);
        this.listed.delete(key);
        this.queue.add(key); // someone removed our slice: recreate it if the Service still wants one
      }
    });
    for (const svc of ctx.store.list('Service')) this.queue.add(objectKey(svc.metadata));
  }

  /** The slice of a service, if any (the data plane's proxies watch slices; tests read them here). */
  sliceFor(namespace: string, service: string): EndpointSlice | undefined {
    return this.slices.get(`${namespace}/${service}`);
  }

  private podChanged(pod: Pod): void {
    const ns = pod.metadata.namespace;
    for (const svc of this.ctx.store.list('Service', ns)) {
      const key = objectKey(svc.metadata);
      const sel = svc.spec.selector;
      const matches = sel !== undefined && matchesSelector({ matchLabels: sel }, pod.metadata.labels);
      const listed = this.listed.get(key)?.has(pod.metadata.uid) === true;
      if (matches || listed) this.queue.add(key);
    }
  }

  private sync(key: string): void {
    const [namespace, name] = splitKey(key);
    const svc = this.ctx.store.get('Service', name, namespace);
    const existing = this.slices.get(key);
    if (svc === undefined || svc.spec.selector === undefined) {
      if (existing !== undefined) {
        this.slices.delete(key);
        this.listed.delete(key);
        this.ctx.store.remove(existing);
      }
      return;
    }
    const selector = { matchLabels: svc.spec.selector };
    const pods = this.ctx.store
      .list('Pod', namespace)
      .filter(
        (p) =>
          p.status.podIP !== undefined &&
          p.status.phase !== 'Succeeded' &&
          p.status.phase !== 'Failed' &&
          matchesSelector(selector, p.metadata.labels),
      );
    const endpoints: Endpoint[] = pods.map((p) => {
      const e: Endpoint = {
        addresses: [p.status.podIP!],
        conditions: endpointConditions(p, svc),
        targetRef: { kind: 'Pod', name: p.metadata.name, uid: p.metadata.uid },
      };
      if (p.spec.nodeName !== undefined) e.nodeName = p.spec.nodeName;
      return e;
    });
    this.listed.set(key, new Set(pods.map((p) => p.metadata.uid)));
    const ports = svc.spec.ports.map((sp) => {
      const out: { name?: string; port: number; protocol?: string } = { port: resolveTargetPort(sp.targetPort ?? sp.port, pods) ?? sp.port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name !== undefined) out.name = sp.name;
      return out;
    });
    if (existing === undefined) {
      const slice = this.ctx.store.create<'EndpointSlice'>({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: sliceNameFor(svc),
          namespace,
          labels: { [SERVICE_NAME_LABEL]: svc.metadata.name, [MANAGED_BY_LABEL]: MANAGED_BY },
          ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, uid: svc.metadata.uid, controller: true }],
        },
        addressType: 'IPv4',
        endpoints,
        ports,
      });
      this.slices.set(key, slice);
      return;
    }
    if (JSON.stringify(existing.endpoints) === JSON.stringify(endpoints) && JSON.stringify(existing.ports) === JSON.stringify(ports)) return;
    existing.endpoints = endpoints;
    existing.ports = ports;
    this.ctx.store.update(existing);
  }
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

/** A numeric targetPort as is; a named one looked up among the pods' container ports. */
function resolveTargetPort(target: number | string, pods: Pod[]): number | undefined {
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const p of pods) for (const c of p.spec.containers) for (const cp of c.ports ?? []) if (cp.name === target) return cp.containerPort;
  return undefined;
}
