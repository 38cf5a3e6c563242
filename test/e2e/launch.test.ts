import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The launcher (engine/cli/launch.ts): dist/bin/kubesim.js runs the CommonJS bundle with a V8 code
 * cache beside it. Each test works on its own copy of dist/bin (under node_modules/.cache, so the
 * bundle still finds its dependencies), never on the shared one.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCENARIO = path.join(ROOT, 'scenarios/web-app.yaml');
let base: string;
let copies = 0;

beforeAll(() => {
  base = path.join(ROOT, 'node_modules/.cache', `kubesim-launch-test-${process.pid}`);
  mkdirSync(base, { recursive: true });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A fresh copy of the built command, without any code cache. */
function copyOfBin(): string {
  const bin = path.join(base, `bin-${++copies}`);
  cpSync(path.join(ROOT, 'dist/bin'), bin, { recursive: true, filter: (src) => !src.endsWith('.cache') });
  return bin;
}

function caches(bin: string): string[] {
  return readdirSync(bin).filter((f) => f.startsWith('kubesim.cjs.') && !f.endsWith('.LEGAL.txt'));
}

function run(bin: string, out: string, env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; report: string; cache: string } {
  const r = spawnSync(process.execPath, [path.join(bin, 'kubesim.js'), 'run', SCENARIO, '--out', out, '--seed', '7', '--format', 'json'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, KUBESIM_DEBUG: '1', ...env },
  });
  const cache = /^kubesim: code cache (.*) \(/m.exec(r.stderr)?.[1] ?? '(no line)';
  return { code: r.status, stdout: r.stdout, report: existsSync(path.join(out, 'report.json')) ? readFileSync(path.join(out, 'report.json'), 'utf8') : '', cache };
}

describe('the kubesim launcher and its code cache', () => {
  it('writes a cache named by the bundle digest on the first run; later runs print and report the same bytes', () => {
    const bin = copyOfBin();
    expect(caches(bin)).toEqual([]);
    const first = run(bin, path.join(bin, 'out-1'));
    expect(first.code).toBe(0);
    expect(first.cache).toBe('none yet');
    expect(caches(bin)).toEqual([expect.stringMatching(/^kubesim\.cjs\.[0-9a-f]{16}\.cache$/)]);
    const cache = path.join(bin, caches(bin)[0]!);
    const written = readFileSync(cache);
    expect(written.length).toBeGreaterThan(100_000);
    const second = run(bin, path.join(bin, 'out-2'));
    expect(second.code).toBe(0);
    expect(second.cache).toBe('used');
    expect(second.report).toBe(first.report);
    expect(second.stdout.replace('out-2', 'out-1')).toBe(first.stdout);
    expect(readFileSync(cache).equals(written)).toBe(true); // an accepted cache is not rewritten
  });

  it('a damaged cache is rejected by V8 and replaced; the run is the same', () => {
    const bin = copyOfBin();
    const ref = run(bin, path.join(bin, 'out-ref'));
    const cache = path.join(bin, caches(bin)[0]!);
    const garbage = Buffer.alloc(4096, 0x5a);
    writeFileSync(cache, garbage);
    const again = run(bin, path.join(bin, 'out-again'));
    expect(again.code).toBe(0);
    expect(again.cache).toBe('rejected');
    expect(again.report).toBe(ref.report);
    expect(readFileSync(cache).equals(garbage)).toBe(false);
    expect(run(bin, path.join(bin, 'out-after')).cache).toBe('used');
  });

  it('KUBESIM_CODE_CACHE=0 writes nothing', () => {
    const bin = copyOfBin();
    const r = run(bin, path.join(bin, 'out'), { KUBESIM_CODE_CACHE: '0' });
    expect([r.code, r.cache]).toEqual([0, 'off']);
    expect(caches(bin)).toEqual([]);
  });

  it('a cache that cannot be written only means no cache: the run works and leaves no temporary file', () => {
    const bin = copyOfBin();
    const ref = run(bin, path.join(bin, 'out-ref'));
    const name = caches(bin)[0]!;
    rmSync(path.join(bin, name));
    mkdirSync(path.join(bin, name, 'in-the-way'), { recursive: true }); // a folder where the file would go
    const r = run(bin, path.join(bin, 'out'));
    expect(r.code).toBe(0);
    expect(r.report).toBe(ref.report);
    expect(readdirSync(bin).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
