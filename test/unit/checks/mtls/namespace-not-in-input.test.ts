// A manifests input that keeps a namespace's workloads but not its Namespace object leaves the
// namespace's labels and annotations unknown, not empty: Istio's injection webhook selects
// namespaces by their own istio-injection / istio.io/rev labels
// (https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy;
// IST0102 "namespace is not enabled for Istio injection" reads the same labels,
// https://istio.io/latest/docs/reference/config/analysis/ist0102/), and Linkerd injects the pods
// of a namespace annotated linkerd.io/inject: enabled and reads its default inbound policy from
// the namespace's config.linkerd.io/default-inbound-policy
// (https://linkerd.io/2/features/proxy-injection/, https://linkerd.io/2/reference/proxy-configuration/).
// Every mTLS check whose verdict turns on them must judge nothing there (no pass, no finding),
// say so in `excluded` and list the namespace in `unjudgedNamespaces`, so the diff carries its
// earlier findings as not judged (DESIGN.md: missing data is not a fix) — as the pod-security
// checks do for Pod Security labels. Only what the namespace decides: a workload whose pods decide
// their mesh by themselves (a proxy already in the template, sidecar.istio.io/inject or
// linkerd.io/inject on the pod) or whose namespace config mesh.meshedNamespaces lists is judged
// (test/unit/mesh/pod-decides-mesh.test.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECK_BY_ID } from '../../../../checks/index.ts';
import type { AuditContext } from '../../../../src/analysis/context.ts';
import { meshFlowVerdict } from '../../../../src/analysis/mesh/flow-verdict.ts';
import { loadManifests } from '../../../../src/collect/manifests.ts';
import { defaultConfig } from '../../../../src/config/types.ts';
import type { Verdict } from '../../../../src/base/vocabulary.ts';
import { deploymentYaml, istioInjectorYaml } from '../../mesh/helpers.ts';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/**
 * The audit context of a manifests directory holding `yaml`, read as `ztaudit run --manifests`
 * reads it; `meshed` lists config mesh.meshedNamespaces.
 */
function manifests(yaml: string, meshed: string[] = []): AuditContext {
  const config = defaultConfig();
  config.mesh.meshedNamespaces = meshed;
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-mtls-unseen-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'all.yaml'), yaml);
  return { snapshot: loadManifests([dir], { clusterName: 'c1' }), config, now: new Date('2026-06-01T00:00:00Z') };
}

const inShop = (v: Verdict) => v.resource.namespace === 'shop' || (v.resource.kind === 'Namespace' && v.resource.name === 'shop');

// Istio: its injector config as the chart installs it (policy enabled), a mesh-wide PERMISSIVE
// policy; in shop a workload whose pods say nothing of injection
// (the namespace's istio-injection label decides) with a port kept away from Envoy and a rule on
// principals, a workload opted out of injection (outside the mesh by itself; whether it is meant
// to be meshed is the namespace's to say), and an ALLOW policy.
const ISTIO = `${istioInjectorYaml()}
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: PERMISSIVE}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api-callers, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  action: ALLOW
  rules: [{from: [{source: {notPrincipals: [cluster.local/ns/shop/sa/batch]}}]}]
---
${deploymentYaml('shop', 'api', { labels: { app: 'api' }, annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '9090' }, ports: [8000, 9090] })}
${deploymentYaml('shop', 'batch', { labels: { 'sidecar.istio.io/inject': 'false' } })}
`;
const ISTIO_NS = `apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}\n---\n`;

// Linkerd: its config (cluster default all-unauthenticated), a namespace annotated for injection,
// a workload injected for it (its pods say nothing of injection), with a skipped inbound port, and
// one opted out (outside the mesh by itself; meant to be meshed by the namespace only).
const LINKERD = `
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data: {values: "proxy:\\n  defaultInboundPolicy: all-unauthenticated\\nproxyInit:\\n  ignoreInboundPorts: '4567,4568'\\n  ignoreOutboundPorts: '4567,4568'\\n"}
---
${deploymentYaml('shop', 'api', { annotations: { 'config.linkerd.io/skip-inbound-ports': '9090' }, ports: [8000, 9090] })}
${deploymentYaml('shop', 'batch', { annotations: { 'linkerd.io/inject': 'disabled' } })}
`;
const LINKERD_NS = `apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, annotations: {linkerd.io/inject: enabled}}\n---\n`;

const CASES: Array<{ mesh: string; objects: string; namespace: string; checks: string[] }> = [
  { mesh: 'Istio', objects: ISTIO, namespace: ISTIO_NS, checks: ['mtls.workload-outside-mesh', 'mtls.authz-missing', 'mtls.authz-plaintext-bypass', 'mtls.istio-excluded-inbound-ports', 'mtls.outbound-allow-any'] },
  { mesh: 'Linkerd', objects: LINKERD, namespace: LINKERD_NS, checks: ['mtls.workload-outside-mesh', 'mtls.authz-missing', 'mtls.linkerd-unauthenticated-default', 'mtls.linkerd-skip-ports'] },
];

describe('mTLS checks on a namespace whose Namespace object is not in the input', () => {
  for (const { mesh, objects, namespace, checks } of CASES) {
    for (const id of checks) {
      it(`${mesh}, ${id}: judged with the Namespace; without it, excluded and unjudged, neither pass nor finding`, () => {
        const check = CHECK_BY_ID.get(id)!;
        const known = manifests(namespace + objects);
        const judged = [...check.evaluate(known)].filter(inShop);
        expect(judged.length, `${id} judges shop when its Namespace is in the input`).toBeGreaterThan(0);
        expect(judged.some((v) => v.status === 'fail'), id).toBe(true);
        expect(check.unjudgedNamespaces?.(known)).toEqual([]);
        expect(check.excluded?.(known)).toBeUndefined();

        const unseen = manifests(objects);
        expect(check.appliesTo?.(unseen) ?? true, id).toBe(true);
        expect([...check.evaluate(unseen)].filter(inShop)).toEqual([]);
        expect(check.unjudgedNamespaces?.(unseen)).toEqual(['shop']);
        expect(check.excluded?.(unseen)).toMatch(/^namespace shop is not in the input \(only its workloads are\): its mesh labels and annotations .* are unknown, so .*; include the Namespace objects/);
      });
    }
  }

  // Cluster-wide verdicts count meshed workloads; those of shop are not counted when unknown.
  it('Istio, mtls.mesh-not-strict and mtls.auto-mtls-disabled: shop\'s workloads are left out of the count, and said to be', () => {
    // Auto mTLS off, so the verdict names the client namespaces and the meshed Services.
    const withSidecar = `${ISTIO}${deploymentYaml('shop', 'worker')}
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data: {mesh: "enableAutoMtls: false\\n"}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{name: http, port: 8000}]}
`;
    for (const id of ['mtls.mesh-not-strict', 'mtls.auto-mtls-disabled']) {
      const check = CHECK_BY_ID.get(id)!;
      // With shop unknown, its workloads would be read as not injected.
      const unseen = manifests(withSidecar);
      const text = JSON.stringify([...check.evaluate(unseen)]);
      expect(text.includes('shop'), `${id}: ${text}`).toBe(false);
      expect(check.unjudgedNamespaces?.(unseen)).toEqual(['shop']);
      expect(check.excluded?.(unseen)).toMatch(/^namespace shop is not in the input/);
      const known = JSON.stringify([...check.evaluate(manifests(ISTIO_NS + withSidecar))]);
      expect(known.includes('shop'), `${id}: ${known}`).toBe(true);
    }
  });

  // A pod label istio.io/rev asks a revision's webhook for a sidecar, whose namespaceSelector
  // needs the namespace free of istio-injection and istio.io/rev labels: read as meshed, but the
  // namespace decides (a workload read as outside every mesh has the network's answer, the widest).
  it('reach has no answer for a call to or from a meshed workload there, rather than one read off no labels', () => {
    const revised = `${ISTIO}${deploymentYaml('shop', 'canary', { labels: { 'istio.io/rev': 'canary' } })}`;
    const ctx = manifests(`${revised}${deploymentYaml('web', 'front')}apiVersion: v1\nkind: Namespace\nmetadata: {name: web, labels: {istio-injection: enabled}}\n`);
    const api = { kind: 'Deployment', namespace: 'shop', name: 'canary' };
    const front = { kind: 'Deployment', namespace: 'web', name: 'front' };
    for (const [from, to] of [[front, api], [api, front]] as const) {
      const v = meshFlowVerdict(ctx.snapshot, ctx.config, from, to, 8000, 'TCP');
      expect(v.verdict, v.reason).toBe('unknown');
      expect(v.reason).toMatch(/^namespace shop is not in the input \(only its workloads are\): its mesh labels and annotations are unknown/);
    }
    // Between two namespaces in the input, as before.
    const known = manifests(`${ISTIO_NS}${revised}${deploymentYaml('web', 'front')}apiVersion: v1\nkind: Namespace\nmetadata: {name: web, labels: {istio-injection: enabled}}\n`);
    expect(meshFlowVerdict(known.snapshot, known.config, front, api, 8000, 'TCP').verdict).not.toBe('unknown');
  });
});
