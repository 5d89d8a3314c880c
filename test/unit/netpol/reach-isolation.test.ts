// `ztaudit reach` names, per direction, the policies that select the pod and, apart, those that
// isolate it; and an allow that a Pass rule handed on to nothing says so instead of "no policy
// decides it" (network.intent-violation names it the same way).
//  - Cilium: a rule with `enableDefaultDeny: {egress: false}` selects the pod without putting it
//    in default deny ("Setting enableDefaultDeny to false ... the policy will not cause a
//    default deny", https://docs.cilium.io/en/stable/security/policy/language/#enabling-default-deny-on-selection;
//    github.com/cilium/cilium@v1.20.2 pkg/policy/utils/parserules.go DefaultDeny), while a
//    deny-only rule does (deny rules isolate, docs.cilium.io/en/stable/security/policy/language/#deny-policies).
//  - Calico: "If a NetworkPolicy or GlobalNetworkPolicy in the Tier Passes the packet, the next
//    Tier containing a Policy that applies to the endpoint processes the packet"
//    (https://docs.tigera.io/calico/latest/reference/resources/tier, "How Policy Is Evaluated"),
//    so a Pass skips the rest of its tier, Kubernetes NetworkPolicies included (they sit in the
//    default tier at order 1000); with no later tier, the endpoint's profile decides, which for
//    a Kubernetes pod allows (Calico NetworkPolicies "take precedence over profile resources",
//    https://docs.tigera.io/calico/latest/reference/resources/networkpolicy).
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { ctxOf, run, snap } from './helpers.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';

const namespaces = `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: a}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: b}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: a}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: nginx, ports: [{containerPort: 8080, name: http}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: b}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec:
      containers: [{name: c, image: nginx}]
`;

const cilium = `${namespaces}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cilium, namespace: kube-system, labels: {k8s-app: cilium}}
spec:
  selector: {matchLabels: {k8s-app: cilium}}
  template:
    metadata: {labels: {k8s-app: cilium}}
    spec:
      containers: [{name: cilium-agent, image: quay.io/cilium/cilium:v1.18.0}]
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: dns}
spec:
  endpointSelector: {}
  enableDefaultDeny: {egress: false, ingress: false}
  egress:
  - toEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system, k8s-app: kube-dns}}]
    toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]
`;
const webDenyWorld = `
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: a}
spec:
  endpointSelector: {}
  egressDeny:
  - toEntities: [world]
`;

const calico = `${namespaces}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: pass-web}
spec:
  order: 100
  selector: app == 'web'
  types: [Ingress]
  ingress:
  - action: Pass
    source: {namespaceSelector: team == 'b'}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: a}
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

describe('reach: selected by, isolated by', () => {
  it('names as isolating only the policies that put the pod in default deny', () => {
    const r = reachCommandCore(snap(cilium + webDenyWorld), { from: 'a/web', to: 'b/client', port: '443' });
    expect(r.output).toContain('  egress at a/web[Deployment]: selected by CiliumNetworkPolicy a/web, CiliumClusterwideNetworkPolicy dns; isolated by CiliumNetworkPolicy a/web\n');
    const j = JSON.parse(reachCommandCore(snap(cilium + webDenyWorld), { from: 'a/web', to: 'b/client', port: '443', output: 'json' }).output);
    // `policies` keeps its meaning (every selecting policy); `isolatingPolicies` is added.
    expect(j.egress).toMatchObject({ isolated: true, policies: ['CiliumNetworkPolicy a/web', 'CiliumClusterwideNetworkPolicy dns'], isolatingPolicies: ['CiliumNetworkPolicy a/web'] });
  });

  it('says when no selecting policy isolates', () => {
    const r = reachCommandCore(snap(cilium), { from: 'a/web', to: 'b/client', port: '443' });
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('  egress at a/web[Deployment]: selected by CiliumClusterwideNetworkPolicy dns (none isolates)\n');
  });
});

describe('reach: an allow a Calico Pass rule handed on', () => {
  it('says which Pass rule passed it and that the profile allows it, in text and JSON', () => {
    const r = reachCommandCore(snap(calico), { from: 'b/client', to: 'a/web', port: '8080' });
    expect(r.exitCode).toBe(0);
    const by = "the pod's Calico profile (passed by GlobalNetworkPolicy pass-web (order 100) rule 0 (Pass); no later tier decides it)";
    expect(r.output).toContain(`  network ALLOWED by ${by}; mesh:`);
    const lines = r.output.split('\n');
    const ingress = lines.indexOf('  ingress at a/web[Deployment]: isolated by GlobalNetworkPolicy pass-web, a/deny');
    expect(lines.slice(ingress + 1)).toEqual([`    ALLOWED by ${by}: TCP 8080`]);
    const j = JSON.parse(reachCommandCore(snap(calico), { from: 'b/client', to: 'a/web', port: '8080', output: 'json' }).output);
    expect(j.network.decidedBy[0]).toMatchObject({ direction: 'ingress', allowed: true, by, passedBy: { policy: 'GlobalNetworkPolicy:pass-web', rule: 0, action: 'Pass' } });
    // What the Pass does not cover meets the end of the default tier (a/deny isolates there).
    expect(reachCommandCore(snap(calico), { from: 'a/web', to: 'a/web', port: '8080' }).exitCode).toBe(1);
  });
});

describe('network.intent-violation: a flow a Calico Pass rule handed on to the profile', () => {
  it('names the Pass rule in the message and in the flow\'s evidence, as reach does, and lists its policy among the allowing ones', () => {
    const ctx = ctxOf(calico, { intent: { deny: [{ name: 'client-never-web', from: { namespace: 'b', podSelector: { app: 'client' } }, to: { namespace: 'a', podSelector: { app: 'web' } }, ports: [8080] }] } });
    const [v] = run(intentViolation, ctx);
    expect(v.status).toBe('fail');
    const by = "the pod's Calico profile (passed by GlobalNetworkPolicy pass-web (order 100) rule 0 (Pass); no later tier decides it)";
    expect(v.message).toBe(`intent "client-never-web" is violated: b pods {app=client} can reach a pods {app=web} (1 pod-class flow(s); neither the network nor the mesh refuses them), allowed by ${by}`);
    const evidence = v.evidence as { allowingPolicies: string[]; flows: Array<{ egressAllowedBy: string[]; ingressAllowedBy: string[] }> };
    expect(evidence.flows[0].ingressAllowedBy).toEqual([by]);
    // The client's egress is governed by nothing: still "not isolated".
    expect(evidence.flows[0].egressAllowedBy).toEqual(['not isolated']);
    expect(evidence.allowingPolicies).toEqual(['GlobalNetworkPolicy pass-web']);
  });
});
