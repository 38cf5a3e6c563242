/**
 * Diagnostics for bad input: every message names the file, the line and column (1-based), the field
 * path and what was expected, in the form compilers and eemeli/yaml use:
 *
 *   deploy.yaml:12:9: spec.replicas: expected a non-negative integer, got -1
 *   deploy.yaml:30:1: note: skipped ConfigMap/foo: kind not modelled yet
 *
 * A diagnostic without a position (line 0) prints as `file: message` — a file that cannot be read.
 * Nothing here ever includes a stack trace.
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

/** One line per diagnostic: `file:line:col: [note: ]path: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  const sev = d.severity === 'note' ? 'note: ' : '';
  const path = d.path === '' ? '' : `${d.path}: `;
  return `${where}: ${sev}${path}${d.message}`;
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
        : `${formatDiagnostics(sorted)}\n${errors} errors`,
    );
    this.diagnostics = sorted;
  }

  /** Just the formatted diagnostics (what a CLI prints). */
  override toString(): string {
    return this.message;
  }
}
