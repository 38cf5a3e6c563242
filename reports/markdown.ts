import path from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { REPORT_OUTCOMES, type FindingSummary, type Report, type ScenarioReport, type SloSummary, type VariantReport } from './model.js';
import { clean } from './terminal.js';
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
  sloValue,
  verdict,
  verdictHeadline,
  window,
} from './text.js';

/** The summary.md file name inside the --out folder. */
export const SUMMARY_MD = 'summary.md';

/**
 * summary.md: the report as GitHub-flavoured Markdown for a CI job summary (`$GITHUB_STEP_SUMMARY`)
 * or a merge-request comment (GitLab, GitHub): the verdict, then per scenario the SLO table (each
 * SLO, its value per variant, ✅/❌), the key figures, where the failures happened (one line per
 * finding with its window and fix), and with several variants their ranking with 95% intervals and
 * paired differences from the baseline.
 *
 * Only headings, paragraphs, lists and tables — no raw HTML, which those renderers strip. Every
 * string from the scenario (names, SLOs, paths, messages) is escaped (`escapeMarkdown`), so it
 * renders as the text it is: never as markup, a link, a mention or HTML. Deterministic: the same
 * model gives the same bytes.
 */
export function renderMarkdown(report: Report): string {
  const v = verdict(report);
  const lines = [`## ${v.pass ? '✅' : '❌'} kubesim: ${verdictHeadline(v)}`, ''];
  if (v.failed.length > 0) {
    const several = report.scenarios.length > 1;
    for (const c of v.failed) {
      const where = [several ? c.scenario : '', c.named ? c.variant : ''].filter((x) => x !== '').map((x) => md(x)).join(' / ');
      lines.push(`- ❌ ${where === '' ? '' : `${where}: `}${md(c.slo.expr)} — measured ${measured(c.slo)}`);
    }
    lines.push('');
  }
  for (const s of report.scenarios) lines.push(...scenario(s));
  lines.push(`Written by kubesim ${md(report.tool.version)}.`, '');
  return lines.join('\n');
}

/** Writes `<out>/summary.md` atomically; returns the path written. */
export function writeMarkdownReport(report: Report, out: string): string {
  const file = path.join(out, SUMMARY_MD);
  writeFileAtomic(file, renderMarkdown(report));
  return file;
}

function scenario(s: ScenarioReport): string[] {
  const vs = s.variants;
  const reps = `${s.replications} replication${s.replications === 1 ? '' : 's'}`;
  const out = [`### ${md(s.name)}`, '', `${md(s.file)} · seed ${s.seed} · ${reps} · ${seconds(s.durationS)} simulated`, ''];
  const names = vs.map((v) => md(v.name));

  // SLOs
  const exprs = [...new Set([...s.slos, ...vs.flatMap((v) => v.summary.slos.map((x) => x.expr))])];
  if (exprs.length === 0) {
    out.push('No SLOs: the scenario sets none.', '');
  } else {
    const rows = exprs.map((expr) => [md(expr), ...vs.map((v) => sloCell(v.summary.slos.find((x) => x.expr === expr), v.summary.runs))]);
    out.push(...variantTable('SLO', names, rows), '');
  }

  // figures: one unit per row
  const rows: string[][] = [];
  const row = (label: string, f: (v: VariantReport) => string) => rows.push([label, ...vs.map(f)]);
  row('requests', (v) => count(v.summary.requests.total));
  row('failed', (v) => count(v.summary.requests.failed));
  for (const o of REPORT_OUTCOMES.filter((o) => o !== 'ok' && vs.some((v) => v.summary.requests.byOutcome[o] > 0))) {
    row(`failed: ${o.replace(/_/g, '\\_')}`, (v) => count(v.summary.requests.byOutcome[o]));
  }
  row('availability', (v) => percent(v.summary.availability));
  for (const key of ['mean', 'p50', 'p95', 'p99', 'max'] as const) row(`latency ${key}`, (v) => ms(v.summary.latencyMs[key]));
  for (const t of [...new Set(vs.flatMap((v) => v.summary.rollouts.map((r) => r.target)))].sort()) {
    row(`rollout ${md(t)} (mean)`, (v) => {
      const r = v.summary.rollouts.find((x) => x.target === t);
      if (r === undefined) return '-';
      const others = (['stalled', 'aborted', 'in_progress'] as const).filter((o) => r.byOutcome[o] > 0).map((o) => `${r.byOutcome[o]} ${o.replace('_', ' ')}`);
      return [secs(r.durationS?.mean ?? null), ...others].join(', ');
    });
  }
  if (vs.some((v) => v.errors.length > 0)) row('failed runs', (v) => `${v.errors.length} of ${v.errors.length + v.runs.length}`);
  out.push(...variantTable('', names, rows), '');

  // findings
  const findings = vs.flatMap((v) => v.summary.findings.map((f) => ({ v, f })));
  if (findings.length > 0) {
    out.push('#### Where failures happened', '');
    const named = vs.length > 1 || vs[0]!.name !== 'default';
    for (const { v, f } of findings) out.push(`- ${named ? `**${md(v.name)}**: ` : ''}${finding(f, v.summary.runs)}`);
    out.push('');
  }

  // failed runs
  const errors = vs.flatMap((v) => v.errors.map((e) => ({ v, e })));
  if (errors.length > 0) {
    out.push('#### Failed runs (internal errors)', '');
    for (const { v, e } of errors) out.push(`- ${md(v.name)} replication ${e.replication} (seed ${e.seed}): ${mdText(e.message)}`);
    out.push('');
  }

  if (vs.length > 1) out.push(...ranking(s));
  return out;
}

function finding(f: FindingSummary, runs: number): string {
  const inRuns = runs > 1 ? ` (in ${f.runs} of ${runs} runs)` : '';
  const head = `**${count(f.count)} ${md(f.outcome)}** · ${window(f.fromS, f.toS)}${inRuns} · ${md(f.cause.replace(/_/g, ' '))}`;
  return `${head}: ${mdText(f.message)}${f.fix === null ? '' : ` **Fix:** ${mdText(f.fix)}`}`;
}

function ranking(s: ScenarioReport): string[] {
  const baseline = baselineOf(s);
  const n = s.variants[0]!.summary.runs;
  const diff = (v: VariantReport, id: 'availability' | 'latency.p99') => {
    if (v.name === baseline) return 'baseline';
    const c = comparisonOf(s, v.name, id);
    return c === undefined ? '-' : `${difference(c, id === 'availability' ? 'fraction' : 'ms')} ${c.verdict === 'better' ? '✅ better' : c.verdict === 'worse' ? '❌ worse' : '(no significant difference)'}`;
  };
  const rows = rankVariants(s).map((v, i) => [
    String(i + 1),
    md(v.name),
    estimate(v.summary.metrics.availability, 'fraction'),
    estimate(v.summary.metrics['latency.p99'], 'ms'),
    diff(v, 'availability'),
    diff(v, 'latency.p99'),
  ]);
  return [
    '#### Variants ranked',
    '',
    `By availability, then p99 latency: means over ${n} replication${n === 1 ? '' : 's'} ± 95% confidence interval; differences paired with the baseline **${md(baseline)}** replication by replication (common random numbers).`,
    '',
    ...table(['#', 'variant', 'availability', 'p99 latency', 'Δ availability', 'Δ p99 latency'], ['r', 'l', 'r', 'r', 'r', 'r'], rows),
    '',
  ];
}

function sloCell(s: SloSummary | undefined, runs: number): string {
  if (s === undefined) return '-';
  if (runs === 0) return '❌ no finished run';
  const value = sloValue(s.pooledValue, s.unit, s.threshold);
  return `${s.pass ? '✅' : '❌'} ${value}${runs > 1 ? ` (held in ${s.passed} of ${s.runs} runs)` : ''}`;
}

function measured(s: SloSummary): string {
  if (s.runs === 0) return 'nothing (no run finished)';
  const value = sloValue(s.pooledValue, s.unit, s.threshold);
  return s.runs === 1 ? value : `${value} over ${s.runs} replications (held in ${s.passed} of ${s.runs})`;
}

// -------------------------------------------------------------------------------------------------
// Markdown

/** Variants that fit side by side as columns; with more, each variant is a row (the table turned). */
const MAX_VARIANT_COLUMNS = 4;

/**
 * A table of `rows` (a label, then one value per variant): one column per variant, or with more
 * than 4 variants one row per variant and one column per label, so it stays readable.
 */
function variantTable(corner: string, names: string[], rows: string[][]): string[] {
  if (names.length <= MAX_VARIANT_COLUMNS) return table([corner, ...names], ['l', ...names.map(() => 'r' as const)], rows);
  const labels = rows.map((r) => r[0]!);
  return table(['variant', ...labels], ['l', ...labels.map(() => 'r' as const)], names.map((n, i) => [n, ...rows.map((r) => r[i + 1]!)]));
}

function table(header: string[], align: ('l' | 'r')[], rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(align.map((a) => (a === 'r' ? '---:' : '---'))), ...rows.map(line)];
}

/** A user string for Markdown text (names, SLOs): see `escapeMarkdown`; long ones cut at 200 code points. */
function md(s: string): string {
  return escapeMarkdown(clean(s, 200));
}

/** A sentence (a finding's message or fix, an error): escaped, not cut. */
function mdText(s: string): string {
  return escapeMarkdown(clean(s, Number.MAX_SAFE_INTEGER));
}

/**
 * Escapes text for GitHub-flavoured Markdown (inline, also inside table cells): every ASCII
 * punctuation character that can start markup — emphasis, code, links, images, autolinks, raw HTML,
 * headings, lists, tables, entities, emoji shortcodes, mentions, math — gets a backslash (CommonMark
 * lets any ASCII punctuation be escaped that way), and line breaks become spaces. So
 * `<img src=x onerror=alert(1)>` shows as that text.
 */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/[\\`*_{}[\]()<>#+\-.!|~&:@$^=]/g, (c) => `\\${c}`);
}
