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
      expect(legacy?.message).toContain(`--configmap=${JSON.stringify(value)} is not NAMESPACE/NAME, so it reads no ConfigMap and runs on its defaults`);
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
