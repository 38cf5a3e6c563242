import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../../engine/cli/progress.js';
import type { RunProgress } from '../../../engine/run/run.js';
import type { RunResult } from '../../../engine/run/simulate.js';

function events(): RunProgress[] {
  const item = (replication: number) => ({ index: replication, scenario: 0, variant: 'default', replication, seed: 100 + replication });
  const ok = { total: 1200, failed: 3 };
  return [
    { phase: 'start', done: 0, total: 2, item: item(0), scenario: 'web' },
    { phase: 'finish', done: 1, total: 2, item: item(0), scenario: 'web', result: { item: item(0), ok: true, result: { metrics: { requests: ok } } as unknown as RunResult } },
    { phase: 'start', done: 1, total: 2, item: item(1), scenario: 'web' },
    {
      phase: 'finish',
      done: 2,
      total: 2,
      item: item(1),
      scenario: 'web',
      result: { item: item(1), ok: false, failure: { scenario: 'web', variant: 'default', replication: 1, seed: 101, message: 'Error: boom\nsecond line' } },
    },
  ];
}

function capture(isTTY: boolean, quiet: boolean, columns?: number): string {
  let text = '';
  const p = progressReporter({ write: (s) => (text += s), isTTY, columns }, quiet);
  for (const e of events()) p.update(e);
  p.end();
  return text;
}

describe('progress', () => {
  it('plain lines when stderr is not a terminal: one per finished run', () => {
    expect(capture(false, false)).toBe(
      'kubesim: run 1/2 web default #0 (seed 100): 1200 requests, 3 failed\n' +
        'kubesim: run 2/2 web default #1 (seed 101): failed: Error: boom\\u000asecond line\n',
    );
  });

  it('a bar redrawn in place on a terminal, cleared at the end', () => {
    const text = capture(true, false, 80);
    const frames = text.split('\r\x1b[2K').filter((f) => f !== '');
    expect(frames).toEqual([
      '[------------------------------] 0/2 web default #0 (seed 100)',
      '[###############---------------] 1/2 web default #0 (seed 100)',
      '[###############---------------] 1/2 web default #1 (seed 101)',
      '[##############################] 2/2 web default #1 (seed 101)',
    ]);
    expect(text.endsWith('\r\x1b[2K')).toBe(true);
    expect(text).not.toContain('\n');
  });

  it('the bar fits narrow terminals', () => {
    const frames = capture(true, false, 40).split('\r\x1b[2K').filter((f) => f !== '');
    for (const f of frames) expect([...f].length).toBeLessThanOrEqual(39);
  });

  it('nothing with --quiet', () => {
    expect(capture(true, true)).toBe('');
    expect(capture(false, true)).toBe('');
  });

  it('a single long run moves the bar with its ticks (at most one redraw per 100 ms)', () => {
    let text = '';
    let clock = 0;
    const p = progressReporter({ write: (x) => (text += x), isTTY: true, columns: 120 }, false, () => clock);
    const item = { index: 0, scenario: 0, variant: 'default', replication: 0, seed: 7 };
    p.update({ phase: 'start', done: 0, total: 1, item, scenario: 'long' });
    for (let i = 1; i <= 4; i++) {
      clock += 1000;
      p.update({ phase: 'tick', done: 0, total: 1, item, scenario: 'long', tick: { simulatedS: i * 150, durationS: 600, kernelEvents: i * 2_000_000 } });
      p.update({ phase: 'tick', done: 0, total: 1, item, scenario: 'long', tick: { simulatedS: i * 150 + 1, durationS: 600, kernelEvents: i * 2_000_000 + 1 } }); // too soon: not drawn
    }
    p.end();
    const frames = text.split('\r\x1b[2K').filter((f) => f !== '');
    expect(frames).toEqual([
      '[------------------------------] 0/1 long default #0 (seed 7)',
      '[########----------------------] 0/1 · 25% · 2.00 M events/s long default #0 (seed 7)',
      '[###############---------------] 0/1 · 50% · 2.00 M events/s long default #0 (seed 7)',
      '[#######################-------] 0/1 · 75% · 2.00 M events/s long default #0 (seed 7)',
      '[##############################] 0/1 · 100% · 2.00 M events/s long default #0 (seed 7)',
    ]);
  });

  it('ticks print nothing in plain-line mode', () => {
    let text = '';
    const p = progressReporter({ write: (x) => (text += x), isTTY: false }, false);
    const item = { index: 0, scenario: 0, variant: 'default', replication: 0, seed: 7 };
    p.update({ phase: 'tick', done: 0, total: 1, item, scenario: 'long', tick: { simulatedS: 1, durationS: 2, kernelEvents: 5 } });
    expect(text).toBe('');
  });
});
