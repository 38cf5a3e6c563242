import type { EstimateJSON, MetricComparisonJSON, Report, ScenarioReport, SloSummary, SloUnit, VariantReport } from './model.js';

/**
 * What the human-readable renderers (terminal, Markdown, JUnit) share: number formats, the SLO
 * verdict over a whole report and the variant ranking. Reads the report model only.
 */

// -------------------------------------------------------------------------------------------------
// Numbers

/** 1234567 → "1,234,567" (no locale dependence). */
export function count(n: number): string {
  if (!Number.isInteger(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A fraction as a percentage with 3 decimals, rounded down so 99.9996% never shows as 100.000%. */
export function percent(x: number | null): string {
  if (x === null) return 'n/a';
  const floored = Math.floor(x * 1e5 + 1e-7) / 1e3;
  return `${floored.toFixed(3)}%`;
}

/**
 * Milliseconds with a precision that suits the size: 2 decimals under 10 ms, 1 under 1 s, none
 * above (the bounds as rounded, so 9.996 shows as `10.0 ms` like its neighbours, not `10.00 ms`).
 */
export function ms(x: number | null): string {
  if (x === null) return 'n/a';
  if (x < 9.995) return `${x.toFixed(2)} ms`;
  if (x < 999.95) return `${x.toFixed(1)} ms`;
  return `${count(Math.round(x))} ms`;
}

/** Seconds as 42.5s, 2m, 1m30s, 1h5m (durations of scenarios). */
export function seconds(s: number): string {
  if (s < 60) return `${Number(s.toFixed(1))}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s - h * 3600) / 60);
  const rest = Number((s - h * 3600 - m * 60).toFixed(1));
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${rest > 0 ? `${rest}s` : ''}`;
}

/** Seconds with one decimal and the unit, for values compared in a row or a window: `6.3 s`. */
export function secs(s: number | null): string {
  return s === null ? 'n/a' : `${s.toFixed(1)} s`;
}

/** A simulated time window: `30.0–32.1 s` (one instant: `30.0 s`). */
export function window(fromS: number, toS: number): string {
  const [a, b] = [fromS.toFixed(1), toS.toFixed(1)];
  return a === b ? `${a} s` : `${a}–${b} s`;
}

/**
 * An SLO value in its unit: a percentage, a count, or a duration — in milliseconds when the
 * SLO's threshold is under 10 s, else in seconds, so every value of one SLO has the same unit
 * (`threshold` omitted: chosen by the value itself). `n/a` for null.
 */
export function sloValue(v: number | null, unit: SloUnit, threshold?: number): string {
  if (v === null) return 'n/a';
  if (unit === 'fraction') return percent(v);
  if (unit === 'seconds') return (threshold ?? v) < 10 ? ms(v * 1000) : secs(v);
  return count(v);
}

// -------------------------------------------------------------------------------------------------
// The verdict

export interface SloCheck {
  scenario: string;
  variant: string;
  /** True when the scenario has several variants (or one not named `default`): name it. */
  named: boolean;
  slo: SloSummary;
}

export interface Verdict {
  /** Every SLO of every variant of every scenario. */
  checks: SloCheck[];
  failed: SloCheck[];
  /** Runs that threw. */
  failedRuns: number;
  pass: boolean;
}

/** Every (scenario, variant, SLO) of the report and the ones that failed. */
export function verdict(report: Report): Verdict {
  const checks = report.scenarios.flatMap((s) =>
    s.variants.flatMap((v) => v.summary.slos.map((slo) => ({ scenario: s.name, variant: v.name, named: s.variants.length > 1 || v.name !== 'default', slo }))),
  );
  const failed = checks.filter((c) => !c.slo.pass);
  return { checks, failed, failedRuns: report.failedRuns, pass: report.slosPass && report.failedRuns === 0 };
}

/** The measured value of a failed SLO and where it held: `318.2 ms`, `3,245; held in 0 of 5 runs`. */
export function sloMeasured(s: SloSummary): string {
  const value = sloValue(s.pooledValue, s.unit, s.threshold);
  if (s.runs === 0) return 'no finished run';
  return s.runs === 1 ? value : `${value} pooled; held in ${s.passed} of ${s.runs} runs`;
}

/** `1 of 4 SLOs failed` / `3 of 3 SLOs held` / `no SLOs`; plus failed runs. Without the mark. */
export function verdictHeadline(v: Verdict): string {
  const n = v.checks.length;
  const slos = n === 0 ? 'no SLOs' : v.failed.length === 0 ? `${n} of ${n} SLO${n === 1 ? '' : 's'} held` : `${v.failed.length} of ${n} SLO${n === 1 ? '' : 's'} failed`;
  const runs = v.failedRuns > 0 ? `; ${v.failedRuns} run${v.failedRuns === 1 ? '' : 's'} failed (internal error)` : '';
  return slos + runs;
}

// -------------------------------------------------------------------------------------------------
// Ranking and differences

/**
 * The variants ranked by mean availability (higher first), then mean p99 latency (lower first),
 * then name: the order of the terminal's and the Markdown's ranking tables.
 */
export function rankVariants(s: ScenarioReport): VariantReport[] {
  const mean = (v: VariantReport, id: 'availability' | 'latency.p99') => v.summary.metrics[id].mean;
  return [...s.variants].sort(
    (a, b) =>
      (mean(b, 'availability') ?? -1) - (mean(a, 'availability') ?? -1) ||
      (mean(a, 'latency.p99') ?? Infinity) - (mean(b, 'latency.p99') ?? Infinity) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

/** The baseline's name: the comparison's, else the first variant's. */
export function baselineOf(s: ScenarioReport): string {
  return s.comparison?.baseline ?? s.variants[0]?.name ?? '';
}

/** A variant's paired comparison of one metric with the baseline, if any. */
export function comparisonOf(s: ScenarioReport, variant: string, id: 'availability' | 'latency.p99'): MetricComparisonJSON | undefined {
  return s.comparison?.variants.find((x) => x.variant === variant)?.metrics[id];
}

/** `97.566% ±0.439pp`, `79.8 ms ±1.0 ms` (the 95% CI as a half-width: intervals are symmetric). */
export function estimate(e: EstimateJSON, kind: 'fraction' | 'ms'): string {
  if (e.mean === null) return 'n/a';
  const value = kind === 'fraction' ? percent(e.mean) : ms(e.mean);
  if (e.ci95 === null) return value;
  const half = (e.ci95[1] - e.ci95[0]) / 2;
  return `${value} ±${kind === 'fraction' ? `${(half * 100).toFixed(3)}pp` : ms(half)}`;
}

/** A paired difference with its 95% half-width: `+2.433pp ±0.439pp`, `-0.1 ms ±0.5 ms`. */
export function difference(c: MetricComparisonJSON, kind: 'fraction' | 'ms'): string {
  if (c.difference === null) return 'n/a';
  const fmt = (x: number) => (kind === 'fraction' ? `${(Math.abs(x) * 100).toFixed(3)}pp` : ms(Math.abs(x)));
  // the sign of what is shown: +0.02 ms, -0.01 ms, 0.00 ms (never -0.00 or +0.00)
  const sign = (x: number) => {
    const shown = kind === 'fraction' ? fmt(Math.abs(x)) : ms(Math.abs(x));
    if (/^[0.]+(pp| ms)$/.test(shown)) return '';
    return x > 0 ? '+' : '-';
  };
  const value = `${sign(c.difference)}${fmt(c.difference)}`;
  if (c.ci95 === null) return value;
  const half = (c.ci95[1] - c.ci95[0]) / 2;
  return `${value} ±${kind === 'fraction' ? fmt(half) : ms(half)}`;
}
