// Names the PostgreSQL store must take as SQLite does, through the CLI: a NUL byte in a name
// from the cluster (stored, and the report read back keeps it exactly), the fleet of the same
// runs imported into PostgreSQL and into SQLite (the same fleet.json, hollow partial points
// included), and a cluster name too long for PostgreSQL's indexes (one line, before the lock).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { CliIO } from '../../src/cli/io.ts';
import { PG_MAX_CLUSTER_BYTES } from '../../src/history/postgres.ts';
import type { FleetData } from '../../src/run/fleet.ts';
import { fleetRuns } from '../unit/fleet/seed.ts';
import { adminQuery, createDb, describePg } from './env.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CONFIG = ['--config', join(ROOT, 'examples/ztaudit.demo.yaml')];
/** The apiserver takes any non-empty User name in a binding (k8s pkg/apis/rbac/validation/validation.go, ValidateRoleBindingSubject). */
const NUL_USER = 'eve\u0000@corp';

describePg('names PostgreSQL cannot hold as they are', (server) => {
  let work: string;
  beforeAll(() => { work = mkdtempSync(join(tmpdir(), 'ztaudit-pg-names-')); });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function io(env: Record<string, string> = {}): CliIO & { out: () => string; err: () => string } {
    const out: string[] = [];
    const err: string[] = [];
    return { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, isTTY: false, cwd: work, out: () => out.join(''), err: () => err.join('') };
  }
  async function cli(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
    const t = io(env);
    const code = await main(argv, t);
    return { code, out: t.out(), err: t.err() };
  }

  // PostgreSQL's text cannot hold a NUL byte and jsonb rejects \u0000
  // (https://www.postgresql.org/docs/current/datatype-character.html,
  // https://www.postgresql.org/docs/current/datatype-json.html): the server itself refused
  // every run of a cluster with such a binding.
  it('a ClusterRoleBinding to a User named "eve\\0@corp": the runs are stored, history, fleet and diff --last work, the report read back keeps the exact name', async () => {
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const manifests = join(work, 'nul-cluster');
    cpSync(join(ROOT, 'examples/demo-cluster'), manifests, { recursive: true });
    writeFileSync(join(manifests, '98-crb.yaml'), [
      'apiVersion: rbac.authorization.k8s.io/v1', 'kind: ClusterRoleBinding', 'metadata:', '  name: contractor-admin', 'subjects:',
      '- kind: User', '  name: "eve\\u0000@corp"', '  apiGroup: rbac.authorization.k8s.io',
      'roleRef:', '  kind: ClusterRole', '  name: cluster-admin', '  apiGroup: rbac.authorization.k8s.io', ''].join('\n'));
    const source = ['--manifests', manifests, '--cluster', 'nul-demo', ...CONFIG, '--history', db.url, '--no-notify', '-q'];
    const first = await cli(['run', ...source, '--out', 'nul-1'], env);
    expect(first.code, first.err).toBe(0);
    const second = await cli(['run', ...source, '--out', 'nul-2'], env);
    expect(second.code, second.err).toBe(0);
    const written = JSON.parse(readFileSync(join(work, 'nul-2', 'report.json'), 'utf8'));
    const named = written.findings.filter((f: { resource: { name: string } }) => f.resource.name === NUL_USER);
    expect(named.length).toBeGreaterThan(0);

    const list = await cli(['history', '--history', db.url, '--output', 'json'], env);
    expect(list.code, list.err).toBe(0);
    expect(JSON.parse(list.out).map((r: { id: string }) => r.id)).toEqual([written.run.id, written.diff.previousRunId]);
    const diff = await cli(['diff', '--last', '--history', db.url], env);
    expect(diff.code, diff.err).toBe(0);
    const fleet = await cli(['fleet', '--history', db.url, '--format', 'html,json', '--out', 'nul-fleet', '-q'], env);
    expect(fleet.code, fleet.err).toBe(0);
    expect(JSON.parse(readFileSync(join(work, 'nul-fleet', 'fleet.json'), 'utf8')).clusters.map((c: { cluster: string }) => c.cluster)).toEqual(['nul-demo']);

    // The report is stored exactly; only the fleet's finding columns carry U+FFFD.
    const back = await cli(['report', written.run.id, '--history', db.url, '--format', 'json', '--out', 'nul-back'], env);
    expect(back.code, back.err).toBe(0);
    const reread = JSON.parse(readFileSync(join(work, 'nul-back', 'report.json'), 'utf8'));
    expect(reread.findings.filter((f: { resource: { name: string } }) => f.resource.name === NUL_USER)).toEqual(named);
    const rows = await adminQuery(server, `SELECT DISTINCT name FROM ztaudit_findings WHERE name LIKE 'eve%'`, [], db.name);
    expect(rows.rows.map((r) => r.name)).toEqual(['eve\ufffd@corp']);
  });

  it('the same export imported into PostgreSQL and into SQLite gives the same fleet.json: NUL names grouped alike, partial runs drawn hollow', async () => {
    const runs = fleetRuns();
    // A name with a NUL on two clusters' latest runs, and in a regression reason.
    const [, , , a3, b2] = runs;
    for (const r of [a3, b2]) r.findings.push({ ...structuredClone(r.findings[0]), fingerprint: `nul-${r.run.id}`, resource: { kind: 'User', name: NUL_USER } });
    a3.diff!.regressionReasons.push(`1 new critical finding on User ${NUL_USER}`);
    // A run that could not read everything: its sparkline point is hollow (TrendPoint.partial).
    runs[1].run.partial = ['pods could not be read: connection refused'];
    writeFileSync(join(work, 'fleet.jsonl'), runs.map((r) => JSON.stringify(r)).join('\n') + '\n');

    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const sqlite = join(work, 'fleet.db');
    for (const history of [db.url, sqlite]) {
      const imported = await cli(['history', 'import', '--history', history, '--file', 'fleet.jsonl'], env);
      expect(imported.code, imported.err).toBe(0);
    }
    const fleetOf = async (history: string, out: string): Promise<FleetData> => {
      const r = await cli(['fleet', '--history', history, '--format', 'json', '--since', '8760', '--out', out, '-q'], env);
      expect(r.code, r.err).toBe(0);
      const data = JSON.parse(readFileSync(join(work, out, 'fleet.json'), 'utf8'));
      return { ...data, store: '', generatedAt: '' };
    };
    const fromPg = await fleetOf(db.url, 'fleet-pg');
    const fromSqlite = await fleetOf(sqlite, 'fleet-sqlite');
    expect(fromPg).toEqual(fromSqlite);
    const alpha = fromPg.clusters.find((c) => c.cluster === 'alpha')!;
    expect(alpha.trend.map((p) => p.partial ?? false)).toEqual([false, true, false]);
    expect(fromPg.common.filter((c) => c.kind === 'User').map((c) => [c.shape, c.clusters])).toEqual([['eve\ufffd@corp', 2]]);
    expect(JSON.stringify(fromPg.regressions)).toContain(`User eve\ufffd@corp`);
  });

  // btree index entries end at 2,704 bytes ("index row size … exceeds btree version 4 maximum
  // 2704", said by the server itself): the cluster name is a key of ztaudit_locks and of
  // ztaudit_runs_by_cluster.
  it('a cluster name over 2,000 bytes is refused in one line naming the limit and --cluster; one just under it is stored', async () => {
    const db = await createDb(server);
    const env = { ZTAUDIT_PG_PASSWORD: db.password };
    const demo = ['--manifests', join(ROOT, 'examples/demo-cluster'), ...CONFIG, '--history', db.url, '--no-notify', '-q'];
    const long = '集'.repeat(1000); // 3,000 bytes
    const refused = await cli(['run', ...demo, '--cluster', long, '--out', 'long'], env);
    expect(refused.code).toBe(2);
    expect(refused.err.split('\n').filter((l) => l.startsWith('ztaudit'))).toEqual([
      `ztaudit: cluster name "${'集'.repeat(40)}…" is 3,000 bytes; the PostgreSQL store keeps names up to 2,000 bytes — set --cluster`]);
    expect((await adminQuery(server, 'SELECT count(*)::int AS n FROM ztaudit_runs', [], db.name)).rows[0].n).toBe(0);

    const fits = '集'.repeat(Math.floor(PG_MAX_CLUSTER_BYTES / 3)); // 1,998 bytes
    const stored = await cli(['run', ...demo, '--cluster', fits, '--out', 'fits'], env);
    expect(stored.code, stored.err).toBe(0);
    const list = await cli(['history', '--history', db.url, '--output', 'json'], env);
    expect(JSON.parse(list.out).map((r: { cluster: string }) => r.cluster)).toEqual([fits]);
  });
});
