import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createStream } from '../../../engine/kernel/random.js';
import { Recorder, type RunMetricsJSON } from '../../../engine/metrics/recorder.js';
import {
  compareMetric,
  compareVariants,
  incompleteBeta,
  meanInterval,
  METRICS,
  pairedDifference,
  round,
  studentTQuantile,
  studentTUpperTail,
  summarizeVariant,
  verdictOf,
  welchDifference,
  type Direction,
  type ReplicationMetrics,
} from '../../../engine/run/aggregate.js';

/** Standard normal draws from a seeded stream (Box–Muller). */
function normals(seed: number) {
  const s = createStream('test', seed);
  return () => Math.sqrt(-2 * Math.log(1 - s.next())) * Math.cos(2 * Math.PI * s.next());
}

describe('Student t quantiles', () => {
  it.each([
    [1, 12.706],
    [2, 4.303],
    [4, 2.776],
    [9, 2.262],
    [29, 2.045],
    [Infinity, 1.96],
  ])('t(0.975, %s) = %s', (df, expected) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(expected, 3);
  });

  // Reference values: mpmath (30 digits) root of I_{df/(df+t²)}(df/2, 1/2)/2 = 0.025, and closed forms.
  it.each([
    [0.975, 1, Math.tan(Math.PI * 0.475)], // df 1 is Cauchy: tan(π(p − ½))
    [0.995, 1, Math.tan(Math.PI * 0.495)],
    [0.975, 2, 0.95 / Math.sqrt(2 * 0.975 * 0.025)], // df 2: (2p − 1) / √(2p(1 − p))
    [0.975, 4, 2.7764451051977943],
    [0.975, 9, 2.2621571627982055],
    [0.975, 29, 2.0452296421327043],
    [0.975, 2.5, 3.5746548420036831], // real df (Welch)
    [0.975, Infinity, 1.959963984540054],
    [0.995, Infinity, 2.5758293035489004],
  ])('p=%s df=%s to 12 significant digits', (p, df, expected) => {
    expect(Math.abs(studentTQuantile(p, df) / expected - 1)).toBeLessThan(1e-12);
  });

  it('is odd around p = 0.5 and continuous where large df switch to the normal expansion', () => {
    expect(studentTQuantile(0.5, 3)).toBe(0);
    expect(studentTQuantile(0.025, 7)).toBe(-studentTQuantile(0.975, 7));
    expect(Math.abs(studentTQuantile(0.975, 99_999) - studentTQuantile(0.975, 100_001))).toBeLessThan(1e-8);
    expect(studentTQuantile(0.975, 1e9)).toBeCloseTo(1.959963984540054, 8);
  });

  it('inverts the tail: P(T > t(p, df)) = 1 − p', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.5001, max: 0.9999, noNaN: true }), fc.double({ min: 0.5, max: 5000, noNaN: true }), (p, df) => {
        const t = studentTQuantile(p, df);
        expect(Math.abs(studentTUpperTail(t, df) / (1 - p) - 1)).toBeLessThan(1e-9);
      }),
      { seed: 6, numRuns: 200 },
    );
  });

  it('incomplete beta: closed forms I_x(1, b) = 1 − (1 − x)^b and I_x(a, 1) = x^a', () => {
    for (const x of [0.01, 0.3, 0.5, 0.9]) {
      expect(incompleteBeta(x, 1, 3.5)).toBeCloseTo(1 - (1 - x) ** 3.5, 13);
      expect(incompleteBeta(x, 2.25, 1)).toBeCloseTo(x ** 2.25, 13);
    }
  });

  it('rejects impossible arguments', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(0.9, 0)).toThrow(RangeError);
  });
});

describe('mean and confidence interval', () => {
  it('small samples by hand; n = 1 has no interval; nulls are left out', () => {
    const e = meanInterval([1, 2, 3, null, 4, 5]);
    expect(e.n).toBe(5);
    expect(e.mean).toBe(3);
    expect(e.sd).toBeCloseTo(Math.sqrt(2.5), 14);
    const half = 2.7764451051977943 * Math.sqrt(2.5 / 5);
    expect(e.ci![0]).toBeCloseTo(3 - half, 12);
    expect(e.ci![1]).toBeCloseTo(3 + half, 12);
    expect(meanInterval([7])).toEqual({ n: 1, mean: 7, sd: null, ci: null });
    expect(meanInterval([])).toEqual({ n: 0, mean: null, sd: null, ci: null });
    expect(meanInterval([2, 2, 2]).ci).toEqual([2, 2]);
  });

  it.each([
    [10, 0.935, 0.965],
    [3, 0.935, 0.965],
  ])('2,000 samples of n = %s normal draws: the 95 percent CI covers the true mean %s–%s of the time', (n, low, high) => {
    const z = normals(2024 + n);
    let covered = 0;
    let coveredByZ = 0;
    const samples = 2000;
    for (let i = 0; i < samples; i++) {
      const xs = Array.from({ length: n }, () => 10 + 3 * z());
      const e = meanInterval(xs);
      if (e.ci![0] <= 10 && 10 <= e.ci![1]) covered++;
      const halfZ = 1.959963984540054 * (e.sd! / Math.sqrt(n));
      if (Math.abs(e.mean! - 10) <= halfZ) coveredByZ++;
    }
    expect(covered / samples).toBeGreaterThanOrEqual(low);
    expect(covered / samples).toBeLessThanOrEqual(high);
    // The test can tell: with n = 3 a normal quantile instead of t covers far less (~80%).
    if (n === 3) expect(coveredByZ / samples).toBeLessThan(0.9);
  });
});

describe('paired and unpaired differences', () => {
  /** Replications share a large common component (common random numbers); the variant adds +1. */
  function correlated(seed: number, n: number) {
    const z = normals(seed);
    const base: number[] = [];
    const variant: number[] = [];
    for (let i = 0; i < n; i++) {
      const common = 20 * z();
      base.push(100 + common + z());
      variant.push(101 + common + z());
    }
    return { base, variant };
  }

  it('paired CI is narrower than the unpaired one on positively correlated data, and finds the effect', () => {
    const { base, variant } = correlated(11, 10);
    const p = pairedDifference(base, variant);
    const w = welchDifference(base, variant);
    expect(p.mean).toBeCloseTo(w.mean!, 10); // same point estimate with complete pairs
    const pw = p.ci![1] - p.ci![0];
    const ww = w.ci![1] - w.ci![0];
    expect(pw).toBeLessThan(ww / 5);
    expect(p.ci![0]).toBeGreaterThan(0); // excludes zero: the +1 is detected
    expect(w.ci![0]).toBeLessThan(0); // the unpaired interval cannot see it
  });

  it('the same holds for arbitrary seeds (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 3, max: 30 }), (seed, n) => {
        const { base, variant } = correlated(seed, n);
        const p = pairedDifference(base, variant);
        const w = welchDifference(base, variant);
        expect(p.ci![1] - p.ci![0]).toBeLessThan(w.ci![1] - w.ci![0]);
      }),
      { seed: 7, numRuns: 100 },
    );
  });

  it('pairs only replications present in both; Welch uses every value of each side', () => {
    const p = pairedDifference([1, null, 3, 5], [2, 9, null, 7]);
    expect(p.n).toBe(2);
    expect(p.mean).toBe(1.5);
    const w = welchDifference([1, 2, 3], [2, 4, 6, 8]);
    expect(w.n).toEqual([3, 4]);
    expect(w.mean).toBe(3);
    // Welch–Satterthwaite: v1 = 1/3, v2 = (20/3)/4; df = (v1 + v2)² / (v1²/2 + v2²/3)
    const v1 = 1 / 3;
    const v2 = 20 / 3 / 4;
    expect(w.df).toBeCloseTo((v1 + v2) ** 2 / (v1 ** 2 / 2 + v2 ** 2 / 3), 12);
    expect(welchDifference([1], [2, 3]).ci).toBeNull();
  });
});

describe('verdicts are direction-aware', () => {
  it.each<[[number, number] | null, Direction, string]>([
    [[0.001, 0.003], 'higher', 'better'], // availability up
    [[0.001, 0.003], 'lower', 'worse'], // latency up
    [[-5, -1], 'lower', 'better'], // latency down
    [[-5, -1], 'higher', 'worse'], // availability down
    [[-1, 2], 'higher', 'no significant difference'],
    [[-1, 2], 'lower', 'no significant difference'],
    [[0, 2], 'lower', 'no significant difference'], // touching zero is not excluding it
    [[3, 3], 'lower', 'worse'], // zero-variance difference
    [[0, 0], 'higher', 'no significant difference'],
    [null, 'higher', 'no significant difference'],
  ])('%j with %s better → %s', (ci, better, verdict) => {
    expect(verdictOf(ci, better)).toBe(verdict);
  });
});

// ---------------------------------------------------------------------------------------------
// report.json pieces, from real recorder output

/** A run: `ok` requests of `latency` seconds and `timeouts` timed-out ones, optionally a rollout. */
function run(ok: number, timeouts: number, latency: number, rolloutS: number | null = null): RunMetricsJSON {
  const r = new Recorder({ duration: 10 });
  for (let i = 0; i < ok; i++) r.request(1, 1 + latency, 'ok', 0);
  for (let i = 0; i < timeouts; i++) r.request(2, 4, 'timeout', 0);
  if (rolloutS !== null) r.setRollout({ duration: rolloutS, minAvailable: 3, maxPods: 5 });
  return r.toJSON();
}

const reps = (list: RunMetricsJSON[], from = 0): ReplicationMetrics[] => list.map((metrics, i) => ({ replication: from + i, metrics }));

describe('variants[].summary', () => {
  const runs = reps([run(990, 10, 0.02, 30), run(995, 5, 0.03, 40), run(1000, 0, 0.025, null)]);

  it('mean ± CI per metric, rounded by unit; metrics without a value count fewer replications', () => {
    const s = summarizeVariant(runs);
    expect(s.replications).toBe(3);
    expect(s.confidence).toBe(0.95);
    expect(Object.keys(s.metrics)).toEqual(METRICS.map((m) => m.id));
    const half = 4.302652729749464 * (0.005 / Math.sqrt(3));
    expect(s.metrics.availability).toEqual({ n: 3, mean: 0.995, sd: 0.005, ci95: [round(0.995 - half, 8), round(0.995 + half, 8)] });
    expect(s.metrics['failures.timeout']).toMatchObject({ n: 3, mean: 5, sd: 5 });
    expect(s.metrics['failures.refused']).toEqual({ n: 3, mean: 0, sd: 0, ci95: [0, 0] });
    expect(s.metrics['rollout.duration']).toMatchObject({ n: 2, mean: 35 });
    expect(s.metrics['latency.p50'].mean).toBeCloseTo(25, 1);
    expect(s.pooled?.requests).toMatchObject({ total: 3000, ok: 2985, failed: 15 });
    expect(s.pooled?.availability).toBe(0.995);
  });

  it('is byte-stable whatever the order the runs arrive in', () => {
    const a = JSON.stringify(summarizeVariant(runs));
    const b = JSON.stringify(summarizeVariant([...runs].reverse()));
    expect(b).toBe(a);
  });

  it('one replication: means without intervals', () => {
    const s = summarizeVariant(runs.slice(0, 1));
    expect(s.metrics.availability).toEqual({ n: 1, mean: 0.99, sd: null, ci95: null });
  });
});

describe('scenarios[].comparison', () => {
  const baseline = reps([run(990, 10, 0.02, 30), run(980, 20, 0.03, 40), run(995, 5, 0.025, 35)]);
  // Same replications, each with fewer failures and faster: better on every count.
  const better = reps([run(998, 2, 0.018, 20), run(990, 10, 0.026, 31), run(1000, 0, 0.022, 26)]);
  const same = baseline;

  it('pairs by replication against the first variant, with verdicts', () => {
    const c = compareVariants([
      { name: 'base', runs: baseline },
      { name: 'better', runs: better },
      { name: 'same', runs: same },
    ])!;
    expect(c.baseline).toBe('base');
    expect(c.variants.map((v) => v.variant)).toEqual(['better', 'same']);
    const b = c.variants[0]!;
    expect(b.pairs).toBe(3);
    expect(b.metrics.availability).toMatchObject({ better: 'higher', n: 3, baseline: 0.98833333, variant: 0.996, difference: 0.00766667, verdict: 'better' });
    expect(b.metrics.failures).toMatchObject({ better: 'lower', verdict: 'better', difference: -7.667 });
    expect(b.metrics['latency.p99'].verdict).toBe('better');
    expect(b.metrics['rollout.duration']).toMatchObject({ difference: -9.333, verdict: 'better' });
    expect(b.metrics.availability.relative).toBeCloseTo(0.00766667 / 0.98833333, 3);
    // The unpaired interval of the same data is wider.
    const paired = b.metrics.availability.ci95!;
    const unpaired = b.metrics.availability.unpaired.ci95!;
    expect(paired[1] - paired[0]).toBeLessThan(unpaired[1] - unpaired[0]);
    expect(c.variants[1]!.metrics.availability).toMatchObject({ difference: 0, ci95: [0, 0], verdict: 'no significant difference' });
  });

  it('runs missing on either side are not paired; a single pair has no interval and says why', () => {
    const c = compareVariants([
      { name: 'base', runs: baseline.slice(0, 2) },
      { name: 'v', runs: [better[1]!, { replication: 7, metrics: run(1, 0, 0.01) }] },
    ])!;
    const a = c.variants[0]!.metrics.availability;
    expect(c.variants[0]!.pairs).toBe(1);
    expect(a).toMatchObject({ n: 1, ci95: null, verdict: 'no significant difference' });
    expect(a.reason).toMatch(/1 paired replication/);
    expect(compareVariants([{ name: 'only', runs: baseline }])).toBeNull();
  });

  it('relative change is null against a zero baseline', () => {
    const m = compareMetric({ better: 'lower', unit: 'requests' }, [0, 0, 0], [2, 2, 3]);
    expect(m).toMatchObject({ baseline: 0, variant: 2.333, difference: 2.333, relative: null, verdict: 'worse' });
    expect(compareMetric({ better: 'lower', unit: 'requests' }, [0, 0, 0], [1, 2, 3]).verdict).toBe('no significant difference');
  });

  it('is byte-stable for the same input', () => {
    const input = [
      { name: 'base', runs: baseline },
      { name: 'better', runs: [...better].reverse() },
    ];
    expect(JSON.stringify(compareVariants(input))).toBe(JSON.stringify(compareVariants([input[0]!, { name: 'better', runs: better }])));
  });
});
