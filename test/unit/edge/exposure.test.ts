// Exposure from the routes: Ingress, Gateway API, Istio, Traefik and Contour paths down to the
// backend pods, counted only where the edge controller's pods may connect under NetworkPolicy.
// The Gateway API cases follow the spec's attachment rules, cited per case:
//   allowedRoutes.namespaces (Same by default, All, Selector):
//     https://docs.rs/gateway-api/latest/gateway_api/apis/standard/gateways/struct.GatewayListenersAllowedRoutesNamespaces.html
//   cross-namespace backendRefs need a ReferenceGrant in the target namespace ("Without a
//     ReferenceGrant, a cross namespace reference is invalid"):
//     https://gateway-api.sigs.k8s.io/api-types/referencegrant
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { exposureNotes, networkExposure } from '../../../src/analysis/netpol/exposure.ts';
import { buildReachability, queryReach } from '../../../src/analysis/netpol/index.ts';
import { exposedWorkload } from '../../../checks/network/exposed-workload.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runDetails, runNotes } from '../../../src/analysis/details.ts';
import { buildView } from '../../../src/report/view/index.ts';
import { demoRun } from '../report/demo.ts';
import { workloadYaml } from '../../helpers/workload.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function snap(yaml: string) {
  const { objects } = parseManifestText(yaml, 'test.yaml');
  return snapshotFromObjects(objects, { clusterVersion: 'v1.36.3' });
}

const ns = (name: string, labels = '{}') => `---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}, labels: ${labels}}\n`;
const deploy = (namespace: string, name: string, labels: Record<string, string>) =>
  `---\n${workloadYaml(namespace, name, { selector: labels, labels, container: { name: 'c', image: 'app:1' }, ports: [{ name: 'http', containerPort: 8080 }] })}`;
const service = (namespace: string, name: string, selector: string, port = 80) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec: {selector: ${selector}, ports: [{name: http, port: ${port}, targetPort: http}]}
`;
const nginx = ns('ingress-nginx') + `---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
  template:
    metadata: {labels: {app.kubernetes.io/name: ingress-nginx}}
    spec: {containers: [{name: controller, image: "registry.k8s.io/ingress-nginx/controller:v1.15.1", args: [/nginx-ingress-controller, --ingress-class=nginx]}]}
`;
const ingress = (namespace: string, name: string, host: string, svc: string) => `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  ingressClassName: nginx
  rules: [{host: ${host}, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: ${svc}, port: {number: 80}}}}]}}]
`;
const app = ns('shop') + deploy('shop', 'web', { app: 'web' }) + service('shop', 'web', '{app: web}') + deploy('shop', 'api', { app: 'api' }) + service('shop', 'api', '{app: api}');
const onlyFromIngressNginx = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-edge, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-from-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
`;

const external = (yaml: string, name: string) => networkExposure(snap(yaml)).find((w) => w.workload.name === name)?.external ?? [];

describe('Ingress → Service → pods, judged from the ingress controller', () => {
  const yaml = nginx + app + ingress('shop', 'front', 'shop.example.com', 'web') + ingress('shop', 'api', 'api.example.com', 'api') + onlyFromIngressNginx;

  it('a backend the controller cannot reach (NetworkPolicy) is not exposed, and reach agrees', () => {
    const s = snap(yaml);
    expect(external(yaml, 'api')).toEqual([expect.objectContaining({ via: 'Ingress', allowedByPolicy: false, route: 'api.example.com/ → Ingress shop/api → Service shop/api:80' })]);
    expect(queryReach(buildReachability(s), 'ingress-nginx/ingress-nginx-controller', 'shop/api', 8080).allowed).toBe(false);
    const v = [...exposedWorkload.evaluate({ snapshot: s, config: defaultConfig(), now: new Date() })];
    expect(v.find((x) => x.resource.name === 'api')).toMatchObject({ status: 'pass' });
  });

  it('a hostNetwork backend is exposed though its NetworkPolicy would refuse the controller', () => {
    // kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-and-hostnetwork-pods:
    // enforcement on hostNetwork pods is undefined and most plugins ignore them, so api-from-web vouches for nothing.
    const api = `---\n${workloadYaml('shop', 'api', { selector: { app: 'api' }, labels: { app: 'api' }, hostNetwork: true, container: { name: 'c', image: 'app:1' }, ports: [{ name: 'http', containerPort: 8080 }] })}`;
    const host = nginx + ns('shop') + deploy('shop', 'web', { app: 'web' }) + service('shop', 'web', '{app: web}') + api + service('shop', 'api', '{app: api}') + ingress('shop', 'api', 'api.example.com', 'api') + onlyFromIngressNginx;
    // Its container port listens on the node's addresses too (hostNetwork: hostPort defaults to the container port).
    expect(external(host, 'api')).toEqual([expect.objectContaining({ via: 'hostPort', ports: "TCP 8080 on the node's TCP 8080, as a host-network pod", allowedByPolicy: true }), expect.objectContaining({ via: 'Ingress', allowedByPolicy: true })]);
    const v = [...exposedWorkload.evaluate({ snapshot: snap(host), config: defaultConfig(), now: new Date() })];
    expect(v.find((x) => x.resource.name === 'api')).toMatchObject({ status: 'fail' });
  });

  it('a backend the controller reaches is exposed, with its path, and fails outside declared namespaces', () => {
    const s = snap(yaml);
    expect(external(yaml, 'web')).toEqual([expect.objectContaining({ via: 'Ingress', allowedByPolicy: true, ports: 'TCP 8080', controller: 'ingress-nginx (IngressClass nginx)', route: 'shop.example.com/ → Ingress shop/front → Service shop/web:80' })]);
    expect(queryReach(buildReachability(s), 'ingress-nginx/ingress-nginx-controller', 'shop/web', 8080).allowed).toBe(true);
    const v = [...exposedWorkload.evaluate({ snapshot: s, config: defaultConfig(), now: new Date() })];
    expect(v.find((x) => x.resource.name === 'web')).toMatchObject({ status: 'fail', message: expect.stringContaining('shop.example.com/ → Ingress shop/front') });
    const declared = { ...defaultConfig(), network: { exposedNamespaces: ['shop'] } };
    expect([...exposedWorkload.evaluate({ snapshot: s, config: declared, now: new Date() })].find((x) => x.resource.name === 'web')?.status).toBe('pass');
  });

  it('without the controller pods the path counts as open and a coverage note says why', () => {
    const yaml2 = app + `---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx}\nspec: {controller: k8s.io/ingress-nginx}\n` + ingress('shop', 'api', 'api.example.com', 'api') + onlyFromIngressNginx;
    const s = snap(yaml2);
    expect(external(yaml2, 'api')).toEqual([expect.objectContaining({ allowedByPolicy: 'not-evaluated' })]);
    expect(exposureNotes(s)).toEqual(['Ingress shop/api: the pods of ingress-nginx (IngressClass nginx) were not found; their backends are counted as exposed without checking NetworkPolicy']);
    expect([...exposedWorkload.evaluate({ snapshot: s, config: defaultConfig(), now: new Date() })]).toEqual([expect.objectContaining({ status: 'fail' })]);
  });

  it('an Ingress to a missing Service is a coverage note naming both, never a crash', () => {
    const s = snap(nginx + app + ingress('shop', 'ghost', 'ghost.example.com', 'nope'));
    expect(exposureNotes(s)).toContain('Ingress shop/ghost: backend Service shop/nope not found; the path ghost.example.com/ leads nowhere');
    expect(runNotes({ snapshot: s, config: defaultConfig(), now: new Date() })).toContain('Ingress shop/ghost: backend Service shop/nope not found; the path ghost.example.com/ leads nowhere');
  });
});

describe('Gateway API: parentRefs, listeners, allowedRoutes, ReferenceGrant', () => {
  const gw = (from: string, extra = '') => ns('infra', '{edge: "yes"}') + ns('apps', '{team: a}') + `---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: eg
  listeners:
    - {name: web, protocol: HTTPS, port: 443, hostname: "*.example.com", allowedRoutes: {namespaces: ${from}}, tls: {certificateRefs: [{name: c}]}}
    - {name: tcp, protocol: TCP, port: 5432}
` + deploy('envoy-gateway-system', 'envoy-infra-public', { 'app.kubernetes.io/name': 'envoy', 'gateway.envoyproxy.io/owning-gateway-name': 'public', 'gateway.envoyproxy.io/owning-gateway-namespace': 'infra' }) + extra;
  const route = (namespace: string, backendNs?: string, section?: string) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ${namespace}}
spec:
  parentRefs: [{name: public, namespace: infra${section ? `, sectionName: ${section}` : ''}}]
  hostnames: [app.example.com]
  rules: [{matches: [{path: {type: PathPrefix, value: /v1}}], backendRefs: [{name: api, port: 80${backendNs ? `, namespace: ${backendNs}` : ''}}]}]
`;
  const backend = (namespace: string) => deploy(namespace, 'api', { app: 'api' }) + service(namespace, 'api', '{app: api}');

  it('From: Same (the default) refuses a route from another namespace', () => {
    const yaml = gw('{}') + backend('apps') + route('apps');
    expect(external(yaml, 'api')).toEqual([]);
    expect(exposureNotes(snap(yaml))).toEqual([expect.stringContaining('HTTPRoute apps/r: no listener of Gateway infra/public accepts it')]);
  });

  it('From: All attaches it; the path names host, path, route, Gateway listener and Service', () => {
    const yaml = gw('{from: All}') + backend('apps') + route('apps');
    expect(external(yaml, 'api')).toEqual([expect.objectContaining({ via: 'Gateway', allowedByPolicy: true, route: 'app.example.com/v1 → HTTPRoute apps/r (Gateway infra/public listener web) → Service apps/api:80' })]);
  });

  it('From: Selector attaches routes of matching namespaces only', () => {
    expect(external(gw('{from: Selector, selector: {matchLabels: {team: a}}}') + backend('apps') + route('apps'), 'api')).toHaveLength(1);
    expect(external(gw('{from: Selector, selector: {matchLabels: {team: b}}}') + backend('apps') + route('apps'), 'api')).toEqual([]);
  });

  it('sectionName picks the listener: an HTTPRoute on the TCP listener is not attached', () => {
    const yaml = gw('{from: All}') + backend('apps') + route('apps', undefined, 'tcp');
    expect(external(yaml, 'api')).toEqual([]);
  });

  it('ParentReference.port targets only the listeners on that port, and with sectionName the one matching both (https://gateway-api.sigs.k8s.io/reference/spec/#parentreference)', () => {
    const onPort = (ref: string) => gw('{from: All}') + backend('apps') + route('apps').replace('parentRefs: [{name: public, namespace: infra}]', `parentRefs: [{name: public, namespace: infra, ${ref}}]`);
    expect(external(onPort('port: 443'), 'api')).toEqual([expect.objectContaining({ route: 'app.example.com/v1 → HTTPRoute apps/r (Gateway infra/public listener web) → Service apps/api:80' })]);
    expect(external(onPort('port: 5432'), 'api')).toEqual([]);
    expect(exposureNotes(snap(onPort('port: 5432')))).toEqual([expect.stringContaining('HTTPRoute apps/r: no listener of Gateway infra/public on port 5432 accepts it')]);
    expect(external(onPort('port: 5432, sectionName: web'), 'api')).toEqual([]);
    expect(exposureNotes(snap(onPort('port: 5432, sectionName: web')))).toEqual(['HTTPRoute apps/r: Gateway infra/public has no listener "web" on port 5432; the route is not attached there']);
  });

  it('a backendRef into another namespace needs a ReferenceGrant there', () => {
    const base = gw('{from: All}') + ns('data') + backend('data') + route('apps', 'data');
    expect(external(base, 'api')).toEqual([]);
    expect(exposureNotes(snap(base))).toContain('HTTPRoute apps/r: backendRef Service data/api is in another namespace and no ReferenceGrant there allows HTTPRoutes from apps; the reference is refused');
    const grant = `---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: from-apps, namespace: data}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: apps}]
  to: [{group: "", kind: Service}]
`;
    expect(external(base + grant, 'api')).toEqual([expect.objectContaining({ via: 'Gateway', allowedByPolicy: true })]);
  });

  it('a route to a missing Gateway is a note naming both', () => {
    const yaml = ns('apps') + backend('apps') + route('apps');
    expect(exposureNotes(snap(yaml))).toEqual(['HTTPRoute apps/r: parent Gateway infra/public not found; the route is not attached there']);
  });

  it('the Envoy proxy pods are the controller: a policy admitting only them keeps the path open, one denying them blocks it', () => {
    const deny = `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: apps}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n`;
    const allowEnvoy = `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: from-envoy, namespace: apps}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {app.kubernetes.io/name: envoy}}}]}]\n`;
    const yaml = gw('{from: All}') + backend('apps') + route('apps');
    expect(external(yaml + deny, 'api')[0].allowedByPolicy).toBe(false);
    expect(external(yaml + deny + allowEnvoy, 'api')[0].allowedByPolicy).toBe(true);
  });

  // A route whose parentRef is a ListenerSet attaches to its listeners, which the parent Gateway
  // serves when its spec.allowedListeners admits the ListenerSet (https://gateway-api.sigs.k8s.io/api-types/listenerset/).
  it('a route attached to a ListenerSet the Gateway allows exposes its backend through the Gateway; one it does not allow, nothing', () => {
    const listenerSet = `---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: apps}
spec:
  parentRef: {name: public, namespace: infra}
  listeners: [{name: web, protocol: HTTP, port: 8080, hostname: app.example.com}]
`;
    const viaSet = route('apps').replace('parentRefs: [{name: public, namespace: infra}]', 'parentRefs: [{kind: ListenerSet, name: team, sectionName: web}]');
    const allowing = gw('{from: All}').replace('  gatewayClassName: eg\n', '  gatewayClassName: eg\n  allowedListeners: {namespaces: {from: All}}\n');
    expect(external(allowing + backend('apps') + listenerSet + viaSet, 'api')).toEqual([expect.objectContaining({ via: 'Gateway', allowedByPolicy: true, route: 'app.example.com/v1 → HTTPRoute apps/r (Gateway infra/public through ListenerSet apps/team listener web) → Service apps/api:80' })]);
    const yaml = gw('{from: All}') + backend('apps') + listenerSet + viaSet;
    expect(external(yaml, 'api')).toEqual([]);
    expect(exposureNotes(snap(yaml))).toContain('HTTPRoute apps/r: parent ListenerSet apps/team adds no listener to a Gateway (Gateway infra/public does not allow it (spec.allowedListeners.namespaces.from "None", the default), so the Gateway takes none of its listeners); the route is not attached there');
  });
});

describe('Istio, Traefik and Contour routes', () => {
  it('Istio VirtualService bound to an Istio Gateway reaches the backend through the ingressgateway pods', () => {
    const yaml = ns('istio-system') + ns('shop') + deploy('istio-system', 'istio-ingressgateway', { istio: 'ingressgateway' }) + deploy('shop', 'web', { app: 'web' }) + service('shop', 'web', '{app: web}') + `---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: istio-system}
spec: {selector: {istio: ingressgateway}, servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ["*"], tls: {mode: SIMPLE}}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [istio-system/edge, mesh]
  http: [{match: [{uri: {prefix: /}}], route: [{destination: {host: web.shop.svc.cluster.local, port: {number: 80}}}]}]
`;
    expect(external(yaml, 'web')).toEqual([expect.objectContaining({ via: 'IstioGateway', allowedByPolicy: true, route: 'shop.example.com/ → VirtualService shop/web (Gateway istio-system/edge) → Service shop/web:80' })]);
  });

  it('a VirtualService binds only for hosts a server of the Istio Gateway admits to its namespace ("ns/host")', () => {
    const base = (serverHosts: string) => ns('istio-system') + ns('shop') + deploy('istio-system', 'istio-ingressgateway', { istio: 'ingressgateway' }) + deploy('shop', 'web', { app: 'web' }) + service('shop', 'web', '{app: web}') + `---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: istio-system}
spec: {selector: {istio: ingressgateway}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ${serverHosts}}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [istio-system/edge]
  http: [{route: [{destination: {host: web, port: {number: 80}}}]}]
`;
    expect(external(base('["shop/*.example.com"]'), 'web')).toHaveLength(1);
    expect(external(base('["other/*"]'), 'web')).toEqual([]);
    expect(exposureNotes(snap(base('["other/*"]')))).toEqual(['VirtualService shop/web: none of its hosts (shop.example.com) is served by Istio Gateway istio-system/edge for namespace shop; it is not bound there']);
    expect(external(base('["api.example.com"]'), 'web')).toEqual([]);
  });

  // Istio builds a route entry on a gateway server only if one of its matches leaves port unset or
  // names the server's port and leaves gateways unset or names this gateway (istio/istio
  // pilot/pkg/networking/core/route/route.go TranslateRoute and sourceMatchHTTP;
  // https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest).
  it('a VirtualService route entry whose matches name another port or only other gateways exposes nothing through the gateway', () => {
    const base = (match: string) => ns('istio-system') + ns('shop') + deploy('istio-system', 'istio-ingressgateway', { istio: 'ingressgateway' }) + deploy('shop', 'web', { app: 'web' }) + service('shop', 'web', '{app: web}') + `---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: istio-system}
spec: {selector: {istio: ingressgateway}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [istio-system/edge, mesh]
  http: [{match: [${match}], route: [{destination: {host: web, port: {number: 80}}}]}]
`;
    expect(external(base('{port: 8080}'), 'web')).toEqual([]);
    expect(external(base('{gateways: [mesh]}'), 'web')).toEqual([]);
    expect(external(base('{gateways: [edge]}'), 'web')).toEqual([]); // a short name is the VirtualService's namespace's: shop/edge
    expect(external(base('{port: 8080}, {port: 80, gateways: [istio-system/edge]}'), 'web')).toHaveLength(1);
    expect(external(base('{gateways: [edge.istio-system.svc.cluster.local]}'), 'web')).toHaveLength(1);
  });

  for (const group of ['traefik.io', 'traefik.containo.us']) {
    it(`Traefik IngressRoute (${group}) with Host() and PathPrefix() rules`, () => {
      const yaml = ns('traefik') + ns('shop') + deploy('traefik', 'traefik', { 'app.kubernetes.io/name': 'traefik' }) + deploy('shop', 'web', { app: 'web' }) + service('shop', 'web', '{app: web}') + `---
apiVersion: ${group}/v1alpha1
kind: IngressRoute
metadata: {name: web, namespace: shop}
spec:
  entryPoints: [websecure]
  routes: [{match: "Host(\`shop.example.com\`) && PathPrefix(\`/app\`)", kind: Rule, services: [{name: web, port: 80}]}]
`;
      expect(external(yaml, 'web')).toEqual([expect.objectContaining({ via: 'IngressRoute', allowedByPolicy: true, controller: 'Traefik', route: 'shop.example.com/app → IngressRoute shop/web → Service shop/web:80' })]);
    });
  }

  it('Contour HTTPProxy root proxy: the virtualhost fqdn and route conditions', () => {
    const yaml = ns('projectcontour') + ns('shop') + deploy('projectcontour', 'envoy', { app: 'envoy' }) + deploy('shop', 'web', { app: 'web' }) + service('shop', 'web', '{app: web}') + `---
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: web, namespace: shop}
spec:
  virtualhost: {fqdn: shop.example.com}
  routes: [{conditions: [{prefix: /}], services: [{name: web, port: 80}]}]
`;
    expect(external(yaml, 'web')).toEqual([expect.objectContaining({ via: 'HTTPProxy', allowedByPolicy: true, controller: 'Contour' })]);
  });
});

describe('the demo cluster', () => {
  it('lists shop/backend as not exposed through the Ingress, as `reach` from the ingress controller says DENIED', () => {
    const s = loadManifests([join(ROOT, 'examples/demo-cluster')], { clusterName: 'demo', clusterVersion: 'v1.36.3' });
    const model = buildReachability(s);
    expect(queryReach(model, 'ingress-nginx/ingress-nginx-controller', 'shop/backend').allowed).toBe(false);
    expect(queryReach(model, 'ingress-nginx/ingress-nginx-controller', 'shop/frontend').allowed).toBe(true);
    const exposure = runDetails({ snapshot: s, config: defaultConfig(), now: new Date() }).network?.exposure ?? [];
    const backend = exposure.find((e) => e.workload.name === 'backend');
    expect(backend?.external.every((p) => p.allowedByPolicy === false)).toBe(true);
    expect(backend?.external.map((p) => p.route)).toContain('api.shop.example.com/ → Ingress shop/storefront → Service shop/backend:http');
    const frontend = exposure.find((e) => e.workload.name === 'frontend');
    expect(frontend?.external).toContainEqual(expect.objectContaining({ allowedByPolicy: true, route: 'shop.example.com/ → Ingress shop/storefront → Service shop/frontend:http' }));
  });

  it('shows the Gateway API path to Prometheus in the report, with the edge guard findings on its HTTPRoute', () => {
    const { report } = demoRun();
    const rows = buildView(report).posture.exposure.rows;
    const prometheus = rows.find((r) => r.namespace === 'monitoring' && r.name === 'prometheus');
    expect(prometheus?.paths).toEqual([expect.objectContaining({ via: 'Gateway', through: 'prometheus.ops.example.com/ → HTTPRoute monitoring/prometheus (Gateway envoy-gateway-system/dashboards listener https) → Service monitoring/prometheus:9090', blocked: false })]);
    const backend = rows.find((r) => r.namespace === 'shop' && r.name === 'backend');
    expect(backend?.paths).toEqual([expect.objectContaining({ via: 'Ingress', blocked: true, policy: 'NetworkPolicy blocks ingress-nginx (IngressClass nginx)' })]);
    const edge = report.findings.filter((f) => f.check.startsWith('tls.edge-')).map((f) => `${f.check} ${f.resource.kind} ${f.resource.namespace}/${f.resource.name}`).sort();
    expect(edge).toEqual([
      'tls.edge-auth-missing HTTPRoute monitoring/prometheus',
      'tls.edge-rate-limit-missing HTTPRoute monitoring/prometheus',
      'tls.edge-rate-limit-missing Ingress shop/storefront',
      'tls.edge-waf-missing HTTPRoute monitoring/prometheus',
      'tls.edge-waf-missing Ingress shop/storefront',
    ]);
    // node-exporter binds hostPort 9100 on every node (and runs in the host's network): a way in from outside too.
    expect(report.findings.filter((f) => f.check === 'network.exposed-workload').map((f) => `${f.resource.kind} ${f.resource.namespace}/${f.resource.name}`).sort()).toEqual(['DaemonSet monitoring/node-exporter', 'Deployment monitoring/prometheus']);
  });
});
