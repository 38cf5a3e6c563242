import { describe, expect, it } from 'vitest';
import { OUTCOMES, outcomeRecord, type Outcome } from '../../../engine/metrics/outcomes.js';
import {
  SloError,
  evaluateSlo,
  evaluateSlos,
  metricName,
  parseSlo,
  rolloutStatsOf,
  type MetricsSnapshot,
  type SloMetric,
} from '../../../engine/metrics/slo.js';

describe('parseSlo: valid expressions', () => {
  it.each<[string, SloMetric, string, number, string]>([
    ['availability >= 99.9%', { kind: 'availability' }, '>=', 0.999, 'percent'],
    ['availability>=0.999', { kind: 'availability' }, '>=', 0.999, 'number'],
    ['availability > 1', { kind: 'availability' }, '>', 1, 'number'],
    ['availability == 100%', { kind: 'availability' }, '==', 1, 'percent'],
    ['p(99) < 300ms', { kind: 'percentile', p: 99 }, '<', 0.3, 'duration'],
    ['p( 99.9 ) <= 1s', { kind: 'percentile', p: 99.9 }, '<=', 1, 'duration'],
    ['p(99.9) <= 1s', { kind: 'percentile', p: 99.9 }, '<=', 1, 'duration'],
    ['p50 < 20ms', { kind: 'percentile', p: 50 }, '<', 0.02, 'duration'],
    ['p(50) < 20ms', { kind: 'percentile', p: 50 }, '<', 0.02, 'duration'],
    ['p99.99 < 2.5s', { kind: 'percentile', p: 99.99 }, '<', 2.5, 'duration'],
    ['p(0) > 500us', { kind: 'percentile', p: 0 }, '>', 0.0005, 'duration'],
    ['p(100) < 1m30s', { kind: 'percentile', p: 100 }, '<', 90, 'duration'],
    // k6's metric names (one to one)
    ['http_req_failed < 1%', { kind: 'error_rate' }, '<', 0.01, 'percent'],
    ['http_req_failed.rate < 0.01', { kind: 'error_rate' }, '<', 0.01, 'number'],
    ['http_req_duration.p(95) < 200ms', { kind: 'percentile', p: 95 }, '<', 0.2, 'duration'],
    ['http_req_duration.p99 < 1s', { kind: 'percentile', p: 99 }, '<', 1, 'duration'],
    ['http_req_duration.avg < 100ms', { kind: 'latency', stat: 'mean' }, '<', 0.1, 'duration'],
    ['http_req_duration.med < 20ms', { kind: 'percentile', p: 50 }, '<', 0.02, 'duration'],
    ['http_req_duration.max < 2s', { kind: 'latency', stat: 'max' }, '<', 2, 'duration'],
    ['latency.mean < 100ms', { kind: 'latency', stat: 'mean' }, '<', 0.1, 'duration'],
    ['latency.max < 2s', { kind: 'latency', stat: 'max' }, '<', 2, 'duration'],
    ['latency.min >= 1µs', { kind: 'latency', stat: 'min' }, '>=', 1e-6, 'duration'],
    ['errors.refused == 0', { kind: 'errors', cause: 'refused' }, '==', 0, 'number'],
    ['errors.no_endpoints <= 5', { kind: 'errors', cause: 'no_endpoints' }, '<=', 5, 'number'],
    ['errors.app_error != 3', { kind: 'errors', cause: 'app_error' }, '!=', 3, 'number'],
    ['errors.total < 10', { kind: 'errors', cause: 'total' }, '<', 10, 'number'],
    ['error_rate < 0.1%', { kind: 'error_rate' }, '<', 0.001, 'percent'],
    ['requests.total >= 1000', { kind: 'requests', which: 'total' }, '>=', 1000, 'number'],
    ['requests.failed < 1', { kind: 'requests', which: 'failed' }, '<', 1, 'number'],
    ['rollout.duration < 5m', { kind: 'rollout', stat: 'duration' }, '<', 300, 'duration'],
    ['rollout.duration < 1h', { kind: 'rollout', stat: 'duration' }, '<', 3600, 'duration'],
    ['rollout.min_available >= 8', { kind: 'rollout', stat: 'min_available' }, '>=', 8, 'number'],
    ['  rollout.max_pods <= 13  ', { kind: 'rollout', stat: 'max_pods' }, '<=', 13, 'number'],
  ])('%s', (text, metric, op, threshold, unit) => {
    const slo = parseSlo(text);
    expect(slo).toEqual({ source: text.trim(), metric, op, threshold, unit });
  });

  it('converts decimal percentages and durations exactly', () => {
    expect(parseSlo('availability >= 99.9%').threshold).toBe(999 / 1000);
    expect(parseSlo('availability >= 99.99%').threshold).toBe(0.9999);
    expect(parseSlo('p99 < 300ms').threshold).toBe(0.3);
    expect(parseSlo('p99 < 0.1s').threshold).toBe(0.1);
    expect(parseSlo('p99 < 1.5m').threshold).toBe(90);
    expect(parseSlo('p99 < 700ms').threshold).toBe(0.7);
  });

  it('names metrics canonically', () => {
    expect(metricName(parseSlo('p50 < 1s').metric)).toBe('p(50)');
    expect(metricName(parseSlo('errors.timeout < 1').metric)).toBe('errors.timeout');
  });
});

describe('parseSlo: invalid expressions', () => {
  it.each<[string, number, RegExp]>([
    ['p99x < 1s', 1, /^unknown metric "p99x" at column 1; expected one of availability, error_rate, p\(N\), pN, latency\.mean/],
    ['latency < 1s', 1, /unknown metric "latency"/],
    ['', 1, /^empty SLO at column 1/],
    ['   ', 4, /empty SLO/],
    ['< 5', 1, /^unexpected "<" at column 1; expected one of availability/],
    ['latency.median < 1s', 9, /^unknown latency statistic "median" at column 9; expected one of mean, min, max$/],
    ['errors.oops == 0', 8, /^unknown error cause "oops" at column 8; expected one of no_endpoints, refused, reset, timeout, overload, app_error, total$/],
    ['errors.ok == 0', 8, /unknown error cause "ok"/],
    ['requests.all > 1', 10, /unknown request count "all"/],
    ['rollout.speed < 1', 9, /unknown rollout statistic "speed"/],
    ['p(101) < 1s', 3, /^percentile 101 is out of range at column 3; expected a percentile from 0 to 100$/],
    ['p150 < 1s', 2, /percentile 150 is out of range/],
    ['p() < 1s', 3, /^unexpected "\)" at column 3; expected a percentile from 0 to 100$/],
    ['p(99 < 1s', 6, /^unexpected "<" after the percentile at column 6; expected "\)"$/],
    ['p(99', 5, /missing "\)" after the percentile at column 5/],
    ['p99', 4, /^missing comparison after p\(99\) at column 4; expected one of <, <=, >, >=, ==, !=$/],
    ['p99 = 1s', 5, /^unexpected "=" \(use == for equality\) at column 5; expected one of </],
    ['p99 => 1s', 5, /unexpected "=>"/],
    ['p99 <', 6, /^missing value after "<" at column 6; expected a duration like 300ms, 2s or 5m$/],
    ['p99 < fast', 7, /^unexpected "fast" at column 7; expected a duration like 300ms/],
    ['p99 < -1s', 7, /unexpected "-1s" at column 7/],
    ['p99 < 5%', 7, /^a percentage does not apply to p\(99\) at column 7; expected a duration like 300ms/],
    ['p99 < 300xs', 10, /^unknown unit "xs" at column 10; expected a duration/],
    ['p99 < 300ms extra', 13, /^unexpected "extra" at column 13; expected the end of the expression$/],
    ['p99 < 1m30', 11, /missing unit after a number in a duration at column 11/],
    // a duration needs its unit: k6 would read 200 as ms, a Kubernetes user as s
    ['p(95)<200', 7, /^200 has no unit at column 7; expected a duration with its unit: give a unit, e\.g\. 200ms or 200s$/],
    ['p95 < 0.25', 7, /^0\.25 has no unit/],
    ['rollout.duration <= 300', 21, /^300 has no unit/],
    ['http_req_duration.p(95) < 200', 27, /^200 has no unit/],
    ['http_req_duration.p95x < 1s', 19, /^unknown http_req_duration aggregation "p95x" at column 19; expected one of p\(N\), avg, med, min, max$/],
    ['availability >= 99.9', 17, /^availability is a fraction and 99.9 is above 1 at column 17; expected 99.9% or a fraction ≤ 1$/],
    ['availability >= 101%', 17, /101% is above 100%/],
    ['availability >= 5m', 17, /^a duration does not apply to availability at column 17; expected a percentage like 99.9%/],
    ['error_rate < 2s', 14, /a duration does not apply to error_rate/],
    ['errors.total < 10%', 16, /^a percentage does not apply to errors\.total at column 16; expected a number like 10$/],
    ['rollout.max_pods <= 1m', 21, /a duration does not apply to rollout\.max_pods/],
    ['requests.total >= 1k', 20, /unknown unit "k"/],
  ])('%j → column %d', (text, column, message) => {
    let error: unknown;
    try {
      parseSlo(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SloError);
    const e = error as SloError;
    expect(e.message).toMatch(message);
    expect(e.column).toBe(column);
    expect(e.message).toBe(`${e.problem} at column ${e.column}; expected ${e.expected}`);
  });
});

function snapshot(over: Partial<MetricsSnapshot> = {}): MetricsSnapshot {
  const byOutcome: Record<Outcome, number> = outcomeRecord(() => 0);
  Object.assign(byOutcome, { ok: 999, refused: 1 });
  const percentiles: Record<number, number> = { 50: 0.02, 99: 0.3, 99.9: 1 };
  return {
    requests: { total: 1000, ok: 999, failed: 1, byOutcome },
    availability: 0.999,
    latency: { count: 999, mean: 0.1, min: 0.001, max: 2, percentile: (p) => percentiles[p] ?? 0.5 },
    rollout: { duration: 300, minAvailable: 8, maxPods: 13 },
    ...over,
  };
}

describe('evaluateSlo', () => {
  // The snapshot sits exactly on each threshold, so the operator alone decides.
  it.each<[string, boolean, number]>([
    ['availability >= 99.9%', true, 0.999],
    ['availability > 99.9%', false, 0.999],
    ['availability <= 0.999', true, 0.999],
    ['availability < 99.9%', false, 0.999],
    ['availability == 99.9%', true, 0.999],
    ['availability != 99.9%', false, 0.999],
    ['availability >= 99.91%', false, 0.999],
    ['p(99) < 300ms', false, 0.3],
    ['p(99) <= 300ms', true, 0.3],
    ['p(99) < 301ms', true, 0.3],
    ['p(99.9) <= 1s', true, 1],
    ['p(99.9) < 1000ms', false, 1],
    ['p50 < 20ms', false, 0.02],
    ['p(50) <= 20ms', true, 0.02],
    ['latency.mean < 100ms', false, 0.1],
    ['latency.mean <= 100ms', true, 0.1],
    ['latency.max < 2s', false, 2],
    ['latency.max > 1999ms', true, 2],
    ['latency.min == 1ms', true, 0.001],
    ['errors.refused == 0', false, 1],
    ['errors.refused != 0', true, 1],
    ['errors.no_endpoints <= 5', true, 0],
    ['errors.total < 1', false, 1],
    ['errors.total <= 1', true, 1],
    ['error_rate < 0.1%', false, 0.001],
    ['error_rate <= 0.1%', true, 0.001],
    ['requests.total >= 1000', true, 1000],
    ['requests.total > 1000', false, 1000],
    ['requests.ok == 999', true, 999],
    ['requests.failed > 0', true, 1],
    ['rollout.duration < 5m', false, 300],
    ['rollout.duration <= 5m', true, 300],
    ['rollout.min_available >= 8', true, 8],
    ['rollout.min_available > 8', false, 8],
    ['rollout.max_pods <= 13', true, 13],
    ['rollout.max_pods < 13', false, 13],
  ])('%s → %s (value %d)', (expr, pass, value) => {
    expect(evaluateSlo(expr, snapshot())).toEqual({ expr, pass, value, threshold: parseSlo(expr).threshold });
  });

  it('fails with a null value and a reason when the figure does not exist', () => {
    const empty = snapshot({
      requests: { total: 0, ok: 0, failed: 0, byOutcome: outcomeRecord(() => 0) },
      availability: null,
      latency: { count: 0, mean: null, min: null, max: null, percentile: () => null },
      rollout: undefined,
    });
    const cases: [string, RegExp][] = [
      ['availability >= 99%', /no requests/],
      ['error_rate < 1%', /no requests/],
      ['p99 < 1s', /no request succeeded/],
      ['latency.mean < 1s', /no request succeeded/],
      ['rollout.max_pods <= 13', /no rollout happened/],
    ];
    for (const [expr, reason] of cases) {
      const r = evaluateSlo(expr, empty);
      expect(r.pass).toBe(false);
      expect(r.value).toBeNull();
      expect(r.reason).toMatch(reason);
    }
    // counts still exist without requests
    expect(evaluateSlo('errors.total == 0', empty)).toMatchObject({ pass: true, value: 0 });
    const stuck = snapshot({ rollout: { duration: null, minAvailable: 3, maxPods: 5 } });
    expect(evaluateSlo('rollout.duration < 5m', stuck)).toMatchObject({ pass: false, value: null, reason: 'the rollout did not complete' });
    expect(evaluateSlo('rollout.min_available >= 3', stuck)).toMatchObject({ pass: true, value: 3 });
  });

  it('evaluates a list in order, accepting parsed SLOs, and throws SloError for bad text', () => {
    const results = evaluateSlos([parseSlo('requests.total >= 1000'), 'errors.refused == 0'], snapshot());
    expect(results.map((r) => r.pass)).toEqual([true, false]);
    expect(() => evaluateSlo('p99x < 1s', snapshot())).toThrow(SloError);
  });
});

describe('rolloutStatsOf', () => {
  it('combines rollouts: longest duration, lowest min available, highest max pods', () => {
    expect(rolloutStatsOf([])).toBeUndefined();
    expect(
      rolloutStatsOf([
        { durationS: 40, minAvailable: 9, maxPods: 12 },
        { durationS: 75, minAvailable: 8, maxPods: 11 },
      ]),
    ).toEqual({ duration: 75, minAvailable: 8, maxPods: 12 });
    expect(rolloutStatsOf([{ durationS: 40, minAvailable: 9, maxPods: 12 }, { durationS: null, minAvailable: 10, maxPods: 13 }])).toEqual({
      duration: null,
      minAvailable: 9,
      maxPods: 13,
    });
  });
});

it('covers every outcome in the snapshot type', () => {
  expect(Object.keys(snapshot().requests.byOutcome).sort()).toEqual([...OUTCOMES].sort());
});
