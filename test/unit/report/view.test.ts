import { describe, expect, it } from 'vitest';
import { buildView } from '../../../src/report/view.ts';
import { buildRun, syntheticReport } from './fixtures.ts';

describe('buildView', () => {
  it('summarises scores, grades and changes since the last run', () => {
    const { report, previous } = buildRun();
    const v = buildView(report, { previous });
    expect(v.overall).toMatchObject({ score: '73.5', grade: 'C', delta: { text: '+2.7', cls: 'up' } });
    expect(v.areas.find((a) => a.key === 'rbac')).toMatchObject({ score: '45.5', grade: 'F', delta: { text: '−17', cls: 'down' } });
    expect(v.areas.find((a) => a.key === 'mtls')).toMatchObject({ score: 'n/a', grade: 'n/a', delta: null });
    expect(v.changes).toMatchObject({ hasPrevious: true, regression: true, newCount: 1, resolvedCount: 2, persisting: 2 });
    expect(v.severityCounts).toEqual([{ severity: 'critical', count: 1 }, { severity: 'high', count: 1 }, { severity: 'medium', count: 0 }, { severity: 'low', count: 1 }]);
  });

  it('gives resolved findings their titles from the previous report, and says where they are without it', () => {
    const { report, previous } = buildRun();
    const withPrev = buildView(report, { previous }).changes.resolvedRows;
    expect(withPrev.map((r) => [r.title, r.resource, r.severity])).toEqual([
      ['Namespace admits all ingress', 'Namespace monitoring', 'critical'],
      ['ServiceAccount holds wide permissions', 'ServiceAccount shop/legacy-admin', 'high'],
    ]);
    const without = buildView(report).changes.resolvedRows;
    expect(without).toHaveLength(2);
    expect(without[0].title).toBe('details are in the previous run');
    expect(without.map((r) => r.fingerprint).sort()).toEqual([...report.diff!.resolved].sort());
  });

  it('groups findings by check, open before waived and most severe first, showing per-result severity variants', () => {
    const { report } = buildRun();
    const rbac = buildView(report).areaSections.find((s) => s.area === 'rbac')!;
    const g = rbac.groups[0];
    expect(g.id).toBe('fake.rbac-wide-serviceaccount');
    expect(g.rows.map((r) => `${r.namespace}/${r.name}:${r.severity}:${r.waived}`)).toEqual([
      'payments/api:high:false', 'monitoring/prometheus:low:false', 'ci/builder:high:true', 'ci/deployer:high:true',
    ]);
    expect(g.rows.map((r) => r.severityDiffers)).toEqual([false, true, false, false]);
    expect(g.rows[2].waiver).toEqual({ reason: 'vendor tool <needs> "it" & more', owner: 'sec@acme.example', expires: '2026-12-01' });
    expect(g.rows[0].evidence).toEqual([
      { key: 'verbs', value: '["get","list","watch"]' }, { key: 'resources', value: '["secrets"]' }, { key: 'via', value: 'ClusterRoleBinding api-binding' },
    ]);
  });

  it('caps rows per group and counts the rest, keeping the most severe', () => {
    const big = syntheticReport(50_000);
    const v = buildView(big, { maxRowsPerGroup: 50 });
    const groups = v.areaSections.flatMap((s) => s.groups);
    const rows = groups.reduce((n, g) => n + g.rows.length, 0);
    const more = groups.reduce((n, g) => n + g.more, 0);
    expect(rows + more).toBe(big.findings.length);
    expect(groups.every((g) => g.rows.length <= 50)).toBe(true);
    const ingress = groups.find((g) => g.id === 'network.namespace-default-deny-ingress')!;
    expect(ingress.more).toBe(10_000 - 50);
    // Sorted by namespace then name among equals: the first rows come from team-000.
    expect(ingress.rows[0].namespace).toBe('team-000');
    expect(v.changes.newRows).toHaveLength(100);
    expect(v.changes.newMore).toBe(big.diff!.new.length - 100);
  });

  it('lists what was not evaluated and why, and which kinds were not collected', () => {
    const { report } = buildRun();
    const v = buildView(report);
    expect(v.coverage.unevaluated).toEqual([
      { id: 'fake.tls-needs-traefik', title: 'Traefik TLSOption minimum version', status: 'not-evaluated', reason: 'needs traefik.tlsoptions: absent' },
      { id: 'fake.pod-security-throws', title: 'A check that crashes', status: 'error', reason: 'check failed: boom' },
    ]);
    expect(v.coverage.gaps.map((g) => g.kind)).toContain('traefik.tlsoptions');
    expect(v.coverage.notes).toEqual(['skipped v1 Secret: not a kind ztaudit audits']);
  });

  it('maps findings to framework controls grouped by control family', () => {
    const { report } = buildRun();
    const fw = buildView(report).frameworks;
    expect(fw.map((f) => f.prefix)).toEqual(['CIS', 'NSA-CISA', 'NIST-800-53', 'NIST-800-207']);
    const nist = fw.find((f) => f.prefix === 'NIST-800-53')!;
    expect(nist.groups.map((g) => g.name)).toEqual(['AC family', 'SC family']);
    expect(nist.groups[0].controls[0]).toMatchObject({ id: 'NIST-800-53:AC-6', failing: 2, waived: 2, status: 'failing' });
    const tenets = fw.find((f) => f.prefix === 'NIST-800-207')!.groups[0].controls;
    expect(tenets.find((c) => c.id === 'NIST-800-207:T6')).toMatchObject({ checks: ['fake.network-namespace-open', 'fake.rbac-wide-serviceaccount'], failing: 3 });
    // A control whose checks all passed is listed too, as covered with no open findings.
    expect(tenets.find((c) => c.id === 'NIST-800-207:T2')).toMatchObject({ checks: ['fake.tls-ingress'], failing: 0, status: 'no open findings' });
  });

  it('draws the trend from stored runs plus the current one, scaled to 0-100', () => {
    const { report, trend } = buildRun();
    const t = buildView(report, { trend })!.trend!;
    expect(t.count).toBe(trend.length + 1);
    const overall = t.series.find((s) => s.key === 'overall')!.points.split(' ');
    expect(overall).toHaveLength(15);
    const [, lastY] = overall[overall.length - 1].split(',').map(Number);
    expect(lastY).toBeCloseTo(t.plotBottom - ((t.plotBottom - t.plotTop) * 73.5) / 100, 0);
    expect(t.series.find((s) => s.key === 'mtls')).toBeUndefined(); // never scored: no line
    expect(buildView(report, { trend: [] }).trend).toBeNull();
  });

  it('orders the exceptions register by urgency', () => {
    const { report } = buildRun();
    expect(buildView(report).waivers.map((w) => w.state)).toEqual(['expiring-soon', 'unmatched', 'active']);
  });
});
