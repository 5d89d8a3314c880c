// --sarif-max-results and --junit-max-finding-cases: what report.sarif and report.junit.xml hold
// at most, for `run`, `serve` and `report` (over reports.sarifMaxResults and
// reports.junitMaxFindingCases in ztaudit.yaml, which `report` does not read).
import type { Command } from 'commander';
import { ConfigError } from '../base/errors.ts';
import { oneLine } from '../base/plain-text.ts';
import type { Config } from '../config/types.ts';
import { GITHUB_SARIF_MAX_RESULTS, JUNIT_MAX_FINDING_CASES, SARIF_MAX_RESULTS, sarifAboveGithubText } from '../run/output-limits.ts';

export interface ReportLimitFlags { sarifMaxResults?: string; junitMaxFindingCases?: string }
export type ReportLimits = Config['reports'];

export function addReportLimitOptions(cmd: Command): Command {
  return cmd
    .option('--sarif-max-results <n>', `at most N results in report.sarif, the most severe kept (default: reports.sarifMaxResults, else ${SARIF_MAX_RESULTS.toLocaleString('en-US')}: GitHub code scanning rejects a run of more)`)
    .option('--junit-max-finding-cases <n>', `at most N findings listed one by one in report.junit.xml, the most severe kept (default: reports.junitMaxFindingCases, else ${JUNIT_MAX_FINDING_CASES.toLocaleString('en-US')})`);
}

/** A flag's value as a whole number of at least 1, or a one-line error naming the flag. */
function count(flag: string, value: string): number {
  if (!/^[0-9]+$/.test(value.trim()) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) throw new ConfigError(oneLine(`${flag} ${JSON.stringify(value)}: must be a whole number of at least 1`));
  return Number(value);
}

/**
 * The caps `base` (the config's, or the defaults) as the flags change them; `warn` is told when the
 * SARIF cap is above what GitHub code scanning takes (the config's own is warned about by its validation).
 */
export function reportLimitsOf(flags: ReportLimitFlags, base: ReportLimits, warn: (line: string) => void): ReportLimits {
  const limits = { ...base };
  if (flags.sarifMaxResults !== undefined) {
    limits.sarifMaxResults = count('--sarif-max-results', flags.sarifMaxResults);
    if (limits.sarifMaxResults > GITHUB_SARIF_MAX_RESULTS) warn(`--sarif-max-results: ${sarifAboveGithubText(limits.sarifMaxResults)}`);
  }
  if (flags.junitMaxFindingCases !== undefined) limits.junitMaxFindingCases = count('--junit-max-finding-cases', flags.junitMaxFindingCases);
  return limits;
}
