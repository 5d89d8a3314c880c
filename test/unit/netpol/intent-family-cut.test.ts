// network.intent-violation judges each IP family's path of every flow it finds, not only of the
// 20 it lists. Felix renders a rule with `ipVersion` only into its own family's chains
// (FilterRuleToIPVersion, projectcalico/calico felix/rules/policy.go, v3.32.1;
// docs.tigera.io/calico/latest/reference/resources/networkpolicy, Rule.ipVersion "Positive IP
// version match"): between dual-stack pods a Deny for IPv4 beside a Deny for IPv6 denies both
// paths, however many pod classes the intent spans.
import { describe, expect, it } from 'vitest';
import { calicoBase, ipv4Pool, ipv6Pool } from './calico-scenes.ts';
import { snap } from './helpers.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';
import { defaultConfig } from '../../../src/config/types.ts';

/** `n` database Deployments, each its own pod class (a distinct shard label); the scene's shop/db is one more. */
const shards = (n: number) => Array.from({ length: n }, (_, k) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db-${k}, namespace: shop}
spec:
  selector: {matchLabels: {app: db, shard: "${k}"}}
  template:
    metadata: {labels: {app: db, shard: "${k}"}}
    spec: {containers: [{name: db, image: postgres, ports: [{containerPort: 5432}]}]}
`).join('');

const dbIngress = (...rules: string[]) => `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db-in, namespace: shop}
spec:
  selector: app == 'db'
  types: [Ingress]
  ingress:
${rules.map((r) => `  - ${r}\n`).join('')}`;

const webNeverDb = (yaml: string) => {
  const config = { ...defaultConfig(), intent: { deny: [{ name: 'web-never-db', from: { namespace: 'shop', podSelector: { app: 'web' } }, to: { namespace: 'shop', podSelector: { app: 'db' } }, ports: [5432] }] } };
  const [verdict] = [...intentViolation.evaluate({ snapshot: snap(yaml), config, now: new Date('2026-12-05T00:00:00Z') })];
  return verdict!;
};

const dual = calicoBase() + ipv4Pool + ipv6Pool;
const denyV4 = "{action: Deny, ipVersion: 4, source: {selector: app == 'web'}}";
const denyV6 = "{action: Deny, ipVersion: 6, source: {selector: app == 'web'}}";
const denyV6SomePorts = "{action: Deny, ipVersion: 6, protocol: TCP, source: {selector: app == 'web', ports: ['1024:65535']}}";

describe('intent between dual-stack pods over more flows than the list shows (20)', () => {
  it('25 database classes, each behind a Deny for IPv4 and one for IPv6: both paths denied for every flow, the intent holds', () => {
    const res = webNeverDb(dual + shards(25) + dbIngress(denyV4, denyV6, '{action: Allow}'));
    expect(res.status).toBe('pass');
    expect(res.evidence).toMatchObject({ enforcedBy: 'network', sourceClasses: 1, destinationClasses: 26 });
  });

  it('a few classes behave the same (the judgement was already made when every flow was listed)', () => {
    expect(webNeverDb(dual + shards(3) + dbIngress(denyV4, denyV6, '{action: Allow}')).status).toBe('pass');
  });

  it('25 classes, IPv4 denied and IPv6 denied on some source ports only: every flow is in doubt — medium "cannot be confirmed", not a high violation', () => {
    const res = webNeverDb(dual + shards(25) + dbIngress(denyV4, denyV6SomePorts, '{action: Allow}'));
    expect(res).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(res.message).toMatch(/^intent "web-never-db" cannot be confirmed: .*\(26 pod-class flow\(s\) in doubt\); the model counts them as allowed$/);
    expect((res.evidence as { doubtedFlows: unknown[] }).doubtedFlows).toHaveLength(20);
  });

  it('25 classes, only the IPv6 Deny: the IPv4 path is open — a certain high violation, its list cut at 20', () => {
    const res = webNeverDb(dual + shards(25) + dbIngress(denyV6, '{action: Allow}'));
    expect(res.status).toBe('fail');
    expect(res.severity).toBeUndefined(); // the check's default, high
    expect(res.message).toContain('intent "web-never-db" is violated: shop pods {app=web} can reach shop pods {app=db} (20+ pod-class flow(s)');
  });
});

// A Pass rule hands a connection to the next tier (docs.tigera.io/calico/latest/reference/resources/tier,
// "Pass"); with ipVersion only in its own family's chains (FilterRuleToIPVersion, felix/rules/policy.go,
// v3.32.1). The model, reading the flow without a family, counts the Pass as not matching and the
// tier's end denies: a flow it holds in doubt, whose IPv6 path the default tier allows.
const securityTier = `---
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
  - {action: Deny, ipVersion: 4, source: {selector: app == 'web'}}
  - {action: Pass, ipVersion: 6, source: {selector: app == 'web'}}
`;

describe('intent between dual-stack pods: flows the model counts as denied, more than the list shows', () => {
  it('25 database classes behind an IPv6 Pass into a default-tier Allow: the IPv6 path is allowed — a certain high violation, not "cannot be confirmed"', () => {
    const res = webNeverDb(dual + shards(25) + securityTier + dbIngress("{action: Allow, source: {selector: app == 'web'}}"));
    expect(res.status).toBe('fail');
    expect(res.severity).toBeUndefined(); // the check's default, high
    expect(res.message).toContain('intent "web-never-db" is violated: shop pods {app=web} can reach shop pods {app=db} (20+ pod-class flow(s)');
  });
});
