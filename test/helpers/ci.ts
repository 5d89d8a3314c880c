// The one answer to "are we in CI?", and what a tier does when its prerequisites are missing:
// outside CI it says so loudly and skips; in CI (CI=true, CI=1, any value but "", "0" and
// "false") nothing may skip, so it fails.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function inCI(env: Record<string, string | undefined> = process.env): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** Throws under CI; otherwise prints a banner no one can miss. `what` names the suite, `why` the missing piece. */
export function skipOrFail(what: string, why: string, env: Record<string, string | undefined> = process.env): void {
  if (inCI(env)) throw new Error(`${what} cannot run under CI: ${why}`);
  const bar = '!'.repeat(78);
  process.stderr.write(`\n${bar}\nSKIPPED: ${what}: ${why}\n${bar}\n\n`);
}

/** ../shared/conformance beside the repository: upstream test data, not committed here. */
export const SHARED_CONFORMANCE = join(import.meta.dirname, '..', '..', '..', 'shared', 'conformance');

/**
 * The directory of one upstream conformance data set, or null after a loud skip (outside CI
 * only: in CI a missing data set fails the suite). Every conformance suite goes through here.
 */
export function conformanceData(name: string, marker = 'index.json', root = SHARED_CONFORMANCE, env: Record<string, string | undefined> = process.env): string | null {
  const dir = join(root, name);
  if (existsSync(join(dir, marker))) return dir;
  skipOrFail(`conformance suite "${name}"`, `${join(dir, marker)} is missing (upstream test data is expected in ../shared/conformance beside the repository)`, env);
  return null;
}
