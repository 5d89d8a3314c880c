// What stands in front of each exposed host: authentication, a rate limit, a WAF, as each edge
// controller expresses them (ingress-nginx annotations and controller ConfigMap, Traefik
// Middlewares, Istio RequestAuthentication/AuthorizationPolicy/EnvoyFilter, Envoy Gateway
// SecurityPolicy/BackendTrafficPolicy, Contour HTTPProxy policies). Every answer lists what was
// looked at, so a finding can say why nothing counted; a malformed value is reported, never
// thrown. Only hosts with a path the network model leaves open are judged (netpol/exposure.ts).

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KindKey } from '../../snapshot/kinds.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import type { Config } from '../../config/types.ts';
import { memoize } from '../memo.ts';
import { arr, memoizeBySnapshotAndConfig, obj, str, stringMap, type Json } from '../mesh/util.ts';
import { effectiveExposure } from './effective-exposure.ts';
import { configMapData, nginxAnnotationBool, nginxAnnotationGroups, nginxBool, nginxImageVersion, NGINX_ANNOTATION_PREFIX, nginxIngressDoubt, nginxNoConfigMap, servedByIngressNginx, type NginxController } from '../tls/nginx.ts';
import { ingressTlsHostCovers, istioHostSubsetOf } from '../tls/hosts.ts';
import { traefikCrdCounts, traefikCrdGroupOf, traefikCrdProvidersOf, traefikCrdProvidersResolving, traefikCrdSees, traefikCrossNamespace, traefikAttachedEntryPoints, traefikEntryPoints, traefikFilesUnread, traefikNamedEntryPoints, traefikCrossRefusal, traefikMiddlewareIndex, traefikRouterTls, traefikTcpMiddlewareOf, traefikTlsOptions, TRAEFIK_TLS_OPTION_KEYS, type TraefikTcpMiddleware } from '../tls/traefik.ts';
import { refString, templatesStandIn, workloadsOf, type Workload } from '../workloads.ts';
import { istioPolicySelects, parseAuthorizationPolicy, type AuthzRule, type ParsedAuthzPolicy } from '../mesh/authz.ts';
import { selectorMatches } from '../mesh/istio.ts';
import { istioStringMatch } from '../mesh/istio-authz.ts';
import { gatewaysNotEnvoyGateway } from '../tls/envoy-gateway.ts';
import { describeRoute, edgeRoutes, traefikCrdRef, traefikKey, traefikMiddlewareAbsence, traefikMiddlewaresByKey, traefikMiddlewareTcpsByKey, traefikRefOf, traefikTcpCrdKey, type EdgeController, type EdgeRoute } from './routes.ts';

/** Kinds the guards read besides the routes. */
export const EDGE_GUARD_KINDS = [
  'traefik.middlewares', 'traefik-legacy.middlewares', 'traefik.middlewaretcps', 'traefik-legacy.middlewaretcps',
  'istio.requestauthentications', 'istio.authorizationpolicies', 'istio.envoyfilters',
  'envoygateway.securitypolicies', 'envoygateway.backendtrafficpolicies',
  'configmaps',
] as const satisfies readonly KindKey[];

/**
 * What edgeAuthentication alone reads when it can: Traefik's TLSOptions, whose clientAuth only adds
 * a guard (traefikClientCertificates). Unread, no such guard is found and the finding says they
 * could not be read.
 */
export const EDGE_AUTH_BEST_EFFORT: readonly KindKey[] = TRAEFIK_TLS_OPTION_KEYS;

/** One exposed host of one routing object: the subject of the edge guard checks. */
export interface ExposedHost {
  route: ResourceRef;
  object: KubeObject;
  host: string;
  controller: EdgeController;
  /** The open paths ("host/path → route → Service ns/name:port"). */
  paths: string[];
  routes: EdgeRoute[];
  /**
   * Why it is not known whether the host is exposed: every open path of it goes through Gateway
   * listeners that may not admit the route (EdgeRoute.attachmentUnknown). Absent otherwise.
   */
  attachmentUnknown?: string;
}

export interface GuardAnswer {
  /** What protects the host, e.g. "ingress-nginx auth-url https://auth.example.com/oauth2/auth". */
  found: string[];
  /** What was looked at, for the finding's message. */
  looked: string[];
  /** Malformed values met on the way, naming the object and key. */
  malformed: string[];
  /**
   * Why a guard may stand in front of the host, or one found may not, and that cannot be known:
   * an ingress-nginx controller's ConfigMap is not known (NginxController.configMapUnknown) where
   * it decides the guard, or whether that controller serves the Ingress, reads its annotations or
   * loads its configuration is not (nginxAppliedDoubt). With nothing found for certain, the host
   * cannot be confirmed.
   */
  unconfirmed?: string[];
}

const nsOf = (o: KubeObject) => o.metadata?.namespace ?? 'default';
const nameOf = (o: KubeObject) => o.metadata?.name ?? '';

/** Hosts with at least one path the network and the backend's mesh leave open, per routing object. */
export const exposedHosts = memoizeBySnapshotAndConfig((snapshot: Snapshot, config: Config): ExposedHost[] => {
  const open = new Set<string>();
  for (const w of effectiveExposure(snapshot, config)) for (const p of w.external) if (p.route && p.open) open.add(p.route);
  const byKey = new Map<string, ExposedHost>();
  for (const r of edgeRoutes(snapshot).routes) {
    const path = describeRoute(r);
    if (!open.has(path)) continue;
    const key = `${r.route.kind}\u0000${r.route.namespace}\u0000${r.route.name}\u0000${r.host}`;
    let h = byKey.get(key);
    if (!h) byKey.set(key, (h = { route: r.route, object: r.object, host: r.host, controller: r.controller, paths: [], routes: [] }));
    if (!h.paths.includes(path)) h.paths.push(path);
    h.routes.push(r);
  }
  for (const h of byKey.values()) if (h.routes.every((r) => r.attachmentUnknown)) h.attachmentUnknown = h.routes[0].attachmentUnknown;
  return [...byKey.values()];
}, 'tls');

// ---- shared readers ----

/** An object's string annotations; a non-string value among `keys` is reported (annotation values must be strings). */
function annotations(o: KubeObject, keys: string[], where: string, answer: GuardAnswer): Record<string, string> {
  const raw = obj(o.metadata?.annotations) ?? {};
  for (const k of keys) if (raw[k] !== undefined && typeof raw[k] !== 'string') answer.malformed.push(`${where}: annotation ${k} is not a string (annotation values must be quoted); it is ignored`);
  return stringMap(raw);
}

/** A Traefik middleware a host's routes use: a Middleware, or for an IngressRouteTCP a MiddlewareTCP (`tcp`: what it does). */
interface TraefikMiddlewareUse { ref: string; spec: Json; tcp?: TraefikTcpMiddleware }

/**
 * One Traefik router of a host (traefikRouters): its routes and the middlewares it runs, chains
 * followed. `entry`: where its entryPoints' http.middlewares run ahead of them (traefikEntryUses),
 * one entry per Traefik workload and entryPoint it is on; `entryUnknown`: why some may, unread.
 */
interface TraefikRouterUses { routes: EdgeRoute[]; uses: TraefikMiddlewareUse[]; entry?: Array<{ where: string; uses: TraefikMiddlewareUse[] }>; entryUnknown?: string }

/**
 * Whether a middleware reference of a Traefik CRD object counts: one that may cross namespaces
 * (another namespace, or the "<key>@kubernetescrd" form) only where the kubernetescrd provider's
 * allowCrossNamespace is known to be on. Off, Traefik refuses the route (routes.ts
 * traefikCrossingRefs: the route is then no edge route) or cannot build the chain naming it; not
 * known, the route is counted as served and what crosses is not counted. Why not is added to `looked`.
 */
function crossingCounts(snapshot: Snapshot, h: ExposedHost, what: string, crosses: boolean, answer: GuardAnswer, tcpCrdKey = false): boolean {
  if (!crosses || h.route.kind === 'Ingress') return true;
  if (tcpCrdKey) {
    // Refused by the release from v2.11.46, v3.6.17, v3.7.1 on only (traefikCrossRefusal); a refused route is no edge route.
    const keyed = traefikCrossRefusal(snapshot, h.object, 'tcpCrdKey');
    if (keyed.refused === false) return true;
    answer.looked.push(`${what} is named by its @kubernetescrd key, which Traefik's kubernetescrd provider refuses without allowCrossNamespace from v2.11.46, v3.6.17 and v3.7.1 on: whether this Traefik does is not known (${keyed.why}), so it does not count`);
    return false;
  }
  const cross = traefikCrossNamespace(snapshot, h.object);
  if (cross.allowed === true) return true;
  answer.looked.push(`${what} may be of another namespace than ${h.route.kind} ${h.route.namespace}/${h.route.name}, which Traefik's kubernetescrd provider allows only with allowCrossNamespace on: ${cross.allowed === false ? 'it is off' : 'not known'} (${cross.why}), so it does not count`);
  return false;
}

/**
 * The MiddlewareTCPs an IngressRouteTCP host's routes name. A TCP router takes MiddlewareTCPs
 * only (InFlightConn, IPAllowList): no HTTP Middleware, so no ForwardAuth, BasicAuth, RateLimit or
 * WAF plugin, can stand in front of it
 * (https://doc.traefik.io/traefik/reference/routing-configuration/tcp/middlewares/overview/).
 * One that is missing or cannot be built makes Traefik refuse the router, which is then no edge
 * route (traefikTcpRouteRefused): one not found here was not readable. A reference finds the
 * MiddlewareTCP whose Traefik key (namespace-name, normalized: routes.ts traefikCrdRef) is its own, so
 * "team-limit" from namespace db is MiddlewareTCP db-team/limit; several under one key, of which
 * Traefik keeps one, count for none. One of another namespace counts only with allowCrossNamespace
 * (crossingCounts).
 */
function traefikTcpMiddlewares(snapshot: Snapshot, h: ExposedHost, answer: GuardAnswer): TraefikRouterUses[] {
  const refs = [...new Set(h.routes.flatMap((r) => r.middlewares))];
  const byRef = new Map<string, TraefikMiddlewareUse>();
  answer.looked.push(`IngressRouteTCP ${h.route.namespace}/${h.route.name}, a TCP router: Traefik's HTTP Middlewares (ForwardAuth, BasicAuth, RateLimit, plugins) do not apply to it, only MiddlewareTCPs (InFlightConn, IPAllowList), ${refs.length ? `and its routes name ${refs.map((r) => `MiddlewareTCP ${r}`).join(', ')}` : 'of which its routes name none (spec.routes[].middlewares)'}`);
  for (const ref of refs) {
    const r = traefikRefOf(ref, h.route.namespace ?? 'default');
    if (r.provider !== undefined) { answer.looked.push(`Traefik TCP middleware ${ref} comes from another provider, which is not read`); continue; }
    const found = traefikMiddlewareTcpsByKey(snapshot, r.key);
    if (found.length !== 1) {
      answer.looked.push(found.length === 0 ? `Traefik MiddlewareTCP ${ref} could not be read`
        : `Traefik MiddlewareTCPs ${found.map((m) => `${nsOf(m)}/${m.metadata?.name ?? ''}`).join(', ')} all answer to Traefik's key for ${ref}; which one it uses is not known, so none counts`);
      continue;
    }
    const mw = found[0];
    const mwRef = `${nsOf(mw)}/${mw.metadata?.name ?? ''}`;
    if (mwRef !== ref) answer.looked.push(`Traefik MiddlewareTCP ${ref} is MiddlewareTCP ${mwRef} (Traefik finds it by the key namespace-name)`);
    if (!crossingCounts(snapshot, h, `Traefik MiddlewareTCP ${ref}`, r.crosses, answer, traefikTcpCrdKey(r, true))) continue;
    byRef.set(ref, { ref: mwRef, spec: obj(mw.spec) ?? {}, tcp: traefikTcpMiddlewareOf(mw) });
  }
  if (h.routes.every((r) => r.tlsPassthrough)) answer.looked.push(`its TLS passes through to the backend (tls.passthrough: true), which terminates it: Traefik sees no request, so only the backend can authenticate clients (client certificates, its protocol's own login), and that is not seen`);
  return traefikRouters(h).map((routes) => ({ routes, uses: routes[0].middlewares.flatMap((ref) => byRef.get(ref) ?? []) }));
}

/**
 * The Traefik middlewares a host's routes reference, chains followed; a missing one is a malformed
 * entry, or, where the snapshot cannot show it (traefikMiddlewareAbsence: its kinds unread, a
 * namespace its key may name not known to the input), one that does not count. A reference finds the Middleware whose Traefik key (Normalize(namespace-name)) is its
 * own, as the router does (routes.ts traefikCrdRef): "<key>@kubernetescrd" too, and "name@provider"
 * is another provider's, not read. A chain's members are references of the chain's namespace
 * (createChainMiddleware), bound by allowCrossNamespace for an Ingress's chains too; an Ingress's
 * own router.middlewares are not (the Ingress provider hands them on as written).
 */
function traefikMiddlewares(snapshot: Snapshot, h: ExposedHost, answer: GuardAnswer): TraefikRouterUses[] {
  if (h.route.kind === 'IngressRouteTCP') return traefikTcpMiddlewares(snapshot, h, answer);
  const index = traefikMiddlewareIndex(snapshot);
  const seen = new Set<string>();
  // Each reference is resolved once, however many routers name it; one met both on a route and in a
  // chain is resolved as each, and what both say is said once (the dedup below).
  const resolved = new Map<string, TraefikMiddlewareUse[]>();
  const lookedFrom = answer.looked.length;
  const malformedFrom = answer.malformed.length;
  const where = `${h.route.kind} ${h.route.namespace}/${h.route.name}`;
  // The CRD providers resolving the route: a Middleware that counts for none of them (traefikCrdCounts: its API group or namespace) does not count.
  const providers = traefikCrdProvidersResolving(snapshot, h.object);
  const group = h.route.kind === 'Ingress' ? undefined : traefikCrdGroupOf(h.object);
  const visit = (ref: string, parentNs: string, depth: number, out: TraefikMiddlewareUse[], chain: Set<string>) => {
    const key = `${depth === 0}\u0000${parentNs}\u0000${ref}`;
    const known = resolved.get(key);
    if (known) { out.push(...known); return; }
    if (chain.has(key) || depth > 8) return;
    seen.add(ref);
    const mine: TraefikMiddlewareUse[] = [];
    visitOnce(ref, parentNs, depth, mine, new Set([...chain, key]));
    resolved.set(key, mine);
    out.push(...mine);
  };
  const visitOnce = (ref: string, parentNs: string, depth: number, out: TraefikMiddlewareUse[], chain: Set<string>) => {
    const r = traefikRefOf(ref, parentNs);
    if (r.provider !== undefined) { answer.looked.push(`Traefik Middleware ${ref} comes from another provider (${r.provider}), which is not read`); return; }
    // An Ingress's entries were resolved by routes.ts traefikIngressMiddleware ("namespace/name").
    const found = h.route.kind === 'Ingress' && depth === 0 ? [index.get(ref)].filter((m): m is KubeObject => !!m) : traefikMiddlewaresByKey(snapshot, r.key);
    if (found.length === 0) {
      // One that surely does not exist leaves the route unserved (routes.ts traefikMiddlewaresAbsence): met here, it could not be looked for.
      const absent = traefikMiddlewareAbsence(snapshot, r.key, `Traefik Middleware ${ref}`, { providers, group, namespace: h.route.kind === 'Ingress' ? undefined : h.route.namespace });
      if (absent?.unknown) answer.looked.push(`${absent.unknown}, so it does not count`);
      else answer.malformed.push(`${where} references Traefik Middleware ${ref}, which does not exist`);
      return;
    }
    if (found.length > 1) {
      answer.looked.push(`Traefik Middlewares ${found.map((m) => `${nsOf(m)}/${nameOf(m)}`).join(', ')} all answer to Traefik's key for ${ref}; which one it uses is not known, so none counts`);
      return;
    }
    const mw = found[0];
    const mwRef = `${nsOf(mw)}/${nameOf(mw)}`;

    if (mwRef !== ref) answer.looked.push(`Traefik Middleware ${ref} is Middleware ${mwRef} (Traefik finds it by the key namespace-name)`);
    // https://doc.traefik.io/traefik/providers/kubernetes-crd/#allowcrossnamespace: it binds the
    // CRD provider's references only, an IngressRoute's and a chain's.
    if (!(depth === 0 ? crossingCounts(snapshot, h, `Traefik Middleware ${ref}`, r.crosses, answer) : chainMemberCounts(snapshot, h, ref, parentNs, r.crosses, answer))) return;
    const sees = providers.map((p) => traefikCrdCounts(p, mw, h.object));
    if (!sees.some((x) => x.sees === true)) {
      answer.looked.push(`Traefik Middleware ${mwRef} is there, but ${sees.find((x) => x.why)?.why ?? 'no Traefik serving the route runs the CRD provider'}, so it does not count`);
      return;
    }
    const spec = obj(mw.spec) ?? {};
    out.push({ ref: mwRef, spec });
    for (const c of arr(obj(spec.chain)?.middlewares)) {
      const co = obj(c);
      const name = str(co?.name);
      if (name) visit(traefikCrdRef(nsOf(mw), str(co?.namespace), name).text, nsOf(mw), depth + 1, out, chain);
    }
  };
  // An entryPoint's http.middlewares, "<key>@kubernetescrd" in the install configuration, name a
  // Middleware of any namespace its Traefik's CRD provider reads (traefikHttpsRedirect's
  // { workload } referrer); the chains they lead to keep the chain rule (visit, depth 1).
  const entryUse = (name: string, w: ResourceRef, where: string, out: TraefikMiddlewareUse[]) => {
    const m = /^(.+)@kubernetescrd$/.exec(name);
    if (!m) { answer.looked.push(`Traefik middleware ${name} of ${where} is not of the kubernetescrd provider, which is not read, so it does not count`); return; }
    const found = traefikMiddlewaresByKey(snapshot, m[1]);
    if (found.length !== 1) {
      answer.looked.push(found.length === 0 ? `Traefik middleware ${name} of ${where} is not in the input, so it does not count` : `Traefik Middlewares ${found.map((x) => `${nsOf(x)}/${nameOf(x)}`).join(', ')} all answer to ${name} of ${where}; which one Traefik uses is not known, so none counts`);
      return;
    }
    const mw = found[0];
    const sees = traefikCrdProvidersOf(snapshot, w).map((p) => traefikCrdSees(p, mw));
    if (!sees.some((x) => x.sees === true)) { answer.looked.push(`Traefik Middleware ${nsOf(mw)}/${nameOf(mw)}, ${name} of ${where}, is there, but ${sees.find((x) => x.why)?.why ?? `${refString(w)} runs no CRD provider`}, so it does not count`); return; }
    const spec = obj(mw.spec) ?? {};
    out.push({ ref: `${nsOf(mw)}/${nameOf(mw)}`, spec });
    for (const c of arr(obj(spec.chain)?.middlewares)) {
      const co = obj(c);
      const member = str(co?.name);
      if (member) visit(traefikCrdRef(nsOf(mw), str(co?.namespace), member).text, nsOf(mw), 1, out, new Set());
    }
  };
  const entry = h.controller.family === 'traefik' ? traefikEntryUses(snapshot, h, entryUse) : {};
  const routers = traefikRouters(h).map((routes) => {
    const uses: TraefikMiddlewareUse[] = [];
    for (const ref of routes[0].middlewares) visit(ref, h.route.namespace ?? 'default', 0, uses, new Set());
    return { routes, uses, ...entry };
  });
  answer.looked.splice(lookedFrom, Infinity, ...new Set(answer.looked.slice(lookedFrom)));
  answer.malformed.splice(malformedFrom, Infinity, ...new Set(answer.malformed.slice(malformedFrom)));
  if (h.routes.some((r) => r.middlewares.length > 0)) answer.looked.push(`Traefik Middlewares ${[...seen].join(', ')}`);
  else if (h.controller.family === 'traefik') answer.looked.push(`${h.route.kind} ${h.route.namespace}/${h.route.name}, which uses no Traefik Middlewares (${h.route.kind === 'Ingress' ? 'annotation traefik.ingress.kubernetes.io/router.middlewares' : h.route.kind === 'IngressRoute' ? 'spec.routes[].middlewares' : 'none referenced'})`);
  return routers;
}

/**
 * The entryPoints' http.middlewares a Traefik HTTP host's routers run ahead of their own: Traefik
 * prepends an entryPoint's middlewares to every router on it (pkg/server/aggregator.go applyModel,
 * `cp.Middlewares = append(m.Middlewares, cp.Middlewares...)`;
 * https://doc.traefik.io/traefik/routing/entrypoints/#middlewares), so a guard there stands in front
 * of every route on that entryPoint of that Traefik. One way in per Traefik workload serving the
 * host (EdgeController.workloads) and entryPoint its routers are on (those named, else the
 * default ones); all routes of one routing object share them. Nothing when none of those
 * entryPoints has middlewares (the routers' own decide, as before). A Traefik configured by a file
 * ztaudit cannot read (TraefikEntryPoints.fromFile), or whose
 * http.middlewares come from a value ztaudit cannot read, may run any: `entryUnknown`.
 */
function traefikEntryUses(snapshot: Snapshot, h: ExposedHost, use: (name: string, w: ResourceRef, where: string, out: TraefikMiddlewareUse[]) => void): Pick<TraefikRouterUses, 'entry' | 'entryUnknown'> {
  if (h.route.kind !== 'Ingress' && h.route.kind !== 'IngressRoute') return {};
  const eps = traefikEntryPoints(snapshot);
  const named = traefikRouterEntryPoints(h.routes[0]!);
  // Only the entryPoints it attaches to: one no Traefik has is no way in (traefikAttachedEntryPoints).
  const { on } = traefikAttachedEntryPoints(eps, named[0] === '*' ? [] : named);
  const workloads = h.controller.workloads;
  const ids = new Set(workloads.map(refString));
  const fromFile = eps.fromFile.filter((f) => ids.has(refString(f.workload)));
  const set = eps.middlewares.filter((m) => ids.has(refString(m.workload)) && on.includes(m.entryPoint));
  const unknown = set.find((m) => m.unknown !== undefined);
  const entryUnknown = fromFile.length > 0 ? `whether the entryPoint middlewares of ${fromFile.map((f) => refString(f.workload)).join(', ')} guard it cannot be confirmed: ${traefikFilesUnread(fromFile)}`
    : unknown ? `whether the http.middlewares of entryPoint ${unknown.entryPoint} of ${refString(unknown.workload)} guard it cannot be confirmed: ${unknown.unknown}` : undefined;
  const tail = entryUnknown !== undefined ? { entryUnknown } : {};
  if (set.every((m) => m.unknown !== undefined)) return tail;
  const entry: Array<{ where: string; uses: TraefikMiddlewareUse[] }> = [];
  for (const w of workloads) {
    for (const ep of on) {
      const where = `entryPoint ${ep} of ${refString(w)}`;
      const uses: TraefikMiddlewareUse[] = [];
      for (const m of set) if (refString(m.workload) === refString(w) && m.entryPoint === ep) for (const name of m.names) use(name, w, where, uses);
      entry.push({ where, uses });
    }
  }
  return { entry, ...tail };
}

/**
 * The host's routes by the Traefik router serving them, told apart by the middlewares it names: Traefik
 * builds one router per IngressRoute (or IngressRouteTCP) route entry, with that entry's middlewares
 * only (traefik/traefik pkg/provider/kubernetes/crd/kubernetes_http.go@v3.3.4 lines 64-117: the loop
 * over ingressRoute.Spec.Routes, makeMiddlewareKeys(route.Middlewares), dynamic.Router{Middlewares:
 * mds}); an Ingress's routers all take its router.middlewares annotation. Entries naming the same
 * middlewares are guarded alike, so they share one group.
 */
function traefikRouters(h: ExposedHost): EdgeRoute[][] {
  const groups = new Map<string, EdgeRoute[]>();
  for (const r of h.routes) {
    const key = r.middlewares.join('\u0000');
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()];
}

/**
 * A guard that covers only the routes it is on: a Traefik middleware (on its router's routes), an
 * oauth2-proxy backend (on the paths sent to it). The host is guarded only when every open route of
 * it is: Traefik routes a request by the most specific rule that matches it, so a route guarded for
 * /login leaves every other request to the bare one, and an oauth2-proxy authenticates only what
 * reaches it. A guard on some routes only is said in `looked`, naming the routes left bare.
 */
function settleRouteGuards(h: ExposedHost, guards: Map<EdgeRoute, string[]>, a: GuardAnswer): void {
  const bare = h.routes.filter((r) => (guards.get(r) ?? []).length === 0);
  const found = [...new Set(h.routes.flatMap((r) => guards.get(r) ?? []))];
  if (found.length === 0) return;
  if (bare.length === 0) { a.found.push(...found); return; }
  const routeText = (rs: EdgeRoute[]) => [...new Set(rs.map((r) => (r.match !== undefined ? `${r.route.kind} ${r.route.namespace}/${r.route.name} route ${JSON.stringify(r.match)}` : describeRoute(r))))];
  const guarded = routeText(h.routes.filter((r) => (guards.get(r) ?? []).length > 0));
  const open = routeText(bare);
  a.looked.push(`${found.join('; ')} ${found.length > 1 ? 'stand' : 'stands'} only in front of ${guarded.join(', ')}: ${open.join(', ')} ${open.length > 1 ? 'serve' : 'serves'} ${h.host === '*' ? 'any host' : h.host} without ${found.length > 1 ? 'any of them' : 'it'}`);
}

/**
 * Per route of the host, what `pick` finds in the middlewares of its Traefik router. Where its
 * entryPoints run http.middlewares (`entry`), a request meets those of the entryPoint and Traefik
 * it comes through, then the router's: the route is guarded only when every such way in is, by
 * either. Nothing found while entryPoint middlewares are unread (`entryUnknown`): not confirmed.
 */
function traefikRouteGuards(routers: TraefikRouterUses[], pick: (mw: TraefikMiddlewareUse) => string[], a: GuardAnswer): Map<EdgeRoute, string[]> {
  const out = new Map<EdgeRoute, string[]>();
  for (const { routes, uses, entry, entryUnknown } of routers) {
    let found = [...new Set(uses.flatMap(pick))];
    if (entry) {
      const ways = entry.map((e) => ({ where: e.where, found: [...new Set([...e.uses.flatMap(pick), ...found])] }));
      const bare = ways.filter((w) => w.found.length === 0);
      found = bare.length === 0 ? [...new Set(ways.flatMap((w) => w.found))] : [];
      if (bare.length > 0 && bare.length < ways.length) a.looked.push(`${[...new Set(ways.flatMap((w) => w.found))].join('; ')} only through ${ways.filter((w) => w.found.length > 0).map((w) => w.where).join(', ')}: ${bare.map((w) => w.where).join(', ')} ${bare.length > 1 ? 'run' : 'runs'} none`);
    }
    if (found.length === 0 && entryUnknown !== undefined) unconfirmed(a, entryUnknown);
    for (const r of routes) out.set(r, found);
  }
  return out;
}

/**
 * A chain member of another namespace than its chain: counted only where the kubernetescrd provider
 * of every Traefik resolving the route (traefikCrdProvidersResolving; an Ingress's: of the Traefiks serving it) builds it: allowCrossNamespace on, or a release before v2.11.43, v3.6.14
 * and v3.7.0, which did not check (traefikCrossRefusal 'chain'; createChainMiddleware refuses the chain otherwise).
 */
function chainMemberCounts(snapshot: Snapshot, h: ExposedHost, ref: string, chainNs: string, crosses: boolean, answer: GuardAnswer): boolean {
  if (!crosses) return true;
  const cross = traefikCrossRefusal(snapshot, h.object, 'chain');
  if (cross.refused === false) return true;
  answer.looked.push(`Traefik Middleware ${ref} is a chain member of another namespace than its chain's (${chainNs}), which Traefik's kubernetescrd provider refuses without allowCrossNamespace from v2.11.43, v3.6.14 and v3.7.0 on: ${cross.refused === true ? 'it does here, so the chain is not built' : 'whether it does here is not known'} (${cross.why}), so it does not count`);
  return false;
}

const workloadIndex = memoize((snapshot: Snapshot) => {
  const byKey = new Map<string, Workload>();
  const byNs = new Map<string, Workload[]>();
  for (const w of workloadsOf(snapshot)) {
    byKey.set(`${w.ref.namespace}/${w.ref.kind}/${w.ref.name}`, w);
    const l = byNs.get(w.ref.namespace ?? '') ?? [];
    l.push(w);
    byNs.set(w.ref.namespace ?? '', l);
  }
  // The first Service of each namespace/name (a backend names one).
  const services = new Map<string, KubeObject>();
  for (const s of snapshot.resources.services ?? []) {
    const key = `${nsOf(s)}\u0000${nameOf(s)}`;
    if (!services.has(key)) services.set(key, s);
  }
  // controllerPods' answers, per controller (edgeRoutes' objects, as stable as this index).
  const pods = new WeakMap<EdgeController, ControllerPods>();
  return { byKey, byNs, services, images: new Map<string, string[]>(), pods };
}, ['network', 'tls']);

/**
 * The edge controller's pods: its exact workloads' pods and the pods its selectors match (in the
 * selector's namespace when it names one: an Istio Gateway's selector takes gateway pods of any
 * namespace). Only when the snapshot holds none of them do the selectors stand in, namespace
 * unknown.
 */
type ControllerPods = { resolved: true; pods: Array<{ namespace: string; labels: Record<string, string> }> } | { resolved: false; selectors: EdgeController['selectors'] };

function controllerPods(snapshot: Snapshot, c: EdgeController): ControllerPods {
  const index = workloadIndex(snapshot);
  // Asked for every host the controller serves: its pods are found once (a selector scans the
  // workloads of its namespace, or all of them).
  const known = index.pods.get(c);
  if (known) return known;
  const pods: Array<{ namespace: string; labels: Record<string, string> }> = [];
  for (const ref of c.workloads) for (const p of index.byKey.get(`${ref.namespace}/${ref.kind}/${ref.name}`)?.pods ?? []) pods.push({ namespace: p.namespace, labels: p.labels });
  for (const sel of c.selectors) {
    for (const w of sel.namespace === undefined ? index.byKey.values() : index.byNs.get(sel.namespace) ?? []) {
      for (const p of w.pods) if (selectorMatches(sel.labels, p.labels)) pods.push({ namespace: p.namespace, labels: p.labels });
    }
  }
  const answer: ControllerPods = pods.length > 0 ? { resolved: true, pods } : { resolved: false, selectors: c.selectors };
  index.pods.set(c, answer);
  return answer;
}

/**
 * Whether a workload-selector policy (an empty selector: none) in `policyNs` acts on the
 * controller: on every one of its pods, as the mesh model reads selectors. Pods the snapshot
 * does not hold have no known namespace, so only a root-namespace policy can be placed on them.
 */
function selectsController(selectorLabels: Record<string, string> | undefined, policyNs: string, rootNs: string, target: ControllerPods): boolean {
  const policy = { namespace: policyNs, ...(selectorLabels && Object.keys(selectorLabels).length > 0 ? { selector: selectorLabels } : {}) };
  if (target.resolved) return target.pods.every((p) => istioPolicySelects(policy, rootNs, p.namespace, p.labels));
  return target.selectors.some((l) => istioPolicySelects(policy, rootNs, l.namespace ?? rootNs, l.labels));
}

/**
 * Envoy Gateway / Gateway API policy attachment: targetRef(s) naming the Gateway or the route, same
 * namespace. A sectionName narrows the target: on a Gateway to that one listener, on a route to
 * the rule of that name (envoyproxy/gateway v1.9.0 internal/gatewayapi/helpers.go
 * gatewayPolicyTargetListeners and isRouteRule; the CRDs refuse a sectionName on a
 * SecurityPolicy before v1.5.0, on a BackendTrafficPolicy before v1.6.0). So a Gateway target with sectionName covers the host only when every attachment
 * of the route to that Gateway is on listeners the policy names, and a route target with
 * sectionName only when every rule of the route is named by the policy.
 */
function policyTargets(policy: KubeObject, h: ExposedHost): boolean {
  const spec = obj(policy.spec) ?? {};
  const refs = [spec.targetRef, ...arr(spec.targetRefs)].map(obj).filter((r): r is Json => !!r);
  const ns = nsOf(policy);
  // Per Gateway name (and for the route): undefined = whole object, else the sections named.
  const gateways = new Map<string, Set<string> | undefined>();
  let route: Set<string> | undefined | false = false;
  const add = (sections: Set<string> | undefined, section: string | undefined) => (sections === undefined || section === undefined ? undefined : sections.add(section));
  for (const r of refs) {
    const kind = str(r.kind);
    const name = str(r.name);
    if (name === undefined) continue;
    const section = r.sectionName === undefined ? undefined : str(r.sectionName) ?? '\0';
    if (kind === 'Gateway') gateways.set(name, gateways.has(name) ? add(gateways.get(name), section) : section === undefined ? undefined : new Set([section]));
    else if (kind === h.route.kind && h.route.namespace === ns && h.route.name === name) route = route === false ? (section === undefined ? undefined : new Set([section])) : add(route, section);
  }
  if (route === undefined) return true;
  if (route) {
    const named = route;
    const rules = arr(obj(h.object.spec)?.rules).map(obj);
    if (rules.length > 0 && rules.every((x) => { const n = x ? str(x.name) : undefined; return n !== undefined && named.has(n); })) return true;
  }
  for (const [name, sections] of gateways) {
    const on = h.routes.filter((x) => x.gateway?.kind === 'Gateway' && x.gateway.namespace === ns && x.gateway.name === name);
    if (on.length === 0) continue;
    // A sectionName names a listener of the Gateway's own: a route attached through a ListenerSet
    // is on the ListenerSet's listeners, whatever their names (listener names need not be unique
    // across a Gateway and its ListenerSets: gateway-api apis/v1/listenerset_types.go ListenerEntry.Name).
    if (sections === undefined || on.every((x) => x.listenerSet === undefined && (x.listeners?.length ?? 0) > 0 && x.listeners!.every((l) => sections.has(l)))) return true;
  }
  return false;
}

/**
 * The Envoy Gateway policies of `kind` targeting the host (policyTargets), with what `guards` finds
 * in each. They count only when no Gateway serving the host is another controller's
 * (gatewaysNotEnvoyGateway): Envoy Gateway never translates a route through a Gateway it does not
 * manage, so its policies are not applied there.
 */
function envoyGatewayPolicies(snapshot: Snapshot, h: ExposedHost, kind: 'SecurityPolicy' | 'BackendTrafficPolicy', where: string, a: GuardAnswer, guards: (p: KubeObject) => string[]): void {
  if (!h.routes.some((r) => r.via === 'Gateway')) return;
  const notEg = gatewaysNotEnvoyGateway(snapshot);
  const others = [...new Set(h.routes.flatMap((r) => (r.gateway && notEg.has(`${r.gateway.namespace}/${r.gateway.name}`) ? [`Gateway ${r.gateway.namespace}/${r.gateway.name} (${r.controller.label})`] : [])))];
  a.looked.push(`Envoy Gateway ${kind === 'SecurityPolicy' ? 'SecurityPolicies' : 'BackendTrafficPolicies'} targeting ${where}${gatewayNames(h) ? ` or Gateway ${gatewayNames(h)}` : ''}`);
  for (const p of snapshot.resources[kind === 'SecurityPolicy' ? 'envoygateway.securitypolicies' : 'envoygateway.backendtrafficpolicies'] ?? []) {
    if (!policyTargets(p, h)) continue;
    const found = guards(p);
    if (found.length === 0) continue;
    if (others.length === 0) a.found.push(...found);
    else a.looked.push(`${found.join(', ')} does not apply through ${others.join(', ')}, which serve${others.length > 1 ? '' : 's'} the host: Envoy Gateway does not manage ${others.length > 1 ? 'these Gateways' : 'that Gateway'} (its GatewayClass names another controller), so its policies never reach it`);
  }
}

function gatewayNames(h: ExposedHost): string {
  const gws = [...new Set(h.routes.map((r) => (r.gateway ? `${r.gateway.namespace}/${r.gateway.name}` : '')).filter(Boolean))];
  return gws.length ? gws.join(', ') : '';
}

const URL_RE = /^(https?:\/\/)[^\s]+$/;

/**
 * Whether ingress-nginx sets global auth from this ConfigMap global-auth-url: ReadConfig
 * (internal/ingress/controller/template/configmap.go) hands the value, untrimmed, to
 * parser.StringToURL, which needs Go's url.Parse to take it (no control character, no space
 * before the scheme or in the host), a scheme, a host, and no ".." in the host; anything else is
 * logged ("Global auth location denied") and no global auth is set. Only http(s) URLs count here.
 */
function globalAuthUrlTaken(url: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (!URL_RE.test(url) || /[\x00-\x1f\x7f]/.test(url)) return false;
  const host = /^https?:\/\/(?:[^/?#@]*@)?([^/?#]*)/.exec(url)?.[1] ?? '';
  return host !== '' && !host.includes('..');
}

/**
 * An Ingress whose ingress-nginx annotations mean something: ingress-nginx serves it, or its
 * controller is unknown and its annotations name ingress-nginx (servedByIngressNginx, the answer
 * the TLS checks take). Another controller's IngressClass ignores them (leftovers of a migration,
 * or F5 NGINX, which reads nginx.org/*).
 */
function nginxIngress(snapshot: Snapshot, h: ExposedHost, a: GuardAnswer): boolean {
  if (h.route.kind !== 'Ingress') return false;
  if (servedByIngressNginx(snapshot, h.object)) return true;
  a.looked.push(`${NGINX_ANNOTATION_PREFIX}* annotations on Ingress ${h.route.namespace}/${h.route.name} left aside: ${h.controller.label} serves it, not ingress-nginx`);
  return false;
}

/**
 * Runs an ingress-nginx judgement once per annotation prefix of the controllers serving the
 * Ingress (each reads only its --annotations-prefix): what protects the host must be found for
 * every one of them.
 */
function perNginxPrefix(snapshot: Snapshot, h: ExposedHost, a: GuardAnswer, judge: (prefix: string, controllers: NginxController[], sub: GuardAnswer) => void): void {
  const subs = nginxAnnotationGroups(snapshot, h.object).map((g) => {
    const sub: GuardAnswer = { found: [], looked: [], malformed: [] };
    judge(g.prefix, g.controllers, sub);
    return { ...g, sub };
  });
  for (const { sub } of subs) { a.looked.push(...sub.looked); a.malformed.push(...sub.malformed); for (const u of sub.unconfirmed ?? []) unconfirmed(a, u); }
  // A controller that may not serve the Ingress, may not read these annotations, or whose
  // configuration nginx refuses (it serves what it last loaded, annotations and ConfigMap keys
  // alike): what they give is not certain, and what it does not find may be found by the
  // controller serving it, or by the configuration it last loaded.
  const doubt = nginxIngressDoubt(snapshot, h.object);
  if (doubt !== undefined) {
    const found = [...new Set(subs.flatMap((x) => x.sub.found))];
    unconfirmed(a, `${found.length ? `${found.join('; ')}, but ` : ''}${doubt}`);
    return;
  }
  const bare = subs.filter((x) => x.sub.found.length === 0);
  if (bare.length === 0) a.found.push(...new Set(subs.flatMap((x) => x.sub.found)));
  else if (bare.length < subs.length) a.looked.push(`${subs.filter((x) => x.sub.found.length > 0).flatMap((x) => x.sub.found).join('; ')}, but nothing for ${bare.map((x) => `${x.controllers.map((c) => refString(c.ref)).join(', ')} (reading annotations ${x.prefix}*)`).join(', ')}, which also serve${bare.length > 1 || bare[0].controllers.length > 1 ? '' : 's'} the Ingress`);
}

/** Adds why a guard cannot be confirmed, once. */
function unconfirmed(a: GuardAnswer, why: string): void {
  const list = (a.unconfirmed ??= []);
  if (!list.includes(why)) list.push(why);
}

/** Why a guard a controller's ConfigMap decides cannot be confirmed: its --configmap is not known. */
const cmUnknown = (c: NginxController, what: string) => `the ${what} of ingress-nginx controller ${refString(c.ref)} cannot be confirmed: ${c.configMapUnknown}`;

// ---- authentication ----

/**
 * Whether a DENY rule turns away every request to `host` that carries no request principal. A
 * rule matches only when its from, to and when all match
 * (https://istio.io/latest/docs/reference/config/security/authorization-policy/, Rule): one of
 * its sources must be notRequestPrincipals alone (any further source field narrows whom it
 * denies), it must have no `when`, and its `to`, if any, must name the host and nothing else:
 * a rule limited to some paths, methods or ports leaves the rest of the host open.
 */
function deniesTokenlessOn(r: AuthzRule, host: string): boolean {
  if (r.when.length > 0) return false;
  const tokenless = r.from.some((f) => (f.notRequestPrincipals ?? []).length > 0 && Object.keys(f).length === 1);
  if (!tokenless) return false;
  const h = host.toLowerCase();
  // Istio matches operation hosts case-insensitively.
  const matches = (patterns: string[] | undefined) => (patterns ?? []).some((p) => istioStringMatch(p.toLowerCase(), h));
  return r.to.length === 0 || r.to.some((op) => Object.keys(op).every((k) => k === 'hosts' || k === 'notHosts') && (op.hosts === undefined || matches(op.hosts)) && !matches(op.notHosts));
}

export function edgeAuthentication(snapshot: Snapshot, h: ExposedHost, istioRoot: string): GuardAnswer {
  const a: GuardAnswer = { found: [], looked: [], malformed: [] };
  const o = h.object;
  const where = `${h.route.kind} ${h.route.namespace}/${h.route.name}`;
  if (nginxIngress(snapshot, h, a)) perNginxPrefix(snapshot, h, a, (p, controllers, a) => {
    const an = annotations(o, ['auth-url', 'auth-signin', 'auth-type', 'auth-secret', 'enable-global-auth'].map((k) => p + k), where, a);
    a.looked.push(`annotations ${p}auth-url/auth-signin/auth-type on ${where}`);
    // auth-signin only says where a 401 from the auth-url service redirects: without auth-url,
    // ingress-nginx configures no authentication at all (internal/ingress/annotations/authreq/main.go:
    // Parse reads auth-url first, as a required parameter, and returns its error before it reads
    // the optional auth-signin).
    const authUrl = an[`${p}auth-url`];
    for (const key of ['auth-url', 'auth-signin'] as const) {
      const v = an[p + key];
      if (v === undefined) continue;
      if (!URL_RE.test(v.trim())) a.malformed.push(`${where}: annotation ${p}${key} "${v}" is not an http(s) URL; ingress-nginx rejects it`);
      else if (key === 'auth-url') a.found.push(`ingress-nginx auth-url ${v.trim()}`);
      else if (authUrl === undefined) a.looked.push(`${where}: annotation ${p}auth-signin ${v.trim()} without auth-url, which alone authenticates nothing (it only names where a 401 from the auth-url service is sent)`);
    }
    const type = an[`${p}auth-type`];
    if (type !== undefined) {
      if (!/^(basic|digest)$/.test(type.trim())) a.malformed.push(`${where}: annotation ${p}auth-type "${type}" is not basic or digest; ingress-nginx ignores it`);
      else if (!an[`${p}auth-secret`]) a.malformed.push(`${where}: annotation ${p}auth-type ${type} without auth-secret; ingress-nginx ignores it`);
      else a.found.push(`ingress-nginx auth-type ${type.trim()} (secret ${an[`${p}auth-secret`]})`);
    }
    // global-auth-url in the controller ConfigMap authenticates every location, unless the
    // Ingress opts out with enable-global-auth "false" (unparsable: the default, on). Every
    // controller serving the Ingress must set it.
    const optOut = an[`${p}enable-global-auth`];
    const globalOn = optOut === undefined || nginxAnnotationBool(optOut) !== false;
    const global: string[] = [];
    for (const c of controllers) {
      // Its ConfigMap not known: global-auth-url may be set, unless the Ingress opts out.
      if (c.configMapUnknown !== undefined) {
        if (globalOn) unconfirmed(a, cmUnknown(c, 'global-auth-url'));
        continue;
      }
      const data = c.configMap ? configMapData(snapshot, c.configMap) : undefined;
      const cm = c.configMap ? `ConfigMap ${c.configMap.namespace}/${c.configMap.name}` : `ingress-nginx ${c.ref.namespace}/${c.ref.name} (${nginxNoConfigMap(c)})`;
      const url = data?.['global-auth-url'];
      a.looked.push(`${cm} global-auth-url`);
      if (url === undefined || url === '') continue;
      if (!URL_RE.test(url.trim())) { a.malformed.push(`${cm}: global-auth-url "${url}" is not an http(s) URL; ingress-nginx ignores it`); continue; }
      if (!globalAuthUrlTaken(url)) { a.malformed.push(`${cm}: global-auth-url ${JSON.stringify(url)} is not a URL ingress-nginx takes (parser.StringToURL: nothing is trimmed, the host must be there, without ".."); it ignores it ("Global auth location denied")`); continue; }
      if (!globalOn) { a.looked.push(`${cm} global-auth-url ${url.trim()}, turned off for ${where} by annotation ${p}enable-global-auth: "${optOut}"`); continue; }
      global.push(`${url.trim()} (${cm})`);
    }
    if (controllers.length > 0 && global.length === controllers.length) a.found.push(`ingress-nginx global-auth-url ${global.join(', ')}`);
    nginxClientCertificates(snapshot, h, where, p, controllers, a);
  });
  // An oauth2-proxy as the backend authenticates the paths sent to it, and no other: the rest of
  // the host needs its own guard (for ingress-nginx, auth-url and auth-signin on the Ingress serving
  // them: settleRouteGuards).
  a.looked.push('backends for an oauth2-proxy');
  const routeGuards = new Map<EdgeRoute, string[]>();
  for (const r of h.routes) {
    const images = backendImages(snapshot, r);
    if (/oauth2-proxy/.test(r.backend.name) || images.some((i) => /oauth2-proxy/.test(i))) routeGuards.set(r, [`oauth2-proxy in the path (Service ${r.backend.namespace}/${r.backend.name})`]);
  }
  const routers = traefikMiddlewares(snapshot, h, a);
  const named = new Set<string>();
  for (const mw of routers.flatMap((x) => x.uses)) {
    if (named.has(mw.ref)) continue;
    named.add(mw.ref);
    // An allowlist keeps other client addresses out, but an address is no identity (NIST SP
    // 800-207, 2.1, tenet 2: "Network location alone does not imply trust"): named, not counted,
    // for Middlewares and MiddlewareTCPs alike.
    const allowlist = mw.tcp ? (mw.tcp.type === 'ipAllowList' || mw.tcp.type === 'ipWhiteList' ? { type: mw.tcp.type, sourceRange: mw.tcp.sourceRange } : undefined)
      : (['ipAllowList', 'ipWhiteList'] as const).map((type) => ({ type, sourceRange: arr(obj(mw.spec[type])?.sourceRange).filter((x): x is string => typeof x === 'string') })).find((x) => obj(mw.spec[x.type]));
    if (allowlist) a.looked.push(`Traefik ${mw.tcp ? 'MiddlewareTCP' : 'Middleware'} ${mw.ref} ${allowlist.type} (sourceRange ${allowlist.sourceRange.join(', ') || 'empty'}) admits only those client addresses, but a client address is no identity, so it does not count as authentication`);
  }
  const byMiddleware = traefikRouteGuards(routers, (mw) => (mw.tcp ? [] : (['forwardAuth', 'basicAuth', 'digestAuth'] as const).filter((k) => obj(mw.spec[k])).map((k) => `Traefik Middleware ${mw.ref} ${k}`)), a);
  for (const [r, found] of byMiddleware) if (found.length > 0) routeGuards.set(r, [...(routeGuards.get(r) ?? []), ...found]);
  settleRouteGuards(h, routeGuards, a);
  if (h.controller.family === 'istio') istioClientCertificates(snapshot, h, a);
  if (h.controller.family === 'traefik') traefikClientCertificates(snapshot, h, a);
  if (h.controller.family === 'istio') {
    const labels = controllerPods(snapshot, h.controller);
    // A policy selects the gateway pods by workload selector, or (Istio 1.22+) by targetRefs naming the Gateway API Gateway.
    const applies = (p: KubeObject) => {
      const spec = obj(p.spec) ?? {};
      if (spec.targetRef !== undefined || spec.targetRefs !== undefined) return policyTargets(p, h);
      return selectsController(stringMap(obj(spec.selector)?.matchLabels), nsOf(p), istioRoot, labels);
    };
    const ras = (snapshot.resources['istio.requestauthentications'] ?? []).filter((ra) => applies(ra) && arr(obj(ra.spec)?.jwtRules).length > 0);
    // istiod rejects a malformed policy, so only well-formed ones are in force.
    const policies = (snapshot.resources['istio.authorizationpolicies'] ?? []).filter(applies).map((p) => parseAuthorizationPolicy(p, 'latest', { manifests: templatesStandIn(snapshot) })).filter((p) => p.action && p.problems.length === 0);
    const denying = policies.filter((p) => p.action === 'DENY' && p.rules.some((r) => deniesTokenlessOn(r, h.host)));
    // ALLOW policies add up: a request any ALLOW rule admits is allowed, so the gateway asks for a
    // token only if every ALLOW rule on it requires a request principal (each source of its
    // `from` names requestPrincipals; a rule without `from` admits any source).
    const partial = policies.filter((p) => p.action === 'DENY' && !denying.includes(p) && p.rules.some((r) => r.from.some((f) => (f.notRequestPrincipals ?? []).length > 0)));
    for (const p of partial) a.looked.push(`AuthorizationPolicy ${p.namespace}/${p.ref.name} denies requests without a request principal only where its rules' to/when or further source fields match, not for every request to ${h.host}`);
    const allowRules = policies.filter((p) => p.action === 'ALLOW').flatMap((p) => p.rules.map((r) => ({ p, r })));
    const requiresToken = (r: AuthzRule) => r.from.length > 0 && r.from.every((f) => (f.requestPrincipals ?? []).length > 0);
    const open = allowRules.filter((x) => !requiresToken(x.r));
    const requiring = allowRules.filter((x) => requiresToken(x.r));
    a.looked.push(`Istio RequestAuthentication and AuthorizationPolicy (requestPrincipals) on the gateway pods of ${h.controller.label}`);
    const policy = (p: ParsedAuthzPolicy) => `AuthorizationPolicy ${p.namespace}/${p.ref.name}`;
    if (ras.length > 0 && denying.length > 0) a.found.push(`Istio RequestAuthentication ${nsOf(ras[0])}/${nameOf(ras[0])} + ${policy(denying[0])} denying requests without a request principal`);
    else if (ras.length > 0 && requiring.length > 0 && open.length === 0) a.found.push(`Istio RequestAuthentication ${nsOf(ras[0])}/${nameOf(ras[0])} + ${policy(requiring[0].p)} requiring a request principal`);
    else if (ras.length > 0 && requiring.length > 0) a.looked.push(`${policy(requiring[0].p)} requires a request principal, but ${open.map((x) => `${policy(x.p)} rules[${x.r.index}]`).join(', ')} admit${open.length > 1 ? '' : 's'} requests without one (ALLOW rules add up, across policies too)`);
    else if (ras.length > 0) a.looked.push(`RequestAuthentication ${nsOf(ras[0])}/${nameOf(ras[0])} alone (it rejects bad tokens but admits requests without one)`);
  }
  envoyGatewayPolicies(snapshot, h, 'SecurityPolicy', where, a, (sp) => {
    const spec = obj(sp.spec) ?? {};
    const kinds = ['jwt', 'oidc', 'basicAuth', 'extAuth', 'apiKeyAuth'].filter((k) => obj(spec[k]));
    // JWT.optional "determines whether a missing JWT is acceptable" (envoyproxy/gateway
    // api/v1alpha1/jwt_types.go): a request without a token goes through, only one presented is verified.
    const optional = obj(spec.jwt)?.optional === true;
    if (kinds.includes('jwt') && optional) a.looked.push(`SecurityPolicy ${nsOf(sp)}/${nameOf(sp)} jwt sets optional: true, so it admits requests without a token (it rejects only invalid ones) and does not count as authentication`);
    const counted = kinds.filter((k) => k !== 'jwt' || !optional);
    return counted.length ? [`SecurityPolicy ${nsOf(sp)}/${nameOf(sp)} (${counted.join(', ')})`] : [];
  });
  if (h.route.kind === 'HTTPProxy') {
    const spec = obj(o.spec) ?? {};
    const vh = obj(spec.virtualhost) ?? {};
    a.looked.push(`HTTPProxy ${where.slice('HTTPProxy '.length)} virtualhost.authorization, jwtProviders and routes' authPolicy`);
    const routes = arr(spec.routes).map((r) => obj(r) ?? {});
    // Per route, as Contour builds it (projectcontour/contour internal/dag/httpproxy_processor.go@v1.30.0
    // lines 854-869: authorization on unless the route's authPolicy, or else the virtualhost's
    // authorization.authPolicy, says disabled; lines 1079-1091: JWT verification by the route's
    // jwtVerificationPolicy.require, or else the default provider unless the route disables it). The
    // host is guarded only when every route is, by the one or the other.
    const authz = obj(vh.authorization);
    const authName = `Contour external authorization ${str(obj(authz?.extensionRef)?.name) ?? ''}`.trim();
    const vhDisabled = obj(authz?.authPolicy)?.disabled === true;
    const providers = arr(vh.jwtProviders);
    const hasDefault = providers.some((p) => obj(p)?.default === true);
    const perRoute = routes.map((r, i) => {
      const policy = obj(r.authPolicy);
      const jwt = obj(r.jwtVerificationPolicy);
      const guards: string[] = [];
      if (authz && !(policy ? policy.disabled === true : vhDisabled)) guards.push(authName);
      if (providers.length > 0 && (str(jwt?.require) || (hasDefault && jwt?.disabled !== true))) guards.push('Contour JWT verification');
      const where = arr(r.conditions).map((c) => str(obj(c)?.prefix) ?? str(obj(c)?.exact)).filter((v): v is string => !!v);
      return { text: `routes[${i}]${where.length ? ` (${where.join(', ')})` : ''}`, guards };
    });
    const bare = perRoute.filter((r) => r.guards.length === 0);
    const found = [...new Set(perRoute.flatMap((r) => r.guards))];
    if (routes.length === 0 && authz && !vhDisabled) a.found.push(authName);
    else if (bare.length === 0) a.found.push(...found);
    else if (found.length > 0) a.looked.push(`${found.join('; ')} on some routes only: ${bare.map((r) => r.text).join(', ')} of HTTPProxy ${h.route.namespace}/${h.route.name} ${bare.length > 1 ? 'go' : 'goes'} without (authPolicy.disabled, or the virtualhost's authorization.authPolicy disabled and not turned back on; jwtVerificationPolicy.disabled, or no default JWT provider)`);
    else if (authz) a.looked.push(`${authName} is disabled on every route (authPolicy.disabled)`);
  }
  return a;
}

/**
 * ingress-nginx client-certificate authentication (internal/ingress/annotations/authtls/main.go):
 * auth-tls-secret names the CA, auth-tls-verify-client says whether a certificate is required
 * ("on", also for a missing or unknown value; "optional", "optional_no_ca" and "off" let a client
 * without one through). A Secret of another namespace is refused unless the ConfigMap sets
 * allow-cross-namespace-resources. It guards HTTPS only, so the Ingress must terminate TLS for the
 * host and plain HTTP must redirect (ssl-redirect, on by default, or force-ssl-redirect). A host
 * no spec.tls entry names gets the certificate of an entry whose certificate covers it
 * (internal/ingress/controller/controller.go, extractTLSSecretName: Go's x509 VerifyHostname,
 * where a wildcard stands for one label). Taking an entry's hosts for its certificate's names,
 * "*.example.com" covers a.example.com but not a.b.example.com nor example.com.
 */
function nginxClientCertificates(snapshot: Snapshot, h: ExposedHost, where: string, p: string, controllers: NginxController[], a: GuardAnswer): void {
  const an = annotations(h.object, ['auth-tls-secret', 'auth-tls-verify-client', 'ssl-redirect', 'force-ssl-redirect'].map((k) => p + k), where, a);
  const secret = an[`${p}auth-tls-secret`]?.trim();
  if (!secret) return;
  const raw = an[`${p}auth-tls-verify-client`];
  const verify = raw !== undefined && /^(on|off|optional|optional_no_ca)$/.test(raw) ? raw : 'on';
  a.looked.push(`annotations ${p}auth-tls-secret ${secret}, auth-tls-verify-client ${verify}${raw !== undefined && raw !== verify ? ` ("${raw}" is not a value ingress-nginx knows: its default)` : ''} on ${where}`);
  if (verify !== 'on') { a.looked.push(`auth-tls-verify-client ${verify} lets clients without a certificate through`); return; }
  const data = controllers.map((c) => (c.configMap ? configMapData(snapshot, c.configMap) : undefined));
  const secretNs = secret.includes('/') ? secret.split('/')[0] : h.route.namespace;
  if (secretNs !== h.route.namespace && controllers.some((c) => c.configMapUnknown !== undefined)) {
    const c = controllers.find((x) => x.configMapUnknown !== undefined)!;
    unconfirmed(a, `ingress-nginx client certificates (auth-tls-secret ${secret}, of another namespace) on ${where}, but ${cmUnknown(c, 'allow-cross-namespace-resources')}`);
    return;
  }
  if (secretNs !== h.route.namespace && !(data.length > 0 && data.every((d) => nginxBool(d?.['allow-cross-namespace-resources'] ?? '') === true))) {
    a.looked.push(`auth-tls-secret ${secret} is in another namespace, which ingress-nginx refuses without allow-cross-namespace-resources in its ConfigMap`);
    return;
  }
  const tlsHosts = arr(obj(h.object.spec)?.tls).flatMap((t) => arr(obj(t)?.hosts)).filter((x): x is string => typeof x === 'string');
  if (!tlsHosts.some((t) => ingressTlsHostCovers(t, h.host))) { a.looked.push(`${where} does not terminate TLS for ${h.host}, so no client certificate is asked for`); return; }
  const force = nginxAnnotationBool(an[`${p}force-ssl-redirect`] ?? '') === true;
  const annRedirect = nginxAnnotationBool(an[`${p}ssl-redirect`] ?? '');
  const redirects = force || (annRedirect ?? (data.length === 0 || data.every((d) => nginxBool(d?.['ssl-redirect'] ?? 'true') !== false)));
  if (!redirects) { a.looked.push(`${where} serves ${h.host} over plain HTTP too (ssl-redirect off), where no client certificate is asked for`); return; }
  // On ssl-redirect's default, a controller whose ConfigMap is not known may serve the host over plain HTTP, where no certificate is asked for.
  const blind = force || annRedirect !== undefined ? undefined : controllers.find((c) => c.configMapUnknown !== undefined);
  if (blind) { unconfirmed(a, `ingress-nginx client certificates (auth-tls-secret ${secret}) on ${where}, but ${cmUnknown(blind, 'ssl-redirect')}, and with it off plain HTTP asks for none`); return; }
  a.found.push(`ingress-nginx client certificates (auth-tls-secret ${secret}, auth-tls-verify-client on)`);
}

/** The TLSOptions Traefik reads (traefikTlsOptions) by its key Normalize(namespace-name): several when keys collide. */
const traefikTlsOptionKeys = memoize((snapshot: Snapshot): Map<string, KubeObject[]> => {
  const m = new Map<string, KubeObject[]>();
  for (const o of traefikTlsOptions(snapshot).options) {
    const key = traefikKey(nsOf(o), nameOf(o));
    m.set(key, [...(m.get(key) ?? []), o]);
  }
  return m;
}, 'tls');

/** Which TLSOption a terminating Traefik router names: "default" when none, else its reference (or why it is not read). */
type TraefikOptionRef = 'default' | { key: string; text: string; crosses: boolean } | { other: string };

function traefikOptionRef(r: EdgeRoute): TraefikOptionRef | undefined {
  if (r.route.kind === 'IngressRoute' || r.route.kind === 'IngressRouteTCP') {
    const tls = obj(obj(r.object.spec)?.tls);
    if (!tls || tls.passthrough === true) return undefined;
    const o = obj(tls.options);
    const name = str(o?.name);
    const parsed = name ? traefikCrdRef(r.route.namespace ?? 'default', str(o?.namespace), name) : undefined;
    if (parsed?.provider !== undefined) return { other: `${parsed.text} of another provider,` };
    return parsed ?? 'default';
  }
  if (r.route.kind === 'Ingress') {
    if (!traefikRouterTls(r.object)) return undefined;
    const named = str(obj(r.object.metadata?.annotations)?.['traefik.ingress.kubernetes.io/router.tls.options'])?.trim();
    if (named === undefined) return 'default';
    const m = /^(.*)@kubernetescrd$/.exec(named);
    return m ? { key: m[1], text: named, crosses: false } : { other: `${named}, not of the kubernetescrd provider,` };
  }
  return undefined;
}

/** The entryPoints a Traefik HTTP router is on, as written ('*': none named, so every default one). */
function traefikRouterEntryPoints(r: EdgeRoute): string[] {
  const eps = traefikNamedEntryPoints(r.object, r.route.kind === 'Ingress' ? 'Ingress' : r.route.kind === 'IngressRouteTCP' ? 'IngressRouteTCP' : 'IngressRoute');
  return eps.length > 0 ? eps : ['*'];
}

/**
 * Each Traefik and host a router's TLS options are chosen for, `workload|host`: every Traefik
 * workload serving it, each of which builds its own routers from the Ingresses and IngressRoutes
 * it serves (the labels differ, "Traefik (IngressClass traefik)" and "Traefik"), so two routes
 * meet on every Traefik serving both, whatever else serves either; with none in the snapshot, the
 * Traefik standing in for them all. `workload`: its name for a finding, '' for that stand-in.
 */
function traefikConflictKeys(r: EdgeRoute): Array<{ key: string; workload: string }> {
  const workloads = r.controller.workloads.map(refString);
  return workloads.length > 0 ? workloads.map((w) => ({ key: `${w}|${r.host}`, workload: w })) : [{ key: `Traefik|${r.host}`, workload: '' }];
}

/**
 * The hosts whose terminating Traefik HTTP routers (IngressRoute with tls, Ingress with router.tls)
 * on one entryPoint name different TLS options, each with the routers: Traefik then uses the default
 * TLS options for all of them (traefik/traefik pkg/server/aggregator.go@fd5a576d
 * findConflictingRouters; pkg/server/router/tcp/manager.go@v3.3.4 "Different tlsOptions on the same
 * domain, so fallback to default"). Hostless routers name no domain and take no part. Keyed
 * traefikConflictKeys, a router under each Traefik serving it: routers on no named entryPoint are
 * on every one, so they meet every group. O(routes × the Traefiks serving each).
 */
const traefikTlsOptionConflicts = memoize((snapshot: Snapshot): Map<string, string[]> => {
  // controller|host -> entryPoint -> option -> routers
  const routers = new Map<string, Map<string, Map<string, Set<string>>>>();
  // Options are told apart by the name Traefik compares, the qualified one (pkg/server/aggregator.go
  // findConflictingRouters; provider.GetQualifiedName): a kubernetescrd one by its key, however the
  // reference spells it ("opt" from namespace ns, ns/opt, ns-opt@kubernetescrd), shown as first met.
  const shown = new Map<string, string>();
  for (const r of edgeRoutes(snapshot).routes) {
    if (r.controller.family !== 'traefik' || r.host === '*' || (r.route.kind !== 'IngressRoute' && r.route.kind !== 'Ingress')) continue;
    const ref = traefikOptionRef(r);
    if (ref === undefined) continue;
    const id = ref === 'default' ? 'default' : 'other' in ref ? ref.other.split(/[ ,]/)[0] : `${ref.key}@kubernetescrd`;
    if (!shown.has(id)) shown.set(id, ref === 'default' ? 'the default TLS options' : 'other' in ref ? `TLS options ${id}` : `TLSOption ${ref.text}`);
    const option = shown.get(id)!;
    for (const { key: hostKey } of traefikConflictKeys(r)) {
      const byEp = routers.get(hostKey) ?? new Map<string, Map<string, Set<string>>>();
      routers.set(hostKey, byEp);
      for (const ep of traefikRouterEntryPoints(r)) {
        const byOption = byEp.get(ep) ?? new Map<string, Set<string>>();
        byEp.set(ep, byOption);
        byOption.set(option, (byOption.get(option) ?? new Set<string>()).add(`${r.route.kind} ${r.route.namespace}/${r.route.name}`));
      }
    }
  }
  const out = new Map<string, string[]>();
  for (const [hostKey, byEp] of routers) {
    const everywhere = byEp.get('*') ?? new Map<string, Set<string>>();
    for (const [ep, byOption] of byEp) {
      const options = new Map(everywhere);
      for (const [o, names] of byOption) options.set(o, new Set([...(options.get(o) ?? []), ...names]));
      if (options.size < 2) continue;
      const where = ep === '*' ? 'on the same entryPoints' : `on entryPoint ${ep}`;
      out.set(hostKey, [...(out.get(hostKey) ?? []), `${[...options].map(([o, names]) => `${[...names].sort().join(', ')} ${names.size > 1 ? 'use' : 'uses'} ${o}`).join('; ')} ${where}`]);
    }
  }
  return out;
}, 'tls');

/**
 * Client certificates at Traefik: a TLSOption whose clientAuth names CA Secrets (secretNames) and
 * whose clientAuthType is explicitly RequireAndVerifyClientCert. With that type and no CA Traefik
 * fails closed: buildTLSConfig returns "invalid clientAuthType: RequireAndVerifyClientCert, CAFiles
 * is required" and the router's host gets a closing TLS route (traefik/traefik
 * pkg/tls/tlsmanager.go@fd5a576d buildTLSConfig; pkg/server/router/tcp/manager.go "broken TLS
 * options"). Without a type Traefik requires client certificates only when at least one CA was
 * read (buildTLSConfig sets tls.RequireAndVerifyClientCert only when CAFiles is non-empty), and
 * the CRD provider leaves out a CA Secret it cannot find (pkg/provider/kubernetes/crd/kubernetes.go
 * buildTLSOptions): ztaudit never reads Secrets, so such an option is not counted.
 * NoClientCert, RequestClientCert, RequireAnyClientCert (any certificate, none verified) and
 * VerifyClientCertIfGiven (a client without one gets through) authenticate no one
 * (https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/tls/tlsoption/,
 * clientAuth.clientAuthType). Every route of the host must be a TLS router using such an option:
 * an IngressRoute or a terminating IngressRouteTCP with spec.tls, its tls.options found by Traefik's
 * key (of another namespace only with allowCrossNamespace), an Ingress with a router.tls
 * annotation and router.tls.options "<key>@kubernetescrd"; naming none, the TLSOption named
 * "default" when exactly one namespace holds one (else Traefik's built-in default, no client
 * certificates). An HTTP router whose rule names no host cannot have TLS options (Traefik picks
 * them by SNI before routing: pkg/server/router/tcp/manager.go "No domain found in rule … the TLS
 * option … cannot be applied"): it gets the default ones. HTTP routers of one host and entryPoint
 * naming different options all get the default ones (traefikTlsOptionConflicts). A HostSNI(`*`)
 * IngressRouteTCP keeps its own.
 */
function traefikClientCertificates(snapshot: Snapshot, h: ExposedHost, a: GuardAnswer): void {
  const options = traefikTlsOptions(snapshot);
  const byKey = traefikTlsOptionKeys(snapshot);
  const defaults = options.defaultNamespaces === 1 ? options.options.filter((o) => nameOf(o) === 'default') : [];
  const unread = TRAEFIK_TLS_OPTION_KEYS.filter((k) => ['forbidden', 'error'].includes(snapshot.coverage[k]?.status ?? ''));
  const conflicts = traefikTlsOptionConflicts(snapshot);
  const mutual = new Set<string>();
  let conflictSaid = false;
  for (const r of h.routes) {
    const where = `${r.route.kind} ${r.route.namespace}/${r.route.name}`;
    let ref = traefikOptionRef(r);
    if (ref === undefined) return;
    if (typeof ref === 'object' && 'other' in ref) { a.looked.push(`${where} uses TLS options ${ref.other} which is not read`); return; }
    if (r.route.kind !== 'IngressRouteTCP') {
      // A conflict on any Traefik serving the route: that Traefik falls back to the default options, so its clients meet no client-certificate demand.
      const hit = r.host === '*' ? undefined : traefikConflictKeys(r).map((k) => ({ ...k, conflict: conflicts.get(k.key) })).find((k) => k.conflict);
      const conflict = hit?.conflict;
      if (conflict) {
        if (!conflictSaid) a.looked.push(`${r.host}: ${conflict.join('; ')}: Traefik then uses the default TLS options for all of them${hit.workload ? ` (on ${hit.workload})` : ''}`);
        conflictSaid = true;
        ref = 'default';
      } else if (r.host === '*' && ref !== 'default') {
        a.looked.push(`${where}: its rule names no host, so Traefik cannot apply TLSOption ${ref.text} (TLS options are chosen by SNI) and uses the default TLS options`);
        ref = 'default';
      }
    }
    const found = ref === 'default' ? defaults : byKey.get(ref.key) ?? [];
    const text = ref === 'default' ? 'the default TLSOption' : `TLSOption ${ref.text}`;
    if (found.length !== 1) {
      if (ref !== 'default' || unread.length > 0) a.looked.push(`${where} uses ${text}, which ${unread.length > 0 ? `could not be read (${unread.join(', ')})` : found.length === 0 ? 'does not exist' : 'several TLSOptions answer to'}`);
      return;
    }
    const option = found[0];
    const id = `${nsOf(option)}/${nameOf(option)}`;
    // Only a TLSOption that counts for a Traefik resolving the route (traefikCrdCounts: its API group by that Traefik's release, traefik.io under a release not known, its watched namespaces) applies to its router, as a Middleware does.
    const sees = traefikCrdProvidersResolving(snapshot, r.object).map((p) => traefikCrdCounts(p, option, r.object));
    if (!sees.some((x) => x.sees === true)) {
      a.looked.push(`TLSOption ${id} (${option.apiVersion ?? 'no apiVersion'}), which ${where} uses, is there, but ${sees.find((x) => x.why)?.why ?? 'no Traefik serving the route runs the CRD provider'}, so it does not count`);
      return;
    }
    if (ref !== 'default' && ref.crosses && !crossingCounts(snapshot, h, `TLSOption ${ref.text}`, true, a)) return;
    const clientAuth = obj(obj(option.spec)?.clientAuth);
    const secrets = arr(clientAuth?.secretNames).filter((x): x is string => typeof x === 'string' && x !== '');
    const type = str(clientAuth?.clientAuthType) ?? '';
    if (secrets.length === 0 || type !== 'RequireAndVerifyClientCert') {
      if (clientAuth) {
        a.looked.push(`TLSOption ${id}, which ${where} uses, ${secrets.length === 0 ? 'names no CA secretNames, so no client certificate is verified'
          : type === '' ? `names no clientAuthType: Traefik then requires a client certificate only if one of its CA Secrets (${secrets.join(', ')}) exists, and CA Secrets are not read (Traefik requests no client certificate when none of them exists); set clientAuthType: RequireAndVerifyClientCert`
          : `has clientAuthType ${type}, which lets a client through without a verified certificate`}`);
      }
      return;
    }
    mutual.add(`Traefik TLSOption ${id} clientAuth ${type} (CA secretNames ${secrets.join(', ')})`);
  }
  if (mutual.size > 0) a.found.push(...mutual);
}

/**
 * Client certificates at an Istio Gateway: a server with tls.mode MUTUAL requires one
 * (https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSmode;
 * OPTIONAL_MUTUAL admits clients without one). Every server a route of the host is bound to
 * must require it, or be plain HTTP that only redirects (tls.httpsRedirect); a server the route
 * answers a covering host on ("*" for a.example.com) serves the host too.
 */
function istioClientCertificates(snapshot: Snapshot, h: ExposedHost, a: GuardAnswer): void {
  const routes = h.routes.filter((r) => r.via === 'IstioGateway' && r.gateway);
  if (routes.length === 0 || routes.length !== h.routes.length) return;
  const gateways = new Map((snapshot.resources['istio.gateways'] ?? []).map((g) => [`${nsOf(g)}/${nameOf(g)}`, g]));
  const attachments = edgeRoutes(snapshot).attachments;
  const mutual: string[] = [];
  const open: string[] = [];
  for (const r of routes) {
    const gw = r.gateway!;
    const servers = arr(obj(gateways.get(`${gw.namespace}/${gw.name}`)?.spec)?.servers).map((sv) => obj(sv) ?? {});
    const bound = attachments.filter((x) => x.server !== undefined && x.gateway.kind === gw.kind && x.gateway.namespace === gw.namespace && x.gateway.name === gw.name
      && x.route.kind === r.route.kind && x.route.namespace === r.route.namespace && x.route.name === r.route.name && x.hosts.some((served) => istioHostSubsetOf(h.host, served)));
    if (bound.length === 0) return;
    for (const x of bound) {
      const tls = obj(servers[x.server!]?.tls);
      const mode = (str(tls?.mode) ?? '').toUpperCase();
      const server = `Istio Gateway ${gw.namespace}/${gw.name} servers[${x.server}]`;
      if (mode === 'MUTUAL') mutual.push(server);
      else if (tls?.httpsRedirect !== true) open.push(`${server}${mode ? ` (tls.mode ${mode})` : ''}`);
    }
  }
  if (mutual.length === 0) return;
  const required = [...new Set(mutual)].join(', ');
  if (open.length > 0) a.looked.push(`client certificates required (tls.mode MUTUAL) on ${required}, but ${[...new Set(open)].join(', ')} serve${open.length > 1 ? '' : 's'} ${h.host} without one`);
  else a.found.push(`client certificates required (tls.mode MUTUAL) on ${required}`);
}

function imagesOf(spec: Record<string, unknown>): string[] {
  return arr(spec.containers).map((c) => str(obj(c)?.image)).filter((i): i is string => !!i);
}

/** Container images of the edge controller's workloads (exact, or by its pod selectors). */
function controllerImages(snapshot: Snapshot, c: EdgeController): string[] {
  const index = workloadIndex(snapshot);
  const key = JSON.stringify([c.workloads, c.selectors]);
  const cached = index.images.get(key);
  if (cached) return cached;
  const out = new Set<string>();
  for (const w of workloadsOf(snapshot)) {
    const labels = w.template?.labels ?? w.pods[0]?.labels ?? {};
    const exact = c.workloads.some((r) => r.kind === w.ref.kind && r.name === w.ref.name && r.namespace === w.ref.namespace);
    const bySel = c.selectors.some((sel) => (sel.namespace === undefined || sel.namespace === w.ref.namespace) && Object.entries(sel.labels).every(([k, v]) => labels[k] === v));
    if (exact || bySel) for (const i of imagesOf(w.template?.spec ?? w.pods[0]?.spec ?? {})) out.add(i);
  }
  index.images.set(key, [...out]);
  return [...out];
}

function backendImages(snapshot: Snapshot, r: EdgeRoute): string[] {
  const index = workloadIndex(snapshot);
  const svc = index.services.get(`${r.backend.namespace}\u0000${r.backend.name}`);
  const sel = stringMap(obj(svc?.spec)?.selector);
  if (!svc || Object.keys(sel).length === 0) return [];
  const out: string[] = [];
  for (const w of index.byNs.get(r.backend.namespace) ?? []) {
    const labels = w.template?.labels ?? w.pods[0]?.labels ?? {};
    if (!Object.entries(sel).every(([k, v]) => labels[k] === v)) continue;
    out.push(...imagesOf(w.template?.spec ?? w.pods[0]?.spec ?? {}));
  }
  return out;
}

// ---- rate limit ----

export function edgeRateLimit(snapshot: Snapshot, h: ExposedHost, istioRoot: string): GuardAnswer {
  const a: GuardAnswer = { found: [], looked: [], malformed: [] };
  const where = `${h.route.kind} ${h.route.namespace}/${h.route.name}`;
  if (nginxIngress(snapshot, h, a)) perNginxPrefix(snapshot, h, a, (p, _controllers, a) => {
    // Annotations only: no key of the controller ConfigMap sets a rate limit
    // (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/ has
    // limit-req-status-code and limit-conn-zone-variable, which shape a limit an annotation sets), so
    // a ConfigMap not known, or a value in it ingress-nginx refuses, changes no verdict here; only
    // nginx refusing the whole configuration does (perNginxPrefix, nginxAppliedDoubt).
    const an = annotations(h.object, ['limit-rps', 'limit-rpm', 'limit-connections'].map((k) => p + k), where, a);
    a.looked.push(`annotations ${p}limit-rps/limit-rpm/limit-connections on ${where}`);
    for (const key of ['limit-rps', 'limit-rpm', 'limit-connections'] as const) {
      const v = an[p + key];
      if (v === undefined) continue;
      if (/^\s*[1-9]\d*\s*$/.test(v)) a.found.push(`ingress-nginx ${key} ${v.trim()}`);
      else a.malformed.push(`${where}: annotation ${p}${key} "${v}" is not a positive integer; no limit applies`);
    }
  });
  settleRouteGuards(h, traefikRouteGuards(traefikMiddlewares(snapshot, h, a), (mw) => {
    // A MiddlewareTCP inFlightConn limits the simultaneous connections per client address as an
    // inFlightReq limits the simultaneous requests
    // (https://doc.traefik.io/traefik/reference/routing-configuration/tcp/middlewares/inflightconn/).
    if (mw.tcp) return mw.tcp.type === 'inFlightConn' ? [`Traefik MiddlewareTCP ${mw.ref} inFlightConn${mw.tcp.amount !== undefined ? ` (amount ${mw.tcp.amount})` : ''}`] : [];
    return (['rateLimit', 'inFlightReq'] as const).filter((k) => obj(mw.spec[k])).map((k) => `Traefik Middleware ${mw.ref} ${k}`);
  }, a), a);
  if (h.route.kind === 'HTTPProxy') {
    const spec = obj(h.object.spec) ?? {};
    a.looked.push(`HTTPProxy ${h.route.namespace}/${h.route.name} rateLimitPolicy (virtualhost and routes)`);
    if (obj(obj(spec.virtualhost)?.rateLimitPolicy)) a.found.push('Contour virtualhost rateLimitPolicy');
    else {
      const routes = arr(spec.routes).map((r) => obj(r) ?? {});
      if (routes.length > 0 && routes.every((r) => obj(r.rateLimitPolicy))) a.found.push('Contour rateLimitPolicy on every route');
    }
  }
  if (h.controller.family === 'istio') {
    const labels = controllerPods(snapshot, h.controller);
    a.looked.push(`Istio EnvoyFilters with a rate limit filter on the gateway pods of ${h.controller.label}`);
    for (const ef of snapshot.resources['istio.envoyfilters'] ?? []) {
      if (!selectsController(stringMap(obj(obj(ef.spec)?.workloadSelector)?.labels), nsOf(ef), istioRoot, labels)) continue;
      if (/envoy\.filters\.http\.(local_)?ratelimit|local_ratelimit/.test(JSON.stringify(obj(ef.spec)?.configPatches ?? []))) a.found.push(`EnvoyFilter ${nsOf(ef)}/${nameOf(ef)} (rate limit filter)`);
    }
  }
  envoyGatewayPolicies(snapshot, h, 'BackendTrafficPolicy', where, a, (p) => (obj(obj(p.spec)?.rateLimit) ? [`BackendTrafficPolicy ${nsOf(p)}/${nameOf(p)} rateLimit`] : []));
  return a;
}

// ---- WAF ----

/**
 * Whether a controller applies a *-snippet annotation (its risk level is Critical). It drops
 * them unless its ConfigMap sets allow-snippet-annotations "true" (default false since v1.9:
 * internal/ingress/controller/controller.go dropSnippetDirectives), and it refuses the whole
 * Ingress when annotations-risk-level is below Critical (annotations.go Extract, parser
 * CheckAnnotationRisk), which is the default from v1.12 (High; Critical before). Why not is
 * added to `a.looked`.
 */
function nginxSnippetAccepted(c: NginxController | undefined, data: Record<string, string> | undefined, cm: string, key: string, where: string, a: GuardAnswer): boolean {
  const allow = data?.['allow-snippet-annotations'];
  if (allow === undefined || nginxBool(allow) !== true) {
    a.looked.push(`annotation ${key} on ${where} is dropped: ${cm} does not set allow-snippet-annotations "true" (default false)`);
    return false;
  }
  const risk = data?.['annotations-risk-level'];
  if (risk !== undefined) {
    // parser.StringRiskToRisk: case-insensitive, an unknown value is Low.
    if (risk.trim().toLowerCase() === 'critical') return true;
    a.looked.push(`annotation ${key} on ${where} is Critical risk, above ${cm} annotations-risk-level "${risk}": ingress-nginx refuses the Ingress's annotations`);
    return false;
  }
  const version = c?.image ? nginxImageVersion(c.image) : undefined;
  if (version && (version[0] < 1 || (version[0] === 1 && version[1] < 12))) return true;
  a.looked.push(version
    ? `annotation ${key} on ${where} is Critical risk, above the default annotations-risk-level High of ingress-nginx v${version.join('.')} (${cm} does not set it): ingress-nginx refuses the Ingress's annotations`
    : `annotation ${key} on ${where} is Critical risk; ${cm} does not set annotations-risk-level and the controller version is unknown (${c?.image ?? 'no controller found'}): from v1.12 the default, High, refuses the Ingress's annotations, so the snippet is not counted`);
  return false;
}

const WAF_NAME = /coraza|modsecurity|owasp|waf/i;

export function edgeWaf(snapshot: Snapshot, h: ExposedHost, istioRoot: string): GuardAnswer {
  const a: GuardAnswer = { found: [], looked: [], malformed: [] };
  const where = `${h.route.kind} ${h.route.namespace}/${h.route.name}`;
  if (nginxIngress(snapshot, h, a)) perNginxPrefix(snapshot, h, a, (p, controllers, a) => {
    const an = annotations(h.object, ['enable-modsecurity', 'enable-owasp-core-rules', 'modsecurity-snippet'].map((k) => p + k), where, a);
    // Annotations are read with strconv.ParseBool; an unparsable one is as if unset.
    const annotationFlag = (key: string): boolean | undefined => {
      const v = an[p + key];
      if (v === undefined) return undefined;
      const b = nginxAnnotationBool(v);
      if (b === undefined) a.malformed.push(`${where}: annotation ${p}${key} "${v}" is not a boolean; ingress-nginx ignores it`);
      return b;
    };
    // The ConfigMap is decoded weakly typed (nginxBool); an unparsable value keeps the default, off.
    const configFlag = (key: string, data: Record<string, string>, cm: string): boolean => {
      const v = data[key];
      if (v === undefined) return false;
      const b = nginxBool(v);
      if (b === undefined) a.malformed.push(`${cm}: ${key} "${v}" is not a boolean; ingress-nginx keeps the default, false`);
      return b ?? false;
    };
    a.looked.push(`annotations ${p}enable-modsecurity/enable-owasp-core-rules/modsecurity-snippet on ${where}`);
    const locEnable = annotationFlag('enable-modsecurity');
    const locCrs = annotationFlag('enable-owasp-core-rules') === true;
    const snippet = an[`${p}modsecurity-snippet`];
    // Per controller, as internal/ingress/controller/template/template.go buildModSecurityForLocation
    // and nginx.tmpl decide for the location: the engine runs when the ConfigMap or the annotation
    // turns it on, and not when the annotation turns it off; the ConfigMap's Core Rule Set is loaded
    // only with its engine, the annotation's only when the ConfigMap's rule set is off. Every
    // controller serving the Ingress must inspect it.
    const verdicts = (controllers.length > 0 ? controllers : [undefined]).map((c) => {
      // Its ConfigMap not known: it may turn ModSecurity and its rule set on, or (enable-owasp-modsecurity-crs
      // without the engine) keep the annotation's rule set from loading; only the annotation turning the engine off is certain.
      if (c?.configMapUnknown !== undefined) {
        if (locEnable === false) { a.looked.push(`annotation ${p}enable-modsecurity "false" on ${where} turns ModSecurity off whatever the ConfigMap of ${refString(c.ref)} says`); return undefined; }
        unconfirmed(a, cmUnknown(c, 'ModSecurity configuration (enable-modsecurity, enable-owasp-modsecurity-crs)'));
        return undefined;
      }
      const data = c?.configMap ? configMapData(snapshot, c.configMap) : undefined;
      const cm = c?.configMap ? `ConfigMap ${c.configMap.namespace}/${c.configMap.name}` : c ? `ingress-nginx ${c.ref.namespace}/${c.ref.name} (${nginxNoConfigMap(c)})` : 'the controller configuration (not found: defaults)';
      if (c) a.looked.push(c.configMap ? `${cm} enable-modsecurity/enable-owasp-modsecurity-crs${data ? '' : ' (not found: defaults, ModSecurity off)'}` : `${cm}: ModSecurity off by default`);
      const cfgOn = data ? configFlag('enable-modsecurity', data, cm) : false;
      const cfgCrs = data ? configFlag('enable-owasp-modsecurity-crs', data, cm) : false;
      const engine = locEnable === false ? false : cfgOn || locEnable === true;
      const locSnippet = snippet !== undefined && nginxSnippetAccepted(c, data, cm, `${p}modsecurity-snippet`, where, a) ? snippet : '';
      const locSnippetRules = /\b(SecRule|Include)\b/.test(locSnippet);
      if (!engine) {
        if (cfgOn) a.looked.push(`${cm} enables ModSecurity, turned off for ${where} by annotation ${p}enable-modsecurity: "${an[`${p}enable-modsecurity`]}"`);
        return undefined;
      }
      const crs = (cfgOn && cfgCrs) || (!cfgCrs && locCrs);
      // The recommended modsecurity.conf ingress-nginx ships runs SecRuleEngine DetectionOnly: say which mode blocks.
      const blocking = /SecRuleEngine\s+On/i.test(`${data?.['modsecurity-snippet'] ?? ''}\n${locSnippet}`);
      const mode = blocking ? 'SecRuleEngine On' : 'default engine mode DetectionOnly unless a modsecurity-snippet sets SecRuleEngine On';
      const engineFrom = cfgOn ? cm : `annotation ${p}enable-modsecurity on ${where}`;
      if (crs) return cfgOn && cfgCrs ? `ingress-nginx ModSecurity with the OWASP Core Rule Set (${cm}; ${mode})` : `ingress-nginx ModSecurity with the OWASP Core Rule Set (engine: ${engineFrom}; rule set: annotation ${p}enable-owasp-core-rules on ${where}; ${mode})`;
      if (locSnippetRules) return `ingress-nginx ModSecurity on ${where} (engine: ${engineFrom}; rules in annotation ${p}modsecurity-snippet)`;
      if (cfgCrs && locCrs) a.looked.push(`${where} asks for the OWASP Core Rule Set by annotation, but ${cm} sets enable-owasp-modsecurity-crs without enable-modsecurity, so neither loads it`);
      else a.looked.push(`${cfgOn ? cm : where} enables ModSecurity without the OWASP Core Rule Set (no rules loaded)`);
      return undefined;
    });
    if (verdicts.every((v) => v !== undefined)) a.found.push(...new Set(verdicts as string[]));
  });
  // Engines detectable by name: the controller's own images, Traefik plugin middlewares, Istio EnvoyFilters.
  a.looked.push(`images of ${h.controller.label} for a WAF engine (Coraza, ModSecurity)`);
  for (const image of controllerImages(snapshot, h.controller)) if (/coraza|modsecurity/i.test(image)) a.found.push(`WAF engine in the controller image ${image}`);
  settleRouteGuards(h, traefikRouteGuards(traefikMiddlewares(snapshot, h, a), (mw) => {
    const waf = mw.tcp ? [] : Object.keys(obj(mw.spec.plugin) ?? {}).filter((k) => WAF_NAME.test(k));
    return waf.length ? [`Traefik Middleware ${mw.ref} plugin ${waf.join(', ')}`] : [];
  }, a), a);
  if (h.controller.family === 'istio') {
    const labels = controllerPods(snapshot, h.controller);
    a.looked.push(`Istio EnvoyFilters naming a WAF engine (Coraza, ModSecurity) on the gateway pods of ${h.controller.label}`);
    for (const ef of snapshot.resources['istio.envoyfilters'] ?? []) {
      if (!selectsController(stringMap(obj(obj(ef.spec)?.workloadSelector)?.labels), nsOf(ef), istioRoot, labels)) continue;
      if (/coraza|modsecurity/i.test(JSON.stringify(obj(ef.spec)?.configPatches ?? [])) || WAF_NAME.test(nameOf(ef))) a.found.push(`EnvoyFilter ${nsOf(ef)}/${nameOf(ef)} (WAF filter)`);
    }
  }
  return a;
}
