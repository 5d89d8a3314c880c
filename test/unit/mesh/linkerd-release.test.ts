// Linkerd's release when linkerd-config names none (or is not in the input): the control plane's
// Deployments linkerd-destination, linkerd-identity and linkerd-proxy-injector name it.
//
// Upstream (linkerd2, charts/linkerd-control-plane/templates/destination.yaml, identity.yaml,
// proxy-injector.yaml at stable-2.14.10 and edge-26.8.3): each Deployment carries the annotation
// `{{ include "partials.annotations.created-by" . }}` (charts/partials/templates/_metadata.tpl:
// `linkerd.io/created-by: {{ .Values.cliVersion | default (printf "linkerd/helm %s" ...linkerdVersion) }}`),
// the label `app.kubernetes.io/version: {{.Values.linkerdVersion}}`, labels
// linkerd.io/control-plane-component (destination, identity, proxy-injector) and
// linkerd.io/control-plane-ns: {{.Release.Namespace}}; its pod template the annotation
// linkerd.io/proxy-version (partials.proxy.annotations), and its component's container the image
// `{{.Values.controllerImage}}:{{.Values.controllerImageVersion | default .Values.linkerdVersion}}`
// (controllerImage: cr.l5d.io/linkerd/controller in values.yaml).
// What the release decides:
// - clusterNetworks' default holds fd00::/8 from commit a4c19b8c3 (#12291): values.yaml at
//   edge-24.3.4 and version-2.16 has "...,192.168.0.0/16,fd00::/8"; edge-24.3.3, version-2.15 and
//   stable-2.14.10 do not.
// - the install's settings (proxyInit, cniEnabled, identityTrustDomain) are under `global` up to
//   stable-2.9 / edge-21.2.1 and top-level from stable-2.10.0 / edge-21.2.2
//   (pkg/charts/linkerd2/values.go `Global *Global` at edge-21.2.1, none at stable-2.10.0); a
//   top-level proxyInit missing makes the injector fail on every pod (pkg/inject/inject.go
//   injectProxyInit at stable-2.14.10, linkerd-installed-ignore-ports.test.ts).
// Before: only linkerd-config's values were read for the release, so fd00::/8 was always "unknown"
// without them, and values holding a `global` mapping but no version were read as a 2.9 install.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { workloadOutsideMesh } from '../../../checks/mtls/workload-outside-mesh.ts';
import { meshModel } from '../../../src/analysis/mesh/index.ts';
import { ctxOf, run } from './helpers.ts';

type ControlPlane = { name?: string; component?: string; ns?: string; createdBy?: string; versionLabel?: string; proxyVersion?: string; image?: string; labelled?: boolean };
/** A control-plane Deployment as linkerd2's chart writes it, with only the version marks asked for. */
const controlPlane = ({ name = 'linkerd-destination', component = 'destination', ns = 'linkerd', createdBy, versionLabel, proxyVersion, image = 'cr.l5d.io/linkerd/controller', labelled = true }: ControlPlane) => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
  labels: {${labelled ? `linkerd.io/control-plane-component: ${component}, linkerd.io/control-plane-ns: ${ns}` : ''}${versionLabel ? `, app.kubernetes.io/version: ${versionLabel}` : ''}}
  annotations: {${createdBy ? `linkerd.io/created-by: ${createdBy}` : ''}}
spec:
  selector: {matchLabels: {linkerd.io/control-plane-component: ${component}}}
  template:
    metadata:
      labels: {linkerd.io/control-plane-component: ${component}, linkerd.io/control-plane-ns: ${ns}}
      annotations: {${proxyVersion ? `linkerd.io/proxy-version: ${proxyVersion}` : ''}}
    spec:
      containers: [{name: ${component}, image: "${image}"}]
---`;

// No linkerd-config: the namespace's default inbound policy admits the cluster networks.
const networkScene = (controlPlanes: string) => `apiVersion: v1
kind: Namespace
metadata: {name: linkerd}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: cluster-unauthenticated}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: example/api:1, ports: [{containerPort: 8080}]}]
---${controlPlanes}`;

async function reachFrom(yaml: string, from: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-linkerd-release-'));
  writeFileSync(join(dir, 'all.yaml'), yaml);
  const out: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
  await main(['reach', '--manifests', dir, '--from', from, '--to', 'shop/api', '--port', '8080', '-o', 'json'], io);
  return (JSON.parse(out.join('')) as { mesh: { verdict: string; reason: string } }).mesh;
}

describe('Linkerd release from the control-plane Deployments: fd00::/8 in the default cluster networks', () => {
  it('linkerd/helm edge-24.5.1 on linkerd-destination: fd00::5 ALLOWED (was: UNKNOWN)', async () => {
    const mesh = await reachFrom(networkScene(controlPlane({ createdBy: 'linkerd/helm edge-24.5.1' })), 'fd00::5');
    expect(mesh.verdict).toBe('allowed');
    expect(mesh.reason).toContain("fd00::5 is in the cluster networks (Linkerd's default clusterNetworks 10.0.0.0/8,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16,fd00::/8 (the default from 2.16 and edge-24.3.4 on; the control plane's release edge-24.5.1 (Deployment linkerd/linkerd-destination annotation linkerd.io/created-by))");
  });

  it('stable-2.14.10, by the created-by annotation, the app.kubernetes.io/version label, the proxy-version annotation or the controller image tag: fd00::5 DENIED (was: UNKNOWN)', async () => {
    const marks: Array<[ControlPlane, string]> = [
      [{ createdBy: 'linkerd/cli stable-2.14.10' }, 'annotation linkerd.io/created-by'],
      [{ versionLabel: 'stable-2.14.10' }, 'label app.kubernetes.io/version'],
      [{ name: 'linkerd-identity', component: 'identity', proxyVersion: 'stable-2.14.10' }, 'pod template annotation linkerd.io/proxy-version'],
      [{ name: 'linkerd-proxy-injector', component: 'proxy-injector', image: 'cr.l5d.io/linkerd/controller:stable-2.14.10' }, 'image cr.l5d.io/linkerd/controller:stable-2.14.10'],
    ];
    for (const [cp, where] of marks) {
      const mesh = await reachFrom(networkScene(controlPlane(cp)), 'fd00::5');
      expect(mesh.verdict, where).toBe('denied');
      expect(mesh.reason, where).toContain(`(the default before 2.16 and edge-24.3.4, which add fd00::/8; the control plane's release stable-2.14.10 (Deployment linkerd/${cp.name ?? 'linkerd-destination'} ${where}))`);
    }
  });

  it('still UNKNOWN when the Deployments name releases on both sides of 2.16, or when none is the chart\'s (no control-plane labels, no version)', async () => {
    const mixed = await reachFrom(networkScene(controlPlane({ createdBy: 'linkerd/helm stable-2.14.10' }) + controlPlane({ name: 'linkerd-identity', component: 'identity', createdBy: 'linkerd/helm edge-24.5.1' })), 'fd00::5');
    expect(mixed.verdict).toBe('unknown');
    expect(mixed.reason).toContain("the control plane's Deployments name releases on both sides (edge-24.5.1 (Deployment linkerd/linkerd-identity annotation linkerd.io/created-by), stable-2.14.10 (Deployment linkerd/linkerd-destination annotation linkerd.io/created-by))");
    for (const cp of [{ createdBy: 'linkerd/helm edge-24.5.1', labelled: false }, { ns: 'shop', createdBy: 'linkerd/helm edge-24.5.1', labelled: false }, { createdBy: 'linkerd/helm linkerdVersionValue', image: 'cr.l5d.io/linkerd/controller@sha256:0123' }]) {
      const mesh = await reachFrom(networkScene(controlPlane(cp)), 'fd00::5');
      expect(mesh.verdict, JSON.stringify(cp)).toBe('unknown');
      expect(mesh.reason).toContain('the release installed is not read');
    }
  });
});

// linkerd-config whose values hold a `global` mapping with proxyInit and no top-level proxyInit,
// and name no release: what `helm upgrade --reuse-values` from 2.9 leaves.
const GLOBAL_VALUES = `
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: |
    proxy:
      defaultInboundPolicy: all-unauthenticated
    global:
      proxyInit: {ignoreInboundPorts: "", ignoreOutboundPorts: ""}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: example/api:1}]
---`;

describe('Linkerd release from the control-plane Deployments: where linkerd-config keeps the install settings', () => {
  it('a 2.14 control plane reads proxyInit top-level only: none there, so the injector fails and the workload runs without a proxy (was: meshed, global.proxyInit read)', () => {
    const ctx = ctxOf(GLOBAL_VALUES + controlPlane({ name: 'linkerd-proxy-injector', component: 'proxy-injector', createdBy: 'linkerd/helm stable-2.14.10' }));
    expect(meshModel(ctx.snapshot, ctx.config).linkerd.proxyInit.absent).toBe("the values in ConfigMap linkerd/linkerd-config have no proxyInit (the control plane's release stable-2.14.10 (Deployment linkerd/linkerd-proxy-injector annotation linkerd.io/created-by): that release reads it top-level, not under global)");
    const v = run(workloadOutsideMesh, ctx).find((x) => x.resource.name === 'api')!;
    expect(v.status).toBe('fail');
    expect(v.message).toContain("Linkerd's proxy injector cannot inject it");
  });

  it('a 2.9 control plane reads global.proxyInit: the workload is meshed, as before', () => {
    const ctx = ctxOf(GLOBAL_VALUES + controlPlane({ name: 'linkerd-proxy-injector', component: 'proxy-injector', createdBy: 'linkerd/helm stable-2.9.4' }));
    expect(meshModel(ctx.snapshot, ctx.config).linkerd.proxyInit.absent).toBeUndefined();
    expect(run(workloadOutsideMesh, ctx).find((x) => x.resource.name === 'api')!.status).toBe('pass');
  });

  it('linkerd-config\'s own linkerd.io/created-by annotation names the release before the Deployments do', () => {
    const own = GLOBAL_VALUES.replace('metadata: {name: linkerd-config, namespace: linkerd}', 'metadata: {name: linkerd-config, namespace: linkerd, annotations: {linkerd.io/created-by: linkerd/helm stable-2.9.4}}');
    const ctx = ctxOf(own + controlPlane({ name: 'linkerd-proxy-injector', component: 'proxy-injector', createdBy: 'linkerd/helm stable-2.14.10' }));
    expect(meshModel(ctx.snapshot, ctx.config).linkerd.proxyInit.absent).toBeUndefined();
  });
});
