import { describe, expect, it } from 'vitest';
import { DeploymentController } from '../../../engine/cluster/controllers/deployment/controller.js';
import { ReplicaSetController } from '../../../engine/cluster/controllers/replicaset.js';
import { budgetOf, evictPod, pdbStatus, blockedEvictions, emptyPdbStatus, type PodDisruptionBudget } from '../../../engine/cluster/disruption.js';
import * as kubectl from '../../../engine/cluster/kubectl.js';
import { drainNode, DRAIN_RETRY_SECONDS } from '../../../engine/cluster/nodelifecycle.js';
import { addNode } from '../../../engine/cluster/nodes.js';
import { isPodActive, isPodReady, type IntOrString } from '../../../engine/cluster/objects.js';
import { deletePod } from '../../../engine/cluster/pods.js';
import type { NewObject } from '../../../engine/cluster/store.js';
import { deploymentManifest, FakeKubelet, makeContext } from '../../support/fake-kubelet.js';

/**
 * §6.2: the budget arithmetic (k/k disruption.go getExpectedPodCount; percentages round up), and
 * kubectl drain through the Eviction API: 429 while disruptionsAllowed is 0, retried every 5 s.
 */
describe('budgetOf (§6.2 getExpectedPodCount)', () => {
  it.each<[string, { minAvailable?: IntOrString; maxUnavailable?: IntOrString }, number, number, number, { desiredHealthy: number; expectedPods: number; disruptionsAllowed: number }]>([
    ['integer minAvailable counts the matching pods', { minAvailable: 2 }, 3, 10, 3, { desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1 }],
    ['percent minAvailable rounds up against the controllers’ scale', { minAvailable: '50%' }, 3, 3, 3, { desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1 }],
    ['maxUnavailable 1 of 3', { maxUnavailable: 1 }, 3, 3, 3, { desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1 }],
    ['percent maxUnavailable rounds up: 25 % of 3 → 1', { maxUnavailable: '25%' }, 3, 3, 3, { desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1 }],
    ['an unready pod uses the budget up', { maxUnavailable: 1 }, 3, 3, 2, { desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 0 }],
    ['minAvailable = replicas blocks every eviction', { minAvailable: 3 }, 3, 3, 3, { desiredHealthy: 3, expectedPods: 3, disruptionsAllowed: 0 }],
    ['neither field: nothing is protected', {}, 3, 3, 3, { desiredHealthy: 0, expectedPods: 3, disruptionsAllowed: 3 }],
  ])('%s', (_n, spec, matching, scale, healthy, want) => {
    expect(budgetOf(spec, matching, scale, healthy)).toMatchObject(want);
  });
});

function pdb(spec: { minAvailable?: IntOrString; maxUnavailable?: IntOrString }): NewObject<'PodDisruptionBudget'> {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, unhealthyPodEvictionPolicy: 'IfHealthyBudget', ...spec } as PodDisruptionBudget['spec'], status: emptyPdbStatus() };
}

function setup(spec: { minAvailable?: IntOrString; maxUnavailable?: IntOrString }, maxUnavailable: IntOrString = '25%') {
  const ctx = makeContext(0);
  new ReplicaSetController(ctx);
  new DeploymentController(ctx);
  // the first pods on node-1; replacements (created after t = 50) on node-2
  new FakeKubelet(ctx, { startAfter: 10, deleteAfter: 2, nodeName: () => (ctx.sim.now < 50 ? 'node-1' : 'node-2') });
  addNode(ctx, { name: 'node-1', cpu: 4, memory: 16e9 });
  addNode(ctx, { name: 'node-2', cpu: 4, memory: 16e9 });
  ctx.store.create<'Deployment'>(deploymentManifest('web', { replicas: 3, maxSurge: maxUnavailable === '25%' ? '25%' : 0, maxUnavailable }));
  ctx.store.create<'PodDisruptionBudget'>(pdb(spec));
  ctx.sim.run({ until: 50 });
  return ctx;
}

describe('kubectl drain through the budget (§6.2)', () => {
  it('minAvailable 3 of 3: every eviction is refused (429) and retried every 5 s; nothing is evicted', () => {
    const ctx = setup({ minAvailable: 3 });
    drainNode(ctx, 'node-1');
    ctx.sim.run({ until: 50 + 30 });
    const pods = ctx.store.list('Pod').filter(isPodActive);
    expect(pods).toHaveLength(3);
    expect(pods.every((p) => p.spec.nodeName === 'node-1')).toBe(true);
    const blocked = ctx.events.events.filter((e) => e.reason === 'EvictionBlocked');
    // 3 pods at 50, 55, …, 80: 7 attempts each
    expect(blocked).toHaveLength(3 * (1 + 30 / DRAIN_RETRY_SECONDS));
    expect(blocked[0]!.message).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
    expect(blockedEvictions.get(ctx)?.get('default/web')).toBe(21);
    expect(ctx.events.events.some((e) => e.reason === 'Drained')).toBe(false);
  });

  it('minAvailable 2 of 3: the drain is serialised — each next eviction waits for a replacement to be Ready', () => {
    const ctx = setup({ minAvailable: 2 });
    drainNode(ctx, 'node-1');
    ctx.sim.run({ until: 200 });
    const evicting = ctx.events.events.filter((e) => e.reason === 'Killing' || e.reason === 'Evicted').map((e) => e.t);
    expect(evicting).toHaveLength(3);
    // evicted at 50; replacement Ready at 60 → next allowed at the 60 retry; its replacement Ready at 70 → the last at 70 (+2 s deletion)
    expect(evicting).toEqual([52, 62, 72]);
    expect(ctx.store.list('Pod').filter((p) => isPodActive(p) && isPodReady(p) && p.spec.nodeName === 'node-2')).toHaveLength(3);
    expect(ctx.events.events.find((e) => e.reason === 'Drained')?.t).toBe(72);
  });

  it('involuntary and rolling-update disruptions are not limited by it (but count against it)', () => {
    const ctx = setup({ minAvailable: 3 }, 1);
    const [p] = ctx.store.list('Pod');
    deletePod(ctx, p!); // a direct delete bypasses the budget
    expect(p!.metadata.deletionTimestamp).toBeDefined();
    const budget = ctx.store.get('PodDisruptionBudget', 'web')!;
    expect(pdbStatus(ctx, budget)).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 0 });
    ctx.sim.run({ until: 100 });
    kubectl.setImage(ctx, 'web', 'app', 'app:v2'); // the rolling update goes below minAvailable anyway
    let minHealthy = 3;
    ctx.store.watch('Pod', () => (minHealthy = Math.min(minHealthy, ctx.store.list('Pod').filter((x) => isPodActive(x) && isPodReady(x)).length)));
    ctx.sim.run({ until: 200 });
    expect(minHealthy).toBeLessThan(3);
    expect(ctx.events.events.some((e) => e.reason === 'EvictionBlocked')).toBe(false);
  });

  it('a pod matched by two budgets cannot be evicted (500)', () => {
    const ctx = setup({ maxUnavailable: 1 });
    ctx.store.create<'PodDisruptionBudget'>({ ...pdb({ maxUnavailable: 1 }), metadata: { name: 'web-2' } });
    const r = evictPod(ctx, ctx.store.list('Pod')[0]!);
    expect(r).toMatchObject({ allowed: false, code: 500 });
  });
});
