import { writeHtmlReport } from './html.js';
import { writeJsonReport } from './json.js';
import { writeJunitReport } from './junit.js';
import { writeMarkdownReport } from './markdown.js';
import type { Report } from './model.js';

/**
 * The report formats `--format` accepts, by name. A writer renders the report model into files in the
 * --out folder (atomically) and returns the paths it wrote. The terminal summary is not a format: it
 * is printed on stdout unless --quiet.
 */
export interface ReportWriter {
  name: string;
  description: string;
  write(report: Report, out: string): string[];
}

const writers: ReportWriter[] = [
  { name: 'json', description: 'report.json: the whole report model (see reports/README.md)', write: (r, out) => [writeJsonReport(r, out)] },
  { name: 'html', description: 'report.html: one self-contained page with charts, findings and the event log (works offline)', write: (r, out) => [writeHtmlReport(r, out)] },
  { name: 'md', description: 'summary.md: verdict, SLOs, findings and ranking in Markdown (CI job summary, MR comment)', write: (r, out) => [writeMarkdownReport(r, out)] },
  { name: 'junit', description: 'junit.xml: one test case per SLO per variant (CI test reports)', write: (r, out) => [writeJunitReport(r, out)] },
];

export const REPORT_WRITERS: ReadonlyMap<string, ReportWriter> = new Map(writers.map((w) => [w.name, w]));

/** The formats written when --format is not given: report.json and report.html (those registered). */
export const DEFAULT_FORMATS: readonly string[] = ['json', 'html'];

/** An unusable --format value; the message says what was expected. */
export class FormatError extends Error {
  override name = 'FormatError';
}

/**
 * Parses a comma-separated format list (`json`, `json,html`): names are trimmed and lower-cased,
 * repeats dropped, order kept. Throws FormatError for an empty list or an unknown name.
 */
export function parseFormats(list: string): string[] {
  const names = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  const known = [...REPORT_WRITERS.keys()].join(', ');
  if (names.length === 0) throw new FormatError(`expected a comma-separated list of formats (${known})`);
  const unknown = names.filter((n) => !REPORT_WRITERS.has(n));
  if (unknown.length > 0) {
    throw new FormatError(`unknown format${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => JSON.stringify(n)).join(', ')}; available: ${known}`);
  }
  return [...new Set(names)];
}

/** Writes the report in each format (names from `parseFormats`); returns every path written. */
export function writeReports(report: Report, out: string, formats: readonly string[]): string[] {
  return formats.flatMap((f) => {
    const w = REPORT_WRITERS.get(f);
    if (w === undefined) throw new FormatError(`unknown format ${JSON.stringify(f)}`);
    return w.write(report, out);
  });
}
