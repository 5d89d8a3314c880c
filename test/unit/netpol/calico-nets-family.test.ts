// Calico `nets`/`notNets` by IP family. Felix renders every rule once per family and, for each,
// keeps only the CIDRs of that family; a nets or notNets list left with none drops the rule from
// that family's chains ("filteredAll": projectcalico/calico felix/rules/policy.go
// FilterRuleToIPVersion and filterNets, v3.32.1). So a Deny whose nets are IPv4 only never meets
// an IPv6 packet, and one whose notNets are IPv4 only matches no IPv6 packet either (it is not a
// rule "every address outside 10.0.0.0/8"). Between dual-stack pods the two paths are judged apart
// (network.intent-violation; reach, see calico-ip-version-reach.test.ts).
import { describe, expect, it } from 'vitest';
import { calicoBase, ipv4Pool, ipv6Pool, reach, webNeverDb } from './calico-scenes.ts';

const dbIngress = (...rules: string[]) => `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db-in, namespace: shop}
spec:
  selector: app == 'db'
  types: [Ingress]
  ingress:
${rules.map((r) => `  - ${r}\n`).join('')}`;

const dual = () => calicoBase() + ipv4Pool + ipv6Pool;

describe('intent "web never db" between dual-stack pods, a Deny on source nets of one family', () => {
  it('Deny source nets [0.0.0.0/0], then Allow: the IPv6 path never meets the Deny and is allowed — a certain high violation, not "cannot be confirmed"', () => {
    const res = webNeverDb(dual() + dbIngress("{action: Deny, source: {nets: ['0.0.0.0/0']}}", '{action: Allow}'));
    expect(res).toMatchObject({ status: 'fail', severity: 'high' });
    expect(res.message).toContain('intent "web-never-db" is violated');
    expect(JSON.stringify(res.evidence)).toContain('Calico NetworkPolicy shop/db-in rule 1 (Allow)');
  });

  it('a Deny for each family\'s pool, then Allow: both paths are denied, the intent holds', () => {
    const yaml = dual() + dbIngress("{action: Deny, source: {nets: ['10.244.0.0/16']}}", "{action: Deny, source: {nets: ['fd00:10:244::/64']}}", '{action: Allow}');
    expect(webNeverDb(yaml).status).toBe('pass');
    // reach says the same, per family: DENIED for certain (exit 1), each path naming its own Deny.
    const r = reach(yaml, 'shop/web', 'shop/db', '5432');
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('network DENIED by IP family: over IPv4 DENIED by Calico NetworkPolicy shop/db-in rule 0 (Deny); over IPv6 DENIED by Calico NetworkPolicy shop/db-in rule 1 (Deny)');
  });

  it('reach on the Deny of the IPv4 pool alone: ALLOWED (IPv6 only), exit 0, by the Allow after it', () => {
    const r = reach(dual() + dbIngress("{action: Deny, source: {nets: ['10.244.0.0/16']}}", '{action: Allow}'), 'shop/web', 'shop/db', '5432');
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ALLOWED (IPv6 only): shop/web[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(r.output).toContain('over IPv4 DENIED by Calico NetworkPolicy shop/db-in rule 0 (Deny); over IPv6 ALLOWED (TCP 5432) by Calico NetworkPolicy shop/db-in rule 1 (Allow)');
  });
});

describe('reach with a rule whose CIDRs are all of the other family', () => {
  it('IPv6 pools only, Deny source notNets [192.168.0.0/16]: Felix has no IPv6 rule to render, the Allow after it decides (ALLOWED, exit 0)', () => {
    const r = reach(calicoBase() + ipv6Pool + dbIngress("{action: Deny, source: {notNets: ['192.168.0.0/16']}}", '{action: Allow}'), 'shop/web', 'shop/db', '5432');
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ALLOWED by Calico NetworkPolicy shop/db-in rule 1 (Allow)');
  });

  it('IPv4 pools only, Deny source notNets [192.168.0.0/16]: it matches IPv4 packets outside it, the pods\' among them (DENIED, exit 1)', () => {
    const r = reach(calicoBase() + ipv4Pool + dbIngress("{action: Deny, source: {notNets: ['192.168.0.0/16']}}", '{action: Allow}'), 'shop/web', 'shop/db', '5432');
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED by Calico NetworkPolicy shop/db-in rule 0 (Deny)');
  });
});
