// Envoy Gateway's ClientTrafficPolicy (gateway.envoyproxy.io/v1alpha1) sets the TLS a Gateway's
// listeners accept (spec.tls: minVersion, maxVersion, ciphers; envoyproxy/gateway
// api/v1alpha1/tls_types.go TLSSettings: minVersion "The default is TLS 1.2 if this is not
// specified", its enum "Auto", "1.0", "1.1", "1.2", "1.3"; maxVersion defaults to 1.3).
// Which policy applies to a listener follows ProcessClientTrafficPolicies
// (internal/gatewayapi/clienttrafficpolicy.go): policies sorted by creationTimestamp, those
// naming the listener by sectionName first, each taking a listener no older one has ("another
// ClientTrafficPolicy has already attached to it": Conflicted), then those targeting the whole
// Gateway (targetRefs without sectionName, or targetSelectors, which cannot name a section)
// taking the listeners still free. A policy targets Gateways of its own namespace only
// (https://gateway.envoyproxy.io/docs/concepts/gateway_api_extensions/client-traffic-policy).
// The listeners a ListenerSet adds are the Gateway's too (internal/gatewayapi/listenerset.go
// appends them to the Gateway's; v1 ListenerSet from Envoy Gateway 1.8): a policy on the whole
// Gateway reaches them, one targeting the ListenerSet (kind ListenerSet, from 1.9) does first, and
// a Gateway sectionName names the first listener of that name in the whole list, the Gateway's own
// before the ListenerSets' (v1.9.0 listenerset.go:94 appends them; clienttrafficpolicy.go:270-279
// takes the first `l.Name == section` of gateway.listeners, validate.go:1523
// validateGatewayListenerSectionName searches the same list; see docs/network-model.md).
import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import { gatewayListenerLabel, gatewayListeners, gatewayListenerSets, listenerSetKey, type GatewayListener } from '../edge/listener-sets.ts';
import { memoize } from '../memo.ts';
import { arr, createdAt, labelSelectorMatches, obj, str } from '../mesh/util.ts';
import { OPENSSL_SUITES } from './openssl-suites.ts';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export interface ListenerClientTrafficPolicy {
  /** "namespace/name" of the policy. */
  policy: string;
  /** How it reaches the listener: 'sectionName https' or 'the whole Gateway'. */
  via: string;
  /** spec.tls of the policy, when it has one. */
  tls?: Record<string, unknown>;
}

/** Whether the Gateway is, or may be, Envoy Gateway's: its GatewayClass names Envoy Gateway's controller, or is not in the snapshot. */
function maybeEnvoyGateway(gw: KubeObject, classes: Map<string, string | undefined>): boolean {
  const cls = str(obj(gw.spec)?.gatewayClassName) ?? '';
  if (!classes.has(cls)) return true;
  return (classes.get(cls) ?? '').startsWith('gateway.envoyproxy.io/');
}

const gatewayClassControllers = (snapshot: Snapshot) => new Map((snapshot.resources['gatewayapi.gatewayclasses'] ?? []).map((c) => [c.metadata?.name ?? '', str(obj(c.spec)?.controllerName)] as const));

/**
 * The Gateways ("namespace/name") Envoy Gateway does not manage: their GatewayClass names another
 * controller (maybeEnvoyGateway). Envoy Gateway translates only its own Gateways and the routes
 * attached to them, so a policy of its (SecurityPolicy, BackendTrafficPolicy) reaching a route
 * through another's is ignored: "the gateway may not be managed by this controller"
 * (envoyproxy/gateway internal/gatewayapi/securitypolicy.go, resolveSecurityPolicyGatewayTargetRef
 * and the route target resolution beside it). Built once per snapshot.
 */
export const gatewaysNotEnvoyGateway = memoize((snapshot: Snapshot): { has(key: string): boolean } => {
  const classes = gatewayClassControllers(snapshot);
  return new Set((snapshot.resources['gatewayapi.gateways'] ?? []).filter((gw) => !maybeEnvoyGateway(gw, classes)).map((gw) => `${gw.metadata?.namespace ?? 'default'}/${gw.metadata?.name ?? ''}`));
}, 'tls');

/**
 * The ClientTrafficPolicy applying to each listener of each Gateway, keyed
 * "namespace/gateway/listener". Built once from every policy and Gateway (sorted, then one pass).
 */
export function clientTrafficPolicies(snapshot: Snapshot): Map<string, ListenerClientTrafficPolicy> {
  const out = new Map<string, ListenerClientTrafficPolicy>();
  const policies = [...(snapshot.resources['envoygateway.clienttrafficpolicies'] ?? [])];
  if (policies.length === 0) return out;
  // sort.Slice by creationTimestamp is not stable: ties are taken here by namespace/name.
  const id = (o: KubeObject) => `${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`;
  policies.sort((a, b) => createdAt(a) - createdAt(b) || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
  const classes = gatewayClassControllers(snapshot);
  type Target = { gw: KubeObject; listeners: GatewayListener[] };
  const gateways = new Map<string, Target>();
  const inNamespace = new Map<string, Target[]>();
  for (const gw of snapshot.resources['gatewayapi.gateways'] ?? []) {
    if (!maybeEnvoyGateway(gw, classes)) continue;
    const g = { gw, listeners: gatewayListeners(snapshot, gw) };
    gateways.set(id(gw), g);
    const ns = gw.metadata?.namespace ?? 'default';
    const here = inNamespace.get(ns);
    if (here) here.push(g);
    else inNamespace.set(ns, [g]);
  }
  const sets = gatewayListenerSets(snapshot).byParent;
  const targets = (p: KubeObject) => {
    const spec = obj(p.spec) ?? {};
    const ns = p.metadata?.namespace ?? 'default';
    const refs = [spec.targetRef, ...arr(spec.targetRefs)].map(obj).filter((r): r is Record<string, unknown> => !!r && (str(r.group) ?? GATEWAY_GROUP) === GATEWAY_GROUP);
    // A Gateway's sectionName names any listener it programs, a ListenerSet's included; a
    // ListenerSet's (Envoy Gateway 1.9+, resolveClientTrafficPolicyTargetRef, listenersBelongToLS)
    // one of the listeners that ListenerSet adds.
    const named = refs.flatMap((r): Array<{ g: Target; section: string | undefined; listenerSet?: ResourceRef }> => {
      if (str(r.kind) === 'Gateway') { const g = gateways.get(`${ns}/${str(r.name) ?? ''}`); return g ? [{ g, section: str(r.sectionName) }] : []; }
      if (str(r.kind) !== 'ListenerSet') return [];
      const set = sets.get(listenerSetKey('ListenerSet', ns, str(r.name) ?? ''));
      const g = typeof set === 'object' ? gateways.get(id(set.gateway)) : undefined;
      return g && typeof set === 'object' ? [{ g, section: str(r.sectionName), listenerSet: set.ref }] : [];
    });
    const selected = arr(spec.targetSelectors).map(obj).filter((s): s is Record<string, unknown> => !!s && str(s.kind) === 'Gateway' && (str(s.group) ?? GATEWAY_GROUP) === GATEWAY_GROUP)
      .flatMap((s) => (inNamespace.get(ns) ?? []).filter(({ gw }) => labelSelectorMatches({ matchLabels: s.matchLabels, matchExpressions: s.matchExpressions }, gw.metadata?.labels ?? {})).map((g) => ({ g, section: undefined, listenerSet: undefined })));
    return [...named, ...selected];
  };
  const all = policies.map((p) => ({ p, t: targets(p) }));
  const take = (p: KubeObject, g: Target, l: GatewayListener, via: string) => {
    const key = `${id(g.gw)}/${gatewayListenerLabel(l)}`;
    if (!out.has(key)) out.set(key, { policy: id(p), via, ...(obj(obj(p.spec)?.tls) ? { tls: obj(obj(p.spec)?.tls) } : {}) });
  };
  const sameSet = (l: GatewayListener, set: ResourceRef | undefined) => l.listenerSet?.namespace === set?.namespace && l.listenerSet?.name === set?.name;
  const setText = (set: ResourceRef) => `ListenerSet ${set.namespace}/${set.name}`;
  // sectionName policies first; then those targeting a whole ListenerSet, before those targeting a
  // whole Gateway ("ListenerSet-wide policies are processed before Gateway-wide"), which take the
  // listeners still free, the ListenerSets' included (ProcessClientTrafficPolicies).
  for (const { p, t } of all) for (const { g, section, listenerSet } of t) {
    if (section === undefined) continue;
    const l = g.listeners.find((x) => x.name === section && (!listenerSet || sameSet(x, listenerSet)));
    if (l) take(p, g, l, `sectionName ${section}${listenerSet ? ` of ${setText(listenerSet)}` : ''}`);
  }
  for (const { p, t } of all) for (const { g, section, listenerSet } of t) if (section === undefined && listenerSet) for (const l of g.listeners) if (sameSet(l, listenerSet)) take(p, g, l, `the whole ${setText(listenerSet)}`);
  for (const { p, t } of all) for (const { g, section, listenerSet } of t) if (section === undefined && !listenerSet) for (const l of g.listeners) take(p, g, l, 'the whole Gateway');
  return out;
}

/** The TLS versions a ClientTrafficPolicy's spec.tls lets a listener accept below 1.2, if any. */
export function clientTrafficPolicyLegacy(tls: Record<string, unknown> | undefined): { min: string; max: string; legacy: string[] } {
  const version = (v: unknown, dflt: string) => { const s = typeof v === 'number' ? v.toFixed(1) : str(v); return !s || s === 'Auto' ? dflt : s; };
  const min = version(tls?.minVersion, '1.2');
  const max = version(tls?.maxVersion, '1.3');
  const legacy = ['1.0', '1.1'].filter((v) => v >= min && v <= max);
  return { min, max, legacy };
}

/** Whether a Gateway listener terminates TLS (HTTPS, or TLS in mode Terminate, the default): where a ClientTrafficPolicy's spec.tls applies. */
export function terminatesTls(listener: Record<string, unknown> | undefined): boolean {
  const protocol = (str(listener?.protocol) ?? '').toUpperCase();
  return protocol === 'HTTPS' || (protocol === 'TLS' && (str(obj(listener?.tls)?.mode) ?? 'Terminate') === 'Terminate');
}

/**
 * Each listener of each Gateway (its index and name, "i" for an unnamed one) with the
 * ClientTrafficPolicy whose spec.tls applies there (clientTrafficPolicies): only a listener that
 * terminates TLS has one.
 */
export function* gatewayListenerPolicies(snapshot: Snapshot, policies: ReadonlyMap<string, ListenerClientTrafficPolicy>): Generator<{
  resource: { kind: 'Gateway'; namespace: string; name: string }; index: number; listener: Record<string, unknown> | undefined; name: string; policy: ListenerClientTrafficPolicy | undefined;
}> {
  for (const gw of snapshot.resources['gatewayapi.gateways'] ?? []) {
    const resource = { kind: 'Gateway' as const, namespace: gw.metadata?.namespace ?? 'default', name: gw.metadata?.name ?? '' };
    for (const [index, l] of gatewayListeners(snapshot, gw).entries()) {
      const listener = l.listener;
      const name = gatewayListenerLabel(l);
      yield { resource, index, listener, name, policy: terminatesTls(listener) ? policies.get(`${resource.namespace}/${resource.name}/${name}`) : undefined };
    }
  }
}

/**
 * A ClientTrafficPolicy's spec.tls.ciphers as an OpenSSL cipher string: Envoy's BoringSSL names,
 * an equal-preference group "[A|B]" read as its members (TLSSettings.Ciphers, "the set of cipher
 * suites supported when negotiating TLS 1.0 - 1.2"). Undefined when it lists none.
 */
export function clientTrafficPolicyCiphers(tls: Record<string, unknown> | undefined): string | undefined {
  const list = arr(tls?.ciphers).filter((c): c is string => typeof c === 'string').flatMap((c) => c.replace(/[[\]]/g, '').split('|')).map((c) => c.trim()).filter(Boolean);
  return list.length ? list.join(':') : undefined;
}

const SUITES = new Map(OPENSSL_SUITES.map((s) => [s.name.toUpperCase(), s] as const));

/**
 * The ciphers a ClientTrafficPolicy's spec.tls enables that a TLS 1.0 or 1.1 handshake can use:
 * AEAD suites (GCM, CCM, ChaCha20-Poly1305) and SHA-256/384 MAC suites exist only from TLS 1.2
 * (the protocol column of OpenSSL's table, OPENSSL_SUITES; the IANA names of the same suites), so
 * only CBC-SHA suites, or a name not known here, count. Without tls.ciphers Envoy's default list
 * applies, GCM and ChaCha20 only (TLSSettings.Ciphers; Envoy v1.28+ common.proto
 * tls_minimum_protocol_version: "TLS protocol versions below TLSv1_2 require setting compatible
 * ciphers with the cipher_suites setting as the default ciphers no longer include compatible
 * ciphers", https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/transport_sockets/tls/v3/common.proto).
 */
export function clientTrafficPolicyLegacyCiphers(tls: Record<string, unknown> | undefined): string[] {
  const list = clientTrafficPolicyCiphers(tls);
  if (!list) return [];
  const tls12Only = (name: string) => {
    const suite = SUITES.get(name.toUpperCase());
    if (suite) return suite.protocol === 'TLSv1.2';
    return /^TLS_.*(_GCM_|_CCM|_CHACHA20_POLY1305|_SHA256$|_SHA384$)/.test(name.toUpperCase());
  };
  return list.split(':').filter((c) => !tls12Only(c));
}
