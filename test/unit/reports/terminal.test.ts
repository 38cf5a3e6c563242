import { describe, expect, it } from 'vitest';
import { clean, count, ms, percent, renderTerminal, seconds, sloValue } from '../../../reports/terminal.js';
import { counts, report, variant } from './fixtures.js';

const ANSI = /\x1b\[[0-9;]*m/g;

describe('renderTerminal', () => {
  it('one table per scenario: requests, availability, latency, failures, rollouts, SLOs', () => {
    const r = report(
      [
        variant('default', {
          requests: counts({ ok: 9990, refused: 7, timeout: 3 }),
          rollouts: [
            { target: 'deployment/web', count: 1, byOutcome: { complete: 1, stalled: 0, aborted: 0, in_progress: 0 }, durationS: { mean: 34.25, min: 34.25, max: 34.25 } },
          ],
          slos: [
            { expr: 'availability >= 99.9%', unit: 'fraction', threshold: 0.999, passed: 1, runs: 1, pass: true, pooledValue: 0.999 },
            { expr: 'p(99) < 100ms', unit: 'seconds', threshold: 0.1, passed: 0, runs: 1, pass: false, pooledValue: 0.118911 },
          ],
          pass: false,
        }),
      ],
      ['availability >= 99.9%', 'p(99) < 100ms'],
    );
    expect(renderTerminal(r)).toBe(
      [
        'web-app-steady · scenarios/web-app.yaml · seed 42 · 1 replication · 2m simulated',
        '                                 default',
        '  requests                        10,000',
        '  ok                               9,990',
        '  failed                              10',
        '  availability                   99.900%',
        '  latency p50                    20.0 ms',
        '  latency p90                    53.5 ms',
        '  latency p99                   118.9 ms',
        '  latency max                   1,630 ms',
        '  failures refused                     7',
        '  failures timeout                     3',
        '  rollout deployment/web           34.3s',
        '  SLO availability >= 99.9%    ✓ 99.900%',
        '  SLO p(99) < 100ms           ✗ 118.9 ms',
        '',
      ].join('\n'),
    );
  });

  it('"none" rows when nothing failed, no rollout happened and there are no SLOs', () => {
    const text = renderTerminal(report([variant('default')]));
    expect(text).toMatch(/^ {2}failures +none$/m);
    expect(text).toMatch(/^ {2}rollouts +none$/m);
    expect(text).toMatch(/^ {2}SLOs +none$/m);
    expect(text).not.toMatch(/failures (ok|refused)/);
  });

  it('one right-aligned column per variant; pass counts over several runs', () => {
    const slo = (passed: number) => ({ expr: 'availability >= 99%', unit: 'fraction' as const, threshold: 0.99, passed, runs: 3, pass: passed === 3, pooledValue: 0.9912 });
    const text = renderTerminal(
      report(
        [
          variant('rolling-update', { runs: 3, slos: [slo(3)] }),
          variant('recreate', { runs: 3, requests: counts({ ok: 900, no_endpoints: 100 }), slos: [slo(1)], pass: false }),
        ],
        ['availability >= 99%'],
      ),
    );
    const main = text.slice(0, text.indexOf('\nranked by'));
    const lines = main.trimEnd().split('\n').slice(1);
    expect(new Set(lines.map((l) => [...l].length)).size).toBe(1); // every row ends in the same column
    // several variants: a ranked table follows (availability first), the first variant is the baseline
    const ranked = text.slice(text.indexOf('ranked by')).split('\n');
    expect(ranked[2]).toMatch(/^ +1 +rolling-update +100\.000% .* baseline +baseline$/);
    expect(ranked[3]).toMatch(/^ +2 +recreate +90\.000% /);
    expect(lines[0]).toMatch(/^ +rolling-update +recreate$/);
    expect(text).toMatch(/^ {2}failures no_endpoints +0 +100$/m);
    expect(text).toMatch(/^ {2}SLO availability >= 99% +✓ 3\/3 runs, pooled 99\.120% +✗ 1\/3 runs, pooled 99\.120%$/m);
  });

  it('colours ✓/✗ only when asked, without changing the layout', () => {
    const r = report([variant('default', { slos: [{ expr: 'p99 < 1s', unit: 'seconds', threshold: 1, passed: 1, runs: 1, pass: true, pooledValue: 0.1 }] })], ['p99 < 1s']);
    const plain = renderTerminal(r, { color: false });
    const colored = renderTerminal(r, { color: true });
    expect(plain).not.toMatch(ANSI);
    expect(colored).toContain('\x1b[32m✓ 100.0 ms\x1b[39m');
    expect(colored.replace(ANSI, '')).toBe(plain);
  });

  it('lists failed runs', () => {
    const text = renderTerminal(report([variant('default', {}, 2)]));
    expect(text).toMatch(/^ {2}failed runs +2 of 2$/m);
  });

  it('user strings cannot break the layout: control and bidi characters are escaped, long ones cut', () => {
    const evil = 'p99 < 1s\n\x1b[2J\u202eevil';
    const r = report([variant('a\tb', { slos: [{ expr: evil, unit: 'seconds', threshold: 1, passed: 1, runs: 1, pass: true, pooledValue: 0.1 }] })], [evil]);
    r.scenarios[0]!.name = 'x'.repeat(100);
    const text = renderTerminal(r);
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u202e]/);
    expect(text).toContain('SLO p99 < 1s\\n\\u001b[2J\\u202eevil');
    expect(text).toContain('a\\tb');
    expect(text.split('\n')[0]).toMatch(/^x{59}… · /);
    expect(text.trimEnd().split('\n')).toHaveLength(13); // title, header, 11 rows: nothing split
  });
});

describe('clean', () => {
  it('escapes control, separator and bidi characters and cuts long text', () => {
    expect(clean('plain text')).toBe('plain text');
    expect(clean('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
    expect(clean('\x1b[31m\x7f\x85')).toBe('\\u001b[31m\\u007f\\u0085');
    expect(clean('\u2028\u2029\u200f\u2066')).toBe('\\u2028\\u2029\\u200f\\u2066');
    expect(clean('abcdef', 4)).toBe('abc…');
    expect(clean('ééééé', 5)).toBe('ééééé');
    expect(clean('😀😀😀', 2)).toBe('😀…'); // code points, not UTF-16 units
  });
});

describe('number formats', () => {
  it('counts with thousands separators', () => {
    expect([0, 999, 1000, 1234567, -4200].map(count)).toEqual(['0', '999', '1,000', '1,234,567', '-4,200']);
  });

  it('percentages rounded down, so almost-100% never shows as 100%', () => {
    expect(percent(1)).toBe('100.000%');
    expect(percent(0.999)).toBe('99.900%');
    expect(percent(0.999996)).toBe('99.999%');
    expect(percent(0.12345)).toBe('12.345%');
    expect(percent(0)).toBe('0.000%');
    expect(percent(null)).toBe('n/a');
  });

  it('milliseconds with a precision that suits the size', () => {
    expect([0.25, 9.999, 20.047, 999.94, 1630.271].map(ms)).toEqual(['0.25 ms', '10.00 ms', '20.0 ms', '999.9 ms', '1,630 ms']);
    expect(ms(null)).toBe('n/a');
  });

  it('seconds as durations', () => {
    expect([0, 9.44, 60, 90, 3600, 3725.5].map(seconds)).toEqual(['0s', '9.4s', '1m', '1m30s', '1h', '1h2m5.5s']);
  });

  it('SLO values in their unit', () => {
    expect(sloValue(0.9995, 'fraction')).toBe('99.950%');
    expect(sloValue(0.3, 'seconds')).toBe('300.0 ms');
    expect(sloValue(12, 'count')).toBe('12');
    expect(sloValue(null, 'count')).toBe('n/a');
  });
});
