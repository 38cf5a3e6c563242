import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../../engine/scenario/fields.js';
import { kubernetesFieldTree, unknownKubernetesFields, UNKNOWN_FIELD } from '../../../engine/scenario/kubefields.js';
import { formatDiagnostic } from '../../../engine/scenario/diagnostics.js';
import { parseYaml, isRecord } from '../../../engine/scenario/yaml.js';

/**
 * The field names kubefields.ts knows per Kubernetes object level, checked against the API's own
 * type definitions (the `kubernetes-types` package, v1.30, generated from the Kubernetes OpenAPI
 * spec): every field the API has at a level is known (so a real manifest gets no note), and every
 * known field beyond v1.30 is listed here with the version that added it. A field missing from
 * kubefields.ts, or one it invents, fails this test.
 */

const require = createRequire(import.meta.url);
const TYPES = path.dirname(require.resolve('kubernetes-types/package.json'));

/** The field names of `interface name` in kubernetes-types/<file>.d.ts. */
function apiFields(file: string, name: string): string[] {
  const text = readFileSync(path.join(TYPES, `${file}.d.ts`), 'utf8');
  const body = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(text)?.[1];
  if (body === undefined) throw new Error(`no interface ${name} in ${file}`);
  return [...body.matchAll(/^ {4}(?:readonly )?([A-Za-z$_][\w$]*)\??:/gm)].map((m) => m[1]!).sort();
}

/** The known fields of the level at `at` (keys, and [] for a list's items) of a kind's tree. */
function knownAt(apiVersion: string, kind: string, at: readonly string[]): string[] {
  let node: JsonSchema | undefined = kubernetesFieldTree(apiVersion, kind);
  for (const seg of at) {
    if (node === undefined) break;
    node = seg === '[]' ? (node['items'] as JsonSchema | undefined) : ((node['properties'] as Record<string, JsonSchema> | undefined)?.[seg]);
  }
  const props = node?.['properties'] as Record<string, unknown> | undefined;
  if (props === undefined) throw new Error(`${kind} ${at.join('.')} is not a known level`);
  return Object.keys(props).sort();
}

/** Fields added to the API after kubernetes-types 1.30, with the Kubernetes version that added them. */
const NEWER: Record<string, Record<string, string>> = {
  PodSpec: { hostnameOverride: '1.34 (alpha)', resources: '1.32 (pod-level resources, alpha)' },
  Container: { restartPolicyRules: '1.34 (alpha)' },
  EphemeralContainer: { restartPolicyRules: '1.34 (alpha)' },
  Lifecycle: { stopSignal: '1.33 (alpha)' },
  HPAScalingRules: { tolerance: '1.33 (alpha)' },
};

const POD = ['spec', 'template', 'spec'];
const C = [...POD, 'containers', '[]'];
const LEVELS: Array<[string, string, string[], string, string]> = [
  ['apps/v1', 'Deployment', [], 'apps/v1', 'Deployment'],
  ['apps/v1', 'Deployment', ['metadata'], 'meta/v1', 'ObjectMeta'],
  ['apps/v1', 'Deployment', ['spec'], 'apps/v1', 'DeploymentSpec'],
  ['apps/v1', 'Deployment', ['spec', 'strategy'], 'apps/v1', 'DeploymentStrategy'],
  ['apps/v1', 'Deployment', ['spec', 'strategy', 'rollingUpdate'], 'apps/v1', 'RollingUpdateDeployment'],
  ['apps/v1', 'Deployment', ['spec', 'selector'], 'meta/v1', 'LabelSelector'],
  ['apps/v1', 'Deployment', ['spec', 'selector', 'matchExpressions', '[]'], 'meta/v1', 'LabelSelectorRequirement'],
  ['apps/v1', 'Deployment', ['spec', 'template'], 'core/v1', 'PodTemplateSpec'],
  ['apps/v1', 'Deployment', ['spec', 'template', 'metadata'], 'meta/v1', 'ObjectMeta'],
  ['apps/v1', 'Deployment', POD, 'core/v1', 'PodSpec'],
  ['apps/v1', 'Deployment', [...POD, 'tolerations', '[]'], 'core/v1', 'Toleration'],
  ['apps/v1', 'Deployment', C, 'core/v1', 'Container'],
  ['apps/v1', 'Deployment', [...POD, 'initContainers', '[]'], 'core/v1', 'Container'],
  ['apps/v1', 'Deployment', [...POD, 'ephemeralContainers', '[]'], 'core/v1', 'EphemeralContainer'],
  ['apps/v1', 'Deployment', [...C, 'ports', '[]'], 'core/v1', 'ContainerPort'],
  ['apps/v1', 'Deployment', [...C, 'resources'], 'core/v1', 'ResourceRequirements'],
  ['apps/v1', 'Deployment', [...C, 'readinessProbe'], 'core/v1', 'Probe'],
  ['apps/v1', 'Deployment', [...C, 'livenessProbe', 'exec'], 'core/v1', 'ExecAction'],
  ['apps/v1', 'Deployment', [...C, 'startupProbe', 'httpGet'], 'core/v1', 'HTTPGetAction'],
  ['apps/v1', 'Deployment', [...C, 'startupProbe', 'httpGet', 'httpHeaders', '[]'], 'core/v1', 'HTTPHeader'],
  ['apps/v1', 'Deployment', [...C, 'readinessProbe', 'tcpSocket'], 'core/v1', 'TCPSocketAction'],
  ['apps/v1', 'Deployment', [...C, 'readinessProbe', 'grpc'], 'core/v1', 'GRPCAction'],
  ['apps/v1', 'Deployment', [...C, 'lifecycle'], 'core/v1', 'Lifecycle'],
  ['apps/v1', 'Deployment', [...C, 'lifecycle', 'preStop'], 'core/v1', 'LifecycleHandler'],
  ['apps/v1', 'Deployment', [...C, 'lifecycle', 'postStart', 'sleep'], 'core/v1', 'SleepAction'],
  ['v1', 'Service', [], 'core/v1', 'Service'],
  ['v1', 'Service', ['spec'], 'core/v1', 'ServiceSpec'],
  ['v1', 'Service', ['spec', 'ports', '[]'], 'core/v1', 'ServicePort'],
  ['v1', 'Service', ['spec', 'sessionAffinityConfig'], 'core/v1', 'SessionAffinityConfig'],
  ['v1', 'Service', ['spec', 'sessionAffinityConfig', 'clientIP'], 'core/v1', 'ClientIPConfig'],
  ['policy/v1', 'PodDisruptionBudget', [], 'policy/v1', 'PodDisruptionBudget'],
  ['policy/v1', 'PodDisruptionBudget', ['spec'], 'policy/v1', 'PodDisruptionBudgetSpec'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', [], 'autoscaling/v2', 'HorizontalPodAutoscaler'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', ['spec'], 'autoscaling/v2', 'HorizontalPodAutoscalerSpec'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', ['spec', 'scaleTargetRef'], 'autoscaling/v2', 'CrossVersionObjectReference'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', ['spec', 'metrics', '[]'], 'autoscaling/v2', 'MetricSpec'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', ['spec', 'metrics', '[]', 'resource'], 'autoscaling/v2', 'ResourceMetricSource'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', ['spec', 'metrics', '[]', 'containerResource'], 'autoscaling/v2', 'ContainerResourceMetricSource'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', ['spec', 'metrics', '[]', 'resource', 'target'], 'autoscaling/v2', 'MetricTarget'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', ['spec', 'behavior'], 'autoscaling/v2', 'HorizontalPodAutoscalerBehavior'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', ['spec', 'behavior', 'scaleUp'], 'autoscaling/v2', 'HPAScalingRules'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', ['spec', 'behavior', 'scaleDown', 'policies', '[]'], 'autoscaling/v2', 'HPAScalingPolicy'],
  ['autoscaling/v1', 'HorizontalPodAutoscaler', ['spec'], 'autoscaling/v1', 'HorizontalPodAutoscalerSpec'],
  ['autoscaling/v1', 'HorizontalPodAutoscaler', ['spec', 'scaleTargetRef'], 'autoscaling/v1', 'CrossVersionObjectReference'],
  ['argoproj.io/v1alpha1', 'Rollout', ['spec', 'template', 'spec'], 'core/v1', 'PodSpec'],
  ['argoproj.io/v1alpha1', 'Rollout', ['spec', 'selector'], 'meta/v1', 'LabelSelector'],
];

describe('the known Kubernetes fields match the API types (kubernetes-types 1.30 and the versions after it)', () => {
  it.each(LEVELS)('%s %s %j is %s %s', (apiVersion, kind, at, file, name) => {
    const known = knownAt(apiVersion, kind, at);
    const api = apiFields(file, name);
    expect(api.filter((f) => !known.includes(f)), 'fields of the API that would be noted as unknown').toEqual([]);
    expect(known.filter((f) => !api.includes(f)).sort(), 'fields not in the API types (list them in NEWER with their version)').toEqual(Object.keys(NEWER[name] ?? {}).sort());
  });
});

function notesOf(text: string): string[] {
  const y = parseYaml('m.yaml', text);
  return y.documents.flatMap((doc) => {
    const v = doc.value;
    if (!isRecord(v) || typeof v['apiVersion'] !== 'string' || typeof v['kind'] !== 'string') return [];
    return unknownKubernetesFields(doc, [], v, v['apiVersion'], v['kind']).map(formatDiagnostic);
  });
}

describe('notes for fields the API does not have', () => {
  it('at the key, with the path, the kind and a suggestion; nothing below levels that are not looked into', () => {
    const text = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: web, annotation: {a: b}}',
      'spec:',
      '  selector: {matchLabels: {app: web}}',
      '  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailble: 0}}',
      '  template:',
      '    metadata: {labels: {app: web, constructor: x}}',
      '    spec:',
      '      affinity: {nodeAffinity: {whatever: 1}}',
      '      containers:',
      '      - name: c',
      '        image: nginx',
      '        env: [{name: A, valu: b}]',
      '        lifecycle: {preStop: {sleep: {second: 5}}}',
      'status: {anything: 1}',
    ].join('\n');
    expect(notesOf(text)).toEqual([
      'm.yaml:3:23: note: metadata.annotation: not a field of apps/v1 Deployment (the API server drops it); did you mean "annotations"?',
      'm.yaml:6:43: note: spec.strategy.rollingUpdate.maxUnavailble: not a field of apps/v1 Deployment (the API server drops it); did you mean "maxUnavailable"?',
      'm.yaml:15:39: note: spec.template.spec.containers[0].lifecycle.preStop.sleep.second: not a field of apps/v1 Deployment (the API server drops it); did you mean "seconds"?',
    ]);
  });

  it('for Services, HPAs, PDBs and Argo kinds; none for kinds not modelled', () => {
    expect(notesOf('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80, targetport: 80}]}\n')).toEqual([
      'm.yaml:4:27: note: spec.ports[0].targetport: not a field of v1 Service (the API server drops it); did you mean "targetPort"?',
    ]);
    expect(notesOf('apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec: {minAvaliable: 1}\n')[0]).toContain('spec.minAvaliable: not a field of policy/v1 PodDisruptionBudget');
    expect(notesOf('apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec: {maxReplicas: 3, behavior: {scaleUp: {stabilisationWindowSeconds: 0}}}\n')[0]).toContain('did you mean "stabilizationWindowSeconds"?');
    expect(notesOf('apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec: {strategy: {canary: {steps: [{setWieght: 20}], trafficRouting: {anything: {}}}}}\n')[0]).toContain('spec.strategy.canary.steps[0].setWieght: not a field of argoproj.io/v1alpha1 Rollout');
    expect(notesOf('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, nmae: x}\ndata: {a: b}\n')).toEqual([]);
  });

  it('carry the unknown-field code (what --strict turns into errors), and at most 20 per object', () => {
    const y = parseYaml('m.yaml', `apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {${Array.from({ length: 30 }, (_, i) => `x${i}: 1`).join(', ')}}\n`);
    const notes = unknownKubernetesFields(y.documents[0]!, [], y.documents[0]!.value as Record<string, unknown>, 'v1', 'Service');
    expect(notes).toHaveLength(20);
    expect(notes.every((n) => n.code === UNKNOWN_FIELD && n.severity === 'note')).toBe(true);
  });
});

// The shared corpus of real manifests (../shared/corpus): none of their fields is unknown to the API.
const corpus = path.resolve(process.cwd(), '../shared/corpus');
const corpusFiles = existsSync(corpus) ? readdirSync(corpus).filter((f) => f.endsWith('.yaml')).sort() : [];
describe.skipIf(corpusFiles.length === 0)('the real-manifest corpus (skipped: ../shared/corpus is not present beside the repository)', () => {
  it.each(corpusFiles)('%s: no note about unknown fields', (file) => {
    const y = parseYaml(file, readFileSync(path.join(corpus, file), 'utf8'));
    const notes = y.documents.flatMap((doc) => {
      const v = doc.value;
      const items = isRecord(v) && v['kind'] === 'List' && Array.isArray(v['items']) ? v['items'].map((item, i) => [item, ['items', i]] as const) : [[v, []] as const];
      return items.flatMap(([o, base]) =>
        isRecord(o) && typeof o['apiVersion'] === 'string' && typeof o['kind'] === 'string' ? unknownKubernetesFields(doc, [...base], o, o['apiVersion'], o['kind']) : [],
      );
    });
    expect(notes.map(formatDiagnostic)).toEqual([]);
  });

  it('holds objects of the checked kinds (so the test above looks at something)', () => {
    const kinds = new Set(corpusFiles.flatMap((f) => [...readFileSync(path.join(corpus, f), 'utf8').matchAll(/^kind: (\w+)/gm)].map((m) => m[1]!)));
    for (const k of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Rollout']) expect(kinds).toContain(k);
  });
});
