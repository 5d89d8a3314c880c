// Every score change is explained: per area, the listed causes add up to the delta between the
// two shown scores — including changes with no new and no resolved finding (the case a
// reviewer could not explain before: a deleted policy whose pods other policies still isolate).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKS } from '../../../checks/index.ts';
import { runDetails } from '../../../src/analysis/details.ts';
import { AREAS } from '../../../src/base/vocabulary.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { main } from '../../../src/cli/main.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { readSnapshot, writeSnapshot } from '../../../src/snapshot/io.ts';
import type { KindKey } from '../../../src/snapshot/kinds.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { ROOT, demoRun } from '../report/demo.ts';

const sumOf = (r: RunReport, area: (typeof AREAS)[number]) =>
  Math.round((r.diff!.scoreChanges![area]?.causes ?? []).reduce((s, c) => s + c.points, 0) * 10) / 10;

describe('score-change causes', () => {
  it('explains a drop with no new and no resolved finding: passing results of a deleted policy left the score', () => {
    const { report, previous } = demoRun({
      baselineRbac: true,
      change: (s) => { s.resources.networkpolicies = s.resources.networkpolicies!.filter((p) => !(p.metadata?.namespace === 'shop' && p.metadata?.name === 'default-deny')); },
    });
    const d = report.diff!;
    expect(d.new).toEqual([]);
    expect(d.resolved).toEqual([]);
    const net = d.scoreChanges!.network!;
    expect([net.before, net.after]).toEqual([previous.score.areas.network, report.score.areas.network]);
    expect(net.delta).toBe(Math.round((report.score.areas.network! - previous.score.areas.network!) * 10) / 10);
    expect(net.delta).toBeLessThan(0);
    expect(net.causes.length).toBeGreaterThan(0);
    expect(net.causes.every((c) => c.kind === 'passes-removed' && c.count === 1)).toBe(true);
    expect(sumOf(report, 'network')).toBe(net.delta);
    // Nothing else moved.
    expect(Object.keys(d.scoreChanges!)).toEqual(['network']);
  });

  it('adds up in every area of the demo run (new findings, more passes, severities mixed)', () => {
    const { report, previous } = demoRun();
    const changes = report.diff!.scoreChanges!;
    expect(Object.keys(changes).length).toBeGreaterThan(0);
    for (const area of AREAS) {
      const ch = changes[area];
      if (!ch) { expect(report.score.areas[area]).toBe(previous.score.areas[area]); continue; }
      expect(sumOf(report, area), area).toBe(ch.delta);
      expect(ch.causes.some((c) => c.kind === 'unitemised'), area).toBe(false);
    }
    const rbac = changes.rbac!;
    const newCount = rbac.causes.filter((c) => c.kind === 'new-findings').reduce((s, c) => s + c.count, 0);
    expect(newCount).toBe(report.diff!.new.filter((fp) => report.findings.find((f) => f.fingerprint === fp)?.area === 'rbac').length);
  });

  it('names the checks that left the score (now not evaluated) and how many results each took with it', () => {
    const { report } = demoRun({
      baselineRbac: true,
      change: (s) => { s.coverage.networkpolicies = { status: 'forbidden', detail: 'list networkpolicies: 403' }; },
    });
    const all = Object.values(report.diff!.scoreChanges!).flatMap((c) => c!.causes);
    const left = all.filter((c) => c.kind === 'check-not-evaluated');
    expect(left.length).toBeGreaterThan(0);
    for (const c of left) expect(c.text).toMatch(/^now not-evaluated \(needs networkpolicies: forbidden/);
    for (const area of AREAS) {
      const ch = report.diff!.scoreChanges![area];
      if (ch && ch.delta !== null) expect(sumOf(report, area), area).toBe(ch.delta);
    }
  });

  it('a check re-weighted in config is no score-drop regression; its cause names the severity change, not new and resolved findings', () => {
    const { config } = loadConfig(join(ROOT, 'examples/ztaudit.demo.yaml'), ROOT, new Set(CHECKS.map((c) => c.id)));
    const id = 'network.namespace-default-deny-egress';
    const heavier = { ...config, checks: { ...config.checks, [id]: { ...config.checks[id], severity: 'critical' as const } } };
    const audit = (c: typeof config, runId: string, at: string) => {
      const snapshot = loadManifests([join(ROOT, 'examples/demo-cluster')], { clusterName: 'demo', clusterVersion: 'v1.36.3' });
      return auditSnapshot({ snapshot, config: c, checks: CHECKS, now: new Date(at), startedAt: new Date(at), runId, details: runDetails }).report;
    };
    const before = audit(config, 'a', '2026-11-25T02:00:00Z');
    const after = audit(heavier, 'b', '2026-11-26T02:00:00Z');
    const was = before.checks.find((c) => c.id === id)!.severity;
    expect(was).not.toBe('critical');
    expect(after.score.areas.network! - before.score.areas.network!).toBeLessThan(-1);
    const d = diffRuns(before, after, { rules: { ...config.regression, areaScoreDrop: 1 }, expiredWaivers: [] });
    expect(d).toMatchObject({ new: [], resolved: [], regression: false, regressionReasons: [] });
    expect(d.scoreDelta.areas.network).toBeNull();
    expect(d.scoreDelta.overall).toBeNull();
    const net = d.scoreChanges!.network!;
    expect(net.causes.map((c) => [c.kind, c.check])).toEqual([['severity-changed', id]]);
    expect(net.causes[0].text).toMatch(new RegExp(`^severity of ${id} changed ${was} → critical: `));
    // No delta, as in scoreDelta: the cause is named, without points.
    expect(net.delta).toBeNull();
    expect(net.causes[0].points).toBe(0);
  });
});

// A partial run leaves checks to be compared with an older run (RunDiff.olderBaselines). The
// previous run's stored score was computed without them, so scoreDelta gives their area no
// delta; the causes must not weigh against that score either, or the HTML invents a change
// that the summary cards, report.md and report.json's scoreDelta do not show.
describe('score-change causes after a partial run', () => {
  const cwd = ROOT;
  const quiet = { stdout: () => {}, stderr: () => {}, env: {}, isTTY: false, cwd };

  /** The demo manifests as a snapshot file, `edit`ed first. */
  async function snapshotOf(dir: string, name: string, edit: (s: Snapshot) => void = () => {}): Promise<string> {
    const file = join(dir, `${name}.snap.json.gz`);
    expect(await main(['snapshot', '--manifests', 'examples/demo-cluster', '-o', file, '-q'], quiet)).toBe(0);
    const s = await readSnapshot(file);
    edit(s);
    writeSnapshot(file, s);
    return file;
  }
  const forbid = (...kinds: KindKey[]) => (s: Snapshot) => {
    for (const k of kinds) { s.coverage[k] = { status: 'forbidden', detail: `list ${k}: 403` }; delete s.resources[k]; }
  };

  /** `ztaudit run` of each snapshot in turn into one history; the last run's three outputs. */
  async function runAll(dir: string, snapshots: string[]) {
    for (const [i, snap] of snapshots.entries()) {
      const err: string[] = [];
      const code = await main(['run', '--snapshot', snap, '--config', 'examples/ztaudit.demo.yaml', '--cluster', 'demo', '--history', join(dir, 'c.db'), '--out', join(dir, `c${i + 1}`), '--no-notify', '--format', 'json,html,md', '-q'], { ...quiet, stderr: (t: string) => err.push(t) });
      expect(code, err.join('')).toBe(0);
    }
    const out = join(dir, `c${snapshots.length}`);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const changes = html.slice(html.indexOf('<h3>Why the scores moved</h3>'), html.indexOf('<h3>New findings</h3>'));
    return { report, changes, md: readFileSync(join(out, 'report.md'), 'utf8') };
  }

  const agreeWithScoreDelta = (report: RunReport) => {
    for (const area of AREAS) {
      const ch = report.diff!.scoreChanges![area];
      if (ch) expect(ch.delta, area).toBe(report.diff!.scoreDelta.areas[area]);
      if (ch && ch.delta === null) expect(ch.causes.every((c) => c.points === 0 && c.kind !== 'unitemised'), area).toBe(true);
    }
  };

  it('the same cluster audited again after a run that could not list ConfigMaps: no score moved, in report.json, report.html and report.md alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-causes-'));
    const full = await snapshotOf(dir, 'demo');
    const blind = await snapshotOf(dir, 'cm-forbidden', forbid('configmaps'));
    const { report, changes, md } = await runAll(dir, [full, blind, full]);
    const d = report.diff!;
    expect([d.new, d.resolved]).toEqual([[], []]);
    // The TLS and mesh checks that need ConfigMaps were compared with the first run.
    expect(Object.keys(d.olderBaselines ?? {})).toEqual(expect.arrayContaining(['tls.hsts-disabled', 'mtls.mesh-not-strict']));
    expect([d.scoreDelta.areas.tls, d.scoreDelta.areas.mtls]).toEqual([null, null]);
    agreeWithScoreDelta(report);
    expect(d.scoreChanges).toEqual({});
    expect(changes).toContain('No area score moved.');
    expect(changes).not.toContain('does not itemise');
    expect(md).toMatch(/\n\| TLS at the edge \| [\d.]+ \| [A-F] \| – \|\n/);
  });

  it('RBAC not evaluated in the previous run: its findings resolved since the older run are listed without points, the area without a delta', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-causes-'));
    const full = await snapshotOf(dir, 'demo');
    const blind = await snapshotOf(dir, 'rbac-forbidden', forbid('clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'));
    const fewer = await snapshotOf(dir, 'fewer-bindings', (s) => {
      for (const k of ['clusterrolebindings', 'rolebindings'] as const) {
        s.resources[k] = (s.resources[k] ?? []).slice(0, 1);
        s.coverage[k] = { ...s.coverage[k]!, count: 1 };
      }
    });
    const { report, changes } = await runAll(dir, [full, blind, fewer]);
    const d = report.diff!;
    expect(d.resolved.length).toBeGreaterThan(0);
    expect(d.scoreDelta.areas.rbac).toBeNull();
    agreeWithScoreDelta(report);
    const rbac = d.scoreChanges!.rbac!;
    const resolved = rbac.causes.filter((c) => c.kind === 'resolved-findings');
    expect(resolved.length).toBeGreaterThan(0);
    expect(resolved.every((c) => c.points === 0)).toBe(true);
    const area = changes.slice(changes.indexOf('data-area="rbac"'));
    const block = area.slice(0, area.indexOf('</div>\n    </div>'));
    expect(block).toContain('data-delta="n/a"');
    expect(block).toContain('resolved finding');
    expect(block).not.toContain('data-points');
    expect(block).not.toContain('±0');
    expect(block).toContain('No delta: the two scores do not weigh the same checks');
  });
});

// One persisting finding whose severity changed (same fingerprint) is neither new nor resolved:
// the diff lists no new and no resolved finding, so "Why the scores moved" must not either.
describe('score-change causes of a finding whose severity changed', () => {
  /** Today's demo run with the partner-api Certificate's notAfter moved to `notAfter`. */
  const certRun = (notAfter: string) => demoRun({
    baselineRbac: true,
    change: (s) => {
      const cert = s.resources['certmanager.certificates']!.find((c) => c.metadata?.namespace === 'payments' && c.metadata?.name === 'partner-api')!;
      (cert.status as { notAfter: string }).notAfter = notAfter;
    },
  });

  it('a certificate that has now expired is "1 finding escalated medium → critical" with the weight difference, not a new and a resolved finding', () => {
    const { report, previous } = certRun('2026-11-20T00:00:00Z');
    const d = report.diff!;
    expect(d).toMatchObject({ new: [], resolved: [] });
    const was = previous.findings.find((f) => f.check === 'tls.certificate-expiring' && f.resource.name === 'partner-api')!;
    const now = report.findings.find((f) => f.fingerprint === was.fingerprint)!;
    expect([was.severity, now.severity]).toEqual(['medium', 'critical']);
    const tls = d.scoreChanges!.tls!;
    expect(tls.causes.map((c) => [c.kind, c.check, c.count, c.text])).toEqual([
      ['severity-changed', 'tls.certificate-expiring', 1, '1 finding escalated medium → critical'],
    ]);
    expect(tls.delta).toBeLessThan(0);
    expect(tls.causes[0].points).toBe(tls.delta);
    // The tls drop is an escalation, not new findings: the alert does not count it as such.
    expect(d.regressionReasons).toContain('escalated medium → critical: tls.certificate-expiring on Certificate payments/partner-api');
    expect(d.regressionReasons.some((r) => r.startsWith('tls score dropped'))).toBe(true);
    expect(d.newFindingReasons).toBeUndefined();
  });

  it('the way back is "1 finding de-escalated critical → medium", adding up to the rise', () => {
    const { report: first } = certRun('2026-11-20T00:00:00Z');
    const { report: second, config } = demoRun({ baselineRbac: true });
    const d = diffRuns(first, second, { rules: config.regression, expiredWaivers: [] });
    expect(d).toMatchObject({ new: [], resolved: [] });
    const tls = d.scoreChanges!.tls!;
    expect(tls.causes.map((c) => c.text)).toEqual(['1 finding de-escalated critical → medium']);
    expect(tls.delta).toBeGreaterThan(0);
    expect(tls.causes[0].points).toBe(tls.delta);
  });
});

describe('score-change causes: passing results that went', () => {
  // A ClusterRoleBinding to cluster-admin (kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles:
  // "cluster-admin ... gives full control over every resource in the cluster") for a ServiceAccount
  // the cluster already had: the same objects are evaluated, and results that passed now fail.
  const backendAdmin = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'backend-admin' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'backend', namespace: 'shop' }] };
  const causeOf = (r: RunReport, check: string) => r.diff!.scoreChanges!.rbac!.causes.find((c) => c.check === check && c.kind === 'passes-removed')!;

  it('an existing ServiceAccount bound to cluster-admin: its passing results are "now failing", not objects deleted', () => {
    const { report } = demoRun({ baselineRbac: true, change: (s) => { s.resources.clusterrolebindings!.push(backendAdmin as never); } });
    const removed = report.diff!.scoreChanges!.rbac!.causes.filter((c) => c.kind === 'passes-removed');
    expect(removed.length).toBeGreaterThan(0);
    expect(removed.map((c) => c.text).filter((t) => t.includes('deleted'))).toEqual([]);
    expect(causeOf(report, 'rbac.cluster-admin-binding').text).toBe('1 passing result now failing (5 → 5 evaluated)');
    expect(report.diff!.new.length).toBeGreaterThan(0);
  });

  it('one subject bound to cluster-admin while another\'s binding is deleted: says how many now fail and how many are gone, and which it cannot tell', () => {
    const { report } = demoRun({
      baselineRbac: true,
      change: (s) => {
        s.resources.clusterrolebindings = [...s.resources.clusterrolebindings!.filter((b) => b.metadata?.name !== 'prometheus'), backendAdmin as never];
      },
    });
    // prometheus passed cluster-admin-binding and is no longer a subject; backend passed and now fails.
    expect(causeOf(report, 'rbac.cluster-admin-binding').text)
      .toBe('2 fewer passing results (5 → 4 evaluated): 1 now failing, 1 no longer present (objects deleted or no longer in scope)');
    // prometheus failed secrets-cluster-read (resolved now), backend passed it and now fails: by counts alone
    // (5 → 4 evaluated, one new finding) the one fewer pass could be either.
    expect(causeOf(report, 'rbac.secrets-cluster-read').text)
      .toBe('1 fewer passing result (5 → 4 evaluated): 1 now failing or no longer present (object deleted or out of scope: the counts do not tell which)');
    expect(sumOf(report, 'rbac')).toBe(report.diff!.scoreChanges!.rbac!.delta);
  });
});
