// Admission policy engines other than Pod Security Admission (Kyverno, OPA Gatekeeper,
// Kubewarden), recognised by the images that run them. When one runs, a namespace without
// an enforce label may still be guarded by its policies, which ztaudit cannot read: the
// finding stays, with lower severity and a note. A workload's name proves nothing (anyone
// may call an exporter kyverno-…), so it never counts.

import type { ResourceRef } from '../../base/vocabulary.ts';
import type { KubeObject, Snapshot } from '../../snapshot/types.ts';
import type { KindKey } from '../../snapshot/kinds.ts';
import { imageRepository, repositoryIs } from '../images.ts';
import { memoize } from '../memo.ts';
import { podFinished, podTemplateOf } from '../workloads.ts';


export type PolicyEngineName = 'Kyverno' | 'OPA Gatekeeper' | 'Kubewarden';

export interface PolicyEngine {
  name: PolicyEngineName;
  /** The first workload (or pod) that showed the engine. */
  workload: ResourceRef;
  /** What matched: a container image. */
  matched: string;
}

interface Signature {
  name: PolicyEngineName;
  /**
   * The image repository paths the engine's admission webhook runs, as its Helm chart names
   * them; matched as the last segments of an image's repository, so any registry or mirror
   * prefix counts, while a name that merely contains the engine's (shop/payment-gatekeeper) does not.
   */
  images: string[];
}

// Images: Kyverno's chart (kyverno/kyverno, charts/kyverno/values.yaml) runs its admission
// controller from kyverno/kyverno (on reg.kyverno.io or ghcr.io); Gatekeeper's chart
// (open-policy-agent/gatekeeper, charts/gatekeeper/values.yaml) from openpolicyagent/gatekeeper
// (Docker Hub); Kubewarden's (kubewarden/helm-charts) its controller, which registers the
// webhooks, from kubewarden/kubewarden-controller (charts/kubewarden-controller/values.yaml) and
// its policy server, which answers them, from kubewarden/policy-server
// (charts/kubewarden-defaults/values.yaml), both on ghcr.io.
const SIGNATURES: readonly Signature[] = [
  { name: 'Kyverno', images: ['kyverno/kyverno'] },
  { name: 'OPA Gatekeeper', images: ['openpolicyagent/gatekeeper'] },
  { name: 'Kubewarden', images: ['kubewarden/kubewarden-controller', 'kubewarden/policy-server'] },
];

/** The kinds engines are recognised from; when one is unreadable an engine may go unseen. */
export const ENGINE_KINDS: readonly KindKey[] = ['deployments', 'statefulsets', 'daemonsets', 'pods'];

function imagesOf(spec: unknown): string[] {
  if (!spec || typeof spec !== 'object') return [];
  const out: string[] = [];
  for (const field of ['containers', 'initContainers']) {
    const list = (spec as Record<string, unknown>)[field];
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      const image = (c as Record<string, unknown> | null)?.image;
      if (typeof image === 'string') out.push(image.toLowerCase());
    }
  }
  return out;
}

/** A controller scaled to zero admits nothing and rejects nothing. */
function scaledToZero(o: KubeObject): boolean {
  return (o.kind === 'Deployment' || o.kind === 'StatefulSet') && o.spec?.replicas === 0;
}

// Plain loops: this runs for every pod and workload (200k objects at 150k pods), where
// closures per call were most of the cost.
function match(sig: Signature, images: string[]): string | undefined {
  // A repository that is or ends with `s` contains it: most images are read no further.
  for (const image of images) {
    for (const s of sig.images) if (image.includes(s) && repositoryIs(imageRepository(image), s)) return `image ${image}`;
  }
  return undefined;
}

function detect(snapshot: Snapshot): PolicyEngine[] {
  const found = new Map<PolicyEngineName, PolicyEngine>();
  for (const key of ENGINE_KINDS) {
    for (const o of snapshot.resources[key] ?? []) {
      if (found.size === SIGNATURES.length) break;
      const name = o?.metadata?.name;
      if (typeof name !== 'string' || scaledToZero(o)) continue;
      if (key === 'pods' && podFinished(o)) continue;
      const images = imagesOf(key === 'pods' ? o.spec : podTemplateOf(o)?.spec);
      if (images.length === 0) continue;
      for (const sig of SIGNATURES) {
        if (found.has(sig.name)) continue;
        const how = match(sig, images);
        if (how) found.set(sig.name, { name: sig.name, workload: { kind: o.kind ?? key, namespace: o.metadata?.namespace, name }, matched: how });
      }
    }
  }
  return SIGNATURES.map((s) => found.get(s.name)).filter((e): e is PolicyEngine => e !== undefined);
}

/** Policy engines running in the snapshot's workloads, in a fixed order; once per snapshot. */
export const admissionPolicyEngines: (snapshot: Snapshot) => PolicyEngine[] = memoize(detect, 'pod-security');
