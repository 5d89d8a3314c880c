// Linkerd's cluster default inbound policy (linkerd-config proxy.defaultInboundPolicy) could not be
// read: a flow is judged once, and only the default's own verdict is taken again per value it may
// hold, and only when the default decided. A port a Server selects "is denied unless authorized"
// by its authorizations and accessPolicy, whatever the default
// (../shared/reference/checks.md §4.5; https://linkerd.io/2.16/reference/authorization-policy/#default-policies).
// Counted by the Server lookup every judgement starts with.
import { describe, expect, it, vi } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { ctxOf, deploymentYaml } from './helpers.ts';

const lookups = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../../src/analysis/mesh/linkerd.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src/analysis/mesh/linkerd.ts')>();
  return { ...actual, winningServer: (...args: Parameters<typeof actual.winningServer>) => { lookups.count++; return actual.winningServer(...args); } };
});

const dep = (name: string) => deploymentYaml('shop', name, { serviceAccount: name, ports: [5432, 8080] });
const cluster = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---
${dep('db')}
${dep('web')}
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: db-http, namespace: shop}
spec: {podSelector: {matchLabels: {app: db}}, port: 8080}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: db-from-web, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: db-http}
  requiredAuthenticationRefs: [{kind: ServiceAccount, name: web}]
---`;
const ref = (name: string) => ({ kind: 'Deployment', namespace: 'shop', name });

describe('Linkerd default inbound policy unread: each flow is judged once', () => {
  const unread = (): AuditContext => {
    const ctx = ctxOf(cluster);
    ctx.snapshot.coverage.configmaps = { status: 'forbidden', detail: 'get configmaps (denied for linkerd/linkerd-config)' };
    return ctx;
  };
  const judged = (ctx: AuditContext, port: number) => {
    lookups.count = 0;
    const v = meshFlowVerdict(ctx.snapshot, ctx.config, ref('web'), ref('db'), port, 'TCP');
    return { v, lookups: lookups.count };
  };

  it('a port a Server covers: its AuthorizationPolicy decides, the default is never consulted', () => {
    const { v, lookups: n } = judged(unread(), 8080);
    expect(v).toMatchObject({ mesh: 'linkerd', verdict: 'allowed', policy: { kind: 'AuthorizationPolicy', name: 'db-from-web' } });
    expect(n).toBe(1);
  });

  it('a port no Server covers: the default decides; its values disagree, so unknown, still one judgement', () => {
    const { v, lookups: n } = judged(unread(), 5432);
    expect(v).toMatchObject({ mesh: 'linkerd', verdict: 'unknown' });
    expect(v.reason).toContain('allowed if it is all-unauthenticated or all-authenticated or cluster-unauthenticated or cluster-authenticated or audit; denied if it is deny');
    expect(n).toBe(1);
  });
});
