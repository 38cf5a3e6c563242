import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../../engine/metrics/histogram.js';
import { OUTCOME_INDEX, OUTCOMES, type Outcome } from '../../../engine/metrics/outcomes.js';
import { Recorder, mergeRunMetrics, snapshotOf, type RunMetricsJSON } from '../../../engine/metrics/recorder.js';
import { evaluateSlo } from '../../../engine/metrics/slo.js';

describe('Recorder', () => {
  it('counts requests by outcome and measures ok latency from the intended send time', () => {
    const r = new Recorder({ duration: 10 });
    r.request(1, 1.05, 'ok', 0);
    r.request(1, 1.25, OUTCOME_INDEX.ok, 1); // a late start does not hide queueing: 250 ms
    r.request(2, 2, 'no_endpoints');
    r.request(3, 33, 'timeout', 1); // ends past the run: last bucket
    r.request(4, 4.001, 'refused', 2);
    const j = r.toJSON();
    expect(j.requests).toEqual({
      total: 5,
      ok: 2,
      failed: 3,
      byOutcome: { ok: 2, no_endpoints: 1, refused: 1, reset: 0, timeout: 1, overload: 0, app_error: 0 },
    });
    expect(Object.keys(j.requests.byOutcome)).toEqual([...OUTCOMES]);
    expect(j.availability).toBe(0.4);
    // HDR cells: 50 ms lies in [49.984, 50.015] ms, 250 ms in [249.984, 250.111] ms; percentiles report
    // a cell's highest value, the mean its midpoints
    expect(j.latencyMs).toEqual({ mean: 150.024, p50: 50.015, p90: 250.111, p95: 250.111, p99: 250.111, p999: 250.111, max: 250.111 });
    expect(j.pods).toEqual([1, 2, 1]);
    expect(r.podRequests(1)).toBe(2);
    expect(r.podRequests(99)).toBe(0);
    expect(r.count('timeout')).toBe(1);
    expect(j.timeseries.requests).toEqual([0, 2, 1, 0, 1, 0, 0, 0, 0, 1]);
    expect(j.timeseries.outcomes.timeout[9]).toBe(1);
    expect(j.timeseries.latencyMs.p50[1]).not.toBeNull();
    expect(j.rollout).toBeNull();
    expect(LatencyHistogram.decode(j.latencyHistogram).count).toBe(2);
  });

  it('reports null availability and latency without requests', () => {
    const j = new Recorder({ duration: 5 }).toJSON();
    expect(j.requests.total).toBe(0);
    expect(j.availability).toBeNull();
    expect(j.latencyMs).toEqual({ mean: null, p50: null, p90: null, p95: null, p99: null, p999: null, max: null });
    expect(j.pods).toEqual([]);
  });

  it('rejects impossible input', () => {
    const r = new Recorder({ duration: 5 });
    expect(() => r.request(2, 1, 'ok')).toThrow(/before it was sent/);
    expect(() => r.request(1, NaN, 'ok')).toThrow(RangeError);
    expect(() => r.request(1, 2, 7)).toThrow(/unknown outcome/);
    expect(() => r.request(1, 2, 1.5)).toThrow(/unknown outcome/);
    expect(() => r.request(1, 2, 'ok', 2.5)).toThrow(/pod index/);
    expect(() => r.request(1, 2, 'ok', 1e9)).toThrow(/pod index/);
    expect(r.total).toBe(0);
  });

  it('feeds SLO evaluation through its snapshot, including gauges and rollout figures', () => {
    const r = new Recorder({ duration: 60 });
    for (let i = 0; i < 1000; i++) r.request(i * 0.05, i * 0.05 + 0.01 + (i % 100) / 1000, i === 7 ? 'refused' : 'ok', i % 4);
    r.setGauge('endpoints/web', 0, 4);
    r.setGauge('endpoints/web', 30, 3);
    r.setRollout({ duration: 42, minAvailable: 3, maxPods: 5 });
    const s = r.snapshot();
    expect(evaluateSlo('availability >= 99.9%', s)).toMatchObject({ pass: true, value: 0.999 });
    expect(evaluateSlo('errors.refused == 0', s)).toMatchObject({ pass: false, value: 1 });
    expect(evaluateSlo('p(99) < 120ms', s).pass).toBe(true);
    expect(evaluateSlo('p(99) < 100ms', s).pass).toBe(false);
    expect(evaluateSlo('rollout.duration < 1m', s)).toMatchObject({ pass: true, value: 42 });
    expect(evaluateSlo('requests.total >= 1000', s).pass).toBe(true);
    const j = r.toJSON();
    expect(j.timeseries.gauges['endpoints/web']![29]).toBe(4);
    expect(j.timeseries.gauges['endpoints/web']![30]).toBe(3);
    expect(j.rollout).toEqual({ duration: 42, minAvailable: 3, maxPods: 5 });
    // the same verdicts from the JSON form
    const back = snapshotOf(JSON.parse(JSON.stringify(j)) as RunMetricsJSON);
    for (const e of ['availability >= 99.9%', 'p(99) < 100ms', 'latency.max < 1s', 'rollout.max_pods <= 5']) {
      expect(evaluateSlo(e, back)).toEqual(evaluateSlo(e, s));
    }
  });

  it('produces byte-identical JSON for the same input', () => {
    const run = () => {
      const r = new Recorder({ duration: 20, interval: 0.5 });
      for (let i = 0; i < 5000; i++) r.request(i / 250, i / 250 + ((i * 7919) % 1000) / 4000, OUTCOMES[i % 7]!, i % 13);
      r.setGauge('pods/v1/Running', 0, 10);
      return JSON.stringify(r.toJSON());
    };
    expect(run()).toBe(run());
  });

  it('memory does not grow with requests: after 2,000,000 requests storage is within the bound the duration sets', () => {
    const r = new Recorder({ duration: 120 });
    r.setGauge('endpoints/web', 0, 10);
    const feed = (from: number, to: number): void => {
      let x = 1;
      for (let i = from; i < to; i++) {
        x = (x * 1103515245 + 12345) % 2147483648;
        const t = (i * 120) / 2_000_000;
        const outcome = x % 97 === 0 ? OUTCOME_INDEX.timeout : OUTCOME_INDEX.ok;
        r.request(t, t + (x % 2_000_000) / 1e6, outcome, x % 50);
      }
    };
    feed(0, 1000);
    const small = r.footprint();
    feed(1000, 2_000_000);
    expect(r.total).toBe(2_000_000);
    const big = r.footprint();
    // fixed parts: the HDR counters, per-pod and per-outcome counts
    expect(big).toEqual({ ...small, seriesCells: big.seriesCells });
    expect(small).toMatchObject({ histogramCells: 23_552, podCells: 64, outcomeCells: 7 });
    // the series: per bucket requests, 7 outcomes, one gauge and 2 cell-index words, a dense window of
    // 8 buckets, and 2 words per stored cell — at most every one of the 464 cells of every bucket
    const fixed = 120 * (1 + 7 + 1 + 2) + 8 * 464;
    expect(big.seriesCells).toBeLessThanOrEqual(fixed + 2 * 2 ** Math.ceil(Math.log2(120 * 464)));
    expect(r.toJSON().timeseries.requests).toHaveLength(120);
  });
});

const requestArb = fc.record({
  sentAt: fc.double({ min: 0, max: 100, noNaN: true }),
  latency: fc.oneof(fc.double({ min: 0, max: 10, noNaN: true }), fc.constantFrom(0, 1e-7, 3600, 5000)),
  outcome: fc.constantFrom(...OUTCOMES),
  pod: fc.integer({ min: -1, max: 40 }),
});

function record(reqs: readonly { sentAt: number; latency: number; outcome: Outcome; pod: number }[], duration = 60): Recorder {
  const r = new Recorder({ duration });
  for (const q of reqs) r.request(q.sentAt, q.sentAt + q.latency, q.outcome, q.pod);
  return r;
}

describe('Recorder properties', () => {
  it('total == Σ byOutcome, availability ∈ [0, 1], p50 ≤ p90 ≤ p99 ≤ p999 ≤ max, series agree with totals', () => {
    fc.assert(
      fc.property(fc.array(requestArb, { maxLength: 300 }), (reqs) => {
        const j = record(reqs).toJSON();
        const sum = OUTCOMES.reduce((s, o) => s + j.requests.byOutcome[o], 0);
        expect(j.requests.total).toBe(reqs.length);
        expect(j.requests.total).toBe(sum);
        expect(j.requests.ok + j.requests.failed).toBe(j.requests.total);
        if (j.requests.total === 0) expect(j.availability).toBeNull();
        else {
          expect(j.availability).toBeGreaterThanOrEqual(0);
          expect(j.availability).toBeLessThanOrEqual(1);
        }
        const { p50, p90, p99, p999, max, mean } = j.latencyMs;
        if (j.requests.ok === 0) expect([p50, p90, p99, p999, max, mean]).toEqual([null, null, null, null, null, null]);
        else {
          expect(p50!).toBeLessThanOrEqual(p90!);
          expect(p90!).toBeLessThanOrEqual(p99!);
          expect(p99!).toBeLessThanOrEqual(p999!);
          expect(p999!).toBeLessThanOrEqual(max!);
          expect(mean!).toBeLessThanOrEqual(max!);
        }
        const ts = j.timeseries;
        expect(ts.requests.reduce((a, b) => a + b, 0)).toBe(j.requests.total);
        for (const o of OUTCOMES) expect(ts.outcomes[o].reduce((a, b) => a + b, 0)).toBe(j.requests.byOutcome[o]);
        expect(j.pods.reduce((a, b) => a + b, 0)).toBe(reqs.filter((q) => q.pod >= 0).length);
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('merging the JSON of two runs equals one run that saw every request', () => {
    fc.assert(
      fc.property(fc.array(requestArb, { maxLength: 150 }), fc.array(requestArb, { maxLength: 150 }), (a, b) => {
        const merged = mergeRunMetrics([record(a).toJSON(), record(b).toJSON()]);
        const whole = record([...a, ...b]).toJSON();
        expect(merged.timeseries.runs).toBe(2);
        expect({ ...merged, timeseries: { ...merged.timeseries, runs: 1 } }).toEqual(whole);
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});

describe('mergeRunMetrics', () => {
  it('combines rollouts worst-case and rejects an empty list', () => {
    const a = new Recorder({ duration: 5 });
    a.setRollout({ duration: 30, minAvailable: 4, maxPods: 6 });
    const b = new Recorder({ duration: 5 });
    const c = new Recorder({ duration: 5 });
    c.setRollout({ duration: 50, minAvailable: 5, maxPods: 7 });
    expect(mergeRunMetrics([a.toJSON(), b.toJSON(), c.toJSON()]).rollout).toEqual({ duration: 50, minAvailable: 4, maxPods: 7 });
    expect(mergeRunMetrics([b.toJSON()]).rollout).toBeNull();
    expect(() => mergeRunMetrics([])).toThrow(/at least one/);
    expect(() => mergeRunMetrics([a.toJSON(), new Recorder({ duration: 6 }).toJSON()])).toThrow(/cannot merge/);
  });
});
