import type { IntOrString, LabelSelector, ObjectMeta, PodTemplateSpec } from '../../objects.js';

/**
 * Argo Rollouts objects (argoproj.io/v1alpha1), the subset the model runs, with Argo's field names
 * verbatim (kubernetes-semantics.md §8). Durations are seconds.
 */

/** The label Argo adds to a Rollout's ReplicaSets, pods and Service selectors (`DefaultRolloutUniqueLabelKey`). */
export const ROLLOUT_POD_TEMPLATE_HASH = 'rollouts-pod-template-hash';
/** The ReplicaSet annotation holding when a superseded ReplicaSet is scaled down (`scale-down-deadline`). */
export const SCALE_DOWN_DEADLINE = 'argo-rollouts.argoproj.io/scale-down-deadline';

export interface AnalysisRef {
  templates: Array<{ templateName: string; clusterScope: boolean }>;
  args: Array<{ name: string; value: string }>;
  /** Background analysis only: the step index at which it starts. */
  startingStep?: number;
}

export interface CanaryStep {
  setWeight?: number;
  /** `pause: {}` is an indefinite pause (duration undefined) until promoted. */
  pause?: { duration?: number };
  setCanaryScale?: { replicas?: number; weight?: number; matchTrafficWeight?: boolean };
  analysis?: AnalysisRef;
}

export interface CanaryStrategy {
  steps: CanaryStep[];
  maxSurge: IntOrString;
  maxUnavailable: IntOrString;
  /** Background analysis (runs alongside the steps). */
  analysis?: AnalysisRef;
  /** Present when the Rollout names a traffic router; its content is not read (an idealised router). */
  trafficRouting?: Record<string, unknown>;
  dynamicStableScale: boolean;
  /** Unset: 30 s with a traffic router (§0); an explicit value is kept. */
  abortScaleDownDelaySeconds?: number;
  scaleDownDelaySeconds?: number;
  minPodsPerReplicaSet?: number;
  stableService?: string;
  canaryService?: string;
}

export interface BlueGreenStrategy {
  activeService: string;
  previewService?: string;
  previewReplicaCount?: number;
  autoPromotionEnabled: boolean;
  autoPromotionSeconds?: number;
  scaleDownDelaySeconds: number;
  abortScaleDownDelaySeconds: number;
  prePromotionAnalysis?: AnalysisRef;
  postPromotionAnalysis?: AnalysisRef;
}

export interface RolloutSpec {
  replicas: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  /** The Deployment the template was read from (`spec.workloadRef`), if any. */
  workloadRef?: { apiVersion: string; kind: string; name: string };
  minReadySeconds: number;
  revisionHistoryLimit: number;
  progressDeadlineSeconds: number;
  progressDeadlineAbort: boolean;
  paused: boolean;
  strategy: { canary?: CanaryStrategy; blueGreen?: BlueGreenStrategy };
}

export type RolloutPhase = 'Progressing' | 'Paused' | 'Healthy' | 'Degraded';
export type PauseReason = 'CanaryPauseStep' | 'BlueGreenPause' | 'InconclusiveAnalysisRun';

export interface RolloutStatus {
  phase: RolloutPhase;
  message: string;
  observedGeneration: number;
  /** Hash of the ReplicaSet of the current template. */
  currentPodHash: string;
  /** Hash of the stable ReplicaSet ('' before the first deploy). */
  stableRS: string;
  currentStepIndex: number;
  pauseConditions: Array<{ reason: PauseReason; startTime: number }>;
  controllerPause: boolean;
  abort: boolean;
  abortedAt?: number;
  promoteFull: boolean;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  blueGreen: { activeSelector: string; previewSelector: string };
  canary: { weights?: { canary: number; stable: number } };
}

export interface Rollout {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'Rollout';
  metadata: ObjectMeta;
  spec: RolloutSpec;
  status: RolloutStatus;
}

// ---------------------------------------------------------------------------------------------
// AnalysisTemplate / ClusterAnalysisTemplate

export interface MetricSpec {
  name: string;
  /** Seconds between measurements; undefined: a single measurement. */
  interval?: number;
  /** Measurements to take; undefined with an interval: until the run is stopped. */
  count?: number;
  initialDelay: number;
  successCondition?: string;
  failureCondition?: string;
  /** Default 0: the first failed measurement fails the run; −1 disables. */
  failureLimit: number;
  /** Default 0. */
  inconclusiveLimit: number;
  /** Default 4. */
  consecutiveErrorLimit: number;
  /** The provider as written (one key: kubesim, prometheus, job, web, …). */
  provider: Record<string, unknown>;
}

export interface AnalysisTemplate {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'AnalysisTemplate';
  metadata: ObjectMeta;
  /** ClusterAnalysisTemplate when true (cluster scoped: namespace ignored when referenced with clusterScope). */
  cluster: boolean;
  spec: { metrics: MetricSpec[]; args: Array<{ name: string; value?: string }> };
}

/** A fresh status of a Rollout that has not been synced yet. */
export function initialRolloutStatus(): RolloutStatus {
  return {
    phase: 'Progressing',
    message: '',
    observedGeneration: 0,
    currentPodHash: '',
    stableRS: '',
    currentStepIndex: 0,
    pauseConditions: [],
    controllerPause: false,
    abort: false,
    promoteFull: false,
    replicas: 0,
    updatedReplicas: 0,
    readyReplicas: 0,
    availableReplicas: 0,
    blueGreen: { activeSelector: '', previewSelector: '' },
    canary: {},
  };
}
