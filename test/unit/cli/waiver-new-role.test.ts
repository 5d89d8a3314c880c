// Two `ztaudit run`s of the demo cluster with its config (examples/ztaudit.demo.yaml waives
// rbac.wildcard-permission for ClusterRole ci-deployer), the second with a new Role payments/ops
// granting */*/* bound to the same ServiceAccount kube-system/ci-deployer by a RoleBinding. A
// RoleBinding's Role adds to what ClusterRoleBindings grant the subject
// (https://kubernetes.io/docs/reference/access-authn-authz/rbac/), so the waiver written for the
// ClusterRole no longer covers the subject's finding, and the run says so.
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

async function run(out: string): Promise<Report> {
  const t = captureIO(dir);
  const code = await main(['run', '--manifests', 'cluster', '--config', join(REPO, 'examples/ztaudit.demo.yaml'), '--cluster', 'demo', '--history', 'h.db', '--no-notify', '--out', out, '--format', 'json', '-q'], t.cli);
  expect(t.err()).not.toContain('internal error');
  expect(code).toBe(0);
  return JSON.parse(readFileSync(join(dir, out, 'report.json'), 'utf8')) as Report;
}

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
