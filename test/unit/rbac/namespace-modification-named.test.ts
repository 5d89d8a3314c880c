// Reviewer repro r6: patch on namespaces limited by resourceNames to team-a, through a
// ClusterRoleBinding, was reported high "cluster-wide", while the same power through a RoleBinding
// in team-a was medium "in namespace team-a". A rule limited by resourceNames allows a request only
// when the name it asks for is one listed (ResourceNameMatches, kubernetes
// pkg/apis/rbac/v1/evaluation_helpers.go compares each listed name with the requested one; a rule
// may refer to objects by name through resourceNames:
// https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources), and a
// patch or update of a namespace asks for its name (/api/v1/namespaces/NAME); namespace names are
// unique in the cluster. So the rule changes team-a alone, exactly as the RoleBinding does;
// kube-system named stays high, as it is through a RoleBinding there.
import { describe, expect, it } from 'vitest';
import { namespaceModification } from '../../../checks/rbac/namespace-modification.ts';
import { RBAC, run, snap } from './helpers.ts';

const NAMESPACES = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n';

const viaCrb = (user: string, verbs: string, names?: string) => `
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: ${user}}
rules:
- {apiGroups: [""], resources: ["namespaces"], verbs: [${verbs}]${names ? `, resourceNames: [${names}]` : ''}}
---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: ${user}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${user}}
subjects: [{kind: User, name: ${user}, apiGroup: rbac.authorization.k8s.io}]
`;

// Repro r6's second subject: the same permission through a RoleBinding in team-a.
const VIA_RB = `
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: relabel-own}
rules:
- {apiGroups: [""], resources: ["namespaces"], verbs: ["patch"]}
---
apiVersion: ${RBAC}
kind: RoleBinding
metadata: {name: relabel-own, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: relabel-own}
subjects: [{kind: User, name: via-rb, apiGroup: rbac.authorization.k8s.io}]
`;

const verdict = (yaml: string, user: string) => {
  const v = run(namespaceModification, snap(`${NAMESPACES}---${yaml}`)).find((x) => x.resource.name === user)!;
  return { status: v.status, severity: v.severity ?? namespaceModification.severity, message: v.message };
};

describe('rbac.namespace-modification: a ClusterRoleBinding limited to named namespaces is scoped to them', () => {
  it('r6: patch namespaces [team-a] through a ClusterRoleBinding is medium in namespace team-a, as through a RoleBinding', () => {
    const yaml = `${viaCrb('via-crb', 'patch', 'team-a')}---${VIA_RB}`;
    const crb = verdict(yaml, 'via-crb');
    const rb = verdict(yaml, 'via-rb');
    expect(crb).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(crb.message).toBe('User:via-crb can modify namespaces in namespace team-a (patch namespaces) via ClusterRoleBinding via-crb → ClusterRole via-crb');
    expect(rb).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(rb.message).toContain('can modify namespaces in namespace team-a (patch namespaces)');
  });

  it('a ClusterRoleBinding naming kube-system stays high, in namespace kube-system', () => {
    const v = verdict(viaCrb('sys', 'update', 'kube-system'), 'sys');
    expect(v).toMatchObject({ status: 'fail', severity: 'high' });
    expect(v.message).toContain('User:sys can modify namespaces in namespace kube-system (update namespaces)');
  });

  it('naming team-a and kube-system is high, naming both', () => {
    const v = verdict(viaCrb('both', 'patch', 'team-a, kube-system'), 'both');
    expect(v).toMatchObject({ status: 'fail', severity: 'high' });
    expect(v.message).toContain('in namespaces kube-system, team-a');
  });

  it('unrestricted through a ClusterRoleBinding stays high, cluster-wide', () => {
    const v = verdict(viaCrb('all', 'patch'), 'all');
    expect(v).toMatchObject({ status: 'fail', severity: 'high' });
    expect(v.message).toContain('can modify namespaces cluster-wide');
  });
});
