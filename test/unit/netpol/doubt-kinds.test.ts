// The engine's doubts carry their kind (engine.ts Doubt: the doubted rule's action and what
// leaves its match open), and network.intent-violation weighs a doubt by that kind, never by its
// text: the text holds names from the cluster (docs/hostile-text.md), and an AdminNetworkPolicy
// rule's name is free text ("Name is an identifier for this rule, that may be no more than 100
// characters in length", network-policy-api apis/v1alpha1/adminnetworkpolicy_types.go, v0.1.7).
import { describe, expect, it } from 'vitest';
import { buildReachability, egressVerdict, ingressVerdict } from '../../../src/analysis/netpol/model.ts';
import type { Doubt } from '../../../src/analysis/netpol/engine.ts';
import { deniesOnUnsettledCondition } from '../../../checks/network/intent-violation.ts';
import { calicoBase, ipv4Pool, ipv6Pool, reach, webNeverDb } from './calico-scenes.ts';
import { snap } from './helpers.ts';

/** The doubts of every decision on shop/web → shop/db, both directions, as reach tracks them. */
function doubtsOf(yaml: string): Doubt[] {
  const model = buildReachability(snap(yaml));
  const cls = (ns: string, app: string) => ({ kind: 'class', cls: model.classesByNamespace.get(ns)!.find((c) => c.labels.app === app)! }) as const;
  const src = cls('shop', 'web');
  const dst = cls('shop', 'db');
  return [egressVerdict(model, src, dst, true), ingressVerdict(model, src, dst, true)].flatMap((v) => v.decisions.flatMap((d) => d.uncertain ?? []));
}

const dbRule = (rule: string) => `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db-lockdown, namespace: shop}
spec:
  selector: app == 'db'
  types: [Ingress]
  ingress:
${rule}
  - action: Allow
`;

// AdminNetworkPolicy `networks` are matched on pod addresses too ("cluster-internal traffic will
// be checked against the rule as well", AdminNetworkPolicyEgressPeer.networks,
// adminnetworkpolicy_types.go); 0.0.0.0/0 holds an IPv4 pod, and with no IPPool read the pods'
// family is not known: the Allow's match is in doubt, counted as matching. Calico enforces
// AdminNetworkPolicy from v3.29.0 (anp.test.ts).
const anpAllowThenDeny = (ruleName: string) => `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: web-egress}
spec:
  priority: 10
  subject: {pods: {namespaceSelector: {matchLabels: {team: shop}}, podSelector: {matchLabels: {app: web}}}}
  egress:
  - {name: ${JSON.stringify(ruleName)}, action: Allow, to: [{networks: ["0.0.0.0/0"]}]}
  - {name: rest, action: Deny, to: [{namespaces: {}}]}
`;

describe('doubts carry their kind', () => {
  // Calico ipVersion: "Positive IP version match" (docs.tigera.io/calico/latest/reference/resources/networkpolicy, Rule);
  // source ports: EntityRule "ports" on the source side (same page).
  it('a Deny ipVersion 4 with the families not known is a deny-side ipVersion doubt; with dual-stack pools a dualStack one; with source ports beside, partial too', () => {
    const deny = "  - action: Deny\n    ipVersion: 4\n    source: {selector: app == 'web'}";
    expect(doubtsOf(calicoBase() + dbRule(deny))).toEqual([expect.objectContaining({ side: 'deny', reasons: ['ipVersion'] })]);
    expect(doubtsOf(calicoBase() + ipv4Pool + ipv6Pool + dbRule(deny))).toEqual([expect.objectContaining({ side: 'deny', reasons: ['dualStack'] })]);
    const withPorts = "  - action: Deny\n    ipVersion: 4\n    protocol: TCP\n    source: {selector: app == 'web', ports: ['1024:65535']}";
    expect(doubtsOf(calicoBase() + ipv4Pool + ipv6Pool + dbRule(withPorts))).toEqual([expect.objectContaining({ side: 'deny', reasons: ['dualStack', 'partial'] })]);
  });

  it('an Allow on some source ports is an allow-side partial doubt, a Pass a pass-side one; an ANP networks match a match doubt', () => {
    const allow = "  - action: Allow\n    protocol: TCP\n    source: {selector: app == 'web', ports: [443]}";
    expect(doubtsOf(calicoBase() + dbRule(allow))).toEqual([expect.objectContaining({ side: 'allow', reasons: ['partial'] })]);
    const pass = "  - action: Pass\n    protocol: TCP\n    source: {selector: app == 'web', notPorts: [53]}";
    expect(doubtsOf(calicoBase() + dbRule(pass))).toEqual([expect.objectContaining({ side: 'pass', reasons: ['partial'] })]);
    expect(doubtsOf(calicoBase('v3.30.2') + anpAllowThenDeny('open'))).toEqual([expect.objectContaining({ side: 'allow', reasons: ['match'] })]);
  });

  it('the text reach prints is unchanged: kind and text come from one doubt', () => {
    const [d] = doubtsOf(calicoBase() + dbRule("  - action: Deny\n    ipVersion: 4\n    source: {selector: app == 'web'}"));
    expect(d.text).toBe('Calico NetworkPolicy shop/db-lockdown rule 0 (Deny): ipVersion 4: the rule matches IPv4 packets only, and whether the pods have an IPv4 address is not known (no Calico IPPool was read); counted as not matching');
  });
});

describe('network.intent-violation weighs a doubt by its kind, not its text', () => {
  it('an AdminNetworkPolicy Allow named "counted as not matching" whose match is in doubt is still a certain, high violation (as under any other name)', () => {
    const hostile = calicoBase('v3.30.2') + anpAllowThenDeny('counted as not matching');
    // reach shows the name as written, in the doubt's text.
    expect(reach(hostile, 'shop/web', 'shop/db', '5432').output).toContain('rule 0 "counted as not matching" (Allow): 0.0.0.0/0 cover IPv4 only');
    for (const yaml of [calicoBase('v3.30.2') + anpAllowThenDeny('open'), hostile]) {
      const res = webNeverDb(yaml);
      expect(res).toMatchObject({ status: 'fail', severity: 'high' });
      expect(res.message).toContain('intent "web-never-db" is violated');
    }
  });

  it('the classifier reads side and reasons only', () => {
    const doubt = (side: Doubt['side'], reasons: Doubt['reasons'], text: string): Doubt => ({ side, reasons, text });
    // Allow-side, whatever the text says.
    expect(deniesOnUnsettledCondition(doubt('allow', ['partial'], 'x: counted as not matching'))).toBe(false);
    // Deny-side on a condition not settled, though the text names dual-stack (a name could).
    expect(deniesOnUnsettledCondition(doubt('deny', ['ipVersion'], 'both ends have addresses of both families; counted as matching'))).toBe(true);
    expect(deniesOnUnsettledCondition(doubt('pass', ['partial'], ''))).toBe(true);
    // Dual-stack: the other family's path never meets the rule. A peer match alone is no condition.
    expect(deniesOnUnsettledCondition(doubt('deny', ['dualStack', 'partial'], 'counted as not matching'))).toBe(false);
    expect(deniesOnUnsettledCondition(doubt('deny', ['match'], 'counted as not matching'))).toBe(false);
    expect(deniesOnUnsettledCondition(doubt('policy', ['subject'], 'counted as not matching'))).toBe(false);
  });
});
