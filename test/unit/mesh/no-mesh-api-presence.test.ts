// Whether a mesh runs needs the workloads read only while its API may be served: Istio cannot run
// without its CRDs (istiod watches them; the base chart installs them before istiod:
// https://istio.io/latest/docs/setup/install/helm/#installation-steps). On a live cluster that
// serves no mesh API at all, a forbidden workload kind leaves the answer known: no mesh, so the
// Istio-only checks are not applicable — not "not evaluated" as if Istio might run unseen.
import { describe, expect, it } from 'vitest';
import { invalidPeerAuthentication } from '../../../checks/mtls/invalid-peerauthentication.ts';
import { runChecks } from '../../../src/engine/run.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { ctxOf, deployment } from './helpers.ts';

/** A live cluster with one plain workload; replicationcontrollers refused by RBAC. */
function liveWithoutReplicationControllers(): AuditContext {
  const ctx = ctxOf('', undefined, [deployment('shop', 'web')]);
  ctx.snapshot.source = 'live';
  ctx.snapshot.origin = 'live';
  ctx.snapshot.coverage.replicationcontrollers = { status: 'forbidden', detail: 'list replicationcontrollers' };
  return ctx;
}

const outcome = (ctx: AuditContext) => runChecks([invalidPeerAuthentication], ctx)[0];

describe('mesh presence reads on a cluster without any mesh API', () => {
  it('no mesh API served, replicationcontrollers forbidden: mtls.invalid-peerauthentication is not applicable', () => {
    const ctx = liveWithoutReplicationControllers();
    expect(ctx.snapshot.coverage['istio.peerauthentications']?.status).toBe('absent');
    const o = outcome(ctx);
    expect(o.status).toBe('not-applicable');
    expect(o.reason).toBe('applies only when Istio is installed');
  });

  it('Istio\'s API served (CRDs left, nothing found running) and replicationcontrollers forbidden: still not evaluated', () => {
    const ctx = liveWithoutReplicationControllers();
    ctx.snapshot.coverage['istio.peerauthentications'] = { status: 'ok', count: 0 };
    const o = outcome(ctx);
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toContain('replicationcontrollers: forbidden (list replicationcontrollers) for the workloads that would show whether Istio runs');
  });

  it('from a manifests directory, a mesh kind without objects says nothing of the cluster\'s CRDs: the read still holds', () => {
    const ctx = liveWithoutReplicationControllers();
    ctx.snapshot.source = 'manifests';
    ctx.snapshot.origin = 'manifests';
    expect(outcome(ctx).status).toBe('not-evaluated');
  });

  it('whether Istio\'s API is served is unknown (its list failed): not evaluated, never not applicable', () => {
    const ctx = liveWithoutReplicationControllers();
    ctx.snapshot.coverage['istio.destinationrules'] = { status: 'error', detail: 'API discovery failed' };
    expect(outcome(ctx).status).toBe('not-evaluated');
  });
});
