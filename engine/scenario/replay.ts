import type { Diagnostic } from './diagnostics.js';
import { InputFileError, readInputFile, type FileOptions } from './files.js';

/**
 * Replayed traffic from a CSV file (a production access log turned into send times, or a rate curve):
 *
 * - `format: timestamps` — one send time per line, in seconds from the start of the run (the first
 *   column when there are several), ascending. Replayed exactly: no randomness.
 * - `format: rates` — lines `time,rate`: from `time` (seconds) on, the rate is `rate` requests per
 *   second, until the next line; arrivals within follow the traffic's `arrivals` (poisson/constant).
 *
 * A first line that is not numeric is a header; blank lines and lines starting with `#` are skipped.
 * Errors carry the CSV's own file:line:col.
 */
export type Replay =
  | { format: 'timestamps'; file: string; times: number[] }
  | { format: 'rates'; file: string; steps: Array<{ at: number; rate: number }> };

export function readReplay(file: string, format: 'timestamps' | 'rates', options: FileOptions = {}): { replay?: Replay; errors: Diagnostic[] } {
  let text: string;
  try {
    text = readInputFile(file, options);
  } catch (e) {
    if (!(e instanceof InputFileError)) throw e;
    const why = e.message.replace(/^cannot read file: /, '').replace(/^no such file or directory$/, 'no such file');
    return { errors: [{ file, line: 0, col: 0, path: '', message: `cannot read the replay file: ${why}`, severity: 'error' }] };
  }
  return parseReplay(file, text, format);
}

export function parseReplay(file: string, text: string, format: 'timestamps' | 'rates'): { replay?: Replay; errors: Diagnostic[] } {
  const errors: Diagnostic[] = [];
  const err = (line: number, col: number, message: string) => errors.push({ file, line, col, path: '', message, severity: 'error' });
  const rows: Array<{ line: number; cells: Array<{ col: number; text: string }> }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    const cells: Array<{ col: number; text: string }> = [];
    let col = 1;
    for (const part of raw.split(',')) {
      const lead = part.length - part.trimStart().length;
      cells.push({ col: col + lead, text: part.trim() });
      col += part.length + 1;
    }
    rows.push({ line: i + 1, cells });
  });
  if (rows.length > 0 && !isNumber(rows[0]!.cells[0]!.text)) rows.shift(); // header
  if (rows.length === 0) {
    err(0, 0, 'the replay file has no data lines');
    return { errors };
  }
  const num = (row: (typeof rows)[number], i: number, what: string): number => {
    const cell = row.cells[i];
    if (cell === undefined) {
      err(row.line, (row.cells.at(-1)?.col ?? 1) + (row.cells.at(-1)?.text.length ?? 0), `expected ${what} in column ${i + 1}`);
      return NaN;
    }
    if (!isNumber(cell.text) || Number(cell.text) < 0) {
      err(row.line, cell.col, `expected ${what} (a non-negative number), got "${cell.text}"`);
      return NaN;
    }
    return Number(cell.text);
  };
  let prev = -Infinity;
  if (format === 'timestamps') {
    const times: number[] = [];
    for (const row of rows) {
      const t = num(row, 0, 'a send time in seconds');
      if (Number.isNaN(t)) continue;
      if (t < prev) err(row.line, row.cells[0]!.col, `send times must not decrease (${t} after ${prev})`);
      prev = t;
      times.push(t);
    }
    return errors.length ? { errors } : { replay: { format, file, times }, errors };
  }
  const steps: Array<{ at: number; rate: number }> = [];
  for (const row of rows) {
    const at = num(row, 0, 'a time in seconds');
    const rate = num(row, 1, 'a rate in requests per second');
    if (Number.isNaN(at) || Number.isNaN(rate)) continue;
    if (at <= prev) err(row.line, row.cells[0]!.col, `times must increase (${at} after ${prev})`);
    prev = at;
    steps.push({ at, rate });
  }
  return errors.length ? { errors } : { replay: { format, file, steps }, errors };
}

function isNumber(s: string): boolean {
  return s !== '' && Number.isFinite(Number(s));
}
