// A partial run's report.sarif must still list the open findings of the checks it could not
// evaluate. GitHub code scanning closes as fixed an alert whose result is missing from a new
// analysis ("SARIF support for code scanning",
// docs.github.com/en/code-security/reference/code-scanning/sarif-files/sarif-support-for-code-scanning):
// a run that could not list NetworkPolicies would otherwise close every network alert, though
// nothing was fixed. They are the findings the count line carries ("+17 in 8 checks not
// evaluated, as of run X"), each with the fingerprint GitHub matched its alert by.
import { mkdtempSync, readFileSync } from 'node:fs';
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

interface SarifResult { ruleId: string; level: string; message: { text: string }; partialFingerprints: Record<string, string>; suppressions?: unknown[]; properties: { carriedFrom?: string } }
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
      // As many as the count line carries, all from the run that last evaluated their checks.
      expect(carried.length).toBe(runCounts(report).carried!.open);
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
});
