import { describe, expect, it } from 'vitest';
import {
  calcPlainMetricReplicas,
  defaultScaleDown,
  defaultScaleUp,
  getResourceReplicas,
  normalizeDesiredReplicas,
  scaleDownLimit,
  type CalcOptions,
  type PodSample,
} from '../../../engine/cluster/controllers/hpa.js';

/**
 * Rows transcribed from kubernetes/kubernetes `pkg/controller/podautoscaler/replica_calculator_test.go`
 * (the test function names; expected values are upstream's). Upstream's harness, reproduced here:
 * 2 containers per pod with the given request and usage level each (ratios are per pod), readiness
 * True unless given, start time and Ready transition the zero time unless given ("hot" = now,
 * "cool" = now − 3 min), metric timestamp the zero time with a 1 min window; the testing constants are
 * tolerance 0.1, cpuInitializationPeriod 2 min, delayOfInitialReadinessStatus 10 s.
 */
const NOW = 1e9;
const ZERO = -1e12; // Go's zero time: long before anything
const HOT = NOW;
const COOL = NOW - 180;
const opts: CalcOptions = { now: NOW, tolerance: 0.1, cpuInitializationPeriod: 120, delayOfInitialReadinessStatus: 10 };

interface Case {
  current: number;
  expected: number;
  expectedUtilization: number;
  requests: number[]; // per container, milli
  levels: number[]; // usage per container, milli (pods beyond the list have no metric)
  target: number;
  readiness?: Array<boolean>;
  startTime?: number[];
  phase?: Array<PodSample['phase']>;
  deleting?: boolean[];
}

function pods(c: Case): PodSample[] {
  const n = Math.max(c.current, c.phase?.length ?? 0);
  return Array.from({ length: n }, (_, i) => ({
    name: `test-pod-${i}`,
    phase: c.phase?.[i] ?? 'Running',
    deleting: c.deleting?.[i] ?? false,
    ready: c.readiness?.[i] ?? true,
    readyTransition: ZERO,
    startTime: c.startTime?.[i] ?? ZERO,
    request: c.requests[i] === undefined ? undefined : 2 * c.requests[i]!,
    metric: c.levels[i] === undefined ? undefined : { value: 2 * c.levels[i]!, timestamp: ZERO, window: 60 },
  }));
}

const one = (n: number) => Array(n).fill(1000) as number[];
const resourceCases: Array<[string, Case]> = [
  ['TestReplicaCalcScaleUp', { current: 3, expected: 5, expectedUtilization: 50, requests: one(3), levels: [300, 500, 700], target: 30 }],
  ['TestReplicaCalcScaleUpUnreadyLessScale', { current: 3, expected: 4, expectedUtilization: 60, requests: one(3), levels: [300, 500, 700], target: 30, readiness: [false, true, true] }],
  ['TestReplicaCalcScaleUpHotCpuLessScale', { current: 3, expected: 4, expectedUtilization: 60, requests: one(3), levels: [300, 500, 700], target: 30, startTime: [HOT, COOL, COOL] }],
  ['TestReplicaCalcScaleUpUnreadyNoScale', { current: 3, expected: 3, expectedUtilization: 40, requests: one(3), levels: [400, 500, 700], target: 30, readiness: [true, false, false] }],
  ['TestReplicaCalcScaleHotCpuNoScale', { current: 3, expected: 3, expectedUtilization: 40, requests: one(3), levels: [400, 500, 700], target: 30, readiness: [true, false, false], startTime: [COOL, HOT, HOT] }],
  ['TestReplicaCalcScaleUpIgnoresFailedPods', { current: 2, expected: 4, expectedUtilization: 60, requests: one(4), levels: [500, 700], target: 30, readiness: [true, true, false, false], phase: ['Running', 'Running', 'Failed', 'Failed'] }],
  ['TestReplicaCalcScaleUpIgnoresDeletionPods', { current: 2, expected: 4, expectedUtilization: 60, requests: one(4), levels: [500, 700], target: 30, readiness: [true, true, false, false], phase: ['Running', 'Running', 'Running', 'Running'], deleting: [false, false, true, true] }],
  ['TestReplicaCalcScaleDown', { current: 5, expected: 3, expectedUtilization: 28, requests: one(5), levels: [100, 300, 500, 250, 250], target: 50 }],
  ['TestReplicaCalcScaleDownIncludeUnreadyPods', { current: 5, expected: 2, expectedUtilization: 30, requests: one(5), levels: [100, 300, 500, 250, 250], target: 50, readiness: [true, true, true, false, false] }],
  ['TestReplicaCalcScaleDownExcludeUnscheduledPods', { current: 5, expected: 1, expectedUtilization: 10, requests: one(5), levels: [100], target: 50, readiness: [true, false, false, false, false], phase: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'] }],
  ['TestReplicaCalcScaleDownIgnoreHotCpuPods', { current: 5, expected: 2, expectedUtilization: 30, requests: one(5), levels: [100, 300, 500, 250, 250], target: 50, startTime: [COOL, COOL, COOL, HOT, HOT] }],
  ['TestReplicaCalcScaleDownIgnoresFailedPods', { current: 5, expected: 3, expectedUtilization: 28, requests: one(7), levels: [100, 300, 500, 250, 250], target: 50, readiness: [true, true, true, true, true, false, false], phase: ['Running', 'Running', 'Running', 'Running', 'Running', 'Failed', 'Failed'] }],
  ['TestReplicaCalcScaleDownIgnoresDeletionPods', { current: 5, expected: 3, expectedUtilization: 28, requests: one(7), levels: [100, 300, 500, 250, 250], target: 50, readiness: [true, true, true, true, true, false, false], phase: Array(7).fill('Running'), deleting: [false, false, false, false, false, true, true] }],
];

describe('GetResourceReplicas (k/k replica_calculator_test.go)', () => {
  it.each(resourceCases)('%s', (_name, c) => {
    const r = getResourceReplicas(c.current, c.target, pods(c), true, opts);
    expect(r).toEqual({ replicas: c.expected, utilization: c.expectedUtilization });
  });

  it('TestReplicaCalcDisjointResourcesMetrics: metrics for no known pod → error', () => {
    const p = pods({ current: 1, expected: 0, expectedUtilization: 0, requests: [1000], levels: [], target: 100 });
    expect(getResourceReplicas(1, 100, p, true, opts)).toEqual({ error: 'did not receive metrics for any ready pods' });
  });
});

describe('calcPlainMetricReplicas (k/k replica_calculator_test.go, pod metrics)', () => {
  const plain = (current: number, levels: number[], target: number, readiness?: boolean[], startTime?: number[]) =>
    calcPlainMetricReplicas(current, target, Array.from({ length: current }, (_, i) => ({
      name: `test-pod-${i}`, phase: 'Running' as const, deleting: false, ready: readiness?.[i] ?? true, readyTransition: ZERO,
      startTime: startTime?.[i] ?? ZERO, request: undefined, metric: { value: levels[i]!, timestamp: ZERO, window: 60 },
    })), false, opts);
  it('TestReplicaCalcScaleUpCM: qps 20000,10000,30000 against 15000 → 4', () => expect(plain(3, [20000, 10000, 30000], 15000)).toEqual({ replicas: 4, utilization: 20000 }));
  it('TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale: unready pods count for non-CPU metrics → 6', () =>
    expect(plain(3, [50000, 10000, 30000], 15000, [true, true, false], [COOL, COOL, HOT])).toEqual({ replicas: 6, utilization: 30000 }));
  it('TestReplicaCalcScaleDownCM: 5 × 12000 against 20000 → 3', () => expect(plain(5, [12000, 12000, 12000, 12000, 12000], 20000)).toEqual({ replicas: 3, utilization: 12000 }));
});

describe('the sheet §7.3 worked example', () => {
  it('4 ready pods at 400m of 500m, target 50 % → ratio 1.6 → 7; the default up limit is 8 so 7 at once', () => {
    const p: PodSample[] = Array.from({ length: 4 }, (_, i) => ({
      name: `p${i}`, phase: 'Running', deleting: false, ready: true, readyTransition: NOW - 1000, startTime: NOW - 2000, request: 0.5,
      metric: { value: 0.4, timestamp: NOW, window: 15 },
    }));
    const r = getResourceReplicas(4, 50, p, true, { ...opts, cpuInitializationPeriod: 300, delayOfInitialReadinessStatus: 30 });
    expect(r).toEqual({ replicas: 7, utilization: 80 });
    const behavior = { scaleUp: defaultScaleUp(), scaleDown: defaultScaleDown() };
    expect(normalizeDesiredReplicas({ current: 4, desired: 7, minReplicas: 1, maxReplicas: 20, now: NOW, recommendations: [], upEvents: [], downEvents: [], behavior }).replicas).toBe(7);
    expect(normalizeDesiredReplicas({ current: 4, desired: 7, minReplicas: 1, maxReplicas: 20, now: NOW, recommendations: [], upEvents: [], downEvents: [], behavior: undefined }).replicas).toBe(7);
  });

  it('load halves to 30 %: ratio 0.6 → 5, applied only once every recommendation of the past 300 s is ≤ 5', () => {
    const behavior = { scaleUp: defaultScaleUp(), scaleDown: defaultScaleDown() };
    const recs = [{ replicas: 7, at: NOW - 200 }];
    expect(normalizeDesiredReplicas({ current: 7, desired: 5, minReplicas: 1, maxReplicas: 20, now: NOW, recommendations: recs, upEvents: [], downEvents: [], behavior }).replicas).toBe(7);
    const later = [{ replicas: 7, at: NOW - 301 }, { replicas: 5, at: NOW - 100 }];
    expect(normalizeDesiredReplicas({ current: 7, desired: 5, minReplicas: 1, maxReplicas: 20, now: NOW, recommendations: later, upEvents: [], downEvents: [], behavior }).replicas).toBe(5);
  });

  it('docs: scale down 80 → 10 with Pods 4/60 s and Percent 10/60 s, Max: −8 first (10 % of 80)', () => {
    const rules = { stabilizationWindowSeconds: 0, selectPolicy: 'Max' as const, policies: [{ type: 'Pods' as const, value: 4, periodSeconds: 60 }, { type: 'Percent' as const, value: 10, periodSeconds: 60 }] };
    expect(scaleDownLimit(80, [], [], rules, NOW)).toBe(72);
    expect(scaleDownLimit(72, [], [{ change: 8, at: NOW - 10 }], rules, NOW)).toBe(72); // within the period: no more
    expect(scaleDownLimit(72, [], [{ change: 8, at: NOW - 61 }], rules, NOW)).toBe(64); // 72 × 0.9 = 64.8 → 64
    expect(scaleDownLimit(38, [], [], rules, NOW)).toBe(34); // below 40 replicas, 4 per minute
  });
});
