// Which clusters are read as Calico clusters. Calico enforces policy in its agent, calico/node,
// which the tigera-operator renders as the calico-node DaemonSet (tigera/operator
// pkg/components/calico.go: ComponentCalicoNode image "calico/node"; pkg/render/node.go: the
// calico-node DaemonSet and container; Calico Enterprise's agent is tigera/cnx-node). The
// operator's own Deployment enforces nothing: a Cilium cluster that also runs it is a Cilium
// cluster, where a Kubernetes ipBlock holds no pod address (kubernetes.io/docs/concepts/services-
// networking/network-policies: ipBlocks "should be cluster-external IPs"; Cilium matches pods by
// identity, not by its CIDR rules: docs/network-model.md, "Limits").
import { describe, expect, it } from 'vitest';
import { intentViolation } from '../../../checks/network/intent-violation.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { detectCni } from '../../../src/analysis/netpol/cni.ts';
import { snap } from './calico-helpers.ts';

const NOW = new Date('2026-12-05T00:00:00Z');

const workload = (namespace: string, name: string, kind: 'DaemonSet' | 'Deployment', containers: Array<{ name: string; image: string }>) => `---
apiVersion: apps/v1
kind: ${kind}
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {k8s-app: ${name}}}
  template:
    metadata: {labels: {k8s-app: ${name}}}
    spec:
      hostNetwork: true
      containers: ${JSON.stringify(containers)}
`;
const ciliumAgent = workload('kube-system', 'cilium', 'DaemonSet', [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.16.3' }]);
const tigeraOperator = workload('tigera-operator', 'tigera-operator', 'Deployment', [{ name: 'tigera-operator', image: 'quay.io/tigera/operator:v1.36.2' }]);
const app = `---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {kubernetes.io/metadata.name: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: db, labels: {kubernetes.io/metadata.name: db}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx:1.25, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: pg, namespace: db}
spec:
  selector: {matchLabels: {app: pg}}
  template:
    metadata: {labels: {app: pg}}
    spec: {containers: [{name: c, image: postgres:16, ports: [{containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: db}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-lb, namespace: db}
spec:
  podSelector: {matchLabels: {app: pg}}
  policyTypes: [Ingress]
  ingress:
  - from: [{ipBlock: {cidr: 0.0.0.0/0}}]
    ports: [{port: 5432}]
`;
const config = { ...defaultConfig(), intent: { deny: [{ name: 'web-never-db', from: { namespace: 'shop', podSelector: { app: 'web' } }, to: { namespace: 'db', podSelector: { app: 'pg' } } }] } };
const intent = (yaml: string) => runChecks([intentViolation], { snapshot: snap(yaml), config, now: NOW })[0].status;

describe('a Calico cluster is one running the Calico agent', () => {
  it('a Cilium cluster that also runs the tigera-operator is a Cilium cluster: an ipBlock holds no pod, the deny intent holds', () => {
    const s = snap(ciliumAgent + tigeraOperator + app);
    expect(detectCni(s).plugins.map((p) => p.name)).toEqual(['cilium']);
    expect(buildReachability(s).composition.name).toBe('cilium');
    expect(intent(ciliumAgent + tigeraOperator + app)).toBe('pass');
  });

  it('the tigera-operator alone is no enforcer', () => {
    expect(detectCni(snap(tigeraOperator)).verdict).toBe('unknown');
  });

  for (const [what, agent] of [
    ['the manifests\' calico-node DaemonSet (docker.io/calico/node)', workload('kube-system', 'calico-node', 'DaemonSet', [{ name: 'calico-node', image: 'docker.io/calico/node:v3.28.2' }])],
    ['the operator\'s calico-node DaemonSet (quay.io/calico/node)', workload('calico-system', 'calico-node', 'DaemonSet', [{ name: 'calico-node', image: 'quay.io/calico/node:v3.30.0' }])],
    ['a calico-node container from a mirror, whatever its image', workload('calico-system', 'calico-node', 'DaemonSet', [{ name: 'calico-node', image: 'registry.example/mirror/node-agent:v3.30.0' }])],
    ['Calico Enterprise\'s tigera/cnx-node', workload('calico-system', 'cnx-node', 'DaemonSet', [{ name: 'node', image: 'quay.io/tigera/cnx-node:v3.20.0' }])],
  ] as const) {
    it(`with ${what} beside the operator, the cluster is a Calico cluster: the ipBlock 0.0.0.0/0 holds the pods and the intent fails`, () => {
      const yaml = ciliumAgent + tigeraOperator + agent + app;
      expect(buildReachability(snap(yaml)).composition.name).toBe('calico');
      expect(intent(yaml)).toBe('fail');
    });
  }
});
