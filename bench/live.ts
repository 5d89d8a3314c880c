// Live collection benchmark: loads an M-size synthetic cluster (built-in kinds) into a real
// kube-apiserver + etcd (the cluster test tier's binaries), then times ztaudit's collector
// against `kubectl get <same kinds> -A -o json` (kubectl built from the same pinned module),
// alternating runs, and reports wall time, CPU time (user + system; the machine is shared)
// and peak RSS of each. Targets (issue 22): ztaudit's time <= 0.25x kubectl's, and its peak
// RSS <= 0.5x the collector's before issue 22 (time that one with --baseline).
//   node bench/live.ts [--size S|M] [--runs 3] [--baseline DIR]
// --baseline DIR: a checkout of another ztaudit version (with node_modules); its collector is
// timed too, in the same runs against the same API server, for a back-to-back comparison.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startControlPlane } from '../test/cluster/control-plane.ts';
import { SIZES } from './generate.ts';
import { LISTED_BUILTIN, loadGeneratedCluster } from './load-cluster.ts';

const { values } = parseArgs({ options: { size: { type: 'string', default: 'M' }, runs: { type: 'string', default: '3' }, child: { type: 'string' }, kubeconfig: { type: 'string' }, baseline: { type: 'string' } } });

// Child mode: one collection, print JSON {seconds, objects}; the parent reads peak RSS.
if (values.child === 'collect') {
  const { collectLive } = await import('../src/collect/live.ts');
  const t0 = performance.now();
  const snap = await collectLive({ kubeconfigPath: values.kubeconfig, timeoutMs: 60_000 });
  const objects = Object.values(snap.resources).reduce((n, l) => n + (l?.length ?? 0), 0);
  console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, objects }));
  process.exit(0);
}

const size = values.size as keyof typeof SIZES;
const binDir = spawnSync('bash', ['test/cluster/build-binaries.sh'], { encoding: 'utf8' }).stdout.trim().split('\n').pop()!;
const cp = await startControlPlane(binDir);
try {
  console.log(`control plane ${cp.version} up in ${(cp.startupMs / 1000).toFixed(1)} s`);
  const { created, seconds } = await loadGeneratedCluster(cp, size);
  console.log(`loaded ${created} objects (${size}) in ${seconds.toFixed(1)} s`);

  const kinds = LISTED_BUILTIN.map((k) => (k.group ? `${k.resource}.${k.group}` : k.resource)).join(',');
  const kubectl = join(binDir, 'kubectl');
  const timeRun = (cmd: string, args: string[]) => {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', cmd, ...args], { encoding: 'utf8', maxBuffer: 2 ** 30 });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr.slice(-500)}`);
    const [secs, kib, user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    return { seconds: secs, peakMiB: Math.round(kib / 1024), cpu: user + sys, stdout: r.stdout };
  };
  const ours: number[] = [];
  const theirs: number[] = [];
  const ourCpu: number[] = [];
  const theirCpu: number[] = [];
  const base: Array<{ seconds: number; cpu: number; peakMiB: number }> = [];
  let ourPeak = 0;
  let theirPeak = 0;
  for (let i = 0; i < Number(values.runs); i++) {
    const k = timeRun(kubectl, ['--kubeconfig', cp.kubeconfigPath, 'get', kinds, '-A', '-o', 'json', '--chunk-size=500']);
    theirs.push(k.seconds);
    theirCpu.push(k.cpu);
    theirPeak = Math.max(theirPeak, k.peakMiB);
    const z = timeRun(process.execPath, [import.meta.filename, '--child', 'collect', '--kubeconfig', cp.kubeconfigPath]);
    ours.push(z.seconds);
    ourCpu.push(z.cpu);
    ourPeak = Math.max(ourPeak, z.peakMiB);
    const objects = JSON.parse(z.stdout.trim().split('\n').pop()!).objects;
    if (values.baseline) {
      const b = timeRun(process.execPath, [join(values.baseline, 'bench/live.ts'), '--child', 'collect', '--kubeconfig', cp.kubeconfigPath]);
      base.push(b);
      console.log(`run ${i + 1}: baseline ${values.baseline}: ${b.seconds.toFixed(2)} s (${b.cpu.toFixed(2)} s cpu, ${b.peakMiB} MiB)`);
    }
    console.log(`run ${i + 1}: kubectl ${k.seconds.toFixed(2)} s (${k.cpu.toFixed(2)} s cpu, ${k.peakMiB} MiB), ztaudit ${z.seconds.toFixed(2)} s (${z.cpu.toFixed(2)} s cpu, ${z.peakMiB} MiB, ${objects} objects incl. built-in RBAC)`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ratio = median(ours) / median(theirs);
  const summary = `live ${size}: ztaudit collect ${median(ours).toFixed(2)} s (${median(ourCpu).toFixed(2)} s cpu), peak ${ourPeak} MiB; kubectl get -A -o json ${median(theirs).toFixed(2)} s (${median(theirCpu).toFixed(2)} s cpu), peak ${theirPeak} MiB; ratio ${ratio.toFixed(2)}x wall, ${(median(ourCpu) / median(theirCpu)).toFixed(2)}x cpu (target <= 0.25x)`;
  console.log(summary);
  if (base.length > 0) {
    const bPeak = Math.max(...base.map((b) => b.peakMiB));
    const line = `live ${size} baseline ${values.baseline}: collect ${median(base.map((b) => b.seconds)).toFixed(2)} s (${median(base.map((b) => b.cpu)).toFixed(2)} s cpu), peak ${bPeak} MiB; this version's peak is ${(ourPeak / bPeak).toFixed(2)}x the baseline's (target <= 0.5x)`;
    console.log(line);
    writeFileSync('bench/out/live-baseline.txt', `${line}\n`);
  }
  mkdirSync('bench/out', { recursive: true });
  writeFileSync('bench/out/live-summary.txt', `${summary}\n`);
} finally {
  await cp.stop();
}
