// A store shared by several clusters: each report's trend shows its own cluster's runs only.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openRunStore } from '../../../src/history/store.ts';
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
