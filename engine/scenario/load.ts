import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { defaultBehavior, type BehaviorProfile } from '../behavior/profile.js';
import { constant } from '../kernel/distributions.js';
import { matchesSelector } from '../cluster/objects.js';
import { type Diagnostic, ScenarioError, sortDiagnostics } from './diagnostics.js';
import { SCENARIO_DEFAULTS as D } from './defaults.js';
import { decodeDocument, type DecodedObject, type LoadedDeployment, type LoadedService, type SourceLocation } from './manifests.js';
import { sortExtra } from './extra.js';
import { gateTemplate, type ExtraDecodedObject, type LoadedAnalysisTemplate, type LoadedHpa, type LoadedPdb, type LoadedRollout } from './workloads.js';
import { scenarioSchema, type OpenTraffic, type ParsedScenarioSpec, type ScenarioSpec, type TrafficSpec } from './schema.js';
import { parseAt } from './validate.js';
import { outsideReason, readInputFile, STDIN_ARG, STDIN_NAME, type FileOptions } from './files.js';
import { readReplay } from './replay.js';
import { usefulnessNotes, type Placed } from './usefulness.js';
import { parseSlo, SloError } from '../metrics/slo.js';
import { MAX_SERIES_BUCKETS } from '../metrics/timeseries.js';
import { diagnosticAt, isRecord, parseYaml, readYamlFile, valueAt, type PathSegment, type YamlDocument } from './yaml.js';

export { scenarioJsonSchema } from './schema.js';

/**
 * Loading scenarios from files: what `kubesim run|validate <files…>` reads.
 *
 * Grouping:
 * - A file with a Scenario document is one scenario. Its manifests are the file's other documents plus
 *   the files and folders named in `spec.manifests` (relative to the scenario file; a folder
 *   contributes its *.yaml / *.yml files, sorted by name, not recursively, like `kubectl apply -f dir`).
 * - All files without a Scenario document (named on the command line, or found in a folder named on
 *   the command line) together form one bare-manifest scenario with the defaults of defaults.ts, the
 *   way `kubectl apply -f a.yaml -f b.yaml` builds one cluster. It is named after its file (or folder)
 *   when there is one, else "manifests".
 * - `-` is standard input (FileOptions.stdin), named `<stdin>` in diagnostics. With a Scenario document
 *   it is a scenario file whose spec.manifests and replay files resolve against the current folder.
 *   Without one, given next to Scenario files, its manifests join each of those scenarios (as if their
 *   spec.manifests named it): `helm template … | kubesim run scenario.yaml -`. Alone or with other
 *   bare files it is a bare scenario ("stdin" when it is the only one).
 *
 * Every error found anywhere is collected; if there is any, ScenarioError is thrown with all of them,
 * sorted by file, line and column. Notes (skipped kinds, unused images, YAML warnings) come back with
 * the result and in each scenario.
 */

export interface LoadedScenario {
  /** metadata.name of the Scenario, or the bare file's name. */
  name: string;
  /** The file holding the Scenario document (for a bare scenario, its first file). */
  file: string;
  /** Every file read for this scenario, in reading order. */
  files: string[];
  /** True when no Scenario document was written: every spec field is a default. */
  bare: boolean;
  /** The parsed spec: durations in seconds, rates per second, distributions built, defaults applied. */
  spec: ScenarioSpec;
  /** Deployments and Services, defaulted, ready for Store.create (give each run its own structuredClone). */
  deployments: LoadedDeployment[];
  services: LoadedService[];
  /** Argo Rollouts, (Cluster)AnalysisTemplates, PodDisruptionBudgets and HorizontalPodAutoscalers (workloads.ts). */
  rollouts: LoadedRollout[];
  analysisTemplates: LoadedAnalysisTemplate[];
  pdbs: LoadedPdb[];
  hpas: LoadedHpa[];
  /** Notes for this scenario's files: skipped kinds, unused images, YAML warnings. */
  notes: Diagnostic[];
  /** Behaviour of every image a container uses or a set-image action introduces (defaults for undescribed ones). */
  behaviors: Map<string, BehaviorProfile>;
  /** Where each object was defined, by `Kind/namespace/name`. */
  sources: Map<string, SourceLocation>;
  /**
   * The documents as written, for the variants feature (engine/scenario/variants.ts), which patches them
   * and rebuilds the scenario with `rebuildScenario`. Absent on scenarios built by hand.
   */
  origin?: ScenarioOrigin;
}

/** A decoded Deployment or Service with the document it came from (the raw manifest is at `base` in `doc.value`). */
export type ManifestObject = Exclude<DecodedObject, { type: 'Scenario' }>;

/** What a scenario was built from: enough to patch and rebuild it. */
export interface ScenarioOrigin {
  /** The Scenario document (undefined for a bare scenario). */
  scenario?: {
    doc: YamlDocument;
    base: PathSegment[];
    /** The document as written (null map values dropped, like every document). */
    value: Record<string, unknown>;
    /** The parsed spec before the default traffic was filled in. */
    spec: ParsedScenarioSpec;
    /**
     * `spec.variants` as written with null values kept (a null in a patch deletes a key); read again
     * from the file. Undefined when that is not possible (then the null-free spec.variants stand in).
     */
    rawVariants?: unknown[];
  };
  /** Every Deployment and Service, in loading order. */
  manifests: ManifestObject[];
  /** The notes of the scenario's files (skipped kinds, YAML warnings). */
  fileNotes: Diagnostic[];
  /** How its files were read (--allow-outside, --max-file-size): a rebuilt variant reads the same way. */
  fileOptions: FileOptions;
}

export interface LoadResult {
  scenarios: LoadedScenario[];
  /** Every note of every scenario, sorted, without repeats. */
  notes: Diagnostic[];
}

const YAML_FILE = /\.ya?ml$/i;
/** The cache key of standard input (no path resolves to it). */
const STDIN_KEY = '\u0000stdin';

interface ParsedFile {
  file: string;
  objects: DecodedObject[];
  notes: Diagnostic[];
}

/** Reads, validates and groups scenario and manifest files. Throws ScenarioError on any error. */
export function loadScenarioFiles(paths: readonly string[], options: FileOptions = {}): LoadResult {
  const errors: Diagnostic[] = [];
  const cache = new Map<string, ParsedFile>();
  const parse = (file: string, stdin = false): ParsedFile => {
    const key = stdin ? STDIN_KEY : path.resolve(file);
    let parsed = cache.get(key);
    if (parsed === undefined) {
      parsed = { file, objects: [], notes: [] };
      const yaml = stdin ? parseYaml(STDIN_NAME, options.stdin ?? '') : readYamlFile(file, options);
      for (const d of yaml.diagnostics) (d.severity === 'error' ? errors : parsed.notes).push(d);
      for (const doc of yaml.documents) {
        const r = decodeDocument(doc);
        parsed.objects.push(...r.objects);
        parsed.notes.push(...r.notes);
        errors.push(...r.errors);
      }
      cache.set(key, parsed);
    }
    return parsed;
  };

  // Inputs: files, folders expanded to their YAML files, and `-` (standard input, once).
  const inputs: Array<{ file: string; stdin: boolean }> = [];
  for (const p of paths) {
    if (p === STDIN_ARG) {
      if (options.stdin === undefined) throw new TypeError('loadScenarioFiles: "-" (standard input) needs its text in options.stdin');
      inputs.push({ file: STDIN_NAME, stdin: true });
      continue;
    }
    const kind = statKind(p);
    if (kind === 'dir') {
      const files = yamlFilesIn(p);
      if (files.length === 0) errors.push({ file: p, line: 0, col: 0, path: '', message: 'folder has no *.yaml or *.yml files', severity: 'error' });
      inputs.push(...files.map((file) => ({ file, stdin: false })));
    } else if (kind === 'missing') {
      errors.push({ file: p, line: 0, col: 0, path: '', message: 'cannot read file: no such file or directory', severity: 'error' });
    } else {
      inputs.push({ file: p, stdin: false });
    }
  }

  const parsedInputs: Array<{ parsed: ParsedFile; stdin: boolean }> = [];
  const seenInputs = new Set<string>();
  for (const { file, stdin } of inputs) {
    const key = stdin ? STDIN_KEY : path.resolve(file);
    if (seenInputs.has(key)) continue;
    seenInputs.add(key);
    parsedInputs.push({ parsed: parse(file, stdin), stdin });
  }
  const hasScenario = (p: ParsedFile) => p.objects.some((o) => o.type === 'Scenario');
  // Piped manifests next to Scenario files are those scenarios' manifests (`helm template … |
  // kubesim run scenario.yaml -`): a stream has no folder for spec.manifests to name.
  const piped = parsedInputs.find((p) => p.stdin && !hasScenario(p.parsed) && parsedInputs.some((q) => hasScenario(q.parsed)))?.parsed;

  const scenarios: LoadedScenario[] = [];
  const origins = new Map<LoadedScenario, Extract<DecodedObject, { type: 'Scenario' }>>();
  const bareFiles: ParsedFile[] = [];
  for (const { parsed } of parsedInputs) {
    if (parsed === piped) continue;
    const scenarioDocs = parsed.objects.filter((o) => o.type === 'Scenario');
    if (scenarioDocs.length === 0) {
      bareFiles.push(parsed);
      continue;
    }
    for (const extra of scenarioDocs.slice(1)) {
      errors.push(diagnosticAt(extra.doc, extra.base, 'a file may hold only one Scenario document; put each scenario in its own file'));
    }
    const loaded = loadScenario(parsed, scenarioDocs[0]!, parse, errors, options, piped);
    if (loaded !== undefined) {
      scenarios.push(loaded);
      origins.set(loaded, scenarioDocs[0]!);
    }
  }

  if (bareFiles.length > 0) {
    const single = paths.length === 1 ? paths[0]! : bareFiles.length === 1 ? bareFiles[0]!.file : undefined;
    const name = single === STDIN_ARG || single === STDIN_NAME ? 'stdin' : single !== undefined ? path.basename(single).replace(YAML_FILE, '') : 'manifests';
    scenarios.push(assemble(name || 'manifests', bareFiles[0]!.file, bareFiles, undefined, errors, options));
  }

  // Scenario names key the reports: they must be distinct.
  const byName = new Map<string, LoadedScenario>();
  for (const s of scenarios) {
    const first = byName.get(s.name);
    const origin = origins.get(s);
    if (first !== undefined) {
      const message = `duplicate scenario name ${JSON.stringify(s.name)} (also in ${first.file}); scenario names must be distinct`;
      errors.push(
        origin !== undefined
          ? diagnosticAt(origin.doc, [...origin.base, 'metadata', 'name'], message)
          : { file: s.file, line: 0, col: 0, path: '', message, severity: 'error' },
      );
    } else byName.set(s.name, s);
  }

  if (errors.length > 0) throw new ScenarioError(unique(errors));
  return { scenarios, notes: sortDiagnostics(unique(scenarios.flatMap((s) => s.notes))) };
}

/** Loads a single file (or folder); the common case for `kubesim run deploy.yaml`. */
export function loadScenarioFile(file: string, options: FileOptions = {}): LoadResult {
  return loadScenarioFiles([file], options);
}

function loadScenario(
  parsed: ParsedFile,
  scenarioObj: Extract<DecodedObject, { type: 'Scenario' }>,
  parse: (file: string) => ParsedFile,
  errors: Diagnostic[],
  options: FileOptions,
  piped: ParsedFile | undefined,
): LoadedScenario | undefined {
  const { doc, base } = scenarioObj;
  const r = parseAt(scenarioSchema, scenarioObj.value, doc, base);
  errors.push(...r.diagnostics);
  if (r.data === undefined) return undefined;
  const spec = r.data.spec as ParsedScenarioSpec;
  const files: ParsedFile[] = [parsed];
  spec.manifests.forEach((entry, i) => {
    const at: PathSegment[] = [...base, 'spec', 'manifests', i];
    const target = path.isAbsolute(entry) ? entry : path.join(path.dirname(parsed.file), entry);
    const kind = statKind(target);
    if (kind === 'missing') {
      errors.push(diagnosticAt(doc, at, `cannot read ${target}: no such file or directory`));
      return;
    }
    const outside = outsideReason(parsed.file, target, options);
    if (outside !== undefined) {
      errors.push(diagnosticAt(doc, at, `${target} ${outside}`));
      return;
    }
    const list = kind === 'dir' ? yamlFilesIn(target) : [target];
    if (list.length === 0) errors.push(diagnosticAt(doc, at, `folder ${target} has no *.yaml or *.yml files`));
    for (const f of list) {
      const out = outsideReason(parsed.file, f, options); // a link in the folder may point out of it
      if (out !== undefined) {
        errors.push(diagnosticAt(doc, at, `${f} ${out}`));
        continue;
      }
      if (path.resolve(f) === path.resolve(parsed.file)) continue;
      if (files.some((p) => path.resolve(p.file) === path.resolve(f))) continue;
      const m = parse(f);
      const inner = m.objects.find((o) => o.type === 'Scenario');
      if (inner !== undefined) {
        errors.push(diagnosticAt(doc, at, `${f} holds a Scenario document; spec.manifests may name only Kubernetes manifests`));
        continue;
      }
      files.push(m);
    }
  });
  if (piped !== undefined) files.push(piped);
  return assemble(r.data.metadata.name, parsed.file, files, { spec, doc, base }, errors, options);
}

interface ScenarioSource {
  spec: ParsedScenarioSpec;
  doc: YamlDocument;
  base: PathSegment[];
  /** Already known raw variants (a rebuilt scenario keeps its original's). */
  rawVariants?: unknown[];
}

function assemble(name: string, file: string, files: ParsedFile[], source: ScenarioSource | undefined, errors: Diagnostic[], options: FileOptions): LoadedScenario {
  const manifests: ManifestObject[] = [];
  const seen = new Map<string, SourceLocation>();
  const fileNotes: Diagnostic[] = [];
  for (const f of files) {
    fileNotes.push(...f.notes);
    for (const o of f.objects) {
      if (o.type === 'Scenario') continue;
      const key = `${o.type}/${o.object.metadata.namespace}/${o.object.metadata.name}`;
      const first = seen.get(key);
      if (first !== undefined) {
        // bare files given together are one cluster: say so when the clash is across files
        const hint = source === undefined && first.file !== f.file ? '; manifest files given without a Scenario form one cluster — run or validate them one at a time' : '';
        errors.push(diagnosticAt(o.doc, [...o.base, 'metadata', 'name'], `duplicate ${o.type} ${o.object.metadata.namespace}/${o.object.metadata.name} (first defined at ${first.file}:${first.line}:${first.col})${hint}`));
        continue;
      }
      seen.set(key, o.source);
      manifests.push(o);
    }
  }
  return build(name, file, files.map((f) => f.file), manifests, fileNotes, source, errors, options);
}

/**
 * A scenario from its decoded objects and parsed Scenario spec: default traffic, cross-checks between
 * the Scenario and the manifests, behaviours. Shared by the loader and `rebuildScenario`.
 */
function build(
  name: string,
  file: string,
  files: string[],
  manifests: ManifestObject[],
  fileNotes: Diagnostic[],
  source: ScenarioSource | undefined,
  errors: Diagnostic[],
  fileOptions: FileOptions,
): LoadedScenario {
  const deployments: LoadedDeployment[] = [];
  const services: LoadedService[] = [];
  const extra: ExtraDecodedObject[] = [];
  const sources = new Map<string, SourceLocation>();
  const notes: Diagnostic[] = [...fileNotes];
  for (const o of manifests) {
    sources.set(`${o.type}/${o.object.metadata.namespace}/${o.object.metadata.name}`, o.source);
    // Each scenario gets its own copy: the store mutates what it is given.
    if (o.type === 'Deployment') deployments.push(structuredClone(o.object));
    else if (o.type === 'Service') services.push(structuredClone(o.object));
    else extra.push(structuredClone(o));
  }
  const { rollouts, analysisTemplates, pdbs, hpas } = sortExtra(extra, deployments, errors, notes);
  /** The loaded objects with the document each was written in (for positions). */
  const placedAs = <T extends { kind: string; metadata: { name: string; namespace: string } }>(objects: readonly T[]): Array<Placed<T>> =>
    objects.flatMap((object) => {
      const m = manifests.find((x) => x.type === object.kind && x.object.metadata.name === object.metadata.name && x.object.metadata.namespace === object.metadata.namespace);
      return m === undefined ? [] : [{ object, doc: m.doc, base: m.base }];
    });

  const parsedSpec: ParsedScenarioSpec = source?.spec ?? defaultSpec();
  const spec: ScenarioSpec = { ...parsedSpec, traffic: parsedSpec.traffic ?? defaultTraffic(services) };
  if (source !== undefined) crossCheck(spec, source, deployments, services, errors, notes, rollouts);
  if (source !== undefined) {
    // inline gate metrics become a template of their own (the parsed spec is shared by variants: copy)
    spec.analysis = spec.analysis.map((g, i) => {
      if (g.metrics.length === 0) return g;
      const t = gateTemplate(`${name}-analysis-${i}`, g.metrics, source.doc, [...source.base, 'spec', 'analysis', i, 'metrics'], errors);
      if (t === undefined) return g;
      t.metadata.namespace = g.target.namespace ?? 'default';
      analysisTemplates.push(t);
      return { ...g, templates: [...g.templates, { templateName: t.metadata.name, clusterScope: false }], metrics: [] };
    });
  }
  readReplays(spec, file, source, errors, fileOptions);
  notes.push(...usefulnessNotes({ spec, deployments: placedAs(deployments), services: placedAs(services), rollouts: placedAs(rollouts), scenario: source, trafficWritten: parsedSpec.traffic !== undefined, file }));

  const behaviors = new Map<string, BehaviorProfile>();
  const use = (image: string) => {
    if (!behaviors.has(image)) behaviors.set(image, spec.images[image] ?? defaultBehavior());
  };
  for (const d of deployments) for (const c of d.spec.template.spec.containers) use(c.image);
  for (const r of rollouts) for (const c of r.spec.template.spec.containers) use(c.image);
  for (const a of spec.timeline) if (a.action === 'set-image') for (const image of Object.values(a.images)) use(image);
  for (const image of Object.keys(spec.images)) use(image);

  const origin: ScenarioOrigin = { manifests, fileNotes, fileOptions };
  if (source !== undefined) {
    const value = valueAt(source.doc.value, source.base);
    origin.scenario = { doc: source.doc, base: source.base, value: isRecord(value) ? value : {}, spec: parsedSpec };
    const raw = source.rawVariants ?? (parsedSpec.variants.length > 0 ? rawVariantsOf(source.doc, source.base, fileOptions) : []);
    if (raw !== undefined) origin.scenario.rawVariants = raw;
  }

  return {
    name,
    file,
    files,
    bare: source === undefined,
    spec,
    deployments,
    services,
    rollouts,
    analysisTemplates,
    pdbs,
    hpas,
    notes: sortDiagnostics(unique(notes)),
    behaviors,
    sources,
    origin,
  };
}

/**
 * Rebuilds `base` (a loaded scenario) from changed documents: a patched Scenario document (parsed again
 * by the same schema; `doc` gives the positions of its diagnostics) and/or patched manifests (decoded
 * again by the caller with manifests.ts). Errors are appended to `errors`; undefined when the Scenario
 * document does not validate. Used by engine/scenario/variants.ts.
 */
export function rebuildScenario(
  base: LoadedScenario,
  change: { scenario?: { value: Record<string, unknown>; doc: YamlDocument }; manifests?: ManifestObject[] },
  errors: Diagnostic[],
): LoadedScenario | undefined {
  const origin = base.origin;
  if (origin === undefined) throw new Error(`scenario ${base.name} was not loaded from files; it cannot be rebuilt`);
  let source: ScenarioSource | undefined;
  if (change.scenario !== undefined) {
    const r = parseAt(scenarioSchema, change.scenario.value, change.scenario.doc, []);
    errors.push(...r.diagnostics);
    if (r.data === undefined) return undefined;
    source = { spec: r.data.spec as ParsedScenarioSpec, doc: change.scenario.doc, base: [], rawVariants: origin.scenario?.rawVariants ?? [] };
  } else if (origin.scenario !== undefined) {
    const o = origin.scenario;
    source = { spec: o.spec, doc: o.doc, base: o.base, rawVariants: o.rawVariants ?? [] };
  }
  return build(base.name, base.file, base.files, change.manifests ?? origin.manifests, origin.fileNotes, source, errors, origin.fileOptions);
}


/**
 * `spec.variants` of a Scenario document with its null values, which the YAML reader drops (a null in a
 * variant patch deletes a key). The file is parsed again with the reader's options; undefined if it
 * cannot be (it changed or vanished), and the caller falls back to the null-free values.
 */
function rawVariantsOf(doc: YamlDocument, base: readonly PathSegment[], options: FileOptions): unknown[] | undefined {
  try {
    const text = doc.file === STDIN_NAME && options.stdin !== undefined ? options.stdin : readInputFile(doc.file, options);
    const docs = parseAllDocuments(text, { version: '1.1', merge: true, prettyErrors: false });
    if ('empty' in docs) return undefined;
    const d = docs[doc.index];
    if (d === undefined || d.errors.length > 0) return undefined;
    const variants = valueAt(d.toJS({ maxAliasCount: 1000 }), [...base, 'spec', 'variants']);
    return Array.isArray(variants) ? variants : undefined;
  } catch {
    return undefined;
  }
}

/** The spec of a scenario that has no Scenario document (defaults.ts). */
function defaultSpec(): ParsedScenarioSpec {
  const r = scenarioSchema.shape.spec.safeParse({});
  if (!r.success) throw new Error('the default scenario spec does not validate'); // a bug, not bad input
  return r.data as ParsedScenarioSpec;
}

/** Steady Poisson traffic to every Service that selects pods (defaults.ts). */
export function defaultTraffic(services: readonly LoadedService[]): TrafficSpec[] {
  const targets = services.filter((s) => s.spec.type !== 'ExternalName' && s.spec.selector !== undefined && Object.keys(s.spec.selector).length > 0);
  const count = new Map<string, number>();
  for (const s of targets) count.set(s.metadata.name, (count.get(s.metadata.name) ?? 0) + 1);
  return targets.map((s): OpenTraffic => {
    const shared = (count.get(s.metadata.name) ?? 0) > 1;
    return {
      name: shared ? `${s.metadata.name}.${s.metadata.namespace}` : s.metadata.name,
      service: s.metadata.name,
      ...(shared || s.metadata.namespace !== 'default' ? { namespace: s.metadata.namespace } : {}),
      workload: 'open',
      rate: D.traffic.rate,
      arrivals: D.traffic.arrivals,
      timeout: D.traffic.timeout,
      retries: { max: D.traffic.retries.max, backoff: constant(D.traffic.retries.backoff), jitter: D.traffic.retries.jitter },
      keepAlive: { ...D.traffic.keepAlive },
    };
  });
}


/** Reads each traffic entry's replay CSV (relative to the scenario file); errors carry the CSV's positions. */
function readReplays(spec: ScenarioSpec, file: string, source: ScenarioSource | undefined, errors: Diagnostic[], options: FileOptions): void {
  spec.traffic.forEach((t, i) => {
    if (t.workload !== 'open' || t.replay === undefined || t.replay.data !== undefined) return;
    const csv = path.relative(process.cwd(), path.resolve(path.dirname(file), t.replay.file)) || t.replay.file;
    const outside = outsideReason(file, csv, options);
    if (outside !== undefined) {
      const message = `${csv} ${outside}`;
      errors.push(source !== undefined ? diagnosticAt(source.doc, [...source.base, 'spec', 'traffic', i, 'replay', 'file'], message) : { file, line: 0, col: 0, path: '', message, severity: 'error' });
      return;
    }
    const { replay, errors: found } = readReplay(csv, t.replay.format, options);
    errors.push(...found);
    if (replay === undefined) return;
    t.replay.data = replay;
    if (replay.format === 'rates') t.rate = replay.steps[0]!.rate;
  });
}

// ---------------------------------------------------------------------------------------------
// Cross-checks between the Scenario and its manifests

function crossCheck(
  spec: ScenarioSpec,
  { doc, base }: ScenarioSource,
  deployments: LoadedDeployment[],
  services: LoadedService[],
  errors: Diagnostic[],
  notes: Diagnostic[],
  rollouts: readonly LoadedRollout[] = [],
): void {
  const err = (p: PathSegment[], message: string) => errors.push(diagnosticAt(doc, [...base, 'spec', ...p], message));

  spec.traffic.forEach((t, i) => {
    const found = resolve('Service', services, t.service, t.namespace);
    if (typeof found === 'string') return err(['traffic', i, 'service'], found);
    if (t.port !== undefined && !found.spec.ports.some((p) => p.port === t.port || p.name === t.port)) {
      err(['traffic', i, 'port'], `Service ${found.metadata.name} has no port ${JSON.stringify(t.port)}; its ports: ${found.spec.ports.map((p) => p.name ?? String(p.port)).join(', ')}`);
    }
  });

  const nodes = spec.cluster.nodes.map((n) => n.name);
  const trafficNames = spec.traffic.map((t) => t.name);
  spec.timeline.forEach((a, i) => {
    const t = a.target;
    if (t.kind === 'node') {
      if (t.name !== '*' && !nodes.includes(t.name)) err(['timeline', i, 'target'], `unknown node ${JSON.stringify(t.name)}; the cluster has ${list(nodes)}`);
      return;
    }
    if (t.kind === 'traffic') {
      const entry = spec.traffic.find((x) => x.name === t.name);
      if (entry === undefined) err(['timeline', i, 'target'], `unknown traffic ${JSON.stringify(t.name)}; the traffic entries are ${list(trafficNames)}`);
      else if (a.action === 'set-rate' && entry.workload === 'closed') {
        err(['timeline', i, 'target'], `set-rate changes the rate of an open workload; traffic ${JSON.stringify(t.name)} is closed (users and thinkTime)`);
      } else if (a.action === 'set-rate' && entry.workload === 'open' && entry.replay?.format === 'timestamps') {
        err(['timeline', i, 'target'], `set-rate changes a rate; traffic ${JSON.stringify(t.name)} replays send timestamps`);
      }
      return;
    }
    if (t.kind === 'pod' || t.kind === 'selector') {
      const note = podTargetNote(t, [...deployments, ...rollouts]);
      if (note !== undefined) notes.push(diagnosticAt(doc, [...base, 'spec', 'timeline', i, t.kind === 'pod' ? 'target' : 'selector'], note, 'note'));
      return;
    }
    const d = t.kind === 'rollout' ? resolve('Rollout', rollouts, t.name, t.namespace) : resolve('Deployment', deployments, t.name, t.namespace);
    if (typeof d === 'string') return err(['timeline', i, 'target'], d);
    if (a.action === 'set-image') {
      const containers = d.spec.template.spec.containers.map((c) => c.name);
      for (const c of Object.keys(a.images)) {
        if (c !== '*' && !containers.includes(c)) {
          err(['timeline', i, 'image'], `${t.kind === 'rollout' ? 'Rollout' : 'Deployment'} ${d.metadata.name} has no container ${JSON.stringify(c)}; its containers: ${containers.join(', ')}`);
        }
      }
    }
  });

  spec.analysis.forEach((g, i) => {
    const d = resolve('Deployment', deployments, g.target.name, g.target.namespace);
    if (typeof d === 'string') err(['analysis', i, 'target'], d);
  });

  spec.variants.forEach((v, i) =>
    v.patches.forEach((p, j) => {
      if (p.target === 'scenario') return;
      const [kind, name] = p.target.split('/') as [string, string];
      const found = /^(deployment|deployments|deploy)$/.test(kind)
        ? resolve('Deployment', deployments, name)
        : /^(rollout|rollouts|ro)$/.test(kind)
          ? resolve('Rollout', rollouts, name)
          : resolve('Service', services, name);
      if (typeof found === 'string') err(['variants', i, 'patches', j, 'target'], found);
    }),
  );

  // SLOs are parsed here so a bad expression is bad input (exit 2), not a failure at the end of a run.
  spec.slos.forEach((text, i) => {
    try {
      parseSlo(text);
    } catch (e) {
      if (!(e instanceof SloError)) throw e;
      err(['slos', i], `${e.problem} at column ${e.column} of ${JSON.stringify(text)}; expected ${e.expected}`);
    }
  });
  // The time series has 1 s buckets and a bounded number of them.
  if (spec.duration > MAX_SERIES_BUCKETS) {
    err(['duration'], `at most ${MAX_SERIES_BUCKETS}s (about ${Math.floor(MAX_SERIES_BUCKETS / 3600)}h) can be simulated, got ${spec.duration}s`);
  }

  const used = new Set<string>();
  for (const d of deployments) for (const c of d.spec.template.spec.containers) used.add(c.image);
  for (const r of rollouts) for (const c of r.spec.template.spec.containers) used.add(c.image);
  for (const a of spec.timeline) if (a.action === 'set-image') for (const image of Object.values(a.images)) used.add(image);
  for (const image of Object.keys(spec.images)) {
    if (!used.has(image)) {
      notes.push(diagnosticAt(doc, [...base, 'spec', 'images', image], 'no container or set-image action uses this image', 'note'));
    }
  }
}

/** Labels the controllers add to pods beyond their template's (a selector on them cannot be checked here). */
const HASH_LABELS = ['pod-template-hash', 'rollouts-pod-template-hash'];

/**
 * A note when a delete-pod `pod/<name>` or `selector` can never find a pod: pods are named
 * `<workload>-<hash>-<suffix>` and labelled from their template, so no workload of the namespace with
 * that name prefix (or a template the selector matches) means the action will be refused every time.
 */
function podTargetNote(
  t: Extract<ScenarioSpec['timeline'][number]['target'], { kind: 'pod' | 'selector' }>,
  workloads: ReadonlyArray<LoadedDeployment | LoadedRollout>,
): string | undefined {
  const namespace = t.namespace ?? 'default';
  const here = workloads.filter((w) => w.metadata.namespace === namespace);
  if (t.kind === 'pod') {
    if (here.some((w) => t.name.startsWith(`${w.metadata.name}-`))) return undefined;
    return `no Deployment or Rollout in namespace ${JSON.stringify(namespace)} creates a pod named so (pods are named <workload>-<hash>-<suffix>: see the report's pods); the action will find no pod`;
  }
  if ((t.selector.matchExpressions ?? []).some((r) => HASH_LABELS.includes(r.key))) return undefined;
  if (here.some((w) => matchesSelector(t.selector, w.spec.template.metadata.labels))) return undefined;
  return `the selector matches the pod template of no Deployment or Rollout in namespace ${JSON.stringify(namespace)}; the action will find no pod`;
}

/** Finds an object by name (and namespace); a string is the error message. */
function resolve<T extends { metadata: { name: string; namespace: string } }>(kind: string, objects: readonly T[], name: string, namespace?: string): T | string {
  const matches = objects.filter((o) => o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    return `${kind} ${JSON.stringify(name)} exists in several namespaces (${matches.map((m) => m.metadata.namespace).join(', ')}); set namespace`;
  }
  const names = [...new Set(objects.map((o) => o.metadata.name))];
  const where = namespace === undefined ? '' : ` in namespace ${JSON.stringify(namespace)}`;
  return `unknown ${kind} ${JSON.stringify(name)}${where}; the manifests define ${names.length === 0 ? `no ${kind}` : list(names)}`;
}

function list(names: readonly string[]): string {
  if (names.length === 0) return 'none';
  const shown = names.slice(0, 12).join(', ');
  return names.length > 12 ? `${shown}, … (${names.length} in all)` : shown;
}

// ---------------------------------------------------------------------------------------------
// Files

function statKind(p: string): 'file' | 'dir' | 'missing' {
  try {
    return statSync(p).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

function yamlFilesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && YAML_FILE.test(e.name))
    .map((e) => e.name)
    .sort()
    .map((n) => path.join(dir, n));
}

function unique(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.file}\u0000${d.line}\u0000${d.col}\u0000${d.path}\u0000${d.message}\u0000${d.severity}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
