import type { PermissionHit } from '../../src/analysis/rbac/audit.ts';
import type { AuditContext } from '../../src/analysis/context.ts';
import type { Grant, Subject } from '../../src/analysis/rbac/types.ts';
import { POWERFUL_SA_BEST_EFFORT, namespaceOnlySeverity, permissionCheck, powerfulNamespaceNote, powerfulOthersIn, type ActsAsServiceAccounts } from './common.ts';
import { podExecPermissions } from './lib/permissions.ts';
import { namedPodsReach } from './lib/named-pods.ts';
import { LEAST_PRIVILEGE } from '../controls.ts';

const isPortForward = (h: PermissionHit) => h.permission.endsWith(' pods/portforward');

// Exec, attach and an ephemeral container run as or beside a pod's processes, with its mounted
// token; port-forwarding only reaches its ports, so it is no way to act as its service account.
// Limited by resourceNames, they reach only the named pods, so only the accounts those run as;
// a named pod the snapshot cannot vouch for (manifests, an unreadable list) may run as any.
const actsAsServiceAccounts: ActsAsServiceAccounts = (h, ctx) => {
  if (isPortForward(h)) return false;
  if (h.ruleObj.resourceNames.length === 0 || !h.namespace) return true;
  const reach = namedPodsReach(ctx, h.namespace, h.ruleObj.resourceNames);
  return reach.unknown ? true : reach.accounts;
};

const powerfulNote = powerfulNamespaceNote(actsAsServiceAccounts);

/**
 * For a subject rated lower because the pods its exec names do not run as a powerful account:
 * when a named pod does not exist in a namespace holding powerful accounts it could otherwise act
 * as, say so, since whoever can create pods there can make one by that name running as one of them.
 */
function missingPodsNote(hits: PermissionHit[], ctx: AuditContext, subject: Subject, grants: readonly Grant[]): string | undefined {
  if (hits.some((h) => !h.namespace || h.namespace === 'kube-system')) return undefined;
  const missingIn = new Map<string, Set<string>>();
  for (const h of hits) {
    if (isPortForward(h) || h.ruleObj.resourceNames.length === 0) continue;
    const { missing } = namedPodsReach(ctx, h.namespace!, h.ruleObj.resourceNames);
    if (missing.length === 0) continue;
    let set = missingIn.get(h.namespace!);
    if (!set) missingIn.set(h.namespace!, (set = new Set()));
    for (const n of missing) set.add(n);
  }
  for (const ns of [...missingIn.keys()].sort()) {
    const others = powerfulOthersIn(ns, subject, grants, ctx);
    if (!others) continue;
    const pods = [...missingIn.get(ns)!].sort();
    const list = pods.slice(0, 3).map((n) => `${ns}/${n}`).join(', ') + (pods.length > 3 ? ` and ${pods.length - 3} more` : '');
    const accounts = others.names.join(', ') + (others.count > others.names.length ? ` and ${others.count - others.names.length} more` : '');
    return `${pods.length > 1 ? 'Pods' : 'Pod'} ${list}, which its exec is limited to, ${pods.length > 1 ? 'do' : 'does'} not exist now: whoever can create pods in ${ns} can create one by that name running as ${accounts}, which this access would then act as`;
  }
  return undefined;
}

export const podExecAttach = permissionCheck({
  id: 'rbac.pod-exec-attach',
  title: 'Subject can exec, attach or port-forward into pods',
  protectsAgainst: 'subjects that can run commands in, attach to, or port-forward into running pods (reaching their data and tokens)',
  severity: 'high',
  readsBestEffort: [...POWERFUL_SA_BEST_EFFORT, 'pods'],
  controls: LEAST_PRIVILEGE,
  remediation: 'Grant pods/exec, pods/attach, pods/portforward and pods/ephemeralcontainers only to break-glass roles, in the namespaces that need them.',
  wanted: podExecPermissions,
  action: 'exec into pods',
  severityFor: namespaceOnlySeverity('medium', actsAsServiceAccounts),
  noteFor: (hits, ctx, subject, grants) => powerfulNote(hits, ctx, subject, grants) ?? missingPodsNote(hits, ctx, subject, grants),
});
