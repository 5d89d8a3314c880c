// The fleet report in a real browser (Debian's Chromium through playwright-core): every
// cluster a row with its grades and trend, hostile cluster names render as text (no script
// runs, no dialog, no extra element), and the page's CSP is in force (nothing is fetched).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetDataOf } from '../../src/fleet/data.ts';
import { renderFleetFormat } from '../../src/fleet/render.ts';
import { openRunStore } from '../../src/history/store.ts';
import { DEFAULT_FLEET_QUERY } from '../../src/run/fleet.ts';
import { HOSTILE, NOW, fleetRuns, runsWithBlindLatest } from '../unit/fleet/seed.ts';
import { skipOrFail } from '../helpers/ci.ts';
import { withoutInvisible } from '../../src/base/plain-text.ts';

function chromiumPath(): string | null {
  const r = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' });
  const p = r.stdout.trim().split('\n')[0];
  return r.status === 0 && p ? p : null;
}
const executablePath = chromiumPath();
if (!executablePath) skipOrFail('e2e fleet report tests', 'Chromium is not installed (apt-get install -y chromium)');
const describeBrowser = executablePath ? describe : describe.skip;

describeBrowser('fleet report in Chromium', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ztaudit-fleet-e2e-'));
    browser = await chromium.launch({ executablePath: executablePath!, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows every cluster with grades and a trend; hostile names stay text and nothing is fetched', async () => {
    const store = await openRunStore(join(dir, 'fleet.db'));
    for (const r of fleetRuns()) await store.save(r);
    const data = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW });
    await store.close();
    const file = join(dir, 'fleet.html');
    writeFileSync(file, renderFleetFormat(data, 'html'));

    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror ${e.message}`));
    page.on('dialog', (d) => { problems.push(`dialog ${d.message()}`); void d.dismiss(); });
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console ${m.text()}`); });
    page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
    await page.goto(pathToFileURL(file).href);

    const rows = await page.locator('#grid tbody tr').evaluateAll((trs) => trs.map((tr) => tr.querySelector('.cluster')?.textContent ?? ''));
    expect(rows.map((r) => r.replace(/\s*(regression|partial|stale)/g, '').trim())).toEqual([withoutInvisible(HOSTILE), 'alpha', 'beta']); // bidi controls shown escaped, as text
    expect(await page.locator('#grid tbody tr').first().locator('td.num .grade').first().innerText()).toBe('F');
    expect(await page.locator('svg.spark polyline').count()).toBe(2); // alpha and beta have two or more runs
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('#common tbody tr').count()).toBe(2);
    expect(await page.locator('#regressions tbody tr').count()).toBe(1);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('shows the first row of every table: no header sits over it, and the sticky section bar stays above the tables when scrolled', async () => {
    const store = await openRunStore(join(dir, 'layout.db'));
    for (const r of fleetRuns()) await store.save(r);
    const data = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW });
    await store.close();
    const file = join(dir, 'layout.html');
    writeFileSync(file, renderFleetFormat(data, 'html'));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(file).href);
    const hits = await page.locator('.wrap table').evaluateAll((tables) => tables.map((t) => {
      const td = t.querySelector('tbody tr td');
      if (!td) return null;
      td.scrollIntoView({ block: 'center' });
      const box = td.getBoundingClientRect();
      const at = t.ownerDocument.elementFromPoint(box.left + 4, box.top + box.height / 2);
      return `${t.closest('section')?.id}: ${at?.closest('td, th')?.tagName ?? at?.tagName}`;
    }));
    expect(hits.filter((h) => h !== null)).toEqual(['grid: TD', 'regressions: TD', 'common: TD', 'waivers: TD']);
    // Scrolled so the grid's first row is under the bar: the bar is what is seen there.
    const under = await page.evaluate(`(() => {
      const td = document.querySelector('#grid tbody tr td');
      window.scrollTo(0, td.getBoundingClientRect().top + window.scrollY - 10);
      const nav = document.querySelector('nav').getBoundingClientRect();
      return document.elementFromPoint(nav.right - 8, nav.top + nav.height / 2)?.closest('nav')?.tagName ?? 'covered';
    })()`);
    expect(under).toBe('NAV');
    await page.close();
  });
  it('keeps a partial run\'s "carried from run …" note inside its Crit+high cell: the Trend and Latest run columns stay readable', async () => {
    const store = await openRunStore(join(dir, 'carried.db'));
    for (const r of runsWithBlindLatest().runs) await store.save(r);
    const data = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW });
    await store.close();
    const file = join(dir, 'carried.html');
    writeFileSync(file, renderFleetFormat(data, 'html'));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(file).href);
    const notes = await page.locator('#grid td .carried').evaluateAll((spans) => spans.map((s) => {
      const range = s.ownerDocument.createRange();
      range.selectNodeContents(s);
      const note = range.getBoundingClientRect(); // the text itself, not its 16em box
      const cell = s.closest('td')!.getBoundingClientRect();
      return { text: s.textContent ?? '', inside: note.left >= cell.left - 0.5 && note.right <= cell.right + 0.5 };
    }));
    expect(notes.length).toBe(1);
    expect(notes[0]!.text).toMatch(/carried from run 20261110T020000Z-p00001/);
    expect(notes).toEqual([{ text: notes[0]!.text, inside: true }]);
    await page.close();
  });
});
