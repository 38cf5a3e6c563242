import { getHeapStatistics } from 'node:v8';
import type { Diagnostic } from '../scenario/diagnostics.js';
import type { LoadedScenario } from '../scenario/load.js';
import { expandVariants, type Variant } from '../scenario/variants.js';
import { planRuns, type PlanItem, type PlanOptions, type RunPlan } from './plan.js';
import { simulate, type RunResult, type RunTick, type SimulateHooks } from './simulate.js';

/**
 * Running a plan: every item is one `simulate` call of one variant of a scenario (its patched copy,
 * from `expandVariants`). `runItems` runs items one after another in this thread; the worker pool
 * (pool.ts) runs them in worker threads with `runPlanItem`, and a shard (shard.ts) runs a slice of the
 * plan. Either way `collectResults` puts the results back in plan order, so the report does not
 * depend on how the items were executed.
 *
 * A run that throws does not stop the others: it becomes a `RunFailure` naming the scenario, variant,
 * replication and seed, so it can be reproduced alone (`--seed` and `--replications` cannot pick one
 * replication, but the seed printed is the run's own seed).
 */

/**
 * The plan was stopped by a signal (SIGINT, SIGTERM) before it finished: `done` of `total` runs had
 * finished. Nothing is written from a stopped plan (the CLI exits 130 / 143).
 */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
  readonly signalName: string;
  constructor(reason: unknown, readonly done: number, readonly total: number) {
    const signalName = typeof reason === 'string' ? reason : 'SIGINT';
    super(`interrupted by ${signalName}: ${done} of ${total} runs had finished`);
    this.signalName = signalName;
  }
}

/**
 * The main thread is close to its heap limit (issue 10): rather than die of a V8 out-of-memory abort
 * (exit 134, no message), kubesim stops with this error (`kubesim: internal error: …`, exit 70).
 */
export class HeapLimitError extends Error {
  override name = 'HeapLimitError';
}

/** Share of the heap limit past which `checkHeap` throws. */
export const HEAP_LIMIT_SHARE = 0.85;

/** Throws HeapLimitError when the heap holds more than HEAP_LIMIT_SHARE of its limit (checked between runs and at every progress tick). */
export function checkHeap(): void {
  const h = getHeapStatistics();
  if (h.used_heap_size > HEAP_LIMIT_SHARE * h.heap_size_limit) {
    const mb = (n: number) => Math.round(n / 2 ** 20);
    throw new HeapLimitError(
      `out of memory: the heap holds ${mb(h.used_heap_size)} MiB of its ${mb(h.heap_size_limit)} MiB limit; stopped before the process would abort. Use --detail summary, fewer or shorter runs, or a larger heap (NODE_OPTIONS=--max-old-space-size=<MiB>)`,
    );
  }
}

/** A run that threw. */
export interface RunFailure {
  scenario: string;
  variant: string;
  replication: number;
  /** The run's seed. */
  seed: number;
  /** `Name: message` of what was thrown. */
  message: string;
  /** The stack, for debugging (never written to reports). */
  stack?: string;
}

/** The result of one plan item. */
export type ItemResult = { item: PlanItem; ok: true; result: RunResult } | { item: PlanItem; ok: false; failure: RunFailure };

/** A scenario with its variants expanded (a scenario without variants has one, `default`). */
export interface ExpandedScenario {
  scenario: LoadedScenario;
  /** In written order; the first is the baseline. */
  variants: Variant[];
  /** Notes from expanding (skipped matrix combinations, notes of patched copies). */
  notes: Diagnostic[];
}

/** Expands every scenario's variants. Throws ScenarioError (bad input) for bad patches. */
export function expandScenarios(scenarios: readonly LoadedScenario[]): ExpandedScenario[] {
  return scenarios.map((scenario) => {
    const { variants, notes } = expandVariants(scenario);
    return { scenario, variants, notes };
  });
}

/** The runs of one variant, in replication order. */
export interface VariantRuns {
  name: string;
  /** The scenario as the variant runs it (patched). */
  scenario: LoadedScenario;
  /** Runs that finished, in replication order. */
  runs: RunResult[];
  /** Runs that threw, in replication order. */
  failures: RunFailure[];
}

/** One scenario's runs, as planned. */
export interface ScenarioRuns {
  scenario: LoadedScenario;
  /** The scenario seed used (`--seed` or `spec.seed`). */
  seed: number;
  replications: number;
  variants: VariantRuns[];
}

/** Reported before and after each item. `done` counts finished items (failed ones included). */
export interface RunProgress {
  /** `tick`: a running item advanced (about 100 ticks per run, as its simulated time passes). */
  phase: 'start' | 'tick' | 'finish';
  done: number;
  total: number;
  item: PlanItem;
  /** The scenario's name. */
  scenario: string;
  /** With phase `finish`. */
  result?: ItemResult;
  /** With phase `tick`. */
  tick?: RunTick;
}

export interface RunOptions extends PlanOptions {
  onProgress?: ((p: RunProgress) => void) | undefined;
}

/** A function that performs one run (simulate, or a stand-in for tests). */
export type Simulator = (scenario: LoadedScenario, replication: number, seed: number, hooks?: SimulateHooks) => RunResult;

/** The plan for expanded scenarios (their variant names in order). */
export function planExpanded(expanded: readonly ExpandedScenario[], options: PlanOptions = {}): RunPlan {
  return planRuns(
    expanded.map((e) => e.scenario),
    options,
    expanded.map((e) => e.variants.map((v) => v.name)),
  );
}

/** Runs one plan item; never throws for a failing run (the failure is the result). */
export function runPlanItem(expanded: readonly ExpandedScenario[], item: PlanItem, run: Simulator = simulate, hooks?: SimulateHooks): ItemResult {
  const entry = expanded[item.scenario];
  if (entry === undefined) throw new RangeError(`plan item ${item.index} names scenario ${item.scenario}; there are ${expanded.length}`);
  const variant = entry.variants.find((v) => v.name === item.variant);
  if (variant === undefined) throw new RangeError(`plan item ${item.index} names variant ${JSON.stringify(item.variant)}, which scenario ${entry.scenario.name} does not have`);
  const scenario = variant.scenario;
  try {
    return { item, ok: true, result: hooks === undefined ? run(scenario, item.replication, item.seed) : run(scenario, item.replication, item.seed, hooks) };
  } catch (e) {
    if (e instanceof HeapLimitError) throw e; // the process, not the run, is out of memory
    const failure: RunFailure = {
      scenario: entry.scenario.name,
      variant: item.variant,
      replication: item.replication,
      seed: item.seed,
      message: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
    };
    if (e instanceof Error && e.stack !== undefined) failure.stack = e.stack;
    return { item, ok: false, failure };
  }
}

/**
 * Puts item results (in any order) back into the plan's shape. Throws a RangeError when a planned
 * item has no result or an unknown one is given.
 */
export function collectResults(expanded: readonly ExpandedScenario[], plan: RunPlan, results: readonly ItemResult[]): ScenarioRuns[] {
  const byIndex = new Map<number, ItemResult>();
  for (const r of results) {
    if (plan.items[r.item.index] === undefined) throw new RangeError(`result for unknown plan item ${r.item.index}`);
    byIndex.set(r.item.index, r);
  }
  const out: ScenarioRuns[] = plan.scenarios.map((p) => {
    const e = expanded[p.scenario]!;
    return {
      scenario: e.scenario,
      seed: p.seed,
      replications: p.replications,
      variants: p.variants.map((name) => ({ name, scenario: e.variants.find((v) => v.name === name)?.scenario ?? e.scenario, runs: [], failures: [] })),
    };
  });
  for (const item of plan.items) {
    const r = byIndex.get(item.index);
    if (r === undefined) throw new RangeError(`plan item ${item.index} has no result`);
    const variant = out[item.scenario]!.variants.find((v) => v.name === item.variant)!;
    if (r.ok) variant.runs.push(r.result);
    else variant.failures.push(r.failure);
  }
  return out;
}

/**
 * Runs `items` (of `plan`'s items) one after another in this thread, reporting progress before and
 * after each; returns their results in the order given. `done` and `total` count `items` only.
 */
export async function runItems(
  expanded: readonly ExpandedScenario[],
  items: readonly PlanItem[],
  options: { onProgress?: ((p: RunProgress) => void) | undefined; signal?: AbortSignal | undefined } = {},
  run: Simulator = simulate,
): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  const total = items.length;
  for (const item of items) {
    if (options.signal?.aborted === true) throw new InterruptedError(options.signal.reason, results.length, total);
    const scenario = expanded[item.scenario]?.scenario.name ?? `#${item.scenario}`;
    options.onProgress?.({ phase: 'start', done: results.length, total, item, scenario });
    const onProgress = options.onProgress;
    const hooks = {
      onTick: (tick: RunTick) => {
        checkHeap();
        onProgress?.({ phase: 'tick', done: results.length, total, item, scenario, tick });
      },
    };
    checkHeap();
    const result = runPlanItem(expanded, item, run, hooks);
    results.push(result);
    options.onProgress?.({ phase: 'finish', done: results.length, total, item, scenario, result });
    // Let signals and pending output through between runs.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return results;
}

/**
 * Runs every replication of every variant of every scenario, in plan order, and returns them grouped.
 * Takes loaded scenarios (variants are expanded here; ScenarioError for bad patches) or expanded ones.
 * In this thread; `executePlan` (pool.ts) runs a plan over worker threads.
 */
export async function runScenarios(
  scenarios: readonly LoadedScenario[] | readonly ExpandedScenario[],
  options: RunOptions = {},
  run: Simulator = simulate,
): Promise<ScenarioRuns[]> {
  const expanded = scenarios.map((s) => ('scenario' in s && 'variants' in s ? s : expandScenarios([s as LoadedScenario])[0]!));
  const plan = planExpanded(expanded, options);
  const results = await runItems(expanded, plan.items, options, run);
  return collectResults(expanded, plan, results);
}
