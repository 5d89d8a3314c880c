import type { PermissionHit } from '../../src/analysis/rbac/audit.ts';
import { POWERFUL_SA_BEST_EFFORT, permissionCheck, powerfulOthersIn, powerfulOthersNote } from './common.ts';
import { applyCreateHits, applyCreateText, changeReaches, namedChangeOf, namedWorkloadsIn } from './lib/named-workloads.ts';
import type { AuditContext } from '../../src/analysis/context.ts';
import { workloadWritePermissions } from './lib/permissions.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

// The id keeps the name of its first scope, kube-system: check ids are a public contract, and
// a powerful service account's namespace is the same risk (a way to that account's permissions).
const inKubeSystem = (hits: PermissionHit[]) => hits.every((h) => !h.namespace || h.namespace === 'kube-system');

/**
 * A change (update, patch) limited by resourceNames counts only where a workload it names may
 * exist (changeReaches, shared with rbac.privilege-escalation): in its namespace, or, held
 * cluster-wide, in kube-system or a namespace holding a powerful account. A cluster-wide one that
 * a complete live listing shows to reach only some namespaces is kept as a hit in each of those
 * that count, so the finding names them (and their powerful accounts), not kube-system.
 */
const reachesSomething: NonNullable<Parameters<typeof permissionCheck>[0]['keepHits']> = (hits, grants, ctx, subject) => {
  const out: PermissionHit[] = [];
  for (const h of hits) {
    const where = changeReaches(ctx.snapshot, h);
    if (where === 'any') out.push(h);
    else if (h.namespace) { if (where.length > 0) out.push(h); }
    else for (const ns of where) if (ns === 'kube-system' || powerfulOthersIn(ns, subject, grants, ctx) !== undefined) out.push({ ...h, namespace: ns });
  }
  return out;
};

/**
 * "patch deployments.apps changes only Deployment apps/web, which its resourceNames name" for each
 * named change among `hits`, and for each create by server-side apply what it creates and when
 * (applyCreateText).
 */
function namedChangesText(hits: readonly PermissionHit[], ctx: AuditContext): string | undefined {
  let parts: Set<string> | undefined;
  for (const h of hits) {
    if (h.ruleObj.resourceNames.length === 0) continue;
    const apply = applyCreateText(ctx.snapshot, h);
    if (apply !== undefined) {
      (parts ??= new Set()).add(apply);
      continue;
    }
    if (!h.namespace) continue;
    const change = namedChangeOf(h);
    if (!change) continue;
    const what = namedWorkloadsIn(ctx.snapshot, change.resource, h.ruleObj.resourceNames, h.namespace);
    if (what !== 'none') (parts ??= new Set()).add(`${h.permission} changes ${what}`);
  }
  if (!parts) return undefined;
  const list = [...parts];
  return list.slice(0, 3).join('; ') + (list.length > 3 ? `; +${list.length - 3} more` : '');
}

const powerfulNote = powerfulOthersNote('kube-system', (plural) => `a workload created there can run as ${plural ? 'them' : 'it'} and use ${plural ? 'their' : 'its'} permissions`);

export const workloadCreateKubeSystem = permissionCheck({
  id: 'rbac.workload-create-kube-system',
  title: 'Subject can create workloads in kube-system or a namespace whose service accounts hold dangerous permissions cluster-wide or in kube-system',
  protectsAgainst: 'subjects that can create or change workloads in kube-system, which run with control-plane service accounts and secrets, or in another namespace holding a service account with dangerous permissions cluster-wide or in kube-system (cluster-admin, reading Secrets, exec, token minting, creating workloads in kube-system, …): a pod created there can run as that account and use its permissions',
  severity: 'high',
  readsBestEffort: POWERFUL_SA_BEST_EFFORT,
  controls: [cis('5.1.4'), ...LEAST_PRIVILEGE],
  remediation: 'Remove create/update/patch on pods and workload controllers in kube-system (and cluster-wide) from non-platform subjects; deploy add-ons through a dedicated pipeline identity. In a namespace whose service accounts hold dangerous permissions cluster-wide or in kube-system (the finding names them), either remove those permissions from the accounts (or move the accounts to a namespace of their own that only their owners can deploy to), or limit workload creation there to the accounts\' owners. An update or patch limited by resourceNames counts only where a workload it names exists (from manifests, or a listing that could not be read, it may; a workload being deleted does not count), and a create limited by resourceNames only with patch on one of those names, from any of the subject\'s bindings or its groups\' (a server-side apply creates it where it does not exist; where a complete live listing shows it, the pair only patches it).',
  wanted: workloadWritePermissions,
  // Creating by server-side apply: create limited by resourceNames with patch on those names, the
  // two halves from any of the subject's bindings or its groups'.
  moreHits: applyCreateHits,
  keepHits: reachesSomething,
  namespace: 'kube-system',
  orWherePowerfulServiceAccounts: true,
  action: 'create or change workloads in kube-system or in a namespace whose service accounts hold dangerous permissions cluster-wide or in kube-system',
  // Findings of kube-system (or cluster-wide) alone keep their wording; a powerful namespace is named in the note.
  actionFor: (hits) => (inKubeSystem(hits) ? 'create or change workloads in kube-system' : 'create or change workloads'),
  // A change limited by resourceNames names the workloads it changes.
  noteFor: (hits, ctx, subject, grants) => {
    const notes = [powerfulNote(hits, ctx, subject, grants), namedChangesText(hits, ctx)].filter((x) => x !== undefined);
    return notes.length > 0 ? notes.join('. ') : undefined;
  },
});
