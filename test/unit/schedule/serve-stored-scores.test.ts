// serve at start reads what the stored runs of its cluster scored, so a daemon restarted while a
// kind is unreadable still carries an area's last score on /metrics (docs/deploy.md, Metrics):
// only its own cluster's runs (a fleet store holds others), and nothing when the name is unknown.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { readStoredScores } from '../../../src/cli/serve-run-list.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { blindTo, makeReport } from '../history/big-report.ts';

const areaOf = (id: string) => CHECKS.find((c) => c.id === id)?.area;

describe('readStoredScores', () => {
  it('carries an area from the newest run of the cluster that scored it whole, never from another cluster', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'zt-stored-scores-')), 'h.db');
    const store = await openRunStore(db);
    try {
      await store.save(makeReport('p1', '2026-11-01T02:00:00.000Z', { cluster: 'prod', overall: 30 }));
      await store.save(makeReport('o1', '2026-11-01T02:05:00.000Z', { cluster: 'other', overall: 90 }));
      await store.save(blindTo(makeReport('p2', '2026-11-01T02:10:00.000Z', { cluster: 'prod', overall: 60 }), ['network.namespace-default-deny-ingress']));
      const memory = await readStoredScores(store, 'prod', areaOf);
      expect(memory.areas.network).toEqual({ score: 30, runId: 'p1' }); // p2 was blind to it, o1 is another cluster
      expect(memory.areas.rbac).toEqual({ score: 50, runId: 'p2' });
      expect(await readStoredScores(store, undefined, areaOf)).toEqual({ areas: {}, complete: null });
    } finally {
      await store.close();
    }
  });

  // A store shared by a fleet: other clusters' runs stored since must not hide this cluster's.
  it('pages past 120 newer runs of another cluster to the cluster\'s own', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'zt-stored-scores-')), 'h.db');
    const store = await openRunStore(db);
    try {
      await store.save(makeReport('p1', '2026-11-01T02:00:00.000Z', { cluster: 'prod', overall: 30 }));
      for (let i = 0; i < 120; i++) await store.save(makeReport(`o${i}`, new Date(Date.parse('2026-11-01T03:00:00.000Z') + i * 60_000).toISOString(), { cluster: 'other', overall: 90 }));
      const memory = await readStoredScores(store, 'prod', areaOf);
      expect(memory.areas.network).toEqual({ score: 30, runId: 'p1' });
      expect(memory.complete).toMatchObject({ runId: 'p1' });
    } finally {
      await store.close();
    }
  });
});
