// A mesh gone since the compared run. Uninstalling Istio (or its control plane vanishing) makes
// every check that applies "when Istio is installed" not applicable: neither new nor resolved,
// its area unscored, so without this rule the diff says nothing, no alert goes out, and the next
// run takes the mesh-less cluster as its baseline. All service-to-service traffic turned
// plaintext is the largest zero-trust regression there is: it is one, said once, at the change.
//
// Only what both runs state: the compared run evaluated the mesh's checks, and this one found
// them not applicable after reading every kind the mesh is detected by. A kind that could not be
// read (forbidden, failed) may be what hid the mesh: the engine leaves the checks not evaluated
// then (the diff's "coverage lost"), and nothing here calls that a removal. A mesh's checks
// switched off in config (`checks.X: {enabled: false}`) are a choice, not a removal.
import { DISABLED_IN_CONFIG, isBlind, isEvaluated } from '../run/coverage.ts';
import type { RemovedMesh, RunReport } from '../run/types.ts';

type Mesh = RemovedMesh['mesh'];

/**
 * The checks that apply exactly when one mesh is detected (their appliesTo is that mesh's
 * presence: test/unit/diff/meshes-removed.test.ts holds this list to the registry). Checks
 * that apply with any of several meshes say nothing of which one went.
 */
export const MESH_CHECKS: Readonly<Record<Mesh, readonly string[]>> = {
  istio: [
    'mtls.mesh-not-strict', 'mtls.destinationrule-tls-disabled', 'mtls.auto-mtls-disabled', 'mtls.invalid-peerauthentication',
    'mtls.istio-excluded-inbound-ports', 'mtls.outbound-allow-any', 'mtls.authz-plaintext-bypass',
  ],
  linkerd: ['mtls.linkerd-unauthenticated-default', 'mtls.linkerd-skip-ports'],
  consul: ['mtls.consul-default-allow'],
};

const MESH_NAME: Record<Mesh, string> = { istio: 'Istio', linkerd: 'Linkerd', consul: 'Consul service mesh' };

/**
 * The kinds a mesh is detected by besides its own API group's (src/analysis/mesh/model.ts):
 * namespaces (injection labels), pods and their workloads (proxies, control plane by image),
 * Istio's injection webhooks, Linkerd's and Consul's ConfigMaps.
 */
const WORKLOADS = ['pods', 'namespaces', 'deployments', 'daemonsets', 'statefulsets', 'replicasets'];
const DETECTED_BY: Record<Mesh, readonly string[]> = {
  istio: [...WORKLOADS, 'mutatingwebhookconfigurations'],
  linkerd: [...WORKLOADS, 'configmaps'],
  consul: [...WORKLOADS, 'configmaps'],
};

/** The mesh checks `run` found not applicable for want of their mesh (not switched off in config). */
export function meshChecksNotApplicable(run: Pick<RunReport, 'checks'>): string[] {
  const mesh = new Set(Object.values(MESH_CHECKS).flat());
  return run.checks.filter((c) => mesh.has(c.id) && c.status === 'not-applicable' && c.reason !== DISABLED_IN_CONFIG).map((c) => c.id);
}

/**
 * The meshes `previous` detected that `current` does not. `olderRuns` (DiffOptions): a mesh check
 * `previous` was blind to is compared with the last run that judged it (baseline.ts seeks it),
 * which is the run named; the figures are `previous`'s own posture, so they are stated only
 * when the checks come from `previous` itself.
 */
export function meshesRemoved(previous: RunReport, current: RunReport, olderRuns: Record<string, string> = {}): RemovedMesh[] {
  const before = new Map(previous.checks.map((c) => [c.id, c.status]));
  const now = new Map(current.checks.map((c) => [c.id, c]));
  const notApplicable = new Set(meshChecksNotApplicable(current));
  const out: RemovedMesh[] = [];
  // A manifests directory after a live run is no evidence of a mesh's removal: its pod templates
  // never carry the proxy (injected at admission) and the mesh's install lives in another
  // repository. After a manifests run, the directory speaks only of the namespaces it declares.
  if (fromManifests(current) && !fromManifests(previous)) return out;
  const undeclared = new Set(current.run.undeclaredNamespaces ?? []);
  const meshedNow = meshedIn(current);
  for (const mesh of Object.keys(MESH_CHECKS) as Mesh[]) {
    const ids = MESH_CHECKS[mesh];
    if (undeclared.size > 0 && meshedWhere(previous, mesh).some((ns) => undeclared.has(ns))) continue;
    // Still installed (its control plane, webhooks or labelled namespaces remain) while no
    // workload is meshed any more: its checks still evaluate, over no workload. The mesh runs no
    // more when the compared run's posture listed workloads under it, this complete run lists none,
    // and some of those workloads still run, now without it. Deleted with the app (its last meshed
    // workloads uninstalled), the mesh is as it was: no regression. One that
    // mtls.workload-outside-mesh or mtls.mesh-required now fails on is alerted by that finding.
    if (ids.some((id) => isEvaluated(now.get(id)?.status)) && !ids.some((id) => isBlind(now.get(id)?.status))) {
      const covered = coveredBy(previous, mesh);
      if (covered && meshedNow !== undefined && !meshedNow.has(mesh) && readAll(current, mesh) && leftUnmeshed(previous, current, mesh)) {
        const evaluated = ids.filter((id) => isEvaluated(before.get(id))).sort();
        if (evaluated.length > 0) out.push({ mesh, runId: previous.run.id, checks: evaluated, covered, objectsRemain: true });
      }
      continue;
    }
    // Present now in any way (evaluated), or unknown (blind): not removed.
    if (ids.some((id) => { const s = now.get(id)?.status; return isEvaluated(s) || isBlind(s); })) continue;
    const gone = ids.filter((id) => isEvaluated(before.get(id)) && notApplicable.has(id));
    if (gone.length === 0 || !readAll(current, mesh)) continue;
    gone.sort();
    // The newest run that judged them: each run a check came from, the previous one first.
    const runs = [...new Set(gone.map((id) => olderRuns[id] ?? previous.run.id))].sort((a, b) => (a === previous.run.id ? -1 : b === previous.run.id ? 1 : b.localeCompare(a)));
    const runId = runs[0];
    const covered = runId === previous.run.id ? coveredBy(previous, mesh) : undefined;
    // Its CRDs left behind (an uninstall keeps them): not applicable all the same, said so.
    const left = current.details?.mtls?.leftovers?.find((l) => l.mesh === mesh);
    out.push({ mesh, runId, checks: gone, ...(covered ? { covered } : {}), ...(left ? { leftover: { objects: left.objects } } : {}) });
  }
  return out;
}

/** Whether `run` read manifests: a directory, or a snapshot saved from one. */
const fromManifests = (run: RunReport) => run.run.source === 'manifests' || run.run.origin === 'manifests';

/** Whether `current` read every kind `mesh` is detected by: none forbidden or failed, pods and namespaces listed. */
function readAll(current: RunReport, mesh: Mesh): boolean {
  const coverage = current.run.coverage ?? {};
  if (coverage.pods?.status !== 'ok' || coverage.namespaces?.status !== 'ok') return false;
  const unread = (k: string) => coverage[k]?.status === 'forbidden' || coverage[k]?.status === 'error';
  return !Object.keys(coverage).some((k) => (k.startsWith(`${mesh}.`) || DETECTED_BY[mesh].includes(k)) && unread(k));
}

/** The namespaces of the workloads `run`'s mesh posture (details.mtls) lists under `mesh`. O(workloads). */
function meshedWhere(run: RunReport, mesh: Mesh): string[] {
  const workloads = run.details?.mtls?.workloads;
  return Array.isArray(workloads) ? workloads.filter((w) => w.mesh === mesh).map((w) => w.workload.namespace ?? '') : [];
}

/** The meshes `run`'s mesh posture (details.mtls) lists a workload under, or undefined when it has no posture. O(workloads). */
function meshedIn(run: RunReport): Set<string> | undefined {
  const workloads = run.details?.mtls?.workloads;
  if (!Array.isArray(workloads)) return undefined;
  return new Set(workloads.map((w) => w.mesh));
}

/** The checks whose finding on a workload already says it runs outside the mesh it was meant for. */
const OUTSIDE_MESH_CHECKS = new Set(['mtls.workload-outside-mesh', 'mtls.mesh-required']);

const refKey = (r: { kind: string; namespace?: string; name: string }) => `${r.kind}\0${r.namespace ?? ''}\0${r.name}`;

/**
 * Whether a workload `previous`'s mesh posture listed under `mesh` is still in `current`'s, out of
 * it, with no finding of OUTSIDE_MESH_CHECKS on it. O(workloads + findings).
 */
function leftUnmeshed(previous: RunReport, current: RunReport, mesh: Mesh): boolean {
  const present = new Set((current.details?.mtls?.workloads ?? []).map((w) => refKey(w.workload)));
  const alerted = new Set(current.findings.filter((f) => OUTSIDE_MESH_CHECKS.has(f.check)).map((f) => refKey(f.resource)));
  return (previous.details?.mtls?.workloads ?? []).some((w) => w.mesh === mesh && present.has(refKey(w.workload)) && !alerted.has(refKey(w.workload)));
}

/** What the run's mesh posture (details.mtls) listed under `mesh`, or undefined when it has none. */
function coveredBy(run: RunReport, mesh: Mesh): RemovedMesh['covered'] {
  const workloads = run.details?.mtls?.workloads;
  if (!Array.isArray(workloads)) return undefined;
  const namespaces = new Set<string>();
  const modes: Record<string, number> = {};
  let n = 0;
  for (const w of workloads) {
    if (w.mesh !== mesh) continue;
    n++;
    namespaces.add(w.workload.namespace ?? '');
    modes[w.mode] = (modes[w.mode] ?? 0) + 1;
  }
  return n === 0 ? undefined : { workloads: n, namespaces: namespaces.size, modes };
}

/** "a", "a and b", "a, b and c". */
const listed = (items: string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** A mode as the report states it, in words: "STRICT", "default inbound policy all-unauthenticated", "transparent proxy". */
function modeText(mode: string): string {
  if (mode.startsWith('linkerd:')) return `default inbound policy ${mode.slice('linkerd:'.length)}`;
  if (mode === 'consul:mtls') return 'mTLS with transparent proxy';
  if (mode === 'consul:no-tproxy') return 'mTLS without transparent proxy';
  return mode;
}

/**
 * The regression reason: "Istio no longer detected: mTLS was STRICT for 42 workloads in 7
 * namespaces in run R; its 7 checks are not applicable now".
 */
export function removedMeshText(r: RemovedMesh): string {
  const name = MESH_NAME[r.mesh];
  const left = r.leftover ? `, though its CRDs remain (${plural(r.leftover.objects, 'leftover object')}) with no control plane and no proxy` : '';
  const checks = r.objectsRemain
    ? 'no workload is meshed now, though it is still installed (its checks pass over nothing)'
    : `its ${r.checks.length === 1 ? `check ${r.checks[0]} is` : `${r.checks.length} checks are`} not applicable now${left}`;
  if (!r.covered) return `${name} ${r.leftover ? 'no longer runs' : 'no longer detected'}: its mTLS checks were evaluated in run ${r.runId}; ${checks}`;
  const { workloads, namespaces, modes } = r.covered;
  const byMode = Object.entries(modes).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const where = `${plural(workloads, 'workload')} in ${plural(namespaces, 'namespace')}`;
  const what = byMode.length === 1
    ? `mTLS was ${modeText(byMode[0][0])} for ${where}`
    : `mTLS was ${listed(byMode.map(([m, k]) => `${modeText(m)} for ${k}`))} of ${where}`;
  return `${name} ${r.objectsRemain || r.leftover ? 'no longer runs' : 'no longer detected'}: ${what} in run ${r.runId}; ${checks}`;
}
