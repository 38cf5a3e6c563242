/**
 * Test harness for the node-side controllers (kubelet, scheduler, node lifecycle, EndpointSlices):
 * a cluster context with per-image behaviour overrides, and pods built from templates straight into
 * the store (no Deployment/ReplicaSet controllers involved).
 */
import { defaultBehavior, type BehaviorProfile } from '../../../engine/behavior/profile.js';
import { defaultClusterConfig, type ClusterConfig, type ClusterContext } from '../../../engine/cluster/context.js';
import { EventLog, type ClusterEvent } from '../../../engine/cluster/events.js';
import type { Container, Pod, PodSpec, Probe } from '../../../engine/cluster/objects.js';
import { getCondition } from '../../../engine/cluster/objects.js';
import { podFromTemplate } from '../../../engine/cluster/pods.js';
import { Store } from '../../../engine/cluster/store.js';
import { RandomStreams } from '../../../engine/kernel/random.js';
import { Simulation } from '../../../engine/kernel/simulation.js';

export interface Harness extends ClusterContext {
  images: Map<string, Partial<BehaviorProfile>>;
}

export function makeContext(config: Partial<ClusterConfig> = {}, seed = 1): Harness {
  const sim = new Simulation();
  const clock = () => sim.now;
  const images = new Map<string, Partial<BehaviorProfile>>();
  return {
    sim,
    store: new Store(clock),
    events: new EventLog(clock),
    random: new RandomStreams(seed),
    config: { ...defaultClusterConfig(), controllerDelay: 0, ...config },
    images,
    behavior: (image: string) => ({ ...defaultBehavior(), ...(images.get(image) ?? {}) }),
  };
}

export const OWNER = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-rs', uid: 'rs-uid', controller: true };

export function probe(fields: Partial<Probe> = {}): Probe {
  return { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3, ...fields };
}

export interface PodOptions {
  labels?: Record<string, string>;
  container?: Partial<Container>;
  containers?: Container[];
  spec?: Partial<PodSpec>;
  nodeName?: string;
  namespace?: string;
}

/** Creates a pod in the store (optionally already bound to a node). */
export function createPod(ctx: ClusterContext, name: string, opts: PodOptions = {}): Pod {
  const containers = opts.containers ?? [{ name: 'app', image: 'web:v1', ports: [{ containerPort: 8080, name: 'http' }], ...(opts.container ?? {}) }];
  const spec: PodSpec = { containers, restartPolicy: 'Always', terminationGracePeriodSeconds: 30, ...(opts.spec ?? {}) };
  if (opts.nodeName !== undefined) spec.nodeName = opts.nodeName;
  const input = podFromTemplate(name, opts.namespace ?? 'default', { metadata: { labels: opts.labels ?? { app: 'web' } }, spec }, OWNER);
  return ctx.store.create<'Pod'>(input);
}

export function isReady(pod: Pod): boolean {
  return getCondition(pod.status.conditions, 'Ready')?.status === 'True';
}

/**
 * Runs the simulation to `until`, sampling `probeFn` after every event, and returns the times at which
 * the sampled value changed (first entry: the value at the start).
 */
export function timeline<T>(ctx: ClusterContext, until: number, probeFn: () => T): Array<[number, T]> {
  const out: Array<[number, T]> = [[ctx.sim.now, probeFn()]];
  while (ctx.sim.peek() <= until) {
    ctx.sim.step();
    const v = probeFn();
    if (JSON.stringify(v) !== JSON.stringify(out[out.length - 1]![1])) out.push([ctx.sim.now, v]);
  }
  ctx.sim.run({ until });
  return out;
}

export function eventsOf(ctx: ClusterContext, reason: string): ClusterEvent[] {
  return ctx.events.events.filter((e) => e.reason === reason);
}

export function round(x: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
