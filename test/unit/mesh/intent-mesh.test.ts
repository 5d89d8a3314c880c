// Segmentation intent is judged on the effective answer of both layers, and the evidence says
// which layer enforces it (the fixtures of network.intent-violation, read as a user would).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_BY_ID } from '../../../checks/index.ts';
import { loadFixture, loadFixtureConfig } from '../../helpers/fixtures.ts';

const DIR = join(import.meta.dirname, '../../fixtures/checks/network.intent-violation');
const check = CHECK_BY_ID.get('network.intent-violation')!;
const config = loadFixtureConfig(DIR, new Set(CHECK_BY_ID.keys()))!;
// The check's own verdicts (the engine keeps only counts of passes, so evaluate directly).
const results = (file: string) => [...check.evaluate({ snapshot: loadFixture(join(DIR, file)), config, now: new Date('2026-06-01T00:00:00Z') })];

describe('network.intent-violation on both layers', () => {
  it('the network allows web -> db, the mesh refuses it: passes, enforced by the mesh, naming its verdict', () => {
    const [r] = results('pass.mesh-denies.yaml');
    expect(r.status).toBe('pass');
    expect(r.message).toBe('intent "web-never-db" holds at the mesh: the network lets shop pods {app=web} reach shop pods {app=db} (1 pod-class flow(s)), but the destination\'s mesh authorization refuses every one');
    expect(r.evidence).toMatchObject({ enforcedBy: 'mesh', flows: [{ from: ['Deployment shop/web'], to: ['StatefulSet shop/db'], ports: 'TCP 5432', mesh: { mesh: 'istio', verdict: 'denied', port: 5432, reason: 'no ALLOW AuthorizationPolicy matches principal cluster.local/ns/shop/sa/web on port 5432 (applying: shop/db-from-api)' } }] });
  });

  it('both layers allow it: fails, with the mesh verdict per flow', () => {
    const [r] = results('fail.mesh-allows-web.yaml');
    expect(r.status).toBe('fail');
    expect(r.evidence).toMatchObject({ enforcedBy: 'none', flows: [{ from: ['Deployment shop/web'], to: ['StatefulSet shop/db'], ports: 'TCP 5432', mesh: { verdict: 'allowed', policy: 'AuthorizationPolicy shop/db-from-web rules[0]' } }] });
  });

  it('the network alone refuses it: enforced by the network', () => {
    expect(results('pass.db-isolated.yaml')[0].evidence).toMatchObject({ enforcedBy: 'network' });
  });
});

// The reviewer's repros dr1 and dr2, as fixtures.
describe('network.intent-violation and the DestinationRule an Istio caller is given', () => {
  it('a DISABLE rule whose workloadSelector picks batch leaves web on Istio mTLS: db\'s ALLOW admits web, violated (was: a pass, "web\'s sidecar sends no Istio mutual TLS")', () => {
    // workloadSelector: applied only to the workloads it selects in the rule's namespace
    // (https://istio.io/latest/docs/reference/config/networking/destination-rule/; pilot/pkg/model/sidecar.go SidecarScope.DestinationRule).
    const [r] = results('fail.dr-selector-for-other-client.yaml');
    expect(r.status).toBe('fail');
    expect(r.evidence).toMatchObject({ enforcedBy: 'none', flows: [{ from: ['Deployment shop/web'], to: ['Deployment shop/db'], mesh: { verdict: 'allowed', policy: 'AuthorizationPolicy shop/db-allow rules[0]' } }] });
  });

  it('the mesh VirtualService routes web to the subset that disables TLS: web\'s plaintext escapes the DENY, violated with the mesh allowing it (was: unknown, "routes of sidecars are not read")', () => {
    // "Policies specified for subsets will not take effect until a route rule explicitly sends traffic
    // to this subset" (https://istio.io/latest/docs/reference/config/networking/destination-rule/#Subset);
    // a VirtualService without gateways is bound to the reserved gateway mesh, the sidecars
    // (https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService).
    const [r] = results('fail.dr-subset-disable.yaml');
    expect(r.status).toBe('fail');
    const flow = (r.evidence as { flows: Array<{ mesh: { verdict: string; reason: string } }> }).flows[0];
    expect(flow.mesh.verdict).toBe('allowed');
    expect(flow.mesh.reason).toContain('every route VirtualService shop/db gives the caller sends no Istio mTLS (VirtualService shop/db tcp[0] routes to subset v1, whose tls.mode is DISABLE)');
  });

  it('the route sends web to another subset, which keeps auto mTLS: the DENY on web\'s principal holds, a pass (was: unknown, no pass)', () => {
    const [r] = results('pass.dr-subset-disable-unrouted.yaml');
    expect(r.status).toBe('pass');
    expect(r.evidence).toMatchObject({ enforcedBy: 'mesh', flows: [{ mesh: { verdict: 'denied', policy: 'AuthorizationPolicy shop/deny-web rules[0]' } }] });
  });
});

describe('network.intent-violation reads the mesh VirtualServices only where a subset sets client TLS', () => {
  it('with VirtualServices forbidden, a DestinationRule subset with its own tls makes it not evaluated; without such a subset it is evaluated', async () => {
    const { runChecks } = await import('../../../src/engine/run.ts');
    const withSubset = loadFixture(join(DIR, 'pass.dr-subset-disable-unrouted.yaml'));
    withSubset.coverage['istio.virtualservices'] = { status: 'forbidden', detail: 'list virtualservices.networking.istio.io' };
    const [o] = runChecks([check], { snapshot: withSubset, config, now: new Date('2026-06-01T00:00:00Z') });
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toContain('istio.virtualservices: forbidden');
    const noSubset = loadFixture(join(DIR, 'pass.mesh-deny-principal-dr-istio-mutual.yaml'));
    noSubset.coverage['istio.virtualservices'] = { status: 'forbidden', detail: 'list virtualservices.networking.istio.io' };
    expect(runChecks([check], { snapshot: noSubset, config, now: new Date('2026-06-01T00:00:00Z') })[0].status).toBe('pass');
  });
});

describe('network.intent-violation reads the Services wherever Istio runs', () => {
  it('with Services forbidden and no DestinationRule, it is not evaluated: which ports a Service leads to decides whether a sidecar caller sends mTLS', async () => {
    // A pod port no Service leads to is reached through Istio's PassthroughCluster, without TLS
    // (istio pilot buildDefaultPassthroughCluster; istio/istio#22220), so unread Services would
    // turn every meshed call into plaintext (was: evaluated, the Services read only with DestinationRules).
    const { runChecks } = await import('../../../src/engine/run.ts');
    const snapshot = loadFixture(join(DIR, 'pass.mesh-denies.yaml'));
    expect(snapshot.resources['istio.destinationrules'] ?? []).toEqual([]);
    snapshot.coverage.services = { status: 'forbidden', detail: 'list services' };
    const [o] = runChecks([check], { snapshot, config, now: new Date('2026-06-01T00:00:00Z') });
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toContain('services: forbidden');
  });
});

describe('network.intent-violation reads what Linkerd attaches to a Server', () => {
  it('with the Gateway API GRPCRoutes forbidden, it is not evaluated (a route attached to a Server can change the mesh verdict)', async () => {
    const { runChecks } = await import('../../../src/engine/run.ts');
    const snapshot = loadFixture(join(DIR, 'pass.mesh-denies.yaml'));
    const ctx = { snapshot, config, now: new Date('2026-06-01T00:00:00Z') };
    expect(runChecks([check], ctx)[0].status).toBe('pass');
    snapshot.coverage['gatewayapi.grpcroutes'] = { status: 'forbidden', detail: 'list grpcroutes.gateway.networking.k8s.io' };
    const [o] = runChecks([check], ctx);
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toContain('gatewayapi.grpcroutes: forbidden');
  });
});

// Repro /tmp/revE/istio/sc, as a fixture: a scoping Sidecar of the caller's namespace.
describe('network.intent-violation and the Services an Istio caller\'s Sidecar imports', () => {
  it('web\'s Sidecar imports only istio-system\'s Services: its call to db goes through PassthroughCluster without mTLS, the DENY on its principal cannot match it, violated (was: a pass)', () => {
    // Egress hosts "namespace/dnsName" (https://istio.io/latest/docs/reference/config/networking/sidecar/#IstioEgressListener).
    const [r] = results('fail.sidecar-egress-hides-db.yaml');
    expect(r.status).toBe('fail');
    const flow = (r.evidence as { flows: Array<{ mesh: { verdict: string; reason: string } }> }).flows[0];
    expect(flow.mesh.verdict).toBe('allowed');
    expect(flow.mesh.reason).toContain('no Service in its registry leads to port 5432 (Service shop/db not imported into namespace shop: Sidecar shop/default egress hosts "istio-system/*")');
  });
});
