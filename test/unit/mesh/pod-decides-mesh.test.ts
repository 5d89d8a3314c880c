// A Namespace object missing from the input leaves only what its labels and annotations decide
// unknown (test/unit/checks/mtls/namespace-not-in-input.test.ts): a workload whose pods decide
// their mesh by themselves is judged as before.
// - A template that already carries istio-proxy (`istioctl kube-inject` output) runs it; the
//   injector skips it (https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#manual-sidecar-injection).
// - The pod label sidecar.istio.io/inject: "false" decides Istio's injection ("Controlling the
//   injection policy": "If either label is disabled, the pod is not injected",
//   https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy);
//   "true" does not (the namespace's istio-injection=disabled would veto it).
// - A pod's linkerd.io/inject annotation overrides its namespace's
//   (https://linkerd.io/2/features/proxy-injection/, "Overriding injection").
// - config mesh.meshedNamespaces says the namespace is meant to be meshed, whatever its labels.
// The first two cases are the merge review's repros (/tmp/rev-mrev2 m5, m1).
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
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { deploymentYaml } from './helpers.ts';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function manifests(yaml: string, meshed: string[] = []): AuditContext {
  const config = defaultConfig();
  config.mesh.meshedNamespaces = meshed;
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-pod-decides-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'all.yaml'), yaml);
  return { snapshot: loadManifests([dir], { clusterName: 'c1' }), config, now: new Date('2026-06-01T00:00:00Z') };
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
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
`;

// The review's m5: istioctl kube-inject output, no Namespace shop.
const KUBE_INJECTED = `${ISTIOD}
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata:
      labels: {app: api, security.istio.io/tlsMode: istio, service.istio.io/canonical-name: api}
      annotations:
        sidecar.istio.io/status: '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["istio-envoy"]}'
        traffic.sidecar.istio.io/excludeInboundPorts: "9090"
    spec:
      initContainers:
      - {name: istio-init, image: docker.io/istio/proxyv2:1.24.2, args: ["istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,9090"]}
      containers:
      - name: api
        image: registry.example.com/api:1.0
        ports: [{containerPort: 8000}, {containerPort: 9090}]
      - {name: istio-proxy, image: docker.io/istio/proxyv2:1.24.2, args: ["proxy", "sidecar"]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{name: http, port: 8000}, {name: metrics, port: 9090}]}
`;

// The review's m1: a pod opted out of Linkerd, shop listed in mesh.meshedNamespaces, no Namespace shop.
const LINKERD_OPTED_OUT = `
apiVersion: v1
kind: Namespace
metadata: {name: linkerd}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data: {values: "proxy:\\n  defaultInboundPolicy: all-unauthenticated\\nproxyInit:\\n  ignoreInboundPorts: '4567,4568'\\n  ignoreOutboundPorts: '4567,4568'\\n"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: linkerd-destination, namespace: linkerd}
spec:
  selector: {matchLabels: {app: dest}}
  template:
    metadata: {labels: {app: dest}}
    spec:
      containers:
      - {name: destination, image: cr.l5d.io/linkerd/controller:edge-24.11.8}
---
${deploymentYaml('shop', 'batch', { annotations: { 'linkerd.io/inject': 'disabled' } })}
`;

const failsOn = (vs: Verdict[], name: string) => vs.filter((v) => v.status === 'fail' && v.resource.namespace === 'shop' && v.resource.name === name);

describe('a workload whose pods decide their mesh is judged without its Namespace object', () => {
  it('kube-injected Istio template: its excluded port 9090, missing authorization and ALLOW_ANY egress are findings', () => {
    const ctx = manifests(KUBE_INJECTED);
    for (const id of ['mtls.istio-excluded-inbound-ports', 'mtls.authz-missing']) {
      const check = CHECK_BY_ID.get(id)!;
      const fails = failsOn([...check.evaluate(ctx)], 'api');
      expect(fails.length, id).toBe(1);
      expect(check.unjudgedNamespaces?.(ctx), id).toEqual([]);
      expect(check.excluded?.(ctx), id).toBeUndefined();
    }
    expect(failsOn([...CHECK_BY_ID.get('mtls.istio-excluded-inbound-ports')!.evaluate(ctx)], 'api')[0].message).toMatch(/9090/);
    const egress = [...CHECK_BY_ID.get('mtls.outbound-allow-any')!.evaluate(ctx)].filter((v) => v.status === 'fail');
    expect(JSON.stringify(egress)).toMatch(/shop/);
    // Reach: what its sidecar does is known, so a call to it has an answer.
    const v = meshFlowVerdict(ctx.snapshot, ctx.config, 'external', { kind: 'Deployment', namespace: 'shop', name: 'api' }, 8000, 'TCP');
    expect(v.verdict, v.reason).not.toBe('unknown');
  });

  it('pod annotation linkerd.io/inject: disabled in a namespace config says is meshed: outside the mesh, high', () => {
    const ctx = manifests(LINKERD_OPTED_OUT, ['shop']);
    const check = CHECK_BY_ID.get('mtls.workload-outside-mesh')!;
    const fails = failsOn([...check.evaluate(ctx)], 'batch');
    expect(fails.length).toBe(1);
    expect(fails[0].severity ?? check.severity).toBe('high');
    expect(fails[0].message).toMatch(/run without a mesh proxy although the namespace is meant to be meshed \(listed in config mesh.meshedNamespaces\)/);
    expect(check.unjudgedNamespaces?.(ctx)).toEqual([]);
  });

  // A pod label sidecar.istio.io/inject: "true" does not decide (the namespace's
  // istio-injection=disabled vetoes it): test/unit/mesh/istio-inject-label-unseen-namespace.test.ts.

  // The template carries every config.linkerd.io setting it would otherwise take from the namespace
  // (linkerd-unseen-namespace-settings.test.ts): without them they are unknown and it is not judged.
  it('pod annotation linkerd.io/inject: enabled: its skipped inbound port is a finding', () => {
    const own = { 'config.linkerd.io/default-inbound-policy': 'all-authenticated', 'config.linkerd.io/skip-outbound-ports': '', 'config.linkerd.io/skip-subnets': '', 'config.linkerd.io/proxy-require-identity-inbound-ports': '' };
    const ctx = manifests(`${LINKERD_OPTED_OUT}${deploymentYaml('shop', 'api', { annotations: { 'linkerd.io/inject': 'enabled', 'config.linkerd.io/skip-inbound-ports': '9090', ...own }, ports: [8000, 9090] })}`);
    const check = CHECK_BY_ID.get('mtls.linkerd-skip-ports')!;
    expect(failsOn([...check.evaluate(ctx)], 'api').length).toBe(1);
    expect(check.unjudgedNamespaces?.(ctx)).toEqual([]);
  });

  it('a Namespace-decided workload stays unjudged, and the terminal summary says which namespace in one line', () => {
    const ctx = manifests(`${ISTIOD}${deploymentYaml('shop', 'api', { annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '9090' }, ports: [8000, 9090] })}`);
    expect(CHECK_BY_ID.get('mtls.istio-excluded-inbound-ports')!.unjudgedNamespaces?.(ctx)).toEqual(['shop']);
    const now = new Date('2026-06-01T00:00:00Z');
    const { report } = auditSnapshot({ snapshot: ctx.snapshot, config: ctx.config, checks: CHECKS, now, runId: 'r1', startedAt: now });
    let out = '';
    const io: CliIO = { stdout: (t) => { out += t; }, stderr: () => {}, env: {}, isTTY: false, cwd: '/' };
    printScoreTable(report, io);
    const unjudged = report.checks.filter((c) => c.area === 'mtls' && c.unjudgedNamespaces?.includes('shop')).length;
    expect(unjudged).toBeGreaterThan(0);
    expect(out).toContain(`\nmtls: ${unjudged} check(s) could not judge namespace(s) shop (their Namespace objects are not in the input; report.json checks[].excluded)\n`);
  });
});

describe('config mesh.meshedNamespaces and a namespace not in the input', () => {
  // Config says the namespace is meant to be meshed, not whether its pods are injected: a pod
  // that says nothing of injection is injected by the namespace's istio-injection label, unknown.
  it('a workload whose namespace decides its mesh stays unjudged; one that opts out by itself is a finding', () => {
    const ctx = manifests(`${LINKERD_OPTED_OUT}${deploymentYaml('shop', 'plain')}`, ['shop']);
    const check = CHECK_BY_ID.get('mtls.workload-outside-mesh')!;
    const judged = [...check.evaluate(ctx)].filter((v) => v.resource.namespace === 'shop').map((v) => `${v.resource.name} ${v.status}`);
    expect(judged).toEqual(['batch fail']);
    expect(check.unjudgedNamespaces?.(ctx)).toEqual(['shop']);
  });

  it('without the config, whether an opted-out workload is meant to be meshed is unknown: unjudged, not a pass', () => {
    const ctx = manifests(LINKERD_OPTED_OUT);
    const check = CHECK_BY_ID.get('mtls.workload-outside-mesh')!;
    expect([...check.evaluate(ctx)].filter((v) => v.resource.namespace === 'shop')).toEqual([]);
    expect(check.unjudgedNamespaces?.(ctx)).toEqual(['shop']);
    expect(check.excluded?.(ctx)).toMatch(/^namespace shop is not in the input .* whether the workloads there are meant to run in the mesh was not judged/);
  });
});
