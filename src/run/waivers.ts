// Waivers: an accepted risk with an owner, a reason and an expiry. A waived failure is shown
// and not scored; an expired waiver turns its finding back on (and the diff calls that a
// regression); one expiring within 14 days is listed; one that matches nothing is a warning,
// unless its check was not evaluated: missing data is not a fix. One that matches nothing while
// an open finding is about it (it covered it in the compared run, or names some of what it stems
// from) is no stale entry: its status names that finding (openFinding).
// An expiry date is a whole day, UTC: "expires: 2027-03-31" holds through 23:59:59.999 UTC.
import { isUnjudged } from './coverage.ts';
import type { ResourceRef } from '../base/vocabulary.ts';
import type { Finding, WaiverRef, WaiverRule, WaiverStatus } from './types.ts';
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
  return coverageOf(w, r) === true;
}

/**
 * waiverMatches with its near miss: true when the waiver covers the result; when it names some
 * of the objects the result stems from but not every one of their kind family, the first it
 * does not name (a new Role beside the waived ClusterRole); else false.
 */
function coverageOf(w: Pick<WaiverConfig, 'check' | 'resource'>, r: Waivable): boolean | ResourceRef {
  if (w.check !== r.check) return false;
  if (namesRef(w.resource, r.resource)) return true;
  const { kind } = w.resource;
  const sameFamily = (r.related ?? []).filter((ref) => glob(kind, ref.kind) || (Object.hasOwn(SIBLING_KIND, ref.kind) && glob(kind, SIBLING_KIND[ref.kind])));
  const notNamed = sameFamily.find((ref) => !namesRef(w.resource, ref));
  if (notNamed === undefined) return sameFamily.length > 0;
  return sameFamily.some((ref) => namesRef(w.resource, ref)) ? notNamed : false;
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
 * check's outcome; a waiver whose check was not evaluated (blind, or not applicable: switched
 * off in config, its input absent) and matches nothing is `not-evaluated` (with the reason), not
 * `unmatched`: "fixed, or a typo?" would have it deleted, and the findings it covers come back
 * unwaived when the check runs again.
 */
export function applyWaivers(
  waivers: WaiverConfig[], results: ReadonlyArray<Waivable & Pick<Result, 'fingerprint' | 'status'>>, now: Date,
  checks: ReadonlyArray<WaivedCheckOutcome> = [],
): WaiverApplication {
  const blind = new Map(checks.filter((c) => isUnjudged(c.status)).map((c) => [c.id, c.reason ?? c.status]));
  const notApplicable = new Set(checks.filter((c) => c.status === 'not-applicable').map((c) => c.id));
  const waived = new Map<string, WaiverConfig>();
  const expired = new Map<string, WaiverConfig>();
  const statuses: WaiverStatus[] = [];
  // Without waivers, no copy of every result (401,053 findings at 150,000 pods) to match none.
  const failures = waivers.length === 0 ? [] : results.filter((r) => r.status !== 'pass');
  // Per waiver, the failures it misses only by an object of the family it does not name.
  const nearMisses: Array<Array<{ r: Waivable & Pick<Result, 'fingerprint'>; notNamed: ResourceRef }>> = [];
  for (const w of waivers) {
    const expiry = expiryState(w.expires, now);
    const isExpired = expiry === 'expired';
    let matched = 0;
    const missed: (typeof nearMisses)[number] = [];
    for (const r of failures) {
      const covers = coverageOf(w, r);
      if (covers === false) continue;
      if (covers !== true) { missed.push({ r, notNamed: covers }); continue; }
      matched++;
      if (isExpired) expired.set(r.fingerprint, w);
      else if (!waived.has(r.fingerprint)) waived.set(r.fingerprint, w);
    }
    const why = matched === 0 ? blind.get(w.check) : undefined;
    const state = isExpired ? 'expired' : why !== undefined ? 'not-evaluated' : matched === 0 ? 'unmatched' : expiry;
    statuses.push({ check: w.check, resource: w.resource, reason: w.reason, owner: w.owner, expires: w.expires, state, matched, ...(state === 'not-evaluated' ? { notEvaluated: why, ...(notApplicable.has(w.check) ? { notApplicable: true as const } : {}) } : {}) });
    nearMisses.push(state === 'unmatched' ? missed : []);
  }
  // An unmatched waiver that names what an open finding stems from, beside an object it does
  // not name, is no stale entry: say which finding (one another waiver covers is not open).
  for (const [i, missed] of nearMisses.entries()) {
    const open = missed.filter(({ r }) => !waived.has(r.fingerprint));
    if (open.length === 0) continue;
    const { r, notNamed } = open[0]!;
    statuses[i]!.openFinding = { fingerprint: r.fingerprint, resource: r.resource, more: open.length - 1, notNamed };
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
  return splitCarried(waivers, findings, now).open;
}

/** openCarried's decision both ways: the open carried findings, and the waived ones with their waiver (as a finding states it). */
export function splitCarried<F extends Waivable & Pick<Result, 'fingerprint'>>(waivers: ReadonlyArray<WaiverConfig>, findings: readonly F[], now: Date): { open: F[]; waived: Array<{ finding: F; waiver: WaiverRef }> } {
  const by = carriedWaivers(waivers, findings, now);
  if (by.size === 0) return { open: [...findings], waived: [] };
  const open: F[] = [];
  const waived: Array<{ finding: F; waiver: WaiverRef }> = [];
  for (const f of findings) {
    const w = by.get(f.fingerprint);
    if (w) waived.push({ finding: f, waiver: { reason: w.reason, owner: w.owner, expires: w.expires } });
    else open.push(f);
  }
  return { open, waived };
}

/** openCarried's decision with the waiver that covers each carried finding: fingerprint -> waiver (the open ones are absent). */
export function carriedWaivers(waivers: ReadonlyArray<WaiverConfig>, findings: ReadonlyArray<Waivable & Pick<Result, 'fingerprint'>>, now: Date): Map<string, WaiverConfig> {
  if (findings.length === 0) return new Map();
  const checks = new Set(findings.map((f) => f.check));
  return applyWaivers(waivers.filter((w) => checks.has(w.check)), findings, now).waived;
}

/**
 * Whether a waiver may have covered a stored finding on `resource`: it names that resource, or
 * objects of another kind (those it stemmed from, which a stored run read for a diff does not
 * keep). One naming another object of the finding's own kind (a batch of waivers alike but for
 * their Deployment) never covered it.
 */
function mayHaveCovered(w: Pick<WaiverStatus, 'resource'>, resource: Result['resource']): boolean {
  return namesRef(w.resource, resource) || !glob(w.resource.kind, resource.kind);
}

/**
 * Marks each unmatched waiver of `statuses` (this run's) that covered a finding of the compared
 * run which is open in this one: openFinding, with `coveredIn` the run that finding comes from
 * (`runOf` its check: the per-check baseline may take it from an older run). The waiver is told
 * by what the stored finding kept of it (check, reason, owner, expiry) and by naming that
 * finding's resource or objects of another kind (mayHaveCovered: a batch of waivers alike in all four but
 * their resource is common: a stale one must not inherit the finding of another, removed on
 * purpose); when two unmatched waivers still fit one finding, neither is marked for it. One pass
 * over each run's findings, none when no waiver is unmatched.
 */
export function noteCoveredBefore(
  statuses: WaiverStatus[], current: ReadonlyArray<Pick<Finding, 'fingerprint' | 'check' | 'resource' | 'waived'>>,
  previous: ReadonlyArray<Pick<Finding, 'fingerprint' | 'check' | 'resource' | 'waived' | 'waiver'>>, runOf: (check: string) => string,
): void {
  const key = (check: string, w: { reason: string; owner: string; expires: string }) => JSON.stringify([check, w.reason, w.owner, w.expires]);
  const unmatched = new Map<string, WaiverStatus[]>();
  for (const s of statuses) {
    if (s.state !== 'unmatched') continue;
    const list = unmatched.get(key(s.check, s));
    if (list) list.push(s); else unmatched.set(key(s.check, s), [s]);
  }
  if (unmatched.size === 0) return;
  const checks = new Set(statuses.filter((s) => s.state === 'unmatched').map((s) => s.check));
  const open = new Map<string, Pick<Finding, 'fingerprint' | 'resource'>>();
  for (const f of current) if (!f.waived && checks.has(f.check)) open.set(f.fingerprint, f);
  if (open.size === 0) return;
  const lost = new Map<WaiverStatus, Array<{ f: Pick<Finding, 'fingerprint' | 'resource'>; check: string }>>();
  for (const p of previous) {
    if (!p.waived || !p.waiver || !checks.has(p.check)) continue;
    const alike = unmatched.get(key(p.check, p.waiver));
    const f = alike ? open.get(p.fingerprint) : undefined;
    if (!alike || !f) continue;
    const fitting = alike.filter((w) => mayHaveCovered(w, p.resource));
    if (fitting.length !== 1) continue;
    const s = fitting[0]!;
    const list = lost.get(s);
    if (list) list.push({ f, check: p.check }); else lost.set(s, [{ f, check: p.check }]);
  }
  for (const [s, list] of lost) {
    const { f, check } = list[0]!;
    // The near miss applyWaivers found may be this very finding: what it does not name stays said.
    const notNamed = s.openFinding?.fingerprint === f.fingerprint ? s.openFinding.notNamed : undefined;
    s.openFinding = { fingerprint: f.fingerprint, resource: f.resource, more: list.length - 1, coveredIn: runOf(check), ...(notNamed ? { notNamed } : {}) };
  }
}
