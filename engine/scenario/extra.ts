import type { Diagnostic } from './diagnostics.js';
import type { LoadedDeployment } from './manifests.js';
import type { ExtraDecodedObject, LoadedAnalysisTemplate, LoadedHpa, LoadedPdb, LoadedRollout } from './workloads.js';
import { diagnosticAt } from './yaml.js';

/**
 * The Argo Rollouts, PDB and HPA objects of a scenario, sorted by kind, with what needs the other
 * manifests resolved: a Rollout's `workloadRef` takes the referenced Deployment's pod template (and its
 * selector when the Rollout has none), as Argo does. The Deployment itself is kept as written (Argo's
 * default `workloadRef.scaleDown: never`), with a note.
 */
export function sortExtra(
  objects: readonly ExtraDecodedObject[],
  deployments: readonly LoadedDeployment[],
  errors: Diagnostic[],
  notes: Diagnostic[],
): { rollouts: LoadedRollout[]; analysisTemplates: LoadedAnalysisTemplate[]; pdbs: LoadedPdb[]; hpas: LoadedHpa[] } {
  const out = { rollouts: [] as LoadedRollout[], analysisTemplates: [] as LoadedAnalysisTemplate[], pdbs: [] as LoadedPdb[], hpas: [] as LoadedHpa[] };
  for (const o of objects) {
    switch (o.type) {
      case 'Rollout': {
        const r = o.object;
        const ref = r.spec.workloadRef;
        if (ref !== undefined) {
          const d = deployments.find((x) => x.metadata.name === ref.name && x.metadata.namespace === r.metadata.namespace);
          if (d === undefined) {
            errors.push(diagnosticAt(o.doc, [...o.base, 'spec', 'workloadRef', 'name'], `unknown Deployment ${JSON.stringify(ref.name)} in namespace ${JSON.stringify(r.metadata.namespace)}; the manifests define ${deployments.map((x) => x.metadata.name).join(', ') || 'no Deployment'}`));
            continue;
          }
          r.spec.template = structuredClone(d.spec.template);
          if (Object.keys(r.spec.selector.matchLabels ?? {}).length === 0 && (r.spec.selector.matchExpressions ?? []).length === 0) r.spec.selector = structuredClone(d.spec.selector);
          notes.push(diagnosticAt(o.doc, [...o.base, 'spec', 'workloadRef'], `rollout/${r.metadata.name} runs the pod template of deployment/${d.metadata.name}; the Deployment keeps running as written (workloadRef.scaleDown: never)`, 'note'));
        }
        out.rollouts.push(r);
        break;
      }
      case 'AnalysisTemplate':
        out.analysisTemplates.push(o.object);
        break;
      case 'PodDisruptionBudget':
        out.pdbs.push(o.object);
        break;
      case 'HorizontalPodAutoscaler':
        out.hpas.push(o.object);
        break;
    }
  }
  return out;
}
