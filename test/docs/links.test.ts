import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The documentation's relative links resolve: every `[text](path)` and `[text](path#anchor)` in the
 * README and the reference pages names a file that exists and, with an anchor, a heading of that file
 * (GitHub's anchors: lower case, punctuation dropped, spaces as `-`, `-1` … for repeats).
 */
export const DOCS = ['README.md', 'scenarios/README.md', 'reports/README.md', 'bench/README.md'];

/** The text outside fenced code blocks, with inline code spans emptied (links are not read there). */
function prose(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/`[^`\n]*`/g, '``');
}

/** GitHub's anchor of a heading's text. */
export function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const body = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const m of body.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Every relative link of a Markdown file that does not resolve, as `file: target (why)`. */
export function brokenLinks(file: string, markdown: string, read: (f: string) => string = (f) => readFileSync(f, 'utf8')): string[] {
  const broken: string[] = [];
  for (const m of prose(markdown).matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
    const [rel, anchor] = target.split('#', 2) as [string, string | undefined];
    const dest = rel === '' ? file : path.normalize(path.join(path.dirname(file), rel));
    if (!existsSync(dest)) {
      broken.push(`${file}: ${target} (no such file ${dest})`);
      continue;
    }
    if (anchor === undefined) continue;
    if (statSync(dest).isDirectory() || !dest.endsWith('.md')) {
      broken.push(`${file}: ${target} (an anchor into a file that is not Markdown)`);
      continue;
    }
    if (!anchors(read(dest)).has(anchor)) broken.push(`${file}: ${target} (no heading #${anchor} in ${dest})`);
  }
  return broken;
}

describe('documentation links', () => {
  it('GitHub anchors: lower case, punctuation dropped, code and links kept as text, repeats numbered', () => {
    expect(slug('A five-minute tour')).toBe('a-five-minute-tour');
    expect(slug('`report.html`')).toBe('reporthtml');
    expect(slug('spec.images: behaviour profiles')).toBe('specimages-behaviour-profiles');
    expect(slug('Argo Rollouts, analysis, autoscaling and disruption budgets')).toBe('argo-rollouts-analysis-autoscaling-and-disruption-budgets');
    expect([...anchors('# A\n## Tests\n```\n# not a heading\n```\n### Tests\n')]).toEqual(['a', 'tests', 'tests-1']);
  });

  it('finds a broken file, a broken anchor, and ignores links in code', () => {
    const md = '[ok](#a) [bad anchor](#nope) [gone](no/such.md) `[in code](missing.md)`\n```\n[fenced](missing.md)\n```\n# A\n';
    expect(brokenLinks('README.md', md, () => md)).toEqual([
      'README.md: #nope (no heading #nope in README.md)',
      'README.md: no/such.md (no such file no/such.md)',
    ]);
  });

  for (const doc of DOCS) {
    it(`${doc}: every relative link and #anchor resolves`, () => {
      expect(existsSync(doc), doc).toBe(true);
      expect(brokenLinks(doc, readFileSync(doc, 'utf8'))).toEqual([]);
    });
  }

  it('the reference pages link back: README → scenarios, reports and bench pages, and back to the README', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const page of ['scenarios/README.md', 'reports/README.md', 'bench/README.md']) {
      expect(readme).toContain(`](${page}`);
      expect(readFileSync(page, 'utf8')).toContain('](../README.md');
    }
  });

  it('the scenario format reference is a table per section (| field | type | default | meaning |)', () => {
    const ref = readFileSync('scenarios/README.md', 'utf8');
    const sections = ref.split(/^### /m).slice(1).filter((s) => /^(Top level|spec\b)/.test(s));
    expect(sections.map((s) => s.split('\n')[0])).toEqual([
      'Top level',
      'spec',
      'spec.cluster',
      'spec.images: behaviour profiles',
      'spec.traffic',
      'spec.timeline',
      'spec.slos',
      'spec.variants',
      'spec.analysis',
    ]);
    for (const s of sections) {
      if (s.startsWith('spec.slos')) continue; // a grammar, in the README's scenario guide
      expect(s, s.split('\n')[0]).toContain('| field | type | default | meaning |\n|---|---|---|---|\n');
    }
  });
});
