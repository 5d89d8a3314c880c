// A LoadBalancer Service's source ranges, where what they leave open turns on what the objects
// do not say outright: the Service's IP families, where NetworkPolicy sees the client address,
// and who programs the load balancer's firewall. Reviewer repros /tmp/rev-revpss/lb1, lb2, lb3.
// - kube-proxy filters a load balancer per IP family, from the ranges of that family only; a
//   family with no range gets no filter (kubernetes/kubernetes v1.34.0 pkg/proxy/serviceport.go
//   newBaseServiceInfo: "Filter source ranges to correct IP family", MapCIDRsByIPFamily).
// - ipFamilyPolicy RequireDualStack "allocates Service .spec.clusterIPs from both IPv4 and IPv6
//   address ranges" and fails on a cluster without dual-stack; PreferDualStack allocates both
//   "when dual-stack is enabled", else falls back to one family
//   (https://kubernetes.io/docs/concepts/services-networking/dual-stack/#services). The API server
//   appends the missing family to spec.ipFamilies when it stores such a Service on a dual-stack
//   cluster (kubernetes/kubernetes v1.34.0 pkg/registry/core/service/storage/alloc.go initIPFamilyFields),
//   so a stored Service (spec.clusterIPs set) lists what it got; manifests usually list nothing.
// - The AWS Load Balancer Controller (loadBalancerClass service.k8s.aws/nlb) programs the NLB's
//   security group from the ranges as listed: 0.0.0.0/0 (and ::/0 when dualstack) only when none is
//   (v3.5.0 pkg/service/model_build_managed_sg.go buildCIDRsFromSourceRanges), so it opens no
//   family the ranges leave out; and with service.beta.kubernetes.io/aws-load-balancer-security-groups
//   it builds no managed group at all (v3.5.0 pkg/service/model_build_load_balancer.go
//   buildLoadBalancerSecurityGroups; docs/guide/service/annotations.md "Access control": the ranges
//   annotation "will be ignored if service.beta.kubernetes.io/aws-load-balancer-security-groups is specified").
// - NetworkPolicy: for traffic from outside, "it is not defined whether [source IP rewriting]
//   happens before or after NetworkPolicy processing"
//   (https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors);
//   externalTrafficPolicy Local preserves the client source IP
//   (https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/#preserving-the-client-source-ip).
import { describe, expect, it } from 'vitest';
import { exposedWorkload } from '../../../checks/network/exposed-workload.ts';
import { exposureNotes } from '../../../src/analysis/netpol/exposure.ts';
import { ctxOf, pod, policy, snap } from './helpers.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { CHECKS } from '../../../checks/index.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { buildView } from '../../../src/report/view/index.ts';
import { runDetails } from '../../../src/analysis/details.ts';

const NOW = new Date('2026-12-01T00:00:00Z');

const WEB = pod('shop', 'web', { app: 'web' }, [{ name: 'http', containerPort: 8080 }]);
const lb = (spec: string, annotations = '{}') => `---
apiVersion: v1
kind: Service
metadata: {name: web-lb, namespace: shop, annotations: ${annotations}}
spec: {type: LoadBalancer, allocateLoadBalancerNodePorts: false, selector: {app: web}, ports: [{port: 443, targetPort: http}]${spec}}
`;
const verdict = (yaml: string) => {
  const v = [...exposedWorkload.evaluate(ctxOf(WEB + yaml))];
  expect(v).toHaveLength(1);
  return { status: v[0].status, message: v[0].message, paths: (v[0].evidence as { paths: Array<Record<string, unknown>> }).paths };
};
const OPEN = 'reachable from outside the cluster via LoadBalancer Service web-lb (TCP 8080)';
const ONLY_V4 = `${OPEN} from 10.0.0.0/8 only (Service shop/web-lb loadBalancerSourceRanges)`;
const SG_ANN = 'service.beta.kubernetes.io/aws-load-balancer-security-groups';

describe('a dual-stack Service: the family no range names is left open', () => {
  it('RequireDualStack without spec.ipFamilies has both families: IPv4 ranges alone leave IPv6 open (repro lb2)', () => {
    const v = verdict(lb(', ipFamilyPolicy: RequireDualStack, loadBalancerSourceRanges: [10.0.0.0/8]'));
    // Before: "… from 10.0.0.0/8 only", as if the Service were IPv4-only.
    expect([v.status, v.message]).toEqual(['fail', OPEN]);
    expect(v.paths[0]).not.toHaveProperty('admittedFrom');
    // One family listed: the API server adds the other.
    expect(verdict(lb(', ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv6], loadBalancerSourceRanges: ["2001:db8::/32"]')).message).toBe(OPEN);
    // Ranges of both families narrow it.
    expect(verdict(lb(', ipFamilyPolicy: RequireDualStack, loadBalancerSourceRanges: [10.0.0.0/8, "2001:db8::/32"]')).message).toBe(`${OPEN} from 10.0.0.0/8, 2001:db8::/32 only (Service shop/web-lb loadBalancerSourceRanges)`);
  });

  it('PreferDualStack in manifests: the IPv4 ranges are named, and every IPv6 address if the cluster is dual-stack, which cannot be confirmed', () => {
    const v = verdict(lb(', ipFamilyPolicy: PreferDualStack, loadBalancerSourceRanges: [10.0.0.0/8]'));
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`${ONLY_V4}, and from every IPv6 address if the cluster is dual-stack (cannot be confirmed: Service shop/web-lb sets ipFamilyPolicy PreferDualStack without both spec.ipFamilies, so whether it also has an IPv6 address (and, no range naming that family, no filter there) depends on whether the cluster is dual-stack, which cannot be confirmed from these objects)`);
    expect(v.paths[0]).toMatchObject({ admittedFrom: ['10.0.0.0/8'], alsoFrom: { from: ['every IPv6 address'] } });
    // The policies admit only part of IPv6: that part is what would be open (externalTrafficPolicy
    // Local: the ipBlocks see the client address, lb-source-ranges-gaps.test.ts).
    const v6 = verdict(lb(', ipFamilyPolicy: PreferDualStack, externalTrafficPolicy: Local, loadBalancerSourceRanges: [10.0.0.0/8]') + policy('shop', 'in', '{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: 10.1.0.0/16}}, {ipBlock: {cidr: "2001:db8::/32"}}]}]}'));
    expect(v6.paths[0]).toMatchObject({ admittedFrom: ['10.1.0.0/16'], alsoFrom: { from: ['2001:db8::/32'] } });
    // The policies admit no IPv6 address: nothing in doubt.
    const v4only = verdict(lb(', ipFamilyPolicy: PreferDualStack, externalTrafficPolicy: Local, loadBalancerSourceRanges: [10.0.0.0/8]') + policy('shop', 'in', '{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: 10.1.0.0/16}}]}]}'));
    expect(v4only.message).toBe(`${OPEN} from 10.1.0.0/16 only (NetworkPolicy ipBlocks and Service shop/web-lb loadBalancerSourceRanges)`);
  });

  it('PreferDualStack stored by the API server (spec.clusterIPs set): its spec.ipFamilies is what it got', () => {
    expect(verdict(lb(', ipFamilyPolicy: PreferDualStack, ipFamilies: [IPv4], clusterIPs: [10.96.0.10], loadBalancerSourceRanges: [10.0.0.0/8]')).message).toBe(ONLY_V4);
    expect(verdict(lb(', ipFamilyPolicy: PreferDualStack, ipFamilies: [IPv4, IPv6], clusterIPs: [10.96.0.10, "fd00::10"], loadBalancerSourceRanges: [10.0.0.0/8]')).message).toBe(OPEN);
  });

  it('SingleStack or no policy stays one family (the listed one; one not listed, lb-source-ranges-gaps.test.ts)', () => {
    expect(verdict(lb(', ipFamilyPolicy: SingleStack, ipFamilies: [IPv4], loadBalancerSourceRanges: [10.0.0.0/8]')).message).toBe(ONLY_V4);
    expect(verdict(lb(', ipFamilies: [IPv4], loadBalancerSourceRanges: [10.0.0.0/8]')).message).toBe(ONLY_V4);
    expect(verdict(lb(', ipFamilyPolicy: SingleStack, ipFamilies: [IPv6], loadBalancerSourceRanges: [10.0.0.0/8]')).message).toBe(OPEN);
  });

  it('the AWS Load Balancer Controller opens no family the ranges leave out, dual-stack or not', () => {
    const cls = ', loadBalancerClass: service.k8s.aws/nlb';
    expect(verdict(lb(`${cls}, ipFamilyPolicy: RequireDualStack, loadBalancerSourceRanges: [10.0.0.0/8]`)).message).toBe(ONLY_V4);
    expect(verdict(lb(`${cls}, ipFamilyPolicy: PreferDualStack, loadBalancerSourceRanges: [10.0.0.0/8]`)).message).toBe(ONLY_V4);
    expect(verdict(lb(`${cls}, loadBalancerSourceRanges: ["2001:db8::/32"]`)).message).toBe(`${OPEN} from 2001:db8::/32 only (Service shop/web-lb loadBalancerSourceRanges)`);
  });
});

describe('the load balancer\'s ranges and the policies\' ipBlocks with no client address in common (repro lb1)', () => {
  const apart = (etp: string) => lb(`, loadBalancerSourceRanges: [10.0.0.0/8]${etp}`) + policy('shop', 'np', '{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: 192.168.0.0/16}}]}]}');

  it('externalTrafficPolicy Cluster: the policies may see a node address, so the way in cannot be confirmed either way', () => {
    const v = verdict(apart(''));
    // Before: "… from no client address (…) only", a fail that contradicted itself.
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`may be ${OPEN} (cannot be confirmed: its load balancer admits 10.0.0.0/8 only (Service shop/web-lb loadBalancerSourceRanges) and the NetworkPolicy ipBlocks admit none of those clients, but under externalTrafficPolicy Cluster a node may rewrite the client address to its own before NetworkPolicy judges it, so the ipBlocks may be judging node addresses; the snapshot holds no Node, so whether they admit a node's own address, and with it every client the load balancer admits, is not known)`);
    expect(v.paths[0]).toMatchObject({ via: 'LoadBalancer', allowedByPolicy: true });
    expect(v.paths[0]).not.toHaveProperty('admittedFrom');
    expect(verdict(apart(', externalTrafficPolicy: Cluster')).message).toBe(v.message);
  });

  it('externalTrafficPolicy Local: the policies see the client address and admit none the load balancer lets through, so it is no way in', () => {
    const v = verdict(apart(', externalTrafficPolicy: Local'));
    expect(v.status).toBe('pass');
    expect(v.message).toBe('the way in from outside is blocked: LoadBalancer web-lb: its load balancer admits 10.0.0.0/8 only (Service shop/web-lb loadBalancerSourceRanges) and the NetworkPolicy ipBlocks admit none of those clients (externalTrafficPolicy Local keeps the client address)');
    expect(v.paths[0]).toMatchObject({ via: 'LoadBalancer', allowedByPolicy: false });
  });

  it('the report\'s exposure table says the same: the Local path blocked and why, the Cluster path open and in doubt', () => {
    const rows = (etp: string) => {
      const snapshot = snap(WEB + apart(etp));
      const report = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now: NOW, startedAt: NOW, runId: 'r1', details: runDetails }).report;
      return buildView(report).posture.exposure.rows.find((r) => r.name === 'web')?.paths;
    };
    expect(rows(', externalTrafficPolicy: Local')).toEqual([expect.objectContaining({ via: 'LoadBalancer', blocked: true, policy: 'no client gets through: its load balancer admits 10.0.0.0/8 only (Service shop/web-lb loadBalancerSourceRanges) and the NetworkPolicy ipBlocks admit none of those clients (externalTrafficPolicy Local keeps the client address)' })]);
    expect(rows('')).toEqual([expect.objectContaining({ via: 'LoadBalancer', blocked: false, policy: expect.stringMatching(/^admitted by NetworkPolicy; cannot be confirmed: its load balancer admits 10\.0\.0\.0\/8 only/) })]);
  });

  it('with node ports allocated, those stay a way in open to what the policies admit', () => {
    const v = verdict(apart(', externalTrafficPolicy: Local').replace('allocateLoadBalancerNodePorts: false, ', ''));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('reachable from outside the cluster via NodePort Service web-lb (TCP 8080) from 192.168.0.0/16 only');
  });
});

describe('AWS Load Balancer Controller with frontend security groups of the user\'s own (repro lb3)', () => {
  const cls = ', loadBalancerClass: service.k8s.aws/nlb, loadBalancerSourceRanges: [10.0.0.0/8]';

  it('the ranges are not applied, so they cannot be confirmed: the load balancer counts as open and a note says why', () => {
    const yaml = lb(cls, `{${SG_ANN}: "sg-0123456789abcdef0"}`);
    // Before: "… from 10.0.0.0/8 only (Service shop/web-lb loadBalancerSourceRanges)".
    expect(verdict(yaml).message).toBe(OPEN);
    expect(exposureNotes(snap(WEB + yaml))).toContain(`Service shop/web-lb loadBalancerSourceRanges cannot be confirmed: the AWS Load Balancer Controller does not apply them when annotation ${SG_ANN} names the NLB's security groups, and who those admit is not in the cluster; its LoadBalancer is counted as open to every address`);
  });

  it('an empty list names no group: the controller then builds its own from the ranges (splitCommaSeparatedString drops empty entries)', () => {
    expect(verdict(lb(cls, `{${SG_ANN}: " , "}`)).message).toBe(ONLY_V4);
  });
});
