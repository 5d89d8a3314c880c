// A partial run must not hide a backdoor from every later diff, not even when it is the first
// run of the history. The first run cannot read the ClusterRoleBindings (one document of the
// manifests is broken, as a missing permission would make it on a live cluster), so no RBAC
// check is evaluated; the ServiceAccount shop/app bound to cluster-admin (CIS 5.1.1,
// ../shared/reference/checks.md "Superuser") is already there. The next run reads everything:
// no stored run evaluated those checks, so they are compared with nothing and what they find
// is new — a regression for `--fail-on regression` — once (README: "leaves no blind spot …
// Only a check that no stored run had at all (added by a newer version) is listed as not
// comparable").
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import type { RunReport } from '../../../src/run/types.ts';

const BASE = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: shop}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`;
const BACKDOOR = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: backdoor}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: ServiceAccount, name: app, namespace: shop}
`;
const BROKEN = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: broken\n  x: [\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zt-partial-first-'));
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm/base.yaml'), BASE);
  writeFileSync(join(dir, 'm/backdoor.yaml'), BACKDOOR);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, isTTY: false, cwd: dir };
  return { cli, out: () => out.join(''), err: () => err.join('') };
}
const run = (out: string, t = io(), ...flags: string[]) => main(['run', '--manifests', 'm', '--history', 'h.db', '--cluster', 'c', '--no-notify', '--format', 'json', '--out', out, ...flags], t.cli);
const report = (out: string) => JSON.parse(readFileSync(join(dir, out, 'report.json'), 'utf8')) as RunReport;

describe('a backdoor present since a first run that could not read RBAC', () => {
  it('is new, and a regression, in the first run that reads RBAC; not again after', async () => {
    writeFileSync(join(dir, 'm/bad.yaml'), BROKEN);
    expect(await run('r1')).toBe(0);
    const first = report('r1');
    const rbac = first.checks.filter((c) => c.area === 'rbac');
    expect(rbac.length).toBeGreaterThan(0);
    expect(rbac.every((c) => c.status === 'not-evaluated')).toBe(true);

    rmSync(join(dir, 'm/bad.yaml'));
    const t = io();
    expect(await run('r2', t, '--fail-on', 'regression')).toBe(1);
    const second = report('r2');
    const open = second.findings.filter((f) => !f.waived);
    expect(open.length).toBeGreaterThan(0);
    expect(open.some((f) => f.check === 'rbac.cluster-admin-binding' && f.resource.kind === 'ServiceAccount' && f.resource.name === 'app')).toBe(true);
    expect(second.diff?.previousRunId).toBe(first.run.id);
    expect([...second.diff!.new].sort()).toEqual(open.map((f) => f.fingerprint).sort());
    expect(second.diff?.firstEvaluated).toEqual(rbac.map((c) => c.id).sort());
    expect(second.diff?.notComparable).toEqual([]);
    expect(second.diff?.partial).toBe(false);
    expect(second.diff?.regression).toBe(true);
    expect(second.diff?.regressionReasons).toContain('new critical finding: rbac.cluster-admin-binding on ServiceAccount shop/app');
    expect(t.out()).toContain(`since ${first.run.id}: ${open.length} new, 0 resolved — REGRESSION`);
    expect(t.out()).not.toContain('partial comparison');
    // diff --last compares the two again and says the same.
    const d = io();
    expect(await main(['diff', '--last', '--history', 'h.db'], d.cli)).toBe(0);
    expect(d.out()).toContain(`new findings: ${open.length}`);
    expect(d.out()).toContain('REGRESSION:');

    expect(await run('r3', io(), '--fail-on', 'regression')).toBe(0);
    expect(report('r3').diff?.new).toEqual([]);
    expect(report('r3').diff?.persisting).toBe(open.length);
  });
});
