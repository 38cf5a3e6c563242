import { cellText, decodeCellBytes, encodeCellBytes, MAX_CODEC_WIDTH, MAX_PAIR_BYTES, textBytes } from './cellcodec.js';

/**
 * Per-bucket histogram cells of a time series, stored sparsely: the last WINDOW buckets written are
 * dense (`width` 32-bit counters each), every older bucket keeps only its non-empty cells, in the
 * compact bytes of cellcodec.ts (~2.5 bytes a cell), appended to byte chunks that are never copied.
 *
 * Contract:
 * - Values are what a dense `buckets × width` Uint32Array would hold: `add` and `set` behave the same,
 *   `forEach` visits a bucket's non-empty cells in increasing order.
 * - Requests are counted when they end, in time order, so buckets fill one after another: a bucket is
 *   packed once, when it leaves the window (O(width)). A write to an older bucket (not seen in runs)
 *   unpacks it into a dense row of its own until the next `merge`, so it costs no more than the dense
 *   layout would.
 * - Memory (`bytes()`): WINDOW × `width` counters, 10 bytes per bucket (where its bytes are), and the
 *   chunks (a latency spread over ten octaves fills ~200 of 464 cells: ~0.5 KB a bucket instead of
 *   1,856 B dense or 1.2 KB as 6-byte pairs). The chunks are ArrayBuffers outside the JS heap: a
 *   long run's buckets are not objects the young generation copies and promotes (strings were, and
 *   their survival made V8 double its young generation, +16 MB of RSS, past ~1.5 simulated hours).
 * - `texts()` is every bucket's cells as cellcodec.ts text (what a series' JSON carries), `snapshot()`
 *   the same made later; `setText` stores such a text as a bucket's cells.
 */

/** Buckets kept dense behind the newest one written (requests end up to this many buckets late without a repack). */
const WINDOW = 8;
/** Largest byte chunk; chunks double from the size of one full bucket up to this. */
const MAX_CHUNK = 1 << 18;

export class BucketCells {
  /** Dense counters of the window's buckets: bucket b in slot b % WINDOW. */
  private readonly dense: Uint32Array;
  /** The highest bucket written; the window is [top − WINDOW + 1, top]. */
  private top = -1;
  /** Where each packed bucket's bytes are: chunk, offset in it, length (0: empty or dense now). */
  private chunkOf: Uint16Array;
  private offset: Int32Array;
  private len: Int32Array;
  private chunks: Uint8Array[] = [];
  /** Bytes used in the last chunk. */
  private used = 0;
  /** Older buckets written again, dense until the next merge packs them. */
  private readonly late = new Map<number, Uint32Array>();
  /** One bucket's bytes at most (encoding scratch). */
  private readonly scratch: Uint8Array;

  constructor(
    readonly buckets: number,
    readonly width: number,
  ) {
    if (!(width >= 1 && width <= MAX_CODEC_WIDTH)) throw new RangeError(`1 … ${MAX_CODEC_WIDTH} cells per bucket, got ${width}`);
    this.dense = new Uint32Array(WINDOW * width);
    this.chunkOf = new Uint16Array(buckets);
    this.offset = new Int32Array(buckets);
    this.len = new Int32Array(buckets);
    this.scratch = new Uint8Array(MAX_PAIR_BYTES * width);
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
    const n = this.len[b]!;
    if (n > 0) decodeCellBytes(this.chunks[this.chunkOf[b]!]!, this.offset[b]!, this.offset[b]! + n, this.width, fn);
  }

  /** Every bucket's cells as cellcodec.ts text (packs the window and late rows first). */
  texts(): string[] {
    return this.snapshot()();
  }

  /**
   * The cells as they are now, as a function that makes `texts()` when called: packs the window and
   * late rows, then keeps copies of the 10-byte-a-bucket index and the chunks, which are only ever
   * appended to — later writes and merges do not change what it returns.
   */
  snapshot(): () => string[] {
    this.flush();
    const chunkOf = this.chunkOf.slice(), offset = this.offset.slice(), len = this.len.slice(), chunks = this.chunks.slice();
    const none = new Uint8Array(0);
    return () => {
      const out = new Array<string>(len.length);
      for (let b = 0; b < len.length; b++) out[b] = cellText(chunks[chunkOf[b]!] ?? none, offset[b]!, offset[b]! + len[b]!);
      return out;
    };
  }

  /** Replaces bucket b's cells by those of `text` (cellcodec.ts; throws a RangeError for bad text). */
  setText(b: number, text: string): void {
    if (!(Number.isInteger(b) && b >= 0 && b < this.buckets)) throw new RangeError(`bucket ${b} is outside 0 … ${this.buckets - 1}`);
    if (text.length > this.scratch.length) throw new RangeError(`latency cells: ${text.length} characters, more than ${this.width} cells take`);
    const bytes = textBytes(text, this.scratch);
    decodeCellBytes(bytes, 0, text.length, this.width, () => {}); // validates
    this.flush();
    this.store(b, bytes, text.length);
  }

  /** Adds every cell of `other` (same shape) into this; throws a RangeError past 2^32 − 1 per cell. */
  merge(other: BucketCells): void {
    if (other.buckets !== this.buckets || other.width !== this.width) throw new RangeError('cannot merge cells of another shape');
    this.flush();
    const mine = { chunkOf: this.chunkOf, offset: this.offset, len: this.len, chunks: this.chunks };
    this.chunkOf = new Uint16Array(this.buckets);
    this.offset = new Int32Array(this.buckets);
    this.len = new Int32Array(this.buckets);
    this.chunks = [];
    this.used = 0;
    const row = this.dense.subarray(0, this.width); // scratch: the window is empty after flush
    const setMine = (c: number, n: number): void => void (row[c] = n);
    const addOther = (c: number, n: number): void => {
      const sum = row[c]! + n;
      if (sum > 0xffffffff) throw new RangeError('latency cell count overflow while merging time series');
      row[c] = sum;
    };
    for (let b = 0; b < this.buckets; b++) {
      const n = mine.len[b]!;
      if (n > 0) decodeCellBytes(mine.chunks[mine.chunkOf[b]!]!, mine.offset[b]!, mine.offset[b]! + n, this.width, setMine);
      other.forEach(b, addOther);
      this.packRow(b, row);
    }
  }

  /** Storage elements held, in 32-bit words (`bytes()` / 4, rounded up), for memory accounting. */
  footprint(): number {
    return Math.ceil(this.bytes() / 4);
  }

  /**
   * Bytes held, counted from the structure: 4 per dense counter (window and late rows), 10 per bucket
   * (chunk, offset, length), the encoding scratch (one full bucket) and every byte chunk allocated.
   */
  bytes(): number {
    let n = 4 * (this.dense.length + this.late.size * this.width) + 10 * this.buckets + this.scratch.length;
    for (const c of this.chunks) n += c.length;
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

  /** Moves bucket b's packed cells into `row` (all zero before); their bytes stay unused until a merge. */
  private unpack(b: number, row: Uint32Array): void {
    const n = this.len[b]!;
    if (n > 0) decodeCellBytes(this.chunks[this.chunkOf[b]!]!, this.offset[b]!, this.offset[b]! + n, this.width, (c, k) => (row[c] = k));
    this.len[b] = 0;
  }

  /** Stores `row`'s non-empty cells as bucket b's bytes and zeroes `row`. */
  private packRow(b: number, row: Uint32Array): void {
    const n = encodeCellBytes((fn) => {
      for (let i = 0; i < row.length; i++) {
        if (row[i] === 0) continue;
        fn(i, row[i]!);
        row[i] = 0;
      }
    }, this.scratch);
    this.store(b, this.scratch, n);
  }

  /** Appends bytes[0…n) as bucket b's cells (a new chunk when the last one is full). */
  private store(b: number, bytes: Uint8Array, n: number): void {
    this.len[b] = n;
    if (n === 0) return;
    let last = this.chunks[this.chunks.length - 1];
    if (last === undefined || this.used + n > last.length) {
      const size = last === undefined ? this.scratch.length : Math.min(MAX_CHUNK, Math.max(2 * last.length, this.scratch.length));
      if (this.chunks.length > 0xffff) throw new RangeError('time series latency cells: too many chunks');
      last = new Uint8Array(size);
      this.chunks.push(last);
      this.used = 0;
    }
    last.set(bytes.subarray(0, n), this.used);
    this.chunkOf[b] = this.chunks.length - 1;
    this.offset[b] = this.used;
    this.used += n;
  }
}
