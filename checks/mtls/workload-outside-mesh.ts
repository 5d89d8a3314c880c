import type { Check } from '../../src/engine/types.ts';
import type { ResourceRef, Verdict } from '../../src/base/vocabulary.ts';
import { meshModel, meshPresent } from '../../src/analysis/mesh/index.ts';
import type { WorkloadMesh } from '../../src/analysis/mesh/model.ts';
import { refString, stableRefOf } from '../../src/analysis/workloads.ts';
import { MESH_ENCRYPTION } from '../controls.ts';
import { ISTIO_REVISION_TAGS_READ, istioInjectorNote } from './lib/istio-mesh-config.ts';
import { meshPresenceReads } from './lib/mesh-presence.ts';
import { intentKnown, meshIntentUnseenNamespaces, meshUnseenNote } from './lib/unseen-namespaces.ts';
import { meshComponentOfImage } from '../../src/analysis/mesh/components.ts';
import type { AuditContext } from '../../src/analysis/context.ts';

/**
 * The Istio components its charts run without a sidecar by design, each marked
 * `sidecar.istio.io/inject: "false"` (istio/istio 1.30.0 manifests/charts/istio-control/
 * istio-discovery/templates/deployment.yaml for istiod, manifests/charts/istio-cni/templates/
 * daemonset.yaml for the istio-cni node agent), known by their image (meshComponentOfImage): a
 * sidecar there would put the control plane behind the proxy it configures. Gateways are not among
 * them: they are judged as any workload.
 */
const ISTIO_UNMESHED_BY_DESIGN = new Set(['istiod', 'istio-cni node agent']);
/** The kind each is installed as by those charts. */
const ISTIO_COMPONENT_KIND: Record<string, string> = { istiod: 'Deployment', 'istio-cni node agent': 'DaemonSet' };

function istioUnmeshedByDesign(w: WorkloadMesh): string | undefined {
  const spec = w.workload.pods[0]?.spec ?? w.workload.template?.spec;
  const containers = spec && typeof spec === 'object' ? (spec as { containers?: unknown }).containers : undefined;
  if (!Array.isArray(containers) || containers.length === 0) return undefined;
  // The workload must BE the component: the kind the chart installs it as (istiod a Deployment,
  // the istio-cni agent a DaemonSet), every container of it that component. A user workload that
  // adds a container with an Istio image is judged as any workload.
  let what: string | undefined;
  for (const c of containers) {
    const o = c && typeof c === 'object' ? (c as { image?: unknown; name?: unknown }) : {};
    const found = typeof o.image === 'string' ? meshComponentOfImage(o.image, typeof o.name === 'string' ? o.name : '') : undefined;
    if (found?.mesh !== 'istio' || !ISTIO_UNMESHED_BY_DESIGN.has(found.what) || (what !== undefined && what !== found.what)) return undefined;
    what = found.what;
  }
  return what !== undefined && ISTIO_COMPONENT_KIND[what] === w.workload.ref.kind ? what : undefined;
}

/** The Istio control-plane workloads left out: those outside the mesh in a namespace meant to be meshed. */
function controlPlaneLeftOut(ctx: AuditContext): WorkloadMesh[] {
  return meshModel(ctx.snapshot, ctx.config).workloads.filter((w) => w.meantMeshedBy.length > 0 && w.unmeshedPods > 0 && istioUnmeshedByDesign(w) !== undefined);
}

/** Who meant the workload to be meshed: its namespace, or only its pods' own annotation (src/analysis/mesh/model.ts meantMeshedBy). */
const meantBy = (by: string): string => `${by.startsWith('pod ') ? 'its pods are' : 'the namespace is'} meant to be meshed (${by})`;

export const workloadOutsideMesh: Check = {
  id: 'mtls.workload-outside-mesh',
  area: 'mtls',
  title: 'Workloads in meshed namespaces run with the mesh proxy',
  protectsAgainst: 'pods in namespaces meant to be meshed that run without the mesh proxy, and so without mTLS',
  severity: 'high',
  controls: MESH_ENCRYPTION,
  remediation: 'Remove the opt-out (sidecar.istio.io/inject: "false", linkerd.io/inject: disabled, istio.io/dataplane-mode: none) and restart the pods so the injector adds the proxy; avoid hostNetwork for meshed services. For Linkerd, remove the namespace label config.linkerd.io/admission-webhooks: disabled, and run meshed workloads outside kube-system and cert-manager, which the proxy injector never sees with the chart\'s selectors; a proxy injector webhook of your own must have rules covering pod CREATE and selectors matching the namespace and the pods.',
  needs: ['namespaces', 'pods'],
  readsWhen: [...meshPresenceReads('istio', 'linkerd', 'consul'), ISTIO_REVISION_TAGS_READ],
  appliesTo: meshPresent,
  appliesWhen: 'when a service mesh (Istio, Linkerd or Consul) is installed',
  excluded: (ctx) => {
    const unseen = meshUnseenNote(ctx, 'whether the workloads there are meant to run in the mesh was not judged', meshIntentUnseenNamespaces(ctx));
    const cp = controlPlaneLeftOut(ctx);
    const cpNote = cp.length === 0 ? undefined : `${cp.slice(0, 3).map((w) => `${refString(w.workload.ref)} (${istioUnmeshedByDesign(w)})`).join(', ')}${cp.length > 3 ? ` and ${cp.length - 3} more` : ''} ${cp.length === 1 ? 'runs' : 'run'} Istio's control plane, which Istio's charts run without a sidecar by design (sidecar.istio.io/inject: "false"), so ${cp.length === 1 ? 'it is' : 'they are'} not judged although ${cp.length === 1 ? 'its namespace is' : 'their namespaces are'} meant to be meshed`;
    return [unseen, cpNote, istioInjectorNote(ctx)].filter((x) => x !== undefined).join('; ') || undefined;
  },
  unjudgedNamespaces: meshIntentUnseenNamespaces,
  judgesEachWorkload: true,
  *evaluate(ctx) {
    const m = meshModel(ctx.snapshot, ctx.config);
    // A workload made anew under a generated name each run (a CronWorkflow's Workflows, a
    // Pipeline's TaskRuns, a generateName Job: stableRefOf) is judged under that stable name, one
    // result per name with its workloads in evidence, so tomorrow's Workflow is today's finding.
    const generated = new Map<string, { stable: ResourceRef; members: WorkloadMesh[] }>();
    for (const w of m.workloads) {
      if (w.meantMeshedBy.length === 0 || !intentKnown(w)) continue;
      // istiod and the istio-cni agent run outside the mesh by design (said in `excluded`).
      if (w.unmeshedPods > 0 && istioUnmeshedByDesign(w) !== undefined) continue;
      const ref = w.workload.ref;
      const stable = stableRefOf(ref);
      if (stable !== ref) {
        const key = refString(stable);
        const group = generated.get(key);
        if (group) group.members.push(w);
        else generated.set(key, { stable, members: [w] });
        continue;
      }
      const evidence: Record<string, unknown> = {
        podCount: w.workload.podCount,
        meshedPods: w.meshedPods,
        unmeshedPods: w.unmeshedPods,
        meantMeshedBy: w.meantMeshedBy,
      };
      if (w.unmeshedPods > 0 && w.unmeshedUnconfirmed !== undefined) {
        // Neither in the mesh nor out of it for sure: a pass would be a guess, a high finding too.
        yield {
          status: 'fail',
          resource: ref,
          severity: 'medium',
          message: `${refString(ref)}: whether ${w.unmeshedPods} of ${w.workload.pods.length} pod(s) run with a mesh proxy cannot be confirmed although ${meantBy(w.meantMeshedBy[0])}: ${w.unmeshedUnconfirmed}.`,
          evidence: { ...evidence, reason: w.unmeshedReason, unconfirmed: w.unmeshedUnconfirmed, samplePods: w.unmeshedSample },
        };
      } else if (w.unmeshedPods > 0) {
        yield {
          status: 'fail',
          resource: ref,
          severity: onHostNetwork(w) ? 'medium' : undefined,
          message: `${refString(ref)}: ${w.unmeshedPods} of ${w.workload.pods.length} pod(s) run without a mesh proxy although ${meantBy(w.meantMeshedBy[0])}: ${w.unmeshedReason ?? 'not injected'}.`,
          evidence: { ...evidence, reason: w.unmeshedReason, samplePods: w.unmeshedSample },
        };
      } else if (w.refusedPods) {
        // No pod of it runs outside the mesh, nor in it: the API server refuses them. Low: no
        // plaintext traffic, but the workload meant to be meshed does not run at all.
        yield {
          status: 'fail',
          resource: ref,
          severity: 'low',
          message: `${refString(ref)}: its pods cannot start, so it runs neither in the mesh nor outside it (${w.meantMeshedBy[0]}): ${w.refusedReason}.`,
          evidence: { ...evidence, refusedPods: w.refusedPods, reason: w.refusedReason },
        };
      } else {
        yield { status: 'pass', resource: ref, message: `${refString(ref)} runs in the ${w.mesh} mesh.`, evidence: { ...evidence, mesh: w.mesh } };
      }
    }
    for (const { stable, members } of generated.values()) yield judgeGenerated(stable, members);
  },
};

const MEMBERS_LISTED = 20;
const onHostNetwork = (w: WorkloadMesh) => w.workload.pods.some((p) => p.spec.hostNetwork === true);
const sum = (ws: WorkloadMesh[], f: (w: WorkloadMesh) => number) => ws.reduce((n, w) => n + f(w), 0);
const listed = (ws: WorkloadMesh[]) => `${ws.slice(0, 3).map((w) => refString(w.workload.ref)).join(', ')}${ws.length > 3 ? `, +${ws.length - 3} more` : ''}`;

/** One result for the workloads made under one stable name: failing when any runs a pod outside the mesh. */
function judgeGenerated(stable: ResourceRef, members: WorkloadMesh[]): Verdict {
  const failing = members.filter((w) => w.unmeshedPods > 0 || (w.refusedPods ?? 0) > 0);
  const evidence: Record<string, unknown> = {
    podCount: sum(members, (w) => w.workload.podCount),
    meshedPods: sum(members, (w) => w.meshedPods),
    unmeshedPods: sum(members, (w) => w.unmeshedPods),
    meantMeshedBy: [...new Set(members.flatMap((w) => w.meantMeshedBy))],
    // A Pipeline's TaskRuns may number hundreds: the first MEMBERS_LISTED, and how many there are.
    members: members.slice(0, MEMBERS_LISTED).map((w) => refString(w.workload.ref)),
    memberCount: members.length,
  };
  if (failing.length === 0) {
    return { status: 'pass', resource: stable, message: `${refString(stable)}: its workloads (${listed(members)}) run in the ${[...new Set(members.map((w) => w.mesh))].join(' and ')} mesh.`, evidence, related: members.map((w) => w.workload.ref) };
  }
  // The finding stems from the members outside the mesh only: a waiver naming each of them covers
  // it (src/run/waivers.ts: every related object of its kind must be named), a meshed sibling
  // is no part of it.
  const related = failing.map((w) => w.workload.ref);
  const reasons = [...new Set(failing.map((w) => (w.unmeshedPods > 0 ? w.unmeshedReason ?? 'not injected' : w.refusedReason!)))];
  const pods = sum(failing, (w) => w.workload.pods.length);
  const outside = sum(failing, (w) => w.unmeshedPods);
  return {
    status: 'fail',
    resource: stable,
    // Medium, as for one workload, only when every pod outside the mesh is a host-network one's;
    // low when none runs outside it, their pods being refused (the single-workload case).
    severity: outside === 0 ? 'low' : failing.every(onHostNetwork) ? 'medium' : undefined,
    message: outside === 0
      ? `${refString(stable)}: the pods of ${listed(failing)} cannot start, so they run neither in the mesh nor outside it (${failing[0].meantMeshedBy[0]}): ${reasons.join('; ')}.`
      : `${refString(stable)}: ${outside} of ${pods} pod(s) of ${listed(failing)} run without a mesh proxy although ${meantBy(failing[0].meantMeshedBy[0])}: ${reasons.join('; ')}.`,
    evidence: { ...evidence, failingMembers: failing.slice(0, MEMBERS_LISTED).map((w) => refString(w.workload.ref)), failingMemberCount: failing.length, reason: reasons.join('; '), samplePods: failing.flatMap((w) => w.unmeshedSample).slice(0, 5) },
    related,
  };
}
