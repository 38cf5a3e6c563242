import type { ClusterContext } from '../../context.js';
import { evalCondition, ExprError } from './expr.js';
import type { AnalysisRef, AnalysisTemplate, MetricSpec, Rollout } from './types.js';

/**
 * AnalysisRuns without Prometheus (kubernetes-semantics.md §8.5; argo `analysis/analysis.go`,
 * `utils/analysis/evaluate.go`): each metric of the referenced (Cluster)AnalysisTemplates is measured
 * from the simulation's own measurements every `interval` after `initialDelay`, `count` times, and
 * judged with successCondition / failureCondition over `result` (expr.ts).
 *
 * Provider `kubesim` (documented in scenarios/README.md, "Argo Rollouts"):
 *   {metric: success-rate | error-rate | latency-p50 | latency-p90 | latency-p95 | latency-p99 | requests | throughput,
 *    service?: <Service name>, pods?: canary | stable | all}
 * over the requests that ended since the metric's previous measurement (the last interval): of the
 * Service's clients when `service` is set, else of the requests served by the rollout's pods
 * (`pods`, default canary). Latencies in milliseconds (NaN without ok requests), rates as fractions
 * (NaN without requests). Any other provider (prometheus, datadog, job, web, …) cannot be measured
 * here: the metric is Inconclusive at once, with a note — an Inconclusive run pauses the rollout.
 *
 * Phases (evaluate.go / analysis.go): a measurement is Failed when failureCondition holds (or, with
 * only a successCondition, when it does not), Successful when successCondition holds (or, with only a
 * failureCondition, when it does not), else Inconclusive; an evaluation error is an Error. A metric
 * fails once failed measurements exceed failureLimit (default 0; −1 never), is Inconclusive past
 * inconclusiveLimit, Error past consecutiveErrorLimit (default 4) consecutive errors, Successful after
 * `count` measurements (one without an interval). A run takes its worst metric: Failed > Error >
 * Inconclusive > Running > Successful. Failed and Error abort the rollout; Inconclusive pauses it.
 */

export type AnalysisRunPhase = 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';
export type RunKind = 'background' | 'step' | 'prePromotion' | 'postPromotion' | 'scenario';

/** What the measurement source is asked for. */
export interface MeasurementFilter {
  namespace: string;
  /** Requests sent to this Service (its clients). */
  service?: string;
  /** Requests served by pods with this `rollouts-pod-template-hash` (or pod-template-hash). */
  podHash?: string;
  /** Requests served by pods with any of these hashes. */
  podHashes?: string[];
}

export interface MeasurementWindow {
  /** Seconds the window covered. */
  seconds: number;
  requests: number;
  ok: number;
  failed: number;
  /** Latency quantile of ok requests in ms (q in 0…1), null when there were none. */
  quantileMs(q: number): number | null;
}

/** A window of measurements opened now and read later. */
export interface MeasurementCollector {
  read(): MeasurementWindow;
  close(): void;
}

export interface MeasurementSource {
  open(filter: MeasurementFilter): MeasurementCollector;
}

export interface RunContext {
  rollout?: Rollout;
  /** For scenario gates: the Deployment's new pods. */
  namespace?: string;
  canaryHash: string;
  stableHash: string;
  stepIndex?: number;
}

interface MetricState {
  spec: MetricSpec;
  provider: { metric: string; service?: string; pods?: string } | undefined;
  measurements: number;
  failed: number;
  inconclusive: number;
  consecutiveErrors: number;
  phase: AnalysisRunPhase;
  collector: MeasurementCollector | undefined;
  timer: number | undefined;
}

export interface AnalysisRunRecord {
  name: string;
  owner: string;
  kind: RunKind;
  stepIndex?: number;
  startedAtS: number;
  finishedAtS: number | null;
  phase: AnalysisRunPhase;
  /** Every measurement: metric, time, value, phase. */
  measurements: Array<{ metric: string; atS: number; value: number | null; phase: string; message?: string }>;
}

interface Run {
  record: AnalysisRunRecord;
  metrics: MetricState[];
  stopped: boolean;
}

const PHASE_ORDER: AnalysisRunPhase[] = ['Failed', 'Error', 'Inconclusive', 'Running', 'Successful'];
const KUBESIM_METRICS = ['success-rate', 'error-rate', 'latency-p50', 'latency-p90', 'latency-p95', 'latency-p99', 'requests', 'throughput'];

export type TemplateLookup = (name: string, clusterScope: boolean, namespace: string) => AnalysisTemplate | undefined;

export class AnalysisRuns {
  readonly records: AnalysisRunRecord[] = [];
  private readonly runs = new Map<string, Run>();
  private readonly listeners: Array<(owner: string) => void> = [];
  private readonly noted = new Set<string>();

  constructor(
    private readonly ctx: ClusterContext,
    private readonly templates: TemplateLookup,
    private readonly source: MeasurementSource | undefined,
    private readonly note: (message: string) => void = () => {},
  ) {}

  /** Called with the owner key when a run of that owner changes phase. */
  onChange(listener: (owner: string) => void): void {
    this.listeners.push(listener);
  }

  private runKey(owner: string, kind: RunKind, stepIndex?: number, hash?: string): string {
    return `${owner}|${kind}|${stepIndex ?? ''}|${hash ?? ''}`;
  }

  /** The phase of the owner's run of this kind, starting it if it does not exist yet. */
  ensure(owner: string, kind: RunKind, ref: AnalysisRef, c: RunContext): AnalysisRunPhase {
    const key = this.runKey(owner, kind, c.stepIndex, c.canaryHash);
    const existing = this.runs.get(key);
    if (existing !== undefined) return existing.record.phase;
    return this.start(key, owner, kind, ref, c).record.phase;
  }

  /** The phase of an existing run (undefined when there is none). */
  phase(owner: string, kind: RunKind, stepIndex?: number): AnalysisRunPhase | undefined {
    for (const [k, r] of this.runs) if (k.startsWith(`${owner}|${kind}|${stepIndex ?? ''}|`)) return r.record.phase;
    return undefined;
  }

  /** Stops the owner's runs (of the given kinds): no more measurements; a Running run stays as it was. */
  stopAll(owner: string, kinds?: RunKind[]): void {
    for (const [k, run] of this.runs) {
      if (!k.startsWith(`${owner}|`)) continue;
      if (kinds !== undefined && !kinds.includes(run.record.kind)) continue;
      this.stop(run);
      this.runs.delete(k);
    }
  }

  private stop(run: Run): void {
    run.stopped = true;
    for (const m of run.metrics) {
      if (m.timer !== undefined) this.ctx.sim.cancel(m.timer);
      m.timer = undefined;
      m.collector?.close();
      m.collector = undefined;
    }
    if (run.record.finishedAtS === null) run.record.finishedAtS = this.ctx.sim.now;
  }

  private start(key: string, owner: string, kind: RunKind, ref: AnalysisRef, c: RunContext): Run {
    const now = this.ctx.sim.now;
    const namespace = c.rollout?.metadata.namespace ?? c.namespace ?? 'default';
    const ownerName = owner.slice(owner.indexOf('/') + 1);
    const name = `${ownerName}-${c.canaryHash}-${kind}${c.stepIndex !== undefined ? `-${c.stepIndex}` : ''}`;
    const record: AnalysisRunRecord = { name, owner, kind, startedAtS: now, finishedAtS: null, phase: 'Running', measurements: [], ...(c.stepIndex !== undefined ? { stepIndex: c.stepIndex } : {}) };
    const run: Run = { record, metrics: [], stopped: false };
    this.records.push(record);
    this.runs.set(key, run);
    const args = new Map<string, string>();
    for (const ref1 of ref.templates) {
      const t = this.templates(ref1.templateName, ref1.clusterScope, namespace);
      if (t === undefined) {
        this.noteOnce(`analysis ${name}: ${ref1.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'} "${ref1.templateName}" not found; the run is Error`);
        record.phase = 'Error';
        return run;
      }
      for (const a of t.spec.args) if (a.value !== undefined) args.set(a.name, a.value);
    }
    for (const a of ref.args) args.set(a.name, a.value);
    for (const ref1 of ref.templates) {
      const t = this.templates(ref1.templateName, ref1.clusterScope, namespace)!;
      for (const spec of t.spec.metrics) run.metrics.push(this.metricState(run, spec, args));
    }
    this.ctx.events.normal(c.rollout ? 'Rollout' : 'Deployment', ownerName, 'AnalysisRunRunning', `Analysis Run '${name}' Status New: 'Running' Previous: ''`);
    for (const m of run.metrics) {
      if (m.phase !== 'Running') continue;
      const filter = this.filterOf(m, namespace, c);
      m.timer = this.ctx.sim.after(m.spec.initialDelay, () => {
        m.collector = this.source?.open(filter);
        m.timer = undefined;
        if (m.spec.interval === undefined) this.measure(run, m, c, filter);
        else m.timer = this.ctx.sim.after(m.spec.interval, () => this.tick(run, m, c, filter));
      });
    }
    this.updatePhase(run);
    return run;
  }

  private metricState(run: Run, spec0: MetricSpec, args: Map<string, string>): MetricState {
    const sub = (s: string) => s.replace(/\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}/g, (all, n: string) => args.get(n) ?? all);
    const spec: MetricSpec = { ...spec0 };
    if (spec.successCondition !== undefined) spec.successCondition = sub(spec.successCondition);
    if (spec.failureCondition !== undefined) spec.failureCondition = sub(spec.failureCondition);
    const m: MetricState = { spec, provider: undefined, measurements: 0, failed: 0, inconclusive: 0, consecutiveErrors: 0, phase: 'Running', collector: undefined, timer: undefined };
    const kinds = Object.keys(spec.provider);
    const k = spec.provider['kubesim'];
    if (kinds.length === 1 && k !== null && typeof k === 'object') {
      const p = k as Record<string, unknown>;
      const metric = typeof p['metric'] === 'string' ? sub(p['metric']) : '';
      if (KUBESIM_METRICS.includes(metric)) {
        m.provider = { metric, ...(typeof p['pods'] === 'string' ? { pods: sub(p['pods']) } : {}), ...(typeof p['service'] === 'string' ? { service: sub(p['service']) } : {}) };
        return m;
      }
      this.noteOnce(`analysis ${run.record.name}: metric "${spec.name}": unknown kubesim metric ${JSON.stringify(metric)} (known: ${KUBESIM_METRICS.join(', ')}); the metric is Inconclusive`);
    } else {
      this.noteOnce(`analysis ${run.record.name}: metric "${spec.name}": provider ${kinds.join(', ') || '(none)'} cannot be measured in a simulation (only the kubesim provider); the metric is Inconclusive`);
    }
    m.phase = 'Inconclusive';
    run.record.measurements.push({ metric: spec.name, atS: this.ctx.sim.now, value: null, phase: 'Inconclusive', message: 'provider not measurable' });
    return m;
  }

  private filterOf(m: MetricState, namespace: string, c: RunContext): MeasurementFilter {
    const p = m.provider!;
    if (p.service !== undefined && p.pods === undefined) return { namespace, service: p.service };
    return p.pods === 'stable' ? { namespace, podHash: c.stableHash } : p.pods === 'all' ? { namespace, podHashes: [c.canaryHash, c.stableHash] } : { namespace, podHash: c.canaryHash };
  }

  private tick(run: Run, m: MetricState, c: RunContext, filter: MeasurementFilter): void {
    m.timer = undefined;
    if (run.stopped) return;
    this.measure(run, m, c, filter);
    if (m.phase === 'Running' && !run.stopped) m.timer = this.ctx.sim.after(m.spec.interval!, () => this.tick(run, m, c, filter));
  }

  private measure(run: Run, m: MetricState, _c: RunContext, filter: MeasurementFilter): void {
    const now = this.ctx.sim.now;
    const w = m.collector?.read();
    m.collector?.close();
    m.collector = this.source?.open(filter);
    const value = w === undefined ? NaN : valueOf(m.provider!.metric, w);
    let phase: 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
    let message: string | undefined;
    try {
      phase = evaluateResult(value, m.spec);
    } catch (e) {
      if (!(e instanceof ExprError)) throw e;
      phase = 'Error';
      message = e.message;
    }
    m.measurements++;
    run.record.measurements.push({ metric: m.spec.name, atS: now, value: Number.isFinite(value) ? value : null, phase, ...(message !== undefined ? { message } : {}) });
    if (phase === 'Error') m.consecutiveErrors++;
    else m.consecutiveErrors = 0;
    if (phase === 'Failed') m.failed++;
    if (phase === 'Inconclusive') m.inconclusive++;
    if (m.spec.failureLimit >= 0 && m.failed > m.spec.failureLimit) m.phase = 'Failed';
    else if (m.inconclusive > m.spec.inconclusiveLimit) m.phase = 'Inconclusive';
    else if (m.consecutiveErrors > m.spec.consecutiveErrorLimit) m.phase = 'Error';
    else if (m.spec.interval === undefined || (m.spec.count !== undefined && m.measurements >= m.spec.count)) m.phase = 'Successful';
    if (m.phase !== 'Running') {
      m.collector?.close();
      m.collector = undefined;
    }
    this.updatePhase(run);
  }

  private updatePhase(run: Run): void {
    const phases = run.metrics.map((m) => m.phase);
    const next: AnalysisRunPhase = phases.length === 0 ? 'Successful' : PHASE_ORDER.find((p) => phases.includes(p))!;
    // a Failed/Error metric ends the run at once (the others are not waited for)
    if (next === run.record.phase) return;
    run.record.phase = next;
    if (next !== 'Running') {
      this.stop(run);
      const ownerName = run.record.owner.slice(run.record.owner.indexOf('/') + 1);
      const kind = run.record.kind === 'scenario' ? 'Deployment' : 'Rollout';
      const msg = `Analysis Run '${run.record.name}' Status New: '${next}' Previous: 'Running'`;
      if (next === 'Successful') this.ctx.events.normal(kind, ownerName, 'AnalysisRunSuccessful', msg);
      else this.ctx.events.warning(kind, ownerName, `AnalysisRun${next}`, msg);
    }
    for (const l of this.listeners) l(run.record.owner);
  }

  private noteOnce(message: string): void {
    if (this.noted.has(message)) return;
    this.noted.add(message);
    this.note(message);
    this.ctx.events.warning('Scenario', 'analysis', 'AnalysisNote', message);
  }
}

/** The measured value of a kubesim metric over a window. */
export function valueOf(metric: string, w: MeasurementWindow): number {
  switch (metric) {
    case 'success-rate':
      return w.requests === 0 ? NaN : w.ok / w.requests;
    case 'error-rate':
      return w.requests === 0 ? NaN : w.failed / w.requests;
    case 'requests':
      return w.requests;
    case 'throughput':
      return w.seconds > 0 ? w.requests / w.seconds : NaN;
    default: {
      const q = Number(metric.slice('latency-p'.length)) / 100;
      return w.quantileMs(q) ?? NaN;
    }
  }
}

/** evaluate.go EvaluateResult: one measurement's phase from the conditions. */
export function evaluateResult(result: number, metric: Pick<MetricSpec, 'successCondition' | 'failureCondition'>): 'Successful' | 'Failed' | 'Inconclusive' {
  const vars = { result };
  const s = metric.successCondition, f = metric.failureCondition;
  if (s === undefined && f === undefined) return 'Successful';
  let success = s !== undefined ? evalCondition(s, vars) : false;
  let fail = f !== undefined ? evalCondition(f, vars) : false;
  if (s !== undefined && f === undefined) fail = !success;
  if (s === undefined && f !== undefined) success = !fail;
  if (fail) return 'Failed';
  if (!success) return 'Inconclusive';
  return 'Successful';
}
