// How an ingress-nginx controller's own flags decide which Ingresses it serves and which
// ConfigMap it reads, at kubernetes/ingress-nginx controller-v1.12.0:
// - pkg/flags/flags.go:77 declares --watch-ingress-without-class with flags.Bool: pflag reads
//   a bare flag as true and --flag=value with strconv.ParseBool (1, t, T, TRUE, true, True), the
//   last occurrence winning.
// - internal/k8s/main.go:36-43 ParseNameNS refuses a --configmap value that does not split into
//   exactly two parts on "/"; internal/ingress/controller/store/store.go:869-878 only logs the
//   error and the failed Get, so setConfig keeps the defaults, and the ConfigMap informer's
//   handler (store.go:737, 746) compares keys "namespace/name" to the raw value, which never
//   matches: that controller never reads a ConfigMap.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { Check } from '../../../src/engine/types.ts';
import { sslRedirectDisabled } from '../../../checks/tls/ssl-redirect-disabled.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

function run(check: Check, yaml: string): Verdict[] {
  const ctx: AuditContext = { snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  return [...check.evaluate(ctx)];
}

const controller = (args: string[]) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app: c}}
  template:
    metadata: {labels: {app: c}}
    spec:
      containers:
      - name: controller
        image: registry.k8s.io/ingress-nginx/controller:v1.12.1
        args: ${JSON.stringify(['/nginx-ingress-controller', ...args])}
        env:
        - name: POD_NAMESPACE
          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
`;

const configMap = (data: Record<string, string>) => `
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data: ${JSON.stringify(data)}
`;

// An Ingress naming no class: only a controller watching Ingresses without class serves it.
const classless = `
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: admin, namespace: app}
spec:
  tls: [{hosts: [admin.example.com], secretName: admin-tls}]
  rules:
  - host: admin.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: admin, port: {number: 80}}}}]}
`;

describe('--watch-ingress-without-class is a Go bool flag (strconv.ParseBool, last one wins)', () => {
  for (const value of ['True', 'TRUE', '1', 't', 'T', 'true']) {
    it(`=${value}: the controller serves the class-less Ingress, so its ConfigMap's ssl-redirect "false" keeps HTTP open`, () => {
      const [v] = run(sslRedirectDisabled, controller(['--configmap=$(POD_NAMESPACE)/ingress-nginx-controller', `--watch-ingress-without-class=${value}`]) + configMap({ 'ssl-redirect': 'false' }) + classless);
      expect(v?.status).toBe('fail');
      expect(v?.message).toContain('ConfigMap ingress-nginx/ingress-nginx-controller ssl-redirect: "false"');
    });
  }

  it('the bare flag turns it on; a later =false turns it off again, and a later =1 back on', () => {
    const cm = configMap({ 'ssl-redirect': 'false' });
    const cmArg = '--configmap=$(POD_NAMESPACE)/ingress-nginx-controller';
    expect(run(sslRedirectDisabled, controller([cmArg, '--watch-ingress-without-class']) + cm + classless)[0]?.status).toBe('fail');
    expect(run(sslRedirectDisabled, controller([cmArg, '--watch-ingress-without-class', '--watch-ingress-without-class=false']) + cm + classless)).toEqual([]);
    expect(run(sslRedirectDisabled, controller([cmArg, '--watch-ingress-without-class=0', '--watch-ingress-without-class=1']) + cm + classless)[0]?.status).toBe('fail');
  });

  it('=F, =0 and a value ParseBool refuses leave the class-less Ingress to no ingress-nginx', () => {
    for (const value of ['F', '0', 'yes']) {
      expect(run(sslRedirectDisabled, controller(['--configmap=$(POD_NAMESPACE)/ingress-nginx-controller', `--watch-ingress-without-class=${value}`]) + configMap({ 'ssl-redirect': 'false' }) + classless)).toEqual([]);
    }
  });
});

// A controller exposed by a LoadBalancer Service, so its Ingresses are ways in the edge guards judge.
const served = `
---
apiVersion: v1
kind: Service
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  type: LoadBalancer
  selector: {app: c}
  ports: [{name: https, port: 443, targetPort: 443}, {name: http, port: 80, targetPort: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: admin, namespace: app}
spec:
  selector: {matchLabels: {app: admin}}
  template:
    metadata: {labels: {app: admin}}
    spec: {containers: [{name: c, image: "admin:1", ports: [{containerPort: 8080}]}]}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: v1
kind: Service
metadata: {name: admin, namespace: app}
spec: {selector: {app: admin}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: admin, namespace: app}
spec:
  ingressClassName: nginx
  tls: [{hosts: [admin.example.com], secretName: admin-tls}]
  rules:
  - host: admin.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: admin, port: {number: 80}}}}]}
`;

const settings = configMap({ 'global-auth-url': 'https://auth.example.com/oauth2/auth', 'ssl-protocols': 'TLSv1 TLSv1.2' });

describe('--configmap without NAMESPACE/NAME: the controller runs on its defaults', () => {
  for (const value of ['ingress-nginx-controller', 'ingress-nginx/ingress-nginx-controller/x', '/ingress-nginx-controller', 'ingress-nginx/']) {
    it(`--configmap=${value}: the ConfigMap's ssl-protocols and global-auth-url do not apply, and the findings say why`, () => {
      const yaml = controller([`--configmap=${value}`, '--ingress-class=nginx']) + settings + served;
      const [legacy] = run(legacyProtocolEnabled, yaml).filter((v) => v.detailKey === 'ssl-protocols');
      expect(legacy?.status).toBe('pass');
      expect(legacy?.resource).toMatchObject({ kind: 'Deployment', name: 'ingress-nginx-controller' });
      expect(legacy?.message).toContain(`--configmap=${JSON.stringify(value)} is not NAMESPACE/NAME of a ConfigMap that can exist, so it reads no ConfigMap and runs on its defaults`);
      const [auth] = run(edgeAuthMissing, yaml);
      expect(auth?.status).toBe('fail');
      expect(auth?.message).toContain(`--configmap=${JSON.stringify(value)} is not NAMESPACE/NAME`);
    });
  }

  it('--configmap=NAMESPACE/NAME (here through $(POD_NAMESPACE)) is read: TLSv1 fails and global-auth-url authenticates', () => {
    const yaml = controller(['--configmap=$(POD_NAMESPACE)/ingress-nginx-controller', '--ingress-class=nginx']) + settings + served;
    expect(run(legacyProtocolEnabled, yaml).find((v) => v.detailKey === 'ssl-protocols')?.status).toBe('fail');
    expect(run(edgeAuthMissing, yaml)[0]?.status).toBe('pass');
  });
});

// --watch-namespace (pkg/flags/flags.go:107, one namespace, all when empty) and
// --watch-namespace-selector (flags.go:112, labels.Parse at flags.go:319; both together refused
// at flags.go:312) limit the Ingresses a controller sees: store.go:315-329 builds its informers
// WithNamespace(namespace), and store.go:363-379 watchedNamespace drops Ingresses of namespaces
// the selector does not match (Namespaces listed with OWNER!=TILLER, store.go:294).
const namespaced = (watch: string[], namespaces = '') => controller(['--configmap=$(POD_NAMESPACE)/ingress-nginx-controller', '--ingress-class=nginx', ...watch]) + namespaces + `
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: admin, namespace: app, creationTimestamp: "2025-02-01T00:00:00Z"}
spec:
  ingressClassName: nginx
  rules:
  - host: admin.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: admin, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: admin-tls, namespace: certs, creationTimestamp: "2025-01-01T00:00:00Z"}
spec:
  ingressClassName: nginx
  tls: [{hosts: [admin.example.com], secretName: admin-tls}]
  rules:
  - host: admin.example.com
    http: {paths: [{path: /.well-known/x, pathType: Prefix, backend: {service: {name: none, port: {number: 80}}}}]}
`;
const ns = (name: string, labels: Record<string, string>) => `
---
apiVersion: v1
kind: Namespace
metadata: {name: ${name}, labels: ${JSON.stringify(labels)}}
`;
const hostVerdict = (yaml: string) => run(ingressWithoutTls, yaml).find((v) => v.resource.name === 'admin' && v.detailKey === 'host/admin.example.com');

describe('--watch-namespace and --watch-namespace-selector: a controller sees only the Ingresses of the namespaces it watches', () => {
  it('watching all namespaces, the Ingress of namespace certs gives admin.example.com its certificate (the control)', () => {
    expect(hostVerdict(namespaced([]))?.status).toBe('pass');
  });

  it('--watch-namespace=app: the Ingress of namespace certs supplies no certificate, so app/admin has none', () => {
    const v = hostVerdict(namespaced(['--watch-namespace=app']));
    expect([v?.status, v?.severity ?? ingressWithoutTls.severity]).toEqual(['fail', 'high']);
    expect(v?.message).toContain('Ingress app/admin has no spec.tls');
  });

  it('--watch-namespace=team-a: that controller does not serve app/admin, so the ConfigMap\'s global-auth-url does not authenticate it; the Ingress reads as with no controller in the snapshot', () => {
    const yaml = controller(['--configmap=$(POD_NAMESPACE)/ingress-nginx-controller', '--ingress-class=nginx', '--watch-namespace=team-a']) + configMap({ 'global-auth-url': 'https://auth.example.com/oauth2/auth' }) + served;
    const [auth] = run(edgeAuthMissing, yaml);
    expect(auth?.status).toBe('fail');
    expect(auth?.message).toContain('exposed through ingress-nginx (IngressClass nginx)');
    expect(auth?.message).not.toContain('global-auth-url');
    expect(auth?.message).toBe(run(edgeAuthMissing, served)[0]?.message);
    const watched = controller(['--configmap=$(POD_NAMESPACE)/ingress-nginx-controller', '--ingress-class=nginx', '--watch-namespace=app']) + configMap({ 'global-auth-url': 'https://auth.example.com/oauth2/auth' }) + served;
    expect(run(edgeAuthMissing, watched)[0]?.status).toBe('pass');
  });

  it('--watch-namespace-selector over the Namespaces\' labels: certs selected or not', () => {
    const labelled = ns('app', { team: 'a' }) + ns('certs', { team: 'b' });
    expect(hostVerdict(namespaced(['--watch-namespace-selector=team=a'], labelled))?.status).toBe('fail');
    expect(hostVerdict(namespaced(['--watch-namespace-selector=team in (a,b)'], labelled))?.status).toBe('pass');
    expect(hostVerdict(namespaced(['--watch-namespace-selector=team!=b'], labelled))?.status).toBe('fail');
    expect(hostVerdict(namespaced(['--watch-namespace-selector=team'], labelled))?.status).toBe('pass');
    expect(hostVerdict(namespaced(['--watch-namespace-selector=team=a'], ns('app', { team: 'a' }) + ns('certs', { team: 'a', OWNER: 'TILLER' })))?.status).toBe('fail');
  });

  it('a selector on kubernetes.io/metadata.name alone is read without the Namespace objects, which the API server labels with their name', () => {
    expect(hostVerdict(namespaced(['--watch-namespace-selector=kubernetes.io/metadata.name notin (certs)']))?.status).toBe('fail');
    expect(hostVerdict(namespaced(['--watch-namespace-selector=kubernetes.io/metadata.name in (app,certs)']))?.status).toBe('pass');
  });

  it('a selector over labels of a Namespace the snapshot lacks leaves the certificate in doubt: a medium finding, not a pass', () => {
    const v = hostVerdict(namespaced(['--watch-namespace-selector=team=a'], ns('app', { team: 'a' })));
    expect([v?.status, v?.severity]).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('cannot be confirmed');
    expect(v?.message).toContain('Namespace certs is not in the snapshot');
  });

  it('both flags stop the controller starting: it serves nothing, and the Ingress reads as with no controller in the snapshot', () => {
    const yaml = controller(['--configmap=$(POD_NAMESPACE)/ingress-nginx-controller', '--ingress-class=nginx', '--watch-namespace=app', '--watch-namespace-selector=team=a']) + configMap({ 'global-auth-url': 'https://auth.example.com/oauth2/auth' }) + served;
    const [auth] = run(edgeAuthMissing, yaml);
    expect(auth?.status).toBe('fail');
    expect(auth?.message).not.toContain('global-auth-url');
    expect(auth?.message).toBe(run(edgeAuthMissing, served)[0]?.message);
  });
});

// pkg/flags/flags.go (controller-v1.12.0) ParseFlags builds its flags with
// pflag.NewFlagSet("", pflag.ExitOnError); spf13/pflag flag.go FlagSet.Parse exits the program
// (os.Exit(2)) when a flag's Set fails, and a bool flag's Set is strconv.ParseBool, which refuses
// "yes": the controller never starts. Read as off before, its ConfigMap's settings were credited.
describe('a bool flag value ParseBool refuses (--watch-ingress-without-class=yes): the controller does not start', () => {
  const ctxOf = (yaml: string): AuditContext => ({ snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') });
  const startsWith = (flag: string) => controller(['--configmap=$(POD_NAMESPACE)/ingress-nginx-controller', '--ingress-class=nginx', flag]) + settings + served;

  for (const flag of ['--watch-ingress-without-class=yes', '--enable-ssl-passthrough=on']) {
    it(`${flag}: its Ingresses read as with no controller in the snapshot, and its settings are left to the note, not judged`, () => {
      const yaml = startsWith(flag);
      const [auth] = run(edgeAuthMissing, yaml);
      expect(auth?.status).toBe('fail');
      expect(auth?.message).toBe(run(edgeAuthMissing, served)[0]?.message);
      expect(run(legacyProtocolEnabled, yaml).filter((v) => v.detailKey === 'ssl-protocols')).toEqual([]);
      const note = legacyProtocolEnabled.excluded?.(ctxOf(yaml));
      expect(note).toContain('ingress-nginx controller(s) cannot start');
      expect(note).toContain(`${flag.slice(0, flag.indexOf('='))}="${flag.slice(flag.indexOf('=') + 1)}", a value Go's strconv.ParseBool refuses`);
    });
  }

  it('pflag stops at the refused value: a later valid one does not save it; a valid value (=false) starts it, its global-auth-url counting', () => {
    const later = controller(['--configmap=$(POD_NAMESPACE)/ingress-nginx-controller', '--ingress-class=nginx', '--watch-ingress-without-class=yes', '--watch-ingress-without-class=true']) + settings + served;
    expect(run(edgeAuthMissing, later)[0]?.message).toBe(run(edgeAuthMissing, served)[0]?.message);
    const ok = startsWith('--watch-ingress-without-class=false');
    expect(run(edgeAuthMissing, ok)[0]?.status).toBe('pass');
    expect(run(legacyProtocolEnabled, ok).find((v) => v.detailKey === 'ssl-protocols')?.status).toBe('fail');
    expect(legacyProtocolEnabled.excluded?.(ctxOf(ok)) ?? '').not.toContain('cannot start');
  });
});
