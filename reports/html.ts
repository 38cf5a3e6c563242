import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { writeFileAtomicPieces } from './atomic.js';
import type {
  ActionReport,
  ComparisonJSON,
  EventReport,
  FindingSummary,
  MetricComparisonJSON,
  PodReport,
  PooledTimeseriesReport,
  Report,
  ReportDetail,
  RolloutReport,
  RunErrorReport,
  ScenarioReport,
  VariantReport,
  VariantSummary,
} from './model.js';

/**
 * report.html: one self-contained page (no network request: a strict CSP forbids any) rendering the
 * report model. The page is a static shell, the page data as JSON in a `<script
 * type="application/json">` (every `<` written `\u003c`, so no string from a scenario can close the
 * script element), uPlot's minified script and style (read from the installed `uplot` package when the
 * page is rendered and inlined), and the client script `html/client.js`, which builds every element
 * from the data with textContent only.
 *
 * The page embeds only what it draws, so a sweep of 1,000 runs stays a few MB: per variant its
 * summary, its time series pooled over the replications (means per run; downsampled when the
 * variants together exceed a point budget), and replication 0's pods, rollouts and event log (capped
 * per variant). Runs' own time series and event logs beyond replication 0 stay in report.json.
 */

/** The report.html file name inside the --out folder. */
export const REPORT_HTML = 'report.html';

/** Most series values (points × series, over all variants) embedded before series are downsampled. */
export const SERIES_BUDGET = 200_000;
/** Most event-log entries embedded over all variants (each variant gets an equal share). */
export const EVENT_BUDGET = 2_500;
/** Most pods listed over all variants (each variant gets an equal share, at least POD_MIN: the pods with most requests). */
export const POD_BUDGET = 2_000;
export const POD_MIN = 3;

/** Version of the embedded page data (`HtmlData`), read by the client script. */
export const HTML_DATA_FORMAT = 1;

export interface HtmlData {
  format: number;
  tool: Report['tool'];
  detail: ReportDetail;
  slosPass: boolean;
  failedRuns: number;
  scenarios: HtmlScenario[];
}

/** A scenario as the page gets it: the model's fields it shows, with variants and comparison cut down. */
export interface HtmlScenario extends Pick<ScenarioReport, 'name' | 'file' | 'seed' | 'durationS' | 'warmupS' | 'replications' | 'slos' | 'notes'> {
  variants: HtmlVariant[];
  /** The model's comparison cut to what the forest plot draws (difference, interval, verdict). */
  comparison: HtmlComparison | null;
}

export interface HtmlComparison {
  baseline: string;
  confidence: number;
  variants: { variant: string; pairs: number; metrics: Record<string, HtmlMetricComparison> }[];
}

/**
 * What the forest plot draws of a metric's comparison, as a tuple (a sweep of 1,000 variants has
 * 11,000 of them): the difference, its 95% interval, the verdict, and why it is missing when it is.
 */
export type HtmlMetricComparison =
  | [difference: MetricComparisonJSON['difference'], ci95: MetricComparisonJSON['ci95'], verdict: MetricComparisonJSON['verdict']]
  | [difference: MetricComparisonJSON['difference'], ci95: MetricComparisonJSON['ci95'], verdict: MetricComparisonJSON['verdict'], reason: string];

/** The summary metrics the ranked table shows (the others are in report.json). */
export const RANKED_METRICS = ['availability', 'latency.p99', 'failures'] as const;

export interface HtmlVariant {
  name: string;
  errors: RunErrorReport[];
  summary: HtmlSummary;
  /** Replication 0 (the first finished run): what the pod table and the event log show. Null when no run finished. */
  run: HtmlRun | null;
}

export type HtmlSummary = Omit<VariantSummary, 'timeseries' | 'metrics'> & {
  metrics: Partial<VariantSummary['metrics']>;
  findings: FindingSummary[];
  actions: ActionReport[];
  timeseries: HtmlSeries | null;
};

/**
 * The pooled series, possibly downsampled: point i stands for buckets [i·k, (i+1)·k) of `intervalS`
 * each (k = `bucketsPerPoint`), its values the mean per bucket, so requests / intervalS stays req/s.
 */
export interface HtmlSeries extends PooledTimeseriesReport {
  bucketsPerPoint: number;
}

export interface HtmlRun {
  replication: number;
  seed: number;
  pods: PodReport[];
  /** Pods left out of `pods` to keep the page small, and the requests they served. */
  podsOmitted: { count: number; requests: number } | null;
  rollouts: RolloutReport[];
  events: EventReport[];
  /** Events in the run's log (more than `events.length` when capped). */
  eventsTotal: number;
  notes: string[];
}

// -------------------------------------------------------------------------------------------------
// Page data

/** What the page embeds: the report model cut down to what the page draws (see the module comment). */
export function htmlData(report: Report): HtmlData {
  const variantCount = Math.max(1, report.scenarios.reduce((n, s) => n + s.variants.length, 0));
  const values = report.scenarios.reduce((n, s) => n + s.variants.reduce((m, v) => m + seriesValues(v.summary.timeseries), 0), 0);
  const bucketsPerPoint = Math.max(1, Math.ceil(values / SERIES_BUDGET));
  const eventCap = Math.floor(EVENT_BUDGET / variantCount);
  const podCap = Math.max(POD_MIN, Math.floor(POD_BUDGET / variantCount));
  return {
    format: HTML_DATA_FORMAT,
    tool: report.tool,
    detail: report.detail,
    slosPass: report.slosPass,
    failedRuns: report.failedRuns,
    scenarios: report.scenarios.map((s) => scenarioData(s, { bucketsPerPoint, eventCap, podCap })),
  };
}

interface Caps {
  bucketsPerPoint: number;
  eventCap: number;
  podCap: number;
}

function scenarioData(s: ScenarioReport, caps: Caps): HtmlScenario {
  return {
    name: s.name,
    file: s.file,
    seed: s.seed,
    durationS: s.durationS,
    warmupS: s.warmupS,
    replications: s.replications,
    slos: s.slos,
    notes: s.notes,
    variants: s.variants.map((v) => variantData(v, caps)),
    comparison: s.comparison === null ? null : comparisonData(s.comparison),
  };
}

function comparisonData(c: ComparisonJSON): HtmlComparison {
  return {
    baseline: c.baseline,
    confidence: c.confidence,
    variants: c.variants.map((v) => ({
      variant: v.variant,
      pairs: v.pairs,
      metrics: Object.fromEntries(
        Object.entries(v.metrics).map(([id, m]) => {
          const out: HtmlMetricComparison = m.reason === undefined ? [m.difference, m.ci95, m.verdict] : [m.difference, m.ci95, m.verdict, m.reason];
          return [id, out];
        }),
      ),
    })),
  };
}

function variantData(v: VariantReport, caps: Caps): HtmlVariant {
  const r = v.runs[0];
  let run: HtmlRun | null = null;
  if (r !== undefined) {
    const kept = r.pods.length > caps.podCap ? [...r.pods].sort((a, b) => b.requests - a.requests).slice(0, caps.podCap) : r.pods;
    const keptSet = new Set(kept);
    const omitted = r.pods.filter((p) => !keptSet.has(p));
    run = {
      replication: r.replication,
      seed: r.seed,
      pods: r.pods.filter((p) => keptSet.has(p)),
      podsOmitted: omitted.length === 0 ? null : { count: omitted.length, requests: omitted.reduce((n, p) => n + p.requests, 0) },
      rollouts: r.rollouts,
      events: r.events.slice(0, caps.eventCap),
      eventsTotal: r.events.length,
      notes: r.notes,
    };
  }
  return {
    name: v.name,
    errors: v.errors,
    summary: {
      ...v.summary,
      metrics: Object.fromEntries(RANKED_METRICS.filter((id) => v.summary.metrics[id] !== undefined).map((id) => [id, v.summary.metrics[id]])),
      timeseries: v.summary.timeseries === null ? null : downsample(v.summary.timeseries, caps.bucketsPerPoint),
    },
    run,
  };
}

function seriesValues(t: PooledTimeseriesReport | null): number {
  if (t === null) return 0;
  return t.requests.length * (1 + Object.keys(t.outcomes).length + 3 + Object.keys(t.gauges).length);
}

/**
 * Merges every `k` buckets into one point: the mean of requests, outcomes and gauges (so rates keep
 * their unit), the largest of each latency percentile (a conservative envelope: percentiles do not
 * average). Values are rounded to 3 decimals (what the charts can show). k = 1 only rounds.
 */
export function downsample(t: PooledTimeseriesReport, k: number): HtmlSeries {
  const n = Math.ceil(t.requests.length / k);
  // index loops, no slice or filter per point: a long run's page would make two arrays a bucket and series
  const mean = (xs: readonly number[]): number[] => {
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const end = Math.min(xs.length, (i + 1) * k);
      let sum = 0;
      for (let j = i * k; j < end; j++) sum += xs[j]!;
      out[i] = r3(end > i * k ? sum / (end - i * k) : 0);
    }
    return out;
  };
  const meanNullable = (xs: readonly (number | null)[]): (number | null)[] => {
    const out = new Array<number | null>(n);
    for (let i = 0; i < n; i++) {
      const end = Math.min(xs.length, (i + 1) * k);
      let sum = 0;
      let m = 0;
      for (let j = i * k; j < end; j++) {
        const x = xs[j]!;
        if (x === null) continue;
        sum += x;
        m++;
      }
      out[i] = m === 0 ? null : r3(sum / m);
    }
    return out;
  };
  const max = (xs: readonly (number | null)[]): (number | null)[] => {
    const out = new Array<number | null>(n);
    for (let i = 0; i < n; i++) {
      const end = Math.min(xs.length, (i + 1) * k);
      let top = -Infinity;
      let m = 0;
      for (let j = i * k; j < end; j++) {
        const x = xs[j]!;
        if (x === null) continue;
        m++;
        if (Number.isNaN(x) || Number.isNaN(top)) top = NaN; // as Math.max
        else if (x > top) top = x;
      }
      out[i] = m === 0 ? null : r3(top);
    }
    return out;
  };
  const outcomes = Object.fromEntries(Object.entries(t.outcomes).map(([o, xs]) => [o, mean(xs)])) as PooledTimeseriesReport['outcomes'];
  const gauges = Object.fromEntries(Object.entries(t.gauges).map(([g, xs]) => [g, meanNullable(xs)]));
  return {
    intervalS: t.intervalS,
    requests: mean(t.requests),
    outcomes,
    latencyMs: { p50: max(t.latencyMs.p50), p90: max(t.latencyMs.p90), p99: max(t.latencyMs.p99) },
    gauges,
    runs: t.runs,
    bucketsPerPoint: k,
  };
}

function r3(x: number): number {
  const r = Math.round(x * 1000) / 1000;
  return Object.is(r, -0) ? 0 : r;
}

// -------------------------------------------------------------------------------------------------
// The page

/** HTML text with `& < > " '` escaped (for text and attribute values). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON for a `<script type="application/json">` element: `<` is written `\u003c` (so neither
 * `</script>` nor `<!--` can appear), and U+2028/U+2029 escaped too; JSON.parse reads it back unchanged.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Inline `<script>`/`<style>` bodies must not contain a closing tag (vendor code is checked, not trusted). */
function inlineSafe(text: string, tag: 'script' | 'style', what: string): string {
  if (new RegExp(`</${tag}`, 'i').test(text) || (tag === 'script' && /<!--/.test(text))) throw new Error(`${what} cannot be inlined: it contains </${tag}`);
  return text;
}

/** The page's content security policy: nothing may be loaded, inline script and style only. */
export const HTML_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

export interface HtmlAssets {
  uplotJs: string;
  uplotCss: string;
  clientJs: string;
  css: string;
}

let assets: HtmlAssets | undefined;

/**
 * The page's scripts and styles, read once per process: uPlot from the installed package (resolved
 * like an import, so it works from a checkout and from an installed kubesim), the page's own script
 * and style from `html/` beside this module (copied to dist/ by the build).
 */
export function htmlAssets(): HtmlAssets {
  if (assets === undefined) {
    const require = createRequire(import.meta.url);
    const own = (name: string) => readFileSync(new URL(`./html/${name}`, import.meta.url), 'utf8');
    assets = {
      uplotJs: inlineSafe(readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'), 'script', 'uPlot'),
      uplotCss: inlineSafe(readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'), 'style', 'uPlot'),
      clientJs: inlineSafe(own('client.js'), 'script', 'html/client.js'),
      css: inlineSafe(own('style.css'), 'style', 'html/style.css'),
    };
  }
  return assets;
}

/** The whole page. Deterministic: same model, same bytes. */
export function renderHtml(report: Report): string {
  const parts: string[] = [];
  writeHtmlPage(report, (p) => parts.push(p));
  return parts.join('');
}

/** `renderHtml` in pieces, in order, to `write` (the page data and uPlot are pieces of their own, not copied into one page string). */
export function writeHtmlPage(report: Report, write: (piece: string) => void): void {
  const a = htmlAssets();
  const names = report.scenarios.map((s) => s.name);
  const title = `kubesim report${names.length > 0 ? `: ${names.length > 3 ? `${names.slice(0, 3).join(', ')}, …` : names.join(', ')}` : ''}`;
  write(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(HTML_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kubesim ${escapeHtml(report.tool.version)}">
<title>${escapeHtml(title)}</title>
<style>${a.uplotCss}</style>
<style>${a.css}</style>
</head>
<body>
<header class="page-head">
<h1>kubesim report</h1>
<p class="muted">${escapeHtml(`${report.tool.name} ${report.tool.version} · ${report.scenarios.length} scenario${report.scenarios.length === 1 ? '' : 's'} · ${report.slosPass ? 'every SLO held' : 'an SLO failed'}${report.failedRuns > 0 ? ` · ${report.failedRuns} runs failed` : ''}`)}</p>
</header>
<main id="app"><noscript><p>This report draws its tables and charts with JavaScript; enable it, or read report.json.</p></noscript></main>
<script type="application/json" id="kubesim-data">`);
  write(scriptJson(htmlData(report)));
  write(`</script>
<script>
(function () {
// uPlot and the page script share one function scope: the page defines no global but window.__kubesimCharts
`);
  write(a.uplotJs);
  write('\n');
  write(a.clientJs);
  write(`
})();
</script>
</body>
</html>
`);
}

/** Writes `<out>/report.html` atomically; returns the path written. */
export function writeHtmlReport(report: Report, out: string): string {
  const file = path.join(out, REPORT_HTML);
  writeFileAtomicPieces(file, (write) => writeHtmlPage(report, write));
  return file;
}
