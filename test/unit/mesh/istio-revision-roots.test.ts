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
import { authzAllowAny } from '../../../checks/mtls/authz-allow-any.ts';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { runDetails } from '../../../src/analysis/details.ts';
import { ctxOf as ctxOfInput, istiodYaml, deploymentYaml, namespaceYaml, serviceYaml } from './helpers.ts';

/** These cases are for an istiod that knows every AuthorizationPolicy field they use (targetRefs, `when` keys): without one in the input, such a policy cannot be confirmed. */
const ctxOf = (yaml: string, ...rest: Parameters<typeof ctxOfInput> extends [string, ...infer R] ? R : never) => ctxOfInput(`${istiodYaml()}${yaml}`, ...rest);


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

  it('with no policy at all, each workload\'s finding names the root namespace whose policies would cover it', () => {
    const v = [...authzMissing.evaluate(ctxOf(CLUSTER))].filter((x) => x.status === 'fail');
    expect(v.find((x) => x.resource.name === 'api')).toMatchObject({ message: expect.stringContaining('(in shop-b or canary-root)'), evidence: { rootNamespace: 'canary-root' } });
    expect(v.find((x) => x.resource.name === 'web')).toMatchObject({ message: expect.stringContaining('(in shop-a or istio-system)'), evidence: { rootNamespace: 'istio-system' } });
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

describe('flow verdicts with two Istio revisions of different root namespaces', () => {
  // "A policy in the root namespace applies to all workloads in the mesh"; `rules: [{}]` "allows
  // all requests" (https://istio.io/latest/docs/reference/config/security/authorization-policy/):
  // in canary-root that is every workload revision canary configures, shop-b/api here.
  const authz = (namespace: string, name: string, action: string, rules: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: ${namespace}}
spec: {action: ${action}, rules: ${rules}}
---`;
  const allowAnyFailures = (yaml: string) => [...authzAllowAny.evaluate(ctxOf(yaml))].filter((x) => x.status === 'fail').map((x) => `${x.resource.namespace}/${x.resource.name}`);

  it('an ALLOW rules [{}] in canary-root fails mtls.authz-allow-any, as the same policy in istio-system does', () => {
    const canary = [...authzAllowAny.evaluate(ctxOf(`${CLUSTER}${serviceYaml('shop-b', 'api')}${authz('canary-root', 'allow-all', 'ALLOW', '[{}]')}`))].filter((x) => x.status === 'fail');
    expect(canary.map((x) => `${x.resource.namespace}/${x.resource.name}`)).toEqual(['canary-root/allow-all']);
    expect(canary[0]?.message).toContain('allows any caller to every workload of the mesh');
    expect(allowAnyFailures(`${CLUSTER}${serviceYaml('shop-a', 'web')}${authz('istio-system', 'allow-all', 'ALLOW', '[{}]')}`)).toEqual(['istio-system/allow-all']);
  });

  it('reach to revision canary\'s workload honours a DENY in canary-root, and one in istio-system does not apply to it', () => {
    const reach = (yaml: string) => {
      const ctx = ctxOf(`${CLUSTER}${serviceYaml('shop-b', 'api')}${yaml}`);
      return meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: 'shop-a', name: 'web' }, { kind: 'Deployment', namespace: 'shop-b', name: 'api' }, 8000, 'TCP');
    };
    expect(reach(authz('canary-root', 'deny-all', 'DENY', '[{}]'))).toMatchObject({ verdict: 'denied', policy: { namespace: 'canary-root', name: 'deny-all' } });
    expect(reach(authz('istio-system', 'deny-all', 'DENY', '[{}]')).verdict).toBe('allowed');
  });

  it('the callers report.json lists for revision canary\'s workload come from canary-root\'s ALLOW policies, not istio-system\'s', () => {
    const callersOf = (yaml: string) => runDetails(ctxOf(`${CLUSTER}${yaml}`), new Set(['mtls'])).mtls!.workloads.find((w) => w.workload.name === 'api')!.callers;
    expect(callersOf(authz('canary-root', 'from-shop-a', 'ALLOW', '[{from: [{source: {namespaces: [shop-a]}}]}]'))).toMatchObject({ who: 'listed', policies: ['canary-root/from-shop-a'] });
    expect(callersOf(authz('istio-system', 'from-shop-a', 'ALLOW', '[{from: [{source: {namespaces: [shop-a]}}]}]'))).toMatchObject({ who: 'anyone', policies: [] });
  });
});

describe('reach names the malformed AuthorizationPolicies of the callee\'s revision root', () => {
  // istio/istio pkg/config/validation/validation.go ValidateAuthorizationPolicy rejects a source
  // that sets no field ("`from.source` must not be empty"), so istiod ignores the policy; in a root
  // namespace it would have applied mesh-wide ("A policy in the root namespace applies to all
  // workloads in the mesh", https://istio.io/latest/docs/reference/config/security/authorization-policy/),
  // so a reader of reach needs it named as much as one in the callee's own namespace.
  const malformed = (namespace: string, name: string, selector = '') => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: ${namespace}}
spec: {${selector}action: DENY, rules: [{from: [{source: {}}]}]}
---`;
  const reach = (yaml: string, to: { namespace: string; name: string }) => {
    const ctx = ctxOf(`${CLUSTER}${serviceYaml('shop-a', 'web')}${serviceYaml('shop-b', 'api')}${yaml}`);
    const from = to.name === 'api' ? { namespace: 'shop-a', name: 'web' } : { namespace: 'shop-b', name: 'api' };
    return meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', ...from }, { kind: 'Deployment', ...to }, 8000, 'TCP');
  };
  const api = { namespace: 'shop-b', name: 'api' };
  const web = { namespace: 'shop-a', name: 'web' };

  it('a malformed DENY in canary-root is named for revision canary\'s workload, beside its own namespace\'s, and not for the default revision\'s', () => {
    const yaml = `${malformed('canary-root', 'deny-broken')}${malformed('shop-b', 'local-broken')}`;
    const r = reach(yaml, api);
    expect(r.verdict).toBe('allowed');
    expect(r.notes).toContain('malformed AuthorizationPolicy shop-b/local-broken, canary-root/deny-broken ignored (istiod rejects it)');
    expect((reach(yaml, web).notes ?? []).join('\n')).not.toContain('deny-broken');
  });

  it('a malformed policy in istio-system is named for the default revision\'s workload only', () => {
    const yaml = malformed('istio-system', 'deny-broken');
    expect(reach(yaml, web).notes).toContain('malformed AuthorizationPolicy istio-system/deny-broken ignored (istiod rejects it)');
    expect((reach(yaml, api).notes ?? []).join('\n')).not.toContain('deny-broken');
  });

  it('a malformed root policy whose selector picks another workload is not named', () => {
    const r = reach(malformed('canary-root', 'deny-broken', 'selector: {matchLabels: {app: other}}, '), api);
    expect((r.notes ?? []).join('\n')).not.toContain('deny-broken');
  });
});

describe('the flow verdict reads PeerAuthentication and RequestAuthentication from the callee\'s revision root', () => {
  const reachFrom = (yaml: string, from: { namespace: string; name: string }, to: { namespace: string; name: string }) => {
    const ctx = ctxOf(yaml);
    return meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', ...from }, { kind: 'Deployment', ...to }, 8000, 'TCP');
  };
  const api = { namespace: 'shop-b', name: 'api' };
  const web = { namespace: 'shop-a', name: 'web' };

  it('a STRICT PeerAuthentication in canary-root refuses a plaintext caller to revision canary\'s workload, and not to the default revision\'s', () => {
    // "Mesh-wide policy: A policy defined in the root namespace without a workload selector"; STRICT:
    // "Connection is an mTLS tunnel" only (https://istio.io/latest/docs/reference/config/security/peer_authentication/).
    const swapped = `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio-canary, namespace: istio-system}
data: {mesh: "rootNamespace: canary-root"}
---${namespaceYaml('istio-system', 'team: platform')}${namespaceYaml('canary-root', 'team: platform')}${namespaceYaml('shop-a')}${namespaceYaml('shop-b', 'istio.io/rev: canary')}${namespaceYaml('outside', 'team: batch')}${deploymentYaml('shop-a', 'web')}${deploymentYaml('shop-b', 'api')}${deploymentYaml('outside', 'client')}${serviceYaml('shop-a', 'web')}${serviceYaml('shop-b', 'api')}${peerAuthentication('istio-system', 'default', 'PERMISSIVE')}${peerAuthentication('canary-root', 'default', 'STRICT')}`;
    const client = { namespace: 'outside', name: 'client' };
    expect(reachFrom(swapped, client, api)).toMatchObject({ verdict: 'denied', plaintext: true, policy: { namespace: 'canary-root', name: 'default' } });
    expect(reachFrom(swapped, client, api).reason).toContain('PeerAuthentication canary-root/default STRICT');
    expect(reachFrom(swapped, client, web)).toMatchObject({ verdict: 'allowed', plaintext: true });
  });

  // "requestPrincipals ... If not set, any request principal is allowed"; a request principal exists
  // only for a JWT a RequestAuthentication validated, and a RequestAuthentication in the root
  // namespace applies to every workload of the mesh
  // (https://istio.io/latest/docs/reference/config/security/request_authentication/: "When not set,
  // the policy will be applied to all workloads in the same namespace as the policy", and the
  // root-namespace rule of the authorization-policy reference): with one, an ALLOW on
  // requestPrincipals ["*"] admits the requests that carry a valid JWT; without, none.
  const requestAuthn = (namespace: string) => `
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: ${namespace}}
spec: {jwtRules: [{issuer: "https://issuer.example"}]}
---`;
  const jwtOnly = (namespace: string, app: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: jwt-only, namespace: ${namespace}}
spec: {selector: {matchLabels: {app: ${app}}}, action: ALLOW, rules: [{from: [{source: {requestPrincipals: ["*"]}}]}]}
---`;
  const base = `${CLUSTER}${serviceYaml('shop-a', 'web')}${serviceYaml('shop-b', 'api')}${jwtOnly('shop-b', 'api')}${jwtOnly('shop-a', 'web')}`;

  it('a RequestAuthentication in canary-root applies to revision canary\'s workload: its JWT may satisfy the ALLOW rule', () => {
    const r = reachFrom(`${base}${requestAuthn('canary-root')}`, web, api);
    expect(r.verdict).toBe('depends');
    expect(r.reason).toContain('RequestAuthentication issuers https://issuer.example');
    expect(reachFrom(`${base}${requestAuthn('canary-root')}`, api, web).verdict).toBe('denied');
  });

  it('a RequestAuthentication in istio-system applies to the default revision\'s workload only', () => {
    expect(reachFrom(`${base}${requestAuthn('istio-system')}`, api, web).verdict).toBe('depends');
    expect(reachFrom(`${base}${requestAuthn('istio-system')}`, web, api)).toMatchObject({ verdict: 'denied', reason: expect.stringContaining('no ALLOW AuthorizationPolicy matches') });
  });
});

describe('principals are read in the trust domain of the callee\'s revision, from its ConfigMap istio-<rev>', () => {
  // Each revision's istiod reads its own mesh config, ConfigMap istio-<rev> (istio/istio
  // manifests/charts/istio-control/istio-discovery/templates/configmap.yaml names it
  // `istio{{- if not (eq .Values.revision "") }}-{{ .Values.revision }}{{- end }}`), whose
  // trustDomain/trustDomainAliases it rewrites the principals of the policies it serves into: "in
  // authorization policy, cluster.local is a pointer that points to the current trust domain ...
  // as well as its aliases", and a principal of another trust domain is kept as written
  // (https://istio.io/latest/docs/tasks/security/authorization/authz-td-migration/; istio/istio
  // pilot/pkg/security/trustdomain bundle.go ReplaceTrustDomainAliases). A workload's certificate
  // names the trust domain of the istiod that signed it, its revision's.
  const twoDomains = (canaryMesh: string) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data: {mesh: "trustDomain: prod.example"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio-canary, namespace: istio-system}
data:
  mesh: |
    rootNamespace: canary-root
${canaryMesh.split('\n').map((l) => `    ${l}`).join('\n')}
---${namespaceYaml('istio-system', 'team: platform')}${namespaceYaml('canary-root', 'team: platform')}${namespaceYaml('a', 'istio.io/rev: canary')}${namespaceYaml('shop-b', 'istio.io/rev: canary')}${namespaceYaml('shop-a')}${deploymentYaml('a', 'b', { serviceAccount: 'b' })}${deploymentYaml('shop-b', 'api')}${deploymentYaml('shop-a', 'web')}${serviceYaml('a', 'b')}${serviceYaml('shop-b', 'api')}${serviceYaml('shop-a', 'web')}`;
  const allowPrincipal = (namespace: string, app: string, principal: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: only-b, namespace: ${namespace}}
spec: {selector: {matchLabels: {app: ${app}}}, action: ALLOW, rules: [{from: [{source: {principals: ["${principal}"]}}]}]}
---`;
  const reach = (yaml: string, to: { namespace: string; name: string }) => {
    const ctx = ctxOf(yaml);
    return meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: 'a', name: 'b' }, { kind: 'Deployment', ...to }, 8000, 'TCP');
  };
  const api = { namespace: 'shop-b', name: 'api' };

  it('canary.local/ns/a/sa/b admits revision canary\'s caller a/b to revision canary\'s workload; prod.example/ns/a/sa/b, the default revision\'s domain, does not', () => {
    const cluster = twoDomains('trustDomain: canary.local');
    expect(reach(`${cluster}${allowPrincipal('shop-b', 'api', 'canary.local/ns/a/sa/b')}`, api)).toMatchObject({ verdict: 'allowed', policy: { namespace: 'shop-b', name: 'only-b' } });
    const other = reach(`${cluster}${allowPrincipal('shop-b', 'api', 'prod.example/ns/a/sa/b')}`, api);
    expect(other.verdict).toBe('denied');
    expect(other.reason).toContain('principal canary.local/ns/a/sa/b');
    // cluster.local stands for the callee's revision's trust domain.
    expect(reach(`${cluster}${allowPrincipal('shop-b', 'api', 'cluster.local/ns/a/sa/b')}`, api).verdict).toBe('allowed');
  });

  it('a trust domain alias in ConfigMap istio-canary stands for canary.local in revision canary\'s policies', () => {
    const cluster = twoDomains('trustDomain: canary.local\ntrustDomainAliases: [old.example]');
    expect(reach(`${cluster}${allowPrincipal('shop-b', 'api', 'old.example/ns/a/sa/b')}`, api).verdict).toBe('allowed');
    expect(reach(`${twoDomains('trustDomain: canary.local')}${allowPrincipal('shop-b', 'api', 'old.example/ns/a/sa/b')}`, api).verdict).toBe('denied');
  });

  it('a default-revision workload reads its policies in prod.example: the canary caller\'s canary.local principal is matched as written', () => {
    const cluster = twoDomains('trustDomain: canary.local');
    const web = { namespace: 'shop-a', name: 'web' };
    expect(reach(`${cluster}${allowPrincipal('shop-a', 'web', 'canary.local/ns/a/sa/b')}`, web).verdict).toBe('allowed');
    expect(reach(`${cluster}${allowPrincipal('shop-a', 'web', 'cluster.local/ns/a/sa/b')}`, web).verdict).toBe('denied');
  });
});

describe('policies attached to the istio-waypoint GatewayClass are read from the root namespace of the waypoint\'s revision', () => {
  // targetRefs: "a GatewayClass ... only in the root namespace"
  // (https://istio.io/latest/docs/reference/config/security/authorization-policy/, targetRefs; the
  // same for RequestAuthentication, https://istio.io/latest/docs/reference/config/security/request_authentication/).
  // istiod attaches one to a waypoint only when the policy's namespace is the RootNamespace of its
  // own mesh config (istio/istio pilot/pkg/model/policyattachment.go ShouldAttachPolicy,
  // `policyName.Namespace == p.RootNamespace`; pilot/pkg/model/authorization.go takes it from
  // env.Mesh()), and the istiod configuring a waypoint is the revision its Gateway's istio.io/rev
  // label, else its namespace's, names (pilot/pkg/config/kube/gateway/deploymentcontroller.go
  // reconciles a Gateway only when tagWatcher.IsMine, pkg/revisions/tag_watcher.go: the object's
  // istio.io/rev label, else its namespace's).
  const waypoint = (namespace: string, labels = '') => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: ${namespace}, labels: {istio.io/waypoint-for: all${labels ? `, ${labels}` : ''}}}
spec: {gatewayClassName: istio-waypoint, listeners: [{name: mesh, port: 15008, protocol: HBONE}]}
---`;
  const ambient = (name: string, waypointNamespace = '') => namespaceYaml(name, `istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint${waypointNamespace ? `, istio.io/use-waypoint-namespace: ${waypointNamespace}` : ''}`);
  const cluster = `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio-canary, namespace: istio-system}
data: {mesh: "rootNamespace: canary-root"}
---${namespaceYaml('istio-system', 'team: platform')}${namespaceYaml('canary-root', 'team: platform')}${namespaceYaml('client')}${ambient('shop-a')}${ambient('shop-b', 'waypoints-canary')}${namespaceYaml('waypoints-canary', 'istio.io/rev: canary')}${ambient('shop-c')}${deploymentYaml('client', 'curl')}${deploymentYaml('shop-a', 'web')}${deploymentYaml('shop-b', 'api')}${deploymentYaml('shop-c', 'db')}${serviceYaml('shop-a', 'web')}${serviceYaml('shop-b', 'api')}${serviceYaml('shop-c', 'db')}${waypoint('shop-a')}${waypoint('waypoints-canary')}${waypoint('shop-c', 'istio.io/rev: canary')}`;
  const denyAllWaypoints = (namespace: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-all-waypoints, namespace: ${namespace}}
spec: {targetRefs: [{kind: GatewayClass, group: gateway.networking.k8s.io, name: istio-waypoint}], action: DENY, rules: [{}]}
---`;
  const reach = (yaml: string, ns: string, name: string) => {
    const ctx = ctxOf(`${cluster}${yaml}`);
    return meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: 'client', name: 'curl' }, { kind: 'Deployment', namespace: ns, name }, 8000, 'TCP');
  };

  it('a DENY on the GatewayClass in canary-root is enforced by revision canary\'s waypoints (by namespace label or by the Gateway\'s own), not by the default revision\'s', () => {
    const yaml = denyAllWaypoints('canary-root');
    expect(reach(yaml, 'shop-b', 'api')).toMatchObject({ verdict: 'denied', enforcedBy: 'waypoint waypoints-canary/waypoint', policy: { namespace: 'canary-root', name: 'deny-all-waypoints' } });
    expect(reach(yaml, 'shop-c', 'db')).toMatchObject({ verdict: 'denied', enforcedBy: 'waypoint shop-c/waypoint', policy: { namespace: 'canary-root', name: 'deny-all-waypoints' } });
    expect(reach(yaml, 'shop-a', 'web').verdict).toBe('allowed');
  });

  it('a DENY on the GatewayClass in istio-system is enforced by the default revision\'s waypoint only', () => {
    const yaml = denyAllWaypoints('istio-system');
    expect(reach(yaml, 'shop-a', 'web')).toMatchObject({ verdict: 'denied', enforcedBy: 'waypoint shop-a/waypoint', policy: { namespace: 'istio-system', name: 'deny-all-waypoints' } });
    expect(reach(yaml, 'shop-b', 'api').verdict).toBe('allowed');
    expect(reach(yaml, 'shop-c', 'db').verdict).toBe('allowed');
  });

  it('a RequestAuthentication on the GatewayClass in canary-root lets revision canary\'s waypoint validate JWTs; one in istio-system does not', () => {
    const jwtOnly = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: jwt-only, namespace: waypoints-canary}
spec: {targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}], action: ALLOW, rules: [{from: [{source: {requestPrincipals: ["*"]}}]}]}
---`;
    const requestAuthn = (namespace: string) => `
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: ${namespace}}
spec: {targetRefs: [{kind: GatewayClass, group: gateway.networking.k8s.io, name: istio-waypoint}], jwtRules: [{issuer: "https://issuer.example"}]}
---`;
    const canary = reach(`${jwtOnly}${requestAuthn('canary-root')}`, 'shop-b', 'api');
    expect(canary.verdict).toBe('depends');
    expect(canary.reason).toContain('RequestAuthentication issuers https://issuer.example');
    expect(reach(`${jwtOnly}${requestAuthn('istio-system')}`, 'shop-b', 'api').verdict).toBe('denied');
  });
});

describe('the authorization checks leave out the control plane of every revision\'s root namespace alike', () => {
  // The root namespace is "the administrative root namespace for Istio configuration"
  // (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/ rootNamespace), and each
  // revision has its own (its istio-<rev> ConfigMap, https://istio.io/latest/docs/setup/upgrade/canary/):
  // canary-root is to revision canary what istio-system is to the default revision, so the control
  // plane kept there (here istiod-canary) is no more an application to demand policies for than
  // istio-system's istiod. A gateway is judged wherever it runs, in either root.
  const controlPlane = `${CLUSTER.replace(namespaceYaml('istio-system', 'team: platform'), namespaceYaml('istio-system')).replace(namespaceYaml('canary-root', 'team: platform'), namespaceYaml('canary-root', 'istio.io/rev: canary'))}${deploymentYaml('istio-system', 'istiod')}${deploymentYaml('canary-root', 'istiod-canary')}${deploymentYaml('canary-root', 'ingress', { labels: { istio: 'ingressgateway' } })}`;
  const judged = (check: typeof authzMissing) => [...check.evaluate(ctxOf(controlPlane))].map((x) => `${x.resource.namespace}/${x.resource.name}`);

  it('canary-root\'s istiod-canary gets no mtls.authz-missing finding, as istio-system\'s istiod does not, while the application workloads do', () => {
    const failing = [...authzMissing.evaluate(ctxOf(controlPlane))].filter((x) => x.status === 'fail').map((x) => `${x.resource.namespace}/${x.resource.name}`);
    expect(failing).toEqual(expect.arrayContaining(['shop-a/web', 'shop-b/api']));
    expect(failing).not.toContain('canary-root/istiod-canary');
    expect(failing).not.toContain('istio-system/istiod');
    // A gateway in a root namespace is still judged.
    expect(judged(authzMissing)).toContain('canary-root/ingress');
  });
});

describe('report.json\'s "no L7 behind L4" leaves out every Istio revision\'s control plane, as the authorization checks do', () => {
  // Each revision's istiod runs in its own system namespace, its mesh's root ("two control planes
  // installed in two different system namespaces", https://istio.io/latest/docs/setup/install/multiple-controlplanes/),
  // labelled as the istiod chart labels it (manifests/charts/istio-control/istio-discovery/templates/deployment.yaml:
  // app: istiod, istio.io/rev: <revision>, sidecar.istio.io/inject: "false"; container discovery, image <hub>/pilot).
  const istiod = (namespace: string, name: string, revision: string) => deploymentYaml(namespace, name, {
    labels: { app: 'istiod', 'istio.io/rev': revision, 'sidecar.istio.io/inject': 'false' }, selector: { app: 'istiod' },
    container: { name: 'discovery', image: 'docker.io/istio/pilot:1.24.0' }, ports: [15012],
  });
  const l4 = (yaml: string) => runDetails(ctxOf(`${CLUSTER}${yaml}`), new Set(['mtls'])).mtls!.l4WithoutL7!.map((e) => `${e.workload.namespace}/${e.workload.name} (${e.mesh})`);

  it('revision canary\'s istiod in canary-root is not listed; the applications of both revisions are', () => {
    expect(l4(`${istiod('istio-system', 'istiod', 'default')}${istiod('canary-root', 'istiod-canary', 'canary')}`)).toEqual(['shop-a/web (istio)', 'shop-b/api (istio)']);
  });

  it('an istiod whose revision no workload runs under yet (so its root is not known) is still not listed, by its image', () => {
    expect(l4(`${namespaceYaml('next-system', 'team: platform')}${istiod('next-system', 'istiod-next', 'next')}`)).toEqual(['shop-a/web (istio)', 'shop-b/api (istio)']);
  });

  it('a gateway in a revision\'s root is listed, as mtls.authz-missing judges it', () => {
    const gateway = deploymentYaml('canary-root', 'ingress', { labels: { app: 'ingress', istio: 'ingressgateway', 'sidecar.istio.io/inject': 'true', 'istio.io/rev': 'canary' }, ports: [8080] });
    expect(l4(gateway)).toContain('canary-root/ingress (istio)');
    expect([...authzMissing.evaluate(ctxOf(`${CLUSTER}${gateway}`))].filter((x) => x.status === 'fail').map((x) => `${x.resource.namespace}/${x.resource.name}`)).toContain('canary-root/ingress');
  });
});
