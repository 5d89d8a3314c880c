// What the open-rule findings say a rule admits, as a user reads it.
// 1. An ipBlock of 0.0.0.0/0 with `except` admits every address but the excepted ranges
//    ("except is a slice of CIDRs that should not be included within an IPBlock":
//    kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/, NetworkPolicyPeer
//    ipBlock.except). Excepting the pod range still leaves the whole internet open, so the finding
//    stays a high fail, but its text names what is left out (the reviewer's scene s14).
import { describe, expect, it } from 'vitest';
import { allowAllIngress } from '../../../checks/network/allow-all-ingress.ts';
import { unrestrictedEgress } from '../../../checks/network/unrestricted-egress.ts';
import { ctxOf, pod, policy, run } from './helpers.ts';

const fails = (check: typeof allowAllIngress, yaml: string) => run(check, ctxOf(yaml)).filter((v) => v.status === 'fail').map((v) => [v.severity ?? check.severity, v.message]);

describe('an ipBlock /0 with except names the ranges left out', () => {
  it('allow-all-ingress: still a high fail, saying "every address except 10.0.0.0/8"', () => {
    const yaml = pod('shop', 'web', { app: 'web' }) + policy('shop', 'v4-only', '{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]}]}');
    expect(fails(allowAllIngress, yaml)).toEqual([['high', 'shop/v4-only admits ingress from every address except 10.0.0.0/8 (ipBlock 0.0.0.0/0 except 1 range) on every port']]);
  });
  it('lists up to three ranges left out, and merges excepts that touch', () => {
    const yaml = pod('shop', 'web', {}) + policy('shop', 'priv', '{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/9, 10.128.0.0/9, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10]}}]}]}');
    expect(fails(allowAllIngress, yaml)).toEqual([['high', 'shop/priv admits ingress from every address except 10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12 (and 1 more) (ipBlock 0.0.0.0/0 except 4 ranges) on every port']]);
  });
  it('an except another peer of the rule covers again is not left out', () => {
    const yaml = pod('shop', 'web', {}) + policy('shop', 'both', '{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}, {ipBlock: {cidr: 10.0.0.0/8}}]}]}');
    expect(fails(allowAllIngress, yaml)).toEqual([['high', 'shop/both admits ingress from every address (ipBlock /0) on every port']]);
  });
  it('unrestricted-egress says the same of 0.0.0.0/0 except 10.0.0.0/8', () => {
    const yaml = pod('shop', 'web', {}) + policy('shop', 'out', '{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]}]}');
    expect(fails(unrestrictedEgress, yaml)).toEqual([['high', 'shop/out allows egress to every address except 10.0.0.0/8 (ipBlocks cover 0.0.0.0/0 except 1 range) on every port']]);
  });
});
