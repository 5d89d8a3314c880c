// A mesh finding over many workloads (mtls.mesh-not-strict, outbound-allow-any, permissive-override,
// consul-default-allow) lists them as the network findings do, by their most stable name: the
// run-2 Workflow of the same CronWorkflow is the same member, not a widening, while a Deployment
// that was not there before still is.
//
// Labels per upstream: Argo's CronWorkflow makes Workflows "with a generated name based on the
// CronWorkflow name" (https://argo-workflows.readthedocs.io/en/latest/cron-workflows/) and labels
// them and their pods workflows.argoproj.io/cron-workflow. Istio: a PeerAuthentication without
// selector in the root namespace istio-system sets the mesh-wide mode, PERMISSIVE here
// (https://istio.io/latest/docs/reference/config/security/peer_authentication/); an injected pod
// runs the istio-proxy sidecar.
import { describe, expect, it } from 'vitest';
import { meshNotStrict } from '../../../checks/mtls/mesh-not-strict.ts';
import { outboundAllowAny } from '../../../checks/mtls/outbound-allow-any.ts';
import { permissiveOverride } from '../../../checks/mtls/permissive-override.ts';
import { workloadOutsideMesh } from '../../../checks/mtls/workload-outside-mesh.ts';
import type { Check } from '../../../src/engine/types.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const spec = { containers: [{ name: 'main', image: 'busybox:1.36' }, { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.0' }] };
const annotations = { 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}', 'istio.io/rev': 'default' };
const base: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ci', labels: { 'istio-injection': 'enabled' } } },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'istiod', namespace: 'istio-system' }, spec: { selector: { matchLabels: { app: 'istiod' } }, template: { metadata: { labels: { app: 'istiod' } }, spec: { containers: [{ name: 'discovery', image: 'docker.io/istio/pilot:1.24.0' }] } } } },
  { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'PERMISSIVE' } } },
];
/** A running, injected pod of Workflow `wf` that CronWorkflow nightly made. */
const workflowPod = (wf: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name: `${wf}-main-1234567`, namespace: 'ci', annotations,
    labels: { 'workflows.argoproj.io/workflow': wf, 'workflows.argoproj.io/cron-workflow': 'nightly', 'workflows.argoproj.io/completed': 'false' },
    ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', name: wf, uid: `uid-${wf}`, controller: true }],
  },
  spec,
});
/** A bare injected pod named `name`. */
const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ci', annotations, labels: { app: name } }, spec });

function audit(runId: string, objects: KubeObject[], edit: (o: KubeObject) => KubeObject = (o) => o, checks: Check[] = [meshNotStrict, outboundAllowAny, permissiveOverride]): RunReport {
  const at = new Date('2026-12-01T02:00:00Z');
  const snapshot = snapshotFromObjects(structuredClone([...base.map(edit), ...objects]), { clusterName: 'demo', collectedAt: at.toISOString() });
  Object.assign(snapshot, { source: 'live', origin: 'live' });
  return auditSnapshot({ snapshot, config: defaultConfig(), checks, now: at, runId, startedAt: at }).report;
}
const nightly = (before: KubeObject[], after: KubeObject[]) => {
  const second = audit('run-2', after);
  const diff = diffRuns(audit('run-1', before), second, { rules: defaultConfig().regression, expiredWaivers: [] });
  const members = (check: string) => second.findings.find((f) => f.check === check)?.extent?.members;
  return { diff, members };
};

describe('mesh findings over workloads of a new generated name each night', () => {
  it('a CronWorkflow\'s new Workflow is the same member of mesh-not-strict and outbound-allow-any: no widening, no regression', () => {
    const { diff, members } = nightly([workflowPod('nightly-1764550800')], [workflowPod('nightly-1764637200')]);
    expect(members('mtls.mesh-not-strict')).toEqual(['CronWorkflow ci/nightly']);
    expect(members('mtls.outbound-allow-any')).toEqual(['CronWorkflow ci/nightly']);
    expect(diff.widened ?? []).toEqual([]);
    expect(diff.regression).toBe(false);
  });

  it('is the same member of mtls.permissive-override: a namespace PERMISSIVE under a STRICT mesh', () => {
    const strictMesh = (pa: KubeObject) => pa.kind === 'PeerAuthentication' ? { ...pa, spec: { mtls: { mode: 'STRICT' } } } : pa;
    const override: KubeObject = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'ci' }, spec: { mtls: { mode: 'PERMISSIVE' } } };
    const first = audit('run-1', [override, workflowPod('nightly-1764550800')], strictMesh);
    const second = audit('run-2', [override, workflowPod('nightly-1764637200')], strictMesh);
    expect(second.findings.find((f) => f.check === 'mtls.permissive-override')?.extent?.members).toEqual(['CronWorkflow ci/nightly']);
    expect(diffRuns(first, second, { rules: defaultConfig().regression, expiredWaivers: [] }).widened ?? []).toEqual([]);
  });

  it('two Workflows of it running at once are one member', () => {
    const { members } = nightly([workflowPod('nightly-1764550800')], [workflowPod('nightly-1764550800'), workflowPod('nightly-1764637200')]);
    expect(members('mtls.mesh-not-strict')).toEqual(['CronWorkflow ci/nightly']);
  });

  it('a workload that was not there before still widens the finding', () => {
    const { diff, members } = nightly([workflowPod('nightly-1764550800')], [workflowPod('nightly-1764637200'), pod('debug')]);
    expect(members('mtls.mesh-not-strict')).toEqual(['CronWorkflow ci/nightly', 'Pod ci/debug']);
    expect(diff.widened?.map((w) => [w.added])).toEqual([[['Pod ci/debug']], [['Pod ci/debug']]]);
  });
});

describe('mtls.workload-outside-mesh over workloads of a new generated name each night', () => {
  // The same Workflow pods without the sidecar: in namespace ci, labelled istio-injection=enabled,
  // they run outside the mesh. Kubernetes names a generateName object "the prefix + a random
  // suffix" (https://kubernetes.io/docs/reference/using-api/api-concepts/#generated-values).
  const outside = (p: KubeObject): KubeObject => ({ ...p, metadata: { ...p.metadata, annotations: {} }, spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } });
  const job = (name: string): KubeObject => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name, generateName: 'report-', namespace: 'ci', uid: `uid-${name}` }, spec: { template: { spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } } } });
  const jobPod = (name: string): KubeObject => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `${name}-x7k2p`, namespace: 'ci', labels: { 'job-name': name }, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid: `uid-${name}`, controller: true }] },
    spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
  });
  const night = (runId: string, objects: KubeObject[]) => audit(runId, objects, undefined, [workloadOutsideMesh]);
  const outsideFindings = (r: RunReport) => r.findings.filter((f) => f.check === 'mtls.workload-outside-mesh');

  it('a CronWorkflow\'s new Workflow outside the mesh is the same finding, named by the CronWorkflow, with the Workflow in evidence', () => {
    const first = night('run-1', [outside(workflowPod('nightly-1764550800'))]);
    const second = night('run-2', [outside(workflowPod('nightly-1764637200'))]);
    const found = outsideFindings(second);
    expect(found.map((f) => `${f.resource.kind} ${f.resource.namespace}/${f.resource.name}`)).toEqual(['CronWorkflow ci/nightly']);
    expect(found[0].message).toContain('Workflow ci/nightly-1764637200');
    expect(found[0].evidence).toMatchObject({ members: ['Workflow ci/nightly-1764637200'], memberCount: 1, unmeshedPods: 1 });
    const diff = diffRuns(first, second, { rules: defaultConfig().regression, expiredWaivers: [] });
    expect(diff.new).toEqual([]);
    expect(diff.resolved).toEqual([]);
  });

  it('two Workflows of it at once, one outside the mesh, are one finding naming the one outside', () => {
    const found = outsideFindings(night('run-1', [outside(workflowPod('nightly-1764550800')), workflowPod('nightly-1764637200')]));
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/^CronWorkflow ci\/nightly: 1 of 1 pod\(s\) of Workflow ci\/nightly-1764550800 run without a mesh proxy/);
  });

  it('a waiver naming the one Workflow outside the mesh still covers the finding: its meshed sibling is no part of it', () => {
    const at = new Date('2026-12-01T02:00:00Z');
    const snapshot = snapshotFromObjects(structuredClone([...base, outside(workflowPod('nightly-1764550800')), workflowPod('nightly-1764637200')]), { clusterName: 'demo', collectedAt: at.toISOString() });
    Object.assign(snapshot, { source: 'live', origin: 'live' });
    const config = defaultConfig();
    config.waivers = [{ check: 'mtls.workload-outside-mesh', resource: { kind: 'Workflow', namespace: 'ci', name: 'nightly-1764550800' }, reason: 'legacy step', owner: 'ci@example.com', expires: '2099-01-01' }];
    const report = auditSnapshot({ snapshot, config, checks: [workloadOutsideMesh], now: at, runId: 'run-1', startedAt: at }).report;
    expect(outsideFindings(report).map((f) => f.waived)).toEqual([true]);
    expect(report.waivers?.[0]).toMatchObject({ state: 'active', matched: 1 });
  });

  it('a Job named by generateName is named by its prefix, so tomorrow\'s Job is the same finding', () => {
    const first = night('run-1', [job('report-abcde'), jobPod('report-abcde')]);
    const second = night('run-2', [job('report-fghij'), jobPod('report-fghij')]);
    expect(outsideFindings(second).map((f) => `${f.resource.kind} ${f.resource.namespace}/${f.resource.name}`)).toEqual(['Job ci/report-*']);
    expect(diffRuns(first, second, { rules: defaultConfig().regression, expiredWaivers: [] }).new).toEqual([]);
  });

  it('a pod of a stable name outside the mesh keeps its own finding beside the CronWorkflow\'s', () => {
    const found = outsideFindings(night('run-1', [outside(pod('debug')), outside(workflowPod('nightly-1764550800'))]));
    expect(found.map((f) => `${f.resource.kind} ${f.resource.namespace}/${f.resource.name}`).sort()).toEqual(['CronWorkflow ci/nightly', 'Pod ci/debug']);
  });
});
