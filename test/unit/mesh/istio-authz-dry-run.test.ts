// AuthorizationPolicies annotated istio.io/dry-run are logged, never enforced.
//
// Upstream (istio/istio at tag 1.30.0):
// - pilot/pkg/security/authz/builder/builder.go: isDryRun reads the annotation with
//   strconv.ParseBool ("1", "t", "TRUE", ... are true; anything else false), and build() puts a
//   dry-run ALLOW/DENY/AUDIT policy in `shadowRules`, which the RBAC filter logs but does not
//   enforce; a dry-run CUSTOM policy still calls ext_authz ("limitation: dry-run CUSTOM policies
//   still call ext_authz", buildHTTP).
// - https://istio.io/latest/docs/tasks/security/authorization/authz-dry-run/ ("the policy is not
//   enforced, only logged", since 1.10).
// - ambient without a waypoint: pilot/pkg/serviceregistry/kube/controller/ambient/authorization.go
//   convertAuthorizationPolicy reads no dry-run annotation at 1.28.0 (ztunnel enforces the policy)
//   and leaves a dry-run policy out from 1.29.0 unless AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY
//   (pilot/pkg/features/ambient.go at 1.29.0): which applies is not read, so it cannot be confirmed.
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import { ctxOf, deploymentYaml, fails, namespaceYaml, run, serviceYaml } from './helpers.ts';

const app = (namespace: string, name: string) => `${deploymentYaml(namespace, name, { serviceAccount: name, ports: [8080] })}${serviceYaml(namespace, name, [8080])}`;
const policy = (name: string, dryRun: string | undefined, action: string, rules: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ${name}
  namespace: shop
${dryRun === undefined ? '' : `  annotations: {istio.io/dry-run: "${dryRun}"}\n`}spec:
  selector: {matchLabels: {app: api}}
  action: ${action}
  rules: ${rules}
`;
const ONLY_WEB = '[{from: [{source: {principals: ["cluster.local/ns/shop/sa/web"]}}]}]';
const sidecar = (extra: string) => `${namespaceYaml('shop')}${namespaceYaml('other')}${app('shop', 'api')}${app('shop', 'web')}${app('other', 'client')}${extra}`;
const ambient = (extra: string) => `${namespaceYaml('shop', 'istio.io/dataplane-mode: ambient')}${namespaceYaml('other', 'istio.io/dataplane-mode: ambient')}${app('shop', 'api')}${app('shop', 'web')}${app('other', 'client')}${extra}`;
const verdict = (yaml: string) => {
  const ctx = ctxOf(yaml);
  return meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: 'other', name: 'client' }, { kind: 'Deployment', namespace: 'shop', name: 'api' }, 8080, 'TCP');
};
const authzMissing = mtlsChecks.find((c) => c.id === 'mtls.authz-missing')!;
const missingFor = (yaml: string, name: string) => fails(run(authzMissing, ctxOf(yaml))).filter((f) => f.resource.name === name);

describe('istio.io/dry-run AuthorizationPolicies (sidecar)', () => {
  it('a dry-run ALLOW naming another caller does not refuse the call (was: denied)', () => {
    const r = verdict(sidecar(policy('only-web', 'true', 'ALLOW', ONLY_WEB)));
    expect(r.verdict).toBe('allowed');
    expect(r.notes?.join(' ')).toContain('AuthorizationPolicy shop/only-web is dry-run (istio.io/dry-run): the sidecar of shop/api only logs');
  });

  it('a dry-run DENY rules: [{}] refuses nobody (was: denied)', () => {
    expect(verdict(sidecar(policy('deny-all', 'true', 'DENY', '[{}]'))).verdict).toBe('allowed');
  });

  it('reads the value as Go ParseBool does: "1", "t", "TRUE" are dry-run; "yes", "false" and " true" are enforced', () => {
    for (const v of ['1', 't', 'TRUE', 'True']) expect(verdict(sidecar(policy('deny-all', v, 'DENY', '[{}]'))).verdict, v).toBe('allowed');
    for (const v of ['yes', 'false', ' true', '']) expect(verdict(sidecar(policy('deny-all', v, 'DENY', '[{}]'))).verdict, v).toBe('denied');
  });

  it('the same policy without the annotation still decides', () => {
    expect(verdict(sidecar(policy('only-web', undefined, 'ALLOW', ONLY_WEB))).verdict).toBe('denied');
  });

  it('a dry-run CUSTOM policy still calls the external authorizer', () => {
    const y = sidecar(`${policy('ext', 'true', 'CUSTOM', '[{to: [{operation: {ports: ["8080"]}}]}]').replace('action: CUSTOM', 'action: CUSTOM\n  provider: {name: my-authz}')}`);
    const r = verdict(y);
    expect(r.verdict).toBe('depends');
    expect(r.reason).toContain('external authorizer my-authz');
  });

  it('mtls.authz-missing fails a workload whose only ALLOW is dry-run, saying so; the enforced one passes', () => {
    const f = missingFor(sidecar(policy('only-web', 'true', 'ALLOW', ONLY_WEB)), 'api');
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('AuthorizationPolicy shop/only-web is dry-run (istio.io/dry-run), which the sidecar only logs and never enforces');
    expect(missingFor(sidecar(policy('only-web', undefined, 'ALLOW', ONLY_WEB)), 'api')).toHaveLength(0);
  });
});

describe('istio.io/dry-run AuthorizationPolicies (ambient, no waypoint)', () => {
  it('whether ztunnel enforces a dry-run ALLOW cannot be confirmed: unknown, not allowed', () => {
    const r = verdict(ambient(policy('only-web', 'true', 'ALLOW', ONLY_WEB)));
    expect(r.verdict).toBe('unknown');
    expect(r.reason).toContain('AuthorizationPolicy shop/only-web is dry-run (istio.io/dry-run), and whether the ztunnel of shop/api enforces it cannot be confirmed');
    expect(r.reason).toContain('not enforced, ALLOWED');
    expect(r.reason).toContain('enforced, DENIED');
  });

  it('a dry-run ALLOW that admits the caller either way leaves the verdict, with a note', () => {
    const r = verdict(ambient(policy('any', 'true', 'ALLOW', '[{}]')));
    expect(r.verdict).toBe('allowed');
    expect(r.notes?.join(' ')).toContain('either way, the verdict is the same');
  });
});
