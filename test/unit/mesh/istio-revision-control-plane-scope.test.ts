// A canary upgrade with the canary's istiod crash-looping: Istio serves each namespace from the
// revision its labels select — istio.io/rev=<revision or tag>, or istio-injection=enabled for the
// default revision (or the revision the `default` tag points at), "the istio-injection label takes
// precedence over the istio.io/rev label" (https://istio.io/latest/docs/setup/upgrade/canary/,
// "Data plane" and "Stable revision labels"; a tag's webhook istio-revision-tag-<tag> is labelled
// istio.io/tag and istio.io/rev=<revision>). Each revision's istiod certifies and configures only
// the proxies it injected (the injector stamps istio.io/rev on each pod it injects,
// manifests/charts/istio-control/istio-discovery/files/injection-template.yaml), so a revision whose
// istiod has no Ready pod breaks mutual TLS for its own workloads only: mtls.mesh-not-strict fails on
// that revision's istiod Service, naming its workloads; the root's mesh-wide PeerAuthentication
// ("the mesh-wide peer authentication policy", https://istio.io/latest/docs/reference/config/security/peer_authentication/)
// is judged as usual, and the passes whose note says "no ready istiod" are those of the failing
// revision's workloads alone. Pods are slimmed as the collector keeps them (control-plane-not-ready.test.ts).
import { describe, expect, it } from 'vitest';
import { authzPlaintextBypass } from '../../../checks/mtls/authz-plaintext-bypass.ts';
import { autoMtlsDisabled } from '../../../checks/mtls/auto-mtls-disabled.ts';
import { destinationruleTlsDisabled } from '../../../checks/mtls/destinationrule-tls-disabled.ts';
import { meshNotStrict } from '../../../checks/mtls/mesh-not-strict.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { slimObject } from '../../../src/snapshot/slim.ts';
import { objects } from './helpers.ts';

const READY = `status:
  phase: Running
  conditions: [{type: Ready, status: "True", lastTransitionTime: "2026-12-01T00:00:05Z"}]`;
const CRASH_LOOP = `status:
  phase: Running
  conditions: [{type: Ready, status: "False", reason: ContainersNotReady, lastTransitionTime: "2026-12-01T00:00:05Z"}]
  containerStatuses: [{name: discovery, ready: false, restartCount: 12, state: {waiting: {reason: CrashLoopBackOff}}}]`;

const injector = (name: string, labels: string, service: string) => `
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: ${name}, labels: {${labels}}}
webhooks: [{name: rev.namespace.sidecar-injector.istio.io, clientConfig: {service: {name: ${service}, namespace: istio-system, path: /inject}}, failurePolicy: Fail}]
---`;
const istiodService = (name: string, rev: string) => `
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: istio-system}
spec: {selector: {app: istiod, istio.io/rev: ${rev}}, ports: [{name: https-webhook, port: 443, targetPort: 15017}]}
---`;
const istiod = (name: string, rev: string, status: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: istio-system, labels: {app: istiod, istio.io/rev: ${rev}}}
spec: {containers: [{name: discovery, image: docker.io/istio/pilot:1.24.0}]}
${status}
---`;
const namespace = (name: string, labels: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: ${name}, labels: {${labels}}}
---`;
/** An injected pod (the injector stamps istio.io/rev unless `stamped` is empty), its Service, an ISTIO_MUTUAL DestinationRule and an identity-only ALLOW. */
const app = (ns: string, name: string, stamped: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: {app: ${name}, security.istio.io/tlsMode: istio}${stamped ? `, annotations: {istio.io/rev: ${stamped}}` : ''}}
spec: {containers: [{name: app, image: example/${name}:1, ports: [{containerPort: 8080}]}, {name: istio-proxy, image: docker.io/istio/proxyv2:1.24.0}]}
${READY}
---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}}
spec: {selector: {app: ${name}}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ${name}, namespace: ${ns}}
spec: {host: ${name}.${ns}.svc.cluster.local, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}-callers, namespace: ${ns}}
spec: {selector: {matchLabels: {app: ${name}}}, action: ALLOW, rules: [{from: [{source: {principals: [cluster.local/ns/${ns}/sa/client]}}]}]}
---`;
const STRICT = `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---`;
// Two revisions, each with its own istiod Deployment, Service and injector webhook (istioctl
// install --set revision=canary); namespace stable on the default revision, trial on the canary.
const TWO_REVISIONS = `${STRICT}${injector('istio-sidecar-injector', 'istio.io/rev: default', 'istiod')}${istiodService('istiod', 'default')}${injector('istio-sidecar-injector-canary', 'istio.io/rev: canary', 'istiod-canary')}${istiodService('istiod-canary', 'canary')}${istiod('istiod-7d9f', 'default', READY)}${namespace('stable', 'istio-injection: enabled')}${app('stable', 'web', 'default')}${namespace('trial', 'istio.io/rev: canary')}${app('trial', 'api', 'canary')}`;

function live(yaml: string): AuditContext {
  const snapshot = snapshotFromObjects(objects(yaml).map((o) => (o.kind === 'Pod' ? slimObject('pods', o) : o)));
  Object.assign(snapshot, { source: 'live', origin: 'live' });
  return { snapshot, config: defaultConfig(), now: new Date('2026-12-02T00:00:00Z') };
}
const verdicts = (check: { evaluate: (ctx: AuditContext) => Iterable<Verdict> }, ctx: AuditContext) => [...check.evaluate(ctx)];
const NOTE = 'but no ready istiod certifies the sidecars or sends them this configuration';

describe('Istio: one revision\'s istiod crash-looping, another Ready', () => {
  const ctx = live(`${TWO_REVISIONS}${istiod('istiod-canary-5c2a', 'canary', CRASH_LOOP)}`);

  it('mtls.mesh-not-strict: the STRICT root passes for the healthy revision; one failure on the canary\'s istiod Service names its workload only', () => {
    const vs = verdicts(meshNotStrict, ctx);
    const root = vs.find((v) => v.resource.kind === 'PeerAuthentication')!;
    expect(root).toMatchObject({ status: 'pass', resource: { namespace: 'istio-system', name: 'default' } });
    expect(root.message).not.toContain('istiod');
    expect(root.evidence ?? {}).not.toHaveProperty('controlPlane');
    const failed = vs.filter((v) => v.status === 'fail');
    expect(failed).toHaveLength(1);
    expect(failed[0].resource).toEqual({ kind: 'Service', namespace: 'istio-system', name: 'istiod-canary' });
    expect(failed[0].message).toContain('No istiod pod is ready for revision canary (its pod istio-system/istiod-canary-5c2a fails the readiness probe');
    expect(failed[0].message).toContain('1 workload on revision canary: Pod trial/api');
    expect(failed[0].message).not.toContain('stable');
    expect(failed[0].extent?.members).toEqual(['Pod trial/api']);
  });

  it('the passes that claim mutual TLS carry the "no ready istiod" note for the canary\'s workload only', () => {
    const noted = (vs: Verdict[]) => vs.filter((v) => v.status === 'pass' && v.message.includes(NOTE)).map((v) => `${v.resource.kind} ${v.resource.namespace}/${v.resource.name}`).sort();
    expect(noted(verdicts(authzPlaintextBypass, ctx))).toEqual(['Pod trial/api']);
    expect(noted(verdicts(destinationruleTlsDisabled, ctx))).toEqual(['DestinationRule trial/api']);
    expect(noted(verdicts(autoMtlsDisabled, ctx))).toEqual(['ConfigMap istio-system/istio-canary']);
    // The healthy revision's passes stand as they are.
    for (const check of [authzPlaintextBypass, destinationruleTlsDisabled, autoMtlsDisabled]) {
      expect(verdicts(check, ctx).filter((v) => v.status === 'pass' && !v.message.includes(NOTE)).length, check.id).toBeGreaterThan(0);
    }
  });

  it('a namespace on a tag pointing at the canary (istio.io/rev: prod, webhook istio-revision-tag-prod) is the canary\'s', () => {
    const tag = injector('istio-revision-tag-prod', 'istio.io/rev: canary, istio.io/tag: prod', 'istiod-canary');
    const tagged = live(`${TWO_REVISIONS}${tag}${namespace('shop', 'istio.io/rev: prod')}${app('shop', 'cart', '')}${istiod('istiod-canary-5c2a', 'canary', CRASH_LOOP)}`);
    const failed = verdicts(meshNotStrict, tagged).filter((v) => v.status === 'fail');
    expect(failed).toHaveLength(1);
    expect([...failed[0].extent!.members].sort()).toEqual(['Pod shop/cart', 'Pod trial/api']);
    expect(failed[0].message).not.toContain('stable');
  });

  it('control: the canary\'s istiod Ready too, no failure and no note', () => {
    const healthy = live(`${TWO_REVISIONS}${istiod('istiod-canary-5c2a', 'canary', READY)}`);
    expect(verdicts(meshNotStrict, healthy).filter((v) => v.status === 'fail')).toEqual([]);
    for (const check of [authzPlaintextBypass, destinationruleTlsDisabled, autoMtlsDisabled]) {
      expect(verdicts(check, healthy).filter((v) => v.message.includes(NOTE)), check.id).toEqual([]);
    }
  });
});
