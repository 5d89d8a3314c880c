// The diff's baseline walk over a stretch of partial runs in PostgreSQL:
// `node bench/pg-baseline-walk.ts [--partials 300] [--findings 2000] [--rounds 3]`.
// Starts a real PostgreSQL (Debian's package, as the postgres test tier does) and stores,
// through the real store, a full run, `--partials` runs blind to RBAC (a serve --watch stretch
// while clusterroles are forbidden) and a full run with one new RBAC finding. Then it times
// `ztaudit diff --last`'s baseline walk and diff (lastAndBaseline + diffRuns) alternately with
// the store reading every run (the `wants` hint dropped: how the store walked before it honoured
// it) and as it is, and the command itself once per round. Each line names the baseline found.
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { lastAndBaseline } from '../src/cli/diff.ts';
import { main } from '../src/cli/main.ts';
import { defaultConfig } from '../src/config/types.ts';
import { diffRuns } from '../src/diff/diff.ts';
import { openRunStore, type RunStore } from '../src/history/store.ts';
import type { StoredRunRead } from '../src/run/types.ts';
import { startPg } from '../test/postgres/server.ts';
import { blindTo, makeReport } from '../test/unit/history/big-report.ts';

const { values } = parseArgs({ options: { partials: { type: 'string', default: '300' }, findings: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '3' } } });
const PARTIALS = Number(values.partials);
const FINDINGS = Number(values.findings);
const RBAC = 'rbac.wildcard-permission';

/** The store as it walked before it honoured `wants`: every run fetched and decoded. */
function readingEveryRun(s: RunStore): Pick<RunStore, 'describe' | 'latest' | 'runsNewestFirst'> {
  return {
    describe: () => s.describe(), latest: (cluster?: string) => s.latest(cluster),
    runsNewestFirst: (cluster?: string, read?: StoredRunRead) => s.runsNewestFirst(cluster, { ...read, wants: undefined }),
  };
}

const server = await startPg();
try {
  const admin = new pg.Client({ connectionString: server.adminUrl(), ssl: false });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  const url = `postgres://postgres@127.0.0.1:${server.port}/bench?sslmode=disable`;
  const env = { ZTAUDIT_PG_PASSWORD: server.adminPassword };
  const open = (readOnly: boolean) => openRunStore(url, { env, readOnly, retention: { maxRuns: PARTIALS + 10, maxAgeDays: 0 } });
  console.log(`machine: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${server.version}`);
  const t0 = Date.now();
  const s = await open(false);
  const full1 = makeReport('full1', '2026-11-01T02:00:00.000Z', { findings: FINDINGS, evidenceBytes: 256 });
  const again = (id: string, minutes: number) => ({ ...full1, run: { ...full1.run, id, startedAt: new Date(Date.parse(full1.run.startedAt) + minutes * 60_000).toISOString() } });
  const backdoor = { ...full1.findings[0], fingerprint: 'backdoor', resource: { kind: 'ClusterRole', name: 'backdoor' }, waived: false };
  await s.acquire('demo');
  await s.save(full1);
  for (let i = 1; i <= PARTIALS; i++) await s.save(blindTo(again(`partial${i}`, i), [RBAC]));
  await s.save({ ...again('full2', PARTIALS + 1), findings: [...full1.findings, backdoor] });
  await s.release();
  await s.close();
  const c = new pg.Client({ connectionString: server.adminUrl('bench'), ssl: false });
  await c.connect();
  const size = (await c.query('SELECT pg_size_pretty(sum(octet_length(report))) AS total, max(octet_length(report)) AS full, min(octet_length(report)) AS partial FROM ztaudit_runs')).rows[0];
  await c.end();
  console.log(`stored ${PARTIALS + 2} runs in ${((Date.now() - t0) / 1000).toFixed(1)} s: reports ${size.total} (a full run ${size.full} B gzip, a partial one ${size.partial} B)`);
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const [name, wrap] of [['every run read', readingEveryRun], ['blind runs passed over', (x: RunStore) => x]] as const) {
      const st = await open(true);
      const t = process.hrtime.bigint();
      const { current, previous, olderRuns, close } = await lastAndBaseline(wrap(st));
      const diff = diffRuns(previous, current, { rules: defaultConfig().regression, expiredWaivers: [], olderRuns });
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      close();
      await st.close();
      console.log(`round ${round}, ${name}: ${(ms / 1000).toFixed(2)} s (new ${JSON.stringify(diff.new)}, ${RBAC} from ${olderRuns[RBAC]})`);
    }
    const out: string[] = [];
    const t = process.hrtime.bigint();
    const code = await main(['diff', '--last', '--history', url, '--output', 'json'], { stdout: (x) => out.push(x), stderr: (x) => out.push(x), env, isTTY: false, cwd: process.cwd() });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    console.log(`round ${round}, ztaudit diff --last --output json in process: exit ${code}, ${(ms / 1000).toFixed(2)} s (new ${JSON.stringify(code === 0 ? JSON.parse(out.join('')).new : out.join(''))})`);
  }
} finally {
  server.stop();
}
