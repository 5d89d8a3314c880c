// fromRequires / toRequires by Cilium release, as a user runs `reach` (the reviewer's repro req).
// Up to Cilium 1.18 a requirement "is applied to all fromEndpoints of all rules selecting the
// endpoint": "the label requirements are ANDed with the labels of the fromEndpoints"
// (https://docs.cilium.io/en/v1.17/security/policy/language/#additional-label-requirements).
// cilium/cilium#42615 removed the fields in 1.19, which ignores them. The model does not narrow the
// peers by them: before 1.19, or where the release is not known, a flow a rule decides for a pod that
// fails a requirement the rule takes (on the pods the requiring policy selects) is UNKNOWN (exit 2), naming it.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { snap } from './helpers.ts';

const deployment = (name: string, labels = '') => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}${labels}}}
    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}
`;

const cluster = (image: string, extra = '') => `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cilium, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: cilium}}
  template:
    metadata: {labels: {k8s-app: cilium}}
    spec: {containers: [{name: cilium-agent, image: "${image}"}]}
${deployment('web')}${deployment('client')}${deployment('prod-client', ', env: prod')}---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: requires-prod, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
  - fromRequires:
    - matchLabels: {env: prod}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: allow-client, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
  - fromEndpoints:
    - matchLabels: {app: client}
    - matchLabels: {app: prod-client}
${extra}`;

const reach = (yaml: string, from = 'shop/client', to = 'shop/web') => reachCommandCore(snap(yaml), { from, to, port: '80' });
const head = (r: { output: string; exitCode: number }) => [r.output.split('\n')[0]!.split(':')[0], r.exitCode];
const notes = (yaml: string) => buildReachability(snap(yaml)).notes.map((n) => n.message);

describe('Cilium fromRequires/toRequires by release', () => {
  it('v1.17.4: the requirement env=prod may deny client (no env label): UNKNOWN (exit 2), naming the requirement', () => {
    const r = reach(cluster('quay.io/cilium/cilium:v1.17.4'));
    expect(head(r)).toEqual(['UNKNOWN', 2]);
    expect(r.output).toContain('the pod does not satisfy CiliumNetworkPolicy shop/requires-prod spec.ingress[0].fromRequires');
    expect(notes(cluster('quay.io/cilium/cilium:v1.17.4')).some((m) => m.startsWith('CiliumNetworkPolicy shop/requires-prod: spec.ingress[0].fromRequires') && m.includes('Cilium v1.17.4 ANDs it into every fromEndpoints'))).toBe(true);
  });

  it('v1.17.4: a client that carries env=prod satisfies it: ALLOWED (exit 0)', () => {
    expect(head(reach(cluster('quay.io/cilium/cilium:v1.17.4'), 'shop/prod-client'))).toEqual(['ALLOWED', 0]);
  });

  it('v1.17.4: toRequires narrows an egress toEndpoints the same way: to web (no env label) UNKNOWN (exit 2), to prod-client ALLOWED (exit 0)', () => {
    const egress = `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: client-out, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
  - toRequires: [{matchLabels: {env: prod}}]
  - toEndpoints: [{matchLabels: {app: web}}, {matchLabels: {app: prod-client}}]
`;
    const yaml = cluster('quay.io/cilium/cilium:v1.17.4', egress).replace(/fromRequires:\n    - matchLabels: \{env: prod\}/, 'fromEndpoints: [{matchLabels: {app: client}}]');
    const r = reach(yaml);
    expect(head(r)).toEqual(['UNKNOWN', 2]);
    expect(r.output).toContain('the pod does not satisfy CiliumNetworkPolicy shop/client-out spec.egress[0].toRequires');
    expect(head(reach(yaml, 'shop/client', 'shop/prod-client'))).toEqual(['ALLOWED', 0]);
  });

  it('an agent image naming no release: UNKNOWN (exit 2), the note says the release is not known', () => {
    const yaml = cluster('quay.io/cilium/cilium@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
    expect(head(reach(yaml))).toEqual(['UNKNOWN', 2]);
    expect(notes(yaml).some((m) => m.includes('Cilium before 1.19 (the release is not known'))).toBe(true);
  });

  it('v1.19.1: the fields are ignored, so allow-client admits client: ALLOWED (exit 0), with a note saying so', () => {
    const yaml = cluster('quay.io/cilium/cilium:v1.19.1');
    expect(head(reach(yaml))).toEqual(['ALLOWED', 0]);
    expect(notes(yaml)).toContain('CiliumNetworkPolicy shop/requires-prod: spec.ingress[0].fromRequires: ignored by Cilium v1.19.1 (removed in 1.19, cilium/cilium#42615)');
  });

  // The requirement reaches a rule only on the pods its own policy selects: "a requirement is applied
  // to all fromEndpoints of all rules selecting the endpoint" (docs.cilium.io/en/v1.17/security/policy/
  // language/#additional-label-requirements), and a CiliumNetworkPolicy's endpointSelector selects
  // only pods of its namespace (cilium/cilium pkg/k8s/apis/cilium.io/utils: parseToCiliumIngressCommonRule
  // scopes fromRequires by getEndpointSelector(namespace, ...)).
  it('a CiliumNetworkPolicy in legacy requiring env=prod (in an allow or a deny rule) does not touch a clusterwide deny on shop/web: DENIED (exit 1), the deny intent holds', () => {
    const base = `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cilium, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: cilium}}
  template:
    metadata: {labels: {k8s-app: cilium}}
    spec: {containers: [{name: cilium-agent, image: "quay.io/cilium/cilium:v1.17.4"}]}
${['shop', 'other', 'legacy'].map((n) => `---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ${n}}\n`).join('')}${deployment('web')}${deployment('client').replace('namespace: shop', 'namespace: other')}${deployment('old').replace('namespace: shop', 'namespace: legacy')}---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: deny-client-to-web}
spec:
  endpointSelector: {matchLabels: {app: web, k8s:io.kubernetes.pod.namespace: shop}}
  ingressDeny:
  - fromEndpoints:
    - matchLabels: {app: client, k8s:io.kubernetes.pod.namespace: other}
`;
    const legacy = `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: legacy-requires-prod, namespace: legacy}
spec:
  endpointSelector: {matchLabels: {app: old}}
  ingress:
  - fromRequires:
    - matchLabels: {env: prod}
`;
    const config = { ...defaultConfig(), intent: { deny: [{ name: 'client-never-web', from: { namespace: 'other', podSelector: { app: 'client' } }, to: { namespace: 'shop', podSelector: { app: 'web' } }, ports: [80] }] } };
    const intent = (yaml: string) => runChecks([intentViolation], { snapshot: snap(yaml), config, now: new Date('2026-12-06T00:00:00Z') })[0]!.status;
    // The same requirement written in an ingressDeny rule: ANDed into deny rules, but only on legacy/old.
    const legacyDeny = legacy.replace('  ingress:\n  - fromRequires:', '  ingressDeny:\n  - fromRequires:');
    expect(legacyDeny).toContain('ingressDeny:');
    for (const yaml of [base, base + legacy, base + legacyDeny]) {
      const r = reach(yaml, 'other/client', 'shop/web');
      expect(head(r)).toEqual(['DENIED', 1]);
      expect(r.output).not.toContain('legacy-requires-prod');
      expect(intent(yaml)).toBe('pass');
    }
  });

  it('a requirement whose policy selects other pods of the same namespace leaves allow-client on web as written: ALLOWED (exit 0)', () => {
    const yaml = cluster('quay.io/cilium/cilium:v1.17.4').replace('name: requires-prod, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: web}}', 'name: requires-prod, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: prod-client}}');
    expect(yaml).toContain('matchLabels: {app: prod-client}}\n  ingress:\n  - fromRequires');
    expect(head(reach(yaml))).toEqual(['ALLOWED', 0]);
  });

  // cilium/cilium pkg/policy/rules.go resolveL4IngressPolicy gathers the fromRequires of allow rules
  // (`requirements`) and of ingressDeny rules (`requirementsDeny`) apart, and rule.go
  // resolveIngressPolicy folds the first into the allow rules' fromEndpoints, the second into the deny rules'.
  const denyClient = (requires = '') => `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: deny-client, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingressDeny:
  - fromEndpoints: [{matchLabels: {app: client}}]${requires}
`;

  it('an allow rule\'s fromRequires is not ANDed into a deny rule: ingressDeny from client stays certain, DENIED (exit 1)', () => {
    // allow-client admits prod-client only, so no allow rule holds client and only the deny decides.
    const yaml = cluster('quay.io/cilium/cilium:v1.17.4', denyClient()).replace('    - matchLabels: {app: client}\n    - matchLabels: {app: prod-client}', '    - matchLabels: {app: prod-client}');
    expect(yaml).not.toContain('    - matchLabels: {app: client}\n');
    const r = reach(yaml);
    expect(head(r)).toEqual(['DENIED', 1]);
    expect(r.output).toContain('DENIED by CiliumNetworkPolicy shop/deny-client rule 0 "ingressDeny[0]" (Deny)');
  });

  it('a deny rule\'s fromRequires is ANDed into the deny rules: client fails env=prod, so the deny may not hold: UNKNOWN (exit 2), naming it', () => {
    const yaml = cluster('quay.io/cilium/cilium:v1.17.4', denyClient('\n  - fromRequires: [{matchLabels: {env: prod}}]')).replace(/  ingress:\n  - fromRequires:\n    - matchLabels: \{env: prod\}\n/, '  ingress:\n  - fromEndpoints: [{matchLabels: {app: nobody}}]\n');
    const r = reach(yaml);
    expect(head(r)).toEqual(['UNKNOWN', 2]);
    expect(r.output).toContain('the pod does not satisfy CiliumNetworkPolicy shop/deny-client spec.ingressDeny[1].fromRequires');
    expect(notes(yaml).some((m) => m.startsWith('CiliumNetworkPolicy shop/deny-client: spec.ingressDeny[1].fromRequires') && m.includes('every fromEndpoints of the deny rules selecting the pods this policy selects'))).toBe(true);
  });

  it('rules keep their written numbers when a requirement applies: prod-client is ALLOWED by allow-client rule 1 "ingress[1]"', () => {
    const yaml = cluster('quay.io/cilium/cilium:v1.17.4').replace('  - fromEndpoints:\n    - matchLabels: {app: client}\n    - matchLabels: {app: prod-client}', '  - fromEndpoints: [{matchLabels: {app: client}}]\n  - fromEndpoints: [{matchLabels: {app: prod-client}}]');
    const r = reach(yaml, 'shop/prod-client');
    expect(head(r)).toEqual(['ALLOWED', 0]);
    expect(r.output).toContain('ALLOWED by CiliumNetworkPolicy shop/allow-client rule 1 "ingress[1]" (Allow)');
  });
});
