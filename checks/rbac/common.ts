// Shared shape of the RBAC permission checks: one verdict per audited subject, failing when
// the subject's own (non-bootstrap) grants include any of the dangerous permissions.

import type { AuditContext } from '../../src/analysis/context.ts';
import type { Check } from '../../src/engine/types.ts';
import type { Severity, Verdict } from '../../src/base/vocabulary.ts';
import type { KindKey } from '../../src/snapshot/kinds.ts';
import type { Grant } from '../../src/analysis/rbac/types.ts';
import { distinct, findPermissions, hitEvidence, rbacAudit, relatedOf, scopeText, type Permission, type PermissionHit } from '../../src/analysis/rbac/audit.ts';

/** A readable message: the first few permissions, the full list stays in the evidence. */
function listSome(items: string[], max = 5): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

export const RBAC_NEEDS: KindKey[] = ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'];
/**
 * The RBAC model lists the namespaces a cluster-wide grant reaches: unreadable, it names only
 * those the bindings and roles name, and no check needs more to judge.
 */
export const RBAC_BEST_EFFORT: KindKey[] = ['namespaces'];

const viaTexts = new WeakMap<PermissionHit['binding'], string>();

/** "Binding → Role" of a hit; a (shared) binding reference always names the same role. */
function via(h: PermissionHit): string {
  let text = viaTexts.get(h.binding);
  if (text === undefined) {
    text = `${h.binding.kind} ${h.binding.namespace ? `${h.binding.namespace}/` : ''}${h.binding.name} → ${h.role.kind} ${h.role.namespace ? `${h.role.namespace}/` : ''}${h.role.name}`;
    viaTexts.set(h.binding, text);
  }
  return text;
}

export function viaText(hits: readonly PermissionHit[]): string {
  const parts = distinct(hits, via);
  return parts.length > 3 ? `${parts.slice(0, 3).join('; ')}; +${parts.length - 3} more` : parts.join('; ');
}

export interface PermissionCheckSpec extends Omit<Check, 'evaluate' | 'area' | 'needs'> {
  needs?: KindKey[];
  wanted: (ctx: AuditContext) => readonly Permission[];
  /** Only cluster-wide grants count (the resources are cluster-scoped). */
  clusterScoped?: boolean;
  /** Only grants effective in this namespace count (cluster-wide or RoleBindings there). */
  namespace?: string;
  /** What the subject can do, for the message, e.g. "read Secrets". */
  action: string;
  /** What a given failing subject can do, when its hits say more than `action`; undefined keeps `action`. */
  actionFor?: (hits: PermissionHit[]) => string | undefined;
  /** Severity for a given failing subject (its hits, and all its audited grants); undefined keeps the check's severity. */
  severityFor?: (hits: PermissionHit[], grants: readonly Grant[]) => Severity | undefined;
  /** A sentence added to a failing subject's message, e.g. what to verify before acting on it. */
  noteFor?: (hits: PermissionHit[]) => string | undefined;
}

/** Failing subjects whose reach is one namespace (not kube-system) get this lower severity. */
export function namespaceOnlySeverity(lower: Severity): (hits: PermissionHit[]) => Severity | undefined {
  return (hits) => (hits.some((h) => !h.namespace || h.namespace === 'kube-system') ? undefined : lower);
}

export function permissionCheck(spec: PermissionCheckSpec): Check {
  const { wanted, clusterScoped, namespace, action, actionFor, severityFor, noteFor, needs, ...meta } = spec;
  return {
    ...meta,
    area: 'rbac',
    needs: needs ?? RBAC_NEEDS,
    readsBestEffort: RBAC_BEST_EFFORT,
    *evaluate(ctx) {
      const audit = rbacAudit(ctx);
      const perms = wanted(ctx);
      for (const s of audit.subjects) {
        const hits = findPermissions(s.grants, perms, { clusterScoped, namespace });
        const { who, resource } = s;
        if (hits.length === 0) {
          yield { status: 'pass', resource, message: `${who} cannot ${action}` };
          continue;
        }
        const evidence = hitEvidence(hits);
        const note = noteFor?.(hits);
        const v: Verdict = {
          status: 'fail', resource,
          message: `${who} can ${actionFor?.(hits) ?? action} ${scopeText(hits)} (${listSome(evidence.permissions)}) via ${viaText(hits)}${note ? `. ${note}` : ''}`,
          evidence: { subject: s.subject, ...evidence },
          related: relatedOf(hits),
        };
        const sev = severityFor?.(hits, s.grants);
        if (sev) v.severity = sev;
        yield v;
      }
    },
  };
}

export { each, p } from './lib/permissions.ts';
