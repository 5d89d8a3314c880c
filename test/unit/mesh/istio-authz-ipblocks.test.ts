// AuthorizationPolicy ipBlocks / remoteIpBlocks that cover every address, and their not* forms.
//
// https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source:
// ipBlocks "A list of IP blocks, populated from the source address of the IP packet. Single IP
// (e.g. 203.0.113.4) and CIDR (e.g. 203.0.113.0/24) are supported"; remoteIpBlocks "populated from
// X-Forwarded-For header or proxy protocol"; notIpBlocks "A list of negative match of IP blocks".
// A caller's address is of IPv4 or IPv6: ranges covering 0.0.0.0/0 and ::/0 match every caller.
// 0.0.0.0/0 alone matches every caller only where the pods use IPv4 alone (their status.podIPs,
// https://kubernetes.io/docs/concepts/services-networking/dual-stack/); without a pod address in
// the snapshot it "may match".
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { ctxOf, deploymentYaml, fails, namespaceYaml, run, serviceYaml } from './helpers.ts';

const app = (namespace: string, name: string) => `${deploymentYaml(namespace, name, { serviceAccount: name, ports: [8080] })}${serviceYaml(namespace, name, [8080])}`;
const MESH = `${namespaceYaml('shop')}${app('shop', 'api')}${app('shop', 'web')}`;
const policy = (action: string, source: string, selector = 'selector: {matchLabels: {app: api}}') => `${MESH}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: shop}
spec:
  ${selector}
  action: ${action}
  rules: [{from: [{source: ${source}}]}]
`;
/** A running pod of shop/web with these addresses: what a live snapshot shows of the cluster's families. */
const podWith = (...ips: string[]): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web' } },
  spec: { serviceAccountName: 'web', containers: [{ name: 'web', image: 'example/web:1' }] },
  status: { phase: 'Running', podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) },
});
const verdict = (yaml: string, extra: KubeObject[] = []) => {
  const ctx = ctxOf(yaml, undefined, extra);
  return meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: 'shop', name: 'web' }, { kind: 'Deployment', namespace: 'shop', name: 'api' }, 8080, 'TCP');
};
const allowAny = mtlsChecks.find((c) => c.id === 'mtls.authz-allow-any')!;
const allowAnyFails = (yaml: string, extra: KubeObject[] = []) => fails(run(allowAny, ctxOf(yaml, undefined, extra))).map((f) => `${f.severity} ${f.resource.namespace}/${f.resource.name}`);

describe('ipBlocks covering every address in reach', () => {
  it('a DENY on ipBlocks 0.0.0.0/0 and ::/0 refuses every caller (was: depends)', () => {
    const r = verdict(policy('DENY', '{ipBlocks: ["0.0.0.0/0", "::/0"]}'));
    expect(r).toMatchObject({ verdict: 'denied', policy: { name: 'p' }, rule: 0 });
    expect(r.reason).toBe('DENY AuthorizationPolicy shop/p rules[0] matches principal cluster.local/ns/shop/sa/web on port 8080');
  });

  it('ranges that together cover both families count too: 0.0.0.0/1 + 128.0.0.0/1 + ::/1 + 8000::/1', () => {
    expect(verdict(policy('DENY', '{ipBlocks: ["0.0.0.0/1", "128.0.0.0/1", "::/1", "8000::/1"]}')).verdict).toBe('denied');
  });

  it('0.0.0.0/0 alone: depends while the family is unknown, denied once the pods show IPv4 only, depends on a dual-stack cluster', () => {
    const y = policy('DENY', '{ipBlocks: ["0.0.0.0/0"]}');
    const unknown = verdict(y);
    expect(unknown.verdict).toBe('depends');
    expect(unknown.reason).toContain('every IPv4 address, but the snapshot shows no pod address, so a caller may be IPv4 or IPv6');
    expect(verdict(y, [podWith('10.0.0.5')]).verdict).toBe('denied');
    expect(verdict(y, [podWith('10.0.0.5', 'fd00::5')]).verdict).toBe('depends');
  });

  it('a DENY on notIpBlocks covering every address refuses nobody', () => {
    expect(verdict(policy('DENY', '{notIpBlocks: ["0.0.0.0/0", "::/0"]}')).verdict).toBe('allowed');
  });

  it('an ALLOW on every address admits the caller (allowed, not depends); a narrow one still depends', () => {
    expect(verdict(policy('ALLOW', '{ipBlocks: ["0.0.0.0/0", "::/0"]}'))).toMatchObject({ verdict: 'allowed', policy: { name: 'p' }, rule: 0 });
    expect(verdict(policy('ALLOW', '{ipBlocks: ["10.1.2.3/32"]}')).verdict).toBe('depends');
  });

  it('remoteIpBlocks 0.0.0.0/0 stays depends even on an IPv4-only cluster: the client in X-Forwarded-For may be IPv6', () => {
    expect(verdict(policy('DENY', '{remoteIpBlocks: ["0.0.0.0/0"]}'), [podWith('10.0.0.5')]).verdict).toBe('depends');
    expect(verdict(policy('DENY', '{remoteIpBlocks: ["0.0.0.0/0", "::/0"]}')).verdict).toBe('denied');
  });
});

describe('mtls.authz-allow-any: ALLOW rules open to every address', () => {
  it.each([
    ['ipBlocks 0.0.0.0/0 (IPv4, the common case, when the snapshot shows no pod address)', '{ipBlocks: ["0.0.0.0/0"]}'],
    ['ipBlocks 0.0.0.0/0 and ::/0', '{ipBlocks: ["0.0.0.0/0", "::/0"]}'],
    ['remoteIpBlocks 0.0.0.0/0', '{remoteIpBlocks: ["0.0.0.0/0"]}'],
    ['notIpBlocks naming one address', '{notIpBlocks: ["203.0.113.7/32"]}'],
    // Without a pod address the cluster may be dual-stack or IPv6: excluding IPv4 leaves every IPv6 caller admitted.
    ['notIpBlocks excluding every IPv4 address while the family is unknown', '{notIpBlocks: ["0.0.0.0/0"]}'],
    ['notRemoteIpBlocks excluding every IPv4 address while the family is unknown', '{notRemoteIpBlocks: ["0.0.0.0/0"]}'],
  ])('%s fails at medium with a selector', (_what, source) => {
    expect(allowAnyFails(policy('ALLOW', source))).toEqual(['medium shop/p']);
  });

  it('high without a selector (every workload of the namespace, every port)', () => {
    expect(allowAnyFails(policy('ALLOW', '{ipBlocks: ["0.0.0.0/0"]}', ''))).toEqual(['high shop/p']);
  });

  it.each([
    ['one address', '{ipBlocks: ["10.1.2.3/32"]}'],
    ['half the IPv4 space', '{ipBlocks: ["0.0.0.0/1"]}'],
    ['notIpBlocks excluding every IPv4 and IPv6 address', '{notIpBlocks: ["0.0.0.0/0", "::/0"]}'],
    ['every address but only with a JWT', '{ipBlocks: ["0.0.0.0/0"], requestPrincipals: ["*"]}'],
  ])('%s passes', (_what, source) => {
    expect(allowAnyFails(policy('ALLOW', source))).toEqual([]);
  });

  it('notIpBlocks 0.0.0.0/0 admits nobody once the pods show IPv4 only, and every IPv6 caller on a dual-stack cluster', () => {
    const y = policy('ALLOW', '{notIpBlocks: ["0.0.0.0/0"]}');
    expect(allowAnyFails(y, [podWith('10.244.0.5')])).toEqual([]);
    expect(allowAnyFails(y, [podWith('10.244.0.5', 'fd00::5')])).toEqual(['medium shop/p']);
  });
});
