// rbac.csr-approval by signer: kube-controller-manager signs kubernetes.io/kubelet-serving requests
// for server auth only, and the API server accepts only client-auth certificates as credentials
// (https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#kubernetes-signers;
// kubernetes v1.36.3 pkg/apis/certificates/helpers.go ValidateKubeletServingCSR, apiserver
// pkg/authentication/request/x509/x509.go). Reviewer repro t6.
import { describe, expect, it } from 'vitest';
import { rbacChecks } from '../../../checks/rbac/index.ts';
import { run, snap } from './helpers.ts';

const check = rbacChecks.find((c) => c.id === 'rbac.csr-approval')!;

const approver = (names: string[] | undefined) => `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: approver}
rules:
- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [create]}
- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}
- {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve]${names ? `, resourceNames: ${JSON.stringify(names)}` : ''}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: approver}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: approver}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
`;

const verdict = (names: string[] | undefined) => run(check, snap(approver(names))).find((v) => v.resource.name === 'alice')!;

describe('rbac.csr-approval rates approval by the signers it reaches', () => {
  it('kubelet-serving only: medium, and the message names the signer and why', () => {
    const v = verdict(['kubernetes.io/kubelet-serving']);
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).toContain('Only for signer kubernetes.io/kubelet-serving, which issues serving certificates: the API server accepts none of them as a client credential');
  });

  it('a client signer, its domain wildcard, a custom signer or every signer: critical, with no such note', () => {
    for (const names of [['kubernetes.io/kube-apiserver-client'], ['kubernetes.io/kube-apiserver-client-kubelet'], ['kubernetes.io/*'], ['example.com/my-signer'], undefined]) {
      const v = verdict(names);
      expect(v.severity, JSON.stringify(names)).toBe('critical');
      expect(v.message).not.toContain('serving certificates');
    }
  });
});
