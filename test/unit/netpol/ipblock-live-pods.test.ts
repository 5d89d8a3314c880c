// A NetworkPolicy ipBlock against pods whose addresses the snapshot knows. Kubernetes leaves open
// which addresses an ipBlock is matched on inside the cluster ("These should be cluster-external
// IPs, since Pod IPs are ephemeral and unpredictable", and whether rewriting happens before or after
// NetworkPolicy processing "is not defined": https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors).
// kube-router, Antrea and OVN-Kubernetes match it on the pod's own address: upstream's e2e "should
// allow egress access to server in CIDR block" (test/e2e/network/netpol/network_policy.go) puts the
// server pod's podIP/32 in an ipBlock and expects the client through, and kube-network-policies
// (the flannel/kindnet enforcer) tests every ipBlock peer against the packet's address before it
// looks at selectors (kubernetes-sigs/kube-network-policies pkg/networkpolicy/networkpolicy.go,
// evaluateEgress/evaluateIngress → evaluateIPBlocks). So where every pod of the class a question
// is about has a live address (status.podIPs) the answer is certain: all inside the block (minus
// `except`) → the rule applies, all outside → it does not; split, or a pod with no address yet →
// UNKNOWN, naming the addresses. Cilium's CIDR rules never hold a pod (cilium/cilium#9209).
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { CILIUM_AGENT } from './helpers.ts';

const live = (yaml: string) => snapshotFromObjects(parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o === 'object'), { origin: 'live' });
const manifests = (yaml: string) => snapshotFromObjects(parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o === 'object'));

const agent = (ns: string, name: string, container: string, image: string) => `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      hostNetwork: true
      containers: [{name: ${container}, image: ${image}}]
`;
const CNIS: Array<[string, string]> = [
  ['kube-router', agent('kube-system', 'kube-router', 'kube-router', 'docker.io/cloudnativelabs/kube-router:v2.4.0')],
  ['Antrea', agent('kube-system', 'antrea-agent', 'antrea-agent', 'antrea/antrea-agent-ubuntu:v2.2.0')],
  ['OVN-Kubernetes', agent('ovn-kubernetes', 'ovnkube-node', 'ovnkube-controller', 'ghcr.io/ovn-org/ovn-kubernetes/ovn-kube-ubuntu:v1.0.0')],
];
const KUBE_ROUTER = CNIS[0][1];

const namespaces = `---
apiVersion: v1
kind: Namespace
metadata: {name: a}
---
apiVersion: v1
kind: Namespace
metadata: {name: b}
`;

/** A Deployment, its ReplicaSet and one pod per address (undefined: Pending, no address yet). */
const deployment = (ns: string, name: string, ips: ReadonlyArray<string | undefined>, o: { hostNetwork?: boolean } = {}) => {
  const spec = `{${o.hostNetwork ? 'hostNetwork: true, ' : ''}containers: [{name: c, image: nginx, ports: [{containerPort: 8080}]}]}`;
  return `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}, uid: d-${name}}
spec:
  replicas: ${ips.length}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: ${spec}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: ${name}-5d8f, namespace: ${ns}, uid: rs-${name}, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: ${name}, uid: d-${name}, controller: true}]}
spec:
  replicas: ${ips.length}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: ${spec}
${ips.map((ip, i) => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}-5d8f-${i}, namespace: ${ns}, labels: {app: ${name}}, ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: ${name}-5d8f, uid: rs-${name}, controller: true}]}
spec: ${spec}
status: ${ip ? `{phase: Running, podIP: ${ip}, podIPs: [{ip: ${ip}}]}` : '{phase: Pending}'}
`).join('')}`;
};

const BLOCK = '{ipBlock: {cidr: 10.244.1.0/24, except: [10.244.1.128/25]}}';
/** a/client may send only to the block (egress). */
const egressToBlock = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: eg, namespace: a}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [${BLOCK}]
`;
/** b/web admits only the block (ingress). */
const ingressFromBlock = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: in, namespace: b}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - from: [${BLOCK}]
`;

const egressScene = (cni: string, web: ReadonlyArray<string | undefined>) => cni + namespaces + deployment('a', 'client', ['10.244.9.9']) + deployment('b', 'web', web) + egressToBlock;
const reach = (yaml: string, at = live) => reachCommandCore(at(yaml), { from: 'a/client', to: 'b/web', port: '8080' });

const intentOf = (yaml: string) => {
  const config = { ...defaultConfig(), intent: { deny: [{ name: 'client-never-reaches-web', from: { namespace: 'a', podSelector: { app: 'client' } }, to: { namespace: 'b', podSelector: { app: 'web' } }, ports: [8080] }] } };
  const [outcome] = runChecks([intentViolation], { snapshot: live(yaml), config, now: new Date('2026-01-01T00:00:00Z') });
  expect(outcome.results).toHaveLength(1);
  return outcome.results[0];
};

describe.each(CNIS)('%s, live: an ipBlock narrower than a family against pods with known addresses', (_name, cni) => {
  it('every b/web pod inside 10.244.1.0/24 (10.244.1.5, 10.244.1.6): ALLOWED for certain by the rule (exit 0), saying which addresses settle it', () => {
    const r = reach(egressScene(cni, ['10.244.1.5', '10.244.1.6']));
    expect(r.exitCode).toBe(0);
    expect(r.output).toMatch(/^ALLOWED: a\/client\[Deployment\] -> b\/web\[Deployment\] on 8080\/TCP/);
    expect(r.output).toContain('ALLOWED by NetworkPolicy a/eg rule 0 (Allow): TCP 8080');
    expect(r.output).not.toContain('uncertain');
    expect(r.output).toContain("note: a/eg egress rule 0: the addresses of b/web[Deployment]'s pods (pod b/web-5d8f-0's address 10.244.1.5, pod b/web-5d8f-1's address 10.244.1.6 (status.podIPs)) lie inside 10.244.1.0/24 except 10.244.1.128/25, so it holds them for certain");
  });

  it('every b/web pod outside it (10.244.2.5, 10.244.2.6): the rule does not apply, DENIED for certain by isolation (exit 1)', () => {
    const r = reach(egressScene(cni, ['10.244.2.5', '10.244.2.6']));
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED by NetworkPolicy isolation (a/eg select it; no rule allows it): TCP 8080');
    expect(r.output).not.toContain('uncertain');
    expect(r.output).toContain('lie outside 10.244.1.0/24 except 10.244.1.128/25, so it holds none of them for certain');
  });

  it('a pod inside the cidr but in its except (10.244.1.200) is outside the block: DENIED for certain (exit 1)', () => {
    const r = reach(egressScene(cni, ['10.244.1.200']));
    expect(r.exitCode).toBe(1);
    expect(r.output).not.toContain('uncertain');
  });
});

describe('kube-router, live: where the pods of the class do not all fall alike, the answer stays UNKNOWN and names their addresses', () => {
  it('split replicas (10.244.1.5 inside, 10.244.2.5 outside): UNKNOWN (exit 2), naming both addresses', () => {
    const r = reach(egressScene(KUBE_ROUTER, ['10.244.1.5', '10.244.2.5']));
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("note: uncertain: NetworkPolicy a/eg rule 0 (Allow): whether the pod's address is in 10.244.1.0/24 except 10.244.1.128/25 is not known: the pods' addresses (pod b/web-5d8f-0's address 10.244.1.5, pod b/web-5d8f-1's address 10.244.2.5 (status.podIPs)) lie partly inside it; counted as outside");
  });

  it('one replica Pending with no address yet, the other inside: UNKNOWN (exit 2), naming the pod without an address and the address known', () => {
    const r = reach(egressScene(KUBE_ROUTER, ['10.244.1.5', undefined]));
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("pod b/web-5d8f-1 has no address in the snapshot yet, beside pod b/web-5d8f-0's address 10.244.1.5 (status.podIPs)");
  });

  it('read from manifests (no pod, no address): UNKNOWN as before (exit 2)', () => {
    const r = reach(KUBE_ROUTER + namespaces + egressToBlock + deployment('a', 'client', []).replace(/replicas: 0/g, 'replicas: 1') + deployment('b', 'web', []).replace(/replicas: 0/g, 'replicas: 1'), manifests);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("whether the pod's address is in 10.244.1.0/24 except 10.244.1.128/25 is not known (the model does not know pod addresses); counted as outside");
  });

  it('host-network pods carry their node\'s address: a host-network b/web at 10.244.1.5 keeps its doubt (exit 2)', () => {
    const r = reach(KUBE_ROUTER + namespaces + deployment('a', 'client', ['10.244.9.9']) + deployment('b', 'web', ['10.244.1.5'], { hostNetwork: true }) + egressToBlock);
    expect(r.exitCode).toBe(2);
    expect(r.output).not.toContain('status.podIPs');
  });
});

describe('kube-router, live: the source side of an ingress ipBlock is settled the same way', () => {
  const scene = (client: string[]) => KUBE_ROUTER + namespaces + deployment('a', 'client', client) + deployment('b', 'web', ['10.244.3.3']) + ingressFromBlock;

  it('every a/client pod inside: ALLOWED for certain (exit 0); outside: DENIED for certain (exit 1)', () => {
    const inside = reach(scene(['10.244.1.7']));
    expect(inside.exitCode).toBe(0);
    expect(inside.output).toContain('ALLOWED by NetworkPolicy b/in rule 0 (Allow): TCP 8080');
    expect(inside.output).toContain("note: b/in ingress rule 0: the addresses of a/client[Deployment]'s pods (pod a/client-5d8f-0's address 10.244.1.7 (status.podIPs)) lie inside");
    const outside = reach(scene(['10.244.4.7']));
    expect(outside.exitCode).toBe(1);
    expect(outside.output).not.toContain('uncertain');
  });
});

describe('the decided answer reaches the matrix and the intent check', () => {
  const rowsOf = (yaml: string) => reachCommandCore(live(yaml), { matrix: true }).output.split('\n');

  it('reach --matrix lists a/client => b/web where every web pod is inside the block, and not where every one is outside', () => {
    expect(rowsOf(egressScene(KUBE_ROUTER, ['10.244.1.5', '10.244.1.6']))).toContain('a/client[Deployment] => b/web[Deployment] : All Connections');
    expect(rowsOf(egressScene(KUBE_ROUTER, ['10.244.2.5', '10.244.2.6'])).some((l) => l.startsWith('a/client[Deployment] => b/web'))).toBe(false);
  });

  it('the intent "a/client never reaches b/web:8080" is violated for certain (high) when inside; when outside it is not confirmed (medium): the denial rests on ephemeral pod addresses', () => {
    const inside = intentOf(egressScene(KUBE_ROUTER, ['10.244.1.5', '10.244.1.6']));
    expect([inside.status, inside.severity]).toEqual(['fail', 'high']);
    expect(inside.message).toContain('intent "client-never-reaches-web" is violated');
    // Pod IPs are ephemeral ("These should be cluster-external IPs, since Pod IPs are ephemeral and
    // unpredictable", the ipBlock paragraph above): the denial holds as of the snapshot only, and a
    // web pod rescheduled into 10.244.1.0/24 would break the intent — not confirmed, never a pass.
    const outside = intentOf(egressScene(KUBE_ROUTER, ['10.244.2.5', '10.244.2.6']));
    expect([outside.status, outside.severity]).toEqual(['fail', 'medium']);
    expect(outside.message).toContain('intent "client-never-reaches-web" cannot be confirmed: no allowed flow from');
    expect(outside.message).toContain("the denial rests on the pods' current addresses — a/eg egress rule 0: pod b/web-5d8f-0's address 10.244.2.5, pod b/web-5d8f-1's address 10.244.2.6 (status.podIPs) lie outside 10.244.1.0/24 except 10.244.1.128/25 as of this snapshot; pod IPs are ephemeral");
    expect((outside.evidence as { enforcedBy: string }).enforcedBy).toBe('uncertain');
  });

  it('an intent no address decides still holds (pass): the pods are denied by isolation with no ipBlock in play', () => {
    const noBlock = egressScene(KUBE_ROUTER, ['10.244.2.5']).replace(`- to: [${BLOCK}]`, '- to: [{podSelector: {app: nothing}}]');
    expect(intentOf(noBlock).status).toBe('pass');
  });
});

describe('no CNI recognised: the enforcer may hold no pod in a CIDR rule (an undetected Cilium, cilium/cilium#9209)', () => {
  it('live addresses inside the block do not settle it: UNKNOWN (exit 2), as before', () => {
    const r = reach(namespaces + deployment('a', 'client', ['10.244.9.9']) + deployment('b', 'web', ['10.244.1.5']) + egressToBlock);
    expect(r.exitCode).toBe(2);
    expect(r.output).not.toContain('status.podIPs');
    expect(r.output).toContain("whether the pod's address is in 10.244.1.0/24 except 10.244.1.128/25 is not known");
  });
});

describe('Cilium, live: unchanged, an ipBlock holds no pod whatever its address', () => {
  it('every b/web pod inside the block: DENIED for certain (exit 1)', () => {
    const r = reach(egressScene(`---\n${CILIUM_AGENT}`, ['10.244.1.5', '10.244.1.6']));
    expect(r.exitCode).toBe(1);
    expect(r.output).not.toContain('uncertain');
    expect(r.output).not.toContain('status.podIPs');
  });
});

// Node spec.podCIDRs: where the pods' IPAM hands out addresses only from them, an ipBlock that no
// Node's podCIDRs overlap can hold no pod, now or after a reschedule. kube-router: "Kube-router
// relies on kube-controller-manager to allocate pod CIDR for the nodes" (cloudnativelabs/kube-router
// Documentation/generic.md); Antrea: "Regular `Subnet per Node` IPAM will continue to be used for
// resources without the IPPool annotation, or when the `AntreaIPAM` feature is disabled", and
// NodeIPAM's per-Node CIDRs "are set to the podCIDRs attribute of the Node spec"
// (antrea-io/antrea docs/antrea-ipam.md). OVN-Kubernetes gives each node its own subnet in the
// k8s.ovn.org/node-subnets annotation (ovn-org/ovn-kubernetes go-controller/pkg/util, OvnNodeSubnets),
// not from spec.podCIDRs: there the Nodes' podCIDRs settle nothing.
const nodeOf = (name: string, cidrs: readonly string[]) => `---
apiVersion: v1
kind: Node
metadata: {name: ${name}}
spec: ${cidrs.length ? `{podCIDR: ${cidrs[0]}, podCIDRs: [${cidrs.join(', ')}]}` : '{}'}
`;
/** Two nodes: the client's /24 and the web pods' /24, both outside 10.244.1.0/24. */
const NODES_APART = nodeOf('n1', ['10.244.9.0/24']) + nodeOf('n2', ['10.244.2.0/24']);
const intentOn = (snapshot: ReturnType<typeof live>) => {
  const config = { ...defaultConfig(), intent: { deny: [{ name: 'client-never-reaches-web', from: { namespace: 'a', podSelector: { app: 'client' } }, to: { namespace: 'b', podSelector: { app: 'web' } }, ports: [8080] }] } };
  const [outcome] = runChecks([intentViolation], { snapshot, config, now: new Date('2026-01-01T00:00:00Z') });
  expect(outcome.results).toHaveLength(1);
  return outcome.results[0];
};

// Today's Nodes are not every Node: node IPAM gives a Node added later a range of the
// kube-controller-manager's --cluster-cidr and reuses a deleted Node's (kubernetes
// pkg/controller/nodeipam/ipam/range_allocator.go), so only the cluster's pod range settles for good.
// It is read from the kube-controller-manager's --cluster-cidr with --allocate-node-cidrs (its static
// pod in kube-system; Antrea NodeIPAM's source, antrea-io/antrea docs/antrea-ipam.md) or kube-router's
// own --cluster-cidr ("CIDR range of pods in the cluster", kube-router pkg/options/options.go; the kube-controller-manager's is "CIDR Range for Pods in cluster. Requires --allocate-node-cidrs to be true", kube-controller-manager reference).
const KCM = (cidr: string, allocate = true) => `---
apiVersion: v1
kind: Pod
metadata: {name: kube-controller-manager-cp1, namespace: kube-system}
spec: {nodeName: cp1, hostNetwork: true, containers: [{name: kube-controller-manager, image: registry.k8s.io/kube-controller-manager:v1.33.1, command: [kube-controller-manager, --allocate-node-cidrs=${allocate}, '--cluster-cidr=${cidr}', --node-cidr-mask-size=24]}]}
status: {phase: Running, podIP: 192.168.1.2, podIPs: [{ip: 192.168.1.2}]}
`;
/** The churn repro's b/in: b/web admits only 10.244.3.0/24. */
const CHURN_INGRESS = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: in, namespace: b}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - from: [{ipBlock: {cidr: 10.244.3.0/24}}]
`;
const KUBE_ROUTER_WITH = (cidr: string) => KUBE_ROUTER.replace('image: docker.io/cloudnativelabs/kube-router:v2.4.0}', `image: docker.io/cloudnativelabs/kube-router:v2.4.0, args: [--run-router=true, --run-firewall=true, --cluster-cidr, '${cidr}']}`);

describe('kube-router and Antrea, live: the Nodes\' podCIDRs alone no longer confirm a denial (a Node added later may be given the block)', () => {
  it.each([CNIS[0], CNIS[1]])('%s, no cluster pod range known: NODES_APART miss 10.244.1.0/24, yet the intent cannot be confirmed (medium), saying a Node added later may be given it', (_name, cni) => {
    const r = intentOf(egressScene(cni, ['10.244.2.5', '10.244.2.6']) + NODES_APART);
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).toContain("the cluster's pod range is not known");
    expect(r.message).toContain('a Node added later may be given this range');
  });

  it('the churn of /tmp/rev-mC/churn: at t1 the block 10.244.3.0/24 overlaps no Node (n1 10.244.1.0/24) but lies in kube-router\'s --cluster-cidr 10.244.0.0/16, so not confirmed; at t2 node n3 got 10.244.3.0/24 and the client moved there: violated', () => {
    const t1 = KUBE_ROUTER_WITH('10.244.0.0/16') + namespaces + deployment('a', 'client', ['10.244.1.7']) + deployment('b', 'web', ['10.244.1.8']) + CHURN_INGRESS + nodeOf('n1', ['10.244.1.0/24']);
    const r1 = intentOf(t1);
    expect([r1.status, r1.severity]).toEqual(['fail', 'medium']);
    expect(r1.message).toContain("the cluster's pod range (10.244.0.0/16, kube-router's --cluster-cidr on DaemonSet kube-system/kube-router) overlaps 10.244.3.0/24: no current Node's podCIDRs do, but a Node added later may be given a range in it");
    expect(r1.message).toContain('and that cannot be ruled out for good:');
    const t2 = KUBE_ROUTER_WITH('10.244.0.0/16') + namespaces + deployment('a', 'client', ['10.244.3.5']) + deployment('b', 'web', ['10.244.1.8']) + CHURN_INGRESS + nodeOf('n1', ['10.244.1.0/24']) + nodeOf('n3', ['10.244.3.0/24']);
    expect(intentOf(t2).status).toBe('fail');
    expect(intentOf(t2).severity).not.toBe('medium');
  });

  it('kube-router, a Node carrying kube-router.io/pod-cidr (which kube-router takes over spec.podCIDR, pod_cidr.go GetPodCidrFromNodeSpec): not confirmed, naming the Node and annotation', () => {
    const annotated = `---
apiVersion: v1
kind: Node
metadata: {name: n2, annotations: {kube-router.io/pod-cidr: 10.244.1.0/24}}
spec: {podCIDR: 10.244.2.0/24, podCIDRs: [10.244.2.0/24]}
`;
    const r = intentOf(egressScene(KUBE_ROUTER_WITH('10.244.0.0/16'), ['10.244.2.5', '10.244.2.6']) + nodeOf('n1', ['10.244.9.0/24']) + annotated + KCM('10.200.0.0/16'));
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).toContain('Node n2 carries the kube-router.io/pod-cidr annotation, which kube-router takes over its spec.podCIDRs');
  });

  it('a Node\'s podCIDRs outside the cluster range: not confirmed, naming the Node', () => {
    const r = intentOf(egressScene(CNIS[1][1], ['10.244.2.5', '10.244.2.6']) + NODES_APART + KCM('10.244.2.0/23'));
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).toContain("Node n1's podCIDRs (10.244.9.0/24) do not lie in the cluster's pod range 10.244.2.0/23");
  });

  // Sources that disagree leave the range unknown (node-cidrs.ts clusterPodRange); one whose value
  // is no CIDR cannot be shown to agree, so it is neither taken nor passed over: was a reason naming
  // the first source read alone, the search ended there.
  it('a --cluster-cidr that is no CIDR beside a readable one: not confirmed, the reason naming both sources', () => {
    const scene = egressScene(KUBE_ROUTER_WITH('10.244.2.0/33'), ['10.244.2.5', '10.244.2.6']) + NODES_APART;
    const r = intentOf(scene + KCM('10.244.2.0/23,10.244.8.0/23'));
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).toContain('kube-router\'s --cluster-cidr on DaemonSet kube-system/kube-router is not a list of CIDRs ("10.244.2.0/33"), so whether it agrees with the kube-controller-manager\'s --cluster-cidr on Pod kube-system/kube-controller-manager-cp1 (10.244.2.0/23,10.244.8.0/23) cannot be told and the cluster\'s pod range is not known');
    // The readable source alone gives the range.
    expect(intentOf(egressScene(KUBE_ROUTER_WITH('10.244.2.0/23,10.244.8.0/23'), ['10.244.2.5', '10.244.2.6']) + NODES_APART + KCM('10.244.2.0/23,10.244.8.0/23')).status).toBe('pass');
  });

  it('a kube-controller-manager without --allocate-node-cidrs does not give the range: not confirmed', () => {
    const r = intentOf(egressScene(CNIS[1][1], ['10.244.2.5', '10.244.2.6']) + NODES_APART + KCM('10.244.2.0/23', false));
    expect(r.message).toContain("the cluster's pod range is not known");
  });
});

// The kubelet expands $(VAR) in a container's command and args from its env before the program reads
// them (kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/);
// --allocate-node-cidrs defaults to false (kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/).
describe('the kube-controller-manager\'s --allocate-node-cidrs given as $(VAR)', () => {
  const KCM_FROM_ENV = (cidr: string, env: string) => KCM(cidr).replace('--allocate-node-cidrs=true', "'--allocate-node-cidrs=$(ALLOCATE)'").replace('--node-cidr-mask-size=24]', `--node-cidr-mask-size=24], env: [${env}]`);

  it('env ALLOCATE: "true" written in the spec: on, so its --cluster-cidr confirms the denial (pass; was: taken as off, the range not known)', () => {
    const yaml = egressScene(CNIS[1][1], ['10.244.2.5', '10.244.2.6']) + NODES_APART + KCM_FROM_ENV('10.244.2.0/23,10.244.8.0/23', '{name: ALLOCATE, value: "true"}');
    expect(intentOf(yaml).status).toBe('pass');
  });

  it('a value the spec does not show (valueFrom): not confirmed (medium), naming the variable, not "no kube-controller-manager pod with --allocate-node-cidrs"', () => {
    const yaml = egressScene(CNIS[1][1], ['10.244.2.5', '10.244.2.6']) + NODES_APART + KCM_FROM_ENV('10.244.2.0/23,10.244.8.0/23', '{name: ALLOCATE, valueFrom: {configMapKeyRef: {name: kcm, key: allocate}}}');
    const r = intentOf(yaml);
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).toContain('the cluster\'s pod range is not known: the kube-controller-manager (Pod kube-system/kube-controller-manager-cp1) sets --allocate-node-cidrs from an environment variable ("--allocate-node-cidrs=$(ALLOCATE)") whose value is not read: its env does not write out a value for "ALLOCATE", so whether it allocates the Nodes\' pod ranges from its --cluster-cidr (10.244.2.0/23,10.244.8.0/23) cannot be told');
  });

  // spf13/pflag (the kube-controller-manager's, through cobra) reads one dash as one-letter
  // shorthands (flag.go parseShortArg): -allocate-node-cidrs=true is the shorthand -a, none of its own.
  it('-allocate-node-cidrs=true with one dash is not the flag: not confirmed (medium), saying pflag reads it as shorthands (was: taken as on, the denial confirmed)', () => {
    const yaml = egressScene(CNIS[1][1], ['10.244.2.5', '10.244.2.6']) + NODES_APART + KCM('10.244.2.0/23,10.244.8.0/23').replace('--allocate-node-cidrs=true', '-allocate-node-cidrs=true');
    const r = intentOf(yaml);
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).toContain('the kube-controller-manager (Pod kube-system/kube-controller-manager-cp1) is passed "-allocate-node-cidrs=true", which its flag parser (spf13/pflag) reads as the one-letter shorthands -a…, not as --allocate-node-cidrs');
  });

  it('beside kube-router\'s --cluster-cidr, one it may allocate from that differs leaves the range unknown (medium; was: the kube-controller-manager passed over, the denial confirmed)', () => {
    const base = egressScene(KUBE_ROUTER_WITH('10.244.2.0/23,10.244.8.0/23'), ['10.244.2.5', '10.244.2.6']) + NODES_APART;
    expect(intentOf(base).status).toBe('pass');
    const r = intentOf(base + KCM_FROM_ENV('10.244.0.0/16', '{name: ALLOCATE, valueFrom: {configMapKeyRef: {name: kcm, key: allocate}}}'));
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).toContain('disagree on the cluster\'s pod range (the kube-controller-manager (Pod kube-system/kube-controller-manager-cp1) sets --allocate-node-cidrs from an environment variable');
    // Certainly off, it gives no range: kube-router's stands.
    expect(intentOf(base + KCM_FROM_ENV('10.244.0.0/16', '{name: ALLOCATE, value: "false"}')).status).toBe('pass');
  });

  it('--cluster-cidr given as $(VAR) is read the same way: a literal value gives the range (pass); one the spec does not show leaves it unknown, naming the argument', () => {
    const kcm = (env: string) => KCM('$(POD_CIDR)').replace('--node-cidr-mask-size=24]', `--node-cidr-mask-size=24], env: [${env}]`);
    const scene = egressScene(CNIS[1][1], ['10.244.2.5', '10.244.2.6']) + NODES_APART;
    expect(intentOf(scene + kcm('{name: POD_CIDR, value: "10.244.2.0/23,10.244.8.0/23"}')).status).toBe('pass');
    const r = intentOf(scene + kcm('{name: POD_CIDR, valueFrom: {configMapKeyRef: {name: kcm, key: cidr}}}'));
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).toContain('the kube-controller-manager\'s --cluster-cidr on Pod kube-system/kube-controller-manager-cp1 is set from an environment variable ("--cluster-cidr=$(POD_CIDR)") whose value is not read');
  });
});

describe.each([CNIS[0], CNIS[1]])('%s, live: a cluster pod range (kube-controller-manager --cluster-cidr) disjoint from the ipBlock confirms a denial the pods\' addresses alone left unconfirmed', (_name, cni) => {
  it('web pods at 10.244.2.5/.6, Nodes 10.244.9.0/24 and 10.244.2.0/24 inside the cluster range 10.244.2.0/23+10.244.8.0/23, which misses 10.244.1.0/24: the intent holds (pass), naming the range and where it came from', () => {
    const yaml = egressScene(cni, ['10.244.2.5', '10.244.2.6']) + NODES_APART + KCM('10.244.2.0/23,10.244.8.0/23');
    expect(intentOf(yaml).status).toBe('pass');
    // A run keeps no message of a pass; the verdict's, as the check gives it, says what it rests on.
    const [r] = [...intentViolation.evaluate({ snapshot: live(yaml), config: { ...defaultConfig(), intent: { deny: [{ name: 'client-never-reaches-web', from: { namespace: 'a', podSelector: { app: 'client' } }, to: { namespace: 'b', podSelector: { app: 'web' } }, ports: [8080] }] } }, now: new Date('2026-01-01T00:00:00Z') })];
    expect(r.status).toBe('pass');
    expect(r.message).toBe('intent "client-never-reaches-web" holds: no allowed flow from a pods {app=client} to b pods {app=web}; a/eg egress rule 0: 10.244.1.0/24 except 10.244.1.128/25 lies outside the cluster\'s pod range (10.244.2.0/23, 10.244.8.0/23, the kube-controller-manager\'s --cluster-cidr on Pod kube-system/kube-controller-manager-cp1), which every Node\'s podCIDRs and so every pod\'s address are taken from, so no pod can hold an address in it');
    expect((r.evidence as { enforcedBy: string }).enforcedBy).toBe('network');
  });
});

describe('kube-router, live: where the Nodes\' podCIDRs cannot vouch for it, the denial stays unconfirmed and says why', () => {
  const outside = egressScene(KUBE_ROUTER, ['10.244.2.5', '10.244.2.6']);
  const unconfirmed = (r: ReturnType<typeof intentOf>) => {
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).toContain("cannot be confirmed: no allowed flow from a pods {app=client} to b pods {app=web} as of this snapshot, but the denial rests on the pods' current addresses");
  };

  it('a Node\'s podCIDR (10.244.1.0/24) overlaps the block: a pod may be given an address in it, so as before', () => {
    const r = intentOf(outside + NODES_APART + nodeOf('n3', ['10.244.1.0/24']) + KCM('10.244.0.0/16'));
    unconfirmed(r);
    expect(r.message).toContain("Node n3's podCIDRs (10.244.1.0/24) overlap 10.244.1.0/24 except 10.244.1.128/25, so a pod may be given an address in it");
  });

  it('Nodes forbidden: as before, saying the Nodes could not be read', () => {
    const s = live(outside + NODES_APART);
    s.coverage.nodes = { status: 'forbidden', detail: 'list nodes (refused in test)' };
    delete s.resources.nodes;
    const r = intentOn(s);
    unconfirmed(r);
    expect(r.message).toContain('the Nodes could not be read (forbidden), so their podCIDRs cannot show that no pod may take an address in the block');
  });

  it('no Node in the snapshot: as before, saying so', () => {
    const r = intentOf(outside);
    unconfirmed(r);
    expect(r.message).toContain('the snapshot holds no Node, so no podCIDRs show that no pod may take an address in the block');
  });

  it('a Node without podCIDRs: its pods draw addresses from elsewhere, so as before, naming it', () => {
    const r = intentOf(outside + NODES_APART + nodeOf('bare', []));
    unconfirmed(r);
    expect(r.message).toContain('Node bare has no spec.podCIDRs');
  });

  it('a pod\'s address outside every Node\'s podCIDRs (a/client at 10.244.9.9 with only 10.244.2.0/24): the IPAM does not keep to them, so as before, naming the pod', () => {
    const r = intentOf(outside + nodeOf('n2', ['10.244.2.0/24']) + KCM('10.244.0.0/16'));
    unconfirmed(r);
    expect(r.message).toContain("pod a/client-5d8f-0's address 10.244.9.9 lies in no Node's podCIDRs, so the pods' IPAM does not keep to them");
  });

  it('OVN-Kubernetes allocates from its own per-node subnets: as before, saying so', () => {
    const r = intentOf(egressScene(CNIS[2][1], ['10.244.2.5', '10.244.2.6']) + NODES_APART);
    unconfirmed(r);
    expect(r.message).toContain('ovn-kubernetes gives pods addresses from its own per-node subnets (k8s.ovn.org/node-subnets), not the Nodes\' podCIDRs');
  });
});
