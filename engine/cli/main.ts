#!/usr/bin/env node
import { runCli } from './cli.js';

/** The kubesim executable; everything but the process wiring is in cli.ts (exit codes there). */
process.exitCode = await runCli(process.argv, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
