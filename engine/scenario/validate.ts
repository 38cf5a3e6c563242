import { parseResourceQuantity, QuantityError, RESOURCE_QUANTITY_PATTERN } from './quantity.js';
import * as z from 'zod';
import { excerpt, type Diagnostic } from './diagnostics.js';
import { diagnosticAt, keyDiagnosticAt, type PathSegment, type YamlDocument } from './yaml.js';
import { unknownField } from './fields.js';
import { DistributionError, distributionFrom, type Distribution } from '../kernel/distributions.js';
import { DURATION_PATTERN, parseDuration, parseRate, POSITIVE_DURATION_PATTERN, RATE_PATTERN, UnitError } from '../kernel/units.js';

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

/**
 * A zod `error` parameter: every issue of that schema reads "expected <what>, got <input>", but for
 * unknown keys of a strict mapping, which errorMap words (one line per key, with a suggestion).
 */
export function expected(what: string): { error: (iss: { code?: string; input?: unknown }) => string | undefined } {
  return { error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : expectedMessage(what, iss.input)) };
}

/** The field names of the strict object that raised an unrecognized_keys issue. */
function knownKeys(iss: z.core.$ZodRawIssue): string[] {
  const def = (iss.inst as { _zod?: { def?: { shape?: unknown } } } | undefined)?._zod?.def;
  return def !== undefined && def.shape !== null && typeof def.shape === 'object' ? Object.keys(def.shape) : [];
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
    case 'unrecognized_keys': {
      // one line per key, in the order of iss.keys: parseAt gives each key a diagnostic of its own
      const known = knownKeys(iss);
      return iss.keys.map((k) => unknownField(k, known)).join('\n');
    }
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
  const diagnostics = result.error.issues.flatMap((iss) => {
    const at = [...base, ...(iss.path as PathSegment[])];
    if (iss.code !== 'unrecognized_keys') return [diagnosticAt(doc, at, iss.message)];
    // an unknown field is reported where its key is written, with its own path
    const lines = iss.message.split('\n');
    return iss.keys.map((k, i) => keyDiagnosticAt(doc, [...at, k], lines[i] ?? lines[0]!));
  });
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
 * JSON Schema of a value written as a string matching `pattern` or as a number (with its bounds).
 * `message` is what editors say of a string that does not match (VS Code's and yaml-language-server's
 * `patternErrorMessage`, an annotation other validators ignore) instead of printing the pattern.
 */
export function stringOrNumber(pattern: string, number: Record<string, unknown>, message: string): { anyOf: Array<Record<string, unknown>> } {
  return { anyOf: [{ type: 'string', pattern, patternErrorMessage: message }, { type: 'number', ...number }] };
}

const DEFS = '#/$defs/';

/**
 * The JSON Schemas of the kernel's units, shared by every field of that kind (`$defs` of the published
 * schema; fields refer to them, so a grammar is written once).
 */
export function unitDefinitions(): Record<string, Record<string, unknown>> {
  return {
    duration: { description: DURATION_FORMS, ...stringOrNumber(DURATION_PATTERN, { minimum: 0 }, 'expected a duration like 250ms, 30s, 5m, 1h or 1m30s (units ns, us, ms, s, m, h, d)') },
    positiveDuration: { description: `${DURATION_FORMS}; not 0`, ...stringOrNumber(POSITIVE_DURATION_PATTERN, { exclusiveMinimum: 0 }, 'expected a positive duration like 250ms, 30s, 5m, 1h or 1m30s (units ns, us, ms, s, m, h, d)') },
    rate: { description: 'a rate: 500/s, 30000/m, 10/h (per ms, s, sec, m, min or h), or a number per second', ...stringOrNumber(RATE_PATTERN, { minimum: 0 }, 'expected a rate like 500/s, 30000/m or 10/h (per ms, s, sec, m, min or h)') },
    fraction: { description: 'a fraction from 0 to 1, or a percentage from 0% to 100%', anyOf: [{ type: 'number', minimum: 0, maximum: 1 }, { type: 'string', pattern: PERCENT_PATTERN, patternErrorMessage: 'expected a percentage from 0% to 100%, like 1% or 99.9%' }] },
    quantity: { description: 'a Kubernetes quantity: 500m, 2, 1.5, 128Mi, 1G, 1e3', ...stringOrNumber(RESOURCE_QUANTITY_PATTERN, { minimum: 0 }, 'expected a non-negative quantity like 500m, 2, 128Mi or 1G') },
    distribution: distributionJson(),
  };
}

/** What a field of a unit's kind says in the JSON Schema: a reference to the unit's definition. */
function definition(name: string): Record<string, unknown> {
  return { anyOf: [{ $ref: `${DEFS}${name}` }] };
}

/**
 * A string or number turned into a number by a kernel parser; the parser's own error class becomes
 * a diagnostic (`numeric` words it for a bad number, else "expected <what>, got …"). `json` is what
 * the JSON Schema says of the input (the parser's grammar as a pattern), `positive` rejects 0.
 */
function parsedNumber(
  what: string,
  json: Record<string, unknown>,
  parse: (v: string | number) => number,
  failure: new (...args: never[]) => Error,
  numeric: (v: number, e: Error) => string,
  noun: string,
  positive = false,
) {
  return z
    .union([z.string(), z.number()], expected(what))
    .meta(json)
    .transform((v, ctx) => {
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
      if (positive && n === 0) {
        addIssue(ctx, `expected a positive ${noun}, got ${show(v)}`, v);
        return z.NEVER;
      }
      return n;
    });
}

const DURATION_FORMS = 'a duration: 250ms, 30s, 5m, 1h, 1m30s (units ns, us, ms, s, m, h, d), or a number of seconds';

/** A duration (`250ms`, `30s`, `1m30s`, or a number of seconds) → seconds. */
export function duration(what = 'a duration like 250ms, 30s, 5m or 1h') {
  return parsedNumber(what, definition('duration'), parseDuration, UnitError, (v) => `expected a non-negative duration, got ${v}`, 'duration');
}

/** A duration that is not 0. */
export function positiveDuration(what = 'a duration like 250ms, 30s, 5m or 1h') {
  return parsedNumber(what, definition('positiveDuration'), parseDuration, UnitError, (v) => `expected a positive duration, got ${v}`, 'duration', true);
}

/** A rate (`500/s`, `30000/m`, `10/h`, or a number per second) → events per second. */
export function rate(what = 'a rate like 500/s, 30000/m or 10/h') {
  return parsedNumber(what, definition('rate'), parseRate, UnitError, (v) => `expected a non-negative rate, got ${v}`, 'rate');
}

/**
 * The forms of a distribution (distributionFrom), by `dist`: each list is one way to give its
 * parameters. `{p50, p99}` without `dist` is a lognormal; empirical takes percentile keys instead.
 * Parameters are durations (or numbers), but lognormal's mu (a log-scale location, any number).
 */
const DISTRIBUTION_PARAMETERS: Readonly<Record<string, ReadonlyArray<readonly string[]>>> = {
  constant: [['value']],
  uniform: [['min', 'max']],
  exponential: [['mean'], ['rate']],
  normal: [['mean', 'stddev']],
  lognormal: [['mu', 'sigma'], ['p50', 'p99']],
  gamma: [['shape', 'scale'], ['shape', 'mean']],
  erlang: [['k', 'mean']],
  pareto: [['scale', 'shape']],
};
/** Parameters the kernel needs positive (the others are non-negative). */
const POSITIVE_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  exponential: ['mean', 'rate'],
  gamma: ['shape', 'scale', 'mean'],
  erlang: ['k', 'mean'],
  pareto: ['scale', 'shape'],
  lognormal: ['p50'],
};
const EMPIRICAL_KEY = /^p(\d+(?:\.\d+)?)$/;
const EMPIRICAL_KEY_PATTERN = '^p0*(?:100(?:\\.0+)?|\\d{1,2}(?:\\.\\d+)?)$';

/** The JSON Schema of a distribution: a duration, or one object form per way of writing one. */
function distributionJson(): Record<string, unknown> {
  const durationJson = { $ref: `${DEFS}duration` };
  const positiveJson = { $ref: `${DEFS}positiveDuration` };
  const param = (kind: string, key: string) => (key === 'mu' ? { anyOf: [{ $ref: `${DEFS}duration` }, { type: 'number' }] } : POSITIVE_PARAMETERS[kind]?.includes(key) ? positiveJson : durationJson);
  const forms: Array<Record<string, unknown>> = [{ description: 'a constant', ...durationJson }];
  for (const [kind, sets] of Object.entries(DISTRIBUTION_PARAMETERS)) {
    for (const keys of sets) {
      const properties: Record<string, unknown> = { dist: { const: kind } };
      for (const k of keys) properties[k] = param(kind, k);
      forms.push({ type: 'object', description: `${kind}: ${keys.join(', ')}`, properties, required: ['dist', ...keys], additionalProperties: false });
    }
  }
  forms.push({ type: 'object', description: 'lognormal from two percentiles', properties: { p50: param('lognormal', 'p50'), p99: durationJson }, required: ['p50', 'p99'], additionalProperties: false });
  forms.push({
    type: 'object',
    description: 'empirical: percentile keys p0 … p100 (min for p0, max for p100) and their values; p0 and p100 required',
    properties: { dist: { const: 'empirical' }, min: durationJson, max: durationJson },
    patternProperties: { [EMPIRICAL_KEY_PATTERN]: durationJson },
    required: ['dist'],
    allOf: [{ anyOf: [{ required: ['p0'] }, { required: ['min'] }] }, { anyOf: [{ required: ['p100'] }, { required: ['max'] }] }],
    additionalProperties: false,
  });
  return {
    description:
      'a duration (constant) or a distribution: {dist: constant|uniform|exponential|normal|lognormal|gamma|erlang|pareto|empirical, …} or {p50, p99} (lognormal)',
    anyOf: forms,
  };
}

/**
 * The keys of a distribution object that name no parameter of its kind (distributionFrom ignores
 * them): the first one with the known ones, or undefined. Also a mix of two ways of giving one kind
 * (`{dist: exponential, mean, rate}`).
 */
function distributionKeyProblem(v: Record<string, unknown>): { key: string; message: string } | undefined {
  const dist = v['dist'];
  const kind = typeof dist === 'string' ? dist : v['p50'] !== undefined && v['p99'] !== undefined && v['p0'] === undefined ? 'lognormal' : undefined;
  if (kind === undefined || kind === 'empirical') {
    if (kind === undefined) return undefined; // distributionFrom names the problem
    for (const key of Object.keys(v)) {
      if (key !== 'dist' && key !== 'min' && key !== 'max' && !EMPIRICAL_KEY.test(key)) return { key, message: `unknown field; an empirical distribution takes percentile keys like p0, p50, p99.9, p100 (or min, max)` };
    }
    return undefined;
  }
  const sets = DISTRIBUTION_PARAMETERS[kind];
  if (sets === undefined || !Object.hasOwn(DISTRIBUTION_PARAMETERS, kind)) return undefined;
  const known = [...new Set(sets.flat())];
  const given = Object.keys(v).filter((k) => k !== 'dist');
  for (const key of given) {
    if (!known.includes(key)) {
      if (kind === 'lognormal' && EMPIRICAL_KEY.test(key)) {
        return { key, message: 'unknown field; a lognormal from percentiles takes p50 and p99 only; for more percentiles, write dist: empirical with p0 … p100' };
      }
      return { key, message: unknownField(key, ['dist', ...known]) };
    }
  }
  if (sets.length > 1 && !sets.some((set) => given.every((k) => set.includes(k)))) {
    const key = given.find((k) => !sets[0]!.includes(k)) ?? given[0]!;
    return { key, message: `${kind} takes ${sets.map((set) => `{${set.join(', ')}}`).join(' or ')}, not both` };
  }
  return undefined;
}

/**
 * A distribution as the kernel's distributionFrom accepts it: a duration (constant) or an object like
 * `{p50: 20ms, p99: 120ms}` or `{dist: exponential, mean: 25ms}`. DistributionError.path becomes the
 * tail of the issue path, so `serviceTime.mean` is named when `mean` is wrong. Keys that name no
 * parameter are errors (the kernel would ignore them).
 */
export function distribution() {
  return z
    .union([z.string(), z.number(), z.record(z.string(), z.unknown())], expected('a duration or a distribution like {p50: 20ms, p99: 120ms} or {dist: exponential, mean: 25ms}'))
    .meta(definition('distribution'))
    .transform((v, ctx): Distribution => {
      if (typeof v === 'object') {
        const problem = distributionKeyProblem(v);
        if (problem !== undefined) {
          addIssue(ctx, problem.message, v[problem.key], [problem.key]);
          return z.NEVER;
        }
      }
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

/** A percentage from 0% to 100%, as fraction() reads it. */
const PERCENT_PATTERN = '^\\s*(?:0*(?:100(?:\\.0+)?|\\d{1,2}(?:\\.\\d+)?)|\\.\\d+)\\s*%\\s*$';

/** A fraction 0..1, also written as a percentage string (`1%`, `0.5%`). */
export function fraction(what = 'a fraction between 0 and 1 or a percentage like 1%') {
  return z
    .union([z.number(), z.string()], expected(what))
    .meta(definition('fraction'))
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
  return z.union([z.string(), z.number()], expected(what)).meta(definition('quantity')).transform((v, ctx) => {
    try {
      return parseResourceQuantity(v);
    } catch (e) {
      if (!(e instanceof QuantityError)) throw e;
      addIssue(ctx, e.message, v);
      return z.NEVER;
    }
  });
}
