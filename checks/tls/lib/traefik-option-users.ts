// The routers a Traefik TLSOption's finding names: the finding stays on the TLSOption (one
// configuration, one fix), but a reviewer sees which routes take it. The route kinds are read
// best-effort: unreadable, the finding says which routes it could not look at.
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { KindKey } from '../../../src/snapshot/kinds.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { traefikTlsOptionUsersOf } from '../../../src/analysis/edge/traefik-tls-routers.ts';
import { traefikOptionScope, traefikTlsOptions } from '../../../src/analysis/tls/index.ts';

/** The kinds whose objects may name a TLSOption (Ingresses are read by both checks anyway). */
export const TLS_OPTION_USER_KINDS: KindKey[] = ['traefik.ingressroutes', 'traefik-legacy.ingressroutes', 'traefik.ingressroutetcps', 'traefik-legacy.ingressroutetcps'];

/** The sentence naming the routers that use `option` (capped), and the same as evidence. */
export function tlsOptionUsers(ctx: AuditContext, option: KubeObject): { text: string; evidence: Record<string, unknown> } {
  const { routes, total, unread: notRead } = traefikTlsOptionUsersOf(ctx.snapshot, option);
  const unread = [...TLS_OPTION_USER_KINDS, 'ingresses' as const].filter((k) => !['ok', 'absent'].includes(ctx.snapshot.coverage[k]?.status ?? 'absent'));
  const missing = unread.length ? ` (${unread.join(', ')} could not be read, so routers there that use it are not named)` : '';
  const isDefault = option.metadata?.name === 'default';
  // Routers naming it whose Traefik is not known to read it (traefikCrdCounts: its API group, its
  // namespace) are not its users; with none left, it is defined but not known to be used.
  const elsewhere = notRead ? ` ${notRead} router${notRead > 1 ? 's' : ''} ${isDefault ? 'that would take it' : 'naming it'} ${notRead > 1 ? 'are' : 'is'} served only by Traefiks not known to read this TLSOption (its API group by their release, or its namespace), so ${notRead > 1 ? 'they are' : 'it is'} not counted as using it.` : '';
  const text = total === 0
    ? (notRead ? ` No Traefik known to read it serves a router using it: it is defined but not known to be used.${elsewhere}${missing ? ` ${missing.trim()}.` : ''}`
      : isDefault ? (missing ? ` No TLS router of the snapshot was found without TLS options of its own${missing}.` : '') : ` No router of the snapshot names it${missing}.`)
    : ` Routers using it${isDefault ? ' (naming it, or naming no TLS options)' : ''}: ${routes.join(', ')}${total > routes.length ? ` and ${total - routes.length} more` : ''}${missing}.${elsewhere}`;
  return { text, evidence: { usedBy: routes, usedByCount: total, ...(notRead ? { routersNotKnownToReadIt: notRead } : {}), ...(unread.length ? { usersUnread: unread } : {}) } };
}

/**
 * The TLSOptions no Traefik of the snapshot loads (traefikOptionScope `unloaded`), for the coverage
 * note: they are not judged, since no router can use them, and not passed either.
 */
export function traefikUnloadedOptions(ctx: AuditContext): string[] {
  const out: string[] = [];
  for (const o of traefikTlsOptions(ctx.snapshot).options) {
    const { unloaded } = traefikOptionScope(ctx.snapshot, o);
    if (unloaded !== undefined) out.push(`TLSOption ${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''} (${unloaded})`);
  }
  return out.length ? [`${out.length} Traefik TLSOption(s) are loaded by no Traefik of the input, so no router uses them and they are not judged: ${out.join(', ')}`] : [];
}
