import { describe, expect, it } from 'vitest';
import { planSlices, type SlicePlan } from '../../../engine/cluster/endpointslice-packing.js';

/**
 * Slice packing, rows transcribed from upstream's reconciler tests (k/k
 * pkg/controller/endpointslice/reconciler_test.go; maxEndpointsPerSlice 100). Endpoints here are pod
 * numbers; `version` stands for a changed condition.
 */
type E = { pod: number; version: number };
const ep = (pod: number, version = 0): E => ({ pod, version });
const range = (from: number, to: number, step = 1) => Array.from({ length: Math.ceil((to - from) / step) }, (_, i) => from + i * step);

function plan(slices: E[][], changes: Array<[number, E | undefined]>, max = 100): SlicePlan<E> {
  const where = new Map<number, number>();
  slices.forEach((s, i) => s.forEach((e) => where.set(e.pod, i)));
  return planSlices({
    slices,
    changes: new Map(changes.map(([pod, e]) => [String(pod), e])),
    locate: (key) => where.get(Number(key)),
    keyOf: (e) => String(e.pod),
    equal: (a, b) => a.version === b.version,
    max,
  });
}

/** Slice lengths after the plan, sorted (upstream's expectUnorderedSlicesWithLengths). */
function lengths(slices: E[][], p: SlicePlan<E>): number[] {
  const out = slices.map((s, i) => (p.deletes.includes(i) ? -1 : (p.updates.get(i) ?? s).length)).filter((n) => n >= 0);
  return [...out, ...p.creates.map((c) => c.length)].sort((a, b) => a - b);
}

const desired = (pods: number[]): Array<[number, E]> => pods.map((p) => [p, ep(p)]);

describe('EndpointSlice packing (upstream reconciler_test.go rows)', () => {
  it('TestReconcileManyPods: 250 pods, no slices → 3 creates of 100, 100, 50', () => {
    const p = plan([], desired(range(0, 250)));
    expect(p.creates.map((c) => c.length)).toEqual([100, 100, 50]);
    expect(p.updates.size + p.deletes.length).toBe(0);
  });

  it('TestReconcileEndpointSlicesSomePreexisting: slices of 62 and 61, 250 pods → 1 create + 1 update: 89, 61, 100', () => {
    const s1 = range(1, 246, 4).map((i) => ep(i)); // 62
    const s2 = range(3, 246, 4).map((i) => ep(i)); // 61
    expect([s1.length, s2.length]).toEqual([62, 61]);
    const listed = new Set([...s1, ...s2].map((e) => e.pod));
    const p = plan([s1, s2], desired(range(0, 250).filter((i) => !listed.has(i))));
    expect(p.creates.map((c) => c.length)).toEqual([100]);
    expect([...p.updates.keys()]).toEqual([0]); // the 27 left go to the slice they fill closest to full
    expect(lengths([s1, s2], p)).toEqual([61, 89, 100]);
  });

  it('TestReconcileEndpointSlicesSomePreexistingWorseAllocation: slices of 74 and 74, 300 pods → 2 creates: 74, 74, 100, 52', () => {
    const s1 = range(1, 296, 4).map((i) => ep(i));
    const s2 = range(3, 296, 4).map((i) => ep(i));
    expect([s1.length, s2.length]).toEqual([74, 74]);
    const listed = new Set([...s1, ...s2].map((e) => e.pod));
    const p = plan([s1, s2], desired(range(0, 300).filter((i) => !listed.has(i))));
    expect(p.creates.map((c) => c.length)).toEqual([100, 52]);
    expect(p.updates.size).toBe(0);
    expect(lengths([s1, s2], p)).toEqual([52, 74, 74, 100]);
  });

  it('TestReconcileEndpointSlicesUpdating: a change to every endpoint updates the 3 slices in place (no create/delete)', () => {
    const slices = [range(0, 100), range(100, 200), range(200, 250)].map((r) => r.map((i) => ep(i)));
    const p = plan(slices, range(0, 250).map((i) => [i, ep(i, 1)]));
    expect([...p.updates.keys()]).toEqual([0, 1, 2]);
    expect(p.creates.length + p.deletes.length).toBe(0);
    expect(lengths(slices, p)).toEqual([50, 100, 100]);
  });

  it('TestReconcile1EndpointSlice: no pods left → the slice is kept as an empty placeholder (an update)', () => {
    const slices = [[ep(1), ep(2)]];
    const p = plan(slices, [
      [1, undefined],
      [2, undefined],
    ]);
    expect(p.deletes).toEqual([]);
    expect(p.updates.get(0)).toEqual([]);
  });

  it('TestReconcileEndpointSlicesRecycling (packing part): an emptied slice is reused for a creation', () => {
    const slices = [[ep(1)], [ep(2)]];
    const p = plan(slices, [
      [1, undefined],
      ...desired(range(10, 110)),
    ]);
    expect(p.creates).toEqual([]);
    expect(p.updates.get(0)).toHaveLength(100); // the emptied slice carries the new full slice
    expect(p.deletes).toEqual([]);
  });

  it('unchanged endpoints are not rewritten; a removal updates only its slice', () => {
    const slices = [range(0, 100), range(100, 150)].map((r) => r.map((i) => ep(i)));
    const p = plan(slices, [
      [5, ep(5)], // same as listed: nothing to write
      [120, undefined],
    ]);
    expect([...p.updates.keys()]).toEqual([1]);
    expect(p.updates.get(1)!.map((e) => e.pod)).not.toContain(120);
    expect(p.creates.length + p.deletes.length).toBe(0);
  });

  it('new endpoints fill the slices being updated first, fullest first', () => {
    const slices = [range(0, 90), range(100, 160), range(200, 299)].map((r) => r.map((i) => ep(i)));
    const p = plan(slices, [
      [0, ep(0, 1)], // slice 0 (90) to update
      [100, ep(100, 1)], // slice 1 (60) to update
      ...desired(range(1000, 1015)),
    ]);
    expect(p.updates.get(0)).toHaveLength(100); // fullest first: 10 go to slice 0
    expect(p.updates.get(1)).toHaveLength(65); // then the other 5
    expect(p.updates.has(2)).toBe(false);
  });
});
