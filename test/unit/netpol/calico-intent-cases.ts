// The c5 scenario (the reviewer's repro): a Calico cluster, shop/web and db/pg, pg isolated and
// open on 5432 to an ipBlock; and the intent "deny shop/web → db/pg". Shared by intent-doubt and
// intent-ippools tests.
import { expect } from 'vitest';
import { intentViolation } from '../../../checks/network/intent-violation.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { snap } from './helpers.ts';

const NOW = new Date('2026-12-05T00:00:00Z');

export const calicoNode = `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec:
      hostNetwork: true
      containers: [{name: calico-node, image: quay.io/calico/node:v3.28.2}]
`;

export const deployment = (ns: string, name: string, port?: number) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: img:1${port ? `, ports: [{containerPort: ${port}}]` : ''}}]}
`;

export const shopAndDb = `---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {kubernetes.io/metadata.name: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: db, labels: {kubernetes.io/metadata.name: db}}
${deployment('shop', 'web')}${deployment('db', 'pg', 5432)}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: db}
spec: {podSelector: {}, policyTypes: [Ingress]}
`;

export const fromBlock = (block: string) => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: not-from-vpc, namespace: db}
spec:
  podSelector: {matchLabels: {app: pg}}
  policyTypes: [Ingress]
  ingress:
  - from: [{ipBlock: ${block}}]
    ports: [{port: 5432}]
`;

/** The reviewer's repro (c5): a Calico cluster, pg open on 5432 to 0.0.0.0/0 except 10.0.0.0/8. */
export const c5 = calicoNode + shopAndDb + fromBlock('{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}');

export const config = { ...defaultConfig(), intent: { deny: [{ name: 'web-never-db', from: { namespace: 'shop', podSelector: { app: 'web' } }, to: { namespace: 'db', podSelector: { app: 'pg' } } }] } };
export const intentOf = (yaml: string) => {
  const [outcome] = runChecks([intentViolation], { snapshot: snap(yaml), config, now: NOW });
  expect(outcome.results).toHaveLength(1);
  return outcome.results[0];
};

