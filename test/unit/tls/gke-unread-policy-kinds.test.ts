// A GKE Ingress takes the SSL policy of the FrontendConfig its networking.gke.io/v1beta1.FrontendConfig
// annotation names, else Google Cloud's default
// (https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration#ssl_policies); a GKE
// Gateway the sslPolicy of a GCPGatewayPolicy whose targetRef names it
// (https://cloud.google.com/kubernetes-engine/docs/how-to/configure-gateway-resources#configure_ssl_policies).
// A FrontendConfig list that failed hides only the policy of the Ingresses naming one; a
// GCPGatewayPolicy list that failed hides that of every GKE Gateway. Repro before the fix:
// /tmp/edgetls/gke (FrontendConfigs forbidden; an nginx ConfigMap with TLSv1, a GKE Ingress without
// the annotation) read tls.legacy-protocol-enabled "not-evaluated", hiding both findings.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { CHECKS } from '../../../checks/index.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';

const INGRESS = (name: string, frontendConfig?: string) => `
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: app
  annotations:
    kubernetes.io/ingress.class: gce
    kubernetes.io/ingress.allow-http: "false"
    ingress.gcp.kubernetes.io/pre-shared-cert: web-cert${frontendConfig ? `\n    networking.gke.io/v1beta1.FrontendConfig: ${frontendConfig}` : ''}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}`;
const FRONTEND_CONFIG = `
---
apiVersion: networking.gke.io/v1beta1
kind: FrontendConfig
metadata: {name: fc, namespace: app}
spec: {sslPolicy: tls12-modern}`;
const GATEWAY = `
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: edge}
spec:
  gatewayClassName: gke-l7-global-external-managed
  listeners: [{name: https, protocol: HTTPS, port: 443, tls: {mode: Terminate, certificateRefs: [{name: wild}]}}]`;
const POLICY = `
---
apiVersion: networking.gke.io/v1
kind: GCPGatewayPolicy
metadata: {name: pol, namespace: edge}
spec: {default: {sslPolicy: tls12-modern}, targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: gw}}`;
// An ingress-nginx controller whose ConfigMap enables TLSv1: no GKE kind decides its verdict.
const NGINX = `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      containers: [{name: controller, image: "registry.k8s.io/ingress-nginx/controller:v1.11.2", args: [/nginx-ingress-controller, --configmap=ingress-nginx/ingress-nginx-controller]}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
data: {ssl-protocols: "TLSv1 TLSv1.2", ssl-ciphers: "ECDHE-RSA-AES128-SHA"}`;

const NOW = new Date('2026-12-01T00:00:00Z');
const snapshotOf = (yaml: string): Snapshot => snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects, {});
function unread(s: Snapshot, kind: 'gke.frontendconfigs' | 'gke.gcpgatewaypolicies'): Snapshot {
  s.coverage[kind] = { status: 'forbidden', detail: `list ${kind} (refused in test)` };
  delete s.resources[kind];
  return s;
}
function judge(check: typeof legacyProtocolEnabled, snapshot: Snapshot) {
  const [o] = runChecks([check], { snapshot, config: defaultConfig(), now: NOW });
  return { status: o.status, excluded: o.excluded ?? '', failures: o.results.filter((r) => r.status !== 'pass').map((r) => `${r.severity} ${r.resource.kind} ${r.resource.namespace}/${r.resource.name}`).sort(), unjudged: check.unjudgedNamespaces?.({ snapshot, config: defaultConfig(), now: NOW }) ?? [] };
}

describe.each([legacyProtocolEnabled, weakCiphers])('$id with FrontendConfigs unread', (check) => {
  it('judges every other edge and the GKE Ingress naming no FrontendConfig; leaves out only the one naming a FrontendConfig, naming the kind', () => {
    const got = judge(check, unread(snapshotOf(NGINX + INGRESS('plain') + INGRESS('named', 'fc') + FRONTEND_CONFIG), 'gke.frontendconfigs'));
    expect(got.status).toBe('fail');
    // ingress-nginx's TLSv1 and the annotation-less GKE Ingress (Google's default) are still findings.
    expect(got.failures).toContain(`${check === weakCiphers ? 'medium' : 'high'} Ingress app/plain`);
    expect(got.failures.some((f) => f.includes('ingress-nginx'))).toBe(true);
    expect(got.failures.some((f) => f.endsWith('app/named'))).toBe(false);
    expect(got.excluded).toContain('1 GKE Ingress(es) naming a FrontendConfig are not judged: FrontendConfigs (gke.frontendconfigs) could not be read (forbidden: list gke.frontendconfigs (refused in test)), and the one each names sets its load balancer\'s SSL policy: app/named (FrontendConfig "fc")');
    expect(got.unjudged).toEqual(['app']);
  });
});

describe.each([legacyProtocolEnabled, weakCiphers])('$id with GCPGatewayPolicies unread', (check) => {
  it('leaves every GKE Gateway out, naming the kind, and still judges the GKE Ingresses', () => {
    const got = judge(check, unread(snapshotOf(INGRESS('plain') + GATEWAY + POLICY), 'gke.gcpgatewaypolicies'));
    expect(got.status).toBe('fail');
    expect(got.failures).toEqual([`${check === weakCiphers ? 'medium' : 'high'} Ingress app/plain`]);
    expect(got.excluded).toContain('1 GKE Gateway(s) are not judged: GCPGatewayPolicies (gke.gcpgatewaypolicies) could not be read (forbidden: list gke.gcpgatewaypolicies (refused in test)), and one may target each with its SSL policy: edge/gw');
    expect(got.unjudged).toEqual(['edge']);
  });
});

describe('the diff does not call the hidden finding resolved (missing data is not a fix)', () => {
  it('a GKE Gateway\'s finding of a full run is carried as not judged when GCPGatewayPolicies become unreadable', () => {
    const yaml = INGRESS('plain') + GATEWAY + POLICY;
    const audit = (s: Snapshot, runId: string, at: Date) => auditSnapshot({ snapshot: s, config: defaultConfig(), checks: CHECKS, now: at, startedAt: at, runId }).report;
    const full = audit(snapshotOf(yaml), 'run-1', NOW);
    expect(full.findings.filter((f) => f.check === 'tls.legacy-protocol-enabled').map((f) => `${f.severity} ${f.resource.kind} ${f.resource.namespace}/${f.resource.name}`).sort()).toEqual(['high Ingress app/plain', 'medium Gateway edge/gw']);
    const partial = audit(unread(snapshotOf(yaml), 'gke.gcpgatewaypolicies'), 'run-2', new Date(NOW.getTime() + 86_400_000));
    const d = diffRuns(full, partial, { rules: defaultConfig().regression, expiredWaivers: [] });
    const gateway = full.findings.find((f) => f.check === 'tls.legacy-protocol-enabled' && f.resource.kind === 'Gateway')!;
    expect(d.resolved).not.toContain(gateway.fingerprint);
    expect(d.notJudged).toContain(gateway.fingerprint);
    expect(partial.checks.find((c) => c.id === 'tls.legacy-protocol-enabled')?.status).toBe('fail');
  });
});
