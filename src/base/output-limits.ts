// What report.sarif and report.junit.xml hold at most unless configured (reports.sarifMaxResults,
// reports.junitMaxFindingCases, src/config), and GitHub code scanning's own limit. Which findings a
// capped report keeps is src/run/output-limits.ts's.
/**
 * GitHub code scanning's upload limit: "Results per run", 25,000, of which only the top 5,000 are
 * included ("SARIF support for code scanning", upload limits,
 * docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning).
 */
export const GITHUB_SARIF_MAX_RESULTS = 25_000;

/**
 * At most this many results in report.sarif's run unless configured (reports.sarifMaxResults,
 * --sarif-max-results): GitHub code scanning rejects a run of more.
 */
export const SARIF_MAX_RESULTS = GITHUB_SARIF_MAX_RESULTS;

/** The warning for a SARIF cap above what GitHub code scanning accepts. */
export function sarifAboveGithubText(limit: number): string {
  return `${limit.toLocaleString('en-US')} is more than GitHub code scanning takes (${GITHUB_SARIF_MAX_RESULTS.toLocaleString('en-US')} results per run): a report.sarif with more results is rejected on upload; fine for other SARIF readers`;
}

/**
 * At most this many testcases of single findings in report.junit.xml; the others of a check are
 * one summarising testcase. With each testcase's text clipped (src/report/junit.ts JUNIT_CLIP) the file
 * stays well under GitLab's 30 MB.
 */
export const JUNIT_MAX_FINDING_CASES = 2_500;

/**
 * The largest cap reports.sarifMaxResults, reports.junitMaxFindingCases and their flags take:
 * 10,000,000. A cap is meant to bound a file; above this it bounds nothing a run can produce (a
 * SARIF result is at least ~1 KB, so 10 million of them are ~10 GB, more than any SARIF or JUnit
 * reader loads), and a larger value is more likely a typo. Well below 2^53: every value is exact.
 */
export const MAX_REPORT_CAP = 10_000_000;

/** Why a cap above MAX_REPORT_CAP is refused (the schema's description of the two keys, the flags' error). */
export const MAX_REPORT_CAP_SAYS = 'too large: a cap bounds a report file, and no SARIF or JUnit reader loads ten million results';

/** The error for a flag's cap above MAX_REPORT_CAP, worded as the config's (`<key>: N is more than 10000000 (…)`). */
export function capTooLargeText(flag: string, value: string): string {
  return `${flag} ${JSON.stringify(value)}: is more than ${MAX_REPORT_CAP} (${MAX_REPORT_CAP_SAYS})`;
}

/** Where a cap came from, in parentheses, as a cut report names it: the flag or key that set it, else the default. */
export function capSourceText(from: string | undefined): string {
  return from === undefined ? '(the default)' : `(${from})`;
}
