// The auditor's own permissions, derived from KINDS: the one source of truth that the Helm
// chart's ClusterRole renders and the cluster tier proves sufficient. Widening what ztaudit
// reads means adding a kind to KINDS, never editing a role by hand.
//
// Decisions:
// - Verbs are `get` and `list` only. The collector takes snapshots with paginated lists and
//   never watches, so `watch` would only widen the grant.
// - ConfigMaps get `get` without `list`: they are read by name only (mesh and ingress
//   settings referenced from workloads), so the auditor cannot enumerate them. The names are
//   found at run time, so by default the rule has no resourceNames; an operator who knows
//   the names can pass them (`configMapNames`), and a name outside that list then shows as
//   'forbidden' coverage in the report rather than as silently missing data.
// - Secrets are never granted, not even by name (asserted below and by the cluster tier).
// - Discovery (/api, /apis, /version) is granted explicitly, though system:discovery already
//   grants it to every authenticated user, so the role works where that binding was removed.

import { KINDS, type KindSpec } from '../snapshot/kinds.ts';

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

export const AUDITOR_LIST_VERBS = ['get', 'list'] as const;
export const DISCOVERY_URLS = ['/api', '/api/*', '/apis', '/apis/*', '/version'] as const;

export interface AuditorRuleOptions {
  /** Restrict ConfigMap reads to these names (any namespace); default: any name. */
  configMapNames?: string[];
  /** Leave these kind keys out (for tests that prove a missing grant is reported). */
  omitKinds?: string[];
}

export function auditorClusterRoleRules(options: AuditorRuleOptions = {}): PolicyRule[] {
  const omit = new Set(options.omitKinds ?? []);
  const listedByGroup = new Map<string, string[]>();
  const byNameByGroup = new Map<string, string[]>();
  for (const k of KINDS as readonly KindSpec[]) {
    if (omit.has(k.key)) continue;
    const target = k.byNameOnly ? byNameByGroup : listedByGroup;
    const list = target.get(k.group) ?? [];
    if (!list.includes(k.resource)) list.push(k.resource);
    target.set(k.group, list);
  }
  const rules: PolicyRule[] = [];
  for (const [group, resources] of listedByGroup) {
    rules.push({ apiGroups: [group], resources: [...resources].sort(), verbs: [...AUDITOR_LIST_VERBS] });
  }
  for (const [group, resources] of byNameByGroup) {
    const rule: PolicyRule = { apiGroups: [group], resources: [...resources].sort(), verbs: ['get'] };
    if (options.configMapNames && options.configMapNames.length > 0) rule.resourceNames = [...new Set(options.configMapNames)].sort();
    rules.push(rule);
  }
  rules.push({ nonResourceURLs: [...DISCOVERY_URLS], verbs: ['get'] });
  for (const r of rules) {
    if (r.resources?.some((res) => res === 'secrets' || res === '*')) throw new Error('auditor rules must never grant Secrets');
  }
  return rules;
}
