import type { Simulation } from '../kernel/simulation.js';

/**
 * Client timeouts of one client population. Every attempt of a population has the same timeout, so
 * deadlines arrive in send order: a FIFO ring of (deadline, request, serial) with ONE kernel event armed
 * for the head replaces a heap entry per request. Attempts that end earlier are dropped lazily once
 * they reach the head (their serial no longer matches), on each start and when the timer fires. Memory
 * is bounded by the attempts started since the oldest one still waiting (at worst one timeout window);
 * the kernel's heap stays small however long the timeout.
 */
export class TimeoutQueue {
  private deadline = new Float64Array(64);
  private req = new Int32Array(64);
  private serial = new Float64Array(64);
  private head = 0;
  private len = 0;
  private armedAt = Infinity;
  private readonly fire: () => void;

  constructor(
    private readonly sim: Simulation,
    readonly timeout: number,
    /** Whether (r, serial) is still waiting; if so it is timed out by `expire`. */
    private readonly isCurrent: (r: number, serial: number) => boolean,
    private readonly expire: (r: number) => void,
  ) {
    this.fire = () => this.onFire();
  }

  /** Starts the timeout of attempt (r, serial) now. A timeout of Infinity never fires. */
  start(r: number, serial: number): void {
    if (this.timeout === Infinity) return;
    this.dropEnded();
    if (this.len === this.deadline.length) this.grow();
    const cap = this.deadline.length;
    const i = (this.head + this.len) & (cap - 1);
    const d = this.sim.now + this.timeout;
    this.deadline[i] = d;
    this.req[i] = r;
    this.serial[i] = serial;
    this.len++;
    if (this.armedAt === Infinity) this.arm(d);
  }

  /** Entries held (live or already ended), for memory accounting. */
  get size(): number {
    return this.len;
  }

  /**
   * Pops the attempts at the head that already ended: each entry is popped once, so this is O(1)
   * amortised, and the ring holds only what lies between the oldest waiting attempt and the newest
   * (a few in flight under normal load) instead of every attempt started within one timeout window.
   */
  private dropEnded(): void {
    const cap = this.deadline.length;
    while (this.len > 0 && !this.isCurrent(this.req[this.head]!, this.serial[this.head]!)) {
      this.head = (this.head + 1) & (cap - 1);
      this.len--;
    }
  }

  private arm(at: number): void {
    this.armedAt = at;
    this.sim.schedule(at, this.fire);
  }

  private onFire(): void {
    this.armedAt = Infinity;
    const now = this.sim.now;
    const cap = this.deadline.length;
    while (this.len > 0) {
      // skip entries whose attempt already ended
      const h = this.head;
      if (!this.isCurrent(this.req[h]!, this.serial[h]!)) {
        this.head = (h + 1) & (cap - 1);
        this.len--;
        continue;
      }
      if (this.deadline[h]! > now) break;
      const r = this.req[h]!;
      this.head = (h + 1) & (cap - 1);
      this.len--;
      this.expire(r);
    }
    if (this.len > 0) this.arm(this.deadline[this.head]!);
  }

  private grow(): void {
    const cap = this.deadline.length, ncap = cap * 2;
    const d = new Float64Array(ncap), r = new Int32Array(ncap), s = new Float64Array(ncap);
    for (let j = 0; j < this.len; j++) {
      const i = (this.head + j) & (cap - 1);
      d[j] = this.deadline[i]!;
      r[j] = this.req[i]!;
      s[j] = this.serial[i]!;
    }
    this.deadline = d;
    this.req = r;
    this.serial = s;
    this.head = 0;
  }
}
