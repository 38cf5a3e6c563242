import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BucketCells } from '../../../engine/metrics/bucketcells.js';

/** The dense reference: what a buckets × width Uint32Array holds after the same operations. */
function dense(cells: BucketCells): number[][] {
  return Array.from({ length: cells.buckets }, (_, b) => {
    const row = new Array<number>(cells.width).fill(0);
    let last = -1;
    cells.forEach(b, (c, n) => {
      expect(c).toBeGreaterThan(last); // increasing cell order, each cell once
      expect(n).toBeGreaterThan(0);
      last = c;
      row[c] = n;
    });
    return row;
  });
}

const op = (buckets: number, width: number) =>
  fc.record({ b: fc.nat(buckets - 1), c: fc.nat(width - 1), n: fc.integer({ min: 1, max: 1000 }), set: fc.boolean() });

describe('BucketCells', () => {
  it('holds what a dense array holds, for adds and sets in any bucket order', () => {
    fc.assert(
      fc.property(fc.array(op(6, 20), { maxLength: 300 }), fc.boolean(), (ops, ordered) => {
        const xs = ordered ? [...ops].sort((x, y) => x.b - y.b) : ops;
        const cells = new BucketCells(6, 20);
        const ref = Array.from({ length: 6 }, () => new Array<number>(20).fill(0));
        for (const { b, c, n, set } of xs) {
          if (set) {
            cells.set(b, c, n);
            ref[b]![c] = n;
          } else {
            cells.add(b, c, n);
            ref[b]![c]! += n;
          }
        }
        expect(dense(cells)).toEqual(ref);
      }),
      { numRuns: 300 },
    );
  });

  it('merges like adding the dense arrays', () => {
    fc.assert(
      fc.property(fc.array(op(5, 12), { maxLength: 120 }), fc.array(op(5, 12), { maxLength: 120 }), (as, bs) => {
        const a = new BucketCells(5, 12), b = new BucketCells(5, 12);
        for (const o of as) a.add(o.b, o.c, o.n);
        for (const o of bs) b.add(o.b, o.c, o.n);
        const want = dense(a).map((row, i) => row.map((x, j) => x + dense(b)[i]![j]!));
        a.merge(b);
        expect(dense(a)).toEqual(want);
        a.add(4, 11); // still writable after a merge
        want[4]![11]!++;
        expect(dense(a)).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });

  it('stores only non-empty cells: idle buckets cost 8 bytes, filled ones their text', () => {
    const cells = new BucketCells(10_000, 464);
    for (let b = 0; b < 10_000; b++) if (b % 100 === 0) for (let c = 0; c < 160; c++) cells.add(b, c);
    cells.add(9_999, 0); // packs bucket 9,900
    // the dense window, a slot per bucket, and 100 texts of 160 cells × 2 characters (step 1, count 1)
    // with a 16 B header: 128 KB instead of 4.64 M counters (18.6 MB) dense or 16,000 6-byte pairs
    expect(cells.bytes()).toBe(4 * 8 * 464 + 8 * 10_000 + 100 * (16 + 320));
    expect(cells.footprint()).toBe(cells.bytes() / 4);
    expect(() => new BucketCells(2, 3).merge(new BucketCells(3, 3))).toThrow(RangeError);
    const big = new BucketCells(1, 1), more = new BucketCells(1, 1);
    big.set(0, 0, 0xffffffff);
    more.add(0, 0);
    expect(() => big.merge(more)).toThrow(/overflow/);
  });
});
