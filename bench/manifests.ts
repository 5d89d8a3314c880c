// Manifest loading benchmark: one YAML file of N documents (default 20,000 Deployments,
// about 8 MB), loaded as `ztaudit run --manifests` would. Prints wall time, CPU time and peak
// RSS; the last line is exactly "manifests <N> docs: <s> s wall, <s> s CPU, peak <MiB> MiB".
// CPU time is printed too because on a shared machine wall time mostly measures the others.
//   node bench/manifests.ts [--docs 20000]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadManifests } from '../src/collect/manifests.ts';
import { defaultConfig } from '../src/config/types.ts';

const { values } = parseArgs({ options: { docs: { type: 'string', default: '20000' } } });
const n = Number(values.docs);
if (!Number.isInteger(n) || n < 1) throw new Error('--docs must be a positive integer');

const dir = mkdtempSync(join(tmpdir(), 'ztaudit-bench-manifests-'));
try {
  mkdirSync(join(dir, 'm'));
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(`# deployment ${i}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\n  namespace: ns-${i % 100}\n  labels: {app: app-${i}}\nspec:\n  selector: {matchLabels: {app: app-${i}}}\n  template:\n    metadata: {labels: {app: app-${i}}}\n    spec:\n      containers:\n        - name: c\n          image: registry.example/app:${i}\n          securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false}\n`);
  }
  const text = parts.join('');
  writeFileSync(join(dir, 'm', 'all.yaml'), text);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const snapshot = loadManifests([join(dir, 'm')], { cwd: dir, limits: defaultConfig().limits });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const loaded = snapshot.resources.deployments?.length ?? 0;
  if (loaded !== n) throw new Error(`loaded ${loaded} of ${n} deployments`);
  console.log(`file: ${(text.length / 1048576).toFixed(1)} MiB, ${n} documents`);
  console.log(`manifests ${n} docs: ${wall.toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU, peak ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
