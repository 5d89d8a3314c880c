// Traefik MiddlewareTCPs in front of an IngressRouteTCP. A route names them in
// spec.routes[].middlewares (name, and a namespace defaulting to the route's:
// https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/tcp/ingressroutetcp/,
// routes[n].middlewares[n].namespace; https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/tcp/middlewaretcp/).
// A TCP middleware is one of InFlightConn ("the number of allowed simultaneous connections by IP
// can be limited": https://doc.traefik.io/traefik/reference/routing-configuration/tcp/middlewares/inflightconn/)
// and IPAllowList ("limits allowed requests based on the client IP", sourceRange required:
// https://doc.traefik.io/traefik/reference/routing-configuration/tcp/middlewares/ipallowlist/),
// or the deprecated IPWhiteList. Traefik builds the router's middleware chain and, when a
// middleware "does not exist" or cannot be built, logs the error and builds no router
// (traefik/traefik pkg/server/middleware/tcp/middlewares.go BuildChain, buildConstructor;
// pkg/server/router/tcp/manager.go addTCPHandlers): the route serves nothing.
import { describe, expect, it } from 'vitest';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { edgeRoutes } from '../../../src/analysis/edge/routes.ts';
import { exposureNotes } from '../../../src/analysis/netpol/exposure.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { edgeRateLimitMissing } from '../../../checks/tls/edge-rate-limit-missing.ts';
import { edgeWafMissing } from '../../../checks/tls/edge-waf-missing.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';
import { exposedWorkload } from '../../../checks/network/exposed-workload.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { TRAEFIK_TCP_MIDDLEWARE_KEYS } from '../../../src/analysis/tls/traefik.ts';
import { cluster, ctx, exposure, guard, tcpRoute } from './traefik-tcp.ts';

const CRD = ['--providers.kubernetescrd'];

/** A MiddlewareTCP `name` in namespace `ns` with the given spec (YAML flow text). */
const middlewareTcp = (name: string, spec: string, ns = 'db', group = 'traefik.io') => `---
apiVersion: ${group}/v1alpha1
kind: MiddlewareTCP
metadata: {name: ${name}, namespace: ${ns}}
spec: ${spec}
`;

/** The route (naming `middlewares`) and the MiddlewareTCPs, on the shared Traefik + Postgres scenario. */
const scenario = (middlewares: string, ...objects: string[]) => ctx(cluster(CRD, tcpRoute({ middlewares }) + objects.join('')));

const only = (c: AuditContext, check: typeof edgeAuthMissing) => {
  const v = guard(c, check);
  expect(v, check.id).toHaveLength(1);
  return v[0];
};

describe('an inFlightConn MiddlewareTCP is the TCP router\'s connection limit, as an inFlightReq Middleware is an HTTP router\'s', () => {
  it('it passes tls.edge-rate-limit-missing, naming the MiddlewareTCP and its amount; without it the route fails', () => {
    const limited = only(scenario('[{name: conn-limit}]', middlewareTcp('conn-limit', '{inFlightConn: {amount: 10}}')), edgeRateLimitMissing);
    expect(limited.status).toBe('pass');
    expect(limited.message).toBe('any host: Traefik MiddlewareTCP db/conn-limit inFlightConn (amount 10)');
    const bare = only(ctx(cluster(CRD, tcpRoute())), edgeRateLimitMissing);
    expect(bare.status).toBe('fail');
    expect(bare.message).toContain('only MiddlewareTCPs (InFlightConn, IPAllowList), of which its routes name none (spec.routes[].middlewares)');
  });

  it('the namespace defaults to the route\'s; the traefik.containo.us group is read too', () => {
    const legacy = scenario('[{name: conn-limit}]', middlewareTcp('conn-limit', '{inFlightConn: {amount: 5}}', 'db', 'traefik.containo.us'));
    expect(only(legacy, edgeRateLimitMissing).status).toBe('pass');
    expect(edgeRoutes(legacy.snapshot).routes.map((r) => r.middlewares)).toEqual([['db/conn-limit']]);
  });

  it('one of another namespace counts only where allowCrossNamespace is on (traefik-cross-namespace.test.ts has the rest)', () => {
    const c = ctx(cluster([...CRD, '--providers.kubernetescrd.allowCrossNamespace=true'], tcpRoute({ middlewares: '[{name: conn-limit, namespace: shared}]' }) + middlewareTcp('conn-limit', '{inFlightConn: {amount: 10}}', 'shared')));
    const v = only(c, edgeRateLimitMissing);
    expect(v.status).toBe('pass');
    expect(v.message).toBe('any host: Traefik MiddlewareTCP shared/conn-limit inFlightConn (amount 10)');
  });

  it('a MiddlewareTCP setting ipAllowList too builds only the allowlist (the last type set wins in buildConstructor): no connection limit', () => {
    const both = only(scenario('[{name: mixed}]', middlewareTcp('mixed', '{inFlightConn: {amount: 10}, ipAllowList: {sourceRange: [10.0.0.0/8]}}')), edgeRateLimitMissing);
    expect(both.status).toBe('fail');
  });

  it('HTTP Middlewares do not stand in for MiddlewareTCPs: a Middleware of the same name with rateLimit is not read for the TCP router', () => {
    const http = `---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: connlimit, namespace: db}
spec: {rateLimit: {average: 10}}
`;
    const c = ctx(cluster(CRD, tcpRoute({ middlewares: '[{name: connlimit}]' }) + http));
    // The MiddlewareTCP does not exist: Traefik refuses the router, whatever Middleware shares its name.
    expect(guard(c, edgeRateLimitMissing)).toEqual([]);
  });
});

describe('an ipAllowList MiddlewareTCP restricts the client addresses; an address is no identity', () => {
  it('tls.edge-auth-missing still fails, naming the allowlist and its sourceRange; the deprecated ipWhiteList alike', () => {
    for (const type of ['ipAllowList', 'ipWhiteList']) {
      const v = only(scenario('[{name: office}]', middlewareTcp('office', `{${type}: {sourceRange: [203.0.113.0/24, 192.168.1.7]}}`)), edgeAuthMissing);
      expect(v.status, type).toBe('fail');
      expect(v.message, type).toContain(`Traefik MiddlewareTCP db/office ${type} (sourceRange 203.0.113.0/24, 192.168.1.7) admits only those client addresses, but a client address is no identity, so it does not count as authentication`);
      // Neither a connection limit nor a WAF.
      expect(only(scenario('[{name: office}]', middlewareTcp('office', `{${type}: {sourceRange: [203.0.113.0/24]}}`)), edgeRateLimitMissing).status).toBe('fail');
      expect(only(scenario('[{name: office}]', middlewareTcp('office', `{${type}: {sourceRange: [203.0.113.0/24]}}`)), edgeWafMissing).status).toBe('fail');
    }
  });

  it('an HTTP IngressRoute\'s ipAllowList Middleware is named the same way', () => {
    const route = tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', middlewares: '[{name: office}]' });
    const http = `---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: office, namespace: db}
spec: {ipAllowList: {sourceRange: [203.0.113.0/24]}}
`;
    const v = [...edgeAuthMissing.evaluate(ctx(cluster(CRD, route + http)))].filter((x) => x.resource.kind === 'IngressRoute');
    expect(v.map((x) => x.status)).toEqual(['fail']);
    expect(v[0].message).toContain('Traefik Middleware db/office ipAllowList (sourceRange 203.0.113.0/24) admits only those client addresses, but a client address is no identity');
  });
});

describe('a MiddlewareTCP Traefik cannot use makes it refuse the router: no edge route, no guard counted', () => {
  it('a missing MiddlewareTCP: the workload is not exposed through the route, and the note names the MiddlewareTCP', () => {
    // Key db-connlimit: only namespace db (declared) may hold it.
    const c = scenario('[{name: connlimit}]');
    expect(exposure(c)).toBeUndefined();
    for (const check of [edgeAuthMissing, edgeRateLimitMissing, edgeWafMissing]) expect(guard(c, check), check.id).toEqual([]);
    expect(exposureNotes(c.snapshot)).toContain('IngressRouteTCP db/postgres: Traefik MiddlewareTCP db/connlimit, which it names, does not exist, so Traefik refuses the router; it is not served');
  });

  it('one Traefik cannot build: a spec of no known type, an allowlist with an empty sourceRange', () => {
    for (const [spec, why] of [['{}', 'it sets none of inFlightConn, ipAllowList, ipWhiteList'], ['{ipAllowList: {sourceRange: []}}', 'its ipAllowList.sourceRange is empty']]) {
      const c = scenario('[{name: broken}]', middlewareTcp('broken', spec));
      expect(exposure(c), spec).toBeUndefined();
      expect(exposureNotes(c.snapshot), spec).toContain(`IngressRouteTCP db/postgres: Traefik MiddlewareTCP db/broken, which it names, cannot be built (${why}), so Traefik refuses the router; it is not served`);
    }
  });

  it('MiddlewareTCPs that could not be listed: a missing one is not known to be missing, so the route stays exposed (missing data is not a fix)', () => {
    const c = scenario('[{name: conn-limit}]');
    c.snapshot.coverage['traefik.middlewaretcps'] = { status: 'forbidden', detail: 'list middlewaretcps.traefik.io (refused in test)' };
    expect(exposure(c)?.status).toBe('fail');
    const v = only(c, edgeRateLimitMissing);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('Traefik MiddlewareTCP db/conn-limit could not be read');
  });

  it('a route without TLS matching a host name by HostSNI is refused too (only HostSNI(`*`) may go without TLS)', () => {
    const c = ctx(cluster(CRD, tcpRoute({ match: 'HostSNI(`db.example.com`)' })));
    expect(exposure(c)).toBeUndefined();
    expect(exposureNotes(c.snapshot)).toContain('IngressRouteTCP db/postgres: its rule "HostSNI(`db.example.com`)" matches HostSNI "db.example.com" without tls, which Traefik refuses (a TCP router without TLS can only match HostSNI(`*`)); it is not served');
    // With tls, the same rule is served.
    expect(exposure(ctx(cluster(CRD, tcpRoute({ match: 'HostSNI(`db.example.com`)', tls: '{secretName: db-cert}' }))))?.status).toBe('fail');
  });
});

describe('MiddlewareTCPs that were not read leave the route served: missing data is no fix', () => {
  const FIVE = [exposedWorkload, ingressWithoutTls, edgeAuthMissing, edgeRateLimitMissing, edgeWafMissing];

  it('a snapshot written before ztaudit collected MiddlewareTCPs (no coverage entry, no objects): the route stays exposed, without TLS and without authentication', () => {
    const c = scenario('[{name: conn-limit}]', middlewareTcp('conn-limit', '{inFlightConn: {amount: 10}}'));
    for (const k of TRAEFIK_TCP_MIDDLEWARE_KEYS) {
      delete c.snapshot.coverage[k];
      delete c.snapshot.resources[k];
    }
    expect(exposure(c)?.status).toBe('fail');
    expect(guard(c, ingressWithoutTls).map((v) => v.status)).toEqual(['fail']);
    expect(only(c, edgeAuthMissing).status).toBe('fail');
    const limit = only(c, edgeRateLimitMissing);
    expect(limit.status).toBe('fail');
    expect(limit.message).toContain('Traefik MiddlewareTCP db/conn-limit could not be read');
    expect(exposureNotes(c.snapshot).filter((n) => n.includes('refuses the router'))).toEqual([]);
  });

  it('MiddlewareTCPs forbidden (a role that predates the kind): all five edge checks are still evaluated, the route exposed, the guard naming what it could not read', () => {
    const c = scenario('[{name: conn-limit}]');
    c.snapshot.coverage['traefik.middlewaretcps'] = { status: 'forbidden', detail: 'list middlewaretcps.traefik.io (refused in test)' };
    delete c.snapshot.resources['traefik.middlewaretcps'];
    const outcomes = runChecks(FIVE, c);
    expect(outcomes.map((o) => `${o.check.id} ${o.status}`)).toEqual([
      'network.exposed-workload fail', 'tls.ingress-without-tls fail', 'tls.edge-auth-missing fail', 'tls.edge-rate-limit-missing fail', 'tls.edge-waf-missing fail',
    ]);
    const limit = outcomes[3].results.find((r) => r.resource.kind === 'IngressRouteTCP');
    expect(limit?.message).toContain('Traefik MiddlewareTCP db/conn-limit could not be read');
    expect(outcomes[0].results.some((r) => r.status === 'fail' && r.resource.kind === 'StatefulSet' && r.resource.name === 'postgres')).toBe(true);
  });
});

describe('Traefik finds a MiddlewareTCP by its key Normalize(namespace-name), not by namespace and name', () => {
  // traefik/traefik pkg/provider/kubernetes/crd/kubernetes.go: a MiddlewareTCP is stored under
  // provider.Normalize(makeID(namespace, name)) and a route's reference resolves to
  // provider.Normalize(ns + "-" + name) (resolveReference); Normalize (pkg/provider/configuration.go)
  // joins the runs of letters and digits with "-".
  it('a route in db naming "team-limit" uses MiddlewareTCP db-team/limit (key db-team-limit): the route is served, not refused', () => {
    const yaml = cluster(CRD, tcpRoute({ middlewares: '[{name: team-limit}]' }) + middlewareTcp('limit', '{inFlightConn: {amount: 10}}', 'db-team')).replace('metadata: {name: db}', 'metadata: {name: db}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: db-team}');
    const c = ctx(yaml);
    expect(exposure(c)?.status).toBe('fail');
    expect(exposureNotes(c.snapshot).filter((n) => n.includes('refuses the router'))).toEqual([]);
    expect(guard(c, edgeAuthMissing).map((v) => v.status)).toEqual(['fail']);
    // The guards find it the same way: its connection limit counts, and no allowCrossNamespace is
    // needed, the reference naming the route's own namespace.
    const limit = only(c, edgeRateLimitMissing);
    expect(limit.status).toBe('pass');
    expect(limit.message).toBe('any host: Traefik MiddlewareTCP db-team/limit inFlightConn (amount 10)');
    expect(limit.evidence?.lookedAt).toContain('Traefik MiddlewareTCP db/team-limit is MiddlewareTCP db-team/limit (Traefik finds it by the key namespace-name)');
    expect((limit.evidence?.lookedAt as string[]).filter((l) => l.includes('allowCrossNamespace'))).toEqual([]);
  });

  it('two MiddlewareTCPs under one key (db/team-limit and db-team/limit): the route is served, and neither counts as its guard', () => {
    const yaml = cluster(CRD, tcpRoute({ middlewares: '[{name: team-limit}]' }) + middlewareTcp('limit', '{inFlightConn: {amount: 10}}', 'db-team') + middlewareTcp('team-limit', '{inFlightConn: {amount: 5}}'))
      .replace('metadata: {name: db}', 'metadata: {name: db}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: db-team}');
    const c = ctx(yaml);
    expect(exposure(c)?.status).toBe('fail');
    const limit = only(c, edgeRateLimitMissing);
    expect(limit.status).toBe('fail');
    expect(limit.message).toContain('Traefik MiddlewareTCPs db-team/limit, db/team-limit all answer to Traefik\'s key for db/team-limit; which one it uses is not known, so none counts');
  });

  it('a key no MiddlewareTCP has ("team-limit" does not find db-teams/limit): from manifests lacking namespace db-team, which may hold it, the route is served with a note; from a live cluster, refused', () => {
    // Key db-team-limit is MiddlewareTCP db/team-limit and db-team/limit alike (traefikKey); a
    // manifests input without namespace db-team's Namespace object may leave its objects elsewhere,
    // as for HTTP Middlewares (traefik-missing-middleware.test.ts): no route dropped on a guess.
    const yaml = cluster(CRD, tcpRoute({ middlewares: '[{name: team-limit}]' }) + middlewareTcp('limit', '{inFlightConn: {amount: 10}}', 'db-teams'));
    const c = ctx(yaml);
    expect(exposure(c)?.status).toBe('fail');
    expect(exposureNotes(c.snapshot)).toContain('IngressRouteTCP db/postgres: Traefik MiddlewareTCP db/team-limit is not in the input, nor is the Namespace object of namespace db-team, whose objects may be elsewhere (Traefik keys a MiddlewareTCP <namespace>-<name>, each run of characters other than letters and digits one dash, so key db-team-limit may be MiddlewareTCP db-team/limit): whether Traefik builds the router cannot be confirmed (it refuses one naming a MiddlewareTCP that does not exist), so it is counted as served');
    const live = ctx(yaml);
    live.snapshot = { ...live.snapshot, source: 'live', origin: 'live' };
    expect(exposure(live)).toBeUndefined();
    expect(exposureNotes(live.snapshot)).toContain('IngressRouteTCP db/postgres: Traefik MiddlewareTCP db/team-limit, which it names, does not exist, so Traefik refuses the router; it is not served');
  });
});
