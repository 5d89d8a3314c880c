import type { PermissionHit } from '../../src/analysis/rbac/audit.ts';
import type { AuditContext } from '../../src/analysis/context.ts';
import type { Grant, Subject } from '../../src/analysis/rbac/types.ts';
import { POWERFUL_SA_BEST_EFFORT, namespaceOnlySeverity, permissionCheck, powerfulNamespaceNote, powerfulOthersIn, type ActsAsServiceAccounts } from './common.ts';
import { podExecPermissions } from './lib/permissions.ts';
import { namedPodsReach, nodeEscapingPodsIn, type NodeEscapingPod } from './lib/named-pods.ts';
import { LEAST_PRIVILEGE } from '../controls.ts';

const isPortForward = (h: PermissionHit) => h.permission.endsWith(' pods/portforward');

// Exec, attach and an ephemeral container run as or beside a pod's processes, with its mounted
// token; port-forwarding only reaches its ports, so it is no way to act as its service account.
// Limited by resourceNames, they reach only the named pods, so only the accounts those run as
// (from manifests, a StatefulSet's pods by their names too); a named pod the snapshot cannot
// vouch for (not in the manifests, an unreadable list) may run as any.
const actsAsServiceAccounts: ActsAsServiceAccounts = (h, ctx) => {
  if (isPortForward(h)) return false;
  if (h.ruleObj.resourceNames.length === 0 || !h.namespace) return true;
  const reach = namedPodsReach(ctx, h.namespace, h.ruleObj.resourceNames);
  return reach.unknown ? true : reach.accounts;
};

const powerfulNote = powerfulNamespaceNote(actsAsServiceAccounts);

/**
 * The pods the subject's exec, attach or ephemeral containers reach (in its namespaces: one
 * reaching every namespace or kube-system is rated so already) that the baseline Pod Security
 * level refuses: a shell in one is a way out to its node. Limited by resourceNames, the named
 * pods; a named pod the snapshot cannot tell about may be any pod of its namespace, as it may run
 * as any of its accounts.
 */
function nodeEscapingPods(hits: readonly PermissionHit[], ctx: AuditContext): NodeEscapingPod[] {
  const found: NodeEscapingPod[] = [];
  const seen = new Set<string>();
  const add = (list: readonly NodeEscapingPod[]) => {
    for (const p of list) if (!seen.has(p.what)) { seen.add(p.what); found.push(p); }
  };
  for (const h of hits) {
    if (isPortForward(h) || !h.namespace) continue;
    if (h.ruleObj.resourceNames.length === 0) {
      add(nodeEscapingPodsIn(ctx, h.namespace));
      continue;
    }
    const reach = namedPodsReach(ctx, h.namespace, h.ruleObj.resourceNames);
    add(reach.escaping);
    if (reach.unknown) add(nodeEscapingPodsIn(ctx, h.namespace));
  }
  return found;
}

const namespaceSeverity = namespaceOnlySeverity('medium', actsAsServiceAccounts);

/** The lower severity for one namespace holds only when no pod there that it reaches can reach its node. */
const severityFor: typeof namespaceSeverity = (hits, grants, ctx, subject) => {
  const sev = namespaceSeverity(hits, grants, ctx, subject);
  return sev === undefined || nodeEscapingPods(hits, ctx).length > 0 ? undefined : sev;
};

/** For a subject rated as in kube-system because a pod it reaches can reach its node: which pods, and why. */
function nodeNote(hits: PermissionHit[], ctx: AuditContext): string | undefined {
  if (hits.some((h) => !h.namespace || h.namespace === 'kube-system')) return undefined;
  const pods = nodeEscapingPods(hits, ctx);
  if (pods.length === 0) return undefined;
  const shown = pods.slice(0, 3).map((p) => `${p.what} (${p.breaks.join(', ')})`);
  const list = shown.join(', ') + (pods.length > 3 ? ` and ${pods.length - 3} more` : '');
  const plural = pods.length > 1 || !pods[0].what.startsWith('Pod ');
  return `${list[0].toUpperCase()}${list.slice(1)}, which this access reaches, ${plural ? 'break' : 'breaks'} the baseline Pod Security level: a shell in such a pod is a way out to its node (the node's credentials and every pod running there), so it is rated as in kube-system`;
}

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
  protectsAgainst: 'subjects that can run commands in, attach to, or port-forward into running pods (reaching their data and tokens, and, in a pod the baseline Pod Security level refuses, such as a privileged or hostPath one, its node)',
  severity: 'high',
  readsBestEffort: [...POWERFUL_SA_BEST_EFFORT, 'pods'],
  controls: LEAST_PRIVILEGE,
  remediation: 'Grant pods/exec, pods/attach, pods/portforward and pods/ephemeralcontainers only to break-glass roles, in the namespaces that need them; where one needs it, limit it to the pods it needs (resourceNames), and not to a privileged, host-namespace or hostPath pod, where it reaches the node.',
  wanted: podExecPermissions,
  action: 'exec into pods',
  severityFor,
  noteFor: (hits, ctx, subject, grants) => powerfulNote(hits, ctx, subject, grants) ?? nodeNote(hits, ctx) ?? missingPodsNote(hits, ctx, subject, grants),
});
