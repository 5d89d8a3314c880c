// Namespaces whose workloads are in the input but whose Namespace object is not
// (MeshModel.unseenNamespaces): their mesh labels and annotations are unknown, so a check whose
// verdict turns on them judges nothing there, says so (`excluded`) and lists them
// (`unjudgedNamespaces`), and the diff carries its earlier findings there as not judged instead
// of resolving them: missing data is not a fix. The pod-security checks do the same for Pod
// Security labels (src/analysis/pss/verdicts.ts unseenNamespaces).
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { meshModel, type WorkloadMesh } from '../../../src/analysis/mesh/index.ts';

const SHOWN = 5;

/**
 * The check's `unjudgedNamespaces`: the namespaces not in the input whose workloads' mesh their
 * labels and annotations decide (WorkloadMesh.namespaceUnknown), sorted.
 */
export function meshUnseenNamespaces(ctx: AuditContext): string[] {
  return meshModel(ctx.snapshot, ctx.config).unseenNamespaces;
}

/**
 * workload-outside-mesh's `unjudgedNamespaces`: those, and the namespaces not in the input (nor
 * in config mesh.meshedNamespaces) where a workload runs pods outside the mesh: whether they are
 * meant to be meshed is the namespace's to say.
 */
export function meshIntentUnseenNamespaces(ctx: AuditContext): string[] {
  const out = new Set(meshUnseenNamespaces(ctx));
  for (const w of meshModel(ctx.snapshot, ctx.config).workloads) if (!intentKnown(w)) out.add(w.namespace);
  return [...out].sort();
}

/** The check's `excluded`: the namespaces not in the input, and that `what` (e.g. "their workloads were not judged"); undefined when none. */
export function meshUnseenNote(ctx: AuditContext, what: string, unseen = meshUnseenNamespaces(ctx)): string | undefined {
  if (unseen.length === 0) return undefined;
  const one = unseen.length === 1;
  const names = unseen.slice(0, SHOWN).join(', ') + (unseen.length > SHOWN ? ` and ${unseen.length - SHOWN} more` : '');
  return `${one ? 'namespace' : `${unseen.length} namespaces`} ${names} ${one ? 'is' : 'are'} not in the input (only ${one ? 'its' : 'their'} workloads are): ${one ? 'its' : 'their'} mesh labels and annotations (istio-injection, istio.io/rev, istio.io/dataplane-mode, linkerd.io/inject, config.linkerd.io/default-inbound-policy, …) are unknown, so ${what}; include the Namespace objects (or audit the live cluster)`;
}

/** Whether a check may judge `w`: its namespace's labels and annotations are known. */
export const namespaceKnown = (w: WorkloadMesh): boolean => w.namespaceUnknown !== true;

/**
 * Whether workload-outside-mesh may judge `w`: its mesh is known and, for a workload with pods
 * outside it, so is whether it is meant to be meshed (something besides the namespace says so:
 * config mesh.meshedNamespaces, a STRICT PeerAuthentication there, Consul's inject-by-default).
 */
export const intentKnown = (w: WorkloadMesh): boolean => namespaceKnown(w) && !(w.intentUnknown === true && w.unmeshedPods > 0 && w.meantMeshedBy.length === 0);

/**
 * For a check whose verdicts are about objects (a PeerAuthentication, an AuthorizationPolicy, a
 * config entry) rather than each workload: its verdicts on objects in the unseen namespaces
 * (meshUnseenNamespaces) are withheld, neither pass nor fail, for whether the workloads there are
 * in the mesh at all is the namespace's labels' to say; those namespaces are its
 * `unjudgedNamespaces`, so the diff carries its earlier findings there and, with
 * `judgesEachWorkload`, a check that judged nothing else is not evaluated. One evaluation per
 * context: the engine asks for the verdicts, then for the namespaces.
 */
export function withheldInUnseen(judge: (ctx: AuditContext) => Iterable<Verdict>): { evaluate: (ctx: AuditContext) => Verdict[]; unjudgedNamespaces: (ctx: AuditContext) => string[] } {
  const withheld = new WeakMap<AuditContext, string[]>();
  const evaluate = (ctx: AuditContext): Verdict[] => {
    const unseen = new Set(meshUnseenNamespaces(ctx));
    const out: Verdict[] = [];
    const held = new Set<string>();
    for (const v of judge(ctx)) {
      const ns = v.resource.namespace;
      if (ns !== undefined && unseen.has(ns)) held.add(ns);
      else out.push(v);
    }
    withheld.set(ctx, [...held].sort());
    return out;
  };
  return {
    evaluate,
    unjudgedNamespaces: (ctx) => {
      if (!withheld.has(ctx)) evaluate(ctx);
      return withheld.get(ctx)!;
    },
  };
}
