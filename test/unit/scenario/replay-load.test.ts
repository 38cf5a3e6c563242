import { describe, expect, it } from 'vitest';
import { loadScenarioFiles } from '../../../engine/scenario/load.js';
import { simulate } from '../../../engine/run/simulate.js';

describe('replayed traffic from CSV', () => {
  it('sends exactly the replayed timestamps, and follows a replayed rate curve', () => {
    const { scenarios } = loadScenarioFiles(['test/fixtures/replay/replay.yaml']);
    const s = scenarios[0]!;
    const log = s.spec.traffic[0]!;
    expect(log.workload === 'open' && log.replay?.data).toEqual({ format: 'timestamps', file: 'test/fixtures/replay/sends.csv', times: [0.5, 1, 1, 2.25, 10, 10.001, 10.002] });
    const r = simulate(s, 0, 1);
    // per second: the curve (10/s until 5 s, then 100/s, constant spacing) plus the replayed sends
    // (0.5 → second 0; 1.0 twice → second 1; 2.25 → second 2; the burst at 10 s → second 10)
    const ts = r.metrics.timeseries.requests;
    expect(ts.slice(0, 4)).toEqual([9 + 1, 10 + 2, 10 + 1, 10]);
    expect(ts.slice(6, 10)).toEqual([100, 100, 100, 100]);
    expect(ts[10]).toBe(100 + 3);
    // the gap that straddles the rate change is spaced at the old rate: ~10 sends fewer in second 5
    expect(ts[5]).toBeGreaterThanOrEqual(90);
    expect(r.metrics.requests.total).toBe(ts.reduce((a, b) => a + b, 0));
  });

  it('a bad CSV is reported at its own line and column', () => {
    expect(() => loadScenarioFiles(['test/fixtures/replay/replay-bad.yaml'])).toThrow(
      'test/fixtures/replay/bad.csv:2:1: send times must not decrease (0.4 after 0.5)',
    );
  });
});
