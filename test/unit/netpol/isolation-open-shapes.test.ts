// "Every pod is isolated" and the shapes that open a pod to everyone without saying "every port":
// a rule for TCP and UDP with no port (SCTP left out), and an AdminNetworkPolicy Allow that a
// namespace's default deny cannot refuse. The manifests are the reviewer's cases (c19, c32, c4).
import { describe, expect, it } from 'vitest';
import { allowAllIngress } from '../../../checks/network/allow-all-ingress.ts';
import { namespaceDefaultDenyEgress } from '../../../checks/network/namespace-default-deny-egress.ts';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import type { Check } from '../../../src/engine/types.ts';
import { ctxOf, run } from './helpers.ts';

const NAMESPACES = `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: a}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: b}}
`;

const deployment = (namespace: string, name: string, port?: number) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: c, image: nginx${port ? `, ports: [{name: http, containerPort: ${port}}]` : ''}}]
`;

const WORKLOADS = deployment('a', 'client') + deployment('b', 'web', 8080) + deployment('b', 'web2', 9090) + deployment('b', 'other');

const verdictOf = (check: Check, yaml: string, name: string) => run(check, ctxOf(NAMESPACES + WORKLOADS + yaml)).find((v) => v.resource.name === name && v.detailKey === undefined)!;

const DENY_ALL_B = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: b}
spec:
  podSelector: {}
`;

// kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource: "protocol"
// names one protocol, and a port entry without "port" matches every port of it. Services listen on
// TCP and UDP: a rule for both on every port, from any peer, is "Default allow all ingress traffic"
// in all but SCTP.
const TCP_UDP_WEB = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: tcp-udp-all, namespace: b}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - ports: [{protocol: TCP}, {protocol: UDP}]
`;

describe('a rule for every TCP and UDP port from any peer isolates nothing (c19)', () => {
  it('namespace-default-deny-ingress fails the namespace at the check\'s high severity, naming the policy that opens it', () => {
    const v = verdictOf(namespaceDefaultDenyIngress, DENY_ALL_B + TCP_UDP_WEB, 'b');
    expect(v.severity).toBeUndefined();
    expect(v).toMatchObject({
      status: 'fail',
      message: '1 workload(s) in namespace b are not isolated for ingress: every source may connect to them (b/tcp-udp-all allows every TCP/UDP port)',
      evidence: { unisolatedWorkloads: [{ workload: 'Deployment b/web', podCount: 1 }], openedBy: [{ policy: 'b/tcp-udp-all' }] },
    });
  });

  it('allow-all-ingress fails it at the check\'s high severity, as a rule with no port', () => {
    const v = verdictOf(allowAllIngress, DENY_ALL_B + TCP_UDP_WEB, 'tcp-udp-all');
    expect(v).toMatchObject({ status: 'fail', message: 'b/tcp-udp-all admits ingress from any peer (from/to missing or empty) on every TCP/UDP port' });
    expect(v.severity).toBeUndefined();
  });

  it('a narrow allow beside the default deny stays isolated and stays a medium allow-all finding', () => {
    // One TCP port range from any peer: not every port, so the namespace is still default-deny.
    const range = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: range, namespace: b}
spec:
  podSelector: {matchLabels: {app: web2}}
  ingress:
  - ports: [{port: 1, endPort: 65535}]
`;
    expect(verdictOf(namespaceDefaultDenyIngress, DENY_ALL_B + range, 'b')).toMatchObject({ status: 'pass', message: 'every workload in namespace b is isolated for ingress' });
    expect(verdictOf(allowAllIngress, DENY_ALL_B + range, 'range')).toMatchObject({ status: 'fail', severity: 'medium', message: 'b/range admits ingress from any peer (from/to missing or empty) on TCP 1-65535' });
  });

  it('every TCP/UDP port from one namespace only is no allow-all: the namespace stays isolated', () => {
    const fromA = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-a, namespace: b}
spec:
  podSelector: {}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: a}}}]
    ports: [{protocol: TCP}, {protocol: UDP}]
`;
    expect(verdictOf(namespaceDefaultDenyIngress, DENY_ALL_B + fromA, 'b')).toMatchObject({ status: 'pass', message: 'every workload in namespace b is isolated for ingress' });
    expect(verdictOf(allowAllIngress, DENY_ALL_B + fromA, 'from-a').status).toBe('pass');
  });
});

describe('egress to every TCP and UDP port of any destination isolates nothing (c32)', () => {
  const eg = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: eg, namespace: a}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - ports: [{protocol: TCP}, {protocol: UDP}]
`;
  it('namespace-default-deny-egress fails a, as unrestricted-egress does, naming the policy', () => {
    expect(verdictOf(namespaceDefaultDenyEgress, eg, 'a')).toMatchObject({
      status: 'fail',
      message: '1 workload(s) in namespace a are not isolated for egress: every destination is reachable from them (a/eg allows every TCP/UDP port)',
    });
  });
  it('egress limited to DNS beside the default deny stays isolated', () => {
    const dns = eg.replace('ports: [{protocol: TCP}, {protocol: UDP}]', 'ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]');
    expect(verdictOf(namespaceDefaultDenyEgress, dns, 'a')).toMatchObject({ status: 'pass', message: 'every workload in namespace a is isolated for egress' });
  });
});

// network-policy-api apis/v1alpha1/adminnetworkpolicy_types.go, AdminNetworkPolicyRuleActionAllow:
// "matching traffic will be allowed regardless of NetworkPolicy and BaselineAdminNetworkPolicy
// rules. Users cannot block traffic which has been matched by an "Allow" rule".
describe('an AdminNetworkPolicy Allow from every namespace over a default deny (c4)', () => {
  const DENY_BOTH_B = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: b}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`;
  const anp = (ingressPorts = '', egress = true) => `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: open}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {team: b}}}
  ingress:
  - name: all
    action: Allow
    from: [{namespaces: {}}]${ingressPorts}
${egress ? `  egress:
  - name: all
    action: Allow
    to: [{networks: [0.0.0.0/0, "::/0"]}]
` : ''}`;

  it('namespace-default-deny-ingress fails b (high): every pod may connect, and the ANP that overrides the default deny is named', () => {
    const v = verdictOf(namespaceDefaultDenyIngress, DENY_BOTH_B + anp(), 'b');
    expect(v.severity).toBeUndefined();
    expect(v).toMatchObject({
      status: 'fail',
      message: '3 workload(s) in namespace b are not isolated for ingress: every pod may connect to them on every port (AdminNetworkPolicy open allows every port and overrides the default deny b/deny-all: its Allow is decided first, and no later policy can deny it)',
      evidence: { openedBy: [{ policy: 'AdminNetworkPolicy open', overrides: ['b/deny-all'] }] },
    });
  });

  it('namespace-default-deny-egress names the ANP whose networks 0.0.0.0/0 Allow overrides the default deny', () => {
    expect(verdictOf(namespaceDefaultDenyEgress, DENY_BOTH_B + anp(), 'b')).toMatchObject({
      status: 'fail',
      message: '3 workload(s) in namespace b are not isolated for egress: every destination is reachable from them (AdminNetworkPolicy open allows every port and overrides the default deny b/deny-all: its Allow is decided first, and no later policy can deny it)',
    });
  });

  it('allow-all-ingress names the default deny the cluster-scoped ANP cancels', () => {
    const v = verdictOf(allowAllIngress, DENY_BOTH_B + anp(), 'open');
    expect(v.severity).toBeUndefined();
    expect(v).toMatchObject({
      status: 'fail',
      message: 'AdminNetworkPolicy open admits ingress from every pod in every namespace on every port, cancelling the default deny b/deny-all',
      evidence: { cancelsDefaultDeny: ['b/deny-all'] },
    });
  });

  it('an ANP Allow from every namespace on one port leaves b isolated (default deny on every other port) and cancels no default deny', () => {
    // The check promises a default deny; a narrow allow beside it, of any API, is allow-all-ingress's
    // medium finding, as a NetworkPolicy rule for one port from any peer is.
    const onePort = anp('\n    ports: [{portNumber: {protocol: TCP, port: 8080}}]', false);
    expect(verdictOf(namespaceDefaultDenyIngress, DENY_BOTH_B + onePort, 'b')).toMatchObject({ status: 'pass', message: 'every workload in namespace b is isolated for ingress' });
    const v = verdictOf(allowAllIngress, DENY_BOTH_B + onePort, 'open');
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).not.toContain('cancelling');
  });

  it('an ANP Allow from one namespace only is no allow-all: b stays isolated', () => {
    const fromA = anp('', false).replace('from: [{namespaces: {}}]', 'from: [{namespaces: {matchLabels: {team: a}}}]');
    expect(verdictOf(namespaceDefaultDenyIngress, DENY_BOTH_B + fromA, 'b')).toMatchObject({ status: 'pass', message: 'every workload in namespace b is isolated for ingress' });
  });
});

describe('other Allows decided before the default deny', () => {
  it('an ANP egress Allow to every namespace overrides the egress default deny: every pod is reachable, outside addresses are not', () => {
    const yaml = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: b}
spec:
  podSelector: {}
  policyTypes: [Egress]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: open}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {team: b}}}
  egress:
  - {name: all-pods, action: Allow, to: [{namespaces: {}}]}
`;
    expect(verdictOf(namespaceDefaultDenyEgress, yaml, 'b')).toMatchObject({
      status: 'fail',
      message: '3 workload(s) in namespace b are not isolated for egress: every pod is reachable from them on every port (AdminNetworkPolicy open allows every port and overrides the default deny b/deny-all: its Allow is decided first, and no later policy can deny it)',
    });
  });

  // docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy: rules in order, the first
  // Allow or Deny decides; a tier of lower order is evaluated first, and the Kubernetes
  // NetworkPolicies sit in the default tier (docs.tigera.io/calico/latest/reference/resources/tier).
  it('a Calico Allow from every pod in a tier before the default tier overrides the NetworkPolicy default deny', () => {
    const yaml = `---
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
${DENY_ALL_B}---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.open}
spec:
  tier: security
  order: 10
  namespaceSelector: team == 'b'
  types: [Ingress]
  ingress:
  - {action: Allow, source: {namespaceSelector: all()}}
  - {action: Pass}
`;
    expect(verdictOf(namespaceDefaultDenyIngress, yaml, 'b')).toMatchObject({
      status: 'fail',
      message: '3 workload(s) in namespace b are not isolated for ingress: every pod may connect to them on every port (GlobalNetworkPolicy security.open allows every port and overrides the default deny b/deny-all: its Allow is decided first, and no later policy can deny it)',
    });
    // The same Allow for one port leaves the default deny in force on every other.
    const onePort = yaml.replace('source: {namespaceSelector: all()}}', 'source: {namespaceSelector: all()}, protocol: TCP, destination: {ports: [8080]}}');
    expect(verdictOf(namespaceDefaultDenyIngress, onePort, 'b')).toMatchObject({ status: 'pass', message: 'every workload in namespace b is isolated for ingress' });
  });
});
