import { describe, expect, it } from 'vitest';
import { OUTCOME_INDEX as O } from '../../../engine/metrics/outcomes.js';
import { BatchSink, behavior, constant, iptables, openClient, servicePlane } from '../../support/dataplane.js';

const ep = (pod: number, ready = true, serving = ready, terminating = false) => ({ pod, ready, serving, terminating });

describe('outcomes', () => {
  it('no endpoints → no_endpoints at once', () => {
    const sink = new BatchSink(0, 1, 1, true);
    const { sim, plane } = servicePlane({ pods: 1, behavior: behavior({}), until: 0.95, sink });
    plane.observeEndpoints('default/web', [], true);
    plane.addClient(openClient({ rate: 10, arrivals: 'constant' }));
    sim.run();
    expect(sink.outcomes[O.no_endpoints]).toBe(9);
    expect(sink.total).toBe(9);
  });

  it('a full queue → overload; a slow pod → timeout from the intended send time', () => {
    const sink = new BatchSink(0, 1, 1, true);
    const { sim, plane } = servicePlane({ pods: 1, behavior: behavior({ concurrency: 1, queue: 1, serviceTime: constant(0.25) }), until: 0.95, sink });
    // sends at 0.1 … 0.9; one in service, one queued, the rest rejected while both are taken
    plane.addClient(openClient({ rate: 10, arrivals: 'constant', timeout: 0.4 }));
    sim.run();
    const o = sink.outcomes;
    expect(o.reduce((a, b) => a + b, 0)).toBe(9);
    expect(o[O.overload]).toBeGreaterThan(0);
    expect(o[O.timeout]).toBeGreaterThan(0);
    expect(o[O.ok]! + o[O.overload]! + o[O.timeout]!).toBe(9);
  });

  it('a stale endpoint of a pod that stopped listening → refused until the proxy syncs', () => {
    const sink = new BatchSink(0, 4, 1, true);
    const { sim, plane, pods } = servicePlane({
      pods: 2,
      behavior: behavior({ serviceTime: constant(0.001) }),
      proxy: { ...iptables(constant(2)), minSyncPeriod: 1 },
      until: 4,
      sink,
    });
    plane.addClient(openClient({ rate: 100, arrivals: 'constant' }));
    sim.schedule(1, () => {
      plane.setListening(pods[1]!, false); // SIGTERM, no preStop
      plane.observeEndpoints('default/web', [ep(pods[0]!), ep(pods[1]!, false, true, true)]);
    });
    sim.run();
    expect(sink.outcomes[O.refused]).toBeGreaterThan(50); // ~half of 2 s of traffic at 100/s
    expect(sink.outcomes[O.refused]).toBeLessThan(150);
    expect(plane.proxy('default/web')!.programmed()).toEqual([pods[0]]);
  });

  it('killing a pod resets what it had in flight', () => {
    const sink = new BatchSink(0, 2, 1, true);
    const { sim, plane, pods } = servicePlane({ pods: 1, behavior: behavior({ concurrency: 4, queue: 10, serviceTime: constant(0.5) }), until: 2, sink });
    plane.addClient(openClient({ rate: 10, arrivals: 'constant', stop: 0.35 }));
    sim.schedule(0.45, () => plane.kill(pods[0]!));
    sim.run();
    expect(sink.outcomes[O.reset]).toBe(3);
  });

  it('an app error rate of 1 answers every request with app_error', () => {
    const sink = new BatchSink(0, 1, 1, true);
    const { sim, plane } = servicePlane({ pods: 2, behavior: behavior({ errorRate: 1 }), until: 1, sink });
    plane.addClient(openClient({ rate: 50, arrivals: 'constant' }));
    sim.run();
    expect(sink.outcomes[O.app_error]).toBe(sink.total);
  });

  it('an unreachable node swallows requests: they time out', () => {
    const sink = new BatchSink(0, 2, 1, true);
    const { sim, plane, pods } = servicePlane({ pods: 1, behavior: behavior({}), until: 0.95, sink });
    plane.setUnreachable(pods[0]!, true);
    plane.addClient(openClient({ rate: 10, arrivals: 'constant', timeout: 0.5 }));
    sim.run();
    expect(sink.outcomes[O.timeout]).toBe(9);
  });
});

describe('keep-alive connections', () => {
  it('pin requests to the pod chosen when the connection opened (§5.8)', () => {
    const sink = new BatchSink(0, 5, 1, true);
    const { sim, plane, pods } = servicePlane({ pods: 4, behavior: behavior({ serviceTime: constant(0.001) }), until: 5, sink });
    // one source, sequential requests: a single connection serves everything
    plane.addClient(openClient({ rate: 20, arrivals: 'constant', keepAlive: { enabled: true, maxRequests: Infinity, maxAge: Infinity }, sources: 1 }));
    sim.run();
    const used = sink.perPod.filter((n) => (n ?? 0) > 0);
    expect(used.length).toBe(1);
    expect(plane.connections.open).toBe(1);
    void pods;
  });

  it('keep hitting a terminating pod removed from endpoints until the connection ends', () => {
    const sink = new BatchSink(0, 5, 1, true);
    const { sim, plane, pods } = servicePlane({ pods: 2, behavior: behavior({ serviceTime: constant(0.001) }), until: 5, sink });
    plane.addClient(openClient({ rate: 20, arrivals: 'constant', keepAlive: { enabled: true, maxRequests: Infinity, maxAge: Infinity }, sources: 1 }));
    let pinned = -1;
    sim.schedule(1, () => {
      pinned = sink.perPod.findIndex((n) => (n ?? 0) > 0);
      plane.observeEndpoints('default/web', pods.filter((p) => p !== pinned).map((p) => ep(p)));
    });
    const before = () => sink.perPod[pinned] ?? 0;
    let atTwo = 0;
    sim.schedule(2, () => (atTwo = before()));
    sim.schedule(3, () => plane.drain(pinned, () => {})); // server closes the connection on SIGTERM
    sim.run();
    expect(atTwo).toBeGreaterThan(30); // still served through the old connection after removal
    const other = pods.find((p) => p !== pinned)!;
    expect(sink.perPod[other]).toBeGreaterThan(30); // after the drain closed it, a new connection went elsewhere
    expect(sink.outcomes[O.ok]).toBe(sink.total);
  });

  it('maxRequests bounds requests per connection', () => {
    const sink = new BatchSink(0, 5, 1, true);
    const { sim, plane } = servicePlane({ pods: 4, behavior: behavior({ serviceTime: constant(0.001) }), until: 5, sink });
    plane.addClient(openClient({ rate: 20, arrivals: 'constant', keepAlive: { enabled: true, maxRequests: 10, maxAge: Infinity }, sources: 1 }));
    sim.run();
    expect(sink.perPod.filter((n) => (n ?? 0) > 0).length).toBeGreaterThan(1);
  });
});

describe('retries', () => {
  it('a request refused at t = 0 succeeds at the retry after 0.1 + 0.2 + 0.4 s; latency counts from the first send', () => {
    const sink = new BatchSink(0, 3, 1, true);
    const { sim, plane, pods } = servicePlane({ pods: 1, behavior: behavior({ serviceTime: constant(0.01) }), until: 3, sink });
    plane.setListening(pods[0]!, false);
    sim.schedule(0.5, () => plane.setListening(pods[0]!, true));
    plane.addClient(openClient({ rate: 0, replay: [0], retries: { max: 10, backoff: 0.1, maxBackoff: 1, jitter: 0, on: ['refused'] } }));
    sim.run();
    expect(sink.total).toBe(1);
    expect(sink.outcomes[O.ok]).toBe(1);
    expect(sink.latencies[0]).toBeCloseTo(0.71, 9);
  });
});

describe('balancing', () => {
  it.each([
    ['None', 5],
    ['ClientIP', 1],
  ] as const)('sessionAffinity %s: one source reaches %d pod(s)', (sessionAffinity, podsUsed) => {
    const sink = new BatchSink(0, 5, 1, true);
    const { sim, plane } = servicePlane({
      pods: 5,
      behavior: behavior({ serviceTime: constant(0.001) }),
      until: 5,
      sink,
      affinity: { sessionAffinity, timeoutSeconds: 10800 },
    });
    plane.addClient(openClient({ rate: 50, arrivals: 'constant', sources: 1 }));
    sim.run();
    expect(sink.perPod.filter((n) => (n ?? 0) > 0).length).toBe(podsUsed);
  });

  it('ClientIP affinity expires after timeoutSeconds without use', () => {
    const sink = new BatchSink(0, 100, 1, true);
    const { sim, plane } = servicePlane({
      pods: 5,
      behavior: behavior({ serviceTime: constant(0.001) }),
      until: 100,
      sink,
      affinity: { sessionAffinity: 'ClientIP', timeoutSeconds: 1 },
    });
    plane.addClient(openClient({ rate: 0.5, arrivals: 'constant', sources: 1 })); // every 2 s > timeout
    sim.run();
    expect(sink.perPod.filter((n) => (n ?? 0) > 0).length).toBe(5);
  });

  it('IPVS lc sends new connections to the pod with the fewest', () => {
    const sink = new BatchSink(0, 1, 1, true);
    const { sim, plane } = servicePlane({
      pods: 3,
      behavior: behavior({ concurrency: 100, serviceTime: constant(10) }),
      proxy: { mode: 'ipvs', scheduler: 'lc', syncDelay: constant(0), minSyncPeriod: 0 },
      until: 0.99, // 29 sends
      sink,
    });
    plane.addClient(openClient({ rate: 30, arrivals: 'constant' }));
    sim.run({ until: 1 });
    expect([...plane.servers.connections.subarray(0, 3)]).toEqual([10, 10, 9]);
  });
});

describe('closed workloads', () => {
  it('users wait for the response, then think, then send again', () => {
    const sink = new BatchSink(0, 10, 1, true);
    const { sim, plane } = servicePlane({ pods: 2, behavior: behavior({ serviceTime: constant(0.1) }), until: 10, sink });
    plane.addClient({ ...openClient({ rate: 0 }), users: 4, thinkTime: constant(0.4) });
    sim.run({ until: 10 });
    // each user: 0.1 s service + 0.4 s think per request → ~20 requests in 10 s (first send staggered)
    expect(sink.total).toBeGreaterThanOrEqual(4 * 19);
    expect(sink.total).toBeLessThanOrEqual(4 * 20);
    expect(sink.latencies.every((l) => Math.abs(l - 0.1) < 1e-9)).toBe(true);
  });

  it('a user whose requests fail at once does not loop at one instant (1 ms round trip)', () => {
    const sink = new BatchSink(0, 2, 1, true);
    const { sim, plane } = servicePlane({ pods: 1, behavior: behavior({}), until: 2, sink });
    plane.observeEndpoints('default/web', [], true);
    plane.addClient({ ...openClient({ rate: 0 }), users: 3 });
    sim.run({ until: 2 });
    expect(sink.outcomes[O.no_endpoints]).toBe(sink.total);
    expect(sink.total).toBeGreaterThan(3 * 1990);
    expect(sink.total).toBeLessThanOrEqual(3 * 2001); // t = 0, 0.001, … (float sums may fit one more before 2 s)
  });
});

describe('pod queue ring (grows on demand up to `queue`)', () => {
  const burst = (queue: number, service = 0.1, until = 0.0605) => {
    const order: number[] = [];
    const outcomes: number[] = [];
    const sink = { request: (sentAt: number, _endedAt: number, outcome: number) => void (outcome === O.ok ? order.push(sentAt) : outcomes.push(outcome)) };
    // 60 arrivals 1 ms apart at one pod with one slot and 100 ms service: all but the first queue up
    const { sim, plane } = servicePlane({ pods: 1, behavior: behavior({ concurrency: 1, queue, serviceTime: constant(service) }), until, sink });
    plane.addClient(openClient({ rate: 1000, arrivals: 'constant', timeout: 60 }));
    sim.run();
    return { order, outcomes };
  };

  it('keeps FIFO order across growth (60 queued behind one slot, capacity 100)', () => {
    const { order, outcomes } = burst(100);
    expect(outcomes).toEqual([]);
    expect(order).toHaveLength(60);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('keeps FIFO order when the ring grows while its head has moved (arrivals at twice the service rate)', () => {
    const { order, outcomes } = burst(1000, 0.002, 0.2005);
    expect(outcomes).toEqual([]);
    expect(order).toHaveLength(200);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('still rejects at the configured capacity (1 in service + 20 queued; the rest overload)', () => {
    const { order, outcomes } = burst(20);
    expect(order).toHaveLength(21);
    expect(outcomes).toEqual(Array(39).fill(O.overload));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});
