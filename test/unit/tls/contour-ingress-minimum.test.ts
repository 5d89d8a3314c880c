// Contour reads an Ingress's minimum TLS version from the annotation
// projectcontour.io/tls-minimum-protocol-version (https://projectcontour.io/docs/main/config/annotations/,
// "projectcontour.io/tls-minimum-protocol-version: The minimum TLS protocol version the TLS listener
// should support. Valid options are 1.3, 1.2 (default)"). projectcontour/contour
// internal/dag/ingress_processor.go passes it through internal/annotation TLSVersion, which keeps
// "1.2" and "1.3" and turns any other value into the default 1.2; before v1.11 "1.1" (and, before
// v1.10, any other value) was TLS 1.1 (drop all TLS 1.1 references, #3265, first in v1.12; the
// v1.11 listener already floored at 1.2). The listener takes the higher of it and Contour's own
// tls.minimum-protocol-version. Repro before the fix: /tmp/edgetls/contour (Contour v1.4.0, an
// Ingress annotated "1.1") read tls.legacy-protocol-enabled with no result for the Ingress.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';

const CASE = (release: string, annotations: Record<string, string>) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: contour, namespace: projectcontour}
spec:
  selector: {matchLabels: {app: contour}}
  template:
    metadata: {labels: {app: contour}}
    spec:
      containers:
        - name: contour
          image: docker.io/projectcontour/contour:${release}
          command: [contour]
          args: [serve, --incluster, --xds-address=0.0.0.0, --xds-port=8001]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: app
  annotations: ${JSON.stringify(annotations)}
spec:
  tls: [{hosts: [web.example.com], secretName: web-tls}]
  rules: [{host: web.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]`;

const MIN = 'projectcontour.io/tls-minimum-protocol-version';

function verdicts(yaml: string) {
  const ctx = { snapshot: snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects, {}), config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') };
  const [outcome] = runChecks([legacyProtocolEnabled], ctx);
  return { status: outcome.status, ingress: [...legacyProtocolEnabled.evaluate(ctx)].filter((v) => v.resource.kind === 'Ingress').map((v) => `${v.status}${v.status === 'pass' ? '' : ` ${v.severity ?? 'high'}`} ${v.message}`) };
}

describe('tls.legacy-protocol-enabled reads projectcontour.io/tls-minimum-protocol-version on the Ingresses Contour serves', () => {
  it('Contour v1.4.0, annotation "1.1": high, TLS 1.1 with the CBC-SHA suites of its default list', () => {
    const { status, ingress } = verdicts(CASE('v1.4.0', { [MIN]: '1.1' }));
    expect(status).toBe('fail');
    expect(ingress).toEqual([expect.stringMatching(/^fail high Ingress app\/web accepts TLS 1\.1 on Contour 1\.4 \(Deployment projectcontour\/contour, image docker\.io\/projectcontour\/contour:v1\.4\.0\): projectcontour\.io\/tls-minimum-protocol-version: "1\.1", .*ECDHE-ECDSA-AES128-SHA.*Set projectcontour\.io\/tls-minimum-protocol-version: "1\.2"/)]);
  });

  it('Contour v1.4.0, annotation "1.2": passes', () => {
    expect(verdicts(CASE('v1.4.0', { [MIN]: '1.2' })).ingress).toEqual(['pass Ingress app/web requires TLS 1.2 or later on Contour 1.4 (Deployment projectcontour/contour, image docker.io/projectcontour/contour:v1.4.0).']);
  });

  it('Contour v1.10.0 keeps "1.1": high; unset, the virtual host takes 1.2 over the global 1.1', () => {
    expect(verdicts(CASE('v1.10.0', { [MIN]: '1.1' })).ingress).toEqual([expect.stringMatching(/^fail high Ingress app\/web accepts TLS 1\.1 on Contour 1\.10/)]);
    expect(verdicts(CASE('v1.10.0', {})).ingress).toEqual([expect.stringMatching(/^pass Ingress app\/web requires TLS 1\.2 or later on Contour 1\.10/)]);
  });

  it('Contour v1.28.0 reads "1.1" as its default 1.2 (TLSVersion): a pass saying the value is replaced', () => {
    expect(verdicts(CASE('v1.28.0', { [MIN]: '1.1' })).ingress).toEqual(['pass Ingress app/web requires TLS 1.2 or later (projectcontour.io/tls-minimum-protocol-version "1.1" is not "1.2" or "1.3", which Contour replaces with its default, 1.2) on Contour 1.28 (Deployment projectcontour/contour, image docker.io/projectcontour/contour:v1.28.0).']);
  });

  it('annotation "1.3": requires TLS 1.3', () => {
    expect(verdicts(CASE('v1.28.0', { [MIN]: '1.3' })).ingress).toEqual([expect.stringMatching(/^pass Ingress app\/web requires TLS 1\.3 or later/)]);
  });

  it('an Ingress of another class is not Contour\'s: no Contour verdict', () => {
    expect(verdicts(CASE('v1.4.0', { [MIN]: '1.1', 'kubernetes.io/ingress.class': 'nginx' })).ingress).toEqual([]);
  });
});

// Before v1.11 Contour reads the annotation through CompatAnnotation, "first with the
// projectcontour.io/ prefix, and then with the contour.heptio.com/ prefix if that is not found"
// (projectcontour/contour internal/annotation/annotations.go@v1.4.0 and @v1.10.0; called from
// internal/dag/builder.go@v1.4.0 and internal/dag/ingress_processor.go@v1.10.0 with
// "tls-minimum-protocol-version"); from v1.11.0 ingress_processor.go reads ContourAnnotation,
// the projectcontour.io/ prefix alone.
const HEPTIO = 'contour.heptio.com/tls-minimum-protocol-version';

describe('before Contour v1.11 an Ingress without projectcontour.io/tls-minimum-protocol-version takes contour.heptio.com/tls-minimum-protocol-version', () => {
  it('Contour v1.10.0, contour.heptio.com/ "1.1": high, TLS 1.1 with CBC-SHA suites, naming the heptio annotation', () => {
    const { status, ingress } = verdicts(CASE('v1.10.0', { [HEPTIO]: '1.1' }));
    expect(status).toBe('fail');
    expect(ingress).toEqual([expect.stringMatching(/^fail high Ingress app\/web accepts TLS 1\.1 on Contour 1\.10 .*: contour\.heptio\.com\/tls-minimum-protocol-version: "1\.1" \(read by Contour before v1\.11 when projectcontour\.io\/tls-minimum-protocol-version is absent\).*ECDHE-RSA-AES128-SHA.*Set projectcontour\.io\/tls-minimum-protocol-version: "1\.2"/)]);
  });

  it('Contour v1.4.0, contour.heptio.com/ "1.2": passes (v1.4 reads an absent minimum as TLS 1.1)', () => {
    expect(verdicts(CASE('v1.4.0', { [HEPTIO]: '1.2' }))).toEqual({ status: 'pass', ingress: ['pass Ingress app/web requires TLS 1.2 or later on Contour 1.4 (Deployment projectcontour/contour, image docker.io/projectcontour/contour:v1.4.0).'] });
  });

  it('a projectcontour.io/ key present wins over contour.heptio.com/', () => {
    expect(verdicts(CASE('v1.10.0', { [MIN]: '1.2', [HEPTIO]: '1.1' })).ingress).toEqual([expect.stringMatching(/^pass Ingress app\/web requires TLS 1\.2 or later on Contour 1\.10/)]);
    expect(verdicts(CASE('v1.10.0', { [MIN]: '1.1', [HEPTIO]: '1.2' })).ingress).toEqual([expect.stringMatching(/^fail high Ingress app\/web accepts TLS 1\.1 on Contour 1\.10 .*: projectcontour\.io\/tls-minimum-protocol-version: "1\.1", /)]);
  });

  it('from v1.11 contour.heptio.com/ is not read: v1.11.0 with contour.heptio.com/ "1.3" requires TLS 1.2, not 1.3', () => {
    expect(verdicts(CASE('v1.11.0', { [HEPTIO]: '1.3' })).ingress).toEqual(['pass Ingress app/web requires TLS 1.2 or later on Contour 1.11 (Deployment projectcontour/contour, image docker.io/projectcontour/contour:v1.11.0).']);
  });
});
