import type { ClusterContext } from './context.js';
import type { Node, Pod, Taint } from './objects.js';
import { getCondition, setCondition } from './objects.js';
import { deletePod } from './pods.js';
import { evictPod } from './disruption.js';
import {
  TAINT_UNREACHABLE,
  addNode,
  getNode,
  machines,
  podsOnNode,
  tolerationSecondsFor,
  type NodeSpecInput,
} from './nodes.js';

export { addNode, type NodeSpecInput };

/**
 * The node lifecycle controller (§6.1) and the node actions (fail, recover, cordon, drain).
 *
 * Every `nodeMonitorPeriod` (5 s) it compares each node's last Lease renewal (written by the kubelet
 * every `nodeLeaseRenewPeriod` while the machine is up) with `nodeMonitorGracePeriod` (50 s). When a
 * node's heartbeat is older than that: Ready=Unknown ("Kubelet stopped posting node status."), taints
 * `node.kubernetes.io/unreachable` NoSchedule + NoExecute, and every pod on it gets Ready=False
 * (MarkPodsNotReady) so endpoints stop routing to it. NoExecute taints evict pods once their toleration
 * runs out: the pod's own tolerationSeconds, or the default 300 s the DefaultTolerationSeconds admission
 * adds (§6.1). Eviction is a graceful delete; on a dead node the kubelet cannot finish it, so the pod
 * object stays Terminating (its ReplicaSet replaces it at once). When heartbeats resume the node turns
 * Ready=True and the unreachable taints go.
 *
 * With the sheet's defaults and a crash right after a renewal at t0: pods Ready until t0 + 50…55 s,
 * deleted at ≈ t0 + 350…355 s. Eviction rate limits (0.1 nodes/s, zone thresholds) are not modelled.
 */
export class NodeLifecycleController {
  /** Pod uid → time its taint eviction is scheduled for. */
  private readonly evictionAt = new Map<string, number>();

  constructor(private readonly ctx: ClusterContext) {
    const period = ctx.config.nodeMonitorPeriod;
    const start = ctx.sim.now;
    const tick = (k: number): void => {
      this.monitor();
      ctx.sim.schedule(start + (k + 1) * period, tick, k + 1);
    };
    ctx.sim.schedule(start + period, tick, 1);
  }

  failNode(name: string): void {
    failNode(this.ctx, name);
  }

  recoverNode(name: string): void {
    recoverNode(this.ctx, name);
  }

  drainNode(name: string): DrainResult {
    return drainNode(this.ctx, name);
  }

  /** One pass of the monitor loop (§6.1 monitorNodeHealth). */
  private monitor(): void {
    const now = this.ctx.sim.now;
    const grace = this.ctx.config.nodeMonitorGracePeriod;
    const m = machines(this.ctx);
    for (const node of this.ctx.store.list('Node')) {
      const name = node.metadata.name;
      const renewed = m.leaseRenewTime(name) ?? node.metadata.creationTimestamp;
      const ready = getCondition(node.status.conditions, 'Ready');
      const stale = renewed + grace < now;
      if (stale && ready?.status !== 'Unknown') this.markUnreachable(node);
      else if (!stale && ready?.status === 'Unknown') this.markReachable(node);
      if (node.spec.taints.some((t) => t.effect === 'NoExecute')) this.evictTainted(node);
    }
  }

  private markUnreachable(node: Node): void {
    const now = this.ctx.sim.now;
    const name = node.metadata.name;
    const wasReady = getCondition(node.status.conditions, 'Ready')?.status === 'True';
    setCondition(
      node.status.conditions,
      { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastUpdateTime: now },
      now,
    );
    for (const effect of ['NoSchedule', 'NoExecute'] as const) {
      if (!node.spec.taints.some((t) => t.key === TAINT_UNREACHABLE && t.effect === effect)) {
        node.spec.taints.push({ key: TAINT_UNREACHABLE, effect, timeAdded: now });
      }
    }
    this.ctx.store.update(node);
    this.ctx.events.normal('Node', name, 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    if (!wasReady) return;
    // MarkPodsNotReady on the Ready True → Unknown transition (§6.1).
    for (const pod of podsOnNode(this.ctx, name)) {
      if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') continue;
      if (setCondition(pod.status.conditions, { type: 'Ready', status: 'False', reason: 'NodeNotReady' }, now)) {
        this.ctx.store.update(pod);
        this.ctx.events.warning('Pod', pod.metadata.name, 'NodeNotReady', 'Node is not ready');
      }
    }
  }

  private markReachable(node: Node): void {
    const now = this.ctx.sim.now;
    const name = node.metadata.name;
    setCondition(
      node.status.conditions,
      { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastUpdateTime: now },
      now,
    );
    node.spec.taints = node.spec.taints.filter((t) => t.key !== TAINT_UNREACHABLE);
    this.ctx.store.update(node);
    this.ctx.events.normal('Node', name, 'NodeReady', `Node ${name} status is now: NodeReady`);
  }

  /** Taint-based eviction (§6.1): delete each pod when its shortest applicable toleration runs out. */
  private evictTainted(node: Node): void {
    const now = this.ctx.sim.now;
    const taints = node.spec.taints.filter((t) => t.effect === 'NoExecute');
    for (const pod of podsOnNode(this.ctx, node.metadata.name)) {
      if (pod.metadata.deletionTimestamp !== undefined) continue;
      const at = evictionTime(pod, taints, now, this.ctx.config.defaultTolerationSeconds);
      if (at === Infinity) continue;
      if (at <= now) {
        this.evict(pod);
        continue;
      }
      const uid = pod.metadata.uid;
      if (this.evictionAt.get(uid) === at) continue;
      this.evictionAt.set(uid, at);
      this.ctx.sim.schedule(at, () => {
        if (this.evictionAt.get(uid) !== at) return;
        this.evictionAt.delete(uid);
        const n = pod.spec.nodeName === undefined ? undefined : getNode(this.ctx, pod.spec.nodeName);
        if (n === undefined || pod.metadata.deletionTimestamp !== undefined) return;
        if (evictionTime(pod, n.spec.taints.filter((t) => t.effect === 'NoExecute'), this.ctx.sim.now, this.ctx.config.defaultTolerationSeconds) <= this.ctx.sim.now) {
          this.evict(pod);
        }
      });
    }
  }

  private evict(pod: Pod): void {
    if (this.ctx.store.get('Pod', pod.metadata.name, pod.metadata.namespace) !== pod) return;
    this.evictionAt.delete(pod.metadata.uid);
    this.ctx.events.normal('Pod', pod.metadata.name, 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`);
    deletePod(this.ctx, pod);
  }
}

/** When a pod must leave a node with these NoExecute taints (Infinity: tolerated for ever). */
function evictionTime(pod: Pod, taints: Taint[], now: number, defaultSeconds: number): number {
  let at = Infinity;
  for (const t of taints) {
    const secs = tolerationSecondsFor(pod, t, defaultSeconds);
    at = Math.min(at, (t.timeAdded ?? now) + secs);
  }
  return at;
}

// ---------------------------------------------------------------------------------------------
// Node actions (kubectl / chaos vocabulary)

/** The machine dies: its kubelet stops heartbeating and its containers stop serving (blackhole). */
export function failNode(ctx: ClusterContext, name: string): void {
  requireNode(ctx, name);
  machines(ctx).setUp(name, false);
  ctx.events.warning('Node', name, 'NodeFailure', `node/${name} stopped (machine down)`);
}

/** The machine comes back: heartbeats resume, the kubelet restarts its pods, removes deleted ones. */
export function recoverNode(ctx: ClusterContext, name: string): void {
  requireNode(ctx, name);
  machines(ctx).setUp(name, true);
  ctx.events.normal('Node', name, 'NodeRecovered', `node/${name} started (machine up)`);
}

/** kubectl cordon: spec.unschedulable = true. */
export function cordonNode(ctx: ClusterContext, name: string): void {
  const node = requireNode(ctx, name);
  if (node.spec.unschedulable) return;
  node.spec.unschedulable = true;
  ctx.store.update(node);
  ctx.events.normal('Node', name, 'NodeNotSchedulable', `node/${name} cordoned`);
}

/** kubectl uncordon. */
export function uncordonNode(ctx: ClusterContext, name: string): void {
  const node = requireNode(ctx, name);
  if (!node.spec.unschedulable) return;
  node.spec.unschedulable = false;
  ctx.store.update(node);
  ctx.events.normal('Node', name, 'NodeSchedulable', `node/${name} uncordoned`);
}

export interface DrainResult {
  /** Pods whose eviction was requested (namespace/name). */
  evicted: string[];
}

/** kubectl drain's pause between refused evictions ("will retry after 5s", §6.2). */
export const DRAIN_RETRY_SECONDS = 5;

/**
 * kubectl drain (§6.2): cordon, then evict every pod on the node through the Eviction API
 * (disruption.ts), all at once; an eviction refused by a PodDisruptionBudget (429) is retried every
 * 5 s until it is allowed (kubectl's default --timeout is infinite: here the end of the run). An
 * evicted pod is deleted gracefully (terminationGracePeriodSeconds). "pod/x evicted" is logged when a
 * pod's object is gone and "node/x drained" when all are.
 */
export function drainNode(ctx: ClusterContext, name: string): DrainResult {
  cordonNode(ctx, name);
  const victims = podsOnNode(ctx, name).filter(
    (p) => p.metadata.deletionTimestamp === undefined && p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed',
  );
  const waiting = new Set(victims.map((p) => p.metadata.uid));
  const finish = (): void => {
    unwatch();
    ctx.events.normal('Node', name, 'Drained', `node/${name} drained`);
  };
  const unwatch = ctx.store.watch('Pod', (type, pod) => {
    if (type !== 'DELETED' || !waiting.delete(pod.metadata.uid)) return;
    ctx.events.normal('Pod', pod.metadata.name, 'Evicted', `pod/${pod.metadata.name} evicted`);
    if (waiting.size === 0) finish();
  });
  const evicted: string[] = [];
  const attempt = (p: Pod): void => {
    if (!waiting.has(p.metadata.uid) || p.metadata.deletionTimestamp !== undefined) return;
    const r = evictPod(ctx, p);
    if (!r.allowed) ctx.sim.after(DRAIN_RETRY_SECONDS, () => attempt(p));
  };
  for (const p of victims) {
    const id = `${p.metadata.namespace}/${p.metadata.name}`;
    evicted.push(id);
    ctx.events.normal('Pod', p.metadata.name, 'Evicting', `evicting pod ${id}`);
    attempt(p);
  }
  if (waiting.size === 0) finish();
  return { evicted };
}

function requireNode(ctx: ClusterContext, name: string): Node {
  const node = getNode(ctx, name);
  if (node === undefined) throw new Error(`node ${name} not found`);
  return node;
}
