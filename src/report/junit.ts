// JUnit XML for CI dashboards: one testsuite per area, one testcase per failing check x
// resource (a <failure>, or <skipped> when waived) and one per check summarising its passes
// (when it has any);
// checks that do not apply are <skipped>; checks that could not be evaluated or crashed are
// <error>, and a partial run's suites carry partial=true and its reasons as <properties>.
// The XML is written a testcase at a time (at 150,000 pods it is larger than the longest string
// V8 can make); the counts the suites open with are taken first, from the same cases unwritten.
import { withoutInvisible } from '../base/plain-text.ts';
import { collectText, type TextWriter } from '../base/spool.ts';
import { AREAS, type Area } from '../base/vocabulary.ts';
import type { CheckSummary, Finding, RunReport } from '../run/types.ts';
import { AREA_LABEL, resourceText } from './view/index.ts';
import { isBlind } from '../run/coverage.ts';

/**
 * XML 1.0 text: escapes markup and drops characters XML cannot carry at all. A carriage return
 * is a character reference: a parser reads a literal one as a newline (XML 1.0 §2.11).
 */
export function xmlEscape(value: unknown): string {
  return withoutInvisible(String(value))
    // eslint-disable-next-line no-control-regex -- these are exactly the characters XML 1.0 forbids
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
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

function* casesOf(checks: CheckSummary[], byCheck: Map<string, Finding[]>): Generator<TestCase> {
  for (const c of checks) {
    const classname = xmlAttribute(`ztaudit.${c.id}`);
    if (c.status === 'not-applicable') {
      yield { outcome: 'skipped', line: () => `    <testcase classname="${classname}" name="${xmlAttribute(c.title)}"><skipped message="${xmlAttribute(`${c.status}: ${c.reason ?? ''}`)}"/></testcase>` };
      continue;
    }
    // Missing data is not a pass (DESIGN.md, non-negotiables): a check the run was blind to is
    // an error, so a partial run never shows green.
    if (isBlind(c.status)) {
      const why = c.reason ?? (c.status === 'error' ? 'check failed' : 'not evaluated');
      yield { outcome: 'error', line: () => `    <testcase classname="${classname}" name="${xmlAttribute(c.title)}"><error type="${c.status}" message="${xmlAttribute(why)}"/></testcase>` };
      continue;
    }
    // Only passes make a green case: a check whose every result failed (or was waived) has none.
    if (c.passed > 0) yield { outcome: 'passed', line: () => `    <testcase classname="${classname}" name="${xmlAttribute(`${c.title} (${c.passed} passed)`)}"/>` };
    const findings = byCheck.get(c.id) ?? [];
    // GitLab keeps one testcase per (classname, name): a second finding of the check whose name
    // reads the same would replace the first, so each of those is named with its fingerprint.
    // Counted on the name as written: xmlAttribute drops characters XML cannot carry, so
    // resources that differ only by a control character would otherwise collide.
    const shownName = (f: Finding) => xmlAttribute(`${c.id} ${resourceText(f.resource)}`);
    const seen = new Map<string, number>();
    for (const f of findings) seen.set(shownName(f), (seen.get(shownName(f)) ?? 0) + 1);
    for (const f of findings) {
      const shown = shownName(f);
      const name = () => (seen.get(shown)! > 1 ? `${shown}${xmlAttribute(` [${f.fingerprint}]`)}` : shown);
      if (f.waived) {
        yield { outcome: 'skipped', line: () => `    <testcase classname="${classname}" name="${name()}"><skipped message="${xmlAttribute(`waived until ${f.waiver?.expires ?? '?'} by ${f.waiver?.owner ?? '?'}: ${f.waiver?.reason ?? ''}`)}"/></testcase>` };
        continue;
      }
      yield { outcome: 'failure', line: () => failureLine(c, f, classname, name()) };
    }
  }
}

/** A failing finding's testcase; its message and evidence (spooled, perhaps) are read once. */
function failureLine(c: CheckSummary, f: Finding, classname: string, name: string): string {
  const { message, evidence } = f;
  const body = [message, c.remediation ? `Remediation: ${c.remediation}` : '', f.controls.length ? `Controls: ${f.controls.join(', ')}` : '',
    evidence ? `Evidence: ${JSON.stringify(evidence)}` : '', `Fingerprint: ${f.fingerprint}`].filter(Boolean).join('\n');
  return `    <testcase classname="${classname}" name="${name}"><failure type="${xmlAttribute(f.severity)}" message="${xmlAttribute(message)}">${xmlEscape(body)}</failure></testcase>`;
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

/** report.junit.xml into `out`, a testcase at a time. */
export function writeJunit(report: RunReport, out: TextWriter): void {
  const byCheck = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = byCheck.get(f.check);
    if (list) list.push(f); else byCheck.set(f.check, [f]);
  }
  const checksOf = (area: Area) => report.checks.filter((x) => x.area === area);
  const suites = AREAS.map((area) => ({ area, counts: countsOf(casesOf(checksOf(area), byCheck)) }));
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
    for (const c of casesOf(checksOf(area), byCheck)) out.text(`${c.line()}\n`);
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
export function renderJunit(report: RunReport): string {
  return collectText((out) => writeJunit(report, out));
}
