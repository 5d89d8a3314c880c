// A mesh control plane whose pods exist but none is Ready (a crash loop, a readiness probe that
// keeps failing) serves as little as one that is gone. A Service sends traffic only to Ready pods
// ("Ready: the Pod is able to serve requests and should be added to the load balancing pools of all
// matching Services", https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-conditions),
// so:
// - Istio: the injector webhook calls Service istio-system/istiod with failurePolicy Fail
//   (istio/istio manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml): new
//   pods in the labelled namespaces are refused; istiod is the mesh's CA
//   (https://istio.io/latest/docs/concepts/security/#pki), so the sidecars' workload certificates
//   (24 h by default, https://istio.io/latest/docs/reference/commands/pilot-agent/ SECRET_TTL) are
//   not renewed; the running Envoys keep their last configuration until then.
// - Linkerd: linkerd-identity certifies the proxies for 24 h ("Linkerd automatically rotates the TLS
//   certificates for data plane proxies every 24 hours",
//   https://linkerd.io/2.10/tasks/automatically-rotating-control-plane-tls-credentials/).
// The same check fails as for a control plane gone (mtls.mesh-not-strict for Istio,
// mtls.linkerd-unauthenticated-default for Linkerd), naming the pods that are not ready: the
// effect on mTLS is the same. One ready pod, or pods whose readiness the input does not say
// (manifests, a snapshot written before readiness was kept), keeps today's verdict. The pods go
// through the slim Pod view first, as the collector keeps them.
import { describe, expect, it } from 'vitest';
import { linkerdUnauthenticatedDefault } from '../../../checks/mtls/linkerd-unauthenticated-default.ts';
import { meshNotStrict } from '../../../checks/mtls/mesh-not-strict.ts';
import { workloadOutsideMesh } from '../../../checks/mtls/workload-outside-mesh.ts';
import { authzPlaintextBypass } from '../../../checks/mtls/authz-plaintext-bypass.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { meshModel } from '../../../src/analysis/mesh/index.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { slimObject } from '../../../src/snapshot/slim.ts';
import { objects } from './helpers.ts';

// A pod as the API server serves it, whole status included.
const CRASH_LOOP = `status:
  phase: Running
  conditions:
  - {type: PodReadyToStartContainers, status: "True", lastTransitionTime: "2026-12-01T00:00:00Z"}
  - {type: Initialized, status: "True", lastTransitionTime: "2026-12-01T00:00:00Z"}
  - {type: Ready, status: "False", reason: ContainersNotReady, message: "containers with unready status: [c]", lastTransitionTime: "2026-12-01T00:00:05Z"}
  - {type: ContainersReady, status: "False", reason: ContainersNotReady, lastTransitionTime: "2026-12-01T00:00:05Z"}
  - {type: PodScheduled, status: "True", lastTransitionTime: "2026-12-01T00:00:00Z"}
  containerStatuses: [{name: c, ready: false, restartCount: 12, state: {waiting: {reason: CrashLoopBackOff}}}]`;
const READY = `status:
  phase: Running
  conditions:
  - {type: Initialized, status: "True", lastTransitionTime: "2026-12-01T00:00:00Z"}
  - {type: Ready, status: "True", lastTransitionTime: "2026-12-01T00:00:05Z"}`;
const PENDING = `status:
  phase: Pending
  conditions: [{type: PodScheduled, status: "False", reason: Unschedulable}]`;

const pod = (namespace: string, name: string, containers: string, status = '', labels = '') => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${namespace}, labels: {app: ${name}${labels}}}
spec: {containers: [${containers}]}
${status}
---`;

/** A live snapshot whose pods were slimmed as the collector slims them. */
function live(yaml: string, configure?: (c: AuditContext['config']) => void): AuditContext {
  const config = defaultConfig();
  configure?.(config);
  const objs = objects(yaml).map((o) => (o.kind === 'Pod' ? slimObject('pods', o) : o));
  const snapshot = snapshotFromObjects(objs);
  Object.assign(snapshot, { source: 'live', origin: 'live' });
  return { snapshot, config, now: new Date('2026-12-02T00:00:00Z') };
}

describe('Istio: istiod runs but no pod of it is ready', () => {
  const ISTIO = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: istio-sidecar-injector, labels: {istio.io/rev: default}}
webhooks: [{name: rev.namespace.sidecar-injector.istio.io, clientConfig: {service: {name: istiod, namespace: istio-system, path: /inject}}, failurePolicy: Fail}]
---
apiVersion: v1
kind: Service
metadata: {name: istiod, namespace: istio-system}
spec: {selector: {app: istiod, istio: pilot}, ports: [{name: https-webhook, port: 443, targetPort: 15017}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: web, namespace: shop}
spec: {selector: {matchLabels: {app: web}}, rules: [{from: [{source: {principals: ["cluster.local/ns/shop/sa/front"]}}]}]}
---${pod('shop', 'web', '{name: app, image: example/web:1, ports: [{containerPort: 8080}]}, {name: istio-proxy, image: docker.io/istio/proxyv2:1.24.0}', READY)}`;
  const istiod = (name: string, status: string) => pod('istio-system', name, '{name: discovery, image: docker.io/istio/pilot:1.24.0}', status);

  it('crash-looping: mtls.mesh-not-strict fails naming the pod; new pods are refused and certificates not renewed', () => {
    const ctx = live(`${ISTIO}${istiod('istiod-7d9f', CRASH_LOOP)}`);
    expect(meshModel(ctx.snapshot, ctx.config).istio.controlPlaneGone).toMatch(/^no istiod pod is ready for revision default \(its pod istio-system\/istiod-7d9f fails the readiness probe/);
    // The mesh-wide policy is judged as such; the revision whose istiod is not ready fails on its Service.
    const vs = [...meshNotStrict.evaluate(ctx)];
    expect(vs[0]).toMatchObject({ status: 'pass', message: 'Mesh-wide PeerAuthentication istio-system/default sets STRICT mTLS.' });
    const v = vs.find((r) => r.status === 'fail')!;
    expect(v.resource).toEqual({ kind: 'Service', namespace: 'istio-system', name: 'istiod' });
    expect(v.message).toMatch(/^No istiod pod is ready/);
    expect(v.message).toContain('calling Service istio-system/istiod with no ready endpoint behind it: new pods in the namespaces on revision default are refused (failurePolicy Fail) and their running sidecars cannot renew their certificates');
    // A pass that claims mTLS elsewhere keeps its verdict with the note, pointing at mesh-not-strict.
    const web = [...authzPlaintextBypass.evaluate(ctx)].find((r) => r.resource.name === 'web')!;
    expect(web.status).toBe('pass');
    expect(web.message).toContain('but no ready istiod certifies the sidecars or sends them this configuration, so this holds only until the proxies\' certificates expire (mtls.mesh-not-strict fails on it)');
  });

  it('a pod still Pending (no Ready condition) is not ready either', () => {
    const ctx = live(`${ISTIO}${istiod('istiod-7d9f', PENDING)}`);
    expect([...meshNotStrict.evaluate(ctx)].filter((v) => v.status === 'fail').map((v) => v.resource.name)).toEqual(['istiod']);
  });

  it('one ready pod beside a crash-looping one (a rollout) serves the webhook and the CA: passes, no note', () => {
    const ctx = live(`${ISTIO}${istiod('istiod-7d9f', CRASH_LOOP)}${istiod('istiod-5c2a', READY)}`);
    expect(meshModel(ctx.snapshot, ctx.config).istio.controlPlaneGone).toBeUndefined();
    expect([...meshNotStrict.evaluate(ctx)][0].status).toBe('pass');
  });

  it('a pod whose readiness the input does not say (no status: a snapshot of an older version) keeps today\'s verdict', () => {
    const ctx = live(`${ISTIO}${istiod('istiod-7d9f', '')}`);
    expect([...meshNotStrict.evaluate(ctx)][0].status).toBe('pass');
  });
});

// A canary upgrade: each revision has its own istiod-<rev> Deployment, Service and injector
// webhook, and a namespace labelled istio.io/rev: canary is injected by the canary's
// (https://istio.io/latest/docs/setup/upgrade/canary/). A Service sends traffic only to the Ready
// pods its selector matches (pod-lifecycle/#pod-conditions above), so a Ready istiod of the old
// revision answers none of the canary's calls.
describe('Istio canary: a revision whose own istiod Service has no ready pod', () => {
  const hook = (name: string, rev: string, service: string) => `
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: ${name}, labels: {istio.io/rev: ${rev}}}
webhooks: [{name: rev.namespace.sidecar-injector.istio.io, clientConfig: {service: {name: ${service}, namespace: istio-system, path: /inject}}, failurePolicy: Fail}]
---
apiVersion: v1
kind: Service
metadata: {name: ${service}, namespace: istio-system}
spec: {selector: {app: istiod, istio.io/rev: ${rev}}, ports: [{name: https-webhook, port: 443, targetPort: 15017}]}
---`;
  const istiod = (name: string, rev: string, status: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: istio-system, labels: {app: istiod, istio.io/rev: ${rev}}}
spec: {containers: [{name: discovery, image: docker.io/istio/pilot:1.24.0}]}
${status}
---`;
  const SHOP = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio.io/rev: canary}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---${pod('shop', 'web', '{name: app, image: example/web:1}, {name: istio-proxy, image: docker.io/istio/proxyv2:1.24.0}', READY)}`;
  const CANARY = hook('istio-sidecar-injector-canary', 'canary', 'istiod-canary');
  const OLD = hook('istio-sidecar-injector', 'default', 'istiod');
  const OLD_READY = istiod('istiod-7d9f', 'default', READY);
  const expectCanaryFails = (ctx: AuditContext) => {
    const gone = meshModel(ctx.snapshot, ctx.config).istio.controlPlaneGone;
    expect(gone).toContain('no istiod pod is ready for revision canary (its pod istio-system/istiod-canary-5c2a fails the readiness probe');
    expect(gone).toContain('the injection webhook istio-sidecar-injector-canary remains, calling Service istio-system/istiod-canary with no ready endpoint behind it');
    expect(gone).toMatch(/new pods in the namespaces on revision (default, )?canary are refused/);
    const v = [...meshNotStrict.evaluate(ctx)].find((r) => r.status === 'fail' && r.resource.name === 'istiod-canary')!;
    expect(v.message).toContain('istio-sidecar-injector-canary');
    expect(v.message).toContain('istio-system/istiod-canary-5c2a');
    return gone!;
  };

  it('both revisions\' webhooks, the old istiod Ready and the canary\'s crash-looping: fails for the canary only', () => {
    const gone = expectCanaryFails(live(`${SHOP}${OLD}${CANARY}${OLD_READY}${istiod('istiod-canary-5c2a', 'canary', CRASH_LOOP)}`));
    // The old revision's Service has its Ready pod: not named.
    expect(gone).not.toContain('istiod-7d9f');
    expect(gone).not.toContain('revision default');
  });

  it('only the canary\'s webhook left, beside a Ready istiod of the old revision: still fails for the canary', () => {
    expectCanaryFails(live(`${SHOP}${CANARY}${OLD_READY}${istiod('istiod-canary-5c2a', 'canary', CRASH_LOOP)}`));
  });

  it('without the old Ready pod (control): both revisions are named, the default one with no pod at all', () => {
    const gone = expectCanaryFails(live(`${SHOP}${OLD}${CANARY}${istiod('istiod-canary-5c2a', 'canary', CRASH_LOOP)}`));
    expect(gone).toContain('no istiod pod runs for revision default, yet the injection webhook istio-sidecar-injector remains, calling Service istio-system/istiod with nothing behind it');
  });

  it('a Ready and a crash-looping canary pod behind the same Service (a rollout): passes, no note', () => {
    const ctx = live(`${SHOP}${OLD}${CANARY}${OLD_READY}${istiod('istiod-canary-5c2a', 'canary', CRASH_LOOP)}${istiod('istiod-canary-9b1e', 'canary', READY)}`);
    expect(meshModel(ctx.snapshot, ctx.config).istio.controlPlaneGone).toBeUndefined();
    expect([...meshNotStrict.evaluate(ctx)][0]).toMatchObject({ status: 'pass' });
  });
});

describe('Linkerd: a control-plane component runs but no pod of it is ready', () => {
  const PROXY = '{name: linkerd-proxy, image: cr.l5d.io/linkerd/proxy:edge-25.1.1}';
  const controller = (container: string, status = READY) => pod('linkerd', `linkerd-${container}-6c9f`, `{name: ${container}, image: cr.l5d.io/linkerd/controller:edge-25.1.1}, ${PROXY}`, status);
  const LINKERD = `
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: linkerd-proxy-injector-webhook-config, labels: {linkerd.io/control-plane-component: proxy-injector, linkerd.io/control-plane-ns: linkerd}}
webhooks: [{name: linkerd-proxy-injector.linkerd.io, rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods, services]}], clientConfig: {service: {name: linkerd-proxy-injector, namespace: linkerd, path: /}}, failurePolicy: Ignore}]
---
apiVersion: v1
kind: Service
metadata: {name: linkerd-proxy-injector, namespace: linkerd}
spec: {type: ClusterIP, selector: {linkerd.io/control-plane-component: proxy-injector}, ports: [{name: proxy-injector, port: 443}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---${pod('shop', 'web', `{name: app, image: example/web:1, ports: [{containerPort: 8080}]}, ${PROXY}`, READY)}${controller('destination')}${controller('proxy-injector')}`;
  const verdicts = (yaml: string) => [...linkerdUnauthenticatedDefault.evaluate(live(yaml, (c) => { c.mesh.linkerdDefaultInboundPolicy = 'all-authenticated'; }))];

  it('linkerd-identity crash-looping: the cluster-wide verdict fails, naming it not ready and what proxies lose', () => {
    const vs = verdicts(`${LINKERD}${controller('identity', CRASH_LOOP)}`);
    const failed = vs.filter((v) => v.status === 'fail');
    expect(failed).toHaveLength(1);
    expect(failed[0].message).toContain('no ready pod runs linkerd-identity (its pod runs, not ready) although Linkerd is still installed');
    expect(failed[0].message).toContain('without linkerd-identity the running proxies cannot renew their certificates (issued for 24h by default)');
    expect(vs.find((v) => v.resource.name === 'web')!.message).toContain("Linkerd's control plane is incomplete");
  });

  // The chart's webhookFailurePolicy is Ignore by default: with no ready injector behind the
  // webhook the API server admits a new pod unmutated, without a proxy.
  it('linkerd-proxy-injector crash-looping (failurePolicy Ignore): a pod started unmeshed is told the injector is not ready, not to restart', () => {
    const yaml = `${LINKERD.replace(controller('proxy-injector'), controller('proxy-injector', CRASH_LOOP))}${controller('identity')}${pod('shop', 'api', '{name: app, image: example/api:1}', READY)}`;
    expect(verdicts(yaml).find((v) => v.status === 'fail')!.message).toContain('no ready pod runs linkerd-proxy-injector (its pod runs, not ready)');
    const api = [...workloadOutsideMesh.evaluate(live(yaml))].find((v) => v.resource.name === 'api')!;
    expect(api.message).toContain('no ready linkerd-proxy-injector pod runs and its webhook ignores the failure, so new pods start without a proxy');
  });

  // Linkerd has no revisions: one Service per component (linkerd-identity, linkerd-destination,
  // linkerd-proxy-injector) selects all its replicas, so an HA install with one Ready replica of a
  // component still serves it.
  it('HA: one Ready linkerd-identity replica beside a crash-looping one still serves: passes', () => {
    const replica = (status: string, suffix: string) => controller('identity', status).replace('linkerd-identity-6c9f', `linkerd-identity-6c9f-${suffix}`);
    const vs = verdicts(`${LINKERD}${replica(CRASH_LOOP, 'a')}${replica(READY, 'b')}`);
    expect(vs.map((v) => v.status)).not.toContain('fail');
    expect(vs[0].evidence).not.toHaveProperty('controlPlane');
  });

  it('every component ready: passes, with no word of the control plane', () => {
    const vs = verdicts(`${LINKERD}${controller('identity')}`);
    expect(vs.map((v) => v.status)).not.toContain('fail');
    expect(vs[0].evidence).not.toHaveProperty('controlPlane');
  });
});
