import { describe, expect, it } from 'vitest';
import { ReplicaSetController, type VictimInfo, compareVictims, rankVictims } from '../../../engine/cluster/controllers/replicaset.js';
import type { ClusterContext } from '../../../engine/cluster/context.js';
import type { ReplicaSet } from '../../../engine/cluster/objects.js';
import { isPodActive } from '../../../engine/cluster/objects.js';
import { deletePod } from '../../../engine/cluster/pods.js';
import { FakeKubelet, type FakeKubeletOptions, makeContext } from '../../support/fake-kubelet.js';

function replicaSet(ctx: ClusterContext, name: string, replicas: number, minReadySeconds = 0, ownerUid?: string): ReplicaSet {
  return ctx.store.create<'ReplicaSet'>({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      labels: { app: 'web' },
      ...(ownerUid ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: ownerUid, controller: true }] } : {}),
    },
    spec: {
      replicas,
      minReadySeconds,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'app', image: 'app:v1' }], restartPolicy: 'Always', terminationGracePeriodSeconds: 30 },
      },
    },
    status: { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 0 },
  });
}

function setup(kubelet: FakeKubeletOptions = { startAfter: 5, deleteAfter: 30 }, delay = 0) {
  const ctx = makeContext(delay);
  new ReplicaSetController(ctx);
  new FakeKubelet(ctx, kubelet);
  const podsOf = (rs: ReplicaSet) => ctx.store.ownedBy('Pod', rs.metadata.uid);
  return { ctx, podsOf };
}

const scaleTo = (ctx: ClusterContext, rs: ReplicaSet, n: number) => {
  rs.spec.replicas = n;
  rs.metadata.generation++;
  ctx.store.update(rs);
};

describe('ReplicaSet controller', () => {
  it('creates the shortfall at once with deterministic names, owner references and events', () => {
    const { ctx, podsOf } = setup();
    const rs = replicaSet(ctx, 'web-abc', 3);
    ctx.sim.run({ until: 0 });
    const pods = podsOf(rs);
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^web-abc-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: rs.metadata.uid, controller: true }]);
      expect(p.metadata.labels).toEqual({ app: 'web' });
    }
    expect(new Set(pods.map((p) => p.metadata.name)).size).toBe(3);
    expect(ctx.events.events.map((e) => [e.reason, e.object, e.message])).toEqual(
      pods.map((p) => ['SuccessfulCreate', 'replicaset/web-abc', `Created pod: ${p.metadata.name}`]),
    );
    // same names in a second, identical run
    const again = setup();
    const rs2 = replicaSet(again.ctx, 'web-abc', 3);
    again.ctx.sim.run({ until: 0 });
    expect(again.podsOf(rs2).map((p) => p.metadata.name)).toEqual(pods.map((p) => p.metadata.name));
    expect(rs.status).toEqual({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 });
    ctx.sim.run({ until: 5 });
    expect(rs.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3 });
  });

  it('replaces a deleted pod at once, while the old one is still terminating (§3.2)', () => {
    const { ctx, podsOf } = setup({ startAfter: 5, deleteAfter: 30 });
    const rs = replicaSet(ctx, 'web-abc', 2);
    ctx.sim.run({ until: 10 });
    const victim = podsOf(rs)[0]!;
    deletePod(ctx, victim);
    ctx.sim.run({ until: 10 });
    const pods = podsOf(rs);
    expect(pods).toHaveLength(3); // 2 active + 1 terminating
    expect(pods.filter(isPodActive)).toHaveLength(2);
    expect(pods.find((p) => p.metadata.creationTimestamp === 10)).toBeDefined();
    expect(rs.status).toMatchObject({ replicas: 2, readyReplicas: 1, availableReplicas: 1 });
    ctx.sim.run({ until: 40 });
    expect(podsOf(rs)).toHaveLength(2);
    expect(rs.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
  });

  it('counts only active pods and scales down by deleting the best-ranked victims', () => {
    const { ctx, podsOf } = setup({ startAfter: (p) => (p.metadata.creationTimestamp === 0 ? 5 : Infinity), deleteAfter: 30 });
    const rs = replicaSet(ctx, 'web-abc', 3);
    ctx.sim.run({ until: 10 });
    scaleTo(ctx, rs, 5); // two more pods that never become ready
    ctx.sim.run({ until: 20 });
    const unready = podsOf(rs).filter((p) => p.metadata.creationTimestamp === 10).map((p) => p.metadata.name);
    expect(unready).toHaveLength(2);
    scaleTo(ctx, rs, 3);
    ctx.sim.run({ until: 20 });
    const deleted = ctx.events.events.filter((e) => e.reason === 'SuccessfulDelete').map((e) => e.message);
    expect(deleted.sort()).toEqual(unready.map((n) => `Deleted pod: ${n}`).sort());
    expect(rs.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 3 });
  });

  it('available only after minReadySeconds, re-syncing at exactly ready + minReadySeconds (§1.5)', () => {
    const { ctx } = setup({ startAfter: 5 });
    const rs = replicaSet(ctx, 'web-abc', 2, 8);
    const seen: Array<[number, number, number]> = [];
    ctx.store.watch('ReplicaSet', () => seen.push([ctx.sim.now, rs.status.readyReplicas, rs.status.availableReplicas]));
    ctx.sim.run({ until: 100 });
    expect(seen).toContainEqual([5, 2, 0]);
    expect(seen).toContainEqual([13, 2, 2]);
    expect(seen.find(([, , a]) => a > 0)?.[0]).toBe(13);
  });

  it('caps creates per sync at 500 (burst), finishing on the next syncs', () => {
    const { ctx, podsOf } = setup({ startAfter: 1 }, 0.01);
    const rs = replicaSet(ctx, 'big', 1200);
    ctx.sim.run({ until: 0.015 });
    expect(podsOf(rs)).toHaveLength(500);
    ctx.sim.run({ until: 1 });
    expect(podsOf(rs)).toHaveLength(1200);
  });

  it('spreads survivors: on equal footing the pod on the more crowded node goes first (rank)', () => {
    let bound = 0; // the first pod alone on node-a, the other two on node-b
    const { ctx, podsOf } = setup({ startAfter: 5, deleteAfter: 30, nodeName: () => (bound++ === 0 ? 'node-a' : 'node-b') });
    const rs = replicaSet(ctx, 'web-abc', 3, 0, 'deploy-1');
    ctx.sim.run({ until: 10 });
    expect(podsOf(rs).map((p) => p.spec.nodeName).sort()).toEqual(['node-a', 'node-b', 'node-b']);
    scaleTo(ctx, rs, 2);
    ctx.sim.run({ until: 10 });
    const victim = podsOf(rs).find((p) => !isPodActive(p))!;
    expect(victim.spec.nodeName).toBe('node-b');
  });
});

describe('§3.1 victim ranking', () => {
  const base: VictimInfo = {
    name: 'x',
    nodeName: 'n1',
    phase: 'Running',
    ready: true,
    readyTime: 100,
    deletionCost: 0,
    relatedOnNode: 1,
    restartCount: 0,
    createdAt: 10,
  };
  const v = (name: string, o: Partial<VictimInfo>): VictimInfo => ({ ...base, name, ...o });

  it.each<[string, Partial<VictimInfo>, Partial<VictimInfo>]>([
    ['unscheduled before scheduled', { nodeName: undefined, phase: 'Running', ready: true }, {}],
    ['Pending before Unknown', { phase: 'Pending' }, { phase: 'Unknown' }],
    ['Unknown before Running', { phase: 'Unknown' }, {}],
    ['not ready before ready', { ready: false, readyTime: undefined }, {}],
    ['lower deletion cost first', { deletionCost: -5 }, {}],
    ['more related pods on the node first', { relatedOnNode: 3 }, {}],
    ['more recently ready first', { readyTime: 200 }, {}],
    ['higher restart count first', { restartCount: 2 }, {}],
    ['newer first', { createdAt: 50 }, {}],
  ])('%s', (_what, first, second) => {
    const a = v('first', first), b = v('second', second);
    expect(compareVictims(a, b)).toBeLessThan(0);
    expect(compareVictims(b, a)).toBeGreaterThan(0);
    expect(rankVictims([b, a]).map((x) => x.name)).toEqual(['first', 'second']);
  });

  it('applies the criteria in order (an earlier one wins over every later one)', () => {
    const pods = [
      v('ready-old-cost0', {}),
      v('cost-high-unready', { ready: false, readyTime: undefined, deletionCost: 100 }),
      v('pending-scheduled', { phase: 'Pending', ready: false, readyTime: undefined, restartCount: 0 }),
      v('unscheduled', { nodeName: undefined, phase: 'Pending', ready: false, readyTime: undefined, relatedOnNode: 0, createdAt: 1 }),
      v('crowded', { relatedOnNode: 5, readyTime: 1 }),
      v('cost-neg', { deletionCost: -1, createdAt: 1 }),
      v('restarts', { restartCount: 9 }),
      v('newest', { createdAt: 99 }),
      v('ready-recent', { readyTime: 150, restartCount: 0 }),
    ];
    expect(rankVictims(pods).map((p) => p.name)).toEqual([
      'unscheduled',
      'pending-scheduled',
      'cost-high-unready',
      'cost-neg',
      'crowded',
      'ready-recent',
      'restarts',
      'newest',
      'ready-old-cost0',
    ]);
  });

  describe('LogarithmicScaleDown (on by default since 1.22, GA in 1.31): with the controller\'s clock', () => {
    // logarithmicRankDiff: rank = floor(log2(now − t in nanoseconds)), t at the API's 1 s resolution.
    const now = 1000;
    it('ready times whose ages fall in one power-of-two bucket tie, and the smaller UID goes first', () => {
      // ages 899 s and 900 s: log2(8.99e11) and log2(9e11) are both 39.7 → rank 39
      const recent = v('recent', { readyTime: 101, uid: 'uid-b' });
      const older = v('older', { readyTime: 100, uid: 'uid-a' });
      expect(rankVictims([recent, older], now).map((x) => x.name)).toEqual(['older', 'recent']);
      // without a clock (upstream's s.Now.IsZero() path): the exact times decide
      expect(rankVictims([recent, older]).map((x) => x.name)).toEqual(['recent', 'older']);
    });
    it('ready times in different buckets: the more recently ready goes first whatever the UIDs', () => {
      // ages 100 s (rank 36) and 900 s (rank 39)
      const recent = v('recent', { readyTime: 900, uid: 'uid-z' });
      const older = v('older', { readyTime: 100, uid: 'uid-a' });
      expect(rankVictims([older, recent], now).map((x) => x.name)).toEqual(['recent', 'older']);
    });
    it('creation times are bucketed the same way (step 8), sub-second differences vanish at the API\'s resolution', () => {
      const a = v('a', { ready: false, readyTime: undefined, createdAt: 10.9, uid: 'uid-2' });
      const b = v('b', { ready: false, readyTime: undefined, createdAt: 10.1, uid: 'uid-1' });
      expect(rankVictims([a, b], now).map((x) => x.name)).toEqual(['b', 'a']);
      const newer = v('newer', { ready: false, readyTime: undefined, createdAt: 990, uid: 'uid-9' });
      expect(rankVictims([a, newer], now).map((x) => x.name)).toEqual(['newer', 'a']);
    });
  });

  it('keeps the given order on a full tie', () => {
    expect(rankVictims([v('a', {}), v('b', {}), v('c', {})]).map((p) => p.name)).toEqual(['a', 'b', 'c']);
  });
});
