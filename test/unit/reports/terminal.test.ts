import { describe, expect, it } from 'vitest';
import { clean, count, ms, percent, renderTerminal, renderVerdict, seconds, sloValue, TERMINAL_WIDTH, useColor } from '../../../reports/terminal.js';
import { comparison, counts, finding, report, variant } from './fixtures.js';

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
        'web-app-steady',
        '  scenarios/web-app.yaml · seed 42 · 1 replication · 2m simulated',
        '                                 default',
        '  requests                        10,000',
        '  ok                               9,990',
        '  failed                              10',
        '  availability                   99.900%',
        '  latency mean                   25.5 ms',
        '  latency p50                    20.0 ms',
        '  latency p90                    53.5 ms',
        '  latency p95                    80.1 ms',
        '  latency p99                   118.9 ms',
        '  latency max                   1,630 ms',
        '  failures refused                     7',
        '  failures timeout                     3',
        '  rollout deployment/web          34.3 s',
        '  SLO availability >= 99.9%    ✓ 99.900%',
        '  SLO p(99) < 100ms           ✗ 118.9 ms',
        '',
      ].join('\n'),
    );
    expect(renderVerdict(r)).toBe('✗ 1 of 2 SLOs failed: p(99) < 100ms (118.9 ms)\n');
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
    const main = text.slice(0, text.indexOf('\nvariants ranked'));
    const lines = main.trimEnd().split('\n').slice(2);
    expect(new Set(lines.map((l) => [...l].length)).size).toBe(1); // every row ends in the same column
    // several variants: a ranking follows (availability first), then the paired differences
    const ranked = text.slice(text.indexOf('variants ranked')).split('\n');
    expect(ranked[0]).toBe('variants ranked by availability, then p99 latency (means over 3 replications ± 95% CI)');
    expect(ranked[1]).toMatch(/^ {2}# +variant +availability +p99 latency$/);
    expect(ranked[2]).toMatch(/^ {2}1 +rolling-update +100\.000% +118\.9 ms$/);
    expect(ranked[3]).toMatch(/^ {2}2 +recreate +90\.000% +118\.9 ms$/);
    expect(ranked[5]).toBe('paired differences from rolling-update (same seeds, ± 95% CI; ≈ not significant)');
    expect(ranked[7]).toMatch(/^ {2}recreate +- +-$/); // no comparison in this hand-made model
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
    expect(text.split('\n')[0]).toBe('x'.repeat(100));
    expect(text.trimEnd().split('\n')).toHaveLength(16); // title, about, header, 13 rows: nothing split
  });
});

const slo = (expr: string, pass: boolean, pooledValue: number, runs = 1, unit: 'fraction' | 'seconds' | 'count' = 'fraction', threshold = 0.99) => ({
  expr,
  unit,
  threshold,
  passed: pass ? runs : 0,
  runs,
  pass,
  pooledValue,
});
const lines = (text: string) => text.replace(/\n$/, '').split('\n');
const widest = (text: string) => Math.max(...lines(text).map((l) => [...l.replace(ANSI, '')].length));

describe('where failures happened', () => {
  it('one line per finding: requests, outcome, window, cause and trigger, and the fix when it fits', () => {
    const r = report([
      variant('default', {
        requests: counts({ ok: 9943, refused: 57 }),
        findings: [
          finding({ trigger: { atS: 30, action: 'delete-pod', target: 'pod/web-1', detail: '' } }),
          finding(),
          finding({ cause: 'capacity', outcome: 'overload', count: 1234, fromS: 200, toS: 212.04, trigger: null, fix: null }),
        ],
      }),
    ]);
    const text = renderTerminal(r);
    const at = lines(text).indexOf('where failures happened:');
    expect(at).toBeGreaterThan(0);
    expect(lines(text).slice(at)).toEqual([
      'where failures happened:',
      '  57 refused  30.0–32.1 s  termination race after delete-pod pod/web-1 — fix: preStop sleep ≥ 3 s',
      '  57 refused  30.0–32.1 s  termination race after delete-pod deployment/web-app (web-app-7d9f-x2k)',
      '    fix: preStop sleep ≥ 3 s',
      '  1,234 overload  200.0–212.0 s  capacity',
    ]);
  });

  it('per variant with several, with the runs they occurred in; a fix that does not fit is wrapped below', () => {
    const fix = 'set a preStop hook that sleeps for at least the kube-proxy propagation delay (3 s here), e.g. lifecycle.preStop.sleep.seconds: 5';
    const r = report([
      variant('no-prestop', { runs: 5, findings: [finding({ count: 3245, runs: 5, fix })] }),
      variant('prestop-5s', { runs: 5 }),
    ]);
    const text = renderTerminal(r);
    const at = lines(text).indexOf('where failures happened in no-prestop (5 runs):');
    expect(at).toBeGreaterThan(0);
    expect(lines(text).slice(at + 1, at + 4)).toEqual([
      '  3,245 refused  30.0–32.1 s in 5/5 runs  termination race after delete-pod deployment/web-app',
      '    fix: set a preStop hook that sleeps for at least the kube-proxy propagation delay (3 s here),',
      '      e.g. lifecycle.preStop.sleep.seconds: 5',
    ]);
    expect(text).not.toContain('in prestop-5s');
    expect(widest(text)).toBeLessThanOrEqual(TERMINAL_WIDTH);
  });

  it('at most 8 findings per variant, then how many more', () => {
    const r = report([variant('default', { findings: Array.from({ length: 11 }, (_, i) => finding({ count: 100 - i })) })]);
    const text = renderTerminal(r);
    expect(text.match(/termination race after delete-pod/g)).toHaveLength(8);
    expect(text).toContain('  … and 3 more (see report.json)');
  });
});

describe('renderVerdict', () => {
  it('all held, some failed (with the measured values), none set, failed runs', () => {
    const held = report([variant('default', { slos: [slo('availability >= 99%', true, 1), slo('p(99) < 300ms', true, 0.1189, 1, 'seconds', 0.3), slo('errors.refused == 0', true, 0, 1, 'count', 0)] })]);
    expect(renderVerdict(held)).toBe('✓ 3 of 3 SLOs held\n');
    const failed = report([variant('default', { slos: [slo('availability >= 99%', false, 0.98088), slo('p(99) < 300ms', true, 0.1, 1, 'seconds', 0.3), slo('a', true, 1), slo('b', true, 1)], pass: false })]);
    expect(renderVerdict(failed)).toBe('✗ 1 of 4 SLOs failed: availability >= 99% (98.088%)\n');
    expect(renderVerdict(report([variant('default')]))).toBe('✓ no SLOs\n');
    const broken = report([variant('default', {}, 2)]);
    broken.failedRuns = 2;
    expect(renderVerdict(broken)).toBe('✗ no SLOs; 2 runs failed (internal error)\n');
  });

  it('names the variant, the runs it held in, and cuts a long list at 100 columns with +N more', () => {
    const r = report(
      ['no-prestop', 'prestop-1s', 'prestop-2s', 'prestop-3s'].map((n) =>
        variant(n, { runs: 5, slos: [slo('errors.refused == 0', false, 3245, 5, 'count', 0), slo('p(99) < 300ms', false, 0.3182, 5, 'seconds', 0.3)], pass: false }),
      ),
    );
    const text = renderVerdict(r);
    expect(text).toMatch(/^✗ 8 of 8 SLOs failed: no-prestop: errors\.refused == 0 \(3,245; held in 0\/5 runs\); (.*; )?\+\d more\n$/);
    expect(widest(text)).toBeLessThanOrEqual(TERMINAL_WIDTH);
  });

  it('colours the line when asked', () => {
    expect(renderVerdict(report([variant('default')]), { color: true })).toBe('\x1b[32m✓ no SLOs\x1b[39m\n');
  });
});

describe('width', () => {
  it('many variants: the table splits into groups of columns, every line within 100 columns', () => {
    const names = Array.from({ length: 9 }, (_, i) => `maxSurge=${i},maxUnavailable=1`);
    const r = report(
      names.map((n) => variant(n, { runs: 3, slos: [slo('availability >= 99.9%', true, 0.9995, 3)], findings: [finding({ runs: 3 })] })),
      ['availability >= 99.9%'],
    );
    r.scenarios[0]!.replications = 3;
    comparison(r);
    const text = renderTerminal(r);
    expect(lines(text).filter((l) => [...l].length > TERMINAL_WIDTH)).toEqual([]);
    // every variant's column is shown once, each group repeats the labels
    for (const n of names) expect(text.split(n).length - 1).toBeGreaterThanOrEqual(3); // table, findings, ranking (+ differences)
    expect(text.match(/^ {2}requests /gm)!.length).toBeGreaterThan(1);
    expect(text).toMatch(/^ {2}maxSurge=1,maxUnavailable=1 +\+2\.433pp ±0\.439pp +better +-123\.4 ms ±12\.3 ms +≈$/m);
  });

  it('a long scenario, variant or SLO text is cut, never wrapped', () => {
    const long = 'y'.repeat(150);
    const r = report([variant(long, { slos: [slo(long, false, 0.5)], findings: [finding({ trigger: { atS: 1, action: long, target: long, detail: long }, fix: long })], pass: false }), variant('b')], [long]);
    r.scenarios[0]!.name = long;
    r.scenarios[0]!.file = `${long}.yaml`;
    comparison(r);
    const text = renderTerminal(r) + renderVerdict(r);
    expect(lines(text).filter((l) => [...l].length > TERMINAL_WIDTH)).toEqual([]);
  });
});

describe('useColor', () => {
  it('a terminal gets colour; NO_COLOR disables it; FORCE_COLOR enables it anywhere (0 or false: off)', () => {
    expect(useColor(true, {})).toBe(true);
    expect(useColor(false, {})).toBe(false);
    expect(useColor(true, { NO_COLOR: '1' })).toBe(false);
    expect(useColor(true, { NO_COLOR: '' })).toBe(true); // no-color.org: present and not empty
    expect(useColor(false, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor(false, { FORCE_COLOR: '' })).toBe(true);
    expect(useColor(true, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColor(true, { FORCE_COLOR: 'false' })).toBe(false);
    expect(useColor(false, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true); // as Node does
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
    expect([0.25, 9.994, 9.999, 20.047, 999.94, 999.96, 1630.271].map(ms)).toEqual(['0.25 ms', '9.99 ms', '10.0 ms', '20.0 ms', '999.9 ms', '1,000 ms', '1,630 ms']);
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
