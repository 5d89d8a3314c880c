// The whole-run benchmark: `npm run bench` (S, M, L) or `npm run bench -- --size M` (XL too:
// `--size XL`, 500,000 pods, not in the default set). Each size runs in its own child process
// so peak RSS is that size's alone. Stages: load the snapshot file, each area's analysis +
// checks, diff against a previous run, JSON and HTML rendering. Prints wall and CPU time
// (user + system: the machine is shared, CPU time moves less with its load) and peak RSS per
// stage and in total, then the load alone beside the whole run with their ratios (the
// targets: whole run <= 4x the load time and <= 1.2x its peak); the last line per size is
// exactly "<size> total: <seconds> s, peak <MiB> MiB". The child sets the heap growth the
// ztaudit command sets (ZTAUDIT_HEAP_GROWTH_PERCENT, default 40; 0 for V8's own) and runs with
// glibc malloc's setting the image ships (bench/malloc.ts; `--glibc-malloc` for glibc's own;
// with `--child` alone, the environment's).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CHECKS } from '../checks/index.ts';
import { defaultConfig } from '../src/config/types.ts';
import { auditSnapshot } from '../src/engine/audit.ts';
import { AREAS, type Verdict } from '../src/base/vocabulary.ts';
import { type Check } from '../src/engine/types.ts';
import { diffRuns } from '../src/diff/diff.ts';
import { renderHtml } from '../src/report/html.ts';
import { writeReportJson } from '../src/report/render.ts';
import { runDetails, runNotes } from '../src/analysis/details.ts';
import { readSnapshot, writeSnapshot } from '../src/snapshot/io.ts';
import { Spool } from '../src/base/spool.ts';
import { HEAP_GROWTH_ENV, heapGrowthPercent, setHeapGrowth } from '../src/base/heap.ts';
import { generateCluster, SIZES } from './generate.ts';
import { describeMalloc, mallocEnv } from './malloc.ts';

const { values } = parseArgs({ options: { size: { type: 'string' }, child: { type: 'boolean' }, 'glibc-malloc': { type: 'boolean' } } });
const sizes = values.size ? [values.size] : ['S', 'M', 'L'];
for (const s of sizes) if (!(s in SIZES)) throw new Error(`--size ${s}: must be S, M, L or XL`);

const mib = (bytes: number) => Math.round(bytes / 1048576);
const peakMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function snapshotFile(size: string): string {
  const file = `bench/out/cluster-${size}.snap.json.gz`;
  if (!existsSync(file)) {
    mkdirSync('bench/out', { recursive: true });
    writeSnapshot(file, generateCluster(SIZES[size as keyof typeof SIZES], 1));
  }
  return file;
}

async function runSize(size: string): Promise<void> {
  const file = snapshotFile(size);
  const t0 = performance.now();
  const c0 = cpuSeconds();
  const rows: Array<[string, number, number, number]> = [];
  let last = t0;
  let lastCpu = c0;
  let load = { seconds: 0, cpu: 0, peak: 0 };
  const stage = (name: string) => {
    const now = performance.now();
    const cpu = cpuSeconds();
    rows.push([name, (now - last) / 1000, cpu - lastCpu, peakMiB()]);
    last = now;
    lastCpu = cpu;
  };

  const config = defaultConfig();
  const now = new Date('2026-11-26T02:00:00Z');
  // Time each area's analysis + checks inside the one real audit (models are built lazily by
  // an area's first check, so the time lands in that area).
  const areaSeconds = new Map<string, number>();
  // A check written as a generator works as the audit takes each result: only the time
  // inside its iterator counts for the area (the audit's own work per result is the stage
  // "findings, ..." below).
  const timed: Check[] = CHECKS.map((c) => ({
    ...c,
    evaluate: (ctx) => {
      const since = (s0: number) => { areaSeconds.set(c.area, (areaSeconds.get(c.area) ?? 0) + (performance.now() - s0) / 1000); };
      const s0 = performance.now();
      let it: Iterator<Verdict>;
      try { it = c.evaluate(ctx)[Symbol.iterator](); } finally { since(s0); }
      return { [Symbol.iterator]: () => ({ next: () => { const s = performance.now(); try { return it.next(); } finally { since(s); } } }) };
    },
  }));
  // As in the pipeline, the snapshot and its models are local to this step.
  const loadAndAudit = async () => {
    const snapshot = await readSnapshot(file, 16384);
    stage('load snapshot');
    load = { seconds: rows[0][1], cpu: rows[0][2], peak: rows[0][3] };
    const a0 = performance.now();
    const out = auditSnapshot({ snapshot, config, checks: timed, now, startedAt: now, clock: () => new Date(), runId: 'bench-current', details: runDetails, notes: runNotes, spool: () => Spool.open() });
    const auditSeconds = (performance.now() - a0) / 1000;
    for (const area of AREAS) rows.push([`analysis + checks: ${area}`, areaSeconds.get(area) ?? 0, NaN, NaN]);
    last = performance.now();
    const cpu = cpuSeconds();
    rows.push(['findings, waivers, scores, report details, notes', auditSeconds - [...areaSeconds.values()].reduce((x, y) => x + y, 0), NaN, peakMiB()]);
    rows.push(['(CPU of the whole audit above)', NaN, cpu - lastCpu, NaN]);
    lastCpu = cpu;
    const objects = Object.values(snapshot.resources).reduce((n, l) => n + (l?.length ?? 0), 0);
    return { ...out, pods: snapshot.resources.pods?.length ?? 0, objects };
  };
  const { report, expiredWaivers, pods, objects } = await loadAndAudit();
  // The previous run: the same cluster a night earlier, with 5 % of today's findings absent
  // and 50 that have since been fixed.
  const previous = { ...report, run: { ...report.run, id: 'bench-previous' }, findings: report.findings.filter((_, i) => i % 20 !== 0) };
  for (let i = 0; i < 50; i++) previous.findings.push({ ...report.findings[0], fingerprint: `fixed-${i}` });
  report.diff = diffRuns(previous, report, { rules: config.regression, expiredWaivers });
  stage('diff against previous run');
  await writeReportJson(report, 'bench/out/report.json');
  const jsonBytes = statSync('bench/out/report.json').size;
  stage('render JSON (streamed to bench/out/report.json)');
  const html = renderHtml(report, { previous, trend: [] });
  stage('render HTML');
  const total = (performance.now() - t0) / 1000;
  const totalCpu = cpuSeconds() - c0;
  const peak = peakMiB();

  const counts = `${pods} pods, ${objects} objects, ${report.findings.length} findings, report.json ${mib(jsonBytes)} MiB, report.html ${mib(html.length)} MiB`;
  console.log(`\n== ${size}: ${counts}`);
  const num = (x: number, unit: string) => (Number.isNaN(x) ? ''.padStart(9 + unit.length) : `${x.toFixed(2).padStart(8)} ${unit}`);
  console.log(`  ${'stage'.padEnd(48)} ${'wall'.padStart(10)} ${'cpu'.padStart(14)}   peak`);
  for (const [name, s, cpu, p] of rows) console.log(`  ${name.padEnd(48)} ${num(s, 's')} ${num(cpu, 's cpu')}${Number.isNaN(p) ? '' : `   ${String(p).padStart(5)} MiB`}`);
  console.log(`  load only:  ${load.seconds.toFixed(2)} s (${load.cpu.toFixed(2)} s cpu), peak ${load.peak} MiB`);
  console.log(`  whole run:  ${total.toFixed(2)} s (${totalCpu.toFixed(2)} s cpu), peak ${peak} MiB  =  x${(total / load.seconds).toFixed(1)} the load time (x${(totalCpu / load.cpu).toFixed(1)} cpu), x${(peak / load.peak).toFixed(2)} its peak`);
  console.log(`${size} total: ${total.toFixed(2)} s, peak ${peak} MiB`);
}

if (values.child) {
  // The heap growth `ztaudit` itself runs with (src/cli/main.ts), so peaks are the product's.
  const heap = heapGrowthPercent(process.env);
  if ('error' in heap) throw new Error(heap.error);
  setHeapGrowth(heap.percent);
  console.log(`heap growth ${heap.percent === 0 ? "V8's own" : `${heap.percent} %`} (${HEAP_GROWTH_ENV}); ${describeMalloc(process.env)}`);
  await runSize(sizes[0]);
} else {
  const totals: Record<string, number> = {};
  const env = { ...process.env, ...mallocEnv(process.env, values['glibc-malloc'] === true) };
  for (const size of sizes) {
    const child = spawnSync(process.execPath, [import.meta.filename, '--child', '--size', size], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env });
    process.stdout.write(child.stdout);
    if (child.status !== 0) process.exit(child.status ?? 1);
    const m = /total: ([\d.]+) s/.exec(child.stdout);
    if (m) totals[size] = Number(m[1]);
  }
  if (totals.S && totals.M && totals.L) {
    console.log(`\ngrowth: S->M x${(totals.M / totals.S).toFixed(1)}, M->L x${(totals.L / totals.M).toFixed(1)} (objects grow x10 per step)`);
  }
}
