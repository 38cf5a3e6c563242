import { describe, expect, it } from 'vitest';
import { replicationSeed } from '../../../engine/kernel/random.js';
import { checkPlanOptions, DEFAULT_VARIANT, planRuns } from '../../../engine/run/plan.js';
import { collectResults, expandScenarios, runPlanItem, runScenarios, type ItemResult, type RunProgress, type Simulator } from '../../../engine/run/run.js';
import type { RunResult } from '../../../engine/run/simulate.js';
import { loadScenarioFiles, type LoadedScenario } from '../../../engine/scenario/load.js';

const loaded = loadScenarioFiles(['test/fixtures/cli/rollout.yaml', 'test/fixtures/cli/notes.yaml']).scenarios;
const [rollout, notes] = loaded as [LoadedScenario, LoadedScenario];
const [xRollout, xNotes] = expandScenarios([rollout, notes]) as [ReturnType<typeof expandScenarios>[number], ReturnType<typeof expandScenarios>[number]];

/** A stand-in simulator: records its calls, throws for one seed. */
function fake(throwFor?: number): { sim: Simulator; calls: Array<[string, number, number]> } {
  const calls: Array<[string, number, number]> = [];
  const sim: Simulator = (s, replication, seed) => {
    calls.push([s.name, replication, seed]);
    if (seed === throwFor) throw new RangeError(`bad seed ${seed}`);
    return { replication, seed } as RunResult;
  };
  return { sim, calls };
}

describe('planRuns', () => {
  it('scenario by scenario, replication by replication, with hashed seeds from spec.seed', () => {
    const s2 = { ...notes, spec: { ...notes.spec, replications: 2 } };
    const plan = planRuns([rollout, s2]);
    expect(plan.scenarios).toEqual([
      { scenario: 0, seed: 7, replications: 1, variants: ['default'] },
      { scenario: 1, seed: 1, replications: 2, variants: ['default'] },
    ]);
    expect(plan.items).toEqual([
      { index: 0, scenario: 0, variant: DEFAULT_VARIANT, replication: 0, seed: replicationSeed(7, 0) },
      { index: 1, scenario: 1, variant: DEFAULT_VARIANT, replication: 0, seed: replicationSeed(1, 0) },
      { index: 2, scenario: 1, variant: DEFAULT_VARIANT, replication: 1, seed: replicationSeed(1, 1) },
    ]);
    expect(plan.items[2]!.seed).not.toBe(plan.items[1]!.seed + 1);
  });

  it('--seed and --replications override every scenario', () => {
    const plan = planRuns([rollout, notes], { seed: 99, replications: 3 });
    expect(plan.scenarios.map((s) => [s.seed, s.replications])).toEqual([
      [99, 3],
      [99, 3],
    ]);
    expect(plan.items).toHaveLength(6);
    expect(plan.items.map((i) => i.seed).slice(0, 3)).toEqual([0, 1, 2].map((r) => replicationSeed(99, r)));
    expect(plan.items.map((i) => i.seed).slice(3)).toEqual(plan.items.map((i) => i.seed).slice(0, 3));
  });

  it('is pure data: the same plan every time, serialisable', () => {
    const a = planRuns([rollout, notes], { replications: 2 });
    expect(JSON.parse(JSON.stringify(a))).toEqual(planRuns([rollout, notes], { replications: 2 }));
  });

  it('rejects option values no run could use', () => {
    for (const bad of [{ seed: -1 }, { seed: 1.5 }, { seed: 2 ** 53 }, { replications: 0 }, { replications: 2.5 }]) {
      expect(() => checkPlanOptions(bad), JSON.stringify(bad)).toThrow(RangeError);
      expect(() => planRuns([rollout], bad)).toThrow(RangeError);
    }
    expect(() => checkPlanOptions({ seed: 0, replications: 1 })).not.toThrow();
  });
});

describe('runPlanItem and collectResults', () => {
  it('a run that throws becomes a failure naming scenario, variant, replication and seed', () => {
    const plan = planRuns([rollout], { replications: 2 });
    const bad = plan.items[1]!.seed;
    const { sim } = fake(bad);
    const r = runPlanItem([xRollout], plan.items[1]!, sim);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure).toMatchObject({ scenario: 'rollout-slo-fails', variant: 'default', replication: 1, seed: bad, message: `RangeError: bad seed ${bad}` });
    expect(r.failure.stack).toContain('RangeError');
  });

  it('non-Error throws are reported too', () => {
    const r = runPlanItem([xRollout], planRuns([rollout]).items[0]!, () => {
      throw 'a string'; // eslint-disable-line no-throw-literal
    });
    expect(r).toMatchObject({ ok: false, failure: { message: 'a string' } });
  });

  it('results in any order go back in plan order', () => {
    const plan = planRuns([rollout, notes], { replications: 2 });
    const { sim } = fake(plan.items[2]!.seed);
    const results: ItemResult[] = plan.items.map((i) => runPlanItem([xRollout, xNotes], i, sim)).reverse();
    const grouped = collectResults([xRollout, xNotes], plan, results);
    expect(grouped.map((g) => [g.scenario.name, g.seed, g.replications])).toEqual([
      ['rollout-slo-fails', 7, 2],
      ['notes', 1, 2],
    ]);
    expect(grouped[0]!.variants[0]!.runs.map((r) => r.replication)).toEqual([0, 1]);
    expect(grouped[1]!.variants[0]!.runs.map((r) => r.replication)).toEqual([1]);
    expect(grouped[1]!.variants[0]!.failures.map((f) => f.replication)).toEqual([0]);
  });

  it('a missing result or an unknown item is an error', () => {
    const plan = planRuns([rollout], { replications: 2 });
    const { sim } = fake();
    const one = runPlanItem([xRollout], plan.items[0]!, sim);
    expect(() => collectResults([xRollout], plan, [one])).toThrow('plan item 1 has no result');
    expect(() => collectResults([xRollout], plan, [one, { ...one, item: { ...one.item, index: 5 } }])).toThrow('unknown plan item 5');
    expect(() => runPlanItem([xRollout], { ...plan.items[0]!, scenario: 3 }, sim)).toThrow(RangeError);
  });
});

describe('variants', () => {
  const [strategies] = loadScenarioFiles(['test/fixtures/cli/variants.yaml']).scenarios as [LoadedScenario];

  it('every variant runs every replication with the same seeds, baseline first', async () => {
    const { sim, calls } = fake();
    const out = await runScenarios([strategies], {}, sim);
    expect(out[0]!.variants.map((v) => [v.name, v.runs.length])).toEqual([
      ['rolling', 2],
      ['recreate', 2],
    ]);
    expect(calls.map((c) => c[2])).toEqual([...[0, 1].map((r) => replicationSeed(3, r)), ...[0, 1].map((r) => replicationSeed(3, r))]);
  });

  it('each variant runs its own patched scenario', () => {
    const [x] = expandScenarios([strategies]);
    const plan = planRuns([strategies], {}, [x!.variants.map((v) => v.name)]);
    const seen: string[] = [];
    const sim: Simulator = (s, replication, seed) => {
      seen.push(s.deployments[0]!.spec.strategy.type);
      return { replication, seed } as RunResult;
    };
    for (const item of plan.items) runPlanItem([x!], item, sim);
    expect(seen).toEqual(['RollingUpdate', 'RollingUpdate', 'Recreate', 'Recreate']);
    expect(() => runPlanItem([x!], { ...plan.items[0]!, variant: 'nope' }, sim)).toThrow('names variant "nope"');
  });
});

describe('runScenarios', () => {
  it('runs every item in order, reports progress, and finishes the others when one throws', async () => {
    const plan = planRuns([rollout, notes], { replications: 2 });
    const { sim, calls } = fake(plan.items[1]!.seed);
    const progress: RunProgress[] = [];
    const out = await runScenarios([rollout, notes], { replications: 2, onProgress: (p) => progress.push(p) }, sim);
    expect(calls.map((c) => [c[0], c[1]])).toEqual([
      ['rollout-slo-fails', 0],
      ['rollout-slo-fails', 1],
      ['notes', 0],
      ['notes', 1],
    ]);
    expect(progress.map((p) => `${p.phase} ${p.done}/${p.total} ${p.scenario}#${p.item.replication}`)).toEqual([
      'start 0/4 rollout-slo-fails#0',
      'finish 1/4 rollout-slo-fails#0',
      'start 1/4 rollout-slo-fails#1',
      'finish 2/4 rollout-slo-fails#1',
      'start 2/4 notes#0',
      'finish 3/4 notes#0',
      'start 3/4 notes#1',
      'finish 4/4 notes#1',
    ]);
    expect(progress[3]!.result).toMatchObject({ ok: false });
    expect(out[0]!.variants[0]!.failures).toHaveLength(1);
    expect(out[0]!.variants[0]!.runs).toHaveLength(1);
    expect(out[1]!.variants[0]!.runs).toHaveLength(2);
  });

  it('with the real simulator: the same seed gives the same results', async () => {
    const a = await runScenarios([notes], { seed: 3 });
    const b = await runScenarios([notes], { seed: 3 });
    const c = await runScenarios([notes], { seed: 4 });
    const runA = a[0]!.variants[0]!.runs[0]!;
    expect(runA.seed).toBe(replicationSeed(3, 0));
    expect(runA.metrics.requests.total).toBeGreaterThan(0);
    expect(JSON.stringify(b[0]!.variants[0]!.runs[0])).toBe(JSON.stringify(runA));
    expect(c[0]!.variants[0]!.runs[0]!.metrics.requests).not.toEqual(runA.metrics.requests);
  });
});
