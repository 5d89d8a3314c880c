// The extent of a finding that stands for several objects: one default-deny finding per
// namespace lists its unisolated workloads, one RBAC finding per subject its dangerous
// permissions. Its fingerprint and severity stay the same when one more workload loses its
// deny-all, so without the extent the diff would call that "persisting" and say nothing: a
// backdoor hidden from the alert. Bounded: the count, the first EXTENT_LISTED members in sorted
// order (as many as the evidence lists), and past that a short hash of each other member, so
// an addition anywhere is seen even when other members left in the same run (a namespace of
// 5,000 unisolated workloads costs 45 KB; only aggregating findings carry an extent).
import { hash } from 'node:crypto';
import type { FindingExtent, WidenedFinding } from './types.ts';

/** At most this many members are listed in an extent; past it, the count and member hashes tell. */
export const EXTENT_LISTED = 20;
/** At most this many added members are named per widened finding. */
export const EXTENT_NAMED = 5;

/** The short hash of a member past the listing (8 hex chars of its sha256). */
export function memberHash(member: string): string {
  return hash('sha256', member, 'hex').slice(0, 8);
}

/** The extent of `members` (duplicates counted once), as a finding carries it. */
export function extentOf(unit: string, members: Iterable<string>): FindingExtent {
  const all = [...new Set(members)].sort();
  // Most extents list every member (115,366 of 115,891 at 150,000 pods): no copy of them then.
  const extent: FindingExtent = { unit, count: all.length, members: all.length > EXTENT_LISTED ? all.slice(0, EXTENT_LISTED) : all };
  // A member some other member would cover (an RBAC permission in one namespace, or of one
  // name) carries their hashes too ("h:c1,c2"), so past the listing coverage is still known.
  if (all.length > EXTENT_LISTED) {
    extent.hashes = all.slice(EXTENT_LISTED).map((m) => {
      const covers = coveringMembers(m);
      return covers.length === 0 ? memberHash(m) : `${memberHash(m)}:${covers.map(memberHash).join(',')}`;
    }).sort();
  }
  return extent;
}

/** A short digest of everything an extent tells of its members (its listing and past it). */
export function extentDigest(e: unknown): string {
  if (!isExtent(e)) return '';
  return hash('sha256', JSON.stringify([e.unit, e.count, e.members, e.hashes ?? e.digest ?? null]), 'hex').slice(0, 16);
}

/** Whether `e` has an extent's shape (a stored run may have been edited by hand). */
export function isExtent(e: unknown): e is FindingExtent {
  if (typeof e !== 'object' || e === null) return false;
  const x = e as Record<string, unknown>;
  return typeof x.unit === 'string' && typeof x.count === 'number' && Number.isInteger(x.count) && x.count >= 0
    && Array.isArray(x.members) && x.members.every((m) => typeof m === 'string') && x.members.length <= x.count
    && (x.digest === undefined || typeof x.digest === 'string')
    && (x.hashes === undefined || (Array.isArray(x.hashes) && x.hashes.every((h) => typeof h === 'string')));
}

/** What a widened finding added: the members its listing names, and how many others (hashes). */
export interface AddedMembers {
  /** Added members the listing names, sorted. */
  named: string[];
  /** Added members past the listing, known by their hash only. */
  others: number;
}

/**
 * The members that, held before, cover `m`: an RBAC permission held cluster-wide covers it
 * in every namespace, one not restricted to names covers each name ("get secrets in
 * kube-system" covers "get secrets in kube-system name=ci"), and a "*" verb, resource or API
 * group covers every one (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources;
 * upstream VerbMatches/ResourceMatches/APIGroupMatches). `m` is "<permission> cluster-wide" or
 * "<permission> in <namespace>", either followed by " name=<name>", the permission
 * "<verb> <resource> (<group>)" for a granted rule (checks/rbac/common.ts ruleMembers). A Pod
 * Security violation of one field has its check's id; other members have none.
 */
function coveringMembers(m: string): string[] {
  // A Pod Security violation of one field ("hostNamespaces:hostPID", "… (task dind)") is covered
  // by its check's id alone, as a run stored before violations were listed per field has it:
  // the first run after upgrading compares with a listing that could not tell the fields apart.
  const field = /^([A-Za-z_]+):[A-Za-z]+( \(task [^()]+\))?$/.exec(m);
  if (field) return [`${field[1]}${field[2] ?? ''}`];
  const x = /^(.+) (cluster-wide|in [^ ]+)( name=[^ ]+)?$/.exec(m);
  if (!x) return [];
  const [, permission, scope, name] = x;
  const scopes = scope === 'cluster-wide' ? [scope] : [scope, 'cluster-wide'];
  const names = name ? ['', name] : [''];
  const out = new Set<string>();
  for (const p of permissionVariants(permission)) for (const sc of scopes) for (const n of names) out.add(`${p} ${sc}${n}`);
  out.delete(m);
  return [...out];
}

/** A permission and those whose "*" verb, resource or group grants it too. */
function permissionVariants(permission: string): string[] {
  const x = /^([^ ]+) ([^ ]+) \(([^ )]+)\)$/.exec(permission);
  if (!x) return [permission];
  const [, verb, resource, group] = x;
  const out = new Set<string>();
  for (const v of new Set([verb, '*'])) for (const r of new Set([resource, '*'])) for (const g of new Set([group, '*'])) out.add(`${v} ${r} (${g})`);
  return [...out];
}

/**
 * What `after` covers that `before` did not, or null when it did not widen: the listed
 * members of `after` that `before` neither listed nor hashed nor covered (a permission held
 * cluster-wide covers it in a namespace; one unrestricted covers each name), and the number
 * of hashes of `after` that `before` lacks. Fewer members, or the same ones, is no widening.
 * A run stored before member hashes (a digest past the listing) proves only what its sorted
 * prefix lists: then a larger count or another digest widened without a member named.
 */
export function widenedMembers(before: unknown, after: unknown): AddedMembers | null {
  if (!isExtent(before) || !isExtent(after) || before.unit !== after.unit) return null;
  // Most findings of a later run are as they were: nothing is added then, and no member hashed.
  if (sameExtent(before, after)) return null;
  const legacy = (before.members.length < before.count && before.hashes === undefined) || (after.members.length < after.count && after.hashes === undefined);
  if (legacy) return legacyWidened(before, after);
  const names = new Set(before.members);
  const hashes = new Set([...before.members.map(memberHash), ...(before.hashes ?? []).map((h) => h.split(':')[0])]);
  const had = (m: string) => names.has(m) || hashes.has(memberHash(m));
  const named = after.members.filter((m) => !had(m) && !coveringMembers(m).some(had));
  const others = (after.hashes ?? []).filter((h) => {
    const [own, covers = ''] = h.split(':');
    return !hashes.has(own) && !covers.split(',').some((c) => hashes.has(c));
  }).length;
  return named.length + others > 0 ? { named, others } : null;
}

/**
 * Whether two extents say the same of their members (count, listing, hashes, digest alike):
 * then every listed member of `after` is listed in `before` and every hash held by it, so
 * neither a member nor a hash was added. A compare of strings, no hashing.
 */
function sameExtent(a: FindingExtent, b: FindingExtent): boolean {
  const same = (x: readonly string[] | undefined, y: readonly string[] | undefined) => x === y || (x !== undefined && y !== undefined && x.length === y.length && x.every((v, i) => v === y[i]));
  return a.count === b.count && a.digest === b.digest && same(a.members, b.members) && same(a.hashes, b.hashes);
}

function legacyWidened(before: FindingExtent, after: FindingExtent): AddedMembers | null {
  const complete = before.members.length >= before.count;
  const last = before.members[before.members.length - 1];
  const had = new Set(before.members);
  const named = after.members.filter((m) => !had.has(m) && (complete || (last !== undefined && m < last)));
  if (named.length > 0 || after.count > before.count) return { named, others: 0 };
  if (after.count === before.count && after.digest !== undefined && before.digest !== undefined && after.digest !== before.digest) return { named, others: 0 };
  return null;
}

/** "now also Deployment shop/api (3 → 4 workloads)": what a widening added, as a row says it. */
export function widenedMembersText(d: Pick<WidenedFinding, 'unit' | 'before' | 'after' | 'added' | 'others'>): string {
  const others = d.others ? `${d.others} other ${d.others === 1 ? d.unit.replace(/ies$/, 'y').replace(/s$/, '') : d.unit}` : '';
  const what = d.added.length > 0 ? `now also ${d.added.join(', ')}${others ? `, and ${others}` : ''}` : others ? `now covers ${others}` : `now covers more ${d.unit}`;
  return `${what} (${d.before} → ${d.after} ${d.unit})`;
}
