import { Bench } from 'tinybench';
import path from 'node:path';
import { HOLD, holdKernel, holdMinimal } from './hold.js';
import { MODEL, runKubesim, runPeer, sharedDir } from './dataplane.js';
import { memoryProfile } from './memory.js';
import { printWorkersBench, workersBench } from './workers.js';
import { printRows, processBench, rolloutBench } from './process.js';

/**
 * `npm run bench`: measured ratios, printed, never asserted (they depend on the machine).
 * 1. kernel vs a minimal typed-array loop on the hold model (same process, tinybench);
 * 2. the data plane vs the reference models of shared/peers (same job);
 * 3. memory from 1M to 10M requests;
 * 4. worker threads: the same plan with 1, 2 and every core (`npm run bench workers`);
 * 5. whole process (`npm run bench process`): `kubesim run` against the peers on their own scenario,
 *    start-up, memory at 1M/100M requests, worker threads — one table of figure, peer, ratio, goal;
 * 6. control plane at scale (`npm run bench rollout`): the N-pod rollout at 1k, 10k, 100k pods.
 * `npm run bench process quick` (and `rollout quick`) run smaller sizes.
 */
const only = process.argv[2];
const quick = process.argv[3] === 'quick';

if (!only || only === 'process') {
  printRows('Whole process: kubesim run vs the reference models (CPU seconds, same job)', await processBench(quick));
}

if (!only || only === 'rollout') {
  printRows('Control plane: rolling update of a Deployment with N pods', rolloutBench(quick ? [1_000, 3_000] : [1_000, 10_000, 100_000], quick ? 1 : 2));
}

if (!only || only === 'kernel') {
  const bench = new Bench({ name: 'kernel hold model', iterations: 8, warmupIterations: 2, time: 0 });
  bench.add('minimal typed-array loop', () => void holdMinimal()).add('kernel (Simulation)', () => void holdKernel());
  await bench.run();
  const rate = (name: string): number => {
    const r = bench.getTask(name)?.result as { latency?: { mean: number } } | undefined;
    if (!r?.latency) throw new Error(`benchmark ${name} produced no result`);
    return HOLD.events / (r.latency.mean / 1000);
  };
  const minimal = rate('minimal typed-array loop'), kernel = rate('kernel (Simulation)');
  console.log(`\n## Kernel: hold model, ${HOLD.pending} pending exponential timeouts, ${HOLD.events.toLocaleString('en')} events`);
  console.table(bench.table());
  console.log(`minimal loop : ${(minimal / 1e6).toFixed(2)} M events/s`);
  console.log(`kernel       : ${(kernel / 1e6).toFixed(2)} M events/s`);
  console.log(`ratio        : ${((kernel / minimal) * 100).toFixed(1)}% of the minimal loop (goal >= 60%)`);
}

if (!only || only === 'dataplane') {
  console.log(`\n## Data plane: N=${MODEL.N} pods x k=${MODEL.k} slots, mu=${MODEL.mu}/s, rho=${MODEL.rho}, ${MODEL.requests.toLocaleString('en')} requests`);
  runKubesim(100_000); // warm-up
  const ours = runKubesim();
  console.log(`kubesim data plane : ${(ours.rps / 1e6).toFixed(2)} M requests/s (${(ours.events / ours.seconds / 1e6).toFixed(2)} M events/s), mean latency ${ours.meanMs.toFixed(3)} ms`);
  const shared = sharedDir();
  if (shared === undefined) console.log('reference models: skipped (../shared/peers not found)');
  else {
    const args = [MODEL.N, MODEL.k, MODEL.mu, MODEL.rho, MODEL.requests, 42].map(String);
    const js = runPeer(process.execPath, [path.join(shared, 'peers/service-limit.mjs'), ...args]);
    if ('skipped' in js) console.log(`hand-tuned JS      : skipped (${js.skipped})`);
    else console.log(`hand-tuned JS      : ${(js.rps / 1e6).toFixed(2)} M requests/s, mean latency ${js.meanMs.toFixed(3)} ms → kubesim at ${((ours.rps / js.rps) * 100).toFixed(1)}% of the ceiling`);
    const simpyArgs = [MODEL.N, MODEL.k, MODEL.mu, MODEL.rho, 200_000, 42].map(String);
    const py = runPeer('/usr/bin/python3', [path.join(shared, 'peers/simpy-service.py'), ...simpyArgs]);
    if ('skipped' in py) console.log(`SimPy              : skipped (${py.skipped}; apt-get install python3-simpy3)`);
    else console.log(`SimPy (200k req.)  : ${(py.rps / 1e6).toFixed(3)} M requests/s → kubesim ${(ours.rps / py.rps).toFixed(1)}x SimPy`);
  }
}

if (!only || only === 'memory') {
  console.log('\n## Memory: the same model, 1M then 10M requests (heap after GC, pool capacities)');
  for (const row of memoryProfile([1_000_000, 10_000_000])) console.log(row);
}

if (!only || only === 'workers') {
  printWorkersBench(await workersBench());
}
