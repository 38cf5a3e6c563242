import { LatencyHistogram } from './histogram.js';
import { OK, OUTCOME_COUNT, OUTCOME_INDEX, OUTCOMES, outcomeRecord, type Outcome } from './outcomes.js';
import { rolloutStatsOf, type MetricsSnapshot, type RolloutStats } from './slo.js';
import { TimeSeries, type TimeSeriesJSON } from './timeseries.js';

/** Options of a run's recorder. */
export interface RecorderOptions {
  /** Simulated run length in seconds (sizes the time series). */
  duration: number;
  /** Time-series bucket width in seconds. Default 1. */
  interval?: number;
}

/** Latency statistics over ok requests, in milliseconds rounded to 3 decimals; null without ok requests. */
export interface LatencyMsJSON {
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
}

/** A run's metrics as plain JSON: the report pieces plus what exact merging needs. */
export interface RunMetricsJSON {
  requests: { total: number; ok: number; failed: number; byOutcome: Record<Outcome, number> };
  /** ok / total; null when there were no requests (an SLO on it then fails with a reason). */
  availability: number | null;
  latencyMs: LatencyMsJSON;
  /** The ok-latency HDR histogram, compressed base64 (`LatencyHistogram.encode`). */
  latencyHistogram: string;
  /** Requests routed to each pod, by the caller's pod index (length = highest index + 1). */
  pods: number[];
  /** Rollout figures, null when no rollout happened. */
  rollout: RolloutStats | null;
  timeseries: TimeSeriesJSON;
}

const INITIAL_PODS = 16;
/** Pod indexes must stay below this (they index a dense array). */
export const MAX_POD_INDEX = 1 << 20;

/**
 * Measurement of one simulation run. Knows nothing of Kubernetes: it receives times, outcome names or
 * indexes, pod indexes and gauge values.
 *
 * Contract:
 * - `request` is O(1) and allocation-free (except when a new highest pod index doubles the pod array).
 *   Memory is fixed by the duration (time series), one HDR histogram (≈184 KiB) and the highest pod
 *   index, never by the number of requests.
 * - Latency is `endedAt − sentAt` from the intended send time (no coordinated omission), recorded for
 *   ok requests only, in the histogram and in the bucket of `endedAt`.
 * - Every request counts once in `total` and once under its outcome: total = Σ byOutcome, failed =
 *   total − ok.
 * - `availability` is ok / total, null when total = 0.
 */
export class Recorder {
  /** Latency of ok requests over the whole run. */
  readonly latency = new LatencyHistogram();
  /** Per-bucket counts, latency cells and gauges. */
  readonly series: TimeSeries;
  private readonly outcomes = new Float64Array(OUTCOME_COUNT);
  private requests = 0;
  private pods = new Float64Array(INITIAL_PODS);
  private podCount = 0;
  private rollout: RolloutStats | undefined;

  constructor(options: RecorderOptions) {
    this.series = new TimeSeries(options);
  }

  /**
   * Records one request sent (intended) at `sentAt` that ended at `endedAt` (seconds) with `outcome`
   * (a name or its `OUTCOME_INDEX`), routed to pod index `pod` (omit or −1 when it reached no pod).
   */
  request(sentAt: number, endedAt: number, outcome: Outcome | number, pod = -1): void {
    const o = typeof outcome === 'number' ? outcome : OUTCOME_INDEX[outcome];
    if (!(o >= 0 && o < OUTCOME_COUNT && o === Math.floor(o))) throw new RangeError(`unknown outcome ${String(outcome)}`);
    const latency = endedAt - sentAt;
    if (!(latency >= 0)) throw new RangeError(`request ended at ${endedAt}s before it was sent at ${sentAt}s`);
    if (pod >= 0 && ((pod | 0) !== pod || pod >= this.pods.length)) this.growPods(pod);
    this.requests++;
    this.outcomes[o]!++;
    if (o === OK) {
      const us = Math.round(latency * 1e6); // once, for the histogram and the series cell
      this.latency.recordMicros(us);
      this.series.requestMicros(endedAt, o, us);
    } else {
      this.series.request(endedAt, o);
    }
    if (pod >= 0) {
      this.pods[pod]!++;
      if (pod >= this.podCount) this.podCount = pod + 1;
    }
  }

  /** Sets a gauge from time t on (see `TimeSeries.setGauge`), e.g. `pods/v2/ready`, `endpoints/web`. */
  setGauge(name: string, t: number, value: number): void {
    this.series.setGauge(name, t, value);
  }

  /** Sets the run's rollout figures (undefined: no rollout happened). */
  setRollout(stats: RolloutStats | undefined): void {
    this.rollout = stats;
  }

  /** Requests recorded so far. */
  get total(): number {
    return this.requests;
  }

  /** Requests that ended with `outcome`. */
  count(outcome: Outcome): number {
    return this.outcomes[OUTCOME_INDEX[outcome]]!;
  }

  /** Requests routed to pod index `pod`. */
  podRequests(pod: number): number {
    return pod >= 0 && pod < this.podCount ? this.pods[pod]! : 0;
  }

  /** A view for SLO evaluation; its latency reads the live histogram. */
  snapshot(): MetricsSnapshot {
    const byOutcome = outcomeRecord((_, i) => this.outcomes[i]!);
    const ok = byOutcome.ok;
    const h = this.latency;
    return {
      requests: { total: this.requests, ok, failed: this.requests - ok, byOutcome },
      availability: this.requests === 0 ? null : ok / this.requests,
      latency: { count: h.count, mean: h.mean, min: h.min, max: h.max, percentile: (p) => h.percentile(p) },
      rollout: this.rollout,
    };
  }

  /** Storage sizes in elements (fixed by duration, gauges and pods; for memory checks). */
  footprint(): { histogramCells: number; seriesCells: number; podCells: number; outcomeCells: number } {
    return {
      histogramCells: this.latency.cells,
      seriesCells: this.series.footprint(),
      podCells: this.pods.length,
      outcomeCells: this.outcomes.length,
    };
  }

  /** The run's metrics as plain JSON; byte-stable for the same input. */
  toJSON(): RunMetricsJSON {
    const s = this.snapshot();
    return {
      requests: s.requests as RunMetricsJSON['requests'],
      availability: s.availability,
      latencyMs: latencyMsOf(this.latency),
      latencyHistogram: this.latency.encode(),
      pods: Array.from(this.pods.subarray(0, this.podCount)),
      rollout: this.rollout ?? null,
      timeseries: this.series.toJSON(),
    };
  }

  /** Validates a pod index and makes room for it. */
  private growPods(pod: number): void {
    if (!(pod < MAX_POD_INDEX && pod === Math.floor(pod))) {
      throw new RangeError(`pod index must be an integer below ${MAX_POD_INDEX}, got ${pod}`);
    }
    let n = this.pods.length;
    while (n <= pod) n *= 2;
    const next = new Float64Array(n);
    next.set(this.pods);
    this.pods = next;
  }
}

function latencyMsOf(h: LatencyHistogram): LatencyMsJSON {
  return {
    mean: ms(h.mean),
    p50: ms(h.percentile(50)),
    p90: ms(h.percentile(90)),
    p95: ms(h.percentile(95)),
    p99: ms(h.percentile(99)),
    p999: ms(h.percentile(99.9)),
    max: ms(h.max),
  };
}

function ms(seconds: number | null): number | null {
  return seconds === null ? null : Math.round(seconds * 1e6) / 1e3;
}

/** A snapshot of run metrics JSON (one run or merged), for SLO evaluation. */
export function snapshotOf(json: RunMetricsJSON): MetricsSnapshot {
  const h = LatencyHistogram.decode(json.latencyHistogram);
  return {
    requests: { ...json.requests, byOutcome: { ...json.requests.byOutcome } },
    availability: json.availability,
    latency: { count: h.count, mean: h.mean, min: h.min, max: h.max, percentile: (p) => h.percentile(p) },
    rollout: json.rollout ?? undefined,
  };
}

/** The pooled request counts and latency of runs (no series, no histogram: what a variant's summary needs). */
export type PooledTotals = Pick<RunMetricsJSON, 'requests' | 'availability' | 'latencyMs'>;

/**
 * Pools the counts and latency histograms of runs: integer sums, so the result does not depend on the
 * order of the parts; latency figures and availability are recomputed from the pooled data. One run
 * is its own pool (its figures come from the same counters).
 */
export function poolTotals(parts: readonly RunMetricsJSON[]): PooledTotals {
  if (parts.length === 1) {
    const p = parts[0]!;
    return { requests: p.requests, availability: p.availability, latencyMs: p.latencyMs };
  }
  const { requests, availability, h } = pool(parts);
  return { requests, availability, latencyMs: latencyMsOf(h) };
}

function pool(parts: readonly RunMetricsJSON[]): { requests: RunMetricsJSON['requests']; availability: number | null; h: LatencyHistogram } {
  const byOutcome = outcomeRecord(() => 0);
  const h = new LatencyHistogram();
  for (const p of parts) {
    for (const o of OUTCOMES) byOutcome[o] += p.requests.byOutcome[o];
    h.merge(LatencyHistogram.decode(p.latencyHistogram));
  }
  const total = OUTCOMES.reduce((sum, o) => sum + byOutcome[o], 0);
  return { requests: { total, ok: byOutcome.ok, failed: total - byOutcome.ok, byOutcome }, availability: total === 0 ? null : byOutcome.ok / total, h };
}

/**
 * Pools runs (replications or shards, all of the same duration and interval) into one: counts and
 * histograms as `poolTotals`, plus pods and time series, added exactly. Rollout figures combine worst-case (`rolloutStatsOf`).
 * Throws a RangeError for no parts or mismatched series.
 */
export function mergeRunMetrics(parts: readonly RunMetricsJSON[]): RunMetricsJSON {
  const first = parts[0];
  if (first === undefined) throw new RangeError('mergeRunMetrics needs at least one part');
  const pods: number[] = [];
  const series = TimeSeries.fromJSON(first.timeseries);
  const rollouts: { durationS: number | null; minAvailable: number; maxPods: number }[] = [];
  parts.forEach((p, i) => {
    p.pods.forEach((n, k) => (pods[k] = (pods[k] ?? 0) + n));
    if (i > 0) series.merge(TimeSeries.fromJSON(p.timeseries));
    if (p.rollout !== null) rollouts.push({ ...p.rollout, durationS: p.rollout.duration });
  });
  const { requests, availability, h } = pool(parts);
  return {
    requests,
    availability,
    latencyMs: latencyMsOf(h),
    latencyHistogram: h.encode(),
    pods,
    rollout: rolloutStatsOf(rollouts) ?? null,
    timeseries: series.toJSON(),
  };
}
