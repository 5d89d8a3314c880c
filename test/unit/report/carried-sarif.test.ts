// A partial run's report.sarif must still list the open findings of the checks it could not
// evaluate. GitHub code scanning closes as fixed an alert whose result is missing from a new
// analysis ("SARIF support for code scanning",
// docs.github.com/en/code-security/reference/code-scanning/sarif-files/sarif-support-for-code-scanning):
// a run that could not list NetworkPolicies would otherwise close every network alert, though
// nothing was fixed. They are the findings the count line carries ("+17 in 8 checks not
// evaluated, as of run X"), each with the fingerprint GitHub matched its alert by.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { runCounts } from '../../../src/report/counts.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { readSnapshot, writeSnapshot } from '../../../src/snapshot/io.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { ROOT } from './demo.ts';

const quiet = { stdout: () => {}, stderr: () => {}, env: {}, isTTY: false, cwd: ROOT };

interface SarifResult { ruleId: string; level: string; message: { text: string }; partialFingerprints: Record<string, string>; suppressions?: Array<{ kind: string; status: string; justification: string }>; properties: { carriedFrom?: string } }
interface SarifRun { results: SarifResult[]; tool: { driver: { rules: Array<{ id: string }> } } }
const resultsOf = (file: string) => {
  const run = (JSON.parse(readFileSync(file, 'utf8')) as { runs: SarifRun[] }).runs[0]!;
  // Each result names its rule by id and index (a carried finding at another severity than its check's needs a rule of its own).
  for (const r of run.results) expect(run.tool.driver.rules[(r as SarifResult & { ruleIndex: number }).ruleIndex]?.id).toBe(r.ruleId);
  return run.results;
};
const fp = (r: SarifResult) => r.partialFingerprints['ztaudit/v1']!;

async function snapshotOf(dir: string, name: string, edit: (s: Snapshot) => void = () => {}): Promise<string> {
  const file = join(dir, `${name}.snap.json.gz`);
  expect(await main(['snapshot', '--manifests', 'examples/demo-cluster', '-o', file, '-q'], quiet)).toBe(0);
  const s = await readSnapshot(file);
  edit(s);
  writeSnapshot(file, s);
  return file;
}

describe('report.sarif of a partial run', () => {
  it('keeps the open findings of the checks it could not evaluate, with their fingerprints and the run they come from; `report RUN` lists the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-carried-sarif-'));
    const full = await snapshotOf(dir, 'demo');
    const blind = await snapshotOf(dir, 'netpol-forbidden', (s) => {
      s.coverage.networkpolicies = { status: 'forbidden', detail: 'list networkpolicies: 403' };
      delete s.resources.networkpolicies;
    });
    const history = join(dir, 'h.db');
    const run = async (i: number, snap: string) => {
      const err: string[] = [];
      const code = await main(['run', '--snapshot', snap, '--config', 'examples/ztaudit.demo.yaml', '--cluster', 'demo', '--history', history, '--out', join(dir, `r${i}`), '--no-notify', '--format', 'json,sarif'],
        { ...quiet, stderr: (t: string) => err.push(t) });
      expect(code, err.join('')).toBe(0);
      return { report: JSON.parse(readFileSync(join(dir, `r${i}`, 'report.json'), 'utf8')) as RunReport, results: resultsOf(join(dir, `r${i}`, 'report.sarif')) };
    };
    const first = await run(1, full);
    const second = await run(2, blind);
    const third = await run(3, blind); // a stretch of partial runs: still carried from the first
    const fourth = await run(4, full);

    const id1 = first.report.run.id;
    const byFp1 = new Map(first.results.map((r) => [fp(r), r]));
    for (const { report, results } of [second, third]) {
      const blindChecks = new Set(report.checks.filter((c) => c.status === 'not-evaluated').map((c) => c.id));
      expect(blindChecks.size).toBeGreaterThan(0);
      const carried = results.filter((r) => r.properties.carriedFrom !== undefined);
      // The open ones as many as the count line carries, all from the run that last evaluated their checks.
      expect(carried.filter((r) => !r.suppressions).length).toBe(runCounts(report).carried!.open);
      expect(carried.every((r) => r.properties.carriedFrom === id1)).toBe(true);
      // Nothing changed in the cluster: every open result of the first run is still there, under the same rule and fingerprint.
      const open1 = first.results.filter((r) => !r.suppressions);
      expect(results.filter((r) => !r.suppressions).map(fp).sort()).toEqual(open1.map(fp).sort());
      for (const r of carried) {
        const before = byFp1.get(fp(r))!;
        expect(blindChecks.has(r.ruleId.split('/')[0]!)).toBe(true);
        expect({ ruleId: r.ruleId, level: r.level, message: r.message.text, suppressed: r.suppressions !== undefined })
          .toEqual({ ruleId: before.ruleId, level: before.level, message: before.message.text, suppressed: false });
      }
    }

    // Rendered again from history, the partial run's report.sarif lists the same results.
    const err: string[] = [];
    expect(await main(['report', second.report.run.id, '--history', history, '--format', 'sarif', '--out', join(dir, 'again')], { ...quiet, stderr: (t: string) => err.push(t) }), err.join('')).toBe(0);
    expect(err.join('')).toBe('');
    const again = resultsOf(join(dir, 'again', 'report.sarif'));
    const key = (r: SarifResult) => `${r.ruleId} ${fp(r)} ${r.properties.carriedFrom ?? '-'} ${r.suppressions ? 'waived' : 'open'}`;
    expect(again.map(key)).toEqual(second.results.map(key));

    // Evaluated again: its own findings, nothing carried.
    expect(fourth.results.filter((r) => r.properties.carriedFrom !== undefined)).toEqual([]);
    expect(fourth.results.map(fp).sort()).toEqual(first.results.map(fp).sort());

    // The run they were carried from no longer readable: rendered again, report.sarif cannot list them, and says so.
    const sql = new DatabaseSync(history);
    try {
      expect(Number(sql.prepare('UPDATE runs SET report = substr(report, 1, 100) WHERE id = ?').run(id1).changes)).toBe(1);
    } finally {
      sql.close();
    }
    const warned: string[] = [];
    expect(await main(['report', second.report.run.id, '--history', history, '--format', 'sarif', '--out', join(dir, 'gone')], { ...quiet, stderr: (t: string) => warned.push(t) })).toBe(0);
    expect(warned.join('')).toBe(`ztaudit report: warning: report.sarif leaves out the findings run ${second.report.run.id} carried from run(s) ${id1}: not stored any more or unreadable\n`);
    expect(resultsOf(join(dir, 'gone', 'report.sarif')).filter((r) => r.properties.carriedFrom !== undefined)).toEqual([]);
  }, 90_000);

  // A waived finding's alert is a dismissed one on GitHub: its result must stay, suppressed (SARIF
  // 2.1.0 §3.27.23 result.suppressions, §3.35 suppression: kind external, status accepted), or the
  // alert is closed as fixed by the partial run and opened again, undismissed, by the next full one.
  it('keeps the waived findings of the checks it could not evaluate too, suppressed as the run\'s own; `report RUN` lists the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-carried-waived-sarif-'));
    const config = join(dir, 'ztaudit.yaml');
    // Both of rbac.wildcard-permission's findings in the demo cluster waived: the check carries no open one.
    writeFileSync(config, `${readFileSync(join(ROOT, 'examples/ztaudit.demo.yaml'), 'utf8').replace('expires: 2027-03-31', 'expires: 2099-03-31')}
  - check: rbac.wildcard-permission
    resource: {kind: Group, name: oncall}
    reason: "break-glass group"
    owner: sec@acme.example
    expires: 2099-01-31
`);
    const full = await snapshotOf(dir, 'demo');
    const blind = await snapshotOf(dir, 'crb-forbidden', (s) => {
      s.coverage.clusterrolebindings = { status: 'forbidden', detail: 'list clusterrolebindings: 403' };
      delete s.resources.clusterrolebindings;
    });
    const history = join(dir, 'h.db');
    const run = async (i: number, snap: string) => {
      const err: string[] = [];
      const code = await main(['run', '--snapshot', snap, '--config', config, '--cluster', 'demo', '--history', history, '--out', join(dir, `r${i}`), '--no-notify', '--format', 'json,sarif'],
        { ...quiet, stderr: (t: string) => err.push(t) });
      expect(code, err.join('')).toBe(0);
      return { report: JSON.parse(readFileSync(join(dir, `r${i}`, 'report.json'), 'utf8')) as RunReport, results: resultsOf(join(dir, `r${i}`, 'report.sarif')) };
    };
    const first = await run(1, full);
    const second = await run(2, blind);
    const id1 = first.report.run.id;
    expect(second.report.checks.find((c) => c.id === 'rbac.wildcard-permission')?.status).toBe('not-evaluated');

    const waived1 = first.results.filter((r) => r.suppressions);
    const wildcard1 = waived1.filter((r) => r.ruleId.startsWith('rbac.wildcard-permission'));
    expect(wildcard1).toHaveLength(2);
    const carriedWaived = second.results.filter((r) => r.properties.carriedFrom !== undefined && r.suppressions);
    // Nothing changed in the cluster: every waived result of the first run is still there, suppressed
    // alike, those of the checks the partial run could not evaluate carried from the first run.
    const waivedKey = (r: SarifResult) => `${r.ruleId} ${fp(r)} ${JSON.stringify(r.suppressions)}`;
    expect(second.results.filter((r) => r.suppressions).map(waivedKey).sort()).toEqual(waived1.map(waivedKey).sort());
    expect(carriedWaived.map(fp).sort()).toEqual(expect.arrayContaining(wildcard1.map(fp)));
    expect(carriedWaived.every((r) => r.properties.carriedFrom === id1)).toBe(true);
    expect(carriedWaived.find((r) => fp(r) === fp(wildcard1.find((x) => x.message.text.includes('oncall'))!))?.suppressions)
      .toEqual([{ kind: 'external', status: 'accepted', justification: 'break-glass group (owner sec@acme.example, expires 2099-01-31)' }]);
    // The count line still carries only the open ones; the check with waived ones alone is named, so
    // `report RUN` finds them again.
    expect(second.results.filter((r) => r.properties.carriedFrom !== undefined && !r.suppressions).length).toBe(runCounts(second.report).carried?.open ?? 0);
    expect(second.report.run.lastEvaluatedOpen).toContainEqual({ check: 'rbac.wildcard-permission', runId: id1, open: { critical: 0, high: 0, medium: 0, low: 0 }, waived: 2, waivedBySeverity: { critical: 0, high: 2, medium: 0, low: 0 } });
    // "+N in K checks not evaluated": K counts the checks with open findings, not this one.
    const withOpen = second.report.run.lastEvaluatedOpen!.filter((e) => Object.values(e.open).some((n) => n > 0));
    expect(withOpen.length).toBeGreaterThan(0);
    expect(runCounts(second.report).carried?.checks).toBe(withOpen.length);

    const err: string[] = [];
    expect(await main(['report', second.report.run.id, '--history', history, '--format', 'sarif', '--out', join(dir, 'again')], { ...quiet, stderr: (t: string) => err.push(t) }), err.join('')).toBe(0);
    expect(err.join('')).toBe('');
    const key = (r: SarifResult) => `${r.ruleId} ${fp(r)} ${r.properties.carriedFrom ?? '-'} ${JSON.stringify(r.suppressions ?? null)}`;
    expect(resultsOf(join(dir, 'again', 'report.sarif')).map(key)).toEqual(second.results.map(key));
  }, 90_000);

  // docs/report-formats.md (SARIF): an entry of run.lastEvaluatedOpen whose counts are all zero
  // names a run that found the check clean: there is nothing to list, so nothing is left out.
  it('`report RUN` of a partial run whose blind checks were clean when last evaluated warns of nothing, though that run is unreadable now', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-carried-clean-sarif-'));
    const m = join(dir, 'm');
    mkdirSync(m);
    writeFileSync(join(m, 'base.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: shop}\n');
    const history = join(dir, 'h.db');
    const run = async (i: number) => {
      const err: string[] = [];
      await main(['run', '--manifests', m, '--cluster', 'shop', '--history', history, '--out', join(dir, `r${i}`), '--no-notify', '--format', 'json,sarif'], { ...quiet, stderr: (t: string) => err.push(t) });
      return JSON.parse(readFileSync(join(dir, `r${i}`, 'report.json'), 'utf8')) as RunReport;
    };
    const first = await run(1);
    // A ClusterRoleBinding that cannot be parsed: the RBAC checks are not evaluated.
    writeFileSync(join(m, 'bad.yaml'), 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: broken\n  x: [\n');
    const second = await run(2);
    expect(second.checks.find((c) => c.id === 'rbac.cluster-admin-binding')?.status).toBe('not-evaluated');
    expect(second.run.lastEvaluatedOpen).toContainEqual({ check: 'rbac.cluster-admin-binding', runId: first.run.id, open: { critical: 0, high: 0, medium: 0, low: 0 } });
    expect(runCounts(second).carried).toBeNull();
    const sql = new DatabaseSync(history);
    try {
      expect(Number(sql.prepare('UPDATE runs SET report = substr(report, 1, 100) WHERE id = ?').run(first.run.id).changes)).toBe(1);
    } finally {
      sql.close();
    }
    const err: string[] = [];
    expect(await main(['report', second.run.id, '--history', history, '--format', 'sarif', '--out', join(dir, 'again')], { ...quiet, stderr: (t: string) => err.push(t) }), err.join('')).toBe(0);
    expect(err.join('')).toBe('');
  }, 90_000);
});
