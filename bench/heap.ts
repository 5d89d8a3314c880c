// The live heap per stage of the bench's whole run, deterministic where peak RSS is not (RSS
// depends on when the GC threads get a core on a loaded machine): a full GC, after an event
// loop turn (so nothing the stack still references is counted), then heapUsed. Stages: the
// snapshot loaded, the peak during the checks (a GC after every check), after the audit (the
// snapshot and its models released, the report held), after the diff, report.json written,
// report.html rendered. `node --expose-gc bench/heap.ts --size L` (after `npm run bench --
// --size L` wrote the snapshot); `--root DIR` measures another checkout's code on the same
// snapshot; `--no-checks-gc` skips the per-check GC (much faster at L; no in-audit peak).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setImmediate as tick } from 'node:timers/promises';

const { values } = parseArgs({ options: { size: { type: 'string', default: 'M' }, root: { type: 'string' }, 'no-checks-gc': { type: 'boolean' } } });
const root = resolve(values.root ?? `${import.meta.dirname}/..`);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const { CHECKS } = await import(`${root}/checks/index.ts`);
const { defaultConfig } = await import(`${root}/src/config/types.ts`);
const { auditSnapshot } = await import(`${root}/src/engine/audit.ts`);
const { runDetails } = await import(`${root}/src/analysis/details.ts`);
const { readSnapshot } = await import(`${root}/src/snapshot/io.ts`);
const { diffRuns } = await import(`${root}/src/diff/diff.ts`);
const { writeReportJson } = await import(`${root}/src/report/render.ts`);
const { renderHtml } = await import(`${root}/src/report/html.ts`);
// As the pipeline: the findings' text in a temp file (a checkout from before it had none).
const spoolModule = await import(`${root}/src/base/spool.ts`).catch(() => null);
const spool = spoolModule ? () => spoolModule.Spool.open() : undefined;
type AnyCheck = { id: string; evaluate: (ctx: unknown) => unknown };

const usedNow = () => { gc(); gc(); return process.memoryUsage().heapUsed / 1048576; };
const used = async () => { await tick(); return usedNow(); };
const base = await used();
let peak = 0;
let at = '';
const checks = (CHECKS as AnyCheck[]).map((c) => ({
  ...c,
  evaluate: (ctx: unknown) => {
    const r = c.evaluate(ctx);
    if (!values['no-checks-gc']) {
      const u = usedNow() - base;
      if (u > peak) { peak = u; at = c.id; }
    }
    return r;
  },
}));
const line = (stage: string, mib: number) => console.log(`  ${stage.padEnd(52)} ${mib.toFixed(0).padStart(6)} MiB`);
const config = defaultConfig();
const now = new Date('2026-11-26T02:00:00Z');
console.log(`${values.size} (${root}): live heap above the loaded code`);
const audit = async () => {
  const snapshot = await readSnapshot(`${import.meta.dirname}/out/cluster-${values.size}.snap.json.gz`, 16384);
  line('snapshot loaded', await used() - base);
  return auditSnapshot({ snapshot, config, checks, now, startedAt: now, runId: 'heap', details: runDetails, spool });
};
const { report, expiredWaivers } = await audit();
if (!values['no-checks-gc']) line(`peak during the checks (after ${at})`, peak);
line(`after the audit: report held (${report.findings.length} findings)`, await used() - base);
const previous = { ...report, run: { ...report.run, id: 'heap-previous' }, findings: report.findings.filter((_: unknown, i: number) => i % 20 !== 0) };
for (let i = 0; i < 50; i++) previous.findings.push({ ...report.findings[0], fingerprint: `fixed-${i}` });
report.diff = diffRuns(previous, report, { rules: config.regression, expiredWaivers });
line('after the diff (previous run held too)', await used() - base);
await writeReportJson(report, `${import.meta.dirname}/out/report.json`);
line('after report.json', await used() - base);
const html = renderHtml(report, { previous, trend: [] });
line(`after report.html (${Math.round(html.length / 1048576)} MiB held)`, await used() - base);
