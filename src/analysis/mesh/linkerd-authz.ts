// Linkerd inbound authorization for one call (caller → meshed pod, port). Semantics, from
// https://linkerd.io/2.16/reference/authorization-policy/ and /2.16/features/server-policy/:
// - a port covered by a Server is denied unless authorized ("When a Server resource is present,
//   all traffic to the port on its pods will be denied (regardless of the default policy) unless
//   explicitly authorized"); newer Servers name that fallback in `accessPolicy` (default deny);
// - a port without a Server follows the default inbound policy (pod annotation > namespace
//   annotation > cluster default);
// - authorizations only allow: an AuthorizationPolicy targets a Server, a route attached to a
//   Server (HTTPRoute of policy.linkerd.io or gateway.networking.k8s.io, GRPCRoute), or a Namespace
//   (every Server and route in it), and requires *all* of its
//   requiredAuthenticationRefs (MeshTLSAuthentication, NetworkAuthentication, ServiceAccount);
//   a legacy ServerAuthorization names Servers by name or selector and one kind of client;
// - once routes attach to a Server, requests that match no route are refused (404), so what a
//   caller may do on that port depends on the request: the verdict is 'depends', naming the routes.
//   Which routes count follows the Server's proxyProtocol: linkerd2 policy-controller/grpc/src/inbound.rs
//   (to_server) sends HTTPRoutes for unknown (detect), HTTP/1 and HTTP/2, GRPCRoutes for gRPC, and
//   no routes for opaque and TLS, whose connections only the Server's authorizations decide;
//   and only routes Linkerd accepted for that Server count (routeRefusal).
// A caller's address is not in the snapshot: a NetworkAuthentication narrower than the whole
// address space makes the answer 'depends'.

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KubeObject } from '../../snapshot/types.ts';
import type { MeshCallee, MeshCaller, MeshFlowVerdict, MeshVerdictKind } from './flow.ts';
import { inLinkerdClusterNetworks, isLinkerdPolicy, portInList, winningServer, withIdentityRequired, type LinkerdClusterNetworks, type LinkerdServer } from './linkerd.ts';
import { arr, createdAt, labelSelectorMatches, obj, str } from './util.ts';

export const LINKERD_DEFAULT_TRUST_DOMAIN = 'cluster.local';

/** A Linkerd proxy identity: `SA.NS.serviceaccount.identity.linkerd.TRUST_DOMAIN`. */
export function linkerdIdentity(serviceAccount: string, namespace: string, trustDomain = LINKERD_DEFAULT_TRUST_DOMAIN): string {
  return `${serviceAccount}.${namespace}.serviceaccount.identity.linkerd.${trustDomain}`;
}

type Match = 'yes' | 'no' | 'depends';

/** Who an authentication (or a ServerAuthorization client) admits, decided per caller. */
interface ClientRule {
  /** 'mesh': a meshed caller with a matching identity; 'network': callers from these networks, meshed or not. */
  kind: 'mesh' | 'network' | 'never';
  /** mesh: identity patterns (exact, "*", or "*.suffix"); empty = any meshed identity. */
  identities: string[];
  /** mesh: namespaces whose every ServiceAccount is admitted (identityRefs kind Namespace). */
  namespaces: string[];
  /** network: covers every address (0.0.0.0/0 and ::/0 without except). */
  everywhere: boolean;
  why: string;
  /**
   * mesh: the object ("MeshTLSAuthentication ns/name") that writes identities out (any but "*"):
   * names ending in the trust domain, matched against the caller's in the assumed one.
   */
  literal?: string;
}

export interface LinkerdAuthorization {
  ref: ResourceRef;
  /** What it is attached to; a route by group too, as the policy controller keys it (GroupKindName). */
  target: { kind: 'Server' | 'Namespace'; name: string } | { kind: RouteKind; group: string; name: string } | { kind: 'ServerSelector'; selector: unknown };
  /** All must admit the caller (AuthorizationPolicy semantics; a ServerAuthorization has one). */
  rules: ClientRule[];
  problems: string[];
  /** Admits any caller, meshed or not, from anywhere (plaintext from everyone). */
  anyCaller: boolean;
  /** Admits any meshed identity (no identity narrows it). */
  anyIdentity: boolean;
  /** A rule's identities are written out in a trust domain (ClientRule.literal): the object that does. */
  literalIdentities?: string;
}

type RouteKind = 'HTTPRoute' | 'GRPCRoute';
const LINKERD_GROUP = 'policy.linkerd.io';
const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/**
 * Why Linkerd does not apply a route to one of its Servers: its own status entry for the Server
 * does not say Accepted "True" ('status', with the condition's reason when readable), there is no
 * such entry in objects read from the API server ('no-status'), or, in manifests, the status
 * controller would refuse it once applied ('conflict': a GRPCRoute names the same Server).
 */
export type LinkerdRouteRefusal = { kind: 'status'; reason?: string } | { kind: 'no-status' } | { kind: 'conflict'; grpcRoute: string };

export interface LinkerdRoute {
  ref: ResourceRef;
  group: string;
  servers: string[];
  /** Servers (by name) Linkerd does not apply the route to, and why; the others apply it. */
  refused: Map<string, LinkerdRouteRefusal>;
}

export interface LinkerdPolicyIndex {
  trustDomain: string;
  /** Per namespace. */
  authorizations: Map<string, LinkerdAuthorization[]>;
  /** Routes per Server they attach to (serverKey). */
  routesByServer: Map<string, LinkerdRoute[]>;
  /** AuthorizationPolicies per route they target (routeKey). */
  routeAuthorizations: Map<string, LinkerdAuthorization[]>;
  problems: Array<{ ref: ResourceRef; problem: string }>;
}

const serverKey = (namespace: string, name: string) => `${namespace}\u0000${name}`;
/** The policy controller compares a route's group, kind and name ignoring ASCII case (index.rs route_client_authzs). */
const routeKey = (namespace: string, group: string, kind: string, name: string) => `${namespace}\u0000${`${group}\u0000${kind}\u0000${name}`.toLowerCase()}`;

/**
 * Whether a reference (parentRef, targetRef, authentication ref) names a resource of this group and
 * kind: linkerd2 policy-controller/k8s/api/src/policy.rs targets_kind compares group and kind
 * ignoring ASCII case and reads an absent or empty group as "core". So a Server parentRef without
 * group policy.linkerd.io names no Server (Gateway API itself defaults an absent parentRef group to
 * gateway.networking.k8s.io), nor does a MeshTLSAuthentication ref without it.
 */
function targetsKind(ref: Record<string, unknown> | undefined, group: string, kind: string): boolean {
  const g = str(ref?.group) || 'core';
  return g.toLowerCase() === group && (str(ref?.kind) ?? '').toLowerCase() === kind.toLowerCase();
}

const targetsServer = (p: Record<string, unknown>) => targetsKind(p, LINKERD_GROUP, 'Server');

/**
 * An AuthorizationPolicy's targetRef, of the kinds authorization_policy.rs `target` accepts, each of
 * its own group; a route is keyed with the group it was named with (policy.linkerd.io or gateway
 * HTTPRoute, gateway GRPCRoute). Undefined: the policy controller rejects the policy.
 */
function policyTarget(t: Record<string, unknown> | undefined, name: string): LinkerdAuthorization['target'] | undefined {
  if (targetsKind(t, LINKERD_GROUP, 'Server')) return { kind: 'Server', name };
  if (targetsKind(t, 'core', 'Namespace')) return { kind: 'Namespace', name };
  if (targetsKind(t, LINKERD_GROUP, 'HTTPRoute') || targetsKind(t, GATEWAY_GROUP, 'HTTPRoute')) return { kind: 'HTTPRoute', group: str(t?.group)!, name };
  if (targetsKind(t, GATEWAY_GROUP, 'GRPCRoute')) return { kind: 'GRPCRoute', group: str(t?.group)!, name };
  return undefined;
}

/**
 * The Servers a route attaches to: parentRefs that target a Server. A Server parentRef in another
 * namespace, or with a port or sectionName, makes the policy controller refuse the whole route
 * (linkerd2 policy-controller/k8s/index/src/inbound/routes.rs, InvalidParentRef).
 */
function routeServers(o: KubeObject, namespace: string): string[] {
  const out: string[] = [];
  for (const raw of arr(obj(o.spec)?.parentRefs)) {
    const p = obj(raw);
    if (!p || !targetsServer(p) || !str(p.name)) continue;
    if ((p.namespace !== undefined && p.namespace !== namespace) || p.port !== undefined || p.sectionName !== undefined) return [];
    out.push(str(p.name)!);
  }
  return out;
}

/** The controllerName Linkerd's policy controller writes route statuses under (policy-controller/core/src/lib.rs). */
const LINKERD_CONTROLLER = 'linkerd.io/policy-controller';

/** A condition reason as the API server validates it (CamelCase), so that it can be quoted as is; others are left out. */
const READABLE_REASON = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/**
 * What the route's status says of each Server, as Linkerd reads it: the policy controller keeps a
 * status.parents entry by controllerName linkerd.io/policy-controller and kind "Server" and keys
 * it by name alone (policy-controller/k8s/index/src/inbound/routes.rs Status::collect_from_http,
 * from_http_parent_status), so its group and namespace are not compared here either; the route is
 * accepted for that Server when one such entry holds condition Accepted "True" (accepted_by_server).
 */
function linkerdStatuses(o: KubeObject): Map<string, { accepted: boolean; reason?: string }> {
  const out = new Map<string, { accepted: boolean; reason?: string }>();
  for (const raw of arr(obj(o.status)?.parents)) {
    const p = obj(raw);
    const parent = obj(p?.parentRef);
    const name = str(parent?.name);
    if (!p || str(p.controllerName) !== LINKERD_CONTROLLER || str(parent?.kind) !== 'Server' || !name) continue;
    const conditions = arr(p.conditions).map((c) => obj(c));
    const yes = conditions.some((c) => c?.type === 'Accepted' && c?.status === 'True');
    const no = str(conditions.find((c) => c?.type === 'Accepted' && c?.status === 'False')?.reason);
    const prior = out.get(name);
    out.set(name, { accepted: (prior?.accepted ?? false) || yes, reason: prior?.reason ?? (no && READABLE_REASON.test(no) ? no : undefined) });
  }
  return out;
}

/**
 * Why Linkerd does not apply a route to Server `server`, or undefined when it does. Since Linkerd
 * stable-2.13.0 (linkerd2 commit 3ae3890593fc "Consider HTTPRoute `status` in policy controller")
 * the policy controller sends a Server only the routes accepted for it (index.rs http_routes and
 * grpc_routes filter on accepted_by_server; read at linkerd2 b24cd4059841), so a route with no
 * such status entry is not applied either: in objects read from the API server (`statusObserved`)
 * that is what it means. Manifests carry no status: there the route is judged as the status
 * controller would judge it once applied (policy-controller/k8s/status/src/index.rs
 * parent_condition_server): accepted, except an HTTPRoute on a Server a GRPCRoute also names
 * (parent_has_conflicting_routes, GEP-1426 route types; since Linkerd 2.16, commit 4a07961a084a: Accepted False,
 * RouteReasonConflicted). A status a manifest does carry is honoured as written.
 */
function routeRefusal(statuses: Map<string, { accepted: boolean; reason?: string }>, server: string, kind: RouteKind, grpcRouteOnServer: string | undefined, statusObserved: boolean): LinkerdRouteRefusal | undefined {
  const s = statuses.get(server);
  if (s) return s.accepted ? undefined : { kind: 'status', reason: s.reason };
  if (statusObserved) return { kind: 'no-status' };
  if (kind === 'HTTPRoute' && grpcRouteOnServer !== undefined) return { kind: 'conflict', grpcRoute: grpcRouteOnServer };
  return undefined;
}

/**
 * The Servers each GRPCRoute names as parent, as the status controller reads parentRefs
 * (policy-controller/k8s/status/src/routes/grpc.rs to_parent_ref: the parentRef's namespace, else
 * the route's; port and sectionName not looked at): serverKey → the first such GRPCRoute by name.
 */
function grpcRouteParents(routes: KubeObject[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of routes) {
    const ns = o.metadata?.namespace ?? 'default';
    const routeName = o.metadata?.name ?? '';
    for (const raw of arr(obj(o.spec)?.parentRefs)) {
      const p = obj(raw);
      if (!p || !targetsServer(p)) continue;
      const key = serverKey(typeof p.namespace === 'string' ? p.namespace : ns, str(p.name) ?? '');
      const prior = out.get(key);
      if (prior === undefined || routeName < prior) out.set(key, routeName);
    }
  }
  return out;
}

const ALL_V4 = '0.0.0.0/0';
const ALL_V6 = '::/0';

function networksRule(raw: unknown, why: string): ClientRule {
  const nets = arr(raw).map((n) => obj(n)).filter((n): n is Record<string, unknown> => !!n);
  const everywhere = nets.some((n) => (n.cidr === ALL_V4 || n.cidr === ALL_V6) && arr(n.except).length === 0);
  return { kind: 'network', identities: [], namespaces: [], everywhere, why };
}

function meshRule(identities: string[], namespaces: string[], why: string): ClientRule {
  return { kind: 'mesh', identities, namespaces, everywhere: false, why };
}

/** A rule no client can satisfy (a missing or unusable authentication), saying why. */
function neverRule(why: string): ClientRule {
  return { kind: 'never', identities: [], namespaces: [], everywhere: false, why };
}

function refOf(o: KubeObject, kind: string): ResourceRef {
  return { kind, namespace: o.metadata?.namespace ?? 'default', name: o.metadata?.name ?? '' };
}

/** MeshTLSAuthentication → rule (identities and identityRefs). */
function meshTlsRule(o: KubeObject | undefined, ns: string, name: string, trustDomain: string, problems: string[]): ClientRule {
  if (!o) {
    problems.push(`MeshTLSAuthentication ${ns}/${name} does not exist`);
    return neverRule(`missing MeshTLSAuthentication ${name}`);
  }
  const spec = obj(o.spec) ?? {};
  const identities = arr(spec.identities).filter((x): x is string => typeof x === 'string');
  const namespaces: string[] = [];
  let rejected = false;
  let unmatchable = false;
  for (const r of arr(spec.identityRefs)) {
    const ro = obj(r);
    const rname = str(ro?.name);
    // meshtls_authentication.rs: ServiceAccount and Namespace refs, of the core group (targets_kind).
    // A ServiceAccount ref is one exact identity (IdentityMatch::Exact of service_account_identity,
    // sent to the proxy as an exact name), so a name "*" is no wildcard: it matches no service account.
    if (targetsKind(ro, 'core', 'ServiceAccount') && rname?.includes('*')) {
      problems.push(`MeshTLSAuthentication ${ns}/${name}: identityRef ServiceAccount ${JSON.stringify(rname)} is no wildcard; Linkerd matches that exact name, which no service account has`);
      unmatchable = true;
    } else if (targetsKind(ro, 'core', 'ServiceAccount') && rname) identities.push(linkerdIdentity(rname, str(ro?.namespace) || ns, trustDomain));
    else if (targetsKind(ro, 'core', 'Namespace') && rname) namespaces.push(rname);
    else {
      problems.push(`MeshTLSAuthentication ${ns}/${name}: identityRef ${JSON.stringify(r)} is not a ServiceAccount or Namespace, so Linkerd rejects the whole authentication`);
      rejected = true;
    }
  }
  // Any other ref fails the whole Spec (meshtls_authentication.rs collects the matches as one
  // Result); index.rs then leaves the authentication out ("Invalid MeshTLSAuthentication"), and a
  // policy requiring it authorizes nobody, whatever its other identities.
  if (rejected) return neverRule(`MeshTLSAuthentication ${name} is rejected by Linkerd`);
  if (identities.length === 0 && namespaces.length === 0) {
    if (unmatchable) return neverRule(`MeshTLSAuthentication ${name} matches no service account`);
    problems.push(`MeshTLSAuthentication ${ns}/${name} names no identity`);
    return neverRule(`MeshTLSAuthentication ${name} names no identity`);
  }
  const literal = arr(spec.identities).some((x) => typeof x === 'string' && x !== '*') ? { literal: `MeshTLSAuthentication ${ns}/${name}` } : {};
  return { ...meshRule(identities, namespaces, `MeshTLSAuthentication ${name}`), ...literal };
}

/** Indexes AuthorizationPolicies, ServerAuthorizations and HTTPRoutes per namespace. */
export function indexLinkerdPolicies(resources: {
  authorizationPolicies: KubeObject[];
  serverAuthorizations: KubeObject[];
  meshTlsAuthentications: KubeObject[];
  networkAuthentications: KubeObject[];
  httpRoutes: KubeObject[];
  /** Gateway API routes; Linkerd serves those whose parentRefs name a Server (index.rs indexes gateway HTTPRoute and GRPCRoute). */
  gatewayHttpRoutes?: KubeObject[];
  gatewayGrpcRoutes?: KubeObject[];
  /**
   * The objects were read from the API server, where Linkerd's policy controller writes the routes'
   * status: a route without its status entry for a Server is not applied there. False for manifests
   * (no status), where the route is judged as the status controller would judge it (routeRefusal).
   */
  statusObserved?: boolean;
}, trustDomain = LINKERD_DEFAULT_TRUST_DOMAIN): LinkerdPolicyIndex {
  const byKey = (list: KubeObject[]) => new Map(list.map((o) => [`${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`, o]));
  const mtlsAuthn = byKey(resources.meshTlsAuthentications);
  const netAuthn = byKey(resources.networkAuthentications);
  const authorizations = new Map<string, LinkerdAuthorization[]>();
  const routesByServer = new Map<string, LinkerdRoute[]>();
  const routeAuthorizations = new Map<string, LinkerdAuthorization[]>();
  const problems: LinkerdPolicyIndex['problems'] = [];
  const push = <T>(m: Map<string, T[]>, ns: string, v: T) => {
    const list = m.get(ns);
    if (list) list.push(v);
    else m.set(ns, [v]);
  };

  for (const o of [...resources.authorizationPolicies].sort((a, b) => createdAt(a) - createdAt(b))) {
    const ref = refOf(o, 'AuthorizationPolicy');
    const ns = ref.namespace!;
    const spec = obj(o.spec) ?? {};
    const errs: string[] = [];
    const t = obj(spec.targetRef);
    const tname = str(t?.name) ?? '';
    const tns = str(t?.namespace) || ns;
    const target = tname ? policyTarget(t, tname) : undefined;
    if (!target) errs.push(`targetRef ${JSON.stringify(spec.targetRef ?? null)} is not a Server, HTTPRoute, GRPCRoute or Namespace`);
    if (target && target.kind !== 'Namespace' && tns !== ns) errs.push(`targetRef names namespace ${tns}; a policy only applies to targets in its own namespace`);
    const rules: ClientRule[] = [];
    const refs = arr(spec.requiredAuthenticationRefs);
    // The CRD requires the field; an empty list is admitted (policy-test admit_authorization_policy.rs
    // accepts_empty_required_authentications) and index.rs policy_client_authz then requires no
    // authentication from any network: it admits every client, plaintext too.
    if (!Array.isArray(spec.requiredAuthenticationRefs)) errs.push('requiredAuthenticationRefs is missing; the API server refuses such a policy');
    else if (refs.length === 0) rules.push({ kind: 'network', identities: [], namespaces: [], everywhere: true, why: 'requiredAuthenticationRefs: [] (no authentication required, from every network)' });
    for (const r of refs) {
      const ro = obj(r);
      const name = str(ro?.name) ?? '';
      const rns = str(ro?.namespace) || ns;
      // authorization_policy.rs authentication_ref: each kind of its own group.
      if (targetsKind(ro, LINKERD_GROUP, 'MeshTLSAuthentication')) rules.push(meshTlsRule(mtlsAuthn.get(`${rns}/${name}`), rns, name, trustDomain, errs));
      else if (targetsKind(ro, LINKERD_GROUP, 'NetworkAuthentication')) {
        const na = netAuthn.get(`${rns}/${name}`);
        if (!na) {
          errs.push(`NetworkAuthentication ${rns}/${name} does not exist`);
          rules.push(neverRule(`missing NetworkAuthentication ${name}`));
        } else rules.push(networksRule(obj(na.spec)?.networks, `NetworkAuthentication ${name}`));
      } else if (targetsKind(ro, 'core', 'ServiceAccount') && name) rules.push(meshRule([linkerdIdentity(name, rns, trustDomain)], [], `ServiceAccount ${rns}/${name}`));
      else {
        errs.push(`requiredAuthenticationRefs entry ${JSON.stringify(r)} is not a MeshTLSAuthentication, NetworkAuthentication or ServiceAccount`);
        rules.push(neverRule('unknown authentication'));
      }
    }
    // index.rs policy_client_authz takes one identity (a MeshTLSAuthentication or a ServiceAccount)
    // and one NetworkAuthentication at most; more is an "Illegal AuthorizationPolicy", ignored.
    const count = (match: (ro: Record<string, unknown> | undefined) => boolean) => refs.filter((r) => match(obj(r))).length;
    if (count((ro) => targetsKind(ro, LINKERD_GROUP, 'MeshTLSAuthentication') || targetsKind(ro, 'core', 'ServiceAccount')) > 1) {
      errs.push('requiredAuthenticationRefs names more than one MeshTLSAuthentication or ServiceAccount; Linkerd ignores such a policy');
      rules.push(neverRule('several identity authentications'));
    }
    if (count((ro) => targetsKind(ro, LINKERD_GROUP, 'NetworkAuthentication')) > 1) {
      errs.push('requiredAuthenticationRefs names more than one NetworkAuthentication; Linkerd ignores such a policy');
      rules.push(neverRule('several network authentications'));
    }
    for (const e of errs) problems.push({ ref, problem: e });
    if (!target || (target.kind !== 'Namespace' && tns !== ns)) continue;
    const usable = rules.length > 0 && !rules.some((r) => r.kind === 'never');
    const a: LinkerdAuthorization = { ref, target, rules: usable ? rules : [neverRule('unusable')], problems: errs, ...openness(usable ? rules : []), ...literalOf(usable ? rules : []) };
    push(authorizations, ns, a);
    if (target.kind === 'HTTPRoute' || target.kind === 'GRPCRoute') push(routeAuthorizations, routeKey(ns, target.group, target.kind, target.name), a);
  }

  for (const o of [...resources.serverAuthorizations].sort((a, b) => createdAt(a) - createdAt(b))) {
    const ref = refOf(o, 'ServerAuthorization');
    const ns = ref.namespace!;
    const spec = obj(o.spec) ?? {};
    const errs: string[] = [];
    const server = obj(spec.server);
    const client = obj(spec.client) ?? {};
    let target: LinkerdAuthorization['target'] | undefined;
    if (str(server?.name)) target = { kind: 'Server', name: str(server?.name)! };
    else if (obj(server?.selector)) target = { kind: 'ServerSelector', selector: server?.selector };
    else errs.push('server names neither a Server nor a selector');
    const rules: ClientRule[] = [];
    const networks = client.networks !== undefined ? networksRule(client.networks, 'client.networks') : undefined;
    const mtls = obj(client.meshTLS);
    if (client.unauthenticated === true) rules.push(networks ?? { kind: 'network', identities: [], namespaces: [], everywhere: true, why: 'client.unauthenticated' });
    else if (mtls) {
      if (mtls.unauthenticatedTLS === true) rules.push(meshRule([], [], 'client.meshTLS.unauthenticatedTLS'));
      else {
        const ids = arr(mtls.identities).filter((x): x is string => typeof x === 'string');
        let unmatchable = false;
        for (const s of arr(mtls.serviceAccounts)) {
          const so = obj(s);
          const sa = str(so?.name);
          // server_authorization.rs: each one exact identity (IdentityMatch::Exact), so "*" is no wildcard.
          if (sa?.includes('*')) {
            problems.push({ ref, problem: `client.meshTLS.serviceAccounts names ${JSON.stringify(sa)}, no wildcard; Linkerd matches that exact name, which no service account has` });
            unmatchable = true;
          } else if (sa) ids.push(linkerdIdentity(sa, str(so?.namespace) || ns, trustDomain));
        }
        if (ids.length === 0 && unmatchable) rules.push(neverRule('client.meshTLS matches no service account'));
        else if (ids.length === 0) errs.push('client.meshTLS names no identity or service account');
        else {
          const literal = arr(mtls.identities).some((x) => typeof x === 'string' && x !== '*') ? { literal: `ServerAuthorization ${ns}/${ref.name}` } : {};
          rules.push({ ...meshRule(ids, [], 'client.meshTLS'), ...literal });
        }
      }
      if (networks && !networks.everywhere) rules.push(networks);
    } else errs.push('client has neither meshTLS nor unauthenticated: true');
    for (const e of errs) problems.push({ ref, problem: e });
    if (!target) continue;
    const usable = rules.length > 0 && errs.length === 0;
    push(authorizations, ns, { ref, target, rules: usable ? rules : [neverRule('unusable')], problems: errs, ...openness(usable ? rules : []), ...literalOf(usable ? rules : []) });
  }

  const routeLists: Array<[KubeObject[] | undefined, RouteKind, string]> = [
    [resources.httpRoutes, 'HTTPRoute', LINKERD_GROUP],
    [resources.gatewayHttpRoutes, 'HTTPRoute', GATEWAY_GROUP],
    [resources.gatewayGrpcRoutes, 'GRPCRoute', GATEWAY_GROUP],
  ];
  const grpcParents = grpcRouteParents(resources.gatewayGrpcRoutes ?? []);
  const statusObserved = resources.statusObserved ?? false;
  for (const [list, kind, group] of routeLists) {
    for (const o of list ?? []) {
      const ref = refOf(o, kind);
      const servers = routeServers(o, ref.namespace!);
      if (servers.length === 0) continue;
      const statuses = linkerdStatuses(o);
      const route: LinkerdRoute = { ref, group, servers, refused: new Map() };
      for (const name of new Set(servers)) {
        const key = serverKey(ref.namespace!, name);
        const refusal = routeRefusal(statuses, name, kind, grpcParents.get(key), statusObserved);
        if (refusal) route.refused.set(name, refusal);
        push(routesByServer, key, route);
      }
    }
  }
  return { trustDomain, authorizations, routesByServer, routeAuthorizations, problems };
}

function literalOf(rules: ClientRule[]): { literalIdentities?: string } {
  const literal = rules.find((r) => r.literal)?.literal;
  return literal ? { literalIdentities: literal } : {};
}

function openness(rules: ClientRule[]): { anyCaller: boolean; anyIdentity: boolean } {
  if (rules.length === 0) return { anyCaller: false, anyIdentity: false };
  const anyCaller = rules.every((r) => r.kind === 'network' && r.everywhere);
  const anyIdentity = rules.every((r) => (r.kind === 'network' && r.everywhere) || (r.kind === 'mesh' && r.namespaces.length === 0 && (r.identities.length === 0 || r.identities.includes('*'))));
  return { anyCaller, anyIdentity };
}

function identityMatches(pattern: string, identity: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return identity.endsWith(pattern.slice(1));
  return pattern === identity;
}

function ruleMatches(r: ClientRule, caller: MeshCaller, trustDomain: string): Match {
  if (r.kind === 'never') return 'no';
  if (r.kind === 'network') return r.everywhere ? 'yes' : 'depends';
  if (!caller.mtls || caller.external) return 'no';
  if (r.identities.length === 0 && r.namespaces.length === 0) return 'yes';
  if (r.namespaces.includes(caller.namespace)) return 'yes';
  const id = linkerdIdentity(caller.serviceAccount, caller.namespace, trustDomain);
  return r.identities.some((p) => identityMatches(p, id)) ? 'yes' : 'no';
}

function authorizationMatches(a: LinkerdAuthorization, caller: MeshCaller, trustDomain: string): Match {
  let out: Match = 'yes';
  for (const r of a.rules) {
    const m = ruleMatches(r, caller, trustDomain);
    if (m === 'no') return 'no';
    if (m === 'depends') out = 'depends';
  }
  return out;
}

/** What a default policy (or a Server's accessPolicy) decides for a caller. */
function defaultPolicyVerdict(policy: string, caller: MeshCaller, networks: LinkerdClusterNetworks | undefined): { verdict: MeshFlowVerdict['verdict']; why: string } {
  if (!isLinkerdPolicy(policy)) return { verdict: 'unknown', why: `${JSON.stringify(policy)} is not a Linkerd policy value` };
  switch (policy) {
    case 'all-unauthenticated':
    case 'audit':
      return { verdict: 'allowed', why: `${policy} admits every client` };
    case 'cluster-unauthenticated': {
      if (!caller.external) return { verdict: 'allowed', why: 'cluster-unauthenticated admits every client in the cluster networks' };
      // An address asked (reach --from <IP>) is judged against the networks the policy controller
      // admits (default_client_authz, cluster_only: config.networks); an external caller without
      // one is outside the cluster.
      if (!caller.address || !networks) return { verdict: 'denied', why: 'cluster-unauthenticated admits only clients from the cluster networks' };
      const inside = inLinkerdClusterNetworks(networks, caller.address);
      if (inside.in === true) return { verdict: 'allowed', why: `cluster-unauthenticated admits every client in the cluster networks: ${inside.why}` };
      if (inside.in === false) return { verdict: 'denied', why: `cluster-unauthenticated admits only clients from the cluster networks: ${inside.why}` };
      return { verdict: 'unknown', why: `cluster-unauthenticated admits only clients from the cluster networks, and whether ${caller.address.text} is in them cannot be told: ${inside.why}` };
    }
    case 'all-authenticated':
      return caller.mtls && !caller.external ? { verdict: 'allowed', why: 'all-authenticated admits every meshed client' } : { verdict: 'denied', why: 'all-authenticated refuses clients without a mesh identity' };
    case 'cluster-authenticated':
      return caller.mtls && !caller.external ? { verdict: 'allowed', why: 'cluster-authenticated admits every meshed client of the cluster' } : { verdict: 'denied', why: 'cluster-authenticated refuses clients without a mesh identity' };
    case 'deny':
      return { verdict: 'denied', why: 'deny refuses every client not explicitly authorized' };
  }
}

/** "; HTTPRoute a, HTTPRoute b are not applied: why", one clause per reason, for the routes Linkerd does not apply to the Server. */
function refusedText(routes: LinkerdRoute[], server: string): string {
  const byWhy = new Map<string, string[]>();
  const refusals = new Map<string, LinkerdRouteRefusal>();
  for (const r of routes) {
    const refusal = r.refused.get(server);
    if (!refusal) continue;
    const key = JSON.stringify(refusal);
    refusals.set(key, refusal);
    const names = byWhy.get(key);
    if (names) names.push(`${r.ref.kind} ${r.ref.name}`);
    else byWhy.set(key, [`${r.ref.kind} ${r.ref.name}`]);
  }
  let out = '';
  for (const [key, names] of [...byWhy].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const refusal = refusals.get(key)!;
    const many = names.length > 1;
    const [its, it] = many ? ['their', 'them'] : ['its', 'it'];
    const why = refusal.kind === 'status'
      ? `${its} status says Linkerd has not accepted ${it} for Server ${server}${refusal.reason ? ` (${refusal.reason})` : ''}`
      : refusal.kind === 'no-status'
        ? `${its} status has no entry of Linkerd's policy controller accepting ${it} for Server ${server}, and Linkerd applies a route only once it has accepted it (not yet processed, or the policy controller is not writing status)`
        : `GRPCRoute ${refusal.grpcRoute} also names Server ${server} as parent, so Linkerd's status controller refuses ${it} there (Accepted False, RouteReasonConflicted)`;
    out += `; ${names.sort().join(', ')} ${many ? 'are' : 'is'} not applied: ${why}`;
  }
  return out;
}

export interface LinkerdFlowInput {
  /** The callee's effective default inbound policy and where it came from (WorkloadMesh.linkerdPolicy). */
  defaultPolicy: { policy: string; source: string };
  /** Servers of the callee's namespace. */
  servers: LinkerdServer[];
  /** The callee's pod labels (Servers select pods by label). */
  labels: Record<string, string>;
  /** Inbound ports the proxy does not intercept (config.linkerd.io/skip-inbound-ports), as written. */
  skippedInbound?: { ports: string[]; source: string };
  /** Inbound ports whose default policy requires a mesh identity (config.linkerd.io/proxy-require-identity-inbound-ports). */
  requireIdentityInbound?: { ports: string[]; source: string };
  /** Named container ports of the callee (a Server may name its port). */
  namedPorts: Array<{ port: number; name?: string }>;
  index: LinkerdPolicyIndex;
  /** The networks cluster-* policies admit (linkerdClusterNetworks); unset: not read, an external caller is outside them. */
  clusterNetworks?: LinkerdClusterNetworks;
}

/**
 * Linkerd's answer for one call to a meshed callee. Deciding object: the AuthorizationPolicy or
 * ServerAuthorization that admits the caller, else the Server (its accessPolicy), else the
 * default inbound policy's source.
 */
export function judgeLinkerdFlow(input: LinkerdFlowInput, caller: MeshCaller, callee: MeshCallee): MeshFlowVerdict {
  return judgeLinkerd(input, caller, callee).verdict;
}

/** judgeLinkerdFlow's answer, and what it turned on. */
export interface LinkerdJudgement {
  verdict: MeshFlowVerdict;
  /**
   * Set when the default inbound policy decided (no Server covers the port, which is not
   * skipped): the verdict under another value of it, for a default that could not be read.
   * Otherwise the default was never consulted.
   */
  underDefault?: (policy: string) => MeshVerdictKind;
  /**
   * An authorization consulted for the Server or route writes identities out in a trust domain
   * (LinkerdAuthorization.literalIdentities): the object that does.
   */
  literalIdentities?: string;
}

/** judgeLinkerdFlow, saying what the verdict turned on (LinkerdJudgement). */
export function judgeLinkerd(input: LinkerdFlowInput, caller: MeshCaller, callee: MeshCallee): LinkerdJudgement {
  let literal: string | undefined;
  const verdict = (v: MeshFlowVerdict): LinkerdJudgement => ({ verdict: v, ...(literal ? { literalIdentities: literal } : {}) });
  const plaintext = !caller.mtls || !!caller.external;
  const enforcedBy = 'linkerd-proxy of the callee';
  const base = { mesh: 'linkerd' as const, plaintext, enforcedBy };
  const skipped = input.skippedInbound && portInList(input.skippedInbound.ports, callee.port);
  if (skipped) {
    return verdict({ mesh: 'linkerd', verdict: 'allowed', plaintext: true, reason: `port ${callee.port} is skipped by the linkerd-proxy (${input.skippedInbound!.source}): Linkerd policy does not apply to it` });
  }
  const names = input.namedPorts.filter((p) => p.port === callee.port);
  const portView = { port: callee.port, name: names.find((p) => p.name)?.name };
  const choice = winningServer(input.servers, input.labels, names.length > 0 ? names : [portView]);
  const who = caller.external ? 'an external client' : `${caller.mtls ? linkerdIdentity(caller.serviceAccount, caller.namespace, input.index.trustDomain) : `plaintext client ${caller.namespace}/${caller.serviceAccount}`}`;

  if (!choice) {
    const declared = input.defaultPolicy.policy;
    const identityRequired = !!input.requireIdentityInbound && portInList(input.requireIdentityInbound.ports, callee.port);
    const requiredOf = (p: string) => (identityRequired ? withIdentityRequired(p) : p);
    const required = requiredOf(declared);
    const d = defaultPolicyVerdict(required, caller, input.clusterNetworks);
    const policy = required === declared ? `${declared} (${input.defaultPolicy.source})` : `${declared} (${input.defaultPolicy.source}), made ${required} on this port by ${input.requireIdentityInbound!.source}`;
    return {
      verdict: { ...base, verdict: d.verdict, reason: `no Server covers port ${callee.port}: default inbound policy ${policy}; ${d.why}` },
      underDefault: (p) => defaultPolicyVerdict(requiredOf(p), caller, input.clusterNetworks).verdict,
    };
  }
  const server = choice.server;
  const serverRef: ResourceRef = { kind: 'Server', namespace: server.namespace, name: server.name };
  const all = input.index.authorizations.get(server.namespace) ?? [];
  const serverLabels = server.labels;
  const onServer = all.filter((a) =>
    (a.target.kind === 'Server' && a.target.name === server.name) ||
    (a.target.kind === 'Namespace' && a.target.name === server.namespace) ||
    (a.target.kind === 'ServerSelector' && labelSelectorMatches(a.target.selector, serverLabels)));
  // gRPC Servers get their GRPCRoutes, opaque and TLS Servers none (connections are authorized as a
  // whole), the others their HTTPRoutes (see the header).
  const routeKind: RouteKind | undefined = server.proxyProtocol === 'gRPC' ? 'GRPCRoute' : server.proxyProtocol === 'opaque' || server.proxyProtocol === 'TLS' ? undefined : 'HTTPRoute';
  const listed = input.index.routesByServer.get(serverKey(server.namespace, server.name)) ?? [];
  const attached = listed.filter((r) => !r.refused.has(server.name));
  const routes = attached.filter((r) => r.ref.kind === routeKind);
  const unused = attached.filter((r) => r.ref.kind !== routeKind);
  // Who wins among Servers selecting the same port, and routes that do not apply, are part of the
  // answer a reader must be able to check.
  const precedence = (choice.unordered
    ? `; ${choice.unordered}`
    : choice.skipped.length > 0 ? `; Server ${server.name} is the oldest selecting port ${callee.port}, so Linkerd skips ${choice.skipped.map((s) => s.name).join(', ')} there` : '') +
    (unused.length > 0 ? `; ${unused.map((r) => `${r.ref.kind} ${r.ref.name}`).sort().join(', ')} ${unused.length > 1 ? 'do' : 'does'} not apply to a Server with proxyProtocol ${server.proxyProtocol ?? 'unknown'}` : '') +
    refusedText(listed, server.name);

  const decide = (auths: LinkerdAuthorization[]): { match: Match; by?: LinkerdAuthorization } => {
    let depends: LinkerdAuthorization | undefined;
    for (const a of auths) {
      literal ??= a.literalIdentities;
      const m = authorizationMatches(a, caller, input.index.trustDomain);
      if (m === 'yes') return { match: 'yes', by: a };
      if (m === 'depends') depends ??= a;
    }
    return depends ? { match: 'depends', by: depends } : { match: 'no' };
  };
  const fallback = (): MeshFlowVerdict => {
    const d = defaultPolicyVerdict(server.accessPolicy, caller, input.clusterNetworks);
    return { ...base, verdict: d.verdict, policy: serverRef, reason: `Server ${server.name} covers port ${callee.port} and no authorization admits ${who}; its accessPolicy ${server.accessPolicy}: ${d.why}${precedence}` };
  };

  if (routes.length === 0) {
    const { match, by } = decide(onServer);
    if (match === 'yes') return verdict({ ...base, verdict: 'allowed', policy: by!.ref, reason: `${by!.ref.kind} ${by!.ref.name} authorizes ${who} on Server ${server.name} (port ${callee.port})${precedence}` });
    if (match === 'depends') {
      const fb = fallback();
      if (fb.verdict === 'allowed') return verdict(fb);
      return verdict({ ...base, verdict: 'depends', policy: by!.ref, reason: `${by!.ref.kind} ${by!.ref.name} authorizes clients on Server ${server.name} by network address; whether ${who} is in those networks is not in the snapshot${precedence}` });
    }
    return verdict(fallback());
  }
  // Requests must match a route; each route is authorized by policies on it or on its Server/Namespace:
  // the policy controller sends the Server's authorizations (Server- and Namespace-targeted
  // AuthorizationPolicies, ServerAuthorizations, accessPolicy) apart from each route's
  // (policy-controller/k8s/index/src/inbound/index.rs client_authzs, route_client_authzs), and the
  // proxy appends the Server's to every route's (linkerd2-proxy linkerd/proxy/server-policy/src/http.rs
  // try_route → authz.rs mk_authorizations(route authzs, server authzs)).
  // The accessPolicy's authorizations are among the Server's (index.rs client_authzs extends them
  // with access_policy.default_authzs), so one that admits the caller admits it on every route.
  const accessAdmits = defaultPolicyVerdict(server.accessPolicy, caller, input.clusterNetworks).verdict === 'allowed';
  const authorized: string[] = [];
  let firstBy: LinkerdAuthorization | undefined;
  for (const r of [...routes].sort((a, b) => a.ref.name.localeCompare(b.ref.name))) {
    const onRoute = input.index.routeAuthorizations.get(routeKey(r.ref.namespace!, r.group, r.ref.kind, r.ref.name)) ?? [];
    const { match, by } = decide([...onRoute, ...onServer]);
    if (match !== 'no' || accessAdmits) {
      authorized.push(r.ref.name);
      firstBy ??= by;
    }
  }
  if (authorized.length === 0) {
    const fb = fallback();
    return verdict({ ...fb, reason: `${fb.reason} (${routeKind}s ${routes.map((r) => r.ref.name).sort().join(', ')} are attached; none authorizes this client)` });
  }
  const authorizedBy = firstBy ? `${firstBy.ref.kind} ${firstBy.ref.name}${authorized.length > 1 ? ' and others' : ''}` : `the Server's accessPolicy ${server.accessPolicy}`;
  return verdict({
    ...base,
    verdict: 'depends',
    policy: firstBy?.ref ?? serverRef,
    reason: `Server ${server.name} has ${routeKind}s: ${who} may send requests matching ${authorized.join(', ')} (authorized by ${authorizedBy}); requests matching no authorized route are refused${precedence}`,
  });
}

