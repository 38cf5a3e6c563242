import type { ClusterContext } from '../../engine/cluster/context.js';
import type { Pod } from '../../engine/cluster/objects.js';
import { setCondition } from '../../engine/cluster/objects.js';
import { Simulation } from '../../engine/kernel/simulation.js';
import { RandomStreams } from '../../engine/kernel/random.js';
import { Store, type NewObject } from '../../engine/cluster/store.js';
import { EventLog } from '../../engine/cluster/events.js';
import { defaultClusterConfig } from '../../engine/cluster/context.js';
import { defaultBehavior } from '../../engine/behavior/profile.js';
import type { IntOrString } from '../../engine/cluster/objects.js';

/**
 * A test-only stand-in for the kubelet (the real one lives in engine/cluster/kubelet.ts; these tests
 * must not depend on it). It binds every new pod to a node, marks it Running + Ready a chosen time
 * after its creation, and removes a pod whose deletionTimestamp is set after a chosen delay.
 */
export interface FakeKubeletOptions {
  /** Seconds from creation to Running+Ready: a constant or per pod. Infinity = never ready (runs unready). */
  startAfter?: number | ((pod: Pod) => number);
  /** Seconds from deletionTimestamp to the object's removal (default 0). */
  deleteAfter?: number | ((pod: Pod) => number);
  /** Node name given to pods (default "node-1"); a function spreads pods. */
  nodeName?: string | ((pod: Pod) => string);
}

export class FakeKubelet {
  private readonly removing = new Set<string>();

  constructor(
    private readonly ctx: ClusterContext,
    private readonly options: FakeKubeletOptions = {},
  ) {
    ctx.store.watch('Pod', (type, pod) => {
      if (type === 'ADDED') this.admit(pod);
      else if (type === 'MODIFIED' && pod.metadata.deletionTimestamp !== undefined) this.terminate(pod);
    });
  }

  private exists(pod: Pod): boolean {
    return this.ctx.store.get('Pod', pod.metadata.name, pod.metadata.namespace) === pod;
  }

  private admit(pod: Pod): void {
    const { ctx } = this;
    const node = this.options.nodeName ?? 'node-1';
    // Bind in a later event: watchers must not see MODIFIED before every watcher has seen ADDED.
    ctx.sim.after(0, () => {
      if (!this.exists(pod) || pod.metadata.deletionTimestamp !== undefined) return;
      pod.spec.nodeName = typeof node === 'function' ? node(pod) : node;
      ctx.store.update(pod);
    });
    const s = this.options.startAfter ?? 0;
    const delay = typeof s === 'function' ? s(pod) : s;
    if (!Number.isFinite(delay)) {
      ctx.sim.after(0, () => this.run(pod, false));
      return;
    }
    ctx.sim.schedule(pod.metadata.creationTimestamp + delay, () => this.run(pod, true));
  }

  private run(pod: Pod, ready: boolean): void {
    if (!this.exists(pod) || pod.metadata.deletionTimestamp !== undefined) return;
    const now = this.ctx.sim.now;
    pod.status.phase = 'Running';
    pod.status.startTime ??= now;
    for (const c of pod.status.containerStatuses) {
      c.started = true;
      c.ready = ready;
      c.state = { running: { startedAt: now } };
    }
    const status = ready ? 'True' : 'False';
    setCondition(pod.status.conditions, { type: 'ContainersReady', status }, now);
    setCondition(pod.status.conditions, { type: 'Ready', status }, now);
    this.ctx.store.update(pod);
  }

  private terminate(pod: Pod): void {
    const key = pod.metadata.uid;
    if (this.removing.has(key)) return;
    this.removing.add(key);
    const d = this.options.deleteAfter ?? 0;
    const delay = typeof d === 'function' ? d(pod) : d;
    this.ctx.sim.after(delay, () => {
      this.removing.delete(key);
      if (this.exists(pod)) this.ctx.store.remove(pod);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Small test helpers: a bare cluster context and Deployment manifests with API defaults filled.

export function makeContext(controllerDelay = 0): ClusterContext {
  const sim = new Simulation();
  const clock = () => sim.now;
  return {
    sim,
    store: new Store(clock),
    events: new EventLog(clock),
    random: new RandomStreams(1),
    config: { ...defaultClusterConfig(), controllerDelay },
    behavior: () => defaultBehavior(),
  };
}

export interface DeploymentOptions {
  replicas?: number;
  image?: string;
  strategy?: 'RollingUpdate' | 'Recreate';
  maxSurge?: IntOrString;
  maxUnavailable?: IntOrString;
  minReadySeconds?: number;
  progressDeadlineSeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
}

/** A Deployment `name` with app=<name> labels and one container "app", API defaults filled. */
export function deploymentManifest(name: string, o: DeploymentOptions = {}): NewObject<'Deployment'> {
  const strategy = o.strategy ?? 'RollingUpdate';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: o.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'app', image: o.image ?? 'app:v1' }],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
        },
      },
      strategy:
        strategy === 'Recreate'
          ? { type: 'Recreate' }
          : { type: 'RollingUpdate', rollingUpdate: { maxSurge: o.maxSurge ?? '25%', maxUnavailable: o.maxUnavailable ?? '25%' } },
      minReadySeconds: o.minReadySeconds ?? 0,
      progressDeadlineSeconds: o.progressDeadlineSeconds ?? 600,
      revisionHistoryLimit: o.revisionHistoryLimit ?? 10,
      paused: o.paused ?? false,
    },
    status: {
      observedGeneration: 0,
      replicas: 0,
      updatedReplicas: 0,
      readyReplicas: 0,
      availableReplicas: 0,
      unavailableReplicas: 0,
      conditions: [],
    },
  };
}
