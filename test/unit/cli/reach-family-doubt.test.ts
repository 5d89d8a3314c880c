// `reach` between dual-stack pods when one IP family's path is allowed for certain and the other's
// is in doubt. Felix renders a rule with `ipVersion` only into its own family's chains
// (FilterRuleToIPVersion, projectcalico/calico felix/rules/policy.go, v3.32.1;
// docs.tigera.io/calico/latest/reference/resources/networkpolicy, Rule.ipVersion "Positive IP
// version match"), so an IPv4 packet never meets an `ipVersion: 6` rule: where the IPv4 path allows
// a connection for certain, a dual-stack client can make it over IPv4 whatever the IPv6 path does.
// A source-port rule is the doubt here: the model does not tell a connection's source port apart
// (docs/network-model.md, "Source ports and ipVersion").
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { calicoBase, ipv4Pool, ipv6Pool } from '../netpol/calico-scenes.ts';
import { snap } from '../netpol/helpers.ts';

const dbIngress = (...rules: string[]) => `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db-in, namespace: shop}
spec:
  selector: app == 'db'
  types: [Ingress]
  ingress:
${rules.map((r) => `  - ${r}\n`).join('')}`;

/** The IPv6 Deny on some source ports only: the IPv6 path may be denied or not; IPv4 never meets it. */
const v6Doubt = "{action: Deny, ipVersion: 6, protocol: TCP, source: {selector: app == 'web', ports: ['1024:65535']}}";
const dual = calicoBase() + ipv4Pool + ipv6Pool;

const ask = (yaml: string, port?: string) => reachCommandCore(snap(yaml), { from: 'shop/web', to: 'shop/db', ...(port ? { port } : {}) });
const askJson = (yaml: string, port?: string) => {
  const r = reachCommandCore(snap(yaml), { from: 'shop/web', to: 'shop/db', output: 'json', ...(port ? { port } : {}) });
  return { exitCode: r.exitCode, json: JSON.parse(r.output) };
};

describe('reach between dual-stack pods: one family allowed for certain, the other in doubt', () => {
  const yaml = dual + dbIngress(v6Doubt, '{action: Allow}');

  it('text: ALLOWED (exit 0) over IPv4, the IPv6 path shown UNKNOWN with its doubt as a note', () => {
    const r = ask(yaml, '5432');
    expect(r.exitCode).toBe(0);
    const lines = r.output.split('\n');
    expect(lines[0]).toBe('ALLOWED (IPv4 allowed TCP 5432; IPv6 unknown): shop/web[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(lines[1]).toMatch(/^ {2}network ALLOWED by IP family: over IPv4 ALLOWED \(TCP 5432\) by Calico NetworkPolicy shop\/db-in rule 1 \(Allow\); over IPv6 UNKNOWN \(the model reads it as ALLOWED \(TCP 5432\) by Calico NetworkPolicy shop\/db-in rule 1 \(Allow\), in doubt: see the notes\);/);
    expect(lines).toContain('  note: over IPv6: uncertain: Calico NetworkPolicy shop/db-in rule 0 (Deny): source ports ["1024:65535"]: the rule matches only connections from those source ports, which the model does not tell apart; counted as not matching');
  });

  it('JSON: allowed true, no top-level doubt; network.families.ipv6 carries the verdict unknown and its doubt', () => {
    const { exitCode, json } = askJson(yaml, '5432');
    expect(exitCode).toBe(0);
    expect([json.allowed, json.effective, json.ports]).toEqual([true, 'allowed', { TCP: ['5432'] }]);
    expect(json.portsInDoubt).toBeUndefined();
    expect(json.network.allowed).toBe(true);
    expect(json.network.undetermined).toBeUndefined();
    expect(json.network.families.ipv4).toEqual({ verdict: 'allowed', ports: { TCP: ['5432'] }, by: ['Calico NetworkPolicy shop/db-in rule 1 (Allow)'] });
    expect(json.network.families.ipv6.verdict).toBe('unknown');
    expect(json.network.families.ipv6.undetermined).toEqual(['uncertain: Calico NetworkPolicy shop/db-in rule 0 (Deny): source ports ["1024:65535"]: the rule matches only connections from those source ports, which the model does not tell apart; counted as not matching']);
  });

  it('no port asked: the IPv4 path allows every connection for certain, so the answer is ALLOWED with every connection', () => {
    const r = ask(yaml);
    expect(r.exitCode).toBe(0);
    expect(r.output.split('\n')).toContain('  connections: All Connections');
  });
});

describe('reach between dual-stack pods: each asked connection certain only where a family settles it', () => {
  // IPv4: TCP 5432 allowed, the rest denied, for certain. IPv6: TCP in doubt, SCTP and UDP allowed.
  const yaml = dual + dbIngress("{action: Allow, ipVersion: 4, protocol: TCP, destination: {ports: [5432]}}", '{action: Deny, ipVersion: 4}', v6Doubt, '{action: Allow}');

  it('--port 80: IPv4 denies it for certain and IPv6 may or may not: still UNKNOWN (exit 2), never a guessed ALLOWED', () => {
    const r = ask(yaml, '80');
    expect(r.exitCode).toBe(2);
    expect(r.output.split('\n')[0]).toBe('UNKNOWN (IPv4 denied; IPv6 unknown): shop/web[Deployment] -> shop/db[Deployment] on 80/TCP');
  });

  it('--port 5432: the IPv4 path allows it for certain: ALLOWED (exit 0)', () => {
    expect(ask(yaml, '5432').exitCode).toBe(0);
  });

  it('no port asked: UNKNOWN (exit 2), naming what is certain (IPv4\'s TCP 5432, IPv6\'s SCTP and UDP) and the TCP ports in doubt', () => {
    const { exitCode, json } = askJson(yaml);
    expect(exitCode).toBe(2);
    expect(json.allowed).toBeNull();
    expect(json.ports).toEqual({ SCTP: ['1-65535'], TCP: ['5432'], UDP: ['1-65535'] });
    expect(json.portsInDoubt).toEqual({ TCP: ['1-5431', '5433-65535'] });
    expect(json.network.undetermined).toContain("certain only for SCTP 1-65535,TCP 5432,UDP 1-65535 (what one IP family's path allows for certain); TCP 1-5431,5433-65535 may go either way");
  });
});

describe('reach --matrix -o csv: each IP family\'s path in its own column', () => {
  // IPv4: every port denied to web; IPv6: port 80 only denied (Felix applies each ipVersion rule to its family only).
  const yaml = dual + dbIngress("{action: Deny, ipVersion: 4, source: {selector: app == 'web'}}", "{action: Deny, ipVersion: 6, protocol: TCP, source: {selector: app == 'web'}, destination: {ports: [80]}}", '{action: Allow}');
  const rows = (output: 'csv' | 'json', effective = false) => reachCommandCore(snap(yaml), { matrix: true, output, effective }).output;

  it('the header appends ipv4 and ipv6 after in_doubt (existing columns keep their place), --effective too', () => {
    expect(rows('csv').split('\n')[0]).toBe('src,dst,conn,in_doubt,ipv4,ipv6');
    expect(rows('csv', true).split('\n')[0]).toBe('src,dst,conn,mesh,in_doubt,ipv4,ipv6');
  });

  it('a dual-stack row whose two paths differ has what each allows; a row not judged per family has them empty', () => {
    const lines = rows('csv').split('\n');
    expect(lines).toContain('shop/web[Deployment],shop/db[Deployment],"SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535",,No Connections,"SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535"');
    expect(lines).toContain('other/client[Deployment],shop/db[Deployment],All Connections,,,');
    // The same cells as the JSON matrix's ipv4/ipv6.
    const json = (JSON.parse(rows('json')) as Array<Record<string, string>>).find((r) => r.src === 'shop/web[Deployment]' && r.dst === 'shop/db[Deployment]');
    expect([json?.ipv4, json?.ipv6]).toEqual(['No Connections', 'SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535']);
  });

  it('--effective keeps the family columns after the mesh and in_doubt columns', () => {
    expect(rows('csv', true).split('\n')).toContain('shop/web[Deployment],shop/db[Deployment],"SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535",,,No Connections,"SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535"');
  });
});
