import { describe, expect, it } from 'vitest';
import type { ClusterContext } from '../../../engine/cluster/context.js';
import { DeploymentController } from '../../../engine/cluster/controllers/deployment/controller.js';
import { REVISION, REVISION_HISTORY, findNewReplicaSet, replicaSetsOf, revisionOf } from '../../../engine/cluster/controllers/deployment/sync.js';
import { ReplicaSetController } from '../../../engine/cluster/controllers/replicaset.js';
import * as kubectl from '../../../engine/cluster/kubectl.js';
import type { Deployment, Pod, ReplicaSet } from '../../../engine/cluster/objects.js';
import { controllerOf, getCondition, isPodActive, isPodReady } from '../../../engine/cluster/objects.js';
import { type DeploymentOptions, FakeKubelet, type FakeKubeletOptions, deploymentManifest, makeContext } from '../../support/fake-kubelet.js';

const T = 10; // every new pod is Ready (= Available, minReadySeconds 0) T seconds after creation
const T0 = 100; // the template change happens here, long after the first rollout completed

interface Cluster {
  ctx: ClusterContext;
  d: Deployment;
  rss(): ReplicaSet[];
  newRS(): ReplicaSet | undefined;
  pods(): Pod[];
  run(until: number): void;
}

function cluster(o: DeploymentOptions, kubelet: FakeKubeletOptions = { startAfter: T }, deploymentFirst = false, delay = 0): Cluster {
  const ctx = makeContext(delay);
  if (deploymentFirst) new DeploymentController(ctx); // watcher order as engine/cluster/cluster.ts has it
  new ReplicaSetController(ctx);
  if (!deploymentFirst) new DeploymentController(ctx);
  new FakeKubelet(ctx, kubelet);
  const d = ctx.store.create<'Deployment'>(deploymentManifest('web', o));
  return {
    ctx,
    d,
    rss: () => replicaSetsOf(ctx, d),
    newRS: () => findNewReplicaSet(d, replicaSetsOf(ctx, d)),
    pods: () => ctx.store.list('Pod'),
    run: (until) => void ctx.sim.run({ until }),
  };
}

const imageOf = (pod: Pod) => pod.spec.containers[0]!.image;
const activePods = (c: Cluster) => c.pods().filter(isPodActive);
const availablePods = (c: Cluster) => activePods(c).filter(isPodReady);

/**
 * One row per deployment-controller move, taken once every ReplicaSet has observed its new spec (so a
 * scale-down's victims are already terminating, as in the sheet's tables): [t in units of T after T0,
 * old spec, new spec, old avail, new avail], where avail = non-terminating available pods.
 */
type Row = [number, number, number, number, number];

function recordRows(c: Cluster): Row[] {
  const rows: Row[] = [];
  let lastSpecs = '';
  let pending = false;
  c.ctx.store.watch('ReplicaSet', () => {
    const rss = c.rss();
    const specs = JSON.stringify(rss.map((rs) => [rs.metadata.name, rs.spec.replicas]));
    if (specs !== lastSpecs) {
      lastSpecs = specs;
      pending = true;
    }
    if (!pending || rss.some((rs) => rs.status.observedGeneration < rs.metadata.generation)) return;
    pending = false;
    const newRS = c.newRS();
    let oldSpec = 0, newSpec = 0, oldAvail = 0, newAvail = 0;
    for (const rs of rss) {
      const avail = availablePods(c).filter((p) => controllerOf(p.metadata)?.uid === rs.metadata.uid).length;
      if (rs === newRS) (newSpec += rs.spec.replicas), (newAvail += avail);
      else (oldSpec += rs.spec.replicas), (oldAvail += avail);
    }
    rows.push([(c.ctx.sim.now - T0) / T, oldSpec, newSpec, oldAvail, newAvail]);
  });
  return rows;
}

/** Max non-terminating pods and min available pods, checked at every pod change from now on. */
function watchBounds(c: Cluster): { maxActive: number; minAvailable: number } {
  const b = { maxActive: activePods(c).length, minAvailable: availablePods(c).length };
  c.ctx.store.watch('Pod', () => {
    b.maxActive = Math.max(b.maxActive, activePods(c).length);
    b.minAvailable = Math.min(b.minAvailable, availablePods(c).length);
  });
  return b;
}

/** Time at which the Deployment turned complete (Progressing NewReplicaSetAvailable) after T0. */
function watchCompletion(c: Cluster): { at: number | undefined } {
  const r: { at: number | undefined } = { at: undefined };
  c.ctx.store.watch('Deployment', (_t, d) => {
    if (r.at === undefined && c.ctx.sim.now > T0 && getCondition(d.status.conditions, 'Progressing')?.reason === 'NewReplicaSetAvailable') {
      r.at = c.ctx.sim.now;
    }
  });
  return r;
}

function rolloutTable(o: DeploymentOptions, deploymentFirst = false) {
  const c = cluster(o, { startAfter: T }, deploymentFirst);
  c.run(T0);
  expect(availablePods(c)).toHaveLength(c.d.spec.replicas);
  const rows = recordRows(c);
  const bounds = watchBounds(c);
  const done = watchCompletion(c);
  kubectl.setImage(c.ctx, 'web', 'app', 'app:v2');
  c.run(T0 + 20 * T);
  return { c, rows, bounds, done };
}

function expectComplete(c: Cluster, D: number): void {
  const newRS = c.newRS()!;
  expect(newRS.spec.template.spec.containers[0]!.image).toBe('app:v2');
  expect(newRS.spec.replicas).toBe(D);
  for (const rs of c.rss()) if (rs !== newRS) expect(rs.spec.replicas).toBe(0);
  expect(c.d.status).toMatchObject({ replicas: D, updatedReplicas: D, readyReplicas: D, availableReplicas: D, unavailableReplicas: 0 });
  expect(getCondition(c.d.status.conditions, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
  expect(getCondition(c.d.status.conditions, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
  expect(activePods(c).every((p) => imageOf(p) === 'app:v2')).toBe(true);
}

describe.each([
  ['RS controller watching first', false],
  ['Deployment controller watching first', true],
])('§1.11 worked examples (T fixed, controller delay 0), %s: the whole step table', (_order, deploymentFirst) => {
  it('Example A — D=10, 25 %/25 % (surge 3, unavailable 2)', () => {
    const { c, rows, bounds, done } = rolloutTable({ replicas: 10 }, deploymentFirst);
    expect(rows).toEqual<Row[]>([
      // t, old spec, new spec, old avail, new avail
      [0, 10, 3, 10, 0], // template changed; new RS created already sized: 10 < 13 → min(3, 10)
      [0, 8, 3, 8, 0], //   down: maxScaledDown = 13 − 8 − 3 = 2; avail 10 > 8 → old −2
      [0, 8, 5, 8, 0], //   up: 11 < 13 → new += 2   (then down: 13 − 8 − 5 = 0 → wait)
      [1, 3, 5, 3, 5], //   5 new available; down: 13 − 8 − 0 = 5; avail 13 → old −5
      [1, 3, 10, 3, 5], //  up: 8 < 13 → new += 5    (then down: 13 − 8 − 5 = 0 → wait)
      [2, 0, 10, 0, 10], // 5 more available; avail 13 − 8 = 5 → old −3 (to 0)
    ]);
    expect(done.at).toBe(T0 + 2 * T);
    expect(bounds.maxActive).toBe(13);
    expect(bounds.minAvailable).toBe(8);
    expectComplete(c, 10);
  });

  it('Example B — D=3, maxSurge 1, maxUnavailable 0', () => {
    const { c, rows, bounds, done } = rolloutTable({ replicas: 3, maxSurge: 1, maxUnavailable: 0 }, deploymentFirst);
    expect(rows).toEqual<Row[]>([
      [0, 3, 1, 3, 0], // up: new 0 → 1 (the RS is created at 1); down: 4 − 3 − 1 = 0 → wait
      [1, 2, 1, 2, 1], // new 1 avail; down: 4 − 3 − 0 = 1, avail 4 → old −1
      [1, 2, 2, 2, 1], // up: new 1 → 2
      [2, 1, 2, 1, 2], // sheet row "2T old 2→1; new 2→3" is two moves:
      [2, 1, 3, 1, 2],
      [3, 0, 3, 0, 3], // old 1 → 0
    ]);
    expect(done.at).toBe(T0 + 3 * T);
    expect(bounds.maxActive).toBe(4);
    expect(bounds.minAvailable).toBe(3);
    expectComplete(c, 3);
  });

  it('Example C — D=4, maxSurge 0, maxUnavailable 1', () => {
    const { c, rows, bounds, done } = rolloutTable({ replicas: 4, maxSurge: 0, maxUnavailable: 1 }, deploymentFirst);
    expect(rows).toEqual<Row[]>([
      [0, 4, 0, 4, 0], // up: 4 ≥ 4 → nothing (the new RS is created at size 0)
      [0, 3, 0, 3, 0], // down: 4 − 3 − 0 = 1, avail 4 > 3 → old −1
      [0, 3, 1, 3, 0], // up: 3 < 4 → new 0 → 1   (down: 4 − 3 − 1 = 0 → wait)
      [1, 2, 1, 2, 1], // sheet row "T old 3→2; new 1→2"
      [1, 2, 2, 2, 1],
      [2, 1, 2, 1, 2], // sheet row "2T old 2→1; new 2→3"
      [2, 1, 3, 1, 2],
      [3, 0, 3, 0, 3], // sheet row "3T old 1→0; new 3→4"
      [3, 0, 4, 0, 3],
    ]);
    // 4T: last new pod available → complete (no move).
    expect(done.at).toBe(T0 + 4 * T);
    expect(bounds.maxActive).toBe(4);
    expect(bounds.minAvailable).toBe(3);
    expectComplete(c, 4);
  });

  it('records the rollout in Kubernetes words', () => {
    const { c } = rolloutTable({ replicas: 3, maxSurge: 1, maxUnavailable: 0 }, deploymentFirst);
    const [oldRS, newRS] = c.rss();
    const msgs = c.ctx.events.events.filter((e) => e.t >= T0 && e.object === 'deployment/web').map((e) => `${e.reason}: ${e.message}`);
    expect(msgs).toEqual([
      `ScalingReplicaSet: Scaled up replica set ${newRS!.metadata.name} from 0 to 1`,
      `ScalingReplicaSet: Scaled down replica set ${oldRS!.metadata.name} from 3 to 2`,
      `ScalingReplicaSet: Scaled up replica set ${newRS!.metadata.name} from 1 to 2`,
      `ScalingReplicaSet: Scaled down replica set ${oldRS!.metadata.name} from 2 to 1`,
      `ScalingReplicaSet: Scaled up replica set ${newRS!.metadata.name} from 2 to 3`,
      `ScalingReplicaSet: Scaled down replica set ${oldRS!.metadata.name} from 1 to 0`,
    ]);
    const rsEvents = c.ctx.events.events.filter((e) => e.object === `replicaset/${oldRS!.metadata.name}` && e.t >= T0);
    expect(rsEvents.map((e) => e.reason)).toEqual(['SuccessfulDelete', 'SuccessfulDelete', 'SuccessfulDelete']);
    expect(rsEvents[0]!.message).toMatch(new RegExp(`^Deleted pod: ${oldRS!.metadata.name}-[a-z0-9]{5}$`));
    expect(newRS!.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    expect(newRS!.metadata.labels['pod-template-hash']).toBe(newRS!.metadata.name.slice(4));
    expect(newRS!.spec.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': newRS!.metadata.name.slice(4) });
    expect(c.pods().every((p) => p.metadata.labels['pod-template-hash'] === newRS!.metadata.name.slice(4))).toBe(true);
    expect(revisionOf(oldRS!)).toBe(1);
    expect(revisionOf(newRS!)).toBe(2);
    expect(c.d.metadata.annotations[REVISION]).toBe('2');
  });
});

describe('with a realistic 20 ms controller reaction delay', () => {
  it('Example B makes the same moves, each a few reactions later', () => {
    const c = cluster({ replicas: 3, maxSurge: 1, maxUnavailable: 0 }, { startAfter: T }, true, 0.02);
    c.run(T0);
    const rows = recordRows(c);
    const bounds = watchBounds(c);
    kubectl.setImage(c.ctx, 'web', 'app', 'app:v2');
    c.run(T0 + 20 * T);
    expect(rows.map(([, ...rest]) => rest)).toEqual([
      [3, 1, 3, 0],
      [2, 1, 2, 1],
      [2, 2, 2, 1],
      [1, 2, 1, 2],
      [1, 3, 1, 2],
      [0, 3, 0, 3],
    ]);
    const expectedT = [0, 1, 1, 2, 2, 3];
    rows.forEach(([t], i) => {
      expect(t).toBeGreaterThan(expectedT[i]!);
      expect(t).toBeLessThan(expectedT[i]! + 0.05); // reaction lag accumulates per wave: < 0.5 s after 3 waves
    });
    expect(bounds.maxActive).toBe(4);
    expect(bounds.minAvailable).toBe(3);
    expectComplete(c, 3);
  });
});

describe('Recreate (§2)', () => {
  it('deletes every old pod, waits until they are gone, then creates all new pods at once', () => {
    const c = cluster({ replicas: 3, strategy: 'Recreate' }, { startAfter: T, deleteAfter: 7 });
    c.run(T0);
    expect(availablePods(c)).toHaveLength(3);
    let lastOldGone = -1;
    let firstNewCreated = Infinity;
    let oldAlive = 3;
    c.ctx.store.watch('Pod', (type, pod) => {
      if (type === 'DELETED' && imageOf(pod) === 'app:v1') {
        lastOldGone = c.ctx.sim.now;
        oldAlive--;
      }
      if (type === 'ADDED' && imageOf(pod) === 'app:v2') {
        firstNewCreated = Math.min(firstNewCreated, c.ctx.sim.now);
        expect(oldAlive).toBe(0);
      }
    });
    kubectl.setImage(c.ctx, 'web', 'app', 'app:v2');
    c.run(T0 + 1);
    expect(availablePods(c)).toHaveLength(0); // capacity drops to 0 at once
    expect(c.rss()).toHaveLength(1); // the new RS is not created yet
    c.run(T0 + 30);
    expect(lastOldGone).toBe(T0 + 7);
    expect(firstNewCreated).toBe(T0 + 7);
    expect(c.newRS()!.spec.replicas).toBe(3);
    expect(availablePods(c).map(imageOf)).toEqual(['app:v2', 'app:v2', 'app:v2']);
    expect(getCondition(c.d.status.conditions, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
  });
});

describe('rollout undo (§1.8)', () => {
  it('rolls back to the previous revision by re-using its ReplicaSet, which gets revision max+1', () => {
    const c = cluster({ replicas: 3 });
    c.run(T0);
    kubectl.setImage(c.ctx, 'web', 'app', 'app:v2');
    c.run(T0 + 10 * T);
    const [rs1, rs2] = c.rss();
    expect(rs2!.spec.replicas).toBe(3);
    const t1 = T0 + 20 * T;
    c.run(t1);
    expect(kubectl.rolloutUndo(c.ctx, 'web')).toBe(1);
    const gen = c.d.metadata.generation;
    c.run(t1 + 10 * T);
    expect(c.rss()).toHaveLength(2); // no new ReplicaSet
    expect(c.newRS()).toBe(rs1);
    expect(rs1!.metadata.annotations[REVISION]).toBe('3');
    expect(rs1!.metadata.annotations[REVISION_HISTORY]).toBe('1');
    expect(c.d.metadata.annotations[REVISION]).toBe('3');
    expect(rs1!.spec.replicas).toBe(3);
    expect(rs2!.spec.replicas).toBe(0);
    expect(availablePods(c).map(imageOf)).toEqual(['app:v1', 'app:v1', 'app:v1']);
    expect(c.d.status.observedGeneration).toBe(gen);
    expect(getCondition(c.d.status.conditions, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
    // apps/v1 `kubectl rollout undo` is a client-side template patch (kubectl's DeploymentRollbacker,
    // getDeploymentPatch): the controller's rollback path, which records DeploymentRollback, runs only
    // for the removed extensions/v1beta1 spec.rollbackTo. So no such event — the rollout's own
    // ScalingReplicaSet events show it.
    expect(c.ctx.events.events.filter((e) => e.reason === 'DeploymentRollback')).toEqual([]);
    expect(c.ctx.events.events.some((e) => e.reason === 'ScalingReplicaSet' && e.t >= t1 && e.message.includes(rs1!.metadata.name))).toBe(true);
    // Undo again goes back to v2 (now the second-highest revision, 2), adopting rs2 as revision 4.
    expect(kubectl.rolloutUndo(c.ctx, 'web')).toBe(2);
    c.run(t1 + 20 * T);
    expect(c.newRS()).toBe(rs2);
    expect(revisionOf(rs2!)).toBe(4);
    // --to-revision to the current template is skipped.
    expect(kubectl.rolloutUndo(c.ctx, 'web', 4)).toBeUndefined();
    expect(() => kubectl.rolloutUndo(c.ctx, 'web', 9)).toThrow(/unable to find specified revision 9/);
  });

  it('is refused while paused', () => {
    const c = cluster({ replicas: 2 });
    c.run(T0);
    kubectl.setImage(c.ctx, 'web', 'app', 'app:v2');
    c.run(T0 + 10 * T);
    kubectl.pause(c.ctx, 'web');
    expect(() => kubectl.rolloutUndo(c.ctx, 'web')).toThrow(/you cannot rollback a paused deployment; resume it first/);
    expect(() => kubectl.rolloutUndo(c.ctx, 'nope')).toThrow(/not found/);
  });
});

describe('pause / resume (§1.9)', () => {
  it('stores template edits without a rollout, applies scaling while paused, rolls out once on resume', () => {
    const c = cluster({ replicas: 3 });
    c.run(T0);
    kubectl.pause(c.ctx, 'web');
    c.run(T0 + 1);
    expect(getCondition(c.d.status.conditions, 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused', lastUpdateTime: T0 });
    kubectl.setImage(c.ctx, 'web', 'app', 'app:v2');
    kubectl.setImage(c.ctx, 'web', 'app', 'app:v3');
    c.run(T0 + 10 * T);
    expect(c.d.spec.template.spec.containers[0]!.image).toBe('app:v3');
    expect(c.rss()).toHaveLength(1); // no new RS while paused
    expect(c.d.status.observedGeneration).toBe(c.d.metadata.generation);
    kubectl.scale(c.ctx, 'web', 5);
    c.run(T0 + 20 * T);
    expect(c.rss()[0]!.spec.replicas).toBe(5); // scaling applied while paused
    expect(availablePods(c).map(imageOf)).toEqual(Array(5).fill('app:v1'));
    const resumeAt = T0 + 30 * T;
    c.run(resumeAt);
    kubectl.resume(c.ctx, 'web');
    c.run(resumeAt + 20 * T);
    const rss = c.rss();
    expect(rss).toHaveLength(2); // one new revision with the accumulated template
    expect(revisionOf(rss[1]!)).toBe(2);
    expect(rss[1]!.spec.template.spec.containers[0]!.image).toBe('app:v3');
    expect(availablePods(c).map(imageOf)).toEqual(Array(5).fill('app:v3'));
    expect(getCondition(c.d.status.conditions, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
    const reasons = c.ctx.events.events.filter((e) => e.reason.startsWith('Deployment')).map((e) => [e.reason, e.t]);
    expect(reasons).toEqual([
      ['DeploymentPaused', T0],
      ['DeploymentResumed', resumeAt],
    ]);
    expect(() => kubectl.resume(c.ctx, 'web')).toThrow(/not paused/);
  });

  it('freezes an in-flight rollout', () => {
    const c = cluster({ replicas: 10 });
    c.run(T0);
    kubectl.setImage(c.ctx, 'web', 'app', 'app:v2');
    c.run(T0 + 0.5 * T);
    kubectl.pause(c.ctx, 'web');
    const sizes = () => c.rss().map((rs) => rs.spec.replicas);
    c.run(T0 + T - 0.001);
    expect(sizes()).toEqual([8, 5]);
    c.run(T0 + 10 * T);
    expect(sizes()).toEqual([8, 5]); // the 5 new pods became available, but nothing moves
    expect(availablePods(c)).toHaveLength(13);
    kubectl.resume(c.ctx, 'web');
    c.run(T0 + 20 * T);
    expect(sizes()).toEqual([0, 10]);
  });
});

describe('proportional scaling (§1.10)', () => {
  it('the docs example: D 10 → 15 mid-rollout with the new RS stuck at 5, old at 8 → old 11, new 7', () => {
    const c = cluster({ replicas: 10, maxSurge: 3, maxUnavailable: 2 }, { startAfter: (p) => (imageOf(p) === 'app:bad' ? Infinity : T) });
    c.run(T0);
    kubectl.setImage(c.ctx, 'web', 'app', 'app:bad');
    c.run(T0 + 10 * T);
    const [oldRS, newRS] = c.rss();
    expect([oldRS!.spec.replicas, newRS!.spec.replicas]).toEqual([8, 5]); // stalled: 13 − 8 − 5 = 0
    expect(oldRS!.metadata.annotations['deployment.kubernetes.io/max-replicas']).toBe('13');
    kubectl.scale(c.ctx, 'web', 15);
    c.run(T0 + 20 * T);
    expect([oldRS!.spec.replicas, newRS!.spec.replicas]).toEqual([11, 7]);
    expect(oldRS!.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/desired-replicas': '15', 'deployment.kubernetes.io/max-replicas': '18' });
    expect(activePods(c)).toHaveLength(18);
    const last = c.ctx.events.events.filter((e) => e.reason === 'ScalingReplicaSet').slice(-2).map((e) => e.message);
    expect(last).toEqual([`Scaled up replica set ${oldRS!.metadata.name} from 8 to 11`, `Scaled up replica set ${newRS!.metadata.name} from 5 to 7`]);
    // scaling back down to 10: round(11·13/18) = 8 (−3), round(7·13/18) = 5 (−2)
    kubectl.scale(c.ctx, 'web', 10);
    c.run(T0 + 30 * T);
    expect([oldRS!.spec.replicas, newRS!.spec.replicas]).toEqual([8, 5]);
  });

  it('with one active RS, scaling sets it straight to D (no surge gating)', () => {
    const c = cluster({ replicas: 2 });
    c.run(T0);
    kubectl.scale(c.ctx, 'web', 9);
    c.run(T0 + 0.001);
    expect(c.rss()[0]!.spec.replicas).toBe(9);
    expect(activePods(c)).toHaveLength(9);
    c.run(T0 + 2 * T);
    expect(c.d.status).toMatchObject({ replicas: 9, availableReplicas: 9 });
  });
});

describe('progressDeadlineSeconds (§1.6)', () => {
  it('a never-ready new version turns Progressing False / ProgressDeadlineExceeded at deadline + 1 s, and nothing else happens', () => {
    const c = cluster({ replicas: 2, progressDeadlineSeconds: 60 }, { startAfter: (p) => (imageOf(p) === 'app:bad' ? Infinity : T) });
    c.run(T0);
    kubectl.setImage(c.ctx, 'web', 'app', 'app:bad');
    c.run(T0 + 61 - 0.001);
    expect(getCondition(c.d.status.conditions, 'Progressing')).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: T0 });
    expect(getCondition(c.d.status.conditions, 'Available')?.status).toBe('True');
    c.run(T0 + 61);
    expect(getCondition(c.d.status.conditions, 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      lastTransitionTime: T0 + 61,
    });
    const ev = c.ctx.events.events.find((e) => e.reason === 'ProgressDeadlineExceeded');
    expect(ev).toMatchObject({ type: 'Warning', t: T0 + 61, object: 'deployment/web' });
    c.run(T0 + 1000);
    // No automatic rollback: sizes unchanged (surge 1 / unavailable 0 of 2 → old 2, new 1).
    expect(c.rss().map((rs) => rs.spec.replicas)).toEqual([2, 1]);
    expect(getCondition(c.d.status.conditions, 'Progressing')?.reason).toBe('ProgressDeadlineExceeded');
    expect(c.ctx.events.events.filter((e) => e.reason === 'ProgressDeadlineExceeded')).toHaveLength(1);
  });

  it('paused time does not count toward the deadline', () => {
    const c = cluster({ replicas: 2, progressDeadlineSeconds: 60 }, { startAfter: (p) => (imageOf(p) === 'app:bad' ? Infinity : T) });
    c.run(T0);
    kubectl.setImage(c.ctx, 'web', 'app', 'app:bad');
    c.run(T0 + 30);
    kubectl.pause(c.ctx, 'web');
    c.run(T0 + 500);
    expect(getCondition(c.d.status.conditions, 'Progressing')?.reason).toBe('DeploymentPaused');
    kubectl.resume(c.ctx, 'web');
    c.run(T0 + 560);
    expect(getCondition(c.d.status.conditions, 'Progressing')?.reason).toBe('DeploymentResumed');
    c.run(T0 + 561);
    expect(getCondition(c.d.status.conditions, 'Progressing')?.reason).toBe('ProgressDeadlineExceeded');
  });
});

describe('revisionHistoryLimit (§1.7)', () => {
  it('keeps only the newest `limit` old ReplicaSets once a rollout completes', () => {
    const c = cluster({ replicas: 2, revisionHistoryLimit: 2 });
    c.run(T0);
    for (let v = 2; v <= 5; v++) {
      kubectl.setImage(c.ctx, 'web', 'app', `app:v${v}`);
      c.run(T0 + v * 10 * T);
    }
    expect(c.rss().map(revisionOf)).toEqual([3, 4, 5]);
    expect(c.ctx.store.list('ReplicaSet')).toHaveLength(3);
  });

  it('limit 0 deletes every old ReplicaSet, so undo has nothing to go back to', () => {
    const c = cluster({ replicas: 2, revisionHistoryLimit: 0 });
    c.run(T0);
    kubectl.setImage(c.ctx, 'web', 'app', 'app:v2');
    c.run(T0 + 10 * T);
    expect(c.rss().map(revisionOf)).toEqual([2]);
    expect(() => kubectl.rolloutUndo(c.ctx, 'web')).toThrow(/no rollout history/);
  });
});

describe('rollover (§1.11): a template change mid-rollout', () => {
  it('turns the previous new RS into an old one, scaled down oldest first, and converges', () => {
    const c = cluster({ replicas: 4, maxSurge: 1, maxUnavailable: 1 });
    c.run(T0);
    kubectl.setImage(c.ctx, 'web', 'app', 'app:v2');
    c.run(T0 + 0.5 * T);
    kubectl.setImage(c.ctx, 'web', 'app', 'app:v3');
    const bounds = watchBounds(c);
    c.run(T0 + 20 * T);
    expect(c.rss().map((rs) => rs.spec.replicas)).toEqual([0, 0, 4]);
    expect(availablePods(c).map(imageOf)).toEqual(Array(4).fill('app:v3'));
    expect(bounds.maxActive).toBeLessThanOrEqual(5);
    expect(bounds.minAvailable).toBeGreaterThanOrEqual(3);
  });
});

describe('other kubectl actions and guards', () => {
  it('rollout restart makes a new revision with the same image', () => {
    const c = cluster({ replicas: 2 });
    c.run(T0);
    const before = activePods(c).map((p) => p.metadata.name);
    kubectl.restart(c.ctx, 'web');
    c.run(T0 + 10 * T);
    expect(c.rss().map(revisionOf)).toEqual([1, 2]);
    expect(availablePods(c).map(imageOf)).toEqual(['app:v1', 'app:v1']);
    expect(availablePods(c).some((p) => before.includes(p.metadata.name))).toBe(false);
    kubectl.pause(c.ctx, 'web');
    expect(() => kubectl.restart(c.ctx, 'web')).toThrow(/paused/);
    expect(() => kubectl.pause(c.ctx, 'web')).toThrow(/already paused/);
  });

  it('set image and scale bump metadata.generation; no-op edits do not', () => {
    const c = cluster({ replicas: 2 });
    const g = c.d.metadata.generation;
    expect(kubectl.setImage(c.ctx, 'web', 'app', 'app:v1')).toBe(false);
    kubectl.scale(c.ctx, 'web', 2);
    expect(c.d.metadata.generation).toBe(g);
    expect(kubectl.setImage(c.ctx, 'web', 'app', 'app:v2')).toBe(true);
    kubectl.scale(c.ctx, 'web', 4);
    expect(c.d.metadata.generation).toBe(g + 2);
    expect(() => kubectl.setImage(c.ctx, 'web', 'nope', 'x')).toThrow(/unable to find container named "nope"/);
    expect(() => kubectl.scale(c.ctx, 'web', -1)).toThrow(/non-negative/);
  });

  it('refuses a Deployment with an empty selector, with one event', () => {
    const ctx = makeContext(0);
    new ReplicaSetController(ctx);
    new DeploymentController(ctx);
    const m = deploymentManifest('all', { replicas: 2 });
    m.spec.selector = {};
    const d = ctx.store.create<'Deployment'>(m);
    ctx.sim.run({ until: 10 });
    expect(ctx.store.list('ReplicaSet')).toHaveLength(0);
    expect(ctx.events.events.filter((e) => e.reason === 'SelectingAll')).toHaveLength(1);
    expect(d.status.observedGeneration).toBe(d.metadata.generation);
  });
});
