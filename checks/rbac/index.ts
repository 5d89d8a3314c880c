// The rbac area's checks, in report order. Each check is one module named by its id.
import type { Check } from '../../src/engine/types.ts';
import { clusterAdminBinding } from './cluster-admin-binding.ts';
import { wildcardPermission } from './wildcard-permission.ts';
import { secretsClusterRead } from './secrets-cluster-read.ts';
import { secretsNamespaceRead } from './secrets-namespace-read.ts';
import { privilegeEscalation } from './privilege-escalation.ts';
import { anonymousAccess } from './anonymous-access.ts';
import { podExecAttach } from './pod-exec-attach.ts';
import { nodesProxy } from './nodes-proxy.ts';
import { csrApproval } from './csr-approval.ts';
import { webhookConfigWrite } from './webhook-config-write.ts';
import { workloadCreateKubeSystem } from './workload-create-kube-system.ts';
import { defaultServiceAccountBound } from './default-serviceaccount-bound.ts';
import { danglingBinding } from './dangling-binding.ts';
import { serviceAccountTokenAutomount } from './serviceaccount-token-automount.ts';
import { defaultServiceAccountUsed } from './default-serviceaccount-used.ts';
import { namespaceModification } from './namespace-modification.ts';
import { aggregationIntoBuiltin } from './aggregation-into-builtin.ts';

export const rbacChecks: Check[] = [
  clusterAdminBinding,
  wildcardPermission,
  secretsClusterRead,
  secretsNamespaceRead,
  privilegeEscalation,
  anonymousAccess,
  podExecAttach,
  nodesProxy,
  csrApproval,
  webhookConfigWrite,
  workloadCreateKubeSystem,
  defaultServiceAccountBound,
  defaultServiceAccountUsed,
  serviceAccountTokenAutomount,
  danglingBinding,
  namespaceModification,
  aggregationIntoBuiltin,
];
