#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { version } from '../version.js';

/** The kubesim command. Exit codes: 0 all SLOs hold · 1 an SLO failed · 2 bad input or usage. */
export function buildProgram(): Command {
  const program = new Command('kubesim')
    .description('Discrete-event simulator for Kubernetes workloads under traffic')
    .version(version, '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    if (argv.length <= 2) program.outputHelp();
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
    }
    process.stderr.write(`kubesim: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 70;
  }
}

process.exitCode = await main(process.argv);
