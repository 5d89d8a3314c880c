// vitest globalSetup for the cluster tier: builds (or finds cached) kube-apiserver + etcd,
// starts them once on loopback, hands the admin kubeconfig to the tests through
// `provide`/`inject`, and stops them after the run whatever the tests did. Without Go or the
// binaries the tier is skipped loudly; under CI=true that is a failure instead.

import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import type { ClusterContext } from './env.ts';
import { inCI } from '../helpers/ci.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

function findBinaries(): { binDir?: string; why?: string } {
  const explicit = process.env.ZTAUDIT_TESTBIN_DIR;
  if (explicit) {
    const missing = ['etcd', 'kube-apiserver', 'kubectl'].filter((b) => !fs.existsSync(path.join(explicit, b)));
    return missing.length ? { why: `ZTAUDIT_TESTBIN_DIR=${explicit} lacks ${missing.join(', ')}` } : { binDir: explicit };
  }
  // Warm cache: returns at once. Cold: builds from the Go module proxy (minutes), progress on stderr.
  const r = spawnSync('bash', [path.join(here, 'build-binaries.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.error) return { why: `cannot run build-binaries.sh: ${r.error.message}` };
  if (r.status !== 0) {
    return { why: r.status === 3 ? 'Go is not installed, so kube-apiserver and etcd cannot be built (see test/cluster/build-binaries.sh)' : `build-binaries.sh failed with exit code ${r.status}` };
  }
  const lines = r.stdout.trim().split('\n');
  const binDir = lines[lines.length - 1];
  if (!binDir || !fs.existsSync(path.join(binDir, 'kube-apiserver'))) return { why: `build-binaries.sh printed no usable bin dir (${binDir})` };
  return { binDir };
}

function skip(project: TestProject, why: string): void {
  if (inCI()) throw new Error(`cluster test tier cannot run under CI: ${why}`);
  const bar = '!'.repeat(78);
  process.stderr.write(`\n${bar}\nSKIPPED: cluster test tier: ${why}\n${bar}\n\n`);
  const context: ClusterContext = { skip: `SKIPPED: ${why}` };
  project.provide('cluster', context);
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const { binDir, why } = findBinaries();
  if (!binDir) {
    skip(project, why ?? 'binaries unavailable');
    return undefined;
  }
  let cp: ControlPlane;
  try {
    cp = await startControlPlane(binDir);
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    if (inCI()) throw error;
    skip(project, `the control plane did not start: ${message}`);
    return undefined;
  }
  // Last resort if the runner dies without calling teardown: never leave a stray apiserver.
  const onExit = () => {
    for (const pid of cp.pids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    fs.rmSync(cp.dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const mib = (kib: number) => (kib / 1024).toFixed(0);
  process.stderr.write(
    `cluster tier: kube-apiserver ${cp.version} + etcd up at ${cp.server} in ${(cp.startupMs / 1000).toFixed(1)} s; ` +
      `RSS kube-apiserver ${mib(cp.rssKiB.apiserver)} MiB, etcd ${mib(cp.rssKiB.etcd)} MiB\n`,
  );
  // Tests run in workers; the control plane lives here. They restart or freeze kube-apiserver
  // through this loopback endpoint: POST /restart-apiserver[?offMs=N], POST /pause-apiserver?ms=N.
  const control = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reply = (p: Promise<unknown>) => p.then(
      (v) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(v ?? {})); },
      (e: unknown) => { res.writeHead(500); res.end(e instanceof Error ? e.message : String(e)); },
    );
    if (req.method === 'POST' && url.pathname === '/restart-apiserver') return void reply(cp.restartApiserver({ offMs: Number(url.searchParams.get('offMs') ?? 0) }));
    if (req.method === 'POST' && url.pathname === '/pause-apiserver') return void reply(cp.pauseApiserver(Number(url.searchParams.get('ms') ?? 1000)));
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
  const context: ClusterContext = {
    controlUrl: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
    kubeconfigPath: cp.kubeconfigPath,
    server: cp.server,
    adminToken: cp.adminToken,
    caPem: cp.caPem,
    servingCertFile: cp.servingCertFile,
    servingKeyFile: cp.servingKeyFile,
    binDir: cp.binDir,
    version: cp.version,
    scratchDir: fs.mkdtempSync(path.join(cp.dir, 'tests-')),
  };
  project.provide('cluster', context);
  return async () => {
    control.closeAllConnections();
    control.close();
    await cp.stop();
    process.removeListener('exit', onExit);
  };
}
