/** A binary min-heap of entries by `at` in a plain array (controllers' "re-check at time t" lists). */
export function pushByTime<T extends { at: number }>(h: T[], e: T): void {
  h.push(e);
  let i = h.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (h[parent]!.at <= e.at) break;
    h[i] = h[parent]!;
    i = parent;
  }
  h[i] = e;
}

/** Removes and returns the entry with the smallest `at` (the heap must not be empty). */
export function popByTime<T extends { at: number }>(h: T[]): T {
  const top = h[0]!;
  const last = h.pop()!;
  if (h.length > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const c = l + 1 < h.length && h[l + 1]!.at < h[l]!.at ? l + 1 : l;
      if (h[c]!.at >= last.at) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
  return top;
}
