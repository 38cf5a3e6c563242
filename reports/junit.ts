import path from 'node:path';
import { writeFileAtomic } from './atomic.js';
import type { FindingSummary, Report, ScenarioReport, SloSummary, VariantReport } from './model.js';
import { count, ms, percent, secs, seconds, sloValue, window } from './text.js';

/** The junit.xml file name inside the --out folder. */
export const JUNIT_XML = 'junit.xml';

/**
 * junit.xml: the SLO verdicts as JUnit XML, for the test reports of GitHub (e.g.
 * dorny/test-reporter, mikepenz/action-junit-report), GitLab (`artifacts: reports: junit`) and
 * Jenkins (the junit step).
 *
 * - `<testsuites>` holds one `<testsuite>` per scenario (name = the scenario's name);
 * - one `<testcase>` per SLO per variant: classname = the scenario's name, name =
 *   `<variant>: <SLO as written>`. A failed SLO has `<failure type="SLOFailure">` whose message has
 *   the measured (pooled) value and the runs it held in: `p(99) < 300ms: measured 318.2 ms over 3
 *   replications (held in 1 of 3)`;
 * - a variant without SLOs has one passing testcase `<variant>: no SLO`, so it is still listed;
 * - each run that threw is a testcase `<variant>: replication <r> (seed <s>)` with
 *   `<error type="RunError">`;
 * - each testcase's `<system-out>` has the variant's figures and its findings (where the failures
 *   happened, with the fixes).
 *
 * `time` attributes are **simulated** seconds (the scenario's duration × the variant's finished
 * runs), since a report holds no wall-clock value; a suite's is the sum over its variants. The
 * structure follows the stricter of Jenkins' JUnit schema and Maven Surefire's report schema (see
 * test/fixtures/junit/junit.xsd, which the tests validate against). Everything is XML-escaped and
 * characters XML 1.0 does not allow are dropped. Deterministic: same model, same bytes.
 */
export function renderJunit(report: Report): string {
  const suites = report.scenarios.map(suite);
  const total = (k: 'tests' | 'failures' | 'errors') => suites.reduce((n, s) => n + s[k], 0);
  const time = suites.reduce((n, s) => n + s.time, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kubesim" tests="${total('tests')}" failures="${total('failures')}" errors="${total('errors')}" time="${t(time)}">`,
    ...suites.flatMap((s) => s.lines),
    '</testsuites>',
    '',
  ].join('\n');
}

/** Writes `<out>/junit.xml` atomically; returns the path written. */
export function writeJunitReport(report: Report, out: string): string {
  const file = path.join(out, JUNIT_XML);
  writeFileAtomic(file, renderJunit(report));
  return file;
}

interface Suite {
  lines: string[];
  tests: number;
  failures: number;
  errors: number;
  time: number;
}

function suite(s: ScenarioReport): Suite {
  const cases: string[] = [];
  let [tests, failures, errors, time] = [0, 0, 0, 0];
  for (const v of s.variants) {
    const vtime = s.durationS * v.summary.runs;
    time += vtime;
    const out = systemOut(s, v);
    const testcase = (name: string, body: string[]) => {
      tests++;
      const open = `    <testcase classname="${attr(s.name)}" name="${attr(name)}" time="${t(vtime)}"`;
      cases.push(...(body.length === 0 ? [`${open}/>`] : [`${open}>`, ...body, '    </testcase>']));
    };
    const sysout = out === '' ? [] : [`      <system-out>${text(out)}</system-out>`];
    if (v.summary.slos.length === 0) testcase(`${v.name}: no SLO`, sysout);
    for (const slo of v.summary.slos) {
      if (slo.pass) {
        testcase(`${v.name}: ${slo.expr}`, sysout);
      } else {
        failures++;
        testcase(`${v.name}: ${slo.expr}`, [`      <failure message="${attr(failureMessage(slo))}" type="SLOFailure">${text(failureText(slo, v))}</failure>`, ...sysout]);
      }
    }
    for (const e of v.errors) {
      errors++;
      tests++;
      cases.push(
        `    <testcase classname="${attr(s.name)}" name="${attr(`${v.name}: replication ${e.replication} (seed ${e.seed})`)}" time="${t(0)}">`,
        `      <error message="${attr(e.message)}" type="RunError">${text(`The run threw (a bug in kubesim); rerun it with --seed: replication ${e.replication}, seed ${e.seed}.\n${e.message}\n`)}</error>`,
        '    </testcase>',
      );
    }
  }
  const props = [
    ['file', s.file],
    ['seed', String(s.seed)],
    ['replications', String(s.replications)],
    ['duration', seconds(s.durationS)],
  ];
  const lines = [
    `  <testsuite name="${attr(s.name)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="0" time="${t(time)}">`,
    '    <properties>',
    ...props.map(([name, value]) => `      <property name="${attr(name!)}" value="${attr(value!)}"/>`),
    '    </properties>',
    ...cases,
    '  </testsuite>',
  ];
  return { lines, tests, failures, errors, time };
}

/** `p(99) < 300ms: measured 318.2 ms over 3 replications (held in 1 of 3)`. */
export function failureMessage(slo: SloSummary): string {
  if (slo.runs === 0) return `${slo.expr}: not measured (no run finished)`;
  const value = sloValue(slo.pooledValue, slo.unit, slo.threshold);
  const over = `${slo.runs} replication${slo.runs === 1 ? '' : 's'}`;
  const held = slo.runs > 1 ? ` (held in ${slo.passed} of ${slo.runs})` : '';
  return `${slo.expr}: measured ${value} over ${over}${held}`;
}

function failureText(slo: SloSummary, v: VariantReport): string {
  const bound = sloValue(slo.threshold, slo.unit, slo.threshold);
  const lines = [failureMessage(slo), `bound: ${bound}; value pooled over the variant's finished runs`];
  if (v.summary.findings.length > 0) lines.push(`largest cause: ${findingLine(v.summary.findings[0]!, v.summary.runs)}`);
  return `${lines.join('\n')}\n`;
}

function systemOut(s: ScenarioReport, v: VariantReport): string {
  const sum = v.summary;
  const lines = [
    `${s.name} / ${v.name}: ${count(sum.requests.total)} requests, ${count(sum.requests.failed)} failed, availability ${percent(sum.availability)}, ` +
      `latency p50 ${ms(sum.latencyMs.p50)}, p95 ${ms(sum.latencyMs.p95)}, p99 ${ms(sum.latencyMs.p99)} (${sum.runs} run${sum.runs === 1 ? '' : 's'})`,
  ];
  if (sum.findings.length > 0) {
    lines.push('Where failures happened:');
    for (const f of sum.findings) lines.push(`- ${findingLine(f, sum.runs)}`);
  }
  return `${lines.join('\n')}\n`;
}

function findingLine(f: FindingSummary, runs: number): string {
  const inRuns = runs > 1 ? ` in ${f.runs} of ${runs} runs` : '';
  const after = f.trigger === null ? '' : ` after ${f.trigger.action} ${f.trigger.target} at ${secs(f.trigger.atS)}`;
  return `${count(f.count)} ${f.outcome} at ${window(f.fromS, f.toS)}${inRuns} (${f.cause}${after}): ${f.message}${f.fix === null ? '' : ` Fix: ${f.fix}`}`;
}

// -------------------------------------------------------------------------------------------------
// XML

/** Seconds with 3 decimals, no grouping (Surefire's time pattern allows at most 3 decimals). */
function t(x: number): string {
  return (Math.round(x * 1000) / 1000).toFixed(3);
}

/**
 * Drops what XML 1.0 does not allow in a document (§2.2 Char: only #x9, #xA, #xD, #x20–#xD7FF,
 * #xE000–#xFFFD, #x10000–#x10FFFF; so other C0 controls, lone surrogates, U+FFFE and U+FFFF go).
 */
export function xmlChars(s: string): string {
  return s.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '');
}

/** Character data: `&`, `<`, `>` escaped (so `]]>` cannot occur). */
function text(s: string): string {
  return xmlChars(s).replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** An attribute value in double quotes; tab, line feed and carriage return as character references so they survive attribute-value normalisation. */
function attr(s: string): string {
  return xmlChars(s).replace(/[&<>"'\t\n\r]/g, (c) => ATTR[c]!);
}

const ATTR: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };
