import { constant, exponential } from '../../engine/kernel/distributions.js';
import type { RequestSink } from '../../engine/traffic/dataplane.js';
import { OUTCOME_COUNT } from '../../engine/metrics/outcomes.js';

/** A sink that keeps batch means of latency (ok requests sent after `warmup`) and outcome counts. */
export class BatchSink implements RequestSink {
  readonly outcomes = new Array<number>(OUTCOME_COUNT).fill(0);
  readonly perPod: number[] = [];
  readonly latencies: number[] = [];
  private readonly sums: number[];
  private readonly counts: number[];
  constructor(private readonly warmup: number, private readonly end: number, readonly batches = 20, private readonly keep = false) {
    this.sums = new Array<number>(batches).fill(0);
    this.counts = new Array<number>(batches).fill(0);
  }
  request(sentAt: number, endedAt: number, outcome: number, pod: number): void {
    this.outcomes[outcome]!++;
    if (pod >= 0) this.perPod[pod] = (this.perPod[pod] ?? 0) + 1;
    if (outcome !== 0 || sentAt < this.warmup) return;
    const b = Math.min(this.batches - 1, Math.floor(((sentAt - this.warmup) / (this.end - this.warmup)) * this.batches));
    this.sums[b]! += endedAt - sentAt;
    this.counts[b]!++;
    if (this.keep) this.latencies.push(endedAt - sentAt);
  }
  get total(): number {
    return this.outcomes.reduce((a, b) => a + b, 0);
  }
  /** Mean latency and the half-width of its 99.9% confidence interval from batch means (t ≈ 3.88, 19 dof). */
  mean(): { mean: number; half: number } {
    const means = this.sums.map((s, i) => s / this.counts[i]!);
    const m = means.reduce((a, b) => a + b, 0) / means.length;
    const sd = Math.sqrt(means.reduce((a, b) => a + (b - m) ** 2, 0) / (means.length - 1));
    return { mean: m, half: (3.883 * sd) / Math.sqrt(means.length) };
  }
}

export { behavior, iptables, openClient, servicePlane } from '../../bench/service-model.js';
export { exponential, constant };
