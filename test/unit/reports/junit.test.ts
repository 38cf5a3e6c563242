import { describe, expect, it } from 'vitest';
import { failureMessage, renderJunit, xmlChars } from '../../../reports/junit.js';
import { validateJunit } from '../../support/junit-schema.js';
import { finding, report, variant } from './fixtures.js';

const p99 = (passed: number, runs: number, pooledValue: number) => ({ expr: 'p(99) < 300ms', unit: 'seconds' as const, threshold: 0.3, passed, runs, pass: passed === runs, pooledValue });
const avail = (pass: boolean) => ({ expr: 'availability >= 99%', unit: 'fraction' as const, threshold: 0.99, passed: pass ? 3 : 0, runs: 3, pass, pooledValue: 0.9921 });

describe('renderJunit', () => {
  it('one suite per scenario, one case per SLO per variant; a failure carries the measured value and the bound', async () => {
    const r = report(
      [
        variant('rolling', { runs: 3, slos: [p99(1, 3, 0.3182), avail(true)], findings: [finding({ runs: 2 })], pass: false }),
        variant('recreate', { runs: 3, slos: [p99(3, 3, 0.1189), avail(true)] }),
      ],
      ['p(99) < 300ms', 'availability >= 99%'],
    );
    const xml = renderJunit(r);
    expect(xml.split('\n').slice(0, 3)).toEqual([
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites name="kubesim" tests="4" failures="1" errors="0" time="720.000">',
      '  <testsuite name="web-app-steady" tests="4" failures="1" errors="0" skipped="0" time="720.000">',
    ]);
    const cases = [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)" time="([^"]*)"/g)].map((m) => [m[1], m[2], m[3]]);
    expect(cases).toEqual([
      ['web-app-steady', 'rolling: p(99) &lt; 300ms', '360.000'],
      ['web-app-steady', 'rolling: availability &gt;= 99%', '360.000'],
      ['web-app-steady', 'recreate: p(99) &lt; 300ms', '360.000'],
      ['web-app-steady', 'recreate: availability &gt;= 99%', '360.000'],
    ]);
    expect(xml).toContain('<failure message="p(99) &lt; 300ms: measured 318.2 ms over 3 replications (held in 1 of 3)" type="SLOFailure">');
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml).toContain('largest cause: 57 refused at 30.0–32.1 s in 2 of 3 runs (termination_race after delete-pod deployment/web-app at 30.0 s)');
    expect(xml).toMatch(/<system-out>web-app-steady \/ rolling: 36,203 requests, 0 failed, .*\nWhere failures happened:\n- 57 refused at 30\.0–32\.1 s in 2 of 3 runs .* Fix: preStop sleep ≥ 3 s\n<\/system-out>/);
    expect(await validateJunit(xml)).toEqual([]);
  });

  it('the message of one replication; of a variant without finished runs', () => {
    expect(failureMessage(p99(0, 1, 0.3182))).toBe('p(99) < 300ms: measured 318.2 ms over 1 replication');
    expect(failureMessage({ ...p99(0, 0, 0), pooledValue: null })).toBe('p(99) < 300ms: not measured (no run finished)');
  });

  it('a variant without SLOs is one passing case; a run that threw is an error case with its seed', async () => {
    const xml = renderJunit(report([variant('default', {}, 2)]));
    expect(xml).toContain('<testcase classname="web-app-steady" name="default: no SLO" time="120.000">');
    expect(xml).toContain('<testcase classname="web-app-steady" name="default: replication 1 (seed 1)" time="0.000">');
    expect(xml).toContain('<error message="Error: boom" type="RunError">');
    expect(xml).toContain('tests="3" failures="0" errors="2"');
    expect(await validateJunit(xml)).toEqual([]);
  });

  it('user strings are escaped and characters XML 1.0 forbids are dropped: still valid', async () => {
    const evil = '<img src=x onerror=alert(1)> & "quotes" \'single\' ]]> \x00\x07\x1b\ufffe\ud800 tab\there\nline';
    const r = report([variant(evil, { slos: [{ ...p99(0, 1, 0.5), expr: evil }], findings: [finding({ message: evil, fix: evil })], pass: false })], [evil]);
    r.scenarios[0]!.name = evil;
    r.scenarios[0]!.file = evil;
    const xml = renderJunit(r);
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/);
    expect(xml).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(xml).not.toContain('<img');
    expect(xml).not.toContain(']]>');
    expect(xml).toContain('name="&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot; &apos;single&apos; ]]&gt;  tab&#9;here&#10;line"');
    expect(await validateJunit(xml)).toEqual([]);
  });

  it('the schema rejects what the viewers would not read (so the checks above can fail)', async () => {
    const good = renderJunit(report([variant('default')]));
    expect(await validateJunit(good)).toEqual([]);
    expect((await validateJunit(good.replace(' skipped="0"', ''))).join()).toMatch(/skipped.*required/);
    expect((await validateJunit(good.replace('name="default: no SLO" time="120.000"', 'name="default: no SLO"'))).join()).toMatch(/time.*required/);
    expect((await validateJunit(good.replace('name="default: no SLO" time="120.000"', 'name="default: no SLO" time="1.2345"'))).join()).toMatch(/time/);
    expect((await validateJunit(good.replace('<system-out>', '<failure message="x">y</failure><system-out>'))).join()).toMatch(/type.*required/);
    expect((await validateJunit(good.replace('</testcase>', '<failure message="x" type="t">y</failure></testcase>'))).join()).toMatch(/failure.*not expected/); // Surefire's order
  });
});

describe('xmlChars', () => {
  it('keeps tab, newline, carriage return, text, astral characters; drops other controls, lone surrogates, U+FFFE/FFFF', () => {
    expect(xmlChars('a\tb\nc\rd é 😀')).toBe('a\tb\nc\rd é 😀');
    expect(xmlChars('\x00\x01\x1f\x7f\udfff\ud800\ufffe\uffffx')).toBe('\x7fx');
  });
});
