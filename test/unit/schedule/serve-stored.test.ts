// What `ztaudit serve` shows is the last run it STORED: a run the history store refused
// (HTTP 403 creating the k8s:// store's ConfigMap) or a watch run that was not kept ("not
// stored (nothing changed)") is neither the latest run (/, /report.json, /runs/ID, /healthz
// lastRun, /metrics) nor a success (lastSuccess, ztaudit_last_success_timestamp_seconds: "the
// latest successful run", docs/deploy.md#metrics). A watch run that sees again what the last
// stored run could not (a kind readable again) is stored; and while a kind cannot be read,
// ztaudit_findings keeps counting the findings of the checks that need it, as the last run
// that evaluated them had them (not-evaluated is never "resolved").
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { captureIO } from '../../helpers/cli.ts';
import { startServe } from '../../../src/cli/serve.ts';
import { openRunStore } from '../../../src/history/store.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { REPO } from '../../helm/helm.ts';
import { startCoreApiServer } from '../history/core-api-server.ts';
import { parseExposition } from './exposition.ts';
import { FakeWatch } from './fake-watch.ts';
import { CHECKS } from '../../../checks/index.ts';
import type { Logger } from '../../../src/base/log.ts';
import { ServeWatch } from '../../../src/cli/serve-watch.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import { diffStep } from '../pipeline/diff-step.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the daemon
const json = async (r: Response | Promise<Response>): Promise<Obj> => (await (await r).json()) as Obj;

const work = mkdtempSync(join(tmpdir(), 'ztaudit-serve-stored-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function io(env: Record<string, string> = {}): CliIO & { lines: () => Obj[] } {
  const err: string[] = [];
  return {
    stdout: () => {}, stderr: (t) => { err.push(t); }, env, isTTY: false, cwd: work,
    lines: () => err.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Obj),
  };
}

type Daemon = Awaited<ReturnType<typeof startServe>>;
const quiet = { info() {}, warn() {}, error() {}, debug() {}, progress() {} } as unknown as Logger;

/** What the daemon serves about its latest run, each endpoint read once. */
async function shown(d: Daemon) {
  const health = await json(fetch(`${d.url}/healthz`));
  const report = await fetch(`${d.url}/report.json`);
  const metrics = parseExposition(await (await fetch(`${d.url}/metrics`)).text());
  const sample = (name: string, labels: Record<string, string> = {}) => metrics.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  return {
    lastRun: health.lastRun?.id as string | undefined,
    lastSuccess: health.lastSuccess as string | null,
    reportJson: report.status === 200 ? ((await report.json()) as Obj) : null,
    home: await (await fetch(`${d.url}/`)).text(),
    lastSuccessMetric: sample('ztaudit_last_success_timestamp_seconds'),
    runs: (result: string) => sample('ztaudit_runs_total', { result }),
    findings: (area: string) => (metrics.get('ztaudit_findings')?.samples ?? []).filter((s) => s.labels.area === area).reduce((n, s) => n + s.value, 0),
    notEvaluated: (area: string) => sample('ztaudit_checks_not_evaluated', { area }),
  };
}

describe('serve with a k8s:// history store that refuses a run (HTTP 403 creating its ConfigMap)', () => {
  it('the refused run is no success and not the latest run: /healthz, /metrics, / and /report.json keep the last stored run', async () => {
    const api = await startCoreApiServer();
    const out = io({ KUBECONFIG: api.kubeconfig });
    const d = await startServe(['--manifests', join(REPO, 'examples', 'demo-cluster'), '--config', join(REPO, 'examples', 'ztaudit.demo.yaml'), '--no-notify',
      '--history', 'k8s://ztaudit/zth', '--out', join(work, 'refused'), '--schedule', '0 2 * * *', '--port', '0', '--host', '127.0.0.1'], out);
    try {
      await d.idle();
      const before = await shown(d);
      const stored = before.lastRun!;
      expect(before.reportJson?.run.id).toBe(stored);
      expect(before.lastSuccess).not.toBeNull();
      // The Role loses create on configmaps (a chart upgrade, a namespace's RBAC changed).
      api.refuse = (verb, namespace) => (verb === 'POST'
        ? { code: 403, reason: 'Forbidden', message: `configmaps is forbidden: User "system:serviceaccount:ztaudit:hist" cannot create resource "configmaps" in API group "" in the namespace "${namespace}"` }
        : null);
      await new Promise((r) => setTimeout(r, 1100)); // a success would move lastSuccess (whole seconds in /metrics)
      expect(await d.tick('manual')).toBe('failed');
      const after = await shown(d);
      const refused = out.lines().find((l) => /^audit could not be stored: .*HTTP 403: configmaps is forbidden/.test(String(l.msg)))!;
      expect(refused).toBeDefined();
      const refusedId = /cannot store run (\S+):/.exec(String(refused.msg))![1]!;
      expect(refusedId).not.toBe(stored);
      // Never said to be stored, never shown, never a success.
      expect(out.lines().filter((l) => l.event === 'run-stored').map((l) => l.runId)).toEqual([stored]);
      expect(after.lastRun).toBe(stored);
      expect(after.reportJson?.run.id).toBe(stored);
      expect(after.home).toContain(stored);
      expect(after.home).not.toContain(refusedId);
      expect(after.lastSuccess).toBe(before.lastSuccess);
      expect(after.lastSuccessMetric).toBe(before.lastSuccessMetric);
      expect(after.runs('error')).toBe(1);
      expect(after.runs('success')).toBe(1);
      expect((await fetch(`${d.url}/runs/${refusedId}`)).status).toBe(404);
    } finally {
      await d.stop();
      await api.close();
    }
  }, 60_000);
});

describe('serve --watch with a k8s:// history store that refuses the write (HTTP 403 creating its ConfigMap)', () => {
  // docs/deploy.md (metrics): ztaudit_runs_total counts "by result"; a watch run the store
  // refused is an error, as a scheduled one is (above), never a success.
  it('the refused watch run counts as an error in ztaudit_runs_total, not a success, and is not the latest run', async () => {
    const api = await startCoreApiServer();
    const fake = new FakeWatch(cluster());
    const out = io({ KUBECONFIG: api.kubeconfig });
    const d = await startServe(['--no-notify', '--history', 'k8s://ztaudit/zwr', '--out', join(work, 'watch-refused'), '--schedule', '0 2 * * *', '--port', '0', '--host', '127.0.0.1', '--watch', '--cluster', 'prod'], out, { watcher: () => fake });
    try {
      await d.idle();
      const before = await shown(d);
      expect([before.runs('success'), before.runs('error')]).toEqual([1, 0]);
      api.refuse = (verb, namespace) => (verb === 'POST'
        ? { code: 403, reason: 'Forbidden', message: `configmaps is forbidden: User "system:serviceaccount:ztaudit:hist" cannot create resource "configmaps" in API group "" in the namespace "${namespace}"` }
        : null);
      // Coverage lost: a regression, so the watch run is one to store.
      fake.fail('clusterrolebindings', { status: 'forbidden', detail: 'watch clusterrolebindings.rbac.authorization.k8s.io at cluster scope' });
      expect(await d.tick('watch')).toBe('failed');
      expect(out.lines().some((l) => l.event === 'watch-run' && l.regression === true)).toBe(true);
      expect(out.lines().some((l) => /^audit could not be stored: .*HTTP 403: configmaps is forbidden/.test(String(l.msg)))).toBe(true);
      const after = await shown(d);
      expect([after.runs('success'), after.runs('error')]).toEqual([1, 1]);
      expect(after.lastRun).toBe(before.lastRun);
      expect(after.lastSuccess).toBe(before.lastSuccess);
    } finally {
      await d.stop();
      await api.close();
    }
  }, 60_000);
});

describe('serve with a k8s:// history store whose index holds a damaged entry (a null typed in by kubectl edit)', () => {
  it('every scheduled run still succeeds and is stored; the log names the entry once; the entry stays in the index', async () => {
    const api = await startCoreApiServer();
    const out = io({ KUBECONFIG: api.kubeconfig });
    const d = await startServe(['--manifests', join(REPO, 'examples', 'demo-cluster'), '--config', join(REPO, 'examples', 'ztaudit.demo.yaml'), '--no-notify',
      '--history', 'k8s://ztaudit/ztd', '--out', join(work, 'damaged'), '--schedule', '0 2 * * *', '--port', '0', '--host', '127.0.0.1'], out);
    const runsOf = () => (JSON.parse(api.fake.objects.get('ztaudit/ztd')!.data!['index.json']!) as { runs: Array<{ id: string } | null> }).runs.map((r) => r && r.id);
    try {
      await d.idle();
      const first = (await shown(d)).lastRun!;
      const cm = api.fake.objects.get('ztaudit/ztd')!;
      const index = JSON.parse(cm.data!['index.json']!) as { runs: unknown[] };
      index.runs.unshift(null);
      cm.data!['index.json'] = JSON.stringify(index);
      expect(await d.tick('manual')).toBe('ran');
      expect(await d.tick('manual')).toBe('ran');
      const after = await shown(d);
      expect(after.runs('success')).toBe(3);
      expect(runsOf()).toEqual([null, first, expect.any(String), after.lastRun]);
      const named = out.lines().filter((l) => l.level === 'warn' && String(l.msg).includes('runs[0]')).map((l) => l.msg);
      expect(named).toEqual(['k8s://ztaudit/ztd: entry runs[0] of the history index (ConfigMap ztaudit/ztd, key index.json) is not a stored run: not a JSON object; it is kept there as it is; passed over']);
    } finally {
      await d.stop();
      await api.close();
    }
  }, 60_000);
});

const pod = (name: string, ns: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'registry.example/app:1' }] } });

function cluster(): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    pod('web', 'shop'), pod('db', 'shop'),
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ops', namespace: 'shop' } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'ops-admin' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'ops', namespace: 'shop' }],
    },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cluster-admin' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
  ];
}

describe('serve --watch (a stand-in watch, a real SQLite history)', () => {
  const start = async (name: string) => {
    const fake = new FakeWatch(cluster());
    const history = join(work, `${name}.db`);
    // serve checks at start that the kubeconfig names a cluster, as for a real watch; the stand-in watch never contacts it.
    const kubeconfig = join(work, `${name}.kubeconfig`);
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\ncontexts: [{name: c, context: {cluster: c}}]\ncurrent-context: c\n');
    const out = io({ KUBECONFIG: kubeconfig });
    const d = await startServe(['--no-notify', '--history', history, '--out', join(work, name), '--schedule', '0 2 * * *', '--port', '0', '--host', '127.0.0.1', '--watch', '--cluster', 'prod'], out, { watcher: () => fake });
    await d.idle();
    const storedIds = async () => {
      const store = await openRunStore(history, { readOnly: true });
      try {
        return (await store.list(100)).map((r) => r.id);
      } finally {
        await store.close();
      }
    };
    return { fake, d, out, storedIds };
  };

  it('a watch run that changed nothing is not the latest run: /healthz, /report.json, / and /runs/ID show only stored runs', async () => {
    const { fake, d, out, storedIds } = await start('unchanged');
    try {
      const before = await shown(d);
      const stored = before.lastRun!;
      expect(await storedIds()).toEqual([stored]);
      await new Promise((r) => setTimeout(r, 1100)); // a success would move lastSuccess (whole seconds in /metrics)
      fake.touch('Pod', 'web');
      expect(await d.tick('watch')).toBe('ran');
      const watchRun = out.lines().filter((l) => l.event === 'run-finished').at(-1)!.runId as string;
      expect(watchRun).not.toBe(stored);
      expect(out.lines().some((l) => l.event === 'watch-run' && String(l.msg).endsWith('not stored (nothing changed)'))).toBe(true);
      expect(await storedIds()).toEqual([stored]);
      const after = await shown(d);
      expect(after.lastRun).toBe(stored);
      expect(after.reportJson?.run.id).toBe(stored);
      expect(after.home).toContain(stored);
      expect(after.lastSuccess).toBe(before.lastSuccess);
      expect(after.lastSuccessMetric).toBe(before.lastSuccessMetric);
      // No page claims to be a run that `ztaudit report` cannot find.
      expect((await fetch(`${d.url}/runs/${watchRun}`)).status).toBe(404);
      const page = await fetch(`${d.url}/runs/${stored}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(stored);
    } finally {
      await d.stop();
    }
  }, 60_000);

  it('a kind forbidden, then readable again with no finding changed: ztaudit_findings holds its checks\' findings meanwhile, and the run that sees it again is stored', async () => {
    const { fake, d, out, storedIds } = await start('regained');
    try {
      const first = await shown(d);
      const rbacFindings = first.findings('rbac');
      expect(rbacFindings).toBeGreaterThan(0); // the ServiceAccount bound to cluster-admin, and more
      expect(first.notEvaluated('rbac')).toBe(0);
      // The ClusterRoleBinding watch is refused: coverage lost, a regression, stored.
      fake.fail('clusterrolebindings', { status: 'forbidden', detail: 'watch clusterrolebindings.rbac.authorization.k8s.io at cluster scope' });
      expect(await d.tick('watch')).toBe('ran');
      const blind = await shown(d);
      expect(await storedIds()).toHaveLength(2);
      expect(blind.reportJson?.checks.find((c: Obj) => c.id === 'rbac.cluster-admin-binding').status).toBe('not-evaluated');
      expect(blind.notEvaluated('rbac')).toBeGreaterThan(0);
      // Not evaluated is not resolved: the findings the last evaluation had are still counted.
      expect(blind.findings('rbac')).toBe(rbacFindings);
      // Readable again, nothing else changed: stored, so the history and / stop saying "not evaluated".
      fake.fail('clusterrolebindings', undefined);
      expect(await d.tick('watch')).toBe('ran');
      const back = await shown(d);
      const ids = await storedIds();
      expect(ids).toHaveLength(3);
      // Kept for what it sees again, said in the log: the checks, and the kind's coverage.
      const said = String(out.lines().filter((l) => l.event === 'watch-run').at(-1)!.msg);
      expect(said).toMatch(/^watch run: 0 change\(s\), \d+ check\(s\) re-evaluated, 0 new, 0 resolved, \d+ check\(s\) evaluated again, coverage clusterrolebindings forbidden → ok$/);
      expect(back.lastRun).toBe(ids[0]);
      expect(back.reportJson?.run.id).toBe(ids[0]);
      expect(back.reportJson?.diff.new).toEqual([]);
      expect(back.reportJson?.checks.find((c: Obj) => c.id === 'rbac.cluster-admin-binding').status).toBe('fail');
      expect(back.notEvaluated('rbac')).toBe(0);
      expect(back.findings('rbac')).toBe(rbacFindings);
      expect(back.home).toContain(ids[0]);
    } finally {
      await d.stop();
    }
  }, 60_000);

  it('a kind\'s coverage changes while it stays unreadable (forbidden, then an error): the run is stored with the new reason', async () => {
    const { fake, d, storedIds } = await start('coverage');
    try {
      fake.fail('clusterrolebindings', { status: 'forbidden', detail: 'watch clusterrolebindings.rbac.authorization.k8s.io at cluster scope' });
      expect(await d.tick('watch')).toBe('ran');
      expect(await storedIds()).toHaveLength(2);
      // Still blind, so no check changes and nothing is a regression; only why it is blind changed.
      fake.fail('clusterrolebindings', { status: 'error', detail: 'watch clusterrolebindings.rbac.authorization.k8s.io failed: connection refused' });
      expect(await d.tick('watch')).toBe('ran');
      const ids = await storedIds();
      expect(ids).toHaveLength(3);
      const shownNow = await shown(d);
      expect(shownNow.lastRun).toBe(ids[0]);
      expect(shownNow.reportJson?.diff.regression).toBe(false);
      expect(shownNow.reportJson?.run.coverage.clusterrolebindings.status).toBe('error');
    } finally {
      await d.stop();
    }
  }, 60_000);

  // docs/deploy.md (history backends): one PostgreSQL database is "shared by every cluster of
  // a fleet", so runs of other clusters land in the store between this daemon's runs.
  it('on a store another cluster writes to too, a watch run whose only change is a kind\'s coverage is stored, diffed against this cluster\'s last run', async () => {
    const { fake, d, out, storedIds } = await start('fleet');
    const clusterOf = async () => {
      const store = await openRunStore(join(work, 'fleet.db'), { readOnly: true });
      try {
        return (await store.list(100)).map((r) => r.cluster);
      } finally {
        await store.close();
      }
    };
    try {
      fake.fail('clusterrolebindings', { status: 'forbidden', detail: 'watch clusterrolebindings.rbac.authorization.k8s.io at cluster scope' });
      expect(await d.tick('watch')).toBe('ran');
      const blind = (await storedIds())[0]!;
      // Cluster staging's scheduled run is stored in the same database.
      const config = { ...defaultConfig(), cluster: { ...defaultConfig().cluster, name: 'staging' } };
      const sw = new ServeWatch({ config, checks: CHECKS, log: quiet, configMapRefs: () => [], clusterName: 'staging', watcher: () => new FakeWatch(cluster()) });
      const store = await openRunStore(join(work, 'fleet.db'));
      try {
        await runPipeline(config, CHECKS, sw.edges({
          collect: () => sw.collectFull(), store, log: quiet, now: () => new Date(), render: async () => [], notifiers: [],
          diff: diffStep(config.regression),
        }, 'scheduled'));
      } finally {
        await store.close();
      }
      expect(await clusterOf()).toEqual(['staging', 'prod', 'prod']);
      // Still blind to ClusterRoleBindings; only why changed.
      fake.fail('clusterrolebindings', { status: 'error', detail: 'watch clusterrolebindings.rbac.authorization.k8s.io failed: connection refused' });
      expect(await d.tick('watch')).toBe('ran');
      expect(String(out.lines().filter((l) => l.event === 'watch-run').at(-1)!.msg)).toMatch(/^watch run: 0 change\(s\), \d+ check\(s\) re-evaluated, 0 new, 0 resolved, coverage clusterrolebindings forbidden → error$/);
      expect(await clusterOf()).toEqual(['prod', 'staging', 'prod', 'prod']);
      const ids = await storedIds();
      const shownNow = await shown(d);
      expect(shownNow.lastRun).toBe(ids[0]);
      expect(shownNow.reportJson?.diff.previousRunId).toBe(blind);
      expect(shownNow.reportJson?.run.coverage.clusterrolebindings.status).toBe('error');
    } finally {
      await d.stop();
    }
  }, 60_000);

  it('a run stored meanwhile by another process could not read a kind this daemon reads: its next watch run, evaluating those checks, is stored', async () => {
    const { fake, d, storedIds } = await start('elsewhere');
    try {
      // Another process on the same history (a CronJob `ztaudit run`, another replica) is refused ClusterRoleBindings.
      const other = new FakeWatch(cluster());
      other.fail('clusterrolebindings', { status: 'forbidden', detail: 'list clusterrolebindings.rbac.authorization.k8s.io at cluster scope' });
      const sw = new ServeWatch({ config: defaultConfig(), checks: CHECKS, log: quiet, configMapRefs: () => [], watcher: () => other });
      const store = await openRunStore(join(work, 'elsewhere.db'));
      try {
        const elsewhere = (await runPipeline(defaultConfig(), CHECKS, sw.edges({
          collect: () => sw.collectFull(), store, log: quiet, now: () => new Date(), render: async () => [], notifiers: [],
          diff: diffStep(defaultConfig().regression),
        }, 'scheduled'))).report;
        expect(elsewhere.checks.find((c) => c.id === 'rbac.cluster-admin-binding')?.status).toBe('not-evaluated');
      } finally {
        await store.close();
      }
      expect(await storedIds()).toHaveLength(2);
      // This daemon reads them all along; a pod is touched, no finding moves.
      fake.touch('Pod', 'web');
      expect(await d.tick('watch')).toBe('ran');
      const ids = await storedIds();
      expect(ids).toHaveLength(3);
      const shownNow = await shown(d);
      expect(shownNow.lastRun).toBe(ids[0]);
      expect(shownNow.reportJson?.diff.new).toEqual([]);
      expect(Object.keys(shownNow.reportJson?.diff.olderBaselines ?? {})).toContain('rbac.cluster-admin-binding');
      expect(shownNow.reportJson?.checks.find((c: Obj) => c.id === 'rbac.cluster-admin-binding').status).toBe('fail');
    } finally {
      await d.stop();
    }
  }, 60_000);
});


// docs/deploy.md (Metrics): ztaudit_findings counts a check the run could not evaluate with its
// findings of the last run that evaluated it, as /report.json states them (run.lastEvaluatedOpen)
// and / counts them ("+2 in 1 check not evaluated, as of run X"). That last run may be another
// process's (a CronJob `ztaudit run` on the same history): /metrics must then say what it found,
// not what this daemon last saw, or the alert `sum(ztaudit_findings{severity="critical"}) > 0`
// stays silent on a backdoor that run found, and keeps firing on one that run saw fixed.
describe('serve over a history another process stores runs in too', () => {
  const BASE = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {pod-security.kubernetes.io/enforce: restricted}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: shop}
`;
  const BACKDOOR = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: backdoor}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: ServiceAccount, name: app, namespace: shop}
`;
  // A ClusterRoleBinding that cannot be parsed: clusterrolebindings "error", the RBAC checks not evaluated.
  const BAD = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: broken\n  x: [\n';
  const manifests = (name: string, files: Record<string, string>) => {
    const dir = join(work, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    return dir;
  };
  const carriedCritical = (r: Obj | null) => ((r?.run.lastEvaluatedOpen ?? []) as Obj[]).reduce((n, e) => n + (e.open.critical as number), 0);
  const critical = async (d: Daemon) => {
    const metrics = parseExposition(await (await fetch(`${d.url}/metrics`)).text());
    return metrics.get('ztaudit_findings')!.samples.filter((s) => s.labels.severity === 'critical').reduce((n, s) => n + s.value, 0);
  };
  /** serve on `m` (its start-up run done), and `ztaudit run` on `other` storing into the same history as another process does. */
  const start = async (name: string, files: Record<string, string>, flags: string[] = []) => {
    const history = join(work, `${name}.db`);
    const m = manifests(`${name}-m`, files);
    const d = await startServe(['--manifests', m, '--no-notify', '--history', history, '--out', join(work, `${name}-out`), '--schedule', '0 2 * * *', '--port', '0', '--host', '127.0.0.1', '--cluster', 'prod', ...flags], io());
    await d.idle();
    const otherRun = async (otherFiles: Record<string, string>) => {
      await main(['run', '--manifests', manifests(`${name}-m2`, otherFiles), '--history', history, '--cluster', 'prod', '--out', join(work, `${name}-out2`), '--format', 'json', ...flags], captureIO(work).cli);
      const store = await openRunStore(history, { readOnly: true });
      try {
        return (await store.list(1))[0]!.id;
      } finally {
        await store.close();
      }
    };
    return { d, m, otherRun };
  };

  it('a backdoor another process\'s run found, then the ClusterRoleBindings unreadable here: /metrics counts its critical findings as /report.json and / do', async () => {
    const { d, m, otherRun } = await start('carried-other', { 'base.yaml': BASE });
    try {
      expect(await critical(d)).toBe(0);
      const found = await otherRun({ 'base.yaml': BASE, 'backdoor.yaml': BACKDOOR });
      writeFileSync(join(m, 'backdoor.yaml'), BACKDOOR);
      writeFileSync(join(m, 'bad.yaml'), BAD);
      expect(await d.tick('manual')).toBe('ran');
      const now = await shown(d);
      expect(now.reportJson?.run.partial?.length).toBeGreaterThan(0);
      expect(now.reportJson?.checks.find((c: Obj) => c.id === 'rbac.cluster-admin-binding').status).toBe('not-evaluated');
      expect(now.reportJson?.run.lastEvaluatedOpen.find((e: Obj) => e.check === 'rbac.cluster-admin-binding')).toMatchObject({ runId: found, open: { critical: 1 } });
      expect(carriedCritical(now.reportJson)).toBeGreaterThan(0);
      expect(now.home).toContain(`not evaluated, as of run ${found}`);
      expect(await critical(d)).toBe(carriedCritical(now.reportJson));
    } finally {
      await d.stop();
    }
  }, 60_000);

  it('a backdoor this daemon saw, fixed in another process\'s run, then the ClusterRoleBindings unreadable here: /metrics no longer counts it, as /report.json says that run found none', async () => {
    const { d, m, otherRun } = await start('fixed-other', { 'base.yaml': BASE, 'backdoor.yaml': BACKDOOR });
    try {
      expect(await critical(d)).toBeGreaterThan(0);
      const fixed = await otherRun({ 'base.yaml': BASE });
      rmSync(join(m, 'backdoor.yaml'));
      writeFileSync(join(m, 'bad.yaml'), BAD);
      expect(await d.tick('manual')).toBe('ran');
      const now = await shown(d);
      expect(now.reportJson?.checks.find((c: Obj) => c.id === 'rbac.cluster-admin-binding').status).toBe('not-evaluated');
      expect(await critical(d)).toBe(0);
      // The run states that run evaluated the check and found nothing open, zeros and all.
      expect(now.reportJson?.run.lastEvaluatedOpen.find((e: Obj) => e.check === 'rbac.cluster-admin-binding')).toEqual({ check: 'rbac.cluster-admin-binding', runId: fixed, open: { critical: 0, high: 0, medium: 0, low: 0 } });
      expect(carriedCritical(now.reportJson)).toBe(0);
    } finally {
      await d.stop();
    }
  }, 60_000);

  // docs/deploy.md#metrics: ztaudit_findings_waived is "waived findings in the latest stored
  // run, carried the same way" as ztaudit_findings: the waived backdoor another process's run
  // found counts there as /report.json states it (lastEvaluatedOpen `waived`), not as 0.
  it('a waived backdoor another process\'s run found, then the ClusterRoleBindings unreadable here: ztaudit_findings_waived counts it as /report.json does', async () => {
    const config = join(work, 'waived-other.yaml');
    writeFileSync(config, `waivers:
  - check: rbac.cluster-admin-binding
    resource: {kind: ClusterRoleBinding, name: backdoor}
    reason: break-glass account, reviewed
    owner: platform@acme.example
    expires: 2999-03-31
`);
    const { d, m, otherRun } = await start('waived-other', { 'base.yaml': BASE }, ['--config', config]);
    const waivedCritical = async () => {
      const metrics = parseExposition(await (await fetch(`${d.url}/metrics`)).text());
      return metrics.get('ztaudit_findings_waived')!.samples.find((s) => s.labels.area === 'rbac' && s.labels.severity === 'critical')!.value;
    };
    try {
      expect(await waivedCritical()).toBe(0);
      const found = await otherRun({ 'base.yaml': BASE, 'backdoor.yaml': BACKDOOR });
      writeFileSync(join(m, 'backdoor.yaml'), BACKDOOR);
      writeFileSync(join(m, 'bad.yaml'), BAD);
      expect(await d.tick('manual')).toBe('ran');
      const now = await shown(d);
      expect(now.reportJson?.checks.find((c: Obj) => c.id === 'rbac.cluster-admin-binding').status).toBe('not-evaluated');
      const entry = now.reportJson?.run.lastEvaluatedOpen.find((e: Obj) => e.check === 'rbac.cluster-admin-binding');
      expect(entry).toEqual({ check: 'rbac.cluster-admin-binding', runId: found, open: { critical: 0, high: 0, medium: 0, low: 0 }, waived: 1, waivedBySeverity: { critical: 1, high: 0, medium: 0, low: 0 } });
      expect(await waivedCritical()).toBe(1);
      // The open ones (what cluster-admin also grants: CSR approval) still count as stated.
      expect(await critical(d)).toBe(carriedCritical(now.reportJson));
    } finally {
      await d.stop();
    }
  }, 60_000);
});
