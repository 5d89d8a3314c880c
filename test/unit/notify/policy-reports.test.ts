import { describe, expect, it } from 'vitest';
import { buildPolicyReports, MAX_RESULTS_PER_REPORT } from '../../../src/notify/policy-reports.ts';
import { buildRun, syntheticReport } from '../report/fixtures.ts';

describe('buildPolicyReports', () => {
  it('makes one PolicyReport per namespace with findings and one ClusterPolicyReport', () => {
    const { report } = buildRun();
    const objs = buildPolicyReports(report);
    expect(objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
      'PolicyReport/ci/ztaudit', 'PolicyReport/monitoring/ztaudit', 'PolicyReport/payments/ztaudit', 'ClusterPolicyReport//ztaudit',
    ]);
    const ci = objs[0];
    expect(ci.apiVersion).toBe('wgpolicyk8s.io/v1alpha2');
    expect(ci.metadata.labels['app.kubernetes.io/managed-by']).toBe('ztaudit');
    expect(ci.summary).toEqual({ pass: 0, fail: 0, warn: 0, error: 0, skip: 2 });
    expect(ci.results[0]).toMatchObject({
      source: 'ztaudit', policy: 'fake.rbac-wide-serviceaccount', category: 'rbac', severity: 'high', result: 'skip', scored: false,
      resources: [{ apiVersion: 'v1', kind: 'ServiceAccount', name: 'builder', namespace: 'ci' }],
      timestamp: { seconds: Date.parse('2026-11-26T02:00:00Z') / 1000, nanos: 0 },
    });
    expect(ci.results[0].properties.waiver).toContain('vendor tool');
    const cluster = objs[3];
    // The open Namespace finding, then the checks that could not run.
    expect(cluster.results.map((r) => `${r.policy}:${r.result}`)).toEqual(['fake.network-namespace-open:fail', 'fake.tls-needs-traefik:skip', 'fake.pod-security-throws:error']);
    expect(cluster.summary).toEqual({ pass: 0, fail: 1, warn: 0, error: 1, skip: 1 });
  });

  it('splits a namespace with many findings into numbered reports', () => {
    const big = syntheticReport(50_000);
    const objs = buildPolicyReports(big);
    const team0 = objs.filter((o) => o.metadata.namespace === 'team-000');
    const count = big.findings.filter((f) => f.resource.namespace === 'team-000').length;
    expect(team0).toHaveLength(1);
    expect(team0[0].results).toHaveLength(count);
    const crs = objs.filter((o) => o.kind === 'ClusterPolicyReport');
    expect(crs.map((o) => o.metadata.name)).toEqual(['ztaudit', 'ztaudit-2', 'ztaudit-3', 'ztaudit-4', 'ztaudit-5', 'ztaudit-6', 'ztaudit-7', 'ztaudit-8', 'ztaudit-9', 'ztaudit-10', 'ztaudit-11']);
    expect(crs.every((o) => o.results.length <= MAX_RESULTS_PER_REPORT)).toBe(true);
    expect(crs.reduce((n, o) => n + o.results.length, 0)).toBe(10_001 + 2);
    expect(JSON.stringify(crs[0]).length).toBeLessThan(1_000_000);
  });

  it('still publishes an empty ClusterPolicyReport when nothing failed, so stale results are replaced', () => {
    const { report } = buildRun();
    const clean = { ...report, findings: [], checks: report.checks.filter((c) => c.status === 'pass' || c.status === 'fail') };
    const objs = buildPolicyReports(clean);
    expect(objs).toHaveLength(1);
    expect(objs[0]).toMatchObject({ kind: 'ClusterPolicyReport', results: [], summary: { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 } });
  });

  it('carries over the results of a check this run could not evaluate, instead of dropping them as if fixed', () => {
    const { report } = buildRun();
    const before = buildPolicyReports(report);
    const gap: typeof report = {
      ...report,
      run: { ...report.run, id: 'run-next' },
      checks: report.checks.map((c) => (c.id === 'fake.rbac-wide-serviceaccount' ? { ...c, status: 'not-evaluated' as const, reason: 'needs serviceaccounts: forbidden', evaluated: 0, passed: 0, failed: 0, waived: 0 } : c)),
      findings: report.findings.filter((f) => f.check !== 'fake.rbac-wide-serviceaccount'),
    };
    const after = buildPolicyReports(gap, before);
    const payments = after.find((o) => o.metadata.namespace === 'payments')!;
    expect(payments.results).toHaveLength(1);
    expect(payments.results[0]).toMatchObject({ policy: 'fake.rbac-wide-serviceaccount', result: 'fail', properties: { carriedFrom: 'run-20261126-0200' } });
    expect(after.find((o) => o.kind === 'ClusterPolicyReport')!.results.map((r) => `${r.policy}:${r.result}`)).toContain('fake.rbac-wide-serviceaccount:skip');
    // Once the check runs again, only what it finds now is published.
    const back = buildPolicyReports({ ...report, findings: report.findings.filter((f) => f.resource.namespace !== 'payments') }, after);
    expect(back.find((o) => o.metadata.namespace === 'payments')).toBeUndefined();
  });
});
