import type { ClusterContext } from '../../context.js';
import type { Rollout } from '../../objects.js';
import { KubectlError } from '../../kubectl.js';
import { RESTARTED_AT } from './controller.js';

/**
 * `kubectl argo rollouts …` on a Rollout, done the way the plugin does (argo `pkg/kubectl-argo-rollouts/cmd/*`):
 * a patch of the Rollout's spec or status, after which the controller reacts to the watch event.
 */

function getRollout(ctx: ClusterContext, name: string, namespace: string): Rollout {
  const r = ctx.store.get('Rollout', name, namespace);
  if (r === undefined) throw new KubectlError(`rollouts.argoproj.io "${name}" not found`);
  return r;
}

function writeSpec(ctx: ClusterContext, r: Rollout): void {
  r.metadata.generation++;
  ctx.store.update(r);
}

/**
 * `promote`: unpauses (spec.paused), clears the pause conditions (a pause step or a blue-green pause
 * then completes), or, when not paused, skips the current canary step. `promote --full`: status.promoteFull,
 * skipping every remaining step and analysis.
 */
export function promote(ctx: ClusterContext, name: string, full: boolean, namespace = 'default'): string {
  const r = getRollout(ctx, name, namespace);
  const st = r.status;
  if (full) {
    if (st.stableRS === st.currentPodHash && !st.abort) throw new KubectlError(`rollout '${name}' is already fully promoted`);
    st.promoteFull = true;
    if (r.spec.paused) r.spec.paused = false;
    ctx.store.update(r);
    return 'fully promoted';
  }
  if (r.spec.paused) {
    r.spec.paused = false;
    writeSpec(ctx, r);
    return 'unpaused';
  }
  if (st.pauseConditions.length > 0) {
    st.pauseConditions = [];
    st.controllerPause = true; // the controller sees a removed pause as a completed pause step
    ctx.store.update(r);
    return 'promoted';
  }
  const steps = r.spec.strategy.canary?.steps ?? [];
  if (r.spec.strategy.canary !== undefined && st.currentStepIndex < steps.length && st.stableRS !== st.currentPodHash) {
    st.currentStepIndex++;
    ctx.store.update(r);
    return `skipped to step ${st.currentStepIndex}`;
  }
  throw new KubectlError(`rollout '${name}' is not paused`);
}

/** `abort`: status.abort; the controller rolls back to the stable ReplicaSet (phase Degraded). */
export function abort(ctx: ClusterContext, name: string, namespace = 'default'): string {
  const r = getRollout(ctx, name, namespace);
  if (r.status.stableRS === r.status.currentPodHash) throw new KubectlError(`rollout '${name}' has no update in progress to abort`);
  if (r.status.abort) return 'already aborted';
  r.status.abort = true;
  r.status.abortedAt = ctx.sim.now;
  r.status.pauseConditions = [];
  r.status.controllerPause = false;
  ctx.store.update(r);
  ctx.events.warning('Rollout', name, 'RolloutAborted', `Rollout aborted update to ${r.status.currentPodHash}`);
  return 'aborted';
}

/** `retry rollout`: clears the abort; the steps start again from the first. */
export function retry(ctx: ClusterContext, name: string, namespace = 'default'): string {
  const r = getRollout(ctx, name, namespace);
  if (!r.status.abort) throw new KubectlError(`rollout '${name}' is not aborted`);
  r.status.abort = false;
  delete r.status.abortedAt;
  r.status.currentStepIndex = 0;
  ctx.store.update(r);
  return 'retried';
}

/** `restart`: pods are restarted one at a time (spec.restartAt). */
export function restart(ctx: ClusterContext, name: string, namespace = 'default'): string {
  const r = getRollout(ctx, name, namespace);
  r.metadata.annotations[RESTARTED_AT] = String(ctx.sim.now);
  writeSpec(ctx, r);
  return 'restarting';
}

/** `set image rollout/<name> <container>=<image>`. Returns false when the image was already set. */
export function setRolloutImage(ctx: ClusterContext, name: string, container: string, image: string, namespace = 'default'): boolean {
  const r = getRollout(ctx, name, namespace);
  const cs = container === '*' ? r.spec.template.spec.containers : r.spec.template.spec.containers.filter((c) => c.name === container);
  if (cs.length === 0) throw new KubectlError(`unable to find container named "${container}"`);
  if (cs.every((c) => c.image === image)) return false;
  for (const c of cs) c.image = image;
  writeSpec(ctx, r);
  return true;
}

/** `scale rollout/<name> --replicas=N`. */
export function scaleRollout(ctx: ClusterContext, name: string, replicas: number, namespace = 'default'): number {
  const r = getRollout(ctx, name, namespace);
  const before = r.spec.replicas;
  if (before !== replicas) {
    r.spec.replicas = replicas;
    writeSpec(ctx, r);
  }
  return before;
}
