import { BucketCells } from './bucketcells.js';
import { OUTCOME_COUNT, OUTCOMES, type Outcome } from './outcomes.js';

/**
 * Per-bucket latency cells: a small log-linear histogram over integer microseconds, 1 µs … 1 h.
 * Values 0–31 µs have a cell each; above, every power-of-two octave is split into 16 equal cells, so
 * a cell is at most 1/16 of its values wide and its midpoint is within ±3.2% of any value in it.
 * Octaves up to 2^32 µs give 16 + 28 × 16 = 464 cells, stored sparsely (bucketcells.ts).
 */
export const SERIES_LATENCY_CELLS = 464;
const SUB = 16; // cells per octave
const LINEAR = 2 * SUB; // values below this have a cell each
const MAX_MICROS = 3_600_000_000;
/** Upper bound on the number of buckets a series may preallocate. */
export const MAX_SERIES_BUCKETS = 100_000;
/** Times within this relative distance of a bucket boundary count as on it. */
const BOUNDARY_EPSILON = 1e-9;
/** The per-bucket latency percentiles of the JSON, ascending. */
const PERCENTILES = [50, 90, 99] as const;

/** Cell index of a latency in seconds (clamped to [1 µs, 1 h]). */
export function cellOf(seconds: number): number {
  return cellOfMicros(Math.round(seconds * 1e6));
}

/** Cell index of a latency in integer microseconds (clamped to [1 µs, 1 h]). */
export function cellOfMicros(us: number): number {
  if (!(us >= 1)) us = 1;
  else if (us > MAX_MICROS) us = MAX_MICROS;
  if (us < LINEAR) return us;
  const b = 27 - Math.clz32(us); // 31 − clz − 4: us / 2^b lies in [16, 32)
  return (b << 4) + (us >>> b); // b·SUB + ⌊us / 2^b⌋, exact for us < 2^32
}

/** Midpoint in seconds of the integer microseconds a cell holds. */
function cellMidpoint(cell: number): number {
  if (cell < LINEAR) return cell / 1e6;
  const b = Math.floor(cell / SUB) - 1;
  const width = 2 ** b;
  const low = (cell - b * SUB) * width;
  return (low + (width - 1) / 2) / 1e6;
}

/** Options of a time series. */
export interface TimeSeriesOptions {
  /** Run length in seconds; the series holds ceil(duration / interval) buckets (at least 1). */
  duration: number;
  /** Bucket width in seconds. Default 1. */
  interval?: number;
}

/** A time series as plain JSON. Gauge values are sums over the `runs` merged series. */
export interface TimeSeriesJSON {
  /** Bucket width in seconds; bucket i covers [i·interval, (i+1)·interval). */
  interval: number;
  /** Number of runs merged into this series (1 for a single run). */
  runs: number;
  /** Requests that ended in each bucket. */
  requests: number[];
  /** Per outcome, requests that ended in each bucket with it. Every outcome is a key. */
  outcomes: Record<Outcome, number[]>;
  /** Per-bucket latency percentiles of ok requests in milliseconds (3 decimals); null for an empty bucket. */
  latencyMs: { p50: (number | null)[]; p90: (number | null)[]; p99: (number | null)[] };
  /**
   * Per bucket, the non-empty latency cells (for merging), as compact text (cellcodec.ts: ~2.5 bytes a
   * cell; a list of numbers took 16 bytes a cell and was most of a long run's memory). From
   * `TimeSeries.toJSON` an enumerable getter that makes the texts from the series' bytes each time it
   * is read — JSON.stringify, structured cloning (worker threads) and spreading read it like a field —
   * so a run's result holds no strings that only a merge or a partial file needs.
   */
  latencyCells: string[];
  /** Gauges by name (sorted): the value in force at the end of each bucket, null before the first set. */
  gauges: Record<string, (number | null)[]>;
}

interface Gauge {
  values: Float64Array; // NaN = not set
  last: number; // bucket of the last set, -1 before any
  lastValue: number;
  lastTime: number;
}

/**
 * Fixed-interval time series of one run (or the merge of several runs), preallocated from the duration.
 *
 * Contract:
 * - A request is counted in the bucket of its end time. Bucket i covers [i·interval, (i+1)·interval):
 *   a time exactly on a boundary belongs to the later bucket; times past the end clamp into the last
 *   bucket, negative times into the first.
 * - `request` is O(1) amortised; memory is bounded by the number of buckets, never by requests: per
 *   bucket 8 B (requests) + 7 × 8 B (outcomes) + 10 B + ~2.5 B per non-empty latency cell (at most
 *   464; ~200 at the bench model's load), plus 8 B per gauge (`bytes()` counts it). Latency cells
 *   are 32-bit counters (4.29 billion ok requests per bucket and cell).
 * - `setGauge(name, t, v)` is last-value-carried-forward: each bucket reports the value in force at
 *   its end. Times must not go backwards per gauge (RangeError). Amortised O(1).
 * - `merge` sums counts, cells and gauges of a series with the same interval and length.
 */
export class TimeSeries {
  /** Bucket width in seconds. */
  readonly interval: number;
  /** Number of buckets. */
  readonly length: number;
  private readonly counts: Float64Array;
  private readonly byOutcome: Float64Array;
  private readonly cells: BucketCells;
  private readonly gauges = new Map<string, Gauge>();
  private runs = 1;
  private hotBucket = 0;
  private hotLow = 0; // an empty range until the first bucketOf
  private hotHigh = 0;

  constructor(options: TimeSeriesOptions) {
    const interval = options.interval ?? 1;
    if (!(Number.isFinite(interval) && interval > 0)) {
      throw new RangeError(`time series interval must be a positive number of seconds, got ${interval}`);
    }
    if (!(Number.isFinite(options.duration) && options.duration >= 0)) {
      throw new RangeError(`time series duration must be a non-negative number of seconds, got ${options.duration}`);
    }
    const n = Math.max(1, Math.ceil(options.duration / interval - BOUNDARY_EPSILON));
    if (n > MAX_SERIES_BUCKETS) {
      throw new RangeError(
        `a ${options.duration}s run at ${interval}s intervals needs ${n} buckets; at most ${MAX_SERIES_BUCKETS} are allowed (choose a longer interval)`,
      );
    }
    this.interval = interval;
    this.length = n;
    this.counts = new Float64Array(n);
    this.byOutcome = new Float64Array(n * OUTCOME_COUNT);
    this.cells = new BucketCells(n, SERIES_LATENCY_CELLS);
  }

  /** The bucket index of time t (seconds). */
  bucketOf(t: number): number {
    // Requests end in time order, so most calls fall in the bucket of the previous call, well inside
    // its boundaries (the cached range stays clear of the ±ε band around them).
    if (t > this.hotLow && t < this.hotHigh) return this.hotBucket;
    const b = this.bucketOfSlow(t);
    const i = this.interval;
    this.hotBucket = b;
    this.hotLow = b === 0 ? -Infinity : b * i * (1 + 4 * BOUNDARY_EPSILON);
    this.hotHigh = b === this.length - 1 ? Infinity : (b + 1) * i * (1 - 4 * BOUNDARY_EPSILON);
    return b;
  }

  private bucketOfSlow(t: number): number {
    const q = t / this.interval;
    const r = Math.round(q);
    let b = Math.abs(q - r) <= BOUNDARY_EPSILON * Math.max(1, Math.abs(r)) ? r : Math.floor(q);
    if (!(b >= 0)) b = 0; // negative, or NaN
    return b >= this.length ? this.length - 1 : b;
  }

  /**
   * Counts one request that ended at time t with the outcome of index `outcome`; when `latency`
   * (seconds) is given, it also enters the bucket's latency cells.
   */
  request(t: number, outcome: number, latency?: number): void {
    const b = this.bucketOf(t);
    this.counts[b]!++;
    this.byOutcome[b * OUTCOME_COUNT + outcome]!++;
    if (latency !== undefined) this.cells.add(b, cellOf(latency));
  }

  /** `request` with the latency in integer microseconds (what the recorder has already computed). */
  requestMicros(t: number, outcome: number, us: number): void {
    const b = this.bucketOf(t);
    this.counts[b]!++;
    this.byOutcome[b * OUTCOME_COUNT + outcome]!++;
    this.cells.add(b, cellOfMicros(us));
  }

  /** Sets gauge `name` to `value` from time t on (last value carried forward). */
  setGauge(name: string, t: number, value: number): void {
    let g = this.gauges.get(name);
    if (g === undefined) {
      g = { values: new Float64Array(this.length).fill(NaN), last: -1, lastValue: NaN, lastTime: -Infinity };
      this.gauges.set(name, g);
    }
    if (t < g.lastTime) {
      throw new RangeError(`gauge "${name}" set at ${t}s after a set at ${g.lastTime}s: times must not go backwards`);
    }
    const b = this.bucketOf(t);
    if (g.last >= 0) g.values.fill(g.lastValue, g.last + 1, b);
    g.values[b] = value;
    g.last = b;
    g.lastValue = value;
    g.lastTime = t;
  }

  /** Requests that ended in bucket b. */
  requestsAt(b: number): number {
    return this.counts[b] ?? 0;
  }

  /** Requests that ended in bucket b with the outcome of index `outcome`. */
  outcomeAt(b: number, outcome: number): number {
    return b >= 0 && b < this.length ? (this.byOutcome[b * OUTCOME_COUNT + outcome] ?? 0) : 0;
  }

  /** Gauge value in force at the end of bucket b, or null if not set by then (or unknown gauge). */
  gaugeAt(name: string, b: number): number | null {
    const g = this.gauges.get(name);
    if (g === undefined || b < 0 || b >= this.length) return null;
    const v = b > g.last ? g.lastValue : g.values[b]!;
    return Number.isNaN(v) ? null : v;
  }

  /** Gauge names, sorted. */
  gaugeNames(): string[] {
    return [...this.gauges.keys()].sort(compareStrings);
  }

  /**
   * The latency in seconds that p percent of bucket b's recorded latencies are at or below (cell
   * midpoint, ±3.2%); null for an empty bucket.
   */
  percentile(b: number, p: number): number | null {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within [0, 100], got ${p}`);
    if (b < 0 || b >= this.length) return null;
    const found = [-1];
    this.cellsAt(b, [p], found);
    return found[0]! < 0 ? null : cellMidpoint(found[0]!);
  }

  /**
   * For each percentile ps[k] (ascending), the cell of bucket b that holds it, into found[k]; −1 for
   * an empty bucket. Two passes over the bucket's cells whatever the number of percentiles.
   */
  private cellsAt(b: number, ps: readonly number[], found: number[]): void {
    let total = 0;
    this.cells.forEach(b, (_, n) => (total += n));
    found.fill(-1);
    if (total === 0) return;
    let k = 0;
    let rank = Math.max(1, Math.ceil((ps[0]! / 100) * total));
    let seen = 0;
    this.cells.forEach(b, (c, n) => {
      seen += n;
      while (k < ps.length && seen >= rank) {
        found[k++] = c;
        if (k < ps.length) rank = Math.max(1, Math.ceil((ps[k]! / 100) * total));
      }
    });
  }

  /** Storage elements held (bounded by the duration and gauges, never by requests; for memory checks). */
  footprint(): number {
    return this.counts.length + this.byOutcome.length + this.cells.footprint() + this.gauges.size * this.length;
  }

  /**
   * Bytes held, counted from the structure: 8 per bucket for requests, 8 per bucket and outcome, 8 per
   * bucket and gauge, and the latency cells' `BucketCells.bytes()`.
   */
  bytes(): number {
    return 8 * (this.counts.length + this.byOutcome.length + this.gauges.size * this.length) + this.cells.bytes();
  }

  /** Adds `other` (same interval and length) into this series. Gauges become the per-bucket sums. */
  merge(other: TimeSeries): this {
    if (other.length !== this.length || other.interval !== this.interval) {
      throw new RangeError(
        `cannot merge a series of ${other.length} × ${other.interval}s buckets into one of ${this.length} × ${this.interval}s`,
      );
    }
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
    for (let i = 0; i < this.byOutcome.length; i++) this.byOutcome[i]! += other.byOutcome[i]!;
    this.cells.merge(other.cells);
    const names = new Set([...this.gauges.keys(), ...other.gauges.keys()]);
    for (const name of names) {
      const values = new Float64Array(this.length);
      for (let b = 0; b < this.length; b++) {
        const x = this.gaugeAt(name, b);
        const y = other.gaugeAt(name, b);
        values[b] = x === null ? (y ?? NaN) : y === null ? x : x + y;
      }
      this.gauges.set(name, finished(values));
    }
    this.runs += other.runs;
    return this;
  }

  /** Plain JSON (see `TimeSeriesJSON`); byte-stable for the same input. */
  toJSON(): TimeSeriesJSON {
    const n = this.length;
    const outcomes = {} as Record<Outcome, number[]>;
    OUTCOMES.forEach((o, k) => {
      const xs: number[] = new Array<number>(n);
      for (let b = 0; b < n; b++) xs[b] = this.byOutcome[b * OUTCOME_COUNT + k]!;
      outcomes[o] = xs;
    });
    const p50: (number | null)[] = new Array<number | null>(n);
    const p90: (number | null)[] = new Array<number | null>(n);
    const p99: (number | null)[] = new Array<number | null>(n);
    const found = [-1, -1, -1];
    for (let b = 0; b < n; b++) {
      this.cellsAt(b, PERCENTILES, found);
      p50[b] = ms(found[0]! < 0 ? null : cellMidpoint(found[0]!));
      p90[b] = ms(found[1]! < 0 ? null : cellMidpoint(found[1]!));
      p99[b] = ms(found[2]! < 0 ? null : cellMidpoint(found[2]!));
    }
    const latencyCells = this.cells.snapshot();
    const gauges: Record<string, (number | null)[]> = {};
    for (const name of this.gaugeNames()) {
      const xs: (number | null)[] = [];
      for (let b = 0; b < n; b++) xs.push(this.gaugeAt(name, b));
      gauges[name] = xs;
    }
    const json = { interval: this.interval, runs: this.runs, requests: Array.from(this.counts), outcomes, latencyMs: { p50, p90, p99 } } as TimeSeriesJSON;
    Object.defineProperty(json, 'latencyCells', { get: latencyCells, enumerable: true, configurable: true });
    json.gauges = gauges;
    return json;
  }

  /** Rebuilds a series from `toJSON()` output; throws a RangeError on inconsistent data. */
  static fromJSON(json: TimeSeriesJSON): TimeSeries {
    const n = json.requests.length;
    const s = new TimeSeries({ duration: n * json.interval, interval: json.interval });
    if (s.length !== n) throw new RangeError(`time series JSON: ${n} buckets do not fit interval ${json.interval}`);
    const check = (what: string, xs: readonly unknown[]): void => {
      if (xs.length !== n) throw new RangeError(`time series JSON: ${what} has ${xs.length} buckets, expected ${n}`);
    };
    s.runs = json.runs;
    s.counts.set(json.requests);
    OUTCOMES.forEach((o, k) => {
      const xs = json.outcomes[o];
      if (xs === undefined) throw new RangeError(`time series JSON: outcome "${o}" is missing`);
      check(`outcome "${o}"`, xs);
      for (let b = 0; b < n; b++) s.byOutcome[b * OUTCOME_COUNT + k] = xs[b]!;
    });
    const cells = json.latencyCells; // made when read (see TimeSeriesJSON): once
    check('latencyCells', cells);
    cells.forEach((text, b) => {
      if (typeof text !== 'string') throw new RangeError(`time series JSON: latency cells of bucket ${b} are not text`);
      try {
        s.cells.setText(b, text);
      } catch (e) {
        throw new RangeError(`time series JSON: bad latency cells in bucket ${b}: ${(e as Error).message}`);
      }
    });
    for (const name of Object.keys(json.gauges).sort(compareStrings)) {
      const xs = json.gauges[name]!;
      check(`gauge "${name}"`, xs);
      s.gauges.set(name, finished(Float64Array.from(xs, (x) => (x === null ? NaN : x))));
    }
    return s;
  }
}

/** A gauge whose every bucket is final (no carrying forward). */
function finished(values: Float64Array): Gauge {
  return { values, last: values.length - 1, lastValue: values[values.length - 1]!, lastTime: Infinity };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function ms(seconds: number | null): number | null {
  return seconds === null ? null : Math.round(seconds * 1e6) / 1e3;
}
