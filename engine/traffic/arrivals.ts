import type { RandomStream } from '../kernel/random.js';

/**
 * Open-workload arrival processes: a rate profile λ(t) (requests per second over simulated time) and a
 * spacing rule. Poisson arrivals with a time-varying rate use thinning (Lewis & Shedler): candidates at
 * the profile's peak rate, each kept with probability λ(t)/λmax, which is exact for any bounded λ(t).
 * Constant spacing sends at 1/λ(t) intervals. Replayed timestamps are sent exactly as given.
 */
export interface RateProfile {
  /** Requests per second at time t (before the client's `set-rate` multiplier). */
  rateAt(t: number): number;
  /** An upper bound of rateAt over all t (for thinning). */
  readonly maxRate: number;
  /** True when rateAt is maxRate at every t: Poisson arrivals then need no thinning draw. */
  readonly constant?: boolean;
}

export type RateShape =
  | { type: 'constant' }
  | { type: 'ramp'; from: number; to: number; start: number; duration: number }
  | { type: 'steps'; steps: Array<{ at: number; rate: number }> }
  | { type: 'spike'; at: number; duration: number; rate: number }
  | { type: 'diurnal'; period: number; min: number; max: number; peakAt: number }
  | { type: 'replay-rates'; interval: number; rates: number[] };

/**
 * Builds a profile from a base rate and a shape. `ramp` goes linearly from `from` to `to` between
 * start and start + duration (base rate before, `to` after); `steps` sets the rate at each `at`;
 * `spike` uses `rate` during [at, at + duration); `diurnal` is a cosine between min and max with the
 * peak at `peakAt` (mod period); `replay-rates` holds `rates[i]` during [i·interval, (i+1)·interval).
 */
export function rateProfile(base: number, shape: RateShape = { type: 'constant' }): RateProfile {
  switch (shape.type) {
    case 'constant':
      return { rateAt: () => base, maxRate: base, constant: true };
    case 'ramp': {
      const { from, to, start, duration } = shape;
      return {
        rateAt: (t) => (t < start ? base : t >= start + duration ? to : from + ((to - from) * (t - start)) / duration),
        maxRate: Math.max(base, from, to),
      };
    }
    case 'steps': {
      const steps = [...shape.steps].sort((a, b) => a.at - b.at);
      return {
        rateAt: (t) => {
          let r = base;
          for (const s of steps) if (s.at <= t) r = s.rate;
          return r;
        },
        maxRate: Math.max(base, ...steps.map((s) => s.rate)),
      };
    }
    case 'spike': {
      const { at, duration, rate } = shape;
      return { rateAt: (t) => (t >= at && t < at + duration ? rate : base), maxRate: Math.max(base, rate) };
    }
    case 'diurnal': {
      const { period, min, max, peakAt } = shape;
      const mid = (min + max) / 2, amp = (max - min) / 2;
      return { rateAt: (t) => mid + amp * Math.cos((2 * Math.PI * (t - peakAt)) / period), maxRate: Math.max(min, max) };
    }
    case 'replay-rates': {
      const { interval, rates } = shape;
      return {
        rateAt: (t) => rates[Math.min(rates.length - 1, Math.max(0, Math.floor(t / interval)))] ?? 0,
        maxRate: Math.max(0, ...rates),
      };
    }
  }
}

/** Produces the intended send times of an open workload, one at a time (O(1) memory). */
export interface ArrivalProcess {
  /** The next arrival strictly after `t` (or at `t` for the first call at 0), Infinity when none. */
  next(t: number): number;
}

/**
 * Arrivals with exponential gaps at the profile's rate times `multiplier()`: thinning for a varying
 * rate; for a constant profile one draw per arrival (every candidate would be kept, so the acceptance
 * draw is skipped — this consumes the stream differently from thinning, on purpose).
 */
export function poissonArrivals(profile: RateProfile, rng: RandomStream, multiplier: () => number = () => 1): ArrivalProcess {
  if (profile.constant === true) {
    const rate = profile.maxRate;
    return {
      next(t) {
        const lambda = rate * multiplier();
        return lambda > 0 ? t - Math.log(1 - rng.next()) / lambda : Infinity;
      },
    };
  }
  return {
    next(t) {
      const m = multiplier();
      const lmax = profile.maxRate * m;
      if (!(lmax > 0)) return Infinity;
      for (let i = 0; i < 1_000_000; i++) {
        t += -Math.log(1 - rng.next()) / lmax;
        if (rng.next() * lmax < profile.rateAt(t) * m) return t;
      }
      return Infinity; // the rate is ~0 for a very long stretch
    },
  };
}

/** Evenly spaced arrivals: the next one 1/λ(t) after the previous. */
export function constantArrivals(profile: RateProfile, multiplier: () => number = () => 1): ArrivalProcess {
  return {
    next(t) {
      const r = profile.rateAt(t) * multiplier();
      return r > 0 ? t + 1 / r : probeNextPositive(profile, t, multiplier);
    },
  };
}

/** Replays explicit timestamps (seconds, ascending). */
export function replayArrivals(times: ArrayLike<number>): ArrivalProcess {
  let i = 0;
  return {
    next(t) {
      while (i < times.length && times[i]! < t) i++;
      return i < times.length ? times[i++]! : Infinity;
    },
  };
}

/** When the rate is 0, look ahead in 1 s steps for the time it turns positive (bounded search). */
function probeNextPositive(profile: RateProfile, t: number, multiplier: () => number): number {
  for (let k = 1; k <= 86_400; k++) if (profile.rateAt(t + k) * multiplier() > 0) return t + k;
  return Infinity;
}
