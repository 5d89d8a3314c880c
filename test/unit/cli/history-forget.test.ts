// `ztaudit history forget --cluster NAME [--yes]` on a SQLite store, as a user runs it: without
// --yes it names what would go and removes nothing; with it, every run of exactly that cluster
// goes (never one of a cluster whose name it starts, nor any other), `history`, `fleet` and
// serve's /fleet stop showing it, and the other clusters' next diff goes on as before; an unknown name, an unusable store and a
// store held by a run are one line each, exit 2.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { startRunPageRenderer } from '../../../src/cli/serve-pages.ts';
import { DEFAULT_FLEET_QUERY } from '../../../src/run/fleet.ts';
import { openRunStore } from '../../../src/history/store.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';
import { startCoreApiServer } from '../history/core-api-server.ts';
import { HOSTILE, fleetRun } from '../fleet/seed.ts';

let dir: string;
let db: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-forget-'));
  db = join(dir, 'h.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const at = (day: string, hour: string) => `2026-11-${day}T${hour}:00:00.000Z`;

/** Runs of `east` (the one to forget), `east-2` (whose name starts with it) and `prod`, interleaved as a shared store holds them. */
function fleet(east = 'east'): RunReport[] {
  const e1 = fleetRun(east, '20261101T020000Z-e00001', at('01', '02'), 70);
  const p1 = fleetRun('prod', '20261101T030000Z-p00001', at('01', '03'), 80);
  const x1 = fleetRun('east-2', '20261101T040000Z-x00001', at('01', '04'), 60);
  const e2 = fleetRun(east, '20261102T020000Z-e00002', at('02', '02'), 72, { previous: e1 });
  const p2 = fleetRun('prod', '20261102T030000Z-p00002', at('02', '03'), 75, { previous: p1, regression: ['overall score dropped 5.0 points'] });
  const e3 = fleetRun(east, '20261103T020000Z-e00003', at('03', '02'), 74, { previous: e2 });
  return [e1, p1, x1, e2, p2, e3];
}

async function seed(runs: RunReport[]): Promise<void> {
  const store = await openRunStore(db);
  for (const r of runs) await store.save(r);
  await store.close();
}

/** Each stored run as `cluster id`, newest first by insertion. */
async function stored(): Promise<string[]> {
  const store = await openRunStore(db, { readOnly: true });
  try {
    return (await store.list(99)).map((r) => `${r.cluster} ${r.id}`);
  } finally {
    await store.close();
  }
}

async function cli(...argv: string[]) {
  const t = captureIO(dir);
  const code = await main(argv, t.cli);
  return { code, out: t.out(), err: t.err() };
}

describe('history forget on a SQLite store', () => {
  it('without --yes names the count and the oldest and newest run, and removes nothing (exit 0)', async () => {
    await seed(fleet());
    const before = await stored();
    const r = await cli('history', 'forget', '--history', db, '--cluster', 'east');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toBe(
      `Would forget cluster "east" in ${db}: 3 run(s), oldest 20261101T020000Z-e00001 (started 2026-11-01T02:00:00.000Z), newest 20261103T020000Z-e00003 (started 2026-11-03T02:00:00.000Z).\n`
      + 'Nothing removed: run again with --yes to remove these runs and everything the store keeps for this cluster.\n');
    expect(await stored()).toEqual(before);
  });

  it('with --yes removes every run of exactly that cluster; east-2 and prod keep every run, and prod\'s next diff its baseline', async () => {
    await seed(fleet());
    const r = await cli('history', 'forget', '--history', db, '--cluster', 'east', '--yes');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`Forgot cluster "east" in ${db}: removed 3 run(s), oldest 20261101T020000Z-e00001 (started 2026-11-01T02:00:00.000Z), newest 20261103T020000Z-e00003 (started 2026-11-03T02:00:00.000Z).\n`);
    expect(await stored()).toEqual(['prod 20261102T030000Z-p00002', 'east-2 20261101T040000Z-x00001', 'prod 20261101T030000Z-p00001']);

    // `history` and the fleet report no longer show it; the other clusters are as they were.
    const history = await cli('history', '--history', db);
    expect(history.code).toBe(0);
    expect(history.out.split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s+/)[3])).toEqual(['prod', 'east-2', 'prod']);
    const fleetOut = await cli('fleet', '--history', db, '--format', 'json', '--out', 'fleet', '-q');
    expect(fleetOut.code, fleetOut.err).toBe(0);
    const data = JSON.parse(readFileSync(join(dir, 'fleet', 'fleet.json'), 'utf8')) as { clusters: Array<{ cluster: string; runs: number }> };
    expect(data.clusters.map((c) => [c.cluster, c.runs]).sort()).toEqual([['east-2', 1], ['prod', 2]]);

    // prod's latest run is still diffed against its previous one.
    const diff = await cli('diff', '--last', '--history', db, '--output', 'json');
    expect(diff.code, diff.err).not.toBe(2);
    expect(JSON.parse(diff.out)).toMatchObject({ previousRunId: '20261101T030000Z-p00001' });
    const store = await openRunStore(db, { readOnly: true });
    expect((await store.latest('prod'))?.run.id).toBe('20261102T030000Z-p00002');
    expect(await store.latest('east')).toBeNull();
    await store.close();
  });

  it('serve\'s /fleet, from the store it keeps open, no longer shows the cluster once forgotten', async () => {
    await seed(fleet('retired'));
    // serve renders /fleet in a worker holding the store open (src/cli/serve-pages.ts).
    const pages = startRunPageRenderer({ history: db, cwd: dir, env: {} });
    try {
      const query = { ...DEFAULT_FLEET_QUERY, now: new Date('2026-11-03T12:00:00.000Z') };
      expect(await pages.renderFleet(query)).toContain('>retired<');
      expect((await cli('history', 'forget', '--history', db, '--cluster', 'retired', '--yes')).code).toBe(0);
      const after = await pages.renderFleet(query);
      expect(after).toContain('>east-2<');
      expect(after).not.toContain('retired');
    } finally {
      await pages.close();
    }
  });

  it('an unknown cluster, or only the start of one, is one line naming it, exit 2, nothing removed', async () => {
    await seed(fleet());
    const before = await stored();
    for (const name of ['eas', 'gone', 'EAST']) {
      const r = await cli('history', 'forget', '--history', db, '--cluster', name, '--yes');
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toBe(`ztaudit history forget: no cluster "${name}" in ${db} (the name must match exactly, or be canonically equal Unicode; ztaudit history lists each run's cluster); nothing removed\n`);
    }
    expect(await stored()).toEqual(before);
    // A store that does not exist has no cluster either, and is not created.
    const none = await cli('history', 'forget', '--history', join(dir, 'none.db'), '--cluster', 'east');
    expect(none.code).toBe(2);
    expect(none.err).toBe(`ztaudit history forget: no cluster "east" in ${join(dir, 'none.db')} (the name must match exactly, or be canonically equal Unicode; ztaudit history lists each run's cluster); nothing removed\n`);
  });

  it('a hostile cluster name is printed on its line with its controls escaped, and forgotten exactly', async () => {
    // Markup, a Slack ping, a right-to-left override and a line break forging a second line.
    const hostile = `${HOSTILE}\nForgot cluster "prod"`;
    await seed(fleet(hostile));
    const r = await cli('history', 'forget', '--history', db, '--cluster', hostile, '--yes');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Forgot cluster "<script>alert(1)</script>@here\\u202e\\u000aForgot cluster "prod"" in ');
    expect(r.out).not.toContain('\u202e');
    expect(r.out.split('\n')).toHaveLength(2);
    expect((await stored()).map((s) => s.split(' ')[0])).toEqual(['prod', 'east-2', 'prod']);
  });

  // Every output shows a no-break space as \u00a0 (it reads like a space); the name as
  // `history` lists it is what a user types back, and the store holds the character.
  it('a cluster name as `history` shows it, its no-break space escaped, finds the stored cluster', async () => {
    await seed(fleet('east\u00a0a'));
    const listed = await cli('history', '--history', db);
    expect(listed.out).toContain('east\\u00a0a');
    const r = await cli('history', 'forget', '--history', db, '--cluster', 'east\\u00a0a', '--yes');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Forgot cluster "east\\u00a0a" in ');
    expect((await stored()).map((s) => s.split(' ')[0])).toEqual(['prod', 'east-2', 'prod']);
  });

  // Runs stored under the decomposed spelling (by a version that kept --cluster as typed) are the
  // cluster typed composed: canonically equal text (UAX #15, https://www.unicode.org/reports/tr15/), shown alike.
  it('a cluster stored as "cafe\\u0301" (NFD) is found and forgotten by "caf\\u00e9" (NFC), and the other spelling is marked', async () => {
    const nfd = 'cafe\u0301', nfc = 'caf\u00e9';
    await seed(fleet(nfd));
    const dry = await cli('history', 'forget', '--history', db, '--cluster', nfc);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain(`Would forget cluster "${nfd}" (stored in another Unicode spelling of that name: not NFC) in ${db}: 3 run(s), `);
    expect(await stored()).toHaveLength(6);
    const r = await cli('history', 'forget', '--history', db, '--cluster', nfc, '--yes');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`Forgot cluster "${nfd}" (stored in another Unicode spelling of that name: not NFC) in ${db}: removed 3 run(s), `);
    expect((await stored()).map((s) => s.split(' ')[0])).toEqual(['prod', 'east-2', 'prod']);
  });

  it('a store that cannot be used, or that a run holds, is one line naming it, exit 2, nothing removed', async () => {
    const bad = join(dir, 'bad.db');
    writeFileSync(bad, 'not a database at all, but long enough to have a header of sorts............................................');
    const r = await cli('history', 'forget', '--history', bad, '--cluster', 'east', '--yes');
    expect(r.code).toBe(2);
    expect(r.err.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.err).toMatch(new RegExp(`^ztaudit history forget: history database ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be used: `));

    await seed(fleet());
    const holder = await openRunStore(db);
    await holder.acquire('prod');
    try {
      const held = await cli('history', 'forget', '--history', db, '--cluster', 'east', '--yes');
      expect(held.code).toBe(2);
      expect(held.err).toMatch(/^ztaudit history forget: another ztaudit run holds .*h\.db since .*; wait for it to finish .*\n$/);
    } finally {
      await holder.close();
    }
    expect((await stored()).filter((s) => s.startsWith('east '))).toHaveLength(3);
  });
});

// `kubectl edit` can flatten an index entry's one-item objects list to a string: the k8s:// store
// keeps such an entry as it is, and `history` lists it as an UNREADABLE run of the cluster it names.
describe('history forget on a k8s:// store', () => {
  it('counts and removes the cluster\'s damaged index entries too: `history` lists nothing of it afterwards, and a second forget finds no cluster', async () => {
    const api = await startCoreApiServer();
    try {
      const env = { KUBECONFIG: api.kubeconfig };
      const history = 'k8s://ztaudit/history';
      const store = await openRunStore(history, { env });
      for (const r of fleet()) await store.save(r);
      await store.close();
      const cm = api.fake.objects.get('ztaudit/history')!;
      const index = JSON.parse(cm.data!['index.json']!) as { runs: Array<{ id: string; objects: unknown }> };
      expect(index.runs[0]!.id).toBe('20261101T020000Z-e00001');
      index.runs[0]!.objects = (index.runs[0]!.objects as string[])[0];
      cm.data!['index.json'] = JSON.stringify(index);
      const run = async (...argv: string[]) => {
        const t = captureIO(dir, env);
        const code = await main(argv, t.cli);
        return { code, out: t.out(), err: t.err() };
      };
      const span = '3 run(s) (1 of them a damaged index entry, listed as UNREADABLE by ztaudit history), oldest 20261101T020000Z-e00001 (started 2026-11-01T02:00:00.000Z), newest 20261103T020000Z-e00003 (started 2026-11-03T02:00:00.000Z)';
      const dry = await run('history', 'forget', '--history', history, '--cluster', 'east');
      expect(dry.code, dry.err).toBe(0);
      expect(dry.out.split('\n')[0]).toBe(`Would forget cluster "east" in ${history}: ${span}.`);
      const yes = await run('history', 'forget', '--history', history, '--cluster', 'east', '--yes');
      expect(yes.code, yes.err).toBe(0);
      expect(yes.out).toBe(`Forgot cluster "east" in ${history}: removed ${span}.\n`);
      const listed = await run('history', '--history', history);
      expect(listed.code, listed.err).toBe(0);
      expect(listed.out).not.toContain('UNREADABLE');
      expect(listed.out.split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s+/)[3])).toEqual(['prod', 'east-2', 'prod']);
      const again = await run('history', 'forget', '--history', history, '--cluster', 'east');
      expect(again.code).toBe(2);
      expect(again.err).toBe(`ztaudit history forget: no cluster "east" in ${history} (the name must match exactly, or be canonically equal Unicode; ztaudit history lists each run's cluster); nothing removed\n`);
    } finally {
      await api.close();
    }
  });
});
