import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { goCipherSuiteWeaknesses, opensslCipherWeaknesses, opensslEnabledSuites } from '../../../src/analysis/tls/index.ts';
import { hstsDisabled } from '../../../checks/tls/hsts-disabled.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';

function ctx(yamlText: string): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}

const controller = (name: string, cm?: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ingress-nginx}
spec:
  template:
    spec:
      containers:
        - name: controller
          image: registry.k8s.io/ingress-nginx/controller:v1.15.1
          args: [/nginx-ingress-controller${cm ? `, --configmap=$(POD_NAMESPACE)/${cm}` : ''}]
          env: [{name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}]
---
`;
const CLASS = `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
`;
const configMap = (data: string, name = 'ingress-nginx-controller') => `
apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, namespace: ingress-nginx}
data: {${data}}
---
`;
const withCm = (data: string) => ctx(controller('ingress-nginx-controller', 'ingress-nginx-controller') + CLASS + configMap(data));

describe('tls.hsts-disabled: FAIL if hsts "false"', () => {
  it('hsts "false" fails with medium severity; absent or "true" passes', () => {
    const off = [...hstsDisabled.evaluate(withCm('hsts: "false"'))];
    expect(off).toMatchObject([{ status: 'fail', resource: { kind: 'ConfigMap', namespace: 'ingress-nginx', name: 'ingress-nginx-controller' }, evidence: { hsts: 'false' } }]);
    expect(off[0].severity).toBeUndefined();
    expect(hsstatus(withCm('use-forwarded-headers: "true"'))).toEqual(['pass']);
    expect(hsstatus(withCm('hsts: "true"'))).toEqual(['pass']);
  });

  it('reads the value the way ingress-nginx does: "0"/"False" and "" disable, an unparseable value keeps the default', () => {
    expect(hsstatus(withCm('hsts: "0"'))).toEqual(['fail']);
    expect(hsstatus(withCm('hsts: "False"'))).toEqual(['fail']);
    expect(hsstatus(withCm('hsts: ""'))).toEqual(['fail']);
    const odd = [...hstsDisabled.evaluate(withCm('hsts: "off"'))];
    expect(odd).toMatchObject([{ status: 'pass' }]);
    expect(String(odd[0].evidence?.note)).toMatch(/keeps the default/);
  });

  it('hsts-max-age below 180 days is a low-severity failure; 180 days exactly passes', () => {
    const short = [...hstsDisabled.evaluate(withCm('hsts-max-age: "86400"'))];
    expect(short).toMatchObject([{ status: 'fail', severity: 'low' }]);
    expect(short[0].message).toMatch(/1 days|86400/);
    expect(hsstatus(withCm('hsts-max-age: "15552000"'))).toEqual(['pass']);
    expect(hsstatus(withCm('hsts-max-age: "15551999"'))).toEqual(['fail']);
  });

  it('max-age 0 or a value browsers cannot parse switches HSTS off (medium)', () => {
    for (const v of ['0', '1y', '']) {
      const r = [...hstsDisabled.evaluate(withCm(`hsts-max-age: "${v}"`))];
      expect(r, v).toMatchObject([{ status: 'fail' }]);
      expect(r[0].severity, v).toBeUndefined();
    }
  });

  it('one result per controller ConfigMap: controllers sharing one are grouped; missing ConfigMap or --configmap means defaults', () => {
    const c = ctx(controller('a', 'shared') + controller('b', 'shared') + controller('c', 'absent') + controller('d') + configMap('hsts: "false"', 'shared'));
    const r = [...hstsDisabled.evaluate(c)];
    expect(r.map((v) => [v.resource.kind, v.resource.name, v.status])).toEqual([
      ['ConfigMap', 'shared', 'fail'],
      ['ConfigMap', 'absent', 'pass'],
      ['Deployment', 'd', 'pass'],
    ]);
    expect(r[0].evidence?.controllers).toEqual(['Deployment ingress-nginx/a', 'Deployment ingress-nginx/b']);
    expect(r[1].message).toMatch(/does not exist/);
  });

  it('yields nothing without an ingress-nginx controller', () => {
    expect([...hstsDisabled.evaluate(ctx(configMap('hsts: "false"')))]).toEqual([]);
  });

  // ingress-nginx rootfs/etc/nginx/lua/lua_ingress.lua header(): the header is set only
  // `if config.hsts and ngx.var.scheme == "https" and certificate_configured_for_current_request`,
  // the last term a function never called (always truthy): the scheme alone decides, spec.tls does not.
  // A Service's aws-load-balancer-ssl-cert ends TLS at the AWS load balancer
  // (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/#ssl-cert),
  // which adds no response header; it forwards plain HTTP unless backend-protocol is ssl
  // (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/#backend-protocol;
  // cloud-provider-aws pkg/providers/v1/aws.go buildListener; model_build_listener.go
  // `if cfg.backendProtocol == "ssl" { tgProtocol = TLS }`), when nginx terminates TLS and sends HSTS itself.
  describe('TLS that ends at an AWS load balancer in front of the controller', () => {
    const setup = (opts: { serviceType?: string; extra?: string; backend?: string; targetPort?: string; args?: string; lbType?: string } = {}) => ctx(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  template:
    metadata: {labels: {app: ingress-nginx}}
    spec:
      containers:
        - name: controller
          image: registry.k8s.io/ingress-nginx/controller:v1.15.1
          args: [/nginx-ingress-controller, --configmap=$(POD_NAMESPACE)/ingress-nginx-controller${opts.args ?? ''}]
          env: [{name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}]
          ports: [{name: http, containerPort: 80}, {name: https, containerPort: 443}]
---
${CLASS}${configMap('')}
apiVersion: v1
kind: Service
metadata:
  name: ingress-nginx-controller
  namespace: ingress-nginx
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-ssl-cert: arn:aws:acm:eu-west-1:123456789012:certificate/abc
    service.beta.kubernetes.io/aws-load-balancer-backend-protocol: ${opts.backend ?? 'http'}
    ${opts.lbType ? `service.beta.kubernetes.io/aws-load-balancer-type: ${opts.lbType}` : ''}
spec:
  type: ${opts.serviceType ?? 'LoadBalancer'}
  selector: {app: ingress-nginx}
  ports: [{name: https, port: 443, targetPort: ${opts.targetPort ?? 'http'}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  ingressClassName: nginx
  rules: [{host: shop.example.com}, {host: www.shop.example.com}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: own-tls, namespace: shop}
spec:
  ingressClassName: nginx
  tls: [{hosts: [api.example.com], secretName: api}]
  rules: [{host: api.example.com}]
---
${opts.extra ?? ''}`);

    it('fails every Ingress behind it, with or without spec.tls, naming its hosts and the load balancer; the ConfigMap itself still passes', () => {
      const r = [...hstsDisabled.evaluate(setup())];
      expect(r.map((v) => [v.resource.kind, v.resource.name, v.status])).toEqual([
        ['ConfigMap', 'ingress-nginx-controller', 'pass'],
        ['Ingress', 'shop', 'fail'],
        ['Ingress', 'own-tls', 'fail'],
      ]);
      expect(r[1]).toMatchObject({ detailKey: 'upstream-tls', evidence: { hosts: ['shop.example.com', 'www.shop.example.com'] } });
      expect(r[1].message).toBe('TLS for Ingress shop/shop ends at the load balancer, which forwards plain HTTP to ingress-nginx (Service ingress-nginx/ingress-nginx-controller (service.beta.kubernetes.io/aws-load-balancer-ssl-cert, TLS on every port) in front of Deployment ingress-nginx/ingress-nginx-controller): ingress-nginx sends Strict-Transport-Security only on requests that reach it over HTTPS, with or without spec.tls, and the load balancer adds none, so shop.example.com, www.shop.example.com get no HSTS.');
      expect(r[2].message).toContain('so api.example.com gets no HSTS.');
      expect(hstsDisabled.remediation).toContain('pass TCP through to nginx\'s TLS port');
      expect(hstsDisabled.remediation).toContain('aws-load-balancer-backend-protocol: ssl');
      expect(hstsDisabled.remediation).not.toContain('(spec.tls');
    });

    it('says nothing of Ingresses when the load balancer re-encrypts to nginx (backend-protocol ssl or https): nginx sees https and sends HSTS', () => {
      expect(hsstatus(setup({ backend: 'ssl', targetPort: 'https' }))).toEqual(['pass']);
      expect(hsstatus(setup({ backend: 'https', targetPort: '443' }))).toEqual(['pass']);
      // Plain TCP from the load balancer to nginx's TLS port cannot work: not judged as "nginx sees http".
      expect(hsstatus(setup({ backend: 'tcp', targetPort: 'https' }))).toEqual(['pass']);
      expect(hsstatus(setup({ backend: 'tcp', targetPort: '80' }))).toEqual(['pass', 'fail', 'fail']);
    });

    // backend-protocol https is TLS to the pods on a Classic ELB only: cloud-provider-aws lists
    // [http|https|ssl|tcp] for ELB (https://cloud-provider-aws.sigs.k8s.io/service_controller/); the
    // AWS Load Balancer Controller's NLB takes ssl or tcp
    // (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/#backend-protocol).
    // And the port the connection lands on decides nginx's scheme: TLS to nginx's HTTP port is no https.
    it('an NLB with backend-protocol https, or any load balancer aimed at nginx\'s HTTP port, still fails: nginx sees http', () => {
      for (const lbType of ['external', 'nlb', 'nlb-ip']) {
        expect(hsstatus(setup({ backend: 'https', targetPort: 'http', lbType }))).toEqual(['pass', 'fail', 'fail']);
      }
      expect(hsstatus(setup({ backend: 'https', targetPort: 'http' }))).toEqual(['pass', 'fail', 'fail']);
      expect(hsstatus(setup({ backend: 'ssl', targetPort: 'http' }))).toEqual(['pass', 'fail', 'fail']);
      expect(hsstatus(setup({ backend: 'ssl', targetPort: '80', lbType: 'external' }))).toEqual(['pass', 'fail', 'fail']);
    });

    it('backend-protocol ssl decides even where the HTTPS port cannot be read (--https-port from an environment variable)', () => {
      const args = ', --https-port=$(HTTPS_PORT)';
      expect(hsstatus(setup({ backend: 'ssl', targetPort: '8443', args }))).toEqual(['pass']);
      expect(hsstatus(setup({ backend: 'http', targetPort: '8080', args }))).toEqual(['pass', 'fail', 'fail']);
      // https re-encrypts on a Classic ELB (no aws-load-balancer-type), not on an NLB.
      expect(hsstatus(setup({ backend: 'https', targetPort: '8443', args }))).toEqual(['pass']);
      expect(hsstatus(setup({ backend: 'https', targetPort: '8443', args, lbType: 'external' }))).toEqual(['pass', 'fail', 'fail']);
    });

    it('says nothing of Ingresses when the controller is also reachable another way (a NodePort Service), as tls.ingress-without-tls does', () => {
      expect(hsstatus(setup({ serviceType: 'NodePort' }))).toEqual(['pass']);
      expect(hsstatus(setup({ extra: `apiVersion: v1
kind: Service
metadata: {name: np, namespace: ingress-nginx}
spec: {type: NodePort, selector: {app: ingress-nginx}, ports: [{port: 80}]}` }))).toEqual(['pass']);
    });
  });
});

const hsstatus = (c: AuditContext) => [...hstsDisabled.evaluate(c)].map((v) => v.status);
const weakNames = (s: string) => opensslCipherWeaknesses(s).weak.map((w) => w.suite);

describe('OpenSSL cipher strings (ingress-nginx ssl-ciphers)', () => {
  it('the ingress-nginx default list has no weak suite', () => {
    const dflt = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256';
    expect(opensslCipherWeaknesses(dflt)).toEqual({ weak: [], unrecognized: [] });
  });

  it('classifies concrete suites: CBC, RSA key exchange, 3DES, RC4, NULL, EXPORT, anonymous', () => {
    // @SECLEVEL=0: at OpenSSL's default level 1, NULL and anonymous suites are never negotiated.
    const a = opensslCipherWeaknesses('ECDHE-RSA-AES128-SHA AES128-GCM-SHA256,DES-CBC3-SHA:RC4-SHA:NULL-SHA:EXP-RC4-MD5:ADH-AES128-SHA:ECDH-RSA-AES128-SHA:@SECLEVEL=0');
    expect(Object.fromEntries(a.weak.map((w) => [w.suite, w.weaknesses]))).toEqual({
      'ECDHE-RSA-AES128-SHA': ['cbc'],
      'AES128-GCM-SHA256': ['rsa-key-exchange'],
      'DES-CBC3-SHA': ['3des', 'rsa-key-exchange', 'cbc'],
      'RC4-SHA': ['rc4', 'rsa-key-exchange'],
      'NULL-SHA': ['null', 'rsa-key-exchange'],
      'EXP-RC4-MD5': ['export', 'rc4', 'rsa-key-exchange'],
      'ADH-AES128-SHA': ['anonymous', 'cbc'],
      'ECDH-RSA-AES128-SHA': ['static-key-exchange', 'cbc'],
    });
  });

  it('aliases report what they still select after exclusions; intersections with "+" narrow them', () => {
    expect(opensslCipherWeaknesses('HIGH:!aNULL:!MD5').weak).toEqual([{ suite: 'HIGH', weaknesses: ['rsa-key-exchange', 'cbc'], alias: true }]);
    expect(weakNames('EECDH+AESGCM:EDH+AESGCM')).toEqual([]);
    expect(opensslCipherWeaknesses('ECDHE+AES').weak).toEqual([{ suite: 'ECDHE+AES', weaknesses: ['cbc'], alias: true }]);
    expect(opensslCipherWeaknesses('!RC4:MEDIUM:-3DES').weak[0].weaknesses).toEqual(['anonymous', 'rsa-key-exchange', 'cbc']);
  });

  it('"!" removes for good, "-" only what is selected so far', () => {
    expect(weakNames('AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256:!kRSA')).toEqual([]);
    expect(weakNames('!kRSA:AES128-SHA')).toEqual([]);
    expect(weakNames('-kRSA:AES128-SHA')).toEqual(['AES128-SHA']);
    expect(weakNames('RC4-SHA:!RC4-SHA')).toEqual([]);
    expect(weakNames('ECDHE-RSA-AES128-GCM-SHA256:+AES128-SHA:@STRENGTH:@SECLEVEL=2')).toEqual([]);
  });

  // Expected sets: `openssl ciphers -s -tls1_2 STRING` (OpenSSL 3.0.19), TLS 1.3 names left out,
  // run when these cases were written. OpenSSL ANDs the parts of "A+B" into one selection and
  // its MAC aliases (SHA1, SHA256, SHA384) exclude every CBC suite of an AEAD-only list.
  it('evaluates against OpenSSL 3\'s suites as `openssl ciphers` does (ssl/ssl_ciph.c)', () => {
    const enabled = (s: string) => opensslEnabledSuites(s).sort();
    expect(enabled('kEECDH+AESGCM')).toEqual(['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384']);
    expect(enabled('ECDHE:!SHA1:!SHA256:!SHA384')).toEqual([
      'ECDHE-ARIA128-GCM-SHA256', 'ECDHE-ARIA256-GCM-SHA384', 'ECDHE-ECDSA-AES128-CCM', 'ECDHE-ECDSA-AES128-CCM8', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-CCM',
      'ECDHE-ECDSA-AES256-CCM8', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-ARIA128-GCM-SHA256', 'ECDHE-ECDSA-ARIA256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305',
      'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305',
    ]);
    expect(enabled('DEFAULT:!SHA1:!SHA256:!SHA384:!kRSA')).toEqual([
      'DHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305',
    ]);
    expect(enabled('ALL:!RSA:!CBC')).toHaveLength(27);
    for (const s of ['ECDHE:!SHA1:!SHA256:!SHA384', 'kEECDH+AESGCM', 'AESGCM+kEECDH', 'ALL:!RSA:!CBC', 'DEFAULT:!SHA1:!SHA256:!SHA384:!kRSA', 'TLSv1.2+AESGCM:!kRSA', 'AESGCM:!RSA', 'AESGCM:-kRSA', 'ECDHE:+AES256:!CBC']) {
      expect(opensslCipherWeaknesses(s), s).toEqual({ weak: [], unrecognized: [] });
    }
    // What stays weak is named with the token that enabled it.
    expect(opensslCipherWeaknesses('HIGH:!aNULL:!MD5:!SHA1:!SHA256:!SHA384').weak).toEqual([{ suite: 'HIGH', weaknesses: ['rsa-key-exchange'], alias: true }]);
    expect(opensslCipherWeaknesses('EECDH+AES:!SHA1').weak).toEqual([{ suite: 'EECDH+AES', weaknesses: ['cbc'], alias: true }]);
    // DEFAULT expands to ALL:!COMPLEMENTOFDEFAULT:!eNULL, but the operator wrote DEFAULT, not ALL.
    expect(opensslCipherWeaknesses('DEFAULT:!kRSA').weak).toEqual([{ suite: 'DEFAULT', weaknesses: ['cbc'], alias: true }]);
  });

  it('unknown tokens are reported, not judged', () => {
    expect(opensslCipherWeaknesses('NOTACIPHER:ECDHE-RSA-AES128-GCM-SHA256')).toEqual({ weak: [], unrecognized: ['NOTACIPHER'] });
  });
});

describe('Go suite names (Traefik cipherSuites)', () => {
  it('flags TLS_RSA_*, *_CBC_*, 3DES and RC4; ECDHE AEAD and TLS 1.3 names pass', () => {
    const a = goCipherSuiteWeaknesses([
      'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305', 'TLS_AES_128_GCM_SHA256',
      'TLS_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_RSA_WITH_RC4_128_SHA',
      'bogus', 7,
    ]);
    expect(Object.fromEntries(a.weak.map((w) => [w.suite, w.weaknesses]))).toEqual({
      TLS_RSA_WITH_AES_256_GCM_SHA384: ['rsa-key-exchange'],
      TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: ['cbc'],
      TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: ['3des', 'cbc'],
      TLS_RSA_WITH_RC4_128_SHA: ['rc4', 'rsa-key-exchange'],
    });
    expect(a.unrecognized).toEqual(['bogus', '7']);
  });
});

describe('tls.weak-ciphers', () => {
  it('controller ConfigMap: absent passes, weak suites fail with the suites as evidence', () => {
    expect([...weakCiphers.evaluate(withCm('hsts: "true"'))]).toMatchObject([{ status: 'pass', resource: { kind: 'ConfigMap' }, evidence: { sslCiphers: 'default' } }]);
    const bad = [...weakCiphers.evaluate(withCm('ssl-ciphers: "ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA:DES-CBC3-SHA"'))];
    expect(bad).toMatchObject([{ status: 'fail', evidence: { weakSuites: ['AES256-SHA (rsa-key-exchange, cbc)', 'DES-CBC3-SHA (3des, rsa-key-exchange, cbc)'] } }]);
    expect(bad[0].message).toContain('AES256-SHA');
  });

  it('per-Ingress ssl-ciphers annotation is judged on Ingresses ingress-nginx serves', () => {
    const ing = (name: string, cls: string, ciphers: string) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: shop, annotations: {nginx.ingress.kubernetes.io/ssl-ciphers: "${ciphers}"}}
spec: {ingressClassName: ${cls}, tls: [{hosts: [a.example.com], secretName: s}], rules: [{host: a.example.com}]}
---
`;
    const c = ctx(controller('ingress-nginx-controller', 'ingress-nginx-controller') + CLASS + configMap('') +
      ing('weak', 'nginx', 'RC4-SHA:ECDHE-RSA-AES128-GCM-SHA256') + ing('strong', 'nginx', 'ECDHE-RSA-AES128-GCM-SHA256') +
      ing('plain', 'nginx', '') + `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: no-annotation, namespace: shop}
spec: {ingressClassName: nginx, rules: [{host: b.example.com}]}
`);
    const r = [...weakCiphers.evaluate(c)];
    expect(r.map((v) => [v.resource.kind, v.resource.name, v.status])).toEqual([
      ['ConfigMap', 'ingress-nginx-controller', 'pass'],
      ['Ingress', 'weak', 'fail'],
      ['Ingress', 'strong', 'pass'],
      ['Ingress', 'plain', 'pass'],
    ]);
    expect(r[1].evidence?.weakSuites).toEqual(['RC4-SHA (rc4, rsa-key-exchange)']);
  });

  it('a leftover ssl-ciphers annotation on an Ingress whose IngressClass names another controller is not ingress-nginx\'s (https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-class)', () => {
    const c = ctx(`
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: migrated, namespace: web, annotations: {nginx.ingress.kubernetes.io/ssl-ciphers: "AES128-SHA"}}
spec: {ingressClassName: traefik, tls: [{hosts: [m.example.com], secretName: m}], rules: [{host: m.example.com}]}
`);
    expect([...weakCiphers.evaluate(c)]).toEqual([]);
  });

  it('Traefik TLSOptions (both API groups): weak Go names fail, AEAD-only lists pass, malformed values do not crash', () => {
    const c = ctx(`
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: default, namespace: traefik}
spec: {minVersion: VersionTLS12, cipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]}
---
apiVersion: traefik.containo.us/v1alpha1
kind: TLSOption
metadata: {name: old, namespace: traefik}
spec: {cipherSuites: [TLS_RSA_WITH_AES_128_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]}
---
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: odd, namespace: traefik}
spec: {cipherSuites: TLS_ECDHE_RSA_WITH_RC4_128_SHA}
---
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: junk, namespace: traefik}
spec: {cipherSuites: [{x: 1}]}
`);
    const r = [...weakCiphers.evaluate(c)];
    expect(Object.fromEntries(r.map((v) => [v.resource.name, v.status]))).toEqual({ default: 'pass', old: 'fail', odd: 'fail', junk: 'pass' });
    expect(r.find((v) => v.resource.name === 'old')!.evidence?.weakSuites).toEqual(['TLS_RSA_WITH_AES_128_CBC_SHA (rsa-key-exchange, cbc)']);
    expect(r.find((v) => v.resource.name === 'junk')!.evidence?.unrecognized).toEqual(['{"x":1}']);
  });

  // Traefik v3: buildTLSOptions (pkg/provider/kubernetes/crd/kubernetes.go) calls SetDefaults, which
  // sets CipherSuites to DefaultTLSOptions.CipherSuites = getCipherSuites() (pkg/tls/tlsmanager.go),
  // the names of Go's crypto/tls CipherSuites() (src/crypto/tls/cipher_suites.go); a TLSOption's own
  // cipherSuites replaces them only when set. The list below is Go's, TLS 1.2 part, copied from Go.
  it('a TLSOption without cipherSuites gets Traefik\'s default, Go\'s CipherSuites(), and fails for its ECDHE CBC-SHA suites, as the same list written out does', () => {
    const option = (name: string, spec: string) => `
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: ${name}, namespace: traefik}
spec: ${spec}
---
`;
    const defaults = `[TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
      TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
      TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
      TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]`;
    const r = [...weakCiphers.evaluate(ctx(option('default', '{minVersion: VersionTLS12}') + option('spelled-out', `{minVersion: VersionTLS12, cipherSuites: ${defaults}}`) + option('modern', '{minVersion: VersionTLS13}')))];
    expect(r.map((v) => [v.resource.name, v.status])).toEqual([['default', 'fail'], ['spelled-out', 'fail'], ['modern', 'pass']]);
    const cbc = ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA (cbc)', 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA (cbc)', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA (cbc)', 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA (cbc)'];
    expect(r[0].evidence?.weakSuites).toEqual(cbc);
    expect(r[1].evidence?.weakSuites).toEqual(cbc);
    expect(r[0].message).toBe(`TLSOption traefik/default sets no cipherSuites, so Traefik's default list (every suite Go's crypto/tls CipherSuites() lists) enables weak suites: ${cbc.join('; ')}.`);
    expect(weakCiphers.remediation).toContain('set cipherSuites to ECDHE AEAD suites only');
    expect(weakCiphers.remediation).not.toContain('drop cipherSuites');
  });

  // ingress-nginx rootfs/etc/nginx/template/nginx.tmpl writes ssl_ciphers only
  // {{ if not (empty $cfg.SSLCiphers) }}; without the directive nginx uses its own default,
  // https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_ciphers ("Default: ssl_ciphers HIGH:!aNULL:!MD5;").
  it('ssl-ciphers "" in the controller ConfigMap is not the ingress-nginx default: nginx\'s HIGH:!aNULL:!MD5 applies and fails', () => {
    const [v] = [...weakCiphers.evaluate(withCm('ssl-ciphers: ""'))];
    expect(v).toMatchObject({ status: 'fail', resource: { kind: 'ConfigMap', name: 'ingress-nginx-controller' }, evidence: { weakSuites: ['HIGH (selects rsa-key-exchange, cbc suites)'] } });
    expect(v.message).toBe('ConfigMap ingress-nginx/ingress-nginx-controller sets ssl-ciphers to "", so ingress-nginx writes no ssl_ciphers directive and nginx\'s own default "HIGH:!aNULL:!MD5" enables weak suites for every server of Deployment ingress-nginx/ingress-nginx-controller: HIGH (selects rsa-key-exchange, cbc suites).');
    // The same judgement as the string written out, and a TLS 1.3-only controller never uses it.
    expect([...weakCiphers.evaluate(withCm('ssl-ciphers: "HIGH:!aNULL:!MD5"'))][0].evidence?.weakSuites).toEqual(v.evidence?.weakSuites);
    expect([...weakCiphers.evaluate(withCm('ssl-ciphers: "", ssl-protocols: "TLSv1.3"'))]).toMatchObject([{ status: 'pass', evidence: { tls13Only: true } }]);
  });
});
