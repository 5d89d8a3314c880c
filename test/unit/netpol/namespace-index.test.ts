// Namespaces a namespace selector matches, looked up by its required label instead of a scan:
// the answer must be the scan's, in the namespaces' own order (AdminNetworkPolicy subjects and
// peers, https://network-policy-api.sigs.k8s.io/api-overview/: `namespaces` is a
// metav1.LabelSelector, matchLabels ANDed with matchExpressions).
import { describe, expect, it } from 'vitest';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { namespacesMatching } from '../../../src/analysis/netpol/namespace-index.ts';
import { parseSelector } from '../../../src/analysis/netpol/selector.ts';
import { ns, pod, snap } from './helpers.ts';

const labels = new Map<string, Record<string, string>>([
  ['zeta', { team: 'b', env: 'prod' }],
  ['alpha', { team: 'a', env: 'prod' }],
  ['mid', { team: 'b', env: 'dev' }],
  ['other', { env: 'prod' }],
  ['last', { team: 'a' }],
]);
const scan = (raw: unknown) => [...labels].filter(([, l]) => parseSelector(raw, 's').selector!.matches(l)).map(([n]) => n);
const lookedUp = (raw: unknown) => namespacesMatching(labels, parseSelector(raw, 's').selector!);

describe('namespacesMatching', () => {
  it('answers as a scan of every namespace does, in the namespaces\' order', () => {
    const selectors: unknown[] = [
      { matchLabels: { team: 'b' } },
      { matchLabels: { team: 'b', env: 'prod' } },
      { matchExpressions: [{ key: 'team', operator: 'In', values: ['b', 'a'] }] },
      { matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 'a'] }] },
      { matchExpressions: [{ key: 'team', operator: 'In', values: ['b', 'a'] }, { key: 'env', operator: 'NotIn', values: ['dev'] }] },
      { matchExpressions: [{ key: 'team', operator: 'In', values: ['c'] }] },
      { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] },
      { matchExpressions: [{ key: 'team', operator: 'Exists' }] },
    ];
    expect(lookedUp(selectors[2])).toEqual(['zeta', 'alpha', 'mid', 'last']);
    expect(lookedUp(selectors[3])).toEqual(['alpha', 'last']);
    expect(lookedUp(selectors[5])).toEqual([]);
    for (const s of selectors) expect(lookedUp(s), JSON.stringify(s)).toEqual(scan(s));
  });

  it('an AdminNetworkPolicy whose subject namespaces are selected by label applies to the pods there, and only there', () => {
    const yaml = [
      ns('zeta', { team: 'b' }), ns('alpha', { team: 'a' }), ns('mid', { team: 'b' }), ns('other'),
      pod('zeta', 'z', { app: 'z' }), pod('alpha', 'a', { app: 'a' }), pod('mid', 'm', { app: 'm' }), pod('other', 'o', { app: 'o' }),
      `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: teams}
spec:
  priority: 10
  subject:
    namespaces:
      matchExpressions: [{key: team, operator: In, values: [b, a, b]}]
  ingress:
  - name: deny-all
    action: Deny
    from: [{namespaces: {}}]
`,
    ].join('');
    const model = buildReachability(snap(yaml));
    const selected = model.selectedBy.get(model.policies.find((p) => p.api === 'AdminNetworkPolicy')!.id)!.map((c) => c.namespace);
    expect(selected).toEqual(['zeta', 'alpha', 'mid']);
  });
});
