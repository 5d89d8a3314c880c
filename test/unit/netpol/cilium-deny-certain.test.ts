// Cilium's deny rules against allow rules the model cannot settle, as a user runs `reach`.
// "Deny policies take precedence over allow policies, regardless of whether they are a Cilium
// Network Policy, a Clusterwide Cilium Network Policy or even a Kubernetes Network Policy", and
// in its table a port is "allowed because there is an allow policy on port 81, and no deny
// policy on that port" (https://docs.cilium.io/en/stable/security/policy/deny/, "Deny
// Policies"). So a deny rule that certainly matches a flow denies it for certain whatever an
// allow rule whose match the model cannot settle says, and an allow that certainly matches
// allows it whatever another allow in doubt says: no UNKNOWN. A deny rule in doubt still is.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { cluster, cnp, fromAgent, verdict } from './cilium-agent-scene.ts';
import { snap } from './helpers.ts';

describe('a Cilium rule that certainly matches decides the flow, whatever rules in doubt that it overrides say', () => {
  it.each([
    ['allow rule before the deny rule', 'ingress: [{fromEntities: [host]}]\n  ingressDeny: [{fromEntities: [cluster]}]'],
    ['deny rule before the allow rule', 'ingressDeny: [{fromEntities: [cluster]}]\n  ingress: [{fromEntities: [host]}]'],
  ])('ingressDeny fromEntities [cluster] beside an allow from [host] (%s): DENIED (exit 1), not UNKNOWN', (_, rules) => {
    const r = fromAgent(cluster() + cnp('p', 'web', rules));
    expect(verdict(r)).toEqual(['DENIED', 1]);
    expect(r.output).not.toContain('(uncertain)');
  });

  it('the allow and the deny in different policies, the allow\'s policy first by name: DENIED (exit 1)', () => {
    const r = fromAgent(cluster() + cnp('a-allow-host', 'web', 'ingress: [{fromEntities: [host]}]') + cnp('b-deny-cluster', 'web', 'ingressDeny: [{fromEntities: [cluster]}]'));
    expect(verdict(r)).toEqual(['DENIED', 1]);
  });

  it('egressDeny toCIDR beside a toFQDNs allow that may hold the address: DENIED (exit 1), not UNKNOWN', () => {
    const r = reachCommandCore(snap(cluster() + cnp('egress', 'client', `egress: [{toFQDNs: [{matchName: api.example.com}], toPorts: [{ports: [{port: "443", protocol: TCP}]}]}, {toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}], toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]}]
  egressDeny: [{toCIDR: [203.0.113.0/24]}]`)), { from: 'shop/client', to: '203.0.113.7', port: '443' });
    expect(verdict(r)).toEqual(['DENIED', 1]);
  });

  it('an address the deny does not hold stays UNKNOWN: the toFQDNs allow may or may not hold it', () => {
    const r = reachCommandCore(snap(cluster() + cnp('egress', 'client', `egress: [{toFQDNs: [{matchName: api.example.com}], toPorts: [{ports: [{port: "443", protocol: TCP}]}]}, {toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}], toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]}]
  egressDeny: [{toCIDR: [203.0.113.0/24]}]`)), { from: 'shop/client', to: '198.51.100.7', port: '443' });
    expect(verdict(r)).toEqual(['UNKNOWN', 2]);
  });

  it('an allow in doubt beside an allow that certainly matches: ALLOWED (exit 0), allows add up', () => {
    const r = fromAgent(cluster('allow-localhost: policy') + cnp('p', 'web', 'ingress: [{fromEntities: [host]}, {fromEntities: [cluster]}]'));
    expect(verdict(r)).toEqual(['ALLOWED', 0]);
  });

  it('a deny rule whose own match is uncertain still leaves the flow UNKNOWN (exit 2)', () => {
    const r = fromAgent(cluster('allow-localhost: policy') + cnp('p', 'web', 'ingress: [{fromEntities: [cluster]}]\n  ingressDeny: [{fromEntities: [host]}]'));
    expect(verdict(r)).toEqual(['UNKNOWN', 2]);
  });
});
