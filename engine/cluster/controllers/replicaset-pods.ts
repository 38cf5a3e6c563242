import type { Pod } from '../objects.js';
import { controllerOf, getCondition, isPodActive, isPodAvailable } from '../objects.js';
import { popByTime, pushByTime } from '../timeheap.js';

/**
 * The pods of each ReplicaSet and its status counts, kept from pod events instead of walking every
 * pod at each sync (issue 12: no per-event O(pods) work). A pod event only marks the pod; `refresh`
 * re-evaluates the marked pods of one ReplicaSet (O(changed)), so a sync reads the same state a walk
 * of the store would (kubernetes-semantics.md §1.4, §1.5):
 *
 *   replicas = fullyLabeledReplicas = active pods (no deletionTimestamp, not Succeeded/Failed)
 *   readyReplicas     = active pods with Ready=True
 *   availableReplicas = of those, Ready for at least minReadySeconds (`isPodAvailable`)
 *
 * Ready pods not yet available wait in a heap by the time they become available. `active` lists the
 * active pods in creation order (the order `store.ownedBy` gives, which the §3.1 ranking's stable
 * sort keeps for ties).
 */
export interface ReplicaSetCounts {
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
}

interface Members {
  active: Set<Pod>;
  ready: Set<Pod>;
  /** Ready, not yet available: when it will be. */
  pending: Map<Pod, number>;
  heap: Array<{ at: number; pod: Pod }>;
  dirty: Set<Pod>;
  minReadySeconds: number;
  /** Active pods per node, and the node each active pod was counted on. */
  perNode: Map<string, number>;
  nodeOf: Map<Pod, string>;
}

export class ReplicaSetPods {
  private readonly byOwner = new Map<string, Members>();

  /** A pod changed (or was added or removed): its ReplicaSet re-evaluates it at the next refresh. */
  touch(pod: Pod): void {
    const owner = controllerOf(pod.metadata);
    if (owner?.kind !== 'ReplicaSet') return;
    this.of(owner.uid).dirty.add(pod);
  }

  /** Forgets a deleted ReplicaSet. */
  forget(rsUid: string): void {
    this.byOwner.delete(rsUid);
  }

  /**
   * Re-evaluates the changed pods of ReplicaSet `rsUid` (every pod when minReadySeconds changed) and
   * returns its counts at `now`. `exists(pod)`: the pod object is still in the store.
   * `onPending(pod, at)` is told of each pod that turns Ready but is available only at `at`.
   */
  refresh(rsUid: string, minReadySeconds: number, now: number, exists: (pod: Pod) => boolean, onPending: (pod: Pod, at: number) => void): ReplicaSetCounts {
    const m = this.of(rsUid);
    if (m.minReadySeconds !== minReadySeconds) {
      for (const p of m.active) m.dirty.add(p);
      m.minReadySeconds = minReadySeconds;
    }
    for (const pod of m.dirty) {
      m.ready.delete(pod);
      m.pending.delete(pod);
      const owned = controllerOf(pod.metadata)?.uid === rsUid;
      const counted = m.nodeOf.get(pod);
      if (counted !== undefined) {
        m.nodeOf.delete(pod);
        const n = m.perNode.get(counted)! - 1;
        if (n === 0) m.perNode.delete(counted);
        else m.perNode.set(counted, n);
      }
      if (!owned || !exists(pod) || !isPodActive(pod)) {
        m.active.delete(pod);
        continue;
      }
      m.active.add(pod);
      const node = pod.spec.nodeName;
      if (node !== undefined) {
        m.nodeOf.set(pod, node);
        m.perNode.set(node, (m.perNode.get(node) ?? 0) + 1);
      }
      const ready = getCondition(pod.status.conditions, 'Ready');
      if (ready?.status !== 'True') continue;
      m.ready.add(pod);
      if (minReadySeconds <= 0) continue;
      const at = ready.lastTransitionTime === undefined ? Infinity : ready.lastTransitionTime + minReadySeconds;
      if (at <= now) continue;
      m.pending.set(pod, at);
      pushByTime(m.heap, { at, pod });
      onPending(pod, at);
    }
    m.dirty.clear();
    while (m.heap.length > 0 && m.heap[0]!.at <= now) {
      const top = popByTime(m.heap);
      if (m.pending.get(top.pod) === top.at) m.pending.delete(top.pod);
    }
    return { replicas: m.active.size, readyReplicas: m.ready.size, availableReplicas: m.ready.size - m.pending.size };
  }

  /** Adds the ReplicaSet's active pods per node (as of its last refresh) into `into`. */
  addPerNode(rsUid: string, into: Map<string, number>): void {
    for (const [node, n] of this.byOwner.get(rsUid)?.perNode ?? []) into.set(node, (into.get(node) ?? 0) + n);
  }

  /** Active pods of the ReplicaSet as of the last refresh, in creation order. */
  active(rsUid: string): Pod[] {
    return [...(this.byOwner.get(rsUid)?.active ?? [])];
  }

  private of(uid: string): Members {
    let m = this.byOwner.get(uid);
    if (m === undefined) this.byOwner.set(uid, (m = { active: new Set(), ready: new Set(), pending: new Map(), heap: [], dirty: new Set(), minReadySeconds: 0, perNode: new Map(), nodeOf: new Map() }));
    return m;
  }
}

/** The same counts from scratch, walking `pods` (the definition `ReplicaSetPods` must agree with; for tests). */
export function countReplicaSetPods(pods: readonly Pod[], rsUid: string, minReadySeconds: number, now: number): ReplicaSetCounts {
  let replicas = 0, readyReplicas = 0, availableReplicas = 0;
  for (const pod of pods) {
    if (controllerOf(pod.metadata)?.uid !== rsUid || !isPodActive(pod)) continue;
    replicas++;
    if (!isPodAvailable(pod, 0, now)) continue;
    readyReplicas++;
    if (isPodAvailable(pod, minReadySeconds, now)) availableReplicas++;
  }
  return { replicas, readyReplicas, availableReplicas };
}
