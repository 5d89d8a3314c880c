// EKS Auto Mode's built-in load balancing serves Ingresses with an AWS Application Load Balancer:
// "Create an IngressClass to configure an Application Load Balancer",
// https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-alb.html. Its IngressClass has
// spec.controller eks.amazonaws.com/alb and spec.parameters {apiGroup: eks.amazonaws.com, kind:
// IngressClassParams, name}; "IngressClassParams Reference": certificateARNs, "ARNs of SSL
// certificates to use"; sslPolicy, "Sets the security policy for HTTPS listeners. Overrides the
// alb.ingress.kubernetes.io/ssl-policy annotation."; "the IngressClassParams/Ingress annotations"
// tables: kubernetes.io/ingress.class is not supported (use spec.ingressClassName), and
// IngressClassParams sslRedirectPort is replaced by "the alb.ingress.kubernetes.io/ssl-redirect
// annotation on Ingress objects"; the page's Ingress omits ingressClassName where the class is the
// default ("this can be omitted if you have a default ingressClass in cluster"). The page names no
// default security policy for Auto Mode. Policies' TLS versions: docs.aws.amazon.com/
// elasticloadbalancing/latest/application/describe-ssl-policies.html.
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
const CERT_ARN = 'arn:aws:acm:us-east-1:111122223333:certificate/abc';

/** The page's Step 3 IngressClass, with its is-default-class annotation optional. */
const autoClass = (o: { params?: string; isDefault?: boolean } = {}) => `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: alb
  annotations: {${o.isDefault ? 'ingressclass.kubernetes.io/is-default-class: "true"' : ''}}
spec:
  controller: eks.amazonaws.com/alb
  ${o.params !== undefined ? `parameters: {apiGroup: eks.amazonaws.com, kind: IngressClassParams, name: ${JSON.stringify(o.params)}}` : ''}
---`;

/** The page's Step 2 IngressClassParams (scheme internet-facing), with the reference table's TLS fields. */
const params = (o: { name?: string; sslPolicy?: string; certificateARNs?: string[]; namespaceSelector?: string } = {}) => `
apiVersion: eks.amazonaws.com/v1
kind: IngressClassParams
metadata: {name: ${JSON.stringify(o.name ?? 'alb')}}
spec:
  scheme: internet-facing
  ${o.namespaceSelector ? `namespaceSelector: ${o.namespaceSelector}` : ''}
  ${o.sslPolicy ? `sslPolicy: ${o.sslPolicy}` : ''}
  ${o.certificateARNs ? `certificateARNs: [${o.certificateARNs.join(', ')}]` : ''}
---`;

/** The page's Step 4 Ingress (2048-ingress), its host named, annotations optional. */
const ingress = (annotations: string[] = [], o: { className?: boolean; namespace?: string } = {}) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: 2048-ingress
  namespace: ${o.namespace ?? 'game'}
  annotations: {${annotations.join(', ')}}
spec:
  ${o.className === false ? '' : 'ingressClassName: alb'}
  rules:
  - host: game.example.com
    http:
      paths:
      - {path: /*, pathType: ImplementationSpecific, backend: {service: {name: service-2048, port: {number: 80}}}}
---`;

/** The AWS Load Balancer Controller's Deployment, whose --default-ssl-policy is not Auto Mode's. */
const lbc = (args: string[]) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: aws-load-balancer-controller, namespace: kube-system}
spec:
  selector: {matchLabels: {app: lbc}}
  template:
    metadata: {labels: {app: lbc}}
    spec:
      containers:
      - {name: controller, image: public.ecr.aws/eks/aws-load-balancer-controller:v2.13.0, args: [${args.join(', ')}]}
---`;

const policyVerdicts = (c: AuditContext) => [...legacyProtocolEnabled.evaluate(c)].filter((v) => v.resource.kind === 'Ingress');
const listenerVerdicts = (c: AuditContext) => [...ingressWithoutTls.evaluate(c)].filter((v) => v.resource.kind === 'Ingress');

describe('EKS Auto Mode ALB Ingresses (IngressClass controller eks.amazonaws.com/alb, docs.aws.amazon.com/eks/latest/userguide/auto-configure-alb.html)', () => {
  it('the IngressClassParams sslPolicy is the HTTPS listeners\' policy: a TLS 1.0 policy fails tls.legacy-protocol-enabled, naming EKS Auto Mode and the IngressClassParams', () => {
    const c = ctx(autoClass({ params: 'alb' }) + params({ sslPolicy: TLS10, certificateARNs: [CERT_ARN] }) + ingress());
    const [v, ...rest] = policyVerdicts(c);
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ status: 'fail', detailKey: 'alb-ssl-policy', resource: { kind: 'Ingress', namespace: 'game', name: '2048-ingress' }, evidence: { loadBalancer: 'ALB', ingressClassController: 'eks.amazonaws.com/alb', httpsListeners: '443', sslPolicy: `${TLS10} (IngressClassParams alb sslPolicy)`, minimumTlsVersion: '1.0' } });
    expect(v.message).toBe(`Ingress game/2048-ingress terminates TLS at an EKS Auto Mode AWS Application Load Balancer (HTTPS port 443) with security policy ${TLS10} (sslPolicy of IngressClassParams "alb", which overrides alb.ingress.kubernetes.io/ssl-policy), which accepts TLS 1.0 and 1.1.`);
    expect(legacyProtocolEnabled.excluded!(c)).toBeUndefined();
  });

  it('... and a TLS 1.2+ sslPolicy passes', () => {
    const [v] = policyVerdicts(ctx(autoClass({ params: 'alb' }) + params({ sslPolicy: TLS13, certificateARNs: [CERT_ARN] }) + ingress()));
    expect(v).toMatchObject({ status: 'pass', evidence: { minimumTlsVersion: '1.2' } });
  });

  it('sslPolicy overrides the Ingress\'s ssl-policy annotation, both ways', () => {
    const weakAnnotation = policyVerdicts(ctx(autoClass({ params: 'alb' }) + params({ sslPolicy: TLS13 }) + ingress([`alb.ingress.kubernetes.io/certificate-arn: "${CERT_ARN}"`, 'alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-2016-08'])));
    expect(weakAnnotation.map((v) => v.status)).toEqual(['pass']);
    const weakParams = policyVerdicts(ctx(autoClass({ params: 'alb' }) + params({ sslPolicy: TLS10 }) + ingress([`alb.ingress.kubernetes.io/certificate-arn: "${CERT_ARN}"`, `alb.ingress.kubernetes.io/ssl-policy: ${TLS13}`])));
    expect(weakParams.map((v) => v.status)).toEqual(['fail']);
  });

  it('without sslPolicy the Ingress\'s ssl-policy annotation names it (the field overrides it, so Auto Mode reads it)', () => {
    const weak = policyVerdicts(ctx(autoClass({ params: 'alb' }) + params({ certificateARNs: [CERT_ARN] }) + ingress(['alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-2016-08'])));
    expect(weak).toMatchObject([{ status: 'fail', evidence: { sslPolicy: 'ELBSecurityPolicy-2016-08' } }]);
    expect(weak[0].message).toBe('Ingress game/2048-ingress terminates TLS at an EKS Auto Mode AWS Application Load Balancer (HTTPS port 443) with security policy ELBSecurityPolicy-2016-08, which accepts TLS 1.0 and 1.1.');
    expect(policyVerdicts(ctx(autoClass() + ingress([`alb.ingress.kubernetes.io/certificate-arn: "${CERT_ARN}"`, `alb.ingress.kubernetes.io/ssl-policy: ${TLS13}`]))).map((v) => v.status)).toEqual(['pass']);
  });

  it('naming no policy, it is neither passed nor failed: AWS documents no Auto Mode default and the LBC\'s --default-ssl-policy is not Auto Mode\'s; the coverage note says so', () => {
    const c = ctx(autoClass({ params: 'alb' }) + params({ certificateARNs: [CERT_ARN] }) + ingress() + lbc([`--default-ssl-policy=${TLS13}`]));
    expect(policyVerdicts(c)).toEqual([]);
    expect(legacyProtocolEnabled.excluded!(c)).toBe('1 Ingress(es) of an IngressClass of controller eks.amazonaws.com/alb terminate TLS at an EKS Auto Mode Application Load Balancer that names no security policy (no sslPolicy in IngressClassParams, no alb.ingress.kubernetes.io/ssl-policy annotation), and AWS documents no default for EKS Auto Mode (docs.aws.amazon.com/eks/latest/userguide/auto-configure-alb.html), so the TLS versions it accepts are unknown: game/2048-ingress (IngressClassParams "alb"); set sslPolicy in the IngressClassParams, check the listener\'s policy (aws elbv2 describe-listeners) or run with --probe-tls');
  });

  it('an sslPolicy outside AWS\'s tables is in the unknown-policy note, named as the IngressClassParams\' field', () => {
    const c = ctx(autoClass({ params: 'alb' }) + params({ sslPolicy: 'ELBSecurityPolicy-Made-Up', certificateARNs: [CERT_ARN] }) + ingress());
    expect(policyVerdicts(c)).toEqual([]);
    expect(legacyProtocolEnabled.excluded!(c)).toContain('game/2048-ingress (sslPolicy of IngressClassParams "alb": "ELBSecurityPolicy-Made-Up")');
  });

  it('certificateARNs give the default listener HTTPS 443 (as the LBC\'s certificateArn it replaces): tls.ingress-without-tls passes without spec.tls or annotations', () => {
    const [v, ...rest] = listenerVerdicts(ctx(autoClass({ params: 'alb' }) + params({ certificateARNs: [CERT_ARN] }) + ingress()));
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ status: 'pass', detailKey: 'alb-listeners', evidence: { listenPorts: 'HTTPS 443', certificateArn: true, certificateArnSource: 'IngressClassParams "alb"' } });
    expect(v.message).toBe('Ingress game/2048-ingress (EKS Auto Mode): the ALB listens only on HTTPS (default listen-ports, with the certificateARNs of IngressClassParams "alb": HTTPS 443).');
  });

  it('no certificate anywhere: the ALB listens on plain HTTP 80 only, and spec.tls does not change that (the page\'s own example)', () => {
    const c = ctx(autoClass({ params: 'alb' }) + params() + ingress());
    const [v] = listenerVerdicts(c);
    expect(v).toMatchObject({ status: 'fail', detailKey: 'alb-listeners' });
    expect(v.severity).toBeUndefined();
    expect(v.message).toBe('Ingress game/2048-ingress (EKS Auto Mode) has no HTTPS listener (default listen-ports, without alb.ingress.kubernetes.io/certificate-arn or IngressClassParams certificateARNs: HTTP 80): game.example.com is served over plaintext HTTP.');
    // No HTTPS listener: no policy to judge, nothing left unjudged either.
    expect(policyVerdicts(c)).toEqual([]);
    expect(legacyProtocolEnabled.excluded!(c)).toBeUndefined();
  });

  it('listen-ports with HTTP and HTTPS fails without ssl-redirect and passes with it (the annotation Auto Mode names for redirects)', () => {
    const both = `alb.ingress.kubernetes.io/listen-ports: '[{"HTTP": 80}, {"HTTPS": 443}]'`;
    const open = listenerVerdicts(ctx(autoClass({ params: 'alb' }) + params({ certificateARNs: [CERT_ARN] }) + ingress([both])));
    expect(open).toMatchObject([{ status: 'fail', detailKey: 'alb-listeners' }]);
    expect(open[0].message).toContain('(EKS Auto Mode) has HTTPS, but the ALB also serves game.example.com over plaintext HTTP on port 80');
    const redirected = listenerVerdicts(ctx(autoClass({ params: 'alb' }) + params({ certificateARNs: [CERT_ARN] }) + ingress([both, "alb.ingress.kubernetes.io/ssl-redirect: '443'"])));
    expect(redirected.map((v) => v.status)).toEqual(['pass']);
  });

  it('an Ingress naming no class is served by the default Auto Mode IngressClass', () => {
    const c = ctx(autoClass({ params: 'alb', isDefault: true }) + params({ sslPolicy: TLS10, certificateARNs: [CERT_ARN] }) + ingress([], { className: false }));
    expect(policyVerdicts(c).map((v) => v.status)).toEqual(['fail']);
    expect(listenerVerdicts(c).map((v) => v.detailKey)).toEqual(['alb-listeners']);
  });

  it('IngressClassParams the class names but that do not exist: settings unknown, a medium listener finding and a coverage note, no policy verdict', () => {
    const c = ctx(autoClass({ params: 'missing' }) + ingress([`alb.ingress.kubernetes.io/ssl-policy: ${TLS13}`]));
    expect(listenerVerdicts(c)).toMatchObject([{ status: 'fail', severity: 'medium', message: 'Ingress game/2048-ingress (EKS Auto Mode): its IngressClass names IngressClassParams "missing", which does not exist, so the ALB\'s settings (certificateARNs, sslPolicy) and its listeners are unknown.' }]);
    expect(policyVerdicts(c)).toEqual([]);
    expect(legacyProtocolEnabled.excluded!(c)).toBe('1 EKS Auto Mode Ingress(es) belong to an IngressClass whose IngressClassParams (eks.amazonaws.com) does not exist, so the sslPolicy and certificateARNs of their load balancer are unknown: game/2048-ingress (IngressClassParams "missing"); create it or fix the IngressClass\'s spec.parameters');
  });

  it('the IngressClassParams name is cluster text: quoted, a line break in it stays escaped on one line', () => {
    const note = legacyProtocolEnabled.excluded!(ctx(autoClass({ params: 'x\n[ok] all clear' }) + ingress()))!;
    expect(note).toContain('(IngressClassParams "x\\n[ok] all clear")');
    expect(note).not.toContain('\n');
  });

  it('the IngressClass name in a not-evaluated reason is cluster text: quoted, a line break in it stays escaped on one line', () => {
    const c = ctx((autoClass({ params: 'alb' }) + ingress()).replaceAll('name: alb\n', 'name: "x\\n[ok] all clear"\n').replace('ingressClassName: alb', 'ingressClassName: "x\\n[ok] all clear"'));
    c.snapshot.coverage['eks.ingressclassparams'] = { status: 'forbidden', detail: 'list ingressclassparams (refused in test)' };
    c.snapshot.resources['eks.ingressclassparams'] = [];
    const [o] = runChecks([ingressWithoutTls], c);
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toContain('IngressClass "x\\n[ok] all clear" (IngressClassParams "alb")');
    expect(o.reason).not.toContain('\n');
  });

  it('IngressClassParams that could not be read make both checks not-evaluated where an Auto Mode class names them, and only there', () => {
    const forbid = (c: AuditContext) => {
      c.snapshot.coverage['eks.ingressclassparams'] = { status: 'forbidden', detail: 'list ingressclassparams (refused in test)' };
      c.snapshot.resources['eks.ingressclassparams'] = [];
      return c;
    };
    const run = (c: AuditContext) => runChecks([legacyProtocolEnabled, ingressWithoutTls], c);
    const named = run(forbid(ctx(autoClass({ params: 'alb' }) + params({ sslPolicy: TLS13, certificateARNs: [CERT_ARN] }) + ingress())));
    expect(named.map((o) => o.status)).toEqual(['not-evaluated', 'not-evaluated']);
    expect(named[0].reason).toContain('IngressClass "alb" (IngressClassParams "alb")');
    const none = run(forbid(ctx(autoClass() + ingress([`alb.ingress.kubernetes.io/certificate-arn: "${CERT_ARN}"`, `alb.ingress.kubernetes.io/ssl-policy: ${TLS13}`]))));
    expect(none.map((o) => o.status)).toEqual(['pass', 'pass']);
  });

  it('the AWS Load Balancer Controller\'s Ingresses are judged as before: its IngressClass (ingress.k8s.aws/alb) does not read eks.amazonaws.com IngressClassParams', () => {
    const c = ctx(`
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: alb}
spec: {controller: ingress.k8s.aws/alb, parameters: {apiGroup: eks.amazonaws.com, kind: IngressClassParams, name: alb}}
---` + params({ sslPolicy: TLS13 }) + ingress([`alb.ingress.kubernetes.io/certificate-arn: "${CERT_ARN}"`]));
    const [v] = policyVerdicts(c);
    expect(v).toMatchObject({ status: 'fail', evidence: { sslPolicy: 'ELBSecurityPolicy-2016-08 (default)' } });
    expect(v.message).toContain('at an AWS Application Load Balancer');
    expect(listenerVerdicts(c)[0].message).toContain('(AWS Load Balancer Controller)');
  });

  // "EKS Auto Mode creates a load balancer when you create an Ingress" (auto-configure-alb.html):
  // an Auto Mode class no Ingress uses configures nothing, so its unreadable IngressClassParams
  // must not blind the checks for the Ingresses of other controllers.
  it('IngressClassParams that could not be read blind neither check when no Ingress uses the Auto Mode class: a Traefik Ingress without TLS still fails', () => {
    const c = ctx(autoClass({ params: 'alb' }) + params({ sslPolicy: TLS13 }) + `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: blog, namespace: web}
spec:
  ingressClassName: traefik
  rules:
  - host: blog.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: blog, port: {number: 80}}}}
---`);
    c.snapshot.coverage['eks.ingressclassparams'] = { status: 'forbidden', detail: 'list ingressclassparams (refused in test)' };
    c.snapshot.resources['eks.ingressclassparams'] = [];
    const [legacy, listeners] = runChecks([legacyProtocolEnabled, ingressWithoutTls], c);
    expect(legacy.status).toBe('pass');
    expect(listeners.status).toBe('fail');
    expect(listeners.results.filter((r) => r.status === 'fail').map((r) => [r.resource.name, r.severity])).toEqual([['blog', 'high']]);
  });

  it('... while a class-less Ingress the default Auto Mode class serves keeps them not-evaluated', () => {
    const c = ctx(autoClass({ params: 'alb', isDefault: true }) + params({ sslPolicy: TLS13 }) + ingress([], { className: false }));
    c.snapshot.coverage['eks.ingressclassparams'] = { status: 'forbidden', detail: 'list ingressclassparams (refused in test)' };
    c.snapshot.resources['eks.ingressclassparams'] = [];
    expect(runChecks([legacyProtocolEnabled, ingressWithoutTls], c).map((o) => o.status)).toEqual(['not-evaluated', 'not-evaluated']);
  });

  it('a snapshot without IngressClassParams in its coverage (collected before they were read) does not claim they do not exist: no finding, a note saying they were not collected', () => {
    const c = ctx(autoClass({ params: 'alb' }) + ingress());
    delete c.snapshot.coverage['eks.ingressclassparams'];
    delete c.snapshot.resources['eks.ingressclassparams'];
    const outcomes = runChecks([legacyProtocolEnabled, ingressWithoutTls], c);
    // The engine gates a check on a kind only when it was refused or failed: a kind the snapshot never collected does not stop it.
    expect(outcomes.map((o) => o.status)).toEqual(['pass', 'pass']);
    expect(listenerVerdicts(c)).toEqual([]);
    const note = '1 EKS Auto Mode Ingress(es) belong to an IngressClass that names IngressClassParams (eks.amazonaws.com), which were not collected in this snapshot, so their load balancer\'s settings (certificateARNs, sslPolicy, namespaceSelector) are unknown and they are not judged: game/2048-ingress (IngressClassParams "alb"); collect a new snapshot to judge them';
    expect(ingressWithoutTls.excluded!(c)).toBe(note);
    expect(legacyProtocolEnabled.excluded!(c)).toBe(note);
    expect(legacyProtocolEnabled.excluded!(c)).not.toContain('does not exist');
  });

  // IngressClassParams reference (auto-configure-alb.html): "namespaceSelector — Restricts which
  // namespaces can use this IngressClass"; the AWS Load Balancer Controller's class loader
  // (pkg/ingress/class_loader.go, validateIngressClassParamsNamespaceRestriction) rejects the class
  // for an Ingress whose namespace's labels the selector does not match (ErrInvalidIngressClass),
  // and no selector admits every namespace.
  const ns = (name: string, labels: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: ${name}, labels: {${labels}}}
---`;

  it('an Ingress in a namespace the IngressClassParams\' namespaceSelector does not select gets no ALB: no plaintext finding, a note naming it', () => {
    const c = ctx(ns('dev', 'env: dev') + autoClass({ params: 'alb' }) + params({ namespaceSelector: '{matchLabels: {env: prod}}' }) + ingress([], { namespace: 'dev' }));
    expect(listenerVerdicts(c)).toEqual([]);
    expect(ingressWithoutTls.excluded!(c)).toBe('1 EKS Auto Mode Ingress(es) are in a namespace the spec.namespaceSelector of their IngressClassParams does not select, so EKS Auto Mode rejects their IngressClass and builds no load balancer for them (nothing to judge): dev/2048-ingress (IngressClassParams "alb"); label the namespace or use another IngressClass if they should be served');
    // The same Ingress in a selected namespace is judged: plaintext HTTP 80.
    const prod = ctx(ns('prod', 'env: prod') + autoClass({ params: 'alb' }) + params({ namespaceSelector: '{matchLabels: {env: prod}}' }) + ingress([], { namespace: 'prod' }));
    expect(listenerVerdicts(prod).map((v) => [v.status, v.resource.namespace])).toEqual([['fail', 'prod']]);
    expect(ingressWithoutTls.excluded!(prod)).toBeUndefined();
  });

  it('... even with the AWS Load Balancer Controller\'s finalizer and an address: that the LBC keeps a refused Ingress\'s ALB is not documented for Auto Mode', () => {
    const kept = ingress([], { namespace: 'dev' }).replace('  annotations: {}', '  annotations: {}\n  finalizers: [ingress.k8s.aws/resources]').replace('spec:', 'status: {loadBalancer: {ingress: [{hostname: k8s-dev-2048.us-east-1.elb.amazonaws.com}]}}\nspec:');
    const c = ctx(ns('dev', 'env: dev') + autoClass({ params: 'alb' }) + params({ namespaceSelector: '{matchLabels: {env: prod}}' }) + kept);
    expect(c.snapshot.resources.ingresses?.[0].metadata?.finalizers).toEqual(['ingress.k8s.aws/resources']);
    expect(listenerVerdicts(c)).toEqual([]);
    expect(ingressWithoutTls.excluded!(c)).toContain('so EKS Auto Mode rejects their IngressClass and builds no load balancer for them');
  });

  it('matchExpressions count too, for the TLS policy as for the listeners', () => {
    const sel = '{matchExpressions: [{key: env, operator: NotIn, values: [dev, test]}]}';
    const dev = ctx(ns('dev', 'env: dev') + autoClass({ params: 'alb' }) + params({ sslPolicy: TLS10, certificateARNs: [CERT_ARN], namespaceSelector: sel }) + ingress([], { namespace: 'dev' }));
    expect(policyVerdicts(dev)).toEqual([]);
    expect(legacyProtocolEnabled.excluded!(dev)).toContain('dev/2048-ingress (IngressClassParams "alb")');
    const prod = ctx(ns('prod', 'env: prod') + autoClass({ params: 'alb' }) + params({ sslPolicy: TLS10, certificateARNs: [CERT_ARN], namespaceSelector: sel }) + ingress([], { namespace: 'prod' }));
    expect(policyVerdicts(prod).map((v) => v.status)).toEqual(['fail']);
  });

  it('namespaces that could not be read: the selector is not judged, not guessed', () => {
    const c = ctx(ns('dev', 'env: dev') + autoClass({ params: 'alb' }) + params({ sslPolicy: TLS13, certificateARNs: [CERT_ARN], namespaceSelector: '{matchLabels: {env: prod}}' }) + ingress([], { namespace: 'dev' }));
    c.snapshot.coverage.namespaces = { status: 'forbidden', detail: 'list namespaces (refused in test)' };
    delete c.snapshot.resources.namespaces;
    // Both checks read the namespaces where such a selector serves an Ingress: not evaluated, the reason names the selector.
    const [legacy, listeners] = runChecks([legacyProtocolEnabled, ingressWithoutTls], c);
    expect([legacy.status, listeners.status]).toEqual(['not-evaluated', 'not-evaluated']);
    expect(legacy.reason).toContain('namespaces: forbidden (list namespaces (refused in test)) for the namespaceSelector of IngressClassParams "alb"');
    // Judged anyway (a caller that does not gate), neither verdict is guessed.
    expect(listenerVerdicts(c)).toEqual([]);
    expect(policyVerdicts(c)).toEqual([]);
    expect(legacyProtocolEnabled.excluded!(c)).toContain('but the labels of their namespace were not read, so whether a load balancer serves them is not known and they are not judged: dev/2048-ingress (IngressClassParams "alb")');
  });
});
