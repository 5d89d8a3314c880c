// A LoadBalancer Service's source ranges narrow who can use its load balancer, as a NetworkPolicy
// ipBlock narrows a direct way in: network.exposed-workload names the admitted ranges and what
// admits them ("from … only (Service ns/name loadBalancerSourceRanges)"), and the path stays a
// way in from outside.
// - spec.loadBalancerSourceRanges: "If specified and supported by the platform, this will restrict
//   traffic through the cloud-provider load-balancer will be restricted to the specified client
//   IPs" (https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec).
// - The annotation service.beta.kubernetes.io/load-balancer-source-ranges is read only when the
//   field is empty, as a comma-separated list, 0.0.0.0/0 when unset, and one invalid entry fails
//   the whole list (kubernetes/kubernetes v1.34.0 pkg/api/v1/service/util.go GetLoadBalancerSourceRanges,
//   k8s.io/cloud-provider service/helpers the same); the AWS Load Balancer Controller documents
//   both forms (kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/,
//   "Access control").
// - kube-proxy filters only the load balancer's IP, per IP family (kubernetes/kubernetes
//   v1.34.0 pkg/proxy/serviceport.go newBaseServiceInfo: loadBalancerSourceRanges by family; node ports
//   carry no such filter), and a LoadBalancer Service gets node ports unless
//   allocateLoadBalancerNodePorts is false
//   (https://kubernetes.io/docs/concepts/services-networking/service/#load-balancer-nodeport-allocation).
import { describe, expect, it } from 'vitest';
import { exposedWorkload } from '../../../checks/network/exposed-workload.ts';
import { exposureNotes } from '../../../src/analysis/netpol/exposure.ts';
import { ctxOf, pod, policy, snap } from './helpers.ts';
import { slimObject } from '../../../src/snapshot/slim.ts';

const ANN = 'service.beta.kubernetes.io/load-balancer-source-ranges';
const WEB = pod('shop', 'web', { app: 'web' }, [{ name: 'http', containerPort: 8080 }]);
const lb = (spec: string, annotations = '{}', name = 'web-lb') => `---
apiVersion: v1
kind: Service
metadata: {name: ${JSON.stringify(name)}, namespace: shop, annotations: ${annotations}}
spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 443, targetPort: http}]${spec}}
`;
const verdict = (yaml: string) => {
  const v = [...exposedWorkload.evaluate(ctxOf(WEB + yaml))];
  expect(v).toHaveLength(1);
  return { status: v[0].status, message: v[0].message, paths: (v[0].evidence as { paths: Array<Record<string, unknown>> }).paths };
};
const NODE_PORT = 'NodePort Service web-lb (TCP 8080)';

describe('loadBalancerSourceRanges narrow a LoadBalancer way in; it is named, and still a way in', () => {
  it('the field: the LoadBalancer way is from those ranges only, named with the Service', () => {
    // An IPv4 Service: which family one that lists none has is lb-source-ranges-gaps.test.ts's question.
    const v = verdict(lb(', ipFamilies: [IPv4], loadBalancerSourceRanges: [10.0.0.0/8, " 192.168.1.7/32 "]'));
    // Before: "reachable from outside the cluster via LoadBalancer Service web-lb (TCP 8080)", every address.
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`reachable from outside the cluster via LoadBalancer Service web-lb (TCP 8080) from 10.0.0.0/8, 192.168.1.7/32 only (Service shop/web-lb loadBalancerSourceRanges); ${NODE_PORT}`);
    expect(v.paths[0]).toMatchObject({ via: 'LoadBalancer', admittedFrom: ['10.0.0.0/8', '192.168.1.7/32'], admittedBy: 'Service shop/web-lb loadBalancerSourceRanges' });
  });

  it('the annotation, when the field is empty: a comma-separated list, each entry trimmed, host bits masked', () => {
    const v = verdict(lb('', `{${ANN}: " 10.1.2.3/16, 2001:db8::/32 "}`));
    expect(v.message).toBe(`reachable from outside the cluster via LoadBalancer Service web-lb (TCP 8080) from 10.1.0.0/16, 2001:db8::/32 only (Service shop/web-lb annotation ${ANN}); ${NODE_PORT}`);
    expect(v.paths[0]).toMatchObject({ admittedFrom: ['10.1.0.0/16', '2001:db8::/32'], admittedBy: `Service shop/web-lb annotation ${ANN}` });
  });

  it('both set: the field wins and the annotation is ignored', () => {
    const v = verdict(lb(', loadBalancerSourceRanges: [203.0.113.0/24]', `{${ANN}: 10.0.0.0/8}`));
    expect(v.message).toContain('from 203.0.113.0/24 only (Service shop/web-lb loadBalancerSourceRanges)');
    expect(v.message).not.toContain('10.0.0.0/8');
    // An empty field leaves the annotation in force.
    expect(verdict(lb(', loadBalancerSourceRanges: []', `{${ANN}: 10.0.0.0/8}`)).message).toContain(`from 10.0.0.0/8 only (Service shop/web-lb annotation ${ANN})`);
  });

  it('0.0.0.0/0 or ::/0 admits every address of a family: no range named, no NodePort way added', () => {
    for (const ranges of ['[0.0.0.0/0]', '["::/0"]', '[10.0.0.0/8, 0.0.0.0/0]']) {
      const v = verdict(lb(`, loadBalancerSourceRanges: ${ranges}`));
      expect([v.status, v.message], ranges).toEqual(['fail', 'reachable from outside the cluster via LoadBalancer Service web-lb (TCP 8080)']);
      expect(v.paths[0], ranges).not.toHaveProperty('admittedFrom');
    }
    expect(verdict(lb('', `{${ANN}: "0.0.0.0/0"}`)).message).toBe('reachable from outside the cluster via LoadBalancer Service web-lb (TCP 8080)');
  });

  it('a dual-stack Service with ranges of one family only: kube-proxy leaves the other family open', () => {
    const v = verdict(lb(', ipFamilies: [IPv4, IPv6], ipFamilyPolicy: RequireDualStack, loadBalancerSourceRanges: [10.0.0.0/8]'));
    expect(v.message).toBe('reachable from outside the cluster via LoadBalancer Service web-lb (TCP 8080)');
    const v6 = verdict(lb(', ipFamilies: [IPv6, IPv4], ipFamilyPolicy: PreferDualStack, loadBalancerSourceRanges: ["2001:db8::/32"]'));
    expect(v6.message).toBe('reachable from outside the cluster via LoadBalancer Service web-lb (TCP 8080)');
    // Reviewer repro /tmp/rev-mrevC/lb Service shop/v6only: no spec.ipFamilies (the API server
    // fills in the cluster's primary family, IPv4 on most clusters) and IPv6 ranges only: IPv4 open.
    expect(verdict(lb(', loadBalancerSourceRanges: ["2001:db8::/32"]')).message).toBe('reachable from outside the cluster via LoadBalancer Service web-lb (TCP 8080)');
    // Both families named: narrowed.
    expect(verdict(lb(', ipFamilies: [IPv4, IPv6], loadBalancerSourceRanges: [10.0.0.0/8, "2001:db8::/32"]')).message).toContain('from 10.0.0.0/8, 2001:db8::/32 only');
  });

  it('the collected Service keeps the field and the annotation', () => {
    const svc = slimObject('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: 'shop', annotations: { [ANN]: '10.0.0.0/8' } }, spec: { type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/8'] } });
    expect(svc.spec).toMatchObject({ loadBalancerSourceRanges: ['10.0.0.0/8'] });
    expect(svc.metadata?.annotations).toEqual({ [ANN]: '10.0.0.0/8' });
  });

  it('the node ports are not narrowed: a NodePort way of the same Service open to any address, unless none are allocated', () => {
    const v = verdict(lb(', ipFamilies: [IPv4], loadBalancerSourceRanges: [10.0.0.0/8]'));
    expect(v.paths.map((p) => [p.via, p.admittedFrom])).toEqual([['LoadBalancer', ['10.0.0.0/8']], ['NodePort', undefined]]);
    expect(v.message.endsWith(`only (Service shop/web-lb loadBalancerSourceRanges); ${NODE_PORT}`)).toBe(true);
    const none = verdict(lb(', allocateLoadBalancerNodePorts: false, loadBalancerSourceRanges: [10.0.0.0/8]'));
    expect(none.paths.map((p) => p.via)).toEqual(['LoadBalancer']);
    // Turned off on an existing Service, node ports already allocated stay ("will not be de-allocated automatically").
    const left = verdict(lb(', allocateLoadBalancerNodePorts: false, loadBalancerSourceRanges: [10.0.0.0/8]').replace('targetPort: http}', 'targetPort: http, nodePort: 30443}'));
    expect(left.paths.map((p) => p.via)).toEqual(['LoadBalancer', 'NodePort']);
    // A NodePort Service's source ranges are ignored ("This field will be ignored if the Service.Type field is not LoadBalancer").
    const nodePort = verdict(lb(', loadBalancerSourceRanges: [10.0.0.0/8]').replace('type: LoadBalancer', 'type: NodePort'));
    expect(nodePort.message).toBe(`reachable from outside the cluster via ${NODE_PORT}`);
  });

  it('with a NetworkPolicy ipBlock too: what both admit, named by both; nothing in common is no "from no client address only" (lb-source-ranges-review.test.ts)', () => {
    const only = (cidr: string) => policy('shop', 'web-in', `{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: ${cidr}}}]}]}`);
    // externalTrafficPolicy Local keeps the client address for the ipBlocks to judge (under Cluster
    // they may judge a node's: lb-source-ranges-gaps.test.ts).
    const v = verdict(lb(', externalTrafficPolicy: Local, loadBalancerSourceRanges: [10.0.0.0/8]') + only('10.1.0.0/16'));
    expect(v.paths[0]).toMatchObject({ via: 'LoadBalancer', admittedFrom: ['10.1.0.0/16'], admittedBy: 'NetworkPolicy ipBlocks and Service shop/web-lb loadBalancerSourceRanges' });
    const apart = verdict(lb(', loadBalancerSourceRanges: [10.0.0.0/8]') + only('203.0.113.0/24'));
    expect(apart.paths[0]).not.toHaveProperty('admittedFrom');
    expect(apart.message).not.toContain('no client address');
  });

  it('an invalid annotation entry fails the whole list: the load balancer counts as open, and a note says why', () => {
    const yaml = lb('', `{${ANN}: "10.0.0.0/8,office"}`);
    expect(verdict(yaml).message).toBe('reachable from outside the cluster via LoadBalancer Service web-lb (TCP 8080)');
    expect(exposureNotes(snap(WEB + yaml))).toContain(`Service shop/web-lb annotation ${ANN}: "office" is not a CIDR, so the list is refused (the cloud provider does not program it); its LoadBalancer is counted as open to every address`);
  });

  // Reviewer repro /tmp/rev-mrevC/lb Service shop/metallb-ann: MetalLB's class with the annotation
  // was narrowed to 10.0.0.0/8. kube-proxy reads only the field (kubernetes/kubernetes
  // v1.34.0 pkg/proxy/serviceport.go newBaseServiceInfo), and cloud providers' service controllers skip a
  // Service with spec.loadBalancerClass; the AWS Load Balancer Controller's class service.k8s.aws/nlb
  // reads the annotation (its annotations page, "Access control").
  it('the annotation on a Service of another loadBalancerClass is not enforced: open, and a note says so', () => {
    const yaml = lb(', loadBalancerClass: metallb.universe.tf/metallb', `{${ANN}: 10.0.0.0/8}`);
    expect(verdict(yaml).message).toBe('reachable from outside the cluster via LoadBalancer Service web-lb (TCP 8080)');
    expect(exposureNotes(snap(WEB + yaml))).toContain(`Service shop/web-lb annotation ${ANN} is not enforced: its spec.loadBalancerClass "metallb.universe.tf/metallb" is served by no cloud provider's service controller, and kube-proxy reads only spec.loadBalancerSourceRanges; its LoadBalancer is counted as open to every address`);
    // The AWS Load Balancer Controller's class, and the field on any class, still narrow.
    expect(verdict(lb(', loadBalancerClass: service.k8s.aws/nlb', `{${ANN}: 10.0.0.0/8}`)).message).toContain(`from 10.0.0.0/8 only (Service shop/web-lb annotation ${ANN})`);
    expect(verdict(lb(', loadBalancerClass: metallb.universe.tf/metallb, loadBalancerSourceRanges: [10.0.0.0/8]')).message).toContain('from 10.0.0.0/8 only (Service shop/web-lb loadBalancerSourceRanges)');
  });

  it('a hostile Service name is carried as text, quoted in no markup of its own', () => {
    const name = '<img src=x onerror=alert(1)>';
    // Not a DNS label, but --manifests and a hostile store can carry it: the finding holds it verbatim, for every renderer to escape.
    const v = verdict(lb(', loadBalancerSourceRanges: [10.0.0.0/8]', '{}', name));
    expect(v.paths[0]).toMatchObject({ admittedBy: `Service shop/${name} loadBalancerSourceRanges` });
    expect(v.message).toContain(`from 10.0.0.0/8 only (Service shop/${name} loadBalancerSourceRanges)`);
  });
});
