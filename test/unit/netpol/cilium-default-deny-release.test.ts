// `enableDefaultDeny` by Cilium release, as a user runs `reach` (the reviewer's repro edd).
// The field came with cilium/cilium#30572 ("Add EnableDefaultDeny field to Network Policy", merged
// after v1.15.0; cilium/cilium#35558: "v1.16.0 introduced `enableDefaultDeny`"; documented from
// the v1.16 docs, docs.cilium.io/en/v1.16/security/policy/intro/ "default" mode, by
// cilium/cilium#32097). A 1.14 or 1.15 agent does not know it: the policy isolates the pods it
// selects as any other does, so a source it does not allow is DENIED. From 1.16 the policy leaves
// them open (only `enableDefaultDeny: false` rules select web: Cilium adds an allow-all).
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { snap } from './helpers.ts';

const deployment = (ns: string, name: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}
`;

const cluster = (image: string) => `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cilium, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: cilium}}
  template:
    metadata: {labels: {k8s-app: cilium}}
    spec: {containers: [{name: cilium-agent, image: "${image}"}]}
${deployment('shop', 'web')}${deployment('shop', 'client')}${deployment('other', 'other')}---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: only-deny, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  enableDefaultDeny: {ingress: false}
  ingress:
  - fromEndpoints: [{matchLabels: {app: client}}]
    toPorts: [{ports: [{port: "80"}]}]
`;

const reach = (yaml: string, from = 'other/other') => reachCommandCore(snap(yaml), { from, to: 'shop/web', port: '80' });
const head = (r: { output: string; exitCode: number }) => [r.output.split('\n')[0]!.split(':')[0], r.exitCode];
const notes = (yaml: string) => buildReachability(snap(yaml)).notes.map((n) => n.message);

describe('Cilium enableDefaultDeny by release', () => {
  it.each([['v1.14.5'], ['v1.15.11']])('%s predates the field: the policy isolates web, so other/other is DENIED (exit 1), with a note', (tag) => {
    const yaml = cluster(`quay.io/cilium/cilium:${tag}`);
    const r = reach(yaml);
    expect(head(r)).toEqual(['DENIED', 1]);
    expect(r.output).toContain('ingress at shop/web[Deployment]: isolated by CiliumNetworkPolicy shop/only-deny');
    expect(notes(yaml)).toContain(`CiliumNetworkPolicy shop/only-deny: spec.enableDefaultDeny: Cilium ${tag} predates the field (added in 1.16, cilium/cilium#30572), so the policy isolates the pods it selects`);
    expect(head(reach(yaml, 'shop/client'))).toEqual(['ALLOWED', 0]);
  });

  it('v1.16.0, the first release with the field: web stays open, other/other is ALLOWED (exit 0)', () => {
    const yaml = cluster('quay.io/cilium/cilium:v1.16.0');
    expect(head(reach(yaml))).toEqual(['ALLOWED', 0]);
    expect(notes(yaml).some((m) => m.includes('spec.enableDefaultDeny'))).toBe(false);
  });

  it('a release not known: read as 1.16 or later does (ALLOWED), and a note says what an older agent does', () => {
    const yaml = cluster('quay.io/cilium/cilium@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
    expect(head(reach(yaml))).toEqual(['ALLOWED', 0]);
    expect(notes(yaml).some((m) => m.startsWith('CiliumNetworkPolicy shop/only-deny: spec.enableDefaultDeny: read as Cilium 1.16 or later does') && m.includes('before 1.16 the field does not exist and the policy isolates the pods it selects'))).toBe(true);
  });
});
