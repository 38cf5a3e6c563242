import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The new timeline vocabulary and the "does nothing useful" notes, through the built CLI. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'dist/bin/kubesim.js');
const FIX = 'test/fixtures/timeline';

function kubesim(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, KUBESIM_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'kubesim-timeline-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/* eslint-disable @typescript-eslint/no-explicit-any */
const report = (out: string): any => JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));

describe('rollout-restart, delete-pod -l and force: true', () => {
  it('runs; the actions are in the report with what they did; the stale endpoint of the force-deleted pod refuses requests, so the SLO fails (exit 1)', () => {
    const out = path.join(tmp, 'a');
    const r = kubesim('run', `${FIX}/restart-and-force.yaml`, '--out', out, '--format', 'json');
    expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
    const run = report(out).scenarios[0].variants[0].runs[0];
    const [restart, bySelector, forced] = run.actions;
    expect(restart).toMatchObject({ action: 'rollout-restart', target: 'deployment/web', outcome: 'done' });
    expect(bySelector).toMatchObject({ action: 'delete-pod', target: '-l app=web,tier in (frontend)', outcome: 'done' });
    expect(bySelector.detail.split(' ')).toHaveLength(3); // every matching pod, as kubectl delete pod -l
    expect(forced).toMatchObject({ action: 'delete-pod', target: 'deployment/web', outcome: 'done' });
    expect(forced.detail).toMatch(/^web-\w+-\w+ \(force\)$/);
    // the restart made a second ReplicaSet: pods of two template hashes ran
    const hashes = new Set(run.pods.map((p: { name: string }) => p.name.split('-')[1]));
    expect(hashes.size).toBe(2);
    const forcedPod = run.pods.find((p: { name: string }) => p.name === forced.detail.replace(' (force)', ''));
    expect(forcedPod.deletedAtS).toBe(45);
    // the force-deleted pod vanished while kube-proxy still routed to it: refused, explained, SLO failed
    const crash = run.findings.find((f: { cause: string }) => f.cause === 'crash');
    expect(crash.trigger).toMatchObject({ atS: 45, action: 'delete-pod', detail: forced.detail });
    expect(crash.message).toContain('was killed at once (force or grace period 0)');
    expect(r.stdout).toMatch(/refused .* after delete-pod deployment\/web/);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('kubesim: SLO failed: restart-and-force: errors.refused == 0');
  });

  it('validate refuses a bad selector with its column, exit 2', () => {
    const text = readFileSync(path.join(ROOT, FIX, 'restart-and-force.yaml'), 'utf8').replace('"app=web,tier in (frontend)"', '"app=web,tier in (frontend"');
    const r = spawnSync(process.execPath, [CLI, 'validate', '-'], { cwd: ROOT, input: text, encoding: 'utf8', timeout: 300_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      '<stdin>:35:47: spec.timeline[1].selector: expected "," or ")", got the end at column 26 of "app=web,tier in (frontend"; expected a label selector like app=web, "app=web,tier!=db" or "env in (a,b)"\n',
    );
  });
});

describe('notes when a scenario does nothing useful', () => {
  it('a Deployment with no Service: a note on stderr and in report.json, 0 requests, exit 0', () => {
    const out = path.join(tmp, 'b');
    const r = kubesim('run', `${FIX}/no-service.yaml`, '--out', out, '--format', 'json');
    expect(r.code).toBe(0);
    const note = `${FIX}/no-service.yaml:4:18: note: metadata.name: no Service selects the pods of deployment/lonely, so the default traffic (one entry per Service that selects pods) sends no requests: add a Service, or a Scenario with traffic`;
    expect(r.stderr.split('\n')).toContain(note);
    const s = report(out).scenarios[0];
    expect(s.notes).toEqual([note]);
    expect(s.variants[0].summary.requests.total).toBe(0);
    const v = kubesim('validate', `${FIX}/no-service.yaml`);
    expect([v.code, v.stdout, v.stderr]).toEqual([0, '1 scenario valid\n', `${note}\n`]);
  });
});
