// Istio's answer for one call: does the callee's enforcement point (its sidecar, ztunnel in
// ambient mode, or the waypoint it uses) let this caller in on this port? Pure, from the
// snapshot's AuthorizationPolicies, RequestAuthentications, PeerAuthentications, Services and
// namespace labels. Semantics, each from istio.io:
// - order CUSTOM, DENY, ALLOW; "if there are no ALLOW policies for the workload, allow the
//   request"; AUDIT never decides; `spec: {}` allows nothing; a root-namespace policy applies
//   to every namespace (https://istio.io/latest/docs/reference/config/security/authorization-policy/,
//   https://istio.io/latest/docs/concepts/security/#authorization-policies);
// - principals and namespaces need mutual TLS; requestPrincipals need a JWT that a
//   RequestAuthentication validated (same reference page, Source), and on TCP traffic they drop
//   out of a rule like every HTTP-only field: an ALLOW rule never matches, a DENY rule matches
//   more widely (https://istio.io/latest/docs/tasks/security/authorization/authz-tcp/); the
//   protocol is the one the callee's Service port declares (callProtocol), else unknown;
// - targetRef(s) attach a policy to a Gateway (a waypoint) or a Service using one; a waypoint
//   enforces them for namespaces/services labelled istio.io/use-waypoint, and ztunnel then sees
//   the waypoint, not the caller (https://istio.io/latest/docs/ambient/usage/waypoint/,
//   https://istio.io/latest/docs/ambient/usage/l4-policy/). A sidecar ignores them, and so does
//   everything when the waypoint's Gateway has no status.addresses (WaypointStatus).
// What the snapshot cannot tell (HTTP methods, paths, hosts, headers, `when` conditions other
// than source.namespace/source.principal/destination.port, source IP addresses, a request's JWT)
// makes a rule "may match": the verdict is then 'depends', never 'allowed' for every request.

import type { Config } from '../../config/types.ts';
import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import type { MeshCaller, MeshCallee, MeshFlowVerdict, MeshVerdictKind } from './flow.ts';
import { indexAuthorizationPolicies, ipBlocksCoverEvery, istioPolicySelects, policiesFor, type AuthzAction, type AuthzCondition, type AuthzIndex, type AuthzOperation, type AuthzRule, type AuthzSource, type ParsedAuthzPolicy } from './authz.ts';
import { refusedText, resolveIstioMode, selectorMatches, type EffectiveMode, type IstioPolicyIndex } from './istio.ts';
import { meshModel, type NamespaceInfo } from './model.ts';
import { istiodReleasesOf } from './istiod-release.ts';
import { templatesStandIn } from '../workloads.ts';
import { istioConfigMapName, istioExtensionProviders, istioMeshConfigMap, istioMeshConfigNamespaces, istioRevisionResolver, istioRootOf, parseIstioMesh, type MeshConfigPlaces } from './configmaps.ts';
import { arr, memoizeBySnapshotAndConfig, obj, str, stringMap } from './util.ts';
import { parseCidr, parseIp, rangeContains, type Family } from '../../base/ip.ts';

export interface RequestAuthn {
  ref: ResourceRef;
  namespace: string;
  selector?: Record<string, string>;
  targetRefs: Array<{ group: string; kind: string; name: string }>;
  issuers: string[];
}

export interface IstioAuthzModel {
  root: string;
  trustDomain: string;
  /** Where the trust domain came from. */
  trustDomainSource: string;
  /** meshConfig.trustDomainAliases: in a policy's principals they, like cluster.local, stand for the trust domain. */
  trustDomainAliases: string[];
  /** The trust domain of an Istio revision's istiod (its ConfigMap istio-<rev>); `default`: the fields above. */
  trustDomainFor: (revision: string) => IstioTrustDomain;
  /** The CUSTOM providers the istiod of a revision can build (istioExtensionProviders). */
  extensionProvidersFor: (revision: string) => ReturnType<typeof istioExtensionProviders>;
  authz: AuthzIndex;
  peer: IstioPolicyIndex;
  /** The PeerAuthentications as the istiod of a callee's revision composes them (its root namespace). */
  peerFor: (namespace: string, labels: Record<string, string>) => IstioPolicyIndex;
  requestAuthn: RequestAuthn[];
  /** RequestAuthentications could not be read (forbidden, failed): any request may carry a JWT. */
  requestAuthnUnreadable: boolean;
  namespaces: Map<string, NamespaceInfo>;
  /** Services per namespace: name, selector, labels (waypoint use, Service targetRefs). */
  services: Map<string, Array<{ name: string; selector: Record<string, string>; labels: Record<string, string>; ports: ServicePortProtocol[] }>>;
  /**
   * Gateway API Gateways by `namespace/name`: the istio.io/waypoint-for that applies to them — the
   * Gateway's label, else its GatewayClass's (`from` names that class), else '' — or `classUnread`
   * when the Gateway has no label and GatewayClasses could not be read.
   */
  waypointFor: Map<string, WaypointFor>;
  /**
   * The root namespace of the istiod that configures a waypoint: its revision's (the Gateway's
   * istio.io/rev label, else its namespace's), whose istio-waypoint GatewayClass policies it takes.
   */
  waypointRoot: (wp: { namespace: string; name: string }) => string;
  /**
   * Why a waypoint's root namespace is unknown (naming the istio.io/rev value), when its revision
   * could not be told: a value naming no revision read, which may be a tag, while the tag webhooks
   * could not be read. waypointRoot then answers the default revision's, which verdicts do not trust.
   */
  waypointRootUnknown: (wp: { namespace: string; name: string }) => string | undefined;
  /** Gateways could not be read (forbidden, failed): which traffic a waypoint handles is unknown. */
  gatewaysUnreadable: boolean;
  /** Gateway API Gateways by `namespace/name`: whether istiod takes each as a usable waypoint (waypointStatusOf). */
  waypointStatus: Map<string, WaypointStatus>;
  /** The snapshot was read from manifests, which carry no status: a Gateway's readiness is assumed. */
  fromManifests: boolean;
  /** The address families of the pods' IPs (clusterIpFamilies); undefined: no pod has an address in the snapshot. */
  ipFamilies: Family[] | undefined;
}

/**
 * The address families the cluster's pods use, from their status.podIPs (status.podIP): a
 * dual-stack cluster gives each pod one address of each family
 * (https://kubernetes.io/docs/concepts/services-networking/dual-stack/). undefined when no pod has
 * one (manifests, pods not yet scheduled): then either family may call.
 */
function clusterIpFamilies(pods: readonly KubeObject[]): Family[] | undefined {
  const seen = new Set<Family>();
  for (const p of pods) {
    const status = obj(p.status);
    for (const ip of [...arr(status?.podIPs).map((x) => obj(x)?.ip), status?.podIP]) {
      const parsed = typeof ip === 'string' ? parseIp(ip) : undefined;
      if (parsed) seen.add(parsed.family);
    }
    if (seen.size === 2) break;
  }
  return seen.size ? [...seen].sort() : undefined;
}

export type WaypointFor = { value: string; fromClass?: string } | { classUnread: string };

/** A TCP Service port and the protocol Istio takes it to carry (undefined: not declared, so sniffed). */
export interface ServicePortProtocol {
  port: number;
  targetPort: number | string;
  protocol: 'tcp' | 'http' | undefined;
  /** How it was declared, for the verdict's note: `name tcp-db`, `appProtocol http`. */
  declared: string;
}

/** Protocols Istio proxies as opaque TCP (protocol.Instance.IsTCP), and those it parses as HTTP (IsHTTP). */
const TCP_PROTOCOLS = new Set(['tcp', 'https', 'tls', 'mongo', 'redis', 'mysql']);
const HTTP_PROTOCOLS = new Set(['http', 'http2', 'grpc', 'grpc-web', 'http_proxy']);
/** Ports istiod takes as TCP when nothing declares a protocol: SMTP, DNS, MySQL, MongoDB. */
const WELL_KNOWN_TCP_PORTS = new Set([25, 53, 3306, 27017]);

/**
 * The protocol a Service port declares, as istiod reads it (istio/istio pkg/config/kube/conversion.go
 * ConvertProtocol): `appProtocol` when set, else the port name's prefix before the first '-'
 * (`name: <protocol>[-<suffix>]`, "If both are defined, appProtocol takes precedence over the port
 * name", https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/),
 * case-insensitive; Kubernetes' kubernetes.io/h2c and kubernetes.io/ws are HTTP, kubernetes.io/wss
 * HTTPS; an undeclared well-known port is TCP. Anything else is undefined: Istio sniffs it.
 */
export function declaredPortProtocol(p: { name?: string; appProtocol?: string; port: number }): { protocol: 'tcp' | 'http' | undefined; declared: string } {
  const declared = p.appProtocol !== undefined ? `appProtocol ${p.appProtocol}` : `name ${p.name ?? '(none)'}`;
  const value = p.appProtocol ?? p.name ?? '';
  if (p.appProtocol === 'kubernetes.io/h2c' || p.appProtocol === 'kubernetes.io/ws') return { protocol: 'http', declared };
  if (p.appProtocol === 'kubernetes.io/wss') return { protocol: 'tcp', declared };
  const lower = value.toLowerCase();
  const prefix = lower.startsWith('grpc-web') ? 'grpc-web' : lower.split('-')[0];
  if (HTTP_PROTOCOLS.has(prefix)) return { protocol: 'http', declared };
  if (TCP_PROTOCOLS.has(prefix)) return { protocol: 'tcp', declared };
  if (WELL_KNOWN_TCP_PORTS.has(p.port)) return { protocol: 'tcp', declared: `${declared}, well-known port ${p.port}` };
  return { protocol: undefined, declared };
}

function servicePortProtocols(spec: Record<string, unknown> | undefined): ServicePortProtocol[] {
  const out: ServicePortProtocol[] = [];
  for (const raw of arr(spec?.ports)) {
    const p = obj(raw);
    const port = p?.port;
    if (!p || (p.protocol ?? 'TCP') !== 'TCP' || typeof port !== 'number') continue;
    const tp = p.targetPort ?? port;
    const targetPort = typeof tp === 'string' && /^\d+$/.test(tp) ? Number(tp) : typeof tp === 'number' || typeof tp === 'string' ? tp : port;
    out.push({ port, targetPort, ...declaredPortProtocol({ port, name: str(p.name), appProtocol: str(p.appProtocol) }) });
  }
  return out;
}

/**
 * Whether a Gateway is a waypoint istiod sends traffic through. istiod builds a waypoint only from
 * a Gateway with `status.addresses` ("should only be populated once the Waypoint's deployment has
 * at least 1 ready pod"); without one, a Service or namespace naming it gets no waypoint
 * (ReportWaypointIsNotReady) and its traffic goes straight to the workload's ztunnel (istio/istio
 * pilot/pkg/serviceregistry/kube/controller/ambient/waypoints.go, gatewayToWaypointTransform and
 * fetchWaypointForTarget). The Programmed condition is not what istiod reads: with an address, a
 * Programmed other than True is only said. `assumed`: the Gateway came from manifests, which
 * never carry status.
 */
export type WaypointStatus = { ready: true; programmed?: string } | { ready: false; why: string } | { ready: 'assumed' };

function waypointStatusOf(snapshot: Snapshot, fromManifests: boolean): Map<string, WaypointStatus> {
  const out = new Map<string, WaypointStatus>();
  for (const g of snapshot.resources['gatewayapi.gateways'] ?? []) {
    const key = `${g.metadata?.namespace ?? 'default'}/${g.metadata?.name ?? ''}`;
    if (fromManifests && g.status === undefined) {
      out.set(key, { ready: 'assumed' });
      continue;
    }
    const status = obj(g.status);
    const programmed = arr(status?.conditions).map(obj).find((c) => c?.type === 'Programmed');
    const programmedText = programmed ? `Programmed ${str(programmed.status) ?? '(no status)'}${str(programmed.reason) ? `, reason ${str(programmed.reason)}` : ''}` : undefined;
    if (arr(status?.addresses).length > 0) out.set(key, programmed && programmed.status !== 'True' ? { ready: true, programmed: programmedText } : { ready: true });
    else out.set(key, { ready: false, why: `Gateway ${key} has no status.addresses${programmedText ? ` (${programmedText})` : ''}` });
  }
  return out;
}

/**
 * Which traffic each Gateway takes as a waypoint. istiod's Waypoints collection
 * (istio/istio pilot/pkg/serviceregistry/kube/controller/ambient/waypoints.go) starts from the
 * "default traffic type if neither GatewayClass nor Gateway specify a type" (service), takes
 * gatewayClass.Labels["istio.io/waypoint-for"] when the class has it, and lets the Gateway's own
 * label override that. A class that is not there leaves the default, as istiod's does.
 */
function waypointForOf(snapshot: Snapshot): Map<string, WaypointFor> {
  const classes = new Map((snapshot.resources['gatewayapi.gatewayclasses'] ?? []).map((c) => [c.metadata?.name ?? '', stringMap(c.metadata?.labels)['istio.io/waypoint-for']]));
  const classesUnread = ['forbidden', 'error'].includes(snapshot.coverage['gatewayapi.gatewayclasses']?.status ?? 'ok');
  const out = new Map<string, WaypointFor>();
  for (const g of snapshot.resources['gatewayapi.gateways'] ?? []) {
    const key = `${g.metadata?.namespace ?? 'default'}/${g.metadata?.name ?? ''}`;
    const own = stringMap(g.metadata?.labels)['istio.io/waypoint-for'];
    const className = str(obj(g.spec)?.gatewayClassName) ?? '';
    const ofClass = classes.get(className);
    out.set(key, own !== undefined ? { value: own } : ofClass !== undefined ? { value: ofClass, fromClass: className } : classesUnread ? { classUnread: className } : { value: '' });
  }
  return out;
}

/**
 * IstioAuthzModel.waypointRoot. istiod attaches a policy targeting the istio-waypoint GatewayClass
 * to a waypoint only from its own mesh config's root namespace (istio/istio
 * pilot/pkg/model/policyattachment.go ShouldAttachPolicy: `policyName.Namespace == p.RootNamespace`,
 * the RootNamespace of env.Mesh(), pilot/pkg/model/authorization.go), and the istiod that deploys and
 * configures a waypoint is the revision its Gateway names (label istio.io/rev, else its namespace's:
 * the deployment controller reconciles a Gateway only when tagWatcher.IsMine, istio/istio
 * pilot/pkg/config/kube/gateway/deploymentcontroller.go, pkg/revisions/tag_watcher.go), a tag
 * resolved as a workload's is (istioRevisionResolver). A waypoint not in the snapshot is the default
 * revision's, as is one of a revision whose root is unknown. A value naming no revision read is
 * never the default's: IsMine falls back to no revision for a value none of them knows (only a
 * value that is empty goes to the default). With the tag webhooks unread it may be any revision's
 * tag; read, with none defining it, no istiod takes the Gateway. Either way waypointRootUnknown
 * says so rather than trust the default root.
 */
function waypointRootOf(snapshot: Snapshot, config: Config, namespaces: Map<string, NamespaceInfo>, defaultRoot: string): Pick<IstioAuthzModel, 'waypointRoot' | 'waypointRootUnknown'> {
  const labels = new Map((snapshot.resources['gatewayapi.gateways'] ?? []).map((g) => [`${g.metadata?.namespace ?? 'default'}/${g.metadata?.name ?? ''}`, stringMap(g.metadata?.labels)]));
  const rootOf = istioRootOf(snapshot, config);
  const resolveRevision = istioRevisionResolver(snapshot, config);
  const webhooks = snapshot.coverage.mutatingwebhookconfigurations?.status ?? 'ok';
  const cache = new Map<string, { root: string; unknown?: string }>();
  const resolve = (wp: { namespace: string; name: string }) => {
    const key = `${wp.namespace}/${wp.name}`;
    let r = cache.get(key);
    if (r === undefined) {
      const own = labels.get(key);
      // tagWatcher.IsMine: the Gateway's istio.io/rev, else its namespace's (istio-injection plays no part); none is the default.
      const ownValue = own?.['istio.io/rev'];
      const value = own ? ownValue ?? namespaces.get(wp.namespace)?.labels['istio.io/rev'] : undefined;
      const resolved = value ? resolveRevision(value, false) : { revision: 'default' };
      // Unresolved, the value is never the default revision's: with the tag webhooks read and none
      // defining it, no istiod's GetMyTags holds it, so none takes the Gateway (IsMine).
      const why = webhooks === 'ok'
        ? 'and no tag webhook in the input defines it (no MutatingWebhookConfiguration labelled istio.io/tag with that value), so no istiod takes the Gateway (tagWatcher.IsMine)'
        : `and the MutatingWebhookConfigurations that define revision tags (label istio.io/tag) could not be read (${webhooks})`;
      const unknown = resolved.unresolved !== undefined
        ? `waypoint ${key}'s istio.io/rev ${resolved.unresolved} (${ownValue !== undefined ? 'its Gateway\'s label' : `namespace ${wp.namespace}'s label`}) names no revision whose mesh config was read, ${why}: which revision's istiod configures the waypoint, and so which root namespace's policies on the istio-waypoint GatewayClass apply to it, is unknown`
        : undefined;
      cache.set(key, (r = { root: resolved.revision === 'default' ? defaultRoot : rootOf(resolved.revision).namespace, ...(unknown ? { unknown } : {}) }));
    }
    return r;
  };
  return { waypointRoot: (wp) => resolve(wp).root, waypointRootUnknown: (wp) => resolve(wp).unknown };
}

function parseRequestAuthn(o: KubeObject): RequestAuthn {
  const namespace = o.metadata?.namespace ?? 'default';
  const spec = obj(o.spec) ?? {};
  const sel = obj(spec.selector);
  const refs = [...(spec.targetRef !== undefined ? [spec.targetRef] : []), ...arr(spec.targetRefs)].map((r) => ({ group: str(obj(r)?.group) ?? '', kind: str(obj(r)?.kind) ?? '', name: str(obj(r)?.name) ?? '' }));
  const issuers = arr(spec.jwtRules).map((j) => str(obj(j)?.issuer) ?? '(no issuer)');
  const selector = sel ? stringMap(sel.matchLabels) : undefined;
  return { ref: { kind: 'RequestAuthentication', namespace, name: o.metadata?.name ?? '' }, namespace, targetRefs: refs, issuers, ...(selector && Object.keys(selector).length > 0 ? { selector } : {}) };
}

/** A revision's trust domain and its aliases (meshConfig.trustDomain, trustDomainAliases), and where they came from. */
export interface IstioTrustDomain { trustDomain: string; source: string; aliases: string[] }

/**
 * meshConfig.trustDomain and trustDomainAliases from the revision's mesh config, ConfigMap `istio`
 * (`istio-<rev>` for a revision: the one its istiod mounts as --meshConfig, istio/istio
 * manifests/charts/istio-control/istio-discovery/templates/configmap.yaml), found as
 * istioMeshConfigMap finds it; Istio's default trust domain is cluster.local, with no aliases.
 * `mesh.istioTrustDomain` overrides the trust domain only: the aliases are still the mesh config's.
 * A revision whose ConfigMap is not in the snapshot is taken to share the default revision's.
 */
function trustDomainOf(configmaps: KubeObject[], places: MeshConfigPlaces, configured: string | undefined, revision = 'default'): IstioTrustDomain | undefined {
  const cm = istioMeshConfigMap(configmaps, places, revision);
  if (!cm && revision !== 'default') return undefined;
  const text = str(obj(cm?.data)?.mesh);
  // Unparseable mesh config is reported by mtls.auto-mtls-disabled; the defaults apply here.
  const read = text ? parseIstioMesh(text) : undefined;
  const mesh = read && 'mesh' in read ? read.mesh ?? undefined : undefined;
  const aliases = arr(mesh?.trustDomainAliases).filter((a): a is string => typeof a === 'string' && a !== '');
  const td = str(mesh?.trustDomain);
  // A revision's own mesh config names its trust domain over ztaudit's default-revision setting.
  if (td && revision !== 'default') return { trustDomain: td, source: `ConfigMap ${cm!.metadata?.namespace ?? 'default'}/${istioConfigMapName(revision)} mesh.trustDomain`, aliases };
  if (configured) return { trustDomain: configured, source: 'config mesh.istioTrustDomain', aliases };
  if (td) return { trustDomain: td, source: `ConfigMap ${cm!.metadata?.namespace ?? 'default'}/istio mesh.trustDomain`, aliases };
  return { trustDomain: 'cluster.local', source: 'Istio default', aliases };
}

export const istioAuthzModel = memoizeBySnapshotAndConfig((snapshot: Snapshot, config: Config): IstioAuthzModel => {
  const mesh = meshModel(snapshot, config);
  const root = mesh.istio.policies.rootNamespace;
  const configmaps = snapshot.resources.configmaps ?? [];
  const placesOf = (revision: string) => istioMeshConfigNamespaces(snapshot, config)(revision).namespaces;
  const td = trustDomainOf(configmaps, placesOf('default'), config.mesh.istioTrustDomain)!;
  const trustDomains = new Map<string, IstioTrustDomain>([['default', td]]);
  const trustDomainFor = (revision: string): IstioTrustDomain => {
    let t = trustDomains.get(revision);
    if (!t) trustDomains.set(revision, (t = trustDomainOf(configmaps, placesOf(revision), config.mesh.istioTrustDomain, revision) ?? td));
    return t;
  };
  const providers = new Map<string, ReturnType<typeof istioExtensionProviders>>();
  const extensionProvidersFor = (revision: string) => {
    let p = providers.get(revision);
    if (!p) providers.set(revision, (p = istioExtensionProviders(configmaps, placesOf(revision), revision)));
    return p;
  };
  const services: IstioAuthzModel['services'] = new Map();
  for (const s of snapshot.resources.services ?? []) {
    const ns = s.metadata?.namespace ?? 'default';
    let list = services.get(ns);
    if (!list) services.set(ns, (list = []));
    list.push({ name: s.metadata?.name ?? '', selector: stringMap(obj(s.spec)?.selector), labels: stringMap(s.metadata?.labels), ports: servicePortProtocols(obj(s.spec)) });
  }
  return {
    root,
    trustDomain: td.trustDomain,
    trustDomainSource: td.source,
    trustDomainAliases: td.aliases,
    trustDomainFor,
    extensionProvidersFor,
    authz: indexAuthorizationPolicies(snapshot.resources['istio.authorizationpolicies'] ?? [], root, istiodReleasesOf(snapshot), { manifests: templatesStandIn(snapshot) }),
    peer: mesh.istio.policies,
    peerFor: mesh.istio.policiesFor,
    requestAuthn: (snapshot.resources['istio.requestauthentications'] ?? []).map(parseRequestAuthn),
    requestAuthnUnreadable: ['forbidden', 'error'].includes(snapshot.coverage['istio.requestauthentications']?.status ?? 'ok'),
    namespaces: mesh.namespaces,
    services,
    waypointFor: waypointForOf(snapshot),
    ...waypointRootOf(snapshot, config, mesh.namespaces, root),
    gatewaysUnreadable: ['forbidden', 'error'].includes(snapshot.coverage['gatewayapi.gateways']?.status ?? 'ok'),
    waypointStatus: waypointStatusOf(snapshot, templatesStandIn(snapshot)),
    fromManifests: templatesStandIn(snapshot),
    ipFamilies: clusterIpFamilies(snapshot.resources.pods ?? []),
  };
}, ['network', 'tls', 'mtls']);

// ---- three-valued matching ------------------------------------------------------------------

/** yes: every request of this call matches; no: none does; maybe: request attributes decide. */
type Match = 'yes' | 'no' | 'maybe';
interface Judged { m: Match; /** What a 'maybe' depends on. */ on: string[] }

const YES: Judged = { m: 'yes', on: [] };
const NO: Judged = { m: 'no', on: [] };
const maybe = (what: string): Judged => ({ m: 'maybe', on: [what] });

function all(parts: Judged[]): Judged {
  if (parts.some((p) => p.m === 'no')) return NO;
  const ms = parts.filter((p) => p.m === 'maybe');
  return ms.length ? { m: 'maybe', on: ms.flatMap((p) => p.on) } : YES;
}
function any(parts: Judged[]): Judged {
  if (parts.some((p) => p.m === 'yes')) return YES;
  const ms = parts.filter((p) => p.m === 'maybe');
  return ms.length ? { m: 'maybe', on: ms.flatMap((p) => p.on) } : NO;
}

/**
 * Istio string match: exact, "*" (any non-empty), "*suffix" or "prefix*", in the order
 * StringMatcherWithPrefix tries them (istio/istio pilot/pkg/security/authz/matcher/string.go); any
 * other `*` is a literal character.
 */
export function istioStringMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return value !== '';
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  return pattern === value;
}

/** What the enforcement point knows about the caller. */
interface Peer {
  /** undefined = plaintext (no peer identity); 'unknown' = mTLS from an identity we cannot name (the waypoint). */
  principal: string | 'unknown' | undefined;
  namespace: string | 'unknown' | undefined;
  /** A RequestAuthentication applies, so a request may carry a validated JWT. */
  jwt: string[] | undefined;
  port: number;
  /** The trust domain, then its aliases: what cluster.local and an alias stand for in a policy's principals. */
  trustDomains: string[];
  /** ztunnel without a waypoint enforces the callee's policies: only their L4 parts exist there. */
  l4Only?: boolean;
  /** The protocol the callee's Service port declares for this call (callProtocol); undefined: Istio sniffs it. */
  protocol?: CallProtocol;
  /** The address families the cluster's pods use (IstioAuthzModel.ipFamilies); undefined: unknown, either. */
  ipFamilies?: Family[];
  /**
   * The connection's source address as the enforcement point sees it, when known: an external
   * caller asked by address (MeshCaller.address) reaching the sidecar or ztunnel directly. ipBlocks
   * and a `when` on source.ip match it (istiod's srcIPGenerator builds Envoy's direct_remote_ip).
   */
  address?: { family: Family; value: bigint; text: string };
}

interface CallProtocol { kind: 'tcp' | 'http'; source: string }

/** Istio's trust-domain pattern match (trustdomain stringMatch): either side may be the pattern. */
function trustDomainMatches(a: string, b: string): boolean {
  const prefix = (x: string, pattern: string) => pattern.endsWith('*') && x.startsWith(pattern.slice(0, -1));
  const suffix = (x: string, pattern: string) => pattern.startsWith('*') && x.endsWith(pattern.slice(1));
  return a === b || b === '*' || prefix(a, b) || prefix(b, a) || suffix(a, b) || suffix(b, a);
}

/**
 * The principals istiod puts in the proxy's RBAC for a policy's `principals`/`notPrincipals` (and
 * `when` source.principal): a `<td>/ns/<ns>/sa/<sa>` principal whose trust domain is cluster.local,
 * or matches the trust domain or an alias, stands for that principal in each of them ("in
 * authorization policy, cluster.local is a pointer that points to the current trust domain ... as
 * well as its aliases", https://istio.io/latest/docs/tasks/security/authorization/authz-td-migration/).
 * A trust domain `*`, any other shape, or another trust domain is kept as written. Mirrors
 * trustdomain.Bundle.ReplaceTrustDomainAliases (istio/istio pilot/pkg/security/trustdomain).
 */
function principalsInTrustDomains(patterns: string[], trustDomains: string[]): string[] {
  const out: string[] = [];
  for (const p of patterns) {
    const parts = p.split('/');
    const td = parts[0];
    if (parts.length !== 5 || td === '*' || !(td === 'cluster.local' || trustDomains.some((t) => trustDomainMatches(td, t)))) {
      out.push(p);
      continue;
    }
    // A suffix pattern (`*-td`) that already covers a trust domain is kept as written for it.
    for (const t of trustDomains) out.push(td.startsWith('*') && t.endsWith(td.slice(1)) ? p : [t, ...parts.slice(1)].join('/'));
  }
  return [...new Set(out)];
}

/** `trustDomains`: the values are principals, written as istiod rewrites them (principalsInTrustDomains). */
function identityField(values: string[] | undefined, negative: boolean, actual: string | 'unknown' | undefined, what: string, trustDomains?: string[]): Judged {
  if (!values) return YES;
  if (actual === 'unknown') return maybe(`the waypoint's ${what}`);
  const patterns = trustDomains ? principalsInTrustDomains(values, trustDomains) : values;
  const hit = actual !== undefined && patterns.some((v) => istioStringMatch(v, actual));
  return (negative ? !hit : hit) ? YES : NO;
}

/**
 * `namespaces`/`notNamespaces` (and `when` source.namespace). Envoy (a sidecar or a waypoint) gets
 * the regex `.*` `/ns/<value>/` `.*` on the peer's principal, with every `*` of the value a `.*`
 * and the rest literal (istio/istio pilot/pkg/security/authz/model/generator.go
 * srcNamespaceGenerator), so "team-*-prod" matches team-a-prod. ztunnel (l4Only) gets the value as
 * an exact, prefix, suffix or presence match (ambient/authorization.go stringToMatch), where a `*`
 * inside is literal.
 */
function namespaceField(values: string[] | undefined, negative: boolean, peer: Peer): Judged {
  if (!values || peer.l4Only || peer.principal === undefined || peer.principal === 'unknown') return identityField(values, negative, peer.namespace, 'namespace');
  const principal = `spiffe://${peer.principal}`;
  const hit = values.some((v) => wildcardsMatch(`*/ns/${v}/*`, principal));
  return (negative ? !hit : hit) ? YES : NO;
}

/**
 * Whether `text` matches `pattern`, which starts and ends with `*`, each `*` standing for any run of
 * characters (the regex `.*`) and the rest literal: the literal parts in order, each found at its
 * leftmost place (linear, whatever the pattern: no regex is built from a policy's text).
 */
function wildcardsMatch(pattern: string, text: string): boolean {
  let at = 0;
  for (const part of pattern.split('*')) {
    const i = text.indexOf(part, at);
    if (i < 0) return false;
    at = i + part.length;
  }
  return true;
}

/**
 * `serviceAccounts`/`notServiceAccounts`, each value `<namespace>/<serviceaccount>` (parseAuthorizationPolicy
 * adds the policy's namespace to a bare name): istiod's regex
 * `spiffe://.+/ns/<ns>/(.+/|)sa/<sa>(/.+)?` (generator.go serviceAccountRegex) matches a workload's
 * identity `<td>/ns/<ns>/sa/<sa>` exactly when namespace and service account are equal, in any
 * trust domain.
 */
function serviceAccountField(values: string[] | undefined, negative: boolean, principal: string | 'unknown' | undefined): Judged {
  if (!values) return YES;
  if (principal === 'unknown') return maybe('the waypoint\'s service account');
  const parts = principal?.split('/');
  const hit = parts !== undefined && parts.length === 5 && values.includes(`${parts[2]}/${parts[4]}`);
  return (negative ? !hit : hit) ? YES : NO;
}

/**
 * `trustDomains`/`notTrustDomains` against the trust domain of the caller's identity. A value equal
 * to the mesh's trust domain or an alias stands for all of them (trustdomain.Bundle
 * ExpandTrustDomainAliases: exact values only, and unlike principals cluster.local is not special);
 * "*" is any trust domain, one leading or trailing `*` a suffix or prefix match without "/"
 * (generator.go srcTrustDomainGenerator).
 */
function trustDomainField(values: string[] | undefined, negative: boolean, principal: string | 'unknown' | undefined, trustDomains: string[]): Judged {
  if (!values) return YES;
  // A waypoint's identity is of the mesh's own trust domain.
  const td = principal === 'unknown' ? trustDomains[0] : principal?.split('/')[0];
  const expanded = values.flatMap((v) => (trustDomains.includes(v) ? trustDomains : [v]));
  const matches = (v: string, t: string) => {
    if (v === '*') return true;
    const star = v.indexOf('*');
    if (star < 0) return v === t;
    const [pre, post] = [v.slice(0, star), v.slice(star + 1)];
    return t.length >= pre.length + post.length && t.startsWith(pre) && t.endsWith(post) && !t.slice(pre.length, t.length - post.length).includes('/');
  };
  const hit = td !== undefined && expanded.some((v) => matches(v, td));
  return (negative ? !hit : hit) ? YES : NO;
}

/**
 * `action`: the rule's policy action. requestPrincipals/notRequestPrincipals are HTTP-only: on an
 * HTTP request without a validated JWT (no RequestAuthentication applies) requestPrincipals never
 * match and notRequestPrincipals always do; on TCP traffic Istio drops the field, so an ALLOW rule
 * with it never matches while a DENY rule matches without it ("Istio doesn't understand the
 * HTTP-only fields while creating a DENY rule for tcp port and due to its restrictive nature it
 * denies all the traffic to the tcp ports",
 * https://istio.io/latest/docs/tasks/security/authorization/authz-tcp/). A call is HTTP or TCP as its
 * Service port declares (peer.protocol); undeclared, where the two readings differ the field "may match".
 */
function judgeSource(s: AuthzSource, peer: Peer, action: AuthzAction | undefined): Judged {
  const jwtField = (values: string[] | undefined, negative: boolean): Judged => {
    if (!values) return YES;
    if (peer.jwt) return maybe(`a JWT (RequestAuthentication issuers ${peer.jwt.join(', ')})`);
    const field = negative ? 'notRequestPrincipals' : 'requestPrincipals';
    const http = negative ? YES : NO;
    const tcp = action === 'ALLOW' ? NO : YES;
    if (peer.protocol) return peer.protocol.kind === 'http' ? http : tcp;
    if (http.m === tcp.m) return http;
    return maybe(`the protocol: without a JWT (no RequestAuthentication applies) ${field} ${negative ? 'match every' : 'match no'} HTTP request, while on TCP traffic Istio ${action === 'ALLOW' ? `never matches an ALLOW rule with ${field}` : `ignores ${field} in a ${action ?? 'DENY'} rule`}`);
  };
  return all([
    identityField(s.principals, false, peer.principal, 'principal', peer.trustDomains),
    identityField(s.notPrincipals, true, peer.principal, 'principal', peer.trustDomains),
    namespaceField(s.namespaces, false, peer),
    namespaceField(s.notNamespaces, true, peer),
    serviceAccountField(s.serviceAccounts, false, peer.principal),
    serviceAccountField(s.notServiceAccounts, true, peer.principal),
    trustDomainField(s.trustDomains, false, peer.principal, peer.trustDomains),
    trustDomainField(s.notTrustDomains, true, peer.principal, peer.trustDomains),
    jwtField(s.requestPrincipals, false),
    jwtField(s.notRequestPrincipals, true),
    peer.address ? knownAddressField(s.ipBlocks, s.notIpBlocks, peer.address) : addressField(s.ipBlocks, s.notIpBlocks, peer.ipFamilies ?? [4, 6], 'the caller\'s IP address (ipBlocks)', peer.ipFamilies ? 'the cluster\'s pods use IPv' + peer.ipFamilies.join(' and IPv') : 'the snapshot shows no pod address, so a caller may be IPv4 or IPv6'),
    // The client address in X-Forwarded-For may be of any family, whatever the cluster's pods use.
    addressField(s.remoteIpBlocks, s.notRemoteIpBlocks, [4, 6], 'the client address in X-Forwarded-For (remoteIpBlocks)', 'a client may be IPv4 or IPv6'),
  ]);
}

/**
 * `ipBlocks`/`notIpBlocks` (or a `when` on source.ip) against the connection's known source address:
 * a value is an address or a CIDR (validation refuses any other, so the policy is not in effect);
 * values match when one contains the address, notValues exclude it then
 * (https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source; istio/istio
 * pilot/pkg/security/authz/model/generator.go srcIPGenerator at 1.30.0: direct_remote_ip).
 */
function knownAddressField(values: string[] | undefined, notValues: string[] | undefined, address: NonNullable<Peer['address']>): Judged {
  const hit = (vs: string[]) => vs.some((v) => {
    const r = v.includes('/') ? parseCidr(v) : (() => { const ip = parseIp(v); return ip ? { family: ip.family, lo: ip.value, hi: ip.value } : undefined; })();
    return r !== undefined && rangeContains(r, address.family, address.value);
  });
  return all([values ? (hit(values) ? YES : NO) : YES, notValues ? (hit(notValues) ? NO : YES) : YES]);
}

/**
 * `ipBlocks`/`notIpBlocks` (or the remote pair) against an address the snapshot does not hold (a
 * pod's address changes, X-Forwarded-For is per request), but that is of one of `families`: ranges
 * covering every address of each of them match every caller, and as `notIpBlocks` match none
 * (https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source); anything
 * narrower "may match".
 */
function addressField(values: string[] | undefined, notValues: string[] | undefined, families: readonly Family[], what: string, familiesText: string): Judged {
  const covers = (vs: string[] | undefined) => { const every = ipBlocksCoverEvery(vs); return families.every((f) => every.includes(f)); };
  if (notValues && covers(notValues)) return NO;
  const partly = (vs: string[] | undefined) => {
    const every = ipBlocksCoverEvery(vs);
    return every.length ? `${what}: every IPv${every.join('/IPv')} address, but ${familiesText}` : what;
  };
  const positive = !values ? YES : covers(values) ? YES : maybe(partly(values));
  return all([positive, notValues ? maybe(partly(notValues)) : YES]);
}

function judgeOperation(o: AuthzOperation, peer: Peer): Judged {
  const port = String(peer.port);
  const http: string[] = [];
  for (const [k, label] of [['methods', 'HTTP method'], ['notMethods', 'HTTP method'], ['paths', 'path'], ['notPaths', 'path'], ['hosts', 'host'], ['notHosts', 'host']] as const) if (o[k]) http.push(label);
  return all([
    o.ports ? (o.ports.includes(port) ? YES : NO) : YES,
    o.notPorts ? (o.notPorts.includes(port) ? NO : YES) : YES,
    http.length ? maybe(`the request's ${[...new Set(http)].join('/')}`) : YES,
  ]);
}

/**
 * One `when` condition. The connection attributes source.namespace, source.principal and
 * destination.port ("HTTP and TCP", https://istio.io/latest/docs/reference/config/security/conditions/)
 * are judged as `from` and `to` judge them: a plaintext caller has no namespace or principal, so
 * `values` never match it and `notValues` always do. request.auth.* need a JWT that a
 * RequestAuthentication validated: in an ALLOW rule, without one, `values` never match (on a TCP
 * port Istio drops the HTTP-only rule; a DENY rule would then apply more widely, so there it stays
 * "may match"). Anything else is per request: "may match".
 */
function judgeCondition(c: AuthzCondition, peer: Peer, action: string | undefined): Judged {
  const what = `condition ${c.key || '(no key)'}`;
  if (c.key === 'source.namespace' || c.key === 'source.principal') {
    if (c.key === 'source.namespace') return all([namespaceField(c.values, false, peer), namespaceField(c.notValues, true, peer)]);
    return all([identityField(c.values, false, peer.principal, 'principal', peer.trustDomains), identityField(c.notValues, true, peer.principal, 'principal', peer.trustDomains)]);
  }
  // source.serviceAccount and source.trustDomain read the peer certificate as the from.source fields do (model.go).
  if (c.key === 'source.serviceAccount') return all([serviceAccountField(c.values, false, peer.principal), serviceAccountField(c.notValues, true, peer.principal)]);
  if (c.key === 'source.trustDomain') return all([trustDomainField(c.values, false, peer.principal, peer.trustDomains), trustDomainField(c.notValues, true, peer.principal, peer.trustDomains)]);
  if (c.key === 'source.ip' && peer.address) return knownAddressField(c.values, c.notValues, peer.address);
  if (c.key === 'destination.port') {
    // istiod rejects a value that is not a port number; what a proxy would do with it is not judged.
    if (![...(c.values ?? []), ...(c.notValues ?? [])].every((v) => /^\d{1,5}$/.test(v))) return maybe(what);
    const hit = (vs: string[]) => vs.some((v) => Number(v) === peer.port);
    return all([c.values ? (hit(c.values) ? YES : NO) : YES, c.notValues ? (hit(c.notValues) ? NO : YES) : YES]);
  }
  // On a port declared HTTP the condition stays (a DENY rule is not widened): without a JWT its values never match.
  if ((action === 'ALLOW' || peer.protocol?.kind === 'http') && c.key.startsWith('request.auth.') && c.values && !peer.jwt) return NO;
  return maybe(what);
}

/** `when` keys ztunnel can enforce; every other key needs a waypoint (istiod's l4WhenAttributes). */
const L4_WHEN_KEYS = new Set(['source.ip', 'source.namespace', 'source.principal', 'destination.ip', 'destination.port']);

/** The fields of a rule that only a waypoint or sidecar can judge (HTTP, JWT, X-Forwarded-For, other `when` keys). */
function l7FieldsOf(r: AuthzRule): string[] {
  const out: string[] = [];
  for (const o of r.to) for (const k of ['methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts'] as const) if (o[k]) out.push(k);
  for (const s of r.from) for (const k of ['requestPrincipals', 'notRequestPrincipals', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const) if (s[k]) out.push(k);
  for (const c of r.when) if (!L4_WHEN_KEYS.has(c.key)) out.push(`when ${c.key || '(no key)'}`);
  return uniq(out);
}

/** The `from.source` fields istiod puts in ztunnel's Match (ambient/authorization.go handleRule); trustDomains have no place there. */
const L4_SOURCE_KEYS = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'ipBlocks', 'notIpBlocks'] as const;

/**
 * A rule as ztunnel (ambient, no waypoint) enforces it. istiod omits an ALLOW rule with an L7
 * field (it never matches) and sends a DENY rule with each `from` source, `to` operation and `when`
 * condition reduced to its L4 fields (istio/istio pilot/pkg/serviceregistry/ambient/authorization.go
 * handleRule). ztunnel skips a match left empty, "match-none, not match-all" (isMatchEmpty;
 * istio/ztunnel src/rbac.rs Authorization::matches, `if mg.is_empty() { continue }`), so an emptied
 * source or operation drops out of its list, a `from` or `to` with nothing left never matches, and
 * neither does a rule with a `when` key ztunnel cannot read: such a DENY rule "will have no effect"
 * (httpDenyNoEffectBoilerplate, istio/istio#61126). ztunnel has done so since ambient's first
 * release (1.19 src/rbac.rs and 1.22 handleRule already did; istio/istio#61166 fixed only the
 * status message). The same holds for a source with only trustDomains, in an ALLOW rule too.
 */
function l4View(r: AuthzRule, action: AuthzAction | undefined): AuthzRule | undefined {
  const l7 = l7FieldsOf(r).length > 0;
  if (l7 && action !== 'DENY') return undefined;
  if (r.when.some((c) => !L4_WHEN_KEYS.has(c.key))) return undefined;
  const from: AuthzSource[] = [];
  for (const s of r.from) {
    const l4: AuthzSource = {};
    for (const k of L4_SOURCE_KEYS) if (s[k]) l4[k] = s[k];
    if (Object.keys(l4).length) from.push(l4);
  }
  const to: AuthzOperation[] = [];
  for (const o of r.to) {
    const l4: AuthzOperation = {};
    if (o.ports) l4.ports = o.ports;
    if (o.notPorts) l4.notPorts = o.notPorts;
    if (Object.keys(l4).length) to.push(l4);
  }
  if ((r.from.length && !from.length) || (r.to.length && !to.length)) return undefined;
  return { ...r, from, to };
}

/** Whether ztunnel without a waypoint enforces a DENY rule with L7 fields not at all (l4View leaves nothing to match). */
const noEffectAtZtunnel = (r: AuthzRule) => l7FieldsOf(r).length > 0 && l4View(r, 'DENY') === undefined;

/**
 * What ztunnel makes of the L7 fields of `policies`, for a note: the DENY rules it enforces not at
 * all are named ("has no effect at ztunnel", istiod's httpDenyNoEffectBoilerplate).
 */
function ztunnelL7Effect(policies: ParsedAuthzPolicy[]): string {
  const none = policies.filter((p) => p.action === 'DENY').flatMap((p) => p.rules.filter(noEffectAtZtunnel).map((r) => `${name(p)} rules[${r.index}]`));
  const base = 'an ALLOW rule with them never matches, a DENY rule is enforced without them';
  return none.length ? `${base}, and one left with nothing ztunnel can match has no effect at ztunnel (${none.join(', ')})` : base;
}

/**
 * The fields Istio cannot build into a TCP filter (`"<field>" is HTTP only`, istio/istio
 * pilot/pkg/security/authz/model/generator.go): methods, paths, hosts, requestPrincipals and the
 * request.* `when` keys (request.auth.*, request.headers[...]).
 */
function httpOnlyFieldsOf(r: AuthzRule): string[] {
  const out: string[] = [];
  for (const o of r.to) for (const k of ['methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts'] as const) if (o[k]) out.push(k);
  for (const src of r.from) for (const k of ['requestPrincipals', 'notRequestPrincipals'] as const) if (src[k]) out.push(k);
  for (const c of r.when) if (c.key.startsWith('request.')) out.push(`when ${c.key}`);
  return uniq(out);
}

/**
 * A rule as a proxy enforces it on a port declared TCP: istiod skips an ALLOW rule with an
 * HTTP-only field ("Istio ignores the invalid ALLOW rule") and builds a DENY (CUSTOM, AUDIT) rule
 * without those fields, so it matches more widely ("Istio doesn't understand the HTTP-only fields
 * while creating a DENY rule for tcp port and due to its restrictive nature it denies all the
 * traffic to the tcp ports", https://istio.io/latest/docs/tasks/security/authorization/authz-tcp/;
 * model.go checkError: "effectively resulting in a wider deny").
 */
function tcpView(r: AuthzRule, action: AuthzAction | undefined): AuthzRule | undefined {
  if (httpOnlyFieldsOf(r).length === 0) return r;
  if (action === 'ALLOW') return undefined;
  return {
    ...r,
    from: r.from.map(({ requestPrincipals: _a, notRequestPrincipals: _b, ...rest }) => rest),
    to: r.to.map(({ methods: _a, notMethods: _b, paths: _c, notPaths: _d, hosts: _e, notHosts: _f, ...rest }) => rest),
    when: r.when.filter((c) => !c.key.startsWith('request.')),
  };
}

/** `action`: the rule's policy action; only an ALLOW rule's HTTP-only conditions are judged without a JWT. */
function judgeRule(r: AuthzRule, peer: Peer, action?: AuthzAction): Judged {
  if (peer.l4Only) {
    const l4 = l4View(r, action);
    if (!l4) return NO;
    r = l4;
  }
  if (peer.protocol?.kind === 'tcp') {
    const tcp = tcpView(r, action);
    if (!tcp) return NO;
    r = tcp;
  }
  return all([
    r.from.length ? any(r.from.map((s) => judgeSource(s, peer, action))) : YES,
    r.to.length ? any(r.to.map((o) => judgeOperation(o, peer))) : YES,
    ...r.when.map((c) => judgeCondition(c, peer, action)),
  ]);
}

// ---- one enforcement point --------------------------------------------------------------------

interface LayerVerdict {
  verdict: MeshVerdictKind;
  reason: string;
  policy?: ResourceRef;
  rule?: number;
}

const name = (p: ParsedAuthzPolicy) => `${p.namespace}/${p.ref.name}`;
const uniq = (xs: string[]) => [...new Set(xs)];

/**
 * `providers`: the CUSTOM providers the enforcing istiod can build (istioExtensionProviders). A
 * CUSTOM policy naming another is built as DENY rules: builder.go buildHTTP/buildTCP at 1.30.0,
 * "failed to process CUSTOM action for provider %s, will generate deny configs"
 * (getBadCustomDenyRules), its dry-run policies left out of them (providerRules holds the
 * enforced ones). Unset or unknown: the external authorizer decides, as before.
 */
function judgeLayer(policies: ParsedAuthzPolicy[], peer: Peer, who: string, providers?: ReturnType<typeof istioExtensionProviders>): LayerVerdict {
  const customs: string[] = [];
  let customRef: ParsedAuthzPolicy | undefined;
  const badCustom = (p: ParsedAuthzPolicy) => !peer.l4Only && providers !== undefined && 'names' in providers && !providers.names.has(p.provider ?? '');
  const denyAs = (p: ParsedAuthzPolicy) => (p.action === 'CUSTOM' ? `CUSTOM AuthorizationPolicy ${name(p)} (provider ${p.provider ?? '(none)'} is no ext_authz provider in meshConfig.extensionProviders: ${providers && 'source' in providers ? providers.source : 'mesh config'}; istiod builds its rules as DENY rules)` : `DENY AuthorizationPolicy ${name(p)}`);
  for (const p of policies.filter((x) => x.action === 'CUSTOM')) {
    if (badCustom(p)) continue;
    for (const r of p.rules) {
      if (judgeRule(r, peer, p.action).m === 'no') continue;
      customs.push(`${p.provider ?? '(no provider)'} (CUSTOM ${name(p)})`);
      customRef ??= p;
      break;
    }
  }
  const denyMaybe: Array<{ p: ParsedAuthzPolicy; r: AuthzRule; on: string[] }> = [];
  for (const p of policies.filter((x) => x.action === 'DENY' || (x.action === 'CUSTOM' && !x.customDryRun && badCustom(x)))) {
    for (const r of p.rules) {
      const j = judgeRule(r, peer, p.action);
      if (j.m === 'yes') return { verdict: 'denied', reason: `${denyAs(p)} rules[${r.index}] matches ${who} on port ${peer.port}`, policy: p.ref, rule: r.index };
      if (j.m === 'maybe') denyMaybe.push({ p, r, on: j.on });
    }
  }
  const allows = policies.filter((x) => x.action === 'ALLOW');
  let allowed: LayerVerdict;
  if (allows.length === 0) {
    allowed = { verdict: 'allowed', reason: `no ALLOW AuthorizationPolicy applies, so Istio allows ${who} on port ${peer.port}` };
  } else {
    let hit: { p: ParsedAuthzPolicy; r: AuthzRule } | undefined;
    const maybes: Array<{ p: ParsedAuthzPolicy; r: AuthzRule; on: string[] }> = [];
    for (const p of allows) {
      for (const r of p.rules) {
        const j = judgeRule(r, peer, p.action);
        if (j.m === 'yes') { hit = { p, r }; break; }
        if (j.m === 'maybe') maybes.push({ p, r, on: j.on });
      }
      if (hit) break;
    }
    if (hit) allowed = { verdict: 'allowed', reason: `ALLOW AuthorizationPolicy ${name(hit.p)} rules[${hit.r.index}] matches ${who} on port ${peer.port}`, policy: hit.p.ref, rule: hit.r.index };
    else if (maybes.length) {
      const m = maybes[0];
      allowed = { verdict: 'depends', reason: `only ALLOW AuthorizationPolicy ${uniq(maybes.map((x) => `${name(x.p)} rules[${x.r.index}]`)).join(', ')} may match ${who} on port ${peer.port}, depending on ${uniq(maybes.flatMap((x) => x.on)).join(', ')}; other requests are denied`, policy: m.p.ref, rule: m.r.index };
    } else {
      const nothing = allows.filter((p) => p.allowNothing);
      allowed = nothing.length === allows.length
        ? { verdict: 'denied', reason: `allow-nothing AuthorizationPolicy ${nothing.map(name).join(', ')} (ALLOW without rules) admits no request`, policy: nothing[0].ref }
        : { verdict: 'denied', reason: `no ALLOW AuthorizationPolicy matches ${who} on port ${peer.port} (applying: ${allows.map(name).join(', ')})` };
    }
  }
  if (allowed.verdict === 'denied') return allowed;
  if (denyMaybe.length) {
    const d = denyMaybe[0];
    return { verdict: 'depends', reason: `${allowed.reason}, but ${uniq(denyMaybe.map((x) => `${denyAs(x.p)} rules[${x.r.index}]`)).join(', ')} may refuse it, depending on ${uniq(denyMaybe.flatMap((x) => x.on)).join(', ')}`, policy: d.p.ref, rule: d.r.index };
  }
  if (customs.length) return { verdict: 'depends', reason: `the external authorizer ${uniq(customs).join(', ')} decides each request (${allowed.reason})`, policy: customRef!.ref };
  return allowed;
}

// ---- the callee's enforcement point ----------------------------------------------------------

const NO_WAYPOINT = 'none';

/**
 * The first namespace, Service or Istio workload whose istio.io/use-waypoint label names a
 * waypoint, as text (undefined: none does). Which traffic that waypoint handles is read from its
 * Gateway, so only then do verdicts read Gateways. One pass over each list.
 */
export function istioWaypointNamed(snapshot: Snapshot, config: Config): string | undefined {
  const model = istioAuthzModel(snapshot, config);
  const names = (labels: Record<string, string>) => { const v = labels['istio.io/use-waypoint']; return v !== undefined && v !== NO_WAYPOINT; };
  for (const [ns, info] of model.namespaces) if (names(info.labels)) return `namespace ${ns}`;
  for (const [ns, list] of model.services) for (const svc of list) if (names(svc.labels)) return `Service ${ns}/${svc.name}`;
  for (const w of meshModel(snapshot, config).workloads) if (w.mesh === 'istio' && names(w.labels)) return `${w.workload.ref.kind} ${w.namespace}/${w.workload.ref.name}`;
  return undefined;
}

export interface WaypointPath {
  /** How the caller addresses the callee: a pod address, or a Service's. */
  label: string;
  wp: { name: string; namespace: string; via: string } | undefined;
  /** Why the waypoint that the labels name does not handle this traffic. */
  skipped?: string;
  /** Set when the waypoint Gateway could not be read: whether `wp` handles this traffic is unknown (why). */
  unsure?: string;
  /** Set when the named waypoint is not ready (why, naming its Gateway): istiod sends this call around it. */
  notReady?: string;
  /** Set when the waypoint's Gateway came from manifests without status: its readiness is assumed (said in a note). */
  assumedReady?: string;
  /** The Service the call is addressed to (undefined: a direct call to a pod). */
  service?: string;
}

/**
 * The waypoints a call goes through, per how the caller addresses the callee. A Service's traffic
 * uses the Service's istio.io/use-waypoint label, else its namespace's; a pod address uses the
 * pod's, else its namespace's. The waypoint Gateway's istio.io/waypoint-for label says which it
 * takes: "By default, a waypoint will only handle service traffic" (`service`; `workload`, `all`,
 * `none`; https://istio.io/latest/docs/ambient/usage/waypoint/). Service paths come first; a
 * direct call to a pod is last. One path per Service selecting the callee, so a handful. The flow
 * verdicts and mtls.authz-missing both read waypoints through it, so they agree on which calls a
 * waypoint decides.
 */
export function waypointPaths(model: IstioAuthzModel, callee: MeshCallee): WaypointPath[] {
  const nsLabels = model.namespaces.get(callee.namespace)?.labels ?? {};
  const wpNs = (labels: Record<string, string>) => labels['istio.io/use-waypoint-namespace'] ?? callee.namespace;
  const pick = (traffic: 'service' | 'workload', label: string, named: { name: string; namespace: string; via: string } | undefined): WaypointPath => {
    if (!named) return { label, wp: undefined };
    const key = `${named.namespace}/${named.name}`;
    const found = model.waypointFor.get(key);
    if (found === undefined && model.gatewaysUnreadable) {
      const unsure = `Gateways could not be read, so whether waypoint ${key} (${named.via}) handles ${traffic} traffic (its istio.io/waypoint-for label) is unknown`;
      return { label, wp: { ...named, via: `${named.via}; Gateway unread` }, unsure };
    }
    // istiod has no waypoint without a ready Gateway, whatever traffic it would take: from a live
    // cluster a Gateway without status.addresses, or none at all, leaves the call to ztunnel.
    const status = model.waypointStatus.get(key);
    const notReadyWhy = status?.ready === false ? status.why : status === undefined && !model.fromManifests ? `Gateway ${key} is not in the cluster` : undefined;
    if (notReadyWhy) {
      const consequence = 'so istiod sends no traffic through it, and the AuthorizationPolicies attached to it by targetRefs are enforced nowhere';
      return { label, wp: undefined, skipped: `waypoint ${key} (${named.via}) is not ready: ${notReadyWhy}, ${consequence}`, notReady: `waypoint ${key} is not ready: ${notReadyWhy}, ${consequence}` };
    }
    const assumedReady = status?.ready === 'assumed' ? `waypoint ${key}: its Gateway comes from manifests, which carry no status, so it is assumed ready; in a cluster istiod uses it only once the Gateway has status.addresses` : undefined;
    const programmedNote = status?.ready === true && status.programmed ? `; Gateway ${status.programmed}, but it has status.addresses, which is what istiod sends traffic to` : '';
    if (found !== undefined && 'classUnread' in found) {
      const unsure = `GatewayClasses could not be read, so whether waypoint ${named.namespace}/${named.name} (${named.via}) handles ${traffic} traffic (the istio.io/waypoint-for label of its GatewayClass ${found.classUnread}) is unknown`;
      return { label, wp: { ...named, via: `${named.via}; GatewayClass unread` }, unsure };
    }
    const value = found?.value;
    const forText = value ? `istio.io/waypoint-for: ${value}${found?.fromClass !== undefined ? ` on GatewayClass ${found.fromClass}` : ''}` : value === '' ? 'no istio.io/waypoint-for label: service' : 'Gateway not in the snapshot: Istio\'s default service assumed';
    const handles = value === undefined || value === '' ? traffic === 'service' : value === 'all' || value === traffic;
    return handles
      ? { label, wp: { ...named, via: `${named.via}; ${forText}${programmedNote}` }, ...(assumedReady ? { assumedReady } : {}) }
      : { label, wp: undefined, skipped: `waypoint ${key} (${named.via}) does not handle ${traffic} traffic (${forText})` };
  };
  const nsWaypoint = (kind: string) => {
    const v = nsLabels['istio.io/use-waypoint'];
    return v !== undefined && v !== NO_WAYPOINT ? { name: v, namespace: wpNs(nsLabels), via: `namespace ${callee.namespace} label istio.io/use-waypoint, for its ${kind}` } : undefined;
  };
  const paths: WaypointPath[] = [];
  for (const s of model.services.get(callee.namespace) ?? []) {
    if (Object.keys(s.selector).length === 0 || !selectorMatches(s.selector, callee.labels)) continue;
    const v = s.labels['istio.io/use-waypoint'];
    const named = v === undefined ? nsWaypoint('Services') : v === NO_WAYPOINT ? undefined : { name: v, namespace: wpNs(s.labels), via: `Service ${callee.namespace}/${s.name} label istio.io/use-waypoint` };
    paths.push({ ...pick('service', `a call to Service ${callee.namespace}/${s.name}`, named), service: s.name });
  }
  const pod = callee.labels['istio.io/use-waypoint'];
  const podNamed = pod === undefined ? nsWaypoint('pods') : pod === NO_WAYPOINT ? undefined : { name: pod, namespace: wpNs(callee.labels), via: 'pod label istio.io/use-waypoint' };
  paths.push(pick('workload', `a direct call to a pod of ${callee.namespace}/${callee.name}`, podNamed));
  return paths;
}

/**
 * The targetRef-attached policies of a model, by what they attach to: `Gateway` and `Service`
 * refs by `namespace/name` (a targetRef names an object of the policy's own namespace), the
 * `istio-waypoint` GatewayClass (root namespace only). Entries are positions in `authz.all`, so a
 * lookup keeps that order. Built once per model, on the first waypoint verdict.
 */
interface WaypointTargets {
  gateways: Map<string, number[]>;
  services: Map<string, number[]>;
  /** Attached to the istio-waypoint GatewayClass, in any namespace: a waypoint takes those of its revision's root (IstioAuthzModel.waypointRoot). */
  gatewayClass: number[];
  /** `namespace/name` of the Services a RequestAuthentication targets. */
  requestAuthnServices: Set<string>;
}

const waypointTargetsByModel = new WeakMap<IstioAuthzModel, WaypointTargets>();

function waypointTargets(model: IstioAuthzModel): WaypointTargets {
  let t = waypointTargetsByModel.get(model);
  if (t) return t;
  t = { gateways: new Map(), services: new Map(), gatewayClass: [], requestAuthnServices: new Set() };
  const add = (m: Map<string, number[]>, key: string, i: number) => { const l = m.get(key); if (l) l.push(i); else m.set(key, [i]); };
  model.authz.all.forEach((p, i) => {
    // A dry-run policy is only logged by the waypoint's (or gateway's) Envoy (ParsedAuthzPolicy.dryRun).
    if (!p.targeted || !p.action || p.problems.length > 0 || p.dryRun) return;
    for (const ref of p.targetRefs) {
      if (ref.kind === 'Gateway') add(t!.gateways, `${p.namespace}/${ref.name}`, i);
      else if (ref.kind === 'Service') add(t!.services, `${p.namespace}/${ref.name}`, i);
      else if (ref.kind === 'GatewayClass' && ref.name === 'istio-waypoint') t!.gatewayClass.push(i);
    }
  });
  for (const ra of model.requestAuthn) for (const r of ra.targetRefs) if (r.kind === 'Service' && (r.group === '' || r.group === 'core')) t.requestAuthnServices.add(`${ra.namespace}/${r.name}`);
  waypointTargetsByModel.set(model, t);
  return t;
}

/**
 * Which Service-targeted policies a waypoint applies to a call: `undefined` those of every Service
 * selecting the callee (what may protect it at all, for the checks); `{ service }` those of that
 * Service only, for a call addressed to it; `{}` none, for a direct call to a pod. "The targetRefs
 * field is used to target policy destined for certain services, and those policies are bound to
 * the waypoints which those services are configured to use"
 * (https://ambientmesh.io/docs/security/waypoint-authz/): a policy on Service s1 does not judge a
 * call to Service s2 through the same waypoint.
 */
export type ServiceScope = { service?: string } | undefined;

const inScope = (scope: ServiceScope, name: string) => scope === undefined || scope.service === name;

/** The Service-targeted policies a waypoint applies on one path: the called Service's, or none for a direct call to a pod. */
export const pathScope = (p: WaypointPath): ServiceScope => (p.service !== undefined ? { service: p.service } : {});

/**
 * Policies a waypoint enforces for this callee: targetRefs to the waypoint Gateway, to a Service
 * of the callee within `scope`, or to the istio-waypoint GatewayClass (in the root namespace of
 * the waypoint's revision, waypointRoot), in the model's order. Looked up in an index of the model, so a verdict reads only its candidates, not
 * every policy.
 */
export function waypointPolicies(model: IstioAuthzModel, callee: MeshCallee, wp: { name: string; namespace: string }, scope?: ServiceScope, root?: string): ParsedAuthzPolicy[] {
  const t = waypointTargets(model);
  const classRoot = t.gatewayClass.length > 0 ? root ?? model.waypointRoot(wp) : undefined;
  const hits = new Set<number>([...t.gateways.get(`${wp.namespace}/${wp.name}`) ?? [], ...t.gatewayClass.filter((i) => model.authz.all[i].namespace === classRoot)]);
  for (const s of model.services.get(callee.namespace) ?? []) {
    if (!inScope(scope, s.name) || Object.keys(s.selector).length === 0 || !selectorMatches(s.selector, callee.labels)) continue;
    for (const i of t.services.get(`${callee.namespace}/${s.name}`) ?? []) hits.add(i);
  }
  return [...hits].sort((a, b) => a - b).map((i) => model.authz.all[i]);
}

/**
 * The namespaces holding an AuthorizationPolicy or RequestAuthentication attached to the
 * istio-waypoint GatewayClass: the roots a waypoint of unknown revision may take policies from
 * (any other root takes none of them), sorted.
 */
export function waypointClassPolicyNamespaces(model: IstioAuthzModel): string[] {
  const t = waypointTargets(model);
  const out = new Set(t.gatewayClass.map((i) => model.authz.all[i].namespace));
  for (const ra of model.requestAuthn) if (ra.targetRefs.some((r) => r.kind === 'GatewayClass' && r.name === 'istio-waypoint')) out.add(ra.namespace);
  return [...out].sort();
}

/**
 * Resolves the revision of each waypoint Gateway (class istio-waypoint, or a Gateway or GatewayClass
 * label istio.io/waypoint-for) whose root namespace decides something — some policy is attached to
 * the istio-waypoint GatewayClass — and returns the keys of those whose root is unknown. Its
 * lookups land in istioRevisionResolver's `consulted`, as a workload's do, so the checks reading
 * waypoint policies declare the tag webhooks they may need (ISTIO_REVISION_TAGS_READ). O(Gateways).
 */
export function istioWaypointRootsResolved(snapshot: Snapshot, config: Config): string[] {
  const model = istioAuthzModel(snapshot, config);
  if (waypointClassPolicyNamespaces(model).length === 0) return [];
  const out: string[] = [];
  for (const g of snapshot.resources['gatewayapi.gateways'] ?? []) {
    const wp = { namespace: g.metadata?.namespace ?? 'default', name: g.metadata?.name ?? '' };
    const wf = model.waypointFor.get(`${wp.namespace}/${wp.name}`);
    const waypoint = str(obj(g.spec)?.gatewayClassName) === 'istio-waypoint' || (wf !== undefined && ('classUnread' in wf || wf.value !== ''));
    if (waypoint && model.waypointRootUnknown(wp)) out.push(`${wp.namespace}/${wp.name}`);
  }
  return out;
}

/** Whether an AuthorizationPolicy or RequestAuthentication targets this Service: calls to it are then judged apart. */
function serviceTargeted(model: IstioAuthzModel, namespace: string, service: string): boolean {
  const t = waypointTargets(model);
  return t.services.has(`${namespace}/${service}`) || t.requestAuthnServices.has(`${namespace}/${service}`);
}

/**
 * The issuers of the RequestAuthentications that apply where the call is judged. A sidecar takes
 * those selecting it (its namespace's and its revision's root namespace's) and ignores targetRefs. A waypoint
 * takes only targetRefs — to its Gateway, to a Service (group "" or "core") of the callee's
 * namespace selecting the callee, or to the istio-waypoint GatewayClass (root namespace) — and
 * ignores selectors ("Waypoint proxies are required to use this field for policies to apply;
 * selector policies will be ignored",
 * https://istio.io/latest/docs/reference/config/security/request_authentication/; istio/istio
 * pilot/pkg/model/policyattachment.go: "waypoints never use selector").
 */
function requestAuthnFor(model: IstioAuthzModel, callee: MeshCallee, wp: { name: string; namespace: string } | undefined, scope?: ServiceScope, root?: string): string[] | undefined {
  if (model.requestAuthnUnreadable) return ['unknown: RequestAuthentications could not be read'];
  const issuers: string[] = [];
  const services = wp ? new Set((model.services.get(callee.namespace) ?? []).filter((s) => inScope(scope, s.name) && Object.keys(s.selector).length > 0 && selectorMatches(s.selector, callee.labels)).map((s) => s.name)) : undefined;
  for (const ra of model.requestAuthn) {
    if (ra.targetRefs.length > 0) {
      if (wp && ra.targetRefs.some((t) =>
        (t.kind === 'Gateway' && ra.namespace === wp.namespace && t.name === wp.name)
        || (t.kind === 'Service' && (t.group === '' || t.group === 'core') && ra.namespace === callee.namespace && services!.has(t.name))
        || (t.kind === 'GatewayClass' && t.name === 'istio-waypoint' && ra.namespace === (root ?? model.waypointRoot(wp))))) issuers.push(...ra.issuers);
      continue;
    }
    if (wp) continue;
    // The sidecar's istiod is its revision's: the root namespace is that revision's (MeshCallee.root).
    if (!istioPolicySelects(ra, callee.root ?? model.root, callee.namespace, callee.labels)) continue;
    issuers.push(...ra.issuers);
  }
  return issuers.length ? uniq(issuers) : undefined;
}

const callProtocols = new WeakMap<IstioAuthzModel, Map<string, CallProtocol | undefined>>();

/**
 * The protocol a call on the callee's port carries as Istio reads it: the declared protocol of the
 * Service ports leading to that pod port (declaredPortProtocol) — within `scope` at a waypoint (the
 * Service called), every Service selecting the callee at its sidecar, whose inbound listener for
 * the port takes the Service port's protocol. One answer only when every such port declares the
 * same; none, or any undeclared, leaves it undefined (sniffed: HTTP or TCP per connection).
 * Memoised per model, callee and port, so the effective matrix walks a namespace's Services once.
 */
function callProtocol(model: IstioAuthzModel, callee: MeshCallee, scope: ServiceScope): CallProtocol | undefined {
  let cache = callProtocols.get(model);
  if (!cache) callProtocols.set(model, (cache = new Map()));
  const key = `${callee.namespace}\u0000${callee.name}\u0000${callee.port}\u0000${scope === undefined ? '*' : scope.service ?? ''}`;
  if (cache.has(key)) return cache.get(key);
  const found: string[] = [];
  let kind: CallProtocol['kind'] | undefined;
  let agreed = true;
  for (const s of model.services.get(callee.namespace) ?? []) {
    if (!inScope(scope, s.name) || Object.keys(s.selector).length === 0 || !selectorMatches(s.selector, callee.labels)) continue;
    for (const sp of s.ports) {
      const target = typeof sp.targetPort === 'number' ? sp.targetPort : callee.containerPorts?.find((c) => c.name === sp.targetPort)?.port;
      if (target !== callee.port) continue;
      if (sp.protocol === undefined || (kind !== undefined && kind !== sp.protocol)) agreed = false;
      kind ??= sp.protocol;
      found.push(`Service ${callee.namespace}/${s.name} port ${sp.port} ${sp.declared}`);
    }
  }
  const out = agreed && kind !== undefined ? { kind, source: found.join(', ') } : undefined;
  cache.set(key, out);
  return out;
}

/**
 * The callee's pod ports that a Service selecting it declares a protocol for: a verdict over a set
 * of ports judges each apart, since HTTP-only policy fields read differently there (callProtocol).
 */
export function istioDeclaredProtocolPorts(model: IstioAuthzModel, namespace: string, labels: Record<string, string>, containerPorts: Array<{ port: number; name?: string }>): number[] {
  // Asked once per caller of the same callee (the effective matrix): one walk of the namespace's Services per callee.
  let cache = declaredPortsByModel.get(model);
  if (!cache) declaredPortsByModel.set(model, (cache = new Map()));
  const key = `${namespace}\u0000${JSON.stringify(labels)}\u0000${containerPorts.map((c) => `${c.name ?? ''}=${c.port}`).join(',')}`;
  const known = cache.get(key);
  if (known) return known;
  const out = new Set<number>();
  for (const s of model.services.get(namespace) ?? []) {
    if (Object.keys(s.selector).length === 0 || !selectorMatches(s.selector, labels)) continue;
    for (const sp of s.ports) {
      if (sp.protocol === undefined) continue;
      const target = typeof sp.targetPort === 'number' ? sp.targetPort : containerPorts.find((c) => c.name === sp.targetPort)?.port;
      if (target !== undefined) out.add(target);
    }
  }
  const ports = [...out];
  cache.set(key, ports);
  return ports;
}

const declaredPortsByModel = new WeakMap<IstioAuthzModel, Map<string, number[]>>();

/** The PeerAuthentication mode on the callee's port, and the policy that set it. */
function portMode(model: IstioAuthzModel, callee: MeshCallee): { mode: EffectiveMode; by: ResourceRef | undefined } {
  // The callee's sidecar or ztunnel gets its PeerAuthentications from the istiod of its revision.
  const r = resolveIstioMode(model.peerFor(callee.namespace, callee.labels), callee.namespace, callee.labels);
  const port = r.ports[String(callee.port)];
  const by = port !== undefined || r.decidedBy === 'workload' ? r.sources.workload : r.decidedBy === 'namespace' ? r.sources.namespace : r.decidedBy === 'mesh' ? r.sources.mesh : undefined;
  return { mode: port ?? r.mode, by };
}

/**
 * The selector-less PeerAuthentication of the callee's own namespace, when it says STRICT and the
 * callee's port is STRICT: a plaintext caller is then refused whatever Istio's root namespace is.
 * Namespace-wide policies take precedence over the mesh-wide one, and were the callee's namespace
 * the root, that policy would be the mesh-wide one, still STRICT, with its namespace's selector
 * policies ignored (https://istio.io/latest/docs/reference/config/security/peer_authentication/;
 * istio/istio ComposePeerAuthentication). Not a workload-level policy alone: in the root namespace
 * it would be ignored. Undefined for a callee in the assumed root namespace, whose policies would
 * be namespace- and workload-level under another root.
 */
export function istioStrictWhateverRoot(model: IstioAuthzModel, callee: MeshCallee): ResourceRef | undefined {
  if (callee.namespace === model.root) return undefined;
  const own = model.peer.namespaceWinner.get(callee.namespace);
  if (!own || own.mode !== 'STRICT' || portMode(model, callee).mode !== 'STRICT') return undefined;
  return own.ref;
}

/**
 * The malformed AuthorizationPolicies that would have applied to the callee, had istiod accepted
 * them: its namespace's (a targetRef'd one too, which may attach to its Service or waypoint) and
 * its revision's root namespace's, whose policies apply mesh-wide, each where its selector picks
 * the callee. istiod rejects them all alike, so a reader of the verdict needs every one named.
 */
function rejectedPoliciesFor(model: IstioAuthzModel, callee: MeshCallee): ParsedAuthzPolicy[] {
  const root = callee.root ?? model.root;
  const out: ParsedAuthzPolicy[] = [];
  for (const ns of callee.namespace === root ? [root] : [callee.namespace, root]) {
    for (const p of model.authz.byNamespace.get(ns) ?? []) {
      if (p.problems.length === 0 || (p.targeted && ns !== callee.namespace)) continue;
      if (p.targeted || istioPolicySelects(p, root, callee.namespace, callee.labels)) out.push(p);
    }
  }
  return out;
}

/**
 * Istio's verdict for one call. The callee must be in Istio's mesh (`dataplane` sidecar by default).
 * With `allowOnly`, every ALLOW policy but it is left out (CUSTOM and DENY policies still decide
 * first): whether that policy on its own admits the call. ALLOW policies are ORed ("If any of the
 * ALLOW policies match the request, allow the request",
 * https://istio.io/latest/docs/reference/config/security/authorization-policy/), so that does not
 * depend on the others, while the judge names only the first it matches. It filters the policies
 * already looked up for the callee rather than a copy of the model, so asking it per policy,
 * workload and port costs no more than the plain verdict.
 */
export function istioFlowVerdict(model: IstioAuthzModel, caller: MeshCaller, callee: MeshCallee, opts: { allowOnly?: ParsedAuthzPolicy } = {}): MeshFlowVerdict {
  const doubts = doubtsFor(model, callee);
  const read = ztunnelDryRunVerdict(model, caller, callee, opts);
  if (doubts.length === 0) return read;
  // An istiod of another release may read these policies otherwise (ParsedAuthzPolicy.doubt): one
  // answer when both readings agree, else unknown, naming both.
  const alt = alternativeModel(model);
  const other = ztunnelDryRunVerdict(alt.model, caller, callee, opts.allowOnly ? { allowOnly: alt.of.get(opts.allowOnly) ?? opts.allowOnly } : {});
  const whys = uniq(doubts.map((p) => p.doubt!.why));
  if (other.verdict === read.verdict) return { ...read, notes: [...(read.notes ?? []), ...whys.map((w) => `${w}; read either way, the verdict is the same`)] };
  const { policy: _p, rule: _r, ...rest } = read;
  return {
    ...rest,
    verdict: 'unknown',
    reason: `${whys.join('; ')}: read as the newest istiod reads it, ${read.verdict.toUpperCase()} (${read.reason}); read as the oldest, ${other.verdict.toUpperCase()} (${other.reason})`,
  };
}

/**
 * The verdict for an ambient callee when dry-run AuthorizationPolicies (istio.io/dry-run) select
 * it: whether its ztunnel enforces them depends on istiod's release and settings. Before 1.29
 * istiod hands ztunnel a dry-run policy as an ordinary one (istio/istio
 * pilot/pkg/serviceregistry/kube/controller/ambient/authorization.go, convertAuthorizationPolicy
 * at 1.28.0 reads no dry-run annotation), which ztunnel enforces; from 1.29.0 it leaves the policy
 * out unless AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY is set, and then marks it DryRun for
 * ztunnel ("Older ztunnel will accept dry-run policies, but enforce them instead of only logging",
 * pilot/pkg/features/ambient.go at 1.29.0; the same at 1.30.0 under pilot/pkg/serviceregistry/ambient).
 * The call is judged both ways: one answer when they agree, else unknown, naming the policies.
 */
function ztunnelDryRunVerdict(model: IstioAuthzModel, caller: MeshCaller, callee: MeshCallee, opts: { allowOnly?: ParsedAuthzPolicy }): MeshFlowVerdict {
  const read = istioFlowVerdictAsRead(model, caller, callee, opts);
  if (callee.dataplane !== 'ambient') return read;
  const dry = policiesFor(model.authz, callee.namespace, callee.labels, callee.root, { dryRun: 'only' });
  if (dry.length === 0) return read;
  const enforced = istioFlowVerdictAsRead(model, caller, callee, { ...opts, ztunnelDryRun: true });
  const why = `AuthorizationPolicy ${dry.map(name).join(', ')} ${dry.length === 1 ? 'is' : 'are'} dry-run (istio.io/dry-run), and whether the ztunnel of ${callee.namespace}/${callee.name} enforces ${dry.length === 1 ? 'it' : 'them'} cannot be confirmed: istiod before 1.29 hands ztunnel a dry-run policy as an ordinary one, which it enforces; from 1.29 istiod leaves it out unless AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY is set`;
  if (enforced.verdict === read.verdict) return { ...read, notes: [...(read.notes ?? []), `${why}; either way, the verdict is the same`] };
  const { policy: _p, rule: _r, ...rest } = read;
  return { ...rest, verdict: 'unknown', reason: `${why}: not enforced, ${read.verdict.toUpperCase()} (${read.reason}); enforced, ${enforced.verdict.toUpperCase()} (${enforced.reason})` };
}

/** The policies of the callee's namespace and root namespace that another istiod release may read otherwise. */
function doubtsFor(model: IstioAuthzModel, callee: MeshCallee): ParsedAuthzPolicy[] {
  let any = modelsWithDoubts.get(model);
  if (any === undefined) modelsWithDoubts.set(model, (any = model.authz.all.some((p) => p.doubt)));
  if (!any) return [];
  const root = callee.root ?? model.authz.root;
  const lists = callee.namespace === root ? [model.authz.byNamespace.get(root)] : [model.authz.byNamespace.get(callee.namespace), model.authz.byNamespace.get(root)];
  return lists.flatMap((l) => (l ?? []).filter((p) => p.doubt));
}

const modelsWithDoubts = new WeakMap<IstioAuthzModel, boolean>();
const alternativeModels = new WeakMap<IstioAuthzModel, { model: IstioAuthzModel; of: Map<ParsedAuthzPolicy, ParsedAuthzPolicy> }>();

/** The model with every doubtful policy read as the oldest istiod reads it (ParsedAuthzPolicy.doubt.alternative). Built once per model. */
function alternativeModel(model: IstioAuthzModel): { model: IstioAuthzModel; of: Map<ParsedAuthzPolicy, ParsedAuthzPolicy> } {
  let alt = alternativeModels.get(model);
  if (alt) return alt;
  const of = new Map<ParsedAuthzPolicy, ParsedAuthzPolicy>();
  const swap = (p: ParsedAuthzPolicy) => { if (!p.doubt) return p; let a = of.get(p); if (!a) of.set(p, (a = p.doubt.alternative)); return a; };
  const byNamespace = new Map([...model.authz.byNamespace].map(([ns, list]) => [ns, list.map(swap)]));
  alt = { model: { ...model, authz: { root: model.authz.root, byNamespace, all: model.authz.all.map(swap) } }, of };
  alternativeModels.set(model, alt);
  return alt;
}

/** `ztunnelDryRun`: an ambient callee's ztunnel enforces the dry-run policies selecting it (ztunnelDryRunVerdict). */
function istioFlowVerdictAsRead(model: IstioAuthzModel, caller: MeshCaller, callee: MeshCallee, opts: { allowOnly?: ParsedAuthzPolicy; ztunnelDryRun?: boolean } = {}): MeshFlowVerdict {
  const { allowOnly } = opts;
  const kept = (list: ParsedAuthzPolicy[]) => allowOnly ? list.filter((p) => p === allowOnly || p.action !== 'ALLOW') : list;
  const ambient = callee.dataplane === 'ambient';
  const pa = portMode(model, callee);
  // ztunnel always speaks mTLS between ambient workloads; it ignores DISABLE (treated as PERMISSIVE).
  const mode = ambient && pa.mode === 'DISABLE' ? 'PERMISSIVE' : pa.mode;
  const calleeName = `${callee.namespace}/${callee.name}`;
  const plaintext = !caller.mtls || caller.external === true || mode === 'DISABLE';
  const base = { mesh: 'istio' as const, plaintext };
  const paText = `PeerAuthentication ${pa.by ? `${pa.by.namespace}/${pa.by.name}` : '(none: Istio default PERMISSIVE)'}`;
  if (plaintext && mode === 'STRICT') {
    return {
      ...base, verdict: 'denied', enforcedBy: ambient ? `ztunnel of ${calleeName} (ambient)` : `sidecar of ${calleeName}`,
      reason: `port ${callee.port} of ${calleeName} requires mTLS (${paText} STRICT); the caller ${caller.external ? 'is outside the mesh' : caller.noMtls ?? 'has no mesh proxy'}, so its plaintext connection is refused`,
      ...(pa.by ? { policy: pa.by } : {}),
    };
  }
  // The caller's certificate names its revision's trust domain (its istiod signs it); the callee's
  // istiod rewrites the policies' principals into its own trust domain and aliases.
  const principal = plaintext ? undefined : `${model.trustDomainFor(caller.istioRevision ?? 'default').trustDomain}/ns/${caller.namespace}/sa/${caller.serviceAccount}`;
  const calleeTd = model.trustDomainFor(callee.revision ?? 'default');
  const who = plaintext
    ? `a plaintext caller (${caller.external ? `outside the mesh${caller.address ? `, address ${caller.address.text}` : ''}` : !caller.mtls ? (caller.noMtls ?? 'no mesh proxy') : `port ${callee.port} has mTLS DISABLE`}; principals and namespaces cannot match it)`
    : `principal ${principal}`;
  const workloadPolicies = kept(policiesFor(model.authz, callee.namespace, callee.labels, callee.root, ambient && opts.ztunnelDryRun ? { dryRun: 'include' } : {}));
  const notes: string[] = [];
  if (!ambient) {
    const dry = kept(policiesFor(model.authz, callee.namespace, callee.labels, callee.root, { dryRun: 'only' }));
    if (dry.length) notes.push(`AuthorizationPolicy ${dry.map(name).join(', ')} ${dry.length === 1 ? 'is' : 'are'} dry-run (istio.io/dry-run): the sidecar of ${calleeName} only logs what ${dry.length === 1 ? 'it' : 'they'} would decide and enforces nothing of ${dry.length === 1 ? 'it' : 'them'} (https://istio.io/latest/docs/tasks/security/authorization/authz-dry-run/)`);
  }
  const skipped = kept(rejectedPoliciesFor(model, callee));
  const rejected = skipped.filter((p) => p.refused.length === 0);
  if (rejected.length) notes.push(`malformed AuthorizationPolicy ${rejected.map(name).join(', ')} ignored (istiod rejects it)`);
  for (const p of skipped) if (p.refused.length) notes.push(refusedText(`AuthorizationPolicy ${name(p)}`, p.refused));
  for (const p of workloadPolicies) if (p.warnings.length) notes.push(`AuthorizationPolicy ${name(p)}: ${p.warnings.join('; ')}`);

  const judgeAt = (wp: WaypointPath['wp'], scope?: ServiceScope, root?: string): { layer: LayerVerdict; at: string; notes: string[] } => {
    const at = wp ? `waypoint ${wp.namespace}/${wp.name}` : ambient ? `ztunnel of ${calleeName} (ambient)` : `sidecar of ${calleeName}`;
    const notes: string[] = [];
    const jwt = requestAuthnFor(model, callee, wp, scope, root);
    const l4Only = ambient && !wp;
    // The caller's own address reaches the sidecar or ztunnel; a waypoint's ztunnel sees the waypoint's.
    const address = caller.external && caller.address && !wp ? { address: caller.address } : {};
    const peer: Peer = { principal, namespace: plaintext ? undefined : caller.namespace, jwt, port: callee.port, trustDomains: [calleeTd.trustDomain, ...calleeTd.aliases], ...(l4Only ? { l4Only } : {}), ...(model.ipFamilies ? { ipFamilies: model.ipFamilies } : {}), ...address };
    // A sidecar or a waypoint (for a call to a Service) parses the port as its Service declares it;
    // read only where a policy there has an HTTP-only field, the one thing the protocol changes.
    const enforced = wp ? kept(waypointPolicies(model, callee, wp, scope, root)) : workloadPolicies;
    const httpOnly = l4Only || (wp && scope?.service === undefined) ? [] : enforced.filter((p) => p.rules.some((r) => httpOnlyFieldsOf(r).length > 0));
    const protocol = httpOnly.length ? callProtocol(model, callee, wp ? scope : undefined) : undefined;
    if (protocol) {
      peer.protocol = protocol;
      const fields = uniq(httpOnly.flatMap((p) => p.rules.flatMap(httpOnlyFieldsOf))).join(', ');
      notes.push(protocol.kind === 'tcp'
        ? `port ${callee.port} of ${calleeName} is declared TCP (${protocol.source}): Istio enforces no ${fields} of AuthorizationPolicy ${httpOnly.map(name).join(', ')} there: an ALLOW rule with them never matches, a DENY rule applies without them (https://istio.io/latest/docs/tasks/security/authorization/authz-tcp/)`
        : `port ${callee.port} of ${calleeName} is declared HTTP (${protocol.source}): ${fields} of AuthorizationPolicy ${httpOnly.map(name).join(', ')} are judged per request`);
    }
    let layer: LayerVerdict;
    if (!wp) {
      // The sidecar's istiod is the callee's revision's; a waypoint's revision is its own (left to its provider).
      layer = judgeLayer(workloadPolicies, peer, who, ambient ? undefined : model.extensionProvidersFor(callee.revision ?? 'default'));
      const l7 = l4Only ? workloadPolicies.filter((p) => p.rules.some((r) => l7FieldsOf(r).length > 0)) : [];
      if (l7.length) {
        const what = uniq(l7.flatMap((p) => p.rules.flatMap(l7FieldsOf))).join(', ');
        notes.push(`ztunnel of ${calleeName} has no waypoint, so it enforces no ${what} of AuthorizationPolicy ${l7.map(name).join(', ')}: ${ztunnelL7Effect(l7)} (https://istio.io/latest/docs/ambient/usage/l4-policy/)`);
      }
      if (!ambient) {
        const targeted = kept((model.authz.byNamespace.get(callee.namespace) ?? []).filter((p) => p.targeted && p.problems.length === 0 && !workloadPolicies.includes(p)));
        // A policy in doubt (ParsedAuthzPolicy.doubt) that an older istiod reads without its
        // targetRef(s), or refuses, is attached only as the newest reads it: the note says so.
        const olderOtherwise = (p: ParsedAuthzPolicy) => p.doubt !== undefined && (!p.doubt.alternative.targeted || p.doubt.alternative.problems.length > 0);
        const sure = targeted.filter((p) => !olderOtherwise(p));
        const unsure = targeted.filter(olderOtherwise);
        const attach = (list: ParsedAuthzPolicy[]) => `AuthorizationPolicy ${list.map(name).join(', ')} ${list.length === 1 ? 'attaches' : 'attach'} by targetRef(s) to a gateway or waypoint`;
        const it = (list: ParsedAuthzPolicy[]) => (list.length === 1 ? 'it' : 'them');
        if (sure.length) notes.push(`${attach(sure)}; the sidecar of ${calleeName} does not enforce ${it(sure)}`);
        if (unsure.length) notes.push(`${attach(unsure)} as the newest istiod reads ${it(unsure)}, so the sidecar of ${calleeName} does not enforce ${it(unsure)}; an older istiod reads ${it(unsure)} otherwise (see the verdict)`);
      }
    } else {
      const wl = judgeLayer(enforced, peer, who);
      // Behind a waypoint, ztunnel at the callee sees the waypoint's identity, not the caller's,
      // and still enforces no L7 field: "The ztunnel cannot enforce L7 policies. If a policy with
      // rules matching L7 attributes is targeted with a workload selector … such that it is
      // enforced by a ztunnel, it will fail safe by becoming a DENY policy"
      // (https://istio.io/v1.22/docs/ambient/usage/l7-features/).
      const zt = workloadPolicies.length ? judgeLayer(workloadPolicies, { ...peer, principal: 'unknown', namespace: 'unknown', l4Only: true }, `the waypoint ${wp.namespace}/${wp.name}`) : undefined;
      notes.push(`traffic goes through waypoint ${wp.namespace}/${wp.name} (${wp.via})`);
      if (zt && zt.verdict !== 'allowed') {
        notes.push(`ztunnel of ${calleeName} also enforces ${workloadPolicies.map(name).join(', ')} against the waypoint's identity: ${zt.reason}`);
      }
      const l7 = workloadPolicies.filter((p) => p.rules.some((r) => l7FieldsOf(r).length > 0));
      if (l7.length) {
        const what = uniq(l7.flatMap((p) => p.rules.flatMap(l7FieldsOf))).join(', ');
        notes.push(`ztunnel of ${calleeName} enforces no ${what} of AuthorizationPolicy ${l7.map(name).join(', ')} (selector policies stay at ztunnel, not the waypoint): ${ztunnelL7Effect(l7)} (https://istio.io/latest/docs/ambient/usage/l7-features/)`);
      }
      // The waypoint's own service account is not named in the snapshot, so a ztunnel policy that
      // depends on it cannot be judged: 'unknown', never 'allowed'.
      layer = wl.verdict === 'denied' ? wl
        : zt && zt.verdict === 'denied' ? { ...zt, reason: `${zt.reason} (enforced by ztunnel after the waypoint)` }
          : zt && zt.verdict === 'depends' ? { verdict: 'unknown', reason: `${wl.reason}; ztunnel of ${calleeName} then judges the waypoint's identity, which the snapshot does not name: ${zt.reason}`, ...(zt.policy ? { policy: zt.policy } : {}), ...(zt.rule !== undefined ? { rule: zt.rule } : {}) }
            : wl;
    }
    return { layer, at, notes };
  };
  // A waypoint whose revision, so root namespace, is unknown (waypointRootUnknown) is judged with
  // the GatewayClass policies of each namespace holding some, and of a root holding none: one
  // answer when they agree, else unknown, naming the istio.io/rev value.
  const judgeVia = (wp: WaypointPath['wp'], scope?: ServiceScope): ReturnType<typeof judgeAt> => {
    const unknownRoot = wp ? model.waypointRootUnknown(wp) : undefined;
    const candidates = unknownRoot ? waypointClassPolicyNamespaces(model) : [];
    if (candidates.length === 0) return judgeAt(wp, scope);
    const answers = [...candidates, ''].map((root) => ({ root, j: judgeAt(wp, scope, root) }));
    const first = answers[0].j;
    if (answers.every((a) => a.j.layer.verdict === first.layer.verdict)) return { ...first, notes: [...first.notes, `${unknownRoot}; whichever it is, the verdict is the same`] };
    const each = answers.map((a) => `${a.root ? `with root ${a.root}` : 'with a root holding none of them'}, ${a.j.layer.verdict.toUpperCase()} (${a.j.layer.reason})`);
    return { at: first.at, notes: [], layer: { verdict: 'unknown', reason: `${unknownRoot}: ${each.join('; ')}` } };
  };

  // Ambient: a call through a Service and a direct call to a pod may meet different enforcement
  // points. The flow model follows calls to pods, while clients usually dial the Service, and
  // which one a caller dials is not in the snapshot: the more open answer is given, the others
  // are named in a note.
  const paths: WaypointPath[] = ambient ? waypointPaths(model, callee) : [{ label: '', wp: undefined }];
  const judged = new Map<string, { paths: WaypointPath[]; j: ReturnType<typeof judgeVia> }>();
  // A path whose waypoint Gateway is unread is judged both through the waypoint and without it:
  // one answer when they agree, else unknown (never the default `service` guessed).
  const judgeUnsure = (p: WaypointPath): ReturnType<typeof judgeVia> => {
    const through = judgeVia(p.wp, pathScope(p));
    const around = judgeVia(undefined);
    if (through.layer.verdict === around.layer.verdict) return { ...through, notes: [...through.notes, p.unsure!] };
    return {
      at: through.at, notes: [],
      layer: { verdict: 'unknown', reason: `${p.unsure}: through it ${through.layer.verdict.toUpperCase()} (${through.layer.reason}); without it, at ${around.at}, ${around.layer.verdict.toUpperCase()} (${around.layer.reason})` },
    };
  };
  for (const p of paths) {
    // Paths through one waypoint share an answer unless a policy targets the Service called.
    const own = p.wp && p.service !== undefined && serviceTargeted(model, callee.namespace, p.service) ? ` service ${p.service}` : '';
    const key = `${p.unsure ? 'unsure:' : ''}${p.wp ? `${p.wp.namespace}/${p.wp.name}` : ''}${own}`;
    const seen = judged.get(key);
    if (seen) seen.paths.push(p);
    else judged.set(key, { paths: [p], j: p.unsure ? judgeUnsure(p) : judgeVia(p.wp, pathScope(p)) });
  }
  const openness: Record<MeshVerdictKind, number> = { allowed: 3, depends: 2, unknown: 1, denied: 0 };
  const answers = [...judged.values()];
  const best = answers.reduce((a, b) => (openness[b.j.layer.verdict] > openness[a.j.layer.verdict] ? b : a));
  const { layer, at } = best.j;
  notes.push(...best.j.notes);
  // A waypoint that is not ready decides nothing: the answer says so, naming its Gateway.
  const notReady = uniq(best.paths.flatMap((p) => (p.notReady ? [p.notReady] : [])));
  const reason = notReady.length ? `${notReady.join('; ')}; ${at} judges the call: ${layer.reason}` : layer.reason;
  for (const a of uniq(answers.flatMap((x) => x.paths.flatMap((p) => (p.assumedReady ? [p.assumedReady] : []))))) notes.push(a);
  if (answers.length > 1) {
    notes.push(`${best.paths.map((p) => p.label).join(', ')}: judged by ${at}`);
    for (const p of best.paths) if (p.skipped && !p.notReady) notes.push(p.skipped);
    for (const other of answers) {
      if (other === best) continue;
      const skippedText = other.paths.flatMap((p) => (p.skipped ? [` (${p.skipped})`] : [])).join('');
      notes.push(`${other.paths.map((p) => p.label).join(', ')}: judged by ${other.j.at}${skippedText}, ${other.j.layer.verdict.toUpperCase()}: ${other.j.layer.reason}`);
    }
  } else {
    for (const p of best.paths) if (p.skipped && !p.notReady) notes.push(p.skipped);
  }
  return {
    ...base,
    verdict: layer.verdict,
    reason,
    enforcedBy: at,
    ...(layer.policy ? { policy: layer.policy } : {}),
    ...(layer.rule !== undefined ? { rule: layer.rule } : {}),
    ...(notes.length ? { notes } : {}),
  };
}

// ---- who may call a workload (the report's posture view) ----------------------------------------

function sourceText(src: AuthzSource): string[] {
  const out: string[] = [];
  const list = (label: string, v: string[] | undefined) => { if (v) out.push(`${label} ${v.join(', ')}`); };
  if (src.principals?.includes('*')) out.push('any authenticated workload');
  else list('principal', src.principals);
  if (src.namespaces?.includes('*')) out.push('any authenticated workload');
  else list('namespace', src.namespaces);
  list('service account', src.serviceAccounts);
  if (src.trustDomains?.includes('*')) out.push('any authenticated workload');
  else list('trust domain', src.trustDomains);
  list('JWT', src.requestPrincipals);
  list('address', src.ipBlocks);
  list('client address', src.remoteIpBlocks);
  const except = [...(src.notPrincipals ?? []), ...(src.notNamespaces ?? []), ...(src.notServiceAccounts ?? []), ...(src.notTrustDomains ?? []), ...(src.notRequestPrincipals ?? []), ...(src.notIpBlocks ?? [])];
  if (except.length) out.push(`${out.length ? '' : 'any caller '}except ${except.join(', ')}`.trim());
  return out.length ? [out.join(' and ')] : ['any caller'];
}

/**
 * Who the ALLOW policies applying to a workload (its namespace and the root namespace, by selector)
 * let call it. `root`: its revision's root namespace (WorkloadMesh.istioRoot), the default
 * revision's when not given.
 */
export function istioCallers(model: IstioAuthzModel, namespace: string, labels: Record<string, string>, root?: string): { who: 'anyone' | 'nobody' | 'listed'; callers: string[]; policies: string[] } {
  const applied = policiesFor(model.authz, namespace, labels, root);
  const allows = applied.filter((p) => p.action === 'ALLOW');
  const policies = applied.filter((p) => p.action !== 'AUDIT').map(name);
  if (allows.length === 0) return { who: 'anyone', callers: [], policies };
  const callers: string[] = [];
  for (const p of allows) {
    for (const r of p.rules) {
      const ports = uniq(r.to.flatMap((o) => o.ports ?? []));
      const narrowed = r.when.length > 0 || r.to.some((o) => o.methods || o.paths || o.hosts || o.notMethods || o.notPaths || o.notHosts);
      const suffix = `${ports.length ? ` (ports ${ports.join(', ')})` : ''}${narrowed ? ' (some requests)' : ''}`;
      for (const who of r.from.length ? r.from.flatMap(sourceText) : ['any caller']) callers.push(`${who}${suffix}`);
    }
  }
  return callers.length ? { who: 'listed', callers: uniq(callers), policies } : { who: 'nobody', callers: [], policies };
}
