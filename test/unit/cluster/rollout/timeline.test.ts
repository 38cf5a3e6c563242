import { describe, expect, it } from 'vitest';
import type { ClusterContext } from '../../../../engine/cluster/context.js';
import { ReplicaSetController } from '../../../../engine/cluster/controllers/replicaset.js';
import * as argo from '../../../../engine/cluster/controllers/rollout/actions.js';
import { AnalysisRuns, type MeasurementSource } from '../../../../engine/cluster/controllers/rollout/analysis.js';
import { hashOf, replicaSetsOfRollout, RolloutController } from '../../../../engine/cluster/controllers/rollout/controller.js';
import { initialRolloutStatus, type AnalysisTemplate, type CanaryStep, type Rollout } from '../../../../engine/cluster/controllers/rollout/types.js';
import type { NewObject } from '../../../../engine/cluster/store.js';
import { isPodActive, isPodReady } from '../../../../engine/cluster/objects.js';
import { FakeKubelet, makeContext } from '../../../support/fake-kubelet.js';

const T = 10; // a new pod is Ready (= available) T seconds after creation
const T0 = 100; // the template change, long after the first deploy

function rolloutManifest(o: { replicas?: number; steps?: CanaryStep[]; maxSurge?: number | string; maxUnavailable?: number | string; blueGreen?: Rollout['spec']['strategy']['blueGreen']; canary?: Partial<NonNullable<Rollout['spec']['strategy']['canary']>> }): NewObject<'Rollout'> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'web' },
    spec: {
      replicas: o.replicas ?? 10,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'app:v1' }], restartPolicy: 'Always', terminationGracePeriodSeconds: 30 } },
      minReadySeconds: 0,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      progressDeadlineAbort: false,
      paused: false,
      strategy: o.blueGreen
        ? { blueGreen: o.blueGreen }
        : { canary: { steps: o.steps ?? [], maxSurge: o.maxSurge ?? '25%', maxUnavailable: o.maxUnavailable ?? '25%', dynamicStableScale: false, ...o.canary } },
    },
    status: initialRolloutStatus(),
  };
}

function service(name: string): NewObject<'Service'> {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }], type: 'ClusterIP', sessionAffinity: 'None', publishNotReadyAddresses: false } };
}

interface C {
  ctx: ClusterContext;
  r: Rollout;
  run(until: number): void;
}

function cluster(m: NewObject<'Rollout'>, analysis?: (ctx: ClusterContext) => AnalysisRuns, services: string[] = []): C {
  const ctx = makeContext(0);
  new ReplicaSetController(ctx);
  new RolloutController(ctx, analysis?.(ctx));
  new FakeKubelet(ctx, { startAfter: T });
  for (const s of services) ctx.store.create<'Service'>(service(s));
  const r = ctx.store.create<'Rollout'>(m);
  return { ctx, r, run: (until) => void ctx.sim.run({ until }) };
}

/** [t in T after T0, stable spec, canary spec, stable available, canary available] at every RS spec change once observed. */
type Row = [number, number, number, number, number];
function recordRows(c: C): Row[] {
  const rows: Row[] = [];
  let last = '';
  c.ctx.store.watch('ReplicaSet', () => {
    const rss = replicaSetsOfRollout(c.ctx, c.r);
    const specs = JSON.stringify(rss.map((rs) => rs.spec.replicas));
    if (specs === last || rss.some((rs) => rs.status.observedGeneration < rs.metadata.generation)) return;
    last = specs;
    const stable = rss.find((rs) => rs.metadata.annotations['rollout.argoproj.io/revision'] === '1')!;
    const canary = rss.find((rs) => rs.metadata.annotations['rollout.argoproj.io/revision'] === '2');
    const avail = (uid: string | undefined) => c.ctx.store.list('Pod').filter((p) => isPodActive(p) && isPodReady(p) && p.metadata.ownerReferences?.[0]?.uid === uid).length;
    rows.push([Math.round(((c.ctx.sim.now - T0) / T) * 100) / 100, stable.spec.replicas, canary?.spec.replicas ?? 0, avail(stable.metadata.uid), avail(canary?.metadata.uid)]);
  });
  return rows;
}

const steps = (c: C) => c.ctx.events.events.filter((e) => e.t >= T0 && e.object === 'rollout/web' && e.reason !== 'ScalingReplicaSet').map((e) => [(e.t - T0) / T, e.reason, e.message] as const);

describe('Argo canary without a traffic router (§8.1–§8.3), controller delay 0, pods ready after T', () => {
  it('the sheet §8.2: R=10, default 25 %/25 % (surge 3, unavailable 2), setWeight 20 then 50', () => {
    const c = cluster(rolloutManifest({ steps: [{ setWeight: 20 }, { pause: { duration: 2 * T } }, { setWeight: 50 }, { pause: {} }] }));
    c.run(T0);
    expect(c.r.status.phase).toBe('Healthy');
    const rows = recordRows(c);
    argo.setRolloutImage(c.ctx, 'web', 'app', 'app:v2');
    c.run(T0 + 10 * T);
    expect(rows).toEqual<Row[]>([
      // t, stable spec, canary spec, stable avail, canary avail
      [0, 8, 0, 8, 0], //   the canary RS is created at 0; stable first: targets 2/8, scale-down ignores the stable's availability while the canary grows
      [0, 8, 2, 8, 0], //   then the canary 0 → 2 (in the next sync: the sheet's "same sync")
      [3, 6, 2, 6, 2], //   setWeight 20 done at T, pause 2T; setWeight 50: targets 5/5, stable 8 → 6 (available 2 + 6 = 8)
      [3, 6, 5, 6, 2], //   canary 2 → 5
      [4, 5, 5, 5, 5], //   once 5 canaries are available, stable → 5
    ]);
    expect(steps(c).map(([t, reason]) => [t, reason])).toEqual([
      [0, 'RolloutUpdated'],
      [1, 'RolloutStepCompleted'],
      [1, 'RolloutPaused'],
      [3, 'RolloutStepCompleted'],
      [4, 'RolloutStepCompleted'],
      [4, 'RolloutPaused'],
    ]);
    expect(c.r.status).toMatchObject({ phase: 'Paused', currentStepIndex: 3, pauseConditions: [{ reason: 'CanaryPauseStep', startTime: T0 + 4 * T }] });
    // an indefinite pause holds until promoted
    argo.promote(c.ctx, 'web', false);
    c.run(T0 + 20 * T);
    expect(c.r.status.phase).toBe('Healthy');
    expect(c.r.status.stableRS).toBe(c.r.status.currentPodHash);
    const rss = replicaSetsOfRollout(c.ctx, c.r);
    expect(rss.map((rs) => rs.spec.replicas)).toEqual([0, 10]);
    expect(c.ctx.events.events.some((e) => e.reason === 'RolloutCompleted' && e.message.endsWith('Completed all 4 canary steps'))).toBe(true);
  });

  it('the sheet / Argo docs: R=10 at 41 % → 4 canary, 6 stable', () => {
    const c = cluster(rolloutManifest({ steps: [{ setWeight: 41 }, { pause: {} }] }));
    c.run(T0);
    argo.setRolloutImage(c.ctx, 'web', 'app', 'app:v2');
    c.run(T0 + 5 * T);
    expect(c.r.status.phase).toBe('Paused');
    expect(replicaSetsOfRollout(c.ctx, c.r).map((rs) => [rs.spec.replicas, rs.status.availableReplicas])).toEqual([[6, 6], [4, 4]]);
  });

  it('maxUnavailable 0 avoids the capacity dip: the canary surges first, the stable waits for it', () => {
    const c = cluster(rolloutManifest({ steps: [{ setWeight: 30 }, { pause: {} }], maxSurge: 3, maxUnavailable: 0 }));
    c.run(T0);
    const rows = recordRows(c);
    argo.setRolloutImage(c.ctx, 'web', 'app', 'app:v2');
    c.run(T0 + 5 * T);
    expect(rows).toEqual<Row[]>([
      [0, 10, 3, 10, 0], // Argo's example: R=10 w=30 unavail 0 surge 3 → 3 canary + 10 stable
      [1, 7, 3, 7, 3], //  then the stable goes down once the canaries are available
    ]);
  });

  it('abort (§8.3): back to stable with the same surge/unavailable math, phase Degraded; retry starts the steps again', () => {
    const c = cluster(rolloutManifest({ steps: [{ setWeight: 50 }, { pause: {} }] }));
    c.run(T0);
    argo.setRolloutImage(c.ctx, 'web', 'app', 'app:v2');
    c.run(T0 + 3 * T);
    expect(replicaSetsOfRollout(c.ctx, c.r).map((rs) => rs.spec.replicas)).toEqual([5, 5]);
    const rows = recordRows(c);
    argo.abort(c.ctx, 'web');
    c.run(T0 + 6 * T);
    expect(c.r.status).toMatchObject({ phase: 'Degraded', abort: true, currentStepIndex: 0 });
    expect(rows).toEqual<Row[]>([
      [3, 8, 5, 5, 5], // weight 0: stable up first within R + surge (13)
      [3, 8, 3, 5, 3], // the canary down: decreasing, so the canary's availability is ignored, stable's counted (5 + 3 = 8)
      [3, 10, 3, 5, 3], // stable up to 10 at once: 8 + 3 spec < 13 (surge counts specs, not available pods)
      [4, 10, 0, 10, 0], // once the stable is available the canary → 0
    ]);
    argo.retry(c.ctx, 'web');
    c.run(T0 + 10 * T);
    expect(c.r.status).toMatchObject({ phase: 'Paused', abort: false, currentStepIndex: 1 });
    expect(replicaSetsOfRollout(c.ctx, c.r).map((rs) => rs.spec.replicas)).toEqual([5, 5]);
  });

  it('promote --full skips the remaining steps', () => {
    const c = cluster(rolloutManifest({ steps: [{ setWeight: 10 }, { pause: {} }, { setWeight: 50 }, { pause: {} }] }));
    c.run(T0);
    argo.setRolloutImage(c.ctx, 'web', 'app', 'app:v2');
    c.run(T0 + 3 * T);
    expect(c.r.status.currentStepIndex).toBe(1);
    argo.promote(c.ctx, 'web', true);
    c.run(T0 + 10 * T);
    expect(c.r.status).toMatchObject({ phase: 'Healthy', promoteFull: false, currentStepIndex: 4 });
    expect(c.ctx.events.events.some((e) => e.reason === 'RolloutCompleted' && e.message.endsWith('Full promotion requested'))).toBe(true);
  });

  it('going back to the stable template is fast-tracked (SkipSteps)', () => {
    const c = cluster(rolloutManifest({ steps: [{ setWeight: 20 }, { pause: {} }] }));
    c.run(T0);
    argo.setRolloutImage(c.ctx, 'web', 'app', 'app:v2');
    c.run(T0 + 3 * T);
    argo.setRolloutImage(c.ctx, 'web', 'app', 'app:v1');
    c.run(T0 + 8 * T);
    expect(c.r.status.phase).toBe('Healthy');
    expect(c.ctx.events.events.some((e) => e.reason === 'SkipSteps')).toBe(true);
    expect(replicaSetsOfRollout(c.ctx, c.r).map((rs) => rs.spec.replicas)).toEqual([10, 0]);
  });

  it('promote skips the current step when not paused; unpauses spec.paused; scale and restart', () => {
    const c = cluster(rolloutManifest({ steps: [{ setWeight: 20 }, { pause: { duration: 1000 } }, { setWeight: 60 }, { pause: {} }] }));
    c.run(T0);
    argo.setRolloutImage(c.ctx, 'web', '*', 'app:v2');
    c.run(T0 + 0.5 * T);
    expect(argo.promote(c.ctx, 'web', false)).toBe('skipped to step 1'); // setWeight 20 not reached yet: skipped
    c.run(T0 + 3 * T);
    expect(c.r.status).toMatchObject({ phase: 'Paused', currentStepIndex: 1 });
    expect(argo.promote(c.ctx, 'web', false)).toBe('promoted'); // the 1000 s pause ends now
    c.run(T0 + 6 * T);
    expect(c.r.status.currentStepIndex).toBe(3);
    expect(replicaSetsOfRollout(c.ctx, c.r).map((rs) => rs.spec.replicas)).toEqual([4, 6]);
    c.r.spec.paused = true;
    c.ctx.store.update(c.r);
    expect(argo.promote(c.ctx, 'web', false)).toBe('unpaused');
    expect(argo.scaleRollout(c.ctx, 'web', 20)).toBe(10);
    c.run(T0 + 10 * T);
    expect(replicaSetsOfRollout(c.ctx, c.r).reduce((n, rs) => n + rs.spec.replicas, 0)).toBe(20);
    argo.promote(c.ctx, 'web', false);
    c.run(T0 + 15 * T);
    expect(c.r.status.phase).toBe('Healthy');
    const before = c.ctx.store.list('Pod').filter(isPodActive).map((p) => p.metadata.name).sort();
    expect(argo.restart(c.ctx, 'web')).toBe('restarting');
    c.run(T0 + 40 * T);
    const after = c.ctx.store.list('Pod').filter(isPodActive).map((p) => p.metadata.name);
    expect(after).toHaveLength(20);
    expect(after.some((n) => before.includes(n))).toBe(false); // every pod restarted, one at a time
    expect(c.ctx.events.events.filter((e) => e.reason === 'RestartedPod')).toHaveLength(20);
    expect(c.r.metadata.annotations['kubesim.dev/restartAt']).toBeUndefined();
    expect(argo.setRolloutImage(c.ctx, 'web', 'app', 'app:v2')).toBe(false);
    expect(() => argo.setRolloutImage(c.ctx, 'web', 'nope', 'x')).toThrow(/unable to find container/);
    expect(() => argo.promote(c.ctx, 'web', false)).toThrow(/not paused/);
  });

  it('refuses what the plugin refuses', () => {
    const c = cluster(rolloutManifest({ steps: [{ setWeight: 20 }] }));
    c.run(T0);
    expect(() => argo.abort(c.ctx, 'web')).toThrow(/no update in progress/);
    expect(() => argo.retry(c.ctx, 'web')).toThrow(/not aborted/);
    expect(() => argo.promote(c.ctx, 'web', true)).toThrow(/already fully promoted/);
    expect(() => argo.promote(c.ctx, 'nope', false)).toThrow(/not found/);
  });
});

describe('Argo blue-green (§8.4)', () => {
  const bg = (o: Partial<NonNullable<Rollout['spec']['strategy']['blueGreen']>> = {}) =>
    rolloutManifest({ replicas: 4, blueGreen: { activeService: 'active', previewService: 'preview', autoPromotionEnabled: true, scaleDownDelaySeconds: 30, abortScaleDownDelaySeconds: 30, ...o } });
  const selector = (c: C, name: string) => c.ctx.store.get('Service', name)!.spec.selector!['rollouts-pod-template-hash'];

  it('preview first, manual promotion, the active switch, then the old RS after scaleDownDelaySeconds (30 s)', () => {
    const c = cluster(bg({ autoPromotionEnabled: false, previewReplicaCount: 1 }), undefined, ['active', 'preview']);
    c.run(T0);
    const [v1] = replicaSetsOfRollout(c.ctx, c.r);
    expect(selector(c, 'active')).toBe(hashOf(v1!));
    argo.setRolloutImage(c.ctx, 'web', 'app', 'app:v2');
    c.run(T0 + 3 * T);
    const v2 = replicaSetsOfRollout(c.ctx, c.r)[1]!;
    expect(selector(c, 'preview')).toBe(hashOf(v2));
    expect(selector(c, 'active')).toBe(hashOf(v1!));
    expect(v2.spec.replicas).toBe(1); // previewReplicaCount
    expect(c.r.status.phase).toBe('Paused');
    argo.promote(c.ctx, 'web', false);
    c.run(T0 + 3 * T + 1);
    expect(v2.spec.replicas).toBe(4); // full size before the switch
    expect(selector(c, 'active')).toBe(hashOf(v1!));
    c.run(T0 + 4 * T + 1);
    expect(selector(c, 'active')).toBe(hashOf(v2));
    const switched = c.ctx.events.events.find((e) => e.reason === 'SwitchService' && e.message.includes("'active'") && e.t > T0)!.t;
    expect(switched).toBe(T0 + 4 * T);
    c.run(switched + 29);
    expect(v1!.spec.replicas).toBe(4); // still up: stale kube-proxy views can reach it
    c.run(switched + 31);
    expect(v1!.spec.replicas).toBe(0);
    expect(c.r.status.phase).toBe('Healthy');
  });

  it('autoPromotionSeconds promotes after that long in pause', () => {
    const c = cluster(bg({ autoPromotionSeconds: 20 }), undefined, ['active', 'preview']);
    c.run(T0);
    argo.setRolloutImage(c.ctx, 'web', 'app', 'app:v2');
    c.run(T0 + 2.5 * T);
    expect(c.r.status.phase).toBe('Paused');
    c.run(T0 + 3.5 * T);
    const v2 = replicaSetsOfRollout(c.ctx, c.r)[1]!;
    expect(selector(c, 'active')).toBe(hashOf(v2));
  });

  it('abort keeps the active Service on the stable RS and scales the new one down after abortScaleDownDelaySeconds', () => {
    const c = cluster(bg({ autoPromotionEnabled: false }), undefined, ['active', 'preview']);
    c.run(T0);
    argo.setRolloutImage(c.ctx, 'web', 'app', 'app:v2');
    c.run(T0 + 2 * T);
    argo.abort(c.ctx, 'web');
    c.run(T0 + 2 * T + 29);
    const [v1, v2] = replicaSetsOfRollout(c.ctx, c.r);
    expect(selector(c, 'active')).toBe(hashOf(v1!));
    expect(v2!.spec.replicas).toBe(4);
    c.run(T0 + 2 * T + 31);
    expect(v2!.spec.replicas).toBe(0);
    expect(c.r.status.phase).toBe('Degraded');
  });
});

describe('analysis gates a canary (§8.5)', () => {
  const template = (condition: string): NewObject<'AnalysisTemplate'> => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'success' },
    cluster: false,
    spec: { args: [], metrics: [{ name: 'success-rate', interval: 5, count: 3, initialDelay: 0, successCondition: condition, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4, provider: { kubesim: { metric: 'success-rate' } } }] },
  });
  /** A source whose every window saw 100 requests with `ok` of them successful. */
  const source = (ok: number): MeasurementSource => ({ open: () => ({ read: () => ({ seconds: 5, requests: 100, ok, failed: 100 - ok, quantileMs: () => 10 }), close: () => {} }) });
  const withAnalysis = (ok: number, cond = 'result >= 0.95') => (ctx: ClusterContext) => {
    ctx.store.create<'AnalysisTemplate'>(template(cond));
    return new AnalysisRuns(ctx, (name, _c, ns) => ctx.store.get('AnalysisTemplate', name, ns), source(ok));
  };
  const m = () => rolloutManifest({ steps: [{ setWeight: 20 }, { analysis: { templates: [{ templateName: 'success', clusterScope: false }], args: [] } }, { setWeight: 100 }] });

  it('a passing analysis step lets the rollout complete', () => {
    const c = cluster(m(), withAnalysis(99));
    c.run(T0);
    argo.setRolloutImage(c.ctx, 'web', 'app', 'app:v2');
    c.run(T0 + 10 * T);
    expect(c.r.status.phase).toBe('Healthy');
    expect(c.ctx.events.events.some((e) => e.reason === 'AnalysisRunSuccessful')).toBe(true);
  });

  it('a failing one aborts it at the first failed measurement (failureLimit 0)', () => {
    const c = cluster(m(), withAnalysis(90));
    c.run(T0);
    argo.setRolloutImage(c.ctx, 'web', 'app', 'app:v2');
    c.run(T0 + 10 * T);
    expect(c.r.status).toMatchObject({ phase: 'Degraded', abort: true });
    const failed = c.ctx.events.events.find((e) => e.reason === 'AnalysisRunFailed')!;
    expect(failed.t).toBe(T0 + T + 5); // the analysis step starts when setWeight 20 completes (T); first measurement 5 s later
    expect(replicaSetsOfRollout(c.ctx, c.r).map((rs) => rs.spec.replicas)).toEqual([10, 0]);
  });
});
