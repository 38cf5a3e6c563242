import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, runCli, type CliIO } from '../../../engine/cli/cli.js';
import { eventsRate, progressReporter } from '../../../engine/cli/progress.js';
import type { RunProgress } from '../../../engine/run/run.js';
import type { RunResult } from '../../../engine/run/simulate.js';

/** The CLI in process with worker threads (the compiled worker in dist/) and stand-in simulators inside them. */
function io(env: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' };
  const cli: CliIO = {
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s) },
    env,
    cwd: process.cwd(),
  };
  return { cli, out };
}

const tmp = mkdtempSync(path.join(tmpdir(), 'kubesim-cli-workers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const SWEEP = 'test/fixtures/run/sweep.yaml';
const failing = pathToFileURL(path.resolve('test/fixtures/run/failing-simulator.mjs')).href;

describe('runs that throw inside worker threads', () => {
  it('are reported with scenario, variant, replication and seed; the others finish; exit 70', async () => {
    const out = path.join(tmp, 'failing');
    const { cli, out: o } = io();
    const code = await runCli(['node', 'kubesim', 'run', '--workers', '2', '--out', out, SWEEP], cli, { workerSimulator: failing });
    expect(code).toBe(EXIT.internal);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.failedRuns).toBe(2);
    for (const v of report.scenarios[0].variants) {
      expect(v.runs.map((r: { replication: number }) => r.replication)).toEqual([0, 2]);
      expect(v.errors).toEqual([{ replication: 1, seed: expect.any(Number), message: 'RangeError: simulated bug in a worker (variant run of sweep)' }]);
      expect(o.stderr).toContain(
        `kubesim: internal error: run failed: scenario "sweep" variant "${v.name}" replication 1 seed ${v.errors[0].seed}: RangeError: simulated bug in a worker (variant run of sweep)\n`,
      );
    }
    expect(o.stderr).not.toMatch(/^\s+at /m);
  });

  it('in a shard: recorded in the partial (exit 70); merge reports them like a whole run', async () => {
    const runs = [1, 2].map(async (i) => {
      const { cli, out: o } = io();
      const code = await runCli(['node', 'kubesim', 'run', '--shard', `${i}/2`, '--workers', '2', '--out', path.join(tmp, `s${i}`), SWEEP], cli, { workerSimulator: failing });
      return { code, o };
    });
    const [one, two] = await Promise.all(runs);
    // plan items 1 and 4 are replication 1: item 1 is in shard 2, item 4 in shard 1
    expect(one!.code).toBe(EXIT.internal);
    expect(two!.code).toBe(EXIT.internal);
    expect(one!.o.stderr).toMatch(/run failed: scenario "sweep" variant "recreate" replication 1/);
    const whole = io();
    expect(await runCli(['node', 'kubesim', 'run', '--workers', '2', '--out', path.join(tmp, 'whole'), SWEEP], whole.cli, { workerSimulator: failing })).toBe(EXIT.internal);
    const merged = io();
    expect(await runCli(['node', 'kubesim', 'merge', '--out', path.join(tmp, 'merged'), path.join(tmp, 's1'), path.join(tmp, 's2')], merged.cli)).toBe(EXIT.internal);
    expect(readFileSync(path.join(tmp, 'merged', 'report.json'), 'utf8')).toBe(readFileSync(path.join(tmp, 'whole', 'report.json'), 'utf8'));
    // the same messages, without the progress of running (the pool line and one line a run)
    expect(whole.out.stderr).toMatch(/^kubesim: 6 runs on 2 worker threads \(--workers 2\)\n/);
    expect(merged.out.stderr).toBe(whole.out.stderr.replace(/^kubesim: (run |6 runs on ).*\n/gm, ''));
  });
});

describe('progress speed', () => {
  const item = (i: number) => ({ index: i, scenario: 0, variant: 'default', replication: i, seed: 7 });
  const ok = (i: number, kernelEvents: number): RunProgress => ({
    phase: 'finish',
    done: i + 1,
    total: 2,
    item: item(i),
    scenario: 'web',
    result: { item: item(i), ok: true, result: { metrics: { requests: { total: 10, failed: 0 } }, kernelEvents } as unknown as RunResult },
  });

  it('kernel events of finished runs per second of wall time, on lines and on the bar', () => {
    let t = 0;
    const clock = () => t;
    let lines = '';
    const p = progressReporter({ write: (s) => (lines += s), isTTY: false }, false, clock);
    p.update({ phase: 'start', done: 0, total: 2, item: item(0), scenario: 'web' });
    t = 2000;
    p.update(ok(0, 3_000_000));
    t = 4000;
    p.update(ok(1, 1_000));
    expect(lines).toBe('kubesim: run 1/2 web default #0 (seed 7): 10 requests, 0 failed (1.50 M events/s)\n' + 'kubesim: run 2/2 web default #1 (seed 7): 10 requests, 0 failed (750.3 k events/s)\n');

    t = 0;
    let bar = '';
    const b = progressReporter({ write: (s) => (bar += s), isTTY: true, columns: 100 }, false, clock);
    b.update({ phase: 'start', done: 0, total: 2, item: item(0), scenario: 'web' });
    t = 500;
    b.update(ok(0, 2_000));
    expect(bar.split('\r\x1b[2K').filter((f) => f !== '')).toEqual(['[------------------------------] 0/2 web default #0 (seed 7)', '[###############---------------] 1/2 · 4.0 k events/s web default #0 (seed 7)']);
  });

  it('eventsRate', () => {
    expect([12, 4_560, 1_234_567, 2.5e9].map(eventsRate)).toEqual(['12', '4.6 k', '1.23 M', '2.50 G']);
  });
});
