// Every score change is explained: per area, the listed causes add up to the delta between the
// two shown scores — including changes with no new and no resolved finding (the case a
// reviewer could not explain before: a deleted policy whose pods other policies still isolate).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { CHECKS } from '../../../checks/index.ts';
import { runDetails } from '../../../src/analysis/details.ts';
import { AREAS } from '../../../src/base/vocabulary.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { RunReport } from '../../../src/run/types.ts';
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

  it('names the checks that left the score (now not evaluated) and what their results were worth', () => {
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
    expect(net.causes[0].points).toBe(net.delta);
  });
});
