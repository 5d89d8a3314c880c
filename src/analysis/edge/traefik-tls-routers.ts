// The Traefik routers that terminate TLS, and so take a TLSOption: what Traefik serves of its
// IngressRoutes, IngressRouteTCPs and Ingresses, refused routes left out as edgeRoutes finds them
// (a router Traefik does not build uses no TLSOption). Here, not in tls/traefik.ts, as edgeRoutes
// reads that module.

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KindKey } from '../../snapshot/kinds.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { memoize } from '../memo.ts';
import { arr, obj, str } from '../mesh/util.ts';
import { servedByTraefik, TRAEFIK_TCP_ROUTE_KEYS, traefikProvidersFor, traefikCrdCounts, traefikCrdProvidersFor, traefikCrdProvidersOf, traefikCrdProvidersResolving, traefikCrdSees, traefikEntryPoints, traefikRouterTls, traefikTlsOptions } from '../tls/traefik.ts';
import { refString } from '../workloads.ts';
import { EDGE_ROUTE_BEST_EFFORT, EDGE_ROUTE_KINDS, edgeRoutes } from './routes.ts';

/**
 * The kinds traefikBuildsRouter reads through edgeRoutes (every route kind, the Middlewares and
 * MiddlewareTCPs a refusal rests on): checks asking it list them in `readsBestEffort`, since an
 * unread kind only refuses fewer routes, so counts more routers as TLSOption users, never fewer.
 */
export const TRAEFIK_ROUTER_REFUSAL_KINDS: readonly KindKey[] = [...EDGE_ROUTE_KINDS, ...EDGE_ROUTE_BEST_EFFORT, 'traefik.middlewares', 'traefik-legacy.middlewares'];

/**
 * Whether Traefik builds a router for this Ingress, IngressRoute or IngressRouteTCP, by edgeRoutes'
 * refusals (a missing Middleware or MiddlewareTCP, a cross-namespace reference without
 * allowCrossNamespace, a chain it cannot build, a TCP rule it rejects): an Ingress it refuses builds
 * none; an IngressRoute(TCP) builds one per route it does not refuse (Traefik loops over
 * spec.routes, skipping each it cannot build: pkg/provider/kubernetes/crd/kubernetes_http.go and
 * kubernetes_tcp.go, v3.6.x), so it builds none when it refuses each of its routes.
 */
export function traefikBuildsRouter(snapshot: Snapshot, o: KubeObject): boolean {
  const { refused } = edgeRoutes(snapshot);
  if (refused.size === 0) return true;
  if (refused.has(o)) return false;
  const routes = arr(obj(o.spec)?.routes);
  return routes.length === 0 || routes.some((r) => !refused.has(r));
}

/**
 * Per Traefik workload (refString of its ref; '' for the stand-in with Traefik's defaults when the
 * snapshot has none), the first router it serves that terminates TLS, named ("Ingress shop/web
 * (tls)"); a workload serving none is absent. Traefik's default TLS option (a TLSOption named
 * "default", else its built-in default) applies only to TLS routers without options of their own
 * (https://doc.traefik.io/traefik/reference/routing-configuration/http/tls/tls-options/): with no
 * TLS router, nothing uses it. A TLS router is an Ingress Traefik serves with spec.tls or a
 * router.tls annotation, an IngressRoute with a tls section (even empty), or any router on an
 * entryPoint with TLS (entrypoints.<name>.http.tls, from its arguments, environment or configuration
 * file) of that workload. A workload configured by a file ztaudit cannot read may set entryPoint TLS
 * there, unseen: it counts as having one. An IngressRouteTCP with a tls
 * section terminates TLS unless tls.passthrough is true (see traefikTcpPassthroughRoutes). Each
 * router counts for the Traefiks that load it only: an IngressRoute or IngressRouteTCP for the CRD
 * providers taking its class and watching its namespace (traefikCrdProvidersFor), an Ingress for the
 * Ingress providers serving it (traefikProvidersFor), so one Traefik's TLS router says nothing about
 * another's default TLS option. A route Traefik refuses (traefikBuildsRouter) is no router. One pass
 * over the routes, stopping once every workload has one.
 */
export const traefikTlsRouters = memoize((snapshot: Snapshot): Map<string, string> => {
  const out = new Map<string, string>();
  const eps = traefikEntryPoints(snapshot);
  for (const f of eps.fromFile) if (!out.has(refString(f.workload))) out.set(refString(f.workload), `${refString(f.workload)} reads a configuration file ztaudit cannot read (${f.why}), whose entryPoint TLS is not seen`);
  for (const [id, ep] of eps.tlsEntryPointOf) if (!out.has(id)) out.set(id, ep);
  const want = eps.workloads.length === 0 ? 1 : new Set(eps.workloads.map(refString)).size;
  const keyOf = (ref: ResourceRef | undefined) => (ref ? refString(ref) : '');
  // Records `what` for each provider lacking a TLS router; asks whether Traefik builds the route only when one lacks it.
  const record = (refs: Array<ResourceRef | undefined>, o: KubeObject, what: () => string) => {
    const lacking = refs.map(keyOf).filter((k) => !out.has(k));
    if (lacking.length === 0 || !traefikBuildsRouter(snapshot, o)) return;
    const text = what();
    for (const k of lacking) out.set(k, text);
  };
  const crd = (keys: readonly KindKey[], kind: string, terminates: (tls: unknown) => boolean) => {
    for (const key of keys) {
      for (const r of snapshot.resources[key] ?? []) {
        if (out.size >= want) return;
        const tls = obj(r.spec)?.tls;
        if (tls === undefined || tls === null || !terminates(tls)) continue;
        record(traefikCrdProvidersFor(snapshot, r).map((p) => p.ref), r, () => `${kind} ${r.metadata?.namespace ?? 'default'}/${r.metadata?.name ?? ''} (tls)`);
      }
    }
  };
  crd(['traefik.ingressroutes', 'traefik-legacy.ingressroutes'], 'IngressRoute', () => true);
  crd(TRAEFIK_TCP_ROUTE_KEYS, 'IngressRouteTCP', (tls) => obj(tls)?.passthrough !== true);
  for (const ing of snapshot.resources.ingresses ?? []) {
    if (out.size >= want) break;
    const tls = arr(obj(ing.spec)?.tls).length > 0 ? 'spec.tls' : traefikRouterTls(ing);
    if (!tls) continue;
    record(traefikProvidersFor(snapshot, ing).map((p) => p.ref), ing, () => `Ingress ${ing.metadata?.namespace ?? 'default'}/${ing.metadata?.name ?? ''} (${tls})`);
  }
  return out;
}, 'tls');

/** The first TLS router the Traefik workload `ref` serves (traefikTlsRouters); with `ref` undefined, the Traefik standing in when the snapshot has none. */
export function traefikTlsRouterOf(snapshot: Snapshot, ref: ResourceRef | undefined): string | undefined {
  return traefikTlsRouters(snapshot).get(ref ? refString(ref) : '');
}

/** Some Traefik router of the snapshot that terminates TLS (traefikTlsRouters), or undefined when none does. */
export function traefikTlsRouter(snapshot: Snapshot): string | undefined {
  return traefikTlsRouters(snapshot).values().next().value;
}


/** The routers of the snapshot that use one TLSOption: at most `cap` of them named, and how many in all. */
export interface TraefikTlsOptionUsers {
  /** "IngressRoute shop/web", "IngressRouteTCP db/postgres", "Ingress shop/api", at most TLS_OPTION_USERS_CAP. */
  routes: string[];
  total: number;
  /** Routers naming it (or, for "default", naming none) that no Traefik reading it serves (traefikCrdCounts), left out of `routes` and `total`. */
  unread: number;
}

export const TLS_OPTION_USERS_CAP = 10;

/**
 * Which Traefik routers use each TLSOption ("namespace/name"), so its findings can name them:
 * an IngressRoute's or a TLS-terminating IngressRouteTCP's spec.tls.options (its namespace
 * defaulting to the route's: https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/http/ingressroute/,
 * tls.options), an Ingress's traefik.ingress.kubernetes.io/router.tls.options naming
 * "<resource-namespace>-<resource-name>@kubernetescrd" (https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/tls/tlsoption/);
 * a TLS router naming none takes the TLSOption named "default" (https://doc.traefik.io/traefik/reference/routing-configuration/http/tls/tls-options/),
 * listed under the key "default". Only routers a Traefik of the snapshot serves count
 * (traefikCrdProvidersFor, servedByTraefik), and builds (traefikBuildsRouter): a refused route uses no TLSOption. Built once: every TLSOption's finding looks itself up.
 * Whether the Traefik serving a router reads the TLSOption itself is asked per option (traefikTlsOptionUsersOf).
 * An entryPoint's http.tls.options ("<namespace>-<name>@kubernetescrd") is used by every router on
 * it without a TLS section of its own (pkg/server/aggregator.go@v3.3.4 applyModel, `if cp.TLS ==
 * nil { cp.TLS = m.TLS }`): listed as that entryPoint of that Traefik workload, read by its CRD provider.
 */
export const traefikTlsOptionUsers = memoize((snapshot: Snapshot): Map<string, TraefikTlsOptionUser[]> => {
  const users = new Map<string, TraefikTlsOptionUser[]>();
  const named = new Map<string, Set<string>>();
  const add = (key: string, route: string, by: { object: KubeObject } | { workload: ResourceRef }) => {
    let seen = named.get(key);
    if (!seen) named.set(key, (seen = new Set()));
    if (seen.has(route)) return;
    seen.add(route);
    const l = users.get(key);
    if (!l) users.set(key, [{ route, ...by }]);
    else l.push({ route, ...by });
  };
  const crd = (kind: string, keys: readonly KindKey[], terminates: (tls: Record<string, unknown>) => boolean) => {
    for (const key of keys) {
      for (const r of snapshot.resources[key] ?? []) {
        const tls = obj(obj(r.spec)?.tls);
        if (!tls || !terminates(tls) || traefikCrdProvidersFor(snapshot, r).length === 0 || !traefikBuildsRouter(snapshot, r)) continue;
        const ns = r.metadata?.namespace ?? 'default';
        const route = `${kind} ${ns}/${r.metadata?.name ?? ''}`;
        const o = obj(tls.options);
        const name = str(o?.name);
        add(name ? `${str(o?.namespace) ?? ns}/${name}` : 'default', route, { object: r });
      }
    }
  };
  crd('IngressRoute', ['traefik.ingressroutes', 'traefik-legacy.ingressroutes'], () => true);
  crd('IngressRouteTCP', TRAEFIK_TCP_ROUTE_KEYS, (tls) => tls.passthrough !== true);
  const ids = new Map<string, string>();
  for (const o of traefikTlsOptions(snapshot).options) ids.set(`${o.metadata?.namespace ?? 'default'}-${o.metadata?.name ?? ''}`, `${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`);
  for (const ing of snapshot.resources.ingresses ?? []) {
    const tls = arr(obj(ing.spec)?.tls).length > 0 || traefikRouterTls(ing) !== undefined;
    if (!tls || !servedByTraefik(snapshot, ing) || !traefikBuildsRouter(snapshot, ing)) continue;
    const route = `Ingress ${ing.metadata?.namespace ?? 'default'}/${ing.metadata?.name ?? ''}`;
    const named = ing.metadata?.annotations?.['traefik.ingress.kubernetes.io/router.tls.options'];
    if (named === undefined) { add('default', route, { object: ing }); continue; }
    const m = /^(.*)@kubernetescrd$/.exec(named.trim());
    const id = m ? ids.get(m[1]) : undefined;
    if (id) add(id, route, { object: ing });
  }
  for (const t of traefikEntryPoints(snapshot).tlsOptions) {
    const m = /^(.*)@kubernetescrd$/.exec(t.option.trim());
    const id = m ? ids.get(m[1]!) : undefined;
    if (id) add(id, `entryPoint ${t.entryPoint} of ${refString(t.workload)} (${t.flag}: its routers without a TLS section of their own)`, { workload: t.workload });
  }
  return users;
}, 'tls');

/** A router naming a TLSOption (its routing object), or an entryPoint's http.tls.options (its Traefik workload). */
type TraefikTlsOptionUser = { route: string } & ({ object: KubeObject } | { workload: ResourceRef });

/**
 * The routers using this TLSOption (the "default" one: also every TLS router naming none), capped.
 * A router counts only when a Traefik resolving it reads this very TLSOption (traefikCrdCounts, the
 * rule the edge guards apply to a client-certificate TLSOption: a TLSOption of an API group its known
 * release does not read, or of a namespace it does not watch, never counts; under a release not
 * known one of the route's own group, or traefik.io for an Ingress, does): Traefik builds its TLS
 * options from the CRDs its provider reads (pkg/provider/kubernetes/crd/kubernetes.go buildTLSOptions),
 * so a router of a Traefik that does not read it takes other options.
 */
export function traefikTlsOptionUsersOf(snapshot: Snapshot, option: KubeObject): TraefikTlsOptionUsers {
  const all = traefikTlsOptionUsers(snapshot);
  const id = `${option.metadata?.namespace ?? 'default'}/${option.metadata?.name ?? ''}`;
  const list = [...(all.get(id) ?? []), ...(option.metadata?.name === 'default' ? all.get('default') ?? [] : [])];
  const seen = new Set<string>();
  const unique: string[] = [];
  let unread = 0;
  for (const user of list) {
    const { route } = user;
    if (seen.has(route)) continue;
    seen.add(route);
    const read = 'object' in user
      ? traefikCrdProvidersResolving(snapshot, user.object).some((p) => traefikCrdCounts(p, option, user.object).sees === true)
      : traefikCrdProvidersOf(snapshot, user.workload).some((p) => traefikCrdSees(p, option).sees === true);
    if (read) unique.push(route);
    else unread++;
  }
  return { routes: unique.slice(0, TLS_OPTION_USERS_CAP), total: unique.length, unread };
}
