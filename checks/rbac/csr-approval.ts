import { findPermissions } from '../../src/analysis/rbac/audit.ts';
import { p, permissionCheck } from './common.ts';
import { csrApprovalPermissions } from './lib/permissions.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

const CERTS = 'certificates.k8s.io';
/** One array for every subject: findPermissions caches a role's matches per wanted list. */
const CREATE_CSR = [p('create', CERTS, 'certificatesigningrequests')];

export const csrApproval = permissionCheck({
  id: 'rbac.csr-approval',
  title: 'Subject can approve certificate signing requests',
  protectsAgainst: 'subjects that can approve certificate signing requests, i.e. issue themselves client certificates',
  severity: 'high',
  controls: [cis('5.1.11'), ...LEAST_PRIVILEGE],
  remediation: 'Leave CSR approval to the controller manager; remove update/patch on certificatesigningrequests/approval (and approve on signers) from other roles.',
  wanted: csrApprovalPermissions,
  clusterScoped: true,
  action: 'approve certificate signing requests',
  // Approval needs both the approval subresource and approve on a signer; one alone is a weaker
  // finding. Able to create requests too, through any of its grants, the subject issues itself certificates.
  severityFor: (hits, grants) => {
    const approval = hits.some((h) => h.permission.includes('approval'));
    const signer = hits.some((h) => h.permission.startsWith('approve'));
    const canCreate = findPermissions(grants, CREATE_CSR, { clusterScoped: true }).length > 0;
    return approval && signer && canCreate ? 'critical' : approval && signer ? undefined : 'medium';
  },
});
