// A waiver is granted for the scope its finding had: member churn inside it is no growth, a
// member beyond it is. A mesh-wide PeerAuthentication (one in Istio's root namespace applies to
// every workload of the mesh, https://istio.io/latest/docs/concepts/security/#peer-authentication)
// set to PERMISSIVE stands for the workloads it reaches; waived while it reached shop only, a
// workload of a new generated name in shop is the same exposure, one in pay is wider than what
// was accepted. The check here is local (fake) so the members are exact; the diff is the real one.
import { describe, expect, it } from 'vitest';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { Check } from '../../../src/engine/types.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const meshWidePermissive: Check = {
  id: 'mtls.fake-mesh-permissive', area: 'mtls', title: 'Mesh-wide mTLS is STRICT', severity: 'high', protectsAgainst: 'a test scenario',
  controls: ['NIST-800-53:SC-8'], remediation: 'Set STRICT.', needs: ['deployments'],
  evaluate(ctx) {
    const members = (ctx.snapshot.resources.deployments ?? []).map((d) => `Deployment ${d.metadata?.namespace}/${d.metadata?.name}`);
    return [{ status: 'fail', resource: { kind: 'PeerAuthentication', namespace: 'istio-system', name: 'default' }, message: `${members.length} workload(s) accept plaintext`, extent: { unit: 'workloads', members } }];
  },
};
const deployment = (namespace: string, name: string): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace }, spec: {} });

function audit(runId: string, objects: KubeObject[]): RunReport {
  const at = new Date('2026-12-01T02:00:00Z');
  const config = defaultConfig();
  config.waivers = [{ check: meshWidePermissive.id, resource: { kind: 'PeerAuthentication', namespace: 'istio-system', name: 'default' }, reason: 'shop migrates to STRICT in Q3', owner: 'platform@example.com', expires: '2099-06-30' }];
  const snapshot = snapshotFromObjects(objects, { clusterName: 'demo', collectedAt: at.toISOString() });
  return auditSnapshot({ snapshot, config, checks: [meshWidePermissive], now: at, runId, startedAt: at }).report;
}
function twoRuns(before: KubeObject[], after: KubeObject[]): RunReport {
  const first = audit('run-1', before);
  const second = audit('run-2', after);
  second.diff = diffRuns(first, second, { rules: defaultConfig().regression, expiredWaivers: [] });
  return second;
}

describe('a waived finding whose members change', () => {
  it('a workload of a new generated name in a namespace the waived finding already reached: no regression', () => {
    const r = twoRuns([deployment('shop', 'web'), deployment('shop', 'build-abc12')], [deployment('shop', 'web'), deployment('shop', 'build-xyz34')]);
    expect(r.findings[0]).toMatchObject({ waived: true });
    expect(r.diff!.regressionReasons).toEqual([]);
    expect(r.diff!.regression).toBe(false);
  });

  it('a workload in a namespace it did not reach: a regression naming the waiver and that workload only', () => {
    const r = twoRuns([deployment('shop', 'web'), deployment('shop', 'build-abc12')], [deployment('shop', 'web'), deployment('shop', 'build-xyz34'), deployment('pay', 'api')]);
    expect(r.diff!.regressionReasons).toEqual([
      'waived finding grew beyond its waiver (mtls.fake-mesh-permissive PeerAuthentication istio-system/default): mtls.fake-mesh-permissive on PeerAuthentication istio-system/default widened: now also Deployment pay/api (2 → 3 workloads)',
    ]);
    expect(r.diff!.regression).toBe(true);
  });
});
