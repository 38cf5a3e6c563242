import fc from 'fast-check';
import { build, encodeIntoCompressedBase64, type JsHistogram } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { HISTOGRAM_MAX_MICROS, LatencyHistogram, hdrIndex, hdrLowestValue } from '../../../engine/metrics/histogram.js';
import { FAILURE_OUTCOMES, OUTCOME_INDEX, OUTCOMES, isOutcome, outcomeRecord } from '../../../engine/metrics/outcomes.js';

/** 1..n microseconds, each once. */
function uniform(n: number, h = new LatencyHistogram()): LatencyHistogram {
  for (let us = 1; us <= n; us++) h.record(us / 1e6);
  return h;
}

/** HDR with 3 significant digits: every reported value is within 0.1% of the exact one. */
function expectWithinPrecision(actual: number | null, exact: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - exact)).toBeLessThanOrEqual(exact * 0.001);
}

describe('outcome vocabulary', () => {
  it('is exactly the seven outcomes, ok first, with a matching index map', () => {
    expect(OUTCOMES).toEqual(['ok', 'no_endpoints', 'refused', 'reset', 'timeout', 'overload', 'app_error']);
    OUTCOMES.forEach((o, i) => expect(OUTCOME_INDEX[o]).toBe(i));
    expect(FAILURE_OUTCOMES).toEqual(OUTCOMES.slice(1));
    expect(isOutcome('timeout')).toBe(true);
    expect(isOutcome('toString')).toBe(false);
    expect(Object.keys(outcomeRecord(() => 0))).toEqual([...OUTCOMES]);
  });
});

describe('LatencyHistogram', () => {
  it('reports percentiles of 1..100000 µs within 0.1%', () => {
    const h = uniform(100_000);
    expect(h.count).toBe(100_000);
    for (const p of [1, 10, 25, 50, 75, 90, 99, 99.9]) expectWithinPrecision(h.percentile(p), (p / 100) * 0.1);
    expectWithinPrecision(h.percentile(50), 0.05);
    expectWithinPrecision(h.mean, 0.0500005);
    expect(h.min).toBe(1e-6);
    expectWithinPrecision(h.max, 0.1);
    expect(h.max).toBe(h.percentile(100));
    expect(h.percentile(0)).toBe(h.min);
  });

  it('is exact below 2048 µs (unit-wide cells)', () => {
    const h = uniform(1000);
    expect(h.percentile(50)).toBe(500e-6);
    expect(h.percentile(99)).toBe(990e-6);
    expect(h.max).toBe(1000e-6);
    expect(h.mean).toBeCloseTo(500.5e-6, 12);
  });

  it('is empty-safe', () => {
    const h = new LatencyHistogram();
    expect([h.count, h.mean, h.min, h.max, h.percentile(50)]).toEqual([0, null, null, null, null]);
    expect(LatencyHistogram.decode(h.encode()).count).toBe(0);
  });

  it('rounds to microseconds, lifts sub-microsecond values to 1 µs and clamps above 1 h', () => {
    const h = new LatencyHistogram();
    h.record(0);
    h.record(0.0000004);
    expect(h.min).toBe(1e-6);
    h.record(7200);
    h.record(Infinity);
    h.record(3600);
    expect(h.count).toBe(5);
    expect(h.saturated).toBe(3);
    expect(h.max).toBeGreaterThanOrEqual(3600);
    expect(h.max).toBeLessThanOrEqual(3600 * 1.001);
    expect(HISTOGRAM_MAX_MICROS).toBe(3.6e9);
  });

  it('rejects negative and NaN latencies and bad percentiles', () => {
    const h = new LatencyHistogram();
    expect(() => h.record(-0.001)).toThrow(RangeError);
    expect(() => h.record(NaN)).toThrow(RangeError);
    expect(() => h.percentile(101)).toThrow(/within \[0, 100\]/);
    expect(() => h.percentile(-1)).toThrow(RangeError);
  });

  it('records with a count like repeated records', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    a.record(0.25, 3);
    for (let i = 0; i < 3; i++) b.record(0.25);
    expect(a.encode()).toBe(b.encode());
  });

  it('merging parts equals recording everything in one', () => {
    const whole = new LatencyHistogram();
    const parts = [new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram()];
    let x = 12345;
    for (let i = 0; i < 30_000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648; // deterministic LCG
      const seconds = (x % 5_000_000) / 1e6 + 1e-6;
      whole.record(seconds);
      parts[i % 3]!.record(seconds);
    }
    const merged = parts[0]!.clone().merge(parts[1]!).merge(parts[2]!);
    expect(merged.encode()).toBe(whole.encode());
    for (const p of [50, 90, 99, 99.9]) expect(merged.percentile(p)).toBe(whole.percentile(p));
    expect([merged.count, merged.mean, merged.min, merged.max]).toEqual([whole.count, whole.mean, whole.min, whole.max]);
    // merging does not alter the source
    expect(parts[1]!.count).toBe(10_000);
  });

  it('round-trips through its encoding with equal statistics and encoding', () => {
    const h = uniform(100_000);
    h.record(12.5);
    const text = h.encode();
    expect(text).toMatch(/^HISTF/);
    expect(text.length).toBeLessThan(400);
    const back = LatencyHistogram.decode(text);
    expect(back.encode()).toBe(text);
    expect([back.count, back.mean, back.min, back.max, back.saturated]).toEqual([h.count, h.mean, h.min, h.max, h.saturated]);
    for (const p of [0, 50, 99, 99.99, 100]) expect(back.percentile(p)).toBe(h.percentile(p));
    expect(back.cells).toBe(h.cells);
  });

  it('is deterministic: the same records give the same encoding, different ones differ', () => {
    expect(uniform(5000).encode()).toBe(uniform(5000).encode());
    expect(uniform(5000).encode()).not.toBe(uniform(5001).encode());
  });

  it('rejects text that is not an encoded histogram of this layout', () => {
    expect(() => LatencyHistogram.decode('not base64 at all')).toThrow(/not an encoded latency histogram/);
    // a default hdr histogram (2 significant digits would differ too): build one with another range
    const foreign = 'HISTFAAAAB542pNpmSzMwMDAxAABzFCaEUoz2X+AMIKZAEARAtM=';
    expect(() => LatencyHistogram.decode(foreign)).toThrow(/expected 1…3600000000 µs with 3 digits/);
  });

  it('forgets everything on reset', () => {
    const h = uniform(1000);
    h.reset();
    expect(h.count).toBe(0);
    expect(h.max).toBeNull();
    expect(h.encode()).toBe(new LatencyHistogram().encode());
  });

  it('keeps the mean right when records, merges and resets follow a read (the mean is remembered)', () => {
    const h = new LatencyHistogram();
    const ref = build({ lowestDiscernibleValue: 1, highestTrackableValue: HISTOGRAM_MAX_MICROS, numberOfSignificantValueDigits: 3 }) as JsHistogram;
    const expectMean = () => expect(h.mean).toBe(ref.totalCount === 0 ? null : ref.mean / 1e6);
    expectMean();
    for (const us of [5, 70, 900]) {
      h.record(us / 1e6);
      ref.recordValue(us);
      expectMean();
    }
    h.merge(uniform(3000));
    for (let us = 1; us <= 3000; us++) ref.recordValue(us);
    expectMean();
    h.reset();
    ref.reset();
    expectMean();
    h.record(0.25);
    ref.recordValue(250_000);
    expectMean();
  });

  it('has a fixed number of cells whatever is recorded', () => {
    const h = new LatencyHistogram();
    const before = h.cells;
    uniform(10_000, h);
    h.record(3599);
    expect(h.cells).toBe(before);
    expect(before).toBe(23_552);
  });
});

describe('LatencyHistogram fast index (issue: exact, faster than recordValue)', () => {
  it('hdrIndex equals hdr-histogram-js countsArrayIndex, and hdrLowestValue maps back into the cell', () => {
    const ref = build({ bitBucketSize: 64, autoResize: false, lowestDiscernibleValue: 1, highestTrackableValue: HISTOGRAM_MAX_MICROS, numberOfSignificantValueDigits: 3, useWebAssembly: false }) as JsHistogram;
    const values = [1, 2, 1023, 1024, 2047, 2048, 2049, 4095, 4096, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, HISTOGRAM_MAX_MICROS - 1, HISTOGRAM_MAX_MICROS];
    fc.assert(fc.property(fc.integer({ min: 1, max: HISTOGRAM_MAX_MICROS }), (v) => void values.push(v)), { numRuns: 5000 });
    for (const v of values) {
      const i = hdrIndex(v);
      expect(i, `value ${v}`).toBe(ref.countsArrayIndex(v));
      expect(ref.countsArrayIndex(hdrLowestValue(i))).toBe(i);
      expect(hdrLowestValue(i)).toBe(ref.lowestEquivalentValue(v));
    }
  });

  it('records on random latencies give the same encoding and percentiles as recording each value into hdr-histogram-js', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 4000, noNaN: true }), { minLength: 1, maxLength: 400 }), (secs) => {
        const ref = build({ bitBucketSize: 64, autoResize: false, lowestDiscernibleValue: 1, highestTrackableValue: HISTOGRAM_MAX_MICROS, numberOfSignificantValueDigits: 3, useWebAssembly: false }) as JsHistogram;
        const h = new LatencyHistogram();
        for (const s of secs) {
          h.record(s);
          ref.recordValue(Math.min(HISTOGRAM_MAX_MICROS, Math.max(1, Math.round(s * 1e6))));
        }
        expect(h.encode()).toBe(encodeIntoCompressedBase64(ref));
        for (const p of [50, 90, 99, 99.9, 100]) expect(h.percentile(p)).toBe(ref.getValueAtPercentile(p) / 1e6);
        expect(h.count).toBe(ref.totalCount);
        expect(h.mean).toBe(ref.mean / 1e6); // the same double: the same cells summed in the same order
        // recording after a read keeps adding to the same cells
        h.record(0.05);
        ref.recordValue(50_000);
        expect(h.encode()).toBe(encodeIntoCompressedBase64(ref));
        expect(h.mean).toBe(ref.mean / 1e6);
      }),
      { numRuns: 100 },
    );
  });
});
