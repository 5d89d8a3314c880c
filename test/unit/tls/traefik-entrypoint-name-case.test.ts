// Traefik keeps an entryPoint's name as written: the entryPoints are a map whose keys its loaders
// do not fold (traefik/paerser parser/element_fill.go setMap; file/raw_node.go decodeRaw, one
// entryPoint per key of a file), and a router attaches only to entryPoints named by the very same
// string (traefik/traefik pkg/config/runtime/runtime_http.go GetRoutersByEntryPoints, `contains`;
// a name that matches none is logged as an error and the router is not served there). Only option
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

/** Traefik run with `args` (and a traefik.yaml from `file`, or `env`), published by a LoadBalancer, and IngressRoute shop/api on `entryPoints`. */
const ctx = (args: string[], entryPoints: string[], file?: string, env: Array<{ name: string; value: string }> = []): AuditContext => ({
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
`, 'case.yaml').objects),
  config: defaultConfig(),
  now: new Date('2026-06-01T00:00:00Z'),
});
function verdict(c: AuditContext): Verdict {
  const out = [...ingressWithoutTls.evaluate(c)].filter((v) => v.resource.kind === 'IngressRoute');
  expect(out).toHaveLength(1);
  return out[0]!;
}
const graded = (v: Verdict) => [v.status, v.status === 'fail' ? v.severity ?? 'default' : undefined];

describe('tls.ingress-without-tls: a router attaches to an entryPoint of exactly its name, case included', () => {
  it('flags give TLS to entryPoint web only: a router on web passes, one naming Web is not TLS-protected (high)', () => {
    const args = ['--entrypoints.web.address=:8443', '--entrypoints.web.http.tls=true'];
    expect(graded(verdict(ctx(args, ['web'])))).toEqual(['pass', undefined]);
    const v = verdict(ctx(args, ['Web']));
    expect(graded(v)).toEqual(['fail', 'default']);
    expect(v.message).not.toContain('TLS (--entrypoints.web.http.tls');
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

  it('flags spelling one name two ways make one entryPoint, named by the first key in sorted order (Web before web): a router naming Web passes, web does not', () => {
    const args = ['--entrypoints.web.http.tls=true', '--entrypoints.Web.address=:8443'];
    const v = verdict(ctx(args, ['Web']));
    expect(graded(v)).toEqual(['pass', undefined]);
    expect(v.message).toContain('Web: TLS (--entrypoints.Web.http.tls=true)');
    expect(graded(verdict(ctx(args, ['web'])))).toEqual(['fail', 'default']);
  });

  it('TRAEFIK_* variables name entryPoints lower-case (traefik/paerser env/env.go Decode): TRAEFIK_ENTRYPOINTS_WEB_HTTP_TLS serves a router on web, not one on Web', () => {
    // No argument: Traefik reads the variables.
    const env = [{ name: 'TRAEFIK_PROVIDERS_KUBERNETESCRD', value: 'true' }, { name: 'TRAEFIK_ENTRYPOINTS_WEB_ADDRESS', value: ':8443' }, { name: 'TRAEFIK_ENTRYPOINTS_WEB_HTTP_TLS', value: 'true' }];
    const envCtx = (eps: string[]) => ctx([], eps, undefined, env);
    expect(graded(verdict(envCtx(['web'])))).toEqual(['pass', undefined]);
    expect(graded(verdict(envCtx(['Web'])))).toEqual(['fail', 'default']);
  });
});
