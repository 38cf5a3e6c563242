import type { ClusterContext } from '../../context.js';
import type { Deployment, LabelSelector, ObjectMeta, Pod, ReplicaSet } from '../../objects.js';
import { controllerOf } from '../../objects.js';
import { objectKey } from '../../store.js';
import { WorkQueue } from '../../workqueue.js';
import { checkPausedConditions, calculateStatus, syncRolloutStatus } from './progress.js';
import { rolloutRecreate } from './recreate.js';
import { rolloutRolling } from './rolling.js';
import {
  type DeploymentSync,
  REVISION,
  canonicalJSON,
  cleanupDeployment,
  findNewReplicaSet,
  isScalingEvent,
  replicaSetsOf,
  revisionOf,
  scale,
} from './sync.js';

/**
 * The Deployment controller (kubernetes-semantics.md §1.2–§1.10, §2).
 *
 * It watches Deployments, ReplicaSets and Pods, and enqueues the owning Deployment's key on a work
 * queue that syncs after `ctx.config.controllerDelay`. Each sync makes at most ONE mutating move —
 * create/adopt the new RS, one scaling phase, or history cleanup — then writes the status and returns;
 * the RS events that move causes re-trigger it (§1.3, §10).
 *
 * Modelling choice: a sync acts only when every ReplicaSet of the Deployment has observed its latest
 * spec (status.observedGeneration ≥ metadata.generation); otherwise it waits for the RS controller's
 * status update, which re-triggers it. The real controller reads whatever its informer holds; acting
 * on a status written before the RS processed its last scale could count pods that are about to be
 * deleted as available. Waiting costs one RS-controller reaction per move, which is what the real
 * system spends on the round trip anyway. (Without this wait the rolling-bounds property test finds
 * availability dips below D − maxUnavailable when this controller's watch fires before the RS
 * controller's, as it does in cluster.ts, with a non-zero reaction delay.)
 */
export class DeploymentController {
  private readonly queue: WorkQueue;
  private readonly requeueAt = new Map<string, number>();
  /** Syncs run so far (diagnostics, tests). */
  syncs = 0;

  constructor(private readonly ctx: ClusterContext) {
    this.queue = new WorkQueue(ctx.sim, () => ctx.config.controllerDelay, (key) => this.sync(key));
    ctx.store.watch('Deployment', (type, d) => {
      if (type !== 'DELETED') this.queue.add(objectKey(d.metadata));
    });
    ctx.store.watch('ReplicaSet', (_type, rs) => this.enqueueOwnerOf(rs.metadata));
    ctx.store.watch('Pod', (type, pod) => {
      // Pod deletions matter to Recreate (§2 step 2); terminal phases too (they stop blocking).
      if (type === 'DELETED' || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') this.enqueueForPod(pod);
    });
  }

  private enqueueOwnerOf(meta: ObjectMeta): void {
    const owner = controllerOf(meta);
    if (owner?.kind === 'Deployment') this.queue.add(objectKey({ namespace: meta.namespace, name: owner.name }));
  }

  private enqueueForPod(pod: Pod): void {
    const rsRef = controllerOf(pod.metadata);
    if (rsRef?.kind !== 'ReplicaSet') return;
    const rs = this.ctx.store.get('ReplicaSet', rsRef.name, pod.metadata.namespace);
    if (rs !== undefined) this.enqueueOwnerOf(rs.metadata);
  }

  /** One sync of the Deployment `namespace/name` (§1.2 order). */
  sync(key: string): void {
    const slash = key.indexOf('/');
    const d = this.ctx.store.get('Deployment', key.slice(slash + 1), key.slice(0, slash));
    if (d === undefined) return;
    const rss = replicaSetsOf(this.ctx, d);
    if (rss.some((rs) => rs.status.observedGeneration < rs.metadata.generation)) return; // see class comment
    this.syncs++;
    const before = canonicalJSON([d.status, d.metadata.annotations[REVISION]]);
    const s: DeploymentSync = { ctx: this.ctx, d, rss, oldRSs: [] };

    if (d.metadata.deletionTimestamp !== undefined) return this.finish(key, d, before, false);
    if (selectsEverything(d.spec.selector)) {
      if (d.status.observedGeneration < d.metadata.generation) {
        // once per spec change, not on every sync
        this.ctx.events.warning('Deployment', d.metadata.name, 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      }
      d.status.observedGeneration = d.metadata.generation;
      return this.finish(key, d, before, false);
    }

    const pausedReason = checkPausedConditions(this.ctx, d);
    if (pausedReason !== undefined) {
      this.ctx.events.normal('Deployment', d.metadata.name, pausedReason, pausedReason === 'DeploymentPaused' ? 'Deployment is paused' : 'Deployment is resumed');
    }
    // §1.9 paused: scaling only (sync()), no rollout; history cleanup when nothing else moved.
    if (d.spec.paused) {
      if (!scale(s)) cleanupDeployment(s);
      return this.finish(key, d, before, false);
    }
    // §1.2 scaling event → sync() (proportional scaling, §1.10).
    if (isScalingEvent(d, rss)) {
      scale(s);
      return this.finish(key, d, before, false);
    }
    if (d.spec.strategy.type === 'Recreate') rolloutRecreate(s, (rs) => this.podsOf(rs));
    else rolloutRolling(s);
    this.finish(key, d, before, true);
  }

  private podsOf(rs: ReplicaSet): Pod[] {
    return this.ctx.store.ownedBy('Pod', rs.metadata.uid).filter((p) => controllerOf(p.metadata)?.uid === rs.metadata.uid);
  }

  /**
   * Writes the status (§1.4) — with the §1.6 rollout checks on the strategy path — and the
   * Deployment's revision annotation, only when they changed; schedules the deadline re-check.
   */
  private finish(key: string, d: Deployment, before: string, rolloutStatus: boolean): void {
    const now = this.ctx.sim.now;
    const rss = replicaSetsOf(this.ctx, d);
    const newRS = findNewReplicaSet(d, rss);
    if (newRS !== undefined) d.metadata.annotations[REVISION] = String(revisionOf(newRS));
    if (rolloutStatus) {
      const r = syncRolloutStatus(d, rss, newRS, now);
      d.status = r.status;
      if (r.timedOutNow) {
        this.ctx.events.warning('Deployment', d.metadata.name, 'ProgressDeadlineExceeded', `Deployment "${d.metadata.name}" has timed out progressing.`);
      }
      if (r.requeueAt !== undefined) this.requeueAtTime(key, r.requeueAt);
    } else {
      d.status = calculateStatus(d, rss, newRS, now);
    }
    if (canonicalJSON([d.status, d.metadata.annotations[REVISION]]) !== before) this.ctx.store.update(d);
  }

  /** §1.6 requeueStuckDeployment: look again at an absolute time (once per distinct time). */
  private requeueAtTime(key: string, at: number): void {
    if (at <= this.ctx.sim.now || this.requeueAt.get(key) === at) return;
    this.requeueAt.set(key, at);
    this.ctx.sim.schedule(at, () => {
      if (this.requeueAt.get(key) === at) this.requeueAt.delete(key);
      this.queue.add(key);
    });
  }
}

/** An empty selector selects everything (refused, §1.2). */
function selectsEverything(sel: LabelSelector): boolean {
  return Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}
