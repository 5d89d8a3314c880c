import type { AuditContext } from '../../src/analysis/context.ts';
import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { grantedLabels, type Permission } from '../../src/analysis/rbac/audit.ts';
import { DEFAULT_CLUSTER_ROLES, DEFAULT_CLUSTER_ROLE_BY_NAME } from '../../src/analysis/rbac/bootstrap.ts';
import { buildRbacModel, roleKey, type RbacModel } from '../../src/analysis/rbac/model.ts';
import { describeRule, ruleGrantsSome, selectorMatches } from '../../src/analysis/rbac/rules.ts';
import { ruleGivesInScope } from '../../src/analysis/rbac/scope.ts';
import type { RoleInfo, Rule } from '../../src/analysis/rbac/types.ts';
import { RBAC_NEEDS, isWildcardRule } from './common.ts';
import {
  csrApprovalPermissions, isPortForwardOnly, namespaceModificationPermissions, nodesProxyPermissions, podAccessText, podExecPermissions,
  privilegeEscalationPermissions, secretsReadPermissions, webhookWritePermissions, workloadWritePermissions,
} from './lib/permissions.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

const RBAC = 'rbac.authorization.k8s.io';
export const AGGREGATE_LABELS = [`${RBAC}/aggregate-to-admin`, `${RBAC}/aggregate-to-edit`, `${RBAC}/aggregate-to-view`] as const;

interface Danger {
  /** What the permission lets a holder do, for the message. */
  risk: string;
  /** What some of its permissions (their labels) let a holder do, when that depends on which; undefined keeps `risk`. */
  riskOf?: (permissions: readonly string[]) => string;
  control: string;
  permissions: Permission[];
}

/**
 * Permissions the apiserver authorizes without a namespace, so a RoleBinding of the extended role
 * never gives them (as in rbac.privilege-escalation). bind is checked in the namespace of the
 * binding being written, so bind on clusterroles does work through a RoleBinding (the role-binder
 * example of https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-binding-creation-or-update).
 */
const clusterOnly = (perms: Permission[]): Permission[] => perms.map((x) => ({ ...x, clusterScoped: true }));

/**
 * The permissions the RBAC permission checks look for, from their own lists (so the two cannot
 * drift), by risk. Secrets, exec, workloads and the namespace (own namespace only, for a
 * RoleBinding) are given through any binding of the extended role; the rest only cluster-wide.
 */
function dangers(ctx: AuditContext): Danger[] {
  const escalation = privilegeEscalationPermissions();
  const isPvCreate = (x: Permission) => x.resource === 'persistentvolumes';
  const isTokenRequest = (x: Permission) => x.resource === 'serviceaccounts' && x.subresource === 'token';
  return [
    { risk: 'read Secrets', control: '5.1.2', permissions: secretsReadPermissions() },
    // Worded as rbac.pod-exec-attach words it: port-forwarding is not exec.
    { risk: 'exec into pods', riskOf: podAccessText, control: '5.1.8', permissions: podExecPermissions(ctx) },
    { risk: 'escalate, bind or impersonate', control: '5.1.8', permissions: escalation.filter((x) => !isPvCreate(x) && !isTokenRequest(x)) },
    { risk: 'create PersistentVolumes', control: '5.1.9', permissions: clusterOnly(escalation.filter(isPvCreate)) },
    { risk: 'mint service account tokens', control: '5.1.13', permissions: escalation.filter(isTokenRequest) },
    { risk: 'reach the kubelet API', control: '5.1.10', permissions: clusterOnly(nodesProxyPermissions()) },
    { risk: 'approve certificate signing requests', control: '5.1.11', permissions: clusterOnly(csrApprovalPermissions()) },
    { risk: 'write admission webhooks or admission policies', control: '5.1.12', permissions: clusterOnly(webhookWritePermissions()) },
    { risk: 'create or change workloads', control: '5.1.4', permissions: workloadWritePermissions() },
    { risk: 'modify namespaces', control: '5.2.1', permissions: namespaceModificationPermissions() },
  ];
}


/**
 * A Kubernetes built-in role as the bootstrap policy makes it: filled in from the defaults, or a
 * role of a default name whose rules the default covers. A label or a system: name is no proof:
 * anyone who may create ClusterRoles can set them.
 */
function isBuiltinRole(r: RoleInfo): boolean {
  if (r.origin === 'default') return true;
  return DEFAULT_CLUSTER_ROLE_BY_NAME.has(r.name) && !r.modifiedFromDefault;
}

/**
 * The rules each built-in aggregated role (admin, edit, view) has by itself, from the bootstrap
 * policy alone: what it would grant if no custom role were aggregated in.
 */
function bootstrapAggregates(): Map<string, Rule[]> {
  const memo = new Map<string, Rule[]>();
  const resolve = (name: string, seen: Set<string>): Rule[] => {
    const done = memo.get(name);
    if (done) return done;
    const d = DEFAULT_CLUSTER_ROLE_BY_NAME.get(name);
    if (!d?.aggregateFrom) return d?.rules ?? [];
    seen.add(name);
    const rules: Rule[] = [];
    for (const other of DEFAULT_CLUSTER_ROLES) {
      if (other.name === name || seen.has(other.name)) continue;
      if (d.aggregateFrom.some((m) => selectorMatches({ matchLabels: m }, other.labels ?? {}))) rules.push(...resolve(other.name, seen));
    }
    memo.set(name, rules);
    return rules;
  };
  const out = new Map<string, Rule[]>();
  for (const d of DEFAULT_CLUSTER_ROLES) if (d.aggregateFrom) out.set(d.name, resolve(d.name, new Set()));
  return out;
}
const BUILTIN_BASELINE = bootstrapAggregates();

/** Built-in aggregated roles each role's rules flow into, directly or through another aggregated role. */
function builtinTargets(model: RbacModel): Map<string, string[]> {
  const feeds = new Map<string, string[]>(); // role name -> aggregated roles that select it
  for (const r of model.roles.values()) {
    for (const from of r.aggregatedFrom ?? []) {
      let l = feeds.get(from);
      if (!l) feeds.set(from, (l = []));
      l.push(r.name);
    }
  }
  const out = new Map<string, string[]>();
  const reach = (name: string): string[] => {
    const found = new Set<string>();
    const stack = [...(feeds.get(name) ?? [])];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (found.has(n)) continue;
      found.add(n);
      stack.push(...(feeds.get(n) ?? []));
    }
    return [...found].filter((n) => BUILTIN_BASELINE.has(n));
  };
  for (const name of feeds.keys()) out.set(name, reach(name));
  return out;
}

const WILDCARD: Danger = { risk: 'wildcard rule', control: '5.1.3', permissions: [] };

/** What a holder can do with `found`'s permissions, one phrase per kind of danger, in the order first met. */
function risksOf(found: ReadonlyArray<{ permission: string; danger: Danger }>): string[] {
  const byDanger = new Map<Danger, string[]>();
  for (const { permission, danger } of found) {
    const list = byDanger.get(danger);
    if (list) list.push(permission);
    else byDanger.set(danger, [permission]);
  }
  return [...byDanger].map(([danger, permissions]) => danger.riskOf?.(permissions) ?? danger.risk);
}

const ORDER = ['view', 'edit', 'admin'];
const and = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);
const byOrder = (a: string, b: string) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b);

export const aggregationIntoBuiltin: Check = {
  id: 'rbac.aggregation-into-builtin',
  area: 'rbac',
  title: 'Custom ClusterRole aggregates dangerous rules into admin, edit or view',
  protectsAgainst: 'custom ClusterRoles that aggregate dangerous rules into admin, edit or view, silently extending every holder of those roles',
  severity: 'high',
  controls: [cis('5.1.2'), cis('5.1.3'), cis('5.1.4'), cis('5.1.8'), cis('5.1.9'), cis('5.1.10'), cis('5.1.11'), cis('5.1.12'), cis('5.1.13'), cis('5.2.1'), ...LEAST_PRIVILEGE],
  remediation:
    'Remove the rbac.authorization.k8s.io/aggregate-to-admin|edit|view label from the ClusterRole (or drop the dangerous rules from it) and grant those permissions through a dedicated role bound only to the subjects that need them. A role that adds only port-forwarding (pods/portforward) is reported at medium, as rbac.pod-exec-attach rates it: it reaches the ports of the pods, never their tokens, a shell or their node.',
  needs: RBAC_NEEDS,
  evaluate(ctx) {
    const model = buildRbacModel(ctx.snapshot);
    const targetsOf = builtinTargets(model);
    const checks = dangers(ctx);
    const out: Verdict[] = [];
    for (const role of model.roles.values()) {
      if (role.kind !== 'ClusterRole' || isBuiltinRole(role)) continue;
      const labels = AGGREGATE_LABELS.filter((l) => role.labels[l] === 'true');
      const targets = (targetsOf.get(role.name) ?? []).sort(byOrder);
      if (labels.length === 0 && targets.length === 0) continue;
      const resource = { kind: 'ClusterRole', name: role.name };
      if (targets.length === 0) {
        out.push({ status: 'pass', resource, message: `ClusterRole ${role.name} carries ${labels.join(', ')} but no built-in role aggregates it (their aggregationRule was changed)`, evidence: { labels } });
        continue;
      }

      // Each dangerous permission the role grants, and which targets gain it (the target's own
      // bootstrap rules may already include it, e.g. secrets read in edit). `clusterScoped`: only
      // a ClusterRoleBinding of a target gives it; a wildcard entry keeps its rules to ask in which
      // namespaces a RoleBinding gives anything of it.
      type Found = { permission: string; risk: string; control: string; danger: Danger; rules: Set<string>; newFor: string[]; clusterScoped: boolean; wildcard?: Rule[] };
      const found = new Map<string, Found>();
      const add = (permission: string, d: Danger, rule: Rule, newFor: string[], clusterScoped: boolean, wildcard?: Rule) => {
        if (newFor.length === 0) return;
        let e = found.get(permission);
        if (!e) found.set(permission, (e = { permission, risk: d.riskOf?.([permission]) ?? d.risk, control: d.control, danger: d, rules: new Set(), newFor: [], clusterScoped, wildcard: wildcard ? [] : undefined }));
        e.rules.add(describeRule(rule));
        if (wildcard) e.wildcard!.push(wildcard);
        for (const t of newFor) if (!e.newFor.includes(t)) e.newFor.push(t);
      };
      for (const rule of role.rules) {
        if (isWildcardRule(rule)) add(`wildcard: ${describeRule(rule)}`, WILDCARD, rule, targets, false, rule);
        if (rule.nonResourceURLs.length > 0) continue;
        for (const d of checks) {
          for (const perm of d.permissions) {
            if (!ruleGrantsSome(rule, perm.verb, perm.group, perm.resource, perm.subresource)) continue;
            const newFor = targets.filter((t) => !(BUILTIN_BASELINE.get(t) ?? []).some((b) => ruleGrantsSome(b, perm.verb, perm.group, perm.resource, perm.subresource)));
            for (const label of grantedLabels(perm, rule)) add(label, d, rule, newFor, perm.clusterScoped === true);
          }
        }
      }

      const into = and(targets);
      if (found.size === 0) {
        const bindings: Record<string, number> = {};
        for (const t of targets) bindings[t] = model.byRole.get(roleKey('ClusterRole', t))?.length ?? 0;
        out.push({ status: 'pass', resource, message: `ClusterRole ${role.name} aggregates into ${into}, and adds no dangerous permission to them`, evidence: { labels, targets, bindings } });
        continue;
      }
      const dangerous = [...found.values()].sort((a, b) => a.permission.localeCompare(b.permission));
      const risks = risksOf(dangerous);
      const extended = targets.filter((t) => dangerous.some((d) => d.newFor.includes(t)));
      // The holders it reaches: bindings of the targets it extends that can give what it adds
      // there. A RoleBinding's request carries its namespace, so it gives none of a cluster-scoped
      // addition (reference checks.md §3.1; VisitRulesFor, kubernetes pkg/registry/rbac/validation/rule.go).
      const bindings: Record<string, number> = {};
      const roleBindingsLeftOut: Record<string, number> = {};
      for (const t of extended) {
        const added = dangerous.filter((d) => d.newFor.includes(t));
        const everyBinding = added.some((d) => !d.clusterScoped && !d.wildcard);
        const givesIn = (ns: string) => everyBinding || added.some((d) => d.wildcard?.some((r) => ruleGivesInScope(r, { namespace: ns }, ctx.snapshot)));
        let n = 0;
        let left = 0;
        for (const b of model.byRole.get(roleKey('ClusterRole', t)) ?? []) {
          if (b.kind === 'ClusterRoleBinding' || givesIn(b.namespace!)) n++;
          else left++;
        }
        bindings[t] = n;
        if (left > 0) roleBindingsLeftOut[t] = left;
      }
      const totalBindings = Object.values(bindings).reduce((a, b) => a + b, 0);
      const leftOut = Object.values(roleBindingsLeftOut).reduce((a, b) => a + b, 0);
      const clusterWideOnly = dangerous.every((d) => d.clusterScoped);
      const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
      const holders = (totalBindings === 0
        ? `no ${clusterWideOnly ? 'ClusterRoleBinding' : 'binding'} grants them yet, so the next one will`
        : `${plural(totalBindings, clusterWideOnly ? 'ClusterRoleBinding grants' : 'binding grants', clusterWideOnly ? 'ClusterRoleBindings grant' : 'bindings grant')} them (${extended.map((t) => `${t}: ${bindings[t]}`).join(', ')})`)
        + (leftOut > 0 ? ` (${plural(leftOut, 'RoleBinding', 'RoleBindings')} of ${and(Object.keys(roleBindingsLeftOut))} left out: a RoleBinding cannot give cluster-scoped permissions)` : '');
      const shown = dangerous.slice(0, 5).map((d) => d.permission).join(', ') + (dangerous.length > 5 ? ` and ${dangerous.length - 5} more` : '');
      const v: Verdict = {
        status: 'fail', resource,
        message: `ClusterRole ${role.name} aggregates into ${into}, so every holder of ${and(extended)}${clusterWideOnly ? ' through a ClusterRoleBinding' : ''} can ${and(risks)} (${shown}); ${holders}`,
        evidence: {
          labels,
          targets,
          extended,
          dangerousPermissions: dangerous.map(({ wildcard: _, danger: __, clusterScoped, ...e }) => ({ ...e, rules: [...e.rules], newFor: e.newFor.sort(byOrder), ...(clusterScoped ? { clusterScoped } : {}) })),
          bindings,
          ...(leftOut > 0 ? { roleBindingsLeftOut } : {}),
          totalBindings,
          controls: [...new Set(dangerous.map((d) => cis(d.control)))].sort(),
        },
      };
      // Nobody holds the extended roles yet: latent, not yet exercised. Port-forwarding alone
      // reaches pods' ports, never their tokens, a shell or their node: medium, as
      // rbac.pod-exec-attach rates it wherever it is held.
      if (totalBindings === 0 || dangerous.every((d) => isPortForwardOnly(d.permission))) v.severity = 'medium';
      out.push(v);
    }
    return out.sort((a, b) => a.resource.name.localeCompare(b.resource.name));
  },
};
