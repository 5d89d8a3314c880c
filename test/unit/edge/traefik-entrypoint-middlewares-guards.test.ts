// A Traefik entryPoint's http.middlewares run ahead of the middlewares of every HTTP router on it
// (https://doc.traefik.io/traefik/routing/entrypoints/#middlewares; traefik/traefik
// pkg/server/aggregator.go applyModel: `cp.Middlewares = append(m.Middlewares, cp.Middlewares...)`),
// so a ForwardAuth, RateLimit or WAF plugin named there guards every route on that entryPoint, as
// one the route names itself does. A route on several entryPoints (or served by several Traefiks)
// is guarded only when every way in is. A Traefik whose install configuration is a file reads its
// entryPoints there alone (https://doc.traefik.io/traefik/getting-started/configuration-overview/:
// one source only, the file first): ztaudit reads them from a TOML or YAML file that is a key of a
// ConfigMap volume of the input. One it cannot read may name any: a route without a guard of its
// own is then "cannot be confirmed" (medium), not a finding on Traefik's defaults.
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { Check } from '../../../src/engine/types.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { edgeRateLimitMissing } from '../../../checks/tls/edge-rate-limit-missing.ts';
import { edgeWafMissing } from '../../../checks/tls/edge-waf-missing.ts';
import { cluster, ctx, tcpRoute } from './traefik-tcp.ts';

const middleware = (name: string, ns: string, spec: string) => `---
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata: {name: ${name}, namespace: ${ns}}
spec: ${spec}
`;
const GUARDS = middleware('auth', 'traefik', '{forwardAuth: {address: "http://auth.traefik.svc/verify"}}')
  + middleware('limit', 'traefik', '{rateLimit: {average: 50}}')
  + middleware('waf', 'traefik', '{plugin: {coraza: {directives: ["SecRuleEngine On"]}}}')
  + middleware('guards', 'traefik', '{chain: {middlewares: [{name: auth}, {name: limit}, {name: waf}]}}');
/** IngressRoute db/postgres for db.example.com on entryPoint postgres, through Traefik run with `args`. */
const host = (args: string[], extra = '', route = tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)' })) => ctx(cluster(['--providers.kubernetescrd', ...args], route + GUARDS + extra));
function verdict(check: Check, c: ReturnType<typeof ctx>): Verdict {
  const out = [...check.evaluate(c)].filter((v) => v.resource.kind === 'IngressRoute');
  expect(out).toHaveLength(1);
  return out[0]!;
}
const graded = (v: Verdict) => [v.status, v.status === 'fail' ? v.severity ?? 'default' : undefined];
const CHECKS = [edgeAuthMissing, edgeRateLimitMissing, edgeWafMissing];

describe('Traefik entryPoint http.middlewares in front of every router on the entryPoint', () => {
  it('none: each guard check fails at its own severity (the route names no middleware)', () => {
    for (const check of CHECKS) expect(graded(verdict(check, host([])))).toEqual(['fail', 'default']);
  });

  it('a chain of ForwardAuth, RateLimit and a Coraza plugin on the entryPoint: every guard check passes, naming the Middleware', () => {
    const c = host(['--entrypoints.postgres.http.middlewares=traefik-guards@kubernetescrd']);
    const auth = verdict(edgeAuthMissing, c);
    expect(graded(auth)).toEqual(['pass', undefined]);
    expect(auth.message).toContain('Traefik Middleware traefik/auth forwardAuth');
    expect(verdict(edgeRateLimitMissing, c).message).toContain('Traefik Middleware traefik/limit rateLimit');
    expect(verdict(edgeWafMissing, c).message).toContain('Traefik Middleware traefik/waf plugin coraza');
  });

  it('named one by one: each counts for its own check', () => {
    const c = host(['--entrypoints.postgres.http.middlewares=traefik-auth@kubernetescrd,traefik-limit@kubernetescrd']);
    expect(graded(verdict(edgeAuthMissing, c))).toEqual(['pass', undefined]);
    expect(graded(verdict(edgeRateLimitMissing, c))).toEqual(['pass', undefined]);
    expect(graded(verdict(edgeWafMissing, c))).toEqual(['fail', 'default']);
  });

  it('on another entryPoint only: the route\'s entryPoint runs none, a certain finding', () => {
    const c = host(['--entrypoints.web.address=:8000', '--entrypoints.web.http.middlewares=traefik-guards@kubernetescrd']);
    expect(graded(verdict(edgeAuthMissing, c))).toEqual(['fail', 'default']);
  });

  it('a name of another provider, or a Middleware not in the input, does not count', () => {
    for (const name of ['auth@file', 'traefik-missing@kubernetescrd']) {
      const v = verdict(edgeAuthMissing, host([`--entrypoints.postgres.http.middlewares=${name}`]));
      expect(graded(v)).toEqual(['fail', 'default']);
      expect(v.message).toContain(`${name} of entryPoint postgres of Deployment traefik/traefik`);
    }
  });
});

/** The Traefik of `host` reading `text` as its traefik.toml, a key of ConfigMap traefik/traefik-config mounted at /etc/traefik (its arguments then count for nothing). */
const fromToml = (args: string[], text: string) => ctx(cluster(['--providers.kubernetescrd', ...args], tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)' }) + GUARDS + `---
apiVersion: v1
kind: ConfigMap
metadata: {name: traefik-config, namespace: traefik}
data: {traefik.toml: ${JSON.stringify(text)}}
`).replace('        ports: [{name: postgres, containerPort: 5432}]', '        ports: [{name: postgres, containerPort: 5432}]\n        volumeMounts: [{name: config, mountPath: /etc/traefik}]\n      volumes: [{name: config, configMap: {name: traefik-config}}]'));
const POSTGRES = '[entryPoints.postgres]\n  address = ":5432"\n[providers.kubernetesCRD]\n';

describe('a Traefik configured by a traefik.toml: its entryPoints\' http.middlewares read from the file alone', () => {
  it('the chain named in the file guards the route, as the same flag does', () => {
    const c = fromToml([], `${POSTGRES}  [entryPoints.postgres.http]\n    middlewares = ["traefik-guards@kubernetescrd"]\n`);
    const auth = verdict(edgeAuthMissing, c);
    expect(graded(auth)).toEqual(['pass', undefined]);
    expect(auth.message).toContain('Traefik Middleware traefik/auth forwardAuth');
    expect(graded(verdict(edgeWafMissing, c))).toEqual(['pass', undefined]);
  });
  it('the file\'s providers.kubernetesCRD.namespaces leaving out the chain\'s namespace: the chain is not read, so it guards nothing', () => {
    const c = fromToml([], '[entryPoints.postgres]\n  address = ":5432"\n  [entryPoints.postgres.http]\n    middlewares = ["traefik-guards@kubernetescrd"]\n[providers.kubernetesCRD]\n  namespaces = ["db"]\n');
    const v = verdict(edgeAuthMissing, c);
    expect(graded(v)).toEqual(['fail', 'default']);
    expect(v.message).toContain('watches only namespaces db (providers.kubernetesCRD.namespaces), not traefik');
  });
  it('the chain on entryPoint Postgres of the file guards nothing on postgres: Traefik keeps entryPoint names as written (traefik/paerser parser/element_fill.go setMap), a certain finding', () => {
    const v = verdict(edgeAuthMissing, fromToml([], `${POSTGRES}[entryPoints.Postgres]\n  address = ":5433"\n  [entryPoints.Postgres.http]\n    middlewares = ["traefik-guards@kubernetescrd"]\n`));
    expect(graded(v)).toEqual(['fail', 'default']);
  });
  it('the flag beside a file that names none counts for nothing: Traefik ignores its arguments then, a certain finding', () => {
    const v = verdict(edgeAuthMissing, fromToml(['--entrypoints.postgres.http.middlewares=traefik-guards@kubernetescrd'], POSTGRES));
    expect(graded(v)).toEqual(['fail', 'default']);
  });
});

describe('a Traefik configured by a file ztaudit cannot read', () => {
  // --configFile naming a file on no volume of the input.
  const fileArgs = ['--configFile=/etc/traefik/traefik.toml'];
  it('a route with no guard of its own: cannot be confirmed (medium), naming the file, not a finding on the defaults', () => {
    const v = verdict(edgeAuthMissing, host(fileArgs));
    expect(graded(v)).toEqual(['fail', 'medium']);
    expect(v.message).toContain('whether the entryPoint middlewares of Deployment traefik/traefik guard it cannot be confirmed: it reads its install configuration from a file ztaudit cannot read (Deployment traefik/traefik: its configuration file "/etc/traefik/traefik.toml" is not on a volume of the input)');
    expect(v.message).toContain('It is not judged on the Traefik defaults.');
  });
  it('a route naming its own ForwardAuth still passes: nothing the file says takes it away', () => {
    const route = tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', middlewares: '[{name: own-auth}]' });
    expect(graded(verdict(edgeAuthMissing, host(fileArgs, middleware('own-auth', 'db', '{basicAuth: {secret: users}}'), route)))).toEqual(['pass', undefined]);
  });
});
