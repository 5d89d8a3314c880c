// Traefik's IngressRouteTCP (https://doc.traefik.io/traefik/routing/providers/kubernetes-crd/#kind-ingressroutetcp):
// a TCP router whose spec.tls terminates TLS with its secretName, the TLSOption spec.tls.options
// names (its namespace defaulting to the route's), else Traefik's default option; with
// tls.passthrough: true it "delegates the TLS termination to the backend" and Traefik builds no
// TLS configuration for it (traefik/traefik pkg/provider/kubernetes/crd/kubernetes_tcp.go,
// loadIngressRouteTCPConfiguration). So an IngressRouteTCP that terminates TLS is a router that
// takes Traefik's default TLS option, and a passthrough one is the backend's TLS, as behind a
// Gateway API Passthrough listener.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';

function ctx(yamlText: string): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}

/** Traefik v2.8.8 (its built-in default TLS option sets no minimum: Go's TLS 1.0) with one TCP entryPoint and no TLSOption named default. */
const traefik = (group: string, tls: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  selector: {matchLabels: {app: traefik}}
  template:
    metadata: {labels: {app: traefik}}
    spec:
      containers:
      - name: traefik
        image: docker.io/traefik:v2.8.8
        args: [--entrypoints.postgres.address=:5432, --providers.kubernetescrd]
---
apiVersion: ${group}/v1alpha1
kind: IngressRouteTCP
metadata: {name: postgres, namespace: db}
spec:
  entryPoints: [postgres]
  routes:
  - match: HostSNI(\`db.example.com\`) || HostSNI(\`replica.example.com\`)
    services: [{name: postgres, port: 5432}]
  tls: ${tls}
`;

const defaultOptionVerdicts = (c: AuditContext) => [...legacyProtocolEnabled.evaluate(c), ...weakCiphers.evaluate(c)].filter((v) => v.detailKey === 'traefik-default-tls-options');

describe('Traefik IngressRouteTCP', () => {
  it('one terminating TLS is a TLS router: Traefik\'s built-in default TLS option fails both checks', () => {
    const c = ctx(traefik('traefik.containo.us', '{secretName: db-cert}'));
    const verdicts = defaultOptionVerdicts(c);
    expect(verdicts.map((v) => [v.status, v.resource.kind, `${v.resource.namespace}/${v.resource.name}`])).toEqual([
      ['fail', 'Deployment', 'traefik/traefik'],
      ['fail', 'Deployment', 'traefik/traefik'],
    ]);
    expect(verdicts[0].message).toContain('accept TLS 1.0 and 1.1');
    expect(verdicts[0].evidence?.tlsRouter).toBe('IngressRouteTCP db/postgres (tls)');
  });

  // Traefik v2.8 reads traefik.containo.us only: its CRD client is generated for GroupName
  // "traefik.containo.us" (pkg/provider/kubernetes/crd/traefik/v1alpha1/register.go@v2.8.8);
  // traefik.io came with v2.10 (pkg/provider/kubernetes/crd/traefikio/v1alpha1/register.go@v2.10.0).
  it('one of API group traefik.io, which v2.8.8 does not read, is no router: no default-option finding', () => {
    expect(defaultOptionVerdicts(ctx(traefik('traefik.io', '{secretName: db-cert}')))).toEqual([]);
  });

  it('one passing TLS through terminates nothing: no default-option finding, and the note names the route and its SNI hosts for --probe-tls', () => {
    const c = ctx(traefik('traefik.containo.us', '{passthrough: true}'));
    expect(defaultOptionVerdicts(c)).toEqual([]);
    expect(legacyProtocolEnabled.excluded?.(c)).toContain('1 Traefik IngressRouteTCP(s) pass TLS through to the backend (tls.passthrough: true), so Traefik never terminates it, no TLSOption applies and the backend decides the TLS version: db/postgres (HostSNI "db.example.com", "replica.example.com")');
  });

  it('passthrough with a secretName still passes TLS through (Traefik reads the Secret only when not passing through)', () => {
    expect(defaultOptionVerdicts(ctx(traefik('traefik.containo.us', '{passthrough: true, secretName: db-cert}')))).toEqual([]);
  });

  it('IngressRouteTCPs forbidden while no other TLS router is seen: the default option is not evaluated, never passed', () => {
    const c = ctx(traefik('traefik.io', '{secretName: db-cert}').split('---')[0]);
    c.snapshot.coverage['traefik.ingressroutetcps'] = { status: 'forbidden', detail: 'list ingressroutetcps.traefik.io' };
    for (const o of runChecks([weakCiphers, legacyProtocolEnabled], c)) {
      expect(o.status, o.check.id).toBe('not-evaluated');
      expect(o.reason, o.check.id).toContain('traefik.ingressroutetcps: forbidden (list ingressroutetcps.traefik.io)');
    }
  });
});
