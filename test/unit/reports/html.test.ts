import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPORT_WRITERS, writeReports } from '../../../reports/formats.js';
import {
  EVENT_BUDGET,
  HTML_CSP,
  POD_BUDGET,
  POD_MIN,
  REPORT_HTML,
  SERIES_BUDGET,
  downsample,
  escapeHtml,
  htmlAssets,
  htmlData,
  renderHtml,
  scriptJson,
  writeHtmlReport,
  type HtmlData,
} from '../../../reports/html.js';
import { OUTCOMES } from '../../../engine/metrics/outcomes.js';
import type { PooledTimeseriesReport, Report } from '../../../reports/model.js';
import { sweepReport } from '../../support/report-sweep.js';
import { counts, report, variant } from './fixtures.js';

const HOSTILE = '<img src=x onerror=alert(1)></script><!--\u2028"\'&';

/** The page data as the browser reads it: the text of the JSON script element, parsed. */
function embedded(html: string): HtmlData {
  const m = /<script type="application\/json" id="kubesim-data">([\s\S]*?)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!) as HtmlData;
}

/** The page with the inlined vendor and client code cut out: what the renderer wrote around them. */
function shell(html: string): string {
  const a = htmlAssets();
  return html.replace(a.uplotJs, '').replace(a.clientJs, '').replace(a.uplotCss, '').replace(a.css, '');
}

function hostileReport(): Report {
  const r = report([variant(HOSTILE, { slos: [{ expr: `${HOSTILE} p(99) < 1s`, unit: 'seconds', threshold: 1, passed: 1, runs: 1, pass: true, pooledValue: 0.1 }] })], [HOSTILE]);
  r.scenarios[0]!.name = HOSTILE;
  r.scenarios[0]!.file = `${HOSTILE}.yaml`;
  r.scenarios[0]!.notes = [HOSTILE];
  r.tool.version = HOSTILE;
  return r;
}

describe('escaping', () => {
  it('escapeHtml escapes the five HTML metacharacters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
  });

  it('scriptJson writes no "<" and no line separators, and parses back to the same value', () => {
    const value = { s: HOSTILE, nested: [HOSTILE, { k: '</SCRIPT>' }] };
    const text = scriptJson(value);
    expect(text).not.toMatch(/[<\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('a hostile scenario, variant, SLO, note and version never reach the page as markup', () => {
    const html = renderHtml(hostileReport());
    const around = shell(html);
    expect(around).not.toContain('<img');
    expect(around).not.toContain('</script><!--');
    // exactly the page's own script elements: the data, and uPlot with the client in one scope
    expect(around.match(/<script/g)).toHaveLength(2);
    expect(around.match(/<\/script>/g)).toHaveLength(2);
    expect(around).toContain('<title>kubesim report: &#60;img src=x onerror=alert(1)&#62;&#60;/script&#62;&#60;!--');
    const data = embedded(html);
    expect(data.scenarios[0]!.name).toBe(HOSTILE);
    expect(data.scenarios[0]!.variants[0]!.name).toBe(HOSTILE);
    expect(data.scenarios[0]!.notes).toEqual([HOSTILE]);
    expect(data.tool.version).toBe(HOSTILE);
  });
});

describe('the page', () => {
  const html = renderHtml(report([variant('default')], ['availability >= 99%']));

  it('is one self-contained file: a strict CSP, no external resource, uPlot and the client inlined', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${HTML_CSP.replace(/'/g, '&#39;')}">`);
    expect(HTML_CSP).toBe("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:");
    const around = shell(html);
    expect(around).not.toMatch(/<(link|img|iframe|object|embed)\b/i);
    expect(around).not.toMatch(/\s(src|href)=/i);
    const a = htmlAssets();
    expect(a.uplotJs).toMatch(/^\/\*! https:\/\/github.com\/leeoniya\/uPlot \(v1\.6\.32\) \*\//);
    expect(html).toContain(a.uplotJs);
    expect(html).toContain(a.clientJs);
    expect(a.clientJs).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function|fetch\(|XMLHttpRequest/);
  });

  it('is deterministic', () => {
    expect(renderHtml(report([variant('default')], ['availability >= 99%']))).toBe(html);
  });

  it('embeds the summaries, SLOs and comparison as they are in the model', () => {
    const r = report([variant('a'), variant('b')]);
    r.scenarios[0]!.comparison = {
      baseline: 'a',
      confidence: 0.95,
      variants: [
        {
          variant: 'b',
          pairs: 3,
          metrics: {
            availability: { better: 'higher', n: 3, baseline: 0.99, variant: 0.995, difference: 0.005, sd: 0.001, ci95: [0.003, 0.007], relative: 0.005, unpaired: { n: [3, 3], difference: 0.005, df: 4, ci95: [0.001, 0.009] }, verdict: 'better' },
            'rollout.duration': { better: 'lower', n: 0, baseline: null, variant: null, difference: null, sd: null, ci95: null, relative: null, unpaired: { n: [0, 0], difference: null, df: null, ci95: null }, verdict: 'no significant difference', reason: 'no rollout' },
          } as never,
        },
      ],
    };
    const data = embedded(renderHtml(r));
    const s = data.scenarios[0]!;
    expect(s.variants.map((v) => v.name)).toEqual(['a', 'b']);
    expect(s.variants[0]!.summary.slos).toEqual(r.scenarios[0]!.variants[0]!.summary.slos);
    const m = r.scenarios[0]!.variants[0]!.summary.metrics;
    expect(s.variants[0]!.summary.metrics).toEqual({ availability: m.availability, 'latency.p99': m['latency.p99'], failures: m.failures });
    expect(s.variants[0]!.run).toBeNull(); // no finished run in this fixture
    expect(s.comparison!.variants[0]!.metrics).toEqual({
      availability: [0.005, [0.003, 0.007], 'better'],
      'rollout.duration': [null, null, 'no significant difference', 'no rollout'],
    });
  });
});

describe('what the page embeds of the runs', () => {
  it('replication 0 only: its pods, rollouts and events; no per-run series', () => {
    const r = sweepReport(1, 3, 60, 10);
    const data = htmlData(r);
    const v = data.scenarios[0]!.variants[0]!;
    expect(v.run!.replication).toBe(0);
    expect(v.run!.pods).toEqual(r.scenarios[0]!.variants[0]!.runs[0]!.pods);
    expect(v.run!.podsOmitted).toBeNull();
    expect(v.run!.events).toEqual(r.scenarios[0]!.variants[0]!.runs[0]!.events);
    expect(v.run!.eventsTotal).toBe(10);
    expect(v.run!.rollouts).toEqual(r.scenarios[0]!.variants[0]!.runs[0]!.rollouts);
    expect(v.summary.timeseries!.bucketsPerPoint).toBe(1);
    expect(v.summary.timeseries!.requests).toEqual(r.scenarios[0]!.variants[0]!.summary.timeseries!.requests);
    expect(JSON.stringify(data)).not.toContain('"runs":[{');
  });

  it('caps events and pods per variant when many variants share the budget, and says how many were left out', () => {
    const r = sweepReport(1000, 1, 60, 200);
    const data = htmlData(r);
    const v = data.scenarios[0]!.variants[999]!;
    expect(v.run!.events).toHaveLength(Math.floor(EVENT_BUDGET / 1000));
    expect(v.run!.eventsTotal).toBe(200);
    const cap = Math.max(POD_MIN, Math.floor(POD_BUDGET / 1000));
    expect(v.run!.pods).toHaveLength(cap);
    expect(v.run!.podsOmitted).toEqual({ count: 12 - cap, requests: (12 - cap) * 100_000 });
  });

  it('keeps the pods with most requests, in their order in the run', () => {
    const r = sweepReport(1000, 1, 60, 0);
    const pods = r.scenarios[0]!.variants[0]!.runs[0]!.pods;
    pods.forEach((p, i) => (p.requests = i));
    const kept = htmlData(r).scenarios[0]!.variants[0]!.run!.pods.map((p) => p.requests);
    const cap = Math.max(POD_MIN, Math.floor(POD_BUDGET / 1000));
    expect(kept).toEqual(Array.from({ length: cap }, (_, i) => 12 - cap + i));
  });

  it('downsamples the series only when the variants together exceed the point budget', () => {
    const small = htmlData(sweepReport(2, 1, 600, 0));
    expect(small.scenarios[0]!.variants[0]!.summary.timeseries!.bucketsPerPoint).toBe(1);
    const big = htmlData(sweepReport(1000, 1, 600, 0));
    const t = big.scenarios[0]!.variants[0]!.summary.timeseries!;
    // 1000 variants × 600 buckets × (1 + 7 + 3 + 14 series) = 15M values over the budget
    expect(t.bucketsPerPoint).toBe(Math.ceil((1000 * 600 * 25) / SERIES_BUDGET));
    expect(t.requests).toHaveLength(Math.ceil(600 / t.bucketsPerPoint));
  });
});

describe('downsample', () => {
  const t: PooledTimeseriesReport = {
    intervalS: 1,
    runs: 2,
    requests: [10, 20, 30, 40, 50],
    outcomes: { ok: [10, 20, 30, 40, 50], no_endpoints: [0, 0, 0, 0, 0], refused: [0, 1, 0, 0, 2], reset: [0, 0, 0, 0, 0], timeout: [0, 0, 0, 0, 0], overload: [0, 0, 0, 0, 0], app_error: [0, 0, 0, 0, 0] },
    latencyMs: { p50: [1, null, 3, 4, null], p90: [2, null, 5, 6, null], p99: [9, null, 7, 8.12345, null] },
    gauges: { 'pods/x/Ready': [null, 2, 3, 3, 1], 'endpoints/default/s': [null, null, 1, 2, 3] },
  };

  it('k = 1 keeps the series (rounded to 3 decimals)', () => {
    const d = downsample(t, 1);
    expect(d.requests).toEqual(t.requests);
    expect(d.latencyMs.p99).toEqual([9, null, 7, 8.123, null]);
    expect(d.gauges).toEqual(t.gauges);
    expect(d.bucketsPerPoint).toBe(1);
    expect(d.intervalS).toBe(1);
  });

  it('k = 2: means per bucket of counts and gauges, the largest latency, nulls where a window has no value', () => {
    const d = downsample(t, 2);
    expect(d.requests).toEqual([15, 35, 50]);
    expect(d.outcomes.refused).toEqual([0.5, 0, 2]);
    expect(d.latencyMs.p50).toEqual([1, 4, null]);
    expect(d.latencyMs.p99).toEqual([9, 8.123, null]);
    expect(d.gauges['pods/x/Ready']).toEqual([2, 3, 1]);
    expect(d.gauges['endpoints/default/s']).toEqual([null, 1.5, 3]);
    expect(d.runs).toBe(2);
    expect(d.intervalS).toBe(1); // the bucket width; a point stands for bucketsPerPoint of them
  });
});

describe('downsample against the slice-and-filter reference', () => {
  const r3 = (x: number) => {
    const r = Math.round(x * 1000) / 1000;
    return Object.is(r, -0) ? 0 : r;
  };
  const avg = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  const windows = <T,>(xs: readonly T[], k: number) => Array.from({ length: Math.ceil(xs.length / k) }, (_, i) => xs.slice(i * k, (i + 1) * k));
  const nums = (xs: readonly (number | null)[]) => xs.filter((x): x is number => x !== null);

  it('gives the same numbers for any series and k (the loops keep the sums in the same order)', () => {
    const value = fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 100_000 }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 12 }), fc.infiniteStream(fc.option(value, { freq: 3 })), (len, k, stream) => {
        const it = stream[Symbol.iterator]();
        const take = (nullable: boolean) => Array.from({ length: len }, () => {
          const v = it.next().value as number | null;
          return nullable ? v : (v ?? 0);
        });
        const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, take(false)])) as PooledTimeseriesReport['outcomes'];
        const t: PooledTimeseriesReport = { intervalS: 1, runs: 1, requests: take(false) as number[], outcomes, latencyMs: { p50: take(true), p90: take(true), p99: take(true) }, gauges: { g: take(true) } };
        const d = downsample(t, k);
        expect(d.requests).toEqual(windows(t.requests, k).map((w) => r3(avg(w))));
        expect(d.outcomes.refused).toEqual(windows(t.outcomes.refused, k).map((w) => r3(avg(w))));
        expect(d.gauges['g']).toEqual(windows(t.gauges['g']!, k).map((w) => (nums(w).length === 0 ? null : r3(avg(nums(w))))));
        expect(d.latencyMs.p99).toEqual(windows(t.latencyMs.p99, k).map((w) => (nums(w).length === 0 ? null : r3(Math.max(...nums(w))))));
      }),
      { numRuns: 300 },
    );
  });
});

describe('size', () => {
  const MB = 1024 * 1024;

  it('a sweep of 1,000 runs (2 variants × 500 replications, 600 s, full detail) renders under 5 MB', () => {
    const r = sweepReport(2, 500, 600, 200);
    const html = renderHtml(r);
    expect(html.length).toBeLessThan(5 * MB);
    expect(Buffer.byteLength(html)).toBeLessThan(1 * MB); // nothing per run beyond replication 0
  });

  it('a matrix of 1,000 variants × 1 run (600 s, full detail) renders under 5 MB', () => {
    const html = renderHtml(sweepReport(1000, 1, 600, 200));
    expect(Buffer.byteLength(html)).toBeLessThan(5 * MB);
  });
});

describe('writing', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'kubesim-html-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes <out>/report.html atomically (no temporary file left), registered as the html format', () => {
    const r = report([variant('default', { requests: counts({}) })]);
    expect(writeHtmlReport(r, out)).toBe(path.join(out, REPORT_HTML));
    expect(readFileSync(path.join(out, REPORT_HTML), 'utf8')).toBe(renderHtml(r));
    expect(REPORT_WRITERS.get('html')!.description).toMatch(/report\.html/);
    expect(writeReports(r, path.join(out, 'both'), ['json', 'html']).map((f) => path.basename(f))).toEqual(['report.json', 'report.html']);
    expect(readdirSync(out).sort()).toEqual(['both', 'report.html']);
  });
});
