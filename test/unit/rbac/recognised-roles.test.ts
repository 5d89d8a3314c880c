// The roles behind the bindings Kubernetes and kubeadm create that are not filled-in defaults:
// kube-controller-manager's system:controller:* ClusterRoles (bootstrappolicy/controller_policy.go),
// the kube-system Roles of namespace_policy.go, and kubeadm's (kubeadm:get-nodes, system:coredns,
// kube-system/kube-proxy, kubeadm:kubelet-config, kubeadm:nodes-kubeadm-config,
// kube-public/kubeadm:bootstrap-signer-clusterinfo). Their default
// binding stays exempt for the rules Kubernetes v1.36.3 gives them, never for rules an operator
// added: those are judged, as for a default role a newer release extended.
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { RECOGNISED_BINDINGS, RECOGNISED_ROLES, RECOGNISED_ROLE_BY_KEY } from '../../../src/analysis/rbac/bootstrap.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { Rule } from '../../../src/analysis/rbac/types.ts';
import { run, snap } from './helpers.ts';

const manifestRules = (rules: readonly object[]) => rules
  .map((x) => JSON.stringify(Object.fromEntries(Object.entries(x).filter(([, v]) => Array.isArray(v) && v.length > 0))))
  .join(', ');

/** A recognised role as it is created, plus `extra` rules (JSON is YAML). */
function role(key: string, ...extra: Array<Partial<Rule>>): string {
  const def = RECOGNISED_ROLE_BY_KEY.get(key)!;
  return `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${def.kind}
metadata: {name: "${def.name}"${def.namespace ? `, namespace: ${def.namespace}` : ''}}
rules: [${manifestRules([...def.rules, ...extra])}]
`;
}

/** Every recognised binding as Kubernetes or kubeadm creates it. */
const BINDINGS = RECOGNISED_BINDINGS.map((b) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${b.kind}
metadata: {name: "${b.name}"${b.namespace ? `, namespace: ${b.namespace}` : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ${b.roleRef.kind}, name: "${b.roleRef.name}"}
subjects: [${b.subjects.map((s) => JSON.stringify(s)).join(', ')}]
`).join('');

const keyOf = (x: { kind: string; name: string; namespace?: string }) => (x.kind === 'Role' ? `Role:${x.namespace}/${x.name}` : `ClusterRole:${x.name}`);

/** Every recognised role and binding as created, but the role of `key` with `extra` rules. */
const cluster = (key?: string, ...extra: Array<Partial<Rule>>) => RECOGNISED_ROLES.map((x) => (keyOf(x) === key ? role(key, ...extra) : role(keyOf(x)))).join('') + BINDINGS;

/** Every failing rbac verdict as "check severity Kind:[ns/]name". */
function findings(yaml: string): string[] {
  const s = snap(yaml);
  const out: string[] = [];
  for (const c of rbacChecks) {
    for (const v of run(c, s) as Verdict[]) {
      if (v.status === 'fail') out.push(`${c.id} ${v.severity ?? c.severity} ${v.resource.kind}:${v.resource.namespace ? `${v.resource.namespace}/` : ''}${v.resource.name}`);
    }
  }
  return out.sort();
}

const grantsOf = (yaml: string, id: string) => run(rbacChecks.find((c) => c.id === id)!, snap(yaml))
  .filter((v) => v.status === 'fail')
  .map((v) => (v.evidence as { grants: Array<{ rule: string }> }).grants.map((g) => g.rule));

const SECRETS_GET: Partial<Rule> = { apiGroups: [''], resources: ['secrets'], verbs: ['get'] };

describe('controller and kubeadm roles, as created, under their default bindings', () => {
  it('give no finding', () => {
    expect(findings(cluster())).toEqual([]);
  });

  it('name every controller role the bootstrap policy binds', () => {
    const controllerBindings = RECOGNISED_BINDINGS.filter((b) => b.kind === 'ClusterRoleBinding' && b.name.startsWith('system:controller:'));
    expect(controllerBindings.length).toBeGreaterThan(40);
    for (const b of controllerBindings) expect(RECOGNISED_ROLE_BY_KEY.has(`ClusterRole:${b.roleRef.name}`), b.name).toBe(true);
  });
});

describe('kubeadm:apiserver-kubelet-client (kubeadm phases/bootstraptoken/node/tlsbootstrap.go)', () => {
  // The apiserver's own client certificate for the kubelet API, bound to system:kubelet-api-admin
  // as v1.36.3 creates it (KubeletFineGrainedAuthz, GA, adds nodes/pods, nodes/healthz, nodes/configz).
  const KUBELET_API_ADMIN = `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:kubelet-api-admin", labels: {kubernetes.io/bootstrapping: rbac-defaults}}
rules:
- {apiGroups: [""], resources: [nodes], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [nodes], verbs: [proxy]}
- {apiGroups: [""], resources: [nodes/log, nodes/metrics, nodes/proxy, nodes/stats], verbs: ["*"]}
- {apiGroups: [""], resources: [nodes/configz, nodes/healthz, nodes/pods], verbs: ["*"]}
`;
  const binding = (name: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "${name}"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:kubelet-api-admin"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: kube-apiserver-kubelet-client}]
`;

  it('as kubeadm creates it: no finding', () => {
    expect(findings(KUBELET_API_ADMIN + binding('kubeadm:apiserver-kubelet-client'))).toEqual([]);
  });

  it('the same grant under another binding name is judged', () => {
    expect(findings(KUBELET_API_ADMIN + binding('apiserver-kubelet'))).toEqual([
      'rbac.nodes-proxy high User:kube-apiserver-kubelet-client', 'rbac.wildcard-permission high User:kube-apiserver-kubelet-client',
    ]);
  });
});

describe('a widened controller or kubeadm role under its default binding is judged on what was added', () => {
  it('a controller role given get secrets: a finding for its service account, citing only the added rule', () => {
    const yaml = cluster('ClusterRole:system:controller:cronjob-controller', SECRETS_GET);
    expect(findings(yaml)).toEqual(['rbac.secrets-cluster-read high ServiceAccount:kube-system/cronjob-controller']);
    expect(grantsOf(yaml, 'rbac.secrets-cluster-read')).toEqual([['get secrets (core)']]);
  });

  it('a controller role given escalate on top of a rule it has: judged on the added verb only', () => {
    // The job controller may get, list, watch, update and patch jobs; escalate on roles is new.
    const yaml = cluster('ClusterRole:system:controller:job-controller', { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['escalate'] }, { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list'] });
    expect(findings(yaml)).toEqual(['rbac.privilege-escalation high ServiceAccount:kube-system/job-controller']);
  });

  it('a kubeadm ClusterRole (kubeadm:get-nodes) given list secrets: a finding for the bootstrap tokens it is bound to', () => {
    const yaml = cluster('ClusterRole:kubeadm:get-nodes', { apiGroups: [''], resources: ['secrets'], verbs: ['list'] });
    expect(findings(yaml)).toEqual(['rbac.secrets-cluster-read high Group:system:bootstrappers:kubeadm:default-node-token']);
  });

  it('a kubeadm Role (kube-system/kube-proxy) given get secrets: a finding for the bootstrap tokens it is bound to', () => {
    const yaml = cluster('Role:kube-system/kube-proxy', SECRETS_GET);
    expect(findings(yaml)).toEqual(['rbac.secrets-namespace-read high Group:system:bootstrappers:kubeadm:default-node-token']);
    expect(grantsOf(yaml, 'rbac.secrets-namespace-read')).toEqual([['get secrets (core)']]);
  });

  it('a namespace-policy Role (kube-system/system:controller:cloud-provider) given pods/exec: a finding for its service account', () => {
    const yaml = cluster('Role:kube-system/system:controller:cloud-provider', { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] });
    expect(findings(yaml)).toEqual(['rbac.pod-exec-attach high ServiceAccount:kube-system/cloud-provider']);
  });

  it('a rule that reaches no check (a newer release\'s, say) gives no finding', () => {
    const yaml = cluster('ClusterRole:system:controller:job-controller', { apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get', 'list', 'watch', 'create'] });
    expect(findings(yaml)).toEqual([]);
  });
});

describe('kube-public/kubeadm:bootstrap-signer-clusterinfo (kubeadm phases/bootstraptoken/clusterinfo/clusterinfo.go)', () => {
  // `kubeadm init` lets system:anonymous get the kube-public/cluster-info ConfigMap, so that
  // `kubeadm join` can read the CA and server before it has credentials
  // (kubernetes/kubernetes cmd/kubeadm/app/phases/bootstraptoken/clusterinfo/clusterinfo.go,
  // CreateClusterInfoRBACRules): every kubeadm or kind cluster has it.
  const clusterInfo = (extraRule = '', extraSubject = '') => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: "kubeadm:bootstrap-signer-clusterinfo", namespace: kube-public}
rules:
- {apiGroups: [""], resources: [configmaps], verbs: [get], resourceNames: [cluster-info]}
${extraRule}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: "kubeadm:bootstrap-signer-clusterinfo", namespace: kube-public}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: "kubeadm:bootstrap-signer-clusterinfo"}
subjects:
- {kind: User, name: "system:anonymous"}
${extraSubject}
`;

  it('as kubeadm creates it: no finding', () => {
    expect(findings(clusterInfo())).toEqual([]);
  });

  it('another subject added to the binding is judged', () => {
    expect(findings(clusterInfo('', '- {kind: Group, name: "system:authenticated"}'))).toEqual(['rbac.anonymous-access medium Group:system:authenticated']);
  });

  it('a rule added to the role is judged for system:anonymous, on the added rule only', () => {
    const yaml = clusterInfo('- {apiGroups: [""], resources: [configmaps], verbs: [list]}');
    expect(findings(yaml)).toEqual(['rbac.anonymous-access critical User:system:anonymous']);
    const v = run(rbacChecks.find((c) => c.id === 'rbac.anonymous-access')!, snap(yaml)).find((x) => x.status === 'fail')!;
    expect((v.evidence as { grants: Array<{ rule: string }> }).grants.map((g) => g.rule)).toEqual(['list configmaps (core)']);
  });

  it('the same Role and binding under another name is judged', () => {
    const yaml = clusterInfo().replaceAll('kubeadm:bootstrap-signer-clusterinfo', 'cluster-info-reader');
    expect(findings(yaml)).toEqual(['rbac.anonymous-access critical User:system:anonymous']);
  });
});
