// The meshes' mesh-wide settings live in ConfigMaps the collector reads by name: Linkerd's
// linkerd-config (proxy.defaultInboundPolicy, identityTrustDomain), Istio's mesh config
// (ConfigMap istio: rootNamespace, trustDomain), the Consul servers' configuration (ACL
// default_policy, default_intention_policy). When ConfigMaps could not be read (coverage
// forbidden or error), the upstream default cannot stand in for them: a mesh verdict that turns on
// one is `unknown` (which the network checks count as open), and a check judging one is not
// evaluated. Upstream facts, from the pages cited per case (and ../shared/reference/checks.md §4):
// - Linkerd: "the cluster-wide default policy ... set at install time with proxy.defaultInboundPolicy",
//   default all-unauthenticated; `deny` refuses every client not authorized
//   (https://linkerd.io/2.16/reference/authorization-policy/#default-policies, https://linkerd.io/2.16/features/server-policy/).
//   MeshTLSAuthentication identities are names ending in the trust domain
//   (https://linkerd.io/2.16/reference/authorization-policy/#meshtlsauthentication).
// - Istio: "rootNamespace: The namespace to treat as the administrative root namespace for Istio
//   configuration" and trustDomain, in MeshConfig (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/);
//   a policy in the root namespace applies to every workload of the mesh
//   (https://istio.io/latest/docs/reference/config/security/authorization-policy/).
// - Consul: intentions default to the ACL default policy, or default_intention_policy when set
//   (https://developer.hashicorp.com/consul/docs/connect/intentions).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_BY_ID } from '../../../checks/index.ts';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Config } from '../../../src/config/types.ts';
import type { ResourceRef } from '../../../src/base/vocabulary.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { writeSnapshot } from '../../../src/snapshot/io.ts';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { inputsOf } from '../../../src/cli/serve-watch.ts';
import { runDetails } from '../../../src/analysis/details.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { renderHtml } from '../../../src/report/html.ts';
import { CHECKS } from '../../../checks/index.ts';
import { ctxOf, deploymentYaml, run } from './helpers.ts';

const ref = (name: string): ResourceRef => ({ kind: 'Deployment', namespace: 'shop', name });
/** A meshable Deployment in `namespace` (shop), its own service account, listening on 5432. */
const dep = (name: string, annotations: Record<string, string> = {}, namespace = 'shop') => deploymentYaml(namespace, name, { annotations, serviceAccount: name, ports: [5432] });
const configMap = (namespace: string, name: string, key: string, value: string) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, namespace: ${namespace}}
data:
  ${key}: |
${value.split('\n').map((l) => `    ${l}`).join('\n')}
---`;

/** The same cluster read three ways: the ConfigMap there, absent (read, none), unreadable. */
function ways(withConfigMap: string, without: string, configure?: (c: Config) => void): Record<'present' | 'absent' | 'forbidden' | 'error', AuditContext> {
  const unread = (status: 'forbidden' | 'error') => {
    const ctx = ctxOf(without, configure);
    ctx.snapshot.coverage.configmaps = { status, detail: 'get configmaps (denied)' };
    return ctx;
  };
  return { present: ctxOf(withConfigMap, configure), absent: ctxOf(without, configure), forbidden: unread('forbidden'), error: unread('error') };
}

const verdict = (ctx: AuditContext, from: ResourceRef | 'external', to = ref('db')) => meshFlowVerdict(ctx.snapshot, ctx.config, from, to, 5432, 'TCP');
const check = (id: string) => CHECK_BY_ID.get(id)!;

describe('Linkerd: the cluster default inbound policy in linkerd-config', () => {
  const cluster = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---
${dep('db')}
${dep('web')}`;
  const denyDefault = `${configMap('linkerd', 'linkerd-config', 'values', 'proxy:\n  defaultInboundPolicy: deny\nproxyInit:\n  ignoreInboundPorts: "4567,4568"\n  ignoreOutboundPorts: "4567,4568"')}${cluster}`;

  it('read, the ConfigMap decides (deny), or its absence the install default (all-unauthenticated); unread, a call the default decides is unknown, naming the ConfigMap', () => {
    const c = ways(denyDefault, cluster);
    expect(verdict(c.present, ref('web'))).toMatchObject({ mesh: 'linkerd', verdict: 'denied' });
    expect(verdict(c.absent, ref('web'))).toMatchObject({ mesh: 'linkerd', verdict: 'allowed' });
    expect(verdict(c.absent, ref('web')).reason).toContain('default inbound policy all-unauthenticated (Linkerd install default)');
    for (const status of ['forbidden', 'error'] as const) {
      const v = verdict(c[status], ref('web'));
      expect(v, status).toMatchObject({ mesh: 'linkerd', verdict: 'unknown' });
      expect(v.reason).toContain(`Linkerd's cluster default inbound policy (proxy.defaultInboundPolicy), which ConfigMap linkerd/linkerd-config holds and could not be read (${status})`);
      expect(v.reason).toContain('allowed if it is all-unauthenticated or all-authenticated or cluster-unauthenticated or cluster-authenticated or audit; denied if it is deny');
      // From outside the cluster, only all-unauthenticated and audit let the call in.
      expect(verdict(c[status], 'external').reason).toContain('allowed if it is all-unauthenticated or audit; denied if it is all-authenticated or cluster-unauthenticated or cluster-authenticated or deny');
    }
  });

  it('unread, a namespace annotation or ztaudit\'s mesh.linkerdDefaultInboundPolicy still decides, and the source says the ConfigMap was not read', () => {
    const annotated = ways(denyDefault.replace('linkerd.io/inject: enabled', 'linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: all-authenticated'), cluster.replace('linkerd.io/inject: enabled', 'linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: all-authenticated'));
    expect(verdict(annotated.forbidden, ref('web'))).toMatchObject({ verdict: 'allowed' });
    expect(verdict(annotated.forbidden, 'external')).toMatchObject({ verdict: 'denied' });
    const stated = ways(denyDefault, cluster, (c) => { c.mesh.linkerdDefaultInboundPolicy = 'deny'; });
    const v = verdict(stated.forbidden, ref('web'));
    expect(v).toMatchObject({ verdict: 'denied' });
    expect(v.reason).toContain('default inbound policy deny (config mesh.linkerdDefaultInboundPolicy (ConfigMap linkerd/linkerd-config could not be read: forbidden))');
  });

  it('unread, a port covered by a Server does not turn on the default: its authorizations decide as before', () => {
    const server = `
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: db, namespace: shop}
spec: {podSelector: {matchLabels: {app: db}}, port: 5432}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: db-from-web, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: db}
  requiredAuthenticationRefs: [{kind: ServiceAccount, name: web}]
---
${dep('api')}`;
    const c = ways(`${denyDefault}${server}`, `${cluster}${server}`);
    for (const ctx of [c.present, c.forbidden]) {
      expect(verdict(ctx, ref('web'))).toMatchObject({ verdict: 'allowed', policy: { kind: 'AuthorizationPolicy', name: 'db-from-web' } });
      expect(verdict(ctx, ref('api'))).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'db' } });
    }
  });

  it('unread, identities written out in a trust domain (linkerd-config identityTrustDomain) may match: a refusal by them is unknown', () => {
    const authz = `
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: db, namespace: shop}
spec: {podSelector: {matchLabels: {app: db}}, port: 5432}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: shop-clients, namespace: shop}
spec: {identities: ["*.shop.serviceaccount.identity.linkerd.example.org"]}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: db-from-shop, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: db}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: shop-clients}]
---`;
    const c = ways(`${configMap('linkerd', 'linkerd-config', 'values', 'identityTrustDomain: example.org\nproxyInit:\n  ignoreInboundPorts: "4567,4568"\n  ignoreOutboundPorts: "4567,4568"')}${cluster}${authz}`, `${cluster}${authz}`);
    expect(verdict(c.present, ref('web'))).toMatchObject({ verdict: 'allowed', policy: { name: 'db-from-shop' } });
    // Read and absent: Linkerd's default trust domain cluster.local, which the identity does not end in.
    expect(verdict(c.absent, ref('web'))).toMatchObject({ verdict: 'denied' });
    const v = verdict(c.forbidden, ref('web'));
    expect(v).toMatchObject({ verdict: 'unknown' });
    expect(v.reason).toMatch(/^ConfigMap linkerd\/linkerd-config \(identityTrustDomain\) could not be read \(forbidden\), and MeshTLSAuthentication shop\/shop-clients names identities in a trust domain: whether they match the caller is unknown; with trust domain cluster.local assumed: denied/);
  });

  // The guard applies only where a written-out identity was consulted: identityRefs (a
  // ServiceAccount) are matched in whatever the trust domain is, and a MeshTLSAuthentication admits
  // only clients presenting a mesh identity, which a plaintext or outside caller has none of
  // (https://linkerd.io/2.16/reference/authorization-policy/#meshtlsauthentication).
  it('unread trust domain: a refusal by identityRefs only, beside an unrelated written-out identity elsewhere, stays known; so does a plaintext or outside caller\'s', () => {
    const authz = `
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: db, namespace: shop}
spec: {podSelector: {matchLabels: {app: db}}, port: 5432}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: api, namespace: shop}
spec: {identityRefs: [{kind: ServiceAccount, name: api}]}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: db-from-api, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: db}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: api}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: unrelated, namespace: other}
spec: {identities: ["*.other.serviceaccount.identity.linkerd.cluster.local"]}
---
apiVersion: v1
kind: Service
metadata: {name: db-public, namespace: shop}
spec: {type: LoadBalancer, selector: {app: db}, ports: [{port: 5432}]}
---
${dep('api')}`;
    const c = ways(`${cluster}${authz}`, `${cluster}${authz}`);
    expect(verdict(c.forbidden, ref('web'))).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'db' } });
    expect(verdict(c.forbidden, ref('api'))).toMatchObject({ verdict: 'allowed' });
    expect(verdict(c.forbidden, 'external')).toMatchObject({ verdict: 'denied', plaintext: true });
    expect(run(check('network.exposed-workload'), c.forbidden).find((v) => v.resource.name === 'db')).toMatchObject({ status: 'pass' });
    // The Server's own authorization writes the identity out: a meshed caller is unknown, a
    // plaintext one (web unmeshed) and an outside one are refused whatever the trust domain.
    const literal = authz.replace('spec: {identityRefs: [{kind: ServiceAccount, name: api}]}', 'spec: {identities: [api.shop.serviceaccount.identity.linkerd.cluster.local]}');
    const l = ways(`${cluster}${literal}`, `${cluster}${literal}`);
    expect(verdict(l.forbidden, ref('web'))).toMatchObject({ verdict: 'unknown' });
    expect(verdict(l.forbidden, ref('web')).reason).toContain('and MeshTLSAuthentication shop/api names identities in a trust domain');
    expect(verdict(l.forbidden, 'external')).toMatchObject({ verdict: 'denied', plaintext: true });
    const unmeshedWeb = `${cluster.replace(dep('web'), dep('web', { 'linkerd.io/inject': 'disabled' }))}${literal}`;
    const u = ways(unmeshedWeb, unmeshedWeb);
    expect(verdict(u.present, ref('web'))).toMatchObject({ verdict: 'denied', plaintext: true });
    expect(verdict(u.forbidden, ref('web'))).toMatchObject({ verdict: 'denied', plaintext: true });
  });

  it('checks that judge the cluster default are not evaluated when it could not be read, unless the config states it', () => {
    const c = ways(denyDefault, cluster);
    expect(runChecks([check('mtls.linkerd-unauthenticated-default')], c.present)[0].status).toBe('pass');
    expect(runChecks([check('mtls.linkerd-unauthenticated-default')], c.absent)[0].status).toBe('fail');
    for (const id of ['mtls.linkerd-unauthenticated-default', 'mtls.authz-missing']) {
      const [o] = runChecks([check(id)], c.forbidden);
      expect(o.status, id).toBe('not-evaluated');
      expect(o.reason, id).toBe("needs configmaps: forbidden (get configmaps (denied)) for Linkerd's cluster default inbound policy (ConfigMap linkerd/linkerd-config: proxy.defaultInboundPolicy)");
    }
    const stated = ways(denyDefault, cluster, (cfg) => { cfg.mesh.linkerdDefaultInboundPolicy = 'deny'; });
    const [o] = runChecks([check('mtls.linkerd-unauthenticated-default')], stated.forbidden);
    expect(o.status).toBe('pass');
    expect(run(check('mtls.linkerd-unauthenticated-default'), stated.forbidden)[0].evidence).toMatchObject({ policy: 'deny', source: 'config mesh.linkerdDefaultInboundPolicy (ConfigMap linkerd/linkerd-config could not be read: forbidden)' });
  });
});

describe('Istio: the mesh config (ConfigMap istio: rootNamespace, trustDomain)', () => {
  // The true root is mesh-root, whose selector-less ALLOW admits every request mesh-wide; read on
  // the default root (istio-system), only shop's own policy (admitting api alone) would apply.
  const cluster = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-all, namespace: mesh-root}
spec: {action: ALLOW, rules: [{}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db-from-api, namespace: shop}
spec: {selector: {matchLabels: {app: db}}, action: ALLOW, rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/api]}}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: db-public, namespace: shop}
spec: {type: LoadBalancer, selector: {app: db}, ports: [{port: 5432}]}
---
${dep('db')}
${dep('web')}`;
  const meshConfig = configMap('istio-system', 'istio', 'mesh', 'rootNamespace: mesh-root');

  it('read, the mesh-wide ALLOW of the named root admits the call; unread, the refusal on the default root is unknown, naming the ConfigMap', () => {
    const c = ways(`${meshConfig}${cluster}`, cluster);
    expect(verdict(c.present, ref('web'))).toMatchObject({ mesh: 'istio', verdict: 'allowed', policy: { namespace: 'mesh-root', name: 'allow-all' } });
    expect(verdict(c.absent, ref('web'))).toMatchObject({ mesh: 'istio', verdict: 'denied' });
    for (const status of ['forbidden', 'error'] as const) {
      const v = verdict(c[status], ref('web'));
      expect(v, status).toMatchObject({ mesh: 'istio', verdict: 'unknown' });
      expect(v.policy).toBeUndefined();
      expect(v.reason).toBe(`Istio's mesh config (ConfigMap istio-system/istio: rootNamespace, trustDomain) could not be read (${status}), and policies of another root namespace or principals of another trust domain may admit the call; with root namespace istio-system, trust domain cluster.local (Istio default): denied (no ALLOW AuthorizationPolicy matches principal cluster.local/ns/shop/sa/web on port 5432 (applying: shop/db-from-api))`);
    }
  });

  it('network.exposed-workload: unread, the mesh no longer hides the LoadBalancer exposure the true root allows', () => {
    const c = ways(`${meshConfig}${cluster}`, cluster);
    const exposure = (ctx: AuditContext) => run(check('network.exposed-workload'), ctx).find((v) => v.resource.name === 'db')!;
    expect(exposure(c.present)).toMatchObject({ status: 'fail' });
    // The ConfigMap read and absent: istio-system is the root, and the mesh refuses outside callers.
    expect(exposure(c.absent)).toMatchObject({ status: 'pass' });
    const unread = exposure(c.forbidden);
    expect(unread.status).toBe('fail');
    expect(unread.evidence).toMatchObject({ paths: [{ via: 'LoadBalancer', mesh: { verdict: 'unknown', reason: expect.stringContaining("Istio's mesh config (ConfigMap istio-system/istio: rootNamespace, trustDomain) could not be read (forbidden)") } }] });
    expect(runChecks([check('network.exposed-workload')], c.forbidden)[0].status).toBe('fail');
  });

  it('network.intent-violation: unread, an intent the mesh seemed to enforce on the default root is not reported as holding', () => {
    const intent = (cfg: Config) => { cfg.intent.deny = [{ name: 'web-never-db', from: { namespace: 'shop', podSelector: { app: 'web' } }, to: { namespace: 'shop', podSelector: { app: 'db' } }, ports: [5432] }]; };
    const c = ways(`${meshConfig}${cluster}`, cluster, intent);
    const judged = (ctx: AuditContext) => run(check('network.intent-violation'), ctx)[0];
    expect(judged(c.present)).toMatchObject({ status: 'fail' });
    expect(judged(c.absent)).toMatchObject({ status: 'pass', evidence: { enforcedBy: 'mesh' } });
    const unread = judged(c.forbidden);
    expect(unread).toMatchObject({ status: 'fail', evidence: { flows: [{ mesh: { mesh: 'istio', verdict: 'unknown' } }] } });
    expect(unread.evidence!.flows).toEqual([expect.objectContaining({ mesh: expect.objectContaining({ reason: expect.stringContaining('ConfigMap istio-system/istio') }) })]);
  });

  it('the network checks that consult mesh flows declare the ConfigMaps as an input they judge without (serve --watch re-judges them when one changes)', () => {
    for (const id of ['network.exposed-workload', 'network.intent-violation']) {
      expect(check(id).readsBestEffort, id).toContain('configmaps');
      expect(inputsOf(check(id)).has('configmaps'), id).toBe(true);
    }
  });

  it('reach: unread, the answer is UNKNOWN (exit 2), not DENIED', async () => {
    const c = ways(`${meshConfig}${cluster}`, cluster);
    const dir = mkdtempSync(join(tmpdir(), 'ztaudit-unread-mesh-'));
    const answer = async (ctx: AuditContext) => {
      const file = join(dir, `${Math.random()}.json.gz`);
      writeSnapshot(file, ctx.snapshot);
      const out: string[] = [];
      const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
      const code = await main(['reach', '--snapshot', file, '--from', 'shop/web', '--to', 'shop/db', '--port', '5432', '-o', 'json'], io);
      return { code, json: JSON.parse(out.join('')) };
    };
    expect(await answer(c.absent)).toMatchObject({ code: 1, json: { allowed: false, mesh: { verdict: 'denied' } } });
    const unread = await answer(c.forbidden);
    expect(unread).toMatchObject({ code: 2, json: { allowed: null, effective: 'unknown', mesh: { verdict: 'unknown' } } });
    expect(unread.json.mesh.reason).toContain('ConfigMap istio-system/istio');
  });
});

// PeerAuthentication precedence (https://istio.io/latest/docs/reference/config/security/peer_authentication/,
// ../shared/reference/checks.md §4.1, istio/istio ComposePeerAuthentication): a namespace-wide
// policy overrides the mesh-wide one of the root namespace; a selector policy in the root
// namespace is ignored. So a STRICT selector-less policy in the callee's own namespace refuses a
// plaintext caller whichever namespace is the root (were it the callee's, that policy would be the
// mesh-wide one); a workload-level one alone does not (the callee's namespace may be the root).
describe('Istio, mesh config unread: a plaintext caller refused by the STRICT mode of the callee\'s own namespace', () => {
  const cluster = (peer: string, ns = 'shop') => `
apiVersion: v1
kind: Namespace
metadata: {name: ${ns}, labels: {istio-injection: enabled}}
---
${peer}
apiVersion: v1
kind: Service
metadata: {name: db-public, namespace: ${ns}}
spec: {type: LoadBalancer, selector: {app: db}, ports: [{port: 5432}]}
---
${dep('db', {}, ns)}
${dep('web', { 'sidecar.istio.io/inject': 'false' }, ns)}
${dep('api', {}, ns)}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db-from-web, namespace: ${ns}}
spec: {selector: {matchLabels: {app: db}}, action: ALLOW, rules: [{from: [{source: {principals: [cluster.local/ns/${ns}/sa/web]}}]}]}
---`;
  const peer = (ns: string, selector = '') => `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: strict, namespace: ${ns}}
spec: {${selector}mtls: {mode: STRICT}}
---`;
  const exposure = (ctx: AuditContext) => run(check('network.exposed-workload'), ctx).find((v) => v.resource.name === 'db')!;

  it('namespace-wide STRICT in shop: the outside caller and the unmeshed one stay denied, and the LoadBalancer exposure is no finding', () => {
    const c = ways(cluster(peer('shop')), cluster(peer('shop')));
    for (const status of ['forbidden', 'error'] as const) {
      expect(verdict(c[status], 'external'), status).toMatchObject({ mesh: 'istio', verdict: 'denied', plaintext: true, policy: { kind: 'PeerAuthentication', namespace: 'shop', name: 'strict' } });
      expect(verdict(c[status], ref('web')), status).toMatchObject({ verdict: 'denied', plaintext: true });
      expect(verdict(c[status], ref('web')).reason).toBe('port 5432 of shop/db requires mTLS (PeerAuthentication shop/strict STRICT); the caller has no mesh proxy, so its plaintext connection is refused');
    }
    expect(exposure(c.absent)).toMatchObject({ status: 'pass' });
    expect(exposure(c.forbidden)).toMatchObject({ status: 'pass' });
    // A meshed caller refused by an ALLOW policy's principals still turns on the trust domain and root.
    expect(verdict(c.forbidden, ref('api'))).toMatchObject({ verdict: 'unknown' });
  });

  it('a workload-level STRICT alone, a STRICT only in the assumed root istio-system, or a callee in istio-system itself: the refusal is unknown', () => {
    const workload = ways(cluster(peer('shop', 'selector: {matchLabels: {app: db}}, ')), cluster(peer('shop', 'selector: {matchLabels: {app: db}}, ')));
    expect(verdict(workload.absent, 'external')).toMatchObject({ verdict: 'denied' });
    expect(verdict(workload.forbidden, 'external')).toMatchObject({ verdict: 'unknown' });
    expect(exposure(workload.forbidden)).toMatchObject({ status: 'fail' });
    const rootOnly = ways(cluster(peer('istio-system')), cluster(peer('istio-system')));
    expect(verdict(rootOnly.absent, 'external')).toMatchObject({ verdict: 'denied' });
    expect(verdict(rootOnly.forbidden, 'external')).toMatchObject({ verdict: 'unknown' });
    const inRoot = ways(cluster(peer('istio-system'), 'istio-system'), cluster(peer('istio-system'), 'istio-system'));
    const at = (ctx: AuditContext) => meshFlowVerdict(ctx.snapshot, ctx.config, 'external', { kind: 'Deployment', namespace: 'istio-system', name: 'db' }, 5432, 'TCP');
    expect(at(inRoot.absent)).toMatchObject({ verdict: 'denied' });
    expect(at(inRoot.forbidden)).toMatchObject({ verdict: 'unknown' });
  });
});

describe('Consul: the default intention in the servers\' ConfigMaps', () => {
  const cluster = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
${dep('db', { 'consul.hashicorp.com/connect-inject': 'true' })}
${dep('web', { 'consul.hashicorp.com/connect-inject': 'true' })}`;
  const aclDeny = configMap('consul', 'consul-server-config', 'acl-config.json', '{"acl": {"enabled": true, "default_policy": "deny"}}');

  it('read, ACLs deny by default; absent, the chart default allows; unread, a call no intention names is unknown, and the mTLS-only refusal of outside callers stands', () => {
    const c = ways(`${aclDeny}${cluster}`, cluster);
    expect(verdict(c.present, ref('web'))).toMatchObject({ mesh: 'consul', verdict: 'denied' });
    expect(verdict(c.absent, ref('web'))).toMatchObject({ mesh: 'consul', verdict: 'allowed' });
    const v = verdict(c.forbidden, ref('web'));
    expect(v).toMatchObject({ mesh: 'consul', verdict: 'unknown' });
    expect(v.reason).toContain("Consul's default intention (ACL default_policy, default_intention_policy), which ConfigMaps consul/consul-server-config and consul/consul-server-tmp-extra-config hold and could not be read (forbidden): allowed if it is allow; denied if it is deny");
    expect(verdict(c.forbidden, 'external')).toMatchObject({ verdict: 'denied' });
  });

  it('unread, mtls.authz-missing, which judges every Consul service by the default intention, is not evaluated', () => {
    const c = ways(`${aclDeny}${cluster}`, cluster);
    expect(runChecks([check('mtls.authz-missing')], c.present)[0].status).toBe('pass');
    expect(runChecks([check('mtls.authz-missing')], c.absent)[0].status).toBe('fail');
    const [o] = runChecks([check('mtls.authz-missing')], c.forbidden);
    expect(o).toMatchObject({ status: 'not-evaluated', reason: expect.stringContaining("for Consul's default intention (ConfigMaps consul/consul-server-config, consul/consul-server-tmp-extra-config") });
  });
});

describe('the report\'s mTLS posture', () => {
  // STRICT in istio-system is mesh-wide only when istio-system is the root; the mesh config names
  // mesh-root, which holds no PeerAuthentication, so shop's workloads are PERMISSIVE
  // (https://istio.io/latest/docs/reference/config/security/peer_authentication/).
  const cluster = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
${dep('db')}`;
  const at = new Date('2026-06-01T00:00:00Z');
  const report = (ctx: AuditContext) => auditSnapshot({ snapshot: ctx.snapshot, config: ctx.config, checks: CHECKS, now: at, startedAt: at, runId: 'run-1', details: runDetails }).report;

  it('unread, workloads are not shown with the modes of the assumed root namespace; the HTML says why', () => {
    const c = ways(`${configMap('istio-system', 'istio', 'mesh', 'rootNamespace: mesh-root')}${cluster}`, cluster);
    expect(report(c.present).details.mtls!.workloads).toEqual([expect.objectContaining({ mode: 'PERMISSIVE', posture: 'permissive' })]);
    expect(report(c.absent).details.mtls!.workloads).toEqual([expect.objectContaining({ mode: 'STRICT', posture: 'authenticated' })]);
    const unread = report(c.forbidden);
    expect(unread.details.mtls).toBeUndefined();
    expect(renderHtml(unread, {})).toContain('Some ConfigMaps could not be read (configmaps: forbidden): where they hold Istio');
  });
});

// The collector reads ConfigMaps one by name and marks the kind forbidden when any by-name read was
// refused, keeping the ones it read (src/collect/live.ts): an ingress controller's ConfigMap under a
// release name the chart does not grant is refused while the meshes' own are read. Only a setting
// whose own ConfigMap is missing is unknown.
describe('another ConfigMap refused: a mesh setting whose own ConfigMap was read stays known', () => {
  const refusedElsewhere = (yaml: string, configure?: (c: Config) => void) => {
    const ctx = ctxOf(yaml, configure);
    ctx.snapshot.coverage.configmaps = { status: 'forbidden', detail: 'get configmaps (denied for ingress-nginx/my-nginx-conf; ConfigMaps are granted by name: add my-nginx-conf to the Helm value rbac.extraConfigMapNames, or to resourceNames of your own role)' };
    return ctx;
  };
  const status = (id: string, ctx: AuditContext) => runChecks([check(id)], ctx)[0].status;

  it('Istio: istio-system/istio read, a refusal by shop\'s ALLOW policy stays denied; the LoadBalancer exposure the mesh refuses is no finding; the mTLS checks and posture stay', () => {
    const cluster = `${configMap('istio-system', 'istio', 'mesh', 'rootNamespace: istio-system\ntrustDomain: cluster.local')}
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db-from-api, namespace: shop}
spec: {selector: {matchLabels: {app: db}}, action: ALLOW, rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/api]}}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: db-public, namespace: shop}
spec: {type: LoadBalancer, selector: {app: db}, ports: [{port: 5432}]}
---
${dep('db')}
${dep('web')}`;
    const read = ctxOf(cluster);
    const elsewhere = refusedElsewhere(cluster);
    expect(verdict(read, ref('web'))).toMatchObject({ mesh: 'istio', verdict: 'denied' });
    expect(verdict(elsewhere, ref('web'))).toEqual(verdict(read, ref('web')));
    expect(verdict(elsewhere, 'external')).toMatchObject({ mesh: 'istio', verdict: 'denied' });
    expect(run(check('network.exposed-workload'), elsewhere).find((v) => v.resource.name === 'db')).toMatchObject({ status: 'pass' });
    for (const id of ['mtls.mesh-not-strict', 'mtls.authz-missing', 'mtls.permissive-override']) expect(status(id, elsewhere), id).toBe(status(id, read));
    expect(status('mtls.mesh-not-strict', elsewhere)).not.toBe('not-evaluated');
  });

  it('Istio: the report keeps the mTLS posture when only another ConfigMap was refused', () => {
    const cluster = `${configMap('istio-system', 'istio', 'mesh', 'rootNamespace: istio-system')}
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
${dep('db')}`;
    const at = new Date('2026-06-01T00:00:00Z');
    const ctx = refusedElsewhere(cluster);
    const r = auditSnapshot({ snapshot: ctx.snapshot, config: ctx.config, checks: CHECKS, now: at, startedAt: at, runId: 'run-1', details: runDetails }).report;
    expect(r.details.mtls?.workloads).toEqual([expect.objectContaining({ mode: 'PERMISSIVE' })]);
  });

  it('Linkerd: linkerd-config read (default deny, trust domain example.org), verdicts and the checks judging the default are as with every ConfigMap read', () => {
    const cluster = `${configMap('linkerd', 'linkerd-config', 'values', 'identityTrustDomain: example.org\nproxy:\n  defaultInboundPolicy: deny\nproxyInit:\n  ignoreInboundPorts: "4567,4568"\n  ignoreOutboundPorts: "4567,4568"')}
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---
${dep('db')}
${dep('web')}
${dep('api')}
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: db, namespace: shop}
spec: {podSelector: {matchLabels: {app: db}}, port: 5432}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: api, namespace: shop}
spec: {identities: [api.shop.serviceaccount.identity.linkerd.example.org]}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: db-from-api, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: db}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: api}]
---`;
    const read = ctxOf(cluster);
    const elsewhere = refusedElsewhere(cluster);
    expect(verdict(read, ref('web'))).toMatchObject({ mesh: 'linkerd', verdict: 'denied' });
    expect(verdict(read, ref('api'))).toMatchObject({ mesh: 'linkerd', verdict: 'allowed' });
    for (const from of [ref('web'), ref('api'), 'external' as const]) expect(verdict(elsewhere, from)).toEqual(verdict(read, from));
    // No Server covers api's port: the cluster default (deny, read) decides.
    const other = (ctx: AuditContext) => meshFlowVerdict(ctx.snapshot, ctx.config, ref('web'), ref('api'), 5432, 'TCP');
    expect(other(elsewhere)).toMatchObject({ verdict: 'denied' });
    for (const id of ['mtls.linkerd-unauthenticated-default', 'mtls.authz-missing']) {
      expect(status(id, elsewhere), id).not.toBe('not-evaluated');
      expect(status(id, elsewhere), id).toBe(status(id, read));
    }
  });

  it('Consul: both servers\' ConfigMaps read, the default intention (ACL deny) decides; one refused, the other read, it is unknown unless server.extraConfig (loaded last) sets default_intention_policy', () => {
    const cluster = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
${dep('db', { 'consul.hashicorp.com/connect-inject': 'true' })}
${dep('web', { 'consul.hashicorp.com/connect-inject': 'true' })}`;
    const aclDeny = configMap('consul', 'consul-server-config', 'acl-config.json', '{"acl": {"enabled": true, "default_policy": "deny"}}');
    const extra = (json: string) => configMap('consul', 'consul-server-tmp-extra-config', 'extra-from-values.json', json);
    const both = refusedElsewhere(`${aclDeny}${extra('{}')}${cluster}`);
    expect(verdict(both, ref('web'))).toMatchObject({ mesh: 'consul', verdict: 'denied' });
    expect(status('mtls.authz-missing', both)).toBe('pass');
    // consul-server-tmp-extra-config refused: server.extraConfig may set default_intention_policy allow.
    const serverOnly = refusedElsewhere(`${aclDeny}${cluster}`);
    const v = verdict(serverOnly, ref('web'));
    expect(v).toMatchObject({ mesh: 'consul', verdict: 'unknown' });
    expect(v.reason).toContain("Consul's default intention (ACL default_policy, default_intention_policy), which ConfigMap consul/consul-server-tmp-extra-config may set and could not be read (forbidden): allowed if it is allow; denied if it is deny");
    expect(runChecks([check('mtls.authz-missing')], serverOnly)[0]).toMatchObject({ status: 'not-evaluated', reason: expect.stringContaining("for Consul's default intention (ConfigMap consul/consul-server-tmp-extra-config: ACL default_policy, default_intention_policy)") });
    // Read with every ConfigMap readable, the missing extra config is really absent.
    expect(verdict(ctxOf(`${aclDeny}${cluster}`), ref('web'))).toMatchObject({ verdict: 'denied' });
    // server.extraConfig read and setting default_intention_policy: it has the last word.
    const extraDecides = refusedElsewhere(`${extra('{"default_intention_policy": "deny"}')}${cluster}`);
    expect(verdict(extraDecides, ref('web'))).toMatchObject({ verdict: 'denied', policy: { name: 'consul-server-tmp-extra-config' } });
  });
});
