import { describe, expect, it } from 'vitest';
import {
  type Distribution,
  DistributionError,
  constant,
  distributionFrom,
  empirical,
  erlang,
  exponential,
  gamma,
  lognormal,
  lognormalFromPercentiles,
  normal,
  normalQuantile,
  pareto,
  uniform,
} from '../../../engine/kernel/distributions.js';
import { createStream } from '../../../engine/kernel/random.js';

/**
 * Statistical checks with honest tolerances. With n samples:
 * - the sample mean is within Z standard errors (σ/√n) of the formula's mean;
 * - the sample variance is within Z standard errors of the formula's variance, the standard error of
 *   s² being √((μ4 − σ⁴)/n), estimated from the sample's fourth central moment;
 * - for a percentile p with formula value q, the number of samples ≤ q is Binomial(n, p): within
 *   Z·√(n p (1 − p)) of n·p (distribution-free).
 * Z = 4.5 makes a false alarm about 1 in 150,000 per check; the seeds are fixed, so runs are repeatable.
 */
const Z = 4.5;
const N = 200_000;

function samples(d: Distribution, seed = 1, n = N): Float64Array {
  const rng = createStream('test', seed);
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = d.sample(rng);
  return xs;
}

function checkMoments(d: Distribution, xs: Float64Array): void {
  const n = xs.length;
  let m = 0;
  for (const x of xs) m += x;
  m /= n;
  let m2 = 0, m4 = 0;
  for (const x of xs) {
    const dx = x - m;
    m2 += dx * dx;
    m4 += dx ** 4;
  }
  m2 /= n - 1;
  m4 /= n;
  expect(Math.abs(m - d.mean)).toBeLessThanOrEqual(Z * Math.sqrt(d.variance / n) + 1e-12);
  expect(Math.abs(m2 - d.variance)).toBeLessThanOrEqual(Z * Math.sqrt(Math.max(m4 - m2 * m2, 0) / n) + 1e-12);
}

function checkCdf(xs: Float64Array, p: number, q: number): void {
  let below = 0;
  for (const x of xs) if (x <= q) below++;
  const n = xs.length;
  expect(Math.abs(below - n * p)).toBeLessThanOrEqual(Z * Math.sqrt(n * p * (1 - p)) + 1);
}

const PS = [0.01, 0.1, 0.5, 0.9, 0.99, 0.999];

describe.each([
  ['uniform(2, 5)', uniform(2, 5)],
  ['exponential(mean 20ms)', exponential(0.02)],
  ['normal(10, 3)', normal(10, 3)],
  ['lognormal(mu -3, sigma 0.6)', lognormal(-3, 0.6)],
  ['lognormal {p50 20ms, p99 180ms}', lognormalFromPercentiles(0.02, 0.18)],
  ['pareto(scale 1, shape 5)', pareto(1, 5)],
  ['empirical {p0 1, p50 2, p90 5, p99 9, p100 20}', empirical([[0, 1], [50, 2], [90, 5], [99, 9], [100, 20]])],
] as const)('%s', (_name, d) => {
  const xs = samples(d, 11);
  it('mean and variance match the formulas', () => checkMoments(d, xs));
  it.each(PS)('percentile %d matches the quantile formula', (p) => checkCdf(xs, p, d.quantile!(p)));
});

describe('gamma and erlang', () => {
  it.each([
    [0.5, 2],
    [1, 1],
    [2.5, 0.4],
    [9, 0.1],
  ])('gamma(shape %d, scale %d) has the formula moments', (k, theta) => checkMoments(gamma(k, theta), samples(gamma(k, theta), 3)));

  // Erlang CDF: 1 − Σ_{i<k} e^{−λx}(λx)^i / i!
  const erlangCdf = (k: number, mean: number, x: number) => {
    const lx = (k / mean) * x;
    let term = Math.exp(-lx), sum = 0;
    for (let i = 0; i < k; i++) {
      sum += term;
      term *= lx / (i + 1);
    }
    return 1 - sum;
  };

  it.each([1, 3, 8])('erlang(k=%d, mean 50ms) follows the Erlang CDF', (k) => {
    const d = erlang(k, 0.05);
    const xs = samples(d, 4);
    checkMoments(d, xs);
    expect(d.kind).toBe('erlang');
    for (const x of [0.01, 0.03, 0.05, 0.08, 0.15]) checkCdf(xs, erlangCdf(k, 0.05, x), x);
  });

  it('rejects a non-integer k', () => expect(() => erlang(1.5, 1)).toThrow(/integer k/));
});

describe('shapes of the user-facing forms', () => {
  it('lognormal from {p50, p99} has exactly those percentiles', () => {
    const d = lognormalFromPercentiles(0.02, 0.18);
    expect(d.quantile!(0.5)).toBeCloseTo(0.02, 12);
    expect(d.quantile!(0.99)).toBeCloseTo(0.18, 9);
  });

  it('constant always returns its value', () => {
    const xs = samples(constant(3), 1, 100);
    expect([...xs].every((x) => x === 3)).toBe(true);
    expect(constant(3).variance).toBe(0);
  });

  it('normal quantile matches known z values', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 8);
    expect(normalQuantile(0.9999)).toBeCloseTo(3.719016485, 7);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
  });

  it('pareto with shape <= 1 has an infinite mean', () => {
    expect(pareto(1, 1).mean).toBe(Infinity);
    expect(pareto(1, 2).variance).toBe(Infinity);
  });

  it('empirical validates its table', () => {
    expect(() => empirical([[50, 1], [100, 2]])).toThrow(/p0/);
    expect(() => empirical([[0, 3], [50, 1], [100, 2]])).toThrow(/must not decrease/);
    expect(() => empirical([[0, 1], [0, 1], [100, 2]])).toThrow(/distinct/);
  });
});

describe('distributionFrom', () => {
  it.each([
    ['20ms', 'constant', 0.02],
    [5, 'constant', 5],
    [{ dist: 'constant', value: '1s' }, 'constant', 1],
    [{ dist: 'uniform', min: '10ms', max: '30ms' }, 'uniform', 0.02],
    [{ dist: 'exponential', mean: '25ms' }, 'exponential', 0.025],
    [{ dist: 'exponential', rate: 40 }, 'exponential', 0.025],
    [{ dist: 'normal', mean: 1, stddev: 0.1 }, 'normal', 1],
    [{ dist: 'lognormal', mu: 0, sigma: 0 }, 'lognormal', 1],
    [{ p50: '20ms', p99: '20ms' }, 'lognormal', 0.02],
    [{ dist: 'gamma', shape: 2, scale: 3 }, 'gamma', 6],
    [{ dist: 'gamma', shape: 2, mean: 3 }, 'gamma', 3],
    [{ dist: 'erlang', k: 2, mean: '2s' }, 'erlang', 2],
    [{ dist: 'pareto', scale: 1, shape: 2 }, 'pareto', 2],
    [{ dist: 'empirical', p0: '0ms', p100: '10ms' }, 'empirical', 0.005],
    [{ dist: 'empirical', min: 0, p50: 1, max: 2 }, 'empirical', 1],
  ] as const)('%j → %s with mean %d', (spec, kind, mean) => {
    const d = distributionFrom(spec as never);
    expect(d.kind).toBe(kind);
    expect(d.mean).toBeCloseTo(mean, 9);
  });

  it.each([
    [{ dist: 'zipf' }, ['dist'], /one of constant, uniform/],
    [{ mean: 1 }, ['dist'], /one of/],
    [{ dist: 'exponential' }, ['mean'], /exponential needs mean/],
    [{ dist: 'exponential', mean: 'soon' }, ['mean'], /duration like/],
    [{ dist: 'exponential', mean: -1 }, [], /positive mean/],
    [{ dist: 'uniform', min: 1, max: [2] }, ['max'], /number or a duration/],
    [{ dist: 'empirical', p0: 0, median: 1, p100: 2 }, ['median'], /percentile keys/],
    [{ p50: '50ms', p99: '10ms' }, [], /p50 <= p99/],
  ])('%j fails at %j', (spec, path, message) => {
    try {
      distributionFrom(spec as never);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DistributionError);
      expect((e as DistributionError).path).toEqual(path);
      expect((e as Error).message).toMatch(message);
    }
  });

  it('rejects arrays and non-objects', () => {
    expect(() => distributionFrom([1, 2] as never)).toThrow(/distribution object/);
    expect(() => distributionFrom(true as never)).toThrow(/distribution object/);
  });
});
