import type { Kind, KubeObject, ObjectMeta, ObjectOfKind } from './objects.js';

/**
 * The in-memory API server: objects by kind and namespace/name, with watch notifications.
 *
 * Contract:
 * - Objects are stored by reference; callers mutate them and then call `update` (which bumps
 *   `resourceVersion` and notifies watchers), the way a controller PUTs an object back.
 * - Watchers are called synchronously, in registration order, after the change. They must not assume
 *   anything about the old state: controllers are level-triggered and re-read the store when they sync.
 * - `list` returns objects in creation order, so everything built on it is deterministic.
 * - uids are deterministic (`<kind>-<n>`); nothing here reads the wall clock.
 */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export type Watcher<K extends Kind> = (type: WatchEventType, obj: ObjectOfKind<K>) => void;

/** What `create` needs: metadata with at least a name; the store fills the rest. */
export type NewObject<K extends Kind> = Omit<ObjectOfKind<K>, 'metadata'> & {
  metadata: Partial<ObjectMeta> & { name: string };
};

export function objectKey(meta: { namespace?: string; name: string }): string {
  return `${meta.namespace ?? 'default'}/${meta.name}`;
}

export class Store {
  private readonly byKind = new Map<Kind, Map<string, KubeObject>>();
  private readonly watchers = new Map<Kind, Array<Watcher<Kind>>>();
  private readonly owned = new Map<string, Set<KubeObject>>(); // owner uid -> dependents
  private nextUid = 1;
  private version = 1;

  constructor(private readonly clock: () => number) {}

  create<K extends Kind>(input: NewObject<K>): ObjectOfKind<K> {
    const kind = input.kind as K;
    const meta = input.metadata;
    const obj = input as unknown as ObjectOfKind<K>;
    obj.metadata = {
      namespace: 'default',
      labels: {},
      annotations: {},
      generation: 1,
      ...meta,
      uid: meta.uid ?? `${kind.toLowerCase()}-${this.nextUid++}`,
      creationTimestamp: meta.creationTimestamp ?? this.clock(),
      resourceVersion: this.version++,
    } as ObjectMeta;
    const key = objectKey(obj.metadata);
    const objects = this.objectsOf(kind);
    if (objects.has(key)) throw new Error(`${kind} ${key} already exists`);
    objects.set(key, obj);
    for (const ref of obj.metadata.ownerReferences ?? []) {
      let set = this.owned.get(ref.uid);
      if (set === undefined) this.owned.set(ref.uid, (set = new Set()));
      set.add(obj);
    }
    this.notify(kind, 'ADDED', obj);
    return obj;
  }

  get<K extends Kind>(kind: K, name: string, namespace = 'default'): ObjectOfKind<K> | undefined {
    return this.byKind.get(kind)?.get(`${namespace}/${name}`) as ObjectOfKind<K> | undefined;
  }

  /** All objects of a kind, in creation order (optionally one namespace). */
  list<K extends Kind>(kind: K, namespace?: string): Array<ObjectOfKind<K>> {
    const all = [...(this.byKind.get(kind)?.values() ?? [])] as Array<ObjectOfKind<K>>;
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  /** Objects of `kind` whose ownerReferences name the owner uid, in creation order. */
  ownedBy<K extends Kind>(kind: K, ownerUid: string): Array<ObjectOfKind<K>> {
    const set = this.owned.get(ownerUid);
    if (set === undefined) return [];
    const out: Array<ObjectOfKind<K>> = [];
    for (const o of set) if (o.kind === kind) out.push(o as ObjectOfKind<K>);
    return out;
  }

  /** Records a change made to `obj` in place and notifies watchers. */
  update<K extends Kind>(obj: ObjectOfKind<K>): void {
    obj.metadata.resourceVersion = this.version++;
    this.notify(obj.kind as K, 'MODIFIED', obj);
  }

  /** Removes the object for good (the API object is gone) and notifies watchers. */
  remove<K extends Kind>(obj: ObjectOfKind<K>): void {
    const objects = this.byKind.get(obj.kind);
    const key = objectKey(obj.metadata);
    if (objects?.get(key) !== obj) return;
    objects.delete(key);
    for (const ref of obj.metadata.ownerReferences ?? []) this.owned.get(ref.uid)?.delete(obj);
    this.notify(obj.kind as K, 'DELETED', obj);
  }

  watch<K extends Kind>(kind: K, watcher: Watcher<K>): () => void {
    let list = this.watchers.get(kind);
    if (list === undefined) this.watchers.set(kind, (list = []));
    const w = watcher as unknown as Watcher<Kind>;
    list.push(w);
    return () => {
      const i = list.indexOf(w);
      if (i >= 0) list.splice(i, 1);
    };
  }

  private objectsOf(kind: Kind): Map<string, KubeObject> {
    let m = this.byKind.get(kind);
    if (m === undefined) this.byKind.set(kind, (m = new Map()));
    return m;
  }

  private notify<K extends Kind>(kind: K, type: WatchEventType, obj: ObjectOfKind<K>): void {
    const list = this.watchers.get(kind);
    if (list === undefined) return;
    for (const w of [...list]) w(type, obj);
  }
}
