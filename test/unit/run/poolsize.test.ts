import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { choosePool, describePool, estimateWork, MIN_MEAN_RUN_S, MIN_WORK_PER_THREAD_S } from '../../../engine/run/poolsize.js';
import { expandScenarios, planExpanded } from '../../../engine/run/run.js';
import { loadScenarioFiles } from '../../../engine/scenario/load.js';

describe('the default pool size', () => {
  it('estimates each run from its requests: a fixed 0.02 s plus 2 µs per request (peak rate × duration)', () => {
    // test/fixtures/run/sweep.yaml: 2 variants × 3 replications of 20 s at 200/s = 4,000 requests a run
    const expanded = expandScenarios(loadScenarioFiles([path.resolve('test/fixtures/run/sweep.yaml')]).scenarios);
    const work = estimateWork(expanded, planExpanded(expanded).items);
    expect(work).toHaveLength(6);
    for (const w of work) expect(w).toBeCloseTo(0.02 + 4000 * 2e-6, 9);
  });

  // [estimated seconds per run, runs, cores, --workers, expected threads]
  const rows: Array<[number, number, number, number | undefined, number]> = [
    [0.07, 10, 2, undefined, 1], // the prestop-race example: 0.7 s of work, a pool would double its wall time
    [0.07, 10, 16, undefined, 1],
    [0.07, 160, 2, undefined, 1], // 11 s of work, but in runs too short for a pool (6.6 s here vs 7.2 s on 2)
    [0.22, 16, 2, undefined, 1], // 3.5 s: 2.3 s here vs 2.5 s on 2
    [0.62, 16, 2, undefined, 2], // 9.9 s in runs of 0.62 s: 5.1 s here vs 3.8 s on 2
    [1, 5, 2, undefined, 1], // 5 s: not 3 s for each of 2 threads
    [1, 6, 2, undefined, 2], // 6 s: exactly 3 s each
    [1, 6, 16, undefined, 2], // more cores do not help below 3 s a thread
    [1, 100, 16, undefined, 16],
    [50, 1, 16, undefined, 1], // one run never gets a pool
    [50, 3, 16, undefined, 3], // never more threads than runs
    [0.07, 10, 2, 2, 2], // --workers wins
    [0.07, 10, 2, 64, 10], // … capped by the runs
    [100, 10, 2, 1, 1],
  ];
  it.each(rows)('%s s × %s runs on %s cores, --workers %s → %s threads', (each, runs, cores, flag, threads) => {
    const choice = choosePool(Array.from({ length: runs }, () => each), flag, cores);
    expect(choice.threads).toBe(threads);
    expect(choice.workS).toBeCloseTo(each * runs, 9);
    expect(choice.chosen).toBe(flag === undefined ? 'estimate' : 'flag');
    if (flag === undefined && threads > 1) {
      expect(choice.workS / threads).toBeGreaterThanOrEqual(MIN_WORK_PER_THREAD_S);
      expect(choice.workS / runs).toBeGreaterThanOrEqual(MIN_MEAN_RUN_S);
    }
  });

  it('says where the plan runs and why', () => {
    expect(describePool(choosePool([0.07, 0.07], undefined, 2), 2)).toBe('2 runs in this thread (estimated 0.1 s of work; a pool pays from 6 s in runs of ≥ 0.4 s; --workers <n> to choose)');
    expect(describePool(choosePool([5], undefined, 2), 1)).toBeUndefined();
    expect(describePool(choosePool([4, 4, 4], undefined, 2), 3)).toBe('3 runs on 2 worker threads (estimated 12 s of work)');
    expect(describePool(choosePool([1, 1], 2, 2), 2)).toBe('2 runs on 2 worker threads (--workers 2)');
    expect(describePool(choosePool([1, 1], 1, 2), 2)).toBe('2 runs in this thread (--workers 1)');
  });
});
