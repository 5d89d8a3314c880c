// JUnit XML for CI dashboards: one testsuite per area, one testcase per failing check x
// resource (a <failure>, or <skipped> when waived) and one per check summarising its passes;
// checks that could not be evaluated are <skipped>, checks that crashed are <error>.
import { AREAS } from '../base/vocabulary.ts';
import type { Finding, RunReport } from '../run/types.ts';
import { AREA_LABEL, resourceText } from './view/index.ts';

/** XML 1.0 text: escapes markup and drops characters XML cannot carry at all. */
export function xmlEscape(value: unknown): string {
  return String(value)
    // eslint-disable-next-line no-control-regex -- these are exactly the characters XML 1.0 forbids
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export function renderJunit(report: RunReport): string {
  const byCheck = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = byCheck.get(f.check);
    if (list) list.push(f); else byCheck.set(f.check, [f]);
  }
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const suites: string[] = [];
  let allTests = 0, allFailures = 0, allErrors = 0, allSkipped = 0;
  for (const area of AREAS) {
    const cases: string[] = [];
    let tests = 0, failures = 0, errors = 0, skipped = 0;
    for (const c of report.checks.filter((x) => x.area === area)) {
      const classname = xmlEscape(`ztaudit.${c.id}`);
      if (c.status === 'not-evaluated' || c.status === 'not-applicable') {
        tests++; skipped++;
        cases.push(`    <testcase classname="${classname}" name="${xmlEscape(c.title)}"><skipped message="${xmlEscape(`${c.status}: ${c.reason ?? ''}`)}"/></testcase>`);
        continue;
      }
      if (c.status === 'error') {
        tests++; errors++;
        cases.push(`    <testcase classname="${classname}" name="${xmlEscape(c.title)}"><error message="${xmlEscape(c.reason ?? 'check failed')}"/></testcase>`);
        continue;
      }
      tests++;
      cases.push(`    <testcase classname="${classname}" name="${xmlEscape(`${c.title} (${c.passed} passed)`)}"/>`);
      for (const f of byCheck.get(c.id) ?? []) {
        tests++;
        const name = xmlEscape(`${c.id} ${resourceText(f.resource)}`);
        if (f.waived) {
          skipped++;
          cases.push(`    <testcase classname="${classname}" name="${name}"><skipped message="${xmlEscape(`waived until ${f.waiver?.expires ?? '?'} by ${f.waiver?.owner ?? '?'}: ${f.waiver?.reason ?? ''}`)}"/></testcase>`);
          continue;
        }
        failures++;
        const body = [f.message, c.remediation ? `Remediation: ${c.remediation}` : '', f.controls.length ? `Controls: ${f.controls.join(', ')}` : '',
          f.evidence ? `Evidence: ${JSON.stringify(f.evidence)}` : '', `Fingerprint: ${f.fingerprint}`].filter(Boolean).join('\n');
        cases.push(`    <testcase classname="${classname}" name="${name}"><failure type="${xmlEscape(f.severity)}" message="${xmlEscape(f.message)}">${xmlEscape(body)}</failure></testcase>`);
      }
    }
    allTests += tests; allFailures += failures; allErrors += errors; allSkipped += skipped;
    suites.push(`  <testsuite name="${xmlEscape(`${area}: ${AREA_LABEL[area]}`)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" timestamp="${xmlEscape(report.run.startedAt.replace(/Z$/, ''))}">`,
      ...cases, '  </testsuite>');
  }
  out.push(`<testsuites name="${xmlEscape(`ztaudit ${report.run.cluster.name}`)}" tests="${allTests}" failures="${allFailures}" errors="${allErrors}" skipped="${allSkipped}">`, ...suites, '</testsuites>', '');
  return out.join('\n');
}
