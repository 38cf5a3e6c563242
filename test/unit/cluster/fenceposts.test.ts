import { describe, expect, it } from 'vitest';
import {
  maxSurgeOf,
  maxUnavailableOf,
  minAvailableOf,
  resolveFenceposts,
  scaledValue,
} from '../../../engine/cluster/controllers/deployment/fenceposts.js';
import type { Deployment } from '../../../engine/cluster/objects.js';
import { deploymentManifest, type DeploymentOptions } from '../../support/fake-kubelet.js';

const deployment = (o: DeploymentOptions) => deploymentManifest('web', o) as unknown as Deployment;

describe('§1.1 resolving maxSurge / maxUnavailable', () => {
  // The sheet's table for the default 25 % / 25 %.
  it.each([
    // D, maxSurge, maxUnavailable, max pods, min available
    [1, 1, 0, 2, 1],
    [2, 1, 0, 3, 2],
    [3, 1, 0, 4, 3],
    [4, 1, 1, 5, 3],
    [5, 2, 1, 7, 4],
    [10, 3, 2, 13, 8],
    [15, 4, 3, 19, 12],
    [100, 25, 25, 125, 75],
  ])('25%%/25%% of D=%i → surge %i, unavailable %i (max %i, min available %i)', (D, surge, unavailable, maxPods, minAvail) => {
    expect(resolveFenceposts('25%', '25%', D)).toEqual({ maxSurge: surge, maxUnavailable: unavailable });
    const d = deployment({ replicas: D });
    expect(maxSurgeOf(d)).toBe(surge);
    expect(maxUnavailableOf(d)).toBe(unavailable);
    expect(D + maxSurgeOf(d)).toBe(maxPods);
    expect(minAvailableOf(d)).toBe(minAvail);
  });

  it('39 %/39 % of 10: surge rounds up to 4, unavailable rounds down to 3', () => {
    expect(resolveFenceposts('39%', '39%', 10)).toEqual({ maxSurge: 4, maxUnavailable: 3 });
  });

  it.each([
    [3, 0, 10, 3, 0],
    [0, 2, 10, 0, 2],
    [5, 5, 3, 5, 5], // resolution itself does not clamp
  ])('ints are taken as they are: %i/%i of %i → %i/%i', (s, u, D, es, eu) => {
    expect(resolveFenceposts(s, u, D)).toEqual({ maxSurge: es, maxUnavailable: eu });
  });

  it('both resolving to zero forces maxUnavailable to 1', () => {
    expect(resolveFenceposts('10%', '10%', 3)).toEqual({ maxSurge: 1, maxUnavailable: 0 }); // ceil keeps surge ≥ 1
    expect(resolveFenceposts('0%', '20%', 4)).toEqual({ maxSurge: 0, maxUnavailable: 1 }); // floor(0.8) = 0
    expect(resolveFenceposts(0, 0, 10)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(resolveFenceposts(undefined, undefined, 10)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(maxUnavailableOf(deployment({ replicas: 4, maxSurge: '0%', maxUnavailable: '20%' }))).toBe(1);
  });

  it('D = 0: maxUnavailable is 0; surge percent of 0 is 0', () => {
    const d = deployment({ replicas: 0 });
    expect(maxUnavailableOf(d)).toBe(0);
    expect(maxSurgeOf(d)).toBe(0);
    expect(minAvailableOf(d)).toBe(0);
  });

  it('maxUnavailable is clamped to D', () => {
    const d = deployment({ replicas: 3, maxSurge: 1, maxUnavailable: 5 });
    expect(maxUnavailableOf(d)).toBe(3);
    expect(minAvailableOf(d)).toBe(0);
    expect(maxUnavailableOf(deployment({ replicas: 2, maxUnavailable: '100%' }))).toBe(2);
  });

  it('Recreate has no surge and no unavailable budget', () => {
    const d = deployment({ replicas: 4, strategy: 'Recreate' });
    expect(maxSurgeOf(d)).toBe(0);
    expect(maxUnavailableOf(d)).toBe(0);
  });

  it('scaledValue parses int strings and rejects garbage', () => {
    expect(scaledValue('3', 10, true)).toBe(3);
    expect(scaledValue('100%', 7, false)).toBe(7);
    expect(scaledValue('1%', 1, true)).toBe(1);
    expect(scaledValue('1%', 1, false)).toBe(0);
    expect(() => scaledValue('abc', 10, true)).toThrow(/int-or-percent/);
    expect(() => scaledValue(-1, 10, true)).toThrow(RangeError);
  });
});
