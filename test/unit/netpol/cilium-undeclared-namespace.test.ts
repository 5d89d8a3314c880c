// A Cilium selector on a namespace's labels (`io.cilium.k8s.namespace.labels.<key>`, the label
// Cilium gives every endpoint for each label of its namespace: docs.cilium.io/en/stable/security/policy/kubernetes/,
// "Namespaces" — "k8s:io.cilium.k8s.namespace.labels.<key>") cannot be judged against a namespace no
// manifest declares, whose labels are unknown: `reach` answers UNKNOWN (exit 2) with a note, as it
// does for a Kubernetes namespaceSelector on the same label (README, "reach").
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { snap } from './helpers.ts';

const CLUSTER = `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cilium, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: cilium}}
  template:
    metadata: {labels: {k8s-app: cilium}}
    spec:
      hostNetwork: true
      containers:
      - {name: cilium-agent, image: quay.io/cilium/cilium:v1.20.2}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  containers: [{name: c, image: nginx, ports: [{containerPort: 80, name: http}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: frontend, labels: {app: client}}
spec:
  containers: [{name: c, image: busybox}]
`;
const cnp = (from: string) => `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web-from-team-a, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
  - fromEndpoints: [{matchLabels: {${from}}}]
`;
const reach = (yaml: string) => reachCommandCore(snap(yaml), { from: 'frontend/client', to: 'shop/web', port: '80' });

describe('a Cilium namespace-label selector and a namespace no manifest declares', () => {
  it('reach answers UNKNOWN (exit 2) and the note names the label read', () => {
    const r = reach(CLUSTER + cnp('"k8s:io.cilium.k8s.namespace.labels.team": a'));
    expect(r.exitCode).toBe(2);
    expect(r.output.split('\n')[0]).toBe('UNKNOWN: frontend/client[Pod] -> shop/web[Pod] on 80/TCP');
    expect(r.output).toContain('whether namespace frontend is selected by selector k8s:io.cilium.k8s.namespace.labels.team is not known: no manifest declares it');
  });

  it('the run names the policy once in its coverage notes', () => {
    const model = buildReachability(snap(CLUSTER + cnp('"k8s:io.cilium.k8s.namespace.labels.team": a')));
    expect(model.notes.filter((n) => n.object.name === 'web-from-team-a').map((n) => n.message)).toEqual([
      'its namespace selectors read labels (k8s:io.cilium.k8s.namespace.labels.team), but no manifest declares namespace(s) frontend, kube-system, whose pods it may admit or not: only their kubernetes.io/metadata.name label is known, so reach answers UNKNOWN where such a selector decides a flow for them (the checks and the matrix count the name-only reading); add the Namespace manifests with their labels',
    ]);
  });

  it('stays certain when the namespace is declared, or the selector reads only the name', () => {
    const declared = CLUSTER + '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: frontend, labels: {team: b}}\n';
    expect(reach(declared + cnp('"k8s:io.cilium.k8s.namespace.labels.team": a')).exitCode).toBe(1);
    expect(reach(declared.replace('team: b', 'team: a') + cnp('"k8s:io.cilium.k8s.namespace.labels.team": a')).exitCode).toBe(0);
    expect(reach(CLUSTER + cnp('"k8s:io.kubernetes.pod.namespace": other')).exitCode).toBe(1);
    expect(reach(CLUSTER + cnp('"k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name": other')).exitCode).toBe(1);
  });

  it('a selector the pod fails apart from the namespace labels stays certain', () => {
    expect(reach(CLUSTER + cnp('"k8s:io.cilium.k8s.namespace.labels.team": a, app: other')).exitCode).toBe(1);
  });
});
