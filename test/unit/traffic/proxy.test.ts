import { describe, expect, it } from 'vitest';
import { constant, uniform } from '../../../engine/kernel/distributions.js';
import { RandomStreams } from '../../../engine/kernel/random.js';
import { Simulation } from '../../../engine/kernel/simulation.js';
import { ServiceProxy, type ProxyConfig } from '../../../engine/traffic/proxy.js';

const ep = (pod: number, ready: boolean, serving: boolean, terminating: boolean) => ({ pod, ready, serving, terminating });

function proxy(config: Partial<ProxyConfig> = {}) {
  const sim = new Simulation();
  const r = new RandomStreams(1);
  const p = new ServiceProxy('default/web', sim, { mode: 'iptables', scheduler: 'rr', syncDelay: constant(0), minSyncPeriod: 1, ...config }, r.stream('lb'), r.stream('prop'));
  return { sim, p };
}

describe('kube-proxy endpoint choice (§5.1)', () => {
  it.each([
    ['ready endpoints only, when any is ready', [ep(0, true, true, false), ep(1, false, true, true), ep(2, false, false, false)], [0]],
    ['serving+terminating fallback when none is ready (KEP-1669)', [ep(1, false, true, true), ep(2, false, false, true), ep(3, false, false, false)], [1]],
    ['nothing usable: not-ready and non-serving terminating endpoints get no traffic', [ep(2, false, false, true), ep(3, false, false, false)], []],
  ] as const)('%s', (_name, endpoints, programmed) => {
    const { p } = proxy();
    p.initialize([...endpoints]);
    expect(p.programmed()).toEqual(programmed);
    expect(p.pick(0, new Int32Array(8))).toBe(programmed[0] ?? -1);
  });
});

describe('propagation and sync coalescing (§5.2)', () => {
  it('a change is programmed after the propagation delay', () => {
    const { sim, p } = proxy({ syncDelay: constant(2) });
    p.initialize([ep(0, true, true, false)]);
    sim.schedule(10, () => p.observe([ep(0, true, true, false), ep(1, true, true, false)]));
    sim.run({ until: 11.999 });
    expect(p.programmed()).toEqual([0]);
    sim.run({ until: 12 });
    expect(p.programmed()).toEqual([0, 1]);
  });

  it('changes within minSyncPeriod coalesce into one sync with the newest state', () => {
    const { sim, p } = proxy();
    p.initialize([ep(0, true, true, false)]);
    const before = p.syncs;
    sim.schedule(0.2, () => p.observe([ep(0, true, true, false), ep(1, true, true, false)]));
    sim.schedule(0.5, () => p.observe([ep(1, true, true, false)]));
    sim.run({ until: 0.99 });
    expect(p.programmed()).toEqual([0]); // last sync at 0: the next may come at 1 s
    sim.run({ until: 5 });
    expect(p.programmed()).toEqual([1]);
    expect(p.syncs - before).toBe(1);
  });

  it('a snapshot overtaken by a newer one (random delays) is not applied', () => {
    const { sim, p } = proxy({ syncDelay: uniform(0, 3), minSyncPeriod: 0 });
    p.initialize([]);
    for (let i = 1; i <= 20; i++) sim.schedule(i * 0.1, () => p.observe([ep(i, true, true, false)]));
    sim.run({ until: 10 });
    expect(p.programmed()).toEqual([20]);
  });
});

describe('IPVS schedulers (§5.4)', () => {
  const three = [ep(0, true, true, false), ep(1, true, true, false), ep(2, true, true, false)];
  it('rr cycles', () => {
    const { p } = proxy({ mode: 'ipvs', scheduler: 'rr' });
    p.initialize(three);
    expect([0, 1, 2, 3, 4].map(() => p.pick(0, new Int32Array(3)))).toEqual([0, 1, 2, 0, 1]);
  });
  it('sh sends a source to the same endpoint every time, and sources spread', () => {
    const { p } = proxy({ mode: 'ipvs', scheduler: 'sh' });
    p.initialize(three);
    const conns = new Int32Array(3);
    for (let s = 0; s < 20; s++) expect(new Set([1, 2, 3].map(() => p.pick(s, conns))).size).toBe(1);
    expect(new Set(Array.from({ length: 50 }, (_, s) => p.pick(s, conns))).size).toBe(3);
  });
  it('nq takes an idle endpoint first, then the fewest connections', () => {
    const { p } = proxy({ mode: 'ipvs', scheduler: 'nq' });
    p.initialize(three);
    expect(p.pick(0, Int32Array.from([3, 0, 1]))).toBe(1);
    expect(p.pick(0, Int32Array.from([3, 2, 1]))).toBe(2);
  });
  it('lc and sed pick the fewest connections', () => {
    for (const scheduler of ['lc', 'sed'] as const) {
      const { p } = proxy({ mode: 'ipvs', scheduler });
      p.initialize(three);
      expect(p.pick(0, Int32Array.from([2, 1, 5]))).toBe(1);
    }
  });
  it('iptables picks uniformly at random (chi-square)', () => {
    const { p } = proxy();
    p.initialize(three);
    const counts = [0, 0, 0];
    const n = 30_000;
    for (let i = 0; i < n; i++) counts[p.pick(i, new Int32Array(3))]!++;
    const chi2 = counts.reduce((a, c) => a + (c - n / 3) ** 2 / (n / 3), 0);
    expect(chi2).toBeLessThan(18.4); // 2 dof, p = 1e-4
  });
});
