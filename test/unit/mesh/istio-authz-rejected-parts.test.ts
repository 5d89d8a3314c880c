// AuthorizationPolicy parts istiod rejects outright, so the whole policy is never in effect.
//
// istio/istio pkg/config/validation/validation.go, ValidateAuthorizationPolicy: for each rule,
// "`from.source` must not be empty" when a source sets none of its fields, "`to.operation` must
// not be empty" likewise for an operation, and "at least one of `values` or `notValues` must be
// set for key %s" for a `when` condition with neither. A DENY rule such as
// `from: [{source: {}}]` therefore denies nothing: it is not "match every caller".
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { parseAuthorizationPolicy } from '../../../src/analysis/mesh/authz.ts';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import { ctxOf, deploymentYaml, fails, namespaceYaml, run, serviceYaml } from './helpers.ts';

const app = (namespace: string, name: string) => `${deploymentYaml(namespace, name, { serviceAccount: name, ports: [8080] })}${serviceYaml(namespace, name, [8080])}`;
const MESH = `${namespaceYaml('shop')}${app('shop', 'api')}${app('shop', 'web')}`;
const policy = (action: string, rule: string) => `${MESH}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  action: ${action}
  rules: [${rule}]
`;
const verdict = (yaml: string) => {
  const ctx = ctxOf(yaml);
  return meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: 'shop', name: 'web' }, { kind: 'Deployment', namespace: 'shop', name: 'api' }, 8080, 'TCP');
};
const authzMissing = mtlsChecks.find((c) => c.id === 'mtls.authz-missing')!;
const malformed = (yaml: string) => fails(run(authzMissing, ctxOf(yaml))).filter((f) => f.resource.kind === 'AuthorizationPolicy').map((f) => f.message);

describe('AuthorizationPolicy parts istiod rejects', () => {
  it.each([
    ['an empty from.source', '{from: [{source: {}}]}', 'rules[0].from[0].source sets no field'],
    ['a from entry without source', '{from: [{}]}', 'rules[0].from[0].source is not set'],
    ['a source whose lists are all empty', '{from: [{source: {principals: []}}]}', 'rules[0].from[0].source sets no field'],
    ['an empty to.operation', '{to: [{operation: {}}]}', 'rules[0].to[0].operation sets no field'],
    ['a when condition with neither values nor notValues', '{when: [{key: source.ip}]}', 'rules[0].when "source.ip": neither values nor notValues is set'],
  ])('DENY with %s is not in effect: the caller is allowed, with a note, and authz-missing names it', (_what, rule, problem) => {
    const y = policy('DENY', rule);
    const r = verdict(y);
    expect(r.verdict).toBe('allowed');
    expect(r.notes).toContain('malformed AuthorizationPolicy shop/p ignored (istiod rejects it)');
    expect(malformed(y)).toEqual([expect.stringContaining(`AuthorizationPolicy shop/p is malformed: ${problem}`)]);
  });

  it('an ALLOW with an empty source is not in effect either: no ALLOW policy applies', () => {
    const r = verdict(policy('ALLOW', '{from: [{source: {}}], to: [{operation: {ports: ["8080"]}}]}'));
    expect(r.verdict).toBe('allowed');
    expect(r.reason).toContain('no ALLOW AuthorizationPolicy applies');
  });

  it('a when condition with notValues only, or a source and operation that set a field, are accepted', () => {
    const y = policy('DENY', '{from: [{source: {namespaces: [shop]}}], to: [{operation: {ports: ["8080"]}}], when: [{key: source.principal, notValues: ["cluster.local/ns/shop/sa/api"]}]}');
    expect(verdict(y)).toMatchObject({ verdict: 'denied', policy: { name: 'p' }, rule: 0 });
    expect(malformed(y)).toEqual([]);
  });

  it('names the condition key as data, whatever it holds', () => {
    const p = parseAuthorizationPolicy({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'shop' }, spec: { rules: [{ when: [{ key: 'x\n\u001b[31mred' }] }] } });
    expect(p.problems).toEqual(['rules[0]: when key "x\\n\\u001b[31mred" is not an attribute istiod knows ("unknown attribute")', 'rules[0].when "x\\n\\u001b[31mred": neither values nor notValues is set']);
  });
});

// security.go ValidateIPs, run by ValidateAuthorizationPolicy on ipBlocks, notIpBlocks,
// remoteIpBlocks and notRemoteIpBlocks and by ValidateAttribute on source.ip, remote.ip and
// destination.ip: Go's netip.ParsePrefix for a value with "/" (which keeps host bits, per
// https://pkg.go.dev/net/netip#ParsePrefix "ParsePrefix does not mask off the host bits of ip";
// an IPv6 zone or a prefix length out of range is an error), netip.ParseAddr for any other.
describe('AuthorizationPolicy addresses istiod rejects', () => {
  const problemsOf = (source: Record<string, unknown>) => parseAuthorizationPolicy({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'shop' }, spec: { rules: [{ from: [{ source }] }] } }).problems;
  it.each([
    ['ipBlocks', '10.0.0.0/33'],
    ['notIpBlocks', '::/129'],
    ['remoteIpBlocks', '10.0.0.1/'],
    ['notRemoteIpBlocks', 'fe80::1%eth0/64'],
    ['ipBlocks', '10.0.0'],
    ['ipBlocks', 'example.com'],
  ])('%s %j makes the policy malformed', (field, value) => {
    expect(problemsOf({ [field]: [value] })).toEqual([`rules[0]: ${field}: ${JSON.stringify(value)} is neither an IP address nor a CIDR range`]);
  });

  it.each([['10.0.0.1/8'], ['10.0.0.1'], ['::/0'], ['2001:db8::1'], ['::ffff:10.0.0.1/120'], ['fe80::1%eth0']])('%j is accepted', (value) => {
    expect(problemsOf({ ipBlocks: [value], notRemoteIpBlocks: [value] })).toEqual([]);
  });

  it('a DENY whose ipBlocks hold one bad value denies nothing, and the report names the value', () => {
    const y = policy('DENY', '{from: [{source: {ipBlocks: ["0.0.0.0/0", "::/0", "10.0.0.0/33"]}}]}');
    expect(verdict(y).verdict).toBe('allowed');
    expect(malformed(y)).toEqual([expect.stringContaining('ipBlocks: "10.0.0.0/33" is neither an IP address nor a CIDR range')]);
  });

  it('a when condition on source.ip is judged the same way', () => {
    const y = policy('DENY', '{when: [{key: source.ip, values: ["10.0.0.0/8"]}, {key: remote.ip, notValues: ["300.0.0.1"]}]}');
    expect(malformed(y)).toEqual([expect.stringContaining('rules[0].when remote.ip notValues: "300.0.0.1" is neither an IP address nor a CIDR range')]);
  });
});

// validation.go ValidateAuthorizationPolicy: `if in.Action == DENY && in.Rules == nil` → "DENY
// action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if
// you want it be triggered for every request" (test case "deny-rules-nil", valid: false), and the
// same for CUSTOM; `rules: []` decodes to nil rules (protobuf JSON leaves an empty repeated field
// nil). Stored anyway, the builder makes a policy without rules one that never matches
// (pilot/pkg/security/authz/builder/builder.go, rbacPolicyMatchNever): it refuses nobody.
describe('DENY and CUSTOM AuthorizationPolicies without rules', () => {
  const withoutRules = (action: string, rules: string) => `${MESH}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-all, namespace: shop}
spec: {action: ${action}${rules}${action === 'CUSTOM' ? ', provider: {name: ext-authz}' : ''}}
`;
  it.each([
    ['DENY without rules', 'DENY', ''],
    ['DENY with rules: []', 'DENY', ', rules: []'],
    ['CUSTOM without rules', 'CUSTOM', ''],
  ])('%s refuses nobody: reach notes it as ignored and authz-missing names it with istiod\'s message', (_what, action, rules) => {
    const y = withoutRules(action, rules);
    const r = verdict(y);
    expect(r.verdict).toBe('allowed');
    expect(r.notes).toContain('malformed AuthorizationPolicy shop/deny-all ignored (istiod rejects it)');
    expect(malformed(y)).toEqual([`AuthorizationPolicy shop/deny-all is malformed: ${action} action without \`rules\` (istiod: "${action} action without \`rules\` is meaningless as it will never be triggered, add an empty rule \`{}\` if you want it be triggered for every request"); istiod rejects it, so it protects nothing`]);
  });

  it('a DENY with an empty rule (rules: [{}]) is accepted and refuses every call', () => {
    const y = withoutRules('DENY', ', rules: [{}]');
    expect(verdict(y)).toMatchObject({ verdict: 'denied', policy: { name: 'deny-all' }, rule: 0 });
    expect(malformed(y)).toEqual([]);
  });
});
