import * as z from 'zod';
import { initialRolloutStatus, type AnalysisRef, type CanaryStep } from '../cluster/controllers/rollout/types.js';
import { parseExpr, ExprError } from '../cluster/controllers/rollout/expr.js';
import { defaultScaleDown, defaultScaleUp, type HPAScalingRules, type MetricSpec as HpaMetricSpec } from '../cluster/controllers/hpa.js';
import { emptyPdbStatus } from '../cluster/disruption.js';
import { matchesSelector } from '../cluster/objects.js';
import type { NewObject } from '../cluster/store.js';
import { addIssue, duration, expected, intRange, nonNegativeInt, parseAt, positiveInt, quantity, show } from './validate.js';
import { diagnosticAt, positionOf, formatPath, type PathSegment, type YamlDocument } from './yaml.js';
import { intOrPercent, labelSelector, objectMeta, podTemplate, subdomainName, type DecodeResult, type SourceLocation } from './manifests.js';

/**
 * Argo Rollouts (Rollout, AnalysisTemplate, ClusterAnalysisTemplate; argoproj.io/v1alpha1),
 * PodDisruptionBudget (policy/v1) and HorizontalPodAutoscaler (autoscaling/v2 and v1) manifests → the
 * objects of engine/cluster, validated and defaulted like their API servers do (kubernetes-semantics.md
 * §0, §6.2, §7, §8). Unknown fields are ignored; invalid values of known fields are errors.
 */

type Meta = { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
export type LoadedRollout = NewObject<'Rollout'> & { metadata: Meta };
export type LoadedAnalysisTemplate = NewObject<'AnalysisTemplate'> & { metadata: Meta };
export type LoadedPdb = NewObject<'PodDisruptionBudget'> & { metadata: Meta };
export type LoadedHpa = NewObject<'HorizontalPodAutoscaler'> & { metadata: Meta };

export type ExtraDecodedObject =
  | { type: 'Rollout'; object: LoadedRollout; source: SourceLocation; doc: YamlDocument; base: PathSegment[] }
  | { type: 'AnalysisTemplate'; object: LoadedAnalysisTemplate; source: SourceLocation; doc: YamlDocument; base: PathSegment[] }
  | { type: 'PodDisruptionBudget'; object: LoadedPdb; source: SourceLocation; doc: YamlDocument; base: PathSegment[] }
  | { type: 'HorizontalPodAutoscaler'; object: LoadedHpa; source: SourceLocation; doc: YamlDocument; base: PathSegment[] };

/** The store namespace ClusterAnalysisTemplates live in (they are cluster scoped). */
export const CLUSTER_SCOPE = '(cluster)';

/** The kinds this file decodes: the versions served and the API group. */
export const EXTRA_KINDS: Record<string, { served: string[]; groups: string[] }> = {
  Rollout: { served: ['argoproj.io/v1alpha1'], groups: ['argoproj.io'] },
  AnalysisTemplate: { served: ['argoproj.io/v1alpha1'], groups: ['argoproj.io'] },
  ClusterAnalysisTemplate: { served: ['argoproj.io/v1alpha1'], groups: ['argoproj.io'] },
  PodDisruptionBudget: { served: ['policy/v1'], groups: ['policy'] },
  HorizontalPodAutoscaler: { served: ['autoscaling/v2', 'autoscaling/v1'], groups: ['autoscaling'] },
};

// ---------------------------------------------------------------------------------------------
// Rollout

/** The schemas, built on first use (manifests.ts and this file import each other). */
function makeSchemas() {
  const weight = intRange(0, 100, 'a weight between 0 and 100');
  const analysisRef = z
    .object(
      {
        templates: z
          .array(
            z.object({ templateName: z.string(expected('a template name')).min(1, expected('a template name')), clusterScope: z.boolean(expected('true or false')).default(false) }, expected('a mapping with templateName')),
            expected('a list of templates'),
          )
          .min(1, expected('at least one template')),
        args: z
          .array(
            z.object(
              {
                name: z.string(expected('an argument name')),
                value: z.string(expected('a string')).optional(),
                valueFrom: z.object({ podTemplateHashValue: z.enum(['Stable', 'Latest'], expected('"Stable" or "Latest"')).optional() }, expected('a mapping with podTemplateHashValue')).optional(),
              },
              expected('an argument {name, value}'),
            ),
            expected('a list of arguments'),
          )
          .default([]),
        startingStep: nonNegativeInt().optional(),
      },
      expected('an analysis (a mapping with templates)'),
    )
    .transform((a): AnalysisRef => ({
      templates: a.templates,
      args: a.args.map((x) => ({ name: x.name, value: x.value ?? (x.valueFrom?.podTemplateHashValue === 'Stable' ? '{{stable}}' : x.valueFrom?.podTemplateHashValue === 'Latest' ? '{{latest}}' : '') })),
      ...(a.startingStep !== undefined ? { startingStep: a.startingStep } : {}),
    }));

  const STEP_KINDS = ['setWeight', 'pause', 'setCanaryScale', 'analysis', 'experiment', 'setHeaderRoute', 'setMirrorRoute', 'plugin'] as const;
  const canaryStep = z
    .object(
      {
        setWeight: weight.optional(),
        pause: z.object({ duration: duration().optional() }, expected('a pause like {} or {duration: 30s}')).optional(),
        setCanaryScale: z
          .object({ replicas: nonNegativeInt().optional(), weight: nonNegativeInt().optional(), matchTrafficWeight: z.boolean(expected('true or false')).optional() }, expected('a mapping with replicas, weight or matchTrafficWeight'))
          .optional(),
        analysis: analysisRef.optional(),
        experiment: z.unknown().optional(),
        setHeaderRoute: z.unknown().optional(),
        setMirrorRoute: z.unknown().optional(),
        plugin: z.unknown().optional(),
      },
      expected('a canary step like {setWeight: 20} or {pause: {duration: 30s}}'),
    )
    .transform((s, ctx): CanaryStep => {
      const present = STEP_KINDS.filter((k) => s[k] !== undefined);
      if (present.length !== 1) addIssue(ctx, `a step has exactly one of ${STEP_KINDS.join(', ')}; got ${present.length === 0 ? 'none' : present.join(', ')}`, s);
      const out: CanaryStep = {};
      if (s.setWeight !== undefined) out.setWeight = s.setWeight;
      if (s.pause !== undefined) out.pause = s.pause.duration === undefined ? {} : { duration: s.pause.duration };
      if (s.setCanaryScale !== undefined) out.setCanaryScale = s.setCanaryScale;
      if (s.analysis !== undefined) out.analysis = s.analysis;
      return out;
    });

  const canaryStrategy = z.object(
    {
      steps: z.array(canaryStep, expected('a list of canary steps')).default([]),
      maxSurge: intOrPercent.default('25%'),
      maxUnavailable: intOrPercent.default('25%'),
      analysis: analysisRef.optional(),
      trafficRouting: z.record(z.string(), z.unknown(), expected('a traffic routing mapping')).optional(),
      dynamicStableScale: z.boolean(expected('true or false')).default(false),
      abortScaleDownDelaySeconds: nonNegativeInt('a non-negative number of seconds').optional(),
      scaleDownDelaySeconds: nonNegativeInt('a non-negative number of seconds').optional(),
      minPodsPerReplicaSet: positiveInt().optional(),
      stableService: z.string(expected('a Service name')).optional(),
      canaryService: z.string(expected('a Service name')).optional(),
    },
    expected('a canary strategy'),
  );

  const blueGreenStrategy = z.object(
    {
      activeService: z.string(expected('the name of the active Service')).min(1, expected('the name of the active Service')),
      previewService: z.string(expected('a Service name')).optional(),
      previewReplicaCount: nonNegativeInt().optional(),
      autoPromotionEnabled: z.boolean(expected('true or false')).default(true),
      autoPromotionSeconds: nonNegativeInt('a non-negative number of seconds').optional(),
      scaleDownDelaySeconds: nonNegativeInt('a non-negative number of seconds').default(30),
      abortScaleDownDelaySeconds: nonNegativeInt('a non-negative number of seconds').default(30),
      prePromotionAnalysis: analysisRef.optional(),
      postPromotionAnalysis: analysisRef.optional(),
    },
    expected('a blue-green strategy (a mapping with activeService)'),
  );

  const rolloutSpec = z
    .object(
      {
        replicas: nonNegativeInt().default(1),
        selector: labelSelector.optional(),
        template: podTemplate.optional(),
        workloadRef: z
          .object({ apiVersion: z.string(expected('an apiVersion')).default('apps/v1'), kind: z.literal('Deployment', expected('"Deployment"')), name: subdomainName }, expected('a mapping with kind and name'))
          .optional(),
        minReadySeconds: nonNegativeInt('a non-negative number of seconds').default(0),
        revisionHistoryLimit: nonNegativeInt().default(10),
        progressDeadlineSeconds: nonNegativeInt('a non-negative number of seconds').default(600),
        progressDeadlineAbort: z.boolean(expected('true or false')).default(false),
        paused: z.boolean(expected('true or false')).default(false),
        strategy: z.object({ canary: canaryStrategy.optional(), blueGreen: blueGreenStrategy.optional() }, expected('a strategy with canary or blueGreen')),
      },
      expected('a rollout spec (a mapping with selector, template and strategy)'),
    )
    .superRefine((spec, ctx) => {
      if ((spec.template === undefined) === (spec.workloadRef === undefined)) {
        addIssue(ctx, spec.template === undefined ? 'missing required field; expected template or workloadRef' : 'template and workloadRef may not both be set', spec.template, spec.template === undefined ? ['template'] : ['workloadRef']);
      }
      const n = (spec.strategy.canary ? 1 : 0) + (spec.strategy.blueGreen ? 1 : 0);
      if (n !== 1) addIssue(ctx, n === 0 ? 'missing required field; expected canary or blueGreen' : 'canary and blueGreen may not both be set', spec.strategy, ['strategy']);
      if (spec.template !== undefined && spec.selector === undefined) addIssue(ctx, 'missing required field; expected a label selector like {matchLabels: {app: web}}', undefined, ['selector']);
      if (spec.template !== undefined && spec.selector !== undefined && !matchesSelector(spec.selector, spec.template.metadata.labels)) {
        addIssue(ctx, 'selector does not match template labels', spec.template.metadata.labels, ['template', 'metadata', 'labels']);
      }
      const c = spec.strategy.canary;
      if (c !== undefined) {
        const zero = (v: number | string) => (typeof v === 'number' ? v === 0 : v === '0%');
        if (zero(c.maxSurge) && zero(c.maxUnavailable)) addIssue(ctx, 'may not be 0 when maxSurge is 0', c.maxUnavailable, ['strategy', 'canary', 'maxUnavailable']);
        c.steps.forEach((s, i) => {
          if (s.setCanaryScale !== undefined && c.trafficRouting === undefined) {
            addIssue(ctx, 'setCanaryScale needs trafficRouting (it is ignored by a basic canary, as in Argo)', s, ['strategy', 'canary', 'steps', i, 'setCanaryScale']);
          }
        });
      }
    });

  const rolloutSchema = z.object({ metadata: objectMeta(subdomainName), spec: rolloutSpec }, expected('a Rollout'));

  // ---------------------------------------------------------------------------------------------
  // AnalysisTemplate / ClusterAnalysisTemplate

  const condition = z.string(expected('a condition like result >= 0.95')).superRefine((s, ctx) => {
    try {
      parseExpr(s.replace(/\{\{[^}]*\}\}/g, '0'));
    } catch (e) {
      if (!(e instanceof ExprError)) throw e;
      addIssue(ctx, `${e.message} at column ${e.column} of ${JSON.stringify(s)}`, s);
    }
  });

  const metric = z
    .object(
      {
        name: z.string(expected('a metric name')).min(1, expected('a metric name')),
        interval: duration().optional(),
        count: z.union([nonNegativeInt(), z.string()], expected('a count')).optional(),
        initialDelay: duration().default(0),
        successCondition: condition.optional(),
        failureCondition: condition.optional(),
        failureLimit: z.number(expected('an integer')).int(expected('an integer')).min(-1, expected('an integer ≥ -1')).default(0),
        inconclusiveLimit: nonNegativeInt().default(0),
        consecutiveErrorLimit: nonNegativeInt().default(4),
        provider: z.record(z.string(), z.unknown(), expected('a provider like {kubesim: {metric: success-rate}}')),
      },
      expected('a metric (a mapping with name and provider)'),
    )
    .transform((m, ctx) => {
      if (Object.keys(m.provider).length !== 1) addIssue(ctx, 'expected exactly one provider', m.provider, ['provider']);
      let count: number | undefined;
      if (typeof m.count === 'string') {
        if (!/^\d+$/.test(m.count)) addIssue(ctx, `expected a count, got ${show(m.count)}`, m.count, ['count']);
        count = Number(m.count);
      } else count = m.count;
      return {
        name: m.name,
        ...(m.interval !== undefined ? { interval: m.interval } : {}),
        ...(count !== undefined && count > 0 ? { count } : {}),
        initialDelay: m.initialDelay,
        ...(m.successCondition !== undefined ? { successCondition: m.successCondition } : {}),
        ...(m.failureCondition !== undefined ? { failureCondition: m.failureCondition } : {}),
        failureLimit: m.failureLimit,
        inconclusiveLimit: m.inconclusiveLimit,
        consecutiveErrorLimit: m.consecutiveErrorLimit,
        provider: m.provider,
      };
    });

  const analysisTemplateSchema = z.object(
    {
      metadata: objectMeta(subdomainName),
      spec: z.object(
        {
          metrics: z.array(metric, expected('a list of metrics')).min(1, expected('at least one metric')),
          args: z.array(z.object({ name: z.string(expected('an argument name')), value: z.string(expected('a string')).optional() }, expected('an argument')), expected('a list of arguments')).default([]),
        },
        expected('an analysis template spec (a mapping with metrics)'),
      ),
    },
    expected('an AnalysisTemplate'),
  );

  // ---------------------------------------------------------------------------------------------
  // PodDisruptionBudget

  const pdbSchema = z.object(
    {
      metadata: objectMeta(subdomainName),
      spec: z
        .object(
          {
            minAvailable: intOrPercent.optional(),
            maxUnavailable: intOrPercent.optional(),
            selector: labelSelector.default({}),
            unhealthyPodEvictionPolicy: z.enum(['IfHealthyBudget', 'AlwaysAllow'], expected('"IfHealthyBudget" or "AlwaysAllow"')).default('IfHealthyBudget'),
          },
          expected('a disruption budget spec'),
        )
        .prefault({})
        .superRefine((s, ctx) => {
          if (s.minAvailable !== undefined && s.maxUnavailable !== undefined) addIssue(ctx, 'minAvailable and maxUnavailable cannot be both set', s.maxUnavailable, ['maxUnavailable']);
        }),
    },
    expected('a PodDisruptionBudget'),
  );

  // ---------------------------------------------------------------------------------------------
  // HorizontalPodAutoscaler

  const scaleTargetRef = z.object(
    { apiVersion: z.string(expected('an apiVersion')).default('apps/v1'), kind: z.string(expected('a kind like Deployment')), name: z.string(expected('a name')) },
    expected('a mapping with kind and name'),
  );

  const target = z
    .object(
      {
        type: z.enum(['Utilization', 'AverageValue', 'Value'], expected('one of Utilization, AverageValue, Value')),
        averageUtilization: positiveInt().optional(),
        averageValue: quantity().optional(),
        value: quantity().optional(),
      },
      expected('a metric target'),
    )
    .superRefine((t, ctx) => {
      if (t.type === 'Utilization' && t.averageUtilization === undefined) addIssue(ctx, 'must be set for a Utilization target', undefined, ['averageUtilization']);
      if (t.type === 'AverageValue' && t.averageValue === undefined) addIssue(ctx, 'must be set for an AverageValue target', undefined, ['averageValue']);
    });

  const hpaMetric = z
    .object(
      {
        type: z.enum(['Resource', 'ContainerResource', 'Pods', 'Object', 'External'], expected('one of Resource, ContainerResource, Pods, Object, External')),
        resource: z.object({ name: z.string(expected('a resource name like cpu')), target }, expected('a mapping with name and target')).optional(),
        containerResource: z.object({ name: z.string(expected('a resource name like cpu')), container: z.string(expected('a container name')), target }, expected('a mapping with name, container and target')).optional(),
        pods: z.unknown().optional(),
        object: z.unknown().optional(),
        external: z.unknown().optional(),
      },
      expected('a metric like {type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}'),
    )
    .transform((m, ctx): HpaMetricSpec => {
      if (m.type === 'Resource') {
        if (m.resource === undefined) addIssue(ctx, 'missing required field; expected resource', undefined, ['resource']);
        return { type: 'Resource', ...(m.resource ? { resource: m.resource } : {}) };
      }
      if (m.type === 'ContainerResource' && m.containerResource !== undefined) return { type: 'ContainerResource', resource: { name: m.containerResource.name, target: m.containerResource.target } };
      return { type: m.type, other: { pods: m.pods, object: m.object, external: m.external } };
    });

  const policy = z.object(
    { type: z.enum(['Pods', 'Percent'], expected('"Pods" or "Percent"')), value: positiveInt(), periodSeconds: intRange(1, 1800, 'a number of seconds between 1 and 1800') },
    expected('a scaling policy {type, value, periodSeconds}'),
  );
  function rules(defaults: () => HPAScalingRules) {
    return z
      .object(
        {
          stabilizationWindowSeconds: intRange(0, 3600, 'a number of seconds between 0 and 3600').optional(),
          selectPolicy: z.enum(['Max', 'Min', 'Disabled'], expected('one of Max, Min, Disabled')).optional(),
          policies: z.array(policy, expected('a list of scaling policies')).optional(),
        },
        expected('scaling rules'),
      )
      .optional()
      .transform((r): HPAScalingRules => {
        const d = defaults();
        return { stabilizationWindowSeconds: r?.stabilizationWindowSeconds ?? d.stabilizationWindowSeconds, selectPolicy: r?.selectPolicy ?? d.selectPolicy, policies: r?.policies ?? d.policies };
      });
  }

  const hpaSpecV2 = z
    .object(
      {
        scaleTargetRef,
        minReplicas: nonNegativeInt().default(1),
        maxReplicas: positiveInt(),
        metrics: z.array(hpaMetric, expected('a list of metrics')).optional(),
        behavior: z.object({ scaleUp: rules(defaultScaleUp), scaleDown: rules(defaultScaleDown) }, expected('a mapping with scaleUp and scaleDown')).optional(),
      },
      expected('an autoscaler spec (a mapping with scaleTargetRef and maxReplicas)'),
    )
    .superRefine((s, ctx) => {
      if (s.minReplicas > s.maxReplicas) addIssue(ctx, `must be less than or equal to maxReplicas (${s.maxReplicas})`, s.minReplicas, ['minReplicas']);
    });

  const hpaSpecV1 = z
    .object(
      {
        scaleTargetRef,
        minReplicas: nonNegativeInt().default(1),
        maxReplicas: positiveInt(),
        targetCPUUtilizationPercentage: positiveInt().optional(),
      },
      expected('an autoscaler spec (a mapping with scaleTargetRef and maxReplicas)'),
    )
    .superRefine((s, ctx) => {
      if (s.minReplicas > s.maxReplicas) addIssue(ctx, `must be less than or equal to maxReplicas (${s.maxReplicas})`, s.minReplicas, ['minReplicas']);
    });

  const cpu80 = (n = 80): HpaMetricSpec => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: n } } });


  return { rolloutSchema, analysisTemplateSchema, pdbSchema, hpaSpecV1, hpaSpecV2, cpu80, metric };
}
let built: ReturnType<typeof makeSchemas> | undefined;
const schemas = () => (built ??= makeSchemas());

// ---------------------------------------------------------------------------------------------
// Decoding

export function decodeExtra(kind: string, apiVersion: string, value: Record<string, unknown>, doc: YamlDocument, base: PathSegment[], out: DecodeResult): void {
  const { rolloutSchema, analysisTemplateSchema, pdbSchema, hpaSpecV1, hpaSpecV2, cpu80 } = schemas();
  const pos = positionOf(doc, base);
  const source: SourceLocation = { file: doc.file, line: pos.line, col: pos.col, path: formatPath(base) };
  if (kind === 'Rollout') {
    const r = parseAt(rolloutSchema, value, doc, base);
    out.errors.push(...r.diagnostics);
    if (r.data === undefined) return;
    const s = r.data.spec;
    const object: LoadedRollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { ...r.data.metadata, generation: 1 },
      spec: {
        replicas: s.replicas,
        selector: s.selector ?? {},
        template: s.template ?? { metadata: { labels: {} }, spec: { containers: [], restartPolicy: 'Always', terminationGracePeriodSeconds: 30 } },
        ...(s.workloadRef !== undefined ? { workloadRef: s.workloadRef } : {}),
        minReadySeconds: s.minReadySeconds,
        revisionHistoryLimit: s.revisionHistoryLimit,
        progressDeadlineSeconds: s.progressDeadlineSeconds,
        progressDeadlineAbort: s.progressDeadlineAbort,
        paused: s.paused,
        strategy: {
          ...(s.strategy.canary !== undefined ? { canary: s.strategy.canary } : {}),
          ...(s.strategy.blueGreen !== undefined ? { blueGreen: s.strategy.blueGreen } : {}),
        },
      } as LoadedRollout['spec'],
      status: initialRolloutStatus(),
    };
    out.objects.push({ type: 'Rollout', object, source, doc, base });
    // steps the model does not run are completed at once (as with no traffic router to program)
    const raw = (value['spec'] as { strategy?: { canary?: { steps?: unknown[] } } } | undefined)?.strategy?.canary?.steps ?? [];
    raw.forEach((step, i) => {
      const kind = ['experiment', 'setHeaderRoute', 'setMirrorRoute', 'plugin'].find((k) => step !== null && typeof step === 'object' && k in step);
      if (kind !== undefined) {
        out.notes.push({ ...diagnosticAt(doc, [...base, 'spec', 'strategy', 'canary', 'steps', i, kind], `rollout/${r.data.metadata.name}: ${kind} steps are not simulated; the step completes at once`, 'note'), path: formatPath([...base, 'spec', 'strategy', 'canary', 'steps', i, kind]) });
      }
    });
  } else if (kind === 'AnalysisTemplate' || kind === 'ClusterAnalysisTemplate') {
    const r = parseAt(analysisTemplateSchema, value, doc, base);
    out.errors.push(...r.diagnostics);
    if (r.data === undefined) return;
    const cluster = kind === 'ClusterAnalysisTemplate';
    const object: LoadedAnalysisTemplate = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { ...r.data.metadata, ...(cluster ? { namespace: CLUSTER_SCOPE } : {}), generation: 1 },
      cluster,
      spec: r.data.spec as LoadedAnalysisTemplate['spec'],
    };
    out.objects.push({ type: 'AnalysisTemplate', object, source, doc, base });
  } else if (kind === 'PodDisruptionBudget') {
    const r = parseAt(pdbSchema, value, doc, base);
    out.errors.push(...r.diagnostics);
    if (r.data === undefined) return;
    const sp = r.data.spec;
    const object: LoadedPdb = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { ...r.data.metadata, generation: 1 },
      spec: {
        selector: sp.selector,
        unhealthyPodEvictionPolicy: sp.unhealthyPodEvictionPolicy,
        ...(sp.minAvailable !== undefined ? { minAvailable: sp.minAvailable } : {}),
        ...(sp.maxUnavailable !== undefined ? { maxUnavailable: sp.maxUnavailable } : {}),
      },
      status: emptyPdbStatus(),
    };
    out.objects.push({ type: 'PodDisruptionBudget', object, source, doc, base });
  } else {
    const v1 = apiVersion === 'autoscaling/v1';
    const status = { currentReplicas: 0, desiredReplicas: 0, conditions: [] };
    if (v1) {
      const r = parseAt(z.object({ metadata: objectMeta(subdomainName), spec: hpaSpecV1 }, expected('a HorizontalPodAutoscaler')), value, doc, base);
      out.errors.push(...r.diagnostics);
      if (r.data === undefined) return;
      const sp = r.data.spec;
      const object: LoadedHpa = {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { ...r.data.metadata, generation: 1 },
        spec: { scaleTargetRef: sp.scaleTargetRef, minReplicas: sp.minReplicas, maxReplicas: sp.maxReplicas, metrics: [cpu80(sp.targetCPUUtilizationPercentage ?? 80)] },
        status,
      };
      out.objects.push({ type: 'HorizontalPodAutoscaler', object, source, doc, base });
      return;
    }
    const r = parseAt(z.object({ metadata: objectMeta(subdomainName), spec: hpaSpecV2 }, expected('a HorizontalPodAutoscaler')), value, doc, base);
    out.errors.push(...r.diagnostics);
    if (r.data === undefined) return;
    const sp = r.data.spec;
    const object: LoadedHpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { ...r.data.metadata, generation: 1 },
      spec: {
        scaleTargetRef: sp.scaleTargetRef,
        minReplicas: sp.minReplicas,
        maxReplicas: sp.maxReplicas,
        metrics: sp.metrics === undefined || sp.metrics.length === 0 ? [cpu80()] : sp.metrics,
        ...(sp.behavior !== undefined ? { behavior: sp.behavior } : {}),
      },
      status,
    };
    out.objects.push({ type: 'HorizontalPodAutoscaler', object, source, doc, base });
  }
}

/**
 * The metrics of a Scenario's analysis gate (`spec.analysis[i].metrics`), validated like an
 * AnalysisTemplate's, as a template the gate's runs use (named `<scenario>-analysis-<i>`).
 */
export function gateTemplate(name: string, metrics: unknown[], doc: YamlDocument, base: PathSegment[], errors: DecodeResult['errors']): LoadedAnalysisTemplate | undefined {
  const r = parseAt(z.array(schemas().metric), metrics, doc, base);
  errors.push(...r.diagnostics);
  if (r.data === undefined) return undefined;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name, namespace: 'default', labels: {}, annotations: {}, generation: 1 },
    cluster: false,
    spec: { metrics: r.data as LoadedAnalysisTemplate['spec']['metrics'], args: [] },
  };
}
