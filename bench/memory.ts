import { Recorder } from '../engine/metrics/recorder.js';
import { MODEL } from './dataplane.js';
import { referenceModel } from './service-model.js';

/**
 * Memory of a run against its request count: heap after a full GC (needs node --expose-gc; without it
 * the heap figure is only indicative) and the sizes of every per-request structure. Flat from 1M to 10M
 * requests is the contract.
 */
export function memoryProfile(counts: number[]): string[] {
  const gc = (globalThis as { gc?: () => void }).gc;
  const lam = MODEL.rho * MODEL.N * MODEL.k * MODEL.mu;
  return counts.map((requests) => {
    // the real metrics recorder (HDR histogram + 1 s series), sized by the run's duration
    const recorder = new Recorder({ duration: Math.ceil(requests / lam) + 1 });
    const { sim, plane } = referenceModel({ ...MODEL, requests, sink: recorder });
    sim.run();
    gc?.();
    const heapMb = process.memoryUsage().heapUsed / 1048576;
    const f = recorder.footprint();
    return `${requests.toLocaleString('en').padStart(12)} requests: heap ${heapMb.toFixed(1)} MB${gc ? '' : ' (no --expose-gc)'}, request pool ${plane.requests.capacity}, histogram cells ${f.histogramCells}, series cells ${f.seriesCells} (1 s buckets: grows with simulated time, not requests), pending events ${sim.pending}`;
  });
}
