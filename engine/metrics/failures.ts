import { OK, OUTCOME_COUNT, OUTCOMES, type FailureOutcome } from './outcomes.js';

/**
 * Where and when failed requests ended, for attributing them to causes (engine/run/findings.ts).
 * Knows nothing of Kubernetes: a failed request is (outcome, pod index or −1, client index, end time).
 *
 * Contract:
 * - Each failed request is counted in exactly one window: the window of its (outcome, pod) — or, when
 *   it reached no pod, of its (outcome, client) — that it extends. A window grows while failures
 *   follow each other within `gap` seconds; a longer pause opens a new one.
 * - `record` is O(1) amortised and allocation-free except when a key sees its first failure or opens a
 *   window. Memory is bounded by keys × `maxWindows`, never by requests: once a key holds `maxWindows`
 *   windows its last one absorbs the rest (its span then covers the pauses).
 */
export interface FailureWindow {
  outcome: FailureOutcome;
  /** Pod index, or −1 for failures that reached no pod. */
  pod: number;
  /** Client index for failures that reached no pod; −1 otherwise. */
  client: number;
  /** End time of the first and last failure in the window (seconds). */
  from: number;
  to: number;
  count: number;
}

interface KeyWindows {
  from: number[];
  to: number[];
  count: number[];
}

/** Default pause (s) that separates two windows of one key. */
export const FAILURE_WINDOW_GAP = 5;
/** Default most windows one key keeps. */
export const FAILURE_MAX_WINDOWS = 32;

export class FailureLog {
  private readonly keys = new Map<number, KeyWindows>();

  constructor(
    private readonly gap = FAILURE_WINDOW_GAP,
    private readonly maxWindows = FAILURE_MAX_WINDOWS,
  ) {}

  /** Records a failed request (outcome index ≠ ok) that ended at `t`. */
  record(outcome: number, pod: number, client: number, t: number): void {
    if (outcome === OK) return;
    // pods ≥ 0 map to even slots, clients to odd ones: one numeric key per (outcome, pod | client)
    const key = (pod >= 0 ? 2 * pod : 2 * client + 1) * OUTCOME_COUNT + outcome;
    let w = this.keys.get(key);
    if (w === undefined) {
      w = { from: [t], to: [t], count: [1] };
      this.keys.set(key, w);
      return;
    }
    const last = w.to.length - 1;
    if (t - w.to[last]! <= this.gap || w.to.length >= this.maxWindows) {
      if (t > w.to[last]!) w.to[last] = t;
      w.count[last]!++;
    } else {
      w.from.push(t);
      w.to.push(t);
      w.count.push(1);
    }
  }

  /** Every window, ordered by start time, then outcome, then pod/client (deterministic). */
  windows(): FailureWindow[] {
    const out: FailureWindow[] = [];
    for (const [key, w] of this.keys) {
      const outcome = key % OUTCOME_COUNT;
      const slot = (key - outcome) / OUTCOME_COUNT;
      const pod = slot % 2 === 0 ? slot / 2 : -1;
      const client = slot % 2 === 1 ? (slot - 1) / 2 : -1;
      for (let i = 0; i < w.from.length; i++) {
        out.push({ outcome: OUTCOMES[outcome] as FailureOutcome, pod, client, from: w.from[i]!, to: w.to[i]!, count: w.count[i]! });
      }
    }
    return out.sort((a, b) => a.from - b.from || OUTCOMES.indexOf(a.outcome) - OUTCOMES.indexOf(b.outcome) || a.pod - b.pod || a.client - b.client);
  }

  /** Stored window cells (for memory checks). */
  footprint(): number {
    let n = 0;
    for (const w of this.keys.values()) n += w.from.length;
    return n;
  }
}
