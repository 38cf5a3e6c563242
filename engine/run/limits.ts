import { getHeapStatistics } from 'node:v8';
import type { Diagnostic } from '../scenario/diagnostics.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { TrafficSpec } from '../scenario/schema.js';
import { diagnosticAt, type PathSegment } from '../scenario/yaml.js';
import type { ExpandedScenario } from './run.js';

/**
 * Limits checked when the files are loaded, before any run (issue 10): a scenario that would take
 * hours or exhaust memory is bad input (exit 2) with the flag that lifts the limit, not a hang. `run`
 * and `validate` (and `merge`) check exactly the same limits, on every variant.
 *
 * | limit | default | flag |
 * |---|---|---|
 * | pods of one variant (Σ Deployment replicas, the largest `scale` of each) | 5,000 | --max-pods |
 * | requests one scenario would send (Σ over variants of peak rate × duration, × replications) | 10^9 | --max-requests |
 * | timeline actions of one variant, repetitions included | 10,000 | --max-timeline |
 * | runs in the plan (variants × replications, all scenarios) | 100,000 | --max-runs |
 * | time-series buckets kept with --detail full (runs × duration / 1 s) | 5,000,000 | --max-detail-buckets |
 * | heap one run needs (MiB: its pods × POD_HEAP_BYTES + RUN_HEAP_BYTES) | the V8 heap limit of this process | --max-memory |
 *
 * The memory estimate is measured, not derived: the peak live heap of the N-pod rollout bench
 * (bench/process.ts) is ~27 MiB at 1,000 pods and ~152 MiB at 10,000 (a rollout holds old and new pods
 * at once), ~14 KiB a replica; POD_HEAP_BYTES doubles that for the garbage the collector needs room for.
 * A run beyond the heap limit would otherwise die of V8's out-of-memory abort after minutes of work.
 * Input size is limited where files are read (--max-file-size, files.ts).
 */
export interface Limits {
  maxPods: number;
  maxRequests: number;
  maxTimeline: number;
  maxRuns: number;
  maxDetailBuckets: number;
  /** MiB of heap one run may need (estimated up front). */
  maxMemory: number;
}

/** Heap one pod of a variant costs at the peak of a run (see above), and a run's own share. */
export const POD_HEAP_BYTES = 28 * 1024;
export const RUN_HEAP_BYTES = 64 * 1024 * 1024;

/** This process's V8 heap limit, MiB (what `node --max-old-space-size` sets). */
export function heapLimitMiB(): number {
  return Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20);
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxPods: 5_000,
  maxRequests: 1e9,
  maxTimeline: 10_000,
  maxRuns: 100_000,
  maxDetailBuckets: 5_000_000,
  maxMemory: heapLimitMiB(),
};

/** The flag of each limit (for messages and the CLI). */
export const LIMIT_FLAGS: Readonly<Record<keyof Limits, string>> = {
  maxPods: '--max-pods',
  maxRequests: '--max-requests',
  maxTimeline: '--max-timeline',
  maxRuns: '--max-runs',
  maxDetailBuckets: '--max-detail-buckets',
  maxMemory: '--max-memory',
};

export interface LimitOptions {
  limits?: Partial<Limits> | undefined;
  /** --replications, overriding spec.replications. */
  replications?: number | undefined;
  /** With `full`, the time series of every run are kept in the report. */
  detail?: 'full' | 'summary' | undefined;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n >= 1e6) return n.toExponential(2).replace('e+', 'e');
  return Math.round(n).toLocaleString('en-US');
}

/** Every limit the expanded scenarios exceed, as diagnostics at the field responsible (empty when none). */
export function checkLimits(expanded: readonly ExpandedScenario[], options: LimitOptions = {}): Diagnostic[] {
  const limits: Limits = { ...DEFAULT_LIMITS, ...definedOnly(options.limits ?? {}) };
  const out: Diagnostic[] = [];
  const over = (what: string, value: number, key: keyof Limits) =>
    `${what} ${fmt(value)} exceeds the limit of ${fmt(limits[key])} (raise it with ${LIMIT_FLAGS[key]} ${Number.isFinite(value) ? String(Math.ceil(value)) : '<n>'})`;
  let runs = 0;
  let buckets = 0;
  let runsAt: Diagnostic | undefined;
  for (const e of expanded) {
    const s = e.scenario;
    const replications = options.replications ?? s.spec.replications;
    runs += e.variants.length * replications;
    runsAt ??= at(s, ['spec', 'replications']);
    let requests = 0;
    let requestsAt: Diagnostic | undefined;
    for (const v of e.variants) {
      const vs = v.scenario;
      const label = e.variants.length > 1 || v.name !== 'default' ? `variant ${JSON.stringify(v.name)}: ` : '';
      // pods
      const pods = podsOf(vs);
      if (pods.total > limits.maxPods) out.push(atDiag(pods.at, `${label}${over('pods', pods.total, 'maxPods')}`));
      const heapMiB = Math.ceil((pods.total * POD_HEAP_BYTES + RUN_HEAP_BYTES) / 2 ** 20);
      if (heapMiB > limits.maxMemory) {
        out.push(
          atDiag(
            pods.at,
            `${label}${fmt(pods.total)} pods need about ${fmt(heapMiB)} MiB of heap in one run (${POD_HEAP_BYTES / 1024} KiB a pod), more than the ${fmt(limits.maxMemory)} MiB limit (this process's heap: ${fmt(heapLimitMiB())} MiB); give node that heap with NODE_OPTIONS=--max-old-space-size=${heapMiB} (or skip the check with ${LIMIT_FLAGS.maxMemory} ${heapMiB})`,
          ),
        );
      }
      // timeline
      const actions = timelineLength(vs);
      if (actions.total > limits.maxTimeline) out.push(atDiag(at(vs, actions.worst < 0 ? ['spec', 'timeline'] : ['spec', 'timeline', actions.worst]), `${label}${over('timeline actions (repetitions included)', actions.total, 'maxTimeline')}`));
      // requests
      for (const [i, t] of vs.spec.traffic.entries()) {
        const n = requestsOf(t, vs) * replications;
        requests += n;
        if (requestsAt === undefined || n > 0) requestsAt ??= at(vs, ['spec', 'traffic', i, t.workload === 'open' ? 'rate' : 'users']);
      }
      buckets += Math.ceil(vs.spec.duration) * replications;
    }
    if (requests > limits.maxRequests) {
      out.push(atDiag(requestsAt ?? at(s, ['spec', 'traffic']), `${over('requests (peak rate × duration × replications, all variants)', requests, 'maxRequests')}`));
    }
  }
  if (runs > limits.maxRuns && runsAt !== undefined) out.push({ ...runsAt, message: over('runs (variants × replications)', runs, 'maxRuns') });
  if ((options.detail ?? 'full') === 'full' && buckets > limits.maxDetailBuckets && runsAt !== undefined) {
    out.push({
      ...runsAt,
      message: `--detail full keeps ${fmt(buckets)} time-series buckets (runs × duration in seconds), more than the limit of ${fmt(limits.maxDetailBuckets)}: use --detail summary, or raise the limit with ${LIMIT_FLAGS.maxDetailBuckets} ${fmt(buckets)}`,
    });
  }
  return out;
}

function definedOnly(l: Partial<Limits>): Partial<Limits> {
  const out: Partial<Limits> = {};
  for (const [k, v] of Object.entries(l) as Array<[keyof Limits, number | undefined]>) if (v !== undefined) out[k] = v;
  return out;
}

/** A diagnostic at a path of the scenario's Scenario document (its file when it has none). */
function at(s: LoadedScenario, path: PathSegment[]): Diagnostic {
  const o = s.origin?.scenario;
  if (o === undefined) return { file: s.file, line: 0, col: 0, path: '', message: '', severity: 'error' };
  return diagnosticAt(o.doc, [...o.base, ...path], '');
}

function atDiag(d: Diagnostic, message: string): Diagnostic {
  return { ...d, message };
}

/** The most pods the variant's Deployments ask for: each one's replicas, or the largest `scale` of it. */
function podsOf(s: LoadedScenario): { total: number; at: Diagnostic } {
  let total = 0;
  let worst = -1;
  let worstAt: Diagnostic | undefined;
  for (const d of s.deployments) {
    let n = d.spec.replicas;
    for (const a of s.spec.timeline) {
      if (a.action === 'scale' && a.target.name === d.metadata.name && (a.target.namespace ?? d.metadata.namespace) === d.metadata.namespace) n = Math.max(n, a.replicas);
    }
    total += n;
    if (n > worst) {
      worst = n;
      const src = s.origin?.manifests.find((o) => o.type === 'Deployment' && o.object.metadata.name === d.metadata.name && o.object.metadata.namespace === d.metadata.namespace);
      const scaled = n > d.spec.replicas;
      worstAt = scaled
        ? at(s, ['spec', 'timeline', s.spec.timeline.findIndex((a) => a.action === 'scale' && a.target.name === d.metadata.name && a.replicas === n), 'replicas'])
        : src !== undefined
          ? diagnosticAt(src.doc, [...src.base, 'spec', 'replicas'], '')
          : at(s, []);
    }
  }
  return { total, at: worstAt ?? at(s, []) };
}

/** Timeline actions including repetitions (a Poisson repetition counted at twice its mean, plus 10). */
function timelineLength(s: LoadedScenario): { total: number; worst: number } {
  let total = 0;
  let worst = -1;
  let most = 1;
  s.spec.timeline.forEach((a, i) => {
    const r = a.repeat;
    let n = 1;
    if (r !== undefined) {
      const until = Math.min(r.until ?? s.spec.duration, s.spec.duration);
      const window = Math.max(0, until - a.at);
      if (r.every !== undefined) n = r.every > 0 ? Math.floor(window / r.every) + 1 : Infinity;
      else if (r.rate !== undefined) n = 2 * r.rate * window + 10;
    }
    total += n;
    if (n > most) {
      most = n;
      worst = i;
    }
  });
  return { total, worst };
}

/** Requests a traffic entry sends in one run at most: its peak rate × the duration (closed: users at 1000/s each without think time). */
export function requestsOf(t: TrafficSpec, s: LoadedScenario): number {
  const duration = s.spec.duration;
  if (t.workload === 'closed') {
    const think = Math.max(0.001, t.thinkTime.mean);
    return (t.users * duration) / think;
  }
  if (t.replay?.data?.format === 'timestamps') return t.replay.data.times.length;
  let peak = t.rate;
  const shape = t.shape;
  if (shape !== undefined) {
    if (shape.type === 'ramp') peak = Math.max(peak, shape.to, shape.from ?? 0);
    else if (shape.type === 'steps') for (const st of shape.steps) peak = Math.max(peak, st.rate);
    else if (shape.type === 'spike') peak = Math.max(peak, shape.rate ?? t.rate * (shape.factor ?? 1));
    else peak = t.rate * (1 + Math.abs(shape.amplitude));
  }
  if (t.replay?.data?.format === 'rates') for (const st of t.replay.data.steps) peak = Math.max(peak, st.rate);
  for (const a of s.spec.timeline) if (a.action === 'set-rate' && a.target.name === t.name) peak = Math.max(peak, a.rate * Math.max(1, shape?.type === 'spike' ? (shape.factor ?? 1) : 1));
  return peak * duration;
}
