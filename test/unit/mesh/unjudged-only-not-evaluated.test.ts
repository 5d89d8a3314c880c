// A mesh check whose every candidate is in a namespace not in the input (its Namespace object
// missing, so the labels that decide injection are unknown: istio-injection, istio.io/rev,
// https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy)
// judged nothing: it is not evaluated, never a pass. DESIGN.md, "Missing data is not a fix"
// and "an area with checks not evaluated never shows a clean grade": the mtls area shows no
// grade, its score table says how many checks were evaluated, and the reason names the namespace.
// A check that judged something there besides keeps its verdict and the summary line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import type { CliIO } from '../../../src/cli/io.ts';
import { printScoreTable } from '../../../src/cli/score-table.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { deploymentYaml, namespaceYaml } from './helpers.ts';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

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
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
`;
const API = deploymentYaml('shop', 'api', { annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '9090' }, ports: [8000, 9090] });

function audit(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-unjudged-only-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'all.yaml'), yaml);
  const now = new Date('2026-06-01T00:00:00Z');
  const { report } = auditSnapshot({ snapshot: loadManifests([dir], { clusterName: 'c1' }), config: defaultConfig(), checks: CHECKS, now, runId: 'r1', startedAt: now });
  let out = '';
  const io: CliIO = { stdout: (t) => { out += t; }, stderr: () => {}, env: {}, isTTY: false, cwd: '/' };
  printScoreTable(report, io);
  return { report, out, check: (id: string) => report.checks.find((c) => c.id === id)! };
}

describe('a mesh check that could judge only workloads of namespaces not in the input', () => {
  it('is not evaluated (not a pass), its reason names the namespace, and the mtls area shows no clean grade', () => {
    const { report, out, check } = audit(`${ISTIOD}${API}`);
    for (const id of ['mtls.istio-excluded-inbound-ports', 'mtls.authz-missing', 'mtls.workload-outside-mesh']) {
      expect(check(id).status, id).toBe('not-evaluated');
      expect(check(id).reason, id).toMatch(/^judged nothing: all it would judge is in namespace shop, not in the input \(namespace shop is not in the input/);
      expect(check(id).unjudgedNamespaces, id).toEqual(['shop']);
    }
    // The mesh-wide PeerAuthentication is judged all the same: a verdict, not "not evaluated".
    expect(check('mtls.mesh-not-strict').status).toBe('pass');
    expect(report.score.areas.mtls).not.toBeNull();
    expect(out).toMatch(/\nmtls +[\d.]+ +n\/a +\d+\/\d+, [1-9]\d* not evaluated \(score over \d+\/\d+ checks\)\n/);
    expect(out).toContain('could not judge namespace(s) shop');
  });

  it('with the Namespace object in the input, the same checks are judged: the excluded port is a finding', () => {
    const { check } = audit(`${ISTIOD}${namespaceYaml('shop')}${API}`);
    expect(check('mtls.istio-excluded-inbound-ports').status).toBe('fail');
    expect(check('mtls.authz-missing').status).toBe('fail');
  });

  it('a check that judged a workload elsewhere keeps its verdict and names the unjudged namespace', () => {
    const { check } = audit(`${ISTIOD}${namespaceYaml('web')}${deploymentYaml('web', 'front')}${API}`);
    expect(check('mtls.istio-excluded-inbound-ports').status).toBe('pass');
    expect(check('mtls.istio-excluded-inbound-ports').unjudgedNamespaces).toEqual(['shop']);
  });
});
