import type { EventReport, MetricId, Report, RunReport, TimeseriesReport, VariantReport } from '../../reports/model.js';

/**
 * A synthetic report of a big sweep, built with the model types only (no simulation): `variants` ×
 * `replications` runs of `durationS` simulated seconds, every run with its own full time series
 * (1 s buckets, 3 images × 4 states + endpoints + proxy gauges), `eventsPerRun` events and 12 pods.
 * It stands for what `kubesim run --detail full` writes for such a sweep.
 */
export function sweepReport(variants: number, replications: number, durationS = 600, eventsPerRun = 200): Report {
  const outcomes = ['ok', 'no_endpoints', 'refused', 'reset', 'timeout', 'overload', 'app_error'] as const;
  const series = (f: (i: number) => number): number[] => Array.from({ length: durationS }, (_, i) => Math.round(f(i) * 1000) / 1000);
  const timeseries = (seed: number): TimeseriesReport => {
    const gauges: Record<string, (number | null)[]> = {};
    for (const image of ['registry.example.com/team/web:1.0', 'registry.example.com/team/web:1.1', 'sidecar:2']) {
      for (const state of ['Pending', 'Running', 'Ready', 'Terminating']) gauges[`pods/${image}/${state}`] = series((i) => (i * 7 + seed) % 5);
    }
    gauges['endpoints/default/web'] = series((i) => 3 + ((i + seed) % 3));
    gauges['proxy/default/web'] = series((i) => 3 + ((i + seed + 1) % 3));
    return {
      intervalS: 1,
      requests: series((i) => 2000 + ((i * 13 + seed) % 97)),
      outcomes: Object.fromEntries(outcomes.map((o, k) => [o, series((i) => (k === 0 ? 1990 : (i + k + seed) % 4))])) as TimeseriesReport['outcomes'],
      latencyMs: { p50: series((i) => 20 + ((i + seed) % 7) / 3), p90: series((i) => 50 + ((i + seed) % 11) / 3), p99: series((i) => 120 + ((i + seed) % 17) / 3) },
      gauges,
    };
  };
  const events = (seed: number): EventReport[] =>
    Array.from({ length: eventsPerRun }, (_, i) => ({ atS: i * (durationS / eventsPerRun), type: i % 9 === 0 ? 'Warning' : 'Normal', reason: ['ScalingReplicaSet', 'SuccessfulCreate', 'Scheduled', 'Killing'][i % 4]!, object: `pod/web-7d9f-${(i + seed) % 50}`, message: `Scaled up replica set web-7d9f from ${i} to ${i + 1}` }));
  const counts = { total: 1_200_000, ok: 1_194_000, failed: 6_000, byOutcome: { ok: 1_194_000, no_endpoints: 1000, refused: 1000, reset: 1000, timeout: 1000, overload: 1000, app_error: 1000 } };
  const latencyMs = { mean: 25.5, p50: 20.047, p90: 53.535, p95: 80.127, p99: 118.911, p999: 210.559, max: 1630.271 };
  // Runs share a few series and logs (the renderer reads, never writes, the model): memory stays small.
  const shared = [0, 1, 2].map((k) => ({ timeseries: timeseries(k), events: events(k) }));
  const run = (r: number): RunReport => ({
    replication: r,
    seed: 1_000_000 + r,
    requests: counts,
    availability: 0.995,
    latencyMs,
    pods: Array.from({ length: 12 }, (_, i) => ({ name: `web-7d9f-pod-${i}`, image: 'registry.example.com/team/web:1.0', node: `node-${i % 3}`, requests: 100_000, createdAtS: 0, deletedAtS: null })),
    rollouts: [{ target: 'deployment/web', startedAtS: 60, completedAtS: 90, durationS: 30, maxPods: 5, maxActivePods: 5, minAvailable: 3, outcome: 'complete' }],
    slos: [{ expr: 'availability >= 99%', pass: true, value: 0.995, threshold: 0.99, unit: 'fraction', reason: null }],
    timeseries: shared[r % 3]!.timeseries,
    events: shared[r % 3]!.events,
    actions: [{ atS: 60, index: 0, action: 'set-image', target: 'deployment/web', detail: 'web=web:1.1', outcome: 'done' }],
    findings: [],
    notes: [],
  });
  const ids: MetricId[] = ['availability', 'failures', 'failures.no_endpoints', 'failures.refused', 'failures.reset', 'failures.timeout', 'failures.overload', 'failures.app_error', 'latency.p50', 'latency.p99', 'rollout.duration'];
  const estimate = { n: replications, mean: 0.995123456789, sd: 0.000123456789, ci95: [0.99501234, 0.99523456] as [number, number] };
  const variant = (v: number): VariantReport => {
    const runs = Array.from({ length: replications }, (_, r) => run(r));
    const pooled = timeseries(v);
    return {
      name: `maxSurge=${v % 10},maxUnavailable=${Math.floor(v / 10)}`,
      runs,
      errors: [],
      summary: {
        runs: replications,
        confidence: 0.95,
        metrics: Object.fromEntries(ids.map((id) => [id, estimate])) as VariantReport['summary']['metrics'],
        failedRuns: 0,
        requests: counts,
        availability: 0.995,
        latencyMs,
        rollouts: [{ target: 'deployment/web', count: replications, byOutcome: { complete: replications, stalled: 0, aborted: 0, in_progress: 0 }, durationS: { mean: 30, min: 29, max: 31 } }],
        slos: [{ expr: 'availability >= 99%', unit: 'fraction', threshold: 0.99, passed: replications, runs: replications, pass: true, pooledValue: 0.995 }],
        findings: [],
        timeseries: { ...pooled, runs: replications },
        actions: runs[0]!.actions,
        pass: true,
      },
    };
  };
  const vs = Array.from({ length: variants }, (_, v) => variant(v));
  const metric = { better: 'higher' as const, n: replications, baseline: 0.995, variant: 0.996, difference: 0.001, sd: 0.0001, ci95: [0.0008, 0.0012] as [number, number], relative: 0.001, unpaired: { n: [replications, replications] as [number, number], difference: 0.001, df: 10, ci95: [0.0005, 0.0015] as [number, number] }, verdict: 'better' as const };
  return {
    schemaVersion: 1,
    tool: { name: 'kubesim', version: '0.0.0' },
    detail: 'full',
    slosPass: true,
    failedRuns: 0,
    scenarios: [
      {
        name: 'sweep',
        file: 'sweep.yaml',
        files: ['sweep.yaml'],
        bare: false,
        seed: 1,
        durationS,
        warmupS: 0,
        replications,
        slos: ['availability >= 99%'],
        notes: [],
        variants: vs,
        comparison:
          variants < 2
            ? null
            : { baseline: vs[0]!.name, confidence: 0.95, variants: vs.slice(1).map((v) => ({ variant: v.name, pairs: replications, metrics: Object.fromEntries(ids.map((id) => [id, metric])) as Record<MetricId, typeof metric> })) },
      },
    ],
  };
}
