import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { istioPresent, meshModel } from '../../src/analysis/mesh/index.ts';
import { destinationRuleTlsSettings, inMeshHost, routedSubsetNames } from '../../src/analysis/mesh/destination-rules.ts';
import { MESH_ENCRYPTION } from '../controls.ts';
import { ISTIO_MESH_ROUTES_READ, ISTIO_REVISION_TAGS_READ } from './lib/istio-mesh-config.ts';
import { ISTIOD_GONE_NOTE, notedWithoutControlPlane } from './lib/control-plane.ts';
import { meshPresenceReads } from './lib/mesh-presence.ts';

/** The wildcard hosts over every in-cluster Service (destination-rules.ts inMeshHost). */
const CLUSTER_WIDE_HOSTS = new Set(['*', '*.local', '*.cluster.local', '*.svc.cluster.local']);

export const destinationruleTlsDisabled: Check = {
  id: 'mtls.destinationrule-tls-disabled',
  area: 'mtls',
  title: 'DestinationRules keep Istio mutual TLS toward in-mesh hosts',
  protectsAgainst: 'DestinationRules that make clients send in-mesh traffic without Istio mutual TLS (plaintext or unverified TLS)',
  severity: 'high',
  controls: MESH_ENCRYPTION,
  remediation: 'Remove the tls block (auto-mTLS then applies) or set `tls: {mode: ISTIO_MUTUAL}` for hosts inside the mesh; never set insecureSkipVerify: true.',
  needs: ['namespaces', 'pods', 'services'],
  readsWhen: [...meshPresenceReads('istio'), ISTIO_REVISION_TAGS_READ, ISTIO_MESH_ROUTES_READ],
  reads: ['istio.destinationrules'],
  appliesTo: istioPresent,
  appliesWhen: 'when Istio is installed',
  evaluate(ctx) {
    const m = meshModel(ctx.snapshot, ctx.config);
    const out: Verdict[] = [];
    // Each sidecar is configured by its own revision's istiod: a DestinationRule's mutual TLS is
    // hollow where the clients in its namespace or the servers of its host are on a revision whose
    // istiod is gone (a cluster-wide wildcard host: any such workload).
    const goneByNamespace = new Map<string, string>();
    for (const w of m.workloads) if (w.istioControlPlaneGone && !goneByNamespace.has(w.namespace)) goneByNamespace.set(w.namespace, w.istioControlPlaneGone);
    const goneFor = (ns: string, host: string): string | undefined => {
      if (CLUSTER_WIDE_HOSTS.has(host)) return goneByNamespace.values().next().value;
      const parts = host.split('.');
      const hostNs = parts.length >= 4 && parts[2] === 'svc' ? parts[1] : ns;
      return goneByNamespace.get(ns) ?? goneByNamespace.get(hostNs);
    };
    for (const dr of ctx.snapshot.resources['istio.destinationrules'] ?? []) {
      const ns = dr.metadata?.namespace ?? 'default';
      const resource = { kind: 'DestinationRule', namespace: ns, name: dr.metadata?.name ?? '' };
      const host = inMeshHost(dr, ctx.snapshot, m);
      const settings = destinationRuleTlsSettings(dr);
      if (!host.inMesh) {
        // A partly qualified name governs no traffic at all: a pass (no in-mesh traffic is
        // downgraded) whose message says the rule is dead, so its author can fix the host.
        out.push(host.unqualified
          ? { status: 'pass', resource, message: `DestinationRule ${ns}/${resource.name} matches no Service: ${host.reason}; its settings apply to no traffic.`, evidence: { host: host.host, reason: host.reason, matchesNoService: true } }
          : { status: 'pass', resource, message: `DestinationRule ${ns}/${resource.name} targets ${host.host || '(no host)'}, outside the mesh (${host.reason}).`, evidence: { host: host.host, reason: host.reason } });
        continue;
      }
      const fails: Verdict[] = [];
      const routed = settings.some((s) => s.subset !== undefined) ? routedSubsetNames(ctx.snapshot) : undefined;
      for (const s of settings) {
        // A subset no VirtualService routes to takes no traffic (its policy "will not take effect
        // until a route rule explicitly sends traffic to this subset"): low, said so; with the
        // VirtualServices unread, as any other.
        const idle = s.subset !== undefined && routed !== undefined && !routed.has(s.subset);
        const severityOf = (severity: Verdict['severity']) => (idle ? 'low' : severity);
        const idleText = idle ? ` No VirtualService routes to subset ${JSON.stringify(s.subset)}, so this applies to no traffic until a route does.` : '';
        const evidence = { host: host.host, location: s.location, mode: s.mode, ...(s.defaulted ? { modeDefaulted: true } : {}), insecureSkipVerify: s.insecureSkipVerify, hostReason: host.reason };
        if (s.mode === 'DISABLE') {
          const which = s.defaulted ? 'a tls block without mode (DISABLE, the default)' : 'tls.mode DISABLE';
          fails.push({ status: 'fail', resource, detailKey: s.location, severity: severityOf('high'), evidence,
            message: `${s.location}: ${which} sends plaintext to in-mesh host ${host.host} (rejected by STRICT servers, a silent downgrade against PERMISSIVE ones).${idleText}` });
        } else if (s.mode === 'SIMPLE' || s.mode === 'MUTUAL') {
          fails.push({ status: 'fail', resource, detailKey: s.location, severity: 'low', evidence,
            message: `${s.location}: tls.mode ${s.mode} to in-mesh host ${host.host} replaces Istio mutual TLS (no workload identity${s.mode === 'SIMPLE' ? ', no client certificate' : ''}).${idleText}` });
        } else if (s.mode !== 'ISTIO_MUTUAL') {
          fails.push({ status: 'fail', resource, detailKey: s.location, severity: severityOf('medium'), evidence,
            message: `${s.location}: unknown tls.mode ${JSON.stringify(s.mode)} toward in-mesh host ${host.host}.${idleText}` });
        }
        if (s.insecureSkipVerify) {
          fails.push({ status: 'fail', resource, detailKey: `${s.location}/insecureSkipVerify`, severity: severityOf('high'), evidence,
            message: `${s.location}: insecureSkipVerify: true disables server certificate verification toward ${host.host}.${idleText}` });
        }
      }
      if (fails.length) out.push(...fails);
      // Only ISTIO_MUTUAL settings (or none: auto-mTLS) get here.
      else out.push(notedWithoutControlPlane({ status: 'pass', resource, message: `DestinationRule ${ns}/${resource.name} keeps mutual TLS toward ${host.host} (${settings.length ? `tls.mode ISTIO_MUTUAL at ${settings.map((s) => s.location).join(', ')}` : 'no tls block: auto-mTLS'}).`, evidence: { host: host.host, locations: settings.map((s) => `${s.location}: ${s.mode}`) } }, goneFor(ns, host.host), ISTIOD_GONE_NOTE, 'mtls.mesh-not-strict'));
    }
    return out;
  },
};
