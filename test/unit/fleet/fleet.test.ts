// The fleet report over a SQLite store holding several clusters: grid, deltas, the
// regressions of the window, common findings by resource shape, expiring waivers, the three
// formats with hostile cluster names, `ztaudit fleet` itself, and history export/import.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import type { CliIO } from '../../../src/cli/io.ts';
import { fleetDataOf } from '../../../src/fleet/data.ts';
import { buildFleetView, sparklineOf } from '../../../src/fleet/view.ts';
import { renderFleetFormat } from '../../../src/fleet/render.ts';
import { buildSlackDigest, digestHeadline } from '../../../src/notify/fleet-digest.ts';
import { resourceShape } from '../../../src/history/shape.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { DEFAULT_FLEET_QUERY, type FleetWaiver } from '../../../src/run/fleet.ts';
import { HOSTILE, NOW, fleetRun, fleetRuns, runWithTimedWaivers, runsWithRegressionBeforeUnreadable, runsWithUnreadableLatest } from './seed.ts';

let dir: string;
let db: string;

function io(): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, isTTY: false, cwd: dir };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-fleet-'));
  db = join(dir, 'fleet.db');
  const store = await openRunStore(db);
  for (const r of fleetRuns()) await store.save(r);
  await store.close();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resource shapes', () => {
  it('replaces generated name parts and keeps plain names', () => {
    expect(resourceShape('web-7d9f8c6b5d-x2k9p')).toBe('web-*-*');
    expect(resourceShape('web-5c4b7f9d8-q8w2z')).toBe('web-*-*');
    expect(resourceShape('runner-17')).toBe('runner-*');
    expect(resourceShape('system:authenticated')).toBe('system:authenticated');
    expect(resourceShape('api-v2')).toBe('api-v2');
    expect(resourceShape('k8s-dashboard')).toBe('k8s-dashboard');
  });

  // Kubernetes generates name parts from k8s.io/apimachinery pkg/util/rand's alphabet
  // "bcdfghjklmnpqrstvwxz2456789" (rand.go `alphanums`; generateName appends rand.String(5),
  // a pod-template-hash is rand.SafeEncodeString of a hash): no vowels, no 0, 1 or 3.
  it('takes only Kubernetes\' generated-name alphabet (and digits alone) for generated parts', () => {
    // Real pods of Deployments, from netpol-analyzer's test data (/work/shared/conformance/netpol/scenarios:
    // onlineboutique/input/pods.yaml, k8s_ingress_test/input/default_pods_list.yaml, minikube_resources/input/pods.yaml).
    expect(resourceShape('adservice-77d5cd745d-t8mx4')).toBe('adservice-*-*');
    expect(resourceShape('details-v1-79f774bdb9-tw7sj')).toBe('details-v1-*-*');
    expect(resourceShape('coredns-64897985d-vgg4l')).toBe('coredns-*-*');
    // Names people chose, with a digit: never merged with one another.
    for (const name of ['mysql8', 'redis7', 'oauth2-proxy', 'route53-proxy', 'postgres15', 'web-1abcd', 'app-v20230']) expect(resourceShape(name)).toBe(name);
    expect(resourceShape('web-0')).toBe('web-*');
    expect(resourceShape('backup-28312345')).toBe('backup-*');
  });

  // apiserver pkg/storage/names/generate.go: generateName appends utilrand.String(5) (randomLength = 5);
  // about one suffix in five, (20/27)^5, has no digit, and a pod-template-hash may have none either.
  it('takes a five-character last segment from the alphabet as generated even without a digit, and the pod-template-hash before it', () => {
    expect(resourceShape('build-xkzpq')).toBe(resourceShape('build-x2k9p'));
    expect(resourceShape('build-xkzpq')).toBe('build-*');
    // Real names from netpol-analyzer's test data (/work/shared/conformance/netpol/scenarios:
    // ipblockstest/input/pods.yaml, k8s_ingress_test/input/default_pods_list.yaml,
    // test_with_named_ports_changed_netpol_2/input/pod_list.json).
    expect(resourceShape('kube-dns-amd64-d66bf76db-bbvts')).toBe('kube-dns-amd64-*-*');
    expect(resourceShape('productpage-v1-6b746f74dc-kkzzk')).toBe('productpage-v1-*-*');
    expect(resourceShape('reviews-v3-84779c7bbc-lfjvk')).toBe('reviews-v3-*-*');
    expect(resourceShape('calico-node-mgdlr')).toBe('calico-node-*');
    expect(resourceShape('kube-api-access-glrct')).toBe('kube-api-access-*');
    // A pod-template-hash without a digit, before a generated suffix.
    expect(resourceShape('web-bcdfghjkl-xkzpq')).toBe('web-*-*');
    // Not the last segment, not five characters, or a vowel: a name people chose.
    for (const name of ['xkzpq-api', 'build-xkzp', 'build-xkzpqr', 'build-xkzpa', 'nginx', 'redis-cache', 'kube-proxy', 'web-bcdfghjkl', 'web-https', 'ingress-nginx-https']) expect(resourceShape(name)).toBe(name);
  });
});

describe('fleet data and view from a SQLite store with three clusters', () => {
  it('grids each cluster\'s latest run with deltas since its previous run', async () => {
    const store = await openRunStore(db, { readOnly: true });
    const data = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW });
    await store.close();
    expect(data.clusters.map((c) => [c.cluster, c.runs, c.latest.id, c.previous?.id ?? null])).toEqual([
      [HOSTILE, 1, '20261110T040000Z-h00001', null],
      ['alpha', 3, '20261110T020000Z-a00003', '20261102T020000Z-a00002'],
      ['beta', 2, '20261110T030000Z-b00002', '20261109T030000Z-b00001'],
    ]);
    const view = buildFleetView(data);
    const alpha = view.grid.find((g) => g.cluster === 'alpha')!;
    expect(alpha.overall).toMatchObject({ text: '60.0', grade: 'D', delta: -10, deltaText: '-10.0', deltaClass: 'down' });
    expect(alpha.areas.map((a) => a.text)).toEqual(['55.0', 'n/a', '65.0', '40.0', 'n/a']);
    expect(alpha.regression).toBe(true);
    expect(view.grid.find((g) => g.cluster === 'beta')!.overall).toMatchObject({ grade: 'A', deltaText: '+2.5' });
    // Only the regression inside the 24 h window (alpha's run of 11-02 is outside it).
    expect(data.regressions.map((r) => [r.run.id, r.reasons])).toEqual([['20261110T020000Z-a00003', ['2 new high findings', 'pod-security score dropped 10.0 points']]]);
    // Same check and resource shape on every cluster: the pods differ only in generated parts.
    expect(data.common.map((c) => [c.clusters, c.check, c.kind, c.namespace, c.shape])).toEqual([
      [3, 'pod-security.pod-violates-target', 'Pod', 'shop', 'web-*-*'],
      [3, 'rbac.anonymous-access', 'Group', '', 'system:authenticated'],
    ]);
    expect(data.common[1].clusterNames).toEqual([HOSTILE, 'alpha', 'beta']);
    // The waived finding is not "common"; its waiver expiring is listed per cluster.
    expect(data.waivers.map((w) => [w.cluster, w.waiver.check, w.waiver.state])).toHaveLength(3);
    expect(view.worst.find((w) => w.area === 'Pod security')!.rows.map((r) => r.cluster)).toEqual([HOSTILE, 'alpha', 'beta']);
    expect(view.totals).toMatchObject({ clusters: 3, regressed: 1, meanOverall: '64.2' });
  });

  it('renders HTML, Markdown, JSON and a Slack digest with hostile names inert', async () => {
    const store = await openRunStore(db, { readOnly: true });
    const data = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW });
    await store.close();
    const html = renderFleetFormat(data, 'html');
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'`);
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;@here');
    expect(html).toContain('<polyline points="');
    expect(html).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;@here\\u202e');
    const md = renderFleetFormat(data, 'md');
    expect(md).not.toContain('<script');
    expect(md).not.toContain('@here');
    const json = JSON.parse(renderFleetFormat(data, 'json'));
    expect(json.fleetSchemaVersion).toBe(1);
    expect(json.clusters.find((c: { cluster: string }) => c.cluster === 'alpha')).toMatchObject({ grade: { overall: 'D', areas: { tls: 'n/a' } }, delta: { overall: -10 } });
    expect(json.worstPerArea.network[0]).toEqual({ cluster: HOSTILE, score: 35 });
    const digest = buildSlackDigest(buildFleetView(data));
    // Slack links bare URLs and parses @channel in mrkdwn that is not verbatim.
    for (const b of digest.blocks) if ((b.text as { type?: string } | undefined)?.type === 'mrkdwn') expect(b.text).toMatchObject({ verbatim: true });
    const slack = JSON.stringify(digest);
    expect(slack).not.toContain('<script');
    expect(slack).toContain('&lt;script&gt;');
  });
});

describe('fleet.html summary', () => {
  it('shows how many clusters have each grade (the `count` helper shares the property\'s name)', async () => {
    const store = await openRunStore(db, { readOnly: true });
    const data = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW });
    await store.close();
    const html = renderFleetFormat(data, 'html');
    const stats = [...html.matchAll(/<div class="stat (grade-[a-z]+)"><b>([^<]*)<\/b>/g)].map((m) => [m[1], m[2]]);
    expect(stats).toEqual([['grade-a', '1'], ['grade-d', '1'], ['grade-f', '1']]);
  });
});

describe('a cluster whose latest run was partial', () => {
  it('shows no grade for an area with checks not evaluated, and the run\'s own deltas (none where it had none), in the view, Markdown, JSON and the digest', async () => {
    const store = await openRunStore(join(dir, 'partial.db'));
    const full = fleetRun('gamma', '20261110T050000Z-g00001', '2026-11-10T05:00:00.000Z', 70);
    // Pods and ClusterRoles forbidden: network checks not evaluated, their area's score over the rest.
    const partial = fleetRun('gamma', '20261110T060000Z-g00002', '2026-11-10T06:00:00.000Z', 87, { previous: full });
    const check = (id: string, status: 'not-evaluated' | 'not-applicable' | 'pass') => ({
      id, area: id.split('.')[0] as 'network', title: id, severity: 'high' as const, controls: [], remediation: '', evaluated: 0, passed: 0, failed: 0, waived: 0, status,
    });
    partial.checks = [{ ...check('network.allow-all-ingress', 'not-evaluated'), unreadable: ['pods'] }, check('rbac.nodes-proxy', 'not-applicable'), check('rbac.anonymous-access', 'pass')];
    partial.run.coverage = { pods: { status: 'forbidden' } };
    partial.run.partial = ['pods could not be read (forbidden)'];
    partial.diff!.scoreDelta = { overall: null, areas: { network: null, tls: null, rbac: 3, 'pod-security': null, mtls: null } };
    // A cluster whose only run is partial: a first run is partial too (README: every output says so).
    const first = fleetRun('delta', '20261110T070000Z-d00001', '2026-11-10T07:00:00.000Z', 50);
    first.run.partial = ['manifests/app.yaml:3: broken YAML document'];
    await store.save(full);
    await store.save(partial);
    await store.save(first);
    const data = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW });
    await store.close();
    expect(buildFleetView(data).grid.map((g) => [g.cluster, g.partial])).toEqual([['delta', true], ['gamma', true]]);
    const row = buildFleetView(data).grid[1];
    expect(row.overall).toMatchObject({ text: '87.0', grade: 'n/a', delta: null, deltaText: '' });
    expect(row.areas[0]).toMatchObject({ text: '82.0', grade: 'n/a', delta: null, deltaText: '' });
    // Not applicable is no blind spot: RBAC keeps its grade, with the delta the run's diff gave.
    expect(row.areas[2]).toMatchObject({ text: '92.0', grade: 'A', delta: 3, deltaText: '+3.0' });
    expect(row.areas[3]).toMatchObject({ text: '67.0', grade: 'D', delta: null });
    const md = renderFleetFormat(data, 'md');
    expect(md).toContain('| gamma (partial) | 87.0 n/a | 82.0 n/a | n/a n/a | 92.0 A (+3.0) | 67.0 D | n/a n/a |');
    expect(md).toContain('| delta (partial) | 50.0 F |');
    expect(JSON.parse(renderFleetFormat(data, 'json')).clusters[1]).toMatchObject({
      latest: { partial: true }, grade: { overall: 'n/a', areas: { network: 'n/a', rbac: 'A' } }, delta: { overall: null, areas: { network: null, rbac: 3 } },
    });
    expect(renderFleetFormat(data, 'html')).toMatch(/>gamma <span class="pill partial">partial<\/span>/);
    expect(buildSlackDigest(buildFleetView(data)).blocks).toContainEqual(expect.objectContaining({ text: expect.objectContaining({ text: '*Lowest overall scores*\n• `delta` 50.0 (F) (partial)\n1 cluster graded n/a left out' }) }));
    // As an older ztaudit stored gamma's run: partial from its diff alone, no gaps count. Its blind list still tells.
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(join(dir, 'partial.db'));
    db.prepare(`UPDATE runs SET summary = json_remove(json_set(summary, '$.partial', json('false')), '$.gaps') WHERE id = ?`).run(partial.run.id);
    db.close();
    const again = await openRunStore(join(dir, 'partial.db'));
    const old = await fleetDataOf(again, { ...DEFAULT_FLEET_QUERY, now: NOW });
    await again.close();
    expect(renderFleetFormat(old, 'md')).toContain('| gamma (partial) | 87.0 n/a |');
  });
});

describe('fleet aggregates and a run graded n/a', () => {
  // README: the fleet grades a run as its own report does (n/a, never a clean grade); a score
  // over 3 of 11 checks is not compared with other clusters' scores over all of theirs.
  it('leave it out of the mean overall score and the worst clusters per area, and say how many were left out', async () => {
    const store = await openRunStore(join(dir, 'left-out.db'));
    const gamma = fleetRun('gamma', '20261110T060000Z-g00001', '2026-11-10T06:00:00.000Z', 30);
    gamma.checks = [{ id: 'network.allow-all-ingress', area: 'network', title: 't', severity: 'high', controls: [], remediation: '', evaluated: 0, passed: 0, failed: 0, waived: 0, status: 'not-evaluated', unreadable: ['pods'] }];
    gamma.run.coverage = { pods: { status: 'forbidden' } };
    gamma.run.partial = ['pods could not be read (forbidden)'];
    for (const r of [fleetRun('alpha', '20261110T020000Z-a00001', '2026-11-10T02:00:00.000Z', 60), fleetRun('beta', '20261110T030000Z-b00001', '2026-11-10T03:00:00.000Z', 80), gamma]) await store.save(r);
    const data = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW });
    await store.close();
    const view = buildFleetView(data);
    expect(view.grid.map((g) => [g.cluster, g.overall.text, g.overall.grade, g.areas[0].text, g.areas[0].grade])).toEqual([
      ['alpha', '60.0', 'D', '55.0', 'F'], ['beta', '80.0', 'B', '75.0', 'C'], ['gamma', '30.0', 'n/a', '25.0', 'n/a'],
    ]);
    expect(view.totals).toMatchObject({ meanOverall: '70.0', meanLeftOut: 1 });
    const network = view.worst.find((w) => w.area === 'Network')!;
    expect([network.rows.map((r) => r.cluster), network.leftOut]).toEqual([['alpha', 'beta'], 1]);
    // Pod security is graded on every cluster (its checks all ran): gamma is ranked there.
    expect(view.worst.find((w) => w.area === 'Pod security')!.rows.map((r) => [r.cluster, r.cell.grade])).toEqual([['gamma', 'F'], ['alpha', 'F'], ['beta', 'D']]);
    const md = renderFleetFormat(data, 'md');
    expect(md).toContain('Mean overall score 70.0 (1 cluster graded n/a left out);');
    expect(md).toContain('- Network: alpha 55.0, beta 75.0 (1 cluster graded n/a left out)');
    const html = renderFleetFormat(data, 'html');
    expect(html).toContain('<div class="stat" data-stat="mean"><b>70.0</b><span>mean overall score, 1 cluster graded n/a left out</span></div>');
    expect(html).toContain('<p class="empty left-out">1 cluster graded n/a left out: checks not evaluated.</p>');
    const json = JSON.parse(renderFleetFormat(data, 'json'));
    expect(json.worstPerArea.network).toEqual([{ cluster: 'alpha', score: 55 }, { cluster: 'beta', score: 75 }]);
    expect(json.leftOutAsNa).toEqual({ overall: 1, areas: { network: 1, tls: 0, rbac: 0, 'pod-security': 0, mtls: 0 } });
    expect(digestHeadline(view)).toBe('Fleet: 3 clusters, mean 70.0 (1 cluster graded n/a left out), 0 regressed in 24 h, 0 without a run in 48 h');
  });
});

describe('a cluster blind to a whole area, or to every check', () => {
  // README: a score graded n/a is left out of the mean and the worst per area, "which say how
  // many were" — a score that is null because nothing could be evaluated is n/a too.
  it('is counted as left out in fleet.json, fleet.md and the digest, and never ranked among the lowest scores', async () => {
    const store = await openRunStore(join(dir, 'all-blind.db'));
    const blind = (id: string) => ({ id, area: id.split('.')[0] as 'network', title: id, severity: 'high' as const, controls: [], remediation: '', evaluated: 0, passed: 0, failed: 0, waived: 0, status: 'not-evaluated' as const, unreadable: ['networkpolicies'] });
    // prod: networkpolicies and clusterrolebindings forbidden, so network and RBAC have no score; pod security was read.
    const prod = fleetRun('prod', '20261110T060000Z-p00001', '2026-11-10T06:00:00.000Z', 58.3);
    prod.score = { overall: 58.3, areas: { network: null, tls: null, rbac: null, 'pod-security': 58.3, mtls: null } };
    prod.checks = [blind('network.allow-all-ingress'), blind('rbac.cluster-admin-binding')];
    prod.findings = prod.findings.filter((f) => f.area === 'pod-security');
    prod.run.partial = ['networkpolicies could not be read (forbidden)'];
    // dark: nothing could be read, no score at all.
    const dark = fleetRun('dark', '20261110T070000Z-d00001', '2026-11-10T07:00:00.000Z', 0);
    dark.score = { overall: null, areas: { network: null, tls: null, rbac: null, 'pod-security': null, mtls: null } };
    dark.checks = [blind('network.allow-all-ingress'), blind('rbac.cluster-admin-binding'), blind('pod-security.pod-violates-target')];
    dark.findings = [];
    dark.run.partial = ['nothing could be read (forbidden)'];
    for (const r of [fleetRun('alpha', '20261110T020000Z-a00001', '2026-11-10T02:00:00.000Z', 60), prod, dark]) await store.save(r);
    const data = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW });
    await store.close();
    const json = JSON.parse(renderFleetFormat(data, 'json'));
    expect(json.leftOutAsNa).toEqual({ overall: 2, areas: { network: 2, tls: 0, rbac: 2, 'pod-security': 1, mtls: 0 } });
    const md = renderFleetFormat(data, 'md');
    expect(md).toContain('Mean overall score 60.0 (2 clusters graded n/a left out);');
    expect(md).toContain('- Network: alpha 55.0 (2 clusters graded n/a left out)');
    expect(md).toContain('- mTLS: not evaluated\n');
    const view = buildFleetView(data);
    expect(digestHeadline(view)).toBe('Fleet: 3 clusters, mean 60.0 (2 clusters graded n/a left out), 0 regressed in 24 h, 0 without a run in 48 h');
    expect(buildSlackDigest(view).blocks).toContainEqual(expect.objectContaining({ text: expect.objectContaining({ text: '*Lowest overall scores*\n• `alpha` 60.0 (D)\n2 clusters graded n/a left out' }) }));
  });
});

describe('a cluster whose latest run could not be read, in the fleet aggregates', () => {
  // README: its state is unknown and missing data is not a fix. The grid still shows it by its
  // older run (marked not current), but that run's scores are not the cluster's state now: the
  // mean, the grade counts, the worst per area and the digest's lowest scores leave it out, and
  // every format says how many were left out.
  it('leaves it out of the mean, the grades, the worst per area and the lowest scores, and says so in each format', async () => {
    const file = join(dir, 'unreadable-aggregates.db');
    const store = await openRunStore(file);
    const b1 = fleetRun('beta', '20261109T030000Z-b00001', '2026-11-09T03:00:00.000Z', 20);
    const b2 = fleetRun('beta', '20261110T030000Z-b00002', '2026-11-10T03:00:00.000Z', 90, { previous: b1 });
    for (const r of [fleetRun('alpha', '20261110T020000Z-a00001', '2026-11-10T02:00:00.000Z', 60), b1, b2, fleetRun('gamma', '20261110T040000Z-g00001', '2026-11-10T04:00:00.000Z', 80)]) await store.save(r);
    await store.close();
    const { DatabaseSync } = await import('node:sqlite');
    const sql = new DatabaseSync(file);
    expect(Number(sql.prepare(`UPDATE runs SET summary = 'garbage' WHERE id = ?`).run(b2.run.id).changes)).toBe(1);
    sql.close();
    const again = await openRunStore(file);
    const data = await fleetDataOf(again, { ...DEFAULT_FLEET_QUERY, now: NOW }, () => {});
    await again.close();
    const view = buildFleetView(data);
    // beta is still a row, shown by its older run b1 (20.0), marked.
    expect(view.grid.map((g) => [g.cluster, g.overall.text, g.unreadable?.runId ?? null])).toEqual([['alpha', '60.0', null], ['beta', '20.0', b2.run.id], ['gamma', '80.0', null]]);
    // The mean of alpha and gamma (70.0), not with b1's 20 (53.3); no grade counted for beta.
    expect(view.totals).toMatchObject({ clusters: 3, unreadable: 1, meanOverall: '70.0', meanLeftOut: 0 });
    expect(view.totals.grades.map((g) => [g.grade, g.count])).toEqual([['B', 1], ['D', 1]]);
    expect(view.worst.find((w) => w.area === 'Network')!.rows.map((r) => r.cluster)).toEqual(['alpha', 'gamma']);

    const json = JSON.parse(renderFleetFormat(data, 'json'));
    expect(json.worstPerArea.network).toEqual([{ cluster: 'alpha', score: 55 }, { cluster: 'gamma', score: 75 }]);
    expect(json.worstPerArea.rbac.map((r: { cluster: string }) => r.cluster)).toEqual(['alpha', 'gamma']);
    expect(json.leftOutUnreadable).toBe(1);
    const md = renderFleetFormat(data, 'md');
    expect(md).toContain('Mean overall score 70.0 (1 cluster whose latest run could not be read left out);');
    expect(md).toContain('## Worst clusters per area\n\n1 cluster whose latest run could not be read left out: state unknown.\n\n- Network: alpha 55.0, gamma 75.0\n');
    const html = renderFleetFormat(data, 'html');
    expect(html).toContain('<div class="stat" data-stat="mean"><b>70.0</b><span>mean overall score, 1 cluster whose latest run could not be read left out</span></div>');
    expect(html).toContain('<p class="lede left-out-unreadable">1 cluster whose latest run could not be read left out: state unknown (a row shown by an older run is not ranked).</p>');
    expect(html).not.toMatch(/<li class="[^"]*"><span class="cluster">beta<\/span>/);
    const t = io();
    expect(await main(['fleet', '--history', file, '--out', 'unreadable-aggregates', '--format', 'json', '--no-notify'], t)).toBe(2);
    expect(t.out.join('')).toContain('3 clusters, mean overall 70.0 (1 cluster whose latest run could not be read left out), ');

    // The digest: its headline counts beta just before the mean, which is "without it".
    expect(digestHeadline(view)).toBe('Fleet: 3 clusters, 1 with the latest run unreadable (beta), mean 70.0 without it, 0 regressed in 24 h without it, 0 without a run in 48 h');
    const slack = buildSlackDigest(view);
    expect(slack.blocks).toContainEqual(expect.objectContaining({ text: expect.objectContaining({ text: '*Lowest overall scores*\n• `alpha` 60.0 (D)\n• `gamma` 80.0 (B)\n1 cluster whose latest run could not be read left out: state unknown' }) }));
  });
});

describe('a cluster whose latest run could not be read, in the common findings and the expiring waivers', () => {
  // README "Missing data is not a fix": prod's newest run cannot be read, so the findings of its
  // older run (its own and those it carries) and that run's waivers are not its state now: "on 3
  // clusters" or "expires on prod" would be read from a run that is not the cluster's state. Its
  // row still shows that run, marked, with what it carries. The PostgreSQL store gives the same
  // answer (test/postgres/fleet-unreadable-latest.test.ts).
  it('leaves its older run out of both, and fleet.html, fleet.md and the summary line say so', async () => {
    const file = join(dir, 'unreadable-common.db');
    const { runs, unreadable } = runsWithUnreadableLatest();
    const store = await openRunStore(file);
    for (const r of runs) await store.save(r);
    await store.close();
    const { DatabaseSync } = await import('node:sqlite');
    const sql = new DatabaseSync(file);
    expect(Number(sql.prepare(`UPDATE runs SET summary = 'garbage' WHERE id = ?`).run(unreadable.run.id).changes)).toBe(1);
    sql.close();
    const again = await openRunStore(file);
    const data = await fleetDataOf(again, { ...DEFAULT_FLEET_QUERY, now: NOW }, () => {});
    const three = await fleetDataOf(again, { ...DEFAULT_FLEET_QUERY, now: NOW, minClusters: 3 }, () => {});
    await again.close();
    expect(data.unreadable?.map((u) => [u.cluster, u.runId, u.shownBy])).toEqual([['prod', unreadable.run.id, '20261110T040000Z-p00003']]);
    // prod's older run had both shapes and carried cluster-admin-binding (shared with old): none counts.
    expect(data.common.map((c) => [c.check, c.shape, c.clusters, c.clusterNames])).toEqual([
      ['pod-security.pod-violates-target', 'web-*-*', 2, ['ok', 'old']],
      ['rbac.anonymous-access', 'system:authenticated', 2, ['ok', 'old']],
    ]);
    expect(data.waivers.map((w) => [w.cluster, w.waiver.check, w.waiver.state])).toEqual([['ok', 'rbac.wildcard-permission', 'expiring-soon'], ['old', 'rbac.wildcard-permission', 'expiring-soon']]);
    expect(data.clusters.find((c) => c.cluster === 'prod')?.carried?.map((k) => [k.runId, k.checks, k.findings.critical])).toEqual([['20261110T020000Z-p00001', ['rbac.cluster-admin-binding'], 1]]);

    const html = renderFleetFormat(data, 'html');
    const common = /<section id="common">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    const waivers = /<section id="waivers">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    expect(common).toContain('<p class="lede left-out-unreadable">1 cluster whose latest run could not be read left out: state unknown (an older run\'s findings are not counted).</p>');
    expect(common).not.toContain('prod');
    expect(waivers).toContain('<p class="lede left-out-unreadable">1 cluster whose latest run could not be read left out: state unknown (an older run\'s waivers are not listed).</p>');
    expect(waivers).not.toContain('prod');
    expect(html).toContain('it is left out of the mean, the grade counts, the regressions, the worst per area, the findings on many clusters and the expiring waivers');
    const md = renderFleetFormat(data, 'md');
    expect(md).toContain('## Findings on many clusters\n\n1 cluster whose latest run could not be read left out: state unknown.\n\n| Clusters |');
    expect(md).toContain('## Expiring and expired waivers\n\n1 cluster whose latest run could not be read left out: state unknown.\n\n- 2026-11-20 expiring-soon: ok ');
    expect(md).not.toMatch(/expiring-soon: prod /);
    // No shape on 3 clusters whose latest run could be read: not "on no 3 clusters" of the fleet.
    expect(renderFleetFormat(three, 'md')).toContain('## Findings on many clusters\n\n1 cluster whose latest run could not be read left out: state unknown.\n\nNo finding occurs on 3 or more clusters whose latest run could be read.\n');
    const t = io();
    expect(await main(['fleet', '--history', file, '--out', 'unreadable-common', '--format', 'json', '--no-notify'], t)).toBe(2);
    // `fleet` states the waivers at the time it runs (after 2026-11-20: expired), prod's not among them.
    expect(t.out.join('')).toContain(', 2 finding shapes on 2+ clusters, 2 waivers expired, 0 expiring\n');
  });
});

describe('a cluster whose latest run could not be read, in the regressions', () => {
  // README "Missing data is not a fix": beta's newest run cannot be read, so the regression of
  // its older run b2 is not its state now, as b2's scores are not (the mean leaves them out):
  // "2 regressed" would count it. Left out of the regressions and their count, in every format
  // and the digest, each saying so; the PostgreSQL store gives the same answer
  // (test/postgres/fleet-unreadable-latest.test.ts).
  async function fleetOf(name: string, withAlpha: boolean) {
    const file = join(dir, `${name}.db`);
    const { runs, unreadable } = runsWithRegressionBeforeUnreadable(undefined, withAlpha);
    const store = await openRunStore(file);
    for (const r of runs) await store.save(r);
    await store.close();
    const { DatabaseSync } = await import('node:sqlite');
    const sql = new DatabaseSync(file);
    expect(Number(sql.prepare(`UPDATE runs SET summary = 'garbage' WHERE id = ?`).run(unreadable.run.id).changes)).toBe(1);
    sql.close();
    const again = await openRunStore(file);
    const data = await fleetDataOf(again, { ...DEFAULT_FLEET_QUERY, now: NOW }, () => {});
    await again.close();
    return data;
  }

  it('leaves its older run\'s regression out of the list and of "N regressed", and every format says so', async () => {
    const data = await fleetOf('unreadable-regressions', true);
    const { regressed, unreadable } = runsWithRegressionBeforeUnreadable();
    expect(data.unreadable?.map((u) => [u.cluster, u.runId, u.shownBy])).toEqual([['beta', unreadable.run.id, regressed.run.id]]);
    expect(data.regressions.map((r) => [r.run.cluster, r.run.id, r.reasons])).toEqual([['alpha', '20261110T020000Z-a00002', ['2 new high findings']]]);
    const view = buildFleetView(data);
    expect(view.totals).toMatchObject({ clusters: 2, regressed: 1, unreadable: 1 });
    // beta's row still shows b2, marked, with b2's own regression flag.
    expect(view.grid.map((g) => [g.cluster, g.runId, g.regression, g.unreadable?.runId ?? null])).toEqual([['alpha', '20261110T020000Z-a00002', true, null], ['beta', regressed.run.id, true, unreadable.run.id]]);

    const json = JSON.parse(renderFleetFormat(data, 'json'));
    expect(json.regressions.map((r: { run: { cluster: string } }) => r.run.cluster)).toEqual(['alpha']);
    expect(json.leftOutUnreadable).toBe(1);
    const md = renderFleetFormat(data, 'md');
    expect(md).toContain('; 1 cluster(s) regressed in the last 24 h (1 cluster whose latest run could not be read left out); ');
    expect(md).toContain('## Regressions in the last 24 hours\n\n1 cluster whose latest run could not be read left out: state unknown.\n\n- **alpha** 20261110T020000Z-a00002: 2 new high findings\n\n');
    expect(md).not.toContain('new critical finding');
    const html = renderFleetFormat(data, 'html');
    expect(html).toContain('<div class="stat"><b>1</b><span>clusters regressed in 24 h, 1 cluster whose latest run could not be read left out</span></div>');
    const section = /<section id="regressions">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    expect(section).toContain('<p class="lede left-out-unreadable">1 cluster whose latest run could not be read left out: state unknown (an older run\'s regressions are not listed).</p>');
    expect(section).toContain('<td class="cluster">alpha</td>');
    expect(section).not.toContain('beta');

    // The digest: after the headline's count of beta, "1 regressed in 24 h without it".
    expect(digestHeadline(view)).toBe('Fleet: 2 clusters, 1 with the latest run unreadable (beta), mean 60.0 without it, 1 regressed in 24 h without it, 0 without a run in 48 h');
    const slack = buildSlackDigest(view);
    expect(slack.blocks).toContainEqual(expect.objectContaining({ text: expect.objectContaining({ text: '*Regressions in the last 24 h*\n1 cluster whose latest run could not be read left out: state unknown.\n• `alpha` 2 new high findings' }) }));
  });

  it('with only that regression in the window, no format lists one and none reads as an all-clear', async () => {
    const data = await fleetOf('unreadable-only-regression', false);
    expect(data.regressions).toEqual([]);
    const view = buildFleetView(data);
    expect(view.totals).toMatchObject({ regressed: 0, unreadable: 1 });
    expect(renderFleetFormat(data, 'md')).toContain('## Regressions in the last 24 hours\n\n1 cluster whose latest run could not be read left out: state unknown.\n\nNone on any cluster whose latest run could be read.\n');
    expect(renderFleetFormat(data, 'html')).toContain('<p class="empty">No cluster whose latest run could be read regressed in the last 24 hours.</p>');
    expect(JSON.stringify(buildSlackDigest(view).blocks)).toContain(':warning: No cluster regressed in the last 24 h that could be read: the latest run of 1 cluster could not be read, state unknown.');
  });
});

describe('findings on many clusters with --min-clusters', () => {
  it('says on how many clusters none occurs, in fleet.html and fleet.md, and fleet.json says the threshold', async () => {
    const store = await openRunStore(db, { readOnly: true });
    const three = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW, minClusters: 3 });
    const four = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW, minClusters: 4 });
    await store.close();
    // Three clusters share two findings: with --min-clusters 3 they are listed, with 4 none is.
    expect(three.common).toHaveLength(2);
    expect(four.common).toEqual([]);
    expect(renderFleetFormat(four, 'html')).toContain('<p class="empty">No finding occurs on 4 or more clusters.</p>');
    expect(renderFleetFormat(four, 'md')).toContain('## Findings on many clusters\n\nNo finding occurs on 4 or more clusters.\n');
    expect(JSON.parse(renderFleetFormat(four, 'json'))).toMatchObject({ minClusters: 4, common: [] });
  });
});

describe('waivers in the fleet report', () => {
  it('are stated at the report\'s time, not as their run stored them: expired yesterday, expiring today and within 14 days (one whose check the run could not evaluate too; not one whose check did not apply)', async () => {
    const store = await openRunStore(join(dir, 'waivers.db'));
    await store.save(runWithTimedWaivers());
    const data = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW });
    await store.close();
    expect(data.waivers.map((w) => [w.waiver.resource.name, w.waiver.expires, w.waiver.state])).toEqual([
      ['lapsed-yesterday', '2026-11-09', 'expired'],
      ['last-day-today', '2026-11-10', 'expiring-soon'],
      ['blind-in-5-days', '2026-11-15', 'expiring-soon'],
      ['in-13-days', '2026-11-23', 'expiring-soon'],
    ]);
    const md = renderFleetFormat(data, 'md');
    expect(md).toContain('- 2026-11-09 expired: gamma rbac.wildcard-permission on ClusterRole lapsed-yesterday (owner team&#64;example.com)');
    expect(md).toContain('- 2026-11-10 expiring-soon: gamma rbac.wildcard-permission on ClusterRole last-day-today (owner team&#64;example.com)');
    expect(renderFleetFormat(data, 'html')).toContain('<td class="mono">2026-11-09</td><td><span class="pill expired">expired</span></td>');
    expect(JSON.parse(renderFleetFormat(data, 'json')).waivers.map((w: FleetWaiver) => w.waiver.state)).toEqual(['expired', 'expiring-soon', 'expiring-soon', 'expiring-soon']);
  });
});

describe('fleet sparklines', () => {
  const point = (id: string, overall: number | null, partial?: boolean) => ({
    id, startedAt: '2026-11-10T02:00:00.000Z', overall, areas: { network: overall, tls: null, rbac: null, 'pod-security': null, mtls: null }, ...(partial ? { partial } : {}),
  });
  it('break at a run without a score and mark a partial run\'s point, as the run report\'s trend does', () => {
    const line = sparklineOf([point('a', 50), point('b', 75), point('c', null), point('d', 95, true), point('e', 100)])!;
    // 5 runs across x 2–118 (29 apart); y 26 at 0 and 2 at 100.
    expect(line.segments).toEqual(['2.0,14.0 31.0,8.0', '89.0,3.2 118.0,2.0']);
    expect(line.partial).toEqual([{ x: '89.0', y: '3.2' }]);
    expect(sparklineOf([point('a', 50), point('b', null)])).toBeNull();
  });

  it('are drawn with a hollow point for a partial run in fleet.html', async () => {
    const store = await openRunStore(join(dir, 'spark.db'));
    const first = fleetRun('gamma', '20261110T050000Z-g00001', '2026-11-10T05:00:00.000Z', 70);
    const second = fleetRun('gamma', '20261110T060000Z-g00002', '2026-11-10T06:00:00.000Z', 95, { previous: first });
    second.run.partial = ['pods could not be read (forbidden)'];
    const third = fleetRun('gamma', '20261110T070000Z-g00003', '2026-11-10T07:00:00.000Z', 72, { previous: second });
    for (const r of [first, second, third]) await store.save(r);
    const data = await fleetDataOf(store, { ...DEFAULT_FLEET_QUERY, now: NOW });
    await store.close();
    expect(data.clusters[0].trend.map((t) => t.partial ?? false)).toEqual([false, true, false]);
    const html = renderFleetFormat(data, 'html');
    expect(html.match(/<circle class="partial" cx="60\.0" cy="3\.2" r="2\.2"><title>partial run: /g)).toHaveLength(1);
    expect(html).toContain('aria-label="overall score trend; hollow points are partial runs"');
  });
});

describe('ztaudit fleet and history export/import', () => {
  it('writes fleet.html, fleet.json and fleet.md', async () => {
    const t = io();
    const code = await main(['fleet', '--history', db, '--format', 'html,json,md', '--out', 'out', '--since', '240'], t);
    expect(t.err.join('')).toBe('');
    expect(code).toBe(0);
    // The window is relative to the real clock here; the data test above pins it.
    expect(t.out.join('')).toMatch(/^wrote .*fleet\.html\nwrote .*fleet\.json\nwrote .*fleet\.md\n3 clusters, mean overall 64\.2, \d+ regressed in the last 240 h, \d+ without a run in the last 480 h \(stale\), 2 finding shapes on 2\+ clusters, \d+ waivers? expired, \d+ expiring\n$/);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'fleet.json'), 'utf8')).clusters).toHaveLength(3);
    expect(readFileSync(join(dir, 'out', 'fleet.md'), 'utf8')).toMatch(/^# ztaudit fleet report: 3 clusters/);
  });

  it('says how many waivers have expired and how many are expiring, apart (a waiver past its day is not "expiring")', async () => {
    // The CLI states waivers at the real clock: dates relative to today (a waiver holds through its day, UTC).
    const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
    const summaryOf = async (name: string, expires: string[]) => {
      const file = join(dir, `${name}.db`);
      const store = await openRunStore(file);
      const run = fleetRun('gamma', '20261027T020000Z-g00001', new Date(Date.now() - 3_600_000).toISOString(), 70);
      run.waivers = expires.map((e, i) => ({ check: 'rbac.wildcard-permission', resource: { kind: 'ClusterRole', name: `w${i}` }, reason: 'accepted', owner: 'team@example.com', expires: e, state: 'active', matched: 1 }));
      await store.save(run);
      await store.close();
      const t = io();
      expect(await main(['fleet', '--history', file, '--format', 'json', '--out', `out-${name}`], t), t.err.join('')).toBe(0);
      return /, ([^,]+, [^,]+)\n$/.exec(t.out.join(''))![1];
    };
    expect(await summaryOf('one-expired', [day(-2)])).toBe('1 waiver expired, 0 expiring');
    expect(await summaryOf('mixed', [day(-2), day(-3), day(3)])).toBe('2 waivers expired, 1 expiring');
    expect(await summaryOf('none-due', [day(60)])).toBe('0 waivers expired, 0 expiring');
  });

  it('bad flags and formats are one line, exit 2', async () => {
    const t = io();
    expect(await main(['fleet', '--history', db, '--format', 'pdf'], t)).toBe(2);
    expect(t.err.join('')).toBe('ztaudit fleet: --format pdf: the fleet report\'s formats are html, json, md\n');
    const u = io();
    expect(await main(['fleet', '--history', db, '--since', '0'], u)).toBe(2);
    expect(u.err.join('')).toMatch(/^ztaudit fleet: --since 0: must be a whole number from 1 to 8760\n$/);
  });

  it('exports every run oldest first and imports them into another store unchanged; a repeat imports nothing', async () => {
    const t = io();
    expect(await main(['history', 'export', '--history', db, '--file', 'runs.jsonl'], t)).toBe(0);
    const lines = readFileSync(join(dir, 'runs.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0])).toMatchObject({ format: 'ztaudit-history-export', version: 1 });
    expect(lines.slice(1).map((l) => JSON.parse(l).run.id)).toEqual(fleetRuns().map((r) => r.run.id));
    const u = io();
    expect(await main(['history', 'import', '--history', 'copy.db', '--file', 'runs.jsonl'], u)).toBe(0);
    expect(u.err.join('')).toMatch(/6 run\(s\) imported into .*copy\.db, 0 already there/);
    const copy = await openRunStore(join(dir, 'copy.db'), { readOnly: true });
    for (const r of fleetRuns()) expect(await copy.get(r.run.id)).toEqual(r);
    expect(await copy.list(100)).toEqual(await (async () => { const s = await openRunStore(db, { readOnly: true }); const l = await s.list(100); await s.close(); return l; })());
    await copy.close();
    const again = io();
    expect(await main(['history', 'import', '--history', 'copy.db', '--file', 'runs.jsonl'], again)).toBe(0);
    expect(again.err.join('')).toMatch(/0 run\(s\) imported .*, 6 already there/);
  });

  it('names each unusable line and imports the rest (exit 2)', async () => {
    writeFileSync(join(dir, 'bad.jsonl'), [JSON.stringify(fleetRuns()[0]), '{not json', JSON.stringify({ schemaVersion: 9, run: { id: 'x' } }), JSON.stringify(fleetRuns()[1])].join('\n'));
    const t = io();
    expect(await main(['history', 'import', '--history', 'bad.db', '--file', 'bad.jsonl'], t)).toBe(2);
    expect(t.err.join('')).toMatch(/bad\.jsonl line 2: not JSON; skipped\n.*bad\.jsonl line 3: schemaVersion 9 is not 1; skipped\n.*2 run\(s\) imported .*, 2 line\(s\) skipped as unusable\n$/s);
  });
});
