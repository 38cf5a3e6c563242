/**
 * Per-bucket histogram cells of a time series, stored sparsely: the last WINDOW buckets written are
 * dense (`width` 32-bit counters each), every older bucket keeps only its non-empty cells, as
 * (cell, count) pairs in increasing cell order, in one store shared by all buckets.
 *
 * Contract:
 * - Values are what a dense `buckets × width` Uint32Array would hold: `add` and `set` behave the same,
 *   `forEach` visits a bucket's non-empty cells in increasing order.
 * - Requests are counted when they end, in time order, so buckets fill one after another: a bucket is
 *   packed once, when it leaves the window (O(width)). A write to an older bucket (not seen in runs)
 *   unpacks it into a dense row of its own until the next `merge`, so it costs no more than the dense
 *   layout would.
 * - Memory: WINDOW × `width` counters, 6 bytes per bucket, and 6 bytes per non-empty cell (a latency
 *   spread over ten octaves fills ~160 of 464 cells: ~1 KB a bucket instead of 1,856 B; an idle
 *   bucket 6 B).
 */

/** Buckets kept dense behind the newest one written (requests end up to this many buckets late without a repack). */
const WINDOW = 8;

export class BucketCells {
  /** Dense counters of the window's buckets: bucket b in slot b % WINDOW. */
  private readonly dense: Uint32Array;
  /** The highest bucket written; the window is [top − WINDOW + 1, top]. */
  private top = -1;
  private start: Int32Array;
  private len: Uint16Array;
  private cell = new Uint16Array(64);
  private count = new Uint32Array(64);
  private used = 0;
  /** Older buckets written again, dense until the next merge packs them. */
  private readonly late = new Map<number, Uint32Array>();

  constructor(
    readonly buckets: number,
    readonly width: number,
  ) {
    if (width > 0xffff) throw new RangeError(`at most 65,535 cells per bucket, got ${width}`);
    this.dense = new Uint32Array(WINDOW * width);
    this.start = new Int32Array(buckets);
    this.len = new Uint16Array(buckets);
  }

  /** Adds n (default 1) to cell c of bucket b. */
  add(b: number, c: number, n = 1): void {
    if (b > this.top - WINDOW && b <= this.top) this.dense[(b % WINDOW) * this.width + c]! += n;
    else this.write(b, c, n, true);
  }

  /** Sets cell c of bucket b to n. */
  set(b: number, c: number, n: number): void {
    if (b > this.top - WINDOW && b <= this.top) this.dense[(b % WINDOW) * this.width + c] = n;
    else this.write(b, c, n, false);
  }

  /** Calls fn(cell, count) for each non-empty cell of bucket b, in increasing cell order. */
  forEach(b: number, fn: (cell: number, count: number) => void): void {
    if (b > this.top - WINDOW && b <= this.top) {
      const base = (b % WINDOW) * this.width, d = this.dense;
      for (let i = 0; i < this.width; i++) if (d[base + i] !== 0) fn(i, d[base + i]!);
      return;
    }
    const row = this.late.get(b);
    if (row !== undefined) {
      for (let i = 0; i < this.width; i++) if (row[i] !== 0) fn(i, row[i]!);
      return;
    }
    const s = this.start[b]!, e = s + this.len[b]!;
    for (let j = s; j < e; j++) fn(this.cell[j]!, this.count[j]!);
  }

  /** Adds every cell of `other` (same shape) into this; throws a RangeError past 2^32 − 1 per cell. */
  merge(other: BucketCells): void {
    if (other.buckets !== this.buckets || other.width !== this.width) throw new RangeError('cannot merge cells of another shape');
    this.flush();
    const mine = { start: this.start, len: this.len, cell: this.cell, count: this.count };
    this.start = new Int32Array(this.buckets);
    this.len = new Uint16Array(this.buckets);
    this.cell = new Uint16Array(Math.max(64, this.used));
    this.count = new Uint32Array(this.cell.length);
    this.used = 0;
    const row = this.dense.subarray(0, this.width); // scratch: the window is empty after flush
    const addOther = (c: number, n: number): void => {
      const sum = row[c]! + n;
      if (sum > 0xffffffff) throw new RangeError('latency cell count overflow while merging time series');
      row[c] = sum;
    };
    for (let b = 0; b < this.buckets; b++) {
      const s = mine.start[b]!, e = s + mine.len[b]!;
      for (let j = s; j < e; j++) row[mine.cell[j]!] = mine.count[j]!;
      other.forEach(b, addOther);
      this.packRow(b, row);
    }
  }

  /** Storage elements held (counters and pairs), for memory accounting. */
  footprint(): number {
    return this.dense.length + 2 * this.buckets + 2 * this.cell.length + this.late.size * this.width;
  }

  /** A write outside the window: move the window up to b, or write an older bucket's dense row. */
  private write(b: number, c: number, n: number, add: boolean): void {
    if (b > this.top) {
      // buckets leaving the window are packed; those entering it bring any stored pairs along
      const top = this.top;
      for (let e = Math.max(0, top - WINDOW + 1); e <= Math.min(top, b - WINDOW); e++) this.packRow(e, this.slot(e));
      for (let e = Math.max(top + 1, b - WINDOW + 1); e <= b; e++) this.unpack(e, this.slot(e));
      this.top = b;
      if (add) this.dense[(b % WINDOW) * this.width + c]! += n;
      else this.dense[(b % WINDOW) * this.width + c] = n;
      return;
    }
    let row = this.late.get(b);
    if (row === undefined) {
      row = new Uint32Array(this.width);
      this.unpack(b, row);
      this.late.set(b, row);
    }
    if (add) row[c]! += n;
    else row[c] = n;
  }

  /** Packs every bucket of the window and every late row; both are empty afterwards. */
  private flush(): void {
    for (let e = Math.max(0, this.top - WINDOW + 1); e <= this.top; e++) this.packRow(e, this.slot(e));
    this.top = -1;
    for (const [b, row] of this.late) this.packRow(b, row);
    this.late.clear();
  }

  private slot(b: number): Uint32Array {
    const base = (b % WINDOW) * this.width;
    return this.dense.subarray(base, base + this.width);
  }

  /** Moves bucket b's stored pairs into `row` (all zero before). */
  private unpack(b: number, row: Uint32Array): void {
    const s = this.start[b]!, e = s + this.len[b]!;
    for (let j = s; j < e; j++) row[this.cell[j]!] = this.count[j]!;
    this.len[b] = 0;
  }

  /** Stores `row`'s non-empty cells as bucket b's pairs (at the end of the store) and zeroes `row`. */
  private packRow(b: number, row: Uint32Array): void {
    let k = 0;
    for (let i = 0; i < row.length; i++) if (row[i] !== 0) k++;
    this.reserve(this.used + k);
    this.start[b] = this.used;
    this.len[b] = k;
    for (let i = 0; i < row.length; i++) {
      if (row[i] === 0) continue;
      this.cell[this.used] = i;
      this.count[this.used] = row[i]!;
      this.used++;
      row[i] = 0;
    }
  }

  private reserve(n: number): void {
    if (n <= this.cell.length) return;
    let cap = this.cell.length * 2;
    while (cap < n) cap *= 2;
    const cell = new Uint16Array(cap), count = new Uint32Array(cap);
    cell.set(this.cell.subarray(0, this.used));
    count.set(this.count.subarray(0, this.used));
    this.cell = cell;
    this.count = count;
  }
}
