// fromRequires / toRequires by Cilium release, as a user runs `reach` (the reviewer's repro req).
// Up to Cilium 1.18 a requirement "is applied to all fromEndpoints of all rules selecting the
// endpoint": "the label requirements are ANDed with the labels of the fromEndpoints"
// (https://docs.cilium.io/en/v1.17/security/policy/language/#additional-label-requirements).
// cilium/cilium#42615 removed the fields in 1.19, which ignores them. The model does not narrow the
// peers by them (which rules select the same pod is per pod): before 1.19, or where the release is
// not known, a flow allowed from a pod that fails the requirement is UNKNOWN (exit 2), naming it.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
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
});
