import { describe, expect, it } from 'vitest';
import { RandomStreams, createStream, hash53, replicationSeed, streamSeed } from '../../../engine/kernel/random.js';

const draw = (next: () => number, n: number) => Array.from({ length: n }, next);

describe('named random streams', () => {
  it('same run seed and name give the same sequence', () => {
    const a = new RandomStreams(42).stream('arrivals/web');
    const b = new RandomStreams(42).stream('arrivals/web');
    expect(draw(() => a.next(), 1000)).toEqual(draw(() => b.next(), 1000));
  });

  it('returns the same stream object for the same name within a run', () => {
    const r = new RandomStreams(1);
    expect(r.stream('x')).toBe(r.stream('x'));
    r.stream('b');
    expect(r.names()).toEqual(['b', 'x']);
  });

  it('different seeds or names give different sequences', () => {
    const base = draw(() => new RandomStreams(42).stream('a').next(), 1);
    const s1 = new RandomStreams(42).stream('a');
    const s2 = new RandomStreams(43).stream('a');
    const s3 = new RandomStreams(42).stream('b');
    const x1 = draw(() => s1.next(), 100), x2 = draw(() => s2.next(), 100), x3 = draw(() => s3.next(), 100);
    expect(x1[0]).toBe(base[0]);
    expect(x1).not.toEqual(x2);
    expect(x1).not.toEqual(x3);
  });

  it('streams with different names are uncorrelated', () => {
    const r = new RandomStreams(7);
    const a = r.stream('service/nginx'), b = r.stream('service/nginx2');
    const n = 200_000;
    let sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
    for (let i = 0; i < n; i++) {
      const x = a.next(), y = b.next();
      sa += x; sb += y; sab += x * y; saa += x * x; sbb += y * y;
    }
    const cov = sab / n - (sa / n) * (sb / n);
    const corr = cov / Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2));
    // under independence corr ~ N(0, 1/n): |corr| < 4.5/sqrt(n)
    expect(Math.abs(corr)).toBeLessThan(4.5 / Math.sqrt(n));
  });

  it('using one stream more or less does not perturb another', () => {
    const r1 = new RandomStreams(99), r2 = new RandomStreams(99);
    const lb1 = r1.stream('lb/web');
    for (let i = 0; i < 12345; i++) lb1.next(); // run 1 balances many more connections
    r2.stream('faults').next(); // run 2 creates streams in another order
    const x1 = draw(() => r1.stream('arrivals/web').next(), 500);
    const x2 = draw(() => r2.stream('arrivals/web').next(), 500);
    expect(x1).toEqual(x2);
  });

  it('draws are uniform on [0, 1)', () => {
    const s = createStream('u', 5);
    const bins = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const u = s.next();
      expect(u >= 0 && u < 1).toBe(true);
      bins[Math.floor(u * 10)]!++;
    }
    const chi2 = bins.reduce((acc, o) => acc + (o - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(33.7); // chi-square, 9 dof, p = 1e-4
  });

  it('derives seeds by hashing, stably across versions', () => {
    expect(hash53('kubesim')).toBe(hash53('kubesim'));
    expect(hash53('a')).not.toBe(hash53('b'));
    // golden values: changing the derivation silently would change every report
    expect(streamSeed(42, 'arrivals/web')).toMatchInlineSnapshot(`8354617265482384`);
    expect(replicationSeed(42, 0)).toMatchInlineSnapshot(`4378549460826072`);
    const reps = new Set(Array.from({ length: 1000 }, (_, r) => replicationSeed(42, r)));
    expect(reps.size).toBe(1000);
    expect(replicationSeed(42, 1)).not.toBe(replicationSeed(43, 0));
    for (const s of reps) expect(Number.isSafeInteger(s)).toBe(true);
  });

  it('rejects seeds that are not safe integers', () => {
    expect(() => new RandomStreams(1.5)).toThrow(RangeError);
  });
});
