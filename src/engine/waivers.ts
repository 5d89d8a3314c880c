// Waivers: an accepted risk with an owner, a reason and an expiry. A waived failure is shown
// and not scored; an expired waiver turns its finding back on (and the diff calls that a
// regression); one expiring within 14 days is listed; one that matches nothing is a warning,
// unless its check was not evaluated: missing data is not a fix.
// An expiry date is a whole day, UTC: "expires: 2027-03-31" holds through 23:59:59.999 UTC.
// The rules live in src/run/waivers.ts, where the stores, the fleet and /metrics (which may not
// import the engine) apply the same ones to carried findings.
export { EXPIRING_SOON_DAYS, expiryState, waiverMatches, waiverNamesResource, applyWaivers, openCarried, type WaiverApplication, type WaivedCheckOutcome } from '../run/waivers.ts';
