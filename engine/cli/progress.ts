import type { RunProgress } from '../run/run.js';

/**
 * Progress of `kubesim run` on stderr: a bar redrawn in place when stderr is a terminal, one plain
 * line per finished run otherwise (logs, CI), nothing with --quiet. Progress never goes to stdout, so
 * the summary table there can be piped.
 *
 * Both show runs done / total and, once a run has finished, the simulation speed: kernel events of
 * the finished runs (RunResult.kernelEvents) per second of wall time since the first update — over
 * all worker threads together. Wall time is measured here and printed on stderr only; it never
 * reaches the report.
 */
export interface ProgressSink {
  write(text: string): void;
  isTTY: boolean;
  columns?: number | undefined;
}

export interface ProgressReporter {
  update(p: RunProgress): void;
  /** Clears the bar (TTY) so the next output starts on a clean line. */
  end(): void;
}

/** Milliseconds from an arbitrary origin (performance.now by default). */
export type Clock = () => number;

export function progressReporter(sink: ProgressSink, quiet: boolean, now: Clock = () => performance.now()): ProgressReporter {
  if (quiet) return { update() {}, end() {} };
  const speed = speedMeter(now);
  return sink.isTTY ? barReporter(sink, speed, now) : lineReporter(sink, speed);
}

/**
 * Kernel events per second of wall time: of the finished runs and, from their progress ticks, of the
 * runs under way; '' until it can be told.
 */
function speedMeter(now: Clock): (p: RunProgress) => string {
  let start: number | undefined;
  let finished = 0;
  const running = new Map<number, number>(); // plan index → kernel events so far
  return (p) => {
    start ??= now();
    const r = p.result;
    if (p.phase === 'tick' && p.tick !== undefined) running.set(p.item.index, p.tick.kernelEvents);
    if (p.phase === 'finish') {
      running.delete(p.item.index);
      if (r?.ok === true && typeof r.result.kernelEvents === 'number') finished += r.result.kernelEvents;
    }
    let events = finished;
    for (const e of running.values()) events += e;
    const elapsed = (now() - start) / 1000;
    if (events === 0 || !(elapsed > 0)) return '';
    return `${eventsRate(events / elapsed)} events/s`;
  };
}

/** 1.23 M, 456 k, 789 */
export function eventsRate(perSecond: number): string {
  if (perSecond >= 1e9) return `${(perSecond / 1e9).toFixed(2)} G`;
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`;
  return perSecond.toFixed(0);
}

function label(p: RunProgress): string {
  return `${oneLine(p.scenario)} ${oneLine(p.item.variant)} #${p.item.replication} (seed ${p.item.seed})`;
}

function lineReporter(sink: ProgressSink, speed: (p: RunProgress) => string): ProgressReporter {
  return {
    update(p) {
      const rate = speed(p);
      if (p.phase !== 'finish' || p.result === undefined) return;
      const r = p.result;
      const what = r.ok
        ? `${r.result.metrics.requests.total} requests, ${r.result.metrics.requests.failed} failed`
        : `failed: ${oneLine(r.failure.message)}`;
      sink.write(`kubesim: run ${p.done}/${p.total} ${label(p)}: ${what}${rate === '' ? '' : ` (${rate})`}\n`);
    },
    end() {},
  };
}

/**
 * The bar counts finished runs plus the simulated fraction of the runs under way (their ticks), so a
 * single long run moves it too. Redraws at most every 100 ms, except at a run's start and finish.
 */
function barReporter(sink: ProgressSink, speed: (p: RunProgress) => string, now: Clock): ProgressReporter {
  let drawn = false;
  let lastDraw = -Infinity;
  const fractions = new Map<number, number>(); // plan index → simulated fraction of a run under way
  return {
    update(p) {
      const rate = speed(p);
      if (p.phase === 'tick' && p.tick !== undefined) fractions.set(p.item.index, p.tick.durationS > 0 ? p.tick.simulatedS / p.tick.durationS : 0);
      if (p.phase === 'finish') fractions.delete(p.item.index);
      const t = now();
      if (p.phase === 'tick' && t - lastDraw < 100) return;
      lastDraw = t;
      let partial = 0;
      for (const f of fractions.values()) partial += f;
      const cols = Math.max(40, sink.columns ?? 80);
      const barWidth = Math.min(30, cols - 30);
      const filled = p.total === 0 ? barWidth : Math.min(barWidth, Math.round(((p.done + partial) / p.total) * barWidth));
      const running = p.phase === 'tick' && p.tick !== undefined ? ` · ${Math.floor((100 * p.tick.simulatedS) / Math.max(p.tick.durationS, 1e-9))}%` : '';
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${p.done}/${p.total}${running}${rate === '' ? '' : ` · ${rate}`}`;
      const text = `${bar} ${label(p)}`;
      const line = [...text].length > cols - 1 ? `${[...text].slice(0, cols - 2).join('')}…` : text;
      sink.write(`\r\x1b[2K${line}`);
      drawn = true;
    },
    end() {
      if (drawn) sink.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

/** Control characters would move the cursor: show them escaped. */
function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
