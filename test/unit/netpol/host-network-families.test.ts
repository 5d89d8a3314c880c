// A host-network pod has its node's addresses: "HostNetwork Pods inherit the node IPs as PodIPs",
// both families on a dual-stack node (kubernetes pkg/kubelet/kubelet_pods.go generateAPIPodStatus,
// the secondary IP added by #105320). So its IP families are those its own status.podIPs show, not
// the Workload IPPools'. Felix renders a rule with `ipVersion` only into its own family's chains
// (FilterRuleToIPVersion, projectcalico/calico felix/rules/policy.go, v3.32.1).
import { describe, expect, it } from 'vitest';
import { calicoBase, ipv4Pool, ipv6Pool } from './calico-scenes.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { snap } from './helpers.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';
import { defaultConfig } from '../../../src/config/types.ts';

/** A host-network pod shop/agent whose addresses (its node's) are `ips`. */
const agent = (ips: string[]) => `---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: shop, labels: {app: agent}}
spec: {hostNetwork: true, containers: [{name: a, image: busybox}]}
status: {podIP: "${ips[0]}", podIPs: [${ips.map((i) => `{ip: "${i}"}`).join(', ')}]}
`;
const dbIngress = (...rules: string[]) => `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db-in, namespace: shop}
spec:
  selector: app == 'db'
  types: [Ingress]
  ingress:
${rules.map((r) => `  - ${r}\n`).join('')}`;
const dual = calicoBase() + ipv4Pool + ipv6Pool;
const agentNeverDb = (yaml: string) => {
  const config = { ...defaultConfig(), intent: { deny: [{ name: 'agent-never-db', from: { namespace: 'shop', podSelector: { app: 'agent' } }, to: { namespace: 'shop', podSelector: { app: 'db' } }, ports: [5432] }] } };
  return [...intentViolation.evaluate({ snapshot: snap(yaml), config, now: new Date('2026-12-05T00:00:00Z') })][0]!;
};

describe('a host-network pod\'s IP families are its node\'s, shown by its own addresses', () => {
  it('dual-stack node, db behind a Deny for IPv4 and one for IPv6: both paths denied, so only network policy denies — "not enforced" (hostNetwork), not "can reach"', () => {
    const res = agentNeverDb(dual + agent(['10.0.0.5', 'fd00::5']) + dbIngress('{action: Deny, ipVersion: 4}', '{action: Deny, ipVersion: 6}', '{action: Allow}'));
    expect(res.status).toBe('fail');
    expect(res.message).toBe('intent "agent-never-db" is not enforced: only network policy denies shop pods {app=agent} → shop pods {app=db}, but Pod shop/agent runs with hostNetwork, where network policy enforcement is implementation-defined (most plugins ignore such pods)');
  });

  it('dual-stack node, only the IPv6 Deny: the IPv4 path is open — violated; reach answers ALLOWED over IPv4 (exit 0)', () => {
    const yaml = dual + agent(['10.0.0.5', 'fd00::5']) + dbIngress('{action: Deny, ipVersion: 6}', '{action: Allow}');
    expect(agentNeverDb(yaml).message).toContain('intent "agent-never-db" is violated');
    const r = reachCommandCore(snap(yaml), { from: 'shop/agent', to: 'shop/db', port: '5432' });
    expect(r.exitCode).toBe(0);
    expect(r.output.split('\n')[0]).toMatch(/^ALLOWED \(IPv4 allowed TCP 5432; IPv6 unknown\): shop\/agent\[Pod\] -> shop\/db\[Deployment\] on 5432\/TCP$/);
  });

  it('IPv4-only node: a Deny for IPv6 never meets its packets — reach ALLOWED for certain (exit 0), not UNKNOWN', () => {
    const r = reachCommandCore(snap(dual + agent(['10.0.0.5']) + dbIngress('{action: Deny, ipVersion: 6}', '{action: Allow}')), { from: 'shop/agent', to: 'shop/db', port: '5432' });
    expect(r.exitCode).toBe(0);
    expect(r.output.split('\n')[0]).toBe('ALLOWED: shop/agent[Pod] -> shop/db[Deployment] on 5432/TCP');
  });

  it('no address in the snapshot (a manifest): the families stay unknown and the ipVersion rule in doubt (UNKNOWN, exit 2)', () => {
    const noStatus = agent(['10.0.0.5']).replace(/status: .*\n/, '');
    const r = reachCommandCore(snap(dual + noStatus + dbIngress('{action: Deny, ipVersion: 6}', '{action: Allow}')), { from: 'shop/agent', to: 'shop/db', port: '5432' });
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("whether the pods have an IPv6 address is not known (a host-network pod has its node's address, not one from the Workload IPPools)");
  });
});
