// The report sections the analyses compute: RBAC breadth per subject, the effective mTLS mode
// (and its classification) per workload, and the network exposure view. Pure: models in, data
// out. A section whose inputs were not fully collected is left out rather than shown as "nothing".
import { POD_VIEW_KINDS, type KindKey } from '../snapshot/kinds.ts';
import { EXTRA_POLICY_KINDS } from './netpol/apis.ts';
import { EDGE_ROUTE_KINDS } from './edge/routes.ts';
import type { AuditContext } from './context.ts';
import { breadthBasisOf, buildRbacModel, topBreadth } from './rbac/index.ts';
import { rbacAudit } from './rbac/audit.ts';
import { istioControlPlaneWorkload, meshModel, meshPresent, meshWorkloadModes } from './mesh/index.ts';
import { istioMeshConfigUnread } from './mesh/configmaps.ts';
import { istioAuthzModel, istioCallers } from './mesh/istio-authz.ts';
import { buildReachability } from './netpol/index.ts';
import { exposureNotes } from './netpol/exposure.ts';
import { effectiveExposure } from './edge/effective-exposure.ts';
import { admitsOtherNamespaces, indexByNamespace } from './netpol/flows.ts';
import { isSystemNamespace } from './netpol/rules.ts';
import { externalDestinations } from './netpol/egress.ts';
import { DETAIL_KINDS, type IgnoredSubjectDetail, type L4WithoutL7Detail, type MeshLeftoverDetail, type MeshWorkloadDetail, type RunDetails } from '../run/types.ts';

/** How many subjects' breadth a run keeps: enough for the diff to see growth at the top. */
export const BREADTH_SUBJECTS = 200;

/** How many subjects left out by rbac.ignoreSubjects a run lists (a pattern may leave out thousands); the rest are counted. */
export const IGNORED_SUBJECTS = 200;

/** The subjects rbac.ignoreSubjects leaves out that hold grants: what a reviewer must see was not judged. */
function ignoredSubjects(ctx: AuditContext): { ignored?: IgnoredSubjectDetail[]; ignoredTotal?: number } {
  const holding = rbacAudit(ctx).ignored.filter((s) => s.grants.length > 0).sort((a, b) => (a.who < b.who ? -1 : a.who > b.who ? 1 : 0));
  if (holding.length === 0) return {};
  const ignored = holding.slice(0, IGNORED_SUBJECTS).map((s) => ({
    subject: s.resource,
    bindings: s.bindings.filter((b) => b.role).map((b) => ({
      binding: { kind: b.kind, ...(b.namespace ? { namespace: b.namespace } : {}), name: b.name },
      role: { kind: b.roleRef.kind, name: b.roleRef.name },
    })),
  }));
  return { ignored, ...(holding.length > IGNORED_SUBJECTS ? { ignoredTotal: holding.length } : {}) };
}

const covered = (ctx: AuditContext, kinds: readonly KindKey[]) => kinds.every((k) => ctx.snapshot.coverage[k]?.status === 'ok');

type Section = keyof RunDetails;

/**
 * What the audit computed as areas ended, per context: a section (undefined: left out) and
 * the network half of l4WithoutL7, so the models they read need not outlive their area.
 */
interface Early {
  sections: Map<Section, RunDetails[Section]>;
  /** Workloads whose ingress admits other namespaces at L4 (before the mesh filter). */
  l4?: L4Candidate[];
  notes?: string[];
  rbacNotes?: string[];
}
const early = new WeakMap<AuditContext, Early>();
const earlyOf = (ctx: AuditContext): Early => {
  let e = early.get(ctx);
  if (!e) early.set(ctx, (e = { sections: new Map() }));
  return e;
};

/** Each section's computation, in report order; undefined when it is left out. */
const SECTIONS: Record<Section, (ctx: AuditContext) => RunDetails[Section]> = {
  rbac: (ctx) => {
    if (!covered(ctx, DETAIL_KINDS.rbac)) return undefined;
    const b = breadthBasisOf(ctx.snapshot);
    return { breadth: topBreadth(ctx.snapshot, BREADTH_SUBJECTS), breadthBasis: b.basis, ...(b.basis === 'partial' ? { breadthMissingGroups: b.missingGroups } : {}), ...ignoredSubjects(ctx) };
  },
  mtls: (ctx) => {
    if (!covered(ctx, DETAIL_KINDS.mtls)) return undefined;
    const leftovers = meshLeftovers(ctx);
    const left = leftovers.length > 0 ? { leftovers } : {};
    if (!meshPresent(ctx)) return leftovers.length > 0 ? { workloads: [], ...left } : undefined;
    if (meshSettingsUnread(ctx)) return undefined;
    const workloads = withCallers(ctx, meshWorkloadModes(ctx.snapshot, ctx.config));
    if (!covered(ctx, DETAIL_KINDS.network)) return { workloads, ...left };
    return { workloads, l4WithoutL7: l4WithoutL7(workloads, early.get(ctx)?.l4 ?? l4Candidates(ctx)), ...left };
  },
  network: (ctx) => {
    if (!covered(ctx, DETAIL_KINDS.network)) return undefined;
    return {
      exposure: effectiveExposure(ctx.snapshot, ctx.config)
        .filter((e) => e.external.length > 0 || e.fromAllNamespaces)
        .map((e) => ({
          ...e,
          external: e.external.map(({ via, through, ports, allowedByPolicy, route, controller, forwarded, mesh, attachmentUnknown, blockedBy, inDoubt }) => ({
            via, through, ports, allowedByPolicy, ...(route !== undefined ? { route } : {}), ...(controller !== undefined ? { controller } : {}), ...(forwarded !== undefined ? { forwarded } : {}), ...(mesh ? { mesh } : {}),
            ...(attachmentUnknown !== undefined ? { attachmentUnknown } : {}), ...(blockedBy !== undefined ? { blockedBy } : {}), ...(inDoubt !== undefined ? { inDoubt } : {}),
          })),
        })),
      egress: externalDestinations(ctx.snapshot).map(({ kind, value, source }) => ({ kind, value, source })),
    };
  },
};

/**
 * The sections; `only` computes just those (serve --watch recomputes the ones whose inputs
 * changed). In an audit, a section computed as its area ended (afterArea) is reused.
 */
export function runDetails(ctx: AuditContext, only?: ReadonlySet<Section>): RunDetails {
  const details: RunDetails = {};
  const done = early.get(ctx)?.sections;
  for (const s of Object.keys(SECTIONS) as Section[]) {
    if (only !== undefined && !only.has(s)) continue;
    const value = done?.has(s) ? done.get(s) : SECTIONS[s](ctx);
    if (value !== undefined) (details as Record<Section, unknown>)[s] = value;
  }
  return details;
}

/**
 * Each section as the area whose models it reads ends: the network's (exposure, egress, and
 * which workloads admit other namespaces for mtls.l4WithoutL7) after network, RBAC breadth
 * after rbac, the mesh's after mtls.
 */
runDetails.afterArea = (area: string, ctx: AuditContext): void => {
  const e = earlyOf(ctx);
  if (area === 'network') {
    e.sections.set('network', SECTIONS.network(ctx));
    if (covered(ctx, DETAIL_KINDS.mtls) && covered(ctx, DETAIL_KINDS.network) && meshPresent(ctx)) e.l4 = l4Candidates(ctx);
  } else if (area === 'rbac') e.sections.set('rbac', SECTIONS.rbac(ctx));
  else if (area === 'mtls') e.sections.set('mtls', SECTIONS.mtls(ctx));
};

const MESH_TITLE = { istio: 'Istio', linkerd: 'Linkerd', consul: 'Consul' } as const;

/** The meshes whose API is served while nothing of them runs (mesh model `leftover`), in words. */
function meshLeftovers(ctx: AuditContext): MeshLeftoverDetail[] {
  const m = meshModel(ctx.snapshot, ctx.config);
  return (['istio', 'linkerd', 'consul'] as const).flatMap((mesh): MeshLeftoverDetail[] => {
    const l = m[mesh].leftover;
    if (!l) return [];
    const name = MESH_TITLE[mesh];
    const objects = l.objects === 0 ? 'no objects in them' : `${l.objects} leftover object${l.objects === 1 ? '' : 's'} in them`;
    const text = `${name}'s CRDs remain (${l.kinds.length} kind${l.kinds.length === 1 ? '' : 's'} served, ${objects}), but no ${name} control plane, proxy, injection webhook or namespace labelled for it was found: ${name} does not run here, so its checks are not applicable and score nothing.`;
    return [{ mesh, kinds: l.kinds, objects: l.objects, text }];
  });
}

/**
 * Istio is installed and its mesh config could not be read (its root namespace decides which
 * PeerAuthentications and AuthorizationPolicies apply mesh-wide), or Linkerd's cluster default
 * inbound policy is unstated and linkerd-config could not be read: workloads' modes and callers
 * would be those of the assumed defaults, possibly more secure than the cluster's, so the section
 * is left out. Another ConfigMap refused leaves it in.
 */
function meshSettingsUnread(ctx: AuditContext): boolean {
  const m = meshModel(ctx.snapshot, ctx.config);
  return (m.istio.present && !!istioMeshConfigUnread(ctx.snapshot, ctx.config)) || (m.linkerd.present && !!m.linkerd.clusterDefault.unread);
}

/** Callers listed per Istio workload in report.json (the rest are counted in the policies). */
const MAX_CALLERS = 20;

function withCallers(ctx: AuditContext, workloads: MeshWorkloadDetail[]): MeshWorkloadDetail[] {
  const model = istioAuthzModel(ctx.snapshot, ctx.config);
  const meshed = new Map(meshModel(ctx.snapshot, ctx.config).workloads.map((w) => [`${w.workload.ref.kind}/${w.namespace}/${w.workload.ref.name}`, w]));
  return workloads.map((w) => {
    if (w.mesh !== 'istio') return w;
    const m = meshed.get(`${w.workload.kind}/${w.workload.namespace}/${w.workload.name}`);
    const c = istioCallers(model, w.workload.namespace ?? '', m?.labels ?? {}, m?.istioRoot?.namespace);
    return { ...w, callers: { who: c.who, callers: c.callers.slice(0, MAX_CALLERS), policies: c.policies } };
  });
}

/** A workload whose ingress admits pods of other namespaces at L4 (see l4WithoutL7). */
interface L4Candidate { kind: string; namespace: string; name: string }

/**
 * Workloads outside the system namespaces whose ingress admits pods of other namespaces (at
 * L4: the network model's candidate sources), in the network model's order, but for the
 * control plane of every Istio revision, which the authorization checks leave out too
 * (istioControlPlaneWorkload). Cost: per pod class, the peers its admitting rules name,
 * confirmed one by one until the first admitted one (admitsOtherNamespaces); the control planes
 * are looked up by key, once per workload.
 */
function l4Candidates(ctx: AuditContext): L4Candidate[] {
  const model = buildReachability(ctx.snapshot);
  const index = indexByNamespace(model.classes);
  const out: L4Candidate[] = [];
  const mesh = meshModel(ctx.snapshot, ctx.config);
  const controlPlane = new Set(mesh.workloads.filter((w) => istioControlPlaneWorkload(mesh, w)).map((w) => `${w.workload.ref.kind}/${w.namespace}/${w.workload.ref.name}`));
  for (const node of model.workloads) {
    const ns = node.ref.namespace ?? '';
    if (isSystemNamespace(ns, ctx.config.systemNamespaces) || controlPlane.has(`${node.ref.kind}/${ns}/${node.ref.name}`)) continue;
    if (node.classes.some((c) => admitsOtherNamespaces(model, c, index))) out.push({ kind: node.ref.kind, namespace: ns, name: node.ref.name });
  }
  return out;
}

/**
 * The L4 candidates nothing at L7 names the callers of: no mesh, or Istio without an ALLOW
 * AuthorizationPolicy. Linkerd and Consul workloads are judged by their own checks
 * (mtls.authz-missing) and left out here.
 */
function l4WithoutL7(workloads: MeshWorkloadDetail[], candidates: readonly L4Candidate[]): L4WithoutL7Detail[] {
  const byRef = new Map(workloads.map((w) => [`${w.workload.kind}/${w.workload.namespace}/${w.workload.name}`, w]));
  const out: L4WithoutL7Detail[] = [];
  for (const c of candidates) {
    const w = byRef.get(`${c.kind}/${c.namespace}/${c.name}`);
    const mesh = w?.mesh ?? 'none';
    if (mesh === 'linkerd' || mesh === 'consul' || (mesh === 'istio' && w?.callers?.who !== 'anyone')) continue;
    out.push({
      workload: { kind: c.kind, namespace: c.namespace, name: c.name },
      mesh: mesh === 'istio' ? 'istio' : 'none',
      reason: mesh === 'istio' ? 'meshed, but no ALLOW AuthorizationPolicy applies: any caller the network lets in is authorized' : 'not in a service mesh: no L7 authorization',
    });
  }
  const key = (e: L4WithoutL7Detail) => `${e.workload.namespace}/${e.workload.name}/${e.workload.kind}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * The kinds runNotes reads: the network model's (every policy API, the pod view), the edge
 * routes' (and their controllers' pods and ConfigMaps), the RBAC model's. serve --watch
 * recomputes the notes when one of them changed; test/unit/schedule/watch-inputs.test.ts
 * traces what runNotes reads and holds this list to it.
 */
export const RUN_NOTES_KINDS: ReadonlySet<KindKey> = new Set<KindKey>([
  ...DETAIL_KINDS.network, ...EXTRA_POLICY_KINDS, ...POD_VIEW_KINDS, 'serviceaccounts', // policies select by service account
  'calico.ippools', 'calico-v3.ippools', // where Calico pods' addresses lie (netpol/calico/ip-pools.ts)
  'cilium.cidrgroups', // the CIDRs of a Cilium policy's cidrGroupRef/cidrGroupSelector (netpol/cilium/parse.ts)
  'calico.tiers', 'calico-v3.tiers', // the order and defaultAction of a custom tier a Calico policy names (netpol/calico/policy.ts collectCalicoPolicies)
  'antrea.tiers', // the priority of a custom tier an Antrea-native policy names (netpol/antrea.ts resolveTier)
  'antrea.clustergroups', 'antrea.groups', // the members of a group an Antrea-native policy names (netpol/antrea.ts resolveGroup)
  'cilium.nodeconfigs', // per-node overrides of Cilium's enforcement switches (netpol/cilium/config.ts)
  'calico.felixconfigurations', // Felix's dropActionOverride, which may turn Calico's denials into accepts (netpol/calico/felix.ts)
  'endpointslices', // the backends of a selector-less Service a Cilium toServices names (netpol/cilium/service-backends.ts)
  'nodes', // the Nodes an AdminNetworkPolicy nodes peer selects, live only (netpol/model.ts nodeSelection)
  ...EDGE_ROUTE_KINDS, 'traefik.middlewares', 'traefik-legacy.middlewares', 'configmaps',
  ...DETAIL_KINDS.rbac,
]);

const notesOf = (ctx: AuditContext): string[] => (!covered(ctx, DETAIL_KINDS.network) ? [] : [
  // Most notes already open with the object they name (the Calico and Cilium adapters write `${kind} ${name}: …`): named once.
  ...buildReachability(ctx.snapshot).notes.map((n) => {
    const name = `${n.object.kind} ${n.object.namespace ? `${n.object.namespace}/` : ''}${n.object.name}`;
    return n.message.startsWith(`${name}: `) || n.message.startsWith(`${name} `) ? n.message : `${name}: ${n.message}`;
  }),
  ...buildReachability(ctx.snapshot).passedOver,
  ...exposureNotes(ctx.snapshot),
]);

/** What the RBAC model left out (an object it cannot name, a second copy of one): said, not dropped. */
const rbacNotesOf = (ctx: AuditContext): string[] => (covered(ctx, DETAIL_KINDS.rbac) ? buildRbacModel(ctx.snapshot).notes : []);

/**
 * What the network model could not judge in full (Calico host endpoints, preDNAT and doNotTrack
 * policies, Cilium node selectors, …) and which edge routes it could not follow (a missing Service,
 * Gateway or ReferenceGrant; a controller whose pods were not found), one line per object, for
 * the coverage section. In an audit, computed as the network area ends (afterArea).
 */
export function runNotes(ctx: AuditContext): string[] {
  const e = early.get(ctx);
  return [...(e?.notes ?? notesOf(ctx)), ...(e?.rbacNotes ?? rbacNotesOf(ctx))];
}

runNotes.afterArea = (area: string, ctx: AuditContext): void => {
  if (area === 'network') earlyOf(ctx).notes = notesOf(ctx);
  if (area === 'rbac') earlyOf(ctx).rbacNotes = rbacNotesOf(ctx);
};
