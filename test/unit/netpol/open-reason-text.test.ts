// What the open-rule findings say a rule admits, as a user reads it.
// 1. An ipBlock of 0.0.0.0/0 with `except` admits every address but the excepted ranges
//    ("except is a slice of CIDRs that should not be included within an IPBlock":
//    kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/, NetworkPolicyPeer
//    ipBlock.except). Excepting the pod range still leaves the whole internet open, so the finding
//    stays a high fail, but its text names what is left out (the reviewer's scene s14).
// 2. A Calico Allow rule with no `protocol` matches every protocol ("protocol: Positive protocol
//    match", omitted = all: docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule), so
//    the default-deny findings say "every port", not "every TCP/UDP port" (the reviewer's scene s8);
//    a NetworkPolicy rule for TCP and UDP only still says "every TCP/UDP port".
import { describe, expect, it } from 'vitest';
import { allowAllIngress } from '../../../checks/network/allow-all-ingress.ts';
import { unrestrictedEgress } from '../../../checks/network/unrestricted-egress.ts';
import { namespaceDefaultDenyEgress } from '../../../checks/network/namespace-default-deny-egress.ts';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { CILIUM_AGENT, ctxOf, pod, policy, run } from './helpers.ts';

const fails = (check: typeof allowAllIngress, yaml: string) => run(check, ctxOf(yaml)).filter((v) => v.status === 'fail').map((v) => [v.severity ?? check.severity, v.message]);

describe('an ipBlock /0 with except names the ranges left out', () => {
  it('allow-all-ingress: still a high fail, saying "every IPv4 address except 10.0.0.0/8"', () => {
    const yaml = pod('shop', 'web', { app: 'web' }) + policy('shop', 'v4-only', '{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]}]}');
    expect(fails(allowAllIngress, yaml)).toEqual([['high', 'shop/v4-only admits ingress from every IPv4 address except 10.0.0.0/8 (ipBlock 0.0.0.0/0 except 1 range) on every port']]);
  });
  it('lists up to three ranges left out, and merges excepts that touch', () => {
    const yaml = pod('shop', 'web', {}) + policy('shop', 'priv', '{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/9, 10.128.0.0/9, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10]}}]}]}');
    expect(fails(allowAllIngress, yaml)).toEqual([['high', 'shop/priv admits ingress from every IPv4 address except 10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12 (and 1 more) (ipBlock 0.0.0.0/0 except 4 ranges) on every port']]);
  });
  it('an except another peer of the rule covers again is not left out', () => {
    const yaml = pod('shop', 'web', {}) + policy('shop', 'both', '{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}, {ipBlock: {cidr: 10.0.0.0/8}}]}]}');
    expect(fails(allowAllIngress, yaml)).toEqual([['high', 'shop/both admits ingress from every IPv4 address (ipBlock 0.0.0.0/0) on every port']]);
  });
  it('unrestricted-egress says the same of 0.0.0.0/0 except 10.0.0.0/8', () => {
    const yaml = pod('shop', 'web', {}) + policy('shop', 'out', '{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]}]}');
    expect(fails(unrestrictedEgress, yaml)).toEqual([['high', 'shop/out allows egress to every IPv4 address except 10.0.0.0/8 (ipBlocks cover 0.0.0.0/0 except 1 range) on every port']]);
  });
});

// 3. A rule's claim names the family it covers: a peer of ::/0 claims every IPv6 address, not
//    every address (the ipBlock "cidr" is one CIDR of one family: kubernetes.io/docs/reference/
//    kubernetes-api/policy-resources/network-policy-v1/, NetworkPolicyPeer ipBlock), and Cilium's
//    world-ipv4 / world-ipv6 one family's addresses outside the cluster (cilium/cilium v1.20.2
//    pkg/policy/api/entity.go EntitySelectorMapping, pkg/labels/cidr.go getWorldLabel: the
//    reference cases "world-ipv4 selects IPv4 addresses in a dual-stack cluster", cilium-cases.ts).
//    A rule naming both families still says "every address".
describe('an open rule names the address family it covers', () => {
  it('ipBlock ::/0 beside 0.0.0.0/1: "every IPv6 address (ipBlock ::/0)"; 0.0.0.0/0 and ::/0 together: "every address (ipBlock /0)"', () => {
    const ingress = (from: string) => pod('shop', 'web', { app: 'web' }) + policy('shop', 'in', `{podSelector: {}, policyTypes: [Ingress], ingress: [{from: ${from}}]}`);
    expect(fails(allowAllIngress, ingress('[{ipBlock: {cidr: 0.0.0.0/1}}, {ipBlock: {cidr: "::/0"}}]'))).toEqual([['high', 'shop/in admits ingress from every IPv6 address (ipBlock ::/0) on every port']]);
    expect(fails(allowAllIngress, ingress('[{ipBlock: {cidr: 0.0.0.0/0}}, {ipBlock: {cidr: "::/0"}}]'))).toEqual([['high', 'shop/in admits ingress from every address (ipBlock /0) on every port']]);
  });
  it('ipBlocks adding up to ::/0 beside 0.0.0.0/1: "every IPv6 address (ipBlocks cover ::/0)"', () => {
    const yaml = pod('shop', 'web', {}) + policy('shop', 'out', '{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/1}}, {ipBlock: {cidr: "::/1"}}, {ipBlock: {cidr: "8000::/1"}}]}]}');
    expect(fails(unrestrictedEgress, yaml)).toEqual([['high', 'shop/out allows egress to every IPv6 address (ipBlocks cover ::/0) on every port']]);
  });
  it('Cilium toEntities world-ipv4: "every IPv4 address outside the cluster (entity world-ipv4)"; world: every address', () => {
    const cnp = (entities: string) => `${CILIUM_AGENT}---
apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {enable-ipv6: "true"}
${pod('shop', 'web', {})}---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: out, namespace: shop}
spec:
  endpointSelector: {}
  egress: [{toEntities: ${entities}}]
`;
    expect(fails(unrestrictedEgress, cnp('[world-ipv4]'))).toEqual([['high', 'CiliumNetworkPolicy shop/out allows egress to every IPv4 address outside the cluster (entity world-ipv4) on every port']]);
    expect(fails(unrestrictedEgress, cnp('[world-ipv6]'))).toEqual([['high', 'CiliumNetworkPolicy shop/out allows egress to every IPv6 address outside the cluster (entity world-ipv6) on every port']]);
    expect(fails(unrestrictedEgress, cnp('[world]'))).toEqual([['high', 'CiliumNetworkPolicy shop/out allows egress to every address outside the cluster (entity world) on every port']]);
  });
});

const CALICO = `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec: {containers: [{name: calico-node, image: "quay.io/calico/node:v3.30.2"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: dev, labels: {app: web}}
spec: {containers: [{name: c, image: nginx}]}
`;

const calicoOpen = (dir: 'Ingress' | 'Egress', rule: string) => `${CALICO}---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: open, namespace: dev}
spec:
  selector: all()
  types: [${dir}]
  ${dir.toLowerCase()}:
  - ${rule}
`;

describe('a Calico Allow with no protocol opens every port, not only TCP/UDP', () => {
  it('default-deny-egress: "allows every port"', () => {
    expect(fails(namespaceDefaultDenyEgress, calicoOpen('Egress', 'action: Allow'))).toEqual([['medium', '1 workload(s) in namespace dev are not isolated for egress: every destination is reachable from them (Calico NetworkPolicy dev/open allows every port)']]);
  });
  it('default-deny-ingress: "allows every port"', () => {
    expect(fails(namespaceDefaultDenyIngress, calicoOpen('Ingress', 'action: Allow'))).toEqual([['high', '1 workload(s) in namespace dev are not isolated for ingress: every source may connect to them (Calico NetworkPolicy dev/open allows every port)']]);
  });
  it('a NetworkPolicy rule for TCP and UDP only still says every TCP/UDP port', () => {
    const yaml = pod('dev', 'web', {}) + policy('dev', 'tcpudp', '{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{protocol: TCP}, {protocol: UDP}]}]}');
    expect(fails(namespaceDefaultDenyEgress, yaml)).toEqual([['medium', '1 workload(s) in namespace dev are not isolated for egress: every destination is reachable from them (dev/tcpudp allows every TCP/UDP port)']]);
  });
});
