import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { writeFileAtomic, writeFileAtomicPieces } from '../../../reports/atomic.js';
import { DEFAULT_FORMATS, FormatError, parseFormats, REPORT_WRITERS, writeReports } from '../../../reports/formats.js';
import { REPORT_JSON, reportJsonText, writeJsonReport, writeReportJson } from '../../../reports/json.js';
import type { Report } from '../../../reports/model.js';
import { renderJunit } from '../../../reports/junit.js';
import { renderMarkdown } from '../../../reports/markdown.js';
import { report, variant } from './fixtures.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kubesim-json-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('creates the folder and writes the file, leaving no temporary file', () => {
    const file = path.join(dir, 'a', 'b', 'out.json');
    writeFileAtomic(file, 'hello ✓\n');
    expect(readFileSync(file, 'utf8')).toBe('hello ✓\n');
    expect(readdirSync(path.dirname(file))).toEqual(['out.json']);
  });

  it('replaces an existing file whole', () => {
    const file = path.join(dir, 'out.json');
    writeFileSync(file, 'old contents that are longer than the new ones');
    writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['out.json']);
  });

  it('on failure removes its temporary file, keeps what was there and rethrows', () => {
    const target = path.join(dir, 'out.json');
    mkdirSync(target);
    writeFileSync(path.join(target, 'keep'), 'x');
    expect(() => writeFileAtomic(target, 'data')).toThrow(/EISDIR|ENOTEMPTY|EEXIST|EPERM/);
    expect(readdirSync(dir)).toEqual(['out.json']);
    expect(readdirSync(target)).toEqual(['keep']);
  });

  it('writes large text completely', () => {
    const file = path.join(dir, 'big.txt');
    const text = 'x'.repeat(5_000_000);
    writeFileAtomic(file, text);
    expect(readFileSync(file, 'utf8').length).toBe(5_000_000);
  });
});

describe('writeFileAtomicPieces', () => {
  it('writes the pieces in order, characters of several bytes across its 64 K chunks included', () => {
    const file = path.join(dir, 'pieces.txt');
    const pieces = Array.from({ length: 30_000 }, (_, i) => `${i}✓é`);
    writeFileAtomicPieces(file, (write) => pieces.forEach(write));
    expect(readFileSync(file, 'utf8')).toBe(pieces.join(''));
  });

  it('leaves the old file and no temporary file when the producer throws midway', () => {
    const file = path.join(dir, 'keep.txt');
    writeFileSync(file, 'old');
    expect(() =>
      writeFileAtomicPieces(file, (write) => {
        write('x'.repeat(200_000)); // already on disk in the temporary file
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });
});

/** The writer as it was before it wrote in pieces: the bytes the pieces must add up to. */
function wholeText(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) return `[${value.map((v) => JSON.stringify(v) ?? 'null').join(', ')}]`;
    return `[\n${value.map((v) => inner + wholeText(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${wholeText(v, inner)}`).join(',\n')}\n${indent}}`;
}

describe('report.json text', () => {
  it('is what the whole-string writer wrote, for any JSON-like value (holes, undefined, NaN, nesting)', () => {
    const leaf = fc.oneof(fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('tree')), fc.sparseArray(tie('tree')), fc.dictionary(fc.string(), tie('tree'))),
    }));
    fc.assert(
      fc.property(tree, (v) => {
        expect(reportJsonText(v as unknown as Report)).toBe(`${wholeText(v)}\n`);
      }),
      { numRuns: 500 },
    );
    const r = report([variant('default'), variant('canary')], ['availability >= 99%']);
    expect(reportJsonText(r)).toBe(`${wholeText(r)}\n`);
  });

  it('comes in pieces of at most one value or key, however long the series', () => {
    const r = report([variant('default')]);
    const n = 100_000;
    const long = { ...r, series: { requests: Array.from({ length: n }, (_, i) => i * 1.5), p50: new Array(n).fill(null) } } as unknown as Report;
    let longest = 0;
    let total = 0;
    writeReportJson(long, (p) => {
      longest = Math.max(longest, p.length);
      total += p.length;
    });
    expect(total).toBe(reportJsonText(long).length);
    expect(longest).toBeLessThan(200);
  });
});

describe('report writers', () => {
  it('json writes <out>/report.json', () => {
    const r = report([variant('default')]);
    const file = writeJsonReport(r, dir);
    expect(file).toBe(path.join(dir, REPORT_JSON));
    expect(readFileSync(file, 'utf8')).toBe(reportJsonText(r));
  });

  it('writeReports runs each writer and returns the paths', () => {
    const out = path.join(dir, 'kubesim-report/');
    expect(writeReports(report([variant('default')]), out, ['json'])).toEqual([path.join(out, 'report.json')]);
    expect(() => writeReports(report([]), out, ['nope'])).toThrow(FormatError);
  });

  it('the registry has json, md and junit; the default is json and html (once html is registered)', () => {
    for (const f of ['json', 'md', 'junit']) expect([...REPORT_WRITERS.keys()]).toContain(f);
    expect(DEFAULT_FORMATS).toEqual(['json', 'html']);
  });

  it('md and junit write <out>/summary.md and <out>/junit.xml', () => {
    const out = path.join(dir, 'formats/');
    const r = report([variant('default')]);
    expect(writeReports(r, out, ['md', 'junit'])).toEqual([path.join(out, 'summary.md'), path.join(out, 'junit.xml')]);
    expect(readFileSync(path.join(out, 'summary.md'), 'utf8')).toBe(renderMarkdown(r));
    expect(readFileSync(path.join(out, 'junit.xml'), 'utf8')).toBe(renderJunit(r));
    expect(readdirSync(out).sort()).toEqual(['junit.xml', 'summary.md']); // no temporary file left
  });
});

describe('parseFormats', () => {
  it('accepts a comma-separated list: trimmed, lower-cased, repeats dropped', () => {
    expect(parseFormats('json')).toEqual(['json']);
    expect(parseFormats(' JSON , json,')).toEqual(['json']);
  });

  it('rejects unknown names and empty lists with what is available', () => {
    const known = [...REPORT_WRITERS.keys()].join(', ');
    expect(known).toMatch(/^json, .*md, junit/);
    expect(() => parseFormats('xml')).toThrow(`unknown format "xml"; available: ${known}`);
    expect(() => parseFormats('json,xml,pdf')).toThrow(`unknown formats "xml", "pdf"; available: ${known}`);
    expect(() => parseFormats(' , ')).toThrow(`expected a comma-separated list of formats (${known})`);
    expect(parseFormats('JUNIT,md,json')).toEqual(['junit', 'md', 'json']);
  });
});
