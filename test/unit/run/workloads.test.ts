import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, ScenarioError } from '../../../engine/scenario/diagnostics.js';
import { simulate, type RunResult } from '../../../engine/run/simulate.js';
import { loadScenarioFiles, type LoadedScenario } from '../../../engine/scenario/load.js';

const FIX = 'test/fixtures/workloads';
const load = (...files: string[]): LoadedScenario => loadScenarioFiles(files).scenarios[0]!;
const run = (s: LoadedScenario): RunResult => simulate(s, 0, s.spec.seed);
const gauge = (r: RunResult, name: string): Array<number | null> => r.metrics.timeseries.gauges[name] ?? [];

describe('a bad version (5 % errors under load) behind an Argo canary with analysis vs a plain rolling update', () => {
  const canary = run(load(`${FIX}/canary-bad.yaml`));
  const rolling = run(load(`${FIX}/rolling-bad.yaml`));

  it('the analysis step fails the canary at its first measurement and the rollout aborts back to stable', () => {
    expect(canary.rollouts).toEqual([expect.objectContaining({ target: 'rollout/web', outcome: 'aborted', maxActivePods: 10, minAvailable: 8 })]);
    const reasons = canary.events.filter((e) => e.object === 'rollout/web').map((e) => [e.t, e.reason]);
    expect(reasons).toContainEqual([expect.closeTo(45.2, 1), 'AnalysisRunFailed']);
    expect(reasons).toContainEqual([expect.closeTo(45.2, 1), 'RolloutAborted']);
    expect(gauge(canary, 'rollout/default/web/canaryWeight').slice(29, 47)).toEqual([100, ...Array(15).fill(20), 0, 0]);
  });

  it('fails far fewer requests: only the canary’s share for one analysis interval', () => {
    // same seed, same arrivals (common random numbers): 2 of 10 pods bad for ~15 s vs every pod bad from ~40 s on
    expect(Math.abs(canary.metrics.requests.total - rolling.metrics.requests.total)).toBeLessThan(10);
    const bad = (r: RunResult) => r.metrics.requests.byOutcome.app_error;
    expect(bad(canary)).toBeLessThan(bad(rolling) / 20);
    expect(canary.metrics.requests.total - canary.metrics.requests.ok).toBeLessThan((rolling.metrics.requests.total - rolling.metrics.requests.ok) / 10);
  });
});

describe('an analysis gate on a plain Deployment (spec.analysis): automated rollback on an SLO breach', () => {
  const gated = run(load(`${FIX}/rolling-bad-gated.yaml`));
  const rolling = run(load(`${FIX}/rolling-bad.yaml`));
  it('the first measurement of the new pods fails, the Deployment is rolled back, its own run then succeeds', () => {
    const e = gated.events.filter((x) => x.object === 'deployment/web' && x.reason !== 'ScalingReplicaSet').map((x) => [Math.round(x.t), x.reason]);
    expect(e).toEqual([
      [30, 'AnalysisRunRunning'],
      [40, 'AnalysisRunFailed'],
      [40, 'AnalysisRunRunning'], // the rollback is a rollout too: the gate watches the old version
      // (no DeploymentRollback: the undo is a template patch, as apps/v1 kubectl does it)
      [40, 'AnalysisGateFailed'],
      [100, 'AnalysisRunSuccessful'],
    ]);
    expect(gated.rollouts.map((r) => r.outcome)).toEqual(['aborted', 'complete']);
    const bad = (r: RunResult) => r.metrics.requests.byOutcome.app_error;
    expect(bad(gated)).toBeLessThan(bad(rolling) / 10);
  });
});

describe('a canary with trafficRouting: the idealised router applies the weight to requests (§8.2)', () => {
  const r = run(load(`${FIX}/canary-router.yaml`));
  it('setWeight 10 with 4 replicas: one canary pod (ceil(4 × 10 %)), the stable stays at 4, and the canary gets ~10 % of the requests', () => {
    const canary = r.pods.filter((p) => p.image === 'web:2');
    expect(canary).toHaveLength(1);
    expect(r.pods.filter((p) => p.image === 'web:1' && p.deletedAtS === null)).toHaveLength(4);
    // requests sent while the weight was 10 % (from the step at ~25 s to the abort at 120 s): 200/s × 95 s
    const share = canary[0]!.requests / (200 * 95);
    expect(share).toBeGreaterThan(0.085);
    expect(share).toBeLessThan(0.115); // binomial sd ≈ 0.2 % here: a pod-count split (20 %) or none (0 %) is far outside
  });
  it('abort: the weight goes back at once; the canary pod is scaled down after abortScaleDownDelaySeconds (30 s)', () => {
    expect(gauge(r, 'rollout/default/web/canaryWeight')[121]).toBe(0);
    const down = r.events.find((e) => e.reason === 'ScalingReplicaSet' && e.message.includes('from 1 to 0'))!;
    expect(down.t).toBeCloseTo(150, 0);
  });
});

describe('HPA autoscaling/v2 in a run (§7)', () => {
  const r = run(load(`${FIX}/hpa.yaml`));
  const desired = gauge(r, 'hpa/default/web/desired');
  it('scales on the CPU of the simulated load: 2 → 4 at the first sync (100 %/50 %), then within the legacy limit max(2 × current, 4) to max 10 after the step to 400/s', () => {
    expect(desired[14]).toBe(2);
    expect(desired[15]).toBe(4);
    expect(Math.max(...desired.map((v) => v ?? 0))).toBe(10);
    const rescales = r.events.filter((e) => e.reason === 'SuccessfulRescale').map((e) => [e.t, e.message.replace(/;.*/, '')]);
    expect(rescales.slice(0, 3)).toEqual([[15, 'New size: 4'], [75, 'New size: 8'], [90, 'New size: 10']]);
  });
  it('set-image rolls out on the autoscaled Deployment; a manual scale is undone at the next sync; scale-down waits 300 s', () => {
    expect(r.rollouts).toEqual([expect.objectContaining({ target: 'deployment/web', outcome: 'complete' })]);
    const after = r.events.filter((e) => e.reason === 'SuccessfulRescale' && e.t > 400).map((e) => e.t);
    expect(after[0]).toBeLessThanOrEqual(415);
    // the load drops at 300 s: no scale-down before every recommendation of the past 300 s is lower
    expect(r.events.some((e) => e.reason === 'SuccessfulRescale' && e.message.includes('below target') && e.t < 400)).toBe(false);
  });
});

describe('workloadRef, skipped steps, the PDB gauge', () => {
  it('a Rollout runs the referenced Deployment\'s template; an experiment step completes at once (with a note); the budget follows readiness', () => {
    const s = load(`${FIX}/workload-ref.yaml`);
    expect(s.rollouts[0]!.spec.template.spec.containers[0]!.image).toBe('web:1');
    expect(s.rollouts[0]!.spec.selector).toEqual({ matchLabels: { app: 'web' } });
    expect(s.notes.map((n) => n.message)).toEqual([
      'rollout/web runs the pod template of deployment/web; the Deployment keeps running as written (workloadRef.scaleDown: never)',
      'rollout/web: experiment steps are not simulated; the step completes at once',
      'no Service selects the pods of deployment/web, rollout/web, so the default traffic (one entry per Service that selects pods) sends no requests: add a Service, or spec.traffic',
    ]);
    const r = run(s);
    expect(r.rollouts).toEqual([expect.objectContaining({ target: 'rollout/web', outcome: 'complete' })]);
    const allowed = gauge(r, 'pdb/default/web/disruptionsAllowed');
    expect(allowed[0]).toBe(1);
    // the canary's maxUnavailable (25 % of 3 → 0) keeps 3 pods healthy throughout: always 1 disruption allowed
    expect(allowed.every((v) => v === 1)).toBe(true);
    expect(allowed).toHaveLength(60);
  });
});

describe('bad input in the new kinds: file:line:col: path: message', () => {
  it('names every problem', () => {
    let got: string[] = [];
    try {
      loadScenarioFiles([`${FIX}/bad/rollout.yaml`]);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      got = e.diagnostics.map(formatDiagnostic);
    }
    expect(got).toEqual([
      `${FIX}/bad/rollout.yaml:14:20: spec.strategy.canary.steps[0].setWeight: expected a weight between 0 and 100, got 120`,
      `${FIX}/bad/rollout.yaml:15:9: spec.strategy.canary.steps[1]: a step has exactly one of setWeight, pause, setCanaryScale, analysis, experiment, setHeaderRoute, setMirrorRoute, plugin; got setWeight, pause`,
      `${FIX}/bad/rollout.yaml:23:23: spec.metrics[0].successCondition: unexpected end of condition at column 10 of "result >="`,
      `${FIX}/bad/rollout.yaml:31:16: spec.minReplicas: must be less than or equal to maxReplicas (2)`,
      `${FIX}/bad/rollout.yaml:37:41: spec.maxUnavailable: minAvailable and maxUnavailable cannot be both set`,
    ]);
  });
});

// The shared corpus of real manifests lives beside the repository (../shared/corpus); never copied here.
const corpus = path.resolve(process.cwd(), '../shared/corpus');
const KINDS = /^kind:\s*(Rollout|HorizontalPodAutoscaler|PodDisruptionBudget)\s*$/m;
const withKinds = existsSync(corpus) ? readdirSync(corpus).filter((f) => f.endsWith('.yaml') && KINDS.test(readFileSync(path.join(corpus, f), 'utf8'))).sort() : [];

describe.skipIf(!existsSync(corpus))('every corpus file with a Rollout, HPA or PDB runs as found (skipped: ../shared/corpus is not present beside the repository)', () => {
  it('finds them', () => {
    expect(withKinds).toEqual([
      'argo-rollouts__rollout-bluegreen.yaml',
      'argo-rollouts__rollout-canary.yaml',
      'examples__gpu-horizontal-pod-autoscaler.yaml',
      'kube-prometheus__prometheusAdapter-podDisruptionBudget.yaml',
      'podinfo__hpa.yaml',
      'sock-shop__front-end-hsc.yaml',
    ]);
  });

  it.each(withKinds)('%s loads and runs', (file) => {
    const s = load(path.join(corpus, file));
    const r = run(s);
    expect(r.metrics.requests.total).toBeGreaterThanOrEqual(0);
    const kinds = s.rollouts.length + s.hpas.length + s.pdbs.length;
    expect(kinds).toBeGreaterThan(0);
  });

  it('the canary and blue-green examples come up Healthy on their first revision; blue-green points both Services at it', () => {
    const bg = run(load(path.join(corpus, 'argo-rollouts__rollout-bluegreen.yaml')));
    expect(bg.metrics.requests.failed).toBe(0);
    expect(bg.metrics.requests.total).toBeGreaterThan(0); // default traffic to both Services, served by the active RS
    const canary = run(load(path.join(corpus, 'argo-rollouts__rollout-canary.yaml')));
    expect(canary.notes).toEqual([]);
  });

  it('podinfo with its HPA (minReplicas 2, 99 % of 100m): the HPA raises the Deployment from 1 to 2 replicas before t = 0', () => {
    const r = run(load(...['podinfo__deployment.yaml', 'podinfo__hpa.yaml', 'podinfo__service.yaml'].map((f) => path.join(corpus, f))));
    expect(gauge(r, 'hpa/default/podinfo/current')[0]).toBeGreaterThanOrEqual(2);
  });

  it('an HPA whose metric cannot be measured here (the GPU Pods metric), or whose target is absent, says so in a note', () => {
    const gpu = run(load(path.join(corpus, 'examples__gpu-horizontal-pod-autoscaler.yaml')));
    expect(gpu.notes.join('\n')).toMatch(/vllm-gemma-deployment/);
    const sock = run(load(path.join(corpus, 'sock-shop__front-end-hsc.yaml')));
    expect(sock.notes.join('\n')).toMatch(/front-end/);
  });

  it('the prometheus-adapter PDB with the Deployment it protects (2 replicas, minAvailable 1): one disruption allowed', () => {
    const s = load(path.join(corpus, 'kube-prometheus__prometheusAdapter-deployment.yaml'), path.join(corpus, 'kube-prometheus__prometheusAdapter-podDisruptionBudget.yaml'));
    expect(s.pdbs[0]!.spec).toMatchObject({ minAvailable: 1 });
    const r = run(s);
    expect(gauge(r, 'pdb/monitoring/prometheus-adapter/disruptionsAllowed')[0]).toBe(1);
  });
});
