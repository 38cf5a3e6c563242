import type { Distribution } from '../kernel/distributions.js';
import type { RandomStream } from '../kernel/random.js';
import type { RateShape } from './arrivals.js';

/**
 * A population of virtual clients sending requests to one Service.
 * Open workloads send at a rate regardless of responses (arrivals: poisson | constant, an optional
 * rate shape, or replayed timestamps); closed workloads are `users` that each wait for a response and
 * then think before the next request.
 */
export interface ClientSpec {
  name: string;
  service: string;
  namespace: string;
  /** Open workload: requests per second (base of the shape). */
  rate?: number;
  arrivals: 'poisson' | 'constant';
  shape?: RateShape;
  /** Open workload replaying these send times (seconds) instead of a rate. */
  replay?: number[];
  /** Closed workload: number of users, and the think time between a response and the next request. */
  users?: number;
  thinkTime?: Distribution;
  /** Client timeout per attempt, seconds. */
  timeout: number;
  retries: RetryPolicy;
  keepAlive: KeepAlive;
  /** Distinct client addresses (session affinity and IPVS sh hash on them). */
  sources: number;
  /** Sending window in simulated seconds (default: the whole run). */
  start: number;
  stop: number;
}

export interface RetryPolicy {
  /** Retries after the first attempt (0 = none). */
  max: number;
  /** First backoff; attempt k waits base · 2^(k−1), capped at maxBackoff. */
  backoff: number;
  maxBackoff: number;
  /** Fraction of the backoff randomised: wait · (1 − jitter · U), U uniform in [0, 1) ("equal"/full jitter at 0.5/1). */
  jitter: number;
  /** Outcomes that are retried. */
  on: ReadonlyArray<string>;
}

export interface KeepAlive {
  enabled: boolean;
  /** Requests per connection before the client closes it (Infinity = no limit). */
  maxRequests: number;
  /** Connection age after which it is not reused (Infinity = no limit). */
  maxAge: number;
}

export function defaultRetryPolicy(): RetryPolicy {
  return { max: 0, backoff: 0.1, maxBackoff: 5, jitter: 0.5, on: ['no_endpoints', 'refused', 'reset', 'overload'] };
}

export function defaultKeepAlive(): KeepAlive {
  return { enabled: false, maxRequests: Infinity, maxAge: Infinity };
}

/** The wait before retry number `attempt` (1-based). */
export function backoffDelay(policy: RetryPolicy, attempt: number, rng: RandomStream): number {
  const base = Math.min(policy.maxBackoff, policy.backoff * 2 ** (attempt - 1));
  return base * (1 - policy.jitter * rng.next());
}
