// The workload index alone (not a timed test): `node --expose-gc bench/workloads.ts [--size L] [--runs 6]`.
// Loads bench/out/cluster-SIZE.snap.json.gz once (`node bench/generate.ts` makes it), then builds
// workloadsOf (src/analysis/workloads.ts, the network model's first step) RUNS times, each for a
// new snapshot object over the same resources (the memo is by identity), and prints the CPU of
// each build (after a full collection when --expose-gc allows one): compare two revisions by
// alternating them, the CPU rather than the wall time.
import { parseArgs } from 'node:util';
import { workloadsOf } from '../src/analysis/workloads.ts';
import { readSnapshot } from '../src/snapshot/io.ts';

const { values } = parseArgs({ options: { size: { type: 'string', default: 'L' }, runs: { type: 'string', default: '6' } } });
const snapshot = await readSnapshot(`bench/out/cluster-${values.size}.snap.json.gz`, 16384);
const cpu: number[] = [];
for (let i = 0; i < Number(values.runs); i++) {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.cpuUsage();
  const workloads = workloadsOf({ ...snapshot });
  const used = process.cpuUsage(before);
  cpu.push((used.user + used.system) / 1000);
  if (i === 0) console.log(`${values.size}: ${workloads.length} workloads`);
}
console.log(`workloadsOf CPU per build: ${cpu.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`);
