import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 10: a scenario file from a pull request is untrusted input. Each hostile input here goes
 * through the built command (dist/bin/kubesim.js) in a child process with a hard kill timeout, so
 * a hang fails the test instead of the run. Bad input must be exit 2 with `file:line:col: path:`.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'dist/bin/kubesim.js');
/** Generous: a slow, loaded 2-core machine; a hang is killed and shows as code null. */
const KILL_AFTER_MS = 90_000;
const SPAWN_TEST_TIMEOUT = 240_000;

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function kubesim(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Result {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? tmp,
    encoding: 'utf8',
    timeout: KILL_AFTER_MS,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', KUBESIM_DEBUG: '', ...opts.env },
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'kubesim-hostile-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let files = 0;
function write(text: string, name = `s${++files}.yaml`): string {
  writeFileSync(path.join(tmp, name), text);
  return name;
}
let outs = 0;
function outDir(): string {
  return path.join(tmp, `out-${++outs}`);
}

export const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web-app}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web-service}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
`;

/** A small scenario; `extra` is appended to its spec (indented by two spaces). */
function scenario(extra: string, spec = ''): string {
  return `${MANIFESTS}apiVersion: kubesim.dev/v1alpha1
kind: Scenario
metadata: {name: hostile}
spec:
  duration: 5s
  images:
    nginx:1.25: {startup: 1s, serviceTime: {p50: 20ms, p99: 120ms}, concurrency: 8, queue: 100}
  traffic:
    - {name: web, service: web-service, rate: 20/s}
${spec}${extra.replace(/^/gm, '  ')}
`;
}

/** Bad input: exit 2, every line `file:line:col: …`, no stack, nothing on stdout. */
function expectBadInput(r: Result, pattern: RegExp): void {
  expect(r.signal, r.stderr).toBeNull();
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/internal error/);
}

describe('prototype pollution through patches and matrix paths (issue 10.1)', () => {
  for (const key of ['__proto__.resources', '__proto__.dist', 'constructor.prototype.x', 'spec.__proto__.replicas', 'spec.template.spec.containers[nginx].__proto__']) {
    it(`matrix key ${key} is exit 2 with a position`, () => {
      const f = write(scenario(`variants:\n  - name: base\n  - matrix:\n      target: deployment/web-app\n      ${key}: [{requests: {cpu: "100"}}]\n`));
      const r = kubesim(['validate', f]);
      expectBadInput(r, new RegExp(`^${f}:\\d+:\\d+: spec\\.variants\\[1\\]\\.matrix.*(__proto__|constructor|prototype)`, 'm'));
    }, SPAWN_TEST_TIMEOUT);
  }

  it('__proto__.eval with --workers 2 is bad input, not a hang', () => {
    const f = write(scenario(`replications: 2\nvariants:\n  - name: base\n  - matrix:\n      target: scenario\n      __proto__.eval: [true]\n`));
    const r = kubesim(['run', f, '--workers', '2', '--out', outDir()]);
    expectBadInput(r, /__proto__/);
  }, SPAWN_TEST_TIMEOUT);

  it('a __proto__ key in a patch is exit 2 with its position', () => {
    const f = write(scenario(`variants:\n  - name: p\n    patches:\n      - target: deployment/web-app\n        patch: {spec: {__proto__: {replicas: 0}}}\n`));
    const r = kubesim(['validate', f]);
    expectBadInput(r, /:\d+:\d+: spec\.variants\[0\]\.patches\[0\]\.patch\.spec\.__proto__: .*not allowed/);
  }, SPAWN_TEST_TIMEOUT);

  it('a __proto__ key anywhere in a document is exit 2 (it would set the prototype of the parsed mapping)', () => {
    const f = write(MANIFESTS.replace('replicas: 3', 'replicas: 3\n  __proto__: {paused: true}'));
    const r = kubesim(['validate', f]);
    expectBadInput(r, /^s\d+\.yaml:6:3: spec\.__proto__: .*not allowed/m);
  }, SPAWN_TEST_TIMEOUT);

  it('after a rejected __proto__ variant the same process state is clean: a following scenario runs normally', () => {
    const bad = write(scenario(`variants:\n  - name: base\n  - matrix:\n      target: deployment/web-app\n      __proto__.resources: [{requests: {cpu: "100"}}]\n`));
    const good = write(scenario(''));
    const out = outDir();
    const r = kubesim(['run', good, bad, '--workers', '1', '--out', out]);
    expect(r.code).toBe(2);
    expect(existsSync(path.join(out, 'report.json'))).toBe(false);
    const r2 = kubesim(['run', good, '--workers', '1', '--out', out]);
    expect(r2.code, r2.stderr).toBe(0);
    const rep = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as { scenarios: Array<{ variants: Array<{ runs: Array<{ requests: { byOutcome: Record<string, number> } }> }> }> };
    expect(rep.scenarios[0]!.variants[0]!.runs[0]!.requests.byOutcome['no_endpoints']).toBe(0);
  }, SPAWN_TEST_TIMEOUT);
});

describe('patches and matrix parameters resolve against the schema (issue 10.1, 10.7)', () => {
  it('a patch naming no field of a Deployment is an error with a suggestion', () => {
    const f = write(scenario(`variants:\n  - name: p\n    patches:\n      - target: deployment/web-app\n        patch: {spec: {replicaz: 4}}\n`));
    const r = kubesim(['validate', f]);
    expectBadInput(r, /:\d+:\d+: spec\.variants\[0\]\.patches\[0\]\.patch\.spec\.replicaz: .*no field.*did you mean "?replicas"?/);
  }, SPAWN_TEST_TIMEOUT);

  it('a matrix parameter naming no field is an error with a suggestion', () => {
    const f = write(scenario(`variants:\n  - matrix:\n      target: deployment/web-app\n      spec.minReadySecond: [0, 5]\n`));
    const r = kubesim(['validate', f]);
    expectBadInput(r, /:\d+:\d+: spec\.variants\[0\]\.matrix\["?spec\.minReadySecond"?\]?: .*did you mean "?minReadySeconds"?/);
  }, SPAWN_TEST_TIMEOUT);

  it('a scenario matrix parameter naming no field is an error', () => {
    const f = write(scenario(`variants:\n  - matrix:\n      target: scenario\n      traffic[web].rat: [10/s, 20/s]\n`));
    const r = kubesim(['validate', f]);
    expectBadInput(r, /did you mean "?rate"?/);
  }, SPAWN_TEST_TIMEOUT);

  it('patches of real fields still work (container by name, scenario traffic)', () => {
    const f = write(scenario(`variants:\n  - name: a\n  - name: b\n    patches:\n      - target: deployment/web-app\n        patch: {spec: {template: {spec: {containers: [{name: nginx, resources: {requests: {cpu: 100m}}}]}}}}\n      - target: scenario\n        patch: {spec: {traffic: [{name: web, rate: 30/s}]}}\n  - matrix:\n      target: deployment/web-app\n      maxSurge: [1]\n      spec.template.spec.containers[nginx].resources.requests.cpu: [200m]\n`));
    const r = kubesim(['validate', f]);
    expect(r.code, r.stderr).toBe(0);
  }, SPAWN_TEST_TIMEOUT);
});

describe('file references stay in the scenario folder, regular files only, size-capped (issue 10.2)', () => {
  /** A scenario in its own folder `<tmp>/<dir>/s.yaml` whose spec has `extra`. */
  function scenarioIn(dir: string, extra: string): string {
    mkdirSync(path.join(tmp, dir), { recursive: true });
    writeFileSync(path.join(tmp, dir, 's.yaml'), scenario(extra));
    return `${dir}/s.yaml`;
  }

  it('manifests: [/proc/self/environ] is refused (outside the folder) and nothing of the environment is printed', () => {
    const f = scenarioIn('environ', 'manifests: [/proc/self/environ]\n');
    const r = kubesim(['validate', f], { env: { KUBESIM_SECRET_CANARY: 'canary-4b1d' } });
    expectBadInput(r, /^environ\/s\.yaml:\d+:\d+: spec\.manifests\[0\]: .*outside the folder of the scenario file.*--allow-outside/m);
    expect(r.stderr).not.toContain('canary-4b1d');
  }, SPAWN_TEST_TIMEOUT);

  it('with --allow-outside, /proc/self/environ is still not echoed beyond a short escaped excerpt', () => {
    const f = scenarioIn('environ2', 'manifests: [/proc/self/environ]\n');
    const r = kubesim(['validate', f, '--allow-outside'], { env: { KUBESIM_SECRET_CANARY: 'canary-4b1d' } });
    expectBadInput(r, /\/proc\/self\/environ/);
    expect(r.stderr).not.toContain('canary-4b1d');
    for (const line of r.stderr.split('\n')) expect(line.length).toBeLessThan(400);
    expect(r.stderr).not.toContain('\u0000');
  }, SPAWN_TEST_TIMEOUT);

  it('../ out of the folder is refused; a symbolic link inside pointing out is refused too', () => {
    writeFileSync(path.join(tmp, 'outside.yaml'), MANIFESTS.replace(/web-app/g, 'other').replace(/web-service/g, 'other-svc'));
    const f = scenarioIn('dotdot', 'manifests: [../outside.yaml]\n');
    expectBadInput(kubesim(['validate', f]), /spec\.manifests\[0\]: .*outside the folder/);
    mkdirSync(path.join(tmp, 'linked'), { recursive: true });
    symlinkSync(path.join(tmp, 'outside.yaml'), path.join(tmp, 'linked', 'link.yaml'));
    const g = scenarioIn('linked', 'manifests: [link.yaml]\n');
    expectBadInput(kubesim(['validate', g]), /spec\.manifests\[0\]: .*outside the folder/);
    // allowed on request
    const r = kubesim(['validate', f, '--allow-outside']);
    expect(r.code, r.stderr).toBe(0);
  }, SPAWN_TEST_TIMEOUT);

  it('replay.file out of the folder is refused', () => {
    writeFileSync(path.join(tmp, 'times.csv'), '0.1\n0.2\n');
    const text = scenario('').replace('{name: web, service: web-service, rate: 20/s}', '{name: web, service: web-service, replay: {file: ../times.csv, format: timestamps}}');
    mkdirSync(path.join(tmp, 'replay'), { recursive: true });
    writeFileSync(path.join(tmp, 'replay', 's.yaml'), text);
    expectBadInput(kubesim(['validate', 'replay/s.yaml']), /^replay\/s\.yaml:\d+:\d+: spec\.traffic\[0\]\.replay\.file: .*outside the folder/m);
  }, SPAWN_TEST_TIMEOUT);

  it('/dev/zero is not read (not a regular file), fast and without growing memory', () => {
    const f = scenarioIn('zero', 'manifests: [/dev/zero]\n');
    const r = kubesim(['validate', f, '--allow-outside']);
    expectBadInput(r, /\/dev\/zero: .*not a regular file/);
  }, SPAWN_TEST_TIMEOUT);

  it('a FIFO in the folder is not opened for a blocking read', () => {
    mkdirSync(path.join(tmp, 'fifo'), { recursive: true });
    execFileSync('mkfifo', [path.join(tmp, 'fifo', 'pipe.yaml')]);
    const f = scenarioIn('fifo', 'manifests: [pipe.yaml]\n');
    const r = kubesim(['validate', f]);
    expectBadInput(r, /pipe\.yaml: .*not a regular file \(a FIFO\)/);
  }, SPAWN_TEST_TIMEOUT);

  it('a file over --max-file-size is refused, and the flag raises the limit', () => {
    const big = `${MANIFESTS}# ${'x'.repeat(300_000)}\n`;
    const f = write(big);
    expectBadInput(kubesim(['validate', f, '--max-file-size', '100Ki']), /larger than the limit of 100Ki \(raise it with --max-file-size\)/);
    const r = kubesim(['validate', f, '--max-file-size', '1Mi']);
    expect(r.code, r.stderr).toBe(0);
    expectBadInput(kubesim(['validate', f, '--max-file-size', 'lots']), /max-file-size/);
  }, SPAWN_TEST_TIMEOUT);
});

describe('messages never echo input at length or raw control characters (issue 10.7)', () => {
  it('an ESC byte in an SLO is escaped on stderr', () => {
    const f = write(scenario('slos: ["\\e[31mavailability >= 99%"]\n'));
    const r = kubesim(['validate', f]);
    expectBadInput(r, /spec\.slos\[0\]: .*\\u001b\[31m/);
    expect(r.stderr).not.toContain('\u001b');
  }, SPAWN_TEST_TIMEOUT);

  it('a 4 KB binary file gives short lines without raw control bytes', () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) % 256;
    writeFileSync(path.join(tmp, 'binary.yaml'), bytes);
    const one = Buffer.from(Array.from({ length: 4096 }, (_, i) => 32 + ((i * 7) % 90)));
    writeFileSync(path.join(tmp, 'oneline.yaml'), one);
    for (const f of ['binary.yaml', 'oneline.yaml']) {
      const r = kubesim(['validate', f]);
      expectBadInput(r, new RegExp(`^${f.replace('.', '\\.')}:`, 'm'));
      for (const line of r.stderr.split('\n')) expect(line.length).toBeLessThan(400);
      expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    }
  }, SPAWN_TEST_TIMEOUT);
});

describe('negative and non-finite quantities are rejected by kind (issue 10.6)', () => {
  const cases: Array<[string, string, string, RegExp]> = [
    ['serviceTime: -1', 'nginx:1.25: {startup: 1s, serviceTime: -1}', 'images', /spec\.images\["nginx:1\.25"\]\.serviceTime: expected a finite, non-negative/],
    ['startup: -1', 'nginx:1.25: {startup: -1}', 'images', /spec\.images\["nginx:1\.25"\]\.startup: expected a finite, non-negative/],
    ['uniform min: -1', 'nginx:1.25: {serviceTime: {dist: uniform, min: -1, max: 1}}', 'images', /serviceTime\.min: expected a finite, non-negative/],
    ['normal mean: -5', 'nginx:1.25: {serviceTime: {dist: normal, mean: -5, stddev: 1}}', 'images', /serviceTime\.mean: expected a finite, non-negative/],
    ['exponential mean: .nan', 'nginx:1.25: {serviceTime: {dist: exponential, mean: .nan}}', 'images', /serviceTime\.mean: expected a .*finite|serviceTime\.mean: expected a finite, non-negative/],
    ['constant .inf', 'nginx:1.25: {serviceTime: .inf}', 'images', /serviceTime: expected .*got Infinity/],
  ];
  for (const [label, image, , pattern] of cases) {
    it(label, () => {
      const text = scenario('').replace('nginx:1.25: {startup: 1s, serviceTime: {p50: 20ms, p99: 120ms}, concurrency: 8, queue: 100}', image);
      const f = write(text);
      expectBadInput(kubesim(['validate', f]), pattern);
    }, SPAWN_TEST_TIMEOUT);
  }

  it('syncDelay: -1', () => {
    const f = write(scenario('cluster: {proxy: {syncDelay: -1}}\n'));
    expectBadInput(kubesim(['validate', f]), /spec\.cluster\.proxy\.syncDelay: expected a finite, non-negative/);
  }, SPAWN_TEST_TIMEOUT);

  it('a duration or a rate of 400 digits (Infinity) is not finite', () => {
    const f = write(scenario('').replace('duration: 5s', `duration: "${'9'.repeat(400)}"`));
    expectBadInput(kubesim(['validate', f]), /spec\.duration: expected a finite/);
    const g = write(scenario('').replace('rate: 20/s', `rate: "${'9'.repeat(400)}/s"`));
    expectBadInput(kubesim(['validate', g]), /spec\.traffic\[0\]\.rate: expected a finite/);
  }, SPAWN_TEST_TIMEOUT);

  it('thinkTime and retry backoff: -1', () => {
    const f = write(scenario('').replace('{name: web, service: web-service, rate: 20/s}', '{name: web, service: web-service, users: 2, thinkTime: -1, retries: {max: 1, backoff: -1}}'));
    const r = kubesim(['validate', f]);
    expectBadInput(r, /spec\.traffic\[0\]\.thinkTime: expected a finite, non-negative/);
    expect(r.stderr).toMatch(/spec\.traffic\[0\]\.retries\.backoff: expected a finite, non-negative/);
  }, SPAWN_TEST_TIMEOUT);
});

describe('merge refuses damaged or tampered partial results (issue 10.4)', () => {
  let shardDir: string;
  let good: string;
  let scenarioFile: string;
  beforeAll(() => {
    scenarioFile = write(scenario('replications: 2\n'), 'merge-me.yaml');
    shardDir = path.join(tmp, 'shards');
    for (const i of [1, 2]) {
      const r = kubesim(['run', scenarioFile, '--shard', `${i}/2`, '--out', shardDir, '--workers', '1', '--quiet']);
      if (r.code !== 0) throw new Error(`shard ${i} failed: ${r.stderr}`);
    }
    good = readFileSync(path.join(shardDir, 'partial-1-of-2.json'), 'utf8');
  }, SPAWN_TEST_TIMEOUT);

  /** Writes a tampered copy of shard 1 beside an intact shard 2 and merges them. */
  function mergeTampered(name: string, tamper: (p: Json) => void): Result {
    const dir = path.join(tmp, `tampered-${name}`);
    mkdirSync(dir, { recursive: true });
    const p = JSON.parse(good) as Json;
    tamper(p);
    writeFileSync(path.join(dir, 'partial-1-of-2.json'), JSON.stringify(p));
    writeFileSync(path.join(dir, 'partial-2-of-2.json'), readFileSync(path.join(shardDir, 'partial-2-of-2.json')));
    return kubesim(['merge', dir, '--out', outDir()]);
  }

  it('the intact shards merge (exit 0)', () => {
    const r = kubesim(['merge', shardDir, '--out', outDir()]);
    expect(r.code, r.stderr).toBe(0);
  }, SPAWN_TEST_TIMEOUT);

  const cases: Array<[string, (p: Json) => void, RegExp]> = [
    ['a broken histogram', (p) => (p.results[0].result.metrics.latencyHistogram = 'not-a-histogram'), /partial-1-of-2\.json: results\[0\]\.result\.metrics\.latencyHistogram: /],
    ['latency cells that are not cellcodec text', (p) => (p.results[0].result.metrics.timeseries.latencyCells[0] = 'B*'), /partial-1-of-2\.json: results\[0\]\.result\.metrics\.timeseries\.latencyCells\[0\]: latency cells: unexpected character "\*"/],
    ['latency cells as format 1 lists', (p) => (p.results[0].result.metrics.timeseries.latencyCells[0] = [3, 40]), /partial-1-of-2\.json: results\[0\]\.result\.metrics\.timeseries\.latencyCells\[0\]: /],
    ['a latency cell past the last', (p) => (p.results[0].result.metrics.timeseries.latencyCells[0] = 'vPB'), /latencyCells\[0\]: latency cells: cell 494 is outside 0 … 463/],
    ['a null time series', (p) => (p.results[0].result.metrics.timeseries = null), /partial-1-of-2\.json: results\[0\]\.result\.metrics\.timeseries: /],
    ['missing metrics', (p) => delete p.results[0].result.metrics, /partial-1-of-2\.json: results\[0\]\.result\.metrics: /],
    ['requests.ok above the total', (p) => (p.results[0].result.metrics.requests.ok = p.results[0].result.metrics.requests.total + 5), /partial-1-of-2\.json: results\[0\]\.result\.metrics\.requests\.ok: .*/],
    ['byOutcome not adding up to the total', (p) => (p.results[0].result.metrics.requests.byOutcome.timeout += 3), /partial-1-of-2\.json: results\[0\]\.result\.metrics\.requests/],
    ['a seed that is not the plan\'s', (p) => (p.results[0].result.seed += 1), /partial-1-of-2\.json: results\[0\]\.result\.seed: /],
    ['a negative count', (p) => (p.results[0].result.metrics.requests.byOutcome.ok = -1), /partial-1-of-2\.json: results\[0\]\.result\.metrics\.requests\.byOutcome\.ok: /],
    ['a string where a number belongs', (p) => (p.results[0].result.metrics.requests.total = 'many'), /partial-1-of-2\.json: results\[0\]\.result\.metrics\.requests\.total: /],
    ['a __proto__ key', (p) => (p.results[0].result.metrics = JSON.parse('{"__proto__": {"x": 1}}')), /partial-1-of-2\.json: results\[0\]\.result\.metrics/],
  ];
  for (const [label, tamper, pattern] of cases) {
    it(`${label}: exit 2 naming the file and the field`, () => {
      const r = mergeTampered(label.replace(/\W+/g, '-'), tamper);
      expectBadInput(r, pattern);
    }, SPAWN_TEST_TIMEOUT);
  }
});

describe('--out checked up front; SIGINT and SIGTERM stop cleanly (issue 10.5)', () => {
  it('a --out folder that cannot be written fails before the first run (exit 2)', () => {
    // /proc is a folder nobody (root included) can create files in
    const r = kubesim(['run', write(scenario('')), '--out', '/proc', '--workers', '1']);
    expectBadInput(r, /^kubesim: --out \/proc: cannot write in the folder/m);
    expect(r.stderr).not.toMatch(/kubesim: run 1\//);
  }, SPAWN_TEST_TIMEOUT);

  it('a --out folder that cannot be created fails at once (Node 20 recursive mkdir loops on /proc/x)', () => {
    const r = kubesim(['run', write(scenario('')), '--out', '/proc/kubesim-x/y', '--workers', '1']);
    expectBadInput(r, /^kubesim: --out \/proc\/kubesim-x\/y: cannot create the folder/m);
    expect(r.stderr).not.toMatch(/kubesim: run 1\//);
  }, SPAWN_TEST_TIMEOUT);

  /** Runs the CLI, sends `sig` once the first run has finished, and waits for the exit. */
  function interrupt(args: string[], sig: NodeJS.Signals): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: tmp, env: { ...process.env, NO_COLOR: '1', KUBESIM_DEBUG: '' } });
      let stderr = '';
      let sent = false;
      const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (!sent && /kubesim: run 1\//.test(stderr)) {
          sent = true;
          child.kill(sig);
        }
      });
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(killer);
        resolve({ code, stderr });
      });
    });
  }

  const long = () => write(scenario('replications: 40\n').replace('duration: 5s', 'duration: 60s').replace('rate: 20/s', 'rate: 300/s'));

  for (const [sig, workers, code] of [['SIGINT', '1', 130], ['SIGTERM', '1', 143], ['SIGINT', '2', 130]] as const) {
    it(`${sig} with --workers ${workers} mid-plan: exit ${code}, how many runs finished, how to resume, nothing written`, async () => {
      const out = outDir();
      const r = await interrupt(['run', long(), '--out', out, '--workers', workers], sig);
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toMatch(new RegExp(`kubesim: interrupted by ${sig}: \\d+ of 40 runs had finished; nothing was written .*--shard`));
      expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
      const left = existsSync(out) ? readdirSync(out) : [];
      expect(left).toEqual([]);
    }, SPAWN_TEST_TIMEOUT);
  }
});

describe('limits checked at load, before any run; validate reports them as run does (issue 10.3)', () => {
  const cases: Array<[string, () => string, RegExp, string[]]> = [
    ['replicas: 99999999', () => write(scenario('').replace('replicas: 3', 'replicas: 99999999')), /^s\d+\.yaml:5:13: spec\.replicas: pods 1\.00e8 exceeds the limit of 5,000 \(raise it with --max-pods 99999999\)$/m, ['--max-pods', '99999999']],
    ['rate: 1000000000000000', () => write(scenario('').replace('rate: 20/s', 'rate: 1000000000000000')), /spec\.traffic\[0\]\.rate: requests .* exceeds the limit of 1\.00e9 \(raise it with --max-requests \d+\)/, []],
    ['a delete-pod every 1ms', () => write(scenario('timeline: [{at: 0s, action: delete-pod, target: deployment/web-app, count: 1, every: 1ms}]\n').replace('duration: 5s', 'duration: 60s')), /spec\.timeline\[0\]: timeline actions \(repetitions included\) 60,001 exceeds the limit of 10,000 \(raise it with --max-timeline 60001\)/, []],
    ['variants × replications', () => write(scenario('replications: 100000\nvariants: [{name: a}, {name: b}]\n')), /spec\.replications: runs \(variants × replications\) 200,000 exceeds the limit of 100,000 \(raise it with --max-runs 200000\)/, []],
  ];
  for (const [label, file, pattern] of cases) {
    it(`${label}: validate and run both exit 2 with the flag to lift it, at once`, () => {
      const f = file();
      const v = kubesim(['validate', f]);
      expectBadInput(v, pattern);
      const out = outDir();
      const r = kubesim(['run', f, '--out', out, '--workers', '1']);
      expectBadInput(r, pattern);
      expect(r.stderr).toBe(v.stderr);
      expect(existsSync(out)).toBe(false);
    }, SPAWN_TEST_TIMEOUT);
  }

  it('a 10^6-action timeline (literal list, 40 MB) is refused by the file size cap before it is parsed', () => {
    const actions = Array.from({ length: 1_000_000 }, (_, i) => `    - {at: ${(i % 5) / 1000}s, action: rollout-pause, target: deployment/web-app}`).join('\n');
    const f = write(scenario(`timeline:\n${actions.replace(/^ {2}/gm, '')}\n`));
    expectBadInput(kubesim(['validate', f]), /larger than the limit of 4Mi \(raise it with --max-file-size\)/);
  }, SPAWN_TEST_TIMEOUT);

  it('a 20 MB file of 78,712 Deployments is refused at once by the size cap', () => {
    const one = MANIFESTS.split('---')[0]!;
    const f = path.join(tmp, 'many.yaml');
    const chunks: string[] = [];
    for (let i = 0; i < 78_712; i++) chunks.push(one.replace(/web-app/g, `web-${i}`), '---\n');
    writeFileSync(f, chunks.join(''));
    const started = Date.now();
    expectBadInput(kubesim(['validate', 'many.yaml']), /many\.yaml: file is \d+ bytes, larger than the limit of 4Mi/);
    expect(Date.now() - started).toBeLessThan(KILL_AFTER_MS);
  }, SPAWN_TEST_TIMEOUT);

  it('a run that would need more heap than the process has is refused up front, with the flags to lift it', () => {
    const f = write(scenario('').replace('replicas: 3', 'replicas: 900000'));
    const r = kubesim(['validate', f, '--max-pods', '900000']);
    expectBadInput(r, /^s\d+\.yaml:5:13: spec\.replicas: 900,000 pods need about (\d[\d,]*) MiB of heap in one run \(28 KiB a pod\), more than the [\d,]+ MiB limit \(this process's heap: [\d,]+ MiB\); give node that heap with NODE_OPTIONS=--max-old-space-size=(\d+) \(or skip the check with --max-memory \2\)$/m);
    const need = /--max-memory (\d+)/.exec(r.stderr)![1]!;
    expect(kubesim(['validate', f, '--max-pods', '900000', '--max-memory', need]).code).toBe(0);
    expect(kubesim(['validate', f, '--max-pods', '900000'], { env: { NODE_OPTIONS: `--max-old-space-size=${need}` } }).code).toBe(0);
    // and a small limit refuses a small scenario the same way
    expectBadInput(kubesim(['validate', write(scenario('').replace('replicas: 3', 'replicas: 4000')), '--max-memory', '100']), /4,000 pods need about 174 MiB of heap in one run .*--max-memory 174\)$/m);
  }, SPAWN_TEST_TIMEOUT);

  it('lifting a limit with its flag makes the file valid', () => {
    const f = write(scenario('').replace('replicas: 3', 'replicas: 6000'));
    expect(kubesim(['validate', f, '--max-pods', '6000']).code).toBe(0);
  }, SPAWN_TEST_TIMEOUT);
});
