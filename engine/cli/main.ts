#!/usr/bin/env node
import { runCli } from './cli.js';

/** The kubesim executable; everything but the process wiring is in cli.ts (exit codes there). */

// A reader that went away (`kubesim run … | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') return;
    process.exitCode = 70;
  });
}

process.exitCode = await runCli(process.argv, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
