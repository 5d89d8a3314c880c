// A Calico (projectcalico.org/v3) rule whose source has only `notSelector`, as a user runs `reach`.
// The documentation says such a rule matches "packets from all endpoints except a particular set
// (`source.notSelector`)" (docs.tigera.io/calico-enterprise/latest/reference/clis/calicoq/selectors)
// and is silent on the namespace; the source settles it.
// libcalico-go scopes a namespaced policy's rule to its namespace "as soon as _any_ of the
// selector fields are used, including NotSelector" (projectcalico/calico v3.32.1
// libcalico-go/lib/backend/syncersv1/updateprocessors/rules.go, GetEntityRuleSelector): the
// rule's positive selector becomes `projectcalico.org/namespace == '<ns>'`, so it matches the
// pods of that namespace the notSelector does not, and no address outside the cluster. In a
// GlobalNetworkPolicy nothing is added, and Felix renders the notSelector alone as a negated IP
// set: "the negative match criteria should match packets that come from outside the set of known
// endpoints too" (felix/calc/rule_scanner.go combineMatchesIfPossible, same tag) — every pod
// the notSelector does not match, and every outside address but those of the network sets it
// matches. Where a positive selector exists Felix folds the negation into it
// (`(<selector>) && (!(<notSelector>))`), so a network set the positive selector matches keeps
// its CIDRs even where a set the notSelector matches overlaps them.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { snap } from './helpers.ts';

const deployment = (ns: string, name: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 5432}]}]}
`;

const cluster = `---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
${deployment('shop', 'db')}${deployment('shop', 'web')}${deployment('shop', 'batch')}${deployment('other', 'crm')}`;

const rule = `
  selector: app == 'db'
  types: [Ingress]
  ingress:
  - action: Allow
    protocol: TCP
    source: {notSelector: "app == 'batch' || role == 'blocked'"}
    destination: {ports: [5432]}
`;

const namespaced = `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: not-batch, namespace: shop}
spec:${rule}`;

const global = `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: not-batch}
spec:${rule}`;

const reach = (yaml: string, from: string) => {
  const r = reachCommandCore(snap(yaml), { from, to: 'shop/db', port: '5432' });
  return [r.output.split('\n')[0]!.split(':')[0], r.exitCode];
};

describe('a namespaced Calico NetworkPolicy: notSelector alone matches the pods of its namespace it does not select', () => {
  it.each([
    ['shop/web', 'ALLOWED', 0],
    ['shop/batch', 'DENIED', 1],
    ['other/crm', 'DENIED', 1],
    ['203.0.113.9', 'DENIED', 1],
  ])('%s → shop/db: %s', (from, word, code) => {
    expect(reach(cluster + namespaced, from)).toEqual([word, code]);
  });
});

describe('a GlobalNetworkPolicy: notSelector alone matches everything it does not select, outside addresses included', () => {
  it.each([
    ['shop/web', 'ALLOWED', 0],
    ['shop/batch', 'DENIED', 1],
    ['other/crm', 'ALLOWED', 0],
    ['203.0.113.9', 'ALLOWED', 0],
  ])('%s → shop/db: %s', (from, word, code) => {
    expect(reach(cluster + global, from)).toEqual([word, code]);
  });

  it('but not the addresses of a network set the notSelector matches', () => {
    const blocked = `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: blocked, labels: {role: blocked}}
spec: {nets: [203.0.113.0/24]}
`;
    expect(reach(cluster + global + blocked, '203.0.113.9')).toEqual(['DENIED', 1]);
    expect(reach(cluster + global + blocked, '198.51.100.9')).toEqual(['ALLOWED', 0]);
  });
});

describe('network sets under a namespaced policy: the notSelector narrows the sets its namespace scope matches, as Felix folds it in', () => {
  const sets = `---
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: {name: partners, namespace: shop}
spec: {nets: [198.51.100.0/24]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: blocked, labels: {role: blocked}}
spec: {nets: [198.51.100.128/25]}
---
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: {name: blocked-here, namespace: shop, labels: {role: blocked}}
spec: {nets: [192.0.2.0/24]}
`;
  it('an address of shop\'s NetworkSet partners is matched, though the GlobalNetworkSet the notSelector matches overlaps it: ALLOWED', () => {
    expect(reach(cluster + namespaced + sets, '198.51.100.200')).toEqual(['ALLOWED', 0]);
  });

  it('an address of a shop NetworkSet the notSelector matches is not: DENIED', () => {
    expect(reach(cluster + namespaced + sets, '192.0.2.9')).toEqual(['DENIED', 1]);
  });
});

// The fold leaves nothing negative beside a positive selector (combineMatchesIfPossible sets the
// negated selector to "" once it is folded in; felix/calc/rule_scanner.go, v3.32.1): the IP set
// holds the CIDRs of every network set `(<selector>) && (!(<notSelector>))` matches, and a pod the
// notSelector matches is still matched when its address lies in one of them. Here the IPPool
// 10.244.0.0/16 lies in NetworkSet shop/corp-vpc (10.0.0.0/8): every pod's address is in the set.
describe('a pod the notSelector matches is still matched by its address in a network set the folded selector matches', () => {
  // IPPools are trusted beside a calico-node DaemonSet (Calico IPAM gives the pods their addresses).
  const pool = (cidr: string) => `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec: {containers: [{name: calico-node, image: "docker.io/calico/node:v3.29.1"}]}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: default-ipv4-ippool}
spec: {cidr: ${cidr}, ipipMode: Always, natOutgoing: true}
`;
  const corpVpc = (nets: string) => `---
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: {name: corp-vpc, namespace: shop, labels: {role: corp}}
spec: {nets: [${nets}]}
`;
  const policy = (source: string) => `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db-in, namespace: shop}
spec:
  selector: app == 'db'
  types: [Ingress]
  ingress:
  - action: Allow
    protocol: TCP
    source: ${source}
    destination: {ports: [5432]}
`;
  const notSelOnly = policy(`{notSelector: "app == 'batch'"}`);
  const withSelector = policy(`{selector: "role == 'corp'", notSelector: "app == 'batch'"}`);

  it.each([
    ['notSelector alone (scoped to shop)', notSelOnly],
    ['a selector matching the set, and the notSelector', withSelector],
  ])('%s: shop/batch → shop/db is ALLOWED, its pool inside the set', (_, p) => {
    expect(reach(cluster + p + corpVpc('10.0.0.0/8') + pool('10.244.0.0/16'), 'shop/batch')).toEqual(['ALLOWED', 0]);
  });

  it('notSelector alone: a pod of another namespace is matched by its address in the set as well', () => {
    expect(reach(cluster + notSelOnly + corpVpc('10.0.0.0/8') + pool('10.244.0.0/16'), 'other/crm')).toEqual(['ALLOWED', 0]);
  });

  it.each([
    ['notSelector alone (scoped to shop)', notSelOnly],
    ['a selector matching the set, and the notSelector', withSelector],
  ])('%s: a set outside every pool leaves shop/batch DENIED', (_, p) => {
    expect(reach(cluster + p + corpVpc('192.168.0.0/16') + pool('10.244.0.0/16'), 'shop/batch')).toEqual(['DENIED', 1]);
  });

  it('no IPPool read: whether the set holds shop/batch is not known, UNKNOWN rather than DENIED', () => {
    expect(reach(cluster + notSelOnly + corpVpc('10.0.0.0/8'), 'shop/batch')).toEqual(['UNKNOWN', 2]);
  });
});
