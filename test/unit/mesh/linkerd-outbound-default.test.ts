// Without config.linkerd.io/skip-outbound-ports, a Linkerd-meshed caller's linkerd-init still
// skips the install's proxyInit.ignoreOutboundPorts: a call to such a port leaves around the
// caller's proxy, without mTLS, and arrives at a meshed callee with no mesh identity.
//
// Upstream (linkerd2, stable-2.14.10 and edge-26.8.3):
// - charts/linkerd-control-plane/values.yaml: proxyInit.ignoreOutboundPorts "4567,4568".
// - charts/partials/templates/_proxy-init.tpl: linkerd-init gets --outbound-ports-to-ignore
//   {{proxyInit.ignoreOutboundPorts}}; pkg/inject/inject.go: the skip-outbound-ports annotation
//   replaces it (even empty).
// - charts/linkerd-control-plane/templates/config.yaml: linkerd-config's `values` hold it, and the
//   injector renders linkerd-init from them (controller/proxy-injector/webhook.go config.Values).
// - charts/linkerd2-cni/values.yaml ignoreOutboundPorts "": the CNI plugin never reads proxyInit's.
// - A Server with accessPolicy all-authenticated admits only clients with a mesh identity
//   (policy.linkerd.io Server v1beta3 accessPolicy).
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { linkerdSkipPorts } from '../../../checks/mtls/linkerd-skip-ports.ts';
import { ctxOf, run } from './helpers.ts';

const linkerdConfig = (values: string) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: |
${values.split('\n').map((l) => `    ${l}`).join('\n')}
---`;
// galera (declares 3306 and 4567) admits meshed clients only; web calls it.
const scene = (prefix = "", webAnnotations = "{}") => `${prefix}
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: all-authenticated}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: galera, namespace: shop}
spec:
  selector: {matchLabels: {app: galera}}
  template:
    metadata: {labels: {app: galera}, annotations: {config.linkerd.io/skip-inbound-ports: ""}}
    spec:
      containers: [{name: galera, image: example/galera:1, ports: [{containerPort: 3306}, {containerPort: 4567}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}, annotations: ${webAnnotations}}
    spec:
      containers: [{name: web, image: example/web:1}]
`;
const web = { kind: 'Deployment', namespace: 'shop', name: 'web' };
const galera = { kind: 'Deployment', namespace: 'shop', name: 'galera' };
const reach = (y: string, port: number) => { const c = ctxOf(y); return meshFlowVerdict(c.snapshot, c.config, web, galera, port, 'TCP'); };
const installed = (outbound: string) => scene(linkerdConfig(`proxyInit:\n  ignoreInboundPorts: ""\n  ignoreOutboundPorts: ${JSON.stringify(outbound)}`));

describe("Linkerd's proxyInit.ignoreOutboundPorts without skip-outbound-ports", () => {
  it('installed "4567,4568": a call to 4567 leaves around the caller\'s proxy, plaintext, and all-authenticated refuses it', () => {
    const v = reach(installed('4567,4568'), 4567);
    expect(v).toMatchObject({ verdict: 'denied', plaintext: true });
    expect(v.reason).toContain("shop/web sends port 4567 around its own linkerd proxy (proxyInit.ignoreOutboundPorts 4567,4568, installed (ConfigMap linkerd/linkerd-config)");
    // 3306 is not in the list: through the proxy, with mTLS.
    expect(reach(installed('4567,4568'), 3306)).toMatchObject({ verdict: 'allowed', plaintext: false });
  });

  it('installed empty: nothing leaves around the proxy', () => {
    expect(reach(installed(''), 4567)).toMatchObject({ verdict: 'allowed', plaintext: false });
  });

  it('not read (no linkerd-config): the chart default 4567,4568 is assumed and the answer is unknown when it decides', () => {
    const v = reach(scene(), 4567);
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toContain('depends on the installed proxyInit.ignoreOutboundPorts');
    expect(v.reason).toContain('default assumed');
  });

  it('the caller\'s skip-outbound-ports annotation, even empty, replaces the default', () => {
    expect(reach(scene('', '{config.linkerd.io/skip-outbound-ports: ""}'), 4567)).toMatchObject({ verdict: 'allowed', plaintext: false });
  });

  it('a port the callee does not declare is not judged by the default (nothing shows a listener)', () => {
    const y = installed('4567,4568');
    expect(reach(y, 4568).reason).not.toContain('around its own linkerd proxy');
  });

  it('under the Linkerd CNI plugin the default does not apply (cniEnabled: true)', () => {
    const y = scene(linkerdConfig('cniEnabled: true\nproxyInit:\n  ignoreOutboundPorts: "4567,4568"'));
    expect(reach(y, 4567)).toMatchObject({ verdict: 'allowed', plaintext: false });
  });
});

describe('mtls.linkerd-skip-ports: the outbound default, where a meshed workload listens on its ports', () => {
  const web = (y: string) => run(linkerdSkipPorts, ctxOf(y)).find((v) => v.resource.name === 'web')!;

  it('installed "4567,4568" and galera listening on 4567: web fails, naming the installed value and the listener', () => {
    const v = web(installed('4567,4568'));
    expect(v.status).toBe('fail');
    expect(v.evidence?.outbound).toEqual({ ports: ['4567'], source: "proxyInit.ignoreOutboundPorts 4567,4568, installed (ConfigMap linkerd/linkerd-config): no config.linkerd.io/skip-outbound-ports annotation; Deployment shop/galera receives 4567 through its linkerd-proxy (no inbound skip of its own covers it), so a call to it around this caller's proxy loses mTLS it would otherwise get", installedDefault: true });
    expect(v.message).toContain('outbound 4567 bypass the linkerd-proxy');
  });

  it('not read: fails saying the default is assumed', () => {
    expect(web(scene()).evidence?.outbound).toMatchObject({ ports: ['4567'], assumedDefault: true, source: expect.stringContaining("Linkerd's default proxyInit.ignoreOutboundPorts 4567,4568, default assumed") });
  });

  it('passes when the installed value is empty, when no meshed workload listens on its ports, or with the annotation', () => {
    expect(web(installed('')).status).toBe('pass');
    expect(web(installed('4567,4568').replace(', {containerPort: 4567}', '')).status).toBe('pass');
    expect(web(scene('', '{config.linkerd.io/skip-outbound-ports: ""}')).status).toBe('pass');
  });
});

// A listener that skips the port inbound itself receives it in plaintext whatever the caller does:
// the caller's outbound skip loses nothing there, and the listener's own inbound skip is the finding.
// Upstream (linkerd2 stable-2.14.10): charts/linkerd-control-plane/values.yaml proxyInit.ignoreInboundPorts
// "4567,4568" next to ignoreOutboundPorts "4567,4568" (both Galera); charts/partials/templates/_proxy-init.tpl
// gives linkerd-init --inbound-ports-to-ignore and --outbound-ports-to-ignore from them; the
// skip-inbound-ports annotation replaces the inbound list (pkg/inject/inject.go).
describe('the outbound default counts only listeners that receive the port through their proxy', () => {
  const both = (inbound: string) => linkerdConfig(`proxyInit:\n  ignoreInboundPorts: ${JSON.stringify(inbound)}\n  ignoreOutboundPorts: "4567,4568"`);
  // galera without its skip-inbound-ports "" annotation: the install's ignoreInboundPorts applies to it.
  const galeraDefault = (prefix: string) => scene(prefix).replace(', annotations: {config.linkerd.io/skip-inbound-ports: ""}', '');
  const verdicts = (y: string) => run(linkerdSkipPorts, ctxOf(y));
  const galera2 = (name: string, annotations: string) => `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}, annotations: ${annotations}}
    spec:
      containers: [{name: galera, image: example/galera:1, ports: [{containerPort: 4567}]}]
`;

  it('installed ignoreInboundPorts "4567,4568" covers galera\'s 4567: web passes, galera fails for its inbound skip only, and reach says it once', () => {
    const y = galeraDefault(both('4567,4568'));
    const vs = verdicts(y);
    expect(vs.find((v) => v.resource.name === 'web')!.status).toBe('pass');
    const g = vs.find((v) => v.resource.name === 'galera')!;
    expect(g.status).toBe('fail');
    expect(g.message).toContain('inbound 4567 bypass the linkerd-proxy');
    const r = reach(y, 4567);
    expect(r).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(r.reason).not.toContain('around its own linkerd proxy');
    expect(r.reason).toContain('proxyInit.ignoreInboundPorts 4567,4568, installed');
  });

  it('the default assumed for both (no linkerd-config): galera skips 4567 inbound by it, so web is not failed for 4567', () => {
    const vs = verdicts(galeraDefault(''));
    expect(vs.find((v) => v.resource.name === 'web')!.status).toBe('pass');
    expect(vs.find((v) => v.resource.name === 'galera')!.evidence?.inbound).toMatchObject({ ports: ['4567'], assumedDefault: true });
    expect(reach(galeraDefault(''), 4567).reason).not.toContain('around its own linkerd proxy');
  });

  it('installed ignoreInboundPorts "": galera receives 4567 through its proxy, so web fails naming it', () => {
    const y = galeraDefault(both(''));
    expect(verdicts(y).find((v) => v.resource.name === 'web')!.evidence?.outbound).toMatchObject({ ports: ['4567'], source: expect.stringContaining('Deployment shop/galera receives 4567 through its linkerd-proxy') });
    expect(reach(y, 4567)).toMatchObject({ verdict: 'denied', plaintext: true });
  });

  it('one listener skipping 4567 and others not: the finding names one that receives it through its proxy, and counts the rest', () => {
    const y = galeraDefault(both('4567,4568')) + galera2('galera-b', '{config.linkerd.io/skip-inbound-ports: "3306"}') + galera2('galera-c', '{config.linkerd.io/skip-inbound-ports: ""}');
    const web = verdicts(y).find((v) => v.resource.name === 'web')!;
    expect(web.status).toBe('fail');
    const source = (web.evidence?.outbound as { source: string }).source;
    expect(source).toContain('Deployment shop/galera-b and 1 other meshed workload receive 4567 through their linkerd-proxy');
    expect(source).not.toContain('shop/galera receives');
  });
});
