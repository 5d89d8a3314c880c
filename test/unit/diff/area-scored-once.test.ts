// An area scored in one run only (n/a in the other) has no delta, and neither has the overall
// score: the overall score is the mean of the areas that were evaluated (DESIGN.md "Scoring"),
// so adding the first Ingress moves it by the tls area joining the mean, not by anything
// getting worse. README "Regressions": such an area "shows no delta in any output". The
// reviewer's reproduction: a namespace with one workload, then the same plus an Ingress
// without TLS (tls n/a → 0.0; the overall score read -9.8 though no other area moved).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { regressionSinceSummary } from '../../../src/diff/diff.ts';
import { buildEmail } from '../../../src/notify/email.ts';
import { buildSlackMessage } from '../../../src/notify/slack.ts';
import { renderHtml } from '../../../src/report/html.ts';
import { buildView } from '../../../src/report/view/index.ts';
import type { RunReport, RunSummary } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';

const APP = `apiVersion: v1
kind: Namespace
metadata: {name: app, labels: {pod-security.kubernetes.io/enforce: baseline}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: app}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers: [{name: c, image: nginx:1.27, securityContext: {privileged: true}}]
`;
// An Ingress without a tls section (https://kubernetes.io/docs/concepts/services-networking/ingress/#tls).
const INGRESS = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: app}
spec:
  ingressClassName: nginx
  rules:
    - host: web.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
`;

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ztaudit-area-once-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(name: string, files: Record<string, string>) {
  const manifests = join(dir, `m-${name}`);
  mkdirSync(manifests);
  for (const [f, text] of Object.entries(files)) writeFileSync(join(manifests, f), text);
  const t = captureIO(dir);
  const code = await main(['run', '--manifests', manifests, '--cluster', 'c', '--history', join(dir, 'h.db'), '--out', join(dir, name), '--format', 'json', '--no-notify'], t.cli);
  return { code, t, report: JSON.parse(readFileSync(join(dir, name, 'report.json'), 'utf8')) as RunReport };
}

describe('the first Ingress brings the tls area into the score', () => {
  it('report.json has no overall delta (nor tls), the others compare; the terminal shows no number for either', async () => {
    const a = await run('a', { 'app.yaml': APP });
    const b = await run('b', { 'app.yaml': APP, 'ingress.yaml': INGRESS });
    expect(a.report.score.areas.tls).toBeNull();
    expect(b.report.score.areas.tls).toBe(0);
    // The overall score moved only by the mean taking tls in.
    expect(b.report.score.overall).not.toBe(a.report.score.overall);
    const d = b.report.diff!;
    expect(d.scoreDelta).toEqual({ overall: null, areas: { network: 0, tls: null, rbac: 0, 'pod-security': 0, mtls: null } });
    // What got worse is still said: the new finding.
    expect(d.regressionReasons).toEqual(['new high finding: tls.ingress-without-tls on Ingress app/web']);

    const lines = b.t.out().split('\n');
    expect(lines.find((l) => l.startsWith('overall '))).toMatch(/^overall\s+\d+\.\d\s+F\s+\d+ findings$/);
    expect(lines.find((l) => l.startsWith('tls '))).toMatch(/^tls\s+0\.0\s+F\s+\d+\/\d+$/);
    expect(lines.find((l) => l.startsWith('rbac '))).toMatch(/\(\+0\.0\)$/);
  });

  it('nor do the HTML view, Slack or the email give the overall score or tls a delta', async () => {
    await run('a', { 'app.yaml': APP });
    const { report } = await run('b', { 'app.yaml': APP, 'ingress.yaml': INGRESS });
    const view = buildView(report);
    expect(view.overall.delta).toBeNull();
    expect(view.areas.map((a) => [a.key, a.delta?.text ?? null])).toEqual([['network', '±0'], ['tls', null], ['rbac', '±0'], ['pod-security', '±0'], ['mtls', null]]);
    // The HTML's score cards: a delta under network, rbac and pod-security only.
    const html = renderHtml(report);
    expect(html.match(/title="change since last run"/g)).toHaveLength(3);
    expect(html).not.toMatch(/since the last run\)/);
    const slack = JSON.stringify(buildSlackMessage(report));
    expect(slack).toMatch(/\*Score\* \d+(\.\d)? \(grade F\)"/);
    expect(slack).toContain('• tls: 0 (grade F)\\n');
    expect(slack).toContain('• rbac: 97.8 (grade A) (±0 since last run)');
    const email = buildEmail(report, false);
    expect(email.subject).toMatch(/: score \d+(\.\d)?$/);
    expect(email.text).toMatch(/^Overall score \d+(\.\d)? \(grade F\)$/m);
    expect(email.text).toMatch(/^TLS[^\n]*: 0(\.0)? \(grade F\)$/m);
  });

  it('judged against an unreadable run\'s stored summary, the overall score is not compared either', () => {
    const current = { checks: [], findings: [], score: { overall: 29.5, areas: { network: 0, tls: 0, rbac: 93.6, 'pod-security': 24.3, mtls: null } } } as unknown as RunReport;
    const summary = { score: { overall: 39.3, areas: { network: 0, tls: null, rbac: 93.6, 'pod-security': 24.3, mtls: null } } } as unknown as RunSummary;
    const rules = { ...defaultConfig().regression, newFindingSeverity: 'none' as const };
    expect(regressionSinceSummary('r1', summary, current, rules)).toBeNull();
    // The same drop over the same areas is one.
    const same = { score: { ...summary.score, areas: { ...summary.score.areas, tls: 0 } } } as unknown as RunSummary;
    expect(regressionSinceSummary('r1', same, current, rules)).toBe('since run r1 (unreadable; compared by its stored summary): overall score 39.3 → 29.5');
  });
});
