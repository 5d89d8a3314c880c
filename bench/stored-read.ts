// A later run's read of the previous run from its history, alone: `node bench/stored-read.ts
// --history H.db` (a SQLite history, e.g. made by one `ztaudit run --history H.db` of the L
// snapshot). Times parseStoredRun of the newest stored run with nothing wanted (as a nightly run
// reads it when nothing changed), as it is stored and re-stored in the compact one-line layout
// (gzipJson: runs moved with history-transfer, or stored before report.json was the stored form).
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { gzipJson, parseStoredRun } from '../src/history/gzip-json.ts';

const { values } = parseArgs({ options: { history: { type: 'string' }, runs: { type: 'string', default: '3' } } });
if (!values.history) throw new Error('--history <file.db> is required');
const db = new DatabaseSync(values.history, { readOnly: true });
const row = db.prepare('SELECT id, report FROM runs ORDER BY seq DESC LIMIT 1').get() as { id: string; report: Uint8Array } | undefined;
if (!row) throw new Error(`${values.history}: no stored run`);
const compact: Uint8Array = await gzipJson((await parseStoredRun(row.report, {})) as object);
const mib = (n: number) => (n / 2 ** 20).toFixed(1);
console.log(`run ${row.id}: stored ${mib(row.report.length)} MiB gzip, compact ${mib(compact.length)} MiB gzip`);
for (let i = 0; i < Number(values.runs); i++) {
  for (const [layout, bytes] of [['as stored', row.report], ['compact', compact]] as const) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const run = (await parseStoredRun(bytes, { bulkyOf: () => false })) as { findings: unknown[] };
    const c = process.cpuUsage(c0);
    console.log(`  ${layout.padEnd(9)} ${run.findings.length} findings: ${((performance.now() - t0) / 1000).toFixed(2)} s (${((c.user + c.system) / 1e6).toFixed(2)} s CPU), RSS now ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`);
  }
}
