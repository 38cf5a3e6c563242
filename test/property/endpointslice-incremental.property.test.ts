import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EndpointSliceController, SERVICE_NAME_LABEL, endpointConditions } from '../../engine/cluster/endpointslice.js';
import type { EndpointSlice, Pod, Service } from '../../engine/cluster/objects.js';
import { setCondition } from '../../engine/cluster/objects.js';
import { RandomStreams } from '../../engine/kernel/random.js';
import { uniform } from '../../engine/kernel/distributions.js';
import { ServiceProxy } from '../../engine/traffic/proxy.js';
import { createPod, makeContext } from '../unit/cluster/nodeside-harness.js';

/**
 * The incremental EndpointSlice controller and kube-proxy (each sync re-evaluates only the pods that
 * changed; each delivery moves only one slice's endpoints) end in the state a from-scratch
 * recomputation gives, after random sequences of pod events (§5.1):
 * - the union of the Service's slices lists exactly the matching pods with an IP that are not terminal,
 *   each once, with the §5.1 conditions; no slice holds more than maxEndpointsPerSlice; only a Service
 *   without endpoints has an empty slice (one placeholder);
 * - once the last snapshot has propagated, the proxy routes to exactly the ready endpoints of those
 *   slices (none ready: the serving terminating ones), in pod order.
 * Small slices (max 3) so that endpoints spread over many slices; random propagation delays so that
 * slice snapshots arrive out of order.
 */
type Op =
  | { op: 'create'; labelled: boolean }
  | { op: 'ip' | 'ready' | 'unready' | 'terminate' | 'remove' | 'relabel' | 'fail'; pod: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('create' as const), labelled: fc.boolean() }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constantFrom('ip', 'ready', 'unready', 'terminate', 'remove', 'relabel', 'fail'), pod: fc.nat(40) }) },
);

describe('incremental EndpointSlices and proxy view = from-scratch recomputation', () => {
  it('after random pod event sequences', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(opArb, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 14 }),
        fc.constantFrom(0, 0.02),
        fc.constantFrom(0, 1),
        fc.boolean(),
        (batches, controllerDelay, minSyncPeriod, publish) => {
          const MAX = 3;
          const ctx = makeContext({ controllerDelay });
          new EndpointSliceController(ctx, MAX);
          const svc = ctx.store.create<'Service'>({
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'web', namespace: 'default' },
            spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }], type: 'ClusterIP', sessionAffinity: 'None', publishNotReadyAddresses: publish },
          }) as Service;
          const r = new RandomStreams(7);
          const proxy = new ServiceProxy('default/web', ctx.sim, { mode: 'iptables', scheduler: 'rr', syncDelay: uniform(0, 0.5), minSyncPeriod }, r.stream('lb'), r.stream('prop'));
          const index = new Map<string, number>();
          const indexOf = (uid: string) => {
            let i = index.get(uid);
            if (i === undefined) index.set(uid, (i = index.size));
            return i;
          };
          const truth = (s: EndpointSlice) => s.endpoints.map((e) => ({ pod: indexOf(e.targetRef.uid), ...e.conditions }));
          ctx.store.watch('EndpointSlice', (type, s) => proxy.observe(type === 'DELETED' ? [] : truth(s), s.metadata.name));
          const pods: Pod[] = [];
          let t = 0;
          for (const batch of batches) {
            for (const o of batch) {
              ctx.sim.run({ until: (t += 0.01) });
              if (o.op === 'create') {
                pods.push(createPod(ctx, `p${pods.length}`, { labels: { app: o.labelled ? 'web' : 'other' } }));
                continue;
              }
              const pod = pods[o.pod % Math.max(1, pods.length)];
              if (pod === undefined || ctx.store.get('Pod', pod.metadata.name) !== pod) continue;
              switch (o.op) {
                case 'ip':
                  pod.status.podIP = `10.0.0.${o.pod}`;
                  pod.status.phase = 'Running';
                  break;
                case 'ready':
                case 'unready':
                  setCondition(pod.status.conditions, { type: 'Ready', status: o.op === 'ready' ? 'True' : 'False' }, ctx.sim.now);
                  break;
                case 'terminate':
                  pod.metadata.deletionTimestamp ??= ctx.sim.now;
                  break;
                case 'remove':
                  ctx.store.remove(pod);
                  continue;
                case 'relabel':
                  pod.metadata.labels = { app: pod.metadata.labels['app'] === 'web' ? 'other' : 'web' };
                  break;
                case 'fail':
                  pod.status.phase = 'Failed';
                  break;
              }
              ctx.store.update(pod);
            }
            // settle: controller delay + propagation (≤ 0.5 s) + minSyncPeriod
            ctx.sim.run({ until: (t += 3) });
            const slices = ctx.store.list('EndpointSlice').filter((s) => s.metadata.labels[SERVICE_NAME_LABEL] === 'web');
            // from scratch: the endpoints the Service should list
            const want = new Map<string, string>();
            for (const p of ctx.store.list('Pod')) {
              if (p.status.podIP === undefined || p.status.phase === 'Failed' || p.status.phase === 'Succeeded' || p.metadata.labels['app'] !== 'web') continue;
              want.set(p.metadata.uid, JSON.stringify(endpointConditions(p, svc)));
            }
            const got = new Map<string, string>();
            for (const s of slices) {
              expect(s.endpoints.length).toBeLessThanOrEqual(MAX);
              for (const e of s.endpoints) {
                expect(got.has(e.targetRef.uid)).toBe(false); // listed once
                got.set(e.targetRef.uid, JSON.stringify(e.conditions));
              }
            }
            expect(got).toEqual(want);
            if (want.size === 0) expect(slices.map((s) => s.endpoints.length)).toEqual([0]);
            else expect(slices.every((s) => s.endpoints.length > 0)).toBe(true);
            // from scratch: what the proxy should route to
            const all = slices.flatMap(truth);
            let usable = all.filter((e) => e.ready);
            if (usable.length === 0) usable = all.filter((e) => e.serving && e.terminating);
            expect(proxy.programmed()).toEqual([...new Set(usable.map((e) => e.pod))].sort((a, b) => a - b));
          }
        },
      ),
      { numRuns: 150, seed: 12 },
    );
  });
});
