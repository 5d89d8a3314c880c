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
