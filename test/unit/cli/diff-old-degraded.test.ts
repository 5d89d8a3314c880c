// A run stored before checks[].degraded existed records no check as judged without a
// best-effort input, but its run.coverage shows the kind it could not read (a 403 on the list:
// https://kubernetes.io/docs/reference/access-authn-authz/authorization/). The history walk
// (src/diff/baseline.ts inferDegraded) marks such a run's checks degraded, so the next complete
// run's escalations are judged against the last run that read everything. `ztaudit diff A B`
// must judge the same pair as `ztaudit diff --last` (and the run itself) does: here the old
// partial run A is imported from an export of an older version, B is the complete run after it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { main } from '../../../src/cli/main.ts';
import { EXPORT_FORMAT, EXPORT_VERSION } from '../../../src/cli/history-transfer.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { captureIO } from '../../helpers/cli.ts';

const ROOT = join(import.meta.dirname, '../../..');
const CONFIG = join(ROOT, 'examples/ztaudit.demo.yaml');
const NOW = new Date('2026-11-26T00:00:00Z');
const at = (n: number) => new Date(NOW.getTime() + n * 60_000);
const ID = 'tls.ingress-without-tls';

const { config } = loadConfig(CONFIG, ROOT, new Set(CHECKS.map((c) => c.id)));
const demo = loadManifests([join(ROOT, 'examples/demo-cluster')], { clusterName: 'demo', clusterVersion: 'v1.36.3' });
const audit = (snapshot: Snapshot, runId: string, n: number): RunReport =>
  auditSnapshot({ snapshot, config, checks: CHECKS, now: at(n), startedAt: at(n), runId }).report;
const forbidCertificates = (): Snapshot => {
  const s = structuredClone(demo);
  s.coverage['certmanager.certificates'] = { status: 'forbidden', detail: 'list certificates.cert-manager.io (refused in test)' };
  delete s.resources['certmanager.certificates'];
  return s;
};
/** As an older version stored it: no checks[].degraded. */
const asOld = (r: RunReport): RunReport => ({ ...r, checks: r.checks.map(({ degraded: _, ...c }) => c) });

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'diff-old-degraded-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const t = captureIO(dir);
  const code = await main(args, t.cli);
  return { code, out: t.out(), err: t.err() };
}

describe('ztaudit diff A B with A stored before checks[].degraded existed', () => {
  it('infers A\'s degraded checks from its coverage, as the history walk does: the same verdict as --last', async () => {
    // run-1 complete, run-2 partial (an older version: no degraded), run-3 complete: identical input.
    const before = audit(structuredClone(demo), 'run-1', 0);
    // A real escalation would be reported; this input has none: the partial run's downgrade is no baseline.
    const old = asOld(audit(forbidCertificates(), 'run-2', 1));
    const again = audit(structuredClone(demo), 'run-3', 2);
    expect(old.findings.filter((f) => f.check === ID).map((f) => f.severity)).not.toEqual(again.findings.filter((f) => f.check === ID).map((f) => f.severity));
    const file = join(dir, 'runs.jsonl');
    writeFileSync(file, [{ format: EXPORT_FORMAT, version: EXPORT_VERSION, source: 'test', exportedAt: NOW.toISOString() }, asOld(before), old, again].map((x) => JSON.stringify(x)).join('\n') + '\n');
    const db = join(dir, 'h.db');
    const imported = await run(['history', 'import', '--history', db, '--file', file]);
    expect(imported.code, imported.err).toBe(0);

    const last = await run(['diff', '--last', '--history', db, '--config', CONFIG, '-o', 'json']);
    const pair = await run(['diff', 'run-2', 'run-3', '--history', db, '--config', CONFIG, '-o', 'json']);
    expect(last.code, last.err).toBe(0);
    expect(pair.code, pair.err).toBe(0);
    const d = JSON.parse(pair.out) as { regressionReasons: string[]; fullInputBaselines?: Record<string, string> };
    expect(d.regressionReasons.filter((r) => r.startsWith('escalated'))).toEqual([]);
    expect(d.fullInputBaselines?.[ID]).toBe('run-1');
    expect(JSON.parse(pair.out)).toEqual(JSON.parse(last.out));
  });

  it('with no baseline walk (the store files A under another cluster than its report names, so the walk of that cluster never reaches A), A as it is is still read as degraded', async () => {
    const before = audit(structuredClone(demo), 'run-1', 0);
    const old = asOld(audit(forbidCertificates(), 'run-2', 1));
    const again = audit(structuredClone(demo), 'run-3', 2);
    const file = join(dir, 'runs.jsonl');
    writeFileSync(file, [{ format: EXPORT_FORMAT, version: EXPORT_VERSION, source: 'test', exportedAt: NOW.toISOString() }, asOld(before), old, again].map((x) => JSON.stringify(x)).join('\n') + '\n');
    const db = join(dir, 'h.db');
    expect((await run(['history', 'import', '--history', db, '--file', file])).code).toBe(0);
    const sql = new DatabaseSync(db);
    sql.prepare("UPDATE runs SET cluster = 'renamed' WHERE id = 'run-2'").run();
    sql.close();
    const pair = await run(['diff', 'run-2', 'run-3', '--history', db, '--config', CONFIG, '-o', 'json']);
    expect(pair.code, pair.err).toBe(0);
    const d = JSON.parse(pair.out) as { regressionReasons: string[] };
    // Judged against the partial run as it is, its downgraded findings would read as escalations.
    expect(d.regressionReasons.filter((r) => r.startsWith('escalated') && r.includes(ID))).toEqual([]);
  });
});
