// The report sections the analyses compute: RBAC breadth per subject, the effective mTLS mode
// (and its classification) per workload, and the network exposure view. Pure: models in, data
// out. A section whose inputs were not fully collected is left out rather than shown as "nothing".
import type { KindKey } from '../snapshot/kinds.ts';
import type { AuditContext } from './context.ts';
import { topBreadth } from './rbac/index.ts';
import { meshModel, meshPresent, meshWorkloadModes } from './mesh/index.ts';
import { istioAuthzModel, istioCallers } from './mesh/istio-authz.ts';
import { buildReachability } from './netpol/index.ts';
import { exposureNotes } from './netpol/exposure.ts';
import { effectiveExposure } from './edge/effective-exposure.ts';
import { admitsOtherNamespaces, indexByNamespace } from './netpol/flows.ts';
import { isSystemNamespace } from './netpol/rules.ts';
import { externalDestinations } from './netpol/egress.ts';
import { DETAIL_KINDS, type L4WithoutL7Detail, type MeshWorkloadDetail, type RunDetails } from '../run/types.ts';

/** How many subjects' breadth a run keeps: enough for the diff to see growth at the top. */
export const BREADTH_SUBJECTS = 200;

const covered = (ctx: AuditContext, kinds: readonly KindKey[]) => kinds.every((k) => ctx.snapshot.coverage[k]?.status === 'ok');

/** The sections; `only` computes just those (serve --watch recomputes the ones whose inputs changed). */
export function runDetails(ctx: AuditContext, only?: ReadonlySet<keyof RunDetails>): RunDetails {
  const details: RunDetails = {};
  const want = (s: keyof RunDetails) => only === undefined || only.has(s);
  if (want('rbac') && covered(ctx, DETAIL_KINDS.rbac)) {
    details.rbac = { breadth: topBreadth(ctx.snapshot, BREADTH_SUBJECTS) };
  }
  if (want('mtls') && covered(ctx, DETAIL_KINDS.mtls) && meshPresent(ctx)) {
    const workloads = withCallers(ctx, meshWorkloadModes(ctx.snapshot, ctx.config));
    details.mtls = { workloads, ...(covered(ctx, DETAIL_KINDS.network) ? { l4WithoutL7: l4WithoutL7(ctx, workloads) } : {}) };
  }
  if (want('network') && covered(ctx, DETAIL_KINDS.network)) {
    details.network = {
      exposure: effectiveExposure(ctx.snapshot, ctx.config)
        .filter((e) => e.external.length > 0 || e.fromAllNamespaces)
        .map((e) => ({
          ...e,
          external: e.external.map(({ via, through, ports, allowedByPolicy, route, controller, mesh }) => ({
            via, through, ports, allowedByPolicy, ...(route !== undefined ? { route } : {}), ...(controller !== undefined ? { controller } : {}), ...(mesh ? { mesh } : {}),
          })),
        })),
      egress: externalDestinations(ctx.snapshot).map(({ kind, value, source }) => ({ kind, value, source })),
    };
  }
  return details;
}

/** Callers listed per Istio workload in report.json (the rest are counted in the policies). */
const MAX_CALLERS = 20;

function withCallers(ctx: AuditContext, workloads: MeshWorkloadDetail[]): MeshWorkloadDetail[] {
  const model = istioAuthzModel(ctx.snapshot, ctx.config);
  const labels = new Map(meshModel(ctx.snapshot, ctx.config).workloads.map((w) => [`${w.workload.ref.kind}/${w.namespace}/${w.workload.ref.name}`, w.labels]));
  return workloads.map((w) => {
    if (w.mesh !== 'istio') return w;
    const c = istioCallers(model, w.workload.namespace ?? '', labels.get(`${w.workload.kind}/${w.workload.namespace}/${w.workload.name}`) ?? {});
    return { ...w, callers: { who: c.who, callers: c.callers.slice(0, MAX_CALLERS), policies: c.policies } };
  });
}

/**
 * Workloads outside the system namespaces whose ingress admits pods of other namespaces (at
 * L4: the network model's candidate sources) while nothing at L7 names their callers: no mesh,
 * or Istio without an ALLOW AuthorizationPolicy. Linkerd and Consul workloads are judged by
 * their own checks (mtls.authz-missing) and left out here. Cost: per pod class, the peers its
 * admitting rules name, confirmed one by one until the first admitted one (admitsOtherNamespaces).
 */
function l4WithoutL7(ctx: AuditContext, workloads: MeshWorkloadDetail[]): L4WithoutL7Detail[] {
  const model = buildReachability(ctx.snapshot);
  const index = indexByNamespace(model.classes);
  const byRef = new Map(workloads.map((w) => [`${w.workload.kind}/${w.workload.namespace}/${w.workload.name}`, w]));
  const out: L4WithoutL7Detail[] = [];
  for (const node of model.workloads) {
    const ns = node.ref.namespace ?? '';
    if (isSystemNamespace(ns, ctx.config.systemNamespaces) || ns === ctx.config.mesh.istioRootNamespace) continue;
    const w = byRef.get(`${node.ref.kind}/${ns}/${node.ref.name}`);
    const mesh = w?.mesh ?? 'none';
    if (mesh === 'linkerd' || mesh === 'consul' || (mesh === 'istio' && w?.callers?.who !== 'anyone')) continue;
    if (!node.classes.some((c) => admitsOtherNamespaces(model, c, index))) continue;
    out.push({
      workload: { kind: node.ref.kind, namespace: ns, name: node.ref.name },
      mesh: mesh === 'istio' ? 'istio' : 'none',
      reason: mesh === 'istio' ? 'meshed, but no ALLOW AuthorizationPolicy applies: any caller the network lets in is authorized' : 'not in a service mesh: no L7 authorization',
    });
  }
  const key = (e: L4WithoutL7Detail) => `${e.workload.namespace}/${e.workload.name}/${e.workload.kind}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * What the network model could not judge in full (Calico host endpoints, preDNAT and doNotTrack
 * policies, Cilium node selectors, …) and which edge routes it could not follow (a missing Service,
 * Gateway or ReferenceGrant; a controller whose pods were not found), one line per object, for
 * the coverage section.
 */
export function runNotes(ctx: AuditContext): string[] {
  if (!covered(ctx, DETAIL_KINDS.network)) return [];
  return [
    ...buildReachability(ctx.snapshot).notes.map((n) => `${n.object.kind} ${n.object.namespace ? `${n.object.namespace}/` : ''}${n.object.name}: ${n.message}`),
    ...exposureNotes(ctx.snapshot),
  ];
}
