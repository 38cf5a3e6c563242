import { describe, expect, it } from 'vitest';
import { parseReplay, readReplay } from '../../../engine/scenario/replay.js';
import { formatDiagnostic } from '../../../engine/scenario/diagnostics.js';

describe('replay CSV', () => {
  it('reads timestamps with a header, comments and blank lines', () => {
    const { replay, errors } = parseReplay('log.csv', 'time,path\n# from the access log\n0.5,/a\n\n1.25,/b\n1.25,/c\n', 'timestamps');
    expect(errors).toEqual([]);
    expect(replay).toEqual({ format: 'timestamps', file: 'log.csv', times: [0.5, 1.25, 1.25] });
  });

  it('reads a rate curve', () => {
    const { replay } = parseReplay('rates.csv', '0,100\n60,300\n120,100\n', 'rates');
    expect(replay).toEqual({ format: 'rates', file: 'rates.csv', steps: [{ at: 0, rate: 100 }, { at: 60, rate: 300 }, { at: 120, rate: 100 }] });
  });

  it.each([
    ['0.5\n0.4\n', 'timestamps', 'log.csv:2:1: send times must not decrease (0.4 after 0.5)'],
    ['0.5\nsoon\n', 'timestamps', 'log.csv:2:1: expected a send time in seconds (a non-negative number), got "soon"'],
    ['0,100\n60, -3\n', 'rates', 'log.csv:2:5: expected a rate in requests per second (a non-negative number), got "-3"'],
    ['0,100\n60\n', 'rates', 'log.csv:2:3: expected a rate in requests per second in column 2'],
    ['0,100\n0,200\n', 'rates', 'log.csv:2:1: times must increase (0 after 0)'],
    ['time\n', 'timestamps', 'kubesim: log.csv: the replay file has no data lines'],
  ] as const)('%j (%s) → %s', (text, format, message) => {
    const { replay, errors } = parseReplay('log.csv', text, format);
    expect(replay).toBeUndefined();
    expect(errors.map(formatDiagnostic)).toEqual([message]);
  });

  it('a missing file is an error naming it', () => {
    const { errors } = readReplay('test/fixtures/nope.csv', 'timestamps');
    expect(errors.map(formatDiagnostic)).toEqual(['kubesim: test/fixtures/nope.csv: cannot read the replay file: no such file']);
  });
});
