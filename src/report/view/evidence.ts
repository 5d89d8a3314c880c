// Evidence as a reviewer reads it: fields, lists and tables (binding → role → rule,
// policy → rule → peer, workload → path), never JSON text. Works on any evidence shape a
// check records; known column names come first in the order a reviewer follows them.
import type { Finding } from '../../run/types.ts';
import type { EvidenceField } from './types.ts';

const MAX_FIELDS = 14;
const MAX_ITEMS = 20;
const MAX_TEXT = 1_000;

/** Column order for tables of objects: the chain a reviewer follows first, then the rest. */
const COLUMN_ORDER = [
  'workload', 'subject', 'binding', 'role', 'policy', 'rule', 'peer', 'from', 'to', 'via', 'through', 'path', 'scope', 'ports', 'permissions',
];

type Json = unknown;

function isRecord(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** {kind, name, namespace?} — a Kubernetes object reference. */
function isRef(v: Json): v is { kind: string; name: string; namespace?: string } {
  return isRecord(v) && typeof v.kind === 'string' && typeof v.name === 'string' && Object.keys(v).every((k) => k === 'kind' || k === 'name' || k === 'namespace' || k === 'apiGroup');
}

const refText = (r: { kind: string; name: string; namespace?: string }) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (full text in report.json)` : text;
}

/** A label from a camelCase key: unisolatedWorkloads -> unisolated workloads. */
export function labelOf(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
}

/** One line for any value: references as Kind ns/name, lists joined, objects as key: value. */
export function inlineText(v: Json, depth = 0): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return clip(v);
  if (typeof v === 'number') return Number.isFinite(v) ? v.toLocaleString('en-US') : String(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (isRef(v)) return refText(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '—';
    const items = v.slice(0, MAX_ITEMS).map((x) => inlineText(x, depth + 1));
    return clip(`${items.join(', ')}${v.length > MAX_ITEMS ? ` (+${v.length - MAX_ITEMS} more)` : ''}`);
  }
  if (isRecord(v)) {
    if (depth > 2) return '…';
    const parts = Object.entries(v).map(([k, x]) => `${labelOf(k)}: ${inlineText(x, depth + 1)}`);
    return clip(parts.join('; '));
  }
  return String(v);
}

function tableOf(items: Array<Record<string, Json>>): EvidenceField['table'] {
  const keys: string[] = [];
  for (const it of items) for (const k of Object.keys(it)) if (!keys.includes(k)) keys.push(k);
  const rank = (k: string) => { const i = COLUMN_ORDER.indexOf(k); return i < 0 ? COLUMN_ORDER.length : i; };
  const columns = keys.map((k, i) => ({ k, i })).sort((a, b) => rank(a.k) - rank(b.k) || a.i - b.i).map((c) => c.k);
  return { columns: columns.map(labelOf), rows: items.map((it) => columns.map((c) => (c in it ? inlineText(it[c], 1) : ''))) };
}

function fieldOf(key: string, value: Json): EvidenceField {
  const label = labelOf(key);
  if (Array.isArray(value)) {
    const shown = value.slice(0, MAX_ITEMS);
    const more = value.length - shown.length;
    if (shown.length > 0 && shown.every((x) => isRecord(x) && !isRef(x))) return { label, table: tableOf(shown as Array<Record<string, Json>>), more };
    return { label, list: shown.map((x) => inlineText(x, 1)), more };
  }
  if (isRecord(value) && !isRef(value)) {
    const entries = Object.entries(value);
    return { label, fields: entries.slice(0, MAX_ITEMS).map(([k, v]) => ({ label: labelOf(k), text: inlineText(v, 1) })), more: Math.max(0, entries.length - MAX_ITEMS) };
  }
  return { label, text: inlineText(value), more: 0 };
}

/** The evidence of a finding as fields; a `subject` that is the finding's own resource is left out. */
export function evidenceOf(f: Pick<Finding, 'evidence' | 'resource'>): EvidenceField[] {
  const e = f.evidence;
  if (!e) return [];
  const out: EvidenceField[] = [];
  const entries = Object.entries(e).filter(([k, v]) => !(k === 'subject' && isRef(v) && v.kind === f.resource.kind && v.name === f.resource.name && (v.namespace ?? '') === (f.resource.namespace ?? '')));
  for (const [key, value] of entries.slice(0, MAX_FIELDS)) out.push(fieldOf(key, value));
  if (entries.length > MAX_FIELDS) out.push({ label: 'more', text: `${entries.length - MAX_FIELDS} more fields in report.json`, more: 0 });
  return out;
}
