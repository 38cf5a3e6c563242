import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { parseDocument, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, ScenarioError } from '../../engine/scenario/diagnostics.js';
import { loadScenarioFiles } from '../../engine/scenario/load.js';
import { expandScenarios } from '../../engine/run/run.js';
import { checkLimits } from '../../engine/run/limits.js';

/**
 * Fuzzing the loader (issue 10): a scenario file from a pull request is untrusted. Whatever the bytes
 * — random YAML, truncations of a real scenario, a wrong type or a huge number at any field, unicode,
 * `__proto__` keys — loading, expanding the variants and checking the limits either succeeds or throws
 * ScenarioError whose every error has a position (line and column) and prints on one line without
 * control characters; nothing else is thrown, Object.prototype is untouched, and every case finishes
 * (the test's timeout only catches a hang).
 */
const dir = mkdtempSync(path.join(tmpdir(), 'kubesim-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE = `${readFileSync('scenarios/manifests/app.yaml', 'utf8')}
---
apiVersion: kubesim.dev/v1alpha1
kind: Scenario
metadata: {name: fuzz}
spec:
  duration: 30s
  warmup: 2s
  seed: 7
  replications: 2
  cluster: {nodes: 2, proxy: {mode: ipvs, scheduler: lc, syncDelay: {dist: exponential, mean: 500ms}}}
  images:
    "nginx:1.25": {startup: 2s, serviceTime: {p50: 20ms, p99: 120ms}, concurrency: 4, queue: 50}
    "nginx:1.26": {startup: {dist: uniform, min: 1s, max: 3s}, serviceTime: 30ms, errorRate: 1%}
  traffic:
    - {name: web, service: web-service, rate: 50/s, timeout: 1s, retries: {max: 2, backoff: 10ms}, shape: {type: spike, at: 10s, duration: 5s, factor: 2}}
  timeline:
    - {at: 5s, action: set-image, target: deployment/web-app, image: nginx=nginx:1.26}
    - {at: 8s, action: delete-pod, target: deployment/web-app, count: 1, every: 4s}
    - {at: 12s, action: scale, target: deployment/web-app, replicas: 4}
  slos: ["availability >= 99%", "p(99) < 500ms"]
  variants:
    - name: base
    - name: surge
      patches: [{target: deployment/web-app, patch: {spec: {strategy: {rollingUpdate: {maxSurge: 2}}}}}]
    - matrix: {target: deployment/web-app, maxUnavailable: [0, 1]}
`;

let n = 0;
const polluted = () => Object.getOwnPropertyNames(Object.prototype).filter((k) => !['constructor', '__defineGetter__', '__defineSetter__', 'hasOwnProperty', '__lookupGetter__', '__lookupSetter__', 'isPrototypeOf', 'propertyIsEnumerable', 'toString', 'valueOf', '__proto__', 'toLocaleString'].includes(k));

/** Loads a text as a scenario file; returns what went wrong, or undefined when it is fine either way. */
function problemOf(text: string): string | undefined {
  const file = path.join(dir, `f${n++}.yaml`);
  writeFileSync(file, text);
  try {
    const { scenarios } = loadScenarioFiles([file]);
    const expanded = expandScenarios(scenarios);
    checkLimits(expanded);
    return undefined;
  } catch (e) {
    if (!(e instanceof ScenarioError)) return `threw ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`;
    for (const d of e.diagnostics) {
      if (d.severity !== 'error') continue;
      const line = formatDiagnostic(d);
      if (!(d.line >= 1 && d.col >= 1)) return `no position: ${line}`;
      if (/[\u0000-\u001f\u007f-\u009f]/.test(line)) return `control character in: ${JSON.stringify(line)}`;
      if (line.length > 2000) return `a ${line.length}-character line`;
    }
    return undefined;
  } finally {
    rmSync(file, { force: true });
  }
}

const check = (text: string) => {
  expect(problemOf(text)).toBeUndefined();
  expect(polluted()).toEqual([]);
};

/** Every path (keys and indexes) of a value. */
function paths(v: unknown, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

const hostileValue = fc.oneof(
  fc.constantFrom<unknown>('x', '', -1, 0, 1e308, -1e308, 2 ** 53 + 1, 1e-320, true, [], {}, [1, 2], { a: 1 }, '9'.repeat(400), '-5ms', '1e999s', '\u001b[31mred', '\u202etxt', '𝔘𝔫𝔦', '__proto__', 'constructor', '25%', '101%'),
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);
const hostileKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', '$patch', '', 'spec', 'replicas'), fc.string({ maxLength: 12 }));

const docs = parseDocument(BASE.split('\n---\n').at(-1)!).toJS() as unknown;
const base = BASE.split('\n---\n').slice(0, -1).join('\n---\n');
const scenarioPaths = paths(docs).filter((p) => p.length > 0);

function setAt(root: unknown, p: Array<string | number>, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const seg of p.slice(0, -1)) node = node[seg] as Record<string | number, unknown>;
  node[p.at(-1)!] = value;
  return copy;
}

function withKey(root: unknown, p: Array<string | number>, key: string, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node: unknown = copy;
  for (const seg of p) node = (node as Record<string | number, unknown>)[seg];
  if (node !== null && typeof node === 'object' && !Array.isArray(node)) Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

describe('the loader under hostile input', () => {
  it('the base scenario is valid (the mutations start from a real one)', () => {
    const file = path.join(dir, 'base.yaml');
    writeFileSync(file, BASE);
    expect(() => expandScenarios(loadScenarioFiles([file]).scenarios)).not.toThrow();
  });

  it('truncations of a real scenario at any byte', () => {
    fc.assert(fc.property(fc.nat(BASE.length), (cut) => check(BASE.slice(0, cut))), { numRuns: 150, seed: 10 });
  });

  it('a wrong type, a huge number or unicode at any field', () => {
    fc.assert(
      fc.property(fc.constantFrom(...scenarioPaths), hostileValue, (p, value) => check(`${base}\n---\n${stringify(setAt(docs, p, value))}`)),
      { numRuns: 400, seed: 11 },
    );
  });

  it('__proto__, constructor and other keys added to any mapping', () => {
    fc.assert(
      fc.property(fc.constantFrom(...scenarioPaths.filter((p) => p.length < 6)), hostileKey, hostileValue, (p, key, value) => check(`${base}\n---\n${stringify(withKey(docs, p, key, value))}`)),
      { numRuns: 300, seed: 12 },
    );
  });

  it('random YAML and random text', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => check(stringify(v))), { numRuns: 150, seed: 13 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => check(s)), { numRuns: 150, seed: 14 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => check(`${BASE}${s}`)), { numRuns: 80, seed: 15 });
  });
});
