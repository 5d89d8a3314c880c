// The shape the three edge guard checks share: one verdict per exposed host of a routing object,
// passing when the guard is found, failing with what was looked at (and any malformed value).
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { exposedHosts, type ExposedHost, type GuardAnswer } from '../../../src/analysis/edge/guards.ts';
import { EDGE_ROUTE_BEST_EFFORT, EDGE_ROUTE_KINDS } from '../../../src/analysis/edge/routes.ts';
import { EDGE_GUARD_KINDS } from '../../../src/analysis/edge/guards.ts';
import { MESH_FLOW_KINDS } from '../../../src/analysis/mesh/flow-verdict.ts';
import type { KindKey } from '../../../src/snapshot/kinds.ts';

export const EDGE_NEEDS: KindKey[] = ['namespaces', 'pods', 'services', 'networkpolicies', 'ingresses'];
/**
 * The reachability model reads service account labels, which Calico and Cilium policies may select by;
 * unreadable, none are seen. Unread MiddlewareTCPs leave an IngressRouteTCP served and its guard
 * "could not be read" (EDGE_ROUTE_BEST_EFFORT). The exposure view the guards share reads the Nodes'
 * addresses for the direct ways in (exposure.ts nodeRewriteDoubt), which no route's verdict turns on.
 */
export const EDGE_BEST_EFFORT: KindKey[] = ['serviceaccounts', ...EDGE_ROUTE_BEST_EFFORT, 'nodes'];
/**
 * What the guards read when present; the by-name ConfigMaps are conditional reads of each check (the
 * controllers', Istio's mesh config), and so are the policy kinds of every API but NetworkPolicy,
 * which decide what reaches a backend only where the CNI enforces them (ENFORCED_POLICY_KINDS_READ).
 */
export const EDGE_READS: KindKey[] = [...new Set<KindKey>([...EDGE_ROUTE_KINDS, ...EDGE_GUARD_KINDS, ...MESH_FLOW_KINDS])].filter((k) => !EDGE_NEEDS.includes(k) && !EDGE_BEST_EFFORT.includes(k) && k !== 'configmaps');

export function guardVerdicts(
  ctx: AuditContext,
  what: string,
  judge: (h: ExposedHost) => GuardAnswer,
  exempt?: (h: ExposedHost) => string | undefined,
): Verdict[] {
  const out: Verdict[] = [];
  for (const h of exposedHosts(ctx.snapshot, ctx.config)) {
    const detailKey = `host/${h.host}`;
    const hostText = h.host === '*' ? 'any host' : h.host;
    const why = exempt?.(h);
    if (why) {
      out.push({ status: 'pass', resource: h.route, detailKey, message: `${hostText}: ${why}`, evidence: { host: h.host, paths: h.paths } });
      continue;
    }
    const a = judge(h);
    const evidence = { host: h.host, controller: h.controller.label, paths: h.paths, found: a.found, lookedAt: a.looked, ...(a.malformed.length ? { malformed: a.malformed } : {}), ...(a.unconfirmed?.length ? { unconfirmed: a.unconfirmed } : {}) };
    // No guard, but the host may not be served at all: no verdict (guardUnjudged names it).
    if (a.found.length === 0 && h.attachmentUnknown) continue;
    if (a.found.length === 0 && a.unconfirmed?.length) {
      // Neither a pass nor the finding the defaults would give: what decides it is not known.
      out.push({
        status: 'fail', resource: h.route, detailKey, severity: 'medium',
        message: `Whether ${hostText}, exposed through ${h.controller.label} (${h.paths[0]}${h.paths.length > 1 ? ` and ${h.paths.length - 1} more` : ''}), has ${what} cannot be confirmed: ${a.unconfirmed.join('; ')}. It is not judged on the ${h.controller.family === 'traefik' ? 'Traefik' : 'ingress-nginx'} defaults. Looked at: ${a.looked.join('; ')}.${a.malformed.length ? ` Malformed: ${a.malformed.join('; ')}.` : ''}`,
        evidence,
      });
    } else if (a.found.length > 0) {
      out.push({ status: 'pass', resource: h.route, detailKey, message: `${hostText}: ${a.found.join('; ')}${a.malformed.length ? ` (also: ${a.malformed.join('; ')})` : ''}`, evidence });
    } else {
      out.push({
        status: 'fail', resource: h.route, detailKey,
        message: `${hostText} is exposed through ${h.controller.label} (${h.paths[0]}${h.paths.length > 1 ? ` and ${h.paths.length - 1} more` : ''}) with no ${what}. Looked at: ${a.looked.join('; ')}.${a.malformed.length ? ` Malformed: ${a.malformed.join('; ')}.` : ''}`,
        evidence,
      });
    }
  }
  return out;
}

/**
 * The coverage note naming the hosts guardVerdicts leaves without a verdict: no guard found, and
 * served only through Gateway listeners that may not admit their route.
 */
export function guardUnjudged(ctx: AuditContext, judge: (h: ExposedHost) => GuardAnswer, exempt?: (h: ExposedHost) => string | undefined): string | undefined {
  const withheld = exposedHosts(ctx.snapshot, ctx.config).filter((h) => h.attachmentUnknown && !exempt?.(h) && judge(h).found.length === 0)
    .map((h) => `${h.host === '*' ? 'any host' : h.host} of ${h.route.kind} ${h.route.namespace}/${h.route.name} (${h.attachmentUnknown})`);
  return withheld.length > 0 ? `${withheld.length} host(s) are exposed only through Gateway API listeners that may not admit their route, so they are not judged: ${withheld.join('; ')}` : undefined;
}

/** Whether a host is covered by a declared public host ("shop.example.com" or "*.example.com"). */
export function publicHostMatch(host: string, declared: string[]): string | undefined {
  const h = host.toLowerCase();
  return declared.find((d) => {
    const p = d.toLowerCase();
    if (p === h) return true;
    return p.startsWith('*.') && h.endsWith(p.slice(1)) && h.length > p.length - 1;
  });
}
