import type { RandomStreams, RandomStream } from '../kernel/random.js';
import type { Simulation } from '../kernel/simulation.js';
import type { BehaviorProfile } from '../behavior/profile.js';
import { constantArrivals, poissonArrivals, rateProfile, replayArrivals, type ArrivalProcess } from './arrivals.js';
import { backoffDelay, type ClientSpec } from './clients.js';
import { ConnectionPool } from './connections.js';
import { ACCEPTED, NOT_LISTENING, PodServers, QUEUE_FULL, UNREACHABLE } from './podserver.js';
import { type Affinity, type EndpointTruth, type ProxyConfig, ServiceProxy } from './proxy.js';
import { RequestPool } from './requests.js';
import { TimeoutQueue } from './timeouts.js';
import { OUTCOME_COUNT, OUTCOME_INDEX, isOutcome } from '../metrics/outcomes.js';

/**
 * The data plane: client → Service → the proxy's endpoint view → pod → slots and queue → response.
 * Every request ends in exactly one outcome (indices into metrics' `OUTCOMES`):
 * ok · no_endpoints (the Service rejected the connection) · refused (routed to a pod that no longer
 * listens) · reset (in flight when the pod's process died) · timeout (the client gave up) ·
 * overload (the pod's queue was full) · app_error (the behaviour's 5xx).
 *
 * Per-request work is O(1) and allocation-free: requests and connections are typed-array pools and
 * every handler is bound once. Latency is measured from the intended send time of the first attempt.
 */
/** The least time between two requests of one closed-workload user (a rejected connection's round trip). */
export const MIN_ROUND_TRIP = 0.001;

const { ok: OK, no_endpoints: NO_ENDPOINTS, refused: REFUSED, reset: RESET, timeout: TIMEOUT, overload: OVERLOAD, app_error: APP_ERROR } =
  OUTCOME_INDEX;

/**
 * Where finished requests go (the metrics recorder). `pod` is -1 when no pod was reached; `client` is
 * the index of the traffic entry (in `addClient` order).
 */
export interface RequestSink {
  request(sentAt: number, endedAt: number, outcome: number, pod: number, client: number): void;
}

/**
 * A test-only observer of the data plane (issue 10): it hears every logical request where it is
 * created (an open arrival or a closed user's send) and its terminal outcome where it is decided, by
 * request id — independent of the metrics recorder, so a test can check that every request ends in
 * exactly one outcome. Install with `DATA_PLANE_PROBE.install`; nothing calls it otherwise.
 */
export interface DataPlaneProbe {
  created(id: number, client: number, at: number): void;
  ended(id: number, outcome: number, at: number): void;
}

/** Tests set `install` to observe every DataPlane built while it is set (O(1) per request when unset: one check). */
export const DATA_PLANE_PROBE: { install: ((plane: DataPlane) => DataPlaneProbe) | undefined } = { install: undefined };

interface ClientState {
  spec: ClientSpec;
  index: number;
  proxy: ServiceProxy;
  arrivals: ArrivalProcess | null;
  nextArrival: number; // kernel event id
  multiplier: number;
  nextSource: number;
  retryRng: RandomStream;
  thinkRng: RandomStream;
  retryOn: Uint8Array; // by outcome index
  timeouts: TimeoutQueue;
}

export interface DataPlaneOptions {
  sim: Simulation;
  random: RandomStreams;
  proxy: ProxyConfig;
  sink: RequestSink;
  /** End of the run: no request is sent at or after it. */
  until: number;
  /**
   * Called whenever a Service's proxy programs its endpoints (pod indices; `fallback` when they are
   * serving terminating endpoints because none is ready; see ServiceProxy).
   */
  onProgram?: ServiceProxy['onProgram'];
}

export class DataPlane {
  readonly requests = new RequestPool();
  readonly connections = new ConnectionPool();
  readonly servers: PodServers;
  private readonly proxies = new Map<string, ServiceProxy>();
  private readonly clients: ClientState[] = [];
  private readonly byName = new Map<string, ClientState>();
  private readonly podIndex = new Map<string, number>();
  private readonly sim: Simulation;
  private readonly onTimeoutBound: (r: number) => void;
  private readonly isWaiting: (r: number, serial: number) => boolean;
  private serialCounter = 0;
  private readonly retryBound: (r: number) => void;
  private readonly arrivalBound: (client: number) => void;
  private readonly drainWaiters = new Map<number, () => void>();
  private nextRequestId = 0;
  private readonly probe: DataPlaneProbe | undefined;

  constructor(private readonly opts: DataPlaneOptions) {
    this.sim = opts.sim;
    this.probe = DATA_PLANE_PROBE.install?.(this);
    this.servers = new PodServers(
      opts.sim,
      this.requests,
      (r, ok) => this.served(r, ok),
      (r) => this.aborted(r),
      (p) => this.idle(p),
    );
    this.onTimeoutBound = (r) => this.timedOut(r);
    this.isWaiting = (r, serial) => this.requests.serial[r] === serial;
    this.retryBound = (r) => this.attempt(r);
    this.arrivalBound = (ci) => this.arrival(ci);
  }

  // ------------------------------------------------------------------ topology

  /** Registers a Service (`namespace/name`) with its session affinity; returns its proxy. */
  addService(key: string, affinity?: Affinity): ServiceProxy {
    let p = this.proxies.get(key);
    if (p === undefined) {
      p = new ServiceProxy(key, this.sim, this.opts.proxy, this.opts.random.stream(`lb/${key}`), this.opts.random.stream(`propagation/${key}`), affinity);
      p.onProgram = this.opts.onProgram;
      this.proxies.set(key, p);
    }
    return p;
  }

  proxy(key: string): ServiceProxy | undefined {
    return this.proxies.get(key);
  }

  /** Registers a pod's server (not listening until `setListening`). Returns its index. */
  addPod(uid: string, name: string, image: string, behavior: BehaviorProfile): number {
    const existing = this.podIndex.get(uid);
    if (existing !== undefined) return existing;
    const p = this.servers.add({
      uid,
      name,
      image,
      concurrency: behavior.concurrency,
      queue: behavior.queue,
      serviceTime: behavior.serviceTime,
      errorRate: behavior.errorRate,
      serviceRng: this.opts.random.stream(`service/${image}`),
      errorRng: this.opts.random.stream(`errors/${image}`),
    });
    this.servers.reachable[p] = 1;
    this.podIndex.set(uid, p);
    return p;
  }

  indexOf(uid: string): number | undefined {
    return this.podIndex.get(uid);
  }

  /** The container accepts connections (true) or not any more (false: new requests are refused). */
  setListening(p: number, listening: boolean): void {
    this.servers.listening[p] = listening ? 1 : 0;
  }

  /**
   * SIGTERM with a draining server: stop accepting, close idle keep-alive connections, close busy ones
   * after their response; `done` is called once nothing is in flight (at once if idle).
   */
  drain(p: number, done: () => void): void {
    this.servers.listening[p] = 0;
    this.connections.forEachOfPod(p, (c) => {
      if (this.connections.state[c] === 1) this.closeConnection(c);
      else this.connections.closeAfter[c] = 1;
    });
    if (this.servers.inFlight[p] === 0) done();
    else this.drainWaiters.set(p, done);
  }

  /** The pod's process died (SIGKILL, crash, immediate exit): in-flight requests are reset. */
  kill(p: number): void {
    this.servers.listening[p] = 0;
    this.drainWaiters.delete(p);
    this.servers.kill(p);
    this.connections.forEachOfPod(p, (c) => this.closeConnection(c));
  }

  /**
   * The pod's node is unreachable (true) or back (false). While unreachable nothing answers: requests
   * sent to it, and those in flight, end in the client's timeout.
   */
  setUnreachable(p: number, unreachable: boolean): void {
    this.servers.reachable[p] = unreachable ? 0 : 1;
  }

  // ------------------------------------------------------------------ clients

  addClient(spec: ClientSpec): void {
    const proxy = this.proxies.get(`${spec.namespace}/${spec.service}`);
    if (proxy === undefined) throw new Error(`traffic ${spec.name}: unknown Service ${spec.namespace}/${spec.service}`);
    const retryOn = new Uint8Array(OUTCOME_COUNT);
    for (const o of spec.retries.on) {
      if (!isOutcome(o)) throw new Error(`traffic ${spec.name}: cannot retry on unknown outcome ${o}`);
      retryOn[OUTCOME_INDEX[o]] = 1;
    }
    const state: ClientState = {
      spec,
      index: this.clients.length,
      proxy,
      arrivals: null,
      nextArrival: -1,
      multiplier: 1,
      nextSource: 0,
      retryRng: this.opts.random.stream(`retry/${spec.name}`),
      thinkRng: this.opts.random.stream(`think/${spec.name}`),
      retryOn,
      timeouts: new TimeoutQueue(this.sim, spec.timeout, this.isWaiting, this.onTimeoutBound),
    };
    this.clients.push(state);
    this.byName.set(spec.name, state);
    const until = Math.min(this.opts.until, spec.stop);
    if (spec.users !== undefined) {
      // closed workload: each user sends its first request at `start`, staggered over one think time
      for (let u = 0; u < spec.users; u++) {
        const stagger = spec.thinkTime ? spec.thinkTime.sample(state.thinkRng) * state.thinkRng.next() : 0;
        const at = spec.start + stagger;
        if (at < until) this.sim.schedule(at, () => this.newRequest(state, u));
      }
      return;
    }
    const rng = this.opts.random.stream(`arrivals/${spec.name}`);
    const mult = () => state.multiplier;
    state.arrivals = spec.replay
      ? replayArrivals(spec.replay)
      : spec.arrivals === 'constant'
        ? constantArrivals(rateProfile(spec.rate ?? 0, spec.shape), mult)
        : poissonArrivals(rateProfile(spec.rate ?? 0, spec.shape), rng, mult);
    this.scheduleArrival(state, spec.start);
  }

  /** The Service (`namespace/name`) client `index` sends to. */
  clientService(index: number): string {
    const c = this.clients[index];
    return c === undefined ? '' : `${c.spec.namespace}/${c.spec.service}`;
  }

  /** `set-rate`: the client's rate becomes `rate` (its shape scales with it). */
  setRate(name: string, rate: number): void {
    const c = this.byName.get(name);
    if (c === undefined) throw new Error(`unknown traffic ${name}`);
    if (c.arrivals === null || c.spec.replay !== undefined) throw new Error(`traffic ${name} has no rate to set (closed workload or replayed timestamps)`);
    const base = c.spec.rate ?? 0;
    c.multiplier = base > 0 ? rate / base : 0;
    if (base === 0 && rate > 0) {
      c.spec.rate = rate;
      c.multiplier = 1;
      c.arrivals = c.spec.arrivals === 'constant'
        ? constantArrivals(rateProfile(rate, c.spec.shape), () => c.multiplier)
        : poissonArrivals(rateProfile(rate, c.spec.shape), this.opts.random.stream(`arrivals/${c.spec.name}`), () => c.multiplier);
    }
    // memoryless: redraw the pending arrival from now at the new rate
    if (c.nextArrival >= 0) this.sim.cancel(c.nextArrival);
    this.scheduleArrival(c, this.sim.now);
  }

  private scheduleArrival(c: ClientState, from: number): void {
    const t = c.arrivals!.next(from);
    c.nextArrival = t < Math.min(this.opts.until, c.spec.stop) ? this.sim.schedule(t, this.arrivalBound, c.index) : -1;
  }

  /** An open client's arrival: send, then schedule the next one (bound once: no closure per request). */
  private arrival(ci: number): void {
    const c = this.clients[ci]!;
    c.nextArrival = -1;
    this.newRequest(c, c.nextSource);
    c.nextSource = (c.nextSource + 1) % c.spec.sources;
    this.scheduleArrival(c, this.sim.now);
  }

  // ------------------------------------------------------------------ one request

  private newRequest(c: ClientState, source: number): void {
    const r = this.requests.alloc(this.sim.now, c.index, source);
    const id = this.nextRequestId++;
    this.requests.id[r] = id;
    this.probe?.created(id, c.index, this.sim.now);
    this.attempt(r);
  }

  /** Sends (or re-sends) request r. */
  private attempt(r: number): void {
    const req = this.requests;
    const c = this.clients[req.client[r]!]!;
    const spec = c.spec;
    const now = this.sim.now;
    const serial = ++this.serialCounter;
    req.serial[r] = serial;
    c.timeouts.start(r, serial);
    const conns = this.connections;
    let conn = -1;
    if (spec.keepAlive.enabled) {
      for (;;) {
        conn = conns.takeIdle(c.index);
        if (conn < 0) break;
        if (now - conns.openedAt[conn]! < spec.keepAlive.maxAge) break;
        this.closeConnection(conn);
      }
    }
    if (conn < 0) {
      const pod = c.proxy.pick(req.source[r]!, this.servers.connections);
      if (pod < 0) {
        this.finish(r, NO_ENDPOINTS);
        return;
      }
      conn = conns.openConnection(c.index, pod, now);
      this.servers.connections[pod]!++;
    }
    conns.requests[conn]!++;
    req.conn[r] = conn;
    const pod = conns.pod[conn]!;
    req.pod[r] = pod;
    const res = this.servers.offer(pod, r);
    if (res === ACCEPTED || res === UNREACHABLE) return; // unreachable: nothing answers, the timeout will
    if (res === NOT_LISTENING) {
      this.closeConnection(conn);
      req.conn[r] = -1;
      this.finish(r, REFUSED);
    } else if (res === QUEUE_FULL) {
      this.releaseConnection(conn, spec);
      req.conn[r] = -1;
      this.finish(r, OVERLOAD);
    }
  }

  private served(r: number, ok: boolean): void {
    const req = this.requests;
    if (req.clientOwned[r] !== 1 || req.conn[r]! < 0) return; // the client already gave up
    if (this.servers.reachable[req.pod[r]!] === 0) return; // the answer is lost: the client will time out
    const conn = req.conn[r]!;
    req.conn[r] = -1;
    this.releaseConnection(conn, this.clients[req.client[r]!]!.spec);
    this.finish(r, ok ? OK : APP_ERROR);
  }

  private aborted(r: number): void {
    const req = this.requests;
    if (req.clientOwned[r] !== 1 || req.conn[r]! < 0) return;
    const conn = req.conn[r]!;
    req.conn[r] = -1;
    this.closeConnection(conn);
    this.finish(r, RESET);
  }

  private timedOut(r: number): void {
    const req = this.requests;
    if (req.clientOwned[r] !== 1) return;
    const conn = req.conn[r]!;
    if (conn >= 0) {
      req.conn[r] = -1;
      this.closeConnection(conn); // HTTP/1.1: a connection with an unanswered request cannot be reused
    }
    this.finish(r, TIMEOUT);
  }

  /** The client's view of the attempt ended with `outcome`: retry, or record and let go. */
  private finish(r: number, outcome: number): void {
    const req = this.requests;
    const c = this.clients[req.client[r]!]!;
    req.serial[r] = -1; // the attempt's timeout no longer applies
    if (c.retryOn[outcome] === 1 && req.attempt[r]! < c.spec.retries.max) {
      this.retry(r, c);
      return;
    }
    const now = this.sim.now;
    this.probe?.ended(req.id[r]!, outcome, now);
    this.opts.sink.request(req.sentAt[r]!, now, outcome, req.pod[r]!, c.index);
    req.clientOwned[r] = 0;
    if (c.spec.users !== undefined) this.thinkThenSend(c, req.source[r]!, req.sentAt[r]!);
    req.release(r);
  }

  /** Schedules the next attempt of r after its backoff (the rare path of `finish`, kept out of it). */
  private retry(r: number, c: ClientState): void {
    const req = this.requests;
    const attempt = req.attempt[r]! + 1;
    req.attempt[r] = attempt;
    let next = r;
    if (req.serverOwned[r] === 1) {
      // the old attempt is still queued on a pod: continue with a fresh record for the retry
      next = req.alloc(req.sentAt[r]!, req.client[r]!, req.source[r]!);
      req.id[next] = req.id[r]!;
      req.attempt[next] = attempt;
      req.clientOwned[r] = 0;
      req.release(r);
    }
    this.sim.after(backoffDelay(c.spec.retries, attempt, c.retryRng), this.retryBound, next);
  }

  /**
   * Closed workload: the user thinks, then sends again. A request that failed at once (no endpoints,
   * refused) still costs the user a network round trip: never send twice at one instant, or a user
   * with no think time would loop forever at that instant.
   */
  private thinkThenSend(c: ClientState, source: number, sentAt: number): void {
    const now = this.sim.now;
    const think = c.spec.thinkTime ? c.spec.thinkTime.sample(c.thinkRng) : 0;
    const at = Math.max(now + Math.max(0, think), sentAt + MIN_ROUND_TRIP);
    if (at < Math.min(this.opts.until, c.spec.stop)) this.sim.schedule(at, () => this.newRequest(c, source));
  }

  // ------------------------------------------------------------------ connections

  /** After a response: keep the connection for reuse, or close it (no keep-alive, limits, draining). */
  private releaseConnection(conn: number, spec: ClientSpec): void {
    const conns = this.connections;
    if (
      !spec.keepAlive.enabled ||
      conns.closeAfter[conn] === 1 ||
      conns.requests[conn]! >= spec.keepAlive.maxRequests ||
      this.sim.now - conns.openedAt[conn]! >= spec.keepAlive.maxAge
    ) {
      this.closeConnection(conn);
    } else conns.makeIdle(conn);
  }

  private closeConnection(conn: number): void {
    const conns = this.connections;
    if (conns.state[conn] === 0) return;
    this.servers.connections[conns.pod[conn]!]!--;
    conns.close(conn);
  }

  private idle(p: number): void {
    const done = this.drainWaiters.get(p);
    if (done !== undefined) {
      this.drainWaiters.delete(p);
      done();
    }
  }

  /**
   * Feeds a change of one EndpointSlice (`slice`, its name) of a Service to its proxy (propagation
   * applies); `initial`: programmed at once, as the only slice.
   */
  observeEndpoints(serviceKey: string, endpoints: EndpointTruth[], initial = false, slice = ''): void {
    const proxy = this.proxies.get(serviceKey);
    if (proxy === undefined) return;
    if (initial) proxy.initialize(endpoints);
    else proxy.observe(endpoints, slice);
  }

  /** Programs every slice of a Service at once (the state at t = 0, already propagated). */
  initializeEndpoints(serviceKey: string, slices: ReadonlyMap<string, EndpointTruth[]>): void {
    this.proxies.get(serviceKey)?.initialize(slices);
  }
}
