// CIDR peers against pods. The model does not know pod addresses; where an API matches CIDRs
// on them (ANP `networks`, Calico `nets`/`notNets`), a CIDR list covering all of IPv4 and IPv6
// contains every pod, and anything less makes the verdict uncertain (reach exits 2 and says
// why). Kubernetes ipBlock keeps matching addresses outside the cluster only.
import { describe, expect, it } from 'vitest';
import { namespaceDefaultDenyEgress } from '../../../checks/network/namespace-default-deny-egress.ts';
import { buildReachability, egressVerdict } from '../../../src/analysis/netpol/model.ts';
import { queryReach, resolveTarget } from '../../../src/analysis/netpol/query.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { ctxOf, ns, pod, policy, snap } from './helpers.ts';

// The reviewer's base cluster: namespaces a {team: red} and b {team: blue}.
const base = ns('a', { team: 'red' }) + ns('b', { team: 'blue' })
  + pod('a', 'web', { app: 'web' }, [{ name: 'http', containerPort: 8080 }])
  + pod('a', 'db', { app: 'db' }, [{ name: 'pg', containerPort: 5432 }])
  + pod('b', 'client', { app: 'client' });

const anpDenyEgressTo = (networks: string) => `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-all-egress}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {team: blue}}}
  egress:
  - {name: deny-everything, action: Deny, to: [{networks: ${networks}}]}
`;

const gnp = (name: string, spec: string, apiVersion = 'projectcalico.org/v3') => `---
apiVersion: ${apiVersion}
kind: GlobalNetworkPolicy
metadata: {name: ${name}}
spec:
${spec.replace(/^\n/, '').split('\n').map((l) => `  ${l}`).join('\n')}
`;

function reach(yaml: string, from: string, to: string, port = '5432') {
  return reachCommandCore(snap(yaml), { from, to, port });
}

describe('CIDR peers match pods where the API says so', () => {
  // network-policy-api apis/v1alpha1/adminnetworkpolicy_types.go, AdminNetworkPolicyEgressPeer.networks:
  // "cluster-internal traffic will be checked against the rule as well. So if you Allow or Deny
  // traffic to "0.0.0.0/0", that will allow or deny all IPv4 pod-to-pod traffic as well."
  it('e3: an ANP Deny to networks 0.0.0.0/0 and ::/0 denies pod-to-pod egress, and isolates the namespace', () => {
    const yaml = base + anpDenyEgressTo('["0.0.0.0/0", "::/0"]');
    const r = reach(yaml, 'b/client', 'a/db');
    expect(r.exitCode).toBe(1);
    expect(r.output).toMatch(/^DENIED: /);
    expect(r.output).toContain('DENIED by AdminNetworkPolicy deny-all-egress (priority 10) rule 0 "deny-everything" (Deny): TCP 5432');
    expect(r.output).not.toContain('uncertain');
    const b = [...namespaceDefaultDenyEgress.evaluate(ctxOf(yaml))].find((v) => v.resource.name === 'b')!;
    expect(b.status).toBe('pass');
    expect(b.evidence?.isolatedBy).toEqual([{ policy: 'AdminNetworkPolicy deny-all-egress', api: 'AdminNetworkPolicy' }]);
  });

  // docs.tigera.io/calico/latest/reference/resources/networkpolicy (EntityRule nets: "Match packets
  // with IP in any of the listed CIDRs"); "Calico matches packets based on their source/destination
  // IP addresses" (docs.tigera.io/calico/latest/reference/resources/networkset). Every pod address is inside /0.
  // The API server refuses both families in one rule (validator/v3 validateRule); the storage form
  // (crd.projectcalico.org/v1) holds it, and Felix renders it per family.
  it('e4: a Calico Deny to nets 0.0.0.0/0 and ::/0 denies traffic to pods', () => {
    const yaml = base + gnp('deny-all-nets', `order: 10\nselector: app == 'client'\ntypes: [Egress]\negress:\n- {action: Deny, destination: {nets: ["0.0.0.0/0", "::/0"]}}\n- {action: Allow}`, 'crd.projectcalico.org/v1');
    const r = reach(yaml, 'b/client', 'a/db');
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED by GlobalNetworkPolicy deny-all-nets (order 10) rule 0 (Deny): TCP 5432');
    expect(r.output).not.toContain('uncertain');
  });

  // The same rule through the API (projectcalico.org/v3) is refused: "rule contains both IPv4 and
  // IPv6 CIDRs" (libcalico-go validator/v3 validateRule). It never existed, so it denies nothing.
  it('e4b: the same mixed-family rule as projectcalico.org/v3 is invalid and decides nothing: reach is ALLOWED', () => {
    const yaml = base + gnp('deny-all-nets', `order: 10\nselector: app == 'client'\ntypes: [Egress]\negress:\n- {action: Deny, destination: {nets: ["0.0.0.0/0", "::/0"]}}\n- {action: Allow}`);
    const r = reach(yaml, 'b/client', 'a/db');
    expect(r.exitCode).toBe(0);
    expect(r.output).toMatch(/^ALLOWED: b\/client\[Pod\] -> a\/db\[Pod\] on 5432\/TCP/);
    expect(r.output).toContain('egress at b/client[Pod]: not isolated');
  });

  // Only a write through the v3 API is validated: on a live cluster a mixed-family rule written
  // through crd.projectcalico.org/v1 exists, the v3 API serves it as it is, and Felix enforces it
  // per family: "It also handles rules like 'allow from 10.0.0.1,feed::beef' in an intuitive way"
  // (calico felix/rules/policy.go FilterRuleToIPVersion, v3.31.0). The v3 view of a live object
  // is not refused (libcalico-go validator/v3 validateRule runs on create/update only).
  it('e4c: on a live cluster the v3 view of a mixed-family Deny is enforced: reach is DENIED', () => {
    const live = { ...snap(base + gnp('deny-all-nets', `order: 10\nselector: app == 'client'\ntypes: [Egress]\negress:\n- {action: Deny, destination: {nets: ["0.0.0.0/0", "::/0"]}}\n- {action: Allow}`)), source: 'live', origin: 'live' } as const;
    const r = reachCommandCore(live, { from: 'b/client', to: 'a/db', port: '5432' });
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED by GlobalNetworkPolicy deny-all-nets (order 10) rule 0 (Deny): TCP 5432');
    expect(r.output).not.toContain('invalid');
  });

  // Manifests holding both forms of one policy: the storage form is what gets stored (written
  // around the v3 validator), so the v3 twin stands for an existing object, not a refused write.
  it('e4d: manifests with the storage form beside the v3 object: the mixed-family rule decides (DENIED, ALLOWED from a listed net)', () => {
    const rule = `order: 10\nselector: app == 'client'\ntypes: [Egress]\negress:\n- {action: Deny, destination: {nets: ["0.0.0.0/0", "::/0"]}}\n- {action: Allow}`;
    const r = reach(base + gnp('deny-all-nets', rule, 'crd.projectcalico.org/v1') + gnp('deny-all-nets', rule), 'b/client', 'a/db');
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED by GlobalNetworkPolicy deny-all-nets (order 10) rule 0 (Deny): TCP 5432');
    const allow = `order: 100\nselector: app == 'db'\ntypes: [Ingress]\ningress:\n- {action: Allow, protocol: TCP, source: {nets: [203.0.113.0/24, "2001:db8::/32"]}, destination: {ports: [5432]}}`;
    const deny = policy('a', 'default-deny', 'podSelector: {}\npolicyTypes: [Ingress]');
    const both = reach(base + deny + gnp('partner-db', allow, 'crd.projectcalico.org/v1') + gnp('partner-db', allow), '203.0.113.5', 'a/db');
    expect(both.exitCode).toBe(0);
    expect(both.output).toContain('ALLOWED by GlobalNetworkPolicy partner-db (order 100) rule 0 (Allow): TCP 5432');
    // The v3 object alone is a write the API server refuses: the Allow does not exist.
    const alone = reach(base + deny + gnp('partner-db', allow), '203.0.113.5', 'a/db');
    expect(alone.exitCode).toBe(1);
  });

  // The "no internet" pattern. Pod addresses come from the IP pools (default 192.168.0.0/16,
  // docs.tigera.io/calico/latest/reference/resources/ippool), usually inside notNets: rule 0 then
  // does not match and rule 1 allows. ztaudit does not know pod addresses: unknown, never DENIED.
  it('d6: a Calico Deny to notNets of the private ranges is uncertain for pods: reach says UNKNOWN and exits 2', () => {
    const yaml = base + gnp('no-internet', `order: 10\nselector: all()\ntypes: [Egress]\negress:\n- action: Deny\n  destination: {notNets: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]}\n- action: Allow`);
    const r = reach(yaml, 'a/web', 'a/db');
    expect(r.exitCode).toBe(2);
    expect(r.output).toMatch(/^UNKNOWN: a\/web\[Pod\] -> a\/db\[Pod\] on 5432\/TCP/);
    expect(r.output).toContain('network UNKNOWN: the model reads it as DENIED');
    expect(r.output).toContain("note: uncertain: GlobalNetworkPolicy no-internet (order 10) rule 0 (Deny): whether the pod's address is in 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 is not known");
    const a = queryReach(buildReachability(snap(yaml)), 'a/web', 'a/db', 5432);
    expect(a.undetermined?.length).toBeGreaterThan(0);
    // An address outside the cluster is known: the rule decides it for certain.
    const out = reach(yaml, 'a/web', '8.8.8.8', '443');
    expect(out.exitCode).toBe(1);
    expect(out.output).not.toContain('uncertain');
  });

  it('a CIDR covering part of the address space is uncertain against a pod; one covering only IPv4 too (pods are taken as IPv4)', () => {
    const partial = reach(base + anpDenyEgressTo('["10.0.0.0/8"]'), 'b/client', 'a/db');
    expect(partial.exitCode).toBe(2);
    expect(partial.output).toContain('network UNKNOWN: the model reads it as ALLOWED');
    expect(partial.output).toContain("whether the pod's address is in 10.0.0.0/8 is not known (the model does not know pod addresses); counted as outside");
    const v4 = reach(base + anpDenyEgressTo('["0.0.0.0/0"]'), 'b/client', 'a/db');
    expect(v4.exitCode).toBe(2);
    expect(v4.output).toContain('network UNKNOWN: the model reads it as DENIED');
    expect(v4.output).toContain('0.0.0.0/0 cover IPv4 only');
    // A certain decision elsewhere settles the flow: the destination's own deny is definite.
    const denied = base + anpDenyEgressTo('["10.0.0.0/8"]') + policy('a', 'deny-in', 'podSelector: {}\npolicyTypes: [Ingress]');
    expect(reach(denied, 'b/client', 'a/db').exitCode).toBe(1);
  });

  // RFC 6890 special-purpose space (link-local 169.254.0.0/16: the cloud metadata address) is
  // never a pod's address: the usual "no cloud metadata" Deny is certain against pods.
  it('a CIDR inside special-purpose space (169.254.169.254/32) certainly holds no pod', () => {
    const yaml = base + anpDenyEgressTo('["169.254.169.254/32"]');
    const r = reach(yaml, 'b/client', 'a/db');
    expect(r.exitCode).toBe(0);
    expect(r.output).toMatch(/^ALLOWED: /);
    expect(r.output).not.toContain('uncertain');
    expect(reach(yaml, 'b/client', '169.254.169.254', '80').exitCode).toBe(1);
  });

  // kubernetes.io/docs/concepts/services-networking/network-policies/ (ipBlock: "These should be
  // cluster-external IPs, since Pod IPs are ephemeral and unpredictable") advises against pod
  // addresses, but every CNI except Cilium matches them (Kubernetes e2e "should allow egress access
  // to server in CIDR block"; test/unit/netpol/ipblock-pods.test.ts): with no CNI known, 0.0.0.0/0
  // holds an IPv4 pod, and only the pod's address family is in doubt.
  it('a Kubernetes NetworkPolicy ipBlock 0.0.0.0/0 may hold a pod with no CNI known: counted as holding it, reach UNKNOWN', () => {
    const yaml = base + policy('b', 'only-world', 'podSelector: {}\npolicyTypes: [Egress]\negress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]');
    const r = reach(yaml, 'b/client', 'a/db');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('note: uncertain: NetworkPolicy b/only-world rule 0 (Allow): 0.0.0.0/0 cover IPv4 only');
  });

  it('calsel: a Calico source with a selector and nets holds the selected pods only by address: with no IPPool read, reach is UNKNOWN and says why', () => {
    // docs.tigera.io/calico/latest/reference/resources/networkpolicy#entityrule: "nets: Match packets
    // with IP in any of the listed CIDRs"; the selector and nets must both match.
    const yaml = base + gnp('sel-nets', `order: 10\nselector: app == 'db'\ntypes: [Ingress]\ningress:\n- {action: Allow, source: {selector: app == 'client', nets: ["10.0.0.0/8"]}}`);
    // Without IPPools the client's address is not known: the answer is UNKNOWN, naming why.
    const r = reach(yaml, 'b/client', 'a/db');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("note: uncertain: GlobalNetworkPolicy sel-nets (order 10) rule 0 (Allow): the rule selects pods only when their address is in its nets: whether the pod's address is in 10.0.0.0/8 is not known (the model does not know pod addresses; no Calico IPPool was read); counted as outside");
  });
});

describe('only reach for one flow pays for the doubts', () => {
  it('the verdict the matrix and the checks read carries no doubt texts; reach on the same pair still names them', () => {
    // Building "why this might be otherwise" for every pair doubled `reach --matrix` on a cluster
    // with ANP networks rules: the matrix and the checks read the connections only.
    const yaml = base + anpDenyEgressTo('["10.0.0.0/8"]');
    const model = buildReachability(snap(yaml));
    const cls = (t: string) => { const r = resolveTarget(model, t); if (r.kind !== 'workload') throw new Error(t); return { kind: 'class' as const, cls: r.node.classes[0]! }; };
    const [src, dst] = [cls('b/client'), cls('a/db')];
    const counted = egressVerdict(model, src, dst);
    const asked = egressVerdict(model, src, dst, true);
    expect(counted.conns).toEqual(asked.conns);
    expect(counted.decisions.some((d) => d.uncertain)).toBe(false);
    expect(asked.decisions.some((d) => d.uncertain)).toBe(true);
    expect(queryReach(model, 'b/client', 'a/db', 5432).undetermined?.[0]).toContain("whether the pod's address is in 10.0.0.0/8 is not known");
  });
});
