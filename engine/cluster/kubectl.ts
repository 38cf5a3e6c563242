import type { ClusterContext } from './context.js';
import type { Deployment, ReplicaSet } from './objects.js';
import { controllerOf } from './objects.js';
import { POD_TEMPLATE_HASH, REVISION, revisionOf, templatesEqual } from './controllers/deployment/sync.js';

/**
 * User actions on Deployments, done the way kubectl does them (client side): read the object, change
 * its spec, bump metadata.generation (the API server does that on every spec change) and write it back
 * with store.update. The controllers react to the resulting watch events.
 */

/** A refused kubectl action, with kubectl's own wording. */
export class KubectlError extends Error {
  override readonly name = 'KubectlError';
}

function getDeployment(ctx: ClusterContext, name: string, namespace: string): Deployment {
  const d = ctx.store.get('Deployment', name, namespace);
  if (d === undefined) throw new KubectlError(`deployments.apps "${name}" not found`);
  return d;
}

function writeSpec(ctx: ClusterContext, d: Deployment): void {
  d.metadata.generation++;
  ctx.store.update(d);
}

/** `kubectl set image deployment/<name> <container>=<image>`. Returns false when the image was already set. */
export function setImage(ctx: ClusterContext, deployment: string, container: string, image: string, namespace = 'default'): boolean {
  const d = getDeployment(ctx, deployment, namespace);
  const c = d.spec.template.spec.containers.find((x) => x.name === container);
  if (c === undefined) throw new KubectlError(`unable to find container named "${container}"`);
  if (c.image === image) return false;
  c.image = image;
  writeSpec(ctx, d);
  return true;
}

/** `kubectl scale deployment/<name> --replicas=<n>`. */
export function scale(ctx: ClusterContext, deployment: string, replicas: number, namespace = 'default'): void {
  if (!Number.isInteger(replicas) || replicas < 0) throw new KubectlError(`The --replicas=${replicas} flag must be a non-negative integer`);
  const d = getDeployment(ctx, deployment, namespace);
  if (d.spec.replicas === replicas) return;
  d.spec.replicas = replicas;
  writeSpec(ctx, d);
}

/** `kubectl rollout pause deployment/<name>` (§1.9). */
export function pause(ctx: ClusterContext, deployment: string, namespace = 'default'): void {
  const d = getDeployment(ctx, deployment, namespace);
  if (d.spec.paused) throw new KubectlError(`deployment.apps/${deployment} is already paused`);
  d.spec.paused = true;
  writeSpec(ctx, d);
}

/** `kubectl rollout resume deployment/<name>` (§1.9). */
export function resume(ctx: ClusterContext, deployment: string, namespace = 'default'): void {
  const d = getDeployment(ctx, deployment, namespace);
  if (!d.spec.paused) throw new KubectlError(`deployment.apps/${deployment} is not paused`);
  d.spec.paused = false;
  writeSpec(ctx, d);
}

/** `kubectl rollout restart deployment/<name>`: a template annotation change, hence a new revision. */
export function restart(ctx: ClusterContext, deployment: string, namespace = 'default'): void {
  const d = getDeployment(ctx, deployment, namespace);
  if (d.spec.paused) throw new KubectlError(`deployments.apps "${deployment}" can't restart paused deployment (run rollout resume first)`);
  d.spec.template.metadata.annotations = { ...(d.spec.template.metadata.annotations ?? {}), 'kubectl.kubernetes.io/restartedAt': String(ctx.sim.now) };
  writeSpec(ctx, d);
}

/**
 * `kubectl rollout undo deployment/<name> [--to-revision=N]` (§1.8): copies the pod template of the
 * target revision's ReplicaSet (default: the previous revision, i.e. the second-highest) into the
 * Deployment, without the pod-template-hash label — a plain template patch, as apps/v1 kubectl does it,
 * so no DeploymentRollback event is recorded. Refused while paused. Returns the revision rolled
 * back to, or undefined when the template already matches it (kubectl's "skipped rollback").
 */
export function rolloutUndo(ctx: ClusterContext, deployment: string, toRevision?: number, namespace = 'default'): number | undefined {
  const d = getDeployment(ctx, deployment, namespace);
  if (d.spec.paused) {
    throw new KubectlError(`you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/${deployment}' and try again`);
  }
  const rss = ctx.store
    .ownedBy('ReplicaSet', d.metadata.uid)
    .filter((rs) => controllerOf(rs.metadata)?.uid === d.metadata.uid && rs.metadata.deletionTimestamp === undefined);
  const target = targetRevision(rss, toRevision ?? 0);
  if (target === undefined) {
    throw new KubectlError(toRevision ? `unable to find specified revision ${toRevision} in history` : 'no rollout history found for deployment "' + deployment + '"');
  }
  const rev = revisionOf(target);
  if (templatesEqual(target.spec.template, d.spec.template)) return undefined;
  const template = structuredClone(target.spec.template);
  delete template.metadata.labels[POD_TEMPLATE_HASH];
  d.spec.template = template;
  writeSpec(ctx, d);
  // No DeploymentRollback event: apps/v1 kubectl patches spec.template (DeploymentRollbacker,
  // getDeploymentPatch); only the removed extensions/v1beta1 rollbackTo went through the controller's
  // rollback path, which recorded it (kubernetes-semantics.md §1.8).
  return rev;
}

/** The RS of revision `n`, or for n = 0 the previous revision (second-highest). */
function targetRevision(rss: readonly ReplicaSet[], n: number): ReplicaSet | undefined {
  if (n > 0) return rss.find((rs) => revisionOf(rs) === n);
  const sorted = [...rss].filter((rs) => rs.metadata.annotations[REVISION] !== undefined).sort((a, b) => revisionOf(b) - revisionOf(a));
  return sorted[1];
}
