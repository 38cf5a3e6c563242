import { REPORT_OUTCOMES, type EstimateJSON, type MetricComparisonJSON, type Report, type ScenarioReport, type SloSummary, type SloUnit, type VariantReport } from './model.js';

/**
 * The terminal summary: one table per scenario, one column per variant, values pooled over the
 * variant's runs — requests, availability, p50/p90/p99/max latency, failures by outcome, rollout
 * durations and SLO verdicts (✓/✗).
 *
 * Plain text unless `color` is set (the CLI sets it only when stdout is a TTY and NO_COLOR is unset).
 * Strings from the scenario (names, SLOs, paths, targets) are shown with control and bidi characters
 * escaped and long ones shortened, so they cannot break the layout or move the cursor.
 */
export interface TerminalOptions {
  color?: boolean;
}

const MAX_TEXT = 60;

export function renderTerminal(report: Report, options: TerminalOptions = {}): string {
  const color = options.color === true;
  return report.scenarios.map((s) => renderScenario(s, color)).join('\n');
}

type Style = 'ok' | 'bad' | 'dim' | 'bold' | undefined;
interface Cell {
  text: string;
  style?: Style;
}

function renderScenario(s: ScenarioReport, color: boolean): string {
  const vs = s.variants;
  const rows: Cell[][] = [];
  const row = (label: string, cells: Cell[]) => rows.push([{ text: label }, ...cells]);
  const each = (f: (v: VariantReport) => Cell) => vs.map(f);

  row('requests', each((v) => ({ text: count(v.summary.requests.total) })));
  row('ok', each((v) => ({ text: count(v.summary.requests.ok) })));
  row('failed', each((v) => ({ text: count(v.summary.requests.failed), style: v.summary.requests.failed > 0 ? 'bad' : undefined })));
  row('availability', each((v) => ({ text: percent(v.summary.availability) })));
  for (const [label, key] of [['latency p50', 'p50'], ['latency p90', 'p90'], ['latency p99', 'p99'], ['latency max', 'max']] as const) {
    row(label, each((v) => ({ text: ms(v.summary.latencyMs[key]) })));
  }
  const failures = REPORT_OUTCOMES.filter((o) => o !== 'ok' && vs.some((v) => v.summary.requests.byOutcome[o] > 0));
  if (failures.length === 0) row('failures', each(() => ({ text: 'none' })));
  for (const o of failures) row(`failures ${o}`, each((v) => ({ text: count(v.summary.requests.byOutcome[o]) })));

  const targets = [...new Set(vs.flatMap((v) => v.summary.rollouts.map((r) => r.target)))].sort();
  if (targets.length === 0) row('rollouts', each(() => ({ text: 'none' })));
  for (const t of targets) {
    row(`rollout ${clean(t)}`, each((v) => ({ text: rolloutText(v, t) })));
  }

  const exprs = [...new Set([...s.slos, ...vs.flatMap((v) => v.summary.slos.map((x) => x.expr))])];
  if (exprs.length === 0) row('SLOs', each(() => ({ text: 'none' })));
  for (const expr of exprs) {
    row(`SLO ${clean(expr)}`, each((v) => (v.summary.slos.some((x) => x.expr === expr) ? sloCell(v.summary.slos.find((x) => x.expr === expr), v.summary.runs) : { text: '-' })));
  }
  if (vs.some((v) => v.errors.length > 0)) {
    row('failed runs', each((v) => ({ text: v.errors.length === 0 ? '0' : `${v.errors.length} of ${v.errors.length + v.runs.length}`, style: v.errors.length > 0 ? 'bad' : undefined })));
  }

  const header: Cell[] = [{ text: '' }, ...vs.map((v) => ({ text: clean(v.name), style: 'bold' as const }))];
  const replications = `${s.replications} replication${s.replications === 1 ? '' : 's'}`;
  const title = `${clean(s.name)} · ${clean(s.file)} · seed ${s.seed} · ${replications} · ${seconds(s.durationS)} simulated`;
  const ranked = vs.length > 1 ? `\n${rankedTable(s, color)}` : '';
  return `${paint(title, 'bold', color)}\n${table([header, ...rows], color)}\n${ranked}`;
}

/**
 * Variants ranked by mean availability (higher first), then mean p99 latency (lower first), with
 * 95% confidence intervals over the replications and each variant's paired difference from the
 * baseline (the first variant) with its verdict.
 */
function rankedTable(s: ScenarioReport, color: boolean): string {
  const mean = (v: VariantReport, id: 'availability' | 'latency.p99') => v.summary.metrics[id].mean;
  const order = [...s.variants].sort(
    (a, b) =>
      (mean(b, 'availability') ?? -1) - (mean(a, 'availability') ?? -1) ||
      (mean(a, 'latency.p99') ?? Infinity) - (mean(b, 'latency.p99') ?? Infinity) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const baseline = s.comparison?.baseline ?? s.variants[0]!.name;
  const vsCell = (v: VariantReport, id: 'availability' | 'latency.p99', fmt: (x: number) => string): Cell => {
    if (v.name === baseline) return { text: 'baseline', style: 'dim' };
    const c = s.comparison?.variants.find((x) => x.variant === v.name)?.metrics[id];
    return c === undefined ? { text: '-' } : differenceCell(c, fmt);
  };
  const pct = (x: number) => `${(x * 100).toFixed(3)}pp`;
  const msd = (x: number) => `${x.toFixed(1)} ms`;
  const rows: Cell[][] = [
    ['#', 'variant', 'availability (95% CI)', 'p99 latency (95% CI)', `Δ availability vs ${clean(baseline)}`, `Δ p99 vs ${clean(baseline)}`].map((text) => ({ text, style: 'bold' as const })),
    ...order.map((v, i) => [
      { text: String(i + 1) },
      { text: clean(v.name) },
      { text: estimateText(v.summary.metrics.availability, (x) => percent(x)) },
      { text: estimateText(v.summary.metrics['latency.p99'], (x) => ms(x)) },
      vsCell(v, 'availability', pct),
      vsCell(v, 'latency.p99', msd),
    ]),
  ];
  const n = s.variants[0]!.summary.runs;
  return `ranked by availability, then p99 latency · means over ${n} replication${n === 1 ? '' : 's'}, paired differences (common random numbers)\n${table(rows, color)}\n`;
}

function estimateText(e: EstimateJSON, fmt: (x: number) => string): string {
  if (e.mean === null) return 'n/a';
  return e.ci95 === null ? fmt(e.mean) : `${fmt(e.mean)} [${fmt(e.ci95[0])}, ${fmt(e.ci95[1])}]`;
}

function differenceCell(c: MetricComparisonJSON, fmt: (x: number) => string): Cell {
  if (c.difference === null) return { text: 'n/a' };
  const signed = (x: number) => `${x > 0 ? '+' : ''}${fmt(x)}`;
  const ci = c.ci95 === null ? '' : ` [${signed(c.ci95[0])}, ${signed(c.ci95[1])}]`;
  const style: Style = c.verdict === 'better' ? 'ok' : c.verdict === 'worse' ? 'bad' : 'dim';
  return { text: `${signed(c.difference)}${ci} ${c.verdict}`, style };
}

function rolloutText(v: VariantReport, target: string): string {
  const r = v.summary.rollouts.find((x) => x.target === target);
  if (r === undefined) return '-';
  const parts: string[] = [];
  if (r.durationS !== null) {
    parts.push(r.byOutcome.complete > 1 ? `${seconds(r.durationS.mean)} mean, ${seconds(r.durationS.max)} max` : seconds(r.durationS.mean));
  }
  const others = (['stalled', 'aborted', 'in_progress'] as const).filter((o) => r.byOutcome[o] > 0).map((o) => `${r.byOutcome[o]} ${o.replace('_', ' ')}`);
  if (r.byOutcome.complete > 0 && (others.length > 0 || r.count > 1)) parts.push(`${r.byOutcome.complete} complete`);
  parts.push(...others);
  return parts.join(', ');
}

function sloCell(s: SloSummary | undefined, runs: number): Cell {
  if (s === undefined || runs === 0) return { text: '✗ no runs', style: 'bad' };
  const mark = s.pass ? '✓' : '✗';
  const value = sloValue(s.pooledValue, s.unit);
  const text = runs === 1 ? `${mark} ${value}` : `${mark} ${s.passed}/${s.runs} runs, pooled ${value}`;
  return { text, style: s.pass ? 'ok' : 'bad' };
}

/** An SLO value in its unit: a percentage, milliseconds (seconds from 10 s on) or a count; `n/a` for null. */
export function sloValue(v: number | null, unit: SloUnit): string {
  if (v === null) return 'n/a';
  if (unit === 'fraction') return percent(v);
  if (unit === 'seconds') return v < 10 ? ms(v * 1000) : seconds(v);
  return count(v);
}

// -------------------------------------------------------------------------------------------------
// Layout

function table(rows: Cell[][], color: boolean): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, width(c.text))));
  return rows
    .map((r) =>
      r
        .map((c, i) => {
          const pad = ' '.repeat((widths[i] ?? 0) - width(c.text));
          // the label column is left-aligned, values right-aligned
          const padded = i === 0 ? c.text + pad : pad + c.text;
          return paint(padded, c.style, color);
        })
        .join('   ')
        .replace(/\s+$/, ''),
    )
    .map((line) => `  ${line}`)
    .join('\n');
}

/** Display width in code points (wide East Asian characters count as one: an approximation). */
function width(s: string): number {
  return [...s].length;
}

const CODES: Record<Exclude<Style, undefined>, [string, string]> = {
  ok: ['\x1b[32m', '\x1b[39m'],
  bad: ['\x1b[31m', '\x1b[39m'],
  dim: ['\x1b[2m', '\x1b[22m'],
  bold: ['\x1b[1m', '\x1b[22m'],
};

function paint(s: string, style: Style, color: boolean): string {
  if (!color || style === undefined) return s;
  const [on, off] = CODES[style];
  return on + s + off;
}

/**
 * A user string made safe for one table cell: control characters (C0, DEL, C1), line and paragraph
 * separators and bidi controls are written as escapes (`\n`, `\u202e`), and text longer than 60
 * code points is cut with an ellipsis.
 */
export function clean(s: string, max = MAX_TEXT): string {
  const escaped = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    switch (c) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
  const chars = [...escaped];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : escaped;
}

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

/** Milliseconds with a precision that suits the size. */
export function ms(x: number | null): string {
  if (x === null) return 'n/a';
  if (x < 10) return `${x.toFixed(2)} ms`;
  if (x < 1000) return `${x.toFixed(1)} ms`;
  return `${count(Math.round(x))} ms`;
}

/** Seconds as 42.5s, 2m, 1m30s, 1h5m. */
export function seconds(s: number): string {
  if (s < 60) return `${Number(s.toFixed(1))}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s - h * 3600) / 60);
  const rest = Number((s - h * 3600 - m * 60).toFixed(1));
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${rest > 0 ? `${rest}s` : ''}`;
}
