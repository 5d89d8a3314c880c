import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { istioAutoMtls, meshConfigMapRefs } from '../../../src/analysis/mesh/index.ts';
import { autoMtlsDisabled } from '../../../checks/mtls/auto-mtls-disabled.ts';
import { runChecks } from '../../../src/engine/run.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { ctxOf, deployment } from './helpers.ts';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';

const meshConfig = (mesh: string, namespace = 'istio-system') => `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: ${namespace}}
data:
  mesh: |
${mesh.split('\n').map((l) => `    ${l}`).join('\n')}
`;
const AUTO_OFF = meshConfig('enableAutoMtls: false');

function service(ns: string, name: string, ports: number[] = [9080], selector: Record<string, string> = { app: name }): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector, ports: ports.map((port) => ({ port })) } };
}
function dr(ns: string, name: string, host: string, trafficPolicy: unknown): KubeObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace: ns }, spec: { host, trafficPolicy } };
}
const ns = (name: string, labels: Record<string, string> = { 'istio-injection': 'enabled' }): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const mutual = { tls: { mode: 'ISTIO_MUTUAL' } };

/** shop (injected): reviews, ratings; legacy (not injected): old. */
function cluster(extra: KubeObject[] = [], mesh = AUTO_OFF, configure?: Parameters<typeof ctxOf>[1]) {
  return ctxOf(mesh, configure, [
    ns('shop'), ns('legacy', {}),
    deployment('shop', 'reviews'), deployment('shop', 'ratings'), deployment('legacy', 'old'),
    service('shop', 'reviews'), service('shop', 'ratings'), service('legacy', 'old'),
    ...extra,
  ]);
}

describe('mtls.auto-mtls-disabled', () => {
  it('auto mTLS off: fails for meshed services without an ISTIO_MUTUAL DestinationRule, ignoring unmeshed ones', () => {
    const [v] = [...autoMtlsDisabled.evaluate(cluster([dr('shop', 'reviews', 'reviews', mutual)]))];
    expect(v).toMatchObject({ status: 'fail', resource: { kind: 'ConfigMap', namespace: 'istio-system', name: 'istio' } });
    expect(v.evidence).toMatchObject({ enableAutoMtls: false, meshedServices: 2, servicesWithoutIstioMutual: 1 });
    expect(v.evidence!.services).toEqual(['shop/ratings from clients in shop: no DestinationRule for this host']);
    expect(v.message).toMatch(/plaintext to 1 of 2 meshed service/);
    expect(v.related).toEqual([{ kind: 'Service', namespace: 'shop', name: 'ratings' }]);
  });

  it('passes when enableAutoMtls is true or absent (ConfigMap, key or field missing)', () => {
    for (const mesh of [meshConfig('enableAutoMtls: true'), meshConfig('accessLogFile: /dev/stdout'), meshConfig(''), '']) {
      const [v] = [...autoMtlsDisabled.evaluate(cluster([], mesh))];
      expect(v.status, mesh).toBe('pass');
      expect(v.evidence).toMatchObject({ enableAutoMtls: true });
    }
  });

  it('passes with auto mTLS off when ISTIO_MUTUAL rules cover every meshed service', () => {
    const viaFqdn = [...autoMtlsDisabled.evaluate(cluster([dr('shop', 'reviews', 'reviews', mutual), dr('istio-system', 'ratings', 'ratings.shop.svc.cluster.local', mutual)]))];
    expect(viaFqdn[0]).toMatchObject({ status: 'pass', evidence: { meshedServices: 2, servicesWithoutIstioMutual: 0 } });
    const viaNamespaceWildcard = [...autoMtlsDisabled.evaluate(cluster([dr('shop', 'all', '*.shop.svc.cluster.local', mutual)]))];
    expect(viaNamespaceWildcard[0].status).toBe('pass');
  });

  it('follows Istio host resolution: name.ns is not expanded, the most specific host wins', () => {
    // "ratings.shop" is not qualified by Istio, so it governs nothing.
    const notExpanded = [...autoMtlsDisabled.evaluate(cluster([dr('shop', 'all', '*.shop.svc.cluster.local', { tls: { mode: 'DISABLE' } }), dr('shop', 'r', 'ratings.shop', mutual), dr('shop', 'rv', 'reviews', mutual)]))];
    expect(notExpanded[0].evidence!.services).toEqual(['shop/ratings from clients in shop: DestinationRule shop/all sets tls.mode DISABLE (picked from the client namespace shop)']);
    // An exact host without tls beats a mesh-wide ISTIO_MUTUAL wildcard.
    const exactWins = [...autoMtlsDisabled.evaluate(cluster([dr('istio-system', 'default', '*.local', mutual), dr('shop', 'ratings-lb', 'ratings', { loadBalancer: { simple: 'ROUND_ROBIN' } })]))];
    expect(exactWins[0].status).toBe('fail');
    expect(exactWins[0].evidence!.services).toEqual(['shop/ratings from clients in shop: DestinationRule shop/ratings-lb sets no tls mode (picked from the client namespace shop)']);
  });

  it('port-level settings: every Service port must end up ISTIO_MUTUAL', () => {
    const twoPorts = [deployment('shop', 'api'), service('shop', 'api', [80, 9090])];
    const allPorts = dr('shop', 'api', 'api', { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'ISTIO_MUTUAL' } }, { port: { number: 9090 }, tls: { mode: 'ISTIO_MUTUAL' } }] });
    const covered = [...autoMtlsDisabled.evaluate(cluster([...twoPorts, allPorts, dr('shop', 'all', '*', mutual)]))];
    expect(covered[0].status).toBe('pass');
    const oneDisabled = dr('shop', 'api', 'api', { tls: { mode: 'ISTIO_MUTUAL' }, portLevelSettings: [{ port: { number: 9090 }, tls: { mode: 'DISABLE' } }] });
    const v = [...autoMtlsDisabled.evaluate(cluster([...twoPorts, oneDisabled, dr('shop', 'all', '*', mutual)]))];
    expect(v[0].evidence!.services).toEqual(['shop/api from clients in shop: DestinationRule shop/api port 9090: sets tls.mode DISABLE (picked from the client namespace shop)']);
  });

  it('a workloadSelector rule governs only the sidecars it selects in its own namespace: the others keep the catch-all, or none', () => {
    // https://istio.io/latest/docs/reference/config/networking/destination-rule/ (workloadSelector:
    // applied only to the workloads it selects in the same namespace); istiod's
    // SidecarScope.DestinationRule (pilot/pkg/model/sidecar.go) falls back to the client namespace's
    // rule without a selector, and looks no further once that namespace has rules for the host.
    const web = [ns('web'), deployment('web', 'front')];
    const run = (extra: KubeObject[]) => [...autoMtlsDisabled.evaluate(cluster([...web, ...extra]))][0];
    const selecting = (n: string, name: string, host: string, trafficPolicy: unknown, app: string): KubeObject => ({ ...dr(n, name, host, trafficPolicy), spec: { host, trafficPolicy, workloadSelector: { matchLabels: { app } } } });
    const shopAll = dr('shop', 'shop-all', '*.shop.svc.cluster.local', mutual);
    // web's only rule for reviews selects front: web's other sidecars get no rule (and no mTLS with auto mTLS off).
    const narrow = run([shopAll, selecting('web', 'front-only', 'reviews.shop.svc.cluster.local', mutual, 'front')]);
    expect(narrow.status).toBe('fail');
    expect(narrow.evidence!.services).toEqual(['shop/reviews from clients in web: DestinationRule web/front-only (workloadSelector app=front) in the client namespace web applies to the workloads it selects only, and no rule there without a workloadSelector names this host']);
    // Beside a catch-all, the selector rule must hold too: it is what the sidecars it selects apply.
    const plainForFront = run([shopAll, dr('web', 'reviews', 'reviews.shop.svc.cluster.local', mutual), selecting('web', 'front-plain', 'reviews.shop.svc.cluster.local', { tls: { mode: 'DISABLE' } }, 'front')]);
    expect(plainForFront.evidence!.services).toEqual(['shop/reviews from clients in web: DestinationRule web/front-plain sets tls.mode DISABLE (picked from the client namespace web)']);
    // A selector rule of the Service's namespace never applies to web's sidecars: the catch-all covers them.
    const shopsOwn = run([shopAll, dr('web', 'all', '*.shop.svc.cluster.local', mutual), selecting('shop', 'old-plain', '*.shop.svc.cluster.local', { tls: { mode: 'DISABLE' } }, 'old')]);
    expect(shopsOwn.evidence!.services).toEqual([
      'shop/reviews from clients in shop: DestinationRule shop/old-plain sets tls.mode DISABLE (picked from the client namespace shop)',
      'shop/ratings from clients in shop: DestinationRule shop/old-plain sets tls.mode DISABLE (picked from the client namespace shop)',
    ]);
  });

  it('judges each client namespace by the DestinationRule its sidecar is given: client namespace, then the service namespace, then the root, honouring exportTo', () => {
    // https://istio.io/latest/docs/ops/best-practices/traffic-management/ (cross-namespace
    // configuration): a client's DestinationRule is looked up in its own namespace first, then in
    // the service's namespace, then in the root namespace, among the rules exported to the client.
    const web = [ns('web'), deployment('web', 'front')];
    const exactMutual = (exportTo?: string[]): KubeObject => ({ ...dr('shop', 'shop-all', '*.shop.svc.cluster.local', mutual), spec: { host: '*.shop.svc.cluster.local', trafficPolicy: mutual, ...(exportTo ? { exportTo } : {}) } });
    const run = (extra: KubeObject[]) => [...autoMtlsDisabled.evaluate(cluster([...web, ...extra]))][0];

    expect(run([exactMutual()])).toMatchObject({ status: 'pass' });
    // (a) A web rule over *.cluster.local without tls shadows the shop rule for web's clients.
    const shadowed = run([exactMutual(), dr('web', 'pool', '*.cluster.local', { connectionPool: { tcp: { maxConnections: 100 } } })]);
    expect(shadowed.status).toBe('fail');
    expect(shadowed.evidence!.services).toEqual([
      'shop/reviews from clients in web: DestinationRule web/pool sets no tls mode (picked from the client namespace web)',
      'shop/ratings from clients in web: DestinationRule web/pool sets no tls mode (picked from the client namespace web)',
    ]);
    expect(shadowed.message).toMatch(/shop\/reviews from clients in web/);
    // (b) A rule exported only to its own namespace leaves web's clients without one.
    const hidden = run([exactMutual(['.'])]);
    expect(hidden.status).toBe('fail');
    expect(hidden.evidence!.services).toContain('shop/reviews from clients in web: DestinationRule shop/shop-all (exportTo .) is not exported to web');
    // Exported to web by name, it covers web too.
    expect(run([exactMutual(['.', 'web'])])).toMatchObject({ status: 'pass' });
    // A root-namespace rule is the last resort, and only for the namespaces it is exported to.
    expect(run([dr('istio-system', 'default', '*.local', mutual)])).toMatchObject({ status: 'pass' });
    const rootForShop = run([{ ...dr('istio-system', 'default', '*.local', mutual), spec: { host: '*.local', trafficPolicy: mutual, exportTo: ['shop'] } }]);
    expect(rootForShop.evidence!.services).toContain('shop/reviews from clients in web: DestinationRule istio-system/default (exportTo shop) is not exported to web');
    // A rule in an unrelated namespace governs only that namespace's clients.
    const elsewhere = run([dr('other', 'reviews', 'reviews.shop.svc.cluster.local', mutual), dr('other', 'ratings', 'ratings.shop.svc.cluster.local', mutual)]);
    expect(elsewhere.evidence).toMatchObject({ servicesWithoutIstioMutual: 2 });
  });

  it('lists at most 20 services but counts them all', () => {
    const extra: KubeObject[] = [];
    for (let i = 0; i < 25; i++) extra.push(deployment('shop', `svc${i}`), service('shop', `svc${i}`));
    const [v] = [...autoMtlsDisabled.evaluate(cluster(extra))];
    expect(v.evidence).toMatchObject({ meshedServices: 27, servicesWithoutIstioMutual: 27 });
    expect(v.evidence!.services).toHaveLength(20);
  });

  it('reads the mesh config from the configured root namespace', () => {
    const ctx = cluster([], meshConfig('enableAutoMtls: false', 'mesh-root'), (c) => { c.mesh.istioRootNamespace = 'mesh-root'; });
    expect([...autoMtlsDisabled.evaluate(ctx)][0]).toMatchObject({ status: 'fail', resource: { namespace: 'mesh-root' } });
    expect(meshConfigMapRefs(ctx.config)).toContainEqual({ namespace: 'mesh-root', name: 'istio' });
  });

  // istiod reads the mesh key with protomarshal.ApplyYAML, which is sigs.k8s.io/yaml's YAMLToJSON
  // (istio/istio pkg/util/protomarshal, pkg/config/mesh): YAML 1.1, so `no` and `off` are false
  // (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-enable_auto_mtls).
  it('reads enableAutoMtls as istiod does (YAML 1.1): `no` is off, and the check fails as for `false`', () => {
    const [v] = [...autoMtlsDisabled.evaluate(cluster([dr('shop', 'reviews', 'reviews', mutual)], meshConfig('enableAutoMtls: no')))];
    expect(v).toMatchObject({ status: 'fail', resource: { kind: 'ConfigMap', namespace: 'istio-system', name: 'istio' } });
    expect(v.evidence).toMatchObject({ enableAutoMtls: false, servicesWithoutIstioMutual: 1 });
  });

  it('agrees with sigs.k8s.io/yaml on every scalar of the kube-yaml conformance set (what YAMLToJSON made of `v: …`)', () => {
    const cases = readFileSync(new URL('../../conformance/kube-yaml/cases.jsonl', import.meta.url), 'utf8').trim().split('\n')
      .map((l) => JSON.parse(l) as { yaml: string; json: { v?: unknown } })
      .filter((c) => c.yaml.startsWith('v: ') && !c.yaml.slice(3).includes('\n  ') && 'v' in c.json);
    expect(cases.length).toBeGreaterThan(100);
    let booleans = 0;
    for (const c of cases) {
      const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh: `enableAutoMtls:${c.yaml.slice(2)}` } };
      const got = istioAutoMtls([cm], 'istio-system');
      const want = c.json.v;
      if (typeof want === 'boolean') booleans++;
      // null: not set, Istio's default (on); anything but a boolean: istiod rejects the mesh config.
      expect(got.enabled, c.yaml).toBe(want === null ? true : typeof want === 'boolean' ? want : undefined);
    }
    expect(booleans).toBeGreaterThanOrEqual(20);
  });

  it('an unreadable mesh config is a finding, not a crash or a pass', () => {
    for (const [mesh, why] of [['enableAutoMtls: [unclosed', /not valid YAML/], ['enableAutoMtls: "false"', /not a boolean/], ['- a list', /not a YAML mapping/]] as const) {
      const [v] = [...autoMtlsDisabled.evaluate(cluster([], meshConfig(mesh)))];
      expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
      expect(v.message).toMatch(why);
    }
    expect(istioAutoMtls([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, data: 'junk' } as unknown as KubeObject], 'istio-system').enabled).toBe(true);
  });

  it('is not applicable without Istio and not evaluated (never passes) when DestinationRules cannot be read', () => {
    const noIstio = ctxOf(AUTO_OFF, undefined, [deployment('shop', 'web'), service('shop', 'web')]);
    expect(runChecks([autoMtlsDisabled], noIstio)[0].status).toBe('not-applicable');
    const ctx = cluster();
    ctx.snapshot.coverage['istio.destinationrules'] = { status: 'forbidden', detail: 'list destinationrules.networking.istio.io' };
    const [o] = runChecks([autoMtlsDisabled], ctx);
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toBe('needs istio.destinationrules: forbidden (list destinationrules.networking.istio.io)');
  });

  it('answers at scale (time is measured by npm run bench): 20,000 meshed services in 2,000 namespaces', () => {
    const objs: KubeObject[] = [];
    for (let n = 0; n < 2000; n++) {
      objs.push(ns(`ns${n}`));
      for (let w = 0; w < 10; w++) objs.push(deployment(`ns${n}`, `w${w}`, { labels: { tier: 'backend' } }), service(`ns${n}`, `w${w}`, [80], { tier: 'backend', app: `w${w}` }));
      if (n % 2) objs.push(dr(`ns${n}`, 'all', `*.ns${n}.svc.cluster.local`, mutual));
    }
    const ctx = ctxOf(AUTO_OFF, undefined, objs);
    const [v] = [...autoMtlsDisabled.evaluate(ctx)];
    expect(v.evidence).toMatchObject({ meshedServices: 20000, servicesWithoutIstioMutual: 10000 });
  });
});

// Each revision's istiod reads its own mesh config, ConfigMap "istio-" + revision
// (istio/istio pilot/pkg/bootstrap/mesh.go getMeshConfigMapName;
// https://istio.io/latest/docs/setup/upgrade/canary/), and a caller's sidecar follows its own istiod.
describe('mtls.auto-mtls-disabled per Istio revision and dataplane', () => {
  const canaryOff = `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio-canary, namespace: istio-system}
data:
  mesh: |
    enableAutoMtls: false
`;
  const web = { kind: 'Deployment', namespace: 'shop', name: 'web' };
  const api = { kind: 'Deployment', namespace: 'shop', name: 'api' };
  const shopOn = (labels: Record<string, string>, mesh: string) => ctxOf(mesh, undefined, [ns('shop', labels), deployment('shop', 'api', { ports: [8080] }), deployment('shop', 'web'), { ...service('shop', 'api', [80]), spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080 }] } }]);

  it('a revisioned client follows istio-<rev>: the check fails on ConfigMap istio-canary and reach judges the call plaintext; the default revision\'s clients still follow istio', () => {
    const ctx = shopOn({ 'istio.io/rev': 'canary' }, canaryOff);
    const v = [...autoMtlsDisabled.evaluate(ctx)];
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ status: 'fail', resource: { kind: 'ConfigMap', namespace: 'istio-system', name: 'istio-canary' }, evidence: { revision: 'canary', clientNamespaces: ['shop'] } });
    expect(v[0].message).toContain('ConfigMap istio-system/istio-canary mesh.enableAutoMtls');
    const call = meshFlowVerdict(ctx.snapshot, ctx.config, web, api, 8080, 'TCP');
    expect(call.reason).toContain('auto mTLS is off (ConfigMap istio-system/istio-canary mesh.enableAutoMtls)');
    // The same namespace on the default revision: istio-canary is not its mesh config.
    const dflt = shopOn({ 'istio-injection': 'enabled' }, canaryOff);
    expect([...autoMtlsDisabled.evaluate(dflt)]).toMatchObject([{ status: 'pass', resource: { name: 'istio' } }]);
    expect(meshFlowVerdict(dflt.snapshot, dflt.config, web, api, 8080, 'TCP').reason).not.toContain('auto mTLS is off');
  });

  it('an unread istio-<rev> of a revision in use leaves the check not evaluated, naming it, even with istio read', () => {
    const ctx = shopOn({ 'istio.io/rev': 'canary' }, meshConfig('enableAutoMtls: true'));
    ctx.snapshot.coverage.configmaps = { status: 'forbidden' };
    const [outcome] = runChecks([autoMtlsDisabled], ctx);
    expect(outcome.status).toBe('not-evaluated');
    expect(outcome.reason).toContain('istio-system/istio-canary');
    // The same snapshot with the revision's ConfigMap read is judged.
    const read = shopOn({ 'istio.io/rev': 'canary' }, `${meshConfig('enableAutoMtls: true')}---${canaryOff}`);
    read.snapshot.coverage.configmaps = { status: 'forbidden' };
    expect(runChecks([autoMtlsDisabled], read)[0].status).toBe('fail');
  });

  // A tag is an injection alias: webhook istio-revision-tag-<tag>, labelled istio.io/rev=<revision>
  // (https://istio.io/latest/docs/setup/upgrade/canary/, "Stable revision labels"); istiod reads
  // istio-<revision>, and there is no istio-<tag>.
  const tagHook = (tag: string, revision: string) => `
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: istio-revision-tag-${tag}
  labels: {istio.io/rev: ${revision}, istio.io/tag: ${tag}}
webhooks: []
`;

  it('a tag in istio.io/rev is read as the revision its webhook points at: with only istio-canary readable (the chart grants revisions by name), the check is judged and fails on it', () => {
    const ctx = shopOn({ 'istio.io/rev': 'prod-stable' }, `${meshConfig('enableAutoMtls: true')}---${canaryOff}${tagHook('prod-stable', 'canary')}`);
    ctx.snapshot.coverage.configmaps = { status: 'forbidden', detail: 'get configmaps (denied for istio-system/istio-prod-stable)' };
    const [outcome] = runChecks([autoMtlsDisabled], ctx);
    expect(outcome.status).toBe('fail');
    expect(outcome.results[0]).toMatchObject({ status: 'fail', resource: { name: 'istio-canary' }, evidence: { revision: 'canary' } });
  });

  it('a tag no webhook names is read as the default revision, and the finding names it', () => {
    const ctx = shopOn({ 'istio.io/rev': 'prod-stable' }, `${AUTO_OFF}---${canaryOff}${tagHook('other', 'canary')}`);
    const [v] = [...autoMtlsDisabled.evaluate(ctx)];
    expect(v).toMatchObject({ status: 'fail', resource: { name: 'istio' }, evidence: { revision: 'default', unresolvedRevisionLabels: ['prod-stable'] } });
    expect(v.message).toContain('istio.io/rev prod-stable names no revision or tag found');
  });

  it('ambient workloads are no clients auto mTLS governs (their calls leave through ztunnel): an ambient-only mesh passes, a mixed one names only the sidecar namespace', () => {
    const amb = shopOn({ 'istio.io/dataplane-mode': 'ambient' }, AUTO_OFF);
    const [only] = [...autoMtlsDisabled.evaluate(amb)];
    expect(only).toMatchObject({ status: 'pass', evidence: { sidecarClients: 0, ambientWorkloads: 2 } });
    expect(only.message).toContain('ambient workload(s) send through ztunnel');
    const mixed = ctxOf(AUTO_OFF, undefined, [ns('shop'), ns('amb', { 'istio.io/dataplane-mode': 'ambient' }), deployment('shop', 'reviews'), deployment('amb', 'batch'), service('shop', 'reviews')]);
    const [v] = [...autoMtlsDisabled.evaluate(mixed)];
    expect(v).toMatchObject({ status: 'fail', evidence: { clientNamespaces: ['shop'], ambientWorkloadsNotJudged: 1 } });
    expect(v.message).toContain('shop/reviews from clients in shop');
    expect(v.message).not.toContain('amb');
  });
});
