// A Traefik whose install (static) configuration is a file: --configFile, or /etc/traefik mounted,
// where Traefik reads traefik.toml, .yaml or .yml (pkg/cli/loader_file.go loadConfigFiles;
// https://doc.traefik.io/traefik/getting-started/configuration-overview/#configuration-file). That
// file may give an entryPoint TLS or a redirection to https (entryPoints.<name>.http.tls,
// http.redirections; https://doc.traefik.io/traefik/reference/install-configuration/entrypoints/),
// which keeps every router on it off plaintext HTTP. ztaudit reads the entryPoints of such a file,
// TOML or YAML, when it is a key of a ConfigMap volume of the input, and judges them as it judges
// the same options on the command line. The file is Traefik's only source then: "the static
// configuration can be defined in one and only one of: file, CLI args, env vars" (same page, at v2.11
// and v3; cmd/traefik/traefik.go runs FileLoader before FlagLoader and EnvLoader and stops at the
// first that finds a configuration), so the arguments beside a file count for nothing. A file it
// cannot read (not valid TOML, not in the input) leaves a router without TLS of its own "cannot be
// confirmed" (medium), never a high finding on Traefik's defaults.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

const ctx = (yaml: string): AuditContext => ({ snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') });
/** The configuration file: a key of ConfigMap traefik/traefik-config, mounted at /etc/traefik, or the file alone (subPath). */
interface ConfigFile { key: string; text: string; subPath?: boolean }
/** Traefik from the given args, and its configuration file when `file` is given. */
const traefik = (args: string[], file?: ConfigFile) => `---
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
        args: ${JSON.stringify(args)}${file === undefined ? '' : `\n        volumeMounts: [{name: config, mountPath: ${file.subPath ? `/etc/traefik/${file.key}, subPath: ${file.key}` : '/etc/traefik'}}]`}${file === undefined ? '' : '\n      volumes: [{name: config, configMap: {name: traefik-config}}]'}
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
${file === undefined ? '' : `---
apiVersion: v1
kind: ConfigMap
metadata: {name: traefik-config, namespace: traefik}
data: {${JSON.stringify(file.key)}: ${JSON.stringify(file.text)}}
`}---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  ingressClassName: traefik
  rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: api, namespace: shop}
spec:
  routes: [{match: "Host(\`api.example.com\`)", kind: Rule, services: [{name: web, port: 80}]}]
`;
// The upstream documentation's redirection, in TOML: every request on web goes to websecure over https.
const TOML = `[entryPoints.web]
  address = ":8000"
  [entryPoints.web.http.redirections.entryPoint]
    to = "websecure"
    scheme = "https"
[entryPoints.websecure]
  address = ":8443"
  [entryPoints.websecure.http.tls]
[providers.kubernetesIngress]
[providers.kubernetesCRD]
`;
const FLAGS = ['--providers.kubernetescrd', '--providers.kubernetesingress', '--entrypoints.web.address=:8000', '--entrypoints.websecure.address=:8443'];
function verdicts(c: AuditContext): Verdict[] {
  return [...ingressWithoutTls.evaluate(c)].filter((v) => v.resource.namespace === 'shop').sort((a, b) => a.resource.kind.localeCompare(b.resource.kind));
}
const graded = (v: Verdict) => [v.resource.kind, v.status, v.status === 'fail' ? v.severity ?? 'default' : undefined];

const toml = (text: string): ConfigFile => ({ key: 'traefik.toml', text });
const yamlFile = (text: string): ConfigFile => ({ key: 'traefik.yaml', text });
// The same three configurations in each of Traefik's forms: entryPoints web and websecure only;
// every request on web redirected to websecure over https; http.tls on both entryPoints.
const PLAIN_TOML = `[entryPoints.web]
  address = ":8000"
[entryPoints.websecure]
  address = ":8443"
[providers.kubernetesIngress]
[providers.kubernetesCRD]
`;
const TLS_TOML = `[entryPoints.web]
  address = ":8000"
  [entryPoints.web.http.tls]
[entryPoints.websecure]
  address = ":8443"
  [entryPoints.websecure.http.tls]
`;
const PLAIN_YAML = 'entryPoints:\n  web: {address: ":8000"}\n  websecure: {address: ":8443"}\nproviders: {kubernetesIngress: {}, kubernetesCRD: {}}\n';
const REDIRECT_YAML = 'entryPoints:\n  web:\n    address: ":8000"\n    http:\n      redirections:\n        entryPoint: {to: websecure, scheme: https}\n  websecure:\n    address: ":8443"\n    http: {tls: {}}\n';
const TLS_YAML = 'entryPoints:\n  web:\n    address: ":8000"\n    http:\n      tls: {}\n  websecure:\n    address: ":8443"\n    http:\n      tls: {}\n';
const REDIRECT_FLAGS = [...FLAGS, '--entrypoints.web.http.redirections.entrypoint.to=websecure', '--entrypoints.websecure.http.tls=true'];
const TLS_FLAGS = [...FLAGS, '--entrypoints.web.http.tls=true', '--entrypoints.websecure.http.tls=true'];
const WHERE = 'ConfigMap traefik/traefik-config (traefik.toml, /etc/traefik/traefik.toml)';

describe('tls.ingress-without-tls under a Traefik configured by a file (https://doc.traefik.io/traefik/getting-started/configuration-overview/)', () => {
  it('configured by flags with no entryPoint TLS or redirection: the Ingress and the IngressRoute fail high (unchanged)', () => {
    expect(verdicts(ctx(traefik(FLAGS))).map(graded)).toEqual([['Ingress', 'fail', 'default'], ['IngressRoute', 'fail', 'default']]);
  });

  it('the same in flags, with the redirection of web to https or http.tls on every entryPoint: both pass (unchanged)', () => {
    for (const args of [REDIRECT_FLAGS, TLS_FLAGS]) expect(verdicts(ctx(traefik(args))).map(graded)).toEqual([['Ingress', 'pass', undefined], ['IngressRoute', 'pass', undefined]]);
  });

  it('a traefik.toml with http.tls on every entryPoint: the verdict of the equivalent flags, naming the key and the file', () => {
    const out = verdicts(ctx(traefik([], toml(TLS_TOML))));
    expect(out.map(graded)).toEqual(verdicts(ctx(traefik(TLS_FLAGS))).map(graded));
    expect(out.map(graded)).toEqual([['Ingress', 'pass', undefined], ['IngressRoute', 'pass', undefined]]);
    for (const v of out) expect(v.message).toContain(`TLS (entryPoints.web.http.tls in ${WHERE})`);
  });

  it('the upstream redirection of web to websecure in a traefik.toml: both pass, as with the flags', () => {
    const out = verdicts(ctx(traefik([], toml(TOML))));
    expect(out.map(graded)).toEqual(verdicts(ctx(traefik(REDIRECT_FLAGS))).map(graded));
    for (const v of out) expect(v.message).toContain(`a redirection of every request to https (entryPoints.web.http.redirections.entryPoint.to = "websecure" in ${WHERE})`);
  });

  it('a traefik.toml without entryPoint TLS or redirection: high, as with the flags, not "cannot be confirmed"', () => {
    expect(verdicts(ctx(traefik([], toml(PLAIN_TOML)))).map(graded)).toEqual([['Ingress', 'fail', 'default'], ['IngressRoute', 'fail', 'default']]);
  });

  it('the YAML equivalents in a traefik.yaml: the verdicts of the flags', () => {
    expect(verdicts(ctx(traefik([], yamlFile(TLS_YAML)))).map(graded)).toEqual([['Ingress', 'pass', undefined], ['IngressRoute', 'pass', undefined]]);
    expect(verdicts(ctx(traefik([], yamlFile(REDIRECT_YAML)))).map(graded)).toEqual([['Ingress', 'pass', undefined], ['IngressRoute', 'pass', undefined]]);
    expect(verdicts(ctx(traefik([], yamlFile(PLAIN_YAML)))).map(graded)).toEqual([['Ingress', 'fail', 'default'], ['IngressRoute', 'fail', 'default']]);
  });

  it('--configFile naming the file, or the file alone mounted by subPath: read the same', () => {
    expect(verdicts(ctx(traefik(['--configFile=/etc/traefik/traefik.toml'], toml(TOML)))).map(graded)).toEqual([['Ingress', 'pass', undefined], ['IngressRoute', 'pass', undefined]]);
    expect(verdicts(ctx(traefik([], { ...yamlFile(TLS_YAML), subPath: true }))).map(graded)).toEqual([['Ingress', 'pass', undefined], ['IngressRoute', 'pass', undefined]]);
  });

  it('option names in any case, as Traefik\'s file loader matches them (traefik/paerser findTypedField, strings.EqualFold)', () => {
    const shouting = '[ENTRYPOINTS.web]\n  Address = ":8000"\n  [ENTRYPOINTS.web.HTTP.Redirections.EntryPoint]\n    TO = "websecure"\n[ENTRYPOINTS.websecure]\n  ADDRESS = ":8443"\n  [ENTRYPOINTS.websecure.Http.TLS]\n';
    expect(verdicts(ctx(traefik([], toml(shouting)))).map(graded)).toEqual([['Ingress', 'pass', undefined], ['IngressRoute', 'pass', undefined]]);
  });

  it('file and flags both there: Traefik reads the file alone and ignores the flags, so the flags\' redirection counts for nothing, nor does their lack', () => {
    expect(verdicts(ctx(traefik(REDIRECT_FLAGS, toml(PLAIN_TOML)))).map(graded)).toEqual([['Ingress', 'fail', 'default'], ['IngressRoute', 'fail', 'default']]);
    expect(verdicts(ctx(traefik(FLAGS, toml(TLS_TOML)))).map(graded)).toEqual([['Ingress', 'pass', undefined], ['IngressRoute', 'pass', undefined]]);
  });

  it('a traefik.toml that is not valid TOML: cannot be confirmed (medium), one line naming the ConfigMap, its key and the parser\'s line and column', () => {
    const broken = '[entryPoints.web]\n  address = ":8000"\n[entryPoints.web.http.tls\n';
    const out = verdicts(ctx(traefik([], toml(broken))));
    expect(out.map(graded)).toEqual([['Ingress', 'fail', 'medium'], ['IngressRoute', 'fail', 'medium']]);
    for (const v of out) {
      expect(v.message).toContain(`whether the entryPoints of Deployment traefik/traefik keep it off plaintext HTTP cannot be confirmed: it reads its install configuration from a file ztaudit cannot read (Deployment traefik/traefik: ${WHERE} is not valid TOML (line 3, column `);
      expect(v.message).not.toContain('\n');
    }
  });

  it('a file ztaudit cannot see (--configFile on no volume of the input): cannot be confirmed (medium), saying why', () => {
    const out = verdicts(ctx(traefik(['--configFile=/config/traefik.toml'])));
    expect(out.map(graded)).toEqual([['Ingress', 'fail', 'medium'], ['IngressRoute', 'fail', 'medium']]);
    for (const v of out) expect(v.message).toContain('its configuration file "/config/traefik.toml" is not on a volume of the input');
  });
});
