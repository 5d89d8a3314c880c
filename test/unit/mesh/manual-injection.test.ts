// A pod template that already carries the mesh proxy was injected by hand, and its pods run that
// proxy whatever the injection labels say:
// - Istio: `istioctl kube-inject` writes the istio-proxy (and istio-init) containers and the
//   sidecar.istio.io/status annotation into the template
//   (https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#manual-sidecar-injection);
//   with native sidecars istio-proxy is an init container with restartPolicy Always.
// - Linkerd: `linkerd inject --manual` "perform[s] the full injection purely on the client side"
//   (https://linkerd.io/2/reference/cli/inject), adding linkerd-proxy; the proxy injector then skips
//   the pod, which "has a sidecar injected already" (linkerd2 pkg/inject/report.go), and copies no
//   namespace config annotation onto it (controller/proxy-injector/webhook.go copies them only when
//   it injects), so the pod's own annotations, else the cluster default, set its policy.
// /work/shared/reference/checks.md §4.3: verify membership on the istio-proxy container rather
// than labels alone. Before: such workloads were judged outside the mesh in --manifests mode
// (reach ALLOWED "not in a service mesh", no mtls.authz-missing finding).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { meshModel } from '../../../src/analysis/mesh/index.ts';
import { istioMembership } from '../../../src/analysis/mesh/istio.ts';
import { authzMissing } from '../../../checks/mtls/authz-missing.ts';
import { workloadOutsideMesh } from '../../../checks/mtls/workload-outside-mesh.ts';
import { linkerdUnauthenticatedDefault } from '../../../checks/mtls/linkerd-unauthenticated-default.ts';
import { ctxOf, fails, run } from './helpers.ts';

const LEGACY = `
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: old, namespace: legacy}
spec:
  selector: {matchLabels: {app: old}}
  template:
    metadata: {labels: {app: old}}
    spec:
      containers: [{name: app, image: x/old:1}]
---`;

const STATUS = `'{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["istio-envoy"],"imagePullSecrets":null,"revision":"default"}'`;

/** shop/api as istioctl kube-inject writes it (sidecar form, or native sidecar), in a namespace without injection labels; mesh-wide STRICT. */
const istio = (o: { native?: boolean; nsLabels?: string; podLabels?: string } = {}) => `
apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {${o.nsLabels ?? ''}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata:
      labels: {app: api, security.istio.io/tlsMode: istio${o.podLabels ? `, ${o.podLabels}` : ''}}
      annotations: {sidecar.istio.io/status: ${STATUS}}
    spec:
      serviceAccountName: api
${o.native
    ? `      initContainers:
      - {name: istio-init, image: docker.io/istio/proxyv2:1.27.0}
      - {name: istio-proxy, image: docker.io/istio/proxyv2:1.27.0, args: [proxy, sidecar], restartPolicy: Always}
      containers:
      - {name: app, image: x/api:1, ports: [{containerPort: 8080}]}`
    : `      initContainers: [{name: istio-init, image: docker.io/istio/proxyv2:1.27.0}]
      containers:
      - {name: app, image: x/api:1, ports: [{containerPort: 8080}]}
      - {name: istio-proxy, image: docker.io/istio/proxyv2:1.27.0, args: [proxy, sidecar]}`}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{name: http, port: 80, targetPort: 8080}]}
---${LEGACY}`;

/** shop/api as linkerd inject --manual writes it; the namespace has no inject annotation; cluster default from linkerd-config. */
const linkerd = (o: { clusterDefault?: string; nsAnnotations?: string; podAnnotations?: string } = {}) => `
apiVersion: v1
kind: Namespace
metadata: {name: linkerd}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: |
    proxy:
      defaultInboundPolicy: ${o.clusterDefault ?? 'all-authenticated'}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {${o.nsAnnotations ?? ''}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata:
      labels: {app: api}
      annotations: {linkerd.io/created-by: linkerd/cli stable-2.14.10, linkerd.io/proxy-version: stable-2.14.10, linkerd.io/identity-mode: default${o.podAnnotations ? `, ${o.podAnnotations}` : ''}}
    spec:
      serviceAccountName: api
      initContainers: [{name: linkerd-init, image: cr.l5d.io/linkerd/proxy-init:v2.2.3}]
      containers:
      - {name: linkerd-proxy, image: cr.l5d.io/linkerd/proxy:stable-2.14.10, ports: [{containerPort: 4143, name: linkerd-proxy}, {containerPort: 4191, name: linkerd-admin}]}
      - {name: app, image: x/api:1, ports: [{containerPort: 8080, name: http}]}
---${LEGACY}`;

function manifests(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-manual-injection-'));
  writeFileSync(join(dir, 'all.yaml'), yaml);
  return dir;
}

async function reach(yaml: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const dir = manifests(yaml);
  const out: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
  const code = await main(['reach', '--manifests', dir, ...args], io);
  return { code, out: out.join('') };
}

const matrixLine = (out: string, pair: string) => out.split('\n').find((l) => l.startsWith(`${pair} : `)) ?? `${pair} : (no line)`;
const api = (ctx: ReturnType<typeof ctxOf>) => meshModel(ctx.snapshot, ctx.config).workloads.find((w) => w.workload.ref.name === 'api')!;

describe('Istio: a template istioctl kube-inject wrote is in the mesh', () => {
  it('reach: a plaintext caller meets STRICT and is DENIED (was: ALLOWED, "not in a service mesh"); the matrix agrees', async () => {
    for (const native of [false, true]) {
      const r = await reach(istio({ native }), '--from', 'legacy/old', '--to', 'shop/api', '--port', '8080');
      expect(r.code, `native ${native}`).toBe(1);
      expect(r.out.split('\n')[0]).toBe('DENIED: legacy/old[Deployment] -> shop/api[Deployment] on 8080/TCP');
      expect(r.out).toContain('mesh DENIED: port 8080 of shop/api requires mTLS (PeerAuthentication istio-system/default STRICT); the caller has no mesh proxy');
      const matrix = (await reach(istio({ native }), '--matrix', '--effective')).out;
      expect(matrixLine(matrix, 'legacy/old[Deployment] => shop/api[Deployment]')).toBe('legacy/old[Deployment] => shop/api[Deployment] : SCTP 1-65535,UDP 1-65535 [mesh istio]');
    }
  });

  it('mtls.authz-missing: api has no AuthorizationPolicy, a medium finding (was: nothing to judge)', () => {
    const [f] = fails(run(authzMissing, ctxOf(istio())));
    expect(f).toMatchObject({ resource: { kind: 'Deployment', namespace: 'shop', name: 'api' } });
    expect(authzMissing.severity).toBe('medium');
    expect(f.severity ?? authzMissing.severity).toBe('medium');
    expect(f.message).toBe('Deployment shop/api is meshed but no ALLOW AuthorizationPolicy applies to it (in shop or istio-system): it accepts calls from any caller the network lets in');
  });

  it('the membership says how: the container in the template, with the status annotation kube-inject writes', () => {
    const w = api(ctxOf(istio({ native: true })));
    expect(w).toMatchObject({ mesh: 'istio', meshedPods: 1, unmeshedPods: 0, istio: { mode: 'STRICT' } });
    expect(istioMembership({}, w.workload.pods[0])).toEqual({ meshed: true, dataplane: 'sidecar', requested: false, reason: 'istio-proxy container in the pod template (manually injected, sidecar.istio.io/status set)' });
  });

  it('sidecar.istio.io/inject: "false" stops the webhook, not the proxy the template carries: still meshed, and workload-outside-mesh passes', () => {
    const ctx = ctxOf(istio({ nsLabels: 'istio-injection: enabled', podLabels: 'sidecar.istio.io/inject: "false"' }));
    expect(api(ctx)).toMatchObject({ mesh: 'istio', unmeshedPods: 0 });
    const v = run(workloadOutsideMesh, ctx).find((x) => x.resource.name === 'api');
    expect(v).toMatchObject({ status: 'pass', message: 'Deployment shop/api runs in the istio mesh.' });
  });

  // A proxy already running `proxy router` with its image set is a rendered gateway (istiod's
  // gateway controller writes exactly that: istio/istio pilot/pkg/config/kube/gatewaycommon/testdata/deployment/simple.yaml,
  // sidecar.istio.io/inject "false"): it runs Envoy with an Istio identity, so it is in the mesh as
  // a gateway whatever its labels say. A bare istio-proxy container without those args is left to
  // its labels (gateway injection fills it in).
  it('a gateway\'s standalone proxy: the only container without `proxy router` is left to its labels; one running `proxy router` is a meshed gateway', () => {
    const gateway = (container: string) => `${LEGACY}
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-egressgateway, namespace: shop}
spec:
  selector: {matchLabels: {istio: egressgateway}}
  template:
    metadata: {labels: {istio: egressgateway, sidecar.istio.io/inject: "false"}}
    spec:
      containers:
      - ${container}
`;
    const bare = ctxOf(gateway('{name: istio-proxy, image: docker.io/istio/proxyv2:1.27.0}'));
    expect(meshModel(bare.snapshot, bare.config).workloads.find((w) => w.workload.ref.name === 'istio-egressgateway')).toMatchObject({ mesh: 'none', unmeshedReason: 'no injection label on namespace or pod' });
    for (const c of ['{name: istio-proxy, image: docker.io/istio/proxyv2:1.27.0, args: [proxy, router]}', '{name: istio-proxy, image: docker.io/istio/proxyv2:1.27.0, args: [proxy, router]}\n      - {name: helper, image: x/h:1}']) {
      const ctx = ctxOf(gateway(c));
      expect(meshModel(ctx.snapshot, ctx.config).workloads.find((w) => w.workload.ref.name === 'istio-egressgateway'), c).toMatchObject({ mesh: 'istio' });
    }
    // A placeholder (image: auto) that gateway injection fills in is still left to the labels.
    const auto = ctxOf(gateway('{name: istio-proxy, image: auto, args: [proxy, router]}'));
    expect(meshModel(auto.snapshot, auto.config).workloads.find((w) => w.workload.ref.name === 'istio-egressgateway')).toMatchObject({ mesh: 'none' });
  });

  it('without the proxy in the template, the labels still decide (no injection label: outside the mesh)', () => {
    const plain = istio().replace(/      - \{name: istio-proxy[^\n]*\n/, '');
    expect(plain).not.toContain('name: istio-proxy');
    expect(api(ctxOf(plain))).toMatchObject({ mesh: 'none', unmeshedReason: 'no injection label on namespace or pod' });
  });
});

describe('Linkerd: a template linkerd inject --manual wrote is in the mesh', () => {
  it('reach: cluster default all-authenticated refuses the plaintext caller, DENIED (was: ALLOWED, "not in a service mesh"); the matrix agrees', async () => {
    const r = await reach(linkerd(), '--from', 'legacy/old', '--to', 'shop/api', '--port', '8080');
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toBe('DENIED: legacy/old[Deployment] -> shop/api[Deployment] on 8080/TCP');
    expect(r.out).toContain('mesh DENIED: no Server covers port 8080: default inbound policy all-authenticated (ConfigMap linkerd/linkerd-config (proxy.defaultInboundPolicy)); all-authenticated refuses clients without a mesh identity');
    const matrix = (await reach(linkerd(), '--matrix', '--effective')).out;
    // Linkerd's default proxyInit.ignoreInboundPorts 4567,4568, assumed (linkerd-config has no proxyInit): they skip the proxy if the install keeps them.
    expect(matrixLine(matrix, 'legacy/old[Deployment] => shop/api[Deployment]')).toBe('legacy/old[Deployment] => shop/api[Deployment] : SCTP 1-65535,TCP 4567-4568,UDP 1-65535 [mesh linkerd: TCP 4567 unknown, TCP 4568 unknown]');
  });

  it('mtls.authz-missing: port 8080 has no Server, a medium finding naming the default', () => {
    const [f] = fails(run(authzMissing, ctxOf(linkerd())));
    expect(f).toMatchObject({ resource: { kind: 'Deployment', namespace: 'shop', name: 'api' } });
    expect(f.severity ?? authzMissing.severity).toBe('medium');
    expect(f.message).toBe('Deployment shop/api accepts any caller its policy admits on port 8080 (no Server; default all-authenticated): no Server with authorization restricts who may call');
  });

  it('linkerd.io/inject: disabled on the template does not remove the proxy it carries: still meshed', () => {
    const w = api(ctxOf(linkerd({ podAnnotations: 'linkerd.io/inject: disabled' })));
    expect(w).toMatchObject({ mesh: 'linkerd', unmeshedPods: 0, linkerdPolicy: { policy: 'all-authenticated' } });
  });

  it('the namespace\'s default-inbound-policy never reaches a pod injected by hand: the cluster default applies, and no restart is suggested', () => {
    const ctx = ctxOf(linkerd({ clusterDefault: 'all-unauthenticated', nsAnnotations: 'config.linkerd.io/default-inbound-policy: deny' }));
    expect(api(ctx).linkerdPolicy).toEqual({ policy: 'all-unauthenticated', source: 'ConfigMap linkerd/linkerd-config (proxy.defaultInboundPolicy)' });
    const v = run(linkerdUnauthenticatedDefault, ctx).find((x) => x.resource.name === 'api');
    expect(v).toMatchObject({ status: 'fail', severity: 'high' });
    expect(v?.message).not.toMatch(/restart/);
    // Its own annotation does apply.
    expect(api(ctxOf(linkerd({ clusterDefault: 'all-unauthenticated', podAnnotations: 'config.linkerd.io/default-inbound-policy: deny' }))).linkerdPolicy).toMatchObject({ policy: 'deny', source: 'pod annotation config.linkerd.io/default-inbound-policy' });
  });

  it('a running pod linkerd/cli created is not told a restart picks up its namespace\'s policy (the injector skips it then too); one the injector created is', () => {
    const livePod = (createdBy: string) => `
---
apiVersion: v1
kind: Pod
metadata: {name: api-0, namespace: shop, labels: {app: api}, annotations: {linkerd.io/created-by: ${createdBy}}}
spec: {containers: [{name: app, image: x, ports: [{containerPort: 8080}]}, {name: linkerd-proxy, image: y}]}
`;
    const base = linkerd({ clusterDefault: 'all-unauthenticated', nsAnnotations: 'config.linkerd.io/default-inbound-policy: deny' }).replace(/---\napiVersion: apps\/v1\nkind: Deployment\nmetadata: \{name: api[\s\S]*?\n---/, '---');
    const judged = (createdBy: string) => run(linkerdUnauthenticatedDefault, ctxOf(base + livePod(createdBy))).find((x) => x.resource.name === 'api-0');
    const manual = judged('linkerd/cli stable-2.14.10');
    expect(manual).toMatchObject({ status: 'fail', evidence: { policy: 'all-unauthenticated' } });
    expect(manual?.evidence).not.toHaveProperty('pendingOnRestart');
    const webhook = judged('linkerd/proxy-injector stable-2.14.10');
    expect(webhook).toMatchObject({ status: 'fail', evidence: { policy: 'all-unauthenticated', pendingOnRestart: { value: 'deny' } } });
    expect(webhook?.message).toMatch(/restart them to pick it up/);
  });
});
