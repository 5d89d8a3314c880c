// AuthorizationPolicies the API server refuses by their shape do not exist, so they protect nothing.
//
// The CRD (istio/istio manifests/charts/base/files/crd-all.gen.yaml, authorizationpolicies.security.istio.io)
// types `rules`, `rules[].from`, `rules[].to` and `rules[].when` as arrays of objects, the source and
// operation fields and `when[].values` as arrays of strings, and `selector.matchLabels` as
// `additionalProperties: {type: string}` (istio/api security/v1beta1/authorization_policy.proto:
// `repeated Rule rules`, `repeated string ports`). A YAML slip (`rules:` without "- ", an unquoted
// port or label value) makes kubectl apply fail with "must be of type array" or "must be of type
// string". A null where a field is expected is pruned before validation
// (k8s.io/apiextensions-apiserver PruneNonNullableNullsWithoutDefaults), so it counts as absent.
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { istioAuthorizationEffect, parseAuthorizationPolicy } from '../../../src/analysis/mesh/authz.ts';
import { parsePeerAuthentication } from '../../../src/analysis/mesh/istio.ts';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import { ctxOf, deploymentYaml, fails, istiodYaml, namespaceYaml, objects, run, serviceYaml } from './helpers.ts';

/** The reviewer's cluster: other/client calls shop/web on 8080, both in Istio's mesh. */
const CLUSTER = `${namespaceYaml('istio-system', 'team: istio')}${namespaceYaml('shop')}${namespaceYaml('other')}${deploymentYaml('shop', 'web', { serviceAccount: 'web', ports: [8080] })}${serviceYaml('shop', 'web', [8080])}${deploymentYaml('other', 'client', { serviceAccount: 'client', ports: [] })}`;
const policy = (name: string, spec: string) => `${CLUSTER}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: shop}
spec:
${spec}
`;
const ref = (namespace: string, name: string) => ({ kind: 'Deployment', namespace, name });
const reach = (yaml: string) => { const ctx = ctxOf(yaml); return meshFlowVerdict(ctx.snapshot, ctx.config, ref('other', 'client'), ref('shop', 'web'), 8080, 'TCP'); };
const authzMissing = mtlsChecks.find((c) => c.id === 'mtls.authz-missing')!;
const verdicts = (yaml: string) => run(authzMissing, ctxOf(yaml));
const apOf = (spec: Record<string, unknown>) => parseAuthorizationPolicy({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'shop' }, spec });

// The four shapes of the review (/tmp/rev-meshauthz w1, w2, w4, w7), each with the verdicts read before.
const SHAPES = [
  ['w1: an ALLOW whose rules are a mapping (was: allow-nothing, reach DENIED, shop/web passed)', 'web-callers',
    '  selector: {matchLabels: {app: web}}\n  rules:\n    from: [{source: {principals: ["cluster.local/ns/other/sa/client"]}}]',
    'spec.rules is a mapping, not a list'],
  ['w2: a DENY whose rules[0].from is a mapping (was: denies every caller, reach DENIED, shop/web passed)', 'deny-legacy',
    '  action: DENY\n  rules:\n  - from:\n      source: {namespaces: ["plain"]}',
    'spec.rules[0].from is a mapping, not a list'],
  ['w4: an ALLOW whose matchLabels value is an unquoted number (was: namespace-wide, reach ALLOWED by it, shop/web passed)', 'tier1-callers',
    '  selector: {matchLabels: {tier: 1}}\n  rules: [{from: [{source: {principals: ["cluster.local/ns/other/sa/client"]}}]}]',
    'spec.selector.matchLabels.tier is 1, not a string (the CRD schema refuses it; quote the value)'],
  ['w7: a DENY whose rules[0].to is a mapping (was: denies every port, reach DENIED, shop/web passed)', 'deny-admin',
    '  selector: {matchLabels: {app: web}}\n  action: DENY\n  rules:\n  - to:\n      operation: {ports: ["9090"]}',
    'spec.rules[0].to is a mapping, not a list'],
] as const;

describe('AuthorizationPolicy of a shape the API server refuses', () => {
  it.each(SHAPES)('%s: not in effect, so reach ALLOWS, shop/web fails authz-missing, and the policy is named with the field', (_what, name, spec, why) => {
    const y = policy(name, spec);
    const r = reach(y);
    expect(r.verdict).toBe('allowed');
    expect(r.reason).toContain('no ALLOW AuthorizationPolicy applies');
    expect(r.policy).toBeUndefined();
    const out = verdicts(y);
    expect(fails(out).find((v) => v.resource.kind === 'AuthorizationPolicy')).toMatchObject({
      severity: 'high',
      message: `AuthorizationPolicy shop/${name} would be refused by the API server (${why}), so it is not in effect: it protects nothing`,
      evidence: { refused: [why] },
    });
    const web = out.find((v) => v.resource.kind === 'Deployment' && v.resource.name === 'web')!;
    expect(web.status).toBe('fail');
    expect(web.message).toContain('no ALLOW AuthorizationPolicy applies to it');
  });

  it('reach names a refused policy that would have applied, with the field', () => {
    expect(reach(policy(SHAPES[0][1], SHAPES[0][2])).notes).toContain('AuthorizationPolicy shop/web-callers would be refused by the API server (spec.rules is a mapping, not a list), so it is not in effect');
  });

  it('the same policies written as lists and quoted take effect as before', () => {
    const allow = policy('web-callers', '  selector: {matchLabels: {app: web}}\n  rules:\n  - from: [{source: {principals: ["cluster.local/ns/other/sa/client"]}}]');
    expect(reach(allow)).toMatchObject({ verdict: 'allowed', policy: { name: 'web-callers' } });
    expect(verdicts(allow).find((v) => v.resource.name === 'web')!.status).toBe('pass');
    const deny = policy('deny-other', '  action: DENY\n  rules:\n  - from:\n    - source: {namespaces: ["other"]}');
    expect(reach(deny)).toMatchObject({ verdict: 'denied', policy: { name: 'deny-other' } });
  });

  it.each([
    ['when as a mapping', { action: 'DENY', rules: [{ when: { key: 'source.ip', values: ['10.0.0.0/8'] } }] }, 'spec.rules[0].when is a mapping, not a list'],
    ['when values as a string', { action: 'DENY', rules: [{ when: [{ key: 'source.ip', values: '10.0.0.0/8' }] }] }, 'spec.rules[0].when[0].values is a string (10.0.0.0/8), not a list'],
    ['a when condition without a key', { action: 'DENY', rules: [{ when: [{ values: ['x'] }] }] }, 'spec.rules[0].when[0].key is missing (the CRD requires it)'],
    ['principals as a string', { rules: [{ from: [{ source: { principals: 'cluster.local/ns/other/sa/client' } }] }] }, 'spec.rules[0].from[0].source.principals is a string (cluster.local/ns/other/sa/client), not a list'],
    ['source as a list', { rules: [{ from: [{ source: [{ namespaces: ['other'] }] }] }] }, 'spec.rules[0].from[0].source is a list, not a mapping'],
    ['an unquoted port', { action: 'DENY', rules: [{ to: [{ operation: { ports: [9090] } }] }] }, 'spec.rules[0].to[0].operation.ports[0] is a number (9090), not a string'],
    ['a null rule', { rules: [null] }, 'spec.rules[0] is empty (null), not a mapping'],
    ['targetRefs as a mapping', { targetRefs: { kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'gw' }, rules: [{}] }, 'spec.targetRefs is a mapping, not a list'],
    ['provider as a string', { action: 'CUSTOM', provider: 'ext-authz', rules: [{}] }, 'spec.provider is a string (ext-authz), not a mapping'],
  ])('%s is refused and the policy is not in effect', (_what, spec, why) => {
    const p = apOf(spec);
    expect(p.refused).toEqual([why]);
    expect(p.problems).toContain(why);
  });

  it('a null field is pruned by the API server, not refused: `rules:` left empty is an allow-nothing ALLOW, a null label value is dropped', () => {
    const empty = apOf({ selector: { matchLabels: { app: 'web' } }, rules: null });
    expect(empty).toMatchObject({ refused: [], problems: [], allowNothing: true, selector: { app: 'web' } });
    const nullLabel = apOf({ selector: { matchLabels: { app: 'web', tier: null } }, rules: [{}] });
    expect(nullLabel).toMatchObject({ refused: [], problems: [], selector: { app: 'web' } });
  });

  it('istioAuthorizationEffect reads the policy as the parser does: a refused ALLOW is no policy, not deny-all', () => {
    const [w1] = objects(`apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: web-callers, namespace: shop}\nspec:\n${SHAPES[0][2]}\n`);
    expect(istioAuthorizationEffect([w1], 'istio-system', 'shop', { app: 'web' })).toBe('no-policy');
    const [valid] = objects('apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: web-callers, namespace: shop}\nspec: {selector: {matchLabels: {app: web}}, rules: [{from: [{source: {namespaces: [other]}}]}]}\n');
    expect(istioAuthorizationEffect([valid], 'istio-system', 'shop', { app: 'web' })).toBe('restricted');
  });

  it('a PeerAuthentication label value left null is pruned the same way, not refused', () => {
    const pa = parsePeerAuthentication({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'p', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'web', tier: null } }, mtls: { mode: 'STRICT' } } }, 'istio-system');
    expect(pa).toMatchObject({ refused: [], scope: 'workload', selector: { app: 'web' } });
  });
});

describe('AuthorizationPolicy past the CRD\'s size limits or CEL rules (from manifests)', () => {
  // istio/istio manifests/charts/base/files/crd-all.gen.yaml at 1.27.0 and 1.28.0 (identical for
  // authorizationpolicies.security.istio.io but for the storage version): spec rule "only one of
  // targetRefs or selector can be set" ((has(self.selector) ? 1 : 0) + (has(self.targetRef) ? 1 : 0)
  // + (has(self.targetRefs) ? 1 : 0) <= 1) and targetRefs maxItems 16, first at 1.24.0; rules and
  // rules[].from maxItems 512 and the source rule "Cannot set serviceAccounts with namespaces or
  // principals" ((has(self.serviceAccounts) || has(self.notServiceAccounts)) ? (!has(self.principals)
  // && ...) : true), first at 1.25.0. kubectl apply of such a policy fails: it never exists, so an
  // ALLOW restricts no caller and a DENY refuses none.
  const at = (version: string, yaml: string) => `${istiodYaml(version)}${yaml}`;
  const many = (n: number, item: string) => `[${Array.from({ length: n }, () => item).join(', ')}]`;
  const CASES = [
    ['an ALLOW with a selector and an empty targetRefs', 'web-callers',
      '  selector: {matchLabels: {app: web}}\n  targetRefs: []\n  rules: [{from: [{source: {namespaces: ["shop"]}}]}]',
      'spec sets selector and targetRefs (CRD rule "only one of targetRefs or selector can be set")'],
    ['an ALLOW whose source sets an empty serviceAccounts beside namespaces', 'shop-callers',
      '  selector: {matchLabels: {app: web}}\n  rules: [{from: [{source: {namespaces: ["shop"], serviceAccounts: []}}]}]',
      'spec.rules[0].from[0].source sets serviceAccounts with namespaces (CRD rule "Cannot set serviceAccounts with namespaces or principals")'],
    ['a DENY with 513 rules', 'deny-other',
      `  selector: {matchLabels: {app: web}}\n  action: DENY\n  rules: ${many(513, '{from: [{source: {namespaces: ["other"]}}]}')}`,
      'spec.rules has 513 items, more than the CRD\'s maxItems 512'],
    ['a DENY whose rule has 513 sources', 'deny-other-sources',
      `  selector: {matchLabels: {app: web}}\n  action: DENY\n  rules: [{from: ${many(513, '{source: {namespaces: ["other"]}}')}}]`,
      'spec.rules[0].from has 513 items, more than the CRD\'s maxItems 512'],
  ] as const;

  it.each(CASES)('%s (Istio 1.28): not in effect, so reach ALLOWS other/client, shop/web fails authz-missing, the policy is named with the rule', (_what, name, spec, why) => {
    const y = at('1.28.0', policy(name, spec));
    const r = reach(y);
    expect(r.verdict).toBe('allowed');
    expect(r.notes).toContain(`AuthorizationPolicy shop/${name} would be refused by the API server (${why}), so it is not in effect`);
    const out = verdicts(y);
    expect(fails(out).find((v) => v.resource.kind === 'AuthorizationPolicy')).toMatchObject({
      message: `AuthorizationPolicy shop/${name} would be refused by the API server (${why}), so it is not in effect: it protects nothing`,
      evidence: { refused: [why] },
    });
    expect(out.find((v) => v.resource.kind === 'Deployment' && v.resource.name === 'web')!.status).toBe('fail');
  });

  it('within the limits the same policies take effect: reach DENIES other/client', () => {
    for (const spec of [
      '  selector: {matchLabels: {app: web}}\n  rules: [{from: [{source: {namespaces: ["shop"]}}]}]',
      `  selector: {matchLabels: {app: web}}\n  action: DENY\n  rules: ${many(512, '{from: [{source: {namespaces: ["other"]}}]}')}`,
      `  selector: {matchLabels: {app: web}}\n  action: DENY\n  rules: [{from: ${many(512, '{source: {namespaces: ["other"]}}')}}]`,
    ]) expect(reach(at('1.28.0', policy('p', spec))).verdict).toBe('denied');
  });

  it('an istiod before the CRD had the limit (1.23, 1.24 for the rules\' limits) reads the policy in effect', () => {
    expect(reach(at('1.23.0', policy(CASES[0][1], CASES[0][2]))).verdict).toBe('denied');
    expect(reach(at('1.24.0', policy(CASES[0][1], CASES[0][2]))).verdict).toBe('allowed');
    expect(reach(at('1.24.0', policy(CASES[2][1], CASES[2][2]))).verdict).toBe('denied');
    expect(reach(at('1.25.0', policy(CASES[2][1], CASES[2][2]))).verdict).toBe('allowed');
  });

  it('with no istiod in the input (its release unknown) it cannot be confirmed either way, and the reason says why', () => {
    const r = reach(policy(CASES[0][1], CASES[0][2]));
    expect(r.verdict).toBe('unknown');
    expect(r.reason).toContain(`an older istiod reads AuthorizationPolicy shop/web-callers otherwise: the AuthorizationPolicy CRD of an older release takes it (${CASES[0][3]})`);
  });

  it('targetRefs past 16 items is refused; a stored policy (live) exists whatever it holds', () => {
    const ref = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' };
    const spec = { targetRefs: Array.from({ length: 17 }, () => ref), rules: [{}] };
    const o = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'shop' }, spec };
    expect(parseAuthorizationPolicy(o, 'latest', { manifests: true }).refused).toEqual(['spec.targetRefs has 17 items, more than the CRD\'s maxItems 16']);
    expect(parseAuthorizationPolicy(o, 'latest').refused).toEqual([]);
  });
});
