/**
 * The Kubernetes objects the model keeps, with the API's field names verbatim (the subset the
 * simulation uses). Timestamps are simulated seconds (numbers), not RFC 3339 strings.
 * int-or-string fields (maxSurge, maxUnavailable) keep the user's value: 3 or "25%".
 */

export type IntOrString = number | string;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  creationTimestamp: number;
  deletionTimestamp?: number;
  deletionGracePeriodSeconds?: number;
  ownerReferences?: OwnerReference[];
  generation: number;
  resourceVersion: number;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: number;
  lastUpdateTime?: number;
}

// ---------------------------------------------------------------------------------------------
// Pods

export interface ExecAction {
  command: string[];
}
export interface HTTPGetAction {
  path?: string;
  port: IntOrString;
}
export interface SleepAction {
  seconds: number;
}

export interface LifecycleHandler {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: { port: IntOrString };
  sleep?: SleepAction;
}

export interface Probe {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: { port: IntOrString };
  grpc?: { port: number; service?: string };
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
  terminationGracePeriodSeconds?: number;
}

export interface ResourceList {
  /** CPU in cores (Kubernetes "500m" becomes 0.5). */
  cpu?: number;
  /** Memory in bytes ("128Mi" becomes 134217728). */
  memory?: number;
}

export interface Container {
  name: string;
  image: string;
  ports?: Array<{ containerPort: number; name?: string; protocol?: string }>;
  resources?: { requests?: ResourceList; limits?: ResourceList };
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: LifecycleHandler; postStart?: LifecycleHandler };
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

export interface PodSpec {
  containers: Container[];
  nodeName?: string;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  terminationGracePeriodSeconds: number;
  tolerations?: Toleration[];
  nodeSelector?: Record<string, string>;
}

export interface PodTemplateSpec {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface ContainerStatus {
  name: string;
  image: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: {
    waiting?: { reason: string };
    running?: { startedAt: number };
    terminated?: { reason: string; exitCode: number; finishedAt: number };
  };
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export interface PodStatus {
  phase: PodPhase;
  conditions: Condition[];
  podIP?: string;
  startTime?: number;
  containerStatuses: ContainerStatus[];
  reason?: string;
}

export interface Pod {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: ObjectMeta;
  spec: PodSpec;
  status: PodStatus;
}

// ---------------------------------------------------------------------------------------------
// Workloads

export interface RollingUpdateDeployment {
  maxSurge?: IntOrString;
  maxUnavailable?: IntOrString;
}

export interface DeploymentStrategy {
  type: 'RollingUpdate' | 'Recreate';
  rollingUpdate?: RollingUpdateDeployment;
}

export interface DeploymentSpec {
  replicas: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  strategy: DeploymentStrategy;
  minReadySeconds: number;
  progressDeadlineSeconds: number;
  revisionHistoryLimit: number;
  paused: boolean;
}

export interface DeploymentStatus {
  observedGeneration: number;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  unavailableReplicas: number;
  conditions: Condition[];
}

export interface Deployment {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: ObjectMeta;
  spec: DeploymentSpec;
  status: DeploymentStatus;
}

export interface ReplicaSetSpec {
  replicas: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  minReadySeconds: number;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  observedGeneration: number;
}

export interface ReplicaSet {
  apiVersion: 'apps/v1';
  kind: 'ReplicaSet';
  metadata: ObjectMeta;
  spec: ReplicaSetSpec;
  status: ReplicaSetStatus;
}

// ---------------------------------------------------------------------------------------------
// Networking

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: IntOrString;
  protocol?: string;
}

export interface ServiceSpec {
  selector?: Record<string, string>;
  ports: ServicePort[];
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  clusterIP?: string;
  sessionAffinity: 'None' | 'ClientIP';
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds: number } };
  publishNotReadyAddresses: boolean;
  internalTrafficPolicy?: 'Cluster' | 'Local';
}

export interface Service {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: ObjectMeta;
  spec: ServiceSpec;
}

export interface EndpointConditions {
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

export interface Endpoint {
  addresses: string[];
  conditions: EndpointConditions;
  nodeName?: string;
  targetRef: { kind: 'Pod'; name: string; uid: string };
}

export interface EndpointSlice {
  apiVersion: 'discovery.k8s.io/v1';
  kind: 'EndpointSlice';
  metadata: ObjectMeta;
  addressType: 'IPv4';
  endpoints: Endpoint[];
  ports: Array<{ name?: string; port: number; protocol?: string }>;
}

// ---------------------------------------------------------------------------------------------
// Nodes

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: number;
}

export interface Node {
  apiVersion: 'v1';
  kind: 'Node';
  metadata: ObjectMeta;
  spec: { unschedulable: boolean; taints: Taint[] };
  status: { allocatable: Required<ResourceList>; capacity: Required<ResourceList>; conditions: Condition[] };
}

export type KubeObject =
  | Pod
  | Deployment
  | ReplicaSet
  | Service
  | EndpointSlice
  | Node
  | Rollout
  | AnalysisTemplate
  | PodDisruptionBudget
  | HorizontalPodAutoscaler;
export type Kind = KubeObject['kind'];
export type ObjectOfKind<K extends Kind> = Extract<KubeObject, { kind: K }>;

// ---------------------------------------------------------------------------------------------
// Argo Rollouts (argoproj.io/v1alpha1), PodDisruptionBudget (policy/v1), HPA (autoscaling/v2):
// their types live beside their controllers; the store knows them as kinds.

import type { AnalysisTemplate, Rollout } from './controllers/rollout/types.js';
import type { PodDisruptionBudget } from './disruption.js';
import type { HorizontalPodAutoscaler } from './controllers/hpa.js';
export type { AnalysisTemplate, Rollout, PodDisruptionBudget, HorizontalPodAutoscaler };

// ---------------------------------------------------------------------------------------------
// Small helpers over objects (pure)

/** Finds a condition by type. */
export function getCondition(conditions: readonly Condition[], type: string): Condition | undefined {
  for (let i = 0; i < conditions.length; i++) if (conditions[i]!.type === type) return conditions[i];
  return undefined;
}

/**
 * Sets a condition; lastTransitionTime changes only when the status changes (as the API does).
 * Returns true when anything changed.
 */
export function setCondition(conditions: Condition[], next: Condition, now: number): boolean {
  const cur = getCondition(conditions, next.type);
  if (cur === undefined) {
    // one object shape for every condition (absent reason/message stay undefined: JSON omits them), so
    // the property reads of getCondition stay monomorphic
    conditions.push({ type: next.type, status: next.status, reason: next.reason, message: next.message, lastTransitionTime: now, lastUpdateTime: next.lastUpdateTime ?? now });
    return true;
  }
  const changed = cur.status !== next.status || cur.reason !== next.reason || cur.message !== next.message;
  if (cur.status !== next.status) cur.lastTransitionTime = now;
  cur.status = next.status;
  cur.reason = next.reason;
  cur.message = next.message;
  if (next.lastUpdateTime !== undefined) cur.lastUpdateTime = next.lastUpdateTime;
  return changed;
}

/** Whether labels match a selector (matchLabels AND matchExpressions). An empty selector matches all. */
export function matchesSelector(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const r of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const val = labels[r.key];
    switch (r.operator) {
      case 'In':
        if (!has || !(r.values ?? []).includes(val!)) return false;
        break;
      case 'NotIn':
        if (has && (r.values ?? []).includes(val!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** The controller owner of an object, if any. */
export function controllerOf(meta: ObjectMeta): OwnerReference | undefined {
  return meta.ownerReferences?.find((o) => o.controller === true);
}

/** A pod is active while it has no deletionTimestamp and is not Succeeded/Failed (§1.4 IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  return pod.metadata.deletionTimestamp === undefined && pod.status.phase !== 'Succeeded' && pod.status.phase !== 'Failed';
}

/** Ready = the pod's Ready condition is True (§1.5). */
export function isPodReady(pod: Pod): boolean {
  return getCondition(pod.status.conditions, 'Ready')?.status === 'True';
}

/**
 * Available = Ready for at least minReadySeconds, from the Ready condition's lastTransitionTime
 * (§1.5 podutil.IsPodAvailable).
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const ready = getCondition(pod.status.conditions, 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  return ready.lastTransitionTime !== undefined && ready.lastTransitionTime + minReadySeconds <= now;
}
