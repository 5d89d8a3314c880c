import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { istioAutoMtls, istioMeshedServices, istioMutualCoverage, istioPresent, meshModel, type WorkloadMesh } from '../../src/analysis/mesh/index.ts';
import { istioMeshConfigNamespaces } from '../../src/analysis/mesh/configmaps.ts';
import { istioGatewayOutsideAutoMtls } from '../../src/analysis/mesh/flow-verdict.ts';
import { istioMembership } from '../../src/analysis/mesh/istio.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { MESH_ENCRYPTION } from '../controls.ts';
import { ISTIO_AUTO_MTLS_READ, ISTIO_REVISION_TAGS_READ } from './lib/istio-mesh-config.ts';
import { ISTIOD_GONE_NOTE, notedWithoutControlPlane } from './lib/control-plane.ts';
import { meshPresenceReads } from './lib/mesh-presence.ts';
import { meshUnseenNamespaces, meshUnseenNote, namespaceKnown } from './lib/unseen-namespaces.ts';

const SAMPLE = 20;

export const autoMtlsDisabled: Check = {
  id: 'mtls.auto-mtls-disabled',
  area: 'mtls',
  title: 'Istio auto mTLS is on, or DestinationRules set ISTIO_MUTUAL for every meshed service',
  protectsAgainst: 'Istio clients sending plaintext to meshed services because auto mTLS is off and no DestinationRule asks for ISTIO_MUTUAL',
  severity: 'high',
  controls: MESH_ENCRYPTION,
  remediation: 'Remove `enableAutoMtls: false` from the mesh config (ConfigMap istio, or istio-<rev> for a revision, key mesh, or meshConfig in the IstioOperator/Helm values) so sidecars send Istio mTLS to proxied endpoints, or give every meshed service a DestinationRule with `trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}`.',
  needs: ['namespaces', 'pods', 'services'],
  reads: ['istio.destinationrules'],
  readsWhen: [...meshPresenceReads('istio'), ISTIO_AUTO_MTLS_READ, ISTIO_REVISION_TAGS_READ],
  appliesTo: istioPresent,
  appliesWhen: 'when Istio is installed',
  excluded: (ctx) => meshUnseenNote(ctx, 'the workloads there were not counted as auto mTLS clients'),
  unjudgedNamespaces: meshUnseenNamespaces,
  evaluate(ctx) {
    const m = meshModel(ctx.snapshot, ctx.config);
    const places = istioMeshConfigNamespaces(ctx.snapshot, ctx.config);
    const configmaps = ctx.snapshot.resources.configmaps ?? [];
    // Auto mTLS and DestinationRule TLS configure the outbound clusters of sidecars and gateways
    // only; an ambient pod's calls leave through ztunnel, which neither governs (as reach judges
    // them: flow-verdict.ts istioCallerTls). Each client follows the mesh config of its own
    // revision's istiod (ConfigMap istio-<rev>, pilot/pkg/bootstrap/mesh.go getMeshConfigMapName).
    const clientsByRevision = new Map<string, WorkloadMesh[]>();
    let ambient = 0;
    for (const w of m.workloads) {
      if (w.mesh !== 'istio' || !namespaceKnown(w)) continue;
      const pod = w.workload.pods[0];
      if (!pod || istioMembership(m.namespaces.get(w.namespace)?.labels ?? {}, pod).dataplane !== 'sidecar') {
        ambient++;
        continue;
      }
      const rev = w.istioRevision ?? 'default';
      const list = clientsByRevision.get(rev);
      if (list) list.push(w);
      else clientsByRevision.set(rev, [w]);
    }
    if (clientsByRevision.size === 0) {
      const auto = istioAutoMtls(configmaps, places('default').namespaces);
      return [{
        status: 'pass',
        resource: auto.resource,
        message: `No Istio sidecar or gateway sends calls that auto mTLS would govern: ${ambient} ambient workload(s) send through ztunnel, which enableAutoMtls and DestinationRule TLS do not configure.`,
        evidence: { sidecarClients: 0, ambientWorkloads: ambient, source: auto.source },
      }];
    }
    // A gateway whose pods lack the tlsMode label gets plaintext from auto mTLS on or off: its
    // Service is no service auto mTLS would protect (its Gateway servers' tls.mode decides what it
    // accepts). Gateways are clients all the same: their outbound clusters take auto mTLS and
    // DestinationRules like a sidecar's.
    const gateways = m.workloads.filter((w) => w.mesh === 'istio' && namespaceKnown(w) && istioGatewayOutsideAutoMtls(w));
    const leftOut = new Set(gateways);
    const services = istioMeshedServices(ctx.snapshot, m, (w) => !leftOut.has(w) && namespaceKnown(w));
    const gatewayText = gateways.length === 0 ? ''
      : ` (Istio gateways ${gateways.slice(0, 3).map((w) => refString(w.workload.ref)).join(', ')}${gateways.length > 3 ? ', …' : ''} are left out: their pods do not carry security.istio.io/tlsMode: istio, so callers reach them in plaintext with auto mTLS on too, and their Gateway servers decide what they accept)`;
    const out: Verdict[] = [];
    for (const [revision, clients] of [...clientsByRevision].sort(([a], [b]) => a.localeCompare(b))) {
      const auto = istioAutoMtls(configmaps, places(revision).namespaces, revision);
      const resource = auto.resource;
      const unresolved = [...new Set(clients.flatMap((w) => w.istioRevisionUnresolved ?? []))].sort();
      const who = (clientsByRevision.size > 1 || revision !== 'default' ? ` for the ${clients.length} sidecar client workload(s) of revision ${revision}` : '')
        + (unresolved.length > 0 ? ` (istio.io/rev ${unresolved.slice(0, 3).join(', ')}${unresolved.length > 3 ? ', …' : ''} names no revision or tag found: no webhook ${unresolved.length > 1 ? 'istio-revision-tag-<tag>' : `istio-revision-tag-${unresolved[0]}`} nor ConfigMap istio-<revision>; read as the default revision's)` : '');
      if (auto.enabled === undefined) {
        out.push({
          status: 'fail',
          resource,
          severity: 'medium',
          message: `Istio mesh config in ${auto.source} cannot be read: ${auto.problem}; whether clients use mutual TLS automatically${who} is unknown.`,
          evidence: { revision, source: auto.source, problem: auto.problem },
        });
        continue;
      }
      if (auto.enabled) {
        out.push({ status: 'pass', resource, message: `Istio auto mTLS is enabled (${auto.source})${who}: sidecars send Istio mutual TLS to proxied endpoints.`, evidence: { revision, enableAutoMtls: true, source: auto.source, ...(unresolved.length > 0 ? { unresolvedRevisionLabels: unresolved.slice(0, SAMPLE) } : {}) } });
        continue;
      }
      // Clients' proxies pick a DestinationRule by their own namespace, and their revision's root namespace.
      const root = clients[0].istioRoot?.namespace ?? m.istio.policies.rootNamespace;
      const namespaces = [...new Set(clients.map((w) => w.namespace))];
      const coverage = istioMutualCoverage(ctx.snapshot.resources['istio.destinationrules'] ?? [], services, namespaces, root);
      const uncovered = services.filter((s) => !coverage.get(s)!.covered);
      const named = (s: (typeof services)[number]) => `${s.namespace}/${s.name} from clients in ${coverage.get(s)!.clientNamespace}`;
      const evidence: Record<string, unknown> = {
        revision,
        ...(unresolved.length > 0 ? { unresolvedRevisionLabels: unresolved.slice(0, SAMPLE) } : {}),
        enableAutoMtls: false,
        source: auto.source,
        clientNamespaces: namespaces.slice(0, SAMPLE),
        meshedServices: services.length,
        servicesWithoutIstioMutual: uncovered.length,
        services: uncovered.slice(0, SAMPLE).map((s) => `${named(s)}: ${coverage.get(s)!.reason}`),
      };
      if (ambient > 0) evidence.ambientWorkloadsNotJudged = ambient;
      if (gateways.length > 0) evidence.gatewaysLeftOut = gateways.slice(0, SAMPLE).map((w) => refString(w.workload.ref));
      if (uncovered.length === 0) {
        out.push({
          status: 'pass',
          resource,
          message: services.length === 0
            ? `Istio auto mTLS is disabled (${auto.source}), but no Service is backed by meshed workloads auto mTLS would send Istio mTLS to${gatewayText}.`
            : `Istio auto mTLS is disabled (${auto.source}), but DestinationRules set ISTIO_MUTUAL for all ${services.length} meshed service(s)${who ? ` for those clients` : ''}${gatewayText}.`,
          evidence,
        });
        continue;
      }
      const first = uncovered.slice(0, 3).map(named).join(', ');
      out.push({
        status: 'fail',
        resource,
        message: `Istio auto mTLS is disabled (${auto.source})${who}: clients send plaintext to ${uncovered.length} of ${services.length} meshed service(s) without an ISTIO_MUTUAL DestinationRule for those clients (${first}${uncovered.length > 3 ? ', ...' : ''}).`,
        evidence,
        related: uncovered.slice(0, SAMPLE).map((s) => s.ref),
      });
    }
    // A revision's clients are certified and configured by that revision's istiod alone.
    const gone = new Map([...clientsByRevision].map(([revision, clients]) => [revision, clients.find((w) => w.istioControlPlaneGone)?.istioControlPlaneGone]));
    return out.map((v) => notedWithoutControlPlane(v, gone.get(String(v.evidence?.revision)), ISTIOD_GONE_NOTE, 'mtls.mesh-not-strict'));
  },
};
