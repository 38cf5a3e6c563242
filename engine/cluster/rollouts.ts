import type { ClusterContext } from './context.js';
import { controllerOf, getCondition, type Deployment, type Pod, type Rollout } from './objects.js';
import { objectKey } from './store.js';
import { popByTime, pushByTime } from './timeheap.js';

/**
 * Exact rollout accounting per Deployment: every change to a pod, ReplicaSet or Deployment updates
 * that Deployment's counts, so the extremes are exact, never sampled. Counting is incremental — a pod
 * event moves that one pod's contribution (O(log pods): a pod that is Ready but not yet Available
 * waits in a heap for ready + minReadySeconds, the moment it turns Available without an event).
 *
 * A rollout starts when a Deployment's pod template changes (a new revision, §1.7) and ends when the
 * Deployment is complete (§1.4: updated == replicas == available == spec.replicas and the generation
 * observed). Counts, per the report contract:
 * - `maxPods`: all existing pods of the Deployment, terminating ones included;
 * - `maxActivePods`: non-terminating pods (what maxSurge bounds, §1.4);
 * - `minAvailable`: available (§1.5) non-terminating pods.
 * Outcomes: `complete`; `stalled` when Progressing turned False with ProgressDeadlineExceeded (§1.6) and
 * the rollout had not completed by the end; `aborted` when a newer template replaced it before it
 * completed (rollover, undo); `in_progress` when the run ended first.
 *
 * Argo Rollouts are counted the same way under the key `rollout:<namespace>/<name>` (target
 * `rollout/<name>`): a rollout starts when the pod template changes and ends when the Rollout is
 * Healthy on the new revision (`complete`) or is aborted (§8.3: `aborted`).
 */
export type RolloutOutcome = 'complete' | 'stalled' | 'aborted' | 'in_progress';

export interface RolloutRecord {
  /** `deployment/<name>` */
  target: string;
  startedAtS: number;
  completedAtS: number | null;
  durationS: number | null;
  maxPods: number;
  maxActivePods: number;
  minAvailable: number;
  outcome: RolloutOutcome;
}

interface Tracked {
  template: string;
  open: RolloutRecord | null;
  deadlineExceeded: boolean;
}

/** A pod's contribution to its Deployment's counts. */
interface PodCount {
  key: string;
  active: boolean;
  /** When it turns (or turned) Available; null unless active and Ready. */
  availableAt: number | null;
  counted: boolean;
}

/** Live counts of one Deployment's pods. */
interface Counts {
  all: number;
  active: number;
  available: number;
  minReadySeconds: number;
  /** Pods Ready but not yet Available, by availableAt (a binary min-heap; stale entries skipped). */
  pending: Array<{ at: number; uid: string }>;
}

export class RolloutTracker {
  readonly rollouts: RolloutRecord[] = [];
  private readonly tracked = new Map<string, Tracked>();
  private readonly counts = new Map<string, Counts>();
  private readonly pods = new Map<string, PodCount>();

  constructor(private readonly ctx: ClusterContext) {
    const { store } = ctx;
    store.watch('Deployment', (type, d) => {
      if (type === 'DELETED') return;
      this.observeDeployment(d);
    });
    store.watch('ReplicaSet', (_type, rs) => {
      const owner = controllerOf(rs.metadata);
      if (owner?.kind === 'Deployment') this.recount(objectKey({ namespace: rs.metadata.namespace, name: owner.name }));
      if (owner?.kind === 'Rollout') this.recount(rolloutKey(rs.metadata.namespace, owner.name));
    });
    store.watch('Rollout', (type, r) => {
      if (type !== 'DELETED') this.observeRollout(r);
    });
    for (const pod of store.list('Pod')) this.observePod('ADDED', pod);
    store.watch('Pod', (type, pod) => {
      const key = this.observePod(type, pod);
      if (key !== undefined) this.recount(key);
    });
  }

  /** Closes rollouts still open at the end of the run (outcome stalled or in_progress). */
  finish(): RolloutRecord[] {
    for (const t of this.tracked.values()) {
      if (t.open !== null) {
        t.open.outcome = t.deadlineExceeded ? 'stalled' : 'in_progress';
        t.open = null;
      }
    }
    return this.rollouts;
  }

  private observeDeployment(d: Deployment): void {
    const key = objectKey(d.metadata);
    this.countsOf(key).minReadySeconds = d.spec.minReadySeconds;
    const template = JSON.stringify(d.spec.template);
    let t = this.tracked.get(key);
    if (t === undefined) {
      // first sight: the state at t = 0 (or a newly applied Deployment) is not a rollout
      this.tracked.set(key, (t = { template, open: null, deadlineExceeded: false }));
    } else if (t.template !== template) {
      t.template = template;
      if (t.open !== null) {
        t.open.outcome = 'aborted';
      }
      t.deadlineExceeded = false;
      t.open = {
        target: `deployment/${d.metadata.name}`,
        startedAtS: this.ctx.sim.now,
        completedAtS: null,
        durationS: null,
        maxPods: 0,
        maxActivePods: 0,
        minAvailable: Infinity,
        outcome: 'in_progress',
      };
      this.rollouts.push(t.open);
    }
    if (t.open === null) return;
    const progressing = getCondition(d.status.conditions, 'Progressing');
    if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') t.deadlineExceeded = true;
    this.recount(key);
    const s = d.status, D = d.spec.replicas;
    if (
      s.observedGeneration >= d.metadata.generation &&
      s.updatedReplicas === D &&
      s.replicas === D &&
      s.availableReplicas === D
    ) {
      t.open.completedAtS = this.ctx.sim.now;
      t.open.durationS = this.ctx.sim.now - t.open.startedAtS;
      t.open.outcome = 'complete';
      t.open = null;
    }
  }

  private observeRollout(r: Rollout): void {
    const key = rolloutKey(r.metadata.namespace, r.metadata.name);
    this.countsOf(key).minReadySeconds = r.spec.minReadySeconds;
    const template = JSON.stringify(r.spec.template);
    let t = this.tracked.get(key);
    if (t === undefined) {
      this.tracked.set(key, (t = { template, open: null, deadlineExceeded: false }));
    } else if (t.template !== template) {
      t.template = template;
      if (t.open !== null) t.open.outcome = 'aborted';
      t.open = { target: `rollout/${r.metadata.name}`, startedAtS: this.ctx.sim.now, completedAtS: null, durationS: null, maxPods: 0, maxActivePods: 0, minAvailable: Infinity, outcome: 'in_progress' };
      this.rollouts.push(t.open);
    }
    if (t.open === null) return;
    this.recount(key);
    const st = r.status;
    if (st.abort && st.currentPodHash !== st.stableRS) {
      t.open.outcome = 'aborted';
      t.open = null;
    } else if (st.phase === 'Healthy' && st.stableRS === st.currentPodHash && st.observedGeneration >= r.metadata.generation) {
      t.open.completedAtS = this.ctx.sim.now;
      t.open.durationS = this.ctx.sim.now - t.open.startedAtS;
      t.open.outcome = 'complete';
      t.open = null;
    }
  }

  /** Updates the counts with `pod`'s new state; returns the key of the Deployment it counts for. */
  private observePod(type: string, pod: Pod): string | undefined {
    const uid = pod.metadata.uid;
    const before = this.pods.get(uid);
    const key = type === 'DELETED' ? undefined : (before?.key ?? this.deploymentKeyOf(pod));
    if (before !== undefined) {
      const c = this.countsOf(before.key);
      c.all--;
      if (before.active) c.active--;
      if (before.counted) c.available--;
      this.pods.delete(uid);
    }
    if (key === undefined) return before?.key;
    const c = this.countsOf(key);
    const active = !(pod.metadata.deletionTimestamp !== undefined || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed');
    const ready = getCondition(pod.status.conditions, 'Ready');
    let availableAt: number | null = null;
    if (active && ready?.status === 'True') {
      availableAt = c.minReadySeconds <= 0 ? -Infinity : ready.lastTransitionTime === undefined ? Infinity : ready.lastTransitionTime + c.minReadySeconds;
    }
    const entry: PodCount = { key, active, availableAt, counted: false };
    this.pods.set(uid, entry);
    c.all++;
    if (active) c.active++;
    if (availableAt !== null && availableAt <= this.ctx.sim.now) {
      entry.counted = true;
      c.available++;
    } else if (availableAt !== null && availableAt !== Infinity) pushByTime(c.pending, { at: availableAt, uid });
    return key;
  }

  private countsOf(key: string): Counts {
    let c = this.counts.get(key);
    if (c === undefined) {
      const isRollout = key.startsWith(ROLLOUT_KEY);
      const [namespace, name] = key.slice(isRollout ? ROLLOUT_KEY.length : 0).split('/') as [string, string];
      const d = isRollout ? this.ctx.store.get('Rollout', name, namespace) : this.ctx.store.get('Deployment', name, namespace);
      this.counts.set(key, (c = { all: 0, active: 0, available: 0, minReadySeconds: d?.spec.minReadySeconds ?? 0, pending: [] }));
    }
    return c;
  }

  private recount(key: string): void {
    const t = this.tracked.get(key);
    if (t?.open == null) return;
    const c = this.countsOf(key);
    // pods whose ready + minReadySeconds has passed since the last event turned Available meanwhile
    const now = this.ctx.sim.now;
    while (c.pending.length > 0 && c.pending[0]!.at <= now) {
      const { at, uid } = popByTime(c.pending);
      const p = this.pods.get(uid);
      if (p !== undefined && !p.counted && p.availableAt === at) {
        p.counted = true;
        c.available++;
      }
    }
    const r = t.open;
    if (c.all > r.maxPods) r.maxPods = c.all;
    if (c.active > r.maxActivePods) r.maxActivePods = c.active;
    if (c.available < r.minAvailable) r.minAvailable = c.available;
  }

  private deploymentKeyOf(pod: Pod): string | undefined {
    const rsRef = controllerOf(pod.metadata);
    if (rsRef?.kind !== 'ReplicaSet') return undefined;
    const rs = this.ctx.store.get('ReplicaSet', rsRef.name, pod.metadata.namespace);
    const dRef = rs && controllerOf(rs.metadata);
    if (dRef?.kind === 'Rollout') return rolloutKey(pod.metadata.namespace, dRef.name);
    return dRef?.kind === 'Deployment' ? objectKey({ namespace: pod.metadata.namespace, name: dRef.name }) : undefined;
  }
}

const ROLLOUT_KEY = 'rollout:';
const rolloutKey = (namespace: string, name: string): string => `${ROLLOUT_KEY}${namespace}/${name}`;
