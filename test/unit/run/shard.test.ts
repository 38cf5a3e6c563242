import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PlanItem } from '../../../engine/run/plan.js';
import { expandScenarios, planExpanded, type ItemResult } from '../../../engine/run/run.js';
import {
  checkPartialSet,
  makePartial,
  parseShard,
  partialFileName,
  partialResults,
  partialText,
  planIdentity,
  ShardError,
  shardItems,
  type LoadedPartial,
  type PartialResult,
} from '../../../engine/run/shard.js';
import { loadScenarioFiles } from '../../../engine/scenario/load.js';
import { version } from '../../../engine/version.js';

const items = (n: number): PlanItem[] => Array.from({ length: n }, (_, index) => ({ index, scenario: 0, variant: 'default', replication: index, seed: 1000 + index }));

describe('parseShard', () => {
  it('i/n, 1-based, spaces allowed', () => {
    expect(parseShard('2/4', {})).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ', {})).toEqual({ index: 1, count: 1 });
  });

  it('auto/n takes JOB_COMPLETION_INDEX + 1', () => {
    expect(parseShard('auto/4', { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 1, count: 4 });
    expect(parseShard('auto/4', { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 4, count: 4 });
  });

  it.each([
    ['0/4', {}, /i must be 1 … 4/],
    ['5/4', {}, /i must be 1 … 4/],
    ['1/0', {}, /n must be 1 … 100000/],
    ['1/100001', {}, /n must be 1 … 100000/],
    ['-1/4', {}, /expected i\/n/],
    ['1/2/3', {}, /expected i\/n/],
    ['auto/4', {}, /JOB_COMPLETION_INDEX is not set/],
    ['auto/4', { JOB_COMPLETION_INDEX: '4' }, /out of range for 4 shards \(0 … 3/],
    ['auto/4', { JOB_COMPLETION_INDEX: '-1' }, /not a non-negative integer/],
  ])('%s is refused', (value, env, message) => {
    expect(() => parseShard(value, env)).toThrow(ShardError);
    expect(() => parseShard(value, env)).toThrow(message);
  });
});

describe('shardItems', () => {
  it('round-robin: item index % n == i − 1, and the shards cover the plan exactly once', () => {
    expect(shardItems(items(7), { index: 2, count: 3 }).map((i) => i.index)).toEqual([1, 4]);
    for (let n = 1; n <= 9; n++) {
      const all = Array.from({ length: n }, (_, k) => shardItems(items(20), { index: k + 1, count: n })).flat();
      expect(all.map((i) => i.index).sort((a, b) => a - b)).toEqual(items(20).map((i) => i.index));
    }
    expect(shardItems(items(2), { index: 3, count: 3 })).toEqual([]); // more shards than runs: an empty slice
    expect(partialFileName({ index: 2, count: 4 })).toBe('partial-2-of-4.json');
  });
});

const FILE = 'test/fixtures/run/sweep.yaml';
const expanded = expandScenarios(loadScenarioFiles([FILE]).scenarios);
const plan = planExpanded(expanded);
const identity = planIdentity([FILE], {}, expanded, plan, process.cwd());

function fakeResults(indices: number[]): ItemResult[] {
  return indices.map((i) => ({ item: plan.items[i]!, ok: false, failure: { scenario: 'sweep', variant: plan.items[i]!.variant, replication: plan.items[i]!.replication, seed: plan.items[i]!.seed, message: `m${i}` } }));
}

function partial(index: number, count: number, results = fakeResults(plan.items.filter((it) => it.index % count === index - 1).map((it) => it.index))): LoadedPartial {
  return { file: `p${index}-${count}.json`, partial: makePartial({ index, count }, identity, results) };
}

describe('planIdentity', () => {
  it('paths relative to the current folder, options, a hash over version, files, options and items', () => {
    expect(identity.args).toEqual([FILE]);
    expect(identity.options).toEqual({ seed: null, replications: null });
    expect(identity.items).toBe(6);
    expect(identity.files).toEqual([{ path: FILE, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(planIdentity([path.resolve(FILE)], {}, expanded, plan, process.cwd())).toEqual(identity);
    const seeded = planIdentity([FILE], { seed: 5 }, expanded, planExpanded(expanded, { seed: 5 }), process.cwd());
    expect(seeded.hash).not.toBe(identity.hash);
    expect(seeded.options.seed).toBe(5);
    // replications change the plan and the options
    expect(planIdentity([FILE], { replications: 3 }, expanded, plan, process.cwd()).hash).not.toBe(identity.hash);
  });
});

describe('partial files', () => {
  it('read back exactly, with numbers JSON cannot hold tagged', () => {
    const p = makePartial({ index: 1, count: 1 }, identity, fakeResults([2, 0, 1]));
    expect(p.results.map((r) => r.item.index)).toEqual([0, 1, 2]);
    expect(p.tool).toEqual({ name: 'kubesim', version });
    const odd = { ...p, extra: [Infinity, -Infinity, NaN, -0, 0, 1.5] } as unknown as PartialResult;
    const text = partialText(odd);
    expect(text).toContain('{"$number":"Infinity"},{"$number":"-Infinity"},{"$number":"NaN"},{"$number":"-0"},0,1.5');
    expect(text.endsWith('\n')).toBe(true);
  });
});

describe('checkPartialSet and partialResults', () => {
  const set = [partial(2, 3), partial(3, 3), partial(1, 3)];

  it('orders a complete set by shard and collects every result once', () => {
    const checked = checkPartialSet(set);
    expect(checked.map((p) => p.partial.shard.index)).toEqual([1, 2, 3]);
    expect(partialResults(checked, plan).map((r) => r.item.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('refuses an empty set, a missing and a duplicate shard, other splits, other inputs and other versions', () => {
    expect(() => checkPartialSet([])).toThrow(/no partial results to merge/);
    expect(() => checkPartialSet([partial(1, 3), partial(3, 3)])).toThrow(/^missing shard 2\/3: a merge needs every shard 1 … 3 exactly once$/);
    expect(() => checkPartialSet([partial(1, 3)])).toThrow(/^missing shards 2\/3, 3\/3:/);
    expect(() => checkPartialSet([...set, { ...partial(2, 3), file: 'again.json' }])).toThrow(/^shard 2\/3 is given twice: p2-3\.json and again\.json$/);
    expect(() => checkPartialSet([partial(1, 3), partial(2, 2)])).toThrow(/different splits: p1-3\.json is shard 1\/3, p2-2\.json is shard 2\/2/);
    const other = partial(3, 3);
    other.partial.identity = { ...identity, files: [{ path: FILE, sha256: '0'.repeat(64) }], hash: 'f'.repeat(64) };
    expect(() => checkPartialSet([partial(1, 3), partial(2, 3), other])).toThrow(`different inputs: p1-3.json and p3-3.json (${FILE} has different contents)`);
    const old = partial(3, 3);
    old.partial.tool = { name: 'kubesim', version: '0.0.1-old' };
    expect(() => checkPartialSet([partial(1, 3), partial(2, 3), old])).toThrow(`p3-3.json: written by kubesim 0.0.1-old; this is kubesim ${version}`);
  });

  it('refuses results that are not the planned runs, belong to another shard, repeat, or are missing', () => {
    const wrongSeed = fakeResults([1, 4]);
    wrongSeed[0] = { ...wrongSeed[0]!, item: { ...wrongSeed[0]!.item, seed: 1 } };
    expect(() => partialResults([partial(1, 3), partial(2, 3, wrongSeed), partial(3, 3)], plan)).toThrow(/p2-3\.json: its result for run 1 does not match the plan/);
    expect(() => partialResults([partial(1, 3), partial(2, 3, fakeResults([1, 4, 0])), partial(3, 3)], plan)).toThrow(/p2-3\.json: holds run 0, which belongs to shard 1\/3/);
    expect(() => partialResults([partial(1, 3), partial(2, 3, fakeResults([1, 4, 4])), partial(3, 3)], plan)).toThrow(/run 4 appears twice/);
    expect(() => partialResults([partial(1, 3), partial(2, 3, fakeResults([4])), partial(3, 3)], plan)).toThrow(/lack 1 run of the plan \(first: run 1, shard 2\)/);
  });
});
