// The live heap per stage of the bench's whole run, deterministic where peak RSS is not (RSS
// depends on when the GC threads get a core on a loaded machine): a full GC, after an event
// loop turn (so nothing the stack still references is counted), then heapUsed. Stages: the
// snapshot loaded, after every check (a GC after each; at each area's end also the heap once
// the audit dropped that area's models and computed the report sections that read them, and
// the models still alive, with a warning for any built twice), the peak during the checks,
// after the audit (the snapshot and its models released, the report held), after the diff,
// report.json written, report.html rendered. `node --expose-gc bench/heap.ts --size L`
// (after `npm run bench -- --size L` wrote the snapshot; 6–9 min at L on the loaded machine);
// `--root DIR` measures another checkout's code on the same snapshot (models alive: only where
// its memo lists them); `--no-checks-gc` skips the per-check GC (much faster; no in-audit figures).
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
const { runDetails, runNotes } = await import(`${root}/src/analysis/details.ts`);
const memo = await import(`${root}/src/analysis/memo.ts`);
const { readSnapshot } = await import(`${root}/src/snapshot/io.ts`);
const { diffRuns } = await import(`${root}/src/diff/diff.ts`);
const { writeReportJson } = await import(`${root}/src/report/render.ts`);
const { renderHtml } = await import(`${root}/src/report/html.ts`);
// As the pipeline: the findings' text in a temp file (a checkout from before it had none).
const spoolModule = await import(`${root}/src/base/spool.ts`).catch(() => null);
const spool = spoolModule ? () => spoolModule.Spool.open() : undefined;
type AnyCheck = { id: string; area: string; evaluate: (ctx: unknown) => unknown };

const usedNow = () => { gc(); gc(); return process.memoryUsage().heapUsed / 1048576; };
const used = async () => { await tick(); return usedNow(); };
const base = await used();
let peak = 0;
let at = '';
let area = '';
const perCheck = !values['no-checks-gc'];
const line = (stage: string, mib: number) => console.log(`  ${stage.padEnd(60)} ${mib.toFixed(0).padStart(6)} MiB`);
const note = (where: string) => {
  const u = usedNow() - base;
  if (u > peak) { peak = u; at = where; }
  return u;
};
const models = (ctx: { snapshot: object }) => {
  if (!memo.modelsAlive) return;
  const alive = memo.modelsAlive(ctx) as Array<{ label: string; builds: number; readers?: string[] }>;
  console.log(`      models alive: ${alive.map((m) => `${m.label}${m.readers ? ` [${m.readers.join(',')}]` : ''}`).join(', ') || 'none'}`);
};
const checks = (CHECKS as AnyCheck[]).map((c) => ({
  ...c,
  // A generator: the heap after a check is noted once the audit has taken its last result.
  *evaluate(ctx: { snapshot: object }) {
    if (perCheck && c.area !== area && area !== '') {
      // The previous area ended: its sections were computed and its models dropped.
      line(`${area} ended: its models released`, note(`end of ${area}`));
      models(ctx);
    }
    area = c.area;
    yield* c.evaluate(ctx) as Iterable<unknown>;
    if (perCheck) line(`after ${c.id}`, note(c.id));
  },
}));
const config = defaultConfig();
const now = new Date('2026-11-26T02:00:00Z');
console.log(`${values.size} (${root}): live heap above the loaded code`);
const audit = async () => {
  const snapshot = await readSnapshot(`${import.meta.dirname}/out/cluster-${values.size}.snap.json.gz`, 16384);
  line('snapshot loaded', await used() - base);
  // The audit's last steps measured too: the report sections and notes (with what they
  // computed as areas ended, runDetails.afterArea, kept).
  const notes = Object.assign((ctx: { snapshot: object }) => {
    if (perCheck) { line(`${area} ended, before the notes and report details`, note(`end of ${area}`)); models(ctx); }
    const n = runNotes(ctx);
    if (perCheck) line('after the notes', note('notes'));
    return n;
  }, { afterArea: runNotes.afterArea });
  const details = Object.assign((ctx: { snapshot: object }) => {
    const d = runDetails(ctx);
    if (perCheck) { line('after the report details', note('report details')); models(ctx); }
    return d;
  }, { afterArea: runDetails.afterArea });
  return auditSnapshot({ snapshot, config, checks, now, startedAt: now, runId: 'heap', details, notes, spool });
};
const { report, expiredWaivers } = await audit();
if (perCheck) line(`peak during the checks (${at})`, peak);
if (memo.modelBuilds) for (const m of (memo.modelBuilds() as Array<{ label: string; builds: number }>).filter((b) => b.builds > 1)) console.log(`  WARNING: ${m.label} built ${m.builds} times (released while still read)`);
line(`after the audit: report held (${report.findings.length} findings)`, await used() - base);
const previous = { ...report, run: { ...report.run, id: 'heap-previous' }, findings: report.findings.filter((_: unknown, i: number) => i % 20 !== 0) };
for (let i = 0; i < 50; i++) previous.findings.push({ ...report.findings[0], fingerprint: `fixed-${i}` });
report.diff = diffRuns(previous, report, { rules: config.regression, expiredWaivers });
line('after the diff (previous run held too)', await used() - base);
await writeReportJson(report, `${import.meta.dirname}/out/report.json`);
line('after report.json', await used() - base);
const html = renderHtml(report, { previous, trend: [] });
line(`after report.html (${Math.round(html.length / 1048576)} MiB held)`, await used() - base);
