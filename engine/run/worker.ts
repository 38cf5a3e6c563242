import type { FileOptions } from '../scenario/files.js';
import { loadScenarioFiles } from '../scenario/load.js';
import type { PlanItem, PlanOptions, RunPlan } from './plan.js';
import { expandScenarios, planExpanded, runPlanItem, type ExpandedScenario, type ItemResult, type Simulator } from './run.js';
import { simulate, type RunTick } from './simulate.js';
import { BroadcastChannel } from 'node:worker_threads';

/**
 * The worker side of the pool (pool.ts): one worker_threads module, loaded by piscina from the
 * bundled dist/bin/worker.cjs (scripts/build.mjs; see defaultWorkerUrl in pool.ts).
 *
 * Loaded scenarios hold functions (distributions) and Maps, so they cannot be posted to a thread.
 * Instead each task carries the scenario file paths and the plan options; the worker
 * loads and expands them itself the first time it sees them (cached by `key`) and runs the item by
 * its plan index with `runPlanItem`. It checks that its own plan has the same item at that index —
 * if the files changed on disk after the main thread read them, the reply says so instead of
 * running something else. The reply is plain data (an ItemResult; a failure's stack is a string).
 */

export interface WorkerTask {
  /** Identifies (files, options): the worker reloads only when it changes. */
  key: string;
  /** The command-line paths as the main thread loaded them (relative ones resolve against the process's current folder, which threads share). */
  files: string[];
  options: PlanOptions;
  /** How the main thread read the files (--allow-outside, --max-file-size). */
  fileOptions?: FileOptions | undefined;
  /** The item to run, as the main thread planned it. */
  item: PlanItem;
  /** For tests: a module URL whose default export is the Simulator to use instead of `simulate`. */
  simulator?: string | undefined;
  /** A BroadcastChannel name on which to post this run's progress ticks ({index, tick}). */
  progress?: string | undefined;
}

/** A progress message on the pool's channel. */
export interface TickMessage {
  index: number;
  tick: RunTick;
}

export type WorkerReply = { kind: 'result'; result: ItemResult } | { kind: 'inputs'; message: string };

let cache: { key: string; expanded: ExpandedScenario[]; plan: RunPlan } | undefined;
const simulators = new Map<string, Simulator>();

async function simulatorFor(url: string | undefined): Promise<Simulator> {
  if (url === undefined) return simulate;
  let s = simulators.get(url);
  if (s === undefined) {
    const mod = (await import(url)) as { default?: unknown };
    if (typeof mod.default !== 'function') throw new TypeError(`simulator module ${url} has no default export function`);
    s = mod.default as Simulator;
    simulators.set(url, s);
  }
  return s;
}

function sameItem(a: PlanItem, b: PlanItem): boolean {
  return a.index === b.index && a.scenario === b.scenario && a.variant === b.variant && a.replication === b.replication && a.seed === b.seed;
}

export default async function runTask(task: WorkerTask): Promise<WorkerReply> {
  if (cache?.key !== task.key) {
    cache = undefined;
    try {
      const expanded = expandScenarios(loadScenarioFiles(task.files, task.fileOptions ?? {}).scenarios);
      cache = { key: task.key, expanded, plan: planExpanded(expanded, task.options) };
    } catch (e) {
      return { kind: 'inputs', message: `the scenario files no longer load: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  const mine = cache.plan.items[task.item.index];
  if (mine === undefined || !sameItem(mine, task.item)) {
    return { kind: 'inputs', message: `the scenario files changed while running: plan item ${task.item.index} is no longer the same run` };
  }
  const run = await simulatorFor(task.simulator);
  const channel = task.progress === undefined ? undefined : channelFor(task.progress);
  const hooks = channel && { onTick: (tick: RunTick) => channel.postMessage({ index: mine.index, tick } satisfies TickMessage) };
  return { kind: 'result', result: runPlanItem(cache.expanded, mine, run, hooks) };
}

const channels = new Map<string, BroadcastChannel>();
function channelFor(name: string): BroadcastChannel {
  let c = channels.get(name);
  if (c === undefined) {
    c = new BroadcastChannel(name);
    (c as unknown as { unref?: () => void }).unref?.(); // never keep the worker alive for progress
    channels.set(name, c);
  }
  return c;
}
