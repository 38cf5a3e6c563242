import type { ClusterContext } from '../cluster/context.js';
import type { AnalysisRuns } from '../cluster/controllers/rollout/analysis.js';
import { findNewReplicaSet, POD_TEMPLATE_HASH, replicaSetsOf } from '../cluster/controllers/deployment/sync.js';
import { KubectlError, pause, rolloutUndo } from '../cluster/kubectl.js';
import type { Deployment } from '../cluster/objects.js';
import type { AnalysisGateSpec } from '../scenario/schema.js';

/**
 * Analysis gates on plain Deployments (`spec.analysis` of a Scenario): the automated rollback Argo's
 * analysis gives a Rollout, for a Deployment. On every rollout (a pod template change) of the target,
 * an analysis run of the gate's templates measures the new ReplicaSet's pods (`pods: canary`, the
 * default) or a Service, from the template change for its `count` measurements (a rolling update is
 * often over before the first one; the gate keeps watching the new version), until the next rollout
 * replaces it; when it fails (Failed or Error) the Deployment is rolled back (`kubectl rollout undo`)
 * or paused (`onFailure: pause`).
 */
export function attachGates(ctx: ClusterContext, analysis: AnalysisRuns, gates: readonly AnalysisGateSpec[]): void {
  if (gates.length === 0) return;
  const state = new Map<string, { template: string; pending: boolean; run?: { gate: AnalysisGateSpec; decided: boolean } }>();
  const ownerOf = (d: Deployment) => `deployment:${d.metadata.namespace}/${d.metadata.name}`;

  const observe = (d: Deployment): void => {
    const gate = gates.find((g) => g.target.name === d.metadata.name && (g.target.namespace ?? 'default') === d.metadata.namespace);
    if (gate === undefined) return;
    const owner = ownerOf(d);
    const template = JSON.stringify(d.spec.template);
    const st = state.get(owner);
    if (st === undefined) {
      state.set(owner, { template, pending: false }); // first sight: not a rollout
      return;
    }
    if (st.template !== template) {
      st.template = template;
      analysis.stopAll(owner);
      delete st.run;
      st.pending = true;
    }
    if (!st.pending) return;
    const rss = replicaSetsOf(ctx, d);
    const newRS = findNewReplicaSet(d, rss);
    if (newRS === undefined) return; // the controller has not created it yet
    st.pending = false;
    st.run = { gate, decided: false };
    const stable = rss.filter((x) => x !== newRS).sort((a, b) => b.metadata.creationTimestamp - a.metadata.creationTimestamp)[0];
    const hashOf = (labels: Record<string, string> | undefined) => labels?.[POD_TEMPLATE_HASH] ?? '';
    analysis.ensure(owner, 'scenario', { templates: gate.templates, args: gate.args }, { namespace: d.metadata.namespace, canaryHash: hashOf(newRS.metadata.labels), stableHash: hashOf(stable?.metadata.labels) });
  };
  ctx.store.watch('Deployment', (type, d) => (type === 'DELETED' ? undefined : observe(d)));
  analysis.onChange((owner) => {
    const r = state.get(owner)?.run;
    if (r === undefined || r.decided) return;
    const phase = analysis.phase(owner, 'scenario');
    if (phase !== 'Failed' && phase !== 'Error') return;
    r.decided = true;
    const name = owner.slice(owner.indexOf('/') + 1);
    const namespace = owner.slice('deployment:'.length, owner.indexOf('/'));
    try {
      if (r.gate.onFailure === 'pause') pause(ctx, name, namespace);
      else rolloutUndo(ctx, name, undefined, namespace);
      ctx.events.warning('Deployment', name, 'AnalysisGateFailed', `analysis ${phase}: ${r.gate.onFailure === 'pause' ? 'paused the rollout' : 'rolled back to the previous revision'}`);
    } catch (e) {
      if (!(e instanceof KubectlError)) throw e;
      ctx.events.warning('Deployment', name, 'AnalysisGateFailed', `analysis ${phase}; ${r.gate.onFailure} refused: ${e.message}`);
    }
  });
}
