// The per-framework view: each framework's mapped controls with a status an auditor can map
// their checklist against — fail (open findings), not evaluated (a mapped check could not be
// judged, or none applies here), waived (only waived findings) or pass (every mapped check was
// evaluated and passed) — and the findings behind each, with each mapped check's status (a
// check whose failures are all waived shows as waived; one whose findings all name other
// controls passed this one). The CSV export reads the same rows.
import type { RunReport } from '../../run/types.ts';
import { resourceText } from './format.ts';
import type { ControlRow, ControlStatus, FrameworkView } from './types.ts';

export const FRAMEWORKS: Array<{ prefix: string; name: string; group: (control: string) => string }> = [
  { prefix: 'CIS', name: 'CIS Kubernetes Benchmark 1.10', group: (c) => `Section ${c.split('.').slice(0, 2).join('.')}` },
  { prefix: 'NSA-CISA', name: 'NSA/CISA Kubernetes Hardening Guide', group: (c) => c.split('/')[0] || c },
  { prefix: 'NIST-800-53', name: 'NIST SP 800-53 Rev. 5', group: (c) => `${c.split('-')[0]} family` },
  { prefix: 'NIST-800-207', name: 'NIST SP 800-207 Zero Trust Architecture', group: (c) => (/^T\d/.test(c) ? 'Tenets' : c.split(/[-/.]/)[0]) },
];

export const CONTROL_STATUS_LABEL: Record<ControlStatus, string> = { fail: 'fail', waived: 'waived', pass: 'pass', 'not-evaluated': 'not evaluated' };
/** A pass over part of the cluster: a mapped check left some of it out (ControlRow.notAssessed says what). */
export const PARTIAL_PASS_LABEL = 'pass (partial scope)';

/** `found`: the checks with a finding (open or waived) on this control. */
interface ControlAcc { checks: Set<string>; found: Set<string>; failing: number; waived: number; findings: string[]; findingCount: number }

/** `maxFindings` caps the resources listed per control (the HTML shows a few, the CSV all). */
export function frameworksOf(report: RunReport, maxFindings = 3): FrameworkView[] {
  const byControl = new Map<string, ControlAcc>();
  const touch = (control: string, check: string) => {
    let e = byControl.get(control);
    if (!e) byControl.set(control, (e = { checks: new Set(), found: new Set(), failing: 0, waived: 0, findings: [], findingCount: 0 }));
    e.checks.add(check);
    return e;
  };
  for (const c of report.checks) for (const ctl of c.controls) touch(ctl, c.id);
  for (const f of report.findings) {
    for (const ctl of f.controls) {
      const e = touch(ctl, f.check);
      e.found.add(f.check);
      if (f.waived) { e.waived++; continue; }
      e.failing++;
      e.findingCount++;
      if (e.findings.length < maxFindings) e.findings.push(`${f.severity}: ${resourceText(f.resource)} (${f.check})`);
    }
  }
  const statusOf = new Map(report.checks.map((c) => [c.id, c.status]));
  // What an evaluated check left out by design (system namespaces, exempt ones): a control it
  // maps to passes over the rest only, and its row says so rather than read as the whole cluster.
  const leftOutOf = new Map(report.checks.filter((c) => c.excluded && (c.status === 'pass' || c.status === 'fail')).map((c) => [c.id, c.excluded!]));
  // A check that passed only because its failures were all waived is shown as waived, not pass.
  const shownOf = new Map(report.checks.map((c) => [c.id, c.status === 'pass' && c.failed === 0 && c.waived > 0 ? 'waived' : c.status]));
  const out: FrameworkView[] = [];
  for (const fw of FRAMEWORKS) {
    const groups = new Map<string, ControlRow[]>();
    for (const [id, e] of byControl) {
      const colon = id.indexOf(':');
      const prefix = colon < 0 ? id : id.slice(0, colon);
      if (prefix !== fw.prefix && !prefix.startsWith(`${fw.prefix}-`)) continue;
      const local = colon < 0 ? id : id.slice(colon + 1);
      const ids = [...e.checks].sort();
      const statuses = ids.map((c) => statusOf.get(c) ?? 'fail');
      const judged = statuses.filter((st) => st === 'pass' || st === 'fail');
      // A mapped check not evaluated leaves the control unknown: "waived" would say that all it
      // found was accepted, when part of it was never looked at.
      const blind = statuses.some((st) => st === 'not-evaluated' || st === 'error');
      const status: ControlStatus = e.failing > 0 ? 'fail' : blind ? 'not-evaluated' : e.waived > 0 ? 'waived'
        : judged.length > 0 ? 'pass' : 'not-evaluated';
      // A finding names the controls it bears on, fewer than its check's at times (a pod lacking
      // only a seccomp profile fails CIS 5.7.2, not 5.2.2): for the others, the check passed.
      const checks = ids.map((c) => {
        const shown = shownOf.get(c) ?? 'fail';
        return { id: c, status: (shown === 'fail' || shown === 'waived') && !e.found.has(c) ? 'pass' : shown };
      });
      const notAssessed = ids.flatMap((c) => (leftOutOf.has(c) ? [`${c}: ${leftOutOf.get(c)!}`] : []));
      const statusLabel = status === 'pass' && notAssessed.length > 0 ? PARTIAL_PASS_LABEL : CONTROL_STATUS_LABEL[status];
      const g = fw.group(local);
      const list = groups.get(g) ?? [];
      list.push({ id, local, checks, failing: e.failing, waived: e.waived, status, statusLabel, findings: e.findings, findingsMore: e.findingCount - e.findings.length, notAssessed });
      groups.set(g, list);
    }
    if (groups.size === 0) continue;
    const sorted = [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }))
      .map(([name, controls]) => ({ name, controls: controls.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true })) }));
    const all = sorted.flatMap((g) => g.controls);
    const counts: Record<ControlStatus, number> = { fail: 0, waived: 0, pass: 0, 'not-evaluated': 0 };
    for (const c of all) counts[c.status]++;
    out.push({ name: fw.name, prefix: fw.prefix, groups: sorted, failingControls: counts.fail, totalControls: all.length, counts });
  }
  return out;
}
