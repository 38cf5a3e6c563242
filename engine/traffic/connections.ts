import { resized } from './typed.js';

/**
 * Client connections (keep-alive) as a struct-of-arrays pool. Each open connection is pinned to one pod
 * (kube-proxy balances per connection, §5.8). Two intrusive doubly-linked lists give O(1) work:
 * each client's idle connections (reuse) and each pod's open connections (closing them all when the pod's
 * process stops or the server drains).
 */
const NIL = -1;

export class ConnectionPool {
  pod = new Int32Array(0);
  client = new Int32Array(0);
  openedAt = new Float64Array(0);
  requests = new Int32Array(0);
  /** 0 free · 1 idle · 2 busy */
  state = new Uint8Array(0);
  /** Set when the server will close the connection after the current response (draining). */
  closeAfter = new Uint8Array(0);
  private idleNext = new Int32Array(0);
  private idlePrev = new Int32Array(0);
  private podNext = new Int32Array(0);
  private podPrev = new Int32Array(0);
  private idleHead: Int32Array = new Int32Array(0); // per client
  private podHead: Int32Array = new Int32Array(0); // per pod
  private free = new Int32Array(0);
  private nfree = 0;
  private cap = 0;
  open = 0;

  constructor(initial = 256) {
    this.grow(initial);
  }

  /** Opens a busy connection from `client` to `pod`. */
  openConnection(client: number, pod: number, now: number): number {
    if (this.nfree === 0) this.grow(this.cap * 2);
    if (client >= this.idleHead.length || pod >= this.podHead.length) this.growHeads(client, pod);
    const c = this.free[--this.nfree]!;
    this.pod[c] = pod;
    this.client[c] = client;
    this.openedAt[c] = now;
    this.requests[c] = 0;
    this.state[c] = 2;
    this.closeAfter[c] = 0;
    // link into the pod's list
    const h = this.podHead[pod]!;
    this.podNext[c] = h;
    this.podPrev[c] = NIL;
    if (h !== NIL) this.podPrev[h] = c;
    this.podHead[pod] = c;
    this.open++;
    return c;
  }

  /** Takes an idle connection of `client` (most recently used first), or -1. */
  takeIdle(client: number): number {
    if (client >= this.idleHead.length) return NIL;
    const c = this.idleHead[client]!;
    if (c === NIL) return NIL;
    this.unlinkIdle(c);
    this.state[c] = 2;
    return c;
  }

  /** Returns a busy connection to its client's idle list. */
  makeIdle(c: number): void {
    const client = this.client[c]!;
    const h = this.idleHead[client]!;
    this.idleNext[c] = h;
    this.idlePrev[c] = NIL;
    if (h !== NIL) this.idlePrev[h] = c;
    this.idleHead[client] = c;
    this.state[c] = 1;
  }

  close(c: number): void {
    if (this.state[c] === 0) return;
    if (this.state[c] === 1) this.unlinkIdle(c);
    const pod = this.pod[c]!;
    const n = this.podNext[c]!, p = this.podPrev[c]!;
    if (p !== NIL) this.podNext[p] = n;
    else this.podHead[pod] = n;
    if (n !== NIL) this.podPrev[n] = p;
    this.state[c] = 0;
    this.free[this.nfree++] = c;
    this.open--;
  }

  /** Calls fn for every open connection to `pod` (fn may close the connection it is given). */
  forEachOfPod(pod: number, fn: (c: number) => void): void {
    if (pod >= this.podHead.length) return;
    let c = this.podHead[pod]!;
    while (c !== NIL) {
      const next = this.podNext[c]!;
      fn(c);
      c = next;
    }
  }

  private unlinkIdle(c: number): void {
    const client = this.client[c]!;
    const n = this.idleNext[c]!, p = this.idlePrev[c]!;
    if (p !== NIL) this.idleNext[p] = n;
    else this.idleHead[client] = n;
    if (n !== NIL) this.idlePrev[n] = p;
  }

  private growHeads(client: number, pod: number): void {
    const extend = (a: Int32Array, i: number) => {
      if (i < a.length) return a;
      const b = new Int32Array(Math.max(i + 1, a.length * 2)).fill(NIL);
      b.set(a);
      return b;
    };
    this.idleHead = extend(this.idleHead, client);
    this.podHead = extend(this.podHead, pod);
  }

  private grow(cap: number): void {
    const old = this.cap;
    this.pod = resized(this.pod, cap);
    this.client = resized(this.client, cap);
    this.openedAt = resized(this.openedAt, cap);
    this.requests = resized(this.requests, cap);
    this.state = resized(this.state, cap);
    this.closeAfter = resized(this.closeAfter, cap);
    this.idleNext = resized(this.idleNext, cap);
    this.idlePrev = resized(this.idlePrev, cap);
    this.podNext = resized(this.podNext, cap);
    this.podPrev = resized(this.podPrev, cap);
    this.free = resized(this.free, cap);
    for (let c = cap - 1; c >= old; c--) this.free[this.nfree++] = c;
    this.cap = cap;
  }
}
