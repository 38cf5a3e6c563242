import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `-` through the built CLI with standard input piped, as `helm template … | kubesim run -`,
 * `kustomize build … | kubesim run -` and `kubectl get … -o yaml | kubesim validate -` do.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'dist/bin/kubesim.js');
const FIX = 'test/fixtures/stdin';
const fixture = (name: string) => readFileSync(path.join(ROOT, FIX, name), 'utf8');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kubesim(input: string, ...args: string[]): Result {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, KUBESIM_DEBUG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'kubesim-stdin-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let outs = 0;
const outDir = () => path.join(tmp, `out-${++outs}`);

/* eslint-disable @typescript-eslint/no-explicit-any */
const report = (out: string): any => JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));

describe('kubesim run - (helm template output piped)', () => {
  it('runs the rendered chart with its default traffic; skipped kinds are notes on stderr at <stdin>:line:col', () => {
    const out = outDir();
    const r = kubesim(fixture('helm-template.yaml'), 'run', '-', '--out', out);
    expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
    expect(r.code).toBe(0);
    for (const kind of ['NetworkPolicy', 'ServiceAccount', 'Secret', 'ConfigMap', 'Ingress']) expect(r.stderr).toMatch(new RegExp(`^<stdin>:\\d+:7: note: skipped ${kind}/web: kind not modelled yet$`, 'm'));
    expect(r.stderr).toContain('<stdin>:170:7: note: skipped Pod/web-test-connection: a Helm test hook');
    const s = report(out).scenarios[0];
    expect(s).toMatchObject({ name: 'stdin', file: '<stdin>', files: ['<stdin>'], bare: true });
    expect(s.variants[0].summary.requests.total).toBeGreaterThan(2000);
  });

  it('scenario.yaml - : the piped manifests are the scenario\'s; the same report with 1 or 2 workers', () => {
    const [a, b] = [outDir(), outDir()];
    const one = kubesim(fixture('helm-template.yaml'), 'run', `${FIX}/piped-scenario.yaml`, '-', '--replications', '2', '--workers', '1', '--out', a, '-q');
    const two = kubesim(fixture('helm-template.yaml'), 'run', `${FIX}/piped-scenario.yaml`, '-', '--replications', '2', '--workers', '2', '--out', b, '-q');
    expect([one.code, two.code, one.stderr, two.stderr]).toEqual([0, 0, '', '']);
    const json = readFileSync(path.join(a, 'report.json'), 'utf8');
    expect(readFileSync(path.join(b, 'report.json'), 'utf8')).toBe(json);
    const s = report(a).scenarios[0];
    expect(s).toMatchObject({ name: 'piped-rollout', files: [`${FIX}/piped-scenario.yaml`, '<stdin>'] });
    expect(s.variants[0].summary.rollouts.length).toBeGreaterThan(0);
  });

  it('a shard plan reads stdin, and merge reads the same stream again (a changed one is refused)', () => {
    const dir = outDir();
    const args = ['run', `${FIX}/piped-scenario.yaml`, '-', '--replications', '2', '--workers', '1', '-q', '--out', dir];
    for (const shard of ['1/2', '2/2']) expect(kubesim(fixture('helm-template.yaml'), ...args, '--shard', shard).code).toBe(0);
    const merged = outDir();
    const m = kubesim(fixture('helm-template.yaml'), 'merge', dir, '--out', merged, '-q');
    expect([m.code, m.stderr]).toEqual([0, '']);
    const whole = outDir();
    expect(kubesim(fixture('helm-template.yaml'), 'run', `${FIX}/piped-scenario.yaml`, '-', '--replications', '2', '--workers', '1', '-q', '--out', whole).code).toBe(0);
    expect(readFileSync(path.join(merged, 'report.json'), 'utf8')).toBe(readFileSync(path.join(whole, 'report.json'), 'utf8'));
    const changed = kubesim(fixture('helm-template.yaml').replace('replicas: 3', 'replicas: 4'), 'merge', dir, '--out', outDir(), '-q');
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('kubesim: the scenario files changed since the shards ran (- has different contents)');
  });
});

describe('kustomize build and kubectl get -o yaml piped', () => {
  it('kustomize output runs in its namespace', () => {
    const out = outDir();
    const r = kubesim(fixture('kustomize-build.yaml'), 'run', '-', '--out', out, '--format', 'json');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('<stdin>:4:7: note: skipped ConfigMap/shop-config-6ct58987ht: kind not modelled yet');
    expect(report(out).scenarios[0].variants[0].summary.requests.total).toBeGreaterThan(2000);
  });

  it('a kubectl List validates; the ReplicaSet and Pods the Deployment owns are skipped with their owner', () => {
    const r = kubesim(fixture('kubectl-list.yaml'), 'validate', '-');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('1 scenario valid\n');
    expect(r.stderr).toContain('<stdin>:123:9: note: items[1]: skipped ReplicaSet/web-7c5ddbdf54: owned by Deployment/web');
    expect(r.stderr.match(/skipped Pod\/web-7c5ddbdf54-\w+: owned by ReplicaSet\/web-7c5ddbdf54/g)).toHaveLength(2);
  });

  it('the List runs: two pods of the one Deployment serve the traffic, not four', () => {
    const out = outDir();
    expect(kubesim(fixture('kubectl-list.yaml'), 'run', '-', '--out', out, '--format', 'json', '-q').code).toBe(0);
    const pods = report(out).scenarios[0].variants[0].runs[0].pods;
    expect(pods.length).toBe(2);
  });
});

describe('bad input on standard input', () => {
  it('a bad value: <stdin>:line:col: path: message, exit 2, nothing written', () => {
    const out = outDir();
    const r = kubesim(fixture('kustomize-build.yaml').replace('replicas: 2', 'replicas: -2'), 'run', '-', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('<stdin>:38:13: spec.replicas: expected a non-negative integer, got -2\n');
    expect(existsSync(out)).toBe(false);
  });

  it('a stream past --max-file-size is exit 2 with the limit named', () => {
    const r = kubesim(fixture('helm-template.yaml'), 'validate', '-', '--max-file-size', '1Ki');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('kubesim: <stdin>: standard input is larger than the limit of 1Ki (raise it with --max-file-size)\n');
  });

  it('an empty stream (helm template of a chart with everything disabled) validates', () => {
    expect(kubesim('', 'validate', '-')).toMatchObject({ code: 0, stdout: '1 scenario valid\n' });
  });
});

// The shared corpus of real manifests lives beside the repository (../shared/corpus); never copied here.
const corpus = path.resolve(ROOT, '../shared/corpus');
describe.skipIf(!existsSync(corpus))('the corpus piped as one stream (skipped: ../shared/corpus is not present beside the repository)', () => {
  it('podinfo deployment, service and hpa concatenated as kubectl apply -f - would take them', () => {
    const text = ['podinfo__deployment.yaml', 'podinfo__service.yaml', 'podinfo__hpa.yaml'].map((f) => readFileSync(path.join(corpus, f), 'utf8')).join('\n---\n');
    const out = outDir();
    const r = kubesim(text, 'run', '-', '--out', out, '--format', 'json', '-q');
    expect([r.code, r.stderr]).toEqual([0, '']);
    const s = report(out).scenarios[0];
    expect(s.name).toBe('stdin');
    expect(s.variants[0].summary.requests.total).toBeGreaterThan(0);
  });

  it('every corpus file validates through stdin as through its path', () => {
    for (const f of readdirSync(corpus).filter((x) => x.endsWith('.yaml'))) {
      const r = kubesim(readFileSync(path.join(corpus, f), 'utf8'), 'validate', '-', '-q');
      expect([f, r.code, r.stderr]).toEqual([f, 0, '']);
    }
  });
});
