// An AdminNetworkPolicy (or ClusterNetworkPolicy) `networks` CIDR is checked by the CRD's
// "isCIDR(self)" (network-policy-api apis/v1alpha1/shared_types.go from v0.1.7, and every v1alpha2
// CRD), whose CEL library parses it with Go's netip.ParsePrefix and refuses an IPv4-mapped IPv6
// address (k8s.io/apiserver pkg/cel/library/cidr.go, v0.36.3). netip.ParsePrefix refuses a prefix
// length with leading zeros: "10.0.0.0/08" gives `bad bits after slash: "08"` (checked with Go 1.26).
// The v0.1.3-v0.1.6 CRDs checked only "self.contains(':') != self.contains('.')", so a stored
// v1alpha1 object may hold one: whether the enforcer reads it is not known.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { invalidPolicy } from '../../../checks/network/invalid-policy.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';
import { pod } from './helpers.ts';

const SRV = pod('a', 'srv', { app: 'srv' }, [{ containerPort: 80 }]);
const anp = (cidr: string) => `${SRV}---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-net}
spec:
  priority: 5
  subject: {namespaces: {}}
  egress:
  - {action: Deny, to: [{networks: ["${cidr}"]}]}
`;
const cnp = (cidr: string) => `${SRV}---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: deny-net}
spec:
  tier: Admin
  priority: 5
  subject: {namespaces: {}}
  egress:
  - {action: Deny, to: [{networks: ["${cidr}"]}]}
`;
const objects = (yaml: string) => parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o === 'object');
const live = (yaml: string): Snapshot => Object.assign(snapshotFromObjects(objects(yaml), { origin: 'live' }), { source: 'live' as const });
const manifests = (yaml: string): Snapshot => snapshotFromObjects(objects(yaml));
const failures = (snapshot: Snapshot) => [...invalidPolicy.evaluate({ snapshot, config: defaultConfig(), now: new Date('2026-01-01T00:00:00Z') })].filter((v) => v.status === 'fail');

describe('a networks CIDR with a prefix length written with leading zeros', () => {
  it('in a manifest, "10.0.0.0/08" is refused by the CRD: invalid, never stored (before: evaluated as 10.0.0.0/8 and passed)', () => {
    const [v] = failures(manifests(anp('10.0.0.0/08')));
    expect(v?.message).toBe('AdminNetworkPolicy deny-net is invalid and takes no effect: spec.egress[0].to[0].networks[0]: "10.0.0.0/08" is not a valid CIDR: it has leading zeros, which the CRD\'s isCIDR (Go\'s netip.ParsePrefix) refuses, so this object is never stored');
    expect(v?.evidence).not.toMatchObject({ unevaluated: true });
    expect(failures(manifests(cnp('fd00::/08')))[0]?.message).toContain('spec.egress[0].to[0].networks[0]: "fd00::/08" is not a valid CIDR: it has leading zeros');
  });

  it('stored as a v1alpha1 object (an older CRD let it through): not evaluated, saying why', () => {
    const [v] = failures(live(anp('10.0.0.0/08')));
    expect(v?.message).toContain('spec.egress[0].to[0].networks[0]: "10.0.0.0/08" has leading zeros, which the CRD\'s isCIDR (network-policy-api v0.1.7 and later: Go\'s netip.ParsePrefix) refuses; it was stored under an older CRD (v0.1.3-v0.1.6 checked only that a CIDR holds ":" or "." but not both), so whether the enforcer reads it as 10.0.0.0/8, and what it does if it cannot, is not known');
    expect(v?.evidence).toMatchObject({ unevaluated: true });
  });

  it('a ClusterNetworkPolicy, whose every CRD checks isCIDR, is invalid even stored; so is an IPv4-mapped address', () => {
    expect(failures(live(cnp('10.0.0.0/08')))[0]?.message).toContain('"10.0.0.0/08" is not a valid CIDR: it has leading zeros, which the CRD\'s isCIDR (Go\'s netip.ParsePrefix) refuses');
    expect(failures(manifests(anp('::ffff:10.0.0.0/104')))[0]?.message).toContain('"::ffff:10.0.0.0/104" is not a valid CIDR: an IPv4-mapped IPv6 address, which the CRD\'s isCIDR refuses');
  });

  it('"10.0.0.0/8" and "fd00::/8" are valid', () => {
    expect(failures(manifests(anp('10.0.0.0/8')))).toEqual([]);
    expect(failures(manifests(cnp('fd00::/8')))).toEqual([]);
  });
});
