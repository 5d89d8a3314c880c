// `reach --matrix` benchmark (not a timed test): `node bench/matrix.ts [--size S|M|L] [--effective]`
// (default M: 5,000 workloads). --effective: the both-layer matrix (`reach --matrix --effective`),
// with an ALLOW AuthorizationPolicy added to every Istio-injected namespace (naming the
// namespace's default service account on port 8080 and the istio-system namespace on every port). Streams the whole matrix through the CLI's formatter into a counter (no
// output kept) and prints wall time, CPU time, rows and peak RSS. Each run in its own process.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildReachability } from '../src/analysis/netpol/model.ts';
import { streamMatrix } from '../src/analysis/netpol/query.ts';
import { effectiveMatrix, formatMatrixChunks } from '../src/cli/reach.ts';
import { defaultConfig } from '../src/config/types.ts';
import type { Snapshot } from '../src/snapshot/types.ts';
import { readSnapshot, writeSnapshot } from '../src/snapshot/io.ts';
import { generateCluster, SIZES } from './generate.ts';

const { values } = parseArgs({ options: { size: { type: 'string', default: 'M' }, child: { type: 'boolean' }, effective: { type: 'boolean' } } });

/** One ALLOW AuthorizationPolicy per Istio-injected namespace (the generator writes none). */
function withAuthorization(snapshot: Snapshot): Snapshot {
  const policies = (snapshot.resources.namespaces ?? []).filter((n) => n.metadata?.labels?.['istio-injection'] === 'enabled').map((n) => ({
    apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'allow-callers', namespace: n.metadata!.name },
    spec: { rules: [
      { from: [{ source: { principals: [`cluster.local/ns/${n.metadata!.name}/sa/default`] } }], to: [{ operation: { ports: ['8080'] } }] },
      { from: [{ source: { namespaces: ['istio-system'] } }] },
    ] },
  }));
  return { ...snapshot, resources: { ...snapshot.resources, 'istio.authorizationpolicies': policies }, coverage: { ...snapshot.coverage, 'istio.authorizationpolicies': { status: 'ok', count: policies.length } } };
}
const size = values.size as keyof typeof SIZES;
if (!SIZES[size]) throw new Error('--size must be S, M, L or XL');
const file = `bench/out/cluster-${size}.snap.json.gz`;

if (values.child) {
  const loaded = await readSnapshot(file);
  const snapshot = values.effective ? withAuthorization(loaded) : loaded;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const model = buildReachability(snapshot);
  const tModel = performance.now();
  let rows = 0;
  let bytes = 0;
  const network = streamMatrix(model);
  const source = values.effective ? effectiveMatrix(snapshot, defaultConfig(), network) : network;
  for (const chunk of formatMatrixChunks((function* () { for (const r of source) { rows++; yield r; } })(), 'text', values.effective)) bytes += chunk.length;
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  console.log(`matrix ${size}${values.effective ? ' (effective: network and mesh)' : ''}: ${model.workloads.length} workloads, ${model.classes.length} pod classes, ${model.policies.length} policies -> ${rows} rows (${(bytes / 1048576).toFixed(1)} MiB of text)`);
  console.log(`  model ${((tModel - t0) / 1000).toFixed(2)} s, matrix ${((t1 - tModel) / 1000).toFixed(2)} s wall; model + matrix ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
} else {
  if (!existsSync(file)) {
    mkdirSync('bench/out', { recursive: true });
    writeSnapshot(file, generateCluster(SIZES[size], 1));
  }
  const r = spawnSync(process.execPath, [import.meta.filename, '--child', '--size', size, ...(values.effective ? ['--effective'] : [])], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
