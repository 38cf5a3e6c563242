import { describe, expect, it } from 'vitest';
import { EndpointSliceController, SERVICE_NAME_LABEL, endpointConditions, sliceNameFor } from '../../../engine/cluster/endpointslice.js';
import { Kubelet } from '../../../engine/cluster/kubelet.js';
import { addNode } from '../../../engine/cluster/nodes.js';
import { deletePod } from '../../../engine/cluster/pods.js';
import type { EndpointSlice, Pod, Service } from '../../../engine/cluster/objects.js';
import { setCondition } from '../../../engine/cluster/objects.js';
import { NAME_ALPHABET } from '../../../engine/cluster/pods.js';
import { createPod, makeContext, probe, timeline, type Harness } from './nodeside-harness.js';

function service(ctx: Harness, name = 'web', fields: Partial<Service['spec']> = {}, namespace = 'default'): Service {
  return ctx.store.create<'Service'>({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: {
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      publishNotReadyAddresses: false,
      ...fields,
    },
  });
}

/** Puts a pod (no kubelet involved) into a given state. */
function shape(ctx: Harness, pod: Pod, s: { ip?: boolean; ready?: boolean; terminating?: boolean; phase?: Pod['status']['phase']; reason?: string }): void {
  if (s.ip !== false) pod.status.podIP = `10.244.0.${10 + Number(pod.metadata.uid.split('-')[1])}`;
  pod.spec.nodeName = 'node-1';
  pod.status.phase = s.phase ?? 'Running';
  const c: { type: string; status: 'True' | 'False'; reason?: string } = { type: 'Ready', status: s.ready ? 'True' : 'False' };
  if (s.reason !== undefined) c.reason = s.reason;
  setCondition(pod.status.conditions, c, ctx.sim.now);
  if (s.terminating) {
    pod.metadata.deletionTimestamp = ctx.sim.now;
    pod.metadata.deletionGracePeriodSeconds = 30;
  }
  ctx.store.update(pod);
}

function slice(ctx: Harness): EndpointSlice | undefined {
  return ctx.store.list('EndpointSlice')[0];
}

describe('EndpointSlice conditions (§5.1 table)', () => {
  type Row = { state: string; pod: Parameters<typeof shape>[2]; publish?: boolean; expected: [boolean, boolean, boolean] | 'absent' };
  const rows: Row[] = [
    { state: 'Running, not Ready (starting / readiness failing)', pod: { ready: false }, expected: [false, false, false] },
    { state: 'Running, Ready', pod: { ready: true }, expected: [true, true, false] },
    { state: 'Terminating, readiness still passing', pod: { ready: true, terminating: true }, expected: [false, true, true] },
    { state: 'Terminating, readiness failing', pod: { ready: false, terminating: true }, expected: [false, false, true] },
    { state: 'publishNotReadyAddresses, not Ready', pod: { ready: false }, publish: true, expected: [true, true, false] },
    { state: 'publishNotReadyAddresses, terminating', pod: { ready: false, terminating: true }, publish: true, expected: [true, true, true] },
    { state: 'node Unknown (marked NotReady by the controller)', pod: { ready: false, reason: 'NodeNotReady' }, expected: [false, false, false] },
    { state: 'no IP yet', pod: { ip: false, ready: false }, expected: 'absent' },
    { state: 'Succeeded', pod: { ready: false, phase: 'Succeeded' }, expected: 'absent' },
    { state: 'Failed', pod: { ready: false, phase: 'Failed' }, expected: 'absent' },
  ];
  for (const r of rows) {
    it(`${r.state} → ${r.expected === 'absent' ? 'not listed' : `ready=${r.expected[0]} serving=${r.expected[1]} terminating=${r.expected[2]}`}`, () => {
      const ctx = makeContext({ controllerDelay: 0.02 });
      new EndpointSliceController(ctx);
      const svc = service(ctx, 'web', { publishNotReadyAddresses: r.publish ?? false });
      const pod = createPod(ctx, 'web-1');
      shape(ctx, pod, r.pod);
      ctx.sim.run({ until: 1 });
      const eps = slice(ctx)!.endpoints;
      if (r.expected === 'absent') {
        expect(eps).toEqual([]);
        return;
      }
      expect(eps).toHaveLength(1);
      const { ready, serving, terminating } = eps[0]!.conditions;
      expect([ready, serving, terminating]).toEqual(r.expected);
      expect(endpointConditions(pod, svc)).toEqual(eps[0]!.conditions);
      expect(eps[0]).toMatchObject({ addresses: [pod.status.podIP], nodeName: 'node-1', targetRef: { kind: 'Pod', name: 'web-1', uid: pod.metadata.uid } });
    });
  }
});

describe('EndpointSliceController', () => {
  it('creates one slice per selector Service, named <service>-<5 chars>, labelled and owned', () => {
    const ctx = makeContext();
    new EndpointSliceController(ctx);
    const svc = service(ctx);
    service(ctx, 'headless-external', { selector: undefined as never });
    ctx.sim.run({ until: 1 });
    const slices = ctx.store.list('EndpointSlice');
    expect(slices).toHaveLength(1);
    const s = slices[0]!;
    expect(s.metadata.name).toMatch(new RegExp(`^web-[${NAME_ALPHABET}]{5}$`));
    expect(s.metadata.name).toBe(sliceNameFor(svc));
    expect(s.metadata.labels[SERVICE_NAME_LABEL]).toBe('web');
    expect(s.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid, controller: true }]);
    expect(s.addressType).toBe('IPv4');
    expect(s.endpoints).toEqual([]);
  });

  it('lists only matching pods of the namespace, resolves named target ports', () => {
    const ctx = makeContext();
    new EndpointSliceController(ctx);
    service(ctx);
    const pods = [
      createPod(ctx, 'a'),
      createPod(ctx, 'b', { labels: { app: 'other' } }),
      createPod(ctx, 'c', { namespace: 'prod' }),
      createPod(ctx, 'd', { labels: { app: 'web', track: 'canary' } }),
    ];
    for (const p of pods) shape(ctx, p, { ready: true });
    ctx.sim.run({ until: 1 });
    const s = slice(ctx)!;
    expect(s.endpoints.map((e) => e.targetRef.name)).toEqual(['a', 'd']);
    expect(s.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
  });

  it('reacts controllerDelay after a change, coalesces bursts, and writes only real changes', () => {
    const ctx = makeContext({ controllerDelay: 0.05 });
    new EndpointSliceController(ctx);
    service(ctx);
    const a = createPod(ctx, 'a');
    const other = createPod(ctx, 'x', { labels: { app: 'other' } });
    const writes: number[] = [];
    ctx.store.watch('EndpointSlice', (type) => writes.push(type === 'ADDED' ? -ctx.sim.now : ctx.sim.now));
    ctx.sim.run({ until: 1 });
    expect(writes).toEqual([-0.05]); // created (empty: no IP yet)
    ctx.sim.schedule(2, () => shape(ctx, a, { ready: false }));
    ctx.sim.schedule(2.01, () => shape(ctx, a, { ready: true })); // coalesced into the same sync
    ctx.sim.schedule(3, () => shape(ctx, other, { ready: true })); // not selected: no sync, no write
    ctx.sim.schedule(4, () => {
      a.metadata.annotations['note'] = 'x'; // selected but nothing in the slice changes
      ctx.store.update(a);
    });
    ctx.sim.run({ until: 10 });
    expect(writes).toEqual([-0.05, 2.05]);
    expect(slice(ctx)!.endpoints.map((e) => e.conditions.ready)).toEqual([true]);
  });

  it('drops endpoints when the pod object is removed or stops matching; follows selector changes', () => {
    const ctx = makeContext();
    new EndpointSliceController(ctx);
    const svc = service(ctx);
    const a = createPod(ctx, 'a');
    const b = createPod(ctx, 'b');
    shape(ctx, a, { ready: true });
    shape(ctx, b, { ready: true });
    const names = () => slice(ctx)?.endpoints.map((e) => e.targetRef.name);
    ctx.sim.schedule(1, () => ctx.store.remove(a));
    ctx.sim.schedule(2, () => {
      b.metadata.labels = { app: 'moved' };
      ctx.store.update(b);
    });
    ctx.sim.schedule(3, () => {
      svc.spec.selector = { app: 'moved' };
      ctx.store.update(svc);
    });
    ctx.sim.schedule(4, () => ctx.store.remove(svc));
    expect(timeline(ctx, 5, names)).toEqual([
      [0, undefined],
      [0, ['a', 'b']],
      [1, ['b']],
      [2, []],
      [3, ['b']],
      [4, undefined],
    ]);
    expect(ctx.store.list('EndpointSlice')).toEqual([]);
  });

  it('follows a pod through start-up, readiness and graceful termination (with the kubelet)', () => {
    const ctx = makeContext();
    addNode(ctx, { name: 'node-1', cpu: 4, memory: 8 * 1024 ** 3 });
    const kubelet = new Kubelet(ctx);
    kubelet.attachDataPlane({ inFlight: () => 1 }); // busy until SIGKILL
    ctx.images.set('web:v1', { drainTimeout: 1000 });
    new EndpointSliceController(ctx);
    service(ctx);
    const pod = createPod(ctx, 'a', {
      nodeName: 'node-1',
      spec: { terminationGracePeriodSeconds: 60 },
      container: { ports: [{ containerPort: 8080, name: 'http' }], readinessProbe: probe(), lifecycle: { preStop: { sleep: { seconds: 12 } } } },
    });
    ctx.sim.schedule(10, () => deletePod(ctx, pod));
    const conds = () => {
      const e = slice(ctx)?.endpoints[0];
      return e === undefined ? 'none' : `${e.conditions.ready}/${e.conditions.serving}/${e.conditions.terminating}`;
    };
    // IP at admission (0) → Ready at 5 → deleted at 10: terminating but still serving → SIGTERM at 22,
    // readiness fails at 30, 40, 50 → not serving at 50 → SIGKILL at 70 and the object is gone.
    expect(timeline(ctx, 100, conds)).toEqual([
      [0, 'none'],
      [0, 'false/false/false'],
      [5, 'true/true/false'],
      [10, 'false/true/true'],
      [50, 'false/false/true'],
      [70, 'none'],
    ]);
  });
});
