// Istio gateway linking benchmark (not a timed test): `node bench/istio-gateways.ts [--gateways 2000] [--workloads 20000]`.
// A generated scene: half the Gateways classic Istio Gateways (networking.istio.io, each
// selecting its own gateway Deployment by `istio: <name>`), half Gateway API Gateways of class
// istio (their Deployment labelled with gateway.networking.k8s.io/gateway-name, every other one
// also with istio.io/gateway-name), each with one TLS server or listener; one gateway Deployment
// per Gateway, the rest application Deployments, and an istiod. Runs tls.legacy-protocol-enabled
// and tls.weak-ciphers and prints their CPU time (user + sys) and a digest of their results.
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CHECK_BY_ID } from '../checks/index.ts';
import { snapshotFromObjects } from '../src/collect/from-objects.ts';
import { defaultConfig } from '../src/config/types.ts';
import { runChecks } from '../src/engine/run.ts';
import type { KubeObject } from '../src/snapshot/types.ts';

const { values } = parseArgs({ options: { gateways: { type: 'string', default: '2000' }, workloads: { type: 'string', default: '20000' } } });
const G = Number(values.gateways);
const W = Number(values.workloads);

const deployment = (namespace: string, name: string, labels: Record<string, string>, image: string): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace, name },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image }] } } },
});

const objects: KubeObject[] = [
  deployment('istio-system', 'istiod', { app: 'istiod', istio: 'pilot' }, 'docker.io/istio/pilot:1.22.3'),
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'istio' }, spec: { controllerName: 'istio.io/gateway-controller' } },
];
for (let i = 0; i < G; i++) {
  const namespace = `ns-${i % 200}`;
  const name = `gw-${i}`;
  if (i % 2 === 0) {
    objects.push({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { namespace, name }, spec: { selector: { istio: name }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: [`${name}.example.com`], tls: { mode: 'SIMPLE', credentialName: 'cert', ...(i % 4 === 0 ? { minProtocolVersion: 'TLSV1_0' } : {}) } }] } });
    objects.push(deployment(namespace, name, { istio: name, app: name }, `docker.io/istio/proxyv2:1.${12 + (i % 10)}.2`));
  } else {
    objects.push({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { namespace, name }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', hostname: `${name}.example.com`, tls: { mode: 'Terminate', certificateRefs: [{ name: 'cert' }] } }] } });
    const labels: Record<string, string> = { 'gateway.networking.k8s.io/gateway-name': name, ...(i % 4 === 1 ? { 'istio.io/gateway-name': name } : {}) };
    objects.push(deployment(namespace, `${name}-istio`, labels, `docker.io/istio/proxyv2:1.${12 + (i % 10)}.2`));
  }
}
for (let i = G; i < W; i++) objects.push(deployment(`ns-${i % 200}`, `app-${i}`, { app: `app-${i}`, tier: 'web' }, 'registry.example.com/app:1.0'));

const snapshot = snapshotFromObjects(objects, { origin: 'live', clusterVersion: 'v1.31.4' });
const checks = ['tls.legacy-protocol-enabled', 'tls.weak-ciphers'].map((id) => CHECK_BY_ID.get(id)!);
const before = process.cpuUsage();
const t = performance.now();
const outcomes = runChecks(checks, { snapshot, config: defaultConfig(), now: new Date('2026-12-07T00:00:00Z') });
const cpu = process.cpuUsage(before);
const wall = performance.now() - t;
const digest = createHash('sha256');
for (const o of outcomes) for (const r of o.results) digest.update(`${o.check.id}\0${r.status}\0${r.severity ?? ''}\0${r.resource.kind}/${r.resource.namespace ?? ''}/${r.resource.name}\0${r.message}\n`);
const counts = outcomes.map((o) => `${o.check.id}: ${o.status}, ${o.results.length} results (${o.results.filter((r) => r.status === 'fail').length} fail)`).join('; ');
console.log(`${G} Gateways x ${W} Deployments: checks CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (user ${(cpu.user / 1e6).toFixed(2)}, sys ${(cpu.system / 1e6).toFixed(2)}), wall ${(wall / 1000).toFixed(2)} s; ${counts}; results sha256 ${digest.digest('hex').slice(0, 16)}`);
