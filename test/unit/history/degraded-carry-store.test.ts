// A run that judged a check without a best-effort input carries the last run that read them all
// (diff.fullInputCarry, src/diff/diff.ts), through each store as it is written: retention may
// then evict that run, and the next complete run still judges escalations and the area's score
// drop against it (diff.fullInputBaselines names it). LimitRanges forbidden (a 403 on the list,
// https://kubernetes.io/docs/reference/access-authn-authz/authorization/) leave every check
// evaluated (pod-security.resource-limits-missing reads them when it can), so no blind check
// keeps run 1 in the store. SQLite and k8s:// here; PostgreSQL stores the same report.json
// (test/postgres/store.test.ts covers its retention).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openK8sStore } from '../../../src/history/k8s.ts';
import type { RunStore } from '../../../src/history/run-store.ts';
import { openRunStore } from '../../../src/history/store.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { LIMITS_CHECK as ID, auditDemo } from './degraded-runs.ts';
import { FakeConfigMaps } from './fake-core-api.ts';

const retention = { maxRuns: 3, maxAgeDays: 0 };

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ztaudit-degraded-carry-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));
// Minutes apart: tls.certificate-expiring reads the clock.
let clock = Date.parse('2026-11-26T02:00:00Z');

const stores: Array<[string, () => () => Promise<RunStore>]> = [
  ['SQLite', () => () => openRunStore(join(dir, 'h.db'), { retention })],
  ['k8s://', () => {
    const fake = new FakeConfigMaps();
    return () => openK8sStore('ztaudit', 'history', { api: fake.api('ztaudit'), retention, now: () => new Date(clock) });
  }],
];

describe.each(stores)('the last run that read every input, evicted by retention (%s)', (_name, makeStore) => {
  const audit = (open: () => Promise<RunStore>, forbidden: boolean) => auditDemo(open, forbidden, () => new Date((clock += 60_000)));

  it('the next complete run is judged against run 1, which the store no longer holds', async () => {
    const open = makeStore();
    const full = await audit(open, false);
    const partials: RunReport[] = [];
    for (let i = 0; i < 4; i++) partials.push(await audit(open, true));
    expect(partials.map((p) => p.checks.find((c) => c.id === ID)?.degraded)).toEqual(Array(4).fill(['limitranges']));
    const store = await open();
    try {
      expect((await store.list(10)).map((r) => r.id)).not.toContain(full.run.id);
    } finally {
      await store.close();
    }
    const again = await audit(open, false);
    expect(again.diff?.previousRunId).toBe(partials[3].run.id);
    expect(again.diff?.fullInputBaselines).toEqual({ [ID]: full.run.id });
    expect(again.diff?.regressionReasons).toEqual([]);
  });
});
