import { describe, expect, it } from 'vitest';
import { constant } from '../../../engine/kernel/distributions.js';
import { Kubelet, type RuntimeChange } from '../../../engine/cluster/kubelet.js';
import { addNode } from '../../../engine/cluster/nodes.js';
import { deletePod } from '../../../engine/cluster/pods.js';
import type { Container, Pod } from '../../../engine/cluster/objects.js';
import { getCondition } from '../../../engine/cluster/objects.js';
import { createPod, eventsOf, isReady, makeContext, probe, round, timeline, type Harness } from './nodeside-harness.js';

const GiB = 1024 ** 3;

/** A one-node cluster with a kubelet; the default image starts in 5 s (constant). */
function cluster(config = {}): { ctx: Harness; kubelet: Kubelet } {
  const ctx = makeContext(config);
  addNode(ctx, { name: 'node-1', cpu: 4, memory: 8 * GiB });
  const kubelet = new Kubelet(ctx);
  return { ctx, kubelet };
}

function recordRuntime(kubelet: Kubelet): Array<[number, string]> {
  const log: Array<[number, string]> = [];
  kubelet.onRuntimeChange((c: RuntimeChange) => log.push([round(c.t), c.what]));
  return log;
}

describe('Kubelet: start-up and readiness timing (§4.2, §4.3)', () => {
  // Pod bound at t=0 (probe tickers anchored there), container listening at t=5.
  const cases: Array<{ name: string; container: Partial<Container>; image?: { healthy?: boolean }; readyAt: number | null }> = [
    { name: 'no readiness probe: Ready as soon as started', container: {}, readyAt: 5 },
    { name: 'readiness, initialDelay 0: immediate run on start', container: { readinessProbe: probe() }, readyAt: 5 },
    { name: 'absent probe fields use the sheet defaults', container: { readinessProbe: { httpGet: { port: 8080 } } as never }, readyAt: 5 },
    { name: 'initialDelay 3: start+3=8 rounds up to tick 10', container: { readinessProbe: probe({ initialDelaySeconds: 3 }) }, readyAt: 10 },
    { name: 'initialDelay 7: 12 rounds up to tick 20', container: { readinessProbe: probe({ initialDelaySeconds: 7 }) }, readyAt: 20 },
    { name: 'initialDelay 15: exactly on tick 20', container: { readinessProbe: probe({ initialDelaySeconds: 15 }) }, readyAt: 20 },
    { name: 'initialDelay 5, period 3: 10 rounds up to tick 12', container: { readinessProbe: probe({ initialDelaySeconds: 5, periodSeconds: 3 }) }, readyAt: 12 },
    { name: 'successThreshold 2: second success on the next tick', container: { readinessProbe: probe({ successThreshold: 2 }) }, readyAt: 10 },
    { name: 'startupProbe gates readiness until its first success (tick 10)', container: { startupProbe: probe(), readinessProbe: probe() }, readyAt: 10 },
    { name: 'startupProbe period 2: started at tick 6', container: { startupProbe: probe({ periodSeconds: 2 }), readinessProbe: probe() }, readyAt: 6 },
    { name: 'unhealthy image never turns Ready', container: { readinessProbe: probe() }, image: { healthy: false }, readyAt: null },
    { name: 'tcpSocket probe only checks the port: unhealthy image is Ready', container: { readinessProbe: probe({ httpGet: undefined, tcpSocket: { port: 8080 } }) }, image: { healthy: false }, readyAt: 5 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { ctx } = cluster();
      if (c.image) ctx.images.set('web:v1', c.image);
      const pod = createPod(ctx, 'web-1', { nodeName: 'node-1', container: c.container });
      const tl = timeline(ctx, 60, () => isReady(pod));
      expect(tl).toEqual(c.readyAt === null ? [[0, false]] : [[0, false], [c.readyAt, true]]);
      if (c.readyAt !== null) {
        expect(getCondition(pod.status.conditions, 'Ready')?.lastTransitionTime).toBe(c.readyAt);
        expect(getCondition(pod.status.conditions, 'ContainersReady')?.status).toBe('True');
      }
      expect(pod.status.phase).toBe('Running');
      expect(pod.status.containerStatuses[0]!.state.running?.startedAt).toBe(5);
    });
  }

  it('sets PodScheduled, an IP and container states; startup samples from stream startup/<image>', () => {
    const { ctx } = cluster();
    ctx.images.set('web:v1', { startup: { kind: 'x', mean: 0, variance: 0, sample: (s) => 3 + s.next() } });
    const a = createPod(ctx, 'a', { nodeName: 'node-1' });
    const b = createPod(ctx, 'b', { nodeName: 'node-1' });
    ctx.sim.run({ until: 0 });
    expect(getCondition(a.status.conditions, 'PodScheduled')?.status).toBe('True');
    expect([a.status.podIP, b.status.podIP]).toEqual(['10.244.0.2', '10.244.0.3']);
    expect(a.status.phase).toBe('Pending');
    expect(a.status.containerStatuses[0]!.state.waiting?.reason).toBe('ContainerCreating');
    ctx.sim.run({ until: 10 });
    const s = a.status.containerStatuses[0]!;
    expect(s.started && s.ready).toBe(true);
    expect(s.state.running!.startedAt).toBeGreaterThanOrEqual(3);
    expect(s.state.running!.startedAt).toBeLessThan(4);
    expect(ctx.random.names()).toContain('startup/web:v1');
    expect(eventsOf(ctx, 'Started').map((e) => e.message)).toEqual(['Started container app', 'Started container app']);
  });

  it('waits for a node before running pods bound to it, and numbers IPs per node', () => {
    const ctx = makeContext();
    new Kubelet(ctx);
    addNode(ctx, { name: 'node-1', cpu: 4, memory: 8 * GiB });
    addNode(ctx, { name: 'node-2', cpu: 4, memory: 8 * GiB });
    const a = createPod(ctx, 'a', { nodeName: 'node-2' });
    const b = createPod(ctx, 'b', { nodeName: 'node-1' });
    ctx.sim.run({ until: 6 });
    expect([a.status.podIP, b.status.podIP]).toEqual(['10.244.1.2', '10.244.0.2']);
    expect(isReady(a) && isReady(b)).toBe(true);
  });
});

describe('Kubelet: readiness failure and recovery (§4.3 detection latencies)', () => {
  const cases = [
    { name: 'defaults: 3 failures at ticks 30, 40, 50', fields: {}, notReadyAt: 50, failures: 3 },
    { name: 'failureThreshold 1: first failing tick 30', fields: { failureThreshold: 1 }, notReadyAt: 30, failures: 1 },
    { name: 'period 5, failureThreshold 2: ticks 25, 30', fields: { periodSeconds: 5, failureThreshold: 2 }, notReadyAt: 30, failures: 2 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { ctx, kubelet } = cluster();
      const pod = createPod(ctx, 'web-1', { nodeName: 'node-1', container: { readinessProbe: probe(c.fields) } });
      ctx.sim.schedule(23, () => kubelet.setProbeHealth(pod.metadata.uid, false));
      ctx.sim.schedule(61, () => kubelet.setProbeHealth(pod.metadata.uid, undefined));
      const tl = timeline(ctx, 80, () => isReady(pod));
      const period = c.fields.periodSeconds ?? 10;
      const recoveredAt = Math.ceil(61 / period) * period; // one success on the next tick (§4.3)
      expect(tl).toEqual([[0, false], [5, true], [c.notReadyAt, false], [recoveredAt, true]]);
      const unhealthy = eventsOf(ctx, 'Unhealthy');
      const failingTicks: number[] = [];
      for (let t = 0; t < 61; t += period) if (t > 23) failingTicks.push(t);
      expect(unhealthy.map((e) => e.t)).toEqual(failingTicks); // one Unhealthy event per failed probe
      expect(unhealthy[0]!.message).toBe('Readiness probe failed: HTTP probe failed with statuscode: 503');
      expect(unhealthy[0]!.type).toBe('Warning');
      expect(eventsOf(ctx, 'Killing')).toEqual([]); // readiness never kills
    });
  }
});

describe('Kubelet: liveness and startup probes kill and restart (§4.3, §4.5)', () => {
  it('liveness: killed after failureThreshold periods, first restart immediate, the next one after 10 s', () => {
    const { ctx, kubelet } = cluster();
    const pod = createPod(ctx, 'web-1', { nodeName: 'node-1', container: { livenessProbe: probe() } });
    const log = recordRuntime(kubelet);
    ctx.sim.schedule(12, () => kubelet.setProbeHealth(pod.metadata.uid, false));
    const tl = timeline(ctx, 100, () => [isReady(pod), pod.status.containerStatuses[0]!.restartCount]);
    // failing ticks 20, 30, 40 → kill at 40 → restart at once → listening at 45;
    // the new container fails on ticks 50, 60, 70 → kill at 70 → back-off 10 s → restart at 80 → listening at 85.
    expect(tl).toEqual([
      [0, [false, 0]],
      [5, [true, 0]],
      [40, [false, 1]],
      [45, [true, 1]],
      [70, [false, 1]],
      [80, [false, 2]],
      [85, [true, 2]],
    ]);
    expect(log.filter(([, w]) => w === 'listening').map(([t]) => t)).toEqual([5, 45, 85]);
    expect(log.filter(([t]) => t === 40).map(([, w]) => w)).toEqual(['stopping', 'sigterm', 'stopped-listening', 'exited']);
    expect(eventsOf(ctx, 'Killing').map((e) => [e.t, e.message])).toEqual([
      [40, 'Container app failed liveness probe, will be restarted'],
      [70, 'Container app failed liveness probe, will be restarted'],
    ]);
    expect(eventsOf(ctx, 'Unhealthy').map((e) => e.t)).toEqual([20, 30, 40, 50, 60, 70, 90, 100]);
    expect(eventsOf(ctx, 'Unhealthy')[0]!.message).toMatch(/^Liveness probe failed: /);
    expect(eventsOf(ctx, 'BackOff').map((e) => e.t)).toEqual([70]);
  });

  it('liveness kill honours preStop and the probe-level terminationGracePeriodSeconds', () => {
    const { ctx, kubelet } = cluster();
    kubelet.attachDataPlane({ inFlight: () => 1 }); // never idle: only SIGKILL ends it
    ctx.images.set('web:v1', { drainTimeout: 1000 });
    const pod = createPod(ctx, 'web-1', {
      nodeName: 'node-1',
      container: { livenessProbe: probe({ terminationGracePeriodSeconds: 8 }), lifecycle: { preStop: { sleep: { seconds: 3 } } } },
    });
    const log = recordRuntime(kubelet);
    ctx.sim.schedule(12, () => kubelet.setProbeHealth(pod.metadata.uid, false));
    ctx.sim.run({ until: 60 });
    expect(log.filter(([t]) => t >= 40 && t <= 50)).toEqual([
      [40, 'stopping'],
      [43, 'sigterm'],
      [43, 'stopped-listening'],
      [48, 'killed'],
    ]);
    expect(pod.status.containerStatuses[0]!.restartCount).toBe(1);
  });

  it('startup probe failure kills the container; liveness waits for startup', () => {
    const { ctx, kubelet } = cluster();
    ctx.images.set('web:v1', { healthy: false });
    const pod = createPod(ctx, 'web-1', {
      nodeName: 'node-1',
      container: { startupProbe: probe({ failureThreshold: 2 }), livenessProbe: probe({ failureThreshold: 1 }) },
    });
    const log = recordRuntime(kubelet);
    ctx.sim.run({ until: 25 });
    // startup ticks 10, 20 fail → killed at 20 (liveness, threshold 1, never ran: not started)
    expect(eventsOf(ctx, 'Killing').map((e) => [e.t, e.message])).toEqual([[20, 'Container app failed startup probe, will be restarted']]);
    expect(eventsOf(ctx, 'Unhealthy').map((e) => e.message.split(':')[0])).toEqual(['Startup probe failed', 'Startup probe failed']);
    expect(log.map(([t, w]) => `${t}:${w}`)).toEqual(['5:listening', '20:stopping', '20:sigterm', '20:stopped-listening', '20:exited', '25:listening']);
    expect(pod.status.containerStatuses[0]!.started).toBe(false);
  });
});

describe('Kubelet: CrashLoopBackOff (§4.5)', () => {
  /**
   * Crashes the container 1 s after each of its first `crashes` starts; returns the restart delays
   * (exit → restart; a restart begins `startup` = 2 s before the container listens).
   */
  function crashLoop(crashes: number, extra: (ctx: Harness, kubelet: Kubelet, pod: Pod, listenTimes: number[]) => void = () => {}) {
    const { ctx, kubelet } = cluster();
    ctx.images.set('web:v1', { startup: constant(2) });
    const pod = createPod(ctx, 'web-1', { nodeName: 'node-1' });
    const listenTimes: number[] = [];
    const crashTimes: number[] = [];
    kubelet.onRuntimeChange((c) => {
      if (c.what === 'crashed') crashTimes.push(c.t);
      if (c.what !== 'listening') return;
      listenTimes.push(c.t);
      if (listenTimes.length <= crashes) ctx.sim.after(1, () => kubelet.crashContainer(pod.metadata.uid));
    });
    extra(ctx, kubelet, pod, listenTimes);
    ctx.sim.run({ until: 5000 });
    const delays = crashTimes.map((t, i) => (listenTimes[i + 1] === undefined ? NaN : round(listenTimes[i + 1]! - 2 - t)));
    return { ctx, pod, delays, listenTimes, crashTimes };
  }

  it('restart delays 0, 10, 20, 40, 80, 160, 300, 300 measured from the exit', () => {
    const { ctx, pod, delays } = crashLoop(8);
    expect(delays).toEqual([0, 10, 20, 40, 80, 160, 300, 300]);
    expect(pod.status.containerStatuses[0]!.restartCount).toBe(8);
    expect(eventsOf(ctx, 'BackOff')).toHaveLength(7);
    expect(eventsOf(ctx, 'BackOff')[0]!.message).toBe(
      `Back-off restarting failed container app in pod web-1_default(${pod.metadata.uid})`,
    );
  });

  it('shows waiting CrashLoopBackOff and Ready=False while backing off', () => {
    const { ctx, kubelet } = cluster();
    ctx.images.set('web:v1', { startup: constant(2) });
    const pod = createPod(ctx, 'web-1', { nodeName: 'node-1' });
    ctx.sim.schedule(10, () => kubelet.crashContainer(pod.metadata.uid)); // restart at once
    ctx.sim.schedule(20, () => kubelet.crashContainer(pod.metadata.uid)); // back-off 10 s
    ctx.sim.run({ until: 25 });
    expect(pod.status.containerStatuses[0]!.state.waiting?.reason).toBe('CrashLoopBackOff');
    expect(isReady(pod)).toBe(false);
    expect(pod.status.phase).toBe('Running');
    ctx.sim.run({ until: 30 });
    expect(pod.status.containerStatuses[0]!.state.waiting?.reason).toBe('ContainerCreating');
    ctx.sim.run({ until: 32 });
    expect(isReady(pod)).toBe(true);
  });

  const resets = [
    { name: 'clean run of 500 s after the last restart: still backing off (300 s)', cleanFor: 500, next: [300, 300] },
    { name: 'clean run of 598 s (exit 600 s after the restart): still backing off', cleanFor: 598, next: [300, 300] },
    { name: 'clean run of 700 s: entry expired, immediate restart, then 10 s', cleanFor: 700, next: [0, 10] },
  ];
  for (const r of resets) {
    it(`reset after 600 s: ${r.name}`, () => {
      const { delays } = crashLoop(8, (ctx, kubelet, pod, listenTimes) => {
        let armed = false;
        kubelet.onRuntimeChange((c) => {
          if (c.what !== 'listening') return;
          if (listenTimes.length === 9 && !armed) {
            armed = true;
            ctx.sim.after(r.cleanFor, () => kubelet.crashContainer(pod.metadata.uid));
          }
          if (listenTimes.length === 10) ctx.sim.after(1, () => kubelet.crashContainer(pod.metadata.uid));
        });
      });
      expect(delays.slice(0, 8)).toEqual([0, 10, 20, 40, 80, 160, 300, 300]);
      expect(delays.slice(8, 10)).toEqual(r.next);
    });
  }

  it('crashes come from meanTimeBetweenCrashes on stream crash/<image>, reproducibly', () => {
    const run = (seed: number) => {
      const ctx = makeContext({}, seed);
      addNode(ctx, { name: 'node-1', cpu: 4, memory: 8 * GiB });
      const kubelet = new Kubelet(ctx);
      ctx.images.set('web:v1', { meanTimeBetweenCrashes: 200 });
      const pod = createPod(ctx, 'web-1', { nodeName: 'node-1' });
      const crashes: number[] = [];
      kubelet.onRuntimeChange((c) => c.what === 'crashed' && crashes.push(c.t));
      ctx.sim.run({ until: 3000 });
      return { crashes, restarts: pod.status.containerStatuses[0]!.restartCount, streams: ctx.random.names() };
    };
    const a = run(7);
    expect(a.crashes.length).toBeGreaterThan(3);
    expect(a.restarts).toBe(a.crashes.length);
    expect(a.streams).toContain('crash/web:v1');
    expect(run(7)).toEqual(a);
    expect(run(8).crashes).not.toEqual(a.crashes);
  });
});

describe('Kubelet: graceful termination (§4.6)', () => {
  interface Case {
    name: string;
    shutdown?: 'immediate' | 'drain';
    preStop?: Container['lifecycle'];
    preStopDuration?: number;
    grace?: number;
    deleteGrace?: number;
    /** undefined: no data plane attached. */
    inFlight?: number;
    idleAt?: number;
    drainTimeout?: number;
    expected: Array<[number, string]>;
    removedAt: number;
    phase: 'Succeeded' | 'Failed';
  }
  // Pod listening at 5, deleted at 10.
  const cases: Case[] = [
    { name: 'immediate, no preStop', shutdown: 'immediate', expected: [[10, 'stopping'], [10, 'sigterm'], [10, 'stopped-listening'], [10, 'exited']], removedAt: 10, phase: 'Succeeded' },
    { name: 'preStop sleep 5 then SIGTERM', shutdown: 'immediate', preStop: { preStop: { sleep: { seconds: 5 } } }, expected: [[10, 'stopping'], [15, 'sigterm'], [15, 'stopped-listening'], [15, 'exited']], removedAt: 15, phase: 'Succeeded' },
    { name: 'exec preStop takes behavior.preStopDuration (8 s)', shutdown: 'immediate', preStop: { preStop: { exec: { command: ['sh'] } } }, preStopDuration: 8, expected: [[10, 'stopping'], [18, 'sigterm'], [18, 'stopped-listening'], [18, 'exited']], removedAt: 18, phase: 'Succeeded' },
    { name: 'drain without a data plane exits at once', shutdown: 'drain', expected: [[10, 'stopping'], [10, 'sigterm'], [10, 'stopped-listening'], [10, 'exited']], removedAt: 10, phase: 'Succeeded' },
    { name: 'drain with nothing in flight exits at once', shutdown: 'drain', inFlight: 0, expected: [[10, 'stopping'], [10, 'sigterm'], [10, 'stopped-listening'], [10, 'exited']], removedAt: 10, phase: 'Succeeded' },
    { name: 'drain exits when the data plane reports idle', shutdown: 'drain', inFlight: 4, idleAt: 17, expected: [[10, 'stopping'], [10, 'sigterm'], [10, 'stopped-listening'], [17, 'exited']], removedAt: 17, phase: 'Succeeded' },
    { name: 'drain gives up after drainTimeout', shutdown: 'drain', inFlight: 4, drainTimeout: 5, expected: [[10, 'stopping'], [10, 'sigterm'], [10, 'stopped-listening'], [15, 'exited']], removedAt: 15, phase: 'Succeeded' },
    { name: 'drain still busy at grace expiry: SIGKILL at 30 s', shutdown: 'drain', inFlight: 4, drainTimeout: 100, expected: [[10, 'stopping'], [10, 'sigterm'], [10, 'stopped-listening'], [40, 'killed']], removedAt: 40, phase: 'Failed' },
    { name: 'grace includes preStop: sleep 10 + busy drain → SIGKILL at 30', shutdown: 'drain', inFlight: 4, drainTimeout: 100, preStop: { preStop: { sleep: { seconds: 10 } } }, expected: [[10, 'stopping'], [20, 'sigterm'], [20, 'stopped-listening'], [40, 'killed']], removedAt: 40, phase: 'Failed' },
    { name: 'preStop overruns grace: SIGTERM at 30, one-off +2 s, SIGKILL at 32', shutdown: 'drain', inFlight: 4, drainTimeout: 100, preStop: { preStop: { sleep: { seconds: 45 } } }, expected: [[10, 'stopping'], [40, 'sigterm'], [40, 'stopped-listening'], [42, 'killed']], removedAt: 42, phase: 'Failed' },
    { name: 'preStop exactly the grace period also gets the +2 s', shutdown: 'drain', inFlight: 4, drainTimeout: 100, preStop: { preStop: { sleep: { seconds: 30 } } }, expected: [[10, 'stopping'], [40, 'sigterm'], [40, 'stopped-listening'], [42, 'killed']], removedAt: 42, phase: 'Failed' },
    { name: 'custom grace 12 from terminationGracePeriodSeconds', shutdown: 'drain', inFlight: 4, drainTimeout: 100, grace: 12, expected: [[10, 'stopping'], [10, 'sigterm'], [10, 'stopped-listening'], [22, 'killed']], removedAt: 22, phase: 'Failed' },
    { name: 'grace 0: killed and removed at once, preStop skipped', shutdown: 'drain', inFlight: 4, preStop: { preStop: { sleep: { seconds: 5 } } }, deleteGrace: 0, expected: [[10, 'stopping'], [10, 'killed']], removedAt: 10, phase: 'Failed' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { ctx, kubelet } = cluster();
      ctx.images.set('web:v1', {
        shutdown: c.shutdown ?? 'drain',
        drainTimeout: c.drainTimeout ?? 30,
        preStopDuration: constant(c.preStopDuration ?? 0),
      });
      if (c.inFlight !== undefined) kubelet.attachDataPlane({ inFlight: () => c.inFlight! });
      const pod = createPod(ctx, 'web-1', {
        nodeName: 'node-1',
        container: c.preStop ? { lifecycle: c.preStop } : {},
        spec: { terminationGracePeriodSeconds: c.grace ?? 30 },
      });
      const log = recordRuntime(kubelet);
      const uid = pod.metadata.uid;
      ctx.sim.schedule(10, () => deletePod(ctx, pod, c.deleteGrace));
      if (c.idleAt !== undefined) ctx.sim.schedule(c.idleAt, () => kubelet.reportIdle(uid));
      let removedAt: number | undefined;
      let phaseAtRemoval: string | undefined;
      ctx.store.watch('Pod', (type, p) => {
        if (type === 'DELETED' && p === pod) {
          removedAt = ctx.sim.now;
          phaseAtRemoval = p.status.phase;
        }
      });
      const outcomes: Array<[number, string]> = [];
      ctx.sim.schedule(10.5, () => outcomes.push([10.5, kubelet.connect(uid)]));
      ctx.sim.run({ until: 100 });
      expect(log.filter(([t]) => t >= 10)).toEqual(c.expected);
      expect(removedAt).toBe(c.removedAt);
      expect(phaseAtRemoval).toBe(c.phase);
      expect(ctx.store.get('Pod', 'web-1')).toBeUndefined();
      expect(kubelet.connect(uid)).toBe('blackhole'); // the pod IP is gone (§4.7)
      // Between deletion and the stop signal the app still accepts connections; after it, refused.
      const sigtermAt = c.expected.find(([, what]) => what !== 'stopping')![0];
      expect(outcomes[0]![1]).toBe(c.removedAt <= 10.5 ? 'blackhole' : sigtermAt <= 10.5 ? 'refused' : 'accept');
      const killing = eventsOf(ctx, 'Killing');
      expect(killing.map((e) => [e.t, e.message])).toEqual([[10, 'Stopping container app']]);
    });
  }

  it('the pod stays Ready (serving) while preStop runs, and turns NotReady when its readiness fails after SIGTERM', () => {
    const { ctx, kubelet } = cluster();
    kubelet.attachDataPlane({ inFlight: () => 1 });
    ctx.images.set('web:v1', { shutdown: 'drain', drainTimeout: 1000 });
    const pod = createPod(ctx, 'web-1', {
      nodeName: 'node-1',
      spec: { terminationGracePeriodSeconds: 60 },
      container: { readinessProbe: probe(), lifecycle: { preStop: { sleep: { seconds: 12 } } } },
    });
    ctx.sim.schedule(10, () => deletePod(ctx, pod));
    const tl = timeline(ctx, 80, () => (ctx.store.get('Pod', 'web-1') ? isReady(pod) : 'gone'));
    // SIGTERM at 22 (stops listening); readiness ticks 30, 40, 50 fail → NotReady at 50; SIGKILL at 70.
    expect(tl).toEqual([[0, false], [5, true], [50, false], [70, 'gone']]);
  });

  it('a pod deleted while its container is still starting is removed without waiting for the grace period', () => {
    const { ctx, kubelet } = cluster();
    const log = recordRuntime(kubelet);
    const pod = createPod(ctx, 'web-1', { nodeName: 'node-1' });
    ctx.sim.schedule(2, () => deletePod(ctx, pod));
    ctx.sim.run({ until: 50 });
    expect(ctx.store.get('Pod', 'web-1')).toBeUndefined();
    expect(log).toEqual([]);
  });

  it('a pod object removed from under the kubelet kills its container', () => {
    const { ctx, kubelet } = cluster();
    const log = recordRuntime(kubelet);
    const pod = createPod(ctx, 'web-1', { nodeName: 'node-1' });
    ctx.sim.schedule(8, () => ctx.store.remove(pod));
    ctx.sim.run({ until: 50 });
    expect(log).toEqual([[5, 'listening'], [8, 'killed']]);
    expect(kubelet.isListening(pod.metadata.uid)).toBe(false);
  });

  it('releases the pod IP for reuse after removal', () => {
    const { ctx } = cluster();
    const a = createPod(ctx, 'a', { nodeName: 'node-1' });
    ctx.sim.run({ until: 6 });
    deletePod(ctx, a, 0);
    ctx.sim.run({ until: 7 });
    const b = createPod(ctx, 'b', { nodeName: 'node-1' });
    ctx.sim.run({ until: 8 });
    expect(b.status.podIP).toBe('10.244.0.2');
  });
});
