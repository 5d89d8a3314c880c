// Secret access granted in one namespace (RoleBindings). Listing or watching returns every
// Secret's contents, and so does deletecollection, so these on all Secrets of a namespace are the
// finding; get restricted by resourceNames is the least-privilege form and passes. Patch reads
// one named Secret as get does (secretsReadPermissions). A service account reading Secrets of
// its own namespace by name (get, the usual application pattern) is not a finding by default;
// get on all Secrets by anyone else is, at low severity. In kube-system every such grant is high,
// the namespace's own accounts' too. Cluster-wide access is rbac.secrets-cluster-read's.
import type { Check } from '../../src/engine/types.ts';
import { SEVERITY_WEIGHT, type Severity } from '../../src/base/vocabulary.ts';
import { findPermissions, hitEvidence, permissionLabel, rbacAudit, relatedOf, sortedDistinct, type PermissionHit } from '../../src/analysis/rbac/audit.ts';
import { RBAC_NEEDS, permissionScopes, viaText } from './common.ts';
import { secretsReadHow, secretsReadPermissions } from './lib/permissions.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

const WANTED = secretsReadPermissions();
/** The reads of one named Secret (get, and patch, which returns it); the others (list, watch, deletecollection) return them all. */
const NAMED_READS = new Set(WANTED.filter((x) => x.verb === 'get' || x.verb === 'patch').map(permissionLabel));

export const secretsNamespaceRead: Check = {
  id: 'rbac.secrets-namespace-read',
  area: 'rbac',
  title: 'Subject can list or watch all Secrets of a namespace',
  protectsAgainst: 'subjects that can list or watch every Secret of a namespace (the contents come back), or get any Secret of a namespace not their own, through a RoleBinding. Patch counts as get and deletecollection as list: the API server answers a patch with the Secret it patched (an empty patch reads it unchanged) and a deletecollection with every Secret it deleted (a dry run deletes none). Get restricted by resourceNames, and a service account getting its own namespace\'s Secrets by name outside kube-system, are not findings (in kube-system, the control plane\'s Secrets and bootstrap tokens, any such access is high, its own accounts\' too, but for the grants Kubernetes gives its own controllers)',
  severity: 'medium',
  controls: [cis('5.1.2'), ...LEAST_PRIVILEGE],
  remediation: 'Drop list, watch and deletecollection on secrets from the role and grant get (and patch, if the workload changes them) with resourceNames naming the Secrets the workload reads (or mount them as volumes/env, which needs no RBAC at all); in kube-system keep Secret access to control-plane identities.',
  needs: RBAC_NEEDS,
  *evaluate(ctx) {
    const audit = rbacAudit(ctx);
    for (const s of audit.subjects) {
      const { who, resource } = s;
      // Namespaced grants only, and only those not limited to named Secrets.
      const hits = findPermissions(s.grants, WANTED).filter((h) => h.namespace !== undefined && h.ruleObj.resourceNames.length === 0);
      const bad: PermissionHit[] = [];
      let severity: Severity = 'low';
      for (const h of hits) {
        const ownNamespace = s.subject.kind === 'ServiceAccount' && s.subject.namespace === h.namespace;
        let sev: Severity | undefined;
        // kube-system first: its own accounts are no exception there (its Secrets are the
        // control plane's, bootstrap tokens among them); the control plane's own grants are
        // already left out of s.grants (isBuiltinGrant).
        if (h.namespace === 'kube-system') sev = 'high';
        else if (!NAMED_READS.has(h.permission)) sev = 'medium';
        else if (!ownNamespace) sev = 'low';
        if (!sev) continue;
        bad.push(h);
        if (SEVERITY_WEIGHT[sev] > SEVERITY_WEIGHT[severity]) severity = sev;
      }
      if (bad.length === 0) {
        yield { status: 'pass', resource, message: `${who} cannot list or watch all Secrets of a namespace` };
        continue;
      }
      const namespaces = sortedDistinct(bad, (h) => h.namespace!);
      const perms = sortedDistinct(bad, (h) => h.permission);
      const how = secretsReadHow(perms);
      yield {
        status: 'fail', resource, severity,
        message: `${who} can ${perms.join(', ')} without resourceNames in namespace${namespaces.length > 1 ? 's' : ''} ${namespaces.slice(0, 5).join(', ')}${namespaces.length > 5 ? ` (+${namespaces.length - 5})` : ''} via ${viaText(bad)}${how ? `. ${how}` : ''}`,
        evidence: { subject: s.subject, ...hitEvidence(bad) },
        related: relatedOf(bad),
        extent: { unit: 'permissions', members: permissionScopes(bad) },
      };
    }
  },
};
