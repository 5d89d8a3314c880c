// A way in that a node forwards (a NodePort, a Service's externalIPs, a LoadBalancer) under
// externalTrafficPolicy Cluster, whose pods' ipBlocks admit only some addresses. "Packets sent to
// Services with Type=NodePort are source NAT'd by default"
// (https://kubernetes.io/docs/tutorials/services/source-ip/), and "it is not defined whether
// [source rewriting] happens before or after NetworkPolicy processing"
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors):
// the ipBlocks may be judging the node's address, not the client's, so "from 10.0.0.0/8 only"
// cannot be stated as a fact, and when they admit a Node's own InternalIP or ExternalIP
// (status.addresses, https://kubernetes.io/docs/reference/node/node-status/#addresses) every
// client may get through. externalTrafficPolicy Local keeps the client's address
// (https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/#preserving-the-client-source-ip):
// its paths stay as they were. Reviewer repros /tmp/rev-netcore s16 (no Node) and s22 (a Node at 10.0.0.5).
import { describe, expect, it } from 'vitest';
import { exposedWorkload } from '../../../checks/network/exposed-workload.ts';
import { ctxOf, pod, policy } from './helpers.ts';

const SRV = pod('a', 'srv', { app: 'srv' }, [{ name: 'web', containerPort: 8080 }]);
const INTERNAL = policy('a', 'internal', '{podSelector: {}, policyTypes: [Ingress, Egress], ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}]}]}');
const service = (spec: string) => `---
apiVersion: v1
kind: Service
metadata: {name: srv, namespace: a}
spec: {selector: {app: srv}, ports: [{port: 80, targetPort: web}]${spec}}
`;
const node = (name: string, addresses: string) => `---
apiVersion: v1
kind: Node
metadata: {name: ${name}}
status: {addresses: ${addresses}}
`;
const N1 = node('n1', '[{type: InternalIP, address: 10.0.0.5}, {type: ExternalIP, address: 198.51.100.7}, {type: Hostname, address: n1}]');
const N2 = node('n2', '[{type: InternalIP, address: 172.16.0.5}, {type: ExternalIP, address: 198.51.100.8}]');

const REWRITE = 'under externalTrafficPolicy Cluster a node may rewrite the client address to its own before NetworkPolicy judges it, so the ipBlocks may be judging node addresses';
const verdict = (yaml: string) => {
  const v = [...exposedWorkload.evaluate(ctxOf(SRV + INTERNAL + yaml))];
  expect(v).toHaveLength(1);
  return { status: v[0].status, severity: v[0].severity, message: v[0].message, paths: (v[0].evidence as { paths: Array<Record<string, unknown>> }).paths };
};

describe('a NodePort (externalTrafficPolicy Cluster) narrowed by ipBlocks alone (repro s16, s22)', () => {
  it('no Node in the snapshot: "from 10.0.0.0/8 only" is said with the doubt, not as a fact', () => {
    const v = verdict(service(', type: NodePort'));
    // Before: "… from 10.0.0.0/8 only", nothing more.
    expect(v.message).toBe(`reachable from outside the cluster via NodePort Service srv (TCP 8080) from 10.0.0.0/8 only (the NetworkPolicy ipBlocks admit only 10.0.0.0/8, but ${REWRITE}; the snapshot holds no Node, so whether they admit a node's own address, and with it every client, is not known)`);
    expect(v.paths).toEqual([expect.objectContaining({ via: 'NodePort', admittedFrom: ['10.0.0.0/8'], clientsInDoubt: expect.stringContaining(REWRITE) })]);
  });

  it('a Node whose InternalIP the ipBlock admits: the path is named open to every client, at the severity of an unrestricted one', () => {
    const v = verdict(service(', type: NodePort') + N1);
    expect(v.message).toBe(`reachable from outside the cluster via NodePort Service srv (TCP 8080) (the NetworkPolicy ipBlocks admit only 10.0.0.0/8, but ${REWRITE}, and they admit Node n1's InternalIP 10.0.0.5: every client may get through)`);
    expect(v.paths[0]).not.toHaveProperty('admittedFrom');
    // The same finding as for a NodePort no ipBlock narrows.
    const unrestricted = [...exposedWorkload.evaluate(ctxOf(SRV + service(', type: NodePort')))][0];
    expect([v.status, v.severity]).toEqual([unrestricted.status, unrestricted.severity]);
  });

  it('a Node whose ExternalIP the ipBlock admits counts too; one Node of several is enough', () => {
    const wide = policy('a', 'internal', '{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: 198.51.100.0/25}}]}]}');
    const v = [...exposedWorkload.evaluate(ctxOf(SRV + wide + service(', type: NodePort') + N2))][0];
    expect(v.message).toContain("they admit Node n2's ExternalIP 198.51.100.8: every client may get through");
    expect((v.evidence as { paths: Array<Record<string, unknown>> }).paths[0]).not.toHaveProperty('admittedFrom');
  });

  it('Nodes read, none of whose addresses the ipBlock admits: the ranges are named, with the doubt', () => {
    const v = verdict(service(', type: NodePort') + N2);
    expect(v.message).toBe(`reachable from outside the cluster via NodePort Service srv (TCP 8080) from 10.0.0.0/8 only (the NetworkPolicy ipBlocks admit only 10.0.0.0/8, but ${REWRITE}; they admit no Node's InternalIP or ExternalIP)`);
  });

  it('externalIPs and a LoadBalancer without source ranges are forwarded the same way', () => {
    const ext = verdict(service(', externalIPs: [203.0.113.9]') + N1);
    expect(ext.message).toBe(`reachable from outside the cluster via externalIPs of Service srv (TCP 8080) (the NetworkPolicy ipBlocks admit only 10.0.0.0/8, but ${REWRITE}, and they admit Node n1's InternalIP 10.0.0.5: every client may get through)`);
    const lb = verdict(service(', type: LoadBalancer') + N1);
    expect(lb.message).toBe(`reachable from outside the cluster via LoadBalancer Service srv (TCP 8080) (the NetworkPolicy ipBlocks admit only 10.0.0.0/8, but ${REWRITE}, and they admit Node n1's InternalIP 10.0.0.5: every client may get through)`);
  });

  it('externalTrafficPolicy Local keeps the client address: the ranges are named as before, with no doubt', () => {
    const v = verdict(service(', type: NodePort, externalTrafficPolicy: Local') + N1);
    expect(v.message).toBe('reachable from outside the cluster via NodePort Service srv (TCP 8080) from 10.0.0.0/8 only');
    expect(v.paths[0]).not.toHaveProperty('clientsInDoubt');
  });

  it('a LoadBalancer narrowed by its source ranges shares the doubt: a Node the ipBlocks admit lets every client of the load balancer through', () => {
    const v = verdict(service(', type: LoadBalancer, allocateLoadBalancerNodePorts: false, loadBalancerSourceRanges: [203.0.113.0/24]') + N1);
    expect(v.message).toBe(`may be reachable from outside the cluster via LoadBalancer Service srv (TCP 8080) (cannot be confirmed: its load balancer admits 203.0.113.0/24 only (Service a/srv loadBalancerSourceRanges) and the NetworkPolicy ipBlocks admit none of those clients, but ${REWRITE}, and they admit Node n1's InternalIP 10.0.0.5: every client the load balancer admits may get through)`);
  });
});
