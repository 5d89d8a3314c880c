// The pure heart of a run: snapshot + config -> report (without the diff, which needs
// history). Checks, waivers and scoring meet here; renderers only format what this returns.
import { tmpdir } from 'node:os';
import type { Config } from '../config/types.ts';
import type { CheckSummary, Finding, RunDetails, RunReport } from '../run/types.ts';
import { REPORT_SCHEMA_VERSION } from '../run/types.ts';
import { implicitNamespaces, type Snapshot } from '../snapshot/types.ts';
import { KINDS, type KindKey } from '../snapshot/kinds.ts';
import { flatText, runStreamed } from './run.ts';
import { scoreRun } from './score.ts';
import type { AuditContext, StagedAnalysis } from '../analysis/context.ts';
import type { Check, CheckOutcome, Result } from './types.ts';
import type { Area, Severity } from '../base/vocabulary.ts';
import { applyWaivers } from '../run/waivers.ts';
import { redactUrlCredentials } from '../base/errors.ts';
import { TOOL_VERSION } from '../base/version.ts';
import { releaseModels } from '../analysis/memo.ts';
import type { Spool } from '../base/spool.ts';
import { findingEvidence, findingExtent, findingRelated, spoolFailure } from '../run/spooled-finding.ts';

export interface AuditInput {
  snapshot: Snapshot;
  config: Config;
  checks: readonly Check[];
  now: Date;
  runId: string;
  startedAt: Date;
  /** Reads the time the audit finished; without it the audit is judged at one instant, `now`. */
  clock?: () => Date;
  /** Extra report sections computed by the analyses (rbac breadth, mesh modes, exposure). */
  details?: StagedAnalysis<RunDetails>;
  /** Coverage notes the analyses add to the collector's (policies of a kind only partly modelled). */
  notes?: StagedAnalysis<string[]>;
  /** Runs the checks; default runChecks (serve --watch re-runs only those whose inputs changed). */
  evaluate?: (checks: readonly Check[], ctx: AuditContext) => CheckOutcome[];
  /**
   * Opens the temp file that takes each finding's message, evidence and related objects as
   * the finding is made (Spool.open; null: they stay in memory, which is warned). Not with `evaluate`: a
   * caller that keeps the checks' results holds that text anyway.
   */
  spool?: () => Spool | null;
}

export interface AuditOutput {
  report: RunReport;
  /** Fingerprints whose waiver expired in this run (the diff counts them as regressions). */
  expiredWaivers: string[];
  /** Lines for the log about how the run was made, not about the cluster (its spool could not be written, a check's warnings). */
  warnings?: string[];
}

/** Version of the check catalog: changes whenever a check is added, removed or re-weighted. */
export function catalogVersion(checks: readonly Check[]): string {
  let h = 0;
  for (const c of checks) for (const ch of `${c.id}:${c.severity};`) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return `${checks.length}-${(h >>> 0).toString(16)}`;
}

/**
 * The cluster as reports show it: its known fields only (report.json's schema allows no other),
 * never with credentials from a kubeconfig server URL (user:password@, ?token=…).
 */
function clusterOf(snapshot: Snapshot): RunReport['run']['cluster'] {
  const { name, server, version } = snapshot.cluster;
  return { name, ...(server !== undefined ? { server: redactUrlCredentials(server) } : {}), ...(version !== undefined ? { version } : {}) };
}

/** The namespaces a manifests run names but declares nowhere (implicitNamespaces), sorted; absent when none. O(namespaces). */
function undeclaredOf(snapshot: Snapshot): { undeclaredNamespaces?: string[] } {
  const names = [...implicitNamespaces(snapshot)].sort();
  return names.length > 0 ? { undeclaredNamespaces: names } : {};
}

/** The kinds read only for other kinds' sake (KindSpec.onlyWith), by key. */
const ONLY_WITH: ReadonlyMap<string, readonly string[]> = new Map(KINDS.flatMap((k): Array<[string, readonly string[]]> => ('onlyWith' in k && k.onlyWith ? [[k.key, k.onlyWith]] : [])));
const KIND_NAME: ReadonlyMap<string, string> = new Map(KINDS.map((k) => [k.key, k.kind]));
const BUILTIN: ReadonlySet<string> = new Set(KINDS.filter((k) => k.builtin).map((k) => k.key));

/**
 * What each kind that could not be read (forbidden, failed) costs the run, one line each: a
 * `partial` line, or a note when nothing depends on it (unreadKind). O(kinds).
 */
export function unreadKinds(snapshot: Snapshot, unjudged: ReadonlySet<string> = new Set()): { partial: string[]; notes: string[] } {
  const blind = blindForOneCause(snapshot);
  if (blind) return { partial: [`every kind could not be read (${blind})`], notes: [] };
  const partial: string[] = [], notes: string[] = [];
  for (const kind of Object.keys(snapshot.coverage)) {
    const u = unreadKind(snapshot, kind, unjudged);
    if (u) (u.partial ? partial : notes).push(u.line);
    else if (snapshot.coverage[kind as KindKey]?.status === 'absent' && BUILTIN.has(kind)) {
      // Not a gap (the API is switched off, so nothing of it exists), but no cluster lacks a
      // built-in API by accident: said, so a reviewer sees which checks judged without it.
      notes.push(`${kind} absent: ${snapshot.coverage[kind as KindKey]?.detail ?? 'not served by this API server'}`);
    }
  }
  return { partial, notes };
}

/**
 * "error: DETAIL" when no kind was read, each for the same reason (a manifest whose kind could
 * not be told, an unreadable file): one line a user can act on, not one per kind (~90) saying
 * the same. report.json's coverage still has every kind's entry.
 */
function blindForOneCause(snapshot: Snapshot): string | undefined {
  let cause: string | undefined;
  for (const k of KINDS) {
    const c = snapshot.coverage[k.key as KindKey];
    if (c?.status !== 'error' && c?.status !== 'forbidden') return undefined;
    const why = `${c.status}${c.detail ? `: ${c.detail}` : ''}`;
    if (cause !== undefined && why !== cause) return undefined;
    cause = why;
  }
  return cause;
}

/**
 * Kind `kind` could not be read: its line, and whether the run is partial for it. It is not
 * when the kind is read only for other kinds' sake (KindSpec.onlyWith) and none of those holds
 * objects or went unread, so nothing depends on it; a kind a check could not be evaluated
 * without (`unjudged`, the outcomes' `unreadable`) always is. Undefined when the kind was read.
 */
export function unreadKind(snapshot: Snapshot, kind: string, unjudged: ReadonlySet<string> = new Set()): { partial: boolean; line: string } | undefined {
  const c = snapshot.coverage[kind as KindKey];
  if (c?.status !== 'error' && c?.status !== 'forbidden') return undefined;
  const line = `${kind} could not be read (${c.status}${c.detail ? `: ${c.detail}` : ''})`;
  const owners = ONLY_WITH.get(kind);
  if (!owners || unjudged.has(kind) || owners.some((k) => needed(snapshot, k))) return { partial: true, line };
  const names = [...new Set(owners.map((k) => KIND_NAME.get(k) ?? k))];
  return { partial: false, line: `${line}: no ${names.join(' or ')} is in the input, so nothing depends on it` };
}

/** The kinds whose objects kind `kind` is read for (KindSpec.onlyWith); undefined for any other kind. */
export function onlyWithOf(kind: string): readonly string[] | undefined {
  return ONLY_WITH.get(kind);
}

/** Kind `key` holds objects, or was not read (forbidden, failed, or no coverage entry: a snapshot from before it was collected). */
function needed(snapshot: Snapshot, key: string): boolean {
  const c = snapshot.coverage[key as KindKey];
  if (c === undefined || c.status === 'forbidden' || c.status === 'error') return true;
  return (snapshot.resources[key as KindKey]?.length ?? 0) > 0 || (c.count ?? 0) > 0;
}

/**
 * Why the run is partial: every kind that could not be read and something depends on
 * (unreadKinds), and input the collector could not place. Absent when nothing is missing.
 */
export function partialOf(snapshot: Snapshot, unjudged?: ReadonlySet<string>): { partial?: string[] } {
  const lines = unreadKinds(snapshot, unjudged).partial;
  lines.push(...(snapshot.partial ?? []));
  return lines.length > 0 ? { partial: lines } : {};
}

export function auditSnapshot(input: AuditInput): AuditOutput {
  const wanted = !input.evaluate && input.spool !== undefined;
  const spool = wanted ? input.spool!() : null;
  try {
    const out = audited(input, spool);
    // No file could be made (Spool.open makes it in the OS temp directory): said, as a spool
    // failing part-way is, since every finding's text now costs memory.
    if (wanted && spool === null) {
      out.warnings = [`cannot make the findings' temp file in ${tmpdir()} (TMPDIR): the run goes on with every finding kept in memory (hundreds of MiB more on a large cluster); point TMPDIR at a writable directory`, ...out.warnings ?? []];
    }
    return out;
  } catch (error: unknown) {
    spool?.close(); // at once: an audit that failed leaves no file open behind it
    throw error;
  }
}

function audited(input: AuditInput, spool: Spool | null): AuditOutput {
  const ctx: AuditContext = { snapshot: input.snapshot, config: input.config, now: input.now };
  // One check at a time, and each result as its check makes it: a check written as a
  // generator has its evidence garbage once its finding is made (spooled), instead of holding
  // every result until it ends (most of the young objects V8 had to copy at 150k pods). A
  // caller's own `evaluate` (serve --watch keeps every outcome to re-run only some) gets the
  // whole list, as before.
  // Each failure becomes its finding at once (the Result is not kept beside it); waivers,
  // decided over all of them, are filled in afterwards. Passes are counted per severity (a
  // pass is only scored). With a spool, a finding's message, evidence and related objects go
  // to its temp file at once (src/run/spooled-finding.ts).
  // Indexed by the check's place in `input.checks` (the report's order), whatever the order
  // the checks ran in (oneByOne).
  const outcomes: CheckOutcome[] = [];
  const passes: Array<Map<Severity, number>> = [];
  const open: Array<Map<Severity, number>> = []; // check i's open findings per severity, for the score
  const spans: Array<[number, number]> = []; // check i's findings were findings[spans[i][0] .. spans[i][1]) as they ran
  let findings: Finding[] = [];
  // The findings whose check's impliesWhen said they imply nothing, judged as each is made
  // (markImplied): judged later, a spooled finding's evidence would be parsed back from its
  // temp file (17,424 rbac.cluster-admin-binding findings at 150,000 pods).
  const narrow = new Set<Finding>();
  let impliesWhen: Check['impliesWhen'];
  let kept = 0; // findings that stay in memory although there is a spool (it could not take them)
  // The evidence strings seen in the current area (pod names recur across its checks).
  let strings = new Map<string, string>();
  let area = '';
  // The check under way: its passes and its failures per severity, its controls, where its findings begin.
  let counts = new Map<Severity, number>();
  let failures = new Map<Severity, number>();
  let controls: string[] = [];
  let first = 0;
  let keptBefore = 0;
  let at = 0;
  const sink: ResultSink = {
    start(check, index) {
      at = index;
      if (check.area !== area) { area = check.area; strings = new Map(); }
      counts = new Map();
      failures = new Map();
      controls = check.controls;
      impliesWhen = check.implies?.length ? check.impliesWhen?.bind(check) : undefined;
      first = findings.length;
      keptBefore = kept;
    },
    take(r) {
      if (r.status === 'pass') {
        counts.set(r.severity, (counts.get(r.severity) ?? 0) + 1);
        return;
      }
      // Spooled straight from the result: no finding is made to be copied into another.
      // A result may name fewer controls than its check (Verdict.controls), a shared frozen list.
      const ctl = (r.controls as string[] | undefined) ?? controls;
      failures.set(r.severity, (failures.get(r.severity) ?? 0) + 1);
      const spooled = spool && spoolFailure(r, ctl, spool);
      let f: Finding;
      if (spooled) f = spooled;
      else {
        f = findingOf(r, ctl);
        if (spool) kept++;
        if (r.evidence) shareStrings(r.evidence, strings);
        // Held in memory: one contiguous string (an `evaluate` caller's results are flat already).
        if (!input.evaluate && typeof f.message === 'string') f.message = flatText(f.message);
      }
      findings.push(f);
      // Asked of the finding as it is made, its evidence still in memory (not read from the spool).
      if (impliesWhen && impliesWhen(spooled ? findingOf(r, ctl) : f) === false) narrow.add(f);
    },
    end(o) {
      // A check that threw has no results: the findings it made before are dropped (their
      // spooled text is never read), its passes and failures uncounted.
      if (o.status === 'error') {
        findings.length = first;
        kept = keptBefore;
        counts.clear();
        failures.clear();
      }
      outcomes[at] = { ...o, results: [] };
      passes[at] = counts;
      open[at] = failures;
      spans[at] = [first, findings.length];
    },
  };
  if (input.evaluate) {
    for (const [i, o] of input.evaluate(input.checks, ctx).entries()) {
      sink.start(o.check, i);
      for (const r of o.results) sink.take(r);
      sink.end(o);
    }
  } else {
    oneByOne(input.checks, ctx, [input.details, input.notes], sink);
  }
  const ends: number[] = []; // outcome i's findings are findings[ends[i - 1] ?? 0 .. ends[i]) once in the report's order
  findings = inReportOrder(findings, spans, ends);
  strings.clear();
  if (spool?.size === 0) spool.close();
  else spool?.seal();
  // A check's warnings are about what the operator configured: in the report's notes and the log.
  const checkWarnings = outcomes.flatMap((o) => (o.warnings ?? []).map((line) => `${o.check.id}: ${line}`));
  const warnings = spool?.failure ? [`cannot write the findings' temp file in ${spool.dir} (${spool.failure}): the run goes on with findings kept in memory (${kept} of ${findings.length} not spooled)`] : [];
  warnings.push(...checkWarnings);
  const w = applyWaivers(input.config.waivers, findings, input.now, outcomes.map((o) => ({ id: o.check.id, status: o.status, ...(o.reason ? { reason: o.reason } : {}) })));

  const checks: CheckSummary[] = [];
  for (const [i, o] of outcomes.entries()) {
    let failed = 0, waived = 0;
    const passed = [...passes[i].values()].reduce((a, b) => a + b, 0);
    const start = i === 0 ? 0 : ends[i - 1];
    // No waiver matched a finding: every one is open (its finding not read at all).
    if (w.waived.size === 0) failed = ends[i] - start;
    else for (let j = start; j < ends[i]; j++) {
      const f = findings[j];
      const waiver = w.waived.get(f.fingerprint);
      if (waiver) {
        waived++;
        open[i].set(f.severity, open[i].get(f.severity)! - 1);
        f.waived = true;
        f.waiver = { reason: waiver.reason, owner: waiver.owner, expires: waiver.expires };
      } else failed++;
    }
    const status = o.status === 'pass' || o.status === 'fail' ? (failed > 0 ? 'fail' : 'pass') : o.status;
    checks.push({
      id: o.check.id, area: o.check.area, title: o.check.title, severity: o.severity,
      controls: o.check.controls, remediation: o.check.remediation, protectsAgainst: o.check.protectsAgainst,
      evaluated: ends[i] - start + passed, passed, failed, waived, status, ...(o.reason ? { reason: o.reason } : {}),
      ...(o.unreadable ? { unreadable: o.unreadable } : {}),
      ...(o.degraded ? { degraded: o.degraded } : {}),
      ...(o.excluded ? { excluded: o.excluded } : {}),
      ...(o.unjudgedNamespaces ? { unjudgedNamespaces: o.unjudgedNamespaces } : {}),
    });
  }
  // A kind a check could not be judged without makes the run partial, whatever it is read for.
  const unjudged = new Set<string>(outcomes.flatMap((o) => o.unreadable ?? []));
  const score = scoreRun(scored(outcomes, passes, open));

  markImplied(findings, outcomes, ends, narrow);
  narrow.clear();

  const report: RunReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    run: {
      id: input.runId,
      startedAt: input.startedAt.toISOString(),
      finishedAt: (input.clock ? input.clock() : input.now).toISOString(),
      cluster: clusterOf(input.snapshot),
      source: input.snapshot.source,
      coverage: input.snapshot.coverage as RunReport['run']['coverage'],
      toolVersion: TOOL_VERSION,
      checkCatalogVersion: catalogVersion(input.checks),
      notes: [...input.snapshot.notes, ...unreadKinds(input.snapshot, unjudged).notes, ...(input.notes ? input.notes(ctx) : []), ...checkWarnings],
      ...partialOf(input.snapshot, unjudged),
      ...undeclaredOf(input.snapshot),
      ...(input.snapshot.source === 'snapshot' && input.snapshot.origin ? { origin: input.snapshot.origin } : {}),
    },
    score,
    checks,
    findings,
    diff: null,
    waivers: w.statuses,
    details: input.details ? input.details(ctx) : {},
    notifications: [],
  };
  return { report, expiredWaivers: [...w.expired.keys()], ...(warnings.length > 0 ? { warnings } : {}) };
}

/**
 * Where the audit's checks hand their results: each check's start (with its place in the
 * report's order), every result, its end (methods that do not use `this`).
 */
interface ResultSink {
  start(check: Check, index: number): void;
  take(r: Result): void;
  end(o: CheckOutcome): void;
}

/**
 * The order the areas' checks run in. The mtls checks read the mesh models the network and
 * tls checks build (meshModel, istioAuthzModel, flow-verdict's indexes: ~66 MiB at 150,000
 * pods), so they run right after tls and those models are dropped before RBAC and Pod
 * Security build theirs, instead of staying alive through both. The report keeps the
 * catalog's order (inReportOrder).
 */
const RUN_ORDER: readonly Area[] = ['network', 'tls', 'mtls', 'rbac', 'pod-security'];
const runRank = (area: Area): number => {
  const rank = RUN_ORDER.indexOf(area);
  return rank < 0 ? RUN_ORDER.length : rank;
};

/**
 * Runs the checks area by area in RUN_ORDER (an area's checks in their order), each result
 * handed to `sink` as its check makes it. As an area's last check ends, the report sections
 * that read its models are computed (`afterArea`), then the models no later area reads are
 * dropped.
 */
function oneByOne(checks: readonly Check[], ctx: AuditContext, staged: ReadonlyArray<StagedAnalysis<unknown> | undefined>, sink: ResultSink): void {
  const order = checks.map((_, i) => i).sort((a, b) => runRank(checks[a].area) - runRank(checks[b].area) || a - b);
  const lastOfArea = new Map(order.map((i, k) => [checks[i].area, k]));
  const ended = new Set<string>();
  for (const [k, i] of order.entries()) {
    const check = checks[i];
    sink.start(check, i);
    sink.end(runStreamed(check, ctx, false, sink.take));
    if (lastOfArea.get(check.area) !== k) continue;
    ended.add(check.area);
    for (const s of staged) s?.afterArea?.(check.area, ctx);
    releaseModels(ended, ctx);
  }
}

/**
 * The findings in the report's order: check i's (`spans[i]`, where they were as the checks
 * ran) after check i - 1's. Fills `ends` (check i's findings end before ends[i]). The same
 * array when the checks ran in that order. O(findings).
 */
function inReportOrder(findings: Finding[], spans: ReadonlyArray<readonly [number, number]>, ends: number[]): Finding[] {
  let inOrder = true;
  let n = 0;
  for (const [from, to] of spans) {
    if (from !== n) inOrder = false;
    n += to - from;
    ends.push(n);
  }
  if (inOrder) return findings;
  const out = new Array<Finding>(n);
  let k = 0;
  for (const [from, to] of spans) for (let j = from; j < to; j++) out[k++] = findings[j];
  return out;
}

/**
 * Every result as scoring sees it: one stand-in per open finding and per counted pass (a
 * waived finding is not scored), by check and severity: counted as the checks ran, so scoring
 * reads no finding (401,053 at 150,000 pods).
 */
function* scored(outcomes: readonly CheckOutcome[], passes: ReadonlyArray<ReadonlyMap<Severity, number>>, open: ReadonlyArray<ReadonlyMap<Severity, number>>): Generator<Result> {
  for (const [i, o] of outcomes.entries()) {
    for (const [status, counted] of [['fail', open[i]], ['pass', passes[i]]] as const) {
      for (const [severity, n] of counted) {
        const r: Result = { status, resource: { kind: '', name: '' }, message: '', check: o.check.id, area: o.check.area, severity, fingerprint: '' };
        for (let k = 0; k < n; k++) yield r;
      }
    }
  }
}

/**
 * Makes equal strings in a check's evidence one string: checks build the same text (a
 * policy level, a container's problem, a namespace) anew for each failure, and hundreds of
 * thousands of evidence objects are held until the report is written. In place: the values
 * and their order stay as they were (evidence objects shared between findings, too).
 */
function shareStrings(value: object, strings: Map<string, string>): void {
  if (Object.isFrozen(value)) return;
  const one = (s: string) => {
    const seen = strings.get(s);
    if (seen !== undefined) return seen;
    strings.set(s, s);
    return s;
  };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'string') value[i] = one(v);
      else if (typeof v === 'object' && v !== null) shareStrings(v, strings);
    }
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return;
  const rec = value as Record<string, unknown>;
  for (const k of Object.keys(rec)) {
    const v = rec[k];
    if (typeof v === 'string') { const s = one(v); if (s !== v) rec[k] = s; }
    else if (typeof v === 'object' && v !== null) shareStrings(v, strings);
  }
}

/**
 * A failure as the report lists it. Every finding has the same fields in the same order, so
 * they all share one compact layout (a large cluster holds hundreds of thousands until the
 * report is written); the optional ones are undefined when absent, which JSON leaves out
 * exactly as if they were missing. The waiver and impliedBy are filled in later. A spooled
 * finding is made the same (spoolFailure).
 */
function findingOf(r: Result, controls: string[]): Finding {
  return {
    fingerprint: r.fingerprint, check: r.check, area: r.area, severity: r.severity, resource: r.resource,
    ...(r.extent ? { extent: findingExtent(r) } : {}),
    message: r.message, controls, evidence: findingEvidence(r), related: findingRelated(r),
    waived: false, waiver: undefined, impliedBy: undefined,
  };
}

const resourceKey = (f: Finding) => `${f.resource.kind}\u0000${f.resource.namespace ?? ''}\u0000${f.resource.name}`;

/**
 * Sets `impliedBy` on findings that a broader finding on the same resource implies (its check
 * lists theirs in `implies`), but for the findings in `narrow` (their check's impliesWhen said
 * false as they were made). A waived cause does not hide an open consequence. Outcome i's
 * findings are findings[ends[i - 1] ?? 0 .. ends[i]) (audited): only the findings of checks
 * that imply or are implied are read (111,472 of 401,053 at 150,000 pods), not every one twice.
 */
export function markImplied(findings: Finding[], outcomes: readonly CheckOutcome[], ends: readonly number[], narrow: ReadonlySet<Finding>): void {
  const implies = new Map<string, ReadonlySet<string>>();
  for (const o of outcomes) {
    if (o.check.implies?.length) implies.set(o.check.id, new Set(o.check.implies));
  }
  if (implies.size === 0) return;
  /** The findings of the checks `ids` holds, in the report's order. */
  function* findingsOf(ids: ReadonlySet<string> | ReadonlyMap<string, unknown>): Generator<Finding> {
    for (const [i, o] of outcomes.entries()) {
      if (!ids.has(o.check.id)) continue;
      for (let j = i === 0 ? 0 : ends[i - 1]; j < ends[i]; j++) yield findings[j];
    }
  }
  const causes = new Map<string, Finding[]>();
  for (const f of findingsOf(implies)) {
    if (narrow.has(f)) continue;
    const key = resourceKey(f);
    const list = causes.get(key);
    if (list) list.push(f); else causes.set(key, [f]);
  }
  if (causes.size === 0) return;
  // Only a finding of a check some check implies can be implied (most checks are none).
  const implied = new Set<string>();
  for (const set of implies.values()) for (const id of set) implied.add(id);
  for (const f of findingsOf(implied)) {
    const candidates = causes.get(resourceKey(f));
    if (!candidates) continue;
    const cause = candidates.find((c) => c !== f && c.check !== f.check && implies.get(c.check)!.has(f.check) && !(c.waived && !f.waived));
    if (cause) f.impliedBy = cause.fingerprint;
  }
}
