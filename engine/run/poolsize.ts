import { availableParallelism } from 'node:os';
import { requestsOf } from './limits.js';
import type { PlanItem } from './plan.js';
import type { ExpandedScenario } from './run.js';

/**
 * How many worker threads a plan gets when --workers is not given: a pool only where it pays.
 *
 * A worker thread costs start-up the main thread has already paid — loading the command (~0.25 CPU-s),
 * reading and planning the scenario files again, and warming the JIT on its first run (~0.5 s more on
 * the examples) — so a small plan runs faster in this thread. The work of each run is estimated from
 * the scenario before anything runs (a fixed cost per run plus its requests at most, the peak rate ×
 * duration the limits use), and each thread must get at least `MIN_WORK_PER_THREAD_S` of it in runs
 * of `MIN_MEAN_RUN_S` or more on average; the
 * estimate is deliberately high per request and low per run, so a plan it sends to a pool is one
 * where the pool wins even when the estimate is off by 2× (bench/README.md, "Worker threads").
 */

/** Estimated single-thread seconds of one run: fixed (warm start, control plane, report data) … */
const RUN_FIXED_S = 0.02;
/** … plus this per request (the data plane with every metric on is ~0.5 µs; control plane work scales with traffic too). */
const PER_REQUEST_S = 2e-6;
/** Each thread of a pool must get at least this much estimated work … */
export const MIN_WORK_PER_THREAD_S = 3;
/**
 * … in runs of at least this much on average: a pooled run costs ~0.03 s more CPU (its result crosses
 * the thread boundary and is rebuilt in the main thread), so many short runs are faster in one thread.
 * Measured on 2 idle cores (bench/README.md, "Worker threads"): 160 prestop-race runs (estimated
 * 0.07 s each) 6.6 s in this thread vs 7.2 s on 2; 16 runs of 100k requests (0.22 s) 2.3 vs 2.5 s;
 * 16 runs of 300k requests (0.62 s) 5.1 vs 3.8 s.
 */
export const MIN_MEAN_RUN_S = 0.4;

export interface PoolChoice {
  /** Threads to use; 1 runs the plan in this thread, without a pool. */
  threads: number;
  /** Estimated single-thread seconds of the whole plan. */
  workS: number;
  /** Whether the user chose (--workers) or the estimate did. */
  chosen: 'flag' | 'estimate';
}

/** Estimated single-thread seconds of each item of the plan (same order). */
export function estimateWork(expanded: readonly ExpandedScenario[], items: readonly PlanItem[]): number[] {
  const perVariant = new Map<string, number>();
  return items.map((it) => {
    const key = `${it.scenario}\u0000${it.variant}`;
    let w = perVariant.get(key);
    if (w === undefined) {
      const v = expanded[it.scenario]?.variants.find((x) => x.name === it.variant);
      const s = v?.scenario;
      const requests = s === undefined ? 0 : s.spec.traffic.reduce((n, t) => n + requestsOf(t, s), 0);
      w = RUN_FIXED_S + (Number.isFinite(requests) ? requests : 0) * PER_REQUEST_S;
      perVariant.set(key, w);
    }
    return w;
  });
}

/**
 * The pool size for a plan: the flag when given; else the cores this process may use, capped by the
 * items and by the estimated work (at least MIN_WORK_PER_THREAD_S per thread).
 */
export function choosePool(work: readonly number[], flag: number | undefined, cores: number = availableParallelism()): PoolChoice {
  const workS = work.reduce((a, b) => a + b, 0);
  if (flag !== undefined) return { threads: Math.max(1, Math.min(flag, work.length)), workS, chosen: 'flag' };
  const byWork = workS / work.length < MIN_MEAN_RUN_S ? 1 : Math.floor(workS / MIN_WORK_PER_THREAD_S);
  return { threads: Math.max(1, Math.min(cores, work.length, byWork)), workS, chosen: 'estimate' };
}

/** One line for the progress output: where the plan runs and why (undefined for a lone run: nothing was chosen). */
export function describePool(choice: PoolChoice, runs: number): string | undefined {
  const what = `${runs} run${runs === 1 ? '' : 's'}`;
  const est = `estimated ${choice.workS < 10 ? choice.workS.toFixed(1) : Math.round(choice.workS)} s of work`;
  if (choice.chosen === 'flag') return choice.threads === 1 ? `${what} in this thread (--workers 1)` : `${what} on ${choice.threads} worker threads (--workers ${choice.threads})`;
  if (choice.threads > 1) return `${what} on ${choice.threads} worker threads (${est})`;
  if (runs <= 1) return undefined;
  return `${what} in this thread (${est}; a pool pays from ${2 * MIN_WORK_PER_THREAD_S} s in runs of ≥ ${MIN_MEAN_RUN_S} s; --workers <n> to choose)`;
}
