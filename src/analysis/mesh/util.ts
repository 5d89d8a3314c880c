// Small, defensive readers for raw mesh objects: every field may be missing or malformed,
// so nothing here throws on bad input.

export type Json = Record<string, unknown>;

export function obj(v: unknown): Json | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function stringMap(v: unknown): Record<string, string> {
  const o = obj(v);
  const out: Record<string, string> = {};
  if (!o) return out;
  for (const [k, val] of Object.entries(o)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** Creation time in ms for "oldest wins" ordering; objects without one sort last. */
export function createdAt(o: { metadata?: { creationTimestamp?: string } }): number {
  const t = Date.parse(o.metadata?.creationTimestamp ?? '');
  return Number.isFinite(t) ? t : Number.POSITIVE_INFINITY;
}

/** Kubernetes LabelSelector (matchLabels AND matchExpressions). Malformed selectors match nothing. */
export function labelSelectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  const sel = obj(selector);
  if (!sel) return false;
  const ml = sel.matchLabels;
  if (ml !== undefined && ml !== null) {
    const m = obj(ml);
    if (!m) return false;
    for (const [k, v] of Object.entries(m)) if (labels[k] !== v) return false;
  }
  const me = sel.matchExpressions;
  if (me !== undefined && me !== null) {
    if (!Array.isArray(me)) return false;
    for (const raw of me) {
      const e = obj(raw);
      const key = str(e?.key);
      if (!e || !key) return false;
      const values = arr(e.values).filter((x): x is string => typeof x === 'string');
      const has = Object.hasOwn(labels, key);
      switch (e.operator) {
        case 'In': if (!has || !values.includes(labels[key])) return false; break;
        case 'NotIn': if (has && values.includes(labels[key])) return false; break;
        case 'Exists': if (!has) return false; break;
        case 'DoesNotExist': if (has) return false; break;
        default: return false;
      }
    }
  }
  return true;
}

export { memoizeBySnapshotAndConfig } from '../memo.ts';

/** Numbers and names of the container ports a pod spec declares. */
export function containerPorts(spec: Json): Array<{ port: number; name?: string }> {
  const out: Array<{ port: number; name?: string }> = [];
  for (const c of [...arr(spec.containers), ...arr(spec.initContainers)]) {
    for (const p of arr(obj(c)?.ports)) {
      const po = obj(p);
      const n = po?.containerPort;
      if (typeof n === 'number' && Number.isInteger(n) && n > 0 && n < 65536) out.push({ port: n, name: str(po?.name) });
    }
  }
  return out;
}

export function containerNames(spec: Json): string[] {
  return [...arr(spec.containers), ...arr(spec.initContainers)].map((c) => str(obj(c)?.name)).filter((n): n is string => !!n);
}

/** Every port number in an annotation value ("8080,9090", "4190-4191" ranges expanded, up to 1,024 numbers); anything else is ignored. */
export function parsePortNumbers(v: string): number[] {
  const out: number[] = [];
  for (const part of v.split(',')) {
    const m = /^\s*(\d{1,5})(?:-(\d{1,5}))?\s*$/.exec(part);
    if (!m) continue;
    const lo = Number(m[1]);
    const hi = m[2] ? Number(m[2]) : lo;
    for (let p = lo; p <= hi && p <= 65535 && out.length < 1024; p++) if (p >= 1) out.push(p);
  }
  return out;
}
