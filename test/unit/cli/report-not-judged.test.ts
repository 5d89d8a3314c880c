// `ztaudit report RUN` renders a stored run again: its report.sarif and report.junit.xml must be
// the ones the run wrote, the findings of the namespaces it could not judge (diff.notJudged)
// included. Missing from a SARIF upload, GitHub code scanning closes their alerts as fixed
// ("SARIF support for code scanning": an alert whose result is missing from a new analysis of
// the same category is closed,
// https://docs.github.com/en/code-security/reference/code-scanning/sarif-files/sarif-support-for-code-scanning),
// so a re-rendered report uploaded again would close them for an input gap.
// The file and line of each object are not stored (docs/report-formats.md, "Live clusters, or a
// manifest object whose file is not known"): the re-rendered results point at the cluster path
// instead, so physical locations are left out of the comparison; everything else is compared.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';
import { ROOT } from '../report/demo.ts';

interface SarifResult { ruleId: string; partialFingerprints: Record<string, string>; locations: Array<{ physicalLocation?: unknown }>; properties: { carriedFrom?: string } }
interface SarifLog { runs: Array<{ results: SarifResult[] }> }

let dir: string;
let a: RunReport;
let b: RunReport;
let c: RunReport;

/** The examples' demo cluster, without the Namespace object `without` (its workloads kept). */
function manifests(name: string, without?: string): string {
  const to = join(dir, name);
  cpSync(join(ROOT, 'examples/demo-cluster'), to, { recursive: true });
  if (without) {
    const file = join(to, '00-namespaces.yaml');
    const docs = readFileSync(file, 'utf8').split(/^---\n/m).filter((d) => !(/^kind: Namespace$/m.test(d) && new RegExp(`^  name: ${without}$`, 'm').test(d)));
    writeFileSync(file, docs.join('---\n'));
  }
  return to;
}

const history = () => join(dir, 'h.db');
const file = (out: string, name: string) => readFileSync(join(dir, out, name), 'utf8');

async function run(out: string, input: string): Promise<RunReport> {
  const t = captureIO(dir);
  const code = await main(['run', '--manifests', input, '--cluster', 'demo', '--history', history(), '--out', out, '--format', 'json,sarif,junit', '-q', '--no-notify'], t.cli);
  expect(code, t.err()).toBe(0);
  return JSON.parse(file(out, 'report.json')) as RunReport;
}

async function report(id: string, out: string, store = history()): Promise<{ code: number; err: string }> {
  const t = captureIO(dir);
  const code = await main(['report', id, '--history', store, '--format', 'sarif,junit', '--out', out], t.cli);
  return { code, err: t.err() };
}

/** A SARIF log without what a stored run cannot give back: the objects' files and lines. */
function withoutPhysicalLocations(text: string): SarifLog {
  const log = JSON.parse(text) as SarifLog;
  for (const r of log.runs[0]!.results) for (const l of r.locations) delete l.physicalLocation;
  return log;
}

const carriedOf = (text: string) => (JSON.parse(text) as SarifLog).runs[0]!.results.filter((r) => r.properties.carriedFrom !== undefined).map((r) => `${r.partialFingerprints['ztaudit/v1']} ${r.properties.carriedFrom}`).sort();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-report-not-judged-'));
  a = await run('a', manifests('all'));
  // B and C lack the Namespace shop: both carry its findings from A (C by diff.notJudgedRuns).
  b = await run('b', manifests('no-shop-b', 'shop'));
  c = await run('c', manifests('no-shop-c', 'shop'));
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ztaudit report RUN of a run that could not judge a namespace', () => {
  it('the premise: B and C carry the findings of namespace shop as not judged, from run A', () => {
    expect(b.diff!.notJudged!.length).toBeGreaterThanOrEqual(5);
    expect(c.diff!.notJudged!.sort()).toEqual([...b.diff!.notJudged!].sort());
    expect(Object.values(c.diff!.notJudgedRuns ?? {})).toContain(a.run.id);
    // Every not-judged finding is carried from A; so is the finding of a check that judged only
    // namespace shop (mtls.permissive-override: not evaluated in B, its finding carried as well).
    expect(carriedOf(file('b', 'report.sarif'))).toEqual(expect.arrayContaining(b.diff!.notJudged!.map((fp) => `${fp} ${a.run.id}`)));
    expect(carriedOf(file('b', 'report.sarif')).length).toBeGreaterThan(b.diff!.notJudged!.length);
  });

  for (const which of ['b', 'c'] as const) {
    it(`re-rendered, run ${which.toUpperCase()}'s report.sarif is the one its run wrote (objects' files and lines aside)`, async () => {
      const run = which === 'b' ? b : c;
      const { code, err } = await report(run.run.id, `again-${which}`);
      expect(code, err).toBe(0);
      expect(err).toBe('');
      const again = file(`again-${which}`, 'report.sarif');
      expect(carriedOf(again)).toEqual(carriedOf(file(which, 'report.sarif')));
      expect(carriedOf(again)).toEqual(expect.arrayContaining(run.diff!.notJudged!.map((fp) => expect.stringMatching(new RegExp(`^${fp} `)))));
      expect(withoutPhysicalLocations(again)).toEqual(withoutPhysicalLocations(file(which, 'report.sarif')));
    });

    it(`re-rendered, run ${which.toUpperCase()}'s report.junit.xml is the one its run wrote (timestamps aside)`, async () => {
      const { code, err } = await report(which === 'b' ? b.run.id : c.run.id, `again-${which}`);
      expect(code, err).toBe(0);
      const strip = (xml: string) => xml.replace(/ timestamp="[^"]*"/g, '');
      const again = file(`again-${which}`, 'report.junit.xml');
      expect(again).toContain(`name="mtls.workload-outside-mesh StatefulSet shop/postgres"><failure type="high" message="carried from run ${a.run.id}: its namespace was not judged in this run`);
      expect(strip(again)).toBe(strip(file(which, 'report.junit.xml')));
    });
  }

  it('when the run that judged the namespace is no longer stored, renders what is there and says so once', async () => {
    const copy = join(dir, 'forgot.db');
    cpSync(history(), copy);
    // As retention or a damaged store would leave it (the store's own eviction keeps that run).
    const db = new DatabaseSync(copy);
    expect(db.prepare('DELETE FROM runs WHERE id = ?').run(a.run.id).changes).toBe(1);
    db.close();
    const { code, err } = await report(b.run.id, 'forgot', copy);
    expect(code, err).toBe(0);
    const lines = err.split('\n').filter((l) => l !== '');
    // Once for the not-judged findings, once for the not-evaluated check's (each its own line).
    expect(lines).toEqual([
      `ztaudit report: warning: report.sarif leaves out the findings run ${b.run.id} carried from run(s) ${a.run.id}: not stored any more or unreadable`,
      `ztaudit report: warning: report.sarif, report.junit.xml leave out the ${b.diff!.notJudged!.length} finding(s) of namespaces run ${b.run.id} could not judge, carried from run(s) ${a.run.id}: not stored any more or unreadable`,
    ]);
    expect(carriedOf(file('forgot', 'report.sarif'))).toEqual([]);
    expect(file('forgot', 'report.junit.xml')).not.toContain('carried from run');
  });
});
