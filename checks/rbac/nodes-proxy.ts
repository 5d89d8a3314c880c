import { permissionCheck } from './common.ts';
import { nodesProxyPermissions } from './lib/permissions.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

export const nodesProxy = permissionCheck({
  id: 'rbac.nodes-proxy',
  title: 'Subject can access nodes/proxy',
  protectsAgainst: 'subjects that can reach the kubelet API through nodes/proxy (a GET reaches exec on every pod of the node)',
  severity: 'high',
  controls: [cis('5.1.10'), ...LEAST_PRIVILEGE],
  remediation: 'Remove nodes/proxy (any verb, including get) from roles of non-platform subjects; use nodes/metrics or nodes/stats for monitoring.',
  wanted: nodesProxyPermissions,
  clusterScoped: true,
  action: 'reach the kubelet API through nodes/proxy',
});
