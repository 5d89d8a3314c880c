// A persisting finding that now covers more (diff.widened) below the regression threshold is
// said by no regression reason: every output that lists the newly waived lists it too — the
// HTML report, Slack's thread, the email and `ztaudit diff`, not only report.md. A workload
// name is cluster text: escaped in each.
import { describe, expect, it } from 'vitest';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { formatDiff } from '../../../src/cli/diff.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { buildEmail } from '../../../src/notify/email.ts';
import { buildSlackMessage } from '../../../src/notify/slack.ts';
import { renderHtml } from '../../../src/report/html.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const HOSTILE = 'x<img src=y>*_`@here';
const deploy = (name: string): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop' },
  spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: name === 'web' ? 'web' : 'open' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
});
const BEFORE: KubeObject[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, deploy('web')];

function audit(objects: KubeObject[], runId: string): RunReport {
  const now = new Date('2026-12-05T02:00:00Z');
  return auditSnapshot({ snapshot: snapshotFromObjects(structuredClone(objects), { clusterName: 'demo' }), config: defaultConfig(), checks: [namespaceDefaultDenyIngress], now, startedAt: now, runId }).report;
}

describe('a finding that widened below the regression threshold', () => {
  const before = audit(BEFORE, 'A');
  const after = audit([...BEFORE, deploy(HOSTILE)], 'B');
  // At critical, the high default-deny finding that widened is no regression reason.
  after.diff = diffRuns(before, after, { rules: { ...defaultConfig().regression, newFindingSeverity: 'critical' }, expiredWaivers: [] });

  it('is no regression, yet listed by the HTML report, Slack, the email and ztaudit diff, the name escaped', () => {
    expect(after.diff!.regression).toBe(false);
    expect(after.diff!.widened).toHaveLength(1);
    const page = renderHtml(after).replace(/<wbr>/g, '');
    const table = page.match(/<table class="widened[\s\S]*?<\/table>/)?.[0] ?? '';
    expect(table).toContain('now also Deployment shop/x&lt;img src&#x3D;y&gt;*_&#x60;@here (1 → 2 workloads)');
    expect(page).not.toContain('<img src=y>');
    const thread = JSON.stringify(buildSlackMessage(after).thread.blocks);
    expect(thread).toContain('*Persisting findings that now cover more* (1)');
    expect(thread).toContain('now also Deployment shop/x&lt;img src=y&gt;');
    expect(thread).not.toContain('<img');
    const mail = buildEmail(after, false);
    expect(mail.text).toContain('- network.namespace-default-deny-ingress Namespace shop: now also Deployment shop/x<img src=y>*_`@here (1 → 2 workloads)');
    expect(mail.html).toContain('id="widened"');
    expect(mail.html).toContain('now also Deployment shop/x&lt;img src&#x3D;y&gt;');
    expect(mail.html).not.toContain('<img src=y>');
    const cli = formatDiff(before, after, after.diff!);
    expect(cli).toContain('persisting findings that now cover more: 1');
    expect(cli).toContain('  > high     network.namespace-default-deny-ingress on Namespace shop: now also Deployment shop/x<img src=y>*_`@here (1 → 2 workloads)');
  });
});
