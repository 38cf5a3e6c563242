import { replicationSeed } from '../kernel/random.js';
import type { LoadedScenario } from '../scenario/load.js';
import { DEFAULT_VARIANT } from '../scenario/variants.js';

export { DEFAULT_VARIANT };

/**
 * The run plan: every (scenario, variant, replication) to simulate, each with its seed, in a fixed
 * order. The plan is pure data (no functions, no scenario objects), so a worker pool or a shard can
 * take items by index and results can be put back in plan order, making the report independent of
 * how the items were executed.
 *
 * Seeds: a scenario's seed is `--seed` when given, else its `spec.seed`; replication r runs with
 * `replicationSeed(scenarioSeed, r)` (a hash, never seed + r). Every variant of a scenario uses the
 * same replication seeds (common random numbers), so variants are compared run by run.
 */

export interface PlanOptions {
  /** Overrides every scenario's `spec.seed`. */
  seed?: number | undefined;
  /** Overrides every scenario's `spec.replications`. */
  replications?: number | undefined;
}

/** One run to perform. */
export interface PlanItem {
  /** Position in the plan (0-based); results are combined in this order. */
  index: number;
  /** Index into the scenarios the plan was made from. */
  scenario: number;
  variant: string;
  /** 0-based replication number. */
  replication: number;
  /** The run's seed: `replicationSeed(scenarioSeed, replication)`. */
  seed: number;
}

/** Per scenario: the seed and replication count the plan used, and its variants in order. */
export interface PlannedScenario {
  scenario: number;
  seed: number;
  replications: number;
  variants: string[];
}

export interface RunPlan {
  scenarios: PlannedScenario[];
  items: PlanItem[];
}

/** Throws a RangeError for option values no scenario could run with (the CLI checks them first). */
export function checkPlanOptions(options: PlanOptions): void {
  const { seed, replications } = options;
  if (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0)) {
    throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  }
  if (replications !== undefined && !(Number.isSafeInteger(replications) && replications >= 1)) {
    throw new RangeError(`replications must be a positive integer, got ${replications}`);
  }
}

/**
 * The plan for `scenarios`: scenario by scenario, variant by variant, replication by replication.
 * `variantNames[i]` lists scenario i's variants in order (from `expandVariants`); default: `default` only.
 */
export function planRuns(
  scenarios: readonly LoadedScenario[],
  options: PlanOptions = {},
  variantNames: readonly (readonly string[])[] = scenarios.map(() => [DEFAULT_VARIANT]),
): RunPlan {
  checkPlanOptions(options);
  const planned: PlannedScenario[] = [];
  const items: PlanItem[] = [];
  scenarios.forEach((s, scenario) => {
    const seed = options.seed ?? s.spec.seed;
    const replications = options.replications ?? s.spec.replications;
    const variants = [...(variantNames[scenario] ?? [DEFAULT_VARIANT])];
    if (variants.length === 0) throw new RangeError(`scenario ${s.name} has no variants to run`);
    planned.push({ scenario, seed, replications, variants });
    for (const variant of variants) {
      for (let replication = 0; replication < replications; replication++) {
        items.push({ index: items.length, scenario, variant, replication, seed: replicationSeed(seed, replication) });
      }
    }
  });
  return { scenarios: planned, items };
}
