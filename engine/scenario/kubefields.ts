import type { Diagnostic } from './diagnostics.js';
import { fieldHint, findUnknownKeys, type JsonSchema } from './fields.js';
import { keyDiagnosticAt, type PathSegment, type YamlDocument } from './yaml.js';

/**
 * The field names of the Kubernetes (and Argo Rollouts) API, for the object levels kubesim reads, so
 * that a key the API does not have is listed as a note, as `kubectl apply --validate=warn` warns about
 * it (the API server's non-strict decoding drops it). A field the API has but kubesim does not model
 * (status, managedFields, securityContext, volumes, env, …) is never noted.
 *
 * What is checked, per kind (every other level, e.g. `status`, `volumes[]`, `affinity`, `env[]`,
 * `securityContext`, Argo's `trafficRouting` and analysis providers, is not looked into):
 * - every kind: the object (apiVersion, kind, metadata, spec, status) and `metadata` (ObjectMeta);
 * - Deployment: spec, strategy, rollingUpdate, selector (and matchExpressions[]), template and its
 *   metadata, the pod spec, containers[] / initContainers[] / ephemeralContainers[], their ports[],
 *   resources, the three probes and their exec / httpGet (httpHeaders[]) / tcpSocket / grpc handlers,
 *   lifecycle, its postStart / preStop handlers (sleep too), and tolerations[];
 * - Service: spec, ports[], sessionAffinityConfig and its clientIP;
 * - PodDisruptionBudget (policy/v1): spec and its selector;
 * - HorizontalPodAutoscaler: autoscaling/v2 spec, scaleTargetRef, metrics[] with resource /
 *   containerResource and their target, behavior and its scaleUp / scaleDown rules and policies[];
 *   autoscaling/v1 spec and scaleTargetRef;
 * - Rollout (argoproj.io/v1alpha1): spec, workloadRef, the pod template as for a Deployment, strategy,
 *   canary (steps[] with pause, setCanaryScale, analysis) and blueGreen, and the analysis references
 *   (templates[], args[] and valueFrom);
 * - AnalysisTemplate / ClusterAnalysisTemplate: spec, metrics[] (not their provider), args[].
 *
 * Sources: the Kubernetes API reference (v1.34), checked field by field against the `kubernetes-types`
 * 1.30 definitions by test/unit/scenario/kubefields.test.ts (fields added after 1.30 are listed there
 * with their version); Argo Rollouts' pkg/apis/rollouts/v1alpha1 types.
 */

type Node = JsonSchema;

/** Anything: a level whose fields are not checked. */
const ANY: Node = {};
const map: Node = { type: 'object', additionalProperties: {} };

/** A mapping with exactly these fields (space-separated); `nested` gives the known levels below some of them. */
function fields(names: string, nested: Readonly<Record<string, Node>> = {}): Node {
  const properties: Record<string, Node> = {};
  for (const n of names.split(/\s+/).filter((x) => x !== '')) properties[n] = Object.hasOwn(nested, n) ? nested[n]! : ANY;
  for (const n of Object.keys(nested)) if (!Object.hasOwn(properties, n)) throw new Error(`kubefields: ${n} is nested but not a field`);
  return { type: 'object', properties, additionalProperties: false };
}

function list(item: Node): Node {
  return { type: 'array', items: item };
}

// meta/v1 -------------------------------------------------------------------------------------

export const OBJECT_META_FIELDS =
  'annotations creationTimestamp deletionGracePeriodSeconds deletionTimestamp finalizers generateName generation labels managedFields name namespace ownerReferences resourceVersion selfLink uid';
const objectMeta = fields(OBJECT_META_FIELDS, { labels: map, annotations: map });
const labelSelector = fields('matchExpressions matchLabels', { matchExpressions: list(fields('key operator values')), matchLabels: map });

function object(spec: Node): Node {
  return fields('apiVersion kind metadata spec status', { metadata: objectMeta, spec });
}

// core/v1: the pod template ---------------------------------------------------------------------

const execAction = fields('command');
const httpGetAction = fields('host httpHeaders path port scheme', { httpHeaders: list(fields('name value')) });
const tcpSocketAction = fields('host port');
const probe = fields('exec failureThreshold grpc httpGet initialDelaySeconds periodSeconds successThreshold tcpSocket terminationGracePeriodSeconds timeoutSeconds', {
  exec: execAction,
  grpc: fields('port service'),
  httpGet: httpGetAction,
  tcpSocket: tcpSocketAction,
});
const lifecycleHandler = fields('exec httpGet sleep tcpSocket', { exec: execAction, httpGet: httpGetAction, sleep: fields('seconds'), tcpSocket: tcpSocketAction });
/** Container; `stopSignal` (lifecycle) is v1.33, `restartPolicyRules` v1.34. */
export const CONTAINER_FIELDS =
  'args command env envFrom image imagePullPolicy lifecycle livenessProbe name ports readinessProbe resizePolicy resources restartPolicy restartPolicyRules securityContext startupProbe stdin stdinOnce terminationMessagePath terminationMessagePolicy tty volumeDevices volumeMounts workingDir';
const containerNested = {
  lifecycle: fields('postStart preStop stopSignal', { postStart: lifecycleHandler, preStop: lifecycleHandler }),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  ports: list(fields('containerPort hostIP hostPort name protocol')),
  resources: fields('claims limits requests', { limits: map, requests: map }),
};
const container = fields(CONTAINER_FIELDS, containerNested);
const ephemeralContainer = fields(`${CONTAINER_FIELDS} targetContainerName`, containerNested);
/** PodSpec; `resources` (pod-level) is v1.32, `hostnameOverride` v1.34. */
export const POD_SPEC_FIELDS =
  'activeDeadlineSeconds affinity automountServiceAccountToken containers dnsConfig dnsPolicy enableServiceLinks ephemeralContainers hostAliases hostIPC hostNetwork hostPID hostUsers hostname hostnameOverride imagePullSecrets initContainers nodeName nodeSelector os overhead preemptionPolicy priority priorityClassName readinessGates resourceClaims resources restartPolicy runtimeClassName schedulerName schedulingGates securityContext serviceAccount serviceAccountName setHostnameAsFQDN shareProcessNamespace subdomain terminationGracePeriodSeconds tolerations topologySpreadConstraints volumes';
const podSpec = fields(POD_SPEC_FIELDS, {
  containers: list(container),
  initContainers: list(container),
  ephemeralContainers: list(ephemeralContainer),
  nodeSelector: map,
  tolerations: list(fields('effect key operator tolerationSeconds value')),
});
const podTemplate = fields('metadata spec', { metadata: objectMeta, spec: podSpec });

// apps/v1 Deployment, core/v1 Service, policy/v1 PDB, autoscaling HPA ---------------------------

const deployment = object(
  fields('minReadySeconds paused progressDeadlineSeconds replicas revisionHistoryLimit selector strategy template', {
    selector: labelSelector,
    strategy: fields('rollingUpdate type', { rollingUpdate: fields('maxSurge maxUnavailable') }),
    template: podTemplate,
  }),
);

const service = object(
  fields(
    'allocateLoadBalancerNodePorts clusterIP clusterIPs externalIPs externalName externalTrafficPolicy healthCheckNodePort internalTrafficPolicy ipFamilies ipFamilyPolicy loadBalancerClass loadBalancerIP loadBalancerSourceRanges ports publishNotReadyAddresses selector sessionAffinity sessionAffinityConfig trafficDistribution type',
    {
      ports: list(fields('appProtocol name nodePort port protocol targetPort')),
      selector: map,
      sessionAffinityConfig: fields('clientIP', { clientIP: fields('timeoutSeconds') }),
    },
  ),
);

const pdb = object(fields('maxUnavailable minAvailable selector unhealthyPodEvictionPolicy', { selector: labelSelector }));

const crossVersionObjectReference = fields('apiVersion kind name');
const metricTarget = fields('averageUtilization averageValue type value');
/** HPAScalingRules; `tolerance` is v1.33. */
const scalingRules = fields('policies selectPolicy stabilizationWindowSeconds tolerance', { policies: list(fields('periodSeconds type value')) });
const hpaV2 = object(
  fields('behavior maxReplicas metrics minReplicas scaleTargetRef', {
    behavior: fields('scaleDown scaleUp', { scaleDown: scalingRules, scaleUp: scalingRules }),
    metrics: list(
      fields('containerResource external object pods resource type', {
        containerResource: fields('container name target', { target: metricTarget }),
        resource: fields('name target', { target: metricTarget }),
      }),
    ),
    scaleTargetRef: crossVersionObjectReference,
  }),
);
const hpaV1 = object(fields('maxReplicas minReplicas scaleTargetRef targetCPUUtilizationPercentage', { scaleTargetRef: crossVersionObjectReference }));

// argoproj.io/v1alpha1 Rollout, (Cluster)AnalysisTemplate -------------------------------------------

const analysisArgs = list(fields('name value valueFrom', { valueFrom: fields('fieldRef podTemplateHashValue') }));
const rolloutAnalysisFields = 'analysisRunMetadata args dryRun measurementRetention templates';
const rolloutAnalysisNested = { args: analysisArgs, templates: list(fields('clusterScope templateName')) };
const rolloutAnalysis = fields(rolloutAnalysisFields, rolloutAnalysisNested);
const canary = fields(
  'abortScaleDownDelaySeconds analysis antiAffinity canaryMetadata canaryService dynamicStableScale maxSurge maxUnavailable minPodsPerReplicaSet pingPong replicaProgressThreshold scaleDownDelayRevisionLimit scaleDownDelaySeconds stableMetadata stableService steps trafficRouting',
  {
    analysis: fields(`${rolloutAnalysisFields} startingStep`, rolloutAnalysisNested),
    steps: list(
      fields('analysis experiment pause plugin setCanaryScale setHeaderRoute setMirrorRoute setWeight', {
        analysis: rolloutAnalysis,
        pause: fields('duration'),
        setCanaryScale: fields('matchTrafficWeight replicas weight'),
      }),
    ),
  },
);
const blueGreen = fields(
  'abortScaleDownDelaySeconds activeMetadata activeService antiAffinity autoPromotionEnabled autoPromotionSeconds maxUnavailable postPromotionAnalysis prePromotionAnalysis previewMetadata previewReplicaCount previewService scaleDownDelayRevisionLimit scaleDownDelaySeconds',
  { postPromotionAnalysis: rolloutAnalysis, prePromotionAnalysis: rolloutAnalysis },
);
const rollout = object(
  fields('analysis minReadySeconds paused progressDeadlineAbort progressDeadlineSeconds replicas restartAt revisionHistoryLimit rollbackWindow selector strategy template workloadRef', {
    selector: labelSelector,
    strategy: fields('blueGreen canary', { blueGreen, canary }),
    template: podTemplate,
    workloadRef: fields('apiVersion kind name scaleDown'),
  }),
);
const analysisTemplate = fields('apiVersion kind metadata spec', {
  metadata: objectMeta,
  spec: fields('args dryRun measurementRetention metrics templates', {
    args: analysisArgs,
    metrics: list(fields('consecutiveErrorLimit consecutiveSuccessLimit count failureCondition failureLimit inconclusiveLimit initialDelay interval name provider successCondition')),
  }),
});

/** The known levels of each kind and version kubesim reads, by `apiVersion kind`. */
const KINDS: ReadonlyMap<string, Node> = new Map([
  ['apps/v1 Deployment', deployment],
  ['v1 Service', service],
  ['policy/v1 PodDisruptionBudget', pdb],
  ['autoscaling/v2 HorizontalPodAutoscaler', hpaV2],
  ['autoscaling/v1 HorizontalPodAutoscaler', hpaV1],
  ['argoproj.io/v1alpha1 Rollout', rollout],
  ['argoproj.io/v1alpha1 AnalysisTemplate', analysisTemplate],
  ['argoproj.io/v1alpha1 ClusterAnalysisTemplate', analysisTemplate],
]);

/** The field tree of a kind (for tests and docs); undefined for kinds not checked. */
export function kubernetesFieldTree(apiVersion: string, kind: string): JsonSchema | undefined {
  return KINDS.get(`${apiVersion} ${kind}`);
}

/** Most notes for one object (a manifest full of typos needs no more to be fixed). */
export const MAX_UNKNOWN_FIELD_NOTES = 20;

/** The diagnostic code of a field the API does not have; `--strict` makes these errors. */
export const UNKNOWN_FIELD = 'unknown-field';

/**
 * Notes for the keys of a Kubernetes object (at `base` in `doc`) that its API does not have, at the
 * position of each key. Nothing for kinds not listed above.
 */
export function unknownKubernetesFields(doc: YamlDocument, base: readonly PathSegment[], value: Record<string, unknown>, apiVersion: string, kind: string): Diagnostic[] {
  const tree = KINDS.get(`${apiVersion} ${kind}`);
  if (tree === undefined) return [];
  // __proto__ is refused by the YAML reader; constructor/prototype are just names the API lacks here
  return findUnknownKeys(tree, value, { limit: MAX_UNKNOWN_FIELD_NOTES, forbidden: false }).map((p) => {
    const key = String(p.at[p.at.length - 1]);
    const message = `not a field of ${apiVersion} ${kind} (the API server drops it)${fieldHint(key, p.known)}`;
    return keyDiagnosticAt(doc, [...base, ...p.at], message, 'note', UNKNOWN_FIELD);
  });
}
