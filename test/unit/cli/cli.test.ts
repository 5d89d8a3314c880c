import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { catalogMarkdown } from '../../../src/cli/checks.ts';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { startServe } from '../../../src/cli/serve.ts';
import { kubeconfigFor } from '../../helpers/local-api-server.ts';

const REPO = join(import.meta.dirname, '../../..');

function io(cwd = REPO, env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, isTTY: false, cwd };
  return { cli, out: () => out.join(''), err: () => err.join('') };
}

describe('ztaudit CLI', () => {
  it('audits the demo cluster and writes report.json (npm start path)', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'zt-run-'));
    const t = io();
    const code = await main(['run', '--manifests', 'examples/demo-cluster', '--config', 'examples/ztaudit.demo.yaml', '--out', outDir, '--format', 'json', '--history', 'none', '--no-notify'], t.cli);
    expect(t.err()).not.toContain('internal error');
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8'));
    expect(report.schemaVersion).toBe(1);
    expect(report.run.source).toBe('manifests');
    expect(t.out()).toMatch(/overall\s+\d+\.\d/);
  });

  it('points each SARIF result of a --manifests run at the file and line its object was read from', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'zt-sarif-'));
    const code = await main(['run', '--manifests', 'examples/demo-cluster', '--out', outDir, '--format', 'sarif', '--history', 'none', '--no-notify', '-q'], io().cli);
    expect(code).toBe(0);
    const results = (JSON.parse(readFileSync(join(outDir, 'report.sarif'), 'utf8')) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }> }> }> }).runs[0].results;
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      const { artifactLocation, region } = r.locations[0].physicalLocation;
      expect(artifactLocation.uri).toMatch(/^examples\/demo-cluster\/[\w.-]+\.yaml$/);
      expect(region?.startLine).toBeGreaterThan(0);
    }
  });

  it('audits a snapshot file exactly as the source it was taken from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-snap-'));
    const base = ['--config', 'examples/ztaudit.demo.yaml', '--format', 'json', '--history', 'none', '--no-notify', '-q'];
    expect(await main(['snapshot', '--manifests', 'examples/demo-cluster', '-o', join(dir, 'demo.snap.json.gz'), '-q'], io().cli)).toBe(0);
    expect(await main(['run', '--manifests', 'examples/demo-cluster', '--out', join(dir, 'a'), ...base], io().cli)).toBe(0);
    expect(await main(['run', '--snapshot', join(dir, 'demo.snap.json.gz'), '--out', join(dir, 'b'), ...base], io().cli)).toBe(0);
    const a = JSON.parse(readFileSync(join(dir, 'a/report.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(dir, 'b/report.json'), 'utf8'));
    expect(b.run.source).toBe('snapshot');
    expect(b.findings.map((f: { fingerprint: string }) => f.fingerprint)).toEqual(a.findings.map((f: { fingerprint: string }) => f.fingerprint));
    expect(b.score).toEqual(a.score);
  });

  it('exits 1 when something meets --fail-on, saying why, and 0 with --fail-on never', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'zt-run-'));
    const args = ['run', '--manifests', 'examples/demo-cluster', '--config', 'examples/ztaudit.demo.yaml', '--out', outDir, '--format', 'json', '--history', 'none', '--no-notify', '-q'];
    const high = io();
    expect(await main([...args, '--fail-on', 'high'], high.cli)).toBe(1);
    const report = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8')) as { findings: Array<{ severity: string; waived: boolean }> };
    const open = (severity: string) => report.findings.filter((f) => f.severity === severity && !f.waived).length;
    expect(open('critical')).toBeGreaterThan(1);
    expect(high.err()).toBe(`ztaudit: exit 1: ${open('critical')} critical findings and ${open('high')} high findings (--fail-on high)\n`);
    const critical = io();
    expect(await main([...args, '--fail-on', 'critical'], critical.cli)).toBe(1);
    expect(critical.err()).toBe(`ztaudit: exit 1: ${open('critical')} critical findings (--fail-on critical)\n`);
    const never = io();
    expect(await main([...args, '--fail-on', 'never'], never.cli)).toBe(0);
    expect(never.err()).toBe('');
  });

  it('--fail-on regression names the previous run and the first reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-regress-'));
    const partial = join(dir, 'partial');
    cpSync(join(REPO, 'examples/demo-cluster'), partial, { recursive: true });
    rmSync(join(partial, '40-rbac.yaml'));
    const args = ['--cluster', 'demo', '--history', join(dir, 'h.db'), '--out', join(dir, 'out'), '--format', 'json', '--no-notify', '-q', '--fail-on', 'regression'];
    expect(await main(['run', '--manifests', partial, ...args], io(dir).cli)).toBe(0);
    const t = io(dir);
    expect(await main(['run', '--manifests', join(REPO, 'examples/demo-cluster'), ...args], t.cli)).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as { diff: { previousRunId: string; regressionReasons: string[] } };
    const [first, ...more] = report.diff.regressionReasons;
    expect(t.err()).toBe(`ztaudit: exit 1: a regression since run ${report.diff.previousRunId}: ${first}${more.length ? ` (and ${more.length} more)` : ''} (--fail-on regression)\n`);
  });

  it('--fail-on regression keeps a cluster name with a line break on its one line (no forged "passed" line)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-regress-hostile-'));
    const base = join(dir, 'base');
    const next = join(dir, 'next');
    cpSync(join(REPO, 'examples/demo-cluster'), base, { recursive: true });
    cpSync(base, next, { recursive: true });
    const forged = 'ops\nztaudit: audit passed: no regression, exit 0';
    writeFileSync(join(next, '99-binding.yaml'), `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: ops-admin}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: Group, apiGroup: rbac.authorization.k8s.io, name: ${JSON.stringify(forged)}}]\n`);
    const args = ['--cluster', 'demo', '--history', join(dir, 'h.db'), '--out', join(dir, 'out'), '--format', 'json', '--no-notify', '-q', '--fail-on', 'regression'];
    expect(await main(['run', '--manifests', base, ...args], io(dir).cli)).toBe(0);
    const t = io(dir);
    expect(await main(['run', '--manifests', next, ...args], t.cli)).toBe(1);
    const lines = t.err().split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ztaudit: exit 1: a regression since run /);
    expect(lines[0]).toContain('ops\\u000aztaudit: audit passed');
  });

  it('says a waiver whose check could not be evaluated could not be checked, not that it matches nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-waiver-blind-'));
    const snap = join(dir, 'demo.snap.json.gz');
    expect(await main(['snapshot', '--manifests', 'examples/demo-cluster', '-o', snap, '-q'], io().cli)).toBe(0);
    const snapshot = JSON.parse(gunzipSync(readFileSync(snap)).toString('utf8')) as { coverage: Record<string, unknown> };
    snapshot.coverage.clusterrolebindings = { status: 'forbidden' };
    writeFileSync(snap, gzipSync(JSON.stringify(snapshot)));
    writeFileSync(join(dir, 'waivers.yaml'), 'waivers:\n  - check: rbac.cluster-admin-binding\n    resource: {kind: Group, name: oncall}\n    reason: break-glass group\n    owner: sec@acme.example\n    expires: 2099-01-31\n');
    const t = io(dir);
    expect(await main(['run', '--snapshot', snap, '--config', 'waivers.yaml', '--out', 'out', '--format', 'json', '--history', 'none', '--no-notify', '-q'], t.cli)).toBe(0);
    expect(t.err()).toContain('waiver for rbac.cluster-admin-binding on Group oncall (owner sec@acme.example) could not be checked: rbac.cluster-admin-binding was not evaluated (');
    expect(t.err()).not.toContain('matches no finding');
    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as { waivers: Array<{ state: string; notEvaluated?: string }> };
    expect(report.waivers).toEqual([expect.objectContaining({ state: 'not-evaluated', notEvaluated: expect.stringContaining('clusterrolebindings') })]);
  });

  // DESIGN "Coverage": a check whose inputs could not be read is not evaluated and never
  // counts as pass. An auditor whose RBAC lost `list pods` (403) or whose list failed must not
  // let a CI gate pass; an API the cluster does not serve (404 on discovery) is no gap.
  describe('--fail-on with checks that could not be evaluated', () => {
    async function snapshotWith(dir: string, coverage: Record<string, { status: string; detail?: string }>): Promise<string> {
      const snap = join(dir, 'demo.snap.json.gz');
      expect(await main(['snapshot', '--manifests', 'examples/demo-cluster', '-o', snap, '-q'], io().cli)).toBe(0);
      const snapshot = JSON.parse(gunzipSync(readFileSync(snap)).toString('utf8')) as { coverage: Record<string, unknown>; resources: Record<string, unknown> };
      for (const [kind, entry] of Object.entries(coverage)) {
        snapshot.coverage[kind] = entry;
        // As `ztaudit snapshot` writes a kind it could not list: no objects of it.
        delete snapshot.resources[kind];
      }
      writeFileSync(snap, gzipSync(JSON.stringify(snapshot)));
      return snap;
    }
    type Report = { checks: Array<{ status: string; unreadable?: string[] }>; findings: Array<{ severity: string; waived: boolean }> };
    const BLIND = { pods: { status: 'forbidden', detail: 'pods is forbidden: User "system:serviceaccount:ztaudit:ztaudit" cannot list resource "pods"' }, networkpolicies: { status: 'error', detail: 'list networkpolicies failed: 500' } };

    it('--fail-on high exits 1 when pods were forbidden and network policies failed, saying how many checks could not run and why, after the findings', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'zt-gate-'));
      const snap = await snapshotWith(dir, BLIND);
      const t = io(dir);
      expect(await main(['run', '--snapshot', snap, '--out', 'out', '--format', 'json', '--history', 'none', '--no-notify', '-q', '--fail-on', 'high'], t.cli)).toBe(1);
      const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as Report;
      const blind = report.checks.filter((c) => c.status === 'not-evaluated' && c.unreadable?.length).length;
      expect(blind).toBeGreaterThan(10);
      const open = (severity: string) => report.findings.filter((f) => f.severity === severity && !f.waived).length;
      expect(t.err()).toBe(`ztaudit: exit 1: ${open('critical')} critical findings and ${open('high')} high findings; ${blind} checks not evaluated (pods forbidden, networkpolicies error) (--fail-on high: a check that could not run cannot pass the gate)\n`);
    });

    it('--fail-on regression exits 1 on a blind run with no regression; on a run whose only missing input is an API not served, it exits 0', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'zt-gate-'));
      const args = ['--out', 'out', '--format', 'json', '--history', join(dir, 'h.db'), '--cluster', 'demo', '--no-notify', '-q', '--fail-on', 'regression'];
      const absent = await snapshotWith(join(dir), { ingresses: { status: 'absent', detail: 'networking.k8s.io/v1 ingresses is not served by this API server' } });
      let t = io(dir);
      expect(await main(['run', '--snapshot', absent, ...args], t.cli)).toBe(0);
      expect(t.err()).toBe('');
      // The absent API does leave checks not evaluated: they are simply not a gap.
      const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as Report;
      expect(report.checks.filter((c) => c.status === 'not-evaluated').length).toBeGreaterThan(0);
      expect(report.checks.filter((c) => c.unreadable)).toEqual([]);
      // The same blind area run after run is no new regression, and still no pass.
      const blind = await snapshotWith(mkdtempSync(join(tmpdir(), 'zt-gate-')), BLIND);
      expect(await main(['run', '--snapshot', blind, ...args], io(dir).cli)).toBe(1);
      t = io(dir);
      expect(await main(['run', '--snapshot', blind, ...args], t.cli)).toBe(1);
      expect(t.err()).toMatch(/^ztaudit: exit 1: \d+ checks not evaluated \(pods forbidden, networkpolicies error\) \(--fail-on regression: a check that could not run cannot pass the gate\)\n$/);
    });

    it('--accept-forbidden names kinds the auditor is kept from on purpose: their 403 passes the gate, the report still shows the checks not evaluated', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'zt-gate-'));
      const snap = await snapshotWith(dir, { configmaps: { status: 'forbidden', detail: 'get configmaps (denied for ingress-nginx/ingress-nginx-controller)' } });
      const args = ['run', '--snapshot', snap, '--out', 'out', '--format', 'json', '--history', join(dir, 'h.db'), '--cluster', 'demo', '--no-notify', '-q', '--fail-on', 'regression'];
      let t = io(dir);
      expect(await main(args, t.cli)).toBe(1);
      expect(t.err()).toMatch(/^ztaudit: exit 1: \d+ checks not evaluated \(configmaps forbidden\) \(--fail-on regression: a check that could not run cannot pass the gate\)\n$/);
      t = io(dir);
      expect(await main([...args, '--accept-forbidden', 'configmaps'], t.cli)).toBe(0);
      expect(t.err()).toBe('');
      const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as Report;
      expect(report.checks.filter((c) => c.status === 'not-evaluated' && c.unreadable?.includes('configmaps')).length).toBeGreaterThan(5);
      // A misspelt kind accepts nothing: said, before any work.
      t = io(dir);
      expect(await main([...args, '--accept-forbidden', 'confgmaps'], t.cli)).toBe(2);
      expect(t.err()).toBe('ztaudit: --accept-forbidden confgmaps: not a kind ztaudit reads (did you mean configmaps?)\n');
    });

    // The chart grants `get` on ConfigMaps by name (RBAC resourceNames: a name not listed is
    // refused, ../shared/reference/checks.md §3), and the collector keeps the ones it read: an
    // Istio revision's istio-canary refused says nothing of ingress-nginx's own ConfigMap, whose
    // ssl-ciphers "HIGH:!aNULL:!MD5" still selects CBC suites (a medium finding; ingress-nginx
    // user-guide/nginx-configuration/configmap.md#ssl-ciphers).
    it('--fail-on high exits per the findings when only a ConfigMap no check reads was refused; the controller\'s own refused, the gate counts it', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'zt-gate-'));
      writeFileSync(join(dir, 'all.yaml'), `${readFileSync(join(REPO, 'test/fixtures/checks/tls.weak-ciphers/fail.nginx-high.yaml'), 'utf8')}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: ingress-nginx}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  ingressClassName: nginx
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`);
      const snap = join(dir, 's.json.gz');
      expect(await main(['snapshot', '--manifests', dir, '-o', snap, '-q'], io().cli)).toBe(0);
      const taken = JSON.parse(gunzipSync(readFileSync(snap)).toString('utf8')) as { coverage: Record<string, unknown>; resources: { configmaps: Array<{ metadata: { name: string } }> } };
      const args = ['run', '--snapshot', snap, '--out', 'out', '--format', 'json', '--history', 'none', '--no-notify', '-q', '--fail-on', 'high'];
      type Check = { id: string; status: string; reason?: string; unreadable?: string[] };
      const runWith = async (configmaps: Array<{ metadata: { name: string } }>) => {
        writeFileSync(snap, gzipSync(JSON.stringify({ ...taken, coverage: { ...taken.coverage, configmaps: { status: 'forbidden', detail: 'get configmaps (denied for istio-system/istio-canary)' } }, resources: { ...taken.resources, configmaps } })));
        const t = io(dir);
        const code = await main(args, t.cli);
        const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as { checks: Check[]; findings: Array<{ check: string; severity: string }> };
        return { code, err: t.err(), report, check: (id: string) => report.checks.find((c) => c.id === id)! };
      };
      const read = await runWith(taken.resources.configmaps);
      expect(read.err).toBe('');
      expect(read.code).toBe(0);
      expect(read.report.findings.filter((f) => f.severity === 'high' || f.severity === 'critical')).toEqual([]);
      expect(read.check('tls.weak-ciphers')).toMatchObject({ status: 'fail' });
      expect(read.report.findings.filter((f) => f.check === 'tls.weak-ciphers').map((f) => f.severity)).toEqual(['medium']);
      expect(read.report.checks.filter((c) => c.unreadable)).toEqual([]);
      const refused = await runWith(taken.resources.configmaps.filter((c) => c.metadata.name !== 'ingress-nginx-controller'));
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/^ztaudit: exit 1: \d+ checks not evaluated \(configmaps forbidden\) \(--fail-on high: a check that could not run cannot pass the gate\)\n$/);
      expect(refused.check('tls.weak-ciphers')).toMatchObject({ status: 'not-evaluated', unreadable: ['configmaps'], reason: expect.stringContaining('ConfigMap ingress-nginx/ingress-nginx-controller') });
    });

    it('--fail-on never exits 0 and warns once, with -q (no score table) or without, how many checks were not evaluated and which kinds blinded them', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'zt-gate-'));
      const snap = await snapshotWith(dir, BLIND);
      const args = ['run', '--snapshot', snap, '--out', 'out', '--format', 'json', '--history', 'none', '--no-notify', '--fail-on', 'never'];
      let t = io(dir);
      expect(await main([...args, '-q'], t.cli)).toBe(0);
      const lines = t.err().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { level: string; msg: string });
      const warned = [{ time: expect.any(String), level: 'warn', msg: expect.stringMatching(/^\d+ checks not evaluated \(pods forbidden, networkpolicies error\): their areas get no grade, and --fail-on critical, high or regression would exit 1$/) }];
      expect(lines).toEqual(warned);
      // Without -q the score table says it on stdout, and stderr's warnings (what a CronJob's log
      // pipeline alerts on) say it too: once, as with -q.
      t = io(dir);
      expect(await main(args, t.cli)).toBe(0);
      expect(t.out()).toContain('partial: pods could not be read (forbidden');
      expect(t.out()).toMatch(/checks \d+\/\d+ failing, \d+ not evaluated/);
      const all = t.err().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { level: string; msg: string });
      expect(all.filter((l) => l.level === 'warn')).toEqual(warned);
    });
  });

  // A live run warns of each kind it could not list, naming the reason and, once the checks have
  // run, those it left not evaluated for it; the summary after the run said "N checks not
  // evaluated (pods forbidden)" again. A CronJob's log pipeline counts warnings: one kind, one warning.
  it('a live run with a forbidden kind names it once on stderr, with why and what it costs, -q or not: the checks the run actually left not evaluated for it, not those of the catalog that need it', async () => {
    const api = http.createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const json = (status: number, body: unknown) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); };
      if (path === '/version') return json(200, { gitVersion: 'v1.33.0' });
      if (path === '/apis') return json(200, { kind: 'APIGroupList', groups: [] });
      // As kube-apiserver answers a list its RBAC denies (k8s.io/apiserver pkg/endpoints/handlers/responsewriters/errors.go, Forbidden).
      if (path === '/api/v1/pods') return json(403, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'pods is forbidden: User "system:serviceaccount:ztaudit:ztaudit" cannot list resource "pods" in API group "" at the cluster scope' });
      if (path === '/api/v1/namespaces') return json(200, { kind: 'NamespaceList', metadata: {}, items: [{ metadata: { name: 'shop' } }] });
      return json(200, { kind: 'List', metadata: {}, items: [] });
    });
    const dir = mkdtempSync(join(tmpdir(), 'zt-live-forbidden-'));
    try {
      const kubeconfig = await kubeconfigFor(api);
      for (const quiet of [['-q'], []]) {
        const t = io(dir);
        expect(await main(['run', '--kubeconfig', kubeconfig, '--out', 'out', '--format', 'json', '--history', 'none', '--no-notify', ...quiet], t.cli)).toBe(0);
        const warned = t.err().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { level: string; msg: string }).filter((l) => l.level === 'warn').map((l) => l.msg);
        expect(warned, quiet.join(' ')).toEqual([expect.stringMatching(/^pods could not be read \(forbidden: list pods at cluster scope\): the \d+ checks that need it were not evaluated \(network\./)]);
        expect(t.err().match(/\bpods\b/g), quiet.join(' ')).toHaveLength(2);
        // The count is the run's: checks that need pods but do not apply here (no intent
        // configured, no mesh required) are not among them.
        const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as { checks: Array<{ id: string; status: string; unreadable?: string[] }> };
        const blind = report.checks.filter((c) => c.status === 'not-evaluated' && c.unreadable?.includes('pods')).map((c) => c.id);
        expect(blind.length).toBeGreaterThan(10);
        expect(report.checks.find((c) => c.id === 'network.intent-violation')?.status).toBe('not-applicable');
        expect(Number(/the (\d+) checks that need it/.exec(warned[0]!)?.[1])).toBe(blind.length);
        expect(warned[0]).toContain(`(${blind.slice(0, 4).join(', ')} and ${blind.length - 4} more)`);
      }
    } finally {
      api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('warns that --fail-on regression never exits 1 without a history, and only then', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-failon-none-'));
    const args = ['run', '--manifests', join(REPO, 'examples/demo-cluster'), '--out', join(dir, 'out'), '--format', 'json', '--no-notify', '-q'];
    const warning = 'no history: there is never a previous run, so --fail-on regression exits 1 only for checks that could not be evaluated; keep a history or use --fail-on critical or high';
    let t = io(dir);
    expect(await main([...args, '--history', 'none', '--fail-on', 'regression'], t.cli)).toBe(0);
    expect(t.err()).toContain(warning);
    t = io(dir);
    expect(await main([...args, '--history', join(dir, 'h.db'), '--fail-on', 'regression'], t.cli)).toBe(0);
    expect(t.err()).not.toContain('no history');
    t = io(dir);
    expect(await main([...args, '--history', 'none', '--fail-on', 'never'], t.cli)).toBe(0);
    expect(t.err()).not.toContain('no history');
  });

  it('stores nothing when the reports cannot be written, so the next run still sees the regression', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-render-'));
    writeFileSync(join(dir, 'not-a-dir'), 'x');
    const args = ['run', '--manifests', join(REPO, 'examples/demo-cluster'), '--history', join(dir, 'h.db'), '--format', 'json', '--no-notify', '-q'];
    const t = io(dir);
    expect(await main([...args, '--out', join(dir, 'not-a-dir')], t.cli)).toBe(2);
    expect(t.err().trim()).toMatch(/^ztaudit: --out .*not-a-dir: cannot write .*not-a-dir \((EEXIST|ENOTDIR)\)$/);
    const out: string[] = [];
    expect(await main(['history', '--history', join(dir, 'h.db'), '--output', 'json'], { ...io(dir).cli, stdout: (s) => out.push(s) })).toBe(0);
    expect(JSON.parse(out.join('') || '[]')).toEqual([]);
  });

  it('exits 2 with one line naming the file and key for a bad config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-cfg-'));
    writeFileSync(join(dir, 'ztaudit.yaml'), 'target:\n  requireMTLS: true\n');
    const t = io(dir);
    const code = await main(['run', '--manifests', join(REPO, 'examples/demo-cluster'), '--out', join(dir, 'out'), '--history', 'none'], t.cli);
    expect(code).toBe(2);
    expect(t.err().trim()).toBe('ztaudit: ztaudit.yaml: target.requireMTLS: unknown key (did you mean requireMtls?)');
  });

  it('exits 2 with "cannot reach API server" for a kubeconfig pointing nowhere, without hanging', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-kc-'));
    writeFileSync(join(dir, 'kubeconfig'), [
      'apiVersion: v1', 'kind: Config', 'current-context: nowhere',
      'clusters: [{name: nowhere, cluster: {server: "https://127.0.0.1:9"}}]',
      'users: [{name: u, user: {token: abc}}]',
      'contexts: [{name: nowhere, context: {cluster: nowhere, user: u}}]', '',
    ].join('\n'));
    const t = io(dir);
    const started = Date.now();
    const code = await main(['run', '--kubeconfig', join(dir, 'kubeconfig'), '--out', join(dir, 'out'), '--history', 'none', '--request-timeout', '5', '--retry-budget', '3'], t.cli);
    expect(code).toBe(2);
    expect(t.err()).toMatch(/^ztaudit: cannot reach API server at https:\/\/127\.0\.0\.1:9/m);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  // The chart passes run.requestTimeoutSeconds as --request-timeout to serve --watch too
  // (helm/ztaudit/templates/_helpers.tpl, ztaudit.commonArgs): the watch's lists and gets keep
  // to it and to --retry-budget as a run's collection does, not to 10 s and 30 s.
  it('serve --watch gives up on a silent API server after --request-timeout, within --retry-budget', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const dir = mkdtempSync(join(tmpdir(), 'zt-watch-kc-'));
    writeFileSync(join(dir, 'kubeconfig'), [
      'apiVersion: v1', 'kind: Config', 'current-context: silent',
      `clusters: [{name: silent, cluster: {server: "https://127.0.0.1:${(silent.address() as AddressInfo).port}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: u, user: {token: abc}}]',
      'contexts: [{name: silent, context: {cluster: silent, user: u}}]', '',
    ].join('\n'));
    const t = io(dir);
    try {
      const daemon = await startServe(['--watch', '--schedule', '0 2 * * *', '--kubeconfig', join(dir, 'kubeconfig'), '--history', join(dir, 'h.db'), '--out', join(dir, 'out'),
        '--no-notify', '--port', '0', '--request-timeout', '1', '--retry-budget', '3'], t.cli);
      await daemon.idle(); // the start-up run
      await daemon.stop();
    } finally {
      silent.close();
    }
    const failed = t.err().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string; event?: string }).filter((l) => l.event === 'run-failed');
    expect(failed).toHaveLength(1);
    const said = /^audit run could not complete: cannot reach API server at https:\/\/127\.0\.0\.1:\d+: no response within (\d+) ms \((\d+) attempts? over [\d.]+ s\)$/.exec(failed[0]!.msg);
    expect(said, failed[0]!.msg).not.toBeNull();
    expect(said![1]).toBe('1000');
    // src/kube/retry.ts: the retry after the first 1 s timeout waits 0.5 s (within the 3 s
    // budget); the next would wait 1 s from 2.5 s at least, past it. The client's default 30 s
    // budget would allow its 8 retries.
    expect(said![2]).toBe('2');
  }, 60_000); // a hang guard only: without the flags the watch waits 10 s per attempt, 3 attempts

  it('exits 2 for bad flags and unknown commands', async () => {
    const a = io();
    expect(await main(['run', '--fail-on', 'sometimes'], a.cli)).toBe(2);
    expect(a.err()).toContain("option '--fail-on <when>' argument 'sometimes' is invalid. Allowed choices are regression, critical, high, never.");
    const b = io();
    expect(await main(['frobnicate'], b.cli)).toBe(2);
    expect(b.err()).toContain("unknown command 'frobnicate'");
  });

  it('lists and explains checks from the registry', async () => {
    const t = io();
    expect(await main(['checks', '--output', 'json'], t.cli)).toBe(0);
    expect(JSON.parse(t.out()).length).toBe(CHECKS.length);
    const e = io();
    expect(await main(['explain', 'no.such-check'], e.cli)).toBe(2);
    expect(e.err()).toContain('unknown check id "no.such-check"');
  });

  it('explain shows the kinds a check reads when it can but judges without (readsBestEffort), as `checks -o json` does', async () => {
    const bestEffort = CHECKS.filter((c) => c.readsBestEffort?.length);
    expect(bestEffort.length).toBeGreaterThan(0);
    for (const c of bestEffort) {
      const t = io();
      expect(await main(['explain', c.id], t.cli)).toBe(0);
      expect(t.out()).toContain(`\nreads when readable, judges without: ${c.readsBestEffort!.join(', ')}\n`);
    }
    const plain = CHECKS.find((c) => !c.readsBestEffort?.length)!;
    const t = io();
    expect(await main(['explain', plain.id], t.cli)).toBe(0);
    expect(t.out()).not.toContain('judges without');
  });

  it('prints the version written in package.json', async () => {
    const t = io();
    expect(await main(['--version'], t.cli)).toBe(0);
    expect(t.out()).toBe(`ztaudit ${JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version}\n`);
  });

  it('keeps docs/checks.md in step with the registry (npm run docs)', () => {
    expect(readFileSync(join(REPO, 'docs/checks.md'), 'utf8')).toBe(catalogMarkdown(CHECKS));
  });
});
