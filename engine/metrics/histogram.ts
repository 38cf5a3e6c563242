// The package's index also loads its log writer, which builds an Intl.NumberFormat at import time
// (about a tenth of a second of start-up): import only the builder and the encoding.
import type { JsHistogram } from 'hdr-histogram-js';
import { build } from 'hdr-histogram-js/dist/HistogramBuilder.js';
import { decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js/dist/encoding.js';

/** Recorded values are integer microseconds in [1 µs, 1 h]. */
const MICROS = 1e6;
/** Highest trackable value: 1 hour in microseconds. Larger values are recorded as this. */
export const HISTOGRAM_MAX_MICROS = 3_600_000_000;
const SIGNIFICANT_DIGITS = 3;
/** 64-bit (float) counters: exact up to 2^53 per cell, so merged sweeps cannot overflow. */
const BIT_BUCKET_SIZE = 64;

function create(): JsHistogram {
  return build({
    bitBucketSize: BIT_BUCKET_SIZE,
    autoResize: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HISTOGRAM_MAX_MICROS,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    useWebAssembly: false,
  }) as JsHistogram;
}

/*
 * HDR's cell layout for this histogram (lowestDiscernibleValue 1 → unitMagnitude 0; 3 significant
 * digits → sub-buckets of 2^11 = 2048, half 1024), as hdr-histogram-js computes it in
 * countsArrayIndex: bucket = leadingZeroCountBase (53) − clz64(v | subBucketMask), sub = v >> bucket,
 * index = (bucket + 1) << 10 + sub − 1024. Values stay below 2^32, so clz64 = 32 + clz32.
 */
const SUB_HALF_MAGNITUDE = 10;
const SUB_HALF = 1 << SUB_HALF_MAGNITUDE;
const SUB_MASK = 2 * SUB_HALF - 1;

/** HDR counts index of integer microseconds `us` (1 ≤ us ≤ HISTOGRAM_MAX_MICROS): exact, shifts only. */
export function hdrIndex(us: number): number {
  const bucket = 21 - Math.clz32(us | SUB_MASK);
  return ((bucket + 1) << SUB_HALF_MAGNITUDE) + (us >>> bucket) - SUB_HALF;
}

/** The lowest value of HDR cell `index` (a value that records into that same cell). */
export function hdrLowestValue(index: number): number {
  let bucket = (index >> SUB_HALF_MAGNITUDE) - 1;
  let sub = (index & (SUB_HALF - 1)) + SUB_HALF;
  if (bucket < 0) {
    sub -= SUB_HALF;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

/**
 * Σ count × (lowest value + ⌊width / 2⌋) over the cells in index order: hdr-histogram-js's `mean`
 * numerator (each cell at its median-equivalent value, summed in the same order, so the same double),
 * without its iterator objects.
 */
function cellMidpointSum(h: JsHistogram): number {
  let sum = 0;
  for (let i = 0, n = h.countsArrayLength; i < n; i++) {
    const c = h.getCountAtIndex(i);
    if (c !== 0) sum += (hdrLowestValue(i) + Math.floor(2 ** Math.max(0, (i >> SUB_HALF_MAGNITUDE) - 1) / 2)) * c;
  }
  return sum;
}

/**
 * A latency histogram over hdr-histogram-js (the pure-JS implementation: no WebAssembly, no async init,
 * usable in worker threads).
 *
 * Contract:
 * - `record(seconds)` is O(1). Values are rounded to whole microseconds, values below 1 µs record as
 *   1 µs, values above 1 h (or +Infinity) record as 1 h and are counted; `saturated` tells how many sit
 *   in the top cell. Negative or NaN values throw a RangeError.
 * - 3 significant digits: every statistic is within 0.1% of the exact value.
 * - Memory is fixed: 23,552 counters of 8 bytes (≈184 KiB), whatever the number of records.
 * - Every statistic is computed from the counters alone (min is the lowest value of the smallest
 *   cell, max the highest value of the largest cell, like HDR's p(0) and p(100)), so a histogram
 *   and its `decode(encode())` copy, or a merge of parts and a recording of the whole, answer alike.
 * - `encode()` is HDR's V2 compressed base64 encoding: deterministic (same records → same string).
 * - Speed: `record` counts into a plain array by the exact HDR index (`hdrIndex`, shifts only) and
 *   the counts reach the HDR histogram in one pass before anything reads it — the same cells, so
 *   every statistic and the encoding are those of recording each value into hdr-histogram-js.
 */
export class LatencyHistogram {
  private readonly h: JsHistogram = create();
  private pending: Float64Array | undefined;
  private pendingCount = 0;
  /** `mean` until the next change: hdr-histogram-js walks every cell for it (~20 ms when full). */
  private meanMemo: number | null | undefined;

  /** Records `count` (default 1) latencies of `seconds` each. */
  record(seconds: number, count = 1): void {
    if (!(seconds >= 0)) throw new RangeError(`latency must be a non-negative number of seconds, got ${seconds}`);
    this.recordMicros(Math.round(seconds * MICROS), count);
  }

  /** Records `count` latencies of `us` microseconds (an integer; clamped to [1, 1 h]), without checks. */
  recordMicros(us: number, count = 1): void {
    if (us < 1) us = 1;
    else if (!(us <= HISTOGRAM_MAX_MICROS)) us = HISTOGRAM_MAX_MICROS;
    const pending = (this.pending ??= new Float64Array(this.h.countsArrayLength));
    pending[hdrIndex(us)]! += count;
    this.pendingCount += count;
    this.meanMemo = undefined;
  }

  /** Moves the pending counts into the HDR histogram (before any read). */
  private get hdr(): JsHistogram {
    if (this.pendingCount > 0) {
      const pending = this.pending!;
      for (let i = 0; i < pending.length; i++) {
        const c = pending[i]!;
        if (c !== 0) {
          this.h.recordValueWithCount(hdrLowestValue(i), c);
          pending[i] = 0;
        }
      }
      this.pendingCount = 0;
    }
    return this.h;
  }

  /** Number of recorded values. */
  get count(): number {
    return this.hdr.totalCount;
  }

  /** Values recorded in the top cell (≥ 1 h within 0.1%, which includes every clamped value). */
  get saturated(): number {
    return this.hdr.getCountAtIndex(this.hdr.countsArrayIndex(HISTOGRAM_MAX_MICROS));
  }

  /** Mean in seconds (cell midpoints), or null when empty. */
  get mean(): number | null {
    return (this.meanMemo ??= this.hdr.totalCount === 0 ? null : cellMidpointSum(this.hdr) / this.hdr.totalCount / MICROS);
  }

  /** Smallest value in seconds (lowest value of its cell), or null when empty. */
  get min(): number | null {
    return this.hdr.totalCount === 0 ? null : this.hdr.lowestEquivalentValue(this.hdr.minNonZeroValue) / MICROS;
  }

  /** Largest value in seconds (highest value of its cell, equal to percentile(100)), or null when empty. */
  get max(): number | null {
    return this.hdr.totalCount === 0 ? null : this.hdr.highestEquivalentValue(this.hdr.maxValue) / MICROS;
  }

  /**
   * The value in seconds that p percent of the records are at or below (0 ≤ p ≤ 100; p = 0 is the min),
   * reported as the highest value of its cell. Null when empty.
   */
  percentile(p: number): number | null {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within [0, 100], got ${p}`);
    if (this.hdr.totalCount === 0) return null;
    if (p === 0) return this.min;
    return this.hdr.getValueAtPercentile(p) / MICROS;
  }

  /** Adds every record of `other` into this histogram. */
  merge(other: LatencyHistogram): this {
    this.hdr.add(other.hdr);
    this.meanMemo = undefined;
    return this;
  }

  /** A deep copy. */
  clone(): LatencyHistogram {
    return new LatencyHistogram().merge(this);
  }

  /** Forgets every record. */
  reset(): void {
    this.hdr.reset();
    this.meanMemo = undefined;
  }

  /** Number of counters (fixed; for memory checks). */
  get cells(): number {
    return this.hdr.countsArrayLength;
  }

  /** HDR V2 compressed base64 (`HISTF…`): compact, deterministic, readable by any HdrHistogram. */
  encode(): string {
    return encodeIntoCompressedBase64(this.hdr);
  }

  /**
   * Decodes `encode()` output. Throws a RangeError if the text is not an HDR V2 compressed histogram
   * with this layout (1 µs … 1 h, 3 significant digits).
   */
  static decode(text: string): LatencyHistogram {
    let h: JsHistogram;
    try {
      h = decodeFromCompressedBase64(text, BIT_BUCKET_SIZE, false) as JsHistogram;
    } catch (e) {
      throw new RangeError(`not an encoded latency histogram: ${(e as Error).message}`);
    }
    if (
      h.numberOfSignificantValueDigits !== SIGNIFICANT_DIGITS ||
      h.lowestDiscernibleValue !== 1 ||
      h.highestTrackableValue !== HISTOGRAM_MAX_MICROS
    ) {
      throw new RangeError(
        `encoded histogram has layout ${h.lowestDiscernibleValue}…${h.highestTrackableValue} µs with ` +
          `${h.numberOfSignificantValueDigits} digits; expected 1…${HISTOGRAM_MAX_MICROS} µs with 3 digits`,
      );
    }
    const out = new LatencyHistogram();
    out.h.add(h);
    return out;
  }
}
