import { createRequire } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../reports/atomic.js';
import { version as toolVersion } from '../version.js';
import { partialResultProblems } from './partial-schema.js';
import type { PlanItem, PlanOptions, RunPlan } from './plan.js';
import type { ExpandedScenario, ItemResult } from './run.js';
import { STDIN_ARG, STDIN_NAME } from '../scenario/files.js';

/**
 * Sweeps beyond one machine: `kubesim run --shard i/n` runs one slice of the plan and writes a partial
 * result; `kubesim merge` checks that the partials cover the plan exactly once and come from the same
 * inputs, and rebuilds the report exactly as a whole run would.
 *
 * Slices are round-robin: shard i of n (1-based) runs the plan items whose index % n == i − 1. The plan
 * lists a variant's replications next to each other and variants can cost very different amounts, so
 * interleaving spreads every variant over all shards (contiguous blocks would give one shard all the
 * expensive runs).
 *
 * A partial file (`partial-<i>-of-<n>.json`) holds the plan identity — the command-line paths relative
 * to the current folder, the plan options, the kubesim version and a SHA-256 over those plus every
 * input file's content (scenario and manifest files, replay CSVs) and the plan's items — and the item
 * results of its slice. Numbers JSON cannot hold (±Infinity, NaN, −0) are written as {"$number": "…"}
 * so results read back exactly; histograms are already strings in the metrics.
 */

export const PARTIAL_KIND = 'kubesim/partial-result';
/** 2: a time series' latency cells are text (cellcodec.ts), no longer lists of numbers. */
export const PARTIAL_FORMAT_VERSION = 2;
/** The environment variable a Kubernetes Indexed Job sets (0-based); `--shard auto/n` reads it. */
export const JOB_INDEX_ENV = 'JOB_COMPLETION_INDEX';
export const MAX_SHARDS = 100_000;

/** A shard: `index` of `count`, 1-based. */
export interface Shard {
  index: number;
  count: number;
}

/** Bad --shard values, unusable partials, partials that do not fit together (bad input: exit 2). */
export class ShardError extends Error {
  override name = 'ShardError';
}

/**
 * Parses `--shard`: `i/n` (1 ≤ i ≤ n), or `auto/n`, which takes i from JOB_COMPLETION_INDEX + 1
 * (Kubernetes Indexed Jobs number completions from 0).
 */
export function parseShard(value: string, env: Record<string, string | undefined>): Shard {
  const m = /^\s*(\d+|auto)\s*\/\s*(\d+)\s*$/.exec(value);
  if (m === null) throw new ShardError(`--shard ${value}: expected i/n (like 2/4) or auto/n`);
  const count = Number(m[2]);
  if (!(Number.isSafeInteger(count) && count >= 1 && count <= MAX_SHARDS)) throw new ShardError(`--shard ${value}: n must be 1 … ${MAX_SHARDS}`);
  let index: number;
  if (m[1] === 'auto') {
    const raw = env[JOB_INDEX_ENV];
    if (raw === undefined || raw.trim() === '') throw new ShardError(`--shard auto/${count}: ${JOB_INDEX_ENV} is not set (it is set in the pods of a Kubernetes Indexed Job)`);
    if (!/^\d+$/.test(raw.trim())) throw new ShardError(`--shard auto/${count}: ${JOB_INDEX_ENV}=${JSON.stringify(raw)} is not a non-negative integer`);
    index = Number(raw.trim()) + 1;
    if (index > count) throw new ShardError(`--shard auto/${count}: ${JOB_INDEX_ENV}=${raw.trim()} is out of range for ${count} shards (0 … ${count - 1}; set the Job's completions to ${count})`);
  } else {
    index = Number(m[1]);
    if (!(index >= 1 && index <= count)) throw new ShardError(`--shard ${value}: i must be 1 … ${count}`);
  }
  return { index, count };
}

/** The items of `shard`: plan index % count == index − 1, in plan order. */
export function shardItems(items: readonly PlanItem[], shard: Shard): PlanItem[] {
  return items.filter((it) => it.index % shard.count === shard.index - 1);
}

export function partialFileName(shard: Shard): string {
  return `partial-${shard.index}-of-${shard.count}.json`;
}

const PARTIAL_NAME = /^partial-(\d+)-of-(\d+)\.json$/;

// -------------------------------------------------------------------------------------------------
// Plan identity

export interface InputFile {
  /** Relative to the current folder, with `/`. */
  path: string;
  sha256: string;
}

export interface PlanIdentity {
  /** The command-line paths, relative to the current folder, with `/`. */
  args: string[];
  options: { seed: number | null; replications: number | null };
  /** Plan items (all shards together). */
  items: number;
  /** Every file the plan was built from, sorted by path. */
  files: InputFile[];
  /** SHA-256 over the kubesim version, args, options, files and plan items. */
  hash: string;
}

/** `file` relative to `cwd` with `/` separators. */
function rel(file: string, cwd: string): string {
  const r = path.relative(cwd, path.resolve(cwd, file));
  return r === '' ? '.' : r.split(path.sep).join('/');
}

const require = createRequire(import.meta.url);

/** SHA-256 in hex; node:crypto is loaded on the first digest (only sharded runs and merges take one). */
function sha256(data: string | Buffer): string {
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(data).digest('hex');
}

/** Every file read for the expanded scenarios: scenario and manifest files, and replay CSVs of every variant (standard input as `-`). */
function inputFiles(expanded: readonly ExpandedScenario[], cwd: string): InputFile[] {
  const files = new Map<string, () => Buffer | string>();
  for (const e of expanded) {
    for (const s of [e.scenario, ...e.variants.map((v) => v.scenario)]) {
      const stdin = s.origin?.fileOptions.stdin;
      for (const f of s.files) {
        if (f === STDIN_NAME && stdin !== undefined) files.set(STDIN_ARG, () => stdin);
        else files.set(rel(path.resolve(f), cwd), () => readFileSync(f));
      }
      for (const t of s.spec.traffic) {
        if (t.workload === 'open' && t.replay !== undefined) {
          const f = path.resolve(path.dirname(s.file), t.replay.file);
          files.set(rel(f, cwd), () => readFileSync(f));
        }
      }
    }
  }
  return [...files].map(([p, read]) => ({ path: p, sha256: sha256(read()) }));
}

/** The identity of a plan: what a partial result was computed from. */
export function planIdentity(args: readonly string[], options: PlanOptions, expanded: readonly ExpandedScenario[], plan: RunPlan, cwd: string): PlanIdentity {
  const files = inputFiles(expanded, cwd).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const relArgs = args.map((a) => (a === STDIN_ARG ? a : rel(a, cwd)));
  const opts = { seed: options.seed ?? null, replications: options.replications ?? null };
  const hash = sha256(JSON.stringify({ version: toolVersion, args: relArgs, options: opts, files, items: plan.items }));
  return { args: relArgs, options: opts, items: plan.items.length, files, hash };
}

// -------------------------------------------------------------------------------------------------
// Partial files

export interface PartialResult {
  kind: typeof PARTIAL_KIND;
  formatVersion: number;
  tool: { name: 'kubesim'; version: string };
  shard: Shard;
  identity: PlanIdentity;
  /** The results of the shard's items, in plan order. */
  results: ItemResult[];
}

export function makePartial(shard: Shard, identity: PlanIdentity, results: readonly ItemResult[]): PartialResult {
  return {
    kind: PARTIAL_KIND,
    formatVersion: PARTIAL_FORMAT_VERSION,
    tool: { name: 'kubesim', version: toolVersion },
    shard,
    identity,
    results: [...results].sort((a, b) => a.item.index - b.item.index),
  };
}

/** JSON text that reads back to the same numbers (±Infinity, NaN and −0 tagged). */
export function partialText(p: PartialResult): string {
  return `${JSON.stringify(p, (_k, v: unknown) => (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)) ? { $number: Object.is(v, -0) ? '-0' : String(v) } : v))}\n`;
}

function parsePartialText(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const tag = (v as { $number?: unknown }).$number;
      if (keys.length === 1 && typeof tag === 'string') return Number(tag);
    }
    return v;
  });
}

/** Writes `<out>/partial-<i>-of-<n>.json` atomically; returns its path. */
export function writePartial(out: string, p: PartialResult): string {
  const file = path.join(out, partialFileName(p.shard));
  writeFileAtomic(file, partialText(p));
  return file;
}

export interface LoadedPartial {
  file: string;
  partial: PartialResult;
}

/**
 * Reads the partial results named by `paths`: a folder contributes every `partial-<i>-of-<n>.json`
 * in it (several shards may share one folder, e.g. a shared volume), a file is read as one.
 */
export function readPartials(paths: readonly string[]): LoadedPartial[] {
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new ShardError(`${p}: no such file or folder`);
    }
    if (st.isDirectory()) {
      const found = readdirSync(p)
        .filter((n) => PARTIAL_NAME.test(n))
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      if (found.length === 0) throw new ShardError(`${p}: no partial results (partial-<i>-of-<n>.json) in this folder`);
      files.push(...found.map((n) => path.join(p, n)));
    } else files.push(p);
  }
  const seen = new Set<string>();
  const out: LoadedPartial[] = [];
  for (const file of files) {
    const key = path.resolve(file);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ file, partial: readPartial(file) });
  }
  return out;
}

function readPartial(file: string): PartialResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ShardError(`${file}: cannot read: ${(e as Error).message}`);
  }
  let v: unknown;
  try {
    v = parsePartialText(text);
  } catch (e) {
    throw new ShardError(`${file}: not a kubesim partial result (invalid JSON: ${(e as Error).message})`);
  }
  const p = v as Partial<PartialResult> | null;
  if (p === null || typeof p !== 'object' || p.kind !== PARTIAL_KIND) throw new ShardError(`${file}: not a kubesim partial result (written by kubesim run --shard)`);
  if (p.formatVersion !== PARTIAL_FORMAT_VERSION) throw new ShardError(`${file}: partial result format ${String(p.formatVersion)}; this kubesim reads format ${PARTIAL_FORMAT_VERSION}`);
  const ok =
    typeof p.tool?.version === 'string' &&
    Number.isSafeInteger(p.shard?.index) &&
    Number.isSafeInteger(p.shard?.count) &&
    typeof p.identity?.hash === 'string' &&
    Array.isArray(p.identity?.args) &&
    Array.isArray(p.identity?.files) &&
    Number.isSafeInteger(p.identity?.items) &&
    Array.isArray(p.results) &&
    p.results.every((r) => r !== null && typeof r === 'object' && Number.isSafeInteger(r.item?.index));
  if (!ok) throw new ShardError(`${file}: damaged partial result (missing or malformed fields)`);
  const problems = partialResultProblems(p.results);
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (${problems.length} problems in all)` : '';
    throw new ShardError(`${file}: ${problems[0]}${more}; the partial result is damaged or was changed after kubesim run --shard wrote it`);
  }
  return p as PartialResult;
}

/**
 * Checks that the partials are one complete set: written by this kubesim version, the same split, the
 * same inputs, every shard exactly once. Returns them ordered by shard index. Throws ShardError.
 */
export function checkPartialSet(partials: readonly LoadedPartial[]): LoadedPartial[] {
  if (partials.length === 0) throw new ShardError('no partial results to merge');
  for (const { file, partial } of partials) {
    if (partial.tool.version !== toolVersion) {
      throw new ShardError(`${file}: written by kubesim ${partial.tool.version}; this is kubesim ${toolVersion} (run every shard and the merge with the same version)`);
    }
  }
  const first = partials[0]!;
  for (const other of partials.slice(1)) {
    if (other.partial.shard.count !== first.partial.shard.count) {
      throw new ShardError(
        `the partial results come from different splits: ${first.file} is shard ${shardText(first.partial.shard)}, ${other.file} is shard ${shardText(other.partial.shard)}`,
      );
    }
    if (other.partial.identity.hash !== first.partial.identity.hash) {
      throw new ShardError(`the partial results come from different inputs: ${first.file} and ${other.file} (${identityDifference(first.partial.identity, other.partial.identity)})`);
    }
  }
  const count = first.partial.shard.count;
  const byIndex = new Map<number, LoadedPartial>();
  for (const lp of partials) {
    const { index } = lp.partial.shard;
    if (!(index >= 1 && index <= count)) throw new ShardError(`${lp.file}: damaged partial result (shard ${shardText(lp.partial.shard)})`);
    const dup = byIndex.get(index);
    if (dup !== undefined) throw new ShardError(`shard ${index}/${count} is given twice: ${dup.file} and ${lp.file}`);
    byIndex.set(index, lp);
  }
  const missing: number[] = [];
  for (let i = 1; i <= count; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length > 0) {
    const list = missing.length > 10 ? `${missing.slice(0, 10).map((i) => `${i}/${count}`).join(', ')}, … (${missing.length} in all)` : missing.map((i) => `${i}/${count}`).join(', ');
    throw new ShardError(`missing shard${missing.length > 1 ? 's' : ''} ${list}: a merge needs every shard 1 … ${count} exactly once`);
  }
  return [...byIndex.keys()].sort((a, b) => a - b).map((i) => byIndex.get(i)!);
}

function shardText(s: Shard): string {
  return `${s.index}/${s.count}`;
}

/** What differs between two identities, in words. */
export function identityDifference(a: PlanIdentity, b: PlanIdentity): string {
  if (JSON.stringify(a.args) !== JSON.stringify(b.args)) return `files given: ${a.args.join(' ')} vs ${b.args.join(' ')}`;
  if (a.options.seed !== b.options.seed) return `--seed ${a.options.seed ?? '(none)'} vs ${b.options.seed ?? '(none)'}`;
  if (a.options.replications !== b.options.replications) return `--replications ${a.options.replications ?? '(none)'} vs ${b.options.replications ?? '(none)'}`;
  const bFiles = new Map(b.files.map((f) => [f.path, f.sha256]));
  for (const f of a.files) {
    const other = bFiles.get(f.path);
    if (other === undefined) return `${f.path} was read for one and not the other`;
    if (other !== f.sha256) return `${f.path} has different contents`;
  }
  if (b.files.length !== a.files.length) return 'different files were read';
  if (a.items !== b.items) return `${a.items} vs ${b.items} planned runs`;
  return 'the plans differ';
}

/**
 * The item results of a checked set of partials, validated against `plan` (the plan rebuilt from the
 * files): every result belongs to its shard and matches the planned item, every item exactly once.
 */
export function partialResults(partials: readonly LoadedPartial[], plan: RunPlan): ItemResult[] {
  const results: ItemResult[] = [];
  const seen = new Set<number>();
  for (const { file, partial } of partials) {
    for (const r of partial.results) {
      const planned = plan.items[r.item.index];
      const same =
        planned !== undefined &&
        planned.scenario === r.item.scenario &&
        planned.variant === r.item.variant &&
        planned.replication === r.item.replication &&
        planned.seed === r.item.seed;
      if (!same) throw new ShardError(`${file}: its result for run ${r.item.index} does not match the plan (damaged partial result?)`);
      if (r.item.index % partial.shard.count !== partial.shard.index - 1) {
        throw new ShardError(`${file}: holds run ${r.item.index}, which belongs to shard ${(r.item.index % partial.shard.count) + 1}/${partial.shard.count}`);
      }
      if (seen.has(r.item.index)) throw new ShardError(`${file}: run ${r.item.index} appears twice`);
      seen.add(r.item.index);
      results.push(r);
    }
  }
  const missing = plan.items.filter((it) => !seen.has(it.index));
  if (missing.length > 0) {
    const it = missing[0]!;
    throw new ShardError(`the partial results lack ${missing.length} run${missing.length > 1 ? 's' : ''} of the plan (first: run ${it.index}, shard ${(it.index % partials[0]!.partial.shard.count) + 1}); damaged partial result?`);
  }
  return results.sort((a, b) => a.item.index - b.item.index);
}
