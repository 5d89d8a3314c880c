// toServices naming a Service without a selector. "Services based rules rules will only take
// effect on Kubernetes services without a selector", allowing "all endpoints of" the Service
// (https://docs.cilium.io/en/stable/security/policy/language/#services-based); such a Service's
// endpoints are set by hand in its EndpointSlices (https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors),
// often addresses outside the cluster, and Cilium turns them into CIDRs (pkg/policy/k8s
// service.go processRule), which never select a pod ("CIDR rules do not apply to traffic where
// both sides of the connection are ... managed by Cilium", same page, "IP/CIDR based").
// Here no EndpointSlice names the Service (its backends, when there are some, are in
// cilium-toservices-endpointslices.test.ts): a flow to an outside address (or DNS name) on the
// rule's ports may be to a backend, so `reach` answers UNKNOWN naming the Service, not a bare
// note; a pod stays certain.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { unrestrictedEgress } from '../../../checks/network/unrestricted-egress.ts';
import { SELECTORLESS_TO_SERVICES, ctxOf, run, snap } from './helpers.ts';

const yaml = SELECTORLESS_TO_SERVICES;

const ask = (to: string, port: string) => reachCommandCore(snap(yaml), { from: 'shop/client', to, port });

describe('toServices of a Service without a selector, no EndpointSlice for it in the manifests', () => {
  it('an outside address: UNKNOWN (exit 2), naming the Service and why its backends are unknown', () => {
    const r = ask('203.0.113.10', '5432');
    expect(r.exitCode).toBe(2);
    expect(r.output.split('\n')[0]).toBe('UNKNOWN: shop/client[Deployment] -> 203.0.113.10 on 5432/TCP');
    expect(r.output).toContain('toServices Service shop/legacy-db, which has no selector and whose backends are not known (no EndpointSlice for it is in the manifests): not resolved by the model, and may hold this address');
  });

  it('a DNS name outside the cluster: UNKNOWN (exit 2) as well', () => {
    const r = ask('db.partner.example', '5432');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('the addresses db.partner.example resolves to are not known offline, and may lie in toServices Service shop/legacy-db');
  });

  it('a pod stays DENIED (exit 1): the backends become CIDRs, which select no pod', () => {
    const r = ask('pay/api', '5432');
    expect(r.exitCode).toBe(1);
    expect(r.output).not.toContain('may hold this address');
  });

  it('network.unrestricted-egress still passes the policy: a Service\'s backends are a few addresses, never every address', () => {
    const v = run(unrestrictedEgress, ctxOf(yaml)).filter((x) => x.resource.name === 'to-legacy');
    expect(v).toEqual([expect.objectContaining({ status: 'pass' })]);
  });
});
