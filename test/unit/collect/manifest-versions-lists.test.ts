// Manifests read as kubectl reads them: Lists within Lists, the apiVersions an API server serves a
// kind at (and no other), Ingresses of networking.k8s.io/v1beta1, YAML aliases within kubectl's
// limit, concatenated JSON objects, and file names that cannot forge a line of the error.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests, parseManifestText } from '../../../src/collect/manifests.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { main } from '../../../src/cli/main.ts';
import { CHECKS } from '../../../checks/index.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'zt-manver-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function runOn(files: Record<string, string>, ...flags: string[]) {
  const dir = dirWith(Object.fromEntries(Object.entries(files).map(([name, text]) => [`m/${name}`, text])));
  const io = captureIO(dir);
  const code = await main(['run', '--manifests', 'm', '--history', 'none', '--no-notify', '-q', '--out', 'out', ...flags], io.cli);
  const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as RunReport;
  return { code, report, err: io.err() };
}

const status = (report: RunReport, id: string) => report.checks.find((c) => c.id === id)?.status;
const findings = (report: RunReport, check: string) => report.findings.filter((f) => f.check === check).map((f) => `${f.resource.kind} ${f.resource.name}`);

const SHOP = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';
const WEB = [
  'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}\n',
  'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n',
].join('---\n');
const ADMIN = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'nested-admin' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'User', name: 'mallory', apiGroup: 'rbac.authorization.k8s.io' }] };
const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

describe('a List within a List', () => {
  // kubectl flattens lists within lists, breadth first: a nested list's items come after those of
  // the list holding it (kubernetes staging/src/k8s.io/cli-runtime/pkg/resource/visitor.go at
  // v1.34.0, FlattenListVisitor.Visit, `itemsToProcess = append(itemsToProcess, currItems...)`).
  it('reads the inner items, in the order kubectl visits them, each named by its place', () => {
    const doc = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'List', items: [ADMIN, { kind: 'List', apiVersion: 'v1', items: [ns('deep')] }] }, ns('outer')] };
    const parsed = parseManifestText(JSON.stringify(doc), 'all.json');
    expect(parsed.objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['Namespace/outer', 'ClusterRoleBinding/nested-admin', 'Namespace/deep']);
    expect(parsed.notes).toEqual([]);
    expect(parsed.broken).toEqual([]);
  });

  it('a typed list within a List gives its items its kind, as at the top', () => {
    const doc = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'NamespaceList', items: [{ metadata: { name: 'typed' } }] }] };
    const parsed = parseManifestText(JSON.stringify(doc), 'all.json');
    expect(parsed.objects.map((o) => [o.apiVersion, o.kind, o.metadata?.name])).toEqual([['v1', 'Namespace', 'typed']]);
  });

  it('the cluster-admin binding inside it fails its check (it passed, the inner List dropped as "not a Kubernetes object")', async () => {
    const list = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n  - ' + JSON.stringify(ADMIN) + '\n';
    const { report } = await runOn({ 'ns.yaml': SHOP, 'nested.yaml': list });
    expect(status(report, 'rbac.cluster-admin-binding')).toBe('fail');
    expect(findings(report, 'rbac.cluster-admin-binding')).toEqual(['User mallory']);
    expect(report.run.coverage.clusterrolebindings).toEqual({ status: 'ok', count: 1 });
  });

  it('an item that is not an object is named as an item, not as a document', () => {
    const parsed = parseManifestText('apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items: [42]\n', 'l.yaml');
    expect(parsed.notes).toEqual(['l.yaml:1: items[0].items[0]: skipped an item that is not a Kubernetes object (needs apiVersion, kind, metadata)']);
  });

  it('a List nested past the bound is not read, and what it may hold counts as not read', () => {
    let doc: unknown = ADMIN;
    for (let i = 0; i < 40; i++) doc = { apiVersion: 'v1', kind: 'List', items: [doc] };
    const parsed = parseManifestText(JSON.stringify(doc), 'deep.json');
    expect(parsed.objects).toEqual([]);
    expect(parsed.broken).toEqual([{ where: `deep.json:1: ${Array(32).fill('items[0]').join('.')}`, why: 'List nested more than 32 deep, which ztaudit does not read' }]);
  });

  it('an alias repeating an object is its copies, as kubectl decodes them: read once, said as defined twice', () => {
    const yaml = 'apiVersion: v1\nkind: List\nitems:\n- &admin ' + JSON.stringify(ADMIN) + '\n- {apiVersion: v1, kind: List, items: [*admin]}\n';
    const s = loadManifests([dirWith({ 'a.yaml': yaml })], { cwd: '/' });
    expect(s.resources.clusterrolebindings?.map((o) => o.metadata?.name)).toEqual(['nested-admin']);
    expect(s.notes.some((n) => /ClusterRoleBinding nested-admin is defined more than once/.test(n))).toBe(true);
  });
});

describe('an apiVersion no API server serves the kind at', () => {
  const NETPOL = (apiVersion: string) => `apiVersion: ${apiVersion}\nkind: NetworkPolicy\nmetadata: {name: deny-all, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}\n`;

  it('is skipped with one line naming file, object and apiVersion, and its kind counts as not read', () => {
    const parsed = parseManifestText(NETPOL('networking.k8s.io/v2'), 'np.yaml');
    expect(parsed.objects).toEqual([]);
    // kubectl's words for it: "no matches for kind "NetworkPolicy" in version "networking.k8s.io/v2""
    // (k8s.io/apimachinery pkg/api/meta/errors.go at v0.34.0, NoKindMatchError.Error).
    const why = 'NetworkPolicy shop/deny-all of apiVersion networking.k8s.io/v2, which ztaudit does not read (it reads networking.k8s.io/v1, extensions/v1beta1): kubectl apply would fail: no matches for kind "NetworkPolicy" in version "networking.k8s.io/v2"';
    expect(parsed.notes).toEqual([`np.yaml:1: skipped ${why}`]);
    expect(parsed.broken).toEqual([{ where: 'np.yaml:1', why, kind: 'networkpolicies' }]);
  });

  it('leaves the network checks not evaluated (a default-deny policy kubectl would refuse passed them)', async () => {
    const { report } = await runOn({ 'app.yaml': `${SHOP}---\n${WEB}---\n${NETPOL('networking.k8s.io/v2')}` });
    expect(report.run.coverage.networkpolicies).toMatchObject({ status: 'error', detail: expect.stringMatching(/^m\/app\.yaml:19: NetworkPolicy shop\/deny-all of apiVersion networking\.k8s\.io\/v2/) });
    expect(status(report, 'network.namespace-default-deny-ingress')).toBe('not-evaluated');
    expect(report.run.partial?.some((p) => p.startsWith('networkpolicies could not be read'))).toBe(true);
  });

  it('an Istio PeerAuthentication of security.istio.io/v9 leaves the mTLS checks not evaluated', async () => {
    // Istio serves security.istio.io v1beta1 and v1 (istio/api kubernetes/customresourcedefinitions.gen.yaml at 1.24.0).
    const pa = 'apiVersion: security.istio.io/v9\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n';
    const { report } = await runOn({ 'app.yaml': `${SHOP}---\n${WEB}---\n${pa}` });
    expect(report.run.coverage['istio.peerauthentications']).toMatchObject({ status: 'error' });
    expect(status(report, 'mtls.mesh-not-strict')).toBe('not-evaluated');
  });

  it('the versions API servers did serve are still read', () => {
    const docs = [
      NETPOL('networking.k8s.io/v1'),
      'apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n',
      'apiVersion: networking.istio.io/v1alpha3\nkind: DestinationRule\nmetadata: {name: d, namespace: shop}\nspec: {host: web}\n',
      'apiVersion: gateway.networking.k8s.io/v1beta1\nkind: HTTPRoute\nmetadata: {name: r, namespace: shop}\nspec: {}\n',
      'apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: c, namespace: shop}\nspec: {schedule: "* * * * *", jobTemplate: {spec: {template: {spec: {containers: [{name: c, image: busybox}]}}}}}\n',
      'apiVersion: rbac.authorization.k8s.io/v1beta1\nkind: ClusterRole\nmetadata: {name: old}\nrules: []\n',
      'apiVersion: cilium.io/v2alpha1\nkind: CiliumCIDRGroup\nmetadata: {name: g}\nspec: {externalCIDRs: [10.0.0.0/8]}\n',
    ];
    const parsed = parseManifestText(docs.join('---\n'), 'ok.yaml');
    expect(parsed.broken).toEqual([]);
    expect(parsed.objects.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual([
      'networking.k8s.io/v1 NetworkPolicy', 'security.istio.io/v1beta1 PeerAuthentication', 'networking.istio.io/v1alpha3 DestinationRule',
      'gateway.networking.k8s.io/v1beta1 HTTPRoute', 'batch/v1 CronJob', 'rbac.authorization.k8s.io/v1 ClusterRole', 'cilium.io/v2alpha1 CiliumCIDRGroup',
    ]);
  });

  it('an older group at a version it never served the kind at (extensions/v1beta2 Ingress) is skipped the same way', () => {
    const parsed = parseManifestText('apiVersion: extensions/v1beta2\nkind: Ingress\nmetadata: {name: web, namespace: shop}\nspec: {}\n', 'i.yaml');
    expect(parsed.objects).toEqual([]);
    expect(parsed.broken.map((b) => b.kind)).toEqual(['ingresses']);
  });

  it('Calico policies are read at projectcalico.org/v3 and crd.projectcalico.org/v1 only', () => {
    const gnp = (apiVersion: string) => `apiVersion: ${apiVersion}\nkind: GlobalNetworkPolicy\nmetadata: {name: deny}\nspec: {selector: all()}\n`;
    const parsed = parseManifestText([gnp('projectcalico.org/v3'), gnp('crd.projectcalico.org/v1'), gnp('projectcalico.org/v1')].join('---\n'), 'c.yaml');
    expect(parsed.objects.map((o) => o.apiVersion)).toEqual(['projectcalico.org/v3', 'crd.projectcalico.org/v1']);
    expect(parsed.broken.map((b) => b.kind)).toEqual(['calico-v3.globalnetworkpolicies']);
  });
});

describe('an Ingress of networking.k8s.io/v1beta1 or extensions/v1beta1 (served up to v1.21)', () => {
  // The API server converts its backends to v1's (kubernetes v1.21.0 pkg/apis/networking/v1beta1/conversion.go,
  // Convert_v1beta1_IngressBackend_To_networking_IngressBackend and Convert_v1beta1_IngressSpec_To_networking_IngressSpec;
  // the same in pkg/apis/extensions/v1beta1/conversion.go), and defaults a path's pathType to
  // ImplementationSpecific (pkg/apis/networking/v1beta1/defaults.go, SetDefaults_HTTPIngressPath).
  const ingress = (apiVersion: string) => `apiVersion: ${apiVersion}\nkind: Ingress\nmetadata: {name: web, namespace: shop}\nspec:\n  backend: {serviceName: fallback, servicePort: http}\n  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - path: /\n        backend: {serviceName: web, servicePort: 80}\n`;

  it.each(['networking.k8s.io/v1beta1', 'extensions/v1beta1'])('%s: its backends are read in v1 shape, as the API server converts them', (apiVersion) => {
    const [o] = parseManifestText(ingress(apiVersion), 'ing.yaml').objects;
    expect(o.apiVersion).toBe('networking.k8s.io/v1');
    expect(o.spec).toEqual({
      defaultBackend: { service: { name: 'fallback', port: { name: 'http' } } },
      rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'ImplementationSpecific', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
    });
  });

  it('the Deployment behind it is exposed, as behind a v1 Ingress (its backend was lost)', async () => {
    const ing = 'apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata: {name: web, namespace: shop}\nspec:\n  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - path: /\n        backend: {serviceName: web, servicePort: 80}\n';
    const { report } = await runOn({ 'app.yaml': `${SHOP}---\n${WEB}---\n${ing}` }, '--cluster-version', 'v1.20.0');
    expect(findings(report, 'network.exposed-workload')).toEqual(['Deployment web']);
    expect(findings(report, 'tls.edge-auth-missing')).toEqual(['Ingress web']);
  });
});

describe('a v1beta1 Ingress whose servicePort is a quoted number', () => {
  // A quoted value is a string to intstr.IntOrString.UnmarshalJSON (k8s.io/apimachinery
  // pkg/util/intstr/intstr.go at v0.34.0: `if value[0] == '"' { intstr.Type = String }`), which the
  // conversion puts in service.port.name (kubernetes v1.21.0 pkg/apis/networking/v1beta1/conversion.go,
  // Convert_v1beta1_IngressBackend_To_networking_IngressBackend: `out.Service.Port.Name =
  // in.ServicePort.StrVal`): a named port "80", as ztaudit converted it. But validation then refuses
  // the Ingress (pkg/apis/networking/validation/validation.go of v1.19 to v1.21, validateIngressBackend:
  // IsValidPortName, which k8s.io/apimachinery pkg/util/validation/validation.go at v0.34.0 makes
  // "must contain at least one letter (a-z)"): kubectl apply fails, so it is not read.
  const ingress = (port: string) => `apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata: {name: web, namespace: shop}\nspec:\n  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - path: /\n        backend: {serviceName: web, servicePort: ${port}}\n`;

  it('is skipped as the API server refuses it, naming file, key and why; its kind counts as not read', () => {
    const parsed = parseManifestText(ingress('"80"'), 'ing.yaml');
    expect(parsed.objects).toEqual([]);
    const why = 'Ingress whose spec.rules[0].http.paths[0].backend.servicePort "80" is not a port name the API server accepts (must contain at least one letter (a-z); quoted, a number is a name): kubectl apply would fail';
    expect(parsed.notes).toEqual([`ing.yaml:1: skipped a ${why}`]);
    expect(parsed.broken).toEqual([{ where: 'ing.yaml:1', why, kind: 'ingresses' }]);
  });

  it('unquoted, it is the port number; a name with a letter is a named port, as before', () => {
    const ports = ['80', 'http', '"web-8080"'].map((p) => (parseManifestText(ingress(p), 'ing.yaml').objects[0]?.spec as { rules: { http: { paths: { backend: { service: { port: unknown } } }[] } }[] }).rules[0].http.paths[0].backend.service.port);
    expect(ports).toEqual([{ number: 80 }, { name: 'http' }, { name: 'web-8080' }]);
  });

  it('the run says so and does not evaluate the Ingress checks', async () => {
    const { report } = await runOn({ 'app.yaml': `${SHOP}---\n${WEB}---\n${ingress('"80"')}` });
    expect(report.run.coverage.ingresses).toMatchObject({ status: 'error', detail: expect.stringContaining('servicePort "80" is not a port name the API server accepts') });
    expect(status(report, 'tls.edge-auth-missing')).toBe('not-evaluated');
  });
});

describe('a networking.k8s.io/v1 Ingress whose service.port.name is all digits', () => {
  // validateIngressBackend judges a non-empty service.port.name by IsValidPortName (kubernetes
  // pkg/apis/networking/validation/validation.go as at commit 019c5dc5: `hasPortName :=
  // len(backend.Service.Port.Name) > 0` … `validation.IsValidPortName(backend.Service.Port.Name)`),
  // which refuses a name without a letter: "must contain at least one letter (a-z)" (k8s.io/apimachinery
  // pkg/util/validation/validation.go at v0.34.0, an IANA_SVC_NAME). kubectl apply fails, as for the
  // v1beta1 servicePort "80" above: not read.
  const ingress = (backend: string, top = '') => `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: shop}\nspec:\n${top}  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend: ${backend}\n`;

  it('is skipped as the API server refuses it, naming file, key and why; its kind counts as not read', () => {
    const parsed = parseManifestText(ingress('{service: {name: web, port: {name: "80"}}}'), 'ing.yaml');
    expect(parsed.objects).toEqual([]);
    const why = 'Ingress whose spec.rules[0].http.paths[0].backend.service.port.name "80" is not a port name the API server accepts (must contain at least one letter (a-z); a port number goes in service.port.number): kubectl apply would fail';
    expect(parsed.notes).toEqual([`ing.yaml:1: skipped a ${why}`]);
    expect(parsed.broken).toEqual([{ where: 'ing.yaml:1', why, kind: 'ingresses' }]);
  });

  it('so is one whose defaultBackend names such a port, or a name IsValidPortName refuses otherwise', () => {
    const top = '  defaultBackend: {service: {name: fallback, port: {name: "8080"}}}\n';
    expect(parseManifestText(ingress('{service: {name: web, port: {name: http}}}', top), 'ing.yaml').broken.map((b) => b.why))
      .toEqual([expect.stringContaining('spec.defaultBackend.service.port.name "8080" is not a port name the API server accepts (must contain at least one letter (a-z);')]);
    expect(parseManifestText(ingress('{service: {name: web, port: {name: Web--Port}}}'), 'ing.yaml').broken.map((b) => b.why))
      .toEqual([expect.stringContaining('"Web--Port" is not a port name the API server accepts (must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-); must not contain consecutive hyphens;')]);
  });

  it('a name with a letter, or a port number, is read as before', () => {
    const ports = ['{name: http}', '{name: web-8080}', '{number: 80}'].map((p) => (parseManifestText(ingress(`{service: {name: web, port: ${p}}}`), 'ing.yaml').objects[0]?.spec as { rules: { http: { paths: { backend: { service: { port: unknown } } }[] } }[] }).rules[0].http.paths[0].backend.service.port);
    expect(ports).toEqual([{ name: 'http' }, { name: 'web-8080' }, { number: 80 }]);
  });

  // validateIngressBackend (kubernetes pkg/apis/networking/validation/validation.go at v1.36.3)
  // refuses a service port with both a name and a number, with neither, and a number outside
  // 1-65535 (IsValidPortNum); a name that is not a string or a number that is not an integer cannot
  // be decoded into ServiceBackendPort (k8s.io/api networking/v1). Each was read, routed to a port
  // the cluster would never have.
  it.each([
    ['{name: http, number: 80}', 'spec.rules[0].http.paths[0].backend.service.port has both a name and a number (the API server: cannot set both port name & port number): kubectl apply would fail'],
    ['{}', 'spec.rules[0].http.paths[0].backend.service.port has neither a name nor a number (the API server: port name or number is required): kubectl apply would fail'],
    ['{name: "", number: 0}', 'spec.rules[0].http.paths[0].backend.service.port has neither a name nor a number (the API server: port name or number is required): kubectl apply would fail'],
    ['{number: 70000}', 'spec.rules[0].http.paths[0].backend.service.port.number 70000 is not a port number the API server accepts (must be between 1 and 65535, inclusive): kubectl apply would fail'],
    ['{name: 80}', 'spec.rules[0].http.paths[0].backend.service.port.name is a number (80), not a string (the API server cannot decode it; a port number goes in spec.rules[0].http.paths[0].backend.service.port.number): kubectl apply would fail'],
    ['{number: "80"}', 'spec.rules[0].http.paths[0].backend.service.port.number is a string (80), not an integer (the API server cannot decode it): kubectl apply would fail'],
    ['80', 'spec.rules[0].http.paths[0].backend.service.port is a number (80), not a mapping (the API server cannot decode it): kubectl apply would fail'],
  ])('a service port %s is skipped as the API server refuses it, naming the key and why', (port, why) => {
    const parsed = parseManifestText(ingress(`{service: {name: web, port: ${port}}}`), 'ing.yaml');
    expect(parsed.objects).toEqual([]);
    expect(parsed.broken).toEqual([{ where: 'ing.yaml:1', why: `Ingress whose ${why}`, kind: 'ingresses' }]);
  });

  it('so is a service backend without a port, and a defaultBackend with both', () => {
    expect(parseManifestText(ingress('{service: {name: web}}'), 'ing.yaml').broken.map((b) => b.why))
      .toEqual([expect.stringContaining('backend.service.port has neither a name nor a number')]);
    const top = '  defaultBackend: {service: {name: fallback, port: {name: http, number: 8080}}}\n';
    expect(parseManifestText(ingress('{service: {name: web, port: {number: 80}}}', top), 'ing.yaml').broken.map((b) => b.why))
      .toEqual([expect.stringContaining('spec.defaultBackend.service.port has both a name and a number')]);
  });

  it('the run says so and does not evaluate the Ingress checks (the Ingress routed to a port named "80")', async () => {
    const { report } = await runOn({ 'app.yaml': `${SHOP}---\n${WEB}---\n${ingress('{service: {name: web, port: {name: "80"}}}')}` });
    expect(report.run.coverage.ingresses).toMatchObject({ status: 'error', detail: expect.stringContaining('service.port.name "80" is not a port name the API server accepts') });
    expect(status(report, 'tls.edge-auth-missing')).toBe('not-evaluated');
    expect(findings(report, 'tls.edge-auth-missing')).toEqual([]);
  });
});

describe('YAML aliases', () => {
  // kubectl's YAML reader (gopkg.in/yaml.v2 v2.4.0 decode.go, unmarshal and allowedAliasRatio)
  // refuses a document only when over 99% of what it decodes (up to 400,000 nodes) comes from aliases.
  const deployments = (n: number) => ['apiVersion: v1', 'kind: List', 'items:', ...Array.from({ length: n }, (_, i) => [
    `- apiVersion: apps/v1`, `  kind: Deployment`, `  metadata: {name: web-${i}, namespace: shop}`, `  spec:`, `    selector: {matchLabels: {app: web-${i}}}`, `    template:`,
    `      metadata: {labels: {app: web-${i}}}`, `      spec:`, `        containers:`, `        - name: c`, `          image: nginx`,
    i === 0 ? '          securityContext: &restricted {runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}' : '          securityContext: *restricted',
  ].join('\n'))].join('\n');

  it('150 Deployments sharing one securityContext anchor (149 aliases) are read, as kubectl reads them', () => {
    const parsed = parseManifestText(deployments(150), 'many.yaml');
    expect(parsed.notes).toEqual([]);
    expect(parsed.objects).toHaveLength(150);
    expect(parsed.objects[149].spec).toMatchObject({ template: { spec: { containers: [{ securityContext: { runAsNonRoot: true, capabilities: { drop: ['ALL'] } } }] } } });
    // Each alias is a copy, as goyaml.v2 decodes one: changing one object changes no other.
    const sc = (i: number) => (parsed.objects[i].spec as { template: { spec: { containers: { securityContext: object }[] } } }).template.spec.containers[0].securityContext;
    expect(sc(1)).not.toBe(sc(2));
  });

  it('a billion-laughs bomb is still refused, at once', () => {
    const bomb = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]', ...'bcdefghij'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(', ')}]`)].join('\n');
    const started = Date.now();
    const parsed = parseManifestText(bomb, 'bomb.yaml');
    expect(parsed.notes).toEqual(['bomb.yaml:1: skipped a document that cannot be loaded: Excessive alias count indicates a resource exhaustion attack']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a config file with more than 100 aliases is read too', () => {
    const waivers = Array.from({ length: 120 }, (_, i) => (i === 0
      ? '  - {check: rbac.wildcard-permission, resource: {kind: ClusterRole, name: ci-0}, reason: &r shared CI roles, owner: &o platform, expires: 2099-01-01}'
      : `  - {check: rbac.wildcard-permission, resource: {kind: ClusterRole, name: ci-${i}}, reason: *r, owner: *o, expires: 2099-01-01}`));
    const dir = dirWith({ 'ztaudit.yaml': `waivers:\n${waivers.join('\n')}\n` });
    const v = loadConfig('ztaudit.yaml', dir, new Set(CHECKS.map((c) => c.id)));
    expect(v.errors).toEqual([]);
    expect(v.config.waivers).toHaveLength(120);
    expect(v.config.waivers[119]).toMatchObject({ reason: 'shared CI roles', owner: 'platform' });
  });
});

describe('concatenated JSON objects (`jq -c \'.items[]\'`)', () => {
  // kubectl reads a file opening with `{` as a stream of JSON values (k8s.io/apimachinery
  // pkg/util/yaml/decoder.go at v0.34.0, NewYAMLOrJSONDecoder: GuessJSONStream, hasJSONPrefix).
  it('reads each object, on one line or many', () => {
    const text = `${JSON.stringify(ns('shop'))}${JSON.stringify(ADMIN)}\n${JSON.stringify(ns('b"}{'), null, 2)}\n`;
    const parsed = parseManifestText(text, 'objs.json');
    expect(parsed.notes).toEqual([]);
    expect(parsed.objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['Namespace/shop', 'ClusterRoleBinding/nested-admin', 'Namespace/b"}{']);
    expect(parsed.origins.map((o) => o.line)).toEqual([1, 1, 2]);
  });

  it('a broken object is named by file, line and its place in the stream; the others are read', () => {
    const text = `${JSON.stringify(ns('a'))}\n{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b", "name": "c"}}\n${JSON.stringify(ns('d'))}\n`;
    const parsed = parseManifestText(text, 'objs.json');
    expect(parsed.objects.map((o) => o.metadata?.name)).toEqual(['a', 'd']);
    expect(parsed.notes).toEqual(['objs.json:2: JSON object 2: skipped a broken JSON object: Map keys must be unique at line 2, column 69']);
    expect(parsed.broken).toEqual([{ where: 'objs.json:2: JSON object 2', why: 'broken JSON object: Map keys must be unique at line 2, column 69', kind: 'namespaces' }]);
  });

  it('the cluster-admin binding in such a file fails its check (the whole file was a broken document)', async () => {
    const { report } = await runOn({ 'objs.json': `${JSON.stringify(ns('shop'))}\n${JSON.stringify(ADMIN)}\n` });
    expect(findings(report, 'rbac.cluster-admin-binding')).toEqual(['User mallory']);
    expect(report.run.partial).toBeUndefined();
  });
});

describe('a file name with a line break in it', () => {
  it('stays on the one line of the error (it forged a `ztaudit:` line of its own)', async () => {
    const dir = dirWith({ 'm/x\nztaudit: FAKE line.yaml': 'a: b: c\n' });
    const io = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--history', 'none', '--no-notify', '-q', '--out', 'out'], io.cli)).toBe(2);
    expect(io.errLines()).toEqual([expect.stringMatching(/^ztaudit: --manifests \S+\/m: no Kubernetes objects found .*; 1 skipped, the first m\/x\\u000aztaudit: FAKE line\.yaml:1: broken YAML document: /)]);
  });

  it('and so does a --snapshot file name (an empty file)', async () => {
    const dir = dirWith({ 'x\nztaudit: FAKE.snap.json.gz': '' });
    const io = captureIO(dir);
    expect(await main(['run', '--snapshot', 'x\nztaudit: FAKE.snap.json.gz', '--history', 'none', '--no-notify', '-q', '--out', 'out'], io.cli)).toBe(2);
    expect(io.errLines()).toHaveLength(1);
    expect(io.errLines()[0]).toMatch(/^ztaudit: --snapshot .*x\\u000aztaudit: FAKE\.snap\.json\.gz: the file is empty$/);
  });

  it('and so does a --manifests path that does not exist', async () => {
    const dir = dirWith({});
    const io = captureIO(dir);
    expect(await main(['run', '--manifests', 'no\nztaudit: FAKE', '--history', 'none', '--no-notify', '-q', '--out', 'out'], io.cli)).toBe(2);
    expect(io.errLines()).toHaveLength(1);
    expect(io.errLines()[0]).toMatch(/^ztaudit: --manifests .*no\\u000aztaudit: FAKE: no such file or directory$/);
  });
});
