// Istio's effective outbound traffic policy per workload: which object decided it, and the
// revision ConfigMaps the collector is asked to read.
import { describe, expect, it } from 'vitest';
import { istioOutbound, istioRevisionConfigMapRefs } from '../../../src/analysis/mesh/index.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { loadFixture } from '../../helpers/fixtures.ts';

const dir = new URL('../../fixtures/checks/mtls.outbound-allow-any/', import.meta.url).pathname;

describe('istio outbound traffic policy', () => {
  it('names the deciding Sidecar or mesh config per workload', () => {
    const snapshot = loadFixture(`${dir}fail.namespace-sidecar-overrides.yaml`);
    const m = istioOutbound(snapshot, defaultConfig());
    const by = Object.fromEntries(m.workloads.map((w) => [`${w.mesh.namespace}/${w.mesh.workload.ref.name}`, [w.mode, w.decidedBy]]));
    expect(by['shop/web']).toEqual(['ALLOW_ANY', 'ConfigMap istio-system/istio mesh.outboundTrafficPolicy.mode; Sidecar shop/default sets no outboundTrafficPolicy']);
    expect(by['pay/api']).toEqual(['ALLOW_ANY', 'Sidecar pay/api-open']);
    expect(by['pay/ledger']).toEqual(['REGISTRY_ONLY', 'Sidecar istio-system/default']);
  });

  it('asks for istio-<rev> ConfigMaps of the revisions namespaces and pods use', () => {
    const snapshot = loadFixture(`${dir}fail.revision-config.yaml`);
    expect(istioRevisionConfigMapRefs(snapshot, defaultConfig())).toEqual([{ namespace: 'istio-system', name: 'istio-1-24' }]);
    const m = istioOutbound(snapshot, defaultConfig());
    expect(m.meshConfigs.get('1-24')).toMatchObject({ mode: 'ALLOW_ANY', source: 'ConfigMap istio-system/istio-1-24 mesh.outboundTrafficPolicy.mode' });
  });
});
