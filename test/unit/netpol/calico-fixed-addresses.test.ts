// Where a pod's own address is known, a Calico rule's `nets`/`notNets` on that pod's side is
// settled by it, not by the IPPools it might draw from. What the tests rest on, all upstream:
// - EntityRule "nets: Match packets with IP in any of the listed CIDRs", "notNets: Negative match
//   on CIDRs"; an ingress rule's destination is the endpoint the policy applies to, an egress
//   rule's source likewise (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy, EntityRule).
// - "Use a specific IP address with a pod" (https://docs.tigera.io/calico/latest/networking/ipam/use-specific-ip):
//   cni.projectcalico.org/ipAddrs assigns exactly the listed addresses through IPAM (they must lie
//   in a configured pool); "cni.projectcalico.org/ipAddrsNoIpam: A list of IPv4 and/or IPv6
//   addresses to assign to the Pod, bypassing IPAM" — an address in no pool — which needs the CNI
//   config's feature_control ip_addrs_no_ipam (https://docs.tigera.io/calico/latest/reference/configure-cni-plugins,
//   "Requesting a specific IP address"). Without it the CNI plugin refuses the pod ("requested
//   feature is not enabled: ip_addrs_no_ipam"), as it does a pod that sets both annotations
//   (projectcalico/calico cni-plugin/pkg/k8s/k8s.go CmdAddK8s).
// - A running pod's status.podIPs are its addresses ("podIPs holds the IP addresses allocated to
//   the pod", https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#PodStatus).
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';
import { config } from './calico-intent-cases.ts';
import { snap } from './helpers.ts';

const CNI = (feature?: boolean) => JSON.stringify(`{"name": "k8s-pod-network", "plugins": [{"type": "calico", "ipam": {"type": "calico-ipam"}, "policy": {"type": "k8s"}${feature === undefined ? '' : `, "feature_control": {"ip_addrs_no_ipam": ${feature}}`}}]}`);

/** calico-node; `cni` the CNI config its install-cni writes (none: an operator install renders its own, not read). */
const calicoNode = (cni?: string) => `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec:
      hostNetwork: true
${cni ? `      initContainers:\n      - name: install-cni\n        image: quay.io/calico/cni:v3.28.2\n        env: [{name: CNI_NETWORK_CONFIG, value: ${cni}}]\n` : ''}      containers: [{name: calico-node, image: quay.io/calico/node:v3.28.2}]
`;

const namespaces = `---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {kubernetes.io/metadata.name: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: db, labels: {kubernetes.io/metadata.name: db}}
`;

const deployment = (ns: string, name: string, port: number, annotations = '') => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata:
      labels: {app: ${name}}
${annotations ? `      annotations: {${annotations}}\n` : ''}    spec: {containers: [{name: c, image: 'img:1', ports: [{containerPort: ${port}}]}]}
`;

/** The one Workload pool: 10.244.0.0/16. */
const pool = `---
apiVersion: crd.projectcalico.org/v1
kind: IPPool
metadata: {name: b}
spec: {cidr: 10.244.0.0/16}
`;

/** pg (in db) isolated for ingress; its one rule allows 5432 with `destination` as given (pg's own side). */
const pgIn = (destination: string) => `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: pg-in, namespace: db}
spec:
  selector: app == 'pg'
  types: [Ingress]
  ingress:
  - action: Allow
    protocol: TCP
    destination: {${destination}, ports: [5432]}
`;

/** web (in shop) isolated for ingress; its one rule allows 8080 from pg when pg's address is in `nets` (the peer's side). */
const webInFromPg = (nets: string) => `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: web-in, namespace: shop}
spec:
  selector: app == 'web'
  types: [Ingress]
  ingress:
  - action: Allow
    protocol: TCP
    source: {selector: app == 'pg', namespaceSelector: all(), nets: [${nets}]}
    destination: {ports: [8080]}
`;

const NO_IPAM = (addrs: string) => `cni.projectcalico.org/ipAddrsNoIpam: '${addrs}'`;
/** web in shop, pg in db (pg annotated as given), the one pool, the policy. */
const cluster = (o: { cni?: string; pg?: string; policy: string }) =>
  calicoNode(o.cni) + namespaces + deployment('shop', 'web', 8080) + deployment('db', 'pg', 5432, o.pg ?? '') + pool + o.policy;

const toPg = (yaml: string) => reachCommandCore(snap(yaml), { from: 'shop/web', to: 'db/pg', port: '5432' });
const fromPg = (yaml: string) => reachCommandCore(snap(yaml), { from: 'db/pg', to: 'shop/web', port: '8080' });
const intentOf = (yaml: string) => {
  const [outcome] = runChecks([intentViolation], { snapshot: snap(yaml), config, now: new Date('2026-12-05T00:00:00Z') });
  return outcome.results[0]!;
};

describe('ipAddrsNoIpam with feature_control.ip_addrs_no_ipam on: the pod\'s fixed address settles nets', () => {
  const on = (policy: string, pg = NO_IPAM('["172.16.0.5"]')) => cluster({ cni: CNI(true), pg, policy });

  it('own side: destination nets [the pool] while pg is fixed at 172.16.0.5: the rule does not apply, DENIED for certain (exit 1), the intent holds', () => {
    const yaml = on(pgIn('nets: [10.244.0.0/16]'));
    const r = toPg(yaml);
    expect(r.exitCode, r.output).toBe(1);
    expect(r.output).toContain('DENIED: shop/web[Deployment] -> db/pg[Deployment] on 5432/TCP');
    expect(r.output).not.toContain('uncertain');
    expect(intentOf(yaml).status).toBe('pass');
  });

  it('own side: destination nets [172.16.0.0/12], which holds the fixed address: ALLOWED (exit 0), a definite high violation', () => {
    const yaml = on(pgIn('nets: [172.16.0.0/12]'));
    const r = toPg(yaml);
    expect(r.exitCode, r.output).toBe(0);
    expect(r.output).toContain('ALLOWED by Calico NetworkPolicy db/pg-in rule 0 (Allow): TCP 5432');
    expect(intentOf(yaml)).toMatchObject({ status: 'fail', severity: 'high' });
  });

  it('own side: destination notNets [172.16.0.0/12]: pg is inside, the rule does not apply: DENIED for certain', () => {
    const r = toPg(on(pgIn('notNets: [172.16.0.0/12]')));
    expect(r.exitCode, r.output).toBe(1);
    expect(r.output).not.toContain('uncertain');
  });

  it('peer side: source selector pg beside nets: [the pool] DENIED for certain (exit 1), [172.16.0.5/32] ALLOWED (exit 0)', () => {
    const outside = fromPg(on(webInFromPg('10.244.0.0/16')));
    expect(outside.exitCode, outside.output).toBe(1);
    expect(outside.output).toContain('DENIED: db/pg[Deployment] -> shop/web[Deployment] on 8080/TCP');
    expect(outside.output).not.toContain('uncertain');
    const inside = fromPg(on(webInFromPg('172.16.0.5/32')));
    expect(inside.exitCode, inside.output).toBe(0);
    expect(inside.output).toContain('ALLOWED by Calico NetworkPolicy shop/web-in rule 0 (Allow): TCP 8080');
  });

  it('a dual-stack fixed pair is both addresses: nets [172.16.0.0/12] holds only the IPv4 one, so pg is partly inside: UNKNOWN naming both', () => {
    const r = toPg(on(pgIn('nets: [172.16.0.0/12]'), NO_IPAM('["172.16.0.5", "fd00::5"]')));
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("pod db/pg (template)'s addresses 172.16.0.5 and fd00::5 (cni.projectcalico.org/ipAddrsNoIpam)");
  });
});

describe('ipAddrsNoIpam where the feature is not known to be on: UNKNOWN, saying why', () => {
  it('beside the Amazon VPC CNI (Calico for policy only) the annotation is no Calico CNI\'s to read: UNKNOWN naming why the pools are not trusted, not a certain DENIED', () => {
    const awsNode = `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: aws-node, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: aws-node}}
  template:
    metadata: {labels: {k8s-app: aws-node}}
    spec: {hostNetwork: true, containers: [{name: aws-node, image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.18.0}]}
`;
    const r = toPg(awsNode + cluster({ cni: CNI(true), pg: NO_IPAM('["172.16.0.5"]'), policy: pgIn('nets: [10.244.0.0/16]') }));
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('Calico IPPools are not trusted: the Amazon VPC CNI (DaemonSet kube-system/aws-node) gives pods their addresses');
  });

  it('no CNI config read (an operator install renders its own): UNKNOWN (exit 2), naming the feature flag it could not see; the intent "cannot be confirmed"', () => {
    const yaml = cluster({ pg: NO_IPAM('["172.16.0.5"]'), policy: pgIn('nets: [10.244.0.0/16]') });
    const r = toPg(yaml);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('pod db/pg (template) sets cni.projectcalico.org/ipAddrsNoIpam: Calico gives it that address, bypassing IPAM and any IPPool, only when the CNI config enables feature_control.ip_addrs_no_ipam, and no CNI config calico-node installs was read, so its address is not known');
    const v = intentOf(yaml);
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).toContain('cannot be confirmed');
  });

  it('the CNI config read without the feature: UNKNOWN (exit 2), saying the CNI plugin refuses the pod', () => {
    for (const cni of [CNI(), CNI(false)]) {
      const r = toPg(cluster({ cni, pg: NO_IPAM('["172.16.0.5"]'), policy: pgIn('nets: [10.244.0.0/16]') }));
      expect(r.exitCode).toBe(2);
      expect(r.output).toContain("does not enable feature_control.ip_addrs_no_ipam: Calico's CNI plugin refuses to network the pod");
    }
  });

  it('both ipAddrs and ipAddrsNoIpam, or a list of two IPv4 addresses: refused, UNKNOWN naming why', () => {
    const both = toPg(cluster({ cni: CNI(true), pg: `${NO_IPAM('["172.16.0.5"]')}, cni.projectcalico.org/ipAddrs: '["10.244.1.5"]'`, policy: pgIn('nets: [10.244.0.0/16]') }));
    expect(both.exitCode).toBe(2);
    expect(both.output).toContain("Calico's CNI plugin refuses both at once");
    const two = toPg(cluster({ cni: CNI(true), pg: NO_IPAM('["172.16.0.5", "172.16.0.6"]'), policy: pgIn('nets: [10.244.0.0/16]') }));
    expect(two.exitCode).toBe(2);
    expect(two.output).toContain('which is not a JSON list of one IPv4 and/or one IPv6 address');
  });
});

describe('ipAddrs (through IPAM) pins the address itself, not only the pool holding it', () => {
  // nets 10.244.1.0/24 cut through the one pool: the pool alone leaves pg in doubt.
  const fixed = (addr: string) => cluster({ cni: CNI(), pg: `cni.projectcalico.org/ipAddrs: '["${addr}"]'`, policy: pgIn('nets: [10.244.1.0/24]') });

  it('pg fixed at 10.244.1.5, inside the nets: ALLOWED (exit 0); at 10.244.2.5, outside: DENIED for certain (exit 1)', () => {
    const inside = toPg(fixed('10.244.1.5'));
    expect(inside.exitCode, inside.output).toBe(0);
    expect(inside.output).toContain('ALLOWED by Calico NetworkPolicy db/pg-in rule 0 (Allow): TCP 5432');
    const outside = toPg(fixed('10.244.2.5'));
    expect(outside.exitCode, outside.output).toBe(1);
    expect(outside.output).not.toContain('uncertain');
  });

  it('guard: without the annotation the pool lies partly inside the nets: UNKNOWN (exit 2) naming the pool', () => {
    const r = toPg(cluster({ cni: CNI(), policy: pgIn('nets: [10.244.1.0/24]') }));
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("the pods' address pools (IPPool b (10.244.0.0/16)) lie partly inside it");
  });
});

describe('a running pod\'s status.podIPs settle nets for that pod', () => {
  const livePod = (ns: string, name: string, app: string, ip: string, port: number) => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: {app: ${app}}}
spec: {containers: [{name: c, image: 'img:1', ports: [{containerPort: ${port}}]}]}
status: {phase: Running, podIP: ${ip}, podIPs: [{ip: ${ip}}]}
`;
  const live = (pgPods: string, policy: string) => {
    const yaml = calicoNode(CNI()) + namespaces + livePod('shop', 'web', 'web', '10.244.7.7', 8080) + pgPods + pool + policy;
    return snapshotFromObjects(parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o === 'object'), { origin: 'live' });
  };
  const reachLive = (pgPods: string, policy: string, to = 'db/pg') => reachCommandCore(live(pgPods, policy), { from: 'shop/web', to, port: '5432' });

  it('own side: nets 10.244.1.0/24 cut through the pool; pg at 10.244.1.5 is ALLOWED (exit 0), at 10.244.2.5 DENIED for certain (exit 1)', () => {
    const inside = reachLive(livePod('db', 'pg', 'pg', '10.244.1.5', 5432), pgIn('nets: [10.244.1.0/24]'));
    expect(inside.exitCode, inside.output).toBe(0);
    expect(inside.output).toContain('ALLOWED by Calico NetworkPolicy db/pg-in rule 0 (Allow): TCP 5432');
    const outside = reachLive(livePod('db', 'pg', 'pg', '10.244.2.5', 5432), pgIn('nets: [10.244.1.0/24]'));
    expect(outside.exitCode, outside.output).toBe(1);
    expect(outside.output).not.toContain('uncertain');
  });

  it('peer side: web\'s own address 10.244.7.7 against source nets on pg\'s rule: outside 10.244.1.0/24 DENIED for certain, inside 10.244.7.0/24 ALLOWED', () => {
    const fromWeb = (nets: string) => pgIn('ports: [5432]').replace('destination: {ports: [5432], ports: [5432]}', `source: {nets: [${nets}]}\n    destination: {ports: [5432]}`);
    const pg = livePod('db', 'pg', 'pg', '10.244.1.5', 5432);
    const denied = reachLive(pg, fromWeb('10.244.1.0/24'));
    expect(denied.exitCode, denied.output).toBe(1);
    expect(denied.output).not.toContain('uncertain');
    expect(reachLive(pg, fromWeb('10.244.7.0/24')).exitCode).toBe(0);
  });

  it('two pods of one class on either side of the nets: that class stays UNKNOWN (exit 2), the doubt naming both pods\' addresses', () => {
    const pods = livePod('db', 'pg-0', 'pg', '10.244.1.5', 5432) + livePod('db', 'pg-1', 'pg', '10.244.2.5', 5432);
    const r = reachLive(pods, pgIn('nets: [10.244.1.0/24]'), 'db/pg-0');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("pod db/pg-0's address 10.244.1.5, pod db/pg-1's address 10.244.2.5 (status.podIPs)");
  });
});
