import type { ComparisonJSON, EstimateJSON, FindingSummary, LatencyMs, MetricComparisonJSON, MetricId, Report, RequestCounts, VariantReport } from '../../../reports/model.js';

/** Hand-made report models for renderer tests (renderers read the model only). */
export function counts(byOutcome: Partial<RequestCounts['byOutcome']>): RequestCounts {
  const full = { ok: 0, no_endpoints: 0, refused: 0, reset: 0, timeout: 0, overload: 0, app_error: 0, ...byOutcome };
  const total = Object.values(full).reduce((a, b) => a + b, 0);
  return { total, ok: full.ok, failed: total - full.ok, byOutcome: full };
}

export const LATENCY: LatencyMs = { mean: 25.5, p50: 20.047, p90: 53.535, p95: 80.127, p99: 118.911, p999: 210.559, max: 1630.271 };

export function variant(name: string, over: Partial<VariantReport['summary']> = {}, errors = 0): VariantReport {
  const requests = over.requests ?? counts({ ok: 36203 });
  return {
    name,
    runs: [],
    errors: Array.from({ length: errors }, (_, i) => ({ replication: i, seed: i, message: 'Error: boom' })),
    summary: {
      runs: 1,
      confidence: 0.95,
      metrics: metrics(requests.total === 0 ? null : requests.ok / requests.total),
      failedRuns: errors,
      requests,
      availability: requests.total === 0 ? null : requests.ok / requests.total,
      latencyMs: LATENCY,
      rollouts: [],
      slos: [],
      findings: [],
      timeseries: null,
      actions: [],
      pass: true,
      ...over,
    },
  };
}

export function report(variants: VariantReport[], slos: string[] = []): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'kubesim', version: '0.0.0' },
    detail: 'full',
    slosPass: variants.every((v) => v.summary.pass),
    failedRuns: 0,
    scenarios: [
      {
        name: 'web-app-steady',
        file: 'scenarios/web-app.yaml',
        files: ['scenarios/web-app.yaml'],
        bare: false,
        seed: 42,
        durationS: 120,
        warmupS: 0,
        replications: 1,
        slos,
        notes: [],
        variants,
        comparison: null,
      },
    ],
  };
}

/** Per-metric estimates of one replication (no intervals). */
export function metrics(availability: number | null): Record<MetricId, EstimateJSON> {
  const one = (mean: number | null): EstimateJSON => ({ n: mean === null ? 0 : 1, mean, sd: null, ci95: null });
  const ids: MetricId[] = ['availability', 'failures', 'failures.no_endpoints', 'failures.refused', 'failures.reset', 'failures.timeout', 'failures.overload', 'failures.app_error', 'latency.p50', 'latency.p99', 'rollout.duration'];
  const out = {} as Record<MetricId, EstimateJSON>;
  for (const id of ids) out[id] = one(id === 'availability' ? availability : id === 'latency.p50' ? LATENCY.p50 : id === 'latency.p99' ? LATENCY.p99 : id === 'rollout.duration' ? null : 0);
  return out;
}

/** A finding over a variant's runs (defaults: 57 refused at 30.0–32.1 s after a delete-pod, with a fix). */
export function finding(over: Partial<FindingSummary> = {}): FindingSummary {
  return {
    cause: 'termination_race',
    outcome: 'refused',
    count: 57,
    fromS: 30,
    toS: 32.1,
    trigger: { atS: 30, action: 'delete-pod', target: 'deployment/web-app', detail: 'web-app-7d9f-x2k' },
    subjects: ['web-app-7d9f-x2k'],
    message: '57 requests refused at 30.0–32.1 s after delete-pod web-app-7d9f-x2k: kube-proxy routed to the pod for 2.1 s after it stopped listening.',
    fix: 'preStop sleep ≥ 3 s',
    evidence: { propagationS: 2.1 },
    runs: 1,
    perRun: 57,
    ...over,
  };
}

/** A comparison of every variant after the first with it, with made-up differences. */
export function comparison(r: Report): void {
  const s = r.scenarios[0]!;
  const m = (difference: number, half: number, verdict: MetricComparisonJSON['verdict']): MetricComparisonJSON => ({
    better: 'higher',
    n: 3,
    baseline: 0,
    variant: difference,
    difference,
    sd: half,
    ci95: [difference - half, difference + half],
    relative: null,
    unpaired: { n: [3, 3], difference, df: 4, ci95: [difference - 2 * half, difference + 2 * half] },
    verdict,
  });
  s.comparison = {
    baseline: s.variants[0]!.name,
    confidence: 0.95,
    variants: s.variants.slice(1).map((v, i) => ({
      variant: v.name,
      pairs: 3,
      metrics: { availability: m(0.02433 * (i + 1), 0.00439, 'better'), 'latency.p99': m(-123.4, 12.3, 'no significant difference') } as Record<MetricId, MetricComparisonJSON>,
    })),
  } as ComparisonJSON;
}
