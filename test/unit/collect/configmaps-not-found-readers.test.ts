// The collector reads the ConfigMaps it needs by name (src/collect/live.ts collectConfigMaps): one
// name refused (403) marks the whole kind forbidden, and each name the API server answered 404 is
// recorded (Snapshot.configMapsNotFound). A reader whose own ConfigMap was answered 404 knows it does
// not exist: the upstream default applies, as when every read succeeded. Its own name refused, or a
// name the collector never asked for, stays unknown (the check is not evaluated, naming it).
// Upstream defaults, each cited where the case is:
// - ingress-nginx: ssl-protocols default "TLSv1.2 TLSv1.3", hsts default "true"
//   (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#ssl-protocols,
//   #hsts; ../shared/reference/checks.md §5.2).
// - Istio: MeshConfig enableAutoMtls defaults to true, outboundTrafficPolicy to ALLOW_ANY
//   (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/ "enableAutoMtls",
//   "OutboundTrafficPolicy.Mode": "ALLOW_ANY ... the default").
// - Linkerd: the cluster default inbound policy proxy.defaultInboundPolicy is all-unauthenticated
//   unless set at install (https://linkerd.io/2.16/reference/authorization-policy/#default-policies).
// - Consul: intentions default to allow when ACLs are off, the Helm chart's default
//   (https://developer.hashicorp.com/consul/docs/connect/intentions: "the default intention ... ACLs
//   disabled ... allow"; https://developer.hashicorp.com/consul/docs/k8s/helm global.acls.manageSystemACLs false).
// - Cilium: without cilium-config the agent's defaults hold, enable-policy "default": a pod some
//   rule selects is enforced (https://docs.cilium.io/en/stable/security/policy/intro/ "Policy
//   Enforcement Modes": "default ... This is the default behavior").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CHECK_BY_ID } from '../../../checks/index.ts';
import { effectiveExposure } from '../../../src/analysis/edge/effective-exposure.ts';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { readCiliumSettings } from '../../../src/analysis/netpol/cilium/config.ts';
import { liveConfigMapRefs } from '../../../src/cli/source.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { collectConfigMaps } from '../../../src/collect/live.ts';
import { defaultConfig, type Config } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import type { CheckOutcome } from '../../../src/engine/types.ts';
import type { KubeClient } from '../../../src/kube/client.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const NOW = new Date('2026-06-01T00:00:00Z');

/** An API server answering every by-name ConfigMap get: 403 for `refused` (namespace/name), 404 for every other. */
const server = (refused: string, asked: string[]): KubeClient => ({
  get: async (path: string) => {
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps\/([^/]+)$/.exec(path);
    const id = m ? `${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}` : path;
    asked.push(id);
    return id === refused ? { status: 403, body: undefined } : { status: 404, body: undefined };
  },
} as unknown as KubeClient);

/**
 * The cluster of `yaml` collected live with the auditor's own by-name list (liveConfigMapRefs), the
 * API server refusing `refused` and answering 404 for every other name; the outcomes of `checks`.
 */
async function collected(yaml: string, refused: string, checks: string[], configure?: (c: Config) => void) {
  const config = defaultConfig();
  configure?.(config);
  const objects = parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o === 'object');
  const snapshot = snapshotFromObjects(objects, { origin: 'live' });
  const asked: string[] = [];
  await collectConfigMaps(server(refused, asked), snapshot, { configMapRefs: liveConfigMapRefs(config) }, 2);
  // What the test is about: one name refused, the kind forbidden, the others answered 404.
  expect(asked).toContain(refused);
  expect(snapshot.coverage.configmaps?.status).toBe('forbidden');
  const outcomes = new Map<string, CheckOutcome>(runChecks(checks.map((id) => CHECK_BY_ID.get(id)!), { snapshot, config, now: NOW }).map((o) => [o.check.id, o]));
  return { snapshot, asked, outcome: (id: string) => outcomes.get(id)! };
}

const notEvaluatedFor = (o: CheckOutcome, configMap: string) => {
  expect(o, o.check.id).toMatchObject({ status: 'not-evaluated', results: [], unreadable: ['configmaps'] });
  expect(o.reason, o.check.id).toContain(configMap);
};

describe('ingress-nginx: the controller\'s --configmap answered 404 while another ConfigMap was refused', () => {
  const CM = 'ingress-nginx/ingress-nginx-controller';
  const cluster = `
apiVersion: v1
kind: Namespace
metadata: {name: ingress-nginx}
---
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
        args: [/nginx-ingress-controller, --configmap=$(POD_NAMESPACE)/ingress-nginx-controller]
        env: [{name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}]
`;
  const checks = ['tls.legacy-protocol-enabled', 'tls.hsts-disabled'];

  it('another name refused, its own 404: judged on ingress-nginx\'s defaults (ssl-protocols TLSv1.2 TLSv1.3, hsts on), both pass', async () => {
    const { snapshot, outcome } = await collected(cluster, 'istio-system/istio', checks);
    expect(snapshot.configMapsNotFound).toContain(CM);
    const legacy = outcome('tls.legacy-protocol-enabled');
    expect(legacy.status).toBe('pass');
    expect(legacy.results).toEqual([expect.objectContaining({ status: 'pass', resource: { kind: 'ConfigMap', namespace: 'ingress-nginx', name: 'ingress-nginx-controller' } })]);
    expect(outcome('tls.hsts-disabled').status).toBe('pass');
  });

  it('its own name refused (403): both not evaluated, naming it, as before', async () => {
    const { snapshot, outcome } = await collected(cluster, CM, checks);
    expect(snapshot.configMapsNotFound ?? []).not.toContain(CM);
    for (const id of checks) notEvaluatedFor(outcome(id), CM);
  });

  // service-upstream: the controller's ConfigMap key, default "false", "can be overwritten by an
  // annotation" (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/#service-upstream);
  // off, the controller dials the endpoints' pod addresses. The exposure view says which, and why.
  it('the exposure view: its ConfigMap answered 404 does not exist, so the Ingress alone decides; refused, the reason says so', async () => {
    const fixture = readFileSync(join(import.meta.dirname, '../../fixtures/checks/network.exposed-workload/fail.ingress-mesh-nginx-pod-upstream-deny-principal.yaml'), 'utf8');
    const reason = async (refused: string) => {
      const { snapshot } = await collected(fixture, refused, []);
      const w = effectiveExposure(snapshot, defaultConfig()).find((e) => e.workload.namespace === 'shop' && e.workload.name === 'admin');
      return w?.external.find((x) => x.via === 'Ingress')?.mesh?.reason ?? '';
    };
    const absent = await reason('linkerd/linkerd-config');
    expect(absent).toContain('ingress-nginx dials the endpoints\' pod addresses, not Service shop/admin (Ingress shop/admin sets no nginx.ingress.kubernetes.io/service-upstream "true")');
    expect(absent).not.toContain('could not be read');
    expect(await reason(CM)).toContain(`(ConfigMap ${CM} could not be read (forbidden): service-upstream taken as its default "false")`);
  });
});

describe('Istio: the mesh config (ConfigMap istio, istio-<rev>) answered 404 while another ConfigMap was refused', () => {
  const cluster = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: example/web:1, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
`;
  const checks = ['mtls.auto-mtls-disabled', 'mtls.outbound-allow-any', 'mtls.mesh-not-strict'];

  it('another name refused, istio-system/istio 404: judged on Istio\'s defaults (auto mTLS on: pass; outbound ALLOW_ANY: a finding; root namespace istio-system)', async () => {
    const { snapshot, outcome } = await collected(cluster, 'linkerd/linkerd-config', checks);
    expect(snapshot.configMapsNotFound).toContain('istio-system/istio');
    const auto = outcome('mtls.auto-mtls-disabled');
    expect(auto.status).toBe('pass');
    const outbound = outcome('mtls.outbound-allow-any');
    expect(outbound.status).toBe('fail');
    expect(JSON.stringify(outbound.results)).toContain('Istio default ALLOW_ANY');
    // No PeerAuthentication in the root namespace istio-system: PERMISSIVE everywhere (../shared/reference/checks.md §4.1 case 1).
    expect(outcome('mtls.mesh-not-strict').status).toBe('fail');
  });

  it('its own name refused (403): all three not evaluated, naming istio-system/istio', async () => {
    const { outcome } = await collected(cluster, 'istio-system/istio', checks);
    for (const id of checks) notEvaluatedFor(outcome(id), 'istio-system/istio');
  });

  // mesh.istioRootNamespace names where the mesh config is looked for first, istio-system after it
  // (istioMeshConfigMap): both must be known absent for the defaults to stand in.
  it('another root namespace: both places 404, judged; istio-system\'s refused while the root\'s 404, still not evaluated', async () => {
    const root = (c: Config) => { c.mesh.istioRootNamespace = 'istio-config'; };
    const judged = await collected(cluster, 'linkerd/linkerd-config', checks, root);
    expect(judged.snapshot.configMapsNotFound).toEqual(expect.arrayContaining(['istio-config/istio', 'istio-system/istio']));
    expect(judged.outcome('mtls.auto-mtls-disabled').status).toBe('pass');
    expect(judged.outcome('mtls.outbound-allow-any').status).toBe('fail');
    const refused = await collected(cluster, 'istio-system/istio', checks, root);
    expect(refused.snapshot.configMapsNotFound).toContain('istio-config/istio');
    for (const id of checks) notEvaluatedFor(refused.outcome(id), 'istio-config/istio');
  });

  // A revision's istiod reads istio-<rev> (pilot/pkg/bootstrap/mesh.go getMeshConfigMapName); the
  // collector asks for it in the root namespace only, never in istio-system when the root is
  // another: that one, never asked, is not known absent.
  it('a revision in use: its istio-<rev> answered 404 in the root namespace is judged on the defaults; under another root, istio-system/istio-<rev> was never asked and stays unknown', async () => {
    const canary = cluster.replace('istio-injection: enabled', 'istio.io/rev: canary');
    const judged = await collected(canary, 'linkerd/linkerd-config', ['mtls.auto-mtls-disabled']);
    expect(judged.snapshot.configMapsNotFound).toContain('istio-system/istio-canary');
    expect(judged.outcome('mtls.auto-mtls-disabled').status).toBe('pass');
    // Every revision's istiod chart installs its istio-<rev>, and no webhook names canary: the label
    // names no revision, read as the default revision's, as when every ConfigMap read succeeded.
    const auto = CHECK_BY_ID.get('mtls.auto-mtls-disabled')!;
    const verdicts = [...auto.evaluate({ snapshot: judged.snapshot, config: defaultConfig(), now: NOW })];
    expect(verdicts).toMatchObject([{ status: 'pass', resource: { kind: 'ConfigMap', namespace: 'istio-system', name: 'istio' }, evidence: { unresolvedRevisionLabels: ['canary'] } }]);
    const allRead = { ...judged.snapshot, coverage: { ...judged.snapshot.coverage, configmaps: { status: 'ok' as const, count: 0 } } };
    expect(verdicts).toEqual([...auto.evaluate({ snapshot: allRead, config: defaultConfig(), now: NOW })]);
    const elsewhere = await collected(canary, 'linkerd/linkerd-config', ['mtls.auto-mtls-disabled'], (c) => { c.mesh.istioRootNamespace = 'istio-config'; });
    expect(elsewhere.asked).toContain('istio-config/istio-canary');
    expect(elsewhere.asked).not.toContain('istio-system/istio-canary');
    notEvaluatedFor(elsewhere.outcome('mtls.auto-mtls-disabled'), 'istio-config/istio-canary');
  });
});

describe('Linkerd: linkerd-config answered 404 while another ConfigMap was refused', () => {
  const cluster = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: example/web:1, ports: [{containerPort: 8080}]}]
`;
  const check = 'mtls.linkerd-unauthenticated-default';
  /** web -> web on 8080 through the mesh: no Server covers the port, so the cluster default decides. */
  const call = (snapshot: Parameters<typeof meshFlowVerdict>[0]) => meshFlowVerdict(snapshot, defaultConfig(), { kind: 'Deployment', namespace: 'shop', name: 'web' }, { kind: 'Deployment', namespace: 'shop', name: 'web' }, 8080, 'TCP');

  it('another name refused, its own 404: the install default all-unauthenticated applies, a finding on linkerd/linkerd-config', async () => {
    const { snapshot, outcome } = await collected(cluster, 'istio-system/istio', [check]);
    expect(snapshot.configMapsNotFound).toContain('linkerd/linkerd-config');
    const o = outcome(check);
    expect(o.status).toBe('fail');
    expect(o.results).toContainEqual(expect.objectContaining({ status: 'fail', resource: { kind: 'ConfigMap', namespace: 'linkerd', name: 'linkerd-config' } }));
    expect(JSON.stringify(o.results)).toContain('all-unauthenticated');
    expect(JSON.stringify(o.results)).not.toContain('could not be read');
    // reach's mesh layer: the install default lets the call in.
    expect(call(snapshot)).toMatchObject({ mesh: 'linkerd', verdict: 'allowed' });
    expect(call(snapshot).reason).toContain('default inbound policy all-unauthenticated (Linkerd install default)');
  });

  it('its own name refused (403): not evaluated, naming linkerd/linkerd-config; reach\'s mesh layer unknown', async () => {
    const { snapshot, outcome } = await collected(cluster, 'linkerd/linkerd-config', [check]);
    notEvaluatedFor(outcome(check), 'linkerd/linkerd-config');
    expect(call(snapshot)).toMatchObject({ mesh: 'linkerd', verdict: 'unknown' });
  });
});

describe('Consul: the servers\' ConfigMaps answered 404 while another ConfigMap was refused', () => {
  const cluster = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}, annotations: {consul.hashicorp.com/connect-inject: "true"}}
    spec:
      serviceAccountName: api
      containers: [{name: api, image: example/api:1, ports: [{containerPort: 8080}]}]
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: api, namespace: shop}
spec:
  destination: {name: api}
  sources: [{name: web, action: allow}]
`;
  const check = 'mtls.consul-default-allow';

  it('another name refused, both of its own 404: the chart default (ACLs off, intentions allow) applies, a finding', async () => {
    const { snapshot, outcome } = await collected(cluster, 'istio-system/istio', [check]);
    expect(snapshot.configMapsNotFound).toEqual(expect.arrayContaining(['consul/consul-server-config', 'consul/consul-server-tmp-extra-config']));
    const o = outcome(check);
    expect(o.status).toBe('fail');
    expect(o.results).toContainEqual(expect.objectContaining({ status: 'fail', resource: { kind: 'ConfigMap', namespace: 'consul', name: 'consul-server-config' } }));
    expect(JSON.stringify(o.results)).not.toContain('could not be read');
  });

  it('either of its own refused (403): not evaluated, naming that one', async () => {
    for (const cm of ['consul/consul-server-config', 'consul/consul-server-tmp-extra-config']) {
      const { outcome } = await collected(cluster, cm, [check]);
      notEvaluatedFor(outcome(check), cm);
    }
  });
});

describe('Cilium: cilium-config answered 404 while another ConfigMap was refused', () => {
  const cluster = `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cilium, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: cilium}}
  template:
    metadata: {labels: {k8s-app: cilium}}
    spec:
      hostNetwork: true
      containers:
      - {name: cilium-agent, image: quay.io/cilium/cilium:v1.17.4}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;
  const check = 'network.cni-not-enforcing';

  it('another name refused, its own 404: Cilium\'s defaults (enable-policy default) enforce the NetworkPolicy, pass', async () => {
    const { snapshot, outcome } = await collected(cluster, 'istio-system/istio', [check]);
    expect(snapshot.configMapsNotFound).toContain('kube-system/cilium-config');
    expect(outcome(check).status).toBe('pass');
    expect(readCiliumSettings(snapshot)).toMatchObject({ enforcement: 'default', source: 'Cilium defaults (ConfigMap kube-system/cilium-config does not exist)' });
  });

  it('its own name refused (403): not evaluated, naming kube-system/cilium-config', async () => {
    const { outcome } = await collected(cluster, 'kube-system/cilium-config', [check]);
    notEvaluatedFor(outcome(check), 'kube-system/cilium-config');
  });
});
