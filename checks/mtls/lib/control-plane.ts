// A mesh's policy is enforced by proxies its control plane certifies and configures: istiod
// (Istio's CA and xDS server, https://istio.io/latest/docs/concepts/security/#pki; the agent asks
// for 24-hour workload certificates by default, pilot-agent SECRET_TTL,
// https://istio.io/latest/docs/reference/commands/pilot-agent/ and istio/istio#21944)
// or linkerd-identity and linkerd-destination. With it gone, or none of its pods Ready (a crash
// loop serves nothing: components.ts podReadiness, *ControlPlaneGone), one
// check per mesh fails naming the cause (mtls.mesh-not-strict for Istio,
// mtls.linkerd-unauthenticated-default for Linkerd); the other checks whose pass says mutual TLS
// holds keep their verdict and say why it no longer means much, so one cause is one finding.
import type { Verdict } from '../../../src/base/vocabulary.ts';

/** The verdict that owns the cause: a pass becomes a failure naming it, a failure names it too. */
export function withoutControlPlane(v: Verdict, gone: string): Verdict {
  const evidence = { ...v.evidence, controlPlane: gone };
  if (v.status === 'pass') return { ...v, status: 'fail', message: `${v.message.replace(/\.$/, '')}, but ${gone}.`, evidence };
  return { ...v, message: `${v.message.replace(/\.$/, '')}; and ${gone}.`, evidence };
}

/** A pass that claims mutual TLS: kept, with a note pointing at the check that fails on the cause. */
export function notedWithoutControlPlane(v: Verdict, gone: string | undefined, what: string, failing: string): Verdict {
  if (!gone || v.status !== 'pass') return v;
  return { ...v, message: `${v.message.replace(/\.$/, '')}; but ${what}, so this holds only until the proxies' certificates expire (${failing} fails on it).`, evidence: { ...v.evidence, controlPlane: gone } };
}

export const ISTIOD_GONE_NOTE = 'no ready istiod certifies the sidecars or sends them this configuration';
export const LINKERD_GONE_NOTE = 'Linkerd\'s control plane is incomplete';
