import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli, type CliIO } from '../../engine/cli/cli.js';

/**
 * What the README shows a newcomer is real: the tour's Scenario is the one in scenarios/web-app.yaml
 * and its pasted summary is what `kubesim run` prints (100 columns, no colour); the quick start's file
 * validates and its pasted lines are in what it prints.
 */
const README = readFileSync('README.md', 'utf8');
const tmp = mkdtempSync(path.join(tmpdir(), 'kubesim-readme-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The fenced blocks of the section under `## <title>` (to the next `## `). */
function blocks(title: string): Array<{ lang: string; text: string }> {
  const start = README.indexOf(`\n## ${title}\n`);
  expect(start, title).toBeGreaterThan(0);
  const end = README.indexOf('\n## ', start + 1);
  const section = README.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, text: m[2]! }));
}

async function kubesim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const io: CliIO = { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) }, env: { NO_COLOR: '1' }, cwd: process.cwd() };
  const code = await runCli(['node', 'kubesim', ...args], io);
  return { code, ...out };
}

/** Report paths differ with --out; everything else must match. */
const withoutPaths = (s: string) => s.replace(/^report: .*$/gm, 'report: …');

describe('README', () => {
  it('the tour: the Scenario shown is scenarios/web-app.yaml\'s, and the summary is what run prints', async () => {
    const [scenario, , output] = blocks('A five-minute tour');
    const docs = parseAllDocuments(readFileSync('scenarios/web-app.yaml', 'utf8')).map((d) => d.toJS());
    expect(parseAllDocuments(scenario!.text).map((d) => d.toJS())).toEqual([docs.find((d) => d.kind === 'Scenario')]);
    const r = await kubesim('run', '--workers', '1', '--out', path.join(tmp, 'tour'), 'scenarios/web-app.yaml');
    expect(r.code).toBe(0);
    expect(withoutPaths(r.stdout)).toBe(withoutPaths(output!.text));
    for (const line of output!.text.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('the quick start: the file validates, the pasted lines are real, the variant fixes it', async () => {
    const [file, , fragment, variants, ranking] = blocks('Quick start: your own scenario');
    const f = path.join(tmp, 'my-app.yaml');
    writeFileSync(f, file!.text);
    expect(await kubesim('validate', f)).toEqual({ code: 0, stdout: '1 scenario valid\n', stderr: '' });
    const r = await kubesim('run', '--workers', '1', '--out', path.join(tmp, 'qs'), f);
    expect(r.code).toBe(1);
    const printed = withoutPaths(r.stdout).split('\n');
    for (const line of withoutPaths(fragment!.text).trimEnd().split('\n')) expect(printed).toContain(line);
    // the variants block added under spec: the same file with replications and variants
    const g = path.join(tmp, 'my-app-variants.yaml');
    writeFileSync(g, `${file!.text}${variants!.text}`);
    const v = await kubesim('run', '--workers', '1', '--out', path.join(tmp, 'qs2'), g);
    expect(v.code).toBe(1);
    expect(withoutPaths(v.stdout).endsWith(withoutPaths(ranking!.text))).toBe(true);
  });
});
