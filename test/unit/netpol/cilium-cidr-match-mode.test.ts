// policy-cidr-match-mode (cilium-config): "By default, CIDR-based selectors do not match in-cluster
// entities (pods or nodes) ... --policy-cidr-match-mode=pods or --policy-cidr-match-mode=nodes"
// (Documentation/security/policy/layer3.rst@v1.20.2, "Selecting pods or nodes with CIDR / ipBlock",
// which covers a NetworkPolicy ipBlock too). The agent reads it with vp.GetStringSlice and refuses
// any other value (pkg/option/config.go@v1.20.2 validatePolicyCIDRMatchMode). The model knows no
// pod or node address, so a verdict such a CIDR may decide is UNKNOWN, never a certain DENIED.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { readCiliumSettings } from '../../../src/analysis/netpol/cilium/config.ts';
import { CILIUM_AGENT, ns, pod, snap } from './helpers.ts';

const cluster = (mode: string) => `${CILIUM_AGENT}---
apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {policy-cidr-match-mode: "${mode}"}
${ns('shop')}${pod('shop', 'web', { app: 'web' })}${pod('shop', 'agent', { app: 'agent' }, [], { hostNetwork: true })}${pod('shop', 'client', { app: 'client' })}`;
const cnp = `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress: [{toCIDR: ["10.0.0.0/8"]}]
`;
const np = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: shop}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]
`;
const verdict = (yaml: string, to: string) => reachCommandCore(snap(yaml), { from: 'shop/client', to, port: '80' }).output.split('\n')[0]!.split(':')[0];

describe('policy-cidr-match-mode', () => {
  it.each([['CiliumNetworkPolicy toCIDR', cnp], ['NetworkPolicy ipBlock', np]])('%s: unset, a pod is outside the CIDR (DENIED); with pods, whether it is inside is UNKNOWN', (_, policy) => {
    expect(verdict(cluster('') + policy, 'shop/web')).toBe('DENIED');
    expect(verdict(cluster('pods') + policy, 'shop/web')).toBe('UNKNOWN');
  });

  it('nodes: a host-network pod (its node\'s address) is UNKNOWN, an ordinary pod still DENIED', () => {
    expect([verdict(cluster('nodes') + cnp, 'shop/agent'), verdict(cluster('nodes') + cnp, 'shop/web')]).toEqual(['UNKNOWN', 'DENIED']);
    expect(verdict(cluster('') + cnp, 'shop/agent')).toBe('DENIED');
  });

  it('a value the agent refuses is reported, and the default kept', () => {
    const s = readCiliumSettings(snap(cluster('pods,nodes')));
    expect([s.cidrMatchPods, s.cidrMatchNodes, s.problems]).toEqual([false, false, ['policy-cidr-match-mode: "pods,nodes" is not pods or nodes (the Cilium agent refuses to start with it); Cilium\'s default (CIDRs match outside addresses only) is assumed']]);
    expect([readCiliumSettings(snap(cluster(' pods nodes '))).cidrMatchPods, readCiliumSettings(snap(cluster('pods nodes'))).cidrMatchNodes]).toEqual([true, true]);
  });
});
