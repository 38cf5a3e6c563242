import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenarios } from '../../engine/run/run.js';
import { loadScenarioFiles } from '../../engine/scenario/load.js';
import { buildReport } from '../../reports/model.js';
import { renderTerminal, renderVerdict, TERMINAL_WIDTH } from '../../reports/terminal.js';

/** The terminal summary of every example, as `kubesim run` prints it, fits in 100 columns. */
const EXAMPLES = readdirSync('scenarios')
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const ANSI = /\x1b\[[0-9;]*m/g;

describe('terminal summary of the examples', () => {
  for (const file of EXAMPLES) {
    it(
      `${file}: every line within ${TERMINAL_WIDTH} columns, the verdict last, colour only when asked`,
      async () => {
        const { scenarios } = loadScenarioFiles([`scenarios/${file}`]);
        const report = buildReport(await runScenarios(scenarios));
        const plain = renderTerminal(report) + renderVerdict(report);
        const colored = renderTerminal(report, { color: true }) + renderVerdict(report, { color: true });
        expect(plain).not.toMatch(ANSI);
        expect(colored.replace(ANSI, '')).toBe(plain);
        const long = plain.split('\n').filter((l) => [...l].length > TERMINAL_WIDTH);
        expect(long).toEqual([]);
        const last = plain.trimEnd().split('\n').at(-1)!;
        expect(last).toMatch(report.slosPass ? /^✓ (\d+ of \d+ SLOs? held|no SLOs)$/ : /^✗ \d+ of \d+ SLOs? failed: /);
        // latency: a mean and a p95 row, one unit (ms) per row
        for (const row of ['latency mean', 'latency p95']) expect(plain).toMatch(new RegExp(`^  ${row} +(\\d[\\d,.]* ms|n/a)( +(\\d[\\d,.]* ms|n/a))*$`, 'm'));
      },
      300_000,
    );
  }
});
