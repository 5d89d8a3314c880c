// `reach` under Cilium for host-network pods (the reviewer's cases k10, k11) and for a
// NetworkPolicy selecting by a label outside the security identity (k12), as a user runs it.
//
// A host-network pod is not a Cilium endpoint: it is part of the host and carries the node's
// identity. Enforcement modes apply to endpoints ("With always mode, policy enforcement is
// enabled on all endpoints even if no rules select specific endpoints",
// https://docs.cilium.io/en/stable/security/policy/intro/#policy-enforcement-modes); the host is
// policed only by host policies, CiliumClusterwideNetworkPolicies with a nodeSelector, which
// "apply only to the host namespace, including host-networking pods"
// (https://docs.cilium.io/en/stable/security/host-firewall/, enabled by hostFirewall.enabled /
// cilium-config enable-host-firewall; https://docs.cilium.io/en/stable/security/policy/host/),
// and with the host firewall on but no host policy loaded "it defaults to allow all on ingress
// and egress" (cilium/cilium#11795).
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { snap } from './helpers.ts';

const BASE = `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: red}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: blue}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: a, labels: {app: web}}
spec: {containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: a, labels: {app: db}}
spec: {containers: [{name: c, image: pg, ports: [{name: pg, containerPort: 5432}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: b, labels: {app: client}}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cilium, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: cilium}}
  template:
    metadata: {labels: {k8s-app: cilium}}
    spec:
      hostNetwork: true
      containers: [{name: cilium-agent, image: quay.io/cilium/cilium:v1.16.5}]
`;

const HOST_NETWORK = `
---
apiVersion: v1
kind: Pod
metadata: {name: hn, namespace: a, labels: {app: hn}}
spec:
  hostNetwork: true
  containers: [{name: c, image: x, ports: [{containerPort: 9100}]}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: x, namespace: a}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress: [{fromEntities: [host, remote-node]}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: client-out, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress: [{toEntities: [host, remote-node]}]
`;

const SSH_ONLY_HOST_POLICY = `
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: ssh-only}
spec:
  nodeSelector: {matchLabels: {node-access: ssh}}
  ingress: [{fromEntities: [cluster]}, {toPorts: [{ports: [{port: "22", protocol: TCP}]}]}]
`;

const config = (data: Record<string, string>) => `
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: ${JSON.stringify(data)}
`;

const reach = (yaml: string, from: string, to: string, port: string, output: 'text' | 'json' = 'text') => reachCommandCore(snap(yaml), { from, to, port, output });

describe("Cilium host-network pods: no endpoint, so no enforcement mode and no pod policy", () => {
  const always = BASE + HOST_NETWORK + config({ 'enable-policy': 'always' });

  it("k11: enforcement mode 'always' does not deny ingress at a hostNetwork pod; the client's egress rule toEntities host admits it", () => {
    const r = reach(always, 'b/client', 'a/hn', '9100');
    expect(r.exitCode).toBe(0);
    expect(r.output.split('\n')[0]).toBe('ALLOWED: b/client[Pod] -> a/hn[Pod] on 9100/TCP');
    expect(r.output).toContain("    ALLOWED by host network: not a Cilium endpoint, so no pod policy nor enforcement mode 'always' applies, and the host firewall is off (cilium-config enable-host-firewall): TCP 9100");
    expect(r.output).toContain('    ALLOWED by CiliumNetworkPolicy b/client-out rule 0 "egress[0]" (Allow): TCP 9100');
  });

  it("k10: nor its egress; db's fromEntities host admits it", () => {
    const r = reach(always, 'a/hn', 'a/db', '5432');
    expect(r.exitCode).toBe(0);
    expect(r.output.split('\n')[0]).toBe('ALLOWED: a/hn[Pod] -> a/db[Pod] on 5432/TCP');
    expect(r.output).toContain('    ALLOWED by CiliumNetworkPolicy a/x rule 0 "ingress[0]" (Allow): TCP 5432');
  });

  it("'always' still denies pods no policy allows", () => {
    const r = reach(always, 'a/web', 'a/db', '5432');
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain("DENIED by Cilium's policy enforcement mode 'always' (cilium-config enable-policy): endpoints no policy allows are denied: TCP 5432");
  });

  it("default mode: the hostNetwork pod is open as before", () => {
    const r = reach(BASE + HOST_NETWORK + config({ 'enable-policy': 'default' }), 'a/web', 'a/hn', '9100');
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('    ALLOWED by host network: not a Cilium endpoint, so no pod policy applies, and the host firewall is off (cilium-config enable-host-firewall): TCP 9100');
  });
});

describe('Cilium host-network pods under the host firewall (host policies are not evaluated)', () => {
  it("with 'always', the host firewall decides the hostNetwork pod's side: reach says UNKNOWN and exits 2", () => {
    const yaml = BASE + HOST_NETWORK + config({ 'enable-policy': 'always', 'enable-host-firewall': 'true' });
    const r = reach(yaml, 'b/client', 'a/hn', '9100');
    expect(r.exitCode).toBe(2);
    expect(r.output.split('\n')[0]).toBe('UNKNOWN: b/client[Pod] -> a/hn[Pod] on 9100/TCP');
    expect(r.output).toContain("    UNKNOWN by host network: Cilium's host firewall (cilium-config enable-host-firewall) polices this pod's ingress on its node, under enforcement mode 'always'; ztaudit does not evaluate host policies: TCP 9100");
    const json = JSON.parse(reach(yaml, 'a/hn', 'a/db', '5432', 'json').output);
    expect([json.allowed, json.effective, json.network.allowed]).toEqual([null, 'unknown', true]);
    expect(json.network.undetermined).toEqual(["host network: Cilium's host firewall (cilium-config enable-host-firewall) polices this pod's egress on its node, under enforcement mode 'always'; ztaudit does not evaluate host policies"]);
    // The run's coverage notes say so too.
    expect(buildReachability(snap(yaml)).notes.map((n) => n.message)).toContain('ConfigMap kube-system/cilium-config: enable-host-firewall: host policies (nodeSelector) police the nodes and their host-network pods; they are not evaluated, so `reach` answers unknown where they decide');
  });

  it('a denying side stays a definite DENIED', () => {
    const r = reach(BASE + HOST_NETWORK + config({ 'enable-policy': 'always', 'enable-host-firewall': 'true' }), 'a/hn', 'a/web', '8080');
    expect(r.exitCode).toBe(1);
    expect(r.output.split('\n')[0]).toBe('DENIED: a/hn[Pod] -> a/web[Pod] on 8080/TCP');
  });

  it('default mode: a host policy with ingress rules makes ingress unknown, naming it; egress no host policy governs stays open', () => {
    const yaml = BASE + HOST_NETWORK + SSH_ONLY_HOST_POLICY + config({ 'enable-policy': 'default', 'enable-host-firewall': 'true' });
    const inbound = reach(yaml, 'b/client', 'a/hn', '9100');
    expect(inbound.exitCode).toBe(2);
    expect(inbound.output).toContain("UNKNOWN by host network: Cilium's host firewall (cilium-config enable-host-firewall) polices this pod's ingress on its node, under host policies with ingress rules (CiliumClusterwideNetworkPolicy ssh-only); ztaudit does not evaluate host policies: TCP 9100");
    const outbound = reach(yaml, 'a/hn', 'a/db', '5432');
    expect(outbound.exitCode).toBe(0);
    expect(outbound.output).toContain('    ALLOWED by host network: not a Cilium endpoint, and no host policy (CiliumClusterwideNetworkPolicy with a nodeSelector) has egress rules for the host firewall to enforce: TCP 5432');
  });
});

describe('Cilium: a NetworkPolicy podSelector is matched on identity labels', () => {
  // k12. https://docs.cilium.io/en/stable/operations/performance/scalability/identity-relevant-labels/:
  // the default filter drops statefulset.kubernetes.io/pod-name, so neither policy selects db-0.
  const yaml = `${BASE}
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: a, labels: {app: sdb, statefulset.kubernetes.io/pod-name: db-0}}
spec: {containers: [{name: c, image: pg, ports: [{name: pg, containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-web, namespace: a}
spec:
  podSelector: {matchLabels: {statefulset.kubernetes.io/pod-name: db-0}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: same, namespace: a}
spec:
  endpointSelector: {matchLabels: {statefulset.kubernetes.io/pod-name: db-0}}
  ingress: [{fromEndpoints: [{matchLabels: {app: web}}]}]
`;

  it('k12: the pod is not isolated, so b/client reaches it', () => {
    const r = reach(yaml, 'b/client', 'a/db-0', '5432');
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('  ingress at a/db-0[Pod]: not isolated (no policy selects it for ingress)');
  });
});
