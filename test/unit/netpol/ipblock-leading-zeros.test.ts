// An ipBlock CIDR with leading zeros, in an address part ("010.0.0.0/8") or in the prefix length
// ("10.0.0.0/08"). ValidateIPBlock checks it with IsValidCIDRForLegacyField, whose ParseCIDRSloppy
// "allows leading '0' characters on numbers" (k8s.io/utils net/parse.go), reading them as decimal,
// and whose strict check, under the StrictIPCIDRValidation feature gate, refuses them ("must not have
// leading 0s in IP or prefix length", k8s.io/apimachinery pkg/util/validation/ip.go). The gate is
// alpha and off from v1.33, beta and on by default from v1.36 (kubernetes pkg/features/kube_features.go,
// v1.36.3). Checked with Go 1.26 against k8s.io/utils and k8s.io/apimachinery v0.36.3: "10.0.0.0/08"
// passes the lax check and fails the strict one; net.ParseCIDR reads it as /8, netip.ParsePrefix
// refuses it ("bad bits after slash"). So:
// - manifests for v1.36 or later (or a cluster version not given: the newest release) are refused:
//   network.invalid-policy says so, and the policy is left out as one that cannot exist;
// - what a cluster stored (live, or manifests for a release before v1.36) stays, read as decimal,
//   but whether the enforcer reads it is not known: not "invalid and takes no effect", but a policy
//   the model cannot evaluate. Reviewer repro /tmp/rev-netcore s14 p4.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { invalidPolicy } from '../../../checks/network/invalid-policy.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';
import { pod, policy } from './helpers.ts';

const SRV = pod('a', 'srv', { app: 'srv' }, [{ containerPort: 80 }]);
const p4 = (cidr: string, except = '') => SRV + policy('a', 'p4', `{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: "${cidr}"${except ? `, except: ["${except}"]` : ''}}}]}]}`);
const objects = (yaml: string) => parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o === 'object');
const live = (yaml: string): Snapshot => Object.assign(snapshotFromObjects(objects(yaml), { origin: 'live' }), { source: 'live' as const });
const manifests = (yaml: string, clusterVersion?: string): Snapshot => snapshotFromObjects(objects(yaml), clusterVersion ? { clusterVersion } : {});
const verdicts = (snapshot: Snapshot) => [...invalidPolicy.evaluate({ snapshot, config: defaultConfig(), now: new Date('2026-01-01T00:00:00Z') })];

describe('an ipBlock CIDR with leading zeros a cluster stored (repro s14 p4)', () => {
  it('in an address part, live: the finding says the enforcer may not read it, not that it takes no effect', () => {
    const [v] = verdicts(live(p4('010.0.0.0/8')));
    // Before: 'a/p4 is invalid and takes no effect: spec.ingress[0].from[0].ipBlock.cidr: "010.0.0.0/8" is not a valid CIDR'.
    expect(v.status).toBe('fail');
    expect(v.severity ?? invalidPolicy.severity).toBe('high');
    expect(v.message).toBe('a/p4 cannot be evaluated, so the network verdicts it could change cannot be confirmed: spec.ingress[0].from[0].ipBlock.cidr: "010.0.0.0/8" has leading zeros: the API server stores it, reading it as 10.0.0.0/8 (it refuses them on create or update only under the StrictIPCIDRValidation feature gate, on by default from v1.36), but Go\'s net.ParseCIDR and netip.ParsePrefix refuse leading zeros in an address (Go 1.17 and later), so whether the enforcer reads the rule, and what it does if it cannot, is not known');
    expect(v.evidence).toMatchObject({ unevaluated: true });
  });

  it('in the prefix length ("10.0.0.0/08"), live: read as /8 by the API server, not evaluated as /8 (before: evaluated as 10.0.0.0/8 and passed)', () => {
    const [v] = verdicts(live(p4('10.0.0.0/08')));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.0/08" has leading zeros: the API server stores it, reading it as 10.0.0.0/8');
    expect(v.message).toContain("but Go's netip.ParsePrefix refuses a prefix length with leading zeros (net.ParseCIDR reads it)");
    expect(v.evidence).toMatchObject({ unevaluated: true });
    expect(verdicts(live(p4('fd00::/08')))[0].message).toContain('"fd00::/08" has leading zeros: the API server stores it, reading it as fd00::/8');
  });

  it('manifests for a cluster before v1.36 (--cluster-version v1.35.2) are stored too; a leading zero in any octet, or in an except entry, is read the same way', () => {
    expect(verdicts(manifests(p4('10.0.0.0/08'), 'v1.35.2'))[0].evidence).toMatchObject({ unevaluated: true });
    expect(verdicts(live(p4('10.00.0.0/16')))[0].message).toContain('"10.00.0.0/16" has leading zeros: the API server stores it, reading it as 10.0.0.0/16');
    expect(verdicts(live(p4('10.0.0.0/8', '10.001.0.0/16')))[0].message).toContain('spec.ingress[0].from[0].ipBlock.except[0]: "10.001.0.0/16" has leading zeros: the API server stores it, reading it as 10.1.0.0/16');
  });

  it('a CIDR no parser reads stays invalid, and one invalid field besides makes the policy invalid', () => {
    expect(verdicts(live(p4('10.0.0.0/33')))[0].message).toBe('a/p4 is invalid and takes no effect: spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.0/33" is not a valid CIDR');
    expect(verdicts(live(p4('010.0.0.0/8', '11.0.0.0/16')))[0].message).toMatch(/^a\/p4 is invalid and takes no effect: spec\.ingress\[0\]\.from\[0\]\.ipBlock\.except\[0\]: "11\.0\.0\.0\/16" must be a strict subset of 010\.0\.0\.0\/8 \(\+1 more\)$/);
  });

  it('reach to a pod it selects is UNKNOWN (exit 2), naming the field', () => {
    const r = reachCommandCore(live(p4('10.0.0.0/08')), { from: '10.1.2.3', to: 'a/srv', port: '80' });
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('note: NetworkPolicy a/p4 selects a/srv[Pod] for ingress but is not evaluated: spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.0/08" has leading zeros');
  });
});

describe('an ipBlock CIDR with leading zeros in manifests for v1.36 or later: the API server refuses it', () => {
  it('"10.0.0.0/08", no cluster version given (the newest release): invalid, saying why (before: evaluated as 10.0.0.0/8 and passed)', () => {
    const [v] = verdicts(manifests(p4('10.0.0.0/08')));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('a/p4 is invalid and takes no effect: spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.0/08" has leading zeros, which the API server refuses from v1.36 ("must not have leading 0s in IP or prefix length": the StrictIPCIDRValidation feature gate, on by default from v1.36; the cluster version is not given, so taken as the newest release), so kubectl apply fails and the policy is never stored');
    expect(v.evidence).not.toMatchObject({ unevaluated: true });
  });

  it('"010.0.0.0/8" and an except entry alike, at v1.36.3', () => {
    expect(verdicts(manifests(p4('010.0.0.0/8'), 'v1.36.3'))[0].message).toContain('"010.0.0.0/8" has leading zeros, which the API server refuses from v1.36 ("must not have leading 0s in IP or prefix length": the StrictIPCIDRValidation feature gate, on by default from v1.36; the cluster version given is v1.36)');
    expect(verdicts(manifests(p4('10.0.0.0/8', '10.1.0.0/016'), 'v1.36.3'))[0].message).toContain('spec.ingress[0].from[0].ipBlock.except[0]: "10.1.0.0/016" has leading zeros, which the API server refuses');
  });

  it('reach treats it as no policy: the pod is not isolated by it (ALLOWED from 192.168.0.1; before: DENIED, the policy read as 10.0.0.0/8)', () => {
    const r = reachCommandCore(manifests(p4('10.0.0.0/08')), { from: '192.168.0.1', to: 'a/srv', port: '80' });
    expect(r.exitCode).toBe(0);
  });
});
