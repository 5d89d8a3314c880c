// A DNS name (Cilium toFQDNs) against CIDR deny rules. "Deny policies take precedence over allow
// policies" (https://docs.cilium.io/en/stable/security/policy/deny/), and a toFQDNs rule allows
// the addresses the name's lookups return ("DNS based: ... shares all limitations of the CIDR
// based rules", https://docs.cilium.io/en/stable/security/policy/language/#dns-based): an
// egressDeny whose CIDRs hold those addresses drops the name. The addresses are unknown
// offline, so a deny covering every address the pod can reach (0.0.0.0/0 under single-stack
// Cilium, enable-ipv6 off by default; 0.0.0.0/0 and ::/0 dual-stack; entity world or all) denies
// the name for certain, and a narrower one leaves it in doubt, naming the deny policy. The
// reference case "a deny of 0.0.0.0/0 drops the addresses a toFQDNs name resolves to"
// (cilium-cases.ts) has Cilium's own policy repository say the same of an address the name
// resolves to (test/conformance/cilium-oracle.test.ts).
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { buildReachability, egressVerdict } from '../../../src/analysis/netpol/model.ts';
import { egressNotControlled } from '../../../checks/network/egress-not-controlled.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { CILIUM_AGENT, run, snap } from './helpers.ts';

const cluster = `${CILIUM_AGENT}---
apiVersion: v1
kind: Namespace
metadata: {name: a}
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
apiVersion: cilium.io/v2
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

/** cilium-config running both families (enable-ipv6 is off by default). */
const dualStack = `---
apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {enable-ipv6: "true"}
`;

const deny = (peers: string) => `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: no-world, namespace: a}
spec:
  endpointSelector: {}
  egressDeny:
  - ${peers}
`;

const fqdnRows = (yaml: string) => reachCommandCore(snap(yaml), { matrix: true, output: 'csv' }).output.split('\n').filter((l) => l.includes('[FQDN]'));

/** a/client's egress toward api.example.com, with the doubts reach reads. */
function towardName(yaml: string) {
  const m = buildReachability(snap(yaml));
  const cls = m.workloads.find((w) => w.ref.name === 'client')!.classes[0];
  return egressVerdict(m, { kind: 'class', cls }, { kind: 'fqdn', name: 'api.example.com' }, true);
}

describe('an egressDeny covering every address denies a toFQDNs name for certain', () => {
  it('without a deny, the matrix has the name row on TCP 443', () => {
    expect(fqdnRows(cluster)).toEqual(['a/client[Deployment],api.example.com[FQDN],TCP 443,,,']);
  });

  for (const peers of ['toCIDR: ["0.0.0.0/0"]', 'toCIDRSet: [{cidr: "0.0.0.0/0"}]', 'toEntities: [world]', 'toEntities: [all]']) {
    it(`single-stack Cilium, egressDeny ${peers}: no api.example.com row in the CSV matrix, and the egress verdict is a certain DENIED by the deny rule`, () => {
      expect(fqdnRows(cluster + deny(peers))).toEqual([]);
      const v = towardName(cluster + deny(peers));
      expect(v.conns.TCP).toEqual([]);
      expect(v.decisions).toEqual([expect.objectContaining({ allowed: false, cause: expect.objectContaining({ kind: 'rule', rule: expect.objectContaining({ policy: 'CiliumNetworkPolicy:a/no-world', action: 'Deny' }) }) })]);
      expect(v.decisions[0].uncertain).toBeUndefined();
    });
  }

  it('dual-stack Cilium, egressDeny toCIDR 0.0.0.0/0 and ::/0: denied for certain', () => {
    const yaml = cluster + dualStack + deny('toCIDR: ["0.0.0.0/0", "::/0"]');
    expect(fqdnRows(yaml)).toEqual([]);
    const v = towardName(yaml);
    expect(v.conns.TCP).toEqual([]);
    expect(v.decisions.every((d) => !d.allowed && !d.uncertain)).toBe(true);
  });
});

describe('an egressDeny of fewer addresses leaves a toFQDNs name in doubt, naming the deny policy', () => {
  it('egressDeny toCIDR 10.0.0.0/8: TCP 443 allowed as counted, uncertain because of CiliumNetworkPolicy a/no-world; the other ports denied with no doubt', () => {
    const v = towardName(cluster + deny('toCIDR: ["10.0.0.0/8"]'));
    const allowed = v.decisions.filter((d) => d.allowed);
    expect(allowed).toHaveLength(1);
    expect(allowed[0].conns.TCP).toEqual([[443, 443]]);
    expect(allowed[0].uncertain).toEqual([{ text: 'CiliumNetworkPolicy a/no-world rule 0 "egressDeny[0]" (Deny): the addresses api.example.com resolves to are not known offline, and may lie in 10.0.0.0/8', side: 'deny', reasons: ['match'] }]);
    // The deny could only have denied more: the isolation's denial of the other ports stays certain.
    expect(v.decisions.filter((d) => !d.allowed).every((d) => d.uncertain === undefined)).toBe(true);
  });

  it('dual-stack Cilium, egressDeny toCIDR 0.0.0.0/0 alone: the name may resolve to IPv6 addresses, so it is in doubt, not denied', () => {
    const v = towardName(cluster + dualStack + deny('toCIDR: ["0.0.0.0/0"]'));
    const allowed = v.decisions.find((d) => d.allowed);
    expect(allowed?.uncertain?.[0].text).toContain('CiliumNetworkPolicy a/no-world rule 0 "egressDeny[0]" (Deny): the addresses api.example.com resolves to are not known offline, and may lie in 0.0.0.0/0');
  });

  it('single-stack, egressDeny toCIDRSet 0.0.0.0/0 except 10.0.0.0/8: in doubt (the name may resolve into the exception)', () => {
    const v = towardName(cluster + deny('toCIDRSet: [{cidr: "0.0.0.0/0", except: ["10.0.0.0/8"]}]'));
    expect(v.decisions.find((d) => d.allowed)?.uncertain?.[0].text).toContain('may lie in 0.0.0.0/0 except 10.0.0.0/8');
  });
});

// A single-stack Cilium gives its pods addresses of one family only (enable-ipv6 is off by
// default: https://docs.cilium.io/en/stable/cmdref/cilium-agent/ "--enable-ipv4 ... (default true)",
// "--enable-ipv6 ... (default false)", set by the cilium-config keys of those names), so a deny of the other family's CIDRs ("block IPv6": ::/0) matches none
// of the addresses its pods reach: it leaves a toFQDNs name allowed for certain.
describe('single-stack Cilium: an egressDeny of the other family only leaves a toFQDNs name allowed for certain', () => {
  const ipv6Only = `---
apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {enable-ipv6: "true", enable-ipv4: "false"}
`;

  it('IPv4 only (the default), egressDeny toCIDR ::/0: reach --to api.example.com is ALLOWED (exit 0), the matrix keeps the row, no doubt', () => {
    const yaml = cluster + deny('toCIDR: ["::/0"]');
    const r = reachCommandCore(snap(yaml), { from: 'a/client', to: 'api.example.com', port: '443' });
    expect(r.output.split('\n')[0]).toBe('ALLOWED: a/client[Deployment] -> api.example.com on 443/TCP');
    expect(r.exitCode).toBe(0);
    expect(r.output).not.toContain('may lie in ::/0');
    expect(fqdnRows(yaml)).toEqual(['a/client[Deployment],api.example.com[FQDN],TCP 443,,,']);
    expect(towardName(yaml).decisions.every((d) => d.uncertain === undefined)).toBe(true);
  });

  it('IPv6 only, egressDeny toCIDRSet 0.0.0.0/0: ALLOWED (exit 0); an egressDeny of ::/0 there still denies it', () => {
    const r = reachCommandCore(snap(cluster + ipv6Only + deny('toCIDRSet: [{cidr: "0.0.0.0/0"}]')), { from: 'a/client', to: 'api.example.com', port: '443' });
    expect(r.output.split('\n')[0]).toBe('ALLOWED: a/client[Deployment] -> api.example.com on 443/TCP');
    expect(r.exitCode).toBe(0);
    expect(reachCommandCore(snap(cluster + ipv6Only + deny('toCIDR: ["::/0"]')), { from: 'a/client', to: 'api.example.com', port: '443' }).exitCode).toBe(1);
  });

  it('dual-stack, egressDeny toCIDR ::/0: the name may resolve to IPv6 addresses, so reach stays UNKNOWN (exit 2) naming the range', () => {
    const r = reachCommandCore(snap(cluster + dualStack + deny('toCIDR: ["::/0"]')), { from: 'a/client', to: 'api.example.com', port: '443' });
    expect(r.output.split('\n')[0]).toBe('UNKNOWN: a/client[Deployment] -> api.example.com on 443/TCP');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('CiliumNetworkPolicy a/no-world rule 0 "egressDeny[0]" (Deny): the addresses api.example.com resolves to are not known offline, and may lie in ::/0');
  });
});

describe('network.egress-not-controlled reads the same verdict', () => {
  const withGateway = (yaml: string) => ({ snapshot: snap(yaml), config: { ...defaultConfig(), egress: { ...defaultConfig().egress, gateways: [{ cidr: '10.99.0.0/24' }] } }, now: new Date('2026-01-01T00:00:00Z') });

  it('names api.example.com for a/client without a deny, and not under an egressDeny of 0.0.0.0/0', () => {
    const before = run(egressNotControlled, withGateway(cluster)).filter((x) => x.resource.name === 'client');
    expect(before).toHaveLength(1);
    expect(before[0].status).toBe('fail');
    expect(before[0].message).toContain('api.example.com');
    const after = run(egressNotControlled, withGateway(cluster + deny('toCIDR: ["0.0.0.0/0"]'))).filter((x) => x.resource.name === 'client');
    expect(after.map((x) => x.message).join('\n')).not.toContain('api.example.com');
    expect(after.every((x) => x.status !== 'fail')).toBe(true);
  });
});
