// Traefik's kubernetescrd provider and references across namespaces. An IngressRoute or
// IngressRouteTCP naming a Middleware, MiddlewareTCP, TLSOption or Service of another namespace
// is refused unless the provider's allowCrossNamespace is on ("To enable such cross-namespace
// references, the allowCrossNamespace option must be enabled":
// https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/http/middleware/,
// "Cross-Namespace References"; https://doc.traefik.io/traefik/providers/kubernetes-crd/#allowcrossnamespace,
// default false). Traefik then skips the whole route, not the middleware: traefik/traefik
// pkg/provider/kubernetes/crd/kubernetes_http.go loadConfigurationFromCRD, `mds, err :=
// makeMiddlewareKeys(...); if err != nil { ...; continue }`, and the same for the TLSOption's
// resolveReference and for kubernetes_tcp.go makeMiddlewareTCPKeys. The option came with v2.4.0
// defaulting to true (its SetDefaults) and defaults to false from v2.4.10 on (CHANGELOG.md@v2.4.10, #8260).
import { describe, expect, it } from 'vitest';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Check } from '../../../src/engine/types.ts';
import { exposureNotes } from '../../../src/analysis/netpol/exposure.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { edgeRateLimitMissing } from '../../../checks/tls/edge-rate-limit-missing.ts';
import { cluster, ctx, exposure, tcpRoute } from './traefik-tcp.ts';

const CRD = ['--providers.kubernetescrd'];
const ALLOW = [...CRD, '--providers.kubernetescrd.allowCrossNamespace=true'];

const object = (kind: string, name: string, ns: string, spec: string) => `---
apiVersion: traefik.io/v1alpha1
kind: ${kind}
metadata: {name: ${name}, namespace: ${ns}}
spec: ${spec}
`;
const BASIC_AUTH = object('Middleware', 'auth', 'shared', '{basicAuth: {secret: users}}');

/** An IngressRoute db/postgres for db.example.com naming `middlewares`, served by a Traefik with `args` (image `image`). */
const httpCase = (args: string[], middlewares: string, objects: string, image?: string, tls?: string) =>
  ctx(cluster(args, tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', middlewares, tls }) + objects, image));

/**
 * The same, its Traefik objects of traefik.containo.us: the only API group a Traefik before v2.10 reads
 * (pkg/provider/kubernetes/crd/traefik/v1alpha1/register.go@v2.4.9 and @v2.8.8, GroupName "traefik.containo.us").
 */
const httpCaseBefore210 = (args: string[], middlewares: string, objects: string, image: string) =>
  ctx(cluster(args, (tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', middlewares }) + objects).replaceAll('apiVersion: traefik.io/', 'apiVersion: traefik.containo.us/'), image));

const verdicts = (c: AuditContext, check: Check, kind = 'IngressRoute') => [...check.evaluate(c)].filter((v) => v.resource.kind === kind);

describe('a route naming a Middleware of another namespace', () => {
  it('Traefik v3 without allowCrossNamespace refuses the route: not a way in, no guard credited, a note saying why', () => {
    const c = httpCase(CRD, '[{name: auth, namespace: shared}]', BASIC_AUTH);
    // Before: the route counted as served, its BasicAuth as its guard.
    expect(exposure(c)).toBeUndefined();
    expect(verdicts(c, edgeAuthMissing)).toEqual([]);
    expect(exposureNotes(c.snapshot)).toContain('IngressRoute db/postgres: it names Middleware shared/auth, of another namespace (or by its @kubernetescrd key), which Traefik\'s kubernetescrd provider refuses without allowCrossNamespace (Deployment traefik/traefik: allowCrossNamespace is not set: its default is false (Traefik v3.3.4)); the route "Host(`db.example.com`)" is not served');
  });

  it('set to false, the same; set to true (also as a bare flag), the route is served and the Middleware is its guard', () => {
    expect(exposure(httpCase([...CRD, '--providers.kubernetescrd.allowCrossNamespace=false'], '[{name: auth, namespace: shared}]', BASIC_AUTH))).toBeUndefined();
    for (const args of [ALLOW, [...CRD, '--providers.kubernetescrd.allowcrossnamespace']]) {
      const c = httpCase(args, '[{name: auth, namespace: shared}]', BASIC_AUTH);
      expect(exposure(c)?.status, args.join(' ')).toBe('fail');
      expect(verdicts(c, edgeAuthMissing).map((v) => `${v.status} ${v.message}`)).toEqual(['pass db.example.com: Traefik Middleware shared/auth basicAuth']);
    }
  });

  it('Traefik v2.4.0–v2.4.9 allowed it by default (the option defaulted to true), v2.4.10 and later no longer', () => {
    // traefik/traefik pkg/provider/kubernetes/crd/kubernetes.go@v2.4.9 SetDefaults: AllowCrossNamespace true;
    // CHANGELOG.md@v2.4.10 "Disable Cross-Namespace by default for IngressRoute provider (#8260)".
    expect(verdicts(httpCaseBefore210(CRD, '[{name: auth, namespace: shared}]', BASIC_AUTH, 'traefik:v2.4.9'), edgeAuthMissing).map((v) => v.status)).toEqual(['pass']);
    for (const image of ['traefik:v2.4.10', 'traefik:v2.4.14', 'traefik:v2.5.0']) {
      const c = httpCaseBefore210(CRD, '[{name: auth, namespace: shared}]', BASIC_AUTH, image);
      // Before (v2.4.10–v2.4.14): served, the Middleware counted as its guard.
      expect(exposure(c), image).toBeUndefined();
      expect(verdicts(c, edgeAuthMissing), image).toEqual([]);
    }
    expect(exposureNotes(httpCaseBefore210(CRD, '[{name: auth, namespace: shared}]', BASIC_AUTH, 'traefik:v2.4.10').snapshot)).toContain('IngressRoute db/postgres: it names Middleware shared/auth, of another namespace (or by its @kubernetescrd key), which Traefik\'s kubernetescrd provider refuses without allowCrossNamespace (Deployment traefik/traefik: allowCrossNamespace is not set: its default is false (Traefik v2.4.10)); the route "Host(`db.example.com`)" is not served');
  });

  it('an image tag naming only the major release: traefik:v3 and traefik:3 refuse it, as every v3 release defaults allowCrossNamespace to false; traefik:v2 cannot tell', () => {
    // traefik/traefik pkg/provider/kubernetes/crd/kubernetes.go at v3.0.0, v3.1.0 … v3.7.0 and v3.7.9: a
    // plain bool that no SetDefaults sets; docs/content/providers/kubernetes-crd.md@v3.0.0
    // "allowCrossNamespace: Optional, Default: false". v2 defaulted it to true from v2.4.0 to v2.4.9.
    for (const image of ['traefik:v3', 'docker.io/library/traefik:3']) {
      const c = httpCase(CRD, '[{name: auth, namespace: shared}]', BASIC_AUTH, image);
      // Before: "allowCrossNamespace … is not known": served, with a note.
      expect(exposure(c), image).toBeUndefined();
      expect(verdicts(c, edgeAuthMissing), image).toEqual([]);
      expect(exposureNotes(c.snapshot), image).toContain(`IngressRoute db/postgres: it names Middleware shared/auth, of another namespace (or by its @kubernetescrd key), which Traefik's kubernetescrd provider refuses without allowCrossNamespace (Deployment traefik/traefik: allowCrossNamespace is not set: its default is false in every Traefik v3 release (the image ${image} names no minor release)); the route "Host(\`db.example.com\`)" is not served`);
    }
    for (const image of ['traefik:v2', 'traefik:latest']) {
      const c = httpCase(CRD, '[{name: auth, namespace: shared}]', BASIC_AUTH, image);
      expect(exposure(c)?.status, image).toBe('fail');
      expect(exposureNotes(c.snapshot).some((n) => n.startsWith('IngressRoute db/postgres: it names Middleware shared/auth') && n.includes('which is not known') && n.endsWith('it is counted as served')), image).toBe(true);
    }
    expect(exposureNotes(httpCase(CRD, '[{name: auth, namespace: shared}]', BASIC_AUTH, 'traefik:v2').snapshot).find((n) => n.startsWith('IngressRoute db/postgres: it names Middleware shared/auth'))).toContain('the image traefik:v2 names no v2 minor release: v2 releases allow cross-namespace references before v2.4.10 and default allowCrossNamespace to false from it');
  });

  it('not known (a configuration file): the route counts as served, the Middleware not as its guard, and both say why', () => {
    const c = httpCase([...CRD, '--configFile=/config/traefik.yml'], '[{name: auth, namespace: shared}]', BASIC_AUTH);
    expect(exposure(c)?.status).toBe('fail');
    const [v] = verdicts(c, edgeAuthMissing);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('Traefik Middleware shared/auth may be of another namespace than IngressRoute db/postgres, which Traefik\'s kubernetescrd provider allows only with allowCrossNamespace on: not known (Deployment traefik/traefik: its configuration file is not in the snapshot), so it does not count');
    expect(exposureNotes(c.snapshot).some((n) => n.startsWith('IngressRoute db/postgres: it names Middleware shared/auth') && n.includes('which is not known'))).toBe(true);
  });

  it('an IngressRouteTCP naming a MiddlewareTCP of another namespace, and a route naming a TLSOption of another namespace, are refused alike', () => {
    const tcp = ctx(cluster(CRD, tcpRoute({ middlewares: '[{name: conn-limit, namespace: shared}]' }) + object('MiddlewareTCP', 'conn-limit', 'shared', '{inFlightConn: {amount: 10}}')));
    expect(exposure(tcp)).toBeUndefined();
    expect(verdicts(tcp, edgeRateLimitMissing, 'IngressRouteTCP')).toEqual([]);
    const option = httpCase(CRD, '', object('TLSOption', 'mtls', 'shared', '{minVersion: VersionTLS12}'), undefined, '{options: {name: mtls, namespace: shared}}');
    expect(exposure(option)).toBeUndefined();
    expect(exposureNotes(option.snapshot).some((n) => n.includes('it names TLSOption shared/mtls'))).toBe(true);
  });

  it('a chain member of another namespace counts with allowCrossNamespace on, or on a release before v2.11.43, v3.6.14, v3.7.0 (off on a later one, the route is not served: traefik-cross-namespace-refusals.test.ts)', () => {
    const chain = object('Middleware', 'guarded', 'db', '{chain: {middlewares: [{name: auth, namespace: shared}]}}') + BASIC_AUTH;
    expect(verdicts(httpCase(CRD, '[{name: guarded}]', chain, 'traefik:v3.6.14'), edgeAuthMissing)).toEqual([]);
    expect(verdicts(httpCase(CRD, '[{name: guarded}]', chain), edgeAuthMissing).map((v) => v.status)).toEqual(['pass']);
    const unknown = verdicts(httpCase([...CRD, '--configFile=/config/traefik.yml'], '[{name: guarded}]', chain, 'traefik:v3.6.14'), edgeAuthMissing);
    expect(unknown.map((v) => v.status)).toEqual(['fail']);
    expect(unknown[0].message).toContain('Traefik Middleware shared/auth is a chain member of another namespace than its chain\'s (db), which Traefik\'s kubernetescrd provider refuses without allowCrossNamespace from v2.11.43, v3.6.14 and v3.7.0 on: whether it does here is not known');
    expect(verdicts(httpCase(ALLOW, '[{name: guarded}]', chain, 'traefik:v3.6.14'), edgeAuthMissing).map((v) => v.status)).toEqual(['pass']);
  });
});

describe('a Middleware is found by Traefik\'s key Normalize(namespace-name), as the router finds it', () => {
  it('"shared-auth@kubernetescrd" names Middleware shared/auth: with allowCrossNamespace it is the guard; without, Traefik refuses that form', () => {
    const c = httpCase(ALLOW, '[{name: shared-auth@kubernetescrd}]', BASIC_AUTH);
    const [v] = verdicts(c, edgeAuthMissing);
    // Before: "references Traefik Middleware db/shared-auth@kubernetescrd, which does not exist".
    expect(v.status).toBe('pass');
    expect(v.evidence?.lookedAt).toContain('Traefik Middleware shared-auth@kubernetescrd is Middleware shared/auth (Traefik finds it by the key namespace-name)');
    const off = httpCase(CRD, '[{name: shared-auth@kubernetescrd}]', BASIC_AUTH);
    expect(exposure(off)).toBeUndefined();
    expect(exposureNotes(off.snapshot).some((n) => n.includes('it names Middleware shared-auth@kubernetescrd'))).toBe(true);
  });

  it('a route in db naming "team-auth" uses Middleware db-team/auth (key db-team-auth), no allowCrossNamespace needed', () => {
    const c = httpCase(CRD, '[{name: team-auth}]', object('Middleware', 'auth', 'db-team', '{forwardAuth: {address: "https://auth.example.com/verify"}}'));
    const [v] = verdicts(c, edgeAuthMissing);
    expect(v.status).toBe('pass');
    expect(v.message).toBe('db.example.com: Traefik Middleware db-team/auth forwardAuth');
  });

  it('an Ingress\'s router.middlewares "db-auth-v2@kubernetescrd" names Middleware db/auth.v2 (Normalize turns the dot into a dash)', () => {
    const ingress = `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: db
  annotations: {traefik.ingress.kubernetes.io/router.middlewares: "db-auth-v2@kubernetescrd"}
spec:
  ingressClassName: traefik
  rules: [{host: web.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: postgres, port: {number: 5432}}}}]}}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
`;
    const c = ctx(cluster([...CRD, '--providers.kubernetesingress'], ingress + object('Middleware', 'auth.v2', 'db', '{basicAuth: {secret: users}}')));
    expect(verdicts(c, edgeAuthMissing, 'Ingress').map((v) => `${v.status} ${v.message}`)).toEqual(['pass web.example.com: Traefik Middleware db/auth.v2 basicAuth']);
  });

  it('"auth@file" is another provider\'s Middleware: not read, not counted, and not called missing', () => {
    const [v] = verdicts(httpCase(CRD, '[{name: auth@file}]', ''), edgeAuthMissing);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('Traefik Middleware auth@file comes from another provider (file), which is not read');
    expect(v.evidence?.malformed).toBeUndefined();
  });

  it('tls.options naming another provider\'s TLSOption (strict@file): refused without allowCrossNamespace before v2.11.46 / v3.6.17 / v3.7.1, served from them', () => {
    // traefik/traefik pkg/provider/kubernetes/crd/kubernetes_http.go@v3.3.4 (the same @v2.11.0, @v3.6.0,
    // @v3.7.0): an "@" name keeps the namespace "" and isNamespaceAllowed(false, "db", "") refuses the route
    // ("TLSOption %s/%s is not in the IngressRoute namespace %s"); commit 28604083a4 "Add
    // CrossProviderNamespaces option" (first in v2.11.46, v3.6.17, v3.7.1) checks it no longer.
    const tls = '{secretName: db-cert, options: {name: strict@file}}';
    for (const image of ['traefik:v3.3.4', 'traefik:v2.11.45', 'traefik:v3.6.16', 'traefik:v3.7.0']) {
      const c = httpCase(CRD, '', '', image, tls);
      // Before: served, exposed-workload failing.
      expect(exposure(c), image).toBeUndefined();
      expect(exposureNotes(c.snapshot).some((n) => n.startsWith('IngressRoute db/postgres: it names TLSOption strict@file (another provider\'s: this Traefik release takes its namespace as "", which is not the route\'s)') && n.endsWith('is not served')), image).toBe(true);
    }
    for (const image of ['traefik:v3.6.17', 'traefik:v2.11.46', 'traefik:v3.7.1']) expect(exposure(httpCase(CRD, '', '', image, tls))?.status, image).toBe('fail');
    // allowCrossNamespace on, or tls.options.namespace the route's own: served on v3.3.4 too.
    expect(exposure(httpCase(ALLOW, '', '', 'traefik:v3.3.4', tls))?.status).toBe('fail');
    expect(exposure(httpCase(CRD, '', '', 'traefik:v3.3.4', '{secretName: db-cert, options: {name: strict@file, namespace: db}}'))?.status).toBe('fail');
  });
});
