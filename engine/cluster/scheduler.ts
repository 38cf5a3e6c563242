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

interface Usage {
  fit: PodRequests;
  score: PodRequests;
}

/** Nodes a pod's tolerations and nodeSelector allow (indices in name order), and why the others were filtered. */
interface StaticFilter {
  nodes: number[];
  reasons: Map<string, number>;
}

export class Scheduler {
  private readonly queue: WorkQueue;
  /** The pods waiting for a node, oldest first (kept by the Pod watch: `retry` is O(1), not O(pods)). */
  private readonly unbound = new Map<string, Pod>();
  /** Requests of the pods bound to each node, and what each counted pod added (kept by the Pod watch). */
  private readonly usage = new Map<string, Usage>();
  private readonly counted = new Map<string, { node: string; fit: PodRequests; score: PodRequests }>();

  constructor(private readonly ctx: ClusterContext) {
    this.queue = new WorkQueue(ctx.sim, () => ctx.config.controllerDelay, () => this.cycle());
    for (const p of ctx.store.list('Pod')) this.track('ADDED', p);
    ctx.store.watch('Pod', (type, pod) => this.track(type, pod));
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

  /** Keeps `unbound` and the per-node requests (a pod counts on its node until terminal or gone). O(1). */
  private track(type: string, pod: Pod): void {
    const uid = pod.metadata.uid;
    if (type !== 'DELETED' && isUnbound(pod)) this.unbound.set(uid, pod);
    else this.unbound.delete(uid);
    const node = pod.spec.nodeName;
    const counts = type !== 'DELETED' && node !== undefined && pod.status.phase !== 'Succeeded' && pod.status.phase !== 'Failed';
    const c = this.counted.get(uid);
    if (c !== undefined && (!counts || c.node !== node)) {
      const u = this.usageOf(c.node);
      sub(u.fit, c.fit);
      sub(u.score, c.score);
      this.counted.delete(uid);
    }
    if (counts && !this.counted.has(uid)) {
      const entry = { node: node!, fit: podRequests(pod), score: scoringRequests(pod) };
      const u = this.usageOf(entry.node);
      add(u.fit, entry.fit);
      add(u.score, entry.score);
      this.counted.set(uid, entry);
    }
  }

  private usageOf(node: string): Usage {
    let u = this.usage.get(node);
    if (u === undefined) this.usage.set(node, (u = { fit: { cpu: 0, memory: 0 }, score: { cpu: 0, memory: 0 } }));
    return u;
  }

  /** Queues a cycle if some pod is waiting (capacity may have appeared). */
  private retry(): void {
    if (this.unbound.size > 0) this.queue.add(CYCLE);
  }

  /** One cycle: every waiting pod, oldest first. O(waiting pods × nodes), not O(all pods). */
  private cycle(): void {
    if (this.unbound.size === 0) return;
    const nodes = [...this.ctx.store.list('Node')].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
    // the nodes' allocatable and bound requests as flat arrays for this cycle (kept up to date as pods are placed)
    const k = nodes.length;
    const t: NodeTable = { nodes, allocCpu: new Float64Array(k), allocMemory: new Float64Array(k), fitCpu: new Float64Array(k), fitMemory: new Float64Array(k), scoreCpu: new Float64Array(k), scoreMemory: new Float64Array(k) };
    nodes.forEach((n, i) => {
      const u = this.usageOf(n.metadata.name);
      t.allocCpu[i] = n.status.allocatable.cpu;
      t.allocMemory[i] = n.status.allocatable.memory;
      t.fitCpu[i] = u.fit.cpu;
      t.fitMemory[i] = u.fit.memory;
      t.scoreCpu[i] = u.score.cpu;
      t.scoreMemory[i] = u.score.memory;
    });
    const filters = new Map<string, StaticFilter>();
    for (const pod of [...this.unbound.values()]) {
      if (!isUnbound(pod)) continue;
      const key = JSON.stringify([pod.spec.tolerations ?? null, pod.spec.nodeSelector ?? null]);
      let f = filters.get(key);
      if (f === undefined) filters.set(key, (f = staticFilter(pod, nodes)));
      this.schedule(pod, t, f);
    }
  }

  private schedule(pod: Pod, t: NodeTable, filter: StaticFilter): void {
    const req = podRequests(pod);
    const sreq = scoringRequests(pod);
    let noCpu = 0, noMemory = 0;
    let best = -1;
    let bestScore = 0;
    const candidates = filter.nodes;
    for (let c = 0; c < candidates.length; c++) {
      const i = candidates[c]!;
      const allocCpu = t.allocCpu[i]!, allocMemory = t.allocMemory[i]!;
      const cpuShort = t.fitCpu[i]! + req.cpu > allocCpu + 1e-9;
      const memoryShort = t.fitMemory[i]! + req.memory > allocMemory;
      if (cpuShort) noCpu++;
      if (memoryShort) noMemory++;
      if (cpuShort || memoryShort) continue;
      const score = (free(allocCpu, t.scoreCpu[i]!, sreq.cpu) + free(allocMemory, t.scoreMemory[i]!, sreq.memory)) / 2;
      if (best < 0 || score > bestScore + 1e-12) {
        best = i;
        bestScore = score;
      }
    }
    const now = this.ctx.sim.now;
    const name = pod.metadata.name;
    if (best < 0) {
      const reasons = new Map(filter.reasons);
      if (noCpu > 0) reasons.set('Insufficient cpu', noCpu);
      if (noMemory > 0) reasons.set('Insufficient memory', noMemory);
      const parts = [...reasons.entries()].map(([r, n]) => `${n} ${r}`).sort();
      const message = `0/${t.nodes.length} nodes are available${parts.length > 0 ? ': ' + parts.join(', ') : ''}.`;
      setCondition(pod.status.conditions, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }, now);
      this.ctx.store.update(pod);
      this.ctx.events.warning('Pod', name, 'FailedScheduling', message);
      return;
    }
    const nodeName = t.nodes[best]!.metadata.name;
    t.fitCpu[best] = t.fitCpu[best]! + req.cpu;
    t.fitMemory[best] = t.fitMemory[best]! + req.memory;
    t.scoreCpu[best] = t.scoreCpu[best]! + sreq.cpu;
    t.scoreMemory[best] = t.scoreMemory[best]! + sreq.memory;
    pod.spec.nodeName = nodeName;
    setCondition(pod.status.conditions, { type: 'PodScheduled', status: 'True' }, now);
    this.ctx.events.normal('Pod', name, 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${name} to ${nodeName}`);
    this.ctx.store.update(pod); // the Pod watch counts its requests on the node
  }
}

/** The nodes of one cycle (by name) and their figures, indexed alike. */
interface NodeTable {
  nodes: Node[];
  allocCpu: Float64Array;
  allocMemory: Float64Array;
  fitCpu: Float64Array;
  fitMemory: Float64Array;
  scoreCpu: Float64Array;
  scoreMemory: Float64Array;
}

/** The filters that depend on the node and the pod's template only (cordon, taints, readiness, nodeSelector). */
function staticFilter(pod: Pod, nodes: readonly Node[]): StaticFilter {
  const reasons = new Map<string, number>();
  const reason = (r: string): void => void reasons.set(r, (reasons.get(r) ?? 0) + 1);
  const out: number[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
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
    out.push(i);
  }
  return { nodes: out, reasons };
}

function free(cap: number, usedNow: number, r: number): number {
  return cap > 0 ? Math.max(0, cap - usedNow - r) / cap : 0;
}

function isUnbound(p: Pod): boolean {
  return p.spec.nodeName === undefined && p.metadata.deletionTimestamp === undefined && p.status.phase === 'Pending';
}

function add(to: PodRequests, x: PodRequests): void {
  to.cpu += x.cpu;
  to.memory += x.memory;
}

function sub(from: PodRequests, x: PodRequests): void {
  from.cpu -= x.cpu;
  from.memory -= x.memory;
}
