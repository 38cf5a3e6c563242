import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { reportJsonText } from '../reports/json.js';
import { buildReport } from '../reports/model.js';
import { executePlan } from '../engine/run/pool.js';
import { collectResults, expandScenarios, planExpanded } from '../engine/run/run.js';
import { loadScenarioFiles } from '../engine/scenario/load.js';

/**
 * `npm run bench workers`: the same plan — 2 variants × 4 replications of a rollout at 4,000 req/s
 * for 4 simulated minutes (about 1 s of wall time per run on one core) — run with 1 worker (in
 * process), 2 workers and every core. Prints wall time, speed-up over 1 worker, and kernel events per
 * second overall and per worker; checks that every worker count gives the same report.json bytes.
 * Wall times depend on the machine: printed, never asserted.
 */
export const WORKERS_SCENARIO = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 6
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: app:1
        readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 2}
        lifecycle: {preStop: {sleep: {seconds: 3}}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: kubesim.dev/v1alpha1
kind: Scenario
metadata: {name: bench-workers}
spec:
  duration: 240s
  seed: 1
  replications: 4
  cluster: {nodes: 3}
  images:
    app:1: {startup: 3s, serviceTime: {p50: 20ms, p99: 80ms}, concurrency: 8}
    app:2: {startup: 3s, serviceTime: {p50: 20ms, p99: 80ms}, concurrency: 8}
  traffic:
    - {name: web, service: web, rate: 4000/s, timeout: 2s}
  timeline:
    - {at: 60s, action: set-image, target: deployment/web, image: app=app:2}
  variants:
    - name: default
    - name: surge-1
      patches: [{target: deployment/web, patch: {spec: {strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}}}}]
`;

export interface WorkersRow {
  workers: number;
  runs: number;
  wallS: number;
  kernelEvents: number;
  speedup: number;
  eventsPerS: number;
  eventsPerSPerWorker: number;
  sameReport: boolean;
}

export async function workersBench(counts: readonly number[] = [...new Set([1, 2, availableParallelism()])].sort((a, b) => a - b)): Promise<WorkersRow[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kubesim-bench-workers-'));
  try {
    const file = path.join(dir, 'workers.yaml');
    writeFileSync(file, WORKERS_SCENARIO);
    const expanded = expandScenarios(loadScenarioFiles([file]).scenarios);
    const plan = planExpanded(expanded);
    const rows: WorkersRow[] = [];
    let baseline: { wallS: number; text: string } | undefined;
    for (const workers of counts) {
      const t0 = performance.now();
      const results = await executePlan(expanded, plan.items, { workers, source: { files: [file], options: {} } });
      const wallS = (performance.now() - t0) / 1000;
      const failed = results.filter((r) => !r.ok);
      if (failed.length > 0) throw new Error(`bench run failed: ${failed.map((r) => (r.ok ? '' : r.failure.message)).join('; ')}`);
      const kernelEvents = results.reduce((n, r) => n + (r.ok ? r.result.kernelEvents : 0), 0);
      const text = reportJsonText(buildReport(collectResults(expanded, plan, results), { cwd: dir }));
      baseline ??= { wallS, text };
      rows.push({
        workers,
        runs: results.length,
        wallS,
        kernelEvents,
        speedup: baseline.wallS / wallS,
        eventsPerS: kernelEvents / wallS,
        eventsPerSPerWorker: kernelEvents / wallS / Math.min(workers, results.length),
        sameReport: text === baseline.text,
      });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printWorkersBench(rows: readonly WorkersRow[]): void {
  const first = rows[0];
  console.log(`\n## Worker threads: ${first?.runs ?? 0} runs (2 variants x 4 replications, 240 s simulated at 4,000 req/s), ${availableParallelism()} cores available`);
  console.log('workers   wall      speed-up   kernel events/s   per worker      report.json');
  for (const r of rows) {
    console.log(
      `${String(r.workers).padEnd(9)} ${`${r.wallS.toFixed(2)} s`.padEnd(9)} ${`${r.speedup.toFixed(2)}x`.padEnd(10)} ${`${(r.eventsPerS / 1e6).toFixed(2)} M`.padEnd(17)} ${`${(r.eventsPerSPerWorker / 1e6).toFixed(2)} M`.padEnd(15)} ${r.sameReport ? 'identical' : 'DIFFERENT'}`,
    );
  }
  if (first !== undefined) console.log(`(${first.kernelEvents.toLocaleString('en')} kernel events per plan; 1 worker runs in process, more use a piscina pool including its start-up)`);
}
