// Felix does not police the host's own traffic to its local workloads: filterOutputChain returns
// for packets going out a workload interface ("We don't currently police host -> endpoint
// according to the endpoint's ingress policy", projectcalico/calico felix/rules/static.go,
// v3.32.1), and the eBPF dataplane accepts them before policy ("Host to workload traffic always
// allowed", felix/bpf-gpl/tc.c, v3.32.1). A host-network pod is its node's host: on the
// destination's node it gets through whatever the policies say, from another node it does not.
// The model does not place pods on nodes, so a denial of such a flow is not certain.
import { describe, expect, it } from 'vitest';
import { calicoBase, reach } from './calico-scenes.ts';

const hostAgent = `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: hostagent, namespace: other}
spec:
  selector: {matchLabels: {app: hostagent}}
  template:
    metadata: {labels: {app: hostagent}}
    spec:
      hostNetwork: true
      containers: [{name: a, image: busybox}]
`;

const defaultDeny = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

const denyAll = `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-all-in}
spec:
  selector: app == 'web'
  types: [Ingress]
  ingress: [{action: Deny}]
`;

describe('Calico: a host-network source denied at a pod\'s ingress is not certainly denied', () => {
  it('a NetworkPolicy default deny: UNKNOWN (exit 2), the note naming Felix\'s host exemption', () => {
    const r = reach(calicoBase() + hostAgent + defaultDeny, 'other/hostagent', 'shop/web', '8080');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('UNKNOWN: other/hostagent[DaemonSet] -> shop/web[Deployment] on 8080/TCP');
    expect(r.output).toContain('Felix does not apply a pod\'s ingress policy to traffic from its own host');
  });

  it('a Calico Deny rule does not stop the host either (unlike Cilium\'s allow-localhost): UNKNOWN', () => {
    const r = reach(calicoBase() + hostAgent + denyAll, 'other/hostagent', 'shop/web', '8080');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('DENIED (uncertain) by GlobalNetworkPolicy deny-all-in rule 0 (Deny)');
  });

  it('a regular pod source stays certainly DENIED', () => {
    const r = reach(calicoBase() + hostAgent + denyAll, 'other/client', 'shop/web', '8080');
    expect(r.exitCode).toBe(1);
    expect(r.output).not.toContain('Felix does not apply');
  });
});
