// rbac.aggregation-into-builtin: custom ClusterRoles whose aggregate-to-* label pushes dangerous
// rules into admin/edit/view (aggregation as the clusterrole-aggregation controller computes it).
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { aggregationIntoBuiltin as check } from '../../../checks/rbac/aggregation-into-builtin.ts';
import {
  csrApprovalPermissions, namespaceModificationPermissions, nodesProxyPermissions, podExecPermissions, privilegeEscalationPermissions,
  secretsReadPermissions, webhookWritePermissions, workloadWritePermissions,
} from '../../../checks/rbac/lib/permissions.ts';
import { ANY_SUBRESOURCE } from '../../../src/analysis/rbac/rules.ts';
import { failing, run, snap } from './helpers.ts';

const role = (name: string, labels: Record<string, string>, rules: string) => `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${name}
  labels: ${JSON.stringify(labels)}
rules: ${rules}
`;
const VIEW = { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' };
const EDIT = { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' };
const ADMIN = { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' };
const binding = (name: string, ns: string, roleName: string) => `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${name}, namespace: ${ns}}
subjects: [{kind: User, name: someone}]
roleRef: {kind: ClusterRole, name: ${roleName}}
`;

describe('rbac.aggregation-into-builtin', () => {
  it('is registered in the rbac area with high severity and the RBAC controls', () => {
    expect(rbacChecks).toContain(check);
    expect(check.severity).toBe('high');
    expect(check.controls).toEqual(expect.arrayContaining(['CIS-1.10:5.1.2', 'CIS-1.10:5.1.8', 'NSA-CISA:AA/rbac', 'NIST-800-53:AC-6', 'NIST-800-207:T6']));
  });

  it('case 8: aggregate-to-view with secrets list extends view, edit and admin; counts the bindings of the roles it extends', () => {
    const s = snap([
      role('sneaky', VIEW, '[{apiGroups: [""], resources: [secrets], verbs: [list]}]'),
      binding('v1', 'app', 'view'), binding('v2', 'web', 'view'), binding('e1', 'app', 'edit'),
    ].join('---'));
    const vs = run(check, s);
    expect(failing(vs)).toEqual(['ClusterRole:sneaky']);
    const [v] = vs;
    expect(v.severity).toBeUndefined();
    expect(v.evidence).toMatchObject({
      labels: ['rbac.authorization.k8s.io/aggregate-to-view'],
      targets: ['view', 'edit', 'admin'],
      // edit and admin already read secrets themselves: only view gains it.
      extended: ['view'],
      // edit's binding gains nothing from it, so it is not counted (reviewer repro r5).
      bindings: { view: 2 },
      totalBindings: 2,
      controls: ['CIS-1.10:5.1.2'],
    });
    expect(v.evidence?.dangerousPermissions).toEqual([
      { permission: 'list secrets', risk: 'read Secrets', control: '5.1.2', rules: ['list secrets (core)'], newFor: ['view'] },
    ]);
    expect(v.message).toContain('every holder of view can read Secrets');
    expect(v.message).toContain('2 bindings grant them (view: 2)');
  });

  it('passes a custom role that aggregates only harmless rules, one result per role', () => {
    const s = snap([
      role('widgets-view', VIEW, '[{apiGroups: [example.com], resources: [widgets], verbs: [get, list, watch]}]'),
      role('widgets-edit', { ...EDIT, ...ADMIN }, '[{apiGroups: [example.com], resources: [widgets], verbs: [create, patch, delete]}]'),
      role('unrelated', {}, '[{apiGroups: [""], resources: [secrets], verbs: ["*"]}]'),
    ].join('---'));
    const vs = run(check, s);
    expect(vs.map((v) => [v.resource.name, v.status])).toEqual([['widgets-edit', 'pass'], ['widgets-view', 'pass']]);
    expect(vs[0].message).toContain('aggregates into edit and admin, and adds no dangerous permission');
  });

  // The defaults are what the bootstrap policy creates (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings);
  // the kubernetes.io/bootstrapping label and system: names are set by whoever creates the role.
  it('skips a default role only as the bootstrap policy ships it', () => {
    const s = snap([
      role('system:aggregate-to-view', { ...VIEW, 'kubernetes.io/bootstrapping': 'rbac-defaults' }, '[{apiGroups: [""], resources: [pods, configmaps], verbs: [get, list, watch]}]'),
      role('system:aggregate-to-edit', { ...EDIT, 'kubernetes.io/bootstrapping': 'rbac-defaults' }, '[{apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}, {apiGroups: [""], resources: [pods/exec], verbs: [create]}]'),
    ].join('---'));
    expect(run(check, s)).toEqual([]);
  });

  it('reports roles that only look built-in: bootstrap label, system:controller: name, a modified default (reviewer repros m1, m2, m5)', () => {
    const s = snap([
      role('sneaky', { ...EDIT, 'kubernetes.io/bootstrapping': 'rbac-defaults' }, '[{apiGroups: [""], resources: [nodes/proxy], verbs: [get]}]'),
      role('system:controller:evil', VIEW, '[{apiGroups: [""], resources: [secrets], verbs: [list]}]'),
      role('system:aggregate-to-view', { ...VIEW, 'kubernetes.io/bootstrapping': 'rbac-defaults' }, '[{apiGroups: [""], resources: [secrets, pods], verbs: [get, list, watch]}]'),
      binding('v', 'app', 'view'),
    ].join('---'));
    const vs = run(check, s);
    expect(failing(vs)).toEqual(['ClusterRole:sneaky', 'ClusterRole:system:aggregate-to-view', 'ClusterRole:system:controller:evil']);
    expect(vs.find((v) => v.resource.name === 'sneaky')!.message).toContain('every holder of edit and admin through a ClusterRoleBinding can reach the kubelet API');
    expect(vs.find((v) => v.resource.name === 'system:aggregate-to-view')!.evidence?.extended).toEqual(['view']);
    expect(vs.find((v) => v.resource.name === 'system:controller:evil')!.message).toContain('every holder of view can read Secrets');
  });

  it('reports what aggregate-to-edit adds beyond edit, and reaches admin through edit', () => {
    const s = snap(role('ops-extras', EDIT, `
  - {apiGroups: [""], resources: [secrets], verbs: [get]}
  - {apiGroups: [""], resources: [nodes/proxy], verbs: [get]}
  - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind, escalate]}
  - {apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [patch]}
`));
    const [v] = run(check, s);
    expect(v.status).toBe('fail');
    expect(v.evidence?.targets).toEqual(['edit', 'admin']);
    const perms = (v.evidence?.dangerousPermissions as Array<{ permission: string; newFor: string[] }>).map((d) => d.permission);
    // secrets read is already part of edit, so it is not reported as an extension.
    expect(perms).toEqual([
      'bind clusterroles.rbac.authorization.k8s.io', 'escalate clusterroles.rbac.authorization.k8s.io',
      'get nodes/proxy', 'patch mutatingwebhookconfigurations.admissionregistration.k8s.io',
    ]);
    expect(v.evidence?.controls).toEqual(['CIS-1.10:5.1.10', 'CIS-1.10:5.1.12', 'CIS-1.10:5.1.8']);
    // Nothing binds edit or admin yet: a latent finding, medium.
    expect(v.severity).toBe('medium');
    expect(v.message).toContain('no binding grants them yet');
  });

  it('passes when the only dangerous rules are already granted by every target', () => {
    const s = snap(role('more-secrets', EDIT, '[{apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}, {apiGroups: [""], resources: [pods/exec], verbs: [create]}]'));
    const [v] = run(check, s);
    expect(v.status).toBe('pass');
  });

  it('flags wildcard rules and exec; get on pods/exec counts only before 1.35', () => {
    const rules = '[{apiGroups: [""], resources: [pods/exec], verbs: [get]}, {apiGroups: [example.com], resources: ["*"], verbs: [get]}]';
    const old = run(check, snap(role('w', VIEW, rules), 'v1.34.2'))[0];
    const now = run(check, snap(role('w', VIEW, rules), 'v1.36.0'))[0];
    const perms = (v: typeof old) => (v.evidence?.dangerousPermissions as Array<{ permission: string }>).map((d) => d.permission);
    expect(perms(old)).toEqual(['get pods/exec', 'wildcard: get * (example.com)']);
    expect(perms(now)).toEqual(['wildcard: get * (example.com)']);
  });

  it('flags nonResourceURLs "/*", which matches every path as "*" does (reviewer repro t1), and not "/healthz/*"', () => {
    // NonResourceURLMatches (kubernetes pkg/apis/rbac/v1/evaluation_helpers.go): a URL ending in *
    // matches every path starting with what is left once the *s are trimmed, here "/".
    const perms = (v: ReturnType<typeof run>[number]) => (v.evidence?.dangerousPermissions as Array<{ permission: string }> | undefined ?? []).map((d) => d.permission);
    expect(perms(run(check, snap(role('w', VIEW, '[{nonResourceURLs: ["/*"], verbs: [get]}]')))[0])).toEqual(['wildcard: get /*']);
    expect(run(check, snap(role('w', VIEW, '[{nonResourceURLs: ["/healthz/*", "/metrics*"], verbs: [get]}]')))[0].status).toBe('pass');
  });

  it('uses the recomputed aggregation: a role feeding a custom aggregate labelled aggregate-to-view is reported too', () => {
    const s = snap([
      `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: team-bundle
  labels: ${JSON.stringify(VIEW)}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {bundle: team}}]}
rules: []
`,
      role('team-piece', { bundle: 'team' }, '[{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}]'),
    ].join('---'));
    const vs = run(check, s);
    expect(failing(vs)).toEqual(['ClusterRole:team-bundle', 'ClusterRole:team-piece']);
    expect(vs.find((v) => v.resource.name === 'team-piece')!.evidence?.targets).toEqual(['view', 'edit', 'admin']);
    // edit and admin can already mint tokens; view cannot.
    expect(vs[0].evidence?.extended).toEqual(['view']);
  });

  // Reviewer repro r5. A RoleBinding's requests carry its namespace, and requests on nodes/proxy,
  // webhook configurations, PersistentVolumes or impersonated users carry none, so only a
  // ClusterRoleBinding of the extended role gives them (reference checks.md §3.1, VisitRulesFor in
  // kubernetes pkg/registry/rbac/validation/rule.go).
  describe('cluster-scoped additions count only the ClusterRoleBindings of the extended role', () => {
    const crb = (name: string, roleName: string) => `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${name}}
subjects: [{kind: User, name: someone}]
roleRef: {kind: ClusterRole, name: ${roleName}}
`;
    const kubelet = role('monitoring-admin-extras', ADMIN, '[{apiGroups: [""], resources: [nodes/proxy, nodes], verbs: [get, list]}]');

    it('admin held only through a RoleBinding: latent (medium), says no ClusterRoleBinding grants it and why the RoleBinding is left out', () => {
      const [v] = run(check, snap([kubelet, binding('team-admin', 'team-a', 'admin')].join('---')));
      expect(v.severity).toBe('medium');
      expect(v.message).toBe('ClusterRole monitoring-admin-extras aggregates into admin, so every holder of admin through a ClusterRoleBinding can reach the kubelet API (get nodes/proxy); no ClusterRoleBinding grants them yet, so the next one will (1 RoleBinding of admin left out: a RoleBinding cannot give cluster-scoped permissions)');
      expect(v.evidence).toMatchObject({ bindings: { admin: 0 }, roleBindingsLeftOut: { admin: 1 }, totalBindings: 0 });
    });

    it('a ClusterRoleBinding of admin makes it high and is the only binding counted', () => {
      const [v] = run(check, snap([kubelet, binding('team-admin', 'team-a', 'admin'), crb('ops-admin', 'admin')].join('---')));
      expect(v.severity).toBeUndefined();
      expect(v.message).toContain('; 1 ClusterRoleBinding grants them (admin: 1) (1 RoleBinding of admin left out');
    });

    it('a namespaced addition (list secrets) next to it still reaches RoleBinding holders: every binding counts', () => {
      const mixed = role('ops', VIEW, '[{apiGroups: [""], resources: [nodes/proxy], verbs: [get]}, {apiGroups: [""], resources: [secrets], verbs: [list]}]');
      const [v] = run(check, snap([mixed, binding('v', 'app', 'view'), binding('a', 'app', 'admin')].join('---')));
      expect(v.severity).toBeUndefined();
      // view gains secrets and nodes/proxy: its RoleBinding gives the secrets; admin gains only nodes/proxy: its RoleBinding gives nothing.
      expect(v.evidence).toMatchObject({ extended: ['view', 'edit', 'admin'], bindings: { view: 1, edit: 0, admin: 0 }, roleBindingsLeftOut: { admin: 1 }, totalBindings: 1 });
      expect(v.message).toContain('every holder of view, edit and admin can reach the kubelet API and read Secrets');
    });

    it('bind on clusterroles works through a RoleBinding (checked in the binding\'s namespace), escalate does not', () => {
      const bind = role('binder', ADMIN, '[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}]');
      const escalate = role('escalator', ADMIN, '[{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate]}]');
      const rb = binding('team-admin', 'team-a', 'admin');
      expect(run(check, snap([bind, rb].join('---')))[0].evidence).toMatchObject({ bindings: { admin: 1 }, totalBindings: 1 });
      expect(run(check, snap([escalate, rb].join('---')))[0].evidence).toMatchObject({ bindings: { admin: 0 }, totalBindings: 0 });
    });

    it('a wildcard rule counts a RoleBinding only when it gives something namespaced', () => {
      const nodesStar = role('nodes-star', ADMIN, '[{apiGroups: [""], resources: [nodes], verbs: ["*"]}]');
      const podsStar = role('pods-star', ADMIN, '[{apiGroups: [""], resources: [pods], verbs: ["*"]}]');
      const rb = binding('team-admin', 'team-a', 'admin');
      expect(run(check, snap([nodesStar, rb].join('---')))[0].evidence).toMatchObject({ totalBindings: 0, roleBindingsLeftOut: { admin: 1 } });
      expect(run(check, snap([podsStar, rb].join('---')))[0].evidence).toMatchObject({ totalBindings: 1 });
    });
  });

  it('survives malformed roles and labels', () => {
    const s = snap(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: odd, labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}}
rules: [null, 5, {verbs: list, resources: secrets, apiGroups: ""}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: not-true, labels: {rbac.authorization.k8s.io/aggregate-to-view: "yes"}}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
`);
    const vs = run(check, s);
    expect(failing(vs)).toEqual(['ClusterRole:odd']);
    expect(vs).toHaveLength(1);
  });
});

// What the permission checks fail a subject for, aggregated into a built-in role, is what this
// check reports (reference checks.md §3.5, from kubernetes.io/docs/concepts/security/rbac-good-practices/:
// "Namespace modification" and "Certificate signing requests" are among the listed risks).
describe('rbac.aggregation-into-builtin judges the permissions the permission checks judge (reviewer repros s1, s6)', () => {
  const crb = (roleName: string) => `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-${roleName}}
subjects: [{kind: Group, name: ops}]
roleRef: {kind: ClusterRole, name: ${roleName}}
`;

  it('namespace patch/update aggregated into admin: fails, as rbac.namespace-modification fails the holder', () => {
    const yaml = [role('ns-labeler', ADMIN, '[{apiGroups: [""], resources: [namespaces], verbs: [patch, update]}]'), binding('alice-admin', 'team-a', 'admin')].join('---');
    const [v] = run(check, snap(yaml));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('every holder of admin can modify namespaces (patch namespaces, update namespaces); 1 binding grants them (admin: 1)');
    expect(v.evidence).toMatchObject({ controls: ['CIS-1.10:5.2.1'] });
    expect(failing(run(rbacChecks.find((c) => c.id === 'rbac.namespace-modification')!, snap(yaml)))).toEqual(['User:someone']);
  });

  it('CSR approval aggregated into admin: fails, cluster-wide holders only', () => {
    const yaml = [
      role('csr-helper', ADMIN, '[{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}, {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve]}]'),
      crb('admin'), binding('alice-admin', 'team-a', 'admin'),
    ].join('---');
    const [v] = run(check, snap(yaml));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('every holder of admin through a ClusterRoleBinding can approve certificate signing requests');
    expect(v.evidence).toMatchObject({ bindings: { admin: 1 }, roleBindingsLeftOut: { admin: 1 }, controls: ['CIS-1.10:5.1.11'] });
  });

  it('deletecollection on webhook configurations aggregated into admin: fails', () => {
    const yaml = [role('hooks', ADMIN, '[{apiGroups: [admissionregistration.k8s.io], resources: [validatingwebhookconfigurations], verbs: [deletecollection]}]'), crb('admin')].join('---');
    const [v] = run(check, snap(yaml));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('can write admission webhooks or admission policies (deletecollection validatingwebhookconfigurations.admissionregistration.k8s.io)');
  });

  it('every permission a permission check fails a view holder for, aggregated into view, fails this check', () => {
    const ctx = { snapshot: snap('') } as Parameters<typeof podExecPermissions>[0];
    const wanted = [
      ...secretsReadPermissions(), ...podExecPermissions(ctx), ...privilegeEscalationPermissions(), ...nodesProxyPermissions(),
      ...csrApprovalPermissions(), ...webhookWritePermissions(), ...workloadWritePermissions(), ...namespaceModificationPermissions(),
    ];
    const missed: string[] = [];
    for (const w of wanted) {
      const resource = w.subresource === ANY_SUBRESOURCE ? `${w.resource}/some-key` : w.subresource ? `${w.resource}/${w.subresource}` : w.resource;
      const yaml = [role('extra', VIEW, `[{apiGroups: ["${w.group}"], resources: ["${resource}"], verbs: [${w.verb}]}]`), crb('view')].join('---');
      const s = snap(yaml);
      const permissionChecks = rbacChecks.filter((c) => c.id !== 'rbac.aggregation-into-builtin' && c.id !== 'rbac.wildcard-permission');
      const holderFails = permissionChecks.some((c) => failing(run(c, s)).includes('Group:ops'));
      expect(holderFails, `${w.verb} ${resource}`).toBe(true);
      if (run(check, s)[0]?.status !== 'fail') missed.push(`${w.verb} ${resource}.${w.group}`);
    }
    expect(missed).toEqual([]);
  });
});
