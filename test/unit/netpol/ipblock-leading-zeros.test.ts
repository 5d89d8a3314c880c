// An ipBlock CIDR with leading zeros ("010.0.0.0/8"). The API server stores it:
// ValidateIPBlock checks it with IsValidCIDRForLegacyField, whose ParseCIDRSloppy "allows leading
// '0' characters on numbers" (k8s.io/utils net/parse.go), reading them as decimal, and refuses
// them only under the StrictIPCIDRValidation feature gate (alpha since v1.33, off by default:
// kubernetes pkg/features/kube_features.go). Go's net.ParseCIDR and netip.ParsePrefix refuse leading
// zeros since Go 1.17 (go.dev/doc/go1.17#net), so whether the enforcer reads the rule is not known:
// not "invalid and takes no effect", but a policy the model cannot evaluate, at the check's
// severity. Reviewer repro /tmp/rev-netcore s14 p4.
import { describe, expect, it } from 'vitest';
import { invalidPolicy } from '../../../checks/network/invalid-policy.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { ctxOf, pod, policy, snap } from './helpers.ts';

const SRV = pod('a', 'srv', { app: 'srv' }, [{ containerPort: 80 }]);
const verdicts = (cidr: string, except = '') => [...invalidPolicy.evaluate(ctxOf(SRV + policy('a', 'p4', `{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: "${cidr}"${except ? `, except: ["${except}"]` : ''}}}]}]}`)))];

describe('an ipBlock CIDR with leading zeros (repro s14 p4)', () => {
  it('is stored by the API server, read as decimal: the finding says the enforcer may not read it, not that it takes no effect', () => {
    const [v] = verdicts('010.0.0.0/8');
    // Before: 'a/p4 is invalid and takes no effect: spec.ingress[0].from[0].ipBlock.cidr: "010.0.0.0/8" is not a valid CIDR'.
    expect(v.status).toBe('fail');
    expect(v.severity ?? invalidPolicy.severity).toBe('high');
    expect(v.message).toBe('a/p4 cannot be evaluated, so the network verdicts it could change cannot be confirmed: spec.ingress[0].from[0].ipBlock.cidr: "010.0.0.0/8" has leading zeros: the API server stores it, reading it as 10.0.0.0/8 (it refuses them only under the StrictIPCIDRValidation feature gate, alpha and off by default), but Go\'s net.ParseCIDR and netip.ParsePrefix refuse leading zeros (Go 1.17 and later), so whether the enforcer reads the rule, and what it does if it cannot, is not known');
    expect(v.evidence).toMatchObject({ unevaluated: true });
  });

  it('a leading zero in any octet, or in an except entry, is read the same way', () => {
    expect(verdicts('10.00.0.0/16')[0].message).toContain('"10.00.0.0/16" has leading zeros: the API server stores it, reading it as 10.0.0.0/16');
    expect(verdicts('10.0.0.0/8', '10.001.0.0/16')[0].message).toContain('spec.ingress[0].from[0].ipBlock.except[0]: "10.001.0.0/16" has leading zeros: the API server stores it, reading it as 10.1.0.0/16');
  });

  it('a CIDR no parser reads stays invalid, and one invalid field besides makes the policy invalid', () => {
    expect(verdicts('10.0.0.0/33')[0].message).toBe('a/p4 is invalid and takes no effect: spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.0/33" is not a valid CIDR');
    expect(verdicts('010.0.0.0/8', '11.0.0.0/16')[0].message).toMatch(/^a\/p4 is invalid and takes no effect: spec\.ingress\[0\]\.from\[0\]\.ipBlock\.except\[0\]: "11\.0\.0\.0\/16" must be a strict subset of 010\.0\.0\.0\/8 \(\+1 more\)$/);
  });

  it('reach to a pod it selects is UNKNOWN (exit 2), naming the field', () => {
    const s = snap(SRV + policy('a', 'p4', '{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: "010.0.0.0/8"}}]}]}'));
    const r = reachCommandCore(s, { from: '10.1.2.3', to: 'a/srv', port: '80' });
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('note: NetworkPolicy a/p4 selects a/srv[Pod] for ingress but is not evaluated: spec.ingress[0].from[0].ipBlock.cidr: "010.0.0.0/8" has leading zeros');
  });
});
