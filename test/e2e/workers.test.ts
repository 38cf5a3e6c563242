import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Worker threads, shards and merge through the compiled kubesim command (dist/; `npm run build`
 * first), from the repository root so report paths are relative to it. The fixture has 2 variants ×
 * 3 replications of a 20 s rollout: 6 runs.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'dist/bin/kubesim.js');
const SWEEP = 'test/fixtures/run/sweep.yaml';
/**
 * Hooks and tests here spawn the CLI (several times in a hook): on a slow, loaded 2-core machine that
 * takes minutes, far over vitest's 10 s default hook timeout. The limits only catch a hang.
 */
const SPAWN_TIMEOUT = 600_000;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kubesim(args: string[], env: Record<string, string> = {}): Result {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', KUBESIM_DEBUG: '', JOB_COMPLETION_INDEX: '', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'kubesim-workers-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const dir = (name: string): string => path.join(tmp, name);
const report = (out: string): string => readFileSync(path.join(out, 'report.json'), 'utf8');

/** A usage error: exit 2, one clear line, no stack trace, nothing on stdout. */
function expectUsageError(r: Result, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.stdout).toBe('');
}

describe('--workers', () => {
  let whole: Result;
  beforeAll(() => {
    whole = kubesim(['run', '--workers', '1', '--out', dir('w1'), SWEEP]);
  }, SPAWN_TIMEOUT);

  it('the whole run: 6 runs, an SLO fails (exit 1)', () => {
    expect(whole.code).toBe(1);
    const r = JSON.parse(report(dir('w1')));
    expect(r.scenarios[0].variants.map((v: { name: string; runs: unknown[] }) => [v.name, v.runs.length])).toEqual([
      ['rolling', 3],
      ['recreate', 3],
    ]);
    expect(whole.stderr.match(/^kubesim: run \d\/6 sweep (rolling|recreate) #\d .*events\/s\)$/gm)).toHaveLength(6);
  });

  it.each([2, 3])('report.json and the summary are byte-identical with --workers %i', (workers) => {
    const out = dir(`w${workers}`);
    const r = kubesim(['run', '--workers', String(workers), '--out', out, SWEEP]);
    expect(r.code).toBe(whole.code);
    expect(report(out)).toBe(report(dir('w1')));
    expect(r.stdout.replaceAll(out, '<out>')).toBe(whole.stdout.replaceAll(dir('w1'), '<out>'));
    // every run reported once, in whatever order the threads finished
    const lines = r.stderr.match(/^kubesim: run \d\/6 sweep (rolling|recreate) #\d/gm) ?? [];
    expect(lines.map((l) => l.replace(/run \d\/6 /, '')).sort()).toEqual(
      ['rolling', 'recreate'].flatMap((v) => [0, 1, 2].map((i) => `kubesim: sweep ${v} #${i}`)).sort(),
    );
  });

  it('rejects a bad --workers value (exit 2)', () => {
    for (const bad of ['0', '-1', 'two', '1.5', '5000']) {
      const r = kubesim(['run', '--workers', bad, '--out', dir('bad-workers'), SWEEP]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("option '--workers <n>' argument");
    }
  });
});

describe('--shard and merge', () => {
  let whole: Result;
  const shards: Result[] = [];
  beforeAll(() => {
    whole = kubesim(['run', '--out', dir('whole'), SWEEP]);
    for (const i of [1, 2, 3]) shards.push(kubesim(['run', '--shard', `${i}/3`, '--out', dir(`shard-${i}`), SWEEP]));
  }, SPAWN_TIMEOUT);

  it('each shard runs its slice (index % 3) and writes only partial-<i>-of-3.json, exit 0', () => {
    shards.forEach((s, k) => {
      const i = k + 1;
      expect(s.code).toBe(0);
      expect(s.stdout).toBe(`shard ${i}/3: 2 of 6 runs (combine every shard with kubesim merge)\npartial: ${path.join(dir(`shard-${i}`), `partial-${i}-of-3.json`)}\n`);
      expect(readdirSync(dir(`shard-${i}`))).toEqual([`partial-${i}-of-3.json`]);
      const p = JSON.parse(readFileSync(path.join(dir(`shard-${i}`), `partial-${i}-of-3.json`), 'utf8'));
      expect(p.kind).toBe('kubesim/partial-result');
      expect(p.shard).toEqual({ index: i, count: 3 });
      expect(p.identity.args).toEqual([SWEEP]);
      expect(p.identity.files.map((f: { path: string }) => f.path)).toEqual([SWEEP]);
      expect(p.identity.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(p.results.map((r: { item: { index: number } }) => r.item.index)).toEqual([i - 1, i + 2]);
    });
  });

  it('merge of the three folders gives the byte-identical report, summary and exit code of the whole run', () => {
    const out = dir('merged');
    const m = kubesim(['merge', '--out', out, dir('shard-3'), dir('shard-1'), dir('shard-2')]);
    expect(m.code).toBe(whole.code);
    expect(m.code).toBe(1);
    expect(report(out)).toBe(report(dir('whole')));
    expect(m.stdout.replaceAll(out, '<out>')).toBe(whole.stdout.replaceAll(dir('whole'), '<out>'));
    expect(m.stderr).toContain('kubesim: SLO failed: sweep/rolling: availability >= 99%');
  });

  it('shards sharing one folder (a shared volume) merge from that folder; auto/n reads JOB_COMPLETION_INDEX', () => {
    const shared = dir('shared');
    for (const index of ['0', '1', '2']) {
      const r = kubesim(['run', '--shard', 'auto/3', '--quiet', '--out', shared, SWEEP], { JOB_COMPLETION_INDEX: index });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
    }
    expect(readdirSync(shared).sort()).toEqual(['partial-1-of-3.json', 'partial-2-of-3.json', 'partial-3-of-3.json']);
    expect(readFileSync(path.join(shared, 'partial-2-of-3.json'), 'utf8')).toBe(readFileSync(path.join(dir('shard-2'), 'partial-2-of-3.json'), 'utf8'));
    const m = kubesim(['merge', '--quiet', '--out', dir('merged-shared'), shared]);
    expect(m.code).toBe(1);
    expect(report(dir('merged-shared'))).toBe(report(dir('whole')));
  });

  it('a single shard (1/1) merges to the whole report too; shards run with --workers 2 as well', () => {
    const r = kubesim(['run', '--shard', '1/1', '--workers', '2', '--out', dir('one'), SWEEP]);
    expect(r.code).toBe(0);
    const m = kubesim(['merge', '--out', dir('merged-one'), dir('one')]);
    expect(m.code).toBe(1);
    expect(report(dir('merged-one'))).toBe(report(dir('whole')));
  });

  it('refuses a missing shard', () => {
    expectUsageError(kubesim(['merge', '--out', dir('m-missing'), dir('shard-1'), dir('shard-3')]), /^kubesim: missing shard 2\/3: a merge needs every shard 1 … 3 exactly once\n$/);
  });

  it('refuses a duplicate shard', () => {
    const dup = dir('dup');
    mkdirSync(dup, { recursive: true });
    copyFileSync(path.join(dir('shard-2'), 'partial-2-of-3.json'), path.join(dup, 'partial-2-of-3.json'));
    const r = kubesim(['merge', '--out', dir('m-dup'), dir('shard-1'), dir('shard-2'), dup, dir('shard-3')]);
    expectUsageError(r, /^kubesim: shard 2\/3 is given twice: .*shard-2\/partial-2-of-3\.json and .*dup\/partial-2-of-3\.json\n$/);
  });

  it('refuses shards from different inputs (another --seed) and from different splits', () => {
    const other = dir('seed-5');
    expect(kubesim(['run', '--shard', '3/3', '--seed', '5', '--quiet', '--out', other, SWEEP]).code).toBe(0);
    const r = kubesim(['merge', '--out', dir('m-seed'), dir('shard-1'), dir('shard-2'), other]);
    expectUsageError(r, /^kubesim: the partial results come from different inputs: .*partial-1-of-3\.json and .*seed-5\/partial-3-of-3\.json \(--seed \(none\) vs 5\)\n$/);

    const half = dir('half');
    expect(kubesim(['run', '--shard', '2/2', '--quiet', '--out', half, SWEEP]).code).toBe(0);
    expectUsageError(kubesim(['merge', '--out', dir('m-split'), dir('shard-1'), half]), /different splits: .* is shard 1\/3, .* is shard 2\/2/);
  });

  it('refuses shards whose files differ, and files changed since the shards ran', () => {
    const copy = path.join(tmp, 'edited', 'sweep.yaml');
    mkdirSync(path.dirname(copy), { recursive: true });
    const text = readFileSync(path.join(ROOT, SWEEP), 'utf8');
    writeFileSync(copy, text);
    const rel = path.relative(ROOT, copy);
    expect(kubesim(['run', '--shard', '1/2', '--quiet', '--out', dir('e1'), rel]).code).toBe(0);
    expect(kubesim(['run', '--shard', '2/2', '--quiet', '--out', dir('e2'), rel]).code).toBe(0);
    writeFileSync(copy, text.replace('rate: 200/s', 'rate: 150/s'));
    const changed = kubesim(['merge', '--out', dir('m-changed'), dir('e1'), dir('e2')]);
    expectUsageError(changed, /^kubesim: the scenario files changed since the shards ran \(.*edited\/sweep\.yaml has different contents\)/);

    expect(kubesim(['run', '--shard', '2/2', '--quiet', '--out', dir('e2b'), rel]).code).toBe(0);
    const mixed = kubesim(['merge', '--out', dir('m-mixed'), dir('e1'), dir('e2b')]);
    expectUsageError(mixed, /different inputs: .* \(.*edited\/sweep\.yaml has different contents\)/);

    rmSync(copy);
    expectUsageError(kubesim(['merge', '--out', dir('m-gone'), dir('e1'), dir('e2')]), /^kubesim: the scenario files of the shards are not here: .*edited\/sweep\.yaml/);
  });

  it('refuses folders without partials, files that are not partials, and damaged partials', () => {
    const empty = dir('empty');
    mkdirSync(empty, { recursive: true });
    expectUsageError(kubesim(['merge', '--out', dir('m-empty'), empty]), /no partial results \(partial-<i>-of-<n>\.json\) in this folder/);
    expectUsageError(kubesim(['merge', '--out', dir('m-none'), dir('no-such-folder')]), /no-such-folder: no such file or folder/);
    const junk = path.join(tmp, 'junk.json');
    writeFileSync(junk, '{"hello": 1}');
    expectUsageError(kubesim(['merge', '--out', dir('m-junk'), junk]), /junk\.json: not a kubesim partial result/);
    writeFileSync(junk, '{not json');
    expectUsageError(kubesim(['merge', '--out', dir('m-junk'), junk]), /junk\.json: not a kubesim partial result \(invalid JSON/);
    const p = JSON.parse(readFileSync(path.join(dir('shard-2'), 'partial-2-of-3.json'), 'utf8'));
    const moved = dir('moved');
    mkdirSync(moved, { recursive: true });
    p.results[0].item.index = 0; // a run of shard 1 inside shard 2
    writeFileSync(path.join(moved, 'partial-2-of-3.json'), JSON.stringify(p));
    expectUsageError(kubesim(['merge', '--out', dir('m-moved'), dir('shard-1'), moved, dir('shard-3')]), /partial-2-of-3\.json: its result for run 0 does not match the plan/);
  });

  it('rejects bad --shard values (exit 2)', () => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['0/3', {}, /--shard 0\/3: i must be 1 … 3/],
      ['4/3', {}, /--shard 4\/3: i must be 1 … 3/],
      ['2', {}, /--shard 2: expected i\/n \(like 2\/4\) or auto\/n/],
      ['1/0', {}, /n must be 1 … /],
      ['auto/3', {}, /--shard auto\/3: JOB_COMPLETION_INDEX is not set/],
      ['auto/3', { JOB_COMPLETION_INDEX: '3' }, /JOB_COMPLETION_INDEX=3 is out of range for 3 shards/],
      ['auto/3', { JOB_COMPLETION_INDEX: 'x' }, /JOB_COMPLETION_INDEX="x" is not a non-negative integer/],
    ];
    for (const [value, env, message] of cases) expectUsageError(kubesim(['run', '--shard', value, '--out', dir('bad-shard'), SWEEP], env), message);
  });

  it('merge --help documents the command', () => {
    const r = kubesim(['merge', '--help']);
    expect(r.code).toBe(0);
    for (const word of ['<dirs...>', '--out', '--format', '--quiet', 'same paths relative']) expect(r.stdout).toContain(word);
    expect(kubesim(['run', '--help']).stdout).toMatch(/--workers <n>[\s\S]*--shard <i\/n>/);
  });
});
