// `ztaudit reach` says where the model knows its answer is not the whole truth: a deciding
// rule's caveat (L7, source ports), an AdminNetworkPolicy priority tie, a policy it cannot
// evaluate. The cluster is the reviewer's: namespaces a {team: red} and b {team: blue}, pods
// a/web, a/db (port pg/5432) and b/client.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { snap } from './helpers.ts';

const base = `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: red, env: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: blue, env: dev}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: a, labels: {app: web, tier: front}}
spec:
  containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: a, labels: {app: db, tier: back}}
spec:
  containers: [{name: c, image: pg, ports: [{name: pg, containerPort: 5432}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: b, labels: {app: client}}
spec:
  containers: [{name: c, image: busybox}]
`;

const ask = (yaml: string, output: 'text' | 'json' = 'text') => reachCommandCore(snap(`${base}---\n${yaml}`), { from: 'b/client', to: 'a/db', port: '5432', output });

describe('reach shows the caveat of each rule that decided the flow', () => {
  it('Cilium: an L7 (http) rule allows the port, and the answer says the requests are narrowed further', () => {
    // docs.cilium.io/en/stable/security/policy/language/#layer-7-examples: "rules: http:" admits only
    // the listed requests on the port; the model counts the port (the rule's caveat, layers.ts Rule.caveats).
    const yaml = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: l7, namespace: a}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: b}}]
    toPorts: [{ports: [{port: "5432", protocol: TCP}], rules: {http: [{method: GET, path: /health}]}}]
`;
    const r = ask(yaml);
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ALLOWED: b/client[Pod] -> a/db[Pod] on 5432/TCP');
    expect(r.output.split('\n')).toContain('  note: CiliumNetworkPolicy a/l7 rule 0 "ingress[0]" (Allow): L7 rules (http) narrow the requests on these ports; the model counts the ports as allowed');
    const j = JSON.parse(ask(yaml, 'json').output);
    expect(j.notes).toContain('CiliumNetworkPolicy a/l7 rule 0 "ingress[0]" (Allow): L7 rules (http) narrow the requests on these ports; the model counts the ports as allowed');
    expect(j.network.decidedBy[0].rule.caveats).toEqual(['L7 rules (http) narrow the requests on these ports; the model counts the ports as allowed']);
  });

  it('Calico: a rule matching source ports and HTTP methods allows the port, and both caveats are shown', () => {
    // docs.tigera.io/calico/latest/reference/resources/networkpolicy#entityrule: source "ports" restrict
    // the peer's port (a client's ephemeral port 1000 rarely is); "http" matches requests, not ports.
    const r = ask(`apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: http}
spec:
  order: 10
  selector: app == 'db'
  ingress: [{action: Allow, protocol: TCP, http: {methods: [GET]}, source: {ports: [1000]}}]
`);
    expect(r.exitCode).toBe(0);
    const lines = r.output.split('\n');
    expect(lines).toContain('  note: GlobalNetworkPolicy http (order 10) rule 0 (Allow): source ports are not modelled: the rule is counted for every source port');
    expect(lines).toContain('  note: GlobalNetworkPolicy http (order 10) rule 0 (Allow): the HTTP match (methods, paths) narrows requests, not ports: the ports count as allowed');
  });

  it('a rule without caveats adds no note', () => {
    const r = ask(`apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: plain}
spec:
  order: 10
  selector: app == 'db'
  ingress: [{action: Allow, protocol: TCP}]
`);
    expect(r.exitCode).toBe(0);
    expect(r.output).not.toContain('note:');
  });
});
