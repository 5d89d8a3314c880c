// One API group's discovery failing (a metrics-server whose aggregated API answers 503) leaves
// what the other groups said: client-go's discovery does the same, returning "partial results
// even in the case of non-nil error" with the failed groups named (ErrGroupDiscoveryFailed,
// https://pkg.go.dev/k8s.io/client-go/discovery#ServerResourcesInterface). RBAC breadth counts
// the groups that answered as served, and two runs whose breadths were counted against different
// resource lists are not compared: a metrics-server down for one night is no regression. A run's
// breadth is compared with the newest stored run's counted against the same list, so the night
// hides no growth either.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { collectLive } from '../../../src/collect/live.ts';
import { ClusterWatch } from '../../../src/collect/watch.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';
import { kubeconfigFor } from '../../helpers/local-api-server.ts';

const READ = ['get', 'list', 'watch'];
const res = (name: string, namespaced: boolean) => ({ name, namespaced, kind: 'X', verbs: READ });

/** Discovery documents of a small cluster, metrics-server's aggregated API included. */
const GROUPS: Record<string, { version: string; resources: ReturnType<typeof res>[] }> = {
  apps: { version: 'v1', resources: [res('deployments', true), res('replicasets', true)] },
  'rbac.authorization.k8s.io': { version: 'v1', resources: [res('roles', true), res('rolebindings', true), res('clusterroles', false), res('clusterrolebindings', false)] },
  'metrics.k8s.io': { version: 'v1beta1', resources: [res('pods', true), res('nodes', false)] },
};
const CORE = [res('namespaces', false), res('pods', true), res('services', true), res('configmaps', true), res('serviceaccounts', true)];

/** Objects served by list path. */
const OBJECTS: Record<string, unknown[]> = {
  '/api/v1/namespaces': ['shop', 'db'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: `ns-${name}`, labels: { 'kubernetes.io/metadata.name': name } } })),
  '/apis/rbac.authorization.k8s.io/v1/clusterroles': [{
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'read-everything', uid: 'cr-1' },
    rules: [{ apiGroups: ['*'], resources: ['*'], verbs: READ }],
  }],
  '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings': [{
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'dev-read-everything', uid: 'crb-1' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'read-everything' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'dev-team' }],
  }],
};

/**
 * A stand-in API server; `down` lists discovery paths answering 503 (as an unavailable APIService
 * does), `forbidden` those answering 403.
 */
function apiServer(down: Set<string>, forbidden = new Set<string>(), objects = OBJECTS): http.Server {
  return http.createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://localhost').pathname;
    asked.set(p, (asked.get(p) ?? 0) + 1);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (forbidden.has(p)) return json(403, { kind: 'Status', status: 'Failure', code: 403, reason: 'Forbidden', message: `forbidden: cannot get path "${p}"` });
    if (down.has(p) || (asked.get(p) ?? 0) <= (flaky.get(p) ?? 0)) return json(503, { kind: 'Status', status: 'Failure', code: 503, reason: 'ServiceUnavailable', message: 'the server is currently unable to handle the request' });
    if (p === '/version') return json(200, { gitVersion: 'v1.33.1' });
    if (p === '/api/v1') return json(200, { kind: 'APIResourceList', groupVersion: 'v1', resources: CORE });
    if (p === '/apis') {
      return json(200, { kind: 'APIGroupList', groups: Object.entries(GROUPS).map(([name, g]) => ({ name, versions: [{ groupVersion: `${name}/${g.version}`, version: g.version }], preferredVersion: { groupVersion: `${name}/${g.version}`, version: g.version } })) });
    }
    const m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p);
    if (m) {
      const g = GROUPS[m[1]];
      return g && g.version === m[2] ? json(200, { kind: 'APIResourceList', groupVersion: `${m[1]}/${m[2]}`, resources: g.resources }) : json(404, { kind: 'Status', code: 404 });
    }
    if (new URL(req.url ?? '/', 'http://localhost').searchParams.has('watch')) {
      // serve --watch: a watch that stays open, with no events.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      return;
    }
    // Lists of kinds the cluster does not serve are asked only when discovery names them.
    return json(200, { kind: 'List', metadata: { resourceVersion: '5' }, items: objects[p] ?? [] });
  });
}

const METRICS = '/apis/metrics.k8s.io/v1beta1';
/** Requests each path received, and paths answering 503 to their first N requests (reset per test). */
const asked = new Map<string, number>();
const flaky = new Map<string, number>();

const ajv = new Ajv2020({ allErrors: true, strict: true });
(addFormatsModule as unknown as (a: Ajv2020) => Ajv2020)(ajv);
const validateReport = ajv.compile(JSON.parse(fs.readFileSync(new URL('../../../schemas/report.schema.json', import.meta.url), 'utf8')));

let dir: string;
const servers: http.Server[] = [];
beforeEach(() => {
  asked.clear();
  flaky.clear();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-partial-discovery-'));
});
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

async function kubeconfig(down: string[] = [], forbidden: string[] = [], objects = OBJECTS): Promise<string> {
  const server = apiServer(new Set(down), new Set(forbidden), objects);
  servers.push(server);
  return kubeconfigFor(server);
}

describe('API discovery of one group failing', () => {
  it('keeps the groups that answered and names the one that did not', async () => {
    const snapshot = await collectLive({ kubeconfigPath: await kubeconfig([METRICS]), env: {}, retries: 0 });
    const groups = new Set((snapshot.apiResources ?? []).map((r) => r.group));
    expect([...groups].sort()).toEqual(['', 'apps', 'rbac.authorization.k8s.io']);
    expect(snapshot.apiResourcesMissing).toEqual(['metrics.k8s.io']);
    expect(snapshot.notes).toContain('served API resources of API group metrics.k8s.io unknown (RBAC breadth uses the built-in resource list for it): discovery of metrics.k8s.io/v1beta1 failed: HTTP 503: the server is currently unable to handle the request');
  });

  it('serve --watch records the same as a run: the groups that answered, and the one that did not (here refused)', async () => {
    // A 403 is not retried (ClusterWatch has no retry budget to shorten, as --retry-budget does for a run).
    const kc = await kubeconfig([], [METRICS]);
    const live = await collectLive({ kubeconfigPath: kc, env: {}, retries: 0 });
    expect(live.apiResourcesMissing).toEqual(['metrics.k8s.io']);
    const watch = new ClusterWatch({ kubeconfigPath: kc, env: {} });
    try {
      await watch.start();
      const snapshot = watch.snapshot();
      expect([...new Set((snapshot.apiResources ?? []).map((r) => r.group))].sort()).toEqual(['', 'apps', 'rbac.authorization.k8s.io']);
      expect(snapshot.apiResourcesMissing).toEqual(['metrics.k8s.io']);
      expect(snapshot.apiResources).toEqual(live.apiResources);
    } finally {
      await watch.stop();
    }
  });

  it('a group no kind is read from, answering 503 on every try, is given up within a few tries, not the whole retry budget', async () => {
    // The reviewer's case: an APIService whose backend is down (metrics-server) answered 503
    // nine times over 28 s of every live run under the default retry policy (8 retries, 30 s).
    const snapshot = await collectLive({ kubeconfigPath: await kubeconfig([METRICS]), env: {} });
    expect(snapshot.apiResourcesMissing).toEqual(['metrics.k8s.io']);
    expect([...new Set((snapshot.apiResources ?? []).map((r) => r.group))].sort()).toEqual(['', 'apps', 'rbac.authorization.k8s.io']);
    expect(asked.get(METRICS)).toBeLessThanOrEqual(3);
  });

  it('a group kinds are read from is retried as any request: three 503s in a row are outlived', async () => {
    // apps (Deployments are read) and metrics.k8s.io (read by no kind) each answer 503 three
    // times: apps's resources are recorded after the fourth try (~3.5 s into its retries), while
    // metrics.k8s.io is named missing after its short deadline.
    flaky.set('/apis/apps/v1', 3);
    flaky.set(METRICS, 3);
    const snapshot = await collectLive({ kubeconfigPath: await kubeconfig(), env: {} });
    expect(snapshot.apiResources?.some((r) => r.group === 'apps' && r.resource === 'deployments')).toBe(true);
    expect(asked.get('/apis/apps/v1')).toBe(4);
    expect(snapshot.apiResourcesMissing).toEqual(['metrics.k8s.io']);
  });

  it('every group answering: no missing groups recorded', async () => {
    const snapshot = await collectLive({ kubeconfigPath: await kubeconfig(), env: {}, retries: 0 });
    expect(snapshot.apiResources?.some((r) => r.group === 'metrics.k8s.io' && r.resource === 'nodes')).toBe(true);
    expect(snapshot.apiResourcesMissing).toBeUndefined();
  });
});

describe('ztaudit run: metrics.k8s.io down for one run is not an RBAC regression', () => {
  async function run(kc: string, out: string, extra: string[] = []) {
    const t = captureIO(dir);
    const code = await main(['run', ...extra, '--kubeconfig', kc, '--cluster', 'shop', '--history', path.join(dir, 'h.db'), '--out', path.join(dir, out), '--format', 'json,md,html', '--no-notify', '--fail-on', 'regression', '--retry-budget', '0'], t.cli);
    const report = JSON.parse(fs.readFileSync(path.join(dir, out, 'report.json'), 'utf8')) as RunReport;
    return { code, out: t.out(), err: t.err(), report, md: fs.readFileSync(path.join(dir, out, 'report.md'), 'utf8'), html: fs.readFileSync(path.join(dir, out, 'report.html'), 'utf8') };
  }
  /** OBJECTS with dev-team reading the core group only (OBJECTS: every group). */
  const narrowRead = () => ({
    ...OBJECTS,
    '/apis/rbac.authorization.k8s.io/v1/clusterroles': [{
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'read-everything', uid: 'cr-1' },
      rules: [{ apiGroups: [''], resources: ['*'], verbs: READ }],
    }],
  });
  const devTeam = (r: RunReport) => r.details.rbac?.breadth.find((e) => e.subject.kind === 'Group' && e.subject.name === 'dev-team')?.breadth;

  // The reviewer's case: RBAC widened while metrics.k8s.io was down for one run. The partial run
  // is not compared with the first; the third, healthy again, is compared with the first (the last
  // counted against the same list) and raises the growth, which the partial run between hid,
  // naming run one: the "before" is its breadth, not the previous run's.
  it('RBAC widened around a run with metrics.k8s.io down: the next healthy run raises the growth since the last healthy one', async () => {
    const one = await run(await kubeconfig([], [], narrowRead()), 'r1');
    expect(one.code, one.err).toBe(0);
    const two = await run(await kubeconfig([METRICS]), 'r2');
    expect(two.report.details.rbac).toMatchObject({ breadthBasis: 'partial', breadthMissingGroups: ['metrics.k8s.io'] });
    expect(two.report.diff?.breadthNotCompared).toContain(`run ${one.report.run.id} counted it against the resources the API server serves, run ${two.report.run.id} against partial API discovery`);
    // Retention keeps two runs, yet keeps run one too: `diff --last` compares with it again.
    const config = path.join(dir, 'keep-two.yaml');
    fs.writeFileSync(config, 'history:\n  retention:\n    maxRuns: 2\n');
    const three = await run(await kubeconfig(), 'r3', ['--config', config]);
    const before = devTeam(one.report)!;
    const after = devTeam(three.report)!;
    expect(after).toBeGreaterThan(before);
    const grew = `Group dev-team can do ${Math.round((1000 * (after - before)) / before) / 10}% more`;
    const line = `${grew} (RBAC breadth ${before} → ${after} since run ${one.report.run.id})`;
    expect(three.report.diff).toMatchObject({ previousRunId: two.report.run.id, breadthBaselineRunId: one.report.run.id, regression: true, regressionReasons: expect.arrayContaining([line]) });
    expect(three.report.diff?.breadthNotCompared).toBeUndefined();
    expect(validateReport(three.report), JSON.stringify(validateReport.errors)).toBe(true);
    expect(three.code).toBe(1);
    expect(three.out).toContain('— REGRESSION');
    expect(three.md).toContain(`**Regression**: ${grew} \\(RBAC breadth ${before} → ${after} since run ${one.report.run.id}\\)`);
    expect(three.html).toContain(`<span class="faint">since run ${one.report.run.id}</span>`); // the RBAC breadth table
    // `ztaudit diff --last` says the same.
    const diffed = captureIO(dir);
    expect(await main(['diff', '--last', '--history', path.join(dir, 'h.db')], diffed.cli), diffed.err()).toBe(0);
    expect(diffed.out()).toContain(`RBAC breadth of Group dev-team: ${before} → ${after} (+`);
    expect(diffed.out()).toContain(`% since run ${one.report.run.id})\n`);
    expect(diffed.out()).toContain(`  - ${line}\n`);
    // `ztaudit history` lists the third run as a regression.
    const listed = captureIO(dir);
    expect(await main(['history', '--history', path.join(dir, 'h.db')], listed.cli)).toBe(0);
    const row = listed.out().split('\n').find((l) => l.startsWith(three.report.run.id));
    expect(row).toContain('REGRESSION');
  });

  // A v1beta1.metrics.k8s.io APIService left behind by an uninstalled metrics-server: every run
  // is partial, the same group missing. Both count against the same list, so breadth compares.
  it('metrics.k8s.io down on every run: breadth still compared, growth still raised', async () => {
    const one = await run(await kubeconfig([METRICS], [], narrowRead()), 'r1');
    expect(one.code, one.err).toBe(0);
    const two = await run(await kubeconfig([METRICS]), 'r2');
    expect(two.report.details.rbac).toMatchObject({ breadthBasis: 'partial', breadthMissingGroups: ['metrics.k8s.io'] });
    expect(two.report.diff?.breadthNotCompared).toBeUndefined();
    expect(two.report.diff?.breadthGrowth.map((g) => g.subject.name)).toEqual(['dev-team']);
    expect(two.report.diff?.regression).toBe(true);
    expect(two.code).toBe(1);
  });

  it('healthy, then metrics.k8s.io 503, then healthy again: exit 0 each time, breadth not compared across the broken run, and said so', async () => {
    const healthy = await kubeconfig();
    const one = await run(healthy, 'r1');
    expect(one.code, one.err).toBe(0);

    const two = await run(await kubeconfig([METRICS]), 'r2');
    // The reviewer's report: "Group dev-team can do 379.5% more (RBAC breadth 117 → 561)", exit 1.
    expect(two.report.diff?.regressionReasons).toEqual([]);
    expect(two.code, two.err).toBe(0);
    expect(one.report.details.rbac).toMatchObject({ breadthBasis: 'served' });
    expect(one.report.details.rbac?.breadthMissingGroups).toBeUndefined();
    expect(two.report.details.rbac).toMatchObject({ breadthBasis: 'partial', breadthMissingGroups: ['metrics.k8s.io'] });
    // The groups that answered still count as served: dev-team's get/list/watch lose only
    // metrics.k8s.io's pods (2 namespaces) and nodes, which the built-in list does not hold.
    expect(devTeam(two.report)).toBe(devTeam(one.report)! - 3 * 2 - 3);
    const line = `RBAC breadth not compared: run ${one.report.run.id} counted it against the resources the API server serves, run ${two.report.run.id} against partial API discovery (metrics.k8s.io: discovery failed, built-in list used for it)`;
    expect(two.report.diff).toMatchObject({ regression: false, regressionReasons: [], breadthGrowth: [], breadthNotCompared: line });
    expect(two.out).toContain(`\n${line}\n`);
    expect(validateReport(two.report), JSON.stringify(validateReport.errors)).toBe(true);
    expect(two.md).toContain(`RBAC breadth not compared: run ${one.report.run.id} counted it against the resources the API server serves`);

    // The third run's breadth is compared with the first's, the last counted against the same list.
    const three = await run(healthy, 'r3');
    expect(three.report.diff?.regressionReasons).toEqual([]);
    expect(three.code, three.err).toBe(0);
    expect(three.report.details.rbac).toMatchObject({ breadthBasis: 'served' });
    expect(devTeam(three.report)).toBe(devTeam(one.report));
    expect(three.report.diff).toMatchObject({ regression: false, regressionReasons: [], breadthGrowth: [] });
    expect(three.report.diff?.breadthNotCompared).toBeUndefined();
    expect(three.report.diff?.breadthBaselineRunId).toBe(one.report.run.id);
    expect(three.out).not.toContain('RBAC breadth not compared');

    // A fourth healthy run compares with the third as always: no note.
    const four = await run(healthy, 'r4');
    expect(four.code, four.err).toBe(0);
    expect(four.report.diff?.breadthNotCompared).toBeUndefined();
    expect(four.report.diff?.breadthBaselineRunId).toBeUndefined();
    expect(four.out).not.toContain('RBAC breadth not compared');
  });
});
