import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../engine/scenario/diagnostics.js';
import { loadScenarioFiles } from '../../../engine/scenario/load.js';
import { expandScenarios } from '../../../engine/run/run.js';

/**
 * Notes, not silence, when part of a scenario does nothing useful (engine/scenario/usefulness.ts).
 * Each case is a small scenario read as standard input; the note's position and wording are checked,
 * and every note is a note (loading succeeds: the exit code does not change).
 */

const deployment = (name: string, labels: string, ports = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 2
  selector: {matchLabels: {${labels}}}
  template:
    metadata: {labels: {${labels}}}
    spec:
      containers: [{name: app, image: app:1${ports}}]
`;
const service = (name: string, selector: string, ports = '[{port: 80}]') => `apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  selector: {${selector}}
  ports: ${ports}
`;
const scenario = (spec: string) => `apiVersion: kubesim.dev/v1alpha1
kind: Scenario
metadata: {name: s}
spec:
  duration: 60s
${spec}`;

const notesOf = (...docs: string[]) => loadScenarioFiles(['-'], { stdin: docs.join('---\n') }).notes.map(formatDiagnostic);

describe('notes when a scenario does nothing useful', () => {
  it('a Deployment with no Service (bare manifests): the run would send no requests', () => {
    expect(notesOf(deployment('web', 'app: web'))).toEqual([
      '<stdin>:3:18: note: metadata.name: no Service selects the pods of deployment/web, so the default traffic (one entry per Service that selects pods) sends no requests: add a Service, or a Scenario with traffic',
    ]);
  });

  it('a Deployment no Service selects, beside one that serves the traffic', () => {
    expect(notesOf(deployment('web', 'app: web'), service('web', 'app: web'), deployment('worker', 'app: worker'))).toEqual([
      '<stdin>:21:18: note: metadata.name: no Service selects the pods of deployment/worker: no traffic reaches it (its pods run and serve 0 requests)',
    ]);
  });

  it('a Deployment whose Service no traffic entry targets', () => {
    const notes = notesOf(deployment('web', 'app: web'), service('web', 'app: web'), deployment('api', 'app: api'), service('api', 'app: api'), scenario('  traffic: [{name: web, service: web, rate: 10/s}]\n'));
    expect(notes).toEqual(['<stdin>:21:18: note: metadata.name: no traffic entry sends to Service api, which selects the pods of deployment/api: it serves 0 requests']);
  });

  it('a Service whose selector matches no pod template (a typo in a label)', () => {
    const notes = notesOf(deployment('web', 'app: web'), service('web', 'app: wbe'), scenario('  traffic: [{name: web, service: web, rate: 10/s}]\n'));
    expect(notes).toEqual([
      '<stdin>:3:18: note: metadata.name: no Service selects the pods of deployment/web: no traffic reaches it (its pods run and serve 0 requests)',
      '<stdin>:16:13: note: spec.selector: Service web selects app=wbe, which matches the pod template of no Deployment or Rollout in namespace "default": its traffic fails with no_endpoints',
    ]);
  });

  it('a named targetPort no container declares, and a numeric one outside the declared ports', () => {
    const named = notesOf(deployment('web', 'app: web', ', ports: [{containerPort: 8080, name: web}]'), service('web', 'app: web', '[{port: 80, targetPort: http}]'));
    expect(named).toEqual([
      '<stdin>:17:34: note: spec.ports[0].targetPort: no container of the pods Service web selects declares a port named "http": Kubernetes publishes no endpoint for such pods (kubesim routes to port 80 anyway)',
    ]);
    const numeric = notesOf(deployment('web', 'app: web', ', ports: [{containerPort: 8080}]'), service('web', 'app: web', '[{port: 80}]'));
    expect(numeric).toEqual([
      '<stdin>:17:18: note: spec.ports[0].port: Service web sends to port 80, which no container of the pods it selects declares (they declare 8080); Kubernetes routes there anyway (containerPort is informational): check the app listens on 80',
    ]);
    // declared and matching, by number or by name: no note
    expect(notesOf(deployment('web', 'app: web', ', ports: [{containerPort: 8080, name: http}]'), service('web', 'app: web', '[{port: 80, targetPort: http}]'))).toEqual([]);
    expect(notesOf(deployment('web', 'app: web', ', ports: [{containerPort: 8080}]'), service('web', 'app: web', '[{port: 80, targetPort: 8080}]'))).toEqual([]);
    // no ports declared at all (common): nothing to compare with
    expect(notesOf(deployment('web', 'app: web'), service('web', 'app: web', '[{port: 80, targetPort: 8080}]'))).toEqual([]);
  });

  it('a timeline action at the end of the run never fires (later than the end is an error)', () => {
    const notes = notesOf(deployment('web', 'app: web'), service('web', 'app: web'), scenario('  timeline: [{at: 60s, action: scale, target: deployment/web, replicas: 3}, {at: 30s, action: scale, target: deployment/web, replicas: 4}]\n'));
    expect(notes).toEqual(['<stdin>:24:19: note: spec.timeline[0].at: at the end of the run (duration 60s): this action never fires; give it an earlier time or a longer duration']);
  });

  it('an empty spec.traffic, and a Scenario whose default traffic finds no Service', () => {
    expect(notesOf(deployment('web', 'app: web'), service('web', 'app: web'), scenario('  traffic: []\n'))).toEqual(['<stdin>:24:12: note: spec.traffic: the scenario sends no requests (spec.traffic is empty)']);
    expect(notesOf(deployment('web', 'app: web'), scenario('  seed: 2\n'))).toEqual([
      '<stdin>:16:3: note: spec.traffic: no Service selects the pods of deployment/web, so the default traffic (one entry per Service that selects pods) sends no requests: add a Service, or spec.traffic',
    ]);
  });

  it('a Deployment scaled to 0, a Service without a selector (ExternalName, manual endpoints): no note', () => {
    const zero = deployment('web', 'app: web').replace('replicas: 2', 'replicas: 0');
    const external = 'apiVersion: v1\nkind: Service\nmetadata: {name: ext}\nspec: {type: ExternalName, externalName: example.com}\n';
    const manual = 'apiVersion: v1\nkind: Service\nmetadata: {name: manual}\nspec: {ports: [{port: 80}]}\n';
    expect(notesOf(zero, service('web', 'app: web'), external, manual, deployment('api', 'app: api'), service('api', 'app: api'))).toEqual([]);
  });
});

describe('the examples in scenarios/ do nothing useless', () => {
  // compare-strategies runs a Deployment and a Rollout side by side and sends the traffic to one per
  // variant: the baseline's Rollout (and the Argo variants' Deployment) serving nothing is intended.
  const intended: Record<string, string[]> = {
    'compare-strategies.yaml': [
      'scenarios/compare-strategies.yaml:11:18: note: metadata.name: no traffic entry sends to Service shop, which selects the pods of deployment/shop: it serves 0 requests',
      'scenarios/compare-strategies.yaml:34:18: note: metadata.name: no traffic entry sends to Service shop-rollout, which selects the pods of rollout/shop-rollout: it serves 0 requests',
    ],
  };
  const files = readdirSync('scenarios').filter((f) => f.endsWith('.yaml')).sort();

  it.each(files)('%s', (file) => {
    const { scenarios, notes } = loadScenarioFiles([`scenarios/${file}`]);
    const variantNotes = expandScenarios(scenarios).flatMap((e) => e.notes);
    const mine = [...notes, ...variantNotes].map(formatDiagnostic).filter((n) => !n.includes('no container or set-image action uses this image'));
    expect([...new Set(mine)].sort()).toEqual(intended[file] ?? []);
  });
});
