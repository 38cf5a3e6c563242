import { matchesSelector, type LabelSelector } from '../cluster/objects.js';
import type { Diagnostic } from './diagnostics.js';
import type { LoadedDeployment, LoadedService } from './manifests.js';
import type { ScenarioSpec } from './schema.js';
import type { LoadedRollout } from './workloads.js';
import { diagnosticAt, valueAt, type PathSegment, type YamlDocument } from './yaml.js';

/**
 * Notes, not silence, when part of a scenario can do nothing useful — checks that are cheap and
 * certain from the manifests and the Scenario alone (they are notes: the exit code does not change):
 *
 * - a Service whose selector matches the pod template of no Deployment or Rollout in its namespace
 *   (its traffic can only fail: no endpoints);
 * - a Deployment or Rollout no traffic reaches: no Service selects its pods, or none of the Services
 *   that do is the target of a traffic entry (its pods run and serve 0 requests);
 * - a Service whose named targetPort no container of the pods it selects declares (Kubernetes
 *   publishes no endpoint for such pods), or whose numeric targetPort is not among ports the
 *   containers do declare (Kubernetes routes there anyway: containerPort is informational);
 * - a scenario that sends no requests at all;
 * - a timeline action at the very end of the run (`at` equal to the duration: it never fires; later
 *   than the duration is an error of the schema).
 */

/** Where the objects were written: their documents and paths, for positions. */
export interface Placed<T> {
  object: T;
  doc: YamlDocument;
  base: PathSegment[];
}

export interface UsefulnessInput {
  spec: ScenarioSpec;
  deployments: ReadonlyArray<Placed<LoadedDeployment>>;
  rollouts: ReadonlyArray<Placed<LoadedRollout>>;
  services: ReadonlyArray<Placed<LoadedService>>;
  /** The Scenario document (undefined for bare manifests: the default traffic goes to every Service). */
  scenario?: { doc: YamlDocument; base: PathSegment[] } | undefined;
  /** spec.traffic was written (not the default of one entry per Service). */
  trafficWritten: boolean;
  /** The first file of a bare scenario (for a note about the scenario as a whole). */
  file: string;
}

type Workload = { kind: 'deployment' | 'rollout'; placed: Placed<LoadedDeployment> | Placed<LoadedRollout> };

export function usefulnessNotes(input: UsefulnessInput): Diagnostic[] {
  const notes: Diagnostic[] = [];
  const note = (p: Placed<unknown>, at: PathSegment[], message: string) => notes.push(diagnosticAt(p.doc, [...p.base, ...at], message, 'note'));
  const workloads: Workload[] = [
    ...input.deployments.map((placed): Workload => ({ kind: 'deployment', placed })),
    ...input.rollouts.map((placed): Workload => ({ kind: 'rollout', placed })),
  ];
  const templateLabels = (w: Workload) => w.placed.object.spec.template.metadata.labels;
  const selects = (s: LoadedService, w: Workload) => s.metadata.namespace === w.placed.object.metadata.namespace && selectsLabels(s.spec.selector, templateLabels(w));
  const selecting = input.services.filter((s) => s.object.spec.type !== 'ExternalName' && Object.keys(s.object.spec.selector ?? {}).length > 0);
  const targeted = (s: LoadedService) =>
    input.spec.traffic.some((t) => t.service === s.metadata.name && (t.namespace === undefined || t.namespace === s.metadata.namespace));

  for (const s of selecting) {
    const svc = s.object;
    const backends = workloads.filter((w) => selects(svc, w));
    if (backends.length === 0) {
      const selector = Object.entries(svc.spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
      const why = targeted(svc) ? 'its traffic fails with no_endpoints' : 'it has no endpoints';
      note(s, ['spec', 'selector'], `Service ${svc.metadata.name} selects ${selector}, which matches the pod template of no Deployment or Rollout in namespace ${JSON.stringify(svc.metadata.namespace)}: ${why}`);
      continue;
    }
    svc.spec.ports.forEach((port, i) => {
      const target = port.targetPort ?? port.port;
      const containers = backends.flatMap((w) => w.placed.object.spec.template.spec.containers);
      const declared = containers.flatMap((c) => c.ports ?? []);
      if (typeof target === 'string') {
        if (!declared.some((p) => p.name === target)) {
          note(s, ['spec', 'ports', i, 'targetPort'], `no container of the pods Service ${svc.metadata.name} selects declares a port named ${JSON.stringify(target)}: Kubernetes publishes no endpoint for such pods (kubesim routes to port ${port.port} anyway)`);
        }
      } else if (declared.length > 0 && !declared.some((p) => p.containerPort === target)) {
        note(s, ['spec', 'ports', i, valueAt(s.doc.value, [...s.base, 'spec', 'ports', i, 'targetPort']) === undefined ? 'port' : 'targetPort'], `Service ${svc.metadata.name} sends to port ${target}, which no container of the pods it selects declares (they declare ${[...new Set(declared.map((p) => p.containerPort))].join(', ')}); Kubernetes routes there anyway (containerPort is informational): check the app listens on ${target}`);
      }
    });
  }

  if (input.spec.traffic.length > 0) {
    for (const w of workloads) {
      const o = w.placed.object;
      if (o.spec.replicas === 0) continue;
      const by = selecting.filter((s) => selects(s.object, w));
      const what = `${w.kind}/${o.metadata.name}`;
      if (by.length === 0) {
        note(w.placed, ['metadata', 'name'], `no Service selects the pods of ${what}: no traffic reaches it (its pods run and serve 0 requests)`);
      } else if (!by.some((s) => targeted(s.object))) {
        const names = by.map((s) => s.object.metadata.name).join(', ');
        note(w.placed, ['metadata', 'name'], `no traffic entry sends to ${by.length === 1 ? `Service ${names}` : `Services ${names}`}, which ${by.length === 1 ? 'selects' : 'select'} the pods of ${what}: it serves 0 requests`);
      }
    }
  } else {
    const names = workloads.map((w) => `${w.kind}/${w.placed.object.metadata.name}`);
    const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')}, …` : names.join(', ');
    const message =
      input.scenario !== undefined && input.trafficWritten
        ? 'the scenario sends no requests (spec.traffic is empty)'
        : names.length === 0
          ? 'nothing to simulate: no Deployment or Rollout, and no Service that selects pods'
          : `no Service selects the pods of ${shown}, so the default traffic (one entry per Service that selects pods) sends no requests: add a Service, or ${input.scenario === undefined ? 'a Scenario with traffic' : 'spec.traffic'}`;
    // at the Scenario's spec.traffic, else at the first workload's name (else about the input as a whole)
    const first = workloads[0]?.placed;
    if (input.scenario !== undefined) notes.push(diagnosticAt(input.scenario.doc, [...input.scenario.base, 'spec', 'traffic'], message, 'note'));
    else if (first !== undefined) note(first, ['metadata', 'name'], message);
    else notes.push({ file: input.file, line: 0, col: 0, path: '', message, severity: 'note' });
  }

  if (input.scenario !== undefined) {
    const { doc, base } = input.scenario;
    input.spec.timeline.forEach((a, i) => {
      if (a.repeat === undefined && a.at === input.spec.duration) {
        notes.push(diagnosticAt(doc, [...base, 'spec', 'timeline', i, 'at'], `at the end of the run (duration ${a.at}s): this action never fires; give it an earlier time or a longer duration`, 'note'));
      }
    });
  }
  return notes;
}

function selectsLabels(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  const s: LabelSelector = { matchLabels: selector ?? {} };
  return matchesSelector(s, labels);
}
