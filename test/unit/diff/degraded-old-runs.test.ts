// Runs stored before checks[].degraded existed carry no record of a check judged without a
// best-effort input, but their report.json keeps run.coverage: a kind "forbidden" there (a 403 on
// the list: the authorizer refusing it,
// https://kubernetes.io/docs/reference/access-authn-authz/authorization/) that a check reads when
// it can is evidence enough. The first complete run after an upgrade reads it (by today's
// catalog: findBaseline's bestEffort, as the pipeline and `ztaudit diff` pass it) and judges that
// check's escalations against the last run that read everything, not against the old partial
// run: on identical input, no "escalated medium → high: tls.ingress-without-tls".
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { Config } from '../../../src/config/types.ts';
import { findBaseline } from '../../../src/diff/baseline.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { bestEffortByCheck } from '../../../src/engine/run.ts';
import type { RunDiff, RunReport } from '../../../src/run/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';

const ROOT = join(import.meta.dirname, '../../..');
const NOW = new Date('2026-11-26T00:00:00Z');
const at = (n: number) => new Date(NOW.getTime() + n * 60_000);
const ID = 'tls.ingress-without-tls';

const { config } = loadConfig(join(ROOT, 'examples/ztaudit.demo.yaml'), ROOT, new Set(CHECKS.map((c) => c.id)));
const demo = loadManifests([join(ROOT, 'examples/demo-cluster')], { clusterName: 'demo', clusterVersion: 'v1.36.3' });
const audit = (snapshot: Snapshot, runId: string, n: number): RunReport =>
  auditSnapshot({ snapshot, config, checks: CHECKS, now: at(n), startedAt: at(n), runId }).report;
const forbidCertificates = (): Snapshot => {
  const s = structuredClone(demo);
  s.coverage['certmanager.certificates'] = { status: 'forbidden', detail: 'list certificates.cert-manager.io (refused in test)' };
  delete s.resources['certmanager.certificates'];
  return s;
};
/** As an older version stored it: no checks[].degraded, written and read back as JSON. */
const asOld = (r: RunReport): RunReport => JSON.parse(JSON.stringify({ ...r, checks: r.checks.map(({ degraded: _, ...c }) => c) })) as RunReport;

async function diffed(stored: RunReport[], current: RunReport, rules: Config['regression'], bestEffort = bestEffortByCheck(CHECKS)): Promise<RunDiff> {
  async function* newestFirst() { for (const r of stored) yield r; }
  const b = (await findBaseline(newestFirst(), current, { bestEffort }))!;
  return diffRuns(b.report, current, { rules, expiredWaivers: [], olderRuns: b.olderRuns, notApplicableRuns: b.notApplicableRuns, fullInputRuns: b.fullInputRuns, fullInputReport: b.fullInputReport, fullInputCarry: b.fullInputCarry });
}

describe('an old stored run whose coverage shows a best-effort input unread', () => {
  it('is judged as degraded for the checks that read it: no false escalation on identical input', async () => {
    const full = asOld(audit(structuredClone(demo), 'run-1', 0));
    const old = asOld(audit(forbidCertificates(), 'run-2', 1));
    expect(old.checks.some((c) => c.degraded !== undefined)).toBe(false);
    const again = audit(structuredClone(demo), 'run-3', 2);
    const d = await diffed([old, full], again, config.regression);
    expect(d.fullInputBaselines).toEqual({ [ID]: 'run-1', 'tls.issuer-not-ready': 'run-1' });
    expect(d.regressionReasons.filter((r) => r.startsWith('escalated'))).toEqual([]);
  });

  it('a real escalation since the last complete run is still reported', async () => {
    const full = audit(structuredClone(demo), 'run-1', 0);
    const before = asOld({ ...full, findings: full.findings.map((f) => (f.check === ID && f.resource.name === 'storefront' ? { ...f, severity: 'medium' as const } : f)) });
    const old = asOld(audit(forbidCertificates(), 'run-2', 1));
    const again = audit(structuredClone(demo), 'run-3', 2);
    const d = await diffed([old, before], again, config.regression);
    expect(d.regressionReasons).toContain(`escalated medium → high: ${ID} on Ingress shop/storefront since run run-1, the last to read all its inputs`);
  });

  it('only checks that read the unread kind are affected; a check reading it not at all compares as before', async () => {
    const old = asOld(audit(forbidCertificates(), 'run-2', 1));
    const again = audit(structuredClone(demo), 'run-3', 2);
    const d = await diffed([old], again, config.regression);
    const reading = new Set([...bestEffortByCheck(CHECKS)].filter(([, kinds]) => kinds.includes('certmanager.certificates')).map(([id]) => id));
    expect(Object.keys(d.fullInputBaselines ?? {}).every((id) => reading.has(id))).toBe(true);
    expect(Object.keys(d.fullInputBaselines ?? {})).toContain(ID);
  });
});
