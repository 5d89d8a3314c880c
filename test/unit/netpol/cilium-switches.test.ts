// The cilium-config switches that turn Cilium's enforcement off, or one policy API off or on,
// as a user sees them: network.cni-not-enforcing names the switch, and `reach` answers as the
// agent enforces. Upstream: cilium/cilium v1.20.2 (the module test/oracles/cilium pins) —
// daemon/cmd/daemon_main.go ("policy-audit-mode is enabled. Network policy will not be
// enforced."), pkg/policy/k8s/cell.go and watcher.go (a policy kind is watched only when its
// switch is on), pkg/defaults/defaults.go (EnableK8sNetworkPolicy, EnableCiliumNetworkPolicy,
// EnableCiliumClusterwideNetworkPolicy true; EnableK8sClusterNetworkPolicy false),
// Documentation/network/kubernetes/policy.rst ("Kubernetes ClusterNetworkPolicy": from 1.20,
// behind --enable-k8s-cluster-network-policy; tiers Admin, NetworkPolicy, Baseline).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cniNotEnforcing } from '../../../checks/network/cni-not-enforcing.ts';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { ctxOf, run, snap } from './helpers.ts';

const DIR = join(import.meta.dirname, '../../fixtures/checks/network.cni-not-enforcing');
const fixture = (name: string) => readFileSync(join(DIR, name), 'utf8');
const fails = (yaml: string) => run(cniNotEnforcing, ctxOf(yaml)).filter((r) => r.status === 'fail').map((r) => `${r.severity ?? 'critical'} ${r.message}`);
const reach = (yaml: string) => reachCommandCore(snap(yaml), { from: 'shop/client', to: 'shop/web', port: '80' });

describe('policy-audit-mode', () => {
  const yaml = fixture('fail.cilium-policy-audit-mode.yaml');

  it('fails network.cni-not-enforcing with its own reason, and the CiliumNetworkPolicy is decorative', () => {
    const audit = "Cilium runs in policy audit mode (cilium-config policy-audit-mode): it logs the verdicts of every policy and enforces none, allowing all traffic";
    expect(fails(yaml)).toEqual([`critical no network policy is enforced: ${audit}`, `high 1 CiliumNetworkPolicy object(s) have no effect: ${audit}`]);
  });

  it('reach allows what the policy would deny (exit 0), and no namespace counts as isolated', () => {
    const r = reach(yaml);
    expect(r.output.split('\n')[0]).toBe('ALLOWED: shop/client[Pod] -> shop/web[Pod] on 80/TCP');
    expect(r.exitCode).toBe(0);
    expect(run(namespaceDefaultDenyIngress, ctxOf(yaml)).find((v) => v.resource.name === 'shop')?.status).toBe('fail');
  });

  it('"false" keeps the policy enforced', () => {
    const on = yaml.replace('policy-audit-mode: "true"', 'policy-audit-mode: "false"');
    expect(fails(on)).toEqual([]);
    expect(reach(on).exitCode).toBe(1);
  });
});

describe('the switches that stop the agent watching one policy API', () => {
  it.each([
    ['fail.cilium-k8s-networkpolicy-off.yaml', 'critical 1 NetworkPolicies have no effect: ConfigMap kube-system/cilium-config sets enable-k8s-networkpolicy to false: the Cilium agent does not watch NetworkPolicies', 'enable-k8s-networkpolicy'],
    ['fail.cilium-network-policy-off.yaml', 'high 1 CiliumNetworkPolicy object(s) have no effect: ConfigMap kube-system/cilium-config sets enable-cilium-network-policy to false: the Cilium agent does not watch CiliumNetworkPolicies', 'enable-cilium-network-policy'],
    ['fail.cilium-clusterwide-network-policy-off.yaml', 'high 1 CiliumClusterwideNetworkPolicy object(s) have no effect: ConfigMap kube-system/cilium-config sets enable-cilium-clusterwide-network-policy to false: the Cilium agent does not watch CiliumClusterwideNetworkPolicies', 'enable-cilium-clusterwide-network-policy'],
  ])('%s: the finding names the switch, and reach allows what only that policy isolated', (file, message, key) => {
    const yaml = fixture(file);
    expect(fails(yaml)).toEqual([message]);
    const r = reach(yaml);
    expect(r.output.split('\n')[0]).toBe('ALLOWED: shop/client[Pod] -> shop/web[Pod] on 80/TCP');
    expect(r.exitCode).toBe(0);
    // The same cluster with the switch at its default (true): the policy isolates again.
    const on = yaml.replace(new RegExp(`${key}: "false"`), `${key}: "true"`);
    expect(fails(on)).toEqual([]);
    expect(reach(on).exitCode).toBe(1);
  });
});

describe('ClusterNetworkPolicy on Cilium', () => {
  const yaml = fixture('pass.cilium-cluster-network-policy.yaml');

  it('is enforced from 1.20 with enable-k8s-cluster-network-policy: the Admin-tier Deny decides', () => {
    expect(fails(yaml)).toEqual([]);
    const r = reach(yaml);
    expect(r.output.split('\n')[0]).toBe('DENIED: shop/client[Pod] -> shop/web[Pod] on 80/TCP');
    expect(r.output).toContain('DENIED by ClusterNetworkPolicy admin-deny-shop (tier Admin, priority 10) rule 0 (Deny)');
  });

  it('the Admin tier comes before the CiliumNetworkPolicies, and the Baseline tier after them', () => {
    const ccnpAllow = `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: allow-client, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress: [{fromEndpoints: [{matchLabels: {app: client}}]}]
`;
    // An Admin Deny beats a CiliumNetworkPolicy allow.
    expect(reach(yaml + ccnpAllow).exitCode).toBe(1);
    // A Baseline Deny does not: the NetworkPolicy tier decides first.
    const baseline = yaml.replace('tier: Admin', 'tier: Baseline');
    expect(reach(baseline).exitCode).toBe(1);
    expect(reach(baseline + ccnpAllow).exitCode).toBe(0);
  });

  it('without the switch (default false) it is decorative, and the finding says which key turns it on', () => {
    const off = yaml.replace('enable-k8s-cluster-network-policy: "true"', 'enable-k8s-cluster-network-policy: "false"');
    expect(fails(off)).toEqual(['high 1 ClusterNetworkPolicy object(s) have no effect: cilium-config does not set enable-k8s-cluster-network-policy to true (its default is false): the Cilium agent does not watch ClusterNetworkPolicies']);
    expect(reach(off).exitCode).toBe(0);
  });

  it('before 1.20 it is not implemented, switch or not', () => {
    const old = yaml.replace('quay.io/cilium/cilium:v1.20.2', 'quay.io/cilium/cilium:v1.19.3');
    expect(fails(old)).toEqual(['high 1 ClusterNetworkPolicy object(s) have no effect: cilium v1.19.3 does not implement ClusterNetworkPolicy (Cilium enforces it from 1.20, with cilium-config enable-k8s-cluster-network-policy)']);
    expect(reach(old).exitCode).toBe(0);
  });
});
