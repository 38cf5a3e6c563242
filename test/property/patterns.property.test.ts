import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSlo, SLO_PATTERN } from '../../engine/metrics/slo.js';
import { DURATION_PATTERN, parseDuration, parseRate, POSITIVE_DURATION_PATTERN, RATE_PATTERN } from '../../engine/kernel/units.js';
import { parseResourceQuantity, RESOURCE_QUANTITY_PATTERN } from '../../engine/scenario/quantity.js';

/**
 * The JSON Schema patterns published for editors accept exactly the strings the kernel's parsers
 * accept (and the loader keeps: finite values). Strings are generated from the grammars' own tokens,
 * mixed with near misses (spaces inside, unknown units, signs, stray dots), so both sides of each
 * boundary are exercised; a pattern that drifts from its parser fails here with the string.
 */

const accepts = (parse: (s: string) => number) => (s: string): boolean => {
  try {
    return Number.isFinite(parse(s));
  } catch {
    return false;
  }
};

/** Strings made of the given tokens. */
function tokens(list: readonly string[], max = 6): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...list), { minLength: 0, maxLength: max }).map((t) => t.join(''));
}

/** The pattern and the parser agree on every generated string; both answers occur (≥ 5% each). */
function agree(pattern: string, parse: (s: string) => boolean, gen: fc.Arbitrary<string>, runs = 3000): void {
  const re = new RegExp(pattern, 'u');
  let yes = 0;
  fc.assert(
    fc.property(gen, (s) => {
      const ok = parse(s);
      if (ok) yes++;
      expect(re.test(s), JSON.stringify(s)).toBe(ok);
    }),
    { numRuns: runs },
  );
  expect(yes / runs).toBeGreaterThan(0.05);
  expect(yes / runs).toBeLessThan(0.95);
}

const NUMBERS = ['0', '1', '5', '00', '10', '.', '.5', '1.5', '2'];

describe('duration and rate patterns = parseDuration and parseRate', () => {
  const duration = tokens([...NUMBERS, 'ns', 'us', 'µs', 'ms', 's', 'm', 'h', 'd', 'min', 'x', ' ', '-', '+']);
  it('durations', () => agree(DURATION_PATTERN, accepts(parseDuration), duration));
  it('positive durations', () => agree(POSITIVE_DURATION_PATTERN, (s) => accepts(parseDuration)(s) && parseDuration(s) > 0, duration));
  it('rates', () => agree(RATE_PATTERN, accepts(parseRate), tokens([...NUMBERS, '/', 's', 'sec', 'm', 'min', 'h', 'ms', 'd', ' ', '-'])));
  it('examples', () => {
    const re = new RegExp(DURATION_PATTERN, 'u');
    for (const ok of ['250ms', '30s', '1m30s', '1.5h', ' 90 ', '500us', '2µs', '1d']) expect(re.test(ok), ok).toBe(true);
    for (const bad of ['10min', '1m 30s', '-5s', '.5', '1.s', '', 's']) expect(re.test(bad), bad).toBe(false);
  });
});

describe('the quantity pattern = parseResourceQuantity', () => {
  it('quantities', () =>
    agree(
      RESOURCE_QUANTITY_PATTERN,
      // a quantity too large to be finite (1e400) is in the grammar, rejected after parsing (a listed exception)
      (s) => accepts(parseResourceQuantity)(s) || (() => { try { parseResourceQuantity(s); return false; } catch (e) { return String(e).includes('too large'); } })(),
      tokens([...NUMBERS, 'Ki', 'Mi', 'Gi', 'Ei', 'e', 'E', 'e-', 'e+', 'm', 'k', 'M', 'G', 'n', 'u', 'i', '-', '+', ' ', 'x'], 5),
    ));
});

describe('the SLO pattern = parseSlo', () => {
  const metric = fc.constantFrom(
    'availability', 'error_rate', 'http_req_failed', 'http_req_failed.rate', 'p(99)', 'p( 95 )', 'p(100)', 'p(101)', 'p(0)', 'p(.5)', 'p99', 'p99.9', 'p100', 'p101', 'p0',
    'latency.mean', 'latency.min', 'latency.max', 'latency.median', 'errors.refused', 'errors.total', 'errors.reset', 'errors.oops', 'requests.total', 'requests.ok',
    'requests.failed', 'rollout.duration', 'rollout.min_available', 'rollout.max_pods', 'rollout.speed', 'http_req_duration.p(95)', 'http_req_duration.p95',
    'http_req_duration.p0', 'http_req_duration.avg', 'http_req_duration.med', 'http_req_duration.max', 'http_req_duration.mean', 'thresholds', 'p(',
  );
  const op = fc.constantFrom('<', '<=', '>', '>=', '==', '!=', '=', '=>', '');
  const value = fc.oneof(
    fc.constantFrom('99.9%', '100%', '100.0%', '0.999', '1', '1.0', '300ms', '1m30s', '2s', '5', '0', '12', '.5'),
    tokens(['0', '1', '5', '99', '100', '101', '.', '.9', '%', 'ms', 's', 'm', 'h', 'd', 'min', 'x', ' '], 4),
  );
  const space = fc.constantFrom('', ' ', '  ');
  const slo = fc.tuple(space, metric, space, op, space, value, space).map((p) => p.join(''));
  it('expressions', () => agree(SLO_PATTERN, (s) => { try { parseSlo(s); return true; } catch { return false; } }, slo, 6000));
});
