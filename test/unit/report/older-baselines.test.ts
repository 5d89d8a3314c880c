// After a partial run, the checks it could not evaluate are compared with an older run
// (RunDiff.olderBaselines; DESIGN.md: a check is diffed against the last run in which it was
// evaluated). What they find new may date from anywhere since that older run, so every output
// that says "since <previous run>" also says, in one line, which runs those checks were
// compared with — bounded to three runs named.
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { printScoreTable } from '../../../src/cli/score-table.ts';
import { buildEmail } from '../../../src/notify/email.ts';
import { buildSlackMessage } from '../../../src/notify/slack.ts';
import { renderHtml } from '../../../src/report/html.ts';
import { renderMarkdown } from '../../../src/report/markdown.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { buildRun } from './fixtures.ts';

const BLIND = '20261125T020000Z-4d707a';
const FULL = '20261123T020000Z-eab3ca';

function withOlderBaselines(olderBaselines: Record<string, string>): RunReport {
  const { report } = buildRun();
  report.diff = { ...report.diff!, previousRunId: BLIND, olderBaselines };
  return report;
}

const rbac = (n: number, run: string) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`rbac.check-${i}`, run]));
const ONE_RUN = rbac(17, FULL);
const NOTE = `17 checks compared with run ${FULL} (not evaluated in ${BLIND})`;

function scoreTable(report: RunReport): string {
  let out = '';
  const io: CliIO = { stdout: (t) => { out += t; }, stderr: () => {}, env: {}, isTTY: false, cwd: '/' };
  printScoreTable(report, io);
  return out;
}

describe('checks compared with an older run than the previous one', () => {
  it('the terminal summary says so under its "since" line', () => {
    const out = scoreTable(withOlderBaselines(ONE_RUN));
    expect(out).toMatch(new RegExp(`since ${BLIND}: .*\\n${NOTE.replace(/[()]/g, '\\$&')}\\n`));
  });

  it('report.md, report.html, the Slack thread and both parts of the email say so', () => {
    const report = withOlderBaselines(ONE_RUN);
    expect(renderMarkdown(report)).toContain(`(previous run \`${BLIND}\`).\n\n17 checks compared with run ${FULL} \\(not evaluated in ${BLIND}\\).\n`);
    expect(renderHtml(report)).toContain(`<div class="banner info older-baselines">${NOTE}.</div>`);
    const resolved = buildSlackMessage(report).thread.blocks.map((b) => JSON.stringify(b)).find((b) => b.includes('Resolved since run'));
    expect(JSON.parse(resolved!).text.text).toContain(`\n${NOTE}`);
    const email = buildEmail(report, false);
    expect(email.text).toContain(`\n${NOTE}\n`);
    expect(email.html).toContain(`id="older-baselines">${NOTE}.</p>`);
  });

  it('groups by run, most checks first, and names at most three runs', () => {
    const runs = ['20261120T020000Z-aaaaaa', '20261121T020000Z-bbbbbb', '20261122T020000Z-cccccc', '20261119T020000Z-dddddd', '20261118T020000Z-eeeeee'];
    const report = withOlderBaselines({ ...rbac(5, runs[0]), 'tls.a': runs[1], 'tls.b': runs[1], 'mtls.a': runs[2], 'mtls.b': runs[2], 'network.a': runs[3], 'network.b': runs[4] });
    const line = `5 checks compared with run ${runs[0]}, 2 compared with run ${runs[1]}, 2 compared with run ${runs[2]}, and 2 with 2 more runs (not evaluated in ${BLIND})`;
    expect(scoreTable(report)).toContain(`\n${line}\n`);
    expect(buildEmail(report, false).text).toContain(`\n${line}\n`);
  });

  it('a stored run that could not be read and was passed over (RunDiff.unreadableRuns) is named in every output, before the checks compared with older runs', () => {
    const BAD = '20261126T020000Z-badbad';
    const only = withOlderBaselines({});
    only.diff!.unreadableRuns = [BAD];
    const PASSED = `Compared with older runs because stored run ${BAD} could not be read (passed over)`;
    expect(scoreTable(only)).toMatch(new RegExp(`since ${BLIND}: .*\\n${PASSED.replace(/[()]/g, '\\$&')}\\n`));
    expect(renderMarkdown(only)).toContain(`${PASSED.replace(/[()]/g, '\\$&')}.`);
    expect(renderHtml(only)).toContain(`<div class="banner info older-baselines">${PASSED}.</div>`);
    expect(buildEmail(only, false).text).toContain(`\n${PASSED}\n`);
    const both = withOlderBaselines(ONE_RUN);
    both.diff!.unreadableRuns = [BAD];
    const resolved = buildSlackMessage(both).thread.blocks.map((b) => JSON.stringify(b)).find((b) => b.includes('Resolved since run'));
    expect(JSON.parse(resolved!).text.text).toContain(`\n${PASSED}; ${NOTE}`);
  });

  it('says nothing when every check was compared with the previous run', () => {
    const report = withOlderBaselines({});
    expect(scoreTable(report)).not.toContain('compared with run');
    expect(renderMarkdown(report)).not.toContain('compared with run');
    expect(renderHtml(report)).not.toContain('older-baselines');
    expect(buildEmail(report, false).text).not.toContain('compared with run');
  });
});
