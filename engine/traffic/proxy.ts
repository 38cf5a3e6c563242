import type { Distribution } from '../kernel/distributions.js';
import type { RandomStream } from '../kernel/random.js';
import type { Simulation } from '../kernel/simulation.js';

/**
 * kube-proxy's view of one Service and its load balancing (§5).
 *
 * Propagation: every EndpointSlice change is a snapshot that reaches the proxy after a sampled delay
 * (API → watch → kube-proxy); the proxy programs its rules at most once per `minSyncPeriod` (iptables
 * 1 s, §5.2), with the newest snapshot delivered so far. Between syncs the view is stale — the source of
 * `refused` requests during rollouts (§4.7).
 *
 * Endpoint choice (§5.1): endpoints with `ready`; if there are none, those `serving` and
 * `terminating` (KEP-1669); none → the Service rejects the connection (`no_endpoints`, §5.7).
 * Balancing is per new connection (§5.8): iptables/nftables uniform random (§5.3); IPVS rr, lc, sed,
 * nq (connection counts from the data plane) and sh (source hashing) (§5.4). sessionAffinity ClientIP
 * pins a source to its endpoint for `timeoutSeconds` after its last use (§5.6).
 */
export type ProxyMode = 'iptables' | 'nftables' | 'ipvs';
export type IpvsScheduler = 'rr' | 'lc' | 'sh' | 'sed' | 'nq';

export interface ProxyConfig {
  mode: ProxyMode;
  scheduler: IpvsScheduler;
  /** Delay from an EndpointSlice change to the proxy seeing it. */
  syncDelay: Distribution;
  /** Minimum time between two rule syncs (iptables/nftables minSyncPeriod, 1 s). */
  minSyncPeriod: number;
}

export interface EndpointTruth {
  pod: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

export interface Affinity {
  sessionAffinity: 'None' | 'ClientIP';
  timeoutSeconds: number;
}

export class ServiceProxy {
  /** Usable endpoints (pod indices) as currently programmed. */
  private view = new Int32Array(0);
  private n = 0;
  private rr = 0;
  private delivered: EndpointTruth[] = [];
  private deliveredVersion = -1;
  private version = 0;
  private lastSync = -Infinity;
  private syncPending = false;
  private readonly affinity = new Map<number, { pod: number; lastUsed: number }>();
  syncs = 0;
  /** Observer of every programming (the endpoints kube-proxy routes to from now on). */
  onProgram: ((service: string, pods: readonly number[], fallback: boolean) => void) | undefined;
  /**
   * An idealised L7 traffic router in front of this Service (an Argo Rollout's `trafficRouting`): a new
   * connection goes to `to`'s endpoints with probability weight()/100 (when it has any), else here.
   */
  split: { to: ServiceProxy; weight: () => number; draw: RandomStream } | undefined;

  constructor(
    readonly service: string,
    private readonly sim: Simulation,
    private readonly config: ProxyConfig,
    private readonly lb: RandomStream,
    private readonly propagation: RandomStream,
    private readonly sessionAffinity: Affinity = { sessionAffinity: 'None', timeoutSeconds: 10800 },
  ) {}

  /** Programs `endpoints` at once (the state at t = 0, already propagated). */
  initialize(endpoints: EndpointTruth[]): void {
    this.delivered = endpoints.map((e) => ({ ...e }));
    this.deliveredVersion = this.version++;
    this.program();
  }

  /** An EndpointSlice changed: the snapshot reaches this proxy after the propagation delay. */
  observe(endpoints: EndpointTruth[]): void {
    const snapshot = endpoints.map((e) => ({ ...e }));
    const v = this.version++;
    const delay = Math.max(0, this.config.syncDelay.sample(this.propagation));
    this.sim.after(delay, () => {
      if (v < this.deliveredVersion) return; // an older snapshot overtaken by a newer one
      this.delivered = snapshot;
      this.deliveredVersion = v;
      this.requestSync();
    });
  }

  /** Endpoints currently programmed (pod indices), for metrics and tests. */
  programmed(): number[] {
    return Array.from(this.view.subarray(0, this.n));
  }

  /**
   * Chooses the pod for a new connection from `source` (a client address index), or -1 when the
   * Service has no usable endpoint. `connections[p]` are open connections per pod (IPVS schedulers).
   */
  pick(source: number, connections: Int32Array): number {
    const split = this.split;
    if (split !== undefined) {
      const w = split.weight();
      if (w > 0 && split.draw.next() * 100 < w) {
        const p = split.to.pick(source, connections);
        if (p >= 0) return p;
      }
    }
    const n = this.n;
    if (n === 0) return -1;
    if (this.sessionAffinity.sessionAffinity === 'ClientIP') {
      const a = this.affinity.get(source);
      const now = this.sim.now;
      if (a !== undefined && now - a.lastUsed <= this.sessionAffinity.timeoutSeconds && this.has(a.pod)) {
        a.lastUsed = now;
        return a.pod;
      }
      const p = this.choose(source, connections);
      this.affinity.set(source, { pod: p, lastUsed: now });
      return p;
    }
    return this.choose(source, connections);
  }

  private choose(source: number, connections: Int32Array): number {
    const view = this.view, n = this.n;
    if (this.config.mode !== 'ipvs') return view[Math.floor(this.lb.next() * n)]!;
    switch (this.config.scheduler) {
      case 'rr': {
        const p = view[this.rr % n]!;
        this.rr = (this.rr + 1) % n;
        return p;
      }
      case 'sh':
        return view[hashInt(source) % n]!;
      case 'nq':
        for (let i = 0; i < n; i++) if (connections[view[i]!] === 0) return view[i]!;
        return this.leastConnections(connections);
      default: // lc; sed with equal weights: argmin (C + 1) / 1, the same order
        return this.leastConnections(connections);
    }
  }

  private leastConnections(connections: Int32Array): number {
    const view = this.view;
    let best = view[0]!, bestC = connections[best]!;
    for (let i = 1; i < this.n; i++) {
      const p = view[i]!, c = connections[p]!;
      if (c < bestC) {
        best = p;
        bestC = c;
      }
    }
    return best;
  }

  private has(pod: number): boolean {
    for (let i = 0; i < this.n; i++) if (this.view[i] === pod) return true;
    return false;
  }

  private requestSync(): void {
    if (this.syncPending) return;
    const at = Math.max(this.sim.now, this.lastSync + this.config.minSyncPeriod);
    if (at <= this.sim.now) {
      this.program();
      return;
    }
    this.syncPending = true;
    this.sim.schedule(at, () => {
      this.syncPending = false;
      this.program();
    });
  }

  private program(): void {
    this.lastSync = this.sim.now;
    this.syncs++;
    let usable = this.delivered.filter((e) => e.ready);
    const fallback = usable.length === 0;
    if (fallback) usable = this.delivered.filter((e) => e.serving && e.terminating);
    if (this.view.length < usable.length) this.view = new Int32Array(usable.length * 2);
    for (let i = 0; i < usable.length; i++) this.view[i] = usable[i]!.pod;
    this.n = usable.length;
    this.onProgram?.(this.service, usable.map((e) => e.pod), fallback && usable.length > 0);
  }
}

function hashInt(x: number): number {
  let h = Math.imul(x ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
