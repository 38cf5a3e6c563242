/**
 * Diagnostics for bad input: every message names the file, the line and column (1-based), the field
 * path and what was expected, in the form compilers and eemeli/yaml use:
 *
 *   deploy.yaml:12:9: spec.replicas: expected a non-negative integer, got -1
 *   deploy.yaml:30:1: note: skipped ConfigMap/foo: kind not modelled yet
 *
 * A diagnostic without a position (line 0) is about the file as a whole (it cannot be read, it is too
 * large, a folder holds no YAML): a tool error, printed `kubesim: file: message` like every other
 * message kubesim itself writes. Nothing here ever includes a stack trace.
 */

export type Severity = 'error' | 'note';

export interface Diagnostic {
  /** The file as the user named it (or as resolved relative to the scenario file that named it). */
  file: string;
  /** 1-based line; 0 when there is no position (the file itself is the problem). */
  line: number;
  /** 1-based column; 0 when there is no position. */
  col: number;
  /** Field path like `spec.template.spec.containers[0].image`; empty for the document or the file. */
  path: string;
  message: string;
  severity: Severity;
}

/**
 * One line per diagnostic: `file:line:col: [note: ]path: message` (without a position
 * `kubesim: file: message`), control characters escaped.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : `kubesim: ${d.file}`;
  const sev = d.severity === 'note' ? 'note: ' : '';
  const path = d.path === '' ? '' : `${d.path}: `;
  return escapeControl(`${where}: ${sev}${path}${d.message}`);
}

/**
 * Text from a scenario file made safe for a terminal and a log line: C0 and C1 control characters
 * (ESC included, and newlines), DEL, and the invisible and bidirectional formatting characters are
 * written as `\uXXXX`, so a scenario cannot move the cursor, recolour or hide text, or forge lines.
 */
export function escapeControl(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Most characters of user text quoted in a message (the rest is elided, with the length). */
export const MAX_EXCERPT = 40;

/** A short, quoted, escaped excerpt of user text: `"PATH=/usr/bin:…" (4096 characters)`. Never the whole of a long text. */
export function excerpt(s: string, max = MAX_EXCERPT): string {
  const chars = [...s];
  if (chars.length <= max) return escapeControl(JSON.stringify(s));
  return `${escapeControl(JSON.stringify(chars.slice(0, max).join('')).slice(0, -1))}…" (${chars.length} characters)`;
}

/** All diagnostics, one per line, in the order given. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map(formatDiagnostic).join('\n');
}

/** Orders diagnostics by file, line, column (then path and message, so the order is total). */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    cmp(a.file, b.file) || a.line - b.line || a.col - b.col || cmp(a.path, b.path) || cmp(a.message, b.message)
  );
}

export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort(compareDiagnostics);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Bad input: carries every error found (sorted by file, line, column). The message is the formatted
 * list, so printing `err.message` is enough; the CLI prints it without the stack and exits with 2.
 */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    const sorted = sortDiagnostics([...diagnostics]);
    const errors = sorted.filter((d) => d.severity === 'error').length;
    super(
      errors === 1
        ? formatDiagnostics(sorted)
        : `${formatDiagnostics(sorted)}\nkubesim: ${errors} errors`,
    );
    this.diagnostics = sorted;
  }

  /** Just the formatted diagnostics (what a CLI prints). */
  override toString(): string {
    return this.message;
  }
}
