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
import { ctxOf, run } from './helpers.ts';

const ref = (name: string): ResourceRef => ({ kind: 'Deployment', namespace: 'shop', name });
const dep = (name: string, annotations = '') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}, annotations: {${annotations}}}
    spec:
      serviceAccountName: ${name}
      containers: [{name: ${name}, image: example/${name}:1, ports: [{containerPort: 5432}]}]
---`;
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
  const denyDefault = `${configMap('linkerd', 'linkerd-config', 'values', 'proxy:\n  defaultInboundPolicy: deny')}${cluster}`;

  it('unread, a namespace annotation or ztaudit\'s mesh.linkerdDefaultInboundPolicy still decides, and the source says the ConfigMap was not read', () => {
    const annotated = ways(denyDefault.replace('linkerd.io/inject: enabled', 'linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: all-authenticated'), cluster.replace('linkerd.io/inject: enabled', 'linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: all-authenticated'));
    expect(verdict(annotated.forbidden, ref('web'))).toMatchObject({ verdict: 'allowed' });
    expect(verdict(annotated.forbidden, 'external')).toMatchObject({ verdict: 'denied' });
    const stated = ways(denyDefault, cluster, (c) => { c.mesh.linkerdDefaultInboundPolicy = 'deny'; });
    const v = verdict(stated.forbidden, ref('web'));
    expect(v).toMatchObject({ verdict: 'denied' });
    expect(v.reason).toContain('default inbound policy deny (config mesh.linkerdDefaultInboundPolicy (ConfigMap linkerd/linkerd-config could not be read: forbidden))');
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

describe('Consul: the default intention in the servers\' ConfigMaps', () => {
  const cluster = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
${dep('db', 'consul.hashicorp.com/connect-inject: "true"')}
${dep('web', 'consul.hashicorp.com/connect-inject: "true"')}`;
  const aclDeny = configMap('consul', 'consul-server-config', 'acl-config.json', '{"acl": {"enabled": true, "default_policy": "deny"}}');

  it('unread, mtls.authz-missing, which judges every Consul service by the default intention, is not evaluated', () => {
    const c = ways(`${aclDeny}${cluster}`, cluster);
    expect(runChecks([check('mtls.authz-missing')], c.present)[0].status).toBe('pass');
    expect(runChecks([check('mtls.authz-missing')], c.absent)[0].status).toBe('fail');
    const [o] = runChecks([check('mtls.authz-missing')], c.forbidden);
    expect(o).toMatchObject({ status: 'not-evaluated', reason: expect.stringContaining("for Consul's default intention (ConfigMaps consul/consul-server-config, consul/consul-server-tmp-extra-config") });
  });
});
