import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 10: a scenario file from a pull request is untrusted input. Each hostile input here goes
 * through the built command (dist/engine/cli/main.js) in a child process with a hard kill timeout, so
 * a hang fails the test instead of the run. Bad input must be exit 2 with `file:line:col: path:`.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'dist/engine/cli/main.js');
/** Generous: a slow, loaded 2-core machine; a hang is killed and shows as code null. */
const KILL_AFTER_MS = 90_000;
const SPAWN_TEST_TIMEOUT = 240_000;

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function kubesim(args: string[], opts: { cwd?: string } = {}): Result {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? tmp,
    encoding: 'utf8',
    timeout: KILL_AFTER_MS,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', KUBESIM_DEBUG: '' },
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

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
