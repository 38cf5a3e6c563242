import { Bench } from 'tinybench';
import { HOLD, holdKernel, holdMinimal } from './hold.js';

/**
 * `npm run bench`: the kernel against the minimal typed-array loop, in the same process, as a ratio.
 * Wall-clock numbers are printed, never asserted: they depend on the machine.
 */
const bench = new Bench({ name: 'kernel hold model', iterations: 8, warmupIterations: 2, time: 0 });
bench.add('minimal typed-array loop', () => void holdMinimal()).add('kernel (Simulation)', () => void holdKernel());
await bench.run();

const rate = (name: string): number => {
  const task = bench.getTask(name);
  const r = task?.result as { latency?: { mean: number } } | undefined;
  if (!r?.latency) throw new Error(`benchmark ${name} produced no result`);
  return HOLD.events / (r.latency.mean / 1000);
};
const minimal = rate('minimal typed-array loop');
const kernel = rate('kernel (Simulation)');
const fmt = (x: number) => `${(x / 1e6).toFixed(2)} M events/s`;
console.log(`hold model: ${HOLD.pending} pending exponential timeouts, ${HOLD.events.toLocaleString('en')} events per iteration`);
console.table(bench.table());
console.log(`minimal loop : ${fmt(minimal)}`);
console.log(`kernel       : ${fmt(kernel)}`);
console.log(`ratio        : ${((kernel / minimal) * 100).toFixed(1)}% of the minimal loop (goal >= 60%)`);
