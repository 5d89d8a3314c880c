// The Kubernetes-native run store against a real kube-apiserver: it works with nothing but a
// namespaced Role on ConfigMaps, keeps big runs under the object size limit, stores a run
// whole or not at all when its writer is SIGKILLed mid-save, and refuses a concurrent run.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { openK8sStore } from '../../src/history/k8s.ts';
import { beforeAll, expect, it } from 'vitest';
import { HistoryError } from '../../src/base/errors.ts';
import { openRunStore, type RunStore } from '../../src/history/store.ts';
import type { RunReport } from '../../src/run/types.ts';
import { makeReport } from '../unit/history/big-report.ts';
import { interruptedRun, savedRuns, sleep, spawnStoreChild } from '../unit/history/child.ts';
import { Admin, describeCluster, tokenKubeconfig, uniqueName } from './env.ts';

/** The fingerprints makeReport() gives run `id` with `n` findings. */
function expectedFingerprints(id: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => createHash('sha256').update(`${id}/${i % 7 === 0 ? 'shared' : id}/${i}`).digest('hex').slice(0, 20));
}

function isWholeReconstruction(report: RunReport): boolean {
  const n = Number(/^findings=(\d+)$/.exec(report.run.notes[0] ?? '')?.[1] ?? -1);
  const got = report.findings.map((f) => f.fingerprint);
  const want = expectedFingerprints(report.run.id, n);
  return n >= 0 && got.length === want.length && got.every((fp, i) => fp === want[i]);
}

describeCluster('Kubernetes-native run store (k8s://NAMESPACE/NAME)', (cluster) => {
  const admin = new Admin(cluster);
  const ns = uniqueName('history');
  let kubeconfigPath = '';
  const open = (name: string, extra: { maxRuns?: number } = {}): Promise<RunStore> =>
    openRunStore(`k8s://${ns}/${name}`, { kubeconfigPath, retention: { maxRuns: extra.maxRuns ?? 1000, maxAgeDays: 0 } });

  async function configMapNames(prefix: string): Promise<string[]> {
    const r = await admin.request('GET', `/api/v1/namespaces/${ns}/configmaps`);
    return (r.body.items as Array<{ metadata: { name: string } }>).map((c) => c.metadata.name).filter((n) => n === prefix || n.startsWith(`${prefix}-r`)).sort();
  }

  beforeAll(async () => {
    await admin.namespace(ns);
    // The auditor's store needs only this namespaced Role; nothing cluster-wide.
    const token = await admin.roleAccount(ns, 'auditor', 'ztaudit-history', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create', 'update', 'delete'] }]);
    kubeconfigPath = tokenKubeconfig(cluster.server, cluster.caPem, token, 'history-auditor');
  });

  it('stores, lists and reconstructs runs with only a namespaced Role; big runs are chunked under 1 MiB', async () => {
    const s = await open('basic', { maxRuns: 2 });
    await s.acquire();
    await s.save(makeReport('r1', '2026-11-01T02:00:00.000Z', { overall: 61 }));
    await s.save(makeReport('r2', '2026-11-02T02:00:00.000Z', { findings: 80_000, overall: 72 }));
    await s.save(makeReport('r3', '2026-11-03T02:00:00.000Z', { overall: 83 }));
    await s.release();
    expect((await s.list(10)).map((r) => [r.id, r.score.overall])).toEqual([['r3', 83], ['r2', 72]]);
    const big = await s.get('r2');
    expect(big && isWholeReconstruction(big)).toBe(true);
    const names = await configMapNames('basic');
    expect(names.length).toBeGreaterThan(3); // index + r2's chunks + r3; r1 evicted and deleted
    expect(names).not.toContain('basic-r1-0');
    // Another namespace is out of the Role's reach: a clear HistoryError, not a crash.
    await expect(openRunStore('k8s://default/history', { kubeconfigPath })).rejects.toThrow(/HTTP 403.*configmaps in namespace default/);
    await s.close();
  });

  it('a damaged entry typed into the index by hand (a null in index.json\'s runs) is passed over, listed in its place, and survives the next save', async () => {
    const s = await open('damaged');
    await s.save(makeReport('r1', '2026-11-01T02:00:00.000Z'));
    await s.save(makeReport('r2', '2026-11-02T02:00:00.000Z'));
    await s.close();
    // kubectl edit: the apiserver keeps any string as a ConfigMap value (https://kubernetes.io/docs/concepts/configuration/configmap/).
    const path = `/api/v1/namespaces/${ns}/configmaps/damaged`;
    const cm = (await admin.request('GET', path)).body as { data: Record<string, string> };
    const index = JSON.parse(cm.data['index.json']!) as { runs: unknown[] };
    index.runs.splice(1, 0, null);
    cm.data['index.json'] = JSON.stringify(index);
    expect((await admin.request('PUT', path, cm)).status).toBe(200);

    const warnings: string[] = [];
    const again = await openRunStore(`k8s://${ns}/damaged`, { kubeconfigPath, retention: { maxRuns: 1000, maxAgeDays: 0 }, warn: (l) => warnings.push(l) });
    expect((await again.latest('demo'))?.run.id).toBe('r2');
    const unreadable: Array<[string, number]> = [];
    expect((await again.list(10, (error, place) => unreadable.push([error.runId, place]))).map((r) => r.id)).toEqual(['r2', 'r1']);
    expect(unreadable).toEqual([['runs[1]', 1]]);
    await again.save(makeReport('r3', '2026-11-03T02:00:00.000Z'));
    const after = JSON.parse(((await admin.request('GET', path)).body as { data: Record<string, string> }).data['index.json']!) as { runs: Array<{ id: string } | null> };
    expect(after.runs.map((r) => r && r.id)).toEqual(['r1', null, 'r2', 'r3']);
    expect(warnings).toEqual([`k8s://${ns}/damaged: entry runs[1] of the history index (ConfigMap ${ns}/damaged, key index.json) is not a stored run: not a JSON object; it is kept there as it is; passed over`]);
    await again.close();
  });

  it('retention deletes only the store\'s own run objects: a copy of another store\'s index (kubectl get | rename | create) and an entry naming an application ConfigMap delete neither', async () => {
    const s = await open('source');
    await s.save(makeReport('r1', '2026-11-01T02:00:00.000Z'));
    await s.close();
    const cms = `/api/v1/namespaces/${ns}/configmaps`;
    const source = (await admin.request('GET', `${cms}/source`)).body as { metadata: { labels: Record<string, string> }; data: Record<string, string> };
    const index = JSON.parse(source.data['index.json']!) as { runs: Array<{ objects: string[] }> };
    // The copy's one entry names the source's run object and an application's ConfigMap.
    index.runs[0]!.objects = [...index.runs[0]!.objects, 'payments-config'];
    const copy = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'copy', labels: { ...source.metadata.labels, 'ztaudit.io/history': 'copy' } }, data: { 'index.json': JSON.stringify(index) } };
    expect((await admin.request('POST', cms, copy)).status).toBe(201);
    expect((await admin.request('POST', cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'payments-config' }, data: { 'db.url': 'postgres://payments' } })).status).toBe(201);
    const c = await open('copy', { maxRuns: 1 });
    await c.save(makeReport('c1', '2026-11-02T02:00:00.000Z'));
    await c.save(makeReport('c2', '2026-11-03T02:00:00.000Z'));
    expect((await c.list(10)).map((r) => r.id)).toEqual(['c2']);
    await c.close();
    expect((await admin.request('GET', `${cms}/payments-config`)).status).toBe(200);
    expect(await configMapNames('source')).toEqual(['source', 'source-r1-0']);
    expect(await configMapNames('copy')).toEqual(['copy', 'copy-r3-0']);
    const again = await open('source');
    expect((await again.get('r1'))?.run.id).toBe('r1');
    await again.close();
  });

  it('refuses a concurrent run: in-process race, and another process until it is killed', async () => {
    const a = await open('race');
    const b = await open('race');
    await a.save(makeReport('r0', '2026-11-01T00:00:00.000Z'));
    const results = await Promise.allSettled([a.acquire(), b.acquire()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(String((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.message)).toMatch(/^another ztaudit run holds k8s:\/\/.*\/race since /);
    await a.release();
    await b.release();

    const child = spawnStoreChild(`k8s://${ns}/race`, 'hold', { kubeconfigPath });
    try {
      const pid = await child.ready;
      const err = await a.acquire().then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(HistoryError);
      expect((err as Error).message).toMatch(new RegExp(`another ztaudit run holds k8s://${ns}/race since \\S+ \\(pid ${pid} on `));
      await child.kill();
      await a.acquire(); // the holder died on this host: its lock is stale at once
      await a.save(makeReport('r1', '2026-11-02T00:00:00.000Z'));
      await a.release();
      expect((await a.list(5)).map((r) => r.id)).toEqual(['r1', 'r0']);
    } finally {
      await child.kill();
    }
  });

  /** Puts `lock` into the store's index as a holder would have written it (admin write). */
  async function plantLock(name: string, lock: Record<string, unknown>): Promise<void> {
    const cm = (await admin.request('GET', `/api/v1/namespaces/${ns}/configmaps/${name}`)).body;
    const index = JSON.parse(cm.data['index.json']);
    index.lock = lock;
    cm.data['index.json'] = JSON.stringify(index);
    const r = await admin.request('PUT', `/api/v1/namespaces/${ns}/configmaps/${name}`, cm);
    expect(r.status).toBe(200);
  }

  it('a dead predecessor under our host name: taken at once in our PID namespace, after its lease from another one (a restarted container) or from an older ztaudit, without an error', async () => {
    const s = await open('restart');
    await s.save(makeReport('before-restart', '2026-11-01T00:00:00.000Z'));
    await s.acquire();
    const ours = JSON.parse((await admin.request('GET', `/api/v1/namespaces/${ns}/configmaps/restart`)).body.data['index.json']).lock.pidNamespace as string;
    await s.release();
    const now = new Date().toISOString();
    // Same pid, same host, a fresh heartbeat, another process id: in our PID namespace that
    // pid is ours, so its holder is dead. A container restarted in a pod is pid 1 again in a
    // new namespace, as is another pod on the node's network: its pid says nothing here, so
    // the run waits its lease out (refused only if it renews).
    await plantLock('restart', { token: 'dead', pid: process.pid, host: hostname(), since: now, heartbeat: now, processId: 'previous-incarnation', pidNamespace: ours, leaseSeconds: 600 });
    let t0 = performance.now();
    await s.acquire();
    expect(performance.now() - t0).toBeLessThan(3_000);
    await s.save(makeReport('after-same-namespace', '2026-11-02T00:00:00.000Z'));
    await s.release();
    for (const lock of [
      { token: 'dead', pid: process.pid, host: hostname(), since: now, processId: 'previous-incarnation', pidNamespace: 'another-boot/pid:[4026532999]', leaseSeconds: 2 },
      { token: 'dead', pid: process.pid, host: hostname(), since: now, leaseSeconds: 2 }, // written by an older ztaudit
    ]) {
      await plantLock('restart', { ...lock, heartbeat: new Date().toISOString() });
      t0 = performance.now();
      await s.acquire();
      expect(performance.now() - t0).toBeGreaterThan(1_000);
      expect(performance.now() - t0).toBeLessThan(6_000);
      await s.save(makeReport(`after-${lock.pidNamespace ? 'other-namespace' : 'old'}`, '2026-11-03T00:00:00.000Z'));
      await s.release();
    }
    expect((await s.list(5)).map((r) => r.id)).toEqual(['after-old', 'after-other-namespace', 'after-same-namespace', 'before-restart']);
    // A live run elsewhere (another host, renewing) is still refused at once.
    await plantLock('restart', { token: 'live', pid: 4242, host: 'other-pod', since: now, heartbeat: new Date().toISOString(), processId: 'x', leaseSeconds: 600 });
    await expect(s.acquire()).rejects.toThrow(/pid 4242 on other-pod/);
    await s.close();
  });

  it('a holder renews its lease: refused while it lives; frozen, its lease runs out and the next run proceeds without an error', async () => {
    const lease = 3_000;
    const s = await openK8sStore(ns, 'lease', { kubeconfigPath, retention: { maxRuns: 100, maxAgeDays: 0 }, now: () => new Date(), lockTtlMs: lease });
    await s.save(makeReport('l0', '2026-11-01T00:00:00.000Z'));
    const child = spawnStoreChild(`k8s://${ns}/lease`, 'hold', { kubeconfigPath, env: { STORE_CHILD_LEASE_MS: String(lease) } });
    try {
      const pid = await child.ready;
      // Three leases long, the holder keeps renewing: every attempt is refused.
      const t0 = performance.now();
      let refused = 0;
      while (performance.now() - t0 < 3 * lease) {
        await expect(s.acquire()).rejects.toThrow(new RegExp(`pid ${pid} on `));
        refused++;
        await sleep(500);
      }
      expect(refused).toBeGreaterThanOrEqual(5);
      // Frozen (SIGSTOP: a hung process, a lost node): no more renewals. The next run waits the
      // lease out instead of failing with "another run holds it".
      child.proc.kill('SIGSTOP');
      await sleep(lease / 2 + 200);
      const t1 = performance.now();
      await s.acquire();
      const waited = performance.now() - t1;
      expect(waited).toBeLessThan(2 * lease);
      await s.save(makeReport('l1', '2026-11-02T00:00:00.000Z'));
      await s.release();
      expect((await s.list(5)).map((r) => r.id)).toEqual(['l1', 'l0']);
    } finally {
      child.proc.kill('SIGCONT');
      await child.kill();
      await s.close();
    }
  });

  it('stores a run whole or not at all when the writer is SIGKILLed mid-save, at random points', async () => {
    const s0 = await open('crash');
    await s0.save(makeReport('b1', '2026-11-01T00:00:00.000Z', { findings: 40 }));
    await s0.save(makeReport('b2', '2026-11-02T00:00:00.000Z', { findings: 40 }));
    let interrupted = 0;
    const completed: string[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const child = spawnStoreChild(`k8s://${ns}/crash`, 'save', { kubeconfigPath, env: { STORE_CHILD_FINDINGS: '60000', STORE_CHILD_EVIDENCE: '0' } });
      await child.ready;
      // Building the big report between saves can take longer than a save (more so on a
      // loaded machine), so a kill at a random time after the first save began often landed
      // between saves. Time the child's first save, wait for its second to begin, and kill at
      // a random point inside that save's expected span.
      const firstSaveMs = await timeFirstSave(child.lines);
      await waitFor(() => child.lines.filter((l) => l.startsWith('saving ')).length >= 2);
      await sleep(Math.floor(Math.random() * firstSaveMs * 0.8));
      await child.kill();
      if (interruptedRun(child.lines)) interrupted++;
      completed.push(...savedRuns(child.lines));

      const s = await open('crash');
      const ids = (await s.list(1000)).map((r) => r.id);
      for (const id of ['b1', 'b2', ...completed]) expect(ids).toContain(id);
      for (const id of ids) {
        const report = await s.get(id);
        expect(report && isWholeReconstruction(report), `run ${id} is whole`).toBe(true);
      }
      await s.acquire(); // the killed writer's lock is recognised as stale
      await s.release();
    }
    expect(interrupted).toBeGreaterThan(0);
    // A save after the crashes deletes whatever the killed writers left unreferenced.
    const s = await open('crash');
    await s.save(makeReport('after', '2030-06-01T00:00:00.000Z'));
    const index = await admin.request('GET', `/api/v1/namespaces/${ns}/configmaps/crash`);
    const referenced = (JSON.parse(index.body.data['index.json']).runs as Array<{ objects: string[] }>).flatMap((r) => r.objects).sort();
    expect(await configMapNames('crash')).toEqual(['crash', ...referenced].sort());
  }, 180_000);
});

async function waitFor(done: () => boolean, limitMs = 30_000): Promise<void> {
  for (let waited = 0; !done(); waited += 20) {
    if (waited > limitMs) throw new Error('the store child printed nothing for 30 s');
    await sleep(20);
  }
}

/** How long the child's first save took, from its "saving" line to its "saved" line. */
async function timeFirstSave(lines: string[]): Promise<number> {
  await waitFor(() => lines.some((l) => l.startsWith('saving ')));
  const t0 = performance.now();
  await waitFor(() => lines.some((l) => l.startsWith('saved ')));
  return performance.now() - t0;
}
