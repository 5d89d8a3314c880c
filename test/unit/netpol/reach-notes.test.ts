// `ztaudit reach` says where the model knows its answer is not the whole truth: a deciding
// rule's caveat (L7, source ports), an AdminNetworkPolicy priority tie, a policy it cannot
// evaluate. The cluster is the reviewer's: namespaces a {team: red} and b {team: blue}, pods
// a/web, a/db (port pg/5432) and b/client.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { ctxOf, ns, pod, run, snap } from './helpers.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';

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

/** An AdminNetworkPolicy (a BaselineAdminNetworkPolicy, named default, without a priority) with the given rule lists. */
const anp = (name: string, priority: number | 'baseline', subject: string, ingress?: string, egress?: string) => `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: ${priority === 'baseline' ? 'BaselineAdminNetworkPolicy' : 'AdminNetworkPolicy'}
metadata: {name: ${JSON.stringify(name)}}
spec:
${priority === 'baseline' ? '' : `  priority: ${priority}\n`}  subject: ${subject}
${ingress ? `  ingress: ${ingress}\n` : ''}${egress ? `  egress: ${egress}\n` : ''}`;

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

  it('Calico: a rule matching source ports and HTTP methods allows the port only in doubt (UNKNOWN), and says both', () => {
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
    // Source port 1000 holds some connections only: not a certain ALLOWED (calico-source-ports.test.ts).
    expect(r.exitCode).toBe(2);
    const lines = r.output.split('\n');
    expect(r.output).toContain('GlobalNetworkPolicy http (order 10) rule 0 (Allow): source ports [1000]: the rule matches only connections from those source ports, which the model does not tell apart; counted as matching');
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

// network-policy-api.sigs.k8s.io/reference/spec/ (AdminNetworkPolicySpec.priority): "If two (or
// more) policies with the same priority could both match a connection, then the implementation
// can apply any of the matching policies to the connection, and there is no way for the user to
// reliably determine which one it will choose."
describe('reach and AdminNetworkPolicies of one priority that both match the flow', () => {
  const allowAll = anp('bbb-allow', 10, '{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}', '[{name: a, action: Allow, from: [{namespaces: {}}]}]');
  const denyBlue = anp('aaa-deny', 10, '{namespaces: {matchLabels: {team: red}}}', '[{name: d, action: Deny, from: [{pods: {namespaceSelector: {matchLabels: {team: blue}}, podSelector: {}}}]}]');

  it('Allow against Deny: the answer depends on which the implementation applies, so it is UNKNOWN (exit 2), naming both and the priority', () => {
    const r = ask(allowAll + denyBlue);
    expect(r.exitCode).toBe(2);
    expect(r.answered).toBe(true);
    const lines = r.output.split('\n');
    expect(lines[0]).toBe('UNKNOWN: b/client[Pod] -> a/db[Pod] on 5432/TCP');
    expect(lines[1]).toContain('network UNKNOWN: the model reads it as DENIED by AdminNetworkPolicy aaa-deny (priority 10) rule 0 "d" (Deny), which the notes put in doubt');
    const note = 'AdminNetworkPolicies aaa-deny, bbb-allow share priority 10 and both match this flow: upstream lets an implementation apply any of them, and which one it applies decides this answer (the model takes them by name)';
    expect(lines).toContain(`  note: ${note}`);
    const j = JSON.parse(ask(allowAll + denyBlue, 'json').output);
    expect(j).toMatchObject({ allowed: null, effective: 'unknown', network: { allowed: false, undetermined: [note] } });
    expect(j.notes).toContain(note);
  });

  it('two Deny rules: either order denies, so the answer stands (exit 1) with a note', () => {
    const r = ask(anp('bbb-deny', 10, '{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}', '[{name: a, action: Deny, from: [{namespaces: {}}]}]') + denyBlue);
    expect(r.exitCode).toBe(1);
    expect(r.output.split('\n')[0]).toBe('DENIED: b/client[Pod] -> a/db[Pod] on 5432/TCP');
    expect(r.output).toContain('  note: AdminNetworkPolicies aaa-deny, bbb-deny share priority 10 and both match this flow: upstream leaves their order undefined; either order gives this answer');
  });

  it('a policy of the same priority that does not match this flow is no tie for it', () => {
    const r = ask(anp('bbb-allow', 10, '{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}', '[{name: a, action: Allow, from: [{namespaces: {matchLabels: {team: green}}}]}]') + denyBlue);
    expect(r.exitCode).toBe(1);
    expect(r.output).not.toContain('share priority');
  });

  it('names from the cluster stay on their line', () => {
    const r = ask(anp('aaa\nALLOWED: forged', 10, '{namespaces: {matchLabels: {team: red}}}', '[{action: Deny, from: [{namespaces: {}}]}]') + allowAll);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('note: AdminNetworkPolicies aaa\\u000aALLOWED: forged, bbb-allow share priority 10');
    expect(r.output.split('\n').some((l) => l.startsWith('ALLOWED: forged'))).toBe(false);
  });
});

describe('reach and a policy the model cannot evaluate', () => {
  it('an AdminNetworkPolicy with notSameLabels (network-policy-api v0.1.0-v0.1.2) selecting the destination makes the answer UNKNOWN (exit 2), naming it', () => {
    // apis/v1alpha1/shared_types.go at network-policy-api v0.1.2: NamespacedPeer.notSameLabels compares
    // each peer namespace's labels with the subject's; removed in v0.1.3. b (team: blue) -> a (team: red)
    // differs, so this Deny would apply: the model's "allowed by default" is not the cluster's answer.
    const r = ask(anp('same', 10, '{namespaces: {}}', '[{name: d, action: Deny, from: [{namespaces: {notSameLabels: [team]}}]}]'));
    expect(r.exitCode).toBe(2);
    const lines = r.output.split('\n');
    expect(lines[0]).toBe('UNKNOWN: b/client[Pod] -> a/db[Pod] on 5432/TCP');
    expect(lines).toContain('  note: AdminNetworkPolicy same (priority 10) selects a/db[Pod] for ingress but is not evaluated: spec.ingress[0].from[0].namespaces.notSameLabels: the network-policy-api v0.1.0-v0.1.2 peer that compares namespaces with the subject\'s is not evaluated by the model, so the verdicts the policy could change cannot be confirmed');
  });

  it('one that selects neither end leaves the answer as it was', () => {
    const r = ask(anp('same', 10, '{namespaces: {matchLabels: {team: green}}}', '[{name: d, action: Deny, from: [{namespaces: {notSameLabels: [team]}}]}]'));
    expect(r.exitCode).toBe(0);
    expect(r.output).not.toContain('not evaluated');
  });
});

describe('network.intent-violation lists the caveats of the rules that let a flow through', () => {
  it('a violating flow allowed by a Cilium L7 rule carries the rule\'s caveat in its evidence', () => {
    const ctx = ctxOf(`${base}---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: l7, namespace: a}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: b}}]
    toPorts: [{ports: [{port: "5432", protocol: TCP}], rules: {http: [{method: GET, path: /health}]}}]
`, { intent: { deny: [{ name: 'client-never-db', from: { namespace: 'b', podSelector: { app: 'client' } }, to: { namespace: 'a', podSelector: { app: 'db' } }, ports: [5432] }] } });
    const [v] = run(intentViolation, ctx);
    expect(v.status).toBe('fail');
    const flows = (v.evidence as { flows: Array<{ caveats?: string[] }> }).flows;
    expect(flows[0].caveats).toEqual(['CiliumNetworkPolicy a/l7 rule 0 "ingress[0]" (Allow): L7 rules (http) narrow the requests on these ports; the model counts the ports as allowed']);
  });
});

describe('reach: an undetermined network answer next to the other direction and the mesh', () => {
  it('egress: an Allow and a Pass of one priority, the Pass handing the flow to a NetworkPolicy that denies it: UNKNOWN (exit 2)', () => {
    const egress = (name: string, rule: string) => anp(name, 5, '{namespaces: {matchLabels: {team: blue}}}', undefined, `[${rule}]`);
    const allowAndPass = egress('eg-allow', '{action: Allow, to: [{namespaces: {}}]}') + egress('eg-pass', '{action: Pass, to: [{namespaces: {matchLabels: {team: red}}}], ports: [{portNumber: {port: 5432}}]}');
    const denyEgress = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: b}
spec: {podSelector: {}, policyTypes: [Egress]}
`;
    const r = ask(allowAndPass + denyEgress);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('note: AdminNetworkPolicies eg-allow, eg-pass share priority 5 and both match this flow: upstream lets an implementation apply any of them');
    // Without the NetworkPolicy the Pass ends at the default allow: either order allows.
    const open = ask(allowAndPass);
    expect(open.exitCode).toBe(0);
    expect(open.output).toContain('note: AdminNetworkPolicies eg-allow, eg-pass share priority 5 and both match this flow: upstream leaves their order undefined; either order gives this answer');
  });

  it('a mesh that refuses the call makes it DENIED (exit 1) whatever the network would say', () => {
    // a/db runs an Istio sidecar and admits only a/web's identity: a plaintext caller is refused.
    const sidecar = base.replace('containers: [{name: c, image: pg, ports: [{name: pg, containerPort: 5432}]}]', 'containers: [{name: c, image: pg, ports: [{name: pg, containerPort: 5432}]}, {name: istio-proxy, image: docker.io/istio/proxyv2:1.24.0}]');
    const mesh = `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db-callers, namespace: a}
spec:
  selector: {matchLabels: {app: db}}
  rules: [{from: [{source: {principals: [cluster.local/ns/a/sa/web]}}]}]
`;
    const r = reachCommandCore(snap(sidecar + anp('same', 10, '{namespaces: {}}', '[{name: d, action: Deny, from: [{namespaces: {notSameLabels: [team]}}]}]') + mesh), { from: 'b/client', to: 'a/db', port: '5432' });
    expect(r.exitCode).toBe(1);
    expect(r.output.split('\n')[0]).toBe('DENIED: b/client[Pod] -> a/db[Pod] on 5432/TCP');
    expect(r.output).toContain('note: AdminNetworkPolicy same (priority 10) selects a/db[Pod] for ingress but is not evaluated');
  });
});

// kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource: "For a
// connection from a source pod to a destination pod to be allowed, both the egress policy on the
// source pod and the ingress policy on the destination pod need to allow the connection." An
// AdminNetworkPolicy selecting only the destination cannot undo the source's egress denial.
describe('reach and a policy the model cannot evaluate, where the other end already decides', () => {
  const mixed = anp('mixed', 10, '{namespaces: {matchLabels: {kubernetes.io/metadata.name: a}}}', '[{action: Deny, from: [{namespaces: {notSameLabels: [team]}}]}]');
  const firstDeny = anp('first-deny', 1, '{namespaces: {matchLabels: {kubernetes.io/metadata.name: a}}}', '[{action: Deny, from: [{namespaces: {matchLabels: {team: blue}}}]}]');
  const denyEgress = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: b}
spec: {podSelector: {}, policyTypes: [Egress]}
`;

  it('uneval3: the source\'s egress is denied, so the unevaluated ingress policy cannot change the answer: DENIED (exit 1), with a note', () => {
    const r = ask(mixed + denyEgress + firstDeny);
    expect(r.exitCode).toBe(1);
    const lines = r.output.split('\n');
    expect(lines[0]).toBe('DENIED: b/client[Pod] -> a/db[Pod] on 5432/TCP');
    expect(lines[1]).not.toContain('UNKNOWN');
    expect(lines).toContain('  note: AdminNetworkPolicy mixed (priority 10) selects a/db[Pod] for ingress but is not evaluated: spec.ingress[0].from[0].namespaces.notSameLabels: the network-policy-api v0.1.0-v0.1.2 peer that compares namespaces with the subject\'s is not evaluated by the model, so the verdicts the policy could change cannot be confirmed; the egress side denies every asked connection, so this does not change the answer');
    const j = JSON.parse(ask(mixed + denyEgress + firstDeny, 'json').output);
    expect(j).toMatchObject({ allowed: false, effective: 'denied', network: { allowed: false } });
    expect(j.network.undetermined).toBeUndefined();
  });

  it('the same without the egress denial and without first-deny: the source may send, so the unevaluated policy leaves it UNKNOWN (exit 2)', () => {
    const r = ask(mixed);
    expect(r.exitCode).toBe(2);
    expect(r.output.split('\n')[0]).toBe('UNKNOWN: b/client[Pod] -> a/db[Pod] on 5432/TCP');
    expect(r.output).toContain('note: AdminNetworkPolicy mixed (priority 10) selects a/db[Pod] for ingress but is not evaluated');
    expect(r.output).not.toContain('so this does not change the answer');
    expect(r.output).not.toContain('never consulted');
  });

  // network-policy-api.sigs.k8s.io/reference/spec/ (AdminNetworkPolicyIngressRule.action): "Deny:
  // denies the selected traffic" — Allow and Deny end the evaluation; only Pass hands the
  // connection on. A priority-1 Deny decides it before the priority-10 policy is looked at.
  it('without the egress denial, first-deny (priority 1) denies 5432 before mixed (priority 10) is consulted: DENIED (exit 1), with a note', () => {
    const r = ask(mixed + firstDeny);
    expect(r.exitCode).toBe(1);
    expect(r.output.split('\n')[0]).toBe('DENIED: b/client[Pod] -> a/db[Pod] on 5432/TCP');
    expect(r.output).toContain('note: AdminNetworkPolicy mixed (priority 10) selects a/db[Pod] for ingress but is not evaluated: spec.ingress[0].from[0].namespaces.notSameLabels');
    expect(r.output).toContain('; AdminNetworkPolicies of a smaller priority number (applied first) already allow or deny every asked connection, so it is never consulted for this flow');
  });

  it('a Pass of a smaller priority number is not final: the unevaluated policy still may decide, UNKNOWN (exit 2)', () => {
    const pass = anp('first-pass', 1, '{namespaces: {matchLabels: {kubernetes.io/metadata.name: a}}}', '[{action: Pass, from: [{namespaces: {matchLabels: {team: blue}}}]}]');
    const r = ask(mixed + pass);
    expect(r.exitCode).toBe(2);
    expect(r.output).not.toContain('never consulted');
  });

  it('an unevaluated policy of a smaller priority number than the deciding one still counts: UNKNOWN (exit 2)', () => {
    const early = anp('early', 0, '{namespaces: {matchLabels: {kubernetes.io/metadata.name: a}}}', '[{action: Deny, from: [{namespaces: {notSameLabels: [team]}}]}]');
    const r = ask(early + anp('allow-blue', 5, '{namespaces: {matchLabels: {kubernetes.io/metadata.name: a}}}', '[{action: Allow, from: [{namespaces: {matchLabels: {team: blue}}}]}]'));
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('note: AdminNetworkPolicy early (priority 0) selects a/db[Pod] for ingress but is not evaluated');
  });
});

// istio.io/latest/docs/reference/config/security/authorization-policy/: with an ALLOW policy on the
// workload, "allow a request only if it matches at least one ALLOW policy"; here only port 5432 is
// allowed for sa/api. The network's answer on 5432 hangs on an ANP priority tie (Deny 5432 vs
// Allow all), so the mesh must be judged on 5432 too: it allows it, and the flow stays UNKNOWN.
describe('reach without --port: a mesh verdict next to an undetermined network answer', () => {
  const meshtie = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {serviceAccountName: api, containers: [{name: c, image: example/api:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {serviceAccountName: db, containers: [{name: pg, image: postgres, ports: [{containerPort: 5432}]}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db-callers, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/api]}}]
    to: [{operation: {ports: ["5432"]}}]
---
# api calls db through its Service, so api's sidecar sends Istio mTLS with api's identity (a port no
# Service leads to is reached through Istio's PassthroughCluster, without mTLS).
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {selector: {app: db}, ports: [{name: pg, port: 5432}]}
${anp('a-deny-pg', 10, '{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}', '[{action: Deny, from: [{namespaces: {}}], ports: [{portNumber: {port: 5432, protocol: TCP}}]}]')}${anp('b-allow-all', 10, '{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}', '[{action: Allow, from: [{namespaces: {}}]}]')}`;

  it('meshtie: the mesh allows 5432, which the network may allow too: UNKNOWN (exit 2), as with --port 5432', () => {
    const r = reachCommandCore(snap(meshtie), { from: 'shop/api', to: 'shop/db' });
    expect(r.exitCode).toBe(2);
    expect(r.output.split('\n')[0]).toBe('UNKNOWN: shop/api[Deployment] -> shop/db[StatefulSet]');
    expect(r.output).toContain('mesh ALLOWED: ALLOW AuthorizationPolicy shop/db-callers rules[0] matches principal cluster.local/ns/shop/sa/api on port 5432');
    expect(reachCommandCore(snap(meshtie), { from: 'shop/api', to: 'shop/db', port: '5432' }).exitCode).toBe(2);
  });
});

// The reviewer's cases: C1 a BANP behind a final ANP Deny, C2 an unevaluated ANP selecting both
// ends behind a final egress Deny, C3 an Allow and a Pass tied at the deciding priority.
const red = '{namespaces: {matchLabels: {team: red}}}';
const C1 = anp('first-deny', 1, red, '[{name: d, action: Deny, from: [{namespaces: {}}]}]')
  + anp('default', 'baseline', red, '[{name: x, action: Allow, from: [{namespaces: {notSameLabels: [team]}}]}]');
const C2 = anp('first-deny-egress', 1, '{namespaces: {matchLabels: {team: blue}}}', undefined, '[{name: d, action: Deny, to: [{namespaces: {}}]}]')
  + anp('mixed', 10, '{namespaces: {}}', '[{name: x, action: Allow, from: [{namespaces: {notSameLabels: [team]}}]}]', '[{name: y, action: Allow, to: [{namespaces: {notSameLabels: [team]}}]}]');
const C3 = anp('a-allow', 1, red, '[{name: al, action: Allow, from: [{namespaces: {}}]}]')
  + anp('b-pass', 1, red, '[{name: pa, action: Pass, from: [{namespaces: {}}]}]')
  + anp('mixed', 10, red, '[{name: x, action: Deny, from: [{namespaces: {notSameLabels: [team]}}]}]');

// A review of the priority skip above: it must hold only where upstream makes the earlier
// decision final — "Allow and Deny actions are final … Pass skips the rest of the
// AdminNetworkPolicies", and equal priorities may be applied in any order
// (AdminNetworkPolicySpec.priority, https://network-policy-api.sigs.k8s.io/reference/spec/);
// a BaselineAdminNetworkPolicy is consulted only after every AdminNetworkPolicy and NetworkPolicy.
describe('reach and an unevaluated policy behind a final AdminNetworkPolicy decision', () => {
  it('a Pass tied with the deciding Allow may be applied first, so the later unevaluated policy may be consulted: UNKNOWN (exit 2)', () => {
    const r = ask(C3);
    expect(r.exitCode).toBe(2);
    expect(r.output.split('\n')[0]).toBe('UNKNOWN: b/client[Pod] -> a/db[Pod] on 5432/TCP');
    expect(r.output).toContain('AdminNetworkPolicy mixed (priority 10) selects a/db[Pod] for ingress but is not evaluated');
  });

  it('an unevaluated policy selecting both ends opens neither where a final decision comes first: DENIED (exit 1), naming the side that denies', () => {
    const r = ask(C2);
    expect(r.exitCode).toBe(1);
    expect(r.output.split('\n')[0]).toBe('DENIED: b/client[Pod] -> a/db[Pod] on 5432/TCP');
    expect(r.output).toContain('the egress side denies every asked connection, so this does not change the answer');
  });

  it('a BaselineAdminNetworkPolicy behind a final AdminNetworkPolicy Deny is never consulted: DENIED (exit 1)', () => {
    const r = ask(C1);
    expect(r.exitCode).toBe(1);
    expect(r.output.split('\n')[0]).toBe('DENIED: b/client[Pod] -> a/db[Pod] on 5432/TCP');
    expect(r.output).toContain('BaselineAdminNetworkPolicy default selects a/db[Pod] for ingress but is not evaluated');
  });
});

// Cilium's enforcement mode 'always': "policy enforcement is enabled on all endpoints even if
// no rules select specific endpoints" (https://docs.cilium.io/en/stable/security/policy/intro/#policy-enforcement-modes).
// A pod no policy selects is then isolated, and reach must not call it "not isolated".
describe('reach under Cilium enable-policy: always', () => {
  const cilium = `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cilium, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: cilium}}
  template:
    metadata: {labels: {k8s-app: cilium}}
    spec:
      containers: [{name: cilium, image: quay.io/cilium/cilium:v1.17.2}]
`;
  const config = (mode: string) => `---
apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {enable-policy: ${mode}}
`;
  const dbIn = `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: db-in, namespace: app}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: web}}]
`;
  const cluster = (mode: string) => snap(ns('kube-system') + ns('app') + cilium + config(mode) + pod('app', 'web', { app: 'web' }) + pod('app', 'db', { app: 'db' }, [{ name: 'pg', containerPort: 5432 }]) + dbIn);

  it('says the source no policy selects is isolated by the enforcement mode, in text and JSON', () => {
    const r = reachCommandCore(cluster('always'), { from: 'app/web', to: 'app/db', port: '5432' });
    expect(r.exitCode).toBe(1);
    const lines = r.output.split('\n');
    const at = lines.indexOf("  egress at app/web[Pod]: isolated by Cilium's policy enforcement mode 'always' (cilium-config enable-policy)");
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe("    DENIED by Cilium's policy enforcement mode 'always' (cilium-config enable-policy): endpoints no policy allows are denied: TCP 5432");
    expect(r.output).not.toContain('not isolated');
    const j = JSON.parse(reachCommandCore(cluster('always'), { from: 'app/web', to: 'app/db', port: '5432', output: 'json' }).output);
    expect(j.egress).toMatchObject({ isolated: true, isolatedBy: "Cilium's policy enforcement mode 'always' (cilium-config enable-policy)", policies: [] });
  });

  it('under the default mode the same source is not isolated and the flow is allowed', () => {
    const r = reachCommandCore(cluster('default'), { from: 'app/web', to: 'app/db', port: '5432' });
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('  egress at app/web[Pod]: not isolated (no policy selects it for egress)');
  });
});
