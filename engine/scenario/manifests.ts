import * as z from 'zod';
import type { Deployment, LabelSelector, ResourceList, Service } from '../cluster/objects.js';
import { matchesSelector } from '../cluster/objects.js';
import type { NewObject } from '../cluster/store.js';
import type { Diagnostic } from './diagnostics.js';
import { KUBERNETES_DEFAULTS as K } from './defaults.js';
import { addIssue, expected, expectedMessage, intRange, nonNegativeInt, parseAt, positiveInt, quantity as quantityOf, show, unitDefinitions } from './validate.js';
import { diagnosticAt, formatPath, positionOf, type PathSegment, type YamlDocument } from './yaml.js';
import { decodeExtra, EXTRA_KINDS, type ExtraDecodedObject } from './workloads.js';
import { unknownKubernetesFields } from './kubefields.js';

/**
 * Kubernetes manifests → the typed objects of engine/cluster/objects.ts, validated and defaulted like
 * the API server does: unknown fields are ignored (non-strict decoding; a key the Kubernetes API does
 * not have is a note, kubefields.ts), invalid values of known fields are errors, and defaults
 * (kubernetes-semantics.md §0, §4.3, §5.6; defaults.ts) are applied.
 * Kinds the model does not know are skipped with a note.
 */

// ---------------------------------------------------------------------------------------------
// Names and labels (k8s.io/apimachinery/pkg/util/validation)

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function name(re: RegExp, max: number, what: string) {
  const err = expected(what);
  return z.string(err).max(max, err).regex(re, err);
}

const subdomainName = name(DNS1123_SUBDOMAIN, 253, 'a lowercase RFC 1123 name (a-z, 0-9, "-" and ".", at most 253 characters)');
const dnsLabel = name(DNS1123_LABEL, 63, 'a lowercase RFC 1123 label (a-z, 0-9 and "-", at most 63 characters)');
const serviceName = name(DNS1035_LABEL, 63, 'a lowercase RFC 1035 label (a-z, 0-9 and "-", starting with a letter, at most 63 characters)');
const portName = name(IANA_SVC_NAME, 15, 'a port name (a-z, 0-9 and "-", at least one letter, at most 15 characters)');

const labelValue = z
  .string(expected('a string (quote values like "1" or "true")'))
  .max(63, expected('a label value of at most 63 characters'))
  .regex(LABEL_VALUE, expected('a label value (alphanumerics, "-", "_" and ".", starting and ending with an alphanumeric)'));
const labels = z.record(z.string(), labelValue, expected('a mapping of labels'));
const annotations = z.record(z.string(), z.string(expected('a string (quote values like "1" or "true")')), expected('a mapping of annotations'));

function objectMeta(nameSchema: z.ZodType<string>) {
  return z.object(
    {
      name: nameSchema,
      namespace: dnsLabel.default(K.namespace),
      labels: labels.default({}),
      annotations: annotations.default({}),
    },
    expected('a mapping with at least a name'),
  );
}

const port = intRange(1, 65535, 'a port number between 1 and 65535');
const portOrName = z.union(
  [port, portName],
  expected('a port number between 1 and 65535 or a port name'),
);

const labelSelector = z
  .object(
    {
      matchLabels: labels.optional(),
      matchExpressions: z
        .array(
          z
            .object({
              key: z.string(expected('a label key')).min(1, expected('a label key')),
              operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist'], expected('one of In, NotIn, Exists, DoesNotExist')),
              values: z.array(labelValue, expected('a list of label values')).optional(),
            })
            .superRefine((r, ctx) => {
              const n = r.values?.length ?? 0;
              if ((r.operator === 'In' || r.operator === 'NotIn') && n === 0) {
                addIssue(ctx, `must be specified when operator is ${r.operator}`, r.values, ['values']);
              }
              if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && n > 0) {
                addIssue(ctx, `may not be specified when operator is ${r.operator}`, r.values, ['values']);
              }
            }),
          expected('a list of label selector requirements'),
        )
        .optional(),
    },
    expected('a label selector like {matchLabels: {app: web}}'),
  )
  .transform((s): LabelSelector => s);

// ---------------------------------------------------------------------------------------------
// Containers

const quantity = quantityOf();

/** cpu and memory are kept (the model schedules on them); other resources are validated and dropped. */
const resourceList = z
  .record(z.string(), quantity, expected('a mapping of resource quantities like {cpu: 500m, memory: 128Mi}'))
  .transform((r): ResourceList => {
    const out: ResourceList = {};
    if (r['cpu'] !== undefined) out.cpu = r['cpu'];
    if (r['memory'] !== undefined) out.memory = r['memory'];
    return out;
  });

const resources = z
  .object({ requests: resourceList.optional(), limits: resourceList.optional() }, expected('a mapping with requests and limits'))
  .superRefine((r, ctx) => {
    for (const key of ['cpu', 'memory'] as const) {
      const req = r.requests?.[key];
      const lim = r.limits?.[key];
      if (req !== undefined && lim !== undefined && req > lim) {
        addIssue(ctx, `must be less than or equal to the ${key} limit`, req, ['requests', key]);
      }
    }
  })
  .transform((r) => {
    // API defaulting: a resource with a limit and no request gets the limit as its request.
    if (r.limits === undefined) return r;
    const requests: ResourceList = { ...r.limits, ...(r.requests ?? {}) };
    return { requests, limits: r.limits };
  });

const execAction = z.object(
  { command: z.array(z.string(expected('a string')), expected('a command as a list of strings')).min(1, expected('a non-empty command list')) },
  expected('a mapping with command'),
);
const httpGetAction = z
  .object({ path: z.string(expected('a path like /healthz')).optional(), port: portOrName }, expected('a mapping with port and path'))
  .transform((h) => ({ path: h.path === undefined || h.path === '' ? K.httpGetPath : h.path, port: h.port }));
const tcpSocketAction = z.object({ port: portOrName }, expected('a mapping with port'));
const grpcAction = z.object(
  { port, service: z.string(expected('a gRPC service name')).optional() },
  expected('a mapping with port'),
);

function handlerCount(h: Record<string, unknown>, keys: readonly string[]): number {
  return keys.filter((k) => h[k] !== undefined).length;
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;

/** 0 means "use the default" for these probe fields, as in the API's defaulting. */
function probeCount(def: number) {
  return nonNegativeInt().optional().transform((v) => (v === undefined || v === 0 ? def : v));
}

function probe(kind: 'readiness' | 'liveness' | 'startup') {
  return z
    .object(
      {
        exec: execAction.optional(),
        httpGet: httpGetAction.optional(),
        tcpSocket: tcpSocketAction.optional(),
        grpc: grpcAction.optional(),
        initialDelaySeconds: nonNegativeInt().default(K.probe.initialDelaySeconds),
        periodSeconds: probeCount(K.probe.periodSeconds),
        timeoutSeconds: probeCount(K.probe.timeoutSeconds),
        successThreshold: probeCount(K.probe.successThreshold),
        failureThreshold: probeCount(K.probe.failureThreshold),
        terminationGracePeriodSeconds: positiveInt().optional(),
      },
      expected(`a ${kind} probe (a mapping with exec, httpGet, tcpSocket or grpc)`),
    )
    .superRefine((p, ctx) => {
      const n = handlerCount(p, PROBE_HANDLERS);
      if (n === 0) addIssue(ctx, 'must specify a handler type: exec, httpGet, tcpSocket or grpc', p);
      if (n > 1) addIssue(ctx, 'may not specify more than 1 handler type', p);
      if (kind !== 'readiness' && p.successThreshold !== 1) {
        addIssue(ctx, `must be 1 for ${kind} probes, got ${p.successThreshold}`, p.successThreshold, ['successThreshold']);
      }
      if (kind === 'readiness' && p.terminationGracePeriodSeconds !== undefined) {
        addIssue(ctx, 'must not be set for readiness probes', p.terminationGracePeriodSeconds, ['terminationGracePeriodSeconds']);
      }
    });
}

const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'] as const;
const lifecycleHandler = z
  .object(
    {
      exec: execAction.optional(),
      httpGet: httpGetAction.optional(),
      tcpSocket: tcpSocketAction.optional(),
      sleep: z.object({ seconds: nonNegativeInt('a non-negative number of seconds') }, expected('a mapping with seconds')).optional(),
    },
    expected('a lifecycle handler (a mapping with exec, httpGet, tcpSocket or sleep)'),
  )
  .superRefine((h, ctx) => {
    const n = handlerCount(h, LIFECYCLE_HANDLERS);
    if (n === 0) addIssue(ctx, 'must specify a handler type: exec, httpGet, tcpSocket or sleep', h);
    if (n > 1) addIssue(ctx, 'may not specify more than 1 handler type', h);
  });

const containerPort = z.object(
  {
    containerPort: port,
    name: portName.optional(),
    protocol: z.enum(['TCP', 'UDP', 'SCTP'], expected('one of TCP, UDP, SCTP')).default('TCP'),
  },
  expected('a mapping with containerPort'),
);

const container = z.object(
  {
    name: dnsLabel,
    image: z.string(expected('a container image like nginx:1.25')).min(1, expected('a container image like nginx:1.25')),
    ports: z.array(containerPort, expected('a list of container ports')).optional(),
    resources: resources.optional(),
    readinessProbe: probe('readiness').optional(),
    livenessProbe: probe('liveness').optional(),
    startupProbe: probe('startup').optional(),
    lifecycle: z
      .object({ preStop: lifecycleHandler.optional(), postStart: lifecycleHandler.optional() }, expected('a mapping with preStop and postStart'))
      .optional(),
  },
  expected('a container (a mapping with name and image)'),
);

const toleration = z.object(
  {
    key: z.string(expected('a taint key')).optional(),
    operator: z.enum(['Exists', 'Equal'], expected('one of Exists, Equal')).optional(),
    value: z.string(expected('a string')).optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'], expected('one of NoSchedule, PreferNoSchedule, NoExecute')).optional(),
    tolerationSeconds: z.number(expected('an integer number of seconds')).int(expected('an integer number of seconds')).optional(),
  },
  expected('a toleration'),
);

const podSpec = z
  .object(
    {
      containers: z.array(container, expected('a list of containers')).min(1, expected('at least one container')),
      restartPolicy: z
        .enum(['Always'], {
          error: (iss) =>
            iss.input === 'OnFailure' || iss.input === 'Never'
              ? `unsupported value ${show(iss.input)}: a Deployment's pod template allows only "Always"`
              : expectedMessage('"Always"', iss.input),
        })
        .default(K.pod.restartPolicy),
      terminationGracePeriodSeconds: nonNegativeInt('a non-negative number of seconds').default(K.pod.terminationGracePeriodSeconds),
      nodeName: z.string(expected('a node name')).optional(),
      nodeSelector: z.record(z.string(), z.string(expected('a string (quote values like "true")')), expected('a mapping of node labels')).optional(),
      tolerations: z.array(toleration, expected('a list of tolerations')).optional(),
    },
    expected('a pod spec (a mapping with containers)'),
  )
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.containers.forEach((c, i) => {
      if (seen.has(c.name)) addIssue(ctx, `duplicate container name ${show(c.name)}`, c.name, ['containers', i, 'name']);
      seen.add(c.name);
    });
  });

const podTemplate = z.object(
  {
    metadata: z
      .object({ labels: labels.default({}), annotations: annotations.optional() }, expected('a mapping with labels'))
      .prefault({}),
    spec: podSpec,
  },
  expected('a pod template (a mapping with metadata and spec)'),
);

// ---------------------------------------------------------------------------------------------
// Deployment (apps/v1)

const PERCENT = /^(\d+)%$/;
const intOrPercentWhat = 'a non-negative integer or a percentage like 25%';
const intOrPercent = z.union(
  [nonNegativeInt(intOrPercentWhat), z.string(expected(intOrPercentWhat)).regex(PERCENT, expected(intOrPercentWhat))],
  expected(intOrPercentWhat),
);

function isZero(v: number | string): boolean {
  return typeof v === 'number' ? v === 0 : Number(PERCENT.exec(v)?.[1]) === 0;
}

const strategy = z
  .object(
    {
      type: z.enum(['RollingUpdate', 'Recreate'], expected('"RollingUpdate" or "Recreate"')).optional(),
      rollingUpdate: z
        .object({ maxSurge: intOrPercent.optional(), maxUnavailable: intOrPercent.optional() }, expected('a mapping with maxSurge and maxUnavailable'))
        .optional(),
    },
    expected('a deployment strategy'),
  )
  .transform((s, ctx): Deployment['spec']['strategy'] => {
    const type = s.type ?? K.deployment.strategyType; // rollingUpdate without a type is a RollingUpdate
    if (type === 'Recreate') {
      if (s.rollingUpdate !== undefined) addIssue(ctx, 'may not be specified when strategy type is "Recreate"', s.rollingUpdate, ['rollingUpdate']);
      return { type };
    }
    const maxSurge = s.rollingUpdate?.maxSurge ?? K.deployment.maxSurge;
    const maxUnavailable = s.rollingUpdate?.maxUnavailable ?? K.deployment.maxUnavailable;
    if (isZero(maxSurge) && isZero(maxUnavailable)) {
      addIssue(ctx, 'may not be 0 when maxSurge is 0', maxUnavailable, ['rollingUpdate', 'maxUnavailable']);
    }
    if (typeof maxUnavailable === 'string' && Number(PERCENT.exec(maxUnavailable)?.[1]) > 100) {
      addIssue(ctx, `must not be greater than 100%, got ${show(maxUnavailable)}`, maxUnavailable, ['rollingUpdate', 'maxUnavailable']);
    }
    return { type, rollingUpdate: { maxSurge, maxUnavailable } };
  });

const deploymentSpec = z
  .object(
    {
      replicas: nonNegativeInt().default(K.deployment.replicas),
      selector: labelSelector,
      template: podTemplate,
      strategy: strategy.prefault({}),
      minReadySeconds: nonNegativeInt('a non-negative number of seconds').default(K.deployment.minReadySeconds),
      progressDeadlineSeconds: nonNegativeInt('a non-negative number of seconds').default(K.deployment.progressDeadlineSeconds),
      revisionHistoryLimit: nonNegativeInt().default(K.deployment.revisionHistoryLimit),
      paused: z.boolean(expected('true or false')).default(K.deployment.paused),
    },
    expected('a deployment spec (a mapping with selector and template)'),
  )
  .superRefine((spec, ctx) => {
    const sel = spec.selector;
    if (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) {
      addIssue(ctx, 'empty selector is invalid for a Deployment', sel, ['selector']);
    } else if (!matchesSelector(sel, spec.template.metadata.labels)) {
      addIssue(ctx, 'selector does not match template labels', spec.template.metadata.labels, ['template', 'metadata', 'labels']);
    }
    if (spec.progressDeadlineSeconds <= spec.minReadySeconds) {
      addIssue(
        ctx,
        `must be greater than minReadySeconds (${spec.minReadySeconds}), got ${spec.progressDeadlineSeconds}`,
        spec.progressDeadlineSeconds,
        ['progressDeadlineSeconds'],
      );
    }
  });

const deploymentSchema = z.object({ metadata: objectMeta(subdomainName), spec: deploymentSpec }, expected('a Deployment'));

// ---------------------------------------------------------------------------------------------
// Service (v1)

const servicePort = z
  .object(
    {
      name: portName.optional(),
      port,
      targetPort: z
        .union([intRange(0, 65535, 'a port number between 1 and 65535 or a port name'), portName], expected('a port number between 1 and 65535 or a port name'))
        .optional(),
      protocol: z.enum(['TCP', 'UDP', 'SCTP'], expected('one of TCP, UDP, SCTP')).default(K.service.protocol as 'TCP'),
    },
    expected('a service port (a mapping with port)'),
  )
  // targetPort defaults to the port (0 too, as the API does).
  .transform((p) => ({ ...p, targetPort: p.targetPort === undefined || p.targetPort === 0 ? p.port : p.targetPort }));

const serviceSpec = z
  .object(
    {
      type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'], expected('one of ClusterIP, NodePort, LoadBalancer, ExternalName')).default(K.service.type),
      selector: labels.optional(),
      ports: z.array(servicePort, expected('a list of service ports')).default([]),
      clusterIP: z.string(expected('an IP address or "None"')).optional(),
      externalName: z.string(expected('a DNS name')).optional(),
      sessionAffinity: z.enum(['None', 'ClientIP'], expected('"None" or "ClientIP"')).default(K.service.sessionAffinity),
      sessionAffinityConfig: z
        .object(
          {
            clientIP: z
              .object(
                { timeoutSeconds: intRange(1, K.service.maxClientIPTimeoutSeconds, `an integer number of seconds between 1 and ${K.service.maxClientIPTimeoutSeconds}`).optional() },
                expected('a mapping with timeoutSeconds'),
              )
              .optional(),
          },
          expected('a mapping with clientIP'),
        )
        .optional(),
      publishNotReadyAddresses: z.boolean(expected('true or false')).default(K.service.publishNotReadyAddresses),
      internalTrafficPolicy: z.enum(['Cluster', 'Local'], expected('"Cluster" or "Local"')).default(K.service.internalTrafficPolicy),
    },
    expected('a service spec (a mapping with ports and selector)'),
  )
  .transform((s, ctx): Service['spec'] => {
    if (s.type === 'ExternalName' && (s.externalName ?? '') === '') addIssue(ctx, 'missing required field for type ExternalName; expected a DNS name', undefined, ['externalName']);
    if (s.type !== 'ExternalName' && s.clusterIP !== 'None' && s.ports.length === 0) addIssue(ctx, 'expected at least one port', s.ports, ['ports']);
    const names = new Set<string>();
    s.ports.forEach((p, i) => {
      if (s.ports.length > 1 && p.name === undefined) addIssue(ctx, 'missing required field; a Service with several ports must name each of them', undefined, ['ports', i, 'name']);
      if (p.name !== undefined && names.has(p.name)) addIssue(ctx, `duplicate port name ${show(p.name)}`, p.name, ['ports', i, 'name']);
      if (p.name !== undefined) names.add(p.name);
    });
    const spec: Service['spec'] = {
      ports: s.ports,
      type: s.type,
      sessionAffinity: s.sessionAffinity,
      publishNotReadyAddresses: s.publishNotReadyAddresses,
      internalTrafficPolicy: s.internalTrafficPolicy,
    };
    if (s.selector !== undefined) spec.selector = s.selector;
    if (s.clusterIP !== undefined) spec.clusterIP = s.clusterIP;
    if (s.sessionAffinity === 'ClientIP') {
      spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: s.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? K.service.clientIPTimeoutSeconds } };
    } else if (s.sessionAffinityConfig !== undefined) {
      addIssue(ctx, 'must not be set when sessionAffinity is "None"', s.sessionAffinityConfig, ['sessionAffinityConfig']);
    }
    return spec;
  });

const serviceSchema = z.object({ metadata: objectMeta(serviceName), spec: serviceSpec }, expected('a Service'));

/** JSON Schemas (input forms) of the kinds the model decodes, for resolving patch paths (fields.ts). */
const manifestJsonSchemas = new Map<'Deployment' | 'Service', Record<string, unknown>>();
export function manifestJsonSchema(type: 'Deployment' | 'Service'): Record<string, unknown> {
  let s = manifestJsonSchemas.get(type);
  if (s === undefined) {
    const object = z.object({
      apiVersion: z.string(),
      kind: z.string(),
      metadata: (type === 'Deployment' ? deploymentSchema : serviceSchema).shape.metadata,
      spec: (type === 'Deployment' ? deploymentSchema : serviceSchema).shape.spec,
    });
    s = { ...(z.toJSONSchema(object, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>), $defs: unitDefinitions() };
    manifestJsonSchemas.set(type, s);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Documents

/** Where an object was defined. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
  /** The field path of the object inside its document (empty unless it is an item of a List). */
  path: string;
}

export type LoadedDeployment = NewObject<'Deployment'> & { metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> } };
export type LoadedService = NewObject<'Service'> & { metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> } };

export type DecodedObject =
  | ExtraDecodedObject
  | { type: 'Deployment'; object: LoadedDeployment; source: SourceLocation; doc: YamlDocument; base: PathSegment[] }
  | { type: 'Service'; object: LoadedService; source: SourceLocation; doc: YamlDocument; base: PathSegment[] }
  | { type: 'Scenario'; value: Record<string, unknown>; doc: YamlDocument; base: PathSegment[] };

export interface DecodeResult {
  objects: DecodedObject[];
  notes: Diagnostic[];
  errors: Diagnostic[];
}

/** The Scenario kind's group; `kubesim.dev/v1alpha1` is the version this loader reads. */
export const SCENARIO_GROUP = 'kubesim.dev';
export const SCENARIO_API_VERSION = 'kubesim.dev/v1alpha1';

/** The kinds the model knows: the version it reads, and the API groups (old ones included) the kind lives in. */
const KNOWN: Record<string, { served: string; groups: string[] }> = {
  Deployment: { served: 'apps/v1', groups: ['apps', 'extensions'] },
  Service: { served: 'v1', groups: [''] },
};
// Rollout, AnalysisTemplate, PodDisruptionBudget, HorizontalPodAutoscaler: workloads.ts

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Why a kind the model does not read is skipped. Objects a controller owns (the ReplicaSets and Pods
 * of a Deployment in `kubectl get -o yaml` output) are not the source: the simulated controllers create
 * their own from the Deployment or Rollout, so reading them would duplicate it. Helm test hooks are not
 * part of a release.
 */
function skipReason(kind: string, metadata: unknown): string {
  if (isMapping(metadata)) {
    const owners = metadata['ownerReferences'];
    const owner = Array.isArray(owners) ? owners.find((o) => isMapping(o) && o['controller'] === true) : undefined;
    if (isMapping(owner) && typeof owner['kind'] === 'string' && typeof owner['name'] === 'string') {
      return `owned by ${owner['kind']}/${owner['name']} (kubesim's controllers create their own ReplicaSets and Pods from the Deployment or Rollout)`;
    }
    const annotations = metadata['annotations'];
    const hook = isMapping(annotations) ? annotations['helm.sh/hook'] : undefined;
    if (typeof hook === 'string' && hook.split(',').some((h) => h.trim().startsWith('test'))) return 'a Helm test hook (helm.sh/hook: test), not part of the release';
  }
  return 'kind not modelled yet';
}

/** Decodes one YAML document (a v1 List is expanded). Empty documents decode to nothing. */
export function decodeDocument(doc: YamlDocument): DecodeResult {
  const out: DecodeResult = { objects: [], notes: [], errors: [] };
  decodeValue(doc, doc.value, [], out);
  return out;
}

function decodeValue(doc: YamlDocument, value: unknown, base: PathSegment[], out: DecodeResult): void {
  if (value === undefined) return; // empty document
  if (!isMapping(value)) {
    out.errors.push(diagnosticAt(doc, base, `expected a Kubernetes object (a mapping with apiVersion and kind), got ${show(value)}`));
    return;
  }
  const { apiVersion, kind } = value;
  if (typeof kind !== 'string' || kind === '') {
    out.errors.push(diagnosticAt(doc, [...base, 'kind'], expectedMessage('the kind of the object, like Deployment', kind)));
    return;
  }
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    out.errors.push(diagnosticAt(doc, [...base, 'apiVersion'], expectedMessage('an apiVersion, like apps/v1', apiVersion)));
    return;
  }
  if (kind === 'List' && apiVersion === 'v1') {
    const items = value['items'];
    if (!Array.isArray(items)) {
      out.errors.push(diagnosticAt(doc, [...base, 'items'], expectedMessage('a list of objects', items)));
      return;
    }
    items.forEach((item, i) => decodeValue(doc, item, [...base, 'items', i], out));
    return;
  }
  if (kind === 'Scenario' && apiVersion.split('/')[0] === SCENARIO_GROUP) {
    if (apiVersion !== SCENARIO_API_VERSION) {
      out.errors.push(diagnosticAt(doc, [...base, 'apiVersion'], `expected ${JSON.stringify(SCENARIO_API_VERSION)}, got ${show(apiVersion)}`));
      return;
    }
    out.objects.push({ type: 'Scenario', value, doc, base });
    return;
  }
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
  const extra = EXTRA_KINDS[kind];
  if (extra !== undefined && extra.groups.includes(group)) {
    if (!extra.served.includes(apiVersion)) {
      out.errors.push(diagnosticAt(doc, [...base, 'apiVersion'], `${kind} ${show(apiVersion)} is not read; expected ${extra.served.map((v) => JSON.stringify(v)).join(' or ')}`));
      return;
    }
    out.notes.push(...unknownKubernetesFields(doc, base, value, apiVersion, kind));
    decodeExtra(kind, apiVersion, value, doc, base, out);
    return;
  }
  const known = KNOWN[kind];
  if (known === undefined || !known.groups.includes(group)) {
    const metadata = value['metadata'];
    const objName = isMapping(metadata) && typeof metadata['name'] === 'string' ? metadata['name'] : '(unnamed)';
    const note = diagnosticAt(doc, [...base, 'kind'], `skipped ${kind}/${objName}: ${skipReason(kind, metadata)}`, 'note');
    out.notes.push({ ...note, path: formatPath(base) });
    return;
  }
  if (apiVersion !== known.served) {
    out.errors.push(diagnosticAt(doc, [...base, 'apiVersion'], `${kind} ${show(apiVersion)} is no longer served by Kubernetes; expected ${JSON.stringify(known.served)}`));
    return;
  }
  out.notes.push(...unknownKubernetesFields(doc, base, value, apiVersion, kind));
  const pos = positionOf(doc, base);
  const source: SourceLocation = { file: doc.file, line: pos.line, col: pos.col, path: formatPath(base) };
  if (kind === 'Deployment') {
    const r = parseAt(deploymentSchema, value, doc, base);
    out.errors.push(...r.diagnostics);
    if (r.data === undefined) return;
    const object: LoadedDeployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { ...r.data.metadata, generation: 1 },
      spec: r.data.spec,
      status: { observedGeneration: 0, replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 0, conditions: [] },
    };
    out.objects.push({ type: 'Deployment', object, source, doc, base });
  } else {
    const r = parseAt(serviceSchema, value, doc, base);
    out.errors.push(...r.diagnostics);
    if (r.data === undefined) return;
    const object: LoadedService = { apiVersion: 'v1', kind: 'Service', metadata: { ...r.data.metadata, generation: 1 }, spec: r.data.spec };
    out.objects.push({ type: 'Service', object, source, doc, base });
  }
}

// Shared with workloads.ts (the Argo Rollouts, PDB and HPA kinds).
export { intOrPercent, labelSelector, objectMeta, podTemplate, subdomainName };
