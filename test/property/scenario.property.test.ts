import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenarioFiles } from '../../engine/scenario/load.js';
import { runScenarios } from '../../engine/run/run.js';
import { FAILURE_OUTCOMES } from '../../engine/metrics/outcomes.js';
import { webDeploymentYaml } from '../support/web-deployment.js';
import { DATA_PLANE_PROBE, type DataPlane } from '../../engine/traffic/dataplane.js';
import { OUTCOMES } from '../../engine/metrics/outcomes.js';

/**
 * Whole scenarios, generated: random strategies, probes, preStop hooks, grace periods, behaviours
 * (crashes, unhealthy versions, immediate/drain shutdown), proxy modes, open/closed/keep-alive traffic
 * and timelines mixing every action. Every run must finish without throwing and keep the accounting
 * invariants: each request ends in exactly one outcome, availability = ok / total, and rollouts report
 * consistent bounds. (Its ad-hoc predecessor found a crash — set-rate on a closed workload — and a
 * hang: closed users looping at one instant while every request failed at once.)
 */
const dir = mkdtempSync(path.join(tmpdir(), 'kubesim-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const action = fc.oneof(
  fc.record({ at: fc.nat(25), k: fc.constant('set-image'), v: fc.constantFrom(1, 2, 3) }).map((a) => `{at: ${a.at}s, action: set-image, target: deployment/web, image: app=app:${a.v}}`),
  fc.record({ at: fc.nat(25), n: fc.constantFrom(1, 2) }).map((a) => `{at: ${a.at}s, action: delete-pod, target: deployment/web, count: ${a.n}}`),
  fc.record({ at: fc.nat(25), n: fc.constantFrom(0, 1, 4, 7) }).map((a) => `{at: ${a.at}s, action: scale, target: deployment/web, replicas: ${a.n}}`),
  fc.nat(25).map((at) => `{at: ${at}s, action: rollout-undo, target: deployment/web}`),
  fc.nat(25).map((at) => `{at: ${at}s, action: rollout-pause, target: deployment/web}`),
  fc.nat(25).map((at) => `{at: ${at}s, action: rollout-resume, target: deployment/web}`),
  fc.record({ at: fc.nat(25), d: fc.constantFrom(3, 40) }).map((a) => `{at: ${a.at}s, action: fail-node, target: node/*, duration: ${a.d}s}`),
  fc.nat(25).map((at) => `{at: ${at}s, action: drain-node, target: node/node-1}`),
  fc.nat(25).map((at) => `{at: ${at}s, action: delete-pod, target: deployment/web, count: 1, every: 6s}`),
);
const image = fc
  .record({
    startup: fc.constantFrom('1s', '4s', '{dist: uniform, min: 1s, max: 6s}'),
    service: fc.constantFrom('5ms', '{p50: 20ms, p99: 300ms}'),
    concurrency: fc.constantFrom(1, 4, 16),
    queue: fc.constantFrom(0, 5, 100),
    shutdown: fc.constantFrom('drain', 'immediate'),
    healthy: fc.constantFrom(true, true, false),
    errorRate: fc.constantFrom(0, 0.1),
    crashes: fc.constantFrom('1h', '15s'),
  })
  .map((i) => `{startup: ${i.startup}, serviceTime: ${i.service}, concurrency: ${i.concurrency}, queue: ${i.queue}, shutdown: ${i.shutdown}, healthy: ${i.healthy}, errorRate: ${i.errorRate}, meanTimeBetweenCrashes: ${i.crashes}}`);

const scenario = fc.record({
  replicas: fc.constantFrom(0, 1, 2, 3, 6),
  strategy: fc.constantFrom('{type: Recreate}', '{type: RollingUpdate, rollingUpdate: {maxSurge: 0, maxUnavailable: 1}}', '{type: RollingUpdate, rollingUpdate: {maxSurge: "50%", maxUnavailable: 0}}', '{}'),
  probe: fc.constantFrom('', 'readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 2}', 'livenessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 3, failureThreshold: 1}'),
  preStop: fc.constantFrom('', 'lifecycle: {preStop: {sleep: {seconds: 3}}}', 'lifecycle: {preStop: {exec: {command: [sleep, "40"]}}}'),
  grace: fc.constantFrom(0, 2, 30),
  minReady: fc.constantFrom(0, 2),
  publish: fc.boolean(),
  affinity: fc.constantFrom('None', 'ClientIP'),
  nodes: fc.constantFrom(1, 2, 3),
  start: fc.constantFrom('warm', 'cold'),
  proxy: fc.constantFrom('{mode: iptables, syncDelay: 1s}', '{mode: ipvs, scheduler: lc, syncDelay: {dist: exponential, mean: 500ms}}', '{mode: ipvs, scheduler: sh, syncDelay: 0s}'),
  traffic: fc.constantFrom(
    '{name: t, service: web, rate: 100/s, timeout: 1s}',
    '{name: t, service: web, users: 10, thinkTime: 10ms, timeout: 500ms, retries: {max: 3, backoff: 10ms}}',
    '{name: t, service: web, users: 5, timeout: 2s}',
    '{name: t, service: web, rate: 50/s, keepAlive: {maxRequests: 20}, arrivals: constant, shape: {type: spike, at: 10s, duration: 5s, factor: 4}}',
  ),
  images: fc.tuple(image, image, image),
  actions: fc.array(action, { maxLength: 5 }),
});

/**
 * Counts requests at their sources, apart from the recorder: each logical request where the data plane
 * creates it, and its terminal outcome where the client's view of it ends (DATA_PLANE_PROBE). The
 * recorder increments its total and the outcome in one call, so its own counters always add up; these
 * catch a request that ends twice, one that never ends (lost: not in flight at the end either), an
 * outcome for a request never sent, and a recorder that files an outcome under the wrong key.
 */
class OutcomeLedger {
  plane: DataPlane | undefined;
  created = 0;
  readonly open = new Set<number>();
  readonly problems: string[] = [];
  readonly byOutcome = new Array<number>(OUTCOMES.length).fill(0);

  attach(plane: DataPlane) {
    if (this.plane !== undefined) this.problems.push('more than one data plane in one run');
    this.plane = plane;
    return {
      created: (id: number) => {
        this.created++;
        if (this.open.has(id)) this.problems.push(`request ${id} created twice`);
        this.open.add(id);
      },
      ended: (id: number, outcome: number) => {
        if (!this.open.delete(id)) this.problems.push(`request ${id} ended without being open (a second outcome, or never sent)`);
        this.byOutcome[outcome]!++;
      },
    };
  }

  /** Requests created but not ended must still be waited for by their client at the end of the run. */
  inFlightAtEnd(): Set<number> {
    const live = new Set<number>();
    const req = this.plane!.requests;
    for (let r = 0; r < req.capacity; r++) if (req.clientOwned[r] === 1) live.add(req.id[r]!);
    return live;
  }
}

describe('generated scenarios', () => {
  it('always finish, and every request ends in exactly one outcome (counted at the source, not by the recorder)', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const file = path.join(dir, `s${n++}.yaml`);
        writeFileSync(
          file,
          `${webDeploymentYaml({
            replicas: s.replicas,
            progressDeadlineSeconds: 20,
            minReadySeconds: s.minReady,
            strategy: s.strategy,
            terminationGracePeriodSeconds: s.grace,
            container: [s.probe, s.preStop],
          })}---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  publishNotReadyAddresses: ${s.publish}
  sessionAffinity: ${s.affinity}
  ports: [{port: 80}]
---
apiVersion: kubesim.dev/v1alpha1
kind: Scenario
metadata: {name: generated}
spec:
  duration: 30s
  cluster: {nodes: ${s.nodes}, proxy: ${s.proxy}, start: ${s.start}}
  images:
    app:1: ${s.images[0]}
    app:2: ${s.images[1]}
    app:3: ${s.images[2]}
  traffic:
    - ${s.traffic}
  timeline: [${s.actions.join(', ')}]
`,
        );
        const ledger = new OutcomeLedger();
        DATA_PLANE_PROBE.install = (plane) => ledger.attach(plane);
        let runs;
        try {
          runs = await runScenarios(loadScenarioFiles([file]).scenarios);
        } finally {
          DATA_PLANE_PROBE.install = undefined;
        }
        const v = runs[0]!.variants[0]!;
        expect(v.failures.map((f) => f.message)).toEqual([]);
        const r = v.runs[0]!;
        const m = r.metrics.requests;
        // independent accounting: no request ended twice or without being sent …
        expect(ledger.problems).toEqual([]);
        // … every request still open at the end is one its client still waits for (none lost) …
        expect([...ledger.open].filter((id) => !ledger.inFlightAtEnd().has(id))).toEqual([]);
        expect(ledger.created).toBe(ledger.byOutcome.reduce((a, b) => a + b, 0) + ledger.open.size);
        // … and the recorder saw exactly the outcomes decided (no warmup here: every request counts)
        expect(OUTCOMES.map((o) => m.byOutcome[o])).toEqual(ledger.byOutcome);
        expect(Object.values(m.byOutcome).reduce((a, b) => a + b, 0)).toBe(m.total);
        expect(m.failed).toBe(m.total - m.ok);
        if (m.total > 0) expect(r.metrics.availability).toBeCloseTo(m.ok / m.total, 12);
        // findings attribute every failed request exactly once (FailureLog windows vs the recorder's counters)
        for (const o of FAILURE_OUTCOMES) {
          expect(r.findings.filter((f) => f.outcome === o).reduce((a, f) => a + f.count, 0), o).toBe(m.byOutcome[o]);
        }
        for (const f of r.findings) expect(f.message).not.toBe('');
        for (const ro of r.rollouts) {
          expect(ro.maxPods).toBeGreaterThanOrEqual(ro.maxActivePods);
          if (ro.outcome === 'complete') expect(ro.durationS).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 60, seed: 4242 },
    );
  });
});
