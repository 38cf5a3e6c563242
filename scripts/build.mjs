// The build: TypeScript to dist/ (the library and the tests' entry points), the report page's assets
// beside the modules that read them, then the shipped command: the CLI as one CommonJS bundle
// (dist/bin/kubesim.cjs), its launcher (dist/bin/kubesim.js, the bin: it runs the bundle with a V8 code
// cache, engine/cli/launch.ts) and the worker thread's CommonJS bundle (dist/bin/worker.cjs). Node 20
// has no compile cache of its own, so resolving, reading and compiling ~100 files cost more start-up
// than everything a 0-request run does (bench/README.md, "Start-up").
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (...p) => path.join(root, 'dist', ...p);
const require = createRequire(import.meta.url);

execFileSync(process.execPath, [path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });

// reports/html.ts reads ./html/{client.js,style.css} beside itself: beside dist/reports/html.js and,
// once bundled, beside dist/bin/kubesim.js (and the worker, which never writes a page).
for (const dir of [dist('reports', 'html'), dist('bin', 'html')]) {
  mkdirSync(dir, { recursive: true });
  for (const f of ['client.js', 'style.css']) copyFileSync(path.join(root, 'reports', 'html', f), path.join(dir, f));
}

// Two parts of hdr-histogram-js that never run in Node, left out of the bundles with their parse time
// (~120 KB each): its WebAssembly variant, built only when asked (`useWebAssembly`, never set by
// engine/metrics/histogram.ts) — the encoding module still requires it for an instanceof test and a
// prototype patch, which a stand-in class keeps working; and pako, its browser fallback for
// compression: in Node the encoding takes node:zlib's deflateSync/inflateSync (JsHistogram.encoding.js).
const HDR_STUBS = {
  './wasm': 'export class WasmHistogram {}\nexport const webAssemblyAvailable = false;\n',
  pako: 'module.exports = null;\n',
};
const hdrStubs = {
  name: 'hdr-stubs',
  setup(b) {
    b.onResolve({ filter: /^(\.\/wasm|pako)$/ }, (args) => (args.importer.includes(`${path.sep}hdr-histogram-js${path.sep}`) ? { path: args.path, namespace: 'hdr-stub' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'hdr-stub' }, (args) => ({ contents: HDR_STUBS[args.path], loader: 'js' }));
  },
};

// Node modules that dependencies require at load time for a path kubesim never takes, loaded when
// first used instead: commander's child_process (executable subcommands; kubesim has none) and
// seedrandom's crypto (seeding without a seed). Each costs start-up to compile. (kubesim's own code
// requires what only a pool or a shard needs where it needs it: engine/run/pool.ts, shard.ts.)
const LAZY_BUILTINS = { commander: 'node:child_process', seedrandom: 'crypto' };
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^(node:child_process|crypto)$/ }, (args) => {
      const pkg = Object.keys(LAZY_BUILTINS).find((p) => args.importer.includes(`${path.sep}node_modules${path.sep}${p}${path.sep}`));
      return pkg !== undefined && LAZY_BUILTINS[pkg] === args.path ? { path: args.path, namespace: 'lazy-builtin' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `let m;\nmodule.exports = new Proxy({}, { get: (_, k) => (m ??= require(${JSON.stringify(args.path)}))[k] });\n`,
      loader: 'js',
    }));
  },
};

const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Loaded only when a pool is used (engine/run/pool.ts), from node_modules like any dependency.
  external: ['piscina'],
  plugins: [hdrStubs],
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'linked',
  logLevel: 'warning',
};
// The CLI as CommonJS, so the launcher can hand V8 a code cache for it (engine/cli/launch.ts);
// import.meta.url (asset and worker paths, the version) is the bundle's own file URL.
await build({
  ...shared,
  entryPoints: [dist('engine', 'cli', 'main.js')],
  outfile: dist('bin', 'kubesim.cjs'),
  format: 'cjs',
  plugins: [hdrStubs, lazyBuiltins],
  define: { 'import.meta.url': '__kubesimUrl' },
  banner: { js: 'var __kubesimUrl = require("node:url").pathToFileURL(__filename).href;' },
});
// The worker thread's module, CommonJS too: piscina requires it (engine/run/pool.ts, defaultWorkerUrl).
await build({
  ...shared,
  entryPoints: [dist('engine', 'run', 'worker.js')],
  outfile: dist('bin', 'worker.cjs'),
  format: 'cjs',
  define: { 'import.meta.url': '__kubesimUrl' },
  banner: { js: 'var __kubesimUrl = require("node:url").pathToFileURL(__filename).href;' },
});
rmSync(dist('bin', 'worker.js'), { force: true }); // the ES module bundle of earlier builds
// The launcher wraps the bundle in a function: main.js's #! line cannot stay inside it.
const cli = readFileSync(dist('bin', 'kubesim.cjs'), 'utf8').replace(/^#![^\n]*\n/, '');
writeFileSync(dist('bin', 'kubesim.cjs'), cli);
// A script compiled from a code cache loses its dynamic import() callback in Node 20 (launch.ts).
if (/\bimport\(/.test(cli)) throw new Error('dist/bin/kubesim.cjs: a dynamic import() would fail under the code cache; use createRequire');
// Node decodes an all-ASCII file on a fast path (~10 ms less start-up for 1.4 MB): esbuild escapes
// non-ASCII in strings but not in regular expression literals, so write those with \u escapes.
for (const f of ['kubesim.cjs', 'worker.cjs']) {
  const bytes = readFileSync(dist('bin', f));
  const at = bytes.findIndex((b) => b > 0x7f);
  if (at >= 0) throw new Error(`dist/bin/${f}: a non-ASCII byte at offset ${at} (near ${JSON.stringify(bytes.subarray(Math.max(0, at - 30), at + 10).toString('latin1'))}); write it as a \\u escape`);
}
// The command itself: the launcher, told the digest of the bundle it may reuse a code cache for.
const digest = createHash('sha256').update(cli).digest('hex').slice(0, 16);
await build({
  ...shared,
  entryPoints: [dist('engine', 'cli', 'launch.js')],
  outfile: dist('bin', 'kubesim.js'),
  format: 'esm',
  define: { KUBESIM_BUNDLE_DIGEST: JSON.stringify(digest) },
  banner: { js: '#!/usr/bin/env node' },
});
for (const f of readdirSync(dist('bin'))) if (/^kubesim\.cjs\..*\.cache$/.test(f) && f !== `kubesim.cjs.${digest}.cache`) rmSync(dist('bin', f));
chmodSync(dist('bin', 'kubesim.js'), 0o755);
chmodSync(dist('engine', 'cli', 'main.js'), 0o755);
