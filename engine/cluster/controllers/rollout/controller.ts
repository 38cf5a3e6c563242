import type { ClusterContext } from '../../context.js';
import type { Pod, PodTemplateSpec, ReplicaSet, Service } from '../../objects.js';
import { controllerOf, isPodActive, isPodAvailable } from '../../objects.js';
import { deletePod } from '../../pods.js';
import { objectKey } from '../../store.js';
import { WorkQueue } from '../../workqueue.js';
import { canonicalJSON, templateHash } from '../deployment/sync.js';
import type { AnalysisRunPhase, AnalysisRuns, RunKind } from './analysis.js';
import { reconcileBlueGreen } from './bluegreen.js';
import {
  abortDynamicWeight,
  allDesiredAreAvailable,
  calculateReplicaCountsForBasicCanary,
  calculateReplicaCountsForTrafficRoutedCanary,
  canaryFenceposts,
  canaryStepString,
  getCurrentSetWeight,
  MAX_TRAFFIC_WEIGHT,
  setCanaryScaleInForce,
  type CanaryRS,
} from './canary.js';
import { ROLLOUT_POD_TEMPLATE_HASH, SCALE_DOWN_DEADLINE, type PauseReason, type Rollout } from './types.js';

/**
 * The Argo Rollouts controller (kubernetes-semantics.md §8; argo `rollout/canary.go`,
 * `rollout/bluegreen.go`, `rollout/sync.go`), thin like the Deployment controller: it reads the store,
 * asks the pure functions of canary.ts / bluegreen.ts what to do, and makes one move per sync (one
 * ReplicaSet scaled, a selector switched, a step advanced); the watch events of that move re-trigger it.
 *
 * A Rollout owns ReplicaSets named `<rollout>-<hash>` whose pods carry `rollouts-pod-template-hash`;
 * the ReplicaSet controller runs their pods like any other. Status fields follow Argo's names:
 * currentPodHash, stableRS, currentStepIndex, pauseConditions, controllerPause, abort, promoteFull, phase.
 */

export const ROLLOUT_REVISION = 'rollout.argoproj.io/revision';
/** `kubectl argo rollouts restart`: pods created before this time are restarted. */
export const RESTARTED_AT = 'kubesim.dev/restartAt';

/** The state one sync works on. */
export interface RolloutSync {
  ctx: ClusterContext;
  r: Rollout;
  rss: ReplicaSet[];
  newRS: ReplicaSet;
  stableRS: ReplicaSet | undefined;
  /** Every RS but the new and the stable one. */
  others: ReplicaSet[];
  analysis: AnalysisRuns | undefined;
  /** Re-sync at an absolute time (pause durations, scale-down deadlines). */
  requeueAt(at: number): void;
}

export class RolloutController {
  private readonly queue: WorkQueue;
  private readonly requeues = new Map<string, Set<number>>();
  syncs = 0;

  constructor(
    private readonly ctx: ClusterContext,
    readonly analysis?: AnalysisRuns,
  ) {
    this.queue = new WorkQueue(ctx.sim, () => ctx.config.controllerDelay, (key) => this.sync(key));
    ctx.store.watch('Rollout', (type, r) => {
      if (type !== 'DELETED') this.queue.add(objectKey(r.metadata));
    });
    ctx.store.watch('ReplicaSet', (_type, rs) => {
      const owner = controllerOf(rs.metadata);
      if (owner?.kind === 'Rollout') this.queue.add(objectKey({ namespace: rs.metadata.namespace, name: owner.name }));
    });
    analysis?.onChange((rolloutKey) => this.queue.add(rolloutKey));
  }

  /** Enqueues a Rollout (after an action changed it). */
  enqueue(key: string): void {
    this.queue.add(key);
  }

  sync(key: string): void {
    const slash = key.indexOf('/');
    const r = this.ctx.store.get('Rollout', key.slice(slash + 1), key.slice(0, slash));
    if (r === undefined) return;
    const rss = replicaSetsOfRollout(this.ctx, r);
    if (rss.some((rs) => rs.status.observedGeneration < rs.metadata.generation)) return; // wait for the RS controller (as deployment/controller.ts)
    this.syncs++;
    const before = canonicalJSON(r.status);
    let newRS = rss.find((rs) => rolloutTemplatesEqual(rs.spec.template, r.spec.template));
    if (newRS === undefined) {
      newRS = createReplicaSet(this.ctx, r, rss);
      rss.push(newRS);
    }
    const hash = newRS.metadata.labels[ROLLOUT_POD_TEMPLATE_HASH]!;
    const st = r.status;
    if (st.currentPodHash !== hash) this.templateChanged(key, r, hash, newRS);
    if (st.stableRS === '') {
      st.stableRS = hash; // shouldFullPromote: "Initial deploy"
    }
    const stableRS = st.stableRS === hash ? undefined : rss.find((rs) => rs.metadata.labels[ROLLOUT_POD_TEMPLATE_HASH] === st.stableRS);
    const s: RolloutSync = {
      ctx: this.ctx,
      r,
      rss,
      newRS,
      stableRS,
      others: rss.filter((rs) => rs !== newRS && rs !== stableRS),
      analysis: this.analysis,
      requeueAt: (at) => this.requeueAtTime(key, at),
    };
    if (r.spec.strategy.blueGreen !== undefined) reconcileBlueGreen(s);
    else reconcileCanary(s);
    if (!restartPods(s)) cleanupHistory(s);
    writeStatus(s);
    if (canonicalJSON(r.status) !== before) this.ctx.store.update(r);
  }

  /** resetRolloutStatus on a new template (§8.1): steps from 0, pauses and abort cleared, analysis stopped. */
  private templateChanged(key: string, r: Rollout, hash: string, newRS: ReplicaSet): void {
    const st = r.status;
    const first = st.currentPodHash === '';
    st.currentPodHash = hash;
    if (first) return;
    this.analysis?.stopAll(key);
    st.currentStepIndex = 0;
    st.pauseConditions = [];
    st.controllerPause = false;
    st.abort = false;
    delete st.abortedAt;
    st.promoteFull = false;
    const steps = r.spec.strategy.canary?.steps ?? [];
    this.ctx.events.normal('Rollout', r.metadata.name, 'RolloutUpdated', `Rollout updated to revision ${newRS.metadata.annotations[ROLLOUT_REVISION]}`);
    if (st.stableRS === hash && steps.length > 0) {
      // back to the stable template: fast-tracked (§8.3)
      st.currentStepIndex = steps.length;
      this.ctx.events.normal('Rollout', r.metadata.name, 'SkipSteps', 'Rollback to stable ReplicaSets');
    }
  }

  private requeueAtTime(key: string, at: number): void {
    if (at <= this.ctx.sim.now) return;
    let set = this.requeues.get(key);
    if (set === undefined) this.requeues.set(key, (set = new Set()));
    if (set.has(at)) return;
    set.add(at);
    this.ctx.sim.schedule(at, () => {
      set.delete(at);
      this.queue.add(key);
    });
  }
}

// -------------------------------------------------------------------------------------------------
// ReplicaSets of a Rollout

export function replicaSetsOfRollout(ctx: ClusterContext, r: Rollout): ReplicaSet[] {
  return ctx.store
    .ownedBy('ReplicaSet', r.metadata.uid)
    .filter((rs) => controllerOf(rs.metadata)?.uid === r.metadata.uid && rs.metadata.deletionTimestamp === undefined)
    .sort((a, b) => a.metadata.creationTimestamp - b.metadata.creationTimestamp);
}

function withoutRolloutHash(t: PodTemplateSpec): PodTemplateSpec {
  const labels = { ...t.metadata.labels };
  delete labels[ROLLOUT_POD_TEMPLATE_HASH];
  return { ...t, metadata: { ...t.metadata, labels } };
}

export function rolloutTemplatesEqual(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return canonicalJSON(withoutRolloutHash(a)) === canonicalJSON(withoutRolloutHash(b));
}

function revisionOfRS(rs: ReplicaSet): number {
  return Number(rs.metadata.annotations[ROLLOUT_REVISION] ?? '0') || 0;
}

/** A new ReplicaSet at 0 replicas (the next sync sizes it), revision max+1. */
function createReplicaSet(ctx: ClusterContext, r: Rollout, rss: readonly ReplicaSet[]): ReplicaSet {
  let collisions = 0;
  let hash = templateHash(r.spec.template);
  while (ctx.store.get('ReplicaSet', `${r.metadata.name}-${hash}`, r.metadata.namespace) !== undefined) hash = templateHash(r.spec.template, ++collisions);
  const template = structuredClone(r.spec.template);
  template.metadata.labels[ROLLOUT_POD_TEMPLATE_HASH] = hash;
  const selector = structuredClone(r.spec.selector);
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [ROLLOUT_POD_TEMPLATE_HASH]: hash };
  const revision = rss.reduce((m, rs) => Math.max(m, revisionOfRS(rs)), 0) + 1;
  return ctx.store.create<'ReplicaSet'>({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${r.metadata.name}-${hash}`,
      namespace: r.metadata.namespace,
      labels: { ...template.metadata.labels },
      annotations: { [ROLLOUT_REVISION]: String(revision) },
      ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: r.metadata.name, uid: r.metadata.uid, controller: true }],
    },
    spec: { replicas: 0, selector, template, minReadySeconds: r.spec.minReadySeconds },
    status: { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 0 },
  });
}

/** Scales an RS of the Rollout with Argo's event wording; true when it changed. */
export function scaleRS(s: RolloutSync, rs: ReplicaSet, size: number): boolean {
  if (rs.spec.replicas === size) return false;
  const from = rs.spec.replicas;
  rs.spec.replicas = size;
  rs.metadata.generation++;
  if (size > 0) delete rs.metadata.annotations[SCALE_DOWN_DEADLINE];
  s.ctx.store.update(rs);
  s.ctx.events.normal('Rollout', s.r.metadata.name, 'ScalingReplicaSet', `Scaled ${size > from ? 'up' : 'down'} ReplicaSet ${rs.metadata.name} (revision ${revisionOfRS(rs)}) from ${from} to ${size}`);
  return true;
}

export const hashOf = (rs: ReplicaSet): string => rs.metadata.labels[ROLLOUT_POD_TEMPLATE_HASH] ?? '';
const snap = (rs: ReplicaSet | undefined): CanaryRS | undefined => (rs === undefined ? undefined : { spec: rs.spec.replicas, available: rs.status.availableReplicas });

/** Points a Service's selector at a ReplicaSet hash (Argo adds `rollouts-pod-template-hash`); true when it changed. */
export function switchSelector(s: RolloutSync, serviceName: string | undefined, hash: string): boolean {
  if (serviceName === undefined || hash === '') return false;
  const svc: Service | undefined = s.ctx.store.get('Service', serviceName, s.r.metadata.namespace);
  if (svc === undefined) return false;
  const sel = svc.spec.selector ?? {};
  if (sel[ROLLOUT_POD_TEMPLATE_HASH] === hash) return false;
  svc.spec.selector = { ...sel, [ROLLOUT_POD_TEMPLATE_HASH]: hash };
  svc.metadata.generation++;
  s.ctx.store.update(svc);
  s.ctx.events.normal('Rollout', s.r.metadata.name, 'SwitchService', `Switched selector for service '${serviceName}' from '${sel[ROLLOUT_POD_TEMPLATE_HASH] ?? ''}' to '${hash}'`);
  return true;
}

export function hasPause(r: Rollout, reason: PauseReason): boolean {
  return r.status.pauseConditions.some((p) => p.reason === reason);
}

export function addPause(s: RolloutSync, reason: PauseReason): void {
  if (hasPause(s.r, reason)) return;
  s.r.status.pauseConditions.push({ reason, startTime: s.ctx.sim.now });
  s.r.status.controllerPause = true;
  s.ctx.events.normal('Rollout', s.r.metadata.name, 'RolloutPaused', `Rollout is paused (${reason})`);
}

export function pauseStart(r: Rollout, reason: PauseReason): number | undefined {
  return r.status.pauseConditions.find((p) => p.reason === reason)?.startTime;
}

export function clearPauses(r: Rollout): void {
  r.status.pauseConditions = [];
  r.status.controllerPause = false;
}

/** Abort (§8.3): a failed analysis or `kubectl argo rollouts abort`. */
export function abortRollout(s: RolloutSync, message: string): void {
  const st = s.r.status;
  if (st.abort) return;
  st.abort = true;
  st.abortedAt = s.ctx.sim.now;
  st.pauseConditions = [];
  st.controllerPause = false;
  s.analysis?.stopAll(objectKey(s.r.metadata));
  s.ctx.events.warning('Rollout', s.r.metadata.name, 'RolloutAborted', `Rollout aborted update to revision ${s.newRS.metadata.annotations[ROLLOUT_REVISION]}: ${message}`);
}

/** Promotes the new RS to stable (promoteStable). */
export function promoteStable(s: RolloutSync, reason: string): void {
  const st = s.r.status;
  const previous = s.stableRS;
  st.stableRS = hashOf(s.newRS);
  st.promoteFull = false;
  clearPauses(s.r);
  const steps = s.r.spec.strategy.canary?.steps;
  if (steps !== undefined) st.currentStepIndex = steps.length;
  s.analysis?.stopAll(objectKey(s.r.metadata), ['background', 'step', 'prePromotion']);
  if (previous !== undefined) {
    s.others.push(previous);
    s.stableRS = undefined;
  }
  s.ctx.events.normal('Rollout', s.r.metadata.name, 'RolloutCompleted', `Rollout completed update to revision ${s.newRS.metadata.annotations[ROLLOUT_REVISION]} (${st.stableRS}): ${reason}`);
}

/** Phase of an analysis run of this rollout, starting it when needed. */
export function analysisPhase(s: RolloutSync, kind: RunKind, ref: NonNullable<Rollout['spec']['strategy']['canary']>['analysis'], stepIndex?: number): AnalysisRunPhase {
  if (ref === undefined || s.analysis === undefined) return 'Successful';
  return s.analysis.ensure(objectKey(s.r.metadata), kind, ref, { rollout: s.r, canaryHash: hashOf(s.newRS), stableHash: s.r.status.stableRS, ...(stepIndex !== undefined ? { stepIndex } : {}) });
}

// -------------------------------------------------------------------------------------------------
// Canary (§8.1–§8.3; argo rollout/canary.go rolloutCanary)

/** The weight the canary should have now (GetCanaryReplicasOrWeight / GetDesiredCanaryWeight). */
export function desiredWeight(s: RolloutSync): number {
  const { r } = s;
  const st = r.status;
  const c = r.spec.strategy.canary!;
  if (st.promoteFull || s.stableRS === undefined) return MAX_TRAFFIC_WEIGHT;
  if (st.abort && c.dynamicStableScale) {
    return abortDynamicWeight(c.steps, r.spec.replicas, s.stableRS.status.availableReplicas, s.newRS.status.availableReplicas, c.abortScaleDownDelaySeconds !== undefined);
  }
  return getCurrentSetWeight(c.steps, st.currentStepIndex, st.abort);
}

/** Desired [canary, stable] spec counts now. */
export function desiredCounts(s: RolloutSync): [number, number] {
  const { r } = s;
  const c = r.spec.strategy.canary!;
  const weight = desiredWeight(s);
  if (c.trafficRouting === undefined) {
    const f = canaryFenceposts(c.maxSurge, c.maxUnavailable, r.spec.replicas);
    return calculateReplicaCountsForBasicCanary({
      replicas: r.spec.replicas,
      weight,
      ...f,
      newRS: snap(s.newRS),
      stableRS: snap(s.stableRS),
      oldRSs: s.others.map((rs) => snap(rs)!),
    });
  }
  if (s.stableRS === undefined) return [r.spec.replicas, 0];
  const scs = r.status.promoteFull || (r.status.abort && c.abortScaleDownDelaySeconds !== 0) ? undefined : setCanaryScaleInForce(c.steps, r.status.currentStepIndex);
  const routedWeight = scs?.weight ?? weight;
  return calculateReplicaCountsForTrafficRoutedCanary({
    replicas: r.spec.replicas,
    weight: routedWeight,
    canaryReplicas: scs?.replicas,
    dynamicStableScale: c.dynamicStableScale,
    minPodsPerReplicaSet: c.minPodsPerReplicaSet,
    routed: r.status.canary.weights,
    abort: r.status.abort,
  });
}

/** AtDesiredReplicaCountsForCanary. */
function atDesiredCounts(s: RolloutSync): boolean {
  const c = s.r.spec.strategy.canary!;
  const [n, st] = desiredCounts(s);
  if (!allDesiredAreAvailable(snap(s.newRS), n)) return false;
  if (c.trafficRouting === undefined || !c.dynamicStableScale) {
    if (s.stableRS !== undefined && !(s.stableRS.spec.replicas === st && s.stableRS.status.replicas === st)) return false;
  }
  if (c.trafficRouting === undefined && s.others.some((rs) => rs.status.availableReplicas > 0)) return false;
  return true;
}

function reconcileCanary(s: RolloutSync): void {
  const { r, ctx } = s;
  const c = r.spec.strategy.canary!;
  const st = r.status;
  const key = objectKey(r.metadata);
  const steps = c.steps;

  // Service selectors (reconcileStableAndCanaryService)
  switchSelector(s, c.stableService, st.stableRS);
  switchSelector(s, c.canaryService, hashOf(s.newRS));

  // Background analysis (from startingStep), stopped at completion (§8.1)
  if (!st.abort && s.stableRS !== undefined && c.analysis !== undefined && st.currentStepIndex >= (c.analysis.startingStep ?? 0)) {
    const phase = analysisPhase(s, 'background', c.analysis);
    if (phase === 'Failed' || phase === 'Error') abortRollout(s, `Metric assessment ${phase} in background analysis`);
    else if (phase === 'Inconclusive') addPause(s, 'InconclusiveAnalysisRun');
  }
  // Step analysis
  const step = st.currentStepIndex < steps.length ? steps[st.currentStepIndex] : undefined;
  if (!st.abort && s.stableRS !== undefined && step?.analysis !== undefined) {
    const phase = analysisPhase(s, 'step', step.analysis, st.currentStepIndex);
    if (phase === 'Failed' || phase === 'Error') abortRollout(s, `Metric assessment ${phase} in step ${st.currentStepIndex} analysis`);
    else if (phase === 'Inconclusive') addPause(s, 'InconclusiveAnalysisRun');
  }

  // Traffic weights applied by the (idealised) router: the desired weight at once (§8.2)
  if (c.trafficRouting !== undefined) {
    const w = s.stableRS === undefined ? 0 : Math.min(MAX_TRAFFIC_WEIGHT, desiredWeight(s));
    const next = { canary: w, stable: MAX_TRAFFIC_WEIGHT - w };
    const cur = st.canary.weights;
    if (cur === undefined || cur.canary !== next.canary) st.canary.weights = next;
  }

  // ReplicaSets (reconcileCanaryReplicaSets): stable first, then the canary, then the others
  if (!r.spec.paused) {
    const [newCount, stableCount] = desiredCounts(s);
    if (s.stableRS !== undefined && scaleRS(s, s.stableRS, stableCount)) return;
    if (scaleNewForCanary(s, newCount)) return;
    if (scaleDownOthersForCanary(s)) return;
  }

  // Progress (syncRolloutStatusCanary)
  if (st.promoteFull) {
    clearPauses(r);
    st.currentStepIndex = steps.length;
  }
  if (!st.abort && (st.promoteFull || st.currentStepIndex >= steps.length) && s.stableRS !== undefined) {
    if (s.newRS.status.availableReplicas >= r.spec.replicas) {
      promoteStable(s, st.promoteFull ? 'Full promotion requested' : `Completed all ${steps.length} canary steps`);
    }
    return;
  }
  if (st.abort) {
    if (steps.length > 0) st.currentStepIndex = st.stableRS === st.currentPodHash ? steps.length : 0;
    return;
  }
  if (r.spec.paused || step === undefined || s.stableRS === undefined) return;
  if (hasPause(r, 'InconclusiveAnalysisRun')) return;
  let completed = false;
  if (step.pause !== undefined) {
    const start = pauseStart(r, 'CanaryPauseStep');
    if (start === undefined) {
      if (st.controllerPause) completed = true; // promoted: the pause condition was removed
      else {
        addPause(s, 'CanaryPauseStep');
        if (step.pause.duration !== undefined) s.requeueAt(ctx.sim.now + step.pause.duration);
      }
    } else if (step.pause.duration !== undefined && ctx.sim.now >= start + step.pause.duration) completed = true;
    else if (step.pause.duration !== undefined) s.requeueAt(start + step.pause.duration);
  } else if (step.setWeight !== undefined || step.setCanaryScale !== undefined) {
    completed = atDesiredCounts(s);
  } else if (step.analysis !== undefined) {
    completed = s.analysis === undefined || s.analysis.phase(key, 'step', st.currentStepIndex) === 'Successful';
  } else completed = true;
  if (!completed) return;
  st.currentStepIndex++;
  st.pauseConditions = st.pauseConditions.filter((p) => p.reason !== 'CanaryPauseStep');
  st.controllerPause = st.pauseConditions.length > 0;
  ctx.events.normal('Rollout', r.metadata.name, 'RolloutStepCompleted', `Rollout step ${st.currentStepIndex}/${steps.length} completed (${canaryStepString(step)})`);
}

/**
 * The canary RS size; with a traffic router and an abort, the canary keeps its pods for
 * abortScaleDownDelaySeconds (default 30 s; 0 keeps them) after the traffic went back (§8.3).
 */
function scaleNewForCanary(s: RolloutSync, target: number): boolean {
  const c = s.r.spec.strategy.canary!;
  const st = s.r.status;
  if (c.trafficRouting !== undefined && st.abort && target < s.newRS.spec.replicas && s.stableRS !== undefined) {
    const delay = c.abortScaleDownDelaySeconds ?? 30;
    if (delay === 0) return false;
    const at = (st.abortedAt ?? s.ctx.sim.now) + delay;
    if (s.ctx.sim.now < at) {
      s.requeueAt(at);
      return false;
    }
  }
  return scaleRS(s, s.newRS, target);
}

/**
 * scaleDownOldReplicaSetsForCanary: other RSs (older revisions) down by what availability allows
 * (available − (R − maxUnavailable)), newest revision first; with a traffic router a previous stable
 * waits scaleDownDelaySeconds (default 30 s) unless dynamicStableScale.
 */
function scaleDownOthersForCanary(s: RolloutSync): boolean {
  const { r } = s;
  const c = r.spec.strategy.canary!;
  const active = s.others.filter((rs) => rs.spec.replicas > 0).sort((a, b) => revisionOfRS(b) - revisionOfRS(a));
  if (active.length === 0) return false;
  const available = s.rss.reduce((n, rs) => n + rs.status.availableReplicas, 0);
  const { maxUnavailable } = canaryFenceposts(c.maxSurge, c.maxUnavailable, r.spec.replicas);
  let budget = available - (r.spec.replicas - maxUnavailable);
  // cleanupUnhealthyReplicas: unavailable pods of older RSs go first, whatever the budget
  let moved = false;
  for (const rs of active) {
    const unhealthy = rs.spec.replicas - rs.status.availableReplicas;
    if (unhealthy > 0) moved = scaleRS(s, rs, rs.status.availableReplicas) || moved;
  }
  if (moved) return true;
  for (const rs of active) {
    if (budget <= 0) break;
    let desired = 0;
    if (c.trafficRouting === undefined) desired = rs.spec.replicas > budget ? rs.spec.replicas - budget : 0;
    else if (!c.dynamicStableScale) {
      const deadline = scaleDownDeadline(s, rs, c.scaleDownDelaySeconds ?? 30);
      if (deadline > s.ctx.sim.now) continue;
    }
    if (rs.spec.replicas === desired) continue;
    budget -= rs.spec.replicas - desired;
    moved = scaleRS(s, rs, desired) || moved;
  }
  return moved;
}

/** The scale-down deadline of a superseded RS, set now + delay the first time it is seen (requeued). */
export function scaleDownDeadline(s: RolloutSync, rs: ReplicaSet, delay: number): number {
  const a = rs.metadata.annotations[SCALE_DOWN_DEADLINE];
  if (a !== undefined) {
    const at = Number(a);
    if (at > s.ctx.sim.now) s.requeueAt(at);
    return at;
  }
  const at = s.ctx.sim.now + delay;
  rs.metadata.annotations[SCALE_DOWN_DEADLINE] = String(at);
  s.ctx.store.update(rs);
  s.requeueAt(at);
  return at;
}

// -------------------------------------------------------------------------------------------------
// Restart, history, status

/**
 * `kubectl argo rollouts restart` (the pod restarter): pods created before restartAt are deleted one at
 * a time, the next only when every desired pod is available again; the ReplicaSets replace them.
 */
function restartPods(s: RolloutSync): boolean {
  const at = Number(s.r.metadata.annotations[RESTARTED_AT] ?? NaN);
  if (!Number.isFinite(at)) return false;
  const pods: Pod[] = [];
  let available = 0;
  const now = s.ctx.sim.now;
  for (const rs of s.rss) {
    for (const p of s.ctx.store.ownedBy('Pod', rs.metadata.uid)) {
      if (!isPodActive(p)) continue;
      if (isPodAvailable(p, s.r.spec.minReadySeconds, now)) available++;
      if (p.metadata.creationTimestamp < at) pods.push(p);
    }
  }
  if (pods.length === 0) {
    delete s.r.metadata.annotations[RESTARTED_AT];
    return false;
  }
  const desired = s.rss.reduce((n, rs) => n + rs.spec.replicas, 0);
  const terminating = s.rss.some((rs) => s.ctx.store.ownedBy('Pod', rs.metadata.uid).some((p) => p.metadata.deletionTimestamp !== undefined));
  if (available < desired || terminating) return true;
  pods.sort((a, b) => a.metadata.creationTimestamp - b.metadata.creationTimestamp);
  deletePod(s.ctx, pods[0]!);
  s.ctx.events.normal('Rollout', s.r.metadata.name, 'RestartedPod', `Restarted pod ${pods[0]!.metadata.name}`);
  return true;
}

/** reconcileRevisionHistoryLimit: scaled-down older RSs beyond revisionHistoryLimit are deleted, oldest first. */
function cleanupHistory(s: RolloutSync): void {
  const candidates = s.others.filter((rs) => rs.spec.replicas === 0 && rs.status.replicas === 0).sort((a, b) => revisionOfRS(a) - revisionOfRS(b));
  const excess = candidates.length - s.r.spec.revisionHistoryLimit;
  for (const rs of candidates.slice(0, Math.max(0, excess))) s.ctx.store.remove(rs);
}

/** Counts and phase (calculateBaseStatus, rolloututil.GetRolloutPhase). */
function writeStatus(s: RolloutSync): void {
  const { r } = s;
  const st = r.status;
  const rss = replicaSetsOfRollout(s.ctx, r);
  st.replicas = rss.reduce((n, rs) => n + rs.status.replicas, 0);
  st.readyReplicas = rss.reduce((n, rs) => n + rs.status.readyReplicas, 0);
  st.availableReplicas = rss.reduce((n, rs) => n + rs.status.availableReplicas, 0);
  st.updatedReplicas = s.newRS.status.replicas;
  st.observedGeneration = r.metadata.generation;
  const R = r.spec.replicas;
  if (st.abort) {
    st.phase = 'Degraded';
    st.message = 'RolloutAborted: Rollout aborted update';
  } else if (r.spec.paused || st.pauseConditions.length > 0) {
    st.phase = 'Paused';
    st.message = st.pauseConditions[0]?.reason ?? 'manually paused';
  } else if (
    st.stableRS === st.currentPodHash &&
    s.newRS.spec.replicas === R &&
    s.newRS.status.availableReplicas >= R &&
    s.newRS.status.replicas === R &&
    rss.every((rs) => rs === s.newRS || rs.status.replicas === 0) &&
    (r.spec.strategy.blueGreen === undefined || st.blueGreen.activeSelector === st.currentPodHash)
  ) {
    st.phase = 'Healthy';
    st.message = '';
  } else {
    st.phase = 'Progressing';
    st.message = 'more replicas need to be updated';
  }
}
