// A subject whose dangerous access is confined to one namespace is rated lower, unless that
// namespace holds a service account with a dangerous cluster-wide grant: exec into its pods,
// minting its token or impersonating it there acts as that account, as in kube-system
// (kubernetes.io/docs/concepts/security/rbac-good-practices/: "Workload creation", "Escalation
// risks": holders of such permissions in a namespace can use any service account of it).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { CONTROLLER_ROLES } from '../../../src/analysis/rbac/bootstrap.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { main } from '../../../src/cli/main.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';
import { captureIO } from '../../helpers/cli.ts';
import { RBAC, run, snap } from './helpers.ts';
import { defaultConfig } from '../../../src/config/types.ts';

const check = (id: string) => rbacChecks.find((c) => c.id === id)!;

const ARGOCD = (controllerRole: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: argocd}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: argocd-application-controller, namespace: argocd}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pv-maker}
rules: [{apiGroups: [""], resources: [persistentvolumes], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: argocd-application-controller}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${controllerRole}}
subjects: [{kind: ServiceAccount, name: argocd-application-controller, namespace: argocd}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-edit, namespace: argocd}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: User, name: dev, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ns-labeler, namespace: argocd}
rules: [{apiGroups: [""], resources: [namespaces], verbs: [patch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: labeler, namespace: argocd}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ns-labeler}
subjects: [{kind: User, name: labeler, apiGroup: rbac.authorization.k8s.io}]
`;

const verdictOf = (id: string, yaml: string, name: string) => run(check(id), snap(yaml)).find((v) => v.resource.name === name)!;
/** A snapshot of a live cluster: only its listing proves a ServiceAccount missing. */
const live = (yaml: string): Snapshot => ({ ...snap(yaml), origin: 'live' });
const liveVerdictOf = (id: string, yaml: string, name: string) => run(check(id), live(yaml)).find((v) => v.resource.name === name)!;

describe('namespace-only access where a service account holds cluster-admin (reviewer repro s2)', () => {
  it('rbac.pod-exec-attach: exec in argocd keeps the check\'s severity and names the account', () => {
    const v = verdictOf('rbac.pod-exec-attach', ARGOCD('cluster-admin'), 'dev');
    expect(v.status).toBe('fail');
    expect(v.severity).toBeUndefined();
    expect(v.message).toContain('. Namespace argocd holds ServiceAccount argocd/argocd-application-controller, which has dangerous permissions cluster-wide: this access there is a way to act as it, so it is rated as in kube-system');
  });

  it('rbac.privilege-escalation: minting the token of argocd\'s cluster-admin account is cluster-admin: critical, naming the account and why (cluster-admin-tokens.test.ts)', () => {
    const v = verdictOf('rbac.privilege-escalation', ARGOCD('cluster-admin'), 'dev');
    expect(v).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(v.message).toContain('. It can mint a token for ServiceAccount argocd/argocd-application-controller (kubectl create token argocd-application-controller -n argocd), which is cluster-admin-equivalent because ClusterRoleBinding argocd-application-controller binds it to ClusterRole cluster-admin, every verb on every resource: that is cluster-admin');
  });

  it('rbac.namespace-modification: patching argocd is no way to act as its account: medium, no note', () => {
    // Relabelling a namespace gives no pod, exec or token (kubernetes.io/docs/concepts/security/rbac-good-practices/
    // "Namespace modification": it can weaken Pod Security or NetworkPolicy selectors, not act as an account).
    const v = verdictOf('rbac.namespace-modification', ARGOCD('cluster-admin'), 'labeler');
    expect(v.severity).toBe('medium');
    expect(v.message).not.toContain('Namespace argocd holds');
  });

  it('with the account holding only create persistentvolumes (a storage provisioner): lowered as before, no note', () => {
    for (const id of ['rbac.pod-exec-attach', 'rbac.privilege-escalation']) {
      const v = verdictOf(id, ARGOCD('pv-maker'), 'dev');
      expect(v.severity, id).toBe('medium');
      expect(v.message, id).not.toContain('Namespace argocd holds');
    }
    expect(verdictOf('rbac.namespace-modification', ARGOCD('pv-maker'), 'labeler').severity).toBe('medium');
  });
});

const ROLE_IN = (ns: string, user: string, rules: string) => `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r-${user}, namespace: ${ns}}
rules: ${rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b-${user}, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r-${user}}
subjects: [{kind: User, name: ${user}, apiGroup: rbac.authorization.k8s.io}]
`;

describe('only permissions that act as a namespace\'s service accounts are raised by a powerful one there', () => {
  it('port-forward alone in argocd stays medium; impersonating or minting tokens there does not', () => {
    // Port-forwarding reaches a pod's ports, not its token.
    // Impersonating a service account or creating its token acts as it (rbac-good-practices "Escalation risks").
    const yaml = ARGOCD('cluster-admin')
      + ROLE_IN('argocd', 'pf', '[{apiGroups: [""], resources: [pods/portforward], verbs: [create]}]')
      + ROLE_IN('argocd', 'minter', '[{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}]');
    expect(verdictOf('rbac.pod-exec-attach', yaml, 'pf')).toMatchObject({ status: 'fail', severity: 'medium' });
    const minter = verdictOf('rbac.privilege-escalation', yaml, 'minter');
    // The account is cluster-admin: its token is (cluster-admin-tokens.test.ts).
    expect(minter.severity).toBe('critical');
    expect(minter.message).toContain('mint a token for ServiceAccount argocd/argocd-application-controller');
  });

  // Reviewer repro t12. Binding any role in argocd, or writing any rule into one (escalate), gives
  // everything argocd's RoleBindings can give, creating argocd-application-controller's token
  // among it: bind lets its holder bind roles with permissions it lacks, escalate write them into
  // roles (kubernetes.io/docs/concepts/security/rbac-good-practices/, "Bind verb", "Escalate verb").
  // A bind limited to named roles is as strong as those roles there: edit impersonates service
  // accounts, view does not (the role-grantor example of
  // kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-binding-creation-or-update).
  it('bind on any role, or escalate on Roles, in argocd is rated as in kube-system; bind limited to view is not', () => {
    const RB = 'rbac.authorization.k8s.io';
    const yaml = ARGOCD('cluster-admin')
      + ROLE_IN('argocd', 'crbinder', `[{apiGroups: [${RB}], resources: [rolebindings], verbs: [create]}, {apiGroups: [${RB}], resources: [clusterroles], verbs: [bind]}]`)
      + ROLE_IN('argocd', 'binder', `[{apiGroups: [${RB}], resources: [roles], verbs: [bind, escalate]}]`)
      + ROLE_IN('argocd', 'escalator', `[{apiGroups: [${RB}], resources: [roles], verbs: [escalate, update]}]`)
      + ROLE_IN('argocd', 'editgrantor', `[{apiGroups: [${RB}], resources: [clusterroles], verbs: [bind], resourceNames: [edit]}, {apiGroups: [${RB}], resources: [rolebindings], verbs: [create]}]`)
      + ROLE_IN('argocd', 'viewgrantor', `[{apiGroups: [${RB}], resources: [clusterroles], verbs: [bind], resourceNames: [view]}]`)
      + ROLE_IN('argocd', 'namedescalator', `[{apiGroups: [${RB}], resources: [roles], verbs: [escalate], resourceNames: [some-role]}]`);
    for (const name of ['crbinder', 'binder', 'escalator', 'editgrantor']) {
      const v = verdictOf('rbac.privilege-escalation', yaml, name);
      expect(v.severity, name).toBeUndefined();
      expect(v.message, name).toContain('Namespace argocd holds ServiceAccount argocd/argocd-application-controller, which has dangerous permissions cluster-wide: this access there is a way to act as it');
    }
    for (const name of ['viewgrantor', 'namedescalator']) expect(verdictOf('rbac.privilege-escalation', yaml, name), name).toMatchObject({ status: 'fail', severity: 'medium' });
  });
});

describe('service accounts made powerful through their groups (reviewer repro grp)', () => {
  // system:serviceaccounts:NS is every service account of NS, system:serviceaccounts every one of
  // every namespace (kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects).
  const GROUP = (group: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: sa-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: "${group}", apiGroup: rbac.authorization.k8s.io}]
` + ROLE_IN('ci', 'bob', '[{apiGroups: [""], resources: [pods/exec], verbs: [create]}]') + ROLE_IN('web', 'eve', '[{apiGroups: [""], resources: [pods/exec], verbs: [create]}]');

  it('cluster-admin for system:serviceaccounts:ci raises exec in ci, not in another namespace', () => {
    const yaml = GROUP('system:serviceaccounts:ci');
    const bob = verdictOf('rbac.pod-exec-attach', yaml, 'bob');
    expect(bob.severity).toBeUndefined();
    expect(bob.message).toContain('. Namespace ci holds all service accounts (group system:serviceaccounts:ci), which have dangerous permissions cluster-wide: this access there is a way to act as them, so it is rated as in kube-system');
    expect(verdictOf('rbac.pod-exec-attach', yaml, 'eve').severity).toBe('medium');
  });

  it('cluster-admin for system:serviceaccounts raises exec in every namespace', () => {
    const yaml = GROUP('system:serviceaccounts');
    for (const user of ['bob', 'eve']) {
      const v = verdictOf('rbac.pod-exec-attach', yaml, user);
      expect(v.severity, user).toBeUndefined();
      expect(v.message, user).toContain('holds all service accounts of every namespace (group system:serviceaccounts), which have dangerous permissions cluster-wide');
    }
    // A group that only looks like it (no namespace after the colon) is nobody's service accounts.
    expect(verdictOf('rbac.pod-exec-attach', GROUP('system:serviceaccounts:'), 'bob').severity).toBe('medium');
  });
});

// Workload creation: "users who can create workloads (pods, or workload resources that manage pods)
// in a namespace ... can run pods as any ServiceAccount in the namespace"
// (kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation; shared/reference/checks.md §3
// "Workload creation ... implies access to every Secret, ConfigMap, PVC and ServiceAccount of the namespace").
// A namespace whose service account holds a dangerous cluster-wide grant is then a way to it, as kube-system is.
describe('rbac.workload-create-kube-system: workload creation where a service account holds cluster-wide dangerous permissions', () => {
  const wl = () => check('rbac.workload-create-kube-system');
  const CI_DEPLOYER = (role = 'cluster-admin') => `
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-deployer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role}}
subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pv-maker}
rules: [{apiGroups: [""], resources: [persistentvolumes], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
`;
  const DEPLOYS = '[{apiGroups: [apps], resources: [deployments], verbs: [create]}]';

  it('a Role granting create deployments in ci, where ci/deployer holds cluster-admin: its subject fails at high, naming ci/deployer', () => {
    const v = verdictOf('rbac.workload-create-kube-system', CI_DEPLOYER() + ROLE_IN('ci', 'dev', DEPLOYS), 'dev');
    expect(v.status).toBe('fail');
    expect(v.severity).toBeUndefined();
    expect(v.message).toBe('User:dev can create or change workloads in namespace ci (create deployments.apps) via RoleBinding ci/b-dev → Role ci/r-dev. '
      + 'Namespace ci holds ServiceAccount ci/deployer, which has dangerous permissions cluster-wide: a workload created there can run as it and use its permissions');
    expect(v.evidence).toMatchObject({ scopes: ['ci'], permissions: ['create deployments.apps'] });
    expect(run(wl(), snap(CI_DEPLOYER() + ROLE_IN('ci', 'dev', DEPLOYS))).filter((x) => x.status === 'fail').map((x) => x.resource.name).sort()).toEqual(['deployer', 'dev']);
  });

  it('the same Role in a namespace without such an account, or where the account only creates PersistentVolumes (a provisioner): passes', () => {
    expect(verdictOf('rbac.workload-create-kube-system', CI_DEPLOYER() + ROLE_IN('web', 'dev', DEPLOYS), 'dev')).toMatchObject({ status: 'pass', message: 'User:dev cannot create or change workloads in kube-system or in a namespace whose service accounts hold dangerous permissions cluster-wide or in kube-system' });
    expect(verdictOf('rbac.workload-create-kube-system', CI_DEPLOYER('pv-maker') + ROLE_IN('ci', 'dev', DEPLOYS), 'dev').status).toBe('pass');
    expect(verdictOf('rbac.workload-create-kube-system', ROLE_IN('ci', 'dev', DEPLOYS), 'dev').status).toBe('pass');
  });

  it('kube-system and cluster-wide findings keep their message, evidence and fingerprint identity (one verdict per subject)', () => {
    const yaml = CI_DEPLOYER() + ROLE_IN('kube-system', 'jane', DEPLOYS) + `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-edit}
subjects: [{kind: User, name: ops, apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: ClusterRole, name: edit, apiGroup: rbac.authorization.k8s.io}
`;
    const fails = run(wl(), snap(yaml)).filter((v) => v.status === 'fail').sort((a, b) => a.resource.name.localeCompare(b.resource.name));
    expect(fails.map((v) => [v.resource, v.detailKey, v.severity, v.message])).toEqual([
      [{ kind: 'ServiceAccount', namespace: 'ci', name: 'deployer' }, undefined, undefined, 'ServiceAccount:ci/deployer can create or change workloads in kube-system cluster-wide (create cronjobs.batch, create daemonsets.apps, create deployments.apps, create jobs.batch, create pods and 19 more) via ClusterRoleBinding ci-deployer → ClusterRole cluster-admin'],
      [{ kind: 'User', name: 'jane' }, undefined, undefined, 'User:jane can create or change workloads in kube-system (create deployments.apps) via RoleBinding kube-system/b-jane → Role kube-system/r-jane'],
      [{ kind: 'User', name: 'ops' }, undefined, undefined, 'User:ops can create or change workloads in kube-system cluster-wide (create cronjobs.batch, create daemonsets.apps, create deployments.apps, create jobs.batch, create pods and 19 more) via ClusterRoleBinding ops-edit → ClusterRole edit'],
    ]);
    expect(fails.find((v) => v.resource.name === 'jane')!.evidence).toMatchObject({ scopes: ['kube-system'] });
  });

  it('the powerful account itself, and service accounts already holding the grant through their group, are not reported by this path', () => {
    // ci/deployer reads Secrets cluster-wide and may deploy in ci: a pod there as itself gains it nothing.
    const self = CI_DEPLOYER('secret-reader') + `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deploy, namespace: ci}
rules: ${DEPLOYS}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deploy, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deploy}
subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}, {kind: ServiceAccount, name: builder, namespace: ci}]
`;
    const verdicts = run(wl(), snap(self));
    expect(verdicts.find((v) => v.resource.name === 'deployer')!.status).toBe('pass');
    // Another account of ci that may deploy there can run as ci/deployer.
    const builder = verdicts.find((v) => v.resource.name === 'builder')!;
    expect(builder.status).toBe('fail');
    expect(builder.message).toContain('Namespace ci holds ServiceAccount ci/deployer, which has dangerous permissions cluster-wide');
    // Cluster-admin for system:serviceaccounts:ci: every account of ci holds it already, a user does not.
    const group = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-sas-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: "system:serviceaccounts:ci", apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deploy, namespace: ci}
rules: ${DEPLOYS}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deploy, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deploy}
subjects: [{kind: ServiceAccount, name: builder, namespace: ci}, {kind: User, name: dev, apiGroup: rbac.authorization.k8s.io}, {kind: Group, name: "system:serviceaccounts:ci", apiGroup: rbac.authorization.k8s.io}]
`;
    const g = run(wl(), snap(group));
    expect(g.filter((v) => v.status === 'fail').map((v) => `${v.resource.kind}:${v.resource.name}`).sort()).toEqual(['Group:system:serviceaccounts:ci', 'User:dev']);
    expect(g.find((v) => v.resource.name === 'dev')!.message).toContain('. Namespace ci holds all service accounts (group system:serviceaccounts:ci), which have dangerous permissions cluster-wide: a workload created there can run as them and use their permissions');
    // The group itself fails for its own cluster-admin (cluster-wide), with no note about itself.
    expect(g.find((v) => v.resource.name === 'system:serviceaccounts:ci')!.message).toMatch(/^Group:system:serviceaccounts:ci can create or change workloads in kube-system cluster-wide \(.*ClusterRole cluster-admin$/);
  });

  it("Kubernetes' own controllers (their default bindings) are not reported, as in kube-system", () => {
    // controller_policy.go: replicaset-controller creates pods in every namespace through its default ClusterRoleBinding.
    const role = CONTROLLER_ROLES.find((r) => r.name === 'system:controller:replicaset-controller')!;
    const snapshot = snapshotFromObjects([
      ...(parseAllDocuments(CI_DEPLOYER()).map((d) => d.toJS()) as KubeObject[]),
      { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: role.name }, rules: role.rules } as KubeObject,
      { apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name: role.name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.name }, subjects: [{ kind: 'ServiceAccount', name: 'replicaset-controller', namespace: 'kube-system' }] } as KubeObject,
    ], { clusterVersion: 'v1.36.3' });
    expect(run(wl(), snapshot).filter((v) => v.status === 'fail').map((v) => v.resource.name)).toEqual(['deployer']);
  });

  it('many accounts are cut to three names; a hostile account name is only data in the message (one line in the report)', async () => {
    const HOSTILE = 'evil\u001b[31m\nFORGED LINE';
    const admins = [HOSTILE, 'a1', 'a2', 'a3', 'a4'].map((n) => `{kind: ServiceAccount, name: ${JSON.stringify(n)}, namespace: ci}`).join(', ');
    const yaml = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [${admins}]
` + ROLE_IN('ci', 'dev', DEPLOYS);
    const v = verdictOf('rbac.workload-create-kube-system', yaml, 'dev');
    expect(v.message).toContain(`. Namespace ci holds ServiceAccount ci/${HOSTILE}, ServiceAccount ci/a1, ServiceAccount ci/a2 and 2 more, which have dangerous permissions cluster-wide: a workload created there can run as them and use their permissions`);
    // In report.md (which lists the top findings: two accounts reading Secrets keep this one among them).
    const dir = mkdtempSync(join(tmpdir(), 'ztaudit-wl-'));
    try {
      // The hostile account exists (ServiceAccounts of ci are read, and a missing one is no way in).
      const hostileSa = `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ${JSON.stringify(HOSTILE)}, namespace: ci}\n---\n`;
      writeFileSync(join(dir, 'rbac.yaml'), `${hostileSa}${CI_DEPLOYER('secret-reader').replace('name: deployer, namespace: ci}]', `name: deployer, namespace: ci}, {kind: ServiceAccount, name: ${JSON.stringify(HOSTILE)}, namespace: ci}]`)}${ROLE_IN('ci', 'dev', DEPLOYS)}`);
      const t = captureIO(dir);
      expect(await main(['run', '--manifests', 'rbac.yaml', '--history', 'none', '--no-notify', '--format', 'md', '-q', '--out', 'out'], t.cli), t.err()).toBe(0);
      const md = readFileSync(join(dir, 'out', 'report.md'), 'utf8');
      // The line break and the ESC are written as their escapes (docs/hostile-text.md), in Markdown's own escaping.
      expect(md.split('\n').filter((l) => l.includes('User:dev can create or change workloads in namespace ci'))).toEqual([
        expect.stringContaining('. Namespace ci holds ServiceAccount ci/deployer, ServiceAccount ci/evil\\\\u001b\\[31m\\\\u000aFORGED LINE, which have dangerous permissions cluster-wide'),
      ]);
      expect(md).not.toMatch(/^FORGED LINE/m);
      expect(md).not.toMatch(/\u001b/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Reviewer repros rb4, rb1, rb5 (kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation:
// "users who can create workloads ... in a namespace ... can run pods as any ServiceAccount in the namespace").
describe('the powerful service accounts a namespace holds: ignored, kube-system-powerful and missing accounts', () => {
  const DEPLOYS = '[{apiGroups: [apps], resources: [deployments], verbs: [create]}]';
  const SA = (ns: string, name: string) => `
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ${name}, namespace: ${ns}}
`;
  const CRB = (name: string, role: string, ns: string, sa: string) => `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${name}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role}}
subjects: [{kind: ServiceAccount, name: ${sa}, namespace: ${ns}}]
`;

  it('rb4: ignoring the cluster-admin GitOps controller (rbac.ignoreSubjects) stops its own findings, not those of who can act as it', () => {
    // Argo CD's application controller is cluster-admin by design; teams ignore it. Who can deploy,
    // exec or mint tokens in argocd still acts as it.
    const yaml = SA('argocd', 'argocd-application-controller') + CRB('argocd-application-controller', 'cluster-admin', 'argocd', 'argocd-application-controller')
      + ROLE_IN('argocd', 'dev', '[{apiGroups: [apps], resources: [deployments], verbs: [create]}, {apiGroups: [""], resources: [pods/exec], verbs: [create]}, {apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}]');
    const config = defaultConfig();
    config.rbac.ignoreSubjects = [{ kind: 'ServiceAccount', namespace: 'argocd', name: 'argocd-application-controller' }];
    const s = snap(yaml);
    const wl = run(check('rbac.workload-create-kube-system'), s, config);
    expect(wl.map((v) => v.resource.name)).not.toContain('argocd-application-controller');
    expect(wl.find((v) => v.resource.name === 'dev')).toMatchObject({ status: 'fail', message: expect.stringContaining('. Namespace argocd holds ServiceAccount argocd/argocd-application-controller, which has dangerous permissions cluster-wide: a workload created there can run as it') });
    const exec = run(check('rbac.pod-exec-attach'), s, config).find((x) => x.resource.name === 'dev')!;
    expect(exec.severity).toBeUndefined();
    expect(exec.message).toContain('Namespace argocd holds ServiceAccount argocd/argocd-application-controller');
    // Its token is cluster-admin, ignored or not (cluster-admin-tokens.test.ts).
    const tokens = run(check('rbac.privilege-escalation'), s, config).find((x) => x.resource.name === 'dev')!;
    expect(tokens.severity).toBe('critical');
    expect(tokens.message).toContain('mint a token for ServiceAccount argocd/argocd-application-controller');
  });

  it('rb1: an account with edit in kube-system (a RoleBinding there) is powerful: who can deploy in its namespace fails, "in kube-system"', () => {
    const yaml = SA('ci', 'deployer') + `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci-deployer, namespace: kube-system}
subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
roleRef: {kind: ClusterRole, name: edit, apiGroup: rbac.authorization.k8s.io}
` + ROLE_IN('ci', 'dev', DEPLOYS) + ROLE_IN('ci', 'ops', '[{apiGroups: [""], resources: [pods/exec], verbs: [create]}]');
    const verdicts = run(check('rbac.workload-create-kube-system'), snap(yaml));
    expect(verdicts.find((v) => v.resource.name === 'deployer')).toMatchObject({ status: 'fail', message: expect.stringMatching(/^ServiceAccount:ci\/deployer can create or change workloads in kube-system \(/) });
    expect(verdicts.find((v) => v.resource.name === 'dev')).toMatchObject({
      status: 'fail',
      message: 'User:dev can create or change workloads in namespace ci (create deployments.apps) via RoleBinding ci/b-dev → Role ci/r-dev. '
        + 'Namespace ci holds ServiceAccount ci/deployer, which has dangerous permissions in kube-system: a workload created there can run as it and use its permissions',
    });
    const ops = verdictOf('rbac.pod-exec-attach', yaml, 'ops');
    expect(ops.severity).toBeUndefined();
    expect(ops.message).toContain('. Namespace ci holds ServiceAccount ci/deployer, which has dangerous permissions in kube-system: this access there is a way to act as it');
    // A RoleBinding in another namespace than kube-system makes no account powerful.
    expect(verdictOf('rbac.workload-create-kube-system', yaml.replace('namespace: kube-system}', 'namespace: web}'), 'dev').status).toBe('pass');
  });

  it('accounts powerful cluster-wide and in kube-system named together: "cluster-wide or in kube-system"', () => {
    const yaml = SA('ci', 'deployer') + SA('ci', 'admin') + CRB('ci-admin', 'cluster-admin', 'ci', 'admin') + `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci-deployer, namespace: kube-system}
subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
roleRef: {kind: ClusterRole, name: edit, apiGroup: rbac.authorization.k8s.io}
` + ROLE_IN('ci', 'dev', DEPLOYS);
    expect(verdictOf('rbac.workload-create-kube-system', yaml, 'dev').message).toMatch(/Namespace ci holds ServiceAccount ci\/(deployer|admin), ServiceAccount ci\/(deployer|admin), which have dangerous permissions cluster-wide or in kube-system: /);
  });

  // The ServiceAccount admission plugin (on by default; kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#serviceaccount)
  // rejects a pod naming a ServiceAccount that does not exist: plugin/pkg/admission/serviceaccount's
  // NewServiceAccount "ensures the ServiceAccount referenced by the pod exists", and shared/reference/real-apiserver.md §5
  // records pod creation failing 'serviceaccount "default" not found'. A TokenRequest needs the object too.
  const RB5 = SA('ci', 'default') + SA('ci', 'builder') + `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
` + CRB('old-backup-secrets', 'secret-reader', 'ci', 'old-backup') + ROLE_IN('ci', 'dev', '[{apiGroups: [apps], resources: [deployments], verbs: [create, update, patch]}]');

  it('rb5: a leftover ClusterRoleBinding to a deleted account (ci/old-backup): deploying in ci passes, the binding itself still fails', () => {
    const verdicts = run(check('rbac.workload-create-kube-system'), live(RB5));
    expect(verdicts.find((v) => v.resource.name === 'dev')).toMatchObject({ status: 'pass' });
    // Exec in ci reaches no pod running as it: medium, as in any namespace.
    expect(liveVerdictOf('rbac.pod-exec-attach', RB5 + ROLE_IN('ci', 'ops', '[{apiGroups: [""], resources: [pods/exec], verbs: [create]}]'), 'ops').severity).toBe('medium');
    // The grant is still reported where it belongs (secrets-cluster-read names the account).
    expect(liveVerdictOf('rbac.secrets-cluster-read', RB5, 'old-backup').status).toBe('fail');
  });

  it('rb5: a subject that can also create (or impersonate) service accounts in ci could bring ci/old-backup back: it still fails', () => {
    const yaml = RB5 + ROLE_IN('ci', 'sam', '[{apiGroups: [apps], resources: [deployments], verbs: [create]}, {apiGroups: [""], resources: [serviceaccounts], verbs: [create]}]')
      + ROLE_IN('ci', 'imp', '[{apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate]}]');
    expect(liveVerdictOf('rbac.workload-create-kube-system', yaml, 'sam')).toMatchObject({ status: 'fail', message: expect.stringContaining('. Namespace ci holds ServiceAccount ci/old-backup, which has dangerous permissions cluster-wide') });
    const imp = liveVerdictOf('rbac.privilege-escalation', yaml, 'imp');
    expect(imp.severity).toBeUndefined();
    expect(imp.message).toContain('Namespace ci holds ServiceAccount ci/old-backup');
  });

  it('rb5: when ServiceAccounts were not read (or the manifests hold none of ci), every named account counts as before', () => {
    const s = live(RB5);
    // A list that failed part-way keeps what it read (ci/default, ci/builder) but proves no account missing.
    s.coverage.serviceaccounts = { status: 'error', detail: 'list failed after the first page' };
    expect(s.resources.serviceaccounts).toHaveLength(2);
    expect(run(check('rbac.workload-create-kube-system'), s).find((v) => v.resource.name === 'dev')!.status).toBe('fail');
    const noSas = RB5.replace(SA('ci', 'default') + SA('ci', 'builder'), '');
    expect(liveVerdictOf('rbac.workload-create-kube-system', noSas, 'dev').status).toBe('fail');
    for (const id of ['rbac.workload-create-kube-system', 'rbac.pod-exec-attach', 'rbac.privilege-escalation']) expect(check(id).readsBestEffort, id).toContain('serviceaccounts');
  });

  it('from manifests, an account a repository does not declare (a chart or Terraform makes it) still counts: ci/deployer cluster-admin, ci/builder declared', () => {
    const yaml = SA('ci', 'builder') + CRB('deployer-admin', 'cluster-admin', 'ci', 'deployer') + ROLE_IN('ci', 'alice', '[{apiGroups: [""], resources: [pods], verbs: [create]}]');
    expect(verdictOf('rbac.workload-create-kube-system', yaml, 'alice')).toMatchObject({ status: 'fail', message: expect.stringContaining('Namespace ci holds ServiceAccount ci/deployer') });
  });
});

describe('the scope a note names covers the accounts it does not name', () => {
  it('three accounts cluster-admin and a fourth powerful only in kube-system: "cluster-wide or in kube-system"', () => {
    const sas = ['a1', 'a2', 'a3'].map((n) => `{kind: ServiceAccount, name: ${n}, namespace: ci}`).join(', ');
    const yaml = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [${sas}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci-z, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: z4, namespace: ci}]
` + ROLE_IN('ci', 'ops', '[{apiGroups: [""], resources: [pods/exec], verbs: [create]}]') + ROLE_IN('ci', 'dev', '[{apiGroups: [apps], resources: [deployments], verbs: [create]}]');
    expect(verdictOf('rbac.pod-exec-attach', yaml, 'ops').message).toContain('ServiceAccount ci/a3 and 1 more, which have dangerous permissions cluster-wide or in kube-system: this access there');
    expect(verdictOf('rbac.workload-create-kube-system', yaml, 'dev').message).toContain('ServiceAccount ci/a3 and 1 more, which have dangerous permissions cluster-wide or in kube-system: a workload');
  });
});

// Exec into a pod acts as its service account (its mounted token), and a token minted for an
// account is that account ("Users with create rights on serviceaccounts/token subresources can
// issue TokenRequests for existing service accounts", kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request).
// A service account is itself and a member of system:serviceaccounts and system:serviceaccounts:NS
// (kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects; shared/reference/checks.md
// "Implicit groups"): acting as an account whose grant it already holds gains it nothing, so only
// another account's power rates its namespace access as in kube-system.
describe('exec and token minting where the only powerful account is the subject itself, or one it is through its groups', () => {
  const EXEC_AND_TOKENS = '[{apiGroups: [""], resources: [pods/exec], verbs: [create]}, {apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}]';
  const SUBJECT = (s: string) => (s.includes('/') ? `{kind: ServiceAccount, name: ${s.split('/')[1]}, namespace: ${s.split('/')[0]}}` : `{kind: Group, name: "${s}", apiGroup: rbac.authorization.k8s.io}`);
  /** A Role in `ns` with exec and token minting, bound to `subjects` ("NS/NAME" a ServiceAccount, else a Group) and User ops. */
  const EXEC_IN = (ns: string, subjects: string[]) => `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: exec-tokens, namespace: ${ns}}
rules: ${EXEC_AND_TOKENS}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: exec-tokens, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec-tokens}
subjects: [${[...subjects.map(SUBJECT), '{kind: User, name: ops, apiGroup: rbac.authorization.k8s.io}'].join(', ')}]
`;
  /** `role` (cluster-wide) for `subject` ("NS/NAME" a ServiceAccount, else a Group). */
  const GRANT = (name: string, role: string, subject: string) => `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${name}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role}}
subjects: [${SUBJECT(subject)}]
`;
  const SECRET_READER = `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
`;
  const CHECKS_ACTING_AS = ['rbac.pod-exec-attach', 'rbac.privilege-escalation'];

  it('ci/deployer reads Secrets cluster-wide and may exec and mint tokens in ci, where it is the only powerful account: medium, no kube-system note; User ops there: high, naming ci/deployer', () => {
    const yaml = SECRET_READER + GRANT('deployer-secrets', 'secret-reader', 'ci/deployer') + EXEC_IN('ci', ['ci/deployer']);
    for (const id of CHECKS_ACTING_AS) {
      const self = verdictOf(id, yaml, 'deployer');
      expect(self.status, id).toBe('fail');
      expect(self.severity, id).toBe('medium');
      expect(self.message, id).not.toContain('Namespace ci holds');
      expect(self.message, id).not.toContain('rated as in kube-system');
      const ops = verdictOf(id, yaml, 'ops');
      expect(ops.severity, id).toBeUndefined();
      expect(ops.message, id).toContain('. Namespace ci holds ServiceAccount ci/deployer, which has dangerous permissions cluster-wide: this access there is a way to act as it, so it is rated as in kube-system');
    }
  });

  it('another powerful account in ci (ci/admin, cluster-admin): ci/deployer is rated as in kube-system, the note naming ci/admin alone', () => {
    const yaml = SECRET_READER + GRANT('deployer-secrets', 'secret-reader', 'ci/deployer') + GRANT('ci-admin', 'cluster-admin', 'ci/admin') + EXEC_IN('ci', ['ci/deployer']);
    const v = verdictOf('rbac.pod-exec-attach', yaml, 'deployer');
    expect(v.severity).toBeUndefined();
    expect(v.message).toMatch(/\. Namespace ci holds ServiceAccount ci\/admin, which has dangerous permissions cluster-wide: this access there is a way to act as it, so it is rated as in kube-system$/);
    expect(v.message).not.toContain('ServiceAccount ci/deployer,');
    // ci/admin is cluster-admin: minting its token is (cluster-admin-tokens.test.ts), and names it, not ci/deployer itself.
    const pe = verdictOf('rbac.privilege-escalation', yaml, 'deployer');
    expect(pe.severity).toBe('critical');
    expect(pe.message).toContain('mint a token for ServiceAccount ci/admin ');
    expect(pe.message).not.toContain('ServiceAccount ci/deployer ');
  });

  it('Secrets read cluster-wide by group system:serviceaccounts:ci: its members and the group itself gain nothing by exec in ci (medium); an account of web and User ops do (high, naming the group)', () => {
    const yaml = SECRET_READER + GRANT('ci-sas-secrets', 'secret-reader', 'system:serviceaccounts:ci') + EXEC_IN('ci', ['ci/builder', 'system:serviceaccounts:ci', 'web/runner']);
    for (const id of CHECKS_ACTING_AS) {
      for (const name of ['builder', 'system:serviceaccounts:ci']) {
        const v = verdictOf(id, yaml, name);
        expect(v.status, `${id} ${name}`).toBe('fail');
        expect(v.severity, `${id} ${name}`).toBe('medium');
        expect(v.message, `${id} ${name}`).not.toContain('Namespace ci holds');
      }
      for (const name of ['runner', 'ops']) {
        const v = verdictOf(id, yaml, name);
        expect(v.severity, `${id} ${name}`).toBeUndefined();
        expect(v.message, `${id} ${name}`).toContain('. Namespace ci holds all service accounts (group system:serviceaccounts:ci), which have dangerous permissions cluster-wide: this access there is a way to act as them');
      }
    }
  });

  it('Secrets read cluster-wide by group system:serviceaccounts: a service account gains nothing by exec in any namespace (medium); User ops does (high)', () => {
    const yaml = SECRET_READER + GRANT('sas-secrets', 'secret-reader', 'system:serviceaccounts') + EXEC_IN('ci', ['web/runner']);
    for (const id of CHECKS_ACTING_AS) {
      const runner = verdictOf(id, yaml, 'runner');
      expect(runner.severity, id).toBe('medium');
      expect(runner.message, id).not.toContain('Namespace ci holds');
      expect(verdictOf(id, yaml, 'ops').message, id).toContain('. Namespace ci holds all service accounts of every namespace (group system:serviceaccounts), which have dangerous permissions cluster-wide');
    }
  });
});

// A rule limited by resourceNames allows only the objects it names
// (kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources). A TokenRequest is a
// create on serviceaccounts/token named by its account (kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/),
// and impersonating an account is authorized as impersonate on serviceaccounts NAME in NS, even when
// asked as the user system:serviceaccount:NS:NAME (kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation;
// buildImpersonationRequests, kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go).
// So a subject minting or impersonating only named accounts acts as those alone: its namespace is a
// way to a powerful account only if it names one.
describe('token minting and impersonation limited to named service accounts act only as those', () => {
  const SA = (ns: string, name: string) => `
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ${name}, namespace: ${ns}}
`;
  /** ci/admin is cluster-admin, ci/reader reads Secrets cluster-wide; ci/controller and ci/builder hold nothing. */
  const CI = SA('ci', 'admin') + SA('ci', 'reader') + SA('ci', 'controller') + SA('ci', 'builder') + `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: admin, namespace: ci}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects: [{kind: ServiceAccount, name: reader, namespace: ci}]
`;
  /** A Role in ci with `rules`, bound to ServiceAccount ci/controller. */
  const FOR_CONTROLLER = (rules: string) => `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: controller, namespace: ci}
rules: ${rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: controller, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: controller}
subjects: [{kind: ServiceAccount, name: controller, namespace: ci}]
`;
  const TOKENS = (names: string[]) => `[{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create], resourceNames: [${names.join(', ')}]}]`;
  const IMPERSONATE = (names: string[]) => `[{apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate], resourceNames: [${names.join(', ')}]}]`;
  const PE = 'rbac.privilege-escalation';
  const NOTE_TOKEN_ADMIN = '. It can mint a token for ServiceAccount ci/admin (kubectl create token admin -n ci), which is cluster-admin-equivalent because';

  it('a controller allowed to mint only its own token, beside cluster-admin ci/admin: medium, no kube-system note', () => {
    const v = verdictOf(PE, CI + FOR_CONTROLLER(TOKENS(['controller'])), 'controller');
    expect(v.status).toBe('fail');
    expect(v.severity).toBe('medium');
    expect(v.message).toBe('ServiceAccount:ci/controller can escalate privileges in namespace ci (create serviceaccounts/token) via RoleBinding ci/controller → Role ci/controller');
  });

  it('ci/reader, itself powerful, allowed to mint only its own token: gains nothing it has not, medium', () => {
    const yaml = CI + FOR_CONTROLLER(TOKENS(['reader'])).replace('{kind: ServiceAccount, name: controller, namespace: ci}', '{kind: ServiceAccount, name: reader, namespace: ci}');
    const v = verdictOf(PE, yaml, 'reader');
    expect(v.severity).toBe('medium');
    expect(v.message).not.toContain('Namespace ci holds');
  });

  it('minting a token for ci/admin (cluster-admin) by name: critical, naming ci/admin alone (not ci/reader)', () => {
    const v = verdictOf(PE, CI + FOR_CONTROLLER(TOKENS(['controller', 'admin'])), 'controller');
    expect(v.severity).toBe('critical');
    expect(v.message).toContain(NOTE_TOKEN_ADMIN);
    expect(v.message).not.toContain('ci/reader');
  });

  it('impersonating ci/admin (cluster-admin) by name (the user system:serviceaccount:ci:admin is authorized this way): critical, naming ci/admin', () => {
    const v = verdictOf(PE, CI + FOR_CONTROLLER(IMPERSONATE(['admin'])), 'controller');
    expect(v.severity).toBe('critical');
    expect(v.message).toContain('. It can act as ServiceAccount ci/admin (kubectl --as=system:serviceaccount:ci:admin), which is cluster-admin-equivalent because');
    expect(v.message).not.toContain('ci/reader');
  });

  it('named accounts that hold nothing (ci/builder), or that do not exist: medium', () => {
    for (const rules of [TOKENS(['builder']), IMPERSONATE(['builder', 'nobody']), TOKENS(['controller', 'builder'])]) {
      const v = verdictOf(PE, CI + FOR_CONTROLLER(rules), 'controller');
      expect(v.severity, rules).toBe('medium');
      expect(v.message, rules).not.toContain('Namespace ci holds');
    }
  });

  it('a named rule beside one for every account in the same namespace: every account counts', () => {
    const rules = `[{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create], resourceNames: [controller]}, {apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate]}]`;
    const v = verdictOf(PE, CI + FOR_CONTROLLER(rules), 'controller');
    // ci/admin among them, cluster-admin: impersonating it is.
    expect(v.severity).toBe('critical');
    expect(v.message).toContain('. It can act as ServiceAccount ci/admin (kubectl --as=system:serviceaccount:ci:admin)');
  });

  it('a named account powerful through system:serviceaccounts:ci is named by its group; the group\'s own members gain nothing', () => {
    const yaml = SA('ci', 'builder') + `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-sas-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: "system:serviceaccounts:ci", apiGroup: rbac.authorization.k8s.io}]
` + ROLE_IN('ci', 'minter', TOKENS(['builder'])) + FOR_CONTROLLER(TOKENS(['builder']));
    const minter = verdictOf(PE, yaml, 'minter');
    // Every account of ci is cluster-admin through the group: ci/builder's token is.
    expect(minter.severity).toBe('critical');
    expect(minter.message).toContain('. It can mint a token for ServiceAccount ci/builder (kubectl create token builder -n ci), which is cluster-admin-equivalent because ClusterRoleBinding ci-sas-admin binds the group system:serviceaccounts:ci to ClusterRole cluster-admin');
    expect(verdictOf(PE, yaml, 'controller').severity).toBe('medium');
  });

  it('exec limited to a named pod the manifests do not hold (controller-0) may reach any account: rated as in kube-system, as before (exec-named-pods.test.ts has pods)', () => {
    const v = verdictOf('rbac.pod-exec-attach', CI + FOR_CONTROLLER('[{apiGroups: [""], resources: [pods/exec], verbs: [create], resourceNames: [controller-0]}]'), 'controller');
    expect(v.severity).toBeUndefined();
    expect(v.message).toContain('. Namespace ci holds ServiceAccount ci/admin, ServiceAccount ci/reader, which have dangerous permissions cluster-wide');
  });

  it('impersonating users is authorized cluster-wide only (a ClusterRoleBinding): high whatever it names, as before', () => {
    const yaml = CI + `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: impersonate-admin}
rules: [{apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: ["system:serviceaccount:ci:admin"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: impersonate-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: impersonate-admin}
subjects: [{kind: User, name: ops, apiGroup: rbac.authorization.k8s.io}]
`;
    const v = verdictOf(PE, yaml, 'ops');
    expect(v.status).toBe('fail');
    expect(v.severity).toBeUndefined();
    expect(v.message).toContain('cluster-wide (impersonate users)');
  });
});
