import type { Check } from '../../src/engine/types.ts';
import { istioAutoMtls, istioMeshedServices, istioMutualCoverage, istioPresent, meshModel } from '../../src/analysis/mesh/index.ts';
import { istioGatewayOutsideAutoMtls } from '../../src/analysis/mesh/flow-verdict.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { MESH_ENCRYPTION } from '../controls.ts';
import { ISTIO_AUTO_MTLS_READ } from './lib/istio-mesh-config.ts';

const SAMPLE = 20;

export const autoMtlsDisabled: Check = {
  id: 'mtls.auto-mtls-disabled',
  area: 'mtls',
  title: 'Istio auto mTLS is on, or DestinationRules set ISTIO_MUTUAL for every meshed service',
  protectsAgainst: 'Istio clients sending plaintext to meshed services because auto mTLS is off and no DestinationRule asks for ISTIO_MUTUAL',
  severity: 'high',
  controls: MESH_ENCRYPTION,
  remediation: 'Remove `enableAutoMtls: false` from the mesh config (ConfigMap istio, key mesh, or meshConfig in the IstioOperator/Helm values) so sidecars send Istio mTLS to proxied endpoints, or give every meshed service a DestinationRule with `trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}`.',
  needs: ['namespaces', 'pods', 'services'],
  reads: ['istio.destinationrules'],
  readsWhen: [ISTIO_AUTO_MTLS_READ],
  appliesTo: istioPresent,
  appliesWhen: 'when Istio is installed',
  evaluate(ctx) {
    const m = meshModel(ctx.snapshot, ctx.config);
    const auto = istioAutoMtls(ctx.snapshot.resources.configmaps ?? [], ctx.config.mesh.istioRootNamespace || 'istio-system');
    const resource = auto.resource;
    if (auto.enabled === undefined) {
      return [{
        status: 'fail',
        resource,
        severity: 'medium',
        message: `Istio mesh config in ${auto.source} cannot be read: ${auto.problem}; whether clients use mutual TLS automatically is unknown.`,
        evidence: { source: auto.source, problem: auto.problem },
      }];
    }
    if (auto.enabled) {
      return [{ status: 'pass', resource, message: `Istio auto mTLS is enabled (${auto.source}): sidecars send Istio mutual TLS to proxied endpoints.`, evidence: { enableAutoMtls: true, source: auto.source } }];
    }
    // A gateway whose pods lack the tlsMode label gets plaintext from auto mTLS on or off: its
    // Service is no service auto mTLS would protect (its Gateway servers' tls.mode decides what it
    // accepts). Gateways are clients all the same: their outbound clusters take auto mTLS and
    // DestinationRules like a sidecar's.
    const gateways = m.workloads.filter((w) => w.mesh === 'istio' && istioGatewayOutsideAutoMtls(w));
    const leftOut = new Set(gateways);
    const services = istioMeshedServices(ctx.snapshot, m, (w) => !leftOut.has(w));
    // Clients are Istio-meshed workloads: their proxies pick a DestinationRule by their own namespace.
    const clients = [...new Set(m.workloads.filter((w) => w.mesh === 'istio').map((w) => w.namespace))];
    const coverage = istioMutualCoverage(ctx.snapshot.resources['istio.destinationrules'] ?? [], services, clients, m.istio.policies.rootNamespace);
    const uncovered = services.filter((s) => !coverage.get(s)!.covered);
    const named = (s: (typeof services)[number]) => `${s.namespace}/${s.name} from clients in ${coverage.get(s)!.clientNamespace}`;
    const evidence: Record<string, unknown> = {
      enableAutoMtls: false,
      source: auto.source,
      meshedServices: services.length,
      servicesWithoutIstioMutual: uncovered.length,
      services: uncovered.slice(0, SAMPLE).map((s) => `${named(s)}: ${coverage.get(s)!.reason}`),
    };
    const gatewayText = gateways.length === 0 ? ''
      : ` (Istio gateways ${gateways.slice(0, 3).map((w) => refString(w.workload.ref)).join(', ')}${gateways.length > 3 ? ', …' : ''} are left out: their pods do not carry security.istio.io/tlsMode: istio, so callers reach them in plaintext with auto mTLS on too, and their Gateway servers decide what they accept)`;
    if (gateways.length > 0) evidence.gatewaysLeftOut = gateways.slice(0, SAMPLE).map((w) => refString(w.workload.ref));
    if (uncovered.length === 0) {
      return [{
        status: 'pass',
        resource,
        message: services.length === 0
          ? `Istio auto mTLS is disabled (${auto.source}), but no Service is backed by meshed workloads auto mTLS would send Istio mTLS to${gatewayText}.`
          : `Istio auto mTLS is disabled (${auto.source}), but DestinationRules set ISTIO_MUTUAL for all ${services.length} meshed service(s)${gatewayText}.`,
        evidence,
      }];
    }
    const first = uncovered.slice(0, 3).map(named).join(', ');
    return [{
      status: 'fail',
      resource,
      message: `Istio auto mTLS is disabled (${auto.source}): clients send plaintext to ${uncovered.length} of ${services.length} meshed service(s) without an ISTIO_MUTUAL DestinationRule for those clients (${first}${uncovered.length > 3 ? ', ...' : ''}).`,
      evidence,
      related: uncovered.slice(0, SAMPLE).map((s) => s.ref),
    }];
  },
};
