import type { ClusterContext } from '../cluster/context.js';
import type { Kubelet } from '../cluster/kubelet.js';
import { controllerOf, type Pod } from '../cluster/objects.js';
import type { DataPlane } from '../traffic/dataplane.js';
import type { ProgramChange } from '../traffic/proxy.js';

/**
 * What happened to each pod that matters for explaining failed requests, as measured in the run
 * (times in simulated seconds; null when it did not happen). Indexed like the data plane's servers.
 * The latest occurrence wins for repeated transitions (a container that crashes twice).
 */
export interface PodFacts {
  index: number;
  name: string;
  image: string;
  node: string | null;
  /** `deployment/<name>` (or `rollout/<name>`) owning the pod through its ReplicaSet, or null. */
  deployment: string | null;
  /** The timeline action (index) that deleted it, and when. */
  deletedBy: { index: number; at: number } | null;
  /** Termination began (the kubelet started the preStop hook), with the hook's duration and the grace period. */
  stoppingAt: number | null;
  preStop: number | null;
  grace: number | null;
  /** The stop signal, and when the container stopped accepting connections. */
  sigtermAt: number | null;
  stoppedListeningAt: number | null;
  /** How and when the serving container last ended. */
  ended: 'exited' | 'killed' | 'crashed' | null;
  endedAt: number | null;
  /** The node went down under it. */
  nodeDownAt: number | null;
  /** The last time a kube-proxy view dropped the pod (after being programmed with it). */
  removedAt: number | null;
  /** The last time a kube-proxy view routed to it as a serving terminating endpoint because none was ready. */
  fallbackAt: number | null;
}

/** Collects PodFacts from the kubelet's runtime changes and the proxies' programming. */
export class PodFactsTracker {
  private readonly byIndex: PodFacts[] = [];
  private readonly views = new Map<string, number>();

  constructor(
    private readonly ctx: ClusterContext,
    kubelet: Kubelet,
    private readonly plane: DataPlane,
  ) {
    for (const pod of ctx.store.list('Pod')) this.of(pod);
    ctx.store.watch('Pod', (_, pod) => void this.of(pod));
    kubelet.onRuntimeChange((c) => {
      const f = this.of(c.pod);
      if (f === undefined) return;
      switch (c.what) {
        case 'stopping':
          f.stoppingAt = c.t;
          f.preStop = c.preStop ?? 0;
          f.grace = c.grace ?? null;
          break;
        case 'sigterm':
          f.sigtermAt = c.t;
          break;
        case 'stopped-listening':
          f.stoppedListeningAt = c.t;
          break;
        case 'exited':
        case 'killed':
        case 'crashed':
          f.ended = c.what;
          f.endedAt = c.t;
          if (c.what === 'crashed' || c.what === 'killed') f.stoppedListeningAt ??= c.t;
          break;
        case 'node-down':
          f.nodeDownAt = c.t;
          break;
        case 'listening':
          break;
      }
    });
  }

  /** A timeline action deleted `pod`. */
  deletedBy(pod: Pod, index: number, at: number): void {
    const f = this.of(pod);
    if (f !== undefined) f.deletedBy = { index, at };
  }

  /** A proxy of `service` synced: pods it no longer routes to were removed now (O(change); O(view) in fallback). */
  programmed(service: string, change: ProgramChange, view: () => readonly number[]): void {
    const now = this.ctx.sim.now;
    if (change.fallback) {
      for (const p of view()) {
        const f = this.byIndex[p];
        if (f !== undefined) f.fallbackAt = now;
      }
    }
    for (const p of change.removed) {
      const f = this.byIndex[p];
      if (f !== undefined) f.removedAt = now;
    }
    this.views.set(service, change.size);
  }

  /** Programmed endpoint counts per Service now. */
  viewSizes(): [string, number][] {
    return [...this.views.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  }

  /** Facts of every pod the data plane knows, by index. */
  all(): PodFacts[] {
    return this.byIndex.filter((f) => f !== undefined);
  }

  private of(pod: Pod): PodFacts | undefined {
    const index = this.plane.indexOf(pod.metadata.uid);
    if (index === undefined) return undefined;
    let f = this.byIndex[index];
    if (f === undefined) {
      f = {
        index,
        name: pod.metadata.name,
        image: pod.spec.containers[0]?.image ?? '',
        node: pod.spec.nodeName ?? null,
        deployment: this.deploymentOf(pod),
        deletedBy: null,
        stoppingAt: null,
        preStop: null,
        grace: null,
        sigtermAt: null,
        stoppedListeningAt: null,
        ended: null,
        endedAt: null,
        nodeDownAt: null,
        removedAt: null,
        fallbackAt: null,
      };
      this.byIndex[index] = f;
    }
    if (f.node === null && pod.spec.nodeName !== undefined) f.node = pod.spec.nodeName;
    return f;
  }

  private deploymentOf(pod: Pod): string | null {
    const rsRef = controllerOf(pod.metadata);
    if (rsRef?.kind !== 'ReplicaSet') return null;
    const rs = this.ctx.store.get('ReplicaSet', rsRef.name, pod.metadata.namespace);
    const dRef = rs === undefined ? undefined : controllerOf(rs.metadata);
    return dRef?.kind === 'Deployment' ? `deployment/${dRef.name}` : dRef?.kind === 'Rollout' ? `rollout/${dRef.name}` : null;
  }
}
