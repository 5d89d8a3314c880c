// The diff's newlyWaived and the widened-waiver regression, as each output shows them: a
// ServiceAccount newly bound to a ClusterRole that a waiver names must not pass unseen.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../../src/report/html.ts';
import { renderMarkdown } from '../../../src/report/markdown.ts';
import { buildEmail } from '../../../src/notify/email.ts';
import { buildSlackMessage } from '../../../src/notify/slack.ts';
import { roleWaiver, twoRuns, waiverOn } from '../diff/widened-waiver.ts';

const REASON = 'waiver rbac.wildcard-permission ClusterRole ci-deployer now also covers ServiceAccount ci/new-sa (new high finding)';
const html = (r: ReturnType<typeof twoRuns>) => renderHtml(r).replace(/<wbr>/g, '');
const slackText = (r: ReturnType<typeof twoRuns>) => {
  const m = buildSlackMessage(r);
  return { main: JSON.stringify(m.blocks), thread: JSON.stringify(m.thread.blocks) };
};
/** The section of the HTML report listing the newly waived findings. */
const newlyWaivedTable = (page: string) => page.match(/<table class="newly-waived[\s\S]*?<\/table>/)?.[0] ?? '';

describe('a new ServiceAccount bound to a waived ClusterRole', () => {
  const report = twoRuns([roleWaiver]);

  it('report.json carries newlyWaived, valid against the schema', () => {
    const schema = JSON.parse(readFileSync(new URL('../../../schemas/report.schema.json', import.meta.url), 'utf8'));
    const validate = new Ajv2020({ allErrors: true, strict: true, validateFormats: false }).compile(schema);
    const written = JSON.parse(JSON.stringify(report));
    expect(written.diff.newlyWaived).toHaveLength(1);
    expect(validate(written), JSON.stringify(validate.errors)).toBe(true);
  });

  it('the HTML report raises the regression and lists the finding with its waiver', () => {
    const page = html(report);
    expect(page).toContain('<strong>Regression.</strong>');
    expect(page).toContain(`<li>${REASON}</li>`);
    const table = newlyWaivedTable(page);
    expect(table).toContain('<code>ServiceAccount ci/new-sa</code>');
    expect(table).toContain('<code>ClusterRole ci-deployer</code> <b>covers it only through related objects</b>');
    expect(table).not.toContain('ci/deployer');
  });

  it('report.md raises the regression and lists the finding', () => {
    const md = renderMarkdown(report);
    expect(md).toContain(`**Regression**: ${REASON.replace(/[()]/g, '\\$&')}`);
    expect(md).toContain('- `rbac.wildcard-permission` on ServiceAccount ci/new-sa: waiver on ClusterRole ci-deployer **covers it only through related objects**');
  });

  it('Slack alerts it and lists it in the thread; email alerts it and lists it', () => {
    const { main, thread } = slackText(report);
    expect(main).toContain('ztaudit: Compliance regression');
    expect(main).toContain(REASON);
    expect(thread).toContain('*New findings a waiver covers* (1, not scored)');
    expect(thread).toContain('`ServiceAccount ci/new-sa`: waiver on `ClusterRole ci-deployer` *covers it only through related objects*');
    const mail = buildEmail(report, false);
    expect(mail.subject).toMatch(/^\[ztaudit\] Regression on /);
    expect(mail.text).toContain(`- ${REASON}`);
    expect(mail.text).toContain('- rbac.wildcard-permission ServiceAccount ci/new-sa: waiver on ClusterRole ci-deployer covers it only through related objects');
    expect(mail.html).toContain('id="newly-waived"');
  });
});

describe('a new finding its waiver names', () => {
  it('is listed as covered by name, and no output calls it a regression', () => {
    const report = twoRuns([waiverOn({ kind: 'ServiceAccount', namespace: 'ci', name: '*' })]);
    const page = html(report);
    expect(page).not.toContain('<strong>Regression.</strong>');
    expect(newlyWaivedTable(page)).toContain('<code>ServiceAccount ci/*</code> names it');
    expect(renderMarkdown(report)).toContain('No regression.');
    expect(slackText(report).main).toContain('ztaudit: Compliance report');
  });
});

describe('many newly waived findings', () => {
  const sas = Array.from({ length: 30 }, (_, i) => `new-${String(i).padStart(2, '0')}`);
  const report = twoRuns([roleWaiver], ['deployer', ...sas]);

  it('are capped in every message and counted', () => {
    expect(report.diff!.newlyWaived).toHaveLength(30);
    // The regression reasons: 20, then a count.
    expect(report.diff!.regressionReasons).toHaveLength(21);
    expect(report.diff!.regressionReasons[20]).toBe('…and 10 more new findings of severity high or worse that waivers cover only through related objects');
    const md = renderMarkdown(report, { maxFindings: 20 });
    expect(md.match(/^- `rbac\.wildcard-permission` on /gm)).toHaveLength(20);
    expect(md).toContain('…and 10 more in report.json.');
    const { thread } = slackText(report);
    expect(thread.match(/• `rbac\.wildcard-permission` on /g)).toHaveLength(10);
    expect(thread).toContain('…and 20 more in report.json');
    const mail = buildEmail(report, false);
    expect(mail.text.match(/^- rbac\.wildcard-permission ServiceAccount/gm)).toHaveLength(15);
    expect(mail.text).toContain('…and 15 more');
  });
});

describe('hostile names', () => {
  it('are escaped in the newly waived list of each format', () => {
    const report = twoRuns([roleWaiver], ['deployer', 'x<img src=y>*_`@here']);
    expect(report.diff!.newlyWaived).toHaveLength(1);
    const page = html(report);
    expect(newlyWaivedTable(page)).toContain('x&lt;img src&#x3D;y&gt;');
    expect(page).not.toContain('<img src=y>');
    const md = renderMarkdown(report);
    expect(md).toContain('- `rbac.wildcard-permission` on ServiceAccount ci/x&lt;img src=y&gt;\\*\\_\\`&#64;here: waiver on');
    expect(md).not.toContain('<img');
    expect(slackText(report).thread).not.toContain('<img');
  });
});
