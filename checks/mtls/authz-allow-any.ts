// ALLOW rules that admit any caller: a rule with no `from` (any source, plaintext included),
// or `principals: ["*"]` / `namespaces: ["*"]` (any authenticated peer). `rules: [{}]` is
// Istio's own allow-all example (https://istio.io/latest/docs/reference/config/security/authorization-policy/).
// A rule with a `when` condition is treated conservatively: it may narrow the callers, so it is
// not reported as allow-any. Severity by blast radius: a policy without selector (the whole
// namespace, or the mesh from the root namespace) with an unrestricted `to` is high.
import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { consulPresent, istioPresent, linkerdPresent } from '../../src/analysis/mesh/index.ts';
import { consulAllowAny, linkerdAllowAny } from './lib/mesh-authz.ts';
import { authzIndex, policyName } from './lib/authz.ts';
import { MESH_AUTHORIZATION } from '../controls.ts';

export const authzAllowAny: Check = {
  id: 'mtls.authz-allow-any',
  area: 'mtls',
  title: 'No ALLOW AuthorizationPolicy rule admits any caller',
  protectsAgainst: 'ALLOW AuthorizationPolicy rules with no `from` (any source, plaintext included) or with `principals: ["*"]`/`namespaces: ["*"]` (any authenticated workload), which cancel the deny-by-default the other policies build; Linkerd AuthorizationPolicies/ServerAuthorizations that admit any meshed identity (`identities: ["*"]`, `unauthenticatedTLS`) or any client from every network (`unauthenticated: true`, NetworkAuthentication 0.0.0.0/0); Consul ServiceIntentions that allow source `*`',
  severity: 'medium',
  controls: MESH_AUTHORIZATION,
  remediation: 'Replace the open rule with `from.source.principals` naming the callers\' service accounts (cluster.local/ns/NS/sa/SA) or `namespaces` naming the calling namespaces, and restrict `to.operation` to the ports, methods and paths they use. Linkerd: reference MeshTLSAuthentications listing the clients\' identities (or `identityRefs` ServiceAccounts) instead of `*`. Consul: replace source `*` with one source per calling service.',
  needs: ['namespaces'],
  reads: ['istio.authorizationpolicies', 'linkerd.authorizationpolicies', 'linkerd.serverauthorizations', 'linkerd.meshtlsauthentications', 'linkerd.networkauthentications', 'consul.serviceintentions'],
  appliesTo: (ctx) => istioPresent(ctx) || linkerdPresent(ctx) || consulPresent(ctx),
  appliesWhen: 'when Istio, Linkerd or Consul is installed',
  evaluate(ctx) {
    const index = authzIndex(ctx.snapshot, ctx.config);
    const out: Verdict[] = [];
    for (const p of index.all) {
      if (p.action !== 'ALLOW' || p.problems.length > 0) continue;
      const open = p.rules.filter((r) => !r.conditional && (r.anySource || r.anyPrincipal));
      if (open.length === 0) {
        out.push({ status: 'pass', resource: p.ref, message: `AuthorizationPolicy ${policyName(p)} names its callers in every rule` });
        continue;
      }
      const scope = p.targeted ? 'its target (gateway or waypoint)' : p.selector ? `workloads matching ${JSON.stringify(p.selector)}` : p.namespace === index.root ? 'every workload of the mesh' : `every workload of namespace ${p.namespace}`;
      const wide = !p.selector && !p.targeted && open.some((r) => r.anyOperation);
      out.push({
        status: 'fail', resource: p.ref, severity: wide ? 'high' : 'medium',
        message: `AuthorizationPolicy ${policyName(p)} allows any caller to ${scope}: ${open.map((r) => `rules[${r.index}] ${r.anySource ? 'has no from' : 'allows principals/namespaces "*"'}${r.anyOperation ? ' on every port and path' : r.ports.length > 0 ? ` on ports ${r.ports.join(', ')}` : ' on some operations'}`).join('; ')}`,
        evidence: { rules: open.map((r) => ({ index: r.index, anySource: r.anySource, anyPrincipal: r.anyPrincipal, ports: r.ports })), selector: p.selector ?? null, targeted: p.targeted },
      });
    }
    out.push(...linkerdAllowAny(ctx), ...consulAllowAny(ctx));
    return out;
  },
};
