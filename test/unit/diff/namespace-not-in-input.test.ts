// A Namespace object left out of the input while its workloads stay is missing data, not a fix
// (DESIGN.md, Non-negotiables: "the diff never reports their findings as resolved"). Pod
// Security Admission reads its levels from the Namespace's own labels
// (https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces):
// without the object they are unknown, so the namespace checks cannot judge it, and its
// earlier findings are carried as not judged. A namespace deleted for real takes its objects
// with it ("Deleting a namespace … deletes everything under the namespace",
// https://kubernetes.io/docs/tasks/administer-cluster/namespaces/#deleting-a-namespace): nothing
// names it any more, and its findings resolve.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { renderHtml } from '../../../src/report/html.ts';
import { renderMarkdown } from '../../../src/report/markdown.ts';
import { buildSlackMessage } from '../../../src/notify/slack.ts';
import { main } from '../../../src/cli/main.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';

// The reviewers' repro (/tmp/rev-outputs/ns-dropped), as manifest files: Namespace team without
// Pod Security labels, and a privileged Deployment in it.
const namespace = { 'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n' };
const web = {
  'dep.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: team}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: nginx, securityContext: {privileged: true}}]\n',
};
// Another namespace, declared in both runs, so each run has pod-security results to score.
const other = { 'shop.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: restricted}}\n' };

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function audit(runId: string, files: Record<string, string>, at: string): RunReport {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-nsdrop-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const now = new Date(at);
  const snapshot = loadManifests([dir], { clusterName: 'c1' });
  return auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now, runId, startedAt: now }).report;
}

const NS_CHECKS = ['pod-security.enforce-below-target', 'pod-security.enforce-missing'];

function runs(second: Record<string, string>, newFindingSeverity = defaultConfig().regression.newFindingSeverity) {
  const a = audit('run-a', { ...namespace, ...web, ...other }, '2026-12-01T02:00:00Z');
  const b = audit('run-b', second, '2026-12-02T02:00:00Z');
  const diff = diffRuns(a, b, { rules: { ...defaultConfig().regression, newFindingSeverity }, expiredWaivers: [] });
  b.diff = diff;
  const onTeam = a.findings.filter((f) => NS_CHECKS.includes(f.check) && f.resource.kind === 'Namespace' && f.resource.name === 'team');
  return { a, b, diff, onTeam };
}

describe('a Namespace object left out of the input', () => {
  it('its findings are not resolved: carried as not judged, and the run is a regression that says why', () => {
    const { b, diff, onTeam } = runs({ ...web, ...other });
    expect(onTeam.map((f) => `${f.severity} ${f.check}`).sort()).toEqual(['high pod-security.enforce-below-target', 'high pod-security.enforce-missing']);
    expect(b.checks.find((c) => c.id === 'pod-security.enforce-missing')?.unjudgedNamespaces).toEqual(['team']);
    expect(diff.resolved).toEqual([]);
    expect([...(diff.notJudged ?? [])].sort()).toEqual(onTeam.map((f) => f.fingerprint).sort());
    expect(diff.regression).toBe(true);
    expect(diff.regressionReasons.filter((r) => r.startsWith('could not judge: ')).map((r) => r.split(' ')[3]).sort()).toEqual(NS_CHECKS);
    expect(diff.regressionReasons.every((r) => !r.includes('could not judge') || r.includes('namespace team'))).toBe(true);
    // Why the pod-security score moved: not credited to resolved findings, and no delta given.
    expect(diff.scoreDelta.areas['pod-security']).toBeNull();
    const causes = diff.scoreChanges?.['pod-security']?.causes ?? [];
    expect(causes.some((c) => c.kind === 'resolved-findings')).toBe(false);
    expect(causes.filter((c) => c.kind === 'findings-not-judged').map((c) => c.check).sort()).toEqual(NS_CHECKS);
  });

  it('the HTML and Markdown reports say the findings could not be judged, never "No regression"', () => {
    const { b, a } = runs({ ...web, ...other });
    const html = renderHtml(b, { previous: a } as Parameters<typeof renderHtml>[1]);
    const changes = html.slice(html.indexOf('<section id="changes">'), html.indexOf('</section>', html.indexOf('<section id="changes">')));
    expect(changes.includes('No regression')).toBe(false);
    expect(changes.includes('<strong>Regression.</strong>')).toBe(true);
    expect(changes.includes('<li>could not judge: pod-security.enforce-missing had 1 open finding(s) (1 high) in run run-a in namespace team')).toBe(true);
    expect(changes.includes('<div class="banner info not-judged">2 findings of run run-a could not be judged in this run')).toBe(true);
    expect(/<div class="stat"><b>0<\/b><span>resolved findings<\/span><\/div>\s*<div class="stat not-judged"><b>2<\/b><span>not judged<\/span><\/div>/.test(changes)).toBe(true);
    const md = renderMarkdown(b);
    expect(md.includes('No regression.')).toBe(false);
    expect(md.includes('0 new, 0 resolved,')).toBe(true);
    expect(md.includes('2 findings of run run-a could not be judged in this run')).toBe(true);
  });

  it('Slack says it too, and report.json stays valid against its published schema', () => {
    const { b } = runs({ ...web, ...other });
    const slack = buildSlackMessage(b);
    const all = JSON.stringify([slack.blocks, slack.thread.blocks]);
    expect(all.includes('could not judge: pod-security.enforce-missing had 1 open finding(s) (1 high) in run')).toBe(true);
    expect(all.includes('2 findings of run run-a could not be judged in this run')).toBe(true);
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    (addFormatsModule as unknown as (a: Ajv2020) => Ajv2020)(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(new URL('../../../schemas/report.schema.json', import.meta.url), 'utf8')));
    expect(validate(JSON.parse(JSON.stringify(b))), JSON.stringify(validate.errors)).toBe(true);
  });

  // README, "regression.newFindingSeverity": a new finding is a regression only at or above it.
  // Losing sight of a finding is no worse than it appearing new: the same threshold applies.
  it('findings below regression.newFindingSeverity stay not judged, but are no regression', () => {
    for (const threshold of ['critical', 'none'] as const) {
      const { b, diff, onTeam } = runs({ ...web, ...other }, threshold);
      expect(onTeam.map((f) => f.severity)).toEqual(['high', 'high']);
      expect([...(diff.notJudged ?? [])].sort(), threshold).toEqual(onTeam.map((f) => f.fingerprint).sort());
      expect(diff.resolved).toEqual([]);
      expect(diff.regressionReasons.filter((r) => r.includes('could not judge')), threshold).toEqual([]);
      expect(diff.regression, threshold).toBe(false);
      // The reports still count them apart from the resolved.
      expect(renderMarkdown(b).includes('2 findings of run run-a could not be judged in this run'), threshold).toBe(true);
    }
  });

  it('findings at or above regression.newFindingSeverity are still a regression', () => {
    for (const threshold of ['high', 'low'] as const) {
      const { diff } = runs({ ...web, ...other }, threshold);
      expect(diff.regression, threshold).toBe(true);
      expect(diff.regressionReasons.filter((r) => r.startsWith('could not judge: ')).map((r) => r.split(' ')[3]).sort(), threshold).toEqual(NS_CHECKS);
    }
  });

  it('a namespace deleted with its workloads (nothing of it in the input) still resolves', () => {
    const { diff, onTeam } = runs({ ...other });
    expect(onTeam).toHaveLength(2);
    for (const f of onTeam) expect(diff.resolved).toContain(f.fingerprint);
    expect(diff.notJudged).toBeUndefined();
    expect(diff.regressionReasons.some((r) => r.startsWith('could not judge'))).toBe(false);
  });

  it('with the Namespace object in the input, nothing is unjudged (as in every live run, which lists namespaces)', () => {
    const { b, diff } = runs({ ...namespace, ...web, ...other });
    expect(b.checks.filter((c) => c.unjudgedNamespaces !== undefined)).toEqual([]);
    expect(diff.notJudged).toBeUndefined();
    expect(diff.resolved).toEqual([]);
  });
});

// The same for the mesh: Istio injects a namespace's pods by the Namespace's own labels (the
// injection webhook's namespaceSelector on istio-injection / istio.io/rev,
// https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy;
// istio.io/latest/docs/reference/config/analysis/ist0102), as Linkerd does by its linkerd.io/inject
// namespace annotation (https://linkerd.io/2/features/proxy-injection/). The reviewers' repro on
// the demo cluster: m1 as shipped, m3 without the Namespace shop object (its workloads kept), m4
// with shop back but its Pod Security enforce label removed (the one real change).
describe('the demo cluster with Namespace shop left out of one run (mTLS)', () => {
  const DEMO = new URL('../../../examples/demo-cluster', import.meta.url).pathname;
  const CONFIG = new URL('../../../examples/ztaudit.demo.yaml', import.meta.url).pathname;
  const onShop = (r: RunReport) => r.findings.filter((f) => f.area === 'mtls' && (f.resource.namespace === 'shop' || (f.resource.kind === 'Namespace' && f.resource.name === 'shop')));

  async function sequence() {
    const root = mkdtempSync(join(tmpdir(), 'ztaudit-mtls-nsdrop-'));
    dirs.push(root);
    const docs = readFileSync(join(DEMO, '00-namespaces.yaml'), 'utf8').split(/^---$/m);
    const shop = docs.findIndex((d) => /kind: Namespace\nmetadata:\n {2}name: shop\n/.test(d));
    expect(shop).toBeGreaterThanOrEqual(0);
    const variant = (name: string, nsDocs: string[]) => {
      const dir = join(root, name);
      cpSync(DEMO, dir, { recursive: true });
      writeFileSync(join(dir, '00-namespaces.yaml'), nsDocs.join('---'));
      return dir;
    };
    const enforce = '    pod-security.kubernetes.io/enforce: baseline\n';
    expect(docs[shop]).toContain(enforce);
    const m3 = variant('m3', docs.filter((_, i) => i !== shop));
    const m4 = variant('m4', docs.map((d, i) => (i === shop ? d.replace(enforce, '') : d)));
    const history = `sqlite:${join(root, 'h.db')}`;
    const run = async (manifests: string, out: string): Promise<RunReport> => {
      const t = captureIO(root);
      const code = await main(['run', '--manifests', manifests, '--config', CONFIG, '--cluster', 'prod', '--history', history, '--out', join(root, out), '--format', 'json', '--no-notify', '-q'], t.cli);
      expect(code, t.err()).toBe(0);
      return JSON.parse(readFileSync(join(root, out, 'report.json'), 'utf8')) as RunReport;
    };
    return { r1: await run(DEMO, 'o1'), r2: await run(m3, 'o2'), r3: await run(m4, 'o3') };
  }

  it('run 2 resolves none of shop\'s mTLS findings but carries them as not judged; run 3 lists only the real new finding', async () => {
    const { r1, r2, r3 } = await sequence();
    // All seven turn on shop's labels: the PERMISSIVE PeerAuthentication shop/migration too, whose
    // workloads' mesh the namespace decides (checks/mtls/lib/unseen-namespaces.ts withheldInUnseen).
    const all = onShop(r1);
    expect(all.map((f) => `${f.check} ${f.resource.kind}/${f.resource.name} ${f.severity}`).sort()).toEqual([
      'mtls.authz-missing Deployment/backend medium',
      'mtls.authz-missing Deployment/frontend medium',
      'mtls.authz-plaintext-bypass Deployment/backend high',
      'mtls.authz-plaintext-bypass Deployment/frontend high',
      'mtls.outbound-allow-any Namespace/shop medium',
      'mtls.permissive-override PeerAuthentication/migration medium',
      'mtls.workload-outside-mesh StatefulSet/postgres high',
    ]);
    // Run 2: nothing resolved, all carried as not judged, none named on shop, and the mTLS score not credited.
    expect(r2.diff?.resolved).toEqual([]);
    expect(onShop(r2)).toEqual([]);
    const six = all.filter((f) => f.check !== 'mtls.permissive-override');
    for (const f of six) expect(r2.diff?.notJudged).toContain(f.fingerprint);
    // shop/migration was the only PeerAuthentication that check judges: it judged nothing, so it is
    // not evaluated, and its finding is carried as a blind check's, not resolved.
    expect(r2.checks.find((c) => c.id === 'mtls.permissive-override')).toMatchObject({ status: 'not-evaluated', unjudgedNamespaces: ['shop'] });
    expect(r2.diff?.scoreDelta.areas.mtls).toBeNull();
    for (const id of ['mtls.workload-outside-mesh', 'mtls.authz-missing', 'mtls.authz-plaintext-bypass', 'mtls.outbound-allow-any']) {
      const c = r2.checks.find((x) => x.id === id);
      expect(c?.unjudgedNamespaces, id).toEqual(['shop']);
      expect(c?.excluded, id).toMatch(/^namespace shop is not in the input \(only its workloads are\): its mesh labels and annotations .* are unknown/);
    }
    // Run 3: shop is back with the same mesh labels: its mTLS findings are neither new nor a score drop.
    const newChecks = r3.findings.filter((f) => r3.diff?.new.includes(f.fingerprint)).map((f) => `${f.check} ${f.resource.kind}/${f.resource.name}`);
    expect(newChecks).toEqual(['pod-security.enforce-missing Namespace/shop']);
    expect(onShop(r3).map((f) => f.fingerprint).sort()).toEqual(all.map((f) => f.fingerprint).sort());
    expect(r3.diff?.regressionReasons.filter((r) => r.startsWith('mtls score'))).toEqual([]);
    expect(r3.diff?.regressionReasons.filter((r) => r.includes('mtls.'))).toEqual([]);
  }, 60_000);
});
