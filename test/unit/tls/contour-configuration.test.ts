// Contour's Envoy cipher list from a ContourConfiguration. `contour serve --contour-config-name N`
// reads ContourConfiguration N's spec.envoy.listener.tls.cipherSuites (projectcontour/contour
// apis/projectcontour/v1alpha1/contourconfig.go EnvoyTLS: unset, Contour's default list) instead of
// a configuration file: "If ContourConfiguration resource is specified, it takes precedence,
// otherwise config file" (cmd/contour/serve.go). It looks N up in the namespace of its
// CONTOUR_NAMESPACE environment variable, "projectcontour" when that is unset
// (cmd/contour/contour.go getContourConfiguration). https://projectcontour.io/docs/main/configuration/
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';

function ctx(yamlText: string): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') };
}

/** A `contour serve` Deployment in namespace ingress naming ContourConfiguration "contour", with the given env. */
const contour = (env: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: contour, namespace: ingress}
spec:
  selector: {matchLabels: {app: contour}}
  template:
    metadata: {labels: {app: contour}}
    spec:
      containers:
      - name: contour
        image: ghcr.io/projectcontour/contour:v1.30.0
        command: [contour]
        args: [serve, --incluster, --contour-config-name=contour]
        env: ${env}
`;
const configuration = (ns: string, tls: string) => `
---
apiVersion: projectcontour.io/v1alpha1
kind: ContourConfiguration
metadata: {name: contour, namespace: ${ns}}
spec:
  envoy:
    listener:
      tls: ${tls}
`;
const WEAK = '{cipherSuites: [ECDHE-RSA-AES128-SHA, AES128-SHA]}';
const CONTOUR_NAMESPACE_FROM_POD = '[{name: CONTOUR_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}]';

const verdicts = (y: string) => [...weakCiphers.evaluate(ctx(y))].filter((v) => v.detailKey === 'contour-cipher-suites');

describe('tls.weak-ciphers: Contour configured by a ContourConfiguration', () => {
  it('its spec.envoy.listener.tls.minimumProtocolVersion "1.3" lifts the weak list for every virtual host (the list applies to TLS 1.2 only: https://projectcontour.io/docs/main/configuration/#tls-configuration)', () => {
    const rs = verdicts(contour(CONTOUR_NAMESPACE_FROM_POD) + configuration('ingress', '{cipherSuites: [ECDHE-RSA-AES128-SHA, AES128-SHA], minimumProtocolVersion: "1.3"}'));
    expect(rs.map((r) => r.status)).toEqual(['pass']);
    expect(rs[0].message).toContain('ContourConfiguration ingress/contour spec.envoy.listener.tls.minimumProtocolVersion "1.3" makes every TLS virtual host it serves require TLS 1.3');
    expect(verdicts(contour(CONTOUR_NAMESPACE_FROM_POD) + configuration('ingress', '{cipherSuites: [ECDHE-RSA-AES128-SHA, AES128-SHA], minimumProtocolVersion: "1.2"}')).map((r) => r.status)).toEqual(['fail']);
  });

  it('its cipherSuites listing CBC and RSA key exchange suites fail the Contour Deployment, naming the ContourConfiguration', () => {
    const rs = verdicts(contour(CONTOUR_NAMESPACE_FROM_POD) + configuration('ingress', WEAK));
    expect(rs.map((r) => [r.status, `${r.resource.kind} ${r.resource.namespace}/${r.resource.name}`])).toEqual([['fail', 'Deployment ingress/contour']]);
    expect(rs[0].message).toContain('ContourConfiguration ingress/contour spec.envoy.listener.tls.cipherSuites');
    expect(rs[0].message).toContain('AES128-SHA (');
  });

  it('no cipherSuites: Contour\'s default list passes', () => {
    const rs = verdicts(contour(CONTOUR_NAMESPACE_FROM_POD) + configuration('ingress', '{minimumProtocolVersion: "1.2"}'));
    expect(rs.map((r) => r.status)).toEqual(['pass']);
    expect(rs[0].message).toContain("Contour's default list (ContourConfiguration ingress/contour sets no spec.envoy.listener.tls.cipherSuites)");
  });

  it('without CONTOUR_NAMESPACE Contour looks in "projectcontour": the one there counts, not the one in the Deployment\'s namespace', () => {
    const y = contour('[]') + configuration('ingress', '{}') + configuration('projectcontour', WEAK);
    const rs = verdicts(y);
    expect(rs.map((r) => r.status)).toEqual(['fail']);
    expect(rs[0].message).toContain('ContourConfiguration projectcontour/contour');
  });

  it('a literal CONTOUR_NAMESPACE value names the namespace', () => {
    const rs = verdicts(contour('[{name: CONTOUR_NAMESPACE, value: edge}]') + configuration('edge', WEAK));
    expect(rs.map((r) => [r.status, r.message.includes('ContourConfiguration edge/contour')])).toEqual([['fail', true]]);
  });

  it('the ContourConfiguration missing from the snapshot: no verdict, the note names it', () => {
    const y = contour(CONTOUR_NAMESPACE_FROM_POD) + configuration('elsewhere', WEAK);
    expect(verdicts(y)).toEqual([]);
    expect(weakCiphers.excluded?.(ctx(y))).toContain('Deployment ingress/contour: it reads ContourConfiguration ingress/contour (--contour-config-name), which is not in the snapshot');
  });

  it('ContourConfigurations forbidden: the check is not evaluated rather than passing Contour\'s default', () => {
    const c = ctx(contour(CONTOUR_NAMESPACE_FROM_POD));
    c.snapshot.coverage['contour.contourconfigurations'] = { status: 'forbidden', detail: 'list contourconfigurations.projectcontour.io' };
    const o = runChecks([weakCiphers], c)[0];
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toContain('contour.contourconfigurations: forbidden');
  });
});
