// A Pass rule's caveat reaches `reach`'s text as an Allow rule's does. Calico v3.29-v3.31 convert
// an AdminNetworkPolicy rule with a namedPort as matching every port (projectcalico/calico
// libcalico-go/lib/backend/k8s/conversion/conversion.go, v3.31.2; see anp.test.ts): the Pass below
// hands 8080 on only because of that, and the answer must say so.
import { describe, expect, it } from 'vitest';
import { calicoBase, reach } from './calico-scenes.ts';

const passNamed = `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-pg}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {team: shop}}}
  ingress:
  - name: pass-named
    action: Pass
    from: [{namespaces: {}}]
    ports: [{namedPort: pg}]
  - name: deny-rest
    action: Deny
    from: [{namespaces: {}}]
`;

describe('a Pass rule that decides a flow keeps its caveat in reach', () => {
  it('Calico v3.31.2: the namedPort Pass rule hands 8080 on to the profile, and the note says the namedPort was not converted', () => {
    const r = reach(calicoBase('v3.31.2') + passNamed, 'other/client', 'shop/web', '8080');
    expect(r.output).toContain('passed by AdminNetworkPolicy deny-pg (priority 10) rule 0 "pass-named" (Pass)');
    expect(r.output).toContain('note: AdminNetworkPolicy deny-pg (priority 10) rule 0 "pass-named" (Pass): Calico v3.29-v3.31 does not convert a namedPort: it applies this rule to every port and protocol');
  });
});
