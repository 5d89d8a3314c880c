// Waivers: an accepted risk with an owner, a reason and an expiry. A waived failure is shown
// and not scored; an expired waiver turns its finding back on (and the diff calls that a
// regression); one expiring within 14 days is listed; one that matches nothing is a warning,
// unless its check was not evaluated: missing data is not a fix.
// An expiry date is a whole day, UTC: "expires: 2027-03-31" holds through 23:59:59.999 UTC.
import { isBlind } from './coverage.ts';
import type { Finding, WaiverRule, WaiverStatus } from './types.ts';
import { expiryState } from './waiver-expiry.ts';

export { EXPIRING_SOON_DAYS, expiryState } from './waiver-expiry.ts';

/** A waiver as the config states it (src/config's WaiverConfig has this shape). */
type WaiverConfig = WaiverRule;
/** What a waiver is matched against: a check's result or a stored finding. */
type Result = Pick<Finding, 'check' | 'resource' | 'related' | 'fingerprint'> & { status?: string };

type Waivable = Pick<Result, 'check' | 'resource' | 'related'>;

function glob(pattern: string | undefined, value: string | undefined): boolean {
  return pattern === undefined || (pattern.endsWith('*') ? (value ?? '').startsWith(pattern.slice(0, -1)) : pattern === (value ?? ''));
}

/**
 * The other kind of the same family: a Role grants what a ClusterRole does, in one namespace,
 * and a RoleBinding binds as a ClusterRoleBinding does.
 */
const SIBLING_KIND: Readonly<Record<string, string>> = {
  Role: 'ClusterRole', ClusterRole: 'Role', RoleBinding: 'ClusterRoleBinding', ClusterRoleBinding: 'RoleBinding',
};

/**
 * Whether a waiver covers a result: it names the result's resource, or the objects the result
 * stems from. Through related objects, every related object of the waiver's kind family must
 * match: a waiver for ClusterRoleBinding ci-admin must not also hide a new binding that gives
 * the same subject the same access, nor one for ClusterRole ci-deployer a new Role granting it
 * wildcards through a RoleBinding (a Role and a ClusterRole, a RoleBinding and a
 * ClusterRoleBinding are one family).
 */
export function waiverMatches(w: Pick<WaiverConfig, 'check' | 'resource'>, r: Waivable): boolean {
  if (w.check !== r.check) return false;
  if (namesRef(w.resource, r.resource)) return true;
  const { kind } = w.resource;
  const sameFamily = (r.related ?? []).filter((ref) => glob(kind, ref.kind) || (Object.hasOwn(SIBLING_KIND, ref.kind) && glob(kind, SIBLING_KIND[ref.kind])));
  return sameFamily.length > 0 && sameFamily.every((ref) => namesRef(w.resource, ref));
}

/**
 * Whether a waiver names the result's own resource (a glob included), not only the objects it
 * stems from. One that covers a result only through them covers whatever is newly bound to
 * the same role or selected by the same policy too: the diff calls such a new finding a
 * regression (src/diff/diff.ts).
 */
export function waiverNamesResource(w: Pick<WaiverConfig, 'check' | 'resource'>, r: Pick<Result, 'check' | 'resource'>): boolean {
  return w.check === r.check && namesRef(w.resource, r.resource);
}

function namesRef({ kind, namespace, name }: WaiverConfig['resource'], ref: Result['resource']): boolean {
  return glob(kind, ref.kind) && glob(namespace, ref.namespace) && glob(name, ref.name);
}

export interface WaiverApplication {
  /** fingerprint -> the waiver that covers it (active waivers only). */
  waived: Map<string, WaiverConfig>;
  /** fingerprint -> the expired waiver that used to cover it. */
  expired: Map<string, WaiverConfig>;
  statuses: WaiverStatus[];
}

/** A check's outcome in the run, as applyWaivers reads it. */
export interface WaivedCheckOutcome { id: string; status: string; reason?: string }

/**
 * `results`: failures (findings, or Results of which the passes are skipped). `checks`: each
 * check's outcome; a waiver whose check was not evaluated and matches nothing is
 * `not-evaluated` (with the reason), not `unmatched`.
 */
export function applyWaivers(
  waivers: WaiverConfig[], results: ReadonlyArray<Waivable & Pick<Result, 'fingerprint' | 'status'>>, now: Date,
  checks: ReadonlyArray<WaivedCheckOutcome> = [],
): WaiverApplication {
  const blind = new Map(checks.filter((c) => isBlind(c.status)).map((c) => [c.id, c.reason ?? c.status]));
  const waived = new Map<string, WaiverConfig>();
  const expired = new Map<string, WaiverConfig>();
  const statuses: WaiverStatus[] = [];
  const failures = results.filter((r) => r.status !== 'pass');
  for (const w of waivers) {
    const expiry = expiryState(w.expires, now);
    const isExpired = expiry === 'expired';
    let matched = 0;
    for (const r of failures) {
      if (!waiverMatches(w, r)) continue;
      matched++;
      if (isExpired) expired.set(r.fingerprint, w);
      else if (!waived.has(r.fingerprint)) waived.set(r.fingerprint, w);
    }
    const why = matched === 0 ? blind.get(w.check) : undefined;
    const state = isExpired ? 'expired' : why !== undefined ? 'not-evaluated' : matched === 0 ? 'unmatched' : expiry;
    statuses.push({ check: w.check, resource: w.resource, reason: w.reason, owner: w.owner, expires: w.expires, state, matched, ...(state === 'not-evaluated' ? { notEvaluated: why } : {}) });
  }
  for (const fp of waived.keys()) expired.delete(fp);
  return { waived, expired, statuses };
}

/**
 * The findings carried into a run from the run that last evaluated their check (this one could
 * not), each with whether it counts as open there: decided by `waivers`, the carrying run's own
 * (its config, as RunReport.waivers states it), at `now` (its start), by applyWaivers exactly as
 * for the findings it evaluated. Not by the waiver stored with the finding: the config may since
 * end it earlier, remove it, or waive what was open then.
 */
export function openCarried<F extends Waivable & Pick<Result, 'fingerprint'>>(waivers: ReadonlyArray<WaiverConfig>, findings: readonly F[], now: Date): F[] {
  const waived = carriedWaivers(waivers, findings, now);
  return waived.size === 0 ? [...findings] : findings.filter((f) => !waived.has(f.fingerprint));
}

/** openCarried's decision with the waiver that covers each carried finding: fingerprint -> waiver (the open ones are absent). */
export function carriedWaivers(waivers: ReadonlyArray<WaiverConfig>, findings: ReadonlyArray<Waivable & Pick<Result, 'fingerprint'>>, now: Date): Map<string, WaiverConfig> {
  if (findings.length === 0) return new Map();
  const checks = new Set(findings.map((f) => f.check));
  return applyWaivers(waivers.filter((w) => checks.has(w.check)), findings, now).waived;
}
