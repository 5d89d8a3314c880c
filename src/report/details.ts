// Extra report sections computed by the analyses: RBAC breadth per subject, the effective
// mTLS mode per workload, and the network exposure view. Pure: models in, data out. A
// section whose inputs were not fully collected is left out rather than shown as "nothing".
import type { KindKey } from '../snapshot/kinds.ts';
import type { AuditContext } from '../analysis/context.ts';
import { topBreadth } from '../analysis/rbac/index.ts';
import { meshPresent, meshWorkloadModes } from '../analysis/mesh/index.ts';
import { networkExposure } from '../analysis/netpol/index.ts';
import type { RunReport } from '../run/types.ts';

/** How many subjects' breadth a run keeps: enough for the diff to see growth at the top. */
export const BREADTH_SUBJECTS = 200;

const covered = (ctx: AuditContext, kinds: KindKey[]) => kinds.every((k) => ctx.snapshot.coverage[k]?.status === 'ok');

export function reportDetails(ctx: AuditContext): RunReport['details'] {
  const details: RunReport['details'] = {};
  if (covered(ctx, ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'])) {
    details.rbac = { breadth: topBreadth(ctx.snapshot, BREADTH_SUBJECTS) };
  }
  if (covered(ctx, ['pods', 'namespaces']) && meshPresent(ctx)) {
    details.mtls = { workloads: meshWorkloadModes(ctx.snapshot, ctx.config) as unknown as Array<Record<string, unknown>> };
  }
  if (covered(ctx, ['pods', 'namespaces', 'networkpolicies', 'services', 'ingresses'])) {
    details.network = {
      exposure: networkExposure(ctx.snapshot)
        .filter((e) => e.external.length > 0 || e.fromAllNamespaces)
        .map((e) => ({ ...e }) as Record<string, unknown>),
    };
  }
  return details;
}
