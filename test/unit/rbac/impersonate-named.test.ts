// An impersonate grant limited by resourceNames may act only as the users, groups or service
// accounts it names: a rule may refer to objects by name
// (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources), and
// impersonation is authorized as impersonate on users/groups/serviceaccounts NAME (kubernetes
// staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go, v1.36). The finding said
// "impersonate users" without the names, so a reviewer could not tell whom. It names them now,
// per kind, capped like the permission list, and a hostile name is escaped where it is shown.
import { describe, expect, it } from 'vitest';
import { privilegeEscalation } from '../../../checks/rbac/privilege-escalation.ts';
import { oneLine } from '../../../src/base/plain-text.ts';
import { RBAC, run, snap } from './helpers.ts';

const role = (name: string, rules: string) => `---
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: ${name}}
rules: ${rules}
---
apiVersion: ${RBAC}
kind: ClusterRoleBinding
metadata: {name: ${name}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${name}}
subjects: [{kind: User, name: bob, apiGroup: rbac.authorization.k8s.io}]
`;
const saRole = `---
apiVersion: ${RBAC}
kind: Role
metadata: {name: imp-sa, namespace: shop}
rules: [{apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"], resourceNames: ["builder"]}]
---
apiVersion: ${RBAC}
kind: RoleBinding
metadata: {name: imp-sa, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: imp-sa}
subjects: [{kind: User, name: bob, apiGroup: rbac.authorization.k8s.io}]
`;

const messageOf = (yaml: string) => run(privilegeEscalation, snap(yaml)).find((v) => v.resource.name === 'bob' && v.status === 'fail')!.message;

describe('rbac.privilege-escalation: impersonation limited by resourceNames', () => {
  it('names the users, groups and service accounts it may impersonate, capped at five per kind', () => {
    const msg = messageOf(role('imp', '[{apiGroups: [""], resources: ["users"], verbs: ["impersonate"], resourceNames: [u1, u2, u3, u4, u5, u6, u7]}, {apiGroups: [""], resources: ["groups"], verbs: ["impersonate"], resourceNames: ["ops\\u202e-team"]}]') + saRole);
    expect(msg).toContain('Impersonation limited by name: groups ops\u202e-team; service accounts in shop builder; users u1, u2, u3, u4, u5 and 2 more');
    // The terminal (and Slack, the report) show the bidirectional override as its escape.
    expect(oneLine(msg)).toContain('groups ops\\u202e-team;');
  });

  it('leaves out a kind also impersonated without names (every user)', () => {
    const msg = messageOf(role('imp', '[{apiGroups: [""], resources: ["users"], verbs: ["impersonate"], resourceNames: [jane]}, {apiGroups: [""], resources: ["users", "groups"], verbs: ["impersonate"], resourceNames: [ops]}]') + role('imp-all', '[{apiGroups: [""], resources: ["users"], verbs: ["impersonate"]}]'));
    expect(msg).toContain('Impersonation limited by name: groups ops');
    expect(msg).not.toContain('users jane');
  });
});
