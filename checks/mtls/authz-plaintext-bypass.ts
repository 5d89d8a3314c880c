// Identity-based rules on a workload that still accepts plaintext (PeerAuthentication PERMISSIVE
// or DISABLE). `principals` and `namespaces` need the mTLS peer identity: "Only available with
// mutual TLS enabled" (https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source).
// So a plaintext caller never matches them: a DENY rule on principals/namespaces does not deny it
// (Istio's own advice is DENY with notPrincipals: ["*"] in that case:
// https://istio.io/latest/docs/ops/best-practices/security/#use-default-deny-patterns), and an
// ALLOW rule with only notPrincipals/notNamespaces admits it. An ALLOW rule on principals refuses
// plaintext callers, as intended: that passes.
import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { istioPresent, policiesFor } from '../../src/analysis/mesh/index.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { authzIndex, hypotheticalVerdict, istioWorkloads, policyName, portsToJudge } from './lib/authz.ts';
import { MESH_AUTHORIZATION } from '../controls.ts';

const RELAXED = new Set(['PERMISSIVE', 'DISABLE']);

export const authzPlaintextBypass: Check = {
  id: 'mtls.authz-plaintext-bypass',
  area: 'mtls',
  title: 'Identity-based authorization rules are not bypassed by plaintext',
  protectsAgainst: 'identity-based AuthorizationPolicy rules (principals, namespaces) on workloads or ports that still accept plaintext (PERMISSIVE or DISABLE): a plaintext caller has no identity, so a DENY on principals does not stop it and an ALLOW on notPrincipals admits it',
  severity: 'high',
  controls: MESH_AUTHORIZATION,
  remediation: 'Make the workload\'s PeerAuthentication STRICT (every caller then has an identity), or add a DENY rule with `from.source.notPrincipals: ["*"]` so plaintext callers are refused; express ALLOW rules with `principals`, never only with `notPrincipals`.',
  needs: ['namespaces'],
  reads: ['istio.authorizationpolicies', 'istio.peerauthentications'],
  appliesTo: istioPresent,
  appliesWhen: 'when Istio is installed',
  evaluate(ctx) {
    const index = authzIndex(ctx.snapshot, ctx.config);
    const out: Verdict[] = [];
    for (const w of istioWorkloads(ctx)) {
      const applied = policiesFor(index, w.namespace, w.labels);
      const withIdentity = applied.filter((p) => p.rules.some((r) => r.identity || r.negativeIdentityOnly));
      if (withIdentity.length === 0) continue;
      const resource = w.workload.ref;
      const mode = w.istio?.mode ?? 'PERMISSIVE';
      const ports = w.istio?.ports ?? {};
      const plaintextPorts = Object.entries(ports).filter(([, m]) => RELAXED.has(m)).map(([p]) => p);
      const strictPorts = new Set(Object.entries(ports).filter(([, m]) => !RELAXED.has(m)).map(([p]) => p));
      const everywhere = RELAXED.has(mode);
      if (!everywhere && plaintextPorts.length === 0) {
        out.push({ status: 'pass', resource, message: `${refString(resource)}: mTLS is STRICT, so every caller has an identity for ${withIdentity.map(policyName).join(', ')}` });
        continue;
      }
      // A rule reaches plaintext if it names no port, or a port that accepts plaintext.
      const reachesPlaintext = (rulePorts: string[]) => rulePorts.length === 0 ? true : rulePorts.some((p) => (everywhere ? !strictPorts.has(p) : plaintextPorts.includes(p)));
      const bypass: string[] = [];
      const moot: string[] = [];
      let worst: 'high' | 'medium' | undefined;
      // The ports where a plaintext caller is let in at all (Istio's per-port verdict): a bypass
      // only matters there. An ALLOW on principals elsewhere in the policies may refuse it first.
      const acceptsPlaintext = (port: number) => RELAXED.has(ports[String(port)] ?? mode);
      const admits = (rulePorts: string[]) => portsToJudge(w, rulePorts).filter(({ port }) => (rulePorts.length === 0 || rulePorts.includes(String(port))) && acceptsPlaintext(port))
        .filter(({ port }) => { const v = hypotheticalVerdict(ctx, w, port, 'plaintext'); return v.verdict === 'allowed' || v.verdict === 'depends'; }).map((x) => x.label);
      for (const p of withIdentity) {
        for (const r of p.rules) {
          if (!reachesPlaintext(r.ports)) continue;
          const isBypass = (p.action === 'DENY' && r.identity) || (p.action === 'ALLOW' && r.negativeIdentityOnly);
          if (!isBypass) continue;
          const open = admits(r.ports);
          if (open.length === 0) {
            moot.push(`${p.action} ${policyName(p)} rules[${r.index}]`);
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
      const where = everywhere ? `mTLS ${mode}` : `ports ${plaintextPorts.join(', ')} accept plaintext`;
      if (bypass.length === 0) {
        out.push({ status: 'pass', resource, message: moot.length
          ? `${refString(resource)}: ${where}; ${moot.join(', ')} would miss a plaintext caller, but on every port ${moot.length === 1 ? 'it covers' : 'they cover'} the other policies refuse plaintext callers anyway`
          : `${refString(resource)}: ${where}, but no identity rule lets a plaintext caller through (ALLOW on principals/namespaces refuses it; DENY on notPrincipals/notNamespaces catches it)` });
        continue;
      }
      out.push({
        status: 'fail', resource, severity: worst,
        message: `${refString(resource)}: ${where}; ${bypass.slice(0, 3).join('; ')}${bypass.length > 3 ? `; +${bypass.length - 3} more` : ''}`,
        evidence: { mode, plaintextPorts, rules: bypass },
        related: withIdentity.map((p) => p.ref),
      });
    }
    return out;
  },
};
