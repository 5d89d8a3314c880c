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
import { alb } from './alb.ts';

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

// Contour's cipher-suites are the suites "supported by TLS listeners when negotiating TLS 1.2 …
// ignored when TLS 1.3 is in use" (https://projectcontour.io/docs/main/configuration/#tls-configuration);
// TLS 1.3 has its own fixed suites (RFC 8446 §9.1). A virtual host negotiates at least the higher of
// the global tls.minimum-protocol-version and its HTTPProxy's spec.virtualhost.tls.minimumProtocolVersion
// ("1.3" or "1.2", the default: https://projectcontour.io/docs/main/config/tls-termination/), except on
// the fallback certificate's chain, whose minimum "is defined by the minimum TLS protocol version set
// in the Contour configuration file" (same page, Fallback Certificate).
describe('tls.weak-ciphers: Contour virtual hosts that require TLS 1.3', () => {
  const WEAK_LIST = "tls:\n  cipher-suites:\n  - 'ECDHE-RSA-AES128-SHA'\n  - 'AES128-SHA'";
  /** The web HTTPProxy's virtualhost.tls with extra fields. */
  const withTls = (y: string, extra: string) => y.replace('tls: {secretName: shop-cert}', `tls: {secretName: shop-cert${extra}}`);
  const api = `
---
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: api, namespace: shop}
spec:
  virtualhost: {fqdn: api.example.com, tls: {secretName: api-cert}}
  routes: [{services: [{name: api, port: 80}]}]
`;

  it('the one HTTPProxy has minimumProtocolVersion "1.3": the weak TLS 1.2 list is never negotiated, so it passes', () => {
    const rs = verdicts(withTls(contour(WEAK_LIST), ', minimumProtocolVersion: "1.3"'));
    expect(rs.map((r) => [r.status, r.resource.name])).toEqual([['pass', 'contour']]);
    expect(rs[0].message).toContain('every TLS virtual host it serves requires TLS 1.3 (minimumProtocolVersion "1.3"): HTTPProxy shop/web (shop.example.com)');
    expect(rs[0].evidence?.tls13Only).toBe(true);
  });

  it('minimumProtocolVersion "1.2" (or unset) keeps the failure', () => {
    for (const y of [withTls(contour(WEAK_LIST), ', minimumProtocolVersion: "1.2"'), contour(WEAK_LIST)]) {
      const rs = verdicts(y);
      expect(rs.map((r) => r.status)).toEqual(['fail']);
      expect(rs[0].message).toContain('enables weak suites for the TLS virtual hosts that accept TLS 1.2: HTTPProxy shop/web (shop.example.com)');
    }
  });

  it('the failure is lifted exactly where 1.3 is the minimum: a second, TLS 1.2 HTTPProxy keeps it, named, and the 1.3 one is named as spared', () => {
    const rs = verdicts(withTls(contour(WEAK_LIST), ', minimumProtocolVersion: "1.3"') + api);
    expect(rs.map((r) => r.status)).toEqual(['fail']);
    expect(rs[0].message).toContain('for the TLS virtual hosts that accept TLS 1.2: HTTPProxy shop/api (api.example.com):');
    expect(rs[0].message).toContain('Not for HTTPProxy shop/web (shop.example.com), which requires TLS 1.3 and never negotiates these suites.');
    expect(rs[0].evidence?.tls13OnlyVirtualHosts).toEqual(['HTTPProxy shop/web (shop.example.com)']);
  });

  it('an HTTPProxy of another ingress class is not this Contour\'s virtual host', () => {
    const other = api.replace('metadata: {name: api, namespace: shop}', 'metadata: {name: api, namespace: shop, annotations: {projectcontour.io/ingress.class: internal}}');
    expect(verdicts(withTls(contour(WEAK_LIST), ', minimumProtocolVersion: "1.3"') + other).map((r) => r.status)).toEqual(['pass']);
  });

  it('with enableFallbackCertificate the fallback chain takes the global minimum, 1.2: still a failure', () => {
    const rs = verdicts(withTls(contour(WEAK_LIST), ', minimumProtocolVersion: "1.3", enableFallbackCertificate: true'));
    expect(rs.map((r) => r.status)).toEqual(['fail']);
    expect(rs[0].message).toContain('HTTPProxy shop/web (shop.example.com) (enableFallbackCertificate: its fallback-certificate chain takes the global minimum, 1.2)');
  });

  it('the configuration file\'s tls.minimum-protocol-version "1.3" lifts it for every virtual host; any other value is Contour\'s 1.2', () => {
    const rs = verdicts(contour(`${WEAK_LIST}\n  minimum-protocol-version: "1.3"`) + api);
    expect(rs.map((r) => r.status)).toEqual(['pass']);
    expect(rs[0].message).toContain('ConfigMap projectcontour/contour (contour.yaml) tls.minimum-protocol-version "1.3" makes every TLS virtual host it serves require TLS 1.3');
    expect(verdicts(contour(`${WEAK_LIST}\n  minimum-protocol-version: "1.1"`)).map((r) => r.status)).toEqual(['fail']);
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

// `contour serve --contour-config-name N` takes its ingress classes from ContourConfiguration N
// alone: cmd/contour/serve.go sets `ingressClassNames = contourConfiguration.Ingress.ClassNames`
// (apis/projectcontour/v1alpha1/contourconfig.go IngressConfig.ClassNames, json "classNames"), so
// --ingress-class-name does not apply. Classes that cannot be read keep every host.
describe('tls.weak-ciphers: Contour classes from a ContourConfiguration', () => {
  const deployment = (args: string) => `
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
        args: [serve, --incluster, --contour-config-name=contour${args}]
        env: [{name: CONTOUR_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}]
`;
  const configuration = (ingress: string) => `
---
apiVersion: projectcontour.io/v1alpha1
kind: ContourConfiguration
metadata: {name: contour, namespace: projectcontour}
spec:
  ingress: ${ingress}
  envoy:
    listener:
      tls:
        cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256, ECDHE-RSA-AES128-SHA, AES128-SHA]
`;
  const proxies = `
---
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: api, namespace: shop, annotations: {projectcontour.io/ingress.class: internal}}
spec:
  virtualhost: {fqdn: api.internal.example.com, tls: {secretName: api-tls}}
  routes: [{services: [{name: api, port: 80}]}]
---
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: web, namespace: shop}
spec:
  virtualhost: {fqdn: web.example.com, tls: {secretName: web-tls, minimumProtocolVersion: "1.3"}}
  routes: [{services: [{name: web, port: 80}]}]
`;
  const contourVerdicts = (y: string) => verdicts(y).filter((v) => v.detailKey === 'contour-cipher-suites');

  it('spec.ingress.classNames [internal]: the TLS 1.2 HTTPProxy of class internal is served, so the weak list fails, naming it', () => {
    const rs = contourVerdicts(deployment('') + configuration('{classNames: [internal]}') + proxies);
    expect(rs.map((r) => r.status)).toEqual(['fail']);
    expect(rs[0].evidence?.tls12VirtualHosts).toEqual(['HTTPProxy shop/api (api.internal.example.com)']);
    expect(rs[0].message).toContain('for the TLS virtual hosts that accept TLS 1.2: HTTPProxy shop/api (api.internal.example.com)');
  });

  it('--ingress-class-name is ignored beside a ContourConfiguration: its classNames still decide', () => {
    const rs = contourVerdicts(deployment(', --ingress-class-name=other') + configuration('{classNames: [internal]}') + proxies);
    expect(rs.map((r) => r.status)).toEqual(['fail']);
    expect(rs[0].evidence?.tls12VirtualHosts).toEqual(['HTTPProxy shop/api (api.internal.example.com)']);
  });

  it('no classNames: Contour\'s default class only, so the internal HTTPProxy is not its and the 1.3 host lifts the failure', () => {
    expect(contourVerdicts(deployment('') + configuration('{}') + proxies).map((r) => r.status)).toEqual(['pass']);
  });

  it('classNames it cannot read (not a list of names): every host is kept, never a pass', () => {
    const rs = contourVerdicts(deployment('') + configuration('{classNames: internal}') + proxies);
    expect(rs.map((r) => r.status)).toEqual(['fail']);
    expect(rs[0].evidence?.tls12VirtualHosts).toEqual(['HTTPProxy shop/api (api.internal.example.com)']);
  });
});
