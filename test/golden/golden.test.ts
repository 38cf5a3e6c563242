import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenarios } from '../../engine/run/run.js';
import { loadScenarioFiles } from '../../engine/scenario/load.js';
import { renderJunit } from '../../reports/junit.js';
import { renderMarkdown } from '../../reports/markdown.js';
import { buildReport } from '../../reports/model.js';
import { validateJunit } from '../support/junit-schema.js';

/**
 * Golden files of what users read: summary.md and junit.xml of example scenarios, made by the real
 * pipeline (load → run → buildReport → render) with the scenarios' own seeds. Reports hold no
 * wall-clock value, so the bytes are the same on every machine. After a deliberate change,
 * regenerate them with `npm run golden` (UPDATE_GOLDEN=1 makes this test rewrite the files) and
 * review the diff before committing it.
 */
const EXAMPLES = ['web-app', 'rolling-update-undo', 'prestop-race', 'strategy-recreate'];
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const HERE = path.join('test', 'golden');

function check(file: string, actual: string): void {
  if (UPDATE || !existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    if (!UPDATE) throw new Error(`${file} was missing and has been written: review it, commit it and run again`);
    return;
  }
  // compared as text so a failure shows the diff; `npm run golden` rewrites the file
  expect(actual, `${file} differs: if the change is intended, run npm run golden and review the diff`).toBe(readFileSync(file, 'utf8'));
}

describe('golden reports of the examples', () => {
  for (const name of EXAMPLES) {
    it(
      `${name}: summary.md and junit.xml`,
      async () => {
        const { scenarios } = loadScenarioFiles([`scenarios/${name}.yaml`]);
        const report = buildReport(await runScenarios(scenarios), { cwd: process.cwd() });
        const md = renderMarkdown(report);
        const xml = renderJunit(report);
        check(path.join(HERE, name, 'summary.md'), md);
        check(path.join(HERE, name, 'junit.xml'), xml);
        expect(await validateJunit(xml)).toEqual([]);
      },
      300_000,
    );
  }
});
