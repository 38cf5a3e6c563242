import type { LatencyMs, Report, RequestCounts, VariantReport } from '../../../reports/model.js';

/** Hand-made report models for renderer tests (renderers read the model only). */
export function counts(byOutcome: Partial<RequestCounts['byOutcome']>): RequestCounts {
  const full = { ok: 0, no_endpoints: 0, refused: 0, reset: 0, timeout: 0, overload: 0, app_error: 0, ...byOutcome };
  const total = Object.values(full).reduce((a, b) => a + b, 0);
  return { total, ok: full.ok, failed: total - full.ok, byOutcome: full };
}

export const LATENCY: LatencyMs = { mean: 25.5, p50: 20.047, p90: 53.535, p99: 118.911, p999: 210.559, max: 1630.271 };

export function variant(name: string, over: Partial<VariantReport['summary']> = {}, errors = 0): VariantReport {
  const requests = over.requests ?? counts({ ok: 36203 });
  return {
    name,
    runs: [],
    errors: Array.from({ length: errors }, (_, i) => ({ replication: i, seed: i, message: 'Error: boom' })),
    summary: {
      runs: 1,
      failedRuns: errors,
      requests,
      availability: requests.total === 0 ? null : requests.ok / requests.total,
      latencyMs: LATENCY,
      rollouts: [],
      slos: [],
      pass: true,
      ...over,
    },
  };
}

export function report(variants: VariantReport[], slos: string[] = []): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'kubesim', version: '0.0.0' },
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
      },
    ],
  };
}
