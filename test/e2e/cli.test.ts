import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FORMATS } from '../../reports/formats.js';

/**
 * The kubesim command as users run it: the bundled dist/bin/kubesim.js (`npm test` builds first)
 * in a child process, from the repository root so paths in the report are relative to it.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'dist/bin/kubesim.js');
const FIX = 'test/fixtures/cli';
const OUTCOMES = ['ok', 'no_endpoints', 'refused', 'reset', 'timeout', 'overload', 'app_error'];

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kubesim(...args: string[]): Result {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, KUBESIM_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'kubesim-e2e-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let outs = 0;
function outDir(): string {
  return path.join(tmp, `out-${++outs}`);
}

/** No stack trace: no "    at fn (file:line:col)" lines. */
function expectNoStack(text: string): void {
  expect(text).not.toMatch(/^\s+at /m);
  expect(text).not.toMatch(/internal error/);
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

function readReport(out: string): Json {
  return JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
}

describe('help and version', () => {
  it('--help lists the commands and the exit codes', () => {
    const r = kubesim('--help');
    expect(r.code).toBe(0);
    for (const word of ['run', 'validate', 'schema', 'Exit codes']) expect(r.stdout).toContain(word);
    expect(r.stderr).toBe('');
  });

  it('run --help lists the options', () => {
    const r = kubesim('run', '--help');
    expect(r.code).toBe(0);
    for (const o of ['--seed', '--replications', '--out', '--format', '--quiet', 'kubesim-report/']) expect(r.stdout).toContain(o);
    for (const f of ['json   report.json', 'md     summary.md', 'junit  junit.xml', 'NO_COLOR', 'FORCE_COLOR']) expect(r.stdout).toContain(f);
  });

  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = kubesim('--version');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('no command is a usage error: help on stderr, exit 2', () => {
    const r = kubesim();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: kubesim');
    expect(r.stdout).toBe('');
  });

  it('an unknown command or option is a usage error (exit 2)', () => {
    expect(kubesim('simulate').code).toBe(2);
    const r = kubesim('run', '--bogus', 'scenarios/web-app.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus'");
  });
});

/**
 * One prefix style (README "Errors and exit codes"): messages kubesim itself writes — usage errors
 * (commander's included), I/O errors, internal errors — start with `kubesim: `; bad input is
 * `file:line:col: path: message`. No line starts with commander's own `error: `.
 */
describe('error prefixes', () => {
  const problemLines = (stderr: string) => stderr.split('\n').filter((l) => l !== '' && l !== '(add --help for usage)');

  it('usage errors, commander\'s too: "kubesim: …", exit 2', () => {
    for (const args of [
      ['run', '--bogus', 'scenarios/web-app.yaml'],
      ['run'],
      ['frobnicate'],
      ['run', '--workers', 'many', 'scenarios/web-app.yaml'],
      ['run', '--out', 'json=results.json', 'scenarios/web-app.yaml'],
    ]) {
      const r = kubesim(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      const lines = problemLines(r.stderr);
      expect(lines.length, args.join(' ')).toBeGreaterThan(0);
      for (const l of lines) expect(l, args.join(' ')).toMatch(/^kubesim: /);
    }
    expect(kubesim('run').stderr).toBe("kubesim: missing required argument 'files'\n(add --help for usage)\n");
  });

  it('I/O errors: "kubesim: <file>: …" (a file that cannot be read, a folder that cannot be made), exit 2', () => {
    const missing = kubesim('validate', 'no/such.yaml');
    expect(missing).toEqual({ code: 2, stdout: '', stderr: 'kubesim: no/such.yaml: cannot read file: no such file or directory\n' });
    const file = path.join(tmp, 'prefix-file');
    writeFileSync(file, 'x');
    const out = kubesim('run', '-q', '--out', path.join(file, 'sub'), `${FIX}/notes.yaml`);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^kubesim: --out .*prefix-file\/sub: cannot create the folder: /);
  });

  it('input errors: "file:line:col: path: message", the count as "kubesim: N errors", exit 2', () => {
    const r = kubesim('validate', `${FIX}/bad-replicas.yaml`, `${FIX}/bad-slo.yaml`);
    expect(r.code).toBe(2);
    const lines = problemLines(r.stderr);
    expect(lines.at(-1)).toBe('kubesim: 2 errors');
    for (const l of lines.slice(0, -1)) expect(l).toMatch(/^test\/fixtures\/cli\/bad-[a-z]+\.yaml:\d+:\d+: spec\.[a-z]+(\[\d+\])?: /);
    expectNoStack(r.stderr);
  });
});

describe('validate', () => {
  it('a valid file: "1 scenario valid", exit 0', () => {
    const r = kubesim('validate', 'scenarios/web-app.yaml');
    expect(r).toEqual({ code: 0, stdout: '1 scenario valid\n', stderr: '' });
  });

  it('prints notes (skipped kinds) on stderr and counts every scenario', () => {
    const r = kubesim('validate', 'scenarios/web-app.yaml', `${FIX}/notes.yaml`);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('2 scenarios valid\n');
    expect(r.stderr).toBe(`${FIX}/notes.yaml:3:7: note: skipped ConfigMap/settings: kind not modelled yet\n`);
  });

  it('--quiet prints nothing for valid files', () => {
    expect(kubesim('validate', '--quiet', `${FIX}/notes.yaml`)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('bad input: file:line:col, the field path and what was expected; exit 2; no stack trace', () => {
    const r = kubesim('validate', `${FIX}/bad-replicas.yaml`);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${FIX}/bad-replicas.yaml:5:13: spec.replicas: expected a non-negative integer, got -1\n`);
    expectNoStack(r.stderr);
  });

  it('an SLO that does not parse is bad input with its position', () => {
    const r = kubesim('validate', `${FIX}/bad-slo.yaml`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^test\/fixtures\/cli\/bad-slo\.yaml:21:35: spec\.slos\[1\]: unknown latency statistic "median"/);
    expectNoStack(r.stderr);
  });

  it('a missing file is bad input (one message per problem)', () => {
    const r = kubesim('validate', 'no/such.yaml', `${FIX}/bad-replicas.yaml`);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toContain('kubesim: no/such.yaml: cannot read file: no such file or directory');
    expect(lines.some((l) => l.startsWith(`${FIX}/bad-replicas.yaml:5:13: spec.replicas:`))).toBe(true);
    expect(lines.at(-1)).toBe('kubesim: 2 errors');
    expectNoStack(r.stderr);
  });

  it("k6's --out <type>=<path> is a usage error naming --out and --format, and creates nothing", () => {
    const cwd = mkdtempSync(path.join(tmp, 'k6-'));
    const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined } });
    const r = cli(['run', '--out', 'json=results.json', path.join(ROOT, 'scenarios/web-app.yaml')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "kubesim: --out json=results.json: looks like k6's --out <type>=<path>; kubesim's --out is a folder and --format chooses the files, e.g. --out kubesim-report --format json (for a folder of that name, write ./json=results.json)\n",
    );
    const m = cli(['merge', '--out', 'junit=ci/junit.xml', cwd]);
    expect(m.status).toBe(2);
    expect(m.stderr).toContain('e.g. --out ci --format junit');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('bad input to run is exit 2 too, before anything is written', () => {
    const out = outDir();
    const r = kubesim('run', '--out', out, `${FIX}/bad-replicas.yaml`);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectNoStack(r.stderr);
    expect(() => readdirSync(out)).toThrow();
  });
});

describe('schema', () => {
  it('prints the JSON Schema of the Scenario kind', () => {
    const r = kubesim('schema');
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as Json;
    expect(schema.$schema).toContain('json-schema.org');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata', 'spec']));
    expect(Object.keys(schema.properties.spec.properties)).toEqual(expect.arrayContaining(['duration', 'seed', 'replications', 'traffic', 'timeline', 'slos']));
  });
});

describe('run', () => {
  let out: string;
  let first: Result;
  beforeAll(() => {
    out = outDir();
    first = kubesim('run', '--out', out, 'scenarios/web-app.yaml');
  }, 600_000); // spawns the CLI: minutes on a slow, loaded 2-core machine

  it('exits 0 when every SLO holds, with a summary on stdout and progress lines on stderr', () => {
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^web-app-steady\n {2}scenarios\/web-app\.yaml · seed 42 · 1 replication · 2m simulated\n/);
    for (const row of ['requests', 'availability', 'latency p50', 'latency p90', 'latency p99', 'latency max', 'failures', 'rollouts']) {
      expect(first.stdout).toMatch(new RegExp(`^  ${row} `, 'm'));
    }
    expect(first.stdout).toMatch(/^ {2}SLO availability >= 99\.9% +✓ \d+\.\d{3}%$/m);
    expect(first.stdout).toMatch(/^ {2}SLO p\(99\) < 300ms +✓ [\d.]+ ms$/m);
    expect(first.stdout).toContain(`report: ${path.join(out, 'report.json')}\n`);
    expect(first.stdout).not.toContain('\x1b[');
    expect(first.stderr).toMatch(/^kubesim: run 1\/1 web-app-steady default #0 \(seed \d+\): \d+ requests, \d+ failed \([\d.]+ [kMG]? ?events\/s\)\n$/);
  });

  it('writes report.json by the contract', () => {
    const report = readReport(out);
    expect(Object.keys(report)).toEqual(['schemaVersion', 'tool', 'detail', 'slosPass', 'failedRuns', 'scenarios']);
    expect(report.detail).toBe('full');
    expect(report.schemaVersion).toBe(1);
    expect(report.tool).toEqual({ name: 'kubesim', version: JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version });
    expect(report.slosPass).toBe(true);
    expect(report.failedRuns).toBe(0);
    expect(report.scenarios).toHaveLength(1);
    const s = report.scenarios[0];
    expect(Object.keys(s)).toEqual(['name', 'file', 'files', 'bare', 'seed', 'durationS', 'warmupS', 'replications', 'slos', 'notes', 'variants', 'comparison']);
    expect(s).toMatchObject({ name: 'web-app-steady', file: 'scenarios/web-app.yaml', files: ['scenarios/web-app.yaml'], bare: false, seed: 42, durationS: 120, replications: 1 });
    expect(s.slos).toEqual(['availability >= 99.9%', 'p(99) < 300ms']);
    expect(s.variants.map((v: Json) => v.name)).toEqual(['default']);
    const v = s.variants[0];
    expect(Object.keys(v)).toEqual(['name', 'runs', 'errors', 'summary']);
    expect(v.errors).toEqual([]);
    expect(v.runs).toHaveLength(1);
    const run = v.runs[0];
    expect(Object.keys(run)).toEqual(['replication', 'seed', 'requests', 'availability', 'latencyMs', 'pods', 'rollouts', 'slos', 'timeseries', 'events', 'actions', 'findings', 'notes']);
    expect(run.actions).toEqual([]);
    expect(run.findings).toEqual([]);
    expect(run.replication).toBe(0);
    expect(Number.isSafeInteger(run.seed)).toBe(true);
    checkRunInvariants(run, s.durationS);
    // 3 warm pods behind the Service share the traffic
    expect(run.pods).toHaveLength(3);
    for (const p of run.pods) {
      expect(Object.keys(p)).toEqual(['name', 'image', 'node', 'requests', 'createdAtS', 'deletedAtS']);
      expect(p).toMatchObject({ image: 'nginx:1.25', createdAtS: 0, deletedAtS: null });
      expect(p.requests).toBeGreaterThan(run.requests.total / 6);
    }
    expect(run.rollouts).toEqual([]);
    expect(run.slos.map((x: Json) => [x.expr, x.pass])).toEqual([
      ['availability >= 99.9%', true],
      ['p(99) < 300ms', true],
    ]);
    expect(run.slos[0]).toMatchObject({ unit: 'fraction', threshold: 0.999, value: run.availability, reason: null });
    expect(run.slos[1]).toMatchObject({ unit: 'seconds', threshold: 0.3 });
    expect(run.slos[1].value * 1000).toBeCloseTo(run.latencyMs.p99, 3);
    // one run: the summary is that run
    expect(v.summary).toMatchObject({ runs: 1, failedRuns: 0, requests: run.requests, availability: run.availability, latencyMs: run.latencyMs, rollouts: [], pass: true });
    expect(v.summary.slos).toEqual([
      { expr: 'availability >= 99.9%', unit: 'fraction', threshold: 0.999, passed: 1, runs: 1, pass: true, pooledValue: run.slos[0].value },
      { expr: 'p(99) < 300ms', unit: 'seconds', threshold: 0.3, passed: 1, runs: 1, pass: true, pooledValue: run.slos[1].value },
    ]);
  });

  it('has no wall-clock values and no absolute paths', () => {
    const text = readFileSync(path.join(out, 'report.json'), 'utf8');
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/); // ISO dates
    expect(text).not.toMatch(/1[6-9]\d{11}/); // epoch milliseconds
    expect(text).not.toContain(ROOT);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('the atomic write leaves only the report files in the folder (the default formats: json, html once registered)', () => {
    expect(readdirSync(out).sort()).toEqual(DEFAULT_FORMATS.map((f) => `report.${f}`).sort());
  });

  it('the same seed gives a byte-identical report.json', () => {
    const again = outDir();
    expect(kubesim('run', '--quiet', '--out', again, 'scenarios/web-app.yaml').code).toBe(0);
    expect(readFileSync(path.join(again, 'report.json'))).toEqual(readFileSync(path.join(out, 'report.json')));
  });

  it('--detail summary drops the runs\' time series and event logs, nothing else', () => {
    const small = outDir();
    expect(kubesim('run', '--quiet', '--detail', 'summary', '--out', small, 'scenarios/web-app.yaml').code).toBe(0);
    const a = readReport(out);
    const b = readReport(small);
    expect(b.detail).toBe('summary');
    expect(b.scenarios[0].variants[0].runs[0].timeseries).toBeNull();
    expect(b.scenarios[0].variants[0].runs[0].events).toEqual([]);
    expect(b.scenarios[0].variants[0].summary).toEqual(a.scenarios[0].variants[0].summary);
    // what is dropped is the run's series and events; the variant's pooled series stays (one per variant)
    const dropped = JSON.stringify(a.scenarios[0].variants[0].runs[0].timeseries).length + JSON.stringify(a.scenarios[0].variants[0].runs[0].events).length;
    expect(readFileSync(path.join(small, 'report.json')).length).toBeLessThan(readFileSync(path.join(out, 'report.json')).length - dropped / 2);
    expect(b.scenarios[0].variants[0].summary.timeseries.requests).toEqual(a.scenarios[0].variants[0].runs[0].timeseries.requests);
    const bad = kubesim('run', '--detail', 'everything', 'scenarios/web-app.yaml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--detail.*everything.*full, summary/s);
  });

  it('--seed overrides the scenario seed and changes the results', () => {
    const other = outDir();
    expect(kubesim('run', '--quiet', '--seed', '7', '--out', other, 'scenarios/web-app.yaml').code).toBe(0);
    const a = readReport(out);
    const b = readReport(other);
    expect(b.scenarios[0].seed).toBe(7);
    expect(b.scenarios[0].variants[0].runs[0].seed).not.toBe(a.scenarios[0].variants[0].runs[0].seed);
    expect(b.scenarios[0].variants[0].runs[0].requests).not.toEqual(a.scenarios[0].variants[0].runs[0].requests);
  });

  it('--replications runs each replication with its own seed and pools them in the summary', () => {
    const o = outDir();
    const r = kubesim('run', '--replications', '3', '--seed', '5', '--out', o, `${FIX}/notes.yaml`);
    expect(r.code).toBe(0);
    expect(r.stderr.match(/^kubesim: run \d\/3 /gm)).toHaveLength(3);
    const s = readReport(o).scenarios[0];
    expect(s).toMatchObject({ name: 'notes', bare: true, seed: 5, replications: 3 });
    expect(s.notes).toEqual([`${FIX}/notes.yaml:3:7: note: skipped ConfigMap/settings: kind not modelled yet`]);
    const v = s.variants[0];
    expect(v.runs.map((x: Json) => x.replication)).toEqual([0, 1, 2]);
    expect(new Set(v.runs.map((x: Json) => x.seed)).size).toBe(3);
    for (const run of v.runs) checkRunInvariants(run, s.durationS);
    const sum = (f: (x: Json) => number) => v.runs.reduce((n: number, x: Json) => n + f(x), 0);
    expect(v.summary.runs).toBe(3);
    expect(v.summary.requests.total).toBe(sum((x) => x.requests.total));
    for (const o2 of OUTCOMES) expect(v.summary.requests.byOutcome[o2]).toBe(sum((x) => x.requests.byOutcome[o2]));
    expect(v.summary.availability).toBeCloseTo(v.summary.requests.ok / v.summary.requests.total, 12);
    expect(v.summary.latencyMs.max).toBe(Math.max(...v.runs.map((x: Json) => x.latencyMs.max)));
    expect(v.summary.slos).toEqual([]);
    expect(v.summary.pass).toBe(true);
  });

  it('an SLO that fails: exit 1, ✗ in the table, a line on stderr, the rollout in the report', () => {
    const o = outDir();
    const r = kubesim('run', '--out', o, `${FIX}/rollout.yaml`);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ {2}SLO p\(99\) < 1ms +✗ [\d.]+ ms$/m);
    expect(r.stdout).toMatch(/^ {2}SLO availability >= 50% +✓ /m);
    expect(r.stdout).toMatch(/^ {2}rollout deployment\/web +[\d.]+ s$/m);
    expect(r.stderr).toMatch(/^kubesim: SLO failed: rollout-slo-fails: p\(99\) < 1ms \([\d.]+ ms\)$/m);
    const report = readReport(o);
    expect(report.slosPass).toBe(false);
    const v = report.scenarios[0].variants[0];
    expect(v.summary.pass).toBe(false);
    expect(v.summary.slos.map((x: Json) => [x.passed, x.pass])).toEqual([
      [1, true],
      [0, false],
    ]);
    const run = v.runs[0];
    checkRunInvariants(run, 60);
    expect(run.rollouts).toHaveLength(1);
    const ro = run.rollouts[0];
    expect(Object.keys(ro)).toEqual(['target', 'startedAtS', 'completedAtS', 'durationS', 'maxPods', 'maxActivePods', 'minAvailable', 'outcome']);
    expect(ro).toMatchObject({ target: 'deployment/web', startedAtS: 10, outcome: 'complete' });
    expect(ro.durationS).toBeCloseTo(ro.completedAtS - ro.startedAtS, 6);
    // RollingUpdate 25%/25% of 3: surge 1, unavailable 0 → at most 4 active pods, never fewer than 3 available
    expect(ro.maxActivePods).toBe(4);
    expect(ro.maxPods).toBeGreaterThanOrEqual(ro.maxActivePods);
    expect(ro.minAvailable).toBe(3);
    expect(v.summary.rollouts).toEqual([
      { target: 'deployment/web', count: 1, byOutcome: { complete: 1, stalled: 0, aborted: 0, in_progress: 0 }, durationS: { mean: ro.durationS, min: ro.durationS, max: ro.durationS } },
    ]);
    // old pods were deleted, new ones created during the rollout
    expect(run.pods.filter((p: Json) => p.image === 'nginx:1.25' && p.deletedAtS !== null)).toHaveLength(3);
    expect(run.pods.filter((p: Json) => p.image === 'nginx:1.26' && p.createdAtS >= 10 && p.deletedAtS === null)).toHaveLength(3);
    expect(run.events.some((e: Json) => e.reason === 'ScalingReplicaSet' && e.object === 'deployment/web')).toBe(true);
    for (const e of run.events) expect(Object.keys(e)).toEqual(['atS', 'type', 'reason', 'object', 'message']);
  });

  it('variants: one column and one report entry each, the same replication seeds, exit 1 when one fails its SLO', () => {
    const v = kubesim('validate', `${FIX}/variants.yaml`);
    expect(v).toEqual({ code: 0, stdout: '1 scenario valid (2 variants)\n', stderr: '' });
    const o = outDir();
    const r = kubesim('run', '--out', o, `${FIX}/variants.yaml`);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ +rolling +recreate$/m);
    expect(r.stdout).toMatch(/^ {2}SLO availability >= 99\.9% +✓ 2\/2 runs, pooled [\d.]+% +✗ 0\/2 runs, pooled [\d.]+%$/m);
    expect(r.stderr.match(/^kubesim: run \d\/4 strategies (rolling|recreate) #\d /gm)).toHaveLength(4);
    expect(r.stderr).toMatch(/^kubesim: SLO failed: strategies\/recreate: availability >= 99\.9% \(held in 0 of 2 runs; pooled [\d.]+%\)$/m);
    const s = readReport(o).scenarios[0];
    expect(s.variants.map((x: Json) => x.name)).toEqual(['rolling', 'recreate']);
    const [rolling, recreate] = s.variants;
    expect(recreate.runs.map((x: Json) => x.seed)).toEqual(rolling.runs.map((x: Json) => x.seed));
    for (const v2 of s.variants) for (const run of v2.runs) checkRunInvariants(run, 60);
    expect(rolling.summary.pass).toBe(true);
    expect(recreate.summary.pass).toBe(false);
    expect(recreate.summary.requests.byOutcome.no_endpoints).toBeGreaterThan(0);
    expect(rolling.summary.requests.byOutcome.no_endpoints).toBe(0);
    // Recreate scales the old pods to zero first: nothing available at some point
    expect(recreate.runs[0].rollouts[0].minAvailable).toBe(0);
    expect(rolling.runs[0].rollouts[0].minAvailable).toBe(3);
  });

  it('--quiet: nothing on stdout or stderr when SLOs hold; only the failing SLOs on stderr otherwise', () => {
    const ok = kubesim('run', '--quiet', '--out', outDir(), `${FIX}/notes.yaml`);
    expect(ok).toEqual({ code: 0, stdout: '', stderr: '' });
    const bad = kubesim('run', '-q', '--out', outDir(), `${FIX}/rollout.yaml`);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^kubesim: SLO failed: rollout-slo-fails: p\(99\) < 1ms \([\d.]+ ms\)\n$/);
  });

  it('--format: json is accepted (and repeated names once); an unknown format is a usage error', () => {
    const o = outDir();
    expect(kubesim('run', '-q', '--format', 'json, JSON', '--out', o, `${FIX}/notes.yaml`).code).toBe(0);
    expect(readdirSync(o)).toEqual(['report.json']);
    const r = kubesim('run', '--format', 'json,xml', '--out', outDir(), `${FIX}/notes.yaml`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown format "xml"; available: json, (\w+, )*md, junit/);
    expect(r.stdout).toBe('');
  });

  it('--format md,junit: summary.md and junit.xml, listed after the summary; the verdict is the last line', () => {
    const o = outDir();
    const r = kubesim('run', '--format', 'md,junit', '--out', o, `${FIX}/rollout.yaml`);
    expect(r.code).toBe(1);
    expect(readdirSync(o).sort()).toEqual(['junit.xml', 'summary.md']);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(-3)).toEqual([`report: ${path.join(o, 'summary.md')}`, `report: ${path.join(o, 'junit.xml')}`, expect.stringMatching(/^✗ 1 of \d+ SLOs? failed: p\(99\) < 1ms \([\d.]+ ms\)$/)]);
    expect(readFileSync(path.join(o, 'summary.md'), 'utf8')).toMatch(/^## ❌ kubesim: 1 of \d+ SLOs? failed\n/);
    expect(readFileSync(path.join(o, 'junit.xml'), 'utf8')).toContain('type="SLOFailure"');
    for (const l of r.stdout.split('\n')) expect([...l].length).toBeLessThanOrEqual(100);
  }, 300_000);

  it('merge --format md,junit writes the same summary.md and junit.xml as the run', () => {
    const [whole, shard, merged] = [outDir(), outDir(), outDir()];
    expect(kubesim('run', '-q', '--format', 'md,junit', '--out', whole, `${FIX}/rollout.yaml`).code).toBe(1);
    expect(kubesim('run', '-q', '--shard', '1/1', '--out', shard, `${FIX}/rollout.yaml`).code).toBe(0);
    expect(kubesim('merge', '-q', '--format', 'junit,md', '--out', merged, shard).code).toBe(1);
    for (const f of ['summary.md', 'junit.xml']) expect(readFileSync(path.join(merged, f), 'utf8')).toBe(readFileSync(path.join(whole, f), 'utf8'));
  }, 300_000);

  it('FORCE_COLOR colours the summary even when stdout is not a terminal; NO_COLOR alone does not', () => {
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, [CLI, 'run', '--out', outDir(), `${FIX}/notes.yaml`], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...env } });
    expect(run({ FORCE_COLOR: '1' }).stdout).toContain('\x1b[1m');
    expect(run({}).stdout).not.toContain('\x1b[');
    expect(run({ NO_COLOR: '1' }).stdout).not.toContain('\x1b[');
  }, 300_000);

  it('invalid option values are usage errors (exit 2) with one clear message', () => {
    for (const args of [
      ['--replications', '0'],
      ['--replications', '2.5'],
      ['--seed', '-1'],
      ['--seed', 'abc'],
      ['--format', ''],
    ]) {
      const r = kubesim('run', ...args, '--out', outDir(), `${FIX}/notes.yaml`);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(new RegExp(`^kubesim: option '${args[0]} <\\w+>' argument '${args[1]!.replace('.', '\\.')}' is invalid\\. expected `));
      expectNoStack(r.stderr);
    }
  });

  it('an --out that cannot be a folder is a usage error, before running', () => {
    const file = path.join(tmp, 'a-file');
    writeFileSync(file, 'x');
    const r = kubesim('run', '-q', '--out', path.join(file, 'sub'), `${FIX}/notes.yaml`);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`kubesim: --out ${path.join(file, 'sub')}: cannot create the folder: a part of the path is not a folder\n`);
  });

  it('a report that cannot be written leaves no temporary file behind (exit 2)', () => {
    const o = outDir();
    mkdirSync(path.join(o, 'report.json'), { recursive: true }); // a folder where the file should go
    const r = kubesim('run', '-q', '--out', o, `${FIX}/notes.yaml`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^kubesim: cannot write the report to .*: /);
    expectNoStack(r.stderr);
    expect(readdirSync(o)).toEqual(['report.json']);
    expect(readdirSync(path.join(o, 'report.json'))).toEqual([]);
  });
});

/** What every run entry must satisfy. */
function checkRunInvariants(run: Json, durationS: number): void {
  const q = run.requests;
  expect(Object.keys(q)).toEqual(['total', 'ok', 'failed', 'byOutcome']);
  expect(Object.keys(q.byOutcome)).toEqual(OUTCOMES);
  expect(q.total).toBeGreaterThan(0);
  expect(q.total).toBe(OUTCOMES.reduce((n, o) => n + q.byOutcome[o], 0));
  expect(q.ok).toBe(q.byOutcome.ok);
  expect(q.failed).toBe(q.total - q.ok);
  expect(run.availability).toBeCloseTo(q.ok / q.total, 12);
  const l = run.latencyMs;
  expect(Object.keys(l)).toEqual(['mean', 'p50', 'p90', 'p95', 'p99', 'p999', 'max']);
  expect(l.p50).toBeGreaterThan(0);
  expect(l.p50).toBeLessThanOrEqual(l.p90);
  expect(l.p90).toBeLessThanOrEqual(l.p95);
  expect(l.p95).toBeLessThanOrEqual(l.p99);
  expect(l.p99).toBeLessThanOrEqual(l.p999);
  expect(l.p999).toBeLessThanOrEqual(l.max);
  for (const x of Object.values(l)) expect(Math.round((x as number) * 1000) / 1000).toBe(x);
  for (const s of run.slos) expect(Object.keys(s)).toEqual(['expr', 'pass', 'value', 'threshold', 'unit', 'reason']);
  const t = run.timeseries;
  expect(Object.keys(t)).toEqual(['intervalS', 'requests', 'outcomes', 'latencyMs', 'gauges']);
  expect(t.requests).toHaveLength(Math.ceil(durationS / t.intervalS));
  expect(t.requests.reduce((a: number, b: number) => a + b, 0)).toBe(q.total);
  for (const o of OUTCOMES) expect(t.outcomes[o].reduce((a: number, b: number) => a + b, 0)).toBe(q.byOutcome[o]);
  expect(Object.keys(t.gauges).length).toBeGreaterThan(0);
  const podRequests = run.pods.reduce((n: number, p: Json) => n + p.requests, 0);
  expect(podRequests).toBeGreaterThanOrEqual(q.total - q.byOutcome.no_endpoints - q.byOutcome.refused);
}
