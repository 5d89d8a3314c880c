// AuthorizationPolicy `from.source` fields the model used to drop, and principals istiod accepts
// that match nobody.
//
// https://istio.io/latest/docs/reference/config/security/authorization-policy/ (Source):
// serviceAccounts "A list of Kubernetes service accounts derived from the peer certificate. This
// field requires mTLS enabled ... This takes the format `<namespace>/<serviceaccount>`.
// `<serviceaccount>` may also be used to use the same namespace as the `AuthorizationPolicy`."
// trustDomains "A list of trust domains derived from the peer certificate. Can be exact, prefix,
// suffix and presence. This field requires mTLS enabled". Matching as istiod builds it:
// istio/istio pilot/pkg/security/authz/model/generator.go (serviceAccountRegex,
// srcTrustDomainGenerator, srcPrincipalGenerator) and matcher/string.go StringMatcherWithPrefix.
// Principals are validated only for empty values (pkg/config/validation/validation.go,
// security.CheckEmptyValues("Principals")): a spiffe:// principal is accepted and matches nobody.
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


const check = (id: string) => mtlsChecks.find((c) => c.id === id)!;
const keyOf = (v: { resource: { kind: string; namespace?: string; name: string }; severity?: string }) => `${v.severity ?? '-'} ${v.resource.kind} ${v.resource.namespace}/${v.resource.name}`;
const failing = (id: string, yaml: string) => fails(run(check(id), ctxOf(yaml))).map(keyOf).sort();

const app = (namespace: string, name: string) => `${deploymentYaml(namespace, name, { serviceAccount: name, ports: [8080] })}${serviceYaml(namespace, name, [8080])}`;
/** The reviewer's mesh: STRICT mesh-wide, shop/{api,web,other,batch} each with its own service account, legacy/old outside the mesh. */
const MESH = `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---${namespaceYaml('shop')}${app('shop', 'api')}${app('shop', 'web')}${app('shop', 'other')}${namespaceYaml('legacy', 'team: legacy')}${deploymentYaml('legacy', 'old', { ports: [] })}`;
const policy = (action: string, source: string, name = 'api-policy') => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  action: ${action}
  rules: [{from: [{source: ${source}}]}]
---`;
const ref = (text: string) => { const [namespace, name] = text.split('/'); return { kind: 'Deployment', namespace, name }; };
const verdict = (yaml: string, from: string, to = 'shop/api') => {
  const ctx = ctxOf(yaml);
  return meshFlowVerdict(ctx.snapshot, ctx.config, ref(from), ref(to), 8080, 'TCP');
};

async function reachManifests(yaml: string, ...args: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-authz-fields-'));
  writeFileSync(join(dir, 'm.yaml'), yaml);
  const out: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
  await main(['reach', '--manifests', 'm.yaml', ...args], io);
  return out.join('');
}
const matrixLine = (out: string, from: string, to: string) => out.split('\n').find((l) => l.startsWith(`${from}[Deployment] => ${to}[Deployment]`)) ?? '';

describe('AuthorizationPolicy serviceAccounts / notServiceAccounts', () => {
  it('ALLOW serviceAccounts ["shop/web"] admits shop/web only (was: read as from [{}], admitting every caller)', async () => {
    const y = `${MESH}${policy('ALLOW', '{serviceAccounts: ["shop/web"]}')}`;
    expect(verdict(y, 'shop/web')).toMatchObject({ verdict: 'allowed', policy: { name: 'api-policy' }, rule: 0 });
    const other = verdict(y, 'shop/other');
    expect(other.verdict).toBe('denied');
    expect(other.reason).toContain('principal cluster.local/ns/shop/sa/other');
    // Not an allow-any rule.
    expect(failing('mtls.authz-allow-any', y)).toEqual([]);
    // The matrix agrees: web reaches api on 8080, other does not.
    const matrix = await reachManifests(y, '--matrix', '--effective');
    expect(matrixLine(matrix, 'shop/web', 'shop/api')).toContain('TCP 8080');
    expect(matrixLine(matrix, 'shop/other', 'shop/api')).not.toContain('TCP 8080');
  });

  it('a bare service account names one in the policy\'s own namespace', () => {
    const y = `${MESH}${policy('ALLOW', '{serviceAccounts: ["web"]}')}`;
    expect(verdict(y, 'shop/web').verdict).toBe('allowed');
    expect(verdict(y, 'shop/other').verdict).toBe('denied');
  });

  it('DENY serviceAccounts ["shop/batch"] refuses batch only (was: DENIED every caller)', async () => {
    const y = `${MESH}${app('shop', 'batch')}${policy('DENY', '{serviceAccounts: ["shop/batch"]}')}`;
    expect(verdict(y, 'shop/web').verdict).toBe('allowed');
    expect(verdict(y, 'shop/batch')).toMatchObject({ verdict: 'denied', policy: { name: 'api-policy' } });
    const matrix = await reachManifests(y, '--matrix', '--effective');
    expect(matrixLine(matrix, 'shop/web', 'shop/api')).toContain('TCP 8080');
    expect(matrixLine(matrix, 'shop/batch', 'shop/api')).not.toContain('TCP 8080');
  });

  it('needs mTLS: under PERMISSIVE a plaintext caller escapes a DENY on serviceAccounts and matches an ALLOW on notServiceAccounts', () => {
    const permissive = MESH.replace('mode: STRICT', 'mode: PERMISSIVE');
    expect(verdict(`${permissive}${policy('DENY', '{serviceAccounts: ["shop/web"]}')}`, 'legacy/old').verdict).toBe('allowed');
    const notSa = `${permissive}${policy('ALLOW', '{notServiceAccounts: ["shop/web"]}')}`;
    expect(verdict(notSa, 'legacy/old').verdict).toBe('allowed');
    expect(verdict(notSa, 'shop/web').verdict).toBe('denied');
    expect(verdict(notSa, 'shop/other').verdict).toBe('allowed');
    // Both are identity rules a plaintext caller slips past: authz-plaintext-bypass names them.
    expect(failing('mtls.authz-plaintext-bypass', `${permissive}${policy('DENY', '{serviceAccounts: ["shop/web"]}')}`)).toEqual(['high Deployment shop/api']);
    // notServiceAccounts alone admits every workload but one: allow-any.
    expect(failing('mtls.authz-allow-any', notSa)).toEqual(['medium AuthorizationPolicy shop/api-policy']);
  });

  it('istiod rejects serviceAccounts with principals or namespaces in one source, or with a wildcard (CheckServiceAccount)', () => {
    for (const source of ['{serviceAccounts: ["shop/web"], namespaces: ["shop"]}', '{serviceAccounts: ["shop/*"]}', '{serviceAccounts: ["a/b/c"]}']) {
      const y = `${MESH}${policy('ALLOW', source)}`;
      expect(failing('mtls.authz-missing', y), source).toContain('high AuthorizationPolicy shop/api-policy');
      expect(verdict(y, 'shop/other').verdict, source).toBe('allowed');
    }
  });
});

describe('AuthorizationPolicy trustDomains / notTrustDomains', () => {
  const meshConfig = (td: string) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    ${td}
---`;

  it('trustDomains match the trust domain of the caller\'s identity: exact, prefix, suffix, "*"', () => {
    expect(verdict(`${MESH}${policy('ALLOW', '{trustDomains: ["cluster.local"]}')}`, 'shop/other').verdict).toBe('allowed');
    expect(verdict(`${MESH}${policy('ALLOW', '{trustDomains: ["other.example"]}')}`, 'shop/other').verdict).toBe('denied');
    expect(verdict(`${MESH}${policy('ALLOW', '{trustDomains: ["cluster.*"]}')}`, 'shop/other').verdict).toBe('allowed');
    expect(verdict(`${MESH}${policy('ALLOW', '{trustDomains: ["*.local"]}')}`, 'shop/other').verdict).toBe('allowed');
    expect(verdict(`${MESH}${policy('DENY', '{notTrustDomains: ["cluster.local"]}')}`, 'shop/other').verdict).toBe('allowed');
    expect(verdict(`${MESH}${policy('DENY', '{notTrustDomains: ["other.example"]}')}`, 'shop/other').verdict).toBe('denied');
    // trustDomains ["*"] or the mesh's own trust domain: any workload of the mesh, reported like principals ["*"].
    expect(failing('mtls.authz-allow-any', `${MESH}${policy('ALLOW', '{trustDomains: ["*"]}')}`)).toEqual(['medium AuthorizationPolicy shop/api-policy']);
    expect(failing('mtls.authz-allow-any', `${MESH}${policy('ALLOW', '{trustDomains: ["cluster.local"]}')}`)).toEqual(['medium AuthorizationPolicy shop/api-policy']);
    expect(failing('mtls.authz-allow-any', `${MESH}${policy('ALLOW', '{trustDomains: ["other.example"]}')}`)).toEqual([]);
  });

  it('a trust domain alias stands for the trust domain and its other aliases (Bundle.ExpandTrustDomainAliases)', () => {
    const y = `${MESH}${meshConfig('{trustDomain: new-td, trustDomainAliases: [old-td]}')}${policy('ALLOW', '{trustDomains: ["old-td"]}')}`;
    expect(verdict(y, 'shop/other').verdict).toBe('allowed');
    // Without the alias, old-td is another trust domain: no caller of this mesh has it.
    expect(verdict(`${MESH}${meshConfig('{trustDomain: new-td}')}${policy('ALLOW', '{trustDomains: ["old-td"]}')}`, 'shop/other').verdict).toBe('denied');
  });
});

describe('`when` source.serviceAccount / source.trustDomain and ztunnel', () => {
  const when = (action: string, cond: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api-policy, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  action: ${action}
  rules: [{when: [${cond}]}]
---`;
  it('the conditions read the peer certificate like the source fields (istio/istio pilot/pkg/security/authz/model/model.go attrSrcServiceAccount, attrSrcTrustDomain)', () => {
    const y = `${MESH}${when('ALLOW', '{key: source.serviceAccount, values: [web]}')}`;
    expect(verdict(y, 'shop/web').verdict).toBe('allowed');
    expect(verdict(y, 'shop/other').verdict).toBe('denied');
    expect(verdict(`${MESH}${when('DENY', '{key: source.trustDomain, notValues: [cluster.local]}')}`, 'shop/other').verdict).toBe('allowed');
    expect(verdict(`${MESH}${when('DENY', '{key: source.trustDomain, values: [cluster.local]}')}`, 'shop/other').verdict).toBe('denied');
  });

  it('ztunnel (ambient, no waypoint) has no trust domain match: a source with only trustDomains matches nothing there (ambient/authorization.go)', () => {
    const ambient = MESH.replace(namespaceYaml('shop'), namespaceYaml('shop', 'istio.io/dataplane-mode: ambient'));
    expect(verdict(`${ambient}${policy('ALLOW', '{trustDomains: ["cluster.local"]}')}`, 'shop/web').verdict).toBe('denied');
    expect(verdict(`${ambient}${policy('DENY', '{trustDomains: ["cluster.local"]}')}`, 'shop/web').verdict).toBe('allowed');
    // serviceAccounts reach ztunnel.
    expect(verdict(`${ambient}${policy('ALLOW', '{serviceAccounts: ["shop/web"]}')}`, 'shop/web').verdict).toBe('allowed');
    expect(verdict(`${ambient}${policy('ALLOW', '{serviceAccounts: ["shop/web"]}')}`, 'shop/other').verdict).toBe('denied');
  });
});

describe('principals istiod accepts but no workload presents', () => {
  it('a spiffe:// principal: the ALLOW policy is in effect and admits nobody (was: discarded as rejected, so every caller ALLOWED)', async () => {
    const y = `${MESH}${policy('ALLOW', '{principals: ["spiffe://cluster.local/ns/shop/sa/web"]}')}`;
    const r = verdict(y, 'shop/web');
    expect(r.verdict).toBe('denied');
    expect(r.notes?.join('\n')).toContain('principal "spiffe://cluster.local/ns/shop/sa/web" carries the spiffe:// scheme, which Istio adds itself, so it matches no workload');
    const missing = fails(run(check('mtls.authz-missing'), ctxOf(y)));
    // api is covered by an ALLOW policy; the policy itself is named, low, without "istiod rejects it".
    expect(missing.map(keyOf)).toContain('low AuthorizationPolicy shop/api-policy');
    expect(missing.map(keyOf)).not.toContain('medium Deployment shop/api');
    const finding = missing.find((v) => v.resource.name === 'api-policy')!;
    expect(finding.message).toContain('matches no workload');
    expect(finding.message).not.toContain('istiod rejects');
    const matrix = await reachManifests(y, '--matrix', '--effective');
    expect(matrixLine(matrix, 'shop/web', 'shop/api')).not.toContain('TCP 8080');
  });

  it('a mixed list admits only its valid principals; a "*" inside a principal is literal', () => {
    const y = `${MESH}${policy('ALLOW', '{principals: ["spiffe://cluster.local/ns/shop/sa/other", "cluster.local/ns/shop/sa/web"]}')}`;
    expect(verdict(y, 'shop/web').verdict).toBe('allowed');
    expect(verdict(y, 'shop/other').verdict).toBe('denied');
    const mid = `${MESH}${policy('ALLOW', '{principals: ["cluster.local/ns/*/sa/web"]}')}`;
    expect(verdict(mid, 'shop/web').verdict).toBe('denied');
    expect(fails(run(check('mtls.authz-missing'), ctxOf(mid))).find((v) => v.resource.name === 'api-policy')!.message).toContain('has a "*" inside it, which Istio matches literally');
  });

  it('a DENY holding such a principal still applies its other values', () => {
    const y = `${MESH}${policy('DENY', '{principals: ["spiffe://cluster.local/ns/shop/sa/other", "cluster.local/ns/shop/sa/web"]}')}`;
    expect(verdict(y, 'shop/web')).toMatchObject({ verdict: 'denied', policy: { name: 'api-policy' } });
    expect(verdict(y, 'shop/other').verdict).toBe('allowed');
    expect(failing('mtls.authz-missing', y)).toContain('medium AuthorizationPolicy shop/api-policy');
  });

  // A `when` on source.principal is built by the generator from.source.principals use
  // (istio/istio pilot/pkg/security/authz/model/model.go: attrSrcPrincipal -> srcPrincipalGenerator),
  // and istiod validates its values for emptiness only (pkg/config/security/security.go
  // ValidateAttribute); the conditions page: "source.principal | The identity of the source
  // workload ... Supports exact, prefix and suffix matches", value "cluster.local/ns/default/sa/productpage"
  // (https://istio.io/latest/docs/reference/config/security/conditions/). So the same values are dead.
  it('a `when` source.principal value or notValues value with spiffe:// or a "*" inside is warned as from.source.principals are (was: silent)', () => {
    const whenPolicy = (action: string, cond: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api-policy, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  action: ${action}
  rules: [{when: [${cond}]}]
---`;
    const allow = `${MESH}${whenPolicy('ALLOW', '{key: source.principal, values: ["spiffe://cluster.local/ns/shop/sa/web"]}')}`;
    expect(verdict(allow, 'shop/web').verdict).toBe('denied');
    const note = 'rules[0].when: source.principal value "spiffe://cluster.local/ns/shop/sa/web" carries the spiffe:// scheme, which Istio adds itself, so it matches no workload';
    expect(verdict(allow, 'shop/web').notes?.join('\n')).toContain(note);
    const allowFinding = fails(run(check('mtls.authz-missing'), ctxOf(allow))).find((v) => v.resource.name === 'api-policy')!;
    expect([allowFinding.severity, allowFinding.message]).toEqual(['low', `AuthorizationPolicy shop/api-policy is in effect, but ${note}`]);
    // A DENY on such a value refuses nobody: medium, as for from.source.principals.
    const deny = `${MESH}${whenPolicy('DENY', '{key: source.principal, values: ["cluster.local/ns/*/sa/web"]}')}`;
    expect(verdict(deny, 'shop/web').verdict).toBe('allowed');
    expect(failing('mtls.authz-missing', deny)).toContain('medium AuthorizationPolicy shop/api-policy');
    expect(fails(run(check('mtls.authz-missing'), ctxOf(deny))).find((v) => v.resource.name === 'api-policy')!.message)
      .toBe('AuthorizationPolicy shop/api-policy is in effect, but rules[0].when: source.principal value "cluster.local/ns/*/sa/web" has a "*" inside it, which Istio matches literally (only a leading or trailing "*" is a wildcard), so it matches no workload');
    // notValues: excludes nobody.
    const not = `${MESH}${whenPolicy('DENY', '{key: source.principal, notValues: ["spiffe://cluster.local/ns/shop/sa/web"]}')}`;
    expect(verdict(not, 'shop/web').verdict).toBe('denied');
    expect(fails(run(check('mtls.authz-missing'), ctxOf(not))).find((v) => v.resource.name === 'api-policy')!.message)
      .toBe('AuthorizationPolicy shop/api-policy is in effect, but rules[0].when: source.principal notValues value "spiffe://cluster.local/ns/shop/sa/web" carries the spiffe:// scheme, which Istio adds itself, so it excludes no workload');
    // A live principal is not warned.
    const live = `${MESH}${whenPolicy('ALLOW', '{key: source.principal, values: ["cluster.local/ns/shop/sa/web"]}')}`;
    expect(verdict(live, 'shop/web').verdict).toBe('allowed');
    expect(fails(run(check('mtls.authz-missing'), ctxOf(live))).filter((v) => v.resource.kind === 'AuthorizationPolicy')).toEqual([]);
  });
});

// What istiod's validation rejects beyond from.source (a rejected policy is not in effect):
// istio/istio pkg/config/validation/validation.go ValidateAuthorizationPolicy runs
// security.ValidateAttribute on each `when` condition's values and notValues
// (pkg/config/security/security.go: CheckServiceAccount for source.serviceAccount — "wildcard not
// allowed", the namespace/serviceAccount format; CheckWildcardValues for source.trustDomain — one
// "*", leading or trailing), and for action CUSTOM rejects From.Namespaces, From.NotNamespaces,
// From.ServiceAccounts, From.NotServiceAccounts, From.TrustDomains, From.NotTrustDomains,
// From.Principals, From.NotPrincipals, From.RequestPrincipals, From.NotRequestPrincipals and the
// `when` keys source.namespace, source.serviceAccount, source.trustDomain, source.principal and
// request.auth.* ("%s is currently not supported with CUSTOM action"). The reference page
// https://istio.io/latest/docs/reference/config/security/conditions/ lists source.serviceAccount
// ("<namespace>/<serviceaccount>") and source.trustDomain among the supported conditions.
describe('policies istiod rejects for their `when` values or CUSTOM fields', () => {
  const withRule = (action: string, rule: string, extra = '') => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api-policy, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  action: ${action}${extra}
  rules: [${rule}]
---`;
  const malformed = (yaml: string) => fails(run(check('mtls.authz-missing'), ctxOf(yaml))).find((v) => v.resource.name === 'api-policy');

  it('DENY when source.serviceAccount notValues ["shop/web", "shop/*"]: rejected, so shop/other is ALLOWED and the policy is named (was: DENIED, no finding)', async () => {
    const y = `${MESH}${withRule('DENY', '{when: [{key: source.serviceAccount, notValues: ["shop/web", "shop/*"]}]}')}`;
    expect(verdict(y, 'shop/other').verdict).toBe('allowed');
    expect((await reachManifests(y, '--from', 'shop/other', '--to', 'shop/api', '--port', '8080')).split('\n')[0]).toBe('ALLOWED: shop/other[Deployment] -> shop/api[Deployment] on 8080/TCP');
    expect(malformed(y)).toMatchObject({ severity: 'high', message: 'AuthorizationPolicy shop/api-policy is malformed: rules[0].when source.serviceAccount notValues: "shop/*" has a wildcard, which serviceAccounts do not take; istiod rejects it, so it protects nothing' });
    // Without the wildcard the same DENY is in effect and refuses shop/other.
    const ok = `${MESH}${withRule('DENY', '{when: [{key: source.serviceAccount, notValues: ["shop/web"]}]}')}`;
    expect(verdict(ok, 'shop/other').verdict).toBe('denied');
    expect(malformed(ok)).toBeUndefined();
  });

  it('the `when` values get the checks of serviceAccounts and trustDomains; a trust domain there may hold "/"', () => {
    for (const cond of ['{key: source.serviceAccount, values: ["a/b/c"]}', '{key: source.serviceAccount, values: ["shop/"]}', '{key: source.serviceAccount, values: [""]}', '{key: source.trustDomain, values: ["*cluster*"]}', '{key: source.trustDomain, notValues: ["clu*ster"]}']) {
      const y = `${MESH}${withRule('ALLOW', `{when: [${cond}]}`)}`;
      expect(malformed(y)?.message, cond).toContain('istiod rejects it');
      expect(verdict(y, 'shop/other').verdict, cond).toBe('allowed');
    }
    // CheckWildcardValues alone for source.trustDomain (CheckTrustDomainValues' "/" check is for from.source).
    expect(malformed(`${MESH}${withRule('ALLOW', '{when: [{key: source.trustDomain, values: ["cluster.local/x"]}]}')}`)).toBeUndefined();
  });

  it('CUSTOM with from.source.serviceAccounts: rejected, so the external authorizer decides nothing (was: "ALLOWED for some requests … opa decides")', async () => {
    const y = `${MESH}${withRule('CUSTOM', '{from: [{source: {serviceAccounts: ["shop/web"]}}]}', '\n  provider: {name: opa}')}`;
    const r = verdict(y, 'shop/web');
    expect(r.verdict).toBe('allowed');
    expect(r.reason).not.toContain('opa');
    expect((await reachManifests(y, '--from', 'shop/web', '--to', 'shop/api', '--port', '8080')).split('\n')[0]).toBe('ALLOWED: shop/web[Deployment] -> shop/api[Deployment] on 8080/TCP');
    expect(malformed(y)?.message).toBe('AuthorizationPolicy shop/api-policy is malformed: rules[0]: From.ServiceAccounts is currently not supported with CUSTOM action; istiod rejects it, so it protects nothing');
  });

  it('every source field and `when` key upstream lists is rejected with CUSTOM; ipBlocks, ports and other keys are not', () => {
    const custom = (rule: string) => `${MESH}${withRule('CUSTOM', rule, '\n  provider: {name: opa}')}`;
    const fields = { namespaces: 'Namespaces', notNamespaces: 'NotNamespaces', serviceAccounts: 'ServiceAccounts', notServiceAccounts: 'NotServiceAccounts', trustDomains: 'TrustDomains', notTrustDomains: 'NotTrustDomains', principals: 'Principals', notPrincipals: 'NotPrincipals', requestPrincipals: 'RequestPrincipals', notRequestPrincipals: 'NotRequestPrincipals' };
    for (const [field, name] of Object.entries(fields)) {
      expect(malformed(custom(`{from: [{source: {${field}: ["x"]}}]}`))?.message, field).toContain(`rules[0]: From.${name} is currently not supported with CUSTOM action`);
    }
    for (const key of ['source.namespace', 'source.serviceAccount', 'source.trustDomain', 'source.principal', 'request.auth.claims[iss]']) {
      expect(malformed(custom(`{when: [{key: "${key}", values: ["x"]}]}`))?.message, key).toContain(`rules[0]: when key "${key}" is currently not supported with CUSTOM action`);
    }
    for (const rule of ['{from: [{source: {ipBlocks: ["10.0.0.0/8"]}}]}', '{to: [{operation: {paths: ["/admin"]}}]}', '{when: [{key: source.ip, values: ["10.0.0.1"]}]}']) {
      expect(malformed(custom(rule)), rule).toBeUndefined();
    }
  });
});
