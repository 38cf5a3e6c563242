import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHtmlReport } from '../../reports/html.js';
import type { Report } from '../../reports/model.js';
import { sweepReport } from '../support/report-sweep.js';

/**
 * report.html as a user opens it: the built CLI writes it (`npm test` builds first), Debian's
 * Chromium (/usr/bin/chromium, installed by .ci/run) loads it headless through playwright-core, and
 * the tests read the page the way a user sees it: the DOM the client script built.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'dist/bin/kubesim.js');
const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SLOW = { timeout: 300_000 };
const HOSTILE = '<img src=x onerror=alert(1)>';

let tmp: string;
let browser: Browser | undefined;

function kubesimRun(args: string[], out: string): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'run', ...args, '--out', out, '--format', 'json,html', '--quiet'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stderr: r.stderr };
}

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
  dialogs: string[];
  loadMs: number;
}

/**
 * What the callbacks run in the page touch of an element (the tests are type-checked without the DOM
 * library, so the page's objects are described here).
 */
interface El {
  getAttribute(name: string): string | null;
  textContent: string | null;
  hidden: boolean;
  children: ArrayLike<El>;
  attributes: ArrayLike<{ name: string }>;
  lastElementChild: El | null;
  querySelectorAll(selector: string): ArrayLike<unknown>;
}
/** The page's chart count (window.__kubesimCharts). */
const chartCount = (page: Page) => page.evaluate(() => (globalThis as unknown as { __kubesimCharts?: number }).__kubesimCharts);

/** The page shows the strings as text: no image, no script but its own two, no dialog, no error, no request. */
async function expectOnlyText(o: Opened, file: string): Promise<void> {
  expect(await o.page.$$('img')).toHaveLength(0);
  expect(await o.page.$$eval('script', (ss) => (ss as unknown as El[]).map((x) => x.getAttribute('type') ?? 'inline'))).toEqual(['application/json', 'inline']);
  expect(await o.page.$$eval('*', (es) => (es as unknown as El[]).flatMap((e) => Array.from(e.attributes).filter((a) => /^on/i.test(a.name)).map((a) => a.name)))).toEqual([]);
  expect(o.dialogs).toEqual([]);
  expect(o.errors).toEqual([]);
  expect(o.requests).toEqual([pathToFileURL(file).href]);
}

/** Opens a report.html, recording console errors, page errors, every request and any dialog. */
async function open(file: string): Promise<Opened> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const start = performance.now();
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.waitForFunction(() => (globalThis as unknown as { __kubesimCharts?: number }).__kubesimCharts !== undefined);
  const loadMs = performance.now() - start;
  return { page, errors, requests, dialogs, loadMs };
}

const scenarios: Record<string, { args: string[]; report?: Report; html?: string }> = {
  'web-app': { args: ['scenarios/web-app.yaml'] },
  'rolling-update-undo': { args: ['scenarios/rolling-update-undo.yaml'] },
  'prestop-race': { args: ['scenarios/prestop-race.yaml'] },
};

// Callbacks given to page.$eval/$$eval run in the page: they may use only their arguments and the
// page's globals (never a helper of this file), hence the inline casts to El.
describe.skipIf(!HAVE_CHROMIUM)(`report.html in headless Chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing; .ci/run installs it with apt-get install chromium)`}`, () => {
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'kubesim-html-e2e-'));
    for (const [name, s] of Object.entries(scenarios)) {
      const out = path.join(tmp, name);
      const r = kubesimRun(s.args, out);
      expect([0, 1], r.stderr).toContain(r.code);
      s.report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;
      s.html = path.join(out, 'report.html');
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  for (const name of Object.keys(scenarios)) {
    it(`${name}: no console error, no request but the file, every chart drawn with data, one marker per action and a band per rollout`, SLOW, async () => {
      const s = scenarios[name]!;
      const o = await open(s.html!);
      try {
        expect(o.errors).toEqual([]);
        expect(o.requests).toEqual([pathToFileURL(s.html!).href]);
        const sc = s.report!.scenarios[0]!;
        const v0 = sc.variants[0]!;
        const charts = await o.page.$$eval('figure.chart', (fs) => (fs as unknown as El[]).map((f) => ({ id: f.getAttribute('data-chart'), points: Number(f.getAttribute('data-points')), canvases: f.querySelectorAll('canvas').length, markers: f.querySelectorAll('.ks-marker').length, bands: f.querySelectorAll('.ks-band').length })));
        expect(charts.map((c) => c.id)).toEqual(['latency', 'throughput', 'failures', 'pods', 'endpoints']);
        expect(await chartCount(o.page)).toBe(5);
        // nothing global but the chart count: uPlot lives in the page script's scope
        expect(await o.page.evaluate(() => typeof (globalThis as unknown as { uPlot?: unknown }).uPlot)).toBe('undefined');
        const buckets = v0.summary.timeseries!.requests.length;
        for (const c of charts) {
          expect(c.canvases, c.id!).toBeGreaterThan(0);
          expect(c.points, c.id!).toBeGreaterThanOrEqual(buckets - 1); // every series drawn over the run (gauges start after bucket 0)
          expect(c.markers, c.id!).toBe(v0.summary.actions.length);
          expect(c.bands, c.id!).toBe(v0.runs[0]!.rollouts.length);
        }
        if (name !== 'web-app') expect(v0.summary.actions.length).toBeGreaterThan(0);
        // the markers carry their action and time
        const marks = await o.page.$$eval('figure[data-chart=latency] .ks-marker', (ms) => (ms as unknown as El[]).map((m) => [Number(m.getAttribute('data-at')), m.getAttribute('data-action')]));
        expect(marks).toEqual(v0.summary.actions.map((a) => [a.atS, a.action]));
        // the pod table: replication 0's pods, shares summing to 100%
        const shares = await o.page.$$eval('table[data-role=pods] td[data-share]', (tds) => (tds as unknown as El[]).map((t) => Number(t.getAttribute('data-share'))));
        expect(shares).toHaveLength(v0.runs[0]!.pods.length);
        if (shares.length > 0) expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      } finally {
        await o.page.close();
      }
    });

    it(`${name}: the SLO table says what report.json says`, SLOW, async () => {
      const s = scenarios[name]!;
      const o = await open(s.html!);
      try {
        const cells = await o.page.$$eval('table[data-role=slo-table] td[data-expr]', (tds) =>
          (tds as unknown as El[]).map((t) => ({ expr: t.getAttribute('data-expr'), variant: t.getAttribute('data-variant'), pass: t.getAttribute('data-pass') === 'true', value: t.getAttribute('data-value'), passed: Number(t.getAttribute('data-passed')), runs: Number(t.getAttribute('data-runs')), text: t.textContent })),
        );
        const expected = s.report!.scenarios[0]!.slos.flatMap((expr) =>
          s.report!.scenarios[0]!.variants.map((v) => {
            const x = v.summary.slos.find((y) => y.expr === expr)!;
            return { expr, variant: v.name, pass: x.pass, value: x.pooledValue === null ? 'null' : String(x.pooledValue), passed: x.passed, runs: x.runs };
          }),
        );
        expect(cells.map(({ text: _, ...c }) => c)).toEqual(expected);
        for (const c of cells) expect(c.text).toMatch(c.pass ? /^✓ pass/ : /^✗ fail/);
        const banner = await o.page.$eval('.verdict', (b) => ({ pass: (b as unknown as El).getAttribute('data-pass'), text: b.textContent }));
        const pass = s.report!.scenarios[0]!.variants.every((v) => v.summary.pass && v.errors.length === 0);
        expect(banner.pass).toBe(String(pass));
        expect(banner.text).toMatch(pass ? /^✓ PASS/ : /^✗ FAIL/);
      } finally {
        await o.page.close();
      }
    });
  }

  it('the event log: typing in the search box reduces the rows, choosing a reason or an object keeps only those', SLOW, async () => {
    const s = scenarios['rolling-update-undo']!;
    const events = s.report!.scenarios[0]!.variants[0]!.runs[0]!.events;
    const o = await open(s.html!);
    try {
      const visible = () => o.page.$$eval('table[data-role=events] tbody tr', (trs) => (trs as unknown as El[]).filter((t) => !t.hidden).map((t) => Array.from(t.children).map((c) => c.textContent)));
      expect(await visible()).toHaveLength(events.length);
      // (the undo is a template patch, as apps/v1 kubectl does it: no DeploymentRollback event; the scalings show it)
      await o.page.fill('input[data-role=events-search]', 'scaled up');
      const found = await visible();
      expect(found.length).toBeGreaterThan(0);
      expect(found.length).toBeLessThan(events.length);
      expect(found.length).toBe(events.filter((e) => `${e.type} ${e.reason} ${e.object} ${e.message}`.toLowerCase().includes('scaled up')).length);
      await o.page.fill('input[data-role=events-search]', '');
      await o.page.selectOption('select[data-role=events-reason]', 'Killing');
      const killing = await visible();
      expect(killing.map((r) => r[2])).toEqual(events.filter((e) => e.reason === 'Killing').map((e) => e.reason));
      expect(await o.page.textContent('[data-role=events-count]')).toBe(`${killing.length} of ${events.length} events`);
      await o.page.selectOption('select[data-role=events-reason]', '');
      await o.page.selectOption('select[data-role=events-object]', 'deployment/web-app');
      expect((await visible()).map((r) => r[3])).toEqual(events.filter((e) => e.object === 'deployment/web-app').map((e) => e.object));
      // keyboard: the search box is reachable with Tab and shows a visible focus ring
      await o.page.focus('input[data-role=events-search]');
      const outline = await o.page.$eval('input[data-role=events-search]', (e) => (globalThis as unknown as { getComputedStyle(e: unknown): { outlineStyle: string } }).getComputedStyle(e).outlineStyle);
      expect(outline).not.toBe('none');
    } finally {
      await o.page.close();
    }
  });

  it('prestop-race: a variant selector redraws the charts; the ranked table and the forest plot show every compared variant', SLOW, async () => {
    const s = scenarios['prestop-race']!;
    const sc = s.report!.scenarios[0]!;
    const o = await open(s.html!);
    try {
      expect(await o.page.$$eval('table[data-role=ranked] tbody tr', (trs) => (trs as unknown as El[]).map((t) => t.getAttribute('data-variant')))).toEqual(['prestop-5s', 'no-prestop']);
      const forest = await o.page.$$eval('table[data-role=forest] tr[data-metric]', (trs) => (trs as unknown as El[]).map((t) => [t.getAttribute('data-metric'), t.getAttribute('data-variant'), t.lastElementChild!.textContent]));
      const cmp = sc.comparison!.variants[0]!;
      expect(forest).toHaveLength(Object.keys(cmp.metrics).length);
      const refused = forest.find((f) => f[0] === 'failures.refused')!;
      expect(refused[1]).toBe('prestop-5s');
      expect(refused[2]).toContain(cmp.metrics['failures.refused'].verdict);
      await o.page.selectOption('select[data-role=variant-select]', '1');
      expect(await chartCount(o.page)).toBe(5);
      const failures = await o.page.$eval('figure[data-chart=failures] .chart-note', (n) => n.textContent);
      expect(failures).toBe('No failed requests.'); // the 5 s preStop sleep covers the propagation delay
      expect(await o.page.textContent('.variant-body h3')).toBe('Findings (prestop-5s)');
      // a finding's button moves every chart to its window
      await o.page.selectOption('select[data-role=variant-select]', '0');
      const findings = sc.variants[0]!.summary.findings;
      if (findings.length > 0) {
        await o.page.click('button.show-window');
        const hl = await o.page.$$eval('.ks-highlight', (h) => h.length);
        expect(hl).toBe(5);
      }
      expect(o.errors).toEqual([]);
    } finally {
      await o.page.close();
    }
  });

  it(`pod images and variant names like ${HOSTILE} (accepted by the scenario validator) render as text everywhere`, SLOW, async () => {
    const dir = path.join(tmp, 'hostile');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'hostile.yaml');
    writeFileSync(
      file,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: app, image: '${HOSTILE}:1', ports: [{containerPort: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: kubesim.dev/v1alpha1
kind: Scenario
metadata: {name: hostile}
spec:
  duration: 20s
  replications: 2
  images:
    '${HOSTILE}:1': {startup: 1s, serviceTime: {p50: 10ms, p99: 50ms}}
    '<i>v2</i>': {startup: 1s, serviceTime: {p50: 10ms, p99: 50ms}}
  traffic:
  - {name: web, service: web, rate: 50/s}
  timeline:
  - {at: 5s, action: set-image, target: deployment/web, image: 'app=<i>v2</i>'}
  variants:
  - name: '${HOSTILE}'
  - name: '<script>alert(3)</script>'
    patches:
    - target: deployment/web
      patch: {spec: {replicas: 3}}
  slos: ['availability >= 99%']
`,
    );
    const out = path.join(dir, 'out');
    const r = kubesimRun([file], out);
    expect([0, 1], r.stderr).toContain(r.code);
    const o = await open(path.join(out, 'report.html'));
    try {
      await expectOnlyText(o, path.join(out, 'report.html'));
      expect(await o.page.$$('i')).toHaveLength(0); // the set-image action's image, <i>v2</i>
      const text = await o.page.textContent('body');
      expect(text).toContain(`${HOSTILE}:1`); // the image, in the pod table and the chart legend
      expect(text).toContain('<i>v2</i>');
      const legends = await o.page.$$eval('figure[data-chart=pods] .u-legend .u-label', (ls) => (ls as unknown as El[]).map((l) => l.textContent));
      expect(legends).toEqual(expect.arrayContaining([`${HOSTILE}:1 Ready`, '<i>v2</i> Ready']));
      expect(await o.page.$$eval('figure[data-chart=latency] .ks-marker-label', (ls) => (ls as unknown as El[]).map((l) => l.textContent))).toEqual(['set-image app=<i>v2</i>']);
      expect(text).toContain('<script>alert(3)</script>');
      expect(await o.page.$$eval('select[data-role=variant-select] option', (os) => (os as unknown as El[]).map((x) => x.textContent))).toEqual([`${HOSTILE} (baseline)`, '<script>alert(3)</script>']);
      await o.page.selectOption('select[data-role=variant-select]', '1');
      await o.page.fill('input[data-role=events-search]', '<img');
      await expectOnlyText(o, path.join(out, 'report.html'));
    } finally {
      await o.page.close();
    }
  });

  it(`a scenario name, labels, SLOs, events, actions and findings like ${HOSTILE} (a report model the validator would not let through) render as text everywhere`, SLOW, async () => {
    const report = JSON.parse(readFileSync(path.join(tmp, 'prestop-race', 'report.json'), 'utf8')) as Report;
    const h = (s: string) => `${s} ${HOSTILE}"'&</script><!--`;
    const sc = report.scenarios[0]!;
    sc.name = h('scenario');
    sc.file = h('file');
    sc.notes = [h('note')];
    sc.slos = sc.slos.map(h);
    sc.comparison!.baseline = h('baseline');
    for (const v of sc.variants) {
      v.name = h(v.name);
      for (const x of v.summary.slos) x.expr = h(x.expr);
      for (const a of v.summary.actions) Object.assign(a, { action: h(a.action), target: h(a.target), detail: h(a.detail) });
      for (const f of v.summary.findings) Object.assign(f, { message: h(f.message), fix: h('fix'), subjects: f.subjects.map(h) });
      for (const t of v.summary.rollouts) t.target = h(t.target);
      const run = v.runs[0]!;
      for (const p of run.pods) Object.assign(p, { name: h(p.name), image: h(p.image), node: h(String(p.node)) });
      for (const e of run.events) Object.assign(e, { reason: h(e.reason), object: h(e.object), message: h(e.message) });
      for (const t of run.rollouts) t.target = h(t.target);
      run.notes = [h('run note')];
      const g = v.summary.timeseries!.gauges;
      for (const k of Object.keys(g)) g[k.replace(/^(pods\/)/, `$1${HOSTILE}/`)] = g[k]!;
    }
    for (const c of sc.comparison!.variants) c.variant = h(c.variant);
    const file = writeHtmlReport(report, path.join(tmp, 'hostile-model'));
    const o = await open(file);
    try {
      await expectOnlyText(o, file);
      expect(await o.page.textContent('h2')).toBe(h('scenario'));
      expect(await o.page.title()).toContain(HOSTILE);
      const text = (await o.page.textContent('body'))!;
      for (const s of [h('note'), h('run note'), h('fix'), h('no-prestop'), h('errors.refused == 0')]) expect(text).toContain(s);
      const legends = await o.page.$$eval('figure[data-chart=pods] .u-legend .u-label', (ls) => (ls as unknown as El[]).map((l) => l.textContent));
      expect(legends.some((l) => l!.includes(HOSTILE))).toBe(true);
      await o.page.click('button.show-window');
      await o.page.selectOption('select[data-role=events-reason]', { index: 1 });
      await expectOnlyText(o, file);
    } finally {
      await o.page.close();
    }
  });

  it('--detail summary: the charts still come from the pooled series, and the event log says why it is empty', SLOW, async () => {
    const out = path.join(tmp, 'summary');
    const r = spawnSync(process.execPath, [CLI, 'run', 'scenarios/web-app.yaml', '--detail', 'summary', '--out', out, '--format', 'json,html', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const o = await open(path.join(out, 'report.html'));
    try {
      expect(o.errors).toEqual([]);
      expect(await chartCount(o.page)).toBe(5);
      expect(await o.page.textContent('[data-role=events-note]')).toMatch(/--detail summary/);
      expect(await o.page.$$('table[data-role=events]')).toHaveLength(0);
    } finally {
      await o.page.close();
    }
  });

  it('empty data: a run with no request (every latency null, no gauge) and a variant with no finished run draw without error', SLOW, async () => {
    const report = JSON.parse(readFileSync(path.join(tmp, 'prestop-race', 'report.json'), 'utf8')) as Report;
    const sc = report.scenarios[0]!;
    const [empty, none] = sc.variants;
    const t = empty!.summary.timeseries!;
    const zeros = t.requests.map(() => 0);
    t.requests = zeros;
    for (const k of Object.keys(t.outcomes) as (keyof typeof t.outcomes)[]) t.outcomes[k] = zeros;
    t.latencyMs = { p50: zeros.map(() => null), p90: zeros.map(() => null), p99: zeros.map(() => null) };
    t.gauges = {};
    empty!.summary.findings = [];
    empty!.runs[0]!.pods = [];
    empty!.runs[0]!.events = [];
    none!.runs = [];
    none!.summary.timeseries = null;
    none!.summary.actions = [];
    const file = writeHtmlReport(report, path.join(tmp, 'empty'));
    const o = await open(file);
    try {
      expect(o.errors).toEqual([]);
      expect(await chartCount(o.page)).toBe(5);
      expect(await o.page.textContent('figure[data-chart=latency] .chart-note')).toBe('No successful request: no latency to draw.');
      expect(await o.page.textContent('figure[data-chart=pods] .chart-note')).toBe('No pod in this run.');
      await o.page.selectOption('select[data-role=variant-select]', '1');
      expect(await chartCount(o.page)).toBe(0);
      expect(await o.page.textContent('.charts-block')).toMatch(/No run of this variant finished/);
      expect(o.errors).toEqual([]);
    } finally {
      await o.page.close();
    }
  });

  it('a synthetic sweep of 1,000 runs: the page weighs under 5 MB and opens without error (load time logged, not asserted)', SLOW, async () => {
    const out = path.join(tmp, 'sweep');
    for (const [label, r] of [
      ['2 variants × 500 replications', sweepReport(2, 500, 600, 200)],
      ['1,000 variants × 1 replication', sweepReport(1000, 1, 600, 200)],
    ] as const) {
      const file = writeHtmlReport(r, path.join(out, label.replace(/\W+/g, '-')));
      const size = statSync(file).size;
      expect(size).toBeLessThan(5 * 1024 * 1024);
      const o = await open(file);
      try {
        console.log(`report.html of a sweep of 1,000 runs (${label}): ${(size / 1024 / 1024).toFixed(2)} MB, loaded and drawn in ${Math.round(o.loadMs)} ms`);
        expect(o.errors).toEqual([]);
        expect(o.requests).toHaveLength(1);
        expect(await chartCount(o.page)).toBe(5);
      } finally {
        await o.page.close();
      }
    }
  });
});
