// An upgrade that adds checks must not make their existing findings news, whether or not a
// run that could not read RBAC sits between the upgrade and the next complete run. The
// Deployments shop/api and shop/web run as the default ServiceAccount with its token mounted
// (CIS 5.1.5 "default SA not used", 5.1.6 "SA token mounting": ../shared/reference/checks.md,
// rbac.default-serviceaccount-used and rbac.serviceaccount-token-automount). The history
// starts with a run stored by a version without those two checks (built as a user would: run,
// history export, the checks dropped from the exported run, history import). The first
// complete run of the new version compares them with nothing it knows of: not comparable,
// "partial comparison", no new finding (README: "Only a check that the previous run did not
// have at all (added by a newer version) is listed as not comparable"; docs/deploy.md:
// "Checks added by a newer version are listed as not comparable … never counted as new").
// A partial run in between (one ClusterRoleBinding document broken, as a missing permission
// would make it on a live cluster) stored them blind; it must not turn them into checks
// "evaluated for the first time in this history", whose findings are all new.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import type { RunReport } from '../../../src/run/types.ts';

const ADDED = ['rbac.default-serviceaccount-used', 'rbac.serviceaccount-token-automount'];
const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: c, image: nginx:1.25}]
`;
const APP = `apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n${deployment('api')}---\n${deployment('web')}`;
const BROKEN = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: broken\n  x: [\n';
// Every new low finding would be a regression.
const CONFIG = 'regression:\n  newFindingSeverity: low\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zt-catalog-addition-'));
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm/app.yaml'), APP);
  writeFileSync(join(dir, 'cfg.yaml'), CONFIG);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, isTTY: false, cwd: dir };
  return { cli, out: () => out.join(''), err: () => err.join('') };
}
const run = (history: string, out: string, t = io(), ...flags: string[]) =>
  main(['run', '--manifests', 'm', '--history', history, '--cluster', 'c', '--config', 'cfg.yaml', '--no-notify', '--format', 'json', '--out', out, ...flags], t.cli);
const report = (out: string) => JSON.parse(readFileSync(join(dir, out, 'report.json'), 'utf8')) as RunReport;

/** A history `history` holding one run of these manifests as a version without ADDED stored it. */
async function upgradedHistory(history: string): Promise<void> {
  expect(await run('seed.db', 'r0')).toBe(0);
  const findings = report('r0').findings.filter((f) => ADDED.includes(f.check));
  expect(new Set(findings.map((f) => f.check))).toEqual(new Set(ADDED));
  expect(await main(['history', 'export', '--history', 'seed.db', '--file', 'all.jsonl'], io().cli)).toBe(0);
  const [header, line] = readFileSync(join(dir, 'all.jsonl'), 'utf8').trim().split('\n');
  const old = JSON.parse(line) as RunReport;
  old.checks = old.checks.filter((c) => !ADDED.includes(c.id));
  old.findings = old.findings.filter((f) => !ADDED.includes(f.check));
  writeFileSync(join(dir, 'old.jsonl'), `${header}\n${JSON.stringify(old)}\n`);
  expect(await main(['history', 'import', '--history', history, '--file', 'old.jsonl'], io().cli)).toBe(0);
}

/** The first complete run after the upgrade, with --fail-on regression, and diff --last after it. */
async function completeRun(history: string, out: string) {
  const t = io();
  const code = await run(history, out, t, '--fail-on', 'regression');
  const d = io();
  expect(await main(['diff', '--last', '--history', history, '--config', 'cfg.yaml'], d.cli)).toBe(0);
  return { code, out: t.out() + t.err(), diff: report(out).diff!, last: d.out() };
}

describe('checks added by an upgrade, with a partial run after the upgrade', () => {
  it('stay not comparable in the next complete run, as without the partial run: no new finding, no regression', async () => {
    await upgradedHistory('direct.db');
    const direct = await completeRun('direct.db', 'd1');

    await upgradedHistory('blind.db');
    writeFileSync(join(dir, 'm/bad.yaml'), BROKEN);
    expect(await run('blind.db', 'p1')).toBe(0);
    expect(report('p1').checks.filter((c) => ADDED.includes(c.id)).map((c) => c.status)).toEqual(['not-evaluated', 'not-evaluated']);
    rmSync(join(dir, 'm/bad.yaml'));
    const blind = await completeRun('blind.db', 'b1');

    for (const r of [direct, blind]) {
      expect(r.code).toBe(0);
      expect(r.diff.new).toEqual([]);
      expect(r.diff.regression).toBe(false);
      expect(r.diff.partial).toBe(true);
      expect(r.diff.notComparable).toEqual(ADDED);
      expect(r.diff.firstEvaluated ?? []).toEqual([]);
      expect(r.out).toContain(': 0 new, 0 resolved (partial comparison)');
      expect(r.out).not.toContain('new low finding');
      expect(r.last).toContain('new findings: 0');
      expect(r.last).toContain(`partial comparison: 2 check(s) evaluated in only one run (their findings are neither new nor resolved): ${ADDED.join(', ')}`);
      expect(r.last).not.toContain('Compared with nothing');
      expect(r.last).toContain('no regression');
    }
    // The next run compares them as any other check.
    const next = io();
    expect(await run('blind.db', 'b2', next, '--fail-on', 'regression')).toBe(0);
    expect(report('b2').diff?.notComparable).toEqual([]);
    expect(report('b2').diff?.persisting).toBe(report('b2').findings.length);
  });
});
