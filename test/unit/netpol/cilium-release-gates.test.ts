// What a policy may say depends on the Cilium agent's release (src/analysis/netpol/cilium/release.ts).
// Upstream:
// - endPort: pkg/policy/api/l4.go PortProtocol has no EndPort at cilium v1.15.6 (nor the CRD,
//   pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml@v1.15.6, so the API server
//   prunes it); pkg/k8s/network_policy.go parsePorts@v1.15.6 copies only a NetworkPolicy's `port`
//   and pkg/k8s/watchers/network_policy.go@v1.15.6 logs "EndPort in kubernetes NetworkPolicy is
//   not supported". EndPort is there at v1.19.0 and v1.20.2.
// - entities: pkg/policy/api/entity.go defines cluster-mesh at v1.20.2 and not at v1.19.0, whose
//   rule_validation.go refuses it ("unsupported entity"), so the agent does not apply the policy.
// - protocols: pkg/policy/api/l4.go@v1.19.0 knows VRRP and IGMP, not GRE/IPIP/IPV6/ESP/AH (v1.20.2
//   does); v1.15.6 knows none of them.
import { describe, expect, it } from 'vitest';
import { invalidPolicy } from '../../../checks/network/invalid-policy.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { ciliumAgent, ctxOf, ns, pod, run, snap } from './helpers.ts';

const cluster = (release: string) => `${ciliumAgent(`quay.io/cilium/cilium:${release}`)}${ns('shop')}${pod('shop', 'web', { app: 'web' })}${pod('shop', 'client', { app: 'client' })}`;
const cnp = (spec: string) => `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: shop}
spec:
${spec}
`;
const verdict = (yaml: string, port: string) => reachCommandCore(snap(yaml), { from: 'shop/client', to: 'shop/web', port }).output.split('\n')[0]!.split(':')[0];
const invalid = (yaml: string) => run(invalidPolicy, ctxOf(yaml)).filter((v) => v.status === 'fail').map((v) => v.message);

describe('endPort before Cilium 1.16', () => {
  const denyRange = cnp(`  endpointSelector: {matchLabels: {app: web}}
  ingress: [{fromEntities: [all]}]
  ingressDeny: [{fromEntities: [all], toPorts: [{ports: [{port: "8000", endPort: 9000, protocol: TCP}]}]}]`);
  const allowRange = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-range, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {}}], ports: [{protocol: TCP, port: 8000, endPort: 9000}]}]
`;

  it('a CiliumNetworkPolicy deny range covers only its port on v1.15.6 (the field is pruned), the whole range on v1.20.2', () => {
    expect([verdict(cluster('v1.15.6') + denyRange, '8500'), verdict(cluster('v1.15.6') + denyRange, '8000')]).toEqual(['ALLOWED', 'DENIED']);
    expect(verdict(cluster('v1.20.2') + denyRange, '8500')).toBe('DENIED');
  });

  it('a NetworkPolicy allow range opens only its port on v1.15.6, the whole range on v1.16 and later', () => {
    expect([verdict(cluster('v1.15.6') + allowRange, '8500'), verdict(cluster('v1.15.6') + allowRange, '8000')]).toEqual(['DENIED', 'ALLOWED']);
    expect(verdict(cluster('v1.16.0') + allowRange, '8500')).toBe('ALLOWED');
  });
});

describe('entities and protocols an older agent refuses', () => {
  const mesh = cnp(`  endpointSelector: {matchLabels: {app: web}}
  ingress: [{fromEntities: [cluster-mesh], toPorts: [{ports: [{port: "443", protocol: TCP}]}]}]`);

  it('fromEntities cluster-mesh on v1.19.0: invalid, not applied, so web is not isolated', () => {
    const yaml = cluster('v1.19.0') + mesh;
    expect(invalid(yaml)).toEqual(['CiliumNetworkPolicy shop/p is invalid and takes no effect: spec.ingress[0].fromEntities[0]: unsupported entity: cluster-mesh (Cilium v1.19.0 predates it; it came in 1.20)']);
    expect(verdict(yaml, '80')).toBe('ALLOWED');
    // On v1.20.2 the policy is valid and isolates web: only 443 is open (cluster-mesh is the whole mesh, this cluster included).
    expect(invalid(cluster('v1.20.2') + mesh)).toEqual([]);
    expect([verdict(cluster('v1.20.2') + mesh, '80'), verdict(cluster('v1.20.2') + mesh, '443')]).toEqual(['DENIED', 'ALLOWED']);
  });

  it('GRE is refused on v1.19.0, VRRP on v1.15.6; both accepted on v1.20.2', () => {
    const proto = (p: string) => cnp(`  endpointSelector: {matchLabels: {app: web}}
  ingress: [{fromEntities: [all], toPorts: [{ports: [{port: "0", protocol: ${p}}]}]}]`);
    expect(invalid(cluster('v1.19.0') + proto('GRE'))).toEqual(['CiliumNetworkPolicy shop/p is invalid and takes no effect: spec.ingress[0].toPorts[0].ports[0].protocol: "GRE" is not a protocol Cilium v1.19.0 knows (its agent refuses the policy; GRE, IPIP, IPV6, ESP and AH came in 1.20)']);
    expect(invalid(cluster('v1.19.0') + proto('VRRP'))).toEqual([]);
    expect(invalid(cluster('v1.15.6') + proto('VRRP'))).toHaveLength(1);
    expect(invalid(cluster('v1.20.2') + proto('GRE'))).toEqual([]);
  });
});

// pkg/policy/api/l4.go L7Rules at v1.20.2 holds HTTP and DNS only (Kafka, removed in 1.20, is no
// field, and its CRD schema has none: the API server prunes `rules.kafka`), and
// pkg/policy/api/rule_validation.go refuses an L7 rule without the L7 proxy only when
// `!pr.Rules.IsEmpty()` (L7Rules.Len counts HTTP and DNS): a Kafka rule leaves the port open at L4.
describe('Kafka rules on Cilium 1.20', () => {
  const noL7Proxy = `---
apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {enable-l7-proxy: "false"}
`;
  const kafka = cnp(`  endpointSelector: {matchLabels: {app: web}}
  ingress: [{fromEndpoints: [{matchLabels: {app: client}}], toPorts: [{ports: [{port: "9092", protocol: TCP}], rules: {kafka: [{topic: orders}]}}]}]`);

  it('v1.20.2 without the L7 proxy: the rule is valid (no L7 rule is left), isolates web and opens 9092 to every request', () => {
    const yaml = cluster('v1.20.2') + noL7Proxy + kafka;
    expect(invalid(yaml)).toEqual([]);
    expect([verdict(yaml, '9092'), verdict(yaml, '80')]).toEqual(['ALLOWED', 'DENIED']);
  });

  it('v1.20.2: the answer does not say the requests are narrowed by Kafka rules', () => {
    const out = reachCommandCore(snap(cluster('v1.20.2') + kafka), { from: 'shop/client', to: 'shop/web', port: '9092' }).output;
    expect(out).not.toContain('L7 rules (kafka)');
  });
});
