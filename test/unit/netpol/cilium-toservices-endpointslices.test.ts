// toServices naming a Service without a selector, its backends read from its EndpointSlices.
// Cilium: "Services based rules rules will only take effect on Kubernetes services without a
// selector", allowing "all endpoints of" the Service
// (https://docs.cilium.io/en/stable/security/policy/language/#services-based); such a Service's
// endpoints are the EndpointSlices written for it, labelled kubernetes.io/service-name
// (https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors,
// "Custom EndpointSlices"). Cilium's pkg/policy/k8s/service.go processRule adds each backend
// address to the rule's toCIDRSet (appendEndpoints), from the slices' endpoints[].addresses of
// addressType IPv4/IPv6 (pkg/k8s/endpoints.go ParseEndpointSliceV1), on every port the rule
// allows. CIDRs never select a pod ("IP/CIDR based", same page).
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { unrestrictedEgress } from '../../../checks/network/unrestricted-egress.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { SELECTORLESS_TO_SERVICES, ctxOf, run, snap } from './helpers.ts';

const base = SELECTORLESS_TO_SERVICES;

/** The Service's slice (two backends), another Service's slice, and an FQDN slice Cilium ignores. */
const slices = `---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: legacy-db-1
  namespace: shop
  labels: {kubernetes.io/service-name: legacy-db, endpointslice.kubernetes.io/managed-by: staff}
addressType: IPv4
ports: [{port: 5432, protocol: TCP}]
endpoints:
- addresses: [203.0.113.10]
- addresses: [203.0.113.11]
  conditions: {ready: true}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: legacy-db-names
  namespace: shop
  labels: {kubernetes.io/service-name: legacy-db}
addressType: FQDN
endpoints:
- addresses: [db.partner.example]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: other-1
  namespace: shop
  labels: {kubernetes.io/service-name: other}
addressType: IPv4
endpoints:
- addresses: [198.51.100.7]
`;

const ask = (s: Snapshot, to: string, port = '5432') => reachCommandCore(s, { from: 'shop/client', to, port });

describe('toServices of a Service without a selector, its EndpointSlices read', () => {
  const s = snap(base + slices);

  it('a backend address is ALLOWED (exit 0), on any port: the backends become CIDRs of the rule', () => {
    for (const [to, port] of [['203.0.113.10', '5432'], ['203.0.113.11', '5432'], ['203.0.113.10', '22']]) {
      const r = ask(s, to, port);
      expect(r.output.split('\n')[0]).toBe(`ALLOWED: shop/client[Deployment] -> ${to} on ${port}/TCP`);
      expect(r.exitCode).toBe(0);
    }
  });

  it('an outside address that is no backend is DENIED for certain (exit 1), with no doubt naming the Service', () => {
    for (const to of ['203.0.113.99', '198.51.100.7']) {
      const r = ask(s, to);
      expect(r.output.split('\n')[0]).toBe(`DENIED: shop/client[Deployment] -> ${to} on 5432/TCP`);
      expect(r.exitCode).toBe(1);
      expect(r.output).not.toContain('not resolved by the model');
    }
  });

  it('a DNS name stays UNKNOWN (exit 2): it may resolve to a backend, and the answer names them', () => {
    const r = ask(s, 'db.partner.example');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('the addresses db.partner.example resolves to are not known offline, and may lie in backends of Service shop/legacy-db (203.0.113.10, 203.0.113.11)');
  });

  it('a pod stays DENIED (exit 1): CIDRs select no pod', () => {
    const r = ask(s, 'pay/api');
    expect(r.exitCode).toBe(1);
  });

  it('network.unrestricted-egress passes the policy: two addresses are not every address', () => {
    const v = run(unrestrictedEgress, ctxOf(base + slices)).filter((x) => x.resource.name === 'to-legacy');
    expect(v).toEqual([expect.objectContaining({ status: 'pass' })]);
  });
});

describe('toServices of a Service without a selector, its backends not settled by the slices', () => {
  it('an endpoint marked not ready: its address is UNKNOWN (exit 2), saying Cilium releases differ; a ready backend stays ALLOWED', () => {
    const s = snap(`${base}---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: legacy-db-1, namespace: shop, labels: {kubernetes.io/service-name: legacy-db}}
addressType: IPv4
endpoints:
- addresses: [203.0.113.10]
- addresses: [203.0.113.12]
  conditions: {ready: false}
`);
    expect(ask(s, '203.0.113.10').exitCode).toBe(0);
    const r = ask(s, '203.0.113.12');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("toServices Service shop/legacy-db's not-ready endpoints (203.0.113.12): not resolved by the model, and may hold this address");
    expect(r.output).toContain("Service shop/legacy-db's EndpointSlices mark 203.0.113.12 not ready: Cilium releases differ on whether such an endpoint is a backend");
  });

  it('EndpointSlices that could not be read: an outside address is UNKNOWN (exit 2), saying why', () => {
    const s = snap(base + slices);
    s.coverage.endpointslices = { status: 'forbidden', detail: 'list endpointslices.discovery.k8s.io' };
    s.resources.endpointslices = [];
    const r = ask(s, '203.0.113.10');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('toServices Service shop/legacy-db, which has no selector and whose backends are not known (EndpointSlices could not be read: forbidden): not resolved by the model, and may hold this address');
  });

  it('Services that could not be read: an outside address is UNKNOWN (exit 2), naming the toServices entry and why', () => {
    const s = snap(base + slices);
    s.coverage.services = { status: 'forbidden', detail: 'list services' };
    s.resources.services = [];
    const r = ask(s, '203.0.113.10');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('toServices Service shop/legacy-db (Services could not be read: forbidden): not resolved by the model, and may hold this address');
  });

  it('a live cluster with no EndpointSlice for the Service: UNKNOWN (exit 2), saying none was found in the cluster', () => {
    const s = snap(base);
    s.origin = 'live';
    const r = ask(s, '203.0.113.10');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('toServices Service shop/legacy-db, which has no selector and whose backends are not known (no EndpointSlice for it was found in the cluster)');
  });

  it('a snapshot collected before EndpointSlices were: UNKNOWN (exit 2), saying the snapshot holds none', () => {
    const s = snap(base + slices);
    delete s.coverage.endpointslices;
    delete s.resources.endpointslices;
    const r = ask(s, '203.0.113.10');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('(this snapshot holds no EndpointSlices: an older ztaudit collected it)');
  });
});
