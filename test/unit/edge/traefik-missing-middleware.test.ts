// A Traefik router naming an HTTP Middleware that does not exist is not served, on every release
// ztaudit reads (v2.0.0 to v3.7.9, the same code at each): BuildMiddlewareChain's constructor
// returns `middleware %q does not exist` (traefik/traefik pkg/server/middleware/middlewares.go
// @v2.11.0, @v3.0.0, @v3.7.9), buildRouterHandler hands the error up, and buildEntryPointHandler
// records it on the router and skips it (`routerConfig.AddError(err, true)`, `continue`,
// pkg/server/router/router.go @v2.4.0, @v2.11.0, @v3.0.0, @v3.3.4, @v3.7.9): the rule is in no
// entryPoint's muxer, whose default handler answers 404 (http.NotFoundHandler). A chain whose member
// is missing fails alike (the chain middleware builds its members with the same builder). An
// Ingress's traefik.ingress.kubernetes.io/router.middlewares entry without "@provider" is qualified
// by the router's provider, kubernetes (pkg/server/provider/provider.go GetQualifiedName, called in
// router.go buildHTTPHandler; the Ingress provider's name, pkg/provider/kubernetes/ingress/kubernetes.go
// ProviderName = "kubernetes" @v3.7.9, "kubernetes" @v2.4.0), which sets no HTTP Middlewares
// (no conf.HTTP.Middlewares entry in pkg/provider/kubernetes/ingress @v2.11.0, @v3.0.0, @v3.7.9). Where ztaudit cannot see the Middlewares (their kinds unread, or a
// manifests input without the namespace), the route stays counted as served and the note says
// the router cannot be confirmed.
import { describe, expect, it } from 'vitest';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { exposureNotes } from '../../../src/analysis/netpol/exposure.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { cluster, ctx, exposure, tcpRoute } from './traefik-tcp.ts';

const CRD = ['--providers.kubernetescrd'];
const object = (kind: string, name: string, ns: string, spec: string) => `---
apiVersion: traefik.io/v1alpha1
kind: ${kind}
metadata: {name: ${name}, namespace: ${ns}}
spec: ${spec}
`;
const HEADERS = '{headers: {customResponseHeaders: {X-Frame-Options: DENY}}}';
/** IngressRoute db/postgres without tls for db.example.com naming `middlewares`. */
const httpCase = (middlewares: string, objects: string, args = CRD) => ctx(cluster(args, tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', middlewares }) + objects));
const tlsVerdicts = (c: AuditContext, kind: string) => [...ingressWithoutTls.evaluate(c)].filter((v) => v.resource.kind === kind).map((v) => v.status);
const ingress = (entries: string) => `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: db
  annotations: {traefik.ingress.kubernetes.io/router.middlewares: "${entries}", traefik.ingress.kubernetes.io/router.entrypoints: postgres}
spec:
  ingressClassName: traefik
  rules: [{host: web.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: postgres, port: {number: 5432}}}}]}}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
`;
const ingressCase = (entries: string, objects: string, args = [...CRD, '--providers.kubernetesingress']) => ctx(cluster(args, ingress(entries) + objects));

describe('an IngressRoute naming a Middleware that does not exist', () => {
  it('is not served: no exposure through it, no TLS verdict, and the note names the Middleware', () => {
    const c = httpCase('[{name: auth}]', '');
    // Before: postgres reported reachable through the route, and the route failing tls.ingress-without-tls.
    expect(exposure(c)).toBeUndefined();
    expect(tlsVerdicts(c, 'IngressRoute')).toEqual([]);
    expect(exposureNotes(c.snapshot)).toContain('IngressRoute db/postgres: Traefik Middleware db/auth does not exist: Traefik builds no router naming a Middleware that does not exist ("middleware … does not exist"), so the route "Host(`db.example.com`)" is not served');
    // With the Middleware there, the same route is served and judged.
    const there = httpCase('[{name: auth}]', object('Middleware', 'auth', 'db', HEADERS));
    expect(exposure(there)?.status).toBe('fail');
    expect(tlsVerdicts(there, 'IngressRoute')).toEqual(['fail']);
  });

  it('one missing among several, or a chain whose member is missing, is enough; another provider\'s (name@file) is not read and leaves it served', () => {
    expect(exposure(httpCase('[{name: hdrs}, {name: auth}]', object('Middleware', 'hdrs', 'db', HEADERS)))).toBeUndefined();
    const chain = httpCase('[{name: guarded}]', object('Middleware', 'guarded', 'db', '{chain: {middlewares: [{name: hdrs}, {name: auth}]}}') + object('Middleware', 'hdrs', 'db', HEADERS));
    expect(exposure(chain)).toBeUndefined();
    expect(exposureNotes(chain.snapshot)).toContain('IngressRoute db/postgres: Traefik Middleware db/guarded: Middleware db/guarded is a chain whose member Middleware db/auth does not exist: Traefik builds no router naming a Middleware that does not exist ("middleware … does not exist"), so the route "Host(`db.example.com`)" is not served');
    const file = httpCase('[{name: auth@file}]', '');
    expect(exposure(file)?.status).toBe('fail');
    expect(exposureNotes(file.snapshot).filter((n) => n.includes('does not exist'))).toEqual([]);
  });

  it('only the route naming it is left out: the other route of the IngressRoute is still served and judged', () => {
    const two = tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', middlewares: '[{name: auth}]' })
      .replace('  routes:\n', '  routes:\n  - match: Host(`open.example.com`)\n    services: [{name: postgres, port: 5432}]\n');
    const c = ctx(cluster(CRD, two));
    expect(exposure(c)?.message).toContain('open.example.com');
    expect(exposure(c)?.message).not.toContain('db.example.com');
    expect([...ingressWithoutTls.evaluate(c)].filter((v) => v.resource.kind === 'IngressRoute').map((v) => v.message)).toEqual(['IngressRoute db/postgres has no spec.tls: host open.example.com is served over plaintext HTTP on entryPoint postgres.']);
  });

  it('Middlewares that could not be read: counted as served, and the note says it cannot be confirmed', () => {
    const c = httpCase('[{name: auth}]', '');
    c.snapshot.coverage['traefik.middlewares'] = { status: 'forbidden', detail: 'middlewares.traefik.io is forbidden' };
    expect(exposure(c)?.status).toBe('fail');
    expect(exposureNotes(c.snapshot)).toContain('IngressRoute db/postgres: Traefik Middleware db/auth is not in the snapshot, whose Middlewares could not be read (traefik.middlewares forbidden): whether Traefik builds the router cannot be confirmed (it builds none naming a Middleware that does not exist), so the route "Host(`db.example.com`)" is counted as served');
  });

  it('a Middleware of a namespace whose Namespace object is not in the manifests: counted as served, and the note says it cannot be confirmed', () => {
    const c = httpCase('[{name: auth, namespace: shared}]', '', [...CRD, '--providers.kubernetescrd.allowCrossNamespace=true']);
    expect(exposure(c)?.status).toBe('fail');
    expect(tlsVerdicts(c, 'IngressRoute')).toEqual(['fail']);
    expect(exposureNotes(c.snapshot)).toContain('IngressRoute db/postgres: Traefik Middleware shared/auth is not in the input, nor is the Namespace object of namespace shared, whose objects may be elsewhere: whether Traefik builds the router cannot be confirmed (it builds none naming a Middleware that does not exist), so the route "Host(`db.example.com`)" is counted as served');
    // The edge guards do not call it missing either: it could not be looked for.
    const [guard] = [...edgeAuthMissing.evaluate(c)].filter((v) => v.resource.kind === 'IngressRoute');
    expect(guard.status).toBe('fail');
    expect(guard.evidence?.malformed).toBeUndefined();
    expect(guard.evidence?.lookedAt).toContain('Traefik Middleware shared/auth is not in the input, nor is the Namespace object of namespace shared, whose objects may be elsewhere, so it does not count');
    // Namespace shared declared and without that Middleware: it does not exist.
    const declared = httpCase('[{name: auth, namespace: shared}]', '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shared}\n', [...CRD, '--providers.kubernetescrd.allowCrossNamespace=true']);
    expect(exposure(declared)).toBeUndefined();
  });

  it('missing decides before what is not known: one note, not served, where allowCrossNamespace is not known (a configuration file)', () => {
    const c = httpCase('[{name: auth, namespace: shared}]', '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shared}\n', [...CRD, '--configFile=/config/traefik.yml']);
    expect(exposure(c)).toBeUndefined();
    expect(exposureNotes(c.snapshot).filter((n) => n.startsWith('IngressRoute db/postgres'))).toEqual(['IngressRoute db/postgres: Traefik Middleware shared/auth does not exist: Traefik builds no router naming a Middleware that does not exist ("middleware … does not exist"), so the route "Host(`db.example.com`)" is not served']);
  });
});

describe('an Ingress whose router.middlewares names a Middleware that does not exist', () => {
  it('is not served: no exposure, no TLS verdict, and the note says why', () => {
    const c = ingressCase('db-auth@kubernetescrd', '');
    // Before: served, postgres reachable through it and the Ingress failing tls.ingress-without-tls.
    expect(exposure(c)).toBeUndefined();
    expect(tlsVerdicts(c, 'Ingress')).toEqual([]);
    expect(exposureNotes(c.snapshot)).toContain('Ingress db/web: Traefik Middleware db-auth@kubernetescrd (db/auth) does not exist: Traefik builds no router naming a Middleware that does not exist ("middleware … does not exist"), so its routers are not served');
    const there = ingressCase('db-auth@kubernetescrd', object('Middleware', 'auth', 'db', HEADERS));
    expect(exposure(there)?.status).toBe('fail');
    expect(tlsVerdicts(there, 'Ingress')).toEqual(['fail']);
  });

  it('an entry without @provider is the Ingress provider\'s, which has no Middlewares: not served, even with a Middleware of that name in the namespace', () => {
    const c = ingressCase('auth', object('Middleware', 'auth', 'db', HEADERS));
    expect(exposure(c)).toBeUndefined();
    expect(exposureNotes(c.snapshot)).toContain('Ingress db/web: Traefik Middleware auth, named without @provider, is taken as auth@kubernetes, of the Ingress provider, which defines no Middlewares, so it does not exist: Traefik builds no router naming a Middleware that does not exist ("middleware … does not exist"), so its routers are not served');
  });

  it('a serving Traefik running no Kubernetes CRD provider has no @kubernetescrd Middleware: not served', () => {
    const c = ingressCase('db-auth@kubernetescrd', object('Middleware', 'auth', 'db', HEADERS), ['--providers.kubernetesingress']);
    expect(exposure(c)).toBeUndefined();
    expect(exposureNotes(c.snapshot).some((n) => n.startsWith('Ingress db/web: Traefik Middleware db-auth@kubernetescrd (db/auth) does not exist for the Traefik serving it, which runs no Kubernetes CRD provider'))).toBe(true);
  });

  it('Middlewares that could not be read: counted as served, the note saying it cannot be confirmed', () => {
    const c = ingressCase('db-auth@kubernetescrd', '');
    c.snapshot.coverage['traefik.middlewares'] = { status: 'error', detail: 'timeout' };
    expect(exposure(c)?.status).toBe('fail');
    expect(tlsVerdicts(c, 'Ingress')).toEqual(['fail']);
    expect(exposureNotes(c.snapshot).some((n) => n.startsWith('Ingress db/web: Traefik Middleware db-auth@kubernetescrd (db/auth) is not in the snapshot, whose Middlewares could not be read (traefik.middlewares error)') && n.endsWith('its routers are counted as served'))).toBe(true);
  });
});

// Traefik keys a CRD Middleware provider.Normalize(makeID(namespace, name)), "<namespace>-<name>"
// with each run of characters other than letters and digits one "-" (traefik/traefik
// pkg/provider/configuration.go Normalize, pkg/provider/kubernetes/crd/kubernetes.go makeID @v3.3.4;
// https://doc.traefik.io/traefik/routing/providers/kubernetes-crd/, Middleware: "<namespace>-<name>@kubernetescrd"),
// and a router finds one by that key alone (makeMiddlewareKeys normalises an IngressRoute's
// reference to the same key). So "db-sso-auth" is Middleware sso-auth of namespace db and
// Middleware auth of namespace db-sso alike, and auth of namespace db--sso too (a valid Namespace
// name, Normalize makes the two dashes one). A manifests input proves it missing only where each
// such namespace is known to hold none; a live snapshot lists Middlewares cluster-wide.
const NS = (name: string) => `---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}}\n`;
const CROSS = [...CRD, '--providers.kubernetescrd.allowCrossNamespace=true'];
const live = (c: AuditContext): AuditContext => { c.snapshot.source = 'live'; c.snapshot.origin = 'live'; return c; };

describe('a dashed Middleware key names no one namespace', () => {
  it('an Ingress naming db-sso-auth@kubernetescrd in manifests declaring db but not db-sso: counted as served, the note says it cannot be confirmed', () => {
    const c = ingressCase('db-sso-auth@kubernetescrd', '');
    // Before: "does not exist … not served", and network.exposed-workload, tls.ingress-without-tls
    // and tls.edge-auth-missing dropped.
    expect(exposure(c)?.status).toBe('fail');
    expect(tlsVerdicts(c, 'Ingress')).toEqual(['fail']);
    expect(exposureNotes(c.snapshot)).toContain('Ingress db/web: Traefik Middleware db-sso-auth@kubernetescrd (db/sso-auth) is not in the input, nor is the Namespace object of namespace db-sso, whose objects may be elsewhere (Traefik keys a Middleware <namespace>-<name>, each run of characters other than letters and digits one dash, so key db-sso-auth may be Middleware db-sso/auth): whether Traefik builds its routers cannot be confirmed (it builds none naming a Middleware that does not exist), so its routers are counted as served');
    const [guard] = [...edgeAuthMissing.evaluate(c)].filter((v) => v.resource.kind === 'Ingress');
    expect(guard.status).toBe('fail');
    expect(guard.evidence?.malformed).toBeUndefined();
  });

  it('an IngressRoute naming db-sso-auth@kubernetescrd, or sso-auth of its own namespace (the same key): counted as served', () => {
    for (const middlewares of ['[{name: db-sso-auth@kubernetescrd}]', '[{name: sso-auth}]']) {
      const c = httpCase(middlewares, '', CROSS);
      expect(exposure(c)?.status, middlewares).toBe('fail');
      expect(tlsVerdicts(c, 'IngressRoute'), middlewares).toEqual(['fail']);
      expect(exposureNotes(c.snapshot).filter((n) => n.startsWith('IngressRoute db/postgres')).map((n) => n.includes('namespace db-sso, whose objects may be elsewhere') && n.endsWith('is counted as served')), middlewares).toEqual([true]);
      const [guard] = [...edgeAuthMissing.evaluate(c)].filter((v) => v.resource.kind === 'IngressRoute');
      expect(guard.status, middlewares).toBe('fail');
      expect(guard.evidence?.malformed, middlewares).toBeUndefined();
    }
  });

  it('the Middleware under the other split is found: served and its guard counts', () => {
    const c = httpCase('[{name: db-sso-auth@kubernetescrd}]', NS('db-sso') + object('Middleware', 'auth', 'db-sso', '{basicAuth: {secret: users}}'), CROSS);
    expect(exposure(c)?.status).toBe('fail');
    expect(exposureNotes(c.snapshot).filter((n) => n.includes('db-sso-auth'))).toEqual([]);
  });

  it('every split declared: a namespace name with a dash still leaves the key to a doubled-dash spelling (db--sso), which cannot be confirmed', () => {
    const c = ingressCase('db-sso-auth@kubernetescrd', NS('db-sso'));
    expect(exposure(c)?.status).toBe('fail');
    expect(exposureNotes(c.snapshot).some((n) => n.startsWith('Ingress db/web: Traefik Middleware db-sso-auth@kubernetescrd (db/sso-auth) is not in the input, nor is the Namespace object of namespace db--sso, whose objects may be elsewhere') && n.endsWith('counted as served'))).toBe(true);
  });

  it('a key whose only split is a declared namespace is still missing: not served', () => {
    // db-auth: namespace db, no dash to double.
    const c = ingressCase('db-auth@kubernetescrd', '');
    expect(exposure(c)).toBeUndefined();
  });

  it('a live snapshot lists Middlewares cluster-wide: a key none has is missing whatever namespace it may name', () => {
    for (const c of [live(ingressCase('db-sso-auth@kubernetescrd', '')), live(httpCase('[{name: db-sso-auth@kubernetescrd}]', '', CROSS))]) {
      expect(exposure(c)).toBeUndefined();
      expect(exposureNotes(c.snapshot).some((n) => n.includes('Traefik Middleware db-sso-auth@kubernetescrd') && n.includes('does not exist: Traefik builds no router') && n.endsWith('not served'))).toBe(true);
    }
  });
});
