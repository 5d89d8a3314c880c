// `ztaudit diff --last | RUN_A RUN_B [--history URL] [--config F] [--output text|json]`:
// compares two stored runs with the regression rules of the current config.
import { CHECKS, CHECK_BY_ID } from '../../checks/index.ts';
import { bestEffortByCheck } from '../engine/run.ts';
import { loadConfig } from '../config/load.ts';
import { oneLine } from '../base/plain-text.ts';
import { AREAS, SEVERITIES } from '../base/vocabulary.ts';
import { ConfigError, HistoryError, type UnreadableRunError } from '../base/errors.ts';
import { addRegressionSinceUnreadable, describeResource, diffBySummary, diffRuns, expiredWaiversOf } from '../diff/diff.ts';
import { findBaseline, withInferredDegraded, type Baseline } from '../diff/baseline.ts';
import { firstEvaluatedNote, notJudgedNote } from '../report/view/index.ts';
import { resourceText } from '../report/view/format.ts';
import { widenedMembersText } from '../run/extent.ts';
import { spoolCloserOf } from '../run/stored-run.ts';
import type { Finding, RunDiff, RunReport, StoredRunRead } from '../run/types.ts';
import { EXIT_OK, type CliIO } from './io.ts';
import { addStoreOptions, findRun, openStoreForReading, withStoreErrors, type StoreFlags } from './history.ts';
import type { RunStore } from '../history/store.ts';
import { choiceOption, defineCommand, runSpec } from './command.ts';

const MAX_LISTED = 50;

interface DiffOptions extends StoreFlags { last?: boolean; config?: string; output: string }

function diffStoredRuns(values: DiffOptions, positionals: string[], io: CliIO): Promise<number> {
  return withStoreErrors(io, 'diff', async () => {
    if (values.last ? positionals.length !== 0 : positionals.length !== 2) throw new ConfigError('usage: ztaudit diff --last | RUN_A RUN_B');
    const { config, errors } = loadConfig(values.config, io.cwd, new Set(CHECK_BY_ID.keys()));
    if (errors.length > 0) throw new ConfigError(errors.join('\n'));

    const store = await openStoreForReading(values, io, 'diff');
    let close = () => {};
    try {
      let previous: RunReport | null;
      let current: RunReport;
      let olderRuns: Record<string, string> = {};
      let notApplicableRuns: Record<string, string> = {};
      let breadthRunId: string | undefined;
      let namespaceRuns: Baseline['namespaceRuns'] = new Map();
      let fullInputRuns: Baseline['fullInputRuns'] | undefined;
      let fullInputReport: Baseline['fullInputReport'];
      let fullInputCarry: Baseline['fullInputCarry'] | undefined;
      let unreadable: UnreadableRunError[] = [];
      let newer: UnreadableRunError[] = [];
      if (values.last) {
        ({ current, previous, olderRuns, notApplicableRuns, breadthRunId, namespaceRuns, fullInputRuns, fullInputReport, fullInputCarry, close, unreadable, newer } = await lastAndMaybeBaseline(store));
      } else {
        const a = await findRun(store, positionals[0]);
        current = await findRun(store, positionals[1]);
        for (const w of pairWarnings(a, current)) io.stderr(`ztaudit diff: warning: ${w}\n`);
        ({ previous, olderRuns, notApplicableRuns, breadthRunId, namespaceRuns, fullInputRuns, fullInputReport, fullInputCarry, close, unreadable } = await baselineFrom(store, a, current));
      }
      for (const error of unreadable) io.stderr(`ztaudit diff: warning: ${oneLine(error.message)}; passed over\n`);
      if (previous === null) {
        // No older run reads: what the newest of them last reported still counts, by its stored
        // summary, as the run itself compared (src/pipeline/pipeline.ts).
        const bySummary = diffBySummary(unreadable, current, config.regression);
        if (bySummary === null) throw noBaseline(store, current, unreadable);
        if (values.output === 'json') io.stdout(`${JSON.stringify(bySummary, null, 2)}\n`);
        else io.stdout(formatDiffBySummary(current, bySummary));
        return EXIT_OK;
      }
      const diff = diffRuns(previous, current, { rules: config.regression, expiredWaivers: expiredWaiversOf(current), olderRuns, notApplicableRuns, breadthRunId, namespaceRuns, fullInputRuns, fullInputReport, fullInputCarry });
      if (unreadable.length > 0) diff.unreadableRuns = unreadable.map((e) => e.runId);
      addRegressionSinceUnreadable(diff, newer, current, config.regression);
      // The alerts of earlier runs that no channel delivered and that the later run carried: part
      // of the comparison the run itself made (src/run/undelivered.ts), so shown when the two
      // runs are that pair (always so with --last), never re-derived.
      const carried = current.diff?.previousRunId === previous.run.id ? current.diff.undelivered ?? [] : [];
      if (carried.length > 0) diff.undelivered = carried;
      if (values.output === 'json') io.stdout(`${JSON.stringify(diff, null, 2)}\n`);
      else io.stdout(formatDiff(previous, current, diff));
      return EXIT_OK;
    } finally {
      close();
      await store.close();
    }
  });
}

/** What makes RUN_A RUN_B a comparison that means little: two clusters, or A after B. */
function pairWarnings(a: RunReport, b: RunReport): string[] {
  const out: string[] = [];
  if (a.run.cluster.name !== b.run.cluster.name) out.push(oneLine(`the runs are of different clusters ("${a.run.cluster.name}" and "${b.run.cluster.name}"): their findings are not the same objects`));
  if (Date.parse(a.run.startedAt) > Date.parse(b.run.startedAt)) out.push(oneLine(`RUN_A ${a.run.id} started after RUN_B ${b.run.id}: new and resolved are swapped; give the earlier run first`));
  return out;
}

/** Where a baseline's checks come from (Baseline), and `close`, which lets go of the runs it read. */
type BaselineRuns = Pick<Baseline, 'olderRuns' | 'notApplicableRuns' | 'breadthRunId' | 'namespaceRuns'> & Partial<Pick<Baseline, 'fullInputRuns' | 'fullInputReport' | 'fullInputCarry'>> & { close: () => void; unreadable: UnreadableRunError[] };

/**
 * The latest run and its baseline as the run itself was diffed (src/pipeline/pipeline.ts):
 * each check against the last run that evaluated it, so a partial run in between hides nothing
 * here either. Only the runs the baseline takes from stay readable (their findings' temp files
 * open) until `close`; every other run walked is closed as soon as it is passed over and not
 * kept, so a long walk holds one run at a time, not all it read.
 */
export async function lastAndBaseline(store: Pick<RunStore, 'describe' | 'latest' | 'runsNewestFirst'>): Promise<{ current: RunReport; previous: RunReport; newer: UnreadableRunError[] } & BaselineRuns> {
  const found = await lastAndMaybeBaseline(store);
  if (found.previous === null) throw noBaseline(store, found.current, found.unreadable);
  return { ...found, previous: found.previous };
}

function noBaseline(store: Pick<RunStore, 'describe'>, current: RunReport, unreadable: readonly UnreadableRunError[]): HistoryError {
  return new HistoryError(`only one ${unreadable.length > 0 ? 'readable ' : ''}run of cluster "${oneLine(current.run.cluster.name)}" is stored in ${store.describe()}: nothing to compare with${unreadable.length > 0 ? ` (${unreadable.map((e) => oneLine(e.message)).join('; ')})` : ''}`);
}

/** lastAndBaseline, with `previous` null when no older run of the cluster can be read (`unreadable` says which could not). */
async function lastAndMaybeBaseline(store: Pick<RunStore, 'describe' | 'latest' | 'runsNewestFirst'>): Promise<{ current: RunReport; previous: RunReport | null; newer: UnreadableRunError[] } & BaselineRuns> {
  const current = await store.latest();
  if (!current) throw new HistoryError(`no runs stored in ${store.describe()}`);
  const closers: Array<() => void> = [];
  const close = () => { for (const c of closers.splice(0)) c(); };
  // Passed over as the run's own diff passes over them (src/pipeline/pipeline.ts).
  const unreadable: UnreadableRunError[] = [];
  // Those met before any older run was kept (none in `closers` yet) are newer than the baseline.
  const newer: UnreadableRunError[] = [];
  const onUnreadable = (error: UnreadableRunError) => { unreadable.push(error); if (closers.length === 0) newer.push(error); };
  try {
    const baseline = await findBaseline(({ wants }) => olderThan(store.runsNewestFirst(current.run.cluster.name, { wants, onUnreadable }), current.run.id, closers), current, { passed: (run) => spoolCloserOf(run)(), bestEffort: bestEffortByCheck(CHECKS) });
    if (!baseline) return { current, previous: null, olderRuns: {}, notApplicableRuns: {}, namespaceRuns: new Map(), close, unreadable, newer };
    return { current, previous: baseline.report, olderRuns: baseline.olderRuns, notApplicableRuns: baseline.notApplicableRuns, breadthRunId: baseline.breadthRunId, namespaceRuns: baseline.namespaceRuns, fullInputRuns: baseline.fullInputRuns, fullInputReport: baseline.fullInputReport, fullInputCarry: baseline.fullInputCarry, close, unreadable, newer };
  } catch (error: unknown) {
    close();
    throw error;
  }
}

/**
 * RUN_A as the baseline of RUN_B, each check of B compared with the last run up to A (A
 * included, by insertion order) in which it was evaluated, as `--last` and the run itself
 * compare: A partial must not make whatever appeared while it was blind neither new nor resolved.
 * A is read again from the store's walk of its cluster (not found there: A as it is, its checks
 * judged without a best-effort input inferred from its coverage as the walk infers them).
 */
async function baselineFrom(store: Pick<RunStore, 'runsNewestFirst'>, a: RunReport, current: RunReport): Promise<{ previous: RunReport } & BaselineRuns> {
  const closers: Array<() => void> = [];
  const close = () => { for (const c of closers.splice(0)) c(); };
  const unreadable: UnreadableRunError[] = [];
  try {
    // Runs stored after A are passed over unread, by their summaries' ids.
    let reached = false;
    const walk = ({ wants }: { wants: NonNullable<StoredRunRead['wants']> }) => fromRun(store.runsNewestFirst(a.run.cluster.name, {
      wants: (s) => (reached ? wants(s) : (reached = s.id === a.run.id)),
      onUnreadable: (error) => { unreadable.push(error); },
    }), a.run.id, closers);
    const baseline = await findBaseline(walk, current, { passed: (run) => spoolCloserOf(run)(), bestEffort: bestEffortByCheck(CHECKS) });
    return baseline ? { previous: baseline.report, olderRuns: baseline.olderRuns, notApplicableRuns: baseline.notApplicableRuns, breadthRunId: baseline.breadthRunId, namespaceRuns: baseline.namespaceRuns, fullInputRuns: baseline.fullInputRuns, fullInputReport: baseline.fullInputReport, fullInputCarry: baseline.fullInputCarry, close, unreadable } : { previous: withInferredDegraded(a, bestEffortByCheck(CHECKS)), olderRuns: {}, notApplicableRuns: {}, namespaceRuns: new Map(), close, unreadable };
  } catch (error: unknown) {
    close();
    throw error;
  }
}

/** The runs of `runs` from run `id` on (it included, then older ones); newer ones are closed at once. */
async function* fromRun(runs: AsyncIterable<RunReport>, id: string, closers: Array<() => void>): AsyncIterable<RunReport> {
  let reached = false;
  for await (const run of runs) {
    reached ||= run.run.id === id;
    if (reached) {
      closers.push(spoolCloserOf(run));
      yield run;
    } else {
      spoolCloserOf(run)();
    }
  }
}

/**
 * The runs of `runs` inserted before run `id` (newest first), each one's spool closer added to
 * `closers` (it holds the spool, not the run); `id` itself and any newer are closed at once.
 */
async function* olderThan(runs: AsyncIterable<RunReport>, id: string, closers: Array<() => void>): AsyncIterable<RunReport> {
  let past = false;
  for await (const run of runs) {
    if (past) {
      closers.push(spoolCloserOf(run));
      yield run;
    } else {
      past = run.run.id === id;
      spoolCloserOf(run)();
    }
  }
}

export const DIFF = defineCommand<DiffOptions>({
  name: 'diff',
  summary: 'compare two stored runs: new, resolved and persisting findings, score deltas, regression or not',
  define: (cmd) => {
    cmd
      .argument('[run-a]', 'the earlier run: an id or a unique prefix of one')
      .argument('[run-b]', 'the later run')
      .option('--last', "the latest run against its cluster's previous run (each check against the last run that evaluated it, as the run itself was diffed)");
    addStoreOptions(cmd)
      .option('--config <file>', 'configuration whose regression rules judge the difference')
      .addOption(choiceOption('-o, --output <format>', 'text or json', ['text', 'json'], 'text'));
  },
  examples: ['ztaudit diff --last', 'ztaudit diff 20261120 20261121T0200 --output json'],
  run: (opts, args, io) => diffStoredRuns(opts, args.filter((a) => a !== undefined), io),
});

export const diffCommand = (argv: string[], io: CliIO): Promise<number> => runSpec(DIFF, argv, io);

function signed(n: number | null): string {
  return n === null ? 'n/a' : `${n > 0 ? '+' : ''}${n.toFixed(1)}`;
}

/**
 * Worst first, then by check and resource, so the top of a long list is what matters; `suffix`
 * adds to a finding's line (the waiver that covers it).
 */
function findingLines(sign: string, fps: string[], byFp: Map<string, Finding>, suffix: (fp: string) => string = () => ''): string[] {
  const rank = (fp: string) => { const f = byFp.get(fp); return f ? SEVERITIES.indexOf(f.severity) : SEVERITIES.length; };
  const key = (fp: string) => { const f = byFp.get(fp); return f ? `${f.check} ${describeResource(f.resource)}` : fp; };
  const sorted = [...fps].sort((x, y) => rank(x) - rank(y) || key(x).localeCompare(key(y)));
  const lines = sorted.slice(0, MAX_LISTED).map((fp) => {
    const f = byFp.get(fp);
    return oneLine(f ? `  ${sign} ${f.severity.padEnd(8)} ${f.check} on ${describeResource(f.resource)}${suffix(fp)}` : `  ${sign} ${fp}${suffix(fp)}`);
  });
  if (fps.length > MAX_LISTED) lines.push(`  … ${fps.length - MAX_LISTED} more (--output json lists all)`);
  return lines;
}

export function formatDiff(previous: RunReport, current: RunReport, diff: RunDiff): string {
  const out: string[] = [];
  out.push(oneLine(`${previous.run.id} (${previous.run.startedAt}) → ${current.run.id} (${current.run.startedAt})`));
  const score = (n: number | null) => (n === null ? 'n/a' : n.toFixed(1));
  out.push(`overall score ${score(previous.score.overall)} → ${score(current.score.overall)} (${signed(diff.scoreDelta.overall)})`);
  for (const a of AREAS) {
    if (previous.score.areas[a] === null && current.score.areas[a] === null) continue;
    out.push(`  ${a.padEnd(13)} ${score(previous.score.areas[a]).padStart(5)} → ${score(current.score.areas[a]).padStart(5)} (${signed(diff.scoreDelta.areas[a])})`);
  }
  out.push(`new findings: ${diff.new.length}`);
  out.push(...findingLines('+', diff.new, new Map(current.findings.map((f) => [f.fingerprint, f]))));
  const widened = diff.widened ?? [];
  if (widened.length > 0) {
    // Persisting, yet covering more: listed whatever their severity (the header's regression names those at the threshold).
    out.push(`persisting findings that now cover more: ${widened.length}`);
    const byFp = new Map(widened.map((w) => [w.fingerprint, w]));
    out.push(...findingLines('>', [...byFp.keys()], new Map(current.findings.map((f) => [f.fingerprint, f])), (fp) => `: ${widenedMembersText(byFp.get(fp)!)}`));
  }
  const waived = diff.newlyWaived ?? [];
  if (waived.length > 0) {
    // What the waivers now also hide (src/diff/diff.ts): new, yet neither scored nor in the list above.
    out.push(`new findings a waiver covers: ${waived.length}`);
    const waiverOf = new Map(waived.map((w) => [w.fingerprint, w]));
    const underWaiver = (fp: string) => {
      const w = waiverOf.get(fp)!;
      return ` (waiver ${w.waiver.check} ${resourceText(w.waiver.resource)}${w.throughRelated ? ', only through related objects' : ''}${w.widened ? `; not new, it widened: ${widenedMembersText(w.widened)}` : ''})`;
    };
    out.push(...findingLines('~', [...waiverOf.keys()], new Map(current.findings.map((f) => [f.fingerprint, f])), underWaiver));
  }
  out.push(`resolved findings: ${diff.resolved.length}`);
  out.push(...findingLines('-', diff.resolved, new Map(previous.findings.map((f) => [f.fingerprint, f]))));
  const unjudged = notJudgedNote(diff);
  if (unjudged) {
    out.push(oneLine(unjudged));
    out.push(...findingLines('?', diff.notJudged ?? [], new Map(previous.findings.map((f) => [f.fingerprint, f]))));
  }
  out.push(`persisting findings: ${diff.persisting}`);
  const since = diff.breadthBaselineRunId ? ` since run ${diff.breadthBaselineRunId}` : '';
  for (const g of diff.breadthGrowth.slice(0, MAX_LISTED)) {
    out.push(oneLine(`RBAC breadth of ${g.subject.kind} ${g.subject.namespace ? `${g.subject.namespace}/` : ''}${g.subject.name}: ${g.before} → ${g.after} (+${g.growthPercent}%${since})`));
  }
  if (diff.breadthNotCompared) out.push(oneLine(diff.breadthNotCompared));
  if (diff.unreadableRuns?.length) out.push(oneLine(`compared with older runs: stored run(s) ${diff.unreadableRuns.join(', ')} could not be read (passed over)`));
  const older = Object.entries(diff.olderBaselines ?? {});
  if (older.length > 0) out.push(oneLine(`compared with an older run (not evaluated in ${previous.run.id}): ${older.map(([check, run]) => `${check} (${run})`).join(', ')}`));
  const first = firstEvaluatedNote({ ...current, diff });
  if (first) out.push(oneLine(first));
  if (diff.partial) out.push(`partial comparison: ${diff.notComparable.length} check(s) evaluated in only one run (their findings are neither new nor resolved): ${diff.notComparable.join(', ')}`);
  if (diff.regression) {
    out.push('REGRESSION:');
    for (const r of diff.regressionReasons) out.push(`  - ${oneLine(r)}`);
  } else {
    out.push('no regression');
  }
  for (const u of diff.undelivered ?? []) {
    out.push(oneLine(`NOT DELIVERED after run ${u.runId} (no channel delivered its alert; run ${current.run.id} carries it):`));
    for (const r of u.reasons) out.push(`  - ${oneLine(r)}`);
  }
  return `${out.join('\n')}\n`;
}

/** A diff by the stored summary alone (RunDiff.bySummary): what is known, and that findings were not compared. */
function formatDiffBySummary(current: RunReport, diff: RunDiff): string {
  return [
    oneLine(`${diff.previousRunId} (${diff.previousStartedAt}, unreadable) → ${current.run.id} (${current.run.startedAt})`),
    oneLine(`compared by the stored summary of run ${diff.previousRunId} alone: no older run of this cluster can be read (${(diff.unreadableRuns ?? []).join(', ')}), so no finding is called new or resolved`),
    'REGRESSION:',
    ...diff.regressionReasons.map((r) => `  - ${oneLine(r)}`),
  ].join('\n') + '\n';
}
