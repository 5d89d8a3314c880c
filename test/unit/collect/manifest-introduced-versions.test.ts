// With a cluster version given (--cluster-version, cluster.version), a manifest of a built-in kind
// at an apiVersion that release does not serve YET is skipped as `kubectl apply` to it would fail
// ("no matches for kind"), as one at a version it no longer serves is
// (test/unit/collect/manifest-served-versions.test.ts); a built-in alpha version is read, with a
// note that the API server serves it only when turned on.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests, parseManifestText } from '../../../src/collect/manifests.ts';
import { main } from '../../../src/cli/main.ts';
import { apiVersionsOf, KINDS, SERVED_FROM, type KindSpec } from '../../../src/snapshot/kinds.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';

async function runOn(text: string, ...flags: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'zt-introduced-'));
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm', 'app.yaml'), text);
  const io = captureIO(dir);
  const code = await main(['run', '--manifests', 'm', '--history', 'none', '--no-notify', '--out', 'out', ...flags], io.cli);
  return { code, report: JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as RunReport, errLines: io.errLines() };
}

// The release each built-in apiVersion was first served at, where it is after v1.8:
// - the deprecated API migration guide (kubernetes.io/docs/reference/using-api/deprecation-guide/),
//   "Migrate manifests and API clients to use the … API version, available since": apps/v1 v1.9,
//   networking.k8s.io/v1 Ingress and IngressClass v1.19, admissionregistration.k8s.io/v1 v1.16,
//   batch/v1 CronJob v1.21, discovery.k8s.io/v1 v1.21;
// - k8s.io/api (github.com/kubernetes/api), the first kubernetes-1.N.0 tag whose types.go defines
//   and register.go registers the kind: networking/v1beta1 Ingress kubernetes-1.14.0, IngressClass
//   kubernetes-1.18.0, admissionregistration/v1beta1 MutatingWebhookConfiguration kubernetes-1.9.0,
//   discovery/v1beta1 EndpointSlice kubernetes-1.17.0 (the others above agree with the guide).
// Every other apiVersion ztaudit reads a built-in kind at is in k8s.io/api at kubernetes-1.8.0, its
// first tag (8: served by v1.8, earlier not known).
const AFTER_V1_8: Record<string, number> = {
  'apps/v1 Deployment': 9, 'apps/v1 StatefulSet': 9, 'apps/v1 DaemonSet': 9, 'apps/v1 ReplicaSet': 9,
  'batch/v1 CronJob': 21,
  'networking.k8s.io/v1 Ingress': 19, 'networking.k8s.io/v1 IngressClass': 19,
  'networking.k8s.io/v1beta1 Ingress': 14, 'networking.k8s.io/v1beta1 IngressClass': 18,
  'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration': 16, 'admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration': 9,
  'discovery.k8s.io/v1 EndpointSlice': 21, 'discovery.k8s.io/v1beta1 EndpointSlice': 17,
};

const INGRESS_V1 = 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: shop}\nspec:\n  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend: {service: {name: web, port: {number: 80}}}\n';
const APP = [
  'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
  'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}\n',
  'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n',
];
const builtins = (KINDS as readonly KindSpec[]).filter((k) => k.builtin);
const object = (apiVersion: string, kind: string) => `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: x, namespace: shop}\n`;

describe('a built-in apiVersion the cluster version given does not serve yet', () => {
  it('the table names every apiVersion ztaudit reads a built-in kind at, and when each was first served', () => {
    const expected = Object.fromEntries(builtins.flatMap((k) => apiVersionsOf(k).map((v) => [`${v} ${k.kind}`, AFTER_V1_8[`${v} ${k.kind}`] ?? 8])));
    expect(SERVED_FROM).toEqual(expected);
    // No custom resource is in it: a CRD's versions are its own, whatever the release.
    expect(Object.keys(SERVED_FROM).filter((key) => key.startsWith('gateway.networking.k8s.io/'))).toEqual([]);
  });

  it('a networking.k8s.io/v1 Ingress for v1.18 (first served in v1.19) is skipped with one line naming file, object, apiVersion and what to use', () => {
    const parsed = parseManifestText(INGRESS_V1, 'ing.yaml', 18);
    expect(parsed.objects).toEqual([]);
    const why = 'Ingress shop/web of apiVersion networking.k8s.io/v1, not served by Kubernetes v1.18 (the cluster version given; served from v1.19, use networking.k8s.io/v1beta1 or extensions/v1beta1): kubectl apply would fail: no matches for kind "Ingress" in version "networking.k8s.io/v1"';
    expect(parsed.notes).toEqual([`ing.yaml:1: skipped ${why}`]);
    expect(parsed.broken).toEqual([{ where: 'ing.yaml:1', why, kind: 'ingresses' }]);
  });

  it('is read for v1.19 and when no version is given', () => {
    for (const minor of [19, 34, undefined]) {
      const parsed = parseManifestText(INGRESS_V1, 'ing.yaml', minor);
      expect(parsed.broken, `v1.${minor}`).toEqual([]);
      expect(parsed.objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata?.name}`)).toEqual(['networking.k8s.io/v1 Ingress web']);
    }
  });

  it('each apiVersion first served after v1.8 is skipped the release before and read from it', () => {
    for (const [key, from] of Object.entries(AFTER_V1_8)) {
      const [apiVersion, kind] = key.split(' ');
      expect(parseManifestText(object(apiVersion, kind), 'a.yaml', from - 1).broken.map((b) => b.why), `${key} on v1.${from - 1}`)
        .toEqual([expect.stringContaining(`not served by Kubernetes v1.${from - 1} (the cluster version given; served from v1.${from}, `)]);
      expect(parseManifestText(object(apiVersion, kind), 'a.yaml', from).objects, `${key} on v1.${from}`).toHaveLength(1);
    }
  });

  it('says what that release does serve the kind at, or that it serves none ztaudit reads', () => {
    const why = (apiVersion: string, kind: string, minor: number) => parseManifestText(object(apiVersion, kind), 'a.yaml', minor).broken[0]?.why;
    // batch/v2alpha1 is not offered: alpha, it is off unless turned on.
    expect(why('batch/v1', 'CronJob', 20)).toContain('(the cluster version given; served from v1.21, use batch/v1beta1)');
    expect(why('networking.k8s.io/v1', 'IngressClass', 18)).toContain('served from v1.19, use networking.k8s.io/v1beta1)');
    expect(why('networking.k8s.io/v1', 'IngressClass', 17)).toContain('served from v1.19, it serves no IngressClass apiVersion ztaudit reads)');
    expect(why('discovery.k8s.io/v1', 'EndpointSlice', 20)).toContain('served from v1.21, use discovery.k8s.io/v1beta1)');
    expect(why('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 15)).toContain('served from v1.16, use admissionregistration.k8s.io/v1beta1)');
    expect(why('apps/v1', 'Deployment', 8)).toContain('served from v1.9, use apps/v1beta2 or apps/v1beta1 or extensions/v1beta1)');
    // A removed version still says it was removed.
    expect(why('networking.k8s.io/v1beta1', 'Ingress', 22)).toContain('(the cluster version given; removed in v1.22, use networking.k8s.io/v1)');
  });

  it('a custom resource (Gateway API) is read whatever the version: its CRD, not the release, serves it', () => {
    const route = 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: shop}\nspec: {}\n';
    expect(parseManifestText(route, 'r.yaml', 10).objects).toHaveLength(1);
  });

  it('--cluster-version v1.18: the v1 Ingress is not read, its checks are not evaluated, and the warning is one line', async () => {
    const { report, errLines } = await runOn([...APP, INGRESS_V1].join('---\n'), '--cluster-version', 'v1.18.20');
    expect(report.run.coverage.ingresses).toMatchObject({ status: 'error', detail: expect.stringMatching(/^m\/app\.yaml:\d+: Ingress shop\/web of apiVersion networking\.k8s\.io\/v1, not served by Kubernetes v1\.18 /) });
    expect(report.checks.find((c) => c.id === 'tls.edge-auth-missing')?.status).toBe('not-evaluated');
    expect(report.findings.filter((f) => f.resource.kind === 'Ingress')).toEqual([]);
    expect(errLines.filter((l) => l.includes('Ingress shop/web')).map((l) => JSON.parse(l) as { level: string; msg: string })).toEqual([
      { time: expect.any(String), level: 'warn', msg: expect.stringMatching(/^m\/app\.yaml:19: skipped Ingress shop\/web of apiVersion networking\.k8s\.io\/v1, not served by Kubernetes v1\.18 /) },
    ]);
  });

  it('--cluster-version v1.19: the v1 Ingress is read and judged', async () => {
    const { report } = await runOn([...APP, INGRESS_V1].join('---\n'), '--cluster-version', 'v1.19.0');
    expect(report.run.coverage.ingresses).toEqual({ status: 'ok', count: 1 });
    expect(report.findings.filter((f) => f.check === 'tls.edge-auth-missing').map((f) => `${f.resource.kind} ${f.resource.name}`)).toEqual(['Ingress web']);
  });

  it('a cluster version before v1.8 refuses only what came after v1.8, and says the rest is not checked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-introduced-'));
    writeFileSync(join(dir, 'a.yaml'), [APP[0], object('extensions/v1beta1', 'Deployment'), INGRESS_V1].join('---\n'));
    const s = loadManifests([dir], { clusterVersion: 'v1.7.0', cwd: '/' });
    expect(s.resources.deployments?.map((o) => o.metadata?.name)).toEqual(['x']);
    expect(s.coverage.ingresses).toMatchObject({ status: 'error', detail: expect.stringContaining('not served by Kubernetes v1.7 (the cluster version given; served from v1.19, use extensions/v1beta1)') });
    expect(s.notes).toContain('the cluster version given, v1.7, is older than v1.8: ztaudit does not know which apiVersions it served, so only those first served after v1.8 (networking.k8s.io/v1 Ingress, …) are refused; the others are read as served');
    expect(loadManifests([dir], { clusterVersion: 'v1.8.0', cwd: '/' }).notes.filter((n) => n.includes('older than v1.8'))).toEqual([]);
  });
});

describe('a built-in alpha apiVersion and the cluster version given', () => {
  // "Built-in alpha API versions are disabled by default and must be explicitly enabled in the
  // kube-apiserver configuration to be used" (kubernetes.io/docs/reference/using-api/#api-versioning).
  // An admin may have turned one on (--runtime-config): read, and said.
  const role = (name: string) => `apiVersion: rbac.authorization.k8s.io/v1alpha1\nkind: ClusterRole\nmetadata: {name: ${name}}\nrules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]\n`;
  const cron = 'apiVersion: batch/v2alpha1\nkind: CronJob\nmetadata: {name: c, namespace: shop}\nspec: {schedule: "* * * * *", jobTemplate: {spec: {template: {spec: {containers: [{name: c, image: busybox}]}}}}}\n';
  const ALPHA_NOTE = 'an alpha version Kubernetes v1.20 serves only when the API server turns it on (--runtime-config=rbac.authorization.k8s.io/v1alpha1=true; off by default, kubectl apply would fail): its findings, and those of this file\'s other objects of rbac.authorization.k8s.io/v1alpha1, apply only if it is on';

  it('is read, with one note per file and alpha apiVersion naming the first object', () => {
    const parsed = parseManifestText([role('a'), role('b'), cron].join('---\n'), 'alpha.yaml', 20);
    expect(parsed.objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata?.name}`)).toEqual([
      'rbac.authorization.k8s.io/v1 ClusterRole a', 'rbac.authorization.k8s.io/v1 ClusterRole b', 'batch/v1 CronJob c',
    ]);
    expect(parsed.broken).toEqual([]);
    expect(parsed.notes).toEqual([
      `alpha.yaml:1: read ClusterRole a of apiVersion rbac.authorization.k8s.io/v1alpha1, ${ALPHA_NOTE}`,
      'alpha.yaml:11: read CronJob shop/c of apiVersion batch/v2alpha1, an alpha version Kubernetes v1.20 serves only when the API server turns it on (--runtime-config=batch/v2alpha1=true; off by default, kubectl apply would fail): its findings, and those of this file\'s other objects of batch/v2alpha1, apply only if it is on',
    ]);
  });

  it('without a cluster version nothing is said (no release to judge), and from its removal it is skipped as before', () => {
    expect(parseManifestText(role('a'), 'alpha.yaml').notes).toEqual([]);
    expect(parseManifestText(role('a'), 'alpha.yaml', 23).broken.map((b) => b.why)).toEqual([expect.stringContaining('removed in v1.23')]);
  });

  it('a run judges the alpha objects (a wildcard role bound by an alpha binding) and warns once per apiVersion', async () => {
    const binding = 'apiVersion: rbac.authorization.k8s.io/v1alpha1\nkind: ClusterRoleBinding\nmetadata: {name: wild-ops}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: wild}\nsubjects: [{kind: User, name: mallory, apiVersion: rbac.authorization.k8s.io/v1alpha1}]\n';
    const { report, errLines } = await runOn(`${role('wild')}---\n${role('wild2')}---\n${binding}`, '--cluster-version', 'v1.20.0');
    expect(report.run.coverage.clusterroles).toEqual({ status: 'ok', count: 2 });
    expect(report.run.coverage.clusterrolebindings).toEqual({ status: 'ok', count: 1 });
    expect(report.findings.filter((f) => f.check === 'rbac.wildcard-permission').map((f) => `${f.resource.kind} ${f.resource.name}`)).toEqual(['User mallory']);
    expect(errLines.filter((l) => l.includes('alpha version')).map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([`m/app.yaml:1: read ClusterRole wild of apiVersion rbac.authorization.k8s.io/v1alpha1, ${ALPHA_NOTE}`]);
  });
});
