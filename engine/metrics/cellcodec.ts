/**
 * A time-series bucket's latency cells as compact text: the non-empty (cell, count) pairs in increasing
 * cell order, each written as two variable-length numbers — the step from the previous cell (from −1,
 * so ≥ 1) and the count (≥ 1). A number is written 5 bits at a time, low bits first, one character of
 * the URL-safe base-64 alphabet per 5 bits; a character ≥ 32 in that alphabet ('g'…'_') says more
 * follow. Steps are mostly 1 and counts mostly < 1,024, so a pair takes ~3 characters (1 byte each in a
 * V8 string) where `[cell, count]` in a JS array took 16 bytes plus the array's own.
 *
 * Plain text survives JSON (partial results) and structured cloning (worker threads) as it is; an
 * empty bucket is "".
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGIT[ALPHABET.charCodeAt(i)] = i;
const MORE = 32;
/** Largest count a cell holds (the 32-bit counters of bucketcells.ts). */
const MAX_COUNT = 0xffffffff;

/** Appends the characters of n (a non-negative integer ≤ 2^32 − 1) to `out`. */
function put(out: number[], n: number): void {
  while (n >= MORE) {
    out.push(ALPHABET.charCodeAt(MORE + (n % MORE)));
    n = Math.floor(n / MORE);
  }
  out.push(ALPHABET.charCodeAt(n));
}

/**
 * Encodes pairs given by `each(fn)` (fn(cell, count) in increasing cell order, counts ≥ 1; zero counts
 * are skipped). `scratch` is reused between calls to avoid garbage.
 */
export function encodeCells(each: (fn: (cell: number, count: number) => void) => void, scratch: number[] = []): string {
  scratch.length = 0;
  let prev = -1;
  each((cell, count) => {
    if (count === 0) return;
    put(scratch, cell - prev);
    put(scratch, count);
    prev = cell;
  });
  if (scratch.length === 0) return '';
  let s = '';
  for (let i = 0; i < scratch.length; i += 4096) s += String.fromCharCode(...scratch.slice(i, i + 4096));
  return s;
}

/**
 * Calls fn(cell, count) for each pair of `text`, in order. Throws a RangeError for text `encodeCells`
 * cannot have written: a character outside the alphabet, a number left unfinished, a count of 0 or
 * above 2^32 − 1, or a cell at or above `width`.
 */
export function decodeCells(text: string, width: number, fn: (cell: number, count: number) => void): void {
  let cell = -1;
  let i = 0;
  const next = (): number => {
    let n = 0;
    let scale = 1;
    for (;;) {
      if (i >= text.length) throw new RangeError('latency cells: text ends inside a number');
      const code = text.charCodeAt(i++);
      const d = code < 128 ? DIGIT[code]! : -1;
      if (d < 0) throw new RangeError(`latency cells: unexpected character ${JSON.stringify(text[i - 1])}`);
      n += (d % MORE) * scale;
      if (n > MAX_COUNT) throw new RangeError('latency cells: a number above 2^32 − 1');
      if (d < MORE) return n;
      scale *= MORE;
    }
  };
  while (i < text.length) {
    const step = next();
    const count = next();
    if (step < 1) throw new RangeError('latency cells: cells must increase');
    cell += step;
    if (cell >= width) throw new RangeError(`latency cells: cell ${cell} is outside 0 … ${width - 1}`);
    if (count < 1) throw new RangeError(`latency cells: cell ${cell} has a count of 0`);
    fn(cell, count);
  }
}
