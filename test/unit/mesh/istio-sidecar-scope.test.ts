// An Istio sidecar has outbound listeners only for the Services in its registry: those exported to
// its namespace (annotation networking.istio.io/exportTo) and, when the Sidecar that applies to it
// lists egress hosts, imported by one of them ("namespace/dnsName": "./*", "ns/*", "*/*", "~/*", or a
// host FQDN) (https://istio.io/latest/docs/reference/config/networking/sidecar/#IstioEgressListener).
// A call to a Service outside the registry matches no listener: PassthroughCluster, without TLS
// (istio/istio#22220), or BlackHoleCluster under REGISTRY_ONLY
// (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-OutboundTrafficPolicy-Mode).
// Repro: /tmp/revE/istio/sc/all.yaml (the common namespace-scoping Sidecar).
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { sidecarImportsService } from '../../../src/analysis/mesh/outbound.ts';
import { ctxOf, deploymentYaml, namespaceYaml } from './helpers.ts';

const service = (annotations = '') => `
apiVersion: v1
kind: Service
metadata: {name: db, namespace: data${annotations ? `, annotations: {${annotations}}` : ''}}
spec: {selector: {app: db}, ports: [{name: tcp-pg, port: 5432}]}
---`;
const sidecar = (hosts: string[], extra = '') => `
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  egress: [{hosts: ${JSON.stringify(hosts)}}]${extra}
---`;
const DENY = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db-not-from-web, namespace: data}
spec:
  selector: {matchLabels: {app: db}}
  action: DENY
  rules: [{from: [{source: {principals: ["cluster.local/ns/shop/sa/web"]}}]}]
---`;
const base = `${namespaceYaml('shop')}${namespaceYaml('data')}${deploymentYaml('shop', 'web', { serviceAccount: 'web' })}${deploymentYaml('data', 'db', { serviceAccount: 'db', ports: [5432] })}${DENY}`;
const verdict = (yaml: string) => {
  const ctx = ctxOf(yaml);
  return meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: 'shop', name: 'web' }, { kind: 'Deployment', namespace: 'data', name: 'db' }, 5432, 'TCP');
};

describe('Istio: a Service outside the caller sidecar\'s registry is reached through PassthroughCluster', () => {
  it('no Sidecar: the Service is imported, mTLS, the DENY on the caller\'s principal matches', () => {
    expect(verdict(`${base}${service()}`)).toMatchObject({ verdict: 'denied', plaintext: false, policy: { name: 'db-not-from-web' } });
  });

  it('a namespace-scoping Sidecar ("./*", "istio-system/*") in the caller\'s namespace: plaintext, the DENY does not match', () => {
    const v = verdict(`${base}${service()}${sidecar(['./*', 'istio-system/*'])}`);
    expect(v).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(v.reason).toContain('shop/web\'s sidecar sends a call to port 5432 of data/db in plaintext: no Service in its registry leads to port 5432 (Service data/db not imported into namespace shop: Sidecar shop/default egress hosts "./*", "istio-system/*")');
  });

  it('egress hosts that import the Service keep mTLS: "data/*", "*/*", the FQDN, a wildcard over it', () => {
    for (const h of ['data/*', '*/*', 'data/db.data.svc.cluster.local', '*/*.data.svc.cluster.local']) {
      expect(verdict(`${base}${service()}${sidecar(['./*', h])}`), h).toMatchObject({ verdict: 'denied', plaintext: false });
    }
    // "~/*" imports nothing; another namespace's FQDN does not match.
    for (const h of ['~/*', 'data/other.data.svc.cluster.local', 'other/*']) {
      expect(verdict(`${base}${service()}${sidecar([h])}`), h).toMatchObject({ verdict: 'allowed', plaintext: true });
    }
  });

  it('a Service exported only to its own namespace (exportTo ".") is outside the registry even with no Sidecar', () => {
    expect(verdict(`${base}${service('"networking.istio.io/exportTo": "."')}`)).toMatchObject({ verdict: 'allowed', plaintext: true });
    expect(verdict(`${base}${service('"networking.istio.io/exportTo": "data, shop"')}`)).toMatchObject({ verdict: 'denied', plaintext: false });
  });

  it('REGISTRY_ONLY on the scoping Sidecar: the caller\'s sidecar drops the call', () => {
    const v = verdict(`${base}${service()}${sidecar(['./*'], '\n  outboundTrafficPolicy: {mode: REGISTRY_ONLY}')}`);
    expect(v).toMatchObject({ verdict: 'denied', plaintext: false, enforcedBy: 'shop/web\'s sidecar' });
    expect(v.reason).toContain('BlackHoleCluster');
  });

  it('Sidecars unreadable: the Service counts as imported (today\'s answer), said so', () => {
    const ctx = ctxOf(`${base}${service()}`);
    ctx.snapshot.coverage['istio.sidecars'] = { status: 'forbidden', detail: 'list sidecars.networking.istio.io' };
    const v = meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: 'shop', name: 'web' }, { kind: 'Deployment', namespace: 'data', name: 'db' }, 5432, 'TCP');
    expect(v).toMatchObject({ verdict: 'denied', plaintext: false });
    expect(v.reason).toContain('Sidecars could not be read (forbidden): one whose egress hosts do not import the Service sends the call through PassthroughCluster in plaintext');
  });

  it('sidecarImportsService: the host forms of the Sidecar docs', () => {
    const imports = (hosts: string[] | undefined, exportTo?: string[]) => sidecarImportsService(hosts, exportTo, 'shop', 'data', 'db');
    expect(imports(undefined)).toBe(true);
    expect(imports(['./*'])).toBe(false);
    expect(sidecarImportsService(['./*'], undefined, 'data', 'data', 'db')).toBe(true);
    expect(imports(['data/*.svc.cluster.local'])).toBe(true);
    expect(imports(['*/db.data.svc.cluster.local'])).toBe(true);
    expect(imports(['db.data.svc.cluster.local'])).toBe(false);
    expect(imports(undefined, ['~'])).toBe(false);
    expect(imports(undefined, ['*'])).toBe(true);
    expect(imports(['data/*'], ['.'])).toBe(false);
  });
});
