// Watch runs through the real pipeline and a real SQLite store, with a stand-in for the watch
// (the cluster tier drives the real one against kube-apiserver): a watch run re-evaluates only
// the checks whose declared inputs changed and its report equals a full audit of the same
// objects; a regression is stored, marked as a watch run and alerted with the change that
// caused it; a change that moves no finding is neither stored nor alerted; a kind whose
// watch fails makes its checks not evaluated, whose findings are then neither resolved nor
// (when the kind is back) new.
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { runDetails, runNotes } from '../../../src/analysis/details.ts';
import { affectedChecks, affectedSections, inputsOf, likelyCauses, ServeWatch } from '../../../src/cli/serve-watch.ts';
import { FakeWatch } from './fake-watch.ts';
import { describeChange, type WatchChange } from '../../../src/collect/watch.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { validateConfig } from '../../../src/config/validate.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { openRunStore, type RunStore } from '../../../src/history/store.ts';
import { runPipeline, type PipelineEdges } from '../../../src/pipeline/pipeline.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { isSpooled } from '../../../src/run/spooled-finding.ts';
import { renderMetrics, emptyMetricsState } from '../../../src/schedule/metrics.ts';
import { formatRunTable } from '../../../src/cli/history.ts';
import type { KindKey } from '../../../src/snapshot/kinds.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import type { Logger } from '../../../src/base/log.ts';
import { HistoryError } from '../../../src/base/errors.ts';
import { buildSlackMessage } from '../../../src/notify/slack.ts';
import { buildEmail } from '../../../src/notify/email.ts';
import { renderMarkdown } from '../../../src/report/markdown.ts';
import { renderReports } from '../../../src/report/render.ts';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { diffStep } from '../pipeline/diff-step.ts';

const ajv = new Ajv2020({ allErrors: true, strict: true });
(addFormatsModule as unknown as (a: Ajv2020) => Ajv2020)(ajv);
const schemaCheck = ajv.compile(JSON.parse(readFileSync(new URL('../../../schemas/report.schema.json', import.meta.url), 'utf8')));
const validateReport = (r: unknown) => (schemaCheck(r) ? [] : schemaCheck.errors);

const log: Logger = { info() {}, warn() {}, error() {}, debug() {}, progress() {} } as unknown as Logger;

const pod = (name: string, ns: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'registry.example/app:1' }] } });

function cluster(): KubeObject[] {
  const out: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'blog' } },
    pod('web', 'shop'), pod('db', 'shop'), pod('www', 'blog'),
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ops', namespace: 'shop' } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'ops-admin' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'ops', namespace: 'shop' }],
    },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cluster-admin' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
  ];
  return out;
}

describe('serve --watch runs (pipeline + SQLite store)', () => {
  let dir: string;
  let store: RunStore;
  let fake: FakeWatch;
  let sw: ServeWatch;
  const sent: RunReport[] = [];
  const config = defaultConfig();

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'serve-watch-'));
    store = await openRunStore(join(dir, 'h.db'));
    fake = new FakeWatch(cluster());
    sw = new ServeWatch({ config, checks: CHECKS, log, configMapRefs: () => [], watcher: () => fake });
    sent.length = 0;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (reason: string, now = () => new Date()) => {
    const base: PipelineEdges = {
      collect: () => sw.collectFull(), store,
      diff: diffStep(config.regression),
      render: async () => [], log, now,
      // Records what reaches the channel (the real notifiers then apply notify.policy).
      notifiers: [{ name: 'slack', send: async (r) => { if (r.run.trigger === 'watch') sent.push(r); return { channel: 'slack', status: 'sent' }; } }],
    };
    return (await runPipeline(config, CHECKS, sw.edges(base, reason))).report;
  };
  const stored = async () => (await store.list(100)).length;

  it('re-evaluates only the checks whose inputs changed, and its report equals a full audit of the same objects', async () => {
    await run('start-up');
    fake.remove('NetworkPolicy', 'shop', 'default-deny');
    const report = await run('watch');
    const reevaluated = new Set(report.run.watch!.reevaluated);
    expect(reevaluated.has('network.namespace-default-deny-ingress')).toBe(true);
    expect(reevaluated.has('rbac.cluster-admin-binding')).toBe(false);
    for (const c of CHECKS) expect(reevaluated.has(c.id), c.id).toBe(inputsOf(c).has('networkpolicies') || c.timeDependent === true);
    // The carried-over outcomes are what a full audit of the same objects finds.
    const snapshot = fake.snapshot();
    const full = auditSnapshot({ snapshot, config, checks: CHECKS, now: new Date(), startedAt: new Date(), runId: 'x', details: runDetails, notes: runNotes }).report;
    expect(report.findings.map((f) => f.fingerprint).sort()).toEqual(full.findings.map((f) => f.fingerprint).sort());
    expect(report.checks.map((c) => [c.id, c.status, c.passed, c.failed])).toEqual(full.checks.map((c) => [c.id, c.status, c.passed, c.failed]));
    expect(report.score).toEqual(full.score);
    // The report sections too: the RBAC breadth carried over, the network sections recomputed.
    expect(report.details).toEqual(full.details);
  });

  it('a policy engine uninstalled: the Pod Security namespace checks are re-evaluated, as a full audit judges them', async () => {
    // enforce-missing needs only namespaces, but a running Kyverno lowers its findings to
    // medium: deleting Kyverno's Deployment must bring them back to high in the watch run.
    fake.objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kyverno' } }, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'kyverno-admission-controller', namespace: 'kyverno' },
      spec: { selector: { matchLabels: { app: 'k' } }, template: { metadata: { labels: { app: 'k' } }, spec: { containers: [{ name: 'k', image: 'ghcr.io/kyverno/kyverno:v1.12.0' }] } } },
    });
    const before = await run('start-up');
    const severities = (r: RunReport) => r.findings.filter((f) => f.check === 'pod-security.enforce-missing').map((f) => `${f.resource.name} ${f.severity}`).sort();
    expect(severities(before)).toContain('shop medium');
    fake.remove('Deployment', 'kyverno', 'kyverno-admission-controller');
    const report = await run('watch');
    expect(report.run.watch!.reevaluated).toContain('pod-security.enforce-missing');
    const full = auditSnapshot({ snapshot: fake.snapshot(), config, checks: CHECKS, now: new Date(), startedAt: new Date(), runId: 'x', details: runDetails, notes: runNotes }).report;
    expect(severities(report)).toContain('shop high');
    expect(severities(report)).toEqual(severities(full));
    expect(report.score).toEqual(full.score);
  });

  it('two weeks on, a watch run judges certificate expiry (and waivers) against its own time, as a full audit does', async () => {
    const DAY = 86_400_000;
    const t0 = Date.parse('2026-11-01T00:00:00Z');
    fake.objects.push({
      apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'edge', namespace: 'shop' },
      spec: { secretName: 'edge-tls', dnsNames: ['shop.example.com'] },
      status: { notAfter: new Date(t0 + 40 * DAY).toISOString(), conditions: [{ type: 'Ready', status: 'True' }] },
    });
    // The cluster-admin finding is waived until day 10.
    config.waivers = [{ check: 'rbac.cluster-admin-binding', resource: { kind: 'ServiceAccount', namespace: 'shop', name: 'ops' }, reason: 'migration', owner: 'ops@example.com', expires: new Date(t0 + 10 * DAY).toISOString().slice(0, 10) }];
    try {
      const before = await run('start-up', () => new Date(t0));
      expect(before.findings.filter((f) => f.check === 'tls.certificate-expiring')).toEqual([]);
      expect(before.findings.filter((f) => f.check === 'rbac.cluster-admin-binding').map((f) => f.waived)).toEqual([true]);
      // Day 15: a change no certificate check reads.
      const later = new Date(t0 + 15 * DAY);
      fake.add({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: 'shop' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
      const report = await run('watch', () => later);
      const full = auditSnapshot({ snapshot: fake.snapshot(), config, checks: CHECKS, now: later, startedAt: later, runId: 'x', details: runDetails, notes: runNotes }).report;
      const expiring = (r: RunReport) => r.findings.filter((f) => f.check === 'tls.certificate-expiring').map((f) => `${f.resource.name} ${f.severity}: ${f.message}`);
      expect(expiring(report)).toEqual([expect.stringContaining('expires in 25 day(s)')]);
      expect(expiring(report)).toEqual(expiring(full));
      expect(report.run.watch!.reevaluated).toContain('tls.certificate-expiring');
      expect(report.findings.filter((f) => f.check === 'rbac.cluster-admin-binding').map((f) => f.waived)).toEqual([false]);
      expect(report.findings.map((f) => [f.fingerprint, f.severity, f.waived]).sort()).toEqual(full.findings.map((f) => [f.fingerprint, f.severity, f.waived]).sort());
      expect(report.score).toEqual(full.score);
    } finally {
      config.waivers = [];
    }
  });

  it('a role binding change: the RBAC breadth section is recomputed and equals a full audit', async () => {
    await run('start-up');
    fake.remove('ClusterRoleBinding', undefined, 'ops-admin');
    const report = await run('watch');
    const full = auditSnapshot({ snapshot: fake.snapshot(), config, checks: CHECKS, now: new Date(), startedAt: new Date(), runId: 'x', details: runDetails, notes: runNotes }).report;
    expect(report.details).toEqual(full.details);
    expect(report.details.rbac?.breadth.some((b) => b.subject.name === 'ops')).toBe(false);
  });

  it('alerts before it stores: the HTML report is written first, the stored run records the alert', async () => {
    await run('start-up');
    fake.remove('NetworkPolicy', 'shop', 'default-deny');
    const rendered: Array<readonly string[] | undefined> = [];
    let storedWhenAlerted = -1;
    const base: PipelineEdges = {
      collect: () => sw.collectFull(), store,
      diff: diffStep(config.regression),
      render: async (_r, extras) => { rendered.push(extras.formats); return []; }, log, now: () => new Date(),
      notifiers: [{ name: 'slack', send: async () => { storedWhenAlerted = await stored(); return { channel: 'slack', status: 'sent' }; } }],
    };
    const report = (await runPipeline(config, CHECKS, sw.edges(base, 'watch'))).report;
    expect(report.diff?.regression).toBe(true);
    expect(storedWhenAlerted).toBe(1); // the start-up run only
    expect(rendered).toEqual([['html'], undefined]); // the attached HTML, then every format
    expect(await stored()).toBe(2);
    expect((await store.get(report.run.id))!.notifications).toEqual([{ channel: 'slack', status: 'sent' }]);
  });

  it('diffs against the newest stored run even when another process stored it', async () => {
    const first = await run('start-up');
    // Another daemon on the same store (a scheduled run elsewhere) stores a run without the default-deny.
    const other = new FakeWatch(cluster().filter((o) => !(o.kind === 'NetworkPolicy')));
    const sw2 = new ServeWatch({ config, checks: CHECKS, log, configMapRefs: () => [], watcher: () => other });
    const base: PipelineEdges = {
      collect: () => sw2.collectFull(), store, diff: diffStep(config.regression),
      render: async () => [], log, now: () => new Date(), notifiers: [],
    };
    const elsewhere = (await runPipeline(config, CHECKS, sw2.edges(base, 'start-up'))).report;
    expect(elsewhere.diff?.regression).toBe(true);
    fake.remove('NetworkPolicy', 'shop', 'default-deny');
    const report = await run('watch');
    // Compared with that run, not with this daemon's own last one: nothing new, no second alert.
    expect(report.diff?.previousRunId).toBe(elsewhere.run.id);
    expect(report.diff?.previousRunId).not.toBe(first.run.id);
    expect(report.diff?.regression).toBe(false);
    expect(sent).toHaveLength(0);
  });

  it('on a store another cluster writes to too (one database for a fleet), the next watch run is diffed against this daemon\'s last run held in memory, decoding no run from the store', async () => {
    // Every run the store decodes for a diff's baseline walk.
    const decoded: string[] = [];
    const counted = new Proxy(store, {
      get(target, key) {
        if (key === 'runsNewestFirst') {
          return async function* (c?: string, read?: Parameters<RunStore['runsNewestFirst']>[1]) {
            for await (const r of target.runsNewestFirst(c, read)) { decoded.push(r.run.id); yield r; }
          };
        }
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const runOn = async (daemon: ServeWatch, reason: string) => (await runPipeline(config, CHECKS, daemon.edges({
      collect: () => daemon.collectFull(), store: counted, diff: diffStep(config.regression),
      render: async () => [], log, now: () => new Date(), notifiers: [],
    }, reason))).report;
    const first = await runOn(sw, 'start-up');
    // A daemon of another cluster stores into the same store.
    const elsewhere = new ServeWatch({ config, checks: CHECKS, log, configMapRefs: () => [], clusterName: 'prod-b', watcher: () => new FakeWatch(cluster()) });
    const other = await runOn(elsewhere, 'start-up');
    expect(other.run.cluster.name).not.toBe(first.run.cluster.name);
    decoded.length = 0;
    fake.remove('NetworkPolicy', 'shop', 'default-deny');
    const report = await runOn(sw, 'watch');
    expect(report.diff?.previousRunId).toBe(first.run.id);
    expect(report.diff?.regression).toBe(true);
    expect(decoded).toEqual([]);
    // A run of this cluster stored by another process is read from the store, as before.
    const sameCluster = new ServeWatch({ config, checks: CHECKS, log, configMapRefs: () => [], watcher: () => new FakeWatch(cluster()) });
    const again = await runOn(sameCluster, 'start-up');
    await runOn(elsewhere, 'start-up');
    decoded.length = 0;
    fake.add({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: 'shop' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
    const next = await runOn(sw, 'watch');
    expect(next.diff?.previousRunId).toBe(again.run.id);
    expect(decoded).toEqual([again.run.id]);
  });

  it('the newest stored run\'s summary damaged by hand (SQLite runs.summary not JSON): the next watch run is still stored, diffed against that run (its report reads)', async () => {
    const first = await run('start-up');
    const db = new DatabaseSync(join(dir, 'h.db'));
    db.prepare('UPDATE runs SET summary = ? WHERE id = ?').run('garbage', first.run.id);
    db.close();
    fake.remove('NetworkPolicy', 'shop', 'default-deny');
    const report = await run('watch');
    expect(report.diff?.previousRunId).toBe(first.run.id);
    expect(report.diff?.regression).toBe(true);
    expect((await store.list(100, () => {})).map((r) => r.id)).toEqual([report.run.id]);
  });

  it('stores and alerts a regression at once, marked as a watch run, naming the change that caused it', async () => {
    await run('start-up');
    fake.remove('NetworkPolicy', 'shop', 'default-deny');
    for (let i = 0; i < 5; i++) fake.add(pod(`churn-${i}`, 'blog')); // steady pod churn in the same window
    const report = await run('watch');
    expect(report.diff?.regression).toBe(true);
    expect(report.run.trigger).toBe('watch');
    expect(report.run.watch?.changeCount).toBe(6);
    expect(report.run.watch?.causes?.[0]).toBe('NetworkPolicy shop/default-deny deleted');
    expect(await stored()).toBe(2);
    const [latest] = await store.list(1);
    expect(latest!.trigger).toBe('watch');
    expect(formatRunTable(await store.list(2)).split('\n')[1]).toMatch(/REGRESSION \(watch\)$/);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.run.watch?.causes).toContain('NetworkPolicy shop/default-deny deleted');
    // Put back: resolved (stored, not alerted); deleted again: a regression again, stored, but
    // held back as a repeat within watch.realertAfterHours (flapping).
    fake.add({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
    const fixed = await run('watch');
    const dd = report.findings.find((f) => f.check === 'network.namespace-default-deny-ingress' && f.resource.name === 'shop')!;
    expect(fixed.diff?.resolved).toEqual([dd.fingerprint]);
    expect(fixed.diff?.regression).toBe(false);
    expect(await stored()).toBe(3);
    fake.remove('NetworkPolicy', 'shop', 'default-deny');
    const again = await run('watch');
    expect(again.diff?.regression).toBe(true);
    expect(await stored()).toBe(4);
    expect(again.notifications).toEqual([expect.objectContaining({ status: 'skipped', detail: expect.stringMatching(/^held back: /) })]);
    expect(sent).toHaveLength(1);
  });

  it('says it is a watch run and names the cause in every output (Slack, email, Markdown, HTML, report.json schema)', async () => {
    await run('start-up');
    fake.remove('NetworkPolicy', 'shop', 'default-deny');
    const report = await run('watch');
    const slack = buildSlackMessage(report);
    expect(slack.text).toContain('caused by NetworkPolicy shop/default-deny deleted');
    expect(JSON.stringify(slack.blocks)).toContain('Caused by* (watch run,');
    expect(buildEmail(report, false).text).toContain('- caused by (watch): NetworkPolicy shop/default-deny deleted');
    expect(renderMarkdown(report)).toContain('> **likely cause:** NetworkPolicy shop/default-deny deleted');
    const files = await renderReports(report, { formats: ['html', 'json'], outDir: join(dir, 'out'), trend: [], previous: null, chromium: null });
    const html = readFileSync(files.find((f) => f.endsWith('.html'))!, 'utf8');
    expect(html).toContain('<strong>Watch run</strong>');
    expect(html).toContain('<li>NetworkPolicy shop/default-deny deleted</li>');
    const json = JSON.parse(readFileSync(files.find((f) => f.endsWith('.json'))!, 'utf8'));
    expect(validateReport(json)).toEqual([]);
    expect(json.run.trigger).toBe('watch');
  });

  it('a flapping default-deny (deleted and re-created 5 times) alerts once; after watch.realertAfterHours the alert says how many were held back', async () => {
    let clock = Date.parse('2026-11-01T00:00:00Z');
    const now = () => new Date(clock);
    const policy = structuredClone(fake.objects.find((o) => o.kind === 'NetworkPolicy')!);
    const flap = async () => {
      clock += 60_000;
      fake.remove('NetworkPolicy', 'shop', 'default-deny');
      const regressed = await run('watch', now);
      clock += 60_000;
      fake.add(structuredClone(policy));
      expect((await run('watch', now)).diff?.resolved).toHaveLength(regressed.diff!.new.length);
      return regressed;
    };
    await run('start-up', now);
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await flap());
    expect(runs.map((r) => r.diff?.regression)).toEqual([true, true, true, true, true]);
    expect(runs.map((r) => r.notifications.map((n) => n.status))).toEqual([['sent'], ['skipped'], ['skipped'], ['skipped'], ['skipped']]);
    expect(sent).toHaveLength(1);
    const secondAt = runs[1].run.startedAt;
    expect(runs[4].notifications[0].detail).toBe(`held back: every new finding was alerted less than watch.realertAfterHours (4 h) ago; 4 repeat(s) held back since ${secondAt}`);
    // Held back, still stored: the history shows every regression.
    expect((await store.list(100)).map((r) => r.id)).toEqual(expect.arrayContaining(runs.map((r) => r.run.id)));
    // Four hours after the last alert it flaps again: alerted, saying what was held back.
    clock = Date.parse(runs[0].run.startedAt) + 4 * 3_600_000;
    const again = await flap();
    expect(again.notifications.map((n) => n.status)).toEqual(['sent']);
    expect(again.run.watch?.heldBack).toEqual({ repeats: 4, since: secondAt });
    const message = buildSlackMessage(again);
    expect(JSON.stringify(message.blocks)).toContain(`flapping: 4 repeat alerts of these findings held back since ${secondAt} (watch.realertAfterHours)`);
    expect(buildEmail(again, false).text).toContain(`flapping: 4 repeat alerts of these findings held back since ${secondAt}`);
    expect(validateReport(JSON.parse(JSON.stringify(again)))).toEqual([]);
    // And the count starts again.
    expect((await flap()).notifications.map((n) => n.status)).toEqual(['skipped']);
  });

  it('watch.realertAfterHours 0 alerts every flap', async () => {
    const local = { ...config, watch: { ...config.watch, realertAfterHours: 0 } };
    sw = new ServeWatch({ config: local, checks: CHECKS, log, configMapRefs: () => [], watcher: () => fake });
    const policy = structuredClone(fake.objects.find((o) => o.kind === 'NetworkPolicy')!);
    await run('start-up');
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      fake.remove('NetworkPolicy', 'shop', 'default-deny');
      statuses.push((await run('watch')).notifications.map((n) => n.status));
      fake.add(structuredClone(policy));
      await run('watch');
    }
    expect(statuses).toEqual([['sent'], ['sent'], ['sent']]);
  });

  it('neither stores nor alerts a watch run whose findings did not change', async () => {
    await run('start-up');
    fake.touch('Pod', 'web');
    const report = await run('watch');
    expect(report.diff?.new).toEqual([]);
    expect(report.diff?.resolved).toEqual([]);
    expect(await stored()).toBe(1);
    expect(sent).toHaveLength(0);
  });

  it('watch run after watch run, regressions and full runs among them, leave no spool file or descriptor behind', async () => {
    // A watch daemon keeps the checks' results (their text is in memory anyway), so its audits
    // write no spool; one that did would have to give each back once its report is dropped.
    const spoolDir = mkdtempSync(join(dir, 'tmp-'));
    const openSpools = () => readdirSync('/proc/self/fd').filter((fd) => {
      try { return readlinkSync(`/proc/self/fd/${fd}`).startsWith(`${spoolDir}/ztaudit-spool-`); } catch { return false; }
    });
    const before = process.env.TMPDIR;
    process.env.TMPDIR = spoolDir;
    try {
      await run('start-up');
      for (let i = 1; i <= 100; i++) {
        if (i % 40 === 15) fake.remove('NetworkPolicy', 'shop', 'default-deny');
        else if (i % 40 === 16) fake.add({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
        else fake.touch('Pod', 'web');
        const report = await run(i % 50 === 0 ? 'schedule' : 'watch');
        expect(report.findings.some(isSpooled)).toBe(false);
        if (i % 20 === 0) expect(openSpools()).toEqual([]);
      }
      // The first of the three deletions; the others repeat it within watch.realertAfterHours.
      expect(sent).toHaveLength(1);
      expect(openSpools()).toEqual([]);
      expect(readdirSync(spoolDir)).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = before;
    }
  }, 60_000);

  it('a kind whose watch fails: its checks are not evaluated, their findings neither resolved nor, once back, new', async () => {
    const first = await run('start-up');
    const admin = first.findings.find((f) => f.check === 'rbac.cluster-admin-binding')!;
    expect(admin).toBeDefined();
    // The ClusterRoleBinding watch is refused and, in the same window, a real regression happens
    // (so the watch run is stored: the hard case for the next comparison).
    fake.fail('clusterrolebindings', { status: 'forbidden', detail: 'watch clusterrolebindings.rbac.authorization.k8s.io at cluster scope' });
    fake.remove('NetworkPolicy', 'shop', 'default-deny');
    const blind = await run('watch');
    expect(blind.checks.find((c) => c.id === 'rbac.cluster-admin-binding')?.status).toBe('not-evaluated');
    expect(blind.diff?.resolved).not.toContain(admin.fingerprint);
    expect(blind.diff?.notComparable).toContain('rbac.cluster-admin-binding');
    expect(await stored()).toBe(2);
    // Watching again: the binding is compared with the last run that evaluated it, so it is
    // neither new nor a regression; a binding created while the watch was blind would be.
    fake.fail('clusterrolebindings', undefined);
    fake.add({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'sneaky' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'User', name: 'mallory' }],
    });
    const back = await run('watch');
    expect(back.checks.find((c) => c.id === 'rbac.cluster-admin-binding')?.status).toBe('fail');
    expect(back.diff?.new).not.toContain(admin.fingerprint);
    expect(back.diff?.olderBaselines?.['rbac.cluster-admin-binding']).toBe(first.run.id);
    const sneaky = back.findings.find((f) => f.check === 'rbac.cluster-admin-binding' && JSON.stringify(f.resource).includes('mallory'));
    expect(sneaky).toBeDefined();
    expect(back.diff?.new).toContain(sneaky!.fingerprint);
    expect(back.diff?.regression).toBe(true);
    expect(back.run.watch?.causes).toContain('ClusterRoleBinding sneaky created');
  });

  it('a regression that is only a coverage loss names the lost kind as its cause, not the pod churn of the same window', async () => {
    await run('start-up');
    fake.touch('Pod', 'web');
    fake.touch('Pod', 'db');
    fake.fail('networkpolicies', { status: 'error', detail: 'watch networkpolicies.networking.k8s.io failed: the server ended the watch at once with no events' });
    const report = await run('watch');
    expect(report.diff?.new).toEqual([]);
    expect(report.diff?.regressionReasons?.some((r) => r.startsWith('coverage lost'))).toBe(true);
    expect(report.run.watch?.causes).toEqual(['networkpolicies: coverage error (watch networkpolicies.networking.k8s.io failed: the server ended the watch at once with no events)']);
    expect(sent.map((r) => r.run.watch?.causes)).toEqual([report.run.watch?.causes]);
  });

  it('a default-deny deleted while networkpolicies was forbidden: the first watch run that reads them again alerts the network score drop and names the deletion', async () => {
    // docs/deploy.md: the change waits for the first watch run that can judge the kind, which
    // names it among the likely causes. network.cni-not-enforcing reads networkpolicies
    // best-effort, so the blind run judged it degraded: its baseline is the start-up run, which
    // reached the diff only if the watch run hands the pipeline's full-input baseline on.
    const edges = (reason: string) => sw.edges({
      collect: () => sw.collectFull(), store, render: async () => [], log, now: () => new Date(),
      // Every baseline argument handed on, as the CLI's wiring does.
      diff: diffStep(config.regression),
      notifiers: [{ name: 'slack', send: async (r) => { if (r.run.trigger === 'watch') sent.push(r); return { channel: 'slack', status: 'sent' }; } }],
    }, reason);
    const first = (await runPipeline(config, CHECKS, edges('start-up'))).report;
    fake.fail('networkpolicies', { status: 'forbidden', detail: 'list networkpolicies.networking.k8s.io at cluster scope' });
    const lost = (await runPipeline(config, CHECKS, edges('watch'))).report;
    expect(lost.checks.find((c) => c.id === 'network.cni-not-enforcing')?.degraded).toEqual(['networkpolicies']);
    expect(lost.diff?.regressionReasons?.some((r) => r.startsWith('coverage lost'))).toBe(true);
    fake.remove('NetworkPolicy', 'shop', 'default-deny');
    fake.fail('networkpolicies', undefined);
    sent.length = 0;
    const back = (await runPipeline(config, CHECKS, edges('watch'))).report;
    expect(back.diff?.fullInputBaselines).toEqual({ 'network.cni-not-enforcing': first.run.id });
    expect(back.diff?.regression).toBe(true);
    expect(back.diff?.regressionReasons?.some((r) => r.startsWith('network score dropped'))).toBe(true);
    expect(back.run.watch?.causes).toContain('NetworkPolicy shop/default-deny deleted');
    expect(sent.map((r) => r.run.id)).toEqual([back.run.id]);
  });

  it('a watch run that fails gives its changes back: the next one, after the debounce and with no other change, alerts and names them', async () => {
    const quick = { ...config, watch: { ...config.watch, debounceSeconds: 0.1 } };
    let poke = () => {};
    sw = new ServeWatch({ config: quick, checks: CHECKS, log, configMapRefs: () => [], watcher: (onChange) => { poke = onChange; return fake; } });
    let failNext = false;
    const outcomes: string[] = [];
    let running = false;
    const tick = async (reason = 'scheduled') => {
      running = true;
      const base: PipelineEdges = {
        collect: () => sw.collectFull(), store, log, now: () => new Date(),
        diff: diffStep(quick.regression),
        // The first watch run's report cannot be written (a full disk): the run fails before it alerts.
        render: async () => { if (failNext) { failNext = false; throw new Error('ENOSPC: no space left on device'); } return []; },
        notifiers: [{ name: 'slack', send: async (r) => { if (r.run.trigger === 'watch') sent.push(r); return { channel: 'slack', status: 'sent' }; } }],
      };
      try {
        await runPipeline(quick, CHECKS, sw.edges(base, reason));
        outcomes.push(`${reason} ran`);
        return 'ran' as const;
      } catch {
        outcomes.push(`${reason} failed`);
        return 'failed' as const;
      } finally {
        running = false;
      }
    };
    await tick('start-up');
    sw.attach({ tick, idle: async () => {}, state: () => ({ running }) });
    failNext = true;
    fake.remove('NetworkPolicy', 'shop', 'default-deny');
    poke();
    const until = Date.now() + 3_000;
    while (outcomes.length < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await sw.stop();
    expect(outcomes).toEqual(['start-up ran', 'watch failed', 'watch ran']);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.diff?.regression).toBe(true);
    expect(sent[0]!.run.watch?.causes).toContain('NetworkPolicy shop/default-deny deleted');
    expect(sent[0]!.run.watch?.changes).toEqual(['NetworkPolicy shop/default-deny deleted']);
  });

  /**
   * Watch runs that each take the changes and then fail (the history store stays locked), after
   * a deleted default-deny, with a 0.1 s debounce: how many run in 1.6 s. `duringRun` happens
   * inside each failing run.
   */
  const failingWatchRuns = async (duringRun: (poke: () => void) => Promise<void> = async () => {}) => {
    const quick = { ...config, watch: { ...config.watch, debounceSeconds: 0.1 } };
    let poke = () => {};
    sw = new ServeWatch({ config: quick, checks: CHECKS, log, configMapRefs: () => [], watcher: (onChange) => { poke = onChange; return fake; } });
    let watchRuns = 0;
    const tick = async (reason = 'scheduled') => {
      if (reason === 'watch') {
        watchRuns++;
        await sw.edges({ collect: () => sw.collectFull(), notifiers: [] } as unknown as PipelineEdges, reason).collect();
        await duringRun(poke);
        return 'failed' as const;
      }
      await sw.collectFull();
      return 'ran' as const;
    };
    await tick('start-up');
    sw.attach({ tick, idle: async () => {}, state: () => ({ running: false }) });
    fake.remove('NetworkPolicy', 'shop', 'default-deny');
    poke();
    await new Promise((r) => setTimeout(r, 1_600));
    await sw.stop();
    return watchRuns;
  };

  it('watch runs that keep failing are retried with backoff, not every debounce', async () => {
    // Retried after 0.1, 0.2, 0.4, 0.8 s: four runs by 1.6 s (every debounce would be sixteen).
    const watchRuns = await failingWatchRuns();
    expect(watchRuns).toBeGreaterThanOrEqual(3);
    expect(watchRuns).toBeLessThanOrEqual(5);
    expect(fake.hasChanges()).toBe(true);
  });

  it('watch runs that keep failing back off even when a pod changes during each failing run', async () => {
    // A busy cluster: a pod update arrives while each run is in progress, then the run fails.
    // Retried after 0.1, 0.2, 0.4, 0.8 s: four runs by 1.6 s (every debounce would be about fourteen).
    const watchRuns = await failingWatchRuns(async (poke) => {
      fake.touch('Pod', 'web');
      poke();
      await new Promise((r) => setTimeout(r, 10));
    });
    expect(watchRuns).toBeGreaterThanOrEqual(3);
    expect(watchRuns).toBeLessThanOrEqual(5);
  });

  it('an alert sent by a watch run whose save then fails (history store locked) is not sent again by the retries', async () => {
    const quick = { ...config, watch: { ...config.watch, debounceSeconds: 0.1 } };
    let poke = () => {};
    sw = new ServeWatch({ config: quick, checks: CHECKS, log, configMapRefs: () => [], watcher: (onChange) => { poke = onChange; return fake; } });
    let locked = false;
    const save = store.save.bind(store);
    store.save = async (...a: Parameters<RunStore['save']>) => { if (locked) throw new HistoryError('database is locked'); return save(...a); };
    const outcomes: string[] = [];
    let running = false;
    const tick = async (reason = 'scheduled') => {
      running = true;
      try {
        await runPipeline(quick, CHECKS, sw.edges({
          collect: () => sw.collectFull(), store, log, now: () => new Date(),
          diff: diffStep(quick.regression),
          render: async () => [],
          notifiers: [{ name: 'slack', send: async (r) => { if (r.run.trigger === 'watch') sent.push(r); return { channel: 'slack', status: 'sent' }; } }],
        }, reason));
        outcomes.push(`${reason} ran`);
        return 'ran' as const;
      } catch {
        outcomes.push(`${reason} failed`);
        return 'failed' as const;
      } finally {
        running = false;
      }
    };
    await tick('start-up');
    sw.attach({ tick, idle: async () => {}, state: () => ({ running }) });
    locked = true;
    fake.fail('networkpolicies', { status: 'error', detail: 'watch networkpolicies failed: connection refused' });
    poke();
    // Retries (0.1, 0.2, 0.4, 0.8 s) would each alert the same coverage loss again.
    await new Promise((r) => setTimeout(r, 1_600));
    await sw.stop();
    expect(outcomes).toEqual(['start-up ran', 'watch failed']);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.diff?.regression).toBe(true);
  });

  it('a Gateway-only or RBAC-only change: the run notes are recomputed and equal a full audit\'s', async () => {
    await run('start-up');
    const fullNotes = () => auditSnapshot({ snapshot: fake.snapshot(), config, checks: CHECKS, now: new Date(), startedAt: new Date(), runId: 'x', details: runDetails, notes: runNotes }).report.run.notes;
    fake.add({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web', namespace: 'shop' }, spec: { hostnames: ['shop.example.com'], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] } });
    const route = await run('watch');
    expect(route.run.notes).toContain('HTTPRoute shop/web: no parentRefs; the route is attached to no Gateway');
    expect(route.run.notes).toEqual(fullNotes());
    fake.add({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cluster-admin' }, rules: [] });
    const rbac = await run('watch');
    expect(rbac.run.watch?.changes).toEqual(['ClusterRole cluster-admin created']);
    expect(rbac.run.notes).toContain('duplicate ClusterRole cluster-admin: the last one is used, as the manifests reader keeps it');
    expect(rbac.run.notes).toEqual(fullNotes());
  });

  it('a scheduled full run evaluates every check and is not marked as a watch run', async () => {
    await run('start-up');
    fake.remove('NetworkPolicy', 'shop', 'default-deny');
    const report = await run('scheduled');
    expect(report.run.trigger).toBeUndefined();
    expect(report.run.watch).toBeUndefined();
    expect(fake.hasChanges()).toBe(false); // the full run covered the pending changes
  });
});

describe('watch helpers', () => {
  it('derives the inputs from needs and reads: pods bring the pod view, mesh-gated checks the mesh kinds', () => {
    const byId = new Map(CHECKS.map((c) => [c.id, c]));
    const dd = inputsOf(byId.get('network.namespace-default-deny-ingress')!);
    for (const k of ['namespaces', 'pods', 'networkpolicies', 'deployments', 'replicasets', 'cronjobs', 'calico.networkpolicies']) expect(dd.has(k as KindKey), k).toBe(true);
    expect(dd.has('clusterrolebindings')).toBe(false);
    const mesh = CHECKS.find((c) => c.appliesTo && c.area === 'mtls')!;
    expect(inputsOf(mesh).has('istio.peerauthentications')).toBe(true);
    // An Istio revision tag moved to another revision (its webhook) changes the mesh config the
    // checks that read the mesh model judge by: they are re-evaluated, not only the mtls ones.
    const tagMoved = affectedChecks(CHECKS, new Set(['mutatingwebhookconfigurations'] as KindKey[]));
    for (const id of ['mtls.auto-mtls-disabled', 'network.intent-violation', 'network.exposed-workload']) expect(tagMoved.has(id), id).toBe(true);
    expect(affectedChecks(CHECKS, new Set(['clusterrolebindings'] as KindKey[])).has('rbac.cluster-admin-binding')).toBe(true);
    expect(affectedChecks(CHECKS, new Set(['clusterrolebindings'] as KindKey[])).has('network.namespace-default-deny-ingress')).toBe(false);
  });

  it('recomputes only the report sections whose inputs changed', () => {
    expect(affectedSections(new Set(['networkpolicies']))).toEqual(new Set(['mtls', 'network']));
    expect(affectedSections(new Set(['pods']))).toEqual(new Set(['mtls', 'network']));
    expect(affectedSections(new Set(['clusterrolebindings', 'roles']))).toEqual(new Set(['rbac']));
    expect(affectedSections(new Set(['namespaces']))).toEqual(new Set(['rbac', 'mtls', 'network']));
    expect(affectedSections(null)).toBeNull();
  });

  it('names changes as kind, namespace/name and what happened', () => {
    expect(describeChange({ kind: 'networkpolicies', type: 'deleted', namespace: 'shop', name: 'default-deny', at: 0 })).toBe('NetworkPolicy shop/default-deny deleted');
    expect(describeChange({ kind: 'clusterrolebindings', type: 'created', name: 'x', at: 0 })).toBe('ClusterRoleBinding x created');
  });

  it('puts the rarest relevant change first and leaves out changes to unrelated kinds', () => {
    const report = {
      diff: { regression: true, new: ['fp1'] }, findings: [{ fingerprint: 'fp1', check: 'network.namespace-default-deny-ingress' }],
    } as unknown as RunReport;
    const changes: WatchChange[] = [
      ...Array.from({ length: 20 }, (_, i): WatchChange => ({ kind: 'pods', type: 'updated', namespace: 'a', name: `p${i}`, at: i })),
      // Service accounts are an input (Calico selects by their labels); role bindings are not.
      { kind: 'clusterrolebindings', type: 'created', name: 'crb', at: 30 },
      { kind: 'networkpolicies', type: 'deleted', namespace: 'shop', name: 'default-deny', at: 40 },
    ];
    const causes = likelyCauses(report, CHECKS, changes, 3);
    expect(causes[0]).toBe('NetworkPolicy shop/default-deny deleted');
    expect(causes).toHaveLength(3);
    expect(causes.some((c) => c.startsWith('ClusterRoleBinding'))).toBe(false);
  });

  it('names no object change for a regression without a new finding', () => {
    const report = { findings: [], run: { coverage: {} }, diff: { regression: true, new: [], resolved: [], regressionReasons: ['coverage lost: 3 check(s) could not be evaluated: … (networkpolicies error)'] } } as unknown as RunReport;
    const churn: WatchChange[] = [
      { kind: 'pods', type: 'updated', namespace: 'shop', name: 'web-7d9f', at: 1 },
      { kind: 'serviceaccounts', type: 'created', namespace: 'ci', name: 'runner', at: 3 },
    ];
    expect(likelyCauses(report, CHECKS, churn)).toEqual([]);
  });

  it('validates watch.debounceSeconds, naming the key', () => {
    const ids = new Set(CHECKS.map((c) => c.id));
    const v = (raw: unknown) => validateConfig(raw, { file: 'ztaudit.yaml', checkIds: ids });
    expect(v({ watch: { debounceSeconds: 0 } }).errors).toEqual([expect.stringMatching(/^ztaudit\.yaml: watch\.debounceSeconds: /)]);
    expect(v({ watch: { debounceSeconds: 'soon' } }).errors).toEqual(['ztaudit.yaml: watch.debounceSeconds: must be number']);
    expect(v({ watch: { debounce: 3 } }).errors[0]).toContain('watch');
    expect(v({ watch: { debounceSeconds: 2.5 } }).config.watch.debounceSeconds).toBe(2.5);
    expect(defaultConfig().watch.debounceSeconds).toBe(3);
    expect(v({ watch: { realertAfterHours: -1 } }).errors).toEqual([expect.stringMatching(/^ztaudit\.yaml: watch\.realertAfterHours: /)]);
    expect(v({ watch: { debounceSeconds: 2.5 } }).config.watch.realertAfterHours).toBe(4);
    expect(v({ watch: { realertAfterHours: 0 } }).config.watch.realertAfterHours).toBe(0);
  });

  it('watch.configMapRefreshSeconds: 60 by default, 0 turns it off, validated naming the key; a changed ConfigMap re-judges what reads it', () => {
    const ids = new Set(CHECKS.map((c) => c.id));
    const v = (raw: unknown) => validateConfig(raw, { file: 'ztaudit.yaml', checkIds: ids });
    expect(defaultConfig().watch.configMapRefreshSeconds).toBe(60);
    expect(v({ watch: { configMapRefreshSeconds: 0 } }).config.watch.configMapRefreshSeconds).toBe(0);
    expect(v({ watch: { configMapRefreshSeconds: -5 } }).errors).toEqual([expect.stringMatching(/^ztaudit\.yaml: watch\.configMapRefreshSeconds: /)]);
    const affected = affectedChecks(CHECKS, new Set(['configmaps'] as KindKey[]));
    expect(affected.has('network.exposed-workload')).toBe(true);
    expect(affectedSections(new Set(['configmaps'] as KindKey[]))).toEqual(new Set(['mtls', 'network']));
  });

  it('/metrics exports the watch lag, the events handled and which kinds are watched', () => {
    const text = renderMetrics({ ...emptyMetricsState(), watch: () => ({ lagSeconds: 1.25, events: { pods: 7, networkpolicies: 1 }, watching: { pods: true, networkpolicies: false } }) });
    expect(text).toContain('ztaudit_watch_lag_seconds 1.25');
    expect(text).toContain('ztaudit_watch_events_total{kind="pods"} 7');
    expect(text).toContain('ztaudit_watch_up{kind="networkpolicies"} 0');
    expect(renderMetrics(emptyMetricsState())).not.toContain('ztaudit_watch');
  });
});

describe('serve --watch full runs with --probe-tls', () => {
  it('the run\'s abort signal (serve at shutdown) stops the TLS probes of a full run', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const config = defaultConfig();
    config.tls.probe = { ...config.tls.probe, enabled: true, timeoutMs: 10_000, endpoints: [{ host: '127.0.0.1', port: (silent.address() as net.AddressInfo).port }] };
    const sw = new ServeWatch({ config, checks: CHECKS, log, configMapRefs: () => [], watcher: () => new FakeWatch(cluster()) });
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('ztaudit is shutting down')), 200);
    const t = Date.now();
    await expect(sw.collectFull(abort.signal)).rejects.toThrow('ztaudit is shutting down');
    silent.close();
    expect(Date.now() - t).toBeLessThan(1500);
  });
});
