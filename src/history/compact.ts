// The compact form of a run kept by the Kubernetes-native store, where every object must
// stay under 1 MiB: scores, check statuses, failing findings by fingerprint (check,
// severity, resource, waived, an aggregating finding's extent, controls when fewer than its check's), waiver states, RBAC breadth (and its basis), coverage and the run's diff.
// Messages, evidence and the mTLS/network detail sections are dropped; expandRun() rebuilds
// a report that is enough for diffing, listing and re-rendering a summary.
import { AREAS, type Area, type Severity } from '../base/vocabulary.ts';
import { REPORT_SCHEMA_VERSION, type CheckSummary, type Finding, type FindingExtent, type RunReport, type WaiverStatus } from '../run/types.ts';

export const COMPACT_VERSION = 1;
export const RECONSTRUCTED_NOTE = 'reconstructed from the Kubernetes history store: finding messages, evidence and detail sections are not kept';

/**
 * [fingerprint, check index, severity, kind, namespace, name, waiver index | -1 not waived | -2 waived, extent?, controls index?]:
 * the extent only on an aggregating finding (absent in runs compacted before it existed; null
 * when a controls index follows); the controls index (into controlLists) only on a finding that
 * names fewer controls than its check (a Pod Security finding: Verdict.controls).
 */
type CompactFinding = [string, number, Severity, string, string, string, number, (FindingExtent | null)?, number?];

export interface CompactRun {
  v: typeof COMPACT_VERSION;
  run: Omit<RunReport['run'], 'notes'> & { notes: string[] };
  score: RunReport['score'];
  checks: Array<CheckSummary & { controls?: string[]; remediation?: string }>;
  findings: CompactFinding[];
  waivers: WaiverStatus[];
  /** Waivers as findings carry them (reason/owner/expires), indexed by the findings. */
  waiverRefs: Array<NonNullable<Finding['waiver']>>;
  /** Control lists of findings that name fewer than their check, each once, indexed by the findings (absent when none does). */
  controlLists?: string[][];
  breadth?: NonNullable<RunReport['details']['rbac']>['breadth'];
  /** details.rbac's basis of the breadth figures (absent in runs compacted before it existed, and then in the expanded run). */
  breadthBasis?: NonNullable<RunReport['details']['rbac']>['breadthBasis'];
  breadthMissingGroups?: string[];
  diff: RunReport['diff'];
  notifications: RunReport['notifications'];
}

const MAX_NOTES = 50;

export function compactRun(report: RunReport): CompactRun {
  const checkIndex = new Map<string, number>();
  const checks: CompactRun['checks'] = report.checks.map((c, i) => {
    checkIndex.set(c.id, i);
    return { ...c };
  });
  const waiverRefs: CompactRun['waiverRefs'] = [];
  const waiverIndex = new Map<string, number>();
  const controlLists: string[][] = [];
  const controlIndex = new Map<string, number>();
  const findings: CompactFinding[] = report.findings.map((f) => {
    let ci = checkIndex.get(f.check);
    if (ci === undefined) {
      ci = checks.length;
      checkIndex.set(f.check, ci);
      checks.push({ id: f.check, area: f.area, title: f.check, severity: f.severity, controls: f.controls, remediation: '', evaluated: 0, passed: 0, failed: 0, waived: 0, status: 'fail' });
    }
    let wi = -1;
    if (f.waived && f.waiver) {
      const key = JSON.stringify(f.waiver);
      wi = waiverIndex.get(key) ?? -1;
      if (wi < 0) {
        wi = waiverRefs.push(f.waiver) - 1;
        waiverIndex.set(key, wi);
      }
    }
    // -1: not waived; -2: waived, waiver details unknown.
    const compact: CompactFinding = [f.fingerprint, ci, f.severity, f.resource.kind, f.resource.namespace ?? '', f.resource.name, f.waived ? (wi >= 0 ? wi : -2) : -1];
    const all = checks[ci].controls ?? [];
    const narrowed = f.controls !== all && !(f.controls.length === all.length && f.controls.every((c, i) => c === all[i]));
    if (f.extent !== undefined || narrowed) compact.push(f.extent ?? null);
    if (narrowed) {
      const key = f.controls.join('\u0000');
      let li = controlIndex.get(key);
      if (li === undefined) controlIndex.set(key, (li = controlLists.push([...f.controls]) - 1));
      compact.push(li);
    }
    return compact;
  });
  return {
    v: COMPACT_VERSION,
    run: { ...report.run, notes: report.run.notes.slice(0, MAX_NOTES) },
    score: report.score,
    checks,
    findings,
    waivers: report.waivers,
    waiverRefs,
    ...(controlLists.length > 0 ? { controlLists } : {}),
    ...(report.details?.rbac ? { breadth: report.details.rbac.breadth } : {}),
    ...(report.details?.rbac?.breadthBasis ? { breadthBasis: report.details.rbac.breadthBasis } : {}),
    ...(report.details?.rbac?.breadthMissingGroups ? { breadthMissingGroups: report.details.rbac.breadthMissingGroups } : {}),
    diff: report.diff,
    notifications: report.notifications,
  };
}

export function expandRun(c: CompactRun): RunReport {
  const findings: Finding[] = c.findings.map(([fingerprint, ci, severity, kind, namespace, name, wi, extent, li]) => {
    const check = c.checks[ci];
    const area: Area = check?.area ?? (AREAS.find((a) => (check?.id ?? '').startsWith(`${a}.`)) ?? 'network');
    const waiver = wi >= 0 ? c.waiverRefs[wi] : undefined;
    return {
      fingerprint, check: check?.id ?? 'unknown', area, severity,
      resource: { kind, ...(namespace ? { namespace } : {}), name },
      ...(extent !== undefined && extent !== null ? { extent } : {}),
      message: check?.title ?? '',
      controls: (typeof li === 'number' ? c.controlLists?.[li] : undefined) ?? check?.controls ?? [],
      waived: wi !== -1,
      ...(waiver ? { waiver } : {}),
    };
  });
  const checks: CheckSummary[] = c.checks.map((k) => ({ ...k, controls: k.controls ?? [], remediation: k.remediation ?? '' }));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    // A run that passed through this store before (export, import) carries the note already.
    run: { ...c.run, notes: c.run.notes.includes(RECONSTRUCTED_NOTE) ? [...c.run.notes] : [...c.run.notes, RECONSTRUCTED_NOTE] },
    score: c.score,
    checks,
    findings,
    diff: c.diff,
    waivers: c.waivers,
    details: c.breadth ? { rbac: { breadth: c.breadth, ...(c.breadthBasis ? { breadthBasis: c.breadthBasis } : {}), ...(c.breadthMissingGroups ? { breadthMissingGroups: c.breadthMissingGroups } : {}) } } : {},
    notifications: c.notifications,
  };
}
