// AWS Load Balancer Controller IngressGroups: the Ingresses of one group share one ALB
// (kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#ingressgroup).
// listen-ports "is merged across all Ingresses in IngressGroup" (#listen-ports); ssl-redirect "is
// exclusive across all Ingresses in IngressGroup. Once defined on a single Ingress, it impacts every
// Ingress within IngressGroup" (#ssl-redirect). The IngressClassParams' spec.group.name wins over the
// annotation (docs/guide/ingress/ingress_class.md, "spec.group": "If the field is specified, LBC will
// ignore the alb.ingress.kubernetes.io/group.name annotation"; pkg/ingress/group_loader.go loadGroupID).
// Merge and conflicts as the controller builds them: pkg/ingress/model_builder.go,
// mergeListenPortConfigs ("conflicting protocol") and buildSSLRedirectConfig ("conflicting sslRedirect port").
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';

function ctx(yamlText: string): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}

const CLASS = `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: alb}
spec:
  controller: ingress.k8s.aws/alb
  parameters: {apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: alb-cfg}
---
apiVersion: elbv2.k8s.aws/v1beta1
kind: IngressClassParams
metadata: {name: alb-cfg}
spec: {group: {name: shared}}
---`;

const ingress = (namespace: string, name: string, annotations: Record<string, string>) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: ${namespace}
  annotations: ${JSON.stringify({ 'alb.ingress.kubernetes.io/certificate-arn': 'arn:aws:acm:us-east-1:111122223333:certificate/abc', ...annotations })}
spec:
  ingressClassName: alb
  rules: [{host: ${name}.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: ${name}, port: {number: 80}}}}]}}]
---`;

const verdictOf = (c: AuditContext, name: string) => [...ingressWithoutTls.evaluate(c)].find((v) => v.resource.kind === 'Ingress' && v.resource.name === name);
const BOTH = '[{"HTTP": 80}, {"HTTPS": 443}]';

describe('AWS Load Balancer Controller IngressGroup', () => {
  it('the IngressClassParams spec.group.name puts Ingresses in one group whatever their group.name annotation; one ssl-redirect redirects every HTTP listener', () => {
    const c = ctx(CLASS + ingress('web', 'shop', { 'alb.ingress.kubernetes.io/listen-ports': BOTH, 'alb.ingress.kubernetes.io/ssl-redirect': '443' })
      + ingress('blog', 'blog', { 'alb.ingress.kubernetes.io/listen-ports': BOTH, 'alb.ingress.kubernetes.io/group.name': 'other' }));
    const blog = verdictOf(c, 'blog');
    expect(blog).toMatchObject({ status: 'pass', evidence: { ingressGroup: 'shared', members: ['blog/blog', 'web/shop'] } });
    expect(blog?.message).toContain('alb.ingress.kubernetes.io/ssl-redirect of Ingress web/shop, which applies to every HTTP listener of its IngressGroup "shared"');
  });

  it('an ssl-redirect the controller cannot read on one member leaves the whole group unreconciled: the other member is unknown too', () => {
    const c = ctx(CLASS + ingress('web', 'shop', { 'alb.ingress.kubernetes.io/listen-ports': BOTH, 'alb.ingress.kubernetes.io/ssl-redirect': 'true' })
      + ingress('blog', 'blog', { 'alb.ingress.kubernetes.io/listen-ports': BOTH }));
    expect(verdictOf(c, 'blog')).toMatchObject({ status: 'fail', severity: 'medium', message: expect.stringContaining('alb.ingress.kubernetes.io/ssl-redirect of Ingress web/shop "true" is not a port number, which the controller refuses; it does not reconcile its IngressGroup "shared"') });
  });

  it('a member whose listen-ports cannot be read fails the group build: the other member is unknown, naming it', () => {
    const c = ctx(CLASS + ingress('web', 'shop', { 'alb.ingress.kubernetes.io/listen-ports': 'HTTP:80' })
      + ingress('blog', 'blog', { 'alb.ingress.kubernetes.io/listen-ports': BOTH, 'alb.ingress.kubernetes.io/ssl-redirect': '443' }));
    expect(verdictOf(c, 'blog')).toMatchObject({ status: 'fail', severity: 'medium', message: expect.stringContaining("Ingress web/shop's alb.ingress.kubernetes.io/listen-ports cannot be read (not valid JSON)") });
  });

  it('an Ingress alone in its group is judged alone, as before', () => {
    const c = ctx(CLASS + ingress('web', 'shop', { 'alb.ingress.kubernetes.io/listen-ports': BOTH }));
    expect(verdictOf(c, 'shop')).toMatchObject({ status: 'fail', message: expect.stringContaining('without alb.ingress.kubernetes.io/ssl-redirect') });
  });

  // ssl-policy "is exclusive across all Ingresses in IngressGroup" (annotations.md, #ssl-policy): the
  // controller merges each port's listener config across members and takes the one policy they name,
  // the default ELBSecurityPolicy-2016-08 only when none does (pkg/ingress/model_builder.go,
  // mergeListenPortConfigs). blog names none, and its HTTPS 443 is the listener shop names a TLS 1.2+ policy for.
  describe('a member naming no ssl-policy takes the one another member names for its HTTPS port', () => {
    const SOLE_HTTPS = '[{"HTTPS": 443}]';
    const legacyOf = (c: AuditContext, name: string) => [...legacyProtocolEnabled.evaluate(c)].find((v) => v.resource.kind === 'Ingress' && v.resource.name === name);

    it('both members pass with the named policy, the silent one saying it comes from the group', () => {
      const c = ctx(CLASS + ingress('web', 'shop', { 'alb.ingress.kubernetes.io/listen-ports': SOLE_HTTPS, 'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06' })
        + ingress('blog', 'blog', { 'alb.ingress.kubernetes.io/listen-ports': SOLE_HTTPS }));
      expect(legacyOf(c, 'shop')).toMatchObject({ status: 'pass' });
      const blog = legacyOf(c, 'blog');
      expect(blog).toMatchObject({ status: 'pass', evidence: { sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06 (IngressGroup shared, Ingress web/shop)', minimumTlsVersion: '1.2' } });
      expect(blog?.message).toBe('Ingress blog/blog terminates TLS at an AWS Application Load Balancer (HTTPS port 443) with security policy ELBSecurityPolicy-TLS13-1-2-2021-06 (no alb.ingress.kubernetes.io/ssl-policy of its own: the listener it shares in IngressGroup "shared" takes the one Ingress web/shop names), which requires TLS 1.2 or later.');
    });

    it('an HTTPS port no member names a policy for keeps the default: the silent member still fails there', () => {
      const c = ctx(CLASS + ingress('web', 'shop', { 'alb.ingress.kubernetes.io/listen-ports': SOLE_HTTPS, 'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06' })
        + ingress('blog', 'blog', { 'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS": 8443}]' }));
      expect(legacyOf(c, 'blog')).toMatchObject({ status: 'fail', message: expect.stringContaining('with security policy ELBSecurityPolicy-2016-08 (no alb.ingress.kubernetes.io/ssl-policy annotation') });
    });
  });
});
