// Retention keeps the baselines of every run it keeps, not only the newest's. A partial run (one
// kind unreadable) carries the findings of the last run that evaluated each check it could not,
// and `ztaudit diff PARTIAL LATER` compares each check with that run (README: "each check is
// compared with the last stored run in which it was evaluated"). When a later full run is
// stored, the newest run needs none of that; yet the partial run is still listed, and evicting
// the run it leans on would make `report PARTIAL` lose its carried findings and `diff PARTIAL
// LATER` call the check not comparable: a ClusterRole that appeared while the kind could not be
// read would be neither new nor a regression there. Real stores: a SQLite file (and the CLI's
// diff on it) and the k8s:// store over an in-memory API; PostgreSQL: test/postgres/store.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { storedCarried } from '../../../src/cli/stored-report.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { fingerprintOf } from '../../../src/engine/fingerprint.ts';
import { openK8sStore } from '../../../src/history/k8s.ts';
import { keptBaselineRunIds, type RunStore } from '../../../src/history/run-store.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { captureIO } from '../../helpers/cli.ts';
import { FAKE_CHECKS, clusterRole, deployment, netpol, ns, snapshotOf } from '../diff/fake-checks.ts';
import { FakeConfigMaps } from './fake-core-api.ts';
import { diffStep } from '../pipeline/diff-step.ts';

const WILDCARD = 'rbac.fake-wildcard';
const before: KubeObject[] = [ns('shop'), netpol('shop'), deployment('shop', 'api', false), clusterRole('legacy', ['*'])];
const after = [...before, clusterRole('backdoor', ['*'])];
const legacyFp = fingerprintOf(WILDCARD, { kind: 'ClusterRole', name: 'legacy' });
const backdoorFp = fingerprintOf(WILDCARD, { kind: 'ClusterRole', name: 'backdoor' });
const rules = { ...defaultConfig().regression, newFindingSeverity: 'medium' as const };
const retention = { maxRuns: 3, maxAgeDays: 0 };
const quiet = { info: () => {}, warn: () => {}, progress: () => {} };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-retention-kept-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

let clock = Date.parse('2026-11-20T02:00:00Z');

const stores: Array<[string, () => { open: () => Promise<RunStore>; db?: string }]> = [
  ['SQLite', () => {
    const db = join(dir, 'h.db');
    return { open: () => openRunStore(db, { retention }), db };
  }],
  ['k8s://', () => {
    const fake = new FakeConfigMaps();
    return { open: () => openK8sStore('ztaudit', 'history', { api: fake.api('ztaudit'), retention, now: () => new Date(clock) }) };
  }],
];

describe.each(stores)('retention keeps what every kept run was compared with (%s)', (_name, makeStore) => {
  async function audit(open: () => Promise<RunStore>, objects: KubeObject[], coverage: Record<string, 'error'> = {}): Promise<RunReport> {
    const store = await open();
    try {
      return (await runPipeline(defaultConfig(), FAKE_CHECKS, {
        collect: async () => snapshotOf(objects, { runId: 'x', coverage }),
        store,
        diff: diffStep(rules),
        render: async () => [],
        notifiers: [],
        log: quiet,
        now: () => new Date((clock += 3_600_000)),
      })).report;
    } finally {
      await store.close();
    }
  }

  it('a listed partial run still shows its carried findings, and diffing it with a later run still finds the backdoor new', async () => {
    const { open, db } = makeStore();
    const full = await audit(open, before);
    await audit(open, after, { clusterroles: 'error' });
    const partial = await audit(open, after, { clusterroles: 'error' });
    expect(partial.run.lastEvaluatedOpen).toEqual([{ check: WILDCARD, runId: full.run.id, open: expect.objectContaining({ medium: 1 }) }]);
    const alerted = await audit(open, after);
    expect(alerted.diff?.new).toEqual([backdoorFp]);
    const latest = await audit(open, after);

    const store = await open();
    try {
      // maxRuns 3 lists the newest three; the full run the partial one leans on stays beside them.
      expect((await store.list(10)).map((r) => r.id)).toEqual([latest.run.id, alerted.run.id, partial.run.id, full.run.id]);
      // `ztaudit report PARTIAL` and serve's /runs/PARTIAL read the carried findings again from that run.
      const stored = (await store.get(partial.run.id))!;
      const { carried, missing } = await storedCarried(store, stored, null);
      expect(missing).toEqual([]);
      expect(carried.map((c) => [c.runId, c.findings.map((f) => f.fingerprint)])).toEqual([[full.run.id, [legacyFp]]]);
    } finally {
      await store.close();
    }

    if (db) {
      const config = join(dir, 'ztaudit.yaml');
      writeFileSync(config, 'regression:\n  newFindingSeverity: medium\n');
      const io = captureIO(dir);
      expect(await main(['diff', partial.run.id, alerted.run.id, '--history', db, '--config', config, '--output', 'json'], io.cli)).toBe(0);
      const diff = JSON.parse(io.out()) as { new: string[]; notComparable: string[]; regression: boolean };
      expect(diff.notComparable).toEqual([]);
      expect(diff.new).toEqual([backdoorFp]);
      expect(diff.regression).toBe(true);
    }

    // Once no listed run leans on it, it goes by the usual rules.
    const next = await audit(open, after);
    const again = await open();
    try {
      expect((await again.list(10)).map((r) => r.id)).toEqual([next.run.id, latest.run.id, alerted.run.id]);
    } finally {
      await again.close();
    }
  });
});

// What retention reads of each run is its stored summary (blind, notApplicable), newest first;
// `kept` says which runs retention keeps by count and age; named are the newest and the runs kept
// beside those for their sake.
describe('keptBaselineRunIds', () => {
  const C = WILDCARD;
  it('keeps the run each kept run was last evaluated in, not the ones between', () => {
    expect(keptBaselineRunIds([
      { id: 'latest' }, { id: 'alerted' }, { id: 'partial2', blind: [C], notApplicable: [] },
      { id: 'partial1', blind: [C], notApplicable: [] }, { id: 'full' }, { id: 'older' },
    ], (_run, place) => place < 3)).toEqual(new Set(['latest', 'full']));
  });

  it('keeps nothing beyond the kept runs when they evaluated every check', () => {
    expect(keptBaselineRunIds([{ id: 'a' }, { id: 'b' }, { id: 'c', blind: [C], notApplicable: [] }], (_run, place) => place < 2)).toEqual(new Set(['a']));
  });

  it('keeps, per kept run, the newest older run that had a check off while it could not evaluate it', () => {
    expect(keptBaselineRunIds([
      { id: 'latest' }, { id: 'blind', blind: [C], notApplicable: [] },
      { id: 'off', blind: [C], notApplicable: [C] }, { id: 'off-before', blind: [C], notApplicable: [C] },
    ], (_run, place) => place < 2)).toEqual(new Set(['latest', 'off']));
  });
});

// A namespace a check could not judge (its Namespace object not in a --manifests input:
// unjudgedNamespaces) is sought as a check is: the newest older run that judged it stays, past
// runs that could not judge it either (test/unit/diff/namespace-carried.test.ts: the diff takes
// the check's findings there from that run).
describe('keptBaselineRunIds and namespaces a check could not judge', () => {
  const P = 'pod-security.enforce-missing';
  it('keeps the newest older run that judged the namespace, past runs blind to the check or that could not judge it either', () => {
    expect(keptBaselineRunIds([
      { id: 'latest', unjudgedNamespaces: { [P]: ['team'] } },
      { id: 'no-ns', unjudgedNamespaces: { [P]: ['team', 'ops'] } },
      { id: 'blind', blind: [P], notApplicable: [] },
      { id: 'judged-team', unjudgedNamespaces: { [P]: ['ops'] } },
      { id: 'judged-all' },
      { id: 'older' },
    ], (_run, place) => place < 1, 1)).toEqual(new Set(['latest', 'judged-team']));
  });

  it('a run whose summary predates unjudgedNamespaces judged every namespace; a namespace judged by the kept run itself is not sought', () => {
    expect(keptBaselineRunIds([{ id: 'latest' }, { id: 'no-ns', unjudgedNamespaces: { [P]: ['team'] } }, { id: 'full' }], (_run, place) => place < 1, 1)).toEqual(new Set(['latest']));
    expect(keptBaselineRunIds([{ id: 'latest', unjudgedNamespaces: { [P]: ['team'] } }, { id: 'stored-before', blind: ['x'], notApplicable: [] }, { id: 'full' }], (_run, place) => place < 1, 1)).toEqual(new Set(['latest', 'stored-before']));
  });

  it('seeks, for a check the kept run could not evaluate, the namespaces the run it was last evaluated in could not judge', () => {
    expect(keptBaselineRunIds([
      { id: 'latest', blind: [P], notApplicable: [] },
      { id: 'evaluated', unjudgedNamespaces: { [P]: ['team'] } },
      { id: 'no-ns', unjudgedNamespaces: { [P]: ['team'] } },
      { id: 'judged' },
      { id: 'older' },
    ], (_run, place) => place < 1, 1)).toEqual(new Set(['latest', 'evaluated', 'judged']));
  });
});
