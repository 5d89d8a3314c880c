// A LoadBalancer Service's source ranges where the objects leave a gap: security groups of the
// user's own on an AWS load balancer, a Service that lists no IP family, and ranges the
// policies' ipBlocks share under externalTrafficPolicy Cluster.
import { describe, expect, it } from 'vitest';
import { exposedWorkload } from '../../../checks/network/exposed-workload.ts';
import { exposureNotes } from '../../../src/analysis/netpol/exposure.ts';
import { ctxOf, pod, policy, snap } from './helpers.ts';

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
const TYPE_ANN = 'service.beta.kubernetes.io/aws-load-balancer-type';

// kubernetes/cloud-provider-aws v1.36.1 pkg/providers/v1/aws.go: EnsureLoadBalancer's Classic
// path asks buildELBSecurityGroupList for the groups; with the security-groups annotation it
// returns them with setupSg false, and the ingress rules from GetLoadBalancerSourceRanges are
// written (createSecurityGroupRules) only `if setupSg`, into the group it created itself. Its
// NLB path (isNLB: aws-load-balancer-type "nlb") writes the ranges into the nodes' security
// groups (aws_loadbalancer.go updateInstanceSecurityGroupsForNLB) and never reads the
// annotation for them; from v1.35.0 aws_validations.go validateServiceAnnotations refuses the
// annotation on an NLB ("BYO security group annotation ... is not supported by NLB").
// aws-load-balancer-type "external"/"nlb-ip" is the AWS Load Balancer Controller's
// (aws.go isLBExternal returns ImplementedElsewhere; aws-load-balancer-controller v3.5.0
// pkg/service/service_utils.go checkAWSLoadBalancerTypeAnnotation), which with the annotation
// builds no managed group (v3.5.0 pkg/service/model_build_load_balancer.go buildLoadBalancerSecurityGroups).
describe('the in-tree AWS provider with security groups of the user\'s own', () => {
  const ranges = ', ipFamilies: [IPv4], loadBalancerSourceRanges: [10.0.0.0/8]';

  it('a Classic Load Balancer: the ranges are not written into those groups, so they cannot be confirmed and the load balancer counts as open', () => {
    const yaml = lb(ranges, `{${SG_ANN}: "sg-0123456789abcdef0, sg-0fedcba9876543210"}`);
    // Before: "… from 10.0.0.0/8 only (Service shop/web-lb loadBalancerSourceRanges)".
    const v = verdict(yaml);
    expect([v.status, v.message]).toEqual(['fail', OPEN]);
    expect(v.paths[0]).not.toHaveProperty('admittedFrom');
    expect(exposureNotes(snap(WEB + yaml))).toContain(`Service shop/web-lb loadBalancerSourceRanges cannot be confirmed: the AWS cloud provider's Classic Load Balancer takes the security groups annotation ${SG_ANN} names as they are and writes the ranges into no group but one it creates itself, and who those groups admit is not in the cluster; its LoadBalancer is counted as open to every address`);
  });

  it('the legacy ranges annotation likewise', () => {
    const yaml = lb('', `{${SG_ANN}: sg-0123456789abcdef0, service.beta.kubernetes.io/load-balancer-source-ranges: 10.0.0.0/8}`);
    expect(verdict(yaml).message).toBe(OPEN);
    expect(exposureNotes(snap(WEB + yaml)).join('\n')).toContain('Service shop/web-lb annotation service.beta.kubernetes.io/load-balancer-source-ranges cannot be confirmed: the AWS cloud provider\'s Classic Load Balancer');
  });

  it('a class-less Service of the AWS Load Balancer Controller (aws-load-balancer-type external or nlb-ip): it does not apply them either', () => {
    for (const type of ['external', 'nlb-ip']) {
      const yaml = lb(ranges, `{${SG_ANN}: sg-0123456789abcdef0, ${TYPE_ANN}: ${type}, service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip}`);
      expect(verdict(yaml).message).toBe(OPEN);
      expect(exposureNotes(snap(WEB + yaml)).join('\n')).toContain('cannot be confirmed: the AWS Load Balancer Controller does not apply them');
    }
  });

  it('an in-tree NLB: the ranges go to the nodes\' security groups whatever the annotation says, so they still narrow it', () => {
    const yaml = lb(ranges, `{${SG_ANN}: sg-0123456789abcdef0, ${TYPE_ANN}: nlb}`);
    expect(verdict(yaml).message).toBe(ONLY_V4);
    expect(exposureNotes(snap(WEB + yaml)).join('\n')).not.toContain('cannot be confirmed');
  });

  it('an empty list names no group: the provider creates its own and writes the ranges there (getSGListFromAnnotation drops empty entries)', () => {
    expect(verdict(lb(ranges, `{${SG_ANN}: " , "}`)).message).toBe(ONLY_V4);
  });

  it('another load balancer class is no AWS load balancer: the annotation changes nothing', () => {
    expect(verdict(lb(`${ranges}, loadBalancerClass: example.com/lb`, `{${SG_ANN}: sg-0123456789abcdef0}`)).message).toBe(ONLY_V4);
  });
});

// From manifests, the AWS Load Balancer Controller v2.5+ gives a class-less Service its class on
// create, "This makes the AWS LBC the default controller for service of type LoadBalancer"
// (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/installation/;
// src/analysis/tls/aws-lbc.ts lbcServiceWebhook): the Service is then the controller's.
describe('a class-less Service the AWS Load Balancer Controller\'s Service webhook claims, or may claim', () => {
  const controller = (image: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: aws-load-balancer-controller, namespace: kube-system}
spec:
  selector: {matchLabels: {app: lbc}}
  template:
    metadata: {labels: {app: lbc}}
    spec: {containers: [{name: controller, image: "${image}", args: [--cluster-name=prod]}]}
`;
  const nlb = lb(', loadBalancerSourceRanges: [10.0.0.0/8]', `{${SG_ANN}: sg-0123456789abcdef0, ${TYPE_ANN}: nlb}`);

  it('claimed (a v2.13.0 controller): the controller builds no group from the ranges, even where the in-tree NLB would have applied them', () => {
    const yaml = nlb + controller('public.ecr.aws/eks/aws-load-balancer-controller:v2.13.0');
    expect(verdict(yaml).message).toBe(OPEN);
    expect(exposureNotes(snap(WEB + yaml))).toContain(`Service shop/web-lb loadBalancerSourceRanges cannot be confirmed: the AWS Load Balancer Controller does not apply them when annotation ${SG_ANN} names the NLB's security groups, and who those admit is not in the cluster; its LoadBalancer is counted as open to every address`);
  });

  it('perhaps claimed (a controller image with no version): in-tree NLB or the controller\'s, so the ranges cannot be confirmed, and the note says why', () => {
    const yaml = nlb + controller('mirror.example.com/aws-load-balancer-controller@sha256:abc');
    expect(verdict(yaml).message).toBe(OPEN);
    expect(exposureNotes(snap(WEB + yaml)).join('\n')).toContain('Service shop/web-lb loadBalancerSourceRanges cannot be confirmed: the AWS Load Balancer Controller may claim the Service (the AWS Load Balancer Controller\'s Deployment kube-system/aws-load-balancer-controller (image "mirror.example.com/aws-load-balancer-controller@sha256:abc") names no version');
  });
});

// The API server fills spec.ipFamilies of a Service that lists none: from its spec.clusterIPs
// ("Infer IPFamilies[] from ClusterIPs[]"), else the cluster default ("nil families, gets cluster
// default": defaultServiceIPFamily, --service-cluster-ip-range[0]) (kubernetes/kubernetes v1.34.0
// pkg/registry/core/service/storage/alloc.go initIPFamilyFields); "The address family of a
// Service defaults to the address family of the first service cluster IP range"
// (kubernetes/website content/en/docs/concepts/services-networking/dual-stack.md, "Services", read at
// commit 010c1690; the site is not tagged by release).
// The Service default/kubernetes gets the first address of that primary range (v1.34.0
// cmd/kube-apiserver/app/options/completion.go, pkg/controlplane/apiserver/options/options.go
// ServiceIPRange; pkg/controlplane/controller/kubernetesservice/controller.go). kube-proxy filters
// a Service's load balancer IP by the ranges of the Service's own family only (v1.34.0
// pkg/proxy/serviceport.go newBaseServiceInfo, "Filter source ranges to correct IP family").
describe('a Service that lists no spec.ipFamilies', () => {
  const ranges = ', loadBalancerSourceRanges: [10.0.0.0/8]';
  const kubernetesSvc = (spec: string) => `---
apiVersion: v1
kind: Service
metadata: {name: kubernetes, namespace: default}
spec: {type: ClusterIP, ports: [{name: https, port: 443, targetPort: 6443}]${spec}}
`;
  const ASSUMED = `${ONLY_V4}, and from every IPv6 address if the cluster's primary IP family is IPv6 (cannot be confirmed: Service shop/web-lb lists neither spec.ipFamilies nor a cluster IP, and the snapshot does not show the cluster's primary IP family (Service default/kubernetes), so the Service was taken as IPv4; the API server gives it the primary family, and kube-proxy filters an IPv6 Service by IPv6 ranges only, of which none is listed)`;

  it('its own cluster IP gives its family: an IPv6 one leaves IPv4 ranges no filter', () => {
    // Before: "… from 10.0.0.0/8 only", the Service taken as IPv4.
    expect(verdict(lb(`${ranges}, clusterIP: "fd00:10:96::a"`)).message).toBe(OPEN);
    expect(verdict(lb(`${ranges}, clusterIPs: ["fd00:10:96::a"]`)).message).toBe(OPEN);
    expect(verdict(lb(`${ranges}, clusterIP: 10.96.0.10`)).message).toBe(ONLY_V4);
    // Two cluster IPs of both families: dual-stack.
    expect(verdict(lb(`${ranges}, ipFamilyPolicy: PreferDualStack, clusterIPs: [10.96.0.10, "fd00:10:96::a"]`)).message).toBe(OPEN);
  });

  it('else the cluster\'s primary family, as Service default/kubernetes shows it', () => {
    // Before: "… from 10.0.0.0/8 only" on an IPv6 cluster.
    expect(verdict(lb(ranges) + kubernetesSvc(', clusterIP: "fd00:10:96::1"')).message).toBe(OPEN);
    expect(verdict(lb(ranges) + kubernetesSvc(', ipFamilies: [IPv6]')).message).toBe(OPEN);
    expect(verdict(lb(ranges) + kubernetesSvc(', clusterIP: 10.96.0.1, ipFamilies: [IPv4]')).message).toBe(ONLY_V4);
    // IPv6 ranges narrow a Service of an IPv6 cluster (before: taken as IPv4 and left open).
    expect(verdict(lb(', loadBalancerSourceRanges: ["2001:db8::/32"]') + kubernetesSvc(', clusterIP: "fd00:10:96::1"')).message).toBe(`${OPEN} from 2001:db8::/32 only (Service shop/web-lb loadBalancerSourceRanges)`);
    // PreferDualStack in manifests: the primary family is certain, the other in doubt.
    const prefer = verdict(lb(`${ranges}, ipFamilyPolicy: PreferDualStack`) + kubernetesSvc(', clusterIP: "fd00:10:96::1"'));
    expect(prefer.message).toBe(OPEN);
  });

  it('else IPv4, and the finding says the family was assumed where IPv6 would leave it open', () => {
    const v = verdict(lb(ranges));
    // Before: "… from 10.0.0.0/8 only (…)", with nothing saying IPv4 was a guess.
    expect(v.status).toBe('fail');
    expect(v.message).toBe(ASSUMED);
    expect(v.paths[0]).toMatchObject({ admittedFrom: ['10.0.0.0/8'], alsoFrom: { from: ['every IPv6 address'], when: 'if the cluster\'s primary IP family is IPv6' } });
    // Where the family changes nothing, nothing is said: ranges of both families, IPv6 ranges alone
    // (open as IPv4, the wider answer), or policies that admit no IPv6 client.
    expect(verdict(lb(', loadBalancerSourceRanges: [10.0.0.0/8, "2001:db8::/32"]')).message).toBe(`${OPEN} from 10.0.0.0/8, 2001:db8::/32 only (Service shop/web-lb loadBalancerSourceRanges)`);
    expect(verdict(lb(', loadBalancerSourceRanges: ["2001:db8::/32"]')).message).toBe(OPEN);
    expect(verdict(lb(`${ranges}, externalTrafficPolicy: Local`) + policy('shop', 'in', '{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: 10.1.0.0/16}}]}]}')).message).toBe(`${OPEN} from 10.1.0.0/16 only (NetworkPolicy ipBlocks and Service shop/web-lb loadBalancerSourceRanges)`);
  });
});

// For traffic from outside, "it is not defined whether [source IP rewriting] happens before or
// after NetworkPolicy processing" (https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors);
// externalTrafficPolicy Local preserves the client source IP
// (https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/#preserving-the-client-source-ip). The load balancer's ranges filter before any node sees the packet
// (cloud-provider-aws v1.36.1 aws.go security group rules; kube-proxy v1.34.0 serviceport.go).
describe('the ranges and the policies\' ipBlocks with some client addresses in common', () => {
  const np = (cidr: string) => policy('shop', 'np', `{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: ${cidr}}}]}]}`);
  const overlap = (etp: string) => lb(`, ipFamilies: [IPv4], loadBalancerSourceRanges: [10.0.0.0/8]${etp}`) + np('10.1.0.0/16');

  it('externalTrafficPolicy Cluster: the clients are the load balancer\'s ranges, and which of them the ipBlocks admit is in doubt', () => {
    const v = verdict(overlap(''));
    // Before: "… from 10.1.0.0/16 only (NetworkPolicy ipBlocks and Service shop/web-lb
    // loadBalancerSourceRanges)", as if the ipBlocks surely saw the client address.
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`${OPEN} from 10.0.0.0/8 only (Service shop/web-lb loadBalancerSourceRanges; the NetworkPolicy ipBlocks admit only 10.1.0.0/16 of those clients, but under externalTrafficPolicy Cluster a node may rewrite the client address to its own before NetworkPolicy judges it, so the ipBlocks may be judging node addresses; the snapshot holds no Node, so whether they admit a node's own address, and with it every client the load balancer admits, is not known)`);
    expect(v.paths[0]).toMatchObject({ via: 'LoadBalancer', allowedByPolicy: true, admittedFrom: ['10.0.0.0/8'], admittedBy: 'Service shop/web-lb loadBalancerSourceRanges', clientsInDoubt: expect.stringContaining('admit only 10.1.0.0/16 of those clients') });
    expect(verdict(overlap(', externalTrafficPolicy: Cluster')).message).toBe(v.message);
  });

  it('externalTrafficPolicy Local: the ipBlocks see the client address, so what both admit is the client set', () => {
    const v = verdict(overlap(', externalTrafficPolicy: Local'));
    expect(v.message).toBe(`${OPEN} from 10.1.0.0/16 only (NetworkPolicy ipBlocks and Service shop/web-lb loadBalancerSourceRanges)`);
    expect(v.paths[0]).not.toHaveProperty('clientsInDoubt');
  });

  it('ipBlocks that admit every client the ranges let through narrow nothing: no doubt to state', () => {
    const v = verdict(lb(', ipFamilies: [IPv4], loadBalancerSourceRanges: [10.1.0.0/16]') + np('10.0.0.0/8'));
    expect(v.message).toBe(`${OPEN} from 10.1.0.0/16 only (NetworkPolicy ipBlocks and Service shop/web-lb loadBalancerSourceRanges)`);
  });
});
