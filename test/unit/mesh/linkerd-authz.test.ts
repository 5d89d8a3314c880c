// Linkerd authorization per call, as reference cases from linkerd.io (the page is cited per case).
// Each case turns what the documentation states into the verdict a caller gets on a port.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { linkerdFlowVerdict, meshModel } from '../../../src/analysis/mesh/index.ts';
import type { MeshCaller } from '../../../src/analysis/mesh/flow.ts';
import { ctxOf, deploymentYaml } from './helpers.ts';
import type { PortSpec } from '../../helpers/workload.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';

const REF = 'https://linkerd.io/2.16/reference/authorization-policy/';
const FEATURES = 'https://linkerd.io/2.16/features/server-policy/';
const PER_ROUTE = 'https://linkerd.io/2.16/tasks/configuring-per-route-policy/';

const ns = (name: string, policy?: string) => `
apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  annotations:
    linkerd.io/inject: enabled
${policy ? `    config.linkerd.io/default-inbound-policy: ${policy}` : ''}
---`;
const app = (namespace: string, name: string, sa: string, ports: PortSpec[], labels?: Record<string, string>) => deploymentYaml(namespace, name, { serviceAccount: sa, ports, labels });

const meshed = (namespace: string, sa: string): MeshCaller => ({ namespace, serviceAccount: sa, labels: {}, mtls: true });
const plain = (namespace: string, sa: string): MeshCaller => ({ namespace, serviceAccount: sa, labels: {}, mtls: false });
const external: MeshCaller = { namespace: '', serviceAccount: '', labels: {}, mtls: false, external: true };

/** `from`: where the objects were read (manifests by default; 'live' as the collector gives them, status and all; 'snapshot' a stored snapshot file of that origin). */
function judge(yaml: string, caller: MeshCaller, namespace: string, name: string, port: number, from?: { source: Snapshot['source']; origin: Snapshot['origin'] }) {
  const ctx = ctxOf(yaml);
  const model = meshModel(from ? { ...ctx.snapshot, ...from } : ctx.snapshot, ctx.config);
  return linkerdFlowVerdict(model, caller, { namespace, name, serviceAccount: name, labels: {}, port, protocol: 'TCP' });
}

const booksapp = `${ns('booksapp')}
${app('booksapp', 'authors', 'authors', [{ name: 'service', containerPort: 7001 }, { name: 'admin', containerPort: 9990 }], { app: 'authors', project: 'booksapp' })}
apiVersion: policy.linkerd.io/v1beta1
kind: Server
metadata: {name: authors-server, namespace: booksapp}
spec:
  podSelector: {matchLabels: {app: authors, project: booksapp}}
  port: service
---`;

describe('Linkerd authorization reference cases', () => {
  it(`Server present, no authorization: denied "regardless of the default policy"; an uncovered port follows the default (${REF}#server)`, () => {
    const onServer = judge(booksapp, meshed('booksapp', 'webapp'), 'booksapp', 'authors', 7001);
    expect(onServer).toMatchObject({ mesh: 'linkerd', verdict: 'denied', policy: { kind: 'Server', name: 'authors-server' } });
    const uncovered = judge(booksapp, plain('booksapp', 'webapp'), 'booksapp', 'authors', 9990);
    expect(uncovered).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(uncovered.reason).toMatch(/no Server covers port 9990: default inbound policy all-unauthenticated \(Linkerd install default\)/);
  });

  it(`AuthorizationPolicy → Server with requiredAuthenticationRefs ServiceAccount webapp (${REF}#authorizationpolicy-examples)`, () => {
    const yaml = `${booksapp}
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: authors-policy, namespace: booksapp}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: authors-server}
  requiredAuthenticationRefs: [{name: webapp, kind: ServiceAccount}]
`;
    expect(judge(yaml, meshed('booksapp', 'webapp'), 'booksapp', 'authors', 7001)).toMatchObject({ verdict: 'allowed', policy: { kind: 'AuthorizationPolicy', name: 'authors-policy' }, plaintext: false });
    expect(judge(yaml, meshed('booksapp', 'books'), 'booksapp', 'authors', 7001)).toMatchObject({ verdict: 'denied', policy: { kind: 'Server' } });
    // The identity comes from mTLS: the same service account without a proxy is not authenticated.
    expect(judge(yaml, plain('booksapp', 'webapp'), 'booksapp', 'authors', 7001)).toMatchObject({ verdict: 'denied' });
  });

  it(`AuthorizationPolicy → Namespace applies to every Server of the namespace (${REF}#targetref)`, () => {
    const yaml = `${booksapp}
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: authors-policy, namespace: booksapp}
spec:
  targetRef: {kind: Namespace, name: booksapp}
  requiredAuthenticationRefs: [{name: webapp, kind: ServiceAccount}]
`;
    expect(judge(yaml, meshed('booksapp', 'webapp'), 'booksapp', 'authors', 7001)).toMatchObject({ verdict: 'allowed', policy: { name: 'authors-policy' } });
    expect(judge(yaml, meshed('booksapp', 'books'), 'booksapp', 'authors', 7001).verdict).toBe('denied');
  });

  it(`MeshTLSAuthentication identities ["*"] admits every meshed client, not plaintext ones (${REF}#meshtlsauthentication-examples)`, () => {
    const yaml = `${booksapp}
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: authors-get-authn, namespace: booksapp}
spec: {identities: ["*"]}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: any-meshed, namespace: booksapp}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: authors-server}
  requiredAuthenticationRefs: [{name: authors-get-authn, kind: MeshTLSAuthentication, group: policy.linkerd.io}]
`;
    expect(judge(yaml, meshed('other', 'anything'), 'booksapp', 'authors', 7001).verdict).toBe('allowed');
    expect(judge(yaml, plain('booksapp', 'webapp'), 'booksapp', 'authors', 7001).verdict).toBe('denied');
  });

  it(`per-route policy: HTTPRoutes on the Server; books may use authors-get-route only, webapp also authors-modify-route (${PER_ROUTE})`, () => {
    const yaml = `${booksapp}
apiVersion: policy.linkerd.io/v1beta1
kind: HTTPRoute
metadata: {name: authors-get-route, namespace: booksapp}
spec:
  parentRefs: [{name: authors-server, kind: Server, group: policy.linkerd.io}]
  rules: [{matches: [{path: {value: /authors.json}, method: GET}]}]
---
apiVersion: policy.linkerd.io/v1beta1
kind: HTTPRoute
metadata: {name: authors-modify-route, namespace: booksapp}
spec:
  parentRefs: [{name: authors-server, kind: Server, group: policy.linkerd.io}]
  rules: [{matches: [{path: {value: /authors/, type: PathPrefix}, method: DELETE}]}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: authors-get-policy, namespace: booksapp}
spec:
  targetRef: {group: policy.linkerd.io, kind: HTTPRoute, name: authors-get-route}
  requiredAuthenticationRefs: [{name: authors-get-authn, kind: MeshTLSAuthentication, group: policy.linkerd.io}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: authors-get-authn, namespace: booksapp}
spec:
  identities:
  - books.booksapp.serviceaccount.identity.linkerd.cluster.local
  - webapp.booksapp.serviceaccount.identity.linkerd.cluster.local
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: authors-modify-policy, namespace: booksapp}
spec:
  targetRef: {group: policy.linkerd.io, kind: HTTPRoute, name: authors-modify-route}
  requiredAuthenticationRefs: [{name: authors-modify-authn, kind: MeshTLSAuthentication, group: policy.linkerd.io}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: authors-modify-authn, namespace: booksapp}
spec:
  identities: [webapp.booksapp.serviceaccount.identity.linkerd.cluster.local]
`;
    const books = judge(yaml, meshed('booksapp', 'books'), 'booksapp', 'authors', 7001);
    expect(books).toMatchObject({ verdict: 'depends', policy: { name: 'authors-get-policy' } });
    expect(books.reason).toMatch(/matching authors-get-route \(/);
    const webapp = judge(yaml, meshed('booksapp', 'webapp'), 'booksapp', 'authors', 7001);
    expect(webapp.verdict).toBe('depends');
    expect(webapp.reason).toMatch(/matching authors-get-route, authors-modify-route/);
    const stranger = judge(yaml, meshed('booksapp', 'stranger'), 'booksapp', 'authors', 7001);
    expect(stranger).toMatchObject({ verdict: 'denied', policy: { kind: 'Server' } });
    expect(stranger.reason).toMatch(/none authorizes this client/);
  });

  it(`ServerAuthorization: identities with the "*." domain prefix, serviceAccounts, unauthenticated from 0.0.0.0/0 (${REF}#serverauthorization-examples)`, () => {
    const yaml = `${ns('emojivoto')}
${app('emojivoto', 'emoji', 'emoji', [{ name: 'grpc', containerPort: 8080 }, { name: 'prom', containerPort: 8801 }], { app: 'emoji-svc' })}
${app('emojivoto', 'web', 'web', [{ name: 'http', containerPort: 8080 }], { app: 'web-svc' })}
apiVersion: policy.linkerd.io/v1beta1
kind: Server
metadata: {name: emoji-grpc, namespace: emojivoto, labels: {app: emoji-svc}}
spec: {podSelector: {matchLabels: {app: emoji-svc}}, port: grpc, proxyProtocol: gRPC}
---
apiVersion: policy.linkerd.io/v1beta1
kind: Server
metadata: {name: prom, namespace: emojivoto}
spec: {podSelector: {matchLabels: {app: emoji-svc}}, port: prom}
---
apiVersion: policy.linkerd.io/v1beta1
kind: Server
metadata: {name: web-http, namespace: emojivoto}
spec: {podSelector: {matchLabels: {app: web-svc}}, port: http}
---
apiVersion: policy.linkerd.io/v1beta1
kind: ServerAuthorization
metadata: {name: emoji-grpc, namespace: emojivoto}
spec:
  server: {selector: {matchLabels: {app: emoji-svc}}}
  client: {meshTLS: {identities: ["*.emojivoto.serviceaccount.identity.linkerd.cluster.local"]}}
---
apiVersion: policy.linkerd.io/v1beta1
kind: ServerAuthorization
metadata: {name: web-public, namespace: emojivoto}
spec:
  server: {name: web-http}
  client:
    unauthenticated: true
    networks: [{cidr: 0.0.0.0/0}, {cidr: "::/0"}]
---
apiVersion: policy.linkerd.io/v1beta1
kind: ServerAuthorization
metadata: {name: prom-prometheus, namespace: emojivoto}
spec:
  server: {name: prom}
  client: {meshTLS: {serviceAccounts: [{namespace: linkerd-viz, name: prometheus}]}}
`;
    expect(judge(yaml, meshed('emojivoto', 'web'), 'emojivoto', 'emoji', 8080)).toMatchObject({ verdict: 'allowed', policy: { kind: 'ServerAuthorization', name: 'emoji-grpc' } });
    expect(judge(yaml, meshed('other', 'web'), 'emojivoto', 'emoji', 8080).verdict).toBe('denied');
    expect(judge(yaml, external, 'emojivoto', 'web', 8080)).toMatchObject({ verdict: 'allowed', policy: { name: 'web-public' }, plaintext: true });
    expect(judge(yaml, meshed('linkerd-viz', 'prometheus'), 'emojivoto', 'emoji', 8801)).toMatchObject({ verdict: 'allowed', policy: { name: 'prom-prometheus' } });
    expect(judge(yaml, meshed('emojivoto', 'web'), 'emojivoto', 'emoji', 8801).verdict).toBe('denied');
  });

  // server_authorization.rs: each of meshTLS.serviceAccounts is IdentityMatch::Exact of service_account_identity.
  it('a ServerAuthorization serviceAccounts entry "*" is no wildcard: it admits no service account, and is named as a problem', () => {
    const yaml = (serviceAccounts: string) => `${ns('emojivoto')}
${app('emojivoto', 'emoji', 'emoji', [{ name: 'prom', containerPort: 8801 }], { app: 'emoji-svc' })}
apiVersion: policy.linkerd.io/v1beta1
kind: Server
metadata: {name: prom, namespace: emojivoto}
spec: {podSelector: {matchLabels: {app: emoji-svc}}, port: prom}
---
apiVersion: policy.linkerd.io/v1beta1
kind: ServerAuthorization
metadata: {name: prom-scrapers, namespace: emojivoto}
spec:
  server: {name: prom}
  client: {meshTLS: {serviceAccounts: [${serviceAccounts}]}}
`;
    const star = yaml('{name: "*"}');
    expect(judge(star, meshed('emojivoto', 'web'), 'emojivoto', 'emoji', 8801)).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'prom' } });
    const ctx = ctxOf(star);
    expect(meshModel(ctx.snapshot, ctx.config).linkerd.policy.problems.map((p) => p.problem)).toEqual(['client.meshTLS.serviceAccounts names "*", no wildcard; Linkerd matches that exact name, which no service account has']);
    const both = yaml('{name: "*"}, {name: prometheus, namespace: linkerd-viz}');
    expect(judge(both, meshed('emojivoto', 'web'), 'emojivoto', 'emoji', 8801).verdict).toBe('denied');
    expect(judge(both, meshed('linkerd-viz', 'prometheus'), 'emojivoto', 'emoji', 8801)).toMatchObject({ verdict: 'allowed', policy: { name: 'prom-scrapers' } });
  });

  it(`default policies per value, from the pod or namespace annotation (${REF}#default-policies, ${FEATURES}#default-policies)`, () => {
    const at = (policy: string, caller: MeshCaller) => judge(`${ns('shop', policy)}${app('shop', 'web', 'web', [8080])}`, caller, 'shop', 'web', 8080).verdict;
    expect([at('all-authenticated', meshed('a', 'b')), at('all-authenticated', plain('a', 'b'))]).toEqual(['allowed', 'denied']);
    expect([at('cluster-authenticated', meshed('a', 'b')), at('cluster-authenticated', plain('a', 'b'))]).toEqual(['allowed', 'denied']);
    expect([at('cluster-unauthenticated', plain('a', 'b')), at('cluster-unauthenticated', external)]).toEqual(['allowed', 'denied']);
    expect([at('all-unauthenticated', external), at('audit', external)]).toEqual(['allowed', 'allowed']);
    expect(at('deny', meshed('shop', 'web'))).toBe('denied');
  });

  it(`a Server's accessPolicy audit lets unauthorized traffic through (${FEATURES}#audit-mode)`, () => {
    const yaml = `${ns('shop', 'deny')}${app('shop', 'web', 'web', [8080])}
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: web, namespace: shop}
spec: {podSelector: {matchLabels: {app: web}}, port: 8080, accessPolicy: audit}
`;
    expect(judge(yaml, plain('x', 'y'), 'shop', 'web', 8080)).toMatchObject({ verdict: 'allowed', policy: { kind: 'Server', name: 'web' } });
  });

  it(`NetworkAuthentication narrower than every address: the caller's address decides (${REF}#networkauthentication)`, () => {
    const yaml = `${booksapp}
apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata: {name: cluster-network, namespace: booksapp}
spec: {networks: [{cidr: 10.0.0.0/8}]}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: from-cluster, namespace: booksapp}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: authors-server}
  requiredAuthenticationRefs: [{name: cluster-network, kind: NetworkAuthentication, group: policy.linkerd.io}]
`;
    expect(judge(yaml, plain('booksapp', 'x'), 'booksapp', 'authors', 7001)).toMatchObject({ verdict: 'depends', policy: { name: 'from-cluster' } });
  });

  it('an AuthorizationPolicy whose authentication does not exist authorizes nobody, and is named as a problem', () => {
    const yaml = `${booksapp}
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: dangling, namespace: booksapp}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: authors-server}
  requiredAuthenticationRefs: [{name: nope, kind: MeshTLSAuthentication, group: policy.linkerd.io}]
`;
    expect(judge(yaml, meshed('booksapp', 'webapp'), 'booksapp', 'authors', 7001).verdict).toBe('denied');
    const ctx = ctxOf(yaml);
    expect(meshModel(ctx.snapshot, ctx.config).linkerd.policy.problems).toEqual([{ ref: { kind: 'AuthorizationPolicy', namespace: 'booksapp', name: 'dangling' }, problem: 'MeshTLSAuthentication booksapp/nope does not exist' }]);
  });

  // The CRD (linkerd2 charts/linkerd-crds/templates/policy/authorization-policy.yaml) says of
  // requiredAuthenticationRefs: "ALL authentications must be satisfied for the authorization to
  // apply", and sets no minItems; the admission webhook accepts an empty list
  // (policy-test/tests/admit_authorization_policy.rs accepts_empty_required_authentications) and
  // refuses a missing one (rejects_missing_required_authentications). With none, the policy
  // controller requires nothing (policy-controller/k8s/index/src/inbound/index.rs
  // policy_client_authz: "If MTLS identities are configured, use them. Otherwise, do not require
  // authentication." and "If networks are configured, use them. Otherwise, this applies to all
  // networks."), and policy-test/tests/inbound_api_external_workload.rs sees such a policy served as
  // Permit::Unauthenticated. All read at https://github.com/linkerd/linkerd2 commit b24cd4059841.
  it('an AuthorizationPolicy with requiredAuthenticationRefs: [] admits every client, plaintext too (was: nobody, the opposite of Linkerd)', () => {
    // The reviewer's case: people write this as a deny-all.
    const yaml = `${booksapp}
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: deny-all, namespace: booksapp}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: authors-server}
  requiredAuthenticationRefs: []
`;
    for (const caller of [plain('other', 'client'), meshed('booksapp', 'webapp'), external]) {
      expect(judge(yaml, caller, 'booksapp', 'authors', 7001), JSON.stringify(caller)).toMatchObject({ verdict: 'allowed', policy: { kind: 'AuthorizationPolicy', name: 'deny-all' } });
    }
    const ctx = ctxOf(yaml);
    const model = meshModel(ctx.snapshot, ctx.config);
    expect(model.linkerd.policy.problems).toEqual([]);
    expect(model.linkerd.policy.authorizations.get('booksapp')?.[0]).toMatchObject({ anyCaller: true, anyIdentity: true });

    // Without the field the API server refuses the policy: it authorizes nobody, and is named as a problem.
    const missing = yaml.replace('  requiredAuthenticationRefs: []\n', '');
    expect(judge(missing, meshed('booksapp', 'webapp'), 'booksapp', 'authors', 7001)).toMatchObject({ verdict: 'denied', policy: { kind: 'Server' } });
    const mctx = ctxOf(missing);
    expect(meshModel(mctx.snapshot, mctx.config).linkerd.policy.problems).toEqual([{ ref: { kind: 'AuthorizationPolicy', namespace: 'booksapp', name: 'deny-all' }, problem: 'requiredAuthenticationRefs is missing; the API server refuses such a policy' }]);
  });

  // authorization_policy.rs target/authentication_ref keep a reference only when targets_kind
  // matches (policy.rs: group and kind ignoring ASCII case, an absent group read as "core"); any
  // other makes Spec::try_from fail, and index.rs drops the whole policy ("Invalid authorization policy").
  it('an AuthorizationPolicy reference without its API group names nothing: the policy authorizes nobody, and is named as a problem', () => {
    const policy = (targetRef: string, authn: string) => `${booksapp}
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: authors-policy, namespace: booksapp}
spec:
  targetRef: ${targetRef}
  requiredAuthenticationRefs: [${authn}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: webapp, namespace: booksapp}
spec:
  identities: ["webapp.booksapp.serviceaccount.identity.linkerd.cluster.local"]
`;
    const server = '{group: policy.linkerd.io, kind: Server, name: authors-server}';
    const sa = '{name: webapp, kind: ServiceAccount}';
    const cases: Array<[string, string, string]> = [
      ['{kind: Server, name: authors-server}', sa, 'targetRef {"kind":"Server","name":"authors-server"} is not a Server, HTTPRoute, GRPCRoute or Namespace'],
      ['{kind: HTTPRoute, name: authors-get-route}', sa, 'targetRef {"kind":"HTTPRoute","name":"authors-get-route"} is not a Server, HTTPRoute, GRPCRoute or Namespace'],
      ['{group: policy.linkerd.io, kind: Namespace, name: booksapp}', sa, 'targetRef {"group":"policy.linkerd.io","kind":"Namespace","name":"booksapp"} is not a Server, HTTPRoute, GRPCRoute or Namespace'],
      [server, '{name: webapp, kind: MeshTLSAuthentication}', 'requiredAuthenticationRefs entry {"name":"webapp","kind":"MeshTLSAuthentication"} is not a MeshTLSAuthentication, NetworkAuthentication or ServiceAccount'],
      [server, '{name: webapp, kind: ServiceAccount, group: policy.linkerd.io}', 'requiredAuthenticationRefs entry {"name":"webapp","kind":"ServiceAccount","group":"policy.linkerd.io"} is not a MeshTLSAuthentication, NetworkAuthentication or ServiceAccount'],
    ];
    for (const [targetRef, authn, problem] of cases) {
      const yaml = policy(targetRef, authn);
      expect(judge(yaml, meshed('booksapp', 'webapp'), 'booksapp', 'authors', 7001), targetRef + authn).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'authors-server' } });
      const ctx = ctxOf(yaml);
      expect(meshModel(ctx.snapshot, ctx.config).linkerd.policy.problems, targetRef + authn).toEqual([{ ref: { kind: 'AuthorizationPolicy', namespace: 'booksapp', name: 'authors-policy' }, problem }]);
    }
    // So does a MeshTLSAuthentication's identityRef (meshtls_authentication.rs).
    const mtls = `${policy(server, '{name: by-ref, kind: MeshTLSAuthentication, group: policy.linkerd.io}')}---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: by-ref, namespace: booksapp}
spec:
  identityRefs: [{kind: ServiceAccount, name: webapp, group: policy.linkerd.io}]
`;
    expect(judge(mtls, meshed('booksapp', 'webapp'), 'booksapp', 'authors', 7001)).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'authors-server' } });
    expect(judge(mtls.replace('name: webapp, group: policy.linkerd.io', 'name: webapp'), meshed('booksapp', 'webapp'), 'booksapp', 'authors', 7001)).toMatchObject({ verdict: 'allowed', policy: { kind: 'AuthorizationPolicy' } });
    // With their groups (compared ignoring case; "core" or none for Namespace and ServiceAccount) they authorize.
    for (const [targetRef, authn] of [[server, sa], ['{group: Policy.Linkerd.io, kind: server, name: authors-server}', '{name: webapp, kind: meshTLSAuthentication, group: policy.linkerd.io}'], ['{group: core, kind: Namespace, name: booksapp}', '{name: webapp, kind: ServiceAccount, group: ""}']]) {
      expect(judge(policy(targetRef, authn), meshed('booksapp', 'webapp'), 'booksapp', 'authors', 7001), targetRef + authn).toMatchObject({ verdict: 'allowed', policy: { kind: 'AuthorizationPolicy', name: 'authors-policy' } });
    }
  });

  // meshtls_authentication.rs collects identities and identityRefs as one Result: one ref of another
  // kind fails the Spec, index.rs leaves the authentication out ("Invalid MeshTLSAuthentication"),
  // and a policy requiring it authorizes nobody.
  it('a MeshTLSAuthentication with one identityRef Linkerd does not accept authorizes nobody, its other identities neither', () => {
    const yaml = (refs: string) => `${booksapp}
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: authors-policy, namespace: booksapp}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: authors-server}
  requiredAuthenticationRefs: [{name: mixed, kind: MeshTLSAuthentication, group: policy.linkerd.io}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: mixed, namespace: booksapp}
spec:
  identities: ["*"]
${refs}
`;
    const mixed = yaml('  identityRefs: [{kind: Pod, name: webapp}]');
    expect(judge(mixed, meshed('booksapp', 'webapp'), 'booksapp', 'authors', 7001)).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'authors-server' } });
    const ctx = ctxOf(mixed);
    expect(meshModel(ctx.snapshot, ctx.config).linkerd.policy.problems.map((p) => p.problem)).toEqual(['MeshTLSAuthentication booksapp/mixed: identityRef {"kind":"Pod","name":"webapp"} is not a ServiceAccount or Namespace, so Linkerd rejects the whole authentication']);
    expect(judge(yaml(''), meshed('booksapp', 'webapp'), 'booksapp', 'authors', 7001)).toMatchObject({ verdict: 'allowed', policy: { kind: 'AuthorizationPolicy' } });
  });

  // index.rs policy_client_authz: "policy must not include multiple MeshTLSAuthentications" (or
  // ServiceAccounts, or NetworkAuthentications); the policy is then ignored ("Illegal AuthorizationPolicy").
  it('an AuthorizationPolicy requiring two identity authentications, or two network ones, authorizes nobody, and is named as a problem', () => {
    const yaml = (refs: string) => `${booksapp}
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: authors-policy, namespace: booksapp}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: authors-server}
  requiredAuthenticationRefs: [${refs}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: anyone-meshed, namespace: booksapp}
spec:
  identities: ["*"]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata: {name: everyone, namespace: booksapp}
spec:
  networks: [{cidr: 0.0.0.0/0}, {cidr: "::/0"}]
`;
    const sa = '{name: webapp, kind: ServiceAccount}';
    const mtls = '{name: anyone-meshed, kind: MeshTLSAuthentication, group: policy.linkerd.io}';
    const net = '{name: everyone, kind: NetworkAuthentication, group: policy.linkerd.io}';
    const identities = 'requiredAuthenticationRefs names more than one MeshTLSAuthentication or ServiceAccount; Linkerd ignores such a policy';
    const networks = 'requiredAuthenticationRefs names more than one NetworkAuthentication; Linkerd ignores such a policy';
    for (const [refs, problem] of [[`${sa}, ${sa}`, identities], [`${mtls}, ${sa}`, identities], [`${net}, ${net}`, networks]]) {
      expect(judge(yaml(refs), meshed('booksapp', 'webapp'), 'booksapp', 'authors', 7001), refs).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'authors-server' } });
      const ctx = ctxOf(yaml(refs));
      expect(meshModel(ctx.snapshot, ctx.config).linkerd.policy.problems.map((p) => p.problem), refs).toEqual([problem]);
    }
    // One of each is the policy Linkerd takes: both must admit the caller.
    expect(judge(yaml(`${mtls}, ${net}`), meshed('booksapp', 'webapp'), 'booksapp', 'authors', 7001)).toMatchObject({ verdict: 'allowed', policy: { kind: 'AuthorizationPolicy' } });
  });

  // meshtls_authentication.rs turns a ServiceAccount identityRef into IdentityMatch::Exact of
  // service_account_identity(ns, name); grpc/src/inbound.rs sends it to the proxy as an exact name.
  it('a MeshTLSAuthentication identityRef ServiceAccount "*" is no wildcard: it admits no service account, and is named as a problem', () => {
    const yaml = (refs: string) => `${booksapp}
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: authors-policy, namespace: booksapp}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: authors-server}
  requiredAuthenticationRefs: [{name: refs, kind: MeshTLSAuthentication, group: policy.linkerd.io}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: refs, namespace: booksapp}
spec:
  identityRefs: [${refs}]
`;
    const star = yaml('{kind: ServiceAccount, name: "*"}');
    expect(judge(star, meshed('booksapp', 'webapp'), 'booksapp', 'authors', 7001)).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'authors-server' } });
    const ctx = ctxOf(star);
    expect(meshModel(ctx.snapshot, ctx.config).linkerd.policy.problems.map((p) => p.problem)).toEqual(['MeshTLSAuthentication booksapp/refs: identityRef ServiceAccount "*" is no wildcard; Linkerd matches that exact name, which no service account has']);
    // Beside a real one, only that one is admitted; every service account of a namespace is a Namespace ref.
    const both = yaml('{kind: ServiceAccount, name: "*"}, {kind: ServiceAccount, name: books}');
    expect(judge(both, meshed('booksapp', 'webapp'), 'booksapp', 'authors', 7001).verdict).toBe('denied');
    expect(judge(both, meshed('booksapp', 'books'), 'booksapp', 'authors', 7001).verdict).toBe('allowed');
    expect(judge(yaml('{kind: Namespace, name: booksapp}'), meshed('booksapp', 'webapp'), 'booksapp', 'authors', 7001).verdict).toBe('allowed');
  });

  it('a workload without a linkerd-proxy is not restricted by Linkerd', () => {
    const yaml = `apiVersion: v1
kind: Namespace
metadata: {name: plain}
---${app('plain', 'web', 'web', [8080])}`;
    expect(judge(yaml, plain('x', 'y'), 'plain', 'web', 8080)).toMatchObject({ mesh: 'none', verdict: 'allowed' });
  });

  it(`a port in config.linkerd.io/skip-inbound-ports bypasses the proxy, and so its policy (${REF})`, () => {
    const yaml = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations: {linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: deny, config.linkerd.io/skip-inbound-ports: "3306,4000-4100"}
---${app('shop', 'db', 'db', [3306, 4050, 5000])}`;
    expect(judge(yaml, external, 'shop', 'db', 3306)).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(judge(yaml, external, 'shop', 'db', 4050).reason).toMatch(/skipped by the linkerd-proxy \(namespace shop annotation config\.linkerd\.io\/skip-inbound-ports\)/);
    expect(judge(yaml, meshed('shop', 'web'), 'shop', 'db', 5000).verdict).toBe('denied');
  });

  // linkerd2 policy-controller/k8s/index/src/inbound/index.rs (Pod::reindex_servers): Servers sorted
  // by creation time then name; a later one on an already matched port is skipped.
  it('of two Servers on one port the oldest decides, not the first by name (fixture mtls.authz-missing/fail.linkerd-oldest-server)', () => {
    const yaml = readFileSync(new URL('../../fixtures/checks/mtls.authz-missing/fail.linkerd-oldest-server.yaml', import.meta.url), 'utf8');
    const v = judge(yaml, plain('other', 'rogue'), 'shop', 'api', 8080);
    expect(v).toMatchObject({ verdict: 'allowed', plaintext: true, policy: { kind: 'Server', name: 'b-legacy' } });
    expect(v.reason).toMatch(/Server b-legacy is the oldest selecting port 8080, so Linkerd skips a-locked there/);
  });

  it('without creationTimestamps (manifests) the name decides, and the answer says the order is assumed', () => {
    const yaml = readFileSync(new URL('../../fixtures/checks/mtls.authz-missing/fail.linkerd-oldest-server.yaml', import.meta.url), 'utf8').replace(/, creationTimestamp: "[^"]*"/g, '');
    const v = judge(yaml, plain('other', 'rogue'), 'shop', 'api', 8080);
    expect(v).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'a-locked' } });
    expect(v.reason).toMatch(/Servers a-locked, b-legacy select the same port and have no creationTimestamp: the oldest wins, so a-locked \(first by name\) is assumed/);
  });

  // A route is keyed by group, kind and name (index.rs route_client_authzs, authorization_policy.rs
  // target); proxyProtocol picks which kind counts (policy-controller/grpc/src/inbound.rs to_server).
  const gatewayRoute = (extra: { serverSpec?: string; route?: string; policyTarget?: string }) => `${ns('shop')}
${app('shop', 'api', 'api', [8080], { app: 'api' })}
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: api-http, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  port: 8080
${extra.serverSpec ?? ''}
---
${extra.route ?? `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api-public, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: api-http}]`}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata: {name: everyone, namespace: shop}
spec:
  networks: [{cidr: 0.0.0.0/0}, {cidr: "::/0"}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: api-public, namespace: shop}
spec:
  targetRef: ${extra.policyTarget ?? '{group: gateway.networking.k8s.io, kind: HTTPRoute, name: api-public}'}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: NetworkAuthentication, name: everyone}]
`;

  it('a policy naming a route of another group does not authorize a same-named Gateway API HTTPRoute', () => {
    expect(judge(gatewayRoute({}), plain('other', 'rogue'), 'shop', 'api', 8080)).toMatchObject({ verdict: 'depends', policy: { name: 'api-public' } });
    const v = judge(gatewayRoute({ policyTarget: '{group: policy.linkerd.io, kind: HTTPRoute, name: api-public}' }), plain('other', 'rogue'), 'shop', 'api', 8080);
    expect(v).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'api-http' } });
    expect(v.reason).toMatch(/HTTPRoutes api-public are attached; none authorizes this client/);
  });

  it('a route whose Server parentRef names another namespace is refused by the policy controller and attaches to nothing (routes.rs InvalidParentRef)', () => {
    const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api-public, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: api-http, namespace: elsewhere}]`;
    const v = judge(gatewayRoute({ route }), plain('other', 'rogue'), 'shop', 'api', 8080);
    expect(v).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'api-http' } });
    expect(v.reason).not.toMatch(/HTTPRoutes/);
  });

  // routes.rs from_http_parent_ref keeps a parentRef only when it targets a Server
  // (policy.rs targets_kind: group and kind compared ignoring ASCII case, an absent or empty
  // group read as "core"); Gateway API defaults an absent parentRef group to gateway.networking.k8s.io.
  it('a route parentRef of kind Server without group policy.linkerd.io does not attach the route to the Server', () => {
    const route = (parentRef: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api-public, namespace: shop}
spec:
  parentRefs: [${parentRef}]`;
    for (const parentRef of ['{kind: Server, name: api-http}', '{group: "", kind: Server, name: api-http}', '{group: gateway.networking.k8s.io, kind: Server, name: api-http}']) {
      const v = judge(gatewayRoute({ route: route(parentRef) }), plain('other', 'rogue'), 'shop', 'api', 8080);
      expect(v, parentRef).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'api-http' } });
      expect(v.reason, parentRef).not.toMatch(/HTTPRoute/);
    }
    // Group and kind are compared ignoring case: this one attaches.
    expect(judge(gatewayRoute({ route: route('{group: Policy.Linkerd.IO, kind: server, name: api-http}') }), plain('other', 'rogue'), 'shop', 'api', 8080)).toMatchObject({ verdict: 'depends', policy: { name: 'api-public' } });
  });

  it('GRPCRoutes count on a gRPC Server only; HTTPRoutes do not count there', () => {
    const route = `apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: api-public, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: api-http}]`;
    const policyTarget = '{group: gateway.networking.k8s.io, kind: GRPCRoute, name: api-public}';
    const grpc = judge(gatewayRoute({ route, policyTarget, serverSpec: '  proxyProtocol: gRPC' }), plain('other', 'rogue'), 'shop', 'api', 8080);
    expect(grpc).toMatchObject({ verdict: 'depends', policy: { name: 'api-public' } });
    expect(grpc.reason).toMatch(/Server api-http has GRPCRoutes: .* may send requests matching api-public/);
    // The same GRPCRoute on a Server left to protocol detection is not sent to the proxy: the Server decides.
    expect(judge(gatewayRoute({ route, policyTarget }), plain('other', 'rogue'), 'shop', 'api', 8080)).toMatchObject({ verdict: 'denied', policy: { kind: 'Server' } });
    expect(judge(gatewayRoute({ serverSpec: '  proxyProtocol: gRPC' }), plain('other', 'rogue'), 'shop', 'api', 8080)).toMatchObject({ verdict: 'denied', policy: { kind: 'Server' } });
  });

  it('routes do not apply to an opaque or TLS Server: its own authorizations and accessPolicy decide each connection', () => {
    for (const protocol of ['opaque', 'TLS']) {
      const v = judge(gatewayRoute({ serverSpec: `  proxyProtocol: ${protocol}` }), plain('other', 'rogue'), 'shop', 'api', 8080);
      expect(v).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'api-http' } });
      expect(v.reason).toContain(`HTTPRoute api-public does not apply to a Server with proxyProtocol ${protocol}`);
    }
  });

  // The proxy appends the Server's authorizations to every route's (linkerd2-proxy
  // linkerd/proxy/server-policy/src/http.rs try_route, authz.rs mk_authorizations); the policy
  // controller sends them apart (index.rs client_authzs, route_client_authzs).
  it('a Server-targeted AuthorizationPolicy authorizes the requests of every route on that Server', () => {
    const v = judge(gatewayRoute({ policyTarget: '{group: policy.linkerd.io, kind: Server, name: api-http}' }), plain('other', 'rogue'), 'shop', 'api', 8080);
    expect(v).toMatchObject({ verdict: 'depends', policy: { kind: 'AuthorizationPolicy', name: 'api-public' } });
    expect(v.reason).toMatch(/may send requests matching api-public \(authorized by AuthorizationPolicy api-public\); requests matching no authorized route are refused/);
  });

  // routes.rs accepted_by_server: a route applies to a Server only with Linkerd's own status entry
  // for it holding Accepted "True" (controllerName linkerd.io/policy-controller, Status::collect_from_http).
  const withStatus = (controller: string, accepted: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api-public, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: api-http}]
status:
  parents:
  - parentRef: {group: policy.linkerd.io, kind: Server, name: api-http}
    controllerName: ${controller}
    conditions: [{type: Accepted, status: "${accepted}", reason: NoMatchingParent}]`;

  it('a route whose status says Linkerd has not accepted it for the Server is not applied: its authorizations admit no one there', () => {
    const v = judge(gatewayRoute({ route: withStatus('linkerd.io/policy-controller', 'False') }), plain('other', 'rogue'), 'shop', 'api', 8080);
    expect(v).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'api-http' } });
    expect(v.reason).toContain('HTTPRoute api-public is not applied: its status says Linkerd has not accepted it for Server api-http');
    // In manifests: accepted, or a status another controller wrote, or none: the route applies.
    expect(judge(gatewayRoute({ route: withStatus('linkerd.io/policy-controller', 'True') }), plain('other', 'rogue'), 'shop', 'api', 8080)).toMatchObject({ verdict: 'depends' });
    expect(judge(gatewayRoute({ route: withStatus('example.com/gateway', 'False') }), plain('other', 'rogue'), 'shop', 'api', 8080)).toMatchObject({ verdict: 'depends' });
  });

  // Status::from_http_parent_status keeps a status entry by controllerName and kind "Server" and
  // keys it by name alone: the group and namespace written in it are not compared.
  it('a status entry accepting the route for a same-named parent of another kind does not make it accepted for the Server', () => {
    const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api-public, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: api-http}]
status:
  parents:
  - parentRef: {group: gateway.networking.k8s.io, kind: Gateway, name: api-http}
    controllerName: linkerd.io/policy-controller
    conditions: [{type: Accepted, status: "True"}]
  - parentRef: {group: policy.linkerd.io, kind: Server, name: api-http, namespace: elsewhere}
    controllerName: linkerd.io/policy-controller
    conditions: [{type: Accepted, status: "False"}]`;
    const v = judge(gatewayRoute({ route }), plain('other', 'rogue'), 'shop', 'api', 8080);
    expect(v).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'api-http' } });
    expect(v.reason).toContain('HTTPRoute api-public is not applied: its status says Linkerd has not accepted it for Server api-http');
  });

  // What Linkerd's status controller writes for a Server parent (linkerd2
  // policy-controller/k8s/status/src/index.rs http_parent_status / grpc_parent_status, read at
  // b24cd4059841): one entry per Server, group policy.linkerd.io, its namespace, one Accepted condition.
  const LIVE = { source: 'live', origin: 'live' } as const;
  // Read from the cluster, a workload is judged by its pods: api's, with the proxy Linkerd injected
  // (and its ReplicaSet, which a live listing holds).
  const inCluster = (yaml: string) => `${yaml}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: api-5d8f7
  namespace: shop
  uid: u1
  labels: {app: api, pod-template-hash: 5d8f7}
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: api, controller: true}]
spec:
  selector: {matchLabels: {app: api, pod-template-hash: 5d8f7}}
  template:
    metadata: {labels: {app: api, pod-template-hash: 5d8f7}}
    spec: {serviceAccountName: api, containers: [{name: app, image: example/app:1}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: api-5d8f7-x2x9q
  namespace: shop
  labels: {app: api, pod-template-hash: 5d8f7}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: api-5d8f7, controller: true, uid: u1}]
spec:
  serviceAccountName: api
  containers:
  - {name: app, image: example/app:1, ports: [{containerPort: 8080}]}
  - {name: linkerd-proxy, image: cr.l5d.io/linkerd/proxy:edge-24.10.4}
`;
  const linkerdStatus = (server: string, accepted: 'True' | 'False', reason = accepted === 'True' ? 'Accepted' : 'RouteReasonConflicted') => `status:
  parents:
  - parentRef: {group: policy.linkerd.io, kind: Server, namespace: shop, name: ${server}}
    controllerName: linkerd.io/policy-controller
    conditions: [{type: Accepted, status: "${accepted}", reason: ${reason}, lastTransitionTime: "2026-11-30T00:00:00Z"}]`;
  const httpRoute = (status = '') => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api-public, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: api-http}]
${status}`;

  // Since stable-2.13.0 (linkerd2 3ae3890593fc "Consider HTTPRoute `status` in policy controller")
  // index.rs http_routes/grpc_routes keep only routes with accepted_by_server (routes.rs): a route
  // the status controller has not (yet) accepted for the Server is not sent to the proxy, which then
  // uses the default route, where the Server's own authorizations decide every request.
  it('read from the cluster, a route without Linkerd\'s Accepted status for the Server is not applied (was: taken as accepted)', () => {
    const v = judge(inCluster(gatewayRoute({ route: httpRoute() })), plain('other', 'rogue'), 'shop', 'api', 8080, LIVE);
    expect(v).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'api-http' } });
    expect(v.reason).toContain("HTTPRoute api-public is not applied: its status has no entry of Linkerd's policy controller accepting it for Server api-http");
    // A status only another controller wrote, or one accepting it for another Server, is no acceptance either.
    const other = httpRoute(linkerdStatus('api-http', 'True').replace('linkerd.io/policy-controller', 'example.com/gateway-controller'));
    expect(judge(inCluster(gatewayRoute({ route: other })), plain('other', 'rogue'), 'shop', 'api', 8080, LIVE)).toMatchObject({ verdict: 'denied', policy: { kind: 'Server' } });
    expect(judge(inCluster(gatewayRoute({ route: httpRoute(linkerdStatus('api-grpc', 'True')) })), plain('other', 'rogue'), 'shop', 'api', 8080, LIVE)).toMatchObject({ verdict: 'denied', policy: { kind: 'Server' } });
    // Accepted "True" from Linkerd: the route applies, and so does its AuthorizationPolicy.
    const accepted = judge(inCluster(gatewayRoute({ route: httpRoute(linkerdStatus('api-http', 'True')) })), plain('other', 'rogue'), 'shop', 'api', 8080, LIVE);
    expect(accepted).toMatchObject({ verdict: 'depends', policy: { kind: 'AuthorizationPolicy', name: 'api-public' } });
    expect(accepted.reason).not.toContain('not applied');
    // Only Accepted counts: a ResolvedRefs False (BackendNotFound), which Linkerd writes for Service
    // parents, not Server ones, leaves an accepted route applied (routes.rs from_http_parent_status).
    const unresolved = httpRoute(linkerdStatus('api-http', 'True')).replace('lastTransitionTime: "2026-11-30T00:00:00Z"}]', 'lastTransitionTime: "2026-11-30T00:00:00Z"}, {type: ResolvedRefs, status: "False", reason: BackendNotFound}]');
    expect(unresolved).toContain('BackendNotFound');
    expect(judge(inCluster(gatewayRoute({ route: unresolved })), plain('other', 'rogue'), 'shop', 'api', 8080, LIVE)).toMatchObject({ verdict: 'depends', policy: { kind: 'AuthorizationPolicy', name: 'api-public' } });
    // A snapshot file keeps the origin of its objects: read from the cluster, the same holds.
    expect(judge(inCluster(gatewayRoute({ route: httpRoute() })), plain('other', 'rogue'), 'shop', 'api', 8080, { source: 'snapshot', origin: 'live' })).toMatchObject({ verdict: 'denied', policy: { kind: 'Server' } });
  });

  it('read from the cluster, a GRPCRoute on a gRPC Server without Linkerd\'s Accepted status is not applied either', () => {
    const route = (status = '') => `apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: api-public, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: api-http}]
${status}`;
    const policyTarget = '{group: gateway.networking.k8s.io, kind: GRPCRoute, name: api-public}';
    const v = judge(inCluster(gatewayRoute({ route: route(), policyTarget, serverSpec: '  proxyProtocol: gRPC' })), plain('other', 'rogue'), 'shop', 'api', 8080, LIVE);
    expect(v).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'api-http' } });
    expect(v.reason).toContain("GRPCRoute api-public is not applied: its status has no entry of Linkerd's policy controller accepting it for Server api-http");
    expect(judge(inCluster(gatewayRoute({ route: route(linkerdStatus('api-http', 'True')), policyTarget, serverSpec: '  proxyProtocol: gRPC' })), plain('other', 'rogue'), 'shop', 'api', 8080, LIVE)).toMatchObject({ verdict: 'depends', policy: { name: 'api-public' } });
  });

  it('manifests carry no status: a route is taken as the status controller would take it, accepted (not left out for want of a status)', () => {
    for (const from of [undefined, { source: 'snapshot', origin: 'manifests' } as const]) {
      const v = judge(gatewayRoute({ route: httpRoute() }), plain('other', 'rogue'), 'shop', 'api', 8080, from);
      expect(v).toMatchObject({ verdict: 'depends', policy: { kind: 'AuthorizationPolicy', name: 'api-public' } });
      expect(v.reason).not.toContain('not applied');
    }
  });

  // status/src/index.rs parent_condition_server → route_conflicted (RouteReasonConflicted) when
  // parent_has_conflicting_routes: an HTTPRoute on a Server a GRPCRoute also names (GEP-1426 route
  // types, https://gateway-api.sigs.k8s.io/geps/gep-1426/#route-types; for Server parents since
  // linkerd2 4a07961a084a, version-2.16). The policy controller then leaves the HTTPRoute out.
  it('an HTTPRoute sharing its Server with a GRPCRoute is refused by Linkerd (RouteReasonConflicted): from the status in the cluster, foreseen in manifests', () => {
    const grpc = `apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: api-rpc, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: api-http}]`;
    const live = judge(inCluster(gatewayRoute({ route: httpRoute(linkerdStatus('api-http', 'False')) })), plain('other', 'rogue'), 'shop', 'api', 8080, LIVE);
    expect(live).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'api-http' } });
    expect(live.reason).toContain('HTTPRoute api-public is not applied: its status says Linkerd has not accepted it for Server api-http (RouteReasonConflicted)');
    const manifests = judge(gatewayRoute({ route: `${httpRoute()}\n---\n${grpc}` }), plain('other', 'rogue'), 'shop', 'api', 8080);
    expect(manifests).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'api-http' } });
    expect(manifests.reason).toContain("HTTPRoute api-public is not applied: GRPCRoute api-rpc also names Server api-http as parent, so Linkerd's status controller refuses it there (Accepted False, RouteReasonConflicted)");
    // A GRPCRoute on another Server conflicts with nothing here.
    const elsewhere = judge(gatewayRoute({ route: `${httpRoute()}\n---\n${grpc.replace('name: api-http}', 'name: api-grpc}')}` }), plain('other', 'rogue'), 'shop', 'api', 8080);
    expect(elsewhere).toMatchObject({ verdict: 'depends', policy: { name: 'api-public' } });
    // A status a manifest carries is what it says, even against the foreseen conflict.
    expect(judge(gatewayRoute({ route: `${httpRoute(linkerdStatus('api-http', 'True'))}\n---\n${grpc}` }), plain('other', 'rogue'), 'shop', 'api', 8080)).toMatchObject({ verdict: 'depends' });
  });

  it('a condition reason that is not a plain CamelCase word is not repeated in the answer', () => {
    const route = httpRoute(linkerdStatus('api-http', 'False', '"Bad; <b>reason</b>"'));
    const v = judge(inCluster(gatewayRoute({ route })), plain('other', 'rogue'), 'shop', 'api', 8080, LIVE);
    expect(v).toMatchObject({ verdict: 'denied', policy: { kind: 'Server' } });
    expect(v.reason).toMatch(/HTTPRoute api-public is not applied: its status says Linkerd has not accepted it for Server api-http$/);
    expect(v.reason).not.toMatch(/Bad|<b>/);
  });

  it('a Server whose accessPolicy admits the caller, with routes attached: only requests matching a route pass (was: allowed for every request)', () => {
    const v = judge(gatewayRoute({ serverSpec: '  accessPolicy: all-unauthenticated', policyTarget: '{group: gateway.networking.k8s.io, kind: HTTPRoute, name: elsewhere}' }), plain('other', 'rogue'), 'shop', 'api', 8080);
    expect(v).toMatchObject({ verdict: 'depends', policy: { kind: 'Server', name: 'api-http' } });
    expect(v.reason).toMatch(/^Server api-http has HTTPRoutes: plaintext client other\/rogue may send requests matching api-public \(authorized by the Server's accessPolicy all-unauthenticated\); requests matching no authorized route are refused/);
    // Without routes the accessPolicy admits every request.
    const noRoute = judge(gatewayRoute({ serverSpec: '  accessPolicy: all-unauthenticated', route: 'a: b' }), plain('other', 'rogue'), 'shop', 'api', 8080);
    expect(noRoute).toMatchObject({ verdict: 'allowed' });
  });
});
