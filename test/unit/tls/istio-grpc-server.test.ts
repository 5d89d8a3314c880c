// An Istio Gateway server of protocol GRPC or GRPC-WEB listens in plaintext HTTP/2, as HTTP2 does
// (Port.protocol "MUST be one of HTTP|HTTPS|GRPC|GRPC-WEB|HTTP2|MONGO|TCP|TLS",
// https://istio.io/latest/docs/reference/config/networking/gateway/#Port), and answers with the
// http routes of the VirtualServices bound to it: without tls.httpsRedirect it serves them in plaintext.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

const scene = (protocol: string, redirect: boolean) => `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: app}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: plain, protocol: ${protocol}}
    hosts: [api.example.com]${redirect ? '\n    tls: {httpsRedirect: true}' : ''}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: app}
spec:
  hosts: [api.example.com]
  gateways: [edge]
  http:
  - route: [{destination: {host: api, port: {number: 9000}}}]
`;

function resultsOf(yaml: string) {
  const snapshot = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects, {});
  return runChecks([ingressWithoutTls], { snapshot, config: defaultConfig(), now: new Date('2026-12-07T00:00:00Z') })[0].results;
}

describe('tls.ingress-without-tls: Istio Gateway GRPC and GRPC-WEB servers', () => {
  it.each(['GRPC', 'GRPC-WEB', 'grpc'])('a %s server forwarding without tls.httpsRedirect is a high finding', (protocol) => {
    const [r, ...rest] = resultsOf(scene(protocol, false));
    expect(rest).toEqual([]);
    expect(r).toMatchObject({ status: 'fail', severity: 'high', resource: { kind: 'Gateway.networking.istio.io', namespace: 'app', name: 'edge' } });
    expect(r.message).toContain(`${protocol.toUpperCase()} server on port 80 serves content in plaintext without tls.httpsRedirect: VirtualService app/api`);
  });

  it('a GRPC server with tls.httpsRedirect passes', () => {
    expect(resultsOf(scene('GRPC', true)).map((r) => [r.status, r.resource.name])).toEqual([['pass', 'edge']]);
  });
});
