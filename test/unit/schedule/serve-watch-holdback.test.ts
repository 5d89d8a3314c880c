// serve --watch holds back a flapping regression (a default-deny deleted and re-created again
// and again) as Alertmanager's repeat_interval holds a firing alert
// (https://prometheus.io/docs/alerting/latest/configuration/#route: "How long to wait before
// sending a notification again if it has already been sent successfully for an alert"). Only a
// repeat: a watch run whose repeated finding comes with something else — coverage lost, a
// finding escalated — is sent, since those are said once, at the change, and the next run,
// diffing against the held run, would never say them. Through the real pipeline, a SQLite
// store and notifySlack against a local Slack stub.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import type { Logger } from '../../../src/base/log.ts';
import { ServeWatch } from '../../../src/cli/serve-watch.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { openRunStore, type RunStore } from '../../../src/history/store.ts';
import { notifySlack } from '../../../src/notify/slack.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { startFakeSlack, type FakeSlack } from '../notify/slack-server.ts';
import { FakeWatch } from './fake-watch.ts';
import { diffStep } from '../pipeline/diff-step.ts';

const log = { info() {}, warn() {}, error() {}, debug() {}, progress() {} } as unknown as Logger;
const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const pod = (name: string, namespace: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'registry.example/app:1' }] } });
/** A deny-all, both ways, of one app's pods. */
const isolated = (app: string, namespace: string): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `deny-${app}`, namespace }, spec: { podSelector: { matchLabels: { app } }, policyTypes: ['Ingress', 'Egress'] } });
const denyAll = (): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
// A running Kyverno lowers pod-security.enforce-missing to medium; uninstalled, it is high again.
const kyverno = (): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'kyverno-admission-controller', namespace: 'kyverno' },
  spec: { selector: { matchLabels: { app: 'k' } }, template: { metadata: { labels: { app: 'k' } }, spec: { containers: [{ name: 'k', image: 'ghcr.io/kyverno/kyverno:v1.12.0' }] } } },
});
const ajv = new Ajv2020({ allErrors: true, strict: true });
(addFormatsModule as unknown as (a: Ajv2020) => Ajv2020)(ajv);
const schemaCheck = ajv.compile(JSON.parse(readFileSync(new URL('../../../schemas/report.schema.json', import.meta.url), 'utf8')));
const schemaErrors = (r: unknown) => (schemaCheck(JSON.parse(JSON.stringify(r))) ? [] : schemaCheck.errors);
const REPEAT = 'new high finding: network.namespace-default-deny-ingress on Namespace shop';

describe('serve --watch: a flapping finding held back, but not what comes with it', () => {
  let dir: string;
  let store: RunStore;
  let slack: FakeSlack;
  let fake: FakeWatch;
  let clock: number;
  const config = defaultConfig();

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'serve-watch-holdback-'));
    store = await openRunStore(join(dir, 'h.db'));
    slack = await startFakeSlack();
    fake = new FakeWatch([ns('shop'), ns('blog'), ns('kyverno'), pod('web', 'shop'), pod('db', 'shop'), pod('www', 'blog'), denyAll(), kyverno(),
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'ops-admin' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'ops', namespace: 'shop' }] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cluster-admin' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
    ]);
    clock = Date.parse('2026-12-05T00:00:00Z');
  });
  afterEach(async () => {
    await store.close();
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The daemon's start-up run, then the default-deny deleted (alerted) and re-created (resolved). */
  async function flappedOnce() {
    const run = daemon();
    await run('start-up');
    fake.remove('NetworkPolicy', 'shop', 'default-deny');
    const first = await run('watch');
    expect(first.diff?.regressionReasons).toContain(REPEAT);
    expect(first.notifications.map((n) => n.status)).toEqual(['sent']);
    fake.add(denyAll());
    expect((await run('watch')).diff?.resolved).toHaveLength(first.diff!.new.length);
    fake.remove('NetworkPolicy', 'shop', 'default-deny'); // deleted again: the repeat
    return run;
  }
  /** A serve --watch daemon: its runs, by trigger. */
  function daemon() {
    const sw = new ServeWatch({ config, checks: CHECKS, log, configMapRefs: () => [], watcher: () => fake });
    return async (reason: string) => {
      clock += 60_000; // each run a minute after the last: well within watch.realertAfterHours (4 h)
      return (await runPipeline(config, CHECKS, sw.edges({
        collect: () => sw.collectFull(), store, log, now: () => new Date(clock), render: async () => [],
        diff: diffStep(config.regression),
        notifiers: [{ name: 'slack', send: (report, _files, ctx) => notifySlack(report, { token: 'xoxb-test', channel: 'C0ALERTS', apiUrl: slack.apiUrl, policy: config.notify.policy, ...ctx }) }],
      }, reason))).report;
    };
  }
  /** The alerts posted: each top-level message with its thread reply. */
  const posted = () => {
    const out: string[] = [];
    for (const c of slack.calls.filter((x) => x.path === '/api/chat.postMessage')) {
      const text = `${String(c.fields.text)}\n${JSON.stringify(c.fields.blocks)}`;
      if (c.fields.thread_ts === undefined) out.push(text);
      else out[out.length - 1] += `\n${text}`;
    }
    return out;
  };

  it('the repeat comes with coverage lost (ClusterRoleBindings forbidden): the alert is sent and names it', async () => {
    const run = await flappedOnce();
    fake.fail('clusterrolebindings', { status: 'forbidden', detail: 'watch clusterrolebindings.rbac.authorization.k8s.io at cluster scope' });
    const second = await run('watch');
    const lost = second.diff!.regressionReasons.find((r) => r.startsWith('coverage lost: '));
    expect(lost).toMatch(/rbac\.cluster-admin-binding/);
    expect(second.diff?.regressionReasons).toContain(REPEAT);
    expect(second.notifications.map((n) => n.status)).toEqual(['sent']);
    expect(posted()).toHaveLength(2);
    expect(posted()[1]).toContain('coverage lost: ');
    expect(posted()[1]).toContain('rbac.cluster-admin-binding');
  });

  it('the repeat comes with a finding that widened (a deny-all deleted in a namespace already failing): the alert is sent and names it, as for a new finding', async () => {
    fake.add(pod('api', 'blog'));
    fake.add(isolated('api', 'blog'));
    const run = await flappedOnce();
    fake.remove('NetworkPolicy', 'blog', 'deny-api'); // blog fails already (www): same fingerprint, one more pod open
    const second = await run('watch');
    expect(second.diff?.regressionReasons).toContain(REPEAT);
    expect(second.diff?.regressionReasons).toContain('network.namespace-default-deny-ingress on Namespace blog widened: now also Pod blog/api (1 → 2 workloads)');
    expect(second.notifications.map((n) => n.status)).toEqual(['sent']);
    expect(posted()).toHaveLength(2);
    expect(posted()[1]).toContain('widened: now also Pod blog/api');
  });

  it('a finding alerted minutes ago widens (one more pod of shop left open): sent at once, as Alertmanager sends an alert joining a notified group; the same widening again is the repeat held back', async () => {
    // Alertmanager's DedupStage.needsUpdate: a notification goes out when the group's firing
    // set is not a subset of the one already notified; a repeat of the same set waits for
    // repeat_interval (https://prometheus.io/docs/alerting/latest/configuration/#route).
    const api = (app: string): KubeObject => ({ ...pod('api', 'shop'), metadata: { name: 'api', namespace: 'shop', labels: { app } } });
    fake.add(api('api'));
    fake.add({ ...pod('twin', 'shop'), metadata: { name: 'twin', namespace: 'shop', labels: { app: 'api' } } }); // deny-api keeps a pod
    fake.add({ ...isolated('api', 'shop'), spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'] } });
    const relabel = (app: string) => { fake.remove('Pod', 'shop', 'api'); fake.add(api(app)); };
    const run = daemon();
    await run('start-up');
    fake.remove('NetworkPolicy', 'shop', 'default-deny');
    const first = await run('watch');
    expect(first.diff?.regressionReasons).toContain(REPEAT);
    relabel('api-v2'); // out of deny-api's selector, a minute after the alert
    const widened = await run('watch');
    expect(widened.diff?.regressionReasons).toEqual(['network.namespace-default-deny-ingress on Namespace shop widened: now also Pod shop/api (2 → 3 workloads)']);
    expect(widened.notifications.map((n) => n.status)).toEqual(['sent']);
    expect(posted()).toHaveLength(2);
    expect(posted()[1]).toContain('widened: now also Pod shop/api');
    // Back under deny-api, in a run that is stored (blog's own deny-all resolves blog's finding;
    // a narrowing alone changes no finding and is not stored), then out again: a flap.
    relabel('api');
    fake.add({ ...denyAll(), metadata: { name: 'default-deny', namespace: 'blog' } });
    expect((await run('watch')).diff?.resolved.length).toBeGreaterThan(0);
    relabel('api-v2');
    const again = await run('watch');
    expect(again.diff?.regressionReasons).toEqual(widened.diff?.regressionReasons);
    expect(again.notifications.map((n) => n.status)).toEqual(['skipped']);
    expect(posted()).toHaveLength(2);
    expect(schemaErrors(again)).toEqual([]);
  });

  it('the repeat comes with a finding escalated (Kyverno uninstalled: medium → high): the alert is sent and names it', async () => {
    const run = await flappedOnce();
    fake.remove('Deployment', 'kyverno', 'kyverno-admission-controller');
    const second = await run('watch');
    expect(second.diff?.regressionReasons).toContain('escalated medium → high: pod-security.enforce-missing on Namespace shop');
    expect(second.diff?.regressionReasons).toContain(REPEAT);
    expect(second.notifications.map((n) => n.status)).toEqual(['sent']);
    expect(posted()).toHaveLength(2);
    expect(posted()[1]).toContain('escalated medium → high: pod-security.enforce-missing on Namespace shop');
  });

  it('the repeat comes with a waiver that expired meanwhile (at midnight): the alert is sent and names it', async () => {
    clock = Date.parse('2026-12-04T23:56:00Z'); // the repeat's run is at 00:00, four minutes after the start-up run
    config.waivers = [{ check: 'rbac.cluster-admin-binding', resource: { kind: 'ServiceAccount', namespace: 'shop', name: 'ops' }, reason: 'migration', owner: 'ops@example.com', expires: '2026-12-04' }];
    try {
      const run = await flappedOnce();
      const second = await run('watch');
      const expired = 'waiver expired: rbac.cluster-admin-binding on ServiceAccount shop/ops (expired 2026-12-04, owner ops@example.com)';
      expect(second.diff?.regressionReasons).toContain(expired);
      expect(second.diff?.regressionReasons).toContain(REPEAT);
      expect(second.notifications.map((n) => n.status)).toEqual(['sent']);
      expect(posted()).toHaveLength(2);
      expect(posted()[1]).toContain('waiver expired: rbac.cluster-admin-binding on ServiceAccount shop/ops');
    } finally {
      config.waivers = [];
    }
  });

  it('a pure repeat (its score drop included) is still held back: stored, skipped, nothing posted', async () => {
    const run = await flappedOnce();
    const second = await run('watch');
    expect(second.diff?.regressionReasons).toEqual([REPEAT, expect.stringMatching(/^network score dropped /)]);
    expect(second.diff?.newFindingReasons).toBe(2);
    expect(second.notifications).toEqual([{ channel: 'slack', status: 'skipped', detail: expect.stringMatching(/^held back: every new finding was alerted less than watch\.realertAfterHours \(4 h\) ago/) }]);
    expect((await store.latest())?.run.id).toBe(second.run.id);
    expect(posted()).toHaveLength(1);
  });

  // A held repeat is not dropped: Alertmanager (notify.go, DedupStage.needsUpdate) sends a
  // still-firing alert again once repeat_interval has passed since it was last sent, and after a
  // resolution the next firing is a first notification. docs/deploy.md "Flapping": the next
  // alert of those findings says how many repeats were held back.
  it('a held repeat still open once watch.realertAfterHours has passed is sent by the next run (the nightly one), saying how many repeats were held back; once only', async () => {
    const run = await flappedOnce();
    const held = await run('watch');
    expect(held.notifications.map((n) => n.status)).toEqual(['skipped']);
    expect(held.diff?.heldAlerts).toEqual([{
      runId: held.run.id, findings: held.diff!.new,
      reasons: [expect.stringMatching(/^flapping: 1 repeat alert of these findings held back since /), REPEAT, expect.stringMatching(/^network score dropped /)],
      // Four hours after the first alert (the start-up run at 00:01, the alert at 00:02).
      heldUntil: '2026-12-05T04:02:00.000Z',
    }]);
    expect(schemaErrors(held)).toEqual([]);
    // An unrelated change within the window: the repeat stays held, nothing posted. (The pod
    // comes with its own deny-all: alone in blog, unisolated already, it would widen blog's
    // finding, new exposure that is sent.)
    fake.add(pod('api', 'blog'));
    fake.add(isolated('api', 'blog'));
    clock += 3_600_000;
    const within = await run('watch');
    expect(within.diff?.undelivered).toBeUndefined();
    expect(within.notifications.map((n) => n.status)).toEqual(['skipped']);
    expect(posted()).toHaveLength(1);

    clock += 4 * 3_600_000; // past the window: the nightly full run
    const nightly = await run('schedule');
    expect(nightly.diff?.regression).toBe(false);
    expect(nightly.diff?.undelivered).toEqual([{ runId: held.run.id, reasons: held.diff!.heldAlerts![0].reasons, findings: held.diff!.new }]);
    expect(nightly.diff?.heldAlerts).toBeUndefined();
    expect(nightly.notifications.map((n) => n.status)).toEqual(['sent']);
    expect(schemaErrors(nightly)).toEqual([]);
    expect(posted()).toHaveLength(2);
    expect(posted()[1]).toContain(`not delivered after run ${held.run.id}: ${REPEAT}`);
    expect(posted()[1]).toContain('flapping: 1 repeat alert of these findings held back since ');

    clock += 24 * 3_600_000; // the next night: said already
    const next = await run('schedule');
    expect(next.diff?.regression).toBe(false);
    expect(next.diff?.undelivered).toBeUndefined();
    expect(next.notifications.map((n) => n.status)).toEqual(['skipped']);
    expect(posted()).toHaveLength(2);
  });

  it('a held repeat is sent by the first watch run past the window too, and a repeat right after it is held again', async () => {
    const run = await flappedOnce();
    const held = await run('watch');
    fake.touch('Pod', 'www');
    clock += 5 * 3_600_000;
    const later = await run('watch');
    expect(later.diff?.undelivered?.map((u) => u.runId)).toEqual([held.run.id]);
    expect(later.notifications.map((n) => n.status)).toEqual(['sent']);
    expect(posted()).toHaveLength(2);
    // Alerted now: re-created and deleted again a minute later, it is a repeat within the window.
    fake.add(denyAll());
    await run('watch');
    fake.remove('NetworkPolicy', 'shop', 'default-deny');
    const again = await run('watch');
    expect(again.notifications.map((n) => n.status)).toEqual(['skipped']);
    expect(posted()).toHaveLength(2);
  });

  it('a held repeat survives a restart: the restarted daemon\'s start-up run past the window sends it', async () => {
    const held = await (await flappedOnce())('watch');
    clock += 5 * 3_600_000;
    const startUp = await daemon()('start-up');
    expect(startUp.diff?.undelivered?.map((u) => u.runId)).toEqual([held.run.id]);
    expect(startUp.notifications.map((n) => n.status)).toEqual(['sent']);
    expect(posted()).toHaveLength(2);
  });

  it('a held repeat whose finding was resolved before the window passed is dropped: nothing is sent', async () => {
    const run = await flappedOnce();
    const held = await run('watch');
    expect(held.diff?.heldAlerts).toHaveLength(1);
    fake.add(denyAll()); // re-created: resolved
    const resolved = await run('watch');
    expect(resolved.diff?.resolved.length).toBeGreaterThan(0);
    expect(resolved.diff?.heldAlerts).toBeUndefined();
    clock += 5 * 3_600_000;
    const nightly = await run('schedule');
    expect(nightly.diff?.undelivered).toBeUndefined();
    expect(nightly.notifications.map((n) => n.status)).toEqual(['skipped']);
    expect(posted()).toHaveLength(1);
  });
});
