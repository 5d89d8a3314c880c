// The stock system:discovery ClusterRole opens /api, /apis and /openapi to authenticated users;
// clusters upgraded from before Kubernetes 1.14 keep it bound to system:unauthenticated too
// (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles: "auto-update"
// keeps the old binding). That is still a failure (requests without credentials get only the
// health and version endpoints by default), but a medium one: critical stays for grants beyond
// what the discovery roles open (reviewer repro c1).
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { run, snap } from './helpers.ts';

const check = rbacChecks.find((c) => c.id === 'rbac.anonymous-access')!;

const BIND = (role: string, subject: string, rules?: string) => `${rules === undefined ? '' : `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${role}}
rules: ${rules}
---`}
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: anon-api}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "${role}"}
subjects: [${subject}]
`;
const UNAUTH = '{kind: Group, name: "system:unauthenticated", apiGroup: rbac.authorization.k8s.io}';
const ANON = '{kind: User, name: "system:anonymous", apiGroup: rbac.authorization.k8s.io}';
const failOf = (yaml: string) => run(check, snap(yaml)).find((v) => v.status === 'fail')!;

describe('rbac.anonymous-access: API discovery open to unauthenticated users', () => {
  it('system:discovery bound to system:unauthenticated (kept from before 1.14): a medium failure saying API discovery is open', () => {
    const v = failOf(BIND('system:discovery', UNAUTH));
    expect(v).toMatchObject({ status: 'fail', severity: 'medium', resource: { kind: 'Group', name: 'system:unauthenticated' } });
    expect(v.message).toBe('API discovery (/api, /apis, /openapi) open to unauthenticated users: Group:system:unauthenticated (anyone without credentials) is granted only paths system:discovery opens to authenticated users, by ClusterRoleBinding anon-api');
  });

  it('a copy of its paths (wildcards included) bound to system:anonymous: medium too', () => {
    const v = failOf(BIND('anon-apis', ANON, '[{nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/openapi/v3/*"], verbs: [get]}]'));
    expect(v).toMatchObject({ severity: 'medium', resource: { kind: 'User', name: 'system:anonymous' } });
    expect(v.message).toMatch(/^API discovery \(\/api, \/apis, \/openapi\) open to unauthenticated users: /);
  });

  it('anything beyond: a wider wildcard (/ap*, *), another verb, another path or a resource rule stays critical', () => {
    for (const rules of [
      '[{nonResourceURLs: ["/ap*"], verbs: [get]}]',
      '[{nonResourceURLs: ["*"], verbs: [get]}]',
      '[{nonResourceURLs: ["/apis/*"], verbs: ["*"]}]',
      '[{nonResourceURLs: ["/apis/*"], verbs: [get]}, {nonResourceURLs: ["/metrics"], verbs: [get]}]',
      '[{nonResourceURLs: ["/api"], verbs: [get]}, {apiGroups: [""], resources: [configmaps], verbs: [get]}]',
    ]) {
      const v = failOf(BIND('anon-more', UNAUTH, rules));
      expect(v.severity, rules).toBe('critical');
      expect(v.message, rules).toMatch(/is granted \d rules? beyond discovery by ClusterRoleBinding anon-api$/);
    }
  });

  // Before, its /api/* and /apis/* wildcards counted as "1 rule beyond discovery" for a binding
  // other than the default one.
  it('system:discovery bound to every authenticated user by another binding passes: it is what the default gives them', () => {
    const vs = run(check, snap(BIND('system:discovery', '{kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}')));
    expect(vs.filter((v) => v.status === 'fail')).toEqual([]);
  });
});
