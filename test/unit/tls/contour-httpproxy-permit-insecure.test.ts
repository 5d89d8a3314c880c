// tls.ingress-without-tls on Contour HTTPProxies, judged per `contour serve` that takes them.
// - disablePermitInsecure: Contour builds a route's HTTPS upgrade as
//   `routeEnforceTLS(enforceTLS, route.PermitInsecure && !p.DisablePermitInsecure)`
//   (projectcontour/contour internal/dag/httpproxy_processor.go@v1.33.6 line 842), so with the
//   configuration file's `disablePermitInsecure: true` (pkg/config/parameters.go@v1.33.6 line 626) or
//   the ContourConfiguration's spec.httpproxy.disablePermitInsecure
//   (apis/projectcontour/v1alpha1/contourconfig.go@v1.33.6 HTTPProxyConfig, "Contour's default is
//   false") a route's permitInsecure is ignored and plaintext requests keep the 301 to HTTPS.
// - classes: a `contour serve` takes an HTTPProxy only when its class matches its
//   --ingress-class-name (internal/ingressclass MatchesHTTPProxy@v1.33.6): one of a class no Contour
//   takes is not served, so it is named in the check's note and gets no verdict.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

const ctx = (yaml: string): AuditContext => ({ snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') });
/** A `contour serve` v1.33.6 reading contour.yaml from ConfigMap projectcontour/contour (`file`: its text, undefined: no ConfigMap in the input), with extra args. */
const contour = (file: string | undefined, args = '') => `${file === undefined ? '' : `---
apiVersion: v1
kind: ConfigMap
metadata: {name: contour, namespace: projectcontour}
data:
  contour.yaml: |
${file.split('\n').map((l) => `    ${l}`).join('\n')}
`}---
apiVersion: apps/v1
kind: Deployment
metadata: {name: contour, namespace: projectcontour}
spec:
  selector: {matchLabels: {app: contour}}
  template:
    metadata: {labels: {app: contour}}
    spec:
      containers:
      - name: contour
        image: ghcr.io/projectcontour/contour:v1.33.6
        command: ["contour"]
        args: ["serve", "--incluster", "--config-path=/config/contour.yaml"${args}]
        volumeMounts: [{name: contour-config, mountPath: /config, readOnly: true}]
      volumes:
      - name: contour-config
        configMap: {name: contour, items: [{key: contour.yaml, path: contour.yaml}]}
`;
const proxy = (extra: string, tls = '\n    tls: {secretName: cert}') => `---
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: web, namespace: app}
spec:${extra}
  virtualhost:
    fqdn: a.example.com${tls}
  routes:
  - conditions: [{prefix: /}]
    permitInsecure: true
    services: [{name: s, port: 80}]
`;
const verdicts = (yaml: string) => [...ingressWithoutTls.evaluate(ctx(yaml))].filter((v) => v.resource.kind === 'HTTPProxy');

describe('tls.ingress-without-tls: Contour disablePermitInsecure', () => {
  it('disablePermitInsecure: true in the configuration file: the permitInsecure route keeps the redirect, a pass', () => {
    const vs = verdicts(contour('disablePermitInsecure: true') + proxy(''));
    // Before the fix: high "route / sets permitInsecure: served over plaintext HTTP instead of the 301 redirect to HTTPS".
    expect(vs.map((v) => v.status)).toEqual(['pass']);
    expect(vs[0].message).toContain('route / sets permitInsecure, which Contour ignores with disablePermitInsecure: true (Deployment projectcontour/contour: ConfigMap projectcontour/contour (contour.yaml) disablePermitInsecure true)');
  });

  it('ContourConfiguration spec.httpproxy.disablePermitInsecure: true passes too; false or unset fails high', () => {
    const cc = (v: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: contour, namespace: projectcontour}
spec:
  selector: {matchLabels: {app: contour}}
  template:
    metadata: {labels: {app: contour}}
    spec: {containers: [{name: contour, image: "ghcr.io/projectcontour/contour:v1.33.6", command: [contour], args: [serve, --contour-config-name=contour]}]}
---
apiVersion: projectcontour.io/v1alpha1
kind: ContourConfiguration
metadata: {name: contour, namespace: projectcontour}
spec: {httpproxy: ${v}}
`;
    expect(verdicts(cc('{disablePermitInsecure: true}') + proxy('')).map((v) => v.status)).toEqual(['pass']);
    const off = verdicts(cc('{disablePermitInsecure: false}') + proxy(''));
    expect(off.map((v) => [v.status, v.severity ?? 'high'])).toEqual([['fail', 'high']]);
    expect(off[0].message).toContain('(disablePermitInsecure is off: Deployment projectcontour/contour: ContourConfiguration projectcontour/contour spec.httpproxy.disablePermitInsecure false)');
    expect(verdicts(cc('{}') + proxy('')).map((v) => [v.status, v.severity ?? 'high'])).toEqual([['fail', 'high']]);
  });

  it('unset: Contour honours permitInsecure, high', () => {
    expect(verdicts(contour('tls: {minimum-protocol-version: "1.2"}') + proxy('')).map((v) => [v.status, v.severity ?? 'high'])).toEqual([['fail', 'high']]);
  });

  // No `contour serve` Deployment in the input (Contour run by the Gateway provisioner, whose
  // ContourDeployment spec.runtimeSettings is a ContourConfigurationSpec,
  // apis/projectcontour/v1alpha1/contourdeployment.go@v1.33.6 line 70, or a Deployment not
  // collected): its disablePermitInsecure is not read, and Contour has no command-line flag for it
  // (cmd/contour/servecontext.go@v1.33.6 line 618 takes it from the configuration file only), so
  // the outcome is not known either way.
  it('no Contour Deployment in the input: cannot be confirmed, medium (was: high on the assumed default)', () => {
    const vs = verdicts(proxy(''));
    expect(vs.map((v) => [v.status, v.severity])).toEqual([['fail', 'medium']]);
    expect(vs[0].message).toContain('whether they are served over plaintext HTTP cannot be confirmed');
    expect(vs[0].message).toContain('no `contour serve` Deployment is in the input');
    // Without permitInsecure the redirect does not hang on it: still a pass.
    const plain = verdicts(proxy('').replace('    permitInsecure: true\n', ''));
    expect(plain.map((v) => v.status)).toEqual(['pass']);
  });

  it('its configuration not in the input: cannot be confirmed, medium', () => {
    const vs = verdicts(contour(undefined) + proxy(''));
    expect(vs.map((v) => [v.status, v.severity])).toEqual([['fail', 'medium']]);
    expect(vs[0].message).toContain('cannot be confirmed');
    expect(vs[0].message).toContain('ConfigMap projectcontour/contour, which is not in the snapshot');
  });

  it('two Contours take it, one with disablePermitInsecure and one without: high, naming the one that honours it', () => {
    // A second `contour serve` with no --config-path: Contour's defaults, disablePermitInsecure false.
    const second = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: contour2, namespace: projectcontour}
spec:
  selector: {matchLabels: {app: contour2}}
  template:
    metadata: {labels: {app: contour2}}
    spec: {containers: [{name: contour, image: "ghcr.io/projectcontour/contour:v1.33.6", command: [contour], args: [serve, --incluster]}]}
`;
    const vs = verdicts(contour('disablePermitInsecure: true') + second + proxy(''));
    expect(vs.map((v) => [v.status, v.severity ?? 'high'])).toEqual([['fail', 'high']]);
    expect(vs[0].message).toContain('disablePermitInsecure is off: Deployment projectcontour/contour2');
  });
});

describe('tls.ingress-without-tls: an HTTPProxy of a class no `contour serve` takes', () => {
  it('--ingress-class-name=public and an HTTPProxy of class internal without TLS: no verdict, named in the note', () => {
    const y = contour('disablePermitInsecure: true', ', "--ingress-class-name=public"') + proxy('\n  ingressClassName: internal', '');
    // Before the fix: high "HTTPProxy app/web has no virtualhost.tls: a.example.com is served over plaintext HTTP."
    expect(verdicts(y)).toEqual([]);
    expect(ingressWithoutTls.excluded?.(ctx(y))).toContain('HTTPProxy app/web: it asks for class "internal", which no `contour serve` of the snapshot takes');
  });

  it('the class it takes is judged: class public without TLS fails high; no class under --ingress-class-name=public is not served', () => {
    const pub = verdicts(contour('{}', ', "--ingress-class-name=public"') + proxy('\n  ingressClassName: public', ''));
    expect(pub.map((v) => [v.status, v.severity ?? 'high'])).toEqual([['fail', 'high']]);
    expect(verdicts(contour('{}', ', "--ingress-class-name=public"') + proxy('', ''))).toEqual([]);
    // Without --ingress-class-name Contour takes no class or "contour" only.
    expect(verdicts(contour('{}') + proxy('\n  ingressClassName: contour', '')).map((v) => v.status)).toEqual(['fail']);
    expect(verdicts(contour('{}') + proxy('\n  ingressClassName: other', ''))).toEqual([]);
  });
});

// Contour builds a root's virtual host from its routes and, recursively, those of every HTTPProxy
// spec.includes names (namespace defaulting to the includer's), under the include's conditions, and
// sets each route's HTTPS upgrade from that route's own permitInsecure
// (projectcontour/contour internal/dag/httpproxy_processor.go@31c4bb38 computeRoutes, lines 782
// and 877). An include of another root is refused ("root httpproxy cannot include another root
// httpproxy"), and its visited list stops a cycle.
describe('tls.ingress-without-tls: permitInsecure on a route of an included HTTPProxy', () => {
  const root = (includes: string) => `---
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: root, namespace: app}
spec:
  virtualhost: {fqdn: web.example.com, tls: {secretName: web-tls}}
  includes: ${includes}
  routes: [{services: [{name: web, port: 80}]}]
`;
  const child = (ns: string, name: string, opts: { includes?: string; insecure?: boolean; vhost?: boolean } = {}) => `---
apiVersion: projectcontour.io/v1
kind: HTTPProxy
metadata: {name: ${name}, namespace: ${ns}}
spec:${opts.vhost ? `\n  virtualhost: {fqdn: ${name}.example.com, tls: {secretName: t}}` : ''}${opts.includes ? `\n  includes: ${opts.includes}` : ''}
  routes: [{conditions: [{prefix: /v1}], ${opts.insecure ? 'permitInsecure: true, ' : ''}services: [{name: ${name}, port: 8080}]}]
`;
  const rootOf = (yaml: string) => verdicts(yaml).filter((v) => v.resource.name === 'root');

  it('two levels down, in another namespace: the root fails high and names the route and the HTTPProxy', () => {
    const vs = rootOf(contour('tls: {}') + root('[{name: api, conditions: [{prefix: /api}]}]')
      + child('app', 'api', { includes: '[{name: deep, namespace: team, conditions: [{prefix: /deep}]}]' }) + child('team', 'deep', { insecure: true }));
    expect(vs.map((v) => [v.status, v.severity ?? 'high'])).toEqual([['fail', 'high']]);
    expect(vs[0].message).toContain('but route /api/deep/v1 (included HTTPProxy team/deep) sets permitInsecure: served over plaintext HTTP instead of the 301 redirect to HTTPS');
  });

  it('the include namespace defaults to the includer\'s: an HTTPProxy of that name elsewhere does not count', () => {
    expect(rootOf(contour('tls: {}') + root('[{name: api}]') + child('other', 'api', { insecure: true }) + child('app', 'api')).map((v) => v.status)).toEqual(['pass']);
    expect(rootOf(contour('tls: {}') + root('[{name: api}]') + child('app', 'api', { insecure: true })).map((v) => v.status)).toEqual(['fail']);
  });

  it('disablePermitInsecure: true keeps the redirect on included routes too', () => {
    expect(rootOf(contour('disablePermitInsecure: true') + root('[{name: api}]') + child('app', 'api', { insecure: true })).map((v) => v.status)).toEqual(['pass']);
  });

  it('an include cycle ends, and an included root is refused (its routes are not the virtual host\'s)', () => {
    const cycle = root('[{name: a}]') + child('app', 'a', { includes: '[{name: b}]' }) + child('app', 'b', { includes: '[{name: a}, {name: root}]', insecure: true });
    const vs = rootOf(contour('tls: {}') + cycle);
    expect(vs.map((v) => v.status)).toEqual(['fail']);
    expect(vs[0].message).toContain('route /v1 (included HTTPProxy app/b) sets permitInsecure');
    expect(rootOf(contour('tls: {}') + root('[{name: other}]') + child('app', 'other', { vhost: true, insecure: true })).map((v) => v.status)).toEqual(['pass']);
  });
});
