import { describe, expect, it } from 'vitest';
import { constant } from '../../../engine/kernel/distributions.js';
import { Kubelet } from '../../../engine/cluster/kubelet.js';
import { Scheduler } from '../../../engine/cluster/scheduler.js';
import { EndpointSliceController } from '../../../engine/cluster/endpointslice.js';
import { NodeLifecycleController, addNode, drainNode, failNode, recoverNode } from '../../../engine/cluster/nodelifecycle.js';
import { TAINT_UNREACHABLE, machines } from '../../../engine/cluster/nodes.js';
import type { Pod, Toleration } from '../../../engine/cluster/objects.js';
import { getCondition } from '../../../engine/cluster/objects.js';
import { createPod, eventsOf, isReady, makeContext, timeline, type Harness } from './nodeside-harness.js';

const Gi = 1024 ** 3;

interface World {
  ctx: Harness;
  kubelet: Kubelet;
  nlc: NodeLifecycleController;
}

function world(): World {
  const ctx = makeContext();
  const kubelet = new Kubelet(ctx);
  new Scheduler(ctx);
  const nlc = new NodeLifecycleController(ctx);
  return { ctx, kubelet, nlc };
}

function nodeReady(ctx: Harness, name: string): string | undefined {
  const node = ctx.store.get('Node', name);
  return node === undefined ? undefined : getCondition(node.status.conditions, 'Ready')?.status;
}

describe('NodeLifecycleController: node failure timeline (§6.1)', () => {
  // Leases are renewed every 10 s from the node's creation; the controller checks every 5 s from t=0;
  // grace 50 s. Detection = first check strictly after lastRenewal + 50 → within (50, 55] s.
  const cases = [
    { addAt: 0, failAt: 101, lastRenewal: 100, detectAt: 155 },
    { addAt: 0, failAt: 109, lastRenewal: 100, detectAt: 155 },
    { addAt: 2.5, failAt: 101, lastRenewal: 92.5, detectAt: 145 },
    { addAt: 4, failAt: 101, lastRenewal: 94, detectAt: 145 },
    { addAt: 1, failAt: 30, lastRenewal: 21, detectAt: 75 },
  ];
  for (const c of cases) {
    it(`node created at ${c.addAt}, machine dies at ${c.failAt}: Unknown at ${c.detectAt}, pods deleted at ${c.detectAt + 300}`, () => {
      const { ctx, kubelet } = world();
      new EndpointSliceController(ctx);
      ctx.store.create<'Service'>({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }], type: 'ClusterIP', sessionAffinity: 'None', publishNotReadyAddresses: false },
      });
      let pods: Pod[] = [];
      ctx.sim.schedule(c.addAt, () => {
        addNode(ctx, { name: 'node-1', cpu: 4, memory: 8 * Gi });
        addNode(ctx, { name: 'node-2', cpu: 4, memory: 8 * Gi });
        pods = [createPod(ctx, 'a', { nodeName: 'node-1' }), createPod(ctx, 'b', { nodeName: 'node-1' }), createPod(ctx, 'c', { nodeName: 'node-2' })];
      });
      ctx.sim.schedule(c.failAt, () => failNode(ctx, 'node-1'));
      const endpointReady = () => ctx.store.list('EndpointSlice')[0]?.endpoints.map((e) => [e.targetRef.name, e.conditions.ready, e.conditions.terminating]);
      const tl = timeline(ctx, c.detectAt + 400, () => ({
        node: nodeReady(ctx, 'node-1') ?? '-',
        ready: pods.map((p) => isReady(p)),
        deleting: pods.map((p) => p.metadata.deletionTimestamp !== undefined),
        endpoints: endpointReady(),
      }));
      const times = (pred: (v: (typeof tl)[number][1]) => boolean) => tl.find(([, v]) => pred(v))?.[0];
      expect(machines(ctx).leaseRenewTime('node-1')).toBe(c.lastRenewal);
      // Pods stay Ready (and routable) until detection, then NotReady at once.
      expect(times((v) => v.ready[0] === true)).toBe(c.addAt + 5);
      expect(times((v) => v.node === 'Unknown')).toBe(c.detectAt);
      expect(times((v) => v.ready[0] === false && v.node === 'Unknown')).toBe(c.detectAt);
      expect(c.detectAt - c.lastRenewal).toBeGreaterThan(50);
      expect(c.detectAt - c.lastRenewal).toBeLessThanOrEqual(55);
      // The endpoint of a stops being ready with the pod (controllerDelay 0).
      expect(times((v) => v.endpoints?.[0]?.[1] === false && v.node === 'Unknown')).toBe(c.detectAt);
      // Taint eviction after the default 300 s toleration; the object stays Terminating (dead kubelet).
      expect(times((v) => v.deleting[0] === true)).toBe(c.detectAt + 300);
      expect(tl.at(-1)![1].deleting).toEqual([true, true, false]);
      expect(ctx.store.get('Pod', 'a')).toBeDefined();
      expect(tl.at(-1)![1].ready).toEqual([false, false, true]);
      expect(tl.at(-1)![1].endpoints).toEqual([
        ['a', false, true],
        ['b', false, true],
        ['c', true, false],
      ]);
      const node = ctx.store.get('Node', 'node-1')!;
      expect(node.spec.taints.map((t) => [t.key, t.effect, t.timeAdded])).toEqual([
        [TAINT_UNREACHABLE, 'NoSchedule', c.detectAt],
        [TAINT_UNREACHABLE, 'NoExecute', c.detectAt],
      ]);
      expect(getCondition(node.status.conditions, 'Ready')).toMatchObject({ reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
      expect(eventsOf(ctx, 'TaintManagerEviction').map((e) => [e.t, e.message])).toEqual([
        [c.detectAt + 300, 'Marking for deletion Pod default/a'],
        [c.detectAt + 300, 'Marking for deletion Pod default/b'],
      ]);
      // The data plane sees a dead machine: nothing listens, connections go unanswered.
      expect(kubelet.isNodeUp('node-1')).toBe(false);
      expect(kubelet.isListening(pods[0]!.metadata.uid)).toBe(false);
      expect(kubelet.connect(pods[0]!.metadata.uid)).toBe('blackhole');
      expect(kubelet.connect(pods[2]!.metadata.uid)).toBe('accept');
    });
  }

  const tolerations: Array<{ name: string; tolerations: Toleration[]; after: number | null }> = [
    { name: 'own tolerationSeconds 30', tolerations: [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }], after: 30 },
    { name: 'tolerationSeconds 0: at once', tolerations: [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }], after: 0 },
    { name: 'toleration without seconds: never evicted', tolerations: [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }], after: null },
    { name: 'tolerate-everything (Exists, no key)', tolerations: [{ operator: 'Exists' }], after: null },
    { name: 'unrelated toleration: default 300 s still added', tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' }], after: 300 },
    { name: 'the smallest of several matching tolerations wins', tolerations: [
      { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 600 },
      { operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 120 },
    ], after: 120 },
  ];
  for (const c of tolerations) {
    it(`NoExecute toleration: ${c.name}`, () => {
      const { ctx } = world();
      addNode(ctx, { name: 'node-1', cpu: 4, memory: 8 * Gi });
      const pod = createPod(ctx, 'a', { nodeName: 'node-1', spec: { tolerations: c.tolerations } });
      ctx.sim.schedule(101, () => failNode(ctx, 'node-1'));
      ctx.sim.run({ until: 1200 });
      // detection at 155 (last renewal 100)
      expect(pod.metadata.deletionTimestamp).toBe(c.after === null ? undefined : 155 + c.after);
    });
  }

  it('no new pods are scheduled onto the unreachable node', () => {
    const { ctx } = world();
    addNode(ctx, { name: 'node-1', cpu: 4, memory: 8 * Gi });
    addNode(ctx, { name: 'node-2', cpu: 4, memory: 8 * Gi });
    ctx.sim.schedule(1, () => failNode(ctx, 'node-2'));
    ctx.sim.run({ until: 100 });
    // node-2 is Unknown now; fill node-1 with pods: they land there, the excess waits.
    const pods = ['p1', 'p2', 'p3'].map((n) => createPod(ctx, n, { container: { resources: { requests: { cpu: 1.5 } } } }));
    ctx.sim.run({ until: 101 });
    expect(pods.map((p) => p.spec.nodeName)).toEqual(['node-1', 'node-1', undefined]);
    expect(getCondition(pods[2]!.status.conditions, 'PodScheduled')?.message).toBe(
      '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }.',
    );
  });

  it('emits node-down to the data plane when the machine dies', () => {
    const { ctx, kubelet } = world();
    addNode(ctx, { name: 'node-1', cpu: 4, memory: 8 * Gi });
    createPod(ctx, 'a', { nodeName: 'node-1' });
    const log: Array<[number, string, string]> = [];
    kubelet.onRuntimeChange((c) => log.push([c.t, c.pod.metadata.name, c.what]));
    ctx.sim.schedule(20, () => failNode(ctx, 'node-1'));
    ctx.sim.run({ until: 30 });
    expect(log).toEqual([
      [5, 'a', 'listening'],
      [20, 'a', 'node-down'],
    ]);
  });
});

describe('NodeLifecycleController: recovery', () => {
  it('a node back before the eviction turns Ready again and its pods restart', () => {
    const { ctx } = world();
    addNode(ctx, { name: 'node-1', cpu: 4, memory: 8 * Gi });
    const pod = createPod(ctx, 'a', { nodeName: 'node-1' });
    ctx.sim.schedule(101, () => failNode(ctx, 'node-1'));
    ctx.sim.schedule(201, () => recoverNode(ctx, 'node-1'));
    const tl = timeline(ctx, 300, () => [nodeReady(ctx, 'node-1'), isReady(pod)]);
    // Unknown at 155; kubelet back at 201 (lease renewed, containers restarted: listening at 206);
    // the controller's check at 205 sees the fresh lease.
    expect(tl).toEqual([
      [0, ['True', false]],
      [5, ['True', true]],
      [155, ['Unknown', false]],
      [205, ['True', false]],
      [206, ['True', true]],
    ]);
    expect(ctx.store.get('Node', 'node-1')!.spec.taints).toEqual([]);
    expect(pod.status.containerStatuses[0]!.restartCount).toBe(1);
    expect(pod.metadata.deletionTimestamp).toBeUndefined();
    ctx.sim.run({ until: 600 });
    expect(pod.metadata.deletionTimestamp).toBeUndefined(); // the eviction timer was for a taint that is gone
  });

  it('a node back after the eviction: the kubelet removes the Terminating pods at once', () => {
    const { ctx } = world();
    addNode(ctx, { name: 'node-1', cpu: 4, memory: 8 * Gi });
    createPod(ctx, 'a', { nodeName: 'node-1' });
    ctx.sim.schedule(101, () => failNode(ctx, 'node-1'));
    ctx.sim.schedule(500, () => recoverNode(ctx, 'node-1'));
    ctx.sim.run({ until: 499 });
    expect(ctx.store.get('Pod', 'a')?.metadata.deletionTimestamp).toBe(455);
    ctx.sim.run({ until: 500 });
    expect(ctx.store.get('Pod', 'a')).toBeUndefined();
  });
});

describe('drainNode (§6.2 without PDBs)', () => {
  it('cordons, evicts gracefully, and the replacements land elsewhere', () => {
    const { ctx, nlc } = world();
    ctx.images.set('web:v1', { startup: constant(5) });
    addNode(ctx, { name: 'node-1', cpu: 4, memory: 8 * Gi });
    addNode(ctx, { name: 'node-2', cpu: 4, memory: 8 * Gi });
    const preStop = { lifecycle: { preStop: { sleep: { seconds: 5 } } } };
    const a = createPod(ctx, 'a', { nodeName: 'node-1', container: preStop });
    const b = createPod(ctx, 'b', { nodeName: 'node-1', container: { lifecycle: { preStop: { sleep: { seconds: 8 } } } } });
    createPod(ctx, 'c', { nodeName: 'node-2' });
    let result: string[] = [];
    ctx.sim.schedule(20, () => (result = nlc.drainNode('node-1').evicted));
    // What a ReplicaSet would do: create replacements right away.
    ctx.sim.schedule(20.5, () => ['a2', 'b2'].forEach((n) => createPod(ctx, n)));
    ctx.sim.run({ until: 60 });
    expect(result).toEqual(['default/a', 'default/b']);
    expect(ctx.store.get('Node', 'node-1')!.spec.unschedulable).toBe(true);
    expect(a.metadata.deletionTimestamp).toBe(20);
    expect(b.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(ctx.store.get('Pod', 'a')).toBeUndefined();
    expect(ctx.store.get('Pod', 'b')).toBeUndefined();
    expect(['a2', 'b2'].map((n) => ctx.store.get('Pod', n)!.spec.nodeName)).toEqual(['node-2', 'node-2']);
    const log = ctx.events.events
      .filter((e) => ['NodeNotSchedulable', 'Evicting', 'Evicted', 'Drained'].includes(e.reason))
      .map((e) => [e.t, e.object, e.message]);
    expect(log).toEqual([
      [20, 'node/node-1', 'node/node-1 cordoned'],
      [20, 'pod/a', 'evicting pod default/a'],
      [20, 'pod/b', 'evicting pod default/b'],
      [25, 'pod/a', 'pod/a evicted'],
      [28, 'pod/b', 'pod/b evicted'],
      [28, 'node/node-1', 'node/node-1 drained'],
    ]);
  });

  it('drain of an empty node completes at once; pods already terminating are not evicted twice', () => {
    const { ctx } = world();
    addNode(ctx, { name: 'node-1', cpu: 4, memory: 8 * Gi });
    expect(drainNode(ctx, 'node-1').evicted).toEqual([]);
    expect(eventsOf(ctx, 'Drained').map((e) => e.t)).toEqual([0]);
    expect(() => drainNode(ctx, 'nope')).toThrow(/node nope not found/);
  });
});
