import * as z from 'zod';
import { defaultBehavior, type BehaviorProfile } from '../behavior/profile.js';
import { constant, type Distribution } from '../kernel/distributions.js';
import { formatDuration } from '../kernel/units.js';
import { SCENARIO_DEFAULTS as D } from './defaults.js';
import type { Replay } from './replay.js';
import { SCENARIO_API_VERSION, SCENARIO_GROUP } from './manifests.js';
import { SLO_PATTERN } from '../metrics/slo.js';
import { MAX_SERIES_BUCKETS } from '../metrics/timeseries.js';
import type { LabelSelector } from '../cluster/objects.js';
import { parseLabelSelector, SelectorSyntaxError } from '../cluster/labels.js';
import {
  addIssue,
  distribution,
  duration,
  expected,
  expectedMessage,
  fraction,
  nonNegativeInt,
  positiveDuration,
  positiveInt,
  quantity,
  rate,
  show,
  unitDefinitions,
} from './validate.js';

/**
 * The kubesim Scenario kind (apiVersion kubesim.dev/v1alpha1). Field names are a contract: users'
 * files and CI scripts depend on them. Durations, rates and distributions are parsed here by the
 * kernel's parsers, so the parsed spec holds seconds, events per second and Distribution objects.
 * Defaults are in defaults.ts (SCENARIO_DEFAULTS), documented there.
 */

// ---------------------------------------------------------------------------------------------
// Output types

export interface NodeSpec {
  name: string;
  /** Allocatable CPU in cores. */
  cpu: number;
  /** Allocatable memory in bytes. */
  memory: number;
  labels: Record<string, string>;
}

export type ProxyMode = 'iptables' | 'ipvs' | 'nftables';
export type IpvsScheduler = 'rr' | 'lc' | 'sh' | 'sed' | 'nq';

export interface ClusterSpec {
  nodes: NodeSpec[];
  proxy: { mode: ProxyMode; scheduler?: IpvsScheduler; syncDelay: Distribution };
  /** warm: the Deployments' pods are running and Ready at t=0; cold: everything starts from nothing at t=0. */
  start: 'warm' | 'cold';
}

export type TrafficShape =
  /** Linear change from `from` (default: the traffic's rate) to `to` between `at` and `at + duration`. */
  | { type: 'ramp'; from?: number; to: number; at: number; duration: number }
  /** The rate becomes `rate` at each `at` (ascending). */
  | { type: 'steps'; steps: Array<{ at: number; rate: number }> }
  /** Between `at` and `at + duration` the rate is `rate`, or the base rate × `factor`. */
  | { type: 'spike'; at: number; duration: number; rate?: number; factor?: number }
  /** rate(t) = base × (1 + amplitude × cos(2π (t − peakAt) / period)). */
  | { type: 'diurnal'; period: number; amplitude: number; peakAt: number };

interface TrafficCommon {
  name: string;
  /** The Service's name (metadata.name). */
  service: string;
  /** The Service's namespace; when absent the name must be unique across namespaces. */
  namespace?: string;
  /** A Service port (number or name); default: its first port. */
  port?: number | string;
  /** Client timeout (seconds). */
  timeout: number;
  retries: { max: number; backoff: Distribution; jitter: number };
  keepAlive: { enabled: boolean; maxRequests?: number; maxAge?: number };
}

export interface OpenTraffic extends TrafficCommon {
  workload: 'open';
  /** Requests per second (with a rate-curve replay: its first rate). */
  rate: number;
  arrivals: 'poisson' | 'constant';
  shape?: TrafficShape;
  /**
   * Replayed traffic from a CSV file (engine/scenario/replay.ts), relative to the scenario file:
   * send timestamps, or a rate curve; `data` is filled in by the loader once the file is read.
   */
  replay?: { file: string; format: 'timestamps' | 'rates'; data?: Replay };
}

export interface ClosedTraffic extends TrafficCommon {
  workload: 'closed';
  users: number;
  thinkTime: Distribution;
}

export type TrafficSpec = OpenTraffic | ClosedTraffic;

export type TimelineTarget =
  | { kind: 'deployment'; name: string; namespace?: string }
  /** An Argo Rollout: `rollout/<name>`. */
  | { kind: 'rollout'; name: string; namespace?: string }
  /** name `*` means a node picked at random (from the `faults` stream). */
  | { kind: 'node'; name: string }
  | { kind: 'traffic'; name: string }
  /** One pod by name: `pod/<name>` (delete-pod). */
  | { kind: 'pod'; name: string; namespace?: string }
  /** Pods by label, kubectl's `-l` (delete-pod `selector`): `name` is the selector as written. */
  | { kind: 'selector'; name: string; selector: LabelSelector; namespace?: string };

/** A repeating fault: every `every` seconds, or as a Poisson process of `rate` per second, from `at` until `until`. */
export interface Repeat {
  every?: number;
  rate?: number;
  until?: number;
}

interface ActionBase {
  /** Simulated time (seconds) of the action, or of the first repetition's window start. */
  at: number;
  repeat?: Repeat;
}

export type TimelineAction = ActionBase &
  (
    | { action: 'set-image'; target: WorkloadTarget; images: Record<string, string> }
    | { action: 'delete-pod'; target: WorkloadTarget | PodTarget | SelectorTarget; count: number; gracePeriod?: number; force: boolean }
    | { action: 'scale'; target: WorkloadTarget; replicas: number }
    | { action: 'restart' | 'rollout-restart'; target: WorkloadTarget }
    | { action: 'promote'; target: RolloutTarget; full: boolean }
    | { action: 'abort'; target: RolloutTarget }
    | { action: 'retry'; target: RolloutTarget }
    | { action: 'rollout-undo'; target: DeploymentTarget; toRevision?: number }
    | { action: 'rollout-pause'; target: DeploymentTarget }
    | { action: 'rollout-resume'; target: DeploymentTarget }
    | { action: 'fail-node'; target: NodeTarget; duration?: number }
    | { action: 'drain-node'; target: NodeTarget }
    | { action: 'set-rate'; target: TrafficTarget; rate: number }
  );

export type DeploymentTarget = Extract<TimelineTarget, { kind: 'deployment' }>;
export type RolloutTarget = Extract<TimelineTarget, { kind: 'rollout' }>;
/** A Deployment or a Rollout (what set-image, scale, delete-pod and restart act on). */
export type WorkloadTarget = DeploymentTarget | RolloutTarget;
export type NodeTarget = Extract<TimelineTarget, { kind: 'node' }>;
export type TrafficTarget = Extract<TimelineTarget, { kind: 'traffic' }>;
export type PodTarget = Extract<TimelineTarget, { kind: 'pod' }>;
export type SelectorTarget = Extract<TimelineTarget, { kind: 'selector' }>;
export type ActionName = TimelineAction['action'];

export interface VariantSpec {
  /** The variant's name; for a matrix entry, the optional prefix of its variants' names ('' when none). */
  name: string;
  description?: string;
  /** Kept as written; the variants feature applies them later (engine/scenario/variants.ts). */
  patches: Array<{ target: string; patch: Record<string, unknown> }>;
  /** A sweep: one variant per combination of parameter values (engine/scenario/variants.ts). */
  matrix?: MatrixSpec;
}

/** `matrix: {target: deployment/web, maxSurge: [0, 1, 25%], maxUnavailable: [0, 1]}` as parsed. */
export interface MatrixSpec {
  /** The object the parameters set fields of; absent = the scenario's only Deployment. */
  target?: string;
  /** In written order: a field path (or a shorthand like maxSurge) and its values. */
  parameters: Array<{ key: string; values: unknown[] }>;
}

export interface ScenarioSpec {
  /** Simulated seconds. */
  duration: number;
  /** Seconds at the start excluded from the metrics. */
  warmup: number;
  seed: number;
  replications: number;
  /** Files or folders as written (relative to the scenario file). */
  manifests: string[];
  cluster: ClusterSpec;
  /** Behaviour of the images the scenario describes (defaults filled in). */
  images: Record<string, BehaviorProfile>;
  traffic: TrafficSpec[];
  timeline: TimelineAction[];
  /** SLO expressions as written; engine/metrics/slo.ts parses them. */
  slos: string[];
  variants: VariantSpec[];
  /** Analysis gates on Deployments (automated rollback on SLO breach); engine/run/gates.ts. */
  analysis: AnalysisGateSpec[];
}

/**
 * `spec.analysis[]`: an Argo-style analysis run on every rollout of a Deployment (from the template
 * change until the rollout completes); a Failed or Error run rolls it back (`kubectl rollout undo`).
 * `metrics` are AnalysisTemplate metrics, validated by the loader (workloads.ts).
 */
export interface AnalysisGateSpec {
  target: DeploymentTarget;
  templates: Array<{ templateName: string; clusterScope: boolean }>;
  metrics: unknown[];
  args: Array<{ name: string; value: string }>;
  onFailure: 'rollback' | 'pause';
}

// ---------------------------------------------------------------------------------------------
// Pieces

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const nameWhat = 'a lowercase name (a-z, 0-9, "-" and ".")';
const objectName = z.string(expected(nameWhat)).max(253, expected(nameWhat)).regex(NAME, expected(nameWhat)).meta({ patternErrorMessage: `expected ${nameWhat}` });
const freeName = z.string(expected('a non-empty name')).min(1, expected('a non-empty name'));

const cpu = quantity('a CPU quantity like 4 or 3500m');
const memory = quantity('a memory quantity like 16Gi');
const stringMap = z.record(z.string(), z.string(expected('a string (quote values like "true")')), expected('a mapping of strings'));

const nodeSchema = z
  .strictObject(
    {
      name: objectName.describe('The node name (metadata.name), as node/<name> targets and nodeName name it.'),
      cpu: cpu.optional().describe('Allocatable CPU (cores): 4, 3500m. Default: nodeSize.cpu.'),
      memory: memory.optional().describe('Allocatable memory: 16Gi, 8G. Default: nodeSize.memory.'),
      labels: stringMap.optional().describe('Node labels, for nodeSelector.'),
    },
    expected('a node like {name: node-1, cpu: 4, memory: 16Gi}'),
  )
  .describe('One node: its name, allocatable resources and labels.');

const PROXY_MODES = ['iptables', 'ipvs', 'nftables'] as const;
const IPVS_SCHEDULERS = ['rr', 'lc', 'sh', 'sed', 'nq'] as const;

const clusterSchema = z
  .strictObject(
    {
      nodes: z
        .union([positiveInt('a positive number of nodes'), z.array(nodeSchema, expected('a list of nodes')).min(1, expected('at least one node'))], expected('a number of nodes or a list of {name, cpu, memory}'))
        .optional()
        .describe(`The nodes: a number (named ${D.nodeName(0)}, ${D.nodeName(1)}, … of nodeSize) or a list of {name, cpu, memory, labels}. Default: ${D.nodes}.`),
      nodeSize: z
        .strictObject(
          {
            cpu: cpu.optional().describe(`Allocatable CPU of each node (cores). Default: ${D.nodeCpu}.`),
            memory: memory.optional().describe(`Allocatable memory of each node. Default: ${D.nodeMemory / 2 ** 30}Gi.`),
          },
          expected('a mapping like {cpu: 4, memory: 16Gi}'),
        )
        .optional()
        .describe('The size of the nodes given by number (and the default of listed nodes).'),
      proxy: z
        .strictObject(
          {
            mode: z.enum(PROXY_MODES, expected(`one of ${PROXY_MODES.join(', ')}`)).optional().describe(`kube-proxy's mode: how a Service picks an endpoint (iptables and nftables: at random; ipvs: by scheduler). Default: ${D.proxyMode}.`),
            scheduler: z
              .enum(IPVS_SCHEDULERS, expected(`one of ${IPVS_SCHEDULERS.join(', ')}`))
              .optional()
              .describe(`The IPVS scheduler (mode ipvs only): rr round robin, lc least connection, sh source hashing, sed shortest expected delay, nq never queue. Default: ${D.ipvsScheduler}.`),
            syncDelay: distribution()
              .prefault(`${D.proxySyncDelay}s`)
              .describe(`How long kube-proxy takes to apply an EndpointSlice change, per node view: a duration or a distribution. Default: ${D.proxySyncDelay}s.`),
          },
          expected('a mapping like {mode: iptables, syncDelay: 1s}'),
        )
        .meta({ dependentSchemas: { scheduler: { required: ['mode'], properties: { mode: { const: 'ipvs' } } } } })
        .prefault({})
        .describe('kube-proxy: the balancing mode and how late its view of the endpoints is.'),
      start: z
        .enum(['warm', 'cold'], expected('"warm" or "cold"'))
        .optional()
        .describe(`warm: the manifests' pods are running and Ready at t=0 (the run starts at t = −900 s with no traffic; nothing before t = 0 is reported); cold: everything is created at t=0. Default: ${D.start}.`),
    },
    expected('a mapping with nodes, proxy and start'),
  )
  .transform((c, ctx): ClusterSpec => {
    const size = { cpu: c.nodeSize?.cpu ?? D.nodeCpu, memory: c.nodeSize?.memory ?? D.nodeMemory };
    const given = c.nodes ?? D.nodes;
    const nodes: NodeSpec[] =
      typeof given === 'number'
        ? Array.from({ length: given }, (_, i) => ({ name: D.nodeName(i), ...size, labels: {} }))
        : given.map((n) => ({ name: n.name, cpu: n.cpu ?? size.cpu, memory: n.memory ?? size.memory, labels: n.labels ?? {} }));
    if (Array.isArray(given)) {
      const seen = new Set<string>();
      given.forEach((n, i) => {
        if (seen.has(n.name)) addIssue(ctx, `duplicate node name ${show(n.name)}`, n.name, ['nodes', i, 'name']);
        seen.add(n.name);
      });
    }
    const mode = c.proxy.mode ?? D.proxyMode;
    if (c.proxy.scheduler !== undefined && mode !== 'ipvs') {
      addIssue(ctx, `only applies when mode is ipvs (mode is ${mode})`, c.proxy.scheduler, ['proxy', 'scheduler']);
    }
    const proxy: ClusterSpec['proxy'] = { mode, syncDelay: c.proxy.syncDelay };
    if (mode === 'ipvs') proxy.scheduler = c.proxy.scheduler ?? D.ipvsScheduler;
    return { nodes, proxy, start: c.start ?? D.start };
  });

/** A distribution as a scenario would write it (for the defaults in descriptions). */
function writtenAs(d: Distribution): string {
  if (d.kind === 'constant') return formatDuration(d.mean);
  return d.quantile !== undefined ? `{p50: ${formatDuration(d.quantile(0.5))}, p99: ${formatDuration(d.quantile(0.99))}}` : d.kind;
}
const B = defaultBehavior();

/** Behaviour of one image; every field optional, the rest from defaultBehavior(). */
export const behaviorSchema = z
  .strictObject(
    {
      startup: distribution().optional().describe(`Time from the pod's start on its node to the container listening (image pull and start-up): a duration or a distribution. Default: ${writtenAs(B.startup)}.`),
      serviceTime: distribution()
        .optional()
        .describe(`Time to serve one request once it holds a concurrency slot: a duration or a distribution like {p50: 20ms, p99: 120ms}. Default: ${writtenAs(B.serviceTime)}.`),
      concurrency: positiveInt().optional().describe(`Requests one pod serves at once (its concurrency slots). Default: ${B.concurrency}.`),
      queue: nonNegativeInt().optional().describe(`Requests that may wait for a slot; more are refused with 503 (overload). Default: ${B.queue}.`),
      errorRate: fraction().optional().describe(`Fraction of requests answered with a 5xx (app_error), like 0.01 or 1%. Default: ${B.errorRate}.`),
      cpuPerRequest: duration('CPU seconds per request, like 5ms or 0.005')
        .optional()
        .describe(`CPU time one request uses (drives CPU utilisation for the HPA): a duration like 5ms. Default: ${formatDuration(B.cpuPerRequest)}.`),
      meanTimeBetweenCrashes: z
        .union([z.literal('never'), positiveDuration()], expected('a duration like 10m, or "never"'))
        .optional()
        .describe('Mean time between crashes of one container (exponential), or "never". Not with crashRate. Default: never.'),
      crashRate: rate('a crash rate like 2/h').optional().describe('Crashes per container per unit of time, like 2/h (0: never). Not with meanTimeBetweenCrashes.'),
      healthy: z.boolean(expected('true or false')).optional().describe(`Whether the container's health endpoints (its probes) succeed once it listens; false models a bad version. Default: ${B.healthy}.`),
      shutdown: z
        .enum(['immediate', 'drain'], expected('"immediate" or "drain"'))
        .optional()
        .describe(`On SIGTERM: immediate stops listening at once; drain stops accepting and finishes requests in flight (up to drainTimeout). Default: ${B.shutdown}.`),
      drainTimeout: duration().optional().describe(`With shutdown: drain, the longest time given to requests in flight. Default: ${formatDuration(B.drainTimeout)}.`),
      preStopDuration: distribution()
        .optional()
        .describe(`How long an exec or httpGet preStop hook runs (a sleep hook lasts its own seconds): a duration or a distribution. Default: ${writtenAs(B.preStopDuration)}.`),
    },
    expected('a behaviour like {startup: 5s, serviceTime: {p50: 20ms, p99: 120ms}, concurrency: 8}'),
  )
  .meta({ not: { required: ['meanTimeBetweenCrashes', 'crashRate'] } })
  .describe('How containers running this image behave; every field is optional.')
  .transform((b, ctx): BehaviorProfile => {
    const out = defaultBehavior();
    if (b.startup !== undefined) out.startup = b.startup;
    if (b.serviceTime !== undefined) out.serviceTime = b.serviceTime;
    if (b.concurrency !== undefined) out.concurrency = b.concurrency;
    if (b.queue !== undefined) out.queue = b.queue;
    if (b.errorRate !== undefined) out.errorRate = b.errorRate;
    if (b.cpuPerRequest !== undefined) out.cpuPerRequest = b.cpuPerRequest;
    if (b.healthy !== undefined) out.healthy = b.healthy;
    if (b.shutdown !== undefined) out.shutdown = b.shutdown;
    if (b.drainTimeout !== undefined) out.drainTimeout = b.drainTimeout;
    if (b.preStopDuration !== undefined) out.preStopDuration = b.preStopDuration;
    if (b.meanTimeBetweenCrashes !== undefined && b.crashRate !== undefined) {
      addIssue(ctx, 'may not be set together with meanTimeBetweenCrashes', b.crashRate, ['crashRate']);
    }
    if (b.meanTimeBetweenCrashes !== undefined) {
      const m = b.meanTimeBetweenCrashes;
      out.meanTimeBetweenCrashes = m === 'never' ? Infinity : m;
    } else if (b.crashRate !== undefined) {
      out.meanTimeBetweenCrashes = b.crashRate === 0 ? Infinity : 1 / b.crashRate;
    }
    return out;
  });

// Traffic ---------------------------------------------------------------------------------------

const shapeType = <T extends string>(t: T, what: string) => z.literal(t).describe(what);
const shapeSchema = z.discriminatedUnion(
  'type',
  [
    z
      .strictObject({
        type: shapeType('ramp', 'ramp: a linear change of the rate.'),
        from: rate().optional().describe("The rate at the start of the ramp. Default: the traffic's rate."),
        to: rate().describe('The rate at the end of the ramp (kept after it).'),
        at: duration().prefault(0).describe('When the ramp starts. Default: 0s.'),
        duration: duration().describe('How long the ramp lasts.'),
      })
      .describe('A linear change of the rate from `from` to `to` between `at` and `at + duration`.'),
    z
      .strictObject({
        type: shapeType('steps', 'steps: the rate changes at given times.'),
        steps: z
          .array(
            z
              .strictObject({ at: duration().describe('When the rate changes (steps in increasing order).'), rate: rate().describe('The rate from then on.') }, expected('a step like {at: 60s, rate: 800/s}'))
              .describe('One step: the rate from `at` on.'),
            expected('a list of steps'),
          )
          .min(1, expected('at least one step'))
          .describe('The steps, in increasing order of at.'),
      })
      .superRefine((s, ctx) => {
        s.steps.forEach((step, i) => {
          const prev = s.steps[i - 1];
          if (prev !== undefined && step.at <= prev.at) addIssue(ctx, `steps must be in increasing order of at; ${formatDuration(step.at)} is not after ${formatDuration(prev.at)}`, step.at, ['steps', i, 'at']);
        });
      })
      .describe('The rate becomes each step\'s rate at its time.'),
    z
      .strictObject({
        type: shapeType('spike', 'spike: a burst of traffic.'),
        at: duration().describe('When the spike starts.'),
        duration: duration().describe('How long the spike lasts.'),
        rate: rate().optional().describe('The rate during the spike (or factor).'),
        factor: z.number(expected('a positive number')).positive(expected('a positive number')).optional().describe('The rate during the spike as a multiple of the base rate (or rate).'),
      })
      .superRefine((s, ctx) => {
        if ((s.rate === undefined) === (s.factor === undefined)) addIssue(ctx, 'expected exactly one of rate (the spike rate) or factor (× the base rate)', undefined, ['rate']);
      })
      .meta({ oneOf: [{ required: ['rate'] }, { required: ['factor'] }] })
      .describe('Between `at` and `at + duration` the rate is `rate`, or the base rate × `factor` (exactly one of them).'),
    z
      .strictObject({
        type: shapeType('diurnal', 'diurnal: a daily cycle.'),
        period: positiveDuration().prefault('24h').describe('The length of one cycle. Default: 24h.'),
        amplitude: fraction('an amplitude between 0 and 1').prefault(0.5).describe('How far the rate swings around the base rate, as a fraction of it (0 to 1). Default: 0.5.'),
        peakAt: duration().prefault(0).describe('When the rate peaks. Default: 0s.'),
      })
      .describe('rate(t) = base × (1 + amplitude × cos(2π (t − peakAt) / period)).'),
  ],
  {
    error: (iss) => {
      const input = iss.input as Record<string, unknown> | undefined;
      if (input === null || typeof input !== 'object' || Array.isArray(input)) return expectedMessage('a traffic shape like {type: ramp, to: 1000/s, duration: 60s}', input);
      return expectedMessage('one of "ramp", "steps", "spike", "diurnal"', input['type']);
    },
  },
);

const keepAliveSchema = z
  .union(
    [
      z.boolean().describe('true: reuse connections without limits; false: a new connection per request.'),
      z
        .strictObject({
          enabled: z.boolean(expected('true or false')).optional().describe('Reuse connections. Default: true once the mapping is written.'),
          maxRequests: positiveInt().optional().describe('Requests one connection carries before the client closes it.'),
          maxAge: duration().optional().describe('How long a connection is reused before the client closes it.'),
        })
        .describe('Keep-alive with limits.'),
    ],
    expected('true, false or {enabled, maxRequests, maxAge}'),
  )
  .transform((k): TrafficCommon['keepAlive'] => {
    if (typeof k === 'boolean') return { enabled: k };
    // Writing the object at all means keep-alive is wanted unless enabled says otherwise.
    const out: TrafficCommon['keepAlive'] = { enabled: k.enabled ?? true };
    if (k.maxRequests !== undefined) out.maxRequests = k.maxRequests;
    if (k.maxAge !== undefined) out.maxAge = k.maxAge;
    return out;
  });

const TRAFFIC_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Which fields each workload takes: open (rate, with shape and arrivals), closed (users, thinkTime), replayed. */
const none = (...keys: string[]) => ({ not: { anyOf: keys.map((k) => ({ required: [k] })) } });
const WORKLOAD_FORMS = {
  oneOf: [
    { required: ['rate'], ...none('users', 'thinkTime', 'replay') },
    { required: ['users'], ...none('rate', 'shape', 'arrivals', 'replay') },
    { required: ['replay'], ...none('rate', 'shape', 'users', 'thinkTime') },
  ],
};

const trafficSchema = z
  .strictObject(
    {
      name: z
        .string(expected('a name (letters, digits, "-", "_" and ".")'))
        .regex(TRAFFIC_NAME, expected('a name (letters, digits, "-", "_" and ".")'))
        .meta({ patternErrorMessage: 'expected a name (letters, digits, "-", "_" and ".")' })
        .optional()
        .describe('The name of this traffic in reports, set-rate targets and traffic[name] patches. Default: the service. Distinct across entries.'),
      service: z.string(expected('the name of a Service')).min(1, expected('the name of a Service')).describe('The Service the clients call (its metadata.name).'),
      namespace: z.string(expected('a namespace')).optional().describe("The Service's namespace; needed only when the name is in several."),
      port: z.union([z.number().int(), z.string()], expected('a Service port number or name')).optional().describe("A port of the Service (number or name). Default: its first port."),
      rate: rate().optional().describe('Open workload: requests per second sent whatever the responses, like 500/s or 30000/m.'),
      users: positiveInt('a positive number of users').optional().describe('Closed workload: users who each send a request, wait for the response, then think.'),
      thinkTime: distribution().optional().describe('Closed workload: the pause between a response and the next request of a user. Default: 0.'),
      arrivals: z.enum(['poisson', 'constant'], expected('"poisson" or "constant"')).optional().describe(`Open workload: poisson (random, exponential gaps) or constant gaps. Default: ${D.traffic.arrivals}.`),
      shape: shapeSchema.optional().describe('Open workload: how the rate changes over time (ramp, steps, spike, diurnal).'),
      replay: z
        .strictObject(
          {
            file: z.string(expected('a CSV file path')).min(1, expected('a CSV file path')).describe('The CSV file, relative to the scenario file.'),
            format: z.enum(['timestamps', 'rates'], expected('"timestamps" or "rates"')).optional().describe('timestamps: one send time (seconds) per line; rates: lines "time,rate". Default: timestamps.'),
          },
          expected('a replay like {file: arrivals.csv, format: timestamps}'),
        )
        .optional()
        .describe('Open workload replayed from a CSV file (instead of rate and shape).'),
      timeout: positiveDuration().optional().describe(`How long a client waits for a response (then: timeout). Default: ${D.traffic.timeout}s.`),
      retries: z
        .strictObject(
          {
            max: nonNegativeInt().optional().describe(`Retries of a failed request. Default: ${D.traffic.retries.max}.`),
            backoff: distribution().optional().describe(`The wait before a retry: a duration or a distribution. Default: ${D.traffic.retries.backoff}s.`),
            jitter: fraction('a jitter fraction between 0 and 1').optional().describe(`Random part of the backoff, as a fraction of it. Default: ${D.traffic.retries.jitter}.`),
          },
          expected('a mapping like {max: 2, backoff: 100ms, jitter: 0.5}'),
        )
        .optional()
        .describe('Client retries of failed requests.'),
      keepAlive: keepAliveSchema.optional().describe('Connection reuse: true, false or {maxRequests, maxAge}. Default: false (a connection per request).'),
    },
    expected('a traffic entry like {service: web, rate: 500/s}'),
  )
  .meta(WORKLOAD_FORMS)
  .describe('One client population: open (rate), closed (users) or replayed (replay).')
  .transform((t, ctx): TrafficSpec => {
    const common: TrafficCommon = {
      name: t.name ?? t.service,
      service: t.service,
      timeout: t.timeout ?? D.traffic.timeout,
      retries: {
        max: t.retries?.max ?? D.traffic.retries.max,
        backoff: t.retries?.backoff ?? constant(D.traffic.retries.backoff),
        jitter: t.retries?.jitter ?? D.traffic.retries.jitter,
      },
      keepAlive: t.keepAlive ?? { ...D.traffic.keepAlive },
    };
    if (t.namespace !== undefined) common.namespace = t.namespace;
    if (t.port !== undefined) common.port = t.port;
    if (t.users !== undefined) {
      if (t.rate !== undefined) addIssue(ctx, 'may not be set together with rate: a workload is open (rate) or closed (users)', t.users, ['users']);
      if (t.shape !== undefined) addIssue(ctx, 'applies to open workloads (rate), not to users', undefined, ['shape']);
      if (t.arrivals !== undefined) addIssue(ctx, 'applies to open workloads (rate), not to users', t.arrivals, ['arrivals']);
      if (t.replay !== undefined) addIssue(ctx, 'applies to open workloads, not to users', undefined, ['replay']);
      return { ...common, workload: 'closed', users: t.users, thinkTime: t.thinkTime ?? constant(0) };
    }
    if (t.replay !== undefined) {
      if (t.rate !== undefined) addIssue(ctx, 'may not be set together with replay: the replayed file gives the traffic', t.rate, ['rate']);
      if (t.shape !== undefined) addIssue(ctx, 'may not be set together with replay: the replayed file gives the traffic', undefined, ['shape']);
      if (t.thinkTime !== undefined) addIssue(ctx, 'applies to closed workloads (users), not to replay', undefined, ['thinkTime']);
      const open: OpenTraffic = { ...common, workload: 'open', rate: 0, arrivals: t.arrivals ?? D.traffic.arrivals };
      open.replay = { file: t.replay.file, format: t.replay.format ?? 'timestamps' };
      return open;
    }
    if (t.rate === undefined) {
      addIssue(ctx, 'missing required field; expected a rate like 500/s (open workload), users and thinkTime (closed workload), or a replay file', undefined, ['rate']);
      return z.NEVER;
    }
    if (t.thinkTime !== undefined) addIssue(ctx, 'applies to closed workloads (users), not to rate', undefined, ['thinkTime']);
    const open: OpenTraffic = { ...common, workload: 'open', rate: t.rate, arrivals: t.arrivals ?? D.traffic.arrivals };
    if (t.shape !== undefined) open.shape = t.shape;
    return open;
  });


// Timeline --------------------------------------------------------------------------------------

export const ACTIONS = [
  'set-image',
  'delete-pod',
  'scale',
  'rollout-undo',
  'rollout-pause',
  'rollout-resume',
  'fail-node',
  'drain-node',
  'set-rate',
  'rollout-restart',
  'restart',
  'promote',
  'abort',
  'retry',
] as const satisfies readonly ActionName[];

/** Actions that may repeat (`every` or `rate`): the random faults. */
export const REPEATABLE: readonly ActionName[] = ['delete-pod', 'fail-node', 'drain-node'];

const DEPLOYMENT_PREFIXES = ['deployment', 'deployments', 'deploy'];
const NODE_PREFIXES = ['node', 'nodes', 'no'];
const ROLLOUT_PREFIXES = ['rollout', 'rollouts', 'ro'];
const POD_PREFIXES = ['pod', 'pods', 'po'];

/** delete-pod's target: `deployment/<name>`, `rollout/<name>` or `pod/<name>`. */
function deletePodTarget() {
  const what = 'a target like deployment/<name>, rollout/<name> or pod/<name>';
  const pattern = targetPattern([...DEPLOYMENT_PREFIXES, ...ROLLOUT_PREFIXES, ...POD_PREFIXES], NAME_SOURCE);
  return z.string(expected(what)).meta({ pattern, patternErrorMessage: `expected ${what}`, description: 'deployment/<name> or rollout/<name> (count of its pods), or pod/<name> (also pods/, po/); or give selector instead.' }).transform((s, ctx): WorkloadTarget | PodTarget => {
    const slash = s.indexOf('/');
    const prefix = slash < 0 ? '' : s.slice(0, slash).toLowerCase();
    const rest = s.slice(slash + 1);
    const kind = ROLLOUT_PREFIXES.includes(prefix) ? 'rollout' : DEPLOYMENT_PREFIXES.includes(prefix) ? 'deployment' : POD_PREFIXES.includes(prefix) ? 'pod' : undefined;
    if (kind === undefined || !NAME.test(rest)) {
      addIssue(ctx, expectedMessage(what, s), s);
      return z.NEVER;
    }
    return { kind, name: rest };
  });
}

/** A kubectl `-l` label selector (engine/cluster/labels.ts). */
const selectorField = z.string(expected('a label selector like app=web or "app=web,tier!=db"')).transform((s, ctx): SelectorTarget => {
  try {
    return { kind: 'selector', name: s.trim(), selector: parseLabelSelector(s) };
  } catch (e) {
    if (!(e instanceof SelectorSyntaxError)) throw e;
    addIssue(ctx, `${e.message} at column ${e.column} of ${JSON.stringify(s)}; expected a label selector like app=web, "app=web,tier!=db" or "env in (a,b)"`, s);
    return z.NEVER;
  }
});

/** A word matched case-insensitively in a JSON Schema pattern (patterns take no flags). */
function anyCase(word: string): string {
  return [...word].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c)).join('');
}
const NAME_SOURCE = NAME.source.slice(1, -1);
const TRAFFIC_NAME_SOURCE = '[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?';
/** `^(?:prefix|…)/<rest>$` with the prefixes in any case, as the target parsers read them. */
function targetPattern(prefixes: readonly string[], rest: string): string {
  return `^(?:${prefixes.map(anyCase).join('|')})/(?:${rest})$`;
}

/** `deployment/<name>` or `rollout/<name>`. */
function workloadTarget(rolloutOnly = false) {
  const what = rolloutOnly ? 'a target like rollout/<name>' : 'a target like deployment/<name> or rollout/<name>';
  const pattern = targetPattern(rolloutOnly ? ROLLOUT_PREFIXES : [...DEPLOYMENT_PREFIXES, ...ROLLOUT_PREFIXES], NAME_SOURCE);
  return z
    .string(expected(what))
    .meta({ pattern, patternErrorMessage: `expected ${what}` })
    .transform((s, ctx): WorkloadTarget => {
      const slash = s.indexOf('/');
      const prefix = slash < 0 ? '' : s.slice(0, slash).toLowerCase();
      const rest = slash < 0 ? s : s.slice(slash + 1);
      const kind = ROLLOUT_PREFIXES.includes(prefix) ? 'rollout' : !rolloutOnly && DEPLOYMENT_PREFIXES.includes(prefix) ? 'deployment' : undefined;
      if (kind === undefined || !NAME.test(rest)) {
        addIssue(ctx, expectedMessage(what, s), s);
        return z.NEVER;
      }
      return { kind, name: rest };
    })
    .describe(rolloutOnly ? 'The Argo Rollout: rollout/<name> (also rollouts/, ro/).' : 'The workload: deployment/<name> (also deployments/, deploy/) or rollout/<name> (rollouts/, ro/).');
}

function target<T extends TimelineTarget['kind']>(kind: T) {
  const what =
    kind === 'deployment' ? 'a target like deployment/<name>' : kind === 'node' ? 'a target like node/<name> (or node/* for a random node)' : 'the name of a traffic entry (or traffic/<name>)';
  const pattern =
    kind === 'deployment'
      ? targetPattern(DEPLOYMENT_PREFIXES, NAME_SOURCE)
      : kind === 'node'
        ? targetPattern(NODE_PREFIXES, `\\*|${NAME_SOURCE}`)
        : `^(?:${anyCase('traffic')}/)?${TRAFFIC_NAME_SOURCE}$`;
  const description =
    kind === 'deployment'
      ? 'The Deployment: deployment/<name> (also deployments/, deploy/).'
      : kind === 'node'
        ? 'The node: node/<name> (also nodes/, no/), or node/* for one picked at random.'
        : 'The traffic entry: its name, or traffic/<name>.';
  return z
    .string(expected(what))
    .meta({ pattern, patternErrorMessage: `expected ${what}` })
    .transform((s, ctx): Extract<TimelineTarget, { kind: T }> => {
      const slash = s.indexOf('/');
      const prefix = slash < 0 ? '' : s.slice(0, slash).toLowerCase();
      const rest = slash < 0 ? s : s.slice(slash + 1);
      const ok =
        kind === 'deployment'
          ? DEPLOYMENT_PREFIXES.includes(prefix) && NAME.test(rest)
          : kind === 'node'
            ? NODE_PREFIXES.includes(prefix) && (rest === '*' || NAME.test(rest))
            : (prefix === '' || prefix === 'traffic') && TRAFFIC_NAME.test(rest);
      if (!ok) {
        addIssue(ctx, expectedMessage(what, s), s);
        return z.NEVER;
      }
      return { kind, name: rest } as Extract<TimelineTarget, { kind: T }>;
    })
    .describe(description);
}

const IMAGE_PAIR = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?|\*)=(\S+)$/;
const IMAGE_PAIR_SOURCE = '(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?|\\*)=\\S+';
const setImageWhat = 'container=image, like nginx=nginx:1.26 (several separated by spaces), or a mapping {nginx: nginx:1.26}';
const imagesField = z
  .union([z.string(), z.record(z.string(), z.string(expected('an image like nginx:1.26')))], expected(setImageWhat))
  .meta({
    anyOf: [
      { type: 'string', pattern: `^\\s*${IMAGE_PAIR_SOURCE}(?:\\s+${IMAGE_PAIR_SOURCE})*\\s*$`, patternErrorMessage: `expected ${setImageWhat}` },
      { type: 'object', minProperties: 1, additionalProperties: { type: 'string' } },
    ],
  })
  .transform((v, ctx) => {
    if (typeof v !== 'string') {
      if (Object.keys(v).length === 0) addIssue(ctx, expectedMessage(setImageWhat, v), v);
      return v;
    }
    const out: Record<string, string> = {};
    const parts = v.trim().split(/\s+/).filter((p) => p !== '');
    for (const part of parts) {
      const m = IMAGE_PAIR.exec(part);
      if (m === null) {
        addIssue(ctx, expectedMessage(setImageWhat, part), part);
        return z.NEVER;
      }
      out[m[1]!] = m[3]!;
    }
    if (parts.length === 0) addIssue(ctx, expectedMessage(setImageWhat, v), v);
    return out;
  })
  .describe('The new images, as kubectl set image writes them: container=image (several separated by spaces; * for every container), or a mapping {container: image}.');

const atField = (what: string) => duration('a duration like 60s (when the action happens)').describe(what);
const namespaceField = z.string(expected('a namespace')).optional().describe("The target's namespace; needed only when its name is in several.");
const everyField = positiveDuration().optional().describe('Repeat every this long, from at (default 0s) until until.');
const untilField = duration().optional().describe('When a repeating action stops (default: the end of the scenario).');
const repeatRateField = rate('a repetition rate like 2/h').optional().describe('Repeat as a Poisson process of this rate (like 2/h), from at until until; not with every.');

const NOT_REPEATING = `Not for this action: only ${REPEATABLE.join(', ')} repeat.`;

/** An action done once, at `at` (`every`/`until` are read only to say that it cannot repeat). */
function oneShot<A extends string, S extends z.core.$ZodLooseShape>(action: A, description: string, shape: S) {
  return z
    .strictObject({ at: atField('When the action happens (simulated time from the start).'), action: z.literal(action).describe(description), ...shape, every: everyField.describe(NOT_REPEATING), until: untilField.describe(NOT_REPEATING) })
    .meta({ not: { anyOf: [{ required: ['every'] }, { required: ['until'] }] } })
    .describe(description);
}

/** A fault that may repeat: at `at`, or every `every` / at a Poisson `rate` from `at` until `until`. */
function repeatable<A extends string, S extends z.core.$ZodLooseShape>(action: A, description: string, shape: S, extra?: Record<string, unknown>) {
  return z
    .strictObject({
      at: duration().optional().describe('When the action happens; for a repeating one, when it starts (default 0s). Required unless every or rate is given.'),
      action: z.literal(action).describe(description),
      ...shape,
      every: everyField,
      rate: repeatRateField,
      until: untilField,
    })
    .meta({
      anyOf: [{ required: ['at'] }, { required: ['every'] }, { required: ['rate'] }],
      not: { required: ['every', 'rate'] },
      dependentSchemas: { until: { anyOf: [{ required: ['every'] }, { required: ['rate'] }] } },
      ...(extra !== undefined ? { allOf: [extra] } : {}),
    })
    .describe(description);
}

const timelineEntry = z
  .discriminatedUnion(
    'action',
    [
      oneShot('set-image', 'kubectl set image: change container images of a Deployment or Rollout (starts a rollout).', { target: workloadTarget(), namespace: namespaceField, image: imagesField }),
      repeatable(
        'delete-pod',
        'kubectl delete pod: delete pods of a workload (count of its active pods, picked at random from a seeded stream), one pod by name, or every pod a label selector matches; graceful unless gracePeriod or force says otherwise.',
        {
          target: deletePodTarget().optional(),
          namespace: namespaceField,
          selector: selectorField.optional().describe('kubectl delete pod -l: every active pod whose labels match, like app=web or "app=web,tier!=db" (instead of target).'),
          count: positiveInt().optional().describe('How many pods of a deployment/ or rollout/ target to delete. Default: 1.'),
          gracePeriod: nonNegativeInt('a non-negative number of seconds').optional().describe("kubectl delete --grace-period: seconds before SIGKILL (0: at once). Default: the pod's terminationGracePeriodSeconds."),
          force: z.boolean(expected('true or false')).default(false).describe('kubectl delete --grace-period=0 --force: kill at once. Default: false.'),
        },
        {
          oneOf: [{ required: ['target'] }, { required: ['selector'] }],
          not: { required: ['force', 'gracePeriod'], properties: { force: { const: true }, gracePeriod: { exclusiveMinimum: 0 } } },
        },
      ),
      oneShot('scale', 'kubectl scale: set the replicas of a Deployment or Rollout.', { target: workloadTarget(), namespace: namespaceField, replicas: nonNegativeInt().describe('The new number of replicas.') }),
      oneShot('rollout-restart', 'kubectl rollout restart (kubectl argo rollouts restart): replace every pod by a rollout of the same template.', { target: workloadTarget(), namespace: namespaceField }),
      oneShot('restart', 'kubectl rollout restart (kubectl argo rollouts restart): replace every pod by a rollout of the same template.', { target: workloadTarget(), namespace: namespaceField }),
      oneShot('promote', 'kubectl argo rollouts promote: move an Argo Rollout past its current pause (or every step with full).', {
        target: workloadTarget(true),
        namespace: namespaceField,
        full: z.boolean(expected('true or false')).default(false).describe('Skip every remaining step (promote --full). Default: false.'),
      }),
      oneShot('abort', 'kubectl argo rollouts abort: abort an Argo Rollout (back to the stable version).', { target: workloadTarget(true), namespace: namespaceField }),
      oneShot('retry', 'kubectl argo rollouts retry: retry an aborted Argo Rollout.', { target: workloadTarget(true), namespace: namespaceField }),
      oneShot('rollout-undo', 'kubectl rollout undo: roll a Deployment back to its previous (or a given) revision.', {
        target: target('deployment'),
        namespace: namespaceField,
        toRevision: nonNegativeInt().optional().describe('The revision to go back to (--to-revision). Default: the previous one.'),
      }),
      oneShot('rollout-pause', 'kubectl rollout pause: pause a Deployment\'s rollout.', { target: target('deployment'), namespace: namespaceField }),
      oneShot('rollout-resume', 'kubectl rollout resume: resume a paused Deployment.', { target: target('deployment'), namespace: namespaceField }),
      repeatable('fail-node', 'The node stops (its kubelet and pods die); it comes back after duration, if given.', {
        target: target('node'),
        duration: duration().optional().describe('How long the node stays down. Default: until the end.'),
      }),
      repeatable('drain-node', 'kubectl drain: cordon the node and evict its pods through their PodDisruptionBudgets.', { target: target('node') }),
      oneShot('set-rate', 'Change the rate of an open traffic entry.', { target: target('traffic'), rate: rate().describe('The new rate, like 800/s.') }),
    ],
    {
      error: (iss) => {
        const input = iss.input as Record<string, unknown> | undefined;
        const list = ACTIONS.join(', ');
        if (input === null || typeof input !== 'object' || Array.isArray(input)) {
          return expectedMessage('a timeline entry like {at: 60s, action: scale, target: deployment/web, replicas: 5}', input);
        }
        const action = input['action'];
        if (typeof action === 'string') return `unknown timeline action ${JSON.stringify(action)}; expected one of ${list}`;
        return expectedMessage(`an action, one of ${list}`, action);
      },
    },
  )
  .describe('One action of the timeline, in kubectl\'s vocabulary.')
  .transform((e, ctx): TimelineAction => {
    const { at, every, until, ...rest } = e;
    const namespace = 'namespace' in e ? e.namespace : undefined;
    delete (rest as { namespace?: string }).namespace;
    const repeatRateValue = 'rate' in e && e.action !== 'set-rate' ? (e as { rate?: number }).rate : undefined;
    const repeats = every !== undefined || repeatRateValue !== undefined;
    if (repeats && !REPEATABLE.includes(e.action)) {
      addIssue(ctx, `only ${REPEATABLE.join(', ')} can repeat`, every, ['every']);
    }
    if (every !== undefined && repeatRateValue !== undefined) addIssue(ctx, 'may not be set together with rate', every, ['every']);
    if (until !== undefined && !repeats) addIssue(ctx, 'applies to repeating actions (every or rate)', until, ['until']);
    if (at === undefined && !repeats) {
      addIssue(ctx, 'missing required field; expected a duration like 60s (when the action happens)', undefined, ['at']);
      return z.NEVER;
    }
    const start = at ?? 0;
    if (until !== undefined && until <= start) addIssue(ctx, `must be after at (${formatDuration(start)})`, until, ['until']);
    const out = { ...rest, at: start } as Record<string, unknown>;
    if (e.action !== 'set-rate') delete out['rate'];
    if (e.action === 'set-image') {
      out['images'] = out['image'];
      delete out['image'];
    }
    if (e.action === 'delete-pod' && !deletePodFields(e, out, ctx)) return z.NEVER;
    if (namespace !== undefined && ['deployment', 'rollout', 'pod', 'selector'].includes((out['target'] as TimelineTarget).kind)) {
      out['target'] = { ...(out['target'] as WorkloadTarget), namespace };
    }
    if (repeats) {
      const repeat: Repeat = {};
      if (every !== undefined) repeat.every = every;
      if (repeatRateValue !== undefined) repeat.rate = repeatRateValue;
      if (until !== undefined) repeat.until = until;
      out['repeat'] = repeat;
    }
    return out as unknown as TimelineAction;
  });

/**
 * delete-pod's choice of pods: exactly one of `target` (a workload: `count` random active pods of it,
 * default 1; or `pod/<name>`) and `selector` (every matching active pod, as `kubectl delete pod -l`);
 * `force: true` is `--grace-period=0 --force`, so a gracePeriod above 0 contradicts it.
 */
function deletePodFields(
  e: { target?: WorkloadTarget | PodTarget | undefined; selector?: SelectorTarget | undefined; count?: number | undefined; gracePeriod?: number | undefined; force: boolean },
  out: Record<string, unknown>,
  ctx: z.RefinementCtx,
): boolean {
  if (e.target !== undefined && e.selector !== undefined) {
    addIssue(ctx, 'give target or selector, not both (a selector picks pods by label in the namespace)', e.selector.name, ['selector']);
    return false;
  }
  if (e.target === undefined && e.selector === undefined) {
    addIssue(ctx, 'missing required field; expected a target like deployment/<name> or pod/<name>, or a selector like app=web', undefined, ['target']);
    return false;
  }
  const target = e.target ?? e.selector!;
  if (e.count !== undefined && (target.kind === 'pod' || target.kind === 'selector')) {
    addIssue(ctx, `applies to deployment/ and rollout/ targets; ${target.kind === 'pod' ? 'pod/<name> is one pod' : 'a selector deletes every matching pod, as kubectl delete pod -l does'}`, e.count, ['count']);
  }
  if (e.force && e.gracePeriod !== undefined && e.gracePeriod > 0) {
    addIssue(ctx, `force deletes at once (kubectl delete --grace-period=0 --force); remove gracePeriod or set it to 0, got ${e.gracePeriod}`, e.gracePeriod, ['gracePeriod']);
  }
  out['target'] = target;
  delete out['selector'];
  out['count'] = e.count ?? 1;
  return true;
}

// SLOs and variants -----------------------------------------------------------------------------

const sloWhat = 'an SLO like "availability >= 99.9%" or "p(99) < 300ms"';
// A loose shape here; the loader parses each SLO with the SLO grammar and reports its column. The
// JSON Schema carries the grammar itself (SLO_PATTERN).
const slo = z
  .string(expected(sloWhat))
  .regex(/^\s*\S.*?\s*(<=|>=|<|>|==|!=)\s*\S+\s*$/, expected(sloWhat))
  .meta({
    pattern: SLO_PATTERN,
    patternErrorMessage: 'expected an SLO like "availability >= 99.9%", "p(99) < 300ms" or "errors.total == 0": a metric, an operator (< <= > >= == !=) and a value (durations with their unit, percentages ≤ 100%, fractions ≤ 1)',
  })
  .describe(
    'metric op value. Metrics: availability, error_rate (a fraction ≤ 1 or a percentage), p(N) / pN, latency.mean|min|max (a duration with its unit), errors.<outcome>|total, requests.total|ok|failed (counts), rollout.duration, rollout.min_available, rollout.max_pods; k6 names http_req_failed, http_req_duration.p(N)|avg|med|min|max. op: < <= > >= == !=.',
  );

const VARIANT_TARGET = /^((deployment|deployments|deploy|rollout|rollouts|ro|service|services|svc)\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?|scenario)$/;
const variantTargetWhat = 'a target like deployment/<name>, service/<name> or scenario';
const variantTarget = () =>
  z
    .string(expected(variantTargetWhat))
    .regex(VARIANT_TARGET, expected(variantTargetWhat))
    .meta({ patternErrorMessage: `expected ${variantTargetWhat}` })
    .describe('What the patch changes: deployment/<name>, rollout/<name>, service/<name> (and their short forms), or scenario (this Scenario document).');
const patchesSchema = z
  .array(
    z
      .strictObject(
        {
          target: variantTarget(),
          patch: z
            .record(z.string(), z.unknown(), expected('a mapping (a strategic-merge-style patch)'))
            .describe('A strategic-merge-style patch of the target as written (lists of named items merge by name; null deletes a key).'),
        },
        expected('a patch like {target: deployment/web, patch: {spec: {replicas: 4}}}'),
      )
      .describe('One patch: a target and the fields to change.'),
    expected('a list of patches'),
  )
  .describe('The changes this variant makes to the manifests or to the scenario.');

/** Most combinations a matrix may expand to. */
export const MAX_MATRIX_COMBINATIONS = 1000;

const matrixWhat = 'a matrix like {target: deployment/web, maxSurge: [0, 1, 25%], maxUnavailable: [0, 1]}';
const matrixSchema = z
  .record(z.string(), z.unknown(), expected(matrixWhat))
  .meta({
    properties: { target: { type: 'string', pattern: VARIANT_TARGET.source, patternErrorMessage: `expected ${variantTargetWhat}`, description: 'The object the parameters set fields of. Default: the only Deployment.' } },
    additionalProperties: { type: 'array', minItems: 1, description: 'A parameter: a field path (or a shorthand like maxSurge, replicas, image) and its values.' },
    anyOf: [{ minProperties: 2 }, { minProperties: 1, not: { required: ['target'] } }],
  })
  .transform((m, ctx): MatrixSpec => {
    const out: MatrixSpec = { parameters: [] };
    let combinations = 1;
    for (const [key, value] of Object.entries(m)) {
      if (key === 'target') {
        if (typeof value !== 'string' || !VARIANT_TARGET.test(value)) addIssue(ctx, expectedMessage(variantTargetWhat, value), value, ['target']);
        else out.target = value;
        continue;
      }
      if (!Array.isArray(value) || value.length === 0) {
        addIssue(ctx, expectedMessage(`a non-empty list of values for ${key}, like [0, 1, 25%]`, value), value, [key]);
        continue;
      }
      combinations *= value.length;
      out.parameters.push({ key, values: value });
    }
    if (Object.keys(m).every((k) => k === 'target')) addIssue(ctx, `expected at least one parameter, ${matrixWhat.replace(/^a matrix /, '')}`, m);
    if (combinations > MAX_MATRIX_COMBINATIONS) addIssue(ctx, `expands to ${combinations} combinations; at most ${MAX_MATRIX_COMBINATIONS} are allowed`, m);
    return out;
  })
  .describe(`A sweep: one variant per combination of the parameters' values (at most ${MAX_MATRIX_COMBINATIONS}), like {target: deployment/web, maxSurge: [0, 1, 25%], maxUnavailable: [0, 1]}.`);

const variantSchema = z
  .strictObject(
    {
      name: freeName.optional().describe('The variant name in reports, distinct after matrices expand (with a matrix: the prefix of its variants\' names). Required without a matrix.'),
      description: z.string(expected('a string')).optional().describe('What the variant tries, for the reports.'),
      patches: patchesSchema.prefault([]),
      matrix: matrixSchema.optional(),
    },
    expected('a variant like {name: recreate, patches: [...]}'),
  )
  .meta({ anyOf: [{ required: ['name'] }, { required: ['matrix'] }] })
  .describe('One variant of the scenario (compared with the others under the same random numbers), or a matrix of them.')
  .transform((v, ctx): VariantSpec => {
    if (v.name === undefined && v.matrix === undefined) {
      addIssue(ctx, 'missing required field; expected a non-empty name (or a matrix)', undefined, ['name']);
      return z.NEVER;
    }
    const out: VariantSpec = { name: v.name ?? '', patches: v.patches };
    if (v.description !== undefined) out.description = v.description;
    if (v.matrix !== undefined) out.matrix = v.matrix;
    return out;
  });

const analysisGate = z
  .strictObject(
    {
      target: target('deployment'),
      namespace: z.string(expected('a namespace')).optional().describe("The Deployment's namespace; needed only when its name is in several."),
      templates: z
        .array(
          z
            .strictObject(
              {
                templateName: z.string(expected('a template name')).min(1, expected('a template name')).describe('The AnalysisTemplate (or ClusterAnalysisTemplate) to run.'),
                clusterScope: z.boolean(expected('true or false')).prefault(false).describe('true: a ClusterAnalysisTemplate. Default: false.'),
              },
              expected('a mapping with templateName'),
            )
            .describe('An Argo analysis template reference.'),
          expected('a list of templates'),
        )
        .prefault([])
        .describe('AnalysisTemplates to run on every rollout (as an Argo Rollout\'s analysis.templates).'),
      metrics: z
        .array(z.unknown(), expected('a list of metrics (AnalysisTemplate metrics)'))
        .prefault([])
        .describe('Inline AnalysisTemplate metrics (name, interval, count, successCondition, provider: {kubesim: …}, …).'),
      args: z
        .array(
          z.strictObject({ name: z.string(expected('an argument name')).describe('The argument name.'), value: z.string(expected('a string')).describe('Its value.') }, expected('an argument {name, value}')).describe('An argument of the templates.'),
          expected('a list of arguments'),
        )
        .prefault([])
        .describe('Arguments for the templates.'),
      onFailure: z.enum(['rollback', 'pause'], expected('"rollback" or "pause"')).prefault('rollback').describe('What a Failed or Error analysis does: rollback (kubectl rollout undo) or pause. Default: rollback.'),
    },
    expected('an analysis gate like {target: deployment/web, metrics: [...]}'),
  )
  .meta({
    anyOf: [
      { required: ['templates'], properties: { templates: { minItems: 1 } } },
      { required: ['metrics'], properties: { metrics: { minItems: 1 } } },
    ],
  })
  .describe('An Argo-style analysis run on every rollout of a Deployment; a failed one rolls it back (or pauses it).')
  .transform((g, ctx): AnalysisGateSpec => {
    if (g.templates.length === 0 && g.metrics.length === 0) addIssue(ctx, 'expected templates or metrics', g, []);
    const t = g.namespace !== undefined ? { ...g.target, namespace: g.namespace } : g.target;
    return { target: t, templates: g.templates, metrics: g.metrics, args: g.args, onFailure: g.onFailure };
  });

// ---------------------------------------------------------------------------------------------
// The Scenario kind

const specSchema = z
  .strictObject(
    {
      duration: positiveDuration()
        .meta({ maximum: MAX_SERIES_BUCKETS })
        .prefault(`${D.duration}s`)
        .describe(`Simulated time of each run, like 10m. Default: ${D.duration}s; at most ${formatDuration(MAX_SERIES_BUCKETS)}.`),
      warmup: duration().prefault(`${D.warmup}s`).describe('Requests sent before this time are not measured (shorter than duration). Default: 0s.'),
      seed: z
        .number(expected('a non-negative integer seed'))
        .int(expected('a non-negative integer seed'))
        .min(0, expected('a non-negative integer seed'))
        .max(Number.MAX_SAFE_INTEGER, expected('a non-negative integer seed'))
        .prefault(D.seed)
        .describe(`The seed every random stream derives from (--seed overrides). Default: ${D.seed}.`),
      replications: positiveInt().prefault(D.replications).describe(`Runs of each variant, with seeds derived by hashing (--replications overrides). Default: ${D.replications}.`),
      manifests: z
        .array(z.string(expected('a file or folder path')).min(1, expected('a file or folder path')).describe('A manifest file or folder, relative to this file.'), expected('a list of files or folders'))
        .prefault([])
        .describe("More manifest files or folders (a folder's *.yaml and *.yml, not recursively), relative to this file and inside its folder."),
      cluster: clusterSchema.prefault({}).describe('The simulated cluster: nodes, kube-proxy, warm or cold start.'),
      images: z
        .record(z.string().min(1), behaviorSchema, expected('a mapping from image to behaviour, like {nginx:1.25: {startup: 5s}}'))
        .prefault({})
        .describe('How each container image behaves, by image as the manifests write it (nginx:1.25). Images not listed get the default behaviour.'),
      traffic: z.array(trafficSchema, expected('a list of traffic entries')).optional().describe(`The clients. Default: ${D.traffic.rate}/s of Poisson traffic to every Service that selects pods; [] for none.`),
      timeline: z.array(timelineEntry, expected('a list of timeline actions')).prefault([]).describe('What happens when: kubectl actions and faults.'),
      slos: z.array(slo, expected('a list of SLOs')).prefault([]).describe('The SLOs to check, k6-like: "availability >= 99.9%", "p(99) < 300ms". A failed SLO makes kubesim exit 1.'),
      variants: z.array(variantSchema, expected('a list of variants')).prefault([]).describe('Versions of the scenario to compare, each a set of patches (or a matrix of them).'),
      analysis: z.array(analysisGate, expected('a list of analysis gates')).prefault([]).describe('Analysis gates: automated rollback of Deployments on failed analysis.'),
    },
    expected('a scenario spec (a mapping with duration, traffic, timeline, …)'),
  )
  .superRefine((s, ctx) => {
    if (s.warmup >= s.duration && s.duration > 0) addIssue(ctx, `must be shorter than the duration (${formatDuration(s.duration)})`, s.warmup, ['warmup']);
    s.timeline.forEach((a, i) => {
      if (a.at > s.duration) addIssue(ctx, `${formatDuration(a.at)} is after the end of the scenario (duration ${formatDuration(s.duration)})`, a.at, ['timeline', i, 'at']);
    });
    const names = new Set<string>();
    (s.traffic ?? []).forEach((t, i) => {
      if (names.has(t.name)) addIssue(ctx, `duplicate traffic name ${show(t.name)}; give each entry a distinct name`, t.name, ['traffic', i, 'name']);
      names.add(t.name);
    });
    const variants = new Set<string>();
    s.variants.forEach((v, i) => {
      if (v.matrix !== undefined) return; // its names are known once expanded (variants.ts checks them all)
      if (variants.has(v.name)) addIssue(ctx, `duplicate variant name ${show(v.name)}`, v.name, ['variants', i, 'name']);
      variants.add(v.name);
    });
  })
  .describe('What to simulate: the cluster, the clients, the timeline of actions, the SLOs and the variants to compare.');

/** The parsed spec before load.ts fills in the default traffic (traffic undefined = not written). */
export type ParsedScenarioSpec = Omit<ScenarioSpec, 'traffic'> & { traffic?: TrafficSpec[] };

export const scenarioSchema = z
  .strictObject(
    {
      apiVersion: z.literal(SCENARIO_API_VERSION, expected(JSON.stringify(SCENARIO_API_VERSION))).describe(`The Scenario kind's version: ${SCENARIO_API_VERSION}.`),
      kind: z.literal('Scenario', expected('"Scenario"')).describe('Scenario.'),
      metadata: z
        .strictObject(
          {
            name: objectName.describe('The scenario name in reports (distinct across the scenarios of one run).'),
            description: z.string(expected('a string')).optional().describe('What the scenario shows, for the reports.'),
            labels: stringMap.optional().describe('Labels, kept as written.'),
            namespace: z.string(expected('a namespace')).optional().describe('Accepted and ignored (kustomize and Helm add it to every object).'),
            annotations: stringMap.optional().describe('Accepted and ignored (kustomize and Helm add them to every object).'),
          },
          expected('a mapping with a name'),
        )
        .describe("The scenario's name and description."),
      spec: specSchema.prefault({}),
    },
    expected('a Scenario document'),
  )
  .meta({
    title: 'kubesim Scenario',
    description: 'A kubesim scenario: the cluster, the traffic, the timeline of actions and the SLOs to check (kubesim.dev/v1alpha1).',
  });

export type ScenarioDocument = z.output<typeof scenarioSchema>;

/** The JSON Schema of the Scenario kind (input forms, with defaults), the units in its `$defs`. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...schema, $defs: unitDefinitions() };
}

/**
 * What `kubesim schema` prints and schema/scenario.schema.json holds: a schema for any one document of
 * a scenario file. A document of kind Scenario in the kubesim.dev group must be a valid Scenario;
 * any other document (a Deployment, a Service, Helm's empty ones) is accepted as it is, since editors
 * such as yaml-language-server apply a file's schema to each of its documents. (The loader checks the
 * Kubernetes documents; point your editor's Kubernetes schema at them.)
 */
export function scenarioDocumentJsonSchema(): Record<string, unknown> {
  const { $schema, $defs, title, description, ...scenario } = scenarioJsonSchema();
  return {
    $schema,
    title: 'kubesim scenario file',
    description: `${String(description)} Applies to the kind: Scenario document of a multi-document scenario file; every other document is accepted as it is.`,
    if: {
      type: 'object',
      properties: { kind: { const: 'Scenario' }, apiVersion: { type: 'string', pattern: `^${SCENARIO_GROUP.replace(/\./g, '\\.')}/` } },
      required: ['kind', 'apiVersion'],
    },
    then: { $ref: '#/$defs/Scenario' },
    $defs: { Scenario: { title, description, ...scenario }, ...($defs as Record<string, unknown>) },
  };
}
