// `ztaudit can SUBJECT -n NS` through the real command line: the rules that apply in NS are the
// cluster-wide grants and the RoleBindings of NS, never another namespace's.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { captureIO } from '../../helpers/cli.ts';

const RBAC = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: billing}
---
apiVersion: v1
kind: Namespace
metadata: {name: quiet}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-reader}
rules: [{apiGroups: [""], resources: [nodes], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice-nodes}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader, namespace: shop}
rules: [{apiGroups: [""], resources: [pods], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-pods, namespace: shop}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secret-reader, namespace: billing}
rules: [{apiGroups: [""], resources: [secrets], verbs: [watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-secrets, namespace: billing}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
`;

function cluster(): string {
  const dir = mkdtempSync(join(tmpdir(), 'zt-can-'));
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm/rbac.yaml'), RBAC);
  return dir;
}

async function can(dir: string, ...args: string[]) {
  const t = captureIO(dir);
  const code = await main(['can', ...args, '--manifests', 'm'], t.cli);
  return { code, out: t.out(), err: t.errLines() };
}

describe('ztaudit can SUBJECT -n NAMESPACE (no verb)', () => {
  it('lists the cluster-wide rules and the RoleBindings of that namespace only', async () => {
    const r = await can(cluster(), 'User:alice', '-n', 'shop');
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out.split('\n')[0]).toBe('Permissions of User:alice (groups: system:authenticated) in namespace shop:');
    expect(r.out).toMatch(/get nodes .*ClusterRoleBinding alice-nodes/);
    expect(r.out).toContain('Namespace shop (RoleBindings):');
    expect(r.out).toMatch(/list pods .*RoleBinding shop\/alice-pods/);
    expect(r.out).not.toContain('billing');
    expect(r.out).not.toContain('secrets');
  });

  it('without -n still lists every namespace', async () => {
    const r = await can(cluster(), 'User:alice');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Namespace shop (RoleBindings):');
    expect(r.out).toContain('Namespace billing (RoleBindings):');
    expect(r.out).toMatch(/Breadth: \d+ distinct/);
  });

  it('a namespace where no RoleBinding names the subject leaves only its cluster-wide rules; one where nothing does says so', async () => {
    const dir = cluster();
    const quiet = await can(dir, 'User:alice', '-n', 'quiet');
    expect(quiet.code).toBe(0);
    expect(quiet.out).toMatch(/get nodes .*ClusterRoleBinding alice-nodes/);
    expect(quiet.out).not.toMatch(/^Namespace /m);
    const group = await can(dir, 'Group:auditors', '-n', 'billing');
    expect(group.code).toBe(0);
    expect(group.out).toContain('  none: no ClusterRoleBinding, and no RoleBinding in namespace billing, names this subject or its groups.');
    expect(group.out).not.toContain('secret-reader');
  });

  it('a namespace the source does not hold is answered with a warning, as for a question', async () => {
    const r = await can(cluster(), 'User:alice', '-n', 'shpo');
    expect(r.code).toBe(0);
    expect(r.err).toEqual(['ztaudit can: warning: namespace "shpo" is not in the source (did you mean shop?): only cluster-wide grants answer for it']);
    expect(r.out).toMatch(/get nodes .*ClusterRoleBinding alice-nodes/);
    expect(r.out).not.toMatch(/^Namespace /m);
  });
});

describe('ztaudit can SUBJECT --name (no verb)', () => {
  it('is refused (exit 2, one line on stderr) rather than ignored; with a question it is accepted', async () => {
    const r = await can(cluster(), 'User:alice', '--name', 'db-password');
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['ztaudit: can: --name applies to a question about one object, e.g. `ztaudit can User:alice get secrets --name db-password -n dev`']);
    expect(r.out).toBe('');
    expect((await can(cluster(), 'User:alice', 'get', 'secrets', '--name', 'db-password', '-n', 'billing')).code).toBe(1);
  });
});
