// What Traefik's kubernetescrd provider does with references across namespaces that a route does
// not make itself, with allowCrossNamespace off (its default from v2.4.10:
// https://doc.traefik.io/traefik/providers/kubernetes-crd/#allowcrossnamespace):
// - a Middleware chain naming a member of another namespace: since traefik/traefik commit
//   df00d82fc7 "Honor allowCrossNamespace with chain middleware CRD" (first in v2.11.43, v3.6.14 and
//   v3.7.0: `git tag --contains df00d82fc7`) createChainMiddleware's resolveReference fails
//   ("allowCrossNamespace is disabled, cross-namespace are disallowed"), the provider logs "Error
//   while reading chain middleware" and leaves the whole chain Middleware out
//   (pkg/provider/kubernetes/crd/kubernetes.go, `continue`); a router naming it then fails to
//   build, "middleware %q does not exist" (pkg/server/middleware/middlewares.go
//   BuildMiddlewareChain), and is not served. Before those releases (kubernetes.go@v3.3.4 and
//   @v3.6.13 createChainMiddleware) the member was makeID(namespace, name), or a name holding "@"
//   as written, with no check: the chain is built and the member applies;
// - an IngressRouteTCP middleware named "<key>@kubernetescrd": makeMiddlewareTCPKeys took any name
//   holding "@" as written (kubernetes_tcp.go@v3.3.4 and @v3.7.0); since commit 28604083a4 "Add
//   CrossProviderNamespaces option" (v2.11.46, v3.6.17, v3.7.1) resolveReference refuses it without
//   allowCrossNamespace ("@kubernetescrd references are disallowed"), and the route is skipped;
// - an IngressRouteTCP Service of another namespace: createLoadBalancerServerTCP returns "tcp service
//   %s/%s is not in the parent resource namespace %s" and loadIngressRouteTCPConfiguration skips that
//   Service (pkg/provider/kubernetes/crd/kubernetes_tcp.go), so it is no backend;
// - another provider's TLSOption (strict@file): refused before v2.11.46, v3.6.17 and v3.7.1
//   (traefik-cross-namespace.test.ts), so a tag naming no patch release (traefik:v3.6) cannot tell.
import { describe, expect, it } from 'vitest';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { edgeRoutes } from '../../../src/analysis/edge/routes.ts';
import { exposureNotes } from '../../../src/analysis/netpol/exposure.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { cluster, ctx, exposure, tcpRoute } from './traefik-tcp.ts';

const CRD = ['--providers.kubernetescrd'];
/** The first releases whose createChainMiddleware refuses a member of another namespace (df00d82fc7). */
const REFUSING = 'docker.io/traefik:v3.6.14';
const ALLOW = [...CRD, '--providers.kubernetescrd.allowCrossNamespace=true'];
const object = (kind: string, name: string, ns: string, spec: string) => `---
apiVersion: traefik.io/v1alpha1
kind: ${kind}
metadata: {name: ${name}, namespace: ${ns}}
spec: ${spec}
`;
const BASIC_AUTH = object('Middleware', 'auth', 'shared', '{basicAuth: {secret: users}}');
const CHAIN = object('Middleware', 'guarded', 'db', '{chain: {middlewares: [{name: auth, namespace: shared}]}}') + BASIC_AUTH;
/** An IngressRoute db/postgres for db.example.com naming `middlewares`, served by a Traefik with `args`. */
const httpCase = (args: string[], middlewares: string, objects: string, image?: string, tls?: string) =>
  ctx(cluster(args, tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', middlewares, tls }) + objects, image));
const auth = (c: AuditContext, kind = 'IngressRoute') => [...edgeAuthMissing.evaluate(c)].filter((v) => v.resource.kind === kind).map((v) => v.status);

describe('a route using a Middleware chain with a member of another namespace', () => {
  it('allowCrossNamespace off on v2.11.43, v3.6.14, v3.7.0 and later: Traefik does not build the chain and the router fails, so the route is not served and the workload not exposed through it', () => {
    const c = httpCase(CRD, '[{name: guarded}]', CHAIN, REFUSING);
    // Before: served, postgres reported reachable through it and tls.edge-auth-missing failing.
    expect(exposure(c)).toBeUndefined();
    expect(auth(c)).toEqual([]);
    expect(exposureNotes(c.snapshot)).toContain('IngressRoute db/postgres: it uses Middleware db/guarded, and Middleware db/guarded is a chain naming Middleware shared/auth, of another namespace (or by its @kubernetescrd key), which Traefik\'s kubernetescrd provider refuses without allowCrossNamespace from v2.11.43, v3.6.14 and v3.7.0 on (Deployment traefik/traefik: allowCrossNamespace is not set: its default is false (Traefik v3.6.14)): it leaves the chain out, and a router using it fails ("middleware does not exist"); the route "Host(`db.example.com`)" is not served');
    for (const image of ['traefik:v2.11.43', 'traefik:v3.6.20', 'traefik:v3.7.0', 'traefik:v3.8.2']) expect(exposure(httpCase(CRD, '[{name: guarded}]', CHAIN, image)), image).toBeUndefined();
    // Set to false explicitly, and a chain reaching the member through another chain of its own namespace, the same.
    expect(exposure(httpCase([...CRD, '--providers.kubernetescrd.allowCrossNamespace=false'], '[{name: guarded}]', CHAIN, REFUSING))).toBeUndefined();
    const nested = object('Middleware', 'outer', 'db', '{chain: {middlewares: [{name: guarded}]}}') + CHAIN;
    const n = httpCase(CRD, '[{name: outer}]', nested, REFUSING);
    expect(exposure(n)).toBeUndefined();
    expect(exposureNotes(n.snapshot).some((x) => x.startsWith('IngressRoute db/postgres: it uses Middleware db/outer, and Middleware db/guarded is a chain naming Middleware shared/auth'))).toBe(true);
    // A member named by its @kubernetescrd key is refused alike (resolveReference: "@kubernetescrd references are disallowed").
    expect(exposure(httpCase(CRD, '[{name: guarded}]', object('Middleware', 'guarded', 'db', '{chain: {middlewares: [{name: shared-auth@kubernetescrd}]}}') + BASIC_AUTH, REFUSING))).toBeUndefined();
  });

  it('allowCrossNamespace off on a release before the check (v3.3.4, v3.6.13, v2.11.42, v3.5.x): the chain is built, the route served and exposed, and the member is its guard', () => {
    for (const image of ['docker.io/traefik:v3.3.4', 'traefik:v3.6.13', 'traefik:v2.11.42', 'traefik:v3.5.3', 'traefik:v2.10.7']) {
      const c = httpCase(CRD, '[{name: guarded}]', CHAIN, image);
      expect(exposure(c)?.status, image).toBe('fail');
      expect(auth(c), image).toEqual(['pass']);
      expect(exposureNotes(c.snapshot).filter((x) => x.includes('chain')), image).toEqual([]);
    }
    // The @kubernetescrd form was taken as written too.
    const keyed = httpCase(CRD, '[{name: guarded}]', object('Middleware', 'guarded', 'db', '{chain: {middlewares: [{name: shared-auth@kubernetescrd}]}}') + BASIC_AUTH, 'traefik:v3.6.13');
    expect(exposure(keyed)?.status).toBe('fail');
    expect(auth(keyed)).toEqual(['pass']);
  });

  it('a tag naming no patch release of a line that got the check in one (traefik:v3.6, traefik:v2.11): served, the member not counted, and the note says why', () => {
    for (const [image, line] of [['traefik:v3.6', 'v3.6 builds it before v3.6.14 and refuses it from it'], ['traefik:v2.11', 'v2.11 builds it before v2.11.43 and refuses it from it']]) {
      const c = httpCase(CRD, '[{name: guarded}]', CHAIN, image);
      expect(exposure(c)?.status, image).toBe('fail');
      expect(auth(c), image).toEqual(['fail']);
      expect(exposureNotes(c.snapshot), image).toContain(`IngressRoute db/postgres: it uses Middleware db/guarded, and Middleware db/guarded is a chain naming Middleware shared/auth, of another namespace (or by its @kubernetescrd key): Traefik builds the chain with the kubernetescrd provider's allowCrossNamespace on, or on a release before v2.11.43, v3.6.14 and v3.7.0, which is not known (Deployment traefik/traefik: the image ${image} names no ${line.slice(0, line.indexOf(' '))} patch release: ${line}); the route "Host(\`db.example.com\`)" is counted as served`);
    }
  });

  it('allowCrossNamespace on: the chain is built, the route served, and the member is its guard', () => {
    const c = httpCase(ALLOW, '[{name: guarded}]', CHAIN);
    expect(exposure(c)?.status).toBe('fail');
    expect(auth(c)).toEqual(['pass']);
    expect(exposureNotes(c.snapshot).filter((n) => n.includes('chain'))).toEqual([]);
  });

  it('a member of the chain\'s own namespace needs no allowCrossNamespace: served, guarded', () => {
    const own = object('Middleware', 'guarded', 'db', '{chain: {middlewares: [{name: auth, namespace: db}]}}') + object('Middleware', 'auth', 'db', '{basicAuth: {secret: users}}');
    const c = httpCase(CRD, '[{name: guarded}]', own);
    expect(exposure(c)?.status).toBe('fail');
    expect(auth(c)).toEqual(['pass']);
  });

  it('allowCrossNamespace not known (a configuration file): served, the member not counted, and the note says why', () => {
    const c = httpCase([...CRD, '--configFile=/config/traefik.yml'], '[{name: guarded}]', CHAIN, REFUSING);
    expect(exposure(c)?.status).toBe('fail');
    expect(auth(c)).toEqual(['fail']);
    expect(exposureNotes(c.snapshot)).toContain('IngressRoute db/postgres: it uses Middleware db/guarded, and Middleware db/guarded is a chain naming Middleware shared/auth, of another namespace (or by its @kubernetescrd key): Traefik builds the chain with the kubernetescrd provider\'s allowCrossNamespace on, or on a release before v2.11.43, v3.6.14 and v3.7.0, which is not known (Deployment traefik/traefik: its configuration file is not in the snapshot); the route "Host(`db.example.com`)" is counted as served');
  });

  it('an Ingress whose router.middlewares names that chain (db-guarded@kubernetescrd) is not served either: the chain is the CRD provider\'s', () => {
    const ingress = `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: db
  annotations: {traefik.ingress.kubernetes.io/router.middlewares: "db-guarded@kubernetescrd"}
spec:
  ingressClassName: traefik
  rules: [{host: web.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: postgres, port: {number: 5432}}}}]}}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
`;
    const off = ctx(cluster([...CRD, '--providers.kubernetesingress'], ingress + CHAIN, REFUSING));
    expect(exposure(off)).toBeUndefined();
    expect(exposureNotes(off.snapshot).some((n) => n.startsWith('Ingress db/web: it uses Middleware db/guarded, and Middleware db/guarded is a chain naming Middleware shared/auth') && n.endsWith('its routers are not served'))).toBe(true);
    const on = ctx(cluster([...ALLOW, '--providers.kubernetesingress'], ingress + CHAIN, REFUSING));
    expect(exposure(on)?.status).toBe('fail');
    expect(auth(on, 'Ingress')).toEqual(['pass']);
    // On v3.3.4, which builds the chain unchecked, served and guarded with allowCrossNamespace off too.
    const old = ctx(cluster([...CRD, '--providers.kubernetesingress'], ingress + CHAIN));
    expect(exposure(old)?.status).toBe('fail');
    expect(auth(old, 'Ingress')).toEqual(['pass']);
  });
});

describe('an IngressRouteTCP Service of another namespace', () => {
  /** IngressRouteTCP traefik/pg on entryPoint postgres to `services` (YAML flow text). */
  const tcpCase = (args: string[], services: string) => ctx(cluster(args, `apiVersion: traefik.io/v1alpha1
kind: IngressRouteTCP
metadata: {name: pg, namespace: traefik}
spec:
  entryPoints: [postgres]
  routes:
  - match: HostSNI(\`*\`)
    services: ${services}
`));
  const backends = (c: AuditContext) => edgeRoutes(c.snapshot).routes.filter((r) => r.route.kind === 'IngressRouteTCP').map((r) => `${r.backend.namespace}/${r.backend.name}`);

  it('allowCrossNamespace off: Traefik leaves the Service out, so the workload behind it is not exposed through the route', () => {
    const c = tcpCase(CRD, '[{name: postgres, namespace: db, port: 5432}]');
    // Before: StatefulSet db/postgres reachable via IngressRouteTCP traefik/pg.
    expect(exposure(c)).toBeUndefined();
    expect(backends(c)).toEqual([]);
    expect(exposureNotes(c.snapshot)).toContain('IngressRouteTCP traefik/pg: its route "HostSNI(`*`)" names Service db/postgres, of another namespace, which Traefik\'s kubernetescrd provider leaves out without allowCrossNamespace (Deployment traefik/traefik: allowCrossNamespace is not set: its default is false (Traefik v3.3.4)); it is no backend of the route');
    // With a Service of its own namespace beside it, the route keeps that one only.
    expect(backends(tcpCase(CRD, '[{name: postgres, namespace: db, port: 5432}, {name: traefik, port: 5432}]'))).toEqual(['traefik/traefik']);
  });

  it('allowCrossNamespace on: the Service is a backend and the workload exposed; not known: counted, with a note', () => {
    const on = tcpCase(ALLOW, '[{name: postgres, namespace: db, port: 5432}]');
    expect(exposure(on)?.status).toBe('fail');
    expect(backends(on)).toEqual(['db/postgres']);
    const unknown = tcpCase([...CRD, '--configFile=/config/traefik.yml'], '[{name: postgres, namespace: db, port: 5432}]');
    expect(exposure(unknown)?.status).toBe('fail');
    expect(exposureNotes(unknown.snapshot)).toContain('IngressRouteTCP traefik/pg: its route "HostSNI(`*`)" names Service db/postgres, of another namespace, which Traefik uses only with the kubernetescrd provider\'s allowCrossNamespace on, which is not known (Deployment traefik/traefik: its configuration file is not in the snapshot); it is counted as a backend');
  });

  it('an HTTP IngressRoute naming a Service of another namespace is refused whole, as Traefik skips the route (nameAndService)', () => {
    const c = ctx(cluster(CRD, `apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: pg, namespace: traefik}
spec:
  entryPoints: [postgres]
  routes:
  - match: Host(\`db.example.com\`)
    services: [{name: postgres, namespace: db, port: 5432}]
`));
    expect(exposure(c)).toBeUndefined();
    expect(exposureNotes(c.snapshot).some((n) => n.startsWith('IngressRoute traefik/pg: it names Service db/postgres, of another namespace'))).toBe(true);
  });
});

describe('another provider\'s TLSOption on a Traefik whose image tag names no patch release', () => {
  const TLS = '{secretName: db-cert, options: {name: strict@file}}';
  const note = (c: AuditContext) => exposureNotes(c.snapshot).find((n) => n.startsWith('IngressRoute db/postgres: its tls.options names TLSOption strict@file of another provider'));

  it('traefik:v3.6, 3.6, v2.11, v3.7: the rule depends on a patch release the tag does not name; counted as served, and the note says so', () => {
    const c = httpCase(CRD, '', '', 'traefik:v3.6', TLS);
    expect(exposure(c)?.status).toBe('fail');
    // Before: no note at all.
    expect(note(c)).toBe('IngressRoute db/postgres: its tls.options names TLSOption strict@file of another provider, which Traefik refuses without allowCrossNamespace before v2.11.46, v3.6.17 and v3.7.1 (taking its namespace as "", not the route\'s) and takes from them; which release runs is not known (Deployment traefik/traefik: the image traefik:v3.6 names no v3.6 patch release: v3.6 refuses it before v3.6.17, not from it), so the route "Host(`db.example.com`)" is counted as served');
    for (const [image, line] of [['traefik:3.6', 'v3.6 refuses it before v3.6.17'], ['traefik:v2.11', 'v2.11 refuses it before v2.11.46'], ['docker.io/traefik:v3.7', 'v3.7 refuses it before v3.7.1']]) {
      const x = httpCase(CRD, '', '', image, TLS);
      expect(exposure(x)?.status, image).toBe('fail');
      expect(note(x), image).toContain(line);
    }
  });

  it('traefik:v3 names no minor release: the same note, naming that (allowCrossNamespace is known off: every v3 release defaults it to false)', () => {
    const c = httpCase(CRD, '', '', 'traefik:v3', TLS);
    expect(exposure(c)?.status).toBe('fail');
    expect(note(c)).toBe('IngressRoute db/postgres: its tls.options names TLSOption strict@file of another provider, which Traefik refuses without allowCrossNamespace before v2.11.46, v3.6.17 and v3.7.1 (taking its namespace as "", not the route\'s) and takes from them; which release runs is not known (Deployment traefik/traefik: the image traefik:v3 names no release), so the route "Host(`db.example.com`)" is counted as served');
  });

  it('a tag naming the patch release decides, and allowCrossNamespace on or the route\'s own namespace needs no note', () => {
    expect(note(httpCase(CRD, '', '', 'traefik:v3.6.17', TLS))).toBeUndefined();
    expect(exposure(httpCase(CRD, '', '', 'traefik:v3.6.16', TLS))).toBeUndefined();
    expect(note(httpCase(ALLOW, '', '', 'traefik:v3.6', TLS))).toBeUndefined();
    expect(note(httpCase(CRD, '', '', 'traefik:v3.6', '{secretName: db-cert, options: {name: strict@file, namespace: db}}'))).toBeUndefined();
  });
});
