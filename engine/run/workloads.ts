import type { Cluster } from '../cluster/cluster.js';
import type { ClusterContext } from '../cluster/context.js';
import { HorizontalPodAutoscalerController, type PodUsage } from '../cluster/controllers/hpa.js';
import { AnalysisRuns, type MeasurementCollector, type MeasurementFilter, type MeasurementSource, type MeasurementWindow } from '../cluster/controllers/rollout/analysis.js';
import { RolloutController } from '../cluster/controllers/rollout/controller.js';
import { ROLLOUT_POD_TEMPLATE_HASH } from '../cluster/controllers/rollout/types.js';
import { POD_TEMPLATE_HASH } from '../cluster/controllers/deployment/sync.js';
import { blockedEvictions, pdbStatus } from '../cluster/disruption.js';
import type { Rollout } from '../cluster/objects.js';
import type { RandomStreams } from '../kernel/random.js';
import { LatencyHistogram } from '../metrics/histogram.js';
import { OK } from '../metrics/outcomes.js';
import type { Recorder } from '../metrics/recorder.js';
import type { LoadedScenario } from '../scenario/load.js';
import { CLUSTER_SCOPE } from '../scenario/workloads.js';
import { attachGates } from './gates.js';
import type { DataPlane } from '../traffic/dataplane.js';

/**
 * The Argo Rollouts, PDB and HPA side of a run: the controllers that need the data plane's measurements
 * (AnalysisRuns read success rates and latencies, the HPA reads CPU from the requests each pod served),
 * the objects of the scenario, and their gauges in the time series:
 * `hpa/<ns>/<name>/desired` and `/current`, `pdb/<ns>/<name>/disruptionsAllowed` and `/blockedEvictions`,
 * `rollout/<ns>/<name>/canaryWeight` (the weight the canary is at: setWeight, or 100 when stable).
 */
export interface Workloads {
  measurements: Measurements;
  rollouts: RolloutController;
  analysis: AnalysisRuns;
  hpa: HorizontalPodAutoscalerController;
}

/** Create before the scenario's objects so the controllers see them being added. */
export function attachWorkloads(cluster: Cluster, plane: DataPlane, scenario: LoadedScenario, notes: string[]): Workloads {
  const { ctx } = cluster;
  const measurements = new Measurements(ctx, plane);
  const note = (m: string) => {
    if (!notes.includes(m)) notes.push(m);
  };
  const analysis = new AnalysisRuns(
    ctx,
    (name, clusterScope, namespace) => ctx.store.get('AnalysisTemplate', name, clusterScope ? CLUSTER_SCOPE : namespace),
    measurements,
    note,
  );
  const rollouts = new RolloutController(ctx, analysis);
  attachGates(ctx, analysis, scenario.spec.analysis ?? []);
  const hpa = new HorizontalPodAutoscalerController(ctx, podUsage(ctx, plane), note);
  for (const t of scenario.analysisTemplates ?? []) ctx.store.create<'AnalysisTemplate'>(structuredClone(t));
  for (const p of scenario.pdbs ?? []) ctx.store.create<'PodDisruptionBudget'>(structuredClone(p));
  for (const r of scenario.rollouts ?? []) ctx.store.create<'Rollout'>(structuredClone(r));
  for (const h of scenario.hpas ?? []) ctx.store.create<'HorizontalPodAutoscaler'>(structuredClone(h));
  return { measurements, rollouts, analysis, hpa };
}

/**
 * The idealised traffic router of Rollouts with `trafficRouting` (scenarios/README.md "Argo Rollouts"): the clients of
 * the stableService — and of any other Service that selects the Rollout's pods, the canaryService
 * excepted — reach the canaryService's endpoints with the canary weight the controller set
 * (status.canary.weights), per new connection, whatever the pod counts. Call after the data plane is
 * bound. Without a canaryService there is nothing to route to: a note, and traffic follows the pods.
 */
export function attachTrafficRouters(ctx: ClusterContext, plane: DataPlane, random: RandomStreams, notes: string[]): void {
  for (const r of ctx.store.list('Rollout')) {
    const c = r.spec.strategy.canary;
    if (c?.trafficRouting === undefined) continue;
    const ns = r.metadata.namespace;
    const canary = c.canaryService === undefined ? undefined : plane.proxy(`${ns}/${c.canaryService}`);
    if (canary === undefined) {
      notes.push(`rollout/${r.metadata.name}: trafficRouting needs a canaryService to route to; the weight sets the replica counts only and traffic follows the pods`);
      continue;
    }
    const labels = r.spec.template.metadata.labels;
    for (const svc of ctx.store.list('Service', ns)) {
      if (svc.metadata.name === c.canaryService) continue;
      const sel = { ...(svc.spec.selector ?? {}) };
      delete sel[ROLLOUT_POD_TEMPLATE_HASH];
      const selects = Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v);
      if (!selects && svc.metadata.name !== c.stableService) continue;
      const proxy = plane.proxy(`${ns}/${svc.metadata.name}`);
      if (proxy === undefined) continue;
      proxy.split = { to: canary, weight: () => r.status.canary.weights?.canary ?? 0, draw: random.stream(`router/${ns}/${svc.metadata.name}`) };
    }
  }
}

/** Gauges of HPAs, PDBs and Rollouts, from t = 0 (call once the warm start is over). */
export function trackWorkloadGauges(ctx: ClusterContext, recorder: Recorder): void {
  const last = new Map<string, number>();
  const set = (name: string, v: number) => {
    if (last.get(name) === v) return;
    last.set(name, v);
    recorder.setGauge(name, Math.max(0, ctx.sim.now), v);
  };
  const hpa = (h: { metadata: { namespace: string; name: string }; status: { desiredReplicas: number; currentReplicas: number } }) => {
    set(`hpa/${h.metadata.namespace}/${h.metadata.name}/desired`, h.status.desiredReplicas);
    set(`hpa/${h.metadata.namespace}/${h.metadata.name}/current`, h.status.currentReplicas);
  };
  for (const h of ctx.store.list('HorizontalPodAutoscaler')) hpa(h);
  ctx.store.watch('HorizontalPodAutoscaler', (type, h) => (type === 'DELETED' ? undefined : hpa(h)));
  const pdb = (p: Parameters<typeof pdbStatus>[1]) => {
    const key = `${p.metadata.namespace}/${p.metadata.name}`;
    set(`pdb/${key}/disruptionsAllowed`, p.status.disruptionsAllowed);
    set(`pdb/${key}/blockedEvictions`, blockedEvictions.get(ctx)?.get(key) ?? 0);
  };
  for (const p of ctx.store.list('PodDisruptionBudget')) {
    p.status = pdbStatus(ctx, p);
    pdb(p);
  }
  ctx.store.watch('PodDisruptionBudget', (type, p) => (type === 'DELETED' ? undefined : pdb(p)));
  // disruptionsAllowed moves with pod readiness too: refreshed every 5 s (O(pods of the namespace) per budget)
  if (ctx.store.list('PodDisruptionBudget').length > 0) {
    const refresh = (): void => {
      for (const p of ctx.store.list('PodDisruptionBudget')) {
        p.status = pdbStatus(ctx, p);
        pdb(p);
      }
      ctx.sim.after(5, refresh);
    };
    ctx.sim.after(5, refresh);
  }
  const rollout = (r: Rollout) => {
    const c = r.spec.strategy.canary;
    let w = 100;
    if (r.status.stableRS !== r.status.currentPodHash) {
      if (r.status.abort) w = 0;
      else if (c !== undefined) {
        w = 0;
        for (let i = Math.min(r.status.currentStepIndex, c.steps.length - 1); i >= 0; i--) {
          const s = c.steps[i]!.setWeight;
          if (s !== undefined) {
            w = s;
            break;
          }
        }
        if (r.status.currentStepIndex >= c.steps.length) w = 100;
      } else w = r.status.blueGreen.activeSelector === r.status.currentPodHash ? 100 : 0;
    }
    set(`rollout/${r.metadata.namespace}/${r.metadata.name}/canaryWeight`, w);
  };
  for (const r of ctx.store.list('Rollout')) rollout(r);
  ctx.store.watch('Rollout', (type, r) => (type === 'DELETED' ? undefined : rollout(r)));
}

/**
 * metrics-server, simulated: a pod's CPU over the last window is cpuPerRequest × the requests it served
 * since the previous sample (cores). A pod gets its first sample one window after it is first seen, so
 * new pods are "missing" at their first sync, as with metrics-server.
 */
function podUsage(ctx: ClusterContext, plane: DataPlane): PodUsage {
  const last = new Map<string, { t: number; served: number; sample: ReturnType<PodUsage> }>();
  return (pod, now) => {
    const idx = plane.indexOf(pod.metadata.uid);
    if (idx === undefined || pod.status.phase !== 'Running') return undefined;
    const served = plane.servers.served[idx] ?? 0;
    const prev = last.get(pod.metadata.uid);
    if (prev !== undefined && prev.t === now) return prev.sample;
    let sample: ReturnType<PodUsage>;
    if (prev !== undefined && now > prev.t) {
      const image = pod.spec.containers[0]?.image ?? '';
      const window = now - prev.t;
      sample = { value: ((served - prev.served) * ctx.behavior(image).cpuPerRequest) / window, timestamp: now, window };
    }
    last.set(pod.metadata.uid, { t: now, served, sample });
    return sample;
  };
}

/**
 * What AnalysisRuns measure: windows over the requests that end while they are open, filtered by the
 * Service the client sent to or by the template hash of the pod that served them. Per request the cost
 * is one check per open window (a handful), and memory per window is one HDR histogram.
 */
export class Measurements implements MeasurementSource {
  private readonly open_: Array<{ filter: MeasurementFilter; w: Win }> = [];
  private readonly podHash: string[] = [];
  private readonly podNs: string[] = [];

  constructor(
    private readonly ctx: ClusterContext,
    private readonly plane: DataPlane,
  ) {}

  private label(p: { metadata: { uid: string; namespace: string; labels: Record<string, string> } }): void {
    const i = this.plane.indexOf(p.metadata.uid);
    if (i === undefined) return;
    this.podHash[i] = p.metadata.labels[ROLLOUT_POD_TEMPLATE_HASH] ?? p.metadata.labels[POD_TEMPLATE_HASH] ?? '';
    this.podNs[i] = p.metadata.namespace;
  }

  /** Labels the pods that exist and watches for new ones: call after the data plane is bound (it indexes pods first). */
  indexPods(): void {
    for (const p of this.ctx.store.list('Pod')) this.label(p);
    this.ctx.store.watch('Pod', (type, p) => {
      if (type === 'ADDED') this.label(p);
    });
  }

  /** Called by the run's sink for every request. */
  request(sentAt: number, endedAt: number, outcome: number, pod: number, client: number): void {
    if (this.open_.length === 0) return;
    for (const o of this.open_) {
      const f = o.filter;
      if (f.service !== undefined) {
        if (this.plane.clientService(client) !== `${f.namespace}/${f.service}`) continue;
      } else {
        const h = pod >= 0 ? this.podHash[pod] : undefined;
        if (h === undefined || (f.podHash !== undefined ? h !== f.podHash : !(f.podHashes ?? []).includes(h))) continue;
        if (this.podNs[pod] !== f.namespace) continue;
      }
      o.w.requests++;
      if (outcome === OK) {
        o.w.ok++;
        o.w.h.record(Math.max(0, endedAt - sentAt));
      } else o.w.failed++;
    }
  }

  open(filter: MeasurementFilter): MeasurementCollector {
    const w: Win = { start: this.ctx.sim.now, requests: 0, ok: 0, failed: 0, h: new LatencyHistogram() };
    const entry = { filter, w };
    this.open_.push(entry);
    return {
      read: (): MeasurementWindow => ({
        seconds: this.ctx.sim.now - w.start,
        requests: w.requests,
        ok: w.ok,
        failed: w.failed,
        quantileMs: (q) => {
          const v = w.h.percentile(q * 100);
          return v === null ? null : v * 1000;
        },
      }),
      close: () => {
        const i = this.open_.indexOf(entry);
        if (i >= 0) this.open_.splice(i, 1);
      },
    };
  }
}

interface Win {
  start: number;
  requests: number;
  ok: number;
  failed: number;
  h: LatencyHistogram;
}
