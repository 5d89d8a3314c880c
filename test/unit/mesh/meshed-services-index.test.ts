import { describe, expect, it } from 'vitest';
import { istioMeshedServices, meshModel, type WorkloadMesh } from '../../../src/analysis/mesh/index.ts';
import { selectorMatches } from '../../../src/analysis/mesh/istio.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { ctxOf, deployment } from './helpers.ts';

// istioMeshedServices finds a Service's backends through an index of workloads by namespace and
// label pair; these are the answers of the plain scan it stands for (every workload of the
// Service's namespace whose labels its selector matches, as inMeshHost reads a Service).
const ns = (name: string, labels: Record<string, string> = { 'istio-injection': 'enabled' }): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const service = (namespace: string, name: string, selector: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ...(selector ? { selector } : {}), ports: [{ port: 80 }, { port: 'http' }], ...extra } });

function scan(ctx: ReturnType<typeof ctxOf>, include: (w: WorkloadMesh) => boolean = () => true) {
  const m = meshModel(ctx.snapshot, ctx.config);
  return (ctx.snapshot.resources.services ?? []).flatMap((svc) => {
    const spec = svc.spec as { type?: string; selector?: Record<string, unknown> };
    const selector = Object.fromEntries(Object.entries(spec.selector ?? {}).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    if (spec.type === 'ExternalName' || Object.keys(selector).length === 0) return [];
    const namespace = svc.metadata!.namespace!;
    const meshed = (m.workloadsByNamespace.get(namespace) ?? []).filter((w) => w.mesh === 'istio' && include(w) && selectorMatches(selector, w.labels)).length;
    return meshed === 0 ? [] : [`${namespace}/${svc.metadata!.name}: ${meshed}`];
  });
}

describe('istioMeshedServices: the label-pair index answers as a scan of the namespace', () => {
  const ctx = ctxOf('', undefined, [
    ns('shop'), ns('other'), ns('legacy', {}),
    deployment('shop', 'api', { labels: { tier: 'web', track: '' } }),
    deployment('shop', 'api-canary', { labels: { tier: 'web', track: 'canary' } }),
    deployment('shop', 'odd', { labels: { 'a=b': 'c' } }),
    deployment('other', 'api', { labels: { tier: 'web' } }),
    deployment('other', 'worker', { labels: { role: 'batch' } }),
    deployment('legacy', 'old', { labels: { tier: 'web' } }),
    // Selectors: one pair shared by two workloads; two pairs where only one matches; a pair
    // found only in another namespace (meshed there or not); an empty value; pairs whose joined text would be equal
    // (a=b=c); a pair no workload has; unmeshed backends only; a non-string value (dropped);
    // ExternalName and selector-less Services (backends unknown: left out).
    service('shop', 'web', { tier: 'web' }),
    service('shop', 'canary', { tier: 'web', track: 'canary' }),
    service('shop', 'mismatch', { tier: 'web', track: 'beta' }),
    service('shop', 'elsewhere', { app: 'old' }),
    service('shop', 'batch', { role: 'batch' }),
    service('shop', 'blank', { track: '' }),
    service('shop', 'joined', { a: 'b=c' }),
    service('shop', 'joined-exact', { 'a=b': 'c' }),
    service('shop', 'nothing', { app: 'missing' }),
    service('legacy', 'old', { app: 'old' }),
    service('other', 'api', { app: 'api', replicas: 3 }),
    service('shop', 'external', { app: 'api' }, { type: 'ExternalName', externalName: 'example.com' }),
    service('shop', 'manual', undefined),
  ]);
  const found = (include?: (w: WorkloadMesh) => boolean) => istioMeshedServices(ctx.snapshot, meshModel(ctx.snapshot, ctx.config), include).map((s) => `${s.namespace}/${s.name}: ${s.meshedBackends}`);

  it('counts the same meshed backends per Service as the scan, in the Services\' order', () => {
    expect(found()).toEqual(scan(ctx));
    expect(found()).toEqual(['shop/web: 2', 'shop/canary: 1', 'shop/blank: 1', 'shop/joined-exact: 1', 'other/api: 1']);
  });

  it('leaves out the workloads `include` rejects, as the scan does', () => {
    const notCanary = (w: WorkloadMesh) => w.workload.ref.name !== 'api-canary';
    expect(found(notCanary)).toEqual(scan(ctx, notCanary));
    expect(found(notCanary)).toEqual(['shop/web: 1', 'shop/blank: 1', 'shop/joined-exact: 1', 'other/api: 1']);
  });

  it('keeps only the integer ports of a Service', () => {
    const [web] = istioMeshedServices(ctx.snapshot, meshModel(ctx.snapshot, ctx.config));
    expect(web).toMatchObject({ ref: { kind: 'Service', namespace: 'shop', name: 'web' }, ports: [80] });
  });
});
