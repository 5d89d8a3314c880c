// AuthorizationPolicy `from.source.trustDomains` / `notTrustDomains` and `when` source.trustDomain
// as the istiod of each release reads them. Read at these tags of istio/istio:
// - 1.30.2 (commit 71500c473b8, "Support trustDomains and notTrustDomains in AuthorizationPolicy
//   source (#59358) (#60528)", between tags 1.30.1 and 1.30.2): pilot/pkg/security/authz/model/model.go
//   New builds attrSrcTrustDomain from `when` and from `s.TrustDomains, s.NotTrustDomains`;
//   pkg/config/validation/validation.go counts TrustDomains/NotTrustDomains in the "`from.source`
//   must not be empty" test; releasenotes/notes/add-trust-domains-to-authz-policy.yaml ("**Added**
//   `trustDomains` and `notTrustDomains` fields to the `Source` in `AuthorizationPolicy`") is
//   first present at 1.30.2 (and at 1.31.0-rc.0).
// - 1.30.0 and 1.30.1: the CRD (manifests/charts/base/files/crd-all.gen.yaml) already has the
//   fields, but model.go builds nothing from them and validation.go's emptiness test
//   (`len(src.Principals) == 0 && len(src.RequestPrincipals) == 0 && len(src.Namespaces) == 0 && ...`)
//   does not list them: a source with only trustDomains is "must not be empty", and beside other
//   fields they narrow nothing.
// So the first release is 1.30.2, not 1.31; and an image tagged `pilot:1.30` may be 1.30.0 or 1.30.5.
import { describe, expect, it } from 'vitest';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { ctxOf, deploymentYaml, namespaceYaml, run, serviceYaml } from './helpers.ts';

const istiod = (...versions: string[]) => `
apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    rootNamespace: istio-system
    trustDomain: cluster.local
---${versions.map((v, i) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: istiod${i ? `-${i}` : ''}, namespace: istio-system}
spec:
  selector: {matchLabels: {app: istiod}}
  template:
    metadata: {labels: {app: istiod, istio: pilot}}
    spec:
      containers: [{name: discovery, image: docker.io/istio/pilot:${v}, ports: [{containerPort: 15012}]}]
---`).join('')}`;

/** shop/api (8080) and web/front, meshed by sidecar, trust domain cluster.local. */
const APPS = `${namespaceYaml('shop')}${deploymentYaml('shop', 'api', { serviceAccount: 'api', ports: [8080] })}${serviceYaml('shop', 'api', [8080])}${namespaceYaml('web')}${deploymentYaml('web', 'front', { serviceAccount: 'front', ports: [] })}`;
const rootPolicy = (name: string, body: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: istio-system}
spec:
${body}
---`;
const call = (yaml: string) => {
  const ctx = ctxOf(yaml);
  return meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: 'web', name: 'front' }, { kind: 'Deployment', namespace: 'shop', name: 'api' }, 8080, 'TCP');
};

/** DENY web's callers unless they come from trust domain cluster.local: web/front (cluster.local) passes where notTrustDomains is built. */
const DENY_WEB_FOREIGN = rootPolicy('deny-foreign', '  action: DENY\n  rules: [{from: [{source: {namespaces: [web], notTrustDomains: [cluster.local]}}]}]');
/** DENY callers of trust domain cluster.local: a source with trustDomains alone. */
const DENY_TD = rootPolicy('deny-td', '  action: DENY\n  rules: [{from: [{source: {trustDomains: [cluster.local]}}]}]');

describe('from.source trustDomains/notTrustDomains as each istiod release builds them', () => {
  it('1.30.2 and 1.31.0 build notTrustDomains: web/front of cluster.local is not denied (unchanged)', () => {
    expect(call(`${istiod('1.30.2')}${APPS}${DENY_WEB_FOREIGN}`).verdict).toBe('allowed');
    expect(call(`${istiod('1.31.0')}${APPS}${DENY_WEB_FOREIGN}`).verdict).toBe('allowed');
  });

  it('1.30.1 ignores notTrustDomains: the source is namespaces [web] alone, and web/front is DENIED (was: allowed, as if 1.30.1 built it)', () => {
    const v = call(`${istiod('1.30.1')}${APPS}${DENY_WEB_FOREIGN}`);
    expect(v.verdict).toBe('denied');
    expect(v.reason).toContain('istio-system/deny-foreign');
  });

  it('1.30.1 finds a source with trustDomains alone empty and refuses the policy: nothing is denied; 1.30.2 denies', () => {
    expect(call(`${istiod('1.30.2')}${APPS}${DENY_TD}`).verdict).toBe('denied');
    const old = call(`${istiod('1.30.1')}${APPS}${DENY_TD}`);
    expect(old.verdict).toBe('allowed');
    expect(old.notes?.join('\n')).toContain('malformed AuthorizationPolicy istio-system/deny-td ignored');
  });

  it('an image tagged pilot:1.30 (no patch) may be before or after 1.30.2: UNKNOWN naming both readings, never a certain verdict', () => {
    for (const policy of [DENY_WEB_FOREIGN, DENY_TD]) {
      const v = call(`${istiod('1.30')}${APPS}${policy}`);
      expect(v.verdict).toBe('unknown');
      expect(v.reason).toContain("istiod's image names no patch release (Deployment istio-system/istiod (image docker.io/istio/pilot:1.30))");
      expect(v.reason).toContain('an earlier patch of Istio 1.30 reads AuthorizationPolicy');
      expect(v.reason).toContain('Istio 1.30 before 1.30.2 builds no rule from from.source trustDomains/notTrustDomains (istiod does from 1.30.2)');
    }
  });

  it('istiods at 1.30.1 and 1.30.2 side by side straddle the gate: UNKNOWN', () => {
    const v = call(`${istiod('1.30.1', '1.30.2')}${APPS}${DENY_WEB_FOREIGN}`);
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toContain('the istiods run different releases');
  });

  it('1.30 and 1.30.1 side by side: the tag without a patch may be 1.30.2 or later, so still UNKNOWN (was: both read as before 1.30.2)', () => {
    expect(call(`${istiod('1.30.1', '1.30')}${APPS}${DENY_WEB_FOREIGN}`).verdict).toBe('unknown');
  });

  it('mtls.authz-allow-any: `trustDomains: ["*"]` on pilot:1.30 is a finding that says it is not confirmed', () => {
    const open = rootPolicy('open-td', '  action: ALLOW\n  rules: [{from: [{source: {trustDomains: ["*"]}}]}]');
    const vs = run(mtlsChecks.find((c) => c.id === 'mtls.authz-allow-any')!, ctxOf(`${istiod('1.30')}${APPS}${open}`)).filter((v) => v.resource.name === 'open-td');
    expect(vs.map((v) => v.status)).toEqual(['fail']);
    expect(vs[0].message).toContain("not confirmed: istiod's image names no patch release");
  });
});

describe('`when` source.trustDomain on an image naming no patch', () => {
  it('pilot:1.30: UNKNOWN (was: taken as a release before 1.30.2 that skips the rule, so ALLOWED for certain)', () => {
    const deny = rootPolicy('deny-when', '  action: DENY\n  rules: [{when: [{key: source.trustDomain, values: ["cluster.local"]}]}]');
    expect(call(`${istiod('1.30.2')}${APPS}${deny}`).verdict).toBe('denied');
    expect(call(`${istiod('1.30.1')}${APPS}${deny}`).verdict).toBe('allowed');
    const v = call(`${istiod('1.30')}${APPS}${deny}`);
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toContain('Istio 1.30 accepts when key "source.trustDomain" but before 1.30.2 builds no rule with it');
  });
});
