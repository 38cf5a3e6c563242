import { exponential } from '../engine/kernel/distributions.js';
import { RandomStreams } from '../engine/kernel/random.js';
import { Simulation } from '../engine/kernel/simulation.js';
import { defaultBehavior, type BehaviorProfile } from '../engine/behavior/profile.js';
import { defaultKeepAlive, defaultRetryPolicy, type ClientSpec } from '../engine/traffic/clients.js';
import { DataPlane, type RequestSink } from '../engine/traffic/dataplane.js';
import type { Affinity, ProxyConfig } from '../engine/traffic/proxy.js';
import { constant } from '../engine/kernel/distributions.js';

/** iptables-mode proxy with an immediate view (no propagation delay, no sync coalescing). */
export function iptables(syncDelay = constant(0)): ProxyConfig {
  return { mode: 'iptables', scheduler: 'rr', syncDelay, minSyncPeriod: 0 };
}

export function behavior(overrides: Partial<BehaviorProfile>): BehaviorProfile {
  return { ...defaultBehavior(), ...overrides };
}

/** An open client of Service default/web with no timeout, retries or keep-alive unless overridden. */
export function openClient(overrides: Partial<ClientSpec> & { rate: number }): ClientSpec {
  return {
    name: 'load',
    service: 'web',
    namespace: 'default',
    arrivals: 'poisson',
    timeout: Infinity,
    retries: defaultRetryPolicy(),
    keepAlive: defaultKeepAlive(),
    sources: 64,
    start: 0,
    stop: Infinity,
    ...overrides,
  };
}

/** N listening pods behind one Service `default/web`, programmed at t = 0: the data plane alone. */
export function servicePlane(opts: { pods: number; behavior: BehaviorProfile; proxy?: ProxyConfig; until: number; sink: RequestSink; seed?: number; affinity?: Affinity }) {
  const sim = new Simulation();
  const plane = new DataPlane({ sim, random: new RandomStreams(opts.seed ?? 1), proxy: opts.proxy ?? iptables(), sink: opts.sink, until: opts.until });
  plane.addService('default/web', opts.affinity);
  const pods: number[] = [];
  for (let i = 0; i < opts.pods; i++) {
    const p = plane.addPod(`uid-${i}`, `web-${i}`, 'app:1', opts.behavior);
    plane.setListening(p, true);
    pods.push(p);
  }
  plane.observeEndpoints('default/web', pods.map((pod) => ({ pod, ready: true, serving: true, terminating: false })), true);
  return { sim, plane, pods };
}

/** The reference model's parameters (shared/peers/service-limit.mjs): N pods × k slots, Exp(μ) service, load ρ. */
export function referenceModel(opts: { N: number; k: number; mu: number; rho: number; requests: number; sink: RequestSink; seed?: number }) {
  const lam = opts.rho * opts.N * opts.k * opts.mu;
  const until = opts.requests / lam;
  const model = servicePlane({
    pods: opts.N,
    behavior: behavior({ concurrency: opts.k, queue: 1 << 20, serviceTime: exponential(1 / opts.mu) }),
    until,
    sink: opts.sink,
    seed: opts.seed ?? 42,
  });
  model.plane.addClient(openClient({ rate: lam }));
  return { ...model, lam, until };
}
