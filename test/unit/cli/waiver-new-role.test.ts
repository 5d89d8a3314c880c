// Two `ztaudit run`s of the demo cluster with its config (examples/ztaudit.demo.yaml waives
// rbac.wildcard-permission for ClusterRole ci-deployer), the second with a new Role payments/ops
// granting */*/* bound to the same ServiceAccount kube-system/ci-deployer by a RoleBinding. A
// RoleBinding's Role adds to what ClusterRoleBindings grant the subject
// (https://kubernetes.io/docs/reference/access-authn-authz/rbac/), so the waiver written for the
// ClusterRole no longer covers the subject's finding, and the run says so: as a regression, and
// in its warning about the waiver, which matches nothing now yet is no stale entry to delete.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { captureIO } from '../../helpers/cli.ts';

const REPO = join(import.meta.dirname, '../../..');
const BACKDOOR = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ops, namespace: payments}
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ops, namespace: payments}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ops}
subjects: [{kind: ServiceAccount, name: ci-deployer, namespace: kube-system}]
`;

interface Report {
  findings: Array<{ check: string; resource: { kind: string; namespace?: string; name: string }; message: string; waived: boolean }>;
  diff: { regression: boolean; regressionReasons: string[] };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zt-waiver-role-'));
  // The demo waiver expires 2027-03-31: run while it holds.
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

/** The run's report and its warnings (stderr's log lines, by their msg). */
async function runWarned(out: string, config = join(REPO, 'examples/ztaudit.demo.yaml')): Promise<{ report: Report; warnings: string[] }> {
  const t = captureIO(dir);
  const code = await main(['run', '--manifests', 'cluster', '--config', config, '--cluster', 'demo', '--history', 'h.db', '--no-notify', '--out', out, '--format', 'json', '-q'], t.cli);
  expect(t.err()).not.toContain('internal error');
  expect(code).toBe(0);
  const warnings = t.errLines().map((l) => (JSON.parse(l) as { level: string; msg: string })).filter((l) => l.level === 'warn').map((l) => l.msg);
  return { report: JSON.parse(readFileSync(join(dir, out, 'report.json'), 'utf8')) as Report, warnings };
}

async function run(out: string): Promise<Report> {
  return (await runWarned(out)).report;
}

const WAIVER = 'waiver for rbac.wildcard-permission on ClusterRole ci-deployer (owner platform-team@acme.example)';

it('a new wildcard Role bound to the ServiceAccount a ClusterRole waiver covered is a regression: "no longer covered by its waiver"', async () => {
  cpSync(join(REPO, 'examples/demo-cluster'), join(dir, 'cluster'), { recursive: true });
  vi.setSystemTime(new Date('2026-12-01T02:00:00Z'));
  const first = await run('o1');
  const ciDeployer = (r: Report) => r.findings.find((f) => f.check === 'rbac.wildcard-permission' && f.resource.kind === 'ServiceAccount' && f.resource.name === 'ci-deployer')!;
  expect(ciDeployer(first).waived).toBe(true);

  writeFileSync(join(dir, 'cluster/99-backdoor.yaml'), BACKDOOR);
  vi.setSystemTime(new Date('2026-12-02T02:00:00Z'));
  const second = await run('o2');
  expect(ciDeployer(second).message).toContain('Role payments/ops');
  expect(ciDeployer(second).waived).toBe(false);
  expect(second.diff.regression).toBe(true);
  expect(second.diff.regressionReasons).toContain('no longer covered by its waiver: rbac.wildcard-permission on ServiceAccount kube-system/ci-deployer');
});

it('the waiver that no longer covers the still-open finding says so, not "matches no finding"', async () => {
  cpSync(join(REPO, 'examples/demo-cluster'), join(dir, 'cluster'), { recursive: true });
  vi.setSystemTime(new Date('2026-12-01T02:00:00Z'));
  const first = await runWarned('o1');
  expect(first.warnings.filter((w) => w.startsWith(WAIVER))).toEqual([]);

  writeFileSync(join(dir, 'cluster/99-backdoor.yaml'), BACKDOOR);
  vi.setSystemTime(new Date('2026-12-02T02:00:00Z'));
  const second = await runWarned('o2');
  const id1 = (JSON.parse(readFileSync(join(dir, 'o1/report.json'), 'utf8')) as { run: { id: string } }).run.id;
  expect(second.warnings.filter((w) => w.startsWith(WAIVER))).toEqual([
    `${WAIVER} no longer covers the open finding on ServiceAccount kube-system/ci-deployer, which it covered in run ${id1}: it now also stems from Role payments/ops, which the waiver does not name; the finding counts, the waiver is not stale`,
  ]);
  expect(second.warnings.join('\n')).not.toContain('matches no finding');

  // Run again: the finding was open in the compared run too, yet the waiver still names what it stems from.
  vi.setSystemTime(new Date('2026-12-03T02:00:00Z'));
  const third = await runWarned('o3');
  expect(third.warnings.filter((w) => w.startsWith(WAIVER))).toEqual([
    `${WAIVER} does not cover the open finding on ServiceAccount kube-system/ci-deployer: it also stems from Role payments/ops, which the waiver does not name; the finding counts, the waiver is not stale`,
  ]);

  // The backdoor and the ClusterRole's grant gone: the finding is resolved, the waiver stale.
  rmSync(join(dir, 'cluster/99-backdoor.yaml'));
  const rbac = join(dir, 'cluster/40-rbac.yaml');
  writeFileSync(rbac, readFileSync(rbac, 'utf8').replace('subjects: [{kind: ServiceAccount, name: ci-deployer, namespace: kube-system}]', 'subjects: []'));
  vi.setSystemTime(new Date('2026-12-04T02:00:00Z'));
  const fourth = await runWarned('o4');
  expect(fourth.warnings.filter((w) => w.startsWith(WAIVER))).toEqual([`${WAIVER} matches no finding: fixed, or a typo in the resource?`]);
});

it('a waiver naming the binding, which was replaced by another granting the same, no longer covers the open finding it covered', async () => {
  // The subject keeps its ClusterRole through a new ClusterRoleBinding: the finding on the
  // ServiceAccount persists (same fingerprint), the object the waiver names is gone.
  cpSync(join(REPO, 'examples/demo-cluster'), join(dir, 'cluster'), { recursive: true });
  writeFileSync(join(dir, 'waivers.yaml'), 'waivers:\n  - check: rbac.wildcard-permission\n    resource: {kind: ClusterRoleBinding, name: ci-deployer}\n    reason: CI\n    owner: platform-team@acme.example\n    expires: 2027-03-31\n');
  vi.setSystemTime(new Date('2026-12-01T02:00:00Z'));
  const first = await runWarned('o1', 'waivers.yaml');
  const ciDeployer = (r: Report) => r.findings.find((f) => f.check === 'rbac.wildcard-permission' && f.resource.kind === 'ServiceAccount' && f.resource.name === 'ci-deployer')!;
  expect(ciDeployer(first.report).waived).toBe(true);

  const rbac = join(dir, 'cluster/40-rbac.yaml');
  const text = readFileSync(rbac, 'utf8');
  const renamed = text.replace(/kind: ClusterRoleBinding\nmetadata: \{name: ci-deployer\}/, 'kind: ClusterRoleBinding\nmetadata: {name: ci-deployer-v2}');
  expect(renamed).not.toBe(text);
  writeFileSync(rbac, renamed);
  vi.setSystemTime(new Date('2026-12-02T02:00:00Z'));
  const second = await runWarned('o2', 'waivers.yaml');
  expect(ciDeployer(second.report).waived).toBe(false);
  const id1 = (JSON.parse(readFileSync(join(dir, 'o1/report.json'), 'utf8')) as { run: { id: string } }).run.id;
  expect(second.report.diff.regressionReasons).toContain('no longer covered by its waiver: rbac.wildcard-permission on ServiceAccount kube-system/ci-deployer');
  expect(second.warnings.filter((w) => w.startsWith('waiver for'))).toEqual([
    `waiver for rbac.wildcard-permission on ClusterRoleBinding ci-deployer (owner platform-team@acme.example) no longer covers the open finding on ServiceAccount kube-system/ci-deployer, which it covered in run ${id1}: the objects it stems from changed, or the waiver did; the finding counts, the waiver is not stale`,
  ]);
});
