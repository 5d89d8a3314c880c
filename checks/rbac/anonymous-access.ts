import type { Check } from '../../src/engine/types.ts';
import type { Severity, Verdict } from '../../src/base/vocabulary.ts';
import { rbacAudit, formatSubject, relatedOf, subjectResource } from '../../src/analysis/rbac/audit.ts';
import { DISCOVERY_PATHS, UNAUTHENTICATED_DISCOVERY_PATHS } from '../../src/analysis/rbac/bootstrap.ts';
import { bindingRef, roleRefOf } from '../../src/analysis/rbac/model.ts';
import { describeRule, ruleAllowsNonResource, verbMatches } from '../../src/analysis/rbac/rules.ts';
import { ruleGivesInScope } from '../../src/analysis/rbac/scope.ts';
import type { Rule, Subject } from '../../src/analysis/rbac/types.ts';
import { RBAC_NEEDS, ruleMembers } from './common.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

/**
 * The audiences judged, how bad a grant beyond discovery is for each, and what discovery is for
 * it: requests without credentials get only the health and version endpoints by default
 * (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles), so /api, /apis
 * and /openapi opened to them are access, not discovery (reviewer repro t5).
 */
const AUDIENCES: Array<{ subject: Subject; severity: Severity; who: string; discovery: readonly Rule[] }> = [
  { subject: { kind: 'User', name: 'system:anonymous' }, severity: 'critical', who: 'anyone without credentials', discovery: UNAUTHENTICATED_DISCOVERY_PATHS },
  { subject: { kind: 'Group', name: 'system:unauthenticated' }, severity: 'critical', who: 'anyone without credentials', discovery: UNAUTHENTICATED_DISCOVERY_PATHS },
  { subject: { kind: 'Group', name: 'system:authenticated' }, severity: 'medium', who: 'every authenticated user and service account', discovery: DISCOVERY_PATHS },
  { subject: { kind: 'Group', name: 'system:serviceaccounts' }, severity: 'medium', who: 'every service account in the cluster', discovery: DISCOVERY_PATHS },
];

/** How `path` ends for RBAC: a trailing run of '*' is a prefix (nonResourceURLMatches), any other '*' a literal. */
function trailingStarPrefix(path: string): string | undefined {
  if (!path.endsWith('*')) return undefined;
  let end = path.length;
  while (end > 0 && path[end - 1] === '*') end--;
  return path.slice(0, end);
}

/**
 * Discovery: only requests the non-resource paths the bootstrap policy already opens to every
 * authenticated user (or `paths`) allow too, wildcards included: system:discovery's own `/apis/*`
 * is within DISCOVERY_PATHS, `/ap*` or `*` is not.
 */
export function isDiscoveryOnly(rule: Rule, paths: readonly Rule[] = DISCOVERY_PATHS): boolean {
  if (rule.nonResourceURLs.length === 0) return false;
  return rule.verbs.every((verb) => rule.nonResourceURLs.every((path) => {
    const prefix = trailingStarPrefix(path);
    if (prefix === undefined) return paths.some((d) => ruleAllowsNonResource(d, { verb, path }));
    return paths.some((d) => verbMatches(d, verb) && d.nonResourceURLs.some((u) => {
      const covers = trailingStarPrefix(u);
      return covers !== undefined && prefix.startsWith(covers);
    }));
  }));
}

/**
 * Opening only what system:discovery opens to authenticated users is a lesser grant than the rest:
 * clusters upgraded from before Kubernetes 1.14 keep system:discovery bound to
 * system:unauthenticated (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles).
 */
const DISCOVERY_OPEN_SEVERITY: Severity = 'medium';

export const anonymousAccess: Check = {
  id: 'rbac.anonymous-access',
  area: 'rbac',
  title: 'Anonymous or all-users access beyond discovery',
  protectsAgainst: 'RBAC grants to everyone: unauthenticated requests (system:anonymous, system:unauthenticated), every authenticated identity, or every service account',
  severity: 'critical',
  controls: [cis('5.1.1'), ...LEAST_PRIVILEGE, 'NIST-800-53:AC-14'],
  remediation: 'Remove bindings that name system:anonymous, system:unauthenticated, system:authenticated or system:serviceaccounts, and bind the specific users, groups or service accounts that need the access. A grant beyond discovery to anyone without credentials (system:anonymous, system:unauthenticated) is reported at critical. A grant to every authenticated identity (system:authenticated) or every service account (system:serviceaccounts) is reported at medium: the other RBAC checks report those groups too, each at the severity of what the grant allows (reading Secrets, exec, minting tokens, cluster-admin). A grant to unauthenticated users of only the API discovery paths system:discovery opens to authenticated users (/api, /apis, /openapi: clusters upgraded from before Kubernetes 1.14 keep system:discovery bound to system:unauthenticated) is reported at medium: remove system:unauthenticated from that binding.',
  needs: RBAC_NEEDS,
  evaluate(ctx) {
    const audited = new Map(rbacAudit(ctx).subjects.map((s) => [formatSubject(s.subject), s]));
    const out: Verdict[] = [];
    for (const a of AUDIENCES) {
      const s = audited.get(formatSubject(a.subject));
      const grants = [];
      const rules: Rule[] = [];
      const members: string[] = [];
      for (const g of s?.grants ?? []) {
        for (const rule of g.role.rules) {
          // A RoleBinding's non-resource and cluster-scoped rules give the audience nothing.
          if (!isDiscoveryOnly(rule, a.discovery) && ruleGivesInScope(rule, g, ctx.snapshot)) {
            grants.push({ binding: bindingRef(g.binding), role: roleRefOf(g.role), rule: describeRule(rule), scope: g.namespace ?? 'cluster-wide' });
            rules.push(rule);
            members.push(...ruleMembers(rule, g.namespace));
          }
        }
      }
      const who = formatSubject(a.subject);
      if (grants.length === 0) {
        out.push({ status: 'pass', resource: subjectResource(a.subject), message: `${who} has no access beyond the default discovery endpoints` });
        continue;
      }
      const bindings = [...new Set(grants.map((g) => `${g.binding.kind} ${g.binding.namespace ? `${g.binding.namespace}/` : ''}${g.binding.name}`))];
      const discoveryOnly = a.discovery === UNAUTHENTICATED_DISCOVERY_PATHS && rules.every((r) => isDiscoveryOnly(r, DISCOVERY_PATHS));
      out.push({
        status: 'fail', resource: subjectResource(a.subject), severity: discoveryOnly ? DISCOVERY_OPEN_SEVERITY : a.severity,
        message: discoveryOnly
          ? `API discovery (/api, /apis, /openapi) open to unauthenticated users: ${who} (${a.who}) is granted only paths system:discovery opens to authenticated users, by ${bindings.join(', ')}`
          : `${who} (${a.who}) is granted ${grants.length} rule${grants.length === 1 ? '' : 's'} beyond discovery by ${bindings.join(', ')}`,
        evidence: { subject: a.subject, grants },
        related: relatedOf(grants),
        // Per verb, not per rule as runs before 2026-12 counted them (another unit: those are not compared).
        extent: { unit: 'permissions', members },
      });
    }
    return out;
  },
};
