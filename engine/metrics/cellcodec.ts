/**
 * A time-series bucket's latency cells as compact bytes (or the same characters as text): the
 * non-empty (cell, count) pairs in increasing cell order, each written as two variable-length numbers
 * — the step from the previous cell (from −1, so ≥ 1) and the count (≥ 1). A number is written 5 bits
 * at a time, low bits first, one character of the URL-safe base-64 alphabet per 5 bits; a character
 * ≥ 32 in that alphabet ('g'…'_') says more follow. Steps are mostly 1 and counts mostly < 1,024, so a
 * pair takes ~2.5 bytes where `[cell, count]` in a JS array took 16 bytes plus the array's own.
 *
 * The text survives JSON (partial results) and structured cloning (worker threads) as it is; an
 * empty bucket is "". A pair takes at most `MAX_PAIR_BYTES` (a step below 1,024, a 32-bit count).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const CODE = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const DIGIT = new Int8Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGIT[CODE[i]!] = i;
const MORE = 32;
/** Largest count a cell holds (the 32-bit counters of bucketcells.ts). */
const MAX_COUNT = 0xffffffff;
/** Most bytes one pair takes: a step below 1,024 (2: cells below MAX_CODEC_WIDTH) and a count below 2^32 (7). */
export const MAX_PAIR_BYTES = 9;
/** Widest bucket (cells) whose steps stay within MAX_PAIR_BYTES. */
export const MAX_CODEC_WIDTH = 1023;

/** Writes n (a non-negative integer ≤ 2^32 − 1) at out[at…]; returns the index after it. */
function put(out: Uint8Array, at: number, n: number): number {
  while (n >= MORE) {
    out[at++] = CODE[MORE + (n % MORE)]!;
    n = Math.floor(n / MORE);
  }
  out[at++] = CODE[n]!;
  return at;
}

/**
 * Encodes the pairs `each(fn)` gives (fn(cell, count) in increasing cell order, cells below
 * MAX_CODEC_WIDTH; zero counts are skipped) into `out` from index 0; returns the bytes written. `out`
 * must hold MAX_PAIR_BYTES per pair.
 */
export function encodeCellBytes(each: (fn: (cell: number, count: number) => void) => void, out: Uint8Array): number {
  let at = 0;
  let prev = -1;
  each((cell, count) => {
    if (count === 0) return;
    at = put(out, at, cell - prev);
    at = put(out, at, count);
    prev = cell;
  });
  return at;
}

/**
 * Calls fn(cell, count) for each pair of bytes[start…end), in order. Throws a RangeError for bytes
 * `encodeCellBytes` cannot have written: a byte outside the alphabet, a number left unfinished, a
 * count of 0 or above 2^32 − 1, or a cell at or above `width`.
 */
export function decodeCellBytes(bytes: Uint8Array, start: number, end: number, width: number, fn: (cell: number, count: number) => void): void {
  let cell = -1;
  let i = start;
  const next = (): number => {
    let n = 0;
    let scale = 1;
    for (;;) {
      if (i >= end) throw new RangeError('latency cells: text ends inside a number');
      const d = DIGIT[bytes[i++]!]!;
      if (d < 0) throw new RangeError(`latency cells: unexpected character ${JSON.stringify(String.fromCharCode(bytes[i - 1]!))}`);
      n += (d % MORE) * scale;
      if (n > MAX_COUNT) throw new RangeError('latency cells: a number above 2^32 − 1');
      if (d < MORE) return n;
      scale *= MORE;
    }
  };
  while (i < end) {
    const step = next();
    const count = next();
    if (step < 1) throw new RangeError('latency cells: cells must increase');
    cell += step;
    if (cell >= width) throw new RangeError(`latency cells: cell ${cell} is outside 0 … ${width - 1}`);
    if (count < 1) throw new RangeError(`latency cells: cell ${cell} has a count of 0`);
    fn(cell, count);
  }
}

/** bytes[start…end) (written by encodeCellBytes) as text. */
export function cellText(bytes: Uint8Array, start: number, end: number): string {
  return start === end ? '' : String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}

/** Text as bytes, into `out` (grown when short); returns the bytes to decode from. Characters above 255 become bytes no decoder accepts. */
export function textBytes(text: string, out?: Uint8Array): Uint8Array {
  const b = out !== undefined && out.length >= text.length ? out : new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    b[i] = c < 256 ? c : 0;
  }
  return b;
}

/** `encodeCellBytes` as text (for tests and small uses). */
export function encodeCells(each: (fn: (cell: number, count: number) => void) => void): string {
  const pairs: [number, number][] = [];
  each((c, n) => pairs.push([c, n]));
  const out = new Uint8Array(MAX_PAIR_BYTES * pairs.length);
  return cellText(out, 0, encodeCellBytes((fn) => pairs.forEach(([c, n]) => fn(c, n)), out));
}

/** `decodeCellBytes` of text (the same checks). */
export function decodeCells(text: string, width: number, fn: (cell: number, count: number) => void): void {
  decodeCellBytes(textBytes(text), 0, text.length, width, fn);
}
