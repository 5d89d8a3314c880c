// An ingress-nginx controller's flags taken from container variables that come from a ConfigMap,
// a Secret or a pod field. The kubelet builds the container's environment before it expands
// $(VAR) in the args (k8s.io/kubernetes pkg/kubelet/kubelet_pods.go makeEnvironmentVariables at
// v1.34.0): envFrom sources first, in order, each ConfigMap's keys with the source's prefix; then
// env in order, a later entry over an earlier one and over envFrom; a configMapKeyRef takes the key
// of that ConfigMap in the pod's namespace; an `optional` ConfigMap or key that does not exist
// sets nothing ("ignore error when marked optional": the name keeps what it had, and $(NAME) stays
// as written, third_party/forked/golang/expansion/expand.go). ztaudit never reads Secrets, and a
// ConfigMap not in the input is not known: a flag taken from either is unknown, and the controller
// is judged "cannot be confirmed", never on ingress-nginx's defaults (a TLS 1.0 ConfigMap passed).
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { collectConfigMaps } from '../../../src/collect/live.ts';
import { liveConfigMapRefs } from '../../../src/cli/source.ts';
import type { KubeClient } from '../../../src/kube/client.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { Check } from '../../../src/engine/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';
import { hstsDisabled } from '../../../checks/tls/hsts-disabled.ts';
import { sslRedirectDisabled } from '../../../checks/tls/ssl-redirect-disabled.ts';
import { nginxControllers } from '../../../src/analysis/tls/nginx.ts';

const snap = (yaml: string): Snapshot => snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects);
function run(check: Check, s: Snapshot): Verdict[] {
  const ctx: AuditContext = { snapshot: s, config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  return [...check.evaluate(ctx)];
}
/** The ssl-protocols verdict of tls.legacy-protocol-enabled: one per controller ConfigMap, or per controller. */
const ctxOf = (s: Snapshot): AuditContext => ({ snapshot: s, config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') });
const protocols = (s: Snapshot) => run(legacyProtocolEnabled, s).filter((v) => v.detailKey === 'ssl-protocols');

/** The controller Deployment of /tmp/rev-mr4/cmref, with the env and envFrom given. */
const controller = (env: unknown[], envFrom: unknown[] = [], args = ['--configmap=$(CM)']) => `
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
          image: registry.k8s.io/ingress-nginx/controller:v1.15.1
          args: ${JSON.stringify(['/nginx-ingress-controller', ...args])}
          env: ${JSON.stringify(env)}
          envFrom: ${JSON.stringify(envFrom)}
`;

// The controller's own ConfigMap enables TLS 1.0 with a CBC-SHA suite and turns HSTS off.
const tls10 = `
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data: {ssl-protocols: "TLSv1 TLSv1.1 TLSv1.2", ssl-ciphers: "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA", hsts: "false"}
`;
const settings = (data: Record<string, string>, name = 'controller-settings') => `
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, namespace: ingress-nginx}
data: ${JSON.stringify(data)}
`;
const keyRef = (name: string, key: string, optional?: boolean) => ({ name: 'CM', valueFrom: { configMapKeyRef: { name, key, ...(optional !== undefined ? { optional } : {}) } } });

describe('--configmap=$(CM) with CM from a ConfigMap key (env valueFrom.configMapKeyRef)', () => {
  it('the ConfigMap in the input: its value names the controller ConfigMap, so TLS 1.0 fails (the /tmp/rev-mr4/cmref repro, a pass before)', () => {
    const s = snap(controller([keyRef('controller-settings', 'configmap')]) + tls10 + settings({ configmap: 'ingress-nginx/ingress-nginx-controller' }));
    expect(nginxControllers(s)[0]?.configMap).toEqual({ namespace: 'ingress-nginx', name: 'ingress-nginx-controller' });
    const [v] = protocols(s);
    expect([v?.status, v?.severity ?? 'high']).toEqual(['fail', 'high']);
    expect(v?.resource).toMatchObject({ kind: 'ConfigMap', name: 'ingress-nginx-controller' });
    expect(run(weakCiphers, s).find((x) => x.resource.kind === 'ConfigMap')?.status).toBe('fail');
    expect(run(hstsDisabled, s).find((x) => x.resource.kind === 'ConfigMap')?.status).toBe('fail');
  });

  it('the ConfigMap not in the input while ConfigMaps are read: not optional, so the kubelet refuses to create the container (CreateContainerConfigError) and the controller cannot start; the note names the ConfigMap and key', () => {
    // k8s.io/kubernetes pkg/kubelet/kubelet_pods.go makeEnvironmentVariables at v1.34.0: a
    // configMapKeyRef whose ConfigMap is not found returns an error unless optional, and the
    // kubelet does not create the container (https://kubernetes.io/docs/concepts/configuration/configmap/:
    // "pods will fail to start" when a referenced ConfigMap is missing and not marked optional).
    const s = snap(controller([keyRef('controller-settings', 'configmap')]) + tls10);
    expect(nginxControllers(s)[0]?.watch).toMatchObject({ none: expect.stringContaining('CreateContainerConfigError') });
    expect(protocols(s)).toEqual([]);
    const note = legacyProtocolEnabled.excluded?.(ctxOf(s)) ?? '';
    expect(note).toContain('cannot start');
    expect(note).toContain('takes key "configmap" of ConfigMap ingress-nginx/"controller-settings" (configMapKeyRef, not optional), which does not exist');
    // A name that is hostile text stays quoted: its line break cannot forge a line of the note.
    const hostile = snap(controller([keyRef('settings\nFORGED', 'configmap')]) + tls10);
    expect(legacyProtocolEnabled.excluded?.(ctxOf(hostile)) ?? '').toContain('ConfigMap ingress-nginx/"settings\\nFORGED"');
  });

  it('the ConfigMap not in the input while ConfigMaps could not be read (coverage forbidden): it may exist, so the controller cannot be confirmed (medium), not a pass on the defaults, in each controller-wide check', () => {
    const s = snap(controller([keyRef('controller-settings', 'configmap')]) + tls10);
    s.coverage.configmaps = { status: 'forbidden' };
    const [v] = protocols(s);
    expect([v?.status, v?.severity]).toEqual(['fail', 'medium']);
    expect(v?.resource).toMatchObject({ kind: 'Deployment', namespace: 'ingress-nginx', name: 'ingress-nginx-controller' });
    expect(v?.message).toContain('cannot be confirmed');
    expect(v?.message).toContain('set from key "configmap" of ConfigMap ingress-nginx/controller-settings, which is not in the input');
    for (const check of [weakCiphers, hstsDisabled]) {
      const w = run(check, s).find((x) => x.resource.kind === 'Deployment');
      expect(w?.status).toBe('fail');
      expect(w?.message).toContain('cannot be confirmed');
    }
  });

  it('a key the ConfigMap lacks (not optional): unknown, as the container cannot have started with it', () => {
    const [v] = protocols(snap(controller([keyRef('controller-settings', 'configmap')]) + tls10 + settings({ other: 'x' })));
    expect([v?.status, v?.severity]).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('which has no such key');
  });

  it('optional, and the ConfigMap or its key absent: CM is unset, $(CM) stays as written, and that is no NAMESPACE/NAME (the defaults, as ingress-nginx does)', () => {
    for (const yaml of [controller([keyRef('controller-settings', 'configmap', true)]) + tls10, controller([keyRef('controller-settings', 'configmap', true)]) + tls10 + settings({ other: 'x' })]) {
      const s = snap(yaml);
      expect(nginxControllers(s)[0]?.configMapIgnored).toBe('$(CM)');
      const [v] = protocols(s);
      expect(v?.status).toBe('pass');
      expect(v?.message).toContain('--configmap="$(CM)" is not NAMESPACE/NAME');
    }
  });

  it('a value ending in a line break (a YAML block scalar "configmap: |"): ingress-nginx looks up "NAME\\n", which exists nowhere, and keeps its defaults, so the ConfigMap named is not credited', () => {
    // The kubelet takes the key's value as is and pflag keeps it; k8s.ParseNameNS splits on "/"
    // without trimming, so store.go New's Get of "ingress-nginx-controller\n" fails and the
    // defaults stay (kubernetes/ingress-nginx internal/k8s/main.go, internal/ingress/controller/store/store.go
    // at controller-v1.14.5). The mr5 review's repro /tmp/rev-mr5/cmnl: a WAF credited from it.
    const s = snap(controller([keyRef('controller-settings', 'configmap')]) + tls10 + settings({ configmap: 'ingress-nginx/ingress-nginx-controller\n' }));
    expect(nginxControllers(s)[0]?.configMapIgnored).toBe('ingress-nginx/ingress-nginx-controller\n');
    const [v] = protocols(s);
    // The defaults (TLS 1.2 and 1.3): no TLS 1.0 from the ConfigMap that is never read.
    expect(v?.status).toBe('pass');
  });

  it('optional but the ConfigMap holds the key: its value is read', () => {
    const [v] = protocols(snap(controller([keyRef('controller-settings', 'configmap', true)]) + tls10 + settings({ configmap: 'ingress-nginx/ingress-nginx-controller' })));
    expect([v?.status, v?.resource.kind]).toEqual(['fail', 'ConfigMap']);
  });
});

describe('Secrets and pod fields are never known here', () => {
  it('CM from a Secret key (secretKeyRef): the controller cannot be confirmed, and the Secret is named', () => {
    const [v] = protocols(snap(controller([{ name: 'CM', valueFrom: { secretKeyRef: { name: 'controller-secret', key: 'configmap' } } }]) + tls10));
    expect([v?.status, v?.severity]).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('Secret ingress-nginx/controller-secret, which ztaudit never reads');
  });

  it('CM from a pod field other than metadata.namespace (metadata.name): unknown; metadata.namespace is the namespace', () => {
    const [v] = protocols(snap(controller([{ name: 'CM', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]) + tls10));
    expect([v?.status, v?.severity]).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('the pod\'s field "metadata.name"');
    const ns = snap(controller([{ name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }], [], ['--configmap=$(NS)/ingress-nginx-controller']) + tls10);
    expect(protocols(ns)[0]?.status).toBe('fail');
    expect(protocols(ns)[0]?.resource.kind).toBe('ConfigMap');
  });

  it('an argument that is a variable from a Secret may set any flag: the controller cannot be confirmed', () => {
    const yaml = controller([{ name: 'EXTRA', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }], [], ['--configmap=ingress-nginx/ingress-nginx-controller', '$(EXTRA)']) + tls10;
    const [v] = protocols(snap(yaml));
    expect([v?.status, v?.severity]).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('which flags it sets is unknown');
  });

  it('a variable the args do not use changes nothing: --configmap given outright is read', () => {
    const yaml = controller([{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }], [], ['--configmap=ingress-nginx/ingress-nginx-controller']) + tls10;
    expect(protocols(snap(yaml))[0]?.resource.kind).toBe('ConfigMap');
    expect(protocols(snap(yaml))[0]?.severity ?? 'high').toBe('high');
  });
});

describe('envFrom: sources first, in order, with their prefix; env over them', () => {
  const cmRef = (name: string, prefix?: string, optional?: boolean) => ({ configMapRef: { name, ...(optional !== undefined ? { optional } : {}) }, ...(prefix ? { prefix } : {}) });

  it('a configMapRef with a prefix defines PREFIX+key: $(NGINX_CM) reads it', () => {
    const s = snap(controller([], [cmRef('controller-settings', 'NGINX_')], ['--configmap=$(NGINX_CM)']) + tls10 + settings({ CM: 'ingress-nginx/ingress-nginx-controller' }));
    expect(protocols(s)[0]?.resource.kind).toBe('ConfigMap');
  });

  it('a later source wins over an earlier one, and env over both', () => {
    const first = settings({ CM: 'ingress-nginx/other' }, 'first');
    const second = settings({ CM: 'ingress-nginx/ingress-nginx-controller' }, 'second');
    expect(nginxControllers(snap(controller([], [cmRef('first'), cmRef('second')]) + first + second))[0]?.configMap?.name).toBe('ingress-nginx-controller');
    expect(nginxControllers(snap(controller([], [cmRef('second'), cmRef('first')]) + first + second))[0]?.configMap?.name).toBe('other');
    expect(nginxControllers(snap(controller([{ name: 'CM', value: 'ingress-nginx/from-env' }], [cmRef('second')]) + second))[0]?.configMap?.name).toBe('from-env');
  });

  it('a Secret source or a ConfigMap that may exist but was not read may define CM: unknown, unless env sets CM after it', () => {
    const unread = snap(controller([], [cmRef('missing')]) + tls10);
    unread.coverage.configmaps = { status: 'error' };
    for (const s of [snap(controller([], [{ secretRef: { name: 's' } }]) + tls10), unread]) {
      const [v] = protocols(s);
      expect([v?.status, v?.severity]).toEqual(['fail', 'medium']);
    }
    const set = snap(controller([{ name: 'CM', value: 'ingress-nginx/ingress-nginx-controller' }], [{ secretRef: { name: 's' } }]) + tls10);
    expect(protocols(set)[0]?.resource.kind).toBe('ConfigMap');
    // A readable source after the Secret defines CM for certain.
    const after = snap(controller([], [{ secretRef: { name: 's' } }, cmRef('controller-settings')]) + tls10 + settings({ CM: 'ingress-nginx/ingress-nginx-controller' }));
    expect(protocols(after)[0]?.resource.kind).toBe('ConfigMap');
  });

  it('a source (not optional) that does not exist while ConfigMaps are read: the controller cannot start, naming the ConfigMap', () => {
    const s = snap(controller([], [cmRef('missing')]) + tls10);
    expect(protocols(s)).toEqual([]);
    expect(legacyProtocolEnabled.excluded?.(ctxOf(s)) ?? '').toContain('its envFrom names ConfigMap ingress-nginx/"missing" (configMapRef, not optional), which does not exist');
  });

  it('an optional source that does not exist defines nothing', () => {
    const s = snap(controller([], [cmRef('missing', undefined, true)]) + tls10);
    expect(nginxControllers(s)[0]?.configMapIgnored).toBe('$(CM)');
  });
});

/** A client answering by-name ConfigMap gets: `held` with 200, `refused` names with 403, 404 otherwise. */
function server(held: Snapshot['resources']['configmaps'], refused: string[] = [], asked: string[] = []): KubeClient {
  return {
    get: async (path: string) => {
      asked.push(path);
      const cm = (held ?? []).find((c) => path === `/api/v1/namespaces/${c.metadata?.namespace}/configmaps/${c.metadata?.name}`);
      if (cm) return { status: 200, body: structuredClone(cm) };
      return refused.some((r) => path.endsWith(`/configmaps/${r}`)) ? { status: 403, body: { message: 'forbidden' } } : { status: 404, body: undefined };
    },
  } as unknown as KubeClient;
}

describe('live: the collector reads the ConfigMap a flag variable comes from, by name', () => {
  const workloads = () => snapshotFromObjects(parseManifestText(controller([keyRef('controller-settings', 'configmap')]), 'c.yaml').objects, { origin: 'live' });
  const held = parseManifestText(tls10 + settings({ configmap: 'ingress-nginx/ingress-nginx-controller' }), 'cm.yaml').objects;

  it('read: --configmap resolves through it, and the controller ConfigMap it names is read in the same collection', async () => {
    const s = workloads();
    const asked: string[] = [];
    await collectConfigMaps(server(held, [], asked), s, { configMapRefs: liveConfigMapRefs(defaultConfig()) }, 2);
    expect(asked).toEqual(expect.arrayContaining(['/api/v1/namespaces/ingress-nginx/configmaps/controller-settings', '/api/v1/namespaces/ingress-nginx/configmaps/ingress-nginx-controller']));
    expect(asked.some((p) => p.includes('/secrets'))).toBe(false);
    const [v] = protocols(s);
    expect([v?.status, v?.resource.kind]).toEqual(['fail', 'ConfigMap']);
  });

  it('optional and answered 404: CM is unset, so the defaults (the controller reads no ConfigMap)', async () => {
    const s = snapshotFromObjects(parseManifestText(controller([keyRef('controller-settings', 'configmap', true)]), 'c.yaml').objects, { origin: 'live' });
    await collectConfigMaps(server([]), s, { configMapRefs: liveConfigMapRefs(defaultConfig()) }, 2);
    expect(protocols(s)[0]?.message).toContain('--configmap="$(CM)" is not NAMESPACE/NAME');
  });

  // A new container cannot be created (CreateContainerConfigError), but one started before the
  // ConfigMap was deleted keeps running with the value it was given (the kubelet resolves
  // variables once, at container creation: kubelet_pods.go makeEnvironmentVariables): of a live
  // cluster the controller cannot be confirmed, not "does not start".
  it('not optional and answered 404: a controller started before the ConfigMap was deleted may still run, so it cannot be confirmed (not "does not start")', async () => {
    const s = workloads();
    await collectConfigMaps(server([]), s, { configMapRefs: liveConfigMapRefs(defaultConfig()) }, 2);
    expect(nginxControllers(s)[0]?.watch).not.toHaveProperty('none');
    const [v] = protocols(s);
    expect(v).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(v?.message).toContain('ConfigMap ingress-nginx/controller-settings, which does not exist (the container cannot start unless it was started before the ConfigMap was deleted)');
  });

  it('refused (the role does not name it): the controller cannot be confirmed, naming the ConfigMap not read', async () => {
    const s = workloads();
    await collectConfigMaps(server([], ['controller-settings']), s, { configMapRefs: liveConfigMapRefs(defaultConfig()) }, 2);
    const [v] = protocols(s);
    expect([v?.status, v?.severity]).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('ConfigMap ingress-nginx/controller-settings, which was not read');
  });
});

describe('per-Ingress settings from a controller ConfigMap that is not known', () => {
  const ingress = (annotations: Record<string, string> = {}) => `
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: admin, namespace: app, annotations: ${JSON.stringify(annotations)}}
spec:
  ingressClassName: nginx
  tls: [{hosts: [admin.example.com], secretName: admin-tls}]
  rules:
  - host: admin.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: admin, port: {number: 80}}}}]}
`;
  const secretCm = controller([{ name: 'CM', valueFrom: { secretKeyRef: { name: 'controller-secret', key: 'configmap' } } }]);

  it('ssl-redirect (default on) is not credited: the ConfigMap may turn it off, a medium finding', () => {
    const [v] = run(sslRedirectDisabled, snap(secretCm + ingress()));
    expect([v?.status, v?.severity]).toEqual(['fail', 'medium']);
    expect(v?.message).toContain('cannot be confirmed');
    expect(v?.message).toContain('Secret ingress-nginx/controller-secret');
  });

  it('an annotation that decides it (force-ssl-redirect "true", or ssl-redirect "true" with TLS) is a pass whatever the ConfigMap says', () => {
    for (const a of [{ 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' }, { 'nginx.ingress.kubernetes.io/ssl-redirect': 'true' }] as Array<Record<string, string>>) expect(run(sslRedirectDisabled, snap(secretCm + ingress(a)))[0]?.status).toBe('pass');
    // An annotation turning ssl-redirect off leaves force-ssl-redirect to the ConfigMap
    // (kubernetes/ingress-nginx internal/ingress/annotations/rewrite/main.go at controller-v1.15.1:
    // a missing annotation takes GetDefaultBackend().ForceSSLRedirect), which may turn the redirect
    // on: a medium "cannot be confirmed" (a high finding before).
    const off = run(sslRedirectDisabled, snap(secretCm + ingress({ 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' })))[0];
    expect([off?.status, off?.severity]).toEqual(['fail', 'medium']);
    expect(off?.message).toContain('cannot be confirmed');
  });
});
