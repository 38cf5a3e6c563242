import { FAILURE_OUTCOMES, type FailureOutcome } from '../metrics/outcomes.js';
import { poolTotals, type LatencyMsJSON, type RunMetricsJSON } from '../metrics/recorder.js';

/**
 * Statistics over replications (issue 6): per variant, the mean and 95% confidence interval of each
 * metric; per variant against the baseline (the first variant), the paired difference over the same
 * replications — common random numbers make it far tighter than comparing independent runs — with its
 * 95% CI and a verdict, and the unpaired (Welch) interval for comparison.
 *
 * Intervals are Student t intervals: mean ± t(0.975, n − 1) · s / √n, with the t quantile computed
 * exactly (inverse of the regularized incomplete beta function, solved by bisection to full double
 * precision), so small n gets the right width (n = 2: ±12.706 s/√2). n < 2 has no interval (null).
 *
 * Pure functions; the JSON pieces are rounded (per unit, below) so report.json is byte-stable.
 */

export const CONFIDENCE = 0.95;

// ---------------------------------------------------------------------------------------------
// Special functions

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error ~1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const TINY = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** The regularized upper incomplete gamma function Q(a, x). */
function upperGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    // Series for P(a, x).
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
    }
    return 1 - sum * front;
  }
  // Continued fraction for Q(a, x) (modified Lentz).
  const TINY = 1e-300;
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return front * h;
}

/** P(T > t) for Student's t with `df` degrees of freedom (t ≥ 0); df = Infinity is the normal. */
export function studentTUpperTail(t: number, df: number): number {
  if (t < 0) return 1 - studentTUpperTail(-t, df);
  if (!Number.isFinite(df)) return 0.5 * upperGamma(0.5, (t * t) / 2);
  return 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** Above this many degrees of freedom the t quantile is the normal's plus its first correction term. */
const LARGE_DF = 1e5;
const quantileCache = new Map<string, number>();

/**
 * The p-quantile of Student's t with `df` > 0 degrees of freedom (real df allowed, as Welch needs;
 * Infinity gives the normal quantile). Solved by bisection on the exact tail to full precision.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`quantile probability must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive, got ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  if (Number.isFinite(df) && df > LARGE_DF) {
    const z = studentTQuantile(p, Infinity);
    return z + (z * z * z + z) / (4 * df); // Cornish–Fisher; the next term is O(1/df²) < 1e-9
  }
  const cacheKey = `${p}/${df}`;
  const cached = quantileCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const q = 1 - p;
  let lo = 0;
  let hi = 1;
  while (studentTUpperTail(hi, df) > q) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTUpperTail(mid, df) > q) lo = mid;
    else hi = mid;
  }
  const out = (lo + hi) / 2;
  if (quantileCache.size < 10_000) quantileCache.set(cacheKey, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Estimates

/** A sample's mean with its confidence interval (null without values; ci null for n < 2). */
export interface Estimate {
  n: number;
  mean: number | null;
  /** Sample standard deviation (n − 1); null for n < 2. */
  sd: number | null;
  ci: [number, number] | null;
}

function finite(values: readonly (number | null | undefined)[]): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

function meanOf(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

function sdOf(xs: readonly number[], mean: number): number {
  let s = 0;
  for (const x of xs) s += (x - mean) * (x - mean);
  return Math.sqrt(s / (xs.length - 1));
}

/** Mean and Student t confidence interval of the finite values (nulls and NaNs are left out). */
export function meanInterval(values: readonly (number | null | undefined)[], level = CONFIDENCE): Estimate {
  const xs = finite(values);
  const n = xs.length;
  if (n === 0) return { n, mean: null, sd: null, ci: null };
  const mean = meanOf(xs);
  if (n === 1) return { n, mean, sd: null, ci: null };
  const sd = sdOf(xs, mean);
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, sd, ci: [mean - half, mean + half] };
}

/**
 * The paired difference `variant − baseline` over replications present (finite) in both; the arrays
 * are aligned by replication. Its interval is the t interval of the per-replication differences.
 */
export function pairedDifference(baseline: readonly (number | null | undefined)[], variant: readonly (number | null | undefined)[], level = CONFIDENCE): Estimate {
  const diffs: number[] = [];
  const n = Math.min(baseline.length, variant.length);
  for (let i = 0; i < n; i++) {
    const b = baseline[i];
    const v = variant[i];
    if (typeof b === 'number' && typeof v === 'number' && Number.isFinite(b) && Number.isFinite(v)) diffs.push(v - b);
  }
  return meanInterval(diffs, level);
}

/** The unpaired difference of means `variant − baseline` with Welch's interval (Welch–Satterthwaite df). */
export function welchDifference(
  baseline: readonly (number | null | undefined)[],
  variant: readonly (number | null | undefined)[],
  level = CONFIDENCE,
): { n: [number, number]; mean: number | null; df: number | null; ci: [number, number] | null } {
  const a = finite(baseline);
  const b = finite(variant);
  const n: [number, number] = [a.length, b.length];
  if (a.length === 0 || b.length === 0) return { n, mean: null, df: null, ci: null };
  const ma = meanOf(a);
  const mb = meanOf(b);
  const mean = mb - ma;
  if (a.length < 2 || b.length < 2) return { n, mean, df: null, ci: null };
  const va = sdOf(a, ma) ** 2 / a.length;
  const vb = sdOf(b, mb) ** 2 / b.length;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { n, mean, df: a.length + b.length - 2, ci: [mean, mean] };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = studentTQuantile(1 - (1 - level) / 2, df) * se;
  return { n, mean, df, ci: [mean - half, mean + half] };
}

export type Direction = 'higher' | 'lower';
export type Verdict = 'better' | 'worse' | 'no significant difference';

/**
 * The verdict on a difference (variant − baseline) from its interval: better or worse when the interval
 * excludes 0, in the direction that is better for the metric; no interval → no significant difference.
 */
export function verdictOf(ci: readonly [number, number] | null, better: Direction): Verdict {
  if (ci === null) return 'no significant difference';
  const [low, high] = ci;
  const up = low > 0;
  const down = high < 0;
  if (!up && !down) return 'no significant difference';
  return up === (better === 'higher') ? 'better' : 'worse';
}

// ---------------------------------------------------------------------------------------------
// Metrics of a run

export type MetricId =
  | 'availability'
  | 'failures'
  | `failures.${FailureOutcome}`
  | 'latency.p50'
  | 'latency.p99'
  | 'rollout.duration';

export type MetricUnit = 'fraction' | 'requests' | 'ms' | 's';

export interface MetricDefinition {
  id: MetricId;
  /** For tables: "availability", "p99 latency", … */
  label: string;
  unit: MetricUnit;
  better: Direction;
  /** The run's value; null when it has none (no ok request, no completed rollout). */
  of: (m: RunMetricsJSON) => number | null;
}

/** The metrics aggregated and compared, in report order. */
export const METRICS: readonly MetricDefinition[] = [
  { id: 'availability', label: 'availability', unit: 'fraction', better: 'higher', of: (m) => m.availability },
  { id: 'failures', label: 'failed requests', unit: 'requests', better: 'lower', of: (m) => m.requests.failed },
  ...FAILURE_OUTCOMES.map(
    (o): MetricDefinition => ({ id: `failures.${o}`, label: `failed requests: ${o}`, unit: 'requests', better: 'lower', of: (m) => m.requests.byOutcome[o] }),
  ),
  { id: 'latency.p50', label: 'p50 latency', unit: 'ms', better: 'lower', of: (m) => m.latencyMs.p50 },
  { id: 'latency.p99', label: 'p99 latency', unit: 'ms', better: 'lower', of: (m) => m.latencyMs.p99 },
  // Over runs whose rollouts completed (a run without a rollout, or with one that never finished, has none).
  { id: 'rollout.duration', label: 'rollout duration', unit: 's', better: 'lower', of: (m) => m.rollout?.duration ?? null },
];

/** Decimals kept in report.json, by unit (fractions to 1e-8: one request in 10^8). */
export const DECIMALS: Readonly<Record<MetricUnit, number>> = { fraction: 8, requests: 3, ms: 3, s: 3 };

/** x rounded to `decimals` (no −0); null for null and non-finite values. */
export function round(x: number | null | undefined, decimals: number): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const f = 10 ** decimals;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r;
}

function roundPair(ci: readonly [number, number] | null, decimals: number): [number, number] | null {
  if (ci === null) return null;
  return [round(ci[0], decimals)!, round(ci[1], decimals)!];
}

// ---------------------------------------------------------------------------------------------
// report.json pieces

/** One replication's metrics (a RunResult fits). */
export interface ReplicationMetrics {
  replication: number;
  metrics: RunMetricsJSON;
}

/** A metric over a variant's replications: `variants[].summary.metrics[id]`. */
export interface EstimateJSON {
  /** Replications that had a value. */
  n: number;
  mean: number | null;
  sd: number | null;
  /** 95% confidence interval of the mean; null for n < 2. */
  ci95: [number, number] | null;
}

/** `variants[].summary` of report.json. */
export interface VariantSummaryJSON {
  /** Replications aggregated (runs that failed are not among them). */
  replications: number;
  confidence: number;
  metrics: Record<MetricId, EstimateJSON>;
  /** All replications pooled (exact: counts and histograms add): totals and pooled latency percentiles. */
  pooled: { requests: RunMetricsJSON['requests']; availability: number | null; latencyMs: LatencyMsJSON } | null;
}

/** One metric of a variant against the baseline. */
export interface MetricComparisonJSON {
  better: Direction;
  /** Replications in both (the pairs). */
  n: number;
  /** Means over the paired replications. */
  baseline: number | null;
  variant: number | null;
  /** Paired: mean of (variant − baseline) per replication, its sd and 95% CI. */
  difference: number | null;
  sd: number | null;
  ci95: [number, number] | null;
  /** difference / |baseline|; null when the baseline mean is 0 or missing. */
  relative: number | null;
  /** The same difference as independent samples (Welch), for comparison; df rounded to 0.01. */
  unpaired: { n: [number, number]; difference: number | null; df: number | null; ci95: [number, number] | null };
  verdict: Verdict;
  /** Why there is no interval (fewer than 2 pairs), when there is none. */
  reason?: string;
}

/** One variant against the baseline. */
export interface VariantComparisonJSON {
  variant: string;
  /** Replications present for both (paired). */
  pairs: number;
  metrics: Record<MetricId, MetricComparisonJSON>;
}

/** `scenarios[].comparison` of report.json. */
export interface ComparisonJSON {
  baseline: string;
  confidence: number;
  /** Every variant but the baseline, in variant order. */
  variants: VariantComparisonJSON[];
}

function byReplication(runs: readonly ReplicationMetrics[]): ReplicationMetrics[] {
  return [...runs].sort((a, b) => a.replication - b.replication);
}

/** `variants[].summary`: mean ± 95% CI of each metric over the replications, and the pooled figures. */
export function summarizeVariant(runs: readonly ReplicationMetrics[]): VariantSummaryJSON {
  const sorted = byReplication(runs);
  const metrics = {} as Record<MetricId, EstimateJSON>;
  for (const def of METRICS) {
    const e = meanInterval(sorted.map((r) => def.of(r.metrics)));
    const d = DECIMALS[def.unit];
    metrics[def.id] = { n: e.n, mean: round(e.mean, d), sd: round(e.sd, d), ci95: roundPair(e.ci, d) };
  }
  let pooled: VariantSummaryJSON['pooled'] = null;
  if (sorted.length > 0) {
    const m = poolTotals(sorted.map((r) => r.metrics));
    pooled = { requests: m.requests, availability: round(m.availability, DECIMALS.fraction), latencyMs: m.latencyMs };
  }
  return { replications: sorted.length, confidence: CONFIDENCE, metrics, pooled };
}

/**
 * `scenarios[].comparison`: every variant against the first (the baseline), paired by replication
 * number. Null with fewer than two variants.
 */
export function compareVariants(variants: readonly { name: string; runs: readonly ReplicationMetrics[] }[]): ComparisonJSON | null {
  const base = variants[0];
  if (base === undefined || variants.length < 2) return null;
  const baseRuns = new Map(base.runs.map((r) => [r.replication, r.metrics]));
  return {
    baseline: base.name,
    confidence: CONFIDENCE,
    variants: variants.slice(1).map((v) => {
      const runs = byReplication(v.runs);
      const paired = runs.filter((r) => baseRuns.has(r.replication));
      const metrics = {} as Record<MetricId, MetricComparisonJSON>;
      for (const def of METRICS) {
        metrics[def.id] = compareMetric(
          def,
          paired.map((r) => def.of(baseRuns.get(r.replication)!)),
          paired.map((r) => def.of(r.metrics)),
          byReplication(base.runs).map((r) => def.of(r.metrics)),
          runs.map((r) => def.of(r.metrics)),
        );
      }
      return { variant: v.name, pairs: paired.length, metrics };
    }),
  };
}

/** One metric: paired values (aligned), and all values of each side for the unpaired interval. */
export function compareMetric(
  def: Pick<MetricDefinition, 'better' | 'unit'>,
  pairedBaseline: readonly (number | null)[],
  pairedVariant: readonly (number | null)[],
  allBaseline: readonly (number | null)[] = pairedBaseline,
  allVariant: readonly (number | null)[] = pairedVariant,
): MetricComparisonJSON {
  const d = DECIMALS[def.unit];
  const keep = pairedBaseline.map((b, i) => typeof b === 'number' && Number.isFinite(b) && typeof pairedVariant[i] === 'number' && Number.isFinite(pairedVariant[i]));
  const bs = pairedBaseline.filter((_, i) => keep[i]) as number[];
  const vs = pairedVariant.filter((_, i) => keep[i]) as number[];
  const diff = pairedDifference(bs, vs);
  const welch = welchDifference(allBaseline, allVariant);
  const bMean = bs.length === 0 ? null : meanOf(bs);
  const vMean = vs.length === 0 ? null : meanOf(vs);
  const out: MetricComparisonJSON = {
    better: def.better,
    n: diff.n,
    baseline: round(bMean, d),
    variant: round(vMean, d),
    difference: round(diff.mean, d),
    sd: round(diff.sd, d),
    ci95: roundPair(diff.ci, d),
    relative: diff.mean === null || bMean === null || bMean === 0 ? null : round(diff.mean / Math.abs(bMean), 4),
    unpaired: { n: welch.n, difference: round(welch.mean, d), df: round(welch.df, 2), ci95: roundPair(welch.ci, d) },
    verdict: verdictOf(diff.ci, def.better),
  };
  if (diff.ci === null) {
    out.reason = diff.n === 0 ? 'no replication has a value for both' : '1 paired replication: no confidence interval (run 2 or more replications)';
  }
  return out;
}
