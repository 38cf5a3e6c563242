import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Golden report.json of every example scenario (issue 10): the bytes users and CI scripts read, from
 * the built command (`npm run build` first), run from the repository root with its default options
 * (one worker, so nothing depends on the machine). A change in simulation, statistics or the report
 * model shows up here as a diff to review.
 *
 * Regenerate after an intended change, then review the diff:
 *
 *   npm run build && UPDATE_GOLDEN=1 npx vitest run test/golden
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'dist/bin/kubesim.js');
const GOLDEN = path.join(ROOT, 'test/golden/report-json');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
/** Spawns the CLI: minutes on a slow, loaded 2-core machine; the limit only catches a hang. */
const TIMEOUT = 600_000;

const tmp = mkdtempSync(path.join(tmpdir(), 'kubesim-golden-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const examples = readdirSync(path.join(ROOT, 'scenarios'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('golden report.json of the examples', () => {
  it('there is a golden file for every example, and none for an example that is gone', () => {
    if (UPDATE) mkdirSync(GOLDEN, { recursive: true });
    const golden = existsSync(GOLDEN) ? readdirSync(GOLDEN).filter((f) => f.endsWith('.json')) : [];
    if (!UPDATE) expect(golden.sort()).toEqual(examples.map((f) => f.replace(/\.yaml$/, '.json')));
  });

  for (const file of examples) {
    it(file, () => {
      const out = path.join(tmp, file);
      const r = spawnSync(process.execPath, [CLI, 'run', `scenarios/${file}`, '--out', out, '--workers', '1', '--quiet'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: TIMEOUT,
        env: { ...process.env, NO_COLOR: '1', KUBESIM_DEBUG: '' },
      });
      expect([0, 1], r.stderr).toContain(r.status);
      const actual = readFileSync(path.join(out, 'report.json'), 'utf8');
      const target = path.join(GOLDEN, file.replace(/\.yaml$/, '.json'));
      if (UPDATE) writeFileSync(target, actual);
      else expect(actual, `${path.relative(ROOT, target)} differs: review, then regenerate with UPDATE_GOLDEN=1 npx vitest run test/golden`).toBe(readFileSync(target, 'utf8'));
    }, TIMEOUT);
  }
});
