// Calico `ipVersion` on a rule: "Positive IP version match" (docs.tigera.io/calico/latest/reference/resources/networkpolicy,
// Rule). Felix renders a rule only into the chains of its family: FilterRuleToIPVersion drops a
// rule whose IPVersion is the other one (projectcalico/calico felix/rules/policy.go, v3.32.1), so
// an IPv4 flow never meets an `ipVersion: 6` rule. Pod families come from the IPPools (a pod gets
// an address from each family it has a pool of).
import { describe, expect, it } from 'vitest';
import { calicoBase, ipv4Pool, ipv6Pool, matrixConns, reach, webNeverDb } from './calico-scenes.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { snap } from './helpers.ts';

const reachJson = (yaml: string, from: string, to: string, port: string) => reachCommandCore(snap(yaml), { from, to, port, output: 'json' }).output;
/** The matrix rows from `from` to `to`, as `reach --matrix -o json` prints them. */
const matrixRows = (yaml: string, from: string, to: string) => (JSON.parse(reachCommandCore(snap(yaml), { matrix: true, output: 'json' }).output) as Array<{ src: string; dst: string }>).filter((r) => r.src === from && r.dst === to);

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

  it('dual-stack pools: the IPv4 path is open, the IPv6 path denied: ALLOWED (IPv4 only), exit 0, each family\'s path named (text, JSON, matrix)', () => {
    const yaml = calicoBase() + ipv4Pool + ipv6Pool + denyV6ThenAllow;
    const r = reach(yaml, 'other/client', 'shop/web', '8080');
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ALLOWED (IPv4 only): other/client[Deployment] -> shop/web[Deployment] on 8080/TCP');
    expect(r.output).toContain('network ALLOWED by IP family: over IPv4 ALLOWED (TCP 8080) by Calico NetworkPolicy shop/deny-v6-then-allow rule 1 (Allow); over IPv6 DENIED by Calico NetworkPolicy shop/deny-v6-then-allow rule 0 (Deny)');
    expect(r.output).toContain('over IPv6: DENIED by Calico NetworkPolicy shop/deny-v6-then-allow rule 0 (Deny): TCP 8080');
    expect(r.output).not.toContain('uncertain');
    const json = JSON.parse(reachJson(yaml, 'other/client', 'shop/web', '8080')) as { allowed: boolean; network: { allowed: boolean; undetermined?: string[]; families: Record<string, { verdict: string; ports: unknown; by: string[] }> } };
    expect(json.allowed).toBe(true);
    expect(json.network.undetermined).toBeUndefined();
    expect(json.network.families.ipv4).toEqual({ verdict: 'allowed', ports: { TCP: ['8080'] }, by: ['Calico NetworkPolicy shop/deny-v6-then-allow rule 1 (Allow)'] });
    expect(json.network.families.ipv6).toEqual({ verdict: 'denied', ports: {}, by: ['Calico NetworkPolicy shop/deny-v6-then-allow rule 0 (Deny)'] });
    // The matrix row: what either path allows, marked with each family's part.
    expect(matrixRows(yaml, 'other/client[Deployment]', 'shop/web[Deployment]')).toEqual([{ src: 'other/client[Deployment]', dst: 'shop/web[Deployment]', conn: 'All Connections', ipv4: 'All Connections', ipv6: 'No Connections' }]);
    expect(reachCommandCore(snap(yaml), { matrix: true }).output).toContain('other/client[Deployment] => shop/web[Deployment] : All Connections [by IP family: IPv4 All Connections; IPv6 No Connections]');
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

// With no IPPool in the input, the families come from Calico IPAM's visible settings. The calico-ipam
// CNI config's ipam.assign_ipv4 defaults to "true" and assign_ipv6 to "false"
// (docs.tigera.io/calico/latest/reference/configure-cni-plugins, IPAM section), so the stock
// calico.yaml (projectcalico/calico manifests/calico.yaml, v3.30.2: calico-ipam, FELIX_IPV6SUPPORT
// "false") gives pods IPv4 only; Felix's IPv6Support defaults to true, so only an explicit false
// counts (docs.tigera.io/calico/latest/reference/felix/configuration).
const calicoNodeWith = (env: string, cni?: string) => calicoBase().replace(
  'spec: {containers: [{name: c, image: "quay.io/calico/node:v3.32.1"}]}',
  `spec:
      containers:
      - name: calico-node
        image: quay.io/calico/node:v3.32.1
        env: ${env}
${cni === undefined ? '' : `      initContainers:
      - name: install-cni
        image: quay.io/calico/cni:v3.32.1
        env:
        - name: CNI_NETWORK_CONFIG
          value: '{"name": "k8s-pod-network", "plugins": [{"type": "calico", "ipam": ${cni}, "policy": {"type": "k8s"}}]}'
`}`);

const denyV4WebToDb = `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db-lockdown, namespace: shop}
spec:
  selector: app == 'db'
  types: [Ingress]
  ingress:
  - action: Deny
    ipVersion: 4
    source: {selector: app == 'web'}
  - action: Allow
`;

describe('Calico ipVersion with no IPPool read: the families IPAM\'s visible settings give', () => {
  it('calico-ipam CNI config with the default assign_ipv4/assign_ipv6: a Deny ipVersion 4 decides (DENIED, exit 1; the matrix has no row)', () => {
    const yaml = calicoNodeWith('[{name: FELIX_IPV6SUPPORT, value: "false"}]', '{"type": "calico-ipam"}') + denyV4WebToDb;
    const r = reach(yaml, 'shop/web', 'shop/db', '5432');
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED by Calico NetworkPolicy shop/db-lockdown rule 0 (Deny)');
    expect(r.output).not.toContain('uncertain');
    expect(matrixConns(yaml, 'shop/web[Deployment]', 'shop/db[Deployment]')).toEqual([]);
  });

  it('no CNI config visible, calico-node with FELIX_IPV6SUPPORT "false" and no IP6: IPv4 only, the Deny ipVersion 4 decides', () => {
    const r = reach(calicoNodeWith('[{name: FELIX_IPV6SUPPORT, value: "false"}, {name: IP, value: autodetect}]') + denyV4WebToDb, 'shop/web', 'shop/db', '5432');
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED by Calico NetworkPolicy shop/db-lockdown rule 0 (Deny)');
  });

  it('CNI config with assign_ipv6 "true": both families, so the IPv6 path stays open: ALLOWED (IPv6 only), exit 0', () => {
    const r = reach(calicoNodeWith('[{name: FELIX_IPV6SUPPORT, value: "true"}]', '{"type": "calico-ipam", "assign_ipv4": "true", "assign_ipv6": "true"}') + denyV4WebToDb, 'shop/web', 'shop/db', '5432');
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ALLOWED (IPv6 only): shop/web[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(r.output).toContain('over IPv4 DENIED by Calico NetworkPolicy shop/db-lockdown rule 0 (Deny); over IPv6 ALLOWED (TCP 5432) by Calico NetworkPolicy shop/db-lockdown rule 1 (Allow)');
  });

  it('none of these settings visible (FELIX_IPV6SUPPORT unset defaults to true): the doubt stays (UNKNOWN, exit 2)', () => {
    const r = reach(calicoNodeWith('[{name: IP, value: autodetect}]') + denyV4WebToDb, 'shop/web', 'shop/db', '5432');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('no Calico IPPool was read');
  });
});

// network.intent-violation's own contract (its protectsAgainst): a flow held in doubt fails at medium
// as "cannot be confirmed"; only a certain violation is high.
describe('intent "web never db" when the only allowed flow rests on a doubted ipVersion reading', () => {
  it('pod families not known: the Allow after the Deny ipVersion 4 counts, in doubt — medium "cannot be confirmed", not a certain high violation', () => {
    const res = webNeverDb(calicoNodeWith('[{name: IP, value: autodetect}]') + denyV4WebToDb);
    expect(res).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(res.message).toContain('intent "web-never-db" cannot be confirmed');
    expect(res.message).toContain('ipVersion 4: the rule matches IPv4 packets only');
    expect(res.message).toContain('the model counts it as allowed');
    expect(res.message).not.toContain('is violated');
  });

  it('IPv4 only shown by the CNI config: the Deny decides and the intent holds', () => {
    const res = webNeverDb(calicoNodeWith('[{name: FELIX_IPV6SUPPORT, value: "false"}]', '{"type": "calico-ipam"}') + denyV4WebToDb);
    expect(res.status).toBe('pass');
  });
});

// Felix renders an ipVersion rule only into its own family's chains (FilterRuleToIPVersion,
// projectcalico/calico felix/rules/policy.go, v3.32.1): between dual-stack pods the IPv4 path meets
// only the IPv4 rules and the IPv6 path only the IPv6 ones. A connection goes through if either
// path allows it; the intent check judges each path apart.
const dbPerFamily = (v4Rule: string, v6Rule: string) => `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db-lockdown, namespace: shop}
spec:
  selector: app == 'db'
  types: [Ingress]
  ingress:
  - action: Deny
    ipVersion: 4
    protocol: TCP
    source: {selector: app == 'web'${v4Rule}}
  - action: Deny
    ipVersion: 6
    protocol: TCP
    source: {selector: app == 'web'${v6Rule}}
  - action: Allow
`;

describe('intent "web never db" between dual-stack pods, judged per IP family', () => {
  it('a Deny for IPv4 and one for IPv6: both paths are denied, so the intent holds (no certain violation from two dual-stack doubts)', () => {
    const yaml = calicoBase() + ipv4Pool + ipv6Pool + dbPerFamily('', '');
    // reach judges each family's path too: DENIED over both (exit 1), never a certain ALLOWED.
    const r = reach(yaml, 'shop/web', 'shop/db', '5432');
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('over IPv4 DENIED by Calico NetworkPolicy shop/db-lockdown rule 0 (Deny); over IPv6 DENIED by Calico NetworkPolicy shop/db-lockdown rule 1 (Deny)');
    expect(webNeverDb(yaml).status).toBe('pass');
  });

  it('the IPv6 Deny on some source ports only: the IPv4 path is denied, the IPv6 path may be open — medium "cannot be confirmed", not high', () => {
    const res = webNeverDb(calicoBase() + ipv4Pool + ipv6Pool + dbPerFamily('', ", ports: ['1024:65535']"));
    expect(res).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(res.message).toContain('intent "web-never-db" cannot be confirmed');
    expect(res.message).toContain('Calico NetworkPolicy shop/db-lockdown rule 1 (Deny): source ports ["1024:65535"]');
  });

  it('only the IPv6 Deny, on some source ports: the IPv4 path is open, a certain high violation', () => {
    const yaml = calicoBase() + ipv4Pool + ipv6Pool + dbPerFamily('', ", ports: ['1024:65535']").replace(/  - action: Deny\n    ipVersion: 4\n    protocol: TCP\n    source: \{selector: app == 'web'\}\n/, '');
    expect(yaml).not.toContain('ipVersion: 4');
    const res = webNeverDb(yaml);
    expect(res).toMatchObject({ status: 'fail', severity: 'high' });
    expect(res.message).toContain('intent "web-never-db" is violated');
  });
});

// Scenes that try to make the per-family judgement drop a flow the model found allowed (a wrong
// pass). Felix renders an ipVersion rule only into its own family's chains (FilterRuleToIPVersion,
// projectcalico/calico felix/rules/policy.go, v3.32.1; docs.tigera.io/calico/latest/reference/resources/networkpolicy,
// Rule.ipVersion "Positive IP version match"), and a packet of one family traverses the egress
// and ingress chains of that family only: the flow is allowed if, in one family, both ends'
// chains allow it. The other side of a path may not be borrowed from the other family.
const webEgress = (rule: string) => `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: web-out, namespace: shop}
spec:
  selector: app == 'web'
  types: [Egress]
  egress:
  - ${rule}
  - {action: Allow}
`;
const dbIngress = (...rules: string[]) => `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db-in, namespace: shop}
spec:
  selector: app == 'db'
  types: [Ingress]
  ingress:
${rules.map((r) => `  - ${r}\n`).join('')}`;

describe('intent "web never db" between dual-stack pods: each family\'s path judged whole', () => {
  const dual = calicoBase() + ipv4Pool + ipv6Pool;

  it('egress denies IPv4, ingress denies IPv6: neither family\'s path gets through, the intent holds (reach: DENIED, exit 1)', () => {
    const yaml = dual + webEgress("{action: Deny, ipVersion: 4, destination: {selector: app == 'db'}}") + dbIngress("{action: Deny, ipVersion: 6, source: {selector: app == 'web'}}", '{action: Allow}');
    const r = reach(yaml, 'shop/web', 'shop/db', '5432');
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('over IPv4 DENIED by Calico NetworkPolicy shop/web-out rule 0 (Deny); over IPv6 DENIED by Calico NetworkPolicy shop/db-in rule 0 (Deny)');
    // The matrix has no row for the pair: neither path allows anything.
    expect(matrixConns(yaml, 'shop/web[Deployment]', 'shop/db[Deployment]')).toEqual([]);
    expect(webNeverDb(yaml).status).toBe('pass');
  });

  it('egress denies IPv4 on one other port only, ingress denies IPv6: the IPv4 path is open on 5432 — a certain high violation, not dropped', () => {
    const yaml = dual + webEgress("{action: Deny, ipVersion: 4, protocol: TCP, destination: {selector: app == 'db', ports: [1]}}") + dbIngress("{action: Deny, ipVersion: 6, source: {selector: app == 'web'}}", '{action: Allow}');
    const res = webNeverDb(yaml);
    expect(res).toMatchObject({ status: 'fail', severity: 'high' });
    expect(res.message).toContain('intent "web-never-db" is violated');
  });

  it('ingress denies IPv4 on every port and IPv6 on port 80 only: the IPv6 path is open on 5432 — a certain high violation', () => {
    const yaml = dual + dbIngress("{action: Deny, ipVersion: 4, source: {selector: app == 'web'}}", "{action: Deny, ipVersion: 6, protocol: TCP, source: {selector: app == 'web'}, destination: {ports: [80]}}", '{action: Allow}');
    const r = reach(yaml, 'shop/web', 'shop/db', '5432');
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ALLOWED (IPv6 only): shop/web[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(matrixRows(yaml, 'shop/web[Deployment]', 'shop/db[Deployment]')).toEqual([{ src: 'shop/web[Deployment]', dst: 'shop/db[Deployment]', conn: 'SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535', ipv4: 'No Connections', ipv6: 'SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535' }]);
    const res = webNeverDb(yaml);
    expect(res).toMatchObject({ status: 'fail', severity: 'high' });
    expect(res.message).toContain('intent "web-never-db" is violated');
  });

  it('ingress denies IPv4, allows IPv6 before a Deny of everything: the IPv6 path is allowed — a certain high violation', () => {
    const yaml = dual + dbIngress("{action: Deny, ipVersion: 4, source: {selector: app == 'web'}}", "{action: Allow, ipVersion: 6, source: {selector: app == 'web'}}", '{action: Deny}');
    const res = webNeverDb(yaml);
    expect(res).toMatchObject({ status: 'fail', severity: 'high' });
    expect(res.message).toContain('intent "web-never-db" is violated');
  });
});

// A Pass rule hands a connection to the next tier (docs.tigera.io/calico/latest/reference/resources/tier,
// "Pass"); with ipVersion it does so only in its own family's chains (FilterRuleToIPVersion,
// felix/rules/policy.go, v3.32.1). The model, reading the flow without a family, counts the Pass
// as not matching and the tier's end denies: the IPv6 path, handed on to the default tier that
// allows web, is the packet's.
const securityTier = (v4Rule: string, v6Rule: string) => `---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.db}
spec:
  tier: security
  order: 1
  selector: app == 'db'
  types: [Ingress]
  ingress:
  - ${v4Rule}
  - ${v6Rule}
`;

describe('intent "web never db" between dual-stack pods: an ipVersion Pass into a tier that allows', () => {
  const dual = calicoBase() + ipv4Pool + ipv6Pool;

  it('security tier denies IPv4 and passes IPv6 to a default-tier Allow: the IPv6 path is allowed — a certain high violation, not "cannot be confirmed"', () => {
    const yaml = dual + securityTier("{action: Deny, ipVersion: 4, source: {selector: app == 'web'}}", "{action: Pass, ipVersion: 6, source: {selector: app == 'web'}}") + dbIngress("{action: Allow, source: {selector: app == 'web'}}");
    // reach judges the families apart too: the IPv6 path, passed on, is allowed (exit 0).
    const r = reach(yaml, 'shop/web', 'shop/db', '5432');
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ALLOWED (IPv6 only): shop/web[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(r.output).toContain('over IPv4 DENIED by GlobalNetworkPolicy security.db (tier security, order 1) rule 0 (Deny)');
    const res = webNeverDb(yaml);
    expect(res).toMatchObject({ status: 'fail', severity: 'high' });
    expect(res.message).toContain('intent "web-never-db" is violated');
    expect(JSON.stringify(res.evidence)).toContain('Calico NetworkPolicy shop/db-in rule 0 (Allow)');
  });

  it('the same Pass into a default tier that denies web too: no family\'s path is allowed — never a certain violation', () => {
    const yaml = dual + securityTier("{action: Deny, ipVersion: 4, source: {selector: app == 'web'}}", "{action: Pass, ipVersion: 6, source: {selector: app == 'web'}}") + dbIngress("{action: Deny, source: {selector: app == 'web'}}", '{action: Allow}');
    const res = webNeverDb(yaml);
    expect(res.message ?? '').not.toContain('is violated');
  });
});
