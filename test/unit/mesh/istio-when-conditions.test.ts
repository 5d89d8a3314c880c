// Istio `when` conditions on connection attributes are decided from the snapshot, not "may match".
//
// https://istio.io/latest/docs/reference/config/security/conditions/ lists as "HTTP and TCP":
// "source.namespace | Source workload instance namespace, requires mutual TLS enabled",
// "source.principal | The identity of the source workload, requires mutual TLS enabled",
// "destination.port | The recipient port on the server IP address, must be in the range [0, 65535]";
// and request.auth.principal "requires request authentication policy applied", HTTP only.
// A plaintext caller has no identity: istiod writes these as matchers on the authenticated peer,
// which it never satisfies, and `notValues` as their negation, which it always does
// (istio/istio pilot/pkg/security/authz/model: srcNamespaceGenerator, principalNot).
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict, meshVerdictOverConns } from '../../../src/analysis/mesh/flow-verdict.ts';
import { allConns } from '../../../src/analysis/netpol/conns.ts';
import { authzPlaintextBypass } from '../../../checks/mtls/authz-plaintext-bypass.ts';
import { ctxOf, deploymentYaml, namespaceYaml, run, serviceYaml } from './helpers.ts';

const ns = namespaceYaml;
// Each app behind a Service: the calls are meshed calls, with the caller's identity (a pod port no
// Service leads to is reached through Istio's PassthroughCluster, without mTLS).
const app = (namespace: string, name: string, sa = name) => `${deploymentYaml(namespace, name, { serviceAccount: sa, ports: [8000, 9000] })}${serviceYaml(namespace, name, [8000, 9000])}`;
const ref = (text: string) => { const [namespace, name] = text.split('/'); return { kind: 'Deployment', namespace, name }; };
const verdict = (yaml: string, from: string, to: string, port = 8000) => {
  const ctx = ctxOf(yaml);
  return meshFlowVerdict(ctx.snapshot, ctx.config, ref(from), ref(to), port, 'TCP');
};
// foo/httpbin is called from legacy/client, foo/curl (both with sidecars) and plain/client (no sidecar).
const base = `${ns('foo')}${app('foo', 'httpbin')}${app('foo', 'curl')}${ns('legacy')}${app('legacy', 'client')}${ns('plain', 'team: x')}${app('plain', 'client')}`;
const policy = (action: string, rule: string) => `${base}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: foo}
spec: {action: ${action}, rules: [${rule}]}
`;

describe('Istio `when` conditions on connection attributes', () => {
  it('DENY when source.namespace: the namespace named is refused, others are not (revmesh c5)', () => {
    const y = policy('DENY', '{when: [{key: source.namespace, values: [legacy]}]}');
    const r = verdict(y, 'legacy/client', 'foo/httpbin');
    expect(r).toMatchObject({ verdict: 'denied', policy: { name: 'p' }, rule: 0 });
    expect(r.reason).toBe('DENY AuthorizationPolicy foo/p rules[0] matches principal cluster.local/ns/legacy/sa/client on port 8000');
    expect(verdict(y, 'foo/curl', 'foo/httpbin').verdict).toBe('allowed');
    // "requires mutual TLS": a caller without a sidecar has no namespace to match.
    expect(verdict(y, 'plain/client', 'foo/httpbin').verdict).toBe('allowed');
  });

  it('ALLOW when source.namespace / source.principal: only the named callers', () => {
    const y = policy('ALLOW', '{when: [{key: source.namespace, values: [legacy]}]}');
    expect(verdict(y, 'legacy/client', 'foo/httpbin')).toMatchObject({ verdict: 'allowed', rule: 0 });
    expect(verdict(y, 'foo/curl', 'foo/httpbin').verdict).toBe('denied');
    expect(verdict(y, 'plain/client', 'foo/httpbin').verdict).toBe('denied');
    const p = policy('ALLOW', '{when: [{key: source.principal, values: ["cluster.local/ns/foo/sa/*"]}]}');
    expect(verdict(p, 'foo/curl', 'foo/httpbin').verdict).toBe('allowed');
    expect(verdict(p, 'legacy/client', 'foo/httpbin').verdict).toBe('denied');
    // A condition the snapshot decides, ANDed with one it cannot: still per request.
    const mixed = policy('ALLOW', '{when: [{key: source.namespace, values: [legacy]}, {key: "request.headers[version]", values: [v1]}]}');
    expect(verdict(mixed, 'legacy/client', 'foo/httpbin').verdict).toBe('depends');
    expect(verdict(mixed, 'foo/curl', 'foo/httpbin').verdict).toBe('denied');
  });

  it('notValues: every caller but the named ones, plaintext callers included', () => {
    const y = policy('DENY', '{when: [{key: source.namespace, notValues: [foo]}]}');
    expect(verdict(y, 'legacy/client', 'foo/httpbin').verdict).toBe('denied');
    expect(verdict(y, 'foo/curl', 'foo/httpbin').verdict).toBe('allowed');
    expect(verdict(y, 'plain/client', 'foo/httpbin').verdict).toBe('denied');
    const allow = policy('ALLOW', '{when: [{key: source.principal, notValues: ["cluster.local/ns/legacy/sa/client"]}]}');
    expect(verdict(allow, 'legacy/client', 'foo/httpbin').verdict).toBe('denied');
    expect(verdict(allow, 'foo/curl', 'foo/httpbin').verdict).toBe('allowed');
  });

  it('source.principal in `when` follows the trust domain like `from` principals', () => {
    // https://istio.io/latest/docs/tasks/security/authorization/authz-td-migration/: "cluster.local is
    // a pointer that points to the current trust domain".
    const y = `${policy('ALLOW', '{when: [{key: source.principal, values: ["cluster.local/ns/legacy/sa/client"]}]}')}---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    trustDomain: acme.example
`;
    expect(verdict(y, 'legacy/client', 'foo/httpbin').verdict).toBe('allowed');
  });

  it('destination.port decides per port, and reach over every port judges the port it names', () => {
    const y = policy('ALLOW', '{when: [{key: destination.port, values: ["9000"]}]}');
    expect(verdict(y, 'foo/curl', 'foo/httpbin', 9000)).toMatchObject({ verdict: 'allowed', rule: 0 });
    expect(verdict(y, 'foo/curl', 'foo/httpbin', 8000).verdict).toBe('denied');
    const ctx = ctxOf(y);
    const over = meshVerdictOverConns(ctx.snapshot, ctx.config, ref('foo/curl'), ref('foo/httpbin'), allConns())!;
    expect(over.open.TCP).toEqual([[9000, 9000]]);
    const deny = policy('DENY', '{when: [{key: destination.port, notValues: ["8000"]}]}');
    expect(verdict(deny, 'foo/curl', 'foo/httpbin', 8000).verdict).toBe('allowed');
    expect(verdict(deny, 'foo/curl', 'foo/httpbin', 9000).verdict).toBe('denied');
  });

  it('request.auth.* in an ALLOW rule needs a RequestAuthentication: without one no request matches', () => {
    const y = policy('ALLOW', '{when: [{key: "request.auth.claims[groups]", values: [admins]}]}');
    expect(verdict(y, 'foo/curl', 'foo/httpbin').verdict).toBe('denied');
    const withAuthn = `${y}---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  jwtRules: [{issuer: issuer-foo, jwksUri: "https://example.com/.well-known/jwks.json"}]
`;
    const r = verdict(withAuthn, 'foo/curl', 'foo/httpbin');
    expect(r.verdict).toBe('depends');
    expect(r.reason).toContain('condition request.auth.claims[groups]');
    // In a DENY rule the HTTP-only condition is dropped on a TCP port and the rule denies
    // more widely (https://istio.io/latest/docs/tasks/security/authorization/authz-tcp/): per request.
    expect(verdict(policy('DENY', '{when: [{key: "request.auth.claims[groups]", values: [admins]}]}'), 'foo/curl', 'foo/httpbin').verdict).toBe('depends');
  });

  // "the following are mTLS-only fields: … the source.principal custom condition, the
  // source.namespace custom condition. These mTLS-only fields will never match when the traffic is
  // plain text" (https://istio.io/v1.9/news/security/istio-security-2021-004): a DENY written with
  // them misses a plaintext caller exactly as one on from.principals/namespaces does.
  it('mtls.authz-plaintext-bypass: a DENY on `when` source.principal / source.namespace is bypassed by a plaintext caller under PERMISSIVE', () => {
    const denyWhen = (cond: string) => policy('DENY', `{when: [${cond}]}`);
    for (const cond of ['{key: source.principal, values: [cluster.local/ns/legacy/sa/client]}', '{key: source.namespace, values: [legacy]}']) {
      const y = denyWhen(cond);
      expect(verdict(y, 'plain/client', 'foo/httpbin').verdict).toBe('allowed');
      const fails = run(authzPlaintextBypass, ctxOf(y)).filter((v) => v.status === 'fail');
      expect(fails.map((v) => `${v.severity} ${v.resource.namespace}/${v.resource.name}`)).toEqual(['high foo/httpbin', 'high foo/curl']);
      expect(fails[0].message).toContain('DENY foo/p rules[0] names principals/namespaces, which a plaintext caller never matches, so it is not denied');
    }
    // notValues is the negative form: an ALLOW on it alone admits the plaintext caller.
    const allowNot = policy('ALLOW', '{when: [{key: source.namespace, notValues: [legacy]}]}');
    expect(verdict(allowNot, 'plain/client', 'foo/httpbin').verdict).toBe('allowed');
    expect(run(authzPlaintextBypass, ctxOf(allowNot)).filter((v) => v.status === 'fail').map((v) => v.severity)).toEqual(['medium', 'medium']);
  });
});
