import { REPORT_OUTCOMES, type FindingSummary, type Report, type ScenarioReport, type SloSummary, type VariantReport } from './model.js';
import {
  baselineOf,
  comparisonOf,
  count,
  difference,
  estimate,
  ms,
  percent,
  rankVariants,
  secs,
  seconds,
  sloMeasured,
  sloValue,
  verdict,
  verdictHeadline,
  window,
  type SloCheck,
} from './text.js';

export { count, ms, percent, seconds, sloValue };

/**
 * The terminal summary, per scenario: a table with one column per variant, values pooled over the
 * variant's runs — requests, availability, latency (mean, p50, p90, p95, p99, max), failures by
 * outcome, rollout durations and SLO verdicts (✓/✗); where the failures happened (each finding's
 * window, one line each, with its trigger and fix); with several variants, their ranking and their
 * paired differences from the baseline. `renderVerdict` is the one closing line (the CLI prints it
 * after everything else).
 *
 * Every line fits in 100 columns (`TERMINAL_WIDTH`): a table with too many variants is split into
 * groups of columns, long strings are cut. Each row has one unit. Plain text unless `color` is set
 * (the CLI decides: see `useColor`). Strings from the scenario (names, SLOs, paths, targets) are
 * shown with control and bidi characters escaped and long ones shortened, so they cannot break the
 * layout or move the cursor.
 */
export interface TerminalOptions {
  color?: boolean;
}

/** The widest line the summary prints. */
export const TERMINAL_WIDTH = 100;

const MAX_TEXT = 60;
/** Widest label (first column) and widest variant name in a ranking. */
const MAX_LABEL = 48;
const MAX_NAME = 30;
/** Findings listed per variant (the rest are counted; all are in report.json). */
const MAX_FINDINGS = 8;

export function renderTerminal(report: Report, options: TerminalOptions = {}): string {
  const color = options.color === true;
  return report.scenarios.map((s) => renderScenario(s, color)).join('\n');
}

/**
 * Whether to colour stdout: `FORCE_COLOR` set to anything but `0`/`false` enables colour even when
 * not a terminal (and wins over NO_COLOR, as in Node itself); else a non-empty `NO_COLOR` disables
 * it (no-color.org); else colour exactly when stdout is a terminal.
 */
export function useColor(isTTY: boolean, env: Record<string, string | undefined>): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY;
}

/**
 * The closing line: `✓ 3 of 3 SLOs held` or `✗ 1 of 4 SLOs failed: availability >= 99% (98.090%)`
 * (each failed SLO with its measured value, as many as fit in 100 columns, then `+N more`).
 */
export function renderVerdict(report: Report, options: TerminalOptions = {}): string {
  const color = options.color === true;
  const v = verdict(report);
  const mark = v.pass ? '✓' : '✗';
  let line = `${mark} ${verdictHeadline(v)}`;
  if (v.failed.length > 0) {
    const several = report.scenarios.length > 1;
    const items = v.failed.map((c) => failedItem(c, several));
    let shown = 0;
    let text = `${line}: `;
    for (const item of items) {
      const rest = items.length - shown - 1;
      const more = rest > 0 ? `; +${rest} more` : '';
      const next = `${text}${shown > 0 ? '; ' : ''}${item}`;
      if (width(next + more) > TERMINAL_WIDTH && shown > 0) break;
      text = next;
      shown++;
    }
    line = shown < items.length ? `${text}; +${items.length - shown} more` : text;
    line = clean(line, TERMINAL_WIDTH);
  }
  return `${paint(line, v.pass ? 'ok' : 'bad', color)}\n`;
}

function failedItem(c: SloCheck, several: boolean): string {
  const where = [several ? clean(c.scenario, 30) : '', c.named ? clean(c.variant, 30) : ''].filter((x) => x !== '').join('/');
  const s = c.slo;
  const value = s.runs > 1 ? `${sloValue(s.pooledValue, s.unit, s.threshold)}; held in ${s.passed}/${s.runs} runs` : sloMeasured(s);
  return `${where === '' ? '' : `${where}: `}${clean(s.expr, 40)} (${value})`;
}

type Style = 'ok' | 'bad' | 'dim' | 'bold' | undefined;
interface Cell {
  text: string;
  style?: Style;
}

function renderScenario(s: ScenarioReport, color: boolean): string {
  const vs = s.variants;
  const rows: Cell[][] = [];
  const row = (label: string, cells: Cell[]) => rows.push([{ text: clean(label, MAX_LABEL) }, ...cells]);
  const each = (f: (v: VariantReport) => Cell) => vs.map(f);

  row('requests', each((v) => ({ text: count(v.summary.requests.total) })));
  row('ok', each((v) => ({ text: count(v.summary.requests.ok) })));
  row('failed', each((v) => ({ text: count(v.summary.requests.failed), style: v.summary.requests.failed > 0 ? 'bad' : undefined })));
  row('availability', each((v) => ({ text: percent(v.summary.availability) })));
  for (const key of ['mean', 'p50', 'p90', 'p95', 'p99', 'max'] as const) {
    row(`latency ${key}`, each((v) => ({ text: ms(v.summary.latencyMs[key]) })));
  }
  const failures = REPORT_OUTCOMES.filter((o) => o !== 'ok' && vs.some((v) => v.summary.requests.byOutcome[o] > 0));
  if (failures.length === 0) row('failures', each(() => ({ text: 'none' })));
  for (const o of failures) row(`failures ${o}`, each((v) => ({ text: count(v.summary.requests.byOutcome[o]) })));

  const targets = [...new Set(vs.flatMap((v) => v.summary.rollouts.map((r) => r.target)))].sort();
  if (targets.length === 0) row('rollouts', each(() => ({ text: 'none' })));
  for (const t of targets) {
    const of = (v: VariantReport) => v.summary.rollouts.find((x) => x.target === t);
    // a mean (and a max) when a variant had more than one rollout of the target (runs or undo)
    const several = vs.some((v) => (of(v)?.count ?? 0) > 1);
    row(`rollout ${clean(t)}${several ? ' mean' : ''}`, each((v) => ({ text: of(v) === undefined ? '-' : secs(of(v)!.durationS?.mean ?? null) })));
    if (several) row(`rollout ${clean(t)} max`, each((v) => ({ text: of(v) === undefined ? '-' : secs(of(v)!.durationS?.max ?? null) })));
    if (vs.some((v) => rolloutOutcomes(v, t) !== '')) row(`rollout ${clean(t)} outcome`, each((v) => ({ text: rolloutOutcomes(v, t) || '-' })));
  }

  const exprs = [...new Set([...s.slos, ...vs.flatMap((v) => v.summary.slos.map((x) => x.expr))])];
  if (exprs.length === 0) row('SLOs', each(() => ({ text: 'none' })));
  for (const expr of exprs) {
    row(`SLO ${clean(expr)}`, each((v) => (v.summary.slos.some((x) => x.expr === expr) ? sloCell(v.summary.slos.find((x) => x.expr === expr), v.summary.runs) : { text: '-' })));
  }
  if (vs.some((v) => v.errors.length > 0)) {
    row('failed runs', each((v) => ({ text: v.errors.length === 0 ? '0' : `${v.errors.length} of ${v.errors.length + v.runs.length}`, style: v.errors.length > 0 ? 'bad' : undefined })));
  }

  const header: Cell[] = [{ text: '' }, ...vs.map((v) => ({ text: clean(v.name, MAX_NAME), style: 'bold' as const }))];
  const replications = `${s.replications} replication${s.replications === 1 ? '' : 's'}`;
  const title = clean(s.name, TERMINAL_WIDTH);
  const about = clean(`${clean(s.file, 40)} · seed ${s.seed} · ${replications} · ${seconds(s.durationS)} simulated`, TERMINAL_WIDTH - 2);
  const parts = [`${paint(title, 'bold', color)}\n  ${about}\n${fitTable(header, rows, color)}\n`];
  const where = findingsText(s, color);
  if (where !== '') parts.push(where);
  if (vs.length > 1) parts.push(rankedTables(s, color));
  return parts.join('\n');
}

/** `2 stalled, 1 aborted`, with `N complete` beside them; empty when every rollout completed once per run. */
function rolloutOutcomes(v: VariantReport, target: string): string {
  const r = v.summary.rollouts.find((x) => x.target === target);
  if (r === undefined) return '';
  const others = (['stalled', 'aborted', 'in_progress'] as const).filter((o) => r.byOutcome[o] > 0).map((o) => `${r.byOutcome[o]} ${o.replace('_', ' ')}`);
  if (others.length === 0 && r.count === v.summary.runs) return '';
  return [...(r.byOutcome.complete > 0 ? [`${r.byOutcome.complete} complete`] : []), ...others].join(', ');
}

/**
 * Where the failures happened: each finding of each variant on one line — the requests, the
 * outcome, the window, the cause and its trigger — then the fix (on the lines below, wrapped, when
 * it does not fit on that line).
 */
function findingsText(s: ScenarioReport, color: boolean): string {
  const blocks: string[] = [];
  for (const v of s.variants) {
    const fs = v.summary.findings;
    if (fs.length === 0) continue;
    const whose = s.variants.length > 1 || v.name !== 'default' ? ` in ${clean(v.name, MAX_NAME)}` : '';
    const runs = v.summary.runs > 1 ? ` (${v.summary.runs} runs)` : '';
    const lines = [paint(`where failures happened${whose}${runs}:`, 'bold', color)];
    for (const f of fs.slice(0, MAX_FINDINGS)) lines.push(...findingLines(f, v.summary.runs, color));
    if (fs.length > MAX_FINDINGS) lines.push(`  … and ${fs.length - MAX_FINDINGS} more (see report.json)`);
    blocks.push(`${lines.join('\n')}\n`);
  }
  return blocks.join('\n');
}

function findingLines(f: FindingSummary, runs: number, color: boolean): string[] {
  const what = `${count(f.count)} ${f.outcome}`;
  const inRuns = runs > 1 ? ` in ${f.runs}/${runs} runs` : '';
  const cause = f.cause.replace(/_/g, ' ');
  const after = f.trigger === null ? '' : ` after ${clean(f.trigger.action, 20)} ${clean(f.trigger.target, 40)}`;
  const detail = f.trigger === null || f.trigger.detail === '' ? '' : ` (${clean(f.trigger.detail, 40)})`;
  const heads = [`  ${what}  ${window(f.fromS, f.toS)}${inRuns}  ${cause}${after}${detail}`, `  ${what}  ${window(f.fromS, f.toS)}${inRuns}  ${cause}${after}`];
  // with what the action did (the pod deleted, the image set) when that fits
  const plainHead = clean(heads.find((h) => width(h) <= TERMINAL_WIDTH) ?? heads[1]!, TERMINAL_WIDTH);
  const head = plainHead.startsWith(`  ${what}`) ? `  ${paint(what, 'bad', color)}${plainHead.slice(2 + what.length)}` : plainHead;
  if (f.fix === null) return [head];
  const fix = `fix: ${clean(f.fix, 400)}`;
  if (width(`${plainHead} — ${fix}`) <= TERMINAL_WIDTH) return [`${head} — ${fix}`];
  return [head, ...wrap(fix, '    ', '      ')];
}

/** Text wrapped at spaces into lines of at most 100 columns (a word longer than a line is cut). */
function wrap(text: string, first: string, rest: string): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(' ')) {
    const next = empty ? line + word : `${line} ${word}`;
    if (width(next) <= TERMINAL_WIDTH || empty) {
      line = next;
      empty = false;
    } else {
      lines.push(line);
      line = rest + word;
    }
  }
  lines.push(line);
  return lines.map((l) => clean(l, TERMINAL_WIDTH));
}

/**
 * With several variants: their ranking by mean availability (higher first), then mean p99 latency
 * (lower first), with 95% confidence intervals over the replications (as ± half-widths); then each
 * variant's paired difference from the baseline (the first variant) with its verdict.
 */
function rankedTables(s: ScenarioReport, color: boolean): string {
  const order = rankVariants(s);
  const baseline = baselineOf(s);
  const n = s.variants[0]!.summary.runs;
  const bold = (text: string): Cell => ({ text, style: 'bold' });
  const ranking: Cell[][] = [
    ['#', 'variant', 'availability', 'p99 latency'].map(bold),
    ...order.map((v, i) => [
      { text: String(i + 1) },
      { text: clean(v.name, MAX_NAME) },
      { text: estimate(v.summary.metrics.availability, 'fraction') },
      { text: estimate(v.summary.metrics['latency.p99'], 'ms') },
    ]),
  ];
  const others = s.variants.filter((v) => v.name !== baseline);
  const verdictCell = (v: VariantReport, id: 'availability' | 'latency.p99'): Cell[] => {
    const c = comparisonOf(s, v.name, id);
    if (c === undefined) return [{ text: '-' }, { text: '' }];
    const style: Style = c.verdict === 'better' ? 'ok' : c.verdict === 'worse' ? 'bad' : 'dim';
    return [{ text: difference(c, id === 'availability' ? 'fraction' : 'ms') }, { text: c.verdict === 'no significant difference' ? '≈' : c.verdict, style }];
  };
  const diffs: Cell[][] = [
    ['variant', 'Δ availability', '', 'Δ p99 latency', ''].map(bold),
    ...others.map((v) => [{ text: clean(v.name, MAX_NAME) }, ...verdictCell(v, 'availability'), ...verdictCell(v, 'latency.p99')]),
  ];
  const reps = `${n} replication${n === 1 ? '' : 's'}`;
  return [
    `${paint('variants ranked', 'bold', color)} by availability, then p99 latency (means over ${reps} ± 95% CI)`,
    layout(ranking, color, [1]),
    '',
    `${paint(`paired differences from ${clean(baseline, MAX_NAME)}`, 'bold', color)} (same seeds, ± 95% CI; ≈ not significant)`,
    layout(diffs, color, [0, 2, 4]),
    '',
  ].join('\n');
}

function sloCell(s: SloSummary | undefined, runs: number): Cell {
  if (s === undefined || runs === 0) return { text: '✗ no runs', style: 'bad' };
  const mark = s.pass ? '✓' : '✗';
  const value = sloValue(s.pooledValue, s.unit, s.threshold);
  const text = runs === 1 ? `${mark} ${value}` : `${mark} ${s.passed}/${s.runs} runs, pooled ${value}`;
  return { text, style: s.pass ? 'ok' : 'bad' };
}

// -------------------------------------------------------------------------------------------------
// Layout

const GAP = '   ';

/**
 * A label column and one value column per variant, in as many tables (groups of variant columns,
 * the labels repeated) as it takes for every line to fit in 100 columns.
 */
function fitTable(header: Cell[], rows: Cell[][], color: boolean): string {
  const all = [header, ...rows];
  const widths: number[] = [];
  for (const r of all) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, width(c.text))));
  const groups: number[][] = [];
  let used = 2 + widths[0]!;
  for (let i = 1; i < widths.length; i++) {
    const w = GAP.length + widths[i]!;
    if (groups.length === 0 || used + w > TERMINAL_WIDTH) {
      groups.push([i]);
      used = 2 + widths[0]! + w;
    } else {
      groups[groups.length - 1]!.push(i);
      used += w;
    }
  }
  if (groups.length === 0) return layout(all, color, [0]);
  return groups.map((g) => layout(all.map((r) => [r[0]!, ...g.map((i) => r[i]!)]), color, [0])).join('\n\n');
}

/** Aligned columns: those in `left` left-aligned, the others right-aligned; trailing blanks dropped. */
function layout(rows: Cell[][], color: boolean, left: number[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, width(c.text))));
  return rows
    .map((r) => {
      let line = '';
      let plain = '';
      r.forEach((c, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - width(c.text));
        const sep = i === 0 ? '' : GAP;
        const [a, b] = left.includes(i) ? [c.text, pad] : [pad, c.text];
        line += sep + (left.includes(i) ? paint(a, c.style, color) + b : a + paint(b, c.style, color));
        plain += sep + a + b;
      });
      // drop trailing blanks (of the plain text; colour codes come after the text they paint)
      const trailing = plain.length - plain.trimEnd().length;
      return `  ${trailing > 0 && line.endsWith(' '.repeat(trailing)) ? line.slice(0, line.length - trailing) : line}`;
    })
    .join('\n');
}

/** Display width in code points (wide East Asian characters count as one: an approximation). */
export function width(s: string): number {
  return [...s.replace(/\x1b\[[0-9;]*m/g, '')].length;
}

const CODES: Record<Exclude<Style, undefined>, [string, string]> = {
  ok: ['\x1b[32m', '\x1b[39m'],
  bad: ['\x1b[31m', '\x1b[39m'],
  dim: ['\x1b[2m', '\x1b[22m'],
  bold: ['\x1b[1m', '\x1b[22m'],
};

function paint(s: string, style: Style, color: boolean): string {
  if (!color || style === undefined || s === '') return s;
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
