import { describe, expect, it } from 'vitest';
import { loadScenarioFiles, type LoadedScenario } from '../../../engine/scenario/load.js';
import { simulate, type RunResult } from '../../../engine/run/simulate.js';
import { runScenarios } from '../../../engine/run/run.js';
import { summarizeFindings, type Finding } from '../../../engine/run/findings.js';
import { FAILURE_OUTCOMES } from '../../../engine/metrics/outcomes.js';

/**
 * Findings against scenarios whose cause is known by construction: the numbers a finding states are
 * checked against the scenario's own configuration (propagation delay, error rate, traffic spike), and
 * the one fix the model claims (a longer preStop sleep) is checked by running it.
 */
const load = (file: string): LoadedScenario => loadScenarioFiles([file]).scenarios[0]!;
const run = (s: LoadedScenario, replication = 0): RunResult => simulate(s, replication, s.spec.seed);

/** Every failed request is in exactly one finding: per outcome, the findings add up to the count. */
function expectAllAttributed(r: RunResult): void {
  for (const o of FAILURE_OUTCOMES) {
    const counted = r.findings.filter((f) => f.outcome === o).reduce((n, f) => n + f.count, 0);
    expect(counted, o).toBe(r.metrics.requests.byOutcome[o]);
  }
}

const only = (r: RunResult, cause: Finding['cause']): Finding[] => r.findings.filter((f) => f.cause === cause);

describe('findings: causes known by construction', () => {
  it('delete-pod race: refused while kube-proxy still routes (2.1 s constant propagation + ≤ 1 s sync), fix preStop ≥ 3 s', () => {
    const s = load('test/fixtures/findings/delete-pod-race.yaml');
    const r = run(s);
    expectAllAttributed(r);
    const [race] = only(r, 'termination_race');
    expect(race).toBeDefined();
    expect(race!.outcome).toBe('refused');
    expect(race!.count).toBe(r.metrics.requests.byOutcome.refused);
    expect(race!.trigger).toMatchObject({ action: 'delete-pod', at: 30, target: 'deployment/web-app' });
    const victim = r.actions[0]!.detail;
    expect(race!.subjects).toEqual([victim]);
    // The removal delay is the propagation (2.1 s) plus the endpoints controller's reaction and at most
    // one iptables minSyncPeriod (1 s): a finding outside [2.1, 3.2] misreads the proxy timeline.
    const removal = race!.evidence.maxRemovalAfterSigtermS!;
    expect(removal).toBeGreaterThanOrEqual(2.1 - 1e-9);
    expect(removal).toBeLessThan(3.2);
    expect(race!.from).toBeGreaterThanOrEqual(30);
    expect(race!.to).toBeLessThanOrEqual(30 + removal + 1e-6);
    expect(race!.message).toMatch(new RegExp(`^${race!.count} requests refused by pod ${victim} at 30\\.0–3\\d\\.\\d s after delete-pod ${victim} at 30\\.0 s: kube-proxy removed the endpoint \\d\\.\\d\\d s after SIGTERM`));
    const need = Math.floor(removal) + 1;
    expect(race!.fix).toBe(`a preStop sleep of ≥ ${need} s would have kept serving them`);

    // The claimed fix, run: the same seed with that preStop sleep refuses nothing.
    const deployment = structuredClone(s.deployments[0]!);
    deployment.spec.template.spec.containers[0]!.lifecycle = { preStop: { sleep: { seconds: need } } };
    const fixed: LoadedScenario = { ...s, deployments: [deployment] };
    const again = run(fixed);
    expect(again.metrics.requests.byOutcome.refused).toBe(0);
    expect(only(again, 'termination_race')).toEqual([]);
  });

  it('the prestop-race example: the baseline refuses in every replication, the 5 s preStop variant has no finding', async () => {
    const { scenarios } = loadScenarioFiles(['scenarios/prestop-race.yaml']);
    const [result] = await runScenarios(scenarios);
    const [base, prestop] = result!.variants;
    for (const r of base!.runs) {
      expectAllAttributed(r);
      expect(only(r, 'termination_race').reduce((n, f) => n + f.count, 0)).toBe(r.metrics.requests.byOutcome.refused);
    }
    const agg = summarizeFindings(base!.runs);
    const race = agg.find((f) => f.cause === 'termination_race')!;
    expect(race.runs).toBe(5);
    expect(race.subjects).toEqual(['deployment/web-app']);
    // propagation uniform 1–3 s plus ≤ 1 s of sync: the longest removal lies in (1, 4.2) s
    expect(race.evidence.maxRemovalAfterSigtermS).toBeGreaterThan(1);
    expect(race.evidence.maxRemovalAfterSigtermS).toBeLessThan(4.2);
    expect(race.message).toContain('per run, in 5 of 5 runs');
    expect(prestop!.runs.flatMap((r) => r.findings)).toEqual([]);
  });

  it('delete-pod --grace-period=0 under keep-alive: in-flight requests reset on the killed pod', () => {
    const r = run(load('test/fixtures/findings/kill-keepalive.yaml'));
    expectAllAttributed(r);
    const kills = only(r, 'killed_in_flight');
    expect(kills).toHaveLength(1);
    const k = kills[0]!;
    expect(k.outcome).toBe('reset');
    expect(k.count).toBeGreaterThan(0);
    expect(k.count).toBe(r.metrics.requests.byOutcome.reset);
    expect(k.from).toBe(30);
    expect(k.to).toBe(30);
    expect(k.evidence).toMatchObject({ killed: 1, gracePeriodS: 0, pods: 1 });
    expect(k.message).toContain('killed at once (grace period 0)');
    expect(k.fix).toBe('a graceful delete (grace period > 0) lets the pod finish in-flight requests');
  });

  it('strategy-recreate: no endpoints while no pod is Ready, with RollingUpdate as the fix', () => {
    const r = run(load('scenarios/strategy-recreate.yaml'));
    expectAllAttributed(r);
    const [gap] = only(r, 'no_endpoints');
    expect(gap).toBeDefined();
    expect(gap!.count).toBe(r.metrics.requests.byOutcome.no_endpoints);
    expect(gap!.subjects).toEqual(['default/web-service']);
    expect(gap!.trigger).toMatchObject({ action: 'set-image', target: 'deployment/web-app' });
    // the proxy's view gauge is 0 throughout the window (counted by a different path: the gauge)
    const proxy = r.metrics.timeseries.gauges['proxy/default/web-service']!;
    for (let b = Math.ceil(gap!.from); b < Math.floor(gap!.to); b++) expect(proxy[b], `bucket ${b}`).toBe(0);
    expect(gap!.fix).toMatch(/^RollingUpdate keeps old pods serving/);
    // the terminating pods reached through the serving-terminating fallback refuse, and say so
    for (const f of only(r, 'termination_race')) expect(f.message).toContain('serving-terminating fallback');
  });

  it('rolling-update-undo: the bad version errs at its configured 5% (binomial bound), from set-image', () => {
    const r = run(load('scenarios/rolling-update-undo.yaml'));
    expectAllAttributed(r);
    const bad = only(r, 'bad_version');
    expect(bad).toHaveLength(1);
    const b = bad[0]!;
    expect(b.subjects).toEqual(['nginx:1.26']);
    expect(b.trigger).toMatchObject({ action: 'set-image', at: 60 });
    const served = b.evidence.served!;
    const sd = Math.sqrt((0.05 * 0.95) / served);
    expect(Math.abs(b.evidence.measuredErrorRate! - 0.05)).toBeLessThan(4.5 * sd); // fails for a rate off by ~0.6 pp
    // the errors stop once the undo has replaced every nginx:1.26 pod
    const last126 = Math.max(...r.pods.filter((p) => p.image === 'nginx:1.26').map((p) => p.deletedAtS ?? Infinity));
    expect(b.to).toBeLessThanOrEqual(last126);
    expect(b.from).toBeGreaterThanOrEqual(60);
  });

  it('llm-serving: overload findings fall in the spike (4–6 min) and name the capacity', () => {
    const r = run(load('scenarios/llm-serving.yaml'));
    expectAllAttributed(r);
    const cap = only(r, 'capacity').filter((f) => f.outcome === 'overload');
    const biggest = cap.sort((a, b) => b.count - a.count)[0]!;
    expect(biggest.count / r.metrics.requests.byOutcome.overload).toBeGreaterThan(0.9);
    expect(biggest.from).toBeGreaterThanOrEqual(200); // queues fill once the 3× load arrives at 240 s
    expect(biggest.from).toBeLessThan(300);
    expect(biggest.to).toBeGreaterThan(330);
    expect(biggest.evidence.maxEndpoints).toBe(3);
    expect(biggest.message).toContain('more load than the pods could serve');
  });

  it('fail-node: timeouts on the dead node’s pods until its endpoints go (node lifecycle grace)', () => {
    const r = run(load('test/fixtures/findings/fail-node.yaml'));
    expectAllAttributed(r);
    const [nf] = only(r, 'node_failure');
    expect(nf).toBeDefined();
    expect(nf!.outcome).toBe('timeout');
    expect(nf!.subjects).toContain('node-1');
    expect(nf!.trigger).toMatchObject({ action: 'fail-node', target: 'node/node-1', at: 20 });
    // node-monitor-grace-period 50 s (§6.1) bounds the removal, minus the lease age at failure
    expect(nf!.evidence.maxRemovalAfterNodeDownS).toBeGreaterThan(35);
    expect(nf!.evidence.maxRemovalAfterNodeDownS).toBeLessThan(55);
    expect(nf!.message).toContain('node node-1 stopped answering');
  });

  it('a run without failures has no findings', () => {
    const r = run(load('scenarios/web-app.yaml'));
    expect(r.metrics.requests.failed).toBe(0);
    expect(r.findings).toEqual([]);
  });
});

describe('summarizeFindings', () => {
  const f = (over: Partial<Finding>): Finding => ({
    cause: 'termination_race',
    outcome: 'refused',
    count: 10,
    from: 30,
    to: 32,
    trigger: { at: 30, action: 'delete-pod', target: 'deployment/web', detail: 'web-1' },
    subjects: ['web-1'],
    owners: ['deployment/web'],
    message: 'm',
    fix: 'a preStop sleep of ≥ 3 s would have kept serving them',
    evidence: { maxRemovalAfterSigtermS: 2.1, maxRemovalAfterTerminationS: 2.1, preStopS: 0, gracePeriodS: 30, pods: 1, minEndpoints: 3 },
    ...over,
  });

  it('one run passes through unchanged', () => {
    const [a] = summarizeFindings([{ findings: [f({})] }]);
    expect(a).toMatchObject({ count: 10, runs: 1, perRun: 10, message: 'm', subjects: ['web-1'] });
  });

  it('the same cause and trigger over runs: counts add, windows envelope, maxima and minima kept, per-run wording', () => {
    const runs = [
      { findings: [f({ count: 10, from: 30, to: 32, evidence: { maxRemovalAfterTerminationS: 2.1, pods: 1, gracePeriodS: 30, preStopS: 0, minEndpoints: 3 } })] },
      { findings: [f({ count: 30, from: 30.5, to: 33, subjects: ['web-2'], evidence: { maxRemovalAfterTerminationS: 2.9, pods: 1, gracePeriodS: 30, preStopS: 0, minEndpoints: 2 } })] },
      { findings: [] },
    ];
    const [a] = summarizeFindings(runs);
    expect(a).toMatchObject({ count: 40, from: 30, to: 33, runs: 2, perRun: 40 / 3, subjects: ['deployment/web'] });
    expect(a!.evidence.maxRemovalAfterTerminationS).toBe(2.9);
    expect(a!.evidence.minEndpoints).toBe(2);
    expect(a!.message).toBe(
      '40 requests refused by pods of deployment/web (13.3 per run, in 2 of 3 runs) at 30.0–33.0 s after delete-pod deployment/web at 30.0 s: kube-proxy removed the endpoints up to 2.90 s after SIGTERM, and the container had stopped listening at SIGTERM.',
    );
    expect(a!.fix).toBe('a preStop sleep of ≥ 3 s would have kept serving them');
  });

  it('different triggers stay apart; larger counts first', () => {
    const later = { at: 90, action: 'set-image', target: 'deployment/web', detail: 'web=web:2' };
    const out = summarizeFindings([{ findings: [f({ count: 5 }), f({ count: 50, trigger: later, from: 90, to: 95 })] }]);
    expect(out.map((x) => x.count)).toEqual([50, 5]);
  });
});
