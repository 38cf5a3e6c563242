import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { RequestSink } from '../engine/traffic/dataplane.js';
import { referenceModel } from './service-model.js';

/**
 * The data plane against the reference models of shared/peers, on their model: N = 50 pods × k = 4
 * slots, Exp(μ = 100/s) service, load ρ = 0.8, Poisson arrivals, random balancing. Each is run as a
 * whole process or loop on this machine in the same job; the result is a ratio, never an assertion.
 */
export const MODEL = { N: 50, k: 4, mu: 100, rho: 0.8, requests: 1_000_000 };

class MeanSink implements RequestSink {
  sum = 0;
  count = 0;
  request(sentAt: number, endedAt: number, outcome: number): void {
    if (outcome === 0) {
      this.sum += endedAt - sentAt;
      this.count++;
    }
  }
}

/** kubesim's data plane on the model: requests per second of wall time, and the mean latency. */
export function runKubesim(requests = MODEL.requests): { rps: number; meanMs: number; events: number; seconds: number } {
  const sink = new MeanSink();
  const { sim } = referenceModel({ ...MODEL, requests, sink });
  const t0 = process.hrtime.bigint();
  sim.run();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { rps: sink.count / seconds, meanMs: (sink.sum / sink.count) * 1e3, events: sim.eventsProcessed, seconds };
}

export function sharedDir(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../../shared', '../../shared', '../shared']) {
    const dir = path.resolve(here, up);
    if (existsSync(path.join(dir, 'peers'))) return dir;
  }
  return undefined;
}

/** Runs a peer script and reads its `requests_per_s=` and `mean_latency_ms=` lines. */
export function runPeer(cmd: string, args: string[]): { rps: number; meanMs: number } | { skipped: string } {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
    const rps = Number(/requests_per_s=(\d+)/.exec(out)?.[1]);
    const meanMs = Number(/mean_latency_ms=([\d.]+)/.exec(out)?.[1]);
    if (!Number.isFinite(rps)) return { skipped: `no requests_per_s in the output of ${cmd}` };
    return { rps, meanMs };
  } catch (e) {
    return { skipped: `${cmd} ${path.basename(args[0] ?? '')} failed: ${(e as Error).message.split('\n')[0]}` };
  }
}
