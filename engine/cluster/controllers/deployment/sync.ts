import type { ClusterContext } from '../../context.js';
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../../objects.js';
import { controllerOf } from '../../objects.js';
import { nameSuffix } from '../../pods.js';
import { hash53 } from '../../../kernel/random.js';
import { maxSurgeOf } from './fenceposts.js';

/**
 * Deployment bookkeeping shared by the strategies (kubernetes-semantics.md §1.2, §1.7, §1.8, §1.10):
 * finding/creating the new ReplicaSet, revisions, scaling a ReplicaSet with its annotations,
 * proportional scaling and history cleanup.
 */

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const POD_TEMPLATE_HASH = 'pod-template-hash';

/** The state one deployment sync works on: the Deployment and the ReplicaSets it controls. */
export interface DeploymentSync {
  ctx: ClusterContext;
  d: Deployment;
  /** All ReplicaSets controlled by the Deployment and not being deleted, in creation order. */
  rss: ReplicaSet[];
  /** Set by getAllReplicaSetsAndSyncRevision: every RS but the new one. */
  oldRSs: ReplicaSet[];
}

// ---------------------------------------------------------------------------------------------
// Template identity

/** JSON with object keys sorted, so equal templates give equal text whatever the key order. */
export function canonicalJSON(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJSON).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(obj[k])}`).join(',')}}`;
}

/** A template without the pod-template-hash label (what template comparisons look at, §1.8). */
function withoutHash(template: PodTemplateSpec): PodTemplateSpec {
  const labels = { ...template.metadata.labels };
  delete labels[POD_TEMPLATE_HASH];
  return { ...template, metadata: { ...template.metadata, labels } };
}

/**
 * The pod-template-hash: a deterministic hash of the pod template (without its hash label), written
 * with the generated-name alphabet. A collision count, when non-zero, is mixed in (as Kubernetes does).
 */
export function templateHash(template: PodTemplateSpec, collisionCount = 0): string {
  const text = canonicalJSON(withoutHash(template)) + (collisionCount > 0 ? `#${collisionCount}` : '');
  return nameSuffix(hash53(text), 10);
}

/** Whether two pod templates are equal, ignoring the pod-template-hash label (§1.8 FindNewReplicaSet). */
export function templatesEqual(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return canonicalJSON(withoutHash(a)) === canonicalJSON(withoutHash(b));
}

// ---------------------------------------------------------------------------------------------
// Revisions (§1.7)

export function revisionOf(rs: ReplicaSet): number {
  const v = Number(rs.metadata.annotations[REVISION] ?? '0');
  return Number.isFinite(v) ? v : 0;
}

export function maxRevision(rss: readonly ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

/** The ReplicaSets a Deployment controls (controller ownerReference), not being deleted, in creation order. */
export function replicaSetsOf(ctx: ClusterContext, d: Deployment): ReplicaSet[] {
  return ctx.store
    .ownedBy('ReplicaSet', d.metadata.uid)
    .filter((rs) => controllerOf(rs.metadata)?.uid === d.metadata.uid && rs.metadata.deletionTimestamp === undefined)
    .sort((a, b) => a.metadata.creationTimestamp - b.metadata.creationTimestamp);
}

/** §1.8 FindNewReplicaSet: the oldest RS whose template equals the Deployment's (hash label ignored). */
export function findNewReplicaSet(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet | undefined {
  const want = canonicalJSON(withoutHash(d.spec.template)); // once, not once per ReplicaSet
  return rss.find((rs) => canonicalJSON(withoutHash(rs.spec.template)) === want);
}

export const isActive = (rs: ReplicaSet): boolean => rs.spec.replicas > 0;

// ---------------------------------------------------------------------------------------------
// Scaling one ReplicaSet

/** Sets desired-replicas = D and max-replicas = D + maxSurge; true when they changed. */
function setReplicasAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  const desired = String(d.spec.replicas);
  const max = String(d.spec.replicas + maxSurgeOf(d));
  const a = rs.metadata.annotations;
  if (a[DESIRED_REPLICAS] === desired && a[MAX_REPLICAS] === max) return false;
  a[DESIRED_REPLICAS] = desired;
  a[MAX_REPLICAS] = max;
  return true;
}

/**
 * Scales a ReplicaSet owned by `d` to `size`, refreshing its desired/max-replicas annotations, and
 * records "Scaled up/down replica set <name> from <old> to <new>" (reason ScalingReplicaSet, the wording
 * of current deployment controllers; releases before ~1.29 wrote "… to <new>"). A spec change bumps
 * the RS's metadata.generation. Returns true when the RS changed.
 */
export function scaleReplicaSet(ctx: ClusterContext, d: Deployment, rs: ReplicaSet, size: number): boolean {
  const from = rs.spec.replicas;
  const sizeChanged = from !== size;
  const annotationsChanged = setReplicasAnnotations(d, rs);
  if (!sizeChanged && !annotationsChanged) return false;
  if (sizeChanged) {
    rs.spec.replicas = size;
    rs.metadata.generation++;
  }
  ctx.store.update(rs);
  if (sizeChanged) {
    const verb = size > from ? 'up' : 'down';
    ctx.events.normal('Deployment', d.metadata.name, 'ScalingReplicaSet', `Scaled ${verb} replica set ${rs.metadata.name} from ${from} to ${size}`);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// The new ReplicaSet (§1.7, §1.8)

/** Creates the new ReplicaSet `<deployment>-<pod-template-hash>` at `replicas`, revision max+1. */
export function createNewReplicaSet(s: DeploymentSync, replicas: number): ReplicaSet {
  const { ctx, d } = s;
  let collisions = 0;
  let hash = templateHash(d.spec.template);
  while (ctx.store.get('ReplicaSet', `${d.metadata.name}-${hash}`, d.metadata.namespace) !== undefined) {
    hash = templateHash(d.spec.template, ++collisions);
  }
  const template = structuredClone(d.spec.template);
  template.metadata.labels[POD_TEMPLATE_HASH] = hash;
  const selector = structuredClone(d.spec.selector);
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
  const rs = ctx.store.create<'ReplicaSet'>({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...template.metadata.labels },
      annotations: {
        [REVISION]: String(maxRevision(s.rss) + 1),
        [DESIRED_REPLICAS]: String(d.spec.replicas),
        [MAX_REPLICAS]: String(d.spec.replicas + maxSurgeOf(d)),
      },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid, controller: true }],
    },
    spec: { replicas, selector, template, minReadySeconds: d.spec.minReadySeconds },
    status: { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 0 },
  });
  if (replicas > 0) {
    ctx.events.normal('Deployment', d.metadata.name, 'ScalingReplicaSet', `Scaled up replica set ${rs.metadata.name} from 0 to ${replicas}`);
  }
  return rs;
}

/**
 * Brings an existing new RS up to date (§1.8): revision = max(old)+1 when it is behind (the old number
 * goes to revision-history), and minReadySeconds from the Deployment. True when it changed the RS.
 */
export function syncNewReplicaSet(s: DeploymentSync, newRS: ReplicaSet): boolean {
  const next = maxRevision(s.oldRSs) + 1;
  const current = revisionOf(newRS);
  let changed = false;
  if (current < next) {
    const a = newRS.metadata.annotations;
    if (current > 0) a[REVISION_HISTORY] = a[REVISION_HISTORY] ? `${a[REVISION_HISTORY]},${current}` : String(current);
    a[REVISION] = String(next);
    changed = true;
  }
  if (newRS.spec.minReadySeconds !== s.d.spec.minReadySeconds) {
    newRS.spec.minReadySeconds = s.d.spec.minReadySeconds;
    newRS.metadata.generation++;
    changed = true;
  }
  if (changed) s.ctx.store.update(newRS);
  return changed;
}

/** Result of getAllReplicaSetsAndSyncRevision. */
export interface FoundReplicaSets {
  newRS: ReplicaSet | undefined;
  /** True when this call created or updated a ReplicaSet: that is the sync's one move. */
  moved: boolean;
}

/**
 * Splits the Deployment's ReplicaSets into new and old (fills s.oldRSs). An existing new RS has its
 * revision synced (adoption of a matching old RS on rollback, §1.8). With `createIfNotExisted`, a
 * missing new RS is created, already sized by the strategy's rule (§1.3 NewRSNewReplicas / §2 step 3).
 */
export function getAllReplicaSetsAndSyncRevision(s: DeploymentSync, createIfNotExisted: boolean, createSize?: number): FoundReplicaSets {
  const existing = findNewReplicaSet(s.d, s.rss);
  s.oldRSs = s.rss.filter((rs) => rs !== existing);
  if (existing !== undefined) {
    if (syncNewReplicaSet(s, existing)) {
      setProgressingOnNewRS(s, 'FoundNewReplicaSet', `Found new replica set "${existing.metadata.name}"`);
      return { newRS: existing, moved: true };
    }
    return { newRS: existing, moved: false };
  }
  if (!createIfNotExisted) return { newRS: undefined, moved: false };
  const size = createSize ?? initialRollingSize(s);
  const created = createNewReplicaSet(s, size);
  s.rss.push(created);
  setProgressingOnNewRS(s, 'NewReplicaSetCreated', `Created new replica set "${created.metadata.name}"`);
  return { newRS: created, moved: true };
}

/** §1.3 NewRSNewReplicas for a new RS that does not exist yet (its spec counts as 0). */
function initialRollingSize(s: DeploymentSync): number {
  const D = s.d.spec.replicas;
  const maxTotal = D + maxSurgeOf(s.d);
  const current = s.oldRSs.reduce((n, rs) => n + rs.spec.replicas, 0);
  return current >= maxTotal ? 0 : Math.min(maxTotal - current, D);
}

/** §1.6: creating/finding the new RS sets Progressing=True and refreshes lastUpdateTime. */
function setProgressingOnNewRS(s: DeploymentSync, reason: string, message: string): void {
  const now = s.ctx.sim.now;
  const conds = s.d.status.conditions;
  const cur = conds.find((c) => c.type === 'Progressing');
  if (cur === undefined) {
    conds.push({ type: 'Progressing', status: 'True', reason, message, lastTransitionTime: now, lastUpdateTime: now });
    return;
  }
  if (cur.status !== 'True') cur.lastTransitionTime = now;
  Object.assign(cur, { status: 'True', reason, message, lastUpdateTime: now });
}

// ---------------------------------------------------------------------------------------------
// Scaling events and proportional scaling (§1.2, §1.10)

/** §1.2: an active RS whose desired-replicas annotation differs from D. */
export function isScalingEvent(d: Deployment, rss: readonly ReplicaSet[]): boolean {
  return rss.some((rs) => {
    if (!isActive(rs)) return false;
    const desired = rs.metadata.annotations[DESIRED_REPLICAS];
    return desired !== undefined && Number(desired) !== d.spec.replicas;
  });
}

/** Go's math.Round: halves away from zero (§1.10). */
export function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** What proportional scaling needs to know about an active ReplicaSet. */
export interface ProportionSnapshot {
  name: string;
  spec: number;
  createdAt: number;
  /** The max-replicas annotation (previous D + maxSurge), if present. */
  maxReplicasAnnotation: number | undefined;
}

/**
 * §1.10 getReplicaSetFraction: round(spec × (D + maxSurge) / maxReplicasAnnotation) − spec, the
 * annotation falling back to the Deployment's status.replicas; −spec when D = 0.
 */
export function replicaSetFraction(rs: ProportionSnapshot, replicas: number, maxSurge: number, statusReplicas: number): number {
  if (replicas === 0) return -rs.spec;
  const annotated = rs.maxReplicasAnnotation ?? statusReplicas;
  if (annotated <= 0) return 0;
  return roundHalfAwayFromZero((rs.spec * (replicas + maxSurge)) / annotated) - rs.spec;
}

/**
 * §1.10 proportional scaling of several active RSs (RollingUpdate): new sizes by name.
 * allowed = D + maxSurge (0 when D = 0); toAdd = allowed − Σspec. Scale-up sorts by size desc, newer
 * first on ties; scale-down by size desc, older first. Each RS takes min(fraction, remaining) going up,
 * max(fraction, remaining) going down; the leftover goes to the first RS; never below 0.
 */
export function proportionalTargets(
  active: readonly ProportionSnapshot[],
  replicas: number,
  maxSurge: number,
  statusReplicas: number,
): Map<string, number> {
  const allowed = replicas > 0 ? replicas + maxSurge : 0;
  const toAdd = allowed - active.reduce((n, r) => n + r.spec, 0);
  const sorted = [...active].sort((a, b) => {
    if (a.spec !== b.spec) return b.spec - a.spec;
    return toAdd > 0 ? b.createdAt - a.createdAt : a.createdAt - b.createdAt;
  });
  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of sorted) {
    let proportion = 0;
    if (toAdd !== 0 && rs.spec !== 0 && added !== toAdd) {
      const fraction = replicaSetFraction(rs, replicas, maxSurge, statusReplicas);
      const remaining = toAdd - added;
      proportion = toAdd > 0 ? Math.min(fraction, remaining) : Math.max(fraction, remaining);
    }
    sizes.set(rs.name, rs.spec + proportion);
    added += proportion;
  }
  const first = sorted[0];
  if (first !== undefined && toAdd !== 0) {
    sizes.set(first.name, Math.max(0, (sizes.get(first.name) ?? 0) + (toAdd - added)));
  }
  return sizes;
}

function proportionSnapshot(rs: ReplicaSet): ProportionSnapshot {
  const a = rs.metadata.annotations[MAX_REPLICAS];
  const n = a === undefined ? NaN : Number(a);
  return {
    name: rs.metadata.name,
    spec: rs.spec.replicas,
    createdAt: rs.metadata.creationTimestamp,
    maxReplicasAnnotation: Number.isFinite(n) ? n : undefined,
  };
}

/** Newest first (creation time desc), for FindActiveOrLatest. */
const newestFirst = (rss: readonly ReplicaSet[]): ReplicaSet[] =>
  [...rss].sort((a, b) => b.metadata.creationTimestamp - a.metadata.creationTimestamp);

/** §1.10 FindActiveOrLatest: the only active RS, or the newest when none is active; undefined if several are active. */
function activeOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (newRS === undefined && oldRSs.length === 0) return undefined;
  const active = [...newestFirst(oldRSs), ...(newRS ? [newRS] : [])].filter(isActive);
  if (active.length === 1) return active[0];
  if (active.length === 0) return newRS ?? newestFirst(oldRSs)[0];
  return undefined;
}

/** §1.10 IsSaturated: the new RS has D replicas, desired annotation D and D available. */
function isSaturated(d: Deployment, newRS: ReplicaSet | undefined): boolean {
  if (newRS === undefined) return false;
  const desired = Number(newRS.metadata.annotations[DESIRED_REPLICAS]);
  return desired === d.spec.replicas && newRS.spec.replicas === d.spec.replicas && newRS.status.availableReplicas === d.spec.replicas;
}

/**
 * The `sync()` path (§1.2, §1.9, §1.10): scaling only, no rollout. With at most one active RS it is set
 * to D directly (no surge gating); a saturated new RS sends old RSs to 0; otherwise, for RollingUpdate,
 * proportional scaling. Returns true when any RS changed.
 */
export function scale(s: DeploymentSync): boolean {
  const { ctx, d } = s;
  const newRS = getAllReplicaSetsAndSyncRevision(s, false).newRS;
  const single = activeOrLatest(newRS, s.oldRSs);
  if (single !== undefined) {
    if (single.spec.replicas === d.spec.replicas && !isScalingEvent(d, [single])) return false;
    return scaleReplicaSet(ctx, d, single, d.spec.replicas);
  }
  if (isSaturated(d, newRS)) {
    let moved = false;
    for (const rs of s.oldRSs.filter(isActive)) moved = scaleReplicaSet(ctx, d, rs, 0) || moved;
    return moved;
  }
  if (d.spec.strategy.type !== 'RollingUpdate') return false;
  const active = [...s.oldRSs, ...(newRS ? [newRS] : [])].filter(isActive);
  const targets = proportionalTargets(active.map(proportionSnapshot), d.spec.replicas, maxSurgeOf(d), d.status.replicas);
  let moved = false;
  for (const rs of active) moved = scaleReplicaSet(ctx, d, rs, targets.get(rs.metadata.name) ?? rs.spec.replicas) || moved;
  return moved;
}

// ---------------------------------------------------------------------------------------------
// History cleanup (§1.7)

/**
 * §1.7 cleanupDeployment: when there are more old (non-deleting) RSs than revisionHistoryLimit, look at
 * the `excess` lowest-revision ones and delete each that has spec 0, status.replicas 0 and an observed
 * generation (the others are skipped, not replaced by higher revisions). Returns true when it deleted.
 */
export function cleanupDeployment(s: DeploymentSync): boolean {
  const candidates = s.oldRSs.filter((rs) => rs.metadata.deletionTimestamp === undefined);
  const excess = candidates.length - s.d.spec.revisionHistoryLimit;
  if (excess <= 0) return false;
  const byRevision = [...candidates].sort((a, b) => revisionOf(a) - revisionOf(b));
  let deleted = false;
  for (const rs of byRevision.slice(0, excess)) {
    if (rs.spec.replicas !== 0 || rs.status.replicas !== 0 || rs.status.observedGeneration < rs.metadata.generation) continue;
    s.ctx.store.remove(rs);
    deleted = true;
  }
  return deleted;
}
