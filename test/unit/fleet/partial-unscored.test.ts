// A partial run's area that its report says is not scored ("partial: network not scored";
// the area's row "n/a (0/11 checks evaluated)") is n/a in every fleet view too: fleet.md,
// fleet.html (also serve's /fleet), fleet.json and the digest, never a number over what could be
// read. Through real runs: the demo cluster with deployments and NetworkPolicies forbidden.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { AREAS } from '../../../src/base/vocabulary.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { readSnapshot, writeSnapshot } from '../../../src/snapshot/io.ts';
import { fleetDataOf } from '../../../src/fleet/data.ts';
import { buildFleetView } from '../../../src/fleet/view.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { buildSlackDigest } from '../../../src/notify/fleet-digest.ts';
import { DEFAULT_FLEET_QUERY } from '../../../src/run/fleet.ts';
import { ROOT } from '../report/demo.ts';

const dir = mkdtempSync(join(tmpdir(), 'zt-fleet-unscored-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = { stdout: () => {}, stderr: () => {}, env: {}, isTTY: false, cwd: ROOT };

async function snapshot(name: string, forbidden: string[]): Promise<string> {
  const file = join(dir, `${name}.snap.json.gz`);
  expect(await main(['snapshot', '--manifests', 'examples/demo-cluster', '-o', file, '-q'], quiet)).toBe(0);
  const s = await readSnapshot(file);
  for (const kind of forbidden) {
    s.coverage[kind] = { status: 'forbidden', detail: `list ${kind}: 403` };
    delete (s.resources as Record<string, unknown>)[kind];
  }
  writeSnapshot(file, s);
  return file;
}

async function run(cluster: string, snap: string): Promise<{ report: RunReport; md: string }> {
  const out = join(dir, `r-${cluster}`);
  const err: string[] = [];
  const code = await main(['run', '--snapshot', snap, '--config', 'examples/ztaudit.demo.yaml', '--cluster', cluster, '--history', join(dir, 'h.db'), '--out', out, '--no-notify', '--format', 'json,md', '-q'],
    { ...quiet, stderr: (t: string) => err.push(t) });
  expect(code, err.join('')).toBe(0);
  return { report: JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport, md: readFileSync(join(out, 'report.md'), 'utf8') };
}

describe('an area a partial run could not score, in the fleet', () => {
  it('is n/a in fleet.md, fleet.html, fleet.json and the digest, as in the run\'s report; the areas it scored show its numbers', async () => {
    const complete = await run('complete', await snapshot('full', []));
    const partial = await run('partial', await snapshot('blind', ['deployments', 'networkpolicies']));
    // The scene as the run's report says it: network not scored.
    expect(partial.report.score.areas.network).toBeNull();
    expect(partial.md).toMatch(/\| Network segmentation \| n\/a \(0\/\d+ checks evaluated\) \| n\/a \|/);
    expect(partial.md).toContain('partial: network not scored');

    const t = { ...quiet, cwd: dir };
    expect(await main(['fleet', '--history', join(dir, 'h.db'), '--out', join(dir, 'f'), '--format', 'md,html,json', '--no-notify', '-q'], t)).toBe(0);
    const md = readFileSync(join(dir, 'f', 'fleet.md'), 'utf8');
    const row = md.split('\n').find((l) => l.startsWith('| partial (partial) |'))!;
    const cells = row.split(' | ').slice(2).map((c) => c.replace(/ \|$/, ''));
    // Each area's cell is the run's own score (n/a where none) with grade n/a: none was fully evaluated.
    expect(cells).toEqual(AREAS.map((a) => `${partial.report.score.areas[a] === null ? 'n/a' : partial.report.score.areas[a]!.toFixed(1)} n/a`));
    expect(cells[0]).toBe('n/a n/a');
    const json = JSON.parse(readFileSync(join(dir, 'f', 'fleet.json'), 'utf8')) as { clusters: Array<{ cluster: string; latest: { score: RunReport['score'] } }> };
    expect(json.clusters.find((c) => c.cluster === 'partial')!.latest.score.areas.network).toBeNull();
    const html = readFileSync(join(dir, 'f', 'fleet.html'), 'utf8');
    const tr = html.slice(html.indexOf('<td class="cluster">partial'), html.indexOf('</tr>', html.indexOf('<td class="cluster">partial')));
    // Overall, then the five areas: network's cell says n/a, no number.
    const tds = [...tr.matchAll(/<td class="num ([^"]*)">([^<]*)<span class="grade">([^<]*)<\/span>/g)].map((m) => [m[1], m[2], m[3]]);
    expect(tds[1]).toEqual(['grade-na', 'n/a', 'n/a']);
    // The complete cluster keeps its numbers and grades.
    expect(md).toContain(`| complete | ${complete.report.score.overall!.toFixed(1)} `);

    const store = await openRunStore(join(dir, 'h.db'));
    const view = buildFleetView(await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: new Date() }));
    await store.close();
    // The digest ranks no n/a cluster among the lowest scores; it says one was left out.
    const digest = JSON.stringify(buildSlackDigest(view).blocks);
    expect(digest).not.toMatch(/`partial` \d/);
  }, 120_000);
});
