import path from 'node:path';
import { writeFileAtomic } from './atomic.js';
import type { Report } from './model.js';

/** The report.json file name inside the --out folder. */
export const REPORT_JSON = 'report.json';

/**
 * The report as JSON text: two-space indentation, except that arrays of plain values (numbers,
 * strings, booleans, null) stay on one line so time series remain readable and diffable. Keys keep
 * the model's order; the text ends with a newline. Deterministic: same model, same bytes.
 */
export function reportJsonText(report: Report): string {
  return `${stringify(report, '')}\n`;
}

/** Writes `<out>/report.json` atomically; returns the path written. */
export function writeJsonReport(report: Report, out: string): string {
  const file = path.join(out, REPORT_JSON);
  writeFileAtomic(file, reportJsonText(report));
  return file;
}

function stringify(value: unknown, indent: string): string {
  if (value === null || typeof value !== 'object') return scalar(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) return `[${value.map(scalar).join(', ')}]`;
    return `[\n${value.map((v) => inner + stringify(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stringify(v, inner)}`).join(',\n')}\n${indent}}`;
}

function scalar(v: unknown): string {
  // JSON.stringify writes NaN and ±Infinity as null, undefined in arrays as null.
  return JSON.stringify(v) ?? 'null';
}
