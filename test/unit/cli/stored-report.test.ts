// A stored run rendered again looks the same whichever way it is asked for: `ztaudit report ID`
// and serve's /runs/ID both show the trend up to that run and the details of what it resolved.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, expect, it } from 'vitest';
import { historyCommand } from '../../../src/cli/history.ts';
import { reportCommand } from '../../../src/cli/report.ts';
import { startRunPageRenderer, type StoredRunPage } from '../../../src/cli/serve-pages.ts';
import type { CliIO } from '../../../src/cli/io.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { storedRunExtras } from '../../../src/cli/stored-report.ts';
import { makeReport } from '../history/big-report.ts';
import { startCoreApiServer } from '../history/core-api-server.ts';
import { demoRun } from '../report/demo.ts';

const work = mkdtempSync(join(tmpdir(), 'zt-stored-report-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const io = (): CliIO => ({ stdout: () => {}, stderr: () => {}, env: {}, isTTY: false, cwd: work });

/** Three runs of one cluster; the middle one resolves findings, whose details are in the first. */
function threeRuns() {
  const { report: middle, previous: first, config } = demoRun({
    change: (s) => { for (const k of ['deployments', 'pods', 'services'] as const) s.resources[k] = []; },
  });
  const newest = structuredClone(first);
  newest.run.id = 'run-20261127-0200';
  newest.run.startedAt = '2026-11-27T02:00:00.000Z';
  newest.diff = diffRuns(middle, newest, { rules: config.regression, expiredWaivers: [] });
  expect(middle.diff!.resolved.length).toBeGreaterThan(0);
  return { first, middle, newest };
}

it("serve's /runs/ID of an older run renders what `report ID` renders: the trend up to it, its resolved findings' details", async () => {
  // Today's run drops every workload the baseline had, so it resolves findings.
  const { report: middle, previous: first, config } = demoRun({
    change: (s) => { for (const k of ['deployments', 'pods', 'services'] as const) s.resources[k] = []; },
  });
  const newest = structuredClone(first);
  newest.run.id = 'run-20261127-0200';
  newest.run.startedAt = '2026-11-27T02:00:00.000Z';
  newest.diff = diffRuns(middle, newest, { rules: config.regression, expiredWaivers: [] });
  expect(middle.diff!.resolved.length).toBeGreaterThan(0);

  const history = join(work, 'h.db');
  const store = await openRunStore(history, {});
  await store.acquire();
  for (const r of [first, middle, newest]) await store.save(r);
  await store.release();
  await store.close();

  expect(await reportCommand([middle.run.id, '--history', history, '--format', 'html', '--out', 'cli'], io())).toBe(0);
  const cli = readFileSync(join(work, 'cli', 'report.html'), 'utf8');
  const pages = startRunPageRenderer({ history, cwd: work, env: {} });
  let served: StoredRunPage;
  try {
    served = await pages.render(middle.run.id);
  } finally {
    await pages.close();
  }
  expect(served).toBe(cli);
  expect(served).not.toContain('details are in the previous run');
  expect(served).not.toContain(newest.run.id);
});

it('a kept run whose previous run retention evicted (maxRuns 2: the oldest kept run\'s always is) says its resolved findings\' details are no longer stored, in `report ID` and /runs/ID alike', async () => {
  const { report: middle, previous: first, config } = demoRun({
    change: (s) => { for (const k of ['deployments', 'pods', 'services'] as const) s.resources[k] = []; },
  });
  const newest = structuredClone(first);
  newest.run.id = 'run-20261127-0200';
  newest.run.startedAt = '2026-11-27T02:00:00.000Z';
  newest.diff = diffRuns(middle, newest, { rules: config.regression, expiredWaivers: [] });
  const history = join(work, 'evicted.db');
  const store = await openRunStore(history, { retention: { maxRuns: 2, maxAgeDays: 0 } });
  await store.acquire();
  for (const r of [first, middle, newest]) await store.save(r);
  await store.release();
  expect((await store.list(10)).map((r) => r.id)).toEqual([newest.run.id, middle.run.id]);
  await store.close();

  expect(await reportCommand([middle.run.id, '--history', history, '--format', 'html', '--out', 'evicted'], io())).toBe(0);
  const cli = readFileSync(join(work, 'evicted', 'report.html'), 'utf8');
  const pages = startRunPageRenderer({ history, cwd: work, env: {} });
  let served: StoredRunPage;
  try {
    served = await pages.render(middle.run.id);
  } finally {
    await pages.close();
  }
  expect(served).toBe(cli);
  // Its diff is stored with it: still "since" that run, with every resolved finding counted.
  expect(cli).toContain(`Changes are against run <span class="mono">${first.run.id}</span>`);
  expect(cli.split(`details were in run ${first.run.id}, which is no longer stored`).length - 1).toBe(Math.min(100, middle.diff!.resolved.length));
  expect(cli).not.toContain('details are in the previous run');
});

it("a stored run's trend holds its cluster's runs up to it, never a later run's nor another cluster's", async () => {
  const store = await openRunStore(join(work, 'upto.db'), {});
  await store.acquire();
  try {
    const runs = [
      makeReport('p1', '2026-11-20T02:00:00.000Z', { cluster: 'prod', overall: 60 }),
      makeReport('s1', '2026-11-20T03:00:00.000Z', { cluster: 'staging', overall: 40 }),
      makeReport('p2', '2026-11-21T02:00:00.000Z', { cluster: 'prod', overall: 65 }),
      makeReport('p3', '2026-11-22T02:00:00.000Z', { cluster: 'prod', overall: 80 }),
    ];
    for (const r of runs) await store.save(r);
    const { trend } = await storedRunExtras(store, runs[2]!);
    expect(trend.map((t) => [t.id, t.overall])).toEqual([['p1', 60], ['p2', 65]]);
  } finally {
    await store.release();
    await store.close();
  }
});

// README: "A stored run whose report cannot be decoded (truncated, corrupt) costs nothing else".
it('a readable run whose previous run\'s stored report cannot be decoded still renders, in `report ID` and /runs/ID alike: its resolved findings say that run cannot be read', async () => {
  const { first, middle, newest } = threeRuns();
  const history = join(work, 'corrupt-previous.db');
  const store = await openRunStore(history, {});
  await store.acquire();
  for (const r of [first, middle, newest]) await store.save(r);
  await store.release();
  await store.close();
  const sql = new DatabaseSync(history);
  try {
    expect(Number(sql.prepare('UPDATE runs SET report = substr(report, 1, 100) WHERE id = ?').run(first.run.id).changes)).toBe(1);
  } finally {
    sql.close();
  }

  const err: string[] = [];
  expect(await reportCommand([middle.run.id, '--history', history, '--format', 'html', '--out', 'corrupt-previous'], { ...io(), stderr: (t) => { err.push(t); } })).toBe(0);
  expect(err).toEqual([]);
  const cli = readFileSync(join(work, 'corrupt-previous', 'report.html'), 'utf8');
  const pages = startRunPageRenderer({ history, cwd: work, env: {} });
  let served: StoredRunPage;
  try {
    served = await pages.render(middle.run.id);
  } finally {
    await pages.close();
  }
  expect(served).toBe(cli);
  expect(cli.split(`details were in run ${first.run.id}, which cannot be read`).length - 1).toBe(Math.min(100, middle.diff!.resolved.length));
  expect(cli).not.toContain('no longer stored');
});

// A damaged k8s:// index entry that still has its id (kubectl edit flattened its objects list to a string).
it('a damaged k8s:// index entry with an id gets one answer: `history` lists it UNREADABLE, `report ID` (or a prefix) fails with that same line, and the next run\'s report says it cannot be read, not that it is no longer stored', async () => {
  const { first, middle, newest } = threeRuns();
  const api = await startCoreApiServer();
  try {
    const env = { KUBECONFIG: api.kubeconfig };
    const history = 'k8s://ztaudit/damaged';
    const store = await openRunStore(history, { env });
    await store.acquire();
    for (const r of [first, middle, newest]) await store.save(r);
    await store.release();
    await store.close();
    const cm = api.fake.objects.get('ztaudit/damaged')!;
    const index = JSON.parse(cm.data!['index.json']!) as { runs: Array<{ id: string; objects: unknown }> };
    expect(index.runs[0]!.id).toBe(first.run.id);
    index.runs[0]!.objects = (index.runs[0]!.objects as string[])[0];
    cm.data!['index.json'] = JSON.stringify(index);
    const line = 'k8s://ztaudit/damaged: entry runs[0] of the history index (ConfigMap ztaudit/damaged, key index.json) is not a stored run: its objects are not a list of ConfigMap names; it is kept there as it is';

    const run = async (cmd: typeof reportCommand, args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await cmd([...args, '--history', history], { stdout: (t) => { out.push(t); }, stderr: (t) => { err.push(t); }, env, isTTY: false, cwd: work });
      return { code, out: out.join(''), err: err.join('') };
    };
    const listed = await run(historyCommand, []);
    expect(listed.code).toBe(2);
    expect(listed.err).toBe(`ztaudit history: warning: ${line}; listed as UNREADABLE\n`);
    expect(listed.out.split('\n').find((l) => l.startsWith(first.run.id))).toMatch(/UNREADABLE$/);
    for (const ref of [first.run.id, first.run.id.slice(0, -1)]) {
      expect(await run(reportCommand, [ref, '--format', 'json', '--out', 'damaged'])).toEqual({ code: 2, out: '', err: `ztaudit report: ${line}\n` });
    }

    expect(await run(reportCommand, [middle.run.id, '--format', 'html', '--out', 'damaged-next'])).toMatchObject({ code: 0, err: `ztaudit report: warning: ${line}; passed over\n` });
    const html = readFileSync(join(work, 'damaged-next', 'report.html'), 'utf8');
    expect(html.split(`details were in run ${first.run.id}, which cannot be read`).length - 1).toBe(Math.min(100, middle.diff!.resolved.length));
    expect(html).not.toContain('no longer stored');
  } finally {
    await api.close();
  }
});
