import { describe, expect, it } from 'vitest';
import { erlangCMeanResponse } from '../../support/erlang.js';
import { BatchSink, behavior, constant, exponential, openClient, servicePlane } from '../../support/dataplane.js';

/**
 * Queueing-theory validation of the data plane. With uniform random balancing per request (no
 * keep-alive), Poisson arrivals at λ and exponential service at μ per slot, each of N pods is an
 * M/M/k queue at λ/N, so the mean response time must match Erlang-C within the run's statistical error
 * (a 99.9% batch-means interval after a warm-up).
 */
describe('random balancing over M/M/k pods agrees with Erlang-C', () => {
  const MU = 100; // per slot: 10 ms mean service
  it.each([
    [1, 0.5],
    [1, 0.8],
    [1, 0.95],
    [4, 0.5],
    [4, 0.8],
    [4, 0.95],
  ])('k = %d, rho = %d', (k, rho) => {
    const N = 10;
    const lam = rho * N * k * MU;
    // ~0.9M requests after warm-up, twice that at high load where batches correlate longer
    const horizon = (rho >= 0.95 ? 2_000_000 : 1_000_000) / lam;
    const warmup = horizon * 0.1;
    const sink = new BatchSink(warmup, horizon);
    const { sim, plane } = servicePlane({
      pods: N,
      behavior: behavior({ concurrency: k, queue: 1_000_000, serviceTime: exponential(1 / MU) }),
      until: horizon,
      sink,
      seed: 7 + k,
    });
    plane.addClient(openClient({ rate: lam }));
    sim.run();
    const expected = erlangCMeanResponse(lam / N, k, MU);
    const { mean, half } = sink.mean();
    expect(sink.outcomes[0]).toBe(sink.total); // nothing but ok
    expect(Math.abs(mean - expected)).toBeLessThanOrEqual(half);
    expect(half / expected).toBeLessThan(rho >= 0.95 ? 0.2 : 0.05); // and the interval is informative
  });
});

describe('round robin with constant arrivals and service', () => {
  it('gives exact, queue-free latencies', () => {
    const sink = new BatchSink(0, 9.995, 20, true);
    const { sim, plane } = servicePlane({
      pods: 4,
      behavior: behavior({ concurrency: 1, queue: 10, serviceTime: constant(0.03) }),
      proxy: { mode: 'ipvs', scheduler: 'rr', syncDelay: constant(0), minSyncPeriod: 0 },
      until: 9.995, // sends at 0.01, 0.02, …, 9.99 (float sums stay clear of the end)
      sink,
    });
    // 100 req/s over 4 pods: each pod gets one every 40 ms and serves it in 30 ms
    plane.addClient(openClient({ rate: 100, arrivals: 'constant' }));
    sim.run();
    expect(sink.total).toBe(999);
    expect(sink.latencies.every((l) => Math.abs(l - 0.03) < 1e-9)).toBe(true);
    expect(sink.perPod).toEqual([250, 250, 250, 249]);
  });
});
