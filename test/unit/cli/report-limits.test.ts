// report.sarif's and report.junit.xml's caps are ztaudit's own choice: 25,000 SARIF results is
// GitHub code scanning's upload limit ("SARIF support for code scanning", upload limits table:
// "Results per run | 25,000 | Only the top 5,000 results will be included",
// https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning),
// 2,500 JUnit finding testcases keeps the file under GitLab's 30 MB. Another SARIF reader, or a
// CI that wants a short report, sets its own: reports.sarifMaxResults and
// reports.junitMaxFindingCases in ztaudit.yaml, --sarif-max-results and --junit-max-finding-cases
// on run, serve and report. A cap above GitHub's limit is allowed and warned about.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { validateConfig } from '../../../src/config/validate.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { CHECK_BY_ID } from '../../../checks/index.ts';
import { captureIO } from '../../helpers/cli.ts';
import { ROOT } from '../report/demo.ts';

let dir: string;
let full: RunReport;

const file = (out: string, name: string) => readFileSync(join(dir, out, name), 'utf8');
const sarifResults = (out: string) => (JSON.parse(file(out, 'report.sarif')) as { runs: Array<{ results: unknown[]; invocations: Array<{ toolExecutionNotifications: Array<{ message: { text: string } }> }> }> }).runs[0]!;
/** Testcases of one finding each: named `<check> <Kind> …` (a check's own case is named by its title, the rest of a capped check `<check>: N more findings not listed`). */
const findingCases = (out: string) => [...file(out, 'report.junit.xml').matchAll(/<testcase classname="[^"]*" name="[a-z-]+\.[a-z0-9-]+ [A-Z]/g)].length;

async function cli(args: string[]): Promise<{ code: number; err: string }> {
  const t = captureIO(dir);
  const code = await main(args, t.cli);
  return { code, err: t.err() };
}

const run = (out: string, ...extra: string[]) => cli(['run', '--manifests', 'demo', '--cluster', 'demo', '--history', 'h.db', '--out', out, '--format', 'json,sarif,junit', '-q', '--no-notify', ...extra]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-report-limits-'));
  cpSync(join(ROOT, 'examples/demo-cluster'), join(dir, 'demo'), { recursive: true });
  const r = await run('full');
  expect(r.code, r.err).toBe(0);
  full = JSON.parse(file('full', 'report.json')) as RunReport;
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reports.sarifMaxResults and reports.junitMaxFindingCases', () => {
  it('the premise: uncapped, the demo run lists every finding in both', () => {
    expect(full.findings.length).toBeGreaterThan(10);
    expect(sarifResults('full').results).toHaveLength(full.findings.length);
    expect(findingCases('full')).toBe(full.findings.length);
  });

  it('default to GitHub code scanning\'s 25,000 results and 2,500 finding testcases', () => {
    expect(defaultConfig().reports).toEqual({ sarifMaxResults: 25_000, junitMaxFindingCases: 2_500 });
  });

  it('from ztaudit.yaml: report.sarif and report.junit.xml hold that many, and say so', async () => {
    writeFileSync(join(dir, 'capped.yaml'), 'reports:\n  sarifMaxResults: 3\n  junitMaxFindingCases: 2\n');
    const r = await run('capped', '--config', 'capped.yaml');
    expect(r.code, r.err).toBe(0);
    const sarif = sarifResults('capped');
    expect(sarif.results).toHaveLength(3);
    const note = `report.sarif lists 3 of ${full.findings.length} results: it holds at most 3 (reports.sarifMaxResults)`;
    expect(sarif.invocations[0]!.toolExecutionNotifications.map((n) => n.message.text)).toContainEqual(expect.stringContaining(note));
    expect(r.err).toContain(note);
    expect(findingCases('capped')).toBe(2);
    expect(file('capped', 'report.junit.xml')).toContain('report.junit.xml lists at most 2 findings one by one (reports.junitMaxFindingCases), the most severe');
  });

  it('--sarif-max-results and --junit-max-finding-cases override the file', async () => {
    const r = await run('flags', '--config', 'capped.yaml', '--sarif-max-results', '5', '--junit-max-finding-cases', '4');
    expect(r.code, r.err).toBe(0);
    expect(sarifResults('flags').results).toHaveLength(5);
    expect(findingCases('flags')).toBe(4);
  });

  // A cap set by the flag is credited to the flag, not to the key the file did not use here.
  it('a cut report names what set its cap: the flag, in the log, SARIF toolExecutionNotifications and JUnit', async () => {
    const r = await run('flag-only', '--sarif-max-results', '5', '--junit-max-finding-cases', '4');
    expect(r.code, r.err).toBe(0);
    const note = `report.sarif lists 5 of ${full.findings.length} results: it holds at most 5 (--sarif-max-results)`;
    const notes = sarifResults('flag-only').invocations[0]!.toolExecutionNotifications.map((n) => n.message.text);
    expect(notes).toContainEqual(expect.stringContaining(note));
    expect(r.err).toContain(note);
    expect(`${notes.join('\n')}\n${r.err}`).not.toContain('reports.sarifMaxResults');
    const junit = file('flag-only', 'report.junit.xml');
    expect(junit).toContain('report.junit.xml lists at most 4 findings one by one (--junit-max-finding-cases), the most severe');
    expect(junit).not.toContain('reports.junitMaxFindingCases');
    // The flag over the file: the flag is named.
    const both = await run('flags-over-file', '--config', 'capped.yaml', '--sarif-max-results', '5');
    expect(both.code, both.err).toBe(0);
    expect(both.err).toContain('it holds at most 5 (--sarif-max-results)');
    expect(file('flags-over-file', 'report.junit.xml')).toContain('lists at most 2 findings one by one (reports.junitMaxFindingCases)');
  });

  it('`ztaudit report RUN` names the flag too, and the default when none is given', async () => {
    const r = await cli(['report', full.run.id, '--history', 'h.db', '--format', 'sarif,junit', '--out', 'rep-flag', '--sarif-max-results', '4', '--junit-max-finding-cases', '1']);
    expect(r.code, r.err).toBe(0);
    expect(sarifResults('rep-flag').invocations[0]!.toolExecutionNotifications.map((n) => n.message.text)).toContainEqual(expect.stringContaining('it holds at most 4 (--sarif-max-results)'));
    expect(file('rep-flag', 'report.junit.xml')).toContain('lists at most 1 findings one by one (--junit-max-finding-cases)');
  });

  // `report` reads no ztaudit.yaml (src/cli/report.ts): its help must not say the caps default to the file's keys.
  it('`ztaudit report --help` says the caps default to 25,000 and 2,500 and that ztaudit.yaml is not read; `run --help` names the keys', async () => {
    const t = captureIO(dir);
    expect(await main(['report', '--help'], t.cli)).toBe(0);
    const help = t.out().replace(/\s+/g, ' ');
    expect(help).toContain('(default: 25,000: GitHub code scanning rejects a run of more; ztaudit.yaml is not read)');
    expect(help).toContain('(default: 2,500; ztaudit.yaml is not read)');
    expect(help).not.toContain('reports.sarifMaxResults');
    expect(help).not.toContain('reports.junitMaxFindingCases');
    const u = captureIO(dir);
    expect(await main(['run', '--help'], u.cli)).toBe(0);
    const runHelp = u.out().replace(/\s+/g, ' ');
    expect(runHelp).toContain('(default: reports.sarifMaxResults, else 25,000');
    expect(runHelp).toContain('(default: reports.junitMaxFindingCases, else 2,500)');
  });

  // One maximum, 10,000,000 (MAX_REPORT_CAP, src/base/output-limits.ts), for the keys and the flags alike.
  it('a cap above 10,000,000 is refused as too large, naming the flag or the key; 10,000,000 itself is taken', async () => {
    for (const [flag, value] of [['--sarif-max-results', '9007199254740993'], ['--junit-max-finding-cases', '10000001'], ['--sarif-max-results', '100000000000000000000000']]) {
      const r = await run('huge', flag!, value!);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n').filter((l) => l.includes(flag!))).toEqual([expect.stringContaining(`${flag} "${value}": is more than 10000000 (too large`)]);
    }
    const rep = await cli(['report', full.run.id, '--history', 'h.db', '--format', 'sarif', '--out', 'huge', '--sarif-max-results', '9007199254740993']);
    expect(rep.code).toBe(2);
    expect(rep.err).toContain('--sarif-max-results "9007199254740993": is more than 10000000 (too large');
    const check = (reports: Record<string, unknown>) => validateConfig({ reports }, { file: 'ztaudit.yaml', checkIds: new Set(CHECK_BY_ID.keys()) });
    expect(check({ sarifMaxResults: 1e20 }).errors).toEqual([expect.stringMatching(/^ztaudit\.yaml: reports\.sarifMaxResults: 100000000000000000000 is more than 10000000 \(too large/)]);
    expect(check({ junitMaxFindingCases: 10_000_001 }).errors).toEqual([expect.stringMatching(/^ztaudit\.yaml: reports\.junitMaxFindingCases: 10000001 is more than 10000000 \(too large/)]);
    expect(check({ sarifMaxResults: 10_000_000, junitMaxFindingCases: 10_000_000 }).errors).toEqual([]);
    const ok = await run('max', '--sarif-max-results', '10000000', '--junit-max-finding-cases', '010000000');
    expect(ok.code, ok.err).toBe(0);
  });

  it('ztaudit report RUN takes the flags too (it reads no ztaudit.yaml: the defaults otherwise)', async () => {
    const again = await cli(['report', full.run.id, '--history', 'h.db', '--format', 'sarif,junit', '--out', 'again', '--sarif-max-results', '4', '--junit-max-finding-cases', '1']);
    expect(again.code, again.err).toBe(0);
    expect(sarifResults('again').results).toHaveLength(4);
    expect(findingCases('again')).toBe(1);
    const plain = await cli(['report', full.run.id, '--history', 'h.db', '--format', 'sarif', '--out', 'plain']);
    expect(plain.code, plain.err).toBe(0);
    expect(sarifResults('plain').results).toHaveLength(full.findings.length);
  });

  it('a bad value is one line naming the key or the flag, exit 2', async () => {
    const check = (yaml: string) => validateConfig(yaml === '' ? {} : (JSON.parse(yaml) as unknown), { file: 'ztaudit.yaml', checkIds: new Set(CHECK_BY_ID.keys()) });
    expect(check('{"reports":{"sarifMaxResults":0}}').errors).toEqual(['ztaudit.yaml: reports.sarifMaxResults: must be >= 1']);
    expect(check('{"reports":{"junitMaxFindingCases":"many"}}').errors).toEqual(['ztaudit.yaml: reports.junitMaxFindingCases: must be integer']);
    expect(check('{"reports":{"sarifMaxResult":10}}').errors).toEqual(['ztaudit.yaml: reports.sarifMaxResult: unknown key (did you mean sarifMaxResults?)']);
    for (const [flag, value] of [['--sarif-max-results', 'lots'], ['--junit-max-finding-cases', '0'], ['--sarif-max-results', '2.5']]) {
      const r = await run('bad', flag!, value!);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n').filter((l) => l.includes(flag!))).toEqual([expect.stringContaining(`${flag} "${value}": must be a whole number of at least 1`)]);
    }
    const report = await cli(['report', full.run.id, '--history', 'h.db', '--format', 'sarif', '--out', 'bad', '--sarif-max-results', 'x']);
    expect(report.code).toBe(2);
    expect(report.err).toContain('--sarif-max-results "x": must be a whole number of at least 1');
  });

  it('above GitHub\'s 25,000 results per run: allowed, with a warning that GitHub rejects the upload', async () => {
    const v = validateConfig({ reports: { sarifMaxResults: 30_000 } }, { file: 'ztaudit.yaml', checkIds: new Set(CHECK_BY_ID.keys()) });
    expect(v.errors).toEqual([]);
    expect(v.config.reports.sarifMaxResults).toBe(30_000);
    expect(v.warnings).toEqual(['ztaudit.yaml: reports.sarifMaxResults: 30,000 is more than GitHub code scanning takes (25,000 results per run): a report.sarif with more results is rejected on upload; fine for other SARIF readers']);
    expect(validateConfig({ reports: { sarifMaxResults: 25_000 } }, { file: 'ztaudit.yaml', checkIds: new Set(CHECK_BY_ID.keys()) }).warnings).toEqual([]);
    const r = await cli(['report', full.run.id, '--history', 'h.db', '--format', 'sarif', '--out', 'above', '--sarif-max-results', '30000']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('ztaudit report: warning: --sarif-max-results: 30,000 is more than GitHub code scanning takes (25,000 results per run): a report.sarif with more results is rejected on upload; fine for other SARIF readers\n');
  });
});
