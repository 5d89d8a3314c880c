// A mesh is present by what of it runs (src/analysis/mesh/components.ts): its control plane and
// proxies in the workloads, its injection webhooks, namespaces labelled for it — never by its
// CRDs, which outlive an uninstall. Where none of those was found the mesh's checks are not
// applicable, unless what would have shown it running could not be read: then whether it runs is
// unknown, and so is the verdict (not evaluated, never "not applicable").
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { meshModel, type MeshName } from '../../../src/analysis/mesh/model.ts';
import { POD_VIEW_KINDS } from '../../../src/snapshot/kinds.ts';

const TITLE: Record<MeshName, string> = { istio: 'Istio', linkerd: 'Linkerd', consul: 'Consul' };

/**
 * The reads that decide whether `meshes` run: the workloads (control plane, proxies) while none
 * of them was found; the injection webhooks while one's API is served and nothing of it runs.
 */
export function meshPresenceReads(...meshes: MeshName[]): ConditionalRead[] {
  const names = meshes.map((m) => TITLE[m]).join(' or ');
  return [{
    kinds: [...POD_VIEW_KINDS],
    when: `when ${names} was not found running: the workloads that would show its control plane and proxies`,
    holds(ctx) {
      const m = meshModel(ctx.snapshot, ctx.config);
      return meshes.some((k) => m[k].present) ? undefined : `the workloads that would show whether ${names} runs (its control plane, its proxies)`;
    },
  }, {
    kinds: ['mutatingwebhookconfigurations'],
    when: `when ${names}'s API is installed but nothing of it was found running: the injection webhooks that would show it installed`,
    holds(ctx) {
      const m = meshModel(ctx.snapshot, ctx.config);
      if (meshes.some((k) => m[k].present)) return undefined;
      const left = meshes.filter((k) => m[k].leftover);
      return left.length === 0 ? undefined : `the injection webhooks that would show whether ${left.map((k) => TITLE[k]).join(' or ')} is installed (only its API was found)`;
    },
  }];
}
