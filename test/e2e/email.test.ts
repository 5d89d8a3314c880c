// The alert emails' HTML parts in a real browser (Debian's Chromium through playwright-core): a
// name from the cluster with nowhere to break (300 letters) wraps inside its cell, so the 640 px
// card keeps its width and the area table's Score, Grade and Change columns stay on screen
// (docs/hostile-text.md). The run's email, the fleet digest's and the "audit could not run" one,
// the last two as a real SMTP server receives them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEmail, notifyEmailFailure } from '../../src/notify/email.ts';
import { sendEmailDigest } from '../../src/notify/fleet-digest.ts';
import { fleetDataOf } from '../../src/fleet/data.ts';
import { buildFleetView } from '../../src/fleet/view.ts';
import { openRunStore } from '../../src/history/store.ts';
import { DEFAULT_FLEET_QUERY } from '../../src/run/fleet.ts';
import { skipOrFail } from '../helpers/ci.ts';
import { demoRun } from '../unit/report/demo.ts';
import { NOW, fleetRun } from '../unit/fleet/seed.ts';
import { MAX_NAME } from '../../src/base/plain-text.ts';

function chromiumPath(): string | null {
  const r = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' });
  const p = r.stdout.trim().split('\n')[0];
  return r.status === 0 && p ? p : null;
}
const executablePath = chromiumPath();
if (!executablePath) skipOrFail('e2e email tests', 'Chromium is not installed (apt-get install -y chromium)');
const describeBrowser = executablePath ? describe : describe.skip;

const letters = (prefix: string) => (prefix + 'abcdefghijklmnopqrstuvwxyz'.repeat(12)).slice(0, 300);

describeBrowser('alert emails in Chromium', () => {
  let browser: Browser;
  let dir: string;
  let server: SMTPServer;
  let port: number;
  const received: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ztaudit-email-e2e-'));
    browser = await chromium.launch({ executablePath: executablePath!, args: ['--no-sandbox'] });
    server = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onData(stream, _session, callback) { simpleParser(stream).then((mail) => { received.push(String(mail.html)); callback(); }, callback); },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });
  const smtp = () => ({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'ztaudit@acme.example', to: ['sec@acme.example'] });

  /** At each width: the page does not scroll sideways, every cell stays inside the card and no text runs out of its box (the card clips it). */
  async function layout(html: string, name: string, card: number, names: string[]): Promise<void> {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, html);
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href);
    const text = await page.locator('body').innerText();
    // A name from the cluster is cut to MAX_NAME characters in an alert ("…"; the attached report has it whole): its first MAX_NAME - 1 and the ellipsis are shown.
    for (const n of names) expect(text.replace(/\s/g, ''), `${name}: the name is shown`).toContain(n.slice(0, MAX_NAME - 1));
    for (const width of [390, 900]) {
      await page.setViewportSize({ width, height: 900 });
      const o = await page.evaluate(`(() => {
        const card = [...document.querySelectorAll('body table, body > div')].find((e) => e.getBoundingClientRect().width > 300 && (e.getAttribute('width') === '640' || /max-width/.test(e.getAttribute('style') || '')));
        const box = card.getBoundingClientRect();
        const outside = [...card.querySelectorAll('td, div, p, li, pre')].filter((e) => { const r = e.getBoundingClientRect(); return r.right > box.right + 1 || r.left < box.left - 1 || e.scrollWidth > e.clientWidth + 1; })
          .map((e) => (e.textContent || '').slice(0, 40));
        return { scrollWidth: document.documentElement.scrollWidth, cardWidth: Math.round(box.width), outside };
      })()`) as { scrollWidth: number; cardWidth: number; outside: string[] };
      process.stderr.write(`e2e: ${name} at ${width} px: scrollWidth ${o.scrollWidth}, card ${o.cardWidth} px\n`);
      expect(o.outside, `${name} at ${width} px`).toEqual([]);
      expect(o.cardWidth, `${name} at ${width} px`).toBeLessThanOrEqual(card + 2); // and its 1 px border
      expect(o.scrollWidth, `${name} at ${width} px`).toBeLessThanOrEqual(width);
    }
    await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
    await page.close();
  }

  it("the run's email: 300-letter names in the header, regression reasons and new findings wrap; the area table keeps its columns", async () => {
    const renamed: Record<string, string> = { shop: letters('shop'), backend: letters('backend') };
    const rename = (x: unknown): unknown => {
      if (typeof x === 'string') return Object.hasOwn(renamed, x) ? renamed[x] : x;
      if (Array.isArray(x)) return x.map(rename);
      if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, rename(v)]));
      return x;
    };
    const { report } = demoRun({ change: (s) => { s.resources = rename(s.resources) as typeof s.resources; } });
    report.run.cluster.name = letters('cluster');
    report.diff = { ...report.diff!, regression: true, regressionReasons: [`new critical finding on ${letters('reason')}`] };
    const { html } = buildEmail(report, true);
    await layout(html, 'email', 640, [report.run.cluster.name, letters('reason')]);
  });

  it("a partial run's email shows the share of checks evaluated under the overall score", async () => {
    const { report } = demoRun();
    const i = report.checks.findIndex((c) => c.id === 'rbac.cluster-admin-binding');
    report.checks[i] = { ...report.checks[i]!, status: 'not-evaluated', evaluated: 0, passed: 0, failed: 0, unreadable: ['clusterrolebindings'] };
    report.run.partial = ['clusterrolebindings could not be read (forbidden)'];
    const file = join(dir, 'partial.html');
    writeFileSync(file, buildEmail(report, false).html);
    const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    await page.goto(pathToFileURL(file).href);
    const share = page.locator('#overall-share');
    expect(await share.count()).toBe(1);
    // The share, and that the overall of a partial run is not comparable with a complete run's (src/run/carried-scores.ts partialScoreNote).
    expect(await share.innerText()).toMatch(/^\d+ of \d+ checks evaluated; partial: (?:[a-z-]+(?:, [a-z-]+)* not scored; )?not comparable with a complete run$/);
    const [score, below] = await Promise.all([page.getByText(String(report.score.overall), { exact: true }).first().boundingBox(), share.boundingBox()]);
    expect(below!.y).toBeGreaterThanOrEqual(score!.y + score!.height - 1); // under the score, not beside it
    await page.close();
  });

  it('the fleet digest and the "audit could not run" email: a 300-letter cluster name wraps inside the card', async () => {
    const store = await openRunStore(join(dir, 'fleet.db'));
    const cluster = letters('fleet');
    const a1 = fleetRun(cluster, '20261110T010000Z-a00001', '2026-11-10T01:00:00.000Z', 80);
    await store.save(a1);
    await store.save(fleetRun(cluster, '20261110T020000Z-a00002', '2026-11-10T02:00:00.000Z', 60, { previous: a1, regression: [`new critical finding on User ${letters('alice')}`] }));
    const view = buildFleetView(await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW }));
    await store.close();
    expect(await sendEmailDigest(view, smtp())).toMatchObject({ status: 'sent' });
    await layout(received.at(-1)!, 'digest', 680, [cluster, letters('alice')]);
    expect(await notifyEmailFailure(`cannot list pods in ${letters('namespace')}`, { ...smtp(), clusterName: letters('failed') })).toMatchObject({ status: 'sent' });
    await layout(received.at(-1)!, 'failure', 640, [letters('failed'), letters('namespace')]);
  });
});
