import type { ClusterContext } from '../context.js';
import type { Pod, PodPhase, ReplicaSet, ReplicaSetStatus } from '../objects.js';
import { controllerOf, getCondition, isPodActive, isPodReady } from '../objects.js';
import { deletePod, nameSuffix, podFromTemplate } from '../pods.js';
import { objectKey } from '../store.js';
import { WorkQueue } from '../workqueue.js';
import { ReplicaSetPods } from './replicaset-pods.js';
import { hash53 } from '../../kernel/random.js';

/**
 * The ReplicaSet controller (kubernetes-semantics.md §1.4, §1.5, §3).
 *
 * Keeps the number of ACTIVE pods (no deletionTimestamp, not Succeeded/Failed) equal to spec.replicas:
 * creates the shortfall at once, deletes the excess ranked by §3.1, and writes status.replicas /
 * readyReplicas / availableReplicas / observedGeneration.
 *
 * Approximations (documented):
 * - Creates are issued all in one sync, capped at 500 per sync (BurstReplicas); the slow-start
 *   batches 1, 2, 4, … only matter when creates fail, which the model never does, so they are not modelled.
 * - §3.1 step 6/8 follow LogarithmicScaleDown (on by default since 1.22, locked on since 1.31): ready
 *   and creation times are ranked by floor(log2(age in nanoseconds)) against the controller's clock,
 *   at the API's 1 s timestamp resolution, and pods in one bucket are ordered by UID (upstream's
 *   pseudo-random tie-break; the model's UIDs are deterministic, so runs stay reproducible).
 * - Availability (§1.5): the real controller re-syncs minReadySeconds + 1 s after a pod turns Ready
 *   ("to avoid milliseconds skew"). Here it re-syncs at exactly Ready.lastTransitionTime + minReadySeconds,
 *   so a pod counts as available at ready + minReadySeconds (+ the controller's reaction delay), the
 *   lower end of the sheet's "+≤1 s" window.
 */

export const BURST_REPLICAS = 500;
export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

/** What the §3.1 victim ranking looks at, per candidate pod. */
export interface VictimInfo {
  name: string;
  nodeName: string | undefined;
  phase: PodPhase;
  ready: boolean;
  /** Ready condition's lastTransitionTime when ready. */
  readyTime: number | undefined;
  /** pod-deletion-cost annotation (default 0). */
  deletionCost: number;
  /** Active pods of the same owner family on the pod's node (§3.1 step 5). */
  relatedOnNode: number;
  /** Max container restart count. */
  restartCount: number;
  createdAt: number;
  /** metadata.uid: the tie-break within one logarithmic age bucket. */
  uid?: string;
}

const PHASE_RANK: Record<PodPhase, number> = { Pending: 0, Unknown: 1, Running: 2, Succeeded: 3, Failed: 3 };

/**
 * logarithmicRankDiff (controller_utils.go): the difference of floor(log2(now − t)) of two times, with
 * now − t in nanoseconds (a Go time.Duration) and t at the API's whole-second resolution (metav1.Time
 * is serialised as RFC 3339 seconds); −1 for a time not in the past.
 */
export function logarithmicRankDiff(t1: number, t2: number, now: number): number {
  const rank = (t: number) => {
    const d = (now - Math.floor(t)) * 1e9;
    return d > 0 ? Math.floor(Math.log2(d)) : -1;
  };
  return rank(t1) - rank(t2);
}

/** Step 6/8 with LogarithmicScaleDown: negative when `a` goes first (newer bucket, then smaller UID). */
function byLogAge(ta: number, tb: number, a: VictimInfo, b: VictimInfo, now: number | undefined): number {
  if (now === undefined) return tb - ta; // no clock (upstream: s.Now.IsZero()): exact, newer first
  const diff = logarithmicRankDiff(ta, tb, now);
  if (diff !== 0) return diff;
  const ua = a.uid ?? '', ub = b.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/**
 * §3.1 ActivePodsWithRanks.Less: negative when `a` should be deleted before `b`. `now` is the
 * controller's clock (ActivePodsWithRanks.Now): with it, steps 6 and 8 are LogarithmicScaleDown's.
 */
export function compareVictims(a: VictimInfo, b: VictimInfo, now?: number): number {
  const pair = [a, b];
  const age = (t: (v: VictimInfo) => number) => (x: number, y: number) => byLogAge(t(pair[x]!), t(pair[y]!), pair[x]!, pair[y]!, now);
  return compareRanked(pair, 0, 1, age((v) => v.readyTime ?? 0), age((v) => v.createdAt));
}

/** §3.1 on pods[x] and pods[y] (negative: x goes first), steps 6 and 8 (ages) by the comparators given. */
function compareRanked(pods: readonly VictimInfo[], x: number, y: number, byReadyAge: (x: number, y: number) => number, byCreatedAge: (x: number, y: number) => number): number {
  const a = pods[x]!, b = pods[y]!;
  // 1. unscheduled first
  const aSched = a.nodeName !== undefined, bSched = b.nodeName !== undefined;
  if (aSched !== bSched) return aSched ? 1 : -1;
  // 2. Pending < Unknown < Running
  if (PHASE_RANK[a.phase] !== PHASE_RANK[b.phase]) return PHASE_RANK[a.phase] - PHASE_RANK[b.phase];
  // 3. not ready first
  if (a.ready !== b.ready) return a.ready ? 1 : -1;
  // 4. lower deletion cost first
  if (a.deletionCost !== b.deletionCost) return a.deletionCost - b.deletionCost;
  // 5. more related pods on the same node first
  if (a.relatedOnNode !== b.relatedOnNode) return b.relatedOnNode - a.relatedOnNode;
  // 6. both ready: more recently ready first (log2 buckets of age, then UID)
  if (a.ready && b.ready && a.readyTime !== b.readyTime) {
    const c = byReadyAge(x, y);
    if (c !== 0) return c;
  }
  // 7. higher restart count first
  if (a.restartCount !== b.restartCount) return b.restartCount - a.restartCount;
  // 8. newer first (log2 buckets of age, then UID)
  if (a.createdAt !== b.createdAt) return byCreatedAge(x, y);
  return 0; // 9. keep order (Array.prototype.sort is stable)
}

/** The candidates in deletion order (first = deleted first). */
export function rankVictims<T extends VictimInfo>(pods: readonly T[], now?: number): T[] {
  return [...pods].sort((a, b) => compareVictims(a, b, now));
}

/**
 * The first `count` of `rankVictims(pods, now)`, in that order, in O(n log count) comparisons with each
 * pod's logarithmic age buckets computed once (a scale-down by BurstReplicas of a large ReplicaSet
 * would otherwise sort all of its pods with two log2 per comparison, at every sync).
 */
export function selectVictims<T extends VictimInfo>(pods: readonly T[], count: number, now?: number): T[] {
  if (count <= 0) return [];
  const n = pods.length;
  const timed = now !== undefined;
  const bucket = (t: number): number => {
    const d = (now! - Math.floor(t)) * 1e9;
    return d > 0 ? Math.floor(Math.log2(d)) : -1;
  };
  const readyB = new Int32Array(n), createdB = new Int32Array(n);
  if (timed) {
    for (let i = 0; i < n; i++) {
      const p = pods[i]!;
      if (p.ready) readyB[i] = bucket(p.readyTime ?? 0);
      createdB[i] = bucket(p.createdAt);
    }
  }
  const uid = (a: VictimInfo, b: VictimInfo): number => {
    const ua = a.uid ?? '', ub = b.uid ?? '';
    return ua < ub ? -1 : ua > ub ? 1 : 0;
  };
  // compareVictims with the buckets precomputed, then the input order (the stable sort's)
  const byReady = timed ? (x: number, y: number) => readyB[x]! - readyB[y]! || uid(pods[x]!, pods[y]!) : (x: number, y: number) => (pods[y]!.readyTime ?? 0) - (pods[x]!.readyTime ?? 0);
  const byCreated = timed ? (x: number, y: number) => createdB[x]! - createdB[y]! || uid(pods[x]!, pods[y]!) : (x: number, y: number) => pods[y]!.createdAt - pods[x]!.createdAt;
  const cmp = (x: number, y: number): number => compareRanked(pods, x, y, byReady, byCreated) || x - y;
  const order = (idx: number[]): T[] => idx.sort(cmp).map((i) => pods[i]!);
  if (count >= n) return order(Array.from({ length: n }, (_, i) => i));
  // a max-heap (by cmp) of the best `count` so far: its top is the first to give way
  const heap: number[] = [];
  for (let k = 0; k < n; k++) {
    if (heap.length < count) {
      heap.push(k);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (cmp(heap[i]!, heap[parent]!) <= 0) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
    } else if (cmp(k, heap[0]!) < 0) {
      heap[0] = k;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const c = l + 1 < heap.length && cmp(heap[l + 1]!, heap[l]!) > 0 ? l + 1 : l;
        if (cmp(heap[c]!, heap[i]!) <= 0) break;
        [heap[c], heap[i]] = [heap[i]!, heap[c]!];
        i = c;
      }
    }
  }
  return order(heap);
}

function deletionCost(pod: Pod): number {
  const v = Number(pod.metadata.annotations[POD_DELETION_COST] ?? '0');
  return Number.isInteger(v) ? v : 0;
}

export class ReplicaSetController {
  private readonly queue: WorkQueue;
  /** Per-RS counter for generated pod names. */
  private readonly counters = new Map<string, number>();
  /** Availability re-checks already scheduled, per RS key. */
  private readonly availabilityChecks = new Map<string, Set<number>>();
  /** Each RS's pods and status counts, kept from pod events. */
  private readonly pods = new ReplicaSetPods();
  /** §3.1 facts of each pod as of its last event (relatedOnNode filled in at each ranking). */
  private readonly victimInfos = new Map<Pod, VictimInfo & { pod: Pod }>();

  constructor(private readonly ctx: ClusterContext) {
    this.queue = new WorkQueue(ctx.sim, () => ctx.config.controllerDelay, (key) => this.sync(key));
    ctx.store.watch('ReplicaSet', (type, rs) => {
      const key = objectKey(rs.metadata);
      if (type === 'DELETED') {
        this.counters.delete(rs.metadata.uid);
        this.availabilityChecks.delete(key);
        this.pods.forget(rs.metadata.uid);
      } else this.queue.add(key);
    });
    ctx.store.watch('Pod', (_type, pod) => {
      const owner = controllerOf(pod.metadata);
      if (owner?.kind !== 'ReplicaSet') return;
      this.pods.touch(pod);
      this.victimInfos.delete(pod);
      this.queue.add(objectKey({ namespace: pod.metadata.namespace, name: owner.name }));
    });
  }

  /** One sync of the ReplicaSet `namespace/name`. */
  sync(key: string): void {
    const slash = key.indexOf('/');
    const rs = this.ctx.store.get('ReplicaSet', key.slice(slash + 1), key.slice(0, slash));
    if (rs === undefined || rs.metadata.deletionTimestamp !== undefined) return;
    const diff = this.counts(key, rs).replicas - rs.spec.replicas;
    if (diff < 0) this.createPods(rs, Math.min(-diff, BURST_REPLICAS));
    else if (diff > 0) this.deletePods(rs, this.pods.active(rs.metadata.uid), Math.min(diff, BURST_REPLICAS));
    this.updateStatus(key, rs);
  }

  /** A deterministic fresh name `<rs>-<5 chars>` from hash53(rs name + counter). */
  private podName(rs: ReplicaSet): string {
    const uid = rs.metadata.uid;
    for (;;) {
      const n = this.counters.get(uid) ?? 0;
      this.counters.set(uid, n + 1);
      const name = `${rs.metadata.name}-${nameSuffix(hash53(`${rs.metadata.name}/${n}`))}`;
      if (this.ctx.store.get('Pod', name, rs.metadata.namespace) === undefined) return name;
    }
  }

  private createPods(rs: ReplicaSet, count: number): void {
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true };
    for (let i = 0; i < count; i++) {
      const name = this.podName(rs);
      this.ctx.store.create<'Pod'>(podFromTemplate(name, rs.metadata.namespace, rs.spec.template, owner));
      this.ctx.events.normal('ReplicaSet', rs.metadata.name, 'SuccessfulCreate', `Created pod: ${name}`);
    }
  }

  private deletePods(rs: ReplicaSet, active: Pod[], count: number): void {
    const victims = count >= active.length ? active : this.rank(rs, active, count);
    for (const pod of victims) {
      if (deletePod(this.ctx, pod)) this.ctx.events.normal('ReplicaSet', rs.metadata.name, 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
    }
  }

  /** The first `count` of this RS's active pods in §3.1 order. */
  private rank(rs: ReplicaSet, active: Pod[], count: number): Pod[] {
    const perNode = this.relatedPerNode(rs);
    const infos = active.map((pod) => {
      let info = this.victimInfos.get(pod);
      if (info === undefined) this.victimInfos.set(pod, (info = victimInfo(pod)));
      info.relatedOnNode = info.nodeName === undefined ? 0 : perNode.get(info.nodeName) ?? 0;
      return info;
    });
    return selectVictims(infos, count, this.ctx.sim.now).map((i) => i.pod);
  }

  /** §3.1 step 5: active pods per node of all RSs with the same controller owner as `rs` (or of `rs` alone). */
  private relatedPerNode(rs: ReplicaSet): Map<string, number> {
    const owner = controllerOf(rs.metadata);
    const family = owner === undefined
      ? [rs]
      : this.ctx.store.ownedBy('ReplicaSet', owner.uid).filter((r) => controllerOf(r.metadata)?.uid === owner.uid);
    const perNode = new Map<string, number>();
    for (const r of family) {
      this.counts(objectKey(r.metadata), r);
      this.pods.addPerNode(r.metadata.uid, perNode);
    }
    return perNode;
  }

  /** The RS's counts now (its changed pods re-evaluated; O(changed pods)). */
  private counts(key: string, rs: ReplicaSet) {
    const ns = rs.metadata.namespace;
    return this.pods.refresh(
      rs.metadata.uid,
      rs.spec.minReadySeconds,
      this.ctx.sim.now,
      (pod) => this.ctx.store.get('Pod', pod.metadata.name, ns) === pod,
      (_pod, at) => this.scheduleAvailabilityCheck(key, at), // §1.5
    );
  }

  private updateStatus(key: string, rs: ReplicaSet): void {
    const c = this.counts(key, rs);
    const next: ReplicaSetStatus = {
      replicas: c.replicas,
      fullyLabeledReplicas: c.replicas,
      readyReplicas: c.readyReplicas,
      availableReplicas: c.availableReplicas,
      observedGeneration: rs.metadata.generation,
    };
    const cur = rs.status;
    if (
      cur.replicas === next.replicas &&
      cur.fullyLabeledReplicas === next.fullyLabeledReplicas &&
      cur.readyReplicas === next.readyReplicas &&
      cur.availableReplicas === next.availableReplicas &&
      cur.observedGeneration === next.observedGeneration
    ) return;
    rs.status = next;
    this.ctx.store.update(rs);
  }

  /** Re-sync when a Ready pod reaches minReadySeconds (at exactly ready + minReadySeconds; see above). */
  private scheduleAvailabilityCheck(key: string, at: number): void {
    if (at <= this.ctx.sim.now || !Number.isFinite(at)) return;
    let set = this.availabilityChecks.get(key);
    if (set === undefined) this.availabilityChecks.set(key, (set = new Set()));
    if (set.has(at)) return;
    set.add(at);
    this.ctx.sim.schedule(at, () => {
      set.delete(at);
      this.queue.add(key);
    });
  }
}

/** The §3.1 facts of a pod (relatedOnNode left 0: it depends on the other pods). */
function victimInfo(pod: Pod): VictimInfo & { pod: Pod } {
  const ready = getCondition(pod.status.conditions, 'Ready');
  const isReady = ready?.status === 'True';
  let restartCount = 0;
  for (const c of pod.status.containerStatuses) if (c.restartCount > restartCount) restartCount = c.restartCount;
  const node = pod.spec.nodeName;
  return {
    pod,
    name: pod.metadata.name,
    nodeName: node,
    phase: pod.status.phase,
    ready: isReady,
    readyTime: isReady ? ready.lastTransitionTime : undefined,
    deletionCost: deletionCost(pod),
    relatedOnNode: 0,
    restartCount,
    createdAt: pod.metadata.creationTimestamp,
    uid: pod.metadata.uid,
  };
}
