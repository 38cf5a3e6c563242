import { decodeCells, encodeCells } from './cellcodec.js';

/**
 * Per-bucket histogram cells of a time series, stored sparsely: the last WINDOW buckets written are
 * dense (`width` 32-bit counters each), every older bucket keeps only its non-empty cells, as the
 * compact text of cellcodec.ts (~2.5 bytes a cell), one string a bucket.
 *
 * Contract:
 * - Values are what a dense `buckets × width` Uint32Array would hold: `add` and `set` behave the same,
 *   `forEach` visits a bucket's non-empty cells in increasing order.
 * - Requests are counted when they end, in time order, so buckets fill one after another: a bucket is
 *   packed once, when it leaves the window (O(width)). A write to an older bucket (not seen in runs)
 *   unpacks it into a dense row of its own until the next `merge`, so it costs no more than the dense
 *   layout would.
 * - Memory (`bytes()`): WINDOW × `width` counters, 8 bytes per bucket (its slot), and per non-empty
 *   bucket a string of 16 bytes plus its text (a latency spread over ten octaves fills ~200 of 464
 *   cells: ~0.5 KB a bucket instead of 1,856 B dense or 1.2 KB as 6-byte pairs; an idle bucket 8 B).
 * - `texts()` is the packed text of every bucket, what a series' JSON carries (the same strings, not
 *   copies); `setText` stores such a text as a bucket's cells.
 */

/** Buckets kept dense behind the newest one written (requests end up to this many buckets late without a repack). */
const WINDOW = 8;

export class BucketCells {
  /** Dense counters of the window's buckets: bucket b in slot b % WINDOW. */
  private readonly dense: Uint32Array;
  /** The highest bucket written; the window is [top − WINDOW + 1, top]. */
  private top = -1;
  /** Each bucket's packed cells (cellcodec.ts); "" when empty or while the bucket is dense. */
  private packed: string[];
  /** Older buckets written again, dense until the next merge packs them. */
  private readonly late = new Map<number, Uint32Array>();
  private readonly scratch: number[] = [];

  constructor(
    readonly buckets: number,
    readonly width: number,
  ) {
    if (width > 0xffff) throw new RangeError(`at most 65,535 cells per bucket, got ${width}`);
    this.dense = new Uint32Array(WINDOW * width);
    this.packed = new Array<string>(buckets).fill('');
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
    const text = this.packed[b];
    if (text) decodeCells(text, this.width, fn);
  }

  /** Every bucket's cells as cellcodec.ts text (packs the window and late rows first). */
  texts(): string[] {
    this.flush();
    return this.packed.slice();
  }

  /** Replaces bucket b's cells by those of `text` (cellcodec.ts; throws a RangeError for bad text). */
  setText(b: number, text: string): void {
    if (!(b >= 0 && b < this.buckets)) throw new RangeError(`bucket ${b} is outside 0 … ${this.buckets - 1}`);
    decodeCells(text, this.width, () => {}); // validates
    this.flush();
    this.packed[b] = text;
  }

  /** Adds every cell of `other` (same shape) into this; throws a RangeError past 2^32 − 1 per cell. */
  merge(other: BucketCells): void {
    if (other.buckets !== this.buckets || other.width !== this.width) throw new RangeError('cannot merge cells of another shape');
    this.flush();
    const row = this.dense.subarray(0, this.width); // scratch: the window is empty after flush
    const addOther = (c: number, n: number): void => {
      const sum = row[c]! + n;
      if (sum > 0xffffffff) throw new RangeError('latency cell count overflow while merging time series');
      row[c] = sum;
    };
    for (let b = 0; b < this.buckets; b++) {
      const text = this.packed[b]!;
      if (text) decodeCells(text, this.width, (c, n) => (row[c] = n));
      other.forEach(b, addOther);
      this.packRow(b, row);
    }
  }

  /** Storage elements held, in 32-bit words (counters, and the packed text at 4 characters a word), for memory accounting. */
  footprint(): number {
    return Math.ceil(this.bytes() / 4);
  }

  /**
   * Bytes held, counted from the structure: 4 per dense counter (window and late rows), 8 per bucket
   * (its slot in the array of texts) and, per non-empty packed bucket, a V8 one-byte string: 16 bytes
   * of header and its characters rounded up to 8.
   */
  bytes(): number {
    let n = 4 * (this.dense.length + this.late.size * this.width) + 8 * this.buckets;
    for (const t of this.packed) if (t.length > 0) n += 16 + 8 * Math.ceil(t.length / 8);
    return n;
  }

  /** A write outside the window: move the window up to b, or write an older bucket's dense row. */
  private write(b: number, c: number, n: number, add: boolean): void {
    if (b > this.top) {
      // buckets leaving the window are packed; those entering it bring any packed cells along
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

  /** Moves bucket b's packed cells into `row` (all zero before). */
  private unpack(b: number, row: Uint32Array): void {
    const text = this.packed[b]!;
    if (text) decodeCells(text, this.width, (c, n) => (row[c] = n));
    this.packed[b] = '';
  }

  /** Stores `row`'s non-empty cells as bucket b's text and zeroes `row`. */
  private packRow(b: number, row: Uint32Array): void {
    this.packed[b] = encodeCells((fn) => {
      for (let i = 0; i < row.length; i++) {
        if (row[i] === 0) continue;
        fn(i, row[i]!);
        row[i] = 0;
      }
    }, this.scratch);
  }
}
