import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/**
 * The shipped `kubesim` command (dist/bin/kubesim.js): it runs the CommonJS bundle of the CLI beside
 * it (dist/bin/kubesim.cjs, built from main.ts by scripts/build.mjs) with a V8 code cache, because
 * Node 20 has none of its own: parsing and compiling the bundle is most of kubesim's start-up
 * (bench/README.md, "Start-up").
 *
 * Contract:
 * - The cache is a file beside the bundle, named by the bundle's SHA-256 (which the build writes into
 *   this launcher), so a cache is only ever offered to the exact bundle it was made from; V8 checks its
 *   own version and flags too and rejects a mismatch, and the bundle is then compiled as usual.
 * - A missing or rejected cache is written when the process exits (atomically: a temp file, then a
 *   rename); a folder that cannot be written (a read-only install) only means no cache.
 * - `KUBESIM_CODE_CACHE=0` turns it off (compile every time, write nothing); with `KUBESIM_DEBUG=1`
 *   the first line on stderr says whether a cache was used, rejected, absent or off.
 * - Nothing else changes: the bundle runs as a CommonJS module of its own file, and what it prints,
 *   writes and exits with is the same with or without a cache.
 */
declare const KUBESIM_BUNDLE_DIGEST: string | undefined;

const here = path.dirname(fileURLToPath(import.meta.url));
const bundle = path.join(here, 'kubesim.cjs');
const digest = typeof KUBESIM_BUNDLE_DIGEST === 'string' ? KUBESIM_BUNDLE_DIGEST : undefined;
const useCache = digest !== undefined && process.env.KUBESIM_CODE_CACHE !== '0';
const cacheFile = path.join(here, `kubesim.cjs.${digest ?? 'none'}.cache`);

let cachedData: Buffer | undefined;
if (useCache) {
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // no cache yet
  }
}
// The CommonJS module wrapper, as Node's own loader builds it.
// The build keeps the bundle all-ASCII, so latin1 reads it without UTF-8 decoding.
const source = `(function (exports, require, module, __filename, __dirname) { ${readFileSync(bundle, 'latin1')}\n})`;
// The bundle has no dynamic import(): Node 20 loses its callback for a script compiled from a cache.
const script = new Script(source, { filename: bundle, cachedData });
if (process.env.KUBESIM_DEBUG) {
  const state = !useCache ? 'off' : cachedData === undefined ? 'none yet' : script.cachedDataRejected === true ? 'rejected' : 'used';
  process.stderr.write(`kubesim: code cache ${state} (${cacheFile})\n`);
}
if (useCache && (cachedData === undefined || script.cachedDataRejected === true)) {
  // after the run: the cache then also holds every function the run compiled
  process.once('exit', () => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      // a read-only install: run without a cache
      try {
        rmSync(tmp, { force: true });
      } catch {
        // nothing was written
      }
    }
  });
}
const module = { exports: {} as unknown, filename: bundle, id: bundle, loaded: false };
(script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown, f: string, d: string) => void)(module.exports, createRequire(bundle), module, bundle, here);
