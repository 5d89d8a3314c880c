// The Cilium entities `host` and `remote-node` against a host-network pod, as a user runs `reach`
// (the reviewer's repros hn3 and hn2). A host-network pod carries its node's identity, and "host:
// The local host. This also includes all containers running in host networking mode on the local
// host" while "remote-node: Any node in any of the connected clusters other than the local host.
// This also includes all containers running in host-networking mode on remote nodes"
// (https://docs.cilium.io/en/stable/security/policy/language/, "Entities Based"). A DaemonSet's
// host-network pods are therefore `host` to the pods of their own node and `remote-node` to all
// others: a rule naming only one of the two admits some of them and not the others, which the
// model (it does not place pods on nodes) cannot tell apart: UNKNOWN, exit 2. A rule naming both,
// or `cluster`, admits them all.
import { describe, expect, it } from 'vitest';
import { cluster, cnp, fromAgent, toAgent, verdict } from './cilium-agent-scene.ts';

describe('Cilium host / remote-node entities and a host-network DaemonSet', () => {
  it('hn3: fromEntities [host] admits the agent only from web\'s own node: UNKNOWN (exit 2), the note says why', () => {
    const r = fromAgent(cluster() + cnp('from-host', 'web', 'ingress: [{fromEntities: [host]}]'));
    expect(verdict(r)).toEqual(['UNKNOWN', 2]);
    expect(r.output).toContain('CiliumNetworkPolicy shop/from-host rule 0 "ingress[0]" (Allow): a host-network pod is the entity host only to pods of its own node (to those of other nodes it is remote-node)');
  });

  it('hn3: toEntities [host] reaches the agent only on client\'s own node: UNKNOWN (exit 2)', () => {
    expect(verdict(toAgent(cluster() + cnp('to-host', 'client', 'egress: [{toEntities: [host]}]')))).toEqual(['UNKNOWN', 2]);
  });

  it('hn2: under allow-localhost: policy, fromEntities [remote-node] misses the agent on web\'s node: UNKNOWN (exit 2)', () => {
    const r = fromAgent(cluster('allow-localhost: policy') + cnp('rn', 'web', 'ingress: [{fromEntities: [remote-node]}]'));
    expect(verdict(r)).toEqual(['UNKNOWN', 2]);
    expect(r.output).toContain('a host-network pod is the entity remote-node only to pods of other nodes (to those of its own node it is host)');
  });

  it('toEntities [remote-node] misses the agent on client\'s node: UNKNOWN (exit 2)', () => {
    expect(verdict(toAgent(cluster() + cnp('to-rn', 'client', 'egress: [{toEntities: [remote-node]}]')))).toEqual(['UNKNOWN', 2]);
  });

  it.each([
    ['[host, remote-node]', 'fromEntities: [host, remote-node]'],
    ['[cluster]', 'fromEntities: [cluster]'],
    ['[all]', 'fromEntities: [all]'],
    ['reserved:host and reserved:remote-node endpoints', "fromEndpoints: [{matchLabels: {'reserved:host': ''}}, {matchLabels: {'reserved:remote-node': ''}}]"],
  ])('ingress from %s admits the agent on every node: ALLOWED (exit 0), even under allow-localhost: policy', (_, peers) => {
    expect(verdict(fromAgent(cluster('allow-localhost: policy') + cnp('both', 'web', `ingress: [{${peers}}]`)))).toEqual(['ALLOWED', 0]);
  });

  it('egress to [host, remote-node] reaches the agent on every node: ALLOWED (exit 0)', () => {
    expect(verdict(toAgent(cluster() + cnp('both', 'client', 'egress: [{toEntities: [host, remote-node]}]')))).toEqual(['ALLOWED', 0]);
  });

  it('under allow-localhost (default), fromEntities [remote-node] admits the agent everywhere: the same-node one is let in as the local host: ALLOWED (exit 0)', () => {
    expect(verdict(fromAgent(cluster() + cnp('rn', 'web', 'ingress: [{fromEntities: [remote-node]}]')))).toEqual(['ALLOWED', 0]);
  });
});

// Cilium gathers every rule selecting the endpoint into one policy map, CiliumNetworkPolicies,
// CiliumClusterwideNetworkPolicies and NetworkPolicies alike (cilium/cilium v1.20.2
// pkg/policy/repository.go computePolicyEnforcementAndRules, resolvePolicyLocked), and allows a
// flow any of them allows: `host` in one rule and `remote-node` in another admit a host-network
// pod on whichever node it runs, as one rule naming both does.
describe('host and remote-node named by different rules cover every node on the ports both name', () => {
  it('two rules of one policy, [host] and [remote-node]: ALLOWED (exit 0) under allow-localhost: policy', () => {
    expect(verdict(fromAgent(cluster('allow-localhost: policy') + cnp('split', 'web', 'ingress: [{fromEntities: [host]}, {fromEntities: [remote-node]}]')))).toEqual(['ALLOWED', 0]);
  });

  it('two policies selecting web, one [host], one [remote-node]: ALLOWED (exit 0)', () => {
    expect(verdict(fromAgent(cluster('allow-localhost: policy') + cnp('from-host', 'web', 'ingress: [{fromEntities: [host]}]') + cnp('from-rn', 'web', 'ingress: [{fromEntities: [remote-node]}]')))).toEqual(['ALLOWED', 0]);
  });

  it('a CiliumClusterwideNetworkPolicy naming [remote-node] beside a CiliumNetworkPolicy naming [host]: ALLOWED (exit 0)', () => {
    const ccnp = `---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: from-rn}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress: [{fromEntities: [remote-node]}]
`;
    expect(verdict(fromAgent(cluster('allow-localhost: policy') + cnp('from-host', 'web', 'ingress: [{fromEntities: [host]}]') + ccnp))).toEqual(['ALLOWED', 0]);
  });

  it('egress: toEntities [host] and [remote-node] in two rules reach the agent on every node: ALLOWED (exit 0)', () => {
    expect(verdict(toAgent(cluster() + cnp('split', 'client', 'egress: [{toEntities: [host]}, {toEntities: [remote-node]}]')))).toEqual(['ALLOWED', 0]);
  });

  it('only on the ports both name: [host] on 80 and [remote-node] on 443 leave port 80 UNKNOWN (exit 2)', () => {
    const rules = `ingress: [{fromEntities: [host], toPorts: [{ports: [{port: "80", protocol: TCP}]}]}, {fromEntities: [remote-node], toPorts: [{ports: [{port: "443", protocol: TCP}]}]}]`;
    expect(verdict(fromAgent(cluster('allow-localhost: policy') + cnp('split', 'web', rules)))).toEqual(['UNKNOWN', 2]);
  });

  it('deny rules too: ingressDeny [host] and ingressDeny [remote-node] in two rules deny the agent on every node: DENIED (exit 1)', () => {
    const r = fromAgent(cluster() + cnp('split', 'web', 'ingress: [{fromEntities: [all]}]\n  ingressDeny: [{fromEntities: [host]}, {fromEntities: [remote-node]}]'));
    expect(verdict(r)).toEqual(['DENIED', 1]);
  });

  it('an allow from [host] and a deny from [remote-node] stay UNKNOWN (exit 2): which one applies turns on the node', () => {
    const r = fromAgent(cluster('allow-localhost: policy') + cnp('split', 'web', 'ingress: [{fromEntities: [host]}]\n  ingressDeny: [{fromEntities: [remote-node]}]'));
    expect(verdict(r)).toEqual(['UNKNOWN', 2]);
  });
});
