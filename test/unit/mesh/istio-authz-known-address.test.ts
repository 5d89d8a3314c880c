// Istio ipBlocks/notIpBlocks and `when` source.ip judged against a caller's address, when reach
// is asked from an address no pod holds (`reach --from <IP>`): the connection's source at the
// callee's sidecar or ztunnel. remoteIpBlocks (X-Forwarded-For) stays in doubt.
//
// Upstream: https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
// (ipBlocks "populated from the source address of the IP packet"; remoteIpBlocks "populated from
// X-Forwarded-For header or proxy protocol"); istio/istio at 1.30.0
// pilot/pkg/security/authz/model/generator.go srcIPGenerator builds principalDirectRemoteIP (Envoy's
// direct_remote_ip) for ipBlocks and, through model.go, for a `when` on source.ip.
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { parseIp } from '../../../src/base/ip.ts';
import { ctxOf, deploymentYaml, namespaceYaml, serviceYaml } from './helpers.ts';

const scene = (source: string, when = '') => `${namespaceYaml('shop')}${deploymentYaml('shop', 'api', { serviceAccount: 'api', ports: [8080] })}${serviceYaml('shop', 'api', [8080])}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: net, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  rules: [{from: [{source: ${source}}]${when}}]
`;
const from = (yaml: string, ip: string | undefined) => {
  const ctx = ctxOf(yaml);
  const a = ip ? parseIp(ip)! : undefined;
  return meshFlowVerdict(ctx.snapshot, ctx.config, 'external', { kind: 'Deployment', namespace: 'shop', name: 'api' }, 8080, 'TCP', a ? { sourceAddress: { family: a.family, value: a.value, text: ip! } } : {});
};

describe('ipBlocks against a known caller address', () => {
  it('ALLOW ipBlocks 10.0.0.0/8: 192.168.1.1 DENIED (was: depends), 10.1.2.3 ALLOWED', () => {
    const y = scene('{ipBlocks: ["10.0.0.0/8"]}');
    const out = from(y, '192.168.1.1');
    expect(out.verdict).toBe('denied');
    expect(out.reason).toContain('no ALLOW AuthorizationPolicy matches a plaintext caller (outside the mesh, address 192.168.1.1');
    expect(from(y, '10.1.2.3')).toMatchObject({ verdict: 'allowed', policy: { name: 'net' }, rule: 0 });
  });

  it('a single address as a value, and IPv6', () => {
    expect(from(scene('{ipBlocks: ["203.0.113.4"]}'), '203.0.113.4').verdict).toBe('allowed');
    expect(from(scene('{ipBlocks: ["203.0.113.4"]}'), '203.0.113.5').verdict).toBe('denied');
    expect(from(scene('{ipBlocks: ["2001:db8::/32"]}'), '2001:db8::1').verdict).toBe('allowed');
  });

  it('notIpBlocks: the address excluded is DENIED, another ALLOWED', () => {
    const y = scene('{notIpBlocks: ["192.168.0.0/16"]}');
    expect(from(y, '192.168.1.1').verdict).toBe('denied');
    expect(from(y, '10.1.2.3').verdict).toBe('allowed');
  });

  it('a `when` on source.ip is judged the same way', () => {
    const y = scene('{notPrincipals: ["x/ns/x/sa/x"]}', ', when: [{key: source.ip, values: ["10.0.0.0/8"]}]');
    expect(from(y, '192.168.1.1').verdict).toBe('denied');
    expect(from(y, '10.1.2.3').verdict).toBe('allowed');
  });

  it('remoteIpBlocks (X-Forwarded-For) stays in doubt; without an address ipBlocks stays in doubt', () => {
    expect(from(scene('{remoteIpBlocks: ["10.0.0.0/8"]}'), '10.1.2.3').verdict).toBe('depends');
    expect(from(scene('{ipBlocks: ["10.0.0.0/8"]}'), undefined).verdict).toBe('depends');
  });
});
