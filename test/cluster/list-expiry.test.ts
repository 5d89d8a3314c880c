// A chunked list whose continue token expires, against a real kube-apiserver: what a user gets.
//
// The tier's own apiserver answers chunked lists from its watch cache (a continue token is
// served from the cache's snapshots and only goes to etcd when they cannot serve it:
// k8s.io/apiserver v0.36.3 pkg/storage/cacher/cacher.go ShouldDelegateContinue), so its tokens
// did not expire in earlier attempts. This file starts a second control plane with
// `--watch-cache=false`: every list page is then read from etcd at the token's revision
// (pkg/storage/etcd3/store.go GetList → getList with Revision: withRev), and once etcd is
// compacted past that revision the page is answered 410 Gone, reason Expired, "The provided
// continue parameter is too old …", with a new continue token that would go on at the latest
// revision, an inconsistent list (pkg/storage/etcd3/errors.go interpretListError,
// handleCompactedErrorForPaging). Kubernetes API concepts ("Retrieving large results sets in
// chunks") says the client must then start the list over without `continue`.
//
// The collector is held between two pages by a proxy in front of the apiserver; meanwhile the
// test changes a ServiceAccount already listed and compacts etcd through its gRPC gateway
// (etcd v3.6 POST /v3/kv/range for the revision, POST /v3/kv/compaction).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../checks/index.ts';
import { LIST_RESTARTS_MAX, collectLive } from '../../src/collect/live.ts';
import { ClusterWatch } from '../../src/collect/watch.ts';
import { defaultConfig } from '../../src/config/types.ts';
import { auditSnapshot } from '../../src/engine/audit.ts';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { Admin, describeCluster, tokenKubeconfig, uniqueName, type LiveCluster } from './env.ts';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.ts';

async function etcdPost(etcdUrl: string, path: string, body: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- raw etcd JSON
  const r = await fetch(`${etcdUrl}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  const text = await r.text();
  if (!r.ok) throw new Error(`etcd ${path}: HTTP ${r.status} ${text}`);
  return JSON.parse(text);
}

/** Compacts etcd at its current revision: every read at an older revision is then refused (ErrCompacted). */
async function compactNow(etcdUrl: string): Promise<number> {
  const range = await etcdPost(etcdUrl, '/v3/kv/range', { key: Buffer.from('/registry/namespaces/default').toString('base64') });
  const revision = Number(range.header.revision);
  await etcdPost(etcdUrl, '/v3/kv/compaction', { revision: String(revision), physical: true });
  return revision;
}

const PAGE = 5;
const SA_LIST = /^\/api\/v1\/serviceaccounts\?/;
const SA_CONTINUE = /^\/api\/v1\/serviceaccounts\?.*[?&]continue=/;

describeCluster('a chunked list whose continue token expires (kube-apiserver without watch cache, etcd compacted)', (tier) => {
  let cp: ControlPlane;
  let cluster: LiveCluster;
  let admin: Admin;
  // Sorts before default and kube-*: the first page of the ServiceAccounts is this namespace's
  // default, sa-0, sa-1, sa-10, sa-11 (etcd keys in order).
  const ns = uniqueName('aaa-expiry');
  const COUNT = 30;
  let proxy: RecordingProxy;
  let kubeconfigPath = '';
  /** What the proxy does before forwarding a ServiceAccounts continue request (undefined: nothing). */
  let onContinue: (() => Promise<void>) | undefined;
  let bumps = 0;

  /** A write (the revision moves past the token's), then etcd compacted at the current revision. */
  const expireTokens = async () => {
    await admin.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `bump-${bumps++}`, namespace: ns } });
    await compactNow(cp.etcdUrl);
  };

  const names = async (): Promise<string[]> => {
    const r = await admin.request('GET', '/api/v1/serviceaccounts');
    expect(r.status).toBe(200);
    return (r.body.items as Array<{ metadata: { namespace: string; name: string } }>).map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort();
  };

  beforeAll(async () => {
    cp = await startControlPlane(tier.binDir, { apiserverArgs: ['--watch-cache=false'] });
    cluster = { ...tier, server: cp.server, caPem: cp.caPem, adminToken: cp.adminToken, kubeconfigPath: cp.kubeconfigPath, servingCertFile: cp.servingCertFile, servingKeyFile: cp.servingKeyFile, version: cp.version };
    admin = new Admin(cluster);
    await admin.namespaceWithServiceAccounts(ns, COUNT, 8);
    proxy = await startRecordingProxy(cluster, [], {
      beforeForward: async (method, path) => {
        if (method === 'GET' && SA_CONTINUE.test(path) && onContinue) await onContinue();
      },
    });
    kubeconfigPath = tokenKubeconfig(proxy.server, cp.caPem, cp.adminToken, 'expiry');
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
    await cp?.stop();
  });

  it('the real server answers an expired continue token 410 Gone, reason Expired, with the message and new token of etcd3/errors.go', async () => {
    const first = await admin.request('GET', `/api/v1/serviceaccounts?limit=${PAGE}`);
    expect(first.status).toBe(200);
    const token = first.body.metadata.continue as string;
    expect(token).toBeTruthy();
    await expireTokens();
    const next = await admin.request('GET', `/api/v1/serviceaccounts?limit=${PAGE}&continue=${encodeURIComponent(token)}`);
    expect(next.status).toBe(410);
    expect(next.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
    expect(next.body.message).toMatch(/^The provided continue parameter is too old to display a consistent list result\. You can start a new list without the continue parameter/);
    // The "inconsistent" token (resourceVersion -1): going on with it mixes two revisions; the collector must not.
    expect(next.body.metadata.continue).toMatch(/\S/);
    // A list without `continue` still answers.
    expect((await admin.request('GET', `/api/v1/serviceaccounts?limit=${PAGE}`)).status).toBe(200);
  });

  it('a scheduled run: the list starts over, the kind is complete at the new revision (the object deleted meanwhile is gone, the new one there, none twice), and a note says so', async () => {
    const since = proxy.requests.length;
    let expired = 0;
    onContinue = async () => {
      if (expired++ > 0) return;
      // sa-0 was on the first page the collector holds; sa-late sorts after every page.
      expect((await admin.request('DELETE', `/api/v1/namespaces/${ns}/serviceaccounts/sa-0`)).status).toBe(200);
      await admin.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa-late', namespace: ns } });
      await compactNow(cp.etcdUrl);
    };
    try {
      const snapshot = await collectLive({ kubeconfigPath, pageSize: PAGE, concurrency: 1 });
      const seen = proxy.requests.slice(since).filter((r) => SA_LIST.test(r.path));
      // The first page, one continue answered 410, then the list from the start to its end.
      expect(seen[0]).toMatchObject({ status: 200 });
      expect(seen[0].path).not.toMatch(SA_CONTINUE);
      expect(seen[1]).toMatchObject({ status: 410 });
      expect(seen[1].path).toMatch(SA_CONTINUE);
      expect(seen[2].path).not.toMatch(SA_CONTINUE);
      expect(seen.slice(2).every((r) => r.status === 200)).toBe(true);
      expect(snapshot.coverage.serviceaccounts).toEqual({ status: 'ok', count: (await names()).length });
      const held = (snapshot.resources.serviceaccounts ?? []).map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`).sort();
      expect(held).toEqual(await names());
      expect(held).not.toContain(`${ns}/sa-0`);
      expect(held).toContain(`${ns}/sa-late`);
      expect(snapshot.notes).toContain('list serviceaccounts: list restarted after its continue token expired');
    } finally {
      onContinue = undefined;
    }
  });

  it(`a scheduled run where every attempt expires: after ${LIST_RESTARTS_MAX} restarts the kind is an error with a one-line reason, its checks not evaluated (never a pass)`, async () => {
    const since = proxy.requests.length;
    onContinue = expireTokens;
    try {
      const snapshot = await collectLive({ kubeconfigPath, pageSize: PAGE, concurrency: 1 });
      const seen = proxy.requests.slice(since).filter((r) => SA_LIST.test(r.path));
      // Each attempt: a first page, then its continue answered 410; no more attempts than that.
      expect(seen.map((r) => [SA_CONTINUE.test(r.path), r.status])).toEqual(Array.from({ length: LIST_RESTARTS_MAX + 1 }, () => [[false, 200], [true, 410]]).flat());
      const coverage = snapshot.coverage.serviceaccounts!;
      expect(coverage.status).toBe('error');
      expect(coverage.detail).toMatch(new RegExp(`^list serviceaccounts failed: its continue token expired ${LIST_RESTARTS_MAX + 1} times in a row, the list outlasting etcd's compaction each time \\(HTTP 410: The provided continue parameter is too old`));
      expect(coverage.detail).not.toMatch(/[\n\r]/);
      expect(snapshot.resources.serviceaccounts).toEqual([]);
      // The restarts are said once, not once per restart.
      expect(snapshot.notes.filter((n) => n === 'list serviceaccounts: list restarted after its continue token expired')).toHaveLength(1);
      // Another kind of the same run is complete.
      expect(snapshot.coverage.namespaces?.status).toBe('ok');
      const { report } = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now: new Date(), startedAt: new Date(), runId: 'expired-token' });
      expect(report.run.partial).toContainEqual(expect.stringMatching(/^serviceaccounts could not be read \(error: list serviceaccounts failed: its continue token expired/));
      // The checks that need or read ServiceAccounts (default-serviceaccount-used,
      // serviceaccount-token-automount) are not evaluated; those that only refine a verdict with
      // them (readsBestEffort) say they were judged without them.
      const reading = CHECKS.filter((c) => [...c.needs, ...(c.reads ?? [])].includes('serviceaccounts'));
      expect(reading.length).toBeGreaterThan(0);
      for (const check of reading) expect(report.checks.find((x) => x.id === check.id)!.status, check.id).toBe('not-evaluated');
      for (const check of CHECKS.filter((c) => c.readsBestEffort?.includes('serviceaccounts'))) {
        const c = report.checks.find((x) => x.id === check.id)!;
        if (c.status === 'pass' || c.status === 'fail') expect(c.degraded, check.id).toContain('serviceaccounts');
      }
    } finally {
      onContinue = undefined;
    }
  });

  describe('serve --watch: the full re-list', () => {
    let watch: ClusterWatch;
    const lines: string[] = [];
    const push = (level: string) => (msg: string) => { lines.push(`${level} ${msg}`); };
    const log = { info: push('info'), warn: push('warn'), error: push('error'), debug: () => {}, progress: () => {} } as never;

    beforeAll(async () => {
      watch = new ClusterWatch({ kubeconfigPath, pageSize: PAGE, concurrency: 1, log, backoff: { baseMs: 100, maxMs: 1000 } });
      await watch.start();
      expect(watch.snapshot().coverage.serviceaccounts?.status).toBe('ok');
      watch.takeChanges();
    }, 60_000);

    afterAll(async () => {
      onContinue = undefined;
      await watch?.stop();
    });

    it('starts over: the objects held are those of the new revision, each change recorded once, and a note says the list restarted', async () => {
      const since = proxy.requests.length;
      let expired = 0;
      onContinue = async () => {
        if (expired++ > 0) return;
        expect((await admin.request('DELETE', `/api/v1/namespaces/${ns}/serviceaccounts/sa-1`)).status).toBe(200);
        await admin.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa-later', namespace: ns } });
        await compactNow(cp.etcdUrl);
      };
      try {
        await watch.relistAll();
      } finally {
        onContinue = undefined;
      }
      const seen = proxy.requests.slice(since).filter((r) => SA_LIST.test(r.path));
      expect(seen.filter((r) => r.status === 410)).toHaveLength(1);
      const snapshot = watch.snapshot();
      expect(snapshot.coverage.serviceaccounts).toEqual({ status: 'ok', count: (await names()).length });
      const held = (snapshot.resources.serviceaccounts ?? []).map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`).sort();
      expect(held).toEqual(await names());
      expect(held).not.toContain(`${ns}/sa-1`);
      expect(snapshot.notes).toContain('list serviceaccounts: list restarted after its continue token expired');
      // Whether the watch or the re-list saw them first, each change is recorded once.
      const changes = watch.takeChanges().changes.filter((c) => c.kind === 'serviceaccounts').map((c) => `${c.type} ${c.namespace}/${c.name}`).sort();
      expect(changes).toEqual([`created ${ns}/sa-later`, `deleted ${ns}/sa-1`]);
    });

    it(`every attempt expires: after ${LIST_RESTARTS_MAX} restarts the kind is an error (not evaluated) with a one-line reason`, async () => {
      onContinue = expireTokens;
      try {
        await watch.relistAll();
        const coverage = watch.snapshot().coverage.serviceaccounts!;
        expect(coverage.status).toBe('error');
        expect(coverage.detail).toMatch(new RegExp(`^list serviceaccounts failed: its continue token expired ${LIST_RESTARTS_MAX + 1} times in a row, the list outlasting etcd's compaction each time \\(HTTP 410: The provided continue parameter is too old`));
        expect(coverage.detail).not.toMatch(/[\n\r]/);
        expect(watch.snapshot().resources.serviceaccounts).toEqual([]);
      } finally {
        onContinue = undefined;
      }
    });
  });
});
