import type { Deployment, IntOrString } from '../../objects.js';

/**
 * maxSurge / maxUnavailable resolution (kubernetes-semantics.md §1.1). Pure.
 *
 * - Both fields are int-or-percent; a percent is scaled against spec.replicas (D):
 *   surge rounds UP, unavailable rounds DOWN.
 * - If both resolve to 0, maxUnavailable becomes 1 ("surge might not work due to quota").
 * - maxUnavailable is 0 when D = 0 and is clamped to D.
 * - A missing field counts as 0 inside the resolution (API defaulting normally fills 25%).
 */

export interface Fenceposts {
  maxSurge: number;
  maxUnavailable: number;
}

const PERCENT = /^(\d+)%$/;

/** An int-or-percent scaled against `total`, rounded up or down (intstr.GetScaledValueFromIntOrPercent). */
export function scaledValue(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`invalid int-or-percent value ${value}`);
    return value;
  }
  const m = PERCENT.exec(value.trim());
  if (m === null) {
    // A bare integer written as a string ("3") is accepted the way intstr parses it.
    if (/^\d+$/.test(value.trim())) return Number(value.trim());
    throw new RangeError(`invalid int-or-percent value "${value}": expected an integer or a percentage like "25%"`);
  }
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** §1.1 ResolveFenceposts: surge ceil, unavailable floor, both-zero → maxUnavailable 1. */
export function resolveFenceposts(
  maxSurge: IntOrString | undefined,
  maxUnavailable: IntOrString | undefined,
  replicas: number,
): Fenceposts {
  const surge = scaledValue(maxSurge, replicas, true);
  let unavailable = scaledValue(maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1; // §1.1 both-zero rule
  return { maxSurge: surge, maxUnavailable: unavailable };
}

/** §1.1 MaxSurge of a Deployment: 0 unless RollingUpdate. */
export function maxSurgeOf(d: Deployment, replicas = d.spec.replicas): number {
  if (d.spec.strategy.type !== 'RollingUpdate') return 0;
  const ru = d.spec.strategy.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas).maxSurge;
}

/** §1.1 MaxUnavailable of a Deployment: 0 unless RollingUpdate or when D = 0; clamped to D. */
export function maxUnavailableOf(d: Deployment, replicas = d.spec.replicas): number {
  if (d.spec.strategy.type !== 'RollingUpdate' || replicas === 0) return 0;
  const ru = d.spec.strategy.rollingUpdate;
  const { maxUnavailable } = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas);
  return Math.min(maxUnavailable, replicas);
}

/** §1.1 MinAvailable = D − maxUnavailable. */
export function minAvailableOf(d: Deployment): number {
  return d.spec.replicas - maxUnavailableOf(d);
}
