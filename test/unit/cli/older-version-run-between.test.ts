// A run stored by an older version (an older CronJob image, a helm rollback) between a check's
// last evaluation and a partial run must not blind the diff: DESIGN "a check is diffed against
// the last run in which it was evaluated (no blind spot after a partial run)". A ServiceAccount
// bound to cluster-admin is CIS 5.1.1 "cluster-admin only where required"
// (../shared/reference/checks.md, rbac.cluster-admin-binding). History: runs A and B without
// the binding, B then stored as a version without the check would store it (history export,
// the check dropped from B's line, history import); runs C and C2 partial (one ClusterRoleBinding
// document broken, as a missing permission would make it on a live cluster); run D with the
// backdoor. C and C2 state A as the run that last evaluated the check (run.lastEvaluatedOpen), so D
// compares the check with A and the binding is new (README: "compared with the last run in
// which it was evaluated"), not "evaluated in only one run".
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import type { RunReport } from '../../../src/run/types.ts';

const X = 'rbac.cluster-admin-binding';
const APP = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';
const BACKDOOR = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: evil}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: evil, namespace: shop}]
`;
const BROKEN = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: broken\n  x: [\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zt-older-between-'));
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm/app.yaml'), APP);
  writeFileSync(join(dir, 'cfg.yaml'), '{}\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, isTTY: false, cwd: dir };
  return { cli, out: () => out.join('') + err.join('') };
}
const run = (history: string, out: string, t = io(), ...flags: string[]) =>
  main(['run', '--manifests', 'm', '--history', history, '--cluster', 'c', '--config', 'cfg.yaml', '--no-notify', '--format', 'json', '--out', out, ...flags], t.cli);
const report = (out: string) => JSON.parse(readFileSync(join(dir, out, 'report.json'), 'utf8')) as RunReport;

describe('a run stored by an older version between a check\'s last evaluation and a partial run', () => {
  it('does not hide a cluster-admin backdoor: the next complete run compares the check with the run that last evaluated it', () => backdoorIsNew());
  // README: "Retention never evicts the run a check is compared with": with maxRuns 2 the
  // partial runs' stated run A is kept, though a stored summary cannot tell B lacked the check.
  it('nor with retention keeping two runs: the run the partial runs state is kept', () => {
    writeFileSync(join(dir, 'cfg.yaml'), 'history:\n  retention: {maxRuns: 2}\n');
    return backdoorIsNew();
  });
});

async function backdoorIsNew() {
    expect(await run('seed.db', 'ra')).toBe(0);
    expect(await run('seed.db', 'rb')).toBe(0);
    const a = report('ra').run.id;
    const b = report('rb').run.id;
    expect(report('ra').checks.find((c) => c.id === X)?.status).toBe('pass');
    expect(await main(['history', 'export', '--history', 'seed.db', '--file', 'all.jsonl'], io().cli)).toBe(0);
    const [header, ...lines] = readFileSync(join(dir, 'all.jsonl'), 'utf8').trim().split('\n');
    const runs = lines.map((l) => JSON.parse(l) as RunReport);
    const old = runs.find((r) => r.run.id === b)!;
    old.checks = old.checks.filter((c) => c.id !== X);
    old.findings = old.findings.filter((f) => f.check !== X);
    writeFileSync(join(dir, 'mixed.jsonl'), `${header}\n${runs.map((r) => JSON.stringify(r)).join('\n')}\n`);
    expect(await main(['history', 'import', '--history', 'h.db', '--file', 'mixed.jsonl'], io().cli)).toBe(0);

    writeFileSync(join(dir, 'm/bad.yaml'), BROKEN);
    expect(await run('h.db', 'rc')).toBe(0);
    expect(report('rc').checks.find((c) => c.id === X)?.status).toBe('not-evaluated');
    expect(report('rc').run.lastEvaluatedOpen?.find((e) => e.check === X)?.runId).toBe(a);
    // A second partial run (serve --watch stores one every few seconds) still names A.
    expect(await run('h.db', 'rc2')).toBe(0);
    expect(report('rc2').run.lastEvaluatedOpen?.find((e) => e.check === X)?.runId).toBe(a);
    rmSync(join(dir, 'm/bad.yaml'));

    writeFileSync(join(dir, 'm/backdoor.yaml'), BACKDOOR);
    const t = io();
    await run('h.db', 'rd', t);
    const d = report('rd').diff!;
    const backdoor = report('rd').findings.filter((f) => f.check === X && f.severity === 'critical');
    expect(backdoor).toHaveLength(1);
    expect(d.new).toContain(backdoor[0]!.fingerprint);
    expect(d.notComparable).not.toContain(X);
    expect(d.olderBaselines?.[X]).toBe(a);
    expect(d.regressionReasons).toContain('new critical finding: rbac.cluster-admin-binding on ServiceAccount shop/evil');
    const last = io();
    expect(await main(['diff', '--last', '--history', 'h.db'], last.cli)).toBe(0);
    expect(last.out()).not.toMatch(/evaluated in only one run[^\n]*rbac\.cluster-admin-binding/);
    expect(last.out()).toMatch(/critical[^\n]*rbac\.cluster-admin-binding[^\n]*shop\/evil/);
}

// The pattern repeated on a second night: the older image stores another run (B2) after the
// partial run C that named A, then a partial run C2, then the backdoor. C2 must still name A
// (a newer run blind to the check, C, states it: the walks read it), and D compares with A.
describe('an older-version run on two nights, each followed by a partial run', () => {
  it('does not hide a cluster-admin backdoor either: C2 still names A, and D compares with A', async () => {
    const strip = async (from: string, to: string, id: string) => {
      expect(await main(['history', 'export', '--history', from, '--file', `${to}.jsonl`], io().cli)).toBe(0);
      const [header, ...lines] = readFileSync(join(dir, `${to}.jsonl`), 'utf8').trim().split('\n');
      const runs = lines.map((l) => JSON.parse(l) as RunReport);
      const old = runs.find((r) => r.run.id === id)!;
      old.checks = old.checks.filter((c) => c.id !== X);
      old.findings = old.findings.filter((f) => f.check !== X);
      writeFileSync(join(dir, `${to}.mixed.jsonl`), `${header}\n${runs.map((r) => JSON.stringify(r)).join('\n')}\n`);
      expect(await main(['history', 'import', '--history', to, '--file', `${to}.mixed.jsonl`], io().cli)).toBe(0);
    };
    expect(await run('a.db', 'ra')).toBe(0);
    expect(await run('a.db', 'rb')).toBe(0);
    const a = report('ra').run.id;
    await strip('a.db', 'b.db', report('rb').run.id);
    writeFileSync(join(dir, 'm/bad.yaml'), BROKEN);
    expect(await run('b.db', 'rc')).toBe(0);
    expect(report('rc').run.lastEvaluatedOpen?.find((e) => e.check === X)?.runId).toBe(a);
    rmSync(join(dir, 'm/bad.yaml'));
    expect(await run('b.db', 'rb2')).toBe(0);
    await strip('b.db', 'c.db', report('rb2').run.id);
    writeFileSync(join(dir, 'm/bad.yaml'), BROKEN);
    expect(await run('c.db', 'rc2')).toBe(0);
    expect(report('rc2').run.lastEvaluatedOpen?.find((e) => e.check === X)?.runId).toBe(a);
    rmSync(join(dir, 'm/bad.yaml'));
    writeFileSync(join(dir, 'm/backdoor.yaml'), BACKDOOR);
    await run('c.db', 'rd');
    const d = report('rd').diff!;
    const backdoor = report('rd').findings.filter((f) => f.check === X && f.severity === 'critical');
    expect(backdoor).toHaveLength(1);
    expect(d.new).toContain(backdoor[0]!.fingerprint);
    expect(d.olderBaselines?.[X]).toBe(a);
  });
});
