// `ztaudit serve` (a real process, auditing the real kube-apiserver) under a bounded HTTP
// flood on loopback: hundreds of requests for large stored runs, unknown runs, the latest
// report and malformed paths, 48 at a time, while /healthz is timed every 100 ms. /healthz
// must stay well inside the chart's liveness timeout (5 s): stored runs are rendered off the
// event loop, one at a time, cached, and beyond a bounded queue the daemon answers 503.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openRunStore } from '../../src/history/store.ts';
import { makeReport } from '../unit/history/big-report.ts';
import { describeCluster, scratchDir } from './env.ts';

const BIN = join(import.meta.dirname, '../../bin/ztaudit.cjs');

function get(agent: http.Agent, port: number, path: string): Promise<{ status: number; ms: number; bytes: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => { bytes += c.length; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, bytes }));
      res.on('error', () => resolve({ status: -1, ms: performance.now() - t0, bytes }));
    });
    req.on('error', () => resolve({ status: -1, ms: performance.now() - t0, bytes: 0 }));
    req.end();
  });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

describeCluster('serve under a bounded HTTP flood', (cluster) => {
  it('keeps /healthz answering fast while flooded with requests for large stored runs', async () => {
    const dir = scratchDir('flood');
    // Eight large stored runs (20,000 findings each) to be rendered on demand.
    const store = await openRunStore(join(dir, 'h.db'), { retention: { maxRuns: 100, maxAgeDays: 0 } });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const id = `20261101T00000${i}Z-flood${i}`;
      ids.push(id);
      await store.save(makeReport(id, `2026-11-01T00:00:0${i}.000Z`, { findings: 20_000, evidenceBytes: 64 }));
    }
    await store.close();

    const child = spawn(process.execPath, [BIN, 'serve', '--kubeconfig', cluster.kubeconfigPath, '--schedule', '0 0 1 1 *', '--port', '0',
      '--history', 'h.db', '--out', 'out', '--no-notify', '--shutdown-grace', '5'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH, HOME: dir } });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      let port = 0;
      for (const t0 = Date.now(); !port && Date.now() - t0 < 60_000;) {
        port = Number(/"event":"serve-start"[^\n]*"port":(\d+)/.exec(stderr)?.[1] ?? 0);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(port, stderr).toBeGreaterThan(0);
      // Wait for the start-up run against the real kube-apiserver.
      for (const t0 = Date.now(); !stderr.includes('"event":"run-finished"') && Date.now() - t0 < 90_000;) await new Promise((r) => setTimeout(r, 200));
      expect(stderr).toContain('"event":"run-finished"');

      const agent = new http.Agent({ keepAlive: true, maxSockets: 48 });
      const probe = new http.Agent({ keepAlive: false, maxSockets: 1 });
      const health: number[] = [];
      let flooding = true;
      const prober = (async () => {
        while (flooding) {
          const r = await get(probe, port, '/healthz');
          expect(r.status).toBe(200);
          health.push(r.ms);
          await new Promise((res) => setTimeout(res, 100));
        }
      })();
      const paths: string[] = [];
      for (let round = 0; round < 25; round++) {
        for (const id of ids) paths.push(`/runs/${id}`);
        paths.push(`/runs/20200101T000000Z-miss${String(round).padStart(2, '0')}`, '/', '/report.json', '/runs/%E0%A4%A', '/runs/..', '/metrics');
      }
      const statuses = new Map<number, number>();
      const t0 = performance.now();
      let next = 0;
      await Promise.all(Array.from({ length: 48 }, async () => {
        while (next < paths.length) {
          const r = await get(agent, port, paths[next++]!);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        }
      }));
      const floodMs = performance.now() - t0;
      flooding = false;
      await prober;

      // After the flood every stored run is served, from the cache, quickly.
      const again = await Promise.all(ids.map((id) => get(agent, port, `/runs/${id}`)));
      for (let attempt = 0; attempt < 30 && again.some((r) => r.status !== 200); attempt++) {
        await new Promise((r) => setTimeout(r, 1_000));
        for (const [i, id] of ids.entries()) if (again[i]!.status !== 200) again[i] = await get(agent, port, `/runs/${id}`);
      }
      expect(again.map((r) => r.status)).toEqual(ids.map(() => 200));
      const cached = await Promise.all(ids.map((id) => get(agent, port, `/runs/${id}`)));
      agent.destroy();

      const summary = `flood: ${paths.length} requests, 48 at a time, in ${(floodMs / 1000).toFixed(1)} s; statuses ${[...statuses].sort().map(([s, n]) => `${s}×${n}`).join(' ')}; `
        + `/healthz ${health.length} probes p50 ${pct(health, 50).toFixed(0)} ms, p99 ${pct(health, 99).toFixed(0)} ms, max ${Math.max(...health).toFixed(0)} ms; `
        + `a stored run of 20,000 findings (${(cached[0]!.bytes / 1048576).toFixed(1)} MiB of HTML) from the cache in ${Math.max(...cached.map((r) => r.ms)).toFixed(0)} ms`;
      process.stderr.write(`${summary}\n`);
      expect([...statuses.keys()].every((s) => [200, 400, 404, 503].includes(s)), summary).toBe(true);
      expect(statuses.get(400)).toBe(25);
      expect(health.length).toBeGreaterThan(5);
      expect(Math.max(...health), summary).toBeLessThan(2_000); // the chart's liveness probe times out at 5 s
      expect(cached.every((r) => r.status === 200)).toBe(true);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 300_000);
});
