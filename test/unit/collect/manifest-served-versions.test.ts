// With a cluster version given (--cluster-version, cluster.version), a manifest at an older
// apiVersion that release no longer serves is skipped as `kubectl apply` to it would fail; without
// one, every older apiVersion is read as before.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { main } from '../../../src/cli/main.ts';
import { KINDS, type KindSpec } from '../../../src/snapshot/kinds.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';

const INGRESS = 'apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata: {name: web, namespace: shop}\nspec:\n  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - path: /\n        backend: {serviceName: web, servicePort: 80}\n';
const APP = [
  'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
  'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}\n',
  'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n',
  INGRESS,
].join('---\n');

async function runOn(text: string, ...flags: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'zt-served-'));
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm', 'app.yaml'), text);
  const io = captureIO(dir);
  const code = await main(['run', '--manifests', 'm', '--history', 'none', '--no-notify', '--out', 'out', ...flags], io.cli);
  return { code, report: JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as RunReport, errLines: io.errLines() };
}

// The deprecated API migration guide (kubernetes.io/docs/reference/using-api/deprecation-guide/):
// "The v1.16 release stopped serving" extensions/v1beta1, apps/v1beta1 and apps/v1beta2 DaemonSet,
// Deployment, StatefulSet, ReplicaSet and extensions/v1beta1 NetworkPolicy; v1.22 the Ingress
// (extensions/v1beta1, networking.k8s.io/v1beta1), IngressClass (networking.k8s.io/v1beta1), RBAC
// (rbac.authorization.k8s.io/v1beta1) and webhook (admissionregistration.k8s.io/v1beta1) betas;
// v1.25 batch/v1beta1 CronJob and discovery.k8s.io/v1beta1 EndpointSlice. The alpha versions are
// not in the guide: kubernetes CHANGELOG/CHANGELOG-1.23.md, "The rbac.authorization.k8s.io/v1alpha1
// API version is removed" (kubernetes#104248); batch/v2alpha1 was removed in v1.21 (k8s.io/api
// has batch/v2alpha1 at v0.20.0 and not at v0.21.0, the API types of Kubernetes v1.21.0).
const REMOVED_IN: Record<string, number> = {
  'apps/v1beta1 Deployment': 16, 'apps/v1beta2 Deployment': 16, 'extensions/v1beta1 Deployment': 16,
  'apps/v1beta1 StatefulSet': 16, 'apps/v1beta2 StatefulSet': 16,
  'apps/v1beta2 DaemonSet': 16, 'extensions/v1beta1 DaemonSet': 16,
  'apps/v1beta2 ReplicaSet': 16, 'extensions/v1beta1 ReplicaSet': 16,
  'extensions/v1beta1 NetworkPolicy': 16,
  'networking.k8s.io/v1beta1 Ingress': 22, 'extensions/v1beta1 Ingress': 22, 'networking.k8s.io/v1beta1 IngressClass': 22,
  'rbac.authorization.k8s.io/v1beta1 Role': 22, 'rbac.authorization.k8s.io/v1beta1 ClusterRole': 22,
  'rbac.authorization.k8s.io/v1beta1 RoleBinding': 22, 'rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding': 22,
  'rbac.authorization.k8s.io/v1alpha1 Role': 23, 'rbac.authorization.k8s.io/v1alpha1 ClusterRole': 23,
  'rbac.authorization.k8s.io/v1alpha1 RoleBinding': 23, 'rbac.authorization.k8s.io/v1alpha1 ClusterRoleBinding': 23,
  'admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration': 22,
  'batch/v1beta1 CronJob': 25, 'batch/v2alpha1 CronJob': 21,
  'discovery.k8s.io/v1beta1 EndpointSlice': 25,
};

describe('an older built-in apiVersion and the cluster version given', () => {
  it('every older apiVersion is stopped at the release the deprecation guide names', () => {
    const listed = Object.fromEntries((KINDS as readonly KindSpec[]).flatMap((k) => (k.olderApiVersions ?? []).map((o) => [`${o.apiVersion} ${k.kind}`, o.removedIn])));
    expect(listed).toEqual(REMOVED_IN);
  });

  it('a networking.k8s.io/v1beta1 Ingress for v1.25 (removed in v1.22) is skipped with one line naming file, object and apiVersion', () => {
    const parsed = parseManifestText(INGRESS, 'ing.yaml', 25);
    expect(parsed.objects).toEqual([]);
    const why = 'Ingress shop/web of apiVersion networking.k8s.io/v1beta1, not served by Kubernetes v1.25 (the cluster version given; removed in v1.22, use networking.k8s.io/v1): kubectl apply would fail: no matches for kind "Ingress" in version "networking.k8s.io/v1beta1"';
    expect(parsed.notes).toEqual([`ing.yaml:1: skipped ${why}`]);
    expect(parsed.broken).toEqual([{ where: 'ing.yaml:1', why, kind: 'ingresses' }]);
  });

  it('is read for v1.21, the last release that served it, and when no version is given', () => {
    for (const minor of [21, undefined]) {
      const parsed = parseManifestText(INGRESS, 'ing.yaml', minor);
      expect(parsed.broken).toEqual([]);
      expect(parsed.objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata?.name}`)).toEqual(['networking.k8s.io/v1 Ingress web']);
    }
  });

  it('each older apiVersion is read up to the release before its removal and skipped from it', () => {
    for (const [key, removedIn] of Object.entries(REMOVED_IN)) {
      const [apiVersion, kind] = key.split(' ');
      // A binding has its required roleRef (one without it is refused whatever its apiVersion).
      const roleRef = kind!.endsWith('Binding') ? 'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\n' : '';
      const text = `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: x, namespace: shop}\n${roleRef}`;
      expect(parseManifestText(text, 'a.yaml', removedIn - 1).objects, `${key} on v1.${removedIn - 1}`).toHaveLength(1);
      expect(parseManifestText(text, 'a.yaml', removedIn).objects, `${key} on v1.${removedIn}`).toEqual([]);
    }
  });

  it('--cluster-version v1.25: the Ingress is not read, its checks are not evaluated, and the warning is one line', async () => {
    const { report, errLines } = await runOn(APP, '--cluster-version', 'v1.25.4');
    expect(report.run.coverage.ingresses).toMatchObject({ status: 'error', detail: expect.stringMatching(/^m\/app\.yaml:\d+: Ingress shop\/web of apiVersion networking\.k8s\.io\/v1beta1, not served by Kubernetes v1\.25 /) });
    expect(report.checks.find((c) => c.id === 'tls.edge-auth-missing')?.status).toBe('not-evaluated');
    expect(report.findings.filter((f) => f.resource.kind === 'Ingress')).toEqual([]);
    // Off a terminal, each log line is one JSON object.
    expect(errLines.filter((l) => l.includes('networking.k8s.io/v1beta1')).map((l) => JSON.parse(l) as { level: string; msg: string })).toEqual([
      { time: expect.any(String), level: 'warn', msg: expect.stringMatching(/^m\/app\.yaml:19: skipped Ingress shop\/web of apiVersion networking\.k8s\.io\/v1beta1, not served by Kubernetes v1\.25 /) },
    ]);
  });

  it('--cluster-version v1.21, or none: the Ingress is read as before', async () => {
    for (const flags of [['--cluster-version', 'v1.21.0'], []]) {
      const { report } = await runOn(APP, ...flags);
      expect(report.run.coverage.ingresses).toEqual({ status: 'ok', count: 1 });
      expect(report.findings.filter((f) => f.check === 'tls.edge-auth-missing').map((f) => `${f.resource.kind} ${f.resource.name}`)).toEqual(['Ingress web']);
    }
  });
});
