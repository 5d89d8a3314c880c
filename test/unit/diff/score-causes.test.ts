// Every score change is explained: per area, the listed causes add up to the delta between the
// two shown scores — including changes with no new and no resolved finding (the case a
// reviewer could not explain before: a deleted policy whose pods other policies still isolate).
import { describe, expect, it } from 'vitest';
import { AREAS } from '../../../src/base/vocabulary.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { demoRun } from '../report/demo.ts';

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
});
