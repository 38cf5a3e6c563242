import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type JsHistogram,
} from 'hdr-histogram-js';

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
 */
export class LatencyHistogram {
  private readonly h: JsHistogram = create();

  /** Records `count` (default 1) latencies of `seconds` each. */
  record(seconds: number, count = 1): void {
    if (!(seconds >= 0)) throw new RangeError(`latency must be a non-negative number of seconds, got ${seconds}`);
    let us = Math.round(seconds * MICROS);
    if (us < 1) us = 1;
    else if (!(us <= HISTOGRAM_MAX_MICROS)) us = HISTOGRAM_MAX_MICROS;
    if (count === 1) this.h.recordValue(us);
    else this.h.recordValueWithCount(us, count);
  }

  /** Number of recorded values. */
  get count(): number {
    return this.h.totalCount;
  }

  /** Values recorded in the top cell (≥ 1 h within 0.1%, which includes every clamped value). */
  get saturated(): number {
    return this.h.getCountAtIndex(this.h.countsArrayIndex(HISTOGRAM_MAX_MICROS));
  }

  /** Mean in seconds (cell midpoints), or null when empty. */
  get mean(): number | null {
    return this.h.totalCount === 0 ? null : this.h.mean / MICROS;
  }

  /** Smallest value in seconds (lowest value of its cell), or null when empty. */
  get min(): number | null {
    return this.h.totalCount === 0 ? null : this.h.lowestEquivalentValue(this.h.minNonZeroValue) / MICROS;
  }

  /** Largest value in seconds (highest value of its cell, equal to percentile(100)), or null when empty. */
  get max(): number | null {
    return this.h.totalCount === 0 ? null : this.h.highestEquivalentValue(this.h.maxValue) / MICROS;
  }

  /**
   * The value in seconds that p percent of the records are at or below (0 ≤ p ≤ 100; p = 0 is the min),
   * reported as the highest value of its cell. Null when empty.
   */
  percentile(p: number): number | null {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within [0, 100], got ${p}`);
    if (this.h.totalCount === 0) return null;
    if (p === 0) return this.min;
    return this.h.getValueAtPercentile(p) / MICROS;
  }

  /** Adds every record of `other` into this histogram. */
  merge(other: LatencyHistogram): this {
    this.h.add(other.h);
    return this;
  }

  /** A deep copy. */
  clone(): LatencyHistogram {
    return new LatencyHistogram().merge(this);
  }

  /** Forgets every record. */
  reset(): void {
    this.h.reset();
  }

  /** Number of counters (fixed; for memory checks). */
  get cells(): number {
    return this.h.countsArrayLength;
  }

  /** HDR V2 compressed base64 (`HISTF…`): compact, deterministic, readable by any HdrHistogram. */
  encode(): string {
    return encodeIntoCompressedBase64(this.h);
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
