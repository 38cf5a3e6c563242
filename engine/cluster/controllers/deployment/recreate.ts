import type { Pod, ReplicaSet } from '../../objects.js';
import { type DeploymentSync, cleanupDeployment, getAllReplicaSetsAndSyncRevision, isActive, scaleReplicaSet } from './sync.js';
import { isDeploymentComplete } from './progress.js';

/**
 * Recreate (kubernetes-semantics.md §2): scale every active old RS to 0 in one sync; wait while any
 * old pod still exists (terminating pods included); then create the new RS straight at D (no surge
 * limits); clean up history when complete. One move per sync, like the rolling path.
 */

/**
 * §2 step 2 oldPodsRunning: an old RS still reports replicas, or one of its pods is in a non-terminal
 * phase (Pending/Running/Unknown — a terminating pod counts until it is gone). Succeeded/Failed do not block.
 */
export function oldPodsRunning(oldRSs: readonly ReplicaSet[], podsOf: (rs: ReplicaSet) => readonly Pod[]): boolean {
  for (const rs of oldRSs) {
    if (rs.status.replicas > 0) return true;
    for (const pod of podsOf(rs)) {
      if (pod.status.phase !== 'Succeeded' && pod.status.phase !== 'Failed') return true;
    }
  }
  return false;
}

/** rolloutRecreate: at most one move; true when it changed something. */
export function rolloutRecreate(s: DeploymentSync, podsOf: (rs: ReplicaSet) => readonly Pod[]): boolean {
  const { ctx, d } = s;
  const found = getAllReplicaSetsAndSyncRevision(s, false);
  if (found.moved) return true;

  // §2 step 1: all active old RSs to 0 at once.
  let moved = false;
  for (const rs of s.oldRSs.filter(isActive)) moved = scaleReplicaSet(ctx, d, rs, 0) || moved;
  if (moved) return true;

  // §2 step 2: wait until every old pod is gone.
  if (oldPodsRunning(s.oldRSs, podsOf)) return false;

  // §2 step 3: the new RS, straight at D.
  if (found.newRS === undefined) return getAllReplicaSetsAndSyncRevision(s, true, d.spec.replicas).moved;
  if (scaleReplicaSet(ctx, d, found.newRS, d.spec.replicas)) return true;

  // §2 step 4
  if (isDeploymentComplete(d, s.rss, found.newRS)) return cleanupDeployment(s);
  return false;
}
