// The extent of a finding that stands for several objects: one default-deny finding per
// namespace lists its unisolated workloads, one RBAC finding per subject its dangerous
// permissions. Its fingerprint and severity stay the same when one more workload loses its
// deny-all, so without the extent the diff would call that "persisting" and say nothing: a
// backdoor hidden from the alert. Bounded: the count, the first EXTENT_LISTED members in sorted
// order (as many as the evidence lists), and past that a digest of them all, so a namespace of
// 5,000 unisolated workloads costs what one of 20 does, and only aggregating findings carry one.
import { hash } from 'node:crypto';
import type { FindingExtent } from './types.ts';

/** At most this many members are listed in an extent; past it, the count and a digest tell. */
export const EXTENT_LISTED = 20;
/** At most this many added members are named per widened finding. */
export const EXTENT_NAMED = 5;

/** The extent of `members` (duplicates counted once), as a finding carries it. */
export function extentOf(unit: string, members: Iterable<string>): FindingExtent {
  const all = [...new Set(members)].sort();
  const extent: FindingExtent = { unit, count: all.length, members: all.slice(0, EXTENT_LISTED) };
  if (all.length > EXTENT_LISTED) extent.digest = hash('sha256', all.join('\u0000'), 'hex').slice(0, 16);
  return extent;
}

/** A short digest of everything an extent tells of its members (its listing and past it). */
export function extentDigest(e: unknown): string {
  if (!isExtent(e)) return '';
  return hash('sha256', JSON.stringify([e.unit, e.count, e.members, e.digest ?? null]), 'hex').slice(0, 16);
}

/** Whether `e` has an extent's shape (a stored run may have been edited by hand). */
export function isExtent(e: unknown): e is FindingExtent {
  if (typeof e !== 'object' || e === null) return false;
  const x = e as Record<string, unknown>;
  return typeof x.unit === 'string' && typeof x.count === 'number' && Number.isInteger(x.count) && x.count >= 0
    && Array.isArray(x.members) && x.members.every((m) => typeof m === 'string') && x.members.length <= x.count
    && (x.digest === undefined || typeof x.digest === 'string');
}

/**
 * What `after` covers that `before` did not: the added members its listing proves new (sorted,
 * all of them; the caller names the first few), or an empty list when it covers more or other
 * members that neither listing names; null when it did not widen. A member `before` does not
 * list is new only when `before` lists all of its members, or the member sorts before the last
 * one it lists (it lists a sorted prefix). Fewer members, or the same ones, is no widening.
 */
export function widenedMembers(before: unknown, after: unknown): string[] | null {
  if (!isExtent(before) || !isExtent(after) || before.unit !== after.unit) return null;
  const complete = before.members.length >= before.count;
  const last = before.members[before.members.length - 1];
  const had = new Set(before.members);
  const added = after.members.filter((m) => !had.has(m) && (complete || (last !== undefined && m < last)));
  if (added.length > 0 || after.count > before.count) return added;
  // The same number, other members (digests differ): one left, another came.
  if (after.count === before.count && after.digest !== undefined && before.digest !== undefined && after.digest !== before.digest) return added;
  return null;
}
