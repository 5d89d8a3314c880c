// Reviewer repro r5: write access to the in-process admission policies gave no finding. A
// MutatingAdmissionPolicy with its binding mutates every object it matches in the API server,
// "a declarative, in-process alternative to mutating admission webhooks"
// (https://kubernetes.io/docs/reference/access-authn-authz/mutating-admission-policy/, "What are
// MutatingAdmissionPolicies?"; KEP-3962: admissionregistration.k8s.io v1alpha1 in 1.32, v1beta1 in
// 1.34, v1 in 1.36), and a ValidatingAdmissionPolicy only acts through a
// ValidatingAdmissionPolicyBinding ("at least a ValidatingAdmissionPolicy and a corresponding
// ValidatingAdmissionPolicyBinding must be defined for a policy to have an effect":
// https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/, "What
// Resources Make a Policy"; stable since 1.30), so deleting or changing either switches it off.
// All four are cluster-scoped (kubernetes.io/docs/reference/kubernetes-api/admissionregistration/).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { webhookConfigWrite } from '../../../checks/rbac/webhook-config-write.ts';
import { main } from '../../../src/cli/main.ts';
import { captureIO } from '../../helpers/cli.ts';
import { RBAC, run, snap } from './helpers.ts';

const bound = (verbs: string, resources: string, binding: 'ClusterRoleBinding' | 'RoleBinding' = 'ClusterRoleBinding') => `
apiVersion: ${RBAC}
kind: ClusterRole
metadata: {name: policy-writer}
rules:
- {apiGroups: [admissionregistration.k8s.io], resources: [${resources}], verbs: [${verbs}]}
---
apiVersion: ${RBAC}
kind: ${binding}
metadata: {name: policy-writer${binding === 'RoleBinding' ? ', namespace: app' : ''}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: policy-writer}
subjects: [{kind: User, name: dave, apiGroup: rbac.authorization.k8s.io}]
`;

const dave = (yaml: string) => run(webhookConfigWrite, snap(yaml)).find((v) => v.resource.name === 'dave')!;

describe('rbac.webhook-config-write: admission policies count as admission webhooks do', () => {
  it('create mutatingadmissionpolicies fails at high, saying it writes admission policies', () => {
    const v = dave(bound('create', 'mutatingadmissionpolicies'));
    expect(v.status).toBe('fail');
    expect(v.severity ?? webhookConfigWrite.severity).toBe('high');
    expect(v.message).toBe('User:dave can write admission policies cluster-wide (create mutatingadmissionpolicies.admissionregistration.k8s.io) via ClusterRoleBinding policy-writer → ClusterRole policy-writer');
  });

  it('delete validatingadmissionpolicybindings fails (switches the policy off)', () => {
    const v = dave(bound('delete', 'validatingadmissionpolicybindings'));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('(delete validatingadmissionpolicybindings.admissionregistration.k8s.io)');
  });

  it('every write verb on each of the four resources fails (repro r5)', () => {
    for (const resource of ['validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings']) {
      for (const verb of ['create', 'update', 'patch', 'delete', 'deletecollection']) expect(dave(bound(verb, resource)).status, `${verb} ${resource}`).toBe('fail');
    }
  });

  it('webhooks and policies together are named as both', () => {
    expect(dave(bound('patch', 'mutatingwebhookconfigurations, mutatingadmissionpolicies')).message).toContain('can write admission webhook configurations or admission policies cluster-wide');
    expect(dave(bound('patch', 'mutatingwebhookconfigurations')).message).toContain('can write admission webhook configurations cluster-wide');
  });

  it('get, list and watch pass; the status subresource is not the policy', () => {
    expect(dave(bound('get, list, watch', 'validatingadmissionpolicies, validatingadmissionpolicybindings, mutatingadmissionpolicies, mutatingadmissionpolicybindings')).status).toBe('pass');
    expect(dave(bound('patch', 'validatingadmissionpolicies/status')).status).toBe('pass');
  });

  it('through a RoleBinding it grants nothing: the policies are cluster-scoped', () => {
    expect(dave(bound('create', 'mutatingadmissionpolicies', 'RoleBinding')).status).toBe('pass');
  });
});

describe('ztaudit can: the built-in catalog knows the admission policies are cluster-scoped', () => {
  it('a RoleBinding in app does not grant create mutatingadmissionpolicies there, and no unknown-type warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-map-'));
    writeFileSync(join(dir, 'a.yaml'), bound('create', 'mutatingadmissionpolicies, validatingadmissionpolicybindings', 'RoleBinding'));
    for (const type of ['mutatingadmissionpolicies', 'validatingadmissionpolicybindings']) {
      const t = captureIO(dir);
      const code = await main(['can', 'User:dave', 'create', `${type}.admissionregistration.k8s.io`, '-n', 'app', '--manifests', 'a.yaml'], t.cli);
      expect(code).toBe(1);
      expect(t.out()).toContain(`(${type}.admissionregistration.k8s.io is cluster-scoped: RoleBindings in app cannot grant it)`);
      expect(t.errLines()).toEqual([]);
    }
  });
});
