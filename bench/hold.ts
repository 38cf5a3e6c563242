import { Simulation } from '../engine/kernel/simulation.js';
import { createStream } from '../engine/kernel/random.js';

/**
 * The hold model: `pending` timeouts with exponential delays; each event schedules its successor, so
 * the queue stays at `pending` entries while `events` events run. Both implementations draw from the
 * same generator (seedrandom Alea) so the comparison isolates the event-list cost.
 */
export const HOLD = { pending: 1000, events: 2_000_000, mean: 1 };

/** The kernel: `Simulation` with a bound handler (no allocation per event). */
export function holdKernel(pending = HOLD.pending, events = HOLD.events): number {
  const sim = new Simulation();
  const rng = createStream('hold', 1);
  const mean = HOLD.mean;
  const tick = (): void => {
    sim.after(-mean * Math.log(1 - rng.next()), tick);
  };
  for (let i = 0; i < pending; i++) sim.after(-mean * Math.log(1 - rng.next()), tick);
  sim.run({ maxEvents: events });
  return sim.now;
}

/**
 * The minimal loop: one binary heap of (time, sequence) in two Float64Arrays, Floyd pop, no payloads,
 * no cancellation, everything inlined. This is the ceiling the kernel is measured against.
 */
export function holdMinimal(pending = HOLD.pending, events = HOLD.events): number {
  const rng = createStream('hold', 1);
  const mean = HOLD.mean;
  const cap = pending + 2;
  const ht = new Float64Array(cap + 1).fill(Infinity);
  const hs = new Float64Array(cap + 1).fill(Infinity);
  let n = 0, seq = 0, now = 0;
  const push = (t: number): void => {
    const s = seq++;
    let i = n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = ht[p]!;
      if (t < pt || (t === pt && s < hs[p]!)) {
        ht[i] = pt;
        hs[i] = hs[p]!;
        i = p;
      } else break;
    }
    ht[i] = t;
    hs[i] = s;
  };
  for (let i = 0; i < pending; i++) push(-mean * Math.log(1 - rng.next()));
  for (let e = 0; e < events; e++) {
    now = ht[0]!;
    const last = --n;
    const lt = ht[last]!, ls = hs[last]!;
    ht[last] = Infinity;
    hs[last] = Infinity;
    let i = 0;
    for (;;) {
      const c = 2 * i + 1;
      if (c >= last) break;
      const l = ht[c]!, r = ht[c + 1]!;
      let d = ((r < l) as unknown as number) | 0;
      if (r === l) d = ((hs[c + 1]! < hs[c]!) as unknown as number) | 0;
      const m = c + d;
      ht[i] = ht[m]!;
      hs[i] = hs[m]!;
      i = m;
    }
    if (i !== last) {
      while (i > 0) {
        const p = (i - 1) >> 1;
        const pt = ht[p]!;
        if (lt < pt || (lt === pt && ls < hs[p]!)) {
          ht[i] = pt;
          hs[i] = hs[p]!;
          i = p;
        } else break;
      }
      ht[i] = lt;
      hs[i] = ls;
    }
    push(now - mean * Math.log(1 - rng.next()));
  }
  return now;
}
