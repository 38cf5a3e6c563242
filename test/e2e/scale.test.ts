import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rolloutScenario } from '../../bench/process.js';
import { simulate } from '../../engine/run/simulate.js';
import { loadScenarioFiles } from '../../engine/scenario/load.js';

/**
 * The control plane at scale keeps the rollout bounds (§1.1: maxSurge 25% rounds up, maxUnavailable
 * 25% rounds down). 1,000 pods here on every `npm test`; `KUBESIM_SCALE_PODS=10000 npx vitest run
 * test/e2e/scale.test.ts` (or `npm run bench rollout`) runs the large sizes. No wall-clock assertion.
 */
const N = Number(process.env.KUBESIM_SCALE_PODS ?? 1000);
const dir = mkdtempSync(path.join(tmpdir(), 'kubesim-scale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`rolling update of ${N.toLocaleString('en')} pods`, () => {
  it('completes within maxSurge / maxUnavailable, with every pod replaced', { timeout: 1_800_000 }, () => {
    const file = path.join(dir, 'rollout.yaml');
    writeFileSync(file, rolloutScenario(N));
    const s = loadScenarioFiles([file]).scenarios[0]!;
    const r = simulate(s, 0, s.spec.seed);
    expect(r.rollouts).toHaveLength(1);
    const ro = r.rollouts[0]!;
    expect(ro.outcome).toBe('complete');
    expect(ro.maxActivePods).toBeLessThanOrEqual(N + Math.ceil(0.25 * N));
    expect(ro.minAvailable).toBeGreaterThanOrEqual(N - Math.floor(0.25 * N));
    // counted at the source: the pods records, not the tracker
    const live = r.pods.filter((p) => p.deletedAtS === null);
    expect(live).toHaveLength(N);
    expect(live.every((p) => p.image === 'app:2')).toBe(true);
    expect(r.pods.filter((p) => p.image === 'app:1' && p.deletedAtS !== null)).toHaveLength(N);
  });
});
