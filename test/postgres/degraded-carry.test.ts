// As test/unit/history/degraded-carry-store.test.ts on PostgreSQL: a run that judged
// pod-security.resource-limits-missing without the LimitRanges (forbidden) carries the last run
// that read them (diff.fullInputCarry) in the report it stores; retention evicts that run, and
// the next complete run is still judged against it (diff.fullInputBaselines names it).
import { expect, it } from 'vitest';
import { openRunStore } from '../../src/history/store.ts';
import type { RunReport } from '../../src/run/types.ts';
import { LIMITS_CHECK as ID, auditDemo } from '../unit/history/degraded-runs.ts';
import { createDb, describePg } from './env.ts';

describePg('the last run that read every input, evicted by retention (PostgreSQL)', (server) => {
  it('the next complete run is judged against run 1, which the store no longer holds', async () => {
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const open = () => openRunStore(db.url, { env, retention: { maxRuns: 3, maxAgeDays: 0 } });
    let clock = Date.parse('2026-11-26T02:00:00Z');
    const now = () => new Date((clock += 60_000));
    const full = await auditDemo(open, false, now);
    const partials: RunReport[] = [];
    for (let i = 0; i < 4; i++) partials.push(await auditDemo(open, true, now));
    const store = await open();
    try {
      expect((await store.list(10)).map((r) => r.id)).not.toContain(full.run.id);
    } finally {
      await store.close();
    }
    const again = await auditDemo(open, false, now);
    expect(again.diff?.previousRunId).toBe(partials[3].run.id);
    expect(again.diff?.fullInputBaselines).toEqual({ [ID]: full.run.id });
    expect(again.diff?.regressionReasons).toEqual([]);
  });
});
