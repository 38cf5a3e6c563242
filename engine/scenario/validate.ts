import { parseResourceQuantity, QuantityError } from './quantity.js';
import { z } from 'zod';
import { excerpt, type Diagnostic } from './diagnostics.js';
import { diagnosticAt, type PathSegment, type YamlDocument } from './yaml.js';
import { DistributionError, distributionFrom, type Distribution } from '../kernel/distributions.js';
import { parseDuration, parseRate, UnitError } from '../kernel/units.js';

/**
 * Glue between zod and the diagnostics: messages in the form "expected X, got Y", issue paths mapped
 * back to source positions, and zod types for durations, rates and distributions that go through the
 * kernel's parsers (so the scenario accepts exactly what the kernel documents).
 */

/** How a value reads in a message: strings quoted, numbers as they are, collections by their kind. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return excerpt(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** The message for a value that is not `what`; a missing value says the field is required. */
export function expectedMessage(what: string, input: unknown): string {
  return input === undefined ? `missing required field; expected ${what}` : `expected ${what}, got ${show(input)}`;
}

/** A zod `error` parameter: every issue of that schema reads "expected <what>, got <input>". */
export function expected(what: string): { error: (iss: { input?: unknown }) => string } {
  return { error: (iss) => expectedMessage(what, iss.input) };
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  array: 'a list',
  undefined: 'nothing',
};

/** The fallback error map for issues whose schema has no message of its own. */
export function errorMap(iss: z.core.$ZodRawIssue): string {
  switch (iss.code) {
    case 'invalid_type':
      return expectedMessage(TYPE_NAMES[iss.expected] ?? iss.expected, iss.input);
    case 'too_small': {
      const min = iss.minimum as number;
      if (iss.origin === 'array') return `expected at least ${min} item${min === 1 ? '' : 's'}, got ${(iss.input as unknown[] | undefined)?.length ?? 0}`;
      if (iss.origin === 'string') return `expected a non-empty string, got ${show(iss.input)}`;
      return `expected a number ${iss.inclusive ? '>=' : '>'} ${min}, got ${show(iss.input)}`;
    }
    case 'too_big': {
      const max = iss.maximum as number;
      if (iss.origin === 'array') return `expected at most ${max} items`;
      if (iss.origin === 'string') return `expected at most ${max} characters, got ${show(iss.input)}`;
      return `expected a number ${iss.inclusive ? '<=' : '<'} ${max}, got ${show(iss.input)}`;
    }
    case 'invalid_value':
      return `expected one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}, got ${show(iss.input)}`;
    case 'invalid_format':
      return `expected ${iss.format}, got ${show(iss.input)}`;
    case 'invalid_union':
      return `got ${show(iss.input)}, which matches none of the allowed forms`;
    case 'invalid_key':
      return `invalid key ${show(iss.input)}`;
    case 'invalid_element':
      return `invalid element ${show(iss.input)}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(iss.divisor)}, got ${show(iss.input)}`;
    default:
      return iss.message ?? `invalid value ${show(iss.input)}`;
  }
}

/**
 * Parses `value` (found at `base` in `doc`) with `schema`. Issues become diagnostics at the source
 * position of their path (or its nearest existing parent).
 */
export function parseAt<S extends z.ZodType>(
  schema: S,
  value: unknown,
  doc: YamlDocument,
  base: readonly PathSegment[] = [],
): { data: z.output<S>; diagnostics: Diagnostic[] } | { data: undefined; diagnostics: Diagnostic[] } {
  // jitless: each schema parses a few documents, so compiling a fast path per object shape (zod 4 does, with new Function) costs more than it saves
  const result = schema.safeParse(value, { error: errorMap, jitless: true });
  if (result.success) return { data: result.data, diagnostics: [] };
  const diagnostics = result.error.issues.map((iss) =>
    diagnosticAt(doc, [...base, ...(iss.path as PathSegment[])], iss.message),
  );
  return { data: undefined, diagnostics: dedupe(diagnostics) };
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.path}\u0000${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A custom issue for a transform or refinement (zod 4 prefixes `path` with the current path). */
export function addIssue(ctx: z.core.$RefinementCtx, message: string, input: unknown, path: PathSegment[] = []): void {
  ctx.addIssue({ code: 'custom', message, input, path });
}

// ---------------------------------------------------------------------------------------------
// Kernel units as zod types. Input forms stay visible to z.toJSONSchema (io: 'input').

/**
 * A string or number turned into a number by a kernel parser; the parser's own error class becomes
 * a diagnostic (`numeric` words it for a bad number, else "expected <what>, got …").
 */
function parsedNumber(
  what: string,
  description: string | undefined,
  parse: (v: string | number) => number,
  failure: new (...args: never[]) => Error,
  numeric: (v: number, e: Error) => string,
  noun: string,
) {
  const base = z.union([z.string(), z.number()], expected(what));
  return (description === undefined ? base : base.meta({ description })).transform((v, ctx) => {
    let n: number;
    try {
      n = parse(v);
    } catch (e) {
      if (!(e instanceof failure)) throw e;
      addIssue(ctx, typeof v === 'number' ? numeric(v, e) : expectedMessage(what, v), v);
      return z.NEVER;
    }
    // One rule for every quantity of this kind: finite and non-negative (the parsers allow no sign,
    // but 400 digits are Infinity).
    if (!(Number.isFinite(n) && n >= 0)) {
      addIssue(ctx, `expected a finite, non-negative ${noun}, got ${show(v)}`, v);
      return z.NEVER;
    }
    return n;
  });
}

/** A duration (`250ms`, `30s`, `1m30s`, or a number of seconds) → seconds. */
export function duration(what = 'a duration like 250ms, 30s, 5m or 1h') {
  return parsedNumber(what, 'a duration: 250ms, 30s, 5m, 1h, 1m30s, or a number of seconds', parseDuration, UnitError, (v) => `expected a non-negative duration, got ${v}`, 'duration');
}

/** A rate (`500/s`, `30000/m`, `10/h`, or a number per second) → events per second. */
export function rate(what = 'a rate like 500/s, 30000/m or 10/h') {
  return parsedNumber(what, 'a rate: 500/s, 30000/m, 10/h, or a number per second', parseRate, UnitError, (v) => `expected a non-negative rate, got ${v}`, 'rate');
}

/**
 * A distribution as the kernel's distributionFrom accepts it: a duration (constant) or an object like
 * `{p50: 20ms, p99: 120ms}` or `{dist: exponential, mean: 25ms}`. DistributionError.path becomes the
 * tail of the issue path, so `serviceTime.mean` is named when `mean` is wrong.
 */
export function distribution() {
  return z
    .union([z.string(), z.number(), z.record(z.string(), z.unknown())], expected('a duration or a distribution like {p50: 20ms, p99: 120ms} or {dist: exponential, mean: 25ms}'))
    .meta({
      description:
        'a duration (constant) or a distribution: {dist: constant|uniform|exponential|normal|lognormal|gamma|erlang|pareto|empirical, …} or {p50, p99} (lognormal)',
    })
    .transform((v, ctx): Distribution => {
      const bad = badDurationParameter(v);
      if (bad !== undefined) {
        addIssue(ctx, `expected a finite, non-negative duration, got ${show(bad.value)}`, bad.value, bad.path);
        return z.NEVER;
      }
      try {
        return distributionFrom(v);
      } catch (e) {
        if (!(e instanceof DistributionError)) throw e;
        addIssue(ctx, e.message, v, e.path);
        return z.NEVER;
      }
    });
}

/**
 * Every distribution in a scenario is one of durations (service, startup, sync, think, back-off
 * times): its constant and each of its parameters (but lognormal's mu, a log-scale location) must be a
 * finite, non-negative number of seconds. The first one that is not, with its path.
 */
function badDurationParameter(v: string | number | Record<string, unknown>): { path: string[]; value: unknown } | undefined {
  const bad = (x: unknown): boolean => {
    if (typeof x === 'number') return !(Number.isFinite(x) && x >= 0);
    if (typeof x === 'string') {
      try {
        return !Number.isFinite(parseDuration(x));
      } catch {
        return false; // not a duration: distributionFrom names the problem
      }
    }
    return false;
  };
  if (typeof v !== 'object') return bad(v) ? { path: [], value: v } : undefined;
  for (const [key, x] of Object.entries(v)) {
    if (key === 'dist' || key === 'mu') continue;
    if (bad(x)) return { path: [key], value: x };
  }
  return undefined;
}

/** A non-negative integer (`what` names it in messages). */
export function nonNegativeInt(what = 'a non-negative integer') {
  const err = expected(what);
  return z.number(err).int(err).min(0, err);
}

/** A positive integer. */
export function positiveInt(what = 'a positive integer') {
  const err = expected(what);
  return z.number(err).int(err).min(1, err);
}

/** An integer in [min, max]. */
export function intRange(min: number, max: number, what = `an integer between ${min} and ${max}`) {
  const err = expected(what);
  return z.number(err).int(err).min(min, err).max(max, err);
}

/** A fraction 0..1, also written as a percentage string (`1%`, `0.5%`). */
export function fraction(what = 'a fraction between 0 and 1 or a percentage like 1%') {
  return z
    .union([z.number(), z.string()], expected(what))
    .transform((v, ctx) => {
      let x = typeof v === 'number' ? v : NaN;
      if (typeof v === 'string') {
        const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*%\s*$/.exec(v);
        if (m) x = Number(m[1]) / 100;
      }
      if (!(x >= 0 && x <= 1)) {
        addIssue(ctx, expectedMessage(what, v), v);
        return z.NEVER;
      }
      return x;
    });
}

/** A Kubernetes resource quantity (500m, 2, 128Mi, 1G) as a number (cores or bytes). */
export function quantity(what = 'a quantity like 500m, 2, 128Mi or 1G') {
  // a quantity's error names the problem itself, for strings and numbers alike
  return z.union([z.string(), z.number()], expected(what)).transform((v, ctx) => {
    try {
      return parseResourceQuantity(v);
    } catch (e) {
      if (!(e instanceof QuantityError)) throw e;
      addIssue(ctx, e.message, v);
      return z.NEVER;
    }
  });
}
