// EndpointSlices are collected only where the built-in EndpointSlice controller does not manage
// them: it labels its own endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io
// (https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/#management), one or
// more per Service with a selector, so a cluster's snapshot does not grow by every pod's slice.
// The list of `ztaudit run` and the list and watch of `serve --watch` all send the selector
// (a set-based `!=`, https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#set-based-requirement).
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { collectLive } from '../../../src/collect/live.ts';
import { ClusterWatch } from '../../../src/collect/watch.ts';
import { kubeconfigFor } from '../../helpers/local-api-server.ts';

const SLICES = '/apis/discovery.k8s.io/v1/endpointslices';
const SELECTOR = 'endpointslice.kubernetes.io/managed-by!=endpointslice-controller.k8s.io';
const MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';

const slices = [
  { metadata: { name: 'web-x7k2p', namespace: 'shop', resourceVersion: '5', labels: { 'kubernetes.io/service-name': 'web', [MANAGED_BY]: 'endpointslice-controller.k8s.io' } }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.7'] }] },
  { metadata: { name: 'legacy-db-1', namespace: 'shop', resourceVersion: '5', labels: { 'kubernetes.io/service-name': 'legacy-db' } }, addressType: 'IPv4', endpoints: [{ addresses: ['203.0.113.10'] }] },
  { metadata: { name: 'mirrored-1', namespace: 'shop', resourceVersion: '5', labels: { 'kubernetes.io/service-name': 'mirrored', [MANAGED_BY]: 'endpointslicemirroring-controller.k8s.io' } }, addressType: 'IPv4', endpoints: [{ addresses: ['203.0.113.20'] }] },
];

/**
 * Serves /version, discovery with discovery.k8s.io/v1 and an empty list of every other kind; an
 * EndpointSlice list applies the one selector it is sent as the API server would; watches stay open.
 */
async function standIn(seen: string[]): Promise<{ kubeconfig: string; server: http.Server }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === SLICES) seen.push(`${url.searchParams.has('watch') ? 'watch' : 'list'} ${url.searchParams.get('labelSelector') ?? '(no selector)'}`);
    if (url.pathname === '/version') return json(200, { gitVersion: 'v1.31.0' });
    if (url.pathname === '/apis') return json(200, { kind: 'APIGroupList', groups: [{ name: 'discovery.k8s.io', versions: [{ groupVersion: 'discovery.k8s.io/v1', version: 'v1' }], preferredVersion: { version: 'v1' } }] });
    if (url.pathname === '/apis/discovery.k8s.io/v1') return json(200, { kind: 'APIResourceList', resources: [{ name: 'endpointslices', namespaced: true, kind: 'EndpointSlice', verbs: ['list', 'watch'] }] });
    if (url.pathname === '/api/v1') return json(200, { kind: 'APIResourceList', resources: [] });
    if (url.searchParams.has('watch')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      return;
    }
    if (url.pathname === SLICES) {
      const selector = url.searchParams.get('labelSelector');
      const items = selector === SELECTOR ? slices.filter((s) => s.metadata.labels[MANAGED_BY] !== 'endpointslice-controller.k8s.io') : slices;
      return json(200, { kind: 'EndpointSliceList', metadata: { resourceVersion: '5' }, items });
    }
    return json(200, { kind: 'List', metadata: { resourceVersion: '5' }, items: [] });
  });
  return { kubeconfig: await kubeconfigFor(server), server };
}

describe('EndpointSlices the built-in controller manages are never fetched', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  it('ztaudit run: the list sends the selector, and the snapshot holds the hand-written and mirrored slices only', async () => {
    const seen: string[] = [];
    const stand = await standIn(seen);
    cleanup.push(async () => { stand.server.closeAllConnections(); await new Promise<void>((r) => stand.server.close(() => r())); });
    const snapshot = await collectLive({ kubeconfigPath: stand.kubeconfig, env: {}, retries: 0 });
    expect(seen).toEqual([`list ${SELECTOR}`]);
    expect(snapshot.coverage.endpointslices).toEqual({ status: 'ok', count: 2 });
    expect(snapshot.resources.endpointslices?.map((s) => s.metadata?.name)).toEqual(['legacy-db-1', 'mirrored-1']);
  });

  it('serve --watch: the list and the watch send the same selector', async () => {
    const seen: string[] = [];
    const stand = await standIn(seen);
    const watch = new ClusterWatch({ kubeconfigPath: stand.kubeconfig, env: {} });
    cleanup.push(async () => {
      await watch.stop();
      stand.server.closeAllConnections();
      await new Promise<void>((r) => stand.server.close(() => r()));
    });
    await watch.start();
    expect(watch.snapshot().resources.endpointslices?.map((s) => s.metadata?.name)).toEqual(['legacy-db-1', 'mirrored-1']);
    for (let i = 0; i < 200 && !seen.some((s) => s.startsWith('watch')); i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([`list ${SELECTOR}`, `watch ${SELECTOR}`]);
  });
});
