import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ScenarioError } from '../../../engine/scenario/diagnostics.js';
import { expandScenarios } from '../../../engine/run/run.js';
import { loadScenarioFiles } from '../../../engine/scenario/load.js';
import { scenarioDocumentJsonSchema } from '../../../engine/scenario/schema.js';

/**
 * The published JSON Schema (what `kubesim schema` prints) and the loader agree: over every example
 * file and over a table of snippets, a JSON Schema validator (Ajv, draft 2020-12) accepts exactly what
 * the loader accepts. The rules a JSON Schema cannot state (cross-field and cross-document checks)
 * are the EXCEPTIONS below: the loader rejects them and the schema does not, and the test holds each
 * to that, so the list cannot go stale. scenarios/README.md lists the same.
 */

const ROOT = path.resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'kubesim-agree-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// patternErrorMessage is VS Code's and yaml-language-server's message for a pattern (an annotation)
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false }).addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
const validateDocument = ajv.compile(scenarioDocumentJsonSchema());

/** Every document of a YAML text against the schema (as an editor applies it to each document). */
function schemaErrors(text: string): string[] {
  const out: string[] = [];
  for (const doc of parseAllDocuments(text, { version: '1.1', merge: true })) {
    if (!validateDocument(doc.toJS())) out.push(...(validateDocument.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
  }
  return out;
}

/** What `kubesim validate` finds: loading, then expanding the variants. */
function loaderErrors(file: string): string[] {
  try {
    expandScenarios(loadScenarioFiles([file]).scenarios);
    return [];
  } catch (e) {
    if (e instanceof ScenarioError) return e.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.path}: ${d.message}`);
    throw e;
  }
}

const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "nginx:1.25"}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
`;

/**
 * A scenario file: the manifests above and a Scenario whose spec is `spec` (YAML lines, indented by
 * two); `metadata` and `apiVersion` replace the Scenario's.
 */
function scenarioFile(spec: string, name: string, metadata = '{name: s}', apiVersion = 'kubesim.dev/v1alpha1'): string {
  const file = path.join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.yaml`);
  const body = spec === '' ? ' {}' : `\n${spec.split('\n').map((l) => `  ${l}`).join('\n')}`;
  writeFileSync(file, `${MANIFESTS}---\napiVersion: ${apiVersion}\nkind: Scenario\nmetadata: ${metadata}\nspec:${body}\n`);
  return file;
}

function agree(spec: string, name: string, metadata?: string): { loader: string[]; schema: string[] } {
  const file = scenarioFile(spec, name, metadata);
  return { loader: loaderErrors(file), schema: schemaErrors(readFileSync(file, 'utf8')) };
}

describe('every example file', () => {
  const files = [
    ...readdirSync(path.join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).map((f) => path.join('scenarios', f)),
    ...readdirSync(path.join(ROOT, 'scenarios/manifests')).map((f) => path.join('scenarios/manifests', f)),
  ];
  it('are there', () => expect(files.length).toBeGreaterThanOrEqual(10));
  it.each(files)('%s: the loader and the schema both accept it', (file) => {
    expect(loaderErrors(path.join(ROOT, file))).toEqual([]);
    expect(schemaErrors(readFileSync(path.join(ROOT, file), 'utf8'))).toEqual([]);
  });
});

// Valid forms at the edges of each grammar: both accept.
const VALID: Array<[string, string]> = [
  ['empty spec', ''],
  ['compound duration', 'duration: 1m30s'],
  ['duration as seconds', 'duration: 90'],
  ['fractional units', 'duration: 1.5h\nwarmup: 500ms'],
  ['at 0', 'timeline: [{at: 0, action: scale, target: deployment/web, replicas: 3}]'],
  ['target in capitals', 'timeline: [{at: 1s, action: scale, target: Deployment/web, replicas: 3}]'],
  ['short target', 'timeline: [{at: 1s, action: rollout-pause, target: deploy/web}]'],
  ['repeating fault without at', 'timeline: [{action: delete-pod, target: deployment/web, every: 20s, until: 50s}]'],
  ['Poisson fault', 'timeline: [{action: fail-node, target: node/*, rate: 2/h, duration: 10s}]'],
  ['set-image pairs', 'timeline: [{at: 5s, action: set-image, target: deployment/web, image: "nginx=nginx:1.26  *=x:2"}]'],
  ['set-rate by bare name', 'traffic: [{name: t, service: web, rate: .5/s}]\ntimeline: [{at: 5s, action: set-rate, target: t, rate: 30000/m}]'],
  ['closed workload', 'traffic: [{service: web, users: 5, thinkTime: {dist: exponential, mean: 1s}}]'],
  ['percentile distribution', 'images:\n  "nginx:1.25": {serviceTime: {p50: 20ms, p99: 120ms}, errorRate: 1.5%, queue: 0}'],
  ['empirical distribution', 'images:\n  "nginx:1.25": {serviceTime: {dist: empirical, min: 1ms, p50: 5ms, p99.9: 50ms, max: 1s}}'],
  ['quantities', 'cluster: {nodes: [{name: a, cpu: 3500m, memory: 16Gi}, {name: b, cpu: 1.5, memory: 1e9}], nodeSize: {cpu: "4"}}'],
  ['ipvs scheduler', 'cluster: {proxy: {mode: ipvs, scheduler: lc, syncDelay: {dist: uniform, min: 0s, max: 2s}}}'],
  ['SLOs with k6 names', 'slos: ["availability >= 99.9%", "http_req_duration.p(95) < 200ms", "http_req_failed < 1%", "errors.refused == 0", "rollout.duration < 5m", "p99.9<1s"]'],
  ['spike by factor', 'traffic: [{service: web, rate: 10/s, shape: {type: spike, at: 10s, duration: 5s, factor: 3}}]'],
  ['matrix', 'variants: [{matrix: {target: deployment/web, maxSurge: [0, 1]}}]'],
  ['delete-pod by name, forced', 'timeline: [{at: 5s, action: delete-pod, target: pod/web-x, force: true, gracePeriod: 0}]'],
  ['delete-pod by selector', 'timeline: [{at: 5s, action: delete-pod, selector: "app=web,tier!=db"}]'],
  ['rollout-restart', 'timeline: [{at: 5s, action: rollout-restart, target: deploy/web}]'],
];

describe('valid snippets: both accept', () => {
  it('metadata as kustomize and Helm write it (namespace, labels, annotations)', () => {
    const r = agree('', 'valid-metadata', '{name: s, namespace: prod, labels: {app: web}, annotations: {a: b}, description: x}');
    expect(r.loader).toEqual([]);
    expect(r.schema).toEqual([]);
  });
  it.each(VALID)('%s', (name, spec) => {
    const r = agree(spec, `valid-${name}`);
    expect(r.loader).toEqual([]);
    expect(r.schema).toEqual([]);
  });
});

// Invalid snippets: both reject. `path` is where the loader reports it (so each rejects for its reason).
const INVALID: Array<[string, string, string]> = [
  ['a duration unit the kernel does not know', 'duration: 10min', 'spec.duration'],
  ['a duration of 0', 'duration: 0s', 'spec.duration'],
  ['a duration with spaces inside', 'duration: 1m 30s', 'spec.duration'],
  ['a negative duration', 'warmup: -5', 'spec.warmup'],
  ['a duration too long to simulate (number)', 'duration: 1000000', 'spec.duration'],
  ['a rate per week', 'traffic: [{service: web, rate: 5/week}]', 'spec.traffic[0].rate'],
  ['a bad quantity', 'cluster: {nodeSize: {cpu: 4 cores}}', 'spec.cluster.nodeSize.cpu'],
  ['a negative quantity', 'cluster: {nodeSize: {memory: -1Gi}}', 'spec.cluster.nodeSize.memory'],
  ['a percentage above 100', 'images:\n  "nginx:1.25": {errorRate: 101%}', 'spec.images["nginx:1.25"].errorRate'],
  ['a typo in spec', 'duraton: 5m', 'spec.duraton'],
  ["k6's thresholds", 'thresholds: {http_req_duration: ["p(95)<200"]}', 'spec.thresholds'],
  ['a typo in a traffic entry', 'traffic: [{service: web, rate: 5/s, timout: 2s}]', 'spec.traffic[0].timout'],
  ['a typo in keepAlive', 'traffic: [{service: web, rate: 5/s, keepAlive: {maxReqests: 3}}]', 'spec.traffic[0].keepAlive.maxReqests'],
  ['a field of another action', 'timeline: [{at: 1s, action: rollout-pause, target: deployment/web, replicas: 2}]', 'spec.timeline[0].replicas'],
  ['a typo in a behaviour', 'images:\n  "nginx:1.25": {servicetime: 5ms}', 'spec.images["nginx:1.25"].servicetime'],
  ['an unknown distribution parameter', 'images:\n  "nginx:1.25": {serviceTime: {dist: exponential, mean: 5ms, stddev: 1ms}}', 'spec.images["nginx:1.25"].serviceTime.stddev'],
  ['a third percentile without dist', 'images:\n  "nginx:1.25": {serviceTime: {p50: 5ms, p90: 9ms, p99: 20ms}}', 'spec.images["nginx:1.25"].serviceTime.p90'],
  ['a typo in a variant', 'variants: [{name: a, patchs: []}]', 'spec.variants[0].patchs'],

  ['a typo in cluster', 'cluster: {node: 3}', 'spec.cluster.node'],
  ['a typo in a shape', 'traffic: [{service: web, rate: 5/s, shape: {type: ramp, to: 9/s, duraton: 5s}}]', 'spec.traffic[0].shape.duraton'],
  ['a string for a number', 'replications: "3"', 'spec.replications'],
  ['a mapping for a list', 'slos: {availability: 99%}', 'spec.slos'],
  ['a list for a mapping', 'cluster: [nodes]', 'spec.cluster'],
  ['seed not an integer', 'seed: 1.5', 'spec.seed'],
  ['missing at', 'timeline: [{action: scale, target: deployment/web, replicas: 2}]', 'spec.timeline[0].at'],
  ['missing target', 'timeline: [{at: 1s, action: scale, replicas: 2}]', 'spec.timeline[0].target'],
  ['missing service', 'traffic: [{rate: 5/s}]', 'spec.traffic[0].service'],
  ['neither rate nor users', 'traffic: [{service: web}]', 'spec.traffic[0].rate'],
  ['a variant without name or matrix', 'variants: [{patches: []}]', 'spec.variants[0].name'],
  ['a bare name as a workload target', 'timeline: [{at: 1s, action: scale, target: web, replicas: 2}]', 'spec.timeline[0].target'],
  ['a Deployment target where a Rollout is needed', 'timeline: [{at: 1s, action: promote, target: deployment/web}]', 'spec.timeline[0].target'],
  ['a node target without a name', 'timeline: [{at: 1s, action: drain-node, target: node/}]', 'spec.timeline[0].target'],
  ['a traffic target with a kind', 'traffic: [{name: t, service: web, rate: 1/s}]\ntimeline: [{at: 1s, action: set-rate, target: service/t, rate: 2/s}]', 'spec.timeline[0].target'],
  ['an image without a container', 'timeline: [{at: 1s, action: set-image, target: deployment/web, image: "nginx:1.26"}]', 'spec.timeline[0].image'],
  ['an unknown action', 'timeline: [{at: 1s, action: explode, target: deployment/web}]', 'spec.timeline[0].action'],
  ['a repeating scale', 'timeline: [{at: 1s, every: 10s, action: scale, target: deployment/web, replicas: 2}]', 'spec.timeline[0].every'],
  ['every and rate together', 'timeline: [{action: delete-pod, target: deployment/web, every: 10s, rate: 2/h}]', 'spec.timeline[0].every'],
  ['until without repeating', 'timeline: [{at: 1s, action: delete-pod, target: deployment/web, until: 10s}]', 'spec.timeline[0].until'],
  ['every 0', 'timeline: [{action: delete-pod, target: deployment/web, every: 0s}]', 'spec.timeline[0].every'],
  ['0 nodes', 'cluster: {nodes: 0}', 'spec.cluster.nodes'],
  ['0 replications', 'replications: 0', 'spec.replications'],
  ['a negative count', 'timeline: [{at: 1s, action: delete-pod, target: deployment/web, count: -1}]', 'spec.timeline[0].count'],
  ['an amplitude above 1', 'traffic: [{service: web, rate: 5/s, shape: {type: diurnal, amplitude: 1.5}}]', 'spec.traffic[0].shape.amplitude'],
  ['rate and users together', 'traffic: [{service: web, rate: 5/s, users: 3}]', 'spec.traffic[0].users'],
  ['thinkTime on an open workload', 'traffic: [{service: web, rate: 5/s, thinkTime: 1s}]', 'spec.traffic[0].thinkTime'],
  ['a spike with rate and factor', 'traffic: [{service: web, rate: 5/s, shape: {type: spike, at: 1s, duration: 1s, rate: 9/s, factor: 2}}]', 'spec.traffic[0].shape.rate'],
  ['crashRate with meanTimeBetweenCrashes', 'images:\n  "nginx:1.25": {crashRate: 2/h, meanTimeBetweenCrashes: 10m}', 'spec.images["nginx:1.25"].crashRate'],
  ['a scheduler without ipvs', 'cluster: {proxy: {scheduler: rr}}', 'spec.cluster.proxy.scheduler'],
  ['an SLO duration without its unit', 'slos: ["p(95) < 200"]', 'spec.slos[0]'],
  ['an SLO percentage above 100%', 'slos: ["availability >= 101%"]', 'spec.slos[0]'],
  ['an SLO percentage on a count', 'slos: ["errors.total < 1%"]', 'spec.slos[0]'],
  ['an unknown SLO metric', 'slos: ["latency.median < 1s"]', 'spec.slos[0]'],
  ['an analysis gate with nothing to run', 'analysis: [{target: deployment/web}]', 'spec.analysis[0]'],
  ['a matrix with only a target', 'variants: [{matrix: {target: deployment/web}}]', 'spec.variants[0].matrix'],
  ['a matrix parameter without values', 'variants: [{matrix: {replicas: []}}]', 'spec.variants[0].matrix.replicas'],
  ['delete-pod with target and selector', 'timeline: [{at: 1s, action: delete-pod, target: deployment/web, selector: app=web}]', 'spec.timeline[0].selector'],
  ['delete-pod with neither target nor selector', 'timeline: [{at: 1s, action: delete-pod}]', 'spec.timeline[0].target'],
  ['force with a grace period', 'timeline: [{at: 1s, action: delete-pod, target: deployment/web, force: true, gracePeriod: 5}]', 'spec.timeline[0].gracePeriod'],
  ['a bad patch target', 'variants: [{name: a, patches: [{target: configmap/x, patch: {}}]}]', 'spec.variants[0].patches[0].target'],
];

describe('invalid snippets: both reject', () => {
  it(`has at least 25 of them (${INVALID.length})`, () => expect(INVALID.length).toBeGreaterThanOrEqual(25));
  it.each(INVALID)('%s', (name, spec, where) => {
    const file = scenarioFile(spec, `invalid-${name}`);
    const loader = loaderErrors(file);
    expect(loader.some((e) => e.startsWith(`${where}:`)), loader.join('\n')).toBe(true);
    expect(schemaErrors(readFileSync(file, 'utf8')), `the schema accepts: ${spec}`).not.toEqual([]);
  });
});

/**
 * What a JSON Schema cannot say: the loader rejects these, the schema accepts them. The same list is
 * in scenarios/README.md ("What the schema cannot check").
 */
const EXCEPTIONS: Array<[string, string, string]> = [
  ['warmup not shorter than the duration (two fields)', 'duration: 1m\nwarmup: 2m', 'spec.warmup'],
  ['an action after the end (two fields)', 'duration: 1m\ntimeline: [{at: 2m, action: scale, target: deployment/web, replicas: 3}]', 'spec.timeline[0].at'],
  ['until before at (two fields)', 'timeline: [{at: 30s, action: delete-pod, target: deployment/web, every: 5s, until: 10s}]', 'spec.timeline[0].until'],
  ['duplicate traffic names (across list items)', 'traffic: [{name: a, service: web, rate: 1/s}, {name: a, service: web, rate: 2/s}]', 'spec.traffic[1].name'],
  ['duplicate variant names (across list items)', 'variants: [{name: a}, {name: a}]', 'spec.variants[1].name'],
  ['steps out of order (across list items)', 'traffic: [{service: web, rate: 1/s, shape: {type: steps, steps: [{at: 20s, rate: 2/s}, {at: 10s, rate: 3/s}]}}]', 'spec.traffic[0].shape.steps[1].at'],
  ['a Service the manifests do not define (another document)', 'traffic: [{service: api, rate: 1/s}]', 'spec.traffic[0].service'],
  ['a Deployment the manifests do not define (another document)', 'timeline: [{at: 1s, action: scale, target: deployment/api, replicas: 2}]', 'spec.timeline[0].target'],
  ['a node the cluster does not have (another field)', 'timeline: [{at: 1s, action: drain-node, target: node/node-9}]', 'spec.timeline[0].target'],
  ['a matrix parameter that names no field of its target (another document)', 'variants: [{matrix: {target: deployment/web, replicaz: [1, 2]}}]', 'spec.variants[0].matrix.replicaz'],
  ['a duration string too long to simulate (the maximum applies to numbers only)', 'duration: 1000h', 'spec.duration'],
  ['count with a pod/ target (which field applies depends on the target string)', 'timeline: [{at: 1s, action: delete-pod, target: pod/web-x, count: 2}]', 'spec.timeline[0].count'],
  ['a label selector with bad syntax (its own grammar)', 'timeline: [{at: 1s, action: delete-pod, selector: "app in web"}]', 'spec.timeline[0].selector'],
  ['a distribution whose parameters contradict each other', 'images:\n  "nginx:1.25": {serviceTime: {dist: uniform, min: 2s, max: 1s}}', 'spec.images["nginx:1.25"].serviceTime'],
];

describe('rules the schema cannot state: the loader rejects, the schema accepts', () => {
  it.each(EXCEPTIONS)('%s', (name, spec, where) => {
    const r = agree(spec, `exception-${name}`);
    expect(r.loader.some((e) => e.startsWith(`${where}:`)), r.loader.join('\n')).toBe(true);
    expect(r.schema, 'the schema rejects it now: move it to INVALID and out of scenarios/README.md').toEqual([]);
  });

  it('a field written with no value: the loader drops it (like the API server), the schema sees null', () => {
    const r = agree('warmup:', 'exception-null');
    expect(r.loader).toEqual([]);
    expect(r.schema.join('\n')).toMatch(/warmup/);
  });
});

describe('the documents beside the Scenario', () => {
  it('are not judged by the schema (Deployments, Services, Helm empty documents, other kinds)', () => {
    const text = `${MANIFESTS}---\n# Source: chart/templates/empty.yaml\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n---\napiVersion: example.com/v1\nkind: Scenario\nspec: {anything: 1}\n`;
    expect(schemaErrors(text)).toEqual([]);
  });

  it('a kubesim.dev document of kind Scenario is, whatever its version, and so is its metadata', () => {
    const v2 = scenarioFile('', 'v2', '{name: s}', 'kubesim.dev/v2');
    expect(loaderErrors(v2)).toEqual(['apiVersion: expected "kubesim.dev/v1alpha1", got "kubesim.dev/v2"']);
    expect(schemaErrors(readFileSync(v2, 'utf8')).join('\n')).toMatch(/apiVersion/);
    const typo = scenarioFile('', 'metadata-typo', '{name: s, nmae: t}');
    expect(loaderErrors(typo)).toEqual(['metadata.nmae: unknown field; did you mean "name"?']);
    expect(schemaErrors(readFileSync(typo, 'utf8'))).not.toEqual([]);
  });
});
