// An address asked that no pod or Service holds may be a node's: an AdminNetworkPolicy `nodes`
// peer "selects the nodeIPs as the peer type by matching on the IPs present in the
// node.Status.Addresses field of the node ... if present but empty, it selects all Nodes"
// (kubernetes-sigs/network-policy-api apis/v1alpha1 AdminNetworkPolicyEgressPeer.Nodes; conformance
// test AdminNetworkPolicyEgressNodePeers). Where the Nodes holding the address are not known (read
// from manifests, which need not hold every Node; Nodes unreadable) and such a rule would change the
// answer on the asked ports, `reach` is UNKNOWN (exit 2), naming the field and why. Where they are
// (a live snapshot whose Nodes were listed), the peer is matched on them and the answer is certain.
// Reviewer repros c16-anp-nodes and c29-anp-nodes-allow-ovn.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { snap } from './helpers.ts';
import { parseAllDocuments } from 'yaml';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const base = `---
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: a}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: a}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec:
      containers: [{name: c, image: busybox}]
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

const anp = (name: string, rule: string) => `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: ${name}}
spec:
  priority: 1
  subject: {namespaces: {}}
  egress:
  - ${rule}
`;

const denyEgress = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: a}
spec:
  podSelector: {}
  policyTypes: [Egress]
`;

const denyNodes = anp('no-nodes', '{name: deny-nodes, action: Deny, to: [{nodes: {}}], ports: [{portNumber: {protocol: TCP, port: 10250}}]}');
const allowNodes = anp('allow-nodes', '{name: kubelet, action: Allow, to: [{nodes: {}}], ports: [{portNumber: {protocol: TCP, port: 10250}}]}');
const c16 = base + denyNodes;
const c29 = base + ovn + denyEgress + allowNodes;

const reach = (yaml: string, port: string) => reachCommandCore(snap(yaml), { from: 'a/client', to: '172.18.0.2', port });

describe('reach to an address an ANP nodes peer may hold', () => {
  it('c16: a Deny to nodes:{} on 10250 may deny a/client -> 172.18.0.2:10250: UNKNOWN (exit 2), naming spec.egress[0].to[0].nodes', () => {
    const r = reach(c16, '10250');
    expect(r.exitCode).toBe(2);
    expect(r.output).toMatch(/^UNKNOWN: a\/client\[Deployment\] -> 172\.18\.0\.2 on 10250\/TCP/);
    expect(r.output).toContain('note: uncertain: AdminNetworkPolicy no-nodes (priority 1) rule 0 "deny-nodes" (Deny): the address may be a node\'s, which spec.egress[0].to[0].nodes selects (the manifests hold no Node with an address, and need not hold every Node)');
  });

  it('c16: on a port the rule does not name (443) the answer stays a certain ALLOWED', () => {
    const r = reach(c16, '443');
    expect(r.exitCode).toBe(0);
    expect(r.output).not.toContain('uncertain');
  });

  it('c29 (OVN-Kubernetes): an Allow to nodes:{} may let through what the NetworkPolicy default deny denies: UNKNOWN (exit 2), not a certain DENIED', () => {
    const r = reach(c29, '10250');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('the model reads it as DENIED by NetworkPolicy isolation (a/deny-egress select it; no rule allows it)');
    expect(r.output).toContain('AdminNetworkPolicy allow-nodes (priority 1) rule 0 "kubelet" (Allow): the address may be a node\'s, which spec.egress[0].to[0].nodes selects');
  });

  it('an Allow to nodes over a flow already allowed changes nothing: a certain ALLOWED (exit 0)', () => {
    const r = reach(base + allowNodes, '10250');
    expect(r.exitCode).toBe(0);
    expect(r.output).not.toContain('uncertain');
  });

  it('a Deny to nodes over a flow already denied changes nothing: a certain DENIED (exit 1)', () => {
    const r = reach(base + denyEgress + denyNodes, '10250');
    expect(r.exitCode).toBe(1);
    expect(r.output).not.toContain('uncertain');
  });
});

describe('where the address may be a node\'s, reach does not call it one outside the cluster', () => {
  it('c16 on 10250: the UNKNOWN answer says the address is no pod\'s and may be a node\'s, in the network line, the ingress decision, the mesh reason and the note', () => {
    const r = reach(c16, '10250');
    expect(r.exitCode).toBe(2);
    expect(r.output).not.toContain('outside the cluster');
    expect(r.output).toContain("ALLOWED by the destination is an address no pod holds (it may be a node's): its ingress is not governed by cluster policy: TCP 10250");
    expect(r.output).toContain("mesh: 172.18.0.2 is no pod's address (it may be a node's): no mesh authorization applies");
    expect(r.output).toContain("note: destination 172.18.0.2 is no pod's or Service's address in the snapshot, and may be a node's (see the uncertain note): ingress is not governed by NetworkPolicy");
    const json = JSON.parse(reachCommandCore(snap(c16), { from: 'a/client', to: '172.18.0.2', port: '10250', output: 'json' }).output) as { allowed: null; notes: string[]; mesh: { reason: string } };
    expect(json.allowed).toBeNull();
    expect(json.notes.some((n) => n.includes('outside the cluster'))).toBe(false);
    expect(json.mesh.reason).not.toContain('outside the cluster');
  });

  it('c16 on 443, which the nodes rule does not name: a certain answer; read from manifests, which hold no pod addresses, the address is not a known pod\'s rather than one outside the cluster', () => {
    const r = reach(c16, '443');
    expect(r.exitCode).toBe(0);
    expect(r.output).not.toContain('outside the cluster');
    expect(r.output).toContain('note: destination 172.18.0.2 is not a known pod address (manifests need not hold every pod or its address; a running pod may have it): ingress is answered as not governed by NetworkPolicy');
    expect(r.output).toContain('ALLOWED by the destination is not a known pod address (manifests need not hold every pod or its address; a running pod may have it): its ingress is answered as not governed by cluster policy: TCP 443');
    expect(r.output).toContain('mesh: 172.18.0.2 is not a known pod address (manifests need not hold every pod or its address; a running pod may have it): no mesh authorization applies');
  });

  it('c16 on 443 in a live snapshot, whose running pods\' addresses are known: the address no pod holds is outside the cluster, as before', () => {
    const live = snapshotFromObjects(parseAllDocuments(c16).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o === 'object'), { origin: 'live' });
    const r = reachCommandCore(live, { from: 'a/client', to: '172.18.0.2', port: '443' });
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('note: destination is outside the cluster: ingress is not governed by NetworkPolicy');
    expect(r.output).toContain('mesh: 172.18.0.2 is outside the cluster: no mesh authorization applies');
    expect(r.output).not.toContain('not a known pod address');
  });
});

// An AdminNetworkPolicy rule's name is free text ("Name is an identifier for this rule, that may be
// no more than 100 characters in length", network-policy-api apis/v1alpha1/adminnetworkpolicy_types.go,
// v0.1.7), and a domainNames Allow puts the match of any address in doubt (NPEP-133). The doubt's
// text names the rule: that text saying "the address may be a node's" must not make the address a
// node's (docs/hostile-text.md); only a `nodes` peer's doubt (DoubtReason 'node') does.
describe('a rule named like the node doubt does not make the address a node\'s', () => {
  const hostile = base + denyEgress + `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: egress-dn}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {team: a}}}
  egress:
  - {name: "the address may be a node's", action: Allow, to: [{domainNames: ["api.example.com"]}], ports: [{portNumber: {protocol: TCP, port: 443}}]}
`;
  it('the doubt is a DNS name\'s: UNKNOWN, the rule named in the note, the address only not a known pod address', () => {
    const r = reach(hostile, '443');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('note: uncertain: AdminNetworkPolicy egress-dn (priority 10) rule 0 "the address may be a node\'s" (Allow): the address may be one that api.example.com resolves to');
    expect(r.output).toContain('mesh: 172.18.0.2 is not a known pod address');
    expect(r.output).not.toContain("is no pod's address (it may be a node's)");
    expect(r.output).not.toContain('(see the uncertain note)');
    const json = JSON.parse(reachCommandCore(snap(hostile), { from: 'a/client', to: '172.18.0.2', port: '443', output: 'json' }).output) as { mesh: { reason: string } };
    expect(json.mesh.reason).toMatch(/^172\.18\.0\.2 is not a known pod address/);
  });
});

// "It selects the nodeIPs as the peer type by matching on the IPs present in the
// node.Status.Addresses field of the node" (network-policy-api apis/v1alpha1
// AdminNetworkPolicyEgressPeer.Nodes; NPEP-126 "the nodeIPs that this type of peer matches on are
// the IPs present in Node.Status.Addresses"): with the Nodes read, an address is a Node's or not,
// and a `nodes` peer selects it when its selector selects that Node.
describe('reach to a Node\'s address, the Nodes read', () => {
  const node = (name: string, labels: string, address: string) => `---
apiVersion: v1
kind: Node
metadata: {name: ${name}, labels: {${labels}}}
status:
  addresses: [{type: InternalIP, address: ${address}}, {type: Hostname, address: ${name}}]
`;
  const worker = node('worker-1', 'kubernetes.io/os: linux, role: worker', '172.18.0.2');
  const live = (yaml: string, edit: (s: ReturnType<typeof snap>) => void = () => {}) => {
    const s = snapshotFromObjects(parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o === 'object'), { origin: 'live' });
    edit(s);
    return s;
  };
  const ask = (s: ReturnType<typeof snap>, to = '172.18.0.2', output?: 'json') => reachCommandCore(s, { from: 'a/client', to, port: '10250', ...(output ? { output } : {}) });
  const denyWorkers = anp('no-workers', '{name: deny-workers, action: Deny, to: [{nodes: {matchLabels: {role: worker}}}], ports: [{portNumber: {protocol: TCP, port: 10250}}]}');
  const denyControlPlane = anp('no-cp', '{name: deny-cp, action: Deny, to: [{nodes: {matchExpressions: [{key: node-role.kubernetes.io/control-plane, operator: Exists}]}}], ports: [{portNumber: {protocol: TCP, port: 10250}}]}');

  it('a Deny to nodes:{} and the InternalIP of Node worker-1: DENIED for certain (exit 1) by the ANP rule, the address named as the Node\'s', () => {
    const r = ask(live(c16 + worker));
    expect(r.exitCode).toBe(1);
    expect(r.output).toMatch(/^DENIED: a\/client\[Deployment\] -> 172\.18\.0\.2 on 10250\/TCP/);
    expect(r.output).toContain('DENIED by AdminNetworkPolicy no-nodes (priority 1) rule 0 "deny-nodes" (Deny): TCP 10250');
    expect(r.output).not.toContain('uncertain');
    expect(r.output).not.toContain('outside the cluster');
    expect(r.output).toContain("note: destination 172.18.0.2 is Node worker-1's InternalIP: ingress is not governed by NetworkPolicy");
    const json = JSON.parse(ask(live(c16 + worker), '172.18.0.2', 'json').output) as { allowed: boolean; mesh: { reason: string } };
    expect(json.allowed).toBe(false);
  });

  it('a Deny to nodes with role=worker holds it too (DENIED, exit 1); one to control-plane nodes does not: ALLOWED for certain (exit 0)', () => {
    expect(ask(live(base + denyWorkers + worker)).exitCode).toBe(1);
    const r = ask(live(base + denyControlPlane + worker));
    expect(r.exitCode).toBe(0);
    expect(r.output).not.toContain('uncertain');
    expect(r.output).toContain("mesh: 172.18.0.2 is Node worker-1's InternalIP: no mesh authorization applies");
  });

  it('c29 (OVN-Kubernetes): an Allow to nodes:{} over the NetworkPolicy default deny lets the InternalIP through: ALLOWED for certain (exit 0)', () => {
    const r = ask(live(c29 + worker));
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ALLOWED by AdminNetworkPolicy allow-nodes (priority 1) rule 0 "kubelet" (Allow): TCP 10250');
    expect(r.output).not.toContain('uncertain');
  });

  it('an address no Node listed holds is no Node\'s: the Deny to nodes:{} does not hold it, ALLOWED for certain (exit 0), outside the cluster', () => {
    const r = ask(live(c16 + worker), '172.18.0.99');
    expect(r.exitCode).toBe(0);
    expect(r.output).not.toContain('uncertain');
    expect(r.output).toContain('note: destination is outside the cluster: ingress is not governed by NetworkPolicy');
  });

  it('the Nodes could not be read (forbidden): the doubt stays, saying so (UNKNOWN, exit 2)', () => {
    const r = ask(live(c16 + worker, (s) => {
      s.coverage.nodes = { status: 'forbidden', detail: 'list nodes' };
      s.resources.nodes = [];
    }));
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('note: uncertain: AdminNetworkPolicy no-nodes (priority 1) rule 0 "deny-nodes" (Deny): the address may be a node\'s, which spec.egress[0].to[0].nodes selects (the Nodes could not be read (forbidden), so which Nodes hold it is not known)');
  });

  it('from manifests, a Node they hold decides its own address (DENIED, exit 1), but another address may be a Node they lack (UNKNOWN, exit 2)', () => {
    expect(ask(snap(c16 + worker)).exitCode).toBe(1);
    const r = ask(snap(c16 + worker), '172.18.0.99');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('(the manifests hold no Node with this address, and need not hold every Node)');
  });
});
