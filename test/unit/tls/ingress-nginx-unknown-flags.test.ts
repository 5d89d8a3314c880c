// ingress-nginx flags that decide which Ingresses a controller takes (--controller-class,
// --ingress-class, --watch-ingress-without-class), which annotations it reads
// (--annotations-prefix) and whether it passes TLS through (--enable-ssl-passthrough), taken from
// a container variable. The kubelet expands $(VAR) from the container's environment and leaves a
// reference to a variable that is not defined as written (k8s.io/kubernetes
// third_party/forked/golang/expansion/expand.go Expand at v1.34.0): the controller then gets the
// literal "$(VAR)", which ztaudit reads as such. A variable whose value ztaudit cannot know (a
// Secret's key, never read) leaves the flag unknown: the Ingresses it decides are "cannot be
// confirmed", never a pass on the flag's default or on the literal.
// The flags: kubernetes/ingress-nginx pkg/flags/flags.go (controller-class,
// ingress-class, watch-ingress-without-class, annotations-prefix, enable-ssl-passthrough; a
// pflag.FlagSet with ExitOnError, so a bool value strconv.ParseBool refuses stops the program);
// how they select Ingresses: internal/ingress/controller/store/store.go GetIngressClass.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { Check } from '../../../src/engine/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { sslRedirectDisabled } from '../../../checks/tls/ssl-redirect-disabled.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { nginxControllers } from '../../../src/analysis/tls/nginx.ts';

const snap = (yaml: string): Snapshot => snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects);
const ctxOf = (s: Snapshot): AuditContext => ({ snapshot: s, config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') });
const run = (check: Check, s: Snapshot): Verdict[] => [...check.evaluate(ctxOf(s))];

const secretVar = (name: string) => ({ name, valueFrom: { secretKeyRef: { name: 'controller-secret', key: name.toLowerCase() } } });

/** The controller Deployment with the args and env given. */
const controller = (args: string[], env: unknown[] = []) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app: ingress-nginx}}
  template:
    metadata: {labels: {app: ingress-nginx}}
    spec:
      containers:
        - name: controller
          image: registry.k8s.io/ingress-nginx/controller:v1.12.1
          args: ${JSON.stringify(['/nginx-ingress-controller', ...args])}
          env: ${JSON.stringify(env)}
`;

const ingressClass = `
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
`;

/** An Ingress with TLS for admin.example.com; `cls` picks how it names its class. */
const ingress = (cls: { className?: string; annotation?: string }, annotations: Record<string, string> = {}) => `
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: admin
  namespace: app
  annotations: ${JSON.stringify({ ...(cls.annotation !== undefined ? { 'kubernetes.io/ingress.class': cls.annotation } : {}), ...annotations })}
spec:
  ${cls.className !== undefined ? `ingressClassName: ${cls.className}` : ''}
  tls: [{hosts: [admin.example.com], secretName: admin-tls}]
  rules:
  - host: admin.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: admin, port: {number: 80}}}}]}
`;

const redirect = (s: Snapshot) => run(sslRedirectDisabled, s).find((v) => v.resource.name === 'admin');

describe('--ingress-class, --controller-class, --watch-ingress-without-class from a Secret: whether the controller takes the Ingress is not known', () => {
  const cases: Array<[string, string[], string, { className?: string; annotation?: string }]> = [
    ['--ingress-class=$(IC), Ingress annotated kubernetes.io/ingress.class: nginx', ['--ingress-class=$(IC)'], 'IC', { annotation: 'nginx' }],
    ['--controller-class=$(CC), Ingress of IngressClass nginx (controller k8s.io/ingress-nginx)', ['--controller-class=$(CC)'], 'CC', { className: 'nginx' }],
    ['--watch-ingress-without-class=$(W), Ingress naming no class', ['--watch-ingress-without-class=$(W)'], 'W', {}],
  ];
  for (const [what, args, name, cls] of cases) {
    it(`${what}: its redirect cannot be confirmed (medium), naming the Secret; read as the literal or "off" before, the Ingress went unjudged`, () => {
      const s = snap(controller(args, [secretVar(name)]) + ingressClass + ingress(cls));
      const v = redirect(s);
      expect([v?.status, v?.severity]).toEqual(['fail', 'medium']);
      expect(v?.message).toContain('cannot be confirmed');
      expect(v?.message).toContain(`Secret ingress-nginx/controller-secret, which ztaudit never reads`);
      // tls.ingress-without-tls's pass on the host is not confirmed either.
      const t = run(ingressWithoutTls, s).find((x) => x.resource.name === 'admin');
      expect([t?.status, t?.severity]).toEqual(['fail', 'medium']);
      expect(t?.evidence?.unconfirmed).toContain('whether ingress-nginx controller Deployment ingress-nginx/ingress-nginx-controller takes it is not known');
    });
  }

  it('the same flags given outright keep their certain verdicts: a pass', () => {
    for (const [args, cls] of [[['--ingress-class=nginx'], { annotation: 'nginx' }], [[], { className: 'nginx' }], [['--watch-ingress-without-class=true'], {}]] as const) {
      const s = snap(controller([...args]) + ingressClass + ingress(cls));
      expect(redirect(s)?.status).toBe('pass');
      expect(run(ingressWithoutTls, s).find((x) => x.resource.name === 'admin')?.status).toBe('pass');
    }
  });

  it('a variable that is not defined: the kubelet leaves "$(IC)" as written and the controller takes the class "$(IC)" literally', () => {
    const s = snap(controller(['--ingress-class=$(IC)']) + ingressClass + ingress({ annotation: 'nginx' }));
    expect(nginxControllers(s)[0]).toMatchObject({ ingressClass: '$(IC)' });
    expect(nginxControllers(s)[0]?.classUnknown).toBeUndefined();
    // "nginx" is not "$(IC)": the controller does not take it, so ssl-redirect-disabled has nothing to judge.
    expect(redirect(s)).toBeUndefined();
    // An Ingress annotated with the literal class is taken, for certain.
    expect(redirect(snap(controller(['--ingress-class=$(IC)']) + ingressClass + ingress({ annotation: '$(IC)' })))?.status).toBe('pass');
  });

  it('an undefined variable in a bool flag: ParseBool refuses "$(W)", so the controller does not start', () => {
    const s = snap(controller(['--watch-ingress-without-class=$(W)']) + ingressClass + ingress({}));
    expect(nginxControllers(s)[0]?.watch).toMatchObject({ none: expect.stringContaining('--watch-ingress-without-class="$(W)"') });
    expect(legacyProtocolEnabled.excluded?.(ctxOf(s))).toContain('cannot start');
  });

  // spf13/pflag reads one dash as one-letter shorthands (flag.go parseShortArg) and the controller
  // defines none but klog's -v (pkg/flags/flags.go, pflag.ExitOnError): -e is unknown, flags.Parse exits.
  it('-enable-ssl-passthrough with one dash is no --enable-ssl-passthrough: pflag refuses the shorthand -e, so the controller does not start', () => {
    for (const arg of ['-enable-ssl-passthrough', '-watch-namespace=shop']) {
      const s = snap(controller([arg]) + ingressClass + ingress({}));
      const c = nginxControllers(s)[0];
      expect(c?.sslPassthrough).toBe(false);
      expect(c?.watch).toEqual({ none: `it is started with ${JSON.stringify(arg)}, which pflag reads as one-letter shorthands, not as a flag of two dashes, and -${arg[1]} is no shorthand of the controller, so pflag stops it at flag parsing: it does not start` });
      expect(legacyProtocolEnabled.excluded?.(ctxOf(s))).toContain('cannot start');
    }
    expect(nginxControllers(snap(controller(['--enable-ssl-passthrough']) + ingressClass + ingress({})))[0]).toMatchObject({ sslPassthrough: true, watch: { all: true } });
  });

  it('a variable from a ConfigMap in the input is read: the class it names decides, for certain', () => {
    const cm = `
---
apiVersion: v1
kind: ConfigMap
metadata: {name: flags, namespace: ingress-nginx}
data: {ic: nginx}
`;
    const s = snap(controller(['--ingress-class=$(IC)'], [{ name: 'IC', valueFrom: { configMapKeyRef: { name: 'flags', key: 'ic' } } }]) + cm + ingressClass + ingress({ annotation: 'nginx' }));
    expect(redirect(s)?.status).toBe('pass');
  });
});

describe('--annotations-prefix from a Secret: which annotations the controller reads is not known', () => {
  it('ssl-redirect "false" under the default prefix may be read: the redirect (a pass on the default) cannot be confirmed', () => {
    const s = snap(controller(['--annotations-prefix=$(P)'], [secretVar('P')]) + ingressClass + ingress({ className: 'nginx' }, { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' }));
    const v = redirect(s);
    expect([v?.status, v?.severity]).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('which of its annotations ingress-nginx controller Deployment ingress-nginx/ingress-nginx-controller reads is not known');
  });

  it('an Ingress without annotations is judged as before: the prefix changes nothing there', () => {
    expect(redirect(snap(controller(['--annotations-prefix=$(P)'], [secretVar('P')]) + ingressClass + ingress({ className: 'nginx' })))?.status).toBe('pass');
  });

  it('an undefined variable: the prefix is the literal "$(P)", so nginx.ingress.kubernetes.io/ssl-redirect means nothing to it (the default, on: a pass)', () => {
    const s = snap(controller(['--annotations-prefix=$(P)']) + ingressClass + ingress({ className: 'nginx' }, { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' }));
    expect(nginxControllers(s)[0]?.annotationPrefix).toBe('$(P)/');
    expect(redirect(s)?.status).toBe('pass');
  });
});

describe('--enable-ssl-passthrough from a Secret: whether the ssl-passthrough annotation is honoured is not known', () => {
  const passthrough = { 'nginx.ingress.kubernetes.io/ssl-passthrough': 'true' };
  // Both readings are judged (test/unit/tls/ingress-nginx-unknown-flags-fails.test.ts): a host
  // with its own TLS entry passes either way, as ssl-redirect redirects port 80 of a passed-through
  // host whose server holds a certificate.
  it('the host with a TLS entry passes on both readings (ignored, or honoured with ssl-redirect on port 80): a pass saying the flag is not known', () => {
    const s = snap(controller(['--enable-ssl-passthrough=$(SP)'], [secretVar('SP')]) + ingressClass + ingress({ className: 'nginx' }, passthrough));
    const t = run(ingressWithoutTls, s).find((x) => x.resource.name === 'admin');
    expect(t?.status).toBe('pass');
    expect(t?.message).toContain('--enable-ssl-passthrough is taken from SP, set from key "sp" of Secret ingress-nginx/controller-secret');
  });

  it('given outright (on, or off), the verdict is certain', () => {
    for (const args of [['--enable-ssl-passthrough'], []]) {
      const t = run(ingressWithoutTls, snap(controller(args) + ingressClass + ingress({ className: 'nginx' }, passthrough))).find((x) => x.resource.name === 'admin');
      expect(t?.evidence?.unconfirmed).toBeUndefined();
    }
  });
});
