/**
 * Field paths of patches and matrix parameters, resolved against the schema of their target (issue 10).
 *
 * A patch or a matrix parameter that names a field the schema does not have would be a silent no-op
 * (unknown fields are ignored, like the API server's non-strict decoding), so it is an error here,
 * with the closest known field as a suggestion. The schemas are the JSON Schemas of the zod schemas
 * that decode the objects (`z.toJSONSchema`, input forms): one source of truth for what a field is.
 *
 * Keys that reach into JavaScript's object model (`__proto__`, `constructor`, `prototype`) are never
 * walked: a path naming one is an error before anything is built from it.
 */

export type JsonSchema = Readonly<Record<string, unknown>>;

/** Keys no path may contain: walking them would reach Object.prototype. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key);
}

export function forbiddenKeyMessage(key: string): string {
  return `the key ${JSON.stringify(key)} is not allowed (it names no Kubernetes or scenario field)`;
}

/** A schema node's alternatives: `$ref`, `anyOf`, `oneOf` and `allOf` flattened. */
function alternatives(root: JsonSchema, node: JsonSchema, out: JsonSchema[] = [], depth = 0): JsonSchema[] {
  if (depth > 32) return out;
  const ref = node['$ref'];
  if (typeof ref === 'string') {
    const target = resolveRef(root, ref);
    if (target !== undefined) alternatives(root, target, out, depth + 1);
  }
  let branched = false;
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = node[k];
    if (Array.isArray(list)) {
      branched = true;
      for (const s of list) if (isSchema(s)) alternatives(root, s, out, depth + 1);
    }
  }
  if (!branched && typeof ref !== 'string') out.push(node);
  else if (node['properties'] !== undefined || node['items'] !== undefined) out.push(node);
  return out;
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let v: unknown = root;
  for (const part of ref.slice(1).split('/').filter((p) => p !== '')) {
    if (!isSchema(v) || !Object.hasOwn(v, part)) return undefined;
    v = v[part];
  }
  return isSchema(v) ? v : undefined;
}

function isSchema(v: unknown): v is JsonSchema {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A schema that accepts anything (`{}`, `true`, or only a description): nothing below it is checked. */
function isAny(s: JsonSchema): boolean {
  return s['type'] === undefined && s['properties'] === undefined && s['items'] === undefined && s['additionalProperties'] === undefined && s['const'] === undefined && s['enum'] === undefined;
}

function types(s: JsonSchema): string[] {
  const t = s['type'];
  return typeof t === 'string' ? [t] : Array.isArray(t) ? (t as string[]) : [];
}

/** The sub-schemas of `key` in a mapping described by `schemas`, or the known keys when there is none. */
export function stepKey(root: JsonSchema, schemas: JsonSchema[] | 'any', key: string): { next: JsonSchema[] | 'any' } | { known: string[]; mapping: boolean } {
  if (schemas === 'any') return { next: 'any' };
  const next: JsonSchema[] = [];
  const known: string[] = [];
  let mapping = false;
  for (const node of schemas) {
    for (const s of alternatives(root, node)) {
      if (isAny(s)) return { next: 'any' };
      const props = s['properties'];
      const isObject = types(s).includes('object') || props !== undefined || s['additionalProperties'] !== undefined;
      if (!isObject) continue;
      mapping = true;
      if (isSchema(props)) {
        if (Object.hasOwn(props, key) && isSchema(props[key])) {
          next.push(props[key]);
          continue;
        }
        known.push(...Object.keys(props));
      }
      const patterns = s['patternProperties'];
      if (isSchema(patterns)) {
        const matched = Object.entries(patterns).find(([re, sub]) => isSchema(sub) && new RegExp(re, 'u').test(key));
        if (matched !== undefined) {
          next.push(matched[1] as JsonSchema);
          continue;
        }
      }
      const extra = s['additionalProperties'];
      if (extra === true) return { next: 'any' };
      if (isSchema(extra)) {
        if (isAny(extra)) return { next: 'any' };
        if (!isSchema(props) || !Object.hasOwn(props, key)) next.push(extra);
      } else if (extra === undefined && !isSchema(props)) {
        return { next: 'any' };
      }
    }
  }
  if (next.length > 0) return { next };
  return { known: [...new Set(known)].sort(), mapping };
}

/** The item schemas of a list described by `schemas`; undefined when none of them is a list. */
export function stepItem(root: JsonSchema, schemas: JsonSchema[] | 'any'): JsonSchema[] | 'any' | undefined {
  if (schemas === 'any') return 'any';
  const next: JsonSchema[] = [];
  let list = false;
  for (const node of schemas) {
    for (const s of alternatives(root, node)) {
      if (isAny(s)) return 'any';
      if (!types(s).includes('array') && s['items'] === undefined) continue;
      list = true;
      const items = s['items'];
      if (isSchema(items)) next.push(items);
      else return 'any';
    }
  }
  return list ? next : undefined;
}

/** The message for a key that is not a field: the fields there are, and the closest as a suggestion. */
export function unknownFieldMessage(key: string, where: string, known: readonly string[]): string {
  return `no field ${JSON.stringify(key)} in ${where}${fieldHint(key, known)}`;
}

/**
 * Habits from other tools whose keys name no field here, and what to write instead: the hint replaces
 * the did-you-mean when `key` is unknown in a mapping that has the field `where`.
 */
const HABITS: Readonly<Record<string, { where: string; hint: string }>> = {
  thresholds: {
    where: 'slos',
    hint: 'k6\'s thresholds are spec.slos here, one expression per line, e.g. slos: ["p(95) < 200ms", "http_req_failed < 1%"]',
  },
  stages: { where: 'shape', hint: 'k6\'s stages are a traffic shape here, e.g. shape: {type: steps, steps: [{at: 1m, rate: 200/s}]} or {type: ramp, to: 500/s, duration: 2m}' },
  vus: { where: 'users', hint: 'k6\'s virtual users are users here (a closed workload, with thinkTime)' },
};

/**
 * `; did you mean "x"?` (the closest known field), a habit's hint, or the known fields when there are
 * few; empty when none of these helps.
 */
export function fieldHint(key: string, known: readonly string[]): string {
  const habit = Object.hasOwn(HABITS, key) ? HABITS[key] : undefined;
  if (habit !== undefined && known.includes(habit.where)) return `; ${habit.hint}`;
  const suggestion = closest(key, known);
  if (suggestion !== undefined) return `; did you mean ${JSON.stringify(suggestion)}?`;
  return known.length > 0 && known.length <= 12 ? `; known fields: ${known.join(', ')}` : '';
}

/** The message of a key that names no field of a closed mapping (the path, with the key, is said beside it). */
export function unknownField(key: string, known: readonly string[]): string {
  return `unknown field${fieldHint(key, known)}`;
}

/** The known name closest to `name` (edit distance, case-insensitive), if it is close enough to be a typo. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const a = name.toLowerCase();
  for (const k of known) {
    const d = distance(a, k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  if (best === undefined) return undefined;
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return Infinity;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** A key of a value that names no field of its mapping, or that is forbidden. */
export interface KeyProblem {
  /** The path to the key, as written (keys and list indexes). */
  at: Array<string | number>;
  /** The fields the mapping holding the key has (empty for a forbidden key). */
  known: string[];
  forbidden: boolean;
}

/**
 * Every key of `value` that the schema does not name, walking mappings and lists as far as the schema
 * describes them (below an "anything" schema only forbidden keys are, unless `forbidden` is false: then
 * they are not looked for at all). Keys in `skip` are allowed anywhere; at most `limit` problems are
 * returned. Values are not type-checked here (the decoder does).
 */
export function findUnknownKeys(
  root: JsonSchema,
  value: unknown,
  options: { skip?: ReadonlySet<string>; limit?: number; forbidden?: boolean } = {},
): KeyProblem[] {
  const problems: KeyProblem[] = [];
  const limit = options.limit ?? 20;
  const forbidden = options.forbidden ?? true;
  const walk = (v: unknown, schemas: JsonSchema[] | 'any', at: Array<string | number>): void => {
    if (problems.length >= limit) return;
    if (schemas === 'any' && !forbidden) return; // nothing below is checked
    if (Array.isArray(v)) {
      const items = stepItem(root, schemas);
      if (items === undefined || items === 'any') return; // a type error for the decoder, or anything goes
      v.forEach((item, i) => walk(item, items, [...at, i]));
      return;
    }
    if (v === null || typeof v !== 'object') return;
    for (const key of Object.keys(v)) {
      if (problems.length >= limit) return;
      if (forbidden && isForbiddenKey(key)) {
        problems.push({ at: [...at, key], known: [], forbidden: true });
        continue;
      }
      if (options.skip?.has(key) === true) continue;
      const r = stepKey(root, schemas, key);
      if ('next' in r) walk((v as Record<string, unknown>)[key], r.next, [...at, key]);
      else if (r.mapping) problems.push({ at: [...at, key], known: r.known, forbidden: false });
    }
  };
  walk(value, [root], []);
  return problems;
}

/** A problem with a key of a patch or a path: where (index of the step in the path) and what. */
export interface FieldProblem {
  /** The path to the offending key, as written (keys and list indexes). */
  at: Array<string | number>;
  message: string;
}

const PATCH_DIRECTIVES: ReadonlySet<string> = new Set(['$patch']);

/**
 * Checks every key of a patch value against the schema: forbidden keys and keys that name no field.
 * `$patch` directives are allowed in mappings. Values are not type-checked here (the decoder does).
 */
export function checkPatchFields(root: JsonSchema, value: unknown, describe: (path: ReadonlyArray<string | number>) => string): FieldProblem[] {
  return findUnknownKeys(root, value, { skip: PATCH_DIRECTIVES }).map((p) => {
    const key = String(p.at[p.at.length - 1]);
    return { at: p.at, message: p.forbidden ? forbiddenKeyMessage(key) : unknownFieldMessage(key, describe(p.at.slice(0, -1)), p.known) };
  });
}

/** A matrix parameter's path: keys, and `{name}` for an item of a list merged by name. */
export type FieldPathSegment = string | { name: string };

/** The first problem of a field path against the schema, or undefined when it names a field. */
export function checkFieldPath(root: JsonSchema, path: readonly FieldPathSegment[], describe: (path: ReadonlyArray<string>) => string): string | undefined {
  let schemas: JsonSchema[] | 'any' = [root];
  const done: string[] = [];
  for (const seg of path) {
    if (typeof seg === 'string') {
      if (isForbiddenKey(seg)) return forbiddenKeyMessage(seg);
      const r = stepKey(root, schemas, seg);
      if (!('next' in r)) return r.mapping ? unknownFieldMessage(seg, describe(done), r.known) : `${describe(done)} is not a mapping, so it has no field ${JSON.stringify(seg)}`;
      schemas = r.next;
      done.push(seg);
    } else {
      if (isForbiddenKey(seg.name)) return forbiddenKeyMessage(seg.name);
      const items = stepItem(root, schemas);
      if (items === undefined) return `${describe(done)} is not a list, so [${seg.name}] selects nothing`;
      schemas = items;
      done.push(`[${seg.name}]`);
    }
  }
  return undefined;
}
