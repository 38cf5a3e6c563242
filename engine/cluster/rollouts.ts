import type { ClusterContext } from './context.js';
import { controllerOf, getCondition, isPodAvailable, type Deployment, type Pod, type Rollout } from './objects.js';
import { objectKey } from './store.js';

/**
 * Exact rollout accounting per Deployment: every change to a pod, ReplicaSet or Deployment recounts
 * that Deployment's pods, so the extremes are exact, never sampled.
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

export class RolloutTracker {
  readonly rollouts: RolloutRecord[] = [];
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly ctx: ClusterContext) {
    const { store } = ctx;
    store.watch('Deployment', (type, d) => {
      if (type === 'DELETED') return;
      this.observeDeployment(d);
    });
    store.watch('ReplicaSet', (_type, rs) => {
      const owner = controllerOf(rs.metadata);
      if (owner?.kind === 'Deployment') this.recount(objectKey({ namespace: rs.metadata.namespace, name: owner.name }));
    });
    store.watch('Pod', (_type, pod) => {
      const key = this.deploymentKeyOf(pod);
      if (key !== undefined) this.recount(key);
      else this.recountRolloutOf(pod);
    });
    store.watch('Rollout', (type, r) => {
      if (type !== 'DELETED') this.observeRollout(r);
    });
  }

  // Argo Rollouts (`rollout/<name>`): a rollout starts when the pod template changes and ends when the
  // Rollout is Healthy on the new revision (complete) or aborted (§8.3: outcome `aborted`).
  private readonly trackedRollouts = new Map<string, Tracked>();

  private observeRollout(r: Rollout): void {
    const key = objectKey(r.metadata);
    const template = JSON.stringify(r.spec.template);
    let t = this.trackedRollouts.get(key);
    if (t === undefined) {
      this.trackedRollouts.set(key, (t = { template, open: null, deadlineExceeded: false }));
    } else if (t.template !== template) {
      t.template = template;
      if (t.open !== null) t.open.outcome = 'aborted';
      t.open = { target: `rollout/${r.metadata.name}`, startedAtS: this.ctx.sim.now, completedAtS: null, durationS: null, maxPods: 0, maxActivePods: 0, minAvailable: Infinity, outcome: 'in_progress' };
      this.rollouts.push(t.open);
    }
    if (t.open === null) return;
    this.recountRollout(r, t.open);
    if (r.status.abort && r.status.currentPodHash !== r.status.stableRS) {
      t.open.outcome = 'aborted';
      t.open = null;
    } else if (r.status.phase === 'Healthy' && r.status.stableRS === r.status.currentPodHash && r.status.observedGeneration >= r.metadata.generation) {
      t.open.completedAtS = this.ctx.sim.now;
      t.open.durationS = this.ctx.sim.now - t.open.startedAtS;
      t.open.outcome = 'complete';
      t.open = null;
    }
  }

  private recountRolloutOf(pod: Pod): void {
    const rsRef = controllerOf(pod.metadata);
    if (rsRef?.kind !== 'ReplicaSet') return;
    const rs = this.ctx.store.get('ReplicaSet', rsRef.name, pod.metadata.namespace);
    const ref = rs && controllerOf(rs.metadata);
    if (ref?.kind !== 'Rollout') return;
    const r = this.ctx.store.get('Rollout', ref.name, pod.metadata.namespace);
    const open = r && this.trackedRollouts.get(objectKey(r.metadata))?.open;
    if (r !== undefined && open) this.recountRollout(r, open);
  }

  private recountRollout(r: Rollout, rec: RolloutRecord): void {
    let all = 0, active = 0, available = 0;
    const now = this.ctx.sim.now;
    for (const rs of this.ctx.store.ownedBy('ReplicaSet', r.metadata.uid)) {
      for (const pod of this.ctx.store.ownedBy('Pod', rs.metadata.uid)) {
        all++;
        if (pod.metadata.deletionTimestamp !== undefined || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') continue;
        active++;
        if (isPodAvailable(pod, r.spec.minReadySeconds, now)) available++;
      }
    }
    if (all > rec.maxPods) rec.maxPods = all;
    if (active > rec.maxActivePods) rec.maxActivePods = active;
    if (available < rec.minAvailable) rec.minAvailable = available;
  }

  /** Closes rollouts still open at the end of the run (outcome stalled or in_progress). */
  finish(): RolloutRecord[] {
    for (const t of [...this.tracked.values(), ...this.trackedRollouts.values()]) {
      if (t.open !== null) {
        t.open.outcome = t.deadlineExceeded ? 'stalled' : 'in_progress';
        t.open = null;
      }
    }
    return this.rollouts;
  }

  private observeDeployment(d: Deployment): void {
    const key = objectKey(d.metadata);
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

  private recount(key: string): void {
    const t = this.tracked.get(key);
    if (t?.open == null) return;
    const [namespace, name] = key.split('/') as [string, string];
    const d = this.ctx.store.get('Deployment', name, namespace);
    if (d === undefined) return;
    let all = 0, active = 0, available = 0;
    const now = this.ctx.sim.now;
    for (const rs of this.ctx.store.ownedBy('ReplicaSet', d.metadata.uid)) {
      for (const pod of this.ctx.store.ownedBy('Pod', rs.metadata.uid)) {
        all++;
        if (pod.metadata.deletionTimestamp !== undefined || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') continue;
        active++;
        if (isPodAvailable(pod, d.spec.minReadySeconds, now)) available++;
      }
    }
    const r = t.open;
    if (all > r.maxPods) r.maxPods = all;
    if (active > r.maxActivePods) r.maxActivePods = active;
    if (available < r.minAvailable) r.minAvailable = available;
  }

  private deploymentKeyOf(pod: Pod): string | undefined {
    const rsRef = controllerOf(pod.metadata);
    if (rsRef?.kind !== 'ReplicaSet') return undefined;
    const rs = this.ctx.store.get('ReplicaSet', rsRef.name, pod.metadata.namespace);
    const dRef = rs && controllerOf(rs.metadata);
    return dRef?.kind === 'Deployment' ? objectKey({ namespace: pod.metadata.namespace, name: dRef.name }) : undefined;
  }
}
