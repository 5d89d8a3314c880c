// Which LoadBalancer Services get an AWS load balancer, and which security policy one gets when
// no annotation names it.
//
// spec.loadBalancerClass (https://kubernetes.io/docs/concepts/services-networking/service/#load-balancer-class;
// ServiceSpec.loadBalancerClass in the API reference: "If set, it is assumed that a load balancer
// implementation is watching for Services with a matching class. Any default load balancer
// implementation (e.g. cloud providers) should ignore Services that set this field"): a Service of
// MetalLB's, Cilium's or Tailscale's class gets no AWS load balancer, whatever AWS annotations it
// carries; such a Service that still carries aws-load-balancer-ssl-cert is named in the coverage
// note, not passed silently. The AWS Load Balancer Controller's class, service.k8s.aws/nlb or its
// --load-balancer-class, is AWS's, and so is EKS Auto Mode's, eks.amazonaws.com/nlb
// (https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-nlb.html: "EKS Auto Mode handles
// Network Load Balancer provisioning by default for all services of type LoadBalancer ... The
// loadBalancerClass: eks.amazonaws.com/nlb specification is automatically set as the cluster
// default"; its table of supported annotations lists aws-load-balancer-ssl-cert and -ssl-ports but
// not -ssl-negotiation-policy, "Note that EKS Auto Mode may not support all annotations", and the
// page names no default security policy).
//
// --default-ssl-policy (kubernetes-sigs/aws-load-balancer-controller docs/deploy/configurations.md,
// https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/configurations/,
// "Default SSL Policy that will be applied to all Ingresses or Services that do not have the SSL
// Policy annotation", default ELBSecurityPolicy-2016-08; the Helm chart passes it as
// --default-ssl-policy=<value>, helm/aws-load-balancer-controller/templates/deployment.yaml).
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { hstsDisabled } from '../../../checks/tls/hsts-disabled.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

function ctx(yamlText: string): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}

const CERT = 'service.beta.kubernetes.io/aws-load-balancer-ssl-cert: arn:aws:acm:eu-west-1:1:certificate/abc';
const POLICY = 'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy';

const service = (name: string, o: { annotations?: string[]; lbClass?: string }) => `
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: edge
  annotations: {${(o.annotations ?? []).join(', ')}}
spec: {type: LoadBalancer, ${o.lbClass ? `loadBalancerClass: ${o.lbClass}, ` : ''}selector: {app: web}, ports: [{name: https, port: 443}]}
---`;

/** The AWS Load Balancer Controller as its Helm chart deploys it (command /controller, args --flag=value). */
const controller = (args: string[], name = 'aws-load-balancer-controller', image = 'public.ecr.aws/eks/aws-load-balancer-controller:v2.13.0') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: kube-system}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: ${name}}}
  template:
    metadata: {labels: {app.kubernetes.io/name: ${name}}}
    spec:
      containers:
      - name: aws-load-balancer-controller
        image: ${image}
        command: [/controller]
        args: [--cluster-name=prod, ${args.join(', ')}]
---`;

const albIngress = (name: string, annotations: string[] = []) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: web
  annotations: {alb.ingress.kubernetes.io/certificate-arn: "arn:aws:acm:us-east-1:111122223333:certificate/abc"${annotations.map((a) => `, ${a}`).join('')}}
spec:
  ingressClassName: alb
  rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}]}}]
---`;
const ALB_CLASS = `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: alb}
spec: {controller: ingress.k8s.aws/alb}
---`;

const awsVerdicts = (c: AuditContext) => [...legacyProtocolEnabled.evaluate(c)].filter((v) => v.resource.kind === 'Service' || v.resource.kind === 'Ingress');
const byName = (c: AuditContext) => Object.fromEntries(awsVerdicts(c).map((v) => [v.resource.name, v.status]));

describe('a Service of another load balancer class gets no AWS load balancer (kubernetes.io/docs/concepts/services-networking/service/#load-balancer-class)', () => {
  it('MetalLB, Cilium LB IPAM and Tailscale classes are not judged against AWS\'s default policy, even with an aws-load-balancer-ssl-cert annotation left on them: the coverage note names them and their class', () => {
    const c = ctx(service('metallb', { annotations: [CERT], lbClass: 'metallb.io/metallb' })
      + service('cilium', { annotations: [CERT], lbClass: 'io.cilium/bgp-control-plane' })
      + service('tailscale', { annotations: [CERT, `${POLICY}: ELBSecurityPolicy-TLS-1-0-2015-04`], lbClass: 'tailscale' }));
    expect(awsVerdicts(c)).toEqual([]);
    expect(legacyProtocolEnabled.excluded!(c)).toBe('3 Service(s) carry service.beta.kubernetes.io/aws-load-balancer-ssl-cert but their spec.loadBalancerClass is not an AWS load balancer ztaudit knows (the AWS Load Balancer Controller\'s service.k8s.aws/nlb or its --load-balancer-class, EKS Auto Mode\'s eks.amazonaws.com/nlb), so their TLS policy is not judged: edge/metallb (loadBalancerClass "metallb.io/metallb"), edge/cilium (loadBalancerClass "io.cilium/bgp-control-plane"), edge/tailscale (loadBalancerClass "tailscale"); run with --probe-tls to judge what they accept');
  });

  it('the class in that note is cluster text: quoted, a line break in it stays escaped on one line', () => {
    const note = legacyProtocolEnabled.excluded!(ctx(service('odd', { annotations: [CERT], lbClass: '"x\\n[ok] all clear"' })))!;
    expect(note).toContain('edge/odd (loadBalancerClass "x\\n[ok] all clear")');
    expect(note).not.toContain('\n');
  });

  it('the AWS Load Balancer Controller\'s class is still an AWS Network Load Balancer with AWS\'s default policy (ELBSecurityPolicy-2016-08: fail)', () => {
    const [v] = awsVerdicts(ctx(service('nlb', { annotations: [CERT], lbClass: 'service.k8s.aws/nlb' })));
    expect(v).toMatchObject({ status: 'fail', resource: { name: 'nlb' }, evidence: { loadBalancer: 'NLB', sslNegotiationPolicy: 'ELBSecurityPolicy-2016-08 (AWS default)', minimumTlsVersion: '1.0' } });
  });

  it('a class the controller reconciles through --load-balancer-class is AWS\'s too', () => {
    const svc = service('custom', { annotations: [CERT, `${POLICY}: ELBSecurityPolicy-TLS13-1-2-2021-06`], lbClass: 'example.com/aws-nlb' });
    expect(byName(ctx(svc))).toEqual({});
    expect(byName(ctx(svc + controller(['--load-balancer-class=example.com/aws-nlb'])))).toEqual({ custom: 'pass' });
  });

  // Already so before loadBalancerClass was read: a Service is AWS's only through the
  // aws-load-balancer-ssl-cert annotation, so a non-AWS cluster's LoadBalancer Services are never judged.
  it('on a non-AWS cluster, a LoadBalancer Service without AWS annotations (no class, or MetalLB\'s) is not judged as an ELB', () => {
    const c = ctx(service('plain', {}) + service('metallb-plain', { lbClass: 'metallb.io/metallb' }));
    expect(awsVerdicts(c)).toEqual([]);
    expect(legacyProtocolEnabled.excluded!(c)).toBeUndefined();
  });

  it('an ingress-nginx controller behind a MetalLB Service carrying ssl-cert is not taken to have TLS terminated upstream at AWS', () => {
    const nginx = `
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
  annotations: {${CERT}}
spec: {type: LoadBalancer, LBCLASS selector: {app: nginx-ctl}, ports: [{port: 443, targetPort: 80}]}
`;
    const aws = ctx(nginx.replace('LBCLASS', ''));
    const metallb = ctx(nginx.replace('LBCLASS', 'loadBalancerClass: metallb.io/metallb,'));
    // At AWS: TLS ends at the load balancer (low), and nginx sees http, so no HSTS (hsts-disabled's upstream-tls).
    expect([...ingressWithoutTls.evaluate(aws)][0]).toMatchObject({ status: 'fail', severity: 'low' });
    expect([...hstsDisabled.evaluate(aws)].filter((v) => v.detailKey === 'upstream-tls')).toHaveLength(1);
    // MetalLB passes TCP through: the Ingress without spec.tls serves plain HTTP (high), and there is no upstream TLS to speak of.
    const [metallbVerdict] = [...ingressWithoutTls.evaluate(metallb)];
    expect(metallbVerdict.status).toBe('fail');
    expect(metallbVerdict.severity).toBeUndefined();
    expect(metallbVerdict.message).not.toContain('aws-load-balancer-ssl-cert');
    expect([...hstsDisabled.evaluate(metallb)].filter((v) => v.detailKey === 'upstream-tls')).toEqual([]);
  });
});

describe('EKS Auto Mode\'s class eks.amazonaws.com/nlb is an AWS Network Load Balancer (docs.aws.amazon.com/eks/latest/userguide/auto-configure-nlb.html)', () => {
  const TLS13 = 'ELBSecurityPolicy-TLS13-1-2-2021-06';
  const AUTO = 'eks.amazonaws.com/nlb';

  it('a TLS 1.0 policy named on it fails (high), as it did before loadBalancerClass was read', () => {
    const c = ctx(service('auto', { annotations: [CERT, `${POLICY}: ELBSecurityPolicy-TLS-1-0-2015-04`], lbClass: AUTO }));
    const [v] = awsVerdicts(c);
    expect(v).toMatchObject({ status: 'fail', resource: { kind: 'Service', namespace: 'edge', name: 'auto' }, evidence: { loadBalancer: 'NLB', loadBalancerClass: AUTO, sslNegotiationPolicy: 'ELBSecurityPolicy-TLS-1-0-2015-04', minimumTlsVersion: '1.0' } });
    expect(v.message).toBe('Service edge/auto terminates TLS at an EKS Auto Mode AWS Network Load Balancer (every port) with security policy ELBSecurityPolicy-TLS-1-0-2015-04, which accepts TLS 1.0 and 1.1.');
    expect(legacyProtocolEnabled.excluded!(c)).toBeUndefined();
  });

  it('without a policy annotation it is neither passed nor failed: the AWS Load Balancer Controller\'s --default-ssl-policy is not Auto Mode\'s, and AWS names no default; the coverage note says so', () => {
    const c = ctx(service('auto', { annotations: [CERT], lbClass: AUTO }) + controller([`--default-ssl-policy=${TLS13}`]));
    expect(awsVerdicts(c)).toEqual([]);
    expect(legacyProtocolEnabled.excluded!(c)).toBe(`1 Service(s) of loadBalancerClass ${AUTO} terminate TLS at an EKS Auto Mode Network Load Balancer whose security policy is not known here: AWS documents neither the policy EKS Auto Mode gives a listener when no annotation names one nor ${POLICY} among the annotations EKS Auto Mode supports (docs.aws.amazon.com/eks/latest/userguide/auto-configure-nlb.html): edge/auto (no ${POLICY}); check the listener's policy (aws elbv2 describe-listeners) or run with --probe-tls`);
  });

  it('a TLS 1.2+ policy named on it is not proof enough to pass (AWS does not list the annotation as one Auto Mode supports): noted, not passed', () => {
    const c = ctx(service('auto', { annotations: [CERT, `${POLICY}: ${TLS13}`], lbClass: AUTO }));
    expect(awsVerdicts(c)).toEqual([]);
    expect(legacyProtocolEnabled.excluded!(c)).toContain(`edge/auto (${POLICY}: "${TLS13}")`);
  });

  it('a policy named on it outside AWS\'s tables is in the unknown-policy note, as on any AWS load balancer', () => {
    const c = ctx(service('auto', { annotations: [CERT, `${POLICY}: ELBSecurityPolicy-Made-Up`], lbClass: AUTO }));
    expect(awsVerdicts(c)).toEqual([]);
    expect(legacyProtocolEnabled.excluded!(c)).toBe(`1 Service(s) take an AWS security policy that is not in AWS's published policy tables, so the TLS versions their load balancer accepts are unknown: edge/auto (${POLICY}: "ELBSecurityPolicy-Made-Up"); check the name (aws elbv2 describe-ssl-policies) or run with --probe-tls`);
  });
});

describe('the AWS Load Balancer Controller\'s --default-ssl-policy (aws-load-balancer-controller docs/deploy/configurations.md)', () => {
  const TLS13 = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

  it('an ALB Ingress without ssl-policy takes the controller\'s --default-ssl-policy: a TLS 1.2+ default passes, naming the Deployment', () => {
    const c = ctx(ALB_CLASS + albIngress('shop') + controller([`--default-ssl-policy=${TLS13}`]));
    const [v] = awsVerdicts(c);
    expect(v).toMatchObject({ status: 'pass', resource: { kind: 'Ingress', namespace: 'web', name: 'shop' }, evidence: { sslPolicy: `${TLS13} (--default-ssl-policy of Deployment kube-system/aws-load-balancer-controller)`, minimumTlsVersion: '1.2' } });
    expect(v.message).toBe(`Ingress web/shop terminates TLS at an AWS Application Load Balancer (HTTPS port 443) with security policy ${TLS13} (no alb.ingress.kubernetes.io/ssl-policy annotation: the --default-ssl-policy of the AWS Load Balancer Controller, Deployment kube-system/aws-load-balancer-controller), which requires TLS 1.2 or later.`);
  });

  it('... and a TLS 1.0 default (or none: ELBSecurityPolicy-2016-08) fails; the Ingress\'s own ssl-policy wins over the flag', () => {
    expect(byName(ctx(ALB_CLASS + albIngress('shop') + controller(['--default-ssl-policy=ELBSecurityPolicy-TLS-1-0-2015-04'])))).toEqual({ shop: 'fail' });
    const none = awsVerdicts(ctx(ALB_CLASS + albIngress('shop') + controller(['--ingress-class=alb'])));
    expect(none).toMatchObject([{ status: 'fail', evidence: { sslPolicy: 'ELBSecurityPolicy-2016-08 (default)' } }]);
    expect(none[0].message).toContain('the AWS Load Balancer Controller\'s default, its Deployment kube-system/aws-load-balancer-controller running without --default-ssl-policy');
    expect(byName(ctx(ALB_CLASS + albIngress('shop', ['alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-2016-08']) + controller([`--default-ssl-policy=${TLS13}`])))).toEqual({ shop: 'fail' });
  });

  it('the flag in pflag\'s other spelling (--default-ssl-policy VALUE) is read too', () => {
    expect(byName(ctx(ALB_CLASS + albIngress('shop') + controller(['--default-ssl-policy', TLS13])))).toEqual({ shop: 'pass' });
  });

  // A controller before v2.5, which has no Service webhook: class-less Services stay the in-tree provider's.
  it('NLB Services the controller provisions (class service.k8s.aws/nlb, aws-load-balancer-type external or nlb-ip) take the flag; in-tree ones (type nlb, Classic) keep AWS\'s default', () => {
    const c = ctx(controller([`--default-ssl-policy=${TLS13}`], 'aws-load-balancer-controller', 'public.ecr.aws/eks/aws-load-balancer-controller:v2.4.7')
      + service('by-class', { annotations: [CERT], lbClass: 'service.k8s.aws/nlb' })
      + service('external', { annotations: [CERT, 'service.beta.kubernetes.io/aws-load-balancer-type: external'] })
      + service('nlb-ip', { annotations: [CERT, 'service.beta.kubernetes.io/aws-load-balancer-type: nlb-ip'] })
      + service('in-tree-nlb', { annotations: [CERT, 'service.beta.kubernetes.io/aws-load-balancer-type: nlb'] })
      + service('classic', { annotations: [CERT] }));
    expect(byName(c)).toEqual({ 'by-class': 'pass', external: 'pass', 'nlb-ip': 'pass', 'in-tree-nlb': 'fail', classic: 'fail' });
    const byClass = awsVerdicts(c).find((v) => v.resource.name === 'by-class')!;
    expect(byClass.message).toBe(`Service edge/by-class terminates TLS at an AWS Network Load Balancer (every port) with security policy ${TLS13} (no ${POLICY} annotation: the --default-ssl-policy of the AWS Load Balancer Controller, Deployment kube-system/aws-load-balancer-controller), which requires TLS 1.2 or later.`);
  });

  it('a default policy outside AWS\'s tables is named in the coverage note as the flag\'s, not as an annotation', () => {
    const c = ctx(ALB_CLASS + albIngress('shop') + controller(['--default-ssl-policy=ELBSecurityPolicy-Made-Up']));
    expect(awsVerdicts(c)).toEqual([]);
    expect(legacyProtocolEnabled.excluded!(c)).toContain('web/shop (--default-ssl-policy of Deployment kube-system/aws-load-balancer-controller: "ELBSecurityPolicy-Made-Up")');
    // The flag's value is cluster text: quoted, a line break in it stays escaped on one line.
    const hostile = legacyProtocolEnabled.excluded!(ctx(ALB_CLASS + albIngress('shop') + controller(['"--default-ssl-policy=x\\n[ok] all clear"'])))!;
    expect(hostile).toContain('"x\\n[ok] all clear"');
    expect(hostile).not.toContain('\n');
  });

  // Upstream supports one controller Deployment per cluster (configurations.md, "limitation").
  it('two controller Deployments disagreeing on the flag: neither passed nor failed, the coverage note names both', () => {
    const c = ctx(ALB_CLASS + albIngress('shop') + controller([`--default-ssl-policy=${TLS13}`]) + controller(['--ingress-class=alb'], 'second-lbc'));
    expect(awsVerdicts(c)).toEqual([]);
    expect(legacyProtocolEnabled.excluded!(c)).toContain(`1 AWS load balancer(s) name no security policy and take the AWS Load Balancer Controller's default, which its Deployments set differently (Deployment kube-system/aws-load-balancer-controller: --default-ssl-policy="${TLS13}"; Deployment kube-system/second-lbc: no --default-ssl-policy (ELBSecurityPolicy-2016-08))`);
  });

  it('a Deployment whose image is not the controller\'s is not read', () => {
    expect(byName(ctx(ALB_CLASS + albIngress('shop') + controller([`--default-ssl-policy=${TLS13}`], 'other', 'example/not-the-aws-load-balancer-controller-proxy:1')))).toEqual({ shop: 'fail' });
  });
});

// "When using AWS Load Balancer Controller v2.5+: The AWS LBC provides a mutating webhook for
// service resources to set the spec.loadBalancerClass field for service of type LoadBalancer on
// create. This makes the AWS LBC the default controller for service of type LoadBalancer. You can
// disable this feature ... by setting the helm chart value enableServiceMutatorWebhook to false"
// (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/installation/);
// the webhook is mservice.elbv2.k8s.aws on /mutate-v1-service and sets the controller's
// --load-balancer-class (webhooks/core/service_mutator.go MutateCreate).
describe('from manifests, the AWS Load Balancer Controller v2.5+ Service webhook makes a class-less LoadBalancer Service its NLB', () => {
  const TLS13 = 'ELBSecurityPolicy-TLS13-1-2-2021-06';
  const classless = service('api', { annotations: [CERT, `${POLICY}: ${TLS13}`] });
  const webhookConfig = (webhooks: string[]) => `
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: aws-load-balancer-webhook}
webhooks:
${webhooks.map((w) => `- name: ${w}
  admissionReviewVersions: [v1]
  sideEffects: None
  clientConfig: {service: {name: aws-load-balancer-webhook-service, namespace: kube-system, path: /mutate-v1-${w.startsWith('mservice') ? 'service' : 'pod'}}}`).join('\n')}
---`;

  it('with the controller\'s v2.13.0 Deployment, a TLS 1.3 policy on a class-less Service is an NLB\'s and passes (it was taken for a Classic ELB, which has no such policy: a false high)', () => {
    const c = ctx(classless + controller(['--ingress-class=alb']));
    const [v] = awsVerdicts(c);
    expect(v).toMatchObject({ status: 'pass', resource: { name: 'api' }, evidence: { loadBalancer: 'NLB', sslNegotiationPolicy: TLS13, minimumTlsVersion: '1.2' } });
    expect(v.message).toContain('an AWS Network Load Balancer of the AWS Load Balancer Controller, whose AWS Load Balancer Controller Deployment kube-system/aws-load-balancer-controller (image "public.ecr.aws/eks/aws-load-balancer-controller:v2.13.0"), v2.5 or later sets loadBalancerClass service.k8s.aws/nlb on create');
  });

  it('its MutatingWebhookConfiguration with the Service webhook shows it too, with no Deployment in the manifests; the controller\'s --default-ssl-policy then applies', () => {
    expect(byName(ctx(classless + webhookConfig(['mpod.elbv2.k8s.aws', 'mservice.elbv2.k8s.aws'])))).toEqual({ api: 'pass' });
    const noPolicy = service('api', { annotations: [CERT] });
    expect(byName(ctx(noPolicy + webhookConfig(['mservice.elbv2.k8s.aws']) + controller([`--default-ssl-policy=${TLS13}`], 'aws-load-balancer-controller', 'registry.example.com/aws-load-balancer-controller@sha256:0123')))).toEqual({ api: 'pass' });
  });

  it('the chart rendered with enableServiceMutatorWebhook=false (its webhook configuration without mservice) leaves the Service to the in-tree provider: a Classic ELB, as before', () => {
    const [v] = awsVerdicts(ctx(classless + controller(['--ingress-class=alb']) + webhookConfig(['mpod.elbv2.k8s.aws', 'mtargetgroupbinding.elbv2.k8s.aws'])));
    expect(v).toMatchObject({ status: 'fail', evidence: { loadBalancer: 'Classic', namedPolicy: TLS13, minimumTlsVersion: '1.0' } });
  });

  it('a controller before v2.5 has no such webhook: Classic, as before', () => {
    expect(awsVerdicts(ctx(classless + controller(['--ingress-class=alb'], 'aws-load-balancer-controller', 'public.ecr.aws/eks/aws-load-balancer-controller:v2.4.7')))).toMatchObject([{ status: 'fail', evidence: { loadBalancer: 'Classic' } }]);
  });

  it('a controller whose image names no version (a digest alone) leaves the Service unjudged: the coverage note says why, the image quoted', () => {
    const c = ctx(classless + controller(['--ingress-class=alb'], 'aws-load-balancer-controller', '"mirror.example.com/aws-load-balancer-controller@sha256:abc\\n[ok] all clear"'));
    expect(awsVerdicts(c)).toEqual([]);
    const note = legacyProtocolEnabled.excluded!(c)!;
    expect(note).toContain('1 Service(s) carry service.beta.kubernetes.io/aws-load-balancer-ssl-cert without a spec.loadBalancerClass, and whether their AWS load balancer is a Classic ELB or the AWS Load Balancer Controller\'s NLB is unknown: the AWS Load Balancer Controller\'s Deployment kube-system/aws-load-balancer-controller (image "mirror.example.com/aws-load-balancer-controller@sha256:abc\\n[ok] all clear") names no version');
    expect(note).toContain(': edge/api;');
    expect(note).not.toContain('\n');
  });

  it('a live cluster keeps reading the Service as it is: the webhook already wrote its class, so a class-less one is the in-tree provider\'s', () => {
    const manifests = ctx(classless + controller(['--ingress-class=alb']));
    const live = { ...manifests, snapshot: { ...manifests.snapshot, source: 'live' as const } };
    expect(awsVerdicts(live)).toMatchObject([{ status: 'fail', evidence: { loadBalancer: 'Classic' } }]);
  });
});

// aws-load-balancer-controller pkg/ingress/model_build_listener.go buildSSLRedirectConfig: the
// annotation must parse as a number (ParseInt32Annotation) and name an HTTPS listener, or the
// model build fails ("listener does not exist for SSLRedirect port"); documented at
// https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#ssl-redirect.
describe('an ALB ssl-redirect the controller refuses is no redirect to HTTPS', () => {
  const listenPorts = `alb.ingress.kubernetes.io/listen-ports: '[{"HTTP": 80}, {"HTTPS": 443}]'`;
  const verdict = (redirect: string) => [...ingressWithoutTls.evaluate(ctx(ALB_CLASS + albIngress('shop', [listenPorts, `alb.ingress.kubernetes.io/ssl-redirect: ${redirect}`])))][0];

  it('"443" redirects (pass); "true" and a port that is no HTTPS listener are the medium "not reconciled" finding, naming the value', () => {
    expect(verdict("'443'")).toMatchObject({ status: 'pass', evidence: { sslRedirect: '443' } });
    expect(verdict("'true'")).toMatchObject({ status: 'fail', severity: 'medium', evidence: { invalidSslRedirect: 'alb.ingress.kubernetes.io/ssl-redirect "true" is not a port number' } });
    expect(verdict("'8443'").message).toBe('Ingress web/shop (AWS Load Balancer Controller): alb.ingress.kubernetes.io/ssl-redirect "8443" names no HTTPS listener (HTTP 80, HTTPS 443), which the controller refuses; it does not reconcile the Ingress, so its listeners and redirect are unknown.');
  });

  it('the value is cluster text: quoted, a line break in it stays escaped on one line', () => {
    const v = verdict('"443\\n[ok] redirects to HTTPS"');
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).toContain('"443\\n[ok] redirects to HTTPS" is not a port number');
    expect(v.message).not.toContain('\n');
  });
});
