import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, ScenarioError } from '../../../engine/scenario/diagnostics.js';
import type { FileOptions } from '../../../engine/scenario/files.js';
import { loadScenarioFiles } from '../../../engine/scenario/load.js';

/**
 * `-` as an input: standard input (FileOptions.stdin) read as a multi-document stream, named
 * `<stdin>` in diagnostics, mixed with files. The fixtures are what `helm template`, `kustomize build`
 * and `kubectl get -o yaml` print, server-set fields and all.
 */

const FIX = 'test/fixtures/stdin';
const text = (name: string) => readFileSync(path.join(FIX, name), 'utf8');
const load = (paths: string[], stdin: string, options: FileOptions = {}) => loadScenarioFiles(paths, { ...options, stdin });

function errorsOf(paths: string[], stdin: string, options: FileOptions = {}): string[] {
  try {
    load(paths, stdin, options);
  } catch (e) {
    if (e instanceof ScenarioError) return e.diagnostics.map(formatDiagnostic);
    throw e;
  }
  throw new Error('expected the load to fail');
}

describe('helm template output on standard input', () => {
  const { scenarios, notes } = load(['-'], text('helm-template.yaml'));
  const s = scenarios[0]!;

  it('is one bare scenario named stdin, read from <stdin>', () => {
    expect(scenarios).toHaveLength(1);
    expect(s).toMatchObject({ name: 'stdin', file: '<stdin>', files: ['<stdin>'], bare: true });
    expect(s.deployments.map((d) => d.metadata.name)).toEqual(['web']);
    expect(s.services.map((x) => x.metadata.name)).toEqual(['web']);
    expect(s.spec.traffic.map((t) => t.service)).toEqual(['web']);
  });

  it('skips the kinds it does not model with one note each, positioned in the stream; empty and comment-only documents are nothing', () => {
    expect(notes.map(formatDiagnostic)).toEqual([
      '<stdin>:4:7: note: skipped NetworkPolicy/web: kind not modelled yet',
      '<stdin>:26:7: note: skipped ServiceAccount/web: kind not modelled yet',
      '<stdin>:39:7: note: skipped Secret/web: kind not modelled yet',
      '<stdin>:51:7: note: skipped ConfigMap/web: kind not modelled yet',
      '<stdin>:148:7: note: skipped Ingress/web: kind not modelled yet',
      '<stdin>:170:7: note: skipped Pod/web-test-connection: a Helm test hook (helm.sh/hook: test), not part of the release',
    ]);
  });

  it('reads the Deployment as Helm rendered it: named ports, probes, replicas', () => {
    const d = s.deployments[0]!;
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.containers[0]).toMatchObject({ image: 'nginx:1.16.0', readinessProbe: { httpGet: { path: '/', port: 'http' } } });
    expect(s.services[0]!.spec.ports[0]).toMatchObject({ port: 80, targetPort: 'http', name: 'http' });
  });
});

describe('kustomize build output on standard input', () => {
  const { scenarios, notes } = load(['-'], text('kustomize-build.yaml'));
  const s = scenarios[0]!;

  it('keeps the namespace set on every object, and the traffic goes to it', () => {
    expect(s.deployments.map((d) => `${d.metadata.namespace}/${d.metadata.name}`)).toEqual(['staging/staging-shop']);
    expect(s.pdbs.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['staging/staging-shop']);
    expect(s.spec.traffic).toMatchObject([{ name: 'staging-shop', service: 'staging-shop', namespace: 'staging' }]);
    expect(s.deployments[0]!.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(notes.map(formatDiagnostic)).toEqual(['<stdin>:4:7: note: skipped ConfigMap/shop-config-6ct58987ht: kind not modelled yet']);
  });
});

describe('kubectl get -o yaml: a List with every server-set field', () => {
  const { scenarios, notes } = load(['-'], text('kubectl-list.yaml'));
  const s = scenarios[0]!;

  it('the Deployment is the source; its ReplicaSet and Pods are not duplicated, each skipped with its owner', () => {
    expect(s.deployments.map((d) => d.metadata.name)).toEqual(['web']);
    expect(s.deployments[0]!.spec.replicas).toBe(2);
    // status, managedFields, uid and resourceVersion of the API server are not read: the run starts from spec
    expect(s.deployments[0]!.status).toMatchObject({ replicas: 0, availableReplicas: 0, observedGeneration: 0 });
    expect(s.deployments[0]!.metadata.generation).toBe(1);
    expect(notes.map(formatDiagnostic)).toEqual([
      "<stdin>:123:9: note: items[1]: skipped ReplicaSet/web-7c5ddbdf54: owned by Deployment/web (kubesim's controllers create their own ReplicaSets and Pods from the Deployment or Rollout)",
      "<stdin>:177:9: note: items[2]: skipped Pod/web-7c5ddbdf54-4xk9q: owned by ReplicaSet/web-7c5ddbdf54 (kubesim's controllers create their own ReplicaSets and Pods from the Deployment or Rollout)",
      "<stdin>:284:9: note: items[3]: skipped Pod/web-7c5ddbdf54-m8r2t: owned by ReplicaSet/web-7c5ddbdf54 (kubesim's controllers create their own ReplicaSets and Pods from the Deployment or Rollout)",
    ]);
  });

  it('the kubernetes Service (no selector) gets no default traffic; web does', () => {
    expect(s.services.map((x) => x.metadata.name)).toEqual(['kubernetes', 'web']);
    expect(s.spec.traffic.map((t) => t.service)).toEqual(['web']);
  });
});

describe('mixed with files', () => {
  it('piped manifests are the manifests of the Scenario file given with them', () => {
    const { scenarios } = load([`${FIX}/piped-scenario.yaml`, '-'], text('helm-template.yaml'));
    expect(scenarios.map((s) => s.name)).toEqual(['piped-rollout']);
    const s = scenarios[0]!;
    expect(s.files).toEqual([`${FIX}/piped-scenario.yaml`, '<stdin>']);
    expect(s.deployments.map((d) => d.metadata.name)).toEqual(['web']);
    expect(s.spec.timeline).toMatchObject([{ action: 'set-image', target: { kind: 'deployment', name: 'web' } }]);
  });

  it('the order on the command line does not matter', () => {
    const a = load([`${FIX}/piped-scenario.yaml`, '-'], text('helm-template.yaml')).scenarios[0]!;
    const b = load(['-', `${FIX}/piped-scenario.yaml`], text('helm-template.yaml')).scenarios[0]!;
    expect(b.deployments).toEqual(a.deployments);
    expect(b.name).toBe(a.name);
  });

  it('an object defined in both is a duplicate, with both positions', () => {
    expect(errorsOf(['test/fixtures/scenario/scenario.yaml', '-'], text('kubectl-list.yaml').replace(/name: web\n    namespace: default\n    resourceVersion: "48240"/, 'name: web-app\n    namespace: default\n    resourceVersion: "48240"'))).toEqual([
      expect.stringMatching(/^<stdin>:\d+:11: items\[0\]\.metadata\.name: duplicate Deployment default\/web-app \(first defined at test\/fixtures\/scenario\/web\.yaml:\d+:\d+\)$/),
    ]);
  });

  it('bare files and piped manifests without a Scenario form one cluster', () => {
    const { scenarios } = load(['test/fixtures/scenario/web.yaml', '-'], text('kustomize-build.yaml'));
    expect(scenarios.map((s) => s.name)).toEqual(['manifests']);
    expect(scenarios[0]!.files).toEqual(['test/fixtures/scenario/web.yaml', '<stdin>']);
  });

  it('- given twice is read once', () => {
    const { scenarios } = load(['-', '-'], text('helm-template.yaml'));
    expect(scenarios).toHaveLength(1);
    expect(scenarios[0]!.files).toEqual(['<stdin>']);
  });
});

describe('a Scenario read from standard input', () => {
  const scenario = (manifests: string) => `apiVersion: kubesim.dev/v1alpha1
kind: Scenario
metadata: {name: from-stdin}
spec:
  manifests: [${manifests}]
  duration: 30s
  traffic:
    - {name: web, service: web-service, rate: 10/s}
`;

  it('names files relative to the current folder', () => {
    const s = load(['-'], scenario('test/fixtures/scenario/web.yaml')).scenarios[0]!;
    expect(s).toMatchObject({ name: 'from-stdin', file: '<stdin>', files: ['<stdin>', 'test/fixtures/scenario/web.yaml'], bare: false });
    expect(s.deployments.map((d) => d.metadata.name)).toEqual(['web-app']);
  });

  it('may not read outside the current folder without --allow-outside', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kubesim-stdin-'));
    try {
      const outside = path.relative(process.cwd(), path.join(dir, 'web.yaml'));
      copyFileSync('test/fixtures/scenario/web.yaml', outside);
      expect(errorsOf(['-'], scenario(outside))).toEqual([
        `<stdin>:5:15: spec.manifests[0]: ${outside} is outside the current folder; a scenario read from standard input may read only files in the current folder (pass --allow-outside to permit it)`,
        expect.stringContaining('<stdin>:8:28: spec.traffic[0].service: unknown Service "web-service"'),
      ]);
      expect(load(['-'], scenario(outside), { allowOutside: true }).scenarios[0]!.deployments.map((d) => d.metadata.name)).toEqual(['web-app']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('errors carry <stdin>:line:col and the field path', () => {
    const bad = text('kustomize-build.yaml').replace('replicas: 2', 'replicas: -2');
    expect(errorsOf(['-'], bad)).toEqual(['<stdin>:38:13: spec.replicas: expected a non-negative integer, got -2']);
    expect(errorsOf(['-'], 'apiVersion: v1\nkind: Service\nmetadata: {name: x\n')).toEqual([expect.stringMatching(/^<stdin>:\d+:\d+: YAML syntax error: /)]);
  });

  it('an empty stream is no error, and no scenario with anything to run', () => {
    const { scenarios } = load(['-'], '# nothing rendered\n---\n');
    expect(scenarios).toHaveLength(1);
    expect(scenarios[0]!.deployments).toEqual([]);
  });
});

// The shared corpus of real manifests lives beside the repository (../shared/corpus); never copied here.
const corpus = path.resolve(process.cwd(), '../shared/corpus');
const corpusFiles = existsSync(corpus) ? readdirSync(corpus).filter((f) => f.endsWith('.yaml')).sort() : [];

describe.skipIf(!existsSync(corpus))('the real-manifest corpus piped (skipped: ../shared/corpus is not present beside the repository)', () => {
  it.each(corpusFiles)('%s reads the same from standard input as from its file', (file) => {
    const fromFile = loadScenarioFiles([path.join(corpus, file)]).scenarios[0]!;
    const fromStdin = load(['-'], readFileSync(path.join(corpus, file), 'utf8')).scenarios[0]!;
    expect(fromStdin.deployments).toEqual(fromFile.deployments);
    expect(fromStdin.services).toEqual(fromFile.services);
    expect(fromStdin.notes.map((n) => n.message)).toEqual(fromFile.notes.map((n) => n.message));
  });
});
