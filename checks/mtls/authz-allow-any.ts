// ALLOW rules that admit any caller: a rule with no `from` (any source, plaintext included), or a
// `from.source` that admits every workload identity: principals/namespaces "*" or a prefix that
// covers the whole trust domain ("cluster.local/*"), or only notPrincipals/notNamespaces (every
// caller but a few) — see sourceAdmitsEveryWorkload. `rules: [{}]` is Istio's own allow-all
// example (https://istio.io/latest/docs/reference/config/security/authorization-policy/).
// A `when` condition on destination.port or destination.ip narrows where, not who: it does not
// save a rule; one on a source key (source.namespace, source.principal, ...) is judged as the
// from.source field it mirrors, so `notValues` alone admit every caller but a few
// (conditionsAdmitEveryWorkload); any other key (headers, JWT claims) may narrow the callers, so
// such a rule is not reported. `notRequestPrincipals` admits every request without a JWT. Severity by blast radius: a policy without selector (the whole
// namespace, or the mesh from the root namespace) with an unrestricted `to` is high.
import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { consulPresent, istioPresent, linkerdPresent, policiesFor, type ParsedAuthzPolicy, type WorkloadMesh } from '../../src/analysis/mesh/index.ts';
import type { AuditContext } from '../../src/analysis/context.ts';
import type { AuthzSource } from '../../src/analysis/mesh/authz.ts';
import { consulAllowAny, linkerdAllowAny } from './lib/mesh-authz.ts';
import { authzIndex, conditionsAdmitEveryWorkload, gatewayListenerPorts, hypotheticalVerdict, istioWorkloads, passthroughOnlyGateway, policyName, portsToJudge, rulePorts, sidecarCapture, sourceAdmitsEveryWorkload, sourceAdmitsPlaintext } from './lib/authz.ts';
import { captureProxy } from '../../src/analysis/mesh/istio.ts';
import { istioAuthzModel } from '../../src/analysis/mesh/istio-authz.ts';
import { MESH_AUTHORIZATION } from '../controls.ts';
import { ISTIO_MESH_CONFIG_READ, ISTIO_REVISION_TAGS_READ, ISTIO_TEMPLATE_CAPTURE_READ } from './lib/istio-mesh-config.ts';
import { ISTIO_GATEWAY_LISTENER_SETS_BEST_EFFORT, ISTIO_GATEWAY_SERVERS_READ } from './lib/istio-gateway-servers.ts';
import { ISTIO_WAYPOINT_GATEWAYS_READ } from './lib/istio-waypoints.ts';
import { meshPresenceReads } from './lib/mesh-presence.ts';
import { meshUnseenNote, withheldInUnseen } from './lib/unseen-namespaces.ts';

/**
 * Where an open rule really admits a caller no policy names: per workload the policy applies to
 * and per port (the declared ports, the rule's ports, one other), Istio's verdict for such a caller
 * (with an identity, and without a sidecar when the rule has no `from`), judged with this policy as
 * the only ALLOW one: another open ALLOW policy on the same workload does not make this one safe. undefined: it applies to
 * no workload in the snapshot, so it is judged on its text alone.
 */
function admittedPorts(ctx: AuditContext, p: ParsedAuthzPolicy, open: ParsedAuthzPolicy['rules'], workloadsOf: () => Map<ParsedAuthzPolicy, WorkloadMesh[]>, opensTo: (s: AuthzSource) => boolean, gatewayKinds: () => Map<string, 'gateway' | 'waypoint'>): { admitted: string[]; workloads: number; passthrough: string[] } | undefined {
  if (p.targeted && !targetsGatewaysOnly(p, gatewayKinds())) return undefined;
  const workloads = workloadsOf().get(p) ?? [];
  if (workloads.length === 0) return undefined;
  const byThis = (reason: string) => reason.includes(`ALLOW AuthorizationPolicy ${policyName(p)} rules[`);
  const admitted: string[] = [];
  // A gateway that only passes TLS through never sees a caller identity: "any caller" is all a
  // policy there can say, and naming principals would refuse every call (passthroughOnlyGateway).
  const passthrough: string[] = [];
  // Open sources naming no identity (notPrincipals only, every address) admit callers without a sidecar too.
  const plaintextToo = open.some((r) => r.anySource || r.negativeIdentityOnly || r.from.some((f) => opensTo(f) && sourceAdmitsPlaintext(f)));
  for (const w of workloads) {
    if (passthroughOnlyGateway(ctx, w)) { passthrough.push(`${w.namespace}/${w.workload.ref.name}`); continue; }
    // A gateway is reached only on the ports its Gateway servers bind: no sidecar there captures
    // every port, and its status port 15021 is no listener a policy guards (gatewayListenerPorts).
    const listening = gatewayListenerPorts(ctx, w);
    if (listening && listening.length === 0) {
      admitted.push(`${w.namespace}/${w.workload.ref.name}, ports unknown (an Istio gateway, and no Gateway server in the snapshot binds it)`);
      continue;
    }
    const ports: string[] = [];
    for (const { port, label } of listening ? listening.map((n) => ({ port: n, label: String(n) })) : portsToJudge(w, open.flatMap(rulePorts))) {
      const callers = plaintextToo ? (['outsider', 'plaintext'] as const) : (['outsider'] as const);
      const verdicts = callers.map((c) => hypotheticalVerdict(ctx, w, port, c, p));
      // A port the sidecar never captures admits every caller before any policy is read.
      const bypassedBy = verdicts.find((v) => v.bypassedBy)?.bypassedBy;
      if (bypassedBy) ports.push(`${label} (bypasses ${captureProxy(sidecarCapture(ctx, w)).the}, ${bypassedBy})`);
      else if (verdicts.some((v) => (v.verdict === 'allowed' || v.verdict === 'depends') && byThis(v.reason))) ports.push(label);
    }
    if (ports.length) admitted.push(`${w.namespace}/${w.workload.ref.name} ports ${ports.join(', ')}`);
  }
  return { admitted, workloads: workloads.length, passthrough };
}

/**
 * Whether every targetRef of a policy names a Gateway API Gateway of its own namespace that is an
 * ingress or egress gateway, not a waypoint: istiod attaches such a policy to the pods of that
 * Gateway (istio/istio pilot/pkg/model/policyattachment.go ShouldAttachPolicy at 1.22.0-1.30.0,
 * "Gateway attached": the workload's gateway.networking.k8s.io/gateway-name label, which the pods
 * istiod deploys for a Gateway carry, manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml
 * at 1.24.0), so the policy can be judged on those pods as a selector policy is (policiesFor binds
 * them). A waypoint's policy judges the traffic of the services behind it, and a Service,
 * ServiceEntry or GatewayClass ref reaches beyond one Gateway's pods: those stay judged on the text.
 */
function targetsGatewaysOnly(p: ParsedAuthzPolicy, kinds: Map<string, 'gateway' | 'waypoint'>): boolean {
  return p.targetRefs.length > 0 && p.targetRefs.every((r) => r.group === 'gateway.networking.k8s.io' && r.kind === 'Gateway' && (r.namespace === undefined || r.namespace === p.namespace) && kinds.get(`${p.namespace}/${r.name}`) === 'gateway');
}

/** Gateway API Gateways by `namespace/name`: a waypoint (class istio-waypoint, or istio.io/waypoint-for set on it or its class) or not. O(Gateways), once per run. */
function gatewayKindsOf(ctx: AuditContext): Map<string, 'gateway' | 'waypoint'> {
  const { waypointFor } = istioAuthzModel(ctx.snapshot, ctx.config);
  const out = new Map<string, 'gateway' | 'waypoint'>();
  for (const g of ctx.snapshot.resources['gatewayapi.gateways'] ?? []) {
    const key = `${g.metadata?.namespace ?? 'default'}/${g.metadata?.name ?? ''}`;
    const wf = waypointFor.get(key);
    const spec = g.spec && typeof g.spec === 'object' ? (g.spec as Record<string, unknown>) : {};
    out.set(key, spec.gatewayClassName === 'istio-waypoint' || (wf !== undefined && ('classUnread' in wf || wf.value !== '')) ? 'waypoint' : 'gateway');
  }
  return out;
}

/**
 * The workloads each policy applies to, in istioWorkloads' order: one pass over the workloads
 * instead of one per open policy, which at a policy per namespace would be policies × workloads.
 */
function workloadsByPolicy(ctx: AuditContext): Map<ParsedAuthzPolicy, WorkloadMesh[]> {
  const index = authzIndex(ctx.snapshot, ctx.config);
  const out = new Map<ParsedAuthzPolicy, WorkloadMesh[]>();
  for (const w of istioWorkloads(ctx)) {
    for (const p of policiesFor(index, w.namespace, w.labels, w.istioRoot?.namespace)) {
      let list = out.get(p);
      if (!list) out.set(p, (list = []));
      list.push(w);
    }
  }
  return out;
}

const judged = withheldInUnseen(allowAnyVerdicts);

/** No `to` and no `when` on where the call goes: every port and path. */
const everyOperation = (r: ParsedAuthzPolicy['rules'][number]): boolean => r.anyOperation && !r.when.some((c) => c.key === 'destination.port' || c.key === 'destination.ip');

export const authzAllowAny: Check = {
  id: 'mtls.authz-allow-any',
  area: 'mtls',
  title: 'No ALLOW AuthorizationPolicy rule admits any caller',
  protectsAgainst: 'ALLOW AuthorizationPolicy rules with no `from` (any source, plaintext included) or whose source admits every authenticated workload (`principals: ["*"]`/`namespaces: ["*"]`, a prefix covering the trust domain such as `cluster.local/*`, or only `notPrincipals`/`notNamespaces`/`notServiceAccounts`, or `trustDomains: ["*"]`, or `ipBlocks`/`remoteIpBlocks` covering every address of the families the pods use — IPv4 when the snapshot shows no pod address — or only `notIpBlocks`/`notRemoteIpBlocks` that leave some address of those families out — of IPv4 or IPv6 when the snapshot shows no pod address; `notRequestPrincipals`, which every request without a JWT matches; a `when` only on `destination.port`/`destination.ip`, or with only `notValues` on a source key such as `source.namespace`, narrows no caller), which cancel the deny-by-default the other policies build; Linkerd AuthorizationPolicies/ServerAuthorizations that admit any meshed identity (`identities: ["*"]`, `unauthenticatedTLS`) or any client from every network (`unauthenticated: true`, NetworkAuthentication 0.0.0.0/0, or `requiredAuthenticationRefs: []`, which requires no authentication); Consul ServiceIntentions that allow source `*`',
  severity: 'medium',
  controls: MESH_AUTHORIZATION,
  remediation: 'Replace the open rule with `from.source.principals` naming the callers\' service accounts (cluster.local/ns/NS/sa/SA) or `namespaces` naming the calling namespaces, and restrict `to.operation` to the ports, methods and paths they use. Linkerd: reference MeshTLSAuthentications listing the clients\' identities (or `identityRefs` ServiceAccounts) instead of `*`. Consul: replace source `*` with one source per calling service.',
  needs: ['namespaces', 'pods'],
  reads: ['istio.authorizationpolicies', 'linkerd.authorizationpolicies', 'linkerd.serverauthorizations', 'linkerd.meshtlsauthentications', 'linkerd.networkauthentications', 'consul.serviceintentions'],
  readsWhen: [...meshPresenceReads('istio', 'linkerd', 'consul'), ISTIO_MESH_CONFIG_READ, ISTIO_REVISION_TAGS_READ, ISTIO_TEMPLATE_CAPTURE_READ, ISTIO_WAYPOINT_GATEWAYS_READ, ISTIO_GATEWAY_SERVERS_READ],
  readsBestEffort: [...ISTIO_GATEWAY_LISTENER_SETS_BEST_EFFORT],
  appliesTo: (ctx) => istioPresent(ctx) || linkerdPresent(ctx) || consulPresent(ctx),
  appliesWhen: 'when Istio, Linkerd or Consul is installed',
  excluded: (ctx) => meshUnseenNote(ctx, 'the workloads there were not judged, nor the policies there', judged.unjudgedNamespaces(ctx)),
  // A policy in such a namespace admits callers to workloads whose mesh is unknown: not judged.
  unjudgedNamespaces: judged.unjudgedNamespaces,
  judgesEachWorkload: true,
  evaluate: judged.evaluate,
};

function allowAnyVerdicts(ctx: AuditContext): Verdict[] {
  const index = authzIndex(ctx.snapshot, ctx.config);
  const { trustDomain, ipFamilies } = istioAuthzModel(ctx.snapshot, ctx.config);
  const opensTo = (f: AuthzSource) => sourceAdmitsEveryWorkload(f, trustDomain, ipFamilies);
  const out: Verdict[] = [];
  let byPolicy: Map<ParsedAuthzPolicy, WorkloadMesh[]> | undefined;
  const workloadsOf = () => (byPolicy ??= workloadsByPolicy(ctx));
  let kinds: Map<string, 'gateway' | 'waypoint'> | undefined;
  const gatewayKinds = () => (kinds ??= gatewayKindsOf(ctx));
  for (const p of index.all) {
    if (p.action !== 'ALLOW' || p.problems.length > 0) continue;
    const open = p.rules.filter((r) => (r.anySource || r.anyPrincipal || r.from.some(opensTo)) && conditionsAdmitEveryWorkload(r.when, trustDomain, ipFamilies));
    if (open.length === 0) {
      out.push({ status: 'pass', resource: p.ref, message: `AuthorizationPolicy ${policyName(p)} names its callers in every rule` });
      continue;
    }
    const judged = admittedPorts(ctx, p, open, workloadsOf, opensTo, gatewayKinds);
    if (judged && judged.admitted.length === 0) {
      const gateways = judged.passthrough.length;
      const why = gateways === judged.workloads
        ? `it applies only to gateway(s) that pass TLS through (${judged.passthrough.slice(0, 5).join(', ')}), which never see who calls, so no policy there could name callers`
        : `on none of the ${judged.workloads} workload(s) it applies to does it admit one (a DENY policy or a condition decides first${gateways > 0 ? `; ${judged.passthrough.slice(0, 5).join(', ')} only pass${gateways === 1 ? 'es' : ''} TLS through` : ''})`;
      out.push({ status: 'pass', resource: p.ref, message: `AuthorizationPolicy ${policyName(p)} has a rule open to any caller, but ${why}${p.doubt ? `; not confirmed: ${p.doubt.why}` : ''}` });
      continue;
    }
    // A revision's own root namespace (meshConfig.rootNamespace of its istio-<rev> ConfigMap) is the root of the workloads it configures.
    const meshWide = !p.targeted && !p.selector && (p.namespace === index.root || (workloadsOf().get(p) ?? []).some((w) => w.istioRoot?.namespace === p.namespace));
    const scope = p.targeted ? (judged ? `the pods of Gateway ${p.targetRefs.map((r) => `${p.namespace}/${r.name}`).join(', ')}` : 'its target (gateway or waypoint)') : p.selector ? `workloads matching ${JSON.stringify(p.selector)}` : meshWide ? 'every workload of the mesh' : `every workload of namespace ${p.namespace}`;
    const wide = !p.selector && !p.targeted && open.some(everyOperation);
    out.push({
      status: 'fail', resource: p.ref, severity: wide ? 'high' : 'medium',
      message: `AuthorizationPolicy ${policyName(p)} allows any caller to ${scope}: ${open.map((r) => `rules[${r.index}] ${r.anySource ? 'has no from' : r.anyPrincipal ? 'allows principals/namespaces "*"' : `admits every ${r.from.some((f) => f.ipBlocks || f.notIpBlocks || f.remoteIpBlocks || f.notRemoteIpBlocks) ? 'caller address' : 'workload identity'} (from ${JSON.stringify(r.from)})`}${r.from.some((f) => f.notRequestPrincipals) ? ' (notRequestPrincipals admits every request without a JWT)' : ''}${r.when.length > 0 ? ` when ${JSON.stringify(r.when)}` : ''}${everyOperation(r) ? ' on every port and path' : rulePorts(r).length > 0 ? ` on ports ${rulePorts(r).join(', ')}` : ' on some operations'}`).join('; ')}${judged ? `; it admits such a caller on ${judged.admitted.slice(0, 5).join('; ')}${judged.admitted.length > 5 ? `; +${judged.admitted.length - 5} more workloads` : ''}` : ''}${p.doubt ? `; not confirmed: ${p.doubt.why}` : ''}`,
      evidence: { rules: open.map((r) => ({ index: r.index, anySource: r.anySource, anyPrincipal: r.anyPrincipal, ports: rulePorts(r) })), selector: p.selector ?? null, targeted: p.targeted, ...(judged ? { admittedOn: judged.admitted } : {}) },
    });
  }
  out.push(...linkerdAllowAny(ctx), ...consulAllowAny(ctx));
  return out;
}
