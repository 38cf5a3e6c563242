import type { Simulation } from '../kernel/simulation.js';

/**
 * A controller's work queue: keys are synced after a reaction delay, and a key already waiting is not
 * queued twice (changes coalesce, as with client-go's work queue). Syncs are level-triggered: the
 * handler re-reads the store, so coalescing loses nothing.
 */
export class WorkQueue {
  private readonly waiting = new Set<string>();

  constructor(
    private readonly sim: Simulation,
    private readonly delay: () => number,
    private readonly sync: (key: string) => void,
  ) {}

  /** Syncs `key` after the reaction delay unless a sync of it is already waiting. */
  add(key: string): void {
    if (this.waiting.has(key)) return;
    this.waiting.add(key);
    this.sim.after(this.delay(), () => {
      this.waiting.delete(key);
      this.sync(key);
    });
  }

  /** Adds `key` after `seconds` (client-go's AddAfter: a requeue, e.g. to re-check a deadline). */
  addAfter(key: string, seconds: number): void {
    this.sim.after(Math.max(0, seconds), () => this.add(key));
  }
}
