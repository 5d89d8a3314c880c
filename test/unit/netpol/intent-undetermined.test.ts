// network.intent-violation on a flow `ztaudit reach` answers UNKNOWN for beyond a CIDR or selector
// it cannot settle (intent-doubt.test.ts): AdminNetworkPolicies of one priority that decide it
// differently in either order, and a policy the model does not evaluate selecting one end. The
// model reads such a flow as denied; the intent must not be called held on that reading. The
// cluster: namespaces a {team: red} and b {team: blue}, pods a/db (5432) and b/client; the
// intent "b/client never reaches a/db on 5432".
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { findUndeterminedFlows } from '../../../src/analysis/netpol/query.ts';
import { allConns } from '../../../src/analysis/netpol/conns.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';
import { ctxOf, ns, pod, run, snap } from './helpers.ts';

const base = ns('a', { team: 'red' }) + ns('b', { team: 'blue' }) + pod('a', 'db', { app: 'db' }, [{ name: 'pg', containerPort: 5432 }]) + pod('b', 'client', { app: 'client' });
const intent = { intent: { deny: [{ name: 'client-never-db', from: { namespace: 'b', podSelector: { app: 'client' } }, to: { namespace: 'a', podSelector: { app: 'db' } }, ports: [5432] }] } };
const reach = (yaml: string) => reachCommandCore(snap(base + yaml), { from: 'b/client', to: 'a/db', port: '5432' });
const check = (yaml: string) => {
  const out = run(intentViolation, ctxOf(base + yaml, intent));
  expect(out).toHaveLength(1);
  return out[0];
};
const anp = (name: string, priority: number, subject: string, ingress?: string, egress?: string) => `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: ${name}}
spec:
  priority: ${priority}
  subject: ${subject}
${ingress ? `  ingress: ${ingress}\n` : ''}${egress ? `  egress: ${egress}\n` : ''}`;
const dbSubject = '{namespaces: {matchLabels: {team: red}}}';
const clientSubject = '{namespaces: {matchLabels: {team: blue}}}';
const fromBlue = '[{namespaces: {matchLabels: {team: blue}}}]';
const denyIngress = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: a}
spec: {podSelector: {}, policyTypes: [Ingress]}
`;
const denyEgress = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: b}
spec: {podSelector: {}, policyTypes: [Egress]}
`;

// network-policy-api.sigs.k8s.io/reference/spec/ (AdminNetworkPolicySpec.priority): "If two (or
// more) policies with the same priority could both match a connection, then the implementation
// can apply any of the matching policies to the connection, and there is no way for the user to
// reliably determine which one it will choose." The model takes them by name (deny-blue first).
describe('intent-violation and AdminNetworkPolicies of one priority', () => {
  const tie = anp('deny-blue', 10, dbSubject, `[{action: Deny, from: ${fromBlue}}]`) + anp('z-allow-blue', 10, dbSubject, `[{action: Allow, from: ${fromBlue}}]`);

  it('a Deny and an Allow tied on the forbidden flow: reach UNKNOWN (exit 2), and the intent is a medium "cannot be confirmed" naming both policies, not a pass', () => {
    const r = reach(tie);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('the model reads it as DENIED by AdminNetworkPolicy deny-blue (priority 10)');
    const v = check(tie);
    expect(v.status).toBe('fail');
    expect(v.severity).toBe('medium');
    expect(v.message).toBe('intent "client-never-db" cannot be confirmed: Pod b/client → Pod a/db (TCP 5432) may be allowed — AdminNetworkPolicies deny-blue, z-allow-blue share priority 10 and both match this flow: upstream lets an implementation apply any of them, and which one it applies decides this answer (the model takes them by name); the model counts it as denied');
    expect(v.evidence).toMatchObject({ enforcedBy: 'uncertain', doubtedFlows: [{ from: ['Pod b/client'], to: ['Pod a/db'], ports: 'TCP 5432' }] });
  });

  it('two Denies tied: either order denies, reach DENIED (exit 1), and the intent holds', () => {
    const both = anp('deny-blue', 10, dbSubject, `[{action: Deny, from: ${fromBlue}}]`) + anp('z-deny-blue', 10, dbSubject, `[{action: Deny, from: ${fromBlue}}]`);
    expect(reach(both).exitCode).toBe(1);
    expect(check(both)).toMatchObject({ status: 'pass', evidence: { enforcedBy: 'network' } });
  });

  it('the tie on another port than the intent\'s: reach on 5432 DENIED, the intent holds', () => {
    const other = anp('deny-blue', 10, dbSubject, `[{action: Deny, from: ${fromBlue}}]`) + anp('z-allow-blue', 10, dbSubject, `[{action: Allow, from: ${fromBlue}, ports: [{portNumber: {protocol: TCP, port: 8080}}]}]`);
    expect(reach(other).exitCode).toBe(1);
    expect(check(other).status).toBe('pass');
  });

  it('on the source\'s egress: an Allow and a Pass tied (the model takes the Pass first), the Pass handing the flow to a NetworkPolicy that denies it: reach UNKNOWN, the intent not confirmed', () => {
    const egressTie = anp('z-allow', 5, clientSubject, undefined, '[{action: Allow, to: [{namespaces: {}}]}]') + anp('a-pass', 5, clientSubject, undefined, '[{action: Pass, to: [{namespaces: {matchLabels: {team: red}}}], ports: [{portNumber: {protocol: TCP, port: 5432}}]}]') + denyEgress;
    expect(reach(egressTie).exitCode).toBe(2);
    const v = check(egressTie);
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).toContain('AdminNetworkPolicies a-pass, z-allow share priority 5 and both match this flow');
  });
});

// network-policy-api v0.1.x (policy.networking.k8s.io/v1alpha1) NamespacedPeer.notSameLabels
// (network-policy-api.sigs.k8s.io/reference/spec/): a valid peer the model does not evaluate, so
// the policy decides no flow in the model and reach answers UNKNOWN where it may decide the flow.
describe('intent-violation and a policy the model does not evaluate', () => {
  const mixed = anp('mixed', 10, dbSubject, '[{action: Allow, from: [{namespaces: {notSameLabels: [env]}}]}]');

  it('it selects the destination ahead of a NetworkPolicy that denies the flow: reach UNKNOWN, the intent a medium "cannot be confirmed" naming the policy', () => {
    const r = reach(mixed + denyIngress);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('note: AdminNetworkPolicy mixed (priority 10) selects a/db[Pod] for ingress but is not evaluated');
    const v = check(mixed + denyIngress);
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).toContain('intent "client-never-db" cannot be confirmed: Pod b/client → Pod a/db (TCP 5432) may be allowed — AdminNetworkPolicy mixed (priority 10) selects a/db[Pod] for ingress but is not evaluated: spec.ingress[0].from[0].namespaces.notSameLabels');
  });

  it('one selecting the source for egress, where a NetworkPolicy denies its egress: reach UNKNOWN, the intent not confirmed, naming it', () => {
    const egress = anp('mixed-egress', 10, clientSubject, undefined, '[{action: Allow, to: [{namespaces: {notSameLabels: [env]}}]}]');
    const r = reach(egress + denyEgress);
    expect(r.exitCode).toBe(2);
    const v = check(egress + denyEgress);
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).toContain('may be allowed — AdminNetworkPolicy mixed-egress (priority 10) selects b/client[Pod] for egress but is not evaluated');
  });

  it('the source\'s egress denies every connection: reach DENIED (exit 1), the intent holds', () => {
    expect(reach(mixed + denyIngress + denyEgress).exitCode).toBe(1);
    expect(check(mixed + denyIngress + denyEgress).status).toBe('pass');
  });

  // AdminNetworkPolicyIngressRule.action (same page): "Deny: denies the selected traffic" — final.
  it('a Deny of a smaller priority number decides the flow before it is consulted: reach DENIED, the intent holds', () => {
    const first = anp('first-deny', 1, dbSubject, `[{action: Deny, from: ${fromBlue}}]`);
    expect(reach(mixed + denyIngress + first).exitCode).toBe(1);
    expect(check(mixed + denyIngress + first).status).toBe('pass');
  });
});

describe('the search for such flows', () => {
  it('visits only pairs a tie or an unevaluated policy touches, and stops at its cap saying so', () => {
    const tie = anp('deny-blue', 10, dbSubject, `[{action: Deny, from: ${fromBlue}}]`) + anp('z-allow-blue', 10, dbSubject, `[{action: Allow, from: ${fromBlue}}]`);
    const model = buildReachability(snap(base + pod('b', 'api', { app: 'api' }) + pod('b', 'cron', { app: 'cron' }) + tie));
    const sources = model.classesByNamespace.get('b')!;
    const dests = model.classesByNamespace.get('a')!;
    expect(sources).toHaveLength(3);
    expect(findUndeterminedFlows(model, sources, dests, allConns())).toMatchObject({ count: 3, examined: 3, capped: false });
    expect(findUndeterminedFlows(model, sources, dests, allConns(), 20, undefined, 2)).toMatchObject({ count: 2, examined: 2, capped: true });
    // Toward b (no tie, no unevaluated policy at either end) no pair is evaluated at all.
    expect(findUndeterminedFlows(model, dests, sources, allConns())).toMatchObject({ count: 0, examined: 0 });
  });
});

// An ordinary cluster at scale: 110 pods in a (ingress denied by a NetworkPolicy) and 110 in b, the
// intent "b never reaches a". Upstream leaves the order of same-priority policies undefined only
// "if two (or more) policies with the same priority could both match a connection"
// (AdminNetworkPolicySpec.priority, https://network-policy-api.sigs.k8s.io/reference/spec/), and
// whichever of several Allows (or several Denies) applies first, the connection is allowed (or
// denied) all the same (AdminNetworkPolicyIngressRule.action, same page).
describe('ties that cannot change an answer leave a wide intent confirmed', () => {
  const N = 110;
  let wide = ns('a', { team: 'red' }) + ns('b', { team: 'blue' }) + ns('quarantine', { team: 'purple' });
  for (let i = 0; i < N; i++) wide += pod('a', `db${i}`, { app: `db${i}` }) + pod('b', `client${i}`, { app: `client${i}` });
  const wideIntent = { intent: { deny: [{ name: 'b-never-a', from: { namespace: 'b' }, to: { namespace: 'a' } }] } };
  const everyNamespace = '{namespaces: {}}';
  const fromNamed = (action: string, name: string) => `[{action: ${action}, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: ${name}}}}]}]`;
  const wideCheck = (yaml: string) => {
    const out = run(intentViolation, ctxOf(wide + yaml + denyIngress, wideIntent));
    expect(out).toHaveLength(1);
    return out[0];
  };
  const held = { status: 'pass', message: 'intent "b-never-a" holds: no allowed flow from b to a', evidence: { enforcedBy: 'network' } };

  it('two Allow AdminNetworkPolicies at one priority (from monitoring, from ingress-nginx): the intent holds, reach b → a DENIED', () => {
    const allows = anp('allow-monitoring', 50, everyNamespace, fromNamed('Allow', 'monitoring')) + anp('allow-ingress', 50, everyNamespace, fromNamed('Allow', 'ingress-nginx'));
    expect(wideCheck(allows)).toMatchObject(held);
    expect(reachCommandCore(snap(wide + allows + denyIngress), { from: 'b/client7', to: 'a/db3' }).exitCode).toBe(1);
  });

  it('two Deny AdminNetworkPolicies at one priority from a namespace label b lacks: the intent holds', () => {
    const denies = anp('deny-quarantine', 50, everyNamespace, '[{action: Deny, from: [{namespaces: {matchLabels: {team: purple}}}]}]') + anp('deny-quarantine-2', 50, everyNamespace, '[{action: Deny, from: [{namespaces: {matchLabels: {team: purple}}}]}]');
    expect(wideCheck(denies)).toMatchObject(held);
  });

  it('two Deny AdminNetworkPolicies at one priority that both match b: denied in either order, the intent holds', () => {
    const denies = anp('deny-blue', 50, everyNamespace, `[{action: Deny, from: ${fromBlue}}]`) + anp('z-deny-blue', 50, everyNamespace, `[{action: Deny, from: ${fromBlue}}]`);
    expect(wideCheck(denies)).toMatchObject(held);
  });

  it('one Deny AdminNetworkPolicy from a namespace label, every namespace declared: the label is known, so the intent holds', () => {
    expect(wideCheck(anp('deny-quarantine', 50, everyNamespace, '[{action: Deny, from: [{namespaces: {matchLabels: {team: purple}}}]}]'))).toMatchObject(held);
  });

  it('an Allow and a Deny at one priority whose peers are other namespaces than b: no flow from b hangs on their order, the intent holds', () => {
    const mixed = anp('allow-monitoring', 50, everyNamespace, fromNamed('Allow', 'monitoring')) + anp('deny-quarantine', 50, everyNamespace, fromNamed('Deny', 'quarantine'));
    expect(wideCheck(mixed)).toMatchObject(held);
  });

  it('an Allow and a Deny at one priority that both match b: still a medium "cannot be confirmed" naming both', () => {
    const real = anp('deny-blue', 50, everyNamespace, `[{action: Deny, from: ${fromBlue}}]`) + anp('z-allow-blue', 50, everyNamespace, `[{action: Allow, from: ${fromBlue}}]`);
    const v = wideCheck(real);
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v.message).toContain('intent "b-never-a" cannot be confirmed: ');
    expect(v.message).toContain('AdminNetworkPolicies deny-blue, z-allow-blue share priority 50 and both match this flow');
  });
});
