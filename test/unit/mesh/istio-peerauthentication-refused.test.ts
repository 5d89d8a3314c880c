// PeerAuthentications the API server refuses never take effect, and a mesh with no mesh-wide
// policy whose every workload is STRICT by its own policy is named without overstating it.
//
// The CRD (istio/istio manifests/charts/base/files/crd-all.gen.yaml, PeerAuthentication, since
// Istio 1.23): x-kubernetes-validations "portLevelMtls requires selector" and "port must be between
// 1-65535", and `mtls.mode` an enum of UNSET, DISABLE, PERMISSIVE, STRICT; before 1.23 istiod's
// validating webhook refused the same (pkg/config/validation/validation.go ValidatePeerAuthentication:
// "mesh/namespace peer authentication cannot have port level mTLS"). The reference page
// https://istio.io/latest/docs/reference/config/security/peer_authentication/ (portLevelMtls: "Port
// specific mutual TLS settings"; selector: "If not set, the policy will be applied to all workloads
// in the same namespace as the policy"). A workload that accepts plaintext on a port is not STRICT:
// "PERMISSIVE: Connection can be either plaintext or mTLS tunnel" applies per port under
// portLevelMtls ("Port specific mutual TLS settings").
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { meshModel } from '../../../src/analysis/mesh/model.ts';
import { resolveIstioMode } from '../../../src/analysis/mesh/istio.ts';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { ctxOf, deploymentYaml, fails, namespaceYaml, run, serviceYaml } from './helpers.ts';

const check = (id: string) => mtlsChecks.find((c) => c.id === id)!;
const app = (namespace: string, name: string) => `${deploymentYaml(namespace, name, { serviceAccount: name, ports: [8080] })}${serviceYaml(namespace, name, [8080])}`;
/** The reviewer's cluster: shop/{api,web} meshed, legacy/old outside the mesh, no mesh-wide PeerAuthentication. */
const CLUSTER = `${namespaceYaml('istio-system', 'team: istio')}${namespaceYaml('shop')}${app('shop', 'api')}${app('shop', 'web')}${namespaceYaml('legacy', 'team: legacy')}${deploymentYaml('legacy', 'old', { ports: [] })}`;
const shopDefault = (spec: string) => `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: ${spec}
---`;
const ref = (text: string) => { const [namespace, name] = text.split('/'); return { kind: 'Deployment', namespace, name }; };
const plaintext = (ctx: AuditContext) => meshFlowVerdict(ctx.snapshot, ctx.config, ref('legacy/old'), ref('shop/api'), 8080, 'TCP');
/** The same objects read from a cluster: stored, so an older CRD admitted them. */
const live = (ctx: AuditContext): AuditContext => { ctx.snapshot.source = 'live'; ctx.snapshot.origin = 'live'; return ctx; };

describe('PeerAuthentication the API server refuses', () => {
  const refused = `${CLUSTER}${shopDefault('{mtls: {mode: STRICT}, portLevelMtls: {"9090": {mode: PERMISSIVE}}}')}`;

  it('portLevelMtls without a selector: from manifests the policy would be refused, so shop stays PERMISSIVE and plaintext is ALLOWED (was: DENIED by it)', () => {
    const ctx = ctxOf(refused);
    expect(plaintext(ctx)).toMatchObject({ verdict: 'allowed', plaintext: true });
    const inv = fails(run(check('mtls.invalid-peerauthentication'), ctx));
    expect(inv.map((v) => v.resource.name)).toEqual(['default']);
    expect(inv[0].message).toBe('PeerAuthentication shop/default would be refused by the API server (spec.portLevelMtls without a workload selector (CRD rule "portLevelMtls requires selector")), so it is not in effect.');
    // mesh-not-strict counts shop's workloads as PERMISSIVE, high.
    const m = fails(run(check('mtls.mesh-not-strict'), ctx));
    expect(m).toHaveLength(1);
    expect(m[0].severity).toBeUndefined();
    expect(m[0].message).toContain('(2 of 2 do not)');
    // The same policy with a selector is valid and takes effect.
    const withSelector = ctxOf(refused.replace('spec: {mtls', 'spec: {selector: {matchLabels: {app: api}}, mtls'));
    expect(plaintext(withSelector)).toMatchObject({ verdict: 'denied' });
  });

  // An empty portLevelMtls: the CRD's `minProperties: 1`, and its CEL rule tests has(self.portLevelMtls),
  // true for {} too; istiod's webhook: "port level mTLS, if defined, must have at least one element"
  // (pkg/config/validation/validation.go; validation_test.go case "empty port level mtls", valid: false).
  it('an empty portLevelMtls is refused, with or without a selector: shop stays PERMISSIVE and plaintext is ALLOWED (was: DENIED, mesh-not-strict low "(0 of 2 do not)")', () => {
    const ctx = ctxOf(`${CLUSTER}${shopDefault('{mtls: {mode: STRICT}, portLevelMtls: {}}')}`);
    expect(plaintext(ctx)).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(fails(run(check('mtls.invalid-peerauthentication'), ctx)).map((v) => v.message)).toEqual([
      'PeerAuthentication shop/default would be refused by the API server (spec.portLevelMtls is empty (CRD minProperties: 1); spec.portLevelMtls without a workload selector (CRD rule "portLevelMtls requires selector")), so it is not in effect.',
    ]);
    const m = fails(run(check('mtls.mesh-not-strict'), ctx));
    expect(m[0].severity).toBeUndefined();
    expect(m[0].message).toContain('(2 of 2 do not)');

    const withSelector = ctxOf(`${CLUSTER}${shopDefault('{selector: {matchLabels: {app: api}}, mtls: {mode: STRICT}, portLevelMtls: {}}')}`);
    expect(plaintext(withSelector)).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(fails(run(check('mtls.invalid-peerauthentication'), withSelector)).map((v) => v.message)).toEqual([
      'PeerAuthentication shop/default would be refused by the API server (spec.portLevelMtls is empty (CRD minProperties: 1)), so it is not in effect.',
    ]);
  });

  it('an invalid mode is refused by the CRD enum: left out, not read as UNSET over an older namespace policy', () => {
    const ctx = ctxOf(`${CLUSTER}${shopDefault('{mtls: {mode: strict}}')}`);
    expect(meshModel(ctx.snapshot, ctx.config).istio.policies.namespaceWinner.get('shop')).toBeUndefined();
    expect(fails(run(check('mtls.invalid-peerauthentication'), ctx))[0].message).toContain('would be refused by the API server (spec.mtls.mode "strict" is not one of UNSET, DISABLE, PERMISSIVE, STRICT (the CRD\'s enum))');
  });

  it('a stored one got past an older CRD: Istio applies its mode and ignores portLevelMtls, and the finding says so', () => {
    const ctx = live(ctxOf(refused));
    // (Live workloads are judged by their pods' proxies, which these manifests have none of: the model is asked directly.)
    const winner = meshModel(ctx.snapshot, ctx.config).istio.policies.namespaceWinner.get('shop');
    expect(winner).toMatchObject({ mode: 'STRICT', name: 'default' });
    expect(winner!.ports.size).toBe(0);
    const msg = fails(run(check('mtls.invalid-peerauthentication'), ctx))[0].message;
    expect(msg).toContain('the API server refuses this since Istio 1.23');
    expect(msg).toContain('Istio applies its mode and ignores portLevelMtls');
  });
});

describe('mtls.mesh-not-strict without a mesh-wide policy', () => {
  it('every meshed workload STRICT by its namespace policy: low, worded as the UNSET case (was: high "meshed workloads accept plaintext (0 of 2 …)")', () => {
    const ctx = ctxOf(`${CLUSTER}${shopDefault('{mtls: {mode: STRICT}}')}`);
    const m = fails(run(check('mtls.mesh-not-strict'), ctx));
    expect(m).toHaveLength(1);
    expect(m[0].severity).toBe('low');
    expect(m[0].message).toBe('No mesh-wide PeerAuthentication in root namespace istio-system: Istio defaults to PERMISSIVE, so meshed workloads accept plaintext unless a namespace or workload policy says STRICT (0 of 2 do not).');
    // Nothing configured: the reference's FAIL, at the check's severity.
    const none = fails(run(check('mtls.mesh-not-strict'), ctxOf(CLUSTER)));
    expect(none[0].severity).toBeUndefined();
    expect(none[0].message).toContain('(2 of 2 do not)');
  });

  it('a port-level PERMISSIVE under STRICT workload and namespace policies accepts plaintext there: high, that workload counted (was: low "(0 of 2 do not)")', () => {
    const portPermissive = ctxOf(`${CLUSTER}${shopDefault('{mtls: {mode: STRICT}}')}
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: api, namespace: shop}
spec: {selector: {matchLabels: {app: api}}, mtls: {mode: STRICT}, portLevelMtls: {"8080": {mode: PERMISSIVE}}}
---`);
    expect(plaintext(portPermissive)).toMatchObject({ verdict: 'allowed', plaintext: true });
    const p = fails(run(check('mtls.mesh-not-strict'), portPermissive));
    expect(p[0].severity).toBeUndefined();
    expect(p[0].message).toContain('(1 of 2 do not)');
    expect(p[0].evidence).toMatchObject({ sampleNotStrict: ['Deployment shop/api: STRICT (port 8080 PERMISSIVE)'] });
  });
});

// The CRD's WorkloadSelector: matchLabels additionalProperties {type: string}, with CEL rules
// "wildcard not allowed in label key match" and "wildcard not allowed in label value match"
// (istio/istio manifests/charts/base/files/crd-all.gen.yaml). A malformed selector never makes
// the policy namespace-wide (the reference page: only "If not set" does the policy apply to all
// workloads in the namespace).
describe('a PeerAuthentication selector the CRD schema refuses', () => {
  const numeric = (extra = '') => `${CLUSTER}
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: payments-v2-strict, namespace: shop}
spec:
  selector: {matchLabels: {version: 2${extra}}}
  mtls: {mode: STRICT}
---`;
  it('a numeric label value: from manifests refused, one line naming the object and field; shop/api stays PERMISSIVE and a plaintext caller gets in (was: namespace-wide STRICT, DENIED)', () => {
    const ctx = ctxOf(numeric());
    expect(meshModel(ctx.snapshot, ctx.config).workloads.find((w) => w.workload.ref.name === 'api')!.istio).toMatchObject({ mode: 'PERMISSIVE' });
    expect(plaintext(ctx)).toMatchObject({ verdict: 'allowed', plaintext: true });
    const inv = fails(run(check('mtls.invalid-peerauthentication'), ctx));
    expect(inv.map((v) => v.message)).toEqual(['PeerAuthentication shop/payments-v2-strict would be refused by the API server (spec.selector.matchLabels.version is 2, not a string (the CRD schema refuses it; quote the value)), so it is not in effect.']);
    expect(fails(run(check('mtls.mesh-not-strict'), ctx))[0].message).toContain('(2 of 2 do not)');
  });

  it('stored (an older CRD admitted it): it selects no workload, never the namespace, and the finding says so', () => {
    const ctx = live(ctxOf(numeric()));
    // (Live workloads are judged by their pods' proxies, which these manifests have none of: the model is asked directly.)
    const idx = meshModel(ctx.snapshot, ctx.config).istio.policies;
    expect(idx.namespaceWinner.get('shop')).toBeUndefined();
    expect(idx.all.find((p) => p.name === 'payments-v2-strict')).toMatchObject({ scope: 'workload', selectsNothing: true });
    expect(resolveIstioMode(idx, 'shop', { app: 'api', version: '2' })).toMatchObject({ mode: 'PERMISSIVE', decidedBy: 'default' });
    const [inv] = fails(run(check('mtls.invalid-peerauthentication'), ctx));
    expect(inv.message).toContain('this stored one selects no workload (it never widens to namespace shop)');
  });

  it('matchLabels not a map, or a wildcard in a key or value, is refused from manifests', () => {
    for (const sel of ['{matchLabels: [version]}', '{matchLabels: {"app*": api}}', '{matchLabels: {app: "ap*"}}']) {
      const ctx = ctxOf(`${CLUSTER}
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: odd, namespace: shop}
spec: {selector: ${sel}, mtls: {mode: STRICT}}
---`);
      expect(fails(run(check('mtls.invalid-peerauthentication'), ctx)).map((v) => v.message), sel).toEqual([expect.stringMatching(/^PeerAuthentication shop\/odd would be refused by the API server \(spec\.selector/)]);
      expect(plaintext(ctx).verdict, sel).toBe('allowed');
    }
  });
});
