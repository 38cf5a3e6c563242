import { constant, exponential, type Distribution } from '../../engine/kernel/distributions.js';
import { RandomStreams } from '../../engine/kernel/random.js';
import { Simulation } from '../../engine/kernel/simulation.js';
import { defaultBehavior, type BehaviorProfile } from '../../engine/behavior/profile.js';
import { defaultKeepAlive, defaultRetryPolicy, type ClientSpec } from '../../engine/traffic/clients.js';
import { DataPlane, type RequestSink } from '../../engine/traffic/dataplane.js';
import { OUTCOME_COUNT } from '../../engine/metrics/outcomes.js';
import type { Affinity, ProxyConfig } from '../../engine/traffic/proxy.js';

/** A sink that keeps batch means of latency (ok requests sent after `warmup`) and outcome counts. */
export class BatchSink implements RequestSink {
  readonly outcomes = new Array<number>(OUTCOME_COUNT).fill(0);
  readonly perPod: number[] = [];
  readonly latencies: number[] = [];
  private readonly sums: number[];
  private readonly counts: number[];
  constructor(private readonly warmup: number, private readonly end: number, readonly batches = 20, private readonly keep = false) {
    this.sums = new Array<number>(batches).fill(0);
    this.counts = new Array<number>(batches).fill(0);
  }
  request(sentAt: number, endedAt: number, outcome: number, pod: number): void {
    this.outcomes[outcome]!++;
    if (pod >= 0) this.perPod[pod] = (this.perPod[pod] ?? 0) + 1;
    if (outcome !== 0 || sentAt < this.warmup) return;
    const b = Math.min(this.batches - 1, Math.floor(((sentAt - this.warmup) / (this.end - this.warmup)) * this.batches));
    this.sums[b]! += endedAt - sentAt;
    this.counts[b]!++;
    if (this.keep) this.latencies.push(endedAt - sentAt);
  }
  get total(): number {
    return this.outcomes.reduce((a, b) => a + b, 0);
  }
  /** Mean latency and the half-width of its 99.9% confidence interval from batch means (t ≈ 3.88, 19 dof). */
  mean(): { mean: number; half: number } {
    const means = this.sums.map((s, i) => s / this.counts[i]!);
    const m = means.reduce((a, b) => a + b, 0) / means.length;
    const sd = Math.sqrt(means.reduce((a, b) => a + (b - m) ** 2, 0) / (means.length - 1));
    return { mean: m, half: (3.883 * sd) / Math.sqrt(means.length) };
  }
}

export function iptables(syncDelay: Distribution = constant(0)): ProxyConfig {
  return { mode: 'iptables', scheduler: 'rr', syncDelay, minSyncPeriod: 0 };
}

export function behavior(overrides: Partial<BehaviorProfile>): BehaviorProfile {
  return { ...defaultBehavior(), ...overrides };
}

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

/** N listening pods behind one Service, programmed at t = 0. */
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

export { exponential, constant };
