// Traefik's default TLS option (a TLSOption named "default", else its built-in default) applies to
// TLS routers that name no options: "the default option ... applies to all TLS routers without
// options" (https://doc.traefik.io/traefik/reference/routing-configuration/http/tls/tls-options/).
// A Traefik where no router terminates TLS uses it nowhere: no finding about it. Once a router
// does (an IngressRoute with `tls: {}`, an Ingress with spec.tls, an entryPoint with TLS), the
// built-in default is judged as before.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';

function ctx(yamlText: string): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}

/** Traefik with only a plain-HTTP entryPoint "web" (the reviewer's repro), and `args` more. */
const traefik = (image: string, args: string[] = []) => `
apiVersion: v1
kind: Namespace
metadata: {name: traefik}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  replicas: 1
  selector: {matchLabels: {app: traefik}}
  template:
    metadata: {labels: {app: traefik}}
    spec:
      containers:
      - name: traefik
        image: ${image}
        args: ${JSON.stringify(['--entrypoints.web.address=:8000', '--providers.kubernetesingress', '--providers.kubernetescrd', ...args])}
---`;

/**
 * An IngressRoute of `group`: traefik.containo.us for Traefik before v2.10, the only group it reads
 * (pkg/provider/kubernetes/crd/traefik/v1alpha1/register.go@v2.8.8, GroupName "traefik.containo.us").
 */
const ingressRoute = (tls: string, group = 'traefik.io') => `
apiVersion: ${group}/v1alpha1
kind: IngressRoute
metadata: {name: shop, namespace: shop}
spec:
  entryPoints: [web]
  routes: [{match: Host(\`shop.example.com\`), kind: Rule, services: [{name: shop, port: 80}]}]
${tls}
---`;

/** An Ingress of class traefik (the IngressClass the Traefik Helm chart creates). */
const ingress = (tls: boolean) => `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  ingressClassName: traefik
  rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
${tls ? '  tls: [{hosts: [shop.example.com], secretName: web-cert}]' : ''}
---`;

/** The verdicts of both checks about Traefik's default TLS option. */
const defaultOptionVerdicts = (y: string) => [...weakCiphers.evaluate(ctx(y)), ...legacyProtocolEnabled.evaluate(ctx(y))].filter((v) => v.detailKey === 'traefik-default-tls-options');

describe('Traefik\'s default TLS option is judged only where a router terminates TLS', () => {
  it('Traefik v3.1.2 with only a web entryPoint and no route: no finding, both checks pass', () => {
    const y = traefik('docker.io/traefik:v3.1.2');
    expect(defaultOptionVerdicts(y)).toEqual([]);
    const outcomes = runChecks([weakCiphers, legacyProtocolEnabled], ctx(y));
    expect(outcomes.map((o) => [o.check.id, o.status])).toEqual([['tls.weak-ciphers', 'pass'], ['tls.legacy-protocol-enabled', 'pass']]);
  });

  it('Traefik v2.8.8 with plain-HTTP routes only (an IngressRoute and an Ingress without tls): no finding', () => {
    const y = traefik('docker.io/traefik:v2.8.8') + ingressRoute('', 'traefik.containo.us') + ingress(false);
    expect(defaultOptionVerdicts(y)).toEqual([]);
    const outcomes = runChecks([weakCiphers, legacyProtocolEnabled], ctx(y));
    expect(outcomes.map((o) => o.status)).toEqual(['pass', 'pass']);
  });

  it('adding an IngressRoute with tls: {} fails as before: weak built-in suites (v3.1.2), and TLS 1.0 before v2.9 (v2.8.8)', () => {
    const v3 = defaultOptionVerdicts(traefik('docker.io/traefik:v3.1.2') + ingressRoute('  tls: {}'));
    expect(v3.map((v) => [v.status, `${v.resource.kind} ${v.resource.namespace}/${v.resource.name}`])).toEqual([['fail', 'Deployment traefik/traefik']]);
    expect(v3[0].message).toContain('has no TLSOption named "default" in effect');
    expect(v3[0].evidence).toMatchObject({ tlsRouter: 'IngressRoute shop/shop (tls)' });
    const v28 = defaultOptionVerdicts(traefik('docker.io/traefik:v2.8.8') + ingressRoute('  tls: {}', 'traefik.containo.us'));
    expect(v28.map((v) => v.status)).toEqual(['fail', 'fail']);
    expect(v28[1].message).toContain('accept TLS 1.0 and 1.1');
    // The same route as traefik.io, a group v2.8.8 does not read (it came with v2.10): no router, no finding.
    expect(defaultOptionVerdicts(traefik('docker.io/traefik:v2.8.8') + ingressRoute('  tls: {}'))).toEqual([]);
  });

  it('an Ingress Traefik serves with spec.tls, or an entryPoint with TLS, is a TLS router too', () => {
    expect(defaultOptionVerdicts(traefik('docker.io/traefik:v3.1.2') + ingress(true)).map((v) => v.evidence?.tlsRouter)).toEqual(['Ingress shop/web (spec.tls)']);
    const ep = defaultOptionVerdicts(traefik('docker.io/traefik:v3.1.2', ['--entrypoints.websecure.address=:8443', '--entrypoints.websecure.http.tls=true']));
    expect(ep.map((v) => v.evidence?.tlsRouter)).toEqual(['entryPoint websecure: TLS (--entrypoints.websecure.http.tls=true)']);
  });

  it('IngressRoutes forbidden while no other TLS router is seen: not evaluated, never a pass', () => {
    const c = ctx(traefik('docker.io/traefik:v3.1.2'));
    c.snapshot.coverage['traefik.ingressroutes'] = { status: 'forbidden', detail: 'list ingressroutes.traefik.io' };
    const o = runChecks([weakCiphers], c)[0];
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toContain('traefik.ingressroutes: forbidden (list ingressroutes.traefik.io) for the IngressRoutes and IngressRouteTCPs that would show whether a Traefik router terminates TLS');
  });
});
