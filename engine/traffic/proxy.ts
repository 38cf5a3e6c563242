import type { Distribution } from '../kernel/distributions.js';
import type { RandomStream } from '../kernel/random.js';
import type { Simulation } from '../kernel/simulation.js';

/**
 * kube-proxy's view of one Service and its load balancing (§5).
 *
 * Propagation: every EndpointSlice change is a snapshot of that slice (at most 100 endpoints, §5.1)
 * that reaches the proxy after a sampled delay (API → watch → kube-proxy); the proxy programs its
 * rules at most once per `minSyncPeriod` (iptables 1 s, §5.2), with the newest snapshot of each slice
 * delivered so far. Between syncs the view is stale — the source of `refused` requests during
 * rollouts (§4.7). The Service's endpoints are the union of its slices (a pod listed twice while it
 * moves between slices counts once, as kube-proxy's EndpointSliceCache merges them).
 *
 * Incremental (O(changed endpoints) per delivery, no per-event O(pods)): a delivery updates per-pod
 * counts of the slices listing it as ready / serving-terminating and marks those pods; a sync moves
 * only the marked pods in or out of the view. The view is kept in pod-index (creation) order, so the
 * endpoint a random draw or the rr counter selects is the one a from-scratch rebuild would select;
 * keeping that order costs one O(view) merge per sync that changed something (at most one per
 * minSyncPeriod), never per event.
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

/** What one sync changed in the programmed view. */
export interface ProgramChange {
  /** Pods routed to from now on that were not before (ascending). */
  added: readonly number[];
  /** Pods no longer routed to. */
  removed: readonly number[];
  /** Endpoints programmed now. */
  size: number;
  /** The view holds serving terminating endpoints because none is ready (KEP-1669). */
  fallback: boolean;
}

export class ServiceProxy {
  /** Usable endpoints (pod indices, ascending) as currently programmed. */
  private view: Int32Array = new Int32Array(0);
  private spare: Int32Array = new Int32Array(0);
  private n = 0;
  private rr = 0;
  /** Per pod: in the programmed view; slices delivered listing it ready; listing it serving ∧ terminating. */
  private inView = new Uint8Array(0);
  private readyRef = new Int32Array(0);
  private fallbackRef = new Int32Array(0);
  private nReady = 0;
  private nFallback = 0;
  /** Pods whose counts changed since the last sync. */
  private dirty: number[] = [];
  private dirtyMark = new Uint8Array(0);
  private fallbackView = false;
  private rebuild = true;
  /** Slice name → its newest delivered snapshot, and that snapshot's version. */
  private readonly delivered = new Map<string, EndpointTruth[]>();
  private readonly deliveredVersion = new Map<string, number>();
  /** Snapshots older than this were overtaken by `initialize`. */
  private floor = -1;
  private version = 0;
  private lastSync = -Infinity;
  private syncPending = false;
  private readonly affinity = new Map<number, { pod: number; lastUsed: number }>();
  syncs = 0;
  /** Observer of every programming (what changed; `view()` lists the endpoints routed to now). */
  onProgram: ((service: string, change: ProgramChange, view: () => readonly number[]) => void) | undefined;
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

  /** Programs `endpoints` (one slice, or every slice by name) at once: the state at t = 0, already propagated. */
  initialize(endpoints: EndpointTruth[] | ReadonlyMap<string, EndpointTruth[]>): void {
    const slices = Array.isArray(endpoints) ? new Map([['', endpoints]]) : endpoints;
    for (const name of [...this.delivered.keys()]) if (!slices.has(name)) this.deliver(name, []);
    for (const [name, eps] of slices) this.deliver(name, eps.map((e) => ({ ...e })));
    this.floor = this.version++;
    for (const name of slices.keys()) this.deliveredVersion.set(name, this.floor);
    this.program();
  }

  /** The EndpointSlice `slice` changed (`[]`: deleted): its snapshot reaches this proxy after the propagation delay. */
  observe(endpoints: EndpointTruth[], slice = ''): void {
    const snapshot = endpoints.map((e) => ({ ...e }));
    const v = this.version++;
    const delay = Math.max(0, this.config.syncDelay.sample(this.propagation));
    this.sim.after(delay, () => {
      if (v < this.floor || v < (this.deliveredVersion.get(slice) ?? -1)) return; // overtaken by a newer snapshot
      this.deliveredVersion.set(slice, v);
      this.deliver(slice, snapshot);
      this.requestSync();
    });
  }

  /** Endpoints currently programmed (pod indices, ascending), for metrics and tests. */
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
    return pod < this.inView.length && this.inView[pod] === 1;
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

  /** Replaces the delivered snapshot of one slice, moving the per-pod counts (O(slice)). */
  private deliver(slice: string, next: EndpointTruth[]): void {
    const prev = this.delivered.get(slice);
    if (prev !== undefined) for (const e of prev) this.count(e, -1);
    for (const e of next) this.count(e, 1);
    if (next.length === 0) this.delivered.delete(slice);
    else this.delivered.set(slice, next);
  }

  private count(e: EndpointTruth, by: 1 | -1): void {
    const p = e.pod;
    if (p >= this.readyRef.length) this.grow(p + 1);
    if (e.ready) {
      const r = (this.readyRef[p]! += by);
      if (r === 0) this.nReady--;
      else if (r === 1 && by === 1) this.nReady++;
    }
    if (e.serving && e.terminating) {
      const r = (this.fallbackRef[p]! += by);
      if (r === 0) this.nFallback--;
      else if (r === 1 && by === 1) this.nFallback++;
    }
    if (this.dirtyMark[p] === 0) {
      this.dirtyMark[p] = 1;
      this.dirty.push(p);
    }
  }

  private grow(size: number): void {
    const cap = Math.max(size, this.readyRef.length * 2, 16);
    const widen = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.readyRef = widen(this.readyRef, (n) => new Int32Array(n));
    this.fallbackRef = widen(this.fallbackRef, (n) => new Int32Array(n));
    this.inView = widen(this.inView, (n) => new Uint8Array(n));
    this.dirtyMark = widen(this.dirtyMark, (n) => new Uint8Array(n));
  }

  /** Usable now (§5.1): ready; with none ready anywhere, serving ∧ terminating. */
  private usable(p: number, fallback: boolean): boolean {
    return fallback ? this.fallbackRef[p]! > 0 : this.readyRef[p]! > 0;
  }

  private program(): void {
    this.lastSync = this.sim.now;
    this.syncs++;
    const fallback = this.nReady === 0;
    const added: number[] = [];
    const removed: number[] = [];
    const consider = (p: number) => {
      const want = this.usable(p, fallback);
      if (want === (this.inView[p] === 1)) return;
      this.inView[p] = want ? 1 : 0;
      (want ? added : removed).push(p);
    };
    if (this.rebuild || fallback !== this.fallbackView) {
      // the usable set switched between ready and fallback: every pod (rare)
      for (let p = 0; p < this.readyRef.length; p++) consider(p);
      this.rebuild = false;
      this.fallbackView = fallback;
    } else for (const p of this.dirty) consider(p);
    for (const p of this.dirty) this.dirtyMark[p] = 0;
    this.dirty = [];
    if (added.length > 0 || removed.length > 0) this.apply(added, removed);
    this.onProgram?.(this.service, { added, removed, size: this.n, fallback: fallback && this.n > 0 }, () => this.programmed());
  }

  /** Merges the sorted `added` into the view and drops `removed` (already unmarked in inView). */
  private apply(added: number[], removed: readonly number[]): void {
    added.sort((a, b) => a - b);
    const n = this.n, view = this.view;
    if (removed.length === 0 && (n === 0 || added[0]! > view[n - 1]!)) {
      // appending newer pods only
      if (view.length < n + added.length) this.view = resize(view, n, (n + added.length) * 2);
      for (let i = 0; i < added.length; i++) this.view[n + i] = added[i]!;
      this.n = n + added.length;
      return;
    }
    const size = n - removed.length + added.length;
    if (this.spare.length < size) this.spare = new Int32Array(size * 2);
    const out = this.spare;
    let i = 0, j = 0, k = 0;
    while (i < n || j < added.length) {
      if (i < n && this.inView[view[i]!] === 0) {
        i++;
        continue;
      }
      if (j >= added.length || (i < n && view[i]! < added[j]!)) out[k++] = view[i++]!;
      else out[k++] = added[j++]!;
    }
    this.spare = view;
    this.view = out;
    this.n = k;
  }
}

function resize(a: Int32Array, used: number, size: number): Int32Array {
  const b = new Int32Array(size);
  b.set(a.subarray(0, used));
  return b;
}

function hashInt(x: number): number {
  let h = Math.imul(x ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
