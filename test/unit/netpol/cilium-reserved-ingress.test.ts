// network.policy-selects-nothing and Cilium's Ingress endpoint: the Cilium docs' example
// CiliumClusterwideNetworkPolicy (Documentation/network/servicemesh/default-deny-ingress-policy.rst,
// cilium v1.20.2) selects `reserved:ingress` (labels.LabelIngress, the Envoy endpoint of Cilium
// Ingress / Gateway API), no pod: it is no typo and must not be reported. A namespaced
// CiliumNetworkPolicy's selector is confined to its namespace's pods, so the same selector there
// selects nothing.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { policySelectsNothing } from '../../../checks/network/policy-selects-nothing.ts';
import { ctxOf, run } from './helpers.ts';

const yaml = readFileSync(join(import.meta.dirname, '../../fixtures/checks/network.policy-selects-nothing/pass.cilium-reserved-ingress.yaml'), 'utf8');
const verdicts = (y: string) => run(policySelectsNothing, ctxOf(y)).map((v) => `${v.status} ${v.message}`);

describe('a selector on reserved:ingress', () => {
  it('the docs\' CiliumClusterwideNetworkPolicy passes, saying it selects the Ingress endpoint', () => {
    expect(verdicts(yaml)).toEqual(["pass CiliumClusterwideNetworkPolicy allow-ingress-egress selects Cilium's Ingress/Gateway endpoint (reserved:ingress), which is no pod"]);
  });

  it('a namespaced CiliumNetworkPolicy with the same selector still fails', () => {
    const cnp = yaml.replace('kind: CiliumClusterwideNetworkPolicy\nmetadata: {name: allow-ingress-egress}', 'kind: CiliumNetworkPolicy\nmetadata: {name: allow-ingress-egress, namespace: shop}');
    expect(verdicts(cnp).map((v) => v.split(' ')[0])).toEqual(['fail']);
  });
});
