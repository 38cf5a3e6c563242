import { describe, expect, it } from 'vitest';
import { parseCpu, parseMemory, parseQuantity, QuantityError } from '../../../engine/scenario/quantity.js';

describe('Kubernetes quantities', () => {
  it.each([
    // cpu
    ['500m', 0.5],
    ['2', 2],
    ['100m', 0.1],
    ['0.5', 0.5],
    ['1.5', 1.5],
    ['250000u', 0.25],
    ['1000000n', 0.001],
    [2, 2],
    [0.25, 0.25],
    // memory: binary suffixes
    ['128Mi', 134217728],
    ['1Gi', 1073741824],
    ['1Ki', 1024],
    ['1.5Gi', 1610612736],
    ['2Ti', 2 * 2 ** 40],
    ['1Pi', 2 ** 50],
    ['1Ei', 2 ** 60],
    // memory: decimal suffixes and exponents
    ['1G', 1e9],
    ['500M', 5e8],
    ['1k', 1000],
    ['3T', 3e12],
    ['1P', 1e15],
    ['2E', 2e18],
    ['1e3', 1000],
    ['5E-2', 0.05],
    ['12e6', 12e6],
    ['123456789', 123456789],
    ['.5', 0.5],
    ['5.', 5],
    ['+1Mi', 1048576],
    ['0', 0],
  ] as const)('%j → %d', (input, expected) => {
    expect(parseQuantity(input)).toBe(expected);
  });

  it('keeps negative values for parseQuantity and rejects them for resources', () => {
    expect(parseQuantity('-1Mi')).toBe(-1048576);
    expect(() => parseCpu('-500m')).toThrow('expected a non-negative quantity, got "-500m"');
    expect(() => parseMemory(-1)).toThrow(QuantityError);
  });

  it.each(['', 'lots', '1GB', '1gi', '500 m', 'Mi', '1..5', '1e', '1Mi2', 'm500', '1,5', '0x10', '1KiB'])(
    'rejects %j, saying what it expected',
    (input) => {
      expect(() => parseQuantity(input)).toThrow(`expected a quantity like 500m, 2, 128Mi, 1G or 1e3, got ${JSON.stringify(input)}`);
    },
  );

  it('rejects non-finite numbers', () => {
    expect(() => parseQuantity(Infinity)).toThrow(/finite/);
    expect(() => parseQuantity(NaN)).toThrow(/finite/);
  });
});
