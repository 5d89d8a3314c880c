import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { KubeObject, TlsProbeResult } from '../../../src/snapshot/types.ts';
import { ingressControllerConfigMapRefs, ingressTlsHostCovers, probeTargets } from '../../../src/analysis/tls/index.ts';
import { nginxControllers } from '../../../src/analysis/tls/nginx.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { sslRedirectDisabled } from '../../../checks/tls/ssl-redirect-disabled.ts';
import { retiredIngressController } from '../../../checks/tls/retired-ingress-controller.ts';
import { probeLegacyAccepted } from '../../../checks/tls/probe-legacy-accepted.ts';
import { certificateExpiring } from '../../../checks/tls/certificate-expiring.ts';
import { certificateHostnameMismatch } from '../../../checks/tls/certificate-hostname-mismatch.ts';
import { runChecks } from '../../../src/engine/run.ts';

// Upstream pages the reference cases below rely on.
const GATEWAY_REDIRECT_GUIDE = 'https://gateway-api.sigs.k8s.io/guides/http-redirect-rewrite/';
const GATEWAY_PARENT_REFERENCE = 'https://gateway-api.sigs.k8s.io/reference/spec/#parentreference';
const GATEWAY_HTTPROUTE_SPEC = 'https://gateway-api.sigs.k8s.io/reference/spec/#httproutespec';
const ISTIO_SERVER_TLS = 'https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings';
const NGINX_SSL_REDIRECT = 'https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#server-side-https-enforcement-through-redirect';
const NGINX_CLI_ARGUMENTS = 'https://kubernetes.github.io/ingress-nginx/user-guide/cli-arguments/';
const K8S_INGRESS_CLASS = 'https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-class';
const CERT_MANAGER_CERTIFICATE_STATUS = 'https://cert-manager.io/docs/reference/api-docs/#cert-manager.io/v1.CertificateStatus';

function ctx(yamlText: string, probes?: TlsProbeResult[]): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  const snapshot = snapshotFromObjects(objs);
  if (probes) snapshot.probes = probes;
  return { snapshot, config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}
const status = (vs: { status: string; detailKey?: string }[]) => Object.fromEntries(vs.map((v) => [v.detailKey ?? '', v.status]));

const CONTROLLER = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  template:
    spec:
      containers:
        - name: controller
          image: registry.k8s.io/ingress-nginx/controller:v1.15.1
          args: [/nginx-ingress-controller, --configmap=$(POD_NAMESPACE)/ingress-nginx-controller, --ingress-class=nginx]
          env: [{name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
`;

describe('Ingress TLS coverage', () => {
  it('case 1: a rule host without a covering tls entry fails', () => {
    const c = ctx(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop, annotations: {ingress.kubernetes.io/force-ssl-redirect: "true"}}
spec:
  ingressClassName: contour
  rules: [{host: a.example.com}, {host: b.example.com}]
  tls: [{hosts: [a.example.com], secretName: s}]
`);
    expect(status([...ingressWithoutTls.evaluate(c)])).toEqual({ 'host/a.example.com': 'pass', 'host/b.example.com': 'fail' });
  });

  it('case 2: *.example.com covers exactly one label', () => {
    expect(ingressTlsHostCovers('*.example.com', 'a.example.com')).toBe(true);
    expect(ingressTlsHostCovers('*.example.com', 'example.com')).toBe(false);
    expect(ingressTlsHostCovers('*.example.com', 'x.a.example.com')).toBe(false);
    expect(ingressTlsHostCovers('A.Example.com', 'a.example.com.')).toBe(true);
  });

  it('an Ingress without spec.tls, including a host-less default backend, is plaintext', () => {
    const c = ctx(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: plain, namespace: shop}
spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}
`);
    expect([...ingressWithoutTls.evaluate(c)]).toMatchObject([{ status: 'fail', detailKey: 'default' }]);
  });

  // ingress-nginx merges the Ingresses of a host (controller.go createServers) and redirects per
  // location when the server has a certificate (lua_ingress.lua redirect_to_https): a host taking
  // its certificate from another Ingress depends on the ConfigMap's ssl-redirect, so an unreadable
  // ConfigMap is no verdict; without such a host the ConfigMap is not needed.
  it(`a host taking its certificate from another Ingress is judged only when the ingress-nginx ConfigMap is readable (${NGINX_SSL_REDIRECT})`, () => {
    const split = (rules: string) => ctx(`${CONTROLLER}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: d-tls, namespace: shop}
spec:
  ingressClassName: nginx
  tls: [{hosts: [d.example.com], secretName: d-tls}]
  rules: [{host: d.example.com}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: d-api, namespace: shop}
spec: {ingressClassName: nginx, rules: [${rules}]}
`);
    const forbidden = (c: AuditContext) => {
      c.snapshot.coverage.configmaps = { status: 'forbidden', detail: 'get configmaps' };
      return runChecks([ingressWithoutTls], c)[0];
    };
    expect(runChecks([ingressWithoutTls], split('{host: d.example.com}'))[0].status).toBe('pass');
    expect(forbidden(split('{host: d.example.com}'))).toMatchObject({ status: 'not-evaluated', reason: "needs configmaps: forbidden (get configmaps) for ingress-nginx's redirect settings for host d.example.com of Ingress shop/d-api (ConfigMap ingress-nginx/ingress-nginx-controller)" });
    expect(forbidden(split('{host: other.example.com}')).status).toBe('fail');
  });
});

// The reference's §5.1: no spec.tls is plaintext, INFO (the lowest severity here) when TLS provably
// terminates upstream. aws-load-balancer-ssl-ports names the TLS ports by name or number; absent
// or "*" means every port (kubernetes/cloud-provider-aws pkg/providers/v1/aws.go: "Defaults to '*' (all)").
describe('Ingress without spec.tls behind an AWS load balancer that terminates TLS', () => {
  const lb = (opts: { ports?: string; servicePorts: string; type?: string; pod?: string; extra?: string; backend?: string }) => ctx(`
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  template:
    metadata: {labels: {app: nginx-ctl}}
    spec:
      ${opts.pod ?? ''}
      containers: [{name: controller, image: registry.k8s.io/ingress-nginx/controller:v1.15.1}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec: {ingressClassName: nginx, rules: [{host: c.example.com}]}
---
apiVersion: v1
kind: Service
metadata:
  name: lb
  namespace: ingress-nginx
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-ssl-cert: arn:aws:acm:eu-west-1:1:certificate/abc
    ${opts.ports !== undefined ? `service.beta.kubernetes.io/aws-load-balancer-ssl-ports: "${opts.ports}"` : ''}
    ${opts.backend !== undefined ? `service.beta.kubernetes.io/aws-load-balancer-backend-protocol: ${opts.backend}` : ''}
spec: {type: ${opts.type ?? 'LoadBalancer'}, selector: {app: nginx-ctl}, ports: ${opts.servicePorts}}
${opts.extra ?? ''}`);
  const severity = (c: AuditContext) => {
    const [v] = [...ingressWithoutTls.evaluate(c)];
    return v.status === 'fail' ? v.severity ?? 'high' : 'pass';
  };
  it('every port a TLS listener (ports by number, by name, or all when ssl-ports is absent or "*") is low', () => {
    expect(severity(lb({ ports: '443', servicePorts: '[{port: 443}]' }))).toBe('low');
    expect(severity(lb({ ports: '*', servicePorts: '[{port: 443}, {port: 8443}]' }))).toBe('low');
    expect(severity(lb({ servicePorts: '[{port: 80}, {port: 443}]' }))).toBe('low');
  });
  // backend-protocol ssl: the load balancer speaks TLS to the pods (cloud-provider-aws aws.go
  // buildListener; https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/#backend-protocol).
  it('says the hop to ingress-nginx is plaintext only when the load balancer does not re-encrypt (backend-protocol ssl)', () => {
    const message = (c: AuditContext) => [...ingressWithoutTls.evaluate(c)][0].message;
    expect(message(lb({ servicePorts: '[{port: 443, targetPort: 80}]', backend: 'http' }))).toContain('the load balancer forwards to ingress-nginx over plaintext HTTP inside the network');
    const reencrypted = lb({ servicePorts: '[{port: 443, targetPort: 443}]', backend: 'ssl' });
    expect(severity(reencrypted)).toBe('low');
    expect(message(reencrypted)).toContain('service.beta.kubernetes.io/aws-load-balancer-backend-protocol: ssl) in front of Deployment ingress-nginx/ingress-nginx-controller');
    expect(message(reencrypted)).toContain('Informational: the load balancer re-encrypts to ingress-nginx');
    expect(message(reencrypted)).not.toContain('plaintext HTTP');
  });
  // https re-encrypts on a Classic ELB only (https://cloud-provider-aws.sigs.k8s.io/service_controller/
  // lists [http|https|ssl|tcp] for ELB); an NLB's target group speaks TLS only with ssl
  // (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/#backend-protocol).
  it('backend-protocol https on an NLB, or re-encryption aimed at nginx\'s HTTP port, is still plaintext to ingress-nginx', () => {
    const message = (c: AuditContext) => [...ingressWithoutTls.evaluate(c)][0].message;
    const nlbHttps = lb({ servicePorts: '[{port: 443, targetPort: 80}]', backend: 'https\n    service.beta.kubernetes.io/aws-load-balancer-type: external' });
    expect(severity(nlbHttps)).toBe('low');
    expect(message(nlbHttps)).toContain('the load balancer forwards to ingress-nginx over plaintext HTTP inside the network');
    expect(message(nlbHttps)).not.toContain('re-encrypts');
    expect(message(lb({ servicePorts: '[{port: 443, targetPort: 80}]', backend: 'ssl' }))).toContain('over plaintext HTTP inside the network');
    expect(message(lb({ servicePorts: '[{port: 443, targetPort: 443}]', backend: 'https' }))).toContain('Informational: the load balancer re-encrypts to ingress-nginx');
  });
  it('a plaintext way in stays high: a port outside ssl-ports, a NodePort Service, hostNetwork', () => {
    expect(severity(lb({ ports: '443', servicePorts: '[{port: 80}, {port: 443}]' }))).toBe('high');
    expect(severity(lb({ servicePorts: '[{port: 443}]', type: 'NodePort' }))).toBe('high');
    expect(severity(lb({ servicePorts: '[{port: 443}]', pod: 'hostNetwork: true' }))).toBe('high');
    expect(severity(lb({ servicePorts: '[{port: 443}]', extra: `---
apiVersion: v1
kind: Service
metadata: {name: np, namespace: ingress-nginx}
spec: {type: NodePort, selector: {app: nginx-ctl}, ports: [{port: 80}]}` }))).toBe('high');
  });
});

// AWS's protocol tables for its predefined security policies, and the default a listener created
// through the API gets (ELBSecurityPolicy-2016-08): the Service annotations reach AWS through
// either the in-tree provider (Classic/NLB) or the AWS Load Balancer Controller (NLB).
const AWS_NLB_POLICIES = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/describe-ssl-policies.html';
const AWS_CLASSIC_DEFAULT = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/ssl-config-update.html';
const AWS_CLASSIC_POLICIES = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-security-policy-table.html';
const NLB = 'service.beta.kubernetes.io/aws-load-balancer-type: nlb';

describe(`AWS load balancer security policies (${AWS_NLB_POLICIES}; ${AWS_CLASSIC_DEFAULT})`, () => {
  const service = (name: string, annotations: string, type = 'LoadBalancer') => `
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: edge
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-ssl-cert: arn:aws:acm:eu-west-1:1:certificate/abc
    ${annotations}
spec: {type: ${type}, selector: {app: web}, ports: [{name: https, port: 443}]}
---
`;
  const policy = (p: string) => `service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy: ${p}`;
  const verdicts = (c: AuditContext) => [...legacyProtocolEnabled.evaluate(c)].filter((v) => v.resource.kind === 'Service');

  it('policies enabling TLS 1.0 or 1.1 fail, TLS 1.2+ policies pass, one result per Service', () => {
    const cases: Record<string, 'pass' | 'fail'> = {
      'ELBSecurityPolicy-2016-08': 'fail',
      'ELBSecurityPolicy-2015-05': 'fail',
      'ELBSecurityPolicy-TLS-1-0-2015-04': 'fail',
      'ELBSecurityPolicy-TLS-1-1-2017-01': 'fail',
      'ELBSecurityPolicy-FS-2018-06': 'fail',
      'ELBSecurityPolicy-FS-1-1-2019-08': 'fail',
      'ELBSecurityPolicy-TLS13-1-0-2021-06': 'fail',
      'ELBSecurityPolicy-TLS13-1-1-2021-06': 'fail',
      'ELBSecurityPolicy-TLS-1-2-2017-01': 'pass',
      'ELBSecurityPolicy-TLS-1-2-Ext-2018-06': 'pass',
      'ELBSecurityPolicy-FS-1-2-Res-2020-10': 'pass',
      'ELBSecurityPolicy-TLS13-1-2-2021-06': 'pass',
      'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09': 'pass',
      'ELBSecurityPolicy-TLS13-1-3-2021-06': 'pass',
    };
    const names = Object.keys(cases);
    const c = ctx(names.map((p, i) => service(`lb${i}`, `${NLB}\n    ${policy(p)}`)).join(''));
    const got = verdicts(c);
    expect(Object.fromEntries(got.map((v) => [names[Number(v.resource.name.slice(2))], v.status]))).toEqual(cases);
    const tls10 = got.find((v) => v.resource.name === `lb${names.indexOf('ELBSecurityPolicy-TLS-1-0-2015-04')}`)!;
    expect(tls10.message).toBe('Service edge/lb2 terminates TLS at an AWS Network Load Balancer (every port) with security policy ELBSecurityPolicy-TLS-1-0-2015-04, which accepts TLS 1.0 and 1.1.');
  });

  it('no policy annotation is AWS\'s default ELBSecurityPolicy-2016-08, which accepts TLS 1.0: fail, saying so', () => {
    const [v] = verdicts(ctx(service('lb', '')));
    expect(v).toMatchObject({ status: 'fail', resource: { kind: 'Service', namespace: 'edge', name: 'lb' }, evidence: { sslNegotiationPolicy: 'ELBSecurityPolicy-2016-08 (AWS default)', minimumTlsVersion: '1.0' } });
    expect(v.message).toContain('no service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy annotation');
  });

  it('a policy name outside AWS\'s tables is neither passed nor failed: the coverage note names it', () => {
    const nlb = (p: string) => `${NLB}\n    ${policy(p)}`;
    const c = ctx(service('odd', nlb('ELBSecurityPolicy-Made-Up')) + service('ok', nlb('ELBSecurityPolicy-TLS13-1-2-2021-06')) + service('junk-suffix', nlb('ELBSecurityPolicy-TLS13-1-2-whatever')));
    expect(verdicts(c).map((v) => [v.resource.name, v.status])).toEqual([['ok', 'pass']]);
    expect(legacyProtocolEnabled.excluded!(c)).toContain('edge/junk-suffix');
    expect(legacyProtocolEnabled.excluded!(c)).toContain('edge/odd (service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy: "ELBSecurityPolicy-Made-Up")');
  });

  it('only LoadBalancer Services with a certificate on at least one port terminate TLS at AWS', () => {
    expect(verdicts(ctx(service('np', '', 'NodePort')))).toEqual([]);
    expect(verdicts(ctx(service('other-port', 'service.beta.kubernetes.io/aws-load-balancer-ssl-ports: "8443"')))).toEqual([]);
  });

  // A Service with neither an NLB aws-load-balancer-type nor loadBalancerClass service.k8s.aws/nlb
  // gets a Classic ELB from the in-tree provider. Classic has only the policies of
  // ${AWS_CLASSIC_POLICIES}; for any other name ensureSSLNegotiationPolicy fails and the listener
  // keeps the default it was created with, ELBSecurityPolicy-2016-08 (${AWS_CLASSIC_DEFAULT}).
  it(`a Classic ELB naming a policy Classic does not have (TLS13, FS, TLS-1-2-Ext) fails as the 2016-08 default it keeps (${AWS_CLASSIC_POLICIES})`, () => {
    const c = ctx(service('clb13', policy('ELBSecurityPolicy-TLS13-1-2-2021-06'))
      + service('clb-ext', policy('ELBSecurityPolicy-TLS-1-2-Ext-2018-06'))
      + service('clb12', policy('ELBSecurityPolicy-TLS-1-2-2017-01'))
      + service('lbc-nlb', `service.beta.kubernetes.io/aws-load-balancer-type: external\n    ${policy('ELBSecurityPolicy-TLS13-1-2-2021-06')}`)
      + service('nlb-ip', `service.beta.kubernetes.io/aws-load-balancer-type: nlb-ip\n    ${policy('ELBSecurityPolicy-TLS13-1-2-2021-06')}`)
      + `apiVersion: v1
kind: Service
metadata:
  name: by-class
  namespace: edge
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-ssl-cert: arn:aws:acm:eu-west-1:1:certificate/abc
    ${policy('ELBSecurityPolicy-TLS13-1-2-2021-06')}
spec: {type: LoadBalancer, loadBalancerClass: service.k8s.aws/nlb, selector: {app: web}, ports: [{name: https, port: 443}]}
`);
    const got = verdicts(c);
    expect(got.map((v) => [v.resource.name, v.status])).toEqual([['clb13', 'fail'], ['clb-ext', 'fail'], ['clb12', 'pass'], ['lbc-nlb', 'pass'], ['nlb-ip', 'pass'], ['by-class', 'pass']]);
    expect(got[0]).toMatchObject({ evidence: { loadBalancer: 'Classic', namedPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', minimumTlsVersion: '1.0' } });
    expect(got[0].message).toBe('Service edge/clb13 terminates TLS at an AWS Classic Load Balancer (every port) with security policy ELBSecurityPolicy-2016-08: it names "ELBSecurityPolicy-TLS13-1-2-2021-06", which Classic Load Balancers do not have (no aws-load-balancer-type nlb/external/nlb-ip and no loadBalancerClass service.k8s.aws/nlb makes this a Classic ELB), so the in-tree AWS provider fails to set it and the listeners keep AWS\'s default, which accepts TLS 1.0 and 1.1.');
    expect(legacyProtocolEnabled.excluded!(c)).toBeUndefined();
  });

  // Neither controller makes a TLS listener of a UDP port: kubernetes/cloud-provider-aws
  // pkg/providers/v1/aws.go `if port.Protocol != v1.ProtocolUDP && certificateARN != ""`;
  // aws-load-balancer-controller pkg/service/model_build_listener.go leaves UDP and TCP_UDP alone.
  it('a UDP port named in aws-load-balancer-ssl-ports is no TLS listener: nothing to judge', () => {
    const udp = `apiVersion: v1
kind: Service
metadata:
  name: nlb-udp
  namespace: web
  annotations:
    ${NLB}
    service.beta.kubernetes.io/aws-load-balancer-ssl-cert: arn:aws:acm:eu-west-1:1:certificate/abc
    service.beta.kubernetes.io/aws-load-balancer-ssl-ports: "53"
spec: {type: LoadBalancer, selector: {app: dns}, ports: [{name: dns, port: 53, protocol: UDP, targetPort: 53}]}
---
`;
    expect(verdicts(ctx(udp))).toEqual([]);
    expect(verdicts(ctx(udp.replace('protocol: UDP', 'protocol: TCP'))).map((v) => [v.resource.name, v.status])).toEqual([['nlb-udp', 'fail']]);
  });
});

describe('ingress-nginx', () => {
  it('finds the controller ConfigMap through --configmap with $(POD_NAMESPACE)', () => {
    expect(ingressControllerConfigMapRefs(ctx(CONTROLLER).snapshot)).toEqual([{ namespace: 'ingress-nginx', name: 'ingress-nginx-controller' }]);
  });

  it(`reads --configmap given twice as the controller's flag parser (spf13/pflag, ${NGINX_CLI_ARGUMENTS}) does: the last one`, () => {
    // A chart's extraArgs appended after its own --configmap replace it: the ConfigMap judged is the one the controller reads.
    const twice = CONTROLLER.replace('--ingress-class=nginx]', '--ingress-class=nginx, --configmap, tuned/nginx-overrides]');
    expect(ingressControllerConfigMapRefs(ctx(twice).snapshot)).toEqual([{ namespace: 'tuned', name: 'nginx-overrides' }]);
    // As written: pflag keeps the spaces and ParseNameNS does not trim, so " tuned/nginx-overrides "
    // names no ConfigMap that can exist; the controller reads none and runs on its defaults.
    const spaced = CONTROLLER.replace('--ingress-class=nginx]', '--ingress-class=nginx, --configmap, " tuned/nginx-overrides "]');
    expect(ingressControllerConfigMapRefs(ctx(spaced).snapshot)).toEqual([]);
    expect(nginxControllers(ctx(spaced).snapshot)[0]?.configMapIgnored).toBe(' tuned/nginx-overrides ');
  });

  it('case 3: no ssl-protocols key passes (default TLSv1.2 TLSv1.3); TLSv1 TLSv1.1 TLSv1.2 fails', () => {
    const cm = (data: string) => `${CONTROLLER}---
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data: {${data}}
`;
    expect([...legacyProtocolEnabled.evaluate(ctx(cm('allow-snippet-annotations: "false"')))]).toMatchObject([{ status: 'pass', resource: { kind: 'ConfigMap' } }]);
    const bad = [...legacyProtocolEnabled.evaluate(ctx(cm('ssl-protocols: "TLSv1 TLSv1.1 TLSv1.2"')))];
    expect(bad).toMatchObject([{ status: 'fail', evidence: { legacy: ['TLSv1', 'TLSv1.1'] } }]);
    expect([...legacyProtocolEnabled.evaluate(ctx(cm('ssl-protocols: "TLSv1.2 TLSv1.3"')))][0].status).toBe('pass');
  });

  it(`two controllers reading one --configmap (${NGINX_CLI_ARGUMENTS}) give one ssl-protocols result naming both, not two with one fingerprint`, () => {
    const controller = (kind: string, name: string) => `
apiVersion: apps/v1
kind: ${kind}
metadata: {name: ${name}, namespace: ingress-nginx}
spec:
  template:
    spec:
      containers:
        - {name: controller, image: "registry.k8s.io/ingress-nginx/controller:v1.15.1", args: [/nginx-ingress-controller, --configmap=ingress-nginx/nginx-config]}
---`;
    const c = ctx(`${controller('Deployment', 'ingress-nginx-controller')}${controller('DaemonSet', 'ingress-nginx-edge')}
apiVersion: v1
kind: ConfigMap
metadata: {name: nginx-config, namespace: ingress-nginx}
data: {ssl-protocols: "TLSv1 TLSv1.1 TLSv1.2"}
`);
    const v = [...legacyProtocolEnabled.evaluate(c)];
    expect(v).toMatchObject([{ status: 'fail', resource: { kind: 'ConfigMap', namespace: 'ingress-nginx', name: 'nginx-config' }, detailKey: 'ssl-protocols' }]);
    expect(v[0].message).toContain('Deployment ingress-nginx/ingress-nginx-controller, DaemonSet ingress-nginx/ingress-nginx-edge');
  });

  it('case 4: ssl-redirect "false" on a TLS Ingress fails; the ConfigMap setting applies to served Ingresses', () => {
    const ing = (ann: string, name = 'web') => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: shop, annotations: {${ann}}}
spec: {ingressClassName: nginx, tls: [{hosts: [a.example.com], secretName: s}], rules: [{host: a.example.com}]}
`;
    const c1 = ctx(`${CONTROLLER}---${ing('nginx.ingress.kubernetes.io/ssl-redirect: "false"')}---${ing('', 'ok')}`);
    expect(Object.fromEntries([...sslRedirectDisabled.evaluate(c1)].map((v) => [v.resource.name, v.status]))).toEqual({ web: 'fail', ok: 'pass' });
    const c2 = ctx(`${CONTROLLER}---
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data: {ssl-redirect: "false"}
---${ing('', 'inherits')}---${ing('nginx.ingress.kubernetes.io/force-ssl-redirect: "true"', 'forced')}`);
    expect(Object.fromEntries([...sslRedirectDisabled.evaluate(c2)].map((v) => [v.resource.name, v.status]))).toEqual({ inherits: 'fail', forced: 'pass' });
  });

  it(`ssl-redirect and force-ssl-redirect are read with strconv.ParseBool; a value that does not parse takes the ConfigMap's (${NGINX_SSL_REDIRECT}; rewrite annotation parser)`, () => {
    const ing = (ann: string, name: string) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: shop, annotations: {${ann}}}
spec: {ingressClassName: nginx, tls: [{hosts: [a.example.com], secretName: s}], rules: [{host: a.example.com}]}
`;
    const cm = (data: string) => `---
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data: {${data}}
`;
    const verdicts = (yaml: string) => Object.fromEntries([...sslRedirectDisabled.evaluate(ctx(yaml))].map((v) => [v.resource.name, v.status]));
    const a = 'nginx.ingress.kubernetes.io/ssl-redirect';
    expect(verdicts(`${CONTROLLER}---${ing(`${a}: "False"`, 'title')}---${ing(`${a}: "0"`, 'zero')}---${ing(`${a}: "f"`, 'f')}---${ing(`${a}: "no"`, 'unparsable')}`))
      .toEqual({ title: 'fail', zero: 'fail', f: 'fail', unparsable: 'pass' });
    expect(verdicts(`${CONTROLLER}${cm('ssl-redirect: "False"')}---${ing(`${a}: "no"`, 'unparsable')}---${ing('nginx.ingress.kubernetes.io/force-ssl-redirect: "TRUE"', 'forced')}`))
      .toEqual({ unparsable: 'fail', forced: 'pass' });
    expect(verdicts(`${CONTROLLER}${cm('ssl-redirect: "false", force-ssl-redirect: "True"')}---${ing('', 'forced-by-configmap')}`)).toEqual({ 'forced-by-configmap': 'pass' });
  });

  it(`an Ingress whose IngressClass names another controller is not ingress-nginx's, leftover nginx annotations aside; a class no IngressClass defines falls back to them (${K8S_INGRESS_CLASS})`, () => {
    const c = ctx(`
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: migrated, namespace: web, annotations: {nginx.ingress.kubernetes.io/ssl-redirect: "false"}}
spec: {ingressClassName: traefik, tls: [{hosts: [m.example.com], secretName: m}], rules: [{host: m.example.com}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: unknown-class, namespace: web, annotations: {nginx.ingress.kubernetes.io/ssl-redirect: "false"}}
spec: {ingressClassName: nginx-internal, tls: [{hosts: [u.example.com], secretName: u}], rules: [{host: u.example.com}]}
`);
    expect([...sslRedirectDisabled.evaluate(c)].map((v) => [v.resource.name, v.status])).toEqual([['unknown-class', 'fail']]);
  });

  it('flags ingress-nginx as a retired controller (low severity)', () => {
    const v = [...retiredIngressController.evaluate(ctx(CONTROLLER))];
    expect(v).toMatchObject([{ status: 'fail', resource: { kind: 'Deployment', name: 'ingress-nginx-controller' } }]);
    expect(retiredIngressController.severity).toBe('low');
  });
});

describe('Istio Gateway, Gateway API, Traefik, Contour', () => {
  it('case 5: Istio SIMPLE server defaults to TLS 1.2; minProtocolVersion TLSV1_1 fails', () => {
    const gw = (extra: string) => ctx(`
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: istio-ingress}
spec:
  servers:
    - port: {number: 443, name: https, protocol: HTTPS}
      hosts: [a.example.com]
      tls: {mode: SIMPLE, credentialName: c${extra}}
`);
    expect([...legacyProtocolEnabled.evaluate(gw(''))]).toMatchObject([{ status: 'pass' }]);
    expect([...legacyProtocolEnabled.evaluate(gw(', minProtocolVersion: TLSV1_1'))]).toMatchObject([{ status: 'fail', detailKey: 'server/https' }]);
  });

  it(`Istio PASSTHROUGH (the TLSmode enum's zero value, so an omitted mode) and AUTO_PASSTHROUGH leave the version to the backend: no verdict, the coverage note points to --probe-tls (${ISTIO_SERVER_TLS}; reference §5.3, §5.4)`, () => {
    const c = ctx(`
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: istio-ingress}
spec:
  servers:
    - {port: {number: 8443, name: https-pt, protocol: HTTPS}, hosts: [legacy.example.com], tls: {credentialName: legacy-tls}}
    - {port: {number: 15443, name: tls-auto, protocol: TLS}, hosts: ["*.local"], tls: {mode: AUTO_PASSTHROUGH}}
    - {port: {number: 9443, name: tls-pt, protocol: TLS}, hosts: [old.example.com], tls: {mode: PASSTHROUGH, minProtocolVersion: TLSV1_0}}
`);
    expect([...legacyProtocolEnabled.evaluate(c)]).toEqual([]);
    expect(legacyProtocolEnabled.excluded!(c)).toMatch(/^3 Istio Gateway server\(s\) pass TLS through to the backend .*istio-ingress\/edge port 8443, istio-ingress\/edge port 15443, istio-ingress\/edge port 9443; run with --probe-tls/);
  });

  it('case 6: Gateway API HTTPS+Passthrough is invalid, TLS+Passthrough passes (probe the backend); HTTP-only hostnames fail', () => {
    const c = ctx(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: edge}
spec:
  gatewayClassName: x
  listeners:
    - {name: bad, protocol: HTTPS, port: 443, hostname: a.example.com, tls: {mode: Passthrough}}
    - {name: pass, protocol: TLS, port: 8443, hostname: b.example.com, tls: {mode: Passthrough}}
    - {name: http-a, protocol: HTTP, port: 80, hostname: a.example.com}
    - {name: http-c, protocol: HTTP, port: 80, hostname: c.example.com}
    - {name: https-wild, protocol: HTTPS, port: 443, hostname: "*.apps.example.com", tls: {certificateRefs: [{name: wild}], options: {example.com/min-tls-version: "1.0"}}}
    - {name: http-deep, protocol: HTTP, port: 80, hostname: x.y.apps.example.com}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: c, namespace: edge}
spec: {parentRefs: [{name: gw, sectionName: http-c}], hostnames: [c.example.com], rules: [{backendRefs: [{name: c, port: 80}]}]}
`);
    expect(status([...ingressWithoutTls.evaluate(c)])).toEqual({
      'listener/bad': 'fail', 'listener/pass': 'pass', 'listener/http-a': 'pass', 'listener/http-c': 'fail', 'listener/https-wild': 'pass', 'listener/http-deep': 'pass',
    });
    expect([...legacyProtocolEnabled.evaluate(c)]).toMatchObject([{ status: 'fail', detailKey: 'listener/https-wild' }]);
  });

  it('case 7: Traefik TLSOption "default" with VersionTLS10 fails for routers without options; Contour "1.1" is replaced by its default 1.2 (apis/projectcontour/v1/httpproxy.go: any value but 1.2 or 1.3 defaults to TLS 1.2)', () => {
    const c = ctx(`
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: default, namespace: traefik}
spec: {minVersion: VersionTLS10}
---
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata: {name: modern, namespace: traefik}
spec: {minVersion: VersionTLS13}
---
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: old, namespace: web}
spec: {virtualhost: {fqdn: a.example.com, tls: {secretName: s, minimumProtocolVersion: "1.1"}}}
---
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: new, namespace: web}
spec: {virtualhost: {fqdn: b.example.com, tls: {secretName: s}}}
`);
    const v = [...legacyProtocolEnabled.evaluate(c)];
    expect(Object.fromEntries(v.map((x) => [x.resource.name, x.status]))).toEqual({ default: 'fail', modern: 'pass', old: 'pass', new: 'pass' });
    expect(v.find((x) => x.resource.name === 'default')!.message).toMatch(/every router without explicit TLS options/);
    expect(v.find((x) => x.resource.name === 'old')!.message).toBe('HTTPProxy web/old requires TLS 1.2 or later (minimumProtocolVersion "1.1" is not 1.2 or 1.3, which Contour replaces with its default, 1.2).');
  });
});

describe(`Gateway API HTTP listeners: only redirects may attach (${GATEWAY_REDIRECT_GUIDE})`, () => {
  // The guide's Gateway: one HTTP and one HTTPS listener; its redirect HTTPRoute names sectionName http.
  const gateway = (route: string) => ctx(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: redirect-gateway, namespace: web}
spec:
  gatewayClassName: foo-lb
  listeners:
    - {name: http, protocol: HTTP, port: 80}
    - {name: https, protocol: HTTPS, port: 443, tls: {mode: Terminate, certificateRefs: [{name: redirect-example}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: http-filter-redirect, namespace: web}
spec:
  parentRefs: [{name: redirect-gateway, sectionName: http}]
  hostnames: [redirect.example]
  rules: [{filters: [{type: RequestRedirect, requestRedirect: {scheme: https, statusCode: 301}}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: https-route, namespace: web}
spec:
  hostnames: [redirect.example]
${route}`);
  const http = (c: AuditContext) => [...ingressWithoutTls.evaluate(c)].find((v) => v.detailKey === 'listener/http')!;

  it('the guide\'s setup passes: the HTTP listener only redirects, the serving route names sectionName https', () => {
    const v = http(gateway(`  parentRefs: [{name: redirect-gateway, sectionName: https}]
  rules: [{backendRefs: [{name: example-svc, port: 80}]}]`));
    expect(v.status).toBe('pass');
  });

  it('a serving route without sectionName attaches to every listener, the HTTP one too: plaintext content fails', () => {
    const v = http(gateway(`  parentRefs: [{name: redirect-gateway}]
  rules: [{backendRefs: [{name: example-svc, port: 80}]}]`));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('HTTPRoute web/https-route (redirect.example → Service web/example-svc:80)');
  });

  it('a rule with RequestRedirect forwards nothing; the API refuses it beside backendRefs, so it is read as the redirect', () => {
    const v = http(gateway(`  parentRefs: [{name: redirect-gateway}]
  rules: [{filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}], backendRefs: [{name: example-svc, port: 80}]}]`));
    expect(v.status).toBe('pass');
  });

  it(`ParentReference.port (${GATEWAY_PARENT_REFERENCE}): only listeners on that port are targets; with sectionName both must match`, () => {
    const on = (ref: string) => http(gateway(`  parentRefs: [${ref}]
  rules: [{backendRefs: [{name: example-svc, port: 80}]}]`)).status;
    expect(on('{name: redirect-gateway, port: 443}')).toBe('pass');
    expect(on('{name: redirect-gateway, port: 80}')).toBe('fail');
    expect(on('{name: redirect-gateway, port: 443, sectionName: http}')).toBe('pass');
  });

  // The HTTPRoute spec: "When no rules matching a request have been successfully attached to the
  // parent a request is coming from, a HTTP 404 status code MUST be returned." A listener
  // cert-manager's HTTP-01 solver uses holds routes only during a challenge.
  it(`an HTTP listener with no routes attached serves nothing: a 404 to every request (${GATEWAY_HTTPROUTE_SPEC})`, () => {
    const gw = (route: string) => ctx(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: shop}
spec:
  gatewayClassName: eg
  listeners:
    - {name: http, protocol: HTTP, port: 80}
    - {name: https, protocol: HTTPS, port: 443, hostname: shop.example.com, tls: {mode: Terminate, certificateRefs: [{name: shop-tls}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: gw, sectionName: https}]
  hostnames: [shop.example.com]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
${route}`);
    const v = [...ingressWithoutTls.evaluate(gw(''))].find((x) => x.detailKey === 'listener/http')!;
    expect(v).toMatchObject({ status: 'pass', message: 'HTTP listener http has no routes attached: it serves nothing (404).', evidence: { routes: [] } });
    // Any route kind the listener accepts counts, and a parentRef without sectionName attaches to it.
    for (const [kind, sectionName] of [['GRPCRoute', ''], ['HTTPRoute', ', sectionName: http']]) {
      const attached = [...ingressWithoutTls.evaluate(gw(`apiVersion: gateway.networking.k8s.io/v1
kind: ${kind}
metadata: {name: api, namespace: shop}
spec: {parentRefs: [{name: gw${sectionName}}], rules: [{backendRefs: [{name: api, port: 9000}]}]}
`))].find((x) => x.detailKey === 'listener/http')!;
      expect(attached.status, kind).toBe('fail');
      expect(attached.message).toContain(`${kind} shop/api (* → Service shop/api:9000)`);
    }
  });
});

describe(`Istio Gateway HTTP servers: httpsRedirect or plaintext (${ISTIO_SERVER_TLS})`, () => {
  const gateway = (redirect: string, http: string) => ctx(`
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: igw, namespace: web}
spec:
  selector: {istio: ingressgateway}
  servers:
    - {port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com]${redirect}}
    - {port: {number: 443, name: https, protocol: HTTPS}, hosts: [shop.example.com], tls: {mode: SIMPLE, credentialName: shop-tls}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: web}
spec:
  hosts: [shop.example.com]
  gateways: [igw]
  http: [${http}]
`);
  const server = (c: AuditContext) => [...ingressWithoutTls.evaluate(c)].find((v) => v.detailKey === 'server/http')!;

  it('without httpsRedirect a bound VirtualService is served over plain HTTP, although an HTTPS server covers the host', () => {
    const v = server(gateway('', '{route: [{destination: {host: app}}]}'));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('VirtualService web/shop (shop.example.com → destination app)');
  });

  it('httpsRedirect: true sends a 301 for every http connection: passes', () => {
    expect(server(gateway(', tls: {httpsRedirect: true}', '{route: [{destination: {host: app}}]}')).status).toBe('pass');
  });

  it('a VirtualService whose http routes only redirect forwards nothing over plain HTTP', () => {
    expect(server(gateway('', '{redirect: {scheme: https}}')).status).toBe('pass');
  });
});

describe(`cert-manager Certificates near expiry: renewalTime (${CERT_MANAGER_CERTIFICATE_STATUS})`, () => {
  // "renewalTime: the time at which the certificate will be next renewed. If not set, no upcoming renewal is scheduled."
  const cert = (name: string, renewal: string) => `---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: ${name}, namespace: web}
spec: {secretName: ${name}-tls, duration: 24h, renewBefore: 8h, issuerRef: {name: vault, kind: ClusterIssuer}}
status:
  conditions: [{type: Ready, status: "True", reason: Ready}]
  notBefore: "2026-05-31T08:00:00Z"
  notAfter: "2026-06-01T08:00:00Z"
${renewal}
`;
  it('a 24 h certificate within the threshold passes while its renewal is still ahead; overdue or unscheduled renewal fails', () => {
    const c = ctx(cert('scheduled', '  renewalTime: "2026-06-01T01:00:00Z"') + cert('overdue', '  renewalTime: "2026-05-31T23:00:00Z"') + cert('unscheduled', ''));
    const v = [...certificateExpiring.evaluate(c)];
    expect(Object.fromEntries(v.map((x) => [x.resource.name, x.status]))).toEqual({ scheduled: 'pass', overdue: 'fail', unscheduled: 'fail' });
    expect(v.find((x) => x.resource.name === 'overdue')!.message).toContain('its renewal was due at 2026-05-31T23:00:00Z and has not happened');
    expect(v.find((x) => x.resource.name === 'unscheduled')!.message).toContain('no renewal scheduled (status.renewalTime unset)');
  });
});

describe('probe checks read snapshot.probes', () => {
  const probe = (over: Partial<TlsProbeResult>): TlsProbeResult => ({
    endpoint: { host: '203.0.113.7', port: 443, sni: 'a.example.com', origin: 'Ingress/shop/web' },
    versions: { 'TLSv1': 'rejected', 'TLSv1.1': 'rejected', 'TLSv1.2': 'accepted', 'TLSv1.3': 'accepted' },
    certificate: { notAfter: '2026-09-01T00:00:00.000Z', subject: 'a.example.com', altNames: ['a.example.com'], hostnameMatches: true },
    ...over,
  });

  it('do not apply without probes', () => {
    const c = ctx('');
    for (const check of [probeLegacyAccepted, certificateExpiring, certificateHostnameMismatch]) expect(check.appliesTo!(c)).toBe(false);
  });

  it('legacy accepted fails, rejected passes, inconclusive/unreachable is not judged', () => {
    const c = ctx('', [
      probe({}),
      probe({ endpoint: { host: '203.0.113.8', port: 443, sni: 'old.example.com', origin: 'config' }, versions: { 'TLSv1': 'accepted', 'TLSv1.1': 'rejected', 'TLSv1.2': 'accepted', 'TLSv1.3': 'rejected' } }),
      probe({ endpoint: { host: '203.0.113.9', port: 443, origin: 'config' }, versions: { 'TLSv1': 'inconclusive', 'TLSv1.1': 'inconclusive', 'TLSv1.2': 'inconclusive', 'TLSv1.3': 'inconclusive' }, certificate: undefined, error: 'unreachable: ECONNREFUSED' }),
    ]);
    const v = [...probeLegacyAccepted.evaluate(c)];
    expect(v.map((x) => [x.resource.kind, x.resource.name, x.status])).toEqual([['Ingress', 'web', 'pass'], ['TLSEndpoint', 'old.example.com@203.0.113.8:443', 'fail']]);
  });

  it('certificate expiry is judged against ctx.now and config.tls.certificateExpiryDays', () => {
    const c = ctx('', [
      probe({}),
      probe({ endpoint: { host: 'h', port: 443, sni: 'soon.example.com', origin: 'config' }, certificate: { notAfter: '2026-06-15T00:00:00Z', hostnameMatches: true } }),
      probe({ endpoint: { host: 'h', port: 443, sni: 'gone.example.com', origin: 'config' }, certificate: { notAfter: '2026-05-01T00:00:00Z', hostnameMatches: false } }),
    ]);
    expect([...certificateExpiring.evaluate(c)].map((x) => [x.status, x.severity])).toEqual([['pass', undefined], ['fail', undefined], ['fail', 'critical']]);
    c.config.tls.certificateExpiryDays = 7;
    expect([...certificateExpiring.evaluate(c)].map((x) => x.status)).toEqual(['pass', 'pass', 'fail']);
    expect([...certificateHostnameMismatch.evaluate(c)].map((x) => x.status)).toEqual(['pass', 'pass', 'fail']);
  });

  // LoadBalancerIngress.hostname "is set for load-balancer ingress points that are DNS based
  // (typically AWS load-balancers)" (https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceStatus):
  // the cloud's name for its load balancer, which no certificate for the service's own host names.
  it('a LoadBalancer Service probed at its ELB hostname without SNI is not judged against that name; an SNI or configured name still is', () => {
    const elb = 'a1b2c3d4-1234567890.eu-west-1.elb.amazonaws.com';
    const c = ctx(`
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {type: LoadBalancer, ports: [{port: 443}]}
status: {loadBalancer: {ingress: [{hostname: ${elb}}, {ip: 198.51.100.4}]}}
`);
    const found = probeTargets(c.snapshot, c.config).targets;
    expect(found).toEqual([{ host: elb, port: 443, origin: 'Service/shop/web' }, { host: '198.51.100.4', port: 443, origin: 'Service/shop/web' }]);
    const served = { notAfter: '2026-09-01T00:00:00.000Z', subject: 'shop.example.com', altNames: ['shop.example.com'], hostnameMatches: false };
    c.snapshot.probes = [
      ...found.map((endpoint) => probe({ endpoint, certificate: served })),
      probe({ endpoint: { host: elb, port: 443, sni: 'shop.example.com', origin: 'config' }, certificate: { ...served, hostnameMatches: true } }),
      probe({ endpoint: { host: elb, port: 443, origin: 'config' }, certificate: served }),
    ];
    const [outcome] = runChecks([certificateHostnameMismatch], c);
    expect(outcome.results.map((r) => [r.resource.name, r.status])).toEqual([['shop.example.com@' + elb + ':443', 'pass'], [elb + ':443', 'fail']]);
    expect(outcome.status).toBe('fail');
    expect(outcome.excluded).toBe(`Certificate names not judged for 2 endpoint(s) reached at a LoadBalancer Service's status.loadBalancer address without a host name to send as SNI (Service/shop/web at ${elb}:443, Service/shop/web at 198.51.100.4:443): the address, an IP or the cloud's DNS name, is not a name the service's clients use, so no certificate is expected to name it. List the endpoint in tls.probe.endpoints with the sni its clients send to judge it.`);
  });
});

// AWS Load Balancer Controller Ingress annotations
// (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/):
// listen-ports defaults to '[{"HTTP": 80}]' or '[{"HTTPS": 443}]' depending on whether certificate-arn
// is specified; ssl-redirect makes every HTTP listener redirect to HTTPS; ssl-policy defaults to
// ELBSecurityPolicy-2016-08. Policy versions: docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html.
describe('AWS Load Balancer Controller (ALB) Ingresses', () => {
  const alb = (annotations: string, opts: { classAnnotation?: boolean; tls?: boolean } = {}) => ctx(`
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: alb}
spec: {controller: ingress.k8s.aws/alb}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: web
  annotations:
    ${opts.classAnnotation ? 'kubernetes.io/ingress.class: alb' : ''}
    ${annotations}
spec:
  ${opts.classAnnotation ? '' : 'ingressClassName: alb'}
  ${opts.tls ? 'tls: [{hosts: [shop.example.com]}]' : ''}
  rules: [{host: shop.example.com}]
`);
  const CERT = 'alb.ingress.kubernetes.io/certificate-arn: arn:aws:acm:us-east-1:111122223333:certificate/abc';
  const only = (c: AuditContext) => {
    const r = [...ingressWithoutTls.evaluate(c)];
    expect(r).toHaveLength(1);
    return r[0];
  };
  it('certificate-arn with HTTPS-only listen-ports (or the default it gives) passes without spec.tls', () => {
    expect(only(alb(`${CERT}\n    alb.ingress.kubernetes.io/listen-ports: '[{"HTTPS":443}]'`))).toMatchObject({ status: 'pass', detailKey: 'alb-listeners' });
    expect(only(alb(CERT)).status).toBe('pass');
    expect(only(alb(CERT, { classAnnotation: true })).status).toBe('pass');
  });
  it('an HTTP listen port passes only with ssl-redirect; otherwise it fails naming the port', () => {
    const both = `${CERT}\n    alb.ingress.kubernetes.io/listen-ports: '[{"HTTP": 80}, {"HTTPS":443}]'`;
    expect(only(alb(`${both}\n    alb.ingress.kubernetes.io/ssl-redirect: '443'`)).status).toBe('pass');
    const open = only(alb(both));
    expect(open.status).toBe('fail');
    expect(open.severity).toBeUndefined();
    expect(open.message).toContain('over plaintext HTTP on port 80');
  });
  it('no HTTPS listener (no certificate-arn: the default is HTTP 80) fails even with spec.tls', () => {
    const r = only(alb('', { tls: true }));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('has no HTTPS listener (default listen-ports, without alb.ingress.kubernetes.io/certificate-arn: HTTP 80)');
    expect(only(alb(`${CERT}\n    alb.ingress.kubernetes.io/listen-ports: 'nope'`))).toMatchObject({ status: 'fail', severity: 'medium' });
  });
  it('tls.legacy-protocol-enabled judges the ALB\'s ssl-policy, or its default ELBSecurityPolicy-2016-08, once per Ingress', () => {
    const verdicts = (c: AuditContext) => [...legacyProtocolEnabled.evaluate(c)].filter((v) => v.resource.kind === 'Ingress');
    const old = verdicts(alb(`${CERT}\n    alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-TLS-1-0-2015-04`));
    expect(old.map((v) => [v.resource.name, v.status])).toEqual([['shop', 'fail']]);
    expect(old[0].message).toContain('accepts TLS 1.0 and 1.1');
    expect(verdicts(alb(CERT)).map((v) => v.status)).toEqual(['fail']);
    expect(verdicts(alb(CERT))[0].message).toContain('ELBSecurityPolicy-2016-08 (no alb.ingress.kubernetes.io/ssl-policy annotation');
    expect(verdicts(alb(`${CERT}\n    alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-TLS13-1-2-2021-06`)).map((v) => v.status)).toEqual(['pass']);
    // No HTTPS listener: no TLS to judge.
    expect(verdicts(alb(''))).toEqual([]);
    const unknown = alb(`${CERT}\n    alb.ingress.kubernetes.io/ssl-policy: Custom-<b>`);
    expect(verdicts(unknown)).toEqual([]);
    expect(legacyProtocolEnabled.excluded!(unknown)).toContain('web/shop (alb.ingress.kubernetes.io/ssl-policy: "Custom-<b>")');
  });
});
