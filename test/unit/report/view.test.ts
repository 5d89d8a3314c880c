import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCsv } from '../../../src/report/csv.ts';
import { renderHtml } from '../../../src/report/html.ts';
import { buildView } from '../../../src/report/view/index.ts';
import { isPartialRun } from '../../../src/run/coverage.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { ROOT, demoRun } from './demo.ts';
import { buildRun, syntheticReport, withPosture } from './fixtures.ts';

describe('buildView', () => {
  it('summarises scores, grades and changes since the last run', () => {
    const { report, previous } = buildRun();
    const v = buildView(report, { previous });
    // Two of the five checks could not be evaluated (one needs an absent kind, one crashed):
    // no grade overall, nor for the areas holding them, however good their score looks.
    expect(v.overall).toMatchObject({ score: '73.5', grade: 'n/a', share: '3 of 5 checks evaluated; partial: pod-security not scored; not comparable with a complete run', delta: { text: '+2.7', cls: 'up' } });
    expect(v.areas.find((a) => a.key === 'tls')).toMatchObject({ score: '100', grade: 'n/a', share: '1 of 2 checks evaluated' });
    expect(v.areas.find((a) => a.key === 'network')).toMatchObject({ score: '75', grade: 'C', share: '' });
    expect(v.areas.find((a) => a.key === 'rbac')).toMatchObject({ score: '45.5', grade: 'F', delta: { text: '−17', cls: 'down' } });
    expect(v.areas.find((a) => a.key === 'mtls')).toMatchObject({ score: 'n/a', grade: 'n/a', delta: null });
    expect(v.changes).toMatchObject({ hasPrevious: true, regression: true, newCount: 1, resolvedCount: 2, persisting: 2 });
    expect(v.severityCounts).toEqual([{ severity: 'critical', count: 1, carried: 0, text: '1' }, { severity: 'high', count: 1, carried: 0, text: '1' }, { severity: 'medium', count: 0, carried: 0, text: '0' }, { severity: 'low', count: 1, carried: 0, text: '1' }]);
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
    // Evidence as fields and lists, never JSON text.
    expect(g.rows[0].evidence).toEqual([
      { label: 'verbs', list: ['get', 'list', 'watch'], more: 0 }, { label: 'resources', list: ['secrets'], more: 0 },
      { label: 'via', text: 'ClusterRoleBinding api-binding', more: 0 },
    ]);
    // The group is headed by its highest open severity, with the open counts per severity.
    expect(g.severity).toBe('high');
    expect(g.severityCounts).toEqual([{ severity: 'high', count: 1 }, { severity: 'low', count: 1 }]);
    expect(g.open).toBe(true);
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

  it('"What to fix first" shows the other checks when one check has 100 equally ranked critical findings', () => {
    const { report } = buildRun();
    const base = { ...report.findings[0], waived: false };
    const at = (check: string, severity: 'critical' | 'high', i: number) => ({
      ...base, check, severity, fingerprint: `${check}-${i}`, resource: { kind: 'Deployment', namespace: 'ns', name: `${check}-${i}` },
    });
    const findings = [
      ...Array.from({ length: 100 }, (_, i) => at('noisy.check', 'critical', i)),
      ...Array.from({ length: 5 }, (_, i) => at(`other.check-${i}`, 'high', 0)),
    ];
    const fixes = buildView({ ...report, findings }).topFixes;
    expect(fixes).toHaveLength(8);
    expect(fixes.filter((f) => f.check === 'noisy.check')).toHaveLength(3);
    expect(fixes.slice(3).map((f) => f.check)).toEqual(['other.check-0', 'other.check-1', 'other.check-2', 'other.check-3', 'other.check-4']);
  });

  it('"Resolved findings" shows the most severe of 150 resolved findings, whatever their order in the diff', () => {
    const { report } = buildRun();
    const base = { ...report.findings[0], waived: false };
    const gone = Array.from({ length: 150 }, (_, i) => ({
      ...base, check: 'gone.check', severity: i >= 148 ? 'critical' as const : 'high' as const, fingerprint: `gone-${String(i).padStart(3, '0')}`,
      resource: { kind: 'Deployment', namespace: 'ns', name: `d-${String(i).padStart(3, '0')}` },
    }));
    const previous = { ...report, findings: gone };
    const current = { ...report, diff: { ...report.diff!, resolved: gone.map((f) => f.fingerprint) } };
    const v = buildView(current, { previous });
    expect(v.changes.resolvedCount).toBe(150);
    expect(v.changes.resolvedRows).toHaveLength(100);
    expect(v.changes.resolvedRows.slice(0, 2).map((r) => [r.severity, r.fingerprint])).toEqual([['critical', 'gone-148'], ['critical', 'gone-149']]);
    expect(v.changes.resolvedRows.slice(2).every((r) => r.severity === 'high')).toBe(true);
    expect(v.changes.resolvedRows[2].fingerprint).toBe('gone-000');
  });

  it('cuts a long message in "What to fix first" without splitting an emoji', () => {
    const { report } = buildRun();
    // The emoji's two halves sit at 218 and 219: cutting at 219 would keep its first half alone.
    const message = `${'a'.repeat(218)}😀 and more text after it`;
    const long = { ...report, findings: report.findings.map((f) => ({ ...f, message })) };
    const fixes = buildView(long).topFixes;
    expect(fixes.length).toBeGreaterThan(0);
    for (const f of fixes) expect(f.message).toBe(`${'a'.repeat(218)}…`);
    const html = renderHtml(long);
    expect(html).toContain(`${'a'.repeat(218)}…`);
    expect(html).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('lists what was not evaluated and why, and which kinds were not collected', () => {
    const { report } = buildRun();
    const v = buildView(report);
    expect(v.coverage.notEvaluated).toEqual([
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
    expect(nist.groups[0].controls[0]).toMatchObject({ id: 'NIST-800-53:AC-6', local: 'AC-6', failing: 2, waived: 2, status: 'fail' });
    const tenets = fw.find((f) => f.prefix === 'NIST-800-207')!.groups[0].controls;
    expect(tenets.find((c) => c.id === 'NIST-800-207:T6')).toMatchObject({ checks: [{ id: 'fake.network-namespace-open', status: 'fail' }, { id: 'fake.rbac-wide-serviceaccount', status: 'fail' }], failing: 3, status: 'fail' });
    // A control whose checks all passed is listed too, as pass.
    expect(tenets.find((c) => c.id === 'NIST-800-207:T2')).toMatchObject({ checks: [{ id: 'fake.tls-ingress', status: 'pass' }], failing: 0, status: 'pass' });
    // A control whose only check could not be judged is not evaluated, never pass.
    const sc8 = nist.groups.find((g) => g.name === 'SC family')!.controls.find((c) => c.id === 'NIST-800-53:SC-8')!;
    expect(sc8).toMatchObject({ status: 'not-evaluated', checks: [{ id: 'fake.tls-ingress', status: 'pass' }, { id: 'fake.tls-needs-traefik', status: 'not-evaluated' }] });
    // Only waived findings: waived.
    expect(nist.counts).toEqual({ fail: 2, waived: 0, pass: 0, 'not-evaluated': 1 });
  });

  it('a control with waived findings and a mapped check not evaluated is "not evaluated", not "waived", in the view and report.csv', () => {
    const { report } = buildRun();
    // SC-8 maps fake.tls-ingress (evaluated) and fake.tls-needs-traefik (not evaluated: no TLSOption kind).
    const tlsIngress = report.checks.find((c) => c.id === 'fake.tls-ingress')!;
    const waivedFinding = {
      ...report.findings[0], fingerprint: 'fp-waived-sc8', check: tlsIngress.id, area: tlsIngress.area, controls: ['NIST-800-53:SC-8'], waived: true,
      resource: { kind: 'Ingress', namespace: 'shop', name: 'legacy' },
    };
    const withWaived: RunReport = {
      ...report,
      findings: [...report.findings, waivedFinding],
      checks: report.checks.map((c) => (c.id === tlsIngress.id ? { ...c, waived: c.waived + 1, evaluated: c.evaluated + 1 } : c)),
    };
    const sc8 = (r: RunReport) => buildView(r).frameworks.find((f) => f.prefix === 'NIST-800-53')!.groups.flatMap((g) => g.controls).find((c) => c.id === 'NIST-800-53:SC-8')!;
    expect(sc8(withWaived)).toMatchObject({ failing: 0, waived: 1, status: 'not-evaluated', statusLabel: 'not evaluated' });
    let csv = '';
    writeCsv(withWaived, { text: (t) => { csv += t; } });
    expect(csv).toMatch(/^NIST SP 800-53 Rev\. 5,NIST-800-53:SC-8,SC family,not evaluated,/m);
    // The same waived finding with every mapped check evaluated: waived.
    const evaluated: RunReport = { ...withWaived, checks: withWaived.checks.map((c) => (c.id === 'fake.tls-needs-traefik' ? { ...c, status: 'pass' as const, reason: undefined } : c)) };
    expect(sc8(evaluated)).toMatchObject({ waived: 1, status: 'waived' });
  });

  it('draws the trend from stored runs plus the current one, scaled to 0-100', () => {
    const { report, trend } = buildRun();
    const t = buildView(report, { trend })!.trend!;
    expect(t.count).toBe(trend.length + 1);
    expect(t.series.find((s) => s.key === 'overall')!.segments).toHaveLength(1);
    // The current run is partial (fake.tls-needs-traefik not evaluated): a hollow point of its own.
    const overall = t.series.find((s) => s.key === 'overall')!.segments[0].points.split(' ');
    expect(overall).toHaveLength(14);
    const last = t.dots.find((d) => d.partial && d.cls === 'series-overall')!;
    expect(last.y).toBeCloseTo(t.plotBottom - ((t.plotBottom - t.plotTop) * 73.5) / 100, 0);
    expect(t.series.find((s) => s.key === 'mtls')).toBeUndefined(); // never scored: no line
    expect(buildView(report, { trend: [] }).trend).toBeNull();
  });

  it('breaks the trend\'s lines at a run without a score and at a partial run, whose points are hollow on every line, saying why', () => {
    const { report, trend } = buildRun();
    const points = trend.map((p, i) => (i === 5 ? { ...p, overall: null, areas: { ...p.areas, network: null } } : i === 9 ? { ...p, partial: true } : p));
    const t = buildView(report, { trend: points })!.trend!;
    const xOf = (i: number) => Math.round((t.plotLeft + ((t.plotRight - t.plotLeft) * i) / (t.count - 1)) * 10) / 10;
    // 14 stored runs and the current one; the 6th has no score, the 10th and the current one
    // (fake.tls-needs-traefik could not be evaluated: README, a partial run) are partial: 5 points, 3, then 4.
    expect(isPartialRun(report)).toBe(true);
    const lengths = (key: string) => t.series.find((s) => s.key === key)!.segments.map((s) => s.points.split(' ').length);
    expect(lengths('overall')).toEqual([5, 3, 4]);
    expect(lengths('network')).toEqual([5, 3, 4]);
    // Filled overall points for the 12 complete runs with a score; hollow ones at the partial runs, one per scored line.
    expect(t.dots.filter((d) => !d.partial)).toHaveLength(12);
    const hollowAt9 = t.dots.filter((d) => d.partial && d.x === xOf(9));
    expect(hollowAt9.map((d) => d.cls)).toEqual(['series-overall', 'series-network', 'series-tls', 'series-rbac', 'series-pod-security']);
    expect(t.dots.filter((d) => d.partial && d.x === xOf(14)).map((d) => d.cls)).toContain('series-overall');
    expect(hollowAt9[0].title).toMatch(/ UTC — overall [\d.]+ — partial run: its scores cover only what could be read and evaluated, so they do not compare with the others$/);
    expect(hollowAt9[1].title).toMatch(/ UTC — network segmentation [\d.]+ — partial run: /);
    expect(t.dots.find((d) => !d.partial)!.title).toMatch(/ UTC — overall [\d.]+$/);
    expect(t.partialCount).toBe(2);
    const html = renderHtml(report, { trend: points });
    const svg = html.slice(html.indexOf('<section id="trend"'), html.indexOf('</section>', html.indexOf('<section id="trend"')));
    expect(svg.match(/<polyline class="series-overall"/g)).toHaveLength(3);
    expect(svg.match(/<circle class="partial series-overall"/g)).toHaveLength(2);
    expect(svg.match(/<circle class="partial series-network"/g)?.length).toBeGreaterThanOrEqual(1);
    expect(svg).toContain('Hollow points are partial runs (2), left unjoined on every line');
  });

  // The reviewer's case (README "Scoring": a partial view never looks like a clean "100.0 A"): a
  // run that could not list NetworkPolicies scores network 100 between two complete runs at 84.2.
  it('never draws a partial run\'s area score into a line: network 100 between two runs at 84.2 is a hollow marker, not a spike', () => {
    const { report } = buildRun();
    const at = (h: number) => new Date(Date.parse(report.run.startedAt) - h * 3_600_000).toISOString();
    const areas = { network: 84.2, tls: 51.7, rbac: 68.7, 'pod-security': 71.9, mtls: 69.1 };
    const points = [
      { id: 'a', startedAt: at(2), overall: 69.1, areas },
      { id: 'b', startedAt: at(1), overall: 73.8, areas: { ...areas, network: 100, tls: 59.1 }, partial: true },
      { id: report.run.id, startedAt: report.run.startedAt, overall: 69.1, areas },
    ];
    const t = buildView(report, { trend: points })!.trend!;
    const y100 = t.plotTop;
    const net = t.series.find((s) => s.key === 'network')!;
    expect(net.segments.some((s) => s.points.split(' ').some((p) => Number(p.split(',')[1]) === y100))).toBe(false);
    expect(net.segments.every((s) => s.lone)).toBe(true);
    const hollow = t.dots.filter((d) => d.partial);
    expect(hollow.find((d) => d.cls === 'series-network')).toMatchObject({ y: y100 });
    expect(hollow.find((d) => d.cls === 'series-network')!.title).toMatch(/network segmentation 100 — partial run/);
    expect(hollow).toHaveLength(6);
  });

  // The reviewer's fleet: partial runs (RBAC n/a) between complete ones leave every series a lone
  // point per complete run, with RBAC 69.7 and mTLS 69.1 within a pixel or two of overall 67.4.
  it('draws every series\' lone points over the overall markers, each smaller than the one before, so none hides another', () => {
    const { report } = buildRun();
    const at = (h: number) => new Date(Date.parse(report.run.startedAt) - h * 3_600_000).toISOString();
    const full = { network: 83, tls: 43.3, rbac: 69.7, 'pod-security': 71.9, mtls: 69.1 };
    const blind = { ...full, rbac: null };
    const points = [
      { id: 'a', startedAt: at(3), overall: 67.4, areas: full },
      { id: 'b', startedAt: at(2), overall: 66.8, areas: blind, partial: true },
      { id: 'c', startedAt: at(1), overall: 67.4, areas: full },
      { id: report.run.id, startedAt: report.run.startedAt, overall: 66.8, areas: blind, partial: true },
    ];
    const t = buildView(report, { trend: points })!.trend!;
    const lone = t.loneDots.filter((d) => d.x === t.plotLeft);
    expect(lone.map((d) => d.cls)).toEqual(['series-overall', 'series-network', 'series-tls', 'series-rbac', 'series-pod-security', 'series-mtls']);
    expect(lone.map((d) => d.r)).toEqual([...lone.map((d) => d.r)].sort((p, q) => q - p));
    expect(new Set(lone.map((d) => d.r)).size).toBe(6);
    expect(lone.find((d) => d.cls === 'series-rbac')!.title).toMatch(/ UTC — rbac breadth 69\.7$/);
    const html = renderHtml(report, { trend: points });
    const svg = html.slice(html.indexOf('<section id="trend"'), html.indexOf('</section>', html.indexOf('<section id="trend"')));
    const circles = [...svg.matchAll(/<circle( class="([^"]*)")? cx="[\d.]+" cy="[\d.]+" r="([\d.]+)">/g)].map((m) => m[2] ?? 'overall-marker');
    // The overall markers first, then the lone points (drawn over them), then the partial runs' hollow markers.
    const lastMarker = circles.lastIndexOf('overall-marker');
    const firstLone = circles.findIndex((c) => c.startsWith('lone '));
    expect(lastMarker).toBeGreaterThanOrEqual(0);
    expect(firstLone).toBeGreaterThan(lastMarker);
    expect(circles.filter((c) => c === 'lone series-rbac')).toHaveLength(2);
    expect(circles.findIndex((c) => c.startsWith('partial '))).toBeGreaterThan(circles.findLastIndex((c) => c.startsWith('lone ')));
    // Not a zero-length polyline any more (a round cap under the overall markers).
    expect(svg).not.toMatch(/<polyline class="[^"]*lone/);
  });

  it('orders the exceptions register by urgency', () => {
    const { report } = buildRun();
    expect(buildView(report).waivers.map((w) => w.state)).toEqual(['expiring-soon', 'unmatched', 'active']);
  });

  it('shows a waiver whose check was not evaluated as such, with the reason, before the unmatched ones', () => {
    const { report } = buildRun();
    const blind = { ...report.waivers.find((w) => w.state === 'unmatched')!, state: 'not-evaluated' as const, notEvaluated: 'needs clusterrolebindings: forbidden <b>' };
    report.waivers.push(blind);
    const view = buildView(report);
    expect(view.waivers.map((w) => w.state)).toEqual(['expiring-soon', 'not-evaluated', 'unmatched', 'active']);
    expect(view.waivers[1]!.stateLabel).toBe('check not evaluated');
    const html = renderHtml(report);
    expect(html).toContain('<span class="pill not-evaluated">check not evaluated</span><br><small>needs clusterrolebindings: forbidden &lt;b&gt;</small>');
  });
});

describe('buildView exceptions register: a waiver that misses an open finding', () => {
  it('says so, naming the finding (escaped), not "matches nothing"', () => {
    const { report } = buildRun();
    const w = report.waivers.find((x) => x.state === 'unmatched')!;
    w.openFinding = { fingerprint: 'abc', resource: { kind: 'ServiceAccount', namespace: 'kube-system', name: 'ci<b>' }, more: 1, coveredIn: 'run-1', notNamed: { kind: 'Role', namespace: 'payments', name: 'ops' } };
    const row = buildView(report).waivers.find((x) => x.state === 'unmatched')!;
    expect(row.stateLabel).toBe('misses an open finding');
    expect(renderHtml(report)).toContain('<span class="pill unmatched">misses an open finding</span><br><small>open: ServiceAccount kube-system/ci&lt;b&gt; (and 1 more), covered in run run-1; also stems from Role payments/ops, not named</small>');
  });
});

describe('buildView posture', () => {
  const base = () => buildRun().report;
  const coverage = (statuses: Record<string, 'ok' | 'forbidden' | 'absent' | 'error'>): RunReport['run']['coverage'] =>
    Object.fromEntries(Object.entries(statuses).map(([k, status]) => [k, { status }]));

  it('lists the 10 broadest subjects, broadest first, with growth since the last run where the diff has it', () => {
    const r = withPosture(base(), { subjects: 14 });
    r.details.rbac!.breadth.reverse(); // the view orders, whatever order report.json holds
    const rbac = buildView(r).posture.rbac;
    expect(rbac.omitted).toBe('');
    expect(rbac.rows).toHaveLength(10);
    expect(rbac.listed).toBe(14);
    expect(rbac.rows.map((x) => x.name).slice(0, 3)).toEqual(['sa-0', 'group-1', 'sa-2']);
    // A diff stored before breadthBefore was recorded has only the growth.
    expect(rbac.rows[0]).toMatchObject({ rank: 1, kind: 'ServiceAccount', namespace: 'ci', breadth: '14,007', barPercent: 100, change: { state: 'none' } });
    expect(rbac.rows[1].change).toEqual({ state: 'moved', before: '800', after: '13,007', percent: '+1525.9%', cls: 'down', sinceRun: '' });
    expect(rbac.rows[9]).toMatchObject({ rank: 10, breadth: '5,007', barPercent: 36 });
    expect(rbac.rows.filter((x) => x.change.state === 'moved')).toHaveLength(1);
    expect(rbac.growthElsewhere).toBe(0);
    // Compared with a run older than the previous one (the last counted against the same
    // resource list): the row names it, since the previous run's own breadth may differ.
    r.diff!.breadthBaselineRunId = 'run-one';
    expect(buildView(r).posture.rbac.rows[1].change).toEqual({ state: 'moved', before: '800', after: '13,007', percent: '+1525.9%', cls: 'down', sinceRun: 'run-one' });
  });

  // The reviewer's case: "—" (reads as unchanged) for a subject that did not exist last run and
  // for one whose access shrank. The diff carries the compared run's breadth of the listed subjects.
  describe('RBAC breadth since the last run, from the diff', () => {
    const sub = (kind: string, name: string, namespace?: string) => ({ kind, name, ...(namespace ? { namespace } : {}) });
    const A = sub('ServiceAccount', 'deployer', 'ci'), B = sub('Group', 'ops'), C = sub('User', 'newcomer'), D = sub('Group', 'viewers');
    const runs = () => {
      const { report, previous, config } = demoRun({ baselineRbac: true });
      report.details.rbac = { ...report.details.rbac!, breadth: [{ subject: A, breadth: 100 }, { subject: B, breadth: 50 }, { subject: C, breadth: 30 }, { subject: D, breadth: 20 }] };
      previous.details.rbac = { ...previous.details.rbac!, breadth: [{ subject: A, breadth: 80 }, { subject: B, breadth: 70 }, { subject: D, breadth: 20 }] };
      return { report, previous, config };
    };

    it('a new subject says "new", shrunk access "70 → 50 −28.6%", grown "80 → 100 +25%", the same "unchanged"', () => {
      const { report, previous, config } = runs();
      report.diff = diffRuns(previous, report, { rules: config.regression, expiredWaivers: [] });
      expect(report.diff.breadthBefore).toEqual([{ subject: A, before: 80 }, { subject: B, before: 70 }, { subject: C, before: null }, { subject: D, before: 20 }]);
      const rows = buildView(report).posture.rbac.rows;
      expect(rows.map((r) => [r.name, r.change.state, r.change.before, r.change.after, r.change.percent, r.change.cls])).toEqual([
        ['deployer', 'moved', '80', '100', '+25%', 'down'],
        ['ops', 'moved', '70', '50', '−28.6%', 'up'],
        ['newcomer', 'new', '', '', '', 'down'],
        ['viewers', 'same', '', '', '', 'flat'],
      ]);
      const html = renderHtml(report);
      const table = html.slice(html.indexOf('<div class="posture-part" id="posture-rbac">'), html.indexOf('<div class="posture-part" id="posture-mtls">'));
      expect(table).toContain('70 → 50 <span class="delta up">−28.6%</span>');
      expect(table).toContain('<span class="delta down">new</span>');
      expect(table).toContain('<span class="faint">unchanged</span>');
      expect(table).not.toContain('—');
    });

    it('carries only the listed subjects\' breadth (the 10 broadest), not every subject\'s', () => {
      const { report, previous, config } = runs();
      const many = Array.from({ length: 500 }, (_, i) => ({ subject: sub('User', `u-${String(i).padStart(3, '0')}`), breadth: 1000 + i }));
      report.details.rbac!.breadth = many;
      previous.details.rbac!.breadth = many.map((e) => ({ ...e, breadth: e.breadth - 1 }));
      const d = diffRuns(previous, report, { rules: config.regression, expiredWaivers: [] });
      expect(d.breadthBefore!.map((b) => [b.subject.name, b.before])).toEqual(Array.from({ length: 10 }, (_, k) => [`u-${499 - k}`, 1498 - k]));
    });

    it('runs counted over different resource lists are not compared: every row says so, and the section says why', () => {
      const { report, previous, config } = runs();
      previous.details.rbac!.breadthBasis = 'built-in';
      report.details.rbac!.breadthBasis = 'served';
      report.diff = diffRuns(previous, report, { rules: config.regression, expiredWaivers: [] });
      expect(report.diff.breadthBefore).toBeUndefined();
      const rbac = buildView(report).posture.rbac;
      expect(rbac.rows.every((r) => r.change.state === 'not-compared')).toBe(true);
      expect(rbac.notCompared).toBe(report.diff.breadthNotCompared);
      expect(rbac.notCompared).toMatch(/^RBAC breadth not compared: run run-20261125-0200 counted it against the built-in resource list/);
      expect(renderHtml(report)).toContain('<p class="more breadth-not-compared">RBAC breadth not compared: ');
    });
  });

  it('counts growth of subjects outside the top 10 instead of dropping it silently', () => {
    const r = withPosture(base(), { subjects: 14 });
    r.diff!.breadthGrowth.push({ subject: { kind: 'Group', name: 'group-13' }, before: 10, after: 1007, growthPercent: 9970 });
    expect(buildView(r).posture.rbac.growthElsewhere).toBe(1);
  });

  it('counts workloads per mTLS mode in a contiguous bar and lists the ones not STRICT or authenticated, worst first', () => {
    const r = withPosture(base(), { meshWorkloads: 12 });
    r.details.mtls!.workloads.push({ workload: { kind: 'StatefulSet', namespace: 'db', name: 'pg' }, mesh: 'istio', mode: 'STRICT', posture: 'authenticated', ports: { '9187': 'PERMISSIVE', '5432': 'STRICT' }, weakPorts: { '9187': 'PERMISSIVE' } });
    const m = buildView(r).posture.mtls;
    expect(m.total).toBe(13);
    expect(m.bars.map((b) => [b.key, b.count, b.cls])).toEqual([
      ['STRICT', 3, 'good'], ['linkerd:all-authenticated', 2, 'good'], ['PERMISSIVE', 2, 'warn'],
      ['DISABLE', 2, 'bad'], ['linkerd:all-unauthenticated', 2, 'bad'], ['none', 2, 'none'],
    ]);
    expect(m.bars.find((b) => b.key === 'none')!.label).toBe('outside the mesh');
    for (let i = 1; i < m.bars.length; i++) expect(m.bars[i].x).toBeCloseTo(m.bars[i - 1].x + m.bars[i - 1].width, 0);
    expect(m.bars.reduce((s, b) => s + b.width, 0)).toBeCloseTo(1000, 0);
    // The STRICT workload with a PERMISSIVE port is not counted as secure and is listed.
    expect(m.secure).toBe(4);
    expect(m.securePercent).toBe('30.8%');
    expect(m.notStrict).toBe(9);
    // Worst first: plaintext from anyone, outside the mesh, permissive, then authenticated with a weak port.
    expect(m.rows.map((x) => x.cls)).toEqual(['bad', 'bad', 'bad', 'bad', 'none', 'none', 'warn', 'warn', 'good']);
    expect(new Set(m.rows.slice(0, 4).map((x) => x.mode))).toEqual(new Set(['DISABLE', 'linkerd:all-unauthenticated']));
    expect(m.rows[8]).toMatchObject({ kind: 'StatefulSet', namespace: 'db', name: 'pg', mesh: 'istio', ports: '9187: PERMISSIVE' });
    expect(m.rows.some((x) => x.mode === 'linkerd:all-authenticated')).toBe(false);
    expect(m.more).toBe(0);
  });

  it('lists workloads reachable from outside first, with how, then those open to every namespace', () => {
    const r = withPosture(base(), { exposed: 6 });
    r.details.network!.exposure.push({
      workload: { kind: 'Deployment', namespace: 'aaa', name: 'walled' }, podCount: 1, fromAllNamespaces: false, ingressIsolated: true,
      external: [{ via: 'NodePort', through: { kind: 'Service', namespace: 'aaa', name: 'np' }, ports: 'TCP 80', allowedByPolicy: false }],
    });
    const e = buildView(r).posture.exposure;
    expect(e).toMatchObject({ omitted: '', total: 7, external: 4, fromAllNamespaces: 4, more: 0 });
    expect(e.via).toEqual([{ via: 'LoadBalancer', count: 2 }, { via: 'NodePort', count: 2 }, { via: 'Ingress', count: 4 }]);
    expect(e.rows.map((x) => x.name)).toEqual(['web-00000', 'web-00001', 'web-00003', 'web-00004', 'web-00002', 'web-00005', 'walled']);
    expect(e.rows[0].paths).toEqual([
      { via: 'Ingress', through: 'Ingress edge/ing-0', ports: 'TCP 8443', policy: 'through the ingress controller', blocked: false },
      { via: 'LoadBalancer', through: 'Service edge/lb-0', ports: 'TCP 443', policy: 'admitted by NetworkPolicy', blocked: false },
    ]);
    expect(e.rows[4]).toMatchObject({ paths: [], fromAllNamespaces: true, podCount: '2' });
    expect(e.rows[6].paths[0]).toMatchObject({ via: 'NodePort', policy: 'blocked by NetworkPolicy', blocked: true });
    // A workload behind many Services lists a few paths, admitted ones first, and counts the rest.
    const many = r.details.network!.exposure[0];
    many.external = Array.from({ length: 7 }, (_, i) => ({ via: 'NodePort' as const, through: { kind: 'Service', namespace: 'edge', name: `np-${i}` }, ports: 'TCP 80', allowedByPolicy: i !== 0 }));
    const row = buildView(r).posture.exposure.rows[0];
    expect(row.paths.map((x) => x.through)).toEqual(['Service edge/np-1', 'Service edge/np-2', 'Service edge/np-3', 'Service edge/np-4']);
    expect(row.pathsMore).toBe(3);
  });

  it('lists where traffic may leave: each external destination with the object allowing it, counted by kind', () => {
    const r = withPosture(base(), { exposed: 1 });
    r.details.network!.egress = [
      { kind: 'world', value: 'entity world', source: { kind: 'CiliumNetworkPolicy', namespace: 'pay', name: 'open' } },
      { kind: 'ipBlock', value: '203.0.113.0/24', source: { kind: 'NetworkPolicy', namespace: 'shop', name: 'out' } },
      { kind: 'fqdn', value: '*.stripe.com', source: { kind: 'CiliumNetworkPolicy', namespace: 'pay', name: 'fqdn' } },
      { kind: 'ServiceEntry', value: 'api.stripe.com', source: { kind: 'ServiceEntry', namespace: 'pay', name: 'stripe' } },
    ];
    const e = buildView(r, { maxPostureRows: 3 }).posture.egress;
    expect(e.omitted).toBe('');
    expect(e.counts).toEqual([{ kind: 'any address', count: 1 }, { kind: 'address range', count: 1 }, { kind: 'DNS name', count: 1 }, { kind: 'ServiceEntry host', count: 1 }]);
    expect(e.rows).toEqual([
      { kind: 'any address', value: 'entity world', source: 'CiliumNetworkPolicy pay/open' },
      { kind: 'address range', value: '203.0.113.0/24', source: 'NetworkPolicy shop/out' },
      { kind: 'DNS name', value: '*.stripe.com', source: 'CiliumNetworkPolicy pay/fqdn' },
    ]);
    expect(e.more).toBe(1);
    // A report stored before the list existed says so instead of "nothing leaves".
    delete r.details.network!.egress;
    expect(buildView(r).posture.egress.omitted).toBe('External destinations were not computed for this run.');
  });

  it('caps the posture tables at 50 rows and counts the rest, keeping the worst', () => {
    const r = withPosture(syntheticReport(1_000), { subjects: 200, meshWorkloads: 30_000, exposed: 30_000 });
    const started = performance.now();
    const p = buildView(r).posture;
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(p.rbac.rows).toHaveLength(10);
    expect(p.mtls.rows).toHaveLength(50);
    expect(p.mtls.notStrict).toBe(20_000);
    expect(p.mtls.more).toBe(20_000 - 50);
    expect(new Set(p.mtls.rows.map((x) => x.cls))).toEqual(new Set(['bad']));
    expect(p.mtls.rows[0].namespace).toBe('team-00');
    expect(p.exposure.rows).toHaveLength(50);
    expect(p.exposure.more).toBe(30_000 - 50);
    expect(p.exposure.external).toBe(20_000);
    expect(p.exposure.rows.every((x) => x.paths.length > 0)).toBe(true);
    expect(buildView(r, { maxPostureRows: 5 }).posture.exposure.rows).toHaveLength(5);
  });

  it('omits each part with the reason when its details are absent', () => {
    const r = base();
    r.details = {};
    r.run.coverage = coverage({ roles: 'ok', clusterroles: 'forbidden', rolebindings: 'ok', clusterrolebindings: 'ok', pods: 'ok', namespaces: 'ok', networkpolicies: 'ok', services: 'ok' });
    const p = buildView(r).posture;
    expect(p.rbac).toMatchObject({ omitted: 'RBAC kinds were not collected (clusterroles: forbidden).', rows: [] });
    expect(p.mtls).toMatchObject({ omitted: 'No service mesh (Istio, Linkerd or Consul) was found, so no workload has an mTLS mode.', rows: [], bars: [] });
    expect(p.exposure).toMatchObject({ omitted: 'Network kinds were not collected (ingresses: not collected).', rows: [] });
    r.run.coverage = coverage({ pods: 'error', namespaces: 'ok' });
    expect(buildView(r).posture.mtls.omitted).toBe('Pods or namespaces were not collected (pods: error).');
    // Present but empty is not omitted: it is shown as "nothing".
    r.details = { rbac: { breadth: [] }, mtls: { workloads: [] }, network: { exposure: [] } };
    const empty = buildView(r).posture;
    expect([empty.rbac.omitted, empty.mtls.omitted, empty.exposure.omitted]).toEqual(['', '', '']);
    expect(empty.exposure.rows).toEqual([]);
  });


});

describe('row order', () => {
  // Rendered under a Danish locale, a locale-default collation sorts "aa" (å) after "z".
  const orderUnder = (locale: string): string => {
    const script = `
      import { byRef, compareFindings } from ${JSON.stringify(join(ROOT, 'src/report/view/format.ts'))};
      const names = ['b', 'aa', 'z', 'ab'];
      const refs = names.map((name) => ({ kind: 'Namespace', namespace: '', name })).sort(byRef).map((r) => r.name);
      const findings = names.map((name, i) => ({ waived: false, severity: 'high', resource: { kind: 'Pod', namespace: name, name }, fingerprint: String(i) }))
        .sort(compareFindings).map((f) => f.resource.name);
      console.log(JSON.stringify({ refs, findings, same: 'aa'.localeCompare('z') }));`;
    return execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, LC_ALL: locale, LANG: locale }, encoding: 'utf8' });
  };

  it('does not depend on the machine\'s locale', () => {
    const da = JSON.parse(orderUnder('da_DK.UTF-8')) as { refs: string[]; findings: string[]; same: number };
    const c = JSON.parse(orderUnder('C.UTF-8')) as typeof da;
    expect(da.same, 'the child process sorts Danish (else this test proves nothing)').toBe(1);
    expect(da.refs).toEqual(['aa', 'ab', 'b', 'z']);
    expect(da.findings).toEqual(['aa', 'ab', 'b', 'z']);
    expect(c).toEqual({ ...da, same: -1 });
  });

  it('names a locale at every localeCompare of the view', () => {
    const dir = join(ROOT, 'src/report/view');
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const m of text.matchAll(/\.localeCompare\(((?:[^()]|\([^()]*\))*)\)/g)) expect(m[1], `${file}: ${m[0]}`).toMatch(/, 'en'/);
    }
  });
});
