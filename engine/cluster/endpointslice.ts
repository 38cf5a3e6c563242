import { hash53 } from '../kernel/random.js';
import type { ClusterContext } from './context.js';
import type { Endpoint, EndpointConditions, EndpointSlice, Pod, Service } from './objects.js';
import { isPodReady, matchesSelector } from './objects.js';
import { nameSuffix } from './pods.js';
import { objectKey } from './store.js';
import { WorkQueue } from './workqueue.js';
import { planSlices } from './endpointslice-packing.js';

/**
 * The EndpointSlice controller (§5.1): for every Service with a selector, EndpointSlices (label
 * `kubernetes.io/service-name`, at most `MAX_ENDPOINTS_PER_SLICE` endpoints each, packed as upstream's
 * reconciler does: endpointslice-packing.ts) listing every pod of the namespace that matches the
 * selector, has an IP and is not terminal, with conditions:
 *
 *   ready       = Ready ∧ ¬terminating      (true regardless with publishNotReadyAddresses)
 *   serving     = Ready                     (true regardless with publishNotReadyAddresses)
 *   terminating = deletionTimestamp set
 *
 * Syncs run `controllerDelay` after a change, through a work queue keyed by service (changes coalesce).
 * A sync re-evaluates only the pods that changed since the last one (O(changed pods + slices they
 * touch), not O(pods)); a Service change or an outside deletion of one of its slices re-evaluates every
 * pod of the namespace. A slice is written (store.update) only when its endpoints or ports changed. The
 * first slice is named `<service>-<5 chars>` from the Service's uid, later ones likewise with a counter
 * (upstream: generateName). A pod leaves its slice when its object is removed (or it turns terminal /
 * stops matching); a Service with no endpoint keeps one empty slice (upstream's placeholder).
 */

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
/** kube-controller-manager `--max-endpoints-per-slice` default (§0). */
export const MAX_ENDPOINTS_PER_SLICE = 100;

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

/** The name of a service's n-th slice: `<service>-<5 chars>` derived from its uid (and n > 0). */
export function sliceNameFor(service: Service, n = 0): string {
  return `${service.metadata.name}-${nameSuffix(hash53(n === 0 ? `endpointslice/${service.metadata.uid}` : `endpointslice/${service.metadata.uid}/${n}`))}`;
}

/** Same endpoint as far as the slice shows it (address, conditions, node, pod). */
export function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return (
    a.addresses[0] === b.addresses[0] &&
    a.conditions.ready === b.conditions.ready &&
    a.conditions.serving === b.conditions.serving &&
    a.conditions.terminating === b.conditions.terminating &&
    a.nodeName === b.nodeName &&
    a.targetRef.uid === b.targetRef.uid &&
    a.targetRef.name === b.targetRef.name
  );
}

/** The endpoint of `pod` in a slice of `service` (the pod must have an IP). */
export function endpointOf(pod: Pod, service: Service): Endpoint {
  const e: Endpoint = {
    addresses: [pod.status.podIP!],
    conditions: endpointConditions(pod, service),
    targetRef: { kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (pod.spec.nodeName !== undefined) e.nodeName = pod.spec.nodeName;
  return e;
}

/** A service's slices and which one lists each pod. */
interface ServiceSlices {
  slices: EndpointSlice[];
  /** pod uid → the slice listing it. */
  where: Map<string, EndpointSlice>;
  /** Pods to re-evaluate at the next sync (uid → the object last seen). */
  dirty: Map<string, Pod>;
  /** Re-evaluate every pod of the namespace (Service changed, a slice was removed from outside). */
  full: boolean;
  /** Slices created so far (names). */
  made: number;
  /** Named targetPorts (by port index) resolved from a pod, kept while the service lists endpoints. */
  named: Array<number | undefined>;
}

export class EndpointSliceController {
  private readonly queue: WorkQueue;
  /** Service key → its slices. */
  private readonly state = new Map<string, ServiceSlices>();
  /** namespace → Services of it with a selector (kept from the Service watch). */
  private readonly services = new Map<string, Map<string, Service>>();
  private removing: EndpointSlice | undefined;

  constructor(
    private readonly ctx: ClusterContext,
    private readonly maxEndpointsPerSlice = MAX_ENDPOINTS_PER_SLICE,
  ) {
    this.queue = new WorkQueue(ctx.sim, () => ctx.config.controllerDelay, (key) => this.sync(key));
    ctx.store.watch('Service', (type, svc) => this.serviceChanged(type, svc));
    ctx.store.watch('Pod', (_type, pod) => this.podChanged(pod));
    ctx.store.watch('EndpointSlice', (type, slice) => {
      if (type !== 'DELETED' || slice === this.removing) return;
      for (const [key, st] of this.state) {
        const i = st.slices.indexOf(slice);
        if (i < 0) continue;
        st.slices.splice(i, 1);
        for (const e of slice.endpoints) if (st.where.get(e.targetRef.uid) === slice) st.where.delete(e.targetRef.uid);
        st.full = true;
        this.queue.add(key); // someone removed our slice: recreate what the Service still wants
      }
    });
    for (const svc of ctx.store.list('Service')) this.serviceChanged('ADDED', svc);
  }

  /** The slices of a service, oldest first (the data plane's proxies watch slices; tests read them here). */
  slicesFor(namespace: string, service: string): readonly EndpointSlice[] {
    return this.state.get(`${namespace}/${service}`)?.slices ?? [];
  }

  private stateOf(key: string): ServiceSlices {
    let st = this.state.get(key);
    if (st === undefined) this.state.set(key, (st = { slices: [], where: new Map(), dirty: new Map(), full: true, made: 0, named: [] }));
    return st;
  }

  private serviceChanged(type: string, svc: Service): void {
    const key = objectKey(svc.metadata);
    const ns = svc.metadata.namespace;
    let m = this.services.get(ns);
    if (m === undefined) this.services.set(ns, (m = new Map()));
    if (type === 'DELETED') m.delete(key);
    else m.set(key, svc);
    this.stateOf(key).full = true;
    this.queue.add(key);
  }

  private podChanged(pod: Pod): void {
    const m = this.services.get(pod.metadata.namespace);
    if (m === undefined) return;
    const uid = pod.metadata.uid;
    for (const [key, svc] of m) {
      const sel = svc.spec.selector;
      const matches = sel !== undefined && matchesSelector({ matchLabels: sel }, pod.metadata.labels);
      const st = this.state.get(key);
      if (matches || st?.where.has(uid) === true) {
        this.stateOf(key).dirty.set(uid, pod);
        this.queue.add(key);
      }
    }
  }

  private sync(key: string): void {
    const [namespace, name] = splitKey(key);
    const svc = this.ctx.store.get('Service', name, namespace);
    const st = this.stateOf(key);
    if (svc === undefined || svc.spec.selector === undefined) {
      for (const slice of st.slices) this.remove(slice);
      this.state.delete(key);
      return;
    }
    const selector = { matchLabels: svc.spec.selector };
    const wanted = (p: Pod): boolean =>
      this.ctx.store.get('Pod', p.metadata.name, namespace) === p &&
      p.status.podIP !== undefined &&
      p.status.phase !== 'Succeeded' &&
      p.status.phase !== 'Failed' &&
      matchesSelector(selector, p.metadata.labels);
    // the pods to re-evaluate: those that changed, or all of the namespace and all listed
    const changes = new Map<string, Endpoint | undefined>();
    const listedNow: Pod[] = [];
    const consider = (p: Pod) => {
      const ok = wanted(p);
      changes.set(p.metadata.uid, ok ? endpointOf(p, svc) : undefined);
      if (ok) listedNow.push(p);
    };
    if (st.full) {
      st.named = [];
      for (const p of this.ctx.store.list('Pod', namespace)) consider(p);
      for (const uid of st.where.keys()) if (!changes.has(uid)) changes.set(uid, undefined); // gone
    } else for (const p of st.dirty.values()) consider(p);
    st.dirty.clear();
    st.full = false;
    const index = new Map(st.slices.map((s, i) => [s, i]));
    const plan = planSlices({
      slices: st.slices.map((s) => s.endpoints),
      changes,
      locate: (uid) => {
        const s = st.where.get(uid);
        return s === undefined ? undefined : index.get(s);
      },
      keyOf: (e) => e.targetRef.uid,
      equal: sameEndpoint,
      max: this.maxEndpointsPerSlice,
    });
    for (const [uid, e] of changes) if (e === undefined) st.where.delete(uid);
    if (st.where.size === 0 && listedNow.length === 0) st.named = [];
    const ports = this.portsOf(svc, st, listedNow);
    const portsChanged = st.slices.some((s) => !samePorts(s.ports, ports));
    if (st.slices.length === 0 && plan.creates.length === 0) plan.creates.push([]); // the placeholder
    // writes: creates, then updates, then deletes (upstream's finalize order)
    for (const endpoints of plan.creates) {
      const slice = this.ctx.store.create<'EndpointSlice'>({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: this.nextName(svc, st),
          namespace,
          labels: { [SERVICE_NAME_LABEL]: svc.metadata.name, [MANAGED_BY_LABEL]: MANAGED_BY },
          ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, uid: svc.metadata.uid, controller: true }],
        },
        addressType: 'IPv4',
        endpoints,
        ports,
      });
      st.slices.push(slice);
      for (const e of endpoints) st.where.set(e.targetRef.uid, slice);
    }
    for (let i = 0; i < st.slices.length; i++) {
      const slice = st.slices[i]!;
      if (!index.has(slice)) continue; // created by this sync, with these ports
      const next = plan.updates.get(index.get(slice)!);
      if (next === undefined && (!portsChanged || plan.deletes.includes(index.get(slice) ?? -1))) continue;
      if (next !== undefined) {
        slice.endpoints = next;
        for (const e of next) st.where.set(e.targetRef.uid, slice);
      }
      slice.ports = ports;
      this.ctx.store.update(slice);
    }
    if (plan.deletes.length > 0) {
      const doomed = new Set(plan.deletes.map((i) => st.slices[i]!));
      st.slices = st.slices.filter((s) => !doomed.has(s));
      for (const slice of doomed) this.remove(slice);
    }
  }

  private remove(slice: EndpointSlice): void {
    this.removing = slice;
    this.ctx.store.remove(slice);
    this.removing = undefined;
  }

  private nextName(svc: Service, st: ServiceSlices): string {
    for (;;) {
      const name = sliceNameFor(svc, st.made++);
      if (this.ctx.store.get('EndpointSlice', name, svc.metadata.namespace) === undefined) return name;
    }
  }

  /** The slice ports: a named targetPort is resolved from a listed pod's container ports, and kept. */
  private portsOf(svc: Service, st: ServiceSlices, listedNow: Pod[]): EndpointSlice['ports'] {
    return svc.spec.ports.map((sp, i) => {
      const target = sp.targetPort ?? sp.port;
      let port: number | undefined;
      if (typeof target === 'number') port = target;
      else if (/^\d+$/.test(target)) port = Number(target);
      else port = st.named[i] ??= resolveTargetPort(target, listedNow);
      const out: { name?: string; port: number; protocol?: string } = { port: port ?? sp.port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name !== undefined) out.name = sp.name;
      return out;
    });
  }
}

function samePorts(a: EndpointSlice['ports'], b: EndpointSlice['ports']): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.port !== b[i]!.port || a[i]!.name !== b[i]!.name || a[i]!.protocol !== b[i]!.protocol) return false;
  return true;
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
