// A pod label sidecar.istio.io/inject: "true" does not decide Istio's injection by itself: in
// "Controlling the injection policy"
// (https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy)
// the namespace label istio-injection=disabled wins over the pod's "true" ("If either label is
// disabled, the pod is not injected"). So where the Namespace object is not in the input (a
// partial manifests directory), such a pod's injection is unknown: unjudged, with the summary
// line naming the namespace, and never a verdict read off an assumed sidecar. A pod label
// "false" does decide (no namespace label injects over it).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS, CHECK_BY_ID } from '../../../checks/index.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import type { CliIO } from '../../../src/cli/io.ts';
import { printScoreTable } from '../../../src/cli/score-table.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { deploymentYaml, namespaceYaml } from './helpers.ts';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function manifests(yaml: string): AuditContext {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-inject-label-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'all.yaml'), yaml);
  return { snapshot: loadManifests([dir], { clusterName: 'c1' }), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}

const ISTIOD = `
apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istiod, namespace: istio-system}
spec:
  selector: {matchLabels: {app: istiod}}
  template:
    metadata: {labels: {app: istiod}}
    spec:
      containers:
      - {name: discovery, image: docker.io/istio/pilot:1.24.2}
---
`;

/** A helm-rendered Deployment asking for a sidecar by its pod label, excluding port 9090 from it. */
const api = (label: 'true' | 'false') => deploymentYaml('shop', 'api', { labels: { app: 'api', 'sidecar.istio.io/inject': label }, annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '9090' }, ports: [8000, 9090] });
const EXCLUDED = CHECK_BY_ID.get('mtls.istio-excluded-inbound-ports')!;
const apiFails = (ctx: AuditContext) => [...EXCLUDED.evaluate(ctx)].filter((v) => v.status === 'fail' && v.resource.namespace === 'shop' && v.resource.name === 'api');

describe('pod label sidecar.istio.io/inject: "true" in a namespace not in the input', () => {
  it('the namespace label istio-injection=disabled vetoes it: with the Namespace in the input, no sidecar, so no excluded-port finding', () => {
    const ctx = manifests(`${ISTIOD}${namespaceYaml('shop', 'istio-injection: disabled')}${api('true')}`);
    expect(apiFails(ctx)).toEqual([]);
    expect(EXCLUDED.unjudgedNamespaces?.(ctx)).toEqual([]);
  });

  it('with the Namespace in the input and no label, the pod label injects: its excluded port 9090 is a finding', () => {
    const ctx = manifests(`${ISTIOD}${namespaceYaml('shop', '')}${api('true')}`);
    expect(apiFails(ctx).map((v) => v.message).join('\n')).toMatch(/9090/);
  });

  it('without the Namespace object its injection is unknown: unjudged, no finding, reach cannot answer, and the summary names shop', () => {
    const ctx = manifests(`${ISTIOD}${api('true')}`);
    expect(apiFails(ctx)).toEqual([]);
    expect(EXCLUDED.unjudgedNamespaces?.(ctx)).toEqual(['shop']);
    expect(EXCLUDED.excluded?.(ctx)).toMatch(/^namespace shop is not in the input/);
    const v = meshFlowVerdict(ctx.snapshot, ctx.config, 'external', { kind: 'Deployment', namespace: 'shop', name: 'api' }, 8000, 'TCP');
    expect(v.verdict).toBe('unknown');
    expect(v.reason).toMatch(/namespace shop is not in the input/);
    const now = new Date('2026-06-01T00:00:00Z');
    const { report } = auditSnapshot({ snapshot: ctx.snapshot, config: ctx.config, checks: CHECKS, now, runId: 'r1', startedAt: now });
    let out = '';
    const io: CliIO = { stdout: (t) => { out += t; }, stderr: () => {}, env: {}, isTTY: false, cwd: '/' };
    printScoreTable(report, io);
    expect(out).toMatch(/\nmtls: \d+ check\(s\) could not judge namespace\(s\) shop \(their Namespace objects are not in the input/);
  });

  it('a pod label "false" decides by itself (no namespace label injects over it): judged without the Namespace', () => {
    const ctx = manifests(`${ISTIOD}${api('false')}`);
    expect(EXCLUDED.unjudgedNamespaces?.(ctx)).toEqual([]);
  });
});
