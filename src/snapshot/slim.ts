// Keeps of an object only what the checks read (the kind's SlimSpec in kinds.ts), so that
// managedFields, kubectl's last-applied copy, unrelated annotations and most of `status` never
// stay in memory. Applied by the live collector to each listed page and by the snapshot reader
// to each object; manifests are kept whole (they are small, and their source lines matter).
// A kind without a SlimSpec is kept whole: a kind added later reads everything until declared.

import { setMember } from '../base/json-member.ts';
import { KINDS, type KindKey, type KindSpec, type SlimSpec } from './kinds.ts';
import type { KubeObject, ObjectMeta } from './types.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const SLIM_BY_KEY: ReadonlyMap<string, SlimSpec> = new Map(
  (KINDS as readonly KindSpec[]).flatMap((k) => (k.slim ? [[k.key, k.slim] as const] : [])),
);

/** The kinds whose objects are slimmed, in KINDS order. */
export function slimmedKinds(): KindKey[] {
  return (KINDS as readonly KindSpec[]).filter((k) => k.slim).map((k) => k.key as KindKey);
}

function keepAnnotation(spec: SlimSpec, key: string): boolean {
  if (spec.annotations === 'all') return key !== LAST_APPLIED;
  for (const k of spec.annotations) if (k.endsWith('/') ? key.startsWith(k) : key === k) return true;
  return false;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** metadata fields kept by a slimmed kind (managedFields, selfLink… are not read; finalizers only where the SlimSpec asks). */
const META_FIELDS = ['name', 'namespace', 'uid', 'labels', 'annotations', 'ownerReferences', 'creationTimestamp', 'resourceVersion', 'generation', 'deletionTimestamp', 'generateName', 'finalizers'] as const;

/**
 * The slimmed copy of `o` (a fresh object from JSON.parse or a list page, not used after):
 * new objects are built rather than fields deleted, since an object that lost properties is
 * stored as a slower, larger dictionary. `o` itself when slimming would give an equal object
 * (as every object of a snapshot file): JSON.parse's objects are also smaller than the copies
 * (13 MiB less of the loaded L snapshot). Malformed parts are left as they are: the analyses
 * report them, and slimming must not hide them.
 */
export function slimObject<T extends KubeObject>(key: string, o: T): T {
  const spec = SLIM_BY_KEY.get(key);
  if (!spec || !isRecord(o) || isSlim(spec, o)) return o;
  const out: Record<string, unknown> = {};
  for (const f in o) {
    const v = o[f];
    if (f === 'metadata' && isRecord(v)) out.metadata = slimMeta(spec, v);
    else if (f === 'status' && isRecord(v)) {
      const kept: Record<string, unknown> = {};
      let n = 0;
      for (const s of spec.status) {
        if (!(s in v)) continue;
        if (s === 'conditions' && spec.conditions) {
          const conditions = slimConditions(spec.conditions, v[s]);
          if (conditions === undefined) continue;
          kept[s] = conditions;
        } else kept[s] = v[s];
        n++;
      }
      if (n > 0) out.status = kept;
    } else if (spec.entries?.[f] && Array.isArray(v)) out[f] = v.map((e) => slimEntry(spec.entries![f], e));
    else setMember(out, f, v);
  }
  return out as T;
}

/**
 * The conditions of the types kept, each as `{ type, status }`; undefined when none is (the
 * member then goes). A malformed list is left as it is (the analyses report it).
 */
function slimConditions(types: readonly string[], v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  const out: unknown[] = [];
  for (const c of v) {
    if (!isRecord(c)) out.push(c);
    else if (typeof c.type === 'string' && types.includes(c.type)) out.push('status' in c ? { type: c.type, status: c.status } : { type: c.type });
  }
  return out.length > 0 ? out : undefined;
}

/** Whether `v` is already what slimConditions makes of it. */
function conditionsSlim(types: readonly string[], v: unknown): boolean {
  if (!Array.isArray(v)) return true;
  if (v.length === 0) return false;
  for (const c of v) {
    if (!isRecord(c)) continue;
    if (typeof c.type !== 'string' || !types.includes(c.type)) return false;
    let i = 0;
    for (const f in c) {
      if (f !== (i === 0 ? 'type' : 'status') || i > 1) return false;
      i++;
    }
  }
  return true;
}

/** An entry of a list the SlimSpec trims (`entries`): only the members named, in their order. */
function slimEntry(keep: readonly string[], e: unknown): unknown {
  if (!isRecord(e)) return e;
  const out: Record<string, unknown> = {};
  for (const k of keep) if (k in e) out[k] = e[k];
  return out;
}

/** Whether every entry of a trimmed list already holds only the members kept, in their order. */
function entriesSlim(keep: readonly string[], v: unknown): boolean {
  if (!Array.isArray(v)) return true;
  for (const e of v) {
    if (!isRecord(e)) continue;
    let i = 0;
    for (const f in e) {
      while (i < keep.length && keep[i] !== f) i++;
      if (i === keep.length) return false;
      i++;
    }
  }
  return true;
}

/**
 * Whether slimming `o` would give an equal object (the same members in the same order): a
 * snapshot file holds objects slimmed when they were collected, and copying them again on
 * every load only made garbage.
 */
function isSlim(spec: SlimSpec, o: Record<string, unknown>): boolean {
  const meta = o.metadata;
  if (isRecord(meta)) {
    let next = 0;
    for (const f in meta) {
      // The kept fields, in META_FIELDS order (slimMeta's), each once.
      let i = next;
      while (i < META_FIELDS.length && META_FIELDS[i] !== f) i++;
      if (i === META_FIELDS.length || (f === 'finalizers' && !spec.finalizers)) return false;
      next = i + 1;
      const v = meta[f];
      if (f === 'annotations' && isRecord(v)) {
        let any = false;
        for (const k in v) {
          if (!keepAnnotation(spec, k)) return false;
          any = true;
        }
        if (!any) return false;
      }
    }
  }
  if (spec.entries) for (const f in spec.entries) if (!entriesSlim(spec.entries[f], o[f])) return false;
  const status = o.status;
  if (isRecord(status)) {
    // Exactly the kept fields present, in the spec's order (at least one).
    let i = 0;
    for (const f in status) {
      while (i < spec.status.length && spec.status[i] !== f) i++;
      if (i === spec.status.length) return false;
      i++;
    }
    if (i === 0) return false;
    if (spec.conditions && 'conditions' in status && !conditionsSlim(spec.conditions, status.conditions)) return false;
  }
  return true;
}

function slimMeta(spec: SlimSpec, meta: Record<string, unknown>): ObjectMeta {
  const out: Record<string, unknown> = {};
  for (const f of META_FIELDS) {
    if (!(f in meta) || (f === 'finalizers' && !spec.finalizers)) continue;
    const v = meta[f];
    if (f === 'annotations' && isRecord(v)) {
      let kept: Record<string, unknown> | undefined;
      for (const k in v) if (keepAnnotation(spec, k)) setMember((kept ??= {}), k, v[k]);
      if (kept) out.annotations = kept;
    } else out[f] = v;
  }
  return out as ObjectMeta;
}
