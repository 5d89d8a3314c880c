import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildRun, syntheticReport } from './fixtures.ts';
import { demoRun } from './demo.ts';
import { CHECKS } from '../../../checks/index.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';

const schema = JSON.parse(readFileSync(new URL('../../../schemas/report.schema.json', import.meta.url), 'utf8'));
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(schema);

/** report.json as written: JSON round trip drops undefined fields. */
const asWritten = (r: unknown) => JSON.parse(JSON.stringify(r));

describe('schemas/report.schema.json', () => {
  it('accepts reports produced by auditSnapshot over the registered catalog plus fake checks, with waivers, errors and a diff', () => {
    const { report, previous } = buildRun({ catalog: true, hostile: true });
    expect(report.findings.some((f) => f.waived)).toBe(true);
    expect(report.checks.some((c) => c.status === 'not-evaluated')).toBe(true);
    expect(report.checks.some((c) => c.status === 'error')).toBe(true);
    expect(report.diff).not.toBeNull();
    report.notifications.push({ channel: 'slack', status: 'failed', detail: 'channel_not_found' });
    report.diff!.unreadableRuns = ['20261126T020000Z-badbad']; // a stored run the diff passed over
    for (const r of [report, previous]) {
      const ok = validate(asWritten(r));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('accepts an unmatched waiver with the open finding it no longer covers; refuses one without its resource', () => {
    const { report } = buildRun({ catalog: true });
    const sa = { kind: 'ServiceAccount', namespace: 'kube-system', name: 'ci-deployer' };
    report.waivers.push({ check: 'rbac.wildcard-permission', resource: { kind: 'ClusterRole', name: 'ci-deployer' }, reason: 'CI', owner: 'o', expires: '2099-01-01', state: 'unmatched', matched: 0,
      openFinding: { fingerprint: 'abc', resource: sa, more: 1, coveredIn: '20261126T020000Z-aaaaaa', notNamed: { kind: 'Role', namespace: 'payments', name: 'ops' } } });
    expect(validate(asWritten(report)), JSON.stringify(validate.errors)).toBe(true);
    delete (report.waivers.at(-1)!.openFinding as Partial<NonNullable<typeof report.waivers[number]['openFinding']>>).resource;
    expect(validate(asWritten(report))).toBe(false);
  });

  it('accepts a check carried with waived findings alone (lastEvaluatedOpen waived); refuses waived 0', () => {
    const { report } = buildRun({ catalog: true });
    report.run.lastEvaluatedOpen = [{ check: 'rbac.wildcard-permission', runId: '20261126T020000Z-aaaaaa', open: { critical: 0, high: 0, medium: 0, low: 0 }, waived: 2 }];
    expect(validate(asWritten(report)), JSON.stringify(validate.errors)).toBe(true);
    report.run.lastEvaluatedOpen[0]!.waived = 0;
    expect(validate(asWritten(report))).toBe(false);
  });

  it('accepts lastEvaluatedOpen waived with its severities (waivedBySeverity) and without (runs of earlier versions); refuses a severity it does not know', () => {
    const { report } = buildRun({ catalog: true });
    report.run.lastEvaluatedOpen = [
      { check: 'rbac.wildcard-permission', runId: '20261126T020000Z-aaaaaa', open: { critical: 0, high: 0, medium: 0, low: 0 }, waived: 2, waivedBySeverity: { critical: 0, high: 2, medium: 0, low: 0 } },
      { check: 'rbac.cluster-admin-binding', runId: '20261126T020000Z-aaaaaa', open: { critical: 0, high: 0, medium: 0, low: 0 }, waived: 1 },
    ];
    expect(validate(asWritten(report)), JSON.stringify(validate.errors)).toBe(true);
    (report.run.lastEvaluatedOpen[0]!.waivedBySeverity as Record<string, number>).info = 1;
    expect(validate(asWritten(report))).toBe(false);
  });

  it('accepts the basis of the RBAC breadth and a diff that did not compare it; refuses a basis it does not know', () => {
    const { report } = buildRun({ catalog: true });
    report.details.rbac = { breadth: [{ subject: { kind: 'Group', name: 'dev-team' }, breadth: 108 }], breadthBasis: 'partial', breadthMissingGroups: ['metrics.k8s.io', ''] };
    report.diff!.breadthNotCompared = 'RBAC breadth not compared: run A counted it against the resources the API server serves, run B against partial API discovery (metrics.k8s.io, core: discovery failed, built-in list used for them)';
    const ok = validate(asWritten(report));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const bad = asWritten(report) as { details: { rbac: Record<string, unknown> } };
    bad.details.rbac.breadthBasis = 'guessed';
    expect(validate(bad)).toBe(false);
  });

  it('accepts a run whose auditor could not list pods: the checks name the kinds they could not read', () => {
    const at = new Date('2026-11-26T02:00:00Z');
    const snapshot = snapshotFromObjects([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }], { clusterName: 'c', collectedAt: at.toISOString() });
    snapshot.coverage.pods = { status: 'forbidden', detail: 'list pods' };
    const { report } = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now: at, runId: 'r', startedAt: at });
    expect(report.checks.filter((c) => c.unreadable).every((c) => c.status === 'not-evaluated' && c.unreadable!.includes('pods'))).toBe(true);
    expect(report.checks.some((c) => c.unreadable)).toBe(true);
    const ok = validate(asWritten(report));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('accepts the demo run: typed details (mTLS posture, exposure), implied findings and score-change causes', () => {
    const { report, previous } = demoRun();
    expect(report.findings.some((f) => f.impliedBy)).toBe(true);
    expect(Object.keys(report.diff!.scoreChanges!).length).toBeGreaterThan(0);
    expect(report.details.mtls!.workloads.every((w) => typeof w.posture === 'string')).toBe(true);
    for (const r of [report, previous]) {
      const ok = validate(asWritten(r));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
    const bad = asWritten(report) as { details: { mtls: { workloads: Array<Record<string, unknown>> } } };
    bad.details.mtls.workloads[0].posture = 'secure-ish';
    expect(validate(bad)).toBe(false);
  });

  it('accepts a 50,000-finding report', () => {
    expect(validate(asWritten(syntheticReport(50_000)))).toBe(true);
  });

  it('rejects what the contract does not allow: unknown fields, missing fields, wrong enums, a waived finding without its waiver', () => {
    const { report } = buildRun();
    const cases: Array<(r: ReturnType<typeof asWritten>) => void> = [
      (r) => { r.extra = 1; },
      (r) => { delete r.run.checkCatalogVersion; },
      (r) => { r.schemaVersion = 2; },
      (r) => { r.score.areas.dns = 50; },
      (r) => { r.score.overall = 101; },
      (r) => { r.findings[0].severity = 'urgent'; },
      (r) => { r.checks[0].status = 'ok'; },
      (r) => { r.run.startedAt = 'yesterday'; },
      (r) => { const w = r.findings.find((f: { waived: boolean }) => f.waived); delete w.waiver; },
      (r) => { r.findings.find((f: { waived: boolean }) => !f.waived).waiver = { reason: 'x', owner: 'y', expires: 'z' }; },
      (r) => { r.diff.regression = 'yes'; },
      (r) => { r.waivers[0].state = 'pending'; },
    ];
    for (const mutate of cases) {
      const r = asWritten(report);
      mutate(r);
      expect(validate(r), mutate.toString()).toBe(false);
    }
  });
});
