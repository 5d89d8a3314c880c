// A Traefik container's configuration file feeds its Ingress provider (namespaces), its CRD
// provider (namespaces, labelSelector) and its entryPoints (TLS, redirections, ports): it is
// decoded once per container and snapshot, and each reader gets the same document, so the
// verdicts are those each reader gave when it decoded the file itself. The decoders are counted
// on this file's text only (the manifests reader decodes YAML too); no timing is measured.
import { describe, expect, it, vi } from 'vitest';

const decoded = vi.hoisted(() => ({ texts: new Set<string>(), count: 0 }));
vi.mock('yaml', async (importOriginal) => {
  const yaml = await importOriginal<typeof import('yaml')>();
  return { ...yaml, parse: (...args: Parameters<typeof yaml.parse>) => { if (decoded.texts.has(args[0])) decoded.count++; return yaml.parse(...args); } };
});
vi.mock('smol-toml', async (importOriginal) => {
  const toml = await importOriginal<typeof import('smol-toml')>();
  return { ...toml, parse: (...args: Parameters<typeof toml.parse>) => { if (decoded.texts.has(args[0])) decoded.count++; return toml.parse(...args); } };
});

const { parseManifestText } = await import('../../../src/collect/manifests.ts');
const { snapshotFromObjects } = await import('../../../src/collect/from-objects.ts');
const { defaultConfig } = await import('../../../src/config/types.ts');
const { ingressWithoutTls } = await import('../../../checks/tls/ingress-without-tls.ts');

/** Traefik configured by `key` of ConfigMap traefik/traefik-config at /etc/traefik; an Ingress and IngressRoutes in shop (one labelled). */
const yamlOf = (key: string, text: string) => `---
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
        volumeMounts: [{name: config, mountPath: /etc/traefik}]
      volumes: [{name: config, configMap: {name: traefik-config}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: traefik-config, namespace: traefik}
data: {${JSON.stringify(key)}: ${JSON.stringify(text)}}
---
apiVersion: v1
kind: Service
metadata: {name: traefik, namespace: traefik}
spec:
  type: LoadBalancer
  selector: {app: traefik}
  ports: [{port: 80, targetPort: 8000}, {port: 443, targetPort: 8443}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: traefik}
spec: {controller: traefik.io/ingress-controller}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  ingressClassName: traefik
  rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: public, namespace: shop, labels: {edge: public}}
spec:
  entryPoints: [web]
  routes: [{match: "Host(\`api.example.com\`)", kind: Rule, services: [{name: web, port: 80}]}]
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: internal, namespace: shop}
spec:
  entryPoints: [web]
  routes: [{match: "Host(\`internal.example.com\`)", kind: Rule, services: [{name: web, port: 80}]}]
`;

// entryPoint web plaintext and websecure with TLS; the CRD provider watches shop and takes only
// IngressRoutes labelled edge=public; the Ingress provider watches shop.
const YAML = `entryPoints:
  web: {address: ":8000"}
  websecure: {address: ":8443", http: {tls: {}}}
providers:
  kubernetesIngress: {namespaces: [shop]}
  kubernetesCRD: {namespaces: [shop], labelSelector: "edge=public"}
`;
const TOML = `[entryPoints.web]
  address = ":8000"
[entryPoints.websecure]
  address = ":8443"
  [entryPoints.websecure.http.tls]
[providers.kubernetesIngress]
  namespaces = ["shop"]
[providers.kubernetesCRD]
  namespaces = ["shop"]
  labelSelector = "edge=public"
`;

function audit(key: string, text: string): { verdicts: string[]; notes: string | undefined } {
  const ctx = { snapshot: snapshotFromObjects(parseManifestText(yamlOf(key, text), 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  decoded.texts = new Set([text]);
  decoded.count = 0;
  const verdicts = [...ingressWithoutTls.evaluate(ctx)].filter((v) => v.resource.namespace === 'shop')
    .map((v) => `${v.resource.kind} ${v.resource.name}: ${v.status}${v.status === 'fail' ? ` ${v.severity ?? 'high'}` : ''}`).sort();
  const notes = ingressWithoutTls.excluded!(ctx);
  return { verdicts, notes };
}

describe('a Traefik configuration file is decoded once per container, every reader seeing the same document', () => {
  it.each([['traefik.yaml', YAML], ['traefik.toml', TOML]])('%s: the verdicts its readers give (providers, labelSelector, entryPoints), from one decode', (key, text) => {
    const { verdicts, notes } = audit(key, text);
    // The Ingress provider serves the Ingress, plaintext on web (high); the CRD provider's
    // labelSelector takes IngressRoute public (plaintext on web), not internal (noted, not judged).
    expect(verdicts).toEqual(['Ingress shop: fail high', 'IngressRoute public: fail high']);
    expect(notes).toContain('IngressRoute shop/internal');
    expect(decoded.count).toBe(1);
  });
});
