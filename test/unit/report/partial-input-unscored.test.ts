// An area with no score this run ("n/a": none of its checks judged anything) is not said to have
// a "score computed on partial input", even when one of its checks ran without a best-effort
// input: no score was computed. Report.html, Slack and the email show n/a with no such note
// (before, they said "network score computed on partial input" beside "network: n/a").
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { buildEmail } from '../../../src/notify/email.ts';
import { buildSlackMessage } from '../../../src/notify/slack.ts';
import { renderHtml } from '../../../src/report/html.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const NOW = new Date('2026-11-26T00:00:00Z');

describe('an unscored area is not "scored on partial input"', () => {
  it('says n/a with no partial-input note in report.html, Slack and the email', () => {
    // NetworkPolicies unreadable (a broken manifest): the network checks that need them are not
    // evaluated; network.cni-not-enforcing reads them best-effort and judges nothing here, so the
    // area has no score.
    const s = snapshotFromObjects([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } } as KubeObject], { clusterName: 'empty', clusterVersion: 'v1.36.3', collectedAt: NOW.toISOString() });
    s.coverage.networkpolicies = { status: 'error', detail: 'broken manifest (in test)' };
    delete s.resources.networkpolicies;
    const report = auditSnapshot({ snapshot: s, config: defaultConfig(), checks: CHECKS, now: NOW, startedAt: NOW, runId: 'run-1' }).report;
    expect(report.score.areas.network).toBeNull();
    // The scene: a network check evaluated without the NetworkPolicies.
    expect(report.checks.some((c) => c.area === 'network' && (c.status === 'pass' || c.status === 'fail') && c.degraded?.includes('networkpolicies'))).toBe(true);

    const html = renderHtml(report, {} as Parameters<typeof renderHtml>[1]);
    expect(html).not.toContain('score computed on partial input');
    expect(html).not.toContain('partial input</div>');
    const slack = JSON.stringify(buildSlackMessage(report));
    expect(slack).not.toContain('score computed on partial input');
    expect(slack).toMatch(/• network: n\/a/);
    const mail = buildEmail(report, false);
    expect(mail.text).not.toContain('partial input');
    expect(mail.html).not.toContain('partial input');
  });
});
