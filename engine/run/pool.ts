import type { FileOptions } from '../scenario/files.js';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { PlanItem, PlanOptions } from './plan.js';
import { InterruptedError, runItems, type ExpandedScenario, type ItemResult, type RunFailure, type RunProgress, type Simulator } from './run.js';
import type { TickMessage, WorkerReply, WorkerTask } from './worker.js';

let pools = 0;

/**
 * Running plan items over a pool of worker threads (piscina).
 *
 * The main thread has loaded and planned the scenarios; the workers cannot receive those objects
 * (they hold functions and Maps), so each worker loads the same files itself (worker.ts) and runs
 * items by plan index. At most one item per thread is in flight: an item is handed out when a thread
 * becomes free, so progress `start` events mean "started" and the queue never holds the whole plan.
 *
 * Results come back in completion order; `executePlan` returns them sorted by plan index, and
 * `collectResults` groups them in plan order, so the report is the same for any number of workers.
 *
 * Failures: a run that throws is a RunFailure from `runPlanItem` inside the worker, like in process.
 * A worker thread that dies outright (process.exit, out of memory, a native crash) rejects its task;
 * that item becomes a RunFailure (`WorkerError: …`) and piscina starts a fresh thread for the rest.
 * If the files changed on disk since they were read, the run stops with InputsChangedError.
 */

/** Each worker's young generation limit in MiB (see runInPool). */
const WORKER_YOUNG_GENERATION_MB = 8;

/** Each worker's heap limit: the machine's memory shared by the threads and the main thread (256 … 4096 MiB). */
export function defaultWorkerMemoryMb(threads: number): number {
  return Math.max(256, Math.min(4096, Math.floor(totalmem() / 2 ** 20 / (threads + 1))));
}

/** The scenario files changed between the main thread's reading and a worker's (bad input: exit 2). */
export class InputsChangedError extends Error {
  override name = 'InputsChangedError';
}

/** What a worker needs to rebuild the plan: the command-line paths, as the main thread loaded them, and the plan options. */
export interface PlanSource {
  files: string[];
  options: PlanOptions;
  /** How the files were read (--allow-outside, --max-file-size): the workers read them the same way. */
  fileOptions?: FileOptions | undefined;
}

export interface ExecuteOptions {
  /** Threads to use; 1 (or a single item) runs in this thread without a pool. */
  workers: number;
  /** Required when more than one worker thread is used. */
  source?: PlanSource | undefined;
  /** A simulator for in-process runs (tests); functions cannot cross threads, so this forces workers = 1. */
  simulate?: Simulator | undefined;
  /** For tests: a module URL whose default export is the Simulator the worker threads use. */
  workerSimulator?: string | undefined;
  /** The worker module; default: dist/bin/worker.cjs (`defaultWorkerUrl`). */
  workerUrl?: URL | undefined;
  onProgress?: ((p: RunProgress) => void) | undefined;
  /**
   * Heap limit of each worker thread in MiB (default: the machine's memory shared by the threads and
   * the main thread, 256 … 4096). A run that exceeds it ends its thread with ERR_WORKER_OUT_OF_MEMORY:
   * the run is a failure naming its seed, a fresh thread takes the rest, and the process lives on.
   */
  workerMemoryMb?: number | undefined;
  /** Stops the plan: no new run starts, running ones are cancelled, and executePlan throws InterruptedError. */
  signal?: AbortSignal | undefined;
}

/**
 * The worker module: the CommonJS bundle dist/bin/worker.cjs (scripts/build.mjs), from the CLI bundle
 * beside it, from dist/engine/run/pool.js, and from the TypeScript sources (vitest; `npm run build`
 * first). CommonJS because piscina loads the module with `require` first, and Node 20's require of an
 * ES module aborted the whole process once ("v8::Module::IsGraphAsync must be used on an instantiated
 * module") when a replacement worker started as a dead one was cleaned up.
 */
export function defaultWorkerUrl(): URL {
  const here = new URL(import.meta.url);
  if (here.pathname.endsWith('.ts')) return new URL('../../dist/bin/worker.cjs', here);
  if (here.pathname.endsWith('.cjs')) return new URL('./worker.cjs', here);
  return new URL('../../bin/worker.cjs', here);
}

/**
 * Runs `items` of the plan of `expanded` and returns their results sorted by plan index. Never throws
 * for a failing run; throws InputsChangedError when the files changed under the workers.
 */
export async function executePlan(expanded: readonly ExpandedScenario[], items: readonly PlanItem[], options: ExecuteOptions): Promise<ItemResult[]> {
  const threads = options.simulate !== undefined ? 1 : Math.max(1, Math.min(options.workers, items.length));
  if (threads <= 1) return runItems(expanded, items, { onProgress: options.onProgress, signal: options.signal }, options.simulate);
  if (options.source === undefined) throw new TypeError('executePlan: running on worker threads needs the plan source (files and options)');
  const results = await runInPool(expanded, items, options.source, threads, options);
  return results.sort((a, b) => a.item.index - b.item.index);
}

async function runInPool(
  expanded: readonly ExpandedScenario[],
  items: readonly PlanItem[],
  source: PlanSource,
  threads: number,
  options: ExecuteOptions,
): Promise<ItemResult[]> {
  const url = options.workerUrl ?? defaultWorkerUrl();
  if (url.protocol === 'file:' && !existsSync(fileURLToPath(url))) {
    throw new Error(`the worker module ${fileURLToPath(url)} is missing (run npm run build)`);
  }
  // loaded only when a pool is used (start-up cost); required, not imported: the shipped command is a
  // CommonJS bundle run from a V8 code cache, where Node 20 loses the dynamic import() callback
  const require = createRequire(import.meta.url);
  const { Piscina } = require('piscina') as typeof import('piscina');
  // Node's own modules that only a pool needs, loaded with it (each costs start-up to compile)
  const { BroadcastChannel } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const heapMb = options.workerMemoryMb ?? defaultWorkerMemoryMb(threads);
  // A worker's young generation is capped at 8 MB: V8 lets each isolate grow its own to ~48 MB, so two
  // workers held ~30 MB more than one thread (8 × 1M requests on 2 workers: peak RSS 150 → 134 MB, the
  // same wall and CPU time; what survives a scavenge here is small, the short-lived garbage is heap numbers).
  const pool = new Piscina({ filename: url.href, minThreads: threads, maxThreads: threads, idleTimeout: 30_000, resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
  // A worker dying between tasks is reported through the task that follows; keep the event quiet.
  pool.on('error', () => {});
  // standard input travels in each task (a worker cannot read it); the key names it by its digest
  const { stdin, ...readOptions } = source.fileOptions ?? {};
  const stdinDigest = stdin === undefined ? null : createHash('sha256').update(stdin).digest('hex');
  const key = JSON.stringify([source.files, source.options.seed ?? null, source.options.replications ?? null, readOptions, stdinDigest]);
  const total = items.length;
  const results: ItemResult[] = [];
  let next = 0;
  let stop: Error | undefined;
  // Workers post progress ticks of their running item on a channel of this pool.
  const progressName = options.onProgress === undefined ? undefined : `kubesim-progress-${process.pid}-${++pools}`;
  const progress = progressName === undefined ? undefined : new BroadcastChannel(progressName);
  const byIndex = new Map(items.map((it) => [it.index, it]));
  const finished = new Set<number>();
  if (progress !== undefined) {
    progress.onmessage = (event: unknown) => {
      const { index, tick } = (event as { data: TickMessage }).data;
      const item = byIndex.get(index);
      // ticks travel apart from the results: drop any that arrive after their run finished
      if (item === undefined || finished.has(index)) return;
      const scenario = expanded[item.scenario]?.scenario.name ?? `#${item.scenario}`;
      options.onProgress?.({ phase: 'tick', done: results.length, total, item, scenario, tick });
    };
  }

  const signal = options.signal;
  const aborted = (): boolean => signal?.aborted === true;
  const lane = async (): Promise<void> => {
    while (stop === undefined && next < items.length && !aborted()) {
      const item = items[next++]!;
      const scenario = expanded[item.scenario]?.scenario.name ?? `#${item.scenario}`;
      options.onProgress?.({ phase: 'start', done: results.length, total, item, scenario });
      const task: WorkerTask = { key, files: source.files, options: source.options, fileOptions: source.fileOptions, item, simulator: options.workerSimulator, progress: progressName };
      let result: ItemResult;
      try {
        const reply = (await pool.run(task, signal === undefined ? {} : { signal })) as WorkerReply;
        if (reply.kind === 'inputs') {
          stop ??= new InputsChangedError(reply.message);
          return;
        }
        result = reply.result;
      } catch (e) {
        if (aborted()) return; // cancelled: not a crash
        result = { item, ok: false, failure: crashFailure(expanded, item, e) };
      }
      results.push(result);
      finished.add(item.index);
      options.onProgress?.({ phase: 'finish', done: results.length, total, item, scenario, result });
    }
  };

  try {
    await Promise.all(Array.from({ length: threads }, lane));
  } finally {
    progress?.close();
    await pool.destroy();
  }
  if (stop !== undefined) throw stop;
  if (aborted()) throw new InterruptedError(signal?.reason, results.length, total);
  return results;
}

/** The failure of an item whose worker thread died (or whose task was rejected by the pool). */
function crashFailure(expanded: readonly ExpandedScenario[], item: PlanItem, e: unknown): RunFailure {
  const why = e instanceof Error ? e.message : String(e);
  const failure: RunFailure = {
    scenario: expanded[item.scenario]?.scenario.name ?? `#${item.scenario}`,
    variant: item.variant,
    replication: item.replication,
    seed: item.seed,
    message: `WorkerError: the worker thread running this item died: ${why}`,
  };
  if (e instanceof Error && e.stack !== undefined) failure.stack = e.stack;
  return failure;
}
