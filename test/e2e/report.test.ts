// The HTML report in a real browser (Debian's Chromium through playwright-core): the demo
// cluster's report shows every section; a 50,000-finding report loads quickly with a bounded
// DOM; hostile names render as text (no script runs, no extra elements). Saves the demo
// screenshot used by the README (docs/report-screenshot.png).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.ts';
import { loadManifests } from '../../src/collect/manifests.ts';
import { loadConfig } from '../../src/config/load.ts';
import { diffRuns } from '../../src/diff/diff.ts';
import { auditSnapshot } from '../../src/engine/audit.ts';
import { reportDetails } from '../../src/report/details.ts';
import { renderHtml } from '../../src/report/html.ts';
import type { RunReport } from '../../src/run/types.ts';
import type { TrendPoint } from '../../src/report/view.ts';
import { skipOrFail } from '../helpers/ci.ts';
import { buildRun, HOSTILE, HOSTILE_CLUSTER, syntheticReport, withPosture } from '../unit/report/fixtures.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

function chromiumPath(): string | null {
  const r = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' });
  const p = r.stdout.trim().split('\n')[0];
  return r.status === 0 && p ? p : null;
}

const executablePath = chromiumPath();
if (!executablePath) skipOrFail('e2e report tests', 'Chromium is not installed (apt-get install -y chromium)');
const describeBrowser = executablePath ? describe : describe.skip;

/** The demo cluster audited twice: a week-old baseline without its RBAC manifests, then today. */
function demoRun(): { report: RunReport; previous: RunReport; trend: TrendPoint[] } {
  const dir = join(root, 'examples/demo-cluster');
  const { config } = loadConfig(join(root, 'examples/ztaudit.demo.yaml'), root, new Set(CHECKS.map((c) => c.id)));
  const now = new Date('2026-11-26T02:00:00Z');
  const before = new Date('2026-11-25T02:00:00Z');
  const snapshot = loadManifests([dir], { clusterName: 'demo-shop-prod', clusterVersion: 'v1.36.3' });
  const baseline = loadManifests([dir], { clusterName: 'demo-shop-prod', clusterVersion: 'v1.36.3' });
  for (const key of ['clusterrolebindings', 'rolebindings'] as const) baseline.resources[key] = (baseline.resources[key] ?? []).slice(0, 1);
  const previous = auditSnapshot({ snapshot: baseline, config, checks: CHECKS, now: before, startedAt: before, runId: 'run-20261125-0200', details: reportDetails }).report;
  const out = auditSnapshot({ snapshot, config, checks: CHECKS, now, startedAt: now, runId: 'run-20261126-0200', details: reportDetails });
  const report = out.report;
  report.diff = diffRuns(previous, report, { rules: config.regression, expiredWaivers: out.expiredWaivers });
  const trend: TrendPoint[] = [];
  for (let i = 20; i >= 1; i--) {
    const drift = (k: number) => Math.max(0, Math.min(100, Math.round((78 + 9 * Math.sin(i / 3 + k) - i * 0.4) * 10) / 10));
    trend.push({ id: `run-${i}`, startedAt: new Date(now.getTime() - i * 86_400_000).toISOString(), overall: drift(0), areas: { network: drift(1), tls: drift(2), rbac: drift(3), 'pod-security': drift(4), mtls: drift(5) } });
  }
  trend[trend.length - 1] = { id: previous.run.id, startedAt: previous.run.startedAt, overall: previous.score.overall, areas: previous.score.areas };
  return { report, previous, trend };
}

describeBrowser('HTML report in headless Chromium', () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-e2e-'));

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: executablePath!, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });
  afterAll(async () => { await browser?.close(); });

  async function open(html: string, name: string): Promise<{ page: Page; requests: string[]; dialogs: string[]; errors: string[]; loadMs: number }> {
    const file = join(dir, name);
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith('file://')) requests.push(r.url()); });
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    page.on('pageerror', (e) => errors.push(e.message));
    const started = Date.now();
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    return { page, requests, dialogs, errors, loadMs: Date.now() - started };
  }

  it('renders the demo cluster report with every section, and saves the screenshot', async () => {
    const { report, previous, trend } = demoRun();
    const { page, requests, errors } = await open(renderHtml(report, { trend, previous }), 'demo.html');
    const order = ['summary', 'changes', 'findings', 'posture', 'trend', 'exceptions', 'coverage', 'frameworks', 'methodology'];
    for (const id of order) {
      await expect(page.locator(`section#${id} > h2`).count(), id).resolves.toBe(1);
    }
    expect(await page.locator('main > section').evaluateAll((ss) => ss.map((x) => x.id))).toEqual(order);
    expect(await page.locator('nav.toc a').allTextContents()).toContain('Posture');
    // Posture: the demo cluster has RBAC, an Istio mesh and exposed workloads, so every part shows.
    const d = report.details;
    expect(d.rbac && d.mtls && d.network).toBeTruthy();
    expect(await page.locator('#posture .omitted').count()).toBe(0);
    expect(await page.locator('#posture-rbac tbody tr').count()).toBe(Math.min(10, d.rbac!.breadth.length));
    expect(await page.locator('#posture-rbac tbody tr').first().textContent()).toContain(d.rbac!.breadth[0].subject.name);
    expect(await page.locator('#posture-mtls svg.modebar rect').count()).toBeGreaterThanOrEqual(2);
    const strict = d.mtls!.workloads.filter((w) => w.mode === 'STRICT').length;
    expect(await page.locator('#posture-mtls [data-mode="STRICT"] b').textContent()).toBe(String(strict));
    expect(await page.locator('#posture-mtls tbody tr').count()).toBe(d.mtls!.workloads.length - strict);
    expect(await page.locator('#posture-exposure tbody tr').count()).toBe(d.network!.exposure.length);
    expect(await page.locator('#posture-exposure tbody').innerText()).toContain('LoadBalancer');
    expect(await page.locator('#posture').isVisible()).toBe(true);
    expect(await page.locator('#cluster-name').textContent()).toBe('demo-shop-prod');
    expect(await page.locator('.card').count()).toBe(6);
    expect(await page.locator('#trend svg polyline').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#findings details.check').count()).toBe(new Set(report.findings.map((f) => f.check)).size);
    expect(await page.locator('#exceptions tbody tr').count()).toBe(report.waivers.length);
    // Collapsed groups open on click and show the resource rows.
    const first = page.locator('#findings details.check').first();
    await first.locator('summary').click();
    expect(await first.getAttribute('open')).not.toBeNull();
    expect(await first.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    // Printed to PDF, the collapsed groups' content is printed too.
    const closed = page.locator('#findings details.check:not([open])').first();
    expect(await closed.locator('tbody tr').first().isVisible()).toBe(false);
    await page.emulateMedia({ media: 'print' });
    expect(await closed.locator('tbody tr').first().isVisible()).toBe(true);
    expect(await page.locator('nav.toc').isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    mkdirSync(join(root, 'docs'), { recursive: true });
    await page.setViewportSize({ width: 1280, height: 1700 });
    await page.locator('header.top').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(root, 'docs/report-screenshot.png'), fullPage: false });
    await page.close();
  });

  it('loads a 50,000-finding report quickly with a bounded DOM', async () => {
    const big = withPosture(syntheticReport(50_000), { subjects: 200, meshWorkloads: 30_000, exposed: 30_000 });
    const started = Date.now();
    const html = renderHtml(big, {});
    const renderMs = Date.now() - started;
    const { page, loadMs, requests } = await open(html, 'big.html');
    const nodes = await page.locator('*').count();
    const rows = await page.locator('#findings tbody tr').count();
    const more = await page.locator('#findings .more').allTextContents();
    process.stderr.write(`e2e: 50k-finding report: ${Buffer.byteLength(html)} bytes, ${nodes} DOM elements, ${rows} finding rows, render ${renderMs} ms, load ${loadMs} ms\n`);
    expect(Buffer.byteLength(html)).toBeLessThan(600_000);
    expect(nodes).toBeLessThan(15_000);
    expect(rows).toBeLessThanOrEqual(5 * 50 + 10);
    expect(more).toContain('9,950 more in report.json');
    expect(await page.locator('#posture tbody tr').count()).toBe(10 + 50 + 50);
    expect(await page.locator('#posture .more').allTextContents()).toEqual(['19,950 more in report.json', '29,950 more in report.json']);
    expect(loadMs).toBeLessThan(5_000);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('shows hostile names as text: no script runs, no extra elements', async () => {
    const { report, previous, trend } = buildRun({ hostile: true, clusterName: HOSTILE_CLUSTER });
    const { page, dialogs, errors } = await open(renderHtml(withPosture(report, { hostile: true }), { trend, previous }), 'hostile.html');
    const { report: clean } = buildRun({ hostile: false, clusterName: 'plain' });
    const cleanPage = await open(renderHtml(withPosture(clean), { trend, previous }), 'clean.html');
    await page.locator('details.check').evaluateAll((ds) => ds.forEach((d) => d.setAttribute('open', '')));
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(await page.locator('script, iframe, img, object, embed').count()).toBe(0);
    // <b> appears in the report's own stat tiles; a parsed <b>eu</b> from the name would add one.
    const bold = (p: Page) => p.locator('b').count();
    expect(await bold(page)).toBe(await bold(cleanPage.page));
    expect(await page.locator('#cluster-name').textContent()).toBe(HOSTILE_CLUSTER);
    expect(await page.locator('#cluster-name *').count()).toBe(0);
    const text = await page.locator('#findings').innerText();
    for (const h of HOSTILE) expect(text).toContain(`shop/${h}`);
    // The hostile run has exactly three more findings (the hostile ServiceAccounts): each adds one row.
    const rows = (p: Page) => p.locator('#findings tbody tr').count();
    expect(await rows(page)).toBe((await rows(cleanPage.page)) + HOSTILE.length);
    // Posture tables carry hostile workload, subject and Service names: text, same elements as clean.
    const posture = await page.locator('#posture').innerText();
    for (const h of HOSTILE) expect(posture).toContain(`Deployment edge/${h}`);
    expect(posture).toContain(`team-01/${HOSTILE[1]}`);
    expect(posture).toContain(`team-02/${HOSTILE[2]}`);
    expect(posture).toContain(`Service edge/${HOSTILE[0]}`);
    expect(posture).toContain(`ServiceAccount ci/${HOSTILE[2]}`);
    const elements = (p: Page) => p.locator('#posture *').count();
    expect(await elements(page)).toBe(await elements(cleanPage.page));
    await page.close();
    await cleanPage.page.close();
  });
});
