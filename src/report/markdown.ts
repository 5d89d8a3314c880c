// A short Markdown summary (CI job summaries, pull-request comments): scores, what changed,
// the most severe open findings, what was not evaluated. Cluster names are escaped so they
// cannot inject Markdown or the HTML that Markdown renderers pass through. It stays within
// what GitHub takes (MARKDOWN_LIMIT): cut between lines, never inside a table row or an
// escape, with a last line that says what was left out (docs/report-formats.md#markdown).
import { oneLine, withoutControls } from '../base/plain-text.ts';
import { AREAS, SEVERITIES } from '../base/vocabulary.ts';
import { checkCoverage, gradeFor, notEvaluated, partialScoreNote, scoreText } from '../engine/score.ts';
import type { Finding, RunReport } from '../run/types.ts';
import { AREA_LABEL, firstEvaluatedNote, newFindingsOf, newlyWaivedRowsOf, notDiffedNote, notJudgedLines, notJudgedNote, olderBaselinesNote, resourceText, scoreAgainstVerdict } from './view/index.ts';
import { carriedText, runCounts, severityCountText } from './counts.ts';
import { isBlind } from '../run/coverage.ts';
import { isRunId } from '../run/run-id.ts';

export function mdEscape(value: unknown): string {
  // Control characters as their \uXXXX escape, as on the terminal: `cat report.md` must not run ESC sequences.
  // A value stays on its line with its line breaks shown as \u000a (oneLine), as the terminal shows a
  // name: as a space, "a\nb" would read as "a b".
  return oneLine(String(value))
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+!|~])/g, '\\$1')
    // No @mentions and no autolinks when the summary is posted as a PR or issue comment.
    .replace(/@/g, '&#64;')
    .replace(/:\/\//g, ':&#47;&#47;')
    .replace(/(www)\./gi, '$1&#46;')
    // No math: GitHub renders $…$, $$…$$ and $`…`$ with MathJax; outside math its documented way
    // to show a dollar sign as itself is span tags around it (a backslash escapes one only within
    // math): docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/writing-mathematical-expressions
    .replace(/\$/g, () => '<span>$</span>');
}

/**
 * The most the summary may take, in UTF-8 bytes: GitHub refuses a comment body of more than
 * 65,536 characters, and a step summary of more than 1 MiB; 65,536 bytes are within both,
 * however the characters are counted.
 */
export const MARKDOWN_LIMIT = 65_536;
/** The most of one value from the cluster (a message, a name, a reason) shown, in characters. */
const TEXT_LIMIT = 2_000;

/** A value cut to `limit` characters (TEXT_LIMIT unless given; a surrogate pair kept whole), then escaped. */
function mdText(value: unknown, limit = TEXT_LIMIT): string {
  const text = String(value);
  if (text.length <= limit) return mdEscape(text);
  const end = /[\ud800-\udbff]/.test(text[limit - 1]) ? limit - 1 : limit;
  return `${mdEscape(text.slice(0, end))}…`;
}

/**
 * The most of a waiver's reason, owner and expiry shown on its cause's row, in characters: a row
 * names up to MAX_WAIVED_UNDER waived findings, and five reasons of TEXT_LIMIT each would outgrow the
 * whole summary (a `$` alone is escaped to 14 bytes). The full text is in report.json.
 */
const WAIVER_TEXT_LIMIT = 80;

/** The most of a message or a resource shown on a row cut short to fit (Piece.short), in characters. */
const SHORT_ROW_LIMIT = 200;

/** A run id in a code span; one that is not a run id (an import or a shared store can hold anything) escaped as any value from the cluster. */
const runIdText = (id: string): string => (isRunId(id) ? `\`${id}\`` : mdText(id));

/**
 * One piece the summary is cut between: a line or a few that stand or fall together (a table's
 * header with its first row), the heading of the section it opens, the finding it lists.
 */
interface Piece {
  text: string;
  heading?: string;
  finding?: Finding;
  /** Always kept, however long the rest: the verdict and the counts (small, bounded). */
  keep?: true;
  /** Pieces that stand in a row (a table): once one is left out, so are the rest. */
  group?: string;
  /** A shorter form of the piece (a table row with its text cut short), placed when the piece does not fit. */
  short?: string;
}

/** At most this many waived findings named on their cause's row; the rest are counted. */
const MAX_WAIVED_UNDER = 5;

/** At most this many regression reasons listed; the rest are counted ("…and K more in report.json"). */
const MAX_REASONS = 10;

const score = (n: number | null) => (n === null ? 'n/a' : String(n));
const delta = (n: number | null | undefined) => (n === null || n === undefined ? '' : n > 0 ? ` (+${n})` : n < 0 ? ` (${n})` : ' (±0)');

export function renderMarkdown(report: RunReport, opts: { maxFindings?: number } = {}): string {
  const max = opts.maxFindings ?? 20;
  const d = report.diff;
  const pieces: Piece[] = [];
  const add = (...texts: string[]) => { for (const text of texts) pieces.push({ text }); };
  const keep = (text: string) => pieces.push({ text, keep: true }, { text: '' });
  const heading = (title: string) => pieces.push({ text: `## ${title}`, heading: title, keep: true }, { text: '' });
  const TABLE_HEAD = '| Severity | Check | Resource | Message |\n|---|---|---|---|';
  let tables = 0;
  // The waived findings folded under a broader one: named on their cause's row, marked waived with
  // their waiver, as report.html's "Also follows from this" marks them (never a row of their own).
  const waivedUnder = new Map<string, Finding[]>();
  for (const f of report.findings) {
    if (!f.waived || !f.impliedBy) continue;
    const list = waivedUnder.get(f.impliedBy);
    if (list) list.push(f); else waivedUnder.set(f.impliedBy, [f]);
  }
  const waivedText = (f: Finding, short = false) => {
    const list = [...(waivedUnder.get(f.fingerprint) ?? [])].sort((a, b) => a.check.localeCompare(b.check, 'en'));
    if (list.length === 0) return '';
    const head = `<br>Also follows from this, waived (${list.length}, not counted as open)`;
    if (short) return `${head}: see report.json`;
    let clipped = false;
    const clip = (value: string) => {
      if (value.length > WAIVER_TEXT_LIMIT) clipped = true;
      return mdText(value, WAIVER_TEXT_LIMIT);
    };
    const shown = list.slice(0, MAX_WAIVED_UNDER).map((w) => `\`${w.check}\`${w.waiver ? ` (${clip(w.waiver.reason)} — ${clip(w.waiver.owner)}, until ${clip(w.waiver.expires)})` : ''}`);
    return `${head}: ${shown.join('; ')}${list.length > MAX_WAIVED_UNDER ? `; …and ${list.length - MAX_WAIVED_UNDER} more in report.json` : ''}${clipped ? ' (full text in report.json)' : ''}`;
  };
  const findingRows = (findings: Finding[]) => {
    const group = `table-${tables++}`;
    findings.forEach((f, i) => pieces.push({
      text: `${i === 0 ? `${TABLE_HEAD}\n` : ''}| ${f.severity} | \`${f.check}\` | ${mdText(resourceText(f.resource))} | ${mdText(f.message)}${waivedText(f)} |`,
      short: `${i === 0 ? `${TABLE_HEAD}\n` : ''}| ${f.severity} | \`${f.check}\` | ${mdText(resourceText(f.resource), SHORT_ROW_LIMIT)} | ${mdText(f.message, SHORT_ROW_LIMIT)} (cut short: full text in report.json)${waivedText(f, true)} |`,
      finding: f,
      group,
    }));
  };
  add(`# ztaudit: ${mdText(report.run.cluster.name)}`, '');
  add(`Run ${runIdText(report.run.id)} · ${mdText(report.run.startedAt)} · source ${mdText(report.run.source)} · Kubernetes ${mdText(report.run.cluster.version ?? 'unknown')}`, '');
  const watch = report.run.trigger === 'watch' ? report.run.watch : undefined;
  if (watch) {
    add(`> **watch run** (serve --watch): ${watch.reevaluated.length} checks re-evaluated after ${watch.changeCount} change(s); the others are carried over from the previous audit.`);
    for (const c of watch.causes ?? []) add(`> **likely cause:** ${mdText(c)}`);
    add('');
  }
  for (const p of report.run.partial ?? []) add(`> **partial:** ${mdText(p)}`);
  if (report.run.partial?.length) add('');
  // An input gap the grades do not show (a Namespace object missing), said where a partial run's gaps are.
  const unjudgedLines = notJudgedLines(report);
  for (const p of unjudgedLines) add(`> **not judged:** ${mdText(p)}`);
  if (unjudgedLines.length > 0) add('');
  const all = checkCoverage(report.checks);
  // A partial run's overall is over what could be read: said beside it, as the CLI, HTML and email say it.
  const partialNote = partialScoreNote(report.score, report.checks, false);
  keep(`**Overall score: ${score(report.score.overall)}** (grade ${gradeFor(report.score.overall, all)}${notEvaluated(all) ? `, ${all.evaluated}/${all.applicable} checks evaluated${partialNote ? `; ${partialNote}` : ''}` : ''})${delta(d?.scoreDelta.overall)}`);
  // A score that rose in a regression (or fell in none), with what moved it: kept with the score.
  const against = scoreAgainstVerdict(d);
  if (against) keep(`**${mdText(against.text)}**`);
  const areaRows = AREAS.map((a) => {
    const cov = checkCoverage(report.checks, a);
    return `| ${AREA_LABEL[a]} | ${scoreText(report.score.areas[a], cov)} | ${gradeFor(report.score.areas[a], cov)} | ${delta(d?.scoreDelta.areas[a]).trim().replace(/[()]/g, '') || '–'} |`;
  });
  add(['| Area | Score | Grade | Change |', '|---|---:|:---:|---:|', ...areaRows].join('\n'));
  add('');
  const open = report.findings.filter((f) => !f.waived);
  const c = runCounts(report);
  const carried = carriedText(c);
  keep(`**${c.open.toLocaleString('en-US')} open findings**${carried ? ` (${mdText(carried)})` : ''} (${SEVERITIES.map((s) => `${severityCountText(c, s)} ${s}`).join(', ')}), ${c.waived.toLocaleString('en-US')} waived.`);
  add(`Checks: ${c.failingChecks} of ${c.checks} failing, ${c.notEvaluated} not evaluated, ${c.notApplicable} not applicable.`, '');
  const notDiffed = notDiffedNote(report);
  if (notDiffed) {
    heading('Changes since last run');
    add(`**${mdText(notDiffed)}.**`, '');
  }
  if (d) {
    heading('Changes since last run');
    // The verdict stays whatever the reasons' length; each reason is its own piece, so one too
    // long for what is left is skipped, never taking the counts and tables after it along.
    const reasons = d.regressionReasons;
    if (!d.regression) keep('No regression.');
    else if (reasons.length === 1) keep(`**Regression**: ${mdText(reasons[0])}`);
    else {
      keep(`**Regression** (${reasons.length} reasons):`);
      for (const r of reasons.slice(0, MAX_REASONS)) add(`- ${mdText(r)}`);
      if (reasons.length > MAX_REASONS) add(`- …and ${reasons.length - MAX_REASONS} more in report.json.`);
      add('');
    }
    for (const u of d.undelivered ?? []) add(`**Not delivered after run ${runIdText(u.runId)}:** ${u.reasons.map((r) => mdText(r)).join('; ')}`, '');
    const first = firstEvaluatedNote(report);
    if (first) add(mdText(first), '');
    keep(`${d.new.length} new, ${d.resolved.length} resolved, ${d.persisting} persisting (previous run ${runIdText(d.previousRunId)}).`);
    const unjudged = notJudgedNote(d);
    if (unjudged) add(`${mdText(unjudged)}.`, '');
    const older = olderBaselinesNote(d);
    if (older) add(`${mdText(older)}.`, '');
    if (d.breadthNotCompared) add(`${mdText(d.breadthNotCompared)}.`, '');
    const fresh = newFindingsOf(report).slice(0, max);
    if (fresh.length > 0) {
      findingRows(fresh);
      if (d.new.length > fresh.length) add('', `…and ${d.new.length - fresh.length} more in report.json.`);
      add('');
    }
    const widened = d.widened ?? [];
    if (widened.length > 0) {
      add(`**Persisting findings that now cover more** (${widened.length}):`, '');
      for (const w of widened.slice(0, max)) add(`- \`${w.check}\` on ${mdText(resourceText(w.resource))}: ${w.before} → ${w.after} ${mdText(w.unit)}${w.added.length > 0 ? `, now also ${w.added.map((r) => mdText(r)).join(', ')}` : ''}`);
      if (widened.length > max) add('', `…and ${widened.length - max} more in report.json.`);
      add('');
    }
    const waived = newlyWaivedRowsOf(report);
    if (waived.length > 0) {
      add(`**New findings a waiver covers** (${waived.length}, not scored):`, '');
      for (const w of waived.slice(0, max)) add(`- \`${w.check}\` on ${mdText(w.resource)}: waiver on ${mdText(w.waiver)} ${w.throughRelated ? '**covers it only through related objects**' : 'names it'}${w.widened ? `; not new, it widened: ${mdText(w.widened)}` : ''}`);
      if (waived.length > max) add('', `…and ${waived.length - max} more in report.json.`);
      add('');
    }
  }
  heading('Top open findings');
  if (open.length === 0) add('None.', '');
  else {
    const rank = (s: string) => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
    const top = [...open].sort((a, b) => rank(a.severity) - rank(b.severity)).slice(0, max);
    findingRows(top);
    if (open.length > top.length) add('', `…and ${open.length - top.length} more in report.json.`);
    add('');
  }
  const gaps = report.checks.filter((c) => isBlind(c.status));
  if (gaps.length > 0) {
    heading('Not evaluated');
    for (const c of gaps) add(`- \`${c.id}\` (${c.status}): ${mdText(c.reason ?? '')}`);
    add('');
  }
  return fitted(pieces, open);
}

/**
 * The pieces joined, or, when that is more than MARKDOWN_LIMIT bytes, those that fit with the
 * note on what was left out: the open findings no row lists, the sections cut short. The pieces
 * to keep (verdict, counts, headings) are placed first; the others in order, each that does not
 * fit in what is left skipped (and the rest of its table with it), not ending the summary there.
 */
function fitted(pieces: Piece[], open: Finding[]): string {
  // Control characters from text not passed through mdEscape (a run id, a check id) are escaped too.
  const texts = pieces.map((p) => withoutControls(p.text));
  const whole = texts.join('\n');
  if (Buffer.byteLength(whole) <= MARKDOWN_LIMIT) return whole;
  const note = (listed: number, cut: string[]) => [
    '',
    `**Cut to fit GitHub's limit on a comment (65,536 characters):** ${open.length - listed} of ${open.length} open findings are not listed here` +
      `${cut.length > 0 ? `, and ${cut.join(', ')} ${cut.length === 1 ? 'is' : 'are'} cut short` : ''}. ` +
      'The full report is report.json (report.html with --format html), written beside this file.',
  ].join('\n');
  // Room for the longest the note can be: every section cut short, counts of 15 digits.
  const room = Buffer.byteLength(note(0, ["the run's summary", ...pieces.filter((p) => p.heading).map((p) => `"${p.heading}"`)])) + 64;
  const size = texts.map((t) => Buffer.byteLength(t) + 1);
  let used = pieces.reduce((n, p, i) => n + (p.keep ? size[i] : 0), 0);
  const kept = pieces.map((p) => p.keep === true);
  const broken = new Set<string>();
  pieces.forEach((p, i) => {
    if (p.keep || (p.group !== undefined && broken.has(p.group))) return;
    if (used + size[i] + room <= MARKDOWN_LIMIT) { kept[i] = true; used += size[i]; return; }
    // A row too long for what is left is placed cut short (bounded) rather than dropping the rows
    // after it; when even that does not fit, the rest of its table is left out, and counted.
    if (p.short !== undefined) {
      const text = withoutControls(p.short);
      const n = Buffer.byteLength(text) + 1;
      if (used + n + room <= MARKDOWN_LIMIT) { texts[i] = text; kept[i] = true; used += n; return; }
    }
    if (p.group !== undefined) broken.add(p.group);
  });
  const listed = new Set<Finding>();
  pieces.forEach((p, i) => { if (kept[i] && p.finding && !p.finding.waived) listed.add(p.finding); });
  // The sections with a piece left out (blank lines aside), in order; the part before the first heading is the run's summary.
  const cut = new Set<string>();
  let section = "the run's summary";
  pieces.forEach((p, i) => {
    if (p.heading) section = `"${p.heading}"`;
    if (!kept[i] && p.text !== '') cut.add(section);
  });
  return `${texts.filter((_, i) => kept[i]).join('\n')}\n${note(listed.size, [...cut])}\n`;
}
