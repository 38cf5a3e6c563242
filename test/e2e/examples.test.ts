import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenarioFiles } from '../../engine/scenario/load.js';
import { simulate, type RunResult } from '../../engine/run/simulate.js';
import { runScenarios } from '../../engine/run/run.js';
import { buildReport } from '../../reports/model.js';
import { renderTerminal } from '../../reports/terminal.js';

/** Every example in scenarios/ runs, and shows what its README entry says it shows. */
const run = (file: string): RunResult => {
  const { scenarios } = loadScenarioFiles([`scenarios/${file}`]);
  expect(scenarios).toHaveLength(1);
  expect(scenarios[0]!.spec.variants).toEqual([]); // variant examples run through runScenarios below
  return simulate(scenarios[0]!, 0, scenarios[0]!.spec.seed);
};
const byOutcome = (r: RunResult) => r.metrics.requests.byOutcome;
const slo = (r: RunResult, expr: string) => r.slos.find((s) => s.expr === expr)!;

describe('example scenarios', () => {
  it('every example is covered here', () => {
    const files = readdirSync('scenarios').filter((f) => f.endsWith('.yaml')).sort();
    expect(files).toEqual([
      'compare-strategies.yaml',
      'llm-serving.yaml',
      'pod-dies.yaml',
      'prestop-race.yaml',
      'rolling-update-undo.yaml',
      'scale-up.yaml',
      'strategy-recreate.yaml',
      'strategy-rolling.yaml',
      'web-app.yaml',
    ]);
  });

  it('web-app: traffic splits evenly across the 3 pods and every SLO holds', () => {
    const r = run('web-app.yaml');
    expect(r.pods).toHaveLength(3);
    const share = r.pods.map((p) => p.requests / r.metrics.requests.total);
    for (const s of share) expect(Math.abs(s - 1 / 3)).toBeLessThan(0.02);
    expect(r.slos.every((s) => s.pass)).toBe(true);
  });

  it('pod-dies: the deleted pod is replaced at once and the Service keeps serving', () => {
    const r = run('pod-dies.yaml');
    const deleted = r.pods.filter((p) => p.deletedAtS !== null);
    expect(deleted).toHaveLength(1);
    const replacement = r.pods.find((p) => p.createdAtS > 29);
    expect(replacement).toBeDefined();
    expect(replacement!.createdAtS).toBeLessThan(30.5);
    expect(replacement!.requests).toBeGreaterThan(0);
    expect(r.metrics.requests.failed).toBe(0);
    expect(r.events.some((e) => e.reason === 'SuccessfulCreate' && e.t > 29)).toBe(true);
  });

  it('scale-up: the two new pods join the balancing', () => {
    const r = run('scale-up.yaml');
    expect(r.pods).toHaveLength(5);
    const [old, fresh] = [r.pods.filter((p) => p.createdAtS === 0), r.pods.filter((p) => p.createdAtS >= 40)];
    expect(fresh).toHaveLength(2);
    // 300/s over 5 pods for the ~75 s the new pods serve: ~4,500 each (old pods also had the first 40 s)
    for (const p of fresh) expect(p.requests).toBeGreaterThan(3_800);
    for (const p of old) expect(p.requests).toBeGreaterThan(Math.max(...fresh.map((f) => f.requests)));
    const ready = r.metrics.timeseries.gauges['endpoints/default/web-service']!;
    expect(ready[30]).toBe(3);
    expect(ready[60]).toBe(5);
    expect(r.events.some((e) => e.reason === 'ScalingReplicaSet' && /to 5/.test(e.message))).toBe(true);
  });

  it('rolling-update-undo: two complete rollouts; the bad version shows as app errors', () => {
    const r = run('rolling-update-undo.yaml');
    expect(r.rollouts.map((x) => x.outcome)).toEqual(['complete', 'complete']);
    for (const x of r.rollouts) {
      expect(x.maxActivePods).toBeLessThanOrEqual(5); // 4 + maxSurge 1 (25% of 4, rounded up)
      expect(x.minAvailable).toBeGreaterThanOrEqual(3); // 4 − maxUnavailable 1 (25% of 4, rounded down)
    }
    expect(byOutcome(r).app_error).toBeGreaterThan(0);
    expect(byOutcome(r).refused).toBe(0);
    expect(slo(r, 'availability >= 99%').pass).toBe(false);
    // the undo is a template patch, as modern kubectl does it: no DeploymentRollback event, the old RS scales back up
    expect(r.events.some((e) => e.reason === 'DeploymentRollback')).toBe(false);
    expect(r.actions.some((a) => a.action === 'rollout-undo')).toBe(true);
  });

  it('Recreate vs RollingUpdate: Recreate drops to zero available and fails requests; 1/0 loses none', () => {
    const rec = run('strategy-recreate.yaml');
    const roll = run('strategy-rolling.yaml');
    expect(rec.rollouts[0]!.minAvailable).toBe(0);
    expect(rec.rollouts[0]!.maxPods).toBe(4);
    expect(byOutcome(rec).no_endpoints).toBeGreaterThan(0);
    expect(rec.metrics.availability!).toBeLessThan(0.99);
    expect(roll.rollouts[0]!.minAvailable).toBe(4);
    expect(roll.rollouts[0]!.maxActivePods).toBe(5);
    expect(roll.metrics.requests.failed).toBe(0);
    expect(roll.rollouts[0]!.durationS!).toBeGreaterThan(rec.rollouts[0]!.durationS!);
  });

  it('llm-serving: the spike overloads the few slots per pod', () => {
    const r = run('llm-serving.yaml');
    expect(byOutcome(r).overload).toBeGreaterThan(100);
    expect(r.metrics.latencyMs.p50!).toBeGreaterThan(1500);
    // the 503s come during the spike (4m–6m) and its backlog; before it only a rare burst
    const overload = r.metrics.timeseries.outcomes.overload;
    const sum = (a: number, b: number) => overload.slice(a, b).reduce((x, y) => x + y, 0);
    expect(sum(240, 400)).toBeGreaterThan(0.95 * byOutcome(r).overload);
    expect(sum(0, 240)).toBeLessThan(0.02 * byOutcome(r).overload);
  });

  it('prestop-race: over 5 paired replications the 5 s preStop is better, with a CI that excludes zero', async () => {
    const { scenarios } = loadScenarioFiles(['scenarios/prestop-race.yaml']);
    const report = buildReport(await runScenarios(scenarios));
    const s = report.scenarios[0]!;
    expect(s.variants.map((v) => v.name)).toEqual(['no-prestop', 'prestop-5s']);
    expect(s.variants.map((v) => v.runs.length)).toEqual([5, 5]);
    const c = s.comparison!.variants[0]!;
    expect(c.variant).toBe('prestop-5s');
    expect(c.pairs).toBe(5);
    const avail = c.metrics.availability;
    expect(avail.verdict).toBe('better');
    expect(avail.ci95![0]).toBeGreaterThan(0);
    expect(c.metrics['failures.refused'].verdict).toBe('better');
    expect(c.metrics['failures.refused'].ci95![1]).toBeLessThan(0);
    // common random numbers: the latency difference is tight, and the paired interval is narrower than
    // the unpaired one on the same data
    const p99 = c.metrics['latency.p99'];
    const width = (ci: [number, number] | null) => ci![1] - ci![0];
    expect(width(p99.ci95)).toBeLessThan(width(p99.unpaired.ci95));
    expect(p99.verdict).toBe('no significant difference');
    expect(s.variants[1]!.summary.metrics.availability.mean).toBe(1);
    const terminal = renderTerminal(report);
    expect(terminal.indexOf('1   prestop-5s')).toBeGreaterThan(-1);
  });

  it('compare-strategies: the gated canary and blue-green stop a bad version; with a good one blue-green and 0/1+preStop lose nothing', async () => {
    const { scenarios } = loadScenarioFiles(['scenarios/compare-strategies.yaml']);
    const report = buildReport(await runScenarios(scenarios));
    const s = report.scenarios[0]!;
    expect(s.variants.map((v) => v.name)).toEqual([
      'rolling-25-25/good', 'rolling-25-25/bad', 'rolling-0-1-prestop/good', 'rolling-0-1-prestop/bad', 'recreate/good',
      'recreate/bad', 'canary/good', 'canary/bad', 'blue-green/good', 'blue-green/bad',
    ]);
    const v = Object.fromEntries(s.variants.map((x) => [x.name, x]));
    const failed = (name: string) => v[name]!.summary.requests.failed;
    const outcomes = (name: string) => v[name]!.runs.flatMap((r) => r.rollouts.map((x) => x.outcome));
    expect(failed('blue-green/good')).toBe(0);
    expect(failed('rolling-0-1-prestop/good')).toBe(0);
    expect(outcomes('canary/bad')).toEqual(['aborted', 'aborted', 'aborted']);
    expect(outcomes('blue-green/bad')).toEqual(['aborted', 'aborted', 'aborted']);
    // a gated strategy with the bad version fails fewer requests than any ungated one with it
    for (const plain of ['rolling-25-25/bad', 'rolling-0-1-prestop/bad', 'recreate/bad']) {
      expect(failed('canary/bad')).toBeLessThan(failed(plain) / 10);
      expect(failed('blue-green/bad')).toBeLessThan(failed(plain) / 10);
    }
    // what it costs: blue-green runs twice the pods; the canary takes longest
    const maxPods = (name: string) => Math.max(...v[name]!.runs.flatMap((r) => r.rollouts.map((x) => x.maxPods)));
    expect(maxPods('blue-green/good')).toBe(12);
    expect(maxPods('rolling-25-25/good')).toBe(8);
    const duration = (name: string) => v[name]!.summary.metrics['rollout.duration'].mean!;
    expect(duration('canary/good')).toBeGreaterThan(duration('rolling-25-25/good'));
    expect(duration('recreate/good')).toBeLessThan(duration('rolling-25-25/good'));
    const ranked = renderTerminal(report);
    expect(ranked).toMatch(/1\s+blue-green\/good/);
  }, 300_000);
});
