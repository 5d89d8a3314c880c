// `reach --matrix` benchmark (not a timed test): `node bench/matrix.ts [--size S|M|L]` (default M:
// 5,000 workloads). Streams the whole matrix through the CLI's formatter into a counter (no
// output kept) and prints wall time, CPU time, rows and peak RSS. Each run in its own process.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildReachability } from '../src/analysis/netpol/model.ts';
import { streamMatrix } from '../src/analysis/netpol/query.ts';
import { formatMatrixChunks } from '../src/cli/reach.ts';
import { readSnapshot, writeSnapshot } from '../src/snapshot/io.ts';
import { generateCluster, SIZES } from './generate.ts';

const { values } = parseArgs({ options: { size: { type: 'string', default: 'M' }, child: { type: 'boolean' } } });
const size = values.size as keyof typeof SIZES;
if (!SIZES[size]) throw new Error('--size must be S, M, L or XL');
const file = `bench/out/cluster-${size}.snap.json.gz`;

if (values.child) {
  const snapshot = await readSnapshot(file);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const model = buildReachability(snapshot);
  const tModel = performance.now();
  let rows = 0;
  let bytes = 0;
  for (const chunk of formatMatrixChunks((function* () { for (const r of streamMatrix(model)) { rows++; yield r; } })(), 'text')) bytes += chunk.length;
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  console.log(`matrix ${size}: ${model.workloads.length} workloads, ${model.classes.length} pod classes, ${model.policies.length} policies -> ${rows} rows (${(bytes / 1048576).toFixed(1)} MiB of text)`);
  console.log(`  model ${((tModel - t0) / 1000).toFixed(2)} s, matrix ${((t1 - tModel) / 1000).toFixed(2)} s wall; model + matrix ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
} else {
  if (!existsSync(file)) {
    mkdirSync('bench/out', { recursive: true });
    writeSnapshot(file, generateCluster(SIZES[size], 1));
  }
  const r = spawnSync(process.execPath, [import.meta.filename, '--child', '--size', size], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
