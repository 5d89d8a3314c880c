// serve's /runs and /runs.json (docs/deploy.md, "/runs: the stored runs, newest first"): a
// reviewer or on-call engineer who opens the daemon finds an earlier run without knowing its id.
// Over a real SQLite history holding 103 runs stored before serve started (a partial run, a watch
// run, a run that regressed, 100 older ones) and the run serve audits at start-up, under a
// cluster name that is markup: newest first by insertion, 50 to a page, each id a link to
// /runs/ID, ?before=ID for the next older page, the bearer token as for /runs/ID, the cluster
// name escaped. The report at / links to /runs; the report.html written to disk does not.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { startServe } from '../../../src/cli/serve.ts';
import type { Daemon } from '../../../src/schedule/daemon.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { REPO } from '../../helm/helm.ts';
import { blindTo, makeReport, withExtents } from '../history/big-report.ts';

const work = mkdtempSync(join(tmpdir(), 'ztaudit-serve-run-list-'));
const history = join(work, 'history.db');
const TOKEN = 'list-s3cret';
const auth = { Authorization: `Bearer ${TOKEN}` };
const HOSTILE = '<script>alert("zt")</script>';
const FILLERS = Array.from({ length: 100 }, (_, i) => `f${String(i).padStart(3, '0')}`);

let d: Daemon;
let live: string;

beforeAll(async () => {
  const store = await openRunStore(history, { retention: { maxRuns: 0, maxAgeDays: 0 } });
  try {
    for (const [i, id] of FILLERS.entries()) await store.save(makeReport(id, `2026-10-${String(1 + Math.floor(i / 4)).padStart(2, '0')}T0${i % 4}:00:00.000Z`, { cluster: 'older' }));
    // Partial: a check not evaluated because its kind could not be listed (coverage: networkpolicies forbidden).
    const partial = blindTo(makeReport('r-partial', '2026-11-01T02:00:00.000Z', { cluster: 'prod' }), ['network.namespace-default-deny-ingress']);
    partial.checks = partial.checks.map((c) => (c.status === 'not-evaluated' ? { ...c, unreadable: ['networkpolicies'] } : c));
    await store.save(partial);
    const watch = makeReport('r-watch', '2026-11-01T02:05:00.000Z', { cluster: 'prod' });
    watch.run.trigger = 'watch';
    await store.save(watch);
    await store.save(withExtents(makeReport('r-regressed', '2026-11-01T02:10:00.000Z', { cluster: 'prod', findings: 5 })));
  } finally {
    await store.close();
  }
  const io: CliIO = { stdout: () => {}, stderr: () => {}, env: { ZTAUDIT_SERVE_TOKEN: TOKEN }, isTTY: false, cwd: work };
  d = await startServe(['--manifests', join(REPO, 'examples', 'demo-cluster'), '--config', join(REPO, 'examples', 'ztaudit.demo.yaml'), '--no-notify', '--cluster', HOSTILE,
    '--history', history, '--out', join(work, 'out'), '--schedule', '0 2 * * *', '--port', '0', '--host', '127.0.0.1'], io);
  await d.idle();
  live = d.state().latest!.run.id;
}, 60_000);

afterAll(async () => {
  await d?.stop();
  rmSync(work, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = auth) => fetch(`${d.url}${path}`, { headers });
/** A page as a browser reads its links: Handlebars writes the = of ?before= as &#x3D;. */
const page = async (path: string) => (await (await get(path)).text()).replaceAll('&#x3D;', '=');
/** The run ids a page links to, in page order. */
const linked = (html: string) => [...html.matchAll(/<a href="\/runs\/([^"?]+)">/g)].map((m) => m[1]);
/** The table row of run `id`. */
const rowOf = (html: string, id: string) => html.split('<tr>').find((row) => row.includes(`href="/runs/${id}"`)) ?? '';

interface ListedRun { id: string; url: string | null; cluster: string; trigger: string; partial: boolean; findings: { total: number }; regression: boolean | null; score: { overall: number | null } }
interface RunList { pageSize: number; before: string | null; next: string | null; runs: ListedRun[] }

describe('serve /runs: the stored runs, newest first, a page at a time', () => {
  it('lists the newest 50 runs by insertion, each id a link to its page; trigger, coverage, score, findings and change are shown', async () => {
    const r = await get('/runs');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = (await r.text()).replaceAll('&#x3D;', '=');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    // Newest first by insertion: the run serve made at start-up, then the seeded runs in reverse order of storing.
    expect(linked(html)).toEqual([live, 'r-regressed', 'r-watch', 'r-partial', ...FILLERS.slice(-46).reverse()]);
    expect(rowOf(html, 'r-watch')).toContain('<span class="pill watch">watch</span>');
    expect(rowOf(html, 'r-partial')).toContain('<span class="pill partial">partial</span>');
    expect(rowOf(html, 'r-regressed')).toContain('<span class="pill regression">regression</span>');
    expect(rowOf(html, 'f099')).toMatch(/<td>scheduled<\/td>\s*<td>complete<\/td>\s*<td class="num">80\.0<\/td>\s*<td class="num">3<\/td>\s*<td>first run<\/td>/);
    expect(rowOf(html, 'r-regressed')).toContain('<td class="num">5</td>'); // unwaived findings of 5
    expect(html).toContain('<a href="/runs?before=f054">Older runs</a>');
    expect(html).not.toContain('Newest runs');
  });

  it('?before=ID pages back through all 104 runs; the last page has no older link', async () => {
    const second = await page('/runs?before=f054');
    expect(linked(second)).toEqual(FILLERS.slice(4, 54).reverse());
    expect(second).toContain('<a href="/runs">Newest runs</a>');
    expect(second).toContain('<a href="/runs?before=f004">Older runs</a>');
    const last = await page('/runs?before=f004');
    expect(linked(last)).toEqual(['f003', 'f002', 'f001', 'f000']);
    expect(last).not.toContain('Older runs');
    // The oldest run has nothing before it: an empty page, not an error.
    const none = await get('/runs?before=f000');
    expect(none.status).toBe(200);
    expect(await none.text()).toContain('No runs stored before that run.');
  });

  it('a cluster name that is markup comes out escaped, in the list and in the JSON', async () => {
    const html = await (await get('/runs')).text();
    expect(rowOf(html, live)).toContain('<td class="cluster">&lt;script&gt;alert(&quot;zt&quot;)&lt;/script&gt;</td>');
    expect(html).not.toContain('<script');
    const json = await (await get('/runs.json')).json() as RunList;
    expect(json.runs[0]!.cluster).toBe(HOSTILE); // data, in JSON: the reader escapes for its own output
  });

  it('/runs.json gives the same page as data, with the URL of the next older page', async () => {
    const r = await get('/runs.json');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const page = await r.json() as RunList;
    expect(page.pageSize).toBe(50);
    expect(page.before).toBeNull();
    expect(page.runs.map((x) => x.id)).toEqual([live, 'r-regressed', 'r-watch', 'r-partial', ...FILLERS.slice(-46).reverse()]);
    expect(page.runs[0]!.url).toBe(`/runs/${live}`);
    const byId = new Map(page.runs.map((x) => [x.id, x]));
    expect(byId.get('r-watch')).toMatchObject({ trigger: 'watch', partial: false, regression: null });
    expect(byId.get('r-partial')).toMatchObject({ trigger: 'scheduled', partial: true });
    expect(byId.get('r-regressed')).toMatchObject({ trigger: 'scheduled', partial: false, regression: true, findings: { total: 5 }, score: { overall: 80 } });
    expect(page.next).toBe('/runs.json?before=f054');
    const pages = [page];
    while (pages.at(-1)!.next) pages.push(await (await get(pages.at(-1)!.next!)).json() as RunList);
    expect(pages.map((p) => p.runs.length)).toEqual([50, 50, 4]);
    expect(pages.flatMap((p) => p.runs.map((x) => x.id))).toEqual([live, 'r-regressed', 'r-watch', 'r-partial', ...FILLERS.toReversed()]);
  });

  it('asks for the bearer token as /runs/ID does; a run id it no longer holds is a 404, a before that is no run id a 400, neither echoed', async () => {
    for (const path of ['/runs', '/runs/', '/runs.json', '/runs?before=f054', '/runs.json?before=f054']) {
      const none = await get(path, {});
      expect(none.status, path).toBe(401);
      expect(await none.text(), path).not.toContain('r-watch');
      expect((await get(path, { Authorization: 'Bearer list-s3creT' })).status, path).toBe(401);
      expect((await get(path)).status, path).toBe(200);
    }
    const gone = await get('/runs?before=r-never-stored');
    expect(gone.status).toBe(404);
    expect(await gone.text()).not.toContain('r-never-stored');
    const bad = await get(`/runs.json?before=${encodeURIComponent('<zt-probe>')}`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).not.toContain('zt-probe');
  });

  it('the report served at / and at /runs/ID links to /runs; the report.html written to disk does not', async () => {
    const link = '<a href="/runs">All stored runs</a></nav>';
    expect(await (await get('/')).text()).toContain(link);
    const stored = await get('/runs/r-watch');
    expect(stored.status).toBe(200);
    expect(await stored.text()).toContain(link);
    expect(readFileSync(join(work, 'out', 'report.html'), 'utf8')).not.toContain('href="/runs"');
  });

  it('a run whose stored summary cannot be read is listed in its place as unreadable, with the store\'s reason, as `ztaudit history` lists it', async () => {
    const raw = new DatabaseSync(history);
    raw.prepare('UPDATE runs SET summary = ? WHERE id = ?').run('{"not json', 'f080');
    raw.close();
    const html = await page('/runs');
    expect(linked(html)).toEqual([live, 'r-regressed', 'r-watch', 'r-partial', ...FILLERS.slice(-46).reverse()]);
    expect(rowOf(html, 'f080')).toContain('<span class="pill regression">unreadable</span>');
    expect(rowOf(html, 'f080')).toContain(`stored run f080 in ${history} has an unreadable summary (runs.summary): not JSON`);
    expect(rowOf(html, 'f080')).toContain('<td class="cluster">older</td>'); // its own column still says
    const json = await (await get('/runs.json')).json() as { runs: Array<Record<string, unknown>> };
    expect(json.runs.map((x) => x.id)).toEqual([live, 'r-regressed', 'r-watch', 'r-partial', ...FILLERS.slice(-46).reverse()]);
    expect(json.runs.find((x) => x.id === 'f080')).toMatchObject({ url: '/runs/f080', cluster: 'older', unreadable: expect.stringMatching(/^stored run f080 in .* has an unreadable summary \(runs\.summary\): not JSON/) });
  });
});
