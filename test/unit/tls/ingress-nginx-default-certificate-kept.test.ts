// A host whose first certificate (in ingress-nginx's order: oldest creationTimestamp first) does
// not verify for it keeps the controller's default certificate: createServers sets the server's
// SSLCert to the default one ("SSL certificate %q does not contain a Common Name or Subject
// Alternative Name for server %q ... Using default certificate"; likewise "Host %q is listed in
// the TLS section but secretName is empty. Using default certificate"), and the check before it,
// "only add a certificate if the server does not have one previously configured"
// (`if servers[host].SSLCert != nil { continue }`), keeps any later Ingress's certificate out
// (kubernetes/ingress-nginx internal/ingress/controller/controller.go createServers, read at commit
// 019cd07abf03ef703288daafa83e9fd10dff8ae2 and in a later v1 version with the same lines; the
// host-certificate-order test cites controller-v1.12.0 for the rule). A later Ingress's good
// certificate was credited before.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

function verdicts(yaml: string): Verdict[] {
  const ctx: AuditContext = { snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  return [...ingressWithoutTls.evaluate(ctx)];
}
const of = (rs: Verdict[], name: string) => rs.find((r) => r.resource.name === name && r.detailKey === 'host/api.example.com');

const ing = (name: string, ts: string, tls: string) => `
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: app, creationTimestamp: "${ts}"}
spec:
  ingressClassName: nginx
  ${tls}
  rules: [{host: api.example.com, http: {paths: [{path: /${name}, pathType: Prefix, backend: {service: {name: ${name}, port: {number: 80}}}}]}}]
`;
const base = `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: good, namespace: app}
spec: {secretName: good-tls, dnsNames: [api.example.com], issuerRef: {name: le, kind: ClusterIssuer}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: wrong, namespace: app}
spec: {secretName: wrong-tls, dnsNames: [www.example.com], issuerRef: {name: le, kind: ClusterIssuer}}
`;
const wrong = 'tls: [{hosts: [api.example.com], secretName: wrong-tls}]';
const good = 'tls: [{hosts: [api.example.com], secretName: good-tls}]';
const noSecret = 'tls: [{hosts: [api.example.com]}]';

describe('the first certificate of a host does not serve it: the default certificate stays', () => {
  it('an older Ingress with a certificate for another name: the newer Ingress with a good certificate gets the default certificate too (a pass before)', () => {
    const rs = verdicts(base + ing('first', '2025-01-01T00:00:00Z', wrong) + ing('second', '2025-02-01T00:00:00Z', good) + ing('plain', '2025-03-01T00:00:00Z', ''));
    expect(of(rs, 'first')?.status).toBe('fail');
    const second = of(rs, 'second');
    expect([second?.status, second?.severity ?? 'high']).toEqual(['fail', 'high']);
    expect(second?.message).toContain('gets the controller\'s default certificate: Ingress app/first');
    expect(second?.message).toContain('does not name the host (cert-manager Certificate app/wrong: www.example.com)');
    // An Ingress without spec.tls on the host takes the server's certificate: the default one.
    expect(of(rs, 'plain')?.status).toBe('fail');
    expect(of(rs, 'plain')?.message).toContain('default certificate');
  });

  it('an older entry naming the host without a secretName does the same', () => {
    const rs = verdicts(base + ing('first', '2025-01-01T00:00:00Z', noSecret) + ing('second', '2025-02-01T00:00:00Z', good));
    expect(of(rs, 'second')?.status).toBe('fail');
    expect(of(rs, 'second')?.message).toContain('its TLS entry api.example.com has no secretName');
  });

  it('the good certificate first: it is the host\'s, and the newer wrong one changes nothing for it', () => {
    const rs = verdicts(base + ing('first', '2025-01-01T00:00:00Z', good) + ing('second', '2025-02-01T00:00:00Z', wrong) + ing('plain', '2025-03-01T00:00:00Z', ''));
    expect(of(rs, 'first')?.status).toBe('pass');
    expect(of(rs, 'plain')?.status).toBe('pass');
  });
});

// The same rule for a host that an Ingress with spec.tls names in no entry: createServers skips an
// Ingress only when `len(ing.Spec.TLS) == 0`; otherwise extractTLSSecretName looks for an entry
// naming the host, then for an entry whose Secret's certificate verifies for it, and returns ""
// when none does, which gives the server the default certificate ("Host %q is listed in the TLS
// section but secretName is empty. Using default certificate"), kept against every later Ingress
// (kubernetes/ingress-nginx internal/ingress/controller/controller.go at controller-v1.15.1,
// createServers lines 1448-1462 and extractTLSSecretName lines 1717-1759; the "TLS/HTTPS" user
// guide, docs/user-guide/tls.md "Default SSL Certificate": a host with no matching certificate is
// served the --default-ssl-certificate, or the controller's fake one).
describe('the first Ingress with spec.tls names the host in no entry and no entry\'s certificate serves it: the default certificate stays', () => {
  const other = 'tls: [{hosts: [www.example.com], secretName: wrong-tls}]';
  it('an older Ingress whose only entry is for www.example.com (Certificate wrong: www.example.com): the newer Ingress naming the host with a good certificate gets the default certificate too (a pass before)', () => {
    const rs = verdicts(base + ing('first', '2025-01-01T00:00:00Z', other) + ing('second', '2025-02-01T00:00:00Z', good) + ing('plain', '2025-03-01T00:00:00Z', ''));
    expect([of(rs, 'first')?.status, of(rs, 'first')?.severity ?? 'high']).toEqual(['fail', 'high']);
    const second = of(rs, 'second');
    expect([second?.status, second?.severity ?? 'high']).toEqual(['fail', 'high']);
    expect(second?.message).toContain('gets the controller\'s default certificate: Ingress app/first');
    expect(second?.message).toContain('names it in no spec.tls entry');
    expect(second?.message).toContain('cert-manager Certificate app/wrong: www.example.com');
    // Without spec.tls, the Ingress takes the server's certificate: the default one (it took second's before).
    const plain = of(rs, 'plain');
    expect([plain?.status, plain?.severity ?? 'high']).toEqual(['fail', 'high']);
    expect(plain?.message).toContain('gets the controller\'s default certificate: Ingress app/first');
  });

  it('an older Ingress whose entries have no secretName: the same', () => {
    const rs = verdicts(base + ing('first', '2025-01-01T00:00:00Z', 'tls: [{hosts: [www.example.com]}]') + ing('second', '2025-02-01T00:00:00Z', good));
    expect(of(rs, 'second')?.status).toBe('fail');
    expect(of(rs, 'second')?.message).toContain('no spec.tls entry names it and none has a secretName');
  });

  it('an entry without hosts counts too: spec.tls is not empty', () => {
    const rs = verdicts(base + ing('first', '2025-01-01T00:00:00Z', 'tls: [{secretName: wrong-tls}]') + ing('second', '2025-02-01T00:00:00Z', good));
    expect(of(rs, 'second')?.status).toBe('fail');
    expect(of(rs, 'second')?.message).toContain('gets the controller\'s default certificate: Ingress app/first');
  });

  it('the older Ingress\'s entry for another name holds a certificate that names the host too: the host takes it, and the newer Ingresses pass', () => {
    const both = `
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: both, namespace: app}
spec: {secretName: both-tls, dnsNames: [www.example.com, api.example.com], issuerRef: {name: le, kind: ClusterIssuer}}
`;
    const rs = verdicts(base + both + ing('first', '2025-01-01T00:00:00Z', 'tls: [{hosts: [www.example.com], secretName: both-tls}]') + ing('second', '2025-02-01T00:00:00Z', wrong) + ing('plain', '2025-03-01T00:00:00Z', ''));
    expect(of(rs, 'first')?.status).toBe('pass');
    expect(of(rs, 'plain')?.status).toBe('pass');
    expect(of(rs, 'plain')?.message).toContain('takes its certificate from Ingress app/first');
  });

  it('the older Ingress\'s entry Secret is written by no Certificate (Secrets are not read): which certificate the host gets cannot be confirmed for an Ingress taking the server\'s', () => {
    const rs = verdicts(base + ing('first', '2025-01-01T00:00:00Z', 'tls: [{hosts: [www.example.com], secretName: unknown-tls}]') + ing('second', '2025-02-01T00:00:00Z', good) + ing('plain', '2025-03-01T00:00:00Z', ''));
    expect([of(rs, 'first')?.status, of(rs, 'first')?.severity]).toEqual(['fail', 'medium']);
    const plain = of(rs, 'plain');
    expect([plain?.status, plain?.severity]).toEqual(['fail', 'medium']);
    expect(plain?.message).toContain('cannot be confirmed');
  });

  it('the host named by no entry of a newer Ingress changes nothing: the older good certificate stays the host\'s', () => {
    const rs = verdicts(base + ing('first', '2025-01-01T00:00:00Z', good) + ing('second', '2025-02-01T00:00:00Z', other) + ing('plain', '2025-03-01T00:00:00Z', ''));
    expect(of(rs, 'first')?.status).toBe('pass');
    expect(of(rs, 'plain')?.status).toBe('pass');
  });
});
