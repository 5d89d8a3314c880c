// collectLive's and serve --watch's first request, against nothing that answers: what stops it is named for what it is.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectLive } from '../../../src/collect/live.ts';
import { ClusterWatch } from '../../../src/collect/watch.ts';
import { CredentialError } from '../../../src/kube/kubeconfig.ts';
import { kubeconfigFor } from '../../helpers/local-api-server.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-live-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('collectLive', () => {
  it('says that the credentials could not be had (a failing exec plugin), not that the API server cannot be reached', async () => {
    fs.writeFileSync(path.join(dir, 'login'), "#!/bin/sh\necho 'error: not logged in' >&2\nexit 1\n", { mode: 0o755 });
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ./login, interactiveMode: Never}}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`);
    const said = `exec plugin ${path.join(dir, 'login')} for user "u" in kubeconfig ${file} failed with exit code 1: error: not logged in`;
    const error = await collectLive({ kubeconfigPath: file, env: {}, retries: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialError);
    expect((error as Error).message).toBe(said);
    // serve --watch's first list says the same.
    const watch = new ClusterWatch({ kubeconfigPath: file, env: {} });
    try {
      const watchError = await watch.start().catch((e: unknown) => e);
      expect(watchError).toBeInstanceOf(CredentialError);
      expect((watchError as Error).message).toBe(said);
    } finally {
      await watch.stop();
    }
  });
});

// Calico's API server (the default install) refuses a list of projectcalico.org/v3 policies with
// its own reason when the caller lacks the tier pseudo-resources
// (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/rbac-tiered-policies): the
// coverage names that reason, where the authorizer's usual "cannot list resource" adds nothing.
describe('collectLive: a 403 with the server\'s own reason', () => {
  it('keeps the reason of an aggregated API server, and the short form for the authorizer\'s usual refusal', async () => {
    const calicoReason = 'networkpolicies.projectcalico.org is forbidden: operation on Calico tiered policy is forbidden';
    const rbacReason = 'globalnetworkpolicies.projectcalico.org is forbidden: User "system:serviceaccount:zt:zt" cannot list resource "globalnetworkpolicies" in API group "projectcalico.org" at the cluster scope';
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.pathname === '/version') return json(200, { gitVersion: 'v1.31.0' });
      if (url.pathname === '/apis') return json(200, { kind: 'APIGroupList', groups: [{ name: 'projectcalico.org', versions: [{ groupVersion: 'projectcalico.org/v3', version: 'v3' }], preferredVersion: { version: 'v3' } }] });
      if (url.pathname === '/apis/projectcalico.org/v3') return json(200, { kind: 'APIResourceList', resources: [{ name: 'networkpolicies', namespaced: true, kind: 'NetworkPolicy', verbs: ['list', 'watch'] }, { name: 'globalnetworkpolicies', namespaced: false, kind: 'GlobalNetworkPolicy', verbs: ['list', 'watch'] }] });
      if (url.pathname === '/apis/projectcalico.org/v3/networkpolicies') return json(403, { kind: 'Status', code: 403, reason: 'Forbidden', message: calicoReason });
      if (url.pathname === '/apis/projectcalico.org/v3/globalnetworkpolicies') return json(403, { kind: 'Status', code: 403, reason: 'Forbidden', message: rbacReason });
      if (url.pathname === '/api/v1') return json(200, { kind: 'APIResourceList', resources: [] });
      return json(200, { kind: 'List', metadata: { resourceVersion: '5' }, items: [] });
    });
    try {
      const snapshot = await collectLive({ kubeconfigPath: await kubeconfigFor(server), env: {}, retries: 0 });
      expect(snapshot.coverage['calico-v3.networkpolicies']).toEqual({ status: 'forbidden', detail: `list networkpolicies.projectcalico.org at cluster scope (the server says: ${calicoReason})` });
      expect(snapshot.coverage['calico-v3.globalnetworkpolicies']).toEqual({ status: 'forbidden', detail: 'list globalnetworkpolicies.projectcalico.org at cluster scope' });
    } finally {
      server.close();
    }
  });
});

// The API server validates what it stores (PodSpec.containers is a list:
// https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#PodSpec); an
// answer that holds another shape (a proxy in between, an aggregated API) is not judged on a
// guess: the kind counts as not read, naming the object and key.
describe('collectLive: an object in a shape the API server refuses', () => {
  it('makes its kind an error naming the object and key, and keeps the other kinds', async () => {
    const pod = (name: string, containers: unknown) => ({ metadata: { name, namespace: 'shop' }, spec: { containers } });
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.pathname === '/version') return json(200, { gitVersion: 'v1.31.0' });
      if (url.pathname === '/apis') return json(200, { kind: 'APIGroupList', groups: [] });
      if (url.pathname === '/api/v1') return json(200, { kind: 'APIResourceList', resources: [] });
      if (url.pathname === '/api/v1/pods') return json(200, { kind: 'PodList', metadata: { resourceVersion: '5' }, items: [pod('ok', [{ name: 'c', image: 'nginx' }]), pod('web\nFORGED', { name: 'c', image: 'nginx', securityContext: { privileged: true } })] });
      if (url.pathname === '/api/v1/namespaces') return json(200, { kind: 'NamespaceList', metadata: { resourceVersion: '5' }, items: [{ metadata: { name: 'shop' } }] });
      return json(200, { kind: 'List', metadata: { resourceVersion: '5' }, items: [] });
    });
    const kubeconfigPath = await kubeconfigFor(server);
    try {
      const snapshot = await collectLive({ kubeconfigPath, env: {}, retries: 0 });
      expect(snapshot.coverage.pods).toEqual({ status: 'error', detail: 'list pods: Pod shop/web\\u000aFORGED: spec.containers is a mapping, not a list' });
      expect(snapshot.resources.pods).toEqual([]);
      expect(snapshot.coverage.namespaces).toEqual({ status: 'ok', count: 1 });
      // serve --watch's list says the same (a watch is only opened on a list that was read).
      const watch = new ClusterWatch({ kubeconfigPath, env: {}, failAfter: 1, backoff: { baseMs: 60_000, maxMs: 60_000 } });
      try {
        await watch.start();
        const watched = watch.snapshot();
        expect(watched.coverage.pods).toEqual({ status: 'error', detail: 'list pods: Pod shop/web\\u000aFORGED: spec.containers is a mapping, not a list' });
        expect(watched.resources.pods).toEqual([]);
        expect(watched.coverage.namespaces).toEqual({ status: 'ok', count: 1 });
      } finally {
        await watch.stop();
      }
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

/**
 * A stand-in API server: /version, discovery (/apis lists `groups`, each group version its
 * resources), `crb` answering every list of clusterrolebindings, and an empty list for any other.
 */
function apiServer(crb: (url: URL, res: http.ServerResponse) => void, groups: Array<{ name: string; version: string; resources: string[] }> = []): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/version') return json(200, { gitVersion: 'v1.33.0' });
    if (url.pathname === '/apis') return json(200, { kind: 'APIGroupList', groups: groups.map((g) => ({ name: g.name, versions: [{ groupVersion: `${g.name}/${g.version}`, version: g.version }], preferredVersion: { version: g.version } })) });
    const group = groups.find((g) => url.pathname === `/apis/${g.name}/${g.version}`);
    if (group) return json(200, { kind: 'APIResourceList', resources: group.resources.map((name) => ({ name, namespaced: false, verbs: ['list'] })) });
    if (url.pathname === '/api/v1') return json(200, { kind: 'APIResourceList', resources: [{ name: 'namespaces', namespaced: false, verbs: ['list'] }] });
    if (url.pathname.endsWith('/clusterrolebindings')) return crb(url, res);
    if (url.pathname === '/api/v1/namespaces') return json(200, { kind: 'NamespaceList', metadata: {}, items: [{ metadata: { name: 'shop' } }] });
    return json(200, { kind: 'List', metadata: {}, items: [] });
  });
}

function page(res: http.ServerResponse, items: unknown[], cont: string): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ kind: 'ClusterRoleBindingList', metadata: { continue: cont }, items }));
}

const binding = (name: string) => ({ metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'backdoor', namespace: 'shop' }] });

// ListOptions.limit (https://kubernetes.io/docs/reference/kubernetes-api/common-parameters/common-parameters/#limit):
// only the continue token says more pages follow, and a page may hold no item. A server or proxy
// that never stops handing out tokens must not hold the run (and serve's every later tick) for ever.
describe('collectLive: a list that never ends', () => {
  it('ends a list whose pages keep coming empty with a continue token as error for that kind, and lists the others', async () => {
    let pages = 0;
    const server = apiServer((_url, res) => page(res, [], `tok${++pages}`));
    try {
      const snapshot = await collectLive({ kubeconfigPath: await kubeconfigFor(server), env: {}, retries: 0, emptyPagesMax: 5 });
      expect(snapshot.coverage.clusterrolebindings).toEqual({ status: 'error', detail: 'list clusterrolebindings.rbac.authorization.k8s.io failed: 5 pages in a row brought no object yet a continue token (0 objects after 5 pages), so it may never end' });
      expect(pages).toBe(5);
      expect(snapshot.coverage.namespaces).toEqual({ status: 'ok', count: 1 });
    } finally {
      server.close();
    }
  });

  it('ends a list whose server hands back a continue token it already gave, keeping none of its objects', async () => {
    let pages = 0;
    const server = apiServer((_url, res) => page(res, [binding(`b${++pages}`)], pages % 3 === 0 ? 'tok1' : `tok${pages}`));
    try {
      const snapshot = await collectLive({ kubeconfigPath: await kubeconfigFor(server), env: {}, retries: 0 });
      expect(snapshot.coverage.clusterrolebindings).toEqual({ status: 'error', detail: 'list clusterrolebindings.rbac.authorization.k8s.io failed: page 3 handed back a continue token the list had already been given, so it would never end' });
      expect(snapshot.resources.clusterrolebindings).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('ends the collection at its deadline: the list in progress is error naming collect.deadlineSeconds, the kinds read before it are kept', async () => {
    // The clock moves one minute per page of the endless list: the deadline (5 min) passes after five pages.
    let clock = 0;
    let pages = 0;
    const server = apiServer((_url, res) => {
      clock += 60_000;
      page(res, [binding(`b${++pages}`)], `tok${pages}`);
    });
    try {
      const snapshot = await collectLive({ kubeconfigPath: await kubeconfigFor(server), env: {}, retries: 0, deadlineMs: 5 * 60_000, now: () => clock });
      expect(snapshot.coverage.clusterrolebindings).toEqual({ status: 'error', detail: 'list clusterrolebindings.rbac.authorization.k8s.io not finished after 5 pages (5 objects): the collection\'s deadline of 300 s (collect.deadlineSeconds) passed' });
      expect(pages).toBe(5);
      expect(snapshot.coverage.namespaces).toEqual({ status: 'ok', count: 1 });
      // ConfigMaps are read by name after every list: none is asked for once the deadline passed.
      expect(snapshot.coverage.configmaps).toEqual({ status: 'error', detail: 'get configmaps: not read, the collection\'s deadline of 300 s (collect.deadlineSeconds) passed' });
    } finally {
      server.close();
    }
  });

  it('says a long list\'s running count at most once an interval, not once a page', async () => {
    let pages = 0;
    const server = apiServer((_url, res) => page(res, [binding(`b${++pages}`)], pages < 50 ? `tok${pages}` : ''));
    const lines: Array<[string, number, boolean]> = [];
    try {
      // A clock that does not move: fifty pages within one interval.
      const snapshot = await collectLive({ kubeconfigPath: await kubeconfigFor(server), env: {}, retries: 0, now: () => 0, onProgress: (kind, count, done) => lines.push([kind, count, done !== undefined]) });
      expect(snapshot.coverage.clusterrolebindings).toEqual({ status: 'ok', count: 50 });
      expect(lines.filter(([kind]) => kind === 'clusterrolebindings')).toEqual([['clusterrolebindings', 50, true]]);
    } finally {
      server.close();
    }
  });
});

/** Holds every request `matches` picks unanswered; `abandoned` resolves once the client closed the first one. */
function silentFor(matches: (url: URL) => boolean) {
  let abandoned!: (by: string) => void;
  const seen: string[] = [];
  return {
    seen,
    abandoned: new Promise<string>((resolve) => { abandoned = resolve; }),
    answer(url: URL, res: http.ServerResponse): boolean {
      if (!matches(url)) return false;
      seen.push(url.pathname);
      res.on('close', () => { if (!res.writableEnded) abandoned(url.pathname); });
      return true;
    },
  };
}

// A request in flight when collect.deadlineSeconds passes is ended then, not after its own
// timeout (a list page may take up to 100 s) or its retries: the kind is error naming the
// deadline, never an empty list. The server never answers; the deadline ends the request.
describe('collectLive: a request in flight at the deadline', () => {
  // Without the deadline, each request would wait out its 8 s idle timeout, each list its retries.
  const bounded = { env: {}, deadlineMs: 2_000, timeoutMs: 8_000 };

  it('is abandoned at the deadline: its kind is error naming collect.deadlineSeconds, the kinds read before it are kept', async () => {
    const silent = silentFor((url) => url.pathname.endsWith('/clusterrolebindings'));
    const server = apiServer((url, res) => void silent.answer(url, res));
    try {
      const snapshot = await collectLive({ kubeconfigPath: await kubeconfigFor(server), retries: 0, ...bounded });
      expect(snapshot.coverage.clusterrolebindings).toEqual({ status: 'error', detail: 'list clusterrolebindings.rbac.authorization.k8s.io not finished after 0 pages (0 objects): the collection\'s deadline of 2 s (collect.deadlineSeconds) passed' });
      expect(snapshot.resources.clusterrolebindings).toEqual([]);
      // The server saw the client close the request it never answered.
      expect(await silent.abandoned).toBe('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings');
      expect(snapshot.coverage.namespaces).toEqual({ status: 'ok', count: 1 });
      expect(snapshot.coverage.configmaps).toEqual({ status: 'error', detail: 'get configmaps: not read, the collection\'s deadline of 2 s (collect.deadlineSeconds) passed' });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('sends no retry after the deadline: a list waiting out its backoff then is error naming collect.deadlineSeconds', async () => {
    let asked = 0;
    const server = apiServer((_url, res) => {
      asked++;
      res.writeHead(503, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: 503, message: 'the server is currently unable to handle the request' }));
    });
    try {
      // The first backoff (5 s, retry.ts's longest) outlasts the deadline; the budget leaves room for that one retry.
      const snapshot = await collectLive({ kubeconfigPath: await kubeconfigFor(server), retries: 8, retryBaseDelayMs: 5_000, retryBudgetMs: 6_000, ...bounded });
      expect(snapshot.coverage.clusterrolebindings).toEqual({ status: 'error', detail: 'list clusterrolebindings.rbac.authorization.k8s.io not finished after 0 pages (0 objects): the collection\'s deadline of 2 s (collect.deadlineSeconds) passed' });
      expect(asked).toBe(1);
    } finally {
      server.close();
    }
  });

  it('ends a by-name ConfigMap read in flight: configmaps is error naming collect.deadlineSeconds', async () => {
    const silent = silentFor((url) => url.pathname === '/api/v1/namespaces/istio-system/configmaps/istio');
    const base = apiServer((_url, res) => page(res, [], ''));
    const server = http.createServer((req, res) => {
      if (!silent.answer(new URL(req.url ?? '/', 'http://localhost'), res)) base.emit('request', req, res);
    });
    try {
      const snapshot = await collectLive({ kubeconfigPath: await kubeconfigFor(server), retries: 0, ...bounded });
      expect(snapshot.coverage.configmaps).toEqual({ status: 'error', detail: 'get configmap istio-system/istio failed: the collection\'s deadline of 2 s (collect.deadlineSeconds) passed' });
      expect(await silent.abandoned).toBe('/api/v1/namespaces/istio-system/configmaps/istio');
      expect(snapshot.coverage.clusterrolebindings).toEqual({ status: 'ok', count: 0 });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

// A group version switched off (--runtime-config, https://kubernetes.io/docs/tasks/administer-cluster/enable-disable-api/)
// is not in the API server's discovery; a list of a resource discovery does list that answers 404
// came from something else (a proxy in between) and must not read as "nothing of it exists".
describe('collectLive: a built-in kind whose list answers 404', () => {
  const notFound = (_url: URL, res: http.ServerResponse) => {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' }));
  };

  it('is error when discovery lists it', async () => {
    const server = apiServer(notFound, [{ name: 'rbac.authorization.k8s.io', version: 'v1', resources: ['clusterrolebindings', 'clusterroles', 'roles', 'rolebindings'] }]);
    try {
      const snapshot = await collectLive({ kubeconfigPath: await kubeconfigFor(server), env: {}, retries: 0 });
      expect(snapshot.coverage.clusterrolebindings?.status).toBe('error');
      expect(snapshot.coverage.clusterrolebindings?.detail).toMatch(/^list clusterrolebindings\.rbac\.authorization\.k8s\.io failed: .*404.*, yet the API server's discovery lists it$/);
    } finally {
      server.close();
    }
  });

  it('is absent, saying it is not served, when discovery does not list its group version', async () => {
    const server = apiServer(notFound);
    try {
      const snapshot = await collectLive({ kubeconfigPath: await kubeconfigFor(server), env: {}, retries: 0 });
      expect(snapshot.coverage.clusterrolebindings).toEqual({ status: 'absent', detail: 'clusterrolebindings.rbac.authorization.k8s.io/v1 is not served by this API server (its discovery does not list it)' });
    } finally {
      server.close();
    }
  });
});

// A context named "cafe\u0301" (e + U+0301, NFD) and one named "caf\u00e9" are canonically equal
// text that shows alike (UAX #15, https://www.unicode.org/reports/tr15/): one cluster, named in
// NFC as --cluster and cluster.name are, so its runs are one history whichever spelling the kubeconfig has.
describe('collectLive: the cluster named by the kubeconfig context', () => {
  it('a context named in the decomposed spelling (NFD) names the cluster in NFC', async () => {
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (url.pathname === '/version') return res.end(JSON.stringify({ gitVersion: 'v1.31.0' }));
      if (url.pathname === '/apis') return res.end(JSON.stringify({ kind: 'APIGroupList', groups: [] }));
      if (url.pathname === '/api/v1') return res.end(JSON.stringify({ kind: 'APIResourceList', resources: [] }));
      return res.end(JSON.stringify({ kind: 'List', metadata: { resourceVersion: '5' }, items: [] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zt-kube-')), 'config');
      const port = (server.address() as { port: number }).port;
      fs.writeFileSync(file, `apiVersion: v1\nkind: Config\nclusters: [{name: local, cluster: {server: "http://127.0.0.1:${port}"}}]\nusers: [{name: u, user: {token: t0ken}}]\ncontexts: [{name: "cafe\\u0301", context: {cluster: local, user: u}}]\ncurrent-context: "cafe\\u0301"\n`);
      const snapshot = await collectLive({ kubeconfigPath: file, env: {}, retries: 0 });
      expect(snapshot.cluster.name).toBe('caf\u00e9');
    } finally {
      server.close();
    }
  });
});
