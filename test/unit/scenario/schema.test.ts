import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, formatDiagnostics, ScenarioError } from '../../../engine/scenario/diagnostics.js';
import { loadScenarioFiles } from '../../../engine/scenario/load.js';
import { formatPath, parseYaml, positionOf } from '../../../engine/scenario/yaml.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kubesim-scenario-'));
const WEB = path.resolve('test/fixtures/scenario/web.yaml');

/** Writes a Scenario (spec lines indented under `spec:`) beside nothing but the web fixture, and loads it. */
function load(specLines: string, name = 's.yaml') {
  const file = path.join(dir, name);
  writeFileSync(file, `apiVersion: kubesim.dev/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n  manifests: [${JSON.stringify(WEB)}]\n${specLines}\n`);
  return { file, run: () => loadScenarioFiles([file], { allowOutside: true }) };
}

function errors(specLines: string): string[] {
  const { file, run } = load(specLines);
  try {
    run();
  } catch (e) {
    if (e instanceof ScenarioError) return e.diagnostics.map((d) => formatDiagnostic({ ...d, file: d.file === file ? 's.yaml' : d.file }));
    throw e;
  }
  return [];
}

describe('Scenario validation', () => {
  it.each([
    ['distribution field path', '  images:\n    nginx:1.25: {serviceTime: {dist: exponential, mean: fast}}', 's.yaml:7:57: spec.images["nginx:1.25"].serviceTime.mean: expected a duration like 250ms, 30s, 5m, 1h or 1m30s, got "fast"'],
    ['unknown distribution', '  images:\n    nginx:1.25: {startup: {dist: weibull}}', 's.yaml:7:34: spec.images["nginx:1.25"].startup.dist: expected dist to be one of constant, uniform, exponential, normal, lognormal, gamma, erlang, pareto, empirical'],
    ['bad duration', '  duration: 10 minutes', 's.yaml:6:13: spec.duration: expected a duration like 250ms, 30s, 5m or 1h, got "10 minutes"'],
    ['bad rate', '  traffic: [{service: web-service, rate: lots}]', 's.yaml:6:42: spec.traffic[0].rate: expected a rate like 500/s, 30000/m or 10/h, got "lots"'],
    ['neither rate nor users', '  traffic: [{service: web-service}]', 's.yaml:6:13: spec.traffic[0].rate: missing required field; expected a rate like 500/s (open workload), users and thinkTime (closed workload), or a replay file'],
    ['rate and users', '  traffic: [{service: web-service, rate: 5/s, users: 3}]', 's.yaml:6:54: spec.traffic[0].users: may not be set together with rate: a workload is open (rate) or closed (users)'],
    ['unknown shape', '  traffic: [{service: web-service, rate: 5/s, shape: {type: wave}}]', 's.yaml:6:61: spec.traffic[0].shape.type: expected one of "ramp", "steps", "spike", "diurnal", got "wave"'],
    ['bad arrivals', '  traffic: [{service: web-service, rate: 5/s, arrivals: bursty}]', 's.yaml:6:57: spec.traffic[0].arrivals: expected "poisson" or "constant", got "bursty"'],
    ['target form', '  timeline: [{at: 1s, action: scale, target: web-app, replicas: 2}]', 's.yaml:6:46: spec.timeline[0].target: expected a target like deployment/<name> or rollout/<name>, got "web-app"'],
    ['missing at', '  timeline: [{action: rollout-pause, target: deployment/web-app}]', 's.yaml:6:14: spec.timeline[0].at: missing required field; expected a duration like 60s (when the action happens)'],
    ['repeating scale', '  timeline: [{at: 1s, every: 10s, action: scale, target: deployment/web-app, replicas: 2}]', 's.yaml:6:30: spec.timeline[0].every: only delete-pod, fail-node, drain-node can repeat'],
    ['action after the end', '  duration: 1m\n  timeline: [{at: 2m, action: rollout-pause, target: deployment/web-app}]', 's.yaml:7:19: spec.timeline[0].at: 2m is after the end of the scenario (duration 1m)'],
    ['set-rate on unknown traffic', '  traffic: [{name: web, service: web-service, rate: 5/s}]\n  timeline: [{at: 1s, action: set-rate, target: api, rate: 9/s}]', 's.yaml:7:49: spec.timeline[0].target: unknown traffic "api"; the traffic entries are web'],
    ['scheduler without ipvs', '  cluster: {proxy: {scheduler: lc}}', 's.yaml:6:32: spec.cluster.proxy.scheduler: only applies when mode is ipvs (mode is iptables)'],
    ['unknown ipvs scheduler', '  cluster: {proxy: {mode: ipvs, scheduler: wlc}}', 's.yaml:6:44: spec.cluster.proxy.scheduler: expected one of rr, lc, sh, sed, nq, got "wlc"'],
    ['bad node count', '  cluster: {nodes: 0}', 's.yaml:6:20: spec.cluster.nodes: expected a positive number of nodes, got 0'],
    ['error rate above 1', '  images:\n    nginx:1.25: {errorRate: 2}', 's.yaml:7:29: spec.images["nginx:1.25"].errorRate: expected a fraction between 0 and 1 or a percentage like 1%, got 2'],
    ['bad SLO', '  slos: [fast please]', 's.yaml:6:10: spec.slos[0]: expected an SLO like "availability >= 99.9%" or "p(99) < 300ms", got "fast please"'],
    ['bad set-image', '  timeline: [{at: 1s, action: set-image, target: deployment/web-app, image: "nginx:1.26"}]', 's.yaml:6:77: spec.timeline[0].image: expected container=image, like nginx=nginx:1.26 (several separated by spaces), or a mapping {nginx: nginx:1.26}, got "nginx:1.26"'],
    ['duplicate traffic names', '  traffic: [{service: web-service, rate: 1/s}, {service: web-service, rate: 2/s}]', 's.yaml:6:48: spec.traffic[1].name: duplicate traffic name "web-service"; give each entry a distinct name'],
    ['wrong apiVersion', '', 's.yaml:1:13: apiVersion: expected "kubesim.dev/v1alpha1", got "kubesim.dev/v2"'],
  ])('%s', (title, spec, message) => {
    if (title === 'wrong apiVersion') {
      const file = path.join(dir, 'v2.yaml');
      writeFileSync(file, 'apiVersion: kubesim.dev/v2\nkind: Scenario\nmetadata: {name: x}\n');
      expect(() => loadScenarioFiles([file])).toThrow(`${file}:1:13: apiVersion: expected "kubesim.dev/v1alpha1", got "kubesim.dev/v2"`);
      return;
    }
    expect(errors(spec)).toEqual([message]);
  });

  it('notes an image no container uses', () => {
    const { run, file } = load('  images:\n    redis:7: {startup: 2s}');
    const { notes, scenarios } = run();
    expect(notes.map(formatDiagnostic)).toEqual([`${file}:7:14: note: spec.images["redis:7"]: no container or set-image action uses this image`]);
    expect(scenarios[0]!.behaviors.get('redis:7')!.startup.mean).toBe(2);
  });

  it('`traffic: []` means no traffic; omitting it means the default traffic', () => {
    expect(load('  traffic: []').run().scenarios[0]!.spec.traffic).toEqual([]);
    expect(load('  seed: 3').run().scenarios[0]!.spec.traffic.map((t) => t.name)).toEqual(['web-service']);
  });

  it('rejects two scenarios with the same name', () => {
    const a = load('', 'a.yaml').file;
    const b = load('', 'b.yaml').file;
    expect(() => loadScenarioFiles([a, b])).toThrow(`${b}:3:18: metadata.name: duplicate scenario name "t" (also in ${a}); scenario names must be distinct`);
  });
});

describe('positions and formatting', () => {
  const y = parseYaml('p.yaml', 'spec:\n  template:\n    spec:\n      containers:\n        - name: a\n          labels: {"app.kubernetes.io/name": x}\n');
  const doc = y.documents[0]!;

  it('formats paths like kubectl, quoting keys that are not identifiers', () => {
    expect(formatPath(['spec', 'template', 'spec', 'containers', 0, 'image'])).toBe('spec.template.spec.containers[0].image');
    expect(formatPath(['spec', 'images', 'nginx:1.25', 'startup'])).toBe('spec.images["nginx:1.25"].startup');
    expect(formatPath([])).toBe('');
  });

  it('maps a path to its node, a missing path to its nearest existing parent', () => {
    expect(positionOf(doc, ['spec', 'template', 'spec', 'containers', 0, 'name'])).toEqual({ line: 5, col: 17 });
    expect(positionOf(doc, ['spec', 'template', 'spec', 'containers', 0, 'labels', 'app.kubernetes.io/name'])).toEqual({ line: 6, col: 46 });
    expect(positionOf(doc, ['spec', 'template', 'spec', 'containers', 0, 'image'])).toEqual({ line: 5, col: 11 });
    expect(positionOf(doc, ['spec', 'template', 'spec', 'containers', 3, 'image'])).toEqual({ line: 5, col: 9 });
    expect(positionOf(doc, ['nothing', 'here'])).toEqual({ line: 1, col: 1 });
  });

  it('formats notes and position-less diagnostics', () => {
    expect(
      formatDiagnostics([
        { file: 'a.yaml', line: 3, col: 1, path: '', message: 'skipped ConfigMap/foo: kind not modelled yet', severity: 'note' },
        { file: 'deploy.yaml', line: 12, col: 9, path: 'spec.replicas', message: 'expected a non-negative integer, got -1', severity: 'error' },
        { file: 'gone.yaml', line: 0, col: 0, path: '', message: 'cannot read file: no such file or directory', severity: 'error' },
      ]),
    ).toBe(
      'a.yaml:3:1: note: skipped ConfigMap/foo: kind not modelled yet\ndeploy.yaml:12:9: spec.replicas: expected a non-negative integer, got -1\nkubesim: gone.yaml: cannot read file: no such file or directory',
    );
  });

  it('reports every syntax error of a file with its position and keeps the good documents', () => {
    const r = parseYaml('s.yaml', 'a: 1\n---\nb: [1\n---\nc: 3\n');
    expect(r.diagnostics.map(formatDiagnostic)).toEqual(['s.yaml:4:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]']);
    expect(r.documents.map((d) => d.value)).toEqual([{ a: 1 }, { c: 3 }]);
  });
});
