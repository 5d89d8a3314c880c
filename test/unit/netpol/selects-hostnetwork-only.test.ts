// A NetworkPolicy whose selector matches only hostNetwork pods under Calico: it isolates nothing,
// and the finding says why rather than suggesting a typo. The manifests are the reviewer's case c26.
import { describe, expect, it } from 'vitest';
import { policySelectsNothing } from '../../../checks/network/policy-selects-nothing.ts';
import { ctxOf, run } from './helpers.ts';

const WORKLOADS = `
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: b}}
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

const verdictOf = (yaml: string, name: string) => run(policySelectsNothing, ctxOf(WORKLOADS + yaml)).find((v) => v.resource.name === name)!;

describe('a NetworkPolicy that selects only hostNetwork pods under Calico (c26)', () => {
  const CALICO = `---
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
  const agent = (hostNetwork: boolean) => `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: b}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: ${hostNetwork}
      containers: [{name: c, image: x, ports: [{name: metrics, containerPort: 9100}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: protect-agent, namespace: b}
spec:
  podSelector: {matchLabels: {app: agent}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
`;
  // docs.tigera.io/calico/latest/reference/host-endpoints/overview: the host's own interfaces are
  // "host endpoints", as opposed to "workload endpoints" (containers); a hostNetwork pod uses the
  // host's, so Calico's pod policy never applies to it (docs/network-model.md "Host-network pods").
  it('says the selector matches the hostNetwork DaemonSet, which Calico does not police', () => {
    expect(verdictOf(CALICO + agent(true), 'protect-agent')).toMatchObject({
      status: 'fail',
      message: 'b/protect-agent selects only hostNetwork pods (DaemonSet b/agent), which Calico does not police: it isolates nothing (podSelector app in (agent))',
      evidence: { hostNetworkWorkloads: ['DaemonSet b/agent'] },
    });
  });
  it('a selector typo still reads "selects no pod", and a pod-network DaemonSet is selected', () => {
    const typo = agent(true).replace('podSelector: {matchLabels: {app: agent}}', 'podSelector: {matchLabels: {app: agnet}}');
    expect(verdictOf(CALICO + typo, 'protect-agent').message).toBe('b/protect-agent selects no pod (podSelector app in (agnet)): it isolates nothing');
    expect(verdictOf(CALICO + agent(false), 'protect-agent')).toMatchObject({ status: 'pass', message: 'b/protect-agent selects 1 pod(s)' });
  });
});
