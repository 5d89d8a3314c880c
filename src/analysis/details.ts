// The report sections the analyses compute: RBAC breadth per subject, the effective mTLS mode
// (and its classification) per workload, and the network exposure view. Pure: models in, data
// out. A section whose inputs were not fully collected is left out rather than shown as "nothing".
import type { KindKey } from '../snapshot/kinds.ts';
import type { AuditContext } from './context.ts';
import { topBreadth } from './rbac/index.ts';
import { meshPresent, meshWorkloadModes } from './mesh/index.ts';
import { buildReachability, networkExposure } from './netpol/index.ts';
import { exposureNotes } from './netpol/exposure.ts';
import { externalDestinations } from './netpol/egress.ts';
import { DETAIL_KINDS, type RunDetails } from '../run/types.ts';

/** How many subjects' breadth a run keeps: enough for the diff to see growth at the top. */
export const BREADTH_SUBJECTS = 200;

const covered = (ctx: AuditContext, kinds: readonly KindKey[]) => kinds.every((k) => ctx.snapshot.coverage[k]?.status === 'ok');

export function runDetails(ctx: AuditContext): RunDetails {
  const details: RunDetails = {};
  if (covered(ctx, DETAIL_KINDS.rbac)) {
    details.rbac = { breadth: topBreadth(ctx.snapshot, BREADTH_SUBJECTS) };
  }
  if (covered(ctx, DETAIL_KINDS.mtls) && meshPresent(ctx)) {
    details.mtls = { workloads: meshWorkloadModes(ctx.snapshot, ctx.config) };
  }
  if (covered(ctx, DETAIL_KINDS.network)) {
    details.network = {
      exposure: networkExposure(ctx.snapshot)
        .filter((e) => e.external.length > 0 || e.fromAllNamespaces)
        .map((e) => ({ ...e, external: e.external.map((p) => ({ ...p })) })),
      egress: externalDestinations(ctx.snapshot).map(({ kind, value, source }) => ({ kind, value, source })),
    };
  }
  return details;
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
