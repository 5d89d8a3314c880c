import type { PermissionHit } from '../../src/analysis/rbac/audit.ts';
import type { AuditContext } from '../../src/analysis/context.ts';
import type { Grant, Subject } from '../../src/analysis/rbac/types.ts';
import { POWERFUL_SA_BEST_EFFORT, namespaceOnlySeverity, permissionCheck, powerfulNamespaceNote, powerfulOthersIn, type ActsAsServiceAccounts } from './common.ts';
import { isPortForwardOnly, podAccessOf, podAccessText, podExecPermissions } from './lib/permissions.ts';
import { namedPodsReach, nodeEscapingPodsIn, privilegedAdmission, unreadablePodKinds, type NodeEscapingPod, type PodAccess } from './lib/named-pods.ts';
import { LEAST_PRIVILEGE } from '../controls.ts';
import { POD_VIEW_KINDS } from '../../src/snapshot/kinds.ts';

const isPortForward = (h: PermissionHit) => isPortForwardOnly(h.permission);

/** How a hit enters pods; undefined for port-forwarding, which enters none. */
const accessOf = (h: PermissionHit): PodAccess | undefined => podAccessOf(h.permission);

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
 * as any of its accounts. `firstOnly`: stop at the first (whether there is any).
 */
function nodeEscapingPods(hits: readonly PermissionHit[], ctx: AuditContext, firstOnly = false): NodeEscapingPod[] {
  const known = escapingCache.get(hits);
  if (known) return known;
  const found: NodeEscapingPod[] = [];
  const seen = new Set<string>();
  const add = (list: readonly NodeEscapingPod[]) => {
    for (const p of list) if (!seen.has(p.what)) { seen.add(p.what); found.push(p); }
    return firstOnly && found.length > 0;
  };
  for (const h of hits) {
    const access = accessOf(h);
    if (access === undefined || !h.namespace) continue;
    if (h.ruleObj.resourceNames.length === 0) {
      if (add(nodeEscapingPodsIn(ctx, h.namespace, access))) break;
      continue;
    }
    const reach = namedPodsReach(ctx, h.namespace, h.ruleObj.resourceNames, access);
    if (add(reach.escaping)) break;
    if (reach.unknown && add(nodeEscapingPodsIn(ctx, h.namespace, access))) break;
  }
  if (!firstOnly) escapingCache.set(hits, found);
  return found;
}

// The note and the severity ask the same of one subject's hits list (nodeNote, severityFor):
// each answer is kept per list, as clusterAdminPaths keeps its paths.
const escapingCache = new WeakMap<readonly PermissionHit[], NodeEscapingPod[]>();
const debugCache = new WeakMap<readonly PermissionHit[], { admits: string | undefined }>();

/**
 * The first ephemeral-container hit (by namespace) in a namespace whose Pod Security admission
 * lets a privileged ephemeral container in: why it does. A hit limited to pods a live cluster's
 * complete listing does not hold reaches none of them now (missingPodsNote says who could make one).
 */
function privilegedDebugNamespace(hits: readonly PermissionHit[], ctx: AuditContext): string | undefined {
  let known = debugCache.get(hits);
  if (!known) debugCache.set(hits, (known = { admits: findPrivilegedDebugNamespace(hits, ctx) }));
  return known.admits;
}

function findPrivilegedDebugNamespace(hits: readonly PermissionHit[], ctx: AuditContext): string | undefined {
  const found: Array<[string, string]> = [];
  for (const h of hits) {
    if (accessOf(h) !== 'ephemeral' || !h.namespace) continue;
    const names = h.ruleObj.resourceNames;
    if (names.length > 0) {
      const reach = namedPodsReach(ctx, h.namespace, names);
      if (!reach.unknown && reach.accounts.length === 0) continue;
    }
    const adm = privilegedAdmission(ctx, h.namespace);
    if (adm && 'admits' in adm) found.push([h.namespace, adm.admits]);
  }
  return found.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))[0]?.[1];
}

const namespaceSeverity = namespaceOnlySeverity('medium', actsAsServiceAccounts);

/**
 * Port-forwarding alone never enters a pod (actsAsServiceAccounts, accessOf): no token, no shell,
 * no way to the node, wherever it is held. What it does reach, every port of the pods past any
 * NetworkPolicy and their localhost-only listeners, is rated medium in every namespace.
 */
const onlyPortForward = (hits: readonly PermissionHit[]) => hits.every(isPortForward);

/** The lower severity for one namespace holds only when no pod there that it reaches can reach its node. */
const severityFor: typeof namespaceSeverity = (hits, grants, ctx, subject) => {
  if (onlyPortForward(hits)) return 'medium';
  const sev = namespaceSeverity(hits, grants, ctx, subject);
  return sev === undefined || privilegedDebugNamespace(hits, ctx) !== undefined || nodeEscapingPods(hits, ctx, true).length > 0 ? undefined : sev;
};

/** For a subject rated as in kube-system because what it adds to or enters in a pod can reach its node: why, and which pods. */
function nodeNote(hits: PermissionHit[], ctx: AuditContext): string | undefined {
  if (hits.some((h) => !h.namespace || h.namespace === 'kube-system')) return undefined;
  const debug = privilegedDebugNamespace(hits, ctx);
  if (debug !== undefined) return `${debug}: whoever can add an ephemeral container to a pod there can make it privileged (kubectl debug --profile=sysadmin), a way out to its node (the node's credentials and every pod running there), so it is rated as in kube-system`;
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

/**
 * What the rating could not look at, for a subject it may have rated lower for want of it: the
 * pods its access reaches (a kind holding them unreadable), or the Pod Security level of a
 * namespace where it may add ephemeral containers (the Namespaces unreadable). Unknown is said,
 * never read as "none": a named pod that could not be looked up is taken to be any pod of its
 * namespace, running as any account of it, as ever.
 */
function unreadNote(hits: PermissionHit[], ctx: AuditContext): string | undefined {
  if (hits.some((h) => !h.namespace || h.namespace === 'kube-system')) return undefined;
  const notes: string[] = [];
  const unreadable = unreadablePodKinds(ctx);
  if (unreadable.length > 0) {
    let reaches = false;
    let namedUnknown = false;
    for (const h of hits) {
      if (accessOf(h) === undefined) continue;
      if (h.ruleObj.resourceNames.length === 0) reaches = true;
      else if (namedPodsReach(ctx, h.namespace!, h.ruleObj.resourceNames).unknown) reaches = namedUnknown = true;
    }
    if (reaches) notes.push(`The pods this access reaches could not all be read (${unreadable.join(', ')}), so ${namedUnknown ? 'which accounts the pods it names run as and whether' : 'whether'} one can reach its node ${namedUnknown ? 'are' : 'is'} not known`);
  }
  const unknownNs = new Map<string, string>();
  for (const h of hits) {
    if (accessOf(h) !== 'ephemeral' || unknownNs.has(h.namespace!)) continue;
    const adm = privilegedAdmission(ctx, h.namespace!);
    if (adm && 'unknown' in adm) unknownNs.set(h.namespace!, adm.unknown);
  }
  const first = [...unknownNs.keys()].sort()[0];
  if (first !== undefined) notes.push(`The Pod Security level Namespace ${first}${unknownNs.size > 1 ? ` (and ${unknownNs.size - 1} more)` : ''} enforces could not be read (${unknownNs.get(first)}), so whether an ephemeral container added there may be privileged is not known`);
  return notes.length > 0 ? notes.join('. ') : undefined;
}

const joinNotes = (...notes: Array<string | undefined>): string | undefined => notes.filter((n) => n !== undefined).join('. ') || undefined;

export const podExecAttach = permissionCheck({
  id: 'rbac.pod-exec-attach',
  title: 'Subject can exec, attach or port-forward into pods',
  protectsAgainst: 'subjects that can run commands in, attach to, or port-forward into running pods (reaching their data and tokens, and their node from a running container that is privileged, shares a host namespace or mounts a hostPath, or from an ephemeral container added where no Pod Security level is enforced)',
  severity: 'high',
  // Unreadable, the pods (from manifests, the workloads standing in for them) and the Namespaces'
  // Pod Security labels leave the finding saying what it could not look at (unreadNote).
  readsBestEffort: [...POWERFUL_SA_BEST_EFFORT, ...POD_VIEW_KINDS],
  controls: LEAST_PRIVILEGE,
  remediation: 'Grant pods/exec, pods/attach, pods/portforward and pods/ephemeralcontainers only to break-glass roles, in the namespaces that need them; where one needs it, limit it to the pods it needs (resourceNames), and not to a privileged, host-namespace or hostPath pod, where it reaches the node. Grant pods/ephemeralcontainers only in namespaces that enforce at least the baseline Pod Security level (pod-security.kubernetes.io/enforce), or a privileged debug container reaches the node. A subject that can only port-forward (pods/portforward) is reported at medium wherever it can: it reaches the ports of the pods, past NetworkPolicy and to listeners bound to localhost, but never their tokens or their node.',
  wanted: podExecPermissions,
  action: 'exec into, attach to, add ephemeral containers to or port-forward to pods',
  actionFor: (hits) => podAccessText(hits.map((h) => h.permission)),
  severityFor,
  noteFor: (hits, ctx, subject, grants) => joinNotes(powerfulNote(hits, ctx, subject, grants) ?? nodeNote(hits, ctx) ?? missingPodsNote(hits, ctx, subject, grants), unreadNote(hits, ctx)),
});
