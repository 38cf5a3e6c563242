import type { RequestSink } from '../engine/traffic/dataplane.js';
import { MODEL } from './dataplane.js';
import { referenceModel } from './service-model.js';

/**
 * Memory of a run against its request count: heap after a full GC (needs node --expose-gc; without it
 * the heap figure is only indicative) and the sizes of every per-request structure. Flat from 1M to 10M
 * requests is the contract.
 */
export function memoryProfile(counts: number[], makeSink: () => RequestSink = () => ({ request() {} })): string[] {
  const gc = (globalThis as { gc?: () => void }).gc;
  return counts.map((requests) => {
    const { sim, plane } = referenceModel({ ...MODEL, requests, sink: makeSink() });
    sim.run();
    gc?.();
    const heapMb = process.memoryUsage().heapUsed / 1048576;
    return `${requests.toLocaleString('en').padStart(12)} requests: heap ${heapMb.toFixed(1)} MB${gc ? '' : ' (no --expose-gc)'}, request pool ${plane.requests.capacity}, open connections at the end ${plane.connections.open}, pending events ${sim.pending}`;
  });
}
