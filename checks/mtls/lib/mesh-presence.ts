// A mesh is present by what of it runs (src/analysis/mesh/components.ts): its control plane and
// proxies in the workloads, its injection webhooks, namespaces labelled for it — never by its
// CRDs, which outlive an uninstall. Where none of those was found the mesh's checks are not
// applicable, unless what would have shown it running could not be read: then whether it runs is
// unknown, and so is the verdict (not evaluated, never "not applicable"). A mesh whose API the
// API server does not serve cannot run (istiod, Linkerd's and Consul's controllers watch their
// CRDs, which their installs put in first), so then nothing else needs reading to say so.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { meshModel, type MeshName } from '../../../src/analysis/mesh/model.ts';
import { templatesStandIn } from '../../../src/analysis/workloads.ts';
import { KINDS, POD_VIEW_KINDS, type KindKey } from '../../../src/snapshot/kinds.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';

const TITLE: Record<MeshName, string> = { istio: 'Istio', linkerd: 'Linkerd', consul: 'Consul' };

const API_KINDS: Record<MeshName, readonly KindKey[]> = {
  istio: KINDS.filter((k) => k.key.startsWith('istio.')).map((k) => k.key),
  linkerd: KINDS.filter((k) => k.key.startsWith('linkerd.')).map((k) => k.key),
  consul: KINDS.filter((k) => k.key.startsWith('consul.')).map((k) => k.key),
};

/**
 * Whether the mesh's API may be served: from a manifests directory always (a kind without objects
 * there says nothing of the cluster's CRDs); from a live cluster when one of its kinds was listed,
 * refused, failed or not collected — anything but absent from discovery.
 */
const apiMayBeServed = (snapshot: Snapshot, mesh: MeshName): boolean =>
  templatesStandIn(snapshot) || API_KINDS[mesh].some((k) => snapshot.coverage[k]?.status !== 'absent');

/**
 * The reads that decide whether `meshes` run: the workloads (control plane, proxies) while none
 * of them was found and one's API may be served; the injection webhooks while one's API is
 * served and nothing of it runs.
 */
export function meshPresenceReads(...meshes: MeshName[]): ConditionalRead[] {
  const names = meshes.map((m) => TITLE[m]).join(' or ');
  return [{
    kinds: [...POD_VIEW_KINDS],
    when: `when ${names}'s API may be served but it was not found running: the workloads that would show its control plane and proxies`,
    holds(ctx) {
      const m = meshModel(ctx.snapshot, ctx.config);
      if (meshes.some((k) => m[k].present)) return undefined;
      const maybe = meshes.filter((k) => apiMayBeServed(ctx.snapshot, k));
      return maybe.length === 0 ? undefined : `the workloads that would show whether ${maybe.map((k) => TITLE[k]).join(' or ')} runs (its control plane, its proxies)`;
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
