// Small formatting and ordering helpers shared by the view builders. Text is ordered by the
// 'en' collation, never the machine's locale: a report's rows must not depend on where it was
// rendered (in Danish "aa" sorts after "z").
import { SEVERITIES, type Area, type Severity } from '../../base/vocabulary.ts';
import { gradeFor, gradeOf, notEvaluated, type CheckCoverage } from '../../engine/score.ts';
import type { Finding } from '../../run/types.ts';
import type { ScoreCard, SeverityCount } from './types.ts';

export const AREA_LABEL: Record<Area, string> = {
  network: 'Network segmentation',
  tls: 'TLS at the edge',
  rbac: 'RBAC breadth',
  'pod-security': 'Pod Security Admission',
  mtls: 'Service-mesh mTLS',
};

export const SEV_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export const num = (n: number | null | undefined) => (n === null || n === undefined ? 'n/a' : n.toFixed(1).replace(/\.0$/, ''));

export const pct = (part: number, whole: number) => (whole > 0 ? `${num(Math.round((1000 * part) / whole) / 10)}%` : '0%');

export function deltaOf(d: number | null | undefined): ScoreCard['delta'] {
  if (d === null || d === undefined) return null;
  const r = Math.round(d * 10) / 10;
  if (r === 0) return { text: '±0', cls: 'flat' };
  return { text: `${r > 0 ? '+' : '−'}${num(Math.abs(r))}`, cls: r > 0 ? 'up' : 'down' };
}

/** A score card; with `cov`, no grade while checks that apply were not evaluated (the share instead). */
export function card(key: string, label: string, score: number | null, delta: number | null | undefined, cov?: CheckCoverage): ScoreCard {
  const grade = cov ? gradeFor(score, cov) : gradeOf(score);
  const share = cov && notEvaluated(cov) > 0 ? `${cov.evaluated} of ${cov.applicable} checks evaluated` : '';
  return { key, label, score: num(score), grade, gradeClass: grade === 'n/a' ? 'grade-na' : `grade-${grade.toLowerCase()}`, delta: deltaOf(delta), share };
}

export function resourceText(r: { kind?: string; namespace?: string; name?: string }): string {
  const where = r.namespace ? `${r.namespace}/${r.name ?? '*'}` : (r.name ?? '*');
  return `${r.kind ?? '*'} ${where}`;
}

/** Open before waived, then by severity, namespace, name: the order a reviewer works in. */
export function compareFindings(a: Finding, b: Finding): number {
  return (Number(a.waived) - Number(b.waived)) || (SEV_RANK[a.severity] - SEV_RANK[b.severity])
    || (a.resource.namespace ?? '').localeCompare(b.resource.namespace ?? '', 'en') || a.resource.name.localeCompare(b.resource.name, 'en')
    || a.fingerprint.localeCompare(b.fingerprint, 'en');
}

/** Keeps the `limit` smallest items without sorting the whole list (groups can hold 50,000). */
export function smallest<T>(items: readonly T[], limit: number, cmp: (a: T, b: T) => number): T[] {
  if (items.length <= limit * 4) return [...items].sort(cmp).slice(0, limit);
  const out: T[] = [];
  for (const it of items) {
    if (out.length < limit) {
      out.push(it);
      if (out.length === limit) out.sort(cmp);
      continue;
    }
    if (cmp(it, out[limit - 1]) >= 0) continue;
    let lo = 0, hi = limit - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cmp(it, out[mid]) < 0) hi = mid; else lo = mid + 1; }
    out.splice(lo, 0, it);
    out.pop();
  }
  return out;
}

/** Per-severity counts, most severe first, without zeros. */
export function severityCountsOf(counts: Record<Severity, number>): SeverityCount[] {
  return SEVERITIES.filter((s) => counts[s] > 0).map((s) => ({ severity: s, count: counts[s] }));
}

export const zeroSeverities = (): Record<Severity, number> => ({ critical: 0, high: 0, medium: 0, low: 0 });

export interface Ref { kind: string; namespace: string; name: string }
export const refOf = (r: { kind: string; namespace?: string; name: string }): Ref => ({ kind: r.kind, namespace: r.namespace ?? '', name: r.name });
export const refKey = (r: { kind: string; namespace?: string; name: string }) => `${r.kind}\u0000${r.namespace ?? ''}\u0000${r.name}`;
export const byRef = (a: Ref, b: Ref) => a.namespace.localeCompare(b.namespace, 'en') || a.name.localeCompare(b.name, 'en') || a.kind.localeCompare(b.kind, 'en');

/** The first sentence of a text (remediation one-liners). */
export function firstSentence(text: string): string {
  const m = /^(.+?[.!?])(\s|$)/s.exec(text.trim());
  return (m ? m[1] : text.trim()).replace(/\s+/g, ' ');
}
