// A waypoint Gateway labelled with a revision tag (istio.io/rev: <tag>). A tag is defined by a
// MutatingWebhookConfiguration labelled istio.io/tag=<tag> and istio.io/rev=<revision>
// (https://istio.io/latest/docs/setup/upgrade/canary/#stable-revision-labels; the istiod chart's
// revision-tags-mwc.yaml writes both labels, and names the webhook istio-revision-tag-<tag>, plus
// -<namespace> outside istio-system). The istiod that deploys and configures a Gateway is the one
// whose tags contain its istio.io/rev value (istio/istio pkg/revisions/tag_watcher.go IsMine:
// `myTags.Contains(selectedTag)`, GetMyTags: its revision plus the istio.io/tag of every tag webhook
// labelled with that revision): a value naming no tag an istiod knows falls back to no revision,
// the default one included. Policies attached to the istio-waypoint GatewayClass apply to a
// waypoint only from its istiod's root namespace (pilot/pkg/model/policyattachment.go
// ShouldAttachPolicy), so with the tag webhooks unread, which of them apply is unknown.
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { authzMissing } from '../../../checks/mtls/authz-missing.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { ctxOf as ctxOfInput, istiodYaml, deploymentYaml, namespaceYaml, serviceYaml } from './helpers.ts';

/** These cases are for an istiod that knows every AuthorizationPolicy field they use (targetRefs, `when` keys): without one in the input, such a policy cannot be confirmed. */
const ctxOf = (yaml: string, ...rest: Parameters<typeof ctxOfInput> extends [string, ...infer R] ? R : never) => ctxOfInput(`${istiodYaml()}${yaml}`, ...rest);


const tagWebhook = (name: string, tag: string, revision: string) => `
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: ${name}, labels: {istio.io/tag: ${tag}, istio.io/rev: ${revision}}}
webhooks: []
---`;
const injector = (revision: string) => `
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: istio-sidecar-injector-${revision}, labels: {istio.io/rev: ${revision}}}
webhooks: []
---`;
const denyAllWaypoints = (namespace: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-all-waypoints, namespace: ${namespace}}
spec: {targetRefs: [{kind: GatewayClass, group: gateway.networking.k8s.io, name: istio-waypoint}], action: DENY, rules: [{}]}
---`;

// Revision canary roots its mesh in canary-root; tag prod points at it. shop's waypoint Gateway
// names the tag.
const CLUSTER = `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio-canary, namespace: istio-system}
data: {mesh: "rootNamespace: canary-root"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data: {mesh: "rootNamespace: istio-system"}
---${namespaceYaml('istio-system', 'team: platform')}${namespaceYaml('canary-root', 'team: platform')}${namespaceYaml('client')}${namespaceYaml('shop', 'istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint')}${deploymentYaml('client', 'curl')}${deploymentYaml('shop', 'api')}${serviceYaml('shop', 'api')}${injector('canary')}
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: shop, labels: {istio.io/waypoint-for: all, istio.io/rev: prod}}
spec: {gatewayClassName: istio-waypoint, listeners: [{name: mesh, port: 15008, protocol: HBONE}]}
---`;

const ctxWith = (yaml: string, webhooks: 'read' | 'forbidden') => {
  const ctx = ctxOf(`${CLUSTER}${yaml}`);
  if (webhooks === 'forbidden') {
    ctx.snapshot.resources.mutatingwebhookconfigurations = [];
    ctx.snapshot.coverage.mutatingwebhookconfigurations = { status: 'forbidden' };
  }
  return ctx;
};
const reach = (ctx: ReturnType<typeof ctxWith>) => meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: 'client', name: 'curl' }, { kind: 'Deployment', namespace: 'shop', name: 'api' }, 8000, 'TCP');

describe('a waypoint Gateway labelled with a revision tag', () => {
  it('with the tag webhook read, takes the GatewayClass policies of the tag\'s revision\'s root (canary-root)', () => {
    const webhook = tagWebhook('istio-revision-tag-prod', 'prod', 'canary');
    expect(reach(ctxWith(`${webhook}${denyAllWaypoints('canary-root')}`, 'read'))).toMatchObject({ verdict: 'denied', enforcedBy: 'waypoint shop/waypoint', policy: { namespace: 'canary-root', name: 'deny-all-waypoints' } });
    expect(reach(ctxWith(`${webhook}${denyAllWaypoints('istio-system')}`, 'read')).verdict).toBe('allowed');
  });

  it('the tag is the webhook\'s istio.io/tag label: the chart names it istio-revision-tag-<tag>-<namespace> outside istio-system', () => {
    const webhook = tagWebhook('istio-revision-tag-prod-canary-root', 'prod', 'canary');
    expect(reach(ctxWith(`${webhook}${denyAllWaypoints('canary-root')}`, 'read'))).toMatchObject({ verdict: 'denied', policy: { namespace: 'canary-root' } });
  });

  it('with the webhooks unread, reach says the verdict is unknown, naming the tag, instead of applying the default root\'s policies', () => {
    for (const root of ['canary-root', 'istio-system']) {
      const v = reach(ctxWith(denyAllWaypoints(root), 'forbidden'));
      expect(v.verdict).toBe('unknown');
      expect(v.reason).toContain('istio.io/rev prod');
      expect(v.reason).toContain('MutatingWebhookConfigurations');
    }
  });

  it('with the webhooks unread and no policy on the GatewayClass, the root decides nothing: the verdict stands', () => {
    expect(reach(ctxWith('', 'forbidden')).verdict).toBe('allowed');
  });

  it('with the webhooks unread, mtls.authz-missing is not evaluated, its reason naming the tag, rather than judged with the default root\'s policies', () => {
    const o = runChecks([authzMissing], ctxWith(denyAllWaypoints('canary-root'), 'forbidden'))[0];
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toContain('istio-revision-tag-prod');
    // With nothing attached to the GatewayClass, the waypoint's root decides nothing: judged as before.
    expect(runChecks([authzMissing], ctxWith('', 'forbidden'))[0].status).not.toBe('not-evaluated');
  });

  // A manifests run reads the webhooks (coverage ok) and may hold none defining the tag: GetMyTags
  // of every istiod lacks "prod", so IsMine is false for all of them, the default revision included.
  it('with the webhooks read and no tag webhook defining the value, reach is unknown, not the default root\'s verdict', () => {
    const ctx = ctxWith(denyAllWaypoints('istio-system'), 'read');
    expect(ctx.snapshot.coverage.mutatingwebhookconfigurations?.status ?? 'ok').toBe('ok');
    const v = reach(ctx);
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toContain('istio.io/rev prod');
    expect(v.reason).toContain('no tag webhook in the input defines it');
    expect(v.reason).not.toContain('could not be read');
  });

  it('with the webhooks read and no tag webhook defining the value, mtls.authz-missing still fails shop/api: no istiod takes the waypoint, so canary-root\'s GatewayClass policy covers nothing', () => {
    const o = runChecks([authzMissing], ctxWith(denyAllWaypoints('canary-root'), 'read'))[0];
    expect(o.status).toBe('fail');
    expect(o.results.filter((r) => r.resource.name === 'api').map((r) => r.status)).toEqual(['fail']);
  });
});
