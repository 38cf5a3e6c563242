import { type Distribution, constant, lognormalFromPercentiles } from '../kernel/distributions.js';

/**
 * How a container image behaves: what the scenario's `images:` section describes. The control plane
 * uses the lifecycle fields (startup, crashes, health, shutdown); the data plane the serving fields.
 */
export interface BehaviorProfile {
  /** Time from pod creation on a node to the container listening (image pull + start). */
  startup: Distribution;
  /** Service time of one request. */
  serviceTime: Distribution;
  /** Requests served at once per pod. */
  concurrency: number;
  /** Requests waiting per pod beyond the busy slots; past it a request is rejected with 503 (overload). */
  queue: number;
  /** Fraction of requests answered with a 5xx (app_error). */
  errorRate: number;
  /** Mean time between crashes of a running container (exponential); Infinity = never crashes. */
  meanTimeBetweenCrashes: number;
  /** Whether the container's health endpoints succeed once it listens; false models a bad version. */
  healthy: boolean;
  /** On SIGTERM: stop listening at once and abandon in-flight work, or stop accepting and drain. */
  shutdown: 'immediate' | 'drain';
  /** Longest time a draining container waits for in-flight requests before it exits. */
  drainTimeout: number;
  /** Duration of an exec/httpGet preStop hook (the built-in sleep action uses its own seconds). */
  preStopDuration: Distribution;
  /** CPU seconds per request (drives CPU utilisation for the HPA). */
  cpuPerRequest: number;
}

/** Defaults for an image the scenario does not describe (documented in scenarios/README.md, "spec.images"). */
export function defaultBehavior(): BehaviorProfile {
  return {
    startup: constant(5),
    serviceTime: lognormalFromPercentiles(0.01, 0.05),
    concurrency: 16,
    queue: 100,
    errorRate: 0,
    meanTimeBetweenCrashes: Infinity,
    healthy: true,
    shutdown: 'drain',
    drainTimeout: 30,
    preStopDuration: constant(0),
    cpuPerRequest: 0.005,
  };
}
