// Hash-consing of snapshot objects: the pods of one ReplicaSet carry equal containers,
// security contexts, volumes, tolerations, label maps and owner references, and at 150k pods
// those copies were most of the loaded snapshot. An Interner, used for one load (the snapshot
// reader, the live collector), makes every object or array below an item's root that equals
// one seen before (the same keys in the same order, the same values: the same JSON text) the
// very object seen first, and the short strings of the objects it keeps one string each.
//
// A shared object is frozen with everything it holds, so a writer that would change one
// replica through it throws instead of changing its siblings. Nothing in ztaudit writes into
// snapshot objects: the watch (src/collect/watch.ts) replaces a changed object whole. An
// item's root, its metadata and its status are never shared or frozen (they name the item);
// two equal items stay two objects.
//
// Top-down: a member of an item is hashed whole (keys, order, values); an earlier object with
// that hash is compared deeply, and if equal the member is replaced by it at once. Otherwise
// the member is kept, its own members are interned the same way, and it becomes the canonical
// one for its hash. A collision costs a comparison, never a wrong share.

/** Strings longer than this are neither shared nor let their parent be shared (V8 hashes long strings by length alone). */
const MAX_STRING = 1024;
/** Strings longer than this are mostly unique (certificates, scripts): not looked up for a shared copy. */
const MAX_SHARED_STRING = 64;
/** Strings shorter than this are one string per value already (V8's JSON.parse internalizes them). */
const SHORT_STRING = 10;
/** Objects deeper than this below an item are left as they are (and make their parents unshareable). */
const MAX_DEPTH = 32;
/** Canonical objects kept per colliding hash beyond the first. */
const MAX_COLLISIONS = 8;

const mix = (h: number, x: number) => Math.imul(h ^ x, 0x01000193);

/** FNV-1a over the UTF-16 code units (strings are at most MAX_STRING long here). */
function hashString(s: string): number {
  let h = 0x811c9dc5 ^ s.length;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}
const ARRAY = 0x2f1b3a7d;
const OBJECT = 0x6c8e9cf5;
const TRUE = 0x1f2e3d4c;
const FALSE = 0x5a6b7c8d;
const NULL = 0x13579bdf;

export class Interner {
  /** Short strings of the objects kept, one string each (see `string`). */
  private readonly strings = new Map<string, string>();
  /** Hash -> the first canonical object with that hash; further ones (a collision) in `collided`. */
  private readonly nodes = new Map<number, object>();
  private readonly collided = new Map<number, object[]>();
  /** Set by `hashOf`: whether the value hashed last may be shared. */
  private shareable = true;
  /**
   * What `hashOf` found for each object of the member it hashed, in the order it met them
   * (`intern` walks them in the same order): the hash, whether it may be shared, and how many
   * objects its subtree holds (itself included), to step over a subtree replaced whole. So a
   * member is hashed once, not once more at each level that is new.
   */
  private hashes: number[] = [];
  private oks: boolean[] = [];
  private sizes: number[] = [];
  private hashed = 0;

  /** Objects found equal to one seen before (each is a copy no longer held). */
  shared = 0;

  /**
   * `item` with its members interned in place; the item itself is kept (and not frozen), and
   * so are its `metadata` and `status`, which name the item: their objects, arrays and short
   * strings are interned.
   */
  item<T>(item: T): T {
    if (item === null || typeof item !== 'object') return item;
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) {
        const v: unknown = item[i];
        if (v === null || typeof v !== 'object') continue;
        const c = this.intern(v, 1);
        if (c !== v) item[i] = c;
      }
      return item;
    }
    const o = item as Record<string, unknown>;
    for (const k in o) {
      const v = o[k];
      if (v === null || typeof v !== 'object') continue;
      if ((k === 'metadata' || k === 'status') && !Array.isArray(v)) {
        const m = v as Record<string, unknown>;
        for (const f in m) {
          const x = m[f];
          let c: unknown;
          // uid, resourceVersion and the pod's address differ from object to object: not looked up.
          if (typeof x === 'string') c = f === 'uid' || f === 'resourceVersion' || f === 'podIP' ? x : this.string(x);
          else c = x !== null && typeof x === 'object' ? this.intern(x, 2) : x;
          if (c !== x) m[f] = c;
        }
        continue;
      }
      const c = this.intern(v, 1);
      if (c !== v) o[k] = c;
    }
    return item;
  }

  /**
   * One string for equal short strings kept: JSON.parse makes a fresh one for every value, and
   * objects that differ still repeat the API server's defaults ("IfNotPresent",
   * "/dev/termination-log"), images and names. Only kept objects' strings are looked up: an
   * object found equal to an earlier one is replaced whole.
   */
  private string(s: string): string {
    // V8's JSON.parse gives one string for equal values shorter than 10 characters already.
    if (s.length > MAX_SHARED_STRING || s.length < SHORT_STRING) return s;
    const c = this.strings.get(s);
    if (c !== undefined) return c;
    this.strings.set(s, s);
    return s;
  }

  /**
   * The object seen before that equals `v`, or `v` itself when it is new: then its members are
   * made canonical in turn and it becomes the canonical one. A subtree found equal as a whole is
   * replaced at once, without a look-up for each of its parts.
   */
  private intern(v: object, depth: number): object {
    if (depth > MAX_DEPTH) return v;
    this.hashed = 0;
    this.hashOf(v, depth);
    return this.internAt(v, depth, 0);
  }

  /** `intern` for `v`, hashed as the `at`-th object by the last `hashOf`. */
  private internAt(v: object, depth: number, at: number): object {
    const h = this.hashes[at]!;
    const shareable = this.oks[at]!;
    if (shareable) {
      const found = this.find(h, v);
      if (found !== undefined) return this.hit(found);
    }
    // Its members are kept (a new object, or one that cannot be shared): interned in turn.
    // Objects below MAX_DEPTH were not hashed (nor numbered) and are left as they are.
    const deeper = depth + 1 <= MAX_DEPTH;
    let next = at + 1;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const m: unknown = v[i];
        let c = m;
        if (typeof m === 'string') c = this.string(m);
        else if (m !== null && typeof m === 'object' && deeper) {
          c = this.internAt(m, depth + 1, next);
          next += this.sizes[next]!;
        }
        if (c !== m) v[i] = c;
      }
    } else {
      const o = v as Record<string, unknown>;
      for (const k in o) {
        const m = o[k];
        let c = m;
        if (typeof m === 'string') c = this.string(m);
        else if (m !== null && typeof m === 'object' && deeper) {
          c = this.internAt(m, depth + 1, next);
          next += this.sizes[next]!;
        }
        if (c !== m) o[k] = c;
      }
    }
    if (shareable) this.add(h, v);
    return v;
  }

  /**
   * A hash of `v`'s whole content; sets `shareable` (false for what is too deep, too long or
   * not JSON), and numbers `v` and the objects it holds for `internAt`.
   */
  private hashOf(v: object, depth: number): number {
    if (depth > MAX_DEPTH) {
      this.shareable = false;
      return 0;
    }
    const at = this.hashed++;
    let ok = true;
    let h: number;
    if (Array.isArray(v)) {
      h = ARRAY;
      for (let i = 0; i < v.length; i++) {
        h = mix(h, this.hashValue(v[i], depth));
        ok &&= this.shareable;
      }
    } else {
      h = OBJECT;
      const o = v as Record<string, unknown>;
      for (const k in o) {
        h = mix(mix(h, hashString(k)), this.hashValue(o[k], depth));
        ok &&= this.shareable && k.length <= MAX_STRING;
      }
    }
    this.shareable = ok;
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    this.hashes[at] = h;
    this.oks[at] = ok;
    this.sizes[at] = this.hashed - at;
    return h;
  }

  /** The hash of a member of an object at `depth`; sets `shareable`. */
  private hashValue(m: unknown, depth: number): number {
    switch (typeof m) {
      case 'string':
        this.shareable = m.length <= MAX_STRING;
        return this.shareable ? hashString(m) : 0;
      case 'number':
        this.shareable = true;
        return (m | 0) === m ? mix(0x2545f491, m) : mix(0x3c6ef372, (m * 1048576) | 0);
      case 'boolean':
        this.shareable = true;
        return m ? TRUE : FALSE;
      case 'object':
        if (m === null) {
          this.shareable = true;
          return NULL;
        }
        return this.hashOf(m, depth + 1);
      default:
        // Not JSON (the collector's objects are parsed JSON too): kept, and never shared.
        this.shareable = false;
        return 0;
    }
  }

  private find(h: number, v: object): object | undefined {
    const found = this.nodes.get(h);
    if (found === undefined) return undefined;
    if (same(found, v)) return found;
    for (const c of this.collided.get(h) ?? []) if (same(c, v)) return c;
    return undefined;
  }

  private add(h: number, v: object): void {
    if (!this.nodes.has(h)) {
      this.nodes.set(h, v);
      return;
    }
    const list = this.collided.get(h);
    if (!list) this.collided.set(h, [v]);
    // Input crafted to collide is left unshared rather than compared with every candidate.
    else if (list.length < MAX_COLLISIONS) list.push(v);
  }

  /** A canonical object handed out again: frozen, with all it holds. */
  private hit(c: object): object {
    this.shared++;
    // What is frozen already is frozen with all it holds.
    const todo: unknown[] = [c];
    while (todo.length > 0) {
      const x = todo.pop();
      if (x === null || typeof x !== 'object' || Object.isFrozen(x)) continue;
      Object.freeze(x);
      for (const k in x) todo.push((x as Record<string, unknown>)[k]);
    }
    return c;
  }
}

/** Whether two JSON values are equal: the same keys in the same order, the same values. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return Object.is(a, b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let i = 0;
  for (const k in y) {
    if (ka[i++] !== k || !same(x[k], y[k])) return false;
  }
  return i === ka.length;
}
