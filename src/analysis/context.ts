// What an analysis (and a check) reads: the snapshot, the configuration and the instant
// judged as "now". Analyses memoise their models per context object.

import type { Config } from '../config/types.ts';
import type { Snapshot } from '../snapshot/types.ts';

/** Everything a check may read. Analyses memoise their models per context (see analysis/*). */
export interface AuditContext {
  snapshot: Snapshot;
  config: Config;
  /** The instant the audit judges "now" against (certificate expiry, waivers). */
  now: Date;
}

/**
 * A report section computed from the analyses' models (details.ts). The audit calls
 * `afterArea` as each area's last check ends, before it drops the models that no later area
 * reads: a section is computed while its models are still alive, and the final call returns it.
 */
export type StagedAnalysis<T> = ((ctx: AuditContext) => T) & { afterArea?: (area: string, ctx: AuditContext) => void };
