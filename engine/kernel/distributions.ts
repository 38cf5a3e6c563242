import type { RandomStream } from './random.js';
import { parseDuration, UnitError } from './units.js';

/**
 * Probability distributions for durations and sizes. Sampling is stateless (a distribution may be
 * shared by many streams) and draws only from the stream it is given.
 */
export interface Distribution {
  readonly kind: string;
  readonly mean: number;
  readonly variance: number;
  sample(rng: RandomStream): number;
  /** Inverse CDF, where it has a closed form (all but gamma/erlang). */
  quantile?(p: number): number;
}

/** z such that Φ(z) = 0.99. */
const Z99 = 2.3263478740408408;

export function constant(value: number): Distribution {
  return { kind: 'constant', mean: value, variance: 0, sample: () => value, quantile: () => value };
}

export function uniform(min: number, max: number): Distribution {
  check(max >= min, `uniform needs min <= max, got min ${min}, max ${max}`);
  const w = max - min;
  return {
    kind: 'uniform',
    mean: (min + max) / 2,
    variance: (w * w) / 12,
    sample: (rng) => min + w * rng.next(),
    quantile: (p) => min + w * p,
  };
}

export function exponential(mean: number): Distribution {
  check(mean > 0, `exponential needs a positive mean, got ${mean}`);
  return {
    kind: 'exponential',
    mean,
    variance: mean * mean,
    sample: (rng) => -mean * Math.log(1 - rng.next()),
    quantile: (p) => -mean * Math.log(1 - p),
  };
}

export function normal(mean: number, stddev: number): Distribution {
  check(stddev >= 0, `normal needs a non-negative stddev, got ${stddev}`);
  return {
    kind: 'normal',
    mean,
    variance: stddev * stddev,
    sample: (rng) => mean + stddev * standardNormal(rng),
    quantile: (p) => mean + stddev * normalQuantile(p),
  };
}

/** Lognormal with ln X ~ N(mu, sigma²). */
export function lognormal(mu: number, sigma: number): Distribution {
  check(sigma >= 0, `lognormal needs a non-negative sigma, got ${sigma}`);
  const s2 = sigma * sigma;
  return {
    kind: 'lognormal',
    mean: Math.exp(mu + s2 / 2),
    variance: (Math.exp(s2) - 1) * Math.exp(2 * mu + s2),
    sample: (rng) => Math.exp(mu + sigma * standardNormal(rng)),
    quantile: (p) => Math.exp(mu + sigma * normalQuantile(p)),
  };
}

/** The lognormal whose median is p50 and whose 99th percentile is p99 (what users usually know). */
export function lognormalFromPercentiles(p50: number, p99: number): Distribution {
  check(p50 > 0 && p99 >= p50, `{p50, p99} needs 0 < p50 <= p99, got p50 ${p50}, p99 ${p99}`);
  return lognormal(Math.log(p50), (Math.log(p99) - Math.log(p50)) / Z99);
}

/** Gamma with shape k and scale θ (mean kθ), sampled by Marsaglia and Tsang's method. */
export function gamma(shape: number, scale: number): Distribution {
  check(shape > 0 && scale > 0, `gamma needs a positive shape and scale, got shape ${shape}, scale ${scale}`);
  const boost = shape < 1;
  const d = (boost ? shape + 1 : shape) - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  const invShape = 1 / shape;
  return {
    kind: 'gamma',
    mean: shape * scale,
    variance: shape * scale * scale,
    sample(rng) {
      let x: number, v: number, u: number;
      for (;;) {
        do {
          x = standardNormal(rng);
          v = 1 + c * x;
        } while (v <= 0);
        v = v * v * v;
        u = rng.next();
        if (u < 1 - 0.0331 * x * x * x * x) break;
        if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) break;
      }
      let g = d * v * scale;
      if (boost) g *= Math.pow(1 - rng.next(), invShape);
      return g;
    },
  };
}

/** Erlang: the sum of k exponential phases, total mean `mean`. */
export function erlang(k: number, mean: number): Distribution {
  check(Number.isInteger(k) && k >= 1, `erlang needs an integer k >= 1, got ${k}`);
  return { ...gamma(k, mean / k), kind: 'erlang' };
}

/** Pareto (type I) with minimum `scale` and tail index `shape`. */
export function pareto(scale: number, shape: number): Distribution {
  check(scale > 0 && shape > 0, `pareto needs a positive scale and shape, got scale ${scale}, shape ${shape}`);
  const mean = shape > 1 ? (shape * scale) / (shape - 1) : Infinity;
  const variance = shape > 2 ? (scale * scale * shape) / ((shape - 1) ** 2 * (shape - 2)) : Infinity;
  const inv = -1 / shape;
  return {
    kind: 'pareto',
    mean,
    variance,
    sample: (rng) => scale * Math.pow(1 - rng.next(), inv),
    quantile: (p) => scale * Math.pow(1 - p, inv),
  };
}

/**
 * Empirical distribution from a percentile table, e.g. {p0: 5ms, p50: 20ms, p99: 180ms, p100: 400ms}:
 * the quantile function is linear between the given points. The table must include p0 and p100
 * (the minimum and the maximum): a tail cannot be guessed honestly.
 */
export function empirical(points: ReadonlyArray<readonly [percentile: number, value: number]>): Distribution {
  const pts = [...points].sort((a, b) => a[0] - b[0]);
  check(pts.length >= 2, 'empirical needs at least two points (p0 and p100)');
  check(pts[0]![0] === 0 && pts[pts.length - 1]![0] === 100, 'empirical needs p0 (the minimum) and p100 (the maximum)');
  const q = new Float64Array(pts.length), v = new Float64Array(pts.length);
  pts.forEach(([p, val], i) => {
    q[i] = p / 100;
    v[i] = val;
    if (i > 0) {
      check(q[i]! > q[i - 1]!, `empirical percentiles must be distinct, p${p} appears twice`);
      check(val >= v[i - 1]!, `empirical values must not decrease with the percentile (p${p} = ${val})`);
    }
  });
  let mean = 0, m2 = 0;
  for (let i = 1; i < q.length; i++) {
    const w = q[i]! - q[i - 1]!, a = v[i - 1]!, b = v[i]!;
    mean += (w * (a + b)) / 2;
    m2 += (w * (a * a + a * b + b * b)) / 3; // E[X²] of a uniform segment
  }
  const quantile = (p: number): number => {
    let i = 1;
    while (i < q.length - 1 && q[i]! < p) i++;
    const q0 = q[i - 1]!, q1 = q[i]!;
    return v[i - 1]! + ((v[i]! - v[i - 1]!) * (p - q0)) / (q1 - q0);
  };
  return { kind: 'empirical', mean, variance: Math.max(0, m2 - mean * mean), sample: (rng) => quantile(rng.next()), quantile };
}

/** One standard normal deviate (Box–Muller, one output per call: stateless). */
function standardNormal(rng: RandomStream): number {
  const u1 = 1 - rng.next(); // (0, 1]
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  const poly = (k: number[], x: number) => k.reduce((acc, ki) => acc * x + ki, 0);
  if (p < lo) {
    const qq = Math.sqrt(-2 * Math.log(p));
    return poly(c, qq) / (poly(d, qq) * qq + 1);
  }
  if (p > 1 - lo) {
    const qq = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, qq) / (poly(d, qq) * qq + 1);
  }
  const qq = p - 0.5, r = qq * qq;
  return (poly(a, r) * qq) / (poly(b, r) * r + 1);
}

// ---------------------------------------------------------------------------------------------
// From user input

/** A distribution as written in a scenario: a number or duration (constant) or an object. */
export type DistributionSpec = number | string | Record<string, unknown>;

/** Raised for a malformed spec; `path` is the offending key inside the spec (empty for the whole). */
export class DistributionError extends Error {
  override name = 'DistributionError';
  constructor(message: string, readonly path: string[] = []) {
    super(message);
  }
}

const KINDS = ['constant', 'uniform', 'exponential', 'normal', 'lognormal', 'gamma', 'erlang', 'pareto', 'empirical'];

/**
 * Builds a distribution from user input. Values may be numbers or durations (`20ms`). Forms:
 * `20ms` · `{dist: constant, value}` · `{dist: uniform, min, max}` · `{dist: exponential, mean}` ·
 * `{dist: normal, mean, stddev}` · `{dist: lognormal, mu, sigma}` or `{p50, p99}` (dist optional) ·
 * `{dist: gamma, shape, scale | mean}` · `{dist: erlang, k, mean}` · `{dist: pareto, scale, shape}` ·
 * `{dist: empirical, p0, p50, …, p100}`.
 */
export function distributionFrom(spec: DistributionSpec): Distribution {
  if (typeof spec === 'number' || typeof spec === 'string') return constant(num(spec, []));
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new DistributionError('expected a duration or a distribution object like {dist: exponential, mean: 20ms}');
  }
  const kind = spec['dist'] ?? (spec['p50'] !== undefined && spec['p99'] !== undefined && spec['p0'] === undefined ? 'lognormal' : undefined);
  if (typeof kind !== 'string' || !KINDS.includes(kind)) {
    throw new DistributionError(`expected dist to be one of ${KINDS.join(', ')}`, ['dist']);
  }
  const field = (key: string): number => {
    if (spec[key] === undefined) throw new DistributionError(`${kind} needs ${key}`, [key]);
    return num(spec[key], [key]);
  };
  const has = (key: string) => spec[key] !== undefined;
  try {
    switch (kind) {
      case 'constant':
        return constant(field('value'));
      case 'uniform':
        return uniform(field('min'), field('max'));
      case 'exponential':
        return exponential(has('rate') ? 1 / field('rate') : field('mean'));
      case 'normal':
        return normal(field('mean'), field('stddev'));
      case 'lognormal':
        return has('mu') ? lognormal(field('mu'), field('sigma')) : lognormalFromPercentiles(field('p50'), field('p99'));
      case 'gamma':
        return gamma(field('shape'), has('scale') ? field('scale') : field('mean') / field('shape'));
      case 'erlang':
        return erlang(field('k'), field('mean'));
      case 'pareto':
        return pareto(field('scale'), field('shape'));
      default: {
        const points: Array<[number, number]> = [];
        for (const [key, value] of Object.entries(spec)) {
          if (key === 'dist') continue;
          const m = /^p(\d+(?:\.\d+)?)$/.exec(key);
          const p = m ? Number(m[1]) : key === 'min' ? 0 : key === 'max' ? 100 : NaN;
          if (!(p >= 0 && p <= 100)) throw new DistributionError(`expected percentile keys like p0, p50, p99.9, p100`, [key]);
          points.push([p, num(value, [key])]);
        }
        return empirical(points);
      }
    }
  } catch (e) {
    if (e instanceof RangeError) throw new DistributionError(e.message);
    throw e;
  }
}

function num(value: unknown, path: string[]): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    try {
      return parseDuration(value);
    } catch (e) {
      if (e instanceof UnitError) throw new DistributionError(e.message, path);
      throw e;
    }
  }
  throw new DistributionError(`expected a number or a duration, got ${JSON.stringify(value)}`, path);
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}
