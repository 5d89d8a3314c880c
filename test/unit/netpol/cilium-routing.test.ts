// Cilium's routing mode and the identity of traffic from outside. "In the tunneling mode ... the
// request to the service will have the reserved:world security identity. In the native-routing
// mode ..., the security identity will be set to the reserved:world if the request was sent to
// the node which runs the selected endpoint by the LB. If not, i.e., the request needs to be
// forwarded to another node after the service endpoint selection, then it will have the
// reserved:remote-node. The latter traffic will match fromEntities: cluster policies."
// (https://docs.cilium.io/en/stable/security/policy/caveats/, "Security Identity for N/S Service
// Traffic"; github.com/cilium/cilium@v1.20.2 Documentation/security/policy/caveats.rst). Default
// externalTrafficPolicy is Cluster, so the load balancer may pick any node
// (https://kubernetes.io/docs/reference/networking/virtual-ips/#external-traffic-policy).
// routing-mode defaults to tunnel (pkg/defaults/defaults.go RoutingMode = "tunnel"); before
// Cilium 1.14 native routing was `tunnel: disabled`.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { readCiliumSettings } from '../../../src/analysis/netpol/cilium/config.ts';
import { networkExposure } from '../../../src/analysis/netpol/exposure.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { queryReach, reachMatrix } from '../../../src/analysis/netpol/query.ts';
import { formatConns } from '../../../src/analysis/netpol/conns.ts';

const ciliumDs = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'cilium', namespace: 'kube-system' }, spec: { selector: { matchLabels: { 'k8s-app': 'cilium' } }, template: { metadata: { labels: { 'k8s-app': 'cilium' } }, spec: { containers: [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.18.0' }] } } } };
const config = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data });

function cluster(data: Record<string, string>, service: Record<string, unknown> = {}, peer: Record<string, unknown> = { fromEntities: ['cluster'] }): KubeObject[] {
  return [
    ciliumDs,
    config(data),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'a' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 8080, name: 'http' }] }] } } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'a' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }], ...service } },
    { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'web', namespace: 'a' }, spec: { endpointSelector: {}, ingress: [peer] } },
  ] as KubeObject[];
}

const webPaths = (objects: KubeObject[]) => networkExposure(snapshotFromObjects(objects)).find((w) => w.workload.name === 'web')!.external.map(({ via, allowedByPolicy, forwarded }) => ({ via, allowedByPolicy, forwarded }));
const FORWARDED = 'TCP 8080 only when another node forwards it: under Cilium native routing it arrives with the remote-node identity, which the policies admit (externalTrafficPolicy is not Local)';

describe('cilium-config routing-mode', () => {
  it.each([
    [{}, 'tunnel', []],
    [{ 'routing-mode': 'native' }, 'native', []],
    [{ 'routing-mode': 'tunnel' }, 'tunnel', []],
    [{ tunnel: 'disabled' }, 'native', []],
    [{ tunnel: 'vxlan' }, 'tunnel', []],
    [{ 'routing-mode': 'tunnel', tunnel: 'disabled' }, 'tunnel', []],
    [{ 'routing-mode': 'direct' }, 'tunnel', ['routing-mode: "direct" is not native or tunnel; Cilium\'s default is assumed']],
  ])('%o reads as %s', (data, mode, problems) => {
    const s = readCiliumSettings(snapshotFromObjects([ciliumDs, config(data as Record<string, string>)] as KubeObject[]));
    expect([s.routingMode, s.problems]).toEqual([mode, problems]);
  });
});

describe('a LoadBalancer workload whose CiliumNetworkPolicy allows fromEntities: cluster', () => {
  it('is exposed under native routing: the request another node forwards is remote-node, which cluster matches', () => {
    expect(webPaths(cluster({ 'routing-mode': 'native' }))).toEqual([{ via: 'LoadBalancer', allowedByPolicy: true, forwarded: FORWARDED }]);
    expect(webPaths(cluster({ tunnel: 'disabled' }))).toEqual([{ via: 'LoadBalancer', allowedByPolicy: true, forwarded: FORWARDED }]);
    // NodePort and externalIPs take the same path through the nodes.
    expect(webPaths(cluster({ 'routing-mode': 'native' }, { type: 'ClusterIP', externalIPs: ['198.51.100.9'] }))).toEqual([{ via: 'externalIPs', allowedByPolicy: true, forwarded: FORWARDED }]);
  });

  it('is not exposed in tunnel mode (the default), nor with externalTrafficPolicy Local, nor when only world-facing peers are allowed', () => {
    expect(webPaths(cluster({}))).toEqual([{ via: 'LoadBalancer', allowedByPolicy: false, forwarded: undefined }]);
    expect(webPaths(cluster({ 'routing-mode': 'native' }, { externalTrafficPolicy: 'Local' }))).toEqual([{ via: 'LoadBalancer', allowedByPolicy: false, forwarded: undefined }]);
    expect(webPaths(cluster({ 'routing-mode': 'native' }, {}, { fromEndpoints: [{}] }))).toEqual([{ via: 'LoadBalancer', allowedByPolicy: false, forwarded: undefined }]);
    // Forwarded traffic is reserved:remote-node, which the host entity (the pod's own node) does not select (pkg/policy/api/entity.go).
    expect(webPaths(cluster({ 'routing-mode': 'native' }, {}, { fromEntities: ['host'] }))).toEqual([{ via: 'LoadBalancer', allowedByPolicy: false, forwarded: undefined }]);
    expect(webPaths(cluster({ 'routing-mode': 'native' }, {}, { fromEntities: ['remote-node'] }))).toEqual([{ via: 'LoadBalancer', allowedByPolicy: true, forwarded: FORWARDED }]);
  });

  it('reach from an internet address says ALLOWED on the target port and why; other ports stay denied', () => {
    const model = buildReachability(snapshotFromObjects(cluster({ 'routing-mode': 'native' })));
    const r = queryReach(model, '203.0.113.7', 'a/web', 8080);
    expect(r.allowed).toBe(true);
    expect(r.ingress.decisions).toEqual([expect.objectContaining({
      allowed: true,
      conns: 'TCP 8080',
      by: 'CiliumNetworkPolicy a/web rule 0 "ingress[0]" (Allow), as traffic forwarded by another node for LoadBalancer Service a/web: under Cilium native routing it arrives with the remote-node identity, not world',
      forwarded: 'forwarded by another node for LoadBalancer Service a/web: under Cilium native routing it arrives with the remote-node identity, not world',
    })]);
    expect(queryReach(model, '203.0.113.7', 'a/web', 9090).allowed).toBe(false);
    expect(queryReach(buildReachability(snapshotFromObjects(cluster({}))), '203.0.113.7', 'a/web', 8080).allowed).toBe(false);
  });

  it('the matrix agrees: the internet reaches a/web on the target port under native routing only', () => {
    const rows = (data: Record<string, string>) => reachMatrix(buildReachability(snapshotFromObjects(cluster(data)))).filter((r) => r.from.endsWith('[External]') && r.to.startsWith('a/web')).map((r) => `${r.from} => ${formatConns(r.conns)}`);
    expect(rows({ 'routing-mode': 'native' })).toEqual(['0.0.0.0-255.255.255.255[External] => TCP 8080']);
    expect(rows({})).toEqual([]);
  });
});
