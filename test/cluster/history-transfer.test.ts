// `ztaudit history export | ztaudit history import` across all three kinds of store: a real
// kube-apiserver (k8s://, with only the namespaced Role on ConfigMaps), a real PostgreSQL
// (started here from Debian's package) and SQLite files, each leg two real processes in a
// shell pipe. What the k8s:// store keeps is its compact form; every round trip through it
// after that loses nothing.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compactRun, expandRun } from '../../src/history/compact.ts';
import { openRunStore, type RunStore } from '../../src/history/store.ts';
import type { RunReport } from '../../src/run/types.ts';
import { fleetRuns } from '../unit/fleet/seed.ts';
import { startPg, findPgBin, type PgServer } from '../postgres/server.ts';
import { skipOrFail } from '../helpers/ci.ts';
import { Admin, describeCluster, scratchDir, tokenKubeconfig, uniqueName } from './env.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'bin/ztaudit.cjs'))}`;


describeCluster('history export | import between k8s://, PostgreSQL and SQLite', (cluster) => {
  const admin = new Admin(cluster);
  const ns = uniqueName('transfer');
  let kubeconfigPath = '';
  let pg: PgServer | null = null;
  const work = scratchDir('transfer');
  const pgMissing = findPgBin().why;

  beforeAll(async () => {
    if (pgMissing) skipOrFail('history transfer: the PostgreSQL legs', pgMissing);
    else pg = await startPg();
    await admin.namespace(ns);
    const token = await admin.roleAccount(ns, 'auditor', 'ztaudit-history', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create', 'update', 'delete'] }]);
    kubeconfigPath = tokenKubeconfig(cluster.server, cluster.caPem, token, 'transfer-auditor');
  });
  afterAll(() => pg?.stop());

  function pipe(from: string, to: string): string {
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `${CLI} history export --history '${from}' --kubeconfig '${kubeconfigPath}' | ${CLI} history import --history '${to}' --kubeconfig '${kubeconfigPath}'`], {
      encoding: 'utf8', cwd: work, env: { ...process.env, ...(pg ? { ZTAUDIT_PG_PASSWORD: pg.adminPassword } : {}) },
    });
    expect(r.status, r.stderr).toBe(0);
    return r.stderr;
  }

  async function all(url: string): Promise<RunReport[]> {
    const s: RunStore = await openRunStore(url, { kubeconfigPath, cwd: work, readOnly: true, env: pg ? { ZTAUDIT_PG_PASSWORD: pg.adminPassword } : {} });
    try {
      const ids = (await s.list(1000)).map((r) => r.id).reverse();
      return Promise.all(ids.map(async (id) => (await s.get(id))!));
    } finally {
      await s.close();
    }
  }

  // SQLite ↔ PostgreSQL (full reports, byte-identical re-render) and repeated imports are
  // proven in the postgres tier (test/postgres/cli.test.ts) and test/unit/fleet/fleet.test.ts.
  it('SQLite → k8s:// → PostgreSQL → k8s:// keeps every run the k8s store holds', async () => {
    const runs = fleetRuns();
    const source = await openRunStore(join(work, 'source.db'));
    for (const r of runs) await source.save(r);
    await source.close();

    expect(pipe(join(work, 'source.db'), `k8s://${ns}/fleet`)).toMatch(/import: 6 run\(s\) imported into k8s:\/\/\S+\/fleet, 0 already there/);
    const inK8s = await all(`k8s://${ns}/fleet`);
    // The k8s store holds each run in its compact form (no messages or evidence).
    expect(inK8s).toEqual(runs.map((r) => expandRun(compactRun(r))));

    if (!pg) return;
    const admin = `postgres://postgres@127.0.0.1:${pg.port}/postgres?sslmode=disable`;
    pipe(`k8s://${ns}/fleet`, admin);
    expect(await all(admin)).toEqual(inK8s);
    pipe(admin, `k8s://${ns}/again`);
    expect(await all(`k8s://${ns}/again`)).toEqual(inK8s);
  });
});
