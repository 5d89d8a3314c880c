import type { Verdict } from '../../src/base/vocabulary.ts';
import { rbacAudit, relatedOf, sortedDistinct } from '../../src/analysis/rbac/audit.ts';
import { bindingRef, roleRefOf } from '../../src/analysis/rbac/model.ts';
import { describeRule } from '../../src/analysis/rbac/rules.ts';
import { ruleGivesInScope } from '../../src/analysis/rbac/scope.ts';
import type { Check } from '../../src/engine/types.ts';
import { RBAC_NEEDS, isWildcardRule, ruleMembers } from './common.ts';
import { LEAST_PRIVILEGE, cis } from '../controls.ts';

export const wildcardPermission: Check = {
  id: 'rbac.wildcard-permission',
  area: 'rbac',
  title: 'Bound role grants wildcard verbs or resources',
  protectsAgainst: 'bound roles that grant wildcard verbs or resources, which silently grow with every new API',
  severity: 'high',
  controls: [cis('5.1.3'), ...LEAST_PRIVILEGE],
  remediation: 'List the verbs and resources the subject needs instead of "*"; wildcards also grant escalate, bind, impersonate and every resource added to the cluster later.',
  needs: RBAC_NEEDS,
  *evaluate(ctx) {
    for (const s of rbacAudit(ctx).subjects) {
      const grants = [];
      const members: string[] = [];
      for (const g of s.grants) {
        for (const rule of g.role.rules) {
          const wild = isWildcardRule(rule);
          // A RoleBinding's wildcard on a cluster-scoped resource or a non-resource URL gives nothing.
          if (wild && ruleGivesInScope(rule, g, ctx.snapshot)) {
            grants.push({ binding: bindingRef(g.binding), role: roleRefOf(g.role), rule: describeRule(rule), scope: g.namespace ?? 'cluster-wide' });
            members.push(...ruleMembers(rule, g.namespace));
          }
        }
      }
      const { who, resource } = s;
      if (grants.length === 0) {
        yield { status: 'pass', resource, message: `${who} holds no wildcard rule` };
        continue;
      }
      const clusterWide = grants.some((g) => g.scope === 'cluster-wide');
      const roles = [...new Set(grants.map((g) => `${g.role.kind} ${g.role.namespace ? `${g.role.namespace}/` : ''}${g.role.name}`))];
      const v: Verdict = {
        status: 'fail', resource,
        message: `${who} is granted wildcard rules ${clusterWide ? 'cluster-wide' : `in ${sortedDistinct(grants, (g) => g.scope).join(', ')}`} by ${roles.join(', ')}`,
        evidence: { subject: s.subject, grants },
        related: relatedOf(grants),
        // Per verb, not per rule as runs before 2026-12 counted them (another unit: those are not compared).
        extent: { unit: 'wildcard permissions', members },
      };
      if (!clusterWide && !grants.some((g) => g.scope === 'kube-system')) v.severity = 'medium';
      yield v;
    }
  },
};
