// The fleet data of any store: PostgreSQL answers it in a few queries (RunStore.fleet);
// SQLite and k8s:// stores are read here run by run (list once, then each cluster's latest
// run and the regressions of the window). Both give the same answer for the same runs,
// ordered the same way (byte order of names, as PostgreSQL's "C" collation), with U+0000 as
// U+FFFD in every name and text, as PostgreSQL keeps them (withoutNul).
import { SEVERITIES, type Severity } from '../base/vocabulary.ts';
import { UnreadableRunError } from '../base/errors.ts';
import { clusterNameOf, oneLine } from '../base/plain-text.ts';
import type { RunStore } from '../history/store.ts';
import type { Finding, RunReport, RunSummary } from '../run/types.ts';
import { trendPointOf } from '../history/store.ts';
import { CarriedChecks, jsonWithoutNul, withPartial, withoutNul } from '../history/run-store.ts';
import { resourceShape } from '../history/shape.ts';
import { expiryState, openCarried } from '../run/waivers.ts';
import { isOpenAt } from '../run/waiver-expiry.ts';
import { REGRESSIONS_PER_CLUSTER, regressionRunsOf, type FleetCarried, type FleetCluster, type FleetCommonFinding, type FleetData, type FleetQuery, type FleetRegression, type FleetUnreadable, type FleetWaiver } from '../run/fleet.ts';

/** One line naming a stored run the fleet passed over, and what of it the fleet leaves out (`fleet`, serve's /fleet). */
export function unreadableInFleet(error: UnreadableRunError): string {
  return `${oneLine(error.message)}; ${error.part === 'report' ? "left out of the regressions' reasons, the common findings and the waivers" : 'left out of the fleet (its cluster is shown by its other runs)'}`;
}

export const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const rank = (s: Severity) => SEVERITIES.indexOf(s);

/**
 * `onUnreadable`: told once of each stored run whose summary cannot be read (error.part
 * 'summary': the fleet goes on as if it were not stored; its cluster is shown by its other runs)
 * or, read whole (SQLite, k8s://), whose report cannot be decoded (the fleet goes on without what
 * that run would add: its regression reasons, its findings among the common ones, its waivers).
 */
export async function fleetDataOf(store: RunStore, q: FleetQuery, onUnreadable: (error: UnreadableRunError) => void = (error) => { throw error; }): Promise<FleetData> {
  const named = new Set<string>();
  const once = (error: UnreadableRunError) => {
    if (named.has(error.runId)) return;
    named.add(error.runId);
    onUnreadable(error);
  };
  const data = store.fleet ? await store.fleet(q, once) : JSON.parse(jsonWithoutNul(await readFleet(store, q, once))) as FleetData;
  return orderFleet(withWaiversDue(withPartials(data), q.now));
}

/**
 * The stored waiver states whose expiry moves with time: the stores hand on each latest run's
 * waivers in them (PostgreSQL's query names the same four). A not-evaluated waiver's check was
 * blind in the run, and the findings it waives are carried from the run that last evaluated it:
 * its expiry brings them back as much as an active one's. An unmatched waiver's check ran and
 * matched nothing, and a not-evaluated one's check did not apply (WaiverStatus.notApplicable:
 * switched off, no mesh): their expiry brings nothing back, and they are not listed.
 */
export const TIMED_STATES: ReadonlySet<string> = new Set(['active', 'expiring-soon', 'expired', 'not-evaluated']);

/**
 * The waivers expiring soon or expired at the fleet report's time, each in that state: a run
 * stated its waivers at its own start (a waiver active then may be expiring now, one expiring
 * then may have expired), with the rule the run uses (expiryState: valid through its day, UTC).
 */
function withWaiversDue(data: FleetData, now: Date): FleetData {
  return {
    ...data,
    waivers: data.waivers.flatMap((w) => {
      const state = expiryState(w.waiver.expires, now);
      return state === 'active' ? [] : [{ ...w, waiver: { ...w.waiver, state } }];
    }),
  };
}

/** Every summary's `partial` as the run's reports say it, in summaries stored by older versions too (withPartial). */
function withPartials(data: FleetData): FleetData {
  return {
    ...data,
    clusters: data.clusters.map((c) => ({ ...c, latest: withPartial(c.latest), previous: c.previous && withPartial(c.previous) })),
    regressions: data.regressions.map((r) => ({ ...r, run: withPartial(r.run) })),
  };
}

/** One order for every store (the SQL already sorts; this pins ties and collations). */
export function orderFleet(data: FleetData): FleetData {
  return {
    ...data,
    clusters: [...data.clusters].sort((a, b) => byName(a.cluster, b.cluster)),
    regressions: [...data.regressions].sort((a, b) => byName(b.run.startedAt, a.run.startedAt) || byName(a.run.cluster, b.run.cluster) || byName(a.run.id, b.run.id)),
    regressionRuns: [...regressionRunsOf(data)].sort((a, b) => byName(a.cluster, b.cluster)),
    common: [...data.common].sort(compareCommon),
    waivers: [...data.waivers].sort((a, b) => byName(a.waiver.expires, b.waiver.expires) || byName(a.cluster, b.cluster) || byName(a.waiver.check, b.waiver.check)),
    unreadable: [...(data.unreadable ?? [])].sort((a, b) => byName(a.cluster, b.cluster)),
  };
}

function compareCommon(a: FleetCommonFinding, b: FleetCommonFinding): number {
  return b.clusters - a.clusters || rank(a.severity) - rank(b.severity) || b.findings - a.findings
    || byName(a.check, b.check) || byName(a.kind, b.kind) || byName(a.namespace, b.namespace) || byName(a.shape, b.shape);
}

/**
 * Which of the findings carried into a cluster's latest run count as open: decided by that run's
 * waivers (its config, as the run states them: the ones the fleet lists) at its start, as its
 * report counts them (run.lastEvaluatedOpen; openCarried). A latest run whose report cannot be
 * read has no waivers to go by: each finding counts as its own run waived it, open once that
 * waiver has expired by the latest run's start.
 */
function carriedOpen(findings: readonly Finding[], latest: Pick<RunReport, 'waivers'> | null, startedAt: string): Finding[] {
  const at = new Date(startedAt);
  return latest ? openCarried(latest.waivers ?? [], findings, at) : findings.filter((f) => isOpenAt(f, at));
}

async function readFleet(store: RunStore, q: FleetQuery, onUnreadable: (error: UnreadableRunError) => void): Promise<FleetData> {
  const get = async (id: string) => {
    try {
      return await store.get(id);
    } catch (error: unknown) {
      if (!(error instanceof UnreadableRunError)) throw error;
      onUnreadable(error);
      return null;
    }
  };
  // A run whose summary cannot be read still counts among its cluster's stored runs, as PostgreSQL counts them.
  const uncounted = new Map<string, number>();
  // The unreadable runs by their place in the list (newest first), to tell which cluster's newest run is one.
  const unreadableAt = new Map<number, UnreadableRunError>();
  // A cluster is grouped by its name in NFC (clusterNameOf): runs stored under another spelling of it are its runs.
  const all = (await store.list(Number.MAX_SAFE_INTEGER, (error, place) => {
    if (error.cluster !== undefined) {
      error.cluster = clusterNameOf(error.cluster);
      uncounted.set(error.cluster, (uncounted.get(error.cluster) ?? 0) + 1);
    }
    unreadableAt.set(place, error);
    onUnreadable(error);
  })).map((s) => (s.cluster === clusterNameOf(s.cluster) ? s : { ...s, cluster: clusterNameOf(s.cluster) })); // newest first
  // Each cluster's newest run: the first of its runs in list order, readable (a summary in `all`) or not.
  const newestOf = new Map<string, UnreadableRunError | null>();
  for (let place = 0, next = 0; place < all.length + unreadableAt.size; place++) {
    const error = unreadableAt.get(place);
    const cluster = error ? error.cluster : all[next++]?.cluster;
    if (cluster !== undefined && !newestOf.has(cluster)) newestOf.set(cluster, error ?? null);
  }
  const byCluster = new Map<string, RunSummary[]>();
  for (const s of all) {
    let list = byCluster.get(s.cluster);
    if (!list) byCluster.set(s.cluster, (list = []));
    list.push(s);
  }
  const clusters: FleetCluster[] = [...byCluster].map(([cluster, runs]) => ({
    cluster, runs: runs.length + (uncounted.get(cluster) ?? 0), latest: runs[0], previous: runs[1] ?? null,
    trend: runs.slice(0, q.trendPoints).reverse().map(trendPointOf),
  }));
  const unreadable: FleetUnreadable[] = [...newestOf].flatMap(([cluster, error]) => error
    ? [{ cluster, runId: error.runId, startedAt: error.startedAt ?? null, shownBy: byCluster.get(cluster)?.[0]?.id ?? null }] : []);
  const startedAt = new Map(all.map((s) => [s.id, s.startedAt]));
  const since = new Date(q.now.getTime() - q.sinceHours * 3_600_000).toISOString();
  const regressions: FleetRegression[] = [];
  // Every cluster's regressions of the window counted; the newest REGRESSIONS_PER_CLUSTER of each read and listed.
  const regressionRuns = new Map<string, number>();
  for (const s of all) {
    // A cluster whose newest run cannot be read: an older run's regression is not its state now
    // (FleetUnreadable), left out as its scores are, as PostgreSQL's fleet leaves it out.
    if (s.regression !== true || Date.parse(s.startedAt) < Date.parse(since) || newestOf.get(s.cluster)) continue;
    const n = (regressionRuns.get(s.cluster) ?? 0) + 1;
    regressionRuns.set(s.cluster, n);
    if (n > REGRESSIONS_PER_CLUSTER) continue;
    const run = await get(s.id);
    regressions.push({ run: s, reasons: run?.diff?.regressionReasons ?? [] });
  }
  const groups = new Map<string, { row: FleetCommonFinding; names: Set<string> }>();
  const waivers: FleetWaiver[] = [];
  const addCommon = (cluster: string, f: Finding) => {
    // Grouped as PostgreSQL's columns group them: a name with a NUL and the same with U+FFFD are one.
    const shape = withoutNul(resourceShape(f.resource.name));
    const namespace = withoutNul(f.resource.namespace ?? '');
    const kind = withoutNul(f.resource.kind);
    const key = JSON.stringify([f.check, kind, namespace, shape]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { row: { check: f.check, severity: f.severity, kind, namespace, shape, clusters: 0, clusterNames: [], findings: 0 }, names: new Set() }));
    g.names.add(cluster);
    g.row.findings++;
    if (rank(f.severity) < rank(g.row.severity)) g.row.severity = f.severity;
  };
  for (const c of clusters) {
    const run = await get(c.latest.id);
    // Its newest run cannot be read: `latest` is an older run, which its row shows (marked) with
    // what it carries, but whose findings and waivers are not the cluster's state now
    // (FleetUnreadable): left out of the common findings and the waivers, as PostgreSQL's fleet leaves them.
    const current = !newestOf.get(c.cluster);
    // The checks the latest run could not evaluate, from the runs that last did (summaries only; each such run read once).
    const walk = new CarriedChecks();
    for (const s of byCluster.get(c.cluster) ?? []) if (!walk.next(s)) break;
    const carried: FleetCarried[] = [];
    for (const [runId, checks] of walk.from) {
      const older = await get(runId);
      if (!older) continue;
      const wanted = new Set(checks);
      const findings = Object.fromEntries(SEVERITIES.map((sev) => [sev, 0])) as Record<Severity, number>;
      for (const f of carriedOpen(older.findings.filter((f) => wanted.has(f.check)), run, c.latest.startedAt)) {
        findings[f.severity]++;
        if (current) addCommon(c.cluster, f);
      }
      carried.push({ runId, startedAt: startedAt.get(runId) ?? older.run.startedAt, checks, findings });
    }
    if (carried.length > 0) c.carried = carried;
    if (!run || !current) continue;
    for (const f of run.findings) if (!f.waived) addCommon(c.cluster, f);
    for (const w of run.waivers) if (TIMED_STATES.has(w.state) && w.notApplicable !== true) waivers.push({ cluster: c.cluster, runId: run.run.id, waiver: w });
  }
  const common = [...groups.values()]
    .filter((g) => g.names.size >= q.minClusters)
    .map((g) => ({ ...g.row, clusters: g.names.size, clusterNames: [...g.names].sort(byName).slice(0, 20) }))
    .sort(compareCommon)
    .slice(0, q.maxCommon);
  return {
    store: store.describe(), generatedAt: q.now.toISOString(), sinceHours: q.sinceHours, minClusters: q.minClusters, clusters, regressions,
    regressionRuns: [...regressionRuns].map(([cluster, runs]) => ({ cluster, runs })), common, waivers, unreadable,
  };
}
