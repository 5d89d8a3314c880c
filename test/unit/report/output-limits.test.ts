// report.sarif and report.junit.xml stay within what the CI dashboards that read them accept,
// however large the cluster. GitHub code scanning rejects a SARIF run of more than 25,000 results
// ("Analysis SARIF file rejected due to result limits",
// https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit);
// GitLab reads a JUnit report only when the file is under 30 MB
// (https://docs.gitlab.com/ci/testing/unit_test_reports, "The JUnit report file must be less than 30 MB").
// Cut to the limit, a report keeps the most severe findings (critical first, new before persisting)
// and says how many it left out.
import { describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../../src/base/vocabulary.ts';
import { renderJunit } from '../../../src/report/junit.ts';
import { renderSarif } from '../../../src/report/sarif.ts';
import { JUNIT_MAX_FINDING_CASES, SARIF_MAX_RESULTS } from '../../../src/base/output-limits.ts';
import type { Finding, RunReport } from '../../../src/run/types.ts';
import { syntheticReport } from './fixtures.ts';

/** 30,000 synthetic findings and the report's own, the first 10,000 of them new; every evidence 5,000 characters. */
function large(): RunReport {
  const r = syntheticReport(30_000);
  const synthetic = r.findings.filter((f) => f.fingerprint.startsWith('fp'));
  return {
    ...r,
    findings: r.findings.map((f) => ({ ...f, evidence: { ...f.evidence, blob: '<&"'.repeat(1_700) } })),
    diff: { ...r.diff!, new: synthetic.slice(0, 10_000).map((f) => f.fingerprint) },
  };
}

const sev = (f: Finding) => SEVERITIES.indexOf(f.severity);

describe('report.sarif of a large run', () => {
  it('holds at most 25,000 results, the most severe and then the new ones, and says how many it left out', () => {
    const report = large();
    expect(report.findings.length).toBeGreaterThan(SARIF_MAX_RESULTS);
    const log = JSON.parse(renderSarif(report)) as { runs: Array<{ results: Array<{ partialFingerprints: Record<string, string> }>; invocations: Array<{ toolExecutionNotifications: Array<{ level: string; message: { text: string } }> }> }> };
    const run = log.runs[0]!;
    expect(run.results).toHaveLength(SARIF_MAX_RESULTS);
    const kept = new Set(run.results.map((r) => r.partialFingerprints['ztaudit/v1']));
    const fresh = new Set(report.diff!.new);
    // The rank a reader expects: severity first, then new before persisting.
    const rank = (f: Finding) => sev(f) * 2 + (fresh.has(f.fingerprint) ? 0 : 1);
    const keptFindings = report.findings.filter((f) => kept.has(f.fingerprint));
    const dropped = report.findings.filter((f) => !kept.has(f.fingerprint));
    expect(dropped.length).toBe(report.findings.length - SARIF_MAX_RESULTS);
    expect(Math.max(...keptFindings.map(rank))).toBeLessThanOrEqual(Math.min(...dropped.map(rank)));
    // Every critical and high one is there; the medium ones are cut, the new ones kept before the others.
    expect(dropped.every((f) => f.severity === 'medium' || f.severity === 'low')).toBe(true);
    expect(keptFindings.filter((f) => f.severity === 'medium').some((f) => !fresh.has(f.fingerprint))).toBe(true);
    expect(dropped.some((f) => f.severity === 'medium' && fresh.has(f.fingerprint))).toBe(false);
    const notes = run.invocations[0]!.toolExecutionNotifications.map((n) => n.message.text);
    expect(notes).toContainEqual(`report.sarif lists 25,000 of ${report.findings.length.toLocaleString('en-US')} results: GitHub code scanning rejects a run of more than 25,000, so the ${dropped.length.toLocaleString('en-US')} least severe (low before medium, persisting before new, waived before open) are left out; report.json has every finding`);
  });

  it('lists every result, with no notification, at or under the limit', () => {
    const report = syntheticReport(2_000);
    const run = (JSON.parse(renderSarif(report)) as { runs: Array<{ results: unknown[]; invocations: Array<{ toolExecutionNotifications: unknown[] }> }> }).runs[0]!;
    expect(run.results).toHaveLength(report.findings.length);
    expect(run.invocations[0]!.toolExecutionNotifications.filter((n) => JSON.stringify(n).includes('left out'))).toEqual([]);
  });
});

describe('report.junit.xml of a large run', () => {
  it('stays under GitLab\'s 30 MB: the most severe findings one testcase each, the rest of each check one summarising testcase', () => {
    const report = large();
    const xml = renderJunit(report);
    expect(Buffer.byteLength(xml)).toBeLessThan(30 * 1024 * 1024);
    const failures = [...xml.matchAll(/<testcase classname="ztaudit\.([^"]+)" name="([^"]*)"><failure type="([a-z]+)" message="([^"]*)">([^<]*)<\/failure>/g)];
    const summaries = failures.filter((m) => /^\d[\d,]* more findings? of this check/.test(m[4]!));
    const listed = failures.filter((m) => !summaries.includes(m));
    expect(listed).toHaveLength(JUNIT_MAX_FINDING_CASES);
    // The listed ones are the most severe and, among them, the new ones first.
    const byFingerprint = new Map(report.findings.map((f) => [f.fingerprint, f]));
    const listedFindings = listed.map((m) => byFingerprint.get(/Fingerprint: (\S+)$/.exec(m[5]!)?.[1] ?? '')).filter((f): f is Finding => f !== undefined);
    // A clipped text loses its fingerprint line: those are counted by their testcase name instead.
    const fresh = new Set(report.diff!.new);
    const critical = report.findings.filter((f) => f.severity === 'critical');
    expect(critical.length).toBeGreaterThan(JUNIT_MAX_FINDING_CASES);
    expect(listed.every((m) => m[3] === 'critical')).toBe(true);
    const newCritical = critical.filter((f) => fresh.has(f.fingerprint));
    const names = new Set(listed.map((m) => m[2]!));
    for (const f of newCritical) expect(names.has(`${f.check} ${f.resource.kind} ${f.resource.name}`)).toBe(true);
    expect(listedFindings.every((f) => f.severity === 'critical')).toBe(true);
    // Each check's summarising testcase counts what it does not list, its worst severity as the failure's type.
    const counted = summaries.reduce((n, m) => n + Number(/^([\d,]+)/.exec(m[4]!)![1]!.replace(/,/g, '')), 0);
    expect(counted).toBe(report.findings.filter((f) => report.checks.some((c) => c.id === f.check)).length - JUNIT_MAX_FINDING_CASES);
    const rbac = summaries.find((m) => m[1] === 'rbac.wildcard-permission')!;
    expect(rbac[3]).toBe('critical');
    expect(rbac[2]).toBe(`rbac.wildcard-permission: ${(critical.filter((f) => f.check === 'rbac.wildcard-permission').length - listed.filter((m) => m[1] === 'rbac.wildcard-permission').length).toLocaleString('en-US')} more findings not listed`);
    // The suites' counts are the testcases written.
    const total = /<testsuites [^>]*failures="(\d+)"/.exec(xml)![1];
    expect(Number(total)).toBe(failures.length);
  });
});
