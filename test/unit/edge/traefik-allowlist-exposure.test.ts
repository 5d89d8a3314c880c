// A Traefik IP allowlist on a route narrows who can use that way in, as a NetworkPolicy ipBlock
// narrows a LoadBalancer's: network.exposed-workload names the admitted ranges ("from … only") and
// what admits them, and the path stays a way in from outside. ipAllowList "accepts / refuses
// requests based on the client IP" (https://doc.traefik.io/traefik/reference/routing-configuration/http/middlewares/ipallowlist/;
// for TCP routers .../tcp/middlewares/ipallowlist/). A sourceRange holding 0.0.0.0/0 or ::/0
// admits every address of a family: no allowlist. With ipStrategy.depth or excludedIPs the client
// address is read from X-Forwarded-For (same page, "ipStrategy"), which a client writes itself
// unless a proxy in front rewrites it, so such an allowlist narrows nothing that is known.
import { describe, expect, it } from 'vitest';
import { cluster, ctx, exposure, tcpRoute } from './traefik-tcp.ts';

const CRD = ['--providers.kubernetescrd'];
// The Traefik LoadBalancer with externalTrafficPolicy Local, which keeps the client address; the
// default (Cluster) is the last case.
const withPolicy = (yaml: string, policy: string) => yaml.replace('  type: LoadBalancer\n', `  type: LoadBalancer\n  externalTrafficPolicy: ${policy}\n`);
const localCluster = (...args: Parameters<typeof cluster>) => withPolicy(cluster(...args), 'Local');
const object = (kind: string, name: string, ns: string, spec: string) => `---
apiVersion: traefik.io/v1alpha1
kind: ${kind}
metadata: {name: ${name}, namespace: ${ns}}
spec: ${spec}
`;
const http = (middlewares: string, objects: string, args = CRD) => ctx(localCluster(args, tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', middlewares }) + objects));
const ROUTE = 'IngressRoute db.example.com/ → IngressRoute db/postgres → Service db/postgres:5432';

describe('an IP allowlist on a Traefik route narrows the way in; it is named, and still a way in', () => {
  it('an ipAllowList Middleware: the finding names the admitted ranges and the Middleware', () => {
    const v = exposure(http('[{name: office}]', object('Middleware', 'office', 'db', '{ipAllowList: {sourceRange: [10.0.0.0/8, 192.168.1.7]}}')));
    // Before: "reachable from outside the cluster via IngressRoute …" with no range.
    expect(v?.status).toBe('fail');
    expect(v?.message).toContain(`${ROUTE} from 10.0.0.0/8, 192.168.1.7/32 only (Traefik Middleware db/office ipAllowList)`);
    expect((v?.evidence?.paths as Array<Record<string, unknown>>)[0]).toMatchObject({ route: ROUTE.slice('IngressRoute '.length), admittedFrom: ['10.0.0.0/8', '192.168.1.7/32'], admittedBy: 'Traefik Middleware db/office ipAllowList' });
  });

  it('0.0.0.0/0 or ::/0 in the list admits every address of a family: no range named', () => {
    for (const all of ['0.0.0.0/0', '"::/0"']) {
      const v = exposure(http('[{name: office}]', object('Middleware', 'office', 'db', `{ipAllowList: {sourceRange: [10.0.0.0/8, ${all}]}}`)));
      expect(v?.status, all).toBe('fail');
      expect(v?.message, all).not.toContain(' only');
    }
  });

  it('a MiddlewareTCP ipAllowList on an IngressRouteTCP, and an allowlist inside a chain, narrow alike; two in series admit what both admit', () => {
    const tcp = exposure(ctx(localCluster(CRD, tcpRoute({ middlewares: '[{name: office}]' }) + object('MiddlewareTCP', 'office', 'db', '{ipAllowList: {sourceRange: ["2001:db8::/32"]}}'))));
    expect(tcp?.message).toContain('from 2001:db8::/32 only (Traefik MiddlewareTCP db/office ipAllowList)');
    const chain = exposure(http('[{name: guarded}]', object('Middleware', 'guarded', 'db', '{chain: {middlewares: [{name: office}]}}') + object('Middleware', 'office', 'db', '{ipWhiteList: {sourceRange: [10.0.0.0/8]}}')));
    expect(chain?.message).toContain('from 10.0.0.0/8 only (Traefik Middleware db/office ipWhiteList)');
    const series = exposure(http('[{name: office}, {name: lab}]', object('Middleware', 'office', 'db', '{ipAllowList: {sourceRange: [10.0.0.0/8]}}') + object('Middleware', 'lab', 'db', '{ipAllowList: {sourceRange: [10.1.0.0/16, 172.16.0.0/12]}}')));
    expect(series?.message).toContain('from 10.1.0.0/16 only (Traefik Middleware db/office ipAllowList, Traefik Middleware db/lab ipAllowList)');
  });

  it('allowlists in series with no address in common refuse every client: no way in, and the pass says why', () => {
    const v = exposure(http('[{name: office}, {name: lab}]', object('Middleware', 'office', 'db', '{ipAllowList: {sourceRange: [10.0.0.0/8]}}') + object('Middleware', 'lab', 'db', '{ipAllowList: {sourceRange: [172.16.0.0/12]}}')));
    // Before: a fail "… from no client address (its allowlists have none in common) only".
    expect(v?.status).toBe('pass');
    expect(v?.message).toBe(`the way in from outside is blocked: Traefik for ${ROUTE.slice('IngressRoute '.length)}: its IP allowlists (Traefik Middleware db/office ipAllowList, Traefik Middleware db/lab ipAllowList) have no client address in common`);
  });

  it('not counted: an ipStrategy reading X-Forwarded-For, and one of another namespace where allowCrossNamespace is not known', () => {
    const forwarded = exposure(http('[{name: office}]', object('Middleware', 'office', 'db', '{ipAllowList: {sourceRange: [10.0.0.0/8], ipStrategy: {depth: 1}}}')));
    expect(forwarded?.message).not.toContain(' only');
    const unknown = exposure(http('[{name: office, namespace: shared}]', object('Middleware', 'office', 'shared', '{ipAllowList: {sourceRange: [10.0.0.0/8]}}'), [...CRD, '--configFile=/config/traefik.yml']));
    expect(unknown?.status).toBe('fail');
    expect(unknown?.message).not.toContain(' only');
    // With it on, the same allowlist narrows the route.
    const allowed = exposure(http('[{name: office, namespace: shared}]', object('Middleware', 'office', 'shared', '{ipAllowList: {sourceRange: [10.0.0.0/8]}}'), [...CRD, '--providers.kubernetescrd.allowCrossNamespace=true']));
    expect(allowed?.message).toContain('from 10.0.0.0/8 only (Traefik Middleware shared/office ipAllowList)');
  });

  it('a chain member of another namespace counts where the chain is built: allowCrossNamespace on, or a release before v2.11.43, v3.6.14 and v3.7.0; not where that is not known', () => {
    // traefik/traefik commit df00d82fc7 "Honor allowCrossNamespace with chain middleware CRD" (first in
    // v2.11.43, v3.6.14, v3.7.0): createChainMiddleware refuses such a member without allowCrossNamespace;
    // pkg/provider/kubernetes/crd/kubernetes.go@v3.3.4 built it unchecked (traefik-cross-namespace-refusals.test.ts).
    const objects = object('Middleware', 'guarded', 'db', '{chain: {middlewares: [{name: office, namespace: shared}]}}') + object('Middleware', 'office', 'shared', '{ipAllowList: {sourceRange: [10.0.0.0/8]}}');
    const chained = (args: string[], image: string) => exposure(ctx(localCluster(args, tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', middlewares: '[{name: guarded}]' }) + objects, image)));
    const only = `${ROUTE} from 10.0.0.0/8 only (Traefik Middleware shared/office ipAllowList)`;
    expect(chained([...CRD, '--providers.kubernetescrd.allowCrossNamespace=true'], 'traefik:v3.6.14')?.message).toContain(only);
    expect(chained(CRD, 'traefik:v3.3.4')?.message).toContain(only);
    // traefik:v3.6 builds it before v3.6.14 and refuses it from it; a configuration file hides allowCrossNamespace: served, not narrowed.
    for (const [args, image] of [[CRD, 'traefik:v3.6'], [[...CRD, '--configFile=/config/traefik.yml'], 'traefik:v3.6.14']] as const) {
      const v = chained([...args], image);
      expect(v?.status, image).toBe('fail');
      expect(v?.message, image).not.toContain(' only');
    }
    // Refused (v3.6.14, allowCrossNamespace off): the route is no way in at all.
    expect(chained(CRD, 'traefik:v3.6.14')).toBeUndefined();
  });

  it('an IngressRouteTCP MiddlewareTCP named "<key>@kubernetescrd" counts where Traefik takes that form: allowCrossNamespace on, or a release before v2.11.46, v3.6.17 and v3.7.1; not where that is not known', () => {
    // kubernetes_tcp.go@v3.3.4 and @v3.7.0 makeMiddlewareTCPKeys take a name holding "@" as written;
    // commit 28604083a4 "Add CrossProviderNamespaces option" (v2.11.46, v3.6.17, v3.7.1) refuses it
    // without allowCrossNamespace (traefik-tcp-crd-key.test.ts).
    const keyed = (args: string[], image: string) => exposure(ctx(localCluster(args, tcpRoute({ middlewares: '[{name: shared-office@kubernetescrd}]' }) + object('MiddlewareTCP', 'office', 'shared', '{ipAllowList: {sourceRange: [10.0.0.0/8]}}'), image)));
    const only = 'from 10.0.0.0/8 only (Traefik MiddlewareTCP shared/office ipAllowList)';
    expect(keyed(CRD, 'traefik:v3.3.4')?.message).toContain(only);
    expect(keyed([...CRD, '--providers.kubernetescrd.allowCrossNamespace=true'], 'traefik:v3.6.17')?.message).toContain(only);
    const unknown = keyed(CRD, 'traefik:v3.6');
    expect(unknown?.status).toBe('fail');
    expect(unknown?.message).not.toContain(' only');
    expect(keyed(CRD, 'traefik:v3.6.17')).toBeUndefined();
  });

  it('behind a LoadBalancer with externalTrafficPolicy Cluster (the default) the finding says the client address may be a node address', () => {
    // https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/#preserving-the-client-source-ip:
    // with Cluster "the source IP of the client is replaced" by the node's (SNAT), so an allowlist covering
    // node addresses may admit every client.
    const office = object('Middleware', 'office', 'db', '{ipAllowList: {sourceRange: [10.0.0.0/8]}}');
    for (const policy of ['', 'Cluster']) {
      const yaml = cluster(CRD, tcpRoute({ kind: 'IngressRoute', match: 'Host(`db.example.com`)', middlewares: '[{name: office}]' }) + office);
      const v = exposure(ctx(policy ? withPolicy(yaml, policy) : yaml));
      // Before: "from 10.0.0.0/8 only (Traefik Middleware db/office ipAllowList)", no caveat.
      expect(v?.message, policy).toContain(`${ROUTE} from 10.0.0.0/8 only (Traefik Middleware db/office ipAllowList (client addresses may be rewritten to node addresses: Service traefik/traefik externalTrafficPolicy Cluster))`);
    }
    expect(exposure(http('[{name: office}]', office))?.message).toContain(`${ROUTE} from 10.0.0.0/8 only (Traefik Middleware db/office ipAllowList)`);
  });
});
