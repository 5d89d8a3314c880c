// Two Istio revisions, each with its own root namespace. Each revision's istiod reads its mesh
// config from ConfigMap istio-<rev> (https://istio.io/latest/docs/setup/upgrade/canary/), whose
// rootNamespace is "the namespace to treat as the administrative root namespace for Istio
// configuration" (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/ rootNamespace);
// a PeerAuthentication without selector there is the mesh-wide policy for the proxies that revision
// configures ("Mesh-wide policy: A policy defined in the root namespace without a workload selector",
// https://istio.io/latest/docs/reference/config/security/peer_authentication/), and a namespace-wide
// one in any other namespace.
import { describe, expect, it } from 'vitest';
import { permissiveOverride } from '../../../checks/mtls/permissive-override.ts';
import { authzMissing } from '../../../checks/mtls/authz-missing.ts';
import { outboundAllowAny } from '../../../checks/mtls/outbound-allow-any.ts';
import { authzPlaintextBypass } from '../../../checks/mtls/authz-plaintext-bypass.ts';
import { ctxOf, deploymentYaml, namespaceYaml } from './helpers.ts';

const peerAuthentication = (namespace: string, name: string, mode: string) => `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ${name}, namespace: ${namespace}}
spec: {mtls: {mode: ${mode}}}
---`;

// Revision canary roots its mesh in canary-root; the default revision in istio-system.
const CLUSTER = `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio-canary, namespace: istio-system}
data: {mesh: "rootNamespace: canary-root"}
---${namespaceYaml('istio-system', 'team: platform')}${namespaceYaml('canary-root', 'team: platform')}${namespaceYaml('shop-a')}${namespaceYaml('shop-b', 'istio.io/rev: canary')}${deploymentYaml('shop-a', 'web')}${deploymentYaml('shop-b', 'api')}${peerAuthentication('istio-system', 'default', 'STRICT')}${peerAuthentication('canary-root', 'default', 'PERMISSIVE')}`;

describe('mtls.permissive-override with two Istio revisions of different root namespaces', () => {
  it('a selector-less PERMISSIVE policy in revision canary\'s root is its mesh-wide policy, not a namespace override', () => {
    const v = [...permissiveOverride.evaluate(ctxOf(CLUSTER))];
    expect(v.filter((x) => x.resource.namespace === 'canary-root')).toEqual([]);
  });

  it('a namespace override is judged against its own revision\'s mesh-wide mode', () => {
    const ctx = ctxOf(`${CLUSTER}${peerAuthentication('shop-a', 'relax', 'PERMISSIVE')}${peerAuthentication('shop-b', 'relax', 'DISABLE')}`);
    const v = [...permissiveOverride.evaluate(ctx)];
    expect(v.find((x) => x.resource.namespace === 'shop-a')).toMatchObject({ status: 'fail', severity: 'medium', evidence: { scope: 'namespace', inheritedFromMesh: 'STRICT', affectedWorkloads: 1 } });
    expect(v.find((x) => x.resource.namespace === 'shop-b')).toMatchObject({ status: 'fail', severity: 'high', evidence: { scope: 'namespace', inheritedFromMesh: 'PERMISSIVE', affectedWorkloads: 1 } });
    expect(v.find((x) => x.resource.namespace === 'shop-b')?.message).toBe('Namespace shop-b set mTLS to DISABLE: plaintext only (mesh default PERMISSIVE).');
  });
});

describe('mesh-wide AuthorizationPolicies with two Istio revisions of different root namespaces', () => {
  // "A policy in the root namespace applies to all workloads in the mesh", and `spec: {}` allows
  // nothing (https://istio.io/latest/docs/reference/config/security/authorization-policy/): for
  // revision canary, whose root is canary-root, that is the mesh of the proxies it configures.
  const allowNothing = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-nothing, namespace: canary-root}
spec: {}
---`;

  it('applies to revision canary\'s workloads only: shop-b/api is covered, shop-a/web (default revision, root istio-system) is not', () => {
    const v = [...authzMissing.evaluate(ctxOf(`${CLUSTER}${allowNothing}`))];
    const of = (ns: string) => v.filter((x) => x.resource.namespace === ns || (x.extent?.members ?? []).some((m) => m.includes(`${ns}/`)));
    expect(of('shop-a').map((x) => x.status)).toContain('fail');
    expect(of('shop-b').filter((x) => x.status === 'fail')).toEqual([]);
  });
});

describe('mtls.outbound-allow-any with two Istio revisions of different root namespaces', () => {
  // "A Sidecar without workloadSelector in the root namespace is the default for all namespaces
  // without a Sidecar" (https://istio.io/latest/docs/reference/config/networking/sidecar/): for
  // revision canary, the root is canary-root.
  const registryOnly = (namespace: string) => `
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: ${namespace}}
spec: {outboundTrafficPolicy: {mode: REGISTRY_ONLY}}
---`;

  it('a Sidecar in canary-root narrows revision canary\'s workloads only', () => {
    const v = [...outboundAllowAny.evaluate(ctxOf(`${CLUSTER}${registryOnly('canary-root')}`))];
    expect(v.find((x) => x.resource.name === 'shop-b')).toMatchObject({ status: 'pass' });
    expect(v.find((x) => x.resource.name === 'shop-b')?.message).toContain('Sidecar canary-root/default');
    expect(v.find((x) => x.resource.name === 'shop-a')).toMatchObject({ status: 'fail' });
  });

  it('a Sidecar in istio-system, the default revision\'s root, is not revision canary\'s default', () => {
    const v = [...outboundAllowAny.evaluate(ctxOf(`${CLUSTER}${registryOnly('istio-system')}`))];
    expect(v.find((x) => x.resource.name === 'shop-a')).toMatchObject({ status: 'pass' });
    expect(v.find((x) => x.resource.name === 'shop-b')).toMatchObject({ status: 'fail' });
  });
});

describe('mtls.authz-plaintext-bypass with two Istio revisions of different root namespaces', () => {
  // An ALLOW rule whose only source is notPrincipals matches a plaintext caller, which has no
  // principal (https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source);
  // both revisions' workloads are PERMISSIVE here (no PeerAuthentication), so plaintext reaches them.
  const bypass = (namespace: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: mesh-wide, namespace: ${namespace}}
spec: {action: ALLOW, rules: [{from: [{source: {notPrincipals: ["cluster.local/ns/x/sa/y"]}}]}]}
---`;
  const bare = CLUSTER.replace(/\napiVersion: security\.istio\.io\/v1\nkind: PeerAuthentication[^]*?---/g, '');

  it('a mesh-wide policy in canary-root applies to revision canary\'s workloads only', () => {
    const failing = [...authzPlaintextBypass.evaluate(ctxOf(`${bare}${bypass('canary-root')}`))].filter((x) => x.status === 'fail');
    expect(failing.map((x) => `${x.resource.namespace}/${x.resource.name}`)).toEqual(['shop-b/api']);
  });

  it('a mesh-wide policy in istio-system applies to the default revision\'s workloads only', () => {
    const failing = [...authzPlaintextBypass.evaluate(ctxOf(`${bare}${bypass('istio-system')}`))].filter((x) => x.status === 'fail');
    expect(failing.map((x) => `${x.resource.namespace}/${x.resource.name}`)).toEqual(['shop-a/web']);
  });
});
