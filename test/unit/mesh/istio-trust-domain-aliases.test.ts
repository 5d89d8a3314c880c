// Istio principals in a policy are rewritten to the mesh's trust domain: cluster.local and the
// meshConfig.trustDomainAliases stand for the current trust domain.
//
// https://istio.io/latest/docs/tasks/security/authorization/authz-td-migration/ ("Best practices"):
// "in authorization policy, `cluster.local` is a pointer that points to the current trust domain,
// i.e. `old-td` (and later `new-td`), as well as its aliases." And, with trustDomain new-td and
// trustDomainAliases [old-td], "Without changing the authorization policy" that names
// old-td/ns/sleep-allow/sa/sleep, sleep in sleep-allow is allowed (200) and sleep in default
// denied (403); without the aliases both are denied.
// Which principals are rewritten follows istio/istio pilot/pkg/security/trustdomain
// (Bundle.ReplaceTrustDomainAliases): only `<td>/ns/<ns>/sa/<sa>` with a trust domain other than `*`.
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { ctxOf, deploymentYaml, namespaceYaml, serviceYaml } from './helpers.ts';

const ns = namespaceYaml;
// Each app behind a Service: the calls are meshed calls, with the caller's identity (a pod port no
// Service leads to is reached through Istio's PassthroughCluster, without mTLS).
const app = (namespace: string, name: string, sa = name) => `${deploymentYaml(namespace, name, { serviceAccount: sa, ports: [8000, 9000] })}${serviceYaml(namespace, name, [8000, 9000])}`;
const ref = (text: string) => { const [namespace, name] = text.split('/'); return { kind: 'Deployment', namespace, name }; };
const verdict = (yaml: string, from: string, to: string, configure?: Parameters<typeof ctxOf>[1]) => {
  const ctx = ctxOf(yaml, configure);
  return meshFlowVerdict(ctx.snapshot, ctx.config, ref(from), ref(to), 8000, 'TCP');
};
const meshConfig = (body: string) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
${body.split('\n').map((l) => `    ${l}`).join('\n')}
---`;
const shop = `${ns('shop')}${app('shop', 'frontend')}${app('shop', 'db')}${app('shop', 'admin')}${ns('other')}${app('other', 'frontend')}`;
const policy = (source: string, action = 'ALLOW') => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  action: ${action}
  rules: [{from: [{source: ${source}}]}]
`;

describe('Istio trust domain: cluster.local and trustDomainAliases in policies', () => {
  it('cluster.local in a policy names the current trust domain (revmesh c1)', () => {
    const y = `${shop}${meshConfig('trustDomain: acme.example')}${policy('{principals: ["cluster.local/ns/shop/sa/frontend"]}')}`;
    const r = verdict(y, 'shop/frontend', 'shop/db');
    expect(r).toMatchObject({ verdict: 'allowed', policy: { name: 'db' }, rule: 0 });
    expect(r.reason).toBe('ALLOW AuthorizationPolicy shop/db rules[0] matches principal acme.example/ns/shop/sa/frontend on port 8000');
    // Still only the named service account.
    expect(verdict(y, 'shop/admin', 'shop/db').verdict).toBe('denied');
    // The 5-part prefix form is rewritten too; the 4-part `cluster.local/ns/shop/*` is not
    // (ReplaceTrustDomainAliases keeps a principal that is not <td>/ns/<ns>/sa/<sa> as written).
    expect(verdict(`${shop}${meshConfig('trustDomain: acme.example')}${policy('{principals: ["cluster.local/ns/shop/sa/*"]}')}`, 'shop/admin', 'shop/db').verdict).toBe('allowed');
    expect(verdict(`${shop}${meshConfig('trustDomain: acme.example')}${policy('{principals: ["cluster.local/ns/shop/*"]}')}`, 'shop/admin', 'shop/db').verdict).toBe('denied');
  });

  it('trustDomainAliases: a policy written for the old trust domain still admits its caller (authz-td-migration)', () => {
    const y = (aliases: string) => `${shop}${meshConfig(`trustDomain: new-td${aliases}`)}${policy('{principals: ["old-td/ns/shop/sa/frontend"]}')}`;
    const withAlias = y('\ntrustDomainAliases: [old-td]');
    expect(verdict(withAlias, 'shop/frontend', 'shop/db')).toMatchObject({ verdict: 'allowed', rule: 0 });
    expect(verdict(withAlias, 'shop/admin', 'shop/db').verdict).toBe('denied');
    // "Migrate trust domain without trust domain aliases": the old-td policy no longer matches.
    expect(verdict(y(''), 'shop/frontend', 'shop/db').verdict).toBe('denied');
    // A trust domain that is neither the mesh's, an alias nor cluster.local is kept as written.
    expect(verdict(`${shop}${meshConfig('trustDomain: new-td\ntrustDomainAliases: [old-td]')}${policy('{principals: ["some-td/ns/shop/sa/frontend"]}')}`, 'shop/frontend', 'shop/db').verdict).toBe('denied');
    // mesh.istioTrustDomain sets the trust domain; the aliases are still the mesh config's.
    const configured = `${shop}${meshConfig('trustDomainAliases: [old-td]')}${policy('{principals: ["old-td/ns/shop/sa/frontend"]}')}`;
    expect(verdict(configured, 'shop/frontend', 'shop/db', (c) => { c.mesh.istioTrustDomain = 'new-td'; }).verdict).toBe('allowed');
  });

  it('a `*` trust domain matches any trust domain and is not rewritten', () => {
    const y = `${shop}${meshConfig('trustDomain: acme.example\ntrustDomainAliases: [old-td]')}${policy('{principals: ["*/ns/shop/sa/frontend"]}')}`;
    expect(verdict(y, 'shop/frontend', 'shop/db').verdict).toBe('allowed');
    expect(verdict(y, 'other/frontend', 'shop/db').verdict).toBe('denied');
  });

  it('notPrincipals are rewritten the same way', () => {
    // DENY every caller but cluster.local/ns/shop/sa/frontend: under acme.example that is the frontend.
    const y = `${shop}${meshConfig('trustDomain: acme.example')}${policy('{notPrincipals: ["cluster.local/ns/shop/sa/frontend"]}', 'DENY')}`;
    expect(verdict(y, 'shop/frontend', 'shop/db').verdict).toBe('allowed');
    expect(verdict(y, 'shop/admin', 'shop/db')).toMatchObject({ verdict: 'denied', rule: 0 });
  });
});
