// Protects against subjects that can reach the kubelet API through nodes/proxy (a GET reaches exec on every pod of the node).
// Controls: CIS-1.10 5.1.10; NSA-CISA AA/rbac; NIST-800-53 AC-6; NIST-800-207 T6.
import { RBAC_CONTROLS, cis, each, p, permissionCheck } from './common.ts';

export const nodesProxy = permissionCheck({
  id: 'rbac.nodes-proxy',
  title: 'Subject can access nodes/proxy',
  severity: 'high',
  controls: [cis('5.1.10'), ...RBAC_CONTROLS],
  remediation: 'Remove nodes/proxy (any verb, including get) from roles of non-platform subjects; use nodes/metrics or nodes/stats for monitoring.',
  wanted: () => [...each(['get', 'create', 'update', 'patch', 'delete'], '', ['nodes'], 'proxy'), p('proxy', '', 'nodes')],
  clusterScoped: true,
  action: 'reach the kubelet API through nodes/proxy',
});
