// A Namespace object dropped from --manifests (its workloads kept) leaves the checks that read its
// labels unable to judge it: the diff keeps that namespace's findings as not judged, not resolved
// (RunDiff.notJudged). Every output must say so too, or CI reads the gap as a fix:
// - report.sarif still lists them, carried from the run that last judged them (properties.carriedFrom).
//   GitHub code scanning closes as fixed an alert whose result is missing from a new analysis of the
//   same category ("SARIF support for code scanning",
//   https://docs.github.com/en/code-security/reference/code-scanning/sarif-files/sarif-support-for-code-scanning).
// - report.junit.xml keeps their failing testcases and shows no green case for the checks that could not judge it.
// - the PolicyReports keep their results, carried.
// - the HTML says "Not judged" (not "Deliberately excluded") and marks the area's tile; Markdown,
//   Slack and the email say the CLI's line.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { buildPolicyReports } from '../../../src/notify/policy-reports.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';
import { startFakeSlack, type FakeSlack } from '../notify/slack-server.ts';
import { ROOT } from '../report/demo.ts';

interface SarifResult { ruleId: string; partialFingerprints: Record<string, string>; properties: { carriedFrom?: string } }

const LINE = 'mtls: 8 check(s) could not judge namespace(s) shop (their Namespace objects are not in the input; report.json checks[].excluded)';

let dir: string;
let slack: FakeSlack;
let smtp: SMTPServer;
const mails: string[] = [];
let a: RunReport;
let b: RunReport;

/** The examples' demo cluster, `without` the Namespace object named. */
function manifests(name: string, without?: string): string {
  const to = join(dir, name);
  cpSync(join(ROOT, 'examples/demo-cluster'), to, { recursive: true });
  if (without) {
    const file = join(to, '00-namespaces.yaml');
    const docs = readFileSync(file, 'utf8').split(/^---\n/m).filter((d) => !(/^kind: Namespace$/m.test(d) && new RegExp(`^  name: ${without}$`, 'm').test(d)));
    writeFileSync(file, docs.join('---\n'));
    expect(readFileSync(file, 'utf8')).not.toMatch(new RegExp(`^  name: ${without}$`, 'm'));
  }
  return to;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-not-judged-'));
  slack = await startFakeSlack();
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, _session, done) {
      let text = '';
      stream.on('data', (c: Buffer) => { text += c.toString('utf8'); });
      stream.on('end', () => { mails.push(text); done(); });
    },
  });
  await new Promise<void>((ok) => smtp.listen(0, '127.0.0.1', ok));
  writeFileSync(join(dir, 'ztaudit.yaml'), 'notify:\n  policy: always\n  slack: {channel: C0TEST}\n  email: {to: [oncall@example.com], from: ztaudit@example.com}\n');
  const env = { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_API_URL: slack.apiUrl, ZTAUDIT_SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}` };
  const run = async (out: string, input: string, notify: string[]) => {
    const t = captureIO(dir, env);
    const code = await main(['run', '--manifests', input, '--config', 'ztaudit.yaml', '--cluster', 'demo', '--history', join(dir, 'h.db'), '--out', out, '--format', 'json,sarif,junit,html,md', '-q', ...notify], t.cli);
    expect(code, t.err()).toBe(0);
    return JSON.parse(readFileSync(join(dir, out, 'report.json'), 'utf8')) as RunReport;
  };
  a = await run('a', manifests('all'), ['--no-notify']);
  b = await run('b', manifests('no-shop', 'shop'), []);
}, 120_000);

afterAll(async () => {
  await slack.close();
  await new Promise<void>((ok) => smtp.close(() => ok()));
  rmSync(dir, { recursive: true, force: true });
});

const file = (run: string, name: string) => readFileSync(join(dir, run, name), 'utf8');

describe('a run whose input lacks one Namespace object (its workloads kept)', () => {
  it('is diffed as not judging that namespace (the premise)', () => {
    expect(b.diff?.previousRunId).toBe(a.run.id);
    expect(b.diff!.notJudged!.length).toBeGreaterThanOrEqual(5);
    expect(b.diff!.resolved.filter((fp) => b.diff!.notJudged!.includes(fp))).toEqual([]);
  });

  it('report.sarif lists the findings it could not judge, carried from the run that judged them', () => {
    const results = (JSON.parse(file('b', 'report.sarif')) as { runs: Array<{ results: SarifResult[] }> }).runs[0]!.results;
    const byFp = new Map(results.map((r) => [r.partialFingerprints['ztaudit/v1']!, r]));
    for (const fp of b.diff!.notJudged!) {
      expect(byFp.get(fp), fp).toBeDefined();
      expect(byFp.get(fp)!.properties.carriedFrom).toBe(a.run.id);
    }
    // The five of the mesh checks the reviewer counted among them.
    const mesh = b.diff!.notJudged!.filter((fp) => byFp.get(fp)!.ruleId.startsWith('mtls.'));
    expect(mesh.length).toBeGreaterThanOrEqual(5);
    // Nothing else is carried but the findings of a check not evaluated (mtls.permissive-override,
    // whose only policy judged is in shop): this run judged every other namespace itself.
    const blind = new Set(b.checks.filter((c) => c.status === 'not-evaluated').map((c) => c.id));
    expect(blind).toContain('mtls.permissive-override');
    expect(results.filter((r) => r.properties.carriedFrom !== undefined && !blind.has(r.ruleId.split('/')[0]!)).map((r) => r.partialFingerprints['ztaudit/v1']).sort()).toEqual([...b.diff!.notJudged!].sort());
  });

  it('report.junit.xml keeps the failing testcase and shows the check that could not judge the namespace not green', () => {
    const xml = file('b', 'report.junit.xml');
    const cases = [...xml.matchAll(/<testcase classname="ztaudit\.mtls\.workload-outside-mesh" name="([^"]*)"(\/>|>([\s\S]*?)<\/testcase>)/g)];
    // Run A: the StatefulSet shop/postgres fails the check.
    expect(file('a', 'report.junit.xml')).toContain('name="mtls.workload-outside-mesh StatefulSet shop/postgres"><failure');
    const postgres = cases.find((m) => m[1] === 'mtls.workload-outside-mesh StatefulSet shop/postgres');
    expect(postgres?.[3]).toMatch(new RegExp(`^<failure type="[a-z]+" message="carried from run ${a.run.id}: its namespace was not judged in this run`));
    // No green case: a case that closes itself (/>) passed.
    expect(cases.filter((m) => m[2] === '/>')).toEqual([]);
    expect(cases.map((m) => m[3] ?? '')).toContainEqual(expect.stringMatching(/^<error type="not-judged" message="could not judge namespace\(s\) shop: their Namespace objects are not in the input/));
  });

  it('the PolicyReports keep those results, carried', () => {
    const notJudged = new Set(b.diff!.notJudged!);
    const objects = buildPolicyReports(b, [], new Set(), [{ runId: a.run.id, findings: a.findings.filter((f) => notJudged.has(f.fingerprint)) }]);
    const results = objects.flatMap((o) => o.results);
    for (const f of a.findings.filter((x) => notJudged.has(x.fingerprint))) {
      expect(results.find((r) => r.policy === f.check && r.resources?.[0]?.name === f.resource.name && r.properties?.carriedFrom === a.run.id), `${f.check} ${f.resource.name}`).toBeDefined();
    }
  });

  it('the HTML says "Not judged" in Coverage, not "Deliberately excluded", and marks the mesh tile', () => {
    const html = file('b', 'report.html');
    const coverage = html.slice(html.indexOf('<section id="coverage">'), html.indexOf('</section>', html.indexOf('<section id="coverage">')));
    const notJudged = coverage.slice(coverage.indexOf('id="coverage-not-judged"'), coverage.indexOf('</table>', coverage.indexOf('id="coverage-not-judged"')));
    expect(notJudged).toContain('Not judged: namespaces whose Namespace objects are not in the input (13)');
    expect(notJudged).toContain('Workloads in meshed namespaces run with the mesh proxy<br><code>mtls.<wbr>workload-<wbr>outside-<wbr>mesh</code>');
    const excluded = coverage.includes('id="coverage-excluded"') ? coverage.slice(coverage.indexOf('id="coverage-excluded"')) : '';
    expect(excluded).not.toContain('Workloads in meshed namespaces run with the mesh proxy');
    expect(excluded).not.toContain('namespace shop is not in the input');
    const tile = /<div class="card [^"]*" data-area="mtls">([\s\S]*?)<div class="row">/.exec(html)?.[1] ?? '';
    expect(tile).toContain('<div class="share not-judged">namespace shop not judged: not in the input</div>');
    expect(html).toContain(`<li>${LINE}</li>`);
  });

  it('Markdown, the Slack message and the email say the CLI\'s line', () => {
    // Markdown escapes the brackets and parentheses a renderer would read as a link.
    expect(file('b', 'report.md')).toContain(`> **not judged:** ${LINE.replace(/[()[\]]/g, '\\$&')}`);
    const posts = slack.calls.filter((c) => c.path.endsWith('chat.postMessage') && !c.fields.thread_ts);
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]!.fields.blocks)).toContain(`• not judged: ${LINE}`);
    expect(mails).toHaveLength(1);
    // The plain-text part, a line of its own (quoted-printable may wrap it: soft breaks undone);
    // the HTML part says it too, after a bullet.
    const mail = mails[0]!.replace(/=\r?\n/g, '');
    expect(mail).toMatch(new RegExp(`\\nnot judged: ${LINE.replace(/[()[\]]/g, '\\$&')}\\r?\\n`));
    expect(mail).toContain(`• not judged: ${LINE}`.replace('•', '=E2=80=A2'));
    expect(readdirSync(join(dir, 'b'))).toContain('report.md');
  });
});
