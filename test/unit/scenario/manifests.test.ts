import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../engine/scenario/diagnostics.js';
import { decodeDocument, type LoadedDeployment, type LoadedService } from '../../../engine/scenario/manifests.js';
import { parseYaml } from '../../../engine/scenario/yaml.js';

function decode(text: string) {
  const y = parseYaml('m.yaml', text);
  const out = { deployments: [] as LoadedDeployment[], services: [] as LoadedService[], errors: y.diagnostics.map(formatDiagnostic), notes: [] as string[] };
  for (const doc of y.documents) {
    const r = decodeDocument(doc);
    for (const o of r.objects) {
      if (o.type === 'Deployment') out.deployments.push(o.object);
      if (o.type === 'Service') out.services.push(o.object);
    }
    out.errors.push(...r.errors.map(formatDiagnostic));
    out.notes.push(...r.notes.map(formatDiagnostic));
  }
  return out;
}

function deployment(spec: string, container = 'name: app\n          image: app:1'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - ${container}
${spec}`;
}

function oneDeployment(text: string): LoadedDeployment {
  const r = decode(text);
  expect(r.errors).toEqual([]);
  expect(r.deployments).toHaveLength(1);
  return r.deployments[0]!;
}

function oneService(text: string): LoadedService {
  const r = decode(text);
  expect(r.errors).toEqual([]);
  expect(r.services).toHaveLength(1);
  return r.services[0]!;
}

describe('Deployment defaults (kubernetes-semantics.md §0)', () => {
  const d = oneDeployment(deployment(''));

  it.each([
    ['metadata.namespace', d.metadata.namespace, 'default'],
    ['metadata.labels', d.metadata.labels, {}],
    ['metadata.annotations', d.metadata.annotations, {}],
    ['spec.replicas', d.spec.replicas, 1],
    ['spec.strategy', d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }],
    ['spec.minReadySeconds', d.spec.minReadySeconds, 0],
    ['spec.progressDeadlineSeconds', d.spec.progressDeadlineSeconds, 600],
    ['spec.revisionHistoryLimit', d.spec.revisionHistoryLimit, 10],
    ['spec.paused', d.spec.paused, false],
    ['spec.template.spec.terminationGracePeriodSeconds', d.spec.template.spec.terminationGracePeriodSeconds, 30],
    ['spec.template.spec.restartPolicy', d.spec.template.spec.restartPolicy, 'Always'],
    ['apiVersion', d.apiVersion, 'apps/v1'],
    ['status.replicas', d.status.replicas, 0],
  ])('%s defaults to %j', (_, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('keeps explicit values', () => {
    const e = oneDeployment(
      deployment(`  replicas: 0
  minReadySeconds: 3
  progressDeadlineSeconds: 60
  revisionHistoryLimit: 5
  paused: true
  strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0}}`),
    );
    expect(e.spec).toMatchObject({ replicas: 0, minReadySeconds: 3, progressDeadlineSeconds: 60, revisionHistoryLimit: 5, paused: true });
    expect(e.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
  });

  it('treats rollingUpdate without a type as RollingUpdate (kube-prometheus style)', () => {
    const e = oneDeployment(deployment('  strategy:\n    rollingUpdate: {maxSurge: 1, maxUnavailable: 1}'));
    expect(e.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } });
  });

  it('gives Recreate no rollingUpdate', () => {
    expect(oneDeployment(deployment('  strategy: {type: Recreate}')).spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('treats a null field like an absent one', () => {
    expect(oneDeployment(deployment('  replicas:\n  strategy:')).spec.replicas).toBe(1);
  });

  it('ignores unknown fields (non-strict decoding)', () => {
    const e = oneDeployment(deployment('  someFutureField: {x: 1}\n  template2: 3'));
    expect(e.spec).not.toHaveProperty('someFutureField');
  });
});

describe('container defaults', () => {
  const c = oneDeployment(
    deployment(
      '',
      `name: app
          image: app:1
          ports: [{containerPort: 8080, name: http}]
          resources:
            requests: {cpu: 250m}
            limits: {cpu: "1", memory: 128Mi, nvidia.com/gpu: 1}
          readinessProbe:
            httpGet: {port: http}
          livenessProbe:
            exec: {command: [cat, /tmp/healthy]}
            periodSeconds: 0
            initialDelaySeconds: 5
          startupProbe:
            grpc: {port: 9555}
            failureThreshold: 30
          lifecycle:
            preStop:
              sleep: {seconds: 5}
            postStart:
              tcpSocket: {port: 8080}`,
    ),
  ).spec.template.spec.containers[0]!;

  it('applies probe defaults (§4.3), 0 meaning default', () => {
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/', port: 'http' }, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
    expect(c.livenessProbe).toEqual({ exec: { command: ['cat', '/tmp/healthy'] }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
    expect(c.startupProbe).toMatchObject({ grpc: { port: 9555 }, failureThreshold: 30 });
  });

  it('parses resources; a limit without a request becomes the request', () => {
    expect(c.resources).toEqual({ requests: { cpu: 0.25, memory: 134217728 }, limits: { cpu: 1, memory: 134217728 } });
  });

  it('keeps lifecycle hooks and ports (protocol TCP by default)', () => {
    expect(c.lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } }, postStart: { tcpSocket: { port: 8080 } } });
    expect(c.ports).toEqual([{ containerPort: 8080, name: 'http', protocol: 'TCP' }]);
  });
});

describe('Service defaults', () => {
  const svc = (spec: string) =>
    oneService(`apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n${spec}`);

  it('applies type, affinity, publishNotReadyAddresses, targetPort and protocol defaults', () => {
    const s = svc('  ports: [{port: 80}, {name: grpc, port: 9000, targetPort: grpc}]'.replace('{port: 80}', '{name: http, port: 80}'));
    expect(s.metadata.namespace).toBe('shop');
    expect(s.spec).toEqual({
      selector: { app: 'web' },
      type: 'ClusterIP',
      sessionAffinity: 'None',
      publishNotReadyAddresses: false,
      internalTrafficPolicy: 'Cluster',
      ports: [
        { name: 'http', port: 80, targetPort: 80, protocol: 'TCP' },
        { name: 'grpc', port: 9000, targetPort: 'grpc', protocol: 'TCP' },
      ],
    });
  });

  it('defaults the ClientIP timeout to 10800 s', () => {
    expect(svc('  ports: [{port: 80}]\n  sessionAffinity: ClientIP').spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
    expect(svc('  ports: [{port: 80}]\n  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}').spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 60 } });
  });
});

describe('invalid values of known fields are errors', () => {
  it.each([
    ['replicas -1', deployment('  replicas: -1'), 'm.yaml:15:13: spec.replicas: expected a non-negative integer, got -1'],
    ['replicas 1.5', deployment('  replicas: 1.5'), 'm.yaml:15:13: spec.replicas: expected a non-negative integer, got 1.5'],
    [
      'maxSurge and maxUnavailable both 0',
      deployment('  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: "0%"}}'),
      'm.yaml:15:59: spec.strategy.rollingUpdate.maxUnavailable: may not be 0 when maxSurge is 0',
    ],
    [
      'percent without %',
      deployment('  strategy: {rollingUpdate: {maxSurge: "25"}}'),
      'm.yaml:15:40: spec.strategy.rollingUpdate.maxSurge: expected a non-negative integer or a percentage like 25%, got "25"',
    ],
    [
      'maxUnavailable over 100%',
      deployment('  strategy: {rollingUpdate: {maxUnavailable: 150%}}'),
      'm.yaml:15:46: spec.strategy.rollingUpdate.maxUnavailable: must not be greater than 100%, got "150%"',
    ],
    [
      'Recreate with rollingUpdate',
      deployment('  strategy: {type: Recreate, rollingUpdate: {maxSurge: 1}}'),
      'm.yaml:15:45: spec.strategy.rollingUpdate: may not be specified when strategy type is "Recreate"',
    ],
    ['unknown strategy type', deployment('  strategy: {type: BlueGreen}'), 'm.yaml:15:20: spec.strategy.type: expected "RollingUpdate" or "Recreate", got "BlueGreen"'],
    [
      'progressDeadlineSeconds not above minReadySeconds',
      deployment('  minReadySeconds: 30\n  progressDeadlineSeconds: 30'),
      'm.yaml:16:28: spec.progressDeadlineSeconds: must be greater than minReadySeconds (30), got 30',
    ],
    [
      'empty selector',
      deployment('').replace('matchLabels: {app: web}', 'matchLabels: {}'),
      'm.yaml:7:5: spec.selector: empty selector is invalid for a Deployment',
    ],
    [
      'selector that does not match the template',
      deployment('').replace('labels: {app: web}', 'labels: {app: api}'),
      'm.yaml:10:15: spec.template.metadata.labels: selector does not match template labels',
    ],
    [
      'missing selector',
      deployment('').replace('  selector:\n    matchLabels: {app: web}\n', ''),
      'm.yaml:6:3: spec.selector: missing required field; expected a label selector like {matchLabels: {app: web}}',
    ],
    [
      'container without image',
      deployment('', 'name: app'),
      'm.yaml:13:11: spec.template.spec.containers[0].image: missing required field; expected a container image like nginx:1.25',
    ],
    [
      'liveness successThreshold 2',
      deployment('', 'name: app\n          image: a\n          livenessProbe: {tcpSocket: {port: 80}, successThreshold: 2}'),
      'm.yaml:15:68: spec.template.spec.containers[0].livenessProbe.successThreshold: must be 1 for liveness probes, got 2',
    ],
    [
      'probe with two handlers',
      deployment('', 'name: app\n          image: a\n          readinessProbe: {tcpSocket: {port: 80}, exec: {command: [x]}}'),
      'm.yaml:15:27: spec.template.spec.containers[0].readinessProbe: may not specify more than 1 handler type',
    ],
    [
      'container port out of range',
      deployment('', 'name: app\n          image: a\n          ports: [{containerPort: 70000}]'),
      'm.yaml:15:35: spec.template.spec.containers[0].ports[0].containerPort: expected a port number between 1 and 65535, got 70000',
    ],
    [
      'restartPolicy Never',
      deployment('').replace('      containers:', '      restartPolicy: Never\n      containers:'),
      'm.yaml:12:22: spec.template.spec.restartPolicy: unsupported value "Never": a Deployment\'s pod template allows only "Always"',
    ],
    [
      'requests above limits',
      deployment('', 'name: app\n          image: a\n          resources: {requests: {memory: 1Gi}, limits: {memory: 512Mi}}'),
      'm.yaml:15:42: spec.template.spec.containers[0].resources.requests.memory: must be less than or equal to the memory limit',
    ],
    [
      'garbage quantity',
      deployment('', 'name: app\n          image: a\n          resources: {requests: {cpu: lots}}'),
      'm.yaml:15:39: spec.template.spec.containers[0].resources.requests.cpu: expected a quantity like 500m, 2, 128Mi, 1G or 1e3, got "lots"',
    ],
    [
      'unquoted numeric label value',
      deployment('').replace('labels: {app: web}', 'labels: {app: web, version: 2}'),
      'm.yaml:10:35: spec.template.metadata.labels.version: expected a string (quote values like "1" or "true"), got 2',
    ],
    [
      'Service port out of range',
      'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 0}]',
      'm.yaml:5:18: spec.ports[0].port: expected a port number between 1 and 65535, got 0',
    ],
    [
      'Service ports without names',
      'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80}, {port: 81}]',
      [
        'm.yaml:5:11: spec.ports[0].name: missing required field; a Service with several ports must name each of them',
        'm.yaml:5:23: spec.ports[1].name: missing required field; a Service with several ports must name each of them',
      ],
    ],
    [
      'ClientIP timeout out of range',
      'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80}]\n  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 0}}',
      'm.yaml:7:54: spec.sessionAffinityConfig.clientIP.timeoutSeconds: expected an integer number of seconds between 1 and 86400, got 0',
    ],
    ['Service name not a DNS-1035 label', 'apiVersion: v1\nkind: Service\nmetadata: {name: 1web}\nspec:\n  ports: [{port: 80}]', 'm.yaml:3:18: metadata.name: expected a lowercase RFC 1035 label (a-z, 0-9 and "-", starting with a letter, at most 63 characters), got "1web"'],
    ['old apiVersion', 'apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: d}', 'm.yaml:1:13: apiVersion: Deployment "extensions/v1beta1" is no longer served by Kubernetes; expected "apps/v1"'],
    ['missing kind', 'apiVersion: v1\nmetadata: {name: d}', 'm.yaml:1:1: kind: missing required field; expected the kind of the object, like Deployment'],
    ['a document that is a list', '- a\n- b', 'm.yaml:1:1: expected a Kubernetes object (a mapping with apiVersion and kind), got a list'],
  ] as Array<[string, string, string | string[]]>)('%s', (_, text, message) => {
    const r = decode(text);
    expect(r.errors).toEqual(Array.isArray(message) ? message : [message]);
    expect(r.deployments).toHaveLength(0);
    expect(r.services).toHaveLength(0);
  });
});

describe('documents', () => {
  it('skips empty documents and unknown kinds (with a note)', () => {
    const r = decode('---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: foo}\n---\n# only a comment\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: pdb}\n');
    expect(r.errors).toEqual([]);
    expect(r.notes).toEqual(['m.yaml:4:7: note: skipped ConfigMap/foo: kind not modelled yet', 'm.yaml:10:7: note: skipped NetworkPolicy/pdb: kind not modelled yet']);
  });

  it('expands a v1 List, with item paths in diagnostics', () => {
    const r = decode(`apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: a}
    spec: {ports: [{port: 80}]}
  - apiVersion: v1
    kind: Service
    metadata: {name: b}
    spec: {ports: [{port: -1}]}
`);
    expect(r.services.map((s) => s.metadata.name)).toEqual(['a']);
    expect(r.errors).toEqual(['m.yaml:11:27: items[1].spec.ports[0].port: expected a port number between 1 and 65535, got -1']);
  });
});
