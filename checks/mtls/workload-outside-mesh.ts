import type { Check } from '../../src/engine/types.ts';
import { meshModel, meshPresent } from '../../src/analysis/mesh/index.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { MESH_ENCRYPTION } from '../controls.ts';
import { ISTIO_REVISION_TAGS_READ } from './lib/istio-mesh-config.ts';
import { meshPresenceReads } from './lib/mesh-presence.ts';

export const workloadOutsideMesh: Check = {
  id: 'mtls.workload-outside-mesh',
  area: 'mtls',
  title: 'Workloads in meshed namespaces run with the mesh proxy',
  protectsAgainst: 'pods in namespaces meant to be meshed that run without the mesh proxy, and so without mTLS',
  severity: 'high',
  controls: MESH_ENCRYPTION,
  remediation: 'Remove the opt-out (sidecar.istio.io/inject: "false", linkerd.io/inject: disabled, istio.io/dataplane-mode: none) and restart the pods so the injector adds the proxy; avoid hostNetwork for meshed services. For Linkerd, remove the namespace label config.linkerd.io/admission-webhooks: disabled, and run meshed workloads outside kube-system and cert-manager, which the proxy injector never sees.',
  needs: ['namespaces', 'pods'],
  readsWhen: [...meshPresenceReads('istio', 'linkerd', 'consul'), ISTIO_REVISION_TAGS_READ],
  appliesTo: meshPresent,
  appliesWhen: 'when a service mesh (Istio, Linkerd or Consul) is installed',
  *evaluate(ctx) {
    const m = meshModel(ctx.snapshot, ctx.config);
    for (const w of m.workloads) {
      if (w.meantMeshedBy.length === 0) continue;
      const ref = w.workload.ref;
      const evidence: Record<string, unknown> = {
        podCount: w.workload.podCount,
        meshedPods: w.meshedPods,
        unmeshedPods: w.unmeshedPods,
        meantMeshedBy: w.meantMeshedBy,
      };
      if (w.unmeshedPods > 0) {
        const hostNetwork = w.workload.pods.some((p) => p.spec.hostNetwork === true);
        yield {
          status: 'fail',
          resource: ref,
          severity: hostNetwork ? 'medium' : undefined,
          message: `${refString(ref)}: ${w.unmeshedPods} of ${w.workload.pods.length} pod(s) run without a mesh proxy although the namespace is meant to be meshed (${w.meantMeshedBy[0]}): ${w.unmeshedReason ?? 'not injected'}.`,
          evidence: { ...evidence, reason: w.unmeshedReason, samplePods: w.unmeshedSample },
        };
      } else {
        yield { status: 'pass', resource: ref, message: `${refString(ref)} runs in the ${w.mesh} mesh.`, evidence: { ...evidence, mesh: w.mesh } };
      }
    }
  },
};
