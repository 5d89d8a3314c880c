// One area's checks alone (not a timed test): `node --expose-gc bench/area.ts --size L --area rbac`
// (`--area` again for more; `pod-security` too). Loads bench/out/cluster-SIZE.snap.json.gz
// (`node bench/generate.ts` makes it) and builds the workload index (as the network area does first
// in the audit; untimed), then runs the area's checks once, in the catalog's order
// as the audit does, and prints the CPU of each (after a full collection when --expose-gc allows
// one) and the count of its failing verdicts. One audit per process: some caches are keyed by the
// snapshot's own objects and would outlive a second pass. Compare two revisions by alternating
// processes, the CPU rather than the wall time.
import { parseArgs } from 'node:util';
import { CHECKS } from '../checks/index.ts';
import { defaultConfig } from '../src/config/types.ts';
import type { AuditContext } from '../src/analysis/context.ts';
import { readSnapshot } from '../src/snapshot/io.ts';
import { workloadsOf } from '../src/analysis/workloads.ts';

const { values } = parseArgs({ options: { size: { type: 'string', default: 'L' }, area: { type: 'string', multiple: true, default: ['rbac', 'pod-security'] } } });
const areas = new Set(values.area);
const checks = CHECKS.filter((c) => areas.has(c.area));
if (checks.length === 0) throw new Error(`--area ${values.area.join(', ')}: no check of the catalog is in it`);
const snapshot = await readSnapshot(`bench/out/cluster-${values.size}.snap.json.gz`, 16384);
const ctx: AuditContext = { snapshot, config: defaultConfig(), now: new Date('2026-11-26T02:00:00Z') };
// The network area, first in the audit, builds the workload index every area reads: untimed here.
workloadsOf(snapshot);
const gc = (globalThis as { gc?: () => void }).gc;
const total = new Map<string, number>();
for (const c of checks) {
  gc?.();
  const before = process.cpuUsage();
  let fails = 0;
  for (const v of c.evaluate(ctx)) if (v.status === 'fail') fails++;
  const used = process.cpuUsage(before);
  const ms = (used.user + used.system) / 1000;
  total.set(c.area, (total.get(c.area) ?? 0) + ms);
  console.log(`  ${c.id.padEnd(48)} ${ms.toFixed(0).padStart(6)} ms cpu  ${String(fails).padStart(7)} failing`);
}
for (const [area, ms] of total) console.log(`${area}: ${ms.toFixed(0)} ms cpu`);
