// Custom resources at the versions their upstream CRDs serve (src/snapshot/kinds.ts cites the tags):
// read from manifests as kubectl apply would accept them; a version no supported release serves is
// still skipped with a warning.
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { main } from '../../../src/cli/main.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';

async function runOn(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'zt-crdver-'));
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm/app.yaml'), text);
  const io = captureIO(dir);
  await main(['run', '--manifests', 'm', '--history', 'none', '--no-notify', '-q', '--out', 'out'], io.cli);
  return JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as RunReport;
}

// Served upstream, same schema as the version after them:
// - gateway.networking.k8s.io v1alpha2 Gateway, GatewayClass, HTTPRoute: kubernetes-sigs/gateway-api
//   config/crd/standard at v0.6.0 and v0.7.0 (served, deprecated; unserved from v0.8.0).
// - ReferenceGrant v1alpha2: config/crd/standard at v1.0.0, config/crd/experimental at v1.1.0.
// - policy.linkerd.io v1alpha1 Server and ServerAuthorization: linkerd/linkerd2
//   charts/linkerd-crds/templates/policy/{server,server-authorization}.yaml at stable-2.14.10 and edge-26.8.3.
const NEWLY = [
  ['gatewayapi.gatewayclasses', 'apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: GatewayClass\nmetadata: {name: gc}\nspec: {controllerName: example.com/gw}\n'],
  ['gatewayapi.gateways', 'apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: Gateway\nmetadata: {name: gw, namespace: shop}\nspec: {gatewayClassName: gc, listeners: [{name: http, port: 80, protocol: HTTP}]}\n'],
  ['gatewayapi.httproutes', 'apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: HTTPRoute\nmetadata: {name: r, namespace: shop}\nspec: {parentRefs: [{name: gw}], rules: [{backendRefs: [{name: web, port: 80}]}]}\n'],
  ['gatewayapi.referencegrants', 'apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: ReferenceGrant\nmetadata: {name: g, namespace: shop}\nspec: {from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: edge}], to: [{group: "", kind: Service}]}\n'],
  ['linkerd.servers', 'apiVersion: policy.linkerd.io/v1alpha1\nkind: Server\nmetadata: {name: web-http, namespace: shop}\nspec: {podSelector: {matchLabels: {app: web}}, port: 80, proxyProtocol: HTTP/1}\n'],
  ['linkerd.serverauthorizations', 'apiVersion: policy.linkerd.io/v1alpha1\nkind: ServerAuthorization\nmetadata: {name: web-any, namespace: shop}\nspec: {server: {name: web-http}, client: {unauthenticated: true}}\n'],
] as const;

const SHOP = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';

describe('custom resources at a version their upstream CRD serves', () => {
  it('are read, none skipped', () => {
    const parsed = parseManifestText(NEWLY.map(([, y]) => y).join('---\n'), 'crs.yaml');
    expect(parsed.broken).toEqual([]);
    expect(parsed.notes).toEqual([]);
    expect(parsed.objects.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual([
      'gateway.networking.k8s.io/v1alpha2 GatewayClass', 'gateway.networking.k8s.io/v1alpha2 Gateway',
      'gateway.networking.k8s.io/v1alpha2 HTTPRoute', 'gateway.networking.k8s.io/v1alpha2 ReferenceGrant',
      'policy.linkerd.io/v1alpha1 Server', 'policy.linkerd.io/v1alpha1 ServerAuthorization',
    ]);
  });

  it('their kinds are read in a run (they counted as not read, the checks needing them not evaluated)', async () => {
    const report = await runOn([SHOP, ...NEWLY.map(([, y]) => y)].join('---\n'));
    for (const [key] of NEWLY) expect(report.run.coverage[key], key).toEqual({ status: 'ok', count: 1 });
    expect(report.run.partial ?? []).toEqual([]);
  });

  it('a v1alpha2 Gateway serving a v1alpha2 HTTPRoute over plain HTTP fails tls.ingress-without-tls (the check was not evaluated)', async () => {
    const gw = [
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: infra}\n',
      'apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: GatewayClass\nmetadata: {name: eg}\nspec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}\n',
      'apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: Gateway\nmetadata: {name: public, namespace: infra}\nspec:\n  gatewayClassName: eg\n  listeners: [{name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}]\n',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}\n',
      'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n',
      'apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: HTTPRoute\nmetadata: {name: r, namespace: shop}\nspec: {parentRefs: [{name: public, namespace: infra}], hostnames: [shop.example.com], rules: [{backendRefs: [{name: web, port: 80}]}]}\n',
    ];
    const report = await runOn([SHOP, ...gw].join('---\n'));
    expect(report.checks.find((c) => c.id === 'tls.ingress-without-tls')?.status).toBe('fail');
    expect(report.findings.filter((x) => x.check === 'tls.ingress-without-tls').map((x) => `${x.resource.kind} ${x.resource.namespace}/${x.resource.name}`)).toContain('Gateway infra/public');
  });

  it('a v1alpha1 Linkerd ServerAuthorization admitting unauthenticated clients fails mtls.authz-allow-any (it was skipped)', async () => {
    const meshedShop = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, annotations: {linkerd.io/inject: enabled}}\n';
    const web = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}\n';
    const linkerd = NEWLY.filter(([k]) => k.startsWith('linkerd.')).map(([, y]) => y);
    const report = await runOn([meshedShop, web, ...linkerd].join('---\n'));
    const f = report.findings.filter((x) => x.check === 'mtls.authz-allow-any').map((x) => `${x.resource.kind} ${x.resource.namespace}/${x.resource.name}`);
    expect(f).toEqual(['ServerAuthorization shop/web-any']);
  });
});

describe('a version no supported release serves', () => {
  it('cert-manager.io/v1alpha2 Certificate is still skipped with a warning (cert-manager v1.6 serves v1 only)', async () => {
    const cert = 'apiVersion: cert-manager.io/v1alpha2\nkind: Certificate\nmetadata: {name: web, namespace: shop}\nspec: {secretName: web-tls, dnsNames: [web.example.com], issuerRef: {name: le}}\n';
    const parsed = parseManifestText(cert, 'cert.yaml');
    expect(parsed.objects).toEqual([]);
    expect(parsed.notes).toEqual([expect.stringMatching(/^cert\.yaml:1: skipped Certificate shop\/web of apiVersion cert-manager\.io\/v1alpha2, which ztaudit does not read \(it reads cert-manager\.io\/v1\)/)]);
    const report = await runOn(`${SHOP}---\n${cert}`);
    expect(report.run.coverage['certmanager.certificates']).toMatchObject({ status: 'error' });
  });
});
