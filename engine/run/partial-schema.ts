import * as z from 'zod';
import { LatencyHistogram } from '../metrics/histogram.js';
import { decodeCells } from '../metrics/cellcodec.js';
import { OUTCOMES } from '../metrics/outcomes.js';
import { SERIES_LATENCY_CELLS } from '../metrics/timeseries.js';
import { errorMap } from '../scenario/validate.js';
import { formatPath, type PathSegment } from '../scenario/yaml.js';

/**
 * The schema of a partial result's item results (shard.ts), for `kubesim merge` (issue 10): a partial
 * file comes from another machine, so it is input like any other. Its shape is checked with zod and
 * its numbers for internal consistency — counts add up, the histogram decodes and holds the ok
 * requests, the time series holds the requests, the run's seed and replication are its plan item's —
 * so a damaged or tampered file is bad input (exit 2, the file and the field), never an internal error
 * and never a report built from numbers that cannot be.
 *
 * Fields the merge only carries into the report (pods, rollouts, SLO results, events, actions,
 * findings) are checked to be lists of mappings; their meaning is the report's.
 */

const count = z.number().int().nonnegative();
const finite = z.number().refine(Number.isFinite, 'expected a finite number');
const nullableNumber = finite.nullable();
const records = z.array(z.record(z.string(), z.unknown()));

const byOutcome = z.object(Object.fromEntries(OUTCOMES.map((o) => [o, count])) as Record<(typeof OUTCOMES)[number], typeof count>);
const series = z.array(count);
const nullableSeries = z.array(nullableNumber);

const timeseries = z.object({
  interval: finite.refine((v) => v > 0, 'expected a positive interval'),
  runs: count,
  requests: series,
  outcomes: z.object(Object.fromEntries(OUTCOMES.map((o) => [o, series])) as Record<(typeof OUTCOMES)[number], typeof series>),
  latencyMs: z.object({ p50: nullableSeries, p90: nullableSeries.optional(), p99: nullableSeries }).loose(),
  latencyCells: z.array(z.string()),
  gauges: z.record(z.string(), nullableSeries),
}).loose();

const metrics = z
  .object({
    requests: z.object({ total: count, ok: count, failed: count, byOutcome }),
    availability: finite.min(0).max(1).nullable(),
    latencyMs: z.record(z.string(), nullableNumber),
    latencyHistogram: z.string(),
    pods: z.array(count),
    rollout: z.object({ duration: nullableNumber, minAvailable: finite, maxPods: finite }).loose().nullable(),
    timeseries,
  })
  .loose()
  .superRefine((m, ctx) => {
    const issue = (path: PathSegment[], message: string) => ctx.addIssue({ code: 'custom', message, path });
    const r = m.requests;
    const sum = OUTCOMES.reduce((a, o) => a + r.byOutcome[o], 0);
    if (r.ok > r.total) issue(['requests', 'ok'], `${r.ok} ok requests of ${r.total} in all (more than the total)`);
    if (sum !== r.total) issue(['requests', 'total'], `${r.total}, but the outcomes in byOutcome add up to ${sum}`);
    if (r.byOutcome.ok !== r.ok) issue(['requests', 'ok'], `${r.ok}, but byOutcome.ok is ${r.byOutcome.ok}`);
    if (r.failed !== r.total - r.ok) issue(['requests', 'failed'], `${r.failed}, but total − ok is ${r.total - r.ok}`);
    if (r.total === 0 ? m.availability !== null : m.availability === null || Math.abs(m.availability - r.ok / r.total) > 1e-9) {
      issue(['availability'], `${String(m.availability)} does not match ok / total (${r.ok} / ${r.total})`);
    }
    let h: LatencyHistogram | undefined;
    try {
      h = LatencyHistogram.decode(m.latencyHistogram);
    } catch {
      issue(['latencyHistogram'], 'not an encoded latency histogram');
    }
    if (h !== undefined && h.count !== r.ok) issue(['latencyHistogram'], `holds ${h.count} requests, but ${r.ok} were ok`);
    const inSeries = m.timeseries.requests.reduce((a, b) => a + b, 0);
    if (inSeries !== r.total) issue(['timeseries', 'requests'], `the buckets hold ${inSeries} requests, but the run had ${r.total}`);
    for (const o of OUTCOMES) {
      if (m.timeseries.outcomes[o].length !== m.timeseries.requests.length) issue(['timeseries', 'outcomes', o], 'not as many buckets as timeseries.requests');
    }
    const cells = m.timeseries.latencyCells;
    if (cells.length !== m.timeseries.requests.length) issue(['timeseries', 'latencyCells'], 'not as many buckets as timeseries.requests');
    for (let b = 0; b < cells.length; b++) {
      try {
        decodeCells(cells[b]!, SERIES_LATENCY_CELLS, () => {});
      } catch (e) {
        issue(['timeseries', 'latencyCells', b], (e as Error).message);
        break;
      }
    }
    const routed = m.pods.reduce((a, b) => a + b, 0);
    if (routed > r.total) issue(['pods'], `${routed} requests routed to pods, more than the ${r.total} in all`);
  });

const planItem = z.object({ index: count, scenario: count, variant: z.string(), replication: count, seed: count });

const runResult = z
  .object({
    replication: count,
    seed: count,
    metrics,
    pods: records,
    rollouts: records,
    slos: records,
    events: records,
    actions: records.optional(),
    findings: records.optional(),
    notes: z.array(z.string()),
    kernelEvents: count,
  })
  .loose();

const failure = z.object({ scenario: z.string(), variant: z.string(), replication: count, seed: count, message: z.string(), stack: z.string().optional() }).loose();

const itemResult = z
  .discriminatedUnion('ok', [z.object({ item: planItem, ok: z.literal(true), result: runResult }).loose(), z.object({ item: planItem, ok: z.literal(false), failure }).loose()])
  .superRefine((r, ctx) => {
    const own = r.ok ? r.result : r.failure;
    const where = r.ok ? 'result' : 'failure';
    if (own.seed !== r.item.seed) ctx.addIssue({ code: 'custom', path: [where, 'seed'], message: `${own.seed}, but the run's plan item has seed ${r.item.seed}` });
    if (own.replication !== r.item.replication) ctx.addIssue({ code: 'custom', path: [where, 'replication'], message: `${own.replication}, but the run's plan item is replication ${r.item.replication}` });
  });

export const partialResultsSchema = z.array(itemResult);

/** The first problems of a partial's `results` as `results[i].field: message` (at most `max`). */
export function partialResultProblems(results: unknown): string[] {
  const r = partialResultsSchema.safeParse(results, { error: errorMap, jitless: true });
  if (r.success) return [];
  return r.error.issues.map((iss) => `${formatPath(['results', ...(iss.path as PathSegment[])])}: ${iss.message}`);
}
