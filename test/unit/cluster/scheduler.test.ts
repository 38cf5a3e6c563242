import { describe, expect, it } from 'vitest';
import { Scheduler, podRequests } from '../../../engine/cluster/scheduler.js';
import { addNode } from '../../../engine/cluster/nodes.js';
import { cordonNode } from '../../../engine/cluster/nodelifecycle.js';
import { deletePod } from '../../../engine/cluster/pods.js';
import type { Container, Toleration } from '../../../engine/cluster/objects.js';
import { getCondition } from '../../../engine/cluster/objects.js';
import { createPod, eventsOf, makeContext, type Harness } from './nodeside-harness.js';

const Gi = 1024 ** 3;
const Mi = 1024 ** 2;

function container(cpu?: number, memory?: number, name = 'app'): Container {
  const requests: { cpu?: number; memory?: number } = {};
  if (cpu !== undefined) requests.cpu = cpu;
  if (memory !== undefined) requests.memory = memory;
  return { name, image: 'web:v1', resources: { requests } };
}

function setup(nodes: Array<{ name: string; cpu: number; memory: number }>, config = {}): Harness {
  const ctx = makeContext(config);
  for (const n of nodes) addNode(ctx, n);
  new Scheduler(ctx);
  return ctx;
}

const three = [
  { name: 'node-1', cpu: 2, memory: 4 * Gi },
  { name: 'node-2', cpu: 2, memory: 4 * Gi },
  { name: 'node-3', cpu: 2, memory: 4 * Gi },
];

describe('Scheduler: placement', () => {
  const cases: Array<{ name: string; nodes: typeof three; pods: Container[][]; expected: Array<string | undefined> }> = [
    { name: 'spreads equal pods least-allocated, ties by node name', nodes: three, pods: Array(4).fill([container(0.5, 256 * Mi)]), expected: ['node-1', 'node-2', 'node-3', 'node-1'] },
    {
      name: 'prefers the emptier node by fraction of cpu and memory',
      nodes: [
        { name: 'node-a', cpu: 2, memory: 4 * Gi },
        { name: 'node-b', cpu: 8, memory: 16 * Gi },
      ],
      pods: Array(3).fill([container(1, 1 * Gi)]),
      expected: ['node-b', 'node-b', 'node-b'],
    },
    { name: 'request-less pods still spread (non-zero scoring defaults)', nodes: three, pods: Array(3).fill([container()]), expected: ['node-1', 'node-2', 'node-3'] },
    { name: 'sums the requests of all containers', nodes: three, pods: [[container(1.5), container(0.5, undefined, 'sidecar')], [container(0.6)]], expected: ['node-1', 'node-2'] },
    { name: 'a pod that fits nowhere stays Pending', nodes: three, pods: [[container(3)]], expected: [undefined] },
    { name: 'exact fit is allowed', nodes: three, pods: [[container(2, 4 * Gi)]], expected: ['node-1'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const ctx = setup(c.nodes);
      const pods = c.pods.map((containers, i) => createPod(ctx, `p${i + 1}`, { containers }));
      ctx.sim.run({ until: 1 });
      expect(pods.map((p) => p.spec.nodeName)).toEqual(c.expected);
    });
  }

  it('binds after controllerDelay with PodScheduled=True and a Scheduled event', () => {
    const ctx = setup(three, { controllerDelay: 0.05 });
    const pod = createPod(ctx, 'web-1', { containers: [container(0.1)] });
    ctx.sim.run({ until: 0.04 });
    expect(pod.spec.nodeName).toBeUndefined();
    ctx.sim.run({ until: 0.05 });
    expect(pod.spec.nodeName).toBe('node-1');
    expect(getCondition(pod.status.conditions, 'PodScheduled')).toMatchObject({ status: 'True', lastTransitionTime: 0.05 });
    expect(eventsOf(ctx, 'Scheduled').map((e) => [e.t, e.object, e.message])).toEqual([
      [0.05, 'pod/web-1', 'Successfully assigned default/web-1 to node-1'],
    ]);
  });

  it('podRequests adds up container requests', () => {
    const ctx = makeContext();
    const pod = createPod(ctx, 'x', { containers: [container(0.25, 64 * Mi), container(0.5, undefined, 'b')] });
    expect(podRequests(pod)).toEqual({ cpu: 0.75, memory: 64 * Mi });
  });
});

describe('Scheduler: unschedulable pods (FailedScheduling)', () => {
  interface Case {
    name: string;
    prepare: (ctx: Harness) => void;
    pod: { containers: Container[]; tolerations?: Toleration[]; nodeSelector?: Record<string, string> };
    message: string | null;
    node?: string;
  }
  const cases: Case[] = [
    { name: 'insufficient cpu everywhere', prepare: () => {}, pod: { containers: [container(3)] }, message: '0/3 nodes are available: 3 Insufficient cpu.' },
    { name: 'insufficient cpu and memory count separately', prepare: () => {}, pod: { containers: [container(3, 8 * Gi)] }, message: '0/3 nodes are available: 3 Insufficient cpu, 3 Insufficient memory.' },
    {
      name: 'cordoned, tainted and full nodes each give their reason',
      prepare: (ctx) => {
        cordonNode(ctx, 'node-1');
        const n2 = ctx.store.get('Node', 'node-2')!;
        n2.spec.taints.push({ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' });
        ctx.store.update(n2);
        createPod(ctx, 'filler', { containers: [container(0, 3.5 * Gi)], nodeName: 'node-3' });
      },
      pod: { containers: [container(0.5, 1 * Gi)] },
      message: '0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable.',
    },
    {
      name: 'a matching toleration lets the pod onto the tainted node',
      prepare: (ctx) => {
        cordonNode(ctx, 'node-1');
        cordonNode(ctx, 'node-3');
        const n2 = ctx.store.get('Node', 'node-2')!;
        n2.spec.taints.push({ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' });
        ctx.store.update(n2);
      },
      pod: { containers: [container(0.5)], tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] },
      message: null,
      node: 'node-2',
    },
    {
      name: 'NotReady nodes are skipped',
      prepare: (ctx) => {
        for (const n of ['node-1', 'node-2']) {
          const node = ctx.store.get('Node', n)!;
          node.status.conditions[0]!.status = 'Unknown';
          ctx.store.update(node);
        }
      },
      pod: { containers: [container(0.5)] },
      message: null,
      node: 'node-3',
    },
    {
      name: 'nodeSelector must match node labels',
      prepare: () => {},
      pod: { containers: [container(0.5)], nodeSelector: { disk: 'ssd' } },
      message: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.",
    },
    {
      name: 'nodeSelector on the hostname label',
      prepare: () => {},
      pod: { containers: [container(0.5)], nodeSelector: { 'kubernetes.io/hostname': 'node-3' } },
      message: null,
      node: 'node-3',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const ctx = setup(three);
      c.prepare(ctx);
      const spec: Record<string, unknown> = {};
      if (c.pod.tolerations) spec.tolerations = c.pod.tolerations;
      if (c.pod.nodeSelector) spec.nodeSelector = c.pod.nodeSelector;
      const pod = createPod(ctx, 'web-1', { containers: c.pod.containers, spec });
      ctx.sim.run({ until: 1 });
      const cond = getCondition(pod.status.conditions, 'PodScheduled');
      if (c.message === null) {
        expect(pod.spec.nodeName).toBe(c.node);
        expect(cond?.status).toBe('True');
      } else {
        expect(pod.spec.nodeName).toBeUndefined();
        expect(pod.status.phase).toBe('Pending');
        expect(cond).toMatchObject({ status: 'False', reason: 'Unschedulable', message: c.message });
        const failed = eventsOf(ctx, 'FailedScheduling');
        expect(failed.map((e) => [e.type, e.message])).toEqual([['Warning', c.message]]);
      }
    });
  }
});

describe('Scheduler: retries when the cluster changes', () => {
  it('schedules a pending pod when a node is added', () => {
    const ctx = setup(three);
    const pod = createPod(ctx, 'big', { containers: [container(3)] });
    ctx.sim.run({ until: 10 });
    expect(pod.spec.nodeName).toBeUndefined();
    ctx.sim.schedule(20, () => addNode(ctx, { name: 'node-4', cpu: 4, memory: 8 * Gi }));
    ctx.sim.run({ until: 30 });
    expect(pod.spec.nodeName).toBe('node-4');
    expect(eventsOf(ctx, 'FailedScheduling')).toHaveLength(1); // no retry storm while nothing changed
    expect(eventsOf(ctx, 'Scheduled').map((e) => e.t)).toEqual([20]);
  });

  it('schedules a pending pod when capacity is freed by a pod going away', () => {
    const ctx = setup([{ name: 'node-1', cpu: 1, memory: 4 * Gi }]);
    const a = createPod(ctx, 'a', { containers: [container(0.8)] });
    ctx.sim.run({ until: 1 });
    const b = createPod(ctx, 'b', { containers: [container(0.8)] });
    ctx.sim.run({ until: 5 });
    expect([a.spec.nodeName, b.spec.nodeName]).toEqual(['node-1', undefined]);
    // A terminating pod still holds its resources; only its removal frees them.
    ctx.sim.schedule(10, () => deletePod(ctx, a));
    ctx.sim.run({ until: 20 });
    expect(b.spec.nodeName).toBeUndefined();
    ctx.sim.schedule(25, () => ctx.store.remove(a));
    ctx.sim.run({ until: 30 });
    expect(b.spec.nodeName).toBe('node-1');
    expect(eventsOf(ctx, 'Scheduled').map((e) => [e.t, e.object])).toEqual([
      [0, 'pod/a'],
      [25, 'pod/b'],
    ]);
  });

  it('schedules when a node is uncordoned', () => {
    const ctx = setup([{ name: 'node-1', cpu: 2, memory: 4 * Gi }]);
    cordonNode(ctx, 'node-1');
    const pod = createPod(ctx, 'a', { containers: [container(0.5)] });
    ctx.sim.run({ until: 5 });
    expect(getCondition(pod.status.conditions, 'PodScheduled')?.message).toBe('0/1 nodes are available: 1 node(s) were unschedulable.');
    const node = ctx.store.get('Node', 'node-1')!;
    node.spec.unschedulable = false;
    ctx.store.update(node);
    ctx.sim.run({ until: 6 });
    expect(pod.spec.nodeName).toBe('node-1');
  });

  it('places pods oldest first when capacity is short', () => {
    const ctx = setup([{ name: 'node-1', cpu: 1, memory: 4 * Gi }]);
    const pods = ['a', 'b', 'c'].map((n) => createPod(ctx, n, { containers: [container(0.4)] }));
    ctx.sim.run({ until: 1 });
    expect(pods.map((p) => p.spec.nodeName)).toEqual(['node-1', 'node-1', undefined]);
  });
});
