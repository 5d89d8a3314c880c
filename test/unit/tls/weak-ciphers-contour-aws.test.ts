// tls.weak-ciphers on edges whose suites come from elsewhere than a cipher list of ingress-nginx,
// Traefik, Istio or Envoy Gateway:
// - Contour: the configuration file's tls.cipher-suites (projectcontour/contour pkg/config/parameters.go,
//   yaml "cipher-suites"), else DefaultTLSCiphers, AES-GCM and ChaCha20 with ECDHE only
//   (apis/projectcontour/v1alpha1/ciphersuites.go); the file is the ConfigMap "contour" mounted
//   at /config in examples/contour/03-contour.yaml.
// - AWS load balancers: the suites AWS publishes for the named security policy
//   (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html).
// An edge whose suites are not read is named in the note, never passed.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';

function ctx(yamlText: string): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') };
}
const verdicts = (y: string) => [...weakCiphers.evaluate(ctx(y))];
const note = (y: string) => weakCiphers.excluded?.(ctx(y)) ?? '';

const contour = (config: string) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: contour, namespace: projectcontour}
data:
  contour.yaml: |
${config.split('\n').map((l) => `    ${l}`).join('\n')}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: contour, namespace: projectcontour}
spec:
  selector: {matchLabels: {app: contour}}
  template:
    metadata: {labels: {app: contour}}
    spec:
      containers:
      - name: contour
        image: ghcr.io/projectcontour/contour:v1.30.0
        args: [serve, --incluster, --config-path=/config/contour.yaml]
        volumeMounts: [{name: contour-config, mountPath: /config, readOnly: true}]
      volumes:
      - name: contour-config
        configMap: {name: contour, defaultMode: 420, items: [{key: contour.yaml, path: contour.yaml}]}
---
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: web, namespace: shop}
spec:
  virtualhost: {fqdn: shop.example.com, tls: {secretName: shop-cert}}
  routes: [{services: [{name: shop, port: 80}]}]
`;

const alb = (policy: string) => `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: alb}
spec: {controller: ingress.k8s.aws/alb}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/certificate-arn: arn:aws:acm:us-east-1:111122223333:certificate/abc
    alb.ingress.kubernetes.io/listen-ports: '[{"HTTPS":443}]'
    alb.ingress.kubernetes.io/ssl-policy: ${policy}
spec:
  ingressClassName: alb
  rules:
  - host: shop.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}]}
`;

describe('tls.weak-ciphers: Contour', () => {
  it('tls.cipher-suites listing CBC and RSA key exchange suites fails on the Contour Deployment, naming AES128-SHA', () => {
    const rs = verdicts(contour("tls:\n  cipher-suites:\n  - 'ECDHE-RSA-AES128-SHA'\n  - 'AES128-SHA'\n  - 'AES256-SHA'"));
    expect(rs.map((r) => [r.status, `${r.resource.kind} ${r.resource.namespace}/${r.resource.name}`])).toEqual([['fail', 'Deployment projectcontour/contour']]);
    expect(rs[0].message).toContain('AES128-SHA (');
    expect(rs[0].message).toContain('ConfigMap projectcontour/contour (contour.yaml) tls.cipher-suites');
  });
  it('no tls.cipher-suites: Contour\'s default list (ECDHE AES-GCM and ChaCha20) passes', () => {
    const rs = verdicts(contour('accesslog-format: envoy'));
    expect(rs.map((r) => r.status)).toEqual(['pass']);
    expect(rs[0].message).toContain("Contour's default list");
  });
  it('a configuration file not in the snapshot: no verdict, the note names the Deployment and the ConfigMap', () => {
    const y = contour('{}').replace(/apiVersion: v1\nkind: ConfigMap[\s\S]*?---\n/, '');
    expect(verdicts(y)).toEqual([]);
    expect(note(y)).toContain('Deployment projectcontour/contour: its configuration file "/config/contour.yaml" comes from ConfigMap projectcontour/contour, which is not in the snapshot');
  });
});

describe(`tls.weak-ciphers: AWS security policies`, () => {
  it('an ALB with ELBSecurityPolicy-TLS-1-1-2017-01 fails: its suites include CBC and RSA key exchange ones (AES128-SHA)', () => {
    const rs = verdicts(alb('ELBSecurityPolicy-TLS-1-1-2017-01'));
    expect(rs.map((r) => [r.status, r.resource.name])).toEqual([['fail', 'web']]);
    expect(rs[0].evidence?.weakSuites).toContain('AES128-SHA (rsa-key-exchange, cbc)');
  });
  it('the default ELBSecurityPolicy-2016-08 (no ssl-policy annotation) fails too', () => {
    const rs = verdicts(alb('x').replace(/\n    alb.ingress.kubernetes.io\/ssl-policy: x/, ''));
    expect(rs.map((r) => r.status)).toEqual(['fail']);
    expect(rs[0].message).toContain('ELBSecurityPolicy-2016-08');
  });
  it.each(['ELBSecurityPolicy-TLS13-1-2-Res-2021-06', 'ELBSecurityPolicy-TLS13-1-3-2021-06'])('an ALB with %s passes', (policy) => {
    expect(verdicts(alb(policy)).map((r) => r.status)).toEqual(['pass']);
  });
  it('a policy not in the table: no verdict, the note names the Ingress and the policy', () => {
    const y = alb('ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06');
    expect(verdicts(y)).toEqual([]);
    expect(note(y)).toContain('Ingress shop/web ("ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06")');
  });
});
