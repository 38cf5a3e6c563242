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

  it('stores only non-empty cells: idle buckets cost 10 bytes, filled ones their bytes', () => {
    const cells = new BucketCells(10_000, 464);
    for (let b = 0; b < 10_000; b++) if (b % 100 === 0) for (let c = 0; c < 160; c++) cells.add(b, c);
    cells.add(9_999, 0); // packs bucket 9,900
    // the dense window, 10 B a bucket, one bucket of scratch, and 100 × 160 cells × 2 bytes (step 1,
    // count 1) in chunks that double from one full bucket (4,176 B): 4.64 M counters (18.6 MB) dense
    const fixed = 4 * 8 * 464 + 10 * 10_000 + 9 * 464;
    expect(cells.bytes()).toBeGreaterThanOrEqual(fixed + 100 * 320);
    expect(cells.bytes()).toBeLessThanOrEqual(fixed + 2 * 100 * 320 + 9 * 464);
    expect(cells.footprint()).toBe(Math.ceil(cells.bytes() / 4));
  });

  it('holds a long series of full buckets in ~2.5 bytes a cell: chunks are appended, never copied or doubled past 256 KB', () => {
    const n = 3_600; // an hour of 1 s buckets, ~200 cells each, counts up to ~500 (the bench model)
    const cells = new BucketCells(n, 464);
    let used = 0, pairs = 0;
    for (let b = 0; b < n; b++) {
      for (let c = 20; c < 420; c += 2) cells.add(b, c, 1 + ((b * 7 + c * 13) % 500));
    }
    const texts = cells.texts();
    for (const t of texts) used += t.length;
    for (let b = 0; b < n; b++) cells.forEach(b, () => pairs++);
    expect(pairs).toBe(n * 200);
    expect(used / pairs).toBeLessThan(3);
    const fixed = 4 * 8 * 464 + 10 * n + 9 * 464;
    // allocated chunks: what is used, plus at most one 256 KB chunk and the end of each chunk a bucket did not fit
    expect(cells.bytes() - fixed).toBeLessThanOrEqual(used + (1 << 18) + 2_000);
    // per bucket: ~0.6 KB (the 6-byte pairs in doubling arrays were 1.2–2.4 KB, dense 1,856 B)
    expect(cells.bytes() / n).toBeLessThan(700);
  });

  it('refuses widths its codec cannot hold and merges that overflow', () => {
    expect(() => new BucketCells(1, 1024)).toThrow(RangeError);
    expect(() => new BucketCells(2, 3).merge(new BucketCells(3, 3))).toThrow(RangeError);
    const big = new BucketCells(1, 1), more = new BucketCells(1, 1);
    big.set(0, 0, 0xffffffff);
    more.add(0, 0);
    expect(() => big.merge(more)).toThrow(/overflow/);
  });
});
