// Findings carried as not judged stay carried for as long as their namespace cannot be judged,
// and compare with what was last judged there once it can be again. Missing data is not a fix
// (DESIGN.md, Non-negotiables: "the diff never reports their findings as resolved"), nor is it
// news when the data comes back. Pod Security Admission reads a namespace's levels from the
// Namespace object's own labels
// (https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces):
// a `--manifests` input that keeps a namespace's workloads but leaves out its Namespace object
// leaves them unknown, so the pod-security checks list the namespace in unjudgedNamespaces.
// Before, only the first such run carried the findings: the second compared with the first
// (nothing there), so diff 3 went silent, and the Namespace coming back unchanged made them "new".
// The reviewers' repro, through `ztaudit run` (real wiring, a real SQLite store) and
// `ztaudit diff --last`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastAndBaseline } from '../../../src/cli/diff.ts';
import { main } from '../../../src/cli/main.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { buildSlackMessage } from '../../../src/notify/slack.ts';
import type { RunDiff, RunReport, StoredRunRead } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';

const TEAM = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n';
// Pod Security labels as the page above names them: `enforce` fixes the problem run 1 found;
// `warn` stricter than the (default privileged) enforce level is a new one of its own.
const TEAM_FIXED = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team, labels: {pod-security.kubernetes.io/enforce: restricted}}\n';
const TEAM_WARN = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team, labels: {pod-security.kubernetes.io/warn: restricted}}\n';
const web = (privileged: boolean) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers: [{name: c, image: nginx, securityContext: {privileged: ${privileged}, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}]
`;
// Declared in every run, so each has pod-security results to score.
const SHOP = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: restricted}}\n';

const NS_CHECKS = ['pod-security.enforce-below-target', 'pod-security.enforce-missing'];

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ztaudit-ns-carried-')); maxRuns = 2; });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
let maxRuns = 2;
async function run(history: string, ...docs: string[]): Promise<RunReport> {
  const out = `r${++n}`;
  writeFileSync(join(dir, `${out}.yaml`), [SHOP, ...docs].join('---\n'));
  writeFileSync(join(dir, 'ztaudit.yaml'), `history:\n  retention: {maxRuns: ${maxRuns}}\n`);
  const t = captureIO(dir);
  const code = await main(['run', '--manifests', join(dir, `${out}.yaml`), '--config', join(dir, 'ztaudit.yaml'), '--cluster', 'c1', '--history', history, '--out', join(dir, out), '--format', 'json,md,html', '--no-notify', '-q'], t.cli);
  expect(code, t.err()).toBe(0);
  const report = JSON.parse(readFileSync(join(dir, out, 'report.json'), 'utf8')) as RunReport;
  return Object.assign(report, { md: readFileSync(join(dir, out, 'report.md'), 'utf8'), html: readFileSync(join(dir, out, 'report.html'), 'utf8') });
}

async function diffLast(history: string): Promise<RunDiff> {
  const t = captureIO(dir);
  const code = await main(['diff', '--last', '--config', join(dir, 'ztaudit.yaml'), '--history', history, '--output', 'json'], t.cli);
  expect(code, t.err()).toBe(0);
  return JSON.parse(t.out()) as RunDiff;
}

async function historyIds(history: string): Promise<string[]> {
  const t = captureIO(dir);
  expect(await main(['history', '--history', history, '--output', 'json', '--limit', '100'], t.cli), t.err()).toBe(0);
  return (JSON.parse(t.out()) as Array<{ id: string }>).map((r) => r.id);
}

const onTeamNamespace = (r: RunReport) => r.findings.filter((f) => NS_CHECKS.includes(f.check) && f.resource.kind === 'Namespace' && f.resource.name === 'team').map((f) => f.fingerprint).sort();
const sorted = (xs: readonly string[] | undefined) => [...(xs ?? [])].sort();

/** Runs 1-3 of the repro: run 1 with Namespace team, runs 2 and 3 without it. */
async function runsOneToThree(history: string) {
  const r1 = await run(history, TEAM, web(true));
  const r2 = await run(history, web(true));
  const r3 = await run(history, web(true));
  return { r1, r2, r3, team: onTeamNamespace(r1) };
}

describe('findings carried as not judged, over more than one run', () => {
  it('run 3 carries them again, naming run 1 (reports, Slack, diff --last), and alerts no second time', async () => {
    const history = join(dir, 'h.db');
    const { r1, r2, r3, team } = await runsOneToThree(history);
    expect(team).toHaveLength(2);

    // Run 2: the transition, said once (as before).
    expect(r2.checks.find((c) => c.id === 'pod-security.enforce-missing')?.unjudgedNamespaces).toEqual(['team']);
    expect(sorted(r2.diff?.notJudged)).toEqual(team);
    expect(r2.diff?.notJudgedRuns).toBeUndefined();
    expect(r2.diff?.regressionReasons.filter((r) => r.startsWith('could not judge: ')).length).toBe(2);

    // Run 3, unchanged: still not judged, from run 1, which its diff names; no second alert.
    expect(r3.diff?.previousRunId).toBe(r2.run.id);
    expect(sorted(r3.diff?.notJudged)).toEqual(team);
    expect(r3.diff?.notJudgedRuns).toEqual(Object.fromEntries(team.map((fp) => [fp, r1.run.id])));
    expect(r3.diff?.resolved).toEqual([]);
    expect(r3.diff?.new).toEqual([]);
    expect(r3.diff?.regression).toBe(false);
    // Both runs' scores left the namespace out: the delta stands.
    expect(r3.diff?.scoreDelta.areas['pod-security']).toBe(0);
    const note = `2 findings last judged in run ${r1.run.id} could not be judged in this run`;
    expect((r3 as RunReport & { md: string }).md).toContain(note);
    expect((r3 as RunReport & { html: string }).html).toContain(`<div class="banner info not-judged">${note}`);
    const slack = buildSlackMessage(r3);
    expect(JSON.stringify([slack.blocks, slack.thread.blocks])).toContain(note);
    // diff --last: the same comparison.
    const last = await diffLast(history);
    expect(sorted(last.notJudged)).toEqual(team);
    expect(last.notJudgedRuns).toEqual(r3.diff?.notJudgedRuns);
    expect(last.regressionReasons).toEqual(r3.diff?.regressionReasons);
    expect(last.resolved).toEqual([]);
    // Retention (maxRuns 2) evicts nothing the next diff needs: run 1 stays.
    expect(await historyIds(history)).toContain(r1.run.id);
  });

  it('run 4, the Namespace back unchanged: persisting, nothing new, no regression', async () => {
    const history = join(dir, 'h.db');
    const { team } = await runsOneToThree(history);
    const r4 = await run(history, TEAM, web(true));
    expect(onTeamNamespace(r4)).toEqual(team);
    expect(r4.diff?.new).toEqual([]);
    expect(r4.diff?.resolved).toEqual([]);
    expect(r4.diff?.notJudged).toBeUndefined();
    expect(r4.diff?.regression).toBe(false);
    expect(r4.diff?.regressionReasons).toEqual([]);
    // The previous score left team out, this one counts it: no delta rather than a false drop.
    expect(r4.diff?.scoreDelta.areas['pod-security']).toBeNull();
  });

  it("run 4', the Namespace back with the problem fixed (and the workload made to pass it): resolved", async () => {
    const history = join(dir, 'h.db');
    const { team } = await runsOneToThree(history);
    const fixed = await run(history, TEAM_FIXED, web(false));
    expect(onTeamNamespace(fixed)).toEqual([]);
    for (const fp of team) expect(fixed.diff?.resolved).toContain(fp);
    expect(fixed.diff?.new).toEqual([]);
    expect(fixed.diff?.notJudged).toBeUndefined();
  });

  it("run 4'', the Namespace back with a new problem: only that is new", async () => {
    const history = join(dir, 'h.db');
    const { team } = await runsOneToThree(history);
    const warned = await run(history, TEAM_WARN, web(true));
    const weaker = warned.findings.filter((f) => f.check === 'pod-security.enforce-weaker-than-warn-audit');
    expect(weaker.map((f) => `${f.resource.kind} ${f.resource.name}`)).toEqual(['Namespace team']);
    expect(warned.diff?.new).toEqual(weaker.map((f) => f.fingerprint));
    expect(warned.diff?.resolved).toEqual([]);
    expect(onTeamNamespace(warned)).toEqual(team);
  });

  it('retention keeps the run that last judged the namespace through more runs without it than maxRuns', async () => {
    const history = join(dir, 'h.db');
    const r1 = await run(history, TEAM, web(true));
    const team = onTeamNamespace(r1);
    let partial = r1;
    for (let i = 0; i < 4; i++) partial = await run(history, web(true));
    const ids = await historyIds(history);
    expect(ids).toContain(r1.run.id);
    expect(ids).toHaveLength(3);
    expect(partial.diff?.notJudgedRuns).toEqual(Object.fromEntries(team.map((fp) => [fp, r1.run.id])));
    const back = await run(history, TEAM, web(true));
    expect(back.diff?.new).toEqual([]);
    expect(back.diff?.regression).toBe(false);
  });

  // The walk passes over, by their stored summaries, the runs that could not judge the namespace
  // either (serve --watch may store thousands), and must not pass over the one that did.
  it('diff --last reads the run that last judged the namespace and passes over, unread, those that could not', async () => {
    maxRuns = 10;
    const history = join(dir, 'h.db');
    const r1 = await run(history, TEAM, web(true));
    const r2 = await run(history, web(true));
    const r3 = await run(history, web(true));
    const r4 = await run(history, web(true));
    const store = await openRunStore(history);
    const read: string[] = [];
    try {
      const counting = { describe: () => store.describe(), latest: (c?: string) => store.latest(c),
        async *runsNewestFirst(cluster?: string, how?: StoredRunRead) { for await (const r of store.runsNewestFirst(cluster, how)) { read.push(r.run.id); yield r; } } };
      const { current, previous, namespaceRuns, close } = await lastAndBaseline(counting);
      try {
        expect(current.run.id).toBe(r4.run.id);
        expect(sorted(previous.findings.filter((f) => f.resource.namespace === undefined && f.resource.name === 'team' && NS_CHECKS.includes(f.check)).map((f) => f.fingerprint))).toEqual(onTeamNamespace(r1));
        expect(namespaceRuns.get('pod-security.enforce-missing')?.get('team')).toBe(r1.run.id);
      } finally {
        close();
      }
    } finally {
      await store.close();
    }
    expect(read).not.toContain(r2.run.id);
    expect(read).toEqual([r4.run.id, r3.run.id, r1.run.id]);
  });
});
