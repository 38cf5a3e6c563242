/**
 * kubesim's public API: small, named exports only.
 *
 * The usual path is files → `loadScenarioFiles` → `runScenarios` → `buildReport` (reports/model.ts)
 * — exactly what `kubesim run` does. `simulate` runs one scenario once; the kernel is usable alone.
 */
export { Simulation, type RunOptions as SimulationRunOptions, type EventHandler } from './kernel/simulation.js';
export { RandomStreams, replicationSeed, type RandomStream } from './kernel/random.js';
export { distributionFrom, type Distribution, type DistributionSpec } from './kernel/distributions.js';
export { parseDuration, parseRate, formatDuration } from './kernel/units.js';
export { loadScenarioFiles, scenarioJsonSchema, type LoadedScenario, type LoadResult } from './scenario/load.js';
export { ScenarioError, formatDiagnostic, type Diagnostic } from './scenario/diagnostics.js';
export { expandVariants, type Variant } from './scenario/variants.js';
export { runScenarios, type ScenarioRuns, type RunOptions, type RunFailure } from './run/run.js';
export { simulate, type RunResult } from './run/simulate.js';
export { parseSlo, evaluateSlos, type SloResult } from './metrics/slo.js';
