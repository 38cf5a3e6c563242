import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenarioFiles } from '../../engine/scenario/load.js';
import { simulate } from '../../engine/run/simulate.js';
import { webDeploymentYaml } from '../support/web-deployment.js';
import { resolveFenceposts } from '../../engine/cluster/controllers/deployment/fenceposts.js';

/**
 * The rolling-update bounds with the real kubelet, probes, scheduler and EndpointSlices (not the test
 * stand-in): for healthy images without crashes, a rollout never runs more than replicas + maxSurge
 * non-terminating pods, never has fewer than replicas − maxUnavailable available ones, and completes
 * (§1.1, §1.3). Start times, readiness periods, minReadySeconds, grace periods and the surge /
 * unavailable values (ints and percentages) are generated.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'kubesim-bounds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const intOrPercent = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constantFrom('0%', '10%', '25%', '34%', '50%', '100%'));

describe('rolling update with the real node side', () => {
  it('keeps D + maxSurge and D − maxUnavailable, and completes', () => {
    let n = 0;
    fc.assert(
      fc.property(
        fc.record({
          replicas: fc.integer({ min: 1, max: 12 }),
          maxSurge: intOrPercent,
          maxUnavailable: intOrPercent,
          minReady: fc.constantFrom(0, 3),
          period: fc.constantFrom(1, 2, 5),
          startup: fc.constantFrom('2s', '{dist: uniform, min: 1s, max: 10s}', '{dist: exponential, mean: 3s}'),
          grace: fc.constantFrom(0, 5, 30),
          preStop: fc.boolean(),
        }),
        (s) => {
          const { maxSurge, maxUnavailable } = resolveFenceposts(s.maxSurge, s.maxUnavailable, s.replicas);
          const zero = (v: number | string) => v === 0 || v === '0%';
          fc.pre(!(zero(s.maxSurge) && zero(s.maxUnavailable))); // the API rejects both zero
          const q = (v: number | string) => (typeof v === 'string' ? `"${v}"` : String(v));
          const file = path.join(dir, `b${n++}.yaml`);
          writeFileSync(
            file,
            `${webDeploymentYaml({
              replicas: s.replicas,
              minReadySeconds: s.minReady,
              strategy: `{type: RollingUpdate, rollingUpdate: {maxSurge: ${q(s.maxSurge)}, maxUnavailable: ${q(s.maxUnavailable)}}}`,
              terminationGracePeriodSeconds: s.grace,
              container: [`readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: ${s.period}}`, s.preStop ? 'lifecycle: {preStop: {sleep: {seconds: 2}}}' : ''],
            })}---
apiVersion: kubesim.dev/v1alpha1
kind: Scenario
metadata: {name: bounds}
spec:
  duration: 10m
  cluster: {nodes: 4}
  images:
    app:1: {startup: ${s.startup}}
    app:2: {startup: ${s.startup}}
  traffic: []
  timeline: [{at: 5s, action: set-image, target: deployment/web, image: app=app:2}]
`,
          );
          const scenario = loadScenarioFiles([file]).scenarios[0]!;
          const r = simulate(scenario, 0, 1 + n);
          expect(r.rollouts).toHaveLength(1);
          const ro = r.rollouts[0]!;
          expect(ro.outcome).toBe('complete');
          expect(ro.maxActivePods).toBeLessThanOrEqual(s.replicas + maxSurge);
          expect(ro.minAvailable).toBeGreaterThanOrEqual(s.replicas - maxUnavailable);
        },
      ),
      { numRuns: 80, seed: 99 },
    );
  });
});
