// The fleet benchmark: `node bench/fleet.ts [--clusters 200] [--runs 90] [--findings 2000]`.
// Starts a real PostgreSQL (Debian's package, initdb in a temp dir, fsync on; or uses
// ZTAUDIT_BENCH_PG_URL), creates the schema through the real store, bulk-loads clusters ×
// runs × findings with COPY (runs with their whole gzip report, findings one row each, the
// same rows the store writes), then measures through the real store:
//   1. the fleet report (fleet data + fleet.html/json/md), target ≤ 5 s;
//   2. each cluster's "previous run" lookup (latest(cluster) as the pipeline calls it),
//      target ≤ 50 ms;
//   3. 20 clusters storing a 2,000-finding run at once (acquire, save with retention,
//      release), sampling pg_stat_activity every 5 ms for lock waits, target none.
// Prints each figure on its own line; the machine and the load time are printed too.
// `--keep` leaves the loaded server running; `ZTAUDIT_BENCH_PG_URL=postgres://…/postgres
// node bench/fleet.ts --skip-load` (same --clusters/--runs/--findings) measures it again.
import { createHash, randomBytes } from 'node:crypto';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CHECKS } from '../checks/index.ts';
import { fleetDataOf } from '../src/fleet/data.ts';
import { renderFleet } from '../src/fleet/render.ts';
import { resourceShape } from '../src/history/shape.ts';
import { openRunStore, summarizeRun, type RunStore } from '../src/history/store.ts';
import { DEFAULT_FLEET_QUERY } from '../src/run/fleet.ts';
import { REPORT_SCHEMA_VERSION, type Finding, type RunReport } from '../src/run/types.ts';
import { AREAS, SEVERITIES } from '../src/base/vocabulary.ts';
import { rng as mulberry32 } from './prng.ts';
import { startPg, type PgServer } from '../test/postgres/server.ts';

const { values } = parseArgs({ options: { clusters: { type: 'string', default: '200' }, runs: { type: 'string', default: '90' }, findings: { type: 'string', default: '2000' }, keep: { type: 'boolean' }, 'skip-load': { type: 'boolean' } } });
const CLUSTERS = Number(values.clusters);
const RUNS = Number(values.runs);
// The waivers expire a week after the fleet report's time (below), so the report lists them as expiring soon.
const WAIVER_EXPIRES = new Date(Date.UTC(2026, 8, 1) + (RUNS + 7) * 86_400_000).toISOString().slice(0, 10);
const FINDINGS = Number(values.findings);
const CONCURRENT = Math.min(20, CLUSTERS);

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const log = (line: string) => process.stdout.write(`${line}\n`);

const NAMESPACES = ['kube-system', 'monitoring', 'ingress-nginx', 'shop', 'payments', 'search', 'auth', 'data', 'ci', 'logging'];
const KINDS = ['Deployment', 'Pod', 'Namespace', 'ClusterRoleBinding', 'RoleBinding', 'Ingress', 'Service', 'NetworkPolicy'];

interface Base { check: string; area: Finding['area']; severity: Finding['severity']; kind: string; namespace?: string; name: string }

/** A cluster's standing findings: a third shared by the whole fleet (same shapes), the rest its own. */
function baseFindings(cluster: number): Base[] {
  const rand = mulberry32(1000 + cluster);
  const out: Base[] = [];
  for (let i = 0; i < FINDINGS; i++) {
    const check = CHECKS[i % CHECKS.length];
    const shared = i % 3 === 0;
    const kind = KINDS[i % KINDS.length];
    const namespace = kind === 'Namespace' || kind === 'ClusterRoleBinding' ? undefined : NAMESPACES[i % NAMESPACES.length];
    const hash = Math.floor(rand() * 0xffffffffff).toString(36);
    const name = shared ? `${check.id.split('.')[1]}-${i}-${hash}` : `c${cluster}-app-${i}`;
    out.push({ check: check.id, area: check.area, severity: SEVERITIES[i % 4], kind, ...(namespace ? { namespace } : {}), name });
  }
  return out;
}

function fingerprint(b: Base): string {
  return createHash('sha256').update([b.check, b.kind, b.namespace ?? '', b.name].join('\0')).digest('hex').slice(0, 20);
}

function makeRun(cluster: number, run: number, base: Base[], previous: RunReport | null, rand: () => number, withFindings = true): RunReport {
  const name = `cluster-${String(cluster).padStart(3, '0')}`;
  const startedAt = new Date(Date.UTC(2026, 8, 1) + run * 86_400_000 + cluster * 60_000).toISOString();
  const id = `${startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${createHash('sha1').update(`${cluster}/${run}`).digest('hex').slice(0, 6)}`;
  // About 1 % churn per run: a few findings fixed, a few new ones (renamed resources).
  const findings: Finding[] = (withFindings ? base : []).map((b, i) => {
    const churned = rand() < 0.01;
    const r: Base = churned ? { ...b, name: `${b.name}-r${run}` } : b;
    return {
      fingerprint: fingerprint(r), check: r.check, area: r.area, severity: r.severity,
      resource: { kind: r.kind, ...(r.namespace ? { namespace: r.namespace } : {}), name: r.name },
      message: `${r.check} fails on ${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`,
      controls: ['NIST-800-53:AC-6'], evidence: { rule: i % 17 },
      waived: i % 97 === 0, ...(i % 97 === 0 ? { waiver: { reason: 'accepted risk', owner: 'platform@example.com', expires: WAIVER_EXPIRES } } : {}),
    };
  });
  const overall = Math.round((55 + 40 * rand()) * 10) / 10;
  const areas = Object.fromEntries(AREAS.map((a) => [a, Math.round((40 + 60 * rand()) * 10) / 10])) as RunReport['score']['areas'];
  const regression = previous !== null && rand() < 0.05;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    run: { id, startedAt, finishedAt: startedAt, cluster: { name }, source: 'live', coverage: {}, toolVersion: '0.1.0', checkCatalogVersion: 'bench', notes: [] },
    score: { overall, areas },
    checks: [],
    findings,
    diff: previous ? {
      previousRunId: previous.run.id, previousStartedAt: previous.run.startedAt, new: [], resolved: [], persisting: findings.length,
      scoreDelta: { overall: null, areas: Object.fromEntries(AREAS.map((a) => [a, null])) as RunReport['score']['areas'] },
      breadthGrowth: [], notComparable: [], partial: false, regression, regressionReasons: regression ? ['2 new high findings', 'rbac score dropped 6.0 points'] : [],
    } : null,
    waivers: [{ check: base[0].check, resource: { kind: base[0].kind, name: base[0].name }, reason: 'accepted risk', owner: 'platform@example.com', expires: WAIVER_EXPIRES, state: run === RUNS - 1 ? 'expiring-soon' : 'active', matched: 1 }],
    details: {},
    notifications: [],
  };
}

/** COPY text format: backslash, tab, newline and carriage return escaped. */
const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

async function copyIn(client: pg.Client, sql: string, text: string): Promise<void> {
  await pipeline(Readable.from([text]), client.query(copyFrom(sql)));
}

/** A finding as the store's report JSON and as a findings-table COPY line (without run_seq). */
interface Prepared { json: string; line: string; severity: Finding['severity']; waived: boolean }

function prepare(f: Finding): Prepared {
  const shape = resourceShape(f.resource.name);
  return {
    json: JSON.stringify(f), severity: f.severity, waived: f.waived,
    line: `\t${f.fingerprint}\t${esc(f.check)}\t${f.severity}\t${esc(f.resource.kind)}\t${esc(f.resource.namespace ?? '')}\t${esc(f.resource.name)}\t${shape === f.resource.name ? '\\N' : esc(shape)}\t${f.waived ? 't' : 'f'}\n`,
  };
}

/**
 * One fleet "night" at a time (every cluster's run r): COPY its runs, then their findings.
 * Each cluster's standing findings are serialised once; a run re-serialises only its churned
 * ones, and its report JSON is JSON.stringify's exact output (the findings array spliced in).
 */
async function load(url: string): Promise<{ ms: number; runs: number; findings: number; genMs: number }> {
  const t0 = performance.now();
  const conn = new pg.Client({ connectionString: url });
  await conn.connect();
  let seq = 0;
  let findings = 0;
  let genMs = 0;
  const bases = Array.from({ length: CLUSTERS }, (_, c) => baseFindings(c));
  const prepared = bases.map((b, c) => makeRun(c, 0, b, null, () => 0.5).findings.map(prepare));
  const rands = Array.from({ length: CLUSTERS }, (_, c) => mulberry32(7 + c));
  const previous: Array<RunReport | null> = Array.from({ length: CLUSTERS }, () => null);
  let lastLog = performance.now();
  for (let r = 0; r < RUNS; r++) {
    const tg = performance.now();
    const runLines: string[] = [];
    const findLines: string[] = [];
    for (let c = 0; c < CLUSTERS; c++) {
      // The run without findings (scores, diff, waivers), then its findings from the cache.
      const head = makeRun(c, r, bases[c], previous[c], rands[c], false);
      const rand = rands[c];
      const items: Prepared[] = prepared[c].map((p, i) => {
        if (rand() >= 0.01) return p;
        const b = bases[c][i];
        const renamed = { ...b, name: `${b.name}-r${r}` };
        return prepare({
          fingerprint: fingerprint(renamed), check: b.check, area: b.area, severity: b.severity,
          resource: { kind: b.kind, ...(b.namespace ? { namespace: b.namespace } : {}), name: renamed.name },
          message: `${b.check} fails on ${b.kind} ${b.namespace ? `${b.namespace}/` : ''}${renamed.name}`,
          controls: ['NIST-800-53:AC-6'], evidence: { rule: i % 17 }, waived: false,
        });
      });
      previous[c] = head;
      seq++;
      const counts = Object.fromEntries(SEVERITIES.map((sv) => [sv, 0])) as Record<Finding['severity'], number>;
      let waived = 0;
      for (const it of items) if (it.waived) waived++; else counts[it.severity]++;
      const summary = { ...summarizeRun(head), findings: counts, waived };
      const json = JSON.stringify(head).replace('"findings":[]', `"findings":[${items.map((it) => it.json).join(',')}]`);
      const blob = gzipSync(json);
      runLines.push([String(seq), esc(head.run.id), esc(head.run.cluster.name), head.run.startedAt, summary.regression === null ? '\\N' : String(summary.regression),
        esc(JSON.stringify(summary)), esc(JSON.stringify(head.diff?.regressionReasons ?? [])), esc(JSON.stringify(head.waivers)), `\\\\x${blob.toString('hex')}`].join('\t') + '\n');
      const prefix = String(seq);
      for (const it of items) findLines.push(prefix + it.line);
      findings += items.length;
    }
    genMs += performance.now() - tg;
    await copyIn(conn, 'COPY ztaudit_runs (seq, id, cluster, started_at, regression, summary, regression_reasons, waivers, report) FROM STDIN', runLines.join(''));
    await copyIn(conn, 'COPY ztaudit_findings (run_seq, fingerprint, check_id, severity, kind, namespace, name, shape, waived) FROM STDIN', findLines.join(''));
    if (performance.now() - lastLog > 60_000 || r === RUNS - 1) {
      lastLog = performance.now();
      log(`  loaded ${seq} runs, ${findings.toLocaleString('en-US')} findings (${sec(performance.now() - t0)}, generating ${sec(genMs)})`);
    }
  }
  await conn.query(`SELECT setval(pg_get_serial_sequence('ztaudit_runs', 'seq'), $1)`, [seq]);
  await conn.query('ANALYZE ztaudit_runs');
  await conn.query('ANALYZE ztaudit_findings');
  await conn.end();
  return { ms: performance.now() - t0, runs: seq, findings, genMs };
}

async function main(): Promise<void> {
  log(`load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  let server: PgServer | null = null;
  let adminUrl = process.env.ZTAUDIT_BENCH_PG_URL;
  if (!adminUrl) {
    server = await startPg({ fsync: true, settings: { shared_buffers: '512MB', work_mem: '64MB', maintenance_work_mem: '512MB', max_wal_size: '8GB', checkpoint_timeout: '30min', effective_cache_size: '4GB' } });
    adminUrl = server.adminUrl();
    log(`server: ${server.version}, fresh initdb, fsync on, shared_buffers 512MB`);
  }
  const out = mkdtempSync(join(tmpdir(), 'ztaudit-bench-fleet-'));
  try {
    const url = adminUrl.replace(/\/[^/?]+(\?|$)/, '/ztaudit_bench$1');
    const env = {};
    // --skip-load: measure a database loaded by an earlier run (--keep, then ZTAUDIT_BENCH_PG_URL).
    let loaded = { ms: 0, runs: 0, findings: 0, genMs: 0 };
    if (!values['skip-load']) {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query('DROP DATABASE IF EXISTS ztaudit_bench');
      await admin.query('CREATE DATABASE ztaudit_bench');
      await admin.end();
      await (await openRunStore(url, { env })).close(); // the schema, through the real migrations
      log(`load: ${CLUSTERS} clusters × ${RUNS} runs × ${FINDINGS} findings`);
      loaded = await load(url);
    }
    const sizes = new pg.Client({ connectionString: url });
    await sizes.connect();
    const size = (await sizes.query(`SELECT pg_size_pretty(pg_database_size('ztaudit_bench')) AS db, pg_size_pretty(pg_total_relation_size('ztaudit_findings')) AS f, pg_size_pretty(pg_total_relation_size('ztaudit_runs')) AS r`)).rows[0];
    const counted = (await sizes.query('SELECT (SELECT count(*) FROM ztaudit_runs)::int AS runs, (SELECT reltuples::bigint FROM pg_class WHERE relname = \'ztaudit_findings\') AS findings')).rows[0];
    await sizes.end();
    if (values['skip-load']) log(`database holds ${counted.runs} runs, about ${Number(counted.findings).toLocaleString('en-US')} findings; ${size.db}`);
    else log(`loaded ${loaded.runs.toLocaleString('en-US')} runs and ${loaded.findings.toLocaleString('en-US')} findings in ${sec(loaded.ms)} (of which generating them in Node ${sec(loaded.genMs)}; ${Math.round(loaded.findings / (loaded.ms / 1000)).toLocaleString('en-US')} findings/s); database ${size.db} (findings ${size.f}, runs ${size.r})`);

    const retention = { maxRuns: RUNS, maxAgeDays: 0 };
    const store = await openRunStore(url, { env, retention, readOnly: true });
    // 1. The fleet report.
    const fleetTimes: number[] = [];
    let summary = '';
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const data = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: new Date(Date.UTC(2026, 8, 1) + RUNS * 86_400_000), sinceHours: 24 });
      const tq = performance.now();
      await renderFleet(data, { formats: ['html', 'json', 'md'], outDir: out });
      const total = performance.now() - t;
      fleetTimes.push(total);
      summary = `${data.clusters.length} clusters, ${data.regressions.length} regressions in 24 h, ${data.common.length} common shapes (top: ${data.common[0]?.clusters ?? 0} clusters), ${data.waivers.length} waivers; queries ${sec(tq - t)}, render ${sec(total - (tq - t))}`;
    }
    log(`fleet report (data + html/json/md): ${fleetTimes.map(sec).join(', ')} — ${summary} [target ≤ 5 s]`);

    // 2. The previous-run lookup, each cluster once, in a shuffled order.
    const order = Array.from({ length: CLUSTERS }, (_, i) => i).sort((a, b) => mulberry32(a)() - mulberry32(b)());
    const lookups: number[] = [];
    for (const c of order) {
      const t = performance.now();
      const prev = await store.latest(`cluster-${String(c).padStart(3, '0')}`);
      lookups.push(performance.now() - t);
      if (!prev || prev.findings.length !== FINDINGS) throw new Error(`cluster ${c}: wrong previous run`);
    }
    // The same lookups split: the query alone (bytes over the wire) and decoding in Node.
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    const queryMs: number[] = [];
    const decodeMs: number[] = [];
    for (const c of order) {
      const t = performance.now();
      const r = await raw.query('SELECT id, report FROM ztaudit_runs WHERE cluster = $1 ORDER BY seq DESC LIMIT 1', [`cluster-${String(c).padStart(3, '0')}`]);
      const t2 = performance.now();
      JSON.parse(gunzipSync(r.rows[0].report as Buffer).toString('utf8'));
      decodeMs.push(performance.now() - t2);
      queryMs.push(t2 - t);
    }
    await raw.end();
    log(`  of which the query: p50 ${pct(queryMs, 50).toFixed(1)} ms, p95 ${pct(queryMs, 95).toFixed(1)} ms; gunzip + JSON.parse: p50 ${pct(decodeMs, 50).toFixed(1)} ms, p95 ${pct(decodeMs, 95).toFixed(1)} ms`);
    log(`previous-run lookup (latest(cluster), ${FINDINGS} findings decoded): p50 ${pct(lookups, 50).toFixed(1)} ms, p95 ${pct(lookups, 95).toFixed(1)} ms, max ${Math.max(...lookups).toFixed(1)} ms over ${lookups.length} clusters [target ≤ 50 ms]`);
    await store.close();

    // 3. 20 clusters storing at once, each its own connection, as 20 CronJobs would.
    const writers: RunStore[] = await Promise.all(Array.from({ length: CONCURRENT }, () => openRunStore(url, { env, retention })));
    const reports = await Promise.all(writers.map(async (w, i) => {
      const prev = await w.latest(`cluster-${String(i).padStart(3, '0')}`);
      const run = makeRun(i, RUNS, baseFindings(i), prev, mulberry32(99 + i));
      // A fresh id: a measurement repeated on a kept database (--skip-load) stores new runs.
      run.run.id = `${run.run.id.slice(0, -6)}${randomBytes(3).toString('hex')}`;
      return run;
    }));
    const watcher = new pg.Client({ connectionString: url });
    await watcher.connect();
    let sampling = true;
    let samples = 0;
    let lockWaits = 0;
    let advisoryWaits = 0;
    const waitsSeen = new Map<string, number>();
    const sampler = (async () => {
      while (sampling) {
        const r = await watcher.query(`SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE datname = 'ztaudit_bench' AND pid <> pg_backend_pid() AND state = 'active' AND wait_event_type = 'Lock'`);
        samples++;
        lockWaits += r.rowCount ?? 0;
        for (const row of r.rows) {
          const key = `${row.wait_event_type}/${row.wait_event}`;
          waitsSeen.set(key, (waitsSeen.get(key) ?? 0) + 1);
          if (row.wait_event === 'advisory') advisoryWaits++;
        }
        await new Promise((res) => setTimeout(res, 5));
      }
    })();
    const t = performance.now();
    const each = await Promise.all(writers.map(async (w, i) => {
      const s = performance.now();
      await w.acquire(reports[i].run.cluster.name);
      await w.save(reports[i]);
      await w.release();
      return performance.now() - s;
    }));
    const wall = performance.now() - t;
    sampling = false;
    await sampler;
    await watcher.end();
    for (const w of writers) await w.close();
    // advisory = a run waiting on another run's cluster lock (never: acquire only tries);
    // tuple/transactionid = row conflicts; extend = two inserts growing the shared findings table.
    log(`${CONCURRENT} clusters storing at once (acquire, save ${FINDINGS} findings + retention, release): wall ${sec(wall)}, each ${sec(Math.min(...each))}–${sec(Math.max(...each))}; ${samples} samples of pg_stat_activity: advisory-lock waits ${advisoryWaits}, all lock waits ${lockWaits}${waitsSeen.size ? ` (${[...waitsSeen].map(([k, n]) => `${k} ×${n}`).join(', ')})` : ''} [target: no waits on each other]`);
  } finally {
    rmSync(out, { recursive: true, force: true });
    if (server && !values.keep) server.stop();
    else if (server) log(`kept the server at ${server.dir} (port ${server.port})`);
  }
}

await main();
