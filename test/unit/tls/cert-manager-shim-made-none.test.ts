// tls.certificate-unmanaged takes a cert-manager shim annotation as issuing the Secret only where
// the shim can have run: on a live cluster whose Certificates were listed, the Certificate the
// shim makes (named after the Secret, spec.secretName the Secret: https://cert-manager.io/docs/usage/ingress/)
// must be there; and the cert-manager controller's flags must run the shim: --controllers
// ("'*' enables all on-by-default controllers … '-foo' disables the controller named 'foo'",
// https://cert-manager.io/docs/cli/controller/) and, for a Gateway, Gateway API support
// ("requires … passing an additional flag to the cert-manager controller",
// https://cert-manager.io/docs/usage/gateway/). Reviewer repros /tmp/rev-certs/shim-live and gwshim.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { certificateUnmanaged } from '../../../checks/tls/certificate-unmanaged.ts';

const ingress = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ing, namespace: web, annotations: {cert-manager.io/cluster-issuer: le}}
spec:
  tls: [{hosts: [d.example.com], secretName: d-tls}]
  rules: [{host: d.example.com}]
---
`;
const gateway = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: web, annotations: {cert-manager.io/cluster-issuer: le}}
spec:
  gatewayClassName: eg
  listeners:
  - {name: withhost, protocol: HTTPS, port: 443, hostname: b.example.com, tls: {certificateRefs: [{name: b-tls}]}}
---
`;
const controller = (args: string[]) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: cert-manager, namespace: cert-manager}
spec:
  template:
    spec:
      containers: [{name: cert-manager-controller, image: "quay.io/jetstack/cert-manager-controller:v1.16.2", args: ${JSON.stringify(args)}}]
---
`;
const certificate = (secretName: string) => `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: ${secretName}, namespace: web}
spec: {secretName: ${secretName}, dnsNames: [x.example.com], issuerRef: {name: le, kind: ClusterIssuer}}
status: {conditions: [{type: Ready, status: "True"}]}
---
`;

function snapshotOf(yaml: string, live: boolean): Snapshot {
  const s = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects, live ? { origin: 'live' } : {});
  if (live) s.coverage['certmanager.certificates'] = { status: 'ok' };
  return s;
}
function judge(snapshot: Snapshot) {
  const ctx = { snapshot, config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  const [outcome] = runChecks([certificateUnmanaged], ctx);
  expect(outcome.status, outcome.reason).not.toBe('error');
  return Object.fromEntries([...certificateUnmanaged.evaluate(ctx)].map((v) => [v.detailKey, { status: v.status, message: v.message }]));
}

describe('live: the shim has demonstrably made no Certificate', () => {
  it('Certificates listed, none writing the Secret: the annotated Ingress and Gateway fail, saying cert-manager created none', () => {
    const v = judge(snapshotOf(ingress + gateway, true));
    expect(v['web/d-tls']).toEqual({ status: 'fail', message: 'Ingress web/ing tls[0]: its Ingress carries the cert-manager.io/cluster-issuer annotation for TLS Secret web/d-tls, but cert-manager has created no Certificate for it (no Certificate of the cluster has spec.secretName d-tls in web): nothing issues or renews it.' });
    expect(v['web/b-tls'].status).toBe('fail');
  });

  it('a Certificate whose spec.secretName is the Secret: pass', () => {
    const v = judge(snapshotOf(ingress + certificate('d-tls'), true));
    expect(v['web/d-tls'].status).toBe('pass');
  });

  it('from manifests the shim\'s Certificate is not expected yet: the annotation still passes', () => {
    const v = judge(snapshotOf(ingress + gateway + controller(['--enable-gateway-api']), false));
    expect(v['web/d-tls'].status).toBe('pass');
    expect(v['web/b-tls'].status).toBe('pass');
  });
});

describe('the cert-manager controller\'s flags leave a shim off', () => {
  it('no --enable-gateway-api: the Gateway listener fails, the Ingress (ingress-shim on by default) passes', () => {
    const v = judge(snapshotOf(ingress + gateway + controller(['--v=2']), false));
    expect(v['web/b-tls']).toEqual({ status: 'fail', message: 'Gateway web/gw listener withhost: TLS Secret web/b-tls is not managed by any cert-manager Certificate (no Certificate has spec.secretName b-tls in web, cert-manager.io/cluster-issuer creates no Certificate for Gateway web/gw: cert-manager\'s gateway-shim does not run, Deployment cert-manager/cert-manager does not enable Gateway API support (no --enable-gateway-api), which the gateway-shim needs): it is rotated by hand.' });
    expect(v['web/d-tls'].status).toBe('pass');
    expect(judge(snapshotOf(gateway + controller(['--enable-gateway-api=false']), false))['web/b-tls'].status).toBe('fail');
    expect(judge(snapshotOf(gateway + controller(['--enable-gateway-api']), false))['web/b-tls'].status).toBe('pass');
    expect(judge(snapshotOf(gateway + controller(['--controllers=*,gateway-shim']), false))['web/b-tls'].status).toBe('pass');
  });

  it('--controllers disabling ingress-shim or gateway-shim, or listing neither nor *: fail, naming the flag', () => {
    const v = judge(snapshotOf(ingress + gateway + controller(['--controllers=*,-ingress-shim,-gateway-shim', '--enable-gateway-api']), false));
    expect(v['web/d-tls'].status).toBe('fail');
    expect(v['web/d-tls'].message).toContain("cert-manager's ingress-shim does not run, Deployment cert-manager/cert-manager disables it (--controllers=*,-ingress-shim,-gateway-shim)");
    expect(v['web/b-tls'].status).toBe('fail');
    const only = judge(snapshotOf(ingress + controller(['--controllers', 'issuers,certificates']), false));
    expect(only['web/d-tls'].message).toContain('does not enable it (--controllers=issuers,certificates names neither ingress-shim nor *)');
    // Only disabled controllers imply "*" (EnabledControllers).
    expect(judge(snapshotOf(ingress + controller(['--controllers=-issuers']), false))['web/d-tls'].status).toBe('pass');
  });

  it('a controller reading --config: Gateway API support is unread and the pass says so', () => {
    const v = judge(snapshotOf(gateway + controller(['--config=/var/cert-manager/config/config.yaml']), false));
    expect(v['web/b-tls']).toEqual({ status: 'pass', message: "Gateway web/gw listener withhost: Secret web/b-tls is issued through the cert-manager.io/cluster-issuer annotation, if cert-manager's Gateway API support is on, which the gateway-shim needs (Deployment cert-manager/cert-manager reads its settings from --config /var/cert-manager/config/config.yaml, which is not read here)." });
  });
});
