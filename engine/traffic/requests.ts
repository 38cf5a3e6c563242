import { resized } from './typed.js';

/**
 * In-flight requests as a struct-of-arrays pool with a free list: no object per request, and memory
 * bounded by the peak number of requests in flight, never by the total sent.
 *
 * A request has two owners: the client (until it records an outcome) and the server (while the request
 * is queued or in service on a pod). A client that times out stops caring, but the pod still works on
 * the request; the record is freed only when both have let go.
 */
export const NO_POD = -1;

export class RequestPool {
  /** Intended send time of the first attempt (latency is measured from it: no coordinated omission). */
  sentAt = new Float64Array(0);
  /** The logical request's number in its run (kept by the records of its retries). */
  id = new Float64Array(0);
  client = new Int32Array(0);
  /** Client address index (session affinity, source hashing). */
  source = new Int32Array(0);
  conn = new Int32Array(0);
  pod = new Int32Array(0);
  /** Service slot on the pod while in service, -1 while queued. */
  slot = new Int32Array(0);
  attempt = new Int32Array(0);
  /** Serial number of the attempt waiting for its timeout (-1 when none is). */
  serial = new Float64Array(0);
  /** 1 while the client still waits for this attempt. */
  clientOwned = new Uint8Array(0);
  /** 1 while the request is queued or in service on a pod. */
  serverOwned = new Uint8Array(0);
  private free = new Int32Array(0);
  private nfree = 0;
  private cap = 0;
  inUse = 0;

  constructor(initial = 1024) {
    this.grow(initial);
  }

  get capacity(): number {
    return this.cap;
  }

  alloc(sentAt: number, client: number, source = 0): number {
    if (this.nfree === 0) this.grow(this.cap * 2);
    const r = this.free[--this.nfree]!;
    this.sentAt[r] = sentAt;
    this.client[r] = client;
    this.source[r] = source;
    this.conn[r] = -1;
    this.pod[r] = NO_POD;
    this.slot[r] = -1;
    this.attempt[r] = 0;
    this.serial[r] = -1;
    this.clientOwned[r] = 1;
    this.serverOwned[r] = 0;
    this.inUse++;
    return r;
  }

  /** Frees the record if neither the client nor a server holds it any more. */
  release(r: number): void {
    if (this.clientOwned[r] === 0 && this.serverOwned[r] === 0) {
      this.clientOwned[r] = 2; // guard against double free
      this.free[this.nfree++] = r;
      this.inUse--;
    }
  }

  private grow(cap: number): void {
    const old = this.cap;
    this.sentAt = resized(this.sentAt, cap);
    this.id = resized(this.id, cap);
    this.serial = resized(this.serial, cap);
    this.client = resized(this.client, cap);
    this.source = resized(this.source, cap);
    this.conn = resized(this.conn, cap);
    this.pod = resized(this.pod, cap);
    this.slot = resized(this.slot, cap);
    this.attempt = resized(this.attempt, cap);
    this.clientOwned = resized(this.clientOwned, cap);
    this.serverOwned = resized(this.serverOwned, cap);
    this.free = resized(this.free, cap);
    for (let r = cap - 1; r >= old; r--) {
      this.clientOwned[r] = 2;
      this.free[this.nfree++] = r;
    }
    this.cap = cap;
  }
}
