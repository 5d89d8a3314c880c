// A Traefik whose install (static) configuration is a file: --configFile, or /etc/traefik mounted,
// where Traefik reads traefik.toml, .yaml or .yml (pkg/cli/loader_file.go loadConfigFiles;
// https://doc.traefik.io/traefik/getting-started/configuration-overview/#configuration-file). That
// file may give an entryPoint TLS or a redirection to https (entryPoints.<name>.http.tls,
// http.redirections; https://doc.traefik.io/traefik/reference/install-configuration/entrypoints/),
// which keeps every router on it off plaintext HTTP. ztaudit reads no entryPoint from such a file
// (a TOML one is not parsed at all: no TOML parser is a dependency), so a router without TLS of
// its own on that Traefik is "cannot be confirmed" (medium), never a high finding on Traefik's
// defaults. With the configuration in flags it stays judged as before.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

const ctx = (yaml: string): AuditContext => ({ snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') });
/** Traefik from the given args, its traefik.toml (when `toml`) a key of a ConfigMap mounted at /etc/traefik. */
const traefik = (args: string[], toml?: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  selector: {matchLabels: {app: traefik}}
  template:
    metadata: {labels: {app: traefik}}
    spec:
      containers:
      - name: traefik
        image: docker.io/traefik:v3.3.4
        args: ${JSON.stringify(args)}${toml === undefined ? '' : '\n        volumeMounts: [{name: config, mountPath: /etc/traefik}]'}${toml === undefined ? '' : '\n      volumes: [{name: config, configMap: {name: traefik-config}}]'}
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
${toml === undefined ? '' : `---
apiVersion: v1
kind: ConfigMap
metadata: {name: traefik-config, namespace: traefik}
data: {traefik.toml: ${JSON.stringify(toml)}}
`}---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  ingressClassName: traefik
  rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: api, namespace: shop}
spec:
  routes: [{match: "Host(\`api.example.com\`)", kind: Rule, services: [{name: web, port: 80}]}]
`;
// The upstream documentation's redirection, in TOML: every request on web goes to websecure over https.
const TOML = `[entryPoints.web]
  address = ":8000"
  [entryPoints.web.http.redirections.entryPoint]
    to = "websecure"
    scheme = "https"
[entryPoints.websecure]
  address = ":8443"
  [entryPoints.websecure.http.tls]
[providers.kubernetesIngress]
[providers.kubernetesCRD]
`;
const FLAGS = ['--providers.kubernetescrd', '--providers.kubernetesingress', '--entrypoints.web.address=:8000', '--entrypoints.websecure.address=:8443'];
function verdicts(c: AuditContext): Verdict[] {
  return [...ingressWithoutTls.evaluate(c)].filter((v) => v.resource.namespace === 'shop').sort((a, b) => a.resource.kind.localeCompare(b.resource.kind));
}
const graded = (v: Verdict) => [v.resource.kind, v.status, v.status === 'fail' ? v.severity ?? 'default' : undefined];

describe('tls.ingress-without-tls under a Traefik configured by a traefik.toml', () => {
  it('configured by flags with no entryPoint TLS or redirection: the Ingress and the IngressRoute fail high (unchanged)', () => {
    expect(verdicts(ctx(traefik(FLAGS))).map(graded)).toEqual([['Ingress', 'fail', 'default'], ['IngressRoute', 'fail', 'default']]);
  });

  it('the same in flags, with the redirection of web to https: both pass (unchanged)', () => {
    const redirect = [...FLAGS, '--entrypoints.web.http.redirections.entrypoint.to=websecure', '--entrypoints.websecure.http.tls=true'];
    expect(verdicts(ctx(traefik(redirect))).map(graded)).toEqual([['Ingress', 'pass', undefined], ['IngressRoute', 'pass', undefined]]);
  });

  it('in a traefik.toml ztaudit does not parse: cannot be confirmed (medium), naming the file, not high on the defaults', () => {
    const out = verdicts(ctx(traefik([], TOML)));
    expect(out.map(graded)).toEqual([['Ingress', 'fail', 'medium'], ['IngressRoute', 'fail', 'medium']]);
    for (const v of out) expect(v.message).toContain('whether the entryPoints of Deployment traefik/traefik keep it off plaintext HTTP cannot be confirmed: it reads its install configuration from a file, whose entryPoints ztaudit does not read (a TOML file is not parsed at all)');
  });

  it('--configFile naming the file: the same', () => {
    expect(verdicts(ctx(traefik(['--configFile=/etc/traefik/traefik.toml'], TOML))).map(graded)).toEqual([['Ingress', 'fail', 'medium'], ['IngressRoute', 'fail', 'medium']]);
  });
});
