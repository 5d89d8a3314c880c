// A Traefik IngressRouteTCP is a way in from outside as an IngressRoute is: a TCP router on
// Traefik's entryPoints forwarding to a Service
// (https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/crd/tcp/ingressroutetcp/).
// Its rule matches by SNI; HostSNI(`*`) matches any connection and is the only value a router
// without TLS may use
// (https://doc.traefik.io/traefik/reference/routing-configuration/tcp/routing/rules-and-priority/#hostsni-and-hostsniregexp).
// With tls.passthrough it "delegates the TLS termination to the backend". Traefik's CRD provider
// takes it only when its class (spec.ingressClassName, else the kubernetes.io/ingress.class
// annotation) equals providers.kubernetesCRD.ingressClass, or, with that unset, is empty or
// "traefik" (https://doc.traefik.io/traefik/providers/kubernetes-crd/#ingressclass;
// https://doc.traefik.io/traefik/reference/install-configuration/providers/kubernetes/kubernetes-crd/,
// providers.kubernetesCRD.ingressClass), IngressRoutes alike.
import { describe, expect, it } from 'vitest';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { describeRoute, edgeRoutes } from '../../../src/analysis/edge/routes.ts';
import { exposureNotes } from '../../../src/analysis/netpol/exposure.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { edgeRateLimitMissing } from '../../../checks/tls/edge-rate-limit-missing.ts';
import { edgeWafMissing } from '../../../checks/tls/edge-waf-missing.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { servedByTraefik } from '../../../src/analysis/tls/traefik.ts';
import { cluster, ctx, exposure, guard, tcpRoute } from './traefik-tcp.ts';


describe('a Traefik IngressRouteTCP is an edge route', () => {
  it('a workload only an IngressRouteTCP exposes (HostSNI(`*`)) is found exposed, and the edge guards judge the route as any host', () => {
    const c = ctx(cluster(['--providers.kubernetescrd'], tcpRoute()));
    const v = exposure(c);
    expect(v?.status).toBe('fail');
    expect(v?.message).toBe('reachable from outside the cluster via IngressRouteTCP * → IngressRouteTCP db/postgres → Service db/postgres:5432');
    // The route's controller is the Traefik workload running the CRD provider, not a label guess.
    expect(edgeRoutes(c.snapshot).routes.map((r) => [r.via, r.host, r.controller.workloads])).toEqual([['IngressRouteTCP', '*', [{ kind: 'Deployment', namespace: 'traefik', name: 'traefik' }]]]);
    for (const check of [edgeAuthMissing, edgeRateLimitMissing, edgeWafMissing]) {
      const verdicts = guard(c, check);
      expect(verdicts.map((x) => [x.status, `${x.resource.namespace}/${x.resource.name}`, x.detailKey]), check.id).toEqual([['fail', 'db/postgres', 'host/*']]);
      expect(verdicts[0].message, check.id).toContain('IngressRouteTCP db/postgres, a TCP router: Traefik\'s HTTP Middlewares (ForwardAuth, BasicAuth, RateLimit, plugins) do not apply to it');
    }
  });

  it('HostSNI names are the hosts; a passthrough route says the backend terminates TLS and Traefik sees no request', () => {
    const c = ctx(cluster(['--providers.kubernetescrd'], tcpRoute({ match: 'HostSNI(`DB.example.com`) || HostSNI(`replica.example.com`)', tls: '{passthrough: true}' })));
    expect(edgeRoutes(c.snapshot).routes.map(describeRoute)).toEqual([
      'db.example.com → IngressRouteTCP db/postgres → Service db/postgres:5432',
      'replica.example.com → IngressRouteTCP db/postgres → Service db/postgres:5432',
    ]);
    expect(exposure(c)?.status).toBe('fail');
    const auth = guard(c, edgeAuthMissing);
    expect(auth.map((x) => [x.status, x.detailKey])).toEqual([['fail', 'host/db.example.com'], ['fail', 'host/replica.example.com']]);
    expect(auth[0].message).toContain('its TLS passes through to the backend (tls.passthrough: true), which terminates it: Traefik sees no request, so only the backend can authenticate clients');
    // Terminated by Traefik, the passthrough line is not there.
    const terminated = guard(ctx(cluster(['--providers.kubernetescrd'], tcpRoute({ match: 'HostSNI(`db.example.com`)', tls: '{secretName: db-cert}' }))), edgeAuthMissing);
    expect(terminated.map((x) => x.status)).toEqual(['fail']);
    expect(terminated[0].message).not.toContain('passes through');
  });

  it('the legacy traefik.containo.us group is read too', () => {
    const c = ctx(cluster(['--providers.kubernetescrd'], tcpRoute().replace('traefik.io/v1alpha1', 'traefik.containo.us/v1alpha1'), 'docker.io/traefik:v2.11.9'));
    expect(exposure(c)?.status).toBe('fail');
  });
});

describe('the CRD provider\'s ingressClass filter, for IngressRouteTCPs and IngressRoutes', () => {
  it('a class the provider does not take is not served: no exposure, no guard finding, a note naming it', () => {
    const c = ctx(cluster(['--providers.kubernetescrd'], tcpRoute({ annotation: 'traefik-internal' })));
    expect(exposure(c)).toBeUndefined();
    expect(guard(c, edgeAuthMissing)).toEqual([]);
    expect(exposureNotes(c.snapshot)).toContain('IngressRouteTCP db/postgres: it asks for class "traefik-internal", which no Traefik of the snapshot processes (providers.kubernetesCRD.ingressClass (unset: none or "traefik")), so it is not served');
  });

  it('the provider\'s ingressClass takes only that class (flag and its value as two arguments), leaving out class-less routes', () => {
    for (const args of [['--providers.kubernetescrd.ingressclass=traefik-internal'], ['--providers.kubernetesCRD.ingressClass', 'traefik-internal']]) {
      expect(exposure(ctx(cluster(args, tcpRoute({ annotation: 'traefik-internal' }))))?.status, args.join(' ')).toBe('fail');
      expect(exposure(ctx(cluster(args, tcpRoute())))).toBeUndefined();
      expect(exposure(ctx(cluster(args, tcpRoute({ annotation: 'traefik' }))))).toBeUndefined();
    }
    // Unset, "traefik" and an empty annotation are taken.
    expect(exposure(ctx(cluster(['--providers.kubernetescrd'], tcpRoute({ annotation: 'traefik' }))))?.status).toBe('fail');
    expect(exposure(ctx(cluster(['--providers.kubernetescrd'], tcpRoute({ annotation: '' }))))?.status).toBe('fail');
  });

  it('spec.ingressClassName (Traefik v3.7+) takes precedence over the annotation', () => {
    expect(exposure(ctx(cluster(['--providers.kubernetescrd'], tcpRoute({ className: 'traefik-internal', annotation: 'traefik' }))))).toBeUndefined();
    expect(exposure(ctx(cluster(['--providers.kubernetescrd.ingressclass=traefik-internal'], tcpRoute({ className: 'traefik-internal', annotation: 'other' }))))?.status).toBe('fail');
  });

  it('where the provider\'s ingressClass is unknown (Traefik reads a configuration file, or no Traefik workload is in the snapshot) no class is left out: missing data is not a fix', () => {
    expect(exposure(ctx(cluster(['--configFile=/config/traefik.yml'], tcpRoute({ annotation: 'traefik-internal' }))))?.status).toBe('fail');
    const withoutTraefik = cluster([], tcpRoute({ annotation: 'traefik-internal' })).replace(/apiVersion: apps\/v1\nkind: Deployment\nmetadata: \{name: traefik[\s\S]*?---\n/, '');
    const c = ctx(withoutTraefik);
    expect(edgeRoutes(c.snapshot).routes.map((r) => [r.route.name, r.controller.workloads.length, r.controller.selectors.length])).toEqual([['postgres', 0, 1]]);
  });

  // The option set from a value the manifests do not hold: an env var from valueFrom (a ConfigMap
  // key here), or a `$(VAR)` reference Kubernetes expands before Traefik reads it
  // (https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/).
  // Traefik may then take any class, so none is left out.
  it('an ingressClass set from valueFrom or through $(VAR) is unknown: the route stays an edge route, with no "not served" note', () => {
    const fromConfigMap = '{configMapKeyRef: {name: traefik-settings, key: crdClass}}';
    const envOnly = (env: string) => cluster([], tcpRoute({ annotation: 'traefik-internal' })).replace(/        args: .*\n/, `        env:\n${env}`);
    const viaEnv = envOnly([
      '        - {name: TRAEFIK_PROVIDERS_KUBERNETESCRD, value: "true"}',
      `        - {name: TRAEFIK_PROVIDERS_KUBERNETESCRD_INGRESSCLASS, valueFrom: ${fromConfigMap}}`,
      '        - {name: TRAEFIK_ENTRYPOINTS_POSTGRES_ADDRESS, value: ":5432"}',
      '',
    ].join('\n'));
    const viaArgs = cluster(['--providers.kubernetescrd.ingressclass=$(CRD_CLASS)'], tcpRoute({ annotation: 'traefik-internal' }))
      .replace(/(        args: .*\n)/, `$1        env: [{name: CRD_CLASS, valueFrom: ${fromConfigMap}}]\n`);
    for (const [what, y] of [['env valueFrom', viaEnv], ['$(VAR) in args', viaArgs]]) {
      const c = ctx(y);
      expect(exposure(c)?.status, what).toBe('fail');
      expect(edgeRoutes(c.snapshot).routes.map((r) => [r.via, r.route.name]), what).toEqual([['IngressRouteTCP', 'postgres']]);
      expect(exposureNotes(c.snapshot).join('\n'), what).not.toContain('not served');
      expect(guard(c, edgeAuthMissing).map((x) => x.status), what).toEqual(['fail']);
    }
  });

  it('the Ingress provider alike: an ingressClass from valueFrom leaves no Ingress of a Traefik-less class out', () => {
    const ingress = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: db, annotations: {kubernetes.io/ingress.class: internal}}
spec:
  rules: [{host: web.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: postgres, port: {number: 5432}}}}]}}]
`;
    const y = (classEnv: string) => cluster([], ingress).replace(/        args: .*\n/, `        env:\n        - {name: TRAEFIK_PROVIDERS_KUBERNETESINGRESS, value: "true"}\n        - ${classEnv}\n`);
    const served = (text: string) => {
      const c = ctx(text);
      return servedByTraefik(c.snapshot, c.snapshot.resources.ingresses![0]);
    };
    expect(served(y('{name: TRAEFIK_PROVIDERS_KUBERNETESINGRESS_INGRESSCLASS, valueFrom: {configMapKeyRef: {name: traefik-settings, key: cls}}}'))).toBe(true);
    // Set as a value, it is compared: "other" does not take class internal.
    expect(served(y('{name: TRAEFIK_PROVIDERS_KUBERNETESINGRESS_INGRESSCLASS, value: other}'))).toBe(false);
  });

  it('a Traefik started without the CRD provider serves no IngressRouteTCP', () => {
    const c = ctx(cluster(['--providers.kubernetesingress'], tcpRoute()));
    expect(exposure(c)).toBeUndefined();
    expect(exposureNotes(c.snapshot)).toContain('IngressRouteTCP db/postgres: no Traefik workload of the snapshot runs the Kubernetes CRD provider (providers.kubernetesCRD), so it is not served');
  });

  it('an IngressRoute is filtered the same way', () => {
    const ir = (annotation?: string) => tcpRoute({ kind: 'IngressRoute', annotation, match: 'Host(`db.example.com`)' });
    expect(exposure(ctx(cluster(['--providers.kubernetescrd'], ir())))?.status).toBe('fail');
    expect(exposure(ctx(cluster(['--providers.kubernetescrd'], ir('traefik-internal'))))).toBeUndefined();
  });

  it('a filtered IngressRouteTCP terminating TLS is no Traefik TLS router: Traefik\'s default TLS option is not judged for it', () => {
    // Traefik v2.8 (its built-in default TLS option accepts TLS 1.0) with one IngressRouteTCP terminating TLS,
    // of traefik.containo.us, the only group v2.8 reads (pkg/provider/kubernetes/crd/traefik/v1alpha1/register.go@v2.8.8).
    const terminating = (annotation?: string) => ctx(cluster(['--providers.kubernetescrd'], tcpRoute({ annotation, match: 'HostSNI(`db.example.com`)', tls: '{secretName: db-cert}' }).replace('traefik.io/v1alpha1', 'traefik.containo.us/v1alpha1'), 'docker.io/traefik:v2.8.8'));
    const defaultOption = (c: AuditContext) => [...legacyProtocolEnabled.evaluate(c)].filter((v) => v.detailKey === 'traefik-default-tls-options').map((v) => v.status);
    expect(defaultOption(terminating())).toEqual(['fail']);
    expect(defaultOption(terminating('traefik-internal'))).toEqual([]);
  });
});
