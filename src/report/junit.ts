// JUnit XML for CI dashboards: one testsuite per area, one testcase per failing check x
// resource (a <failure>, or <skipped> when waived) and one per check summarising its passes
// (when it has any);
// checks that do not apply are <skipped>; checks that could not be evaluated or crashed are
// <error>, and a partial run's suites carry partial=true and its reasons as <properties>.
// The XML is written a testcase at a time (at 150,000 pods it is larger than the longest string
// V8 can make); the counts the suites open with are taken first, from the same cases unwritten.
import { escaped, withoutInvisible } from '../base/plain-text.ts';
import { collectText, type TextWriter } from '../base/spool.ts';
import { AREAS, SEVERITIES, type Area } from '../base/vocabulary.ts';
import type { CarriedFindings, CheckSummary, Finding, RunReport, WaiverRef } from '../run/types.ts';
import { Cut, rankOf } from '../run/output-limits.ts';
import { JUNIT_MAX_FINDING_CASES, capSourceText } from '../base/output-limits.ts';
import { AREA_LABEL, resourceText } from './view/index.ts';
import { isBlind } from '../run/coverage.ts';

/**
 * XML 1.0 text: escapes markup, and shows as `\uXXXX` what XML cannot carry at all (C0 controls
 * but line break, carriage return and tab; U+FFFE, U+FFFF; a lone surrogate) and the controls it
 * carries but a terminal would run (DEL, C1: U+009B is a CSI), as report.md and SARIF show them, so
 * "prod\u001b" is not shown as "prod" and two names differing only there do not read the same. A
 * carriage return is a character reference: a parser reads a literal one as a newline (XML 1.0 §2.11).
 */
export function xmlEscape(value: unknown): string {
  return withoutInvisible(String(value))
    // eslint-disable-next-line no-control-regex -- the characters XML 1.0 forbids, DEL and C1
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/g, escaped)
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, escaped)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;');
}

/**
 * An attribute value: XML text, with its line breaks and tabs as character references. A parser
 * normalises a literal newline, carriage return or tab in an attribute value to a space (XML 1.0
 * §3.3.3), so a multi-line message would reach the CI dashboard on one line.
 */
export function xmlAttribute(value: unknown): string {
  return xmlEscape(value).replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

type Outcome = 'passed' | 'failure' | 'error' | 'skipped';

/** A testcase: how it counts, and its line (made only when it is written). */
interface TestCase { outcome: Outcome; line: () => string }

interface Counts { tests: number; failures: number; errors: number; skipped: number }

/**
 * A finding's testcase to be: this run's, or one carried from the run that last judged its
 * namespace (`from`: RunDiff.notJudged, notJudgedCarried). `waiver`: what waives it in this run.
 * `kept`: among the JUNIT_MAX_FINDING_CASES listed one by one (the others of its check are one case).
 */
interface Item { f: Finding; waiver: WaiverRef | undefined; from?: string; kept: boolean }

/**
 * Escaped XML text at most `max` characters (and an ellipsis): never an entity, a `\\uXXXX`
 * escape or a surrogate pair cut in two. Keeps each testcase, and so the file, within its bound (JUNIT_CLIP).
 */
function clipped(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max).replace(/&[#a-zA-Z0-9]*$/, '').replace(/\\(u[0-9a-f]{0,3})?$/, '').replace(/[\uD800-\uDBFF]$/, '')}…`;
}

/**
 * The most characters of a testcase's name, its failure message and its failure text (after
 * escaping): with at most JUNIT_MAX_FINDING_CASES finding cases of at most ~3,300 characters
 * (at most 3 bytes each in UTF-8) report.junit.xml stays under GitLab's 30 MB whatever the
 * cluster's size (docs/report-formats.md#junit). report.json has every text whole.
 */
export const JUNIT_CLIP = { name: 600, message: 500, text: 2_000 } as const;

function* casesOf(checks: CheckSummary[], byCheck: Map<string, Item[]>, limit: number, from: string | undefined): Generator<TestCase> {
  for (const c of checks) {
    const classname = xmlAttribute(`ztaudit.${c.id}`);
    const title = clipped(xmlAttribute(c.title), JUNIT_CLIP.name);
    if (c.status === 'not-applicable') {
      yield { outcome: 'skipped', line: () => `    <testcase classname="${classname}" name="${title}"><skipped message="${clipped(xmlAttribute(`${c.status}: ${c.reason ?? ''}`), JUNIT_CLIP.message)}"/></testcase>` };
      continue;
    }
    // Missing data is not a pass (DESIGN.md, non-negotiables): a check the run was blind to is
    // an error, so a partial run never shows green.
    if (isBlind(c.status)) {
      const why = c.reason ?? (c.status === 'error' ? 'check failed' : 'not evaluated');
      yield { outcome: 'error', line: () => `    <testcase classname="${classname}" name="${title}"><error type="${c.status}" message="${clipped(xmlAttribute(why), JUNIT_CLIP.message)}"/></testcase>` };
      continue;
    }
    // Nor is a namespace the check could not judge (its Namespace object not in the input): the
    // check's passes are then an error too, not a green case over the other namespaces alone.
    const unjudged = Array.isArray(c.unjudgedNamespaces) ? c.unjudgedNamespaces : [];
    if (unjudged.length > 0) {
      const why = `could not judge namespace(s) ${unjudgedText(unjudged)}: their Namespace objects are not in the input (report.json checks[].excluded); ${c.passed} passed in the others`;
      yield { outcome: 'error', line: () => `    <testcase classname="${classname}" name="${clipped(xmlAttribute(`${c.title} (namespaces not judged)`), JUNIT_CLIP.name)}"><error type="not-judged" message="${clipped(xmlAttribute(why), JUNIT_CLIP.message)}"/></testcase>` };
    } else if (c.passed > 0) {
      // Only passes make a green case: a check whose every result failed (or was waived) has none.
      yield { outcome: 'passed', line: () => `    <testcase classname="${classname}" name="${clipped(xmlAttribute(`${c.title} (${c.passed} passed)`), JUNIT_CLIP.name)}"/>` };
    }
    const items = byCheck.get(c.id) ?? [];
    // GitLab keeps one testcase per (classname, name): a second finding of the check whose name
    // reads the same would replace the first, so each of those is named with its fingerprint.
    // Counted on the name as written (as xmlAttribute writes it).
    const shownName = (f: Finding) => clipped(xmlAttribute(`${c.id} ${resourceText(f.resource)}`), JUNIT_CLIP.name);
    const seen = new Map<string, number>();
    for (const { f, kept } of items) if (kept) seen.set(shownName(f), (seen.get(shownName(f)) ?? 0) + 1);
    const left = { open: 0, waived: 0, worst: SEVERITIES.length - 1 };
    const worst = () => SEVERITIES[left.worst]!;
    for (const { f, waiver, from, kept } of items) {
      if (!kept) {
        if (waiver) left.waived++;
        else { left.open++; left.worst = Math.min(left.worst, SEVERITIES.indexOf(f.severity)); }
        continue;
      }
      const shown = shownName(f);
      const name = () => (seen.get(shown)! > 1 ? `${shown}${xmlAttribute(` [${f.fingerprint}]`)}` : shown);
      const carried = from === undefined ? '' : `carried from run ${from}: its namespace was not judged in this run (its Namespace object is not in the input). `;
      if (waiver) {
        yield { outcome: 'skipped', line: () => `    <testcase classname="${classname}" name="${name()}"><skipped message="${clipped(xmlAttribute(`${carried}waived until ${waiver.expires ?? '?'} by ${waiver.owner ?? '?'}: ${waiver.reason ?? ''}`), JUNIT_CLIP.message)}"/></testcase>` };
        continue;
      }
      yield { outcome: 'failure', line: () => failureLine(c, f, classname, name(), carried) };
    }
    // The findings past the bound: one case for the check, failing while any of them is open.
    const n = left.open + left.waived;
    if (n === 0) continue;
    const name = clipped(xmlAttribute(`${c.id}: ${n.toLocaleString('en-US')} more finding${n === 1 ? '' : 's'} not listed`), JUNIT_CLIP.name);
    const why = `${n.toLocaleString('en-US')} more finding${n === 1 ? '' : 's'} of this check (${left.open.toLocaleString('en-US')} open${left.open > 0 ? `, the worst ${worst()}` : ''}, ${left.waived.toLocaleString('en-US')} waived) not listed: report.junit.xml lists at most ${limit.toLocaleString('en-US')} findings one by one ${capSourceText(from)}, the most severe; report.json has them all`;
    yield left.open > 0
      ? { outcome: 'failure', line: () => `    <testcase classname="${classname}" name="${name}"><failure type="${worst()}" message="${clipped(xmlAttribute(why), JUNIT_CLIP.message)}">${xmlEscape(why)}</failure></testcase>` }
      : { outcome: 'skipped', line: () => `    <testcase classname="${classname}" name="${name}"><skipped message="${clipped(xmlAttribute(why), JUNIT_CLIP.message)}"/></testcase>` };
  }
}

/** "a, b and 3 more": the namespaces a check could not judge, the first five named. */
function unjudgedText(names: readonly string[]): string {
  const shown = [...names].sort().slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/** A failing finding's testcase; its message and evidence (spooled, perhaps) are read once. */
function failureLine(c: CheckSummary, f: Finding, classname: string, name: string, carried: string): string {
  const { message, evidence } = f;
  const body = [`${carried}${message}`, c.remediation ? `Remediation: ${c.remediation}` : '', f.controls.length ? `Controls: ${f.controls.join(', ')}` : '',
    evidence ? `Evidence: ${JSON.stringify(evidence)}` : '', `Fingerprint: ${f.fingerprint}`].filter(Boolean).join('\n');
  return `    <testcase classname="${classname}" name="${name}"><failure type="${xmlAttribute(f.severity)}" message="${clipped(xmlAttribute(`${carried}${message}`), JUNIT_CLIP.message)}">${clipped(xmlEscape(body), JUNIT_CLIP.text)}</failure></testcase>`;
}

function countsOf(cases: Iterable<TestCase>): Counts {
  const n: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const { outcome } of cases) {
    n.tests++;
    if (outcome === 'failure') n.failures++;
    else if (outcome === 'error') n.errors++;
    else if (outcome === 'skipped') n.skipped++;
  }
  return n;
}

const countAttributes = (n: Counts): string => `tests="${n.tests}" failures="${n.failures}" errors="${n.errors}" skipped="${n.skipped}"`;

/**
 * What report.junit.xml takes beside the run: the findings carried from older runs
 * (RenderOptions.carried; those of namespaces this run could not judge are listed, failing as
 * they did), and the bound on finding testcases (reports.junitMaxFindingCases; JUNIT_MAX_FINDING_CASES unless told).
 */
export interface JunitOptions {
  carried?: readonly CarriedFindings[];
  maxFindingCases?: number;
  /** What set maxFindingCases (--junit-max-finding-cases, reports.junitMaxFindingCases), named in a summarising testcase; absent for the default. */
  maxFindingCasesFrom?: string;
}

/**
 * The finding testcases to be, by check: this run's findings, then the carried ones of
 * namespaces it could not judge; each kept or not by the bound (most severe, new, open first).
 */
function itemsByCheck(report: RunReport, opts: JunitOptions): Map<string, Item[]> {
  const byCheck = new Map<string, Item[]>();
  const add = (item: Item) => {
    const list = byCheck.get(item.f.check);
    if (list) list.push(item); else byCheck.set(item.f.check, [item]);
  };
  const all: Item[] = [];
  // A finding of a check the run does not list is in no testcase: it takes no room.
  const listed = new Set(report.checks.map((c) => c.id));
  for (const f of report.findings) if (listed.has(f.check)) all.push({ f, waiver: f.waived ? f.waiver : undefined, kept: true });
  const notJudged = new Set(report.diff?.notJudged ?? []);
  for (const { runId, findings, waived } of opts.carried ?? []) {
    for (const f of findings) if (notJudged.has(f.fingerprint) && listed.has(f.check)) all.push({ f, waiver: undefined, from: runId, kept: true });
    for (const { finding, waiver } of waived ?? []) if (notJudged.has(finding.fingerprint) && listed.has(finding.check)) all.push({ f: finding, waiver, from: runId, kept: true });
  }
  const fresh = new Set(report.diff?.new ?? []);
  const rank = (i: Item) => rankOf({ severity: i.f.severity, waived: i.waiver !== undefined }, i.from === undefined && fresh.has(i.f.fingerprint));
  const cut = new Cut(all.map(rank), opts.maxFindingCases ?? JUNIT_MAX_FINDING_CASES);
  for (const item of all) {
    item.kept = cut.keeps(rank(item));
    add(item);
  }
  return byCheck;
}

/** report.junit.xml into `out`, a testcase at a time. */
export function writeJunit(report: RunReport, out: TextWriter, opts: JunitOptions = {}): void {
  const byCheck = itemsByCheck(report, opts);
  const limit = opts.maxFindingCases ?? JUNIT_MAX_FINDING_CASES;
  const checksOf = (area: Area) => report.checks.filter((x) => x.area === area);
  const suites = AREAS.map((area) => ({ area, counts: countsOf(casesOf(checksOf(area), byCheck, limit, opts.maxFindingCasesFrom)) }));
  const all: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const { counts } of suites) for (const k of Object.keys(all) as Array<keyof Counts>) all[k] += counts[k];
  // On every suite, not on <testsuites>: the JUnit schemas (Ant's, Surefire's) allow
  // <properties> only as a testsuite's first child.
  const partial = report.run.partial ?? [];
  const properties = partial.length === 0 ? '' : `    <properties>\n      <property name="partial" value="true"/>\n${
    partial.map((why) => `      <property name="partial.reason" value="${xmlAttribute(why)}"/>\n`).join('')}    </properties>\n`;
  out.text('<?xml version="1.0" encoding="UTF-8"?>\n');
  out.text(`<testsuites name="${xmlAttribute(`ztaudit ${report.run.cluster.name}`)}" ${countAttributes(all)}>\n`);
  for (const { area, counts } of suites) {
    out.text(`  <testsuite name="${xmlAttribute(`${area}: ${AREA_LABEL[area]}`)}" ${countAttributes(counts)} timestamp="${xmlAttribute(junitTimestamp(report.run.startedAt))}">\n`);
    out.text(properties);
    for (const c of casesOf(checksOf(area), byCheck, limit, opts.maxFindingCasesFrom)) out.text(`${c.line()}\n`);
    out.text('  </testsuite>\n');
  }
  out.text('</testsuites>\n');
}

/**
 * A testsuite's timestamp as Ant writes it and its JUnit schema takes it (ISO8601_DATETIME_PATTERN,
 * `yyyy-MM-dd'T'HH:mm:ss`): to the second, no fraction and no zone; startedAt is UTC.
 */
const junitTimestamp = (startedAt: string): string => startedAt.slice(0, 19);

/** report.junit.xml as one string, for small reports (the CLI writes it with writeJunit). */
export function renderJunit(report: RunReport, opts: JunitOptions = {}): string {
  return collectText((out) => writeJunit(report, out, opts));
}
