import path from 'node:path';
import { mergeRunMetrics, snapshotOf, type RunMetricsJSON } from '../engine/metrics/recorder.js';
import { OUTCOMES, type Outcome } from '../engine/metrics/outcomes.js';
import { evaluateSlos, parseSlo, valueUnit, type SloResult } from '../engine/metrics/slo.js';
import type { TimeSeriesJSON } from '../engine/metrics/timeseries.js';
import type { RunFailure, ScenarioRuns, VariantRuns } from '../engine/run/run.js';
import type { ActionRecord, RunResult } from '../engine/run/simulate.js';
import { summarizeFindings, type Finding, type FindingAggregate } from '../engine/run/findings.js';
import { formatDiagnostic, type Diagnostic } from '../engine/scenario/diagnostics.js';
import { version as toolVersion } from '../engine/version.js';
import {
  CONFIDENCE,
  compareVariants,
  summarizeVariant,
  type ComparisonJSON,
  type EstimateJSON,
  type MetricComparisonJSON,
  type MetricId,
  type VariantComparisonJSON,
  type Verdict,
} from '../engine/run/aggregate.js';

export type { ComparisonJSON, EstimateJSON, MetricComparisonJSON, MetricId, VariantComparisonJSON, Verdict };

/**
 * The report model: one versioned JSON object (report.json), built from the runs here and read by
 * every renderer (terminal, JSON, and later HTML, Markdown, JUnit). Renderers import this module's
 * types only, never the engine.
 *
 * Stability: the model holds no wall-clock value; every number is rounded (seconds to 6 decimals,
 * milliseconds to 3, fractions to 12), keys come in a fixed order, and file paths are relative to
 * the current directory with `/` separators — so the same inputs and seeds give a byte-identical
 * report.json on any machine. Each field is documented in reports/README.md ("report.json").
 *
 * Versioning: `schemaVersion` changes when a field is renamed, removed or changes meaning; fields may
 * be added without changing it.
 */
export const REPORT_SCHEMA_VERSION = 1;

/** Request outcomes, in report order (every `byOutcome` has all of them as keys). */
export const REPORT_OUTCOMES: readonly Outcome[] = OUTCOMES;
export type { Outcome };

/**
 * How much of each run the report keeps: `full` (the default) has every run's time series and event
 * log; `summary` leaves them out (`timeseries: null`, `events: []`) — for sweeps of many replications,
 * where they would make report.json large while the summaries and comparisons carry the verdicts.
 */
export type ReportDetail = 'full' | 'summary';
export const REPORT_DETAILS: readonly ReportDetail[] = ['full', 'summary'];

export interface Report {
  schemaVersion: number;
  tool: { name: 'kubesim'; version: string };
  /** `full`, or `summary` when runs carry no time series and no event log (`--detail summary`). */
  detail: ReportDetail;
  /** True when every SLO of every variant held in every finished run. */
  slosPass: boolean;
  /** Runs that threw (listed in their variant's `errors`). */
  failedRuns: number;
  scenarios: ScenarioReport[];
}

export interface ScenarioReport {
  name: string;
  /** The file holding the Scenario document (for bare manifests, the first file). */
  file: string;
  /** Every file read for the scenario. */
  files: string[];
  /** True when the files had no Scenario document (defaults apply). */
  bare: boolean;
  /** The scenario seed used: `--seed`, else `spec.seed`. */
  seed: number;
  durationS: number;
  warmupS: number;
  replications: number;
  /** The SLO expressions as written (a variant may patch them: see each variant's summary.slos). */
  slos: string[];
  /** Notes from loading (skipped kinds, unused images), formatted `file:line:col: note: …`. */
  notes: string[];
  variants: VariantReport[];
  /**
   * Every variant against the first (the baseline), paired by replication (common random numbers):
   * per metric the mean difference with its 95% CI, the unpaired (Welch) interval for comparison,
   * and a verdict (better / worse / no significant difference). Null with a single variant.
   */
  comparison: ComparisonJSON | null;
}

export interface VariantReport {
  name: string;
  /** Finished runs, in replication order. */
  runs: RunReport[];
  /** Runs that threw. */
  errors: RunErrorReport[];
  summary: VariantSummary;
}

export interface RequestCounts {
  total: number;
  ok: number;
  failed: number;
  byOutcome: Record<Outcome, number>;
}

/** Over ok requests, in milliseconds (3 decimals); null when no request succeeded. */
export interface LatencyMs {
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
}

export interface RunReport {
  replication: number;
  seed: number;
  requests: RequestCounts;
  /** ok / total; null when there were no requests. */
  availability: number | null;
  latencyMs: LatencyMs;
  pods: PodReport[];
  rollouts: RolloutReport[];
  slos: SloReport[];
  /** Null with `--detail summary`. */
  timeseries: TimeseriesReport | null;
  /** Empty with `--detail summary`. */
  events: EventReport[];
  /** Timeline actions as they fired in this run, in time order (repeated actions once per firing). */
  actions: ActionReport[];
  /** What caused this run's failed requests (see FindingReport); empty when nothing failed. */
  findings: FindingReport[];
  /** Things to know about the run (e.g. a warm start that had not settled, a refused timeline action). */
  notes: string[];
}

export interface PodReport {
  name: string;
  image: string;
  node: string | null;
  /** Requests routed to the pod. */
  requests: number;
  /** 0 for pods that existed when the run began. */
  createdAtS: number;
  deletedAtS: number | null;
}

export type RolloutOutcome = 'complete' | 'stalled' | 'aborted' | 'in_progress';

export interface RolloutReport {
  /** `deployment/<name>` */
  target: string;
  startedAtS: number;
  completedAtS: number | null;
  durationS: number | null;
  /** Most pods of the Deployment during the rollout, terminating ones included. */
  maxPods: number;
  /** Most non-terminating pods. */
  maxActivePods: number;
  /** Fewest available non-terminating pods. */
  minAvailable: number;
  outcome: RolloutOutcome;
}

/** What an SLO's value and threshold are measured in. */
export type SloUnit = 'fraction' | 'seconds' | 'count';

export interface SloReport {
  expr: string;
  pass: boolean;
  /** The measured value in `unit`; null when it could not be measured (see `reason`). */
  value: number | null;
  threshold: number;
  unit: SloUnit;
  reason: string | null;
}

export interface TimeseriesReport {
  /** Bucket width; bucket i covers [i·intervalS, (i+1)·intervalS). */
  intervalS: number;
  /** Requests that ended in each bucket. */
  requests: number[];
  outcomes: Record<Outcome, number[]>;
  /** Per-bucket latency percentiles of ok requests (null for a bucket without any). */
  latencyMs: { p50: (number | null)[]; p90: (number | null)[]; p99: (number | null)[] };
  /**
   * Gauges, the value at each bucket's end: `pods/<image>/<Pending|Running|Ready|Terminating>`,
   * `endpoints/<namespace>/<service>` (ready endpoints in the EndpointSlice: the truth) and
   * `proxy/<namespace>/<service>` (endpoints kube-proxy has programmed: what traffic sees).
   */
  gauges: Record<string, (number | null)[]>;
}

/**
 * A variant's time series over all its finished runs: per bucket the mean per run of requests,
 * outcomes and gauges (so one replication reads as itself), and latency percentiles of the pooled ok
 * requests. Present whatever `--detail` (it is one series per variant, not per run).
 */
export interface PooledTimeseriesReport extends TimeseriesReport {
  /** Runs pooled. */
  runs: number;
}

/** One firing of a timeline action. */
export interface ActionReport {
  atS: number;
  /** Index in `spec.timeline`. */
  index: number;
  /** The action as written (`set-image`, `scale`, `delete-pod`, `fail-node`, …). */
  action: string;
  /** `deployment/web-app`, `node/node-2`, `traffic/web`, … */
  target: string;
  /** A short human label of what it did: `nginx=nginx:1.26`, `3 → 5`, `web-app-5d9f-x2k`, `node-2`. */
  detail: string;
  /** `refused` when kubectl would have refused it (the reason is in the run's notes). */
  outcome: 'done' | 'refused';
}

/**
 * What caused failed requests. Every failed request of a run is counted in exactly one finding.
 * - `termination_race`: refused by a pod that had stopped listening after SIGTERM while kube-proxy
 *   still routed to it (propagation outlasted the preStop hook);
 * - `killed_in_flight`: reset while in flight on a pod whose container was killed or exited;
 * - `crash`: refused by a pod whose container had crashed or exited, before its endpoint was removed;
 * - `no_endpoints`: the Service had no usable endpoint (e.g. during a Recreate rollout);
 * - `bad_version`: the image's own errors (the behaviour profile's errorRate);
 * - `node_failure`: timed out or reset on pods of a node that had failed;
 * - `capacity`: overload (queue full, 503) or timeouts while the pods were too few or too slow for the load;
 * - `other`: failures the model cannot attribute (the message says so).
 */
export type FindingCause = 'termination_race' | 'killed_in_flight' | 'crash' | 'no_endpoints' | 'bad_version' | 'node_failure' | 'capacity' | 'other';

export interface FindingReport {
  cause: FindingCause;
  /** The outcome of the requests counted (a finding covers one outcome). */
  outcome: Outcome;
  /** Requests counted (over all runs, in a variant's summary). */
  count: number;
  /** Simulated time window in which they ended (the envelope over runs, in a variant's summary). */
  fromS: number;
  toS: number;
  /**
   * The timeline action that set it off, when the model knows it (`action: 'rollout'` for a rollout
   * no action started); `detail` as in the action's ActionReport.
   */
  trigger: { atS: number; action: string; target: string; detail: string } | null;
  /**
   * Pods, images, Services or nodes involved, by name (at most 5). In a variant's summary over several
   * runs, pod names (which differ per run) give way to their Deployments.
   */
  subjects: string[];
  /** One sentence with the numbers, e.g. "57 requests refused at 30.0–32.1 s after delete-pod …". */
  message: string;
  /** What would have avoided it, when the model can say; else null. */
  fix: string | null;
  /** The measured figures behind the message (seconds, counts), by name. */
  evidence: Record<string, number>;
}

/** A finding over a variant's runs. */
export interface FindingSummary extends FindingReport {
  /** Runs in which it occurred. */
  runs: number;
  /** Mean count per finished run (over all runs, including those without it). */
  perRun: number;
}

export interface EventReport {
  atS: number;
  type: 'Normal' | 'Warning';
  reason: string;
  /** `kind/name`, like `deployment/web-app`. */
  object: string;
  message: string;
}

export interface RunErrorReport {
  replication: number;
  seed: number;
  message: string;
}

export interface VariantSummary {
  /** Finished runs. */
  runs: number;
  /** Level of the confidence intervals in `metrics` (0.95). */
  confidence: number;
  /**
   * Per metric over the replications: n, mean, sd and the 95% CI of the mean (Student t; null for
   * n < 2). Metrics: availability, failures (total and per cause), latency.p50, latency.p99 (ms),
   * rollout.duration (s, over completed rollouts).
   */
  metrics: Record<MetricId, EstimateJSON>;
  /** Runs that threw. */
  failedRuns: number;
  /** Pooled over the finished runs (sums; latency and availability from the pooled data). */
  requests: RequestCounts;
  availability: number | null;
  latencyMs: LatencyMs;
  rollouts: RolloutSummary[];
  slos: SloSummary[];
  /** What caused the failed requests, over all runs, largest count first. */
  findings: FindingSummary[];
  /** The time series pooled over the finished runs; null when no run finished. */
  timeseries: PooledTimeseriesReport | null;
  /** The timeline actions of the first finished run (chart markers); empty when none finished. */
  actions: ActionReport[];
  /** Every SLO held in every finished run (and at least one run finished when there are SLOs). */
  pass: boolean;
}

export interface RolloutSummary {
  target: string;
  /** Rollouts of the target over all runs. */
  count: number;
  byOutcome: Record<RolloutOutcome, number>;
  /** Over the completed rollouts; null when none completed. */
  durationS: { mean: number; min: number; max: number } | null;
}

export interface SloSummary {
  expr: string;
  unit: SloUnit;
  threshold: number;
  /** Runs in which the SLO held. */
  passed: number;
  runs: number;
  /** passed == runs > 0 */
  pass: boolean;
  /** The value over the pooled runs (all requests together); null when it cannot be measured. */
  pooledValue: number | null;
}

// -------------------------------------------------------------------------------------------------
// Building

export interface BuildOptions {
  /** File paths are written relative to this folder. Default: process.cwd(). */
  cwd?: string;
  /** Default: the package version. */
  version?: string;
  /** Default: `full`. */
  detail?: ReportDetail;
}

/** Builds the report model from the runs of `runScenarios`. */
export function buildReport(runs: readonly ScenarioRuns[], options: BuildOptions = {}): Report {
  const cwd = options.cwd ?? process.cwd();
  const detail = options.detail ?? 'full';
  const scenarios = runs.map((s) => scenarioReport(s, cwd, detail));
  const variants = scenarios.flatMap((s) => s.variants);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'kubesim', version: options.version ?? toolVersion },
    detail,
    slosPass: variants.every((v) => v.summary.pass),
    failedRuns: variants.reduce((n, v) => n + v.errors.length, 0),
    scenarios,
  };
}

function scenarioReport(s: ScenarioRuns, cwd: string, detail: ReportDetail): ScenarioReport {
  const sc = s.scenario;
  return {
    name: sc.name,
    file: relativePath(sc.file, cwd),
    files: sc.files.map((f) => relativePath(f, cwd)),
    bare: sc.bare,
    seed: s.seed,
    durationS: seconds(sc.spec.duration),
    warmupS: seconds(sc.spec.warmup),
    replications: s.replications,
    slos: [...sc.spec.slos],
    notes: sc.notes.map((d) => noteText(d, cwd)),
    variants: s.variants.map((v) => variantReport(v, v.scenario.spec.slos, detail)),
    comparison: compareVariants(s.variants.map((v) => ({ name: v.name, runs: v.runs }))),
  };
}

function variantReport(v: VariantRuns, slos: readonly string[], detail: ReportDetail): VariantReport {
  return {
    name: v.name,
    runs: v.runs.map((r) => runReport(r, detail)),
    errors: v.failures.map(errorReport),
    summary: summarise(v.runs, v.failures.length, slos),
  };
}

/** One run's report entry. */
export function runReport(r: RunResult, detail: ReportDetail = 'full'): RunReport {
  const full = detail === 'full';
  const m = r.metrics;
  return {
    replication: r.replication,
    seed: r.seed,
    requests: requestCounts(m.requests),
    availability: fraction(m.availability),
    latencyMs: latencyMs(m.latencyMs),
    pods: r.pods.map((p) => ({
      name: p.name,
      image: p.image,
      node: p.node,
      requests: p.requests,
      createdAtS: seconds(p.createdAtS),
      deletedAtS: nullable(p.deletedAtS, seconds),
    })),
    rollouts: r.rollouts.map((o) => ({
      target: o.target,
      startedAtS: seconds(o.startedAtS),
      completedAtS: nullable(o.completedAtS, seconds),
      durationS: nullable(o.durationS, seconds),
      maxPods: o.maxPods,
      maxActivePods: o.maxActivePods,
      minAvailable: o.minAvailable,
      outcome: o.outcome,
    })),
    slos: r.slos.map(sloReport),
    timeseries: full ? timeseriesReport(m.timeseries) : null,
    events: full ? r.events.map((e) => ({ atS: seconds(e.t), type: e.type, reason: e.reason, object: e.object, message: e.message })) : [],
    actions: r.actions.map(actionReport),
    findings: r.findings.map(findingReport),
    notes: [...r.notes],
  };
}

function errorReport(f: RunFailure): RunErrorReport {
  return { replication: f.replication, seed: f.seed, message: f.message };
}

function summarise(runs: readonly RunResult[], failedRuns: number, slos: readonly string[]): VariantSummary {
  // one run is its own pool (merging would only re-encode the same histogram and series)
  const pooled: RunMetricsJSON | undefined = runs.length === 1 ? runs[0]!.metrics : runs.length > 1 ? mergeRunMetrics(runs.map((r) => r.metrics)) : undefined;
  // one run's pooled verdicts are its own (evaluated on the live recorder: no histogram to decode)
  const pooledSlos: SloResult[] | undefined = runs.length === 1 ? runs[0]!.slos : pooled !== undefined ? evaluateSlos(slos, snapshotOf(pooled)) : undefined;
  const sloSummaries: SloSummary[] = slos.map((expr, i) => {
    const passed = runs.filter((r) => r.slos[i]?.pass === true).length;
    const p = pooledSlos?.[i];
    return {
      expr,
      unit: sloUnit(expr),
      threshold: sloThreshold(expr),
      passed,
      runs: runs.length,
      pass: runs.length > 0 && passed === runs.length,
      pooledValue: p === undefined ? null : sloValue(p.value, sloUnit(expr)),
    };
  });
  const zero = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  return {
    runs: runs.length,
    confidence: CONFIDENCE,
    metrics: summarizeVariant(runs).metrics,
    failedRuns,
    requests: pooled !== undefined ? requestCounts(pooled.requests) : { total: 0, ok: 0, failed: 0, byOutcome: zero },
    availability: pooled !== undefined ? fraction(pooled.availability) : null,
    latencyMs: pooled !== undefined ? latencyMs(pooled.latencyMs) : { mean: null, p50: null, p90: null, p95: null, p99: null, p999: null, max: null },
    rollouts: rolloutSummaries(runs),
    slos: sloSummaries,
    findings: summarizeFindings(runs).map(findingSummary),
    timeseries: pooled !== undefined ? pooledTimeseries(pooled.timeseries) : null,
    actions: runs[0]?.actions.map(actionReport) ?? [],
    pass: sloSummaries.every((s) => s.pass),
  };
}

function rolloutSummaries(runs: readonly RunResult[]): RolloutSummary[] {
  const byTarget = new Map<string, { count: number; byOutcome: Record<RolloutOutcome, number>; durations: number[] }>();
  for (const r of runs) {
    for (const o of r.rollouts) {
      let t = byTarget.get(o.target);
      if (t === undefined) byTarget.set(o.target, (t = { count: 0, byOutcome: { complete: 0, stalled: 0, aborted: 0, in_progress: 0 }, durations: [] }));
      t.count++;
      t.byOutcome[o.outcome]++;
      if (o.outcome === 'complete' && o.durationS !== null) t.durations.push(o.durationS);
    }
  }
  return [...byTarget.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([target, t]) => ({
      target,
      count: t.count,
      byOutcome: t.byOutcome,
      durationS:
        t.durations.length === 0
          ? null
          : {
              mean: seconds(t.durations.reduce((a, b) => a + b, 0) / t.durations.length),
              min: seconds(Math.min(...t.durations)),
              max: seconds(Math.max(...t.durations)),
            },
    }));
}

function requestCounts(r: RunMetricsJSON['requests']): RequestCounts {
  const byOutcome = {} as Record<Outcome, number>;
  for (const o of OUTCOMES) byOutcome[o] = r.byOutcome[o];
  return { total: r.total, ok: r.ok, failed: r.failed, byOutcome };
}

function latencyMs(l: RunMetricsJSON['latencyMs']): LatencyMs {
  const f = (x: number | null) => nullable(x, millis);
  return { mean: f(l.mean), p50: f(l.p50), p90: f(l.p90), p95: f(l.p95), p99: f(l.p99), p999: f(l.p999), max: f(l.max) };
}

function sloReport(s: SloResult): SloReport {
  const unit = sloUnit(s.expr);
  return { expr: s.expr, pass: s.pass, value: sloValue(s.value, unit), threshold: sloValue(s.threshold, unit)!, unit, reason: s.reason ?? null };
}

function timeseriesReport(t: TimeSeriesJSON): TimeseriesReport {
  const outcomes = {} as Record<Outcome, number[]>;
  for (const o of OUTCOMES) outcomes[o] = [...(t.outcomes[o] ?? [])];
  const gauges: Record<string, (number | null)[]> = {};
  for (const name of Object.keys(t.gauges).sort(compareStrings)) gauges[name] = [...t.gauges[name]!];
  return {
    intervalS: seconds(t.interval),
    requests: [...t.requests],
    outcomes,
    latencyMs: latencyReport(t),
    gauges,
  };
}

/** Per-run means of a merged series (sums over `runs`); latency percentiles come from the pooled cells. */
function pooledTimeseries(t: TimeSeriesJSON): PooledTimeseriesReport {
  const n = Math.max(1, t.runs);
  const mean = (x: number) => round(x / n, 6);
  // straight from the series, not from a copy of it (a long run's buckets are copied once)
  const gauges: Record<string, (number | null)[]> = {};
  for (const name of Object.keys(t.gauges).sort(compareStrings)) gauges[name] = t.gauges[name]!.map((x) => (x === null ? null : mean(x)));
  const outcomes = {} as Record<Outcome, number[]>;
  for (const o of OUTCOMES) outcomes[o] = (t.outcomes[o] ?? []).map(mean);
  // the keys in timeseriesReport's order, then runs
  return { intervalS: seconds(t.interval), requests: t.requests.map(mean), outcomes, latencyMs: latencyReport(t), gauges, runs: t.runs };
}

function latencyReport(t: TimeSeriesJSON): TimeseriesReport['latencyMs'] {
  const ms = (xs: readonly (number | null)[]) => xs.map((x) => nullable(x, millis));
  return { p50: ms(t.latencyMs.p50), p90: ms(t.latencyMs.p90), p99: ms(t.latencyMs.p99) };
}

function actionReport(a: ActionRecord): ActionReport {
  return { atS: seconds(a.at), index: a.index, action: a.action, target: a.target, detail: a.detail, outcome: a.outcome };
}

function findingReport(f: Finding): FindingReport {
  const evidence: Record<string, number> = {};
  for (const k of Object.keys(f.evidence).sort(compareStrings)) evidence[k] = round(f.evidence[k]!, 6);
  return {
    cause: f.cause,
    outcome: f.outcome,
    count: f.count,
    fromS: seconds(f.from),
    toS: seconds(f.to),
    trigger: f.trigger === null ? null : { atS: seconds(f.trigger.at), action: f.trigger.action, target: f.trigger.target, detail: f.trigger.detail },
    subjects: [...f.subjects],
    message: f.message,
    fix: f.fix,
    evidence,
  };
}

function findingSummary(f: FindingAggregate): FindingSummary {
  return { ...findingReport(f), runs: f.runs, perRun: round(f.perRun, 6) };
}

// -------------------------------------------------------------------------------------------------
// SLO units

/** The unit of an SLO's value ('count' for an expression that does not parse). */
export function sloUnit(expr: string): SloUnit {
  try {
    return valueUnit(parseSlo(expr).metric);
  } catch {
    return 'count';
  }
}

function sloThreshold(expr: string): number {
  try {
    return sloValue(parseSlo(expr).threshold, sloUnit(expr))!;
  } catch {
    return 0;
  }
}

function sloValue(v: number | null, unit: SloUnit): number | null {
  if (v === null) return null;
  return unit === 'fraction' ? fraction(v) : unit === 'seconds' ? seconds(v) : round(v, 6);
}

// -------------------------------------------------------------------------------------------------
// Numbers and paths

/** Rounds to `decimals` places (−0 becomes 0); non-finite values pass through unchanged. */
export function round(x: number, decimals: number): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** decimals;
  const r = Math.round(x * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

function seconds(x: number): number {
  return round(x, 6);
}

function millis(x: number): number {
  return round(x, 3);
}

function fraction<T extends number | null>(x: T): T {
  return (x === null ? null : round(x, 12)) as T;
}

function nullable<T>(x: T | null, f: (v: T) => T): T | null {
  return x === null ? null : f(x);
}

/** `file` relative to `cwd`, with `/` separators ("." for cwd itself). */
export function relativePath(file: string, cwd: string): string {
  const rel = path.relative(cwd, path.resolve(cwd, file));
  return rel === '' ? '.' : rel.split(path.sep).join('/');
}

function noteText(d: Diagnostic, cwd: string): string {
  return formatDiagnostic({ ...d, file: relativePath(d.file, cwd) });
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
