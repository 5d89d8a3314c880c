// Keeps of an object only what the checks read (the kind's SlimSpec in kinds.ts), so that
// managedFields, kubectl's last-applied copy, unrelated annotations and most of `status` never
// stay in memory. Applied by the live collector to each listed page and by the snapshot reader
// to each object; manifests are kept whole (they are small, and their source lines matter).
// A kind without a SlimSpec is kept whole: a kind added later reads everything until declared.

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

/**
 * Slims `o` in place (a fresh object from JSON.parse or a list page) and returns it. Malformed
 * parts are left as they are: the analyses report them, and slimming must not hide them.
 */
export function slimObject<T extends KubeObject>(key: string, o: T): T {
  const spec = SLIM_BY_KEY.get(key);
  if (!spec || !isRecord(o)) return o;
  const meta = o.metadata as (ObjectMeta & { managedFields?: unknown; selfLink?: unknown }) | undefined;
  if (isRecord(meta)) {
    delete meta.managedFields;
    delete meta.selfLink;
    const ann = meta.annotations;
    if (isRecord(ann)) {
      let drop = false;
      for (const k in ann) if (!keepAnnotation(spec, k)) { drop = true; break; }
      if (drop) {
        const kept: Record<string, string> = {};
        for (const k in ann) if (keepAnnotation(spec, k)) kept[k] = ann[k] as string;
        if (Object.keys(kept).length > 0) meta.annotations = kept;
        else delete meta.annotations;
      }
    }
  }
  if ('status' in o) {
    const status = o.status;
    if (isRecord(status)) {
      const kept: Record<string, unknown> = {};
      let n = 0;
      for (const f of spec.status) if (f in status) { kept[f] = status[f]; n++; }
      if (n > 0) o.status = kept;
      else delete o.status;
    }
  }
  return o;
}
