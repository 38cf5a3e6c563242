import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, runCli, type CliIO } from '../../../engine/cli/cli.js';
import { DEFAULT_FORMATS } from '../../../reports/formats.js';
import { simulate } from '../../../engine/run/simulate.js';
import { checkHeap, HeapLimitError, type Simulator } from '../../../engine/run/run.js';

/** The CLI in process, with captured output (the e2e tests run the real executable). */
function io(options: { stdoutTTY?: boolean; stderrTTY?: boolean; env?: Record<string, string>; failWrite?: boolean } = {}) {
  const out = { stdout: '', stderr: '' };
  const cli: CliIO = {
    stdout: {
      write: (s: string) => {
        if (options.failWrite) throw new TypeError('stdout exploded');
        out.stdout += s;
      },
      isTTY: options.stdoutTTY,
    },
    stderr: { write: (s: string) => (out.stderr += s), isTTY: options.stderrTTY, columns: 100 },
    env: options.env ?? {},
    cwd: process.cwd(),
  };
  return { cli, out };
}

const tmp = mkdtempSync(path.join(tmpdir(), 'kubesim-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const FIX = 'test/fixtures/cli';

describe('runCli', () => {
  it('a run that throws: the others finish, the report lists it, exit 70 with scenario, variant and seed', async () => {
    const out = path.join(tmp, 'failing');
    const failing: Simulator = (s, r, seed) => {
      if (r === 1) throw new RangeError('simulated bug');
      return simulate(s, r, seed);
    };
    const { cli, out: o } = io();
    const code = await runCli(['node', 'kubesim', 'run', '--replications', '3', '--out', out, `${FIX}/notes.yaml`], cli, { simulate: failing });
    expect(code).toBe(EXIT.internal);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    const v = report.scenarios[0].variants[0];
    expect(report.failedRuns).toBe(1);
    expect(v.runs.map((r: { replication: number }) => r.replication)).toEqual([0, 2]);
    expect(v.errors).toEqual([{ replication: 1, seed: expect.any(Number), message: 'RangeError: simulated bug' }]);
    expect(o.stderr).toContain(
      `kubesim: internal error: run failed: scenario "notes" variant "default" replication 1 seed ${v.errors[0].seed}: RangeError: simulated bug\n`,
    );
    expect(o.stderr).not.toMatch(/^\s+at /m);
    expect(o.stdout).toMatch(/^ {2}failed runs +1 of 3$/m);
  });

  it('an unexpected error: "kubesim: internal error: …", exit 70, the stack only with KUBESIM_DEBUG', async () => {
    const plain = io({ failWrite: true });
    expect(await runCli(['node', 'kubesim', 'schema'], plain.cli)).toBe(EXIT.internal);
    expect(plain.out.stderr).toBe('kubesim: internal error: stdout exploded\n(this is a bug in kubesim; set KUBESIM_DEBUG=1 to see where it happened)\n');
    const debug = io({ failWrite: true, env: { KUBESIM_DEBUG: '1' } });
    expect(await runCli(['node', 'kubesim', 'schema'], debug.cli)).toBe(EXIT.internal);
    expect(debug.out.stderr).toMatch(/^kubesim: internal error: stdout exploded\nTypeError: stdout exploded\n\s+at /);
  });

  it('colours the table only on a terminal without NO_COLOR; a progress bar on a terminal stderr', async () => {
    const run = async (o: Parameters<typeof io>[0]) => {
      const x = io(o);
      expect(await runCli(['node', 'kubesim', 'run', '--out', path.join(tmp, 'tty'), `${FIX}/notes.yaml`], x.cli)).toBe(EXIT.ok);
      return x.out;
    };
    const tty = await run({ stdoutTTY: true, stderrTTY: true });
    expect(tty.stdout).toContain('\x1b[1m');
    expect(tty.stderr).toContain('\r\x1b[2K[');
    expect(tty.stderr).not.toContain('kubesim: run 1/1');
    const noColor = await run({ stdoutTTY: true, env: { NO_COLOR: '1' } });
    expect(noColor.stdout).not.toContain('\x1b[');
    expect(noColor.stderr).toContain('kubesim: run 1/1');
    expect(readdirSync(path.join(tmp, 'tty')).sort()).toEqual(DEFAULT_FORMATS.map((f) => `report.${f}`).sort()); // json (and html once registered)
  });

  it('usage errors and bad input are exit 2', async () => {
    const a = io();
    expect(await runCli(['node', 'kubesim', 'run', '--replications', 'x', `${FIX}/notes.yaml`], a.cli)).toBe(EXIT.usage);
    expect(a.out.stderr).toContain("kubesim: option '--replications <n>' argument 'x' is invalid. expected a positive integer");
    const b = io();
    expect(await runCli(['node', 'kubesim', 'validate', `${FIX}/bad-replicas.yaml`], b.cli)).toBe(EXIT.usage);
    expect(b.out.stderr).toBe(`${FIX}/bad-replicas.yaml:5:13: spec.replicas: expected a non-negative integer, got -1\n`);
    const c = io();
    expect(await runCli(['node', 'kubesim'], c.cli)).toBe(EXIT.usage);
    expect(c.out.stderr).toContain('Usage: kubesim');
  });
});

describe('the main thread near its heap limit (issue 10)', () => {
  it('stops the plan with a kubesim: message and exit 70 instead of a V8 abort; nothing is written', async () => {
    const out = path.join(tmp, 'heap');
    const { cli, out: o } = io();
    let calls = 0;
    const hungry: Simulator = (s, r, seed, hooks) => {
      if (++calls === 2) throw new HeapLimitError('out of memory: the heap holds 3900 MiB of its 4096 MiB limit; stopped before the process would abort');
      return simulate(s, r, seed, hooks);
    };
    const code = await runCli(['node', 'kubesim', 'run', '--replications', '3', '--out', out, `${FIX}/notes.yaml`], cli, { simulate: hungry });
    expect(code).toBe(EXIT.internal);
    expect(o.stderr).toMatch(/^kubesim: internal error: out of memory: the heap holds 3900 MiB/m);
    expect(calls).toBe(2); // the plan stopped: no third run
    expect(readdirSync(out)).toEqual([]);
  });

  it('checkHeap throws only past the share of the limit', () => {
    expect(() => checkHeap()).not.toThrow();
  });
});
