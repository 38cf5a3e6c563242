import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseRate } from '../../../engine/kernel/units.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 0.25],
    ['30s', 30],
    ['5m', 300],
    ['1h', 3600],
    ['1m30s', 90],
    ['1.5s', 1.5],
    ['500us', 0.0005],
    ['2d', 172800],
    ['0s', 0],
    ['15', 15],
    [' 2s ', 2],
    [10, 10],
    [0.5, 0.5],
  ] as const)('%j → %d s', (input, expected) => {
    expect(parseDuration(input)).toBeCloseTo(expected, 12);
  });

  it.each(['', 'fast', '10 s', '-5s', '5x', 's', '1m30', '1.2.3s'])('rejects %j with what it expected', (input) => {
    expect(() => parseDuration(input)).toThrow(/expected a duration like 250ms/);
  });

  it('rejects negative and non-finite numbers', () => {
    expect(() => parseDuration(-1)).toThrow(/non-negative/);
    expect(() => parseDuration(Infinity)).toThrow(/non-negative/);
  });
});

describe('parseRate', () => {
  it.each([
    ['500/s', 500],
    ['30000/m', 500],
    ['36000/h', 10],
    ['2/ms', 2000],
    ['120/min', 2],
    ['7.5', 7.5],
    [250, 250],
  ] as const)('%j → %d /s', (input, expected) => {
    expect(parseRate(input)).toBeCloseTo(expected, 9);
  });

  it.each(['fast', '/s', '5/d', '-3/s'])('rejects %j', (input) => {
    expect(() => parseRate(input)).toThrow(/expected a rate like 500\/s/);
  });

  it('rejects negative numbers', () => expect(() => parseRate(-1)).toThrow(/non-negative/));
});

describe('formatDuration', () => {
  it.each([
    [0.25, '250ms'],
    [30, '30s'],
    [90, '1m30s'],
    [3600, '1h'],
    [5400, '1h30m'],
    [Infinity, 'Infinity'],
  ] as const)('%d → %s', (s, text) => expect(formatDuration(s)).toBe(text));
});
