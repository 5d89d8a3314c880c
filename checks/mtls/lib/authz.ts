// Shared by the Istio authorization checks: the parsed AuthorizationPolicies, once per run, and
// the meshed workloads they are judged for (outside the system namespaces, and of the root
// namespace only its gateways).
import type { AuditContext } from '../../../src/analysis/context.ts';
import { meshModel, type AuthzIndex, type ParsedAuthzPolicy, type WorkloadMesh } from '../../../src/analysis/mesh/index.ts';
import { ipBlocksCoverEvery, type AuthzCondition, type AuthzSource } from '../../../src/analysis/mesh/authz.ts';
import type { Family } from '../../../src/base/ip.ts';
import { containerPorts } from '../../../src/analysis/mesh/util.ts';
import { istioAuthzModel, istioFlowVerdict, istioStringMatch } from '../../../src/analysis/mesh/istio-authz.ts';
import { istioMembership, meshInboundCapture, type InboundCapture } from '../../../src/analysis/mesh/istio.ts';
import { gatewayServersOf, istioBypassVerdict, istioControlPlaneWorkload, istioGatewayFlowVerdict, istioGatewayPod } from '../../../src/analysis/mesh/flow-verdict.ts';
import type { MeshFlowVerdict } from '../../../src/analysis/mesh/flow.ts';
import { isSystemNamespace } from '../../../src/analysis/netpol/rules.ts';
import { namespaceKnown } from './unseen-namespaces.ts';

export const authzIndex = (snapshot: AuditContext['snapshot'], config: AuditContext['config']): AuthzIndex => istioAuthzModel(snapshot, config).authz;

/**
 * The meshed Istio workloads the authorization checks judge: outside the system namespaces, and
 * no control plane of any revision (istioControlPlaneWorkload, which keeps the gateways of a
 * root namespace in). The report's "no L7 behind L4" leaves out the same workloads.
 */
export function istioWorkloads(ctx: AuditContext): WorkloadMesh[] {
  const m = meshModel(ctx.snapshot, ctx.config);
  return m.workloads.filter((w) => w.mesh === 'istio' && namespaceKnown(w) && !istioControlPlaneWorkload(m, w) && !isSystemNamespace(w.namespace, ctx.config.systemNamespaces));
}

/**
 * For an Istio gateway whose every Gateway server passes TLS through (an east-west gateway's 15443
 * AUTO_PASSTHROUGH): those servers, described. Such a gateway never terminates the caller's TLS,
 * so it never sees a caller identity an ALLOW policy could name
 * (https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSmode);
 * the workload behind it judges its callers. undefined: not such a gateway.
 */
export function passthroughOnlyGateway(ctx: AuditContext, w: WorkloadMesh): string | undefined {
  if (!istioGatewayPod(w)) return undefined;
  const servers = gatewayServersOf(ctx.snapshot, w);
  if (servers.length === 0 || !servers.every((s) => s.passthrough)) return undefined;
  return servers.slice(0, 3).map((s) => s.where).join(', ') + (servers.length > 3 ? ` and ${servers.length - 3} more` : '');
}

export const policyName = (p: { ref: { namespace?: string; name: string } }): string => `${p.ref.namespace}/${p.ref.name}`;

/** A caller no policy names: a meshed workload of a namespace that cannot exist, or a caller without a sidecar. */
const OUTSIDER_NS = 'ztaudit:outsider';

/**
 * Istio's verdict on `port` of a workload for a hypothetical caller: `outsider` (an mTLS peer whose
 * identity no policy names, so only "any caller" rules admit it) or `plaintext` (no sidecar).
 * A port the workload's sidecar does not capture is `allowed` whoever calls, with `bypassedBy`.
 * With `allowOnly`, the ALLOW policies other than it are left out: the verdict is then whether
 * that policy on its own admits the caller (CUSTOM and DENY policies still decide first).
 * With `pastListener`, an Istio gateway's policies are judged as if its listener on the port let
 * the caller in, whatever its Gateway servers say.
 */
export function hypotheticalVerdict(ctx: AuditContext, w: WorkloadMesh, port: number, caller: 'outsider' | 'plaintext', allowOnly?: ParsedAuthzPolicy, pastListener?: boolean): MeshFlowVerdict & { bypassedBy?: string } {
  const rep = w.workload.pods[0];
  const dataplane = rep ? istioMembership(meshModel(ctx.snapshot, ctx.config).namespaces.get(w.namespace)?.labels ?? {}, rep).dataplane : undefined;
  // The same answer meshFlowVerdict (reach, intent rules) gives: a port Envoy never sees is open
  // to every caller, and `bypassedBy` names the annotation that keeps it away.
  const capture = sidecarCapture(ctx, w);
  const bypass = istioBypassVerdict(capture, port, `${w.namespace}/${w.workload.ref.name}`);
  if (bypass) return { ...bypass, bypassedBy: capture!.source };
  const who = { namespace: OUTSIDER_NS, serviceAccount: OUTSIDER_NS, labels: {}, mtls: caller === 'outsider' };
  // Its container ports too, as reach gives them: a Service's named targetPort then finds the port whose declared protocol Istio reads.
  const callee = { namespace: w.namespace, name: w.workload.ref.name, serviceAccount: '', labels: w.labels, port, protocol: 'TCP' as const, ...(w.istioRoot ? { root: w.istioRoot.namespace } : {}), ...(w.istioRevision ? { revision: w.istioRevision } : {}), ...(dataplane ? { dataplane } : {}), ...(rep ? { containerPorts: containerPorts(rep.spec) } : {}) };
  const opts = allowOnly ? { allowOnly } : {};
  // A gateway's listeners are its Gateway servers', not PeerAuthentication's: the verdict reach gives
  // (with `pastListener`, its AuthorizationPolicies' alone, as if a listener let the caller in).
  if (istioGatewayPod(w)) return istioGatewayFlowVerdict(ctx.snapshot, ctx.config, w, who, callee, { ...opts, ...(pastListener ? { pastListener } : {}) });
  return istioFlowVerdict(istioAuthzModel(ctx.snapshot, ctx.config), who, callee, opts);
}

/** How the workload's sidecar (or ztunnel) captures inbound ports (undefined: every port, or not in Istio's mesh). */
export function sidecarCapture(ctx: AuditContext, w: WorkloadMesh): InboundCapture | undefined {
  const rep = w.workload.pods[0];
  return rep ? meshInboundCapture(meshModel(ctx.snapshot, ctx.config).namespaces.get(w.namespace)?.labels ?? {}, rep, w.istioCaptureDefaults) : undefined;
}

/**
 * The ports worth judging on a workload: the TCP ports its containers declare, the ports `extra`
 * names, and one port neither names (standing for every other port).
 */
export function portsToJudge(w: WorkloadMesh, extra: Iterable<string | number>): Array<{ port: number; label: string }> {
  const named = new Set<number>();
  for (const p of w.workload.pods[0] ? containerPorts(w.workload.pods[0].spec) : []) named.add(p.port);
  for (const p of extra) { const n = Number(p); if (Number.isInteger(n) && n > 0 && n < 65536) named.add(n); }
  let other = 1;
  while (named.has(other)) other++;
  return [...[...named].sort((a, b) => a - b).map((port) => ({ port, label: String(port) })), { port: other, label: 'any other port' }];
}

/**
 * The ports a client reaches an Istio gateway (istioGatewayPod) on: those its Gateway servers and
 * Gateway API listeners bind (gatewayServersOf, a server's port at the targetPort of the gateway's
 * Service). istiod builds the gateway's listeners, and the AuthorizationPolicy filters on them, from
 * those servers alone; Envoy's own status listener on 15021 (/healthz/ready) and its Prometheus
 * port are static bootstrap listeners with no policy on them (istio/istio 1.28.10
 * tools/packaging/common/envoy_bootstrap.json `{{ .wildcard }}_{{ .envoy_status_port }}`,
 * pilot/cmd/pilot-agent/options/options.go ENVOY_STATUS_PORT 15021), and no other port has a
 * listener. Sorted; empty when no server in the snapshot binds the gateway; undefined: not a gateway.
 */
export function gatewayListenerPorts(ctx: AuditContext, w: WorkloadMesh): number[] | undefined {
  if (!istioGatewayPod(w)) return undefined;
  return [...new Set(gatewayServersOf(ctx.snapshot, w).flatMap((s) => s.ports))].sort((a, b) => a - b);
}

const IP_KEYS = ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const;

/** A source naming no positive identity field: a caller without a sidecar (plaintext) can match it. */
export const sourceAdmitsPlaintext = (s: AuthzSource): boolean => !s.principals && !s.namespaces && !s.serviceAccounts && !s.trustDomains;

/** A namespace and service account no policy can name (":" is not allowed in Kubernetes names). */
const ANY_NAME = 'ztaudit:any';

/**
 * Whether one `from.source` of an AuthorizationPolicy rule admits every workload of the mesh (any
 * namespace, any service account), judged by whether it admits a synthetic principal
 * `TRUST_DOMAIN/ns/X/sa/Y` that no policy names. Per
 * https://istio.io/latest/docs/reference/config/security/authorization-policy/ (Source):
 * principals are `<TRUST_DOMAIN>/ns/<NS>/sa/<SA>` and, like namespaces, match exactly, by prefix
 * ("abc*"), suffix ("*abc") or presence ("*"); so "*", "cluster.local/*" and "cluster.local/ns/*"
 * admit every workload while a suffix on "/sa/default" does not. notPrincipals and notNamespaces
 * are negative matches: they admit every caller but those they name.
 * ipBlocks ("the source address of the IP packet") and remoteIpBlocks ("the original client IP")
 * admit every caller when their ranges together cover every address of `families`, the families
 * the cluster's pods use (IstioAuthzModel.ipFamilies); notIpBlocks and notRemoteIpBlocks, like
 * notPrincipals, admit every caller but those they name, unless they name every address of those
 * families. When the snapshot shows no pod address (`families` undefined) each side takes the
 * reading that does not hide an open rule: ipBlocks covering all of IPv4, the common case, admit
 * every caller (else a manifests run would pass `ipBlocks: ["0.0.0.0/0"]` on every IPv4 cluster),
 * and notIpBlocks must exclude IPv4 and IPv6 alike (`notIpBlocks: ["0.0.0.0/0"]` still admits
 * every IPv6 caller of a dual-stack or IPv6 cluster). notRequestPrincipals, whatever its values,
 * admits every request that carries no JWT (its request principal is empty, and "*" matches only a
 * present one: "Presence match: * will match when value is not empty"), so it narrows nothing;
 * requestPrincipals need a JWT and may narrow the callers: a source with it is not counted.
 */
export function sourceAdmitsEveryWorkload(s: AuthzSource, trustDomain: string, families?: readonly Family[]): boolean {
  const principal = `${trustDomain}/ns/${ANY_NAME}/sa/${ANY_NAME}`;
  // notRequestPrincipals never narrows who calls: a request without a JWT has no request principal,
  // so it matches whatever values are listed ("*" included, which matches only a present one).
  const identityKeys = new Set(['principals', 'namespaces', 'notPrincipals', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains', 'notRequestPrincipals', ...IP_KEYS]);
  for (const k of Object.keys(s)) if (!identityKeys.has(k)) return false;
  const everyAddress = (vs: string[] | undefined, unknown: readonly Family[]) => { const every = ipBlocksCoverEvery(vs); return (families ?? unknown).every((f) => every.includes(f)); };
  if ((s.ipBlocks && !everyAddress(s.ipBlocks, [4])) || (s.remoteIpBlocks && !everyAddress(s.remoteIpBlocks, [4]))) return false;
  if ((s.notIpBlocks && everyAddress(s.notIpBlocks, [4, 6])) || (s.notRemoteIpBlocks && everyAddress(s.notRemoteIpBlocks, [4, 6]))) return false;
  const some = (patterns: string[] | undefined, value: string) => patterns === undefined || patterns.some((p) => istioStringMatch(p, value));
  const none = (patterns: string[] | undefined, value: string) => patterns === undefined || !patterns.some((p) => istioStringMatch(p, value));
  // serviceAccounts take no wildcard, so they never name the synthetic account; notServiceAccounts
  // never exclude it. trustDomains match by exact, prefix*, *suffix or "*" (srcTrustDomainGenerator).
  const anySa = `${ANY_NAME}/${ANY_NAME}`;
  return some(s.principals, principal) && some(s.namespaces, ANY_NAME) && none(s.notPrincipals, principal) && none(s.notNamespaces, ANY_NAME)
    && some(s.serviceAccounts, anySa) && none(s.notServiceAccounts, anySa)
    && some(s.trustDomains, trustDomain) && none(s.notTrustDomains, trustDomain);
}

/** `when` keys that read who calls, as the from.source field of the same meaning (conditions page). */
const WHEN_AS_SOURCE: Record<string, readonly [keyof AuthzSource, keyof AuthzSource]> = {
  'source.namespace': ['namespaces', 'notNamespaces'],
  'source.principal': ['principals', 'notPrincipals'],
  'source.serviceAccount': ['serviceAccounts', 'notServiceAccounts'],
  'source.trustDomain': ['trustDomains', 'notTrustDomains'],
  'source.ip': ['ipBlocks', 'notIpBlocks'],
  'remote.ip': ['remoteIpBlocks', 'notRemoteIpBlocks'],
};
/** `when` keys that say where a call goes, not who makes it. */
const DESTINATION_KEYS = new Set(['destination.port', 'destination.ip']);

/**
 * Whether a rule's `when` conditions (all must hold) leave every caller in: a condition on
 * destination.port or destination.ip narrows where, not who; one on source.namespace,
 * source.principal, source.serviceAccount, source.trustDomain, source.ip or remote.ip is judged as
 * the from.source field it mirrors (https://istio.io/latest/docs/reference/config/security/conditions/),
 * so `notValues` alone admit every caller but those named, as notNamespaces do. Any other key
 * (headers, JWT claims, SNI) may narrow the callers: not every caller.
 */
export function conditionsAdmitEveryWorkload(when: readonly AuthzCondition[], trustDomain: string, families?: readonly Family[]): boolean {
  return when.every((c) => {
    if (DESTINATION_KEYS.has(c.key)) return true;
    const fields = WHEN_AS_SOURCE[c.key];
    if (!fields) return false;
    const [pos, neg] = fields;
    return sourceAdmitsEveryWorkload({ ...(c.values ? { [pos]: c.values } : {}), ...(c.notValues ? { [neg]: c.notValues } : {}) }, trustDomain, families);
  });
}

/** The ports a rule names: its to.ports and the values of a `when` on destination.port. */
export const rulePorts = (r: { ports: string[]; when: readonly AuthzCondition[] }): string[] =>
  [...r.ports, ...r.when.filter((c) => c.key === 'destination.port').flatMap((c) => c.values ?? [])];
