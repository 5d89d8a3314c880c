import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { istioPresent, meshModel } from '../../src/analysis/mesh/index.ts';
import { captureProxy, interfacesText, istioMembership, meshInboundCapture } from '../../src/analysis/mesh/istio.ts';
import { istioGatewayPod } from '../../src/analysis/mesh/istio-gateway.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { MESH_ENCRYPTION } from '../controls.ts';
import { ISTIO_REVISION_TAGS_READ, ISTIO_TEMPLATE_CAPTURE_READ } from './lib/istio-mesh-config.ts';
import { meshPresenceReads } from './lib/mesh-presence.ts';
import { meshUnseenNamespaces, meshUnseenNote, namespaceKnown } from './lib/unseen-namespaces.ts';

export const istioExcludedInboundPorts: Check = {
  id: 'mtls.istio-excluded-inbound-ports',
  area: 'mtls',
  title: 'Istio sidecars (and ztunnel) receive every inbound port',
  protectsAgainst: 'Istio sidecar pods whose excludeInboundPorts/includeInboundPorts annotations (or istio-init -d/-b arguments), excluded interfaces (excludeInterfaces), interception mode NONE or an istio-init that applied no iptables rules (--skip-rule-apply, --dry-run) keep inbound ports away from Envoy, and ambient pods whose ambient.istio.io/bypass-inbound-capture keeps every inbound connection away from ztunnel, so those ports accept plaintext and no PeerAuthentication or AuthorizationPolicy applies to them',
  severity: 'medium',
  controls: MESH_ENCRYPTION,
  remediation: 'Remove traffic.sidecar.istio.io/excludeInboundPorts, traffic.sidecar.istio.io/excludeInterfaces and sidecar.istio.io/interceptionMode: NONE from the pod template, leave meshConfig.defaultConfig.interceptionMode and proxy.istio.io/config unset (or REDIRECT/TPROXY), drop --skip-rule-apply and --dry-run from istio-init, and set traffic.sidecar.istio.io/includeInboundPorts to "*" (or remove it); on ambient pods remove ambient.istio.io/bypass-inbound-capture; then restart the pods; for a port that must skip the proxy, restrict who reaches it with a NetworkPolicy.',
  needs: ['namespaces', 'pods'],
  readsWhen: [...meshPresenceReads('istio'), ISTIO_REVISION_TAGS_READ, ISTIO_TEMPLATE_CAPTURE_READ],
  appliesTo: istioPresent,
  appliesWhen: 'when Istio is installed',
  excluded: (ctx) => meshUnseenNote(ctx, 'the workloads there were not judged'),
  unjudgedNamespaces: meshUnseenNamespaces,
  judgesEachWorkload: true,
  evaluate(ctx) {
    const m = meshModel(ctx.snapshot, ctx.config);
    const out: Verdict[] = [];
    for (const w of m.workloads) {
      // A gateway's Envoy is the listener itself, with no application behind it and no istio-init
      // capturing its traffic (istio manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml
      // renders no init container): the traffic.sidecar.istio.io annotations change nothing there.
      if (w.mesh !== 'istio' || !namespaceKnown(w) || istioGatewayPod(w)) continue;
      const rep = w.workload.pods[0];
      const nsLabels = m.namespaces.get(w.namespace)?.labels ?? {};
      const dataplane = rep ? istioMembership(nsLabels, rep).dataplane : undefined;
      if (!rep || !dataplane) continue;
      // Ambient pods are captured by ztunnel: the traffic.sidecar.istio.io annotations do not apply to them.
      const capture = meshInboundCapture(nsLabels, rep, w.istioCaptureDefaults);
      const ref = w.workload.ref;
      const evidence: Record<string, unknown> = { podCount: w.workload.podCount };
      if (!capture) {
        out.push({ status: 'pass', resource: ref, message: `${refString(ref)}: every inbound port goes through ${dataplane === 'ambient' ? 'ztunnel' : 'the istio-proxy sidecar'}.`, evidence });
        continue;
      }
      const { proxy } = captureProxy(capture);
      const invalid = capture.redirect === 'none' ? [] : capture.invalid;
      const what = capture.redirect === 'none'
        ? capture.interfaces ? `every inbound connection through ${interfacesText(capture.interfaces)} bypasses Envoy, on any port` : `no inbound port is redirected to ${proxy}`
        : capture.redirect === 'only'
          ? `only ${capture.ports.length ? `port(s) ${capture.ports.join(', ')} are` : 'no port is'} redirected to Envoy; every other inbound port bypasses it`
          : `inbound port(s) ${capture.ports.join(', ')} bypass Envoy`;
      out.push({
        status: 'fail',
        resource: ref,
        message: `${refString(ref)}: ${what} (${capture.source}): traffic there is accepted in plaintext and no PeerAuthentication or AuthorizationPolicy applies.`,
        evidence: { ...evidence, redirect: capture.redirect, ...(capture.redirect !== 'none' ? { ports: capture.ports } : capture.interfaces ? { interfaces: capture.interfaces } : {}), source: capture.source, ...(invalid.length ? { invalidEntries: invalid } : {}) },
      });
    }
    return out;
  },
};

