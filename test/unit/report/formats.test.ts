import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/base/errors.ts';
import { renderCsv } from '../../../src/report/csv.ts';
import { renderHtml } from '../../../src/report/html.ts';
import { renderJunit } from '../../../src/report/junit.ts';
import { renderMarkdown } from '../../../src/report/markdown.ts';
import { renderFormat, renderReports } from '../../../src/report/render.ts';
import { renderSarif, type SarifLog } from '../../../src/report/sarif.ts';
import type { Finding } from '../../../src/run/types.ts';
import { buildRun, HOSTILE_CLUSTER, INVISIBLE_USERS, INVISIBLE_USERS_SHOWN, invisibleRun, RAW_INVISIBLE } from './fixtures.ts';

describe('JUnit XML', () => {
  it('has a testsuite per area, a failure per open finding, skipped for waived, an error for a check not evaluated or crashed', () => {
    const { report } = buildRun({ hostile: true });
    const xml = renderJunit(report);
    expect(xml.match(/<testsuite /g)).toHaveLength(5);
    const open = report.findings.filter((f) => !f.waived).length;
    expect(xml.match(/<failure /g)).toHaveLength(open);
    expect(xml).toContain(`<testsuites name="ztaudit prod-eu-1" tests="`);
    expect(xml).toMatch(new RegExp(`failures="${open}" errors="2" skipped="2">`));
    expect(xml).toContain('<testcase classname="ztaudit.fake.rbac-wide-serviceaccount" name="fake.rbac-wide-serviceaccount ServiceAccount ci/builder"><skipped message="waived until');
    expect(xml).toContain('<error type="error" message="check failed: boom"/>');
    expect(xml).not.toContain('<script>');
    expect(xml).toContain('ServiceAccount shop/&lt;script&gt;alert(1)&lt;/script&gt;');
    // Every element opened is closed: a cheap well-formedness check.
    const opened = (xml.match(/<(testsuites|testsuite|testcase|failure)[\s>]/g) ?? []).length;
    const selfClosed = (xml.match(/<testcase [^>]*\/>/g) ?? []).length;
    const closed = (xml.match(/<\/(testsuites|testsuite|testcase|failure)>/g) ?? []).length;
    expect(opened - selfClosed).toBe(closed);
  });

  it('shows a partial run red: a check not evaluated is an <error> with its reason, not-applicable stays <skipped>, the suites say partial and why', () => {
    const { report } = buildRun();
    report.run.partial = ['networkpolicies could not be read (forbidden: <b>)'];
    const traefik = report.checks.find((c) => c.id === 'fake.tls-needs-traefik')!;
    expect(traefik.status).toBe('not-evaluated');
    report.checks.push({ ...traefik, id: 'fake.not-applicable', status: 'not-applicable', reason: 'applies only when Cilium is the CNI' });
    const xml = renderJunit(report);
    expect(xml).toContain(`<testcase classname="ztaudit.fake.tls-needs-traefik" name="${traefik.title}"><error type="not-evaluated" message="${traefik.reason}"/></testcase>`);
    expect(xml).toContain('<testcase classname="ztaudit.fake.not-applicable" name="Traefik TLSOption minimum version"><skipped message="not-applicable: applies only when Cilium is the CNI"/></testcase>');
    const properties = '    <properties>\n      <property name="partial" value="true"/>\n      <property name="partial.reason" value="networkpolicies could not be read (forbidden: &lt;b&gt;)"/>\n    </properties>\n';
    expect(xml.split(`">\n${properties}`)).toHaveLength(6);
    expect(renderJunit({ ...report, run: { ...report.run, partial: [] } })).not.toContain('<properties>');
  });
});

describe('JUnit XML testcase names', () => {
  it('are unique per (classname, name), as GitLab keeps one of each: two findings of a check on one resource are named by fingerprint', () => {
    const { report } = buildRun();
    const f = report.findings.find((x) => !x.waived)!;
    report.findings.push({ ...f, fingerprint: 'second0000000000000a', message: 'another way in' });
    const xml = renderJunit(report);
    const names = [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"/g)].map((m) => `${m[1]}\n${m[2]}`);
    expect(new Set(names).size).toBe(names.length);
    expect(xml).toContain(`name="${f.check} ${f.resource.kind} ${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name} [second0000000000000a]"`);
    expect(xml).toContain(`name="${f.check} ${f.resource.kind} ${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name} [${f.fingerprint}]"`);
  });
});

describe('JUnit XML passes', () => {
  it('writes a green summary case only for a check with passes, not for one whose every result failed or was waived', () => {
    const { report } = buildRun();
    const c = report.checks.find((x) => x.id === 'fake.rbac-wide-serviceaccount')!;
    c.passed = 0;
    const xml = renderJunit(report);
    expect(xml).not.toContain(`name="${c.title} (0 passed)"`);
    expect(xml).not.toMatch(/ \(0 passed\)"/);
    const other = report.checks.find((x) => x.passed > 0)!;
    expect(xml).toContain(`<testcase classname="ztaudit.${other.id}" name="${other.title} (${other.passed} passed)"/>`);
  });
});

describe('a check whose failures are all waived', () => {
  it('is labelled waived, not pass, in report.csv\'s checks column and the HTML framework view\'s chips', () => {
    const { report } = buildRun();
    const c = report.checks.find((x) => x.id === 'fake.rbac-wide-serviceaccount')!;
    for (const f of report.findings) if (f.check === c.id) Object.assign(f, { waived: true, waiver: { reason: 'accepted', owner: 'sec', expires: '2027-01-01' } });
    Object.assign(c, { status: 'pass', waived: c.waived + c.failed, failed: 0 });
    expect(c.passed).toBeGreaterThan(0);
    const csv = renderCsv(report);
    expect(csv).toContain(`${c.id} (waived)`);
    expect(csv).not.toContain(`${c.id} (pass)`);
    const html = renderHtml(report, { trend: [], previous: null });
    const chips = [...html.matchAll(/<span class="ctl-check (\S+)" title="([^"]*)"><code>([^<]*(?:<wbr>[^<]*)*)<\/code>/g)].filter((m) => m[3].replace(/<wbr>/g, '') === c.id);
    expect(chips.length).toBe(c.controls.length);
    for (const m of chips) expect([m[1], m[2]]).toEqual(['waived', 'waived']);
  });
});

describe('bidirectional controls in names from the cluster', () => {
  const BIDI = /[\u202a-\u202e\u2066-\u2069]/;
  it('are shown as \\uXXXX escapes in HTML (and so PDF), Markdown, JUnit and SARIF\'s shown text; report.json keeps them exact', () => {
    const { report, previous, trend } = buildRun();
    const f = report.findings.find((x) => !x.waived && x.severity === 'critical')!;
    const ids = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
    f.resource = { ...f.resource, name: `oncall${ids.join('')}` };
    f.message = `Group oncall\u202e can do anything`;
    report.run.partial = ['groups \u2067could not\u2069 be read'];
    const shown = 'oncall\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069';
    const outputs = { html: renderHtml(report, { trend, previous }), md: renderMarkdown(report), junit: renderJunit(report) };
    for (const [name, text] of Object.entries(outputs)) {
      expect(text, name).not.toMatch(BIDI);
      // Markdown escapes the escape's backslash, so that it renders as \uXXXX.
      expect(text, name).toContain(name === 'md' ? shown.replace(/\\/g, '\\\\') : shown);
    }
    expect(outputs.md).toContain('Group oncall\\\\u202e can do anything');
    expect(outputs.md).toContain('groups \\\\u2067could not\\\\u2069 be read');
    const results = (JSON.parse(renderSarif(report)) as SarifLog).runs[0].results as Array<{ partialFingerprints: Record<string, string> }>;
    const result = results.find((r) => r.partialFingerprints['ztaudit/v1'] === f.fingerprint) as unknown as
      { message: { text: string }; locations: Array<{ logicalLocations: Array<{ name: string; fullyQualifiedName: string }> }>; properties: { resource: { name: string } } };
    expect(result.message.text).toBe('Group oncall\\u202e can do anything');
    expect(result.locations[0].logicalLocations[0].name).toBe(shown);
    expect(result.locations[0].logicalLocations[0].fullyQualifiedName).not.toMatch(BIDI);
    expect(result.properties.resource.name).toBe(f.resource.name);
    const json = JSON.parse(renderFormat(report, 'json')) as { findings: Array<{ resource: { name: string }; message: string }> };
    expect(json.findings.find((x) => x.resource.name === f.resource.name)?.message).toBe(f.message);
  });
});

describe('control characters and line breaks in names from the cluster', () => {
  // An RBAC subject's or binding's name may hold any character (a path segment, not a DNS name).
  it('are shown as \\uXXXX escapes in SARIF\'s shown text (message, location names, notifications); its properties keep them exact', () => {
    const { report } = buildRun();
    const f = report.findings.find((x) => !x.waived && x.severity === 'critical')!;
    const name = 'line1\nINJECTED: fake line\r\nCR\u001b[31mRED\u0007';
    f.resource = { ...f.resource, name };
    f.message = `User:${name} can do anything`;
    const shown = 'line1\\u000aINJECTED: fake line\\u000d\\u000aCR\\u001b[31mRED\\u0007';
    // A message's brackets are escaped too (SARIF 2.1.0 §3.11.6), a location name's are not.
    const inMessage = shown.replace('[', '\\[');
    const blind = report.checks.find((c) => c.id !== f.check)!;
    Object.assign(blind, { status: 'not-evaluated', reason: `needs x: forbidden (${name})` });
    const run = (JSON.parse(renderSarif(report)) as SarifLog).runs[0];
    const result = (run.results as Array<{ partialFingerprints: Record<string, string> }>).find((r) => r.partialFingerprints['ztaudit/v1'] === f.fingerprint) as unknown as
      { message: { text: string }; locations: Array<{ logicalLocations: Array<{ name: string; fullyQualifiedName: string }> }>; properties: { resource: { name: string } } };
    expect(result.message.text).toBe(`User:${inMessage} can do anything`);
    expect(result.locations[0].logicalLocations[0].name).toBe(shown);
    expect(result.locations[0].logicalLocations[0].fullyQualifiedName).toContain(shown);
    expect(result.properties.resource.name).toBe(name);
    const notes = ((run.invocations as Array<{ toolExecutionNotifications: Array<{ message: { text: string } }> }>)[0].toolExecutionNotifications).map((n) => n.message.text);
    expect(notes).toContain(`${blind.id} not-evaluated: needs x: forbidden (${inMessage})`);
  });

  it('are shown as \\uXXXX escapes in the Markdown summary too, so a name "a\\nb" does not read as "a b"', () => {
    const { report } = buildRun();
    const f = report.findings.find((x) => !x.waived && x.severity === 'critical')!;
    f.message = 'User:a\nb can do anything';
    const md = renderMarkdown(report);
    expect(md).toContain('User:a\\\\u000ab can do anything');
    expect(md).not.toContain('User:a b can do anything');
  });
});

/**
 * The embedded links a SARIF viewer finds in a plain text message, read as SARIF 2.1.0 §3.11.6
 * defines them: `"[", link text, "](", link destination, ")"`, where a backslash before `\`, `[`
 * or `]` makes it a literal character (`link character = normal link character | ("\", escaped
 * link character)`), so an escaped bracket neither opens nor closes a link.
 */
function embeddedLinks(text: string): string[] {
  const links: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') { i++; continue; }
    if (text[i] !== '[') continue;
    let j = i + 1;
    while (j < text.length && text[j] !== '[' && text[j] !== ']') j += text[j] === '\\' ? 2 : 1;
    const close = text.indexOf(')', j);
    if (text.startsWith('](', j) && close > j + 2) links.push(text.slice(i, close + 1));
  }
  return links;
}

/** A message as a viewer shows it: each backslash-escaped `\`, `[` or `]` as the character. */
const shownMessage = (text: string) => text.replace(/\\([\\[\]])/g, '$1');

describe('square brackets and backslashes in names from the cluster', () => {
  // An RBAC subject's name may hold any character: nothing stops a User named "[click](https://e)".
  const names = ['x](https://evil.example)', '[click](https://e)', 'back\\', 'red\u001b[31m'];
  it('never make an embedded link in SARIF\'s messages (SARIF 2.1.0 §3.11.6): each `[`, `]` and `\\` is escaped with a backslash', () => {
    expect(embeddedLinks('Group [click](https://e) can do anything')).toEqual(['[click](https://e)']);
    const { report } = buildRun({ hostile: true });
    const open = report.findings.filter((x) => !x.waived);
    const hostile = names.map((name, i) => {
      const f = open[i];
      f.resource = { ...f.resource, name };
      f.message = `Group ${name} can do anything`;
      return f;
    });
    // Raw, the first closes a link a bracket earlier in the message opens; the third unescapes the bracket after it.
    hostile[0].message = `Group [${names[0]} can do anything`;
    hostile[2].message = `Group ${names[2]}[here](0) can do anything`;
    const blind = report.checks.find((c) => c.status === 'not-evaluated')!;
    blind.reason = `needs x: forbidden ([click](https://e))`;
    const run = (JSON.parse(renderSarif(report)) as SarifLog).runs[0];
    const results = run.results as Array<{ partialFingerprints: Record<string, string>; message: { text: string }; locations: Array<{ logicalLocations: Array<{ name: string }> }> }>;
    const textOf = (f: Finding) => results.find((r) => r.partialFingerprints['ztaudit/v1'] === f.fingerprint)!.message.text;
    expect(textOf(hostile[0])).toBe('Group \\[x\\](https://evil.example) can do anything');
    expect(textOf(hostile[1])).toBe('Group \\[click\\](https://e) can do anything');
    expect(textOf(hostile[2])).toBe('Group back\\\\\\[here\\](0) can do anything');
    // ESC as its \uXXXX escape, as on the terminal: a backslash and a `u`, no escape to the link grammar.
    expect(textOf(hostile[3])).toBe('Group red\\u001b\\[31m can do anything');
    const notes = (run.invocations as Array<{ toolExecutionNotifications: Array<{ message: { text: string } }> }>)[0].toolExecutionNotifications.map((n) => n.message.text);
    expect(notes).toContain(`${blind.id} not-evaluated: needs x: forbidden (\\[click\\](https://e))`);
    for (const text of [...results.map((r) => r.message.text), ...notes]) expect(embeddedLinks(text), text).toEqual([]);
    // A viewer that reads the escapes shows the text the finding has, control characters as on the terminal.
    expect(shownMessage(textOf(hostile[2]))).toBe(hostile[2].message);
    expect(shownMessage(textOf(hostile[3]))).toBe('Group red\\u001b[31m can do anything');
    // Location names are not messages (§3.33.4): they keep the name as it is.
    expect(results.find((r) => r.partialFingerprints['ztaudit/v1'] === hostile[1].fingerprint)!.locations[0].logicalLocations[0].name).toBe(names[1]);
  });
});

/**
 * A plain text message as a SARIF consumer displays it, read as SARIF 2.1.0 §3.11.5 "Messages with
 * placeholders" defines it: `{n}` is replaced by element n of the message's `arguments`, and `{{` and
 * `}}` stand for a literal `{` and `}`. A message without `arguments` that holds a placeholder
 * displays `<missing argument n>` here, where a consumer substitutes nothing or fails.
 */
function shownPlaceholders(text: string, args: string[] = []): string {
  return text.replace(/\{\{|\}\}|\{(\d+)\}/g, (m, n: string | undefined) => (m === '{{' ? '{' : m === '}}' ? '}' : args[Number(n)] ?? `<missing argument ${n}>`));
}

describe('curly braces in names from the cluster', () => {
  // A User or ServiceAccount subject's name may hold any character; "{0}" is a placeholder to a SARIF viewer.
  it('are doubled in SARIF\'s messages (SARIF 2.1.0 §3.11.5: "{" and "}" SHALL be represented by "{{" and "}}"), so `{0}` is no placeholder', () => {
    expect(shownPlaceholders('Variable \'{0}\' is uninitialized.', ['pBuffer'])).toBe('Variable \'pBuffer\' is uninitialized.');
    const { report } = buildRun();
    const f = report.findings.find((x) => !x.waived && x.severity === 'critical')!;
    const name = 'evil{0}}}x{';
    f.resource = { ...f.resource, name };
    f.message = `User:${name} can do anything`;
    const blind = report.checks.find((c) => c.id !== f.check)!;
    Object.assign(blind, { status: 'not-evaluated', reason: `needs x: forbidden (${name})` });
    const run = (JSON.parse(renderSarif(report)) as SarifLog).runs[0];
    const result = (run.results as Array<{ partialFingerprints: Record<string, string> }>).find((r) => r.partialFingerprints['ztaudit/v1'] === f.fingerprint) as unknown as
      { message: { text: string; arguments?: string[] }; locations: Array<{ logicalLocations: Array<{ name: string }> }>; properties: { resource: { name: string } } };
    expect(result.message.text).toBe('User:evil{{0}}}}}}x{{ can do anything');
    expect(result.message.arguments).toBeUndefined();
    // Displayed as the finding says it, not with a substitution for {0}.
    expect(shownPlaceholders(result.message.text)).toBe(f.message);
    const notes = (run.invocations as Array<{ toolExecutionNotifications: Array<{ message: { text: string } }> }>)[0].toolExecutionNotifications.map((n) => n.message.text);
    expect(notes).toContain(`${blind.id} not-evaluated: needs x: forbidden (evil{{0}}}}}}x{{)`);
    expect(notes.map((n) => shownPlaceholders(n))).toContain(`${blind.id} not-evaluated: ${blind.reason}`);
    // Location names are not messages (§3.33.4) and properties are data: both keep the name as it is.
    expect(result.locations[0].logicalLocations[0].name).toBe(name);
    expect(result.properties.resource.name).toBe(name);
  });
});

describe('invisible characters and spaces other than U+0020 in names from the cluster', () => {
  // "alice" and a zero-width space, "bob" and a BOM: Cf and Default_Ignorable_Code_Point
  // characters have no glyph of their own (The Unicode Standard, section 5.21 "Ignoring
  // Characters in Processing"), so shown raw the name reads "alice" and a waiver written for
  // "alice" matches nothing. Every output a person reads shows each as its \uXXXX escape.
  it('are shown as \\uXXXX escapes in HTML, Markdown, CSV, JUnit and SARIF\'s shown text; report.json and SARIF\'s properties keep them exact', () => {
    const { report, previous, trend } = invisibleRun();
    const outputs = { html: renderHtml(report, { trend, previous }), md: renderMarkdown(report), csv: renderCsv(report), junit: renderJunit(report) };
    for (const [name, text] of Object.entries(outputs)) {
      expect(text, name).not.toMatch(RAW_INVISIBLE);
      // Markdown escapes the escape's backslash, so that it renders as \uXXXX.
      for (const shown of INVISIBLE_USERS_SHOWN) expect(text, name).toContain(name === 'md' ? shown.replace(/\\/g, '\\\\') : shown);
    }
    expect(outputs.html).toContain('prod\\u200b');
    expect(outputs.md).toContain('# ztaudit: prod\\\\u200b');
    expect(outputs.csv).toContain('critical: User alice\\u200b (fake.rbac-wide-serviceaccount); critical: User bob\\ufeff (fake.rbac-wide-serviceaccount)');
    const sarif = renderSarif(report);
    const results = (JSON.parse(sarif) as SarifLog).runs[0].results as unknown as Array<{
      partialFingerprints: Record<string, string>; message: { text: string };
      locations: Array<{ logicalLocations: Array<{ name: string; fullyQualifiedName: string }> }>; properties: { resource: { name: string } };
    }>;
    for (const [i, name] of INVISIBLE_USERS.entries()) {
      const result = results.find((r) => r.partialFingerprints['ztaudit/v1'] === `fp-invisible-${i}`)!;
      expect(result.message.text).toContain(`User:${INVISIBLE_USERS_SHOWN[i]} can do anything`);
      expect(result.locations[0].logicalLocations[0].name).toBe(INVISIBLE_USERS_SHOWN[i]);
      expect(result.locations[0].logicalLocations[0].fullyQualifiedName).not.toMatch(RAW_INVISIBLE);
      expect(result.properties.resource.name).toBe(name);
    }
    const json = JSON.parse(renderFormat(report, 'json')) as { run: { cluster: { name: string } }; findings: Array<{ resource: { name: string } }> };
    expect(json.run.cluster.name).toBe('prod\u200b');
    for (const name of INVISIBLE_USERS) expect(json.findings.some((f) => f.resource.name === name)).toBe(true);
  });
});

describe('Markdown summary', () => {
  it('gives scores, changes and top findings with cluster text escaped', () => {
    const { report } = buildRun({ hostile: true, clusterName: HOSTILE_CLUSTER });
    const md = renderMarkdown(report);
    expect(md).toContain('# ztaudit: prod-&lt;b&gt;eu&lt;/b&gt; \\*bold\\* \\_it\\_ \\~strike\\~ &lt;\\!channel&gt; \\{\\{constructor\\}\\}');
    expect(md).toContain('**Overall score: 64.7** (grade n/a, 3/5 checks evaluated; partial: pod-security not scored; not comparable with a complete run) (-6.1)');
    expect(md).toContain('| RBAC breadth | 19.2 | F | -43.3 |');
    expect(md).toContain('| TLS at the edge | 100 (1/2 checks evaluated) | n/a | ±0 |');
    expect(md).toContain('**Regression**: 4 new finding\\(s\\) of severity high or above');
    expect(md).toContain('| high | `fake.rbac-wide-serviceaccount` | ServiceAccount shop/&lt;script&gt;alert\\(1\\)&lt;/script&gt; |');
    expect(md).toContain('- `fake.pod-security-throws` (error): check failed: boom');
    expect(md).not.toMatch(/<script|<!channel>/);
  });

  it('stays within what GitHub takes as a comment on a large report: cut between rows, never inside an escape, with a last line on what was left out', () => {
    const { report } = buildRun({ hostile: true });
    expect(renderMarkdown(report)).not.toContain('Cut to fit');
    const base = report.findings.find((f) => !f.waived)!;
    // Every character escapes to more than itself; the numbers between \# marks tell the rows apart.
    const noisy = '|&<@\\`*_ '.repeat(230);
    const many = Array.from({ length: 3000 }, (_, i): Finding => ({ ...base, fingerprint: `big${i}`, severity: 'critical', message: `#${i}# ${noisy}` }));
    many[0].message = `#0# ${'@'.repeat(200_000)}`;
    report.findings.push(...many);
    report.diff!.new.push(...many.map((f) => f.fingerprint));
    const template = report.checks.find((c) => c.status === 'not-evaluated')!;
    for (let i = 0; i < 200; i++) report.checks.push({ ...template, id: `fake.blind-${i}` });
    const md = renderMarkdown(report);
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(65_536);
    const lines = md.split('\n');
    // The rows kept are whole: four cells each (escaped pipes and backslashes aside), and every & opens a whole entity.
    const rows = lines.filter((l) => l.startsWith('|'));
    for (const row of rows) expect(row.replace(/\\\\/g, '').replace(/\\\|/g, '').match(/\|/g), row.slice(0, 80)).toHaveLength(5);
    expect(md.match(/&(?!(amp|lt|gt|#64|#47|#46);)/g)).toBeNull();
    // A 200,000-character message is listed, cut to its first 2,000 characters.
    const first = rows.find((r) => r.includes('\\#0\\#'))!;
    expect(first.endsWith('&#64;… |')).toBe(true);
    expect(first.split('&#64;').length - 1).toBe(2_000 - 4);
    const listed = new Set(rows.filter((r) => r.startsWith('| critical') || r.startsWith('| high') || r.startsWith('| medium') || r.startsWith('| low')));
    const open = report.findings.filter((f) => !f.waived).length;
    expect(lines.at(-1)).toBe('');
    expect(lines.at(-3)).toBe('');
    expect(lines.at(-2)).toBe(`**Cut to fit GitHub's limit on a comment (65,536 characters):** ${open - listed.size} of ${open} open findings are not listed here, ` +
      'and "Changes since last run", "Top open findings", "Not evaluated" are cut short. The full report is report.json (report.html with --format html), written beside this file.');
    expect(listed.size).toBeGreaterThan(5);
  });

  // GitHub refuses a comment body of more than 65,536 characters (docs.github.com/en/actions/
  // reference/workflows-and-actions/workflow-commands#step-isolation-and-limits: "Job summaries
  // are isolated between steps and each step is restricted to a maximum size of 1MiB"; the REST
  // API answers 422 "body is too long (maximum is 65536 characters)" for an issue comment).
  // Hostile subject names make long regression reasons: they must never take the verdict along.
  it('keeps the Regression verdict and the counts when the regression reasons alone are too long, each reason listed or skipped whole', () => {
    const { report } = buildRun({ hostile: true });
    const reasons = Array.from({ length: 20 }, (_, i) => `new critical finding: fake.rbac on User ${i}-${'<b>$'.repeat(1_000)}`);
    report.diff!.regression = true;
    report.diff!.regressionReasons = reasons;
    const md = renderMarkdown(report);
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(65_536);
    expect(md).toContain('**Regression** (20 reasons):');
    expect(md).toContain(`${report.diff!.new.length} new, ${report.diff!.resolved.length} resolved, ${report.diff!.persisting} persisting (previous run`);
    expect(md).toMatch(/\*\*\d+ open findings\*\*/);
    expect(md).toContain('**Overall score: ');
    // The first ten at most, each whole (cut to 2,000 characters as any value), the rest counted.
    const items = md.split('\n').filter((l) => /^- new critical finding/.test(l));
    expect(items.length).toBeGreaterThan(0);
    expect(items.length).toBeLessThanOrEqual(10);
    for (const l of items) expect(l.endsWith('…'), l.slice(0, 60)).toBe(true);
    expect(md).toContain('- …and 10 more in report.json.');
    expect(md).toContain('Cut to fit');
    // The tables after the reasons are still there.
    expect(md).toContain('## Top open findings');
    expect(md).toContain('| Severity | Check | Resource | Message |');
  });

  it('does not @mention or autolink when pasted into a PR comment', async () => {
    const { mdEscape } = await import('../../../src/report/markdown.ts');
    expect(mdEscape('@acme/security https://evil.example')).toBe('&#64;acme/security https:&#47;&#47;evil.example');
  });
});

// The parts of the SARIF 2.1.0 schema that consumers (GitHub code scanning, VS Code) rely on.
const sarifSubset = {
  type: 'object', required: ['version', 'runs', '$schema'],
  properties: {
    version: { const: '2.1.0' },
    runs: { type: 'array', minItems: 1, items: {
      type: 'object', required: ['tool', 'results'],
      properties: {
        tool: { type: 'object', required: ['driver'], properties: { driver: { type: 'object', required: ['name', 'rules'], properties: {
          name: { type: 'string' },
          rules: { type: 'array', items: { type: 'object', required: ['id', 'shortDescription', 'defaultConfiguration'], properties: {
            id: { type: 'string' }, shortDescription: { type: 'object', required: ['text'] },
            defaultConfiguration: { type: 'object', properties: { level: { enum: ['none', 'note', 'warning', 'error'] } } },
          } } },
        } } } },
        results: { type: 'array', items: { type: 'object', required: ['ruleId', 'ruleIndex', 'message', 'level', 'locations', 'partialFingerprints'], properties: {
          ruleId: { type: 'string' }, ruleIndex: { type: 'integer', minimum: 0 }, level: { enum: ['none', 'note', 'warning', 'error'] },
          message: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
          locations: { type: 'array', items: { type: 'object', properties: { logicalLocations: { type: 'array', items: { type: 'object', required: ['fullyQualifiedName'] } } } } },
          suppressions: { type: 'array', items: { type: 'object', required: ['kind'], properties: { kind: { enum: ['inSource', 'external'] }, status: { enum: ['accepted', 'underReview', 'rejected'] } } } },
        } } },
      },
    } },
  },
};

describe('SARIF 2.1.0', () => {
  it('has the catalog as rules and the findings as results, waived ones suppressed', () => {
    const { report } = buildRun();
    const log = JSON.parse(renderSarif(report)) as SarifLog;
    const validate = new Ajv2020({ strict: false }).compile(sarifSubset);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const run = log.runs[0] as { tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; ruleIndex: number; level: string; suppressions?: unknown[]; partialFingerprints: Record<string, string> }> };
    expect(run.tool.driver.rules.map((r) => r.id).slice(0, report.checks.length)).toEqual(report.checks.map((c) => c.id));
    expect(run.results).toHaveLength(report.findings.length);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
    expect(run.results.filter((r) => r.suppressions).length).toBe(report.findings.filter((f) => f.waived).length);
    expect(run.results.map((r) => r.partialFingerprints['ztaudit/v1'])).toEqual(report.findings.map((f) => f.fingerprint));
    expect(run.results.find((r) => r.ruleId === 'fake.network-namespace-open')!.level).toBe('error');
  });

  it('ranks a finding whose severity is not its check\'s by a rule of that severity, as GitHub reads security-severity from the rule alone', () => {
    const { report } = buildRun();
    const check = report.checks.find((c) => c.id === 'fake.rbac-wide-serviceaccount')!;
    expect(check.severity).toBe('high');
    const low = report.findings.filter((f) => f.check === check.id && f.severity === 'low');
    const high = report.findings.filter((f) => f.check === check.id && f.severity === 'high');
    expect(low.length).toBeGreaterThan(0);
    expect(high.length).toBeGreaterThan(0);
    type Rule = { id: string; shortDescription: { text: string }; defaultConfiguration: { level: string }; properties: Record<string, unknown> };
    type Result = { ruleId: string; ruleIndex: number; level: string; partialFingerprints: Record<string, string> };
    const run = (JSON.parse(renderSarif(report)) as SarifLog).runs[0] as { tool: { driver: { rules: Rule[] } }; results: Result[] };
    const rules = run.tool.driver.rules;
    const resultOf = (fingerprint: string) => run.results.find((r) => r.partialFingerprints['ztaudit/v1'] === fingerprint)!;
    const ruleOf = (fingerprint: string) => rules[resultOf(fingerprint).ruleIndex];
    for (const f of low) {
      // GitHub shows a security-severity of 0.1 to 3.9 as low.
      expect(ruleOf(f.fingerprint)).toMatchObject({ id: `${check.id}/low`, shortDescription: { text: `${check.title} (low)` }, defaultConfiguration: { level: 'note' }, properties: { 'security-severity': '2.0' } });
      expect(resultOf(f.fingerprint)).toMatchObject({ ruleId: `${check.id}/low`, level: 'note' });
    }
    // A finding at its check's severity keeps the check's rule, and so its alert and any dismissal of it.
    for (const f of high) {
      expect(ruleOf(f.fingerprint)).toMatchObject({ id: check.id, properties: { 'security-severity': '7.5' } });
      expect(resultOf(f.fingerprint).ruleId).toBe(check.id);
    }
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    expect(rules.filter((r) => r.id.startsWith(`${check.id}/`))).toHaveLength(1);
  });

  type Located = { locations: Array<{ physicalLocation?: { artifactLocation?: { uri?: string; uriBaseId?: string }; region?: { startLine: number } } }> };

  it('gives every result a physical location, as GitHub code scanning requires (GH1001): a cluster path, or the manifest file and line', () => {
    const { report } = buildRun({ hostile: true });
    const results = (JSON.parse(renderSarif(report)) as SarifLog).runs[0].results as Located[];
    for (const r of results) expect(r.locations[0].physicalLocation?.artifactLocation?.uri).toMatch(/^cluster\/[^/]+\/[^/]+\/[^/]+\.yaml$/);
    const f = report.findings.find((x) => x.resource.namespace && x.resource.name === '<script>alert(1)</script>')!;
    const i = report.findings.indexOf(f);
    expect(results[i].locations[0].physicalLocation).toEqual({ artifactLocation: { uri: `cluster/shop/${f.resource.kind}/%3Cscript%3Ealert(1)%3C%2Fscript%3E.yaml`, uriBaseId: 'CLUSTER' } });
    const sources = { [`${f.resource.kind}/shop/${f.resource.name}`]: { file: 'deploy/shop app.yaml', line: 12 } };
    const fromManifests = (JSON.parse(renderSarif(report, { sources })) as SarifLog).runs[0].results as Located[];
    expect(fromManifests[i].locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'deploy/shop%20app.yaml' }, region: { startLine: 12 } });
    // An object with no manifest of its own (a Group) points at the first object its finding stems from.
    const g = { ...f, resource: { kind: 'Group', name: 'oncall' }, related: [{ kind: 'Role', namespace: 'x', name: 'nope' }, { kind: f.resource.kind, namespace: 'shop', name: f.resource.name }] };
    const viaRelated = (JSON.parse(renderSarif({ ...report, findings: [g] }, { sources })) as SarifLog).runs[0].results as Located[];
    expect(viaRelated[0].locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'deploy/shop%20app.yaml' }, region: { startLine: 12 } });
    const unknown = (JSON.parse(renderSarif({ ...report, findings: [{ ...g, related: undefined }] }, { sources })) as SarifLog).runs[0].results as Located[];
    expect(unknown[0].locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'cluster/_cluster/Group/oncall.yaml', uriBaseId: 'CLUSTER' } });
  });

  it('keeps every rule of the whole catalog within GitHub code scanning\'s tag limit, the full control list in properties.controls', () => {
    // docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit:
    // "Tags per rule: 20 — Only 10 tags will be included"; over 20 and the upload is rejected.
    const { report } = buildRun({ catalog: true });
    type Rule = { id: string; properties: { tags: string[]; controls: string[] } };
    const rules = ((JSON.parse(renderSarif(report)) as SarifLog).runs[0] as { tool: { driver: { rules: Rule[] } } }).tool.driver.rules;
    const checkOf = new Map(report.checks.map((c) => [c.id, c]));
    expect(Math.max(...report.checks.map((c) => c.controls.length))).toBeGreaterThan(8);
    for (const rule of rules) {
      const check = checkOf.get(rule.id.split('/')[0])!;
      expect(rule.properties.tags.length, rule.id).toBeLessThanOrEqual(10);
      expect(rule.properties.tags.slice(0, 2)).toEqual(['security', 'kubernetes']);
      expect(rule.properties.controls, rule.id).toEqual(check.controls);
      expect(check.controls.slice(0, 8)).toEqual(rule.properties.tags.slice(2));
    }
  });

  it('names the rule of a not-evaluated check as its notification\'s associatedRule, not its descriptor (which names a notification)', () => {
    const { report } = buildRun();
    const run = (JSON.parse(renderSarif(report)) as SarifLog).runs[0] as { invocations: Array<{ toolExecutionNotifications: Array<Record<string, unknown>> }> };
    const notes = run.invocations[0].toolExecutionNotifications;
    expect(notes.length).toBeGreaterThan(0);
    for (const n of notes) {
      expect(n.descriptor).toBeUndefined();
      expect(n.associatedRule).toEqual({ id: expect.any(String), index: report.checks.findIndex((c) => c.id === (n.associatedRule as { id: string }).id) });
    }
  });
});

describe('renderReports', () => {
  it('always writes report.json and the asked formats, returning their paths', async () => {
    const { report, previous, trend } = buildRun();
    const outDir = join(mkdtempSync(join(tmpdir(), 'ztaudit-out-')), 'nested');
    const paths = await renderReports(report, { formats: ['md', 'html', 'sarif', 'junit'], outDir, trend, previous });
    expect(paths.map((p) => p.slice(outDir.length + 1))).toEqual(['report.json', 'report.html', 'report.junit.xml', 'report.md', 'report.sarif']);
    expect(JSON.parse(readFileSync(paths[0], 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(readFileSync(paths[1], 'utf8')).toContain('<section id="trend"');
    expect((await renderReports(report, { formats: [], outDir })).map((p) => p.slice(outDir.length + 1))).toEqual(['report.json']);
  });

  it('refuses an unknown format by name', async () => {
    const { report } = buildRun();
    await expect(renderReports(report, { formats: ['pdf'], outDir: tmpdir() })).rejects.toThrow(ConfigError);
    await expect(renderReports(report, { formats: ['pdf'], outDir: tmpdir() })).rejects.toThrow(/pdf/);
  });
});

describe('Markdown summary: alerts carried from an earlier run and checks evaluated for the first time', () => {
  it('lists each undelivered alert with its reasons escaped and names the first-evaluated checks with their count of findings', () => {
    const { report } = buildRun();
    report.diff = {
      ...report.diff!,
      undelivered: [{ runId: 'run-`20261124`-0200', reasons: ['1 new finding(s) of severity high or above', 'score fell by <b>12</b>'] }],
      firstEvaluated: ['fake.network-namespace-open', 'fake.rbac-wide-serviceaccount'],
    };
    const md = renderMarkdown(report);
    expect(md).toContain('**Not delivered after run run-\\`20261124\\`-0200:** 1 new finding\\(s\\) of severity high or above; score fell by &lt;b&gt;12&lt;/b&gt;\n');
    expect(md).toContain('Compared with nothing: evaluated for the first time in this history — all 3 of their findings are new: fake.network-namespace-open, fake.rbac-wide-serviceaccount.\n');
  });

  it('keeps a run id with line breaks, a heading and a link on its line as text (a store or an import can hold one)', () => {
    const { report } = buildRun();
    const evil = (n: number) => `20261204T000000Z-aaaaa${n}\n\n# Pwned heading\n\n[click me](https://evil.example/login) <img src=x>\n\n`;
    report.run.id = evil(1);
    report.diff = { ...report.diff!, previousRunId: evil(2), undelivered: [{ runId: evil(3), reasons: ['x'] }] };
    const md = renderMarkdown(report);
    expect(md).not.toMatch(/^#+ Pwned/m);
    expect(md).not.toContain('[click me](');
    expect(md).not.toContain('<img');
    // Its line breaks shown as \u000a (the backslash escaped for Markdown), as on the terminal.
    expect(md).toContain('Run 20261204T000000Z-aaaaa1\\\\u000a\\\\u000a\\# Pwned heading\\\\u000a\\\\u000a\\[click me\\]\\(https:&#47;&#47;evil.example/login\\) &lt;img src=x&gt;\\\\u000a\\\\u000a · ');
    expect(md).toContain('(previous run 20261204T000000Z-aaaaa2\\\\u000a\\\\u000a\\# Pwned heading');
    expect(md).toContain('**Not delivered after run 20261204T000000Z-aaaaa3\\\\u000a\\\\u000a\\# Pwned heading');
    expect(renderMarkdown(buildRun().report)).toContain(`Run \`${buildRun().report.run.id}\` · `);
  });

  it('shows control characters from the cluster (ESC sequences, BEL, C1) as \\uXXXX in report.md and report.html, so `cat` runs none', () => {
    const { report } = buildRun();
    report.run.cluster.name = 'prod\u001b]0;pwned\u0007\u001b[2J';
    report.findings = report.findings.map((f) => ({ ...f, message: `${f.message} \u001b[31mred\u001b[0m \u009b6n`, resource: { ...f.resource, name: `${f.resource.name}\u0008\u0008x` } }));
    const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
    const md = renderMarkdown(report);
    expect(md).not.toMatch(raw);
    expect(md).toContain('# ztaudit: prod\\\\u001b\\]0;pwned\\\\u0007\\\\u001b\\[2J');
    expect(md).toContain('\\\\u001b\\[31mred\\\\u001b\\[0m \\\\u009b6n');
    const html = renderHtml(report);
    expect(html).not.toMatch(raw);
    expect(html).toContain('prod\\u001b]0;pwned\\u0007\\u001b[2J');
    expect(html).toContain('\\u001b[31mred\\u001b[0m \\u009b6n');
  });

  it('says "their 1 finding", and none when every finding of theirs is waived', () => {
    const { report } = buildRun();
    const note = (checks: string[]) => renderMarkdown({ ...report, diff: { ...report.diff!, firstEvaluated: checks } });
    expect(note(['fake.network-namespace-open'])).toContain('evaluated for the first time in this history — their 1 finding is new: fake.network-namespace-open.\n');
    const waived = { ...report, findings: report.findings.map((f) => ({ ...f, waived: true })) };
    expect(renderMarkdown({ ...waived, diff: { ...report.diff!, firstEvaluated: ['fake.rbac-wide-serviceaccount'] } })).toContain('— none of their findings is open: fake.rbac-wide-serviceaccount.\n');
  });

  it('shows neither when the diff has no such fields', () => {
    const md = renderMarkdown(buildRun().report);
    expect(md).not.toContain('Not delivered after run');
    expect(md).not.toContain('evaluated for the first time');
  });
});
