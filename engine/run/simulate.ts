import { RandomStreams, type RandomStream } from '../kernel/random.js';
import { Simulation } from '../kernel/simulation.js';
import { createCluster, type Cluster } from '../cluster/cluster.js';
import type { ClusterContext } from '../cluster/context.js';
import type { ClusterEvent } from '../cluster/events.js';
import { KubectlError, pause, restart, resume, rolloutUndo, scale, setImage } from '../cluster/kubectl.js';
import { abort as argoAbort, promote as argoPromote, restart as argoRestart, retry as argoRetry, scaleRollout, setRolloutImage } from '../cluster/controllers/rollout/actions.js';
import { attachTrafficRouters, attachWorkloads, trackWorkloadGauges } from './workloads.js';
import { drainNode, failNode, recoverNode } from '../cluster/nodelifecycle.js';
import { addNode } from '../cluster/nodes.js';
import { isPodReady, type EndpointSlice, type Pod } from '../cluster/objects.js';
import { deletePodDetail, deletePods, type DeletePodAction } from '../chaos/delete-pod.js';
import type { RolloutRecord } from '../cluster/rollouts.js';
import { Recorder, type RunMetricsJSON } from '../metrics/recorder.js';
import { evaluateSlos, rolloutStatsOf, type SloResult } from '../metrics/slo.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { RolloutTarget, TimelineAction, TrafficSpec } from '../scenario/schema.js';
import type { RateShape } from '../traffic/arrivals.js';
import { bindDataPlane } from '../traffic/binding.js';
import { defaultRetryPolicy, type ClientSpec } from '../traffic/clients.js';
import { DataPlane } from '../traffic/dataplane.js';
import type { ProgramChange } from '../traffic/proxy.js';
import { findCauses, type FiredAction, type Finding } from './findings.js';
import { PodFactsTracker } from './podfacts.js';
import { FailureLog } from '../metrics/failures.js';
import { OK } from '../metrics/outcomes.js';

/**
 * One run: a scenario (one variant of it) with one seed, from manifests to measured outcomes.
 *
 * Warm start (the default, §"Scenario files"): the control plane runs from t = −WARM_START_S with no
 * traffic, so the manifests' pods are scheduled, running and Ready — and every proxy programmed — at
 * t = 0; nothing before 0 is reported. Cold start: the objects are created at t = 0.
 * Randomness: streams named after their source (arrivals/<traffic>, service/<image>, lb/<service>,
 * propagation/<service>, startup/<image>, faults, victims/timeline[<i>], …), so variants share them (common
 * random numbers).
 */
export const WARM_START_S = 900;

export interface PodRecord {
  name: string;
  image: string;
  node: string | null;
  requests: number;
  /** 0 for pods of the warm start (they exist when the run begins). */
  createdAtS: number;
  deletedAtS: number | null;
}

/** One firing of a timeline action (see the report's ActionReport). */
export interface ActionRecord extends FiredAction {
  at: number;
  index: number;
  action: string;
  target: string;
  detail: string;
  outcome: 'done' | 'refused';
}

export interface RunResult {
  replication: number;
  seed: number;
  metrics: RunMetricsJSON;
  pods: PodRecord[];
  rollouts: RolloutRecord[];
  slos: SloResult[];
  events: ClusterEvent[];
  /** Timeline actions as they fired, in time order. */
  actions: ActionRecord[];
  /** What caused the failed requests (every failed request in exactly one finding). */
  findings: Finding[];
  /** Things the user should know about this run (e.g. a warm start that had not settled). */
  notes: string[];
  /** Kernel events executed (for progress and performance figures). */
  kernelEvents: number;
}

/** How far a run has got (for progress displays; never part of a result). */
export interface RunTick {
  simulatedS: number;
  durationS: number;
  kernelEvents: number;
}

export interface SimulateHooks {
  /** Called about 100 times per run, as simulated time advances. */
  onTick?: ((tick: RunTick) => void) | undefined;
  /**
   * Called once the cluster exists, before anything is created in it: an observer (a test counting
   * pods from the store's own events) may watch the store. It must not change anything.
   */
  onCluster?: ((cluster: Cluster) => void) | undefined;
}

/** Simulated time is run in this many slices (always, so results never depend on hooks). */
const SLICES = 100;

export function simulate(scenario: LoadedScenario, replication: number, seed: number, hooks: SimulateHooks = {}): RunResult {
  const spec = scenario.spec;
  const warm = spec.cluster.start === 'warm';
  const sim = new Simulation({ startTime: warm ? -WARM_START_S : 0 });
  const random = new RandomStreams(seed);
  const cluster = createCluster({ sim, random, behaviors: scenario.behaviors });
  const { ctx } = cluster;
  hooks.onCluster?.(cluster);
  const notes: string[] = [];

  const recorder = new Recorder({ duration: spec.duration });
  const failures = new FailureLog();
  const warmup = spec.warmup;
  let onProgram: (service: string, change: ProgramChange, view: () => readonly number[]) => void = () => {};
  let measure: (sentAt: number, endedAt: number, outcome: number, pod: number, client: number) => void = () => {};
  const plane = new DataPlane({
    sim,
    random,
    proxy: {
      mode: spec.cluster.proxy.mode,
      scheduler: spec.cluster.proxy.scheduler ?? 'rr',
      syncDelay: spec.cluster.proxy.syncDelay,
      minSyncPeriod: spec.cluster.proxy.mode === 'ipvs' ? 0 : 1, // iptables/nftables minSyncPeriod 1 s (§0)
    },
    sink: {
      request: (sentAt, endedAt, outcome, pod, client) => {
        measure(sentAt, endedAt, outcome, pod, client);
        if (sentAt < warmup) return;
        recorder.request(sentAt, endedAt, outcome, pod);
        if (outcome !== OK) failures.record(outcome, pod, client, endedAt);
      },
    },
    until: spec.duration,
    onProgram: (service, change, view) => onProgram(service, change, view),
  });

  for (const n of spec.cluster.nodes) addNode(ctx, { name: n.name, cpu: n.cpu, memory: n.memory, labels: n.labels });
  for (const s of scenario.services) ctx.store.create<'Service'>(structuredClone(s));
  for (const d of scenario.deployments) ctx.store.create<'Deployment'>(structuredClone(d));
  const workloads = attachWorkloads(cluster, plane, scenario, notes);
  const binding = bindDataPlane(ctx, cluster.kubelet, plane);
  workloads.measurements.indexPods();
  attachTrafficRouters(ctx, plane, random, notes);
  measure = (sentAt, endedAt, outcome, pod, client) => workloads.measurements.request(sentAt, endedAt, outcome, pod, client);
  const pods = trackPods(ctx, plane);
  const facts = new PodFactsTracker(ctx, cluster.kubelet, plane);
  onProgram = (service, change, view) => {
    facts.programmed(service, change, view);
    if (ctx.sim.now >= 0) recorder.setGauge(`proxy/${service}`, ctx.sim.now, change.size);
  };

  if (warm) {
    sim.run({ until: 0 });
    binding.programNow();
    for (const d of [...ctx.store.list('Deployment'), ...ctx.store.list('Rollout')]) {
      if (d.status.availableReplicas < d.spec.replicas) {
        notes.push(
          `warm start: ${d.kind.toLowerCase()}/${d.metadata.name} had ${d.status.availableReplicas}/${d.spec.replicas} pods available at t=0 after ${WARM_START_S}s of settling`,
        );
      }
    }
  }
  trackGauges(ctx, recorder);
  trackWorkloadGauges(ctx, recorder);
  for (const [service, programmed] of facts.viewSizes()) recorder.setGauge(`proxy/${service}`, 0, programmed);

  for (const t of spec.traffic) plane.addClient(clientSpec(t, scenario));
  const faults = random.stream('faults');
  const actions: ActionRecord[] = [];
  const timeline = { facts, actions, notes, faults, duration: spec.duration };
  spec.timeline.forEach((action, i) => scheduleAction(cluster, plane, action, i, timeline));

  // In slices, to report progress; slicing `run` at fixed times does not change the order of events.
  const slice = spec.duration / SLICES;
  for (let i = 1; i <= SLICES; i++) {
    sim.run({ until: i === SLICES ? spec.duration : Math.min(spec.duration, i * slice) });
    hooks.onTick?.({ simulatedS: sim.now, durationS: spec.duration, kernelEvents: sim.eventsProcessed });
  }
  const rollouts = cluster.rollouts.finish();
  recorder.setRollout(rolloutStatsOf(rollouts));
  const metrics = recorder.toJSON();
  const slos = evaluateSlos(spec.slos, recorder.snapshot());
  const podFacts = facts.all();
  const findings = findCauses({
    windows: failures.windows(),
    pods: podFacts,
    clients: spec.traffic.map((t, i) => ({ name: t.name, service: plane.clientService(i) })),
    actions,
    rollouts,
    strategies: Object.fromEntries(ctx.store.list('Deployment').map((d) => [`deployment/${d.metadata.name}`, d.spec.strategy.type])),
    errorRates: Object.fromEntries([...new Set(podFacts.map((p) => p.image))].map((image) => [image, ctx.behavior(image).errorRate])),
    served: (pod) => plane.servers.served[pod] ?? 0,
    series: metrics.timeseries,
  });
  return {
    replication,
    seed,
    metrics,
    pods: pods.records(),
    rollouts,
    slos,
    events: ctx.events.events.filter((e) => e.t >= 0),
    actions,
    findings,
    notes,
    kernelEvents: sim.eventsProcessed,
  };
}

/** A traffic entry of the scenario as the data plane's client. */
export function clientSpec(t: TrafficSpec, scenario: LoadedScenario): ClientSpec {
  const svc = scenario.services.find((s) => s.metadata.name === t.service && (t.namespace === undefined || s.metadata.namespace === t.namespace));
  const retries = { ...defaultRetryPolicy(), max: t.retries.max, backoff: t.retries.backoff.mean, jitter: t.retries.jitter };
  const common = {
    name: t.name,
    service: t.service,
    namespace: svc?.metadata.namespace ?? t.namespace ?? 'default',
    timeout: t.timeout,
    retries,
    keepAlive: { enabled: t.keepAlive.enabled, maxRequests: t.keepAlive.maxRequests ?? Infinity, maxAge: t.keepAlive.maxAge ?? Infinity },
    sources: 64,
    start: 0,
    stop: Infinity,
    arrivals: 'poisson' as const,
  };
  if (t.workload === 'closed') return { ...common, users: t.users, thinkTime: t.thinkTime };
  const data = t.replay?.data;
  if (data?.format === 'timestamps') return { ...common, rate: 0, replay: data.times };
  if (data?.format === 'rates') return { ...common, rate: t.rate, arrivals: t.arrivals, shape: { type: 'steps', steps: data.steps } };
  return { ...common, rate: t.rate, arrivals: t.arrivals, ...(t.shape ? { shape: rateShape(t.rate, t.shape) } : {}) };
}

function rateShape(base: number, s: NonNullable<Extract<TrafficSpec, { workload: 'open' }>['shape']>): RateShape {
  switch (s.type) {
    case 'ramp':
      return { type: 'ramp', from: s.from ?? base, to: s.to, start: s.at, duration: s.duration };
    case 'steps':
      return { type: 'steps', steps: s.steps };
    case 'spike':
      return { type: 'spike', at: s.at, duration: s.duration, rate: s.rate ?? base * (s.factor ?? 1) };
    case 'diurnal':
      return { type: 'diurnal', period: s.period, min: base * (1 - s.amplitude), max: base * (1 + s.amplitude), peakAt: s.peakAt };
  }
}

// -------------------------------------------------------------------------------------------------
// Timeline

interface TimelineState {
  facts: PodFactsTracker;
  actions: ActionRecord[];
  notes: string[];
  faults: RandomStream;
  duration: number;
}

function scheduleAction(cluster: Cluster, plane: DataPlane, action: TimelineAction, index: number, state: TimelineState): void {
  const { sim } = cluster.ctx;
  const run = () => {
    const record: ActionRecord = { at: sim.now, index, action: action.action, target: targetText(action), detail: '', outcome: 'done' };
    state.actions.push(record);
    try {
      record.detail = perform(cluster, plane, action, index, state);
    } catch (e) {
      if (!(e instanceof KubectlError)) throw e;
      record.outcome = 'refused';
      cluster.ctx.events.warning('Scenario', `timeline[${index}]`, 'ActionRefused', e.message);
      state.notes.push(`timeline[${index}] ${action.action} at ${sim.now}s refused: ${e.message}`);
    }
  };
  const r = action.repeat;
  const duration = state.duration;
  if (r === undefined) {
    if (action.at < duration) sim.schedule(action.at, run);
    return;
  }
  const end = Math.min(duration, r.until ?? duration);
  const stream = cluster.ctx.random.stream(`faults/timeline[${index}]`);
  const next = (t: number): number => (r.every !== undefined ? t + r.every : t - Math.log(1 - stream.next()) / r.rate!);
  const fire = (t: number) => {
    if (t >= end) return;
    sim.schedule(t, () => {
      run();
      fire(next(t));
    });
  };
  fire(r.every !== undefined ? action.at : next(action.at));
}

/** `deployment/web-app`, `node/node-2`, `traffic/web` (namespaces other than default as `ns/name`). */
function targetText(a: TimelineAction): string {
  const t = a.target;
  const ns = (t.kind === 'deployment' || t.kind === 'rollout' || t.kind === 'pod' || t.kind === 'selector') && t.namespace !== undefined && t.namespace !== 'default' ? `${t.namespace}/` : '';
  if (t.kind === 'selector') return `-l ${t.name}${ns === '' ? '' : ` -n ${t.namespace}`}`;
  return `${t.kind}/${ns}${t.name}`;
}

/** Performs a timeline action; returns a short label of what it did (for markers and findings). */
function perform(cluster: Cluster, plane: DataPlane, a: TimelineAction, index: number, state: TimelineState): string {
  const { ctx } = cluster;
  const faults = state.faults;
  if (a.target.kind === 'rollout') return performOnRollout(ctx, a as RolloutAction, index, state);
  switch (a.action) {
    case 'restart':
    case 'rollout-restart':
      restart(ctx, a.target.name, a.target.namespace);
      return '';
    case 'promote':
    case 'abort':
    case 'retry':
      return ''; // rollout targets only (the schema refuses others)
    case 'set-image':
      for (const [container, image] of Object.entries(a.images)) setImage(ctx, a.target.name, container, image, a.target.namespace);
      return Object.entries(a.images)
        .map(([c, i]) => `${c}=${i}`)
        .join(' ');
    case 'scale': {
      const before = ctx.store.get('Deployment', a.target.name, a.target.namespace ?? 'default')?.spec.replicas;
      scale(ctx, a.target.name, a.replicas, a.target.namespace);
      return before === undefined ? `${a.replicas}` : `${before} → ${a.replicas}`;
    }
    case 'rollout-undo':
      rolloutUndo(ctx, a.target.name, a.toRevision, a.target.namespace);
      return a.toRevision === undefined || a.toRevision === 0 ? 'to the previous revision' : `to revision ${a.toRevision}`;
    case 'rollout-pause':
      pause(ctx, a.target.name, a.target.namespace);
      return '';
    case 'rollout-resume':
      resume(ctx, a.target.name, a.target.namespace);
      return '';
    case 'delete-pod':
      return deletePodAction(ctx, a, index, state);
    case 'fail-node': {
      const name = pickNode(ctx, a.target.name, faults);
      if (name === undefined) return 'no node';
      failNode(ctx, name);
      if (a.duration !== undefined) ctx.sim.after(a.duration, () => recoverNode(ctx, name));
      return a.duration !== undefined ? `${name} for ${a.duration}s` : name;
    }
    case 'drain-node': {
      const name = pickNode(ctx, a.target.name, faults);
      if (name !== undefined) drainNode(ctx, name);
      return name ?? 'no node';
    }
    case 'set-rate':
      plane.setRate(a.target.name, a.rate);
      return `${a.rate}/s`;
  }
}

type RolloutAction = Extract<TimelineAction, { action: 'set-image' | 'scale' | 'promote' | 'abort' | 'retry' | 'restart' | 'rollout-restart' | 'delete-pod' }> & { target: RolloutTarget };

/** delete-pod (engine/chaos/delete-pod.ts), its victims drawn from the action's own stream. */
function deletePodAction(ctx: ClusterContext, a: DeletePodAction, index: number, state: TimelineState): string {
  const victims = ctx.random.stream(`victims/timeline[${index}]`);
  const names = deletePods(ctx, a, victims, (pod) => state.facts.deletedBy(pod, index, ctx.sim.now));
  return deletePodDetail(a, names);
}

/** The timeline actions on `rollout/<name>`, in Argo's vocabulary (kubectl argo rollouts …). */
function performOnRollout(ctx: ClusterContext, a: RolloutAction, index: number, state: TimelineState): string {
  const ns = a.target.namespace ?? 'default';
  switch (a.action) {
    case 'set-image':
      for (const [container, image] of Object.entries(a.images)) setRolloutImage(ctx, a.target.name, container, image, ns);
      return Object.entries(a.images)
        .map(([c, i]) => `${c}=${i}`)
        .join(' ');
    case 'scale': {
      const before = scaleRollout(ctx, a.target.name, a.replicas, ns);
      return `${before} → ${a.replicas}`;
    }
    case 'promote':
      return argoPromote(ctx, a.target.name, a.full, ns);
    case 'abort':
      return argoAbort(ctx, a.target.name, ns);
    case 'retry':
      return argoRetry(ctx, a.target.name, ns);
    case 'restart':
    case 'rollout-restart':
      return argoRestart(ctx, a.target.name, ns);
    case 'delete-pod':
      return deletePodAction(ctx, a, index, state);
  }
}

function pickNode(ctx: ClusterContext, name: string, faults: RandomStream): string | undefined {
  if (name !== '*') return name;
  const nodes = ctx.store.list('Node');
  return nodes[Math.floor(faults.next() * nodes.length)]?.metadata.name;
}


// -------------------------------------------------------------------------------------------------
// Observation

/** Every pod that existed, with its request count from the data plane. */
function trackPods(ctx: ClusterContext, plane: DataPlane): { records(): PodRecord[] } {
  const seen = new Map<string, { pod: Pod; created: number; deleted: number | null }>();
  const add = (pod: Pod) => {
    if (!seen.has(pod.metadata.uid)) seen.set(pod.metadata.uid, { pod, created: Math.max(0, ctx.sim.now), deleted: null });
  };
  for (const p of ctx.store.list('Pod')) add(p);
  ctx.store.watch('Pod', (type, pod) => {
    add(pod);
    if (type === 'DELETED') {
      const r = seen.get(pod.metadata.uid)!;
      r.deleted = ctx.sim.now;
    }
  });
  return {
    records: () =>
      [...seen.values()]
        .filter((r) => r.deleted === null || r.deleted >= 0)
        .map(({ pod, created, deleted }) => {
          const idx = plane.indexOf(pod.metadata.uid);
          return {
            name: pod.metadata.name,
            image: pod.spec.containers[0]?.image ?? '',
            node: pod.spec.nodeName ?? null,
            requests: idx === undefined ? 0 : plane.servers.served[idx]!,
            createdAtS: created,
            deletedAtS: deleted,
          };
        }),
  };
}

/**
 * Gauges for the time series, updated at every change: pods by image and state
 * (`pods/<image>/<Pending|Running|Ready|Terminating>`) and ready endpoints per Service
 * (`endpoints/<namespace>/<service>`).
 */
function trackGauges(ctx: ClusterContext, recorder: Recorder): void {
  const states = ['Pending', 'Running', 'Ready', 'Terminating'] as const;
  const last = new Map<string, number>();
  const set = (name: string, v: number) => {
    if (last.get(name) === v) return;
    last.set(name, v);
    recorder.setGauge(name, Math.max(0, ctx.sim.now), v);
  };
  // Incremental: each Pod event moves that one pod between (image, state) counts (O(1) per event).
  const counts = new Map<string, number>();
  const stateOf = new Map<string, string>();
  const keyOf = (pod: Pod): string => {
    const image = pod.spec.containers[0]?.image ?? '';
    const state = pod.metadata.deletionTimestamp !== undefined ? 'Terminating' : isPodReady(pod) ? 'Ready' : pod.status.phase === 'Running' ? 'Running' : 'Pending';
    return `pods/${image}/${state}`;
  };
  const bump = (key: string, by: number) => {
    const n = (counts.get(key) ?? 0) + by;
    counts.set(key, n);
    set(key, n);
  };
  const newImage = (image: string) => {
    if (images.has(image)) return;
    images.add(image);
    for (const st of states) if (!counts.has(`pods/${image}/${st}`)) bump(`pods/${image}/${st}`, 0);
  };
  const images = new Set<string>();
  const observe = (type: string, pod: Pod) => {
    const uid = pod.metadata.uid;
    const before = stateOf.get(uid);
    const after = type === 'DELETED' ? undefined : keyOf(pod);
    if (before === after) return;
    if (before !== undefined) bump(before, -1);
    if (after !== undefined) {
      newImage(pod.spec.containers[0]?.image ?? '');
      bump(after, 1);
      stateOf.set(uid, after);
    } else stateOf.delete(uid);
  };
  const initial = ctx.store.list('Pod');
  for (const image of [...new Set(initial.map((p) => p.spec.containers[0]?.image ?? ''))].sort()) newImage(image);
  for (const pod of initial) observe('ADDED', pod);
  ctx.store.watch('Pod', observe);
  // ready endpoints per Service: the sum over its slices, moved by each slice's change (O(slice))
  const readyInSlice = new Map<string, number>();
  const readyInService = new Map<string, number>();
  const slicesOf = new Map<string, number>();
  const recountSlice = (type: string, slice: EndpointSlice) => {
    const service = `endpoints/${slice.metadata.namespace}/${slice.metadata.labels['kubernetes.io/service-name'] ?? ''}`;
    const key = `${slice.metadata.namespace}/${slice.metadata.name}`;
    let ready = 0;
    if (type !== 'DELETED') for (const e of slice.endpoints) if (e.conditions.ready) ready++;
    const total = (readyInService.get(service) ?? 0) + ready - (readyInSlice.get(key) ?? 0);
    const slices = (slicesOf.get(service) ?? 0) + (type === 'DELETED' ? -1 : readyInSlice.has(key) ? 0 : 1);
    if (type === 'DELETED') readyInSlice.delete(key);
    else readyInSlice.set(key, ready);
    readyInService.set(service, total);
    slicesOf.set(service, slices);
    if (slices > 0) set(service, total); // a Service's last slice going (the Service deleted) leaves its gauge as it was
  };
  for (const s of ctx.store.list('EndpointSlice')) recountSlice('ADDED', s);
  ctx.store.watch('EndpointSlice', recountSlice);
}
