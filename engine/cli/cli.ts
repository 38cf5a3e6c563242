import { rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { makeFolders, pathExists } from '../../reports/atomic.js';
import { buildReport, REPORT_DETAILS, type Report, type ReportDetail } from '../../reports/model.js';
import { DEFAULT_FORMATS, FormatError, parseFormats, REPORT_WRITERS, writeReports } from '../../reports/formats.js';
import { renderTerminal, renderVerdict, sloValue, useColor } from '../../reports/terminal.js';
import { executePlan, InputsChangedError } from '../run/pool.js';
import { choosePool, describePool, estimateWork } from '../run/poolsize.js';
import { collectResults, expandScenarios, InterruptedError, planExpanded, type RunFailure, type ScenarioRuns, type Simulator } from '../run/run.js';
import {
  checkPartialSet,
  identityDifference,
  JOB_INDEX_ENV,
  makePartial,
  parseShard,
  partialResults,
  planIdentity,
  readPartials,
  ShardError,
  shardItems,
  writePartial,
  type Shard,
} from '../run/shard.js';
import { escapeControl, formatDiagnostic, ScenarioError } from '../scenario/diagnostics.js';
import { DEFAULT_MAX_FILE_SIZE, formatByteSize, InputFileError, parseByteSize, readStream, STDIN_ARG, STDIN_NAME, type FileOptions } from '../scenario/files.js';
import { loadScenarioFiles } from '../scenario/load.js';
import { scenarioDocumentJsonSchema } from '../scenario/schema.js';
import { checkLimits, DEFAULT_LIMITS, LIMIT_FLAGS } from '../run/limits.js';
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
export const EXIT = { ok: 0, sloFailed: 1, usage: 2, internal: 70, sigint: 130, sigterm: 143 } as const;

export const DEFAULT_OUT = 'kubesim-report/';

/** Where the CLI writes and what it knows about its terminal (process.* in real use). */
export interface CliIO {
  stdout: { write(s: string): unknown; isTTY?: boolean | undefined; columns?: number | undefined };
  stderr: { write(s: string): unknown; isTTY?: boolean | undefined; columns?: number | undefined };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Standard input, read once when `-` is one of the files (process.stdin in real use). */
  stdin?: AsyncIterable<unknown> | undefined;
}

/** What the commands run with; tests replace the simulator to exercise failing runs. */
export interface CliDeps {
  /** Runs in this thread with this simulator (functions cannot cross threads: --workers is ignored). */
  simulate?: Simulator;
  /** A module URL whose default export is the simulator worker threads use (tests). */
  workerSimulator?: string;
  /** The progress clock in milliseconds (tests); default performance.now. */
  now?: () => number;
  /** Aborted (with the signal's name as reason) when SIGINT or SIGTERM arrives (main.ts). */
  signal?: AbortSignal;
}

/** Bad usage found by kubesim itself (not commander): printed as `kubesim: <message>`, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Options of every command that reads scenario files (files.ts). */
interface InputOptions {
  allowOutside?: boolean;
  maxFileSize?: number;
  /** run and validate: fields the Kubernetes API does not have are errors (load.ts LoadOptions). */
  strict?: boolean;
}

function fileOptions(opts: InputOptions): FileOptions {
  return { allowOutside: opts.allowOutside === true, maxFileSize: opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE };
}

/** `--strict`, shared by run and validate. */
function addStrictOption(cmd: Command): Command {
  return cmd.option('--strict', 'fields the Kubernetes API does not have are errors (exit 2), not notes; like kubectl apply --validate=strict');
}

/**
 * How the inputs are read, with standard input read (once, bounded by --max-file-size) when `-` is
 * one of them. A stream past the limit is bad input: `<stdin>: standard input is larger than …`.
 */
async function readOptionsFor(files: readonly string[], opts: InputOptions, io: CliIO): Promise<FileOptions> {
  const options = fileOptions(opts);
  if (!files.includes(STDIN_ARG)) return options;
  if (io.stdin === undefined) throw new UsageError('- names standard input, which this process does not have');
  try {
    return { ...options, stdin: await readStream(io.stdin, options) };
  } catch (e) {
    if (e instanceof InputFileError) throw new ScenarioError([{ file: STDIN_NAME, line: 0, col: 0, path: '', message: e.message, severity: 'error' }]);
    throw e;
  }
}

/** `--allow-outside` and `--max-file-size`, shared by run, validate and merge. */
function addInputOptions(cmd: Command): Command {
  return cmd
    .option('--allow-outside', 'let a scenario read files outside its own folder (spec.manifests, replay.file)')
    .addOption(
      new Option('--max-file-size <size>', 'most bytes of one input file, like 8Mi or 100000')
        .argParser((v: string) => {
          const n = parseByteSize(v);
          if (n === undefined) throw new InvalidArgumentError('expected a positive byte size like 8Mi, 512Ki or 100000');
          return n;
        })
        .default(undefined, formatByteSize(DEFAULT_MAX_FILE_SIZE)),
    );
}

/** `--max-pods` … `--max-detail-buckets` (engine/run/limits.ts), shared by run and validate. */
interface LimitFlags {
  maxPods?: number;
  maxRequests?: number;
  maxTimeline?: number;
  maxRuns?: number;
  maxDetailBuckets?: number;
  maxMemory?: number;
}

function limitNumber(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)(?:e(\d+))?\s*$/i.exec(value);
  const n = m === null ? NaN : Number(m[1]) * 10 ** Number(m[2] ?? 0);
  if (!(Number.isInteger(n) && n >= 1)) throw new InvalidArgumentError('expected a positive integer, like 20000 or 1e10');
  return n;
}

function addLimitOptions(cmd: Command): Command {
  const what: Array<[keyof LimitFlags, string]> = [
    ['maxPods', 'most pods of one variant (Deployment replicas and scale actions)'],
    ['maxRequests', 'most requests one scenario may send (peak rate × duration × replications, all variants)'],
    ['maxTimeline', 'most timeline actions of one variant, repetitions included'],
    ['maxRuns', 'most runs in the plan (variants × replications)'],
    ['maxDetailBuckets', 'most time-series buckets kept with --detail full (runs × seconds)'],
    ['maxMemory', 'most heap one run may need, MiB (estimated from its pods; default: this process\'s heap limit)'],
  ];
  for (const [key, description] of what) {
    cmd.addOption(new Option(`${LIMIT_FLAGS[key]} <n>`, description).argParser(limitNumber).default(undefined, fmtLimit(DEFAULT_LIMITS[key])));
  }
  return cmd;
}

function fmtLimit(n: number): string {
  return n >= 1e6 && /^10*$/.test(String(n)) ? `1e${String(n).length - 1}` : String(n);
}

/** Exit 2 (before any run) when the expanded scenarios exceed a limit; validate and run check the same. */
function enforceLimits(expanded: Parameters<typeof checkLimits>[0], opts: LimitFlags & { replications?: number; detail?: ReportDetail }): void {
  const problems = checkLimits(expanded, {
    limits: { maxPods: opts.maxPods, maxRequests: opts.maxRequests, maxTimeline: opts.maxTimeline, maxRuns: opts.maxRuns, maxDetailBuckets: opts.maxDetailBuckets, maxMemory: opts.maxMemory },
    replications: opts.replications,
    detail: opts.detail,
  });
  if (problems.length > 0) throw new ScenarioError(problems);
}

interface RunOptions extends InputOptions, LimitFlags {
  detail: ReportDetail;
  seed?: number;
  replications?: number;
  workers?: number;
  shard?: string;
  out: string;
  format: string[];
  quiet?: boolean;
}

interface MergeOptions extends InputOptions {
  detail: ReportDetail;
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

/** `--format`, shared by run and merge. */
function formatOption(): Option {
  return new Option('--format <list>', `comma-separated report formats: ${[...REPORT_WRITERS.keys()].join(', ')}`)
    .argParser(formatList)
    .default([...DEFAULT_FORMATS], DEFAULT_FORMATS.join(','));
}

/** The formats, one a line, for the help of run and merge. */
function formatsHelp(): string {
  const lines = [...REPORT_WRITERS.values()].map((w) => `  ${w.name.padEnd(6)} ${w.description}`);
  return `Formats (--format, default ${DEFAULT_FORMATS.join(',')}):\n${lines.join('\n')}`;
}

/** `--detail`, shared by run and merge. */
function detailOption(): Option {
  return new Option('--detail <level>', 'per-run detail in the report: full (time series and event log of every run) or summary')
    .choices(REPORT_DETAILS)
    .default('full');
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
export const MAX_WORKERS = 1024;

/** Builds the program; `exit` receives each command's exit code. */
export function buildProgram(io: CliIO, exit: (code: number) => void, deps: CliDeps = {}): Command {
  const program = new Command('kubesim')
    .description('Discrete-event simulator for Kubernetes workloads under traffic')
    .version(version, '-V, --version')
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      // commander's own usage errors (unknown option, missing argument, invalid value) start with
      // "error: "; every message kubesim writes starts with "kubesim: ", so these do too
      outputError: (s, write) => write(s.replace(/^error: /, 'kubesim: ')),
    })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      '\nExit codes: 0 every SLO holds · 1 an SLO failed · 2 bad input or usage · 70 internal error (a bug)',
    );

  const run = program
    .command('run')
    .description('simulate scenarios and write the report files (--format) in --out')
    .argument('<files...>', 'scenario or manifest files, folders of them, or - (standard input)')
    .addOption(new Option('--seed <n>', 'seed for every scenario (overrides spec.seed)').argParser(nonNegativeInt('a non-negative integer')))
    .addOption(
      new Option('--replications <n>', 'replications of every scenario (overrides spec.replications)').argParser(
        positiveInt(`a positive integer (at most ${MAX_REPLICATIONS})`, MAX_REPLICATIONS),
      ),
    )
    .addOption(
      new Option('--workers <n>', 'worker threads running the runs (1: in this thread)')
        .argParser(positiveInt(`a positive integer (at most ${MAX_WORKERS})`, MAX_WORKERS))
        .default(undefined, 'the cores available, fewer or none for a small plan; see the progress line'),
    )
    .option('--shard <i/n>', `run only shard i of n of the plan and write <out>/partial-<i>-of-<n>.json for kubesim merge (auto/n: i from ${JOB_INDEX_ENV} + 1)`)
    .option('--out <dir>', 'folder for the report files', DEFAULT_OUT)
    .addOption(formatOption())
    .addOption(detailOption())
    .option('-q, --quiet', 'no progress, notes or summary; only problems, on stderr')
    .addHelpText(
      'after',
      `\n${formatsHelp()}\n\n` +
        'Progress goes to stderr (a bar on a terminal, one line per run otherwise), the summary to stdout\n' +
        '(coloured on a terminal; NO_COLOR turns colour off, FORCE_COLOR on).\n' +
        'Exit codes: 0 every SLO holds · 1 an SLO failed · 2 bad input or usage · 70 internal error (a bug)',
    )
    .action(async (files: string[], opts: RunOptions) => exit(await runCommand(files, opts, io, deps)));
  addInputOptions(run);
  addStrictOption(run);
  addLimitOptions(run);

  const merge = program
    .command('merge')
    .description('combine the partial results of kubesim run --shard into the report a single run writes')
    .argument('<dirs...>', 'folders holding partial-<i>-of-<n>.json files (or the files themselves)')
    .option('--out <dir>', 'folder for the report files', DEFAULT_OUT)
    .addOption(formatOption())
    .addOption(detailOption())
    .option('-q, --quiet', 'no notes or summary; only problems, on stderr')
    .addHelpText(
      'after',
      `\n${formatsHelp()}\n\n` +
        'The scenario files the shards ran must be present, unchanged, at the same paths relative to the\n' +
        'current folder (merge reloads them). Every shard 1 … n is needed exactly once.\n' +
        'Exit codes: 0 every SLO holds · 1 an SLO failed · 2 bad input or usage · 70 internal error (a bug)',
    )
    .action(async (dirs: string[], opts: MergeOptions) => exit(await mergeCommand(dirs, opts, io)));
  addInputOptions(merge);

  const validate = program
    .command('validate')
    .description('check scenario files without running them')
    .argument('<files...>', 'scenario or manifest files, folders of them, or - (standard input)')
    .option('-q, --quiet', 'print nothing when the files are valid')
    .addOption(
      new Option('--replications <n>', 'replications of every scenario, as run would use them (for the limits)').argParser(
        positiveInt(`a positive integer (at most ${MAX_REPLICATIONS})`, MAX_REPLICATIONS),
      ),
    )
    .addOption(detailOption())
    .action(async (files: string[], opts: ValidateOptions) => exit(await validateCommand(files, opts, io)));
  addInputOptions(validate);
  addStrictOption(validate);
  addLimitOptions(validate);

  program
    .command('schema')
    .description('print the JSON Schema of a scenario file\'s documents (for editors; the same as schema/scenario.schema.json in the package)')
    .action(() => {
      io.stdout.write(`${JSON.stringify(scenarioDocumentJsonSchema(), null, 2)}\n`);
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
    if (e instanceof InterruptedError) {
      const how = e.done > 0 ? 'run the command again (the finished runs are not kept), or split the plan with --shard i/n and run the shards one by one, then kubesim merge' : 'run the command again';
      io.stderr.write(`kubesim: ${e.message}; nothing was written (no report, no partial result). To finish the plan, ${how}\n`);
      return e.signalName === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint;
    }
    if (e instanceof ScenarioError) {
      io.stderr.write(`${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof UsageError || e instanceof ShardError || e instanceof InputsChangedError) {
      io.stderr.write(`kubesim: ${oneLine(e.message)}\n`);
      return EXIT.usage;
    }
    const message = e instanceof Error ? e.message : String(e);
    io.stderr.write(`kubesim: internal error: ${oneLine(message)}\n`);
    if (io.env.KUBESIM_DEBUG && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
    else io.stderr.write('(this is a bug in kubesim; set KUBESIM_DEBUG=1 to see where it happened)\n');
    return EXIT.internal;
  }
}

type ValidateOptions = { quiet?: boolean; replications?: number; detail: ReportDetail } & InputOptions & LimitFlags;

async function validateCommand(files: string[], opts: ValidateOptions, io: CliIO): Promise<number> {
  const { scenarios, notes } = loadScenarioFiles(files, { ...(await readOptionsFor(files, opts, io)), strict: opts.strict === true });
  const expanded = expandScenarios(scenarios);
  enforceLimits(expanded, opts);
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
  checkOutOption(opts.out);
  const shard: Shard | undefined = opts.shard !== undefined ? parseShard(opts.shard, io.env) : undefined;
  const readOptions = await readOptionsFor(files, opts, io);
  const { scenarios, notes } = loadScenarioFiles(files, { ...readOptions, strict: opts.strict === true });
  const expanded = expandScenarios(scenarios);
  enforceLimits(expanded, opts);
  if (!quiet) for (const n of [...notes, ...expanded.flatMap((e) => e.notes)]) io.stderr.write(`${formatDiagnostic(n)}\n`);
  const out = opts.out;
  prepareOut(out);

  const planOptions = { seed: opts.seed, replications: opts.replications };
  const plan = planExpanded(expanded, planOptions);
  const items = shard !== undefined ? shardItems(plan.items, shard) : plan.items;
  // the inputs as read now, before minutes of simulation (the workers check the plan stays the same)
  const identity = shard !== undefined ? planIdentity(files, planOptions, expanded, plan, io.cwd) : undefined;
  const progress = progressReporter(
    { write: (s) => void io.stderr.write(s), isTTY: io.stderr.isTTY === true, columns: io.stderr.columns },
    quiet,
    deps.now,
  );
  const pool = choosePool(estimateWork(expanded, items), deps.simulate !== undefined ? 1 : opts.workers);
  const where = describePool(pool, items.length);
  if (!quiet && where !== undefined) io.stderr.write(`kubesim: ${where}\n`);
  const results = await executePlan(expanded, items, {
    workers: pool.threads,
    // the paths exactly as loaded here (worker threads share the process's current folder), so the
    // workers group and name the scenarios the same way (a bare folder `.` is named after the path given)
    source: { files, options: planOptions, fileOptions: readOptions },
    simulate: deps.simulate,
    workerSimulator: deps.workerSimulator,
    onProgress: (p) => progress.update(p),
    signal: deps.signal,
  }).finally(() => progress.end());

  if (shard !== undefined && identity !== undefined) {
    let file: string;
    try {
      file = writePartial(out, makePartial(shard, identity, results));
    } catch (e) {
      if (typeof (e as NodeJS.ErrnoException).code === 'string') throw new UsageError(`cannot write the partial result to ${out}: ${errnoText(e)}`);
      throw e;
    }
    if (!quiet) {
      io.stdout.write(`shard ${shard.index}/${shard.count}: ${items.length} of ${plan.items.length} runs (combine every shard with kubesim merge)\n`);
      io.stdout.write(`partial: ${file}\n`);
    }
    const failed = results.filter((r) => !r.ok).length;
    reportFailures(results.flatMap((r) => (r.ok ? [] : [r.failure])), io);
    return failed > 0 ? EXIT.internal : EXIT.ok;
  }

  return finish(collectResults(expanded, plan, results), out, opts.format, opts.detail, quiet, io);
}

/**
 * `kubesim merge`: reads the partial results, checks they are one complete set from the same inputs,
 * reloads the scenario files (at the paths the shards recorded, relative to the current folder),
 * checks they are unchanged, and writes the report exactly as `kubesim run` would have.
 */
async function mergeCommand(dirs: string[], opts: MergeOptions, io: CliIO): Promise<number> {
  const quiet = opts.quiet === true;
  checkOutOption(opts.out);
  // Paths relative to io.cwd, as the file system functions (relative to process.cwd()) need them.
  const here = (p: string): string => (path.isAbsolute(p) ? p : path.relative(process.cwd(), path.resolve(io.cwd, p)) || '.');
  const partials = checkPartialSet(readPartials(dirs.map(here)));
  const first = partials[0]!.partial.identity;
  const files = first.args.map((a) => (a === STDIN_ARG ? a : here(a)));
  const missing = files.filter((f) => f !== STDIN_ARG && !pathExists(f));
  if (missing.length > 0) {
    throw new ShardError(
      `the scenario files of the shards are not here: ${missing.join(', ')} (merge reloads the files the shards ran, at the same paths relative to the current folder)`,
    );
  }
  // shards that read standard input are merged with the same stream piped again (its digest is checked)
  const { scenarios, notes } = loadScenarioFiles(files, await readOptionsFor(files, opts, io));
  const expanded = expandScenarios(scenarios);
  if (!quiet) for (const n of [...notes, ...expanded.flatMap((e) => e.notes)]) io.stderr.write(`${formatDiagnostic(n)}\n`);
  const planOptions = { seed: first.options.seed ?? undefined, replications: first.options.replications ?? undefined };
  const plan = planExpanded(expanded, planOptions);
  const identity = planIdentity(files, planOptions, expanded, plan, io.cwd);
  if (identity.hash !== first.hash) {
    throw new ShardError(`the scenario files changed since the shards ran (${identityDifference(first, identity)}); run the shards again or merge with the files they ran`);
  }
  const results = partialResults(partials, plan);
  const out = opts.out;
  prepareOut(out);
  return finish(collectResults(expanded, plan, results), out, opts.format, opts.detail, quiet, io);
}

/** The end of run and merge: the report files, the summary, problems on stderr, the exit code. */
function finish(runs: ScenarioRuns[], out: string, formats: string[], detail: ReportDetail, quiet: boolean, io: CliIO): number {
  const report = buildReport(runs, { cwd: io.cwd, detail });
  let written: string[];
  try {
    written = writeReports(report, out, formats);
  } catch (e) {
    // file-system errors (permissions, space, a folder in the way) are the user's to fix; others are bugs
    if (typeof (e as NodeJS.ErrnoException).code === 'string') throw new UsageError(`cannot write the report to ${out}: ${errnoText(e)}`);
    throw e;
  }

  if (!quiet) {
    const runNotes = new Set(runs.flatMap((s) => s.variants.flatMap((v) => v.runs.flatMap((r) => r.notes.map((n) => `${s.scenario.name}: ${n}`)))));
    for (const n of runNotes) io.stderr.write(`kubesim: note: ${oneLine(n)}\n`);
    const color = useColor(io.stdout.isTTY === true, io.env);
    io.stdout.write(renderTerminal(report, { color }));
    for (const f of written) io.stdout.write(`report: ${f}\n`);
    io.stdout.write(renderVerdict(report, { color }));
  }
  for (const line of problems(report)) io.stderr.write(`${line}\n`);
  reportFailures(
    runs.flatMap((s) => s.variants.flatMap((v) => v.failures)),
    io,
  );
  if (report.failedRuns > 0) return EXIT.internal;
  return report.slosPass ? EXIT.ok : EXIT.sloFailed;
}

/** One line per run that threw (the stack with KUBESIM_DEBUG). */
function reportFailures(failures: readonly RunFailure[], io: CliIO): void {
  for (const f of failures) {
    io.stderr.write(
      `kubesim: internal error: run failed: scenario ${JSON.stringify(f.scenario)} variant ${JSON.stringify(f.variant)} replication ${f.replication} seed ${f.seed}: ${oneLine(f.message)}\n`,
    );
    if (io.env.KUBESIM_DEBUG && f.stack) io.stderr.write(`${f.stack}\n`);
  }
}

/** One line per failing SLO (per scenario and variant). */
function problems(report: Report): string[] {
  const lines: string[] = [];
  for (const s of report.scenarios) {
    for (const v of s.variants) {
      for (const slo of v.summary.slos) {
        if (slo.pass) continue;
        const where = s.variants.length === 1 && v.name === 'default' ? oneLine(s.name) : `${oneLine(s.name)}/${oneLine(v.name)}`;
        const value = sloValue(slo.pooledValue, slo.unit, slo.threshold);
        const detail = slo.runs === 1 ? value : `held in ${slo.passed} of ${slo.runs} runs; pooled ${value}`;
        lines.push(`kubesim: SLO failed: ${where}: ${oneLine(slo.expr)} (${detail})`);
      }
    }
  }
  return lines;
}

/** k6 writes `--out json=results.json` (type=path); here --out is a folder and --format picks the files. */
function checkOutOption(out: string): void {
  const k6 = /^([a-z][a-z0-9-]*)=(.*)$/i.exec(out);
  if (k6 !== null) {
    const format = REPORT_WRITERS.has(k6[1]!.toLowerCase()) ? k6[1]!.toLowerCase() : 'json';
    throw new UsageError(
      `--out ${out}: looks like k6's --out <type>=<path>; kubesim's --out is a folder and --format chooses the files, e.g. --out ${path.dirname(k6[2]!) === '.' ? 'kubesim-report' : path.dirname(k6[2]!)} --format ${format} (for a folder of that name, write ./${out})`,
    );
  }
}

/** Creates the --out folder up front, so a bad path fails before minutes of simulation. */
function prepareOut(out: string): void {
  try {
    makeFolders(out);
  } catch (e) {
    throw new UsageError(`--out ${out}: cannot create the folder: ${errnoText(e)}`);
  }
  if (!statSync(out).isDirectory()) throw new UsageError(`--out ${out}: not a folder`);
  // Writable now, not only after minutes of simulation: create and remove a probe file.
  const probe = path.join(out, `.kubesim-write-check.${process.pid}.tmp`);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
  } catch (e) {
    throw new UsageError(`--out ${out}: cannot write in the folder: ${errnoText(e)}`);
  } finally {
    rmSync(probe, { force: true });
  }
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
  return escapeControl(s);
}
