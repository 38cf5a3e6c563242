import type { RunProgress } from '../run/run.js';

/**
 * Progress of `kubesim run` on stderr: a bar redrawn in place when stderr is a terminal, one plain
 * line per finished run otherwise (logs, CI), nothing with --quiet. Progress never goes to stdout, so
 * the summary table there can be piped.
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

export function progressReporter(sink: ProgressSink, quiet: boolean): ProgressReporter {
  if (quiet) return { update() {}, end() {} };
  return sink.isTTY ? barReporter(sink) : lineReporter(sink);
}

function label(p: RunProgress): string {
  return `${oneLine(p.scenario)} ${oneLine(p.item.variant)} #${p.item.replication} (seed ${p.item.seed})`;
}

function lineReporter(sink: ProgressSink): ProgressReporter {
  return {
    update(p) {
      if (p.phase !== 'finish' || p.result === undefined) return;
      const r = p.result;
      const what = r.ok
        ? `${r.result.metrics.requests.total} requests, ${r.result.metrics.requests.failed} failed`
        : `failed: ${oneLine(r.failure.message)}`;
      sink.write(`kubesim: run ${p.done}/${p.total} ${label(p)}: ${what}\n`);
    },
    end() {},
  };
}

function barReporter(sink: ProgressSink): ProgressReporter {
  let drawn = false;
  return {
    update(p) {
      const cols = Math.max(40, sink.columns ?? 80);
      const barWidth = Math.min(30, cols - 30);
      const filled = p.total === 0 ? barWidth : Math.round((p.done / p.total) * barWidth);
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${p.done}/${p.total}`;
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
