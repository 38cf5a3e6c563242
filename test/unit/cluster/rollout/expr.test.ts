import { describe, expect, it } from 'vitest';
import { evalCondition, ExprError, parseExpr } from '../../../../engine/cluster/controllers/rollout/expr.js';
import { AnalysisRuns, evaluateResult, valueOf, type MeasurementWindow } from '../../../../engine/cluster/controllers/rollout/analysis.js';
import { makeContext } from '../../../support/fake-kubelet.js';

/** Argo's condition syntax (expr-lang), the subset conditions are written in; no eval. */
describe('evalCondition', () => {
  it.each<[string, number | number[], boolean]>([
    ['result >= 0.95', 0.96, true],
    ['result >= 0.95', 0.9, false],
    ['result[0] >= 0.95', 0.99, true], // Prometheus vector style on a single value
    ['result[0] >= 0.95', [0.99], true],
    ['result < 0.05 && result > 0', 0.01, true],
    ['result < 0.05 and result > 0', 0, false],
    ['result > 10 || result < 1', 0.5, true],
    ['result > 10 or result < 1', 5, false],
    ['!(result > 1)', 0.5, true],
    ['not (result > 1)', 2, false],
    ['result * 100 >= 99', 0.995, true],
    ['result / 2 + 1 - 0.5 == 1', 1, true],
    ['result % 2 == 1', 3, true],
    ['-result < 0', 1, true],
    ['isNaN(result)', NaN, true],
    ['isNaN(result) || result >= 0.99', NaN, true],
    ['default(result, 1) >= 0.99', NaN, true],
    ['len(result) == 2', [1, 2], true],
    ['abs(result) == 3', -3, true],
    ['max(result, 2) == 2 && min(result, 2) == 1', 1, true],
    ['isInf(result)', Infinity, true],
    ['int(result) == 2 && float("2.5") == 2.5', 2.7, true],
    ['result > 1 ? true : false', 2, true],
    ['result != 1', 2, true],
    ['1e-3 < result && .5 > result', 0.1, true],
    ['"a" + "b" == "ab"', 0, true],
    ["'x' == 'x' && nil == nil", 0, true],
  ])('%s with result = %j → %s', (src, result, want) => {
    expect(evalCondition(src, { result })).toBe(want);
  });

  it.each<[string, RegExp]>([
    ['result >=', /unexpected end of condition/],
    ['result >= 0.9)', /unexpected "\)"/],
    ['(result', /expected "\)"/],
    ['result @ 1', /unexpected character "@"/],
    ['"open', /unterminated string/],
    ['foo(result)', /unknown function foo/],
  ])('%s is a parse error (%s)', (src, re) => {
    expect(() => parseExpr(src)).toThrow(re);
  });

  it('evaluation errors are ExprErrors (an Error measurement)', () => {
    expect(() => evalCondition('other > 1', { result: 1 })).toThrow(ExprError);
    expect(() => evalCondition('result + 1', { result: 1 })).toThrow(/not true or false/);
    expect(() => evalCondition('result && true', { result: 1 })).toThrow(/expected a boolean/);
    expect(() => evalCondition('result[3] > 0', { result: [1] })).toThrow(/out of range/);
    expect(() => evalCondition('result[1] > 0', { result: 1 })).toThrow(/single value/);
    expect(() => evalCondition('"a" > 1', { result: 1 })).toThrow(/expected a number/);
  });
});

describe('evaluateResult (argo utils/analysis/evaluate.go)', () => {
  it.each<[string | undefined, string | undefined, number, string]>([
    [undefined, undefined, 0.5, 'Successful'], // no conditions: success unless an error
    ['result >= 0.9', undefined, 0.95, 'Successful'],
    ['result >= 0.9', undefined, 0.5, 'Failed'], // only a success condition: not met = Failed
    [undefined, 'result < 0.9', 0.5, 'Failed'],
    [undefined, 'result < 0.9', 0.95, 'Successful'], // only a failure condition: not met = Successful
    ['result >= 0.9', 'result < 0.5', 0.7, 'Inconclusive'], // neither
    ['result >= 0.9', 'result < 0.5', 0.3, 'Failed'],
  ])('success %s, failure %s, result %s → %s', (successCondition, failureCondition, result, want) => {
    expect(evaluateResult(result, { ...(successCondition ? { successCondition } : {}), ...(failureCondition ? { failureCondition } : {}) })).toBe(want);
  });
});

describe('kubesim provider values', () => {
  const w: MeasurementWindow = { seconds: 10, requests: 200, ok: 190, failed: 10, quantileMs: (q) => q * 100 };
  it.each<[string, number]>([
    ['success-rate', 0.95],
    ['error-rate', 0.05],
    ['requests', 200],
    ['throughput', 20],
    ['latency-p99', 99],
    ['latency-p50', 50],
  ])('%s', (metric, want) => expect(valueOf(metric, w)).toBeCloseTo(want, 9));
  it('NaN without requests', () => {
    const empty: MeasurementWindow = { seconds: 0, requests: 0, ok: 0, failed: 0, quantileMs: () => null };
    for (const m of ['success-rate', 'error-rate', 'throughput', 'latency-p90']) expect(valueOf(m, empty)).toBeNaN();
  });
});

describe('AnalysisRuns: providers that cannot be measured, missing templates, limits', () => {
  const template = (metrics: object[]) => ({
    apiVersion: 'argoproj.io/v1alpha1' as const, kind: 'AnalysisTemplate' as const, metadata: { name: 't' }, cluster: false, spec: { args: [{ name: 'svc', value: 'web' }], metrics: metrics as never },
  });
  const metric = (o: object) => ({ name: 'm', initialDelay: 0, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4, ...o });
  const setup = (metrics: object[], ok = 100) => {
    const ctx = makeContext(0);
    ctx.store.create<'AnalysisTemplate'>(template(metrics));
    const notes: string[] = [];
    const runs = new AnalysisRuns(ctx, (n, _c, ns) => ctx.store.get('AnalysisTemplate', n, ns), { open: () => ({ read: () => ({ seconds: 1, requests: 100, ok, failed: 100 - ok, quantileMs: () => 5 }), close: () => {} }) }, (m) => notes.push(m));
    return { ctx, runs, notes };
  };
  const ref = { templates: [{ templateName: 't', clusterScope: false }], args: [] };
  const c = { namespace: 'default', canaryHash: 'abc', stableHash: 'def' };

  it('a prometheus query is Inconclusive at once, with a note', () => {
    const { runs, notes } = setup([metric({ provider: { prometheus: { query: 'sum(rate(x[5m]))' } }, successCondition: 'result[0] >= 0.95' })]);
    expect(runs.ensure('default/web', 'step', ref, c)).toBe('Inconclusive');
    expect(notes[0]).toMatch(/provider prometheus cannot be measured in a simulation \(only the kubesim provider\); the metric is Inconclusive/);
  });
  it('an unknown kubesim metric is Inconclusive with a note; a missing template is an Error', () => {
    const { runs, notes } = setup([metric({ provider: { kubesim: { metric: 'cpu' } } })]);
    expect(runs.ensure('default/web', 'step', ref, c)).toBe('Inconclusive');
    expect(notes[0]).toMatch(/unknown kubesim metric "cpu"/);
    expect(runs.ensure('default/web', 'background', { templates: [{ templateName: 'nope', clusterScope: true }], args: [] }, c)).toBe('Error');
  });
  it('failureLimit 1 tolerates one failed measurement; count ends the run; args substitute', () => {
    const { ctx, runs } = setup([metric({ interval: 5, count: 3, failureLimit: 1, successCondition: 'result >= 0.99', provider: { kubesim: { metric: 'success-rate', service: '{{args.svc}}' } } })], 98);
    expect(runs.ensure('default/web', 'step', ref, c)).toBe('Running');
    ctx.sim.run({ until: 6 });
    expect(runs.phase('default/web', 'step')).toBe('Running'); // 1 failed ≤ failureLimit 1
    ctx.sim.run({ until: 11 });
    expect(runs.phase('default/web', 'step')).toBe('Failed');
    expect(runs.records[0]!.measurements.map((m) => [m.atS, m.value, m.phase])).toEqual([[5, 0.98, 'Failed'], [10, 0.98, 'Failed']]);
  });
  it('consecutive evaluation errors past consecutiveErrorLimit are an Error; a single measurement without interval', () => {
    const { ctx, runs } = setup([metric({ interval: 1, consecutiveErrorLimit: 1, successCondition: 'missing > 1', provider: { kubesim: { metric: 'success-rate' } } }), metric({ name: 'once', successCondition: 'result > 0.5', provider: { kubesim: { metric: 'success-rate' } } })]);
    runs.ensure('default/web', 'step', ref, c);
    ctx.sim.run({ until: 3 });
    expect(runs.phase('default/web', 'step')).toBe('Error');
    runs.stopAll('default/web');
    expect(runs.phase('default/web', 'step')).toBeUndefined();
  });
});
