// `ztaudit reach` toward or from an address outside the cluster, where a rule names it by
// something the model cannot turn into addresses: a Cilium CIDR group (CiliumCIDRGroup), cloud
// provider groups (toGroups), a DNS name (Cilium toFQDNs, AdminNetworkPolicy domainNames). Such a
// rule may match the address: a deny rule puts an otherwise-allowed flow in doubt and an allow
// rule an otherwise-denied one (UNKNOWN, exit 2), naming the field; a port the rule does not name
// stays certain. Manifests after the reviewer's repros (/tmp/rev-reach/cil-*, anp-dn).
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { allowAllIngress } from '../../../checks/network/allow-all-ingress.ts';
import { egressNotControlled } from '../../../checks/network/egress-not-controlled.ts';
import { unrestrictedEgress } from '../../../checks/network/unrestricted-egress.ts';
import { CILIUM_AGENT, ctxOf, run, snap } from './helpers.ts';

const cilium = CILIUM_AGENT;

/** The workloads; the clusters below run Cilium (its agent DaemonSet) unless an AdminNetworkPolicy is asked about. */
const workloads = `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: a}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: b}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: a}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: nginx:1.27}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: server, namespace: b}
spec:
  selector: {matchLabels: {app: server}}
  template:
    metadata: {labels: {app: server}}
    spec: {containers: [{name: c, image: nginx:1.27, ports: [{name: web, containerPort: 8080}]}]}
`;

const base = `${cilium}---\n${workloads}`;
/** The cluster's snapshot; `groupsUnread`: the CiliumCIDRGroups could not be listed (forbidden). */
const snapOf = (yaml: string, cni = cilium, groupsUnread = false) => {
  const s = snap(`${cni}---\n${workloads}---\n${yaml}`);
  if (groupsUnread) s.coverage['cilium.cidrgroups'] = { status: 'forbidden', detail: 'list ciliumcidrgroups.cilium.io' };
  return s;
};
const ask = (yaml: string, from: string, to: string, port?: string, output: 'text' | 'json' = 'text', cni = cilium, groupsUnread = false) => reachCommandCore(snapOf(yaml, cni, groupsUnread), { from, to, ...(port ? { port } : {}), output });

// https://docs.cilium.io/en/latest/network/kubernetes/ciliumcidrgroup/: a CIDRGroup's
// externalCIDRs are what a toCIDRSet/fromCIDRSet cidrGroupRef selects.
const blockGroup = `apiVersion: cilium.io/v2
kind: CiliumCIDRGroup
metadata: {name: blocked}
spec:
  externalCIDRs: ["8.8.8.0/24"]
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: block-egress}
spec:
  endpointSelector: {}
  enableDefaultDeny: {egress: false, ingress: false}
  egressDeny:
  - toCIDRSet: [{cidrGroupRef: blocked}]
  ingressDeny:
  - fromCIDRSet: [{cidrGroupRef: blocked}]
`;

describe('a CIDR group resolves to the CiliumCIDRGroup\'s externalCIDRs', () => {
  it('an egressDeny cidrGroupRef: 8.8.8.8 (in the group) is DENIED by that rule (exit 1), 9.9.9.9 ALLOWED (exit 0)', () => {
    const r = ask(blockGroup, 'a/client', '8.8.8.8', '443');
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED by CiliumClusterwideNetworkPolicy block-egress rule 0 "egressDeny[0]" (Deny)');
    expect(ask(blockGroup, 'a/client', '9.9.9.9', '443').exitCode).toBe(0);
  });

  it('an ingressDeny cidrGroupRef: 8.8.8.8 -> b/server is DENIED (exit 1)', () => {
    expect(ask(blockGroup, '8.8.8.8', 'b/server', '8080').exitCode).toBe(1);
  });

  it('a cidrGroupSelector selects the groups by their labels: an allow to role=partners admits 8.8.8.8 and no other address', () => {
    const yaml = `apiVersion: cilium.io/v2alpha1
kind: CiliumCIDRGroup
metadata: {name: p1, labels: {role: partners}}
spec:
  externalCIDRs: ["8.8.8.0/24"]
---
apiVersion: cilium.io/v2
kind: CiliumCIDRGroup
metadata: {name: other, labels: {role: vpn}}
spec:
  externalCIDRs: ["9.9.9.0/24"]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: to-partners, namespace: a}
spec:
  endpointSelector: {}
  egress:
  - toCIDRSet: [{cidrGroupSelector: {matchLabels: {role: partners}}}]
`;
    expect(ask(yaml, 'a/client', '8.8.8.8', '443').exitCode).toBe(0);
    expect(ask(yaml, 'a/client', '9.9.9.9', '443').exitCode).toBe(1);
  });
});

describe('a Cilium peer the model does not resolve leaves the flow UNKNOWN, never a certain verdict', () => {
  it('CiliumCIDRGroups unread (forbidden): an egressDeny to a group leaves the default allow toward 8.8.8.8 UNKNOWN (exit 2), naming spec.egressDeny[0].toCIDRSet[0]', () => {
    const r = ask(blockGroup, 'a/client', '8.8.8.8', '443', 'text', cilium, true);
    expect(r.exitCode).toBe(2);
    expect(r.output).toMatch(/^UNKNOWN: a\/client\[Deployment\] -> 8\.8\.8\.8 on 443\/TCP/);
    expect(r.output).toContain('spec.egressDeny[0].toCIDRSet[0]: cidrGroupRef "blocked" (CiliumCIDRGroups could not be read: ciliumcidrgroups.cilium.io forbidden)');
  });

  it('from manifests, a cidrGroupRef to a group the input does not hold leaves the flow UNKNOWN (exit 2), saying so; live, no such group means it matches nothing (ALLOWED past the deny)', () => {
    const policyOnly = blockGroup.split('---\n')[1]!;
    const r = ask(policyOnly, 'a/client', '8.8.8.8', '443');
    expect(r.exitCode, r.output).toBe(2);
    expect(r.output).toContain('spec.egressDeny[0].toCIDRSet[0]: cidrGroupRef "blocked" (no CiliumCIDRGroup in the input; the cluster may hold one)');
    const live = snapOf(policyOnly);
    live.origin = 'live';
    expect(reachCommandCore(live, { from: 'a/client', to: '8.8.8.8', port: '443' }).exitCode).toBe(0);
  });

  it('CiliumCIDRGroups unread: an ingressDeny from a group leaves 8.8.8.8 -> b/server UNKNOWN (exit 2), naming spec.ingressDeny[0].fromCIDRSet[0]', () => {
    const r = ask(blockGroup, '8.8.8.8', 'b/server', '8080', 'text', cilium, true);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('spec.ingressDeny[0].fromCIDRSet[0]: cidrGroupRef "blocked"');
  });

  it('an egressDeny toGroups (AWS security groups): the flow is UNKNOWN (exit 2), in JSON too', () => {
    const r = ask(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: deny-aws, namespace: a}
spec:
  endpointSelector: {}
  enableDefaultDeny: {egress: false}
  egressDeny:
  - toGroups: [{aws: {securityGroupsIds: ["sg-123"]}}]
`, 'a/client', '10.20.30.40', '443', 'json');
    expect(r.exitCode).toBe(2);
    const j = JSON.parse(r.output) as { allowed: unknown; network: { undetermined?: string[] } };
    expect(j.allowed).toBeNull();
    expect(j.network.undetermined?.join('\n')).toContain('spec.egressDeny[0].toGroups: cloud provider groups');
  });

  it('an egressDeny toNodes (enable-node-selector-labels on): a host-network pod, which has its node\'s identity, is UNKNOWN (exit 2)', () => {
    // docs.cilium.io/en/stable/security/policy/language/#node-based: toNodes selects nodes by their labels, which the model does not read.
    const r = ask(`apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {enable-node-selector-labels: "true"}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: b}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {hostNetwork: true, containers: [{name: c, image: nginx:1.27, ports: [{containerPort: 9100}]}]}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: deny-nodes, namespace: a}
spec:
  endpointSelector: {}
  enableDefaultDeny: {egress: false}
  egressDeny:
  - toNodes: [{matchLabels: {role: infra}}]
`, 'a/client', 'b/agent', '9100');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('spec.egressDeny[0].toNodes: a node selector');
    // A pod off the host network is no node: the deny cannot touch it, the answer stays certain.
    expect(ask(`apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {enable-node-selector-labels: "true"}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: deny-nodes, namespace: a}
spec:
  endpointSelector: {}
  enableDefaultDeny: {egress: false}
  egressDeny:
  - toNodes: [{matchLabels: {role: infra}}]
`, 'a/client', 'b/server', '8080').exitCode).toBe(0);
  });

  it('CiliumCIDRGroups unread: an allow to a group under isolation leaves the denial of 8.8.8.8 UNKNOWN (exit 2), not a certain DENIED', () => {
    const r = ask(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: to-partners, namespace: a}
spec:
  endpointSelector: {}
  egress:
  - toCIDRSet: [{cidrGroupRef: partners}]
    toPorts: [{ports: [{port: "443", protocol: TCP}]}]
`, 'a/client', '8.8.8.8', '443', 'text', cilium, true);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('spec.egress[0].toCIDRSet[0]: cidrGroupRef "partners"');
  });

  it('that allow names port 443 only: port 80 stays a certain DENIED (exit 1)', () => {
    const r = ask(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: to-partners, namespace: a}
spec:
  endpointSelector: {}
  egress:
  - toCIDRSet: [{cidrGroupRef: partners}]
    toPorts: [{ports: [{port: "443", protocol: TCP}]}]
`, 'a/client', '8.8.8.8', '80', 'text', cilium, true);
    expect(r.exitCode).toBe(1);
    expect(r.output).toMatch(/^DENIED/);
  });
});

const ciliumFqdn = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: fqdn, namespace: a}
spec:
  endpointSelector: {}
  egress:
  - toFQDNs: [{matchName: api.example.com}]
    toPorts: [{ports: [{port: "443", protocol: TCP}]}]
  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
    toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]
`;

// NPEP-133 (https://network-policy-api.sigs.k8s.io/npeps/npep-133-fqdn-egress-selector/): a
// domainNames peer allows "the IPs ... that the DNS name resolves to".
const anpDomainNames = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: egress-dn}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {team: a}}}
  egress:
  - {name: allow-api, action: Allow, to: [{domainNames: ["api.example.com"]}], ports: [{portNumber: {port: 443, protocol: TCP}}]}
  - {name: deny-rest, action: Deny, to: [{networks: ["0.0.0.0/0"]}]}
`;

describe('an allow by DNS name makes an outside address on its port UNKNOWN: the address may be one the name resolves to', () => {
  // Cilium's DNS proxy allows the addresses in the answers to the lookups it saw
  // (pkg.go.dev/github.com/cilium/cilium/pkg/fqdn): which addresses those are is not in the snapshot.
  it('Cilium toFQDNs matchName: a/client -> 93.184.216.34:443 is UNKNOWN (exit 2) with the name in the note', () => {
    const r = ask(ciliumFqdn, 'a/client', '93.184.216.34', '443');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('the address may be one that api.example.com resolves to');
  });

  it('Cilium toFQDNs: port 80, which no rule allows to any address, stays DENIED (exit 1)', () => {
    const r = ask(ciliumFqdn, 'a/client', '93.184.216.34', '80');
    expect(r.exitCode).toBe(1);
    expect(r.output).not.toContain('resolves to');
  });

  it('AdminNetworkPolicy domainNames before a Deny of 0.0.0.0/0: port 443 is UNKNOWN (exit 2), port 80 DENIED (exit 1)', () => {
    // No Cilium agent: the AdminNetworkPolicy is enforced (Cilium does not implement the API).
    const r443 = ask(anpDomainNames, 'a/client', '93.184.216.34', '443', 'text', '');
    expect(r443.exitCode).toBe(2);
    expect(r443.output).toContain('the address may be one that api.example.com resolves to');
    const r80 = ask(anpDomainNames, 'a/client', '93.184.216.34', '80', 'text', '');
    expect(r80.exitCode).toBe(1);
    expect(r80.output).toContain('rule 1 "deny-rest" (Deny)');
  });
});

describe('checks on a policy whose allow names a CIDR group', () => {
  const open = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: to-partners, namespace: a}
spec:
  endpointSelector: {}
  egress:
  - toCIDRSet: [{cidrGroupRef: partners}]
`;
  const unread = (yaml: string) => {
    const ctx = ctxOf(`${base}---\n${yaml}`);
    ctx.snapshot.coverage['cilium.cidrgroups'] = { status: 'forbidden', detail: 'list ciliumcidrgroups.cilium.io' };
    return ctx;
  };

  it('network.unrestricted-egress: a group of 0.0.0.0/0 is egress to every address on every port (high), as the repro cil-cidrgroup-open', () => {
    const group = `apiVersion: cilium.io/v2
kind: CiliumCIDRGroup
metadata: {name: partners}
spec:
  externalCIDRs: ["0.0.0.0/0"]
`;
    const v = run(unrestrictedEgress, ctxOf(`${base}---\n${group}---\n${open}`)).filter((x) => x.resource.name === 'to-partners');
    expect(v).toHaveLength(1);
    expect(v[0].status).toBe('fail');
    expect(v[0].severity).toBeUndefined();
    expect(v[0].message).toContain('on every port');
  });

  it('network.unrestricted-egress, the groups unread: a medium failure "cannot be judged" naming the field, not a pass', () => {
    const v = run(unrestrictedEgress, unread(open)).filter((x) => x.resource.name === 'to-partners');
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v[0].message).toContain('cannot be judged');
    expect(v[0].message).toContain('spec.egress[0].toCIDRSet[0]: cidrGroupRef "partners"');
  });

  it('network.allow-all-ingress, the groups unread: an ingress allow fromCIDRSet cidrGroupSelector is a medium "cannot be judged", not a pass', () => {
    const v = run(allowAllIngress, unread(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: from-partners, namespace: b}
spec:
  endpointSelector: {}
  ingress:
  - fromCIDRSet: [{cidrGroupSelector: {matchLabels: {role: partners}}}]
`)).filter((x) => x.resource.name === 'from-partners');
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v[0].message).toContain('spec.ingress[0].fromCIDRSet[0]: cidrGroupSelector');
  });

  it('network.egress-not-controlled (an egress gateway declared), the groups unread: a/client cannot be judged, not "reaches no external address"', () => {
    const ctx = unread(open);
    ctx.config = { ...ctx.config, egress: { ...ctx.config.egress, gateways: [{ cidr: '10.99.0.0/24' }] } };
    const v = run(egressNotControlled, ctx).filter((x) => x.resource.name === 'client');
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v[0].message).toContain('cidrGroupRef "partners"');
  });
});

describe('reach --matrix lists egress allowed by DNS name, one row per pattern', () => {
  const matrix = (yaml: string, output: 'text' | 'json' | 'csv', cni = cilium) => reachCommandCore(snap(`${cni}---\n${workloads}---\n${yaml}`), { matrix: true, output });

  it('Cilium toFQDNs matchName on 443: "a/client[Deployment] => api.example.com[FQDN] : TCP 443" in text, and in JSON and CSV', () => {
    const text = matrix(ciliumFqdn, 'text').output.split('\n');
    expect(text).toContain('a/client[Deployment] => api.example.com[FQDN] : TCP 443');
    const json = JSON.parse(matrix(ciliumFqdn, 'json').output) as Array<{ src: string; dst: string; conn: string }>;
    expect(json).toContainEqual({ src: 'a/client[Deployment]', dst: 'api.example.com[FQDN]', conn: 'TCP 443' });
    expect(matrix(ciliumFqdn, 'csv').output.split('\n')).toContain('a/client[Deployment],api.example.com[FQDN],TCP 443,,,');
  });

  it('AdminNetworkPolicy domainNames before a Deny of 0.0.0.0/0: the row holds the allowed port only, not every port', () => {
    expect(matrix(anpDomainNames, 'text', '').output.split('\n').filter((l) => l.includes('[FQDN]'))).toEqual(['a/client[Deployment] => api.example.com[FQDN] : TCP 443']);
  });

  it('a Cilium matchPattern keeps its wildcard in the row', () => {
    const yaml = ciliumFqdn.replace('matchName: api.example.com', 'matchPattern: "*.example.com"');
    expect(matrix(yaml, 'text').output.split('\n')).toContain('a/client[Deployment] => *.example.com[FQDN] : TCP 443');
  });
});
