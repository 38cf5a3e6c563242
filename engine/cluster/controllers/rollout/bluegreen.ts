import {
  abortRollout,
  addPause,
  analysisPhase,
  clearPauses,
  hashOf,
  hasPause,
  pauseStart,
  promoteStable,
  scaleDownDeadline,
  scaleRS,
  switchSelector,
  type RolloutSync,
} from './controller.js';

/**
 * Blue-green (kubernetes-semantics.md §8.4; argo `rollout/bluegreen.go`, docs features/bluegreen.md):
 *
 * 1. the new RS is scaled to previewReplicaCount (or spec.replicas) and the previewService selects it;
 * 2. once it is fully available: prePromotionAnalysis, then a pause when autoPromotionEnabled is false
 *    (until promote) or autoPromotionSeconds is set (auto-promote after it);
 * 3. the new RS is scaled to spec.replicas, then the activeService's selector switches to it;
 * 4. postPromotionAnalysis; then the new RS becomes stable and the previous one is scaled down after
 *    scaleDownDelaySeconds (default 30 s: kube-proxy views that still route to the old pods keep working).
 * Abort: the active selector returns to (stays on) the stable RS; the new RS is scaled down after
 * abortScaleDownDelaySeconds (default 30 s). One move per sync, as everywhere.
 */
export function reconcileBlueGreen(s: RolloutSync): void {
  const { r, ctx } = s;
  const bg = r.spec.strategy.blueGreen!;
  const st = r.status;
  const R = r.spec.replicas;
  const newHash = hashOf(s.newRS);

  // First deploy or back on the stable template: everything points at the new (= stable) RS.
  if (s.stableRS === undefined) {
    if (scaleRS(s, s.newRS, R)) return;
    if (switchSelector(s, bg.activeService, newHash) || switchSelector(s, bg.previewService, newHash)) return;
    st.blueGreen = { activeSelector: newHash, previewSelector: bg.previewService === undefined ? '' : newHash };
    scaleDownOthers(s, bg.scaleDownDelaySeconds);
    return;
  }
  const stableHash = hashOf(s.stableRS);

  if (st.abort) {
    if (switchSelector(s, bg.activeService, stableHash)) return;
    st.blueGreen.activeSelector = stableHash;
    if (scaleRS(s, s.stableRS, R)) return;
    if (s.newRS.spec.replicas > 0 && bg.abortScaleDownDelaySeconds > 0) {
      const at = (st.abortedAt ?? ctx.sim.now) + bg.abortScaleDownDelaySeconds;
      if (ctx.sim.now >= at) scaleRS(s, s.newRS, 0);
      else s.requeueAt(at);
    }
    return;
  }

  // 1. preview
  if (switchSelector(s, bg.previewService, newHash)) return;
  if (bg.previewService !== undefined) st.blueGreen.previewSelector = newHash;
  if (scaleRS(s, s.stableRS, R)) return;
  const promoted = st.blueGreen.activeSelector === newHash;
  if (!promoted) {
    const promoting = st.promoteFull || (st.controllerPause && !hasPause(r, 'BlueGreenPause'));
    const previewTarget = promoting || bg.previewReplicaCount === undefined ? R : Math.min(R, bg.previewReplicaCount);
    if (scaleRS(s, s.newRS, previewTarget)) return;
    if (s.newRS.status.availableReplicas < previewTarget) return;
    // 2. pre-promotion analysis, pause
    if (!st.promoteFull) {
      const pre = analysisPhase(s, 'prePromotion', bg.prePromotionAnalysis);
      if (pre === 'Failed' || pre === 'Error') return abortRollout(s, `Metric assessment ${pre} in prePromotionAnalysis`);
      if (pre === 'Inconclusive') return addPause(s, 'InconclusiveAnalysisRun');
      if (pre !== 'Successful') return;
      const pauses = !bg.autoPromotionEnabled || (bg.autoPromotionSeconds ?? 0) > 0;
      if (pauses && !st.controllerPause) return addPause(s, 'BlueGreenPause');
      const start = pauseStart(r, 'BlueGreenPause');
      if (start !== undefined) {
        if (!bg.autoPromotionEnabled || bg.autoPromotionSeconds === undefined) return; // until promote
        const at = start + bg.autoPromotionSeconds;
        if (ctx.sim.now < at) return s.requeueAt(at);
        clearPauses(r);
        st.controllerPause = true; // auto-promoted: the pause is over
      }
    }
    // 3. full size, then the switch
    if (scaleRS(s, s.newRS, R)) return;
    if (s.newRS.status.availableReplicas < R) return;
    switchSelector(s, bg.activeService, newHash);
    st.blueGreen.activeSelector = newHash;
    return;
  }
  // 4. post-promotion analysis, then stable
  if (!st.promoteFull) {
    const post = analysisPhase(s, 'postPromotion', bg.postPromotionAnalysis);
    if (post === 'Failed' || post === 'Error') return abortRollout(s, `Metric assessment ${post} in postPromotionAnalysis`);
    if (post === 'Inconclusive') return addPause(s, 'InconclusiveAnalysisRun');
    if (post !== 'Successful') return;
  }
  promoteStable(s, st.promoteFull ? 'Full promotion requested' : 'Completed blue-green update');
  scaleDownOthers(s, bg.scaleDownDelaySeconds);
}

/** Superseded RSs keep their pods until their scale-down deadline (scaleDownDelaySeconds after the switch). */
function scaleDownOthers(s: RolloutSync, delay: number): void {
  for (const rs of s.others) {
    if (rs.spec.replicas === 0) continue;
    if (scaleDownDeadline(s, rs, delay) <= s.ctx.sim.now) scaleRS(s, rs, 0);
  }
}
