// Two places where Istio's enforcement points read an AuthorizationPolicy differently from how it
// reads: a DENY rule that ztunnel cannot enforce, and a `*` inside a namespace.
//
// 1. Ambient without a waypoint. istiod sends ztunnel each `from` source, `to` operation and `when`
//    condition reduced to its L4 fields (istio/istio pilot/pkg/serviceregistry/ambient/
//    authorization.go handleRule); one left with none is an empty match, and "An empty match sent to
//    ztunnel is skipped (match-none), not match-all" (isMatchEmpty; istio/ztunnel src/rbac.rs
//    Authorization::matches: `if mg.is_empty() { continue }`, and a clause with no match that
//    matched is false). So a DENY rule whose `from`, `to` or one `when` has nothing L4 "has no
//    enforceable rules at ztunnel and will have no effect" (httpDenyNoEffectBoilerplate). The
//    dataplane has done so since ztunnel 1.19; istio/istio#61166 (the report istio/istio#61126:
//    DENY notRequestPrincipals ["*"], and the request got HTTP 200) changed only the status message.
//    The cases below are the upstream PR's authorization_test.go cases, judged as a call.
// 2. Sidecars and waypoints (Envoy) get `namespaces` as the regex `.*/ns/<value>/.*` with every `*`
//    a `.*` (generator.go srcNamespaceGenerator; builder testdata allow-full-rule-out.yaml:
//    `regex: .*/ns/.*-ns-suffix/.*`), while ztunnel gets an exact/prefix/suffix/presence match
//    (authorization.go stringToMatch), where a `*` inside is literal.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { ctxOf as ctxOfInput, istiodYaml, deploymentYaml, fails, namespaceYaml, run, serviceYaml } from './helpers.ts';

/** These cases are for an istiod that knows every AuthorizationPolicy field they use (targetRefs, `when` keys): without one in the input, such a policy cannot be confirmed. */
const ctxOf = (yaml: string, ...rest: Parameters<typeof ctxOfInput> extends [string, ...infer R] ? R : never) => ctxOfInput(`${istiodYaml()}${yaml}`, ...rest);


const app = (namespace: string, name: string) => `${deploymentYaml(namespace, name, { serviceAccount: name, ports: [8080] })}${serviceYaml(namespace, name, [8080])}`;
const AMBIENT = `${namespaceYaml('shop', 'istio.io/dataplane-mode: ambient')}${app('shop', 'api')}${app('shop', 'web')}${app('shop', 'batch')}`;
const policy = (name: string, action: string, rules: string, namespace = 'shop', app = 'api') => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: ${app}}}
  action: ${action}
  rules: ${rules}
---`;
const ref = (text: string) => { const [namespace, name] = text.split('/'); return { kind: 'Deployment', namespace, name }; };
const verdict = (yaml: string, from: string, to = 'shop/api') => {
  const ctx = ctxOf(yaml);
  return meshFlowVerdict(ctx.snapshot, ctx.config, ref(from), ref(to), 8080, 'TCP');
};

async function reach(yaml: string, ...args: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-empty-match-'));
  writeFileSync(join(dir, 'm.yaml'), yaml);
  const out: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
  await main(['reach', '--manifests', 'm.yaml', ...args], io);
  return out.join('');
}
const matrixLine = (out: string, from: string, to: string) => out.split('\n').find((l) => l.startsWith(`${from}[Deployment] => ${to}[Deployment]`)) ?? '';
const check = (id: string) => mtlsChecks.find((c) => c.id === id)!;

describe('ambient without a waypoint: a DENY rule left with nothing ztunnel can match has no effect', () => {
  const noJwt = policy('deny-no-jwt', 'DENY', '[{from: [{source: {notRequestPrincipals: ["*"]}}]}]');

  it('DENY notRequestPrincipals ["*"] (istio/istio#61126): reach ALLOWED, with a note that the rule has no effect at ztunnel (was: DENIED)', async () => {
    const y = `${AMBIENT}${noJwt}`;
    expect(verdict(y, 'shop/web')).toMatchObject({ verdict: 'allowed', enforcedBy: 'ztunnel of shop/api (ambient)' });
    const out = await reach(y, '--from', 'shop/web', '--to', 'shop/api', '--port', '8080');
    expect(out).toMatch(/^ALLOWED: shop\/web\[Deployment\] -> shop\/api\[Deployment\] on 8080\/TCP/);
    expect(out).toContain('ztunnel of shop/api has no waypoint, so it enforces no notRequestPrincipals of AuthorizationPolicy shop/deny-no-jwt: an ALLOW rule with them never matches, a DENY rule is enforced without them, and one left with nothing ztunnel can match has no effect at ztunnel (shop/deny-no-jwt rules[0])');
    // The effective matrix agrees: web reaches api on TCP 8080.
    expect(matrixLine(await reach(y, '--matrix', '--effective'), 'shop/web', 'shop/api')).toContain('All Connections');
    // A sidecar enforces it: an HTTP request without a JWT, or TCP, is refused.
    expect(verdict(y.replace('istio.io/dataplane-mode: ambient', 'istio-injection: enabled'), 'shop/web').verdict).toBe('denied');
  });

  it('findings: an ALLOW-any policy beside it is no longer hidden by a DENY that refuses nobody (mtls.authz-allow-any)', () => {
    const y = `${AMBIENT}${noJwt}${policy('allow-any', 'ALLOW', '[{from: [{source: {principals: ["*"]}}]}]')}`;
    expect(fails(run(check('mtls.authz-allow-any'), ctxOf(y))).map((v) => `${v.resource.namespace}/${v.resource.name}`)).toEqual(['shop/allow-any']);
  });

  it('when source.serviceAccount / source.trustDomain (not L4 keys) make a DENY a no-op, as from.source.trustDomains already did', () => {
    // The reviewer's c7: all three refuse nobody at ztunnel.
    for (const rules of [
      '[{when: [{key: source.serviceAccount, values: ["shop/batch"]}]}]',
      '[{when: [{key: source.trustDomain, values: ["other.example"]}]}]',
      '[{from: [{source: {trustDomains: ["other.example"]}}]}]',
    ]) {
      const y = `${AMBIENT}${policy('deny', 'DENY', rules)}`;
      expect(verdict(y, 'shop/web').verdict, rules).toBe('allowed');
      expect(verdict(y, 'shop/batch').verdict, rules).toBe('allowed');
    }
    // At a sidecar the serviceAccount condition refuses batch only.
    const sidecar = `${AMBIENT.replace('istio.io/dataplane-mode: ambient', 'istio-injection: enabled')}${policy('deny', 'DENY', '[{when: [{key: source.serviceAccount, values: ["shop/batch"]}]}]')}`;
    expect(verdict(sidecar, 'shop/batch').verdict).toBe('denied');
    expect(verdict(sidecar, 'shop/web').verdict).toBe('allowed');
  });

  // The upstream cases (istio/istio PR #61166 authorization_test.go), with principal shop/web.
  const web = 'cluster.local/ns/shop/sa/web';
  it('"DENY policy with mixed L4 and L7 attributes is enforced without HTTP rules": the principal is refused, others not', () => {
    const y = `${AMBIENT}${policy('deny', 'DENY', `[{from: [{source: {principals: ["${web}"], notRequestPrincipals: ["example.com/sub-1"]}}]}]`)}`;
    expect(verdict(y, 'shop/web')).toMatchObject({ verdict: 'denied', policy: { name: 'deny' }, rule: 0 });
    expect(verdict(y, 'shop/batch').verdict).toBe('allowed');
  });

  it('"DENY policy with L7-only and separate L4 rule is still enforced": the L4 rule refuses its principal', () => {
    const y = `${AMBIENT}${policy('deny', 'DENY', `[{from: [{source: {notRequestPrincipals: ["example.com/sub-1"]}}]}, {from: [{source: {principals: ["${web}"]}}]}]`)}`;
    expect(verdict(y, 'shop/web')).toMatchObject({ verdict: 'denied', rule: 1 });
    expect(verdict(y, 'shop/batch').verdict).toBe('allowed');
  });

  it('"DENY policy with empty catch-all rule and L7-only rule is still enforced": the empty rule refuses everyone', () => {
    const y = `${AMBIENT}${policy('deny', 'DENY', '[{}, {from: [{source: {notRequestPrincipals: ["example.com/sub-1"]}}]}]')}`;
    expect(verdict(y, 'shop/batch')).toMatchObject({ verdict: 'denied', rule: 0 });
  });

  it('"DENY policy with L4 From and L7 When" and "L4 From and L7-only To methods" are no-ops ("due to AND empty clause")', () => {
    const when = `${AMBIENT}${policy('deny', 'DENY', `[{from: [{source: {principals: ["${web}"]}}], when: [{key: "request.headers[x-token]", values: [secret]}]}]`)}`;
    expect(verdict(when, 'shop/web').verdict).toBe('allowed');
    const methods = `${AMBIENT}${policy('deny', 'DENY', `[{from: [{source: {principals: ["${web}"]}}], to: [{operation: {methods: [GET]}}]}]`)}`;
    expect(verdict(methods, 'shop/web').verdict).toBe('allowed');
    // An emptied source beside an L4 one drops out; the L4 one still decides.
    const two = `${AMBIENT}${policy('deny', 'DENY', `[{from: [{source: {requestPrincipals: ["*"]}}, {source: {principals: ["${web}"]}}]}]`)}`;
    expect(verdict(two, 'shop/web').verdict).toBe('denied');
    expect(verdict(two, 'shop/batch').verdict).toBe('allowed');
  });

  it('an ALLOW rule emptied the same way admits nobody (istiod omits it: "L7 policies never match for ALLOW")', () => {
    const y = `${AMBIENT}${policy('allow', 'ALLOW', '[{from: [{source: {notRequestPrincipals: ["*"]}}]}]')}`;
    expect(verdict(y, 'shop/web').verdict).toBe('denied');
    expect(verdict(`${AMBIENT}${policy('allow', 'ALLOW', '[{when: [{key: source.serviceAccount, values: ["shop/web"]}]}]')}`, 'shop/web').verdict).toBe('denied');
  });
});

describe('namespaces with a `*` inside', () => {
  const MESH = `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---${namespaceYaml('shop')}${app('shop', 'api')}${namespaceYaml('team-a-prod')}${app('team-a-prod', 'client')}${namespaceYaml('team-b-dev')}${app('team-b-dev', 'client')}`;
  const denyNonProd = policy('deny-non-prod', 'DENY', '[{from: [{source: {notNamespaces: ["team-*-prod"]}}]}]');
  const ref2 = (from: string) => ({ kind: 'Deployment', namespace: from, name: 'client' });
  const call = (yaml: string, ns: string) => { const ctx = ctxOf(yaml); return meshFlowVerdict(ctx.snapshot, ctx.config, ref2(ns), ref('shop/api'), 8080, 'TCP'); };

  it('a sidecar reads every `*` as a wildcard: DENY notNamespaces ["team-*-prod"] lets team-a-prod in and refuses team-b-dev (was: both refused)', async () => {
    const y = `${MESH}${denyNonProd}`;
    expect(call(y, 'team-a-prod')).toMatchObject({ verdict: 'allowed', enforcedBy: 'sidecar of shop/api' });
    expect(call(y, 'team-b-dev')).toMatchObject({ verdict: 'denied', policy: { name: 'deny-non-prod' } });
    expect((await reach(y, '--from', 'team-a-prod/client', '--to', 'shop/api', '--port', '8080'))).toMatch(/^ALLOWED: /);
    const matrix = await reach(y, '--matrix', '--effective');
    expect(matrixLine(matrix, 'team-a-prod/client', 'shop/api')).toContain('TCP 8080');
    expect(matrixLine(matrix, 'team-b-dev/client', 'shop/api')).not.toContain('TCP 8080');
    // ALLOW namespaces ["team-*-prod"] and `when` source.namespace read it the same way.
    const allow = `${MESH}${policy('allow-prod', 'ALLOW', '[{from: [{source: {namespaces: ["team-*-prod"]}}]}]')}`;
    expect(call(allow, 'team-a-prod').verdict).toBe('allowed');
    expect(call(allow, 'team-b-dev').verdict).toBe('denied');
    const when = `${MESH}${policy('allow-prod', 'ALLOW', '[{when: [{key: source.namespace, values: ["team-*-prod"]}]}]')}`;
    expect(call(when, 'team-a-prod').verdict).toBe('allowed');
    expect(call(when, 'team-b-dev').verdict).toBe('denied');
  });

  it('a waypoint (Envoy) reads it the same way: its DENY notNamespaces ["team-*-prod"] lets team-a-prod in', () => {
    const ambient = MESH.replaceAll('istio-injection: enabled', 'istio.io/dataplane-mode: ambient')
      .replace(`metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient}}`, `metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: wp}}`);
    const y = `${ambient}
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: wp, namespace: shop, labels: {istio.io/waypoint-for: all}}
spec: {gatewayClassName: istio-waypoint, listeners: [{name: mesh, port: 15008, protocol: HBONE}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-non-prod, namespace: shop}
spec:
  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: wp}]
  action: DENY
  rules: [{from: [{source: {notNamespaces: ["team-*-prod"]}}]}]
---`;
    expect(call(y, 'team-a-prod')).toMatchObject({ verdict: 'allowed', enforcedBy: 'waypoint shop/wp' });
    expect(call(y, 'team-b-dev')).toMatchObject({ verdict: 'denied', enforcedBy: 'waypoint shop/wp' });
  });

  it('ztunnel (ambient, no waypoint) matches a `*` inside literally: the same DENY refuses team-a-prod there', () => {
    const ambient = MESH.replaceAll('istio-injection: enabled', 'istio.io/dataplane-mode: ambient');
    expect(call(`${ambient}${denyNonProd}`, 'team-a-prod')).toMatchObject({ verdict: 'denied', enforcedBy: 'ztunnel of shop/api (ambient)' });
    expect(call(`${ambient}${policy('allow-prod', 'ALLOW', '[{from: [{source: {namespaces: ["team-*-prod"]}}]}]')}`, 'team-a-prod').verdict).toBe('denied');
  });
});
