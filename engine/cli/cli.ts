import { mkdirSync, statSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { buildReport, type Report } from '../../reports/model.js';
import { DEFAULT_FORMATS, FormatError, parseFormats, REPORT_WRITERS, writeReports } from '../../reports/formats.js';
import { renderTerminal, sloValue } from '../../reports/terminal.js';
import { expandScenarios, runScenarios, type Simulator } from '../run/run.js';
import { formatDiagnostic, ScenarioError } from '../scenario/diagnostics.js';
import { loadScenarioFiles, scenarioJsonSchema } from '../scenario/load.js';
import { version } from '../version.js';
import { progressReporter } from './progress.js';

/**
 * The kubesim command.
 *
 * Exit codes (a contract for CI scripts):
 *   0   every SLO held in every run
 *   1   an SLO failed
 *   2   bad input or usage: unreadable or invalid scenario files, unknown options or formats, invalid
 *       option values, a --out folder that cannot be written
 *   70  internal error: a bug in kubesim (a run threw, or something unexpected); the message starts
 *       with "kubesim: internal error:"; KUBESIM_DEBUG=1 adds the stack
 *
 * Output: the summary table and the paths written go to stdout; progress, notes and problems go to
 * stderr. With --quiet, stdout stays empty and stderr carries problems only (bad input, failed SLOs,
 * failed runs, internal errors).
 */
export const EXIT = { ok: 0, sloFailed: 1, usage: 2, internal: 70 } as const;

export const DEFAULT_OUT = 'kubesim-report/';

/** Where the CLI writes and what it knows about its terminal (process.* in real use). */
export interface CliIO {
  stdout: { write(s: string): unknown; isTTY?: boolean | undefined; columns?: number | undefined };
  stderr: { write(s: string): unknown; isTTY?: boolean | undefined; columns?: number | undefined };
  env: Record<string, string | undefined>;
  cwd: string;
}

/** What the commands run with; tests replace the simulator to exercise failing runs. */
export interface CliDeps {
  simulate?: Simulator;
}

/** Bad usage found by kubesim itself (not commander): printed as `kubesim: <message>`, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

interface RunOptions {
  seed?: number;
  replications?: number;
  out: string;
  format: string[];
  quiet?: boolean;
}

function nonNegativeInt(what: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (!(Number.isSafeInteger(n) && n <= max)) throw new InvalidArgumentError(`expected ${what}`);
    return n;
  };
}

function positiveInt(what: string, max: number) {
  const parse = nonNegativeInt(what, max);
  return (value: string): number => {
    const n = parse(value);
    if (n < 1) throw new InvalidArgumentError(`expected ${what}`);
    return n;
  };
}

function formatList(value: string): string[] {
  try {
    return parseFormats(value);
  } catch (e) {
    if (e instanceof FormatError) throw new InvalidArgumentError(e.message);
    throw e;
  }
}

export const MAX_REPLICATIONS = 100_000;

/** Builds the program; `exit` receives each command's exit code. */
export function buildProgram(io: CliIO, exit: (code: number) => void, deps: CliDeps = {}): Command {
  const program = new Command('kubesim')
    .description('Discrete-event simulator for Kubernetes workloads under traffic')
    .version(version, '-V, --version')
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      '\nExit codes: 0 every SLO holds · 1 an SLO failed · 2 bad input or usage · 70 internal error (a bug)',
    );

  program
    .command('run')
    .description('simulate scenarios and write the report (report.json in --out)')
    .argument('<files...>', 'scenario or manifest files, or folders of them')
    .addOption(new Option('--seed <n>', 'seed for every scenario (overrides spec.seed)').argParser(nonNegativeInt('a non-negative integer')))
    .addOption(
      new Option('--replications <n>', 'replications of every scenario (overrides spec.replications)').argParser(
        positiveInt(`a positive integer (at most ${MAX_REPLICATIONS})`, MAX_REPLICATIONS),
      ),
    )
    .option('--out <dir>', 'folder for the report files', DEFAULT_OUT)
    .addOption(
      new Option('--format <list>', `comma-separated report formats: ${[...REPORT_WRITERS.keys()].join(', ')}`)
        .argParser(formatList)
        .default([...DEFAULT_FORMATS], DEFAULT_FORMATS.join(',')),
    )
    .option('-q, --quiet', 'no progress, notes or summary; only problems, on stderr')
    .addHelpText(
      'after',
      '\nProgress goes to stderr (a bar on a terminal, one line per run otherwise), the summary to stdout.\n' +
        'Exit codes: 0 every SLO holds · 1 an SLO failed · 2 bad input or usage · 70 internal error (a bug)',
    )
    .action(async (files: string[], opts: RunOptions) => exit(await runCommand(files, opts, io, deps)));

  program
    .command('validate')
    .description('check scenario files without running them')
    .argument('<files...>', 'scenario or manifest files, or folders of them')
    .option('-q, --quiet', 'print nothing when the files are valid')
    .action((files: string[], opts: { quiet?: boolean }) => exit(validateCommand(files, opts, io)));

  program
    .command('schema')
    .description('print the JSON Schema of the Scenario kind (for editors)')
    .action(() => {
      io.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
      exit(EXIT.ok);
    });

  return program;
}

/** Runs the command line; resolves to the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIO, deps: CliDeps = {}): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => (code = c), deps);
  try {
    if (argv.length <= 2) {
      program.outputHelp({ error: true });
      return EXIT.usage;
    }
    await program.parseAsync([...argv]);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof ScenarioError) {
      io.stderr.write(`${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof UsageError) {
      io.stderr.write(`kubesim: ${e.message}\n`);
      return EXIT.usage;
    }
    const message = e instanceof Error ? e.message : String(e);
    io.stderr.write(`kubesim: internal error: ${message}\n`);
    if (io.env.KUBESIM_DEBUG && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
    else io.stderr.write('(this is a bug in kubesim; set KUBESIM_DEBUG=1 to see where it happened)\n');
    return EXIT.internal;
  }
}

function validateCommand(files: string[], opts: { quiet?: boolean }, io: CliIO): number {
  const { scenarios, notes } = loadScenarioFiles(files);
  const expanded = expandScenarios(scenarios);
  if (!opts.quiet) {
    for (const n of [...notes, ...expanded.flatMap((e) => e.notes)]) io.stderr.write(`${formatDiagnostic(n)}\n`);
    const variants = expanded.reduce((n, e) => n + e.variants.length, 0);
    const more = variants > scenarios.length ? ` (${variants} variants)` : '';
    io.stdout.write(`${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'} valid${more}\n`);
  }
  return EXIT.ok;
}

async function runCommand(files: string[], opts: RunOptions, io: CliIO, deps: CliDeps): Promise<number> {
  const quiet = opts.quiet === true;
  const { scenarios, notes } = loadScenarioFiles(files);
  const expanded = expandScenarios(scenarios);
  if (!quiet) for (const n of [...notes, ...expanded.flatMap((e) => e.notes)]) io.stderr.write(`${formatDiagnostic(n)}\n`);
  const out = opts.out;
  prepareOut(out);

  const progress = progressReporter({ write: (s) => void io.stderr.write(s), isTTY: io.stderr.isTTY === true, columns: io.stderr.columns }, quiet);
  const runs = await runScenarios(expanded, { seed: opts.seed, replications: opts.replications, onProgress: (p) => progress.update(p) }, deps.simulate);
  progress.end();

  const report = buildReport(runs, { cwd: io.cwd });
  let written: string[];
  try {
    written = writeReports(report, out, opts.format);
  } catch (e) {
    // file-system errors (permissions, space, a folder in the way) are the user's to fix; others are bugs
    if (typeof (e as NodeJS.ErrnoException).code === 'string') throw new UsageError(`cannot write the report to ${out}: ${errnoText(e)}`);
    throw e;
  }

  if (!quiet) {
    const runNotes = new Set(runs.flatMap((s) => s.variants.flatMap((v) => v.runs.flatMap((r) => r.notes.map((n) => `${s.scenario.name}: ${n}`)))));
    for (const n of runNotes) io.stderr.write(`kubesim: note: ${oneLine(n)}\n`);
    const color = io.stdout.isTTY === true && !io.env.NO_COLOR;
    io.stdout.write(renderTerminal(report, { color }));
    for (const f of written) io.stdout.write(`report: ${f}\n`);
  }
  for (const line of problems(report)) io.stderr.write(`${line}\n`);
  for (const s of runs) {
    for (const v of s.variants) {
      for (const f of v.failures) {
        io.stderr.write(
          `kubesim: internal error: run failed: scenario ${JSON.stringify(f.scenario)} variant ${JSON.stringify(f.variant)} replication ${f.replication} seed ${f.seed}: ${oneLine(f.message)}\n`,
        );
        if (io.env.KUBESIM_DEBUG && f.stack) io.stderr.write(`${f.stack}\n`);
      }
    }
  }
  if (report.failedRuns > 0) return EXIT.internal;
  return report.slosPass ? EXIT.ok : EXIT.sloFailed;
}

/** One line per failing SLO (per scenario and variant). */
function problems(report: Report): string[] {
  const lines: string[] = [];
  for (const s of report.scenarios) {
    for (const v of s.variants) {
      for (const slo of v.summary.slos) {
        if (slo.pass) continue;
        const where = s.variants.length === 1 && v.name === 'default' ? oneLine(s.name) : `${oneLine(s.name)}/${oneLine(v.name)}`;
        const value = sloValue(slo.pooledValue, slo.unit);
        const detail = slo.runs === 1 ? value : `held in ${slo.passed} of ${slo.runs} runs; pooled ${value}`;
        lines.push(`kubesim: SLO failed: ${where}: ${oneLine(slo.expr)} (${detail})`);
      }
    }
  }
  return lines;
}

/** Creates the --out folder up front, so a bad path fails before minutes of simulation. */
function prepareOut(out: string): void {
  try {
    mkdirSync(out, { recursive: true });
  } catch (e) {
    throw new UsageError(`--out ${out}: cannot create the folder: ${errnoText(e)}`);
  }
  if (!statSync(out).isDirectory()) throw new UsageError(`--out ${out}: not a folder`);
}

function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOTDIR: 'a part of the path is not a folder',
    EEXIST: 'a file is in the way',
    EISDIR: 'a folder is in the way',
    ENOSPC: 'no space left on the device',
    EROFS: 'read-only file system',
  };
  return (err.code !== undefined ? reasons[err.code] : undefined) ?? (err.message || String(e));
}

function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
