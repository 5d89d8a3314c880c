// Istio-meshed workloads that accept calls from any caller because no ALLOW AuthorizationPolicy
// applies to them (in their namespace or the root namespace, by selector or namespace-wide).
// Istio's order is CUSTOM, DENY, then ALLOW: "if there are no ALLOW policies for the workload,
// allow the request" (https://istio.io/latest/docs/concepts/security/#implicit-enablement).
// DENY or CUSTOM policies alone only exclude what they name. An allow-nothing policy
// (`spec: {}`) is the deny-by-default that passes. A malformed policy (unknown action, a
// serviceAccounts value with a wildcard, a DENY without rules) is rejected by istiod and protects
// nothing: it fails, named; so does one the API server refuses by its shape (a `rules` mapping,
// an unquoted port or label value), which never exists. A principal no identity can have (spiffe:// prefix, a `*` inside) is accepted and matches
// nobody: the policy stays in effect and is named, lower.
// An ambient workload's calls that go through a waypoint are also covered by the policies the
// waypoint enforces: those attached by targetRefs to the waypoint Gateway or to the Service called
// (https://istio.io/latest/docs/ambient/usage/l4-policy/, attachment table). Which calls a waypoint
// sees is its Gateway's istio.io/waypoint-for (https://istio.io/latest/docs/ambient/usage/waypoint/),
// and a waypoint whose Gateway istiod has given no address (status.addresses) sees none,
// read by the same waypointPaths and waypointPolicies the flow judge (reach) uses, so a workload
// passes only when every way of calling it meets an ALLOW policy.
// Policies protect none of a sidecar pod's inbound ports that its excludeInboundPorts or
// includeInboundPorts annotation keeps away from Envoy ("excluded from redirection to Envoy",
// https://istio.io/latest/docs/reference/config/annotations/): a workload with such a port fails
// even when ALLOW policies apply to it, naming the annotation.
// A gateway whose Gateway servers all pass TLS through (passthroughOnlyGateway) passes: it never
// sees a caller identity to authorize.
import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { consulPresent, istioPresent, linkerdPresent, policiesFor } from '../../src/analysis/mesh/index.ts';
import { consulAuthzMissing, linkerdAuthzMissing } from './lib/mesh-authz.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { authzIndex, hypotheticalVerdict, istioWorkloads, passthroughOnlyGateway, policyName, portsToJudge, sidecarCapture } from './lib/authz.ts';
import { istioAuthzModel, pathScope, waypointPaths, waypointPolicies, type WaypointPath } from '../../src/analysis/mesh/istio-authz.ts';
import { captureProxy, istioMembership, refusedText } from '../../src/analysis/mesh/istio.ts';
import { meshModel } from '../../src/analysis/mesh/model.ts';
import { MESH_AUTHORIZATION } from '../controls.ts';
import { ISTIO_MESH_CONFIG_READ, ISTIO_REVISION_TAGS_READ, ISTIO_TEMPLATE_CAPTURE_READ } from './lib/istio-mesh-config.ts';
import { ISTIO_GATEWAY_LISTENER_SETS_BEST_EFFORT, ISTIO_GATEWAY_SERVERS_READ } from './lib/istio-gateway-servers.ts';
import { ISTIO_WAYPOINT_GATEWAYS_READ } from './lib/istio-waypoints.ts';
import { CONSUL_DEFAULT_INTENTION_READ, CONSUL_SERVICE_NAMES_READ, LINKERD_DEFAULT_POLICY_READ } from './lib/mesh-config-reads.ts';
import { meshPresenceReads } from './lib/mesh-presence.ts';
import { meshUnseenNamespaces, meshUnseenNote } from './lib/unseen-namespaces.ts';

export const authzMissing: Check = {
  id: 'mtls.authz-missing',
  area: 'mtls',
  title: 'Every meshed workload is covered by an ALLOW AuthorizationPolicy',
  protectsAgainst: 'meshed workloads that accept calls from any caller the network lets in, because no ALLOW AuthorizationPolicy (nor an allow-nothing `spec: {}` or deny-all `action: DENY, rules: [{}]`) applies to them, or on inbound ports their Istio sidecar never receives (`traffic.sidecar.istio.io/excludeInboundPorts`/`includeInboundPorts`), where no policy applies; and malformed AuthorizationPolicies (unknown action, a DENY or CUSTOM without `rules`, serviceAccounts with a wildcard, an empty `from.source` or `to.operation`, a `when` condition without values, ...), which istiod rejects, or of a shape the API server refuses (`rules`, `from` or `to` written as a mapping, an unquoted port or label value; from manifests, past the limits of the CRD: both a selector and targetRefs, more than 512 rules, serviceAccounts beside namespaces or principals), or principals no workload can present (a `spiffe://` prefix, a `*` inside), which match nobody. Linkerd: meshed ports not covered by a Server that denies unless authorized, while the default inbound policy is not deny, and inbound ports in `config.linkerd.io/skip-inbound-ports`, which skip the proxy and its authorization; Servers that select no pod; policies whose authentications do not exist. Consul: meshed services that any mesh service may call (no deny intention for an unnamed caller and the default intention allows), and inbound ports in `consul.hashicorp.com/transparent-proxy-exclude-inbound-ports`, where no intention applies; ServiceIntentions without a destination',
  severity: 'medium',
  controls: MESH_AUTHORIZATION,
  remediation: 'Put an allow-nothing policy (`kind: AuthorizationPolicy, spec: {}`) in the root namespace or each application namespace, then an ALLOW policy per workload listing the callers (`from.source.principals` of their service accounts) and the ports/paths they need. Fix or delete malformed policies named in the findings. For ports a sidecar does not receive, remove `traffic.sidecar.istio.io/excludeInboundPorts` and set `includeInboundPorts` to "*" (or remove it), so the policies apply there. Remove ports from `config.linkerd.io/skip-inbound-ports` and `consul.hashicorp.com/transparent-proxy-exclude-inbound-ports` (for protocols Linkerd cannot detect, mark them opaque instead). Linkerd: set `config.linkerd.io/default-inbound-policy: deny` (or install with proxy.defaultInboundPolicy=deny) and give each port a Server plus an AuthorizationPolicy naming its clients (MeshTLSAuthentication identities or ServiceAccounts). Consul: add a `* → *` deny ServiceIntentions (or enable ACLs with default_policy deny) and allow each caller per destination.',
  needs: ['namespaces', 'pods'],
  reads: ['istio.authorizationpolicies', 'linkerd.servers', 'linkerd.authorizationpolicies', 'linkerd.serverauthorizations', 'linkerd.meshtlsauthentications', 'linkerd.networkauthentications', 'consul.serviceintentions'],
  // The Istio authorization model reads the waypoint Gateways and GatewayClasses (istio.io/waypoint-for) behind an ambient callee.
  readsWhen: [...meshPresenceReads('istio', 'linkerd', 'consul'), ISTIO_MESH_CONFIG_READ, ISTIO_REVISION_TAGS_READ, ISTIO_TEMPLATE_CAPTURE_READ, LINKERD_DEFAULT_POLICY_READ, CONSUL_DEFAULT_INTENTION_READ, CONSUL_SERVICE_NAMES_READ, ISTIO_WAYPOINT_GATEWAYS_READ, ISTIO_GATEWAY_SERVERS_READ],
  readsBestEffort: [...ISTIO_GATEWAY_LISTENER_SETS_BEST_EFFORT],
  appliesTo: (ctx) => istioPresent(ctx) || linkerdPresent(ctx) || consulPresent(ctx),
  appliesWhen: 'when Istio, Linkerd or Consul is installed',
  excluded: (ctx) => meshUnseenNote(ctx, 'the workloads there were not judged'),
  unjudgedNamespaces: meshUnseenNamespaces,
  judgesEachWorkload: true,
  *evaluate(ctx) {
    const index = authzIndex(ctx.snapshot, ctx.config);
    for (const p of index.all) {
      if (p.refused.length > 0) {
        // The API server refuses the object (a field of a type its CRD does not take): it does not exist.
        yield {
          status: 'fail', resource: p.ref, detailKey: 'malformed', severity: 'high',
          message: `${refusedText(`AuthorizationPolicy ${policyName(p)}`, p.refused.slice(0, 3))}${p.refused.length > 3 ? ` (+${p.refused.length - 3} more)` : ''}: it protects nothing`,
          evidence: { refused: p.refused, problems: p.problems },
        };
      } else if (p.problems.length > 0) {
        yield {
          status: 'fail', resource: p.ref, detailKey: 'malformed', severity: 'high',
          message: `AuthorizationPolicy ${policyName(p)} is malformed: ${p.problems.slice(0, 3).join('; ')}; istiod rejects it, so it protects nothing`,
          evidence: { problems: p.problems },
        };
      } else if (p.warnings.length > 0) {
        // In effect, with values that match nobody: an ALLOW admits fewer callers than it names
        // (refused calls show), a DENY or CUSTOM silently fails to refuse them.
        yield {
          status: 'fail', resource: p.ref, detailKey: 'dead-principal', severity: p.action === 'ALLOW' || p.action === 'AUDIT' ? 'low' : 'medium',
          message: `AuthorizationPolicy ${policyName(p)} is in effect, but ${p.warnings.slice(0, 3).join('; ')}${p.warnings.length > 3 ? `; +${p.warnings.length - 3} more` : ''}`,
          evidence: { warnings: p.warnings },
        };
      }
    }
    const model = istioAuthzModel(ctx.snapshot, ctx.config);
    const namespaces = meshModel(ctx.snapshot, ctx.config).namespaces;
    for (const w of istioWorkloads(ctx)) {
      const passthrough = passthroughOnlyGateway(ctx, w);
      if (passthrough) {
        yield { status: 'pass', resource: w.workload.ref, message: `${refString(w.workload.ref)} is a gateway that only passes TLS through (${passthrough}): it never sees who calls, so no ALLOW policy there could name its callers; the workloads behind it decide` };
        continue;
      }
      const rep = w.workload.pods[0];
      const ambient = rep !== undefined && istioMembership(namespaces.get(w.namespace)?.labels ?? {}, rep).dataplane === 'ambient';
      const callee = { namespace: w.namespace, name: w.workload.ref.name, serviceAccount: '', labels: w.labels, port: 0, protocol: 'TCP' as const, dataplane: 'ambient' as const };
      // Each way a caller may address the workload (a Service, or a pod directly) and the waypoint
      // that call meets, read as the flow verdicts read it (waypointPaths, istio.io/waypoint-for);
      // a path whose waypoint Gateway is unread may meet it or not, so both must be covered.
      const local = policiesFor(index, w.namespace, w.labels, w.istioRoot?.namespace);
      // Dry-run policies (istio.io/dry-run) are logged, never enforced, by Envoy: they cover
      // nothing; whether an ambient workload's ztunnel enforces them depends on istiod (reach says so).
      const dry = policiesFor(index, w.namespace, w.labels, w.istioRoot?.namespace, { dryRun: 'only' });
      const dryText = dry.length === 0 ? '' : `; AuthorizationPolicy ${dry.map(policyName).join(', ')} ${dry.length === 1 ? 'is' : 'are'} dry-run (istio.io/dry-run), ${ambient
        ? `which a waypoint only logs; whether the ztunnel enforces ${dry.length === 1 ? 'it' : 'them'} cannot be confirmed (istiod before 1.29 hands ztunnel a dry-run policy as an ordinary one; from 1.29 it leaves it out unless AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY is set)`
        : `which the sidecar only logs and never enforces`}`;
      const paths: WaypointPath[] = ambient ? waypointPaths(model, callee) : [{ label: '', wp: undefined }];
      const views = paths.flatMap((p) => (p.unsure ? [p.wp, undefined] : [p.wp]).map((wp) => {
        const atWaypoint = wp ? waypointPolicies(model, callee, wp, pathScope(p)) : [];
        const applied = [...local, ...atWaypoint];
        // A DENY rule with no from, no to and no when (`rules: [{}]`) denies every request.
        const denyAll = applied.find((x) => x.action === 'DENY' && x.rules.some((r) => r.anySource && r.anyOperation && !r.conditional));
        return { path: p, wp, atWaypoint, allow: applied.filter((x) => x.action === 'ALLOW'), denyAll };
      }));
      const applied = [...new Set(views.flatMap((v) => [...local, ...v.atWaypoint]))];
      const allow = [...new Set(views.flatMap((v) => v.allow))];
      const open = views.filter((v) => v.allow.length === 0 && !v.denyAll);
      const resource = w.workload.ref;
      // A port the sidecar never captures is open to any caller whatever the policies say (the
      // same verdict reach gives): policies protect the workload only if no such port exists.
      const capture = sidecarCapture(ctx, w);
      const bypassed = capture ? portsToJudge(w, capture.redirect === 'none' ? [] : capture.ports).filter(({ port }) => hypotheticalVerdict(ctx, w, port, 'plaintext').bypassedBy).map((x) => x.label) : [];
      const unprotected = (by: string): Verdict => ({
        status: 'fail', resource,
        message: `${refString(resource)}: ${by}, but ${bypassed.length > 1 ? `ports ${bypassed.join(', ')} bypass` : `port ${bypassed[0]} bypasses`} ${captureProxy(capture).its} (${capture!.source}): any caller the network lets in reaches ${bypassed.length > 1 ? 'them' : 'it'} in plaintext and no AuthorizationPolicy applies there`,
        evidence: { namespace: w.namespace, bypassedPorts: bypassed, source: capture!.source, applied: applied.map((p) => ({ policy: policyName(p), action: p.action })) },
        related: applied.map((p) => p.ref),
      });
      if (open.length === 0) {
        const denyAll = views.find((v) => v.allow.length === 0)?.denyAll;
        if (denyAll) {
          if (bypassed.length > 0) { yield unprotected(`DENY ${policyName(denyAll)} refuses every call through ${captureProxy(capture).the}`); continue; }
          yield { status: 'pass', resource, message: `${refString(resource)}: DENY ${policyName(denyAll)} refuses every call` };
          continue;
        }
        if (bypassed.length > 0) { yield unprotected(`ALLOW policies decide who may call it through ${captureProxy(capture).the} (${allow.map(policyName).join(', ')})`); continue; }
        const byWaypoint = new Map<string, { wp: NonNullable<WaypointPath['wp']>; policies: Set<string> }>();
        for (const v of views) {
          if (!v.wp) continue;
          const key = `${v.wp.namespace}/${v.wp.name}`;
          const at = byWaypoint.get(key) ?? { wp: v.wp, policies: new Set<string>() };
          for (const p of v.allow) if (v.atWaypoint.includes(p)) at.policies.add(policyName(p));
          byWaypoint.set(key, at);
        }
        const waypointText = [...byWaypoint.values()].filter((x) => x.policies.size > 0).map((x) => `; ${[...x.policies].join(', ')} enforced by waypoint ${x.wp.namespace}/${x.wp.name} (${x.wp.via})`).join('');
        yield { status: 'pass', resource, message: `${refString(resource)}: ALLOW policies decide who may call it (${allow.map(policyName).join(', ')})${waypointText}` };
        continue;
      }
      if (open.length < views.length) {
        // Some calls meet an ALLOW policy (at a waypoint) and others do not: the workload is as
        // open as its least protected path, which is what reach answers too.
        const where = (v: typeof views[number]) => `${v.path.label} (judged by ${v.wp ? `waypoint ${v.wp.namespace}/${v.wp.name}` : `the ztunnel of ${w.namespace}/${w.workload.ref.name}`}${v.wp === undefined && v.path.skipped ? `: ${v.path.skipped}` : ''})`;
        // A covered call meets an ALLOW policy, else a DENY that refuses every call (`rules: [{}]`).
        const covered = views.filter((v) => !open.includes(v));
        const byAllow = covered.filter((v) => v.allow.length > 0);
        const byDeny = new Map<string, typeof covered>();
        for (const v of covered) if (v.allow.length === 0 && v.denyAll) byDeny.set(policyName(v.denyAll), [...byDeny.get(policyName(v.denyAll)) ?? [], v]);
        const coveredText = [
          ...(byAllow.length > 0 ? [`ALLOW ${[...new Set(byAllow.flatMap((v) => v.allow))].map(policyName).join(', ')} decide${byAllow.length === 1 ? 's' : ''} only ${byAllow.map(where).join(', ')}`] : []),
          ...[...byDeny].map(([name, vs]) => `DENY ${name} refuses every call, but decides only ${vs.map(where).join(', ')}`),
        ].join('; ');
        yield {
          status: 'fail', resource,
          message: `${refString(resource)}: ${open.map(where).join(', ')} meets no ALLOW AuthorizationPolicy, so any caller the network lets in may make it; ${coveredText}${dryText}`,
          evidence: { namespace: w.namespace, unprotectedCalls: open.map((v) => v.path.label), applied: applied.map((p) => ({ policy: policyName(p), action: p.action })) },
          related: applied.map((p) => p.ref),
        };
        continue;
      }
      const others = applied.filter((p) => p.action !== 'ALLOW' && p.action !== 'AUDIT');
      const skipped = [...new Set(paths.flatMap((p) => (p.skipped ? [p.skipped] : [])))];
      // The mesh-wide policies a workload misses are those of its revision's root namespace.
      const root = w.istioRoot?.namespace ?? index.root;
      yield {
        status: 'fail', resource,
        message: `${refString(resource)} is meshed but no ALLOW AuthorizationPolicy applies to it (in ${w.namespace === root ? `${w.namespace}, the root namespace` : `${w.namespace} or ${root}`}): it accepts calls from any caller the network lets in${others.length > 0 ? `; ${others.map((p) => `${p.action} ${policyName(p)}`).join(', ')} only exclude${others.length === 1 ? 's' : ''} what ${others.length === 1 ? 'it names' : 'they name'}` : ''}${skipped.length > 0 ? `; ${skipped.join('; ')}` : ''}${dryText}`,
        evidence: { namespace: w.namespace, rootNamespace: root, applied: applied.map((p) => ({ policy: policyName(p), action: p.action })), ...(dry.length ? { dryRun: dry.map(policyName) } : {}) },
        related: applied.map((p) => p.ref),
      };
    }
    yield* linkerdAuthzMissing(ctx);
    yield* consulAuthzMissing(ctx);
  },
};
