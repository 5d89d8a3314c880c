// --sarif-max-results and --junit-max-finding-cases: what report.sarif and report.junit.xml hold
// at most, for `run`, `serve` and `report` (over reports.sarifMaxResults and
// reports.junitMaxFindingCases in ztaudit.yaml, which `report` does not read: its help says so).
import type { Command } from 'commander';
import { ConfigError } from '../base/errors.ts';
import { oneLine } from '../base/plain-text.ts';
import type { Config } from '../config/types.ts';
import { GITHUB_SARIF_MAX_RESULTS, JUNIT_MAX_FINDING_CASES, MAX_REPORT_CAP, SARIF_MAX_RESULTS, capTooLargeText, sarifAboveGithubText } from '../base/output-limits.ts';

export interface ReportLimitFlags { sarifMaxResults?: string; junitMaxFindingCases?: string }
export type ReportLimits = Config['reports'];

const SARIF_FLAG = '--sarif-max-results';
const JUNIT_FLAG = '--junit-max-finding-cases';

/**
 * The two flags on `cmd`. `readsConfig`: whether the command reads ztaudit.yaml (`run`, `serve`),
 * whose reports keys are then the default; `report` reads none, and its help says so.
 */
export function addReportLimitOptions(cmd: Command, readsConfig = true): Command {
  const sarifDefault = `${SARIF_MAX_RESULTS.toLocaleString('en-US')}: GitHub code scanning rejects a run of more`;
  const junitDefault = JUNIT_MAX_FINDING_CASES.toLocaleString('en-US');
  const most = `at most ${MAX_REPORT_CAP.toLocaleString('en-US')}`;
  return cmd
    .option(`${SARIF_FLAG} <n>`, `at most N results in report.sarif, the most severe kept, ${most} (default: ${readsConfig ? `reports.sarifMaxResults, else ${sarifDefault}` : `${sarifDefault}; ztaudit.yaml is not read`})`)
    .option(`${JUNIT_FLAG} <n>`, `at most N findings listed one by one in report.junit.xml, the most severe kept, ${most} (default: ${readsConfig ? `reports.junitMaxFindingCases, else ${junitDefault}` : `${junitDefault}; ztaudit.yaml is not read`})`);
}

/** A flag's value as a whole number from 1 to MAX_REPORT_CAP, or a one-line error naming the flag. */
function count(flag: string, value: string): number {
  const text = value.trim();
  if (!/^[0-9]+$/.test(text) || Number(text) < 1) throw new ConfigError(oneLine(`${flag} ${JSON.stringify(value)}: must be a whole number of at least 1`));
  // Compared as digits, not as a Number: 9007199254740993 is not one (it rounds).
  const digits = text.replace(/^0+/, '');
  if (digits.length > String(MAX_REPORT_CAP).length || Number(digits) > MAX_REPORT_CAP) throw new ConfigError(oneLine(capTooLargeText(flag, value)));
  return Number(digits);
}

/**
 * The caps `base` (the config's, or the defaults) as the flags change them, each with what set it
 * (sarifMaxResultsFrom, junitMaxFindingCasesFrom: the flag, else base's); `warn` is told when the
 * SARIF cap is above what GitHub code scanning takes (the config's own is warned about by its validation).
 */
export function reportLimitsOf(flags: ReportLimitFlags, base: ReportLimits, warn: (line: string) => void): ReportLimits {
  const limits = { ...base };
  if (flags.sarifMaxResults !== undefined) {
    limits.sarifMaxResults = count(SARIF_FLAG, flags.sarifMaxResults);
    limits.sarifMaxResultsFrom = SARIF_FLAG;
    if (limits.sarifMaxResults > GITHUB_SARIF_MAX_RESULTS) warn(`${SARIF_FLAG}: ${sarifAboveGithubText(limits.sarifMaxResults)}`);
  }
  if (flags.junitMaxFindingCases !== undefined) {
    limits.junitMaxFindingCases = count(JUNIT_FLAG, flags.junitMaxFindingCases);
    limits.junitMaxFindingCasesFrom = JUNIT_FLAG;
  }
  return limits;
}

/**
 * The config's caps with what set them: the key, when ztaudit.yaml gave a value other than the
 * default (a value equal to the default caps alike, and is credited to the default).
 */
export function configLimits(reports: ReportLimits): ReportLimits {
  return {
    ...reports,
    ...(reports.sarifMaxResultsFrom === undefined && reports.sarifMaxResults !== SARIF_MAX_RESULTS ? { sarifMaxResultsFrom: 'reports.sarifMaxResults' } : {}),
    ...(reports.junitMaxFindingCasesFrom === undefined && reports.junitMaxFindingCases !== JUNIT_MAX_FINDING_CASES ? { junitMaxFindingCasesFrom: 'reports.junitMaxFindingCases' } : {}),
  };
}
