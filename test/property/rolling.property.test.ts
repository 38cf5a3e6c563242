import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeploymentController } from '../../engine/cluster/controllers/deployment/controller.js';
import { maxSurgeOf, maxUnavailableOf } from '../../engine/cluster/controllers/deployment/fenceposts.js';
import { findNewReplicaSet, replicaSetsOf } from '../../engine/cluster/controllers/deployment/sync.js';
import { ReplicaSetController } from '../../engine/cluster/controllers/replicaset.js';
import * as kubectl from '../../engine/cluster/kubectl.js';
import type { IntOrString } from '../../engine/cluster/objects.js';
import { getCondition, isPodActive, isPodAvailable } from '../../engine/cluster/objects.js';
import { FakeKubelet, deploymentManifest, makeContext } from '../support/fake-kubelet.js';

/**
 * §1.1/§1.3/§1.4: during a RollingUpdate without failures, at EVERY store change
 *   non-terminating pods ≤ D + maxSurge   and   available pods ≥ D − maxUnavailable,
 * and the rollout always completes.
 */

const intOrPercent: fc.Arbitrary<IntOrString> = fc.oneof(
  fc.integer({ min: 0, max: 12 }),
  fc.integer({ min: 0, max: 100 }).map((p) => `${p}%`),
);
const isLiteralZero = (v: IntOrString) => v === 0 || v === '0%';

interface Case {
  replicas: number;
  maxSurge: IntOrString;
  maxUnavailable: IntOrString;
  startTimes: number[];
  deleteAfter: number;
  minReadySeconds: number;
  controllerDelay: number;
  /** Construct the Deployment controller before the ReplicaSet controller (watcher order, as cluster.ts does). */
  deploymentFirst: boolean;
}

function runRollout(k: Case) {
  const ctx = makeContext(k.controllerDelay);
  if (k.deploymentFirst) new DeploymentController(ctx);
  new ReplicaSetController(ctx);
  if (!k.deploymentFirst) new DeploymentController(ctx);
  let created = 0;
  const startOf = new Map<string, number>();
  new FakeKubelet(ctx, {
    // per-pod start time: the i-th pod created takes startTimes[i mod n]
    startAfter: (pod) => {
      const s = k.startTimes[created++ % k.startTimes.length]!;
      startOf.set(pod.metadata.name, s);
      return s;
    },
    deleteAfter: k.deleteAfter,
  });
  const d = ctx.store.create<'Deployment'>(
    deploymentManifest('web', {
      replicas: k.replicas,
      maxSurge: k.maxSurge,
      maxUnavailable: k.maxUnavailable,
      minReadySeconds: k.minReadySeconds,
    }),
  );
  ctx.sim.run({ until: 1000 });
  const pods = () => ctx.store.list('Pod').filter(isPodActive);
  const available = () => pods().filter((p) => isPodAvailable(p, k.minReadySeconds, ctx.sim.now)).length;
  expect(available()).toBe(k.replicas);

  const maxPods = k.replicas + maxSurgeOf(d);
  const minAvailable = k.replicas - maxUnavailableOf(d);
  const violations: string[] = [];
  let changes = 0;
  const check = () => {
    changes++;
    const active = pods().length;
    const avail = available();
    if (active > maxPods) violations.push(`t=${ctx.sim.now}: ${active} non-terminating pods > ${maxPods}`);
    if (avail < minAvailable) violations.push(`t=${ctx.sim.now}: ${avail} available pods < ${minAvailable}`);
  };
  ctx.store.watch('Pod', check);
  ctx.store.watch('ReplicaSet', check);
  ctx.store.watch('Deployment', check);

  const t0 = ctx.sim.now;
  kubectl.setImage(ctx, 'web', 'app', 'app:v2');
  ctx.sim.run({ until: t0 + 100_000 });
  return { ctx, d, violations, changes, pods, available, newRS: findNewReplicaSet(d, replicaSetsOf(ctx, d)), rss: replicaSetsOf(ctx, d) };
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    replicas: fc.integer({ min: 1, max: 30 }),
    maxSurge: intOrPercent,
    maxUnavailable: intOrPercent,
    startTimes: fc.array(fc.double({ min: 0.5, max: 30, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 12 }),
    deleteAfter: fc.constantFrom(0, 1, 7.5, 30),
    minReadySeconds: fc.constantFrom(0, 0, 3),
    controllerDelay: fc.constantFrom(0, 0.02, 0.1),
    deploymentFirst: fc.boolean(),
  })
  // validation rejects maxSurge and maxUnavailable both literally 0; percents that merely round to
  // 0 are allowed and resolve to maxUnavailable 1 (§1.1)
  .filter((k) => !(isLiteralZero(k.maxSurge) && isLiteralZero(k.maxUnavailable)));

describe('RollingUpdate bounds (property)', () => {
  it('never exceeds D + maxSurge non-terminating pods, never drops below D − maxUnavailable available, always completes', () => {
    fc.assert(
      fc.property(caseArb, (k) => {
        const r = runRollout(k);
        expect(r.violations).toEqual([]);
        expect(r.changes).toBeGreaterThan(0);
        // complete
        const D = k.replicas;
        expect(r.newRS?.spec.template.spec.containers[0]!.image).toBe('app:v2');
        expect(r.newRS?.spec.replicas).toBe(D);
        for (const rs of r.rss) if (rs !== r.newRS) expect(rs.spec.replicas).toBe(0);
        expect(r.pods().every((p) => p.spec.containers[0]!.image === 'app:v2')).toBe(true);
        expect(r.available()).toBe(D);
        expect(r.d.status).toMatchObject({ replicas: D, updatedReplicas: D, availableReplicas: D, observedGeneration: r.d.metadata.generation });
        expect(getCondition(r.d.status.conditions, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
      }),
      { numRuns: 150 },
    );
  });

  it('the check itself catches a violation (sanity: a 25 %/25 % rollout of 10 reaches exactly 13 pods and 8 available)', () => {
    const r = runRollout({ replicas: 10, maxSurge: '25%', maxUnavailable: '25%', startTimes: [10], deleteAfter: 0, minReadySeconds: 0, controllerDelay: 0, deploymentFirst: true });
    expect(r.violations).toEqual([]);
    let maxActive = 0, minAvail = Infinity;
    const ctx = makeContext(0);
    new ReplicaSetController(ctx);
    new DeploymentController(ctx);
    new FakeKubelet(ctx, { startAfter: 10 });
    ctx.store.create<'Deployment'>(deploymentManifest('web', { replicas: 10 }));
    ctx.sim.run({ until: 100 });
    ctx.store.watch('Pod', () => {
      const active = ctx.store.list('Pod').filter(isPodActive);
      maxActive = Math.max(maxActive, active.length);
      minAvail = Math.min(minAvail, active.filter((p) => isPodAvailable(p, 0, ctx.sim.now)).length);
    });
    kubectl.setImage(ctx, 'web', 'app', 'app:v2');
    ctx.sim.run({ until: 1000 });
    expect([maxActive, minAvail]).toEqual([13, 8]); // the bounds are reached, so the property is tight
  });
});
