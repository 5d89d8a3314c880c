// The AWS Load Balancer Controller's own IngressClassParams (API group elbv2.k8s.aws, v1beta1),
// which an IngressClass of controller ingress.k8s.aws/alb names in spec.parameters:
// kubernetes-sigs/aws-load-balancer-controller docs/guide/ingress/ingress_class.md, "IngressClassParams
// specification": spec.certificateArn, "If the field is specified, LBC will ignore the
// alb.ingress.kubernetes.io/certificate-arn annotation"; spec.sslPolicy, "If the field is specified,
// LBC will ignore the alb.ingress.kubernetes.io/ssl-policy annotation"; spec.namespaceSelector, "only
// Ingresses in selected namespaces can use IngressClasses with this parameter. The controller will
// refuse to reconcile for Ingresses that violates namespaceSelector". The certificates from the
// params make the default listen-ports HTTPS 443 (pkg/ingress/model_build_listener.go:
// computeIngressExplicitTLSCertARNs returns spec.certificateArn first; preferTLS := len(certs) != 0).
// Policies' TLS versions: docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html.
// spec.sslRedirectPort (same page, "spec.sslRedirectPort"): "If the field is specified, LBC will ignore
// the alb.ingress.kubernetes.io/ssl-redirect annotation" (pkg/ingress/model_builder.go,
// buildSSLRedirectConfig: the params' port first, else the annotation; a port that is not a number
// builds no redirect). A namespaceSelector that stops selecting an Ingress the controller already
// serves keeps its ALB: pkg/ingress/group_loader.go, checkGroupMembershipType, errors out on
// ErrInvalidIngressClass for an Ingress holding the group finalizer "to avoid remove the Ingress from
// IngressGroup since the IngressClass might be accidentally modified" (issue 2731); the finalizers
// are ingress.k8s.aws/resources and group.ingress.k8s.aws/<group> (pkg/shared_constants/finalizers.go).
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

function ctx(yamlText: string): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}

const TLS13 = 'ELBSecurityPolicy-TLS13-1-2-2021-06';
const TLS10 = 'ELBSecurityPolicy-TLS-1-0-2015-04';
const CERT_ARN = 'arn:aws:acm:us-west-2:111122223333:certificate/abc';

/** The guide's "awesome-class" IngressClass, naming its IngressClassParams. */
const ingressClass = (params = 'awesome-class-cfg') => `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: awesome-class}
spec:
  controller: ingress.k8s.aws/alb
  parameters: {apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: ${JSON.stringify(params)}}
---`;

const params = (o: { sslPolicy?: string; certificateArn?: string[]; namespaceSelector?: string; sslRedirectPort?: string } = {}) => `
apiVersion: elbv2.k8s.aws/v1beta1
kind: IngressClassParams
metadata: {name: awesome-class-cfg}
spec:
  scheme: internet-facing
  ${o.sslPolicy ? `sslPolicy: ${o.sslPolicy}` : ''}
  ${o.certificateArn ? `certificateArn: [${o.certificateArn.join(', ')}]` : ''}
  ${o.namespaceSelector ? `namespaceSelector: ${o.namespaceSelector}` : ''}
  ${o.sslRedirectPort ? `sslRedirectPort: ${JSON.stringify(o.sslRedirectPort)}` : ''}
---`;

const ingress = (annotations: string[] = [], namespace = 'shop', extra: { finalizers?: string[]; address?: string } = {}) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: ${namespace}
  annotations: {${annotations.join(', ')}}
  ${extra.finalizers ? `finalizers: [${extra.finalizers.join(', ')}]` : ''}
${extra.address ? `status: {loadBalancer: {ingress: [{hostname: ${extra.address}}]}}` : ''}
spec:
  ingressClassName: awesome-class
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---`;

const ns = (name: string, labels: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: ${name}, labels: {${labels}}}
---`;

const policyVerdicts = (c: AuditContext) => [...legacyProtocolEnabled.evaluate(c)].filter((v) => v.resource.kind === 'Ingress');
const listenerVerdicts = (c: AuditContext) => [...ingressWithoutTls.evaluate(c)].filter((v) => v.resource.kind === 'Ingress');
const certificate = `alb.ingress.kubernetes.io/certificate-arn: "${CERT_ARN}"`;

describe('AWS Load Balancer Controller IngressClassParams (elbv2.k8s.aws; docs/guide/ingress/ingress_class.md)', () => {
  it('sslPolicy overrides the Ingress\'s ssl-policy annotation: a TLS 1.0 policy in the params fails though the annotation names TLS 1.3', () => {
    const c = ctx(ingressClass() + params({ sslPolicy: TLS10 }) + ingress([certificate, `alb.ingress.kubernetes.io/ssl-policy: ${TLS13}`]));
    const [v, ...rest] = policyVerdicts(c);
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ status: 'fail', detailKey: 'alb-ssl-policy', evidence: { sslPolicy: `${TLS10} (IngressClassParams awesome-class-cfg sslPolicy)`, minimumTlsVersion: '1.0' } });
    expect(v.message).toBe(`Ingress shop/web terminates TLS at an AWS Application Load Balancer (HTTPS port 443) with security policy ${TLS10} (sslPolicy of IngressClassParams "awesome-class-cfg", which overrides alb.ingress.kubernetes.io/ssl-policy), which accepts TLS 1.0 and 1.1.`);
  });

  it('... and a TLS 1.2+ sslPolicy passes where the annotation would have failed, and stands in for the controller\'s default', () => {
    const c = ctx(ingressClass() + params({ sslPolicy: TLS13 }) + ingress([certificate, 'alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-2016-08']));
    expect(policyVerdicts(c).map((v) => v.status)).toEqual(['pass']);
    expect(policyVerdicts(ctx(ingressClass() + params({ sslPolicy: TLS13 }) + ingress([certificate]))).map((v) => v.status)).toEqual(['pass']);
  });

  it('certificateArn gives the default listen-ports HTTPS 443: no plaintext finding without the annotation', () => {
    const [v, ...rest] = listenerVerdicts(ctx(ingressClass() + params({ certificateArn: [CERT_ARN] }) + ingress()));
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ status: 'pass', evidence: { listenPorts: 'HTTPS 443', certificateArn: true, certificateArnSource: 'IngressClassParams "awesome-class-cfg"' } });
    expect(v.message).toBe('Ingress shop/web (AWS Load Balancer Controller): the ALB listens only on HTTPS (default listen-ports, with the certificateArn of IngressClassParams "awesome-class-cfg": HTTPS 443).');
    // Without it, as before: plain HTTP 80.
    const [plain] = listenerVerdicts(ctx(ingressClass() + params() + ingress()));
    expect(plain.message).toBe('Ingress shop/web (AWS Load Balancer Controller) has no HTTPS listener (default listen-ports, without alb.ingress.kubernetes.io/certificate-arn or IngressClassParams certificateArn: HTTP 80): shop.example.com is served over plaintext HTTP.');
  });

  it('namespaceSelector: an Ingress of a namespace it does not select gets no ALB, so no finding, and a note; a selected one is judged', () => {
    const sel = '{matchLabels: {team: team-a}}';
    const c = ctx(ns('shop', 'team: team-b') + ingressClass() + params({ namespaceSelector: sel }) + ingress());
    expect(listenerVerdicts(c)).toEqual([]);
    expect(ingressWithoutTls.excluded!(c)).toBe('1 AWS Load Balancer Controller Ingress(es) are in a namespace the spec.namespaceSelector of their IngressClassParams does not select, so the AWS Load Balancer Controller rejects their IngressClass and builds no load balancer for them (nothing to judge): shop/web (IngressClassParams "awesome-class-cfg"); label the namespace or use another IngressClass if they should be served');
    const selected = ctx(ns('shop', 'team: team-a') + ingressClass() + params({ namespaceSelector: sel }) + ingress());
    expect(listenerVerdicts(selected).map((v) => v.status)).toEqual(['fail']);
  });

  it('sslRedirectPort redirects the HTTP listeners and overrides the ssl-redirect annotation (no plaintext finding)', () => {
    const both = [`alb.ingress.kubernetes.io/listen-ports: '[{"HTTP": 80}, {"HTTPS": 443}]'`];
    const [v, ...rest] = listenerVerdicts(ctx(ns('shop', 'team: a') + ingressClass() + params({ certificateArn: [CERT_ARN], sslRedirectPort: '443' }) + ingress(both)));
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ status: 'pass', evidence: { sslRedirect: '443', sslRedirectSource: 'IngressClassParams "awesome-class-cfg" sslRedirectPort' } });
    expect(v.message).toBe('Ingress shop/web (AWS Load Balancer Controller): the ALB\'s HTTP listener (port 80) redirects to HTTPS (sslRedirectPort of IngressClassParams "awesome-class-cfg", which overrides alb.ingress.kubernetes.io/ssl-redirect: "443").');
    // The params win over the annotation: a port that is not a number builds no redirect, whatever the annotation says.
    const [bad] = listenerVerdicts(ctx(ns('shop', 'team: a') + ingressClass() + params({ certificateArn: [CERT_ARN], sslRedirectPort: 'https' }) + ingress([...both, "alb.ingress.kubernetes.io/ssl-redirect: '443'"])));
    expect(bad).toMatchObject({ status: 'fail' });
    expect(bad.message).toBe('Ingress shop/web (AWS Load Balancer Controller) has HTTPS, but the ALB also serves shop.example.com over plaintext HTTP on port 80 (alb.ingress.kubernetes.io/listen-ports: HTTP 80, HTTPS 443): the sslRedirectPort of IngressClassParams "awesome-class-cfg", which overrides alb.ingress.kubernetes.io/ssl-redirect, "https", is not a port number, so the controller builds no redirect.');
    // Without the field, the annotation decides, as before.
    const [annotated] = listenerVerdicts(ctx(ns('shop', 'team: a') + ingressClass() + params({ certificateArn: [CERT_ARN] }) + ingress([...both, "alb.ingress.kubernetes.io/ssl-redirect: '443'"])));
    expect(annotated.message).toBe('Ingress shop/web (AWS Load Balancer Controller): the ALB\'s HTTP listener (port 80) redirects to HTTPS (alb.ingress.kubernetes.io/ssl-redirect: "443").');
  });

  it('namespaceSelector no longer selecting an Ingress whose ALB the controller built (its finalizer, or an address in status): the ALB stays, so it is judged, and the note says why', () => {
    const sel = '{matchLabels: {team: team-a}}';
    const refusedWith = (extra: { finalizers?: string[]; address?: string }) => ctx(ns('shop', 'team: team-b') + ingressClass() + params({ namespaceSelector: sel }) + ingress([], 'shop', extra));
    for (const extra of [{ finalizers: ['ingress.k8s.aws/resources'] }, { finalizers: ['group.ingress.k8s.aws/shared'] }, { address: 'k8s-shop-web-0123456789.eu-west-1.elb.amazonaws.com' }]) {
      const c = refusedWith(extra);
      expect(listenerVerdicts(c).map((v) => [v.status, v.message])).toEqual([['fail', 'Ingress shop/web (AWS Load Balancer Controller) has no HTTPS listener (default listen-ports, without alb.ingress.kubernetes.io/certificate-arn or IngressClassParams certificateArn: HTTP 80): shop.example.com is served over plaintext HTTP.']]);
      expect(ingressWithoutTls.excluded!(c)).toBe(`1 AWS Load Balancer Controller Ingress(es) are in a namespace the spec.namespaceSelector of their IngressClassParams does not select (or whose labels were not read), but the controller already built their ALB and keeps it while it refuses the class, with the settings it last reconciled; they are judged on their settings as they are now: shop/web (IngressClassParams "awesome-class-cfg", ${extra.finalizers ? 'controller finalizer' : 'address in status.loadBalancer'}); label the namespace so the controller reconciles them again, or delete them to remove the ALB`);
    }
    // The ALB's security policy is judged too.
    const tls = ctx(ns('shop', 'team: team-b') + ingressClass() + params({ namespaceSelector: sel, sslPolicy: TLS10 }) + ingress([certificate], 'shop', { finalizers: ['ingress.k8s.aws/resources'] }));
    expect(policyVerdicts(tls).map((v) => v.status)).toEqual(['fail']);
    expect(legacyProtocolEnabled.excluded!(tls)).toContain('1 AWS Load Balancer Controller Ingress(es) are in a namespace the spec.namespaceSelector of their IngressClassParams does not select (or whose labels were not read), but the controller already built their ALB');
    // Another controller's finalizer says nothing of an ALB: still refused, nothing judged.
    expect(listenerVerdicts(refusedWith({ finalizers: ['example.com/cleanup'] }))).toEqual([]);
  });

  it('a namespace no manifest declares has unknown labels: the Ingress is not judged, and the note asks for the Namespace manifest, not for list on namespaces', () => {
    const c = ctx(ingressClass() + params({ namespaceSelector: '{matchLabels: {env: prod}}' }) + ingress());
    expect(listenerVerdicts(c)).toEqual([]);
    expect(ingressWithoutTls.excluded!(c)).toBe('1 AWS Load Balancer Controller Ingress(es) belong to an IngressClass whose IngressClassParams restrict it to some namespaces (spec.namespaceSelector), but no manifest declares their namespace, so its labels, and whether a load balancer serves them, are not known and they are not judged: shop/web (IngressClassParams "awesome-class-cfg"); add the Namespace manifest with its labels');
    // Declared with the labels, it is judged.
    expect(listenerVerdicts(ctx(ns('shop', 'env: prod') + ingressClass() + params({ namespaceSelector: '{matchLabels: {env: prod}}' }) + ingress())).map((v) => v.status)).toEqual(['fail']);
  });

  it('IngressClassParams that do not exist: the class is invalid, the listeners unknown (medium), and the note names the API group', () => {
    const c = ctx(ingressClass('missing') + ingress([certificate]));
    expect(listenerVerdicts(c)).toMatchObject([{ status: 'fail', severity: 'medium', message: 'Ingress shop/web (AWS Load Balancer Controller): its IngressClass names IngressClassParams "missing", which does not exist, so the ALB\'s settings (certificateArn, sslPolicy) and its listeners are unknown.' }]);
    expect(policyVerdicts(c)).toEqual([]);
    expect(legacyProtocolEnabled.excluded!(c)).toBe('1 AWS Load Balancer Controller Ingress(es) belong to an IngressClass whose IngressClassParams (elbv2.k8s.aws) does not exist, so the sslPolicy and certificateArn of their load balancer are unknown: shop/web (IngressClassParams "missing"); create it or fix the IngressClass\'s spec.parameters');
  });

  it('IngressClassParams that could not be read make both checks not-evaluated where a class serving an Ingress names them, and only there', () => {
    const forbid = (c: AuditContext) => {
      c.snapshot.coverage['lbc.ingressclassparams'] = { status: 'forbidden', detail: 'list ingressclassparams.elbv2.k8s.aws (refused in test)' };
      c.snapshot.resources['lbc.ingressclassparams'] = [];
      return c;
    };
    const used = runChecks([legacyProtocolEnabled, ingressWithoutTls], forbid(ctx(ingressClass() + params({ sslPolicy: TLS13 }) + ingress([certificate]))));
    expect(used.map((o) => o.status)).toEqual(['not-evaluated', 'not-evaluated']);
    expect(used[0].reason).toContain("lbc.ingressclassparams: forbidden (list ingressclassparams.elbv2.k8s.aws (refused in test)) for the AWS Load Balancer Controller's ALB settings (sslPolicy, certificateArn, sslRedirectPort, namespaceSelector) of IngressClass \"awesome-class\" (IngressClassParams \"awesome-class-cfg\")");
    // The class unused (the Ingress is another controller's): nothing waits for the params.
    const unused = runChecks([legacyProtocolEnabled, ingressWithoutTls], forbid(ctx(ingressClass() + ingress([certificate]).replace('ingressClassName: awesome-class', 'ingressClassName: nginx'))));
    expect(unused.map((o) => o.status)).not.toContain('not-evaluated');
  });
});
