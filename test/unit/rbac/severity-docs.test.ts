// The docs/checks.md row (and `ztaudit explain`) of rbac.anonymous-access and rbac.csr-approval
// state each severity the check gives, and each stated severity is the one it gives: every
// case below is run through the check and its severity looked up in the row. The cases follow
// the RBAC docs (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles,
// #referring-to-subjects) and the CSR docs (approval needs update on
// certificatesigningrequests/approval and approve on the signer:
// https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#authorization;
// kubelet-serving certificates are for serving only: #kubernetes-signers).
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { catalogMarkdown } from '../../../src/cli/checks.ts';
import { run, snap } from './helpers.ts';

const checkOf = (id: string) => rbacChecks.find((c) => c.id === id)!;
/** The check's row of docs/checks.md. */
const docsRow = (id: string) => catalogMarkdown(rbacChecks).split('\n').find((l) => l.startsWith(`| \`${id}\` |`))!;
const failingSeverity = (id: string, yaml: string, name: string) => {
  const v = run(checkOf(id), snap(yaml)).find((x) => x.resource.name === name && x.status === 'fail')!;
  return v.severity ?? checkOf(id).severity;
};

const CLUSTER_BIND = (subject: string, rules: string) => `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: granted}
rules: ${rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: granted}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: granted}
subjects: [${subject}]
`;
const GROUP = (name: string) => `{kind: Group, name: "${name}", apiGroup: rbac.authorization.k8s.io}`;
const SECRETS = '[{apiGroups: [""], resources: [secrets], verbs: [get, list]}]';

describe('rbac.anonymous-access: the docs row states the severity of each audience', () => {
  const row = docsRow('rbac.anonymous-access');
  it.each([
    ['system:anonymous reading Secrets', 'system:anonymous', `{kind: User, name: "system:anonymous", apiGroup: rbac.authorization.k8s.io}`, SECRETS, 'critical', 'A grant beyond discovery to anyone without credentials (system:anonymous, system:unauthenticated) is reported at critical'],
    ['system:unauthenticated reading Secrets', 'system:unauthenticated', GROUP('system:unauthenticated'), SECRETS, 'critical', 'A grant beyond discovery to anyone without credentials (system:anonymous, system:unauthenticated) is reported at critical'],
    ['system:authenticated reading Secrets', 'system:authenticated', GROUP('system:authenticated'), SECRETS, 'medium', 'A grant to every authenticated identity (system:authenticated) or every service account (system:serviceaccounts) is reported at medium'],
    ['system:serviceaccounts reading Secrets', 'system:serviceaccounts', GROUP('system:serviceaccounts'), SECRETS, 'medium', 'A grant to every authenticated identity (system:authenticated) or every service account (system:serviceaccounts) is reported at medium'],
    ['system:unauthenticated given /api and /apis only', 'system:unauthenticated', GROUP('system:unauthenticated'), '[{nonResourceURLs: [/api, /apis], verbs: [get]}]', 'medium', 'only the API discovery paths system:discovery opens to authenticated users (/api, /apis, /openapi: clusters upgraded from before Kubernetes 1.14 keep system:discovery bound to system:unauthenticated) is reported at medium'],
  ])('%s, as the row says', (_case, name, subject, rules, severity, sentence) => {
    expect(failingSeverity('rbac.anonymous-access', CLUSTER_BIND(subject, rules), name)).toBe(severity);
    expect(row).toContain(sentence);
  });

  it('the medium all-users grant is rated for what it allows by the other RBAC checks, as the row says', () => {
    expect(failingSeverity('rbac.secrets-cluster-read', CLUSTER_BIND(GROUP('system:authenticated'), SECRETS), 'system:authenticated')).toBe('high');
    expect(row).toContain('the other RBAC checks report those groups too, each at the severity of what the grant allows');
  });
});

describe('rbac.csr-approval: the docs row states the severity of each case', () => {
  const row = docsRow('rbac.csr-approval');
  const CERTS = 'certificates.k8s.io';
  const CREATE = `{apiGroups: [${CERTS}], resources: [certificatesigningrequests], verbs: [create]}`;
  const APPROVAL = `{apiGroups: [${CERTS}], resources: [certificatesigningrequests/approval], verbs: [update]}`;
  const SIGNER = (names?: string) => `{apiGroups: [${CERTS}], resources: [signers], verbs: [approve]${names ? `, resourceNames: [${names}]` : ''}}`;
  const ALICE = '{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}';
  it.each([
    ['approval, a client signer and create', `[${CREATE}, ${APPROVAL}, ${SIGNER()}]`, 'critical', 'is reported at critical when it can also create certificatesigningrequests'],
    ['approval and a client signer, no create', `[${APPROVAL}, ${SIGNER('kubernetes.io/kube-apiserver-client')}]`, 'high', 'and at high when it cannot'],
    ['approval alone', `[${CREATE}, ${APPROVAL}]`, 'medium', 'A subject holding only one of the two is reported at medium'],
    ['approve on a signer alone', `[${CREATE}, ${SIGNER()}]`, 'medium', 'A subject holding only one of the two is reported at medium'],
    ['approval for kubelet-serving only', `[${CREATE}, ${APPROVAL}, ${SIGNER('kubernetes.io/kubelet-serving')}]`, 'medium', 'and so is approval limited by resourceNames to kubernetes.io/kubelet-serving'],
  ])('%s: as the row says', (_case, rules, severity, sentence) => {
    expect(failingSeverity('rbac.csr-approval', CLUSTER_BIND(ALICE, rules), 'alice')).toBe(severity);
    expect(row).toContain(sentence);
  });
});
