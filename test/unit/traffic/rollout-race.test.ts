import { describe, expect, it } from 'vitest';
import { constant } from '../../../engine/kernel/distributions.js';
import { RandomStreams } from '../../../engine/kernel/random.js';
import { Simulation } from '../../../engine/kernel/simulation.js';
import { createCluster } from '../../../engine/cluster/cluster.js';
import { setImage } from '../../../engine/cluster/kubectl.js';
import { addNode } from '../../../engine/cluster/nodes.js';
import { DataPlane } from '../../../engine/traffic/dataplane.js';
import { bindDataPlane } from '../../../engine/traffic/binding.js';
import { OUTCOME_INDEX as O } from '../../../engine/metrics/outcomes.js';
import { deploymentManifest } from '../../support/fake-kubelet.js';
import { BatchSink, behavior, openClient } from '../../support/dataplane.js';

/**
 * The classic rollout race (§4.7): endpoint removal and SIGTERM start together; with a 2 s propagation
 * delay and an app that stops listening on SIGTERM, new connections keep reaching terminating pods and
 * are refused — unless a preStop sleep outlasts the propagation.
 */
function rollingUpdateUnderLoad(opts: { preStopSleep?: number; keepAlive?: boolean }) {
  const sim = new Simulation({ startTime: -300 });
  const random = new RandomStreams(42);
  const app = behavior({ startup: constant(2), serviceTime: constant(0.005), shutdown: 'immediate', concurrency: 32 });
  const cluster = createCluster({ sim, random, behaviors: new Map([['app:1', app], ['app:2', app]]) });
  const { ctx } = cluster;
  for (let i = 1; i <= 3; i++) addNode(ctx, { name: `node-${i}`, cpu: 8, memory: 32 * 2 ** 30 });
  const d = deploymentManifest('web', { replicas: 4, image: 'app:1', maxSurge: 1, maxUnavailable: 0 });
  if (opts.preStopSleep !== undefined) d.spec.template.spec.containers[0]!.lifecycle = { preStop: { sleep: { seconds: opts.preStopSleep } } };
  ctx.store.create(d);
  ctx.store.create<'Service'>({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }], type: 'ClusterIP', sessionAffinity: 'None', publishNotReadyAddresses: false },
  });
  const sink = new BatchSink(0, 60, 1);
  const plane = new DataPlane({ sim, random, proxy: { mode: 'iptables', scheduler: 'rr', syncDelay: constant(2), minSyncPeriod: 1 }, sink, until: 60 });
  const binding = bindDataPlane(ctx, cluster.kubelet, plane);
  sim.run({ until: 0 });
  binding.programNow();
  plane.addClient(
    openClient({
      rate: 200,
      service: 'web',
      timeout: 2,
      keepAlive: opts.keepAlive ? { enabled: true, maxRequests: Infinity, maxAge: Infinity } : { enabled: false, maxRequests: Infinity, maxAge: Infinity },
    }),
  );
  sim.schedule(10, () => setImage(ctx, 'web', 'app', 'app:2'));
  sim.run({ until: 70 });
  const rollouts = cluster.rollouts.finish();
  return { sink, rollouts, events: ctx.events.events };
}


describe("the rollout race", () => {
  it('before the rollout, traffic is served by the warm pods', () => {
    const { sink } = rollingUpdateUnderLoad({ preStopSleep: 5 });
    expect(sink.total).toBeGreaterThan(11_000);
  });

  it('no preStop, 2 s propagation, immediate shutdown → refused requests', () => {
    const { sink, rollouts } = rollingUpdateUnderLoad({});
    expect(rollouts).toHaveLength(1);
    expect(rollouts[0]!.outcome).toBe('complete');
    expect(sink.outcomes[O.refused]).toBeGreaterThan(100);
  });

  it('preStop sleep 5 s → no refused requests, no failures at all', () => {
    const { sink, rollouts } = rollingUpdateUnderLoad({ preStopSleep: 5 });
    expect(rollouts[0]!.outcome).toBe('complete');
    expect(sink.outcomes[O.refused]).toBe(0);
    expect(sink.outcomes[O.ok]).toBe(sink.total);
  });

  it('keep-alive clients keep hitting terminating pods until the connection ends (reset when it exits)', () => {
    const { sink } = rollingUpdateUnderLoad({ preStopSleep: 5, keepAlive: true });
    // connections stay pinned through preStop; the immediate exit at SIGTERM resets what was in flight
    expect(sink.outcomes[O.ok]! / sink.total).toBeGreaterThan(0.99);
  });
});
