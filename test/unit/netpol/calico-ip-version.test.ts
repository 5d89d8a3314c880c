// Calico `ipVersion` on a rule: "Positive IP version match" (docs.tigera.io/calico/latest/reference/resources/networkpolicy,
// Rule). Felix renders a rule only into the chains of its family: FilterRuleToIPVersion drops a
// rule whose IPVersion is the other one (projectcalico/calico felix/rules/policy.go, v3.32.1), so
// an IPv4 flow never meets an `ipVersion: 6` rule. Pod families come from the IPPools (a pod gets
// an address from each family it has a pool of).
import { describe, expect, it } from 'vitest';
import { calicoBase, ipv4Pool, ipv6Pool, matrixConns, reach, webNeverDb } from './calico-scenes.ts';

const denyV6ThenAllow = `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: deny-v6-then-allow, namespace: shop}
spec:
  selector: all()
  types: [Ingress]
  ingress:
  - action: Deny
    ipVersion: 6
  - action: Allow
`;

const allowV6Only = `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: v6-only, namespace: shop}
spec:
  selector: all()
  types: [Ingress]
  ingress:
  - action: Allow
    ipVersion: 6
`;

const dbLockdown = `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db-lockdown, namespace: shop}
spec:
  selector: app == 'db'
  types: [Ingress]
  ingress:
  - action: Deny
    ipVersion: 6
    source: {selector: app == 'web'}
  - action: Allow
`;

describe('Calico ipVersion on pod flows, by the IPPools\' families', () => {
  it('IPv4 pools only: a Deny ipVersion 6 does not decide IPv4 flows — the Allow after it does (ALLOWED, exit 0; the matrix agrees)', () => {
    const yaml = calicoBase() + ipv4Pool + denyV6ThenAllow;
    const r = reach(yaml, 'other/client', 'shop/web', '8080');
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ALLOWED by Calico NetworkPolicy shop/deny-v6-then-allow rule 1 (Allow): TCP 8080');
    expect(matrixConns(yaml, 'other/client[Deployment]', 'shop/web[Deployment]')).toEqual(['All Connections']);
  });

  it('IPv4 pools only: an Allow ipVersion 6 opens nothing (DENIED by the end of the tier, exit 1; the matrix has no row)', () => {
    const yaml = calicoBase() + ipv4Pool + allowV6Only;
    const r = reach(yaml, 'other/client', 'shop/web', '8080');
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED by the end of Calico tier default');
    expect(matrixConns(yaml, 'other/client[Deployment]', 'shop/web[Deployment]')).toEqual([]);
  });

  it('IPv4 pools only: the intent "web never db" is violated for certain despite the IPv6-only Deny', () => {
    const res = webNeverDb(calicoBase() + ipv4Pool + dbLockdown);
    expect(res).toMatchObject({ status: 'fail', severity: 'high' });
    expect(res.message).not.toContain('cannot be confirmed');
  });

  it('dual-stack pools: the IPv4 path is open, the IPv6 path denied: UNKNOWN (exit 2) saying both families and which reading was counted', () => {
    const r = reach(calicoBase() + ipv4Pool + ipv6Pool + denyV6ThenAllow, 'other/client', 'shop/web', '8080');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('ipVersion 6: the rule matches IPv6 packets only, and both ends have addresses of both families');
    expect(r.output).toContain('counted as not matching');
  });

  it('dual-stack pools: the intent "web never db" under an IPv6-only Deny fails — the IPv4 path, which the rule never meets, lets web reach db', () => {
    const res = webNeverDb(calicoBase() + ipv4Pool + ipv6Pool + dbLockdown);
    expect(res.status).toBe('fail');
    expect(res.message).toContain('intent "web-never-db" is violated');
  });

  it('no IPPool read: the pods\' families are not known: UNKNOWN (exit 2) with the reason, not a certain DENIED', () => {
    const r = reach(calicoBase() + denyV6ThenAllow, 'other/client', 'shop/web', '8080');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('whether the pods have an IPv6 address is not known (no Calico IPPool was read)');
  });

  it('IPv6 pools only: the Deny ipVersion 6 decides (DENIED for certain, exit 1)', () => {
    const r = reach(calicoBase() + ipv6Pool + denyV6ThenAllow, 'other/client', 'shop/web', '8080');
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED by Calico NetworkPolicy shop/deny-v6-then-allow rule 0 (Deny)');
  });
});
