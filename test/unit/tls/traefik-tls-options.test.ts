// Which Traefik TLSOptions are in effect: Traefik v3 reads the traefik.io group only (v3.0 removed
// traefik.containo.us, https://doc.traefik.io/traefik/migration/v2-to-v3/), one namespace/name is
// one TLSOption, and "default" is dropped only when several namespaces define one
// (https://doc.traefik.io/traefik/reference/routing-configuration/http/tls/tls-options/;
// /work/shared/reference/checks.md 5.5: "more than one `default` across namespaces → all dropped").
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';

function ctx(yamlText: string): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}
const traefik = (image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  selector: {matchLabels: {app: traefik}}
  template:
    metadata: {labels: {app: traefik}}
    spec:
      containers: [{name: traefik, image: ${image}, args: [--providers.kubernetescrd]}]
---`;
const option = (group: string, ns: string) => `
apiVersion: ${group}/v1alpha1
kind: TLSOption
metadata: {name: default, namespace: ${ns}}
spec: {minVersion: VersionTLS10}
---`;
const tlsOptionResults = (y: string) => [...legacyProtocolEnabled.evaluate(ctx(y)), ...weakCiphers.evaluate(ctx(y))].filter((r) => r.resource.kind === 'TLSOption');

describe('Traefik TLSOptions in effect', () => {
  it('Traefik v3 with a leftover traefik.containo.us copy of traefik/default: the traefik.io one applies and fails, once per check', () => {
    const rs = tlsOptionResults(traefik('docker.io/traefik:v3.3.4') + option('traefik.io', 'traefik') + option('traefik.containo.us', 'traefik'));
    expect(rs.map((r) => [r.status, `${r.resource.namespace}/${r.resource.name}`])).toEqual([['fail', 'traefik/default'], ['fail', 'traefik/default']]);
    expect(rs[0].message).toContain('allows VersionTLS10, and as the default option it applies to every router');
  });
  it('Traefik v3 ignores a "default" of the legacy group in another namespace: the traefik.io default is not dropped', () => {
    const rs = tlsOptionResults(traefik('traefik:v3.1') + option('traefik.io', 'traefik') + option('traefik.containo.us', 'legacy'));
    expect(rs.map((r) => `${r.status} ${r.resource.namespace}`)).toEqual(['fail traefik', 'fail traefik']);
  });
  it('with the Traefik version unknown both groups are read, the same namespace/name counted once', () => {
    const same = tlsOptionResults(traefik('traefik:latest') + option('traefik.io', 'traefik') + option('traefik.containo.us', 'traefik'));
    expect(same.map((r) => r.status)).toEqual(['fail', 'fail']);
    const two = tlsOptionResults(traefik('traefik:latest') + option('traefik.io', 'traefik') + option('traefik.containo.us', 'legacy'));
    expect(two.map((r) => `${r.status} ${r.resource.namespace}`)).toEqual(['pass traefik', 'pass legacy', 'pass traefik', 'pass legacy']);
    expect(two[0].message).toContain('2 namespaces hold a TLSOption named "default"');
  });
  it('Traefik v2 reads the legacy group: defaults in two namespaces are dropped', () => {
    const rs = tlsOptionResults(traefik('traefik:v2.11.2') + option('traefik.io', 'a') + option('traefik.containo.us', 'b'));
    expect(rs.every((r) => r.status === 'pass' && r.message.includes('dropped by Traefik'))).toBe(true);
    expect(rs).toHaveLength(4);
  });
});
