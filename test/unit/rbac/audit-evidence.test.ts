// The permission checks' evidence and messages past the few grants most subjects have: the
// list helpers switch from a scan to a Set (and from insertion to Array.prototype.sort) beyond
// a handful of items, and what a reviewer reads must not depend on which side of it one is.
import { describe, expect, it } from 'vitest';
import { distinct, sortedDistinct } from '../../../src/analysis/rbac/audit.ts';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { RBAC, run, snap } from './helpers.ts';

const check = (id: string) => rbacChecks.find((c) => c.id === id)!;

describe('distinct and sortedDistinct', () => {
  it('match a Set in first-seen order and its sort, for few and many keys (UTF-16 order)', () => {
    const alphabet = ['b', 'a', 'B', 'é', 'e', '😀', 'ﬀ', 'a-1', 'a1', '', 'Z', 'kube-system', 'dev', 'prod'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 40; n++) {
      const items = Array.from({ length: n }, () => ({ k: alphabet[next() % alphabet.length] + (next() % 3 === 0 ? String(next() % 20) : '') }));
      const key = (x: { k: string }) => x.k;
      expect(distinct(items, key)).toEqual([...new Set(items.map(key))]);
      expect(sortedDistinct(items, key)).toEqual([...new Set(items.map(key))].sort());
    }
  });
});

/** A user bound to a role with two rules in `count` namespaces (dev-00, dev-01, …). */
function boundIn(count: number) {
  const docs = [`apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: reader}
rules:
- {apiGroups: [""], resources: [secrets], verbs: [watch, list]}
- {apiGroups: [""], resources: [secrets, configmaps], verbs: [get]}`];
  // Bound in reverse order: evidence keeps the order of first appearance, the scopes are sorted.
  for (let i = count - 1; i >= 0; i--) {
    const ns = `dev-${String(i).padStart(2, '0')}`;
    docs.push(`apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: ${RBAC}
kind: RoleBinding
metadata: {name: read, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: User, name: alice}]`);
  }
  return snap(docs.join('\n---\n'));
}

describe('evidence of a subject bound in few or many namespaces', () => {
  for (const count of [1, 3, 12]) {
    it(`lists every binding and rule once, in order, with sorted permissions (${count} namespaces)`, () => {
      const [v] = run(check('rbac.secrets-namespace-read'), boundIn(count)).filter((x) => x.resource.name === 'alice');
      const namespaces = Array.from({ length: count }, (_, i) => `dev-${String(i).padStart(2, '0')}`);
      const firstSeen = [...namespaces].reverse();
      expect(v.status).toBe('fail');
      expect(v.evidence).toEqual({
        subject: { kind: 'User', name: 'alice' },
        permissions: ['get secrets', 'list secrets', 'watch secrets'],
        scopes: namespaces,
        grants: firstSeen.flatMap((ns) => [
          { binding: { kind: 'RoleBinding', name: 'read', namespace: ns }, role: { kind: 'ClusterRole', name: 'reader' }, rule: 'watch,list secrets (core)', scope: ns, permissions: ['list secrets', 'watch secrets'] },
          { binding: { kind: 'RoleBinding', name: 'read', namespace: ns }, role: { kind: 'ClusterRole', name: 'reader' }, rule: 'get secrets,configmaps (core)', scope: ns, permissions: ['get secrets'] },
        ]),
      });
      const listed = namespaces.slice(0, 5).join(', ');
      expect(v.message).toContain(count > 5 ? `namespaces ${listed} (+${count - 5})` : `namespace${count > 1 ? 's' : ''} ${listed}`);
      expect(v.message).toMatch(/^User:alice can get secrets, list secrets, watch secrets without resourceNames/);
    });
  }

  it('names each binding once in the message and scopes a permission check by namespace (12 namespaces)', () => {
    const [v] = run(check('rbac.pod-exec-attach'), snap(`apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: exec}
rules: [{apiGroups: [""], resources: [pods/exec, pods/attach], verbs: [create, get]}]
${Array.from({ length: 12 }, (_, i) => `---
apiVersion: ${RBAC}
kind: RoleBinding
metadata: {name: ops, namespace: ns-${String(i).padStart(2, '0')}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: exec}
subjects: [{kind: Group, name: ops}]`).join('\n')}`)).filter((x) => x.resource.name === 'ops');
    expect(v.status).toBe('fail');
    expect(v.message).toBe('Group:ops can exec into or attach to pods in namespaces ns-00, ns-01, ns-02, ns-03, ns-04 (+7) (create pods/attach, create pods/exec) via RoleBinding ns-00/ops → ClusterRole exec; RoleBinding ns-01/ops → ClusterRole exec; RoleBinding ns-02/ops → ClusterRole exec; +9 more');
    expect((v.evidence as { grants: unknown[] }).grants).toHaveLength(12);
  });
});
