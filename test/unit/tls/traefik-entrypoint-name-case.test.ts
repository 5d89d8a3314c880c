// Traefik keeps an entryPoint's name as written: the entryPoints are a map whose keys its loaders
// do not fold (traefik/paerser parser/element_fill.go setMap; file/raw_node.go decodeRaw, one
// entryPoint per key of a file), and a router attaches only to entryPoints named by the very same
// string (traefik/traefik pkg/config/runtime/runtime_http.go GetRoutersByEntryPoints, slices.Contains,
// v2.11.0 and v3.3.4: a name that matches none is logged, "entryPoint \"Web\" doesn't exist", and the
// router is not served there; with no entryPoint left it fails, "no valid entryPoint for this
// router", and serves nothing: no plaintext finding, the check's note names it). Only option
// names are matched whatever their case (parser/nodes_metadata.go findTypedField, strings.EqualFold).
// On the command line, options of names equal but for case make one entryPoint, named by the first
// of its keys in sorted order (flag/flagparser.go setValue, parser/labels_decode.go containsNode).
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';

/** Traefik run with `args` (and a traefik.yaml from `file`, or `env`), published by a LoadBalancer, IngressRoute shop/api on `entryPoints`, and `extra` objects. */
const ctx = (args: string[], entryPoints: string[], file?: string, env: Array<{ name: string; value: string }> = [], extra = ''): AuditContext => ({
  snapshot: snapshotFromObjects(parseManifestText(`---
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  selector: {matchLabels: {app: traefik}}
  template:
    metadata: {labels: {app: traefik}}
    spec:
      containers:
      - name: traefik
        image: docker.io/traefik:v3.3.4
        args: ${JSON.stringify(env.length ? [] : ['--providers.kubernetescrd', ...args])}
        env: ${JSON.stringify(env)}${file === undefined ? '' : `
        volumeMounts: [{name: config, mountPath: /etc/traefik}]
      volumes: [{name: config, configMap: {name: traefik-config}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: traefik-config, namespace: traefik}
data: {traefik.yaml: ${JSON.stringify(file)}}`}
---
apiVersion: v1
kind: Service
metadata: {name: traefik, namespace: traefik}
spec:
  type: LoadBalancer
  selector: {app: traefik}
  ports: [{port: 80, targetPort: 8000}, {port: 443, targetPort: 8443}]
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: api, namespace: shop}
spec:
  entryPoints: ${JSON.stringify(entryPoints)}
  routes: [{match: "Host(\`api.example.com\`)", kind: Rule, services: [{name: web, port: 80}]}]
---
${extra}`, 'case.yaml').objects),
  config: defaultConfig(),
  now: new Date('2026-06-01T00:00:00Z'),
});
function verdict(c: AuditContext): Verdict {
  const out = [...ingressWithoutTls.evaluate(c)].filter((v) => v.resource.kind === 'IngressRoute');
  expect(out).toHaveLength(1);
  return out[0]!;
}
/** The IngressRoute is attached to no entryPoint: no verdict, and the check's note says why, naming what Traefik has. */
function unattached(c: AuditContext, named: string, has: string): void {
  expect([...ingressWithoutTls.evaluate(c)].filter((v) => v.resource.kind === 'IngressRoute')).toEqual([]);
  expect(ingressWithoutTls.excluded!(c)).toContain(`IngressRoute shop/api: it names entryPoint "${named}", which no Traefik of the snapshot has (entryPoint names are case-sensitive: it has "${has}"): Traefik attaches it to no entryPoint ("no valid entryPoint for this router"); it serves nothing`);
}
const graded = (v: Verdict) => [v.status, v.status === 'fail' ? v.severity ?? 'default' : undefined];

describe('tls.ingress-without-tls: a router attaches to an entryPoint of exactly its name, case included', () => {
  it('flags give TLS to entryPoint web only: a router on web passes, one naming Web is attached to none and serves nothing (no plaintext finding)', () => {
    const args = ['--entrypoints.web.address=:8443', '--entrypoints.web.http.tls=true'];
    expect(graded(verdict(ctx(args, ['web'])))).toEqual(['pass', undefined]);
    unattached(ctx(args, ['Web']), 'Web', 'web');
  });

  it('plaintext entryPoint web, TLS entryPoint websecure: a router naming Web and websecure is attached to websecure alone and passes (was: plaintext on Web)', () => {
    const args = ['--entrypoints.web.address=:8000', '--entrypoints.websecure.address=:8443', '--entrypoints.websecure.http.tls=true'];
    const v = verdict(ctx(args, ['Web', 'websecure']));
    expect(graded(v)).toEqual(['pass', undefined]);
    expect(v.evidence).toMatchObject({ entryPoints: ['Web', 'websecure'], missingEntryPoints: ['Web'] });
    // Named as Traefik has it, the plaintext entryPoint still fails.
    expect(graded(verdict(ctx(args, ['web', 'websecure'])))).toEqual(['fail', 'default']);
  });

  it('a Traefik whose configuration file cannot be read may have "Web": the router is judged (cannot be confirmed), not dropped', () => {
    const v = verdict(ctx([], ['Web'], 'entryPoints: [web'));
    expect(graded(v)).toEqual(['fail', 'medium']);
    expect(v.evidence).not.toHaveProperty('missingEntryPoints');
  });

  it('a file with entryPoints web (plaintext) and Web (TLS): two entryPoints, a router on web fails high, one on Web passes', () => {
    const file = 'entryPoints:\n  web: {address: ":8000"}\n  Web:\n    address: ":8443"\n    http: {tls: {}}\n';
    expect(graded(verdict(ctx([], ['web'], file)))).toEqual(['fail', 'default']);
    const v = verdict(ctx([], ['Web'], file));
    expect(graded(v)).toEqual(['pass', undefined]);
    expect(v.message).toContain('Web: TLS (entryPoints.Web.http.tls in ConfigMap traefik/traefik-config');
  });

  it('the same file with TLS on web and Web plaintext: the other way round', () => {
    const file = 'entryPoints:\n  Web: {address: ":8000"}\n  web:\n    address: ":8443"\n    http: {tls: {}}\n';
    expect(graded(verdict(ctx([], ['Web'], file)))).toEqual(['fail', 'default']);
    expect(graded(verdict(ctx([], ['web'], file)))).toEqual(['pass', undefined]);
  });

  it('flags spelling one name two ways make one entryPoint, named by the first key in sorted order (Web before web): a router naming Web passes, one naming web serves nothing', () => {
    const args = ['--entrypoints.web.http.tls=true', '--entrypoints.Web.address=:8443'];
    const v = verdict(ctx(args, ['Web']));
    expect(graded(v)).toEqual(['pass', undefined]);
    expect(v.message).toContain('Web: TLS (--entrypoints.Web.http.tls=true)');
    unattached(ctx(args, ['web']), 'web', 'Web');
  });

  it('TRAEFIK_* variables name entryPoints lower-case (traefik/paerser env/env.go Decode): TRAEFIK_ENTRYPOINTS_WEB_HTTP_TLS serves a router on web; one on Web serves nothing', () => {
    // No argument: Traefik reads the variables.
    const env = [{ name: 'TRAEFIK_PROVIDERS_KUBERNETESCRD', value: 'true' }, { name: 'TRAEFIK_ENTRYPOINTS_WEB_ADDRESS', value: ':8443' }, { name: 'TRAEFIK_ENTRYPOINTS_WEB_HTTP_TLS', value: 'true' }];
    const envCtx = (eps: string[]) => ctx([], eps, undefined, env);
    expect(graded(verdict(envCtx(['web'])))).toEqual(['pass', undefined]);
    unattached(envCtx(['Web']), 'Web', 'web');
  });
});

describe('a router attached to no entryPoint serves nothing: the other routers and checks drop it too', () => {
  const args = ['--entrypoints.web.address=:8000', '--entrypoints.websecure.address=:8443', '--entrypoints.websecure.http.tls=true', '--entrypoints.Metrics.address=:9100', '--providers.kubernetesingress'];
  const extra = (yaml: string): AuditContext => ctx(args, ['web'], undefined, [], yaml);
  const ingress = (entryPoints: string) => extra(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: legacy
  namespace: shop
  annotations: {traefik.ingress.kubernetes.io/router.entrypoints: "${entryPoints}"}
spec:
  ingressClassName: traefik
  rules: [{host: legacy.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
`);
  const tcp = (entryPoints: string[]) => extra(`apiVersion: traefik.io/v1alpha1
kind: IngressRouteTCP
metadata: {name: db, namespace: shop}
spec:
  entryPoints: ${JSON.stringify(entryPoints)}
  routes: [{match: "HostSNI(\`*\`)", services: [{name: db, port: 5432}]}]
`);
  const of = (c: AuditContext, kind: string) => [...ingressWithoutTls.evaluate(c)].filter((v) => v.resource.kind === kind);

  it('an Ingress whose router.entrypoints names only "Web": no plaintext finding, the note names it; "web" fails', () => {
    expect(of(ingress('Web'), 'Ingress')).toEqual([]);
    expect(ingressWithoutTls.excluded!(ingress('Web'))).toContain('Ingress shop/legacy: it names entryPoint "Web", which no Traefik of the snapshot has (entryPoint names are case-sensitive: it has "web"): Traefik attaches it to no entryPoint ("no valid entryPoint for this router"); it serves nothing');
    expect(of(ingress('web'), 'Ingress').map((v) => v.status)).toEqual(['fail']);
  });

  it('an IngressRouteTCP without TLS on "metrics" serves nothing; on "Metrics", which only clients inside the cluster reach, it is low (was high: the name was looked up lower-cased)', () => {
    expect(of(tcp(['metrics']), 'IngressRouteTCP')).toEqual([]);
    expect(ingressWithoutTls.excluded!(tcp(['metrics']))).toContain('IngressRouteTCP shop/db: it names entryPoint "metrics", which no Traefik of the snapshot has (entryPoint names are case-sensitive: it has "Metrics")');
    const [v] = of(tcp(['Metrics']), 'IngressRouteTCP');
    expect([v!.status, v!.severity]).toEqual(['fail', 'low']);
    expect(v!.evidence).toMatchObject({ inClusterPlaintextEntryPoints: ['Metrics (port 9100)'] });
  });

  // Traefik's default TLS options apply only to routers that terminate TLS (traefikTlsRouters):
  // v2.8.8's built-in default sets no minimum version (TLS 1.0; test/unit/tls/traefik-tls-options.test.ts).
  it('a TLS IngressRoute on "Websecure" alone is no TLS router: Traefik v2.8.8\'s built-in default is used by none, and does not fail', () => {
    const tlsRoute = (entryPoint: string) => {
      const c = ctx(['--entrypoints.web.address=:8000', '--entrypoints.websecure.address=:8443', '--providers.kubernetescrd'], ['web'], undefined, [], `apiVersion: traefik.containo.us/v1alpha1
kind: IngressRoute
metadata: {name: secure, namespace: shop}
spec:
  entryPoints: [${entryPoint}]
  routes: [{match: "Host(\`secure.example.com\`)", kind: Rule, services: [{name: web, port: 80}]}]
  tls: {}
`);
      (c.snapshot.resources.deployments![0]!.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0]!.image = 'docker.io/traefik:v2.8.8';
      return [...legacyProtocolEnabled.evaluate(c)].filter((v) => v.status === 'fail').map((v) => `${v.resource.kind} ${v.resource.namespace}/${v.resource.name}`);
    };
    expect(tlsRoute('websecure')).toEqual(['Deployment traefik/traefik']);
    expect(tlsRoute('Websecure')).toEqual([]);
  });
});
