import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCells, encodeCells } from '../../../engine/metrics/cellcodec.js';
import { OUTCOME_INDEX, OUTCOMES } from '../../../engine/metrics/outcomes.js';
import { MAX_SERIES_BUCKETS, SERIES_LATENCY_CELLS, TimeSeries, cellOf, type TimeSeriesJSON } from '../../../engine/metrics/timeseries.js';

const OK = OUTCOME_INDEX.ok;
const TIMEOUT = OUTCOME_INDEX.timeout;

describe('TimeSeries bucketing', () => {
  it('preallocates ceil(duration / interval) buckets, at least one', () => {
    expect(new TimeSeries({ duration: 60 }).length).toBe(60);
    expect(new TimeSeries({ duration: 60.5 }).length).toBe(61);
    expect(new TimeSeries({ duration: 0 }).length).toBe(1);
    expect(new TimeSeries({ duration: 10, interval: 0.1 }).length).toBe(100);
    expect(new TimeSeries({ duration: 0.3, interval: 0.1 }).length).toBe(3);
    expect(new TimeSeries({ duration: 30, interval: 5 }).interval).toBe(5);
  });

  it('puts a time exactly on a boundary into the later bucket', () => {
    const s = new TimeSeries({ duration: 10 });
    expect(s.bucketOf(0)).toBe(0);
    expect(s.bucketOf(0.999999)).toBe(0);
    expect(s.bucketOf(1)).toBe(1);
    expect(s.bucketOf(1.5)).toBe(1);
    expect(s.bucketOf(9)).toBe(9);
    const fine = new TimeSeries({ duration: 1, interval: 0.1 });
    // 0.3 / 0.1 is 2.9999999999999996 in floating point: still the boundary of bucket 3
    expect(fine.bucketOf(0.3)).toBe(3);
    expect(fine.bucketOf(0.7)).toBe(7);
    expect(fine.bucketOf(0.29)).toBe(2);
  });

  it('clamps times past the end into the last bucket and negative times into the first', () => {
    const s = new TimeSeries({ duration: 10 });
    expect(s.bucketOf(10)).toBe(9);
    expect(s.bucketOf(1e9)).toBe(9);
    expect(s.bucketOf(Infinity)).toBe(9);
    expect(s.bucketOf(-1)).toBe(0);
    s.request(42, TIMEOUT);
    expect(s.requestsAt(9)).toBe(1);
    expect(s.outcomeAt(9, TIMEOUT)).toBe(1);
  });

  it('counts requests and outcomes per bucket', () => {
    const s = new TimeSeries({ duration: 3 });
    s.request(0.5, OK, 0.01);
    s.request(0.6, TIMEOUT);
    s.request(1.0, OK, 0.02);
    s.request(2.2, OUTCOME_INDEX.refused);
    expect([0, 1, 2].map((b) => s.requestsAt(b))).toEqual([2, 1, 1]);
    expect([0, 1, 2].map((b) => s.outcomeAt(b, OK))).toEqual([1, 1, 0]);
    const json = s.toJSON();
    expect(json.requests).toEqual([2, 1, 1]);
    expect(Object.keys(json.outcomes)).toEqual([...OUTCOMES]);
    expect(json.outcomes.timeout).toEqual([1, 0, 0]);
    expect(json.outcomes.refused).toEqual([0, 0, 1]);
    expect(json.outcomes.reset).toEqual([0, 0, 0]);
    // cell midpoints: 10 ms lies in the cell [9.728, 10.239] ms, 20 ms in [19.456, 20.479] ms
    expect(json.latencyMs.p50).toEqual([9.984, 19.968, null]);
  });

  it('rejects bad options', () => {
    expect(() => new TimeSeries({ duration: -1 })).toThrow(RangeError);
    expect(() => new TimeSeries({ duration: 10, interval: 0 })).toThrow(/positive/);
    expect(() => new TimeSeries({ duration: NaN })).toThrow(RangeError);
    expect(() => new TimeSeries({ duration: MAX_SERIES_BUCKETS + 1 })).toThrow(/longer interval/);
  });
});

describe('TimeSeries latency percentiles', () => {
  it('are exact below 32 µs and within ±3.2% above', () => {
    const s = new TimeSeries({ duration: 2 });
    for (let us = 1; us <= 20; us++) s.request(0.1, OK, us / 1e6);
    expect(s.percentile(0, 50)).toBe(10e-6);
    expect(s.percentile(0, 100)).toBe(20e-6);
    // bucket 1: 1..10000 ms uniform
    for (let i = 1; i <= 10_000; i++) s.request(1.5, OK, i / 1000);
    for (const p of [1, 25, 50, 90, 99, 99.9]) {
      const exact = (p / 100) * 10;
      const got = s.percentile(1, p)!;
      expect(Math.abs(got - exact) / exact).toBeLessThanOrEqual(0.032);
    }
    expect(s.percentile(1, 0)).toBeGreaterThan(0);
  });

  it('returns null for an empty bucket or a bucket outside the series', () => {
    const s = new TimeSeries({ duration: 2 });
    s.request(0.5, TIMEOUT);
    expect(s.percentile(0, 99)).toBeNull();
    expect(s.percentile(5, 99)).toBeNull();
    expect(() => s.percentile(0, 120)).toThrow(RangeError);
  });

  it('clamp extreme latencies into the end cells', () => {
    const s = new TimeSeries({ duration: 1 });
    s.request(0, OK, 0);
    s.request(0, OK, 1e6);
    expect(s.percentile(0, 1)).toBe(1e-6);
    const top = s.percentile(0, 100)!;
    expect(Math.abs(top - 3600) / 3600).toBeLessThan(0.032);
  });
});

describe('TimeSeries gauges (last value carried forward)', () => {
  it('reports the value in force at the end of each bucket', () => {
    const s = new TimeSeries({ duration: 6 });
    s.setGauge('pods/v1/ready', 0, 4);
    s.setGauge('pods/v1/ready', 1.2, 3);
    s.setGauge('pods/v1/ready', 1.7, 2); // last set in bucket 1 wins
    s.setGauge('pods/v1/ready', 4, 0); // exactly on a boundary: bucket 4
    expect(s.toJSON().gauges['pods/v1/ready']).toEqual([4, 2, 2, 2, 0, 0]);
  });

  it('is null before the first set, and independent per name', () => {
    const s = new TimeSeries({ duration: 4 });
    s.setGauge('b', 2.5, 7);
    s.setGauge('a', 0, 1);
    const g = s.toJSON().gauges;
    expect(Object.keys(g)).toEqual(['a', 'b']);
    expect(g['b']).toEqual([null, null, 7, 7]);
    expect(g['a']).toEqual([1, 1, 1, 1]);
    expect(s.gaugeAt('b', 1)).toBeNull();
    expect(s.gaugeAt('missing', 1)).toBeNull();
  });

  it('clamps late sets into the last bucket and refuses times going backwards', () => {
    const s = new TimeSeries({ duration: 3 });
    s.setGauge('x', 1, 5);
    s.setGauge('x', 99, 6);
    expect(s.toJSON().gauges['x']).toEqual([null, 5, 6]);
    expect(() => s.setGauge('x', 2, 1)).toThrow(/must not go backwards/);
    s.setGauge('x', 99, 8); // same time is fine
    expect(s.gaugeAt('x', 2)).toBe(8);
  });
});

describe('TimeSeries JSON and merge', () => {
  function sample(seed: number): TimeSeries {
    const s = new TimeSeries({ duration: 5 });
    let x = seed;
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const t = (x % 5000) / 1000;
      const outcome = x % 11 === 0 ? TIMEOUT : OK;
      s.request(t, outcome, outcome === OK ? (x % 300) / 1000 + 0.001 : undefined);
    }
    s.setGauge('ready', 0, seed);
    s.setGauge('ready', 2.5, seed + 1);
    return s;
  }

  it('round-trips through plain JSON', () => {
    const s = sample(7);
    const json = JSON.parse(JSON.stringify(s.toJSON()));
    const back = TimeSeries.fromJSON(json);
    expect(back.toJSON()).toEqual(s.toJSON());
    expect(JSON.stringify(back.toJSON())).toBe(JSON.stringify(s.toJSON()));
  });

  it('merges replications: counts and latency cells add, gauges sum, runs counted', () => {
    const a = sample(1);
    const b = sample(2);
    const ja = a.toJSON();
    const jb = b.toJSON();
    const m = TimeSeries.fromJSON(ja).merge(TimeSeries.fromJSON(jb)).toJSON();
    expect(m.runs).toBe(2);
    expect(m.requests).toEqual(ja.requests.map((x, i) => x + jb.requests[i]!));
    for (const o of OUTCOMES) expect(m.outcomes[o]).toEqual(ja.outcomes[o].map((x, i) => x + jb.outcomes[o][i]!));
    expect(m.gauges['ready']).toEqual([3, 3, 5, 5, 5]);

    // merged per-bucket percentiles equal those of one series that saw every request
    const both = new TimeSeries({ duration: 5 });
    for (const seed of [1, 2]) {
      let x = seed;
      for (let i = 0; i < 2000; i++) {
        x = (x * 1103515245 + 12345) % 2147483648;
        const outcome = x % 11 === 0 ? TIMEOUT : OK;
        both.request((x % 5000) / 1000, outcome, outcome === OK ? (x % 300) / 1000 + 0.001 : undefined);
      }
    }
    expect(m.latencyMs).toEqual(both.toJSON().latencyMs);
    expect(m.latencyCells).toEqual(both.toJSON().latencyCells);
  });

  it('merges a gauge present on one side only as that side', () => {
    const a = new TimeSeries({ duration: 2 });
    const b = new TimeSeries({ duration: 2 });
    a.setGauge('only-a', 1, 3);
    expect(a.merge(b).toJSON().gauges['only-a']).toEqual([null, 3]);
  });

  it('refuses to merge series of another shape and inconsistent JSON', () => {
    expect(() => new TimeSeries({ duration: 5 }).merge(new TimeSeries({ duration: 6 }))).toThrow(/cannot merge/);
    expect(() => new TimeSeries({ duration: 5 }).merge(new TimeSeries({ duration: 5, interval: 0.5 }))).toThrow(RangeError);
    const json = sample(3).toJSON();
    expect(() => TimeSeries.fromJSON({ ...json, latencyCells: [encodeCells((fn) => fn(500, 1)), '', '', '', ''] })).toThrow(/bad latency cells in bucket 0: .*cell 500 is outside 0 … 463/);
    expect(() => TimeSeries.fromJSON({ ...json, outcomes: { ...json.outcomes, ok: [1] } })).toThrow(/outcome "ok" has 1 buckets/);
  });

  it('makes latencyCells when read, as of toJSON: later writes do not change it; JSON, structuredClone and spreading carry it', () => {
    const s = new TimeSeries({ duration: 20 });
    for (let i = 0; i < 2_000; i++) s.request(i / 100, OK, (i % 97) / 1000 + 0.001);
    const json = s.toJSON();
    expect(Object.getOwnPropertyDescriptor(json, 'latencyCells')?.get).toBeTypeOf('function'); // no strings held
    const before = json.latencyCells;
    for (let i = 0; i < 2_000; i++) s.request(i / 100, OK, 0.5); // every bucket changes, packed and windowed
    s.merge(TimeSeries.fromJSON(json));
    expect(json.latencyCells).toEqual(before);
    expect(s.toJSON().latencyCells).not.toEqual(before);
    expect(Object.keys(json)).toEqual(['interval', 'runs', 'requests', 'outcomes', 'latencyMs', 'latencyCells', 'gauges']);
    for (const copy of [JSON.parse(JSON.stringify(json)), structuredClone(json), { ...json }] as TimeSeriesJSON[]) {
      expect(Object.getOwnPropertyDescriptor(copy, 'latencyCells')?.value).toEqual(before);
      expect(TimeSeries.fromJSON(copy).toJSON()).toEqual(json);
    }
  });

  it('keeps its footprint bounded by duration, not by requests', () => {
    const s = new TimeSeries({ duration: 10 });
    // per bucket: requests and 7 outcomes (8 B each), 10 B of cell index; a dense window of 8 buckets and one of scratch
    const fixed = 10 * 8 * (1 + OUTCOMES.length) + 10 * 10 + 4 * 8 * SERIES_LATENCY_CELLS + 9 * SERIES_LATENCY_CELLS;
    expect(s.bytes()).toBe(fixed);
    for (let i = 0; i < 100_000; i++) s.request(i / 10_000, OK, (i % 1000) / 1000);
    // a bucket's bytes: at most 464 cells × (1 step + 4 count characters), in chunks doubling from one full bucket
    const bound = fixed + 2 * 10 * 464 * 5 + 9 * SERIES_LATENCY_CELLS;
    expect(s.bytes()).toBeLessThanOrEqual(bound);
    // going back in time (not seen in runs) costs at most a dense row per bucket, once
    for (let i = 0; i < 100_000; i++) s.request(i / 10_000, OK, (i % 1000) / 1000);
    const again = s.bytes();
    expect(again).toBeLessThanOrEqual(bound + 10 * 4 * SERIES_LATENCY_CELLS);
    for (let i = 0; i < 100_000; i++) s.request(i / 10_000, OK, (i % 1000) / 1000);
    expect(s.bytes()).toBe(again);
    expect(s.footprint()).toBeGreaterThan(0);
    expect(s.toJSON().requests).toEqual(new Array(10).fill(30_000));
  });

  it('packs a loaded bucket in < 3 bytes a cell and its JSON carries the same text (the bench model: 16,000/s, ~200 cells a bucket)', () => {
    // M/M/c-like latencies at 16,000 requests a second: exponential with a long queueing tail, 1 µs … ~200 ms
    const n = 60;
    const s = new TimeSeries({ duration: n });
    let x = 7;
    const u = (): number => ((x = (x * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
    for (let i = 0; i < n * 16_000; i++) s.request(i / 16_000, OK, -0.01 * Math.log(u()) * (u() < 0.3 ? 4 : 1));
    const json = s.toJSON();
    const pairs = json.latencyCells.reduce((a, t) => {
      let k = 0;
      decodeCells(t, SERIES_LATENCY_CELLS, () => k++);
      return a + k;
    }, 0);
    expect(pairs / n).toBeGreaterThan(150); // the cells really are spread out
    const chars = json.latencyCells.reduce((a, t) => a + t.length, 0);
    expect(chars / pairs).toBeLessThan(3); // < 3 B a cell (a [cell, count] list took 16 B, 6-byte pairs 6–12 B)
    const fixed = n * (8 * (1 + OUTCOMES.length) + 10) + (4 * 8 + 9) * SERIES_LATENCY_CELLS;
    expect(s.bytes()).toBeGreaterThanOrEqual(fixed + chars);
    expect(s.bytes()).toBeLessThanOrEqual(fixed + 2 * chars + 9 * SERIES_LATENCY_CELLS); // chunks double up to 256 KB
    expect(TimeSeries.fromJSON(json).toJSON()).toEqual(json);
  });
});

describe('series latency cells: shift-based index', () => {
  it('equals the division-based formula it replaced, on boundaries and random values', () => {
    const reference = (seconds: number): number => {
      let us = Math.round(seconds * 1e6);
      if (!(us >= 1)) us = 1;
      else if (us > 3_600_000_000) us = 3_600_000_000;
      if (us < 32) return us;
      const b = 31 - Math.clz32(us) - 4;
      return b * 16 + Math.floor(us / 2 ** b);
    };
    const values = [0, 1e-7, 1e-6, 31e-6, 32e-6, 33e-6, 63e-6, 64e-6, 0.001, 0.0155, 1, 2147.483647, 2147.483648, 3599.999999, 3600, 7200, Infinity];
    fc.assert(fc.property(fc.double({ min: 0, max: 4000, noNaN: true }), (s) => void values.push(s)), { numRuns: 5000 });
    for (const s of values) expect(cellOf(s), `${s} s`).toBe(reference(s));
  });
});
