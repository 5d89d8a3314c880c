// A stored run whose report was truncated in PostgreSQL (a hand edit, a restore gone wrong)
// costs nothing else: the next run of its cluster is diffed against the newest run that can be
// read and names the one it passed over; `history export` writes the others and exits 2; the
// fleet (PostgreSQL's own queries, which never decode a report) is whole.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { openRunStore } from '../../src/history/store.ts';
import type { CliIO } from '../../src/cli/io.ts';
import type { RunReport, RunSummary } from '../../src/run/types.ts';
import { adminQuery, createDb, describePg } from './env.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const DEMO = ['--manifests', join(ROOT, 'examples/demo-cluster'), '--config', join(ROOT, 'examples/ztaudit.demo.yaml')];

describePg('a stored run that cannot be read (PostgreSQL)', (server) => {
  let work: string;
  beforeAll(() => { work = mkdtempSync(join(tmpdir(), 'ztaudit-pg-unreadable-')); });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function io(env: Record<string, string>): CliIO & { err: () => string } {
    const err: string[] = [];
    return { stdout: () => {}, stderr: (t) => err.push(t), env, isTTY: false, cwd: work, err: () => err.join('') };
  }

  it('the next run is stored, diffed against the newest readable run and naming the one passed over; export skips it and exits 2; fleet is whole', async () => {
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const run = async (out: string) => {
      const t = io(env);
      const code = await main(['run', ...DEMO, '--cluster', 'prod-b', '--history', db.url, '--out', out, '--format', 'json', '--no-notify', '-q'], t);
      return { code, err: t.err(), report: JSON.parse(readFileSync(join(work, out, 'report.json'), 'utf8')) as RunReport };
    };
    const a = await run('a');
    const b = await run('b');
    await adminQuery(server, 'UPDATE ztaudit_runs SET report = substring(report from 1 for 100) WHERE id = $1', [b.report.run.id], db.name);

    const c = await run('c');
    expect(c.code, c.err).toBe(0);
    expect(c.report.diff!.previousRunId).toBe(a.report.run.id);
    expect(c.report.diff!.unreadableRuns).toEqual([b.report.run.id]);
    expect(c.err).toContain(`stored run ${b.report.run.id} in`);
    expect(c.err).toContain(`is unreadable: unexpected end of file; passed over: this run is diffed against run ${a.report.run.id}`);
    // Its summary is still read, for the next run to compare with (src/diff/diff.ts regressionSinceSummary).
    const store = await openRunStore(db.url, { env });
    const summaries: Array<string | undefined> = [];
    for await (const r of store.runsNewestFirst('prod-b', { onUnreadable: (error) => { summaries.push((error.summary as RunSummary | undefined)?.id); } })) expect(r.run.id).not.toBe(b.report.run.id);
    await store.close();
    expect(summaries).toEqual([b.report.run.id]);
    expect((await adminQuery(server, 'SELECT id FROM ztaudit_runs ORDER BY seq', [], db.name)).rows.map((r: { id: string }) => r.id))
      .toEqual([a.report.run.id, b.report.run.id, c.report.run.id]);

    const exp = io(env);
    expect(await main(['history', 'export', '--history', db.url, '--file', 'e.jsonl'], exp)).toBe(2);
    const ids = readFileSync(join(work, 'e.jsonl'), 'utf8').trim().split('\n').slice(1).map((l) => (JSON.parse(l) as RunReport).run.id);
    expect(ids).toEqual([a.report.run.id, c.report.run.id]);
    expect(exp.err()).toContain(`stored run ${b.report.run.id} in`);

    // README's way to delete it now: the export is whole again.
    await adminQuery(server, 'WITH gone AS (DELETE FROM ztaudit_runs WHERE id = $1 RETURNING seq) DELETE FROM ztaudit_findings WHERE run_seq IN (SELECT seq FROM gone)', [b.report.run.id], db.name);
    expect(await main(['history', 'export', '--history', db.url, '--file', 'e2.jsonl'], io(env))).toBe(0);

    const fleet = io(env);
    expect(await main(['fleet', '--history', db.url, '--format', 'json', '--out', 'f', '--no-notify', '-q'], fleet), fleet.err()).toBe(0);
  });

  it('a stored report that decodes to `{}` (a hand edit, another writer) is passed over, named, as a truncated one is: no crash of the next run, diff --last or report', async () => {
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const run = async (out: string) => {
      const t = io(env);
      const code = await main(['run', ...DEMO, '--cluster', 'prod-b', '--history', db.url, '--out', out, '--format', 'json', '--no-notify', '-q'], t);
      return { code, err: t.err(), report: JSON.parse(readFileSync(join(work, out, 'report.json'), 'utf8')) as RunReport };
    };
    const a = await run('w-a');
    const b = await run('w-b');
    await adminQuery(server, 'UPDATE ztaudit_runs SET report = $2 WHERE id = $1', [b.report.run.id, gzipSync('{}')], db.name);

    const c = await run('w-c');
    expect(c.code, c.err).toBe(0);
    expect(c.report.diff!.previousRunId).toBe(a.report.run.id);
    expect(c.report.diff!.unreadableRuns).toEqual([b.report.run.id]);
    expect(c.err).toContain(`is unreadable: its report decodes to no run (its run is not an object); passed over: this run is diffed against run ${a.report.run.id}`);
    const last = io(env);
    expect(await main(['diff', '--last', '--history', db.url], last), last.err()).toBe(0);
    const report = io(env);
    expect(await main(['report', b.report.run.id, '--history', db.url, '--out', 'w-r'], report)).toBe(2);
    expect(report.err().trim().split('\n')).toHaveLength(1);
    expect(report.err()).toContain('its report decodes to no run (its run is not an object)');
  });

  it('a run whose summary is no RunSummary (a hand edit): history lists it as UNREADABLE, fleet leaves it out and names it once, the next run is diffed against it; each exits as its SQLite twin', async () => {
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const run = async (cluster: string, out: string) => {
      const t = io(env);
      const code = await main(['run', ...DEMO, '--cluster', cluster, '--history', db.url, '--out', out, '--format', 'json', '--no-notify', '-q'], t);
      return { code, err: t.err(), report: JSON.parse(readFileSync(join(work, out, 'report.json'), 'utf8')) as RunReport };
    };
    const a = await run('prod-a', 's-a');
    const b1 = await run('prod-b', 's-b1');
    const b2 = await run('prod-b', 's-b2');
    // jsonb holds any JSON value, a string too (https://www.postgresql.org/docs/current/datatype-json.html): a string where the
    // summary object was, and flagged as a regression so the fleet's regressions query meets it too.
    await adminQuery(server, `UPDATE ztaudit_runs SET summary = '"garbage"'::jsonb, regression = true WHERE id = $1`, [b2.report.run.id], db.name);
    const named = `stored run ${b2.report.run.id} in ${db.url.replace(/\?.*$/, '').replace(/\/\/[^@]*@/, '//')} has an unreadable summary (ztaudit_runs.summary): not a JSON object`;

    const out: string[] = [];
    const list = { ...io(env), stdout: (t: string) => { out.push(t); } };
    expect(await main(['history', '--history', db.url], list)).toBe(2);
    expect(out.join('').trim().split('\n').map((l) => l.split(/\s+/)[0])).toEqual(['RUN', b2.report.run.id, b1.report.run.id, a.report.run.id]);
    expect(out.join('')).toMatch(/ UNREADABLE\n/);
    // Its start time and cluster come from the row's own columns (started_at, cluster), not the summary.
    expect(out.join('').split('\n')[1]!.split(/\s+/).slice(0, 4)).toEqual([b2.report.run.id, ...b2.report.run.startedAt.replace(/\.\d+Z$|Z$/, '').split('T'), 'prod-b']);
    expect(list.err()).toBe(`ztaudit history: warning: ${named}; listed as UNREADABLE\n`);

    const fleet = io(env);
    expect(await main(['fleet', '--history', db.url, '--format', 'json', '--out', 's-f', '--no-notify', '-q'], fleet)).toBe(2);
    const data = JSON.parse(readFileSync(join(work, 's-f/fleet.json'), 'utf8')) as { clusters: Array<{ cluster: string; runs: number; latest: { id: string } }>; regressions: unknown[] };
    expect(data.clusters.map((c) => [c.cluster, c.latest.id, c.runs])).toEqual([['prod-a', a.report.run.id, 1], ['prod-b', b1.report.run.id, 2]]);
    expect(data.regressions).toEqual([]);
    expect(fleet.err()).toBe(`ztaudit fleet: warning: ${named}; left out of the fleet (its cluster is shown by its other runs)\n`);

    const c = await run('prod-b', 's-c');
    expect(c.code, c.err).toBe(0);
    expect(c.report.diff!.previousRunId).toBe(b2.report.run.id); // its report reads: it is the previous run
  });
});
