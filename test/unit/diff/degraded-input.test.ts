// A check judged without a best-effort input it could not read (its readsBestEffort: the
// cert-manager Certificates tls.ingress-without-tls reads, the LimitRanges
// pod-security.resource-limits-missing reads) still runs, at a lowered severity ("could not be
// read"). Such a run must not become the baseline of the next complete run's escalations and area
// score: on identical input that run reported "escalated medium → high" and "tls score dropped
// 5.3 points (70.3 → 65)", exit 1 under --fail-on regression, though run 1 and run 3 scored the
// same. DESIGN.md: "a check is diffed against the last run in which it was evaluated (no blind
// spot after a partial run)"; "Missing data is not a fix". A 403 on a list is the authorizer
// refusing it (https://kubernetes.io/docs/reference/access-authn-authz/authorization/,
// "Determine whether a request is allowed or denied").
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
import { compactRun, expandRun } from '../../../src/history/compact.ts';
import { diffedAgainst } from '../../../src/history/run-store.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { KindKey } from '../../../src/snapshot/kinds.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';

const ROOT = join(import.meta.dirname, '../../..');
const NOW = new Date('2026-11-26T00:00:00Z');
const days = (n: number) => new Date(NOW.getTime() + n * 86_400_000);

function demo(): { snapshot: Snapshot; config: Config } {
  const { config } = loadConfig(join(ROOT, 'examples/ztaudit.demo.yaml'), ROOT, new Set(CHECKS.map((c) => c.id)));
  const snapshot = loadManifests([join(ROOT, 'examples/demo-cluster')], { clusterName: 'demo', clusterVersion: 'v1.36.3' });
  return { snapshot, config };
}

/** The snapshot as a collection refused `kind` would leave it (a copy: analyses memoise per snapshot). */
function forbid(snapshot: Snapshot, kind: KindKey): Snapshot {
  const s = structuredClone(snapshot);
  s.coverage[kind] = { status: 'forbidden', detail: `list ${kind} (refused in test)` };
  delete s.resources[kind];
  return s;
}

const audit = (snapshot: Snapshot, config: Config, runId: string, at: Date): RunReport =>
  auditSnapshot({ snapshot, config, checks: CHECKS, now: at, startedAt: at, runId }).report;
async function* newestFirst(runs: RunReport[]) { for (const r of runs) yield r; }

/** The run as the pipeline diffs it: each check against its baseline (src/pipeline/pipeline.ts). */
async function diffed(stored: RunReport[], current: RunReport, config: Config) {
  const b = (await findBaseline(newestFirst(stored), current, { bestEffort: bestEffortByCheck(CHECKS) }))!;
  return { b, d: diffRuns(b.report, current, { rules: config.regression, expiredWaivers: [], olderRuns: b.olderRuns, notApplicableRuns: b.notApplicableRuns, fullInputRuns: b.fullInputRuns, fullInputReport: b.fullInputReport, fullInputCarry: b.fullInputCarry }) };
}

const severities = (r: RunReport, check: string) => r.findings.filter((f) => f.check === check).map((f) => `${f.resource.namespace}/${f.resource.name} ${f.severity}`).sort();

describe('a check judged without a best-effort input is no baseline for escalations and score drops', () => {
  it('cert-manager Certificates forbidden for one run: the next complete run on the same input reports no escalation and no tls score drop', async () => {
    const { snapshot, config } = demo();
    const full = audit(structuredClone(snapshot), config, 'run-1', days(0));
    const partial = audit(forbid(snapshot, 'certmanager.certificates'), config, 'run-2', days(1));
    const id = 'tls.ingress-without-tls';
    // The run records that it judged the check without the Certificates, and the check lowered the severity.
    expect(partial.checks.find((c) => c.id === id)?.degraded).toEqual(['certmanager.certificates']);
    expect(full.checks.find((c) => c.id === id)?.degraded).toBeUndefined();
    expect(severities(full, id)).toContain('shop/storefront high');
    expect(severities(partial, id)).toContain('shop/storefront medium');
    const again = audit(structuredClone(snapshot), config, 'run-3', days(2));
    const { d } = await diffed([partial, full], again, config);
    expect({ new: d.new, resolved: d.resolved, reasons: d.regressionReasons }).toEqual({ new: [], resolved: [], reasons: [] });
    // tls.issuer-not-ready reads the Certificates too (for the issuers they name that do not exist).
    expect(d.fullInputBaselines).toEqual({ [id]: 'run-1', 'tls.issuer-not-ready': 'run-1' });
    // The tls delta since run-2 is not shown: run-2's tls score counted the lowered severities.
    expect(d.scoreDelta.areas.tls).toBeNull();
    expect(again.score.areas.tls).toBe(full.score.areas.tls);
  });

  it('LimitRanges forbidden for one run: no "escalated low → medium" for resource-limits-missing on the next complete run', async () => {
    const { snapshot, config } = demo();
    const strict: Config = { ...config, regression: { ...config.regression, newFindingSeverity: 'medium' } };
    const id = 'pod-security.resource-limits-missing';
    const full = audit(structuredClone(snapshot), strict, 'run-1', days(0));
    const partial = audit(forbid(snapshot, 'limitranges'), strict, 'run-2', days(1));
    expect(partial.checks.find((c) => c.id === id)?.degraded).toEqual(['limitranges']);
    expect(severities(partial, id)).not.toEqual(severities(full, id));
    const again = audit(structuredClone(snapshot), strict, 'run-3', days(2));
    const { d } = await diffed([partial, full], again, strict);
    expect(d.regressionReasons).toEqual([]);
    expect(d.fullInputBaselines).toEqual({ [id]: 'run-1' });
    expect(d.scoreDelta.areas['pod-security']).toBeNull();
  });

  it('a real escalation since the last run that read every input is still reported, naming that run', async () => {
    const { snapshot, config } = demo();
    const id = 'tls.ingress-without-tls';
    const full = audit(structuredClone(snapshot), config, 'run-1', days(0));
    // Run 1 as if the Ingress had been a medium finding then (the cluster changed since).
    const before: RunReport = { ...full, findings: full.findings.map((f) => (f.check === id && f.resource.name === 'storefront' ? { ...f, severity: 'medium' as const } : f)) };
    const partial = audit(forbid(snapshot, 'certmanager.certificates'), config, 'run-2', days(1));
    const again = audit(structuredClone(snapshot), config, 'run-3', days(2));
    const { d } = await diffed([partial, before], again, config);
    expect(d.regressionReasons).toContain('escalated medium → high: tls.ingress-without-tls on Ingress shop/storefront since run run-1, the last to read all its inputs');
  });

  it('no stored run read every input: escalations of the check are not judged (null), new findings still are', async () => {
    const { snapshot, config } = demo();
    const id = 'tls.ingress-without-tls';
    const partial = audit(forbid(snapshot, 'certmanager.certificates'), config, 'run-2', days(1));
    const again = audit(structuredClone(snapshot), config, 'run-3', days(2));
    const { d } = await diffed([partial], again, config);
    expect(d.fullInputBaselines).toEqual({ [id]: null, 'tls.issuer-not-ready': null });
    expect(d.regressionReasons.filter((r) => r.startsWith('escalated'))).toEqual([]);
    expect(d.regressionReasons.filter((r) => /tls score dropped/.test(r))).toEqual([]);
    // A finding of the check absent from the partial run is still new.
    const fewer: RunReport = { ...partial, findings: partial.findings.filter((f) => !(f.check === id && f.resource.name === 'storefront')) };
    const { d: d2 } = await diffed([fewer], again, config);
    expect(d2.new.map((fp) => again.findings.find((f) => f.fingerprint === fp)!).filter((f) => f.check === id).map((f) => f.resource.name)).toEqual(['storefront']);
  });

  it('a run stored by an older version (no degraded field) whose coverage shows nothing unread is compared as before', async () => {
    const { snapshot, config } = demo();
    const full = audit(structuredClone(snapshot), config, 'run-1', days(0));
    const partial = audit(forbid(snapshot, 'certmanager.certificates'), config, 'run-2', days(1));
    // No evidence left: no degraded record, and run.coverage as a complete run's (degraded-old-runs.test.ts reads it when it says more).
    const old: RunReport = { ...partial, run: { ...partial.run, coverage: full.run.coverage }, checks: partial.checks.map(({ degraded: _, ...c }) => c) };
    const again = audit(structuredClone(snapshot), config, 'run-3', days(2));
    const { d } = await diffed([old, full], again, config);
    expect(d.fullInputBaselines).toBeUndefined();
    expect(d.regressionReasons).toContain('escalated medium → high: tls.ingress-without-tls on Ingress shop/storefront');
  });

  it('the degraded record survives the Kubernetes compact store, and retention keeps the run compared with', async () => {
    const { snapshot, config } = demo();
    const full = audit(structuredClone(snapshot), config, 'run-1', days(0));
    const partial = audit(forbid(snapshot, 'certmanager.certificates'), config, 'run-2', days(1));
    const back = expandRun(JSON.parse(JSON.stringify(compactRun(partial))));
    expect(back.checks.find((c) => c.id === 'tls.ingress-without-tls')?.degraded).toEqual(['certmanager.certificates']);
    const again = audit(structuredClone(snapshot), config, 'run-3', days(2));
    const { d } = await diffed([back, full], again, config);
    expect(d.regressionReasons).toEqual([]);
    again.diff = d;
    expect(diffedAgainst(again)).toContain('run-1');
  });
});
