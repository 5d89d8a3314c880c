// A Kubernetes NetworkPolicy ipBlock matches pod addresses on every CNI but Cilium. Upstream:
// Kubernetes e2e test/e2e/network/netpol/network_policy.go "should allow egress access to server
// in CIDR block" puts the server pod's podIP/32 in an ipBlock and expects the client to reach it;
// Antrea runs the same case (test/e2e/networkpolicy_test.go testEgressToServerInCIDRBlock);
// Cilium's CI skips it, as Cilium "does not allow to specify pod CIDRs as part of the policy because
// it conflicts with the pod's security identity" (github.com/cilium/cilium/issues/9209). Read from
// manifests, the model does not know pod addresses outside Calico IPAM, so such an ipBlock leaves
// `reach` UNKNOWN (exit 2) unless it covers every address of the pod's family (a live pod's own
// address settles it: ipblock-live-pods.test.ts). Reviewer repro c30-ipblock-pod-ovn.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { CILIUM_AGENT, snap } from './helpers.ts';

const NOW = new Date('2026-01-01T00:00:00Z');

const namespaces = `---
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: a}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: b}}
`;

const ovn = `---
apiVersion: v1
kind: Namespace
metadata: {name: ovn-kubernetes}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ovnkube-node, namespace: ovn-kubernetes}
spec:
  selector: {matchLabels: {app: ovnkube-node}}
  template:
    metadata: {labels: {app: ovnkube-node}}
    spec:
      hostNetwork: true
      containers: [{name: ovnkube-controller, image: ghcr.io/ovn-org/ovn-kubernetes/ovn-kube-ubuntu:v1.0.0}]
`;

const antrea = `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: antrea-agent, namespace: kube-system}
spec:
  selector: {matchLabels: {component: antrea-agent}}
  template:
    metadata: {labels: {component: antrea-agent}}
    spec:
      hostNetwork: true
      containers: [{name: antrea-agent, image: antrea/antrea-agent-ubuntu:v2.2.0}]
`;

const kubeRouter = `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: kube-router, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: kube-router}}
  template:
    metadata: {labels: {k8s-app: kube-router}}
    spec:
      hostNetwork: true
      containers: [{name: kube-router, image: docker.io/cloudnativelabs/kube-router:v2.4.0}]
`;

const egressTo = (cidrs: string) => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: eg, namespace: a}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [${cidrs}]
`;

const workloads = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: a}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec:
      containers: [{name: c, image: busybox}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: b}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 8080}]}]
`;

const c30 = namespaces + ovn + egressTo('{ipBlock: {cidr: 0.0.0.0/0}}') + workloads;

const reach = (yaml: string) => reachCommandCore(snap(yaml), { from: 'a/client', to: 'b/web', port: '8080' });

const intentOf = (yaml: string) => {
  const config = { ...defaultConfig(), intent: { deny: [{ name: 'client-never-reaches-web', from: { namespace: 'a', podSelector: { app: 'client' } }, to: { namespace: 'b', podSelector: { app: 'web' } }, ports: [8080] }] } };
  const [outcome] = runChecks([intentViolation], { snapshot: snap(yaml), config, now: NOW });
  expect(outcome.results).toHaveLength(1);
  return outcome.results[0];
};

describe('a NetworkPolicy ipBlock may hold a pod (every CNI but Cilium)', () => {
  it('c30 on OVN-Kubernetes: egress to 0.0.0.0/0 may reach the pod b/web; reach is UNKNOWN (exit 2), counted as allowed, naming the ipBlock', () => {
    const r = reach(c30);
    expect(r.exitCode).toBe(2);
    expect(r.output).toMatch(/^UNKNOWN: a\/client\[Deployment\] -> b\/web\[Deployment\] on 8080\/TCP/);
    expect(r.output).toContain('the model reads it as ALLOWED by NetworkPolicy a/eg rule 0 (Allow)');
    expect(r.output).toContain('note: uncertain: NetworkPolicy a/eg rule 0 (Allow): 0.0.0.0/0 cover IPv4 only');
  });

  it('c30: the intent "a/client never reaches b/web:8080" is not passed: the flow the CNI allows is a violation', () => {
    const v = intentOf(c30);
    expect([v.status, v.severity]).toEqual(['fail', 'high']);
    expect(v.message).toContain('intent "client-never-reaches-web" is violated');
    expect(v.evidence?.allowingPolicies).toEqual(['a/eg']);
  });

  it.each([['Antrea', antrea], ['kube-router', kubeRouter], ['no CNI recognised', '']])('the same on %s', (_name, cni) => {
    expect(reach(namespaces + cni + egressTo('{ipBlock: {cidr: 0.0.0.0/0}}') + workloads).exitCode).toBe(2);
  });

  it('a narrower block the pod may or may not be in (10.0.0.0/8): UNKNOWN, counted as denied; the intent cannot be confirmed', () => {
    const yaml = namespaces + ovn + egressTo('{ipBlock: {cidr: 10.0.0.0/8}}') + workloads;
    const r = reach(yaml);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("whether the pod's address is in 10.0.0.0/8 is not known (the model does not know pod addresses); counted as outside");
    const v = intentOf(yaml);
    expect([v.status, v.severity]).toEqual(['fail', 'medium']);
    expect(v.message).toContain('intent "client-never-reaches-web" cannot be confirmed');
  });

  it('certain where the blocks cover every address of both families (0.0.0.0/0 and ::/0): ALLOWED, exit 0, no doubt', () => {
    const r = reach(namespaces + ovn + egressTo('{ipBlock: {cidr: 0.0.0.0/0}}, {ipBlock: {cidr: "::/0"}}') + workloads);
    expect(r.exitCode).toBe(0);
    expect(r.output).not.toContain('uncertain');
  });

  it('certain where the block lies in space no pod is given (169.254.0.0/16, link-local): DENIED, exit 1, and the intent holds', () => {
    const yaml = namespaces + ovn + egressTo('{ipBlock: {cidr: 169.254.0.0/16}}') + workloads;
    const r = reach(yaml);
    expect(r.exitCode).toBe(1);
    expect(r.output).not.toContain('uncertain');
    expect(intentOf(yaml).status).toBe('pass');
  });

  it('an outside address is judged as before: 8.8.8.8 is allowed for certain', () => {
    expect(reachCommandCore(snap(c30), { from: 'a/client', to: '8.8.8.8', port: '443' }).exitCode).toBe(0);
  });
});

describe('under Cilium an ipBlock never holds a pod (its CIDR rules do not select endpoints it manages)', () => {
  const cilium = namespaces + `---\n${CILIUM_AGENT}` + egressTo('{ipBlock: {cidr: 0.0.0.0/0}}') + workloads;

  it('c30 with a Cilium agent instead of OVN-Kubernetes: a certain DENIED (exit 1), and the intent holds', () => {
    const r = reach(cilium);
    expect(r.exitCode).toBe(1);
    expect(r.output).toMatch(/^DENIED: a\/client\[Deployment\] -> b\/web\[Deployment\] on 8080\/TCP/);
    expect(r.output).not.toContain('uncertain');
    expect(intentOf(cilium).status).toBe('pass');
  });
});
