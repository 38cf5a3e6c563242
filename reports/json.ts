import path from 'node:path';
import { writeFileAtomicPieces } from './atomic.js';
import type { Report } from './model.js';

/** The report.json file name inside the --out folder. */
export const REPORT_JSON = 'report.json';

/**
 * The report as JSON text: two-space indentation, except that arrays of plain values (numbers,
 * strings, booleans, null) stay on one line so time series remain readable and diffable. Keys keep
 * the model's order; the text ends with a newline. Deterministic: same model, same bytes.
 */
export function reportJsonText(report: Report): string {
  const pieces: string[] = [];
  writeReportJson(report, (p) => pieces.push(p));
  return pieces.join('');
}

/**
 * `reportJsonText` in pieces, in order, to `write`: no piece holds more than one scalar or key, so a
 * long run's report (a value a bucket in every series) is never built as one string per nesting level.
 */
export function writeReportJson(report: Report, write: (piece: string) => void): void {
  emit(report, '', write);
  write('\n');
}

/** Writes `<out>/report.json` atomically; returns the path written. */
export function writeJsonReport(report: Report, out: string): string {
  const file = path.join(out, REPORT_JSON);
  writeFileAtomicPieces(file, (write) => writeReportJson(report, write));
  return file;
}

function emit(value: unknown, indent: string, write: (piece: string) => void): void {
  if (value === null || typeof value !== 'object') {
    write(scalar(value));
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      write('[]');
    } else if (value.every((v) => v === null || typeof v !== 'object')) {
      // arrays of plain values on one line
      write('[');
      for (let i = 0; i < value.length; i++) {
        if (i > 0) write(', ');
        if (i in value) write(scalar(value[i])); // a hole: nothing, as join writes it
      }
      write(']');
    } else {
      write('[\n');
      for (let i = 0; i < value.length; i++) {
        if (!(i in value)) {
          if (i > 0) write(',\n'); // a hole: nothing, as join writes it
          continue;
        }
        write(i === 0 ? inner : `,\n${inner}`);
        emit(value[i], inner, write);
      }
      write(`\n${indent}]`);
    }
    return;
  }
  let first = true;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    write(`${first ? '{\n' : ',\n'}${inner}${JSON.stringify(k)}: `);
    first = false;
    emit(v, inner, write);
  }
  write(first ? '{}' : `\n${indent}}`);
}

function scalar(v: unknown): string {
  // JSON.stringify writes NaN and ±Infinity as null, undefined in arrays as null.
  return JSON.stringify(v) ?? 'null';
}
