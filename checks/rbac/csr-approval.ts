import { holdsPermission, type PermissionHit } from '../../src/analysis/rbac/audit.ts';
import { p, permissionCheck } from './common.ts';
import { csrApprovalPermissions } from './lib/permissions.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

const CERTS = 'certificates.k8s.io';
/** One array for every subject: findPermissions caches a role's matches per wanted list. */
const CREATE_CSR = [p('create', CERTS, 'certificatesigningrequests')];

/**
 * Signers whose certificates give no client credential. kube-controller-manager signs a
 * kubelet-serving request only with usages digital signature, key encipherment and server auth
 * (ValidateKubeletServingCSR, kubernetes pkg/apis/certificates/helpers.go; signer.go), and the
 * apiserver's x509 authenticator accepts only certificates valid for client auth (apiserver
 * pkg/authentication/request/x509/x509.go); legacy-unknown cannot be requested through
 * certificates.k8s.io/v1 (pkg/apis/certificates/validation/validation.go). Any other signer, a
 * custom one too (the source does not show which CAs the apiserver trusts), may issue client certificates.
 */
const SERVING_ONLY_SIGNERS = new Set(['kubernetes.io/kubelet-serving', 'kubernetes.io/legacy-unknown']);

const isSignerHit = (h: PermissionHit) => h.permission.startsWith('approve');
/** Whether an approve-on-signers hit reaches a signer that issues client certificates: unlimited, or naming one (a "domain/*" name too). */
const approvesClientSigner = (h: PermissionHit) => h.ruleObj.resourceNames.length === 0 || h.ruleObj.resourceNames.some((n) => !SERVING_ONLY_SIGNERS.has(n));
const servingOnly = (hits: PermissionHit[]) => {
  const signers = hits.filter(isSignerHit);
  return signers.length > 0 && !signers.some(approvesClientSigner);
};

export const csrApproval = permissionCheck({
  id: 'rbac.csr-approval',
  title: 'Subject can approve certificate signing requests',
  protectsAgainst: 'subjects that can approve certificate signing requests, i.e. issue themselves client certificates',
  severity: 'high',
  controls: [cis('5.1.11'), ...LEAST_PRIVILEGE],
  remediation: 'Leave CSR approval to the controller manager; remove update/patch on certificatesigningrequests/approval (and approve on signers) from other roles. Approving takes both (update or patch on certificatesigningrequests/approval and approve on a signer); a subject holding both, for a signer that can issue client certificates, is reported at critical when it can also create certificatesigningrequests (it issues itself client certificates) and at high when it cannot. A subject holding only one of the two is reported at medium, and so is approval limited by resourceNames to kubernetes.io/kubelet-serving (a kubelet serving-certificate approver): those certificates cannot authenticate to the API server; verify the approver checks the node names it approves.',
  wanted: csrApprovalPermissions,
  clusterScoped: true,
  action: 'approve certificate signing requests',
  // Approval needs both the approval subresource and approve on a signer; one alone is a weaker
  // finding. Able to create requests too, through any of its grants, the subject issues itself certificates.
  // Approval only for signers that issue serving certificates gives no way to authenticate: medium.
  severityFor: (hits, grants) => {
    const approval = hits.some((h) => h.permission.includes('approval'));
    const signer = hits.some(isSignerHit);
    if (!approval || !signer || servingOnly(hits)) return 'medium';
    const canCreate = holdsPermission(grants, CREATE_CSR, { clusterScoped: true });
    return canCreate ? 'critical' : undefined;
  },
  noteFor: (hits) => {
    if (!servingOnly(hits)) return undefined;
    const names = [...new Set(hits.filter(isSignerHit).flatMap((h) => h.ruleObj.resourceNames))].sort();
    return `Only for signer${names.length === 1 ? '' : 's'} ${names.join(', ')}, which issue${names.length === 1 ? 's' : ''} serving certificates: the API server accepts none of them as a client credential`;
  },
});
