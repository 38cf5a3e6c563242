import { EventQueue, type EventHandler } from './queue.js';

export type { EventHandler } from './queue.js';

/** Options of `Simulation.run`. */
export interface RunOptions {
  /** Run every event with time <= until, then leave the clock at `until`. Default: until the queue is empty. */
  until?: number;
  /** Stop after this many events (a safety valve for runaway models). */
  maxEvents?: number;
}

/** Thrown when the clock stops advancing: a model that schedules events at one instant forever. */
export class SimulationStuckError extends Error {
  override name = 'SimulationStuckError';
}

/**
 * The discrete-event kernel: a clock and a future-event list. It knows nothing of Kubernetes.
 *
 * Contract:
 * - Time is float64 seconds, starting at `startTime` (0), and never goes backwards.
 * - Events run in (time, scheduling order): same-time events are FIFO.
 * - A handler receives the numeric argument it was scheduled with; closures work too.
 * - `cancel` is O(1) and returns whether a pending event was cancelled.
 * - `run` throws SimulationStuckError when more than `maxEventsPerInstant` events run at one instant
 *   (a model looping without time advancing), instead of hanging.
 */
export class Simulation {
  private readonly queue = new EventQueue();
  /**
   * The clock, in a one-element typed array: V8 stores a double written to an object field as a new
   * heap number (one allocation per event, half the kernel's garbage); a typed array stores it in place.
   */
  private readonly clock = new Float64Array(1);
  private processed = 0;
  private stopped = false;
  private instant = Number.NaN;
  private atInstant = 0;
  /** Most events that may run at one instant before `run` gives up with SimulationStuckError. */
  readonly maxEventsPerInstant: number;

  /**
   * `startTime` (default 0) is where the clock starts; a negative start lets a model settle before
   * t = 0 (a warm start) while everything measured happens at t >= 0.
   */
  constructor(options: { startTime?: number; maxEventsPerInstant?: number } = {}) {
    const start = options.startTime ?? 0;
    if (!Number.isFinite(start)) throw new RangeError(`startTime must be finite, got ${start}`);
    this.clock[0] = start;
    this.maxEventsPerInstant = options.maxEventsPerInstant ?? 10_000_000;
  }

  /** The current simulated time in seconds. */
  get now(): number {
    return this.clock[0]!;
  }

  /** Events executed so far. */
  get eventsProcessed(): number {
    return this.processed;
  }

  /** Live pending events. */
  get pending(): number {
    return this.queue.size;
  }

  /** Schedules `fn(arg)` at absolute time `at` (>= now). Returns an id for `cancel`. */
  schedule(at: number, fn: EventHandler, arg = 0): number {
    if (!(at >= this.clock[0]!)) {
      throw new RangeError(`cannot schedule at t=${at}: the clock is at ${this.clock[0]}`);
    }
    return this.queue.push(at, fn, arg);
  }

  /** Schedules `fn(arg)` after `delay` (>= 0) seconds. */
  after(delay: number, fn: EventHandler, arg = 0): number {
    if (!(delay >= 0)) throw new RangeError(`delay must be a non-negative number, got ${delay}`);
    return this.queue.push(this.clock[0]! + delay, fn, arg);
  }

  /** Cancels a pending event; false when it already ran, was cancelled, or never existed. */
  cancel(id: number): boolean {
    return this.queue.cancel(id);
  }

  /** Time of the next pending event, or +Infinity. */
  peek(): number {
    return this.queue.peekTime();
  }

  /** Runs the next event. Returns false when there is none. */
  step(): boolean {
    const q = this.queue;
    const x = q.pop();
    if (x < 0) return false;
    const fn = q.fnOf(x), arg = q.argOf(x);
    this.clock[0] = q.lastPoppedTime;
    q.release(x);
    this.processed++;
    fn(arg);
    return true;
  }

  /** Makes `run` return after the current event. */
  stop(): void {
    this.stopped = true;
  }

  /** Runs events in order; returns the number executed by this call. */
  run(options: RunOptions = {}): number {
    const until = options.until ?? Infinity;
    const maxEvents = options.maxEvents ?? Infinity;
    if (!(until >= this.clock[0]!)) throw new RangeError(`run until ${until} is before now (${this.clock[0]})`);
    const q = this.queue;
    const start = this.processed;
    this.stopped = false;
    while (!this.stopped && this.processed - start < maxEvents) {
      const x = q.popUntil(until);
      if (x < 0) break;
      const fn = q.fnOf(x), arg = q.argOf(x);
      const t = q.lastPoppedTime;
      if (t === this.instant) {
        if (++this.atInstant > this.maxEventsPerInstant) {
          q.release(x);
          throw new SimulationStuckError(`the simulation is stuck: more than ${this.maxEventsPerInstant} events at t=${t}s without time advancing`);
        }
      } else {
        this.instant = t;
        this.atInstant = 0;
      }
      this.clock[0] = t;
      q.release(x);
      this.processed++;
      fn(arg);
    }
    if (until !== Infinity && !this.stopped && this.processed - start < maxEvents) this.clock[0] = until;
    return this.processed - start;
  }
}
