import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, ScenarioError } from '../../../engine/scenario/diagnostics.js';
import { loadScenarioFiles, type LoadedScenario } from '../../../engine/scenario/load.js';
import { DEFAULT_VARIANT, expandVariants, strategicMerge, type Variant } from '../../../engine/scenario/variants.js';
import { rmSync } from 'node:fs';

const FIX = 'test/fixtures/variants';
const WEB = path.resolve(FIX, 'web.yaml');

const load = (file: string): LoadedScenario => loadScenarioFiles([file], { allowOutside: true }).scenarios[0]!;
const byName = (vs: Variant[], name: string) => {
  const v = vs.find((x) => x.name === name);
  if (v === undefined) throw new Error(`no variant ${name} in ${vs.map((x) => x.name).join(', ')}`);
  return v;
};

// Scenarios written on the fly: the variants start on line HEADER_LINES + 1, indented by 4.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kubesim-variants-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const HEADER = [
  'apiVersion: kubesim.dev/v1alpha1',
  'kind: Scenario',
  'metadata: {name: t}',
  'spec:',
  `  manifests: [${JSON.stringify(WEB)}]`,
  '  traffic: [{name: web, service: web, rate: 100/s}]',
  '  timeline: [{at: 10s, action: set-image, target: deployment/web-app, image: web=nginx:1.26}]',
  '  variants:',
];
let count = 0;
function scenarioWith(variants: string): string {
  const file = path.join(tmp, `s${++count}.yaml`);
  writeFileSync(file, [...HEADER, variants.replace(/^\n/, '').replace(/\s+$/, ''), ''].join('\n'));
  return file;
}
/** The diagnostics of expanding a scenario's variants, formatted. */
function expansionErrors(file: string): string[] {
  const s = load(file);
  try {
    expandVariants(s);
  } catch (e) {
    if (e instanceof ScenarioError) return e.diagnostics.map(formatDiagnostic);
    throw e;
  }
  throw new Error('expected the variants to be rejected');
}

describe('strategic-merge-like patches', () => {
  const containers = [
    { name: 'web', image: 'nginx:1.25', ports: [{ name: 'http', containerPort: 8080 }], lifecycle: { preStop: { sleep: { seconds: 5 } } } },
    { name: 'sidecar', image: 'envoy:1.30' },
  ];
  it.each<[string, unknown, unknown, unknown]>([
    ['maps merge recursively', { a: { b: 1, c: 2 }, d: 3 }, { a: { c: 20, e: 5 } }, { a: { b: 1, c: 20, e: 5 }, d: 3 }],
    ['null deletes a key', { a: { b: 1, c: 2 } }, { a: { b: null } }, { a: { c: 2 } }],
    ['null for a missing key is a no-op', { a: 1 }, { b: null }, { a: 1 }],
    ['a scalar replaces a mapping, a mapping replaces a scalar', { a: { b: 1 }, c: 1 }, { a: 5, c: { d: 1 } }, { a: 5, c: { d: 1 } }],
    ['a list of scalars replaces', { args: ['a', 'b'] }, { args: ['c'] }, { args: ['c'] }],
    ['a list of mappings without names replaces', { steps: [{ at: 1 }, { at: 2 }] }, { steps: [{ at: 3 }] }, { steps: [{ at: 3 }] }],
    [
      'containers merge by name; new names are appended; order kept',
      { containers },
      { containers: [{ name: 'sidecar', image: 'envoy:1.31' }, { name: 'logger', image: 'fluentbit:3' }, { name: 'web', lifecycle: null }] },
      {
        containers: [
          { name: 'web', image: 'nginx:1.25', ports: [{ name: 'http', containerPort: 8080 }] },
          { name: 'sidecar', image: 'envoy:1.31' },
          { name: 'logger', image: 'fluentbit:3' },
        ],
      },
    ],
    [
      'nested named lists (ports) merge by name too',
      { containers },
      { containers: [{ name: 'web', ports: [{ name: 'metrics', containerPort: 9090 }, { name: 'http', containerPort: 8081 }] }] },
      {
        containers: [
          { ...containers[0], ports: [{ name: 'http', containerPort: 8081 }, { name: 'metrics', containerPort: 9090 }] },
          containers[1],
        ],
      },
    ],
    ['$patch: delete removes a named item', { containers }, { containers: [{ name: 'sidecar', $patch: 'delete' }] }, { containers: [containers[0]] }],
    ['$patch: replace replaces a mapping', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } }, { strategy: { $patch: 'replace', type: 'Recreate' } }, { strategy: { type: 'Recreate' } }],
    ['nulls inside new values are dropped', { a: 1 }, { b: { c: null, d: 2 } }, { a: 1, b: { d: 2 } }],
  ])('%s', (_, base, patch, expected) => {
    const before = JSON.stringify(base);
    expect(strategicMerge(base, patch)).toEqual(expected);
    expect(JSON.stringify(base)).toBe(before); // the base is not modified
  });
});

describe('expanding variants', () => {
  const s = load(`${FIX}/variants.yaml`);
  const { variants, notes } = expandVariants(s);
  const d = (v: Variant) => v.scenario.deployments[0]!;

  it('a scenario without variants has one, named default, which is the scenario itself', () => {
    const bare = load(WEB);
    const r = expandVariants(bare);
    expect(r.variants).toEqual([{ name: DEFAULT_VARIANT, scenario: bare }]);
    expect(DEFAULT_VARIANT).toBe('default');
  });

  it('keeps written order, matrices expanded in place, first parameter slowest', () => {
    expect(variants.map((v) => v.name)).toEqual([
      'baseline',
      'surge-1-unavailable-0',
      'recreate',
      'no-prestop',
      'double-traffic',
      'session-affinity',
      'maxSurge=0,maxUnavailable=1',
      'maxSurge=1,maxUnavailable=0',
      'maxSurge=1,maxUnavailable=1',
      'maxSurge=25%,maxUnavailable=0',
      'maxSurge=25%,maxUnavailable=1',
    ]);
    expect(byName(variants, 'surge-1-unavailable-0').description).toBe('one extra pod at a time');
    expect(byName(variants, 'maxSurge=25%,maxUnavailable=1').parameters).toEqual([
      { key: 'maxSurge', value: '25%' },
      { key: 'maxUnavailable', value: 1 },
    ]);
  });

  it('a variant without patches is the scenario as loaded', () => {
    expect(byName(variants, 'baseline').scenario).toBe(s);
  });

  it('deployment patches are defaulted and validated again', () => {
    expect(d(byName(variants, 'surge-1-unavailable-0')).spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(d(byName(variants, 'recreate')).spec.strategy).toEqual({ type: 'Recreate' });
    const np = d(byName(variants, 'no-prestop')).spec.template.spec.containers;
    expect(np.map((c) => c.name)).toEqual(['web', 'sidecar', 'logger']);
    expect(np[0]!.lifecycle).toBeUndefined();
    expect(np[0]!.ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' }, // protocol defaulted
    ]);
    expect(np[0]!.readinessProbe).toMatchObject({ periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3 }); // untouched, defaulted
    // The new image gets a behaviour (the default), like any image the manifests use.
    expect(byName(variants, 'no-prestop').scenario.behaviors.has('fluentbit:3')).toBe(true);
    // The original and the other variants are untouched.
    expect(d(byName(variants, 'baseline')).spec.template.spec.containers[0]!.lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
    expect(s.deployments[0]!.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
  });

  it('service patches', () => {
    expect(byName(variants, 'session-affinity').scenario.services[0]!.spec.sessionAffinity).toBe('ClientIP');
    expect(s.services[0]!.spec.sessionAffinity).toBe('None');
  });

  it('scenario patches go through the same schema: durations, rates, behaviours; traffic merges by name', () => {
    const v = byName(variants, 'double-traffic').scenario;
    expect(v.spec.duration).toBe(600);
    expect(v.spec.traffic).toHaveLength(1);
    expect(v.spec.traffic[0]).toMatchObject({ name: 'web', service: 'web', rate: 1000, timeout: 2 });
    expect(v.behaviors.get('nginx:1.25')!.startup.mean).toBe(20);
    expect(v.spec.seed).toBe(7);
    expect(v.spec.replications).toBe(3);
    expect(s.spec.duration).toBe(300);
    expect(s.spec.traffic[0]).toMatchObject({ rate: 500 });
  });

  it('skips matrix combinations the API rejects, with a note at the matrix', () => {
    expect(variants.some((v) => v.name === 'maxSurge=0,maxUnavailable=0')).toBe(false);
    expect(notes.map(formatDiagnostic)).toEqual([
      `${FIX}/variants.yaml:54:9: note: spec.variants[6].matrix: variant "maxSurge=0,maxUnavailable=0" skipped: spec.strategy.rollingUpdate.maxUnavailable: may not be 0 when maxSurge is 0`,
    ]);
    expect(d(byName(variants, 'maxSurge=25%,maxUnavailable=0')).spec.strategy.rollingUpdate).toEqual({ maxSurge: '25%', maxUnavailable: 0 });
  });

  it('every variant keeps the scenario name, files and sources', () => {
    for (const v of variants) {
      expect(v.scenario.name).toBe('strategies');
      expect(v.scenario.files).toEqual(s.files);
      expect(v.scenario.sources.get('Deployment/default/web-app')).toEqual(s.sources.get('Deployment/default/web-app'));
    }
  });
});

describe('matrix forms', () => {
  it('field paths, [name] selectors, a prefix, extra patches, and labels by last field', () => {
    const file = scenarioWith(`
    - name: base
    - name: sweep
      description: cpu and readiness
      matrix:
        target: deployment/web-app
        spec.template.spec.containers[web].resources.requests.cpu: [250m, 1]
        spec.minReadySeconds: [0, 10]
      patches: [{target: deployment/web-app, patch: {spec: {replicas: 6}}}]
    - matrix:
        target: scenario
        traffic[web].rate: [200/s]
        duration: [2m]
`);
    const { variants } = expandVariants(load(file));
    expect(variants.map((v) => v.name)).toEqual([
      'base',
      'sweep:cpu=250m,minReadySeconds=0',
      'sweep:cpu=250m,minReadySeconds=10',
      'sweep:cpu=1,minReadySeconds=0',
      'sweep:cpu=1,minReadySeconds=10',
      'rate=200/s,duration=2m',
    ]);
    const v = byName(variants, 'sweep:cpu=1,minReadySeconds=10');
    expect(v.description).toBe('cpu and readiness');
    const dep = v.scenario.deployments[0]!;
    expect(dep.spec).toMatchObject({ replicas: 6, minReadySeconds: 10 });
    expect(dep.spec.template.spec.containers.map((c) => [c.name, c.resources?.requests?.cpu])).toEqual([
      ['web', 1],
      ['sidecar', undefined],
    ]);
    const sc = byName(variants, 'rate=200/s,duration=2m').scenario;
    expect(sc.spec.duration).toBe(120);
    expect(sc.spec.traffic[0]).toMatchObject({ rate: 200 });
  });

  it('labels fall back to the whole key when last fields collide', () => {
    const file = scenarioWith(`
    - matrix:
        spec.template.spec.containers[web].image: [a:1]
        spec.template.spec.containers[sidecar].image: [b:2]
`);
    expect(expandVariants(load(file)).variants.map((v) => v.name)).toEqual([
      'spec.template.spec.containers[web].image=a:1,spec.template.spec.containers[sidecar].image=b:2',
    ]);
  });
});

describe('bad variants: errors name the variant and point into the patch', () => {
  it.each([
    [
      'a combination the API rejects',
      `
    - name: both-zero
      patches:
        - target: deployment/web-app
          patch: {spec: {strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}}}`,
      ['12:82: spec.strategy.rollingUpdate.maxUnavailable: variant "both-zero" (deployment/web-app): may not be 0 when maxSurge is 0'],
    ],
    [
      'a wrong type',
      `
    - name: three
      patches: [{target: deployment/web-app, patch: {spec: {replicas: three}}}]`,
      ['10:71: spec.replicas: variant "three" (deployment/web-app): expected a non-negative integer, got "three"'],
    ],
    [
      'null deleting a required field',
      `
    - name: no-selector
      patches: [{target: deployment/web-app, patch: {spec: {selector: null}}}]`,
      ['10:71: spec.selector: variant "no-selector" (deployment/web-app): missing required field; expected a label selector like {matchLabels: {app: web}}'],
    ],
    [
      'a new container without an image (position of the new item)',
      `
    - name: new-container
      patches: [{target: deployment/web-app, patch: {spec: {template: {spec: {containers: [{name: extra}]}}}}}]`,
      ['10:92: spec.template.spec.containers[2].image: variant "new-container" (deployment/web-app): missing required field; expected a container image like nginx:1.25'],
    ],
    [
      'renaming the object',
      `
    - name: rename
      patches: [{target: deployment/web-app, patch: {metadata: {name: other}}}]`,
      ['10:71: metadata.name: variant "rename" (deployment/web-app): a patch may not change metadata.name (it identifies the object)'],
    ],
    [
      'a bad rate in a scenario patch',
      `
    - name: bad-rate
      patches: [{target: scenario, patch: {spec: {traffic: [{name: web, rate: fast}]}}}]`,
      ['10:79: spec.traffic[0].rate: variant "bad-rate": expected a rate like 500/s, 30000/m or 10/h, got "fast"'],
    ],
    [
      'a scenario patch naming an unknown Service (cross-checked again)',
      `
    - name: other-service
      patches: [{target: scenario, patch: {spec: {traffic: [{name: web, service: nope}]}}}]`,
      ['10:82: spec.traffic[0].service: variant "other-service": unknown Service "nope"; the manifests define web'],
    ],
    [
      'a scenario patch outside spec, and on the seed',
      `
    - name: seed
      patches: [{target: scenario, patch: {spec: {seed: 3}, traffic: []}}]`,
      [
        '10:57: spec.variants[0].patches[0].patch.spec.seed: variant "seed" (scenario): a variant may not change spec.seed (variants share seeds and replications, so that their runs pair up)',
        '10:70: spec.variants[0].patches[0].patch.traffic: variant "seed" (scenario): a scenario patch is rooted at the Scenario document: write {spec: {traffic: …}}',
      ],
    ],
    [
      'deleting a container the timeline sets the image of',
      `
    - name: drop-web
      patches: [{target: deployment/web-app, patch: {spec: {template: {spec: {containers: [{name: web, $patch: delete}]}}}}}]`,
      ['7:78: spec.timeline[0].image: variant "drop-web": Deployment web-app has no container "web"; its containers: sidecar'],
    ],
    [
      'a name used twice (a plain variant and a matrix combination)',
      `
    - name: maxSurge=1
    - matrix: {maxSurge: [1, 2]}`,
      ['10:15: spec.variants[1].matrix: duplicate variant name "maxSurge=1" (first at line 9); variant names must be distinct'],
    ],
    [
      'a matrix value rejected in every combination',
      `
    - matrix: {maxSurge: [1, -1], maxUnavailable: [0, 1]}`,
      ['9:30: spec.variants[0].matrix.maxSurge[1]: maxSurge -1 is rejected in every combination: expected a non-negative integer or a percentage like 25%, got -1'],
    ],
    [
      'a matrix none of whose combinations is valid',
      `
    - matrix: {maxSurge: [0], maxUnavailable: [0]}`,
      ['9:48: spec.strategy.rollingUpdate.maxUnavailable: variant "maxSurge=0,maxUnavailable=0" (deployment/web-app): may not be 0 when maxSurge is 0'],
    ],
    [
      'an unknown matrix parameter',
      `
    - matrix: {foo: [1]}`,
      ['9:21: spec.variants[0].matrix.foo: unknown matrix parameter "foo"; expected a field path like spec.minReadySeconds or one of maxSurge, maxUnavailable, strategy, replicas, minReadySeconds, progressDeadlineSeconds, revisionHistoryLimit, terminationGracePeriodSeconds'],
    ],
    [
      'an unknown matrix target',
      `
    - matrix: {target: deployment/nope, replicas: [1]}`,
      ['9:24: spec.variants[0].matrix.target: unknown Deployment "nope"; the manifests define web-app'],
    ],
  ])('%s', (_, variants, expected) => {
    const file = scenarioWith(variants);
    expect(expansionErrors(file)).toEqual(expected.map((e) => `${file}:${e}`));
  });

  it('the schema rejects variants without a name or matrix, empty matrix lists, and huge matrices', () => {
    const file = scenarioWith(`
    - description: nameless
    - matrix: {maxSurge: []}
    - matrix: {target: deployment/web-app}
    - matrix: {replicas: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], minReadySeconds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], maxSurge: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}`);
    let messages: string[] = [];
    try {
      load(file);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      messages = e.diagnostics.map(formatDiagnostic);
    }
    expect(messages).toEqual([
      `${file}:9:7: spec.variants[0].name: missing required field; expected a non-empty name (or a matrix)`,
      `${file}:10:26: spec.variants[1].matrix.maxSurge: expected a non-empty list of values for maxSurge, like [0, 1, 25%], got a list`,
      `${file}:11:15: spec.variants[2].matrix: expected at least one parameter, like {target: deployment/web, maxSurge: [0, 1, 25%], maxUnavailable: [0, 1]}`,
      `${file}:12:15: spec.variants[3].matrix: expands to 1100 combinations; at most 1000 are allowed`,
    ]);
  });
});

describe('hostile keys never reach Object.prototype (issue 10.1)', () => {
  const polluted = () => Object.getOwnPropertyNames(Object.prototype).filter((k) => ['resources', 'dist', 'eval', 'x', 'replicas'].includes(k));

  it.each([
    ['__proto__.resources', 'spec.variants[0].matrix["__proto__.resources"]'],
    ['spec.template.spec.containers[web].__proto__.x', 'spec.variants[0].matrix["spec.template.spec.containers[web].__proto__.x"]'],
    ['constructor.prototype.x', 'spec.variants[0].matrix["constructor.prototype.x"]'],
  ])('matrix key %s is an error at its position and changes nothing', (key, at) => {
    const file = scenarioWith(`    - matrix: {target: deployment/web-app, ${JSON.stringify(key)}: [{requests: {cpu: "100"}}]}`);
    const errors = expansionErrors(file);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:9:\\d+: ${at.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*is not allowed`));
    expect(polluted()).toEqual([]);
  });

  it('strategicMerge never walks __proto__ / constructor / prototype, and builds prototype-free mappings', () => {
    const patch = JSON.parse('{"__proto__": {"x": 1}, "a": {"constructor": {"prototype": {"x": 2}}, "b": 1}}') as Record<string, unknown>;
    const out = strategicMerge({ a: { c: 1 } }, patch) as Record<string, Record<string, unknown>>;
    expect(polluted()).toEqual([]);
    expect({ ...out }).toEqual({ a: { c: 1, b: 1 } });
    expect(Object.getPrototypeOf(out)).toBeNull();
  });

  it('a patch key that names no field has a suggestion', () => {
    const file = scenarioWith(`    - {name: p, patches: [{target: deployment/web-app, patch: {spec: {minReadySecond: 5}}}]}`);
    expect(expansionErrors(file)).toEqual([`${file}:9:87: spec.variants[0].patches[0].patch.spec.minReadySecond: variant "p": no field "minReadySecond" in Deployment spec; did you mean "minReadySeconds"?`]);
  });
});
