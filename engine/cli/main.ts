#!/usr/bin/env node
import { removePendingTemps } from '../../reports/atomic.js';
import { runCli } from './cli.js';

/** The kubesim executable; everything but the process wiring is in cli.ts (exit codes there). */

// A reader that went away (`kubesim run … | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') return;
    process.exitCode = 70;
  });
}

// SIGINT / SIGTERM: stop cleanly. The first one stops the plan (no new run starts, worker threads are
// cancelled, nothing is written) and runCli exits 130 / 143 saying how many runs had finished; a
// second one stops at once. Temporary files of a write in progress are removed either way.
const stop = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    removePendingTemps();
    if (stop.signal.aborted) {
      process.stderr.write(`kubesim: ${sig} again: stopping now\n`);
      process.exit(sig === 'SIGTERM' ? 143 : 130);
    }
    process.stderr.write(`\nkubesim: ${sig}: stopping (a run in this thread finishes first; send ${sig} again to stop at once)\n`);
    stop.abort(sig);
  });
}

// (no top-level await: the shipped command is a CommonJS bundle, launched with a code cache — launch.ts)
void runCli(
  process.argv,
  {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    // created only when `-` is read: touching process.stdin opens it
    get stdin() {
      return process.stdin;
    },
  },
  { signal: stop.signal },
).then((code) => {
  process.exitCode = code;
});
