// AdminNetworkPolicy / BaselineAdminNetworkPolicy in the effective model. Each case cites the
// upstream text it follows: the v1alpha1 API reference (kubernetes-sigs/network-policy-api,
// apis/v1alpha1/*_types.go, release v0.1.7) and the project's pages
// (https://network-policy-api.sigs.k8s.io/api-overview/).
import { describe, expect, it } from 'vitest';
import { allowAllIngress } from '../../../checks/network/allow-all-ingress.ts';
import { cniNotEnforcing } from '../../../checks/network/cni-not-enforcing.ts';
import { invalidPolicy } from '../../../checks/network/invalid-policy.ts';
import { namespaceDefaultDenyEgress } from '../../../checks/network/namespace-default-deny-egress.ts';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { policySelectsNothing } from '../../../checks/network/policy-selects-nothing.ts';
import { unrestrictedEgress } from '../../../checks/network/unrestricted-egress.ts';
import { egressVerdict, buildReachability } from '../../../src/analysis/netpol/model.ts';
import { queryReach, reachMatrix } from '../../../src/analysis/netpol/query.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { formatConns } from '../../../src/analysis/netpol/conns.ts';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { ctxOf, ns, pod, policy, snap } from './helpers.ts';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const anp = (name: string, priority: number | string, body: string) => `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: ${name}}
spec:
  priority: ${priority}
${body.replace(/^\n/, '').split('\n').map((l) => `  ${l}`).join('\n')}
`;
const banp = (name: string, body: string) => `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: ${name}}
spec:
${body.replace(/^\n/, '').split('\n').map((l) => `  ${l}`).join('\n')}
`;
const daemonset = (name: string, image: string) => `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}, namespace: kube-system}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {hostNetwork: true, containers: [{name: agent, image: ${image}}]}
`;
const nsSel = (n: string) => `{matchLabels: {kubernetes.io/metadata.name: ${n}}}`;

const cluster = ns('a') + ns('b') + ns('c') + pod('a', 'web', { app: 'web' }, [{ name: 'http', containerPort: 8080 }]) + pod('b', 'client', { app: 'client' }) + pod('c', 'other', { app: 'other' });

describe('AdminNetworkPolicy precedence', () => {
  it('lower priority first; Deny is final ("Policies with lower priority values have higher precedence")', () => {
    const yaml = cluster
      + anp('allow-b', 20, `subject: {namespaces: ${nsSel('a')}}\ningress: [{name: from-b, action: Allow, from: [{namespaces: ${nsSel('b')}}]}]`)
      + anp('deny-b', 10, `subject: {namespaces: ${nsSel('a')}}\ningress: [{name: no-b, action: Deny, from: [{namespaces: ${nsSel('b')}}]}]`);
    const r = queryReach(buildReachability(snap(yaml)), 'b/client', 'a/web', 8080);
    expect(r.allowed).toBe(false);
    expect(r.ingress.decisions).toEqual([{ allowed: false, conns: 'TCP 8080', by: 'AdminNetworkPolicy deny-b (priority 10) rule 0 "no-b" (Deny)', rule: expect.objectContaining({ api: 'AdminNetworkPolicy', action: 'Deny' }) }]);
    const text = reachCommandCore(snap(yaml), { from: 'b/client', to: 'a/web', port: '8080' }).output;
    expect(text).toContain('DENIED by AdminNetworkPolicy deny-b (priority 10) rule 0 "no-b" (Deny): TCP 8080');
  });

  it('an ANP Allow overrides NetworkPolicy isolation ("allows the selected traffic (even if it would otherwise have been denied by NetworkPolicy)")', () => {
    const yaml = cluster + policy('a', 'deny', '{podSelector: {}, policyTypes: [Ingress]}')
      + anp('allow-b', 20, `subject: {namespaces: ${nsSel('a')}}\ningress: [{action: Allow, from: [{namespaces: ${nsSel('b')}}], ports: [{portNumber: {port: 8080}}]}]`);
    const model = buildReachability(snap(yaml));
    expect(queryReach(model, 'b/client', 'a/web', 8080).allowed).toBe(true);
    expect(queryReach(model, 'b/client', 'a/web', 9090).allowed).toBe(false); // not matched by the ANP: NetworkPolicy isolates
    expect(queryReach(model, 'c/other', 'a/web', 8080).allowed).toBe(false);
  });

  it('Pass hands over to NetworkPolicy; a pod NetworkPolicy does not select goes on to the BANP ("If the pod is not selected by any NetworkPolicies then execution is passed to any BaselineAdminNetworkPolicies")', () => {
    const base = cluster
      + anp('delegate', 5, `subject: {namespaces: {}}\ningress: [{action: Pass, from: [{namespaces: ${nsSel('b')}}]}, {action: Deny, from: [{namespaces: {}}]}]`)
      + banp('default', `subject: {namespaces: {}}\ningress: [{name: baseline-deny-b, action: Deny, from: [{namespaces: ${nsSel('b')}}]}]`);
    // No NetworkPolicy selects a/web: the BANP decides the passed traffic.
    const r1 = queryReach(buildReachability(snap(base)), 'b/client', 'a/web', 8080);
    expect(r1.allowed).toBe(false);
    expect(r1.ingress.decisions[0].by).toBe('BaselineAdminNetworkPolicy default rule 0 "baseline-deny-b" (Deny)');
    // A NetworkPolicy selects a/web and allows b: the BANP is never consulted.
    const withNp = base + policy('a', 'from-b', `{podSelector: {}, ingress: [{from: [{namespaceSelector: ${nsSel('b')}}]}]}`);
    const r2 = queryReach(buildReachability(snap(withNp)), 'b/client', 'a/web', 8080);
    expect(r2.allowed).toBe(true);
    expect(r2.ingress.decisions[0].by).toBe('NetworkPolicy a/from-b rule 0 (Allow)');
    // c is not passed: rule 1 of the ANP denies it before NetworkPolicy.
    expect(queryReach(buildReachability(snap(withNp)), 'c/other', 'a/web', 8080).ingress.decisions[0].by).toBe('AdminNetworkPolicy delegate (priority 5) rule 1 (Deny)');
  });

  it('first match per port: Allow on a range, Pass on one port, the rest falls to NetworkPolicy (netpol-analyzer anp_test_3_pass_traffic, narrowed)', () => {
    const yaml = cluster + policy('b', 'eg', `{podSelector: {}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: ${nsSel('a')}}], ports: [{port: 9090}]}]}`)
      + anp('split', 20, `subject: {namespaces: ${nsSel('b')}}\negress:\n- {action: Allow, to: [{pods: {namespaceSelector: ${nsSel('a')}, podSelector: {}}}], ports: [{portRange: {start: 1, end: 8079}}]}\n- {action: Pass, to: [{namespaces: ${nsSel('a')}}], ports: [{portNumber: {port: 8080}}]}`);
    const r = queryReach(buildReachability(snap(yaml)), 'b/client', 'a/web');
    expect(formatConns(r.ports)).toBe('TCP 1-8079,9090');
  });

  it('named ports resolve on the destination pod; portRange is inclusive', () => {
    const yaml = cluster
      + anp('named', 10, `subject: {namespaces: ${nsSel('a')}}\ningress: [{action: Allow, from: [{namespaces: {}}], ports: [{namedPort: http}, {portRange: {protocol: UDP, start: 5000, end: 5002}}]}, {action: Deny, from: [{namespaces: {}}]}]`);
    const r = queryReach(buildReachability(snap(yaml)), 'b/client', 'a/web');
    expect(formatConns(r.ports)).toBe('TCP 8080,UDP 5000-5002');
  });

  // AdminNetworkPolicyPort.namedPort has no protocol (apis/v1alpha1/shared_types.go): the
  // container port's declared protocol applies, as netpol-analyzer reads it.
  it('a namedPort matches a UDP container port of that name: an ANP Deny on "dns" denies UDP 53', () => {
    const dns = pod('a', 'dns', { app: 'dns' }, [{ name: 'dns', containerPort: 53, protocol: 'UDP' }]);
    const yaml = ns('a', { team: 'x' }) + ns('b') + dns + pod('b', 'client', { app: 'client' })
      + anp('deny-dns', 10, `subject: {namespaces: {matchLabels: {team: x}}}\ningress: [{name: deny-dns, action: Deny, from: [{namespaces: {}}], ports: [{namedPort: dns}]}]`);
    const r = queryReach(buildReachability(snap(yaml)), 'b/client', 'a/dns', 'dns', 'UDP');
    expect(r.allowed).toBe(false);
    expect(r.ingress.decisions).toEqual([expect.objectContaining({ allowed: false, conns: 'UDP 53', by: 'AdminNetworkPolicy deny-dns (priority 10) rule 0 "deny-dns" (Deny)' })]);
    const text = reachCommandCore(snap(yaml), { from: 'b/client', to: 'a/dns', port: 'dns/UDP' }).output;
    expect(text).toMatch(/^DENIED: /);
    expect(text).toContain('DENIED by AdminNetworkPolicy deny-dns (priority 10) rule 0 "deny-dns" (Deny): UDP 53');
  });

  it('an ANP Allow on a UDP named port wins over a later BANP Deny', () => {
    const dns = pod('a', 'dns', { app: 'dns' }, [{ name: 'dns', containerPort: 53, protocol: 'UDP' }]);
    const yaml = ns('a') + ns('b') + dns + pod('b', 'client', { app: 'client' })
      + anp('allow-dns', 10, `subject: {namespaces: ${nsSel('a')}}\ningress: [{action: Allow, from: [{namespaces: {}}], ports: [{namedPort: dns}]}]`)
      + banp('default', `subject: {namespaces: {}}\ningress: [{name: deny-all, action: Deny, from: [{namespaces: {}}]}]`);
    const model = buildReachability(snap(yaml));
    const r = queryReach(model, 'b/client', 'a/dns', 53, 'UDP');
    expect(r.allowed).toBe(true);
    expect(r.ingress.decisions[0].by).toBe('AdminNetworkPolicy allow-dns (priority 10) rule 0 (Allow)');
    expect(queryReach(model, 'b/client', 'a/dns', 53, 'TCP').allowed).toBe(false); // the pod declares dns on UDP only
  });

  it('egress networks are external peers; nodes match node endpoints; host-network pods are not subjects ("Note that host-networked pods are not included in subject selection")', () => {
    const yaml = cluster + pod('a', 'agent', { app: 'agent' }, [], { hostNetwork: true })
      + anp('egress', 10, `subject: {namespaces: ${nsSel('a')}}\negress:\n- {action: Allow, to: [{networks: [10.0.0.0/8]}]}\n- {action: Deny, to: [{nodes: {matchLabels: {node-role.kubernetes.io/control-plane: ''}}}]}\n- {action: Deny, to: [{networks: [0.0.0.0/0]}]}`);
    const model = buildReachability(snap(yaml));
    expect(queryReach(model, 'a/web', '10.1.2.3', 443).allowed).toBe(true);
    expect(queryReach(model, 'a/web', '8.8.8.8', 443).allowed).toBe(false);
    // networks match pods too ("cluster-internal traffic will be checked against the rule as
    // well"), and pod addresses are not known: 10.0.0.0/8 may or may not hold b/client, and
    // 0.0.0.0/0 holds it if it is IPv4. Counted as denied by rule 2; uncertain.
    const toPod = queryReach(model, 'a/web', 'b/client', 443);
    expect(toPod.allowed).toBe(false);
    expect(toPod.undetermined?.some((u) => u.startsWith('uncertain: '))).toBe(true);
    expect(queryReach(model, 'a/agent', '8.8.8.8', 443).allowed).toBe(true); // host network: not a subject
    const web = model.classesByNamespace.get('a')!.find((c) => c.labels.app === 'web')!;
    const cp = egressVerdict(model, { kind: 'class', cls: web }, { kind: 'node', name: 'cp-1', labels: { 'node-role.kubernetes.io/control-plane': '' } });
    expect(cp.conns).toEqual({ SCTP: [], TCP: [], UDP: [] });
    expect(egressVerdict(model, { kind: 'class', cls: web }, { kind: 'node', name: 'worker-1', labels: {} }).decisions[0].cause).toMatchObject({ kind: 'default-allow' });
  });
});

// A host-network pod listens on its node's address, so a `nodes` peer reaches it: upstream's
// conformance test AdminNetworkPolicyEgressNodePeers (network-policy-api v0.1.7,
// conformance/tests/admin-network-policy-experimental-egress-rules.go, policy
// node-and-cidr-as-peers-example in conformance/base/admin_network_policy/
// experimental-egress-selector-rules.yaml) dials "our server host-networked pod" centaur-1 and
// expects the Allow-to-nodes port to succeed, the Pass port to succeed (nothing later denies it)
// and every other port, denied by `nodes` and `networks` 0.0.0.0/0, ::/0, to fail.
describe('nodes peers reach host-network pods (AdminNetworkPolicyEgressNodePeers)', () => {
  const monitoring = ns('shop', { team: 'shop' }) + ns('monitoring')
    + pod('shop', 'api', { app: 'api' }, [{ name: 'http', containerPort: 8080 }])
    + pod('monitoring', 'node-exporter', { app: 'ne' }, [{ name: 'metrics', containerPort: 9100 }], { hostNetwork: true })
    + pod('monitoring', 'scraper', { app: 'scraper' }, [{ name: 'metrics', containerPort: 9100 }]);
  const shopSubject = 'subject: {namespaces: {matchLabels: {team: shop}}}';
  const run = (yaml: string, to: string, port: string) => reachCommandCore(snap(yaml), { from: 'shop/api', to, port });

  it('Allow to nodes {} lets a pod reach a host-network pod on that port, for certain; the Deny after it takes the rest', () => {
    const yaml = monitoring + anp('nodes-then-deny', 10, `${shopSubject}\negress:\n- {name: allow-node-exporter, action: Allow, to: [{nodes: {}}], ports: [{portNumber: {port: 9100, protocol: TCP}}]}\n- {name: deny-rest, action: Deny, to: [{networks: [0.0.0.0/0, '::/0']}]}`);
    const r = run(yaml, 'monitoring/node-exporter', '9100');
    expect(r.exitCode).toBe(0);
    expect(r.output).toMatch(/^ALLOWED: shop\/api\[Pod\] -> monitoring\/node-exporter\[Pod\] on 9100\/TCP/);
    expect(r.output).toContain('ALLOWED by AdminNetworkPolicy nodes-then-deny (priority 10) rule 0 "allow-node-exporter" (Allow): TCP 9100');
    expect(r.output).not.toContain('uncertain');
    expect(run(yaml, 'monitoring/node-exporter', '9101').output).toContain('DENIED by AdminNetworkPolicy nodes-then-deny (priority 10) rule 1 "deny-rest" (Deny): TCP 9101');
    // A pod on the pod network is no node: the nodes peer does not name it.
    expect(run(yaml, 'monitoring/scraper', '9100').output).toContain('DENIED by AdminNetworkPolicy nodes-then-deny (priority 10) rule 1 "deny-rest" (Deny): TCP 9100');
    const rows = JSON.parse(reachCommandCore(snap(yaml), { matrix: true, output: 'json' }).output) as Array<{ src: string; dst: string; conn: string }>;
    expect(rows.filter((x) => x.src === 'shop/api[Pod]' && !x.dst.endsWith('[External]'))).toEqual([{ src: 'shop/api[Pod]', dst: 'monitoring/node-exporter[Pod]', conn: 'TCP 9100' }]);
  });

  it('Deny to nodes {} denies a host-network pod', () => {
    const yaml = monitoring + anp('deny-nodes', 10, `${shopSubject}\negress:\n- {action: Deny, to: [{nodes: {}}]}\n- {action: Deny, to: [{networks: [169.254.169.254/32]}]}`);
    const r = run(yaml, 'monitoring/node-exporter', '9100');
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED by AdminNetworkPolicy deny-nodes (priority 10) rule 0 (Deny): TCP 9100');
    expect(run(yaml, 'monitoring/scraper', '9100').exitCode).toBe(0);
  });

  it('a node selector (upstream\'s kubernetes.io/os: linux) may or may not select the pod\'s node: read as selecting it, answered UNKNOWN', () => {
    const linux = '{nodes: {matchLabels: {kubernetes.io/os: linux}}}';
    const yaml = monitoring + anp('node-and-cidr-as-peers-example', 75, `${shopSubject}\negress:\n- {name: allow-egress-to-9100-on-nodes, action: Allow, to: [${linux}], ports: [{portNumber: {protocol: TCP, port: 9100}}]}\n- {name: pass-egress-to-9200-on-nodes, action: Pass, to: [${linux}], ports: [{portNumber: {protocol: UDP, port: 9200}}]}\n- {name: deny-egress-to-nodes-and-internet, action: Deny, to: [${linux}, {networks: [0.0.0.0/0, '::/0']}]}`);
    const allow = run(yaml, 'monitoring/node-exporter', '9100');
    expect(allow.exitCode).toBe(2);
    expect(allow.output).toContain('the model reads it as ALLOWED by AdminNetworkPolicy node-and-cidr-as-peers-example (priority 75) rule 0 "allow-egress-to-9100-on-nodes" (Allow)');
    expect(allow.output).toContain('nodes kubernetes.io/os in (linux) is not known (the model does not place pods on nodes, and the Nodes are not all known (read from manifests, or not listed)); counted as selected');
    const pass = run(yaml, 'monitoring/node-exporter', '9200/UDP');
    expect(pass.exitCode).toBe(2);
    expect(pass.output).toContain('the model reads it as ALLOWED');
    // Rule 2 also names 0.0.0.0/0 and ::/0, which hold every address: denied for certain.
    const deny = run(yaml, 'monitoring/node-exporter', '9101');
    expect(deny.exitCode).toBe(1);
    expect(deny.output).toContain('DENIED by AdminNetworkPolicy node-and-cidr-as-peers-example (priority 75) rule 2 "deny-egress-to-nodes-and-internet" (Deny): TCP 9101');
    expect(deny.output).not.toContain('uncertain');
  });
});

// "It selects the nodeIPs as the peer type by matching on the IPs present in the
// node.Status.Addresses field of the node" (network-policy-api apis/v1alpha1
// AdminNetworkPolicyEgressPeer.Nodes), and a host-network pod listens on its node's addresses: with
// every Node listed (a live snapshot), a selector that selects them all holds the pod wherever it
// runs, one that selects none never does; one that selects some stays in doubt.
describe('a node selector against a host-network pod, every Node listed', () => {
  const monitoring = ns('shop', { team: 'shop' }) + ns('monitoring')
    + pod('shop', 'api', { app: 'api' }, [{ name: 'http', containerPort: 8080 }])
    + pod('monitoring', 'node-exporter', { app: 'ne' }, [{ name: 'metrics', containerPort: 9100 }], { hostNetwork: true });
  const node = (name: string, os: string) => `---\napiVersion: v1\nkind: Node\nmetadata: {name: ${name}, labels: {kubernetes.io/os: ${os}}}\n`;
  const denyLinux = anp('deny-linux-nodes', 10, "subject: {namespaces: {matchLabels: {team: shop}}}\negress:\n- {name: deny-linux, action: Deny, to: [{nodes: {matchLabels: {kubernetes.io/os: linux}}}], ports: [{portNumber: {protocol: TCP, port: 9100}}]}");
  const live = (yaml: string) => snapshotFromObjects(parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o === 'object'), { origin: 'live' });
  const ask = (yaml: string) => reachCommandCore(live(yaml), { from: 'shop/api', to: 'monitoring/node-exporter', port: '9100' });

  it('every Node is linux: the Deny holds the pod for certain (DENIED, exit 1)', () => {
    const r = ask(monitoring + denyLinux + node('n1', 'linux') + node('n2', 'linux'));
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED by AdminNetworkPolicy deny-linux-nodes (priority 10) rule 0 "deny-linux" (Deny): TCP 9100');
    expect(r.output).not.toContain('uncertain');
  });

  it('no Node is linux: the Deny never holds it (ALLOWED, exit 0)', () => {
    const r = ask(monitoring + denyLinux + node('w1', 'windows'));
    expect(r.exitCode).toBe(0);
    expect(r.output).not.toContain('uncertain');
  });

  it('some Nodes are linux: which one the pod runs on decides, so UNKNOWN (exit 2), saying why', () => {
    const r = ask(monitoring + denyLinux + node('n1', 'linux') + node('w1', 'windows'));
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('whether the node a host-network pod runs on is selected by nodes kubernetes.io/os in (linux) is not known (they select some of the Nodes, and the model does not place pods on nodes); counted as selected');
  });
});

describe('which CNIs count AdminNetworkPolicy', () => {
  const deny = cluster + anp('deny-all', 1, `subject: {namespaces: ${nsSel('a')}}\ningress: [{action: Deny, from: [{namespaces: {}}]}]`);

  it('Cilium does not implement ANP: decorative, left out, and reach says so', () => {
    const yaml = deny + daemonset('cilium', 'quay.io/cilium/cilium:v1.17.4');
    const r = queryReach(buildReachability(snap(yaml)), 'b/client', 'a/web', 8080);
    expect(r.allowed).toBe(true);
    expect(r.notes).toContain('AdminNetworkPolicy objects are not counted: cilium does not implement AdminNetworkPolicy');
    const v = [...cniNotEnforcing.evaluate(ctxOf(yaml))];
    const f = v.find((x) => x.detailKey === 'AdminNetworkPolicy')!;
    expect(f).toMatchObject({ status: 'fail', severity: 'high', message: '1 AdminNetworkPolicy object(s) have no effect: cilium does not implement AdminNetworkPolicy' });
    expect(f.evidence?.policies).toEqual(['AdminNetworkPolicy deny-all']);
  });

  // Antrea with its AdminNetworkPolicy feature gate on (docs/admin-network-policy.md v2.2.0, "disabled by default").
  const antreaAnpOn = '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: antrea-config, namespace: kube-system}\ndata:\n  antrea-controller.conf: "featureGates: {AdminNetworkPolicy: true}"\n';
  it.each([['ovn-kubernetes', 'ghcr.io/ovn-org/ovn-kubernetes/ovn-kube-ubuntu:v1.0.0', 'ovnkube-node', ''], ['antrea', 'antrea/antrea-agent-ubuntu:v2.2.0', 'antrea-agent', antreaAnpOn], ['calico', 'quay.io/calico/node:v3.30.2', 'calico-node', ''], ['kube-network-policies', 'registry.k8s.io/networking/kube-network-policies:v1.1.0-npa-v1alpha1', 'kube-network-policies', '']])('%s implements it: counted', (_cni, image, name, config) => {
    const r = queryReach(buildReachability(snap(deny + daemonset(name, image) + config)), 'b/client', 'a/web', 8080);
    expect(r.allowed).toBe(false);
    expect(r.ingress.decisions[0].by).toBe('AdminNetworkPolicy deny-all (priority 1) rule 0 (Deny)');
  });

  // Calico's converters for the admin APIs enter libcalico-go/lib/backend/k8s/conversion/conversion.go
  // at v3.29.0 (AdminNetworkPolicy) and v3.30.0 (BaselineAdminNetworkPolicy). Reviewer repro
  // r9-calico329-banp: an ANP on calico/node v3.28.2 was evaluated as denying.
  describe('Calico by the version of its calico/node image', () => {
    const banpDeny = banp('default', `subject: {namespaces: {}}\ningress: [{action: Deny, from: [{namespaces: ${nsSel('b')}}]}]`);
    const both = cluster + anp('deny-c', 1, `subject: {namespaces: ${nsSel('a')}}\ningress: [{action: Deny, from: [{namespaces: ${nsSel('c')}}]}]`) + banpDeny;
    const at = (image: string) => both + daemonset('calico-node', image);
    const decisions = (yaml: string) => { const m = buildReachability(snap(yaml)); return [queryReach(m, 'c/other', 'a/web', 8080).allowed, queryReach(m, 'b/client', 'a/web', 8080).allowed]; };

    it('v3.28: neither ANP nor BANP is enforced; both are reported as having no effect', () => {
      const yaml = at('docker.io/calico/node:v3.28.2');
      expect(decisions(yaml)).toEqual([true, true]);
      const r = queryReach(buildReachability(snap(yaml)), 'c/other', 'a/web', 8080);
      expect(r.notes).toContain('AdminNetworkPolicy objects are not counted: calico v3.28.2 does not implement AdminNetworkPolicy (Calico enforces it from v3.29.0 to v3.31)');
      const fails = [...cniNotEnforcing.evaluate(ctxOf(yaml))].filter((v) => v.status === 'fail').map((v) => v.message);
      expect(fails).toEqual([
        '1 AdminNetworkPolicy object(s) have no effect: calico v3.28.2 does not implement AdminNetworkPolicy (Calico enforces it from v3.29.0 to v3.31)',
        '1 BaselineAdminNetworkPolicy object(s) have no effect: calico v3.28.2 does not implement BaselineAdminNetworkPolicy (Calico enforces it from v3.30.0 to v3.31)',
      ]);
    });
    it('v3.29: ANP enforced, BANP not', () => {
      const yaml = at('quay.io/calico/node:v3.29.7@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
      expect(decisions(yaml)).toEqual([false, true]);
      expect([...cniNotEnforcing.evaluate(ctxOf(yaml))].filter((v) => v.status === 'fail').map((v) => v.detailKey)).toEqual(['BaselineAdminNetworkPolicy']);
    });
    it('v3.30 and v3.31: both enforced, nothing noted', () => {
      for (const image of ['quay.io/calico/node:v3.30.0', 'registry.corp:5000/mirror/calico/node:v3.31.7']) {
        expect(decisions(at(image))).toEqual([false, false]);
        expect(buildReachability(snap(at(image))).notes).toEqual([]);
      }
    });
    // projectcalico/calico release-notes/v3.32.0-release-notes.md: "Removing AdminNetworkPolicy and
    // BaselineAdminNetworkPolicy API support in favor of ClusterNetworkPolicy. […] Calico v3.32 and
    // newer won't enforce them."
    it('v3.32 and later: neither is enforced any more (ClusterNetworkPolicy replaces them); both reported as having no effect', () => {
      const yaml = at('registry.corp:5000/mirror/calico/node:v3.32.1');
      expect(decisions(yaml)).toEqual([true, true]);
      expect([...cniNotEnforcing.evaluate(ctxOf(yaml))].filter((v) => v.status === 'fail').map((v) => v.message)).toEqual([
        '1 AdminNetworkPolicy object(s) have no effect: calico v3.32.1 does not implement AdminNetworkPolicy (Calico enforces it from v3.29.0 to v3.31)',
        '1 BaselineAdminNetworkPolicy object(s) have no effect: calico v3.32.1 does not implement BaselineAdminNetworkPolicy (Calico enforces it from v3.30.0 to v3.31)',
      ]);
    });
    it('mid-upgrade, the older release decides; a release the tag does not name is taken to enforce them, and said', () => {
      expect(decisions(at('calico/node:v3.30.2') + daemonset('calico-node-old', 'calico/node:v3.28.0'))).toEqual([true, true]);
      for (const image of ['calico/node:latest', 'calico/node@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'registry.corp/calico/node:custom-build']) {
        const model = buildReachability(snap(at(image)));
        expect(decisions(at(image))).toEqual([false, false]);
        expect(model.notes.map((n) => n.message)).toEqual([
          "Calico's version is unknown (its calico/node image tag names no release): AdminNetworkPolicy is taken as enforced, as Calico does from v3.29.0 to v3.31",
          "Calico's version is unknown (its calico/node image tag names no release): BaselineAdminNetworkPolicy is taken as enforced, as Calico does from v3.30.0 to v3.31",
        ]);
      }
    });
  });

  // Calico v3.29-v3.31 enforce ANP/BANP as GlobalNetworkPolicies made by
  // libcalico-go/lib/backend/k8s/conversion/conversion.go (projectcalico/calico v3.29.0-v3.31.7):
  // - k8sAdminPolicyPortToCalicoFields returns no protocol and no port for a namedPort ("TODO: Add
  //   support for NamedPorts"); unpackANPPorts reads that as "no ports were specified […] which we
  //   translate to allowing all" and breaks, dropping the rule's other port entries;
  // - combinePortsWithANPEgressPeers converts namespaces, pods and networks only (else "none of
  //   supported fields in 'To' is set."), and k8sANPHandleFailedRules / k8sBANPHandleFailedRules
  //   replace a failed Deny or Pass rule with Rule{Action: Deny} and drop a failed Allow rule.
  //   Calico's own adminnetworkpolicy_test.go (v3.30.0) asserts it: "should faild parsing an
  //   AdminNetworkPolicy with a rule with neither namespaces or pods set" (the Pass egress rule
  //   becomes Rule{Action: Deny}, the Allow ingress rule leaves no rule) and "should replace an
  //   unsupported AdminNeworkPolicy rule with Deny action with a deny-all one".
  // Reviewer repros /tmp/revC/m, /tmp/revC/l, /tmp/revC/s: ztaudit evaluated these rules as the API
  // defines them (DENIED where Calico allows every port; ALLOWED where Calico denies all egress).
  describe("Calico v3.29-v3.31's conversion of ANP and BANP rules", () => {
    const calico = (v: string) => daemonset('calico-node', `docker.io/calico/node:${v}`);
    const shopDb = ns('shop', { team: 'shop' }) + ns('db', { team: 'db' }) + ns('other', { team: 'other' })
      + pod('shop', 'api', { app: 'api' }) + pod('other', 'client', { app: 'client' }, [{ name: 'http', containerPort: 8080 }])
      + pod('db', 'postgres', { app: 'postgres' }, [{ name: 'pg', containerPort: 5432 }, { name: 'metrics', containerPort: 9187 }]);
    const matrixOf = (yaml: string, from: string, to: string) => {
      const row = reachMatrix(buildReachability(snap(yaml))).find((r) => r.from === `${from}[Pod]` && r.to === `${to}[Pod]`);
      return row ? formatConns(row.conns) : 'No Connections';
    };

    it('a namedPort opens every port and protocol: an Allow on "metrics" admits shop to postgres on 5432 too', () => {
      const metricsOnly = shopDb + anp('db-metrics-only', 10, `subject: {namespaces: {matchLabels: {team: db}}}
ingress:
- {name: allow-shop-metrics, action: Allow, from: [{namespaces: {matchLabels: {team: shop}}}], ports: [{namedPort: metrics}]}
- {name: deny-rest, action: Deny, from: [{namespaces: {}}]}`);
      const yaml = metricsOnly + calico('v3.30.0');
      const r = queryReach(buildReachability(snap(yaml)), 'shop/api', 'db/postgres', 5432);
      expect(r.allowed).toBe(true);
      expect(r.ingress.decisions[0].by).toBe('AdminNetworkPolicy db-metrics-only (priority 10) rule 0 "allow-shop-metrics" (Allow)');
      const text = reachCommandCore(snap(yaml), { from: 'shop/api', to: 'db/postgres', port: '5432' }).output;
      expect(text).toMatch(/^ALLOWED: /);
      expect(text).toContain('note: AdminNetworkPolicy db-metrics-only (priority 10) rule 0 "allow-shop-metrics" (Allow): Calico v3.29-v3.31 does not convert a namedPort: it applies this rule to every port and protocol');
      expect(matrixOf(yaml, 'shop/api', 'db/postgres')).toBe('All Connections');
      // The run's coverage notes (report.json run.notes, the HTML coverage section) say it too.
      // (calico-node runs in kube-system, which no manifest here declares: the selector on team cannot be judged for its pods.)
      expect(buildReachability(snap(yaml)).notes.map((n) => `${n.object.kind} ${n.object.name}: ${n.message}`)).toEqual([
        'AdminNetworkPolicy db-metrics-only: ingress rule 0 "allow-shop-metrics" (Allow): Calico v3.29-v3.31 does not convert a namedPort: it applies this rule to every port and protocol',
        'AdminNetworkPolicy db-metrics-only: its namespace selectors read labels (team in (shop)), but no manifest declares namespace(s) kube-system, whose pods it may admit or not: only their kubernetes.io/metadata.name label is known, so reach answers UNKNOWN where such a selector decides a flow for them (the checks and the matrix count the name-only reading); add the Namespace manifests with their labels',
      ]);
      // Others still meet rule 1; the rule is as written where Calico does not enforce ANP from this converter.
      expect(matrixOf(yaml, 'other/client', 'db/postgres')).toBe('No Connections');
      expect(matrixOf(metricsOnly, 'shop/api', 'db/postgres')).toBe('TCP 9187');
    });

    it('a Deny naming nodes denies all egress: shop/api cannot reach other/client', () => {
      const noWorkers = shopDb + anp('no-worker-nodes', 10, `subject: {namespaces: {matchLabels: {team: shop}}}
egress:
- name: deny-to-workers
  action: Deny
  to: [{nodes: {matchExpressions: [{key: node-role.kubernetes.io/worker, operator: Exists}]}}]`);
      const yaml = noWorkers + calico('v3.30.0');
      const r = queryReach(buildReachability(snap(yaml)), 'shop/api', 'other/client', 8080);
      expect(r.allowed).toBe(false);
      expect(r.egress.decisions[0].by).toBe('AdminNetworkPolicy no-worker-nodes (priority 10) rule 0 "deny-to-workers" (Deny)');
      const text = reachCommandCore(snap(yaml), { from: 'shop/api', to: 'other/client', port: '8080' }).output;
      expect(text).toMatch(/^DENIED: /);
      expect(text).toContain('note: AdminNetworkPolicy no-worker-nodes (priority 10) rule 0 "deny-to-workers" (Deny): Calico v3.29-v3.31 cannot convert a nodes or domainNames peer: it enforces this Deny rule as a Deny of all egress traffic');
      expect(matrixOf(yaml, 'shop/api', 'other/client')).toBe('No Connections');
      expect(buildReachability(snap(yaml)).notes.map((n) => n.message)).toEqual(['egress rule 0 "deny-to-workers" (Deny): Calico v3.29-v3.31 cannot convert a nodes or domainNames peer: it enforces this Deny rule as a Deny of all egress traffic']);
      expect(matrixOf(yaml, 'other/client', 'db/postgres')).toBe('All Connections'); // other is not a subject
      // A BaselineAdminNetworkPolicy Deny fails the same way (k8sBANPHandleFailedRules).
      const baseline = shopDb + calico('v3.31.7') + banp('default', `subject: {namespaces: {matchLabels: {team: shop}}}
egress: [{action: Deny, to: [{nodes: {matchLabels: {node-role.kubernetes.io/worker: ''}}}]}]`);
      expect(matrixOf(baseline, 'shop/api', 'db/postgres')).toBe('No Connections');
    });

    it('an Allow naming nodes is dropped, its pods peer with it: the Deny after it decides (the OpenShift API-server-and-db pattern)', () => {
      const shopEgress = shopDb + anp('shop-egress', 10, `subject: {namespaces: {matchLabels: {team: shop}}}
egress:
- name: api-server-and-db
  action: Allow
  to:
  - nodes: {matchExpressions: [{key: node-role.kubernetes.io/control-plane, operator: Exists}]}
  - pods: {namespaceSelector: {matchLabels: {team: db}}, podSelector: {}}
  ports: [{portNumber: {port: 6443}}, {portNumber: {port: 5432}}]
- {name: deny-cluster, action: Deny, to: [{namespaces: {}}]}`);
      for (const v of ['v3.29.0', 'v3.31.2']) {
        const yaml = shopEgress + calico(v);
        const r = queryReach(buildReachability(snap(yaml)), 'shop/api', 'db/postgres', 5432);
        expect(r.allowed, v).toBe(false);
        expect(r.egress.decisions[0].by).toBe('AdminNetworkPolicy shop-egress (priority 10) rule 1 "deny-cluster" (Deny)');
        const text = reachCommandCore(snap(yaml), { from: 'shop/api', to: 'db/postgres', port: '5432' }).output;
        expect(text).toMatch(/^DENIED: /);
        expect(text).toContain('note: AdminNetworkPolicy shop-egress egress rule 0 "api-server-and-db" (Allow) is not enforced: Calico v3.29-v3.31 cannot convert a nodes or domainNames peer and drops the rule, its other peers with it');
        expect(matrixOf(yaml, 'shop/api', 'db/postgres')).toBe('No Connections');
        expect(buildReachability(snap(yaml)).notes.map((n) => n.message)).toContain('egress rule 0 "api-server-and-db" (Allow) is not enforced: Calico v3.29-v3.31 cannot convert a nodes or domainNames peer and drops the rule, its other peers with it');
      }
      // Dropped as the policy's only egress rule: nothing of it is left to decide, and reach still says why.
      const onlyNodes = shopDb + calico('v3.30.0') + anp('api-server', 10, `subject: {namespaces: {matchLabels: {team: shop}}}
egress: [{name: to-control-plane, action: Allow, to: [{nodes: {matchLabels: {node-role.kubernetes.io/control-plane: ''}}}]}]`);
      const text = reachCommandCore(snap(onlyNodes), { from: 'shop/api', to: 'db/postgres', port: '5432' }).output;
      expect(text).toMatch(/^ALLOWED: /);
      expect(text).toContain('note: AdminNetworkPolicy api-server egress rule 0 "to-control-plane" (Allow) is not enforced: Calico v3.29-v3.31 cannot convert a nodes or domainNames peer and drops the rule, its other peers with it');
      expect(reachCommandCore(snap(onlyNodes), { from: 'db/postgres', to: 'shop/api', port: '80' }).output).not.toContain('to-control-plane'); // db is not its subject
      // Without Calico the rule is what the API says; Calico v3.32 does not enforce ANP at all.
      expect(queryReach(buildReachability(snap(shopEgress)), 'shop/api', 'db/postgres', 5432).allowed).toBe(true);
      const v332 = queryReach(buildReachability(snap(shopEgress + calico('v3.32.0'))), 'shop/api', 'db/postgres', 5432);
      expect(v332.allowed).toBe(true);
      expect(v332.notes).toContain('AdminNetworkPolicy objects are not counted: calico v3.32.0 does not implement AdminNetworkPolicy (Calico enforces it from v3.29.0 to v3.31)');
    });
  });

  it('weave does not: decorative', () => {
    expect(queryReach(buildReachability(snap(deny + daemonset('weave-net', 'weaveworks/weave-kube:2.8.1'))), 'b/client', 'a/web', 8080).allowed).toBe(true);
  });

  it('in Calico, ANPs sit in the adminnetworkpolicy tier (order 1,000, Pass) ahead of the default tier', () => {
    const yaml = cluster + daemonset('calico-node', 'quay.io/calico/node:v3.30.2') + policy('a', 'deny', '{podSelector: {}, policyTypes: [Ingress]}')
      + anp('allow-b', 20, `subject: {namespaces: ${nsSel('a')}}\ningress: [{action: Allow, from: [{namespaces: ${nsSel('b')}}]}]`);
    const model = buildReachability(snap(yaml));
    expect(model.composition.name).toBe('calico');
    expect(queryReach(model, 'b/client', 'a/web', 8080).allowed).toBe(true);
    const c = queryReach(model, 'c/other', 'a/web', 8080);
    expect(c.allowed).toBe(false);
    // The ANP tier passes c on (defaultAction Pass); the default tier, which holds the NetworkPolicy, ends in deny.
    expect(c.ingress.decisions[0].by).toBe('the end of Calico tier default (a/deny select it; no rule matched)');
  });
});

describe('bad ANP/BANP input: a finding naming the object, the run completes', () => {
  it('priority out of range, a BANP not named default, an unknown action', () => {
    const yaml = cluster + anp('too-big', 1001, 'subject: {namespaces: {}}\ningress: [{action: Deny, from: [{namespaces: {}}]}]')
      + anp('bad-action', 3, 'subject: {namespaces: {}}\ningress: [{action: Drop, from: [{namespaces: {}}]}]')
      + anp('two-subjects', 4, 'subject: {namespaces: {}, pods: {namespaceSelector: {}, podSelector: {}}}')
      + banp('default', 'subject: {namespaces: {}}\negress: [{action: Allow, to: [{namespaces: {}}]}]')
      + banp('second', 'subject: {namespaces: {}}\negress: [{action: Deny, to: [{namespaces: {}}]}]');
    const v = [...invalidPolicy.evaluate(ctxOf(yaml))];
    const fails = Object.fromEntries(v.filter((x) => x.status === 'fail').map((x) => [`${x.resource.kind}/${x.resource.name}`, x.message]));
    expect(fails).toEqual({
      'AdminNetworkPolicy/too-big': 'AdminNetworkPolicy too-big is invalid and takes no effect: spec.priority: 1001 is out of range (0-1000)',
      'AdminNetworkPolicy/bad-action': 'AdminNetworkPolicy bad-action is invalid and takes no effect: spec.ingress[0].action: "Drop" is not Allow, Deny, Pass',
      'AdminNetworkPolicy/two-subjects': 'AdminNetworkPolicy two-subjects is invalid and takes no effect: spec.subject: exactly one of namespaces, pods must be set (found namespaces, pods)',
      'BaselineAdminNetworkPolicy/second': 'BaselineAdminNetworkPolicy second is invalid and takes no effect: metadata.name: "second": only one BaselineAdminNetworkPolicy, named "default", can exist (the API server rejects any other name)',
    });
    expect(v.find((x) => x.resource.name === 'default')!.status).toBe('pass');
    // Invalid objects are never evaluated: the second BANP's deny does not apply.
    expect(queryReach(buildReachability(snap(yaml)), 'a/web', 'b/client', 80).allowed).toBe(true);
  });

  it('equal priorities: a coverage note (upstream leaves the order undefined)', () => {
    const yaml = cluster + anp('x', 7, 'subject: {namespaces: {}}\ningress: [{action: Deny, from: [{namespaces: {}}]}]') + anp('y', 7, 'subject: {namespaces: {}}\ningress: [{action: Allow, from: [{namespaces: {}}]}]');
    expect(buildReachability(snap(yaml)).notes.map((n) => n.message)).toContain('AdminNetworkPolicies x, y share priority 7: their relative order is undefined upstream; the model evaluates them by name');
  });

  // A peer field the installed CRD lacks is pruned "in the serializer [...] for the request body
  // and when reading from etcd" (KEP-2332, Pruning for Custom Resources), before validation, and
  // every AdminNetworkPolicy/BaselineAdminNetworkPolicy CRD release (network-policy-api v0.1.0-v0.1.8,
  // config/crd, standard and experimental channels) gives each peer minProperties: 1, so the
  // API server refuses the object. What a cluster stores can only show the pruned peer, empty,
  // where a CRD downgrade pruned it on read: apis/v1alpha1/adminnetworkpolicy_types.go (v0.1.7),
  // AdminNetworkPolicyEgressPeer: "If an implementation sees no fields are set [...] it should
  // fail closed. For "Allow" rules, "fail closed" means: "treat the rule as matching no traffic".
  // For "Deny" and "Pass" rules, "fail closed" means: "treat the rule as a 'Deny all' rule"."
  describe('a peer the CRD does not know', () => {
    const denyA = policy('a', 'deny', '{podSelector: {}, policyTypes: [Ingress]}');
    const future = anp('future', 10, `subject: {namespaces: ${nsSel('a')}}
ingress: [{name: b-and-service-accounts, action: Allow, from: [{namespaces: ${nsSel('b')}}, {serviceAccounts: {}}]}]`);

    it('in a manifest, the API server refuses the object: a finding naming the file, the object and the field; its Allow does not exist', () => {
      const file = parseManifestText(cluster + denyA + future, 'policies/anp.yaml');
      const manifests = snapshotFromObjects(file.objects, { sources: file.sources });
      const fails = [...invalidPolicy.evaluate({ ...ctxOf(''), snapshot: manifests })].filter((x) => x.status === 'fail').map((x) => x.message);
      expect(fails).toEqual(['AdminNetworkPolicy future is invalid and takes no effect: spec.ingress[0].from[1]: peer type "serviceAccounts" is not known to AdminNetworkPolicy ingress rules (policy.networking.k8s.io/v1alpha1): the API server prunes it, and refuses the peer left with no field (the CRD\'s minProperties 1), so this object is never stored (policies/anp.yaml:67)']);
      // Before: the Allow kept its namespaces peer, and b reached a past the NetworkPolicy.
      expect(queryReach(buildReachability(manifests), 'b/client', 'a/web', 8080).allowed).toBe(false);
      // A BaselineAdminNetworkPolicy never had domainNames, nor an ingress rule networks.
      const banpYaml = cluster + banp('default', `subject: {namespaces: ${nsSel('a')}}
egress: [{action: Allow, to: [{domainNames: [example.com]}]}]`);
      expect([...invalidPolicy.evaluate(ctxOf(banpYaml))].map((x) => x.message)).toEqual(['BaselineAdminNetworkPolicy default is invalid and takes no effect: spec.egress[0].to[0]: peer type "domainNames" is not known to BaselineAdminNetworkPolicy egress rules (policy.networking.k8s.io/v1alpha1): the API server prunes it, and refuses the peer left with no field (the CRD\'s minProperties 1), so this object is never stored']);
      const empty = cluster + anp('empty', 10, `subject: {namespaces: ${nsSel('a')}}\ningress: [{action: Deny, from: [{}]}]`);
      expect([...invalidPolicy.evaluate(ctxOf(empty))].map((x) => x.message)).toEqual(['AdminNetworkPolicy empty is invalid and takes no effect: spec.ingress[0].from[0]: no peer field is set: the API server refuses it (the CRD\'s minProperties 1), so this object is never stored']);
    });

    it('stored with the field pruned (a CRD downgrade): an Allow rule matches no traffic, its other peers with it; a Deny denies everything', () => {
      const live = (yaml: string) => ({ ...snap(yaml), source: 'live' as const, origin: 'live' as const });
      const pruned = live(cluster + denyA + anp('future', 10, `subject: {namespaces: ${nsSel('a')}}
ingress: [{name: b-and-pruned, action: Allow, from: [{namespaces: ${nsSel('b')}}, {}]}]`));
      const model = buildReachability(pruned);
      expect(queryReach(model, 'b/client', 'a/web', 8080).allowed).toBe(false);
      expect(model.notes.map((n) => n.message)).toEqual(['spec.ingress[0].from[1]: no peer field is set (the CRD may have pruned a field it does not know); treated as making the whole Allow rule match no traffic, its other peers with it (fail closed)']);
      expect([...invalidPolicy.evaluate({ ...ctxOf(''), snapshot: pruned })].map((x) => x.status)).toEqual(['pass', 'pass']);
      const deny = live(cluster + anp('future-deny', 10, `subject: {namespaces: ${nsSel('a')}}\ningress: [{action: Deny, from: [{}]}]`));
      expect(queryReach(buildReachability(deny), 'c/other', 'a/web', 8080).allowed).toBe(false);
      expect(buildReachability(deny).notes.map((n) => n.message)).toEqual(['spec.ingress[0].from[0]: no peer field is set (the CRD may have pruned a field it does not know); treated as denying everything (fail closed)']);
    });
  });
});

describe('coverage: a policy kind that could not be read', () => {
  it('with no CNI recognised (any kind may decide), makes every network check that judges the model not evaluated (absent, no CRD, is fine)', async () => {
    const { networkChecks } = await import('../../../checks/network/index.ts');
    const { runChecks } = await import('../../../src/engine/run.ts');
    const ctx = ctxOf(cluster);
    expect(ctx.snapshot.coverage['anp.adminnetworkpolicies']?.status).toBe('absent');
    // flow-visibility-off applies on Cilium only, egress-not-controlled with an egress gateway: neither applies here.
    const judged = networkChecks.filter((c) => !['network.intent-violation', 'network.cni-not-enforcing', 'network.flow-visibility-off', 'network.egress-not-controlled'].includes(c.id));
    for (const o of runChecks(judged, ctx)) expect(o.status, o.check.id).not.toBe('not-evaluated');
    // A fresh snapshot: the model is memoised per snapshot, and a collection never changes one.
    const refused = ctxOf(cluster);
    refused.snapshot.coverage['anp.adminnetworkpolicies'] = { status: 'forbidden', detail: 'list adminnetworkpolicies.policy.networking.k8s.io' };
    for (const o of runChecks(judged, refused)) {
      expect(o.status, o.check.id).toBe('not-evaluated');
      expect(o.reason).toContain('anp.adminnetworkpolicies: forbidden');
    }
  });
});

describe('checks on the combined model', () => {
  it('namespace-default-deny: isolated by a BANP passes and names it; ANP deny from pods only is a medium finding; an empty namespace is low', () => {
    const yaml = cluster + ns('empty')
      + banp('default', `subject: {namespaces: ${nsSel('b')}}\negress: [{action: Deny, to: [{namespaces: {}}]}, {action: Deny, to: [{networks: [0.0.0.0/0, '::/0']}]}]`)
      + anp('a-pods', 10, `subject: {namespaces: ${nsSel('a')}}\ningress: [{action: Deny, from: [{namespaces: {}}]}]`);
    const eg = [...namespaceDefaultDenyEgress.evaluate(ctxOf(yaml))];
    const b = eg.find((x) => x.resource.name === 'b')!;
    expect(b.status).toBe('pass');
    expect(b.evidence?.isolatedBy).toEqual([{ policy: 'BaselineAdminNetworkPolicy default', api: 'BaselineAdminNetworkPolicy' }]);
    const ing = [...namespaceDefaultDenyIngress.evaluate(ctxOf(yaml))];
    const a = ing.find((x) => x.resource.name === 'a')!;
    expect(a).toMatchObject({ status: 'fail', severity: 'medium', evidence: { openTo: 'addresses outside the cluster', isolatedBy: [{ policy: 'AdminNetworkPolicy a-pods', api: 'AdminNetworkPolicy' }] } });
    const empty = ing.find((x) => x.resource.name === 'empty')!;
    expect(empty).toMatchObject({ status: 'fail', severity: 'low', message: 'namespace empty runs no workloads yet and no policy isolates it for ingress: the pods created there will start unisolated' });
    // With a default deny in place, the empty namespace passes.
    const guarded = [...namespaceDefaultDenyIngress.evaluate(ctxOf(yaml + policy('empty', 'deny', '{podSelector: {}}')))].find((x) => x.resource.name === 'empty')!;
    expect(guarded).toMatchObject({ status: 'pass', evidence: { isolatedBy: [{ policy: 'empty/deny', api: 'NetworkPolicy' }] } });
  });

  it('allow-all-ingress and unrestricted-egress judge ANP rules; policy-selects-nothing judges ANP subjects', () => {
    const yaml = cluster
      + anp('open', 10, 'subject: {namespaces: {}}\ningress: [{action: Allow, from: [{namespaces: {}}]}]\negress: [{action: Allow, to: [{networks: [0.0.0.0/0]}]}]')
      + anp('typo', 11, `subject: {namespaces: ${nsSel('aa')}}\ningress: [{action: Deny, from: [{namespaces: {}}]}]`);
    const open = [...allowAllIngress.evaluate(ctxOf(yaml))].find((x) => x.resource.name === 'open')!;
    expect(open).toMatchObject({ status: 'fail', message: 'AdminNetworkPolicy open admits ingress from every pod in every namespace on every port' });
    const eg = [...unrestrictedEgress.evaluate(ctxOf(yaml))].find((x) => x.resource.name === 'open')!;
    expect(eg).toMatchObject({ status: 'fail', message: 'AdminNetworkPolicy open allows egress to every IPv4 address (ipBlocks cover 0.0.0.0/0) on every port' });
    const typo = [...policySelectsNothing.evaluate(ctxOf(yaml))].find((x) => x.resource.name === 'typo')!;
    expect(typo).toMatchObject({ status: 'fail', message: 'AdminNetworkPolicy typo selects no pod (namespaces kubernetes.io/metadata.name in (aa)): it applies to nothing' });
  });
});

describe('exposure: open to every namespace', () => {
  it('an allow-all rule counts, under every composition, even though it is what isolates the pod', async () => {
    const { networkExposure } = await import('../../../src/analysis/netpol/exposure.ts');
    const open = (yaml: string) => networkExposure(snap(yaml)).find((w) => w.workload.name === 'web')?.fromAllNamespaces;
    const allowAll = cluster + policy('a', 'allow-all', '{podSelector: {}, ingress: [{}]}');
    expect(open(allowAll)).toBe(true);
    expect(open(allowAll + daemonset('calico-node', 'quay.io/calico/node:v3.30.2'))).toBe(true);
    expect(open(cluster + anp('everyone', 5, `subject: {namespaces: ${nsSel('a')}}\ningress: [{action: Allow, from: [{namespaces: {}}]}]`))).toBe(true);
    expect(open(cluster + policy('a', 'from-b', `{podSelector: {}, ingress: [{from: [{namespaceSelector: ${nsSel('b')}}]}]}`))).toBeUndefined();
    expect(open(cluster + policy('a', 'internet', '{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]}'))).toBeUndefined(); // addresses, not pods
  });
});

// network-policy-api v0.1.0-v0.1.2 peers (apis/v1alpha1/shared_types.go at v0.1.2): `namespaces`
// is a NamespacedPeer (exactly one of namespaceSelector, sameLabels, notSameLabels) and `pods`
// is {namespaces: NamespacedPeer, podSelector}; v0.1.3 made both plain selectors. Reviewer
// repro r8-anp-v012-shape: notSameLabels was read as an empty selector, every namespace.
describe('AdminNetworkPolicy peers in the v0.1.0-v0.1.2 shape', () => {
  const tenants = ns('tenant-a', { tenant: 'a' }) + ns('tenant-b', { tenant: 'b' }) + pod('tenant-a', 'web', { app: 'web' }) + pod('tenant-b', 'web', { app: 'web' });
  const deny = (from: string) => tenants + anp('tenant-isolation', 10, `subject: {namespaces: {matchExpressions: [{key: tenant, operator: Exists}]}}\ningress: [{name: deny-other-tenants, action: Deny, from: [${from}]}]`);
  const reach = (yaml: string, from: string) => queryReach(buildReachability(snap(yaml)), from, 'tenant-a/web', 80).allowed;

  it('namespaceSelector (under namespaces or pods.namespaces) is read as the selector it is', () => {
    for (const from of ['{namespaces: {namespaceSelector: {matchLabels: {tenant: b}}}}', '{pods: {namespaces: {namespaceSelector: {matchLabels: {tenant: b}}}, podSelector: {matchLabels: {app: web}}}}']) {
      expect([reach(deny(from), 'tenant-b/web'), reach(deny(from), 'tenant-a/web')]).toEqual([false, true]);
      expect([...invalidPolicy.evaluate(ctxOf(deny(from)))].map((v) => v.status)).toEqual(['pass']);
    }
  });
  it('sameLabels / notSameLabels are not widened to every namespace: the policy is reported as not evaluated, the verdicts it could change "cannot be confirmed" (reach UNKNOWN, query.ts unevaluatedSelecting)', () => {
    const yaml = deny('{namespaces: {notSameLabels: [tenant]}}');
    // Not "every namespace": the tenant's own traffic is not denied.
    expect(reach(yaml, 'tenant-a/web')).toBe(true);
    expect([...invalidPolicy.evaluate(ctxOf(yaml))].map((v) => [v.status, v.message])).toEqual([['fail',
      'AdminNetworkPolicy tenant-isolation cannot be evaluated, so the network verdicts it could change cannot be confirmed: spec.ingress[0].from[0].namespaces.notSameLabels: the network-policy-api v0.1.0-v0.1.2 peer that compares namespaces with the subject\'s is not evaluated by the model, so the verdicts the policy could change cannot be confirmed']]);
  });
  it('a key no selector has is an error, never an empty (match-all) selector', () => {
    const yaml = deny('{namespaces: {matchLabel: {tenant: b}}}');
    expect(reach(yaml, 'tenant-a/web')).toBe(true);
    expect([...invalidPolicy.evaluate(ctxOf(yaml))].map((v) => [v.status, v.message])).toEqual([['fail',
      'AdminNetworkPolicy tenant-isolation is invalid and takes no effect: spec.ingress[0].from[0].namespaces: "matchLabel" is not a label selector field (matchLabels, matchExpressions)']]);
  });
});
