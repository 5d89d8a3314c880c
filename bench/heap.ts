// The audit's peak live heap, deterministic where peak RSS is not (RSS depends on when the
// GC threads get a core on a loaded machine): a full GC after every check and heapUsed read
// then. `node --expose-gc bench/heap.ts --size L` (after `npm run bench -- --size L` wrote
// the snapshot); `--root DIR` measures another checkout's code on the same snapshot.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { size: { type: 'string', default: 'M' }, root: { type: 'string' } } });
const root = resolve(values.root ?? `${import.meta.dirname}/..`);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const { CHECKS } = await import(`${root}/checks/index.ts`);
const { defaultConfig } = await import(`${root}/src/config/types.ts`);
const { auditSnapshot } = await import(`${root}/src/engine/audit.ts`);
const { runDetails } = await import(`${root}/src/analysis/details.ts`);
const { readSnapshot } = await import(`${root}/src/snapshot/io.ts`);
type AnyCheck = { id: string; evaluate: (ctx: unknown) => unknown };

const used = () => { gc(); gc(); return process.memoryUsage().heapUsed / 1048576; };
let peak = 0;
let at = '';
const checks = (CHECKS as AnyCheck[]).map((c) => ({
  ...c,
  evaluate: (ctx: unknown) => {
    const r = c.evaluate(ctx);
    const u = used();
    if (u > peak) { peak = u; at = c.id; }
    return r;
  },
}));
const snapshot = await readSnapshot(`${import.meta.dirname}/out/cluster-${values.size}.snap.json.gz`, 16384);
const loaded = used();
const now = new Date('2026-11-26T02:00:00Z');
const out = auditSnapshot({ snapshot, config: defaultConfig(), checks, now, startedAt: now, runId: 'heap', details: runDetails });
const end = used();
console.log(`${values.size} (${root}): snapshot ${loaded.toFixed(0)} MiB live; peak during the checks ${peak.toFixed(0)} MiB (after ${at}); after the audit, snapshot + report held: ${end.toFixed(0)} MiB; ${out.report.findings.length} findings`);
