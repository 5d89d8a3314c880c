// `reach` without --port where a partial port certainty meets a doubt of another kind: the text
// names both, not one.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { cluster as cilium } from '../netpol/cilium-anyport-scene.ts';
import { snap } from '../netpol/helpers.ts';

// The Cilium scene of reach-partial-doubt.test.ts, cilium-anyport-scene.ts (host-network agent: TCP 80 certain by `host`,
// every other port in doubt by `remote-node`), with an L7 rule on the certain port. Cilium L7
// policy (https://docs.cilium.io/en/v1.17/security/policy/language/#layer-7-examples): a toPorts
// entry with `rules.http` lets through only the HTTP requests its rules match (here GET /metrics),
// the others are rejected by the proxy, so TCP 80 is certain as a port, not for every request.
const l7 = cilium.replace('toPorts: [{ports: [{port: "80", protocol: TCP}]}]', 'toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{method: GET, path: "/metrics"}]}}]');

// NetworkPolicy (https://kubernetes.io/docs/concepts/services-networking/network-policies/): rule 0
// admits b/client on TCP 5432 for certain; rule 1's ipBlock 10.0.0.0/8 holds a/db's caller only if
// the caller's pod address lies in it, which the model does not know ("ipBlock ... cluster-external
// IPs"; implementations differ on pod IPs): every other port is in doubt. An AdminNetworkPolicy with
// `notSameLabels` (network-policy-api v0.1.2 apis/v1alpha1/shared_types.go, removed in v0.1.3) is a
// peer the model does not evaluate: its Deny may apply to any port, TCP 5432 included.
const np = `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: red}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: blue}}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: a, labels: {app: db}}
spec:
  containers: [{name: c, image: pg, ports: [{name: pg, containerPort: 5432}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: b, labels: {app: client}}
spec:
  containers: [{name: c, image: busybox}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-in, namespace: a}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: blue}}, podSelector: {matchLabels: {app: client}}}]
    ports: [{port: 5432, protocol: TCP}]
  - from: [{ipBlock: {cidr: 10.0.0.0/8}}]
`;
const anp = `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: same}
spec:
  priority: 10
  subject: {namespaces: {}}
  ingress:
  - {name: d, action: Deny, from: [{namespaces: {notSameLabels: [team]}}]}
`;
const REST_80 = 'SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535';
const REST_5432 = 'SCTP 1-65535,TCP 1-5431,5433-65535,UDP 1-65535';

describe('reach: a partial certainty and a doubt of another kind, both said', () => {
  it('an L7 rule on the certain port: the connections line and the note say only its requests pass', () => {
    const r = reachCommandCore(snap(l7), { from: 'mon/agent', to: 'shop/web' });
    const lines = r.output.split('\n');
    expect(r.exitCode).toBe(2);
    expect(lines).toContain(`  connections: certain TCP 80 (only the requests the L7 rules of CiliumNetworkPolicy shop/a rule 0 "ingress[0]" (Allow) match); in doubt ${REST_80}`);
    expect(lines).toContain(`  note: certain only for TCP 80 (only the requests the L7 rules of CiliumNetworkPolicy shop/a rule 0 "ingress[0]" (Allow) match); ${REST_80} may go either way`);
    const j = JSON.parse(reachCommandCore(snap(l7), { from: 'mon/agent', to: 'shop/web', output: 'json' }).output);
    expect(j.network.certainRequestsOnly).toEqual(['CiliumNetworkPolicy shop/a rule 0 "ingress[0]" (Allow)']);
  });

  it('without the L7 rule the certain port is plain', () => {
    expect(reachCommandCore(snap(cilium), { from: 'mon/agent', to: 'shop/web' }).output.split('\n')).toContain(`  connections: certain TCP 80; in doubt ${REST_80}`);
  });

  it('an uncertain ipBlock match and an AdminNetworkPolicy the model does not evaluate: no port certain, each part named with its doubt', () => {
    const r = reachCommandCore(snap(np + anp), { from: 'b/client', to: 'a/db' });
    const lines = r.output.split('\n');
    expect(r.exitCode).toBe(2);
    expect(lines).toContain(`  connections: none certain; in doubt ${REST_5432} by the uncertain matches, and TCP 5432 by a doubt of another kind (see the notes)`);
    expect(lines).toContain(`  note: ${REST_5432} may go either way by the uncertain matches above, and TCP 5432, which they leave certain, is in doubt as well by the other doubt above`);
    expect(lines.some((l) => l.startsWith('  note: AdminNetworkPolicy same (priority 10) selects a/db[Pod] for ingress but is not evaluated'))).toBe(true);
    expect(lines.some((l) => l.startsWith('  note: uncertain: NetworkPolicy a/db-in rule 1 (Allow): whether the pod\'s address is in 10.0.0.0/8 is not known'))).toBe(true);
    const j = JSON.parse(reachCommandCore(snap(np + anp), { from: 'b/client', to: 'a/db', output: 'json' }).output);
    expect(j.network.certainPorts).toBeUndefined();
    expect(j.network.certainButFor).toMatchObject({ ports: { TCP: ['5432'] }, portsInDoubt: { SCTP: ['1-65535'], TCP: ['1-5431', '5433-65535'], UDP: ['1-65535'] } });
    expect(j.ports).toEqual({});
  });

  it('the NetworkPolicy alone: TCP 5432 certain, the rest in doubt', () => {
    expect(reachCommandCore(snap(np), { from: 'b/client', to: 'a/db' }).output.split('\n')).toContain(`  connections: certain TCP 5432; in doubt ${REST_5432}`);
  });
});
