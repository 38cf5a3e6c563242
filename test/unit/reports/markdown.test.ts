import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { escapeMarkdown, renderMarkdown } from '../../../reports/markdown.js';
import { comparison, counts, finding, report, variant } from './fixtures.js';

const slo = (expr: string, pass: boolean, pooledValue: number, runs = 1) => ({ expr, unit: 'fraction' as const, threshold: 0.99, passed: pass ? runs : 0, runs, pass, pooledValue });

describe('renderMarkdown', () => {
  it('verdict, SLO table with ✅/❌, figures with one unit per row, findings with window and fix', () => {
    const r = report(
      [variant('default', { requests: counts({ ok: 9943, refused: 57 }), slos: [slo('availability >= 99%', false, 0.9943), slo('availability >= 90%', true, 0.9943)], findings: [finding()], pass: false })],
      ['availability >= 99%', 'availability >= 90%'],
    );
    const text = renderMarkdown(r);
    const lines = text.split('\n');
    expect(lines[0]).toBe('## ❌ kubesim: 1 of 2 SLOs failed');
    expect(lines).toContain('- ❌ availability \\>\\= 99% — measured 99.430%');
    expect(lines).toContain('### web\\-app\\-steady');
    expect(text).toContain(['| SLO | default |', '| --- | ---: |', '| availability \\>\\= 99% | ❌ 99.430% |', '| availability \\>\\= 90% | ✅ 99.430% |'].join('\n'));
    expect(lines).toContain('| failed: refused | 57 |');
    expect(lines).toContain('| latency p95 | 80.1 ms |');
    expect(lines).toContain('#### Where failures happened');
    expect(lines.find((l) => l.startsWith('- **57 refused**'))).toBe(
      '- **57 refused** · 30.0–32.1 s · termination race: 57 requests refused at 30\\.0–32\\.1 s after delete\\-pod web\\-app\\-7d9f\\-x2k\\: kube\\-proxy routed to the pod for 2\\.1 s after it stopped listening\\. **Fix:** preStop sleep ≥ 3 s',
    );
    expect(text.endsWith('\n')).toBe(true);
  });

  it('all held; no SLOs; a variant ranking with intervals and paired differences', () => {
    expect(renderMarkdown(report([variant('default', { slos: [slo('availability >= 99%', true, 1)] })], ['availability >= 99%'])).split('\n')[0]).toBe('## ✅ kubesim: 1 of 1 SLO held');
    expect(renderMarkdown(report([variant('default')]))).toContain('No SLOs: the scenario sets none.');
    const r = report(
      [variant('no-prestop', { runs: 3, requests: counts({ ok: 900, refused: 100 }), findings: [finding({ runs: 3 })] }), variant('prestop-5s', { runs: 3 })],
    );
    r.scenarios[0]!.replications = 3;
    comparison(r);
    const text = renderMarkdown(r);
    expect(text).toContain('#### Variants ranked');
    expect(text).toContain(
      [
        '| # | variant | availability | p99 latency | Δ availability | Δ p99 latency |',
        '| ---: | --- | ---: | ---: | ---: | ---: |',
        '| 1 | prestop\\-5s | 100.000% | 118.9 ms | +2.433pp ±0.439pp ✅ better | -123.4 ms ±12.3 ms (no significant difference) |',
        '| 2 | no\\-prestop | 90.000% | 118.9 ms | baseline | baseline |',
      ].join('\n'),
    );
    expect(text).toContain('- **no\\-prestop**: **57 refused** · 30.0–32.1 s (in 3 of 3 runs) · termination race');
  });

  it('more than 4 variants: one row per variant instead of one column', () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    const text = renderMarkdown(report(names.map((n) => variant(n, { slos: [slo('availability >= 99%', true, 1)] })), ['availability >= 99%']));
    expect(text).toContain(['| variant | availability \\>\\= 99% |', '| --- | ---: |', '| a | ✅ 100.000% |'].join('\n'));
    expect(text).toMatch(/^\| variant \| requests \| failed \| availability \| latency mean \| latency p50 \| latency p95 \| latency p99 \| latency max \|$/m);
    expect(text).toContain('| e | 36,203 | 0 | 100.000% | 25.5 ms | 20.0 ms | 80.1 ms | 118.9 ms | 1,630 ms |');
    const four = renderMarkdown(report(names.slice(0, 4).map((n) => variant(n))));
    expect(four).toContain('|  | a | b | c | d |');
  });

  it('failed runs are listed with their seeds', () => {
    const text = renderMarkdown(report([variant('default', {}, 1)]));
    expect(text).toContain('#### Failed runs (internal errors)');
    expect(text).toContain('- default replication 0 (seed 0): Error\\: boom');
  });

  it('no raw HTML and no markup from user strings: they render as text', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const r = report([variant(`a|b*c_d\`e[f](g) ${evil}`, { slos: [slo(`p99 | ${evil}`, false, 0.5)], findings: [finding({ message: `${evil} @team #12 :smile: $x$ www.example.com`, fix: '<details>x</details>' })], pass: false })], [`p99 | ${evil}`]);
    r.scenarios[0]!.name = `${evil}\n# heading`;
    const text = renderMarkdown(r);
    // every < and > is escaped: no HTML tag can appear in the rendered output
    expect(text).not.toMatch(/(^|[^\\])[<>]/m);
    expect(text).toContain('\\<img src\\=x onerror\\=alert\\(1\\)\\>');
    expect(text).toContain('a\\|b\\*c\\_d\\`e\\[f\\]\\(g\\)');
    expect(text).toContain('\\@team \\#12 \\:smile\\: \\$x\\$ www\\.example\\.com');
    expect(text).not.toMatch(/^# heading/m); // a newline in a name cannot start a block
    // rendered by a CommonMark parser with raw HTML and autolinks on (as GitHub and GitLab parse it,
    // before they sanitise): only the renderer's own structure, the user's strings as text
    const html = new MarkdownIt({ html: true, linkify: true }).render(text);
    const tags = new Set([...html.matchAll(/<\/?([a-z0-9]+)/g)].map((m) => m[1]));
    expect([...tags].sort()).toEqual(['h2', 'h3', 'h4', 'li', 'p', 'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul']);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;details&gt;x&lt;/details&gt;');
    expect(html).toContain('a|b*c_d`e[f](g)');
    // table rows keep their number of cells: every unescaped | is a cell border
    for (const line of text.split('\n').filter((l) => l.startsWith('|'))) {
      expect(line.replace(/\\\|/g, '').split('|').length).toBe(text.split('\n').find((l) => l.startsWith('| SLO'))!.replace(/\\\|/g, '').split('|').length);
    }
  });
});

describe('escapeMarkdown', () => {
  it('backslash-escapes markup characters and turns line breaks into spaces', () => {
    expect(escapeMarkdown('plain text 42')).toBe('plain text 42');
    expect(escapeMarkdown('*a* _b_ `c` [d](e) <f> | ~g~ #h !i')).toBe('\\*a\\* \\_b\\_ \\`c\\` \\[d\\]\\(e\\) \\<f\\> \\| \\~g\\~ \\#h \\!i');
    expect(escapeMarkdown('a\r\nb\nc')).toBe('a b c');
    expect(escapeMarkdown('\\')).toBe('\\\\');
    expect(escapeMarkdown('&amp;')).toBe('\\&amp;');
  });
});
