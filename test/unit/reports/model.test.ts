import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../engine/metrics/recorder.js';
import { evaluateSlos } from '../../../engine/metrics/slo.js';
import type { Outcome } from '../../../engine/metrics/outcomes.js';
import type { RolloutRecord } from '../../../engine/cluster/rollouts.js';
import type { ScenarioRuns } from '../../../engine/run/run.js';
import type { RunResult } from '../../../engine/run/simulate.js';
import { loadScenarioFiles, type LoadedScenario } from '../../../engine/scenario/load.js';
import { buildReport, relativePath, REPORT_SCHEMA_VERSION, round, runReport, sloUnit } from '../../../reports/model.js';
import { reportJsonText } from '../../../reports/json.js';

const CWD = process.cwd();
const FIXTURE = 'test/fixtures/cli/rollout.yaml';

function scenario(slos: string[]): LoadedScenario {
  const s = loadScenarioFiles([FIXTURE]).scenarios[0]!;
  return { ...s, spec: { ...s.spec, slos } };
}

/** A run whose requests are given as [outcome, latency seconds, count]. */
function run(
  replication: number,
  requests: Array<[Outcome, number, number]>,
  slos: string[],
  extra: Partial<Pick<RunResult, 'pods' | 'rollouts' | 'events' | 'notes' | 'actions' | 'findings'>> = {},
): RunResult {
  const rec = new Recorder({ duration: 60 });
  let t = 0;
  for (const [outcome, latency, n] of requests) {
    for (let i = 0; i < n; i++) {
      t += 0.01;
      rec.request(t, t + latency, outcome, i % 2);
    }
  }
  rec.setGauge('pods/nginx:1.25/Ready', 0, 3);
  return {
    replication,
    seed: 1000 + replication,
    metrics: rec.toJSON(),
    pods: extra.pods ?? [],
    rollouts: extra.rollouts ?? [],
    slos: evaluateSlos(slos, rec.snapshot()),
    events: extra.events ?? [],
    actions: extra.actions ?? [],
    findings: extra.findings ?? [],
    notes: extra.notes ?? [],
    kernelEvents: 0,
  };
}

function rollout(outcome: RolloutRecord['outcome'], durationS: number | null, target = 'deployment/web'): RolloutRecord {
  return { target, startedAtS: 10, completedAtS: durationS === null ? null : 10 + durationS, durationS, maxPods: 5, maxActivePods: 4, minAvailable: 3, outcome };
}

function runs(s: LoadedScenario, results: RunResult[], failures: ScenarioRuns['variants'][number]['failures'] = []): ScenarioRuns[] {
  return [{ scenario: s, seed: 7, replications: results.length + failures.length, variants: [{ name: 'default', scenario: s, runs: results, failures }] }];
}

describe('buildReport', () => {
  const slos = ['availability >= 90%', 'p(99) < 20ms'];
  const a = run(0, [['ok', 0.01, 8], ['timeout', 2, 2]], slos); // availability 80%: fails; p99 10ms: passes
  const b = run(1, [['ok', 0.03, 10]], slos); // availability 100%: passes; p99 30ms: fails
  const report = buildReport(runs(scenario(slos), [a, b]), { cwd: CWD, version: '9.9.9' });

  it('is versioned and names the tool', () => {
    expect(report.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(report.tool).toEqual({ name: 'kubesim', version: '9.9.9' });
  });

  it('describes the scenario with paths relative to the current folder', () => {
    const s = report.scenarios[0]!;
    expect(s).toMatchObject({ name: 'rollout-slo-fails', file: FIXTURE, files: [FIXTURE], bare: false, seed: 7, durationS: 60, warmupS: 0, replications: 2, slos, notes: [] });
  });

  it('has one entry per run, in replication order, with the contract fields', () => {
    const v = report.scenarios[0]!.variants[0]!;
    expect(v.runs.map((r) => [r.replication, r.seed])).toEqual([
      [0, 1000],
      [1, 1001],
    ]);
    const r0 = v.runs[0]!;
    expect(r0.requests).toEqual({ total: 10, ok: 8, failed: 2, byOutcome: { ok: 8, no_endpoints: 0, refused: 0, reset: 0, timeout: 2, overload: 0, app_error: 0 } });
    expect(r0.availability).toBe(0.8);
    expect(r0.latencyMs.p50).toBeCloseTo(10, 1);
    expect(r0.slos).toEqual([
      { expr: 'availability >= 90%', pass: false, value: 0.8, threshold: 0.9, unit: 'fraction', reason: null },
      { expr: 'p(99) < 20ms', pass: true, value: expect.closeTo(0.01, 4), threshold: 0.02, unit: 'seconds', reason: null },
    ]);
    expect(r0.timeseries!.intervalS).toBe(1);
    expect(r0.timeseries!.requests).toHaveLength(60);
    expect(r0.timeseries!.gauges).toEqual({ 'pods/nginx:1.25/Ready': Array(60).fill(3) });
    expect(Object.keys(r0.timeseries!)).not.toContain('latencyCells');
    expect(report.detail).toBe('full');
  });

  it('with detail summary, runs carry no time series or event log and the summaries are unchanged', () => {
    const small = buildReport(runs(scenario(slos), [a, b]), { cwd: CWD, version: '9.9.9', detail: 'summary' });
    expect(small.detail).toBe('summary');
    const v = small.scenarios[0]!.variants[0]!;
    expect(v.runs.map((r) => [r.timeseries, r.events])).toEqual([
      [null, []],
      [null, []],
    ]);
    expect(v.summary).toEqual(report.scenarios[0]!.variants[0]!.summary);
    expect(v.runs[0]!.requests).toEqual(report.scenarios[0]!.variants[0]!.runs[0]!.requests);
  });

  it('pools the runs in the summary and counts SLO passes per run', () => {
    const s = report.scenarios[0]!.variants[0]!.summary;
    expect(s.runs).toBe(2);
    expect(s.failedRuns).toBe(0);
    expect(s.requests).toEqual({ total: 20, ok: 18, failed: 2, byOutcome: { ok: 18, no_endpoints: 0, refused: 0, reset: 0, timeout: 2, overload: 0, app_error: 0 } });
    expect(s.availability).toBe(0.9);
    expect(s.latencyMs.max).toBeCloseTo(30, 0);
    expect(s.slos).toEqual([
      { expr: 'availability >= 90%', unit: 'fraction', threshold: 0.9, passed: 1, runs: 2, pass: false, pooledValue: 0.9 },
      { expr: 'p(99) < 20ms', unit: 'seconds', threshold: 0.02, passed: 1, runs: 2, pass: false, pooledValue: expect.closeTo(0.03, 4) },
    ]);
    expect(s.pass).toBe(false);
    expect(report.slosPass).toBe(false);
    expect(report.failedRuns).toBe(0);
  });

  it('passes when every SLO holds in every run', () => {
    const ok = ['availability >= 50%'];
    const r = buildReport(runs(scenario(ok), [run(0, [['ok', 0.01, 5]], ok), run(1, [['ok', 0.01, 5]], ok)]), { cwd: CWD });
    expect(r.scenarios[0]!.variants[0]!.summary.slos[0]).toMatchObject({ passed: 2, runs: 2, pass: true });
    expect(r.slosPass).toBe(true);
  });

  it('reports runs that threw as errors and leaves them out of the summary', () => {
    const failure = { scenario: 'rollout-slo-fails', variant: 'default', replication: 1, seed: 1001, message: 'Error: boom', stack: 'Error: boom\n    at x' };
    const r = buildReport(runs(scenario(slos), [a], [failure]), { cwd: CWD });
    const v = r.scenarios[0]!.variants[0]!;
    expect(v.errors).toEqual([{ replication: 1, seed: 1001, message: 'Error: boom' }]);
    expect(JSON.stringify(r)).not.toContain('    at x');
    expect(v.summary).toMatchObject({ runs: 1, failedRuns: 1, requests: { total: 10 } });
    expect(r.failedRuns).toBe(1);
  });

  it('a variant whose every run threw has an empty summary whose SLOs do not pass', () => {
    const failure = { scenario: 'x', variant: 'default', replication: 0, seed: 1, message: 'Error: boom' };
    const v = buildReport(runs(scenario(slos), [], [failure]), { cwd: CWD }).scenarios[0]!.variants[0]!;
    expect(v.summary).toMatchObject({
      runs: 0,
      failedRuns: 1,
      requests: { total: 0, ok: 0, failed: 0 },
      availability: null,
      latencyMs: { mean: null, p50: null, p90: null, p95: null, p99: null, p999: null, max: null },
      pass: false,
    });
    expect(v.summary.slos.map((s) => [s.passed, s.runs, s.pass, s.pooledValue])).toEqual([
      [0, 0, false, null],
      [0, 0, false, null],
    ]);
  });

  it('summarises rollouts per target: outcomes and completed durations', () => {
    const r1 = run(0, [['ok', 0.01, 1]], [], { rollouts: [rollout('complete', 10), rollout('aborted', null)] });
    const r2 = run(1, [['ok', 0.01, 1]], [], { rollouts: [rollout('complete', 20), rollout('stalled', null, 'deployment/api')] });
    const s = buildReport(runs(scenario([]), [r1, r2]), { cwd: CWD }).scenarios[0]!.variants[0]!.summary;
    expect(s.rollouts).toEqual([
      { target: 'deployment/api', count: 1, byOutcome: { complete: 0, stalled: 1, aborted: 0, in_progress: 0 }, durationS: null },
      { target: 'deployment/web', count: 3, byOutcome: { complete: 2, stalled: 0, aborted: 1, in_progress: 0 }, durationS: { mean: 15, min: 10, max: 20 } },
    ]);
  });
});

describe('runReport', () => {
  it('rounds seconds to 6 decimals and fractions to 12', () => {
    const r = run(0, [['ok', 0.01, 2], ['reset', 0.01, 1]], [], {
      pods: [{ name: 'p', image: 'i', node: 'n', requests: 3, createdAtS: 1.23456789, deletedAtS: 0.1 + 0.2 }],
      rollouts: [{ ...rollout('complete', 10 / 3), startedAtS: 1 / 3, completedAtS: 1 / 3 + 10 / 3 }],
      events: [{ t: 0.1 + 0.2, type: 'Normal', reason: 'Killing', object: 'pod/p', message: 'Stopping container c' }],
      notes: ['a note'],
    });
    const j = runReport(r);
    expect(j.availability).toBe(0.666666666667);
    expect(j.pods).toEqual([{ name: 'p', image: 'i', node: 'n', requests: 3, createdAtS: 1.234568, deletedAtS: 0.3 }]);
    expect(j.rollouts[0]).toMatchObject({ startedAtS: 0.333333, completedAtS: 3.666667, durationS: 3.333333 });
    expect(j.events).toEqual([{ atS: 0.3, type: 'Normal', reason: 'Killing', object: 'pod/p', message: 'Stopping container c' }]);
    expect(j.notes).toEqual(['a note']);
  });
});

describe('helpers', () => {
  it('round', () => {
    expect(round(1.23456789, 6)).toBe(1.234568);
    expect(round(-0.0000001, 6)).toBe(0);
    expect(Object.is(round(-0.0000001, 6), 0)).toBe(true);
    expect(round(Infinity, 3)).toBe(Infinity);
  });

  it('relativePath: relative to cwd, "/" separators', () => {
    expect(relativePath(path.join(CWD, 'scenarios', 'a.yaml'), CWD)).toBe('scenarios/a.yaml');
    expect(relativePath('scenarios/a.yaml', CWD)).toBe('scenarios/a.yaml');
    expect(relativePath('/elsewhere/b.yaml', '/work/x')).toBe('../../elsewhere/b.yaml');
    expect(relativePath('/work/x', '/work/x')).toBe('.');
  });

  it('sloUnit', () => {
    expect(['availability > 99%', 'error_rate < 1%', 'p(99) < 1s', 'p50 < 2ms', 'latency.max < 1s', 'rollout.duration < 5m', 'errors.refused == 0', 'requests.total > 5', 'rollout.max_pods <= 5'].map(sloUnit)).toEqual([
      'fraction',
      'fraction',
      'seconds',
      'seconds',
      'seconds',
      'seconds',
      'count',
      'count',
      'count',
    ]);
  });
});

describe('reportJsonText', () => {
  const slos = ['availability >= 90%'];
  const build = () => buildReport(runs(scenario(slos), [run(0, [['ok', 0.01, 3], ['timeout', 1, 1]], slos)]), { cwd: CWD, version: '1.0.0' });

  it('round-trips the model and is byte-stable', () => {
    const text = reportJsonText(build());
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(build())));
    expect(reportJsonText(build())).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('keeps arrays of plain values on one line, nests the rest with two spaces', () => {
    const text = reportJsonText(build());
    expect(text).toMatch(/^ {2}"schemaVersion": 1,$/m);
    expect(text).toMatch(/^ {6}"slos": \["availability >= 90%"\],$/m);
    expect(text).toMatch(/"requests": \[\d+(, \d+){59}\],/);
    expect(text).toContain('"files": ["test/fixtures/cli/rollout.yaml"]');
  });
});
