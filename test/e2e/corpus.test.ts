import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The real-world manifests of ../shared/corpus through the command line: each file validates (kinds
 * not modelled are notes, not errors) and microservices-demo runs bare with the documented defaults.
 * Skipped, with the reason, where the corpus folder is absent.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CORPUS = path.resolve(ROOT, '../shared/corpus');
const CLI = path.join(ROOT, 'dist/bin/kubesim.js');
const present = existsSync(CORPUS);
const files = present ? readdirSync(CORPUS).filter((f) => f.endsWith('.yaml')).sort() : [];
const tmp = mkdtempSync(path.join(tmpdir(), 'kubesim-corpus-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const kubesim = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

describe.skipIf(!present)(`the manifest corpus (${present ? CORPUS : 'skipped: ../shared/corpus is absent'})`, () => {
  it('has the 16 files SOURCES.md lists', () => expect(files).toHaveLength(16));

  it.each(files)('kubesim validate %s → exit 0', (file) => {
    const r = kubesim('validate', path.join(CORPUS, file));
    expect(r.stderr).not.toMatch(/error|^\s+at /im);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/1 scenario valid/);
  });

  it('microservices-demo runs bare: 12 Services get default traffic, nothing fails', () => {
    const out = path.join(tmp, 'msd');
    const r = kubesim('run', path.join(CORPUS, 'microservices-demo__kubernetes-manifests.yaml'), '--out', out, '--quiet');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    const s = report.scenarios[0];
    expect(s.durationS).toBe(60);
    const run = s.variants[0].runs[0];
    // 12 Deployments of 1 replica each (replicas unset → 1), all running from t = 0
    expect(run.pods).toHaveLength(12);
    expect(s.variants[0].runs[0].pods.every((p: { createdAtS: number }) => p.createdAtS === 0)).toBe(true);
    // the default traffic: 50/s of Poisson arrivals to each of the 12 Services for 60 s (36,000 expected)
    expect(Math.abs(run.requests.total - 12 * 50 * 60)).toBeLessThan(4.5 * Math.sqrt(12 * 50 * 60));
    expect(run.requests.failed).toBe(0);
  });
});
