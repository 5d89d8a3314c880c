// A default role the cluster's Kubernetes release changed. The apiserver reconciles the default
// ClusterRoles to its own release's rules at every start ("Auto-reconciliation",
// https://kubernetes.io/docs/reference/access-authn-authz/rbac/#auto-reconciliation), so after an
// upgrade system:kube-controller-manager may carry a rule ztaudit's copy lacks. Its default
// binding is judged on what was added, not on the whole (very broad) default role; a subject the
// default binding does not name, and any other binding, are still judged on the whole role.
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { DEFAULT_CLUSTER_ROLE_BY_NAME } from '../../../src/analysis/rbac/bootstrap.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { run, snap } from './helpers.ts';

/** The default role as ztaudit has it, plus `extra` rules, as a manifest (JSON is YAML). */
function role(name: string, ...extra: object[]): string {
  const rules = [...DEFAULT_CLUSTER_ROLE_BY_NAME.get(name)!.rules, ...extra]
    .map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).filter(([, v]) => Array.isArray(v) && v.length > 0))));
  return `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "${name}", labels: {kubernetes.io/bootstrapping: rbac-defaults}}
rules: [${rules.join(', ')}]
`;
}

const crb = (name: string, roleName: string, ...users: string[]) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "${name}"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "${roleName}"}
subjects: [${users.map((u) => `{apiGroup: rbac.authorization.k8s.io, kind: User, name: "${u}"}`).join(', ')}]
`;

const KCM = 'system:kube-controller-manager';
const SCHED = 'system:kube-scheduler';
const benign = { apiGroups: ['storagemigration.k8s.io'], resources: ['storageversionmigrations'], verbs: ['get'] };

/** Every failing rbac verdict as "check severity Kind:name". */
function findings(yaml: string): string[] {
  const s = snap(yaml);
  const out: string[] = [];
  for (const c of rbacChecks) {
    for (const v of run(c, s) as Verdict[]) if (v.status === 'fail') out.push(`${c.id} ${v.severity ?? c.severity} ${v.resource.kind}:${v.resource.name}`);
  }
  return out.sort();
}

function verdictOf(yaml: string, id: string, subject: string): Verdict | undefined {
  return run(rbacChecks.find((c) => c.id === id)!, snap(yaml)).find((v) => v.status === 'fail' && v.resource.name === subject);
}

describe('a default binding whose default role a newer release extended (reviewer repro sched)', () => {
  it('a benign added rule gives no finding, though the role is no longer ztaudit\'s default', () => {
    expect(findings(role(KCM, benign) + crb(KCM, KCM, KCM))).toEqual([]);
  });

  it('an added get secrets gives exactly the finding it causes, citing only the added rule', () => {
    const yaml = role(SCHED, { apiGroups: [''], resources: ['secrets'], verbs: ['get'] }) + crb(SCHED, SCHED, SCHED);
    expect(findings(yaml)).toEqual([`rbac.secrets-cluster-read high User:${SCHED}`]);
    const v = verdictOf(yaml, 'rbac.secrets-cluster-read', SCHED)!;
    expect((v.evidence as { grants: Array<{ rule: string }> }).grants.map((g) => g.rule)).toEqual(['get secrets (core)']);
  });

  it('a rule only partly in the default is judged on the part the default lacks', () => {
    // The default scheduler may get and list pods; get and list secrets are the addition.
    const yaml = role(SCHED, { apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['get', 'list'] }) + crb(SCHED, SCHED, SCHED);
    const v = verdictOf(yaml, 'rbac.secrets-cluster-read', SCHED)!;
    expect((v.evidence as { grants: Array<{ rule: string }> }).grants.map((g) => g.rule)).toEqual(['get,list secrets (core)']);
    expect(findings(yaml)).toEqual([`rbac.secrets-cluster-read high User:${SCHED}`]);
  });

  it('a subject added to the default binding, and another binding of the changed role, are judged on the whole role', () => {
    const yaml = role(KCM, benign) + crb(KCM, KCM, KCM, 'mallory') + crb('ops-kcm', KCM, 'alice');
    expect(findings(yaml)).toEqual([
      'rbac.privilege-escalation critical User:alice', 'rbac.privilege-escalation critical User:mallory',
      'rbac.secrets-cluster-read high User:alice', 'rbac.secrets-cluster-read high User:mallory',
      'rbac.wildcard-permission high User:alice', 'rbac.wildcard-permission high User:mallory',
    ]);
  });
});
