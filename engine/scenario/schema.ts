import { z } from 'zod';
import { defaultBehavior, type BehaviorProfile } from '../behavior/profile.js';
import { constant, type Distribution } from '../kernel/distributions.js';
import { formatDuration } from '../kernel/units.js';
import { SCENARIO_DEFAULTS as D } from './defaults.js';
import type { Replay } from './replay.js';
import { SCENARIO_API_VERSION } from './manifests.js';
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
  positiveInt,
  quantity,
  rate,
  show,
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
const objectName = z.string(expected(nameWhat)).max(253, expected(nameWhat)).regex(NAME, expected(nameWhat));
const freeName = z.string(expected('a non-empty name')).min(1, expected('a non-empty name'));

const cpu = quantity('a CPU quantity like 4 or 3500m');
const memory = quantity('a memory quantity like 16Gi');
const stringMap = z.record(z.string(), z.string(expected('a string (quote values like "true")')), expected('a mapping of strings'));

const nodeSchema = z.object(
  { name: objectName, cpu: cpu.optional(), memory: memory.optional(), labels: stringMap.optional() },
  expected('a node like {name: node-1, cpu: 4, memory: 16Gi}'),
);

const PROXY_MODES = ['iptables', 'ipvs', 'nftables'] as const;
const IPVS_SCHEDULERS = ['rr', 'lc', 'sh', 'sed', 'nq'] as const;

const clusterSchema = z
  .object(
    {
      nodes: z
        .union([positiveInt('a positive number of nodes'), z.array(nodeSchema, expected('a list of nodes')).min(1, expected('at least one node'))], expected('a number of nodes or a list of {name, cpu, memory}'))
        .optional(),
      nodeSize: z.object({ cpu: cpu.optional(), memory: memory.optional() }, expected('a mapping like {cpu: 4, memory: 16Gi}')).optional(),
      proxy: z
        .object(
          {
            mode: z.enum(PROXY_MODES, expected(`one of ${PROXY_MODES.join(', ')}`)).optional(),
            scheduler: z.enum(IPVS_SCHEDULERS, expected(`one of ${IPVS_SCHEDULERS.join(', ')}`)).optional(),
            syncDelay: distribution().prefault(`${D.proxySyncDelay}s`),
          },
          expected('a mapping like {mode: iptables, syncDelay: 1s}'),
        )
        .prefault({}),
      start: z.enum(['warm', 'cold'], expected('"warm" or "cold"')).optional(),
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

/** Behaviour of one image; every field optional, the rest from defaultBehavior(). */
export const behaviorSchema = z
  .object(
    {
      startup: distribution().optional(),
      serviceTime: distribution().optional(),
      concurrency: positiveInt().optional(),
      queue: nonNegativeInt().optional(),
      errorRate: fraction().optional(),
      cpuPerRequest: duration('CPU seconds per request, like 5ms or 0.005').optional(),
      meanTimeBetweenCrashes: z
        .union([z.literal('never'), duration()], expected('a duration like 10m, or "never"'))
        .optional(),
      crashRate: rate('a crash rate like 2/h').optional(),
      healthy: z.boolean(expected('true or false')).optional(),
      shutdown: z.enum(['immediate', 'drain'], expected('"immediate" or "drain"')).optional(),
      drainTimeout: duration().optional(),
      preStopDuration: distribution().optional(),
    },
    expected('a behaviour like {startup: 5s, serviceTime: {p50: 20ms, p99: 120ms}, concurrency: 8}'),
  )
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
      if (m === 0) addIssue(ctx, 'expected a positive duration, got 0', m, ['meanTimeBetweenCrashes']);
      out.meanTimeBetweenCrashes = m === 'never' ? Infinity : m;
    } else if (b.crashRate !== undefined) {
      out.meanTimeBetweenCrashes = b.crashRate === 0 ? Infinity : 1 / b.crashRate;
    }
    return out;
  });

// Traffic ---------------------------------------------------------------------------------------

const shapeSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('ramp'), from: rate().optional(), to: rate(), at: duration().prefault(0), duration: duration() }),
    z
      .object({
        type: z.literal('steps'),
        steps: z.array(z.object({ at: duration(), rate: rate() }, expected('a step like {at: 60s, rate: 800/s}')), expected('a list of steps')).min(1, expected('at least one step')),
      })
      .superRefine((s, ctx) => {
        s.steps.forEach((step, i) => {
          const prev = s.steps[i - 1];
          if (prev !== undefined && step.at <= prev.at) addIssue(ctx, `steps must be in increasing order of at; ${formatDuration(step.at)} is not after ${formatDuration(prev.at)}`, step.at, ['steps', i, 'at']);
        });
      }),
    z
      .object({ type: z.literal('spike'), at: duration(), duration: duration(), rate: rate().optional(), factor: z.number(expected('a positive number')).positive(expected('a positive number')).optional() })
      .superRefine((s, ctx) => {
        if ((s.rate === undefined) === (s.factor === undefined)) addIssue(ctx, 'expected exactly one of rate (the spike rate) or factor (× the base rate)', undefined, ['rate']);
      }),
    z
      .object({
        type: z.literal('diurnal'),
        period: duration().prefault('24h'),
        amplitude: fraction('an amplitude between 0 and 1').prefault(0.5),
        peakAt: duration().prefault(0),
      })
      .superRefine((s, ctx) => {
        if (s.period <= 0) addIssue(ctx, 'expected a positive duration, got 0', s.period, ['period']);
      }),
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
      z.boolean(),
      z.object({ enabled: z.boolean(expected('true or false')).optional(), maxRequests: positiveInt().optional(), maxAge: duration().optional() }),
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

const trafficSchema = z
  .object(
    {
      name: z.string(expected('a name (letters, digits, "-", "_" and ".")')).regex(TRAFFIC_NAME, expected('a name (letters, digits, "-", "_" and ".")')).optional(),
      service: z.string(expected('the name of a Service')).min(1, expected('the name of a Service')),
      namespace: z.string(expected('a namespace')).optional(),
      port: z.union([z.number().int(), z.string()], expected('a Service port number or name')).optional(),
      rate: rate().optional(),
      users: positiveInt('a positive number of users').optional(),
      thinkTime: distribution().optional(),
      arrivals: z.enum(['poisson', 'constant'], expected('"poisson" or "constant"')).optional(),
      shape: shapeSchema.optional(),
      replay: z
        .object(
          {
            file: z.string(expected('a CSV file path')).min(1, expected('a CSV file path')),
            format: z.enum(['timestamps', 'rates'], expected('"timestamps" or "rates"')).optional(),
          },
          expected('a replay like {file: arrivals.csv, format: timestamps}'),
        )
        .optional(),
      timeout: duration().optional(),
      retries: z
        .object(
          {
            max: nonNegativeInt().optional(),
            backoff: distribution().optional(),
            jitter: fraction('a jitter fraction between 0 and 1').optional(),
          },
          expected('a mapping like {max: 2, backoff: 100ms, jitter: 0.5}'),
        )
        .optional(),
      keepAlive: keepAliveSchema.optional(),
    },
    expected('a traffic entry like {service: web, rate: 500/s}'),
  )
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
    if (common.timeout <= 0) addIssue(ctx, 'expected a positive duration, got 0', common.timeout, ['timeout']);
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
  return z.string(expected(what)).transform((s, ctx): WorkloadTarget | PodTarget => {
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

/** `deployment/<name>` or `rollout/<name>`. */
function workloadTarget(rolloutOnly = false) {
  const what = rolloutOnly ? 'a target like rollout/<name>' : 'a target like deployment/<name> or rollout/<name>';
  return z.string(expected(what)).transform((s, ctx): WorkloadTarget => {
    const slash = s.indexOf('/');
    const prefix = slash < 0 ? '' : s.slice(0, slash).toLowerCase();
    const rest = slash < 0 ? s : s.slice(slash + 1);
    const kind = ROLLOUT_PREFIXES.includes(prefix) ? 'rollout' : !rolloutOnly && DEPLOYMENT_PREFIXES.includes(prefix) ? 'deployment' : undefined;
    if (kind === undefined || !NAME.test(rest)) {
      addIssue(ctx, expectedMessage(what, s), s);
      return z.NEVER;
    }
    return { kind, name: rest };
  });
}

function target<T extends TimelineTarget['kind']>(kind: T) {
  const what =
    kind === 'deployment' ? 'a target like deployment/<name>' : kind === 'node' ? 'a target like node/<name> (or node/* for a random node)' : 'the name of a traffic entry (or traffic/<name>)';
  return z.string(expected(what)).transform((s, ctx): Extract<TimelineTarget, { kind: T }> => {
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
  });
}

const IMAGE_PAIR = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?|\*)=(\S+)$/;
const setImageWhat = 'container=image, like nginx=nginx:1.26 (several separated by spaces), or a mapping {nginx: nginx:1.26}';
const imagesField = z
  .union([z.string(), z.record(z.string(), z.string(expected('an image like nginx:1.26')))], expected(setImageWhat))
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
  });

const common = {
  at: duration().optional(),
  namespace: z.string(expected('a namespace')).optional(),
  every: duration().optional(),
  until: duration().optional(),
};
const repeatRate = { rate: rate('a repetition rate like 2/h').optional() };

const timelineEntry = z
  .discriminatedUnion(
    'action',
    [
      z.object({ ...common, action: z.literal('set-image'), target: workloadTarget(), image: imagesField }),
      z.object({
        ...common,
        ...repeatRate,
        action: z.literal('delete-pod'),
        target: deletePodTarget().optional(),
        selector: selectorField.optional(),
        count: positiveInt().optional(),
        gracePeriod: nonNegativeInt('a non-negative number of seconds').optional(),
        force: z.boolean(expected('true or false')).default(false),
      }),
      z.object({ ...common, action: z.literal('scale'), target: workloadTarget(), replicas: nonNegativeInt() }),
      z.object({ ...common, action: z.literal('rollout-restart'), target: workloadTarget() }),
      z.object({ ...common, action: z.literal('restart'), target: workloadTarget() }),
      z.object({ ...common, action: z.literal('promote'), target: workloadTarget(true), full: z.boolean(expected('true or false')).default(false) }),
      z.object({ ...common, action: z.literal('abort'), target: workloadTarget(true) }),
      z.object({ ...common, action: z.literal('retry'), target: workloadTarget(true) }),
      z.object({ ...common, action: z.literal('rollout-undo'), target: target('deployment'), toRevision: nonNegativeInt().optional() }),
      z.object({ ...common, action: z.literal('rollout-pause'), target: target('deployment') }),
      z.object({ ...common, action: z.literal('rollout-resume'), target: target('deployment') }),
      z.object({ ...common, ...repeatRate, action: z.literal('fail-node'), target: target('node'), duration: duration().optional() }),
      z.object({ ...common, ...repeatRate, action: z.literal('drain-node'), target: target('node') }),
      z.object({ ...common, action: z.literal('set-rate'), target: target('traffic'), rate: rate() }),
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
  .transform((e, ctx): TimelineAction => {
    const { at, namespace, every, until, ...rest } = e;
    const repeatRateValue = 'rate' in e && e.action !== 'set-rate' ? (e as { rate?: number }).rate : undefined;
    const repeats = every !== undefined || repeatRateValue !== undefined;
    if (repeats && !REPEATABLE.includes(e.action)) {
      addIssue(ctx, `only ${REPEATABLE.join(', ')} can repeat`, every, ['every']);
    }
    if (every !== undefined && repeatRateValue !== undefined) addIssue(ctx, 'may not be set together with rate', every, ['every']);
    if (every !== undefined && every <= 0) addIssue(ctx, 'expected a positive duration, got 0', every, ['every']);
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
const slo = z.string(expected(sloWhat)).regex(/^\s*\S.*?\s*(<=|>=|<|>|==)\s*\S+\s*$/, expected(sloWhat));

const VARIANT_TARGET = /^((deployment|deployments|deploy|rollout|rollouts|ro|service|services|svc)\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?|scenario)$/;
const variantTargetWhat = 'a target like deployment/<name>, service/<name> or scenario';
const patchesSchema = z.array(
  z.object(
    {
      target: z.string(expected(variantTargetWhat)).regex(VARIANT_TARGET, expected(variantTargetWhat)),
      patch: z.record(z.string(), z.unknown(), expected('a mapping (a strategic-merge-style patch)')),
    },
    expected('a patch like {target: deployment/web, patch: {spec: {replicas: 4}}}'),
  ),
  expected('a list of patches'),
);

/** Most combinations a matrix may expand to. */
export const MAX_MATRIX_COMBINATIONS = 1000;

const matrixWhat = 'a matrix like {target: deployment/web, maxSurge: [0, 1, 25%], maxUnavailable: [0, 1]}';
const matrixSchema = z.record(z.string(), z.unknown(), expected(matrixWhat)).transform((m, ctx): MatrixSpec => {
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
});

const variantSchema = z
  .object(
    {
      name: freeName.optional(),
      description: z.string(expected('a string')).optional(),
      patches: patchesSchema.prefault([]),
      matrix: matrixSchema.optional(),
    },
    expected('a variant like {name: recreate, patches: [...]}'),
  )
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
  .object(
    {
      target: target('deployment'),
      namespace: z.string(expected('a namespace')).optional(),
      templates: z
        .array(z.object({ templateName: z.string(expected('a template name')).min(1, expected('a template name')), clusterScope: z.boolean(expected('true or false')).prefault(false) }, expected('a mapping with templateName')), expected('a list of templates'))
        .prefault([]),
      metrics: z.array(z.unknown(), expected('a list of metrics (AnalysisTemplate metrics)')).prefault([]),
      args: z.array(z.object({ name: z.string(expected('an argument name')), value: z.string(expected('a string')) }, expected('an argument {name, value}')), expected('a list of arguments')).prefault([]),
      onFailure: z.enum(['rollback', 'pause'], expected('"rollback" or "pause"')).prefault('rollback'),
    },
    expected('an analysis gate like {target: deployment/web, metrics: [...]}'),
  )
  .transform((g, ctx): AnalysisGateSpec => {
    if (g.templates.length === 0 && g.metrics.length === 0) addIssue(ctx, 'expected templates or metrics', g, []);
    const t = g.namespace !== undefined ? { ...g.target, namespace: g.namespace } : g.target;
    return { target: t, templates: g.templates, metrics: g.metrics, args: g.args, onFailure: g.onFailure };
  });

// ---------------------------------------------------------------------------------------------
// The Scenario kind

const specSchema = z
  .object(
    {
      duration: duration().prefault(`${D.duration}s`),
      warmup: duration().prefault(`${D.warmup}s`),
      seed: z.number(expected('a non-negative integer seed')).int(expected('a non-negative integer seed')).min(0, expected('a non-negative integer seed')).max(Number.MAX_SAFE_INTEGER, expected('a non-negative integer seed')).prefault(D.seed),
      replications: positiveInt().prefault(D.replications),
      manifests: z.array(z.string(expected('a file or folder path')).min(1, expected('a file or folder path')), expected('a list of files or folders')).prefault([]),
      cluster: clusterSchema.prefault({}),
      images: z.record(z.string().min(1), behaviorSchema, expected('a mapping from image to behaviour, like {nginx:1.25: {startup: 5s}}')).prefault({}),
      traffic: z.array(trafficSchema, expected('a list of traffic entries')).optional(),
      timeline: z.array(timelineEntry, expected('a list of timeline actions')).prefault([]),
      slos: z.array(slo, expected('a list of SLOs')).prefault([]),
      variants: z.array(variantSchema, expected('a list of variants')).prefault([]),
      analysis: z.array(analysisGate, expected('a list of analysis gates')).prefault([]),
    },
    expected('a scenario spec (a mapping with duration, traffic, timeline, …)'),
  )
  .superRefine((s, ctx) => {
    if (s.duration <= 0) addIssue(ctx, 'expected a positive duration, got 0', s.duration, ['duration']);
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
  });

/** The parsed spec before load.ts fills in the default traffic (traffic undefined = not written). */
export type ParsedScenarioSpec = Omit<ScenarioSpec, 'traffic'> & { traffic?: TrafficSpec[] };

export const scenarioSchema = z
  .object(
    {
      apiVersion: z.literal(SCENARIO_API_VERSION, expected(JSON.stringify(SCENARIO_API_VERSION))),
      kind: z.literal('Scenario', expected('"Scenario"')),
      metadata: z
        .object({ name: objectName, description: z.string(expected('a string')).optional(), labels: stringMap.optional() }, expected('a mapping with a name'))
        .meta({ description: 'name: the scenario name used in reports' }),
      spec: specSchema.prefault({}),
    },
    expected('a Scenario document'),
  )
  .meta({
    title: 'kubesim Scenario',
    description: 'A kubesim scenario: the cluster, the traffic, the timeline of actions and the SLOs to check (kubesim.dev/v1alpha1).',
  });

export type ScenarioDocument = z.output<typeof scenarioSchema>;

/** The JSON Schema of the Scenario kind (what `kubesim schema` prints). Input forms, with defaults. */
export function scenarioJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
}
