// When a waiver's expiry date has passed, with one rule for the run that states its waivers
// and every reader that restates them later (the fleet report): a finding whose waiver has
// since expired counts again. The findings a partial run carries are waived by its own config
// (openCarried in src/run/waivers.ts); isOpenAt goes by the waiver stored with a finding,
// for where no config is at hand (the fleet, when the latest run cannot be read).
// An expiry date is a whole day, UTC: "expires: 2027-03-31" holds through 23:59:59.999 UTC.
import type { Finding } from './types.ts';

export const EXPIRING_SOON_DAYS = 14;

/** End of the expiry day, UTC: a waiver "expires: 2027-03-31" still holds on March 31st. */
function expiryInstant(expires: string): number {
  return Date.parse(`${expires}T23:59:59.999Z`);
}

/**
 * Where a waiver's expiry stands at `now`: expired after its day (UTC), expiring-soon within
 * EXPIRING_SOON_DAYS of the end of it, else active. A run states it at its start; the fleet
 * report restates a stored run's waivers at its own time with this same rule.
 */
export function expiryState(expires: string, now: Date): 'expired' | 'expiring-soon' | 'active' {
  const until = expiryInstant(expires);
  return until < now.getTime() ? 'expired' : until - now.getTime() <= EXPIRING_SOON_DAYS * 86_400_000 ? 'expiring-soon' : 'active';
}

/**
 * Whether a stored finding counts as open at `now`: not waived in its run, or waived by a
 * waiver that has expired since (a stored run keeps the waiver it was waived by).
 */
export function isOpenAt(f: Pick<Finding, 'waived' | 'waiver'>, now: Date): boolean {
  return !f.waived || (f.waiver !== undefined && expiryState(f.waiver.expires, now) === 'expired');
}
