// mtls.permissive-override and the age rule between workload PeerAuthentications: "If there are
// more than one workload-level policies for the same workload, the oldest one is used"
// (https://istio.io/latest/docs/reference/config/security/peer_authentication/; the same rule the
// mode resolution applies, src/analysis/mesh/istio.ts resolveIstioMode).
import { describe, expect, it } from 'vitest';
import { permissiveOverride } from '../../../checks/mtls/permissive-override.ts';
import { ctxOf, deploymentYaml, namespaceYaml } from './helpers.ts';

const pa = (name: string, created: string, mode: string, app = 'api') => `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ${name}, namespace: shop, creationTimestamp: "${created}"}
spec: {selector: {matchLabels: {app: ${app}}}, mtls: {mode: ${mode}}}
---`;

describe('mtls.permissive-override with overlapping workload policies', () => {
  it('a newer PERMISSIVE policy an older STRICT one overrides on every workload it selects has no effect: pass, naming the winner', () => {
    const ctx = ctxOf(`${namespaceYaml('shop')}${deploymentYaml('shop', 'api')}${pa('old-strict', '2025-01-01T00:00:00Z', 'STRICT')}${pa('new-permissive', '2026-01-01T00:00:00Z', 'PERMISSIVE')}`);
    const v = [...permissiveOverride.evaluate(ctx)].find((x) => x.resource.name === 'new-permissive');
    expect(v).toMatchObject({ status: 'pass', evidence: { overriddenBy: ['shop/old-strict'], affectedWorkloads: 0 } });
    expect(v?.message).toContain('has no effect: the older shop/old-strict decides for every workload it selects');
  });

  it('the older PERMISSIVE policy, which does decide, still fails; so does one that selects a workload no older policy covers', () => {
    const ctx = ctxOf(`${namespaceYaml('shop')}${deploymentYaml('shop', 'api')}${deploymentYaml('shop', 'web', { labels: { app: 'web', tier: 'api' } })}${pa('old-permissive', '2025-01-01T00:00:00Z', 'PERMISSIVE')}${pa('new-strict', '2026-01-01T00:00:00Z', 'STRICT')}${pa('web-permissive', '2026-01-01T00:00:00Z', 'PERMISSIVE', 'web')}`);
    const v = [...permissiveOverride.evaluate(ctx)];
    expect(v.find((x) => x.resource.name === 'old-permissive')).toMatchObject({ status: 'fail', severity: 'medium', evidence: { affectedWorkloads: 1 } });
    expect(v.find((x) => x.resource.name === 'web-permissive')).toMatchObject({ status: 'fail', evidence: { affectedWorkloads: 1 } });
  });
});
