// holdsPermission answers findPermissions(...).length > 0 without building the hits, and
// findPermissions' `reaches` drops a RoleBinding's hits as filtering them by namespace afterwards
// did: both must give the scan's answer in every case the scan tells apart (a RoleBinding never
// gives a cluster-scoped permission, on `namespaces` only its own namespace, create never through
// resourceNames, no non-resource rule, a namespace or cluster-scope restriction).
import { describe, expect, it } from 'vitest';
import { findPermissions, holdsPermission, rbacAudit, type Permission, type PermissionScope } from '../../../src/analysis/rbac/audit.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { p } from '../../../checks/rbac/lib/permissions.ts';
import { RBAC, snap } from './helpers.ts';

const binding = (kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, role: string, user: string, namespace?: string, roleKind = 'ClusterRole') => `---
apiVersion: ${RBAC}
kind: ${kind}
metadata: {name: ${name}${namespace ? `, namespace: ${namespace}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ${roleKind}, name: ${role}}
subjects: [{kind: User, name: ${user}}]
`;

const SNAPSHOT = snap(`apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: ns-patch}
rules:
- {apiGroups: [""], resources: [namespaces], verbs: [patch], resourceNames: [team-a]}
- {apiGroups: [""], resources: [namespaces], verbs: [create, list]}
---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: impersonator}
rules: [{apiGroups: [""], resources: [users, serviceaccounts], verbs: [impersonate]}]
---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: named}
rules:
- {apiGroups: [""], resources: [pods, pods/exec, serviceaccounts/token], verbs: [create], resourceNames: [web]}
- {nonResourceURLs: ["/metrics"], verbs: [get]}
---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: everything}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
${binding('RoleBinding', 'a', 'ns-patch', 'alice', 'team-a')}${binding('RoleBinding', 'b', 'ns-patch', 'alice', 'team-b')}${binding('RoleBinding', 'imp', 'impersonator', 'alice', 'team-b')}${binding('ClusterRoleBinding', 'imp', 'impersonator', 'bob')}${binding('RoleBinding', 'n', 'named', 'bob', 'team-a')}${binding('ClusterRoleBinding', 'n', 'named', 'carol')}${binding('RoleBinding', 'all', 'everything', 'carol', 'team-c')}`);

const grantsOf = (user: string) => rbacAudit({ snapshot: SNAPSHOT, config: defaultConfig(), now: new Date('2026-11-26T00:00:00Z') }).subjects.find((s) => s.subject.name === user)!.grants;

const PERMISSIONS: Permission[] = [
  p('patch', '', 'namespaces'), p('create', '', 'namespaces'), p('list', '', 'namespaces'),
  { ...p('impersonate', '', 'users'), clusterScoped: true }, p('impersonate', '', 'serviceaccounts'),
  p('create', '', 'pods'), p('create', '', 'pods', 'exec'), p('create', '', 'serviceaccounts', 'token'),
  { ...p('create', '', 'pods'), namedOnly: true }, p('get', '', 'secrets'), p('delete', 'apps', 'deployments'),
];
const SCOPES: PermissionScope[] = [{}, { clusterScoped: true }, { namespace: 'team-a' }, { namespace: 'team-b' }, { namespace: 'team-c' }, { namespace: 'elsewhere' }];
const USERS = ['alice', 'bob', 'carol'];

describe('holdsPermission', () => {
  it('answers as findPermissions(...).length > 0 for every subject, permission list and scope', () => {
    let held = 0;
    let cases = 0;
    for (const user of USERS) {
      const grants = grantsOf(user);
      for (const wanted of [...PERMISSIONS.map((x) => [x]), PERMISSIONS]) {
        for (const scope of SCOPES) {
          const expected = findPermissions(grants, wanted, scope).length > 0;
          expect(holdsPermission(grants, wanted, scope), `${user} ${wanted.length} ${JSON.stringify(scope)}`).toBe(expected);
          cases++;
          if (expected) held++;
        }
      }
    }
    // Both answers occur, so the comparison tells the two apart.
    expect(held).toBeGreaterThan(20);
    expect(cases - held).toBeGreaterThan(20);
  });

  it('follows the rules a RoleBinding grant is held to', () => {
    // Patch on namespaces limited to team-a: its RoleBinding in team-a reaches that namespace, the one in team-b nothing.
    expect(holdsPermission(grantsOf('alice'), [p('patch', '', 'namespaces')], { namespace: 'team-a' })).toBe(true);
    expect(holdsPermission(grantsOf('alice'), [p('patch', '', 'namespaces')], { namespace: 'team-b' })).toBe(false);
    // Create carries no namespace name: no RoleBinding gives it on namespaces.
    expect(holdsPermission(grantsOf('alice'), [p('create', '', 'namespaces')])).toBe(false);
    // Impersonating users is asked at cluster scope: alice's RoleBinding gives it nowhere, bob's ClusterRoleBinding does.
    const impersonateUsers: Permission = { ...p('impersonate', '', 'users'), clusterScoped: true };
    expect(holdsPermission(grantsOf('alice'), [impersonateUsers])).toBe(false);
    expect(holdsPermission(grantsOf('bob'), [impersonateUsers], { clusterScoped: true })).toBe(true);
    // Create limited by resourceNames is no create, but is what a namedOnly permission asks for.
    expect(holdsPermission(grantsOf('bob'), [p('create', '', 'pods')])).toBe(false);
    expect(holdsPermission(grantsOf('bob'), [{ ...p('create', '', 'pods'), namedOnly: true }], { namespace: 'team-a' })).toBe(true);
    expect(holdsPermission(grantsOf('bob'), [{ ...p('create', '', 'pods'), namedOnly: true }], { clusterScoped: true })).toBe(false);
  });
});

describe('findPermissions with reaches', () => {
  it('keeps the hits a filter by namespace afterwards keeps, in order, asking only of RoleBindings whose role matches', () => {
    for (const user of USERS) {
      const grants = grantsOf(user);
      for (const accepted of [[], ['team-a'], ['team-b', 'team-c'], ['team-a', 'team-b', 'team-c']]) {
        const asked: string[] = [];
        const reaches = (ns: string) => {
          asked.push(ns);
          return accepted.includes(ns);
        };
        const all = findPermissions(grants, PERMISSIONS);
        const kept = findPermissions(grants, PERMISSIONS, { reaches });
        expect(kept).toEqual(all.filter((h) => !h.namespace || accepted.includes(h.namespace)));
        expect(holdsPermission(grants, PERMISSIONS, { reaches })).toBe(kept.length > 0);
        // Asked for namespaces of RoleBindings only, never for a grant whose role matches nothing wanted.
        const matching = new Set(grants.filter((g) => g.namespace && findPermissions([g], PERMISSIONS).length > 0).map((g) => g.namespace));
        for (const ns of asked) expect(matching.has(ns), `${user} asked ${ns}`).toBe(true);
      }
    }
    // Carol's cluster-wide grant (exec into pod web anywhere) counts whatever the namespaces accepted.
    expect(findPermissions(grantsOf('carol'), [p('create', '', 'pods', 'exec')], { reaches: () => false }).map((h) => h.namespace)).toEqual([undefined]);
    expect(findPermissions(grantsOf('carol'), [p('delete', 'apps', 'deployments')], { reaches: () => false })).toEqual([]);
    expect(findPermissions(grantsOf('carol'), [p('delete', 'apps', 'deployments')], { reaches: (ns) => ns === 'team-c' }).map((h) => h.namespace)).toEqual(['team-c']);
  });
});
