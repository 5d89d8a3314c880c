// Identity-based rules on a workload that still accepts plaintext (PeerAuthentication PERMISSIVE
// or DISABLE). `principals` and `namespaces` need the mTLS peer identity: "Only available with
// mutual TLS enabled" (https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source).
// So a plaintext caller never matches them: a DENY rule on principals/namespaces does not deny it
// (Istio's own advice is DENY with notPrincipals: ["*"] in that case:
// https://istio.io/latest/docs/ops/best-practices/security/#use-default-deny-patterns), and an
// ALLOW rule with only notPrincipals/notNamespaces admits it. An ALLOW rule on principals refuses
// plaintext callers, as intended: that passes.
// A sidecar port kept away from Envoy by traffic.sidecar.istio.io/excludeInboundPorts or
// includeInboundPorts ("excluded from redirection to Envoy",
// https://istio.io/latest/docs/reference/config/annotations/) accepts plaintext whatever the
// PeerAuthentication says, and no AuthorizationPolicy applies there: every identity rule covering
// that port is bypassed, an ALLOW on principals included. Such a port is judged by the same
// capture helper as the flow verdict and mtls.authz-missing.
// An Istio gateway is judged by its Gateway servers instead of PeerAuthentication, which never
// applies to its listeners (flow-verdict.ts istioGatewayCallee): a port bound to a plain server, or
// to one terminating TLS without an Istio certificate (SIMPLE, OPTIONAL_MUTUAL, PASSTHROUGH), takes
// callers without an identity; an ISTIO_MUTUAL one does not.
import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { istioPresent, meshModel, policiesFor, type ParsedAuthzPolicy, type WorkloadMesh } from '../../src/analysis/mesh/index.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { authzIndex, hypotheticalVerdict, istioWorkloads, policyName, portsToJudge, sidecarCapture } from './lib/authz.ts';
import { bypassesSidecar, captureProxy, istioProxyOwnPorts } from '../../src/analysis/mesh/istio.ts';
import type { AuthzRule } from '../../src/analysis/mesh/authz.ts';
import { MESH_AUTHORIZATION } from '../controls.ts';
import { ISTIO_MESH_CONFIG_READ, ISTIO_REVISION_TAGS_READ, ISTIO_TEMPLATE_CAPTURE_READ } from './lib/istio-mesh-config.ts';
import { ISTIO_GATEWAY_LISTENER_SETS_BEST_EFFORT, ISTIO_GATEWAY_SERVERS_READ } from './lib/istio-gateway-servers.ts';
import { ISTIO_WAYPOINT_GATEWAYS_READ } from './lib/istio-waypoints.ts';
import { gatewayServersOf, istioGatewayPod, type GatewayServer } from '../../src/analysis/mesh/flow-verdict.ts';
import { ISTIOD_GONE_NOTE, notedWithoutControlPlane } from './lib/control-plane.ts';
import { meshPresenceReads } from './lib/mesh-presence.ts';
import { meshUnseenNamespaces, meshUnseenNote, namespaceKnown } from './lib/unseen-namespaces.ts';
import type { AuditContext } from '../../src/analysis/context.ts';

const RELAXED = new Set(['PERMISSIVE', 'DISABLE']);
const GATEWAY_NO_PA = 'PeerAuthentication does not apply to a gateway\'s listeners';

/**
 * Whether a rule can match a request on this port: its `to` operations (no `to`: every port; a
 * `notPorts` entry excludes the port) and its `when` conditions on destination.port ("values" must
 * name it, "notValues" must not; https://istio.io/latest/docs/reference/config/security/conditions/),
 * both read as the flow verdict reads them (istio-authz.ts judgeOperation, judgeCondition).
 */
const ruleCoversPort = (r: AuthzRule, port: number): boolean => {
  const p = String(port);
  const byTo = r.to.length === 0 || r.to.some((o) => (!o.ports || o.ports.includes(p)) && !(o.notPorts ?? []).includes(p));
  const named = (vs: string[] | undefined) => (vs ?? []).some((v) => /^\d{1,5}$/.test(v) && Number(v) === port);
  return byTo && r.when.every((c) => c.key !== 'destination.port' || ((!c.values || named(c.values)) && !named(c.notValues)));
};

/** The ports a rule names in `to` (ports, notPorts) or a destination.port `when`: worth judging one by one. */
const portsNamedBy = (r: AuthzRule): string[] => [...r.to.flatMap((o) => [...o.ports ?? [], ...o.notPorts ?? []]),
  ...r.when.filter((c) => c.key === 'destination.port').flatMap((c) => [...c.values ?? [], ...c.notValues ?? []])];

/**
 * An identity rule a gateway's Gateway servers leave undecided: whether a caller without a mesh
 * identity gets in on its ports is unknown. `elsewhere`: no Gateway server in the snapshot binds
 * the gateway, so the ports are those a server outside the snapshot would bind, not listed; it
 * holds the ports the gateway listens on without one (its proxy's own).
 */
interface Unsure { rule: string; action: 'ALLOW' | 'DENY'; ports: string[]; why: string[]; elsewhere?: number[] }

/** What the unknown of an Unsure is about: its ports, or those of a Gateway server the snapshot does not show. */
const unsureWhere = (u: Unsure) => u.elsewhere ? 'a port a Gateway server outside the snapshot would bind' : u.ports.length > 1 ? `ports ${u.ports.join(', ')}` : `port ${u.ports[0]}`;

/**
 * Where an Istio gateway's Gateway servers leave unknown whether a caller without a mesh identity
 * gets in (a MUTUAL or AUTO_PASSTHROUGH server, a protocol not known, a port an identity rule
 * names that no server binds, or no server binding the gateway at all), reach answers unknown:
 * each DENY on principals/namespaces (or ALLOW on notPrincipals/notNamespaces only) covering such a
 * port that the gateway's policies would not make moot once the caller were in. A rule naming no
 * port covers the ports the servers bind; the gateway has no listener on others.
 */
function gatewayUnsure(ctx: Parameters<Check['evaluate']>[0], w: WorkloadMesh, servers: GatewayServer[], open: Set<number>, withIdentity: ParsedAuthzPolicy[]): Unsure[] {
  const bound = new Set(servers.flatMap((x) => x.ports));
  const undecided = new Map<number, string[]>();
  for (const x of servers) {
    if (x.accepts !== 'unknown') continue;
    for (const port of x.ports) if (!open.has(port)) undecided.set(port, [...undecided.get(port) ?? [], `${x.where} ${x.what}`]);
  }
  // With no server, istiod builds the gateway no listener (pilot/pkg/networking/core/gateway.go
  // buildGatewayListeners returns at `MergedGateway == nil`): it listens only on its proxy's own
  // ports, pilot-agent's status port and Envoy's bootstrap listeners 15021 (/healthz/ready) and
  // 15090 (/stats/prometheus), which no AuthorizationPolicy guards and serve no application
  // (istio/istio 1.28.9 tools/packaging/common/envoy_bootstrap.json, pilot/cmd/pilot-agent/status/server.go).
  // Such a port is no bypass of a rule (as on a sidecar, istioProxyOwnPorts); what is unknown is a
  // server the snapshot does not show, and the ports it would bind.
  const own = istioProxyOwnPorts(w.workload.pods[0]?.annotations ?? {});
  const noServer = bound.size === 0 ? `no Gateway server in the snapshot binds the gateway, so it listens only on ${own.join(', ')}, its proxy's own status, health and Prometheus ports, which serve no application and no AuthorizationPolicy guards` : undefined;
  const out: Unsure[] = [];
  for (const p of withIdentity) {
    for (const r of p.rules) {
      if (!((p.action === 'DENY' && r.identity) || (p.action === 'ALLOW' && r.negativeIdentityOnly))) continue;
      // The ports the rule names positively (to.ports, a destination.port `when`), else every one it
      // may cover; a port its notPorts or `when` notValues leave out is never one it covers.
      const positive = [...r.ports, ...r.when.filter((c) => c.key === 'destination.port').flatMap((c) => c.values ?? [])];
      const named = positive.map(Number).filter((n) => Number.isInteger(n) && n > 0 && n < 65536);
      const candidates = (positive.length > 0 ? portsToJudge(w, named).filter(({ port }) => named.includes(port))
        : noServer ? portsToJudge(w, portsNamedBy(r)) : [...undecided.keys()].sort((a, b) => a - b).map((port) => ({ port, label: String(port) })))
        .filter(({ port }) => ruleCoversPort(r, port) && !(noServer && own.includes(port)));
      const ports: string[] = [];
      const why = new Set<string>();
      for (const { port, label } of candidates) {
        if (open.has(port)) continue;
        const because = undecided.get(port) ?? (noServer ? [noServer] : bound.has(port) ? [] : [`no Gateway server in the snapshot binds port ${port}`]);
        if (because.length === 0) continue;
        const v = hypotheticalVerdict(ctx, w, port, 'plaintext', undefined, true);
        if (v.verdict !== 'allowed' && v.verdict !== 'depends') continue;
        ports.push(label);
        for (const b of because) why.add(b);
      }
      // No server binds the gateway: a port the rule names is one a server outside the snapshot
      // may bind; its declared ports and any other have no listener the snapshot shows.
      const elsewhere = noServer !== undefined && positive.length === 0;
      if (ports.length > 0) out.push({ rule: `${p.action} ${policyName(p)} rules[${r.index}]`, action: p.action, ports: elsewhere ? [] : ports, why: [...why], ...(elsewhere ? { elsewhere: own } : {}) });
    }
  }
  return out;
}

/**
 * The unseen namespaces (meshUnseenNamespaces) whose workloads an identity rule may cover: one in
 * the namespace itself, or in a root namespace (mesh-wide), where a workload's root is that of its
 * revision, unknown there. Elsewhere no rule applies to them, and nothing was left unjudged.
 */
function identityRulesUnseen(ctx: AuditContext): string[] {
  const unseen = meshUnseenNamespaces(ctx);
  if (unseen.length === 0) return unseen;
  const m = meshModel(ctx.snapshot, ctx.config);
  const roots = new Set([m.istio.root.namespace]);
  for (const w of m.workloads) if (w.istioRoot) roots.add(w.istioRoot.namespace);
  const holding = new Set<string>();
  for (const p of authzIndex(ctx.snapshot, ctx.config).all) if (p.rules.some((r) => r.identity || r.negativeIdentityOnly)) holding.add(p.namespace);
  if ([...roots].some((r) => holding.has(r))) return unseen;
  return unseen.filter((ns) => holding.has(ns));
}

export const authzPlaintextBypass: Check = {
  id: 'mtls.authz-plaintext-bypass',
  area: 'mtls',
  title: 'Identity-based authorization rules are not bypassed by plaintext',
  protectsAgainst: 'identity-based AuthorizationPolicy rules (principals, namespaces, serviceAccounts, trustDomains) on workloads or ports that still accept plaintext (PERMISSIVE or DISABLE, or an Istio gateway port whose Gateway server is plain or terminates TLS without an Istio certificate): a plaintext caller has no identity, so a DENY on principals does not stop it and an ALLOW on notPrincipals admits it; and identity rules covering a sidecar port that traffic.sidecar.istio.io/excludeInboundPorts or includeInboundPorts keeps away from Envoy, where no policy applies and any caller gets in with plaintext',
  severity: 'high',
  controls: MESH_AUTHORIZATION,
  remediation: 'Make the workload\'s PeerAuthentication STRICT (every caller then has an identity), or add a DENY rule with `from.source.notPrincipals: ["*"]` so plaintext callers are refused; express ALLOW rules with `principals`, never only with `notPrincipals`. For a port that bypasses the sidecar, remove it from `traffic.sidecar.istio.io/excludeInboundPorts` (or add it to `includeInboundPorts`, or set that to "*") so the policies apply there.',
  needs: ['namespaces', 'pods'],
  reads: ['istio.authorizationpolicies', 'istio.peerauthentications'],
  readsWhen: [...meshPresenceReads('istio'), ISTIO_MESH_CONFIG_READ, ISTIO_REVISION_TAGS_READ, ISTIO_TEMPLATE_CAPTURE_READ, ISTIO_WAYPOINT_GATEWAYS_READ, ISTIO_GATEWAY_SERVERS_READ],
  readsBestEffort: [...ISTIO_GATEWAY_LISTENER_SETS_BEST_EFFORT],
  appliesTo: istioPresent,
  appliesWhen: 'when Istio is installed',
  excluded: (ctx) => meshUnseenNote(ctx, 'the workloads there were not judged', identityRulesUnseen(ctx)),
  unjudgedNamespaces: identityRulesUnseen,
  judgesEachWorkload: true,
  evaluate(ctx) {
    const index = authzIndex(ctx.snapshot, ctx.config);
    const out: Verdict[] = [];
    for (const w of istioWorkloads(ctx)) {
      const applied = policiesFor(index, w.namespace, w.labels, w.istioRoot?.namespace);
      const withIdentity = applied.filter((p) => p.rules.some((r) => r.identity || r.negativeIdentityOnly));
      if (withIdentity.length === 0) continue;
      const resource = w.workload.ref;
      // A gateway takes callers without a mesh identity where its Gateway servers do (plain, or
      // TLS without an Istio certificate), whatever PeerAuthentication says.
      const servers = istioGatewayPod(w) ? gatewayServersOf(ctx.snapshot, w) : undefined;
      const gateway = servers?.filter((s) => s.accepts === 'plaintext' || s.accepts === 'tls');
      const gatewayPorts = new Set(gateway?.flatMap((s) => s.ports));
      const unsure = servers ? gatewayUnsure(ctx, w, servers, gatewayPorts, withIdentity) : [];
      const mode = w.istio?.mode ?? 'PERMISSIVE';
      const ports = gateway ? {} : w.istio?.ports ?? {};
      const plaintextPorts = gateway ? [...gatewayPorts].sort((a, b) => a - b).map(String) : Object.entries(ports).filter(([, m]) => RELAXED.has(m)).map(([p]) => p);
      const strictPorts = new Set(Object.entries(ports).filter(([, m]) => !RELAXED.has(m)).map(([p]) => p));
      const everywhere = !gateway && RELAXED.has(mode);
      const capture = sidecarCapture(ctx, w);
      // Sidecar ports that never reach Envoy and an ALLOW or DENY identity rule covers.
      const bypassedBy = (r: AuthzRule): string[] => capture
        ? portsToJudge(w, [...(capture.redirect === 'none' ? [] : capture.ports), ...portsNamedBy(r)]).filter(({ port }) => bypassesSidecar(capture, port) && ruleCoversPort(r, port)).map((x) => x.label)
        : [];
      const sidecarPorts = new Set<string>();
      for (const p of withIdentity) {
        if (p.action !== 'ALLOW' && p.action !== 'DENY') continue;
        for (const r of p.rules) if (r.identity || r.negativeIdentityOnly) for (const l of bypassedBy(r)) sidecarPorts.add(l);
      }
      const paPlaintext = everywhere || plaintextPorts.length > 0;
      if (!paPlaintext && sidecarPorts.size === 0 && unsure.length === 0) {
        const why = !gateway ? 'mTLS is STRICT'
          : servers!.length === 0 ? `it is an Istio gateway no Gateway server in the snapshot binds, and its identity rules cover none of the ports one would bind (it listens only on ${istioProxyOwnPorts(w.workload.pods[0]?.annotations ?? {}).join(', ')}, its proxy's own ports, which no AuthorizationPolicy guards; ${GATEWAY_NO_PA})`
          : servers!.length > 0 && servers!.every((x) => x.accepts === 'mesh-mtls') ? `it is an Istio gateway whose Gateway servers take no caller without a mesh identity (${GATEWAY_NO_PA})`
            : `it is an Istio gateway whose Gateway servers take no caller without a mesh identity on the ports its identity rules cover (${GATEWAY_NO_PA})`;
        out.push({ status: 'pass', resource, message: `${refString(resource)}: ${why}, so every caller has an identity for ${withIdentity.map(policyName).join(', ')}` });
        continue;
      }
      // A rule reaches plaintext if it covers a port that accepts plaintext (ruleCoversPort: its
      // ports and notPorts, and a `when` on destination.port).
      const reachesPlaintext = (r: AuthzRule) => everywhere
        ? portsToJudge(w, [...portsNamedBy(r), ...strictPorts]).some(({ port }) => !strictPorts.has(String(port)) && ruleCoversPort(r, port))
        : plaintextPorts.some((p) => ruleCoversPort(r, Number(p)));
      const bypass: string[] = [];
      const moot: string[] = [];
      let worst: 'high' | 'medium' | undefined;
      // The ports where a plaintext caller is let in at all (Istio's per-port verdict): a bypass
      // only matters there. An ALLOW on principals elsewhere in the policies may refuse it first.
      // Ports that bypass the sidecar are reported on their own, above any PeerAuthentication.
      const acceptsPlaintext = (port: number) => (gateway ? gatewayPorts.has(port) : RELAXED.has(ports[String(port)] ?? mode)) && !bypassesSidecar(capture, port);
      const admits = (r: AuthzRule) => portsToJudge(w, [...portsNamedBy(r), ...gatewayPorts]).filter(({ port }) => ruleCoversPort(r, port) && acceptsPlaintext(port))
        .filter(({ port }) => { const v = hypotheticalVerdict(ctx, w, port, 'plaintext'); return v.verdict === 'allowed' || v.verdict === 'depends'; }).map((x) => x.label);
      const plural = (xs: string[]) => xs.length > 1 ? `ports ${xs.join(', ')}` : `port ${xs[0]}`;
      for (const p of withIdentity) {
        for (const r of p.rules) {
          if (!r.identity && !r.negativeIdentityOnly) continue;
          const skipped = p.action === 'ALLOW' || p.action === 'DENY' ? bypassedBy(r) : [];
          if (skipped.length > 0) {
            bypass.push(`${p.action} ${policyName(p)} rules[${r.index}] never applies on ${plural(skipped)}, which bypass${skipped.length > 1 ? '' : 'es'} ${captureProxy(capture).the}: any caller gets in there with plaintext`);
            worst = p.action === 'ALLOW' && r.negativeIdentityOnly ? worst ?? 'medium' : 'high';
          }
          if (!paPlaintext || !reachesPlaintext(r)) continue;
          const isBypass = (p.action === 'DENY' && r.identity) || (p.action === 'ALLOW' && r.negativeIdentityOnly);
          if (!isBypass) continue;
          const open = admits(r);
          if (open.length === 0) {
            if (skipped.length === 0) moot.push(`${p.action} ${policyName(p)} rules[${r.index}]`);
            continue;
          }
          if (p.action === 'DENY') {
            bypass.push(`DENY ${policyName(p)} rules[${r.index}] names principals/namespaces, which a plaintext caller never matches, so it is not denied (port${open.length > 1 ? 's' : ''} ${open.join(', ')})`);
            worst = 'high';
          } else {
            bypass.push(`ALLOW ${policyName(p)} rules[${r.index}] uses only notPrincipals/notNamespaces, which a plaintext caller matches, so it is allowed (port${open.length > 1 ? 's' : ''} ${open.join(', ')})`);
            worst ??= 'medium';
          }
        }
      }
      const sidecarList = [...sidecarPorts];
      const where = [
        ...(gateway && gateway.length > 0 ? [`Istio gateway: ${plural(plaintextPorts)} take${plaintextPorts.length > 1 ? '' : 's'} callers without a mesh identity (${gateway.slice(0, 3).map((g) => `${g.where} ${g.what}`).join('; ')}${gateway.length > 3 ? '; …' : ''}; ${GATEWAY_NO_PA})`]
          : everywhere ? [`mTLS ${mode}`] : plaintextPorts.length > 0 ? [`ports ${plaintextPorts.join(', ')} accept plaintext`] : []),
        ...(sidecarList.length > 0 ? [`${plural(sidecarList)} bypass${sidecarList.length > 1 ? '' : 'es'} ${captureProxy(capture).its} (${capture!.source})`] : []),
      ].join('; ');
      const unsureText = unsure.map((u) => `whether a caller without a mesh identity gets in on ${unsureWhere(u)} is unknown (${u.why.slice(0, 3).join('; ')}${u.why.length > 3 ? '; …' : ''}); if it does, ${u.rule} ${u.action === 'DENY' ? 'names principals/namespaces, which it never matches, so it is not denied' : 'uses only notPrincipals/notNamespaces, which it matches, so it is allowed'}`);
      const unsureEvidence = unsure.length > 0 ? { unknownPorts: [...new Set(unsure.flatMap((u) => u.ports))], unknownBecause: [...new Set(unsure.flatMap((u) => u.why))], ...(unsure.some((u) => u.elsewhere) ? { listensWithoutServerOnly: unsure.find((u) => u.elsewhere)!.elsewhere } : {}) } : {};
      if (bypass.length === 0 && unsure.length > 0) {
        // Reach answers unknown for such a caller there: neither passed nor failed as a bypass.
        out.push({
          status: 'fail', resource, severity: unsure.some((u) => u.action === 'DENY') ? 'medium' : 'low',
          message: `${refString(resource)}: Istio gateway (${GATEWAY_NO_PA}); ${unsureText.slice(0, 3).join('; ')}${unsureText.length > 3 ? `; +${unsureText.length - 3} more` : ''}`,
          evidence: { plaintextPorts, rules: unsureText, ...unsureEvidence },
          related: withIdentity.map((p) => p.ref),
        });
        continue;
      }
      if (bypass.length === 0) {
        out.push({ status: 'pass', resource, message: moot.length
          ? `${refString(resource)}: ${where}; ${moot.join(', ')} would miss a plaintext caller, but on every port ${moot.length === 1 ? 'it covers' : 'they cover'} the other policies refuse plaintext callers anyway`
          : `${refString(resource)}: ${where}, but no identity rule lets a plaintext caller through (ALLOW on principals/namespaces refuses it; DENY on notPrincipals/notNamespaces catches it)` });
        continue;
      }
      out.push({
        status: 'fail', resource, severity: worst,
        message: `${refString(resource)}: ${where}; ${bypass.slice(0, 3).join('; ')}${bypass.length > 3 ? `; +${bypass.length - 3} more` : ''}${unsure.length > 0 ? `; and ${unsureText[0]}${unsure.length > 1 ? `; +${unsure.length - 1} more unknown` : ''}` : ''}`,
        // A gateway's mode is its Gateway servers', not PeerAuthentication's: none is given.
        evidence: { ...(servers ? {} : { mode }), plaintextPorts, rules: bypass, ...unsureEvidence, ...(sidecarList.length > 0 ? { sidecarBypassedPorts: sidecarList, source: capture!.source } : {}) },
        related: withIdentity.map((p) => p.ref),
      });
    }
    // Each workload is served by its own revision's istiod: the note only where that one is gone.
    const gone = new Map(istioWorkloads(ctx).filter((w) => w.istioControlPlaneGone).map((w) => [refString(w.workload.ref), w.istioControlPlaneGone]));
    return out.map((v) => notedWithoutControlPlane(v, gone.get(refString(v.resource)), ISTIOD_GONE_NOTE, 'mtls.mesh-not-strict'));
  },
};
