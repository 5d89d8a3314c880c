// Subjects with names of thousands of characters (3,000 "Ж", an index, 500 U+200B) bound to
// cluster-admin, in a cluster whose name is 400 characters: a finding's line in the Slack alert
// grew past a whole section, so "Top new findings" listed nothing and said "…and 300 more in the
// thread", and a line cut at Slack's section limit left an inline code span open, turning the
// text after it into code. Slack refuses a section text above 3,000 characters
// (https://api.slack.com/reference/block-kit/blocks#section).
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { notifySlack } from '../../../src/notify/slack.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { buildRun } from '../report/fixtures.ts';
import { startFakeSlack, type FakeSlack } from './slack-server.ts';

const CLUSTER = 'C'.repeat(400);
const userName = (i: number) => `${'Ж'.repeat(3000)}${i}${'\u200b'.repeat(500)}`;

function audit(i: number, users: number, previous?: RunReport, name = userName): RunReport {
  const objects: KubeObject[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'evil' } }];
  if (users > 0) {
    objects.push({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'x'.repeat(253) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: Array.from({ length: users }, (_, k) => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: name(k) })),
    });
  }
  const at = new Date(Date.UTC(2026, 11, 7, 13, 0, i));
  const snapshot = snapshotFromObjects(objects, { clusterName: CLUSTER, clusterVersion: 'v1.36.3', collectedAt: at.toISOString() });
  const report = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now: at, startedAt: at, runId: `run-${i}` }).report;
  if (previous) report.diff = diffRuns(previous, report, { rules: defaultConfig().regression, expiredWaivers: [] });
  return report;
}

/** Every inline code span closed, every section within Slack's limit; the section texts of every post. */
function sectionsOf(calls: FakeSlack['calls']): string[] {
  const posts = calls.filter((c) => c.path.endsWith('chat.postMessage'));
  expect(posts).toHaveLength(2); // the alert and its thread reply
  const texts = posts.flatMap((p) => (p.fields.blocks as Array<{ text?: { text: string } }>).flatMap((b) => (b.text ? [b.text.text] : [])));
  for (const t of texts) {
    expect(t.length).toBeLessThanOrEqual(3000);
    expect((t.match(/`/g) ?? []).length % 2, `an inline code span left open: ${t.slice(-200)}`).toBe(0);
  }
  return texts;
}

let slack: FakeSlack;
beforeEach(async () => { slack = await startFakeSlack(); });
afterEach(async () => { await slack.close(); });

it('lists the top new finding with its name cut (not "…and N more" of nothing), every inline code span closed, every section within 3,000 characters', async () => {
  const report = audit(2, 30, audit(1, 0));
  expect(report.diff!.new.length).toBeGreaterThan(30);
  expect((await notifySlack(report, { token: 'xoxb-t', channel: 'C1', apiUrl: slack.apiUrl, policy: 'always' })).status).toBe('sent');
  const texts = sectionsOf(slack.calls);
  const top = texts.find((t) => t.startsWith('*Top new findings*'))!;
  const [, first, ...rest] = top.split('\n');
  // The most severe new finding is listed, its subject's name cut to 200 characters with an ellipsis.
  expect(first).toMatch(/^:red_circle: \*critical\* `rbac\.cluster-admin-binding` on `User Ж{194}…`: /);
  expect([...texts.slice(texts.indexOf(top) + 1), ...rest].join('\n')).toMatch(/…and \d+ more in the thread/);
  const thread = texts.find((t) => t.startsWith('*New findings*'))!;
  expect(thread.split('\n')[1]).toMatch(/^:red_circle: \*critical\* `rbac\.cluster-admin-binding` on `User Ж{194}…`: /);
});

// A name of control characters is shown escaped, six characters each (\u0001): a line of 200 of
// them and a message naming it outgrows a section, and is cut. The top finding still stays listed
// beside "…and N more", cut to make room for it, its code spans closed.
it('a line longer than a section is cut, not dropped for the "…and N more" line, its code spans closed', async () => {
  const report = audit(2, 30, audit(1, 0), (i) => `${'\u0001'.repeat(3000)}${i}`);
  expect((await notifySlack(report, { token: 'xoxb-t', channel: 'C1', apiUrl: slack.apiUrl, policy: 'always' })).status).toBe('sent');
  const texts = sectionsOf(slack.calls);
  // The heading shares the line's section, or stands alone before it.
  const i = texts.findIndex((t) => t.startsWith('*Top new findings*'));
  const listed = texts[i] === '*Top new findings*' ? texts[i + 1]! : texts[i]!;
  expect(listed).toMatch(/^(\*Top new findings\*\n)?:red_circle: \*critical\* `rbac\.cluster-admin-binding` on `User (\\u0001){194}…`: /);
  expect(listed).toMatch(/…and \d+ more in the thread$/);
});

// A waiver's glob covering a subject of thousands of characters, in the thread's "New findings a
// waiver covers": the line outgrew a section and was cut inside an inline code span (which has to
// be closed after the ellipsis, or it pairs with the next backtick). Both names are now cut to 200
// characters, so the line stays whole under its heading.
it('a waived row naming a long subject and a long glob shows both cut, whole under its heading', async () => {
  const { report } = buildRun();
  report.diff!.newlyWaived = [{
    fingerprint: 'f'.repeat(16), check: 'rbac.cluster-admin-binding', resource: { kind: 'User', name: 'Ж'.repeat(3500) },
    waiver: { check: 'rbac.cluster-admin-binding', resource: { kind: 'User', name: `${'Ж'.repeat(3000)}*` } }, throughRelated: false,
  }];
  expect((await notifySlack(report, { token: 'xoxb-t', channel: 'C1', apiUrl: slack.apiUrl, policy: 'always' })).status).toBe('sent');
  const texts = sectionsOf(slack.calls);
  const section = texts.find((t) => t.startsWith('*New findings a waiver covers*'))!;
  expect(section.split('\n')[1]).toMatch(/^• `rbac\.cluster-admin-binding` on `User Ж{194}…`: waiver on `User Ж{194}…` names it$/);
});

// The regression's reasons name each new finding's subject: with 30 subjects of 3,000 "Ж", each
// reason outgrew a section, so "Why this is a regression" listed one per section (three in all)
// and the rest only as "…and N more in report.json". A reason is cut to 300 characters, as the
// names on "Top new findings" are to 200.
it('"Why this is a regression" lists several reasons in its first section, each naming its subject cut', async () => {
  const report = audit(2, 30, audit(1, 0));
  expect(report.diff!.regressionReasons.length).toBeGreaterThan(10);
  expect((await notifySlack(report, { token: 'xoxb-t', channel: 'C1', apiUrl: slack.apiUrl, policy: 'always' })).status).toBe('sent');
  const texts = sectionsOf(slack.calls);
  const why = texts.find((t) => t.startsWith('*Why this is a regression*'))!;
  const lines = why.split('\n').slice(1).filter((l) => l.startsWith('• '));
  expect(lines.length).toBeGreaterThanOrEqual(5);
  for (const l of lines) expect(l).toMatch(/^• new critical finding: rbac\.cluster-admin-binding on User Ж+…$/);
});

// The thread's "New findings a waiver covers" and "Persisting findings that now cover more" name
// the subject as "Top new findings" does: 200 characters, then "…", so ten rows fit one section.
it('the thread\'s waived and widened rows show a subject cut to 200 characters, several rows to a section', async () => {
  const { report } = buildRun();
  const rows = Array.from({ length: 10 }, (_, i) => ({
    fingerprint: `${i}`.padStart(16, 'f'), check: 'rbac.cluster-admin-binding', resource: { kind: 'User', name: `${'Ж'.repeat(3000)}${i}` },
    waiver: { check: 'rbac.cluster-admin-binding', resource: { kind: 'User', name: 'Ж*' } }, throughRelated: false,
  }));
  report.diff!.newlyWaived = rows;
  expect((await notifySlack(report, { token: 'xoxb-t', channel: 'C1', apiUrl: slack.apiUrl, policy: 'always' })).status).toBe('sent');
  const texts = sectionsOf(slack.calls);
  const waived = texts.find((t) => t.startsWith('*New findings a waiver covers*'))!;
  const lines = waived.split('\n').slice(1);
  expect(lines).toHaveLength(10);
  for (const l of lines) expect(l).toMatch(/^• `rbac\.cluster-admin-binding` on `User Ж{194}…`: waiver on `/);
});
