// The AWS Load Balancer Controller reads the alb.ingress.kubernetes.io/ssl-redirect annotation with
// ParseInt32Annotation, strconv.ParseInt(value, 10, 32) on the value as written (nothing trimmed),
// and IngressClassParams spec.sslRedirectPort (a string, no pattern in the CRD) the same way,
// a value it cannot parse there building no redirect for the group:
// kubernetes-sigs/aws-load-balancer-controller v3.5.0 (and v2.9.0 on) pkg/annotations/parser.go
// ParseInt32Annotation / parseStringAnnotation, pkg/ingress/model_builder.go buildSSLRedirectConfig
// (ports collected into a sets.Int32, so "+443" and "443" are one port),
// config/crd/bases/elbv2.k8s.aws_ingressclassparams.yaml sslRedirectPort "type: string".
// Go's strconv.ParseInt accepts one leading sign ("+443") and refuses spaces (" 443").
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

function ctx(yamlText: string): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}

const CERT_ARN = 'arn:aws:acm:us-west-2:111122223333:certificate/abc';
const cls = (params: boolean) => `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: alb}
spec:
  controller: ingress.k8s.aws/alb
  ${params ? 'parameters: {apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: alb-cfg}' : ''}
---`;
const params = (sslRedirectPort: string) => `
apiVersion: elbv2.k8s.aws/v1beta1
kind: IngressClassParams
metadata: {name: alb-cfg}
spec: {sslRedirectPort: ${JSON.stringify(sslRedirectPort)}}
---`;
const ingress = (name: string, redirect?: string, group?: string) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/certificate-arn: ${JSON.stringify(CERT_ARN)}
    alb.ingress.kubernetes.io/listen-ports: '[{"HTTP": 80}, {"HTTPS": 443}]'
    ${redirect !== undefined ? `alb.ingress.kubernetes.io/ssl-redirect: ${JSON.stringify(redirect)}` : ''}
    ${group ? `alb.ingress.kubernetes.io/group.name: ${group}` : ''}
spec:
  ingressClassName: alb
  rules:
  - host: ${name}.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
---`;
const verdicts = (y: string) => [...ingressWithoutTls.evaluate(ctx(y))].filter((v) => v.resource.kind === 'Ingress');

describe('alb.ingress.kubernetes.io/ssl-redirect is read as the controller parses it (strconv.ParseInt(v, 10, 32))', () => {
  it('"+443" redirects to 443 (a pass); "0443" too', () => {
    for (const value of ['+443', '0443']) {
      const [v] = verdicts(cls(false) + ingress('web', value));
      expect(v.status).toBe('pass');
      expect(v.message).toContain('redirects to HTTPS');
    }
  });

  it('" 443" and "443 " are refused: the controller does not reconcile the Ingress, and the value is named', () => {
    for (const value of [' 443', '443 ']) {
      const [v] = verdicts(cls(false) + ingress('web', value));
      expect(v.status).toBe('fail');
      expect(v.message).toContain(`${JSON.stringify(value)} is not a port number`);
    }
  });

  it('in an IngressGroup, "+443" and "443" are one port, not a conflict', () => {
    const vs = verdicts(cls(false) + ingress('a', '+443', 'shared') + ingress('b', '443', 'shared'));
    expect(vs.map((v) => v.status)).toEqual(['pass', 'pass']);
    expect(vs.map((v) => v.message).join(' ')).not.toContain('conflicting');
  });

  it('IngressClassParams sslRedirectPort " 443" is not trimmed: the controller builds no redirect, so port 80 serves plaintext', () => {
    const [v] = verdicts(cls(true) + params(' 443') + ingress('web', '443'));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('is not a port number, so the controller builds no redirect');
    const [ok] = verdicts(cls(true) + params('+443') + ingress('web'));
    expect(ok.status).toBe('pass');
  });
});
