// A manifest directory for timing long port lists (docs/performance.md, "Long port lists"):
// one Deployment app/web and one policy selecting it whose rule lists N single ports
// 1, 3, 5, … (none adjacent, so the connection set keeps them all apart).
//   node bench/ports-manifests.ts --ports 30000 --kind egress --out DIR
// kinds: egress, ingress (NetworkPolicy, one rule), rules (NetworkPolicy, N egress rules of
// one port each), calico (projectcalico.org/v3 NetworkPolicy), cilium (CiliumNetworkPolicy,
// toPorts entries of 40 ports, the CRD's maximum per entry).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const KINDS = ['egress', 'ingress', 'rules', 'calico', 'cilium'] as const;
type Kind = (typeof KINDS)[number];

const DEPLOYMENT = `apiVersion: v1
kind: Namespace
metadata: {name: app}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27@sha256:0000000000000000000000000000000000000000000000000000000000000000
        ports: [{containerPort: 8080, name: http}]
`;

export function portsPolicy(kind: Kind, n: number): string {
  const ports = Array.from({ length: n }, (_, i) => 1 + 2 * i);
  const head = (dir: 'Egress' | 'Ingress') => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: many, namespace: app}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [${dir}]\n`;
  switch (kind) {
    case 'egress':
    case 'ingress':
      return `${head(kind === 'egress' ? 'Egress' : 'Ingress')}  ${kind}:\n  - ports:\n${ports.map((p) => `    - {protocol: TCP, port: ${p}}\n`).join('')}`;
    case 'rules':
      return `${head('Egress')}  egress:\n${ports.map((p) => `  - ports: [{protocol: TCP, port: ${p}}]\n`).join('')}`;
    case 'calico':
      return `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: many, namespace: app}\nspec:\n  selector: app == 'web'\n  types: [Egress]\n  egress:\n  - action: Allow\n    protocol: TCP\n    destination:\n      ports: [${ports.join(',')}]\n`;
    case 'cilium':
      return `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: many, namespace: app}\nspec:\n  endpointSelector: {matchLabels: {app: web}}\n  egress:\n  - toEntities: [world]\n    toPorts:\n${ports.map((p, i) => `${i % 40 === 0 ? '    - ports:\n' : ''}      - {port: "${p}", protocol: TCP}\n`).join('')}`;
  }
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({ options: { ports: { type: 'string', default: '30000' }, kind: { type: 'string', default: 'egress' }, out: { type: 'string' } } });
  const n = Number(values.ports);
  const kind = values.kind as Kind;
  if (!Number.isInteger(n) || n < 1 || n > 32767) throw new Error(`--ports ${values.ports}: give 1 to 32767 (the ports are 1, 3, 5, … up to 65535)`);
  if (!KINDS.includes(kind)) throw new Error(`--kind ${values.kind}: one of ${KINDS.join(', ')}`);
  if (!values.out) throw new Error('--out DIR: where to write deploy.yaml and pol.yaml');
  mkdirSync(values.out, { recursive: true });
  writeFileSync(join(values.out, 'deploy.yaml'), DEPLOYMENT);
  writeFileSync(join(values.out, 'pol.yaml'), portsPolicy(kind, n));
}
