// toServices naming a Service WITH a selector, by the Cilium release the agent's image names.
// Up to 1.16, only Services without a selector are selectable: cilium/cilium v1.16
// pkg/policy/k8s/service.go isSelectableService ("Normally, only services without a label
// selector (i.e. empty services) are allowed as targets of a toServices rule"), so the rule
// gains no peer and, without toPorts, allows nothing. From 1.17, processRule copies the
// Service's selector, scoped to its namespace, into the rule's toEndpoints (cilium/cilium#34208
// "policy: make ToServices selectors work for in-cluster services too", appendSelector; the
// docs describe "how toServices works in v1.17+, where selectors are copied", cilium/cilium#37089).
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { ciliumAgent, snap } from './helpers.ts';

const agent = (image: string) => `---${ciliumAgent(image)}`;

const cluster = `---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: shop}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: nginx:1.27}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: postgres:17, ports: [{containerPort: 5432}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  selector: {app: db}
  ports: [{port: 5432, protocol: TCP}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: to-db, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
  - toServices: [{k8sService: {serviceName: db, namespace: shop}}]
`;

const ask = (image: string) => reachCommandCore(snap(agent(image) + cluster), { from: 'shop/client', to: 'shop/db', port: '5432' });
const notesOf = (image: string) => buildReachability(snap(agent(image) + cluster)).notes.filter((n) => n.object.name === 'to-db').map((n) => n.message);

describe('toServices naming a Service with a selector', () => {
  it('Cilium 1.16: DENIED (exit 1), the Service is not selectable, and the notes say why', () => {
    const r = ask('quay.io/cilium/cilium:v1.16.5');
    expect(r.output.split('\n')[0]).toBe('DENIED: shop/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(r.exitCode).toBe(1);
    expect(notesOf('quay.io/cilium/cilium:v1.16.5')).toContain('CiliumNetworkPolicy shop/to-db: egress[0]: Service shop/db has a selector, and Cilium v1.16.5 resolves toServices only to Services without one (selector Services are resolved from 1.17), so it adds nothing for it');
  });

  it('Cilium 1.17 and later: ALLOWED (exit 0), the Service\'s selector picks its pods, with no note on the release', () => {
    for (const image of ['quay.io/cilium/cilium:v1.17.0', 'quay.io/cilium/cilium:v1.20.2']) {
      const r = ask(image);
      expect(r.output.split('\n')[0]).toBe('ALLOWED: shop/client[Deployment] -> shop/db[Deployment] on 5432/TCP');
      expect(r.exitCode).toBe(0);
      expect(notesOf(image)).toEqual([]);
    }
  });

  it('a release the image does not name: read as 1.17 or later (ALLOWED), and the notes say so', () => {
    const image = 'quay.io/cilium/cilium@sha256:0000000000000000000000000000000000000000000000000000000000000000';
    expect(ask(image).exitCode).toBe(0);
    expect(notesOf(image)).toEqual(["CiliumNetworkPolicy shop/to-db: egress[0]: Service shop/db has a selector: read as Cilium 1.17 or later does, as its pods (the Cilium agent's image names no release; before 1.17 toServices resolves only Services without a selector)"]);
  });
});
