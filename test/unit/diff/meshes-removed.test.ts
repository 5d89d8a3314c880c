// A whole mesh removed between two runs is a regression (src/diff/meshes-removed.ts): its checks
// turn not applicable, which no other rule counts, so without it the alert stayed silent and
// the next run took the plaintext cluster as its baseline.
//
// The clusters below are detected as the meshes' own documentation says they are set up:
// - Istio: a namespace labelled `istio-injection: enabled` gets the sidecar in every new pod
//   (istio.io/latest/docs/setup/additional-setup/sidecar-injection/#automatic-sidecar-injection);
//   a PeerAuthentication without selector in the root namespace istio-system sets the mesh-wide
//   mode, here STRICT, and a namespace-wide one (no selector) overrides it for its namespace,
//   here PERMISSIVE (istio.io/latest/docs/reference/config/security/peer_authentication/ and
//   istio.io/latest/docs/tasks/security/authentication/mtls-migration/).
// - Linkerd: a namespace annotated `linkerd.io/inject: enabled` gets the proxy in its pods
//   (linkerd.io/2/features/proxy-injection/).
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { runDetails } from '../../../src/analysis/details.ts';
import { consulPresent, istioPresent, linkerdPresent } from '../../../src/analysis/mesh/index.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig, type Config } from '../../../src/config/types.ts';
import { findBaseline } from '../../../src/diff/baseline.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { MESH_CHECKS } from '../../../src/diff/meshes-removed.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const deployments = (namespace: string, names: string[]) => names.map((name) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: "registry.example/${name}:1"}]}
`).join('---\n');

const namespace = (name: string, meta = '') => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}${meta}}\n`;

/**
 * The apps: shop (3 workloads) and payments (1), meshed by Istio when `istio`; ledger (2) by
 * Linkerd when `linkerd`. `istioLeftovers`: Istio's PeerAuthentications (so its CRDs) are there
 * without its injection labels — what `helm delete istiod` leaves, since deleting the CRDs is a
 * separate, optional step (istio.io/latest/docs/setup/install/helm/#uninstall).
 */
function cluster({ istio = false, linkerd = false, istioLeftovers = false } = {}): KubeObject[] {
  const docs = [
    namespace('istio-system'),
    namespace('shop', istio ? ', labels: {istio-injection: enabled}' : ''),
    namespace('payments', istio ? ', labels: {istio-injection: enabled}' : ''),
    namespace('ledger', linkerd ? ', annotations: {linkerd.io/inject: enabled}' : ''),
    deployments('shop', ['web', 'api', 'cart']),
    deployments('payments', ['charge']),
    deployments('ledger', ['books', 'audit']),
  ];
  if (istio || istioLeftovers) {
    docs.push(`apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
`, `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: migration, namespace: payments}
spec: {mtls: {mode: PERMISSIVE}}
`);
  }
  return docs.join('---\n').split(/^---\n/m).flatMap((d) => parseAllDocuments(d).map((x) => x.toJS() as KubeObject));
}

const AT = new Date('2026-12-01T02:00:00Z');

/** A run over `objects` as a live cluster's (`source: 'manifests'`: a manifests directory's, its undeclared namespaces implicit). */
function audit(objects: KubeObject[], runId: string, { config = defaultConfig(), coverage = {}, source = 'live', origin }: { config?: Config; coverage?: Record<string, 'forbidden' | 'error'>; source?: 'live' | 'manifests' | 'snapshot'; origin?: 'live' | 'manifests' } = {}): RunReport {
  const snapshot = snapshotFromObjects(structuredClone(objects), { clusterName: 'prod', ...(origin ? { origin } : {}) });
  snapshot.source = source;
  for (const [key, status] of Object.entries(coverage)) {
    (snapshot.coverage as Record<string, unknown>)[key] = { status, detail: `list ${key}: ${status}` };
    (snapshot.resources as Record<string, unknown>)[key] = [];
  }
  return auditSnapshot({ snapshot, config, checks: CHECKS, now: AT, startedAt: AT, runId, details: runDetails }).report;
}

const diff = (a: RunReport, b: RunReport) => diffRuns(a, b, { rules: defaultConfig().regression, expiredWaivers: [] });
const ISTIO_LINE = 'Istio no longer detected: mTLS was STRICT for 3 and PERMISSIVE for 1 of 4 workloads in 2 namespaces in run r1; its 7 checks are not applicable now';

describe('a mesh removed between two runs', () => {
  const withIstio = audit(cluster({ istio: true }), 'r1');
  const without = audit(cluster(), 'r2');

  it('is a regression naming the mesh and what the previous run stated it covered, first among the reasons', () => {
    // The premise: Istio's checks were evaluated in r1 and are not applicable in r2.
    expect(withIstio.checks.find((c) => c.id === 'mtls.mesh-not-strict')?.status).toBe('pass');
    expect(without.checks.find((c) => c.id === 'mtls.mesh-not-strict')?.status).toBe('not-applicable');
    const d = diff(withIstio, without);
    expect(d.regression).toBe(true);
    expect(d.regressionReasons[0]).toBe(ISTIO_LINE);
    expect(d.meshesRemoved).toEqual([{
      mesh: 'istio', runId: 'r1', checks: [...MESH_CHECKS.istio].sort(),
      covered: { workloads: 4, namespaces: 2, modes: { STRICT: 3, PERMISSIVE: 1 } },
    }]);
    // Not a new finding: serve --watch never holds it back as a flapping repeat.
    expect(d.newFindingReasons).toBeUndefined();
  });

  it('is said once: the next run without the mesh compares with a run that had none', () => {
    const d = diff(without, audit(cluster(), 'r3'));
    expect(d.meshesRemoved).toBeUndefined();
    expect(d.regression).toBe(false);
  });

  it('is no regression the other way round: a mesh appearing', () => {
    const d = diff(without, withIstio);
    expect(d.meshesRemoved).toBeUndefined();
    expect(d.regressionReasons.filter((r) => r.includes('no longer detected'))).toEqual([]);
  });

  it('names the one mesh of two that went: Istio gone, Linkerd still there', () => {
    const both = audit(cluster({ istio: true, linkerd: true }), 'r1');
    const linkerdOnly = audit(cluster({ linkerd: true }), 'r2');
    expect(linkerdOnly.checks.find((c) => c.id === 'mtls.linkerd-unauthenticated-default')?.status).not.toBe('not-applicable');
    const d = diff(both, linkerdOnly);
    expect(d.meshesRemoved?.map((m) => m.mesh)).toEqual(['istio']);
    expect(d.regressionReasons[0]).toBe(ISTIO_LINE);
    expect(d.regressionReasons.join('\n')).not.toContain('Linkerd no longer detected');
    // And Linkerd going the next night is named in its own words.
    const d2 = diff(linkerdOnly, audit(cluster(), 'r3'));
    expect(d2.regressionReasons[0]).toBe('Linkerd no longer detected: mTLS was default inbound policy all-unauthenticated for 2 workloads in 1 namespace in run r2; its 2 checks are not applicable now');
  });

  it('is not a removal when the mesh\'s checks were switched off in config', () => {
    const config = defaultConfig();
    for (const id of MESH_CHECKS.istio) config.checks[id] = { enabled: false };
    const off = audit(cluster({ istio: true }), 'r2', { config });
    expect(off.checks.find((c) => c.id === 'mtls.mesh-not-strict')).toMatchObject({ status: 'not-applicable', reason: 'disabled in config' });
    expect(diff(withIstio, off).meshesRemoved).toBeUndefined();
    // Switched off while the mesh went too: nothing the run can tell apart from the choice.
    const offAndGone = audit(cluster(), 'r2', { config });
    expect(diff(withIstio, offAndGone).meshesRemoved).toBeUndefined();
  });

  it('is not a removal when the run could not read what the mesh is detected by: its checks stay not evaluated, "coverage lost"', () => {
    const unread: Array<Record<string, 'forbidden' | 'error'>> = [{ 'istio.peerauthentications': 'error' }, { 'istio.peerauthentications': 'forbidden' }, { pods: 'forbidden' }, { namespaces: 'error' }];
    for (const coverage of unread) {
      const blind = audit(cluster(), 'r2', { coverage });
      const d = diff(withIstio, blind);
      expect(d.meshesRemoved, JSON.stringify(coverage)).toBeUndefined();
      expect(d.regressionReasons.some((r) => r.includes('no longer detected')), JSON.stringify(coverage)).toBe(false);
      expect(d.regressionReasons.some((r) => r.startsWith('coverage lost:') && r.includes('mtls.mesh-not-strict')), JSON.stringify(coverage)).toBe(true);
    }
  });

  it('trusts the run\'s coverage over its checks: not applicable beside an Istio kind that failed to list is no removal', () => {
    // A hand-edited or older stored report: checks not applicable, yet an Istio list failed.
    const odd = structuredClone(without);
    odd.run.coverage['istio.gateways'] = { status: 'error', detail: 'list istio.gateways: 503' };
    expect(diff(withIstio, odd).meshesRemoved).toBeUndefined();
  });

  it('says what it can when the previous run has no mesh posture (pods unread then, or stored before it existed)', () => {
    const bare = structuredClone(withIstio);
    delete bare.details.mtls;
    expect(diff(bare, without).regressionReasons[0]).toBe('Istio no longer detected: its mTLS checks were evaluated in run r1; its 7 checks are not applicable now');
  });

  it('overlaps mtls.mesh-required only when the config requires a mesh and every mesh went, and that line names none', () => {
    const config = defaultConfig();
    config.target.requireMtls = true;
    const a = audit(cluster({ istio: true }), 'r1', { config });
    const b = audit(cluster(), 'r2', { config });
    const reasons = diff(a, b).regressionReasons;
    expect(reasons[0]).toBe(ISTIO_LINE);
    expect(reasons).toContain('new critical finding: mtls.mesh-required on Cluster prod');
    // One of two meshes gone: mesh-required still passes, only this rule speaks.
    const both = audit(cluster({ istio: true, linkerd: true }), 'r1', { config });
    const one = audit(cluster({ linkerd: true }), 'r2', { config });
    const r2 = diff(both, one).regressionReasons;
    expect(r2[0]).toBe(ISTIO_LINE);
    expect(r2.some((r) => r.includes('mtls.mesh-required'))).toBe(false);
  });
});

describe('a mesh still declared whose workloads all left it', () => {
  // From manifests, Istio's policies in the directory say the cluster runs Istio (model.ts): its
  // checks still evaluate, over no meshed workload.
  const withIstio = audit(cluster({ istio: true }), 'r1');
  const leftovers = audit(cluster({ istioLeftovers: true }), 'r2');

  it('is a regression: its checks pass over no meshed workload, the mesh runs no more', () => {
    // The premise: the PeerAuthentications keep Istio present, its checks pass over nothing.
    expect(leftovers.checks.find((c) => c.id === 'mtls.mesh-not-strict')?.status).toBe('pass');
    expect(leftovers.details.mtls?.workloads.filter((w) => w.mesh === 'istio')).toEqual([]);
    const d = diff(withIstio, leftovers);
    expect(d.regression).toBe(true);
    expect(d.meshesRemoved?.[0].mesh).toBe('istio');
    expect(d.meshesRemoved).toEqual([{
      mesh: 'istio', runId: 'r1', checks: [...MESH_CHECKS.istio].sort(), objectsRemain: true,
      covered: { workloads: 4, namespaces: 2, modes: { STRICT: 3, PERMISSIVE: 1 } },
    }]);
    expect(d.regressionReasons[0]).toBe('Istio no longer runs: mTLS was STRICT for 3 and PERMISSIVE for 1 of 4 workloads in 2 namespaces in run r1; no workload is meshed now, though it is still installed (its checks pass over nothing)');
  });

  it('is said once, and not when the pods could not be read', () => {
    expect(diff(leftovers, audit(cluster({ istioLeftovers: true }), 'r3')).meshesRemoved).toBeUndefined();
    expect(diff(withIstio, audit(cluster({ istioLeftovers: true }), 'r3', { coverage: { pods: 'forbidden' } })).meshesRemoved).toBeUndefined();
  });
});

describe('the last meshed workloads gone while the mesh still runs', () => {
  // istiod keeps running (its pilot image is Istio's control plane) after the app it meshed is
  // uninstalled: the mesh is as it was, and a score that moved with nothing worse is no regression
  // (README, "Regressions"). Workloads still there but taken out of the mesh are one.
  const istiod = `apiVersion: apps/v1
kind: Deployment
metadata: {name: istiod, namespace: istio-system}
spec:
  selector: {matchLabels: {app: istiod}}
  template:
    metadata: {labels: {app: istiod, istio: pilot}}
    spec: {containers: [{name: discovery, image: "docker.io/istio/pilot:1.24.0"}]}
`;
  const withIstiod = (objects: KubeObject[]) => [...objects, ...parseAllDocuments(istiod).map((x) => x.toJS() as KubeObject)];
  const meshedApps = new Set(['shop', 'payments']);
  const before = audit(withIstiod(cluster({ istio: true })), 'r1');

  it('is no regression when they were deleted: no mesh removed, nothing alerted', () => {
    const uninstalled = audit(withIstiod(cluster({ istio: true })).filter((o) => !meshedApps.has(o.metadata?.namespace ?? '') || o.kind === 'PeerAuthentication'), 'r2');
    // The premise: Istio still runs, judged, over no meshed workload.
    expect(uninstalled.checks.find((c) => c.id === 'mtls.mesh-not-strict')?.status).toBe('pass');
    expect(uninstalled.details.mtls?.workloads.filter((w) => w.mesh === 'istio')).toEqual([]);
    const d = diff(before, uninstalled);
    expect(d.meshesRemoved).toBeUndefined();
    expect(d.regression).toBe(false);
    expect(d.regressionReasons).toEqual([]);
  });

  it('is a regression, said once, when they still run without the mesh', () => {
    const unlabelled = audit(withIstiod(cluster()), 'r2');
    const d = diff(before, unlabelled);
    expect(d.regression).toBe(true);
    expect(d.meshesRemoved?.map((m) => [m.mesh, m.objectsRemain])).toEqual([['istio', true]]);
    expect(d.regressionReasons.filter((r) => r.startsWith('Istio'))).toHaveLength(1);
  });

  it('leaves opted-out workloads to mtls.workload-outside-mesh: its findings alert, no second line', () => {
    const optedOut = withIstiod(cluster({ istio: true })).map((o) => {
      if (o.kind !== 'Deployment' || !meshedApps.has(o.metadata?.namespace ?? '')) return o;
      const c = structuredClone(o) as KubeObject & { spec: { template: { metadata: { annotations?: Record<string, string> } } } };
      c.spec.template.metadata.annotations = { 'sidecar.istio.io/inject': 'false' };
      return c;
    });
    const after = audit(optedOut, 'r2');
    expect(after.findings.filter((f) => f.check === 'mtls.workload-outside-mesh').map((f) => f.resource.name).sort()).toEqual(['api', 'cart', 'charge', 'web']);
    const d = diff(before, after);
    expect(d.regression).toBe(true);
    expect(d.meshesRemoved).toBeUndefined();
  });
});

describe('a run over manifests after a run that detected a mesh', () => {
  // Istio injects its sidecar at admission (istio.io/latest/docs/setup/additional-setup/sidecar-injection/):
  // an app repository's templates never carry it, and its namespace may be declared elsewhere.
  const live = audit(cluster({ istio: true }), 'r1');
  const appOnly = (objects: KubeObject[]) => objects.filter((o) => o.kind === 'Deployment' && o.metadata?.namespace === 'shop');

  it('is no evidence of a removal after a live run: the app repo declares no namespace and no proxy', () => {
    const manifests = audit(appOnly(cluster({ istio: true })), 'r2', { source: 'manifests' });
    expect(manifests.run.undeclaredNamespaces).toEqual(['shop']);
    const d = diff(live, manifests);
    expect(d.meshesRemoved).toBeUndefined();
    expect(d.regressionReasons.filter((r) => r.includes('Istio'))).toEqual([]);
  });

  it('is no evidence after a live run even when the repo declares the namespace: the platform team labels it for injection in the cluster', () => {
    const declared = audit(cluster().filter((o) => o.metadata?.name === 'shop' || o.metadata?.namespace === 'shop'), 'r2', { source: 'manifests' });
    expect(declared.run.undeclaredNamespaces).toBeUndefined();
    expect(diff(live, declared).meshesRemoved).toBeUndefined();
    // A live cluster's saved snapshot (`ztaudit run --snapshot`) is a live run too.
    const saved = audit(cluster({ istio: true }), 'r1', { source: 'snapshot', origin: 'live' });
    expect(saved.run.origin).toBe('live');
    expect(diff(saved, declared).meshesRemoved).toBeUndefined();
    // Whereas a snapshot saved from manifests compares with manifests.
    const savedManifests = audit(cluster({ istio: true }), 'r1', { source: 'snapshot', origin: 'manifests' });
    expect(diff(savedManifests, audit(cluster(), 'r2', { source: 'manifests' })).meshesRemoved?.map((m) => m.mesh)).toEqual(['istio']);
  });

  it('is none after a manifests run either when the mesh\'s namespace is no longer declared', () => {
    const before = audit(cluster({ istio: true }), 'r1', { source: 'manifests' });
    const after = audit(appOnly(cluster({ istio: true })), 'r2', { source: 'manifests' });
    expect(diff(before, after).meshesRemoved).toBeUndefined();
  });

  it('is one after a manifests run when the directory still declares the namespaces, without their injection label', () => {
    const before = audit(cluster({ istio: true }), 'r1', { source: 'manifests' });
    const after = audit(cluster(), 'r2', { source: 'manifests' });
    expect(after.run.undeclaredNamespaces).toBeUndefined();
    expect(diff(before, after).meshesRemoved?.map((m) => m.mesh)).toEqual(['istio']);
  });
});

describe('a mesh removed behind a partial run', () => {
  // Night 1 Istio is there; night 2 pods cannot be listed (its checks not evaluated: "coverage
  // lost"); night 3 reads everything and Istio is gone. The previous run knows nothing of the
  // mesh: the one that last judged its checks does (DESIGN.md: a check is diffed against the
  // last run in which it was evaluated).
  const withIstio = audit(cluster({ istio: true }), 'r1');
  const blind = audit(cluster({ istio: true }), 'r2', { coverage: { pods: 'forbidden', 'istio.peerauthentications': 'error' } });
  const gone = audit(cluster(), 'r3');
  async function* newestFirst(runs: RunReport[]): AsyncIterable<RunReport> { yield* runs; }
  const diffAfter = async (runs: RunReport[], current: RunReport) => {
    const b = (await findBaseline(newestFirst(runs), current))!;
    return { b, d: diffRuns(b.report, current, { rules: defaultConfig().regression, expiredWaivers: [], olderRuns: b.olderRuns, notApplicableRuns: b.notApplicableRuns }) };
  };

  it('names the mesh with the run that last evaluated its checks, and states no figures of a run it does not hold', async () => {
    expect(blind.checks.filter((c) => MESH_CHECKS.istio.includes(c.id)).map((c) => c.status)).toEqual(MESH_CHECKS.istio.map(() => 'not-evaluated'));
    const { b, d } = await diffAfter([blind, withIstio], gone);
    expect(b.olderRuns['mtls.mesh-not-strict']).toBe('r1');
    expect(d.regressionReasons[0]).toBe('Istio no longer detected: its mTLS checks were evaluated in run r1; its 7 checks are not applicable now');
    expect(d.meshesRemoved).toEqual([{ mesh: 'istio', runId: 'r1', checks: [...MESH_CHECKS.istio].sort() }]);
    // Neither new nor resolved: compared with r1 for the record (olderBaselines), nothing more.
    expect(d.new).toEqual([]);
    expect(d.resolved).toEqual([]);
  });

  it('names the newest run that judged any of them: one that read PeerAuthentications but not pods', async () => {
    const half = audit(cluster({ istio: true }), 'r2', { coverage: { pods: 'forbidden' } });
    expect(half.checks.find((c) => c.id === 'mtls.invalid-peerauthentication')?.status).toBe('pass');
    const { d } = await diffAfter([half, withIstio], gone);
    expect(d.meshesRemoved).toEqual([{ mesh: 'istio', runId: 'r2', checks: [...MESH_CHECKS.istio].sort() }]);
  });

  it('names the run that last evaluated the checks when the partial run could not tell whether Istio ran (its PeerAuthentications gone, pods unread)', async () => {
    const halfGone = audit(cluster(), 'r2', { coverage: { pods: 'forbidden' } });
    // The premise: with pods unread, whether Istio runs is unknown (its proxies and istiod are
    // seen in them), so even the check that reads no pod is not evaluated, never not applicable.
    expect(halfGone.checks.find((c) => c.id === 'mtls.invalid-peerauthentication')?.status).toBe('not-evaluated');
    expect(halfGone.checks.find((c) => c.id === 'mtls.mesh-not-strict')?.status).toBe('not-evaluated');
    const { d } = await diffAfter([halfGone, withIstio], gone);
    expect(d.meshesRemoved).toEqual([{ mesh: 'istio', runId: 'r1', checks: [...MESH_CHECKS.istio].sort() }]);
    expect(d.regressionReasons[0]).toBe('Istio no longer detected: its mTLS checks were evaluated in run r1; its 7 checks are not applicable now');
  });

  it('walks back no further when the latest run judged the checks (found no mesh): said once', async () => {
    const { b, d } = await diffAfter([gone, blind, withIstio], audit(cluster(), 'r4'));
    expect(Object.keys(b.olderRuns)).toEqual([]);
    expect(d.meshesRemoved).toBeUndefined();
    expect(d.regression).toBe(false);
  });
});

describe('MESH_CHECKS', () => {
  it('lists exactly the registered checks that apply when one mesh is installed', () => {
    const byPresence = (present: unknown) => CHECKS.filter((c) => c.appliesTo === present).map((c) => c.id).sort();
    expect([...MESH_CHECKS.istio].sort()).toEqual(byPresence(istioPresent));
    expect([...MESH_CHECKS.linkerd].sort()).toEqual(byPresence(linkerdPresent));
    expect([...MESH_CHECKS.consul].sort()).toEqual(byPresence(consulPresent));
  });
});

describe('Istio uninstalled from a live cluster, its CRDs left behind', () => {
  // `helm uninstall istiod` (or `istioctl uninstall --purge`) removes istiod and its webhooks;
  // the CRDs of the `base` chart, and every object in them, stay until deleted in a separate
  // step (istio.io/latest/docs/setup/install/helm/#uninstall: "By default, deleting a chart
  // will not remove the installed CRDs"). Proxies go as the pods restart without injection.
  // istiod runs the pilot image, container `discovery` (istio/istio
  // manifests/charts/istio-control/istio-discovery/templates/deployment.yaml).
  const pod = (namespace: string, name: string, containers: Array<{ name: string; image: string }>) =>
    `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec: {containers: [${containers.map((c) => `{name: ${c.name}, image: "${c.image}"}`).join(', ')}]}\n`;
  const app = (proxy: boolean) => [['shop', 'web'], ['shop', 'api'], ['payments', 'charge']].map(([ns, n]) =>
    pod(ns, n, [{ name: 'app', image: `registry.example/${n}:1` }, ...(proxy ? [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.2' }] : [])]));
  const ISTIOD = pod('istio-system', 'istiod-5d8f7c9b4-x2x7q', [{ name: 'discovery', image: 'docker.io/istio/pilot:1.24.2' }]);
  const leftoverPolicies = [`apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
`, `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: migration, namespace: payments}
spec: {mtls: {mode: PERMISSIVE}}
`];
  const live = (docs: string[], runId: string) => audit(docs.join('---\n').split(/^---\n/m).flatMap((d) => parseAllDocuments(d).map((x) => x.toJS() as KubeObject)), runId, { source: 'snapshot', origin: 'live' });
  const meshed = live([namespace('istio-system'), namespace('shop', ', labels: {istio-injection: enabled}'), namespace('payments', ', labels: {istio-injection: enabled}'), ISTIOD, ...app(true), ...leftoverPolicies], 'r1');
  const uninstalled = () => [namespace('istio-system'), namespace('shop'), namespace('payments'), ...app(false), ...leftoverPolicies];
  const after = live(uninstalled(), 'r2');

  it('makes Istio\'s checks not applicable, the mTLS area unscored, and says its CRDs remain with no control plane and no proxy', () => {
    expect(meshed.checks.find((c) => c.id === 'mtls.mesh-not-strict')?.status).toBe('pass');
    for (const id of MESH_CHECKS.istio) expect(after.checks.find((c) => c.id === id)?.status, id).toBe('not-applicable');
    expect(after.score.areas.mtls).toBeNull();
    expect(after.details.mtls?.workloads).toEqual([]);
    expect(after.details.mtls?.leftovers).toEqual([{
      mesh: 'istio', kinds: ['istio.peerauthentications'], objects: 2,
      text: 'Istio\'s CRDs remain (1 kind served, 2 leftover objects in them), but no Istio control plane, proxy, injection webhook or namespace labelled for it was found: Istio does not run here, so its checks are not applicable and score nothing.',
    }]);
  });

  it('alerts once at the change, saying the CRDs remain, and not the night after', () => {
    const d = diff(meshed, after);
    expect(d.regression).toBe(true);
    expect(d.meshesRemoved).toEqual([{
      mesh: 'istio', runId: 'r1', checks: [...MESH_CHECKS.istio].sort(),
      covered: { workloads: 3, namespaces: 2, modes: { STRICT: 2, PERMISSIVE: 1 } }, leftover: { objects: 2 },
    }]);
    expect(d.regressionReasons[0]).toBe('Istio no longer runs: mTLS was STRICT for 2 and PERMISSIVE for 1 of 3 workloads in 2 namespaces in run r1; its 7 checks are not applicable now, though its CRDs remain (2 leftover objects) with no control plane and no proxy');
    const next = diff(after, live(uninstalled(), 'r3'));
    expect(next.meshesRemoved).toBeUndefined();
    expect(next.regression).toBe(false);
  });

  it('is still Istio while istiod runs, before any namespace is labelled (a fresh install): its checks judge', () => {
    const fresh = live([...uninstalled(), ISTIOD], 'r2');
    expect(fresh.checks.find((c) => c.id === 'mtls.mesh-not-strict')?.status).toBe('pass');
    expect(fresh.details.mtls?.leftovers).toBeUndefined();
  });

  it('is still Istio with a gateway only, or ambient\'s ztunnel only', () => {
    // The istio/gateway chart's pods run the proxyv2 image as container istio-proxy; ambient's node proxy is the ztunnel image.
    const gateway = live([...uninstalled(), pod('istio-ingress', 'istio-ingressgateway-7f9c', [{ name: 'istio-proxy', image: 'gcr.io/istio-release/proxyv2:1.24.2' }])], 'r2');
    expect(gateway.checks.find((c) => c.id === 'mtls.mesh-not-strict')?.status).not.toBe('not-applicable');
    const ztunnel = live([...uninstalled(), pod('istio-system', 'ztunnel-8k2lp', [{ name: 'istio-proxy', image: 'docker.io/istio/ztunnel:1.24.2' }])], 'r2');
    expect(ztunnel.checks.find((c) => c.id === 'mtls.mesh-not-strict')?.status).not.toBe('not-applicable');
    const ambient = live([...uninstalled().filter((d) => !d.includes('name: shop}')), namespace('shop', ', labels: {istio.io/dataplane-mode: ambient}')], 'r2');
    expect(ambient.checks.find((c) => c.id === 'mtls.mesh-not-strict')?.status).not.toBe('not-applicable');
  });

  it('is still Istio where only its injection webhook is (a remote cluster whose istiod runs elsewhere)', () => {
    const remote = live([...uninstalled(), 'apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: {name: istio-sidecar-injector, labels: {istio.io/rev: default}}\nwebhooks: []\n'], 'r2');
    expect(remote.checks.find((c) => c.id === 'mtls.mesh-not-strict')?.status).not.toBe('not-applicable');
  });
});
