// The generated scene of bench/istio-gateways.ts (and test/unit/tls/istio-gateway-linking.test.ts):
// half the Gateways classic Istio Gateways (networking.istio.io, each selecting its own gateway
// Deployment by `istio: <name>`), half Gateway API Gateways of class istio (their Deployment
// labelled with gateway.networking.k8s.io/gateway-name, every other one also with
// istio.io/gateway-name), each with one TLS server or listener; one gateway Deployment per
// Gateway, the rest application Deployments, and an istiod.
import type { KubeObject } from '../src/snapshot/types.ts';

export function istioGatewayScene(G: number, W: number): KubeObject[] {
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
  return objects;
}
