import { describe, expect, it } from 'vitest';
import { DeploymentController } from '../../../engine/cluster/controllers/deployment/controller.js';
import { ReplicaSetController } from '../../../engine/cluster/controllers/replicaset.js';
import { pause, resume, setImage } from '../../../engine/cluster/kubectl.js';
import { RolloutTracker } from '../../../engine/cluster/rollouts.js';
import { FakeKubelet, deploymentManifest, makeContext, type DeploymentOptions } from '../../support/fake-kubelet.js';

/**
 * Rollout accounting against the sheet's worked examples (§1.11): with pods Ready T = 10 s after
 * creation and terminating pods lingering `linger` seconds, the tracker must report exactly the
 * examples' bounds — max active pods D + maxSurge, min available D − maxUnavailable — plus the
 * terminating pods on top in maxPods, the duration in waves of T, and the outcome.
 */
function rollout(opts: DeploymentOptions & { linger?: number; startAfter?: (image: string) => number; deadline?: number }) {
  const ctx = makeContext(0);
  const tracker = new RolloutTracker(ctx);
  new DeploymentController(ctx);
  new ReplicaSetController(ctx);
  new FakeKubelet(ctx, {
    startAfter: (pod) => (opts.startAfter ? opts.startAfter(pod.spec.containers[0]!.image) : pod.metadata.creationTimestamp < 1 ? 0 : 10),
    deleteAfter: opts.linger ?? 0,
  });
  ctx.store.create(deploymentManifest('web', { image: 'app:v1', ...opts }));
  ctx.sim.run({ until: 5 });
  return { ctx, tracker };
}

describe('RolloutTracker', () => {
  it.each([
    // D, maxSurge, maxUnavailable, max active, min available, waves (×T)
    [10, '25%', '25%', 13, 8, 2],
    [3, 1, 0, 4, 3, 3],
    [4, 0, 1, 4, 3, 4],
  ] as const)('D=%d surge=%s unavailable=%s: max active %d, min available %d, %d waves', (D, surge, unav, maxActive, minAvail, waves) => {
    const { ctx, tracker } = rollout({ replicas: D, maxSurge: surge, maxUnavailable: unav, linger: 3 });
    setImage(ctx, 'web', 'app', 'app:v2');
    ctx.sim.run({ until: 200 });
    const [r] = tracker.finish();
    expect(tracker.rollouts).toHaveLength(1);
    expect(r).toMatchObject({ target: 'deployment/web', startedAtS: 5, outcome: 'complete', maxActivePods: maxActive, minAvailable: minAvail });
    expect(r!.durationS).toBeCloseTo(waves * 10, 6);
    expect(r!.maxPods).toBeGreaterThan(maxActive); // terminating pods linger 3 s and count in maxPods only
  });

  it('no template change → no rollout; scaling is not a rollout', () => {
    const { ctx, tracker } = rollout({ replicas: 3 });
    ctx.sim.run({ until: 50 });
    expect(tracker.finish()).toEqual([]);
  });

  it('a version that never becomes ready stalls past progressDeadlineSeconds', () => {
    const { ctx, tracker } = rollout({ replicas: 3, maxSurge: 1, maxUnavailable: 0, progressDeadlineSeconds: 30, startAfter: (img) => (img === 'app:v2' ? Infinity : 0) });
    setImage(ctx, 'web', 'app', 'app:v2');
    ctx.sim.run({ until: 100 });
    const [r] = tracker.finish();
    expect(r).toMatchObject({ outcome: 'stalled', completedAtS: null, durationS: null, minAvailable: 3, maxActivePods: 4 });
  });

  it('a rollout still running at the end is in_progress; a rollover aborts the first', () => {
    const { ctx, tracker } = rollout({ replicas: 4, maxSurge: 1, maxUnavailable: 0 });
    setImage(ctx, 'web', 'app', 'app:v2');
    ctx.sim.run({ until: 12 });
    setImage(ctx, 'web', 'app', 'app:v3');
    ctx.sim.run({ until: 20 });
    const rs = tracker.finish();
    expect(rs.map((r) => r.outcome)).toEqual(['aborted', 'in_progress']);
    expect(rs[1]!.startedAtS).toBe(12);
  });

  it('a paused rollout resumes into the same record', () => {
    const { ctx, tracker } = rollout({ replicas: 2, maxSurge: 1, maxUnavailable: 0 });
    pause(ctx, 'web');
    setImage(ctx, 'web', 'app', 'app:v2');
    ctx.sim.run({ until: 60 });
    resume(ctx, 'web');
    ctx.sim.run({ until: 200 });
    const rs = tracker.finish();
    expect(rs).toHaveLength(1);
    expect(rs[0]).toMatchObject({ outcome: 'complete', startedAtS: 5 });
    expect(rs[0]!.durationS).toBeCloseTo(55 + 20, 6);
  });
});

describe('RolloutTracker counts incrementally, as a full recount at every change would', () => {
  /** The old way, counted here from the store at every event: all, active and available pods of `web`. */
  function bruteForce(ctx: ReturnType<typeof makeContext>, minReady: number) {
    const ext = { maxPods: 0, maxActive: 0, minAvailable: Infinity };
    let open = false;
    const recount = () => {
      if (!open) return;
      const d = ctx.store.get('Deployment', 'web', 'default')!;
      let all = 0, active = 0, available = 0;
      for (const rs of ctx.store.ownedBy('ReplicaSet', d.metadata.uid)) {
        for (const pod of ctx.store.ownedBy('Pod', rs.metadata.uid)) {
          all++;
          if (pod.metadata.deletionTimestamp !== undefined || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') continue;
          active++;
          const ready = pod.status.conditions.find((c) => c.type === 'Ready');
          if (ready?.status === 'True' && (minReady <= 0 || (ready.lastTransitionTime !== undefined && ready.lastTransitionTime + minReady <= ctx.sim.now))) available++;
        }
      }
      ext.maxPods = Math.max(ext.maxPods, all);
      ext.maxActive = Math.max(ext.maxActive, active);
      ext.minAvailable = Math.min(ext.minAvailable, available);
    };
    for (const kind of ['Pod', 'ReplicaSet', 'Deployment'] as const) ctx.store.watch(kind, recount);
    return { start: () => ((open = true), recount()), ext };
  }

  it.each([
    [10, '25%', '25%', 0],
    [10, '25%', '25%', 7],
    [6, 2, 0, 15],
    [5, 0, 1, 3],
  ] as const)('D=%d surge=%s unavailable=%s minReadySeconds=%d', (D, surge, unav, minReady) => {
    const { ctx, tracker } = rollout({ replicas: D, maxSurge: surge, maxUnavailable: unav, linger: 2, minReadySeconds: minReady });
    const brute = bruteForce(ctx, minReady);
    setImage(ctx, 'web', 'app', 'app:v2');
    brute.start();
    ctx.sim.run({ until: 400 });
    const [r] = tracker.finish();
    expect(r!.outcome).toBe('complete');
    expect([r!.maxPods, r!.maxActivePods, r!.minAvailable]).toEqual([brute.ext.maxPods, brute.ext.maxActive, brute.ext.minAvailable]);
  });
});
