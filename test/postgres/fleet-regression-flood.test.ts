// The PostgreSQL store's fleet gives the flood the SQLite store's answer
// (test/unit/fleet/regression-flood.test.ts): one cluster's many regressions in the window
// crowd no other cluster's out, "N regressed" counts every cluster, and what is not listed is said.
import { afterAll, expect, it } from 'vitest';
import { fleetDataOf } from '../../src/fleet/data.ts';
import { buildFleetView } from '../../src/fleet/view.ts';
import { renderFleetFormat } from '../../src/fleet/render.ts';
import { openRunStore } from '../../src/history/store.ts';
import { DEFAULT_FLEET_QUERY, REGRESSIONS_PER_CLUSTER } from '../../src/run/fleet.ts';
import { NOW, regressionFlood } from '../unit/fleet/seed.ts';
import { createDb, describePg } from './env.ts';

describePg('fleet regressions: one cluster\'s flood (PostgreSQL)', (server) => {
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => { for (const c of closers) await c(); });

  it('one regression of "victim" before 511 of other clusters stays listed and counted; the cut cluster says how many more', async () => {
    const db = await createDb(server);
    const store = await openRunStore(db.url, { env: { ZTAUDIT_PG_PASSWORD: db.password } });
    closers.push(() => store.close());
    for (const r of regressionFlood()) await store.save(r);
    const data = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW });

    const md = renderFleetFormat(data, 'md');
    expect(md).toContain('; 52 cluster(s) regressed in the last 24 h; ');
    expect(md).toContain('- **victim** victim-01: victim regression 1\n');
    expect(md).toContain('- **flappy**: and 1 more regression in the last 24 h (its newest 10 are listed)\n');
    expect(data.regressionRuns).toHaveLength(52);
    expect(data.regressionRuns?.filter((c) => c.runs !== 10)).toEqual([{ cluster: 'flappy', runs: 11 }, { cluster: 'victim', runs: 1 }]);
    expect(data.regressions).toHaveLength(1 + 500 + REGRESSIONS_PER_CLUSTER);
    expect(data.regressions.filter((r) => r.run.cluster === 'flappy').map((r) => r.run.id)).toEqual(Array.from({ length: REGRESSIONS_PER_CLUSTER }, (_, i) => `flappy-${String(11 - i).padStart(2, '0')}`));
    expect(data.regressions.at(-1)).toMatchObject({ run: { id: 'victim-01' }, reasons: ['victim regression 1'] });
    expect(buildFleetView(data).totals).toMatchObject({ regressed: 52, regressionRuns: 512 });
  });
});
