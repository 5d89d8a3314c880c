// Envoy Gateway's ClientTrafficPolicy sets the TLS versions and ciphers a Gateway's listeners
// accept: envoyproxy/gateway api/v1alpha1/tls_types.go TLSSettings (minVersion: "The default is
// TLS 1.2 if this is not specified", enum "Auto", "1.0", "1.1", "1.2", "1.3"; ciphers: "the set
// of cipher suites supported when negotiating TLS 1.0 - 1.2"), attached through targetRefs (with an
// optional sectionName naming a listener) or targetSelectors
// (https://gateway.envoyproxy.io/docs/concepts/gateway_api_extensions/client-traffic-policy: "more
// specific rules taking precedence over general ones"). Conflicts follow
// internal/gatewayapi/clienttrafficpolicy.go ProcessClientTrafficPolicies: sorted by
// creationTimestamp, sectionName policies first, a later policy for a taken target is Conflicted
// ("another ClientTrafficPolicy has already attached to it").
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';

function ctx(yamlText: string): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}
const policyResults = (check: typeof legacyProtocolEnabled, yamlText: string): Verdict[] => [...check.evaluate(ctx(yamlText))].filter((r) => r.detailKey?.startsWith('clienttrafficpolicy/'));

const gateway = (controller = 'gateway.envoyproxy.io/gatewayclass-controller') => `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: ${controller}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: edge, labels: {tier: public}}
spec:
  gatewayClassName: eg
  listeners:
  - {name: https, protocol: HTTPS, port: 443, tls: {mode: Terminate, certificateRefs: [{name: a}]}}
  - {name: https-2, protocol: HTTPS, port: 8443, tls: {certificateRefs: [{name: b}]}}
  - {name: http, protocol: HTTP, port: 80}
`;
const policy = (name: string, created: string, target: string, tls: string, namespace = 'edge') => `
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ClientTrafficPolicy
metadata: {name: ${name}, namespace: ${namespace}, creationTimestamp: "${created}"}
spec:
  ${target}
  tls: ${tls}
`;
const whole = 'targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw}]';
const section = (s: string) => `targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw, sectionName: ${s}}]`;
const byListener = (rs: Verdict[]) => Object.fromEntries(rs.map((r) => [r.detailKey, r.status]));

describe('tls.legacy-protocol-enabled: Envoy Gateway ClientTrafficPolicy', () => {
  it('minVersion "1.0" on the whole Gateway fails each TLS listener, naming the policy', () => {
    const rs = policyResults(legacyProtocolEnabled, gateway() + policy('old-tls', '2026-01-01T00:00:00Z', whole, '{minVersion: "1.0", ciphers: [ECDHE-RSA-AES128-SHA]}'));
    expect(byListener(rs)).toEqual({ 'clienttrafficpolicy/https': 'fail', 'clienttrafficpolicy/https-2': 'fail' });
    expect(rs[0].resource).toEqual({ kind: 'Gateway', namespace: 'edge', name: 'gw' });
    expect(rs[0].message).toBe('Listener https takes its TLS settings from ClientTrafficPolicy edge/old-tls (the whole Gateway): minVersion "1.0", which accepts TLS 1.0 and 1.1 (its ciphers ECDHE-RSA-AES128-SHA work below TLS 1.2).');
  });

  it('minVersion "1.1" fails for TLS 1.1; no minVersion passes as TLS 1.2, Envoy Gateway\'s default', () => {
    expect(policyResults(legacyProtocolEnabled, gateway() + policy('p', '2026-01-01T00:00:00Z', whole, '{minVersion: "1.1", ciphers: [AES128-SHA]}'))[0].message).toContain('accepts TLS 1.1 (its ciphers AES128-SHA work below TLS 1.2).');
    const [r] = policyResults(legacyProtocolEnabled, gateway() + policy('p', '2026-01-01T00:00:00Z', whole, '{ciphers: [ECDHE-RSA-AES128-GCM-SHA256]}'));
    expect(r.status).toBe('pass');
    expect(r.message).toContain('no minVersion (Envoy Gateway\'s default, TLS 1.2), which requires TLS 1.2 or later');
  });

  it('a sectionName policy wins over a whole-Gateway one for its listener, even when younger', () => {
    const rs = policyResults(legacyProtocolEnabled, gateway() + policy('gateway-wide', '2026-01-01T00:00:00Z', whole, '{minVersion: "1.0"}') + policy('https-only', '2026-03-01T00:00:00Z', section('https'), '{minVersion: "1.2"}'));
    expect(byListener(rs)).toEqual({ 'clienttrafficpolicy/https': 'pass', 'clienttrafficpolicy/https-2': 'fail' });
    expect(rs.find((r) => r.detailKey === 'clienttrafficpolicy/https')!.message).toContain('ClientTrafficPolicy edge/https-only (sectionName https)');
  });

  it('of two policies for the same target the older wins; the younger is Conflicted', () => {
    const older12 = gateway() + policy('strict', '2026-01-01T00:00:00Z', whole, '{minVersion: "1.2"}') + policy('lax', '2026-02-01T00:00:00Z', whole, '{minVersion: "1.0"}');
    expect(new Set(policyResults(legacyProtocolEnabled, older12).map((r) => r.status))).toEqual(new Set(['pass']));
    const older10 = gateway() + policy('strict', '2026-02-01T00:00:00Z', whole, '{minVersion: "1.2"}') + policy('lax', '2026-01-01T00:00:00Z', whole, '{minVersion: "1.0"}');
    expect(new Set(policyResults(legacyProtocolEnabled, older10).map((r) => r.status))).toEqual(new Set(['fail']));
  });

  it('targetSelectors select Gateways of the policy\'s namespace by label', () => {
    const sel = (labels: string) => `targetSelectors: [{group: gateway.networking.k8s.io, kind: Gateway, matchLabels: ${labels}}]`;
    expect(policyResults(legacyProtocolEnabled, gateway() + policy('p', '2026-01-01T00:00:00Z', sel('{tier: public}'), '{minVersion: "1.0"}')).map((r) => r.status)).toEqual(['fail', 'fail']);
    expect(policyResults(legacyProtocolEnabled, gateway() + policy('p', '2026-01-01T00:00:00Z', sel('{tier: internal}'), '{minVersion: "1.0"}'))).toEqual([]);
  });

  // envoyproxy/gateway internal/gatewayapi/listenerset.go appends a ListenerSet's listeners to its
  // Gateway's; clienttrafficpolicy.go (v1.9) applies a whole-Gateway policy to them, a policy
  // targeting the ListenerSet (kind ListenerSet) first, and its sectionName to the ListenerSet's
  // listener (listenersBelongToLS; testdata clienttrafficpolicy-listenerset-wide-beats-gateway-wide,
  // clienttrafficpolicy-gateway-listenerset-same-listener-name-sectionname).
  const listenerSet = `
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: edge}
spec:
  parentRef: {name: gw}
  listeners: [{name: https, protocol: HTTPS, port: 9443, hostname: t.example.com, tls: {certificateRefs: [{name: t}]}}]
`;
  const allowing = () => gateway().replace('  gatewayClassName: eg\n', '  gatewayClassName: eg\n  allowedListeners: {namespaces: {from: Same}}\n') + listenerSet;
  const toSet = (s?: string) => `targetRefs: [{group: gateway.networking.k8s.io, kind: ListenerSet, name: team${s ? `, sectionName: ${s}` : ''}}]`;
  it('a ListenerSet\'s HTTPS listener takes a whole-Gateway policy, before it a policy on the ListenerSet; a Gateway sectionName names the Gateway\'s own listener of that name first', () => {
    const lsKey = 'clienttrafficpolicy/https (ListenerSet edge/team)';
    const wide = policyResults(legacyProtocolEnabled, allowing() + policy('old-tls', '2026-01-01T00:00:00Z', whole, '{minVersion: "1.0", ciphers: [ECDHE-RSA-AES128-SHA]}'));
    expect(byListener(wide)).toEqual({ 'clienttrafficpolicy/https': 'fail', 'clienttrafficpolicy/https-2': 'fail', [lsKey]: 'fail' });
    expect(wide.find((r) => r.detailKey === lsKey)!.message).toBe('Listener https (ListenerSet edge/team) takes its TLS settings from ClientTrafficPolicy edge/old-tls (the whole Gateway): minVersion "1.0", which accepts TLS 1.0 and 1.1 (its ciphers ECDHE-RSA-AES128-SHA work below TLS 1.2).');
    // The Gateway does not allow the ListenerSet: it adds no listener.
    expect(byListener(policyResults(legacyProtocolEnabled, gateway() + listenerSet + policy('old-tls', '2026-01-01T00:00:00Z', whole, '{minVersion: "1.0"}')))).toEqual({ 'clienttrafficpolicy/https': 'fail', 'clienttrafficpolicy/https-2': 'fail' });
    for (const target of [toSet(), toSet('https')]) {
      const rs = policyResults(legacyProtocolEnabled, allowing() + policy('gateway-wide', '2026-01-01T00:00:00Z', whole, '{minVersion: "1.2"}') + policy('team-lax', '2026-03-01T00:00:00Z', target, '{minVersion: "1.0"}'));
      expect(byListener(rs)).toEqual({ 'clienttrafficpolicy/https': 'pass', 'clienttrafficpolicy/https-2': 'pass', [lsKey]: 'fail' });
    }
    const own = policyResults(legacyProtocolEnabled, allowing() + policy('gateway-wide', '2026-01-01T00:00:00Z', whole, '{minVersion: "1.0"}') + policy('https-only', '2026-03-01T00:00:00Z', section('https'), '{minVersion: "1.2"}'));
    expect(byListener(own)).toEqual({ 'clienttrafficpolicy/https': 'pass', 'clienttrafficpolicy/https-2': 'fail', [lsKey]: 'fail' });
    expect(byListener(policyResults(weakCiphers, allowing() + policy('team', '2026-01-01T00:00:00Z', toSet(), '{ciphers: [ECDHE-RSA-AES128-SHA]}')))).toEqual({ [lsKey]: 'fail' });
  });

  // v1.9.0 clienttrafficpolicy.go:270-279: a Gateway targetRef's sectionName is matched against
  // gateway.listeners, to which listenerset.go:94 appended the ListenerSet's; validate.go:1523
  // validateGatewayListenerSectionName searches the same list, so the name resolves.
  it('a Gateway sectionName the Gateway has no listener for reaches the ListenerSet listener of that name', () => {
    const teamSet = listenerSet.replace('name: https, protocol', 'name: team-https, protocol');
    const teamKey = 'clienttrafficpolicy/team-https (ListenerSet edge/team)';
    const doc = (tls: string) => gateway().replace('  gatewayClassName: eg\n', '  gatewayClassName: eg\n  allowedListeners: {namespaces: {from: Same}}\n') + teamSet + policy('team-lax', '2026-01-01T00:00:00Z', section('team-https'), tls);
    const legacy = policyResults(legacyProtocolEnabled, doc('{minVersion: "1.0", ciphers: [ECDHE-RSA-AES128-SHA]}'));
    expect(byListener(legacy)).toEqual({ [teamKey]: 'fail' });
    expect(legacy[0].message).toBe('Listener team-https (ListenerSet edge/team) takes its TLS settings from ClientTrafficPolicy edge/team-lax (sectionName team-https): minVersion "1.0", which accepts TLS 1.0 and 1.1 (its ciphers ECDHE-RSA-AES128-SHA work below TLS 1.2).');
    expect(byListener(policyResults(weakCiphers, doc('{ciphers: [ECDHE-RSA-AES128-SHA]}')))).toEqual({ [teamKey]: 'fail' });
  });

  it('a policy in another namespace, or a Gateway of another implementation, is not touched', () => {
    expect(policyResults(legacyProtocolEnabled, gateway() + policy('p', '2026-01-01T00:00:00Z', whole, '{minVersion: "1.0"}', 'other'))).toEqual([]);
    expect(policyResults(legacyProtocolEnabled, gateway('istio.io/gateway-controller') + policy('p', '2026-01-01T00:00:00Z', whole, '{minVersion: "1.0"}'))).toEqual([]);
  });
});

// Below TLS 1.2 only CBC-SHA suites exist: AEAD (GCM, ChaCha20-Poly1305) and SHA-256/384 suites
// are TLS 1.2's. Envoy Gateway's default list is AEAD only (TLSSettings.Ciphers: "In non-FIPS
// Envoy Proxy builds the default cipher list is: [ECDHE-ECDSA-AES128-GCM-SHA256|...]"), and Envoy
// v1.28+ says so (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/transport_sockets/tls/v3/common.proto,
// tls_minimum_protocol_version: "TLS protocol versions below TLSv1_2 require setting compatible
// ciphers with the cipher_suites setting as the default ciphers no longer include compatible ciphers").
describe('tls.legacy-protocol-enabled: a ClientTrafficPolicy minVersion below 1.2 no cipher can use', () => {
  const one = (tls: string) => policyResults(legacyProtocolEnabled, gateway() + policy('p', '2026-01-01T00:00:00Z', section('https'), tls))[0];

  it('minVersion "1.0" without ciphers is low: Envoy\'s default list has nothing below TLS 1.2', () => {
    const r = one('{minVersion: "1.0"}');
    expect([r.status, r.severity]).toEqual(['fail', 'low']);
    expect(r.message).toBe('Listener https takes its TLS settings from ClientTrafficPolicy edge/p (sectionName https): minVersion "1.0", which allows TLS 1.0 and 1.1, but no enabled cipher works below TLS 1.2: it lists no ciphers (Envoy\'s default list: AES-GCM and ChaCha20-Poly1305 only), so no TLS 1.0 or 1.1 handshake completes. Set minVersion "1.2" to say what the listener accepts.');
  });

  it('only AEAD or SHA-256/384 ciphers, by OpenSSL or IANA name, are low too', () => {
    for (const ciphers of ['[ECDHE-RSA-AES128-GCM-SHA256, ECDHE-RSA-AES256-GCM-SHA384, ECDHE-RSA-CHACHA20-POLY1305]', '[TLS_RSA_WITH_AES_128_GCM_SHA256, "[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-ECDSA-CHACHA20-POLY1305]"]', '[AES128-SHA256]']) {
      const r = one(`{minVersion: "1.1", ciphers: ${ciphers}}`);
      expect([ciphers, r.status, r.severity]).toEqual([ciphers, 'fail', 'low']);
      expect(r.message).toContain('no enabled cipher works below TLS 1.2: it lists only ciphers that need TLS 1.2');
    }
  });

  it('a CBC-SHA cipher among them keeps it high, named', () => {
    for (const cbc of ['ECDHE-RSA-AES128-SHA', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'AES256-SHA']) {
      const r = one(`{minVersion: "1.0", ciphers: [ECDHE-RSA-AES128-GCM-SHA256, ${cbc}]}`);
      expect([cbc, r.status, r.severity ?? legacyProtocolEnabled.severity]).toEqual([cbc, 'fail', 'high']);
      expect(r.message).toContain(`accepts TLS 1.0 and 1.1 (its ciphers ${cbc} work below TLS 1.2)`);
    }
  });
});

describe('tls.weak-ciphers: Envoy Gateway ClientTrafficPolicy ciphers', () => {
  it('a CBC suite fails each TLS listener the policy applies to', () => {
    const rs = policyResults(weakCiphers, gateway() + policy('old-tls', '2026-01-01T00:00:00Z', whole, '{minVersion: "1.0", ciphers: [ECDHE-RSA-AES128-SHA]}'));
    expect(byListener(rs)).toEqual({ 'clienttrafficpolicy/https': 'fail', 'clienttrafficpolicy/https-2': 'fail' });
    expect(rs[0].message).toContain('ClientTrafficPolicy edge/old-tls (the whole Gateway) ciphers enable weak suites: ECDHE-RSA-AES128-SHA');
  });

  it('AEAD suites, Envoy\'s equal-preference groups included, pass; no ciphers is no verdict', () => {
    const rs = policyResults(weakCiphers, gateway() + policy('p', '2026-01-01T00:00:00Z', whole, '{ciphers: ["[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-ECDSA-CHACHA20-POLY1305]", ECDHE-RSA-AES256-GCM-SHA384]}'));
    expect(rs.map((r) => r.status)).toEqual(['pass', 'pass']);
    expect(policyResults(weakCiphers, gateway() + policy('p', '2026-01-01T00:00:00Z', whole, '{minVersion: "1.2"}'))).toEqual([]);
  });

  it('minVersion "1.3" makes a weak list moot', () => {
    const rs = policyResults(weakCiphers, gateway() + policy('p', '2026-01-01T00:00:00Z', whole, '{minVersion: "1.3", ciphers: [ECDHE-RSA-AES128-SHA]}'));
    expect(rs.map((r) => r.status)).toEqual(['pass', 'pass']);
  });
});
