// The Helm chart, rendered by the pinned helm binary: lint, what each mode and history type
// produces, the hardening of every pod, secrets only by reference, the ClusterRole rendered
// from the generated rules, and ztaudit's own audit of the rendered chart (zero findings in
// network, pod-security and rbac).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS, CHECK_BY_ID } from '../../checks/index.ts';
import { auditorClusterRoleRules } from '../../src/collect/rbac-rules.ts';
import { collectConfigMaps } from '../../src/collect/live.ts';
import { liveConfigMapRefs } from '../../src/cli/source.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { snapshotFromObjects } from '../../src/collect/from-objects.ts';
import { validateConfig } from '../../src/config/validate.ts';
import { defaultConfig } from '../../src/config/types.ts';
import { auditSnapshot } from '../../src/engine/audit.ts';
import type { KubeObject } from '../../src/snapshot/types.ts';
import { parseServeFlags } from '../../src/cli/serve.ts';
import { PG_QUERY_TIMEOUT_MS, parsePgUrl } from '../../src/history/postgres.ts';
import { parseRunFlags } from '../../src/cli/run.ts';
import { REPORT_FORMATS } from '../../src/report/render.ts';
import { parse, stringify } from 'yaml';
import { main } from '../../src/cli/main.ts';
import { captureIO } from '../helpers/cli.ts';
import http from 'node:http';
import { kubeconfigFor } from '../helpers/local-api-server.ts';
import { skipOrFail } from '../helpers/ci.ts';
import { findOracle, runOracle } from '../conformance/cilium/oracle.ts';
import { CLUSTER_NAME } from '../conformance/cilium/compare.ts';
import type { OracleScenario } from '../conformance/cilium/scenarios.ts';
import { byKind, CHART_DIR, findHelm, KUBE_VERSION, parseRendered, renderChart, runHelm, runHelmAgainst, templateChart, templateChartAgainst, TEST_API_SERVER_CIDRS, valuesArgs } from './helm.ts';

const { helm } = findHelm('helm chart tests (test/helm/chart.test.ts)');
/** helm lint has no cluster to look the API server up in: the value an operator would set. */
const LINT_API_SERVER = ['--set', `networkPolicy.apiServer.cidrs={${TEST_API_SERVER_CIDRS.join(',')}}`];

type Obj = Record<string, any>;

/** The generated rules as the chart renders them unless it runs `serve --watch`: without watch. */
const listOnly = <T extends { verbs: string[] }>(rules: T[]): T[] => rules.map((r) => ({ ...r, verbs: r.verbs.filter((v) => v !== 'watch') }));

function podTemplates(objects: KubeObject[]): Array<{ owner: string; spec: Obj }> {
  const out: Array<{ owner: string; spec: Obj }> = [];
  for (const o of objects as Obj[]) {
    if (o.kind === 'CronJob') out.push({ owner: `CronJob/${o.metadata.name}`, spec: o.spec.jobTemplate.spec.template.spec });
    if (o.kind === 'Deployment') out.push({ owner: `Deployment/${o.metadata.name}`, spec: o.spec.template.spec });
  }
  return out;
}

function argsOf(objects: KubeObject[]): string[] {
  const [pod] = podTemplates(objects);
  return pod!.spec.containers[0].args as string[];
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The namespace as docs/deploy.md creates it: labelled for Pod Security Admission. */
const RELEASE_NAMESPACE: KubeObject = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'ztaudit', labels: { 'kubernetes.io/metadata.name': 'ztaudit', 'pod-security.kubernetes.io/enforce': 'restricted' } },
};

function selfAudit(objects: KubeObject[], config = defaultConfig()) {
  const snapshot = snapshotFromObjects([structuredClone(RELEASE_NAMESPACE), ...structuredClone(objects)], { origin: 'manifests', clusterVersion: 'v1.36.3' });
  const now = new Date('2026-11-26T02:00:00Z');
  return auditSnapshot({ snapshot, config, checks: CHECKS, now, startedAt: now, runId: 'self-audit' }).report;
}

/** Discovery of the kinds the chart renders, for `helm install --dry-run=server` (it maps each rendered object). */
const DISCOVERY: Record<string, Array<[resource: string, kind: string, namespaced: boolean]>> = {
  v1: [['namespaces', 'Namespace', false], ['serviceaccounts', 'ServiceAccount', true], ['configmaps', 'ConfigMap', true], ['services', 'Service', true], ['persistentvolumeclaims', 'PersistentVolumeClaim', true], ['secrets', 'Secret', true]],
  'rbac.authorization.k8s.io/v1': [['clusterroles', 'ClusterRole', false], ['clusterrolebindings', 'ClusterRoleBinding', false], ['roles', 'Role', true], ['rolebindings', 'RoleBinding', true]],
  'networking.k8s.io/v1': [['networkpolicies', 'NetworkPolicy', true]],
  'batch/v1': [['cronjobs', 'CronJob', true]],
  'apps/v1': [['deployments', 'Deployment', true]],
  'discovery.k8s.io/v1': [['endpointslices', 'EndpointSlice', true]],
  'cilium.io/v2': [['ciliumnetworkpolicies', 'CiliumNetworkPolicy', true]],
};

/**
 * A stand-in API server holding what the chart's `lookup` reads — the default/kubernetes
 * EndpointSlice (two IPv4 control-plane endpoints and one IPv6, on `port`, 6443 as kubeadm's) —
 * and what `helm install --dry-run=server` asks before it prints NOTES: the version, discovery
 * (with cilium.io/v2 when `cilium`), and no releases yet. Everything else is not found.
 */
async function withLookupCluster<T>(fn: (kubeconfig: string) => Promise<T>, { port = 6443, cilium = false } = {}): Promise<T> {
  const json = (res: http.ServerResponse, body: unknown, status = 200) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const groupVersions = Object.keys(DISCOVERY).filter((gv) => gv.includes('/') && (cilium || !gv.startsWith('cilium.io/')));
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (path === '/version') return json(res, { major: '1', minor: KUBE_VERSION.split('.')[1], gitVersion: KUBE_VERSION });
    if (path === '/api') return json(res, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (path === '/apis') {
      return json(res, {
        kind: 'APIGroupList', apiVersion: 'v1',
        groups: groupVersions.map((gv) => {
          const [name, version] = gv.split('/') as [string, string];
          return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
        }),
      });
    }
    const gv = path === '/api/v1' ? 'v1' : /^\/apis\/([^/]+\/[^/]+)$/.exec(path)?.[1];
    if (gv && (gv === 'v1' || groupVersions.includes(gv))) {
      return json(res, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: DISCOVERY[gv]!.map(([name, kind, namespaced]) => ({ name, singularName: kind.toLowerCase(), namespaced, kind, verbs: ['get', 'list', 'watch'] })) });
    }
    // Helm's release storage: no release of this name yet.
    if (/^\/api\/v1\/namespaces\/[^/]+\/secrets$/.test(path)) return json(res, { kind: 'SecretList', apiVersion: 'v1', metadata: {}, items: [] });
    if (path === '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes') {
      return json(res, {
        apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'kubernetes', namespace: 'default' }, addressType: 'IPv4',
        endpoints: [{ addresses: ['172.18.0.2'] }, { addresses: ['172.18.0.3'] }, { addresses: ['fd00:10::2'] }],
        ports: [{ name: 'https', port, protocol: 'TCP' }],
      });
    }
    json(res, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }, 404);
  });
  const kubeconfig = await kubeconfigFor(server);
  try {
    return await fn(kubeconfig);
  } finally {
    server.close();
  }
}

/**
 * `helm install --dry-run=server` against the stand-in (which has no OpenAPI to validate with):
 * what the user gets from installing, with the cluster's own capabilities (`helm template` has
 * only the defaults and --api-versions): the objects and the NOTES.
 */
async function installDryRun(helm: string, kubeconfig: string, values: Record<string, unknown> = {}): Promise<{ objects: KubeObject[]; notes: string }> {
  const r = await runHelmAgainst(helm, ['install', 'zt', CHART_DIR, '--namespace', 'ztaudit', '--dry-run=server', '--disable-openapi-validation', ...valuesArgs(values)], kubeconfig);
  if (r.status !== 0) throw new Error(`helm install --dry-run=server failed: ${r.stderr}`);
  const manifest = r.stdout.indexOf('MANIFEST:\n');
  const notes = r.stdout.indexOf('NOTES:\n');
  expect(manifest, r.stdout).toBeGreaterThan(0);
  expect(notes, r.stdout).toBeGreaterThan(manifest);
  return { objects: parseRendered({ status: 0, stdout: r.stdout.slice(manifest + 'MANIFEST:\n'.length, notes), stderr: '' }), notes: r.stdout.slice(notes) };
}

describe.skipIf(!helm)('helm chart', () => {
  const h = helm!;

  it('passes helm lint --strict with the default values and in serve mode', () => {
    for (const set of [[], ['--set', 'mode=serve'], ['--set', 'history.type=sqlite'], ['--set', 'history.type=none']]) {
      const r = runHelm(h, ['lint', '--strict', CHART_DIR, ...LINT_API_SERVER, ...set]);
      expect(r.status, `${set.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('0 chart(s) failed');
    }
  });

  it("docs/deploy.md's NO_PROXY example renders as written: Helm's --set splits at unescaped commas", () => {
    const doc = readFileSync(join(CHART_DIR, '..', '..', 'docs', 'deploy.md'), 'utf8').replace(/\n/g, ' ');
    const sets = [...doc.matchAll(/--set '(extraEnv\[0\]\.(?:name|value)=[^']*)'/g)].map((m) => m[1]!);
    expect(sets).toHaveLength(2);
    const r = runHelm(h, ['template', 'zt', CHART_DIR, '--namespace', 'ztaudit', ...LINT_API_SERVER, ...sets.flatMap((s) => ['--set', s])]);
    expect(r.status, r.stderr).toBe(0);
    const env = podTemplates(parseRendered(r))[0]!.spec.containers[0].env as Array<{ name: string; value?: string }>;
    expect(env).toContainEqual({ name: 'NO_PROXY', value: '10.96.0.1,.svc,.cluster.local' });
  });

  it('renders a CronJob with the schedule, time zone and run limits from values', () => {
    const objects = renderChart(h, {
      schedule: '30 3 * * 1-5', timeZone: 'Europe/Berlin',
      cronjob: { startingDeadlineSeconds: 120, backoffLimit: 1, activeDeadlineSeconds: 900, ttlSecondsAfterFinished: 600, terminationGracePeriodSeconds: 45 },
      // A Job deadline of 900 s leaves room after a collection of at most 300 s (see the next test).
      config: { collect: { deadlineSeconds: 300 } },
    });
    const [cj] = byKind(objects, 'CronJob') as Obj[];
    expect(cj!.spec.jobTemplate.spec.template.spec.terminationGracePeriodSeconds).toBe(45);
    expect(cj!.spec).toMatchObject({ schedule: '30 3 * * 1-5', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 120 });
    expect(cj!.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 900, ttlSecondsAfterFinished: 600 });
    expect(cj!.spec.jobTemplate.spec.template.spec.restartPolicy).toBe('Never');
    expect(byKind(objects, 'Deployment')).toHaveLength(0);
    expect(byKind(objects, 'Service')).toHaveLength(0);
    const args = argsOf(objects);
    expect(args[0]).toBe('run');
    expect(flag(args, '--config')).toBe('/etc/ztaudit/ztaudit.yaml');
    expect(flag(args, '--history')).toBe('k8s://ztaudit-history/zt-ztaudit-history');
    expect(args).toContain('--no-notify');
    // Without a time zone the field is left out (the controller's zone), not set to "".
    const [plain] = byKind(renderChart(h), 'CronJob') as Obj[];
    expect(plain!.spec).not.toHaveProperty('timeZone');
    // A run stopped by SIGTERM (activeDeadlineSeconds, eviction, drain) sends its "audit could
    // not run" alert within 10 s of it, after a step it cannot interrupt: more than the 30 s
    // Kubernetes gives by default before SIGKILL
    // (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination).
    expect(plain!.spec.jobTemplate.spec.template.spec.terminationGracePeriodSeconds).toBe(60);
  });

  // Kubernetes terminates a Job's pods once its activeDeadlineSeconds passes
  // (https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup):
  // a run that used its whole collection deadline must still have the time to probe, store,
  // report and alert, or it ends in silence.
  it("the Job's deadline outlasts the run's own deadlines (collection, TLS probes, notifications, a PostgreSQL store's statement and reconnect bounds), as ztaudit reads them from the rendered config and arguments; a smaller one is refused in one line", () => {
    const budget = (objects: KubeObject[]) => {
      const cm = (byKind(objects, 'ConfigMap') as Obj[]).find((c) => c.metadata.name === 'zt-ztaudit-config')!;
      const v = validateConfig(parse(cm.data['ztaudit.yaml']) ?? {}, { file: 'ztaudit.yaml', checkIds: new Set(CHECK_BY_ID.keys()) });
      expect(v.errors).toEqual([]);
      const args = argsOf(objects);
      const probing = args.includes('--probe-tls') || v.config.tls.probe.enabled;
      const notifying = args.includes('--notify');
      // A PostgreSQL store (its URL in ZTAUDIT_HISTORY): one statement waited for as long as the
      // client waits (the server cancels it sooner), one reconnect loop of history.retrySeconds,
      // and the connect timeout of a URL that does not set one.
      const env = (podTemplates(objects)[0]!.spec.containers[0].env ?? []) as Array<{ name: string }>;
      const postgres = env.some((e) => e.name === 'ZTAUDIT_HISTORY');
      const store = postgres ? PG_QUERY_TIMEOUT_MS / 1000 + v.config.history.retrySeconds + parsePgUrl('postgres://u@db/ztaudit').connectTimeoutMs / 1000 : 0;
      return v.config.collect.deadlineSeconds + (probing ? v.config.tls.probe.deadlineSeconds : 0) + (notifying ? v.config.notify.deadlineSeconds : 0) + store;
    };
    const jobDeadline = (objects: KubeObject[]) => (byKind(objects, 'CronJob')[0] as Obj).spec.jobTemplate.spec.activeDeadlineSeconds as number;
    const notifications = { existingSecret: 'ztaudit-notify', slack: { enabled: true, channel: '#security' } };
    const postgres = { type: 'postgres', postgres: { existingSecret: 'ztaudit-pg' } };
    for (const values of [
      {},
      { run: { probeTls: true } },
      { config: { collect: { deadlineSeconds: 3600 } } },
      { config: { tls: { probe: { enabled: true, deadlineSeconds: 900 } } } },
      { notifications, config: { notify: { deadlineSeconds: 600 } } },
      { notifications, run: { probeTls: true }, config: { collect: { deadlineSeconds: 7200 }, tls: { probe: { deadlineSeconds: 1200 } }, notify: { deadlineSeconds: 300 } } },
      // --probe-tls passed through run.extraArgs probes as run.probeTls does.
      { run: { extraArgs: ['--probe-tls'] } },
      { history: postgres, config: { cluster: { name: 'prod' } } },
      { history: postgres, notifications, config: { cluster: { name: 'prod' }, history: { retrySeconds: 900 } } },
    ]) {
      const objects = renderChart(h, values);
      expect(jobDeadline(objects), JSON.stringify(values)).toBeGreaterThan(budget(objects));
    }
    // Set by hand: kept when it leaves the room, refused in one line naming the sum when it does not.
    const kept = renderChart(h, { cronjob: { activeDeadlineSeconds: 1800 }, config: { collect: { deadlineSeconds: 600 } } });
    expect(jobDeadline(kept)).toBe(1800);
    expect(jobDeadline(kept)).toBeGreaterThan(budget(kept));
    for (const values of [{ cronjob: { activeDeadlineSeconds: 1800 } }, { cronjob: { activeDeadlineSeconds: 1800 }, config: { collect: { deadlineSeconds: 1200 } }, run: { probeTls: true }, notifications }, { cronjob: { activeDeadlineSeconds: 1800 }, history: postgres, config: { cluster: { name: 'prod' }, collect: { deadlineSeconds: 1200 } } }]) {
      const r = templateChart(h, values);
      expect(r.status, JSON.stringify(values)).not.toBe(0);
      const error = r.stderr.split('\n').filter((l) => l.startsWith('Error: '));
      expect(error).toHaveLength(1);
      expect(error[0]).toMatch(/cronjob\.activeDeadlineSeconds 1800 is shorter than a run may take \(\d+ s: config\.collect\.deadlineSeconds \d+ \+ /);
    }
  });

  it('serve mode renders a one-replica Deployment with probes and a ClusterIP Service for /metrics', () => {
    const objects = renderChart(h, { mode: 'serve', schedule: '0 4 * * *', timeZone: 'UTC', serve: { port: 9090, terminationGracePeriodSeconds: 45, service: { port: 80 } } });
    expect(byKind(objects, 'CronJob')).toHaveLength(0);
    const [dep] = byKind(objects, 'Deployment') as Obj[];
    expect(dep!.spec.replicas).toBe(1);
    expect(dep!.spec.strategy.type).toBe('Recreate');
    const pod = dep!.spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(45);
    const c = pod.containers[0];
    expect(c.args.slice(0, 3)).toEqual(['serve', '--schedule', '0 4 * * *']);
    expect(flag(c.args, '--timezone')).toBe('UTC');
    expect(flag(c.args, '--port')).toBe('9090');
    // ztaudit alone listens on loopback only; in the pod the Service and probes need the pod IP.
    expect(flag(c.args, '--host')).toBe('0.0.0.0');
    expect(Number(flag(c.args, '--shutdown-grace'))).toBeLessThan(45);
    expect((c.env ?? []).map((e: Obj) => e.name)).not.toContain('ZTAUDIT_SERVE_TOKEN');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 9090, protocol: 'TCP' }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    const [svc] = byKind(objects, 'Service') as Obj[];
    expect(svc!.spec.type).toBe('ClusterIP');
    expect(svc!.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(svc!.spec.selector).toEqual(dep!.spec.selector.matchLabels);
  });

  it('serve.watch passes --watch to serve (off by default); the args parse as serve flags', () => {
    const args = (v: Record<string, unknown>) => ((byKind(renderChart(h, { mode: 'serve', ...v }), 'Deployment')[0] as Obj).spec.template.spec.containers[0].args as string[]);
    expect(args({})).not.toContain('--watch');
    const watched = args({ serve: { watch: true } });
    expect(watched).toContain('--watch');
    expect(parseServeFlags(watched.slice(1)).watch).toBe(true);
    // Watching without a history has nothing to diff against: ztaudit would exit 2 at start and
    // the pod crash-loop, so the chart refuses to render it.
    const none = templateChart(h, { mode: 'serve', serve: { watch: true }, history: { type: 'none' } });
    expect(none.status).not.toBe(0);
    expect(none.stderr).toContain('serve.watch needs a history store to diff against, and history.type is none');
    for (const type of ['k8s', 'sqlite']) expect(args({ serve: { watch: true }, history: { type } }), type).toContain('--watch');
  });

  it('grants watch only when it runs serve --watch: a run and a plain serve only list (the README says so)', () => {
    const reader = (v: Record<string, unknown>) => (byKind(renderChart(h, v), 'ClusterRole') as Obj[]).find((r) => r.metadata.name === 'zt-ztaudit-reader')!.rules as Array<{ verbs: string[] }>;
    for (const v of [{}, { mode: 'serve' }, { mode: 'cronjob', serve: { watch: true } }]) {
      expect(reader(v).flatMap((r) => r.verbs), JSON.stringify(v)).not.toContain('watch');
    }
    expect(reader({ mode: 'serve', serve: { watch: true } })).toEqual(auditorClusterRoleRules());
    expect(readFileSync(join(CHART_DIR, 'README.md'), 'utf8')).not.toMatch(/never writes or watches/);
  });

  it('serve mode takes the bearer token from an existing Secret, never from values', () => {
    const objects = renderChart(h, { mode: 'serve', serve: { auth: { existingSecret: 'ztaudit-serve' } } });
    const [dep] = byKind(objects, 'Deployment') as Obj[];
    const env = dep!.spec.template.spec.containers[0].env as Obj[];
    expect(env.find((e) => e.name === 'ZTAUDIT_SERVE_TOKEN')).toEqual({ name: 'ZTAUDIT_SERVE_TOKEN', valueFrom: { secretKeyRef: { name: 'ztaudit-serve', key: 'serve-token' } } });
    expect(byKind(objects, 'Secret')).toHaveLength(0);
  });

  it('hardens every pod: non-root, read-only root, no capabilities, RuntimeDefault seccomp, limits, /tmp emptyDir', () => {
    for (const values of [{}, { mode: 'serve' }, { history: { type: 'sqlite' } }, { history: { type: 'postgres', postgres: { existingSecret: 'pg' } }, config: { cluster: { name: 'prod-eu-1' } } }]) {
      const objects = renderChart(h, values);
      const [sa] = byKind(objects, 'ServiceAccount') as Obj[];
      expect(sa!.automountServiceAccountToken).toBe(false);
      for (const { owner, spec } of podTemplates(objects)) {
        expect(spec.automountServiceAccountToken, owner).toBe(true);
        expect(spec.serviceAccountName).toBe(sa!.metadata.name);
        expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
        expect(spec.hostNetwork ?? false).toBe(false);
        for (const c of spec.containers) {
          expect(c.securityContext, owner).toMatchObject({
            runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false,
            capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
          });
          expect(c.securityContext.capabilities.add).toBeUndefined();
          expect(c.resources.requests).toMatchObject({ cpu: expect.anything(), memory: expect.anything() });
          expect(c.resources.limits).toMatchObject({ cpu: expect.anything(), memory: expect.anything() });
          expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
          expect(c.args[c.args.indexOf('--out') + 1]).toMatch(/^\/tmp\//);
        }
        expect(spec.volumes).toContainEqual(expect.objectContaining({ name: 'tmp', emptyDir: expect.anything() }));
        // The reports and the findings spool of a 150,000-pod run (report.json 420 MiB + spool
        // ~270 MiB, docs/deploy.md) fit the default /tmp: a fuller emptyDir gets the pod evicted.
        const tmp = spec.volumes.find((v: { name: string }) => v.name === 'tmp');
        const mi = /^(\d+)(Mi|Gi)$/.exec(tmp.emptyDir.sizeLimit);
        expect(mi, owner).not.toBeNull();
        expect(Number(mi![1]) * (mi![2] === 'Gi' ? 1024 : 1), owner).toBeGreaterThanOrEqual(700);
        for (const v of spec.volumes) expect(v.hostPath, owner).toBeUndefined();
      }
    }
  });

  it('renders the ClusterRole from the generated rules: exactly auditorClusterRoleRules() less watch, read-only, no Secrets', () => {
    const objects = renderChart(h);
    const [role] = byKind(objects, 'ClusterRole') as Obj[];
    expect(role!.rules).toEqual(listOnly(auditorClusterRoleRules()));
    for (const rule of role!.rules) {
      for (const v of rule.verbs) expect(['get', 'list']).toContain(v);
      expect(rule.resources ?? []).not.toContain('secrets');
      expect(rule.resources ?? []).not.toContain('*');
    }
    const [binding] = byKind(objects, 'ClusterRoleBinding') as Obj[];
    expect(binding!.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role!.metadata.name });
    expect(binding!.subjects).toEqual([{ kind: 'ServiceAccount', name: 'zt-ztaudit', namespace: 'ztaudit' }]);
    // ConfigMaps by name only; operators add their controllers' own names.
    const cmRule = (rules: Array<{ resources?: string[]; resourceNames?: string[] }>) => rules.find((r) => r.resources?.includes('configmaps'))!;
    expect(cmRule(role!.rules).resourceNames).toEqual(['antrea-config', 'calico-config', 'cilium-config', 'cni-config', 'consul-server-config', 'consul-server-tmp-extra-config', 'contour', 'ingress-nginx-controller', 'istio', 'istio-sidecar-injector', 'kubernetes-services-endpoint', 'linkerd-config', 'nginx-configuration']);
    const wider = byKind(renderChart(h, { rbac: { create: true, extraConfigMapNames: ['my-nginx', 'istio'] } }), 'ClusterRole') as Obj[];
    expect(wider[0]!.rules).toEqual(listOnly(auditorClusterRoleRules({ extraConfigMapNames: ['my-nginx'] })));
    expect(cmRule(wider[0]!.rules).resourceNames).toContain('my-nginx');
  });

  it('policyReports.enabled passes --policy-reports and grants list, create, patch and delete on the two report kinds only; off by default', () => {
    const off = renderChart(h);
    expect(argsOf(off)).not.toContain('--policy-reports');
    expect(byKind(off, 'ClusterRole').map((r) => r.metadata?.name)).toEqual(['zt-ztaudit-reader']);
    for (const mode of ['cronjob', 'serve']) {
      const on = renderChart(h, { mode, policyReports: { enabled: true } });
      const args = argsOf(on);
      expect(mode === 'serve' ? parseServeFlags(args.slice(1)).policyReports : parseRunFlags(args.slice(1)).policyReports, mode).toBe(true);
      const roles = byKind(on, 'ClusterRole') as Obj[];
      expect(roles.map((r) => r.metadata.name), mode).toEqual(['zt-ztaudit-reader', 'zt-ztaudit-policy-reports']);
      expect(roles[1]!.rules).toEqual([{ apiGroups: ['wgpolicyk8s.io'], resources: ['policyreports', 'clusterpolicyreports'], verbs: ['list', 'create', 'patch', 'delete'] }]);
      // The reader stays read-only: the writes are in their own role, on those kinds alone.
      expect(roles[0]!.rules).toEqual(listOnly(auditorClusterRoleRules()));
      const binding = (byKind(on, 'ClusterRoleBinding') as Obj[]).find((b) => b.metadata.name === 'zt-ztaudit-policy-reports')!;
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'zt-ztaudit-policy-reports' });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'zt-ztaudit', namespace: 'ztaudit' }]);
    }
    // RBAC left to the operator: the flag, no role.
    const own = renderChart(h, { policyReports: { enabled: true }, rbac: { create: false }, serviceAccount: { create: false, name: 'audit' } });
    expect(argsOf(own)).toContain('--policy-reports');
    expect(byKind(own, 'ClusterRole')).toHaveLength(0);
    // The flag alone would run without the permissions it needs: refused, naming the value to set.
    const bare = templateChart(h, { run: { extraArgs: ['--policy-reports'] } });
    expect(bare.status).not.toBe(0);
    expect(bare.stderr).toContain('set policyReports.enabled=true');
    // ztaudit finds nothing wrong with the extra role.
    const rbac = selfAudit(renderChart(h, { policyReports: { enabled: true } })).findings.filter((f) => f.area === 'rbac');
    expect(rbac.map((f) => `${f.check} ${f.resource.kind}/${f.resource.name}`)).toEqual([]);
  });

  it('grants ConfigMap writes in the history namespace only, and only for history.type=k8s; the auditor cannot rewrite its own config', async () => {
    const k8s = renderChart(h, { history: { type: 'k8s' } }, { release: 'ztaudit', namespace: 'audit-ns' });
    const [ns] = byKind(k8s, 'Namespace') as Obj[];
    expect(ns!.metadata.name).toBe('audit-ns-history');
    expect(ns!.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
    const [role] = byKind(k8s, 'Role') as Obj[];
    expect(role!.metadata.namespace).toBe('audit-ns-history');
    expect(role!.rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'] }]);
    const [rb] = byKind(k8s, 'RoleBinding') as Obj[];
    expect(rb!.metadata.namespace).toBe('audit-ns-history');
    expect(rb!.subjects[0]).toMatchObject({ kind: 'ServiceAccount', name: 'ztaudit', namespace: 'audit-ns' });
    expect(flag(argsOf(k8s), '--history')).toBe('k8s://audit-ns-history/ztaudit-history');
    // As an operator would ask it of the rendered chart: its config and waivers are out of its reach,
    // its history store is not.
    const dir = mkdtempSync(join(tmpdir(), 'zt-chart-'));
    writeFileSync(join(dir, 'chart.yaml'), k8s.map((o) => stringify(o)).join('---\n'));
    const can = async (...question: string[]) => {
      const io = captureIO(dir);
      const code = await main(['can', 'ServiceAccount:audit-ns/ztaudit', ...question, '--manifests', dir], io.cli);
      return `${code} ${io.out().split('\n')[0]!.split(':')[0]}`;
    };
    for (const verb of ['update', 'patch', 'delete']) expect(await can(verb, 'configmaps', '-n', 'audit-ns', '--name', 'ztaudit-config'), verb).toBe('1 no');
    expect(await can('create', 'configmaps', '-n', 'audit-ns')).toBe('1 no');
    for (const verb of ['get', 'list', 'create', 'update', 'delete']) expect(await can(verb, 'configmaps', '-n', 'audit-ns-history', '--name', 'ztaudit-history-r7-0'), verb).toBe('0 yes');
    // A namespace of the operator's choosing, created by someone else; never the release namespace.
    const own = renderChart(h, { history: { type: 'k8s', k8s: { namespace: 'audit-runs', createNamespace: false } } }, { namespace: 'audit-ns' });
    expect(byKind(own, 'Namespace')).toHaveLength(0);
    expect((byKind(own, 'Role')[0] as Obj).metadata.namespace).toBe('audit-runs');
    expect(flag(argsOf(own), '--history')).toBe('k8s://audit-runs/zt-ztaudit-history');
    const same = templateChart(h, { history: { type: 'k8s', k8s: { namespace: 'audit-ns' } } }, { namespace: 'audit-ns' });
    expect(same.status).not.toBe(0);
    expect(same.stderr).toContain("history.k8s.namespace must not be the release namespace (audit-ns): the history store's Role may update and delete every ConfigMap of its namespace");
    for (const type of ['sqlite', 'none']) {
      const objects = renderChart(h, { history: { type } });
      expect(byKind(objects, 'Role'), type).toHaveLength(0);
      expect(byKind(objects, 'RoleBinding'), type).toHaveLength(0);
      expect(byKind(objects, 'Namespace'), type).toHaveLength(0);
    }
  });

  it('history.type=sqlite mounts a PersistentVolumeClaim (or an existing one) and points --history at it', () => {
    const objects = renderChart(h, { history: { type: 'sqlite', sqlite: { persistence: { size: '5Gi', storageClassName: 'fast' } } } });
    const [pvc] = byKind(objects, 'PersistentVolumeClaim') as Obj[];
    expect(pvc!.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } });
    expect(pvc!.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
    const [{ spec }] = podTemplates(objects);
    expect(spec.volumes).toContainEqual({ name: 'history', persistentVolumeClaim: { claimName: pvc!.metadata.name } });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'history', mountPath: '/var/lib/ztaudit' });
    expect(flag(argsOf(objects), '--history')).toBe('/var/lib/ztaudit/history.db');

    const existing = renderChart(h, { history: { type: 'sqlite', sqlite: { persistence: { existingClaim: 'my-claim' } } } });
    expect(byKind(existing, 'PersistentVolumeClaim')).toHaveLength(0);
    expect(podTemplates(existing)[0]!.spec.volumes).toContainEqual({ name: 'history', persistentVolumeClaim: { claimName: 'my-claim' } });
    expect(byKind(renderChart(h, { history: { type: 'none' } }), 'PersistentVolumeClaim')).toHaveLength(0);
    expect(flag(argsOf(renderChart(h, { history: { type: 'none' } })), '--history')).toBe('none');
  });

  it('history.type=postgres takes the URL and the password from an existing Secret, mounts the CA and opens egress to the database only', () => {
    const values = { history: { type: 'postgres', postgres: { existingSecret: 'fleet-db', caConfigMap: 'fleet-db-ca' } }, networkPolicy: { postgres: { cidrs: ['10.20.0.5/32'] } }, config: { cluster: { name: 'prod-eu-1' } } };
    const objects = renderChart(h, values);
    const [{ spec }] = podTemplates(objects);
    const c = spec.containers[0];
    // No --history flag: it would win over ZTAUDIT_HISTORY, and the URL must not sit in the pod spec.
    expect(flag(c.args, '--history')).toBeUndefined();
    expect(c.env).toContainEqual({ name: 'ZTAUDIT_HISTORY', valueFrom: { secretKeyRef: { name: 'fleet-db', key: 'url' } } });
    expect(c.env).toContainEqual({ name: 'ZTAUDIT_PG_PASSWORD', valueFrom: { secretKeyRef: { name: 'fleet-db', key: 'password' } } });
    expect(spec.volumes).toContainEqual({ name: 'postgres-ca', configMap: { name: 'fleet-db-ca' } });
    expect(c.volumeMounts).toContainEqual({ name: 'postgres-ca', mountPath: '/etc/ztaudit/postgres-ca', readOnly: true });
    expect(byKind(objects, 'Role')).toHaveLength(0);
    expect(byKind(objects, 'PersistentVolumeClaim')).toHaveLength(0);
    const [np] = byKind(objects, 'NetworkPolicy') as Obj[];
    expect(np!.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '10.20.0.5/32' } }], ports: [{ port: 5432, protocol: 'TCP' }] });
    // Without the Secret the chart refuses to render (it never creates one).
    const missing = templateChart(h, { history: { type: 'postgres' }, config: { cluster: { name: 'prod-eu-1' } } });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('history.postgres.existingSecret is required for history.type postgres');
    // Nor without the cluster's name: every cluster sharing the database would be "in-cluster"
    // (one lock, one diff baseline, one fleet row). --cluster in run.extraArgs names it too.
    const nameless = templateChart(h, { history: { type: 'postgres', postgres: { existingSecret: 'fleet-db' } } });
    expect(nameless.status).not.toBe(0);
    expect(nameless.stderr).toContain('history.type postgres needs the cluster\'s name: set config.cluster.name (or run.extraArgs {--cluster,NAME})');
    for (const extraArgs of [['--cluster', 'prod-eu-1'], ['--cluster=prod-eu-1']]) {
      expect(templateChart(h, { history: { type: 'postgres', postgres: { existingSecret: 'fleet-db' } }, run: { extraArgs } }).status, extraArgs.join(' ')).toBe(0);
    }
    const lint = runHelm(h, ['lint', '--strict', CHART_DIR, ...LINT_API_SERVER, '--set', 'history.type=postgres', '--set', 'history.postgres.existingSecret=fleet-db', '--set', 'config.cluster.name=prod-eu-1']);
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    // The chart still passes its own checks with a shared PostgreSQL.
    const report = selfAudit(objects);
    expect(report.findings.filter((f) => ['network', 'pod-security', 'rbac'].includes(f.area)).map((f) => `${f.check} ${f.resource.name}`)).toEqual([]);
  });

  it('history.postgres.clientCertSecret mounts a client certificate and key read-only for sslcert=/sslkey= login, readable by the auditor through fsGroup', () => {
    const values = { history: { type: 'postgres', postgres: { existingSecret: 'fleet-db', passwordKey: '', caConfigMap: 'fleet-db-ca', clientCertSecret: 'fleet-db-client' } }, config: { cluster: { name: 'prod-eu-1' } } };
    const objects = renderChart(h, values);
    const [{ spec }] = podTemplates(objects);
    const c = spec.containers[0];
    // 0400 (256): the files are owner-read only, and the kubelet gives a read-only volume's files
    // to fsGroup with group read added (pkg/volume/volume_linux.go, changeFilePermission: roMask
    // 0440, in kubernetes v1.36.3), so the auditor reads them as a member of that group.
    expect(spec.volumes).toContainEqual({ name: 'postgres-client-cert', secret: { secretName: 'fleet-db-client', defaultMode: 0o400 } });
    expect(c.volumeMounts).toContainEqual({ name: 'postgres-client-cert', mountPath: '/etc/ztaudit/postgres-client', readOnly: true });
    expect(c.volumeMounts).toContainEqual({ name: 'postgres-ca', mountPath: '/etc/ztaudit/postgres-ca', readOnly: true });
    expect(spec.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
    expect(c.env.map((e: Obj) => e.name)).not.toContain('ZTAUDIT_PG_PASSWORD');
    // The URL values.yaml documents names files under that mount, and ztaudit reads them from there.
    const doc = /sslcert=(\S+)&sslkey=(\S+)/.exec(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8'))!;
    const target = parsePgUrl(`postgres://ztaudit@db.example.com:5432/ztaudit?sslmode=verify-full&sslrootcert=/etc/ztaudit/postgres-ca/ca.crt&sslcert=${doc[1]}&sslkey=${doc[2]}`);
    expect([target.sslcert, target.sslkey]).toEqual(['/etc/ztaudit/postgres-client/tls.crt', '/etc/ztaudit/postgres-client/tls.key']);
    // Not mounted unless asked for, and never over the CA.
    const plain = podTemplates(renderChart(h, { ...values, history: { type: 'postgres', postgres: { existingSecret: 'fleet-db' } } }))[0]!.spec;
    expect(plain.volumes.map((v: Obj) => v.name)).not.toContain('postgres-client-cert');
    const clash = templateChart(h, { ...values, history: { type: 'postgres', postgres: { existingSecret: 'fleet-db', caConfigMap: 'ca', clientCertSecret: 'cl', clientCertMountPath: '/etc/ztaudit/postgres-ca/' } } });
    expect(clash.status).not.toBe(0);
    expect(clash.stderr).toContain('history.postgres.clientCertMountPath and caMountPath are both /etc/ztaudit/postgres-ca');
    // The chart still passes its own checks with the certificate mounted.
    expect(selfAudit(objects).findings.filter((f) => ['network', 'pod-security', 'rbac'].includes(f.area)).map((f) => `${f.check} ${f.resource.name}`)).toEqual([]);
  });

  it('run.probeCaBundle mounts a CA bundle from a ConfigMap read-only and points tls.probe.caFile at it; without it nothing is mounted and the config is as given', () => {
    const configOf = (objects: KubeObject[]) => parse((byKind(objects, 'ConfigMap') as Obj[]).find((c) => c.metadata.name === 'zt-ztaudit-config')!.data['ztaudit.yaml']);
    for (const mode of ['cronjob', 'serve']) {
      const objects = renderChart(h, { mode, run: { probeTls: true, probeCaBundle: { configMap: 'corp-ca' } }, config: { target: { podSecurityLevel: 'baseline' }, tls: { probe: { timeoutMs: 3000 } } } });
      const [{ spec }] = podTemplates(objects);
      const c = spec.containers[0];
      // Only the key, and optional: a ConfigMap or key gone missing leaves the file absent, which
      // the run reports as a config error (and alerts) instead of a pod waiting for its volume.
      expect(spec.volumes, mode).toContainEqual({ name: 'probe-ca', configMap: { name: 'corp-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }], optional: true } });
      expect(c.volumeMounts, mode).toContainEqual({ name: 'probe-ca', mountPath: '/etc/ztaudit/probe-ca', readOnly: true });
      const config = configOf(objects);
      expect(config, mode).toEqual({ target: { podSecurityLevel: 'baseline' }, tls: { probe: { timeoutMs: 3000, caFile: '/etc/ztaudit/probe-ca/ca.crt' } } });
      const v = validateConfig(config, { file: 'ztaudit.yaml', checkIds: new Set(CHECK_BY_ID.keys()) });
      expect(v.errors).toEqual([]);
      expect(v.config.tls.probe.caFile).toBe('/etc/ztaudit/probe-ca/ca.crt');
      // A ConfigMap mounted by the kubelet: no Secret, and no grant to the auditor to read it.
      expect(byKind(objects, 'Secret')).toHaveLength(0);
      expect(JSON.stringify(byKind(objects, 'ClusterRole'))).not.toContain('corp-ca');
      expect(selfAudit(objects).findings.filter((f) => ['network', 'pod-security', 'rbac'].includes(f.area)).map((f) => `${f.check} ${f.resource.name}`), mode).toEqual([]);
    }
    // Another key and mount path; the caFile follows them.
    const custom = renderChart(h, { run: { probeCaBundle: { configMap: 'corp-ca', key: 'roots.pem', mountPath: '/etc/corp-ca/' } } });
    expect(podTemplates(custom)[0]!.spec.containers[0].volumeMounts).toContainEqual({ name: 'probe-ca', mountPath: '/etc/corp-ca/', readOnly: true });
    expect(configOf(custom).tls.probe.caFile).toBe('/etc/corp-ca/roots.pem');
    // Without a ConfigMap: no volume, no mount, the config exactly as values.config gives it.
    for (const values of [{}, { run: { probeTls: true, probeCaBundle: { configMap: '', key: 'x.pem' } } }]) {
      const plain = renderChart(h, values);
      const [{ spec }] = podTemplates(plain);
      expect(spec.volumes.map((v: Obj) => v.name)).toEqual(['tmp', 'config']);
      expect(spec.containers[0].volumeMounts.map((m: Obj) => m.name)).toEqual(['tmp', 'config']);
      expect(configOf(plain)).toEqual({ target: { podSecurityLevel: 'restricted' } });
    }
    // Refused in one line: caFile given twice, a key that is no ConfigMap key, a mount over another volume.
    const oneError = (r: ReturnType<typeof templateChart>) => r.stderr.split('\n').filter((l) => l.startsWith('Error: ') || l.startsWith('- at '));
    const twice = templateChart(h, { run: { probeCaBundle: { configMap: 'corp-ca' } }, config: { tls: { probe: { caFile: '/etc/other/ca.pem' } } } });
    expect(twice.status).not.toBe(0);
    expect(oneError(twice)).toEqual([expect.stringContaining('config.tls.probe.caFile and run.probeCaBundle.configMap are both set: run.probeCaBundle sets tls.probe.caFile to /etc/ztaudit/probe-ca/ca.crt; remove config.tls.probe.caFile')]);
    const badKey = templateChart(h, { run: { probeCaBundle: { configMap: 'corp-ca', key: '../ca.crt' } } });
    expect(badKey.status).not.toBe(0);
    expect(badKey.stderr).toContain("at '/run/probeCaBundle/key'");
    // The API server refuses a ConfigMap volume item whose key or path starts with ".." (k8s.io/apimachinery
    // pkg/util/validation IsConfigMapKey: "must not start with '..'"), though every character is allowed.
    for (const key of ['..ca.pem', '..', '.']) {
      const dotted = templateChart(h, { run: { probeCaBundle: { configMap: 'corp-ca', key } } });
      expect(dotted.status, key).not.toBe(0);
      expect(dotted.stderr).toContain("at '/run/probeCaBundle/key'");
    }
    expect(templateChart(h, { run: { probeCaBundle: { configMap: 'corp-ca', key: '.ca.pem' } } }).status).toBe(0);
    const badName = templateChart(h, { run: { probeCaBundle: { configMap: 'Corp CA' } } });
    expect(badName.status).not.toBe(0);
    expect(badName.stderr).toContain("at '/run/probeCaBundle/configMap'");
    const over = templateChart(h, { run: { probeCaBundle: { configMap: 'corp-ca', mountPath: '/etc/ztaudit/' } } });
    expect(over.status).not.toBe(0);
    expect(oneError(over)).toEqual([expect.stringContaining('run.probeCaBundle.mountPath /etc/ztaudit is where another volume of the pod is mounted (/etc/ztaudit, /tmp): mount the CA bundle at a path of its own')]);
    const lint = runHelm(h, ['lint', '--strict', CHART_DIR, ...LINT_API_SERVER, '--set', 'run.probeTls=true', '--set', 'run.probeCaBundle.configMap=corp-ca']);
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
  });

  it('renders values.config as ztaudit.yaml, which ztaudit itself accepts', () => {
    const config = {
      target: { podSecurityLevel: 'baseline' },
      systemNamespaces: ['kube-system', 'kube-public', 'kube-node-lease', 'ztaudit'],
      waivers: [{ check: 'rbac.wildcard-permission', resource: { kind: 'ClusterRole', name: 'ci-deployer' }, reason: 'until the rewrite', owner: 'platform@example.com', expires: '2027-03-31' }],
    };
    const objects = renderChart(h, { config });
    const cm = (byKind(objects, 'ConfigMap') as Obj[]).find((c) => c.metadata.name === 'zt-ztaudit-config');
    const parsed = parse(cm!.data['ztaudit.yaml']);
    expect(parsed).toEqual(config);
    const v = validateConfig(parsed, { file: 'ztaudit.yaml', checkIds: new Set(CHECK_BY_ID.keys()) });
    expect(v.errors).toEqual([]);
    expect(v.config.target.podSecurityLevel).toBe('baseline');
    // The default config is valid too.
    const def = (byKind(renderChart(h), 'ConfigMap') as Obj[])[0]!;
    expect(validateConfig(parse(def.data['ztaudit.yaml']), { file: 'ztaudit.yaml', checkIds: new Set(CHECK_BY_ID.keys()) }).errors).toEqual([]);
    // A config change rolls the daemon's pod (checksum annotation).
    const checksum = (v: Record<string, unknown>) => (byKind(renderChart(h, { mode: 'serve', ...v }), 'Deployment')[0] as Obj).spec.template.metadata.annotations['checksum/config'];
    expect(checksum({})).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum({ config })).not.toBe(checksum({}));
  });

  it('takes Slack and SMTP credentials from an existing Secret by reference and never renders a Secret', () => {
    const objects = renderChart(h, {
      notifications: {
        existingSecret: 'ztaudit-notify',
        slack: { enabled: true, channel: '#security', tokenKey: 'token' },
        email: { enabled: true, smtpUrlKey: 'smtp', from: 'ztaudit@example.com', to: ['sec@example.com', 'ops@example.com'] },
      },
    });
    expect(byKind(objects, 'Secret')).toHaveLength(0);
    const env = podTemplates(objects)[0]!.spec.containers[0].env as Obj[];
    const byName = new Map(env.map((e) => [e.name, e]));
    expect(byName.get('ZTAUDIT_SLACK_TOKEN')).toEqual({ name: 'ZTAUDIT_SLACK_TOKEN', valueFrom: { secretKeyRef: { name: 'ztaudit-notify', key: 'token' } } });
    expect(byName.get('ZTAUDIT_SMTP_URL')).toEqual({ name: 'ZTAUDIT_SMTP_URL', valueFrom: { secretKeyRef: { name: 'ztaudit-notify', key: 'smtp' } } });
    expect(byName.get('ZTAUDIT_SLACK_CHANNEL')?.value).toBe('#security');
    expect(byName.get('ZTAUDIT_EMAIL_TO')?.value).toBe('sec@example.com,ops@example.com');
    expect(argsOf(objects)).toContain('--notify');
    // Nothing secret-looking is ever rendered as a literal value.
    for (const e of env) if (/TOKEN|SMTP_URL/.test(e.name)) expect(e.value).toBeUndefined();
    // Enabling a channel without naming the Secret is a clear error, not a pod that fails later.
    const missing = templateChart(h, { notifications: { slack: { enabled: true, channel: '#x' } } });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('notifications.existingSecret is required');
  });

  it('run.formats takes every format the CLI writes without Chromium (csv included); pdf is refused, as the image has no Chromium', () => {
    const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as { properties: { run: { properties: { formats: { items: { enum: string[] } } } } } };
    expect([...schema.properties.run.properties.formats.items.enum].sort()).toEqual(REPORT_FORMATS.filter((f) => f !== 'pdf').sort());
    const args = argsOf(renderChart(h, { run: { formats: ['csv', 'sarif'] } }));
    expect(flag(args, '--format')).toBe('csv,sarif');
    expect(parseRunFlags(args.slice(1)).formats).toEqual(['csv', 'sarif']);
    const pdf = templateChart(h, { run: { formats: ['pdf'] } });
    expect(pdf.status).not.toBe(0);
    expect(pdf.stderr).toMatch(/formats/);
  });

  it('rejects unknown or mistyped values through values.schema.json', () => {
    const unknown = templateChart(h, { shedule: '0 2 * * *' });
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/shedule/);
    const badMode = templateChart(h, { mode: 'daemon' });
    expect(badMode.status).not.toBe(0);
    expect(badMode.stderr).toMatch(/mode/);
    const badCidr = templateChart(h, { networkPolicy: { enabled: true, apiServer: { cidrs: ['kubernetes.default'], ports: [443] } } });
    expect(badCidr.status).not.toBe(0);
    // Only the API server's rule has a CiliumNetworkPolicy twin: a cilium value elsewhere would promise one never rendered.
    for (const key of ['postgres', 'smtp', 'slack']) {
      const cilium = templateChart(h, { networkPolicy: { enabled: true, apiServer: { cidrs: ['10.0.0.1/32'], ports: [6443] }, [key]: { cidrs: ['192.0.2.0/24'], ports: [443], cilium: true } } });
      expect(cilium.status, `networkPolicy.${key}.cilium`).not.toBe(0);
      expect(cilium.stderr).toContain(`at '/networkPolicy/${key}': additional properties 'cilium' not allowed`);
    }
  });

  it("the NetworkPolicy denies ingress and limits egress to the API server, kube-dns, SMTP and Slack from values", () => {
    const objects = renderChart(h, {
      networkPolicy: {
        enabled: true,
        apiServer: { cidrs: ['10.0.0.1/32'], ports: [6443] },
        smtp: { cidrs: ['192.0.2.25/32'], ports: [587] },
        slack: { cidrs: ['198.51.100.0/24'], ports: [443] },
      },
    });
    const [np] = byKind(objects, 'NetworkPolicy') as Obj[];
    const [{ spec: pod }] = podTemplates(objects);
    const podLabels = (byKind(objects, 'CronJob')[0] as Obj).spec.jobTemplate.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(np!.spec.podSelector.matchLabels)) expect(podLabels[k]).toBe(v);
    expect(pod).toBeDefined();
    expect(np!.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np!.spec.ingress ?? []).toEqual([]);
    expect(np!.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.0.0.1/32' } }], ports: [{ port: 6443, protocol: 'TCP' }] },
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
      },
      { to: [{ ipBlock: { cidr: '192.0.2.25/32' } }], ports: [{ port: 587, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ port: 443, protocol: 'TCP' }] },
    ]);
    // serve mode: ingress to the HTTP port from the configured scrapers only.
    const from = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }];
    const [serveNp] = byKind(renderChart(h, { mode: 'serve', networkPolicy: { enabled: true, apiServer: { cidrs: ['0.0.0.0/0'], ports: [443] }, serveIngressFrom: from } }), 'NetworkPolicy') as Obj[];
    expect(serveNp!.spec.ingress).toEqual([{ from, ports: [{ port: 'http', protocol: 'TCP' }] }]);
  });

  it('allows egress to the API server endpoints looked up at install time, never the whole Internet; without a cluster it asks for them', async () => {
    // An operator who declares an egress gateway must not find the auditor itself bypassing it.
    const { config, errors } = validateConfig({ egress: { gateways: [{ cidr: '203.0.113.10/32' }] } }, { file: 'ztaudit.yaml', checkIds: new Set(CHECK_BY_ID.keys()) });
    expect(errors).toEqual([]);
    await withLookupCluster(async (kubeconfig) => {
      for (const mode of ['cronjob', 'serve']) {
        const objects = parseRendered(await templateChartAgainst(h, kubeconfig, { mode }));
        const [np] = byKind(objects, 'NetworkPolicy') as Obj[];
        expect(np!.spec.egress[0], mode).toEqual({
          to: [{ ipBlock: { cidr: '172.18.0.2/32' } }, { ipBlock: { cidr: '172.18.0.3/32' } }, { ipBlock: { cidr: 'fd00:10::2/128' } }],
          ports: [{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }],
        });
        const network = selfAudit(objects, config).findings.filter((f) => f.area === 'network');
        expect(network.map((f) => `${f.check} ${f.resource.kind}/${f.resource.name}: ${f.message}`), mode).toEqual([]);
      }
      // A value wins over the lookup.
      const [set] = byKind(parseRendered(await templateChartAgainst(h, kubeconfig, { networkPolicy: { apiServer: { cidrs: ['10.1.0.0/28'] } } })), 'NetworkPolicy') as Obj[];
      expect(set!.spec.egress[0].to).toEqual([{ ipBlock: { cidr: '10.1.0.0/28' } }]);
    });
    // minikube's API server listens on 8443, MicroK8s' on 16443: the EndpointSlice's port is
    // allowed too (kubeadm's 6443 above is not repeated), and NOTES says where it came from.
    for (const port of [8443, 16443]) {
      await withLookupCluster(async (kubeconfig) => {
        const r = await templateChartAgainst(h, kubeconfig, {});
        const [np] = byKind(parseRendered(r), 'NetworkPolicy') as Obj[];
        expect(np!.spec.egress[0].ports, String(port)).toEqual([443, 6443, port].map((p) => ({ port: p, protocol: 'TCP' })));
        // A value wins over the lookup, ports included: the operator who sets the addresses sets the ports.
        const [set] = byKind(parseRendered(await templateChartAgainst(h, kubeconfig, { networkPolicy: { apiServer: { cidrs: ['10.1.0.0/28'], ports: [443] } } })), 'NetworkPolicy') as Obj[];
        expect(set!.spec.egress[0].ports).toEqual([{ port: 443, protocol: 'TCP' }]);
        const { notes } = await installDryRun(h, kubeconfig);
        expect(notes).toContain(`allows egress to the API server at 172.18.0.2/32, 172.18.0.3/32, fd00:10::2/128 on port(s) 443, 6443, ${port}.`);
        expect(notes).toContain("with the EndpointSlice's port(s) added to networkPolicy.apiServer.ports");
      }, { port });
    }
    // helm template has no cluster: it fails, saying what to set, instead of opening everything.
    const bare = templateChart(h, { networkPolicy: { apiServer: { cidrs: [] } } });
    expect(bare.status).not.toBe(0);
    expect(bare.stderr).toContain("networkPolicy.apiServer.cidrs is empty and the API server's addresses could not be looked up");
    expect(bare.stderr).toContain('kubectl get endpointslice kubernetes -n default');
    // Without the NetworkPolicy nothing needs the addresses.
    expect(templateChart(h, { networkPolicy: { enabled: false, apiServer: { cidrs: [] } } }).status).toBe(0);
  });

  it("on Cilium a CiliumNetworkPolicy lets the auditor reach the API server on the cluster's nodes, which the ipBlock does not; Cilium's own policy repository agrees", async () => {
    const CNP = 'cilium.io/v2/CiliumNetworkPolicy';
    const cnpOf = (objects: KubeObject[]) => byKind(objects, 'CiliumNetworkPolicy') as Obj[];
    // auto (the default): rendered when the cluster serves cilium.io/v2, as helm install asks it
    // or helm template is told with --api-versions; true and false override.
    expect(cnpOf(renderChart(h, {}))).toEqual([]);
    expect(cnpOf(renderChart(h, { networkPolicy: { apiServer: { cilium: false } } }, { apiVersions: [CNP] }))).toEqual([]);
    expect(cnpOf(renderChart(h, { networkPolicy: { enabled: false } }, { apiVersions: [CNP] }))).toEqual([]);
    expect(cnpOf(renderChart(h, { networkPolicy: { apiServer: { cilium: true } } }))).toHaveLength(1);
    const objects = renderChart(h, {}, { apiVersions: [CNP] });
    const [cnp] = cnpOf(objects);
    const podLabels = (byKind(objects, 'CronJob')[0] as Obj).spec.jobTemplate.spec.template.metadata.labels;
    expect(cnp).toMatchObject({ apiVersion: 'cilium.io/v2', metadata: { name: 'zt-ztaudit-apiserver', namespace: 'ztaudit' } });
    for (const [k, v] of Object.entries(cnp!.spec.endpointSelector.matchLabels)) expect(podLabels[k]).toBe(v);
    expect(cnp!.spec.egress).toEqual([{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }, { port: '6443', protocol: 'TCP' }] }] }]);
    expect(runHelm(h, ['lint', '--strict', CHART_DIR, ...LINT_API_SERVER, '--set', 'networkPolicy.apiServer.cilium=true']).status).toBe(0);
    expect(templateChart(h, { networkPolicy: { apiServer: { cilium: 'yes' } } }).stderr).toContain("at '/networkPolicy/apiServer/cilium': value must be one of 'auto', true, false");
    // ztaudit finds nothing to flag in its own chart with the policy either.
    expect(selfAudit(objects).findings.filter((f) => ['network', 'pod-security', 'rbac'].includes(f.area)).map((f) => `${f.check} ${f.resource.name}`)).toEqual([]);

    // Detected at install: the stand-in serves cilium.io/v2 (and the slice's port reaches the CNP too); NOTES says so.
    await withLookupCluster(async (kubeconfig) => {
      const installed = await installDryRun(h, kubeconfig);
      const [looked] = cnpOf(installed.objects);
      expect(looked!.spec.egress[0].toPorts[0].ports).toEqual([{ port: '443', protocol: 'TCP' }, { port: '6443', protocol: 'TCP' }, { port: '8443', protocol: 'TCP' }]);
      expect(installed.notes).toContain('On Cilium, the CiliumNetworkPolicy zt-ztaudit-apiserver allows the kube-apiserver entity on the same ports too');
    }, { port: 8443, cilium: true });
    await withLookupCluster(async (kubeconfig) => {
      const installed = await installDryRun(h, kubeconfig);
      expect(cnpOf(installed.objects)).toEqual([]);
      expect(byKind(installed.objects, 'NetworkPolicy')).toHaveLength(2);
      expect(installed.notes).not.toContain('CiliumNetworkPolicy');
    });

    // Cilium's policy repository (test/oracles/cilium) on the rendered policies and the auditor's
    // pod: the API server on a node has the kube-apiserver identity (with remote-node), which an
    // ipBlock does not select (https://docs.cilium.io/en/stable/security/policy/language/#selecting-nodes-with-cidr-ipblock;
    // https://docs.cilium.io/en/stable/security/policy/language/#entities-based: kube-apiserver).
    const { bin, reason } = findOracle();
    if (!bin) return skipOrFail('the Cilium oracle part of the chart test', reason);
    const pod = podTemplates(objects)[0]!.spec;
    const scenario = (id: string, policies: KubeObject[]): OracleScenario => ({
      id, enforcement: 'default',
      namespaces: [{ name: 'ztaudit', labels: { 'kubernetes.io/metadata.name': 'ztaudit' } }],
      pods: [{ name: 'auditor', namespace: 'ztaudit', labels: podLabels, serviceAccount: pod.serviceAccountName, ports: [] }],
      externals: [{ name: 'apiserver-outside-cluster', ip: TEST_API_SERVER_CIDRS[0]!.split('/')[0]! }],
      policies: policies as Array<Record<string, unknown>>,
      flows: [
        { from: 'ztaudit/auditor', to: 'kube-apiserver', protocol: 'TCP', port: 443 },
        { from: 'ztaudit/auditor', to: 'kube-apiserver', protocol: 'TCP', port: 6443 },
        { from: 'ztaudit/auditor', to: 'kube-apiserver', protocol: 'TCP', port: 10250 },
        { from: 'ztaudit/auditor', to: 'remote-node', protocol: 'TCP', port: 6443 },
        { from: 'ztaudit/auditor', to: 'external:apiserver-outside-cluster', protocol: 'TCP', port: 6443 },
        { from: 'ztaudit/auditor', to: 'world', protocol: 'TCP', port: 443 },
      ],
    });
    const nps = byKind(objects, 'NetworkPolicy');
    const results = runOracle(bin, CLUSTER_NAME, [scenario('NetworkPolicy only', nps), scenario('with the CiliumNetworkPolicy', [...nps, cnp!])]);
    expect(results.map((r) => r.rejected)).toEqual([{}, {}]);
    expect(results.map((r) => r.flows.map((f) => f.egress))).toEqual([
      // Before: the API server on the nodes is cut off; only one outside the cluster is reached.
      ['denied', 'denied', 'denied', 'denied', 'allowed', 'denied'],
      // After: reached on its ports only; other nodes and the world stay closed.
      ['allowed', 'allowed', 'denied', 'denied', 'allowed', 'denied'],
    ]);
  });

  it('rbac.istioRevisions lets the auditor read a revisioned Istio\'s mesh config; without it the ConfigMaps it may read are still kept', async () => {
    // A cluster with a revisioned Istio (namespace shop labelled istio.io/rev=1-22, its istiod in
    // istio-system reading its injector config istio-sidecar-injector-1-22 there) and ingress-nginx,
    // answered as the rendered chart's RBAC would: get on a ConfigMap by the names its roles grant, 403 otherwise.
    const existing = new Set(['istio-system/istio-1-22', 'istio-system/istio-sidecar-injector-1-22', 'ingress-nginx/ingress-nginx-controller']);
    const istiod = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'istiod-1-22', namespace: 'istio-system' }, spec: { template: { spec: { containers: [{ name: 'discovery', image: 'docker.io/istio/pilot:1.22.3', env: [{ name: 'REVISION', value: '1-22' }, { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }] }] } } } };
    const collectAs = async (objects: KubeObject[]) => {
      const granted = (ns: string, name: string) => (objects as Obj[]).some((o) => (o.kind === 'ClusterRole' || (o.kind === 'Role' && o.metadata.namespace === ns))
        && (o.rules as Obj[]).some((r) => r.resources?.includes('configmaps') && r.verbs.includes('get') && (r.resourceNames === undefined || r.resourceNames.includes(name))));
      const client = {
        get: async (path: string) => {
          const [, , , , ns, , name] = path.split('/');
          if (!granted(ns!, name!)) return { status: 403, body: { kind: 'Status', code: 403, reason: 'Forbidden' } };
          return existing.has(`${ns}/${name}`) ? { status: 200, body: { metadata: { namespace: ns, name }, data: {} } } : { status: 404, body: {} };
        },
      } as unknown as KubeClient;
      const snapshot = { coverage: {}, notes: [], resources: { namespaces: [{ metadata: { name: 'shop', labels: { 'istio.io/rev': '1-22' } } }], pods: [], deployments: [istiod] } } as unknown as Snapshot;
      const refs = liveConfigMapRefs(defaultConfig());
      await collectConfigMaps(client, snapshot, { configMapRefs: (s) => [...refs(s), { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' }] }, 4);
      return { coverage: snapshot.coverage.configmaps, read: (snapshot.resources.configmaps ?? []).map((c) => `${c.metadata?.namespace}/${c.metadata?.name}`) };
    };
    // The default chart names only `istio`: istio-1-22 is refused, and the report says which value grants it,
    // but the ingress controller's ConfigMap the role does grant is not dropped with it.
    const defaults = await collectAs(renderChart(h));
    expect(defaults.coverage).toEqual({ status: 'forbidden', detail: 'get configmaps (denied for istio-system/istio-1-22, istio-system/istio-sidecar-injector-1-22; ConfigMaps are granted by name: add the Istio revision(s) 1-22 to the Helm value rbac.istioRevisions, or to resourceNames of your own role)' });
    expect(defaults.read).toEqual(['ingress-nginx/ingress-nginx-controller']);
    // With the revision named, everything is read.
    const objects = renderChart(h, { rbac: { create: true, istioRevisions: ['1-22'] } });
    const withRevision = await collectAs(objects);
    expect(withRevision.coverage).toEqual({ status: 'ok', count: 3 });
    expect(withRevision.read).toEqual(['ingress-nginx/ingress-nginx-controller', 'istio-system/istio-1-22', 'istio-system/istio-sidecar-injector-1-22']);
    // Granted in the Istio root namespace only, by exactly that name, and ztaudit finds nothing wrong with it.
    const [role] = (byKind(objects, 'Role') as Obj[]).filter((r) => r.metadata.name.endsWith('-istio-revisions'));
    expect(role!.metadata.namespace).toBe('istio-system');
    expect(role!.rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['istio-1-22', 'istio-sidecar-injector-1-22'], verbs: ['get'] }]);
    const rooted = (byKind(renderChart(h, { rbac: { create: true, istioRevisions: ['canary'] }, config: { mesh: { istioRootNamespace: 'istio-root' } } }), 'Role') as Obj[]).find((r) => r.metadata.name.endsWith('-istio-revisions'));
    expect(rooted!.metadata.namespace).toBe('istio-root');
    expect(selfAudit(objects).findings.filter((f) => f.area === 'rbac').map((f) => `${f.check} ${f.resource.kind}/${f.resource.name}`)).toEqual([]);
    expect(byKind(renderChart(h), 'Role').filter((r) => r.metadata?.name?.endsWith('-istio-revisions'))).toEqual([]);
  });

  describe('ztaudit audits its own chart', () => {
    for (const [label, values] of [
      ['cronjob, k8s history', {}],
      ['serve, sqlite history, notifications', {
        mode: 'serve', history: { type: 'sqlite' },
        notifications: { existingSecret: 'n', slack: { enabled: true, channel: '#s' }, email: { enabled: true, to: ['a@example.com'] } },
        networkPolicy: { enabled: true, apiServer: { cidrs: ['0.0.0.0/0'], ports: [443, 6443] }, smtp: { cidrs: ['192.0.2.0/24'], ports: [587] }, slack: { cidrs: ['198.51.100.0/24'], ports: [443] }, serveIngressFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] },
      }],
    ] as Array<[string, Record<string, unknown>]>) {
      it(`${label}: zero findings in network, pod-security and rbac, with the chart's objects evaluated`, () => {
        const report = selfAudit(renderChart(h, values));
        const areas = ['network', 'pod-security', 'rbac'];
        const findings = report.findings.filter((f) => areas.includes(f.area));
        expect(findings.map((f) => `${f.check} ${f.resource.kind}/${f.resource.name}: ${f.message}`)).toEqual([]);
        for (const a of areas) expect(report.score.areas[a as 'rbac']).toBe(100);
        // Not vacuous: the checks that matter looked at the auditor's own objects.
        const evaluated = (id: string) => report.checks.find((c) => c.id === id);
        for (const id of ['network.namespace-default-deny-ingress', 'network.namespace-default-deny-egress', 'network.unrestricted-egress',
          'pod-security.pod-violates-target', 'pod-security.pod-violates-enforced-level', 'rbac.secrets-cluster-read', 'rbac.wildcard-permission', 'rbac.privilege-escalation']) {
          expect(evaluated(id)?.status, id).toBe('pass');
          expect(evaluated(id)?.evaluated, id).toBeGreaterThan(0);
        }
      });
    }

    it('the same audit does flag the chart when its protections are taken away (control)', () => {
      const open = selfAudit(renderChart(h, { networkPolicy: { enabled: false, apiServer: { cidrs: ['0.0.0.0/0'], ports: [443] } } }));
      const net = new Set(open.findings.filter((f) => f.area === 'network').map((f) => f.check));
      expect(net).toContain('network.namespace-default-deny-ingress');
      expect(net).toContain('network.namespace-default-deny-egress');

      const weakened = renderChart(h) as Obj[];
      const cj = weakened.find((o) => o.kind === 'CronJob')!;
      const c = cj.spec.jobTemplate.spec.template.spec.containers[0];
      delete c.securityContext.capabilities;
      c.securityContext.allowPrivilegeEscalation = true;
      const ps = selfAudit(weakened).findings.filter((f) => f.area === 'pod-security').map((f) => f.check);
      expect(ps).toContain('pod-security.pod-violates-target');

      const greedy = renderChart(h) as Obj[];
      greedy.find((o) => o.kind === 'ClusterRole')!.rules.push({ apiGroups: [''], resources: ['secrets'], verbs: ['list'] });
      expect(selfAudit(greedy).findings.map((f) => f.check)).toContain('rbac.secrets-cluster-read');
    });
  });
});
