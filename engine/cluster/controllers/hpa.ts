import type { ClusterContext } from '../context.js';
import type { Condition, LabelSelector, ObjectMeta, Pod } from '../objects.js';
import { getCondition, matchesSelector, setCondition } from '../objects.js';
import { objectKey } from '../store.js';

/**
 * HorizontalPodAutoscaler, autoscaling/v2 (v1's targetCPUUtilizationPercentage is read as a v2 CPU
 * Utilization metric) — kubernetes-semantics.md §7; k/k `pkg/controller/podautoscaler/horizontal.go`
 * (reconcileAutoscaler, normalizeDesiredReplicas[WithBehaviors], stabilizeRecommendation…,
 * calculateScale{Up,Down}Limit…) and `replica_calculator.go` (GetResourceReplicas, groupPods,
 * calcPlainMetricReplicas). The arithmetic is in pure functions; the controller reads the store every
 * 15 s (`--horizontal-pod-autoscaler-sync-period`) and writes the target's spec.replicas.
 *
 * CPU comes from the simulated load: a pod's usage over the metrics window is the CPU time of the
 * requests it served in it (behaviour `cpuPerRequest`), against the sum of its containers' CPU requests.
 * Metric types other than Resource cpu/memory Utilization/AverageValue cannot be measured here: the HPA
 * reports ScalingActive=False (FailedGetPodsMetric) and keeps the replica count, with a note.
 */

export interface MetricTarget {
  type: 'Utilization' | 'AverageValue' | 'Value';
  averageUtilization?: number;
  /** In the metric's unit (cores for cpu, bytes for memory). */
  averageValue?: number;
  value?: number;
}

export interface MetricSpec {
  type: 'Resource' | 'ContainerResource' | 'Pods' | 'Object' | 'External';
  resource?: { name: string; target: MetricTarget };
  /** Other metric kinds, kept as written (they cannot be measured). */
  other?: Record<string, unknown>;
}

export interface HPAScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface HPAScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: HPAScalingPolicy[];
}

export interface HorizontalPodAutoscaler {
  apiVersion: 'autoscaling/v2';
  kind: 'HorizontalPodAutoscaler';
  metadata: ObjectMeta;
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: MetricSpec[];
    /** Undefined: the legacy path (5 min downscale stabilisation, scale-up max(2×, 4)). */
    behavior?: { scaleUp: HPAScalingRules; scaleDown: HPAScalingRules };
  };
  status: {
    currentReplicas: number;
    desiredReplicas: number;
    /** Current CPU utilisation in percent, when measured. */
    currentCPUUtilizationPercentage?: number;
    lastScaleTime?: number;
    conditions: Condition[];
  };
}

/** §7.2 defaults when `behavior` is given (k/k autoscaling/v2 defaults.go). */
export function defaultScaleUp(): HPAScalingRules {
  return { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }, { type: 'Pods', value: 4, periodSeconds: 15 }] };
}
export function defaultScaleDown(): HPAScalingRules {
  return { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
}

export const HPA_DEFAULTS = {
  syncPeriod: 15,
  tolerance: 0.1,
  cpuInitializationPeriod: 300,
  delayOfInitialReadinessStatus: 30,
  downscaleStabilisationWindow: 300,
};

// -------------------------------------------------------------------------------------------------
// Replica calculation (replica_calculator.go), pure

/** What the calculator knows of a pod. Times in seconds; `usage`/`request` in the metric's unit. */
export interface PodSample {
  name: string;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  deleting: boolean;
  /** The Ready condition's status; undefined when the pod has no Ready condition. */
  ready: boolean | undefined;
  readyTransition: number;
  startTime: number | undefined;
  /** Σ container requests; undefined when a container has no request. */
  request: number | undefined;
  /** The metric, if the metrics source has one for the pod. */
  metric?: { value: number; timestamp: number; window: number } | undefined;
}

export interface CalcOptions {
  now: number;
  tolerance: number;
  cpuInitializationPeriod: number;
  delayOfInitialReadinessStatus: number;
}

/** groupPods: ready count, ignored (pending, unready or initialising CPU) and missing (no metric) pods. */
export function groupPods(pods: readonly PodSample[], cpu: boolean, o: CalcOptions): { readyPodCount: number; ignored: Set<string>; missing: Set<string> } {
  const ignored = new Set<string>();
  const missing = new Set<string>();
  let readyPodCount = 0;
  for (const p of pods) {
    if (p.deleting || p.phase === 'Failed') continue;
    if (p.phase === 'Pending') {
      ignored.add(p.name);
      continue;
    }
    if (p.metric === undefined) {
      missing.add(p.name);
      continue;
    }
    if (cpu) {
      let ignore: boolean;
      if (p.ready === undefined || p.startTime === undefined) ignore = true;
      else if (p.startTime + o.cpuInitializationPeriod > o.now) {
        ignore = p.ready === false || p.metric.timestamp < p.readyTransition + p.metric.window;
      } else {
        ignore = p.ready === false && p.startTime + o.delayOfInitialReadinessStatus > p.readyTransition;
      }
      if (ignore) {
        ignored.add(p.name);
        continue;
      }
    }
    readyPodCount++;
  }
  return { readyPodCount, ignored, missing };
}

/** GetResourceUtilizationRatio: utilisation truncated to an integer percent over the pods with metrics. */
export function resourceUtilizationRatio(metrics: ReadonlyMap<string, number>, requests: ReadonlyMap<string, number>, target: number): { ratio: number; utilization: number } {
  let usage = 0, req = 0;
  for (const [name, v] of metrics) {
    const r = requests.get(name);
    if (r === undefined) continue;
    usage += v;
    req += r;
  }
  const utilization = req === 0 ? 0 : Math.trunc((usage * 100) / req);
  return { ratio: utilization / target, utilization };
}

export type CalcResult = { replicas: number; utilization: number } | { error: string };

/** §7.1 GetResourceReplicas (Utilization target, percent). */
export function getResourceReplicas(currentReplicas: number, targetUtilization: number, pods: readonly PodSample[], cpu: boolean, o: CalcOptions): CalcResult {
  if (pods.length === 0) return { error: 'no pods returned by selector while calculating replica count' };
  const { readyPodCount, ignored, missing } = groupPods(pods, cpu, o);
  const metrics = new Map<string, number>();
  for (const p of pods) if (p.metric !== undefined && !ignored.has(p.name) && !p.deleting && p.phase !== 'Failed') metrics.set(p.name, p.metric.value);
  const requests = new Map<string, number>();
  for (const p of pods) {
    if (p.request === undefined) return { error: `missing request for ${cpu ? 'cpu' : 'memory'}` };
    requests.set(p.name, p.request);
  }
  if (metrics.size === 0) return { error: 'did not receive metrics for any ready pods' };
  const { ratio, utilization } = resourceUtilizationRatio(metrics, requests, targetUtilization);
  const rebalanceIgnored = ignored.size > 0 && ratio > 1;
  if (!rebalanceIgnored && missing.size === 0) {
    if (Math.abs(1 - ratio) <= o.tolerance) return { replicas: currentReplicas, utilization };
    return { replicas: Math.ceil(ratio * readyPodCount), utilization };
  }
  if (missing.size > 0) {
    if (ratio < 1) for (const n of missing) metrics.set(n, requests.get(n)!);
    else if (ratio > 1) for (const n of missing) metrics.set(n, 0);
  }
  if (rebalanceIgnored) for (const n of ignored) metrics.set(n, 0);
  const next = resourceUtilizationRatio(metrics, requests, targetUtilization).ratio;
  if (Math.abs(1 - next) <= o.tolerance || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return { replicas: currentReplicas, utilization };
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) return { replicas: currentReplicas, utilization };
  return { replicas, utilization };
}

/** calcPlainMetricReplicas (AverageValue targets: the metric's average against the target value). */
export function calcPlainMetricReplicas(currentReplicas: number, targetValue: number, pods: readonly PodSample[], cpu: boolean, o: CalcOptions): CalcResult {
  if (pods.length === 0) return { error: 'no pods returned by selector while calculating replica count' };
  const { readyPodCount, ignored, missing } = groupPods(pods, cpu, o);
  const metrics = new Map<string, number>();
  for (const p of pods) if (p.metric !== undefined && !ignored.has(p.name) && !p.deleting && p.phase !== 'Failed') metrics.set(p.name, p.metric.value);
  if (metrics.size === 0) return { error: 'did not receive metrics for any ready pods' };
  const ratioOf = () => {
    let sum = 0;
    for (const v of metrics.values()) sum += v;
    const avg = sum / metrics.size;
    return { ratio: avg / targetValue, utilization: Math.trunc(avg) };
  };
  const { ratio, utilization } = ratioOf();
  const rebalanceIgnored = ignored.size > 0 && ratio > 1;
  if (!rebalanceIgnored && missing.size === 0) {
    if (Math.abs(1 - ratio) <= o.tolerance) return { replicas: currentReplicas, utilization };
    return { replicas: Math.ceil(ratio * readyPodCount), utilization };
  }
  if (missing.size > 0) for (const n of missing) metrics.set(n, ratio < 1 ? targetValue : 0);
  if (rebalanceIgnored) for (const n of ignored) metrics.set(n, 0);
  const next = ratioOf().ratio;
  if (Math.abs(1 - next) <= o.tolerance || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return { replicas: currentReplicas, utilization };
  return { replicas: Math.ceil(next * metrics.size), utilization };
}

// -------------------------------------------------------------------------------------------------
// Normalisation (horizontal.go), pure

export interface Recommendation {
  replicas: number;
  at: number;
}
export interface ScaleEvent {
  change: number;
  at: number;
}

function changeInPeriod(period: number, events: readonly ScaleEvent[], now: number): number {
  let n = 0;
  for (const e of events) if (e.at > now - period) n += e.change;
  return n;
}

/** calculateScaleUpLimitWithScalingRules (§7.2). */
export function scaleUpLimit(current: number, up: readonly ScaleEvent[], down: readonly ScaleEvent[], rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  let result = rules.selectPolicy === 'Max' ? -Infinity : Infinity;
  for (const p of rules.policies) {
    const start = current - changeInPeriod(p.periodSeconds, up, now) + changeInPeriod(p.periodSeconds, down, now);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = rules.selectPolicy === 'Max' ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** calculateScaleDownLimitWithBehaviors (§7.2). */
export function scaleDownLimit(current: number, up: readonly ScaleEvent[], down: readonly ScaleEvent[], rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  let result = rules.selectPolicy === 'Max' ? Infinity : -Infinity;
  for (const p of rules.policies) {
    const start = current - changeInPeriod(p.periodSeconds, up, now) + changeInPeriod(p.periodSeconds, down, now);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = rules.selectPolicy === 'Max' ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

export interface NormalizeInput {
  current: number;
  desired: number;
  minReplicas: number;
  maxReplicas: number;
  now: number;
  recommendations: Recommendation[];
  upEvents: ScaleEvent[];
  downEvents: ScaleEvent[];
  behavior: HorizontalPodAutoscaler['spec']['behavior'];
}

/**
 * normalizeDesiredReplicas (legacy) / normalizeDesiredReplicasWithBehaviors: stabilisation over the
 * recommendations (the given list is updated), then the rate limits and [min, max]. Returns the replicas.
 */
export function normalizeDesiredReplicas(x: NormalizeInput): { replicas: number; reason: string } {
  const { now } = x;
  if (x.behavior === undefined) {
    // stabilizeRecommendation: the max recommendation over the downscale window, the current one included
    let stabilized = x.desired;
    for (const r of x.recommendations) if (r.at > now - HPA_DEFAULTS.downscaleStabilisationWindow && r.replicas > stabilized) stabilized = r.replicas;
    record(x.recommendations, x.desired, now, HPA_DEFAULTS.downscaleStabilisationWindow);
    // convertDesiredReplicasWithRules: scale-up limit max(2 × current, 4), then [min, max]
    const upLimit = Math.max(2 * x.current, 4);
    const max = Math.min(x.maxReplicas, upLimit);
    if (stabilized < x.minReplicas) return { replicas: x.minReplicas, reason: 'TooFewReplicas' };
    if (stabilized > max) return { replicas: max, reason: max === upLimit ? 'ScaleUpLimit' : 'TooManyReplicas' };
    return { replicas: stabilized, reason: stabilized === x.desired ? 'DesiredWithinRange' : 'ScaleDownStabilized' };
  }
  const b = x.behavior;
  // stabilizeRecommendationWithBehaviors
  let up = x.desired, down = x.desired;
  for (const r of x.recommendations) {
    if (r.at > now - b.scaleUp.stabilizationWindowSeconds) up = Math.min(up, r.replicas);
    if (r.at > now - b.scaleDown.stabilizationWindowSeconds) down = Math.max(down, r.replicas);
  }
  let stabilized = x.current;
  if (stabilized < up) stabilized = up;
  if (stabilized > down) stabilized = down;
  record(x.recommendations, x.desired, now, Math.max(b.scaleUp.stabilizationWindowSeconds, b.scaleDown.stabilizationWindowSeconds));
  // convertDesiredReplicasWithBehaviorRate
  if (stabilized > x.current) {
    let limit = scaleUpLimit(x.current, x.upEvents, x.downEvents, b.scaleUp, now);
    if (limit < x.current) limit = x.current;
    const allowed = Math.min(x.maxReplicas, limit);
    if (stabilized > allowed) return { replicas: allowed, reason: allowed === limit ? 'ScaleUpLimit' : 'TooManyReplicas' };
  } else if (stabilized < x.current) {
    let limit = scaleDownLimit(x.current, x.upEvents, x.downEvents, b.scaleDown, now);
    if (limit > x.current) limit = x.current;
    const allowed = Math.max(x.minReplicas, limit);
    if (stabilized < allowed) return { replicas: allowed, reason: allowed === limit ? 'ScaleDownLimit' : 'TooFewReplicas' };
  } else {
    if (stabilized > x.maxReplicas) return { replicas: x.maxReplicas, reason: 'TooManyReplicas' };
    if (stabilized < x.minReplicas) return { replicas: x.minReplicas, reason: 'TooFewReplicas' };
  }
  return { replicas: stabilized, reason: 'DesiredWithinRange' };
}

function record(list: Recommendation[], replicas: number, at: number, window: number): void {
  for (let i = list.length - 1; i >= 0; i--) if (list[i]!.at <= at - window) list.splice(i, 1);
  list.push({ replicas, at });
}

// -------------------------------------------------------------------------------------------------
// The controller

/** CPU used by a pod over the last metrics window, from the run's measurements (cores), if it has a sample. */
export type PodUsage = (pod: Pod, now: number) => { value: number; timestamp: number; window: number } | undefined;

interface HpaState {
  recommendations: Recommendation[];
  upEvents: ScaleEvent[];
  downEvents: ScaleEvent[];
}

/** What an HPA can scale: a Deployment or a Rollout (scale subresource = spec.replicas). */
function targetOf(ctx: ClusterContext, hpa: HorizontalPodAutoscaler): { replicas: number; selector: LabelSelector; set(n: number): void } | undefined {
  const ref = hpa.spec.scaleTargetRef;
  const ns = hpa.metadata.namespace;
  const obj = ref.kind === 'Deployment' ? ctx.store.get('Deployment', ref.name, ns) : ref.kind === 'Rollout' ? ctx.store.get('Rollout', ref.name, ns) : undefined;
  if (obj === undefined) return undefined;
  return {
    replicas: obj.spec.replicas,
    selector: obj.spec.selector,
    set: (n) => {
      obj.spec.replicas = n;
      obj.metadata.generation++;
      if (obj.kind === 'Deployment') ctx.store.update(obj);
      else ctx.store.update(obj);
    },
  };
}

export class HorizontalPodAutoscalerController {
  private readonly state = new Map<string, HpaState>();
  syncs = 0;

  constructor(
    private readonly ctx: ClusterContext,
    private readonly usage: PodUsage,
    private readonly note: (message: string) => void = () => {},
  ) {
    const period = HPA_DEFAULTS.syncPeriod;
    const start = ctx.sim.now;
    const tick = (k: number): void => {
      for (const hpa of ctx.store.list('HorizontalPodAutoscaler')) this.reconcile(hpa);
      ctx.sim.schedule(start + (k + 1) * period, tick, k + 1);
    };
    ctx.sim.schedule(start + period, tick, 1);
  }

  /** reconcileAutoscaler (§7.1). */
  reconcile(hpa: HorizontalPodAutoscaler): void {
    this.syncs++;
    const { ctx } = this;
    const now = ctx.sim.now;
    const key = objectKey(hpa.metadata);
    let st = this.state.get(key);
    if (st === undefined) this.state.set(key, (st = { recommendations: [], upEvents: [], downEvents: [] }));
    const conds = hpa.status.conditions;
    const target = targetOf(ctx, hpa);
    const ref = hpa.spec.scaleTargetRef;
    if (target === undefined) {
      if (setCondition(conds, { type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: ${ref.kind.toLowerCase()}s "${ref.name}" not found` }, now)) {
        ctx.events.warning('HorizontalPodAutoscaler', hpa.metadata.name, 'FailedGetScale', `${ref.kind.toLowerCase()}s "${ref.name}" not found`);
        this.note(`horizontalpodautoscaler/${hpa.metadata.name}: its target ${ref.kind.toLowerCase()}/${ref.name} is not in the manifests; it does nothing`);
        ctx.store.update(hpa);
      }
      return;
    }
    setCondition(conds, { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: 'the HPA controller was able to get the target\'s current scale' }, now);
    const current = target.replicas;
    hpa.status.currentReplicas = current;
    let desired: number;
    let reason = '';
    if (current === 0 && hpa.spec.minReplicas !== 0) {
      desired = 0;
      setCondition(conds, { type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' }, now);
    } else if (current > hpa.spec.maxReplicas) {
      desired = hpa.spec.maxReplicas;
      reason = 'Current number of replicas above Spec.MaxReplicas';
    } else if (current < hpa.spec.minReplicas) {
      desired = hpa.spec.minReplicas;
      reason = 'Current number of replicas below Spec.MinReplicas';
    } else {
      const proposal = this.computeReplicasForMetrics(hpa, current, target.selector, now);
      if (proposal === undefined) {
        hpa.status.desiredReplicas = current;
        ctx.store.update(hpa);
        return;
      }
      setCondition(conds, { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count' }, now);
      const n = normalizeDesiredReplicas({
        current,
        desired: proposal,
        minReplicas: hpa.spec.minReplicas,
        maxReplicas: hpa.spec.maxReplicas,
        now,
        recommendations: st.recommendations,
        upEvents: st.upEvents,
        downEvents: st.downEvents,
        behavior: hpa.spec.behavior,
      });
      desired = n.replicas;
      setCondition(conds, { type: 'ScalingLimited', status: n.reason === 'DesiredWithinRange' ? 'False' : 'True', reason: n.reason, message: '' }, now);
      reason = 'cpu resource utilization (percentage of request) above target';
      if (desired < current) reason = 'All metrics below target';
    }
    hpa.status.desiredReplicas = desired;
    if (desired !== current) {
      target.set(desired);
      hpa.status.lastScaleTime = now;
      hpa.status.currentReplicas = current;
      const change = desired - current;
      if (change > 0) st.upEvents.push({ change, at: now });
      else st.downEvents.push({ change: -change, at: now });
      const keep = 1800; // the longest allowed periodSeconds
      st.upEvents = st.upEvents.filter((e) => e.at > now - keep);
      st.downEvents = st.downEvents.filter((e) => e.at > now - keep);
      ctx.events.normal('HorizontalPodAutoscaler', hpa.metadata.name, 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
    }
    ctx.store.update(hpa);
  }

  /** computeReplicasForMetrics: the max over the metrics; undefined when none can be computed. */
  private computeReplicasForMetrics(hpa: HorizontalPodAutoscaler, current: number, selector: LabelSelector, now: number): number | undefined {
    const pods = this.ctx.store.list('Pod', hpa.metadata.namespace).filter((p) => matchesSelector(selector, p.metadata.labels));
    const opts: CalcOptions = { now, tolerance: HPA_DEFAULTS.tolerance, cpuInitializationPeriod: HPA_DEFAULTS.cpuInitializationPeriod, delayOfInitialReadinessStatus: HPA_DEFAULTS.delayOfInitialReadinessStatus };
    let best: number | undefined;
    let failed = false;
    for (const m of hpa.spec.metrics) {
      const name = m.resource?.name;
      if ((m.type !== 'Resource' && m.type !== 'ContainerResource') || (name !== 'cpu' && name !== 'memory')) {
        failed = true;
        this.noteOnce(hpa, `a ${m.type} metric cannot be measured in the simulation (only Resource cpu and memory); it is ignored`);
        continue;
      }
      if (name === 'memory') {
        failed = true;
        this.noteOnce(hpa, 'memory usage is not modelled; the memory metric is ignored');
        continue;
      }
      const samples = pods.map((p) => sampleOf(p, this.usage(p, now)));
      const t = m.resource!.target;
      const r = t.type === 'Utilization'
        ? getResourceReplicas(current, t.averageUtilization ?? 80, samples, true, opts)
        : calcPlainMetricReplicas(current, t.averageValue ?? 1, samples, true, opts);
      if ('error' in r) {
        failed = true;
        setCondition(hpa.status.conditions, { type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric', message: r.error }, now);
        continue;
      }
      if (t.type === 'Utilization') hpa.status.currentCPUUtilizationPercentage = r.utilization;
      best = best === undefined ? r.replicas : Math.max(best, r.replicas);
    }
    if (best === undefined) {
      if (!hpa.spec.metrics.some((m) => m.type === 'Resource' && m.resource?.name === 'cpu')) {
        setCondition(hpa.status.conditions, { type: 'ScalingActive', status: 'False', reason: 'FailedGetPodsMetric', message: 'the HPA was unable to compute the replica count: no metric can be measured in the simulation' }, now);
      }
      return undefined;
    }
    // if some metric failed and the others suggest scaling down, skip (§7.1)
    if (failed && best < current) return undefined;
    return best;
  }

  private noteOnce(hpa: HorizontalPodAutoscaler, message: string): void {
    const cond = getCondition(hpa.status.conditions, 'ScalingActive');
    const text = `horizontalpodautoscaler/${hpa.metadata.name}: ${message}`;
    if (cond?.message === text) return;
    this.note(text);
  }
}

/** A pod as the replica calculator sees it. */
export function sampleOf(p: Pod, metric: PodSample['metric']): PodSample {
  const ready = getCondition(p.status.conditions, 'Ready');
  let request: number | undefined = 0;
  for (const c of p.spec.containers) {
    const r = c.resources?.requests?.cpu;
    if (r === undefined) {
      request = undefined;
      break;
    }
    request += r;
  }
  return {
    name: p.metadata.name,
    phase: p.status.phase,
    deleting: p.metadata.deletionTimestamp !== undefined,
    ready: ready === undefined ? undefined : ready.status === 'True',
    readyTransition: ready?.lastTransitionTime ?? 0,
    startTime: p.status.startTime,
    request,
    metric,
  };
}
