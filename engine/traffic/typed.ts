/** A typed array of length `n` holding `a`'s values (cut or zero-filled): pools grow by doubling. */
export function resized<T extends Float64Array | Int32Array | Uint8Array>(a: T, n: number): T {
  const b = new (a.constructor as new (length: number) => T)(n);
  b.set(a.length <= n ? a : (a.subarray(0, n) as T));
  return b;
}
