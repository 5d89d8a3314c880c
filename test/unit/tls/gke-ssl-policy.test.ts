// A GKE load balancer takes the SSL policy its FrontendConfig (Ingress) or GCPGatewayPolicy
// (Gateway) names, else Google Cloud's default: minimum TLS 1.0, profile COMPATIBLE
// (https://cloud.google.com/sdk/gcloud/reference/compute/ssl-policies/create, --min-tls-version
// default "1.0", --profile default "COMPATIBLE"; FrontendConfig spec.sslPolicy:
// https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration#ssl_policies;
// GCPGatewayPolicy spec.default.sslPolicy and spec.targetRef:
// https://cloud.google.com/kubernetes-engine/docs/how-to/configure-gateway-resources#configure_ssl_policies).
// Reviewer repros /tmp/rev-edge2 s11, s14, s15 read "tls 100.0 A" and "pass, evaluated 0".
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';
import { captureIO } from '../../helpers/cli.ts';

const INGRESS = (frontendConfig = 'fc', namespace = 'app') => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: ${namespace}
  annotations:
    kubernetes.io/ingress.class: gce
    kubernetes.io/ingress.allow-http: "false"
    ingress.gcp.kubernetes.io/pre-shared-cert: web-cert
    networking.gke.io/v1beta1.FrontendConfig: ${frontendConfig}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}`;
const FRONTEND_CONFIG = (spec: string, namespace = 'app') => `
---
apiVersion: networking.gke.io/v1beta1
kind: FrontendConfig
metadata: {name: fc, namespace: ${namespace}}
spec: ${spec}`;
const GATEWAY = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gke-l7-global-external-managed}
spec: {controllerName: networking.gke.io/gateway}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: edge}
spec:
  gatewayClassName: gke-l7-global-external-managed
  listeners: [{name: https, protocol: HTTPS, port: 443, tls: {mode: Terminate, certificateRefs: [{name: wild}]}}]`;
const POLICY = (spec: string, namespace = 'edge') => `
---
apiVersion: networking.gke.io/v1
kind: GCPGatewayPolicy
metadata: {name: pol, namespace: ${namespace}}
spec: ${spec}`;

const snapshotOf = (yaml: string): Snapshot => snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects, {});

function judge(check: typeof legacyProtocolEnabled, snapshot: Snapshot) {
  const [outcome] = runChecks([check], { snapshot, config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') });
  return { outcome, failures: outcome.results.filter((r) => r.status !== 'pass').map((r) => `${r.severity} ${r.resource.kind} ${r.resource.namespace}/${r.resource.name}: ${r.message}`) };
}

describe('GKE Ingress: the SSL policy of the FrontendConfig it names', () => {
  it('a FrontendConfig without sslPolicy leaves Google\'s default (TLS 1.0, COMPATIBLE): high for legacy protocols, a weak-cipher finding, naming the FrontendConfig', () => {
    const s = snapshotOf(INGRESS() + FRONTEND_CONFIG('{redirectToHttps: {enabled: true}}'));
    const legacy = judge(legacyProtocolEnabled, s);
    expect(legacy.outcome.status).toBe('fail');
    expect(legacy.failures).toEqual([expect.stringMatching(/^high Ingress app\/web: .*FrontendConfig "fc" sets no sslPolicy.*minimum TLS 1\.0, profile COMPATIBLE.*accepts TLS 1\.0 and 1\.1/)]);
    expect(judge(weakCiphers, s).failures).toEqual([expect.stringMatching(/^medium Ingress app\/web: .*FrontendConfig "fc" sets no sslPolicy.*COMPATIBLE profile enables weak suites: TLS_RSA_WITH_3DES_EDE_CBC_SHA/)]);
  });

  it('a FrontendConfig named but not in the input sets nothing: the default applies, and the finding says it does not exist', () => {
    const s = snapshotOf(INGRESS('fc-missing') + FRONTEND_CONFIG('{sslPolicy: tls12}', 'other'));
    expect(judge(legacyProtocolEnabled, s).failures).toEqual([expect.stringMatching(/^high Ingress app\/web: .*FrontendConfig "fc-missing", which does not exist in namespace app/)]);
  });

  it('a FrontendConfig of the same name in another namespace is not the Ingress\'s', () => {
    const s = snapshotOf(INGRESS() + FRONTEND_CONFIG('{sslPolicy: tls12}', 'other'));
    expect(judge(legacyProtocolEnabled, s).failures).toEqual([expect.stringMatching(/^high Ingress app\/web: .*does not exist in namespace app/)]);
  });

  it('a named sslPolicy lives in Google Cloud: a medium "cannot be judged" naming it, never a pass', () => {
    const s = snapshotOf(INGRESS() + FRONTEND_CONFIG('{sslPolicy: tls12-modern}'));
    for (const check of [legacyProtocolEnabled, weakCiphers]) {
      const { outcome, failures } = judge(check, s);
      expect(outcome.status).toBe('fail');
      expect(failures).toEqual([expect.stringMatching(/^medium Ingress app\/web: .*SSL policy "tls12-modern" \(sslPolicy of FrontendConfig "fc"\), which cannot be judged: SSL policy "tls12-modern" lives in Google Cloud/)]);
    }
  });

  it('FrontendConfigs that could not be read leave the Ingress naming one unjudged, named in the note with the kind (gke-unread-policy-kinds.test.ts)', () => {
    const s = snapshotOf(INGRESS());
    s.coverage['gke.frontendconfigs'] = { status: 'forbidden', detail: 'list frontendconfigs.networking.gke.io (refused in test)' };
    for (const check of [legacyProtocolEnabled, weakCiphers]) {
      const { outcome, failures } = judge(check, s);
      expect(outcome.status).not.toBe('not-evaluated');
      expect(failures).toEqual([]);
      expect(outcome.excluded).toContain('FrontendConfigs (gke.frontendconfigs) could not be read');
    }
  });

  it('a FrontendConfig CRD the API server does not serve is none: the default applies', () => {
    const s = snapshotOf(INGRESS());
    s.coverage['gke.frontendconfigs'] = { status: 'absent', detail: 'frontendconfigs.networking.gke.io/v1beta1 is not served by this API server' };
    expect(judge(legacyProtocolEnabled, s).failures).toEqual([expect.stringMatching(/^high Ingress app\/web: .*does not exist in namespace app/)]);
  });
});

describe('GKE Ingress port 80: the redirectToHttps of the FrontendConfig it names (ingress-configuration#https_redirect)', () => {
  const OPEN_80 = INGRESS().replace('    kubernetes.io/ingress.allow-http: "false"\n', '');
  it('redirectToHttps.enabled true: port 80 redirects, the host passes', () => {
    const s = snapshotOf(OPEN_80 + FRONTEND_CONFIG('{redirectToHttps: {enabled: true}}'));
    const { outcome, failures } = judge(ingressWithoutTls, s);
    expect(outcome.status).toBe('pass');
    expect(failures).toEqual([]);
    const verdicts = [...ingressWithoutTls.evaluate({ snapshot: s, config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') })];
    expect(verdicts.map((v) => `${v.status} ${v.message}`)).toEqual([expect.stringMatching(/^pass .*answers with a redirect to HTTPS: FrontendConfig "fc" sets redirectToHttps\.enabled: true/)]);
  });
  it('a FrontendConfig without it serves the host over plaintext HTTP: high, naming the FrontendConfig', () => {
    expect(judge(ingressWithoutTls, snapshotOf(OPEN_80 + FRONTEND_CONFIG('{sslPolicy: tls12}'))).failures).toEqual([expect.stringMatching(/^high Ingress app\/web: .*plaintext HTTP on port 80: kubernetes\.io\/ingress\.allow-http is unset .*FrontendConfig "fc" does not set redirectToHttps\.enabled: true/)]);
  });
  it('FrontendConfigs that could not be read leave it not evaluated', () => {
    const s = snapshotOf(OPEN_80);
    s.coverage['gke.frontendconfigs'] = { status: 'forbidden', detail: 'list frontendconfigs.networking.gke.io (refused in test)' };
    const { outcome } = judge(ingressWithoutTls, s);
    expect(outcome.status).toBe('not-evaluated');
    expect(outcome.reason).toContain('gke.frontendconfigs');
  });
});

describe('GKE Gateway: the SSL policy of the GCPGatewayPolicy targeting it', () => {
  it('no GCPGatewayPolicy: Google\'s default applies, high', () => {
    expect(judge(legacyProtocolEnabled, snapshotOf(GATEWAY)).failures).toEqual([expect.stringMatching(/^high Gateway edge\/gw: .*no GCPGatewayPolicy targets it.*accepts TLS 1\.0 and 1\.1/)]);
  });

  it('a GCPGatewayPolicy without spec.default.sslPolicy (s15): high, naming it', () => {
    const s = snapshotOf(GATEWAY + POLICY('{default: {allowGlobalAccess: true}, targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: gw}}'));
    expect(judge(legacyProtocolEnabled, s).failures).toEqual([expect.stringMatching(/^high Gateway edge\/gw: .*GCPGatewayPolicy "pol" targets it with no spec\.default\.sslPolicy/)]);
    expect(judge(weakCiphers, s).failures).toEqual([expect.stringMatching(/^medium Gateway edge\/gw: .*COMPATIBLE profile enables weak suites/)]);
  });

  it('a GCPGatewayPolicy naming an sslPolicy: medium, cannot be judged', () => {
    const s = snapshotOf(GATEWAY + POLICY('{default: {sslPolicy: tls12-modern}, targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: gw}}'));
    expect(judge(legacyProtocolEnabled, s).failures).toEqual([expect.stringMatching(/^medium Gateway edge\/gw: .*SSL policy "tls12-modern" \(spec\.default\.sslPolicy of GCPGatewayPolicy "pol"\), which cannot be judged/)]);
  });

  it('a policy targeting another Gateway, or the same name in another namespace, is not this Gateway\'s', () => {
    const s = snapshotOf(GATEWAY + POLICY('{default: {sslPolicy: a}, targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: other}}') + POLICY('{default: {sslPolicy: b}, targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: gw}}', 'elsewhere'));
    expect(judge(legacyProtocolEnabled, s).failures).toEqual([expect.stringMatching(/^high Gateway edge\/gw: .*no GCPGatewayPolicy targets it/)]);
  });

  // GKE installs its GatewayClasses itself, so a --manifests run never holds them: the documented
  // class names (https://cloud.google.com/kubernetes-engine/docs/how-to/gatewayclass-capabilities)
  // make a Gateway GKE's when no GatewayClass of that name is in the input. Reviewer repro
  // /tmp/rev-mrevC/gke1 read "evaluated 0, pass".
  it.each(['gke-l7-global-external-managed', 'gke-l7-regional-external-managed', 'gke-l7-rilb', 'gke-l7-gxlb-mc', 'gke-l7-cross-regional-internal-managed-mc'])('a Gateway of GKE class %s with no GatewayClass in the input is still GKE\'s: high, and weak ciphers', (cls) => {
    const s = snapshotOf(GATEWAY.split('---')[1]!.replace('gke-l7-global-external-managed', cls));
    expect(s.resources['gatewayapi.gatewayclasses'] ?? []).toEqual([]);
    expect(judge(legacyProtocolEnabled, s).failures).toEqual([expect.stringMatching(new RegExp(`^high Gateway edge/gw: .*GatewayClass "${cls}".*no GCPGatewayPolicy targets it.*accepts TLS 1\\.0 and 1\\.1`))]);
    expect(judge(weakCiphers, s).failures).toEqual([expect.stringMatching(/^medium Gateway edge\/gw: .*COMPATIBLE profile enables weak suites/)]);
  });

  // A ListenerSet's listeners "are bound on this referenced parent Gateway's addresses" (gateway-api
  // apis/v1/listenerset_types.go; https://gateway-api.sigs.k8s.io/api-types/listenerset/): an HTTPS
  // one a GKE Gateway allows makes its load balancer terminate TLS, as one of its own does.
  it('a GKE Gateway with only an HTTP listener terminates TLS through the HTTPS listener of a ListenerSet it allows: judged, naming it', () => {
    const httpOnly = GATEWAY.replace("listeners: [{name: https, protocol: HTTPS, port: 443, tls: {mode: Terminate, certificateRefs: [{name: wild}]}}]", 'listeners: [{name: http, protocol: HTTP, port: 80}]');
    const listenerSet = (allowed: string) => `${httpOnly.replace('  gatewayClassName: gke-l7-global-external-managed\n', `  gatewayClassName: gke-l7-global-external-managed\n${allowed}`)}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: edge}
spec:
  parentRef: {name: gw}
  listeners: [{name: https, protocol: HTTPS, port: 443, hostname: a.example.com, tls: {certificateRefs: [{name: a}]}}]`;
    expect(judge(legacyProtocolEnabled, snapshotOf(httpOnly)).failures).toEqual([]);
    expect(judge(legacyProtocolEnabled, snapshotOf(listenerSet('  allowedListeners: {namespaces: {from: Same}}\n'))).failures).toEqual([expect.stringMatching(/^high Gateway edge\/gw: .*"https \(ListenerSet edge\/team\)".*no GCPGatewayPolicy targets it.*accepts TLS 1\.0 and 1\.1/)]);
    expect(judge(legacyProtocolEnabled, snapshotOf(listenerSet(''))).failures).toEqual([]);
  });

  it('a GatewayClass in the input with a GKE name but another controller is not GKE\'s', () => {
    const s = snapshotOf(GATEWAY.replace('controllerName: networking.gke.io/gateway', 'controllerName: example.com/other'));
    expect(judge(legacyProtocolEnabled, s).failures).toEqual([]);
  });

  it('GCPGatewayPolicies that could not be read leave the GKE Gateway unjudged, named in the note with the kind (gke-unread-policy-kinds.test.ts)', () => {
    const s = snapshotOf(GATEWAY);
    s.coverage['gke.gcpgatewaypolicies'] = { status: 'error', detail: 'list gcpgatewaypolicies.networking.gke.io: 500' };
    const { outcome, failures } = judge(legacyProtocolEnabled, s);
    expect(outcome.status).not.toBe('not-evaluated');
    expect(failures).toEqual([]);
    expect(outcome.excluded).toContain('GCPGatewayPolicies (gke.gcpgatewaypolicies) could not be read (error: list gcpgatewaypolicies.networking.gke.io: 500)');
  });
});

describe('ztaudit run on reviewer repro s11 (GKE Ingress, FrontendConfig with only redirectToHttps)', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ztaudit-gke-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('does not print grade A for tls, and the report carries the high finding', async () => {
    writeFileSync(join(dir, 'm.yaml'), `apiVersion: v1\nkind: Namespace\nmetadata: {name: app}\n---${FRONTEND_CONFIG('{redirectToHttps: {enabled: true}}').replace(/^\n---/, '')}\n---${INGRESS()}\n`);
    const t = captureIO(dir);
    await main(['run', '--manifests', join(dir, 'm.yaml'), '--out', join(dir, 'out'), '--history', 'none', '--no-notify', '--format', 'json'], t.cli);
    const tlsLine = t.out().split('\n').find((l) => /^tls\s/.test(l));
    expect(tlsLine).toBeDefined();
    expect(tlsLine).not.toMatch(/\sA\s/);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(report.score.areas.tls).toBeLessThan(90);
    expect(report.findings.filter((f: { checkId?: string; check?: string }) => (f.checkId ?? f.check) === 'tls.legacy-protocol-enabled').map((f: { severity: string; resource: { kind: string; namespace: string; name: string } }) => `${f.severity} ${f.resource.kind} ${f.resource.namespace}/${f.resource.name}`)).toEqual(['high Ingress app/web']);
  });
});
