// A store shared by several clusters: each report's trend shows its own cluster's runs only.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openK8sStore } from '../../../src/history/k8s.ts';
import type { RunStore } from '../../../src/history/run-store.ts';
import { openRunStore, trendPointOf } from '../../../src/history/store.ts';
import type { RunSummary } from '../../../src/run/types.ts';
import { FakeConfigMaps } from './fake-core-api.ts';
import { makeReport } from './big-report.ts';

it('trend(limit, cluster) keeps to one cluster, oldest first', async () => {
  const store = await openRunStore(join(mkdtempSync(join(tmpdir(), 'zt-trend-')), 'h.db'), {});
  await store.acquire();
  try {
    await store.save(makeReport('a1', '2026-11-20T02:00:00Z', { cluster: 'prod', overall: 70 }));
    await store.save(makeReport('b1', '2026-11-21T02:00:00Z', { cluster: 'staging', overall: 40 }));
    await store.save(makeReport('a2', '2026-11-22T02:00:00Z', { cluster: 'prod', overall: 75 }));
    expect((await store.trend(30, 'prod')).map((t) => [t.id, t.overall])).toEqual([['a1', 70], ['a2', 75]]);
    expect((await store.trend(1, 'prod')).map((t) => t.id)).toEqual(['a2']);
    expect((await store.trend(30)).map((t) => t.id)).toEqual(['a1', 'b1', 'a2']);
  } finally {
    await store.release();
    await store.close();
  }
});

// A stored run's page (`report ID`, serve's /runs/ID) draws the trend up to that run: the store
// answers it bounded, not with every run of every cluster for the page to filter.
const upToRuns = [
  makeReport('p1', '2026-11-20T02:00:00.000Z', { cluster: 'prod', overall: 60 }),
  makeReport('s1', '2026-11-20T03:00:00.000Z', { cluster: 'staging', overall: 40 }),
  makeReport('p2', '2026-11-21T02:00:00.000Z', { cluster: 'prod', overall: 65 }),
  makeReport('p3', '2026-11-22T02:00:00.000Z', { cluster: 'prod', overall: 70 }),
  makeReport('s2', '2026-11-22T03:00:00.000Z', { cluster: 'staging', overall: 45 }),
  makeReport('p4', '2026-11-23T02:00:00.000Z', { cluster: 'prod', overall: 80 }),
];

async function expectBoundedTrend(store: RunStore): Promise<void> {
  for (const r of upToRuns) await store.save(r);
  expect((await store.trend(30, 'prod', '2026-11-22T02:00:00.000Z')).map((t) => [t.id, t.overall])).toEqual([['p1', 60], ['p2', 65], ['p3', 70]]);
  expect((await store.trend(2, 'prod', '2026-11-22T02:00:00.000Z')).map((t) => t.id)).toEqual(['p2', 'p3']);
  expect((await store.trend(30, 'staging', '2026-11-21T02:00:00.000Z')).map((t) => t.id)).toEqual(['s1']);
}

it('trend(limit, cluster, upTo) on SQLite: that cluster, up to the run, at most the limit', async () => {
  const store = await openRunStore(join(mkdtempSync(join(tmpdir(), 'zt-trend-')), 'h.db'), {});
  await store.acquire();
  try { await expectBoundedTrend(store); } finally { await store.release(); await store.close(); }
});

it('trend(limit, cluster, upTo) on k8s ConfigMaps: that cluster, up to the run, at most the limit', async () => {
  const store = await openK8sStore('zt', 'history', { api: new FakeConfigMaps().api('zt'), retention: { maxRuns: 90, maxAgeDays: 0 }, now: () => new Date() });
  await store.acquire();
  try { await expectBoundedTrend(store); } finally { await store.release(); await store.close(); }
});

// The report draws a partial run's point hollow (src/report/view/trend.ts): the store says which
// runs were partial, and runs stored before trend points had `partial` still read.
it('trend points say which runs were partial, in runs stored before the field existed too', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'zt-trend-')), 'h.db');
  const store = await openRunStore(file, {});
  await store.acquire();
  try {
    await store.save(makeReport('f1', '2026-11-20T02:00:00Z', { cluster: 'prod', overall: 70 }));
    const partial = makeReport('p1', '2026-11-21T02:00:00Z', { cluster: 'prod', overall: 95 });
    partial.run.partial = ['pods could not be read (forbidden)'];
    await store.save(partial);
    await store.save(makeReport('f2', '2026-11-22T02:00:00Z', { cluster: 'prod', overall: 72 }));
    expect((await store.trend(30, 'prod')).map((t) => [t.id, t.partial ?? false])).toEqual([['f1', false], ['p1', true], ['f2', false]]);
  } finally {
    await store.release();
    await store.close();
  }
  // As an older ztaudit stored them: no `gaps`, `partial` from the diff alone; a check listed blind and not not-applicable makes it partial.
  const { DatabaseSync } = await import('node:sqlite');
  const db = new DatabaseSync(file);
  db.prepare(`UPDATE runs SET summary = json_remove(json_set(summary, '$.partial', json('false')), '$.gaps')`).run();
  db.prepare(`UPDATE runs SET summary = json_set(summary, '$.blind', json('["network.allow-all-ingress"]')) WHERE id = 'p1'`).run();
  db.close();
  const again = await openRunStore(file, { readOnly: true });
  try {
    expect((await again.trend(30, 'prod')).map((t) => [t.id, t.partial ?? false])).toEqual([['f1', false], ['p1', true], ['f2', false]]);
  } finally {
    await again.close();
  }
});

it('trendPointOf keeps a point of a complete run as it was (no partial field)', () => {
  const summary = { id: 'a', startedAt: '2026-11-20T02:00:00Z', score: { overall: 70, areas: { network: 70, tls: null, rbac: 70, 'pod-security': 70, mtls: null } }, partial: false, gaps: 0 } as unknown as RunSummary;
  expect(trendPointOf(summary)).toEqual({ id: 'a', startedAt: '2026-11-20T02:00:00Z', overall: 70, areas: summary.score.areas });
});
