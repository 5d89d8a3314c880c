// Host-network pods where the CNI is not known to apply NetworkPolicy to them or to ignore them.
// Kubernetes leaves it undefined ("the most common" implementation cannot tell their traffic apart
// and ignores them for podSelector and namespaceSelector matching:
// kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-and-hostnetwork-pods),
// so `reach` answers a flow with a host-network end both ways and says UNKNOWN (exit 2) when they
// differ. OVN-Kubernetes ignores them: "Network policy does not apply to the host network
// namespace. Pods with host networking enabled are unaffected by network policy rules"
// (docs.openshift.com/container-platform/4.15/networking/network_policy/about-network-policy.html;
// Red Hat build of MicroShift 4.17 Networking, "How network policy works in MicroShift", on
// OVN-Kubernetes: "except for hostPort/hostNetwork enabled pods"), so there the answer is certain.
// Reviewer repros c20-hostnet-dd, c22-hostnet-dd-ovn, c8-hostnet-all, c21/c9 (Calico, unchanged).
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { snap } from './helpers.ts';

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

const agent = (ports: string) => `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: b}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      containers: [{name: c, image: x${ports}}]
`;

const denyAll = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: b}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
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
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web2, namespace: b}
spec:
  selector: {matchLabels: {app: web2}}
  template:
    metadata: {labels: {app: web2}}
    spec:
      containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 9090}]}]
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

const calico = `---
apiVersion: v1
kind: Namespace
metadata: {name: kube-system}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec:
      hostNetwork: true
      containers: [{name: calico-node, image: quay.io/calico/node:v3.28.2}]
`;

/** c8/c9: web2 admits ingress from 0.0.0.0/0 only; web's egress goes to 0.0.0.0/0 only. */
const web2FromBlock = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web2-in, namespace: b}
spec:
  podSelector: {matchLabels: {app: web2}}
  ingress:
  - from: [{ipBlock: {cidr: 0.0.0.0/0}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-eg, namespace: b}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
`;

const metrics = ', ports: [{name: metrics, containerPort: 9100}]';
const c20 = namespaces + agent(metrics) + denyAll + workloads;
const c22 = namespaces + ovn + agent(metrics) + denyAll + workloads;
const c21 = namespaces + calico + agent(metrics) + denyAll + workloads;
const c8 = namespaces + agent('') + web2FromBlock + workloads;
const c9 = namespaces + calico + agent('') + web2FromBlock + workloads;

const reach = (yaml: string, from: string, to: string, port: string) => reachCommandCore(snap(yaml), { from, to, port });

const intentOf = (yaml: string) => {
  const config = { ...defaultConfig(), intent: { deny: [{ name: 'client-never-reaches-agent', from: { namespace: 'a', podSelector: { app: 'client' } }, to: { namespace: 'b', podSelector: { app: 'agent' } }, ports: [9100] }] } };
  const [outcome] = runChecks([intentViolation], { snapshot: snap(yaml), config, now: NOW });
  expect(outcome.results).toHaveLength(1);
  return outcome.results[0];
};

describe('a host-network end where the CNI is not known (no CNI recognised)', () => {
  it('c20: a/client -> b/agent:9100 is UNKNOWN (exit 2): denied if deny-all applies to the agent, allowed if the CNI ignores it', () => {
    const r = reach(c20, 'a/client', 'b/agent', '9100');
    expect(r.exitCode).toBe(2);
    expect(r.output).toMatch(/^UNKNOWN: a\/client\[Deployment\] -> b\/agent\[DaemonSet\] on 9100\/TCP/);
    expect(r.output).toContain('the model reads it as DENIED by NetworkPolicy isolation (b/deny-all select it; no rule allows it)');
    expect(r.output).toContain('note: b/agent[DaemonSet] runs with hostNetwork, and whether the CNI applies NetworkPolicy to host-network pods is implementation-defined (kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-and-hostnetwork-pods): DENIED if it applies them as to any pod, ALLOWED (TCP 9100) if it ignores such pods');
  });

  it('c20: --output json answers allowed null (unknown), the model\'s reading in network.allowed and the doubt in network.undetermined', () => {
    const r = reachCommandCore(snap(c20), { from: 'a/client', to: 'b/agent', port: '9100', output: 'json' });
    expect(r.exitCode).toBe(2);
    const j = JSON.parse(r.output) as { allowed: boolean | null; network: { allowed: boolean; undetermined?: string[] } };
    expect([j.allowed, j.network.allowed]).toEqual([null, false]);
    expect(j.network.undetermined).toEqual([expect.stringContaining('b/agent[DaemonSet] runs with hostNetwork')]);
  });

  it('c20: the intent "a/client never reaches b/agent:9100" fails: only network policy denies it, and it may not apply', () => {
    const v = intentOf(c20);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('intent "client-never-reaches-agent" is not enforced');
  });

  it('c20: a flow both readings deny stays certain: b/agent -> b/web:8080 is DENIED (exit 1), by deny-all at web either way', () => {
    const r = reach(c20, 'b/agent', 'b/web', '8080');
    expect(r.exitCode).toBe(1);
    expect(r.output).not.toContain('runs with hostNetwork, and whether');
  });

  it('c20: reach --matrix opens with a note naming b/agent, the host-network workload whose rows it cannot decide', () => {
    const r = reachCommandCore(snap(c20), { matrix: true });
    expect(r.exitCode).toBe(0);
    expect(r.output.split('\n')[0]).toBe('note: rows to and from b/agent[DaemonSet] (hostNetwork) are read with NetworkPolicy applied to them as to any pod, but whether the CNI does is implementation-defined (most ignore host-network pods): they are not decided; reach on one such flow answers UNKNOWN where the two readings differ');
    const json = reachCommandCore(snap(c20), { matrix: true, output: 'json' });
    expect(json.warnings).toEqual([expect.stringContaining('rows to and from b/agent[DaemonSet] (hostNetwork)')]);
  });

  it('no note where no NetworkPolicy selects or names the host-network pod: both readings are one', () => {
    const r = reachCommandCore(snap(namespaces + agent(metrics) + workloads), { matrix: true });
    expect(r.output).not.toContain('note:');
  });

  it('c8: b/agent -> b/web2:9090 (admitted from 0.0.0.0/0) is not a certain DENIED any more (exit 2)', () => {
    expect(reach(c8, 'b/agent', 'b/web2', '9090').exitCode).toBe(2);
  });
});

describe('OVN-Kubernetes ignores host-network pods: the answer is certain', () => {
  it('c22: a/client -> b/agent:9100 is ALLOWED (exit 0): deny-all does not select the agent, and the note says why', () => {
    const r = reach(c22, 'a/client', 'b/agent', '9100');
    expect(r.exitCode).toBe(0);
    expect(r.output).toMatch(/^ALLOWED: a\/client\[Deployment\] -> b\/agent\[DaemonSet\] on 9100\/TCP/);
    expect(r.output).toContain('note: destination runs with hostNetwork: OVN-Kubernetes applies no NetworkPolicy to host-network pods');
  });

  it('c22: reach --matrix lists a/client => b/agent, with no note', () => {
    const r = reachCommandCore(snap(c22), { matrix: true });
    expect(r.output).toContain('a/client[Deployment] => b/agent[DaemonSet] : All Connections');
    expect(r.output).not.toContain('note:');
  });

  it('c22: the intent is violated (high): the flow is allowed', () => {
    const v = intentOf(c22);
    expect([v.status, v.severity]).toEqual(['fail', 'high']);
    expect(v.message).toContain('intent "client-never-reaches-agent" is violated');
  });
});

describe('Calico is unchanged (host-network pods are no workload endpoints there)', () => {
  it('c21: a/client -> b/agent:9100 is ALLOWED (exit 0)', () => {
    expect(reach(c21, 'a/client', 'b/agent', '9100').exitCode).toBe(0);
  });

  it('c9: b/agent -> b/web2:9090 is UNKNOWN (exit 2): the ipBlock may or may not hold the node address', () => {
    const r = reach(c9, 'b/agent', 'b/web2', '9090');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("a host-network pod has its node's address, not one from the Workload IPPools");
  });
});
