// A cluster whose latest run could not evaluate some checks: DESIGN.md "Missing data is not a
// fix" — the fleet's Crit+high, its findings on many clusters and the digest keep those checks'
// findings from the newest run that evaluated them, as /metrics does (src/schedule/metrics.ts),
// and say which run they come from.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { fleetDataOf } from '../../../src/fleet/data.ts';
import { buildFleetView, commonShapesText, type FleetView } from '../../../src/fleet/view.ts';
import { renderFleetFormat } from '../../../src/fleet/render.ts';
import { buildSlackDigest } from '../../../src/notify/fleet-digest.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { DEFAULT_FLEET_QUERY, type FleetData } from '../../../src/run/fleet.ts';
import { captureIO } from '../../helpers/cli.ts';
import { NOW, runsWithBlindLatest, runsWithExpiredCarriedWaiver, runsWithRewaivedCarried } from './seed.ts';

let dir: string;
let data: FleetData;
const { runs, first, latest } = runsWithBlindLatest();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-fleet-carried-'));
  const store = await openRunStore(join(dir, 'fleet.db'));
  for (const r of runs) await store.save(r);
  data = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW });
  await store.close();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a cluster whose latest run could not evaluate a check', () => {
  it('carries that check\'s findings from the newest run that evaluated it, past a run blind to it too; not a check it found not applicable', () => {
    const prod = data.clusters.find((c) => c.cluster === 'prod')!;
    expect(prod.latest.id).toBe(latest.run.id);
    expect(prod.latest.findings).toMatchObject({ critical: 0, high: 2 });
    expect(prod.carried).toEqual([{ runId: first.run.id, startedAt: first.run.startedAt, checks: ['rbac.cluster-admin-binding'], findings: { critical: 1, high: 0, medium: 0, low: 0 } }]);
    expect(data.clusters.find((c) => c.cluster === 'old')!.carried).toBeUndefined();
  });

  it('counts them in Crit+high and says where they come from in fleet.html and fleet.json', () => {
    const row = buildFleetView(data).grid.find((g) => g.cluster === 'prod')!;
    expect(row.severe).toBe(3);
    expect(row.carriedText).toBe(`1 carried from run ${first.run.id} (1 check the latest run could not evaluate)`);
    expect(renderFleetFormat(data, 'html')).toContain(`<td class="num">3<span class="carried">1 carried from run ${first.run.id} (1 check the latest run could not evaluate)</span></td>`);
    expect(JSON.parse(renderFleetFormat(data, 'json')).clusters.find((c: { cluster: string }) => c.cluster === 'prod').carried).toEqual(prod().carried);
  });

  it('lists them among the findings on many clusters (naming the run) and in the digest', () => {
    const common = data.common.find((c) => c.check === 'rbac.cluster-admin-binding');
    expect(common).toMatchObject({ severity: 'critical', kind: 'User', shape: 'dev', clusters: 2, clusterNames: ['old', 'prod'], findings: 2 });
    const view = buildFleetView(data);
    expect(view.common.find((c) => c.check === 'rbac.cluster-admin-binding')!.clusterNames).toBe(`old, prod (carried from run ${first.run.id})`);
    // Counted, and marked as report.md marks a partial run's carried findings: fleet.md names
    // the clusters as fleet.html does, the carried one with its run.
    expect(renderFleetFormat(data, 'md')).toContain(`| 2 (1 carried from an earlier run) | critical | rbac.cluster-admin-binding | User dev | old, prod \\(carried from run ${first.run.id}\\) |`);
    expect(renderFleetFormat(data, 'html')).toContain(`<td class="num"><b>2</b><span class="carried">1 carried from an earlier run</span></td>`);
    expect(renderFleetFormat(data, 'html')).toContain(`<td>old, prod (carried from run ${first.run.id})</td>`);
    expect(JSON.stringify(buildSlackDigest(view).blocks)).toContain('• 2 clusters (1 carried from an earlier run): `rbac.cluster-admin-binding` on `User dev` (critical)');
    // A finding no cluster carries is counted as before, unmarked.
    const md = renderFleetFormat(data, 'md');
    const plain = view.common.find((c) => c.carried === 0)!;
    expect(md).toContain(`| ${plain.clusters} | ${plain.severity} | ${plain.check} |`);
  });
});

describe('the `ztaudit fleet` summary line over a cluster whose latest run could not evaluate a check', () => {
  // As each row marks them (carriedText): a shape on 2+ clusters only with prod's finding carried
  // from an older run is not counted as found by the latest runs alone.
  it('says how many of the finding shapes on many clusters count findings carried from an earlier run', async () => {
    const t = captureIO(dir);
    expect(await main(['fleet', '--history', 'fleet.db', '--format', 'json', '--out', 'summary', '--no-notify'], t.cli), t.err()).toBe(0);
    expect(t.out()).toContain(', 3 finding shapes on 2+ clusters (1 counting findings carried from an earlier run), ');
  });

  it('says "at least" when a shape is on more clusters than it names (whether the others carry is not known)', () => {
    const shape = (carried: number, unnamed: number) => ({ carried, unnamed }) as FleetView['common'][number];
    expect(commonShapesText({ minClusters: 2, common: [shape(1, 0), shape(0, 0)] })).toBe('2 finding shapes on 2+ clusters (1 counting findings carried from an earlier run)');
    expect(commonShapesText({ minClusters: 2, common: [shape(1, 0), shape(0, 5)] })).toBe('2 finding shapes on 2+ clusters (at least 1 counting findings carried from an earlier run)');
    expect(commonShapesText({ minClusters: 3, common: [shape(0, 0)] })).toBe('1 finding shape on 3+ clusters');
  });
});

describe('a carried finding whose waiver has expired by the latest run', () => {
  it('counts as open, in Crit+high and among the findings on many clusters', async () => {
    const lapsed = runsWithExpiredCarriedWaiver();
    const store = await openRunStore(join(dir, 'lapsed.db'));
    for (const r of lapsed.runs) await store.save(r);
    const d = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW, minClusters: 1 });
    await store.close();
    expect(d.clusters[0].carried).toEqual([{ runId: lapsed.first.run.id, startedAt: lapsed.first.run.startedAt, checks: ['rbac.cluster-admin-binding'], findings: { critical: 1, high: 0, medium: 0, low: 0 } }]);
    expect(d.common.find((c) => c.check === 'rbac.cluster-admin-binding')).toMatchObject({ severity: 'critical', shape: 'dev', clusters: 1, findings: 1 });
  });
});

describe("a carried finding is waived or open by the latest run's waivers (its config), not by the waiver stored with it", () => {
  it('open where the config dropped or shortened its waiver, waived where the config added one; in Crit+high, the findings on many clusters and the waivers listed', async () => {
    const { runs, firsts } = runsWithRewaivedCarried();
    const store = await openRunStore(join(dir, 'rewaived.db'));
    for (const r of runs) await store.save(r);
    const d = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW });
    await store.close();
    const carried = (cluster: string) => d.clusters.find((c) => c.cluster === cluster)!.carried;
    const one = (cluster: string, critical: number) => [{ runId: firsts[cluster].run.id, startedAt: firsts[cluster].run.startedAt, checks: ['rbac.cluster-admin-binding'], findings: { critical, high: 0, medium: 0, low: 0 } }];
    expect(carried('dropped')).toEqual(one('dropped', 1));
    expect(carried('added')).toEqual(one('added', 0));
    expect(carried('shortened')).toEqual(one('shortened', 1));
    expect(d.common.find((c) => c.check === 'rbac.cluster-admin-binding')).toMatchObject({ clusters: 2, clusterNames: ['dropped', 'shortened'], findings: 2 });
    expect(buildFleetView(d).grid.map((g) => [g.cluster, g.severe])).toEqual([['added', 2], ['dropped', 3], ['shortened', 3]]);
    // The fleet lists the shortened waiver as expired, and counts its finding as open.
    expect(d.waivers.filter((w) => w.waiver.check === 'rbac.cluster-admin-binding').map((w) => [w.cluster, w.waiver.state])).toEqual([['shortened', 'expired']]);
  });
});

function prod() {
  return data.clusters.find((c) => c.cluster === 'prod')!;
}
