import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultWorkerUrl, executePlan, InputsChangedError } from '../../../engine/run/pool.js';
import { expandScenarios, planExpanded, runItems, type ItemResult, type RunProgress, type Simulator } from '../../../engine/run/run.js';
import { simulate } from '../../../engine/run/simulate.js';
import { loadScenarioFiles } from '../../../engine/scenario/load.js';

/**
 * The pool runs the compiled worker (dist/bin/worker.cjs: `npm run build` first) in real worker
 * threads. Failing and crashing runs come from stand-in simulator modules loaded inside the workers.
 */
const FILES = [path.resolve('test/fixtures/run/sweep.yaml')];
const expanded = expandScenarios(loadScenarioFiles(FILES).scenarios);
const plan = planExpanded(expanded);
const source = { files: FILES, options: {} };
const fixture = (name: string): string => pathToFileURL(path.resolve('test/fixtures/run', name)).href;

/** Results without the stack (machine-specific). */
function plain(rs: readonly ItemResult[]): unknown[] {
  return rs.map((r) => (r.ok ? r : { item: r.item, ok: false, failure: { ...r.failure, stack: undefined } }));
}

describe('executePlan over worker threads', () => {
  it('gives the in-process results, sorted by plan index, whatever the number of workers', async () => {
    expect(plan.items).toHaveLength(6);
    const inProcess = await runItems(expanded, plan.items);
    for (const workers of [2, 3, 8]) {
      const events: RunProgress[] = [];
      const rs = await executePlan(expanded, plan.items, { workers, source, onProgress: (p) => events.push(p) });
      expect(rs.map((r) => r.item.index)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(rs).toEqual(inProcess);
      expect(events.filter((e) => e.phase === 'start')).toHaveLength(6);
      const finishes = events.filter((e) => e.phase === 'finish');
      expect(finishes.map((e) => e.done)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(finishes.every((e) => e.total === 6 && e.scenario === 'sweep' && JSON.stringify(e.result?.item) === JSON.stringify(e.item))).toBe(true);
      // progress ticks cross the thread boundary, advance within a run, and never follow its finish
      const ticks = events.filter((e) => e.phase === 'tick');
      expect(new Set(ticks.map((e) => e.item.index)).size).toBeGreaterThanOrEqual(1);
      for (const index of [0, 1, 2, 3, 4, 5]) {
        const mine = events.filter((e) => e.item.index === index).map((e) => e.phase);
        expect(mine.lastIndexOf('tick')).toBeLessThan(mine.indexOf('finish'));
        const simulated = ticks.filter((e) => e.item.index === index).map((e) => e.tick!.simulatedS);
        expect([...simulated].sort((a, b) => a - b)).toEqual(simulated);
      }
    }
  });

  it('in this thread, a run reports 100 ticks up to its duration, and ticks do not change results', async () => {
    const events: RunProgress[] = [];
    const withTicks = await runItems(expanded, plan.items.slice(0, 1), { onProgress: (p) => events.push(p) });
    const without = await runItems(expanded, plan.items.slice(0, 1));
    expect(withTicks).toEqual(without);
    const ticks = events.filter((e) => e.phase === 'tick').map((e) => e.tick!);
    expect(ticks).toHaveLength(100);
    expect(ticks.at(-1)!.simulatedS).toBe(ticks.at(-1)!.durationS);
    expect(ticks.at(-1)!.kernelEvents).toBe(withTicks[0]!.ok ? withTicks[0]!.result.kernelEvents : -1);
  });

  it('runs a subset of the plan (a shard) by plan index', async () => {
    const items = plan.items.filter((it) => it.index % 2 === 1);
    const rs = await executePlan(expanded, items, { workers: 2, source });
    expect(rs.map((r) => r.item)).toEqual(items);
    expect(rs.every((r) => r.ok && r.result.seed === r.item.seed && r.result.replication === r.item.replication)).toBe(true);
  });

  it('a run that throws in a worker is a failure naming scenario, variant, replication and seed; the others finish', async () => {
    const rs = await executePlan(expanded, plan.items, { workers: 2, source, workerSimulator: fixture('failing-simulator.mjs') });
    const failed = rs.filter((r) => !r.ok);
    expect(failed.map((r) => r.item.index)).toEqual([1, 4]);
    for (const r of failed) {
      if (r.ok) continue;
      expect(r.failure).toMatchObject({ scenario: 'sweep', variant: r.item.variant, replication: 1, seed: r.item.seed, message: 'RangeError: simulated bug in a worker (variant run of sweep)' });
      expect(typeof r.failure.stack).toBe('string');
    }
    const fine = await runItems(expanded, plan.items.filter((it) => it.replication !== 1));
    expect(rs.filter((r) => r.ok)).toEqual(fine);
  });

  it('a worker thread that dies outright becomes a failure of its item, not a hang; the pool goes on', async () => {
    const rs = await executePlan(expanded, plan.items, { workers: 2, source, workerSimulator: fixture('crashing-simulator.mjs') });
    expect(rs.map((r) => r.ok)).toEqual([true, false, true, true, false, true]);
    for (const r of rs) {
      if (r.ok) continue;
      expect(r.failure.message).toMatch(/^WorkerError: the worker thread running this item died: .*exited with code: 3/);
      expect(r.failure).toMatchObject({ scenario: 'sweep', variant: r.item.variant, replication: 1, seed: r.item.seed });
    }
  });

  it('a worker thread that runs out of heap (issue 10) becomes a failure naming its seed; the process and the rest of the plan go on', async () => {
    const rs = await executePlan(expanded, plan.items, { workers: 2, source, workerSimulator: fixture('oom-simulator.mjs'), workerMemoryMb: 64 });
    expect(rs.map((r) => r.ok)).toEqual([true, false, true, true, false, true]);
    for (const r of rs) {
      if (r.ok) continue;
      expect(r.failure.message).toMatch(/^WorkerError: the worker thread running this item died: .*out of memory/i);
      expect(r.failure).toMatchObject({ scenario: 'sweep', variant: r.item.variant, replication: 1, seed: r.item.seed });
    }
  });

  it('stops with InputsChangedError when the workers load a different plan than the main thread', async () => {
    // The workers plan with --seed 99; the items were planned with spec.seed: not the same runs.
    await expect(executePlan(expanded, plan.items, { workers: 2, source: { files: FILES, options: { seed: 99 } } })).rejects.toThrow(InputsChangedError);
    await expect(executePlan(expanded, plan.items, { workers: 2, source: { files: FILES, options: { seed: 99 } } })).rejects.toThrow(
      /plan item \d is no longer the same run/,
    );
  });

  it('one worker, a single item, or a simulator function run in this thread (no pool)', async () => {
    const calls: number[] = [];
    const sim: Simulator = (s, r, seed) => {
      calls.push(r);
      return simulate(s, r, seed);
    };
    const rs = await executePlan(expanded, plan.items.slice(0, 3), { workers: 4, simulate: sim });
    expect(calls).toEqual([0, 1, 2]);
    expect(plain(rs)).toEqual(plain(await runItems(expanded, plan.items.slice(0, 3))));
    // no source needed: nothing crosses a thread
    expect((await executePlan(expanded, plan.items.slice(0, 1), { workers: 4 })).map((r) => r.ok)).toEqual([true]);
    expect((await executePlan(expanded, plan.items.slice(0, 2), { workers: 1 })).map((r) => r.ok)).toEqual([true, true]);
    await expect(executePlan(expanded, plan.items.slice(0, 2), { workers: 2 })).rejects.toThrow(/needs the plan source/);
  });

  it('resolves the compiled worker module', () => {
    expect(defaultWorkerUrl().pathname).toMatch(/\/dist\/bin\/worker\.cjs$/);
  });
});
