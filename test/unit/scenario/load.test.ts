import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultBehavior } from '../../../engine/behavior/profile.js';
import { formatDiagnostic, ScenarioError } from '../../../engine/scenario/diagnostics.js';
import { loadScenarioFiles, scenarioJsonSchema } from '../../../engine/scenario/load.js';

const FIX = 'test/fixtures/scenario';
const fx = (name: string) => `${FIX}/${name}`;

/** Distributions hold closures; compare what they are (kind, mean, variance). */
const plain = (v: unknown) => JSON.parse(JSON.stringify(v, (_, x) => (x === Infinity ? 'Infinity' : x))) as unknown;

function errorsOf(paths: string[]): string[] {
  try {
    loadScenarioFiles(paths, { allowOutside: true });
  } catch (e) {
    if (e instanceof ScenarioError) return e.diagnostics.map(formatDiagnostic);
    throw e;
  }
  throw new Error(`expected ${paths.join(', ')} to fail`);
}

describe('bad input: every error names file:line:col, the path and what was expected', () => {
  it.each([
    [
      'malformed YAML',
      'bad/malformed.yaml',
      [`${FIX}/bad/malformed.yaml:7:3: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]`],
    ],
    ['wrong type', 'bad/wrong-type.yaml', [`${FIX}/bad/wrong-type.yaml:6:13: spec.replicas: expected a non-negative integer, got "three"`]],
    ['negative replicas', 'bad/negative-replicas.yaml', [`${FIX}/bad/negative-replicas.yaml:6:13: spec.replicas: expected a non-negative integer, got -1`]],
    [
      'selector that matches no template',
      'bad/selector-mismatch.yaml',
      [`${FIX}/bad/selector-mismatch.yaml:10:15: spec.template.metadata.labels: selector does not match template labels`],
    ],
    [
      'traffic naming an unknown Service',
      'bad/unknown-service.yaml',
      [`${FIX}/bad/unknown-service.yaml:7:17: spec.traffic[0].service: unknown Service "web-svc"; the manifests define web-service`],
    ],
    [
      'unknown timeline action',
      'bad/unknown-action.yaml',
      [
        `${FIX}/bad/unknown-action.yaml:8:15: spec.timeline[0].action: unknown timeline action "explode"; expected one of set-image, delete-pod, scale, rollout-undo, rollout-pause, rollout-resume, fail-node, drain-node, set-rate, rollout-restart, restart, promote, abort, retry`,
      ],
    ],
    [
      'unknown targets and container',
      'bad/unknown-target.yaml',
      [
        `${FIX}/bad/unknown-target.yaml:7:40: spec.timeline[0].target: unknown Deployment "web"; the manifests define web-app`,
        `${FIX}/bad/unknown-target.yaml:8:44: spec.timeline[1].target: unknown node "node-9"; the cluster has node-1, node-2, node-3`,
        `${FIX}/bad/unknown-target.yaml:9:71: spec.timeline[2].image: Deployment web-app has no container "nginxx"; its containers: nginx`,
      ],
    ],
    [
      'missing file in spec.manifests',
      'bad/missing-manifest.yaml',
      [`${FIX}/bad/missing-manifest.yaml:7:7: spec.manifests[1]: cannot read ${path.join(FIX, 'bad', 'nope.yaml')}: no such file or directory`],
    ],
  ])('%s', (_, file, expected) => {
    expect(errorsOf([fx(file)])).toEqual(expected);
  });

  it('a missing file on the command line', () => {
    expect(errorsOf([fx('nope.yaml')])).toEqual([`kubesim: ${FIX}/nope.yaml: cannot read file: no such file or directory`]);
  });

  it('reports ALL errors, sorted by file, line and column, in one ScenarioError', () => {
    let error: unknown;
    try {
      loadScenarioFiles([fx('bad/wrong-type.yaml'), fx('bad/many-errors.yaml'), fx('bad/negative-replicas.yaml'), fx('nope.yaml')]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    const e = error as ScenarioError;
    const lines = e.diagnostics.map(formatDiagnostic);
    expect(lines).toEqual([
      `${FIX}/bad/many-errors.yaml:10:50: spec.strategy.rollingUpdate.maxUnavailable: may not be 0 when maxSurge is 0`,
      `${FIX}/bad/many-errors.yaml:15:36: spec.template.metadata.labels.version: expected a string (quote values like "1" or "true"), got 1`,
      `${FIX}/bad/many-errors.yaml:17:22: spec.template.spec.restartPolicy: unsupported value "Never": a Deployment's pod template allows only "Always"`,
      `${FIX}/bad/many-errors.yaml:19:11: spec.template.spec.containers[0].image: missing required field; expected a container image like nginx:1.25`,
      `${FIX}/bad/many-errors.yaml:20:35: spec.template.spec.containers[0].ports[0].containerPort: expected a port number between 1 and 65535, got 70000`,
      `${FIX}/bad/many-errors.yaml:22:29: spec.template.spec.containers[0].resources.requests.cpu: expected a quantity like 500m, 2, 128Mi, 1G or 1e3, got "lots"`,
      `${FIX}/bad/many-errors.yaml:26:31: spec.template.spec.containers[0].livenessProbe.successThreshold: must be 1 for liveness probes, got 2`,
      `${FIX}/bad/many-errors.yaml:28:13: spec.template.spec.containers[0].readinessProbe: must specify a handler type: exec, httpGet, tcpSocket or grpc`,
      `${FIX}/bad/many-errors.yaml:37:54: spec.sessionAffinityConfig.clientIP.timeoutSeconds: expected an integer number of seconds between 1 and 86400, got 90000`,
      `${FIX}/bad/many-errors.yaml:39:30: spec.ports[0].targetPort: expected a port name (a-z, 0-9 and "-", at least one letter, at most 15 characters), got "25%"`,
      `${FIX}/bad/many-errors.yaml:40:14: spec.ports[1].port: expected a port number between 1 and 65535, got 0`,
      `${FIX}/bad/negative-replicas.yaml:6:13: spec.replicas: expected a non-negative integer, got -1`,
      `${FIX}/bad/wrong-type.yaml:6:13: spec.replicas: expected a non-negative integer, got "three"`,
      `kubesim: ${FIX}/nope.yaml: cannot read file: no such file or directory`,
    ]);
    expect(e.message).toBe(`${lines.join('\n')}\nkubesim: 14 errors`);
    expect(e.message).not.toMatch(/\bat .*\(.*:\d+:\d+\)/); // no stack frames
  });
});

describe('a Scenario file', () => {
  const { scenarios, notes } = loadScenarioFiles([fx('scenario.yaml')]);
  const s = scenarios[0]!;

  it('is one scenario with its spec.manifests', () => {
    expect(scenarios).toHaveLength(1);
    expect(notes).toEqual([]);
    expect(s).toMatchObject({ name: 'rolling-update-under-load', file: fx('scenario.yaml'), files: [fx('scenario.yaml'), path.join(FIX, 'web.yaml')], bare: false });
    expect(s.deployments.map((d) => d.metadata.name)).toEqual(['web-app']);
    expect(s.services.map((d) => d.metadata.name)).toEqual(['web-service']);
    expect(s.sources.get('Deployment/default/web-app')).toEqual({ file: path.join(FIX, 'web.yaml'), line: 2, col: 1, path: '' });
  });

  it('parses durations to seconds and builds distributions', () => {
    expect(s.spec).toMatchObject({ duration: 600, seed: 42, replications: 1, warmup: 0, slos: ['availability >= 99.9%', 'p(99) < 300ms'] });
    expect(s.spec.cluster.nodes.map((n) => n.name)).toEqual(['node-1', 'node-2', 'node-3']);
    expect(s.spec.cluster.proxy.mode).toBe('iptables');
    expect(s.spec.cluster.proxy.syncDelay.mean).toBe(1);
    expect(s.spec.traffic).toMatchObject([{ name: 'web', service: 'web-service', workload: 'open', rate: 500, arrivals: 'poisson', timeout: 2 }]);
    expect(s.spec.timeline).toEqual([
      { at: 60, action: 'set-image', target: { kind: 'deployment', name: 'web-app' }, images: { nginx: 'nginx:1.26' } },
      { at: 120, action: 'delete-pod', target: { kind: 'deployment', name: 'web-app' }, count: 1, force: false },
      { at: 180, action: 'scale', target: { kind: 'deployment', name: 'web-app' }, replicas: 5 },
      { at: 240, action: 'rollout-undo', target: { kind: 'deployment', name: 'web-app' } },
    ]);
  });

  it('maps images onto behaviour profiles, defaults for the rest', () => {
    const v125 = s.behaviors.get('nginx:1.25')!;
    expect(v125.serviceTime.kind).toBe('lognormal');
    expect(v125.serviceTime.quantile!(0.5)).toBeCloseTo(0.02, 12);
    expect(v125.serviceTime.quantile!(0.99)).toBeCloseTo(0.12, 9);
    expect({ ...v125, serviceTime: undefined, startup: v125.startup.mean }).toMatchObject({ concurrency: 8, queue: 100, startup: 5 });
    const v126 = s.behaviors.get('nginx:1.26')!;
    expect(v126.serviceTime).toMatchObject({ kind: 'exponential', mean: 0.025 });
    expect(v126.errorRate).toBe(0.01);
    expect(v126.concurrency).toBe(defaultBehavior().concurrency);
    expect([...s.behaviors.keys()]).toEqual(['nginx:1.25', 'nginx:1.26']);
  });
});

describe('a Scenario using most fields', () => {
  const s = loadScenarioFiles([fx('everything.yaml')]).scenarios[0]!;

  it('reads cluster nodes, ipvs and cold start', () => {
    expect(s.spec.cluster.nodes).toEqual([
      { name: 'big', cpu: 8, memory: 32 * 2 ** 30, labels: {} },
      { name: 'small', cpu: 2, memory: 16 * 2 ** 30, labels: {} },
    ]);
    expect(s.spec.cluster.proxy).toMatchObject({ mode: 'ipvs', scheduler: 'lc', syncDelay: { kind: 'uniform', mean: 1.25 } });
    expect(s.spec.cluster.start).toBe('cold');
  });

  it('reads open and closed traffic with shapes, retries and keep-alive', () => {
    const [browse, steps, spike, day, users] = s.spec.traffic;
    expect(browse).toMatchObject({ port: 'http', rate: 500, arrivals: 'constant', shape: { type: 'ramp', from: 100, to: 1000, at: 60, duration: 300 }, keepAlive: { enabled: true, maxRequests: 100, maxAge: 30 } });
    expect(browse!.retries).toMatchObject({ max: 2, jitter: 0.5, backoff: { mean: 0.1 } });
    expect(steps).toMatchObject({ shape: { type: 'steps', steps: [{ at: 0, rate: 10 }, { at: 600, rate: 50 }] } });
    expect(spike).toMatchObject({ shape: { type: 'spike', at: 1200, duration: 60, factor: 5 } });
    expect(day).toMatchObject({ shape: { type: 'diurnal', period: 3600, amplitude: 0.3, peakAt: 0 } });
    expect(users).toMatchObject({ workload: 'closed', users: 50, thinkTime: { kind: 'exponential', mean: 2 }, keepAlive: { enabled: true } });
  });

  it('reads every timeline action, including repeating faults', () => {
    expect(s.spec.timeline.map((a) => a.action)).toEqual(['set-image', 'rollout-pause', 'rollout-resume', 'rollout-undo', 'fail-node', 'drain-node', 'set-rate', 'delete-pod', 'fail-node']);
    expect(s.spec.timeline[3]).toMatchObject({ toRevision: 1 });
    expect(s.spec.timeline[4]).toEqual({ at: 540, action: 'fail-node', target: { kind: 'node', name: 'small' }, duration: 120 });
    expect(s.spec.timeline[6]).toEqual({ at: 660, action: 'set-rate', target: { kind: 'traffic', name: 'browse' }, rate: 2000 });
    expect(s.spec.timeline[7]).toEqual({ at: 0, action: 'delete-pod', target: { kind: 'deployment', name: 'api' }, count: 1, force: false, repeat: { every: 300, until: 3000 } });
    expect(s.spec.timeline[8]).toEqual({ at: 60, action: 'fail-node', target: { kind: 'node', name: '*' }, repeat: { rate: 2 / 3600 } });
  });

  it('maps every behaviour field', () => {
    expect(s.behaviors.get('api:v1')).toMatchObject({ meanTimeBetweenCrashes: 1800, healthy: true, shutdown: 'immediate', drainTimeout: 10, preStopDuration: { mean: 2 }, cpuPerRequest: 0.005 });
    expect(s.behaviors.get('api:v2')).toMatchObject({ meanTimeBetweenCrashes: 1800, healthy: false, errorRate: 0.01 });
  });

  it('keeps variants as written', () => {
    expect(s.spec.variants).toEqual([{ name: 'recreate', patches: [{ target: 'deployment/api', patch: { spec: { strategy: { type: 'Recreate' } } } }] }]);
  });
});

describe('bare manifests run with documented defaults', () => {
  it('a file without a Scenario document', () => {
    const { scenarios } = loadScenarioFiles([fx('web.yaml')]);
    expect(scenarios).toHaveLength(1);
    const s = scenarios[0]!;
    expect(s).toMatchObject({ name: 'web', bare: true, file: fx('web.yaml') });
    expect(s.spec).toMatchObject({ duration: 60, warmup: 0, seed: 1, replications: 1, timeline: [], slos: [], variants: [], images: {} });
    expect(s.spec.cluster.nodes).toEqual([1, 2, 3].map((i) => ({ name: `node-${i}`, cpu: 4, memory: 16 * 2 ** 30, labels: {} })));
    expect(s.spec.cluster.start).toBe('warm');
    expect(s.spec.traffic).toMatchObject([{ name: 'web-service', service: 'web-service', workload: 'open', rate: 50, arrivals: 'poisson', timeout: 10, keepAlive: { enabled: false } }]);
    expect(plain(s.behaviors.get('nginx:1.25'))).toEqual(plain(defaultBehavior()));
  });

  it('several bare files and folders form one scenario; a folder contributes its *.yaml/*.yml sorted by name', () => {
    const { scenarios } = loadScenarioFiles([fx('manifests-dir'), fx('web.yaml')]);
    expect(scenarios.map((s) => s.name)).toEqual(['manifests']);
    expect(scenarios[0]!.files).toEqual([path.join(FIX, 'manifests-dir', 'a-deploy.yaml'), path.join(FIX, 'manifests-dir', 'b-service.yml'), fx('web.yaml')]);
    expect(scenarios[0]!.spec.traffic.map((t) => t.name)).toEqual(['dir-svc', 'web-service']);
  });

  it('spec.manifests may name a folder', () => {
    const s = loadScenarioFiles([fx('folder-scenario.yaml')]).scenarios[0]!;
    expect(s.deployments.map((d) => d.metadata.name)).toEqual(['dir-app']);
    expect(s.spec.traffic.map((t) => t.service)).toEqual(['dir-svc']);
  });

  it('a scenario file and a bare file give two scenarios', () => {
    expect(loadScenarioFiles([fx('scenario.yaml'), fx('kinds.yaml')]).scenarios.map((s) => s.name)).toEqual(['rolling-update-under-load', 'kinds']);
  });

  it('unknown kinds give notes, not errors', () => {
    const { scenarios, notes } = loadScenarioFiles([fx('kinds.yaml')]);
    expect(notes.map(formatDiagnostic)).toEqual([
      `${FIX}/kinds.yaml:2:7: note: skipped ConfigMap/foo: kind not modelled yet`,
      `${FIX}/kinds.yaml:7:7: note: skipped ServiceAccount/web: kind not modelled yet`,
      `${FIX}/kinds.yaml:12:7: note: skipped Experiment/canary: kind not modelled yet`,
      `${FIX}/kinds.yaml:18:18: note: metadata.name: no Service selects the pods of deployment/only, so the default traffic (one entry per Service that selects pods) sends no requests: add a Service, or a Scenario with traffic`,
    ]);
    expect(scenarios[0]!.notes).toEqual(notes);
    expect(scenarios[0]!.deployments).toHaveLength(1);
  });

  it('each scenario gets its own copies of the objects', () => {
    const a = loadScenarioFiles([fx('web.yaml')]).scenarios[0]!;
    const b = loadScenarioFiles([fx('scenario.yaml'), fx('web.yaml')]).scenarios;
    expect(b[0]!.deployments[0]).not.toBe(b[1]!.deployments[0]);
    expect(b[0]!.deployments[0]).toEqual(a.deployments[0]);
  });
});

describe('scenarioJsonSchema', () => {
  it('describes the Scenario kind', () => {
    const schema = scenarioJsonSchema() as { properties: Record<string, { properties?: Record<string, unknown> }>; required: string[] };
    expect(schema.required).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata']));
    expect(Object.keys(schema.properties['spec']!.properties!)).toEqual(
      expect.arrayContaining(['duration', 'seed', 'replications', 'manifests', 'cluster', 'images', 'traffic', 'timeline', 'slos', 'variants']),
    );
    const text = JSON.stringify(schema);
    for (const action of ['set-image', 'delete-pod', 'scale', 'rollout-undo', 'fail-node', 'set-rate']) expect(text).toContain(`"${action}"`);
    expect(JSON.parse(text)).toEqual(schema); // plain JSON
  });
});

// The shared corpus of real manifests lives beside the repository (../shared/corpus); never copied here.
const corpus = path.resolve(process.cwd(), '../shared/corpus');
const corpusFiles = existsSync(corpus) ? readdirSync(corpus).filter((f) => f.endsWith('.yaml')).sort() : [];

describe.skipIf(!existsSync(corpus))('the real-manifest corpus (skipped: ../shared/corpus is not present beside the repository)', () => {
  it.each(corpusFiles)('%s loads', (file) => {
    const { scenarios, notes } = loadScenarioFiles([path.join(corpus, file)]);
    expect(scenarios).toHaveLength(1);
    expect(scenarios[0]!.bare).toBe(true);
    expect(notes.every((n) => n.severity === 'note')).toBe(true);
  });

  it('microservices-demo is a bare scenario with 12 Deployments and 12 Services, ServiceAccounts skipped with notes', () => {
    const { scenarios, notes } = loadScenarioFiles([path.join(corpus, 'microservices-demo__kubernetes-manifests.yaml')]);
    const s = scenarios[0]!;
    expect(s.deployments).toHaveLength(12);
    expect(s.services).toHaveLength(12);
    expect(notes).toHaveLength(12);
    // the load generator is a client: it runs, but no Service selects it
    expect(notes.filter((n) => !n.message.startsWith('skipped ServiceAccount/')).map((n) => n.message)).toEqual([
      'no Service selects the pods of deployment/loadgenerator: no traffic reaches it (its pods run and serve 0 requests)',
    ]);
    expect(notes.filter((n) => n.message.startsWith('skipped')).every((n) => /^skipped ServiceAccount\/[a-z]+: kind not modelled yet$/.test(n.message))).toBe(true);
    expect(s.deployments.filter((d) => d.spec.template.spec.terminationGracePeriodSeconds === 5)).toHaveLength(8);
    expect(s.spec.traffic).toHaveLength(12);
    const email = s.services.find((x) => x.metadata.name === 'emailservice')!;
    expect(email.spec.ports[0]).toMatchObject({ port: 5000, targetPort: 8080 });
  });

  it('totals match SOURCES.md: 39 Deployments and 38 Services', () => {
    let deployments = 0;
    let services = 0;
    for (const f of corpusFiles) {
      const s = loadScenarioFiles([path.join(corpus, f)]).scenarios[0]!;
      deployments += s.deployments.length;
      services += s.services.length;
    }
    expect({ deployments, services }).toEqual({ deployments: 39, services: 38 });
  });

  it('reads the facts the corpus notes call out', () => {
    const one = (f: string) => loadScenarioFiles([path.join(corpus, f)]).scenarios[0]!;
    expect(one('examples__minio-standalone-deployment.yaml').deployments[0]!.spec.strategy).toEqual({ type: 'Recreate' });
    expect(one('kube-prometheus__prometheusAdapter-deployment.yaml').deployments[0]!.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } });
    const podinfo = one('podinfo__deployment.yaml').deployments[0]!;
    expect(podinfo.spec).toMatchObject({ replicas: 1, minReadySeconds: 3, progressDeadlineSeconds: 60, revisionHistoryLimit: 5 });
    expect(podinfo.spec.strategy.rollingUpdate).toEqual({ maxSurge: '25%', maxUnavailable: 0 });
    expect(podinfo.spec.template.spec.containers[0]!.resources).toEqual({ requests: { cpu: 0.1, memory: 64 * 2 ** 20 }, limits: { cpu: 2, memory: 512 * 2 ** 20 } });
    const nginx = one('ingress-nginx__deploy.yaml').deployments[0]!;
    expect(nginx.spec.template.spec.terminationGracePeriodSeconds).toBe(300);
    expect(nginx.spec.template.spec.containers[0]!.lifecycle?.preStop).toEqual({ exec: { command: ['/wait-shutdown'] } });
    const sock = one('sock-shop__complete-demo.yaml');
    expect(new Set(sock.deployments.map((d) => d.metadata.namespace))).toEqual(new Set(['sock-shop']));
    expect(sock.spec.traffic.every((t) => t.namespace === 'sock-shop')).toBe(true);
  });
});
