// The run that last judged a namespace (its Namespace object left out of later --manifests runs:
// the pod-security checks' unjudgedNamespaces) is kept and read by every store as a check's last
// evaluation is: retention keeps it past maxRuns, the diff's walk passes over the runs that could
// not judge the namespace by their stored summaries and reads that one, and the Namespace back
// unchanged is no news (test/unit/diff/namespace-carried.test.ts has the repro through the CLI).
// Real stores: a SQLite file and the k8s:// store (ConfigMaps, over an in-memory API).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { openK8sStore } from '../../../src/history/k8s.ts';
import { summaryProblem, summarizeRun, type RunStore } from '../../../src/history/run-store.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import type { RunReport, StoredRunRead } from '../../../src/run/types.ts';
import { FakeConfigMaps } from './fake-core-api.ts';
import { diffStep } from '../pipeline/diff-step.ts';

const TEAM = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n';
const WEB = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: team}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: nginx, securityContext: {privileged: true}}]\n';
const MISSING = 'pod-security.enforce-missing';
const retention = { maxRuns: 2, maxAgeDays: 0 };
const quiet = { info: () => {}, warn: () => {}, progress: () => {} };

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ztaudit-ns-baseline-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

let clock = Date.parse('2026-11-20T02:00:00Z');
const stores: Array<[string, () => () => Promise<RunStore>]> = [
  ['SQLite', () => { const db = join(dir, 'h.db'); return () => openRunStore(db, { retention }); }],
  ['k8s://', () => {
    const fake = new FakeConfigMaps();
    return () => openK8sStore('ztaudit', 'history', { api: fake.api('ztaudit'), retention, now: () => new Date(clock) });
  }],
];

describe.each(stores)('the run that last judged a namespace (%s)', (_name, makeStore) => {
  let n = 0;
  async function audit(open: () => Promise<RunStore>, yaml: string, read?: string[]): Promise<RunReport> {
    const file = join(dir, `in-${++n}.yaml`);
    writeFileSync(file, yaml);
    const store = await open();
    const counting: RunStore = read === undefined ? store : Object.assign(Object.create(store) as RunStore, {
      async *runsNewestFirst(cluster?: string, how?: StoredRunRead) { for await (const r of store.runsNewestFirst(cluster, how)) { read.push(r.run.id); yield r; } },
    });
    try {
      return (await runPipeline(defaultConfig(), CHECKS, {
        collect: async () => loadManifests([file], { clusterName: 'c1' }),
        store: counting,
        diff: diffStep(defaultConfig().regression),
        render: async () => [],
        notifiers: [],
        log: quiet,
        now: () => new Date((clock += 3_600_000)),
      })).report;
    } finally {
      await store.close();
    }
  }

  it('is kept past maxRuns, read past the runs between (passed over unread), and the Namespace back unchanged is no news', async () => {
    const open = makeStore();
    const full = await audit(open, `${TEAM}---\n${WEB}`);
    const team = full.findings.filter((f) => f.resource.kind === 'Namespace' && f.resource.name === 'team' && f.check.startsWith('pod-security.enforce-')).map((f) => f.fingerprint).sort();
    expect(team).toHaveLength(2);
    const partial: RunReport[] = [];
    for (let i = 0; i < 3; i++) partial.push(await audit(open, WEB));
    expect(summarizeRun(partial[2]).unjudgedNamespaces?.[MISSING]).toEqual(['team']);
    const store = await open();
    try {
      expect((await store.list(10)).map((r) => r.id)).toEqual([partial[2].run.id, partial[1].run.id, full.run.id]);
    } finally {
      await store.close();
    }
    const read: string[] = [];
    const back = await audit(open, `${TEAM}---\n${WEB}`, read);
    expect(read).toEqual([partial[2].run.id, full.run.id]);
    expect(back.diff?.previousRunId).toBe(partial[2].run.id);
    expect(back.diff?.new).toEqual([]);
    expect(back.diff?.resolved).toEqual([]);
    expect(back.diff?.regression).toBe(false);
  });
});

describe('a stored summary\'s unjudgedNamespaces', () => {
  const summary = { id: 'r', startedAt: '2026-11-20T02:00:00Z', cluster: 'c1', score: { overall: 50, areas: {} }, findings: { critical: 0, high: 1, medium: 0, low: 0 }, waived: 0, regression: null };
  it('a hand edit that is not lists of namespaces by check id makes the summary unreadable, named', () => {
    expect(summaryProblem({ ...summary, unjudgedNamespaces: { [MISSING]: ['team'] } })).toBeNull();
    expect(summaryProblem(summary)).toBeNull();
    for (const bad of ['team', [MISSING], { [MISSING]: 'team' }, { [MISSING]: [1] }]) expect(summaryProblem({ ...summary, unjudgedNamespaces: bad })).toBe('its unjudgedNamespaces is not lists of namespaces by check id');
  });
});
