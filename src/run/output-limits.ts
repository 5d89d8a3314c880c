// What a CI dashboard accepts of one report, and which findings a report cut to that size keeps.
// GitHub code scanning rejects a SARIF run of more than 25,000 results ("Analysis SARIF file
// rejected due to result limits", docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit);
// GitLab reads a JUnit report only under 30 MB (docs.gitlab.com/ci/testing/unit_test_reports).
// A report cut to its limit keeps the most severe findings, critical first, the new before the
// persisting, the open before the waived; report.json always has them all.
import { SEVERITIES, type Severity } from '../base/vocabulary.ts';
import type { CarriedFindings, RunReport } from './types.ts';

// The caps and GitHub's limit are in src/base/output-limits.ts (ztaudit.yaml's defaults and validation read them too).
import { GITHUB_SARIF_MAX_RESULTS, SARIF_MAX_RESULTS, capSourceText } from '../base/output-limits.ts';

/** A finding as the cut ranks it. */
export interface Rankable { severity: Severity; waived?: boolean }

/** Ranks: severity, then new before not new, then open before waived (0 is kept first). */
const RANKS = SEVERITIES.length * 4;
const SEVERITY_INDEX = new Map<string, number>(SEVERITIES.map((s, i) => [s, i]));

export function rankOf(f: Rankable, isNew: boolean): number {
  return (SEVERITY_INDEX.get(f.severity) ?? SEVERITIES.length - 1) * 4 + (isNew ? 0 : 2) + (f.waived ? 1 : 0);
}

/**
 * Which of `total` findings, ranked by `rankOf`, a report of at most `limit` keeps: counted in
 * one pass, kept in a second in the same order (`keeps(rank)`, once per finding): every one of
 * a rank above the cut, the first ones of the rank it cuts. O(findings), no sort: the report
 * keeps its order.
 */
export class Cut {
  readonly total: number;
  readonly kept: number;
  readonly limit: number;
  private readonly allowance: number[];

  constructor(ranks: Iterable<number>, limit: number) {
    this.limit = limit;
    const counts = new Array<number>(RANKS).fill(0);
    let total = 0;
    for (const r of ranks) { counts[r]!++; total++; }
    this.total = total;
    let room = limit;
    this.allowance = counts.map((n) => { const k = Math.min(n, room); room -= k; return k; });
    this.kept = Math.min(total, limit);
  }

  get leftOut(): number {
    return this.total - this.kept;
  }

  /** Whether the next finding of rank `rank` (in the order they were counted) is kept. */
  keeps(rank: number): boolean {
    if (this.allowance[rank]! === 0) return false;
    this.allowance[rank]!--;
    return true;
  }
}

/** How many results report.sarif would have, and how many of them it leaves out at `limit` (SARIF_MAX_RESULTS unless configured). O(findings). */
export function sarifResultCount(report: Pick<RunReport, 'findings'>, carried: readonly CarriedFindings[] = [], limit = SARIF_MAX_RESULTS): { total: number; leftOut: number } {
  const total = report.findings.length + carried.reduce((n, c) => n + c.findings.length + (c.waived?.length ?? 0), 0);
  return { total, leftOut: Math.max(0, total - limit) };
}

/**
 * The notification (and CLI warning) of a log cut to its limit; `from` is what set the limit
 * (--sarif-max-results, reports.sarifMaxResults), absent for the default.
 */
export function sarifLeftOutText({ total, leftOut, limit, from }: { total: number; leftOut: number; limit: number; from?: string | undefined }): string {
  const why = limit === GITHUB_SARIF_MAX_RESULTS && from === undefined ? `GitHub code scanning rejects a run of more than ${limit.toLocaleString('en-US')}` : `it holds at most ${limit.toLocaleString('en-US')} ${capSourceText(from)}`;
  return `report.sarif lists ${(total - leftOut).toLocaleString('en-US')} of ${total.toLocaleString('en-US')} results: ${why}, so the ${leftOut.toLocaleString('en-US')} least severe (low before medium, persisting before new, waived before open) are left out; report.json has every finding`;
}
