import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../reports/atomic.js';
import { DEFAULT_FORMATS, FormatError, parseFormats, REPORT_WRITERS, writeReports } from '../../../reports/formats.js';
import { REPORT_JSON, reportJsonText, writeJsonReport } from '../../../reports/json.js';
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
