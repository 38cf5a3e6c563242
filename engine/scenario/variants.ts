import { type Diagnostic, ScenarioError, sortDiagnostics } from './diagnostics.js';
import { rebuildScenario, type LoadedScenario, type ManifestObject, type ScenarioOrigin } from './load.js';
import { checkFieldPath, checkPatchFields, isForbiddenKey, type JsonSchema } from './fields.js';
import { decodeDocument, manifestJsonSchema } from './manifests.js';
import { scenarioJsonSchema, type MatrixSpec, type VariantSpec } from './schema.js';
import { diagnosticAt, formatPath, isRecord, valueAt, type PathSegment, type Position, type YamlDocument } from './yaml.js';

/**
 * Variants: the ways of running one scenario that a report compares (issue 6).
 *
 * ```yaml
 * spec:
 *   variants:
 *     - name: baseline                   # the first variant is the baseline of every comparison
 *     - name: surge-1-unavailable-0
 *       description: one extra pod at a time, never fewer than desired
 *       patches:
 *         - target: deployment/web-app   # deployment/<name>, service/<name> or scenario
 *           patch: {spec: {strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}}}
 *     - name: no-prestop
 *       patches:
 *         - target: deployment/web-app
 *           patch: {spec: {template: {spec: {containers: [{name: web, lifecycle: null}]}}}}
 *     - name: double-traffic
 *       patches: [{target: scenario, patch: {spec: {traffic: [{name: web, rate: 1000/s}]}}}]
 *     - matrix:                          # one variant per combination, named maxSurge=1,maxUnavailable=0
 *         target: deployment/web-app     # optional when the manifests hold exactly one Deployment
 *         maxSurge: [0, 1, 25%]          # a shorthand (below) or a field path of the target
 *         maxUnavailable: [0, 1]
 *       name: sweep                      # optional: names become sweep:maxSurge=1,maxUnavailable=0
 *       patches: [...]                   # optional: applied to every combination first
 * ```
 *
 * A scenario without variants has one, named `default`. Every variant runs with the same seeds (common
 * random numbers), so the comparison against the baseline is paired.
 *
 * Patches are strategic-merge-like, applied to the object as written (before defaults), which is then
 * validated and defaulted again exactly as the loader does (manifests.ts, schema.ts):
 * - mappings merge recursively; a `null` value deletes the key (`lifecycle: null`);
 * - lists whose items are all mappings with a `name` (containers, ports, env, traffic entries, …) merge
 *   by name: a patch item updates the item of the same name or is appended; `{name: x, $patch: delete}`
 *   removes item x;
 * - any other list, and any scalar, replaces what was there;
 * - `$patch: replace` in a mapping replaces the mapping instead of merging into it.
 * A `scenario` patch is rooted at the Scenario document (`{spec: {traffic: …}}`); it may change any
 * spec field except seed, replications, manifests and variants (they would break the pairing of runs or
 * the variants themselves). Object patches may not change apiVersion, kind, metadata.name or
 * metadata.namespace.
 *
 * Matrix parameters are field paths of the target, dotted (`spec.minReadySeconds`); `[name]` selects an
 * item of a list merged by name (`spec.template.spec.containers[web].resources.requests.cpu`). For a
 * Deployment target the shorthands of MATRIX_SHORTHANDS work (maxSurge, maxUnavailable, replicas, …);
 * for the scenario target a path not starting with `spec.` is relative to spec (`traffic[web].rate`).
 * Combinations expand in written order, the first parameter varying slowest. A combination the API
 * would reject (maxSurge 0 with maxUnavailable 0) is skipped with a note; a value that is rejected in
 * every combination it appears in is an error, and so is a matrix none of whose combinations is valid.
 *
 * Variant names must be distinct (after expansion). Bad patches are ScenarioErrors at the patch's
 * file:line:col (the patched field when the patch names it), naming the variant.
 */

export const DEFAULT_VARIANT = 'default';

/** Matrix shorthands for Deployment targets → field paths. */
export const MATRIX_SHORTHANDS: Readonly<Record<string, string>> = {
  maxSurge: 'spec.strategy.rollingUpdate.maxSurge',
  maxUnavailable: 'spec.strategy.rollingUpdate.maxUnavailable',
  strategy: 'spec.strategy.type',
  replicas: 'spec.replicas',
  minReadySeconds: 'spec.minReadySeconds',
  progressDeadlineSeconds: 'spec.progressDeadlineSeconds',
  revisionHistoryLimit: 'spec.revisionHistoryLimit',
  terminationGracePeriodSeconds: 'spec.template.spec.terminationGracePeriodSeconds',
};

/** Spec fields a `scenario` patch may not change. */
const FIXED_SPEC_FIELDS = ['seed', 'replications', 'manifests', 'variants'] as const;
/** The Scenario spec's fields (for the message when a scenario patch leaves out `spec:`). */
const SPEC_FIELDS = ['duration', 'warmup', 'seed', 'replications', 'manifests', 'cluster', 'images', 'traffic', 'timeline', 'slos', 'variants'];
/** Object fields a patch may not change. */
const FIXED_OBJECT_FIELDS: PathSegment[][] = [['apiVersion'], ['kind'], ['metadata', 'name'], ['metadata', 'namespace']];

export interface Variant {
  name: string;
  description?: string;
  /** The scenario as this variant runs it: patched, validated and defaulted again. */
  scenario: LoadedScenario;
  /** For a matrix variant: each parameter (as written) and its value, in written order. */
  parameters?: Array<{ key: string; value: unknown }>;
}

export interface VariantExpansion {
  /** In written order (matrices expanded in place); the first is the baseline. */
  variants: Variant[];
  /** Skipped matrix combinations and notes of rebuilt variants that the scenario did not have. */
  notes: Diagnostic[];
}

/** The variants of a loaded scenario. Throws ScenarioError for bad patches or duplicate names. */
export function expandVariants(scenario: LoadedScenario): VariantExpansion {
  const specs = scenario.spec.variants;
  if (specs.length === 0) return { variants: [{ name: DEFAULT_VARIANT, scenario }], notes: [] };
  const origin = scenario.origin;
  const sdoc = origin?.scenario;
  if (origin === undefined || sdoc === undefined) {
    throw new Error(`scenario ${scenario.name} has variants but was not loaded from files; load it with loadScenarioFiles`);
  }
  const ctx: Ctx = { scenario, origin, doc: sdoc.doc, base: sdoc.base, errors: [], notes: [] };
  const out: Array<{ variant: Variant; at: PathSegment[] }> = [];

  specs.forEach((spec, i) => {
    const at: PathSegment[] = [...ctx.base, 'spec', 'variants', i];
    const raw = sdoc.rawVariants?.[i];
    const patches = spec.patches.map((p, j): Patch => {
      const rawPatch = valueAt(raw, ['patches', j, 'patch']);
      const abs = [...at, 'patches', j, 'patch'];
      return {
        target: p.target,
        value: isRecord(rawPatch) ? rawPatch : p.patch,
        at: abs,
        locate: (from) => formatPath([...abs, ...from]),
      };
    });
    if (spec.matrix === undefined) {
      const r = buildVariant(ctx, spec.name, patches);
      ctx.errors.push(...r.errors);
      if (r.scenario !== undefined) out.push({ variant: withDescription({ name: spec.name, scenario: r.scenario }, spec), at: [...at, 'name'] });
      return;
    }
    for (const v of expandMatrix(ctx, spec, spec.matrix, patches, at)) out.push(v);
  });

  // Names key the report: they must be distinct.
  const seen = new Map<string, PathSegment[]>();
  for (const { variant, at } of out) {
    const first = seen.get(variant.name);
    if (first !== undefined) {
      const pos = diagnosticAt(ctx.doc, first, '');
      ctx.errors.push(diagnosticAt(ctx.doc, at, `duplicate variant name ${JSON.stringify(variant.name)} (first at line ${pos.line}); variant names must be distinct`));
    } else seen.set(variant.name, at);
  }

  if (ctx.errors.length > 0) throw new ScenarioError(unique(ctx.errors));
  const known = new Set(scenario.notes.map(key));
  const notes = [...ctx.notes];
  for (const { variant } of out) for (const n of variant.scenario.notes) if (!known.has(key(n))) notes.push(n);
  return { variants: out.map((v) => v.variant), notes: sortDiagnostics(unique(notes)) };
}

function withDescription(v: Variant, spec: VariantSpec): Variant {
  if (spec.description !== undefined) v.description = spec.description;
  return v;
}

// ---------------------------------------------------------------------------------------------
// Strategic-merge-like patching

/** Where a patch's pieces came from, so diagnostics about the patched object point into the patch. */
interface MergeRecord {
  /** Path in the patched value. */
  at: PathSegment[];
  /** Path in the patch. */
  from: PathSegment[];
  /** node: this node only (its children have records of their own); subtree: the node and all below. */
  kind: 'node' | 'subtree' | 'delete';
}

/**
 * `patch` applied to `base` (neither is modified): mappings merge, null deletes, lists of named
 * mappings merge by name (`$patch: delete` removes an item), other values replace; `$patch: replace`
 * replaces a mapping. The result shares unchanged parts with `base`.
 */
export function strategicMerge(base: unknown, patch: unknown): unknown {
  return merge(base, patch, [], [], []);
}

function merge(base: unknown, patch: unknown, at: PathSegment[], from: PathSegment[], recs: MergeRecord[]): unknown {
  if (isRecord(patch)) {
    if (patch['$patch'] === 'replace' || !isRecord(base)) {
      recs.push({ at, from, kind: 'subtree' });
      return clean(patch);
    }
    recs.push({ at, from, kind: 'node' });
    const out = ownCopy(base);
    for (const [k, v] of Object.entries(patch)) {
      if (k === '$patch' || isForbiddenKey(k)) continue;
      if (v === null || v === undefined) {
        delete out[k];
        recs.push({ at: [...at, k], from: [...from, k], kind: 'delete' });
      } else {
        out[k] = merge(out[k], v, [...at, k], [...from, k], recs);
      }
    }
    return out;
  }
  if (Array.isArray(patch) && Array.isArray(base) && isNamedList(patch) && isNamedList(base)) {
    recs.push({ at, from, kind: 'node' });
    const deleted = new Set(patch.filter((p) => p['$patch'] === 'delete').map((p) => p['name'] as string));
    const out = base.filter((b) => !deleted.has(b['name'] as string));
    patch.forEach((p, j) => {
      if (p['$patch'] === 'delete') return;
      const i = out.findIndex((b) => b['name'] === p['name']);
      const k = i < 0 ? out.length : i;
      out[k] = merge(i < 0 ? undefined : out[i], p, [...at, k], [...from, j], recs) as Record<string, unknown>;
    });
    return out;
  }
  recs.push({ at, from, kind: 'subtree' });
  return clean(patch);
}

function isNamedList(list: unknown[]): list is Array<Record<string, unknown>> {
  return list.every((x) => isRecord(x) && typeof x['name'] === 'string');
}

/** A value as it lands in the patched object: null map values and `$patch` directives removed. */
function clean(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clean);
  if (isRecord(value)) {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined && k !== '$patch' && !isForbiddenKey(k)) out[k] = clean(v);
    return out;
  }
  return value;
}

/** A shallow copy of a mapping's own enumerable fields into a mapping without a prototype. */
function ownCopy(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(value)) if (!isForbiddenKey(k)) out[k] = v;
  return out;
}

let scenarioSchemaCache: JsonSchema | undefined;
/** The JSON Schema a patch or matrix path of a target is resolved against (fields.ts). */
function targetSchema(t: Target): JsonSchema {
  if (t.kind === 'object') {
    const type = t.object.type;
    // Deployments and Services are resolved field by field; the other kinds' keys are only checked
    // for __proto__/constructor/prototype (an empty schema accepts any field).
    return type === 'Deployment' || type === 'Service' ? manifestJsonSchema(type) : {};
  }
  return (scenarioSchemaCache ??= scenarioJsonSchema());
}

function describeField(t: Target, at: ReadonlyArray<string | number>): string {
  const where = formatPath(at as PathSegment[]);
  if (t.kind === 'object') return where === '' ? `a ${t.object.type}` : `${t.object.type} ${where}`;
  return where === '' ? 'a Scenario' : `the Scenario's ${where}`;
}

// ---------------------------------------------------------------------------------------------
// Building one variant

interface Ctx {
  scenario: LoadedScenario;
  origin: ScenarioOrigin;
  /** The Scenario document and the path of the Scenario in it. */
  doc: YamlDocument;
  base: PathSegment[];
  errors: Diagnostic[];
  notes: Diagnostic[];
}

interface Patch {
  target: string;
  value: Record<string, unknown>;
  /** Path of the patch (or what stands for it) in the Scenario document. */
  at: PathSegment[];
  /** Formatted path in the Scenario document of the patch node at `from`, if there is one. */
  locate: (from: PathSegment[]) => string | undefined;
}

type Target = { kind: 'scenario' } | { kind: 'object'; object: ManifestObject };

/** Resolves `deployment/<name>` / `service/<name>` / `scenario`; a string is the error message. */
function resolveTarget(ctx: Ctx, target: string): Target | string {
  if (target === 'scenario') return { kind: 'scenario' };
  const [prefix, name] = target.split('/') as [string, string];
  const type = /^(deployment|deployments|deploy)$/.test(prefix) ? 'Deployment' : /^(rollout|rollouts|ro)$/.test(prefix) ? 'Rollout' : 'Service';
  const matches = ctx.origin.manifests.filter((o) => o.type === type && o.object.metadata.name === name);
  if (matches.length === 1) return { kind: 'object', object: matches[0]! };
  if (matches.length > 1) return `${type} ${JSON.stringify(name)} exists in several namespaces (${matches.map((m) => m.object.metadata.namespace).join(', ')})`;
  const names = ctx.origin.manifests.filter((o) => o.type === type).map((o) => o.object.metadata.name);
  return `unknown ${type} ${JSON.stringify(name)}; the manifests define ${names.length === 0 ? `no ${type}` : names.join(', ')}`;
}

function buildVariant(ctx: Ctx, name: string, patches: Patch[]): { scenario?: LoadedScenario; errors: Diagnostic[] } {
  if (patches.length === 0) return { scenario: ctx.scenario, errors: [] };
  const errors: Diagnostic[] = [];
  const label = `variant ${JSON.stringify(name)}`;
  const err = (at: PathSegment[], message: string) => errors.push(diagnosticAt(ctx.doc, at, `${label}: ${message}`));

  // Group the patches by object, in order.
  const byObject = new Map<ManifestObject, Patch[]>();
  const scenarioPatches: Patch[] = [];
  for (const p of patches) {
    const t = resolveTarget(ctx, p.target);
    if (typeof t === 'string') {
      err(targetPath(p), t);
      continue;
    }
    // Every key of the patch names a field of the target (a typo would be a silent no-op).
    // (A scenario patch's keys beside spec have messages of their own, below.)
    const checked = t.kind === 'scenario' ? { spec: p.value['spec'] } : p.value;
    const problems = checkPatchFields(targetSchema(t), checked, (at) => describeField(t, at));
    for (const pr of problems) err(patchKeyPath(p, pr.at), pr.message);
    if (problems.length > 0) continue;
    if (t.kind === 'scenario') scenarioPatches.push(p);
    else byObject.set(t.object, [...(byObject.get(t.object) ?? []), p]);
  }
  if (errors.length > 0) return { errors };

  // Objects: patch the manifest as written, decode it again (validation and defaults of manifests.ts).
  const replaced = new Map<ManifestObject, ManifestObject>();
  for (const [object, list] of byObject) {
    const raw = valueAt(object.doc.value, object.base);
    const where = `${label} (${list[0]!.target})`;
    const synth = patchDocument(ctx, raw, list, undefined);
    let changedFixed = false;
    for (const field of FIXED_OBJECT_FIELDS) {
      if (JSON.stringify(valueAt(raw, field)) !== JSON.stringify(valueAt(synth.value, field))) {
        errors.push({ ...diagnosticAt(synth, field, `${where}: a patch may not change ${formatPath(field)} (it identifies the object)`), path: formatPath(field) });
        changedFixed = true;
      }
    }
    if (changedFixed) continue;
    const r = decodeDocument(synth);
    for (const d of r.errors) errors.push({ ...d, message: `${where}: ${d.message}` });
    const decoded = r.objects[0];
    if (r.errors.length === 0 && decoded !== undefined && decoded.type === object.type) {
      replaced.set(object, { ...decoded, source: object.source } as ManifestObject);
    }
  }

  // The Scenario: patch the document as written, parse it again with the same schema.
  let scenarioChange: { value: Record<string, unknown>; doc: YamlDocument } | undefined;
  if (scenarioPatches.length > 0) {
    const o = ctx.origin.scenario!;
    const where = `${label} (scenario)`;
    for (const p of scenarioPatches) {
      for (const k of Object.keys(p.value)) {
        if (k === 'spec') continue;
        const message = SPEC_FIELDS.includes(k)
          ? `a scenario patch is rooted at the Scenario document: write {spec: {${k}: …}}`
          : `a scenario patch may change only spec, not ${k}`;
        errors.push(diagnosticAt(ctx.doc, patchKeyPath(p, [k]), `${where}: ${message}`));
      }
      const spec = p.value['spec'];
      if (isRecord(spec)) {
        for (const k of FIXED_SPEC_FIELDS) {
          if (!(k in spec)) continue;
          const why = k === 'seed' || k === 'replications' ? ' (variants share seeds and replications, so that their runs pair up)' : '';
          errors.push(diagnosticAt(ctx.doc, patchKeyPath(p, ['spec', k]), `${where}: a variant may not change spec.${k}${why}`));
        }
      }
    }
    if (errors.length === 0) {
      const synth = patchDocument(ctx, o.value, scenarioPatches, rebase(o.doc, o.base));
      scenarioChange = { value: isRecord(synth.value) ? synth.value : {}, doc: synth };
    }
  }
  if (errors.length > 0) return { errors };

  const manifests = ctx.origin.manifests.map((o) => replaced.get(o) ?? o);
  const rebuildErrors: Diagnostic[] = [];
  const change: Parameters<typeof rebuildScenario>[1] = { manifests };
  if (scenarioChange !== undefined) change.scenario = scenarioChange;
  const scenario = rebuildScenario(ctx.scenario, change, rebuildErrors);
  for (const d of rebuildErrors) errors.push({ ...d, message: `${label}: ${d.message}` });
  if (errors.length > 0 || scenario === undefined) return { errors };
  return { scenario, errors };
}

function targetPath(p: Patch): PathSegment[] {
  // For a written patch, `at` ends with 'patch': its sibling `target` names the object.
  return p.at[p.at.length - 1] === 'patch' ? [...p.at.slice(0, -1), 'target'] : p.at;
}

function patchKeyPath(p: Patch, from: PathSegment[]): PathSegment[] {
  return p.at[p.at.length - 1] === 'patch' ? [...p.at, ...from] : p.at;
}

/**
 * Applies patches to a document value and returns a synthetic YamlDocument (in the Scenario's file)
 * whose positions point into the patches where the patched value came from them. `start` positions
 * fall back to the last patch; `initial` (for the Scenario itself) keeps the document's own positions
 * for what the patches did not touch.
 */
function patchDocument(ctx: Ctx, raw: unknown, patches: Patch[], initial: { positions: Map<string, Position>; keys: Map<string, Position> } | undefined): YamlDocument {
  const positions = new Map(initial?.positions ?? []);
  const keys = new Map(initial?.keys ?? []);
  let value = raw;
  for (const p of patches) {
    const recs: MergeRecord[] = [];
    value = merge(value, p.value, [], [], recs);
    for (const r of recs) {
      const target = formatPath(r.at);
      if (r.kind !== 'node') {
        dropUnder(positions, target);
        dropUnder(keys, target);
      }
      const src = p.locate(r.from);
      if (src === undefined) continue;
      copyPositions(ctx.doc.positions, positions, src, target, r.kind === 'subtree');
      copyPositions(ctx.doc.keys, keys, src, target, r.kind === 'subtree');
    }
  }
  const last = patches[patches.length - 1]!;
  const start = ctx.doc.positions.get(formatPath(last.at)) ?? diagnosticAt(ctx.doc, last.at, '');
  return { file: ctx.doc.file, index: ctx.doc.index, value, start: { line: start.line, col: start.col }, positions, keys };
}

/** The positions of a document relative to `base` (where the Scenario sits in it). */
function rebase(doc: YamlDocument, base: PathSegment[]): { positions: Map<string, Position>; keys: Map<string, Position> } {
  const prefix = formatPath(base);
  const move = (from: Map<string, Position>) => {
    const out = new Map<string, Position>();
    for (const [k, pos] of from) if (isUnder(k, prefix)) out.set(join('', k.slice(prefix.length)), pos);
    return out;
  };
  return { positions: move(doc.positions), keys: move(doc.keys) };
}

function copyPositions(from: Map<string, Position>, into: Map<string, Position>, src: string, target: string, subtree: boolean): void {
  if (!subtree) {
    const pos = from.get(src);
    if (pos !== undefined) into.set(target, pos);
    return;
  }
  for (const [k, pos] of from) if (isUnder(k, src)) into.set(join(target, k.slice(src.length)), pos);
}

function dropUnder(map: Map<string, Position>, prefix: string): void {
  for (const k of [...map.keys()]) if (isUnder(k, prefix)) map.delete(k);
}

function isUnder(key: string, prefix: string): boolean {
  if (prefix === '') return true;
  if (!key.startsWith(prefix)) return false;
  const c = key[prefix.length];
  return c === undefined || c === '.' || c === '[';
}

/** A formatted path + a formatted suffix (`.a`, `[0]`, `["x y"]` or ''). */
function join(prefix: string, suffix: string): string {
  return prefix === '' && suffix.startsWith('.') ? suffix.slice(1) : prefix + suffix;
}

// ---------------------------------------------------------------------------------------------
// Matrices

const SEGMENT = /^([^.[\]]+)(?:\[([^[\]]+)\])?$/;

interface Parameter {
  key: string;
  label: string;
  /** Path in the generated patch: strings are map keys, {name} an item of a list merged by name. */
  path: Array<string | { name: string }>;
  values: unknown[];
}

function expandMatrix(ctx: Ctx, spec: VariantSpec, matrix: MatrixSpec, patches: Patch[], at: PathSegment[]): Array<{ variant: Variant; at: PathSegment[] }> {
  const mAt = [...at, 'matrix'];
  const errorsBefore = ctx.errors.length;
  const err = (p: PathSegment[], message: string) => ctx.errors.push(diagnosticAt(ctx.doc, p, message));

  // The target: as written, or the only Deployment.
  let target = matrix.target;
  if (target === undefined) {
    const deployments = ctx.origin.manifests.filter((o) => o.type === 'Deployment');
    if (deployments.length !== 1) {
      err(mAt, `a matrix needs a target (deployment/<name>, service/<name> or scenario) when the manifests do not hold exactly one Deployment; they hold ${deployments.length === 0 ? 'none' : deployments.map((d) => d.object.metadata.name).join(', ')}`);
      return [];
    }
    target = `deployment/${deployments[0]!.object.metadata.name}`;
  }
  const resolved = resolveTarget(ctx, target);
  if (typeof resolved === 'string') {
    err([...mAt, 'target'], resolved);
    return [];
  }
  const kind = target === 'scenario' ? 'scenario' : /^(deployment|deployments|deploy)\//.test(target) ? 'deployment' : 'service';

  // Parameters: field paths.
  const params: Parameter[] = [];
  for (const { key, values } of matrix.parameters) {
    let written = key;
    if (kind === 'deployment' && MATRIX_SHORTHANDS[key] !== undefined) written = MATRIX_SHORTHANDS[key];
    else if (kind === 'scenario' && !written.startsWith('spec.')) written = `spec.${written}`;
    const path: Parameter['path'] = [];
    let ok = true;
    for (const seg of written.split('.')) {
      const m = SEGMENT.exec(seg);
      if (m === null) {
        ok = false;
        break;
      }
      path.push(m[1]!);
      if (m[2] !== undefined) path.push({ name: m[2] });
    }
    if (!ok || path.length < 2) {
      const hint = kind === 'deployment' ? `a field path like spec.minReadySeconds or one of ${Object.keys(MATRIX_SHORTHANDS).join(', ')}` : kind === 'scenario' ? 'a field path of the spec like traffic[web].rate or duration' : 'a field path like spec.sessionAffinity';
      err([...mAt, key], `unknown matrix parameter ${JSON.stringify(key)}; expected ${hint}`);
      continue;
    }
    const problem = checkFieldPath(targetSchema(resolved), path, (at) => describeField(resolved, at));
    if (problem !== undefined) {
      err([...mAt, key], `matrix parameter ${JSON.stringify(key)}: ${problem}`);
      continue;
    }
    params.push({ key, label: key, path, values });
  }
  if (ctx.errors.length > errorsBefore) return [];
  // Labels: the last field name when it is unambiguous, else the key as written.
  const last = (p: Parameter) => p.path.filter((s): s is string => typeof s === 'string').at(-1)!;
  for (const p of params) if (params.filter((q) => last(q) === last(p)).length === 1) p.label = last(p);

  // Combinations, the first parameter slowest.
  const combos: number[][] = [[]];
  for (const p of params) {
    const next: number[][] = [];
    for (const c of combos) for (let k = 0; k < p.values.length; k++) next.push([...c, k]);
    combos.splice(0, combos.length, ...next);
  }

  const results: Array<{ combo: number[]; name: string; scenario?: LoadedScenario; errors: Diagnostic[] }> = [];
  for (const combo of combos) {
    const parts = params.map((p, i) => `${p.label}=${showValue(p.values[combo[i]!])}`);
    const name = spec.name === '' ? parts.join(',') : `${spec.name}:${parts.join(',')}`;
    const gen = generatedPatch(params, combo, mAt);
    const patch: Patch = { target: target!, value: gen.value, at: mAt, locate: gen.locate };
    const r = buildVariant(ctx, name, [...patches, patch]);
    results.push({ combo, name, errors: r.errors, ...(r.scenario !== undefined ? { scenario: r.scenario } : {}) });
  }

  const valid = results.filter((r) => r.scenario !== undefined);
  if (valid.length === 0) {
    ctx.errors.push(...results[0]!.errors);
    if (results.length > 1) err(mAt, `no combination of this matrix is valid (${results.length} tried)`);
    return [];
  }
  // A value rejected in every combination it appears in is itself wrong.
  params.forEach((p, i) => {
    p.values.forEach((v, k) => {
      const withValue = results.filter((r) => r.combo[i] === k);
      if (withValue.every((r) => r.scenario === undefined)) {
        const first = withValue[0]!.errors[0];
        err([...mAt, p.key, k], `${p.key} ${showValue(v)} is rejected in every combination${first === undefined ? '' : `: ${stripLabel(first.message)}`}`);
      }
    });
  });
  for (const r of results) {
    if (r.scenario !== undefined) continue;
    const first = r.errors[0];
    ctx.notes.push(diagnosticAt(ctx.doc, mAt, `variant ${JSON.stringify(r.name)} skipped${first === undefined ? '' : `: ${first.path === '' ? '' : `${first.path}: `}${stripLabel(first.message)}`}`, 'note'));
  }
  return valid.map((r) => {
    const variant: Variant = withDescription({ name: r.name, scenario: r.scenario! }, spec);
    variant.parameters = params.map((p, i) => ({ key: p.key, value: p.values[r.combo[i]!] }));
    return { variant, at: mAt };
  });
}

/** The message of a diagnostic without its `variant "…" (…): ` label. */
function stripLabel(message: string): string {
  return message.replace(/^variant "(?:[^"\\]|\\.)*"(?: \([^)]*\))?: /, '');
}

function showValue(v: unknown): string {
  return v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The patch setting each parameter to its value in `combo`, and where its pieces are in the document. */
function generatedPatch(params: Parameter[], combo: number[], mAt: PathSegment[]): { value: Record<string, unknown>; locate: (from: PathSegment[]) => string } {
  const root: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const origins: Array<{ from: PathSegment[]; at: PathSegment[] }> = [];
  params.forEach((p, i) => {
    const k = combo[i]!;
    let node: Record<string, unknown> = root;
    const from: PathSegment[] = [];
    p.path.forEach((seg, s) => {
      const isLast = s === p.path.length - 1;
      if (typeof seg === 'string') {
        from.push(seg);
        if (isLast) node[seg] = p.values[k];
        else {
          const nextSeg = p.path[s + 1]!;
          if (typeof nextSeg === 'string') {
            if (!isRecord(node[seg])) node[seg] = Object.create(null) as Record<string, unknown>;
            node = node[seg] as Record<string, unknown>;
          } else {
            if (!Array.isArray(node[seg])) node[seg] = [];
          }
        }
      } else {
        const parentKey = p.path[s - 1] as string;
        const list = node[parentKey] as Array<Record<string, unknown>>;
        let idx = list.findIndex((x) => x['name'] === seg.name);
        if (idx < 0) {
          idx = list.length;
          const item = Object.create(null) as Record<string, unknown>;
          item['name'] = seg.name;
          list.push(item);
        }
        from.push(idx);
        node = list[idx]!;
        if (isLast) Object.assign(node, isRecord(p.values[k]) ? p.values[k] : {});
      }
    });
    origins.push({ from, at: [...mAt, p.key, k] });
  });
  return {
    value: root,
    locate: (from) => {
      for (const o of origins) {
        if (o.from.length <= from.length && o.from.every((s, i) => s === from[i])) return formatPath([...o.at, ...from.slice(o.from.length)]);
      }
      return formatPath(mAt);
    },
  };
}

// ---------------------------------------------------------------------------------------------


function key(d: Diagnostic): string {
  return `${d.file}\u0000${d.line}\u0000${d.col}\u0000${d.path}\u0000${d.message}\u0000${d.severity}`;
}

function unique(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const k = key(d);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
