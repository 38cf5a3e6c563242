import type { ClusterContext } from './context.js';
import type { Node, Pod, Taint, Toleration } from './objects.js';

/**
 * Nodes: creating Node objects, the machines behind them, and taint/toleration matching.
 *
 * A Node object is what the API server knows; a machine is what really runs. The two diverge on purpose:
 * when a machine dies its Node stays Ready until the node lifecycle controller notices the missing
 * heartbeats (§6.1). The machine registry below is the shared truth for the kubelet (which runs pods
 * and renews leases only on up machines), the node lifecycle controller (which reads lease renew
 * times, like it reads Lease objects) and the data plane (which asks whether a pod's machine is up).
 */

/** Taint keys the node lifecycle controller uses (§6.1). */
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

export interface NodeSpecInput {
  name: string;
  /** Allocatable CPU in cores. */
  cpu: number;
  /** Allocatable memory in bytes. */
  memory: number;
  labels?: Record<string, string>;
}

/** Creates a Ready, schedulable Node whose capacity equals its allocatable resources. */
export function addNode(ctx: ClusterContext, input: NodeSpecInput): Node {
  const now = ctx.sim.now;
  return ctx.store.create<'Node'>({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: input.name,
      // the well-known labels every kubelet sets (manifests' nodeSelectors use kubernetes.io/os: linux)
      labels: { 'kubernetes.io/hostname': input.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', ...(input.labels ?? {}) },
    },
    spec: { unschedulable: false, taints: [] },
    status: {
      allocatable: { cpu: input.cpu, memory: input.memory },
      capacity: { cpu: input.cpu, memory: input.memory },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastTransitionTime: now,
          lastUpdateTime: now,
        },
      ],
    },
  });
}

/**
 * A Node by name. Nodes are cluster-scoped; `addNode` leaves the store's default namespace on them, and
 * a Node created elsewhere with namespace '' is found too.
 */
export function getNode(ctx: ClusterContext, name: string): Node | undefined {
  return ctx.store.get('Node', name) ?? ctx.store.get('Node', name, '');
}

// ---------------------------------------------------------------------------------------------
// Machines

export type MachineListener = (node: string, up: boolean) => void;

/**
 * The machines of one cluster (one per context). A machine is up unless `setUp(name, false)` was
 * called; lease renew times are written by the kubelet and read by the node lifecycle controller.
 */
export class Machines {
  private readonly down = new Set<string>();
  private readonly leases = new Map<string, number>();
  private readonly listeners: MachineListener[] = [];

  isUp(node: string): boolean {
    return !this.down.has(node);
  }

  /** Powers a machine off (false) or on (true); listeners hear about real changes only. */
  setUp(node: string, up: boolean): void {
    if (this.isUp(node) === up) return;
    if (up) this.down.delete(node);
    else this.down.add(node);
    for (const l of [...this.listeners]) l(node, up);
  }

  /** The kubelet renewed the node's Lease at `now` (§6.1). */
  renewLease(node: string, now: number): void {
    this.leases.set(node, now);
  }

  /** Last Lease renewal, or undefined when the node never heartbeated. */
  leaseRenewTime(node: string): number | undefined {
    return this.leases.get(node);
  }

  onChange(listener: MachineListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
}

const machinesByContext = new WeakMap<ClusterContext, Machines>();

/** The machine registry of a cluster (created on first use). */
export function machines(ctx: ClusterContext): Machines {
  let m = machinesByContext.get(ctx);
  if (m === undefined) machinesByContext.set(ctx, (m = new Machines()));
  return m;
}

// ---------------------------------------------------------------------------------------------
// Taints and tolerations

/** Whether one toleration tolerates one taint (empty effect = all effects; Exists with no key = all taints). */
export function toleratesTaint(tol: Toleration, taint: Taint): boolean {
  if (tol.effect !== undefined && tol.effect !== taint.effect) return false;
  if ((tol.operator ?? 'Equal') === 'Exists') return tol.key === undefined || tol.key === '' || tol.key === taint.key;
  return tol.key === taint.key && (tol.value ?? '') === (taint.value ?? '');
}

/** Taints with the given effect that none of the pod's tolerations tolerate. */
export function untoleratedTaints(pod: Pod, taints: readonly Taint[], effect: Taint['effect']): Taint[] {
  const tols = pod.spec.tolerations ?? [];
  return taints.filter((t) => t.effect === effect && !tols.some((tol) => toleratesTaint(tol, t)));
}

/**
 * How long a pod may stay on a node with this NoExecute taint: the smallest tolerationSeconds of the
 * pod's matching tolerations (Infinity when one has none), or 0 when nothing tolerates it.
 * The DefaultTolerationSeconds admission plugin adds not-ready/unreachable tolerations of
 * `defaultSeconds` (300 s) to pods that declare none for those keys (§6.1); that is applied here.
 */
export function tolerationSecondsFor(pod: Pod, taint: Taint, defaultSeconds: number): number {
  const tols = (pod.spec.tolerations ?? []).filter((tol) => toleratesTaint(tol, taint));
  if (tols.length === 0) {
    const declaresKey = (pod.spec.tolerations ?? []).some(
      (tol) => tol.key === taint.key && (tol.effect === undefined || tol.effect === 'NoExecute'),
    );
    if (!declaresKey && (taint.key === TAINT_UNREACHABLE || taint.key === TAINT_NOT_READY)) return defaultSeconds;
    return 0;
  }
  let min = Infinity;
  for (const tol of tols) min = Math.min(min, tol.tolerationSeconds ?? Infinity);
  return Math.max(0, min);
}

/** Pods bound to a node, in creation order. */
export function podsOnNode(ctx: ClusterContext, node: string): Pod[] {
  return ctx.store.list('Pod').filter((p) => p.spec.nodeName === node);
}
