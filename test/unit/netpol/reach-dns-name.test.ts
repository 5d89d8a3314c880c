// `ztaudit reach --to NAME`: a DNS name as the destination, answered as the matrix's name rows
// are. Cilium toFQDNs matchName/matchPattern select names as
// https://docs.cilium.io/en/stable/security/policy/language/#dns-based says ("*.cilium.io will
// match sub.cilium.io but not cilium.io or sub.sub.cilium.io"; names compared lower-cased and
// fully qualified, pkg/fqdn/matchpattern); a deny beats the allow for the name's addresses
// (https://docs.cilium.io/en/stable/security/policy/deny/). A name's addresses are unknown
// offline, so a plain NetworkPolicy ipBlock (https://kubernetes.io/docs/concepts/services-networking/network-policies/:
// ipBlock selects "particular IP CIDR ranges") holds it for certain only when it covers every
// IPv4 and IPv6 address, and leaves it UNKNOWN otherwise, unless egress is unrestricted or denied.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { CILIUM_AGENT, snap } from './helpers.ts';

const cilium = `${CILIUM_AGENT}---
`;

const workloads = `
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
    spec: {containers: [{name: c, image: nginx:1.27}]}
`;

const fqdn = (selector: string) => `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: fqdn, namespace: a}
spec:
  endpointSelector: {}
  egress:
  - toFQDNs: [{${selector}}]
    toPorts: [{ports: [{port: "443", protocol: TCP}]}]
  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
    toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]
`;

const denyCidr = (cidr: string) => `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: no-world, namespace: a}
spec:
  endpointSelector: {}
  egressDeny:
  - toCIDR: ["${cidr}"]
`;

const np = (egress: string) => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress, namespace: a}
spec:
  podSelector: {}
  policyTypes: [Egress]
${egress}`;

const ask = (yaml: string, to: string, port?: string, output: 'text' | 'json' = 'text') => reachCommandCore(snap(`${workloads}${yaml}`), { from: 'a/client', to, ...(port ? { port } : {}), output });

describe('Cilium toFQDNs: reach --to NAME answers as the matrix row', () => {
  const yaml = `${cilium}${workloads}${fqdn('matchName: api.example.com')}`;

  it('api.example.com on 443 is ALLOWED (exit 0) by the toFQDNs rule, as the matrix row "TCP 443"; port 80 is DENIED (exit 1)', () => {
    const r = reachCommandCore(snap(yaml), { from: 'a/client', to: 'api.example.com', port: '443' });
    expect(r.exitCode).toBe(0);
    expect(r.output.split('\n')[0]).toBe('ALLOWED: a/client[Deployment] -> api.example.com on 443/TCP');
    expect(r.output).toContain('ALLOWED by CiliumNetworkPolicy a/fqdn rule 0 "egress[0]" (Allow)');
    expect(reachCommandCore(snap(yaml), { matrix: true, output: 'csv' }).output.split('\n')).toContain('a/client[Deployment],api.example.com[FQDN],TCP 443,,,');
    const r80 = reachCommandCore(snap(yaml), { from: 'a/client', to: 'api.example.com', port: '80' });
    expect(r80.exitCode).toBe(1);
    expect(r80.output.split('\n')[0]).toBe('DENIED: a/client[Deployment] -> api.example.com on 80/TCP');
  });

  it('a name is matched lower-cased and fully qualified: API.Example.COM. is api.example.com (exit 0); JSON says allowed true, to the name', () => {
    const r = reachCommandCore(snap(yaml), { from: 'a/client', to: 'API.Example.COM.', port: '443', output: 'json' });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.output)).toMatchObject({ to: 'api.example.com', allowed: true, network: { allowed: true } });
  });

  it('matchPattern "*.example.com" matches api.example.com (exit 0), not a.b.example.com nor example.com (exit 1)', () => {
    const y = `${cilium}${workloads}${fqdn('matchPattern: "*.example.com"')}`;
    expect(reachCommandCore(snap(y), { from: 'a/client', to: 'api.example.com', port: '443' }).exitCode).toBe(0);
    expect(reachCommandCore(snap(y), { from: 'a/client', to: 'a.b.example.com', port: '443' }).exitCode).toBe(1);
    expect(reachCommandCore(snap(y), { from: 'a/client', to: 'example.com', port: '443' }).exitCode).toBe(1);
  });

  it('under an egressDeny of 0.0.0.0/0: DENIED (exit 1) by the deny rule', () => {
    const r = ask(`---\n${cilium}${fqdn('matchName: api.example.com')}${denyCidr('0.0.0.0/0')}`, 'api.example.com', '443');
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED by CiliumNetworkPolicy a/no-world rule 0 "egressDeny[0]" (Deny)');
  });

  it('under an egressDeny of 10.0.0.0/8: UNKNOWN (exit 2), naming the deny policy and the range', () => {
    const r = ask(`---\n${cilium}${fqdn('matchName: api.example.com')}${denyCidr('10.0.0.0/8')}`, 'api.example.com', '443');
    expect(r.exitCode).toBe(2);
    expect(r.output.split('\n')[0]).toBe('UNKNOWN: a/client[Deployment] -> api.example.com on 443/TCP');
    expect(r.output).toContain('CiliumNetworkPolicy a/no-world rule 0 "egressDeny[0]" (Deny): the addresses api.example.com resolves to are not known offline, and may lie in 10.0.0.0/8');
  });
});

describe('a plain NetworkPolicy ipBlock cannot allow a DNS name with certainty', () => {
  it('no egress policy: ALLOWED (exit 0), ingress not governed', () => {
    const r = ask('', 'api.example.com', '443');
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('note: destination is outside the cluster: ingress is not governed by NetworkPolicy');
  });

  it('egress to ipBlock 0.0.0.0/0 only: UNKNOWN (exit 2), the name may resolve to IPv6', () => {
    const r = ask(np('  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]\n'), 'api.example.com', '443');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('the addresses api.example.com resolves to are not known offline, and may lie in 0.0.0.0/0');
  });

  it('egress to ipBlocks 0.0.0.0/0 and ::/0: ALLOWED (exit 0), every address is allowed', () => {
    expect(ask(np('  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}, {ipBlock: {cidr: "::/0"}}]}]\n'), 'api.example.com', '443').exitCode).toBe(0);
  });

  it('egress denied (no rule), or allowed to pods only: DENIED (exit 1), with no doubt', () => {
    const none = ask(np(''), 'api.example.com', '443');
    expect(none.exitCode).toBe(1);
    expect(none.output).toContain('DENIED by NetworkPolicy isolation');
    expect(ask(np('  egress: [{to: [{podSelector: {}}]}]\n'), 'api.example.com', '443').exitCode).toBe(1);
  });
});

describe('--to refuses what is not one DNS name, in one line naming the flag', () => {
  const refused = (to: string, port?: string) => {
    const r = ask('', to, port);
    expect(r.exitCode).toBe(2);
    expect(r.output.split('\n')).toHaveLength(1);
    return r.output;
  };
  it.each([
    ['api..example.com', '--to "api..example.com": "" is not a DNS label'],
    ['-api.example.com', '--to "-api.example.com": "-api" is not a DNS label'],
    ['api example.com', '--to "api example.com": "api example" is not a DNS label'],
    ['*.example.com', '--to "*.example.com": reach answers for one DNS name, not a pattern'],
    ['web', '--to "web": not a workload (NAMESPACE/WORKLOAD), an IP address nor a DNS name of two labels or more'],
    ['10.0.0', '--to "10.0.0": not an IP address, and a DNS name does not end in a label of digits'],
    ['db.shop.svc.cluster.local', "--to \"db.shop.svc.cluster.local\": db.shop.svc.cluster.local is a Service's cluster DNS name"],
    ['db.shop.svc', "--to \"db.shop.svc\": db.shop.svc is a Service's cluster DNS name"],
  ])('%s', (to, message) => {
    expect(refused(to)).toContain(`ztaudit reach: ${message}`);
  });

  // A Service's cluster name is NAME.NS.svc[.CLUSTER-DOMAIN] (https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/,
  // "Services"): svc is the third label. Elsewhere svc is an ordinary label, and the matrix lists such names.
  it.each(['svc.example.com', 'api.svc.example.com'])('%s is a DNS name outside the cluster, answered as its matrix row', (to) => {
    const yaml = `---\n${cilium}${fqdn(`matchName: ${to}`)}`;
    expect(reachCommandCore(snap(`${workloads}${yaml}`), { matrix: true, output: 'csv' }).output.split('\n')).toContain(`a/client[Deployment],${to}[FQDN],TCP 443,,,`);
    const r = ask(yaml, to, '443');
    expect(r.output.split('\n')[0]).toBe(`ALLOWED: a/client[Deployment] -> ${to} on 443/TCP`);
    expect(r.exitCode).toBe(0);
  });

  it('a port given by name toward a DNS name is refused: it resolves on a destination pod', () => {
    expect(refused('api.example.com', 'https')).toBe('ztaudit reach: --port "https" is a container port\'s name, which resolves on a destination pod; api.example.com is a DNS name outside the cluster: give the port\'s number');
  });

  it('--from takes no DNS name', () => {
    const r = reachCommandCore(snap(workloads), { from: 'api.example.com', to: 'a/client' });
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('--from: "api.example.com": expected NAMESPACE/WORKLOAD, NAMESPACE/KIND/WORKLOAD or an IP address');
  });
});
