import type { Check } from '../../src/engine/types.ts';
import { meshModel } from '../../src/analysis/mesh/index.ts';
import { MESH_ENCRYPTION } from '../controls.ts';

export const meshRequired: Check = {
  id: 'mtls.mesh-required',
  area: 'mtls',
  title: 'A service mesh provides mTLS where the configuration requires it',
  protectsAgainst: 'workloads talking plaintext because no service mesh (and so no mTLS) exists where policy requires one',
  severity: 'critical',
  controls: MESH_ENCRYPTION,
  remediation: 'Install a service mesh (Istio, Linkerd or Consul) and enrol workloads, or set target.requireMtls: false if pod-to-pod encryption is provided another way.',
  needs: ['namespaces', 'pods'],
  appliesByConfig: (config) => config.target.requireMtls === true,
  appliesWhen: 'when the configuration requires mTLS (target.requireMtls: true)',
  evaluate(ctx) {
    const m = meshModel(ctx.snapshot, ctx.config);
    const resource = { kind: 'Cluster', name: ctx.snapshot.cluster.name };
    if (m.present) {
      return [{
        status: 'pass',
        resource,
        message: `A service mesh is present (${[m.istio.present && 'Istio', m.linkerd.present && 'Linkerd', m.consul.present && 'Consul'].filter(Boolean).join(', ')}).`,
        evidence: { istio: m.istio.evidence.slice(0, 10), linkerd: m.linkerd.evidence.slice(0, 10), consul: m.consul.evidence.slice(0, 10) },
      }];
    }
    return [{
      status: 'fail',
      resource,
      message: 'target.requireMtls is true but no service mesh runs (no Istio, Linkerd or Consul control plane, proxy, injection webhook or namespace labelled for one was found; CRDs left by an uninstall do not count): pod-to-pod traffic is not mutually authenticated or encrypted.',
      evidence: { requireMtls: true, istio: 'not found', linkerd: 'not found', consul: 'not found' },
    }];
  },
};
