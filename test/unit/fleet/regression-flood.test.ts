// One cluster that regresses hundreds of times in the window cannot crowd another cluster's
// regression out of `fleet` and the digest: each cluster's newest regressions are listed (the
// same bound per cluster in every store; test/postgres/fleet-regression-flood.test.ts), "N
// regressed" counts every cluster, and every format says how many regressions are not listed.
// The reviewer's repro: one regression of "victim", then 501 of "flappy" → "1 regressed", no victim
// (here 511 of 51 clusters, each within the default retention of 90 runs per cluster).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { fleetDataOf } from '../../../src/fleet/data.ts';
import { buildFleetView } from '../../../src/fleet/view.ts';
import { renderFleetFormat } from '../../../src/fleet/render.ts';
import { buildSlackDigest, digestHeadline } from '../../../src/notify/fleet-digest.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { DEFAULT_FLEET_QUERY, REGRESSIONS_PER_CLUSTER } from '../../../src/run/fleet.ts';
import { NOW, regressionFlood } from './seed.ts';

const dir = mkdtempSync(join(tmpdir(), 'ztaudit-fleet-flood-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('one regression of "victim" before 511 of other clusters stays listed and counted, in every format and the Slack digest (SQLite store)', async () => {
  const store = await openRunStore(join(dir, 'flood.db'));
  for (const r of regressionFlood()) await store.save(r);
  const data = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW });
  await store.close();

  // What the user reads first: the victim listed, every regressed cluster counted.
  const md = renderFleetFormat(data, 'md');
  expect(md).toContain('; 52 cluster(s) regressed in the last 24 h; ');
  expect(md).toContain('- **victim** victim-01: victim regression 1\n');
  expect(md).toContain('- **flappy**: and 1 more regression in the last 24 h (its newest 10 are listed)\n');

  expect(data.regressionRuns).toHaveLength(52);
  expect(data.regressionRuns?.filter((c) => c.runs !== 10)).toEqual([{ cluster: 'flappy', runs: 11 }, { cluster: 'victim', runs: 1 }]);
  expect(data.regressions).toHaveLength(1 + 500 + REGRESSIONS_PER_CLUSTER);
  expect(data.regressions.filter((r) => r.run.cluster === 'flappy').map((r) => r.run.id)).toEqual(Array.from({ length: REGRESSIONS_PER_CLUSTER }, (_, i) => `flappy-${String(11 - i).padStart(2, '0')}`));
  expect(data.regressions.at(-1)?.run.id).toBe('victim-01');
  const view = buildFleetView(data);
  expect(view.totals).toMatchObject({ regressed: 52, regressionRuns: 512 });
  expect(view.regressionsCut).toEqual([{ cluster: 'flappy', more: 1, text: 'and 1 more regression in the last 24 h (its newest 10 are listed)' }]);

  const html = renderFleetFormat(data, 'html');
  expect(html).toContain('<div class="stat"><b>52</b><span>clusters regressed in 24 h</span></div>');
  const section = /<section id="regressions">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
  expect(section).toContain('<td class="cluster">victim</td>');
  expect(section).toContain('<p class="empty regressions-cut"><span class="cluster">flappy</span>: and 1 more regression in the last 24 h (its newest 10 are listed)</p>');

  const json = JSON.parse(renderFleetFormat(data, 'json')) as { regressions: Array<{ run: { id: string } }>; regressionRuns: Array<{ cluster: string; runs: number }> };
  expect(json.regressionRuns.find((c) => c.cluster === 'victim')).toEqual({ cluster: 'victim', runs: 1 });
  expect(json.regressions.map((r) => r.run.id)).toContain('victim-01');

  // The digest: one line per cluster (its newest regression), then how many regressions are not shown.
  expect(digestHeadline(view)).toContain(', 52 regressed in 24 h, ');
  const slack = JSON.stringify(buildSlackDigest(view).blocks);
  expect(slack).toContain('• `flappy` flappy regression 11\\n• `flap-49` flap-49 regression 10\\n');
  expect(slack).toContain('\\n… and 502 more');
}, 120_000); // 564 runs stored one by one, as a run stores each
