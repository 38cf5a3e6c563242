/**
 * How the EndpointSlice reconciler packs a Service's endpoints into slices of at most
 * `maxEndpointsPerSlice` (default 100, §0 / §5.1), as upstream's `reconcileByPortMapping` does it
 * (k/k `staging/src/k8s.io/endpointslice/reconciler.go`), in a form that costs O(changed endpoints +
 * touched slices) per sync instead of O(endpoints):
 *
 * 1. every changed endpoint found in a slice is replaced there (or dropped when no longer desired):
 *    that slice is "to update"; a slice none of whose endpoints changed stays "unchanged";
 * 2. endpoints to add fill the slices to update first, fullest first;
 * 3. what remains: if fewer than a whole slice, it goes into the unchanged slice it fills closest to
 *    full (upstream `getSliceToFill`); otherwise (or when none fits) into new slices of up to max;
 * 4. a slice left empty is deleted — except that a deletion and a creation become one update of the
 *    deleted slice (its name reused), and a Service whose slices would all go keeps one empty slice
 *    (the placeholder).
 *
 * Upstream pops endpoints to add from a set in no defined order; here they go in the order given
 * (the controller gives pod-event order), and ties between slices go to the older slice, so a run is
 * reproducible. The endpoints not in `changes` are desired and unchanged (that is what makes it
 * incremental; passing every endpoint is the from-scratch reconcile).
 */
export interface SlicePlan<E> {
  /** Index into `slices` → the slice's new endpoint list (a reused deleted slice included). */
  updates: Map<number, E[]>;
  /** New slices' endpoint lists, in creation order. */
  creates: E[][];
  /** Indices into `slices` of slices to delete. */
  deletes: number[];
}

export interface PackInput<E> {
  /** The Service's current slices (oldest first). */
  slices: ReadonlyArray<readonly E[]>;
  /** Endpoint key → its desired endpoint, or undefined when it must not be listed any more. */
  changes: ReadonlyMap<string, E | undefined>;
  /** The slice index currently listing `key`, if any. */
  locate: (key: string) => number | undefined;
  keyOf: (e: E) => string;
  equal: (a: E, b: E) => boolean;
  max: number;
}

export function planSlices<E>({ slices, changes, locate, keyOf, equal, max }: PackInput<E>): SlicePlan<E> {
  // 1. replace or drop changed endpoints in the slices that list them
  const touched = new Map<number, Map<string, E | undefined>>();
  const toAdd: E[] = [];
  for (const [key, desired] of changes) {
    const at = locate(key);
    if (at === undefined) {
      if (desired !== undefined) toAdd.push(desired);
      continue;
    }
    let m = touched.get(at);
    if (m === undefined) touched.set(at, (m = new Map()));
    m.set(key, desired);
  }
  const updates = new Map<number, E[]>();
  const emptied: number[] = [];
  for (const [at, m] of [...touched].sort((a, b) => a[0] - b[0])) {
    let changed = false;
    const next: E[] = [];
    for (const e of slices[at]!) {
      const k = keyOf(e);
      if (!m.has(k)) {
        next.push(e);
        continue;
      }
      const d = m.get(k);
      if (d === undefined) changed = true;
      else {
        next.push(d);
        if (!equal(d, e)) changed = true;
      }
    }
    if (!changed) continue;
    if (next.length === 0) emptied.push(at);
    else updates.set(at, next);
  }
  // 2. fill the slices to update, fullest first (ties: older first)
  let i = 0;
  if (toAdd.length > 0 && updates.size > 0) {
    const order = [...updates.keys()].sort((a, b) => updates.get(b)!.length - updates.get(a)!.length || a - b);
    for (const at of order) {
      const list = updates.get(at)!;
      while (i < toAdd.length && list.length < max) list.push(toAdd[i++]!);
    }
  }
  // 3. the rest: into the unchanged slice it fills closest to full, else new slices
  const creates: E[][] = [];
  const gone = new Set(emptied);
  while (i < toAdd.length) {
    const left = toAdd.length - i;
    let fill: number | undefined;
    if (left < max) {
      let closest = max;
      for (let at = 0; at < slices.length; at++) {
        if (updates.has(at) || gone.has(at)) continue; // only unchanged slices
        const diff = max - (left + slices[at]!.length);
        if (diff >= 0 && diff < closest) {
          closest = diff;
          fill = at;
          if (diff === 0) break;
        }
      }
    }
    if (fill !== undefined) {
      const list = [...slices[fill]!];
      while (i < toAdd.length && list.length < max) list.push(toAdd[i++]!);
      updates.set(fill, list);
    } else {
      const list: E[] = [];
      while (i < toAdd.length && list.length < max) list.push(toAdd[i++]!);
      creates.push(list);
    }
  }
  // 4. deletions: reused for creations; the last slice kept as an empty placeholder
  const deletes: number[] = [];
  for (const at of emptied) {
    const reuse = creates.shift();
    if (reuse !== undefined) updates.set(at, reuse);
    else deletes.push(at);
  }
  if (deletes.length > 0 && deletes.length === slices.length && creates.length === 0) updates.set(deletes.shift()!, []);
  return { updates, creates, deletes };
}
