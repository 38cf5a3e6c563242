import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCells, encodeCells } from '../../../engine/metrics/cellcodec.js';

const decoded = (text: string, width = 464): [number, number][] => {
  const out: [number, number][] = [];
  decodeCells(text, width, (c, n) => out.push([c, n]));
  return out;
};

describe('cellcodec', () => {
  it('reads back any increasing cells with counts 1 … 2^32 − 1, zero counts left out', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(463)), fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 464, maxLength: 464 }), (cells, counts) => {
        const pairs = [...cells].sort((a, b) => a - b).map((c) => [c, counts[c]!] as [number, number]);
        const text = encodeCells((fn) => pairs.forEach(([c, n]) => fn(c, n)));
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(decoded(text)).toEqual(pairs.filter(([, n]) => n > 0));
      }),
      { numRuns: 300 },
    );
  });

  it('writes a step of 1 and a count below 32 in one character each, below 1,024 in two', () => {
    expect(encodeCells(() => {})).toBe('');
    expect(encodeCells((fn) => [0, 1, 2].forEach((c) => fn(c, 5)))).toHaveLength(6);
    expect(encodeCells((fn) => fn(0, 1000))).toHaveLength(3);
    expect(encodeCells((fn) => fn(463, 0xffffffff))).toHaveLength(2 + 7);
  });

  it('refuses text it cannot have written', () => {
    const one = encodeCells((fn) => fn(3, 40)); // 'E' then a two-character count
    expect(() => decoded(one.slice(0, -1))).toThrow(/ends inside a number/);
    expect(() => decoded(`${one}*`)).toThrow(/unexpected character "\*"/);
    expect(() => decoded(encodeCells((fn) => fn(3, 1)), 3)).toThrow(/cell 3 is outside 0 … 2/);
    expect(() => decoded('AB')).toThrow(/cells must increase/); // step 0
    expect(() => decoded('BA')).toThrow(/count of 0/);
    expect(() => decoded('B________H')).toThrow(/above 2\^32 − 1/);
  });
});
