import type { Distribution } from '../kernel/distributions.js';
import type { RandomStream } from '../kernel/random.js';
import type { Simulation } from '../kernel/simulation.js';
import type { RequestPool } from './requests.js';
import { resized } from './typed.js';

/**
 * The serving side of every pod: `concurrency` slots and a bounded FIFO queue (a ring buffer), service
 * times from the image's behaviour. Pods are small integers; per-pod state lives in typed arrays so the
 * per-request work is O(1) and allocation-free.
 *
 * Contract with the data plane:
 * - `offer(p, r)` returns ACCEPTED, or why it was not: NOT_LISTENING (connection refused),
 *   UNREACHABLE (node down: the request is silently lost, the client will time out), QUEUE_FULL (503).
 * - When service ends, `onServed(r, ok)` is called (ok false = the behaviour's 5xx), and the slot
 *   takes the next queued request.
 * - `kill(p)` drops everything queued or in service: `onAborted(r)` for each (reset).
 */
export const ACCEPTED = 0, NOT_LISTENING = 1, UNREACHABLE = 2, QUEUE_FULL = 3;

export interface PodServerSpec {
  uid: string;
  name: string;
  image: string;
  concurrency: number;
  queue: number;
  serviceTime: Distribution;
  errorRate: number;
  serviceRng: RandomStream;
  errorRng: RandomStream;
}

/** Queue ring entries allocated per pod at first; the ring doubles as the queue grows (to `queue`). */
const INITIAL_QUEUE = 16;

export class PodServers {
  count = 0;
  readonly uid: string[] = [];
  readonly name: string[] = [];
  readonly image: string[] = [];
  listening = new Uint8Array(16);
  reachable = new Uint8Array(16);
  busy = new Int32Array(16);
  /** Requests ever started on the pod (per-pod request counts in the report). */
  served = new Float64Array(16);
  /** Open client connections to the pod (IPVS lc/sed/nq). */
  connections = new Int32Array(16);
  /** In service + queued (what a draining container waits for). */
  inFlight = new Int32Array(16);
  private readonly conc: number[] = [];
  private readonly qcap: number[] = [];
  private readonly qbuf: Int32Array[] = [];
  private qhead = new Int32Array(16);
  private qlen = new Int32Array(16);
  private readonly slotReq: Int32Array[] = [];
  private readonly slotEvent: Float64Array[] = [];
  private readonly freeSlots: Int32Array[] = [];
  private nfreeSlots = new Int32Array(16);
  private readonly dist: Distribution[] = [];
  private readonly svcRng: RandomStream[] = [];
  private readonly errRng: RandomStream[] = [];
  private readonly errRate: number[] = [];
  private readonly doneHandler: (r: number) => void;

  constructor(
    private readonly sim: Simulation,
    private readonly requests: RequestPool,
    private readonly onServed: (r: number, ok: boolean) => void,
    private readonly onAborted: (r: number) => void,
    /** Called when a pod's in-flight count drops to zero (drain completion). */
    private readonly onIdle: (p: number) => void = () => {},
  ) {
    this.doneHandler = (r: number) => this.complete(r);
  }

  add(spec: PodServerSpec): number {
    const p = this.count++;
    if (p >= this.listening.length) this.grow(p * 2);
    this.uid.push(spec.uid);
    this.name.push(spec.name);
    this.image.push(spec.image);
    const c = Math.max(1, spec.concurrency | 0);
    this.conc.push(c);
    this.qcap.push(Math.max(0, spec.queue | 0));
    this.qbuf.push(new Int32Array(Math.max(1, Math.min(INITIAL_QUEUE, spec.queue | 0)))); // grows on demand up to `queue`
    this.slotReq.push(new Int32Array(c).fill(-1));
    this.slotEvent.push(new Float64Array(c).fill(-1));
    const free = new Int32Array(c);
    for (let i = 0; i < c; i++) free[i] = c - 1 - i;
    this.freeSlots.push(free);
    this.nfreeSlots[p] = c;
    this.dist.push(spec.serviceTime);
    this.svcRng.push(spec.serviceRng);
    this.errRng.push(spec.errorRng);
    this.errRate.push(spec.errorRate);
    return p;
  }

  offer(p: number, r: number): number {
    if (this.reachable[p] === 0) return UNREACHABLE;
    if (this.listening[p] === 0) return NOT_LISTENING;
    this.requests.pod[r] = p;
    if (this.nfreeSlots[p]! > 0) {
      this.start(p, r);
      return ACCEPTED;
    }
    const len = this.qlen[p]!, cap = this.qcap[p]!;
    if (len >= cap) return QUEUE_FULL;
    let buf = this.qbuf[p]!;
    if (len === buf.length) buf = this.growQueue(p, buf, len, cap);
    buf[(this.qhead[p]! + len) % buf.length] = r;
    this.qlen[p] = len + 1;
    this.requests.serverOwned[r] = 1;
    this.requests.slot[r] = -1;
    this.inFlight[p]!++;
    return ACCEPTED;
  }

  /** Drops every queued and in-service request of the pod (the process died). */
  kill(p: number): void {
    const req = this.requests;
    const slots = this.slotReq[p]!, events = this.slotEvent[p]!;
    const aborted: number[] = [];
    for (let s = 0; s < slots.length; s++) {
      const r = slots[s]!;
      if (r < 0) continue;
      this.sim.cancel(events[s]!);
      slots[s] = -1;
      events[s] = -1;
      this.freeSlots[p]![this.nfreeSlots[p]!++] = s;
      aborted.push(r);
    }
    const buf = this.qbuf[p]!;
    for (let i = 0; i < this.qlen[p]!; i++) aborted.push(buf[(this.qhead[p]! + i) % buf.length]!);
    this.qlen[p] = 0;
    this.qhead[p] = 0;
    this.busy[p] = 0;
    this.inFlight[p] = 0;
    for (const r of aborted) {
      req.serverOwned[r] = 0;
      this.onAborted(r);
      req.release(r);
    }
  }

  /** Puts r into a free slot; `queued` when it comes from the pod's queue (already counted in flight). */
  private start(p: number, r: number, queued = false): void {
    const s = this.freeSlots[p]![--this.nfreeSlots[p]!]!;
    const req = this.requests;
    req.serverOwned[r] = 1;
    req.slot[r] = s;
    this.slotReq[p]![s] = r;
    this.busy[p]!++;
    this.served[p]!++;
    if (!queued) this.inFlight[p]!++;
    const d = this.dist[p]!.sample(this.svcRng[p]!);
    this.slotEvent[p]![s] = this.sim.after(d > 0 ? d : 0, this.doneHandler, r);
  }

  private complete(r: number): void {
    const req = this.requests;
    const p = req.pod[r]!, s = req.slot[r]!;
    this.slotReq[p]![s] = -1;
    this.slotEvent[p]![s] = -1;
    this.freeSlots[p]![this.nfreeSlots[p]!++] = s;
    this.busy[p]!--;
    this.inFlight[p]!--;
    req.serverOwned[r] = 0;
    const rate = this.errRate[p]!;
    const ok = rate <= 0 || this.errRng[p]!.next() >= rate;
    this.onServed(r, ok);
    req.release(r);
    // next queued request takes the slot
    if (this.qlen[p]! > 0) {
      const buf = this.qbuf[p]!, h = this.qhead[p]!;
      const next = buf[h]!;
      this.qhead[p] = (h + 1) % buf.length;
      this.qlen[p]!--;
      this.start(p, next, true);
    } else if (this.inFlight[p] === 0) {
      this.onIdle(p);
    }
  }

  /** Doubles pod p's queue ring (up to its capacity), unrolled so the head is at 0. */
  private growQueue(p: number, buf: Int32Array, len: number, cap: number): Int32Array {
    const next = new Int32Array(Math.min(cap, buf.length * 2));
    const h = this.qhead[p]!;
    for (let i = 0; i < len; i++) next[i] = buf[(h + i) % buf.length]!;
    this.qbuf[p] = next;
    this.qhead[p] = 0;
    return next;
  }

  private grow(n: number): void {
    this.listening = resized(this.listening, n);
    this.reachable = resized(this.reachable, n);
    this.busy = resized(this.busy, n);
    this.served = resized(this.served, n);
    this.connections = resized(this.connections, n);
    this.inFlight = resized(this.inFlight, n);
    this.qhead = resized(this.qhead, n);
    this.qlen = resized(this.qlen, n);
    this.nfreeSlots = resized(this.nfreeSlots, n);
  }
}
