// `except` on a cidrGroupRef / cidrGroupSelector peer carves the excepted addresses out of the
// groups' CIDRs, as on a plain `cidr`: cilium v1.20.2 pkg/policy/types/selector.go
// newCIDRRuleSelector passes rule.ExceptCIDRs into the group cases, and selector_test.go
// "cidr group with exception" / "cidr group ls with exceptions" expect an except requirement;
// pkg/policy/api/rule_validation.go CIDRRule.sanitize does not check a group's excepts.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { CILIUM_AGENT, ns, pod, snap } from './helpers.ts';

const cluster = `${CILIUM_AGENT}${ns('shop')}${pod('shop', 'client', { app: 'client' })}---
apiVersion: cilium.io/v2
kind: CiliumCIDRGroup
metadata: {name: blocked, labels: {role: blocked}}
spec:
  externalCIDRs: ["10.0.0.0/8"]
`;
const policy = (peer: string, deny: boolean) => `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: egress, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
  - ${deny ? 'toEntities: [world]' : `toCIDRSet: [${peer}]`}
${deny ? `  egressDeny:\n  - toCIDRSet: [${peer}]\n` : ''}`;
const verdict = (yaml: string, to: string) => reachCommandCore(snap(yaml), { from: 'shop/client', to, port: '443' }).output.split('\n')[0]!.split(':')[0];

describe('except on a CIDR group', () => {
  it.each([
    ['cidrGroupRef', '{cidrGroupRef: blocked, except: ["10.1.0.0/16"]}'],
    ['cidrGroupSelector', '{cidrGroupSelector: {matchLabels: {role: blocked}}, except: ["10.1.0.0/16"]}'],
  ])('%s deny: the excepted 10.1.2.3 is not denied, 10.2.0.1 is', (_, peer) => {
    const yaml = cluster + policy(peer, true);
    expect([verdict(yaml, '10.1.2.3'), verdict(yaml, '10.2.0.1')]).toEqual(['ALLOWED', 'DENIED']);
  });

  it('cidrGroupRef allow: the excepted 10.1.2.3 is not allowed, 10.2.0.1 is', () => {
    const yaml = cluster + policy('{cidrGroupRef: blocked, except: ["10.1.0.0/16"]}', false);
    expect([verdict(yaml, '10.1.2.3'), verdict(yaml, '10.2.0.1')]).toEqual(['DENIED', 'ALLOWED']);
  });
});
