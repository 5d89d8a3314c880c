// Line breaks in report.junit.xml survive an XML parser: in an attribute value a parser turns a
// literal newline, carriage return or tab into a space (XML 1.0 §3.3.3), and in text a literal
// carriage return into a newline (§2.11). No XML parser is among the dependencies, so `parsed`
// below reads the document as one must: line ends normalised, then attribute whitespace, then
// references decoded.
import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../../src/report/junit.ts';
import { buildRun } from './fixtures.ts';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (text: string) => text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (_, ref: string) =>
  ref.startsWith('#x') ? String.fromCodePoint(parseInt(ref.slice(2), 16)) : ref.startsWith('#') ? String.fromCodePoint(Number(ref.slice(1))) : ENTITIES[ref]);

interface Element { name: string; attributes: Record<string, string>; text: string }

/** Every element with its attributes and (for an element with content) its text, as an XML processor reports them. */
function parsed(xml: string): Element[] {
  const doc = xml.replace(/\r\n?/g, '\n');
  const out: Element[] = [];
  for (const m of doc.matchAll(/<([A-Za-z][\w.-]*)((?:\s+[\w.-]+="[^"]*")*)\s*(\/?)>/g)) {
    const attributes: Record<string, string> = {};
    for (const a of m[2].matchAll(/([\w.-]+)="([^"]*)"/g)) attributes[a[1]] = decode(a[2].replace(/[\t\n\r]/g, ' '));
    const text = m[3] ? '' : decode(doc.slice(m.index + m[0].length).split(`</${m[1]}>`)[0].replace(/<[^>]*>/g, ''));
    out.push({ name: m[1], attributes, text });
  }
  return out;
}

describe('report.junit.xml testsuite timestamp', () => {
  it('is to the second, without fraction or zone, as the JUnit schema of Ant requires', () => {
    // Ant's JUnit.xsd: timestamp is ISO8601_DATETIME_PATTERN, an xs:dateTime restricted to
    // [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}, which Ant's XMLJUnitResultFormatter
    // writes with org.apache.tools.ant.util.DateUtils.ISO8601_DATETIME_PATTERN "yyyy-MM-dd'T'HH:mm:ss".
    const { report } = buildRun();
    const xml = renderJunit({ ...report, run: { ...report.run, startedAt: '2026-12-04T18:37:37.883Z' } });
    const stamps = [...xml.matchAll(/<testsuite [^>]*timestamp="([^"]*)"/g)].map((m) => m[1]);
    expect(stamps.length).toBeGreaterThan(0);
    for (const t of stamps) expect(t).toMatch(/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$/);
    expect(stamps[0]).toBe('2026-12-04T18:37:37');
  });
});

describe('report.junit.xml attribute values', () => {
  it('keep their line breaks, carriage returns and tabs through an XML parser', () => {
    const { report } = buildRun();
    const finding = report.findings.find((f) => !f.waived)!;
    finding.message = 'Role shop/ops grants:\n\tget secrets\r\n\tlist secrets';
    const notEvaluated = report.checks.find((c) => c.status === 'not-evaluated')!;
    notEvaluated.reason = 'needs traefik.io TLSOptions\nwhich could not be read';
    report.run.partial = ['networkpolicies: forbidden\nsecrets: forbidden'];
    const elements = parsed(renderJunit(report));

    const failure = elements.find((e) => e.name === 'failure' && e.text.includes(`Fingerprint: ${finding.fingerprint}`))!;
    expect(failure.attributes.message).toBe('Role shop/ops grants:\n\tget secrets\r\n\tlist secrets');
    // The failure's text keeps the message too, carriage return included.
    expect(failure.text.startsWith('Role shop/ops grants:\n\tget secrets\r\n\tlist secrets\n')).toBe(true);
    expect(elements.filter((e) => e.name === 'error').map((e) => e.attributes.message)).toContain('needs traefik.io TLSOptions\nwhich could not be read');
    const reasons = elements.filter((e) => e.name === 'property' && e.attributes.name === 'partial.reason').map((e) => e.attributes.value);
    expect(reasons).toHaveLength(5);
    expect(new Set(reasons)).toEqual(new Set(['networkpolicies: forbidden\nsecrets: forbidden']));
  });

  it('are written with character references &#10; &#9; &#13;; the failure text keeps its newlines and tabs as they are', () => {
    const { report } = buildRun();
    const finding = report.findings.find((f) => !f.waived)!;
    finding.message = 'one\ntwo\tthree\rfour';
    const xml = renderJunit(report);
    expect(xml).toContain('message="one&#10;two&#9;three&#13;four">one\ntwo\tthree&#13;four\n');
  });
});

describe('report.junit.xml testcase names', () => {
  it('show a character XML cannot carry (a C0 control, a lone surrogate) and ESC, DEL, C1 as \\uXXXX, as report.md does: resources differing only there stay distinct', () => {
    const { report } = buildRun();
    const base = report.findings.find((f) => !f.waived)!;
    const names = ['bob', 'bob\u0001', 'bob\u001b[2J', 'bob\u009b', 'bob\ud800'];
    report.findings.push(...names.map((name, i) => ({ ...base, fingerprint: `fp-bob-${i}`, resource: { kind: 'User', name } })));
    const xml = renderJunit(report);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
    const cases = parsed(xml).filter((e) => e.name === 'testcase' && e.attributes.name.includes('User bob'));
    expect(cases.map((e) => e.attributes.name).sort()).toEqual(['', '\\u0001', '\\u001b[2J', '\\u009b', '\\ud800'].map((s) => `${base.check} User bob${s}`).sort());
  });

  it('stay distinct when their names read the same once cut to the name limit: each then carries its fingerprint', () => {
    const { report } = buildRun();
    const base = report.findings.find((f) => !f.waived)!;
    const long = 'b'.repeat(700);
    report.findings.push(...[0, 1].map((i) => ({ ...base, fingerprint: `fp-long-${i}`, resource: { kind: 'User', name: `${long}${i}` } })));
    const cases = parsed(renderJunit(report)).filter((e) => e.name === 'testcase' && e.attributes.name.includes(`User ${'b'.repeat(100)}`));
    expect(cases).toHaveLength(2);
    expect(cases.map((e) => e.attributes.name.match(/\[fp-long-\d\]$/)?.[0]).sort()).toEqual(['[fp-long-0]', '[fp-long-1]']);
  });

  it('are never cut inside the escape a control is shown as', () => {
    const { report } = buildRun();
    const base = report.findings.find((f) => !f.waived)!;
    const prefix = `${base.check} User `;
    // The name's escape starts 2 characters before the 600-character limit.
    const name = `${'c'.repeat(600 - prefix.length - 2)}\u0001tail`;
    report.findings.push({ ...base, fingerprint: 'fp-cut', resource: { kind: 'User', name } });
    const shown = parsed(renderJunit(report)).find((e) => e.name === 'testcase' && e.attributes.name.includes('ccccc'))!.attributes.name;
    expect(shown).toBe(`${prefix}${'c'.repeat(600 - prefix.length - 2)}…`);
  });
});
