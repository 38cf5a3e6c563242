import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram, runCli, type CliIO } from '../../../engine/cli/cli.js';

/**
 * The CI recipes in reports/ci/ are real files: valid YAML, shown byte for byte in the README, and
 * their kubesim commands parse with the real command line and name scenarios that validate.
 */
const RECIPES = ['reports/ci/github-actions.yml', 'reports/ci/gitlab-ci.yml'];
const README = readFileSync('README.md', 'utf8');

/* eslint-disable @typescript-eslint/no-explicit-any */
type Yaml = any;

function io(): { cli: CliIO; out: { stdout: string; stderr: string } } {
  const out = { stdout: '', stderr: '' };
  return { out, cli: { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) }, env: {}, cwd: process.cwd() } };
}

/** The arguments and options `kubesim run` would get from this command line (parsed, not run). */
async function parseRun(command: string): Promise<{ files: string[]; opts: Record<string, unknown> }> {
  const words = command.trim().split(/\s+/);
  expect(words.slice(0, 3)).toEqual(['npx', 'kubesim', 'run']);
  const x = io();
  const program = buildProgram(x.cli, () => undefined);
  let parsed: { files: string[]; opts: Record<string, unknown> } | undefined;
  program.commands.find((c) => c.name() === 'run')!.action((files: string[], opts: Record<string, unknown>) => void (parsed = { files, opts }));
  await program.parseAsync(['node', 'kubesim', ...words.slice(2)]);
  expect(x.out.stderr).toBe('');
  return parsed!;
}

function kubesimCommands(recipe: string, doc: Yaml): string[] {
  const lines: string[] = recipe.includes('github')
    ? Object.values(doc.jobs as Record<string, Yaml>).flatMap((j) => j.steps.map((s: Yaml) => s.run ?? ''))
    : Object.values(doc as Record<string, Yaml>).flatMap((j) => [...(j.script ?? [])]);
  return lines.flatMap((l) => l.split('\n')).filter((l) => l.trim().startsWith('npx kubesim '));
}

describe('CI recipes', () => {
  for (const recipe of RECIPES) {
    it(`${recipe}: valid YAML, in the README byte for byte; its kubesim commands parse and name valid scenarios`, async () => {
      const text = readFileSync(recipe, 'utf8');
      expect(README).toContain(`\`\`\`yaml\n${text}\`\`\`\n`);
      const doc = parse(text);
      const commands = kubesimCommands(recipe, doc);
      expect(commands.length).toBeGreaterThan(0);
      for (const command of commands) {
        const { files, opts } = await parseRun(command);
        expect(opts.format).toEqual(['json', 'html', 'md', 'junit']);
        expect(opts.out).toBe('kubesim-report');
        for (const f of files) expect(existsSync(f), f).toBe(true);
        const v = io();
        expect(await runCli(['node', 'kubesim', 'validate', '--quiet', ...files], v.cli)).toBe(0);
        expect(v.out.stderr).toBe('');
      }
    });
  }

  it('GitHub Actions: on pull requests; summary, artifact and test report kept when the run fails', () => {
    const doc = parse(readFileSync(RECIPES[0]!, 'utf8'));
    expect(Object.keys(doc.on)).toEqual(['pull_request']);
    const steps: Yaml[] = doc.jobs.slos.steps;
    const always = (s: Yaml) => typeof s.if === 'string' && s.if.startsWith('always()');
    const summary = steps.find((s) => typeof s.run === 'string' && s.run.includes('>> "$GITHUB_STEP_SUMMARY"'));
    expect(summary.run).toBe('cat kubesim-report/summary.md >> "$GITHUB_STEP_SUMMARY"');
    expect(always(summary)).toBe(true);
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload.with.path).toContain('kubesim-report/report.html');
    expect(always(upload)).toBe(true);
    const junit = steps.find((s) => s.uses?.startsWith('mikepenz/action-junit-report@'));
    expect(junit.with.report_paths).toBe('kubesim-report/junit.xml');
    expect(always(junit)).toBe(true);
    expect(doc.permissions.checks).toBe('write');
    // the simulate step has no `if` and no continue-on-error: its exit code 1 fails the job
    const simulate = steps.find((s) => s.run?.startsWith('npx kubesim run'));
    expect(simulate.if).toBeUndefined();
    expect(simulate['continue-on-error']).toBeUndefined();
  });

  it('GitLab CI: in merge request pipelines; artifacts and the JUnit report kept when the run fails', () => {
    const job = parse(readFileSync(RECIPES[1]!, 'utf8')).kubesim;
    expect(job.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    expect(job.artifacts.when).toBe('always');
    expect(job.artifacts.paths).toContain('kubesim-report/report.html');
    expect(job.artifacts.reports.junit).toBe('kubesim-report/junit.xml');
    expect(job.allow_failure).toBeUndefined();
    expect(job.after_script.join('\n')).toContain('--data-urlencode "body@kubesim-report/summary.md"');
  });
});
