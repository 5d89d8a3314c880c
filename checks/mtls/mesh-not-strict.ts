import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import type { ResolvedMode } from '../../src/analysis/mesh/istio.ts';
import { istioPresent, istioRootWarning, meshModel, type IstioRoot, type MeshModel, type WorkloadMesh } from '../../src/analysis/mesh/index.ts';
import type { IstiodDown } from '../../src/analysis/mesh/components.ts';
import type { IstioPolicyIndex } from '../../src/analysis/mesh/istio.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { MESH_ENCRYPTION } from '../controls.ts';
import { ISTIO_MESH_CONFIG_READ, ISTIO_REVISION_TAGS_READ, istioInjectorNote } from './lib/istio-mesh-config.ts';
import { istioGatewayPod } from '../../src/analysis/mesh/flow-verdict.ts';
import { meshPresenceReads } from './lib/mesh-presence.ts';
import { workloadMembers } from './lib/members.ts';
import { withoutControlPlane } from './lib/control-plane.ts';
import { meshUnseenNamespaces, meshUnseenNote, namespaceKnown } from './lib/unseen-namespaces.ts';

export const meshNotStrict: Check = {
  id: 'mtls.mesh-not-strict',
  area: 'mtls',
  title: 'Istio enforces STRICT mTLS mesh-wide',
  protectsAgainst: 'a mesh whose default peer authentication still accepts plaintext (Istio PERMISSIVE)',
  severity: 'high',
  controls: MESH_ENCRYPTION,
  remediation: 'Create a PeerAuthentication without selector in the Istio root namespace: `kind: PeerAuthentication, metadata: {name: default, namespace: istio-system}, spec: {mtls: {mode: STRICT}}` (after every workload has a proxy).',
  // No PeerAuthentication at all is a finding (Istio's PERMISSIVE default), not missing data.
  needs: ['namespaces', 'pods'],
  reads: ['istio.peerauthentications'],
  readsWhen: [...meshPresenceReads('istio'), ISTIO_MESH_CONFIG_READ, ISTIO_REVISION_TAGS_READ, {
    kinds: ['services'],
    when: 'when no istiod pod runs while Istio\'s injection webhooks call an in-cluster Service: that Service, whose selector says whether istiod is gone or runs outside the cluster (primary-remote)',
    holds: (ctx) => meshModel(ctx.snapshot, ctx.config).istio.controlPlaneServicesUnread,
  }],
  appliesTo: istioPresent,
  appliesWhen: 'when Istio is installed',
  excluded: (ctx) => [meshUnseenNote(ctx, 'the workloads there were not counted'), istioInjectorNote(ctx)].filter((x) => x !== undefined).join('; ') || undefined,
  unjudgedNamespaces: meshUnseenNamespaces,
  // The root namespace this check reads comes from Istio's mesh config when it names one: a
  // config that says otherwise is the operator's to fix, named once per run.
  warnings: (ctx) => istioRootWarning(meshModel(ctx.snapshot, ctx.config).istio.root),
  evaluate(ctx) {
    const m = meshModel(ctx.snapshot, ctx.config);
    // An Istio gateway's listeners are built from its Gateway servers, which PeerAuthentication
    // does not reach (flow-verdict.ts istioGatewayCallee): no mode makes one accept plaintext.
    const all = m.workloads.filter((w) => w.mesh === 'istio' && namespaceKnown(w) && !istioGatewayPod(w));
    // Each revision's istiod reads its own mesh config (ConfigMap istio-<rev>), whose rootNamespace
    // holds the policies mesh-wide for the workloads it configures: one verdict per root in use.
    const byRoot = new Map<string, { root: IstioRoot; workloads: WorkloadMesh[] }>();
    for (const w of all) {
      const root = w.istioRoot ?? m.istio.root;
      const entry = byRoot.get(root.namespace);
      if (entry) entry.workloads.push(w);
      else byRoot.set(root.namespace, { root, workloads: [w] });
    }
    if (byRoot.size === 0) byRoot.set(m.istio.root.namespace, { root: m.istio.root, workloads: [] });
    const down = m.istio.controlPlaneDown ?? [];
    // An istiod Service whose webhooks and selector name no revision may serve any workload: every
    // root's verdict says so. One of a revision fails on its own, naming the revision's workloads;
    // the roots judge the PeerAuthentications as usual.
    const unnamed = down.filter((d) => d.revisions.length === 0).map((d) => d.gone).join('; ');
    const roots = [...byRoot.values()].sort((a, b) => a.root.namespace.localeCompare(b.root.namespace))
      .map(({ root, workloads }) => verdictFor(root, policiesOf(workloads, m), workloads))
      .map((v) => (unnamed ? withoutControlPlane(v, unnamed) : v));
    return [...roots, ...down.filter((d) => d.revisions.length > 0).map((d) => revisionDown(d, m))];
  },
};

/**
 * The failure for a revision whose istiod Service has no ready pod: on that Service, over the
 * workloads of its revisions (their own, whatever root they share with healthy revisions).
 */
function revisionDown(d: IstiodDown, m: MeshModel): Verdict {
  const revisions = new Set(d.revisions);
  const served = m.workloads.filter((w) => w.mesh === 'istio' && namespaceKnown(w) && revisions.has(w.istioRevision ?? 'default'));
  const names = served.map((w) => refString(w.workload.ref));
  const which = `revision${d.revisions.length > 1 ? 's' : ''} ${d.revisions.join(', ')}`;
  const whom = served.length === 0
    ? `no workload runs on ${which} yet`
    : `${served.length} workload${served.length > 1 ? 's' : ''} on ${which}: ${names.slice(0, 5).join(', ')}${served.length > 5 ? ` and ${served.length - 5} more` : ''}`;
  return {
    status: 'fail',
    resource: { kind: 'Service', ...d.service },
    // Nothing meshed loses mutual TLS while no workload runs on the revision; new pods labelled for it are refused.
    ...(served.length === 0 ? { severity: 'low' as const } : {}),
    message: `${d.gone.charAt(0).toUpperCase()}${d.gone.slice(1)} (${whom}).`,
    evidence: { controlPlane: d.gone, revisions: d.revisions, workloads: served.length, sampleWorkloads: names.slice(0, 10) },
    extent: { unit: 'workloads', members: workloadMembers(served.map((w) => w.workload.ref)) },
  };
}

/** The PeerAuthentication index the workloads' revision composes (all of them share one root). */
function policiesOf(workloads: WorkloadMesh[], m: MeshModel): IstioPolicyIndex {
  const w = workloads[0];
  return w ? m.istio.policiesFor(w.namespace, w.labels) : m.istio.policies;
}

function verdictFor(rootInfo: IstioRoot, index: IstioPolicyIndex, istioWorkloads: WorkloadMesh[]): Verdict {
  const root = index.rootNamespace;
  const mesh = index.mesh;
  // A port-level PERMISSIVE or DISABLE under a STRICT workload still accepts plaintext on that port.
  const notStrict = istioWorkloads.filter((w) => w.istio && (w.istio.mode !== 'STRICT' || Object.values(w.istio.ports).some((p) => p !== 'STRICT')));
  const shadowed = index.all.filter((p) => p.scope === 'mesh' && p !== mesh).map((p) => p.name);
  const evidence: Record<string, unknown> = {
    rootNamespace: root,
    rootNamespaceSource: rootInfo.source,
    meshPolicy: mesh ? `${root}/${mesh.name}` : null,
    meshMode: mesh ? mesh.mode : 'none (Istio default PERMISSIVE)',
    istioWorkloads: istioWorkloads.length,
    workloadsNotStrict: notStrict.length,
    sampleNotStrict: notStrict.slice(0, 10).map((w) => `${refString(w.workload.ref)}: ${modeText(w.istio!)}`),
  };
  if (shadowed.length) evidence.ignoredNewerMeshPolicies = shadowed;
  const extent = { unit: 'workloads', members: workloadMembers(notStrict.map((w) => w.workload.ref)) };
  // The mesh default still lets a new namespace or workload accept plaintext, but when every
  // meshed workload is STRICT by its own policy none does today: a finding, lower
  // (reference checks.md §4.1: "Nothing configured → PERMISSIVE everywhere: FAIL").
  const lower = notStrict.length === 0 ? { severity: 'low' as const } : {};
  const unlessText = `meshed workloads accept plaintext unless a namespace or workload policy says STRICT (${notStrict.length} of ${istioWorkloads.length} do not)`;
  const verdict: Verdict = mesh
    ? mesh.mode === 'STRICT'
      ? { status: 'pass', resource: mesh.ref, message: `Mesh-wide PeerAuthentication ${root}/${mesh.name} sets STRICT mTLS.`, evidence }
      : {
        status: 'fail',
        resource: mesh.ref,
        ...lower,
        message: `Mesh-wide PeerAuthentication ${root}/${mesh.name} sets ${mesh.mode}${mesh.mode === 'UNSET' ? ' (inherits PERMISSIVE)' : ''}: ${unlessText}.`,
        evidence,
        extent,
      }
    : {
      status: 'fail',
      resource: { kind: 'PeerAuthentication', namespace: root, name: 'default' },
      ...lower,
      message: `No mesh-wide PeerAuthentication in root namespace ${root}: Istio defaults to PERMISSIVE, so ${unlessText}.`,
      evidence,
      extent,
    };
  return verdict;
}

function modeText(r: ResolvedMode): string {
  const weak = Object.entries(r.ports).filter(([, m]) => m !== 'STRICT');
  return weak.length ? `${r.mode} (${weak.map(([p, m]) => `port ${p} ${m}`).join(', ')})` : r.mode;
}
