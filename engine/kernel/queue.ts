/**
 * The future-event list: a binary min-heap of (time, slot) in typed arrays, ordered by
 * (time, insertion sequence), with the event payloads in a struct-of-arrays pool indexed by slot.
 *
 * Contract:
 * - `push` returns an event id; ids are never reused while the event is pending, and an id from a
 *   fired or cancelled event never matches a later one (a per-slot generation counter).
 * - `cancel` is O(1): it marks the slot dead; the heap drops it when it reaches the top.
 * - `pop` returns the slot of the earliest live event, or -1; the caller reads `fnOf(slot)` /
 *   `argOf(slot)` and must call `release(slot)` before pushing again with that payload.
 * - Same-time events pop in push order (FIFO), because the tie-break is a strictly increasing sequence.
 *
 * Pop is Floyd's variant: the hole at the root descends to a leaf choosing the smaller child without
 * comparing against the moved element (one data-dependent select per level), then the last element
 * sifts up from there. Unused heap cells hold +Infinity so the descent needs no bounds branch.
 */
export type EventHandler = (arg: number) => void;

const SLOT_BITS = 2 ** 26; // slots < 2^26 (67M pending events); generation in the high part of the id
const noop: EventHandler = () => {};

export class EventQueue {
  private ht: Float64Array; // heap: time
  private hx: Int32Array; // heap: slot
  private n = 0;
  private seqCounter = 0;
  private cap: number;
  // pool (struct of arrays); slot `cap` is the +Infinity sentinel
  private pseq: Float64Array;
  private parg: Float64Array;
  private pgen: Uint32Array;
  private plive: Uint8Array;
  private pfn: EventHandler[];
  private free: Int32Array;
  private nfree = 0;
  private liveCount = 0;

  constructor(initialCapacity = 1024) {
    this.cap = Math.max(16, initialCapacity | 0);
    this.ht = new Float64Array(this.cap + 2).fill(Infinity);
    this.hx = new Int32Array(this.cap + 2).fill(this.cap);
    this.pseq = new Float64Array(this.cap + 1);
    this.parg = new Float64Array(this.cap + 1);
    this.pgen = new Uint32Array(this.cap + 1);
    this.plive = new Uint8Array(this.cap + 1);
    this.pfn = new Array<EventHandler>(this.cap + 1).fill(noop);
    this.pseq[this.cap] = Infinity;
    this.free = new Int32Array(this.cap);
    for (let x = this.cap - 1; x >= 0; x--) this.free[this.nfree++] = x;
  }

  /** Number of live (not cancelled) pending events. */
  get size(): number {
    return this.liveCount;
  }

  /** Time of the earliest pending entry (live or not yet dropped), +Infinity when empty. */
  peekTime(): number {
    this.dropDeadTop();
    return this.ht[0]!;
  }

  push(t: number, fn: EventHandler, arg: number): number {
    if (this.nfree === 0) this.grow();
    const x = this.free[--this.nfree]!;
    this.pseq[x] = this.seqCounter++;
    this.parg[x] = arg;
    this.pfn[x] = fn;
    this.plive[x] = 1;
    this.liveCount++;
    this.siftUp(this.n++, t, x);
    return this.pgen[x]! * SLOT_BITS + x;
  }

  cancel(id: number): boolean {
    const x = id % SLOT_BITS;
    const gen = (id - x) / SLOT_BITS;
    if (x < 0 || x >= this.cap || this.pgen[x] !== gen || this.plive[x] === 0) return false;
    this.plive[x] = 0;
    this.pfn[x] = noop; // let the closure be collected now
    this.liveCount--;
    return true;
  }

  /** Removes the earliest live event and returns its slot, or -1 when none is pending. */
  pop(): number {
    for (;;) {
      if (this.n === 0) return -1;
      const x = this.popTop();
      if (this.plive[x] === 1) {
        this.liveCount--;
        return x;
      }
      this.release(x);
    }
  }

  /**
   * Like `pop`, but only an event due at or before `until`: -1 when none is pending or the earliest is
   * later (the kernel's loop: one look at the top instead of a peek and a pop).
   */
  popUntil(until: number): number {
    this.dropDeadTop();
    if (this.n === 0 || this.ht[0]! > until) return -1;
    this.liveCount--;
    return this.popTop();
  }

  /** Time of a slot returned by `pop` (it is the time the heap held; read before `release`). */
  lastPoppedTime = 0;

  fnOf(x: number): EventHandler {
    return this.pfn[x]!;
  }

  argOf(x: number): number {
    return this.parg[x]!;
  }

  /**
   * Frees slot x. Its handler stays referenced until the slot is reused (at most the pool's size of
   * them), which saves a store per event; `cancel` drops it at once.
   */
  release(x: number): void {
    this.plive[x] = 0;
    this.pgen[x] = (this.pgen[x]! + 1) >>> 0;
    this.free[this.nfree++] = x;
  }

  private dropDeadTop(): void {
    while (this.n > 0 && this.plive[this.hx[0]!] === 0) this.release(this.popTop());
  }

  private popTop(): number {
    const ht = this.ht, hx = this.hx, pseq = this.pseq;
    const t = ht[0]!, x0 = hx[0]!;
    const n = --this.n;
    const lt = ht[n]!, lx = hx[n]!;
    ht[n] = Infinity;
    hx[n] = this.cap;
    let i = 0;
    for (;;) {
      const c = 2 * i + 1;
      if (c >= n) break;
      const l = ht[c]!, r = ht[c + 1]!;
      let d = ((r < l) as unknown as number) | 0;
      if (r === l) d = ((pseq[hx[c + 1]!]! < pseq[hx[c]!]!) as unknown as number) | 0;
      const m = c + d;
      ht[i] = ht[m]!;
      hx[i] = hx[m]!;
      i = m;
    }
    if (i !== n) this.siftUp(i, lt, lx);
    this.lastPoppedTime = t;
    return x0;
  }

  private siftUp(i: number, t: number, x: number): void {
    const ht = this.ht, hx = this.hx, pseq = this.pseq;
    const s = pseq[x]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = ht[p]!;
      if (t < pt || (t === pt && s < pseq[hx[p]!]!)) {
        ht[i] = pt;
        hx[i] = hx[p]!;
        i = p;
      } else break;
    }
    ht[i] = t;
    hx[i] = x;
  }

  private grow(): void {
    const old = this.cap;
    const cap = old * 2;
    if (cap >= SLOT_BITS) throw new Error(`event queue: more than ${SLOT_BITS - 1} pending events`);
    const ht = new Float64Array(cap + 2).fill(Infinity);
    ht.set(this.ht.subarray(0, this.n));
    const hx = new Int32Array(cap + 2).fill(cap);
    hx.set(this.hx.subarray(0, this.n));
    const grown = <T extends Float64Array | Uint32Array | Uint8Array>(a: T, make: (len: number) => T): T => {
      const b = make(cap + 1);
      b.set(a.subarray(0, old));
      return b;
    };
    this.pseq = grown(this.pseq, (l) => new Float64Array(l));
    this.pseq[cap] = Infinity;
    this.parg = grown(this.parg, (l) => new Float64Array(l));
    this.pgen = grown(this.pgen, (l) => new Uint32Array(l));
    this.plive = grown(this.plive, (l) => new Uint8Array(l));
    const pfn = this.pfn.slice(0, old);
    for (let x = old; x <= cap; x++) pfn.push(noop);
    this.pfn = pfn;
    this.ht = ht;
    this.hx = hx;
    this.cap = cap;
    const free = new Int32Array(cap);
    free.set(this.free.subarray(0, this.nfree));
    this.free = free;
    for (let x = cap - 1; x >= old; x--) this.free[this.nfree++] = x;
  }
}
