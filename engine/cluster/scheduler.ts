import type { ClusterContext } from './context.js';
import type { Node, Pod } from './objects.js';
import { getCondition, setCondition } from './objects.js';
import { untoleratedTaints } from './nodes.js';
import { WorkQueue } from './workqueue.js';

/**
 * The scheduler: binds Pending pods without a nodeName to a node.
 *
 * Filters: the node is schedulable (not cordoned), its Ready condition is True, the pod tolerates its
 * NoSchedule taints (§6.1: the unreachable/not-ready taints keep pods off failed nodes), nodeSelector
 * matches, and the sum of the pod's container requests fits in allocatable minus what the pods already
 * bound there request (terminating pods keep their resources until their object is gone).
 * Score: least allocated (mean free fraction of cpu and memory after placing the pod), ties broken by
 * node name. For scoring only, a container without requests counts as 100m cpu / 200 MiB, as the real
 * scheduler's non-zero defaults do, so request-less pods still spread across nodes.
 *
 * One scheduling cycle places every unbound pod, oldest first. A cycle runs `controllerDelay` after a
 * change that can make a pod schedulable: a new unbound pod, a pod gone or terminal (capacity freed),
 * a node added or modified. Unschedulable pods keep PodScheduled=False/Unschedulable and get a
 * FailedScheduling event per failed attempt ("0/3 nodes are available: 3 Insufficient cpu.").
 */

/** Scoring defaults for containers without requests (the scheduler's non-zero request defaults). */
const DEFAULT_SCORE_CPU = 0.1;
const DEFAULT_SCORE_MEMORY = 200 * 1024 * 1024;

export interface PodRequests {
  cpu: number;
  memory: number;
}

/** Sum of the pod's container requests (absent = 0). */
export function podRequests(pod: Pod): PodRequests {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec.containers) {
    cpu += c.resources?.requests?.cpu ?? 0;
    memory += c.resources?.requests?.memory ?? 0;
  }
  return { cpu, memory };
}

function scoringRequests(pod: Pod): PodRequests {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec.containers) {
    cpu += c.resources?.requests?.cpu ?? DEFAULT_SCORE_CPU;
    memory += c.resources?.requests?.memory ?? DEFAULT_SCORE_MEMORY;
  }
  return { cpu, memory };
}

const CYCLE = 'cycle';

export class Scheduler {
  private readonly queue: WorkQueue;
  /** Uids of the pods waiting for a node (kept by the Pod watch: `retry` is O(1), not O(pods)). */
  private readonly unbound = new Set<string>();

  constructor(private readonly ctx: ClusterContext) {
    this.queue = new WorkQueue(ctx.sim, () => ctx.config.controllerDelay, () => this.cycle());
    for (const p of ctx.store.list('Pod')) if (isUnbound(p)) this.unbound.add(p.metadata.uid);
    ctx.store.watch('Pod', (type, pod) => {
      if (type !== 'DELETED' && isUnbound(pod)) this.unbound.add(pod.metadata.uid);
      else this.unbound.delete(pod.metadata.uid);
    });
    ctx.store.watch('Pod', (type, pod) => {
      if (type === 'DELETED') {
        if (pod.spec.nodeName !== undefined) this.retry();
      } else if (pod.spec.nodeName === undefined) {
        if (type === 'ADDED' && pod.metadata.deletionTimestamp === undefined) this.queue.add(CYCLE);
      } else if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') {
        this.retry();
      }
    });
    ctx.store.watch('Node', () => this.retry());
    if (this.unbound.size > 0) this.queue.add(CYCLE);
  }

  /** Queues a cycle if some pod is waiting (capacity may have appeared). */
  private retry(): void {
    if (this.unbound.size > 0) this.queue.add(CYCLE);
  }

  private cycle(): void {
    const pods = this.ctx.store.list('Pod');
    const unbound = pods.filter(isUnbound);
    if (unbound.length === 0) return;
    const nodes = [...this.ctx.store.list('Node')].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
    const used = new Map<string, { fit: PodRequests; score: PodRequests }>();
    for (const n of nodes) used.set(n.metadata.name, { fit: { cpu: 0, memory: 0 }, score: { cpu: 0, memory: 0 } });
    for (const p of pods) {
      if (p.spec.nodeName === undefined || p.status.phase === 'Succeeded' || p.status.phase === 'Failed') continue;
      const u = used.get(p.spec.nodeName);
      if (u === undefined) continue;
      add(u.fit, podRequests(p));
      add(u.score, scoringRequests(p));
    }
    for (const pod of unbound) this.schedule(pod, nodes, used);
  }

  private schedule(pod: Pod, nodes: Node[], used: Map<string, { fit: PodRequests; score: PodRequests }>): void {
    const req = podRequests(pod);
    const sreq = scoringRequests(pod);
    const reasons = new Map<string, number>();
    const reason = (r: string): void => void reasons.set(r, (reasons.get(r) ?? 0) + 1);
    let best: { node: Node; score: number } | undefined;
    for (const node of nodes) {
      const u = used.get(node.metadata.name)!;
      if (node.spec.unschedulable) {
        reason('node(s) were unschedulable');
        continue;
      }
      const untolerated = untoleratedTaints(pod, node.spec.taints, 'NoSchedule');
      if (untolerated.length > 0) {
        const t = untolerated[0]!;
        reason(`node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`);
        continue;
      }
      if (getCondition(node.status.conditions, 'Ready')?.status !== 'True') {
        reason('node(s) were not ready');
        continue;
      }
      const sel = pod.spec.nodeSelector ?? {};
      if (Object.entries(sel).some(([k, v]) => node.metadata.labels[k] !== v)) {
        reason("node(s) didn't match Pod's node affinity/selector");
        continue;
      }
      const alloc = node.status.allocatable;
      let fits = true;
      if (u.fit.cpu + req.cpu > alloc.cpu + 1e-9) {
        reason('Insufficient cpu');
        fits = false;
      }
      if (u.fit.memory + req.memory > alloc.memory) {
        reason('Insufficient memory');
        fits = false;
      }
      if (!fits) continue;
      const free = (cap: number, usedNow: number, r: number): number => (cap > 0 ? Math.max(0, cap - usedNow - r) / cap : 0);
      const score = (free(alloc.cpu, u.score.cpu, sreq.cpu) + free(alloc.memory, u.score.memory, sreq.memory)) / 2;
      if (best === undefined || score > best.score + 1e-12) best = { node, score };
    }
    const now = this.ctx.sim.now;
    const name = pod.metadata.name;
    if (best === undefined) {
      const parts = [...reasons.entries()].map(([r, n]) => `${n} ${r}`).sort();
      const message = `0/${nodes.length} nodes are available${parts.length > 0 ? ': ' + parts.join(', ') : ''}.`;
      setCondition(pod.status.conditions, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }, now);
      this.ctx.store.update(pod);
      this.ctx.events.warning('Pod', name, 'FailedScheduling', message);
      return;
    }
    const nodeName = best.node.metadata.name;
    const u = used.get(nodeName)!;
    add(u.fit, req);
    add(u.score, sreq);
    pod.spec.nodeName = nodeName;
    setCondition(pod.status.conditions, { type: 'PodScheduled', status: 'True' }, now);
    this.ctx.events.normal('Pod', name, 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${name} to ${nodeName}`);
    this.ctx.store.update(pod);
  }
}

function isUnbound(p: Pod): boolean {
  return p.spec.nodeName === undefined && p.metadata.deletionTimestamp === undefined && p.status.phase === 'Pending';
}

function add(to: PodRequests, x: PodRequests): void {
  to.cpu += x.cpu;
  to.memory += x.memory;
}
