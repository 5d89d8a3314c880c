// An entryPoint's http settings apply to every router on it (Traefik's "model" of the entryPoint):
// - pkg/provider/traefik/internal.go@v3.3.4 entryPointModels (lines 219-259) builds the model from
//   entryPoints.<name>.http.middlewares and http.tls (options, certResolver, domains);
// - pkg/server/aggregator.go@v3.3.4 applyModel (lines 152-212; the same at @v2.11.0 lines 139-174):
//   `if cp.TLS == nil { cp.TLS = m.TLS }` — a router without a TLS section of its own takes the
//   entryPoint's TLS, its options included, while one with any TLS section (even empty) keeps its
//   own, whose options unset mean the TLSOption "default"; and
//   `cp.Middlewares = append(m.Middlewares, cp.Middlewares...)` — the entryPoint's middlewares go
//   ahead of the router's own on every router.
// Documented at https://doc.traefik.io/traefik/reference/install-configuration/entrypoints/
// (http.middlewares, http.tls.options: "default TLS configuration for the routers linked to the entryPoint").
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

const ctx = (yaml: string): AuditContext => ({ snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') });
const traefik = (image: string, args: string[]) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  selector: {matchLabels: {app: traefik}}
  template:
    metadata: {labels: {app: traefik}}
    spec: {containers: [{name: traefik, image: "${image}", args: ${JSON.stringify(['--providers.kubernetescrd', '--providers.kubernetesingress', '--entrypoints.web.address=:8000', '--entrypoints.websecure.address=:8443', ...args])}}]}
---
apiVersion: v1
kind: Service
metadata: {name: traefik, namespace: traefik}
spec:
  type: LoadBalancer
  selector: {app: traefik}
  ports: [{port: 80, targetPort: 8000}, {port: 443, targetPort: 8443}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
`;
const ingress = (annotations = '{}') => `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop, annotations: ${annotations}}
spec:
  ingressClassName: traefik
  rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`;
const middleware = (name: string, spec: string) => `---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: ${name}, namespace: traefik}
spec: ${spec}
`;

describe('entryPoints.<name>.http.tls.options: the TLSOption of the routers on it without a TLS section', () => {
  // Traefik v2.8 (reads traefik.containo.us): its built-in default sets no minimum TLS version
  // before v2.9 (pkg/tls/tlsmanager.go DefaultTLSOptions, commit c84378d649).
  const args = ['--entrypoints.websecure.http.tls=true', '--entrypoints.websecure.http.tls.options=traefik-legacy@kubernetescrd'];
  const option = `---
apiVersion: traefik.containo.us/v1alpha1
kind: TLSOption
metadata: {name: legacy, namespace: traefik}
spec: {minVersion: VersionTLS10, cipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]}
`;
  const builtin = (c: AuditContext) => [...legacyProtocolEnabled.evaluate(c), ...weakCiphers.evaluate(c)].filter((v) => v.detailKey === 'traefik-default-tls-options');

  it('routers on it take that TLSOption, not the built-in default: no built-in default finding, and the TLSOption names the entryPoint as its user (was: "routers without TLS options take the built-in default", and "no router names it")', () => {
    const c = ctx(traefik('traefik:v2.8.8', args) + option + ingress('{traefik.ingress.kubernetes.io/router.entrypoints: websecure}'));
    expect(builtin(c)).toEqual([]);
    const v = [...legacyProtocolEnabled.evaluate(c)].find((x) => x.resource.kind === 'TLSOption')!;
    expect(v.status).toBe('fail');
    expect(v.message).toContain('Routers using it: entryPoint websecure of Deployment traefik/traefik (--entrypoints.websecure.http.tls.options=traefik-legacy@kubernetescrd: its routers without a TLS section of their own).');
  });

  it('a router with a TLS section of its own keeps it, and takes the default TLS option: the built-in default finding stays', () => {
    const c = ctx(traefik('traefik:v2.8.8', args) + option + `---
apiVersion: traefik.containo.us/v1alpha1
kind: IngressRoute
metadata: {name: own, namespace: shop}
spec:
  entryPoints: [websecure]
  routes: [{match: "Host(\`own.example.com\`)", kind: Rule, services: [{name: web, port: 80}]}]
  tls: {}
`);
    expect(builtin(c).map((v) => [v.resource.name, v.evidence?.tlsRouter])).toEqual([['traefik', 'IngressRoute shop/own (tls)'], ['traefik', 'IngressRoute shop/own (tls)']]);
  });

  it('the same in a traefik.yaml of a ConfigMap mounted at /etc/traefik (read as the flags are): the TLSOption names the entryPoint and the file as its user', () => {
    const file = 'entryPoints:\n  web: {address: ":8000"}\n  websecure:\n    address: ":8443"\n    http:\n      tls:\n        options: traefik-legacy@kubernetescrd\nproviders: {kubernetesCRD: {}, kubernetesIngress: {}}\n';
    const fromFile = traefik('traefik:v2.8.8', []).replace(/, args: \[[^\]]*\]\}\]\}/, ', volumeMounts: [{name: config, mountPath: /etc/traefik}]}], volumes: [{name: config, configMap: {name: traefik-config}}]}')
      + `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: traefik-config, namespace: traefik}\ndata: {traefik.yaml: ${JSON.stringify(file)}}\n`;
    expect(fromFile).not.toContain('--entrypoints');
    const c = ctx(fromFile + option + ingress('{traefik.ingress.kubernetes.io/router.entrypoints: websecure}'));
    expect(builtin(c)).toEqual([]);
    const v = [...legacyProtocolEnabled.evaluate(c)].find((x) => x.resource.kind === 'TLSOption')!;
    expect(v.message).toContain('Routers using it: entryPoint websecure of Deployment traefik/traefik (entryPoints.websecure.http.tls.options = "traefik-legacy@kubernetescrd" in ConfigMap traefik/traefik-config (traefik.yaml, /etc/traefik/traefik.yaml): its routers without a TLS section of their own).');
  });

  it('options "default" is the default TLS option: the entryPoint still takes the built-in default', () => {
    const c = ctx(traefik('traefik:v2.8.8', ['--entrypoints.websecure.http.tls=true', '--entrypoints.websecure.http.tls.options=default']));
    expect(builtin(c).map((v) => v.evidence?.tlsRouter)).toEqual(['entryPoint websecure: TLS (--entrypoints.websecure.http.tls.options=default)', 'entryPoint websecure: TLS (--entrypoints.websecure.http.tls.options=default)']);
  });
});

describe('entryPoints.<name>.http.middlewares: a redirection to https ahead of every router on it', () => {
  const tlsArgs = ['--entrypoints.websecure.http.tls=true'];
  const found = (c: AuditContext) => [...ingressWithoutTls.evaluate(c)].filter((v) => v.resource.kind === 'Ingress').map((v) => v.status);

  it('a redirectScheme to https on web keeps the Ingress\'s router off plaintext HTTP (was: served over plaintext HTTP on entryPoint web)', () => {
    const c = ctx(traefik('traefik:v3.3.4', [...tlsArgs, '--entrypoints.web.http.middlewares=traefik-https@kubernetescrd']) + middleware('https', '{redirectScheme: {scheme: https, permanent: true}}') + ingress());
    const [v] = [...ingressWithoutTls.evaluate(c)].filter((x) => x.resource.kind === 'Ingress');
    expect(v.status).toBe('pass');
    expect(v.message).toContain('web: a redirection of every request to https (--entrypoints.web.http.middlewares=traefik-https@kubernetescrd: Traefik Middleware traefik/https (redirectScheme to https, permanent))');
  });

  it('one that may answer first (basicAuth), a middleware of another provider, or one the input lacks: not proven, still a finding', () => {
    const auth = middleware('auth', '{basicAuth: {secret: users}}') + middleware('https', '{redirectScheme: {scheme: https}}');
    expect(found(ctx(traefik('traefik:v3.3.4', [...tlsArgs, '--entrypoints.web.http.middlewares=traefik-auth@kubernetescrd,traefik-https@kubernetescrd']) + auth + ingress()))).toEqual(['fail']);
    expect(found(ctx(traefik('traefik:v3.3.4', [...tlsArgs, '--entrypoints.web.http.middlewares=https@file']) + auth + ingress()))).toEqual(['fail']);
    expect(found(ctx(traefik('traefik:v3.3.4', [...tlsArgs, '--entrypoints.web.http.middlewares=traefik-gone@kubernetescrd']) + auth + ingress()))).toEqual(['fail']);
  });

  it('a Middleware the Traefik\'s CRD provider does not read (a namespace it does not watch) redirects nothing for it', () => {
    const c = ctx(traefik('traefik:v3.3.4', [...tlsArgs, '--providers.kubernetescrd.namespaces=shop', '--entrypoints.web.http.middlewares=traefik-https@kubernetescrd']) + middleware('https', '{redirectScheme: {scheme: https}}') + ingress());
    expect(found(c)).toEqual(['fail']);
  });
});
