// Network-segmentation benchmark (not a timed test): `node bench/netpol.ts [--scale 0.01|0.1|1]`.
// Each scale runs in its own child process so peak RSS belongs to that scale alone. Prints
// the time to generate the cluster, build the reachability model, run the network checks
// (with cluster-wide intents) and the exposure view, and peak RSS.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { networkChecks } from '../checks/network/index.ts';
import { defaultConfig } from '../src/config/types.ts';
import { runChecks } from '../src/engine/run.ts';
import { buildReachability } from '../src/analysis/netpol/model.ts';
import { networkExposure } from '../src/analysis/netpol/exposure.ts';
import { benchIntents, generateNetpolSnapshot, scaled } from './netpol-gen.ts';

const { values } = parseArgs({ options: { scale: { type: 'string' }, child: { type: 'boolean' } } });
const peakMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const secs = (ms: number) => (ms / 1000).toFixed(2);

if (values.child) {
  const factor = Number(values.scale);
  const spec = scaled(factor);
  let t = performance.now();
  const snapshot = generateNetpolSnapshot(spec);
  const genMs = performance.now() - t;
  const afterGen = peakMiB();

  t = performance.now();
  const model = buildReachability(snapshot);
  const modelMs = performance.now() - t;

  const config = { ...defaultConfig(), intent: { deny: benchIntents() } };
  const ctx = { snapshot, config, now: new Date('2026-01-01T00:00:00Z') };
  const perCheck: string[] = [];
  t = performance.now();
  let results = 0;
  let failed = 0;
  for (const c of networkChecks) {
    const t0 = performance.now();
    const [o] = runChecks([c], ctx);
    results += o.results.length;
    failed += o.results.filter((r) => r.status === 'fail').length;
    perCheck.push(`${c.id.replace('network.', '')} ${secs(performance.now() - t0)}s (${o.status})`);
  }
  const exposure = networkExposure(snapshot);
  const checksMs = performance.now() - t;

  console.log(`scale ${factor}: ${(snapshot.resources.pods ?? []).length} pods, ${model.namespaceLabels.size} namespaces, ${model.policies.length} NetworkPolicies -> ${model.classes.length} pod classes, ${model.workloads.length} workloads`);
  console.log(`  generate ${secs(genMs)} s (peak ${afterGen} MiB)`);
  console.log(`  model    ${secs(modelMs)} s`);
  console.log(`  checks   ${secs(checksMs)} s  (${results} results, ${failed} failing; exposure: ${exposure.length} workloads)`);
  console.log(`    ${perCheck.join('; ')}`);
  console.log(`  model + checks ${secs(modelMs + checksMs)} s, peak RSS ${peakMiB()} MiB`);
} else {
  const scales = values.scale ? [values.scale] : ['0.01', '0.1', '1'];
  for (const s of scales) {
    const r = spawnSync(process.execPath, ['--max-old-space-size=4096', import.meta.filename, '--child', '--scale', s], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
